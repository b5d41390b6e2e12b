/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * worker_priv.h - what the worker's stage files share, private to
 * dataplane/worker/: the doors every packet leaves by (drop under a reason,
 * the main lcore's slow path, the owner's handoff ring, forwarding), the
 * destination decision's actions, and the calls between the stage files.
 *
 * The per-packet helpers are static inline here so that each stage file
 * inlines them as the single worker.c did; the calls between files are per
 * burst (sk_worker_process_burst -> sk_worker_process_admitted) or off the
 * common path (ICMP errors, RSTs, echo replies: worker_answer.c).
 *
 * The files: worker.c (the loop and its per-loop tasks), worker_admit.c
 * (stage 1: parse, admit), worker_flow.c (stages 2 and 3: connection lookup,
 * hit, miss, policy), worker_handoff.c (packets other workers handed over,
 * readmission after a commit), worker_answer.c (the unit's answers).
 */
#ifndef SK_WORKER_PRIV_H
#define SK_WORKER_PRIV_H

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "fwd.h"
#include "sk_drop.h"
#include "sk_pkt_meta.h"
#include "decide/decide.h"
#include "frag/frag.h"
#include "limit/top.h"
#include "neigh/neigh.h"
#include "stats/stats.h"

#define ERR_TOKENS_MAX 200u /* burst of ICMP errors/RSTs a worker may send... */
#define ERR_TOKENS_PER_MS 1u/* ...refilled at 1000/s: reject must not amplify a flood */

#define ICMP4_UNREACH 3
#define ICMP4_UNREACH_NET 0
#define ICMP4_UNREACH_HOST 1
#define ICMP4_UNREACH_NEEDFRAG 4
#define ICMP4_UNREACH_ADMIN 13
#define ICMP4_TIMXCEED 11
#define ICMP6_UNREACH 1
#define ICMP6_UNREACH_NOROUTE 0
#define ICMP6_UNREACH_ADMIN 1
#define ICMP6_UNREACH_ADDR 3
#define ICMP6_TOOBIG 2
#define ICMP6_TIMXCEED 3

/* worker_answer.c: the unit's answers, out of m's ingress port (m is not
 * consumed), within the worker's error token bucket. */
void sk_worker_icmp_error(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m,
			  uint8_t t4, uint8_t c4, uint8_t t6, uint8_t c6, uint32_t info);
void sk_worker_reject(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m);
/* Accepted and addressed to the unit (m is consumed). */
void sk_worker_local_deliver(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m);

/* worker_admit.c: one received burst through the whole pipeline. */
void sk_worker_process_burst(struct sk_worker *w, const struct sk_gen *g, uint16_t port,
			     uint16_t iface, struct rte_mbuf **pkts, uint16_t n, uint64_t tsc);
/* worker_flow.c: stages 2 and 3 for admitted packets (this worker's or
 * handed over); ip[] is reused as scratch. */
void sk_worker_process_admitted(struct sk_worker *w, const struct sk_gen *g,
				struct rte_mbuf **ip, uint16_t n_ip);
/* worker_handoff.c: drain this worker's handoff ring; returns the packets taken. */
uint16_t sk_worker_handoff_drain(struct sk_worker *w, const struct sk_gen *g);

static inline void
drop(struct sk_worker *w, struct rte_mbuf *m, enum sk_drop_reason reason)
{
	sk_stats_drop(w->stats, reason);
	/* Who is being refused (limit/top.h): policy and limit drops only. */
	if (unlikely(sk_top_denied(reason)) && w->top != NULL) {
		const struct sk_pkt_meta *pm = sk_pkt_meta(m);

		sk_top_note_src(w->top, SK_TOP_DENIED, pm->family, pm->src);
	}
	rte_pktmbuf_free(m);
}

static inline void
to_slow_path(struct sk_worker *w, struct rte_mbuf *m, uint8_t why)
{
	sk_pkt_meta(m)->exc = why;
	if (rte_ring_enqueue(sk_dp.exc_ring, m) != 0) /* RTS producers: main.c */
		drop(w, m, SK_DROP_EXCEPTION_FULL);
}

/* Transmit a forwarded packet whose TTL and MTU are settled. */
static inline void
fwd_tx(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m)
{
	struct sk_pkt_meta *pm = sk_pkt_meta(m);
	const struct sk_gen_iface *out = &g->ifaces[pm->out_iface];
	struct rte_ether_addr mac;
	int rc;

	rc = sk_neigh_lookup(sk_dp.neigh, pm->out_iface, pm->family, pm->nexthop, &mac);
	if (likely(rc == 0)) {
		sk_fwd_l2(m, &out->mac, &mac);
		w->stats->forwarded++;
		rte_eth_tx_buffer(out->port_id, w->idx, w->txb[out->port_id], m);
		return;
	}
	if (rc == -EHOSTUNREACH) {
		sk_worker_icmp_error(w, g, m, ICMP4_UNREACH, ICMP4_UNREACH_HOST,
				     ICMP6_UNREACH, ICMP6_UNREACH_ADDR, 0);
		drop(w, m, SK_DROP_NEIGH_FAILED);
		return;
	}
	/* Unknown or being resolved: the main lcore queues it and probes. */
	to_slow_path(w, m, SK_EXC_RESOLVE);
}

/* TTL, MTU (fragment or refuse), then transmit. */
static inline void
forward(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m)
{
	struct sk_pkt_meta *pm = sk_pkt_meta(m);
	const struct sk_gen_iface *out = &g->ifaces[pm->out_iface];
	enum sk_fwd f = sk_decide_fwd(g, m, pm);
	struct rte_mbuf *frags[16];
	int i, n;

	if (unlikely(f == SK_FWD_TTL_EXCEEDED)) {
		sk_worker_icmp_error(w, g, m, ICMP4_TIMXCEED, 0, ICMP6_TIMXCEED, 0, 0);
		drop(w, m, SK_DROP_TTL_EXCEEDED);
		return;
	}
	sk_fwd_dec_ttl(m, pm);
	if (likely(f == SK_FWD_SEND)) {
		fwd_tx(w, g, m);
		return;
	}
	n = f == SK_FWD_TOO_BIG ? -EMSGSIZE :
	    sk_frag_fragment(m, out->mtu, frags, RTE_DIM(frags), sk_dp.pool);
	if (n < 0) {
		/* DF set or IPv6: tell the sender the path MTU (PMTUD). */
		sk_worker_icmp_error(w, g, m, ICMP4_UNREACH, ICMP4_UNREACH_NEEDFRAG,
				     ICMP6_TOOBIG, 0, out->mtu);
		drop(w, m, n == -EMSGSIZE ? SK_DROP_MTU_EXCEEDED : SK_DROP_NO_MBUF);
		return;
	}
	w->stats->frag_fragmented++;
	/* One packet in, n out: count n-1 extra "forwarded" against one rx. */
	w->stats->forwarded -= (uint64_t)(n - 1);
	for (i = 0; i < n; i++)
		fwd_tx(w, g, frags[i]);
}

/*
 * Act on the destination decision (decide.h) for m: local, service and
 * routed go on (1); broadcast is dropped, no route answered with an ICMP
 * error and dropped (0).
 */
static inline int
dst_act(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m, enum sk_gen_dst dst)
{
	switch (dst) {
	case SK_GEN_DST_BROADCAST:
		drop(w, m, SK_DROP_IP_BROADCAST);
		return 0;
	case SK_GEN_DST_NO_ROUTE:
		sk_worker_icmp_error(w, g, m, ICMP4_UNREACH, ICMP4_UNREACH_NET,
				     ICMP6_UNREACH, ICMP6_UNREACH_NOROUTE, 0);
		drop(w, m, SK_DROP_NO_ROUTE);
		return 0;
	case SK_GEN_DST_LOCAL:
	case SK_GEN_DST_ROUTED:
	case SK_GEN_DST_SERVICE:
		break;
	}
	return 1;
}

/* Admission's destination decision.  1 to go on, 0 when m was dealt with. */
static inline int
admit_route(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m)
{
	struct sk_route_result rr;

	return dst_act(w, g, m, sk_decide_dst(g, sk_pkt_meta(m), &rr));
}

/*
 * The deferred destination stage of a packet to a VIP or SNAT address
 * (pm->dst_late, sk_decide_dst_late): left to the connection lookup's miss,
 * or to a hit that needs it (sk_wlb_hit_needs_admit()): a NAT connection's
 * own packets need neither.  1 to go on, 0 when m was dealt with; the same
 * outcome as if admit() had done it.
 */
static inline int
late_admit(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m)
{
	struct sk_route_result rr;

	return dst_act(w, g, m, sk_decide_dst_late(g, sk_pkt_meta(m), &rr));
}

/* Give m to the worker that owns its flow (wlb.h). */
static inline void
handoff(struct sk_worker *w, struct rte_mbuf *m, uint16_t owner)
{
	sk_pkt_meta(m)->handoff = 1;
	sk_pkt_meta(m)->gen = (uint32_t)w->cur_gen->id;
	if (rte_ring_enqueue(sk_dp.workers[owner].handoff, m) != 0) {
		drop(w, m, SK_DROP_HANDOFF_FULL);
		return;
	}
	w->stats->handoff_out++;
}

#endif /* SK_WORKER_PRIV_H */
