/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mainloop.c - the main lcore's loop as a table of tasks, in the order
 * they run each turn (like the start-up steps in main.c).  A task does a
 * little and returns what it did; none waits for a worker or the control
 * plane.  A new duty of the main lcore is a row here.  Part of the
 * sekisho-dp program, not the library: it is the top that calls the
 * modules' tasks, so no module includes the mailbox upward.
 */
#include <rte_cycles.h>

#include "mainloop.h"
#include "worker/dp.h"
#include "ha/ha_dp.h"
#include "mbox/mbox.h"

#define IDLE_SLEEP_US 200

static unsigned int
task_reclaim(const struct sk_gen *g __rte_unused, uint32_t now __rte_unused)
{
	return sk_mbox_poll_reclaim();
}

static unsigned int
task_mbox(const struct sk_gen *g __rte_unused, uint32_t now __rte_unused)
{
	return sk_mbox_poll_requests();
}

static unsigned int
task_ha(const struct sk_gen *g, uint32_t now)
{
	sk_ha_poll(g, now);
	return 0;
}

static const struct main_task {
	const char *name;
	/* work done this turn (packets, requests answered, items freed) */
	unsigned int (*run)(const struct sk_gen *g, uint32_t now_ms);
} tasks[] = {
	{ "slow path", sk_slow_poll },              /* exc_ring: ARP, ND, next hops, health, HA */
	{ "health-check tap", sk_slow_tap_poll },   /* the kernel's probes out */
	{ "reclaim", task_reclaim },                /* generations, LB tables past a grace period */
	{ "mailbox", task_mbox },                   /* the control plane's request, worker jobs */
	{ "ha", task_ha },                          /* wish, heartbeat, GARPs */
	{ "neighbour timers", sk_slow_tick },       /* every TICK_MS: probes, give-ups */
};

void
sk_main_loop(void)
{
	while (!__atomic_load_n(&sk_dp.quit, __ATOMIC_RELAXED)) {
		/* One generation per turn: tasks see the same one. */
		const struct sk_gen *g = sk_dp_gen();
		uint32_t now = sk_dp_now_ms();
		unsigned int work = 0, i;

		for (i = 0; i < RTE_DIM(tasks); i++)
			work += tasks[i].run(g, now);
		/* The main lcore is not a poller: on a small VM it shares a core
		 * with everything else, so it sleeps when there is nothing to do. */
		if (work == 0)
			rte_delay_us_sleep(IDLE_SLEEP_US);
	}
	sk_slow_fini();
}
