/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_synproxy_pkt.c - the SYN proxy's rewrites after the cookie SYN-ACK,
 * IPv4 and IPv6: a cookie ACK verifies (and a changed one does not) and
 * becomes the client's SYN with the options the cookie kept; the server's
 * SYN-ACK becomes the ACK back to it; a translated segment's seq, ack and
 * SACK edges (one of them at an odd offset) move by the delta with a
 * checksum equal to a full recomputation.
 */
#include <errno.h>
#include <string.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "sk_pkt_meta.h"
#include "pkt/pkt_parse.h"
#include "synproxy/synproxy_pkt.h"
#include "synproxy/synproxy_tcp.h"
#include "sk_test.h"
#include "sk_test_eal.h"
#include "sk_test_pkt.h"

static struct rte_mempool *mp;
static struct sk_syncookie_keys keys;
static const uint64_t now = 64 * 91 + 5;

static void *
l3_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, void *, sk_pkt_meta(m)->l2_len);
}

static struct rte_tcp_hdr *
tcp_of(struct rte_mbuf *m)
{
	const struct sk_pkt_meta *pm = sk_pkt_meta(m);

	return rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, pm->l2_len + pm->l3_len);
}

static int
csum_ok(struct rte_mbuf *m, int family)
{
	if (family == 4)
		return rte_ipv4_cksum(l3_of(m)) == 0 &&
		       rte_ipv4_udptcp_cksum_verify(l3_of(m), tcp_of(m)) == 0;
	return rte_ipv6_udptcp_cksum_verify(l3_of(m), tcp_of(m)) == 0;
}

/* A parsed TCP segment with valid checksums: opt/optlen after the header. */
static struct rte_mbuf *
seg(int family, uint8_t flags, uint32_t seq, uint32_t ack, const uint8_t *opt, uint8_t optlen,
    uint16_t payload)
{
	struct pb_spec s = { .family = family, .proto = IPPROTO_TCP, .tcp_flags = flags,
		.tcp_doff = (uint8_t)(5 + optlen / 4), .sport = 40000, .dport = 80,
		.payload = payload };
	struct rte_mbuf *m;
	struct pb_pkt p;

	pb_build(&s, &p);
	if (optlen != 0)
		memcpy(p.b + p.l4 + 20, opt, optlen);
	m = pb_mbuf(mp, p.b, p.len);
	if (m == NULL || sk_pkt_parse(m, (const struct rte_ether_addr *)pb_port_mac) != SK_PKT_IP)
		return NULL;
	tcp_of(m)->sent_seq = rte_cpu_to_be_32(seq);
	tcp_of(m)->recv_ack = rte_cpu_to_be_32(ack);
	tcp_of(m)->cksum = 0;
	tcp_of(m)->cksum = family == 4 ? rte_ipv4_udptcp_cksum(l3_of(m), tcp_of(m)) :
					 rte_ipv6_udptcp_cksum(l3_of(m), tcp_of(m));
	return m;
}

static uint32_t
cookie_for(struct rte_mbuf *m, uint32_t isn, const struct sk_syncookie_opts *in)
{
	const struct sk_pkt_meta *pm = sk_pkt_meta(m);
	struct sk_syncookie_tuple t;
	struct sk_syncookie_opts enc;

	memset(&t, 0, sizeof(t));
	memcpy(t.saddr, pm->src, 16);
	memcpy(t.daddr, pm->dst, 16);
	t.sport = tcp_of(m)->src_port;
	t.dport = tcp_of(m)->dst_port;
	t.family = pm->family;
	return sk_syncookie_make(&keys, &t, isn, in, now, &enc);
}

static void
test_ack_to_syn(int family)
{
	const struct sk_syncookie_opts in = { .mss = 1440, .wscale = 6, .sack = true };
	struct sk_syncookie_opts o, back;
	struct rte_mbuf *m = seg(family, RTE_TCP_ACK_FLAG, 7001, 0, NULL, 0, 30);
	uint32_t cookie, got;

	SK_CHECK(m != NULL, "v%d ACK built", family);
	if (m == NULL)
		return;
	cookie = cookie_for(m, 7000, &in);
	rte_pktmbuf_free(m);
	m = seg(family, RTE_TCP_ACK_FLAG, 7001, cookie + 2, NULL, 0, 30);
	SK_CHECK(m != NULL && sk_synproxy_ack_check(m, &keys, now, &o, &got) == SK_SYNCOOKIE_BAD,
		 "v%d ACK with cookie + 1 refused", family);
	rte_pktmbuf_free(m);
	m = seg(family, RTE_TCP_ACK_FLAG, 7001, cookie + 1, NULL, 0, 30);
	SK_CHECK(m != NULL && sk_synproxy_ack_check(m, &keys, now, &o, &got) == SK_SYNCOOKIE_VALID &&
		 got == cookie && o.mss == 1440 && o.wscale == 6 && o.sack,
		 "v%d cookie ACK verifies: MSS 1440, wscale 6, SACK", family);
	if (m == NULL)
		return;
	SK_CHECK(sk_synproxy_ack_to_syn(m, &o) == 0, "v%d ACK rewritten", family);
	SK_CHECK(tcp_of(m)->tcp_flags == RTE_TCP_SYN_FLAG && sk_pkt_meta(m)->tcp_flags ==
		 RTE_TCP_SYN_FLAG && rte_be_to_cpu_32(tcp_of(m)->sent_seq) == 7000 &&
		 tcp_of(m)->recv_ack == 0 && csum_ok(m, family),
		 "v%d SYN: seq = ISN, no ack, checksums valid", family);
	SK_CHECK(sk_synproxy_syn_opts((const uint8_t *)(tcp_of(m) + 1),
				      sk_pkt_meta(m)->l4_len - 20u, &back) == 0 &&
		 back.mss == 1440 && back.wscale == 6 && back.sack &&
		 rte_pktmbuf_pkt_len(m) == (uint32_t)sk_pkt_meta(m)->l2_len +
		 sk_pkt_meta(m)->ip_len,
		 "v%d SYN offers the client's MSS/wscale/SACK, payload gone (%u bytes)", family,
		 rte_pktmbuf_pkt_len(m));
	rte_pktmbuf_free(m);
}

static void
test_synack_to_ack(int family)
{
	struct rte_mbuf *m = seg(family, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 900000, 7001,
				 (const uint8_t[]){ 2, 4, 5, 0xb4 }, 4, 0);
	const struct sk_pkt_meta *pm;
	uint8_t src[16], dst[16];

	SK_CHECK(m != NULL, "v%d SYN-ACK built", family);
	if (m == NULL)
		return;
	pm = sk_pkt_meta(m);
	memcpy(src, pm->src, 16);
	memcpy(dst, pm->dst, 16);
	SK_CHECK(sk_synproxy_synack_to_ack(m, (const struct rte_ether_addr *)pb_port_mac, 502) == 0,
		 "v%d SYN-ACK rewritten", family);
	SK_CHECK(tcp_of(m)->tcp_flags == RTE_TCP_ACK_FLAG &&
		 rte_be_to_cpu_32(tcp_of(m)->sent_seq) == 7001 &&
		 rte_be_to_cpu_32(tcp_of(m)->recv_ack) == 900001 &&
		 rte_be_to_cpu_16(tcp_of(m)->rx_win) == 502 &&
		 rte_be_to_cpu_16(tcp_of(m)->src_port) == 80 &&
		 rte_be_to_cpu_16(tcp_of(m)->dst_port) == 40000 &&
		 memcmp(pm->src, dst, 16) == 0 && memcmp(pm->dst, src, 16) == 0 && csum_ok(m, family),
		 "v%d ACK: seq = its ack, ack = its seq + 1, window, swapped, checksums valid",
		 family);
	SK_CHECK(memcmp(rte_pktmbuf_mtod(m, uint8_t *), pb_peer_mac, 6) == 0 &&
		 memcmp(rte_pktmbuf_mtod(m, uint8_t *) + 6, pb_port_mac, 6) == 0,
		 "v%d ACK goes back to the sender's MAC", family);
	rte_pktmbuf_free(m);
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
test_translate(int family)
{
	/* NOP, SACK with two blocks (18 bytes): edges at odd offsets 23, 27, ... */
	static const uint8_t sack[20] = { 1, 5, 18, 0, 0, 0x10, 0, 0, 0, 0x20, 0,
					  0, 0, 0x30, 0, 0, 0, 0x40, 0, 0 };
	const uint32_t delta = 0x89abcdefu;
	struct rte_mbuf *m = seg(family, RTE_TCP_ACK_FLAG, 5000, 123456, sack, 20, 10);
	const uint8_t *o;
	uint32_t e0;
	int i, ok = 1;

	SK_CHECK(m != NULL, "v%d client segment built", family);
	if (m == NULL)
		return;
	o = (const uint8_t *)(tcp_of(m) + 1);
	e0 = rd32(o + 3);
	sk_synproxy_translate(m, 1, delta);
	for (i = 0; i < 4; i++)
		ok &= rd32(o + 3 + 4 * i) == rd32(sack + 3 + 4 * i) + delta;
	SK_CHECK(ok && rd32(o + 3) == e0 + delta &&
		 rte_be_to_cpu_32(tcp_of(m)->recv_ack) == 123456 + delta &&
		 rte_be_to_cpu_32(tcp_of(m)->sent_seq) == 5000 && csum_ok(m, family),
		 "v%d to the server: ack and 4 odd-aligned SACK edges + delta, checksum valid",
		 family);
	sk_synproxy_translate(m, 0, delta);
	SK_CHECK(rte_be_to_cpu_32(tcp_of(m)->sent_seq) == 5000 - delta && csum_ok(m, family),
		 "v%d to the client: seq - delta, checksum valid", family);
	sk_synproxy_set_seq(m, 42);
	SK_CHECK(rte_be_to_cpu_32(tcp_of(m)->sent_seq) == 42 && csum_ok(m, family),
		 "v%d seq set (a RST before the SYN-ACK), checksum valid", family);
	rte_pktmbuf_free(m);
}

int
main(int argc, char **argv)
{
	static const uint8_t master[16] = "sekisho-synproxy";
	int f;

	(void)argc;
	if (sk_test_eal_init(argv[0]) < 0) {
		printf("Bail out! EAL init failed\n");
		return 1;
	}
	mp = rte_pktmbuf_pool_create("t_sp_pkt", 64, 0, SK_PKT_PRIV_SIZE,
				     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (mp == NULL) {
		printf("Bail out! no mbuf pool\n");
		return 1;
	}
	sk_syncookie_keys_init(&keys, master);
	for (f = 4; f <= 6; f += 2) {
		test_ack_to_syn(f);
		test_synack_to_ack(f);
		test_translate(f);
	}
	SK_CHECK(rte_mempool_avail_count(mp) == 64, "no mbuf leaked");
	return SK_TEST_DONE();
}
