/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * local_nbr.c - ARP and IPv6 neighbour discovery packets for the unit's own
 * addresses: answering requests in place and building probes.
 */
#include <errno.h>
#include <string.h>
#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "local.h"

#define ND_NS 135
#define ND_NA 136
#define ND_OPT_SRC_LL 1
#define ND_OPT_TGT_LL 2
#define ND_NA_FLAG_ROUTER 0x80
#define ND_NA_FLAG_SOLICITED 0x40
#define ND_NA_FLAG_OVERRIDE 0x20

/* The ICMPv6 header proper is 4 bytes (rte_icmp_hdr's 8 include echo fields). */
struct icmp6_hdr {
	uint8_t type;
	uint8_t code;
	rte_be16_t cksum;
};

/* ICMPv6 neighbour solicitation / advertisement body after the 4-byte ICMP header. */
struct nd_body {
	uint32_t flags_reserved;
	uint8_t target[16];
} __rte_packed;

struct nd_opt_ll {
	uint8_t type;
	uint8_t len; /* in units of 8 bytes */
	uint8_t mac[RTE_ETHER_ADDR_LEN];
};

void
sk_local_arp_reply(struct rte_mbuf *m, const struct rte_ether_addr *mac)
{
	const struct sk_pkt_meta *pm = sk_pkt_meta(m);
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, pm->l2_len);
	uint32_t sip = arp->arp_data.arp_sip;

	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(mac, &eth->src_addr);
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&arp->arp_data.arp_sha, &arp->arp_data.arp_tha);
	arp->arp_data.arp_sip = arp->arp_data.arp_tip;
	arp->arp_data.arp_tip = sip;
	rte_ether_addr_copy(mac, &arp->arp_data.arp_sha);
}

struct rte_mbuf *
sk_local_arp_request(struct rte_mempool *mp, const struct sk_gen_iface *ifc,
		     const uint8_t target[4], const struct rte_ether_addr *dst)
{
	struct rte_mbuf *m;
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (!ifc->has4)
		return NULL;
	m = rte_pktmbuf_alloc(mp);
	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*arp));
	arp = (struct rte_arp_hdr *)(eth + 1);
	if (dst != NULL)
		rte_ether_addr_copy(dst, &eth->dst_addr);
	else
		memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	rte_ether_addr_copy(&ifc->mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	rte_ether_addr_copy(&ifc->mac, &arp->arp_data.arp_sha);
	memcpy(&arp->arp_data.arp_sip, ifc->addr4, 4);
	memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	memcpy(&arp->arp_data.arp_tip, target, 4);
	return m;
}

static void
icmp6_fill_cksum(struct rte_ipv6_hdr *ip6, struct icmp6_hdr *icmp)
{
	icmp->cksum = 0;
	icmp->cksum = rte_ipv6_udptcp_cksum(ip6, icmp);
}

struct rte_mbuf *
sk_local_nd_solicit(struct rte_mempool *mp, const struct sk_gen_iface *ifc,
		    const uint8_t target[16], const struct rte_ether_addr *dst)
{
	struct rte_mbuf *m;
	struct rte_ether_hdr *eth;
	struct rte_ipv6_hdr *ip6;
	struct icmp6_hdr *icmp;
	struct nd_body *nd;
	struct nd_opt_ll *opt;
	const uint16_t plen = sizeof(*icmp) + sizeof(*nd) + sizeof(*opt);

	if (!ifc->has6)
		return NULL;
	m = rte_pktmbuf_alloc(mp);
	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*ip6) + plen);
	ip6 = (struct rte_ipv6_hdr *)(eth + 1);
	icmp = (struct icmp6_hdr *)(ip6 + 1);
	nd = (struct nd_body *)(icmp + 1);
	opt = (struct nd_opt_ll *)(nd + 1);

	rte_ether_addr_copy(&ifc->mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(plen);
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = 255; /* RFC 4861: receivers drop ND with any other value */
	memcpy(ip6->src_addr, ifc->addr6, 16);
	if (dst != NULL) {
		rte_ether_addr_copy(dst, &eth->dst_addr);
		memcpy(ip6->dst_addr, target, 16);
	} else {
		/* solicited-node multicast ff02::1:ffXX:XXXX and its 33:33 MAC */
		static const uint8_t snm[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };
		memcpy(ip6->dst_addr, snm, sizeof(snm));
		memcpy(ip6->dst_addr + 13, target + 13, 3);
		eth->dst_addr.addr_bytes[0] = 0x33;
		eth->dst_addr.addr_bytes[1] = 0x33;
		memcpy(&eth->dst_addr.addr_bytes[2], ip6->dst_addr + 12, 4);
	}
	icmp->type = ND_NS;
	icmp->code = 0;
	nd->flags_reserved = 0;
	memcpy(nd->target, target, 16);
	opt->type = ND_OPT_SRC_LL;
	opt->len = 1;
	memcpy(opt->mac, ifc->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	icmp6_fill_cksum(ip6, icmp);
	return m;
}

int
sk_local_nd_lladdr(const struct rte_mbuf *m, uint8_t *target, struct rte_ether_addr *mac)
{
	const struct sk_pkt_meta *pm = sk_pkt_meta((struct rte_mbuf *)(uintptr_t)m);
	uint32_t off = (uint32_t)pm->l2_len + pm->l3_len;
	uint32_t end = (uint32_t)pm->l2_len + pm->ip_len;
	const uint8_t *p;

	if (end > rte_pktmbuf_data_len(m) || off + 4 + sizeof(struct nd_body) > end)
		return -EINVAL;
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	if (target != NULL)
		memcpy(target, p + off + 4 + 4, 16);
	off += 4 + sizeof(struct nd_body);
	while (off + 2 <= end) {
		uint8_t type = p[off], len = p[off + 1];

		if (len == 0 || off + len * 8u > end)
			return -EINVAL; /* RFC 4861: zero-length options invalidate the packet */
		if ((type == ND_OPT_SRC_LL || type == ND_OPT_TGT_LL) && len == 1) {
			memcpy(mac, p + off + 2, RTE_ETHER_ADDR_LEN);
			return 0;
		}
		off += len * 8u;
	}
	return -ENOENT;
}

int
sk_local_nd_advert(struct rte_mbuf *m, const struct rte_ether_addr *mac, const uint8_t target[16])
{
	struct sk_pkt_meta *pm = sk_pkt_meta(m);
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip6;
	struct icmp6_hdr *icmp;
	struct nd_body *nd;
	struct nd_opt_ll *opt;
	const uint16_t plen = sizeof(*icmp) + sizeof(*nd) + sizeof(*opt);
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
	int dad;

	if (pm->l3_len != sizeof(*ip6) || pm->vlan != 0)
		return -EINVAL;
	/* Rebuild after the IPv6 header: the NS may carry options we do not echo. */
	if (rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - pm->l2_len - sizeof(*ip6))) != 0)
		return -EINVAL;
	if (rte_pktmbuf_append(m, plen) == NULL)
		return -ENOSPC;
	ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, pm->l2_len);
	icmp = (struct icmp6_hdr *)(ip6 + 1);
	nd = (struct nd_body *)(icmp + 1);
	opt = (struct nd_opt_ll *)(nd + 1);

	/* Duplicate address detection probes come from ::; answer all nodes. */
	{
		static const uint8_t unspec[16];

		dad = memcmp(ip6->src_addr, unspec, 16) == 0;
	}
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	if (dad) {
		eth->dst_addr = (struct rte_ether_addr){ { 0x33, 0x33, 0, 0, 0, 1 } };
		memcpy(ip6->dst_addr, all_nodes, 16);
	} else {
		memcpy(ip6->dst_addr, ip6->src_addr, 16);
	}
	rte_ether_addr_copy(mac, &eth->src_addr);
	memcpy(ip6->src_addr, target, 16);
	ip6->payload_len = rte_cpu_to_be_16(plen);
	ip6->hop_limits = 255;
	icmp->type = ND_NA;
	icmp->code = 0;
	nd->flags_reserved = 0;
	((uint8_t *)&nd->flags_reserved)[0] =
		(uint8_t)(ND_NA_FLAG_ROUTER | (dad ? 0 : ND_NA_FLAG_SOLICITED) | ND_NA_FLAG_OVERRIDE);
	memcpy(nd->target, target, 16);
	opt->type = ND_OPT_TGT_LL;
	opt->len = 1;
	memcpy(opt->mac, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	icmp6_fill_cksum(ip6, icmp);
	pm->ip_len = (uint16_t)(sizeof(*ip6) + plen);
	return 0;
}
