/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * verify_trace_priv.h - what the trace's two halves share: the firewall
 * path (verify_trace.c) and the load balancer's steps (verify_trace_lb.c).
 * Internal to control/verify.
 */
#ifndef SK_VERIFY_TRACE_PRIV_H
#define SK_VERIFY_TRACE_PRIV_H

#include <stdint.h>
#include <jansson.h>

#include "sk_drop.h"
#include "sk_trace_api.h"
#include "verify_priv.h"

/* A new connection to a service between backend choice and verdict
 * (worker's struct sk_wlb_new). */
struct sk_vtrace_lb {
	struct sk_lb_choice ch;
	uint8_t vip[16];
	uint16_t vport;
	uint8_t has_snat;       /* full NAT: snat is the source the worker picks */
	uint8_t snat[16];
};

struct sk_vtrace {
	const struct sk_gen *g;
	struct sk_vmodel vm;
	json_t *doc;
	json_t *steps;
	json_t *assumptions;
	const struct rte_mbuf *m; /* the frame traced: what a quote or the DF bit is read from */
	uint8_t is_lb;          /* a new connection to a service: lb is filled */
	struct sk_vtrace_lb lb;
};

void sk_vtrace_step(struct sk_vtrace *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sk_vtrace_assume(struct sk_vtrace *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "decision" and "drop_reason" (null for SK_DROP_NONE), with a step for a drop. */
void sk_vtrace_decision(struct sk_vtrace *t, const char *decision, enum sk_drop_reason reason);
const char *sk_vtrace_addr(uint8_t family, const uint8_t *a, char *buf, size_t len);
/* "route" from a route result, and a step saying so (what: "" or " to the backend"). */
void sk_vtrace_route(struct sk_vtrace *t, const struct sk_pkt_meta *pm,
		     const struct sk_route_result *rr, const char *what);

/*
 * The load balancer's steps, in the worker's order.  The decisions are the
 * dataplane's own functions; these explain their outcomes.  Each int one
 * returns 0 to go on, or 1 when it decided the packet (decision set).
 *  admit:   after the destination decision (decide.h): a VIP's service
 *           (pm->lb_svc, not routed yet) or a VIP no service takes.
 *  miss:    sk_decide_new_flow's load-balancer outcomes: a health-check
 *           reply to the unit, a stray packet to an SNAT address.
 *  prepare: as sk_wlb_prepare(): choose the backend (sk_lb_select), make pm
 *           the translated packet, route it to the backend (sk_decide_dst).
 *  create:  sk_wlb_create() after accept: the NAT of the connection.
 */
void sk_vtrace_lb_admit(struct sk_vtrace *t, const struct sk_pkt_meta *pm);
int sk_vtrace_lb_miss(struct sk_vtrace *t, const struct sk_pkt_meta *pm, enum sk_new_flow nf);
int sk_vtrace_lb_prepare(struct sk_vtrace *t, struct sk_pkt_meta *pm);
/* sk_wlb_restore(): the client's own destination back, after policy. */
void sk_vtrace_lb_restore(struct sk_vtrace *t, struct sk_pkt_meta *pm);
int sk_vtrace_lb_create(struct sk_vtrace *t, const struct sk_pkt_meta *pm);
/*
 * An ICMP error of forward() (TTL, MTU) for a balanced packet: the worker
 * builds it from the packet as already translated.  Says where it goes.
 */
void sk_vtrace_lb_error(struct sk_vtrace *t, const struct sk_pkt_meta *pm);

#endif /* SK_VERIFY_TRACE_PRIV_H */
