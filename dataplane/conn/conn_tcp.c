/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conn_tcp.c - the TCP state machine, as a pure function of (state, flags,
 * direction).  No sequence-number tracking: the firewall only checks that
 * segments come in an order a real handshake and teardown can produce, so
 * that a stray ACK cannot open or keep a hole and a RST closes promptly.
 */
#include <netinet/in.h>

#include "conn/conn.h"

/* What a segment is, for the state machine; precedence RST > SYN > FIN. */
enum tcp_seg {
	SEG_SYN,     /* SYN without ACK */
	SEG_SYNACK,
	SEG_FIN,     /* FIN, usually with ACK */
	SEG_ACK,     /* anything else: ACK, data, window update */
	SEG_RST,
};

static enum tcp_seg
tcp_seg_class(uint8_t flags)
{
	if (flags & RTE_TCP_RST_FLAG)
		return SEG_RST;
	if (flags & RTE_TCP_SYN_FLAG)
		return (flags & RTE_TCP_ACK_FLAG) ? SEG_SYNACK : SEG_SYN;
	if (flags & RTE_TCP_FIN_FLAG)
		return SEG_FIN;
	return SEG_ACK;
}

int
sk_conn_tcp_next(enum sk_tcp_state st, uint8_t tcp_flags, enum sk_conn_dir dir,
		 enum sk_conn_dir first_fin)
{
	enum tcp_seg seg = tcp_seg_class(tcp_flags);
	int orig = dir == SK_DIR_ORIG;

	if (seg == SEG_RST)
		return SK_TCP_CLOSED;
	/* Only the server answers a SYN with SYN+ACK; from the client it is forged. */
	if (seg == SEG_SYNACK && orig && st != SK_TCP_NONE)
		return -1;

	switch (st) {
	case SK_TCP_NONE:
		/* First packet; anything but a SYN is a loose pickup the caller chose. */
		if (!orig)
			return -1;
		return seg == SEG_SYN ? SK_TCP_SYN_SENT : SK_TCP_ESTABLISHED;

	case SK_TCP_SYN_SENT:
		if (seg == SEG_SYN)
			/* retransmit, or a simultaneous open from the other side */
			return orig ? SK_TCP_SYN_SENT : SK_TCP_SYN_RECV;
		if (seg == SEG_SYNACK)
			return SK_TCP_SYN_RECV;
		/*
		 * A bare ACK from the peer instead of its SYN+ACK: a server still
		 * holding the same 4-tuple in TIME_WAIT answers a new SYN so
		 * (RFC 9293 3.10.7.4; with DNAT the client's fresh port can meet
		 * a backend tuple it used directly a minute ago).  The client
		 * must see it to reset that old connection and retry: pass it,
		 * state unchanged.
		 */
		if (!orig && (tcp_flags & (uint8_t)~(RTE_TCP_ECE_FLAG | RTE_TCP_CWR_FLAG)) ==
		    RTE_TCP_ACK_FLAG)
			return SK_TCP_SYN_SENT;
		return -1;   /* ACK, data or FIN before the peer answered */

	case SK_TCP_SYN_RECV:
		if (seg == SEG_SYN || seg == SEG_SYNACK)
			return SK_TCP_SYN_RECV;   /* retransmits */
		if (!orig)
			return -1;   /* the server may not talk before the client's ACK */
		/* The client's ACK (or its first data or FIN, if the ACK was lost) */
		return seg == SEG_FIN ? SK_TCP_FIN_WAIT : SK_TCP_ESTABLISHED;

	case SK_TCP_ESTABLISHED:
		if (seg == SEG_SYN)
			return -1;
		if (seg == SEG_SYNACK)
			/*
			 * The server repeats its SYN+ACK when the client's ACK
			 * was lost; the client must see it and ACK again or a
			 * server-speaks-first protocol (SSH, SMTP) stalls.
			 */
			return SK_TCP_ESTABLISHED;
		if (seg == SEG_FIN)
			return orig ? SK_TCP_FIN_WAIT : SK_TCP_CLOSE_WAIT;
		return SK_TCP_ESTABLISHED;

	case SK_TCP_FIN_WAIT:     /* the originator closed first */
	case SK_TCP_CLOSE_WAIT:   /* the reply side closed first */
		if (seg == SEG_SYN || seg == SEG_SYNACK)
			return -1;
		if (seg == SEG_FIN && orig == (st == SK_TCP_CLOSE_WAIT))
			return SK_TCP_LAST_ACK;   /* the other side's FIN */
		return st;   /* half-closed data, ACKs, FIN retransmits */

	case SK_TCP_LAST_ACK:
		if (seg == SEG_SYN || seg == SEG_SYNACK)
			return -1;
		/* The first closer acknowledging the second FIN ends it. */
		if (seg == SEG_ACK && dir == first_fin)
			return SK_TCP_TIME_WAIT;
		return SK_TCP_LAST_ACK;

	case SK_TCP_TIME_WAIT:
	case SK_TCP_CLOSED:
		if (seg == SEG_SYN)
			/* port reuse by the same client; the server may not reopen it */
			return orig ? SK_TCP_SYN_SENT : -1;
		if (seg == SEG_SYNACK || st == SK_TCP_CLOSED)
			return -1;
		return SK_TCP_TIME_WAIT;   /* late ACKs and FIN retransmits */

	default:
		return -1;
	}
}

const char *const sk_tcp_state_names[SK_TCP__MAX] = {
#define SK_TCP_ST_NAME(e, n) [SK_TCP_##e] = n,
	SK_TCP_STATE_LIST(SK_TCP_ST_NAME)
#undef SK_TCP_ST_NAME
};

const char *
sk_conn_tcp_state_name(unsigned int st)
{
	return st < SK_TCP__MAX ? sk_tcp_state_names[st] : "unknown";
}

enum sk_timeout
sk_conn_timeout_class(uint8_t proto, uint8_t state)
{
	switch (proto) {
	case IPPROTO_TCP:
		switch (state) {
		case SK_TCP_NONE:
		case SK_TCP_SYN_SENT:
		case SK_TCP_SYN_RECV:
			return SK_TMO_TCP_SYN;
		case SK_TCP_ESTABLISHED:
			return SK_TMO_TCP_ESTABLISHED;
		case SK_TCP_FIN_WAIT:
		case SK_TCP_CLOSE_WAIT:
		case SK_TCP_LAST_ACK:
			return SK_TMO_TCP_FIN;
		default:
			return SK_TMO_TCP_CLOSED;
		}
	case IPPROTO_UDP:
		return state ? SK_TMO_UDP_STREAM : SK_TMO_UDP;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return SK_TMO_ICMP;
	default:
		return SK_TMO_OTHER;
	}
}
