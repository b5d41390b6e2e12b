/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synproxy_dp.h - the SYN proxy as a worker stage (docs/security.md "SYN
 * proxy").  The worker calls it at three narrow points:
 *  - miss():   a TCP packet no connection knows: count SYNs (automatic
 *              mode) and let a bare ACK through to policy when a cookie is
 *              possible (sk_synproxy_ack_maybe);
 *  - decide(): policy accepted a new TCP flow (sk_synproxy_new): with the
 *              proxy on for its rule, service or worker, a SYN is answered
 *              with the cookie SYN-ACK (no connection), a bare ACK with a
 *              valid cookie becomes the SYN to the server and opens the
 *              connection (sk_synproxy_opened marks it), any other ACK is
 *              dropped (synproxy_bad_cookie);
 *  - hit():    a packet of a proxied connection (c->sp != 0,
 *              sk_synproxy_hit): the server's SYN-ACK is answered with the
 *              ACK that completes its side, later segments have their
 *              sequence numbers translated.
 * Per worker, run to completion: no locks, no allocation, no syscalls.
 */
#ifndef SK_SYNPROXY_DP_H
#define SK_SYNPROXY_DP_H

#include <stdint.h>
#include <rte_ethdev.h>
#include <rte_tcp.h>

#include "sk_drop.h"
#include "worker/dp.h"
#include "conn/conn.h"

enum sk_synproxy_verdict {
	SK_SP_GO = 0,  /* go on as usual (m may have been rewritten) */
	SK_SP_DONE,    /* m was answered and transmitted here */
	SK_SP_DROP,    /* drop m under *why */
};

/* What sk_synproxy_new learnt from a cookie ACK, for sk_synproxy_opened. */
struct sk_synproxy_open {
	uint32_t cookie;
	uint16_t win;    /* the client's window */
	uint8_t on;      /* 1: m is now the SYN of a proxied connection */
};

/* Once per process, before the workers start: the random master secret
 * every worker derives its cookie keys from.  0 or -errno. */
__attribute__((warn_unused_result))
int sk_synproxy_dp_init(void);

/* Worker init: keys from the master secret, automatic mode off. */
void sk_synproxy_worker_init(struct sk_worker *w);

/* Cookies verify up to 128 s after they were made: a worker whose automatic
 * mode was on within this long still checks bare ACKs for one. */
#define SK_SYNPROXY_ACK_WINDOW_MS 130000u

/* miss(): a TCP packet without a connection.  Counts new SYNs for the
 * automatic mode; 1 when it is a bare ACK that may carry a cookie (a rule
 * or service has the proxy, or this worker's automatic mode was on lately),
 * so policy must see it instead of tcp_out_of_state. */
static inline int
sk_synproxy_miss(struct sk_worker *w, const struct sk_gen *g, const struct sk_pkt_meta *pm)
{
	uint8_t f = pm->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG |
				     RTE_TCP_FIN_FLAG);

	if (f == RTE_TCP_SYN_FLAG) {
		w->sp.win_syns++;
		return 0;
	}
	return f == RTE_TCP_ACK_FLAG &&
	       (g->synproxy_any ||
		(w->sp.ever_on && w->now_ms - w->sp.last_on_ms < SK_SYNPROXY_ACK_WINDOW_MS));
}

/* decide(): policy accepted new TCP flow m (rule: 1 + index, 0 = zone
 * default; pm->lb_svc its service).  op is filled when m became the SYN of
 * a proxied connection. */
enum sk_synproxy_verdict sk_synproxy_new(struct sk_worker *w, const struct sk_gen *g,
					 struct rte_mbuf *m, uint32_t rule,
					 struct sk_synproxy_open *op, enum sk_drop_reason *why);

/* The connection for op was created (c: either half; NAT: both marked). */
void sk_synproxy_opened(struct sk_worker *w, struct sk_conn *c, const struct sk_synproxy_open *op);

/* hit(): m belongs to proxied connection c (c->sp != 0). */
enum sk_synproxy_verdict sk_synproxy_hit(struct sk_worker *w, const struct sk_gen *g,
					 struct rte_mbuf *m, struct sk_conn *c, uint8_t src_is_a,
					 enum sk_drop_reason *why);

/* After a received burst on port that produced answers (tx_pending): send
 * them now, one TX burst, rather than after every port was polled, so a
 * handshake's answer never waits behind another port's RX. */
static inline void
sk_synproxy_flush(struct sk_worker *w, uint16_t port)
{
	w->sp.tx_pending = 0;
	rte_eth_tx_buffer_flush(port, w->idx, w->txb[port]);
}

/* Is the automatic mode engaged on w now (evaluated; counts an engage)? */
int sk_synproxy_auto(struct sk_worker *w, const struct sk_gen *g);

#endif /* SK_SYNPROXY_DP_H */
