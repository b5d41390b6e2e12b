/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * decide.h - the dataplane's decisions about one packet, as functions that
 * every user calls: the worker (worker.c, worker_lb.c), the offline trace
 * (through sk_trace_api.h) and the microbenchmarks (perf/).  None of them
 * keeps a copy of these rules, so the trace and the benches cannot drift
 * from what the worker does.
 *
 *  - admission: the descriptor's ingress fields (sk_decide_ingress), the IP
 *    options check (sk_decide_ip_opts);
 *  - the destination (sk_decide_dst): local, broadcast, no route, routed;
 *  - forwarding's TTL and MTU outcome (sk_decide_fwd);
 *  - the load balancer's admission (sk_decide_lb_defer): a packet to a VIP
 *    or SNAT source leaves its destination decision to the connection
 *    lookup; the deferred stage (sk_decide_dst_late) matches a VIP's
 *    service, or routes it like any other packet;
 *  - what a packet that opens a new flow meets before policy
 *    (sk_decide_new_flow), and a full-NAT client's seed
 *    (sk_decide_client_seed);
 *  - the policy verdict of a rule or a zone pair's default
 *    (sk_decide_verdict, sk_decide_classify) and its drop reason.
 *
 * The hot-path ones are static inline: the worker pays no extra call.
 * None writes anything but the packet's own descriptor.
 */
#ifndef SK_DECIDE_H
#define SK_DECIDE_H

#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <rte_branch_prediction.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "sk_drop.h"
#include "sk_image.h"
#include "sk_dp_types.h"
#include "gen/gen.h"
#include "route/route.h"
#include "lb/lb_svc.h"
#include "hctap/hctap.h"
#include "sk_pkt_meta.h"

/* ---- admission ---- */

/* A packet arrives on port/iface (zone): the worker's fields of its
 * descriptor start afresh (reassembled: the unit rebuilt it from fragments). */
static inline void
sk_decide_ingress(struct sk_pkt_meta *pm, uint16_t port, uint16_t iface, uint16_t zone,
		  uint8_t reassembled)
{
	pm->in_port = port;
	pm->in_iface = iface;
	pm->in_zone = zone;
	pm->exc = SK_EXC_NONE;
	pm->reassembled = reassembled;
	pm->lb_svc = 0;
	pm->lb_addr = 0;
	pm->dst_late = 0;
	pm->handoff = 0;
	pm->icmp_missed = 0;
}

/* ICMPv6 neighbour discovery (133-137): the main lcore's, never policy. */
static inline int
sk_decide_is_nd(const struct sk_pkt_meta *pm)
{
	return pm->family == 6 && pm->proto == IPPROTO_ICMPV6 &&
	       pm->icmp_type >= 133 && pm->icmp_type <= 137;
}

/* IPv4 options on an interface whose ip_options is "drop": SK_DROP_IP_OPTIONS. */
static inline enum sk_drop_reason
sk_decide_ip_opts(const struct sk_gen_iface *in, const struct sk_pkt_meta *pm)
{
	return unlikely(pm->ip_opts) && in->ip_opts == SK_IPOPTS_DROP ? SK_DROP_IP_OPTIONS :
									SK_DROP_NONE;
}

/* ---- destination ---- */

/*
 * Where pm's destination takes it (sk_gen_dst), written into pm: LOCAL sets
 * out_iface = in_iface and out_zone = SK_ZONE_LOCAL; ROUTED sets out_iface,
 * out_zone and nexthop.  BROADCAST and NO_ROUTE leave pm unchanged; the
 * caller drops (and answers) as it must.  *rr says which interface.
 */
static inline enum sk_gen_dst
sk_decide_dst(const struct sk_gen *g, struct sk_pkt_meta *pm, struct sk_route_result *rr)
{
	enum sk_gen_dst d = sk_gen_dst(g, pm, rr);

	if (d == SK_GEN_DST_LOCAL) {
		pm->out_iface = pm->in_iface;
		pm->out_zone = SK_ZONE_LOCAL;
	} else if (d == SK_GEN_DST_ROUTED) {
		pm->out_iface = rr->iface;
		pm->out_zone = g->ifaces[rr->iface].zone;
		memcpy(pm->nexthop, rr->nexthop, sizeof(pm->nexthop));
	}
	return d;
}

/*
 * The load balancer's admission: sets pm->lb_addr (the destination's
 * SK_LB_ADDR_* flags) and, for a VIP or an SNAT source, pm->dst_late: the
 * service match and the route wait for the connection lookup, because the
 * packets of a NAT connection need neither (wlb.h sk_wlb_hit_needs_admit).
 * 1 when deferred, 0 when the caller decides the destination now.
 */
static inline int
sk_decide_lb_defer(const struct sk_gen *g, struct sk_pkt_meta *pm)
{
	pm->lb_svc = 0;
	pm->lb_addr = 0;
	pm->dst_late = 0;
	if (g->n_services == 0)
		return 0;
	pm->lb_addr = sk_lb_addr_flags(g->lb, pm->family, pm->dst);
	if (!(pm->lb_addr & (SK_LB_ADDR_VIP | SK_LB_ADDR_SNAT)))
		return 0;
	pm->dst_late = 1;
	return 1;
}

/*
 * The deferred destination stage (pm->dst_late): a VIP:port of a service
 * -> SK_GEN_DST_SERVICE with pm->lb_svc set (not routed: the backend's
 * route comes with its choice); anything else is routed as sk_decide_dst
 * would have at admission.  Clears pm->dst_late.
 */
static inline enum sk_gen_dst
sk_decide_dst_late(const struct sk_gen *g, struct sk_pkt_meta *pm, struct sk_route_result *rr)
{
	pm->dst_late = 0;
	if (pm->lb_addr & SK_LB_ADDR_VIP) {
		int svc = sk_lb_svc_match(g->lb, pm);

		if (svc >= 0) {
			pm->lb_svc = (uint16_t)(svc + 1);
			return SK_GEN_DST_SERVICE;
		}
	}
	return sk_decide_dst(g, pm, rr);
}

/* ---- forwarding ---- */

/* The DF bit of IPv4 packet m (pm its descriptor). */
static inline int
sk_decide_df(const struct rte_mbuf *m, const struct sk_pkt_meta *pm)
{
	const struct rte_ipv4_hdr *h =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, pm->l2_len);

	return (h->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)) != 0;
}

/*
 * TTL and MTU of a routed packet (pm->out_iface set), before the TTL is
 * decremented.  IPv6 routers never fragment (RFC 8200): only a datagram the
 * unit itself reassembled may leave in pieces again; IPv4 with DF set asks
 * for path-MTU discovery instead.  Reads the IPv4 header only for a packet
 * too big for its egress.
 */
static inline enum sk_fwd
sk_decide_fwd(const struct sk_gen *g, const struct rte_mbuf *m, const struct sk_pkt_meta *pm)
{
	if (unlikely(pm->ttl <= 1))
		return SK_FWD_TTL_EXCEEDED;
	if (likely(pm->ip_len <= g->ifaces[pm->out_iface].mtu))
		return SK_FWD_SEND;
	if (pm->family == 6 ? !pm->reassembled : sk_decide_df(m, pm))
		return SK_FWD_TOO_BIG;
	return SK_FWD_FRAGMENT;
}

/* ---- a new flow, before policy ---- */

/* What a packet that no connection knows meets before policy (pm:
 * admitted, its destination decided, not dst_late). */
static inline enum sk_new_flow
sk_decide_new_flow(const struct sk_gen *g, const struct sk_pkt_meta *pm)
{
	if (g->n_services != 0) {
		if (pm->out_zone == SK_ZONE_LOCAL && pm->lb_svc == 0 && g->hc != NULL &&
		    sk_hctap_is_reply(g->hc, pm))
			return SK_NEW_FLOW_HEALTH;
		if ((pm->lb_addr & SK_LB_ADDR_SNAT) && pm->lb_svc == 0 &&
		    pm->out_zone != SK_ZONE_LOCAL)
			return SK_NEW_FLOW_NAT_STRAY;
	}
	/* No connection: only a SYN may open TCP, unless loose pickup. */
	if (pm->proto == IPPROTO_TCP && !g->st->tcp_loose &&
	    (pm->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG)) !=
	    RTE_TCP_SYN_FLAG)
		return SK_NEW_FLOW_NOT_SYN;
	return SK_NEW_FLOW_POLICY;
}

/* The drop reason of a dropping sk_new_flow outcome (SK_DROP_NONE otherwise). */
static inline enum sk_drop_reason
sk_decide_new_flow_drop(enum sk_new_flow nf)
{
	return nf == SK_NEW_FLOW_NAT_STRAY ? SK_DROP_NAT_STRAY :
	       nf == SK_NEW_FLOW_NOT_SYN ? SK_DROP_TCP_OUT_OF_STATE : SK_DROP_NONE;
}

/* An ICMP(v6) echo request the unit answers (accepted, to the unit). */
static inline int
sk_decide_is_echo(const struct sk_pkt_meta *pm)
{
	return ((pm->proto == IPPROTO_ICMP && pm->icmp_type == 8) ||
		(pm->proto == IPPROTO_ICMPV6 && pm->icmp_type == 128 &&
		 pm->l3_len == 40)) && pm->vlan == 0;
}

/*
 * Full NAT: the seed of a client's source choice (its SNAT source
 * pool[seed % n] and the port search), from the client's address and port.
 */
static inline uint32_t
sk_decide_client_seed(const struct sk_pkt_meta *pm)
{
	uint64_t a[2];
	uint32_t h;

	/* rte_hash_crc reads 8 bytes at a time: give it aligned words. */
	memcpy(a, pm->src, sizeof(a));
	h = rte_hash_crc(a, sizeof(a), 0x5eed);
	return rte_hash_crc_4byte(pm->sport, h);
}

/* ---- policy ---- */

/*
 * The verdict of classifier result rule (0 = none matched) for a flow from
 * in_zone to out_zone: the rule's action and log, or the zone pair's
 * default.  Hot path.
 */
static inline struct sk_verdict
sk_decide_verdict(const struct sk_gen *g, uint32_t rule, uint16_t in_zone, uint16_t out_zone)
{
	struct sk_verdict v = { .rule = rule };

	if (rule != 0) {
		const struct sk_img_rule *r = &g->rules[rule - 1];

		v.action = r->action;
		v.log = r->log != 0;
		v.rule_id = r->id;
	} else {
		const struct sk_zone_default *d = &g->zone_default[in_zone][out_zone];

		v.action = d->action;
		v.log = d->log;
	}
	return v;
}

/* Why a verdict that is not accept drops the packet. */
static inline enum sk_drop_reason
sk_decide_verdict_drop(const struct sk_verdict *v)
{
	if (v->action == SK_ACT_ACCEPT)
		return SK_DROP_NONE;
	if (v->rule == 0)
		return SK_DROP_POLICY_DEFAULT;
	return v->action == SK_ACT_REJECT ? SK_DROP_POLICY_REJECT : SK_DROP_POLICY_RULE;
}

/*
 * Classify one packet and give its verdict (pm->in_zone -> pm->out_zone):
 * the re-checks of connections after a commit, and the offline trace.  The
 * worker's new flows classify a whole burst (sk_acl_classify_burst) and
 * call sk_decide_verdict per packet.
 */
struct sk_verdict sk_decide_classify(const struct sk_gen *g, const struct sk_pkt_meta *pm);

#endif /* SK_DECIDE_H */
