/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fwd.h - the last steps of forwarding, shared by workers and the main
 * lcore (which sends packets that waited for ARP/ND): TTL, L2 rewrite.
 */
#ifndef SK_FWD_H
#define SK_FWD_H

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include "sk_pkt_meta.h"

/* Decrement TTL / hop limit; IPv4 checksum updated incrementally (RFC 1624):
 * TTL is the high byte of its 16-bit word, so the sum gains 0x0100. */
static inline void
sk_fwd_dec_ttl(struct rte_mbuf *m, const struct sk_pkt_meta *pm)
{
	if (pm->family == 4) {
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, pm->l2_len);
		uint32_t c = (uint32_t)rte_be_to_cpu_16(ip->hdr_checksum) + 0x0100;

		ip->time_to_live--;
		c = (c & 0xffff) + (c >> 16);
		ip->hdr_checksum = rte_cpu_to_be_16((uint16_t)c);
	} else {
		struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, pm->l2_len);

		ip6->hop_limits--;
	}
}

static inline void
sk_fwd_l2(struct rte_mbuf *m, const struct rte_ether_addr *src, const struct rte_ether_addr *dst)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(dst, &eth->dst_addr);
	rte_ether_addr_copy(src, &eth->src_addr);
}

#endif /* SK_FWD_H */
