/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synproxy_dp.c - the SYN proxy's worker stage (synproxy_dp.h): when it is
 * on, the automatic mode, the cookie SYN-ACK, the cookie ACK that opens a
 * connection, and the proxied connection's server handshake and sequence
 * translation.
 */
#include <string.h>
#include <rte_ethdev.h>

#include "synproxy_dp.h"
#include "synproxy_pkt.h"
#include "synproxy_reply.h"
#include "lb/lb_svc.h"

#define AUTO_HOLD_MS 10000u /* automatic mode stays on this long after a trigger */

static uint8_t master[16];

int
sk_synproxy_dp_init(void)
{
	return sk_syncookie_master_random(master);
}

void
sk_synproxy_worker_init(struct sk_worker *w)
{
	memset(&w->sp, 0, sizeof(w->sp));
	sk_syncookie_keys_init(&w->sp.keys, master);
	w->sp.win_ms = w->now_ms;
}

static inline uint64_t
now_s(const struct sk_worker *w)
{
	return w->now_ms / 1000u;
}

int
sk_synproxy_auto(struct sk_worker *w, const struct sk_gen *g)
{
	const struct sk_img_settings *st = g->st;
	struct sk_synproxy_w *s = &w->sp;
	uint32_t now = w->now_ms, dt = now - s->win_ms;
	int trig;

	if (likely(st->synproxy_auto_halfopen == 0 && st->synproxy_auto_syn_rate == 0))
		return 0;
	if (dt >= 1000) {
		s->last_rate = dt < 2000 ? (uint32_t)((uint64_t)s->win_syns * 1000 / dt) : 0;
		s->win_syns = 0;
		s->win_ms = now;
	}
	trig = (st->synproxy_auto_halfopen != 0 &&
		sk_conn_halfopen(w->conns) >= st->synproxy_auto_halfopen) ||
	       (st->synproxy_auto_syn_rate != 0 &&
		(s->last_rate >= st->synproxy_auto_syn_rate ||
		 s->win_syns >= st->synproxy_auto_syn_rate));
	if (trig) {
		if (!s->on)
			w->stats->local[SK_LOCAL_SYNPROXY_AUTO_ON]++;
		s->on = 1;
		s->ever_on = 1;
		s->on_until_ms = now + AUTO_HOLD_MS;
		s->last_on_ms = now;
	} else if (s->on && (int32_t)(now - s->on_until_ms) >= 0) {
		s->on = 0;
	}
	return s->on;
}

/* Is the proxy on for this new flow: its rule, its service, or the worker? */
static int
proxy_on(struct sk_worker *w, const struct sk_gen *g, const struct sk_pkt_meta *pm, uint32_t rule)
{
	if (rule != 0 && g->rules[rule - 1].synproxy)
		return 1;
	if (pm->lb_svc != 0 && sk_lb_service(g->lb, pm->lb_svc - 1u)->synproxy)
		return 1;
	return sk_synproxy_auto(w, g);
}

static void
tx_back(struct sk_worker *w, struct rte_mbuf *m, enum sk_local_ctr what)
{
	uint16_t port = sk_pkt_meta(m)->in_port;

	w->stats->local[what]++;
	/* Counted as forwarded: the ledger's "left the unit" (a full TX queue
	 * takes it back, tx_drop_cb). */
	w->stats->forwarded++;
	rte_eth_tx_buffer(port, w->idx, w->txb[port], m);
	w->sp.tx_pending = 1;
}

enum sk_synproxy_verdict
sk_synproxy_new(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m, uint32_t rule,
		struct sk_synproxy_open *op, enum sk_drop_reason *why)
{
	const struct sk_pkt_meta *pm = sk_pkt_meta(m);
	uint8_t f = pm->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG |
				     RTE_TCP_FIN_FLAG);
	struct sk_syncookie_opts o;
	uint32_t cookie;

	if (f == RTE_TCP_SYN_FLAG) {
		if (!proxy_on(w, g, pm, rule))
			return SK_SP_GO;
		if (sk_synproxy_synack(m, &g->ifaces[pm->in_iface].mac, &w->sp.keys, now_s(w),
				       (uint8_t)g->st->synproxy_wscale, &cookie) != 0) {
			*why = SK_DROP_TCP_BAD_HEADER;
			return SK_SP_DROP;
		}
		tx_back(w, m, SK_LOCAL_SYNPROXY_SYNACKS);
		return SK_SP_DONE;
	}
	if (f != RTE_TCP_ACK_FLAG)
		return SK_SP_GO;
	/* A bare ACK without a connection: a cookie, or (proxy off) what
	 * miss() would have refused unless loose pickup is on. */
	if (!proxy_on(w, g, pm, rule) &&
	    !(w->sp.ever_on && w->now_ms - w->sp.last_on_ms < SK_SYNPROXY_ACK_WINDOW_MS &&
	      g->st->synproxy_auto_halfopen + g->st->synproxy_auto_syn_rate != 0)) {
		if (g->st->tcp_loose)
			return SK_SP_GO;
		*why = SK_DROP_TCP_OUT_OF_STATE;
		return SK_SP_DROP;
	}
	if (sk_synproxy_ack_check(m, &w->sp.keys, now_s(w), &o, &cookie) != SK_SYNCOOKIE_VALID) {
		*why = SK_DROP_SYNPROXY_BAD_COOKIE;
		return SK_SP_DROP;
	}
	op->win = rte_be_to_cpu_16(rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *,
				   pm->l2_len + pm->l3_len)->rx_win);
	if (sk_synproxy_ack_to_syn(m, &o) != 0) {
		*why = SK_DROP_TCP_BAD_HEADER;
		return SK_SP_DROP;
	}
	op->cookie = cookie;
	op->on = 1;
	w->stats->local[SK_LOCAL_SYNPROXY_OPENED]++;
	return SK_SP_GO;
}

static void
mark(struct sk_conn *c, uint8_t sp, uint32_t delta, uint16_t win)
{
	c->sp = sp;
	c->sp_delta = delta;
	c->sp_win = win;
}

void
sk_synproxy_opened(struct sk_worker *w, struct sk_conn *c, const struct sk_synproxy_open *op)
{
	struct sk_conn *p = sk_conn_primary(w->conns, c);
	struct sk_conn *a = sk_conn_alias(w->conns, p);

	mark(p, SK_CONN_SP_PENDING, op->cookie, op->win);
	if (a != NULL)
		mark(a, SK_CONN_SP_PENDING, op->cookie, op->win);
}

/* The server's SYN-ACK on pending connection c: record the delta, answer
 * with the ACK, and move the state as the two segments would. */
static enum sk_synproxy_verdict
server_synack(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m, struct sk_conn *c,
	      enum sk_drop_reason *why)
{
	struct sk_pkt_meta *pm = sk_pkt_meta(m);
	struct sk_conn *p = sk_conn_primary(w->conns, c);
	struct sk_conn *a = sk_conn_alias(w->conns, p);
	uint32_t isn = rte_be_to_cpu_32(rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *,
					pm->l2_len + pm->l3_len)->sent_seq);
	uint32_t len = rte_pktmbuf_pkt_len(m);
	enum sk_drop_reason rc;

	if (p->sp == SK_CONN_SP_PENDING) {
		rc = sk_conn_update(w->conns, c, pm, SK_DIR_REPLY, len, w->now_ms);
		if (rc != SK_DROP_NONE) {
			*why = rc;
			return SK_SP_DROP;
		}
		/* Before the ACK's state change: its sync record carries the delta. */
		mark(p, SK_CONN_SP_SEQ, isn - p->sp_delta, p->sp_win);
		if (a != NULL)
			mark(a, SK_CONN_SP_SEQ, p->sp_delta, p->sp_win);
	}
	/* (else a repeated SYN-ACK: our ACK was lost; send it again) */
	if (sk_synproxy_synack_to_ack(m, &g->ifaces[pm->in_iface].mac, p->sp_win) != 0) {
		*why = SK_DROP_TCP_BAD_HEADER;
		return SK_SP_DROP;
	}
	/* The ACK goes the client's way (ORIG) and establishes the connection. */
	rc = sk_conn_update(w->conns, c, pm, SK_DIR_ORIG, rte_pktmbuf_pkt_len(m), w->now_ms);
	if (rc != SK_DROP_NONE) {
		*why = rc;
		return SK_SP_DROP;
	}
	tx_back(w, m, SK_LOCAL_SYNPROXY_SERVER_ACKS);
	return SK_SP_DONE;
}

enum sk_synproxy_verdict
sk_synproxy_hit(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m, struct sk_conn *c,
		uint8_t src_is_a, enum sk_drop_reason *why)
{
	const struct sk_pkt_meta *pm = sk_pkt_meta(m);
	int to_server = sk_conn_dir(c, src_is_a) == SK_DIR_ORIG;
	uint8_t f = pm->tcp_flags;
	int synack = (f & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG)) ==
		     (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);

	if (unlikely(pm->proto != IPPROTO_TCP))
		return SK_SP_GO; /* (an ICMP error is matched elsewhere) */
	if (likely(c->sp == SK_CONN_SP_SEQ)) {
		if (unlikely(!to_server && synack))
			return server_synack(w, g, m, c, why);
		sk_synproxy_translate(m, to_server, c->sp_delta);
		return SK_SP_GO;
	}
	/* Pending: the server has not answered the SYN yet. */
	if (to_server) {
		if (f & RTE_TCP_RST_FLAG)
			return SK_SP_GO; /* seq = ISN + 1 is what the server expects */
		*why = SK_DROP_SYNPROXY_PENDING;
		return SK_SP_DROP;
	}
	if (f & RTE_TCP_RST_FLAG) {
		/* Port closed: the client accepts a RST only at its rcv_nxt. */
		sk_synproxy_set_seq(m, c->sp_delta + 1);
		return SK_SP_GO;
	}
	if (!synack) {
		*why = SK_DROP_SYNPROXY_PENDING;
		return SK_SP_DROP;
	}
	return server_synack(w, g, m, c, why);
}
