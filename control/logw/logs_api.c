/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * logs_api.c - GET /api/v1/logs?since=SEQ&limit=N: the last log lines the
 * writer holds in memory, with its counters.  HTTP-free (see api.h); the
 * logic lives in logw and is tested there.
 */
#include "api/api.h"
#include "cp.h"
#include "logw.h"

static const char *
query(const struct sk_api_req *req, const char *key)
{
	return req->query != NULL ? req->query(req, key) : NULL;
}

static void
logs_get(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	struct sk_logw_query q;
	char err[128];
	json_t *doc;

	if (sk_logw_query_parse(query(req, "since"), query(req, "limit"), &q, err,
				sizeof(err)) < 0) {
		sk_api_error(resp, 400, "bad_request", NULL, "%s", err);
		return;
	}
	if (cp->logw == NULL) {
		sk_api_error(resp, 500, "internal", NULL, "the log writer is not running");
		return;
	}
	pthread_mutex_lock(&cp->log_lock);
	doc = sk_logw_query(cp->logw, &q);
	pthread_mutex_unlock(&cp->log_lock);
	if (doc == NULL) {
		sk_api_error(resp, 500, "internal", NULL, "out of memory");
		return;
	}
	sk_api_ok(resp, doc);
}

const struct sk_api_route sk_api_routes_logs[] = {
	{ "GET", "/api/v1/logs", logs_get,
	  "last log lines held in memory (?since=SEQ&limit=1..1000) and the writer's counters" },
	{ NULL, NULL, NULL, NULL },
};
