/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * worker_admit.c - stage 1 of a received burst: parse every packet, then
 * admit each (L2/L3 checks, fragments, ARP/ND and HA to the main lcore, IP
 * options, anti-spoofing, the destination decision) and hand the survivors
 * to stages 2 and 3 (worker_flow.c) in one call per burst.
 */
#include "worker_priv.h"
#include "ha/ha_dp.h"
#include "pkt/pkt_parse.h"
#include "spoof/spoof.h"

/*
 * Stage 1 for one packet: L2/L3 admission, fragments, local vs route.
 * Returns the (possibly reassembled) packet to go on with, or NULL when it
 * was dealt with here.
 */
static struct rte_mbuf *
admit(struct sk_worker *w, const struct sk_gen *g, uint16_t port, uint16_t iface,
      struct rte_mbuf *m, uint64_t tsc)
{
	struct sk_pkt_meta *pm = sk_pkt_meta(m);
	const struct sk_gen_iface *in = &g->ifaces[iface];
	enum sk_drop_reason spoofed;
	uint8_t why;

	if (unlikely(pm->kind == SK_PKT_DROP)) {
		drop(w, m, pm->drop);
		return NULL;
	}
	sk_decide_ingress(pm, port, iface, in->zone, 0);
	if (unlikely(pm->vlan != in->vlan)) {
		drop(w, m, SK_DROP_L2_VLAN_UNKNOWN);
		return NULL;
	}
	if (unlikely(pm->kind == SK_PKT_ARP)) {
		to_slow_path(w, m, SK_EXC_ARP);
		return NULL;
	}
	if (unlikely(pm->frag != SK_FRAG_NONE)) {
		m = sk_frag_reassemble(w->frag, m, tsc, &why);
		if (m == NULL) {
			if (why != SK_FRAG_KEPT)
				sk_stats_drop(w->stats, why);
			return NULL;
		}
		w->stats->frag_reassembled++;
		/* k fragments became one datagram: k-1 leave the accounting here. */
		w->stats->frag_merged += (uint64_t)(m->nb_segs - 1);
		/* The datagram's head may be another fragment's mbuf. */
		pm = sk_pkt_meta(m);
		sk_decide_ingress(pm, port, iface, in->zone, 1);
	}
	if (unlikely(sk_decide_is_nd(pm))) {
		to_slow_path(w, m, SK_EXC_ND);
		return NULL;
	}
	/* HA pair: the heartbeat to the main lcore; a non-active unit keeps
	 * only what is addressed to its own per-unit addresses (ha/ha_dp.h). */
	if (unlikely(g->ha != NULL)) {
		switch (sk_ha_admit(g, pm, w->ha_fence)) {
		case SK_HA_TO_MAIN:
			to_slow_path(w, m, SK_EXC_HA);
			return NULL;
		case SK_HA_DROP:
			drop(w, m, SK_DROP_HA_STANDBY);
			return NULL;
		case SK_HA_PASS:
			break;
		}
	}
	if (unlikely(sk_decide_ip_opts(in, pm) != SK_DROP_NONE)) {
		drop(w, m, SK_DROP_IP_OPTIONS);
		return NULL;
	}
	spoofed = sk_spoof_check(g, pm, iface, NULL);
	if (unlikely(spoofed != SK_DROP_NONE)) {
		drop(w, m, spoofed);
		return NULL;
	}
	/* A VIP or SNAT destination waits for the connection lookup. */
	if (sk_decide_lb_defer(g, pm))
		return m;
	return admit_route(w, g, m) ? m : NULL;
}

void
sk_worker_process_burst(struct sk_worker *w, const struct sk_gen *g, uint16_t port, uint16_t iface,
			struct rte_mbuf **pkts, uint16_t n, uint64_t tsc)
{
	struct rte_mbuf *ip[SK_BURST_MAX];
	uint16_t i, n_ip = 0;

	/* Stage 1: parse everything, then admit (L2/L3, fragments, routing). */
	sk_pkt_parse_burst(pkts, n, &g->ifaces[iface].mac);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = admit(w, g, port, iface, pkts[i], tsc);

		if (m != NULL)
			ip[n_ip++] = m;
	}
	if (n_ip != 0)
		sk_worker_process_admitted(w, g, ip, n_ip);
}
