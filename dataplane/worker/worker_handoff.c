/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * worker_handoff.c - the receiving side of the handoff ring: packets of
 * flows this worker owns that another worker admitted (wlb.h, "Flow
 * ownership"; the sending side is handoff() in worker_priv.h).  They go
 * straight to stages 2 and 3, unless a commit came between the sender's
 * admission and this drain: then their destination is admitted again under
 * the running generation (readmit).
 */
#include <rte_ring.h>

#include "worker_priv.h"

/*
 * A packet handed over across a commit: the sender admitted it under
 * another generation, whose route and service indices mean nothing here.
 * Admit its destination again under g (as admit() would); it stays on this
 * worker (pm->handoff), so a commit never bounces it between workers.
 * 1 to go on, 0 when m was dealt with.
 */
static int
readmit(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m)
{
	struct sk_pkt_meta *pm = sk_pkt_meta(m);

	w->stats->handoff_readmit++;
	pm->in_zone = g->ifaces[pm->in_iface].zone;
	if (sk_decide_lb_defer(g, pm))
		return 1;
	return admit_route(w, g, m);
}

/* Packets other workers handed over: admitted already, straight to stage 2. */
uint16_t
sk_worker_handoff_drain(struct sk_worker *w, const struct sk_gen *g)
{
	struct rte_mbuf *pkts[SK_BURST_MAX];
	unsigned int n, i, k;

	if (w->handoff == NULL)
		return 0;
	n = rte_ring_sc_dequeue_burst(w->handoff, (void **)pkts, SK_BURST_MAX, NULL);
	if (n == 0)
		return 0;
	w->stats->handoff_in += n;
	for (i = 0; i < n; i++)
		if (unlikely(sk_pkt_meta(pkts[i])->gen != (uint32_t)g->id))
			break;
	if (likely(i == n)) {
		sk_worker_process_admitted(w, g, pkts, (uint16_t)n);
		return (uint16_t)n;
	}
	/* a commit between the sender's admission and ours: the rare path */
	for (i = 0, k = 0; i < n; i++)
		if (sk_pkt_meta(pkts[i])->gen == (uint32_t)g->id || readmit(w, g, pkts[i]))
			pkts[k++] = pkts[i];
	if (k != 0)
		sk_worker_process_admitted(w, g, pkts, (uint16_t)k);
	return (uint16_t)n;
}
