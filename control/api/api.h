/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * api.h - the REST API's resource handlers, independent of HTTP.
 *
 * control/rest/ owns HTTP (libmicrohttpd, TLS, bearer tokens, admin
 * networks) and turns each request into a struct sk_api_req; it finds the
 * handler in the route tables below, calls it on the daemon's thread, and
 * sends the struct sk_api_resp back.  Handlers never touch sockets.
 * Errors are JSON {"code": "...", "message": "...", "details": {...}} built
 * with sk_api_error(); the status codes are the contract:
 *   400 bad_request (bad JSON, bad parameter)   401 unauthorized (no/bad token)
 *   403 forbidden (source not in admin networks) 404 not_found
 *   409 stale_generation (commit names a generation that is not current)
 *   409 standby (commit, rollback or import on a standby without force)
 *   409 not_pending (POST /config/confirm with nothing awaiting confirmation)
 *   422 invalid_config (details.errors = [{file, line, message}])
 *   503 dataplane_unavailable (not attached)    500 internal
 *
 * Resources (all under /api/v1 except /metrics):
 *   GET    /status                          unit, dataplane, generation, uptime
 *   GET    /config                          running config text + generation
 *   POST   /config/validate                 body: config text -> errors/summary
 *   POST   /config/commit                   {"text", "replaces"[, "confirm_within"]} -> generation, build_ms
 *   GET    /config/confirm                  the commit awaiting confirmation (store_confirm.h)
 *   POST   /config/confirm                  keep it (else rolled back at its deadline)
 *   POST   /config/diff                     {"text"} or {"from","to"} -> unified diff
 *   POST   /config/rollback                 {"generation", "replaces"}
 *   GET    /config/archives                 list
 *   GET    /config/archives/{gen}           one archive (text, checksum, time)
 *   GET    /config/archives/{gen}/export    bundle (application/octet-stream)
 *   POST   /config/archives/import          bundle -> archived (+ commit if ?commit=1)
 *   GET    /zones                           zones and interfaces
 *   GET    /rules                           rules with counters
 *   GET    /connections                     ?src=&dst=&proto=&port=&limit=
 *   GET    /connections/count
 *   DELETE /connections                     same filter, kills; -> {"killed": n}
 *   GET    /counters                        forwarded, consumed, drops, ports, local
 *   GET    /logs                            ?since=SEQ&limit=
 *   GET    /top                             ?n= top sources by denied packets, new conns (top_api.h)
 *   POST   /trace                           packet -> decision
 *   GET    /lint                            findings
 *   GET    /exposure                        what each zone can reach
 *   GET    /ha                              the HA pair ({"enabled": false} standalone)
 *   POST   /ha/standby                      maintenance: hand over to the peer (ha_api.h)
 *   POST   /ha/release                      end maintenance
 *   GET    /openapi.json                    the OpenAPI document (docs/openapi.json)
 *   GET    /metrics                         Prometheus text exposition
 */
#ifndef SK_API_H
#define SK_API_H

#include <stddef.h>
#include <jansson.h>

struct sk_cp;

#define SK_API_MAX_PARAMS 4

struct sk_api_req {
	const char *method;            /* "GET", "POST", "DELETE", ... */
	const char *path;              /* without the query string */
	const char *params[SK_API_MAX_PARAMS]; /* "{x}" segments of the route, in order */
	unsigned int n_params;
	/* query string lookup: value or NULL */
	const char *(*query)(const struct sk_api_req *req, const char *key);
	void *query_ctx;
	const char *body;              /* raw body (not NUL-terminated), may be NULL */
	size_t body_len;
	json_t *json;                  /* body parsed as JSON when it is JSON, else NULL */
	const char *principal;         /* name of the token that authenticated */
	const char *peer;              /* client address, for logs */
};

struct sk_api_resp {
	int status;                    /* HTTP status */
	json_t *json;                  /* response document (owned: REST frees it) */
	void *blob;                    /* or a raw body (malloc'd, owned) ... */
	size_t blob_len;
	const char *content_type;      /* ... with this type */
};

typedef void (*sk_api_handler)(struct sk_cp *cp, const struct sk_api_req *req,
			       struct sk_api_resp *resp);

struct sk_api_route {
	const char *method;
	const char *pattern;           /* "/api/v1/config/archives/{gen}" */
	sk_api_handler fn;
	const char *summary;           /* one line, reused by the OpenAPI document */
	unsigned int flags;            /* SK_API_F_* (0: the default, under cp->dp_lock) */
};

/*
 * The handler runs without cp->dp_lock: it reads only what a commit cannot
 * pull from under it (immutable cp fields, cp->generation atomically, the HA
 * module's status under its own lock) and talks to the dataplane only
 * through the dplink requests, which serialise their own mailbox exchanges
 * (dplink.h).  So a status or counters read is answered while a commit, an
 * HA config sync apply or a slow request holds dp_lock.  Every handler that
 * reads or changes the running config (cp->running*, the store, REST access
 * lists) leaves it clear.
 */
#define SK_API_F_NO_DP_LOCK 0x1u

/* Fill resp with a JSON error {code, message, details}; details may be NULL
 * (it is stolen).  Returns resp->status. */
int sk_api_error(struct sk_api_resp *resp, int status, const char *code, json_t *details,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* resp = 200 + doc (stolen). */
void sk_api_ok(struct sk_api_resp *resp, json_t *doc);

/* Route tables, each terminated by {NULL}; the REST server serves them all. */
extern const struct sk_api_route sk_api_routes_status[];   /* status, zones, rules, counters, connections */
extern const struct sk_api_route sk_api_routes_config[];   /* config, archives */
extern const struct sk_api_route sk_api_routes_verify[];   /* trace, lint, exposure */
extern const struct sk_api_route sk_api_routes_logs[];     /* logs */

#endif /* SK_API_H */
