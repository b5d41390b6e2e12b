/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wlimit.c - the worker's limits on new connections (see wlimit.h): the
 * glue between policy's verdict, the connection table's half-open count
 * and the per-source table.
 */
#include <netinet/in.h>
#include <rte_tcp.h>

#include "dp.h"
#include "wlb.h"
#include "wlimit.h"
#include "conn/conn.h"
#include "limit/srclim.h"
#include "sk_pkt_meta.h"

enum sk_drop_reason
sk_wlimit_admit(struct sk_worker *w, const struct sk_gen *g, const struct sk_pkt_meta *pm,
		uint32_t rule)
{
	const struct sk_img_rule *r;

	/* A SYN would open a half-open connection: the embryonic cap. */
	if (g->st->halfopen_max != 0 && pm->proto == IPPROTO_TCP &&
	    (pm->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) == RTE_TCP_SYN_FLAG &&
	    sk_conn_halfopen(w->conns) >= g->st->halfopen_max)
		return SK_DROP_HALFOPEN_LIMIT;
	if (rule == 0 || w->srclim == NULL)
		return SK_DROP_NONE;
	r = &g->rules[rule - 1];
	if (likely(r->src_rate == 0 && r->src_conn_max == 0))
		return SK_DROP_NONE;
	const struct sk_srclim_cfg cfg = {
		.rate = r->src_rate, .burst = r->src_burst, .conn_max = r->src_conn_max,
	};

	return sk_srclim_admit(w->srclim, pm->family, pm->src, &cfg, w->now_ms);
}

int
sk_wlimit_counts(const struct sk_gen *g, uint32_t rule)
{
	return rule != 0 && g->rules[rule - 1].src_conn_max != 0;
}

void
sk_wlimit_created(struct sk_worker *w, struct sk_conn *c, const struct sk_pkt_meta *pm)
{
	if (w->srclim == NULL || (c->flags & SK_CONN_F_COUNTED))
		return;
	/* Untracked (no slot): not flagged, so its release gives nothing back. */
	if (sk_srclim_conn_add(w->srclim, pm->family, pm->src, w->now_ms) == 0)
		c->flags |= SK_CONN_F_COUNTED;
}

void
sk_wlimit_release(void *arg, const struct sk_conn *primary, const struct sk_conn *alias)
{
	struct sk_worker *w = arg;

	if ((primary->flags & SK_CONN_F_COUNTED) && w->srclim != NULL) {
		const struct sk_conn_key *k = sk_conn_key_ref(w->conns, primary);

		/* the originator: the source the connection was counted for */
		sk_srclim_conn_del(w->srclim, k->family,
				   (primary->flags & SK_CONN_F_ORIG_IS_A) ? k->a : k->b);
	}
	if (alias != NULL)
		sk_wlb_release(arg, primary, alias);
}
