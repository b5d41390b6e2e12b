/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synproxy_reply.c - build the cookie SYN-ACK (see synproxy_reply.h).  Same
 * shape as the reject rule's RST (local/local_rst.c): addresses and ports
 * swapped, fresh headers, full checksums (one per SYN, on the reply only).
 */
#include <string.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "pkt_meta.h"
#include "synproxy_reply.h"
#include "synproxy_tcp.h"

struct rte_mbuf *sk_synproxy_synack(struct rte_mempool *mp, const struct rte_mbuf *orig,
	const struct rte_ether_addr *src_mac, struct sk_syncookie_keys *keys,
	uint64_t now_s, uint8_t our_wscale, uint32_t *cookie)
{
	const struct sk_pkt_meta *pm = sk_pkt_meta((struct rte_mbuf *)(uintptr_t)orig);
	uint8_t hbuf[60], opts[SK_SYNPROXY_OPTS_MAX];
	const struct rte_tcp_hdr *otcp;
	struct sk_syncookie_tuple t;
	struct sk_syncookie_opts in, enc;
	struct rte_ether_hdr *eth;
	struct rte_tcp_hdr *tcp;
	struct rte_mbuf *m;
	size_t l3 = pm->family == 4 ? sizeof(struct rte_ipv4_hdr) : sizeof(struct rte_ipv6_hdr);
	size_t olen, tcplen;
	uint32_t isn;

	if ((pm->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG |
	     RTE_TCP_FIN_FLAG)) != RTE_TCP_SYN_FLAG || pm->l4_len < 20 || pm->l4_len > 60)
		return NULL;
	otcp = rte_pktmbuf_read(orig, (uint32_t)pm->l2_len + pm->l3_len, pm->l4_len, hbuf);
	if (otcp == NULL)
		return NULL;
	if (sk_synproxy_syn_opts((const uint8_t *)(otcp + 1), pm->l4_len - 20u, &in) < 0)
		return NULL;
	memset(&t, 0, sizeof(t));
	memcpy(t.saddr, pm->src, 16);
	memcpy(t.daddr, pm->dst, 16);
	t.sport = otcp->src_port;
	t.dport = otcp->dst_port;
	t.family = pm->family;
	isn = rte_be_to_cpu_32(otcp->sent_seq);
	*cookie = sk_syncookie_make(keys, &t, isn, &in, now_s, &enc);
	olen = sk_synproxy_synack_opts(opts, &enc, our_wscale);
	tcplen = sizeof(*tcp) + olen;

	m = rte_pktmbuf_alloc(mp);
	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)(sizeof(*eth) + l3 + tcplen));
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	const struct rte_ether_hdr *oe = rte_pktmbuf_mtod(orig, const struct rte_ether_hdr *);
	rte_ether_addr_copy(&oe->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(src_mac, &eth->src_addr);
	tcp = (struct rte_tcp_hdr *)((uint8_t *)(eth + 1) + l3);
	memset(tcp, 0, sizeof(*tcp));
	tcp->src_port = otcp->dst_port;
	tcp->dst_port = otcp->src_port;
	tcp->sent_seq = rte_cpu_to_be_32(*cookie);
	tcp->recv_ack = rte_cpu_to_be_32(isn + 1);
	tcp->data_off = (uint8_t)((tcplen / 4) << 4);
	tcp->tcp_flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
	tcp->rx_win = rte_cpu_to_be_16(65535);
	memcpy(tcp + 1, opts, olen);
	if (pm->family == 4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + tcplen));
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_TCP;
		memcpy(&ip->src_addr, pm->dst, 4);
		memcpy(&ip->dst_addr, pm->src, 4);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
	} else {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(eth + 1);

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip6->payload_len = rte_cpu_to_be_16((uint16_t)tcplen);
		ip6->proto = IPPROTO_TCP;
		ip6->hop_limits = 64;
		memcpy(ip6->src_addr, pm->dst, 16);
		memcpy(ip6->dst_addr, pm->src, 16);
		tcp->cksum = rte_ipv6_udptcp_cksum(ip6, tcp);
	}
	return m;
}
