/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_hafsm.c - the HA state machine (control/ha/ha_fsm.c, docs/ha.md
 * "Who is active"), table-driven on a fake clock: each scenario is a list of
 * steps (time, both paths, the peer's last heartbeat, own readiness,
 * maintenance, fault) with the role and term expected after each, and
 * whether the step asks for the floating addresses to be announced again.
 */
#include <stdio.h>
#include <string.h>
#include "ha/ha_fsm.h"
#include "sk_test.h"

#define I SK_HA_ROLE_INIT
#define S SK_HA_ROLE_STANDBY
#define A SK_HA_ROLE_ACTIVE
#define F SK_HA_ROLE_FORCED_STANDBY
#define X SK_HA_ROLE_FAULT
#define NONE 99  /* peer not known */

struct step {
	uint64_t t;
	uint8_t link, data;
	uint32_t prole;          /* NONE: no heartbeat contents */
	uint64_t pterm;
	uint8_t pprio, pready;
	uint8_t ready, forced, fault;
	uint32_t want_role;
	uint64_t want_term;
	const char *want_reason; /* substring of the reason, when it changes */
	uint8_t handover;        /* the active peer asks us to take over */
	uint8_t pnoprio;         /* peer heard on the dataplane path only */
	uint8_t announce;        /* the step must ask for the addresses to be announced again */
};

struct scenario {
	const char *name;
	struct sk_hafsm_cfg cfg;
	uint64_t term0;
	uint32_t resume;
	struct step s[12];
};

#define CFG(u, prio, pre, hold) { .unit = u, .priority = prio, .preempt = pre, \
	.preempt_hold_ms = hold, .dead_ms = 1000 }

static const struct scenario scen[] = {
	{ "start alone: active after dead_ms with term+1", CFG(1, 100, 0, 0), 3, I, {
		{ 0,    0, 0, NONE, 0, 0, 0, 1, 0, 0, I, 3, NULL },
		{ 999,  0, 0, NONE, 0, 0, 0, 1, 0, 0, I, 3, NULL },
		{ 1000, 0, 0, NONE, 0, 0, 0, 1, 0, 0, A, 4, "no peer heard within 1000 ms" },
		{ 0 } } },
	{ "start with a live active peer: standby, adopts its term", CFG(1, 200, 0, 0), 2, I, {
		{ 10,   1, 1, A, 7, 100, 1, 1, 0, 0, S, 7, "peer is active" },
		{ 5000, 1, 0, A, 7, 100, 1, 1, 0, 0, S, 7, NULL },
		{ 0 } } },
	{ "start together, higher priority (unit 2) wins", CFG(2, 150, 0, 0), 0, I, {
		{ 10,   1, 1, I, 0, 100, 1, 1, 0, 0, A, 1, "both starting: priority 150 > peer's 100" },
		{ 0 } } },
	{ "start together, lower priority waits, then standby", CFG(1, 100, 0, 0), 0, I, {
		{ 10,   1, 1, I, 0, 150, 1, 1, 0, 0, I, 0, NULL },
		{ 2000, 1, 1, I, 0, 150, 1, 1, 0, 0, I, 0, NULL },
		{ 2010, 1, 1, A, 1, 150, 1, 1, 0, 0, S, 1, "peer is active (term 1)" },
		{ 0 } } },
	{ "start together, equal priority: unit 1 wins", CFG(1, 100, 0, 0), 5, I, {
		{ 10,   1, 0, I, 6, 100, 1, 1, 0, 0, A, 7, "equal priority 100, unit 1 wins" },
		{ 0 } } },
	{ "start together, equal priority: unit 2 waits", CFG(2, 100, 0, 0), 0, I, {
		{ 10,   0, 1, I, 0, 100, 1, 1, 0, 0, I, 0, NULL },
		{ 0 } } },
	{ "HA link cut alone: no takeover", CFG(2, 100, 0, 0), 0, I, {
		{ 10,   1, 1, A, 4, 100, 1, 1, 0, 0, S, 4, NULL },
		{ 500,  0, 1, A, 4, 100, 1, 1, 0, 0, S, 4, NULL },
		{ 9000, 0, 1, A, 4, 100, 1, 1, 0, 0, S, 4, NULL },
		{ 0 } } },
	{ "dataplane path cut alone: no takeover", CFG(2, 100, 0, 0), 0, I, {
		{ 10,   1, 1, A, 4, 100, 1, 1, 0, 0, S, 4, NULL },
		{ 9000, 1, 0, A, 4, 100, 1, 1, 0, 0, S, 4, NULL },
		{ 0 } } },
	{ "both paths cut: takeover with term+1", CFG(2, 100, 0, 0), 0, I, {
		{ 10,   1, 1, A, 4, 100, 1, 1, 0, 0, S, 4, NULL },
		{ 500,  0, 1, A, 4, 100, 1, 1, 0, 0, S, 4, NULL },
		{ 1600, 0, 0, A, 4, 100, 1, 1, 0, 0, A, 5, "peer silent on both paths for 1000 ms" },
		{ 1700, 0, 0, A, 4, 100, 1, 1, 0, 0, A, 5, NULL },
		{ 0 } } },
	{ "active yields to a live active with a newer term", CFG(1, 200, 0, 0), 5, A, {
		{ 10,   1, 1, A, 5, 100, 1, 1, 0, 0, A, 5, NULL },  /* same term: unit 2 yields */
		{ 20,   1, 1, A, 6, 100, 1, 1, 0, 0, S, 6, "peer active with a newer term 6" },
		{ 0 } } },
	{ "same term, both active: unit 2 yields", CFG(2, 200, 0, 0), 5, A, {
		{ 10,   1, 1, A, 5, 100, 1, 1, 0, 0, S, 5, "the same term 5" },
		{ 0 } } },
	{ "preemption off: higher priority stays standby", CFG(1, 200, 0, 100), 0, I, {
		{ 10,   1, 1, A, 3, 100, 1, 1, 0, 0, S, 3, NULL },
		{ 9000, 1, 1, A, 3, 100, 1, 1, 0, 0, S, 3, NULL },
		{ 0 } } },
	{ "preemption on: takes over after preempt_hold_ms in sync", CFG(1, 200, 1, 3000), 0, I, {
		{ 10,   1, 1, A, 3, 100, 1, 0, 0, 0, S, 3, NULL },  /* not ready yet */
		{ 2000, 1, 1, A, 3, 100, 1, 1, 0, 0, S, 3, NULL },  /* ready: hold starts */
		{ 4999, 1, 1, A, 3, 100, 1, 1, 0, 0, S, 3, NULL },
		{ 5000, 1, 1, A, 3, 100, 1, 1, 0, 0, A, 4, "preempt: priority 200 > peer's 100" },
		{ 0 } } },
	{ "preemption hold-down restarts when sync is lost", CFG(1, 200, 1, 3000), 0, I, {
		{ 10,   1, 1, A, 3, 100, 1, 1, 0, 0, S, 3, NULL },  /* hold from 10 */
		{ 2000, 1, 1, A, 3, 100, 1, 0, 0, 0, S, 3, NULL },  /* out of sync: reset */
		{ 2500, 1, 1, A, 3, 100, 1, 1, 0, 0, S, 3, NULL },  /* hold from 2500 */
		{ 5000, 1, 1, A, 3, 100, 1, 1, 0, 0, S, 3, NULL },
		{ 5500, 1, 1, A, 3, 100, 1, 1, 0, 0, A, 4, "preempt" },
		{ 0 } } },
	{ "preemption on, lower priority never preempts", CFG(2, 50, 1, 0), 0, I, {
		{ 10,   1, 1, A, 3, 100, 1, 1, 0, 0, S, 3, NULL },
		{ 9000, 1, 1, A, 3, 100, 1, 1, 0, 0, S, 3, NULL },
		{ 0 } } },
	{ "forced standby never takes over until released", CFG(2, 100, 0, 0), 0, I, {
		{ 10,   1, 1, A, 3, 100, 1, 1, 0, 0, S, 3, NULL },
		{ 20,   1, 1, A, 3, 100, 1, 1, 1, 0, F, 3, "forced standby" },
		{ 5000, 0, 0, A, 3, 100, 1, 1, 1, 0, F, 3, NULL },  /* peer dead: still forced */
		{ 5010, 0, 0, A, 3, 100, 1, 1, 0, 0, S, 3, "released" },
		{ 5020, 0, 0, A, 3, 100, 1, 1, 0, 0, A, 4, "peer silent on both paths" },
		{ 0 } } },
	{ "forced active gives up, peer takes over", CFG(1, 100, 0, 0), 3, A, {
		{ 10,   1, 1, S, 3, 100, 1, 1, 1, 0, F, 3, "forced standby" },
		{ 20,   1, 1, A, 4, 100, 1, 1, 1, 0, F, 4, NULL },  /* term follows quietly */
		{ 30,   1, 1, A, 4, 100, 1, 1, 0, 0, S, 4, "released" },
		{ 0 } } },
	{ "fault never takes over; cleared -> init", CFG(2, 100, 0, 0), 0, I, {
		{ 10,   1, 1, A, 3, 100, 1, 1, 0, 0, S, 3, NULL },
		{ 20,   1, 1, A, 3, 100, 1, 1, 0, 1, X, 3, "fault: test fault" },
		{ 9000, 0, 0, A, 3, 100, 1, 1, 0, 1, X, 3, NULL },
		{ 9010, 0, 0, A, 3, 100, 1, 1, 0, 0, I, 3, "fault cleared" },
		{ 10010, 0, 0, A, 3, 100, 1, 1, 0, 0, A, 4, "no peer heard" },
		{ 0 } } },
	{ "standby: peer forced-standby, nobody active -> active", CFG(2, 100, 0, 0), 0, I, {
		{ 10,   1, 1, A, 3, 100, 1, 1, 0, 0, S, 3, NULL },
		{ 20,   1, 1, F, 3, 100, 1, 1, 0, 0, A, 4, "peer is forced-standby" },
		{ 0 } } },
	{ "handover: a ready standby takes over when asked", CFG(2, 50, 0, 0), 0, I, {
		{ 10,   1, 1, A, 3, 100, 1, 0, 0, 0, S, 3, NULL, 1 },  /* not ready: refused */
		{ 20,   1, 1, A, 3, 100, 1, 1, 0, 0, A, 4, "handover", 1 },
		{ 0 } } },
	{ "start, peer heard on the dataplane path only: wait, then unit 1", CFG(2, 200, 0, 0), 0, I, {
		{ 10,   0, 1, I, 0, 0, 0, 1, 0, 0, I, 0, NULL, 0, 1 },  /* no priority: no win */
		{ 999,  0, 1, I, 0, 0, 0, 1, 0, 0, I, 0, NULL, 0, 1 },
		{ 1000, 0, 1, I, 0, 0, 0, 1, 0, 0, I, 0, NULL, 0, 1 },  /* unit 2: still waits */
		{ 1100, 0, 1, A, 1, 0, 0, 1, 0, 0, S, 1, "peer is active", 0, 1 },
		{ 0 } } },
	{ "start, dataplane path only, unit 1 wins after dead_ms", CFG(1, 50, 0, 0), 0, I, {
		{ 10,   0, 1, I, 0, 0, 0, 1, 0, 0, I, 0, NULL, 0, 1 },
		{ 1000, 0, 1, I, 0, 0, 0, 1, 0, 0, A, 1, "priority unknown", 0, 1 },
		{ 0 } } },
	{ "partition heals, this unit kept active with the newer term: announces again once",
	  CFG(2, 100, 0, 0), 0, I, {
		{ 10,   1, 1, A, 4, 100, 1, 1, 0, 0, S, 4, NULL },
		{ 500,  0, 0, A, 4, 100, 1, 1, 0, 0, A, 5, "peer silent on both paths" },
		{ 2000, 0, 0, NONE, 0, 0, 0, 1, 0, 0, A, 5, NULL },
		{ 3000, 0, 1, A, 4, 100, 1, 1, 0, 0, A, 5, NULL, 0, 0, 1 },  /* healed */
		{ 3010, 1, 1, S, 5, 100, 1, 1, 0, 0, A, 5, NULL },           /* once only */
		{ 9000, 1, 0, S, 5, 100, 1, 1, 0, 0, A, 5, NULL },           /* one path: no news */
		{ 0 } } },
	{ "partition heals, this unit has the older term: yields, no announce",
	  CFG(1, 200, 0, 0), 4, A, {
		{ 10,   0, 0, NONE, 0, 0, 0, 1, 0, 0, A, 4, NULL },
		{ 2000, 1, 1, A, 5, 100, 1, 1, 0, 0, S, 5, "peer active with a newer term 5" },
		{ 0 } } },
	{ "flapping HA link within the hold-down: no preemption until it holds",
	  CFG(1, 200, 1, 3000), 0, I, {
		{ 10,   1, 1, A, 3, 100, 1, 1, 0, 0, S, 3, NULL },  /* hold from 10 */
		{ 2000, 0, 1, A, 3, 100, 1, 1, 0, 0, S, 3, NULL },  /* link down: reset */
		{ 2500, 1, 1, A, 3, 100, 1, 1, 0, 0, S, 3, NULL },  /* hold from 2500 */
		{ 4000, 0, 1, A, 3, 100, 1, 1, 0, 0, S, 3, NULL },  /* reset again */
		{ 4500, 1, 1, A, 3, 100, 1, 1, 0, 0, S, 3, NULL },  /* hold from 4500 */
		{ 7000, 1, 1, A, 3, 100, 1, 1, 0, 0, S, 3, NULL },
		{ 7500, 1, 1, A, 3, 100, 1, 1, 0, 0, A, 4, "preempt" },
		{ 0 } } },
	{ "restarted cp resumes active without a flap", CFG(2, 50, 0, 0), 9, A, {
		{ 10,   1, 1, S, 9, 100, 1, 1, 0, 0, A, 9, NULL },
		{ 5000, 1, 1, S, 9, 100, 1, 1, 0, 0, A, 9, NULL },
		{ 0 } } },
};

static void
run(const struct scenario *sc)
{
	struct sk_hafsm f;
	unsigned int i;
	int ok = 1;
	char last[160] = "";

	sk_hafsm_init(&f, &sc->cfg, 0, sc->term0, sc->resume);
	for (i = 0; i < 12 && (i == 0 || sc->s[i].t != 0); i++) {
		const struct step *st = &sc->s[i];
		struct sk_hafsm_in in = {
			.now_ms = st->t, .link_up = st->link, .data_up = st->data,
			.peer_known = st->prole != NONE,
			.peer = { .role = st->prole == NONE ? 0 : st->prole, .term = st->pterm,
				  .priority = st->pprio, .ready = st->pready,
				  .priority_known = !st->pnoprio },
			.ready = st->ready, .forced = st->forced,
			.fault = st->fault ? "test fault" : NULL, .handover = st->handover,
		};
		int ch = sk_hafsm_step(&f, &in);

		if (f.role != st->want_role || f.term != st->want_term ||
		    (st->want_reason != NULL && (!ch || strstr(f.reason, st->want_reason) == NULL)) ||
		    (st->want_reason == NULL && ch && f.role != sc->s[i].want_role) ||
		    f.announce != st->announce) {
			printf("# %s: step %u at %llu ms: role %u term %llu (want %u %llu) "
			       "changed %d reason \"%s\" announce %u (want %u)\n", sc->name, i,
			       (unsigned long long)st->t, f.role, (unsigned long long)f.term,
			       st->want_role, (unsigned long long)st->want_term, ch, f.reason,
			       f.announce, st->announce);
			ok = 0;
		}
		snprintf(last, sizeof(last), "%s", f.reason);
	}
	SK_CHECK(ok, "%s (last reason: %s)", sc->name, last);
}

int
main(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(scen) / sizeof(scen[0]); i++)
		run(&scen[i]);
	return SK_TEST_DONE();
}
