/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * verify_api.c - REST handlers for policy verification (api.h):
 *   POST /api/v1/trace     body = packet (docs/verify.md) -> decision
 *   GET  /api/v1/lint      findings on the running rule set
 *   GET  /api/v1/exposure  what each zone can reach
 * All three answer about the running generation's config (cp->running),
 * with no dataplane needed: trace compiles that model into a generation of
 * its own, cached by generation number.  Handlers run one at a time on the
 * daemon thread (cp.h), so the cache needs no lock.
 */
#include <stdio.h>
#include <stdlib.h>

#include "api/api.h"
#include "cp.h"
#include "cfg.h"
#include "sk_trace_api.h"
#include "verify.h"

/* The trace generation and the lint/exposure documents of one generation.
 * Replaced when cp->generation or cp->running changes; the old generation
 * is freed at once (only this thread ever reads it). */
static struct {
	uint64_t generation;
	const struct sk_cfg *model;
	struct sk_gen *gen;
	json_t *lint;
	json_t *exposure;
} cache;

static void
cache_sync(const struct sk_cp *cp)
{
	if (cache.model == cp->running && cache.generation == cp->generation)
		return;
	sk_trace_gen_free(cache.gen);
	cache.gen = NULL;
	json_decref(cache.lint);
	cache.lint = NULL;
	json_decref(cache.exposure);
	cache.exposure = NULL;
	cache.model = cp->running;
	cache.generation = cp->generation;
}

static int
no_config(struct sk_cp *cp, struct sk_api_resp *resp)
{
	if (cp->running != NULL)
		return 0;
	sk_api_error(resp, 404, "not_found", NULL, "no running configuration");
	return 1;
}

static void
h_trace(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	struct sk_verify_pkt p;
	char err[256];
	json_t *doc;

	if (req->json == NULL) {
		sk_api_error(resp, 400, "bad_request", NULL, "the body must be a JSON packet");
		return;
	}
	if (sk_verify_pkt_from_json(req->json, &p, err, sizeof(err)) != 0) {
		sk_api_error(resp, 400, "bad_request", NULL, "%s", err);
		return;
	}
	if (no_config(cp, resp))
		return;
	cache_sync(cp);
	if (cache.gen == NULL) {
		cache.gen = sk_verify_gen_build(cp->running, cp->generation, err, sizeof(err));
		if (cache.gen == NULL) {
			sk_api_error(resp, 500, "internal", NULL, "cannot compile generation %llu "
				     "for tracing: %s", (unsigned long long)cp->generation, err);
			return;
		}
	}
	doc = sk_verify_trace(cache.gen, &p, err, sizeof(err));
	if (doc == NULL) {
		sk_api_error(resp, 400, "bad_request", NULL, "%s", err);
		return;
	}
	sk_api_ok(resp, doc);
}

static void
h_image_doc(struct sk_cp *cp, struct sk_api_resp *resp, int lint)
{
	json_t **slot = lint ? &cache.lint : &cache.exposure;
	char err[256];
	size_t len;
	void *img;

	if (no_config(cp, resp))
		return;
	cache_sync(cp);
	if (*slot == NULL) {
		img = sk_verify_image(cp->running, cp->generation, &len, err, sizeof(err));
		if (img != NULL) {
			*slot = lint ? sk_verify_lint(img, err, sizeof(err)) :
				sk_verify_exposure(img, err, sizeof(err));
			free(img);
		}
		if (*slot == NULL) {
			sk_api_error(resp, 500, "internal", NULL, "%s", err);
			return;
		}
	}
	/* The response owns one reference; the cache keeps its own. */
	sk_api_ok(resp, json_incref(*slot));
}

static void
h_lint(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	(void)req;
	h_image_doc(cp, resp, 1);
}

static void
h_exposure(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	(void)req;
	h_image_doc(cp, resp, 0);
}

const struct sk_api_route sk_api_routes_verify[] = {
	{ "POST", "/api/v1/trace", h_trace,
	  "Trace a packet through the running policy: route, rule or default, action" },
	{ "GET", "/api/v1/lint", h_lint,
	  "Lint the running rule set: shadowed/redundant rules, exposed ports, open egress" },
	{ "GET", "/api/v1/exposure", h_exposure,
	  "What each zone can reach: accepted address/port space per zone pair" },
	{ NULL, NULL, NULL, NULL },
};
