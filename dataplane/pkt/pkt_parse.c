/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkt_parse.c - the one place where packet headers are read: Ethernet,
 * 802.1Q, ARP, IPv4 (options, checksum), IPv6 (extension header chain), TCP,
 * UDP, ICMP and ICMPv6 into struct sk_pkt_meta.  Every malformed packet gets
 * a named drop reason here so that later stages can trust the descriptor.
 *
 * Hot path: no allocation, no tables of function pointers, only bounded
 * loops (IPv4 options, at most SK_PARSE_IP6_MAX_EXT extension headers).
 * Every read is checked against the first segment (headers of a reassembled,
 * chained datagram are in its first segment) and the packet is never written.
 */
#include <stddef.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "sk_drop.h"
#include "pkt_parse.h"

/* Longest IPv6 extension header chain accepted (RFC 7112 leaves the limit to
 * the implementation; real traffic uses one or two). */
#define SK_PARSE_IP6_MAX_EXT 8

/* mbuf->l3_len is a 9-bit field: a longer IPv6 header chain cannot be
 * described to rte_ip_frag or to offloads. */
#define SK_PARSE_L3_LEN_MAX 511

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_ICMP_    1
#define IPPROTO_TCP_     6
#define IPPROTO_UDP_     17
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAG_    44
#define IPPROTO_ESP_     50
#define IPPROTO_AH_      51
#define IPPROTO_ICMPV6_  58
#define IPPROTO_NONE_    59
#define IPPROTO_DSTOPTS_ 60

/* Everything before in_port is owned by the parser; the rest belongs to the
 * worker and survives a re-parse (e.g. after reassembly). */
#define SK_PARSE_META_LEN offsetof(struct sk_pkt_meta, in_port)

static __rte_always_inline int
parse_drop(struct sk_pkt_meta *meta, enum sk_drop_reason why)
{
	meta->kind = SK_PKT_DROP;
	meta->drop = (uint8_t)why;
	return SK_PKT_DROP;
}

static __rte_always_inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/*
 * TCP flag combinations no conforming stack sends; they are scans or
 * attempts to confuse state tracking.
 */
static __rte_always_inline int
tcp_flags_bad(uint8_t f)
{
	const uint8_t ctl = RTE_TCP_FIN_FLAG | RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG |
		RTE_TCP_PSH_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_URG_FLAG;

	if ((f & ctl) == 0)
		return 1;
	if ((f & RTE_TCP_SYN_FLAG) && (f & (RTE_TCP_FIN_FLAG | RTE_TCP_RST_FLAG)))
		return 1;
	if (!(f & RTE_TCP_ACK_FLAG) &&
	    (f & (RTE_TCP_FIN_FLAG | RTE_TCP_PSH_FLAG | RTE_TCP_URG_FLAG)))
		return 1;
	return 0;
}

/*
 * L4 header at data[off], with avail bytes of IP payload of which the first
 * segment holds seg_avail.  A first fragment (frag != 0) carries only part of
 * the datagram, so length cross-checks cannot be made and a header that
 * does not fit is simply not recorded: the reassembled datagram is parsed
 * again and checked in full.
 */
static __rte_always_inline int
parse_l4(struct rte_mbuf *m, struct sk_pkt_meta *meta, const uint8_t *l4,
	 uint32_t avail, uint32_t seg_avail, int frag)
{
	uint32_t need;

	switch (meta->proto) {
	case IPPROTO_TCP_: {
		need = sizeof(struct rte_tcp_hdr);
		if (avail < need || seg_avail < need)
			goto short_hdr;
		uint32_t doff = (uint32_t)(l4[12] >> 4) * 4;
		if (unlikely(doff < sizeof(struct rte_tcp_hdr))) {
			if (frag)
				return SK_PKT_IP;
			return parse_drop(meta, SK_DROP_TCP_BAD_HEADER);
		}
		if (avail < doff || seg_avail < doff) {
			need = doff;
			goto short_hdr;
		}
		uint8_t flags = l4[13];
		if (unlikely(tcp_flags_bad(flags)) && !frag)
			return parse_drop(meta, SK_DROP_TCP_BAD_FLAGS);
		meta->sport = rd16(l4);
		meta->dport = rd16(l4 + 2);
		meta->tcp_flags = flags;
		meta->l4_len = (uint16_t)doff;
		break;
	}
	case IPPROTO_UDP_: {
		need = sizeof(struct rte_udp_hdr);
		if (avail < need || seg_avail < need)
			goto short_hdr;
		uint16_t ulen = rd16(l4 + 4);
		/* A UDP length that disagrees with the IP payload leaves the
		 * datagram's end undefined. */
		if (!frag && unlikely(ulen < need || ulen > avail))
			return parse_drop(meta, SK_DROP_L4_TRUNCATED);
		meta->sport = rd16(l4);
		meta->dport = rd16(l4 + 2);
		meta->l4_len = (uint16_t)need;
		break;
	}
	case IPPROTO_ICMP_:
	case IPPROTO_ICMPV6_: {
		/* ICMP in IPv6 or ICMPv6 in IPv4 is just another protocol. */
		if ((meta->proto == IPPROTO_ICMP_) != (meta->family == 4))
			return SK_PKT_IP;
		need = 8; /* type, code, checksum and the 4-byte rest of header */
		if (avail < need || seg_avail < need)
			goto short_hdr;
		uint8_t type = l4[0];
		meta->icmp_type = type;
		meta->icmp_code = l4[1];
		if (meta->family == 4 ?
		    (type == RTE_IP_ICMP_ECHO_REQUEST || type == RTE_IP_ICMP_ECHO_REPLY) :
		    (type == 128 || type == 129)) {
			/* The identifier plays the role of both ports so
			 * that request and reply hash to the same flow. */
			meta->sport = rd16(l4 + 4);
			meta->dport = meta->sport;
		}
		meta->l4_len = (uint16_t)need;
		break;
	}
	default:
		return SK_PKT_IP;
	}
	m->l4_len = meta->l4_len;
	return SK_PKT_IP;

short_hdr:
	if (frag)
		return SK_PKT_IP;
	/* Inside the IP payload but past the first segment: the headers
	 * must be contiguous, so this counts as truncated too. */
	return parse_drop(meta, SK_DROP_L4_TRUNCATED);
}

static __rte_always_inline int
parse_arp(struct sk_pkt_meta *meta, const uint8_t *p, uint32_t seg_avail)
{
	/* htype(2) ptype(2) hlen(1) plen(1) op(2) sha(6) spa(4) tha(6) tpa(4) */
	if (seg_avail < 28)
		return parse_drop(meta, SK_DROP_ARP_MALFORMED);
	uint16_t op = rd16(p + 6);
	if (rd16(p) != 1 || rd16(p + 2) != RTE_ETHER_TYPE_IPV4 ||
	    p[4] != RTE_ETHER_ADDR_LEN || p[5] != 4 || (op != 1 && op != 2))
		return parse_drop(meta, SK_DROP_ARP_MALFORMED);
	meta->kind = SK_PKT_ARP;
	meta->family = 4;
	memcpy(meta->src, p + 14, 4);   /* sender protocol address */
	memcpy(meta->dst, p + 24, 4);   /* target protocol address */
	return SK_PKT_ARP;
}

/* IPv4 option types that steer or record the path (RFC 791, 7126): dropped
 * always, like Linux's accept_source_route = 0 and pf's default. */
#define IP4_OPT_RR   7
#define IP4_OPT_LSRR 131
#define IP4_OPT_SSRR 137

/* RFC 791 options: EOL ends the list, NOP is one byte, everything else is
 * type-length-value with length >= 2 covering itself.  -1 malformed,
 * SK_DROP_IP_SOURCE_ROUTE for a source route or record-route, else 1 when
 * some other option is present (the interface's ip_options decides), 0
 * for padding only. */
static __rte_always_inline int
ip4_options(const uint8_t *p, uint32_t len)
{
	uint32_t i = 0;
	int other = 0;

	while (i < len) {
		uint8_t t = p[i];
		if (t == RTE_IPV4_HDR_OPT_EOL)
			return other;
		if (t == RTE_IPV4_HDR_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -1;
		uint8_t olen = p[i + 1];
		if (olen < 2 || olen > len - i)
			return -1;
		if (t == IP4_OPT_RR || t == IP4_OPT_LSRR || t == IP4_OPT_SSRR)
			return SK_DROP_IP_SOURCE_ROUTE;
		other = 1;
		i += olen;
	}
	return other;
}

static __rte_always_inline int
parse_ip4(struct rte_mbuf *m, struct sk_pkt_meta *meta, const uint8_t *ip,
	  uint32_t frame_avail, uint32_t seg_avail)
{
	if (unlikely(seg_avail < sizeof(struct rte_ipv4_hdr)))
		return parse_drop(meta, SK_DROP_IP4_TRUNCATED);
	uint32_t ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	if (unlikely((ip[0] >> 4) != 4 || ihl < sizeof(struct rte_ipv4_hdr)))
		return parse_drop(meta, SK_DROP_IP4_BAD_HEADER);
	if (unlikely(seg_avail < ihl))
		return parse_drop(meta, SK_DROP_IP4_TRUNCATED);
	uint32_t total = rd16(ip + 2);
	if (unlikely(total < ihl))
		return parse_drop(meta, SK_DROP_IP4_BAD_HEADER);
	if (unlikely(total > frame_avail))
		return parse_drop(meta, SK_DROP_IP4_TRUNCATED);

	uint64_t ck = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	if (unlikely(ck == RTE_MBUF_F_RX_IP_CKSUM_BAD))
		return parse_drop(meta, SK_DROP_IP4_BAD_CHECKSUM);
	if (ck != RTE_MBUF_F_RX_IP_CKSUM_GOOD && rte_raw_cksum(ip, ihl) != 0xffff)
		return parse_drop(meta, SK_DROP_IP4_BAD_CHECKSUM);

	if (unlikely(ihl > sizeof(struct rte_ipv4_hdr))) {
		int o = ip4_options(ip + sizeof(struct rte_ipv4_hdr),
				    ihl - sizeof(struct rte_ipv4_hdr));

		if (o < 0)
			return parse_drop(meta, SK_DROP_IP4_BAD_HEADER);
		if (o == SK_DROP_IP_SOURCE_ROUTE)
			return parse_drop(meta, SK_DROP_IP_SOURCE_ROUTE);
		meta->ip_opts = (uint8_t)o;
	}

	const uint8_t *s = ip + 12, *d = ip + 16;
	/* Martians: nobody may claim a multicast, broadcast, this-network
	 * (0/8) or loopback source, and loopback/unspecified are nowhere to
	 * send to. */
	if (unlikely((s[0] & 0xf0) == 0xe0 || s[0] == 127 || d[0] == 127 ||
		     (s[0] == 0xff && s[1] == 0xff && s[2] == 0xff && s[3] == 0xff) ||
		     s[0] == 0 || (d[0] | d[1] | d[2] | d[3]) == 0))
		return parse_drop(meta, SK_DROP_IP_BAD_ADDRESS);

	meta->kind = SK_PKT_IP;
	meta->family = 4;
	meta->proto = ip[9];
	meta->ttl = ip[8];
	meta->ip_len = (uint16_t)total;
	meta->l3_len = (uint16_t)ihl;
	meta->frag_id = rd16(ip + 4);
	memcpy(meta->src, s, 4);
	memcpy(meta->dst, d, 4);
	m->l3_len = ihl;

	uint16_t fo = rd16(ip + 6);
	int frag = 0;
	if (fo & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) {
		if (fo & RTE_IPV4_HDR_OFFSET_MASK) {
			meta->frag = SK_FRAG_LATER;
			return SK_PKT_IP;
		}
		meta->frag = SK_FRAG_FIRST;
		frag = 1;
	}
	return parse_l4(m, meta, ip + ihl, total - ihl,
			seg_avail > ihl ? seg_avail - ihl : 0, frag);
}

static __rte_always_inline int
ip6_is_zero(const uint8_t *a)
{
	uint64_t x, y;
	memcpy(&x, a, 8);
	memcpy(&y, a + 8, 8);
	return (x | y) == 0;
}

static __rte_always_inline int
ip6_is_loopback(const uint8_t *a)
{
	uint64_t x;
	uint32_t y;
	memcpy(&x, a, 8);
	memcpy(&y, a + 8, 4);
	return (x | y) == 0 && a[12] == 0 && a[13] == 0 && a[14] == 0 && a[15] == 1;
}

/* ::ffff:0:0/96: an IPv4 address in IPv6 clothing, never on a wire (RFC
 * 4291 2.5.5.2); as a source it dodges IPv4 filters on dual-stack hosts. */
static __rte_always_inline int
ip6_is_v4mapped(const uint8_t *a)
{
	uint64_t x;
	memcpy(&x, a, 8);
	return x == 0 && a[8] == 0 && a[9] == 0 && a[10] == 0xff && a[11] == 0xff;
}

static __rte_always_inline int
parse_ip6(struct rte_mbuf *m, struct sk_pkt_meta *meta, const uint8_t *ip,
	  uint32_t frame_avail, uint32_t seg_avail)
{
	const uint32_t hl = sizeof(struct rte_ipv6_hdr);

	if (unlikely(seg_avail < hl))
		return parse_drop(meta, SK_DROP_IP6_TRUNCATED);
	if (unlikely((ip[0] >> 4) != 6))
		return parse_drop(meta, SK_DROP_IP6_BAD_HEADER);
	uint32_t total = hl + rd16(ip + 4);
	if (unlikely(total > frame_avail))
		return parse_drop(meta, SK_DROP_IP6_TRUNCATED);

	const uint8_t *s = ip + 8, *d = ip + 24;
	if (unlikely(s[0] == 0xff || ip6_is_loopback(s) || ip6_is_loopback(d) ||
		     ip6_is_zero(d) || ip6_is_v4mapped(s)))
		return parse_drop(meta, SK_DROP_IP_BAD_ADDRESS);

	meta->kind = SK_PKT_IP;
	meta->family = 6;
	meta->ttl = ip[7];
	meta->ip_len = (uint16_t)total;
	memcpy(meta->src, s, 16);
	memcpy(meta->dst, d, 16);

	/* Walk the extension headers.  off is relative to ip; every header
	 * must lie inside the payload (else the chain is malformed) and
	 * inside the first segment (else it is truncated). */
	uint32_t seg_end = RTE_MIN(seg_avail, total);
	uint32_t off = hl;
	uint8_t nh = ip[6];
	int frag = 0, seen_frag = 0;
	unsigned int n;

	for (n = 0; ; n++) {
		uint32_t elen;

		if (nh != IPPROTO_HOPOPTS_ && nh != IPPROTO_ROUTING_ &&
		    nh != IPPROTO_DSTOPTS_ && nh != IPPROTO_FRAG_ &&
		    nh != IPPROTO_AH_)
			break; /* upper layer, ESP or no-next-header */
		if (unlikely(n >= SK_PARSE_IP6_MAX_EXT))
			return parse_drop(meta, SK_DROP_IP6_BAD_HEADER);
		if (unlikely(off + 8 > total))
			return parse_drop(meta, SK_DROP_IP6_BAD_HEADER);
		if (unlikely(off + 8 > seg_end))
			return parse_drop(meta, SK_DROP_IP6_TRUNCATED);

		const uint8_t *e = ip + off;
		switch (nh) {
		case IPPROTO_HOPOPTS_:
			/* RFC 8200 4.1: only immediately after the header. */
			if (unlikely(n != 0))
				return parse_drop(meta, SK_DROP_IP6_BAD_HEADER);
			elen = ((uint32_t)e[1] + 1) * 8;
			break;
		case IPPROTO_ROUTING_:
			/* RFC 5095: type 0 is deprecated (amplification, source
			 * routing); dropped as IPv4's source routes are. */
			if (unlikely(e[2] == 0))
				return parse_drop(meta, SK_DROP_IP_SOURCE_ROUTE);
			elen = ((uint32_t)e[1] + 1) * 8;
			break;
		case IPPROTO_FRAG_: {
			if (unlikely(seen_frag))
				return parse_drop(meta, SK_DROP_IP6_BAD_HEADER);
			seen_frag = 1;
			uint16_t fd = rd16(e + 2);
			meta->frag_id = ((uint32_t)rd16(e + 4) << 16) | rd16(e + 6);
			elen = 8;
			/* Offset 0 without M is an atomic fragment (RFC
			 * 6946): a whole datagram, not to be reassembled. */
			if (fd & (RTE_IPV6_EHDR_FO_MASK | RTE_IPV6_EHDR_MF_MASK)) {
				if (fd & RTE_IPV6_EHDR_FO_MASK) {
					meta->frag = SK_FRAG_LATER;
					meta->proto = e[0];
					off += elen;
					goto later;
				}
				meta->frag = SK_FRAG_FIRST;
				frag = 1;
			}
			break;
		}
		case IPPROTO_AH_:
			elen = ((uint32_t)e[1] + 2) * 4;
			break;
		default: /* IPPROTO_DSTOPTS_ */
			elen = ((uint32_t)e[1] + 1) * 8;
			break;
		}
		if (unlikely(off + elen > total))
			return parse_drop(meta, SK_DROP_IP6_BAD_HEADER);
		if (unlikely(off + elen > seg_end))
			return parse_drop(meta, SK_DROP_IP6_TRUNCATED);
		nh = e[0];
		off += elen;
	}
	if (unlikely(off > SK_PARSE_L3_LEN_MAX))
		return parse_drop(meta, SK_DROP_IP6_BAD_HEADER);
	meta->proto = nh;
	meta->l3_len = (uint16_t)off;
	m->l3_len = off;
	return parse_l4(m, meta, ip + off, total - off,
			seg_avail > off ? seg_avail - off : 0, frag);

later:
	if (unlikely(off > SK_PARSE_L3_LEN_MAX))
		return parse_drop(meta, SK_DROP_IP6_BAD_HEADER);
	meta->l3_len = (uint16_t)off;
	m->l3_len = off;
	return SK_PKT_IP;
}

static __rte_always_inline int
parse_one(struct rte_mbuf *m, const struct rte_ether_addr *port_mac)
{
	struct sk_pkt_meta *meta = sk_pkt_meta(m);
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t seg = m->data_len;
	uint32_t frame = m->pkt_len;
	uint32_t off = RTE_ETHER_HDR_LEN;

	memset(meta, 0, SK_PARSE_META_LEN);
	m->l2_len = 0;
	m->l3_len = 0;
	m->l4_len = 0;

	if (unlikely(seg < RTE_ETHER_HDR_LEN || frame < seg))
		return parse_drop(meta, SK_DROP_L2_TRUNCATED);

	const struct rte_ether_addr *dmac = (const struct rte_ether_addr *)p;
	if (rte_is_multicast_ether_addr(dmac))
		meta->l2_mcast = 1; /* broadcast has the group bit too */
	else if (port_mac != NULL && unlikely(!rte_is_same_ether_addr(dmac, port_mac)))
		return parse_drop(meta, SK_DROP_L2_OTHER_HOST);

	uint16_t et = rd16(p + 12);
	if (unlikely(m->ol_flags & RTE_MBUF_F_RX_QINQ_STRIPPED))
		return parse_drop(meta, SK_DROP_L2_UNSUPPORTED);
	if (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) {
		/* The PMD took the tag out of the frame: another tag still
		 * in the frame would be a second one. */
		meta->vlan = m->vlan_tci & 0x0fff;
		if (unlikely(et == RTE_ETHER_TYPE_VLAN))
			return parse_drop(meta, SK_DROP_L2_UNSUPPORTED);
	} else if (et == RTE_ETHER_TYPE_VLAN) {
		if (unlikely(seg < RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN))
			return parse_drop(meta, SK_DROP_L2_TRUNCATED);
		meta->vlan = rd16(p + 14) & 0x0fff;
		et = rd16(p + 16);
		off += RTE_VLAN_HLEN;
		if (unlikely(et == RTE_ETHER_TYPE_VLAN))
			return parse_drop(meta, SK_DROP_L2_UNSUPPORTED);
	}
	meta->l2_len = (uint16_t)off;
	m->l2_len = off;

	switch (et) {
	case RTE_ETHER_TYPE_IPV4:
		return parse_ip4(m, meta, p + off, frame - off, seg - off);
	case RTE_ETHER_TYPE_IPV6:
		return parse_ip6(m, meta, p + off, frame - off, seg - off);
	case RTE_ETHER_TYPE_ARP:
		return parse_arp(meta, p + off, seg - off);
	default:
		/* Includes 0x88a8 (QinQ outer tag). */
		return parse_drop(meta, SK_DROP_L2_UNSUPPORTED);
	}
}

int
sk_pkt_parse(struct rte_mbuf *m, const struct rte_ether_addr *port_mac)
{
	return parse_one(m, port_mac);
}

void
sk_pkt_parse_burst(struct rte_mbuf **pkts, uint16_t n,
		   const struct rte_ether_addr *port_mac)
{
	uint16_t i;

	for (i = 0; i < n; i++)
		parse_one(pkts[i], port_mac);
}
