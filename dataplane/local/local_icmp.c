/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * local_icmp.c - ICMP the unit speaks itself: echo replies to its own
 * addresses and error messages (unreachable, time exceeded, too big) about
 * packets it refuses.  Errors quote the offending packet as RFC 792/4443 ask
 * and are never sent about ICMP errors, multicast or broadcast packets.
 */
#include <string.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "local.h"

#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129
#define SK_REPLY_TTL 64
#define ICMP6_MIN_MTU 1280

static void
reply_l2(struct rte_ether_hdr *eth, const struct rte_mbuf *orig, const struct rte_ether_addr *mac,
	 uint16_t ethertype)
{
	const struct rte_ether_hdr *oe = rte_pktmbuf_mtod(orig, const struct rte_ether_hdr *);

	rte_ether_addr_copy(&oe->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(ethertype);
}

void
sk_local_echo_reply(struct rte_mbuf *m, const struct rte_ether_addr *mac)
{
	struct sk_pkt_meta *pm = sk_pkt_meta(m);
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint8_t tmp[16];
	uint16_t ck;

	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(mac, &eth->src_addr);
	if (pm->family == 4) {
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, pm->l2_len);
		struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)((uint8_t *)ip + pm->l3_len);
		uint32_t a = ip->src_addr;

		ip->src_addr = ip->dst_addr;
		ip->dst_addr = a;
		ip->time_to_live = SK_REPLY_TTL;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
		icmp->icmp_cksum = 0;
		if (rte_raw_cksum_mbuf(m, pm->l2_len + pm->l3_len,
				       (uint32_t)pm->ip_len - pm->l3_len, &ck) == 0)
			icmp->icmp_cksum = (uint16_t)~ck;
	} else {
		struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, pm->l2_len);
		struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(ip6 + 1);

		memcpy(tmp, ip6->src_addr, 16);
		memcpy(ip6->src_addr, ip6->dst_addr, 16);
		memcpy(ip6->dst_addr, tmp, 16);
		ip6->hop_limits = SK_REPLY_TTL;
		icmp->icmp_type = ICMP6_ECHO_REPLY;
		icmp->icmp_cksum = 0;
		icmp->icmp_cksum = rte_ipv6_udptcp_cksum_mbuf(m, ip6, pm->l2_len + sizeof(*ip6));
	}
}

static int
is_icmp_error(const struct sk_pkt_meta *pm)
{
	if (pm->proto == IPPROTO_ICMP)
		return pm->icmp_type != RTE_IP_ICMP_ECHO_REQUEST &&
		       pm->icmp_type != RTE_IP_ICMP_ECHO_REPLY && pm->icmp_type != 13 &&
		       pm->icmp_type != 14;
	if (pm->proto == IPPROTO_ICMPV6)
		return pm->icmp_type < 128;
	return 0;
}

/*
 * The frame every ICMP error shares: Ethernet back to the sender, room for an
 * l3_size IP header and the 8-byte ICMP header, then qlen bytes of the
 * offending packet from its IP header on.  Returns the mbuf with *l3 pointing
 * at the IP header to fill, or NULL.
 */
static struct rte_mbuf *
error_frame(struct rte_mempool *mp, const struct rte_mbuf *orig, const struct sk_pkt_meta *pm,
	    const struct sk_gen_iface *ifc, uint16_t ethertype, size_t l3_size, uint32_t qlen,
	    uint8_t **l3)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eth;
	uint8_t *q;
	const void *src;

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
		(uint16_t)(sizeof(*eth) + l3_size + sizeof(struct rte_icmp_hdr) + qlen));
	if (eth == NULL)
		goto fail;
	*l3 = (uint8_t *)(eth + 1);
	q = *l3 + l3_size + sizeof(struct rte_icmp_hdr);
	src = rte_pktmbuf_read(orig, pm->l2_len, qlen, q);
	if (src == NULL)
		goto fail;
	if (src != q)
		memcpy(q, src, qlen);
	reply_l2(eth, orig, &ifc->mac, ethertype);
	return m;
fail:
	rte_pktmbuf_free(m);
	return NULL;
}

static struct rte_mbuf *
icmp4_error(struct rte_mempool *mp, const struct rte_mbuf *orig, const struct sk_pkt_meta *pm,
	    const struct sk_gen_iface *ifc, uint8_t type, uint8_t code, uint32_t info)
{
	/* RFC 792: the original IP header plus the first 8 bytes of its payload. */
	uint32_t qlen = RTE_MIN((uint32_t)pm->l3_len + 8u, (uint32_t)pm->ip_len);
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	uint8_t *l3;
	struct rte_mbuf *m = error_frame(mp, orig, pm, ifc, RTE_ETHER_TYPE_IPV4, sizeof(*ip),
					 qlen, &l3);

	if (m == NULL)
		return NULL;
	ip = (struct rte_ipv4_hdr *)l3;
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(*icmp) + qlen));
	ip->time_to_live = SK_REPLY_TTL;
	ip->next_proto_id = IPPROTO_ICMP;
	memcpy(&ip->src_addr, ifc->addr4, 4);
	memcpy(&ip->dst_addr, pm->src, 4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_type = type;
	icmp->icmp_code = code;
	/* "fragmentation needed" carries the next-hop MTU in the low 16 bits */
	info = rte_cpu_to_be_32(info & 0xffff);
	memcpy(&icmp->icmp_ident, &info, 4);
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, sizeof(*icmp) + qlen);
	return m;
}

static struct rte_mbuf *
icmp6_error(struct rte_mempool *mp, const struct rte_mbuf *orig, const struct sk_pkt_meta *pm,
	    const struct sk_gen_iface *ifc, uint8_t type, uint8_t code, uint32_t info)
{
	/* RFC 4443: as much of the original as fits in the minimum MTU. */
	uint32_t qlen = RTE_MIN((uint32_t)pm->ip_len,
		(uint32_t)(ICMP6_MIN_MTU - sizeof(struct rte_ipv6_hdr) - sizeof(struct rte_icmp_hdr)));
	struct rte_ipv6_hdr *ip6;
	struct rte_icmp_hdr *icmp;
	struct rte_mbuf *m;
	uint8_t *l3;

	qlen = RTE_MIN(qlen, (uint32_t)(rte_pktmbuf_pkt_len(orig) - pm->l2_len));
	m = error_frame(mp, orig, pm, ifc, RTE_ETHER_TYPE_IPV6, sizeof(*ip6), qlen, &l3);
	if (m == NULL)
		return NULL;
	ip6 = (struct rte_ipv6_hdr *)l3;
	icmp = (struct rte_icmp_hdr *)(ip6 + 1);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16((uint16_t)(sizeof(*icmp) + qlen));
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = SK_REPLY_TTL;
	memcpy(ip6->src_addr, ifc->addr6, 16);
	memcpy(ip6->dst_addr, pm->src, 16);
	icmp->icmp_type = type;
	icmp->icmp_code = code;
	info = rte_cpu_to_be_32(info); /* MTU for "packet too big" */
	memcpy(&icmp->icmp_ident, &info, 4);
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = rte_ipv6_udptcp_cksum(ip6, icmp);
	return m;
}

struct rte_mbuf *
sk_local_icmp_error(struct rte_mempool *mp, const struct rte_mbuf *m,
		    const struct sk_gen_iface *ifc, uint8_t type, uint8_t code, uint32_t info)
{
	const struct sk_pkt_meta *pm = sk_pkt_meta((struct rte_mbuf *)(uintptr_t)m);

	if (pm->l2_mcast || is_icmp_error(pm) || pm->frag == SK_FRAG_LATER)
		return NULL;
	if (pm->family == 4)
		return ifc->has4 ? icmp4_error(mp, m, pm, ifc, type, code, info) : NULL;
	return ifc->has6 ? icmp6_error(mp, m, pm, ifc, type, code, info) : NULL;
}
