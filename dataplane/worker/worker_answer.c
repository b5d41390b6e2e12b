/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * worker_answer.c - the answers a worker sends for the unit itself: ICMP
 * errors (no route, TTL exceeded, too big, unreachable), the RST or ICMP of
 * a `reject` rule, echo replies to the unit's addresses.  Off the common
 * path, and within a token bucket per worker: a flood must not turn the
 * unit into an amplifier (local_errors_limited counts what it refused).
 */
#include <rte_ethdev.h>
#include <rte_ip.h>

#include "worker_priv.h"
#include "local/local.h"

static int
err_allowed(struct sk_worker *w)
{
	uint32_t dt = w->now_ms - w->err_ms;

	if (dt != 0) {
		w->err_tokens = RTE_MIN(ERR_TOKENS_MAX, w->err_tokens + dt * ERR_TOKENS_PER_MS);
		w->err_ms = w->now_ms;
	}
	if (w->err_tokens == 0) {
		w->stats->local[SK_LOCAL_ERRORS_LIMITED]++;
		return 0;
	}
	w->err_tokens--;
	return 1;
}

/* Answer m (not consumed) with an ICMP error out of its ingress port. */
void
sk_worker_icmp_error(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m,
		     uint8_t t4, uint8_t c4, uint8_t t6, uint8_t c6, uint32_t info)
{
	const struct sk_pkt_meta *pm = sk_pkt_meta(m);
	const struct sk_gen_iface *ifc = &g->ifaces[pm->in_iface];
	struct rte_mbuf *r;

	if (!err_allowed(w))
		return;
	r = pm->family == 4 ? sk_local_icmp_error(sk_dp.pool, m, ifc, t4, c4, info)
			    : sk_local_icmp_error(sk_dp.pool, m, ifc, t6, c6, info);
	if (r == NULL)
		return;
	w->stats->local[SK_LOCAL_ICMP_ERRORS]++;
	sk_dp_tx_one(w->stats, pm->in_port, w->idx, r);
}

void
sk_worker_reject(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m)
{
	const struct sk_pkt_meta *pm = sk_pkt_meta(m);
	struct rte_mbuf *r;

	if (pm->proto != IPPROTO_TCP) {
		sk_worker_icmp_error(w, g, m, ICMP4_UNREACH, ICMP4_UNREACH_ADMIN,
				     ICMP6_UNREACH, ICMP6_UNREACH_ADMIN, 0);
		return;
	}
	if (!err_allowed(w))
		return;
	r = sk_local_tcp_rst(sk_dp.pool, m, &g->ifaces[pm->in_iface]);
	if (r == NULL)
		return;
	w->stats->local[SK_LOCAL_TCP_RESETS]++;
	sk_dp_tx_one(w->stats, pm->in_port, w->idx, r);
}

/* Accepted and addressed to the unit. */
void
sk_worker_local_deliver(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m)
{
	const struct sk_pkt_meta *pm = sk_pkt_meta(m);

	if (!sk_decide_is_echo(pm)) {
		/* Management services arrive with the control plane. */
		drop(w, m, SK_DROP_LOCAL_UNHANDLED);
		return;
	}
	sk_local_echo_reply(m, &g->ifaces[pm->in_iface].mac);
	w->stats->consumed++;
	w->stats->local[SK_LOCAL_ECHO_REPLIES]++;
	sk_dp_tx_one(w->stats, pm->in_port, w->idx, m);
}
