/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synproxy_pkt.c - the SYN proxy's packet rewrites after the cookie
 * SYN-ACK (synproxy_pkt.h): ACK -> SYN to the server, the server's SYN-ACK
 * -> ACK back to it, and per-segment seq/ack translation.  All in the mbuf
 * that arrived; the two handshake rewrites recompute the checksums (once per
 * connection), the translation updates them incrementally (every packet).
 */
#include <errno.h>
#include <string.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "sk_pkt_meta.h"
#include "synproxy_pkt.h"
#include "synproxy_tcp.h"

#define OPT_SACK 5

static struct rte_tcp_hdr *
tcp_of(struct rte_mbuf *m, const struct sk_pkt_meta *pm)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, pm->l2_len + pm->l3_len);
}

static int
headers_here(const struct rte_mbuf *m, const struct sk_pkt_meta *pm)
{
	return rte_pktmbuf_data_len(m) >= (uint32_t)pm->l2_len + pm->l3_len + pm->l4_len &&
	       pm->l4_len >= sizeof(struct rte_tcp_hdr);
}

static void
tuple_of(const struct sk_pkt_meta *pm, const struct rte_tcp_hdr *tcp, struct sk_syncookie_tuple *t)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->saddr, pm->src, 16);
	memcpy(t->daddr, pm->dst, 16);
	t->sport = tcp->src_port;
	t->dport = tcp->dst_port;
	t->family = pm->family;
}

enum sk_syncookie_verdict
sk_synproxy_ack_check(struct rte_mbuf *m, struct sk_syncookie_keys *keys, uint64_t now_s,
		      struct sk_syncookie_opts *o, uint32_t *cookie)
{
	const struct sk_pkt_meta *pm = sk_pkt_meta(m);
	struct sk_syncookie_tuple t;
	const struct rte_tcp_hdr *tcp;

	if (!headers_here(m, pm))
		return SK_SYNCOOKIE_BAD;
	tcp = tcp_of(m, pm);
	tuple_of(pm, tcp, &t);
	*cookie = rte_be_to_cpu_32(tcp->recv_ack) - 1;
	return sk_syncookie_check(keys, &t, rte_be_to_cpu_32(tcp->sent_seq) - 1, *cookie,
				  now_s, o);
}

/* New L3 header (no options / extension headers) + TCP header of tcplen
 * bytes after the kept L2 header; src/dst as given; checksums are the
 * caller's.  Returns the TCP header or NULL (-ENOSPC: cannot grow). */
static struct rte_tcp_hdr *
rebuild(struct rte_mbuf *m, struct sk_pkt_meta *pm, const uint8_t *src, const uint8_t *dst,
	uint8_t ttl, size_t tcplen)
{
	size_t l3 = pm->family == 4 ? sizeof(struct rte_ipv4_hdr) : sizeof(struct rte_ipv6_hdr);
	size_t total = pm->l2_len + l3 + tcplen;
	uint8_t s[16], d[16];
	uint8_t *l3p;

	memcpy(s, src, 16);
	memcpy(d, dst, 16);
	if (total > rte_pktmbuf_data_len(m)) {
		if (rte_pktmbuf_append(m, (uint16_t)(total - rte_pktmbuf_data_len(m))) == NULL)
			return NULL;
	} else if (rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - total)) < 0) {
		return NULL;
	}
	l3p = rte_pktmbuf_mtod_offset(m, uint8_t *, pm->l2_len);
	/* The TCP header moves only when the old L3 header had options. */
	if (pm->l3_len != l3)
		memmove(l3p + l3, l3p + pm->l3_len, sizeof(struct rte_tcp_hdr));
	if (pm->family == 4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3p;
		rte_be16_t id = ip->packet_id;

		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(l3 + tcplen));
		ip->packet_id = id;
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = ttl;
		ip->next_proto_id = IPPROTO_TCP;
		memcpy(&ip->src_addr, s, 4);
		memcpy(&ip->dst_addr, d, 4);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	} else {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)l3p;

		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip6->payload_len = rte_cpu_to_be_16((uint16_t)tcplen);
		ip6->proto = IPPROTO_TCP;
		ip6->hop_limits = ttl;
		memcpy(ip6->src_addr, s, 16);
		memcpy(ip6->dst_addr, d, 16);
	}
	memcpy(pm->src, s, 16);
	memcpy(pm->dst, d, 16);
	pm->l3_len = (uint16_t)l3;
	pm->l4_len = (uint16_t)tcplen;
	pm->ip_len = (uint16_t)(l3 + tcplen);
	pm->ip_opts = 0;
	pm->ttl = ttl;
	return (struct rte_tcp_hdr *)(l3p + l3);
}

static void
tcp_csum(struct rte_mbuf *m, const struct sk_pkt_meta *pm, struct rte_tcp_hdr *tcp)
{
	void *l3p = rte_pktmbuf_mtod_offset(m, void *, pm->l2_len);

	tcp->cksum = 0;
	tcp->cksum = pm->family == 4 ? rte_ipv4_udptcp_cksum(l3p, tcp)
				     : rte_ipv6_udptcp_cksum(l3p, tcp);
}

int
sk_synproxy_ack_to_syn(struct rte_mbuf *m, const struct sk_syncookie_opts *o)
{
	struct sk_pkt_meta *pm = sk_pkt_meta(m);
	uint8_t opts[SK_SYNPROXY_OPTS_MAX];
	struct rte_tcp_hdr *tcp;
	size_t olen, tcplen;
	uint32_t isn;

	if (!rte_pktmbuf_is_contiguous(m) || !headers_here(m, pm))
		return -EINVAL;
	/* The client's own options, as its SYN offered them (its wscale, not
	 * the proxy's). */
	olen = sk_synproxy_synack_opts(opts, o, o->wscale);
	tcplen = sizeof(*tcp) + olen;
	isn = rte_be_to_cpu_32(tcp_of(m, pm)->sent_seq) - 1;
	tcp = rebuild(m, pm, pm->src, pm->dst, pm->ttl, tcplen);
	if (tcp == NULL)
		return -ENOSPC;
	tcp->sent_seq = rte_cpu_to_be_32(isn);
	tcp->recv_ack = 0;
	tcp->data_off = (uint8_t)((tcplen / 4) << 4);
	tcp->tcp_flags = RTE_TCP_SYN_FLAG;
	tcp->rx_win = rte_cpu_to_be_16(65535);
	tcp->tcp_urp = 0;
	memcpy(tcp + 1, opts, olen);
	tcp_csum(m, pm, tcp);
	pm->tcp_flags = RTE_TCP_SYN_FLAG;
	return 0;
}

int
sk_synproxy_synack_to_ack(struct rte_mbuf *m, const struct rte_ether_addr *src_mac, uint16_t win)
{
	struct sk_pkt_meta *pm = sk_pkt_meta(m);
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_tcp_hdr *tcp;
	uint32_t seq, ack;
	uint16_t sport, dport;

	if (!rte_pktmbuf_is_contiguous(m) || !headers_here(m, pm))
		return -EINVAL;
	tcp = tcp_of(m, pm);
	seq = rte_be_to_cpu_32(tcp->recv_ack);
	ack = rte_be_to_cpu_32(tcp->sent_seq) + 1;
	sport = tcp->dst_port;
	dport = tcp->src_port;
	tcp = rebuild(m, pm, pm->dst, pm->src, 64, sizeof(*tcp));
	if (tcp == NULL)
		return -ENOSPC;
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(src_mac, &eth->src_addr);
	tcp->src_port = sport;
	tcp->dst_port = dport;
	tcp->sent_seq = rte_cpu_to_be_32(seq);
	tcp->recv_ack = rte_cpu_to_be_32(ack);
	tcp->data_off = (uint8_t)((sizeof(*tcp) / 4) << 4);
	tcp->tcp_flags = RTE_TCP_ACK_FLAG;
	tcp->rx_win = rte_cpu_to_be_16(win);
	tcp->tcp_urp = 0;
	tcp_csum(m, pm, tcp);
	pm->sport = rte_be_to_cpu_16(sport);
	pm->dport = rte_be_to_cpu_16(dport);
	pm->tcp_flags = RTE_TCP_ACK_FLAG;
	return 0;
}

/* One's complement sum of the 16-bit words of b[0..n), n even, b at an even
 * offset of the segment. */
static uint32_t
sum16(const uint8_t *b, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	return s;
}

static uint32_t
fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	return (s & 0xffff) + (s >> 16);
}

/* Add delta to the big-endian 32-bit field at tcp+off, whatever its
 * alignment (a SACK block need not be 2-byte aligned in the header): the
 * checksum is updated over the aligned words the field touches. */
static void
shift_any(uint8_t *tcp, size_t off, uint32_t delta)
{
	size_t a = off & ~(size_t)1, n = (off & 1) ? 6 : 4;
	uint8_t *f = tcp + off;
	uint32_t v = (uint32_t)f[0] << 24 | (uint32_t)f[1] << 16 | (uint32_t)f[2] << 8 | f[3];
	uint32_t s = (uint16_t)~(tcp[16] << 8 | tcp[17]);
	uint16_t c;

	s += (uint16_t)~fold(sum16(tcp + a, n));
	v += delta;
	f[0] = (uint8_t)(v >> 24);
	f[1] = (uint8_t)(v >> 16);
	f[2] = (uint8_t)(v >> 8);
	f[3] = (uint8_t)v;
	s += fold(sum16(tcp + a, n));
	c = (uint16_t)~fold(s);
	tcp[16] = (uint8_t)(c >> 8);
	tcp[17] = (uint8_t)c;
}

/* The SACK blocks of a client segment acknowledge server sequence numbers. */
static void
shift_sack(uint8_t *tcp, size_t l4_len, uint32_t delta)
{
	size_t i = sizeof(struct rte_tcp_hdr), j;

	while (i < l4_len) {
		uint8_t kind = tcp[i], olen;

		if (kind == 0)
			return;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= l4_len)
			return;
		olen = tcp[i + 1];
		if (olen < 2 || i + olen > l4_len)
			return;
		if (kind == OPT_SACK && olen >= 10 && (olen - 2) % 8 == 0)
			for (j = i + 2; j < i + olen; j += 4)
				shift_any(tcp, j, delta);
		i += olen;
	}
}

void
sk_synproxy_translate(struct rte_mbuf *m, int to_server, uint32_t delta)
{
	const struct sk_pkt_meta *pm = sk_pkt_meta(m);
	struct rte_tcp_hdr *tcp = tcp_of(m, pm);

	if (!to_server) {
		sk_synproxy_shift((uint8_t *)&tcp->sent_seq, (uint8_t *)&tcp->cksum, 0u - delta);
		return;
	}
	if (pm->tcp_flags & RTE_TCP_ACK_FLAG)
		sk_synproxy_shift((uint8_t *)&tcp->recv_ack, (uint8_t *)&tcp->cksum, delta);
	if (unlikely(pm->l4_len > sizeof(*tcp)))
		shift_sack((uint8_t *)tcp, pm->l4_len, delta);
}

void
sk_synproxy_set_seq(struct rte_mbuf *m, uint32_t seq)
{
	const struct sk_pkt_meta *pm = sk_pkt_meta(m);
	struct rte_tcp_hdr *tcp = tcp_of(m, pm);

	sk_synproxy_shift((uint8_t *)&tcp->sent_seq, (uint8_t *)&tcp->cksum,
			  seq - rte_be_to_cpu_32(tcp->sent_seq));
}
