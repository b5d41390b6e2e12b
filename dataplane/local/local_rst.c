/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * local_rst.c - the TCP reset a "reject" rule answers with, so a client
 * learns at once that it is refused instead of waiting for a timeout.
 * Sequence numbers follow RFC 793 "Reset Generation".
 */
#include <string.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "local.h"

struct rte_mbuf *
sk_local_tcp_rst(struct rte_mempool *mp, const struct rte_mbuf *orig,
		 const struct sk_gen_iface *ifc)
{
	const struct sk_pkt_meta *pm = sk_pkt_meta((struct rte_mbuf *)(uintptr_t)orig);
	struct rte_tcp_hdr otcp_buf;
	const struct rte_tcp_hdr *otcp;
	struct rte_ether_hdr *eth;
	struct rte_tcp_hdr *tcp;
	struct rte_mbuf *m;
	uint32_t seglen;
	size_t l3 = pm->family == 4 ? sizeof(struct rte_ipv4_hdr) : sizeof(struct rte_ipv6_hdr);

	if (pm->tcp_flags & RTE_TCP_RST_FLAG || pm->l2_mcast)
		return NULL;
	if ((pm->family == 4 && !ifc->has4) || (pm->family == 6 && !ifc->has6))
		return NULL;
	otcp = rte_pktmbuf_read(orig, (uint32_t)pm->l2_len + pm->l3_len, sizeof(otcp_buf), &otcp_buf);
	if (otcp == NULL)
		return NULL;
	m = rte_pktmbuf_alloc(mp);
	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
		(uint16_t)(sizeof(*eth) + l3 + sizeof(*tcp)));
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	const struct rte_ether_hdr *oe = rte_pktmbuf_mtod(orig, const struct rte_ether_hdr *);
	rte_ether_addr_copy(&oe->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&ifc->mac, &eth->src_addr);
	tcp = (struct rte_tcp_hdr *)((uint8_t *)(eth + 1) + l3);
	memset(tcp, 0, sizeof(*tcp));
	tcp->src_port = otcp->dst_port;
	tcp->dst_port = otcp->src_port;
	tcp->data_off = (sizeof(*tcp) / 4) << 4;
	if (pm->tcp_flags & RTE_TCP_ACK_FLAG) {
		tcp->sent_seq = otcp->recv_ack;
		tcp->tcp_flags = RTE_TCP_RST_FLAG;
	} else {
		seglen = (uint32_t)pm->ip_len - pm->l3_len - pm->l4_len;
		if (pm->tcp_flags & RTE_TCP_SYN_FLAG)
			seglen++;
		if (pm->tcp_flags & RTE_TCP_FIN_FLAG)
			seglen++;
		tcp->recv_ack = rte_cpu_to_be_32(rte_be_to_cpu_32(otcp->sent_seq) + seglen);
		tcp->tcp_flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
	}
	eth->ether_type = rte_cpu_to_be_16(pm->family == 4 ? RTE_ETHER_TYPE_IPV4 :
					    RTE_ETHER_TYPE_IPV6);
	sk_local_tcp_ip_reply(eth + 1, pm, tcp, sizeof(*tcp), 0);
	return m;
}

void
sk_local_tcp_ip_reply(void *l3, const struct sk_pkt_meta *pm, struct rte_tcp_hdr *tcp,
		      uint16_t tcplen, int df)
{
	if (pm->family == 4) {
		struct rte_ipv4_hdr *ip = l3;

		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + tcplen));
		if (df)
			ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_TCP;
		memcpy(&ip->src_addr, pm->dst, 4);
		memcpy(&ip->dst_addr, pm->src, 4);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
	} else {
		struct rte_ipv6_hdr *ip6 = l3;

		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip6->payload_len = rte_cpu_to_be_16(tcplen);
		ip6->proto = IPPROTO_TCP;
		ip6->hop_limits = 64;
		memcpy(ip6->src_addr, pm->dst, 16);
		memcpy(ip6->dst_addr, pm->src, 16);
		tcp->cksum = rte_ipv6_udptcp_cksum(ip6, tcp);
	}
}
