/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkt_parse.h - parse a burst once into struct sk_pkt_meta.
 * Thread safety: stateless; call from any lcore on packets it owns.
 */
#ifndef SK_PKT_PARSE_H
#define SK_PKT_PARSE_H

#include <rte_ether.h>
#include "sk_pkt_meta.h"

/*
 * Parse pkts[0..n) received on one port whose MAC is port_mac.  Every packet
 * gets meta.kind: SK_PKT_IP (family/proto/addresses/ports/flags/offsets set),
 * SK_PKT_ARP, or SK_PKT_DROP with meta.drop = enum sk_drop_reason.
 * Handles Ethernet, one 802.1Q tag, IPv4 with options (checksum verified
 * unless the PMD flagged it good), IPv6 with hop-by-hop/routing/dest-opts/
 * fragment headers, TCP, UDP, ICMP, ICMPv6.  Later fragments get
 * frag = SK_FRAG_LATER and no L4 fields.  Nothing is written to the packet.
 *
 * Also sets m->l2_len/l3_len/l4_len (rte_ip_frag and TX offloads use them).
 * Only the parser's part of the meta (kind .. dst) is rewritten; the fields
 * the worker fills (in_port onwards) are left alone, so a packet can be
 * parsed again (after reassembly) without losing them.
 * port_mac NULL skips the destination MAC check (offline tools, re-parse of
 * a reassembled datagram whose first fragment already passed it).
 * Headers must lie in the first segment; a header that does not is treated
 * as truncated.
 * First fragments: L4 fields are recorded when the L4 header fits, but no
 * L4 check drops them (the reassembled datagram is parsed and checked again).
 * IPv6 later fragments: proto is the fragment header's next header.
 * ARP: src/dst hold the sender/target protocol addresses (family 4).
 */
void sk_pkt_parse_burst(struct rte_mbuf **pkts, uint16_t n,
			const struct rte_ether_addr *port_mac);

/* Parse one packet (the burst function calls this). Returns meta->kind. */
int sk_pkt_parse(struct rte_mbuf *m, const struct rte_ether_addr *port_mac);

#endif /* SK_PKT_PARSE_H */
