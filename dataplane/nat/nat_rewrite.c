/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nat_rewrite.c - rewrite the addresses and ports of a parsed packet and
 * adjust its checksums incrementally (RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m')).
 *
 * All sums are taken over the packet's 16-bit words as the CPU reads them
 * (no byte swapping): one's-complement addition is byte-order independent,
 * so a checksum field read the same way is adjusted correctly on either
 * endianness.  Only header words are read or written, so the cost does not
 * depend on the payload and multi-segment (reassembled) packets need no
 * special care: the headers are in the first segment.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "nat/nat.h"

/* Offsets of the fields that change, from the start of the IP / L4 header. */
#define NAT_V4_SRC 12
#define NAT_V4_DST 16
#define NAT_V4_CKSUM 10
#define NAT_V6_SRC 8
#define NAT_V6_DST 24
#define NAT_TCP_CKSUM 16
#define NAT_UDP_CKSUM 6
#define NAT_ICMP6_CKSUM 2

static inline uint16_t
nat_rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void
nat_wr16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

/*
 * Sum of (~old + new) over the n_words 16-bit words that change when old
 * becomes new: the "~m + m'" of RFC 1624.  Never more than 16 words, so the
 * 32-bit sum cannot overflow.
 */
static inline uint32_t
nat_delta(const uint8_t *old, const uint8_t *new, unsigned int n_words)
{
	uint32_t s = 0;
	unsigned int i;

	for (i = 0; i < n_words; i++)
		s += (uint16_t)~nat_rd16(old + 2 * i) + nat_rd16(new + 2 * i);
	return s;
}

/* HC' = ~(~HC + delta), folded with end-around carry. */
static inline uint16_t
nat_adjust(uint16_t hc, uint32_t delta)
{
	uint32_t s = (uint16_t)~hc + delta;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/*
 * The rewrite for one family: v4 is a constant at both call sites below, so
 * the compiler turns the address copies and delta loops into fixed-size
 * loads and stores (one always-inline core specialised by a constant, as
 * VPP does; half the instructions of the generic version for IPv4).
 */
static __rte_always_inline void
nat_rewrite(struct rte_mbuf *m, struct sk_pkt_meta *pm, const uint8_t *src, uint16_t sport,
	    const uint8_t *dst, uint16_t dport, const int v4)
{
	uint8_t *ip = rte_pktmbuf_mtod_offset(m, uint8_t *, pm->l2_len);
	uint8_t *l4 = ip + pm->l3_len;
	uint32_t hdr_off = (uint32_t)pm->l2_len + pm->l3_len;
	const unsigned int alen = v4 ? 4 : 16;
	const unsigned int aw = alen / 2;
	uint8_t *ip_src = ip + (v4 ? NAT_V4_SRC : NAT_V6_SRC);
	uint8_t *ip_dst = ip + (v4 ? NAT_V4_DST : NAT_V6_DST);
	uint32_t addr_delta = 0, port_delta = 0;
	uint16_t nport;
	int ck_off = -1;
	int is_udp = 0;

	/* Address words: they enter the IPv4 header checksum and every L4 pseudo-header. */
	if (src != NULL) {
		addr_delta += nat_delta(ip_src, src, aw);
		memcpy(ip_src, src, alen);
		memcpy(pm->src, src, alen);
	}
	if (dst != NULL) {
		addr_delta += nat_delta(ip_dst, dst, aw);
		memcpy(ip_dst, dst, alen);
		memcpy(pm->dst, dst, alen);
	}
	if (v4 && addr_delta != 0)
		nat_wr16(ip + NAT_V4_CKSUM, nat_adjust(nat_rd16(ip + NAT_V4_CKSUM), addr_delta));

	switch (pm->proto) {
	case IPPROTO_TCP:
		ck_off = NAT_TCP_CKSUM;
		break;
	case IPPROTO_UDP:
		ck_off = NAT_UDP_CKSUM;
		is_udp = 1;
		break;
	case IPPROTO_ICMPV6:
		/* ICMPv6 has a pseudo-header (ICMPv4 has none); it has no ports. */
		ck_off = NAT_ICMP6_CKSUM;
		break;
	default:
		return;
	}
	/* A truncated first fragment may lack its L4 header: touch nothing past the data. */
	if (unlikely(hdr_off + (uint32_t)ck_off + 2 > rte_pktmbuf_data_len(m)))
		return;

	if (pm->proto != IPPROTO_ICMPV6) {
		if (sport != 0) {
			nport = rte_cpu_to_be_16(sport);
			port_delta += nat_delta(l4, (const uint8_t *)&nport, 1);
			nat_wr16(l4, nport);
			pm->sport = sport;
		}
		if (dport != 0) {
			nport = rte_cpu_to_be_16(dport);
			port_delta += nat_delta(l4 + 2, (const uint8_t *)&nport, 1);
			nat_wr16(l4 + 2, nport);
			pm->dport = dport;
		}
	}

	uint16_t ck = nat_rd16(l4 + ck_off);
	/* IPv4 UDP checksum 0: the sender computed none, and none it stays. */
	if (is_udp && v4 && ck == 0)
		return;
	if (addr_delta + port_delta == 0)
		return;
	ck = nat_adjust(ck, addr_delta + port_delta);
	/* A computed UDP checksum of 0 is sent as all ones (RFC 768, RFC 8200). */
	if (is_udp && ck == 0)
		ck = 0xffff;
	nat_wr16(l4 + ck_off, ck);
}

void
sk_nat_rewrite(struct rte_mbuf *m, struct sk_pkt_meta *pm, const uint8_t *src,
	       uint16_t sport, const uint8_t *dst, uint16_t dport)
{
	if (pm->family == 4)
		nat_rewrite(m, pm, src, sport, dst, dport, 1);
	else
		nat_rewrite(m, pm, src, sport, dst, dport, 0);
}
