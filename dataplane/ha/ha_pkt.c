/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_pkt.c - the HA main lcore's packets: gratuitous ARP and unsolicited NA
 * when the unit becomes active (neighbours move the floating addresses to
 * its MAC at once), and the dataplane heartbeat's UDP framing.
 */
#include <string.h>
#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "ha_pkt.h"

#define ND_NA 136
#define ND_NA_OVERRIDE 0x20000000u
#define ND_OPT_TARGET_LL 2

struct rte_mbuf *
sk_ha_garp(struct rte_mempool *mp, const struct rte_ether_addr *mac, const uint8_t addr[4])
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*arp));
	arp = (struct rte_arp_hdr *)(eth + 1);
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	rte_ether_addr_copy(mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	/* A request, not a reply: every stack updates an entry it holds from it. */
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	rte_ether_addr_copy(mac, &arp->arp_data.arp_sha);
	memcpy(&arp->arp_data.arp_sip, addr, 4);
	memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	memcpy(&arp->arp_data.arp_tip, addr, 4);
	return m;
}

struct rte_mbuf *
sk_ha_unsol_na(struct rte_mempool *mp, const struct rte_ether_addr *mac, const uint8_t addr[16])
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eth;
	struct rte_ipv6_hdr *ip6;
	uint8_t *icmp;
	uint32_t flags = rte_cpu_to_be_32(ND_NA_OVERRIDE);
	uint16_t plen = 4 + 4 + 16 + 8, ck;

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*ip6) + plen);
	ip6 = (struct rte_ipv6_hdr *)(eth + 1);
	icmp = (uint8_t *)(ip6 + 1);
	memcpy(eth->dst_addr.addr_bytes, (const uint8_t[]){ 0x33, 0x33, 0, 0, 0, 1 }, 6);
	rte_ether_addr_copy(mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(plen);
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = 255; /* RFC 4861: ND is never routed */
	memcpy(ip6->src_addr, addr, 16);
	memcpy(ip6->dst_addr, all_nodes, 16);
	memset(icmp, 0, plen);
	icmp[0] = ND_NA;
	memcpy(icmp + 4, &flags, 4);
	memcpy(icmp + 8, addr, 16);
	icmp[24] = ND_OPT_TARGET_LL;
	icmp[25] = 1; /* units of 8 bytes */
	memcpy(icmp + 26, mac->addr_bytes, 6);
	ck = rte_ipv6_udptcp_cksum(ip6, icmp);
	memcpy(icmp + 2, &ck, 2);
	return m;
}

struct rte_mbuf *
sk_ha_udp(struct rte_mempool *mp, const struct rte_ether_addr *smac,
	  const struct rte_ether_addr *dmac, uint8_t family, const uint8_t src[16],
	  const uint8_t dst[16], uint16_t port, const void *payload, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint16_t l3 = family == 4 ? sizeof(struct rte_ipv4_hdr) : sizeof(struct rte_ipv6_hdr);
	struct rte_ether_hdr *eth;
	struct rte_udp_hdr *udp;

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + l3 + sizeof(*udp) + len);
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	rte_ether_addr_copy(dmac, &eth->dst_addr);
	rte_ether_addr_copy(smac, &eth->src_addr);
	udp = (struct rte_udp_hdr *)((uint8_t *)(eth + 1) + l3);
	udp->src_port = rte_cpu_to_be_16(port);
	udp->dst_port = rte_cpu_to_be_16(port);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + len));
	udp->dgram_cksum = 0;
	memcpy(udp + 1, payload, len);
	if (family == 4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(l3 + sizeof(*udp) + len));
		ip->time_to_live = 255; /* the peer may check it was never routed */
		ip->next_proto_id = IPPROTO_UDP;
		memcpy(&ip->src_addr, src, 4);
		memcpy(&ip->dst_addr, dst, 4);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	} else {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(eth + 1);

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip6->payload_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + len));
		ip6->proto = IPPROTO_UDP;
		ip6->hop_limits = 255;
		memcpy(ip6->src_addr, src, 16);
		memcpy(ip6->dst_addr, dst, 16);
		udp->dgram_cksum = rte_ipv6_udptcp_cksum(ip6, udp);
	}
	return m;
}
