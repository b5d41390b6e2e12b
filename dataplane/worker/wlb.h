/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wlb.h - the worker's load-balancer steps: a packet to a virtual service
 * gets a backend and a NAT connection; packets of NAT connections are
 * translated both ways; packets that reached the wrong worker are handed to
 * the connection's owner.  Called per packet by the owner worker only.
 *
 * Flow ownership (DESIGN "Flow ownership"):
 *  - plain connections: the NIC's symmetric RSS brings both directions to
 *    one queue, so one worker;
 *  - full NAT: the worker that saw the client's first packet owns it, and
 *    picks an SNAT port inside its own port block (nat.h) such that the
 *    backend's reply hashes to its queue; a reply that lands elsewhere is
 *    handed over, its owner read from the port;
 *  - DNAT: the reply tuple (backend -> client) cannot be chosen, so the
 *    owner is a hash of the client's address and port, which both
 *    directions carry; any worker computes it, and hands the packet over
 *    when it is not the owner.
 * A handed-over packet is not handed over again.
 */
#ifndef SK_WLB_H
#define SK_WLB_H

#include <stdint.h>
#include "dp.h"
#include "conn/conn.h"
#include "lb/lb_svc.h"

/* A new connection to a service between backend choice and verdict. */
struct sk_wlb_new {
	struct sk_lb_choice ch;
	uint8_t vip[16];      /* the client's destination, restored after policy */
	uint16_t vport;
	/* Set by sk_wlb_warm (rk_set), used by sk_wlb_create instead of
	 * computing it again: the backend-side key (full NAT: that of SNAT
	 * candidate 0, source snat:sport0). */
	uint8_t rk_set;
	uint8_t rk_orig_is_a;
	uint16_t sport0;
	const uint8_t *snat;
	struct sk_conn_key rk;
};

/*
 * Route pm to its (translated) destination: SK_DROP_NONE with out_iface,
 * out_zone and nexthop set, or the drop reason.
 */
__attribute__((warn_unused_result))
enum sk_drop_reason sk_wlb_route(const struct sk_gen *g, struct sk_pkt_meta *pm);

/*
 * Choose a backend for a new connection to service pm->lb_svc and make pm
 * look like the translated packet for policy (destination = backend, routed
 * there).  SK_DROP_NONE, or the drop reason (pm unchanged then).
 */
__attribute__((warn_unused_result))
enum sk_drop_reason sk_wlb_prepare(struct sk_worker *w, const struct sk_gen *g,
				   struct sk_pkt_meta *pm, struct sk_wlb_new *nw);

/* Undo sk_wlb_prepare's destination (the route stays: it is the backend's). */
void sk_wlb_restore(struct sk_pkt_meta *pm, const struct sk_wlb_new *nw);

/*
 * Before policy, for the new connections of a burst (pms[i] with is_lb[i]
 * after sk_wlb_prepare): build the backend-side key each will most likely
 * take (DNAT: its only one; full NAT: the first SNAT candidate) into nw[i]
 * and look them all up in one bulk lookup.  Nothing is decided here: the
 * lookup brings those keys' rte_hash buckets into the cache with the misses
 * overlapped, so that sk_wlb_create's lookup and insert do not take one
 * cache miss after the other.
 */
void sk_wlb_warm(struct sk_worker *w, const struct sk_gen *g, struct sk_pkt_meta *const pms[],
		 struct sk_wlb_new nw[], const uint8_t is_lb[], uint16_t n);

/*
 * Policy accepted: create the NAT connection (choosing the SNAT source for
 * full NAT), translate m, count it.  Returns 0 with the verdict in *why
 * (SK_DROP_NONE: forward; else the drop reason), or -EEXIST when the
 * client's key was created by an earlier packet of the burst (look it up and
 * treat m as a hit; *why is not set).
 */
__attribute__((warn_unused_result))
int sk_wlb_create(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m,
		  const struct sk_conn_key *k, uint8_t src_is_a, const struct sk_wlb_new *nw,
		  uint32_t rule_id, enum sk_drop_reason *why);

/*
 * A packet hit connection c (either half of a NAT connection): re-check
 * after a commit, cut if the backend was disabled or removed, advance the
 * state, translate and route.  SK_DROP_NONE to forward, or a drop reason
 * (the connection is deleted when it was cut).
 */
__attribute__((warn_unused_result))
enum sk_drop_reason sk_wlb_hit(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m,
			       struct sk_conn *c, uint8_t src_is_a);

/*
 * A packet to a VIP or SNAT address whose admission was left to later
 * (pm->dst_late, decide.h sk_decide_dst_late()) hit connection c: must it finish
 * the admission (service match, or the route when no service matches)
 * before the hit?  Not for the two kinds of packet that make up a NAT
 * connection's traffic, whose outcome is known without it:
 *  - client -> VIP on a NAT primary admitted by this generation: its
 *    service matched when the generation created or re-checked the
 *    connection (the same family, proto, VIP and port; a generation's
 *    services do not change), so admission would have left it unrouted, as
 *    sk_wlb_hit() wants;
 *  - backend -> SNAT source on a full-NAT alias: the config puts every
 *    SNAT address on a connected subnet, so admission would have routed it
 *    (the link, or local for an interface address; not a broadcast in a
 *    unicast frame: the config refuses an SNAT address at its subnet's
 *    network or broadcast address), and sk_wlb_hit() replaces that route
 *    by the client's.
 * Everything else (plain connections, DNAT replies, cut slots, the other
 * directions, a primary of an older generation) is admitted in full first,
 * as if admit() had done it.
 */
static inline int
sk_wlb_hit_needs_admit(const struct sk_gen *g, const struct sk_pkt_meta *pm,
		       const struct sk_conn *c, uint8_t src_is_a)
{
	if (!(c->flags & SK_CONN_F_LIVE) || c->nat == 0)
		return 1;
	if (!(c->flags & SK_CONN_F_ALIAS))
		return c->gen != (uint32_t)g->id || sk_conn_dir(c, src_is_a) != SK_DIR_ORIG;
	return c->nat != SK_LB_FWD_FULLNAT + 1 || pm->l2_mcast ||
	       sk_conn_dir(c, src_is_a) != SK_DIR_REPLY;
}

/* The worker that owns the flow of a packet that missed this worker's table. */
uint16_t sk_wlb_owner(const struct sk_worker *w, const struct sk_gen *g,
		      const struct sk_pkt_meta *pm);

/* The connection table's release hook: a NAT connection ended. */
void sk_wlb_release(void *arg, const struct sk_conn *primary, const struct sk_conn *alias);

/* The four ends of NAT connection c (primary or alias): the client talks
 * to vip, the unit talks to the backend from xsrc (full NAT: the SNAT
 * address and port; DNAT: the client).  Pointers into the table's keys,
 * valid for the burst.  Used by ICMP errors (wicmp.h). */
struct sk_wlb_ends {
	const uint8_t *client, *vip, *xsrc, *backend;
	uint16_t client_port, vip_port, xsrc_port, backend_port;
};
void sk_wlb_ends(const struct sk_conn_table *t, struct sk_conn *c, struct sk_wlb_ends *e);

#endif /* SK_WLB_H */
