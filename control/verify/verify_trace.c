/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * verify_trace.c - one packet through a generation, as a worker would take
 * it: admission, the connection miss of a new flow, policy, forwarding.
 * The packet is built as a real frame and handed to the dataplane's own
 * parser (martian addresses, TCP flag sanity and every other parse drop
 * come from there); then the dataplane's own decision functions decide
 * (decide.h: the destination, the load balancer's admission, what a new
 * flow meets, the policy verdict; sk_spoof_check; sk_lb_select), and the
 * steps here only explain what they decided.  A packet to a virtual service
 * takes the load balancer's steps (verify_trace_lb.c) in between, and
 * policy sees it translated, as in the worker.  What the trace cannot know
 * offline (an existing connection, a learnt neighbour, the error-reply rate
 * limit, table space, the backends' runtime state) is stated in
 * "assumptions".  The differential test (tests/verify/run) runs the trace
 * and sekisho-dp on thousands of packets and fails on any disagreement.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "sk_drop.h"
#include "sk_image_api.h"
#include "sk_trace_api.h"
#include "verify.h"
#include "verify_priv.h"
#include "verify_trace_priv.h"

void
sk_vtrace_step(struct sk_vtrace *t, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(t->steps, json_string(buf));
}

void
sk_vtrace_assume(struct sk_vtrace *t, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(t->assumptions, json_string(buf));
}

const char *
sk_vtrace_addr(uint8_t family, const uint8_t *a, char *buf, size_t len)
{
	return inet_ntop(family == 4 ? AF_INET : AF_INET6, a, buf, (socklen_t)len);
}

void
sk_vtrace_decision(struct sk_vtrace *t, const char *decision, enum sk_drop_reason reason)
{
	json_object_set_new(t->doc, "decision", json_string(decision));
	json_object_set_new(t->doc, "drop_reason",
			    reason != SK_DROP_NONE ? json_string(sk_drop_names[reason]) : json_null());
	if (reason != SK_DROP_NONE)
		sk_vtrace_step(t, "dropped: %s (%s)", sk_drop_names[reason], sk_drop_descs[reason]);
}

/* ICMP errors the unit never answers with another error (local_icmp.c). */
static int
is_icmp_error(const struct sk_pkt_meta *pm)
{
	if (pm->family == 4)
		return pm->proto == IPPROTO_ICMP &&
		       (pm->icmp_type == 3 || pm->icmp_type == 4 || pm->icmp_type == 5 ||
			pm->icmp_type == 11 || pm->icmp_type == 12);
	return pm->proto == IPPROTO_ICMPV6 && pm->icmp_type < 128;
}

/* What the worker answers with (send_icmp_error / send_reject). */
static void
set_reply(struct sk_vtrace *t, const struct sk_pkt_meta *pm, const char *why, uint8_t t4,
	  uint8_t c4, uint8_t t6, uint8_t c6)
{
	const struct sk_gen_iface *in = sk_trace_iface(t->g, pm->in_iface);
	int tcp_rst = strcmp(why, "reject") == 0 && pm->proto == IPPROTO_TCP;
	const char *suppressed = NULL;
	json_t *r;

	if (tcp_rst) {
		if (pm->tcp_flags & RTE_TCP_RST_FLAG)
			suppressed = "the segment itself carries RST";
		else if (pm->l2_mcast)
			suppressed = "sent to a broadcast/multicast MAC";
		else if (pm->family == 4 ? !in->has4 : !in->has6)
			suppressed = "the ingress interface has no address of the family";
		r = json_pack("{s:s,s:s}", "kind", "tcp_rst", "for", why);
	} else {
		if (pm->l2_mcast)
			suppressed = "sent to a broadcast/multicast MAC";
		else if (is_icmp_error(pm))
			suppressed = "the packet is itself an ICMP error";
		else if (pm->family == 4 ? !in->has4 : !in->has6)
			suppressed = "the ingress interface has no address of the family";
		r = json_pack("{s:s,s:s,s:i,s:i}", "kind", pm->family == 4 ? "icmp" : "icmpv6",
			      "for", why, "type", pm->family == 4 ? t4 : t6,
			      "code", pm->family == 4 ? c4 : c6);
	}
	json_object_set_new(r, "interface", json_string(in->name));
	json_object_set_new(r, "sent", json_boolean(suppressed == NULL));
	if (suppressed != NULL)
		json_object_set_new(r, "suppressed", json_string(suppressed));
	else
		json_object_set_new(r, "note", json_string(
			"rate-limited per worker (burst 200, 1000/s); counted in local.*"));
	json_object_set_new(t->doc, "reply", r);
}

/*
 * A frame in a heap buffer shaped like an mbuf, for the parser: it reads
 * only the mbuf header fields set here and the private area behind it
 * (sk_pkt_meta).  No mempool: the control plane, a DPDK secondary, should
 * not allocate packets from the dataplane's memory for a question.
 */
struct fake_mbuf {
	struct rte_mbuf *m;
};

static int
frame_build(const struct sk_gen_iface *in, const struct sk_verify_pkt *p,
	    struct fake_mbuf *fm, uint16_t *ip_len)
{
	size_t l2 = RTE_ETHER_HDR_LEN + (in->vlan ? RTE_VLAN_HLEN : 0);
	size_t l3 = p->family == 4 ? sizeof(struct rte_ipv4_hdr) : sizeof(struct rte_ipv6_hdr);
	size_t l4 = 0, total, size;
	struct rte_mbuf *m;
	uint8_t *f, *ip, *l4p;

	if (p->proto == IPPROTO_TCP)
		l4 = sizeof(struct rte_tcp_hdr);
	else if (p->proto == IPPROTO_UDP || (p->proto == IPPROTO_ICMP && p->family == 4) ||
		 (p->proto == IPPROTO_ICMPV6 && p->family == 6))
		l4 = 8;
	total = p->length > l3 + l4 ? p->length : l3 + l4;
	*ip_len = (uint16_t)total;
	size = sizeof(struct rte_mbuf) + SK_PKT_PRIV_SIZE + RTE_PKTMBUF_HEADROOM + l2 + total;
	size = RTE_ALIGN_CEIL(size, RTE_CACHE_LINE_SIZE);
	m = aligned_alloc(RTE_CACHE_LINE_SIZE, size);
	if (m == NULL)
		return -ENOMEM;
	memset(m, 0, size);
	m->buf_addr = (uint8_t *)m + sizeof(struct rte_mbuf) + SK_PKT_PRIV_SIZE;
	m->buf_len = (uint16_t)(RTE_PKTMBUF_HEADROOM + l2 + total);
	m->data_off = RTE_PKTMBUF_HEADROOM;
	m->priv_size = SK_PKT_PRIV_SIZE;
	m->nb_segs = 1;
	m->data_len = (uint16_t)(l2 + total);
	m->pkt_len = (uint32_t)(l2 + total);
	fm->m = m;

	f = rte_pktmbuf_mtod(m, uint8_t *);
	if (p->l2_mcast)
		memset(f, 0xff, 6);
	else
		memcpy(f, in->mac.addr_bytes, 6);
	memcpy(f + 6, "\x02\x00\x00\x00\x00\xfe", 6);
	if (in->vlan) {
		f[12] = 0x81;
		f[13] = 0x00;
		f[14] = (uint8_t)(in->vlan >> 8);
		f[15] = (uint8_t)in->vlan;
	}
	ip = f + l2;
	f[l2 - 2] = p->family == 4 ? 0x08 : 0x86;
	f[l2 - 1] = p->family == 4 ? 0x00 : 0xdd;
	if (p->family == 4) {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;

		h->version_ihl = 0x45;
		h->total_length = rte_cpu_to_be_16((uint16_t)total);
		h->packet_id = rte_cpu_to_be_16(1);
		h->fragment_offset = rte_cpu_to_be_16(p->df ? RTE_IPV4_HDR_DF_FLAG : 0);
		h->time_to_live = p->ttl;
		h->next_proto_id = p->proto;
		memcpy(&h->src_addr, p->src, 4);
		memcpy(&h->dst_addr, p->dst, 4);
		h->hdr_checksum = rte_ipv4_cksum(h);
	} else {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)ip;

		h->vtc_flow = rte_cpu_to_be_32(6u << 28);
		h->payload_len = rte_cpu_to_be_16((uint16_t)(total - l3));
		h->proto = p->proto;
		h->hop_limits = p->ttl;
		memcpy(h->src_addr, p->src, 16);
		memcpy(h->dst_addr, p->dst, 16);
	}
	l4p = ip + l3;
	if (p->proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *h = (struct rte_tcp_hdr *)l4p;

		h->src_port = rte_cpu_to_be_16(p->sport);
		h->dst_port = rte_cpu_to_be_16(p->dport);
		h->sent_seq = rte_cpu_to_be_32(1);
		h->recv_ack = rte_cpu_to_be_32((p->tcp_flags & RTE_TCP_ACK_FLAG) ? 1 : 0);
		h->data_off = 5 << 4;
		h->tcp_flags = p->tcp_flags;
		h->rx_win = rte_cpu_to_be_16(65535);
	} else if (p->proto == IPPROTO_UDP) {
		l4p[0] = (uint8_t)(p->sport >> 8);
		l4p[1] = (uint8_t)p->sport;
		l4p[2] = (uint8_t)(p->dport >> 8);
		l4p[3] = (uint8_t)p->dport;
		l4p[4] = (uint8_t)((total - l3) >> 8);
		l4p[5] = (uint8_t)(total - l3);
	} else if (l4 == 8) {
		l4p[0] = p->icmp_type;
		l4p[1] = p->icmp_code;
		l4p[4] = (uint8_t)(p->sport >> 8);  /* echo identifier */
		l4p[5] = (uint8_t)p->sport;
	}
	return 0;
}

static int
find_iface(struct sk_vtrace *t, const struct sk_verify_pkt *p, char *err, size_t errlen)
{
	const struct sk_gen *g = t->g;
	uint16_t i, z;

	if (p->in_iface[0] != '\0') {
		for (i = 0; i < sk_trace_n_ifaces(g); i++)
			if (strcmp(sk_trace_iface(g, i)->name, p->in_iface) == 0)
				return i;
		snprintf(err, errlen, "no interface '%s'", p->in_iface);
		return -EINVAL;
	}
	for (z = 1; z <= t->vm.n_zones; z++)
		if (strcmp(t->vm.zones[z - 1].name, p->in_zone) == 0)
			break;
	if (z > t->vm.n_zones) {
		snprintf(err, errlen, "no zone '%s'", p->in_zone);
		return -EINVAL;
	}
	/* A zone stands for its first interface: they differ only in VLAN and
	 * in the address an ICMP error comes from. */
	for (i = 0; i < sk_trace_n_ifaces(g); i++)
		if (sk_trace_iface(g, i)->zone == z)
			return i;
	snprintf(err, errlen, "zone '%s' has no interface", p->in_zone);
	return -EINVAL;
}

static int
static_neigh(const struct sk_gen *g, uint16_t iface, uint8_t family, const uint8_t *ip)
{
	const struct sk_img_neigh *n;
	uint32_t cnt, i;

	n = sk_image_sec(sk_trace_image(g), SK_SEC_NEIGHS, &cnt);
	for (i = 0; i < cnt; i++)
		if (n[i].iface == iface && n[i].family == family &&
		    memcmp(n[i].ip, ip, family == 4 ? 4 : 16) == 0)
			return 1;
	return 0;
}

static void
policy_json(struct sk_vtrace *t, const struct sk_pkt_meta *pm, const struct sk_verdict *v)
{
	uint8_t action = v->action;
	json_t *pol = json_object();

	if (v->rule != 0) {
		const struct sk_img_rule *r = sk_trace_rule(t->g, v->rule);

		json_object_set_new(pol, "rule", json_pack("{s:i,s:s,s:i,s:b}", "id",
			(json_int_t)r->id, "name", r->name, "line", (json_int_t)r->line,
			"log", r->log != 0));
		json_object_set_new(pol, "default", json_null());
		sk_vtrace_step(t, "policy: rule '%s' (id %u, line %u) matches: %s", r->name, r->id,
			       r->line, sk_verify_action_name(action));
	} else {
		json_object_set_new(pol, "rule", json_null());
		json_object_set_new(pol, "default", json_pack("{s:s,s:s,s:b,s:b}",
			"from", sk_vmodel_zone_name(&t->vm, pm->in_zone),
			"to", sk_vmodel_zone_name(&t->vm, pm->out_zone),
			"explicit", t->vm.explicit_def[pm->in_zone][pm->out_zone] != 0,
			"log", v->log != 0));
		sk_vtrace_step(t, "policy: no rule matches; default for %s -> %s: %s",
			       sk_vmodel_zone_name(&t->vm, pm->in_zone),
			       sk_vmodel_zone_name(&t->vm, pm->out_zone),
			       sk_verify_action_name(action));
	}
	json_object_set_new(pol, "action", json_string(sk_verify_action_name(action)));
	json_object_set_new(t->doc, "policy", pol);
}

void
sk_vtrace_route(struct sk_vtrace *t, const struct sk_pkt_meta *pm,
		const struct sk_route_result *rr, const char *what)
{
	const struct sk_gen *g = t->g;
	char buf[INET6_ADDRSTRLEN];

	json_object_set_new(t->doc, "route", json_pack("{s:s,s:s,s:s,s:b}",
		"egress_interface", sk_trace_iface(g, rr->iface)->name,
		"egress_zone", sk_vmodel_zone_name(&t->vm, pm->out_zone),
		"next_hop", sk_vtrace_addr(pm->family, rr->nexthop, buf, sizeof(buf)),
		"connected", rr->connected != 0));
	sk_vtrace_step(t, "route%s: out of %s (zone %s), next hop %s%s", what,
		       sk_trace_iface(g, rr->iface)->name, sk_vmodel_zone_name(&t->vm, pm->out_zone), buf,
		       rr->connected ? " (on-link)" : "");
}

/* Forwarding's TTL and MTU outcome (sk_trace_fwd), and the next hop. */
static void
trace_forward(struct sk_vtrace *t, const struct sk_pkt_meta *pm)
{
	const struct sk_gen_iface *out = sk_trace_iface(t->g, pm->out_iface);
	json_t *ttl = json_object_get(t->doc, "ttl");
	json_t *route = json_object_get(t->doc, "route");
	enum sk_fwd f = sk_trace_fwd(t->g, t->m, pm);
	char buf[INET6_ADDRSTRLEN];

	if (f == SK_FWD_TTL_EXCEEDED) {
		json_object_set_new(ttl, "note", json_string(
			"TTL/hop limit would reach 0: time exceeded, not forwarded"));
		set_reply(t, pm, "ttl_exceeded", 11, 0, 3, 0);
		if (t->is_lb)
			sk_vtrace_lb_error(t, pm);
		sk_vtrace_decision(t, "drop", SK_DROP_TTL_EXCEEDED);
		return;
	}
	json_object_set_new(ttl, "out", json_integer(pm->ttl - 1));
	if (f != SK_FWD_SEND) {
		if (f == SK_FWD_TOO_BIG) {
			sk_vtrace_step(t, "%u bytes > MTU %u of %s%s", pm->ip_len, out->mtu,
				       out->name, pm->family == 6 ?
				       ": IPv6 routers do not fragment" : " with DF set");
			set_reply(t, pm, "mtu", 3, 4, 2, 0);
			if (t->is_lb)
				sk_vtrace_lb_error(t, pm);
			sk_vtrace_decision(t, "drop", SK_DROP_MTU_EXCEEDED);
			return;
		}
		sk_vtrace_step(t, "%u bytes > MTU %u of %s: forwarded as IPv%u fragments",
			       pm->ip_len, out->mtu, out->name, pm->family);
		json_object_set_new(t->doc, "fragmented", json_true());
	}
	if (static_neigh(t->g, pm->out_iface, pm->family, pm->nexthop)) {
		json_object_set_new(route, "neighbor", json_string("static"));
		sk_vtrace_step(t, "next hop %s has a static neighbour entry on %s",
			       sk_vtrace_addr(pm->family, pm->nexthop, buf, sizeof(buf)),
			       out->name);
	} else {
		json_object_set_new(route, "neighbor", json_string("dynamic"));
		sk_vtrace_step(t, "next hop %s is resolved by %s at run time (queued until it "
			       "answers; neigh_failed if it never does)",
			       sk_vtrace_addr(pm->family, pm->nexthop, buf, sizeof(buf)),
			       pm->family == 4 ? "ARP" : "ND");
	}
	sk_vtrace_step(t, "forwarded out of %s (zone %s), TTL %u -> %u", out->name,
		       sk_vmodel_zone_name(&t->vm, pm->out_zone), pm->ttl, pm->ttl - 1);
	sk_vtrace_decision(t, "forward", SK_DROP_NONE);
}

static int trace_synproxy(struct sk_vtrace *t, const struct sk_pkt_meta *pm, uint32_t rule);

/* A new flow's verdict (sk_decide_classify) and what follows from it. */
static void
trace_decide(struct sk_vtrace *t, struct sk_pkt_meta *pm)
{
	struct sk_verdict v = sk_trace_classify(t->g, pm);

	/* Policy saw the translated packet; the rest (replies) the client's own. */
	if (t->is_lb)
		sk_vtrace_lb_restore(t, pm);
	policy_json(t, pm, &v);
	if (v.action == SK_ACT_ACCEPT && pm->proto == IPPROTO_TCP && pm->out_zone != SK_ZONE_LOCAL &&
	    trace_synproxy(t, pm, v.rule))
		return;
	if (v.action == SK_ACT_ACCEPT) {
		if (t->is_lb) {
			if (sk_vtrace_lb_create(t, pm))
				return;
			trace_forward(t, pm);
			return;
		}
		if (pm->out_zone == SK_ZONE_LOCAL) {
			if (!sk_trace_is_echo(pm)) {
				sk_vtrace_step(t, "no local service takes it (the unit answers "
					       "ICMP echo only; management arrives with the "
					       "control plane)");
				sk_vtrace_decision(t, "drop", SK_DROP_LOCAL_UNHANDLED);
				return;
			}
			sk_vtrace_step(t, "echo request to the unit: answered with an echo reply "
				       "out of %s", sk_trace_iface(t->g, pm->in_iface)->name);
			sk_vtrace_decision(t, "consume", SK_DROP_NONE);
			return;
		}
		sk_vtrace_step(t, "a connection is created (both directions then bypass policy)");
		trace_forward(t, pm);
		return;
	}
	if (v.action == SK_ACT_REJECT)
		set_reply(t, pm, "reject", 3, 13, 1, 1);
	sk_vtrace_decision(t, "drop", sk_trace_verdict_drop(&v));
}

/*
 * The SYN proxy (dataplane/synproxy/synproxy_dp.h) for a TCP segment policy
 * accepted: 1 when the proxy decides it (a SYN answered, an ACK checked).
 */
static int
trace_synproxy(struct sk_vtrace *t, const struct sk_pkt_meta *pm, uint32_t rule)
{
	const struct sk_gen *g = t->g;
	uint8_t f = pm->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG |
				     RTE_TCP_FIN_FLAG);
	const struct sk_img_settings *st = sk_trace_settings(g);
	const char *by = rule != 0 && sk_trace_rule(g, rule)->synproxy ? "its rule" :
		pm->lb_svc != 0 && sk_trace_service(g, pm->lb_svc - 1u)->synproxy ?
		"its service" : NULL;

	if (by == NULL && (f == RTE_TCP_SYN_FLAG || f == RTE_TCP_ACK_FLAG) &&
	    st->synproxy_auto_halfopen + st->synproxy_auto_syn_rate != 0)
		sk_vtrace_assume(t, "the SYN proxy's automatic mode is off (under a flood it "
				 "would answer this SYN with a cookie instead)");
	if (by == NULL && f == RTE_TCP_ACK_FLAG && !st->tcp_loose) {
		sk_vtrace_step(t, "bare ACK and no connection; no SYN proxy for it");
		sk_vtrace_decision(t, "drop", SK_DROP_TCP_OUT_OF_STATE);
		return 1;
	}
	if (by == NULL)
		return 0;
	if (f == RTE_TCP_SYN_FLAG) {
		sk_vtrace_step(t, "SYN proxy (%s): answered with a cookie SYN-ACK out of %s; no "
			       "connection until the client's ACK returns the cookie", by,
			       sk_trace_iface(g, pm->in_iface)->name);
		sk_vtrace_decision(t, "consume", SK_DROP_NONE);
		return 1;
	}
	if (f != RTE_TCP_ACK_FLAG)
		return 0;
	sk_vtrace_assume(t, "the ACK carries a valid SYN cookie (else: dropped, "
			 "synproxy_bad_cookie)");
	sk_vtrace_step(t, "SYN proxy (%s): the cookie ACK becomes the SYN to the server; "
		       "sequence numbers are translated for the connection's life", by);
	return 0;
}

/*
 * The destination decision dst (sk_decide_dst or sk_decide_dst_late, which
 * wrote pm) explained: 0 to go on (routed, local, a service), 1 decided.
 */
static int
trace_dst(struct sk_vtrace *t, struct sk_pkt_meta *pm, enum sk_gen_dst dst,
	  const struct sk_route_result *rr0)
{
	const struct sk_gen *g = t->g;
	const struct sk_route_result rr = *rr0;
	char buf[INET6_ADDRSTRLEN];

	if (dst == SK_GEN_DST_SERVICE)
		return 0;
	json_object_set_new(t->doc, "local", json_boolean(dst == SK_GEN_DST_LOCAL));
	switch (dst) {
	case SK_GEN_DST_LOCAL:
		sk_vtrace_step(t, "%s is an address of the unit (interface %s): out zone local",
			       sk_vtrace_addr(pm->family, pm->dst, buf, sizeof(buf)),
			       sk_trace_iface(g, rr.iface)->name);
		json_object_set_new(json_object_get(t->doc, "ttl"), "note", json_string(
			"not checked for packets to the unit"));
		return 0;
	case SK_GEN_DST_BROADCAST:
		if (pm->family == 4 ? pm->dst[0] >= 224 : pm->dst[0] == 0xff)
			sk_vtrace_step(t, "multicast or limited broadcast destination");
		else if (pm->l2_mcast)
			sk_vtrace_step(t, "sent to a broadcast/multicast MAC and not to the unit");
		else
			sk_vtrace_step(t, "directed broadcast of a subnet of %s",
				       sk_trace_iface(g, rr.iface)->name);
		sk_vtrace_decision(t, "drop", SK_DROP_IP_BROADCAST);
		return 1;
	case SK_GEN_DST_NO_ROUTE:
		sk_vtrace_step(t, "no route to %s",
			       sk_vtrace_addr(pm->family, pm->dst, buf, sizeof(buf)));
		set_reply(t, pm, "no_route", 3, 0, 1, 0);
		sk_vtrace_decision(t, "drop", SK_DROP_NO_ROUTE);
		return 1;
	case SK_GEN_DST_ROUTED:
	default:
		sk_vtrace_route(t, pm, &rr, "");
		return 0;
	}
}

/*
 * Admission's IP options and anti-spoofing checks (the worker's own,
 * through the façade).  1 when the packet was dropped here.
 */
static int
trace_spoof(struct sk_vtrace *t, const struct sk_pkt_meta *pm, uint16_t iface)
{
	static const char *const rpf_name[] = { "off", "strict", "loose" };
	const struct sk_gen *g = t->g;
	const struct sk_gen_iface *in = sk_trace_iface(g, iface);
	char buf[INET6_ADDRSTRLEN];
	struct sk_spoof_why why;
	enum sk_drop_reason r;

	r = sk_trace_ip_opts(in, pm);
	if (r != SK_DROP_NONE) {
		sk_vtrace_step(t, "IPv4 options, and interface %s has ip_options = \"drop\"",
			       in->name);
		sk_vtrace_decision(t, "drop", r);
		return 1;
	}
	r = sk_trace_spoof(g, pm, iface, &why);
	sk_vtrace_addr(pm->family, pm->src, buf, sizeof(buf));
	switch (r) {
	case SK_DROP_NONE:
		if (why.looked)
			sk_vtrace_step(t, "rpf %s on %s: the route back to %s leaves by %s: ok",
				       rpf_name[in->rpf], in->name, buf,
				       sk_trace_iface(g, why.back_iface)->name);
		return 0;
	case SK_DROP_IP_LAND:
		sk_vtrace_step(t, "source %s is the destination (land)", buf);
		break;
	case SK_DROP_SPOOF_OWN_ADDRESS:
		sk_vtrace_step(t, "source %s is an address, VIP or SNAT address of the unit "
			       "itself, arriving on %s", buf, in->name);
		break;
	case SK_DROP_SPOOF_RPF:
	default:
		if (!why.routed)
			sk_vtrace_step(t, "rpf %s on %s: no route back to %s", rpf_name[in->rpf],
				       in->name, buf);
		else
			sk_vtrace_step(t, "rpf strict on %s: the route back to %s leaves by %s, "
				       "not by %s", in->name, buf, sk_trace_iface(g, why.back_iface)->name,
				       in->name);
		break;
	}
	sk_vtrace_decision(t, "drop", r);
	return 1;
}

/* Admission, then what a new flow meets before policy, with the worker's
 * own decision functions (decide.h); the steps explain their outcomes. */
static void
trace_admit(struct sk_vtrace *t, struct sk_pkt_meta *pm, uint16_t iface)
{
	const struct sk_gen *g = t->g;
	const struct sk_gen_iface *in = sk_trace_iface(g, iface);
	struct sk_route_result rr;
	enum sk_gen_dst dst;
	enum sk_new_flow nf;

	sk_trace_ingress(g, pm, iface);
	if (pm->vlan != in->vlan) {
		sk_vtrace_decision(t, "drop", SK_DROP_L2_VLAN_UNKNOWN);
		return;
	}
	if (sk_trace_is_nd(pm)) {
		sk_vtrace_step(t, "ICMPv6 neighbour discovery: handed to the main lcore (answered "
			       "for the unit's addresses, never forwarded, not policy)");
		json_object_set_new(t->doc, "slow_path", json_string("nd"));
		sk_vtrace_decision(t, "slow_path", SK_DROP_NONE);
		return;
	}
	if (trace_spoof(t, pm, iface))
		return;
	/* The destination decision.  The worker leaves a VIP's or SNAT
	 * source's to the connection lookup (dst_late); for a new flow, which
	 * a trace always is, the outcome is the same as deciding it here. */
	dst = sk_trace_dst(g, pm, &rr);
	/* A VIP:port of a service is routed once its backend is known. */
	t->is_lb = dst == SK_GEN_DST_SERVICE;
	sk_vtrace_lb_admit(t, pm);
	if (trace_dst(t, pm, dst, &rr))
		return;
	/* An ICMP error is never a flow of its own (worker wicmp.h): related
	 * to the connection it quotes, which a trace cannot know. */
	if (sk_trace_icmperr_is(pm)) {
		enum sk_drop_reason q = sk_trace_icmperr_quote(t->m, pm);

		/* The worker reads the quote first (stage 2, sk_wicmp_relate),
		 * then the connection table. */
		if (q != SK_DROP_NONE) {
			sk_vtrace_step(t, "ICMP error whose quote %s",
				       q == SK_DROP_ICMP_ERR_MALFORMED ?
				       "cannot hold an IP header and 8 bytes of L4" :
				       "can be no connection's (another protocol, a later "
				       "fragment, an echo reply or an error)");
			sk_vtrace_decision(t, "drop", q);
			return;
		}
	}
	if (sk_trace_icmperr_is(pm) && (t->is_lb || pm->out_zone != SK_ZONE_LOCAL)) {
		sk_vtrace_step(t, "ICMP error: related to the connection whose tuple it quotes "
			       "when the unit has one (forwarded without policy, translated "
			       "like a NAT connection); this trace has no connection table and "
			       "cannot tell, so it assumes none");
		sk_vtrace_decision(t, "drop", SK_DROP_ICMP_ERR_NO_CONN);
		return;
	}
	sk_vtrace_step(t, "no existing connection assumed: a new flow goes to policy");
	nf = sk_trace_new_flow(g, pm);
	if (sk_vtrace_lb_miss(t, pm, nf))
		return;
	/* A bare ACK that may carry a SYN cookie goes to policy (the worker's
	 * sk_synproxy_miss: a rule or service with the proxy, or the automatic
	 * mode, which a trace assumes may have been on). */
	if (nf == SK_NEW_FLOW_NOT_SYN &&
	    !((pm->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG |
				RTE_TCP_FIN_FLAG)) == RTE_TCP_ACK_FLAG &&
	      (sk_trace_synproxy_any(g) || sk_trace_settings(g)->synproxy_auto_halfopen +
	       sk_trace_settings(g)->synproxy_auto_syn_rate))) {
		sk_vtrace_step(t, "TCP segment that is not a bare SYN and tcp_loose is off");
		sk_vtrace_decision(t, "drop", sk_trace_new_flow_drop(nf));
		return;
	}
	if (t->is_lb && sk_vtrace_lb_prepare(t, pm))
		return;
	trace_decide(t, pm);
}

static json_t *
packet_json(const struct sk_verify_pkt *p, const struct sk_gen_iface *in, const char *zone,
	    uint16_t ip_len)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], pb[8];
	json_t *j;

	sk_vtrace_addr(p->family, p->src, s, sizeof(s));
	sk_vtrace_addr(p->family, p->dst, d, sizeof(d));
	j = json_pack("{s:s,s:s,s:i,s:s,s:s,s:s,s:i,s:i,s:b}", "in_interface", in->name,
		      "in_zone", zone, "family", p->family, "src", s, "dst", d,
		      "proto", sk_verify_proto_name(p->proto, pb, sizeof(pb)),
		      "ttl", p->ttl, "length", ip_len, "df", p->df != 0);
	if (j == NULL)
		return NULL;
	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) {
		json_object_set_new(j, "sport", json_integer(p->sport));
		json_object_set_new(j, "dport", json_integer(p->dport));
	}
	if (p->proto == IPPROTO_TCP) {
		static const char letters[] = "FSRPAUEC";
		char f[9];
		int i, n = 0;

		for (i = 0; i < 8; i++)
			if (p->tcp_flags & (1u << i))
				f[n++] = letters[i];
		f[n] = '\0';
		json_object_set_new(j, "tcp_flags", json_string(f));
	}
	if (p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6) {
		json_object_set_new(j, "icmp_type", json_integer(p->icmp_type));
		json_object_set_new(j, "icmp_code", json_integer(p->icmp_code));
	}
	if (p->l2_mcast)
		json_object_set_new(j, "l2_broadcast", json_true());
	return j;
}

json_t *
sk_verify_trace(const struct sk_gen *g, const struct sk_verify_pkt *p, char *err, size_t errlen)
{
	struct sk_vtrace t = { .g = g };
	struct fake_mbuf fm = { NULL };
	struct sk_pkt_meta *pm;
	uint16_t ip_len;
	int iface;

	sk_vmodel_init(&t.vm, sk_trace_image(g));
	if (p->family != 4 && p->family != 6) {
		snprintf(err, errlen, "family must be 4 or 6");
		return NULL;
	}
	iface = find_iface(&t, p, err, errlen);
	if (iface < 0)
		return NULL;
	if (frame_build(sk_trace_iface(g, iface), p, &fm, &ip_len) != 0) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t.doc = json_object();
	t.steps = json_array();
	json_object_set_new(t.doc, "generation", json_integer((json_int_t)sk_trace_image(g)->generation));
	json_object_set_new(t.doc, "packet", packet_json(p, sk_trace_iface(g, iface),
		sk_vmodel_zone_name(&t.vm, sk_trace_iface(g, iface)->zone), ip_len));
	json_object_set_new(t.doc, "steps", t.steps);
	json_object_set_new(t.doc, "local", json_false());
	json_object_set_new(t.doc, "route", json_null());
	json_object_set_new(t.doc, "policy", json_null());
	json_object_set_new(t.doc, "reply", json_null());
	json_object_set_new(t.doc, "ttl", json_pack("{s:i}", "in", p->ttl));
	/* The load balancer's stages (verify_trace_lb.c) fill these for a
	 * packet to a virtual service. */
	json_object_set_new(t.doc, "service", json_null());
	json_object_set_new(t.doc, "backend", json_null());
	json_object_set_new(t.doc, "nat", json_null());
	t.assumptions = json_pack("[s,s,s]",
		"a new flow: no connection in the table (replies of an accepted connection "
		"bypass policy)",
		"room in the connection table",
		"whole datagram: no fragments to reassemble");
	json_object_set_new(t.doc, "assumptions", t.assumptions);

	pm = sk_pkt_meta(fm.m);
	sk_trace_parse(fm.m);
	if (pm->kind == SK_PKT_DROP) {
		sk_vtrace_step(&t, "parse: refused");
		sk_vtrace_decision(&t, "drop", pm->drop);
	} else {
		sk_vtrace_step(&t, "parse: IPv%u %s, arrives on %s (zone %s)", pm->family,
			       json_string_value(json_object_get(json_object_get(t.doc, "packet"),
						       "proto")),
			       sk_trace_iface(g, iface)->name,
			       sk_vmodel_zone_name(&t.vm, sk_trace_iface(g, iface)->zone));
		t.m = fm.m;
		trace_admit(&t, pm, (uint16_t)iface);
	}
	free(fm.m);
	return t.doc;
}
