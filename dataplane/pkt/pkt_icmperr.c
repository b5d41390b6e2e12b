/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkt_icmperr.c - read the packet an ICMP/ICMPv6 error quotes
 * (pkt_icmperr.h).
 */
#include <string.h>
#include <rte_byteorder.h>

#include "pkt_icmperr.h"

#define QUOTE_L4 8u /* what RFC 792 guarantees of the quoted L4 header */

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

enum sk_drop_reason
sk_icmperr_inner(const struct rte_mbuf *m, const struct sk_pkt_meta *pm,
		 struct sk_icmperr_inner *in)
{
	uint32_t off = (uint32_t)pm->l2_len + pm->l3_len + 8u; /* past the ICMP header */
	uint32_t end = rte_pktmbuf_data_len(m);
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *q = p + off;
	uint32_t ihl;
	uint8_t type;

	/* The outer packet's IP length bounds the quote, not the frame's padding. */
	if ((uint32_t)pm->l2_len + pm->ip_len < end)
		end = (uint32_t)pm->l2_len + pm->ip_len;
	if (off >= end)
		return SK_DROP_ICMP_ERR_MALFORMED;
	memset(in, 0, sizeof(*in));
	in->l3_off = (uint16_t)off;
	if (pm->family == 4) {
		if (end - off < 20 || (q[0] >> 4) != 4)
			return SK_DROP_ICMP_ERR_MALFORMED;
		ihl = (q[0] & 0xfu) * 4u;
		if (ihl < 20 || end - off < ihl + QUOTE_L4)
			return SK_DROP_ICMP_ERR_MALFORMED;
		/* A later fragment quotes no L4 header. */
		if ((rd16(q + 6) & 0x1fff) != 0)
			return SK_DROP_ICMP_ERR_NO_CONN;
		in->proto = q[9];
		memcpy(in->src, q + 12, 4);
		memcpy(in->dst, q + 16, 4);
	} else {
		/* Extension headers in a quote are not followed: a connection
		 * the unit tracks is TCP, UDP or echo right after the header. */
		ihl = 40;
		if (end - off < ihl + QUOTE_L4 || (q[0] >> 4) != 6)
			return SK_DROP_ICMP_ERR_MALFORMED;
		in->proto = q[6];
		memcpy(in->src, q + 8, 16);
		memcpy(in->dst, q + 24, 16);
	}
	in->l4_off = (uint16_t)(off + ihl);
	q += ihl;
	switch (in->proto) {
	case 6:  /* TCP */
	case 17: /* UDP */
		in->sport = rd16(q);
		in->dport = rd16(q + 2);
		return SK_DROP_NONE;
	case 1:
	case 58:
		if ((in->proto == 1) != (pm->family == 4))
			return SK_DROP_ICMP_ERR_NO_CONN;
		type = q[0];
		/* An echo request or reply: the connection's key holds the
		 * identifier as both ports.  Never an error about an error. */
		if (pm->family == 4 ? (type != 8 && type != 0) : (type != 128 && type != 129))
			return SK_DROP_ICMP_ERR_NO_CONN;
		in->sport = rd16(q + 4);
		in->dport = in->sport;
		return SK_DROP_NONE;
	default:
		return SK_DROP_ICMP_ERR_NO_CONN;
	}
}
