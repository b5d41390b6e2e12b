/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rest_priv.h - internals of control/rest shared by its files: route
 * matching and the access checks (admin networks, bearer tokens).
 */
#ifndef SK_REST_PRIV_H
#define SK_REST_PRIV_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "cfg.h"
#include "rest.h"

/* ---- routing (rest_route.c) ---- */

#define SK_REST_PATH_MAX 1024

struct sk_rest_match {
	const struct sk_api_route *route;
	const char *params[SK_API_MAX_PARAMS];   /* point into buf */
	unsigned int n_params;
	char allow[64];                          /* methods of the path, for 405 */
	char buf[SK_REST_PATH_MAX];
};

/*
 * Find the route for method + path over the tables (NULL-terminated list).
 * A literal segment beats a {x} segment.  0 (m->route set), -ENOENT (no
 * pattern matches the path: 404), -EPERM (the path exists with other
 * methods, listed in m->allow: 405), -ENAMETOOLONG.
 */
int sk_rest_route_find(const struct sk_api_route *const *tables, const char *method,
		       const char *path, struct sk_rest_match *m);

/* ---- access checks (rest_auth.c) ---- */

struct sk_rest_access_list {
	pthread_mutex_t lock;
	uint32_t n_nets, n_tokens;
	struct sk_cfg_mgmt_net nets[SK_CFG_MGMT_MAX_NETS];
	struct sk_cfg_mgmt_token tokens[SK_CFG_MGMT_MAX_TOKENS];
};

/* Copy the live part of mgmt; -ENOKEY when it has no tokens. */
int sk_rest_access_set(struct sk_rest_access_list *al, const struct sk_cfg_mgmt *mgmt);
/* Is the client address inside an admin network?  IPv4-mapped IPv6
 * addresses are checked as IPv4.  Fills peer with the address as text. */
int sk_rest_access_peer_ok(struct sk_rest_access_list *al, const struct sockaddr *sa,
			   char *peer, size_t peerlen);
/*
 * Check an Authorization header value.  0 and the token's name copied to
 * principal; -ENOENT (no or malformed header), -EACCES (unknown token).
 * Every configured hash is compared (CRYPTO_memcmp) so the time taken does
 * not say which one was close.
 */
int sk_rest_access_token(struct sk_rest_access_list *al, const char *authorization,
			 char *principal, size_t plen);

/* ---- Prometheus text (rest_metrics.c), shared with rest_metrics_lb.c ---- */

/* A label value with backslash, double quote and newline escaped. */
void sk_rest_metrics_label(FILE *f, const char *v);
/* "# HELP metric help" and "# TYPE metric type" lines. */
void sk_rest_metrics_help(FILE *f, const char *metric, const char *type, const char *help);

/* The built-in routes: GET /api/v1/openapi.json (rest_openapi.c). */
extern const struct sk_api_route sk_rest_routes_builtin[];

#endif /* SK_REST_PRIV_H */
