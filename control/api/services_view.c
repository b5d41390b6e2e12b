/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * services_view.c - the pure half of the services resources: the JSON of
 * services and backends (configured fields from the image, runtime from an
 * LB_STATUS array, health details as the checker gave them) and the parsing
 * of a backend change.  No dataplane, no HTTP: the unit tests call these
 * with an image and a status array they build.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/services_api.h"
#include "sk_err.h"
#include "sk_image_api.h"

#define WORDS(e, w) #w,
static const char *const state_names[] = { SK_LB_STATE_LIST(WORDS) };
static const char *const sched_names[] = { SK_LB_SCHED_LIST(WORDS) };
static const char *const fwd_names[] = { SK_LB_FWD_LIST(WORDS) };
static const char *const hc_names[] = { SK_LB_HC_LIST(WORDS) };
#undef WORDS

/* The operator's verbs, indexed by enum sk_lb_state. */
static const char *const action_names[SK_LB_BE__MAX] = {
	[SK_LB_BE_UP] = "enable",
	[SK_LB_BE_DRAIN] = "drain",
	[SK_LB_BE_DISABLED] = "disable",
};

#define NAME_OF(tab, i) ((i) < sizeof(tab) / sizeof((tab)[0]) ? (tab)[i] : "?")

const char *
sk_api_lb_state_name(unsigned int s)
{
	return NAME_OF(state_names, s);
}

const char *
sk_api_lb_sched_name(unsigned int s)
{
	return NAME_OF(sched_names, s);
}

const char *
sk_api_lb_fwd_name(unsigned int f)
{
	return NAME_OF(fwd_names, f);
}

const char *
sk_api_lb_hc_name(unsigned int h)
{
	return NAME_OF(hc_names, h);
}

const char *
sk_api_lb_action_name(uint8_t admin)
{
	return admin < SK_LB_BE__MAX ? action_names[admin] : NULL;
}

int
sk_api_lb_change_parse(const json_t *body, struct sk_api_lb_change *c, char *err,
		       size_t errlen)
{
	const char *key;
	json_t *v;

	memset(c, 0, sizeof(*c));
	if (!json_is_object(body))
		return sk_err_set(err, errlen, -EINVAL, "%s",
				  "the body must be a JSON object: {\"action\": \"enable\"|\"drain\"|"
				  "\"disable\"} and/or {\"weight\": 0..65535}");
	json_object_foreach((json_t *)body, key, v) {
		if (strcmp(key, "action") == 0) {
			const char *a = json_string_value(v);
			uint8_t s;

			if (a == NULL)
				return sk_err_set(err, errlen, -EINVAL, "%s",
						  "action: a string: enable, drain or disable");
			for (s = 0; s < SK_LB_BE__MAX; s++)
				if (strcmp(a, action_names[s]) == 0)
					break;
			if (s == SK_LB_BE__MAX)
				return sk_err_set(err, errlen, -EINVAL,
						  "action: enable, drain or disable, not '%s'", a);
			c->has_admin = 1;
			c->admin = s;
		} else if (strcmp(key, "weight") == 0) {
			json_int_t w;

			/* an integer, not 1.5, "3" or true */
			if (!json_is_integer(v))
				return sk_err_set(err, errlen, -EINVAL, "%s",
						  "weight: an integer from 0 to 65535");
			w = json_integer_value(v);
			if (w < 0 || w > UINT16_MAX)
				return sk_err_set(err, errlen, -EINVAL,
						  "weight: 0 to 65535, not %lld", (long long)w);
			c->has_weight = 1;
			c->weight = (uint16_t)w;
		} else {
			return sk_err_set(err, errlen, -EINVAL,
					  "unknown key '%s' (action, weight)", key);
		}
	}
	if (!c->has_admin && !c->has_weight)
		return sk_err_set(err, errlen, -EINVAL, "%s",
				  "nothing to change: give action and/or weight");
	return 0;
}

int
sk_api_lb_find(const struct sk_image_hdr *h, const char *service, const char *backend,
	       uint32_t *si, uint32_t *bi, const char **missing)
{
	const struct sk_img_service *sv;
	const struct sk_img_backend *be;
	uint32_t ns, i;

	*missing = "service";
	if (h == NULL || service == NULL)
		return -ENOENT;
	sv = sk_image_sec(h, SK_SEC_SERVICES, &ns);
	for (i = 0; i < ns; i++)
		if (strncmp(sv[i].name, service, SK_NAME_MAX) == 0)
			break;
	if (i == ns)
		return -ENOENT;
	*si = i;
	if (backend == NULL)
		return 0;
	*missing = "backend";
	be = sk_image_sec(h, SK_SEC_BACKENDS, NULL);
	for (i = 0; i < sv[*si].backend_count; i++)
		if (strncmp(be[sv[*si].backend_first + i].name, backend, SK_NAME_MAX) == 0) {
			*bi = i;
			return 0;
		}
	return -ENOENT;
}

const struct sk_shm_lb_backend *
sk_api_lb_runtime(const struct sk_api_lb_view *v, uint32_t si, uint32_t bi)
{
	const struct sk_img_service *sv;
	uint32_t ns;
	size_t k;

	if (v->st == NULL || v->img == NULL)
		return NULL;
	sv = sk_image_sec(v->img, SK_SEC_SERVICES, &ns);
	if (si >= ns)
		return NULL;
	/* Image order makes this the global backend index; check, then search. */
	k = (size_t)sv[si].backend_first + bi;
	if (k < v->n_st && v->st[k].service == si && v->st[k].backend == bi)
		return &v->st[k];
	for (k = 0; k < v->n_st; k++)
		if (v->st[k].service == si && v->st[k].backend == bi)
			return &v->st[k];
	return NULL;
}

static json_t *
addr_json(uint8_t family, const uint8_t *addr)
{
	char a[INET6_ADDRSTRLEN];

	if (inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, a, sizeof(a)) == NULL)
		return json_string("?");
	return json_string(a);
}

static json_t *
runtime_json(const struct sk_shm_lb_backend *r)
{
	return json_pack("{s:s,s:s,s:b,s:i,s:I,s:I,s:I,s:I,s:I,s:I}",
		"admin", sk_api_lb_state_name(r->admin),
		"health", r->health ? "up" : "down", "healthy", r->health != 0,
		"weight", (int)r->weight,
		"active", (json_int_t)r->active, "conns", (json_int_t)r->conns,
		"pkts_orig", (json_int_t)r->pkts[0], "pkts_reply", (json_int_t)r->pkts[1],
		"bytes_orig", (json_int_t)r->bytes[0], "bytes_reply", (json_int_t)r->bytes[1]);
}

static json_t *
health_detail_json(const struct sk_api_lb_view *v, uint32_t si, uint32_t bi)
{
	const struct sk_img_service *sv = sk_image_sec(v->img, SK_SEC_SERVICES, NULL);
	const struct sk_api_health_detail *d;
	size_t k = (size_t)sv[si].backend_first + bi;
	char msg[sizeof(d->last_error)];

	if (v->hd == NULL || k >= v->n_hd || !v->hd[k].have)
		return NULL;
	d = &v->hd[k];
	snprintf(msg, sizeof(msg), "%.*s", (int)sizeof(msg) - 1, d->last_error);
	return json_pack("{s:o,s:I,s:s}",
		"healthy", d->healthy < 0 ? json_null() : json_boolean(d->healthy),
		"last_check_ms", (json_int_t)d->last_check_ms, "last_error", msg);
}

json_t *
sk_api_lb_backend_json(const struct sk_api_lb_view *v, uint32_t si, uint32_t bi)
{
	const struct sk_img_service *sv = sk_image_sec(v->img, SK_SEC_SERVICES, NULL);
	const struct sk_img_backend *be = sk_image_sec(v->img, SK_SEC_BACKENDS, NULL);
	const struct sk_img_backend *b = &be[sv[si].backend_first + bi];
	const struct sk_shm_lb_backend *r = sk_api_lb_runtime(v, si, bi);
	json_t *o, *hd;

	o = json_pack("{s:s,s:i,s:i,s:o,s:i,s:i,s:s,s:I}",
		"name", b->name, "index", (int)bi, "line", (int)b->line,
		"address", addr_json(b->family, b->addr), "port", (int)b->port,
		"weight", (int)b->weight, "state", sk_api_lb_state_name(b->state),
		"conn_limit", (json_int_t)b->conn_limit);
	if (o == NULL)
		return NULL;
	if (r != NULL)
		json_object_set_new(o, "runtime", runtime_json(r));
	hd = health_detail_json(v, si, bi);
	if (hd != NULL)
		json_object_set_new(o, "health_detail", hd);
	return o;
}

static json_t *
health_json(const struct sk_img_service *s)
{
	json_t *o = json_pack("{s:s,s:i,s:i,s:i,s:I,s:I}",
		"type", sk_api_lb_hc_name(s->hc_type), "port", (int)s->hc_port,
		"rise", (int)s->hc_rise, "fall", (int)s->hc_fall,
		"interval_ms", (json_int_t)s->hc_interval_ms,
		"timeout_ms", (json_int_t)s->hc_timeout_ms);

	if (o != NULL && (s->hc_type == SK_LB_HC_HTTP || s->hc_type == SK_LB_HC_HTTPS)) {
		char path[SK_LB_PATH_MAX];

		snprintf(path, sizeof(path), "%s", s->hc_path);
		json_object_set_new(o, "path", json_string(path));
		json_object_set_new(o, "status", json_integer(s->hc_status));
	}
	return o;
}

/* Sums over the service's backends as they run now. */
static json_t *
totals_json(const struct sk_api_lb_view *v, uint32_t si, uint32_t nb)
{
	uint64_t active = 0, conns = 0, pkts[2] = { 0, 0 }, bytes[2] = { 0, 0 };
	uint32_t by_state[SK_LB_BE__MAX] = { 0 }, healthy = 0, serving = 0, bi;

	for (bi = 0; bi < nb; bi++) {
		const struct sk_shm_lb_backend *r = sk_api_lb_runtime(v, si, bi);

		if (r == NULL)
			continue;
		if (r->admin < SK_LB_BE__MAX)
			by_state[r->admin]++;
		healthy += r->health != 0;
		/* takes new connections: admin up, healthy, weight > 0 */
		serving += r->admin == SK_LB_BE_UP && r->health != 0 && r->weight > 0;
		active += r->active;
		conns += r->conns;
		pkts[0] += r->pkts[0];
		pkts[1] += r->pkts[1];
		bytes[0] += r->bytes[0];
		bytes[1] += r->bytes[1];
	}
	return json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:I,s:I,s:I,s:I,s:I,s:I}",
		"backends", (int)nb, "up", (int)by_state[SK_LB_BE_UP],
		"drain", (int)by_state[SK_LB_BE_DRAIN], "disabled", (int)by_state[SK_LB_BE_DISABLED],
		"healthy", (int)healthy, "serving", (int)serving,
		"active", (json_int_t)active, "conns", (json_int_t)conns,
		"pkts_orig", (json_int_t)pkts[0], "pkts_reply", (json_int_t)pkts[1],
		"bytes_orig", (json_int_t)bytes[0], "bytes_reply", (json_int_t)bytes[1]);
}

static const char *
proto_word(uint8_t p)
{
	return p == 6 ? "tcp" : p == 17 ? "udp" : "?";
}

json_t *
sk_api_lb_service_json(const struct sk_api_lb_view *v, uint32_t si)
{
	const struct sk_img_service *s = &((const struct sk_img_service *)
					   sk_image_sec(v->img, SK_SEC_SERVICES, NULL))[si];
	const struct sk_img_prefix *sn = sk_image_sec(v->img, SK_SEC_SNAT, NULL);
	json_t *o, *snat, *bes;
	char ports[16];
	uint32_t i;

	if (s->port_lo == s->port_hi)
		snprintf(ports, sizeof(ports), "%u", s->port_lo);
	else
		snprintf(ports, sizeof(ports), "%u-%u", s->port_lo, s->port_hi);
	snat = json_array();
	for (i = s->snat_first; snat != NULL && i < s->snat_first + s->snat_count; i++)
		json_array_append_new(snat, addr_json(sn[i].family, sn[i].addr));
	bes = json_array();
	for (i = 0; bes != NULL && i < s->backend_count; i++)
		json_array_append_new(bes, sk_api_lb_backend_json(v, si, i));
	o = json_pack("{s:s,s:i,s:i,s:i,s:o,s:s,s:s,s:i,s:i,s:s,s:s,s:o*,s:I,s:I,s:o*,s:o*}",
		"name", s->name, "id", (int)s->id, "line", (int)s->line,
		"family", (int)s->family, "vip", addr_json(s->family, s->vip),
		"proto", proto_word(s->proto), "port", ports,
		"port_lo", (int)s->port_lo, "port_hi", (int)s->port_hi,
		"scheduler", sk_api_lb_sched_name(s->sched), "forward", sk_api_lb_fwd_name(s->fwd),
		"snat", snat, "persist_s", (json_int_t)s->persist_s,
		"conn_limit", (json_int_t)s->conn_limit, "health", health_json(s),
		"backends", bes);
	if (o == NULL)
		return NULL;
	if (s->sched == SK_LB_SCHED_MAGLEV)
		json_object_set_new(o, "maglev_size", json_integer(s->maglev_size));
	if (v->st != NULL)
		json_object_set_new(o, "totals", totals_json(v, si, s->backend_count));
	return o;
}

json_t *
sk_api_lb_services_json(const struct sk_api_lb_view *v)
{
	json_t *doc, *arr = json_array();
	uint32_t ns = 0, i;

	if (arr == NULL)
		return NULL;
	if (v->img != NULL)
		(void)sk_image_sec(v->img, SK_SEC_SERVICES, &ns);
	for (i = 0; i < ns; i++) {
		json_t *s = sk_api_lb_service_json(v, i);

		if (s == NULL || json_array_append_new(arr, s) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	doc = json_pack("{s:I,s:b,s:o}", "generation", (json_int_t)v->generation,
			"runtime", v->st != NULL, "services", arr);
	if (doc != NULL && v->st == NULL && v->runtime_error != NULL)
		json_object_set_new(doc, "runtime_error", json_string(v->runtime_error));
	return doc;
}
