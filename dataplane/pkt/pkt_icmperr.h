/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkt_icmperr.h - ICMP/ICMPv6 errors and the packet they quote.
 *
 * An error (ICMPv4 destination unreachable, time exceeded, parameter
 * problem; ICMPv6 destination unreachable, packet too big, time exceeded,
 * parameter problem) carries the IP header and at least 8 bytes of L4 of
 * the packet that caused it.  The worker matches it to that packet's
 * connection (the quoted tuple, whose canonical key is the connection's
 * whatever the direction) instead of deciding it by policy, so PMTUD and
 * traceroute work through the unit and forged errors that quote no
 * connection are dropped.
 * Thread safety: stateless; hot path (no allocation, reads the first segment).
 */
#ifndef SK_PKT_ICMPERR_H
#define SK_PKT_ICMPERR_H

#include <stdint.h>
#include <rte_mbuf.h>
#include "sk_pkt_meta.h"
#include "sk_drop.h"

/* Is the parsed packet an ICMP error of one of the kinds above (not a later
 * fragment)? */
static inline int
sk_icmperr_is(const struct sk_pkt_meta *pm)
{
	if (pm->frag == SK_FRAG_LATER)
		return 0;
	if (pm->family == 4 && pm->proto == 1)
		return pm->icmp_type == 3 || pm->icmp_type == 11 || pm->icmp_type == 12;
	if (pm->family == 6 && pm->proto == 58)
		return pm->icmp_type >= 1 && pm->icmp_type <= 4;
	return 0;
}

/* The quoted packet's tuple as it travelled (src = the packet's sender). */
struct sk_icmperr_inner {
	uint8_t proto;        /* TCP, UDP, ICMP(v6) echo */
	uint16_t sport, dport; /* host order; echo: the identifier, twice */
	uint16_t l3_off;      /* offset of the quoted IP header in the frame */
	uint16_t l4_off;      /* offset of the quoted L4 header */
	uint8_t src[16], dst[16];
};

/*
 * Read the quote of error m (sk_icmperr_is(pm)).  SK_DROP_NONE and *in
 * filled; SK_DROP_ICMP_ERR_MALFORMED when the quote cannot hold its IP
 * header and 8 bytes of L4, or is not of the error's family;
 * SK_DROP_ICMP_ERR_NO_CONN when it quotes something no connection can be
 * (another protocol, a later fragment, an echo reply or an error).
 */
enum sk_drop_reason sk_icmperr_inner(const struct rte_mbuf *m, const struct sk_pkt_meta *pm,
				     struct sk_icmperr_inner *in);

#endif /* SK_PKT_ICMPERR_H */
