/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_parse.c - table-driven tests of sk_pkt_parse: each case is a frame
 * description (plus an optional corruption) and the meta or drop reason the
 * parser must produce.  Sweeps cut frames at every byte to cover every
 * header boundary, and a burst of 32 is checked against one-by-one results.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "sk_drop.h"
#include "pkt/pkt_parse.h"
#include "sk_test.h"
#include "sk_test_eal.h"
#include "sk_test_pkt.h"

/* The case macros give defaults that individual cases override on purpose. */
#pragma GCC diagnostic ignored "-Woverride-init"

static struct rte_mempool *mp;
static const struct rte_ether_addr *port_mac = (const struct rte_ether_addr *)pb_port_mac;

#define IP_DROP(r) .kind = SK_PKT_DROP, .drop = SK_DROP_##r
#define F_SYN RTE_TCP_SYN_FLAG
#define F_ACK RTE_TCP_ACK_FLAG
#define F_FIN RTE_TCP_FIN_FLAG
#define F_RST RTE_TCP_RST_FLAG
#define F_PSH RTE_TCP_PSH_FLAG
#define F_URG RTE_TCP_URG_FLAG

struct pcase {
	const char *name;
	struct pb_spec s;
	void (*mut)(struct pb_pkt *);
	uint64_t ol_flags;
	uint16_t vlan_tci;
	int kind;
	int drop;
	/* expected for SK_PKT_IP */
	uint8_t frag;
	uint16_t l2, l3, l4;
	uint16_t sport, dport;
	uint16_t vlan;
	uint8_t mcast;
	int proto;   /* 0: the spec's */
	uint8_t ip_opts; /* meta->ip_opts expected: 1 = options other than padding */
};

/* ---- corruptions applied after building ---- */
static void m_ver5(struct pb_pkt *p) { p->b[p->l3] = 0x55; pb_fix4(p); }
static void m_ihl4(struct pb_pkt *p) { p->b[p->l3] = 0x44; pb_fix4(p); }
static void m_tot_lt_ihl(struct pb_pkt *p) { pb_wr16(p->b + p->l3 + 2, 19); pb_fix4(p); }
static void m_tot_gt_frame(struct pb_pkt *p)
{
	pb_wr16(p->b + p->l3 + 2, (uint16_t)(p->len - p->l3 + 1));
	pb_fix4(p);
}
static void m_cksum(struct pb_pkt *p) { p->b[p->l3 + 10] ^= 0x01; }
static void m_cut_ihl(struct pb_pkt *p) { p->len = (uint16_t)(p->l3 + 20); }
static void m_cut_ip4(struct pb_pkt *p) { p->len = (uint16_t)(p->l3 + 19); }
static void m_cut_ip6(struct pb_pkt *p) { p->len = (uint16_t)(p->l3 + 39); }
static void m_runt(struct pb_pkt *p) { p->len = 13; }
static void m_cut_vlan(struct pb_pkt *p) { p->len = 16; }
static void m_ver4in6(struct pb_pkt *p) { p->b[p->l3] = 0x40; }
static void m_plen_big(struct pb_pkt *p)
{
	pb_wr16(p->b + p->l3 + 4, (uint16_t)(p->len - p->l3 - 40 + 1));
}
static void m_udp_len7(struct pb_pkt *p) { pb_wr16(p->b + p->l4 + 4, 7); }
static void m_udp_len_big(struct pb_pkt *p)
{
	pb_wr16(p->b + p->l4 + 4, (uint16_t)(p->ipend - p->l4 + 1));
}
static void m_arp_htype(struct pb_pkt *p) { p->b[p->l3 + 1] = 6; }
static void m_arp_op3(struct pb_pkt *p) { p->b[p->l3 + 7] = 3; }
static void m_arp_plen(struct pb_pkt *p) { p->b[p->l3 + 5] = 16; }
static void m_arp_ptype(struct pb_pkt *p) { pb_wr16(p->b + p->l3 + 2, 0x86dd); }
static void m_arp_cut(struct pb_pkt *p) { p->len = (uint16_t)(p->l3 + 27); }
/* IPv6 first extension header claims more than the payload holds. */
static void m_ext_long(struct pb_pkt *p) { p->b[p->l3 + 40 + 1] = 200; }

static void m_doff4(struct pb_pkt *p) { p->b[p->l4 + 12] = 0x40; }
static void m_doff15(struct pb_pkt *p) { p->b[p->l4 + 12] = 0xf0; }

static const uint8_t opt_nops[4] = { 1, 1, 1, 0 };
/* record route: type 7, len 7, pointer 4, one empty slot; then EOL */
static const uint8_t opt_rr[8] = { 7, 7, 4, 0, 0, 0, 0, 0 };
/* router alert (RFC 2113): an option the interface's ip_options decides */
static const uint8_t opt_ra[8] = { 148, 4, 0, 0, 1, 1, 1, 0 };
/* loose and strict source route, one hop each (RFC 791) */
static const uint8_t opt_lsrr[8] = { 131, 7, 4, 198, 51, 100, 9, 0 };
static const uint8_t opt_ssrr[8] = { 1, 137, 7, 4, 198, 51, 100, 9 };
static const uint8_t opt_len1[4] = { 1, 7, 1, 0 };
static const uint8_t opt_len_past[4] = { 1, 7, 5, 0 };
static const uint8_t opt_no_len[4] = { 1, 1, 1, 7 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mcast6[6] = { 0x33, 0x33, 0xff, 0x00, 0x00, 0x01 };

#define TCP4(...) { .family = 4, .proto = 6, .sport = 1234, .dport = 80, .tcp_flags = F_SYN, __VA_ARGS__ }
#define UDP4(...) { .family = 4, .proto = 17, .sport = 5353, .dport = 53, .payload = 12, __VA_ARGS__ }
#define TCP6(...) { .family = 6, .proto = 6, .sport = 1234, .dport = 443, .tcp_flags = F_SYN, __VA_ARGS__ }
#define UDP6(...) { .family = 6, .proto = 17, .sport = 5353, .dport = 53, .payload = 12, __VA_ARGS__ }
#define EXT(t, l) { .type = (t), .len = (l) }

static const struct pcase cases[] = {
	/* ---- valid ---- */
	{ "v4 tcp syn", TCP4(), .kind = SK_PKT_IP, .l2 = 14, .l3 = 20, .l4 = 20,
	  .sport = 1234, .dport = 80 },
	{ "v4 tcp ack|psh with options", TCP4(.tcp_flags = F_ACK | F_PSH, .tcp_doff = 8, .payload = 100),
	  .kind = SK_PKT_IP, .l2 = 14, .l3 = 20, .l4 = 32, .sport = 1234, .dport = 80 },
	{ "v4 tcp rst alone", TCP4(.tcp_flags = F_RST), .kind = SK_PKT_IP, .l2 = 14, .l3 = 20,
	  .l4 = 20, .sport = 1234, .dport = 80 },
	{ "v4 udp", UDP4(), .kind = SK_PKT_IP, .l2 = 14, .l3 = 20, .l4 = 8, .sport = 5353, .dport = 53 },
	{ "v4 icmp echo request", { .family = 4, .proto = 1, .icmp_type = 8, .icmp_id = 0x4321, .payload = 56 },
	  .kind = SK_PKT_IP, .l2 = 14, .l3 = 20, .l4 = 8, .sport = 0x4321, .dport = 0x4321 },
	{ "v4 icmp echo reply", { .family = 4, .proto = 1, .icmp_type = 0, .icmp_id = 77 },
	  .kind = SK_PKT_IP, .l2 = 14, .l3 = 20, .l4 = 8, .sport = 77, .dport = 77 },
	{ "v4 icmp unreachable has no ports", { .family = 4, .proto = 1, .icmp_type = 3, .icmp_code = 4, .icmp_id = 99, .payload = 28 },
	  .kind = SK_PKT_IP, .l2 = 14, .l3 = 20, .l4 = 8 },
	{ "v4 vlan 100 tcp", TCP4(.vlan = 100), .kind = SK_PKT_IP, .l2 = 18, .l3 = 20, .l4 = 20,
	  .sport = 1234, .dport = 80, .vlan = 100 },
	{ "v4 options nop/eol", TCP4(.opts = opt_nops, .optlen = 4), .kind = SK_PKT_IP, .l2 = 14,
	  .l3 = 24, .l4 = 20, .sport = 1234, .dport = 80 },
	{ "v4 options router alert", UDP4(.opts = opt_ra, .optlen = 8), .kind = SK_PKT_IP, .l2 = 14,
	  .l3 = 28, .l4 = 8, .sport = 5353, .dport = 53, .ip_opts = 1 },
	{ "v4 broadcast frame", UDP4(.dmac = bcast, .dst = "255.255.255.255"), .kind = SK_PKT_IP,
	  .l2 = 14, .l3 = 20, .l4 = 8, .sport = 5353, .dport = 53, .mcast = 1 },
	{ "v4 ethernet padding", UDP4(.payload = 2, .pad = 16), .kind = SK_PKT_IP, .l2 = 14, .l3 = 20,
	  .l4 = 8, .sport = 5353, .dport = 53 },
	{ "v4 first fragment", UDP4(.v4frag = 0x2000, .payload = 64), .kind = SK_PKT_IP,
	  .frag = SK_FRAG_FIRST, .l2 = 14, .l3 = 20, .l4 = 8, .sport = 5353, .dport = 53 },
	{ "v4 first fragment, tcp header does not fit", TCP4(.v4frag = 0x2000), .mut = m_doff15,
	  .kind = SK_PKT_IP, .frag = SK_FRAG_FIRST, .l2 = 14, .l3 = 20, .l4 = 0 },
	{ "v4 later fragment", UDP4(.v4frag = 185, .payload = 64), .kind = SK_PKT_IP,
	  .frag = SK_FRAG_LATER, .l2 = 14, .l3 = 20, .l4 = 0 },
	{ "v4 last fragment (offset, no MF)", UDP4(.v4frag = 0x4000 | 10, .payload = 64),
	  .kind = SK_PKT_IP, .frag = SK_FRAG_LATER, .l2 = 14, .l3 = 20, .l4 = 0 },
	{ "v4 DF alone is not a fragment", UDP4(.v4frag = 0x4000), .kind = SK_PKT_IP, .l2 = 14,
	  .l3 = 20, .l4 = 8, .sport = 5353, .dport = 53 },
	{ "v4 bad checksum but PMD says good", UDP4(), .mut = m_cksum,
	  .ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD, .kind = SK_PKT_IP, .l2 = 14, .l3 = 20, .l4 = 8,
	  .sport = 5353, .dport = 53 },
	{ "v4 gre: other protocol", { .family = 4, .proto = 47, .payload = 20 }, .kind = SK_PKT_IP,
	  .l2 = 14, .l3 = 20, .l4 = 0 },
	{ "v4 vlan stripped by PMD", TCP4(), .ol_flags = RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED,
	  .vlan_tci = 0x2000 | 42, .kind = SK_PKT_IP, .l2 = 14, .l3 = 20, .l4 = 20, .sport = 1234,
	  .dport = 80, .vlan = 42 },
	{ "v6 tcp", TCP6(), .kind = SK_PKT_IP, .l2 = 14, .l3 = 40, .l4 = 20, .sport = 1234, .dport = 443 },
	{ "v6 udp", UDP6(), .kind = SK_PKT_IP, .l2 = 14, .l3 = 40, .l4 = 8, .sport = 5353, .dport = 53 },
	{ "v6 hbh+dstopts+routing(4)+udp", UDP6(.n_ext = 3, .ext = { EXT(0, 8), EXT(60, 16),
	  { .type = 43, .len = 24, .rtype = 4 } }), .kind = SK_PKT_IP, .l2 = 14, .l3 = 88, .l4 = 8,
	  .sport = 5353, .dport = 53 },
	{ "v6 ah+tcp", TCP6(.n_ext = 1, .ext = { EXT(51, 24) }), .kind = SK_PKT_IP, .l2 = 14,
	  .l3 = 64, .l4 = 20, .sport = 1234, .dport = 443 },
	{ "v6 chain of 8 is the limit", UDP6(.n_ext = 8, .ext = { EXT(0, 8), EXT(60, 8), EXT(60, 8),
	  EXT(60, 8), EXT(60, 8), EXT(60, 8), EXT(60, 8), EXT(60, 8) }), .kind = SK_PKT_IP, .l2 = 14,
	  .l3 = 104, .l4 = 8, .sport = 5353, .dport = 53 },
	{ "v6 esp ends the chain", { .family = 6, .proto = 50, .payload = 40, .n_ext = 1,
	  .ext = { EXT(60, 8) } }, .kind = SK_PKT_IP, .l2 = 14, .l3 = 48, .l4 = 0 },
	{ "v6 no next header", { .family = 6, .proto = 59 }, .kind = SK_PKT_IP, .l2 = 14, .l3 = 40 },
	{ "v6 icmp echo request", { .family = 6, .proto = 58, .icmp_type = 128, .icmp_id = 0xbeef, .payload = 8 },
	  .kind = SK_PKT_IP, .l2 = 14, .l3 = 40, .l4 = 8, .sport = 0xbeef, .dport = 0xbeef },
	{ "v6 icmp echo reply", { .family = 6, .proto = 58, .icmp_type = 129, .icmp_id = 5 },
	  .kind = SK_PKT_IP, .l2 = 14, .l3 = 40, .l4 = 8, .sport = 5, .dport = 5 },
	{ "v6 neighbour solicitation to multicast", { .family = 6, .proto = 58, .icmp_type = 135,
	  .icmp_id = 7, .payload = 16, .dmac = mcast6, .dst = "ff02::1:ff00:1" }, .kind = SK_PKT_IP,
	  .l2 = 14, .l3 = 40, .l4 = 8, .mcast = 1 },
	{ "v6 first fragment", UDP6(.n_ext = 1, .ext = { { .type = 44, .len = 8, .fd = 1, .id = 9 } }),
	  .kind = SK_PKT_IP, .frag = SK_FRAG_FIRST, .l2 = 14, .l3 = 48, .l4 = 8, .sport = 5353, .dport = 53 },
	{ "v6 later fragment", UDP6(.n_ext = 1, .ext = { { .type = 44, .len = 8, .fd = 1448, .id = 9 } }),
	  .kind = SK_PKT_IP, .frag = SK_FRAG_LATER, .l2 = 14, .l3 = 48, .l4 = 0 },
	{ "v6 atomic fragment is whole", TCP6(.n_ext = 1, .ext = { { .type = 44, .len = 8, .id = 9 } }),
	  .kind = SK_PKT_IP, .l2 = 14, .l3 = 48, .l4 = 20, .sport = 1234, .dport = 443 },
	{ "v6 vlan udp", UDP6(.vlan = 4094), .kind = SK_PKT_IP, .l2 = 18, .l3 = 40, .l4 = 8,
	  .sport = 5353, .dport = 53, .vlan = 4094 },
	{ "arp request", { .family = 0, .dmac = bcast }, .kind = SK_PKT_ARP },

	/* ---- L2 ---- */
	{ "runt frame", UDP4(), .mut = m_runt, IP_DROP(L2_TRUNCATED) },
	{ "vlan tag cut", UDP4(.vlan = 5), .mut = m_cut_vlan, IP_DROP(L2_TRUNCATED) },
	{ "other host mac", UDP4(.dmac = pb_other_mac), IP_DROP(L2_OTHER_HOST) },
	{ "qinq 88a8", UDP4(.vlan = 5, .outer_tpid = 0x88a8), IP_DROP(L2_UNSUPPORTED) },
	{ "double 8100", UDP4(.vlan = 5, .outer_tpid = 0x8100), IP_DROP(L2_UNSUPPORTED) },
	{ "tag in frame after stripped tag", UDP4(.vlan = 5),
	  .ol_flags = RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED, .vlan_tci = 9,
	  IP_DROP(L2_UNSUPPORTED) },
	{ "lldp ethertype", UDP4(.ethertype = 0x88cc), IP_DROP(L2_UNSUPPORTED) },
	/* ---- ARP ---- */
	{ "arp cut", { .family = 0 }, .mut = m_arp_cut, IP_DROP(ARP_MALFORMED) },
	{ "arp htype 6", { .family = 0 }, .mut = m_arp_htype, IP_DROP(ARP_MALFORMED) },
	{ "arp ptype v6", { .family = 0 }, .mut = m_arp_ptype, IP_DROP(ARP_MALFORMED) },
	{ "arp plen 16", { .family = 0 }, .mut = m_arp_plen, IP_DROP(ARP_MALFORMED) },
	{ "arp op 3", { .family = 0 }, .mut = m_arp_op3, IP_DROP(ARP_MALFORMED) },
	/* ---- IPv4 ---- */
	{ "v4 header cut", UDP4(), .mut = m_cut_ip4, IP_DROP(IP4_TRUNCATED) },
	{ "v4 options cut", UDP4(.opts = opt_rr, .optlen = 8), .mut = m_cut_ihl, IP_DROP(IP4_TRUNCATED) },
	{ "v4 version 5", UDP4(), .mut = m_ver5, IP_DROP(IP4_BAD_HEADER) },
	{ "v4 ihl 4", UDP4(), .mut = m_ihl4, IP_DROP(IP4_BAD_HEADER) },
	{ "v4 total length < ihl", UDP4(), .mut = m_tot_lt_ihl, IP_DROP(IP4_BAD_HEADER) },
	{ "v4 total length > frame", UDP4(), .mut = m_tot_gt_frame, IP_DROP(IP4_TRUNCATED) },
	{ "v4 bad checksum", UDP4(), .mut = m_cksum, IP_DROP(IP4_BAD_CHECKSUM) },
	{ "v4 PMD says checksum bad", UDP4(), .ol_flags = RTE_MBUF_F_RX_IP_CKSUM_BAD,
	  IP_DROP(IP4_BAD_CHECKSUM) },
	{ "v4 option length 1", UDP4(.opts = opt_len1, .optlen = 4), IP_DROP(IP4_BAD_HEADER) },
	{ "v4 option past header", UDP4(.opts = opt_len_past, .optlen = 4), IP_DROP(IP4_BAD_HEADER) },
	{ "v4 option without length byte", UDP4(.opts = opt_no_len, .optlen = 4), IP_DROP(IP4_BAD_HEADER) },
	{ "v4 options record route", UDP4(.opts = opt_rr, .optlen = 8), IP_DROP(IP_SOURCE_ROUTE) },
	{ "v4 options loose source route", UDP4(.opts = opt_lsrr, .optlen = 8),
	  IP_DROP(IP_SOURCE_ROUTE) },
	{ "v4 options strict source route after a nop", UDP4(.opts = opt_ssrr, .optlen = 8),
	  IP_DROP(IP_SOURCE_ROUTE) },
	{ "v4 src this-network 0/8", UDP4(.src = "0.1.2.3"), IP_DROP(IP_BAD_ADDRESS) },
	{ "v4 src multicast", UDP4(.src = "224.0.0.5"), IP_DROP(IP_BAD_ADDRESS) },
	{ "v4 src class E top", UDP4(.src = "239.255.255.255"), IP_DROP(IP_BAD_ADDRESS) },
	{ "v4 src broadcast", UDP4(.src = "255.255.255.255"), IP_DROP(IP_BAD_ADDRESS) },
	{ "v4 src 0.0.0.0", UDP4(.src = "0.0.0.0"), IP_DROP(IP_BAD_ADDRESS) },
	{ "v4 src loopback", UDP4(.src = "127.0.0.1"), IP_DROP(IP_BAD_ADDRESS) },
	{ "v4 dst loopback", UDP4(.dst = "127.9.9.9"), IP_DROP(IP_BAD_ADDRESS) },
	{ "v4 dst 0.0.0.0", UDP4(.dst = "0.0.0.0"), IP_DROP(IP_BAD_ADDRESS) },
	/* ---- L4 over IPv4 ---- */
	{ "v4 tcp doff 4", TCP4(.payload = 20), .mut = m_doff4, IP_DROP(TCP_BAD_HEADER) },
	{ "v4 tcp doff past payload", TCP4(.payload = 20), .mut = m_doff15, IP_DROP(L4_TRUNCATED) },
	{ "v4 tcp syn+fin", TCP4(.tcp_flags = F_SYN | F_FIN), IP_DROP(TCP_BAD_FLAGS) },
	{ "v4 tcp syn+rst", TCP4(.tcp_flags = F_SYN | F_RST | F_ACK), IP_DROP(TCP_BAD_FLAGS) },
	{ "v4 tcp no flags", TCP4(.tcp_flags = 0), IP_DROP(TCP_BAD_FLAGS) },
	{ "v4 tcp only ece/cwr", TCP4(.tcp_flags = 0xc0), IP_DROP(TCP_BAD_FLAGS) },
	{ "v4 tcp fin without ack", TCP4(.tcp_flags = F_FIN), IP_DROP(TCP_BAD_FLAGS) },
	{ "v4 tcp psh without ack", TCP4(.tcp_flags = F_PSH), IP_DROP(TCP_BAD_FLAGS) },
	{ "v4 tcp urg without ack", TCP4(.tcp_flags = F_URG), IP_DROP(TCP_BAD_FLAGS) },
	{ "v4 tcp xmas", TCP4(.tcp_flags = F_FIN | F_PSH | F_URG), IP_DROP(TCP_BAD_FLAGS) },
	{ "v4 udp length 7", UDP4(), .mut = m_udp_len7, IP_DROP(L4_TRUNCATED) },
	{ "v4 udp length > payload", UDP4(), .mut = m_udp_len_big, IP_DROP(L4_TRUNCATED) },
	/* ---- IPv6 ---- */
	{ "v6 header cut", UDP6(), .mut = m_cut_ip6, IP_DROP(IP6_TRUNCATED) },
	{ "v6 version 4", UDP6(), .mut = m_ver4in6, IP_DROP(IP6_BAD_HEADER) },
	{ "v6 payload length > frame", UDP6(), .mut = m_plen_big, IP_DROP(IP6_TRUNCATED) },
	{ "v6 routing type 0", UDP6(.n_ext = 1, .ext = { { .type = 43, .len = 24, .rtype = 0 } }),
	  IP_DROP(IP_SOURCE_ROUTE) },
	{ "v6 src ipv4-mapped", UDP6(.src = "::ffff:192.0.2.1"), IP_DROP(IP_BAD_ADDRESS) },
	{ "v6 hop-by-hop not first", UDP6(.n_ext = 2, .ext = { EXT(60, 8), EXT(0, 8) }),
	  IP_DROP(IP6_BAD_HEADER) },
	{ "v6 chain of 9", UDP6(.n_ext = 9, .ext = { EXT(60, 8), EXT(60, 8), EXT(60, 8), EXT(60, 8),
	  EXT(60, 8), EXT(60, 8), EXT(60, 8), EXT(60, 8), EXT(60, 8) }), IP_DROP(IP6_BAD_HEADER) },
	{ "v6 extension header past payload", UDP6(.n_ext = 1, .ext = { EXT(60, 8) }), .mut = m_ext_long,
	  IP_DROP(IP6_BAD_HEADER) },
	{ "v6 two fragment headers", UDP6(.n_ext = 2, .ext = { { .type = 44, .len = 8, .fd = 1 },
	  { .type = 44, .len = 8, .fd = 1 } }), IP_DROP(IP6_BAD_HEADER) },
	{ "v6 src multicast", UDP6(.src = "ff02::1"), IP_DROP(IP_BAD_ADDRESS) },
	{ "v6 src loopback", UDP6(.src = "::1"), IP_DROP(IP_BAD_ADDRESS) },
	{ "v6 dst loopback", UDP6(.dst = "::1"), IP_DROP(IP_BAD_ADDRESS) },
	{ "v6 dst unspecified", UDP6(.dst = "::"), IP_DROP(IP_BAD_ADDRESS) },
	{ "v6 tcp syn+fin", TCP6(.tcp_flags = F_SYN | F_FIN), IP_DROP(TCP_BAD_FLAGS) },
	{ "v6 udp length > payload", UDP6(), .mut = m_udp_len_big, IP_DROP(L4_TRUNCATED) },
};

static const char *
drop_name(int r)
{
	if (r == SK_DROP_NONE)
		return "none";
	return r > 0 && r < SK_DROP__MAX ? sk_drop_names[r] : "?";
}

/* First field of the meta that differs from the case, NULL if none. */
static const char *
meta_mismatch(const struct pcase *c, const struct pb_pkt *p, const struct rte_mbuf *m,
	      const struct sk_pkt_meta *meta)
{
	uint8_t src[16] = { 0 }, dst[16] = { 0 };
	int alen = c->s.family == 4 ? 4 : 16;

	if (c->s.family == 4) {
		memcpy(src, p->b + p->l3 + 12, 4);
		memcpy(dst, p->b + p->l3 + 16, 4);
	} else {
		memcpy(src, p->b + p->l3 + 8, 16);
		memcpy(dst, p->b + p->l3 + 24, 16);
	}
	if (meta->family != c->s.family) return "family";
	if (meta->proto != (c->proto ? c->proto : c->s.proto)) return "proto";
	if (meta->frag != c->frag) return "frag";
	if (meta->l2_len != c->l2 || m->l2_len != c->l2) return "l2_len";
	if (meta->l3_len != c->l3 || m->l3_len != c->l3) return "l3_len";
	if (meta->l4_len != c->l4 || m->l4_len != c->l4) return "l4_len";
	if (meta->sport != c->sport) return "sport";
	if (meta->dport != c->dport) return "dport";
	if (meta->vlan != c->vlan) return "vlan";
	if (meta->l2_mcast != c->mcast) return "l2_mcast";
	if (meta->ip_opts != c->ip_opts) return "ip_opts";
	if (meta->ttl != 64) return "ttl";
	if (meta->ip_len != p->ipend - p->l3) return "ip_len";
	if (memcmp(meta->src, src, 16) || memcmp(meta->dst, dst, 16) || alen == 0) return "addresses";
	if (c->s.proto == 6 && c->l4 != 0 && meta->tcp_flags != c->s.tcp_flags)
		return "tcp_flags";
	if ((c->s.proto == 1 || c->s.proto == 58) &&
	    (meta->icmp_type != c->s.icmp_type || meta->icmp_code != c->s.icmp_code))
		return "icmp type/code";
	return NULL;
}

static struct rte_mbuf *
case_mbuf(const struct pcase *c, struct pb_pkt *p)
{
	pb_build(&c->s, p);
	if (c->mut)
		c->mut(p);
	struct rte_mbuf *m = pb_mbuf(mp, p->b, p->len);
	if (m != NULL) {
		m->ol_flags = c->ol_flags;
		m->vlan_tci = c->vlan_tci;
	}
	return m;
}

static void
run_case(const struct pcase *c)
{
	static struct pb_pkt p;
	struct rte_mbuf *m = case_mbuf(c, &p);

	if (m == NULL) {
		SK_CHECK(0, "%s: mbuf", c->name);
		return;
	}
	struct sk_pkt_meta *meta = sk_pkt_meta(m);
	memset(meta, 0xa5, sizeof(*meta));  /* stale garbage from a previous use */
	meta->in_port = 7;
	meta->in_zone = 3;
	int kind = sk_pkt_parse(m, port_mac);

	if (c->kind == SK_PKT_DROP) {
		SK_CHECK(kind == SK_PKT_DROP && meta->kind == SK_PKT_DROP && meta->drop == c->drop,
			 "%s -> %s (got kind %d %s)", c->name, drop_name(c->drop), meta->kind,
			 meta->kind == SK_PKT_DROP ? drop_name(meta->drop) : "");
	} else if (c->kind == SK_PKT_ARP) {
		SK_CHECK(kind == SK_PKT_ARP && meta->kind == SK_PKT_ARP &&
			 memcmp(meta->src, p.b + p.l3 + 14, 4) == 0 &&
			 memcmp(meta->dst, p.b + p.l3 + 24, 4) == 0 && meta->l2_mcast == 1,
			 "%s -> arp (got kind %d %s)", c->name, meta->kind,
			 meta->kind == SK_PKT_DROP ? drop_name(meta->drop) : "");
	} else {
		const char *bad = kind == SK_PKT_IP && meta->kind == SK_PKT_IP ?
			meta_mismatch(c, &p, m, meta) : "kind";
		SK_CHECK(bad == NULL, "%s -> ip (mismatch: %s%s%s)", c->name, bad ? bad : "none",
			 meta->kind == SK_PKT_DROP ? ", dropped as " : "",
			 meta->kind == SK_PKT_DROP ? drop_name(meta->drop) : "");
	}
	SK_CHECK(meta->in_port == 7 && meta->in_zone == 3 &&
		 memcmp(rte_pktmbuf_mtod(m, void *), p.b, p.len) == 0,
		 "%s: worker fields and packet bytes untouched", c->name);
	rte_pktmbuf_free(m);
}

static int
parse_bytes(const uint8_t *b, uint16_t len, uint8_t *drop)
{
	struct rte_mbuf *m = pb_mbuf(mp, b, len);
	if (m == NULL)
		return -1;
	int kind = sk_pkt_parse(m, port_mac);
	*drop = sk_pkt_meta(m)->drop;
	rte_pktmbuf_free(m);
	return kind;
}

/* A frame cut at every byte: the reason must follow the header it ends in. */
static void
sweep_frame_cuts(const char *name, const struct pb_spec *s, int l3_reason)
{
	static struct pb_pkt p;
	int bad = 0, first_bad = -1;
	uint16_t len;

	pb_build(s, &p);
	for (len = 0; len < p.ipend; len++) {
		uint8_t drop;
		int want = len < p.l3 ? SK_DROP_L2_TRUNCATED : l3_reason;
		int kind = parse_bytes(p.b, len, &drop);
		if (kind != SK_PKT_DROP || drop != want) {
			bad++;
			if (first_bad < 0)
				first_bad = len;
		}
	}
	SK_CHECK(bad == 0, "%s: %u cuts each dropped with the right reason (first wrong at %d)",
		 name, p.ipend, first_bad);
}

/* The IP length shortened to end at every byte before the end of the L4
 * header: the frame is consistent, the L4 header is not all there. */
static void
sweep_l4_cuts(const char *name, const struct pb_spec *s, uint16_t l4_hdr)
{
	static struct pb_pkt p;
	int bad = 0, first_bad = -1;
	uint16_t cut;

	for (cut = 0; cut < l4_hdr; cut++) {
		uint8_t drop;
		pb_build(s, &p);
		uint16_t total = (uint16_t)(p.l4 - p.l3 + cut);
		if (s->family == 4) {
			pb_wr16(p.b + p.l3 + 2, total);
			pb_fix4(&p);
		} else {
			pb_wr16(p.b + p.l3 + 4, (uint16_t)(total - 40));
		}
		int kind = parse_bytes(p.b, (uint16_t)(p.l3 + total), &drop);
		if (kind != SK_PKT_DROP || drop != SK_DROP_L4_TRUNCATED) {
			bad++;
			if (first_bad < 0)
				first_bad = cut;
		}
	}
	SK_CHECK(bad == 0, "%s: L4 header cut at each of %u bytes -> l4_truncated (first wrong at %d)",
		 name, l4_hdr, first_bad);
}

/* IPv6 payload length ending inside the extension chain. */
static void
sweep_ext_cuts(void)
{
	static struct pb_pkt p;
	const struct pb_spec s = UDP6(.n_ext = 3, .ext = { EXT(0, 8), EXT(60, 16), EXT(51, 16) });
	int bad = 0, first_bad = -1;
	uint16_t cut;

	pb_build(&s, &p);
	for (cut = 0; cut < p.l4 - p.l3 - 40; cut++) {
		uint8_t drop;
		pb_wr16(p.b + p.l3 + 4, cut);
		int kind = parse_bytes(p.b, (uint16_t)(p.l3 + 40 + cut), &drop);
		if (kind != SK_PKT_DROP || drop != SK_DROP_IP6_BAD_HEADER) {
			bad++;
			if (first_bad < 0)
				first_bad = cut;
		}
	}
	SK_CHECK(bad == 0, "v6 payload ending inside the extension chain -> ip6_bad_header "
		 "(first wrong at %d)", first_bad);
}

/* Headers split over two segments count as truncated; payload in a second
 * segment (a reassembled datagram) is fine. */
static void
test_segments(void)
{
	static struct pb_pkt p;
	const struct pb_spec s = UDP4(.payload = 100);
	struct rte_mbuf *m1, *m2;
	uint16_t split;

	pb_build(&s, &p);
	for (split = (uint16_t)(p.l3 + 10); split <= p.l4 + 8; split = (uint16_t)(split + (uint16_t)(p.l4 + 8 - p.l3 - 10))) {
		m1 = pb_mbuf(mp, p.b, split);
		m2 = pb_mbuf(mp, p.b + split, (uint16_t)(p.len - split));
		if (m1 == NULL || m2 == NULL || rte_pktmbuf_chain(m1, m2) != 0) {
			SK_CHECK(0, "segments: mbufs");
			return;
		}
		int kind = sk_pkt_parse(m1, port_mac);
		struct sk_pkt_meta *meta = sk_pkt_meta(m1);
		if (split < p.l4)
			SK_CHECK(kind == SK_PKT_DROP && meta->drop == SK_DROP_IP4_TRUNCATED,
				 "IPv4 header split over two segments -> ip4_truncated");
		else
			SK_CHECK(kind == SK_PKT_IP && meta->sport == 5353 && meta->ip_len == p.ipend - p.l3,
				 "headers in the first segment, payload in the second -> ip");
		rte_pktmbuf_free(m1);
	}
	/* L4 header split */
	m1 = pb_mbuf(mp, p.b, (uint16_t)(p.l4 + 4));
	m2 = pb_mbuf(mp, p.b + p.l4 + 4, (uint16_t)(p.len - p.l4 - 4));
	if (m1 != NULL && m2 != NULL && rte_pktmbuf_chain(m1, m2) == 0) {
		int kind = sk_pkt_parse(m1, port_mac);
		SK_CHECK(kind == SK_PKT_DROP && sk_pkt_meta(m1)->drop == SK_DROP_L4_TRUNCATED,
			 "UDP header split over two segments -> l4_truncated");
		rte_pktmbuf_free(m1);
	}
}

/* NULL port MAC: the destination MAC is not checked. */
static void
test_null_mac(void)
{
	static struct pb_pkt p;
	const struct pb_spec s = UDP4(.dmac = pb_other_mac);
	pb_build(&s, &p);
	struct rte_mbuf *m = pb_mbuf(mp, p.b, p.len);
	if (m == NULL)
		return;
	SK_CHECK(sk_pkt_parse(m, NULL) == SK_PKT_IP, "NULL port_mac skips the MAC check");
	rte_pktmbuf_free(m);
}

/* One burst of 32 mixed packets gives what one-by-one parsing gives. */
static void
test_burst(void)
{
	static struct pb_pkt p;
	struct rte_mbuf *pk[32];
	const size_t nc = sizeof(cases) / sizeof(cases[0]);
	unsigned int i, ok = 0;

	for (i = 0; i < 32; i++) {
		pk[i] = case_mbuf(&cases[(i * 7) % nc], &p);
		if (pk[i] == NULL) {
			SK_CHECK(0, "burst: mbuf");
			while (i-- > 0)
				rte_pktmbuf_free(pk[i]);
			return;
		}
	}
	sk_pkt_parse_burst(pk, 32, port_mac);
	for (i = 0; i < 32; i++) {
		const struct pcase *c = &cases[(i * 7) % nc];
		const struct sk_pkt_meta *meta = sk_pkt_meta(pk[i]);
		if (meta->kind == c->kind && (c->kind != SK_PKT_DROP || meta->drop == c->drop) &&
		    (c->kind != SK_PKT_IP || (meta->sport == c->sport && meta->l3_len == c->l3)))
			ok++;
		rte_pktmbuf_free(pk[i]);
	}
	SK_CHECK(ok == 32, "burst of 32 in one call: %u/32 as expected", ok);
}

int
main(int argc, char **argv)
{
	size_t i;

	(void)argc;
	if (sk_test_eal_init(argv[0]) < 0) {
		printf("not ok 1 - EAL init\n");
		return 1;
	}
	mp = rte_pktmbuf_pool_create("parse_pool", 256, 0, SK_PKT_PRIV_SIZE,
				     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (mp == NULL) {
		printf("not ok 1 - mempool\n");
		return 1;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);

	const struct pb_spec v4opt = TCP4(.vlan = 12, .opts = opt_ra, .optlen = 8, .tcp_doff = 6, .payload = 10);
	const struct pb_spec v6ext = TCP6(.n_ext = 3, .ext = { EXT(0, 8), { .type = 43, .len = 24, .rtype = 4 },
		EXT(60, 8) }, .tcp_doff = 7, .payload = 10);
	const struct pb_spec v4udp = UDP4();
	const struct pb_spec v6udp = UDP6(.n_ext = 1, .ext = { EXT(60, 8) });
	const struct pb_spec v4icmp = { .family = 4, .proto = 1, .icmp_type = 8 };
	const struct pb_spec v6icmp = { .family = 6, .proto = 58, .icmp_type = 128 };
	sweep_frame_cuts("v4 vlan+options+tcp", &v4opt, SK_DROP_IP4_TRUNCATED);
	sweep_frame_cuts("v6 ext chain+tcp", &v6ext, SK_DROP_IP6_TRUNCATED);
	sweep_l4_cuts("v4 tcp with options", &v4opt, 24);
	sweep_l4_cuts("v6 tcp with options", &v6ext, 28);
	sweep_l4_cuts("v4 udp", &v4udp, 8);
	sweep_l4_cuts("v6 udp", &v6udp, 8);
	sweep_l4_cuts("v4 icmp", &v4icmp, 8);
	sweep_l4_cuts("v6 icmp", &v6icmp, 8);
	sweep_ext_cuts();
	test_segments();
	test_null_mac();
	test_burst();

	rte_mempool_free(mp);
	rte_eal_cleanup();
	return SK_TEST_DONE();
}
