/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_dp.h - the dataplane's side of the HA pair (sk_ha.h, docs/dataplane.md
 * "HA role"): the role in force, what a non-active unit lets in, the
 * dataplane heartbeat, fencing and the announcements on becoming active.
 *
 * Narrow on purpose:
 *  - workers: sk_ha_fence() once per burst (one atomic load), and
 *    sk_ha_admit() for each IP packet only when the generation is an HA one;
 *  - the main lcore: sk_ha_poll() every loop, sk_ha_rx() for SK_EXC_HA
 *    packets, sk_ha_may_answer() for ARP/ND;
 *  - start-up: sk_ha_init() once the control block exists.
 * Everything else (role state, heartbeat sequence, GARP schedule) is private
 * to the main lcore.
 */
#ifndef SK_HA_DP_H
#define SK_HA_DP_H

#include <stdint.h>
#include <rte_mbuf.h>
#include "sk_ha.h"
#include "gen/gen.h"
#include "sk_pkt_meta.h"

/* The role in force (enum sk_ha_role): main lcore stores, workers load. */
extern uint32_t sk_ha_role_now;

/* Worker, once per burst: 1 when this is a non-active unit of an HA pair
 * (it forwards nothing and owns only its own addresses). */
static inline uint8_t
sk_ha_fence(const struct sk_gen *g)
{
	return g->ha != NULL &&
	       !sk_ha_role_owns(__atomic_load_n(&sk_ha_role_now, __ATOMIC_ACQUIRE));
}

enum sk_ha_verdict {
	SK_HA_PASS = 0,  /* go on as a standalone unit would */
	SK_HA_DROP,      /* non-active unit, not for one of its own addresses: ha_standby */
	SK_HA_TO_MAIN,   /* the dataplane heartbeat: to the main lcore (SK_EXC_HA) */
};

/* Worker: what an admitted IP packet of an HA generation (g->ha != NULL)
 * may do; fence = sk_ha_fence() of this burst. */
enum sk_ha_verdict sk_ha_admit(const struct sk_gen *g, const struct sk_pkt_meta *pm,
			       uint8_t fence);

/*
 * Start-up (main lcore, after the control block): unit 1|2 (0 standalone:
 * nothing to do), the image's HA section, and an optional role to start in
 * (-1 = INIT, waiting for sekisho-cp; a lab/test aid).  Reads the PSK file
 * once; an unreadable one puts the unit in FAULT with a log line, it never
 * fails the start.  0 or -errno with err filled.
 */
int sk_ha_init(const void *image, uint8_t unit, int start_role, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Main lcore, every loop: the control plane's wish, heartbeat, GARPs. */
void sk_ha_poll(const struct sk_gen *g, uint32_t now_ms);

/* Main lcore: a heartbeat datagram a worker handed over; consumes m. */
void sk_ha_rx(const struct sk_gen *g, struct rte_mbuf *m, uint32_t now_ms);

/* Main lcore: does the unit answer ARP/ND for addr on iface now?
 * sk_gen_owns(), less floating addresses, VIPs and SNAT sources while not active. */
int sk_ha_may_answer(const struct sk_gen *g, uint16_t iface, uint8_t family,
		     const uint8_t addr[16]);

/* TSC cycles the main lcore spent on the heartbeat (send + receive). */
uint64_t sk_ha_hb_cycles(void);

#endif /* SK_HA_DP_H */
