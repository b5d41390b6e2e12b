/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * store_confirm.h - commit with confirmation (Junos' `commit confirmed`):
 * a commit that asks for it runs for confirm_within seconds; unless
 * POST /config/confirm arrives by then, sekisho-cp rolls back to the
 * generation that ran before, through the ordinary rollback (so an HA pair's
 * config sync carries the rollback as it carries any commit).
 *
 * The pending confirmation lives in <state_dir>/confirm.json (written
 * atomically), so a sekisho-cp that restarts while one is pending still
 * rolls back at the same wall-clock deadline, or at once if that passed.
 *
 * Semantics (docs/config-lifecycle.md "Commit with confirmation"):
 *   - the rollback target is the last confirmed generation: a second
 *     confirmed commit while one is pending moves the deadline, not the
 *     target;
 *   - a plain commit, a rollback or a committing import while one is
 *     pending settles it (the operator acted: the new state is wanted);
 *   - a pending confirmation whose generation no longer runs here (the
 *     dataplane restarted from another one, a peer's commit) is dropped.
 * Thread safety: none; the caller holds cp->dp_lock (cp.h).
 */
#ifndef SK_STORE_CONFIRM_H
#define SK_STORE_CONFIRM_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "store.h"
#include "api/api.h"

struct sk_cp;

#define SK_CONFIRM_MAX_S 86400u      /* the longest confirm_within accepted */
#define SK_CONFIRM_FILE "confirm.json"

struct sk_confirm {
	uint64_t generation;         /* the generation awaiting confirmation; 0 = none */
	uint64_t rollback_to;        /* archive restored when it is not confirmed */
	int64_t armed;               /* Unix seconds of the (last) confirmed commit */
	int64_t deadline;            /* Unix seconds: rolled back at or after this */
	uint32_t within;             /* seconds asked for */
	char principal[64];          /* who committed it */
};

/* The pending confirmation from <state_dir>/confirm.json into *c (zeroed
 * when none).  0 (c->generation says whether one is pending), or -EBADMSG
 * with err filled for a file that cannot be used (it is removed: a
 * confirmation nobody can read must not roll back anything), or -errno. */
int sk_confirm_load(const char *state_dir, struct sk_confirm *c, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Arm (or re-arm) a confirmation for generation gen, committed by principal
 * at now, to be confirmed within seconds.  prev_archive is the archive that
 * ran before that commit; it becomes the rollback target unless one is
 * pending already (the target stays the last confirmed one).  Saved to
 * disk; on a write failure c is armed anyway (in memory until a restart)
 * and -errno returned with err filled.
 */
int sk_confirm_arm(const char *state_dir, struct sk_confirm *c, uint64_t gen,
		   uint64_t prev_archive, uint32_t within, const char *principal, int64_t now,
		   char *err, size_t errlen) __attribute__((warn_unused_result));

/* Forget the pending confirmation (memory and disk).  0 or -errno (the
 * file could not be removed: it is dropped at the next load). */
int sk_confirm_clear(const char *state_dir, struct sk_confirm *c);

/* {"pending": bool, and when pending: generation, rollback_to, armed,
 * deadline, within, remaining_s, principal}.  NULL on ENOMEM. */
json_t *sk_confirm_json(const struct sk_confirm *c, int64_t now);

enum sk_confirm_verdict {
	SK_CONFIRM_NONE = 0,         /* nothing pending */
	SK_CONFIRM_WAITING,          /* pending, deadline not reached */
	SK_CONFIRM_ROLLED_BACK,      /* unconfirmed: rolled back (res filled) */
	SK_CONFIRM_DROPPED,          /* its generation no longer runs: forgotten */
	SK_CONFIRM_RETRY,            /* rollback failed for now (dataplane busy): again later */
	SK_CONFIRM_FAILED,           /* rollback impossible (err says why): forgotten */
};

/*
 * Called periodically (the daemon loop, ~10/s): when the deadline has
 * passed, roll back to c->rollback_to with sk_store_rollback() (principal
 * "sekisho-cp", source "rollback:<to> (unconfirmed <gen>)") and clear.
 * err says what happened for every verdict but NONE and WAITING.
 */
enum sk_confirm_verdict sk_confirm_expire(struct sk_cp *cp, struct sk_confirm *c, int64_t now,
					  sk_store_commit_fn fn, void *ctx,
					  struct sk_store_commit_res *res, char *err,
					  size_t errlen);

/* ---- the REST side (confirm_api.c) ---- */

/* GET /config/confirm (the pending one) and POST /config/confirm. */
extern const struct sk_api_route sk_api_routes_confirm[];

/*
 * After a successful commit through the API: with within > 0, arm a
 * confirmation (prev_archive: the archive that ran before); with 0, settle
 * any pending one (the operator's new commit, rollback or import is the
 * wanted state).  Adds "confirm" or "confirmed" to the answer doc and logs
 * the event.  A failure to save becomes doc's "warning".
 */
void sk_api_confirm_after_commit(struct sk_cp *cp, uint32_t within, uint64_t prev_archive,
				 const char *principal, json_t *doc);

/* The daemon loop's tick (takes cp->dp_lock): rolls back an unconfirmed
 * commit whose deadline passed, logging why (stdout and the "confirm" log
 * event).  Nothing on an HA unit that is not active: it drops the pending
 * confirmation with a log line instead. */
void sk_api_confirm_tick(struct sk_cp *cp);

#endif /* SK_STORE_CONFIRM_H */
