/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rest.h - the HTTPS side of the REST API: a libmicrohttpd server bound to
 * the `management` listen address, TLS only, clients outside the admin
 * networks closed at accept, before the TLS handshake, bearer tokens checked
 * against SHA-256 hashes (401), bodies accumulated up to a limit (413),
 * JSON bodies parsed (400 with line/column), requests routed over the
 * route tables of api/api.h with {x} path parameters (404/405).  Every
 * error uses the api.h JSON shape.  GET /api/v1/openapi.json is built in.
 *
 * Threading: libmicrohttpd runs one internal polling thread and every
 * handler runs on it, one request at a time (cp.h relies on this).  The
 * callbacks in struct sk_rest_conf run on that thread too.
 * sk_rest_set_access() may be called from any thread, including from a
 * handler (a commit that changes tokens or admin networks).
 */
#ifndef SK_REST_H
#define SK_REST_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "api/api.h"

struct sk_cp;
struct sk_cfg_mgmt;
struct sk_rest;
struct sk_ha_status;

#define SK_REST_BODY_MAX (16u << 20) /* request bodies beyond this get 413 */

/* One finished request, for the access log. */
struct sk_rest_access {
	const char *peer;       /* client address */
	const char *principal;  /* token name, "-" when not authenticated */
	const char *method;
	const char *path;       /* without the query string */
	int status;             /* 0: the client went away before a response */
	uint64_t bytes;         /* response body bytes */
	uint64_t usec;          /* first byte of the request to response done */
};

/* line: the same, formatted as one log line (no newline). */
typedef void (*sk_rest_access_fn)(void *ctx, const struct sk_rest_access *a, const char *line);
/* Server-side problems (TLS handshakes, sockets), one message per call. */
typedef void (*sk_rest_error_fn)(void *ctx, const char *msg);

struct sk_rest_conf {
	const struct sk_cfg_mgmt *mgmt;  /* copied; a listen_port of 0 binds an ephemeral port */
	const char *unit;                /* CN of a generated certificate; NULL: host name */
	/* NULL-terminated list of route tables, each ending with {NULL}; the
	 * daemon passes sk_api_routes_status/config/verify/logs and
	 * sk_rest_routes_metrics.  Earlier tables win on equal matches. */
	const struct sk_api_route *const *tables;
	struct sk_cp *cp;                /* handed to every handler */
	sk_rest_access_fn access_log;    /* may be NULL */
	sk_rest_error_fn error_log;      /* may be NULL: stderr */
	void *log_ctx;
	size_t body_max;                 /* 0: SK_REST_BODY_MAX */
};

/*
 * Load or generate the TLS material, bind and start serving.  0, or
 * -ENOKEY (no tokens configured: the API stays off), -EADDRINUSE,
 * -EACCES, -EINVAL, -EIO, -ENOMEM; err says what in words.
 */
int sk_rest_create(const struct sk_rest_conf *conf, struct sk_rest **out, char *err,
		   size_t errlen) __attribute__((warn_unused_result));
/* Stop serving (waits for the request in progress) and free.  NULL is a no-op. */
void sk_rest_free(struct sk_rest *r);
/* The port actually bound (the configured one, or the ephemeral one). */
uint16_t sk_rest_port(const struct sk_rest *r);
/* Replace tokens and admin networks (the live part of `management`).
 * -ENOKEY if mgmt has no tokens (the old ones stay). */
int sk_rest_set_access(struct sk_rest *r, const struct sk_cfg_mgmt *mgmt);
/* Connections closed at accept because the peer is outside the admin networks. */
uint64_t sk_rest_refused_peers(const struct sk_rest *r);

/*
 * TLS material for a server: the configured tls.cert/tls.key, or else the
 * self-signed pair in <state_dir>/tls/{cert,key}.pem, generated on first
 * use (EC P-256, CN = unit, SAN = the listen address and unit, 10 years;
 * key mode 0600, both written atomically) and reused afterwards.
 * *cert and *key are malloc'd PEM text.  0 or -errno, err filled.
 */
int sk_rest_tls_material(const struct sk_cfg_mgmt *m, const char *unit, char **cert,
			 char **key, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Prometheus text exposition (format 0.0.4) of a counters document in the
 * dataplane's stats-file shape (docs/dataplane.md): forwarded, consumed,
 * frag_*, drops{reason}, local{kind}, ports{iface:{...}}, rules{name:{...}},
 * conns{...}.  Keys it does not know are skipped.  *text is malloc'd and
 * NUL-terminated.  0, -EINVAL (not an object) or -ENOMEM.
 */
int sk_rest_metrics_render(const json_t *counters, char **text, size_t *len)
	__attribute__((warn_unused_result));
/*
 * The load balancer's backends (rest_metrics_lb.c) from a GET
 * /api/v1/services document: sekisho_backend_{active,connections_total,
 * packets_total{direction},bytes_total{direction},weight,up,admin_state{state}}
 * labelled {service, backend}.  Empty text when the document has no
 * runtime.  Same returns as sk_rest_metrics_render.
 */
int sk_rest_metrics_render_lb(const json_t *services, char **text, size_t *len)
	__attribute__((warn_unused_result));
/*
 * The HA pair (rest_metrics_ha.c) from a status snapshot (control/ha/ha.h):
 * sekisho_ha_state{unit,state} (1 for the role in force, 0 for the
 * others), sekisho_ha_term, sekisho_ha_transitions_total, sekisho_ha_ready,
 * sekisho_ha_peer_alive, sekisho_ha_path_up{path},
 * sekisho_ha_heartbeats_{sent,received,missed}_total{path},
 * sekisho_ha_link_errors_total{kind}, sekisho_ha_config_sync_lag_ms,
 * sekisho_ha_config_sync_{pushed,applied,failed}_total and, once the peer
 * greeted, sekisho_ha_peer_generation.  Empty text when st->enabled is 0.
 * Same returns as sk_rest_metrics_render (-EINVAL: st NULL).
 */
int sk_rest_metrics_render_ha(const struct sk_ha_status *st, char **text, size_t *len)
	__attribute__((warn_unused_result));
#define SK_REST_METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* GET /metrics (rest_metrics_api.c: reads counters through the dataplane link). */
extern const struct sk_api_route sk_rest_routes_metrics[];

/* docs/openapi.json, embedded at build time. */
extern const char sk_rest_openapi_json[];
extern const size_t sk_rest_openapi_json_len;

#endif /* SK_REST_H */
