/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * confirm_api.c - the REST side of commit with confirmation
 * (store_confirm.h): GET/POST /config/confirm, arming after a commit that
 * asks for it, and the daemon's tick that rolls an unconfirmed one back.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "cp.h"
#include "dplink/dplink.h"
#include "ha/ha.h"
#include "logw/logw.h"
#include "store_confirm.h"

#define API "/api/v1"

static int64_t
now_s(void)
{
	return (int64_t)time(NULL);
}

/* Now rounded up to the next second: a deadline counted from it is never
 * early (the tick compares whole seconds of time(NULL)); at most 1 s late. */
static int64_t
now_s_up(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec + (ts.tv_nsec > 0);
}

/* An event "confirm" in the log files (under cp->log_lock) and a line on
 * stdout: every step of a confirmation says what happened and why. */
static void
log_event(struct sk_cp *cp, const char *what, uint64_t gen, const char *principal,
	  const char *msg)
{
	pthread_mutex_lock(&cp->log_lock);
	if (cp->logw != NULL)
		(void)sk_logw_event(cp->logw, "confirm", json_pack("{s:s, s:I, s:s, s:s}",
			"action", what, "generation", (json_int_t)gen,
			"principal", principal ? principal : "-", "message", msg));
	pthread_mutex_unlock(&cp->log_lock);
	printf("sekisho-cp: confirm: %s: %s\n", what, msg);
	fflush(stdout);
}

void
sk_api_confirm_after_commit(struct sk_cp *cp, uint32_t within, uint64_t prev_archive,
			    const char *principal, json_t *doc)
{
	char err[320] = "", msg[256];
	uint64_t was;

	if (cp->confirm == NULL)
		return;
	if (within == 0) {
		was = cp->confirm->generation;
		if (was == 0)
			return;
		(void)sk_confirm_clear(cp->state_dir, cp->confirm);
		snprintf(msg, sizeof(msg), "generation %" PRIu64 " settled by generation %" PRIu64
			 " (a later commit confirms what it replaces)", was, cp->generation);
		log_event(cp, "settled", was, principal, msg);
		if (doc != NULL)
			json_object_set_new(doc, "confirmed", json_integer((json_int_t)was));
		return;
	}
	if (sk_confirm_arm(cp->state_dir, cp->confirm, cp->generation, prev_archive, within,
			   principal, now_s_up(), err, sizeof(err)) != 0 && doc != NULL)
		json_object_set_new(doc, "warning", json_sprintf("confirmation not saved (a "
				    "restart forgets it): %s", err));
	snprintf(msg, sizeof(msg), "generation %" PRIu64 " rolls back to archive %" PRIu64
		 " unless confirmed within %" PRIu32 " s", cp->generation,
		 cp->confirm->rollback_to, within);
	log_event(cp, "armed", cp->generation, principal, msg);
	if (doc != NULL)
		json_object_set_new(doc, "confirm", sk_confirm_json(cp->confirm, now_s_up()));
}

static void
confirm_get(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	(void)req;
	sk_api_ok(resp, sk_confirm_json(cp->confirm, now_s_up()));
}

/* POST /config/confirm [{"generation": n}]: keep the pending commit. */
static void
confirm_post(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	const json_t *g = json_is_object(req->json) ? json_object_get(req->json, "generation")
						     : NULL;
	const char *who = req->principal ? req->principal : "unknown";
	struct sk_confirm *c = cp->confirm;
	int64_t now = now_s_up(), left;
	uint64_t gen;
	char msg[256];

	if (g != NULL && (!json_is_integer(g) || json_integer_value(g) < 1)) {
		sk_api_error(resp, 400, "bad_request", NULL,
			     "expected no body or {\"generation\": n}");
		return;
	}
	if (c == NULL || c->generation == 0) {
		sk_api_error(resp, 409, "not_pending", NULL,
			     "no commit is awaiting confirmation (generation %" PRIu64 " runs)",
			     cp->generation);
		return;
	}
	if (g != NULL && (uint64_t)json_integer_value(g) != c->generation) {
		sk_api_error(resp, 409, "stale_generation",
			     json_pack("{s:I}", "pending", (json_int_t)c->generation),
			     "generation %" PRIu64 " awaits confirmation, not %" JSON_INTEGER_FORMAT,
			     c->generation, json_integer_value(g));
		return;
	}
	gen = c->generation;
	left = c->deadline > now ? c->deadline - now : 0;
	(void)sk_confirm_clear(cp->state_dir, c);
	snprintf(msg, sizeof(msg), "generation %" PRIu64 " confirmed by %s with %" PRId64
		 " s left", gen, who, left);
	log_event(cp, "confirmed", gen, who, msg);
	sk_api_ok(resp, json_pack("{s:I, s:I, s:s}", "confirmed", (json_int_t)gen,
				  "remaining_s", (json_int_t)left, "principal", who));
}

static int
dp_commit(void *ctx, const void *img, size_t len, uint64_t replaces, uint64_t *gen,
	  uint64_t *build_us, char *err, size_t errlen)
{
	return sk_dplink_commit(ctx, img, len, replaces, gen, build_us, err, errlen);
}

void
sk_api_confirm_tick(struct sk_cp *cp)
{
	static const char *const what[] = {
		[SK_CONFIRM_ROLLED_BACK] = "rolled-back", [SK_CONFIRM_DROPPED] = "dropped",
		[SK_CONFIRM_RETRY] = "retry", [SK_CONFIRM_FAILED] = "failed",
	};
	struct sk_store_commit_res res;
	enum sk_confirm_verdict v;
	char err[512] = "", herr[256];
	uint64_t gen;

	if (cp->confirm == NULL)
		return;
	pthread_mutex_lock(&cp->dp_lock);
	gen = cp->confirm->generation;
	if (gen == 0) {
		pthread_mutex_unlock(&cp->dp_lock);
		return;
	}
	/* A unit that is not the active one must not commit by itself: the
	 * pair's active unit (which has the generation through sync) is
	 * where the operator confirms or rolls back now. */
	if (cp->ha != NULL && sk_ha_commit_allowed(cp->ha, 0, herr, sizeof(herr)) != 0 &&
	    now_s() >= cp->confirm->deadline) {
		(void)sk_confirm_clear(cp->state_dir, cp->confirm);
		pthread_mutex_unlock(&cp->dp_lock);
		snprintf(err, sizeof(err), "generation %" PRIu64 " unconfirmed, but this unit "
			 "is not active any more (%s): not rolled back here", gen, herr);
		log_event(cp, "dropped", gen, NULL, err);
		return;
	}
	v = sk_confirm_expire(cp, cp->confirm, now_s(), cp->dp ? dp_commit : NULL, cp->dp, &res,
			      err, sizeof(err));
	pthread_mutex_unlock(&cp->dp_lock);
	if (v == SK_CONFIRM_NONE || v == SK_CONFIRM_WAITING)
		return;
	/* A retry every tick would flood the log: once a second is plenty. */
	if (v == SK_CONFIRM_RETRY) {
		static time_t last;

		if (time(NULL) == last)
			return;
		last = time(NULL);
	}
	log_event(cp, what[v], gen, NULL, err);
}

const struct sk_api_route sk_api_routes_confirm[] = {
	{ "GET", API "/config/confirm", confirm_get,
	  "the commit awaiting confirmation, if any" },
	{ "POST", API "/config/confirm", confirm_post,
	  "confirm the pending commit (else it is rolled back at its deadline)" },
	{ NULL, NULL, NULL, NULL },
};
