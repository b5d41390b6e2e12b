/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_fsm.c - the HA membership state machine (ha_fsm.h, docs/ha.md).
 *
 * The rules, in the order they are checked:
 *  1. fault: FAULT, never takes over; when the fault clears, INIT again.
 *  2. forced: FORCED_STANDBY, never takes over; released: STANDBY (and then
 *     only the usual rules promote it).
 *  3. The peer is dead only when BOTH paths are silent (link_up and data_up
 *     are 0): one cut path changes nothing here.
 *  4. INIT waits dead_ms for the peer: none heard -> ACTIVE; a live active
 *     -> STANDBY; both starting -> the higher priority (tie: unit 1) becomes
 *     active and the other waits until it sees it active; a running
 *     standby/forced/fault peer and nobody active -> ACTIVE.
 *  5. STANDBY: peer dead -> ACTIVE; peer non-active and not starting ->
 *     election; live active -> stay, unless preemption is on and this unit
 *     has the higher priority and has been ready under it for
 *     preempt_hold_ms, or the active asks for a handover and this unit is ready.
 *  6. ACTIVE: a live active peer with a newer term (or the same term, and
 *     this is unit 2: the dataplane's fencing rule) -> STANDBY.  Staying
 *     active while the peer is heard again after silence on both paths:
 *     announce (f->announce) the floating addresses again.
 * The preemption hold-down counts only while the HA link is up (the
 * peer's priority and readiness come from it, and a handover needs it): a
 * flapping link or peer starts the hold-down again, so no preemption storm.
 * Becoming ACTIVE always takes max(own, peer's) + 1 as the term.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "ha_fsm.h"

static const char *
role_word(uint32_t r)
{
	static const char *const w[] = {
#define SK_HA_ROLE_WORD(e, s) #s,
		SK_HA_ROLE_LIST(SK_HA_ROLE_WORD)
#undef SK_HA_ROLE_WORD
	};
	return r < SK_HA_ROLE__MAX ? w[r] : "?";
}

static int
go(struct sk_hafsm *f, uint32_t role, uint64_t term, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
go(struct sk_hafsm *f, uint32_t role, uint64_t term, const char *fmt, ...)
{
	va_list ap;

	if (role == f->role && term == f->term)
		return 0;
	va_start(ap, fmt);
	vsnprintf(f->reason, sizeof(f->reason), fmt, ap);
	va_end(ap);
	if (role == SK_HA_ROLE_INIT)
		f->start_ms = f->now_ms; /* the start-up wait begins again */
	f->role = role;
	f->term = term;
	f->syncing = 0;
	return 1;
}

void
sk_hafsm_init(struct sk_hafsm *f, const struct sk_hafsm_cfg *cfg, uint64_t now_ms,
	      uint64_t term, uint32_t resume_role)
{
	memset(f, 0, sizeof(*f));
	f->cfg = *cfg;
	f->term = term;
	f->start_ms = now_ms;
	if (resume_role == SK_HA_ROLE_ACTIVE) {
		f->role = SK_HA_ROLE_ACTIVE;
		/* a restarted cp: the peer's presence is no news (no announce) */
		f->peer_alive = 1;
		snprintf(f->reason, sizeof(f->reason),
			 "resumed: the dataplane runs active (term %" PRIu64 ")", term);
	} else {
		f->role = SK_HA_ROLE_INIT;
		snprintf(f->reason, sizeof(f->reason), "start");
	}
}

/* Does this unit win an election against the peer? */
static int
wins(const struct sk_hafsm *f, const struct sk_hafsm_peer *p)
{
	if (!p->priority_known)
		return f->cfg.unit == 1; /* no priority to compare: unit 1 */
	return f->cfg.priority > p->priority ||
	       (f->cfg.priority == p->priority && f->cfg.unit == 1);
}

static const char *
why_wins(const struct sk_hafsm *f, const struct sk_hafsm_peer *p, char *buf, size_t len)
{
	if (!p->priority_known)
		snprintf(buf, len, "peer's priority unknown (HA link silent), unit 1 wins");
	else if (f->cfg.priority > p->priority)
		snprintf(buf, len, "priority %u > peer's %u", f->cfg.priority, p->priority);
	else
		snprintf(buf, len, "equal priority %u, unit 1 wins", f->cfg.priority);
	return buf;
}

static int
step_init(struct sk_hafsm *f, const struct sk_hafsm_in *in, int alive, uint64_t seen)
{
	const struct sk_hafsm_peer *p = &in->peer;
	char w[64];

	if (!alive || !in->peer_known) {
		if (in->now_ms - f->start_ms >= f->cfg.dead_ms)
			return go(f, SK_HA_ROLE_ACTIVE, seen + 1,
				  "no peer heard within %u ms of start", f->cfg.dead_ms);
		return 0;
	}
	switch (p->role) {
	case SK_HA_ROLE_ACTIVE:
		return go(f, SK_HA_ROLE_STANDBY, seen, "peer is active (term %" PRIu64 ")",
			  p->term);
	case SK_HA_ROLE_INIT:
		/* without the peer's priority (HA link silent) wait out the
		 * start-up interval for it before falling back to unit 1 */
		if (!p->priority_known && in->now_ms - f->start_ms < f->cfg.dead_ms)
			return 0;
		if (wins(f, p))
			return go(f, SK_HA_ROLE_ACTIVE, seen + 1, "both starting: %s",
				  why_wins(f, p, w, sizeof(w)));
		return 0; /* the winner goes active; we follow when we see it */
	default:
		return go(f, SK_HA_ROLE_ACTIVE, seen + 1, "peer is %s, nobody active",
			  role_word(p->role));
	}
}

static int
step_standby(struct sk_hafsm *f, const struct sk_hafsm_in *in, int alive, uint64_t seen)
{
	const struct sk_hafsm_peer *p = &in->peer;
	char w[64];

	if (!alive)
		return go(f, SK_HA_ROLE_ACTIVE, seen + 1, "peer silent on both paths for %u ms",
			  f->cfg.dead_ms);
	if (!in->peer_known)
		return 0;
	switch (p->role) {
	case SK_HA_ROLE_ACTIVE:
		if (in->handover && in->ready)
			return go(f, SK_HA_ROLE_ACTIVE, seen + 1,
				  "handover: the active peer asked us to take over");
		if (!f->cfg.preempt || !in->ready || !in->link_up ||
		    f->cfg.priority <= p->priority) {
			f->syncing = 0;
			break;
		}
		if (!f->syncing) {
			f->syncing = 1;
			f->sync_since = in->now_ms;
		}
		if (in->now_ms - f->sync_since >= f->cfg.preempt_hold_ms)
			return go(f, SK_HA_ROLE_ACTIVE, seen + 1,
				  "preempt: priority %u > peer's %u, up and in sync for %" PRIu64
				  " ms", f->cfg.priority, p->priority, in->now_ms - f->sync_since);
		break;
	case SK_HA_ROLE_INIT:
		break; /* a starting peer sees us standby with nobody active: it decides */
	case SK_HA_ROLE_STANDBY:
		if (wins(f, p))
			return go(f, SK_HA_ROLE_ACTIVE, seen + 1, "nobody active: %s",
				  why_wins(f, p, w, sizeof(w)));
		break;
	default:
		return go(f, SK_HA_ROLE_ACTIVE, seen + 1, "peer is %s, nobody active",
			  role_word(p->role));
	}
	if (seen > f->term)
		f->term = seen; /* remember the highest term seen, no transition */
	return 0;
}

static int
step(struct sk_hafsm *f, const struct sk_hafsm_in *in, int alive)
{
	uint64_t seen = f->term;

	if (alive && in->peer_known && in->peer.term > seen)
		seen = in->peer.term;
	if (in->fault != NULL) {
		if (f->role == SK_HA_ROLE_FAULT)
			return 0;
		return go(f, SK_HA_ROLE_FAULT, f->term, "fault: %s", in->fault);
	}
	if (f->role == SK_HA_ROLE_FAULT)
		return go(f, SK_HA_ROLE_INIT, f->term, "fault cleared");
	if (in->forced) {
		if (f->role == SK_HA_ROLE_FORCED_STANDBY) {
			f->term = seen; /* follow the peer's term quietly: no new role */
			return 0;
		}
		return go(f, SK_HA_ROLE_FORCED_STANDBY, seen, "forced standby (maintenance)");
	}
	if (f->role == SK_HA_ROLE_FORCED_STANDBY)
		return go(f, SK_HA_ROLE_STANDBY, seen, "released from maintenance");

	switch (f->role) {
	case SK_HA_ROLE_INIT:
		return step_init(f, in, alive, seen);
	case SK_HA_ROLE_STANDBY:
		return step_standby(f, in, alive, seen);
	case SK_HA_ROLE_ACTIVE:
		if (alive && in->peer_known && in->peer.role == SK_HA_ROLE_ACTIVE &&
		    (in->peer.term > f->term || (in->peer.term == f->term && f->cfg.unit == 2)))
			return go(f, SK_HA_ROLE_STANDBY, seen,
				  "peer active with %s term %" PRIu64,
				  in->peer.term > f->term ? "a newer" : "the same", in->peer.term);
		return 0;
	default:
		return 0;
	}
}

int
sk_hafsm_step(struct sk_hafsm *f, const struct sk_hafsm_in *in)
{
	int alive = in->link_up || in->data_up;
	uint32_t from = f->role;
	int ch;

	f->now_ms = in->now_ms;
	f->announce = 0;
	ch = step(f, in, alive);
	if (from == SK_HA_ROLE_ACTIVE && f->role == SK_HA_ROLE_ACTIVE && alive &&
	    !f->peer_alive) {
		f->announce = 1;
		snprintf(f->announce_reason, sizeof(f->announce_reason),
			 "peer heard again on the %s path while active (term %" PRIu64 ")",
			 in->link_up ? "HA link" : "dataplane", f->term);
	}
	f->peer_alive = (uint8_t)alive;
	return ch;
}
