/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_fsm.h - the HA membership state machine (docs/ha.md "Who is active"),
 * pure: no I/O, no clock of its own, no log.  The HA thread (ha.c) feeds it
 * what it knows every loop (both heartbeat paths, the peer's last heartbeat,
 * own readiness, maintenance, fault) and applies what it returns: a role and
 * a term, and a reason for every transition.  Kept pure so every rule can
 * be driven by a table of scenarios on a fake clock (test_hafsm.c).
 */
#ifndef SK_CP_HA_FSM_H
#define SK_CP_HA_FSM_H

#include <stdint.h>
#include "sk_ha.h"

struct sk_hafsm_cfg {
	uint8_t unit;              /* 1 or 2 */
	uint8_t priority;          /* higher wins elections and may preempt */
	uint8_t preempt;           /* 1: preemption on */
	uint32_t preempt_hold_ms;  /* up and in sync this long before preempting */
	uint32_t dead_ms;          /* dead interval (start-up wait too) */
};

/* What the peer said in its last heartbeat (either path). */
struct sk_hafsm_peer {
	uint32_t role;             /* enum sk_ha_role */
	uint64_t term;
	uint8_t priority;
	uint8_t priority_known;    /* 0: heard only on the dataplane path (no priority) */
	uint64_t generation;
	uint8_t ready;
};

struct sk_hafsm_in {
	uint64_t now_ms;
	uint8_t link_up;           /* HA link: a heartbeat within dead_ms */
	uint8_t data_up;           /* dataplane heartbeat: one within dead_ms */
	uint8_t peer_known;        /* peer holds a heartbeat's contents */
	struct sk_hafsm_peer peer;
	uint8_t ready;             /* own config in sync with the peer's */
	uint8_t forced;            /* maintenance: forced standby */
	const char *fault;         /* non-NULL: why this unit is broken */
	uint8_t handover;          /* the active peer asked us to take over (maintenance) */
};

struct sk_hafsm {
	struct sk_hafsm_cfg cfg;
	uint32_t role;             /* enum sk_ha_role */
	uint64_t term;             /* highest term seen (the role's term) */
	uint64_t start_ms;         /* when INIT began */
	uint64_t now_ms;           /* the last step's clock */
	uint8_t syncing;           /* standby, ready, under a live lower-priority active,
	                            * HA link up */
	uint64_t sync_since;       /* ... since then (preempt_hold_ms counts from here) */
	char reason[160];          /* why the last transition happened */
	uint8_t peer_alive;        /* last step: at least one path up */
	/* Output of the last step: this unit stayed active and hears its peer
	 * again after both paths were silent (a partition healed): announce the
	 * floating addresses again, neighbours may have learnt the peer's MAC.
	 * announce_reason says so for the log. */
	uint8_t announce;
	char announce_reason[96];
};

/* Start in INIT at now_ms with the highest term known (persisted, or the
 * dataplane's).  If resume_role is ACTIVE (the dataplane runs active, this
 * is a restarted sekisho-cp) it starts ACTIVE with that term: no flap. */
void sk_hafsm_init(struct sk_hafsm *f, const struct sk_hafsm_cfg *cfg, uint64_t now_ms,
		   uint64_t term, uint32_t resume_role);

/* One step.  1 if role or term changed (f->reason says why), 0 if not. */
int sk_hafsm_step(struct sk_hafsm *f, const struct sk_hafsm_in *in);

#endif /* SK_CP_HA_FSM_H */
