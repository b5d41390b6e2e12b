/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_decide.c - the decisions the worker, the offline trace and the
 * benches share (dataplane/decide/decide.h), on a generation compiled from
 * config text: a rule's verdict and a zone pair's default (action and log,
 * the named type instead of packed bits), their drop reasons, the
 * destination decision and its deferred stage for a VIP, what a new flow
 * meets, forwarding's TTL/MTU outcome, and the offline façade
 * (sk_trace_api.h) answering the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_tcp.h>

#include "sk_test.h"
#include "sk_test_eal.h"

#include "cfg.h"
#include "sk_trace_api.h"
#include "gen/gen.h"
#include "decide/decide.h"
#include "verify/verify.h"

/* DPDK 22.11's RTE_IPV4 shifts an int: undefined for a first byte >= 128 (UBSan). */
#define IP4(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static const char *conf =
	"dataplane = { lcores = \"0-1\"; workers = 1; hugepages = false; };\n"
	"zones = ( \"outside\", \"inside\", \"dmz\" );\n"
	"interfaces = (\n"
	" { name = \"outside\"; zone = \"outside\"; device = \"net_null0\"; mac = \"02:00:00:00:00:01\";\n"
	"   ipv4 = [ \"203.0.113.1/24\" ]; ip_options = \"drop\"; },\n"
	" { name = \"inside\"; zone = \"inside\"; device = \"net_null1\"; mac = \"02:00:00:00:00:02\";\n"
	"   ipv4 = [ \"10.10.0.1/24\" ]; },\n"
	" { name = \"dmz\"; zone = \"dmz\"; device = \"net_null2\"; mac = \"02:00:00:00:00:03\"; mtu = 1400;\n"
	"   ipv4 = [ \"192.0.2.1/24\" ]; }\n"
	");\n"
	"services = ( { name = \"web\"; vip = \"203.0.113.80\"; proto = \"tcp\"; port = \"80\";\n"
	"   scheduler = \"maglev\"; forward = \"dnat\";\n"
	"   backends = ( { name = \"b1\"; address = \"10.10.0.11\"; port = 8080; } );\n"
	"   } );\n"
	"policy = { default = \"drop\"; log_default = true;\n"
	" zone_defaults = ( { from = \"inside\"; to = \"dmz\"; action = \"accept\"; },\n"
	"   { from = \"dmz\"; to = \"inside\"; action = \"reject\"; log = true; } );\n"
	" rules = (\n"
	"  { name = \"web-in\"; from = \"outside\"; to = \"inside\"; proto = \"tcp\";\n"
	"    dport = [ \"8080\" ]; action = \"accept\"; },\n"
	"  { name = \"telnet\"; from = \"outside\"; to = \"inside\"; proto = \"tcp\"; dport = [ \"23\" ];\n"
	"    action = \"reject\"; log = true; }\n"
	" );\n};\n";

static uint16_t
zone_of(const struct sk_gen *g, const char *iface)
{
	uint16_t i;

	for (i = 0; i < g->n_ifaces; i++)
		if (strcmp(g->ifaces[i].name, iface) == 0)
			return g->ifaces[i].zone;
	return 0;
}

static void
pkt4(struct sk_pkt_meta *pm, uint16_t in_iface, const struct sk_gen *g, uint32_t dst,
     uint16_t dport, uint8_t flags)
{
	uint32_t src = rte_cpu_to_be_32(IP4(198, 51, 100, 7));

	memset(pm, 0, sizeof(*pm));
	pm->kind = SK_PKT_IP;
	pm->family = 4;
	pm->proto = IPPROTO_TCP;
	pm->tcp_flags = flags;
	pm->ttl = 64;
	pm->ip_len = 60;
	pm->l2_len = 14;
	pm->l3_len = 20;
	pm->sport = 40000;
	pm->dport = dport;
	memcpy(pm->src, &src, 4);
	dst = rte_cpu_to_be_32(dst);
	memcpy(pm->dst, &dst, 4);
	pm->in_iface = in_iface;
	pm->in_zone = g->ifaces[in_iface].zone;
}

static void
test_verdicts(const struct sk_gen *g)
{
	uint16_t out = zone_of(g, "outside"), in = zone_of(g, "inside"), dmz = zone_of(g, "dmz");
	struct sk_verdict v;

	/* Zone pair defaults: a named type, no bits to decode. */
	SK_CHECK(g->zone_default[in][dmz].action == SK_ACT_ACCEPT &&
		 g->zone_default[in][dmz].log == 0, "inside -> dmz: accept, no log");
	SK_CHECK(g->zone_default[dmz][in].action == SK_ACT_REJECT &&
		 g->zone_default[dmz][in].log == 1, "dmz -> inside: reject, log");
	SK_CHECK(g->zone_default[out][in].action == SK_ACT_DROP &&
		 g->zone_default[out][in].log == 1, "outside -> inside: policy.default drop, log");

	v = sk_decide_verdict(g, 0, in, dmz);
	SK_CHECK(v.action == SK_ACT_ACCEPT && v.rule == 0 && v.rule_id == 0 &&
		 sk_decide_verdict_drop(&v) == SK_DROP_NONE, "default accept: no drop");
	v = sk_decide_verdict(g, 0, dmz, in);
	SK_CHECK(v.action == SK_ACT_REJECT && v.log == 1 &&
		 sk_decide_verdict_drop(&v) == SK_DROP_POLICY_DEFAULT,
		 "default reject: policy_default");
	v = sk_decide_verdict(g, 0, out, in);
	SK_CHECK(v.action == SK_ACT_DROP && sk_decide_verdict_drop(&v) == SK_DROP_POLICY_DEFAULT,
		 "default drop: policy_default");
	v = sk_decide_verdict(g, 1, out, in);
	SK_CHECK(v.action == SK_ACT_ACCEPT && v.rule == 1 && v.rule_id == g->rules[0].id &&
		 v.log == 0, "rule 1 (web-in): accept, its id");
	v = sk_decide_verdict(g, 2, out, in);
	SK_CHECK(v.action == SK_ACT_REJECT && v.log == 1 &&
		 sk_decide_verdict_drop(&v) == SK_DROP_POLICY_REJECT, "rule 2 (telnet): reject, log");
	printf("# rule ids %u %u\n", g->rules[0].id, g->rules[1].id);
}

static void
test_packets(const struct sk_gen *g)
{
	struct sk_route_result rr;
	struct sk_pkt_meta pm, q;
	struct sk_verdict v;
	enum sk_gen_dst d;

	/* outside -> 10.10.0.11:8080: routed to inside, rule web-in accepts. */
	pkt4(&pm, 0, g, IP4(10, 10, 0, 11), 8080, RTE_TCP_SYN_FLAG);
	SK_CHECK(sk_decide_lb_defer(g, &pm) == 0 && pm.dst_late == 0, "a backend: not deferred");
	d = sk_decide_dst(g, &pm, &rr);
	SK_CHECK(d == SK_GEN_DST_ROUTED && pm.out_iface == 1 &&
		 pm.out_zone == zone_of(g, "inside"), "routed out of inside (dst %d)", d);
	SK_CHECK(sk_decide_new_flow(g, &pm) == SK_NEW_FLOW_POLICY, "a SYN goes to policy");
	v = sk_decide_classify(g, &pm);
	SK_CHECK(v.action == SK_ACT_ACCEPT && v.rule == 1, "classify: web-in (rule %u)", v.rule);
	q = pm;
	SK_CHECK(sk_trace_dst(g, &q, &rr) == SK_GEN_DST_ROUTED &&
		 sk_trace_classify(g, &q).rule == v.rule, "the façade answers the same");

	/* An ACK with tcp_loose off: not a SYN. */
	pm.tcp_flags = RTE_TCP_ACK_FLAG;
	SK_CHECK(sk_decide_new_flow(g, &pm) == SK_NEW_FLOW_NOT_SYN &&
		 sk_decide_new_flow_drop(SK_NEW_FLOW_NOT_SYN) == SK_DROP_TCP_OUT_OF_STATE,
		 "an ACK without a connection: tcp_out_of_state");

	/* The VIP: deferred at admission, a service in the late stage. */
	pkt4(&pm, 0, g, IP4(203, 0, 113, 80), 80, RTE_TCP_SYN_FLAG);
	SK_CHECK(sk_decide_lb_defer(g, &pm) == 1 && pm.dst_late == 1 &&
		 (pm.lb_addr & SK_LB_ADDR_VIP), "a VIP: deferred");
	d = sk_decide_dst_late(g, &pm, &rr);
	SK_CHECK(d == SK_GEN_DST_SERVICE && pm.lb_svc == 1 && pm.dst_late == 0,
		 "VIP:80 is service 1, unrouted");
	/* Another port of the VIP: decided as any destination would be. */
	pkt4(&pm, 0, g, IP4(203, 0, 113, 80), 81, RTE_TCP_SYN_FLAG);
	SK_CHECK(sk_decide_lb_defer(g, &pm) == 1, "VIP:81 deferred too");
	d = sk_decide_dst_late(g, &pm, &rr);
	SK_CHECK(d == SK_GEN_DST_ROUTED && pm.lb_svc == 0 && pm.out_iface == 0,
		 "VIP:81: no service, routed on outside's link (dst %d)", d);

	/* To the unit: local. */
	pkt4(&pm, 0, g, IP4(203, 0, 113, 1), 22, RTE_TCP_SYN_FLAG);
	d = sk_decide_dst(g, &pm, &rr);
	SK_CHECK(d == SK_GEN_DST_LOCAL && pm.out_zone == SK_ZONE_LOCAL && pm.out_iface == 0,
		 "an interface address: local");

	/* IP options on outside (ip_options = "drop"), not on inside. */
	pm.ip_opts = 1;
	SK_CHECK(sk_decide_ip_opts(&g->ifaces[0], &pm) == SK_DROP_IP_OPTIONS &&
		 sk_decide_ip_opts(&g->ifaces[1], &pm) == SK_DROP_NONE, "ip_options drop / pass");
}

/* A frame for sk_decide_fwd's DF read: an IPv4 header behind 14 bytes. */
static void
test_fwd(const struct sk_gen *g)
{
	static uint8_t buf[sizeof(struct rte_mbuf) + 256] __attribute__((aligned(64)));
	struct rte_mbuf *m = (struct rte_mbuf *)buf;
	struct rte_ipv4_hdr *h;
	struct sk_pkt_meta pm;

	m->buf_addr = buf + sizeof(struct rte_mbuf);
	m->data_off = 0;
	h = (struct rte_ipv4_hdr *)(buf + sizeof(struct rte_mbuf) + 14);
	pkt4(&pm, 1, g, IP4(192, 0, 2, 9), 80, RTE_TCP_SYN_FLAG);
	pm.out_iface = 2;       /* dmz: MTU 1400 */
	pm.ip_len = 1400;
	SK_CHECK(sk_decide_fwd(g, m, &pm) == SK_FWD_SEND, "1400 bytes fit MTU 1400");
	pm.ttl = 1;
	SK_CHECK(sk_decide_fwd(g, m, &pm) == SK_FWD_TTL_EXCEEDED, "TTL 1: time exceeded");
	pm.ttl = 64;
	pm.ip_len = 1500;
	h->fragment_offset = 0;
	SK_CHECK(sk_decide_fwd(g, m, &pm) == SK_FWD_FRAGMENT, "1500 bytes, no DF: fragments");
	h->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	SK_CHECK(sk_decide_fwd(g, m, &pm) == SK_FWD_TOO_BIG &&
		 sk_trace_fwd(g, m, &pm) == SK_FWD_TOO_BIG, "1500 bytes with DF: too big");
	pm.family = 6;
	SK_CHECK(sk_decide_fwd(g, m, &pm) == SK_FWD_TOO_BIG, "IPv6: a router does not fragment");
	pm.reassembled = 1;
	SK_CHECK(sk_decide_fwd(g, m, &pm) == SK_FWD_FRAGMENT, "IPv6 the unit reassembled: fragments");
}

int
main(int argc, char **argv)
{
	struct sk_cfg_diag d;
	struct sk_cfg *cfg;
	struct sk_gen *g;
	char err[256];

	(void)argc;
	if (sk_test_eal_init(argv[0]) < 0) {
		printf("Bail out! EAL init failed\n");
		return 1;
	}
	sk_cfg_diag_init(&d);
	cfg = sk_cfg_load_string(conf, "test.conf", &d);
	if (cfg == NULL)
		sk_cfg_diag_print(&d, stdout);
	sk_cfg_diag_free(&d);
	SK_CHECK(cfg != NULL, "config compiles");
	if (cfg == NULL)
		return SK_TEST_DONE();
	g = sk_verify_gen_build(cfg, 1, err, sizeof(err));
	SK_CHECK(g != NULL, "generation builds: %s", g == NULL ? err : "ok");
	if (g != NULL) {
		test_verdicts(g);
		test_packets(g);
		test_fwd(g);
	}
	sk_trace_gen_free(g);
	sk_cfg_free(cfg);
	return SK_TEST_DONE();
}
