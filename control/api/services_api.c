/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * services_api.c - the /services REST resources (services_api.h): names
 * and configured fields from the running generation's image, runtime from
 * the dataplane (LB_STATUS), and the admin actions on one backend (LB_SET).
 *
 * A change names the generation whose image order its indices follow.  The
 * dataplane refuses it with -ESTALE when another generation runs (a commit
 * from outside this daemon); the operator gets a 409 and re-reads.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "api/services_api.h"
#include "cp.h"
#include "dplink/dplink.h"
#include "logw/logw.h"
#include "sk_image_api.h"

static const struct sk_api_health_hook *health_hook;

void
sk_api_services_set_health_hook(const struct sk_api_health_hook *hook)
{
	__atomic_store_n(&health_hook, hook, __ATOMIC_RELEASE);
}

const struct sk_api_health_hook *
sk_api_services_health_hook(void)
{
	return __atomic_load_n(&health_hook, __ATOMIC_ACQUIRE);
}

/* The checker's details for every backend of the running image, once per
 * answer; none without a hook (or memory). */
static void
view_health(struct sk_cp *cp, struct sk_api_lb_view *v, uint32_t nb)
{
	const struct sk_api_health_hook *hook = sk_api_services_health_hook();
	struct sk_api_health_detail *hd;

	if (hook == NULL || hook->fn == NULL || nb == 0 || (hd = calloc(nb, sizeof(*hd))) == NULL)
		return;
	hook->fn(hook->ctx, cp->running_img, cp->generation, hd, nb);
	v->hd = hd;
	v->n_hd = nb;
}

/* A view of the running image, with the dataplane's runtime when it runs the
 * same generation and the checker's details.  view_free() it. */
static void
view_read(struct sk_cp *cp, struct sk_api_lb_view *v, char *err, size_t errlen)
{
	struct sk_shm_lb_backend *st = NULL;
	uint32_t ns = 0, nb = 0;
	uint64_t gen = 0;
	size_t n = 0;

	memset(v, 0, sizeof(*v));
	v->img = cp->running_img;
	v->generation = cp->generation;
	if (v->img != NULL) {
		(void)sk_image_sec(v->img, SK_SEC_SERVICES, &ns);
		(void)sk_image_sec(v->img, SK_SEC_BACKENDS, &nb);
	}
	if (ns == 0)
		return; /* nothing to ask the dataplane about (and /metrics asks often) */
	view_health(cp, v, nb);
	if (cp->dp == NULL) {
		snprintf(err, errlen, "the control plane is not attached to a dataplane");
		v->runtime_error = err;
		return;
	}
	if (sk_dplink_lb_status(cp->dp, &st, &n, &gen, err, errlen) != 0) {
		v->runtime_error = err;
		return;
	}
	if (gen != cp->generation) {
		/* Indices of another image: showing them would mislabel backends. */
		free(st);
		snprintf(err, errlen, "the dataplane runs generation %" PRIu64 ", not %" PRIu64,
			 gen, cp->generation);
		v->runtime_error = err;
		return;
	}
	v->st = st;
	v->n_st = n;
}

static void
view_free(struct sk_api_lb_view *v)
{
	free((void *)(uintptr_t)v->st);
	v->st = NULL;
	free((void *)(uintptr_t)v->hd);
	v->hd = NULL;
}

json_t *
sk_api_services_doc(struct sk_cp *cp)
{
	struct sk_api_lb_view v;
	char err[256];
	json_t *doc;

	if (cp->running_img == NULL)
		return NULL;
	view_read(cp, &v, err, sizeof(err));
	doc = sk_api_lb_services_json(&v);
	view_free(&v);
	return doc;
}

static int
need_image(const struct sk_cp *cp, struct sk_api_resp *resp)
{
	if (cp->running_img != NULL)
		return 0;
	sk_api_error(resp, 503, "no_config", NULL, "no running configuration");
	return -1;
}

/* 404 for the name that is missing. */
static void
not_found(const struct sk_cp *cp, const struct sk_api_req *req, const char *missing,
	  struct sk_api_resp *resp)
{
	if (strcmp(missing, "service") == 0)
		sk_api_error(resp, 404, "not_found", json_pack("{s:s}", "service", req->params[0]),
			     "no service '%s' in the running config (generation %" PRIu64 ")",
			     req->params[0], cp->generation);
	else
		sk_api_error(resp, 404, "not_found",
			     json_pack("{s:s,s:s}", "service", req->params[0],
				       "backend", req->params[1]),
			     "service '%s' has no backend '%s'", req->params[0], req->params[1]);
}

static void
with_view_fields(json_t *o, const struct sk_api_lb_view *v)
{
	json_object_set_new(o, "generation", json_integer((json_int_t)v->generation));
	/* A backend's own "runtime" object says it already; never overwrite it. */
	if (json_object_get(o, "runtime") == NULL)
		json_object_set_new(o, "runtime", json_boolean(v->st != NULL));
	if (v->st == NULL && v->runtime_error != NULL)
		json_object_set_new(o, "runtime_error", json_string(v->runtime_error));
}

static void
get_services(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	json_t *doc;

	(void)req;
	if (need_image(cp, resp) != 0)
		return;
	doc = sk_api_services_doc(cp);
	if (doc == NULL) {
		sk_api_error(resp, 500, "internal", NULL, "out of memory");
		return;
	}
	sk_api_ok(resp, doc);
}

/* GET one service (n_params 1) or one backend (2). */
static void
get_one(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	struct sk_api_lb_view v;
	const char *missing;
	uint32_t si, bi = 0;
	char err[256];
	json_t *o;

	if (need_image(cp, resp) != 0)
		return;
	if (sk_api_lb_find(cp->running_img, req->params[0],
			   req->n_params > 1 ? req->params[1] : NULL, &si, &bi, &missing) != 0) {
		not_found(cp, req, missing, resp);
		return;
	}
	view_read(cp, &v, err, sizeof(err));
	if (req->n_params > 1) {
		o = sk_api_lb_backend_json(&v, si, bi);
		if (o != NULL)
			json_object_set_new(o, "service", json_string(req->params[0]));
	} else {
		o = sk_api_lb_service_json(&v, si);
	}
	if (o != NULL)
		with_view_fields(o, &v);
	view_free(&v);
	if (o == NULL) {
		sk_api_error(resp, 500, "internal", NULL, "out of memory");
		return;
	}
	sk_api_ok(resp, o);
}

/* A dplink failure as the API's error. */
static void
dp_fail(const struct sk_cp *cp, int rc, const char *err, struct sk_api_resp *resp)
{
	switch (rc) {
	case -ESTALE:
		sk_api_error(resp, 409, "stale_generation",
			     json_pack("{s:I}", "running", (json_int_t)cp->generation), "%s", err);
		break;
	case -EINVAL:
		sk_api_error(resp, 400, "bad_request", NULL, "%s", err);
		break;
	case -ENOMEM:
		sk_api_error(resp, 500, "internal", NULL, "%s", err);
		break;
	default: /* -ENOTCONN, -ETIMEDOUT, -EOPNOTSUPP, ... */
		sk_api_error(resp, 503, "dataplane_unavailable", NULL, "%s", err);
		break;
	}
}

/*
 * Apply c to backend (si, bi) of the running generation: the admin state,
 * then the weight, each naming the generation the dataplane reported.
 * *before gets the runtime before the change (*have_before set) once the
 * status was read.  0 or -errno; -ESTALE (409) when the dataplane runs
 * another generation than the one whose image resolved the names: that
 * happens only when a commit came from elsewhere (sekisho-cp --commit),
 * and a second try under the same stale image could not fare better.
 */
static int
apply_change(struct sk_cp *cp, uint32_t si, uint32_t bi, const struct sk_api_lb_change *c,
	     struct sk_shm_lb_backend *before, int *have_before, char *err, size_t errlen)
{
	struct sk_api_lb_view v = { .img = cp->running_img, .generation = cp->generation };
	struct sk_shm_lb_backend *st = NULL;
	const struct sk_shm_lb_backend *r;
	struct sk_shm_lb_set set;
	uint64_t gen = 0;
	size_t n = 0;
	int rc;

	rc = sk_dplink_lb_status(cp->dp, &st, &n, &gen, err, errlen);
	if (rc != 0)
		return rc;
	if (gen != cp->generation) {
		free(st);
		snprintf(err, errlen, "the dataplane runs generation %" PRIu64
			 ", the control plane knows %" PRIu64, gen, cp->generation);
		return -ESTALE;
	}
	v.st = st;
	v.n_st = n;
	r = sk_api_lb_runtime(&v, si, bi);
	if (r == NULL) {
		free(st);
		snprintf(err, errlen, "the dataplane has no runtime for this backend");
		return -EIO;
	}
	*before = *r;
	*have_before = 1;
	free(st);
	memset(&set, 0, sizeof(set));
	set.generation = gen;
	set.service = si;
	set.backend = bi;
	if (c->has_admin) {
		set.what = SK_SHM_LB_ADMIN;
		set.value = c->admin;
		rc = sk_dplink_lb_set(cp->dp, &set, err, errlen);
	}
	if (rc == 0 && c->has_weight) {
		set.what = SK_SHM_LB_WEIGHT;
		set.value = 0;
		set.weight = c->weight;
		rc = sk_dplink_lb_set(cp->dp, &set, err, errlen);
	}
	return rc;
}

/* The change as an event in the log files: who, from where, what, and the
 * backend's runtime before it (before NULL: not known). */
static void
log_change(struct sk_cp *cp, const struct sk_api_req *req, const struct sk_api_lb_change *c,
	   const struct sk_shm_lb_backend *before, int status)
{
	json_t *f;

	if (cp->logw == NULL)
		return;
	f = json_pack("{s:s,s:s,s:s,s:s,s:I,s:i}",
		"service", req->params[0], "backend", req->params[1],
		"principal", req->principal != NULL ? req->principal : "-",
		"peer", req->peer != NULL ? req->peer : "-",
		"generation", (json_int_t)cp->generation, "status", status);
	if (f == NULL)
		return;
	if (before != NULL) {
		json_object_set_new(f, "admin_before", json_string(sk_api_lb_state_name(before->admin)));
		json_object_set_new(f, "weight_before", json_integer(before->weight));
	}
	if (c->has_admin)
		json_object_set_new(f, "action", json_string(sk_api_lb_action_name(c->admin)));
	if (c->has_weight)
		json_object_set_new(f, "weight", json_integer(c->weight));
	pthread_mutex_lock(&cp->log_lock);
	(void)sk_logw_event(cp->logw, "backend", f);
	pthread_mutex_unlock(&cp->log_lock);
}

static void
post_backend(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	struct sk_shm_lb_backend before;
	struct sk_api_lb_change c;
	struct sk_api_lb_view v;
	const char *missing;
	uint32_t si, bi;
	char err[256];
	int rc, known = 0;
	json_t *o;

	if (need_image(cp, resp) != 0)
		return;
	if (sk_api_lb_find(cp->running_img, req->params[0], req->params[1], &si, &bi,
			   &missing) != 0) {
		not_found(cp, req, missing, resp);
		return;
	}
	if (sk_api_lb_change_parse(req->json, &c, err, sizeof(err)) != 0) {
		sk_api_error(resp, 400, "bad_request", NULL, "%s", err);
		return;
	}
	if (cp->dp == NULL) {
		sk_api_error(resp, 503, "dataplane_unavailable", NULL,
			     "the control plane is not attached to a dataplane");
		return;
	}
	memset(&before, 0, sizeof(before));
	rc = apply_change(cp, si, bi, &c, &before, &known, err, sizeof(err));
	if (rc == -EIO)
		sk_api_error(resp, 500, "internal", NULL, "%s", err);
	else if (rc != 0)
		dp_fail(cp, rc, err, resp);
	if (rc != 0) {
		log_change(cp, req, &c, known ? &before : NULL, resp->status);
		return;
	}
	view_read(cp, &v, err, sizeof(err));
	o = sk_api_lb_backend_json(&v, si, bi);
	if (o != NULL) {
		json_object_set_new(o, "service", json_string(req->params[0]));
		with_view_fields(o, &v);
	}
	view_free(&v);
	log_change(cp, req, &c, &before, 200);
	if (o == NULL) {
		sk_api_error(resp, 500, "internal", NULL, "out of memory");
		return;
	}
	sk_api_ok(resp, o);
}

const struct sk_api_route sk_api_routes_services[] = {
	{ "GET", "/api/v1/services", get_services,
	  "Virtual services with their backends, configured and as they run" },
	{ "GET", "/api/v1/services/{service}", get_one, "One virtual service" },
	{ "GET", "/api/v1/services/{service}/backends/{backend}", get_one, "One backend" },
	{ "POST", "/api/v1/services/{service}/backends/{backend}", post_backend,
	  "Enable, drain or disable a backend, or set its weight (runtime)" },
	{ NULL, NULL, NULL, NULL },
};
