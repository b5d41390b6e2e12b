/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ha_api.c - the HA pair's operator surfaces without a pair: GET
 * /api/v1/ha's document and /status's summary from a struct sk_ha_status
 * filled here (every field, the "never" and "not known yet" cases, strings
 * that fill their buffers), the request flags (force, timeout_ms), the HA
 * module's errors as API errors, the handlers on a standalone unit
 * (enabled false, 409 not_ha, the commit gate's 400 on a malformed force
 * inside the real config handlers), the sekisho_ha_* metrics, the OpenAPI
 * document's paths, and sekishoctl's parsing, views and hints.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "api/ha_api.h"
#include "cp.h"
#include "ctl.h"
#include "ctl_http.h"
#include "ctl_view.h"
#include "rest/rest.h"
#include "sk_test.h"

/* ---- a status as a busy pair's active unit would report it ---- */

static void
fill_status(struct sk_ha_status *st)
{
	unsigned int k;

	memset(st, 0, sizeof(*st));
	st->enabled = 1;
	st->unit = 1;
	st->priority = 200;
	st->preempt = 1;
	st->role = SK_HA_ROLE_ACTIVE;
	st->dp_role = SK_HA_ROLE_ACTIVE;
	st->term = 7;
	st->generation = 12;
	st->ready = 1;
	st->peer_known = 1;
	st->peer_alive = 1;
	st->peer_unit = 2;
	st->peer_priority = 100;
	st->peer_role = SK_HA_ROLE_STANDBY;
	st->peer_term = 7;
	st->peer_generation = 11;
	snprintf(st->peer_version, sizeof(st->peer_version), "0.1.0");
	st->path[SK_HA_PATH_LINK] = (struct sk_ha_path_status){ 1, 12, 1000, 990, 3 };
	st->path[SK_HA_PATH_DATA] = (struct sk_ha_path_status){ 0, UINT64_MAX, 1000, 0, 250 };
	for (k = 0; k < SK_HA_LINKERR__MAX; k++)
		st->link_errors[k] = k * 10;
	st->link_connects = 4;
	st->msgs_sent = 5000;
	st->msgs_recv = 4900;
	st->transitions = 3;
	st->last_from = SK_HA_ROLE_STANDBY;
	st->last_to = SK_HA_ROLE_ACTIVE;
	st->last_unix_ms = 1764900000123ull;
	snprintf(st->last_reason, sizeof(st->last_reason), "peer dead: both paths silent 200 ms");
	st->sync_pushed = 6;
	st->sync_applied = 1;
	st->sync_failed = 2;
	st->sync_lag_ms = 35;
	st->hook_runs = 2;
	st->hook_last_rc = 0;
	snprintf(st->hook_state, sizeof(st->hook_state), "ok");
	snprintf(st->hook_output, sizeof(st->hook_output), "moved 203.0.113.80\nok\n");
}

static json_int_t
ival(const json_t *doc, const char *a, const char *b, const char *c)
{
	const json_t *v = json_object_get(doc, a);

	if (b != NULL)
		v = json_object_get(v, b);
	if (c != NULL)
		v = json_object_get(v, c);
	return json_is_integer(v) ? json_integer_value(v) : -1;
}

static const char *
sval(const json_t *doc, const char *a, const char *b)
{
	const json_t *v = json_object_get(doc, a);

	if (b != NULL)
		v = json_object_get(v, b);
	return json_is_string(v) ? json_string_value(v) : "";
}

static void
test_words(void)
{
	SK_CHECK(strcmp(sk_api_ha_role_word(SK_HA_ROLE_INIT), "init") == 0 &&
		 strcmp(sk_api_ha_role_word(SK_HA_ROLE_STANDBY), "standby") == 0 &&
		 strcmp(sk_api_ha_role_word(SK_HA_ROLE_ACTIVE), "active") == 0 &&
		 strcmp(sk_api_ha_role_word(SK_HA_ROLE_FORCED_STANDBY), "forced-standby") == 0 &&
		 strcmp(sk_api_ha_role_word(SK_HA_ROLE_FAULT), "fault") == 0,
		 "role words from SK_HA_ROLE_LIST");
	SK_CHECK(strcmp(sk_api_ha_role_word(SK_HA_ROLE__MAX), "unknown") == 0 &&
		 strcmp(sk_api_ha_linkerr_word(SK_HA_LINKERR__MAX), "unknown") == 0,
		 "out of range: unknown");
	SK_CHECK(strcmp(sk_api_ha_linkerr_word(SK_HA_LINKERR_BAD_MAC), "bad_mac") == 0 &&
		 strcmp(sk_api_ha_linkerr_word(SK_HA_LINKERR_IO), "io") == 0 &&
		 strcmp(sk_api_ha_linkerr_word(SK_HA_LINKERR_OVERSIZE), "oversize") == 0,
		 "link error words from SK_HA_LINKERR_LIST");
}

static void
test_json(void)
{
	struct sk_ha_status st;
	json_t *doc, *v;
	unsigned int k;
	int all;

	doc = sk_api_ha_json(NULL);
	SK_CHECK(doc != NULL && json_object_size(doc) == 1 &&
		 json_is_false(json_object_get(doc, "enabled")), "no status: {\"enabled\": false}");
	json_decref(doc);
	memset(&st, 0, sizeof(st));
	st.role = SK_HA_ROLE_ACTIVE;
	doc = sk_api_ha_json(&st);
	SK_CHECK(doc != NULL && json_object_size(doc) == 1 &&
		 json_is_false(json_object_get(doc, "enabled")), "enabled 0: only enabled false");
	json_decref(doc);

	fill_status(&st);
	doc = sk_api_ha_json(&st);
	SK_CHECK(doc != NULL, "a full status renders");
	if (doc == NULL)
		return;
	SK_CHECK(json_is_true(json_object_get(doc, "enabled")) && ival(doc, "unit", NULL, NULL) == 1 &&
		 ival(doc, "priority", NULL, NULL) == 200 &&
		 json_is_true(json_object_get(doc, "preempt")) &&
		 strcmp(sval(doc, "role", NULL), "active") == 0 &&
		 strcmp(sval(doc, "dp_role", NULL), "active") == 0 &&
		 ival(doc, "term", NULL, NULL) == 7 && ival(doc, "generation", NULL, NULL) == 12 &&
		 json_is_true(json_object_get(doc, "ready")) &&
		 json_is_false(json_object_get(doc, "forced")) &&
		 strcmp(sval(doc, "fault", NULL), "") == 0, "this unit's fields");
	SK_CHECK(json_is_true(json_object_get(json_object_get(doc, "peer"), "known")) &&
		 json_is_true(json_object_get(json_object_get(doc, "peer"), "alive")) &&
		 ival(doc, "peer", "unit", NULL) == 2 && ival(doc, "peer", "priority", NULL) == 100 &&
		 strcmp(sval(doc, "peer", "role"), "standby") == 0 &&
		 ival(doc, "peer", "term", NULL) == 7 && ival(doc, "peer", "generation", NULL) == 11 &&
		 strcmp(sval(doc, "peer", "version"), "0.1.0") == 0, "the peer's fields");
	SK_CHECK(json_is_true(json_object_get(json_object_get(json_object_get(doc, "paths"), "link"),
					      "up")) &&
		 ival(doc, "paths", "link", "last_rx_ms_ago") == 12 &&
		 ival(json_object_get(doc, "paths"), "link", "heartbeats", "sent") == 1000 &&
		 ival(json_object_get(doc, "paths"), "link", "heartbeats", "received") == 990 &&
		 ival(json_object_get(doc, "paths"), "link", "heartbeats", "missed") == 3,
		 "path link: up, 12 ms ago, 1000/990/3");
	v = json_object_get(json_object_get(json_object_get(doc, "paths"), "data"), "last_rx_ms_ago");
	SK_CHECK(json_is_null(v) &&
		 json_is_false(json_object_get(json_object_get(json_object_get(doc, "paths"), "data"),
					       "up")) &&
		 ival(json_object_get(doc, "paths"), "data", "heartbeats", "missed") == 250,
		 "path data: never heard is null, not UINT64_MAX");
	all = json_object_size(json_object_get(json_object_get(doc, "link"), "errors")) ==
	      SK_HA_LINKERR__MAX;
	for (k = 0; k < SK_HA_LINKERR__MAX; k++)
		all &= ival(json_object_get(doc, "link"), "errors", sk_api_ha_linkerr_word(k), NULL) ==
		       (json_int_t)k * 10;
	SK_CHECK(all && ival(doc, "link", "connects", NULL) == 4 &&
		 ival(doc, "link", "messages_sent", NULL) == 5000 &&
		 ival(doc, "link", "messages_received", NULL) == 4900,
		 "link: every error kind by its word, connects, messages");
	SK_CHECK(ival(doc, "transitions", "count", NULL) == 3 &&
		 strcmp(sval(json_object_get(doc, "transitions"), "last", "from"), "standby") == 0 &&
		 strcmp(sval(json_object_get(doc, "transitions"), "last", "to"), "active") == 0 &&
		 strcmp(sval(json_object_get(doc, "transitions"), "last", "reason"),
			"peer dead: both paths silent 200 ms") == 0 &&
		 ival(json_object_get(doc, "transitions"), "last", "time_ms", NULL) ==
		 1764900000123ll, "the last transition: from, to, reason, time");
	SK_CHECK(ival(doc, "config_sync", "pushed", NULL) == 6 &&
		 ival(doc, "config_sync", "applied", NULL) == 1 &&
		 ival(doc, "config_sync", "failed", NULL) == 2 &&
		 ival(doc, "config_sync", "lag_ms", NULL) == 35, "config sync counts and lag");
	SK_CHECK(strcmp(sval(doc, "hook", "state"), "ok") == 0 && ival(doc, "hook", "runs", NULL) == 2 &&
		 ival(doc, "hook", "last_rc", NULL) == 0 &&
		 strcmp(sval(doc, "hook", "output"), "moved 203.0.113.80\nok\n") == 0, "the hook");
	json_decref(doc);

	/* A peer never heard from, no transition yet, a hook that never ran
	 * (-2), a fault, and strings filling their buffers without a NUL. */
	st.peer_known = 0;
	st.peer_alive = 0;
	st.transitions = 0;
	st.last_unix_ms = 0;
	st.role = SK_HA_ROLE_FAULT;
	st.hook_last_rc = -2;
	memset(st.peer_version, 'v', sizeof(st.peer_version));
	memset(st.fault, 'f', sizeof(st.fault));
	memset(st.hook_state, 's', sizeof(st.hook_state));
	doc = sk_api_ha_json(&st);
	v = json_object_get(doc, "peer");
	SK_CHECK(doc != NULL && json_is_false(json_object_get(v, "known")) &&
		 json_is_null(json_object_get(v, "unit")) && json_is_null(json_object_get(v, "role")) &&
		 json_is_null(json_object_get(v, "generation")) &&
		 json_is_null(json_object_get(v, "version")),
		 "a peer not known yet: nulls, not zeros");
	SK_CHECK(json_is_null(json_object_get(json_object_get(doc, "transitions"), "last")) &&
		 ival(doc, "transitions", "count", NULL) == 0, "no transition yet: last null");
	SK_CHECK(strlen(sval(doc, "fault", NULL)) == sizeof(st.fault) &&
		 strlen(sval(doc, "hook", "state")) == sizeof(st.hook_state) &&
		 ival(doc, "hook", "last_rc", NULL) == -2 && strcmp(sval(doc, "role", NULL), "fault") == 0,
		 "full buffers are read to their end, no further");
	json_decref(doc);

	fill_status(&st);
	doc = sk_api_ha_summary_json(&st);
	SK_CHECK(doc != NULL && ival(doc, "unit", NULL, NULL) == 1 &&
		 strcmp(sval(doc, "role", NULL), "active") == 0 && ival(doc, "term", NULL, NULL) == 7 &&
		 ival(doc, "generation", NULL, NULL) == 12 &&
		 ival(doc, "peer", "generation", NULL) == 11 &&
		 strcmp(sval(doc, "peer", "role"), "standby") == 0,
		 "/status summary: role, term, both generations");
	json_decref(doc);
	st.peer_known = 0;
	doc = sk_api_ha_summary_json(&st);
	SK_CHECK(doc != NULL && json_is_null(json_object_get(json_object_get(doc, "peer"), "generation")),
		 "/status summary: unknown peer generation is null");
	json_decref(doc);
}

/* ---- requests ---- */

struct q {
	const char *key[2], *val[2];
};

static const char *
query(const struct sk_api_req *req, const char *key)
{
	const struct q *q = req->query_ctx;
	unsigned int i;

	for (i = 0; q != NULL && i < 2; i++)
		if (q->key[i] != NULL && strcmp(q->key[i], key) == 0)
			return q->val[i];
	return NULL;
}

/* A request with an optional JSON body and up to two query pairs. */
static void
mkreq(struct sk_api_req *req, struct q *q, const char *body, const char *k0, const char *v0,
      const char *k1, const char *v1)
{
	memset(req, 0, sizeof(*req));
	memset(q, 0, sizeof(*q));
	q->key[0] = k0;
	q->val[0] = v0;
	q->key[1] = k1;
	q->val[1] = v1;
	req->method = "POST";
	req->path = "/api/v1/x";
	req->query = query;
	req->query_ctx = q;
	req->principal = "test";
	req->peer = "127.0.0.1";
	if (body != NULL) {
		req->body = body;
		req->body_len = strlen(body);
		req->json = json_loads(body, JSON_DECODE_ANY, NULL);
	}
}

/* force flag: 1 or 0, or -1 when refused. */
static int
force_of(const char *body, const char *qv)
{
	struct sk_api_req req;
	struct q q;
	char err[128];
	int f = -7, rc;

	mkreq(&req, &q, body, qv ? "force" : NULL, qv, NULL, NULL);
	rc = sk_api_ha_force_flag(&req, &f, err, sizeof(err));
	json_decref(req.json);
	return rc == 0 ? f : rc == -EINVAL && err[0] != '\0' ? -1 : -9;
}

static long
timeout_of(const char *body, const char *qv)
{
	struct sk_api_req req;
	struct q q;
	char err[128] = "";
	unsigned int t = 0;
	int rc;

	mkreq(&req, &q, body, qv ? "timeout_ms" : NULL, qv, NULL, NULL);
	rc = sk_api_ha_timeout(&req, &t, err, sizeof(err));
	json_decref(req.json);
	return rc == 0 ? (long)t : rc == -EINVAL && err[0] != '\0' ? -1 : -9;
}

static void
test_flags(void)
{
	SK_CHECK(force_of(NULL, NULL) == 0 && force_of("{\"text\": \"x\"}", NULL) == 0,
		 "force: absent is 0");
	SK_CHECK(force_of("{\"force\": true}", NULL) == 1 && force_of("{\"force\": false}", NULL) == 0,
		 "force: body true/false");
	SK_CHECK(force_of(NULL, "1") == 1 && force_of(NULL, "true") == 1 &&
		 force_of(NULL, "TRUE") == 1 && force_of(NULL, "0") == 0 &&
		 force_of(NULL, "false") == 0, "force: query 1/true/0/false");
	SK_CHECK(force_of("{\"force\": \"yes\"}", NULL) == -1 && force_of("{\"force\": 1}", NULL) == -1 &&
		 force_of(NULL, "yes") == -1 && force_of(NULL, "") == -1,
		 "force: anything else is refused with a message");
	SK_CHECK(force_of("{\"force\": false}", "1") == 1 && force_of("{\"force\": true}", "0") == 1,
		 "force: either place saying so is enough");
	SK_CHECK(force_of("[1, 2]", NULL) == 0, "force: a body that is no object says nothing");

	SK_CHECK(timeout_of(NULL, NULL) == SK_API_HA_STANDBY_TIMEOUT_MS, "timeout: default");
	SK_CHECK(timeout_of("{\"timeout_ms\": 1500}", NULL) == 1500 && timeout_of(NULL, "250") == 250,
		 "timeout: body or query");
	SK_CHECK(timeout_of("{\"timeout_ms\": 1500}", "250") == 1500, "timeout: the body wins");
	SK_CHECK(timeout_of(NULL, "20000") == 20000 && timeout_of(NULL, "20001") == -1 &&
		 timeout_of(NULL, "0") == -1 && timeout_of("{\"timeout_ms\": -5}", NULL) == -1,
		 "timeout: 1 to 20000 ms");
	SK_CHECK(timeout_of("{\"timeout_ms\": \"5\"}", NULL) == -1 && timeout_of(NULL, "5s") == -1 &&
		 timeout_of(NULL, "") == -1 && timeout_of(NULL, "99999999999999999999") == -1,
		 "timeout: not a number is refused");
}

static int
err_of(int rc, const char *msg, const char **code, const char **message)
{
	static struct sk_api_resp resp;

	json_decref(resp.json);
	memset(&resp, 0, sizeof(resp));
	sk_api_ha_error(&resp, rc, msg);
	*code = sval(resp.json, "code", NULL);
	*message = sval(resp.json, "message", NULL);
	return resp.status;
}

static void
test_errors(void)
{
	const char *code, *msg;

	SK_CHECK(err_of(-EAGAIN, "peer generation 11, ours 12", &code, &msg) == 409 &&
		 strcmp(code, "not_ready") == 0 && strcmp(msg, "peer generation 11, ours 12") == 0,
		 "-EAGAIN: 409 not_ready with the module's words");
	SK_CHECK(err_of(-ENOTCONN, "", &code, &msg) == 503 && strcmp(code, "no_peer") == 0 &&
		 *msg != '\0', "-ENOTCONN: 503 no_peer (strerror when no words)");
	SK_CHECK(err_of(-ETIMEDOUT, "x", &code, &msg) == 504 && strcmp(code, "timeout") == 0,
		 "-ETIMEDOUT: 504 timeout");
	SK_CHECK(err_of(-EALREADY, "x", &code, &msg) == 409 && strcmp(code, "ha_refused") == 0 &&
		 err_of(-EINVAL, "x", &code, &msg) == 409 && err_of(-EBUSY, "x", &code, &msg) == 409 &&
		 err_of(-EPERM, "x", &code, &msg) == 409, "refusals: 409 ha_refused");
	SK_CHECK(err_of(-ENOMEM, NULL, &code, &msg) == 500 && strcmp(code, "internal") == 0,
		 "anything else: 500 internal");
	err_of(0, NULL, &code, &msg);
}

/* ---- handlers on a standalone unit ---- */

static const struct sk_api_route *
find_route(const struct sk_api_route *table, const char *method, const char *pattern)
{
	const struct sk_api_route *r;

	for (r = table; r->method != NULL; r++)
		if (strcmp(r->method, method) == 0 && strcmp(r->pattern, pattern) == 0)
			return r;
	return NULL;
}

static int
call(const struct sk_api_route *table, struct sk_cp *cp, const char *method,
     const char *pattern, const char *body, const char *qk, const char *qv,
     struct sk_api_resp *resp)
{
	const struct sk_api_route *r = find_route(table, method, pattern);
	struct sk_api_req req;
	struct q q;

	memset(resp, 0, sizeof(*resp));
	if (r == NULL)
		return -1;
	mkreq(&req, &q, body, qk, qv, NULL, NULL);
	req.method = method;
	req.path = pattern;
	r->fn(cp, &req, resp);
	json_decref(req.json);
	return resp->status;
}

static void
test_handlers(void)
{
	struct sk_api_resp resp;
	struct sk_cp cp;
	int rc;

	memset(&cp, 0, sizeof(cp));
	pthread_mutex_init(&cp.log_lock, NULL);
	SK_CHECK(call(sk_api_routes_ha, &cp, "GET", "/api/v1/ha", NULL, NULL, NULL, &resp) == 200 &&
		 json_object_size(resp.json) == 1 && json_is_false(json_object_get(resp.json, "enabled")),
		 "standalone GET /ha: 200 {\"enabled\": false}");
	json_decref(resp.json);
	SK_CHECK(call(sk_api_routes_ha, &cp, "POST", "/api/v1/ha/standby", NULL, NULL, NULL, &resp) ==
		 409 && strcmp(sval(resp.json, "code", NULL), "not_ha") == 0,
		 "standalone POST /ha/standby: 409 not_ha");
	json_decref(resp.json);
	SK_CHECK(call(sk_api_routes_ha, &cp, "POST", "/api/v1/ha/standby", "{\"timeout_ms\": 0}",
		      NULL, NULL, &resp) == 409 && strcmp(sval(resp.json, "code", NULL), "not_ha") == 0,
		 "standalone: not_ha comes before the body's checks");
	json_decref(resp.json);
	SK_CHECK(call(sk_api_routes_ha, &cp, "POST", "/api/v1/ha/release", NULL, NULL, NULL, &resp) ==
		 409 && strcmp(sval(resp.json, "code", NULL), "not_ha") == 0,
		 "standalone POST /ha/release: 409 not_ha");
	json_decref(resp.json);

	/* The gate inside the real config handlers: a malformed force is
	 * refused before anything is committed, on any unit. */
	rc = call(sk_api_routes_config, &cp, "POST", "/api/v1/config/commit",
		  "{\"text\": \"zones = ();\", \"replaces\": 0, \"force\": \"yes\"}", NULL, NULL, &resp);
	SK_CHECK(rc == 400 && strcmp(sval(resp.json, "code", NULL), "bad_request") == 0 &&
		 strstr(sval(resp.json, "message", NULL), "force") != NULL,
		 "commit with force \"yes\": 400 naming force");
	json_decref(resp.json);
	rc = call(sk_api_routes_config, &cp, "POST", "/api/v1/config/rollback",
		  "{\"generation\": 1, \"replaces\": 2}", "force", "maybe", &resp);
	SK_CHECK(rc == 400 && strstr(sval(resp.json, "message", NULL), "force") != NULL,
		 "rollback with ?force=maybe: 400");
	json_decref(resp.json);

	memset(&resp, 0, sizeof(resp));
	SK_CHECK(sk_api_ha_commit_gate(&cp, &(struct sk_api_req){ .query = query }, &resp, &rc) == 0 &&
		 rc == 0 && resp.status == 0, "standalone gate: commits as always, not forced");
	{
		struct sk_api_req req;
		struct q q;
		int forced = 9;

		mkreq(&req, &q, "{\"force\": true}", NULL, NULL, NULL, NULL);
		memset(&resp, 0, sizeof(resp));
		SK_CHECK(sk_api_ha_commit_gate(&cp, &req, &resp, &forced) == 0 && forced == 0 &&
			 resp.status == 0, "standalone gate with force: allowed, not counted as forced");
		json_decref(req.json);
	}
	pthread_mutex_destroy(&cp.log_lock);
}

/* ---- metrics ---- */

static int
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

/* Every line is a comment or "name[{labels}] value"; every family has
 * HELP and TYPE once, before its samples. */
static int
well_formed(const char *text)
{
	char fam[64][64];
	unsigned int nf = 0, i;
	const char *p = text;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[512], name[64];

		if (len >= sizeof(line))
			return 0;
		memcpy(line, p, len);
		line[len] = '\0';
		if (strncmp(line, "# TYPE ", 7) == 0) {
			if (sscanf(line + 7, "%63s", name) != 1 || nf == 64)
				return 0;
			for (i = 0; i < nf; i++)
				if (strcmp(fam[i], name) == 0)
					return 0;
			snprintf(fam[nf++], sizeof(fam[0]), "%s", name);
		} else if (line[0] != '#') {
			unsigned long long v;
			const char *sp = strrchr(line, ' ');
			size_t nlen = strcspn(line, "{ ");

			if (sp == NULL || sscanf(sp + 1, "%llu", &v) != 1 || nlen >= sizeof(name))
				return 0;
			memcpy(name, line, nlen);
			name[nlen] = '\0';
			for (i = 0; i < nf && strcmp(fam[i], name) != 0; i++)
				;
			if (i == nf)
				return 0;
		}
		p += len + (nl != NULL);
	}
	return nf > 0;
}

static void
test_metrics(void)
{
	struct sk_ha_status st;
	char *text = NULL, line[128];
	size_t len = 99;
	unsigned int k;
	int all = 1;

	memset(&st, 0, sizeof(st));
	SK_CHECK(sk_rest_metrics_render_ha(&st, &text, &len) == 0 && text != NULL && len == 0 &&
		 text[0] == '\0', "standalone: no sekisho_ha_* at all");
	free(text);
	SK_CHECK(sk_rest_metrics_render_ha(NULL, &text, &len) == -EINVAL && text == NULL,
		 "no status: -EINVAL");
	fill_status(&st);
	SK_CHECK(sk_rest_metrics_render_ha(&st, &text, &len) == 0 && text != NULL &&
		 strlen(text) == len, "a pair's unit renders");
	if (text == NULL)
		return;
	SK_CHECK(well_formed(text), "exposition format: HELP/TYPE once per family, samples after");
	SK_CHECK(has_line(text, "sekisho_ha_state{unit=\"1\",state=\"active\"} 1") &&
		 has_line(text, "sekisho_ha_state{unit=\"1\",state=\"standby\"} 0") &&
		 has_line(text, "sekisho_ha_state{unit=\"1\",state=\"forced-standby\"} 0") &&
		 has_line(text, "sekisho_ha_state{unit=\"1\",state=\"init\"} 0") &&
		 has_line(text, "sekisho_ha_state{unit=\"1\",state=\"fault\"} 0") &&
		 has_line(text, "# TYPE sekisho_ha_state gauge"),
		 "state: one series per role, 1 for the role in force");
	SK_CHECK(has_line(text, "sekisho_ha_term 7") && has_line(text, "sekisho_ha_transitions_total 3") &&
		 has_line(text, "# TYPE sekisho_ha_transitions_total counter") &&
		 has_line(text, "sekisho_ha_peer_alive 1") && has_line(text, "sekisho_ha_ready 1"),
		 "term, transitions, peer alive, ready");
	SK_CHECK(has_line(text, "sekisho_ha_path_up{path=\"link\"} 1") &&
		 has_line(text, "sekisho_ha_path_up{path=\"data\"} 0") &&
		 has_line(text, "sekisho_ha_heartbeats_sent_total{path=\"link\"} 1000") &&
		 has_line(text, "sekisho_ha_heartbeats_received_total{path=\"link\"} 990") &&
		 has_line(text, "sekisho_ha_heartbeats_received_total{path=\"data\"} 0") &&
		 has_line(text, "sekisho_ha_heartbeats_missed_total{path=\"link\"} 3") &&
		 has_line(text, "sekisho_ha_heartbeats_missed_total{path=\"data\"} 250"),
		 "per path: up, heartbeats sent/received/missed");
	for (k = 0; k < SK_HA_LINKERR__MAX; k++) {
		snprintf(line, sizeof(line), "sekisho_ha_link_errors_total{kind=\"%s\"} %u",
			 sk_api_ha_linkerr_word(k), k * 10);
		all &= has_line(text, line);
	}
	SK_CHECK(all, "link errors: every kind, zeros included");
	SK_CHECK(has_line(text, "sekisho_ha_config_sync_lag_ms 35") &&
		 has_line(text, "sekisho_ha_config_sync_pushed_total 6") &&
		 has_line(text, "sekisho_ha_config_sync_applied_total 1") &&
		 has_line(text, "sekisho_ha_config_sync_failed_total 2") &&
		 has_line(text, "sekisho_ha_peer_generation 11"), "config sync and the peer's generation");
	free(text);
	st.peer_known = 0;
	st.role = SK_HA_ROLE_FORCED_STANDBY;
	SK_CHECK(sk_rest_metrics_render_ha(&st, &text, &len) == 0 && text != NULL &&
		 strstr(text, "sekisho_ha_peer_generation") == NULL &&
		 has_line(text, "sekisho_ha_state{unit=\"1\",state=\"forced-standby\"} 1") &&
		 has_line(text, "sekisho_ha_state{unit=\"1\",state=\"active\"} 0"),
		 "peer not known: no peer generation; forced-standby is 1");
	free(text);
}

/* ---- the OpenAPI document and the routes agree ---- */

static void
test_openapi(void)
{
	json_t *doc = json_load_file("docs/openapi.json", 0, NULL);
	const json_t *paths = json_object_get(doc, "paths"), *op;
	const struct sk_api_route *r;
	int n = 0, missing = 0;

	SK_CHECK(doc != NULL, "docs/openapi.json parses");
	for (r = sk_api_routes_ha; r->method != NULL; r++) {
		char m[8];
		size_t i;

		for (i = 0; r->method[i] && i < sizeof(m) - 1; i++)
			m[i] = (char)(r->method[i] - 'A' + 'a');
		m[i] = '\0';
		op = json_object_get(json_object_get(paths, r->pattern), m);
		n++;
		if (!json_is_object(json_object_get(op, "responses"))) {
			printf("# openapi.json lacks %s %s\n", r->method, r->pattern);
			missing++;
		}
	}
	SK_CHECK(n == 3 && missing == 0, "every HA route is in openapi.json (%d)", n);
	op = json_object_get(json_object_get(paths, "/api/v1/ha/standby"), "post");
	SK_CHECK(json_is_object(json_object_get(json_object_get(op, "responses"), "409")) &&
		 json_is_object(json_object_get(json_object_get(op, "responses"), "503")),
		 "standby documents 409 (not_ready, not_ha) and 503 (no_peer)");
	op = json_object_get(json_object_get(paths, "/api/v1/config/commit"), "post");
	SK_CHECK(json_is_object(json_object_get(json_object_get(op, "responses"), "409")) &&
		 json_is_object(json_object_get(json_object_get(json_object_get(
			json_object_get(doc, "components"), "schemas"), "CommitRequest"),
			"properties")) &&
		 json_is_object(json_object_get(json_object_get(json_object_get(json_object_get(
			json_object_get(doc, "components"), "schemas"), "CommitRequest"),
			"properties"), "force")), "CommitRequest has force");
	SK_CHECK(json_is_object(json_object_get(json_object_get(json_object_get(doc, "components"),
		 "schemas"), "HaStatus")), "HaStatus schema");
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
render_ha(const json_t *doc, int *rc)
{
	char *s = NULL;
	size_t len;
	FILE *fp = open_memstream(&s, &len);

	*rc = sk_ctl_view_ha(fp, doc, 1764900000 + 192);
	fclose(fp);
	return s;
}

static void
test_ctl(void)
{
	struct sk_ctl_args a;
	struct sk_ha_status st;
	char err[256], *out, *s;
	json_t *doc;
	size_t len;
	FILE *fp;
	int rc;

	SK_CHECK(parse(&a, err, sizeof(err), "ha", NULL) == 0 && a.cmd == SK_CTL_CMD_HA,
		 "ctl: ha");
	SK_CHECK(parse(&a, err, sizeof(err), "ha", "standby", NULL) == 0 &&
		 a.cmd == SK_CTL_CMD_HA_STANDBY, "ctl: ha standby");
	SK_CHECK(parse(&a, err, sizeof(err), "--json", "ha", "release", NULL) == 0 &&
		 a.cmd == SK_CTL_CMD_HA_RELEASE && a.json, "ctl: --json ha release");
	SK_CHECK(parse(&a, err, sizeof(err), "ha", "stanby", NULL) == SK_CTL_EXIT_USAGE &&
		 strstr(err, "stanby") != NULL, "ctl: ha stanby: usage error naming it (%s)", err);
	SK_CHECK(parse(&a, err, sizeof(err), "ha", "standby", "--force", NULL) == SK_CTL_EXIT_USAGE,
		 "ctl: ha standby --force: does not apply");
	SK_CHECK(parse(&a, err, sizeof(err), "config", "commit", "new.conf", "--force", NULL) == 0 &&
		 a.force == 1 && a.cmd == SK_CTL_CMD_CONFIG_COMMIT, "ctl: config commit --force");
	SK_CHECK(parse(&a, err, sizeof(err), "config", "commit", "new.conf", NULL) == 0 && a.force == 0,
		 "ctl: config commit: no force by default");
	SK_CHECK(parse(&a, err, sizeof(err), "config", "rollback", "5", "--force", NULL) == 0 &&
		 a.force == 1, "ctl: config rollback --force");
	SK_CHECK(parse(&a, err, sizeof(err), "archive", "import", "b.skb", "--force", NULL) ==
		 SK_CTL_EXIT_USAGE && strstr(err, "--commit") != NULL,
		 "ctl: archive import --force without --commit: usage error");
	SK_CHECK(parse(&a, err, sizeof(err), "archive", "import", "b.skb", "--commit", "--force",
		       NULL) == 0 && a.force && a.commit, "ctl: archive import --commit --force");
	SK_CHECK(parse(&a, err, sizeof(err), "status", "--force", NULL) == SK_CTL_EXIT_USAGE,
		 "ctl: status --force: does not apply");

	/* Views from documents the API code builds. */
	doc = sk_api_ha_json(NULL);
	out = render_ha(doc, &rc);
	SK_CHECK(rc == 0 && out != NULL && strstr(out, "standalone") != NULL &&
		 strchr(out, '\n') == out + strlen(out) - 1, "ctl: standalone: one line");
	free(out);
	json_decref(doc);
	fill_status(&st);
	doc = sk_api_ha_json(&st);
	out = render_ha(doc, &rc);
	for (s = out; s != NULL && *s != '\0'; s = strchr(s, '\n') + 1) /* the view, as TAP comments */
		printf("# %.*s\n", (int)strcspn(s, "\n"), s);
	SK_CHECK(rc == 0 && out != NULL && strstr(out, "state:            active, term 7\n") == out,
		 "ctl: state first, aligned with the longest key");
	SK_CHECK(out != NULL && strstr(out, "peer:             unit 2, standby, alive, term 7, "
					 "priority 100, version 0.1.0\n") != NULL,
		 "ctl: the peer's line");
	SK_CHECK(out != NULL && strstr(out, "generation:       12 here, 11 on the peer (differ)\n"),
		 "ctl: both generations");
	SK_CHECK(out != NULL && strstr(out, "last transition:  standby -> active at ") != NULL &&
		 strstr(out, "(3m12s ago): peer dead: both paths silent 200 ms\n") != NULL,
		 "ctl: last transition with its time, age and reason");
	SK_CHECK(out != NULL && strstr(out, "link errors:      replay 10, malformed 20") != NULL &&
		 strstr(out, "bad_mac 0") == NULL, "ctl: link errors: the non-zero kinds");
	SK_CHECK(out != NULL && strstr(out, "PATH  UP   LAST HEARD") != NULL &&
		 strstr(out, "link  yes   12 ms ago") != NULL &&
		 strstr(out, "data  no        never") != NULL, "ctl: both paths in a table");
	SK_CHECK(out != NULL && strstr(out, "hook output:      moved 203.0.113.80 ok \n") != NULL,
		 "ctl: the hook's output on one line");
	free(out);
	json_decref(doc);
	st.peer_known = 0;
	st.peer_alive = 0;
	st.forced = 1;
	st.role = SK_HA_ROLE_FORCED_STANDBY;
	st.dp_role = SK_HA_ROLE_ACTIVE;
	st.transitions = 0;
	doc = sk_api_ha_json(&st);
	out = render_ha(doc, &rc);
	SK_CHECK(rc == 0 && out != NULL &&
		 strstr(out, "state:            forced-standby, term 7 (dataplane still active)\n") &&
		 strstr(out, "peer:             never heard from\n") &&
		 strstr(out, "generation:       12 here, peer's not known\n") &&
		 strstr(out, "maintenance:      yes") && strstr(out, "last transition:  none yet\n"),
		 "ctl: forced standby, dataplane behind, peer unknown, no transition");
	free(out);
	fp = open_memstream(&out, &len);
	rc = sk_ctl_view_ha_action(fp, doc, "standby");
	fclose(fp);
	SK_CHECK(rc == 0 && out != NULL && strcmp(out, "standby: unit 1 is forced-standby (term 7)\n") == 0,
		 "ctl: standby's line: %s", out ? out : "(null)");
	free(out);
	json_decref(doc);
	doc = json_pack("{s:s}", "role", "active");
	out = render_ha(doc, &rc);
	SK_CHECK(rc == SK_CTL_EXIT_API, "ctl: an answer without enabled: exit 1");
	free(out);
	json_decref(doc);

	/* Hints by code: the standby refusal says what to do. */
	doc = json_pack("{s:s, s:s, s:{}}", "code", "standby", "message", "this unit is standby",
			"details");
	fp = open_memstream(&out, &len);
	sk_ctl_print_api_error(fp, 409, doc, NULL, 0, NULL);
	fclose(fp);
	SK_CHECK(out != NULL && strstr(out, "sekishoctl: HTTP 409 standby: this unit is standby\n") == out &&
		 strstr(out, "--force") != NULL && strstr(out, "another commit") == NULL,
		 "ctl: 409 standby: hint --force, not the stale one");
	free(out);
	json_decref(doc);
	doc = json_pack("{s:s, s:s}", "code", "no_peer", "message", "no live peer");
	fp = open_memstream(&out, &len);
	sk_ctl_print_api_error(fp, 503, doc, NULL, 0, NULL);
	fclose(fp);
	SK_CHECK(out != NULL && strstr(out, "dataplane") == NULL && strstr(out, "sekishoctl ha") != NULL,
		 "ctl: 503 no_peer: not the dataplane hint");
	free(out);
	json_decref(doc);
}

int
main(void)
{
	test_words();
	test_json();
	test_flags();
	test_errors();
	test_handlers();
	test_metrics();
	test_openapi();
	test_ctl();
	return SK_TEST_DONE();
}
