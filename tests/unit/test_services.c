/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_services.c - the control side of the load balancer without a
 * dataplane: a backend change's body (parse and refuse), the services and
 * backends JSON from a real image (tests/config/good/lab-services.conf plus
 * a third backend) and a status array built here, the health checker's
 * details (array and hook), the handlers' answers that need no dataplane
 * (404, 400, 503, configured view), the backend metrics, the OpenAPI document's new paths, and
 * sekishoctl's parsing, request bodies, paths and views.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "api/services_api.h"
#include "cfg.h"
#include "cp.h"
#include "ctl.h"
#include "ctl_view.h"
#include "rest/rest.h"
#include "sk_image_api.h"
#include "sk_test.h"

#define FIXTURE "tests/config/good/lab-services.conf"

/* ---- an image with services: the fixture, web given a third backend ---- */

static char *
read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf != NULL)
		buf[n] = '\0';
	fclose(f);
	return buf;
}

static void *
build_image(size_t *len)
{
	static const char anchor[] = "{ name = \"web2\"; address = \"10.10.0.12\"; port = 80; weight = 1; }";
	static const char extra[] = ",\n      { name = \"web3\"; address = \"10.10.0.13\"; port = 80; "
				    "weight = 3; state = \"drain\"; conn_limit = 500; }";
	struct sk_cfg_diag diag;
	struct sk_cfg *cfg;
	char *text = read_all(FIXTURE), *at, *full, err[256];
	void *img = NULL;

	if (text == NULL || (at = strstr(text, anchor)) == NULL) {
		free(text);
		return NULL;
	}
	at += strlen(anchor);
	full = malloc(strlen(text) + sizeof(extra));
	memcpy(full, text, (size_t)(at - text));
	strcpy(full + (at - text), extra);
	strcat(full, at);
	sk_cfg_diag_init(&diag);
	cfg = sk_cfg_load_string(full, FIXTURE, &diag);
	if (cfg == NULL)
		sk_cfg_diag_print(&diag, stdout);
	else if (sk_cfg_image_build(cfg, &img, len, err, sizeof(err)) != 0)
		printf("# %s\n", err);
	sk_cfg_free(cfg);
	sk_cfg_diag_free(&diag);
	free(full);
	free(text);
	return img;
}

/* ---- the body of POST .../backends/{b} ---- */

static void
test_parse(void)
{
	static const struct {
		const char *body;
		int rc, has_admin, admin, has_weight, weight;
		const char *err_has;
	} cases[] = {
		{ "{\"action\": \"enable\"}", 0, 1, SK_LB_BE_UP, 0, 0, NULL },
		{ "{\"action\": \"drain\"}", 0, 1, SK_LB_BE_DRAIN, 0, 0, NULL },
		{ "{\"action\": \"disable\"}", 0, 1, SK_LB_BE_DISABLED, 0, 0, NULL },
		{ "{\"weight\": 0}", 0, 0, 0, 1, 0, NULL },
		{ "{\"weight\": 65535}", 0, 0, 0, 1, 65535, NULL },
		{ "{\"action\": \"drain\", \"weight\": 7}", 0, 1, SK_LB_BE_DRAIN, 1, 7, NULL },
		{ "{}", -EINVAL, 0, 0, 0, 0, "nothing to change" },
		{ "[]", -EINVAL, 0, 0, 0, 0, "JSON object" },
		{ "\"drain\"", -EINVAL, 0, 0, 0, 0, "JSON object" },
		{ "{\"action\": \"stop\"}", -EINVAL, 0, 0, 0, 0, "'stop'" },
		{ "{\"action\": \"up\"}", -EINVAL, 0, 0, 0, 0, "'up'" },
		{ "{\"action\": 1}", -EINVAL, 0, 0, 0, 0, "action" },
		{ "{\"weight\": -1}", -EINVAL, 0, 0, 0, 0, "-1" },
		{ "{\"weight\": 65536}", -EINVAL, 0, 0, 0, 0, "65536" },
		{ "{\"weight\": 1.5}", -EINVAL, 0, 0, 0, 0, "integer" },
		{ "{\"weight\": \"3\"}", -EINVAL, 0, 0, 0, 0, "integer" },
		{ "{\"weight\": true}", -EINVAL, 0, 0, 0, 0, "integer" },
		{ "{\"state\": \"drain\"}", -EINVAL, 0, 0, 0, 0, "'state'" },
		{ "{\"action\": \"drain\", \"force\": true}", -EINVAL, 0, 0, 0, 0, "'force'" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = json_loads(cases[i].body, JSON_DECODE_ANY, NULL);
		struct sk_api_lb_change c;
		char err[256] = "";
		int rc = sk_api_lb_change_parse(j, &c, err, sizeof(err));

		if (cases[i].rc == 0)
			SK_CHECK(rc == 0 && c.has_admin == cases[i].has_admin &&
				 (!c.has_admin || c.admin == cases[i].admin) &&
				 c.has_weight == cases[i].has_weight &&
				 (!c.has_weight || c.weight == cases[i].weight),
				 "parse %s", cases[i].body);
		else
			SK_CHECK(rc == cases[i].rc && strstr(err, cases[i].err_has) != NULL,
				 "refuse %s: %s", cases[i].body, err);
		json_decref(j);
	}
	SK_CHECK(sk_api_lb_change_parse(NULL, &(struct sk_api_lb_change){ 0 }, NULL, 0) == -EINVAL,
		 "refuse no body (no error buffer)");
	SK_CHECK(strcmp(sk_api_lb_action_name(SK_LB_BE_DRAIN), "drain") == 0 &&
		 strcmp(sk_api_lb_action_name(SK_LB_BE_UP), "enable") == 0 &&
		 sk_api_lb_action_name(SK_LB_BE__MAX) == NULL, "action names");
}

/* ---- names -> indices ---- */

static void
test_find(const struct sk_image_hdr *h)
{
	const char *missing = NULL;
	uint32_t si = 99, bi = 99;

	SK_CHECK(sk_api_lb_find(h, "web", "web2", &si, &bi, &missing) == 0 && si == 0 && bi == 1,
		 "web/web2 is service 0 backend 1");
	SK_CHECK(sk_api_lb_find(h, "web", "web3", &si, &bi, &missing) == 0 && si == 0 && bi == 2,
		 "web/web3 is service 0 backend 2");
	SK_CHECK(sk_api_lb_find(h, "web6", "web1", &si, &bi, &missing) == 0 && si == 1 && bi == 0,
		 "web6/web1 is service 1 backend 0 (names are per service)");
	SK_CHECK(sk_api_lb_find(h, "web6", NULL, &si, &bi, &missing) == 0 && si == 1,
		 "a service alone");
	SK_CHECK(sk_api_lb_find(h, "mail", "web1", &si, &bi, &missing) == -ENOENT &&
		 strcmp(missing, "service") == 0, "unknown service");
	SK_CHECK(sk_api_lb_find(h, "web", "web9", &si, &bi, &missing) == -ENOENT &&
		 strcmp(missing, "backend") == 0, "unknown backend");
	SK_CHECK(sk_api_lb_find(h, "web6", "web3", &si, &bi, &missing) == -ENOENT &&
		 strcmp(missing, "backend") == 0, "web3 is web's, not web6's");
	SK_CHECK(sk_api_lb_find(NULL, "web", NULL, &si, &bi, &missing) == -ENOENT,
		 "no image: nothing found");
}

/* ---- rendering ---- */

/* A status array for every backend of h, values derived from the position
 * so each backend's numbers are its own. */
static struct sk_shm_lb_backend *
make_status(const struct sk_image_hdr *h, size_t *n)
{
	const struct sk_img_service *sv;
	struct sk_shm_lb_backend *st;
	uint32_t ns, nb, s, b, k = 0;

	sv = sk_image_sec(h, SK_SEC_SERVICES, &ns);
	(void)sk_image_sec(h, SK_SEC_BACKENDS, &nb);
	st = calloc(nb, sizeof(*st));
	for (s = 0; s < ns; s++)
		for (b = 0; b < sv[s].backend_count; b++, k++) {
			st[k].service = s;
			st[k].backend = b;
			st[k].admin = k == 1 ? SK_LB_BE_DRAIN : k == 3 ? SK_LB_BE_DISABLED : SK_LB_BE_UP;
			st[k].health = k != 2;
			st[k].weight = (uint16_t)(10 + k);
			st[k].active = 100 + k;
			st[k].conns = 1000 + k;
			st[k].pkts[0] = 5000 + k;
			st[k].pkts[1] = 7000 + k;
			st[k].bytes[0] = 50000000000ull + k; /* past 32 bits */
			st[k].bytes[1] = 70000 + k;
		}
	*n = nb;
	return st;
}

static json_int_t
jint(const json_t *o, const char *path)
{
	char buf[128], *save = NULL, *tok;
	const json_t *v = o;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok != NULL && v != NULL;
	     tok = strtok_r(NULL, ".", &save))
		v = json_is_array(v) ? json_array_get(v, (size_t)atoi(tok)) : json_object_get(v, tok);
	return json_is_integer(v) ? json_integer_value(v) : -12345;
}

static const char *
jstr(const json_t *o, const char *path)
{
	char buf[128], *save = NULL, *tok;
	const json_t *v = o;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok != NULL && v != NULL;
	     tok = strtok_r(NULL, ".", &save))
		v = json_is_array(v) ? json_array_get(v, (size_t)atoi(tok)) : json_object_get(v, tok);
	return json_is_string(v) ? json_string_value(v) : "<none>";
}

static void
test_render_config(const struct sk_image_hdr *h)
{
	struct sk_api_lb_view v = { .img = h, .generation = 42, .runtime_error = "not attached" };
	json_t *doc = sk_api_lb_services_json(&v);
	const json_t *web = json_array_get(json_object_get(doc, "services"), 0);
	const json_t *web6 = json_array_get(json_object_get(doc, "services"), 1);

	SK_CHECK(doc != NULL && jint(doc, "generation") == 42 &&
		 json_is_false(json_object_get(doc, "runtime")) &&
		 strcmp(jstr(doc, "runtime_error"), "not attached") == 0,
		 "configured view: generation, runtime false and why");
	SK_CHECK(json_array_size(json_object_get(doc, "services")) == 2, "two services");
	SK_CHECK(strcmp(jstr(web, "name"), "web") == 0 && strcmp(jstr(web, "vip"), "203.0.113.80") == 0 &&
		 strcmp(jstr(web, "proto"), "tcp") == 0 && strcmp(jstr(web, "port"), "80") == 0 &&
		 jint(web, "port_lo") == 80 && jint(web, "port_hi") == 80 && jint(web, "family") == 4,
		 "web: vip, proto, ports");
	SK_CHECK(strcmp(jstr(web, "scheduler"), "maglev") == 0 &&
		 strcmp(jstr(web, "forward"), "dnat") == 0 && jint(web, "maglev_size") == 65537 &&
		 json_array_size(json_object_get(web, "snat")) == 0 && jint(web, "persist_s") == 0 &&
		 jint(web, "conn_limit") == 0, "web: maglev, dnat, no snat");
	SK_CHECK(strcmp(jstr(web, "health.type"), "tcp") == 0 && jint(web, "health.interval_ms") == 2000 &&
		 jint(web, "health.timeout_ms") == 1000 && jint(web, "health.rise") == 2 &&
		 jint(web, "health.fall") == 3 && json_object_get(json_object_get(web, "health"), "path") == NULL,
		 "web: tcp health settings, no http path");
	SK_CHECK(json_array_size(json_object_get(web, "backends")) == 3 &&
		 strcmp(jstr(web, "backends.0.name"), "web1") == 0 &&
		 strcmp(jstr(web, "backends.0.address"), "10.10.0.11") == 0 &&
		 jint(web, "backends.0.port") == 80 && jint(web, "backends.0.weight") == 1 &&
		 strcmp(jstr(web, "backends.0.state"), "up") == 0,
		 "web1 configured");
	SK_CHECK(strcmp(jstr(web, "backends.2.name"), "web3") == 0 &&
		 strcmp(jstr(web, "backends.2.address"), "10.10.0.13") == 0 &&
		 jint(web, "backends.2.weight") == 3 && strcmp(jstr(web, "backends.2.state"), "drain") == 0 &&
		 jint(web, "backends.2.conn_limit") == 500 && jint(web, "backends.2.index") == 2,
		 "web3 configured: weight 3, drain, conn_limit 500");
	SK_CHECK(json_object_get(json_array_get(json_object_get(web, "backends"), 0), "runtime") == NULL &&
		 json_object_get(web, "totals") == NULL, "no runtime, no totals without a status");
	SK_CHECK(strcmp(jstr(web6, "vip"), "2001:db8:ff::80") == 0 && jint(web6, "family") == 6 &&
		 strcmp(jstr(web6, "scheduler"), "wrr") == 0 && strcmp(jstr(web6, "forward"), "fullnat") == 0 &&
		 strcmp(jstr(web6, "snat.0"), "2001:db8:10::1") == 0 &&
		 json_object_get(web6, "maglev_size") == NULL,
		 "web6: IPv6 vip, wrr, fullnat with its snat address");
	SK_CHECK(strcmp(jstr(web6, "health.type"), "http") == 0 && strcmp(jstr(web6, "health.path"), "/") == 0 &&
		 jint(web6, "health.status") == 200 &&
		 strcmp(jstr(web6, "backends.1.address"), "2001:db8:10::12") == 0,
		 "web6: http health path and status; IPv6 backends");
	json_decref(doc);
}

static void
test_render_runtime(const struct sk_image_hdr *h, const struct sk_shm_lb_backend *st, size_t n)
{
	struct sk_api_lb_view v = { .img = h, .generation = 42, .st = st, .n_st = n };
	json_t *doc = sk_api_lb_services_json(&v), *be;
	const json_t *web = json_array_get(json_object_get(doc, "services"), 0);
	const json_t *web6 = json_array_get(json_object_get(doc, "services"), 1);
	struct sk_shm_lb_backend *rev;
	size_t i;

	SK_CHECK(json_is_true(json_object_get(doc, "runtime")) &&
		 json_object_get(doc, "runtime_error") == NULL, "runtime true");
	SK_CHECK(strcmp(jstr(web, "backends.1.runtime.admin"), "drain") == 0 &&
		 strcmp(jstr(web, "backends.1.runtime.health"), "up") == 0 &&
		 jint(web, "backends.1.runtime.weight") == 11 && jint(web, "backends.1.runtime.active") == 101 &&
		 jint(web, "backends.1.runtime.conns") == 1001 &&
		 jint(web, "backends.1.runtime.pkts_orig") == 5001 &&
		 jint(web, "backends.1.runtime.pkts_reply") == 7001 &&
		 jint(web, "backends.1.runtime.bytes_orig") == 50000000001ll &&
		 jint(web, "backends.1.runtime.bytes_reply") == 70001,
		 "web2's runtime is status entry 1");
	SK_CHECK(strcmp(jstr(web, "backends.2.runtime.health"), "down") == 0 &&
		 json_is_false(json_object_get(json_object_get(
			 json_array_get(json_object_get(web, "backends"), 2), "runtime"), "healthy")),
		 "web3 down");
	SK_CHECK(strcmp(jstr(web6, "backends.0.runtime.admin"), "disabled") == 0 &&
		 jint(web6, "backends.0.runtime.active") == 103, "web6/web1 is status entry 3");
	SK_CHECK(jint(web, "totals.backends") == 3 && jint(web, "totals.up") == 2 &&
		 jint(web, "totals.drain") == 1 && jint(web, "totals.disabled") == 0 &&
		 jint(web, "totals.healthy") == 2 && jint(web, "totals.serving") == 1,
		 "web totals: 2 up, 1 drain, 2 healthy, 1 serving (web3 up but down)");
	SK_CHECK(jint(web, "totals.active") == 100 + 101 + 102 &&
		 jint(web, "totals.conns") == 1000 + 1001 + 1002 &&
		 jint(web, "totals.pkts_orig") == 5000 + 5001 + 5002 &&
		 jint(web, "totals.pkts_reply") == 7000 + 7001 + 7002 &&
		 jint(web, "totals.bytes_orig") == 3 * 50000000000ll + 3 &&
		 jint(web, "totals.bytes_reply") == 70000 + 70001 + 70002,
		 "web totals are the sums of its backends");
	SK_CHECK(jint(web6, "totals.active") == 103 + 104 && jint(web6, "totals.disabled") == 1,
		 "web6 totals are its own");
	json_decref(doc);

	/* Another order (not image order): found by index, not by position. */
	rev = calloc(n, sizeof(*rev));
	for (i = 0; i < n; i++)
		rev[i] = st[n - 1 - i];
	v.st = rev;
	be = sk_api_lb_backend_json(&v, 0, 1);
	SK_CHECK(be != NULL && jint(be, "runtime.active") == 101 && strcmp(jstr(be, "name"), "web2") == 0,
		 "runtime found by (service, backend) in any order");
	json_decref(be);
	/* An entry missing: that backend has no runtime, the others do. */
	v.n_st = n - 1; /* rev without its last entry, st[0] = web/web1 */
	be = sk_api_lb_backend_json(&v, 0, 0);
	SK_CHECK(be != NULL && json_object_get(be, "runtime") == NULL, "missing entry: no runtime");
	json_decref(be);
	be = sk_api_lb_backend_json(&v, 0, 2);
	SK_CHECK(be != NULL && jint(be, "runtime.active") == 102, "the others keep theirs");
	json_decref(be);
	free(rev);
}

/* ---- the health checker's details ---- */

static int hook_calls;

/* What a checker would fill: web/web3 (global index 2) down with an error,
 * web6/web1 (3) not checked yet, the others no details. */
static void
hook_fn(void *ctx, const struct sk_image_hdr *img, uint64_t gen, struct sk_api_health_detail *d,
	size_t n)
{
	uint32_t nb = 0;

	hook_calls++;
	(void)sk_image_sec(img, SK_SEC_BACKENDS, &nb);
	if (strcmp((const char *)ctx, "ctx") != 0 || gen != 9 || n != nb || n < 4)
		return;
	d[2].have = 1;
	d[2].healthy = 0;
	d[2].last_check_ms = 1700000000123ull;
	snprintf(d[2].last_error, sizeof(d[2].last_error), "connect: connection refused");
	d[3].have = 1;
	d[3].healthy = -1;
}

static void
test_health_detail(const struct sk_image_hdr *h, const struct sk_shm_lb_backend *st, size_t n)
{
	struct sk_api_health_detail hd[5];
	struct sk_api_lb_view v = { .img = h, .generation = 1, .st = st, .n_st = n,
				    .hd = hd, .n_hd = 5 };
	json_t *be;

	memset(hd, 0, sizeof(hd));
	hd[2].have = 1;
	hd[2].healthy = 0;
	hd[2].last_check_ms = 1700000000123ull;
	memset(hd[2].last_error, 'x', sizeof(hd[2].last_error)); /* not terminated: cut */
	hd[3].have = 1;
	hd[3].healthy = -1;
	hd[4].have = 1;
	hd[4].healthy = 1;
	be = sk_api_lb_backend_json(&v, 0, 2);
	SK_CHECK(be != NULL && json_is_false(json_object_get(json_object_get(be, "health_detail"), "healthy")) &&
		 jint(be, "health_detail.last_check_ms") == 1700000000123ll &&
		 strlen(jstr(be, "health_detail.last_error")) == sizeof(hd[2].last_error) - 1,
		 "health_detail of web3 (an unterminated error is cut)");
	json_decref(be);
	be = sk_api_lb_backend_json(&v, 1, 0);
	SK_CHECK(be != NULL && json_is_null(json_object_get(json_object_get(be, "health_detail"), "healthy")),
		 "not checked yet: healthy null");
	json_decref(be);
	be = sk_api_lb_backend_json(&v, 1, 1);
	SK_CHECK(be != NULL && json_is_true(json_object_get(json_object_get(be, "health_detail"), "healthy")),
		 "web6/web2 healthy: index is backend_first + backend");
	json_decref(be);
	be = sk_api_lb_backend_json(&v, 0, 0);
	SK_CHECK(be != NULL && json_object_get(be, "health_detail") == NULL,
		 "have 0: no health_detail");
	json_decref(be);
	v.n_hd = 2;
	be = sk_api_lb_backend_json(&v, 0, 2);
	SK_CHECK(be != NULL && json_object_get(be, "health_detail") == NULL,
		 "details shorter than the image: none past the end");
	json_decref(be);
	v.hd = NULL;
	be = sk_api_lb_backend_json(&v, 0, 2);
	SK_CHECK(be != NULL && json_object_get(be, "health_detail") == NULL, "no details: none shown");
	json_decref(be);
}

/* ---- handlers that need no dataplane ---- */

static const char *
no_query(const struct sk_api_req *req, const char *key)
{
	(void)req;
	(void)key;
	return NULL;
}

static const struct sk_api_route *
route(const char *method, const char *pattern)
{
	const struct sk_api_route *r;

	for (r = sk_api_routes_services; r->method != NULL; r++)
		if (strcmp(r->method, method) == 0 && strcmp(r->pattern, pattern) == 0)
			return r;
	return NULL;
}

static int
call(struct sk_cp *cp, const char *method, const char *pattern, const char *p0, const char *p1,
     const char *body, struct sk_api_resp *resp)
{
	const struct sk_api_route *r = route(method, pattern);
	struct sk_api_req req = { .method = method, .path = pattern, .query = no_query,
				  .principal = "test", .peer = "127.0.0.1" };

	memset(resp, 0, sizeof(*resp));
	if (r == NULL)
		return -1;
	req.params[0] = p0;
	req.params[1] = p1;
	req.n_params = p1 != NULL ? 2 : p0 != NULL ? 1 : 0;
	req.json = body != NULL ? json_loads(body, JSON_DECODE_ANY, NULL) : NULL;
	r->fn(cp, &req, resp);
	json_decref(req.json);
	return resp->status;
}

static const char *
code_of(const struct sk_api_resp *r)
{
	return jstr(r->json, "code");
}

static void
test_handlers(void *img)
{
	static const char *const be_path = "/api/v1/services/{service}/backends/{backend}";
	struct sk_cp cp;
	struct sk_api_resp r;

	memset(&cp, 0, sizeof(cp));
	pthread_mutex_init(&cp.log_lock, NULL);
	SK_CHECK(call(&cp, "GET", "/api/v1/services", NULL, NULL, NULL, &r) == 503 &&
		 strcmp(code_of(&r), "no_config") == 0, "no running config: 503 no_config");
	json_decref(r.json);
	cp.running_img = img;
	cp.generation = 9;
	SK_CHECK(call(&cp, "GET", "/api/v1/services", NULL, NULL, NULL, &r) == 200 &&
		 jint(r.json, "generation") == 9 && json_is_false(json_object_get(r.json, "runtime")) &&
		 strstr(jstr(r.json, "runtime_error"), "not attached") != NULL &&
		 json_array_size(json_object_get(r.json, "services")) == 2,
		 "GET /services without a dataplane: configured view");
	json_decref(r.json);
	SK_CHECK(call(&cp, "GET", "/api/v1/services/{service}", "web6", NULL, NULL, &r) == 200 &&
		 strcmp(jstr(r.json, "name"), "web6") == 0 && jint(r.json, "generation") == 9 &&
		 json_is_false(json_object_get(r.json, "runtime")), "GET /services/web6");
	json_decref(r.json);
	SK_CHECK(call(&cp, "GET", "/api/v1/services/{service}", "nope", NULL, NULL, &r) == 404 &&
		 strcmp(code_of(&r), "not_found") == 0 && strcmp(jstr(r.json, "details.service"), "nope") == 0,
		 "GET unknown service: 404 not_found");
	json_decref(r.json);
	SK_CHECK(call(&cp, "GET", be_path, "web", "web3", NULL, &r) == 200 &&
		 strcmp(jstr(r.json, "name"), "web3") == 0 && strcmp(jstr(r.json, "service"), "web") == 0 &&
		 strcmp(jstr(r.json, "state"), "drain") == 0, "GET /services/web/backends/web3");
	json_decref(r.json);
	{
		static const struct sk_api_health_hook hook = { hook_fn, (void *)"ctx" };

		sk_api_services_set_health_hook(&hook);
		SK_CHECK(sk_api_services_health_hook() == &hook, "health hook set");
		hook_calls = 0;
		SK_CHECK(call(&cp, "GET", be_path, "web", "web3", NULL, &r) == 200 && hook_calls == 1 &&
			 strcmp(jstr(r.json, "health_detail.last_error"), "connect: connection refused") == 0 &&
			 json_is_false(json_object_get(json_object_get(r.json, "health_detail"), "healthy")),
			 "GET a backend: the hook's details, one call");
		json_decref(r.json);
		SK_CHECK(call(&cp, "GET", be_path, "web", "web1", NULL, &r) == 200 &&
			 json_object_get(r.json, "health_detail") == NULL, "no details for web1");
		json_decref(r.json);
		hook_calls = 0;
		SK_CHECK(call(&cp, "GET", "/api/v1/services", NULL, NULL, NULL, &r) == 200 && hook_calls == 1 &&
			 json_is_null(json_object_get(json_object_get(json_array_get(json_object_get(
				 json_array_get(json_object_get(r.json, "services"), 1), "backends"), 0),
				 "health_detail"), "healthy")),
			 "GET /services: the hook once for the whole list");
		json_decref(r.json);
		sk_api_services_set_health_hook(NULL);
		SK_CHECK(sk_api_services_health_hook() == NULL, "health hook cleared");
		hook_calls = 0;
		SK_CHECK(call(&cp, "GET", be_path, "web", "web3", NULL, &r) == 200 && hook_calls == 0 &&
			 json_object_get(r.json, "health_detail") == NULL, "no hook: no health_detail");
		json_decref(r.json);
	}
	SK_CHECK(call(&cp, "GET", be_path, "web", "web9", NULL, &r) == 404 &&
		 strcmp(jstr(r.json, "details.backend"), "web9") == 0, "GET unknown backend: 404");
	json_decref(r.json);
	SK_CHECK(call(&cp, "POST", be_path, "web", "web9", "{\"action\":\"drain\"}", &r) == 404,
		 "POST unknown backend: 404");
	json_decref(r.json);
	SK_CHECK(call(&cp, "POST", be_path, "mail", "web1", "{\"action\":\"drain\"}", &r) == 404 &&
		 strstr(jstr(r.json, "message"), "no service 'mail'") != NULL, "POST unknown service: 404");
	json_decref(r.json);
	SK_CHECK(call(&cp, "POST", be_path, "web", "web1", "{\"action\":\"pause\"}", &r) == 400 &&
		 strcmp(code_of(&r), "bad_request") == 0, "POST unknown action: 400 bad_request");
	json_decref(r.json);
	SK_CHECK(call(&cp, "POST", be_path, "web", "web1", "{\"weight\":70000}", &r) == 400,
		 "POST weight out of range: 400");
	json_decref(r.json);
	SK_CHECK(call(&cp, "POST", be_path, "web", "web1", "{\"action\":\"drain\",\"x\":1}", &r) == 400,
		 "POST unknown key: 400");
	json_decref(r.json);
	SK_CHECK(call(&cp, "POST", be_path, "web", "web1", NULL, &r) == 400, "POST no body: 400");
	json_decref(r.json);
	SK_CHECK(call(&cp, "POST", be_path, "web", "web1", "{\"action\":\"drain\"}", &r) == 503 &&
		 strcmp(code_of(&r), "dataplane_unavailable") == 0,
		 "POST a good change without a dataplane: 503");
	json_decref(r.json);
	pthread_mutex_destroy(&cp.log_lock);
}

/* ---- /metrics ---- */

static int
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
		p += n;
	}
	return 0;
}

static int
count_of(const char *text, const char *s)
{
	int n = 0;

	for (; (text = strstr(text, s)) != NULL; text += strlen(s))
		n++;
	return n;
}

static void
test_metrics(const struct sk_image_hdr *h, const struct sk_shm_lb_backend *st, size_t n)
{
	struct sk_api_lb_view v = { .img = h, .generation = 42, .st = st, .n_st = n };
	json_t *doc = sk_api_lb_services_json(&v), *odd;
	char *text = NULL;
	size_t len = 0;
	int rc, bad = 0;
	const char *p;

	rc = sk_rest_metrics_render_lb(doc, &text, &len);
	SK_CHECK(rc == 0 && text != NULL && len == strlen(text), "backend metrics rendered");
	if (rc != 0 || text == NULL) {
		json_decref(doc);
		return;
	}
	SK_CHECK(has_line(text, "sekisho_backend_active{service=\"web\",backend=\"web2\"} 101") &&
		 has_line(text, "sekisho_backend_active{service=\"web6\",backend=\"web2\"} 104"),
		 "sekisho_backend_active per service and backend");
	SK_CHECK(has_line(text, "sekisho_backend_connections_total{service=\"web\",backend=\"web3\"} 1002"),
		 "sekisho_backend_connections_total");
	SK_CHECK(has_line(text, "sekisho_backend_packets_total{service=\"web\",backend=\"web1\",direction=\"orig\"} 5000") &&
		 has_line(text, "sekisho_backend_packets_total{service=\"web\",backend=\"web1\",direction=\"reply\"} 7000"),
		 "sekisho_backend_packets_total by direction");
	SK_CHECK(has_line(text, "sekisho_backend_bytes_total{service=\"web\",backend=\"web2\",direction=\"orig\"} 50000000001") &&
		 has_line(text, "sekisho_backend_bytes_total{service=\"web\",backend=\"web2\",direction=\"reply\"} 70001"),
		 "sekisho_backend_bytes_total by direction (64-bit)");
	SK_CHECK(has_line(text, "sekisho_backend_up{service=\"web\",backend=\"web3\"} 0") &&
		 has_line(text, "sekisho_backend_up{service=\"web\",backend=\"web1\"} 1"),
		 "sekisho_backend_up follows health");
	SK_CHECK(has_line(text, "sekisho_backend_admin_state{service=\"web\",backend=\"web2\",state=\"drain\"} 1") &&
		 has_line(text, "sekisho_backend_admin_state{service=\"web\",backend=\"web2\",state=\"up\"} 0") &&
		 has_line(text, "sekisho_backend_admin_state{service=\"web\",backend=\"web2\",state=\"disabled\"} 0") &&
		 has_line(text, "sekisho_backend_admin_state{service=\"web6\",backend=\"web1\",state=\"disabled\"} 1"),
		 "sekisho_backend_admin_state: one series per state, 1 for the current");
	SK_CHECK(count_of(text, "state=\"") == 3 * 5 && count_of(text, "} 1\n") > 0,
		 "three admin-state series for each of the five backends");
	SK_CHECK(has_line(text, "sekisho_backend_weight{service=\"web\",backend=\"web3\"} 12"),
		 "sekisho_backend_weight is the runtime weight");
	SK_CHECK(count_of(text, "# TYPE sekisho_backend_packets_total counter\n") == 1 &&
		 count_of(text, "# HELP sekisho_backend_packets_total ") == 1 &&
		 count_of(text, "# TYPE sekisho_backend_up gauge\n") == 1 &&
		 count_of(text, "# TYPE sekisho_backend_admin_state gauge\n") == 1 &&
		 count_of(text, "# TYPE sekisho_backend_active gauge\n") == 1 &&
		 count_of(text, "# TYPE sekisho_backend_connections_total counter\n") == 1,
		 "each family declared once with its type");
	/* families are contiguous: a sample of a family never follows another's */
	for (p = strstr(text, "sekisho_backend_packets_total{"); p != NULL && *p; ) {
		const char *nl = strchr(p, '\n');

		if (nl == NULL || strncmp(nl + 1, "sekisho_backend_packets_total{", 30) != 0)
			break;
		p = nl + 1;
	}
	bad = count_of(p != NULL ? p : "", "sekisho_backend_packets_total{") != 1;
	SK_CHECK(!bad, "the packets family is contiguous");
	free(text);
	json_decref(doc);

	/* no runtime: no samples at all */
	v.st = NULL;
	doc = sk_api_lb_services_json(&v);
	text = NULL;
	SK_CHECK(sk_rest_metrics_render_lb(doc, &text, &len) == 0 && len == 0,
		 "no runtime: nothing rendered");
	free(text);
	json_decref(doc);
	SK_CHECK(sk_rest_metrics_render_lb(NULL, &text, &len) == -EINVAL, "not an object: -EINVAL");

	/* label values are escaped */
	odd = json_pack("{s:b,s:[{s:s,s:[{s:s,s:{s:i,s:i,s:b,s:s}}]}]}", "runtime", 1, "services",
			"name", "a\"b", "backends", "name", "c\\d\ne", "runtime", "active", 3,
			"conns", 4, "healthy", 1, "admin", "up");
	text = NULL;
	SK_CHECK(sk_rest_metrics_render_lb(odd, &text, &len) == 0 && text != NULL &&
		 has_line(text, "sekisho_backend_active{service=\"a\\\"b\",backend=\"c\\\\d\\ne\"} 3"),
		 "label values escaped");
	free(text);
	json_decref(odd);
}

/* ---- the OpenAPI document and the route table agree ---- */

static void
test_openapi(void)
{
	json_t *doc = json_load_file("docs/openapi.json", 0, NULL);
	const struct sk_api_route *r;
	int n = 0, missing = 0;

	SK_CHECK(doc != NULL, "docs/openapi.json parses");
	for (r = sk_api_routes_services; r->method != NULL; r++) {
		char m[8];
		size_t i;
		const json_t *op;

		for (i = 0; r->method[i] && i < sizeof(m) - 1; i++)
			m[i] = (char)(r->method[i] - 'A' + 'a');
		m[i] = '\0';
		op = json_object_get(json_object_get(json_object_get(doc, "paths"), r->pattern), m);
		n++;
		if (!json_is_object(json_object_get(op, "responses"))) {
			printf("# openapi.json lacks %s %s\n", r->method, r->pattern);
			missing++;
		}
	}
	SK_CHECK(n == 4 && missing == 0, "every services route is in openapi.json (%d)", n);
	SK_CHECK(json_is_object(json_object_get(json_object_get(json_object_get(doc, "components"),
		 "schemas"), "Service")) &&
		 json_is_object(json_object_get(json_object_get(json_object_get(doc, "components"),
		 "schemas"), "BackendChange")), "Service and BackendChange schemas");
	json_decref(doc);
}

/* ---- sekishoctl ---- */

static int
parse(struct sk_ctl_args *a, char *err, size_t errlen, ...)
{
	char *argv[16];
	int argc = 0;
	va_list ap;
	char *s;

	argv[argc++] = (char *)"sekishoctl";
	va_start(ap, errlen);
	while ((s = va_arg(ap, char *)) != NULL && argc < 15)
		argv[argc++] = s;
	va_end(ap);
	argv[argc] = NULL;
	return sk_ctl_args_parse(argc, argv, a, err, errlen);
}

static char *
render(int (*fn)(FILE *, const json_t *), const json_t *doc, int *rc)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	*rc = fn(f, doc);
	fclose(f);
	return buf;
}

/* Output as TAP comments, for whoever reads the log. */
static void
diag(const char *text)
{
	const char *nl;

	for (; text != NULL && *text; text = nl + 1) {
		nl = strchr(text, '\n');
		if (nl == NULL) {
			printf("# %s\n", text);
			return;
		}
		printf("# %.*s\n", (int)(nl - text), text);
	}
}

static void
test_ctl(const struct sk_image_hdr *h, const struct sk_shm_lb_backend *st, size_t n)
{
	struct sk_api_lb_view v = { .img = h, .generation = 42, .st = st, .n_st = n };
	struct sk_ctl_args a;
	char err[256], path[256], *out, *body_text;
	json_t *doc, *body, *one;
	int rc;

	SK_CHECK(parse(&a, err, sizeof(err), "services", NULL) == 0 && a.cmd == SK_CTL_CMD_SERVICES &&
		 a.n_pos == 0, "ctl: services");
	SK_CHECK(parse(&a, err, sizeof(err), "services", "web", "--json", NULL) == 0 &&
		 a.n_pos == 1 && a.json, "ctl: services web --json");
	SK_CHECK(parse(&a, err, sizeof(err), "services", "web", "web1", NULL) == SK_CTL_EXIT_USAGE,
		 "ctl: services takes one name: %s", err);
	SK_CHECK(parse(&a, err, sizeof(err), "backend", "web", "web1", "drain", NULL) == 0 &&
		 a.cmd == SK_CTL_CMD_BACKEND && strcmp(a.lb_action, "drain") == 0,
		 "ctl: backend web web1 drain");
	body = sk_ctl_backend_body(&a);
	body_text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	SK_CHECK(body_text != NULL && strcmp(body_text, "{\"action\":\"drain\"}") == 0,
		 "ctl: drain body %s", body_text ? body_text : "(null)");
	free(body_text);
	json_decref(body);
	SK_CHECK(parse(&a, err, sizeof(err), "backend", "web", "web1", "weight", "0", NULL) == 0 &&
		 a.lb_weight == 0 && strcmp(a.lb_action, "weight") == 0, "ctl: weight 0");
	SK_CHECK(parse(&a, err, sizeof(err), "backend", "web", "web1", "weight", "65535", NULL) == 0 &&
		 a.lb_weight == 65535, "ctl: weight 65535");
	body = sk_ctl_backend_body(&a);
	body_text = json_dumps(body, JSON_COMPACT);
	SK_CHECK(body_text != NULL && strcmp(body_text, "{\"weight\":65535}") == 0,
		 "ctl: weight body %s", body_text ? body_text : "(null)");
	free(body_text);
	json_decref(body);
	SK_CHECK(parse(&a, err, sizeof(err), "backend", "web", "web1", "weight", "65536", NULL) ==
		 SK_CTL_EXIT_USAGE, "ctl: weight 65536 refused: %s", err);
	SK_CHECK(parse(&a, err, sizeof(err), "backend", "web", "web1", "weight", "-1", NULL) ==
		 SK_CTL_EXIT_USAGE, "ctl: weight -1 refused");
	SK_CHECK(parse(&a, err, sizeof(err), "backend", "web", "web1", "weight", NULL) ==
		 SK_CTL_EXIT_USAGE, "ctl: weight without N refused: %s", err);
	SK_CHECK(parse(&a, err, sizeof(err), "backend", "web", "web1", "pause", NULL) ==
		 SK_CTL_EXIT_USAGE && strstr(err, "pause") != NULL, "ctl: unknown action: %s", err);
	SK_CHECK(parse(&a, err, sizeof(err), "backend", "web", "web1", "drain", "now", NULL) ==
		 SK_CTL_EXIT_USAGE, "ctl: drain takes no N");
	SK_CHECK(parse(&a, err, sizeof(err), "backend", "web", NULL) == SK_CTL_EXIT_USAGE,
		 "ctl: backend needs SERVICE BACKEND ACTION");
	SK_CHECK(parse(&a, err, sizeof(err), "backend", "web", "web1", "enable", "--limit", "3", NULL) ==
		 SK_CTL_EXIT_USAGE, "ctl: backend takes no --limit");

	SK_CHECK(sk_ctl_services_path(path, sizeof(path), "web", "web-1.a_b") == 0 &&
		 strcmp(path, "/services/web/backends/web-1.a_b") == 0, "ctl: path %s", path);
	SK_CHECK(sk_ctl_services_path(path, sizeof(path), "a b/c", NULL) == 0 &&
		 strcmp(path, "/services/a%20b%2Fc") == 0, "ctl: path encoded %s", path);
	SK_CHECK(sk_ctl_services_path(path, sizeof(path), "..", "x") == 0 &&
		 strcmp(path, "/services/%2E%2E/backends/x") == 0, "ctl: dot segment encoded %s", path);
	SK_CHECK(sk_ctl_services_path(path, 12, "web", "web1") == -ENAMETOOLONG, "ctl: path too long");

	doc = sk_api_lb_services_json(&v);
	out = render(sk_ctl_view_services, doc, &rc);
	SK_CHECK(rc == 0 && out != NULL && strstr(out, "SERVICE") != NULL &&
		 strstr(out, "203.0.113.80") != NULL && strstr(out, "2001:db8:ff::80") != NULL &&
		 strstr(out, "1/3") != NULL && strstr(out, "1/2") != NULL,
		 "ctl: services table (serving 1/3 and 1/2)");
	SK_CHECK(out != NULL && strstr(out, "web3") != NULL && strstr(out, "10.10.0.13") != NULL &&
		 strstr(out, "drain") != NULL && strstr(out, "disabled") != NULL &&
		 strstr(out, "ADMIN") != NULL && strstr(out, "HEALTH") != NULL,
		 "ctl: backends table with admin and health");
	diag(out);
	free(out);
	one = json_deep_copy(json_array_get(json_object_get(doc, "services"), 0));
	out = render(sk_ctl_view_service, one, &rc);
	SK_CHECK(rc == 0 && out != NULL && strstr(out, "maglev") != NULL &&
		 strstr(out, "web2") != NULL && strstr(out, "web6") == NULL,
		 "ctl: one service with its backends only");
	diag(out);
	free(out);
	json_decref(one);
	json_decref(doc);

	v.st = NULL;
	v.runtime_error = "the dataplane does not serve load balancer requests";
	doc = sk_api_lb_services_json(&v);
	out = render(sk_ctl_view_services, doc, &rc);
	SK_CHECK(rc == 0 && out != NULL && strstr(out, "-/3") != NULL && strstr(out, "ADMIN") == NULL &&
		 strstr(out, "configured view only: the dataplane does not serve") != NULL,
		 "ctl: without runtime the configured view and why");
	free(out);
	json_decref(doc);

	v.st = st;
	one = sk_api_lb_backend_json(&v, 0, 1);
	json_object_set_new(one, "service", json_string("web"));
	out = render(sk_ctl_view_backend, one, &rc);
	SK_CHECK(rc == 0 && out != NULL &&
		 strcmp(out, "web/web2: admin drain, weight 11, health up, 101 active\n") == 0,
		 "ctl: backend line: %s", out ? out : "(null)");
	free(out);
	json_decref(one);
	out = render(sk_ctl_view_services, NULL, &rc);
	SK_CHECK(rc == SK_CTL_EXIT_API, "ctl: not a services answer: exit 1");
	free(out);
}

int
main(void)
{
	struct sk_shm_lb_backend *st;
	size_t len = 0, n = 0;
	void *img;

	test_parse();
	img = build_image(&len);
	SK_CHECK(img != NULL, "image with services built from %s", FIXTURE);
	if (img == NULL)
		return SK_TEST_DONE();
	st = make_status(img, &n);
	SK_CHECK(n == 5, "five backends (web: 3, web6: 2)");
	test_find(img);
	test_render_config(img);
	test_render_runtime(img, st, n);
	test_health_detail(img, st, n);
	test_handlers(img);
	test_metrics(img, st, n);
	test_openapi();
	test_ctl(img, st, n);
	free(st);
	free(img);
	return SK_TEST_DONE();
}
