/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synproxy_reply.c - turn a SYN into its cookie SYN-ACK (synproxy_reply.h).
 * In place, as DPVS does: a flood's SYN costs no mbuf alloc/free, only new
 * L3/L4 headers after the kept L2 header and checksums over 52-72 bytes.
 */
#include <errno.h>
#include <string.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "sk_pkt_meta.h"
#include "synproxy_reply.h"
#include "synproxy_tcp.h"
#include "local/local.h"

int sk_synproxy_synack(struct rte_mbuf *m, const struct rte_ether_addr *src_mac,
	struct sk_syncookie_keys *keys, uint64_t now_s, uint8_t our_wscale, uint32_t *cookie)
{
	const struct sk_pkt_meta *pm = sk_pkt_meta(m);
	uint8_t opts[SK_SYNPROXY_OPTS_MAX];
	struct sk_syncookie_tuple t;
	struct sk_syncookie_opts in, enc;
	struct rte_ether_hdr *eth;
	struct rte_tcp_hdr *tcp;
	size_t l3 = pm->family == 4 ? sizeof(struct rte_ipv4_hdr) : sizeof(struct rte_ipv6_hdr);
	size_t olen, tcplen, total;
	uint16_t sport, dport;
	uint8_t *l3p;
	uint32_t isn;

	if ((pm->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG |
	     RTE_TCP_FIN_FLAG)) != RTE_TCP_SYN_FLAG || pm->l4_len < 20 || pm->l4_len > 60)
		return -EINVAL;
	/* The whole header chain must be in the first segment to rewrite it. */
	if (!rte_pktmbuf_is_contiguous(m) ||
	    rte_pktmbuf_data_len(m) < (uint32_t)pm->l2_len + pm->l3_len + pm->l4_len)
		return -EINVAL;
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	tcp = (struct rte_tcp_hdr *)((uint8_t *)eth + pm->l2_len + pm->l3_len);
	if (sk_synproxy_syn_opts((const uint8_t *)(tcp + 1), pm->l4_len - 20u, &in) < 0)
		return -EINVAL;
	memset(&t, 0, sizeof(t));
	memcpy(t.saddr, pm->src, 16);
	memcpy(t.daddr, pm->dst, 16);
	t.sport = sport = tcp->src_port;
	t.dport = dport = tcp->dst_port;
	t.family = pm->family;
	isn = rte_be_to_cpu_32(tcp->sent_seq);
	*cookie = sk_syncookie_make(keys, &t, isn, &in, now_s, &enc);
	olen = sk_synproxy_synack_opts(opts, &enc, our_wscale);
	tcplen = sizeof(*tcp) + olen;
	/* The reply is never longer than 20/40 + 32 bytes after the L2 header
	 * and fits where the SYN was (a SYN is at least that long or has
	 * tailroom: rte_pktmbuf_append checks). */
	total = pm->l2_len + l3 + tcplen;
	if (total > rte_pktmbuf_data_len(m)) {
		if (rte_pktmbuf_append(m, (uint16_t)(total - rte_pktmbuf_data_len(m))) == NULL)
			return -ENOSPC;
	} else if (rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - total)) < 0) {
		return -EINVAL;
	}
	/* Same L2 header (keeps a VLAN tag), MACs swapped. */
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(src_mac, &eth->src_addr);
	l3p = (uint8_t *)eth + pm->l2_len;
	tcp = (struct rte_tcp_hdr *)(l3p + l3);
	memset(tcp, 0, sizeof(*tcp));
	tcp->src_port = dport;
	tcp->dst_port = sport;
	tcp->sent_seq = rte_cpu_to_be_32(*cookie);
	tcp->recv_ack = rte_cpu_to_be_32(isn + 1);
	tcp->data_off = (uint8_t)((tcplen / 4) << 4);
	tcp->tcp_flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
	tcp->rx_win = rte_cpu_to_be_16(65535);
	memcpy(tcp + 1, opts, olen);
	sk_local_tcp_ip_reply(l3p, pm, tcp, (uint16_t)tcplen, 1);
	return 0;
}
