/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * verify_trace_lb.c - the load balancer's part of a trace: which service a
 * packet to a VIP matched, the backend chosen for it, the translated packet
 * policy sees and its route, and the NAT the connection gets (DNAT; full
 * NAT with its SNAT source).  Every decision is the dataplane's own, through
 * its offline façade (sk_trace_api.h): the service match of the destination
 * decision, sk_lb_select on worker 0's row of the trace generation, the
 * backend's route, the full-NAT client seed, SNAT source and first port
 * (sk_trace_snat); tests/verify/run compares the trace's SNAT address and
 * port with the dataplane's on every full-NAT packet.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "sk_drop.h"
#include "sk_image_api.h"
#include "verify_trace_priv.h"

#define WORDS(e, w) #w,
static const char *const sched_names[] = { SK_LB_SCHED_LIST(WORDS) };
static const char *const fwd_names[] = { SK_LB_FWD_LIST(WORDS) };
static const char *const state_names[] = { SK_LB_STATE_LIST(WORDS) };
#undef WORDS

#define NAME_OF(tab, i) ((unsigned int)(i) < RTE_DIM(tab) ? (tab)[i] : "?")

/* Backends listed by name in the step of a service with none to take a connection. */
#define LIST_MAX 8

/* "192.0.2.1:80" or "[2001:db8::1]:80". */
static const char *
ep_txt(uint8_t family, const uint8_t *a, uint16_t port, char *buf, size_t len)
{
	char ab[INET6_ADDRSTRLEN];

	sk_vtrace_addr(family, a, ab, sizeof(ab));
	snprintf(buf, len, family == 6 ? "[%s]:%u" : "%s:%u", ab, port);
	return buf;
}

static const struct sk_img_backend *
img_backend(const struct sk_gen *g, uint32_t gbe)
{
	uint32_t n;
	const struct sk_img_backend *b = sk_image_sec(sk_trace_image(g), SK_SEC_BACKENDS, &n);

	return gbe < n ? &b[gbe] : NULL;
}

static void
assume_sched(struct sk_vtrace *t, const struct sk_img_service *s)
{
	sk_vtrace_assume(t, "backend choice: sk_lb_select on worker 0's row of the trace "
			 "generation, with the backends' configured state and weight; their "
			 "runtime state (health checks, drain/disable/weight set over REST) is not "
			 "known here: every backend is taken as healthy");
	switch (s->sched) {
	case SK_LB_SCHED_MAGLEV:
		sk_vtrace_assume(t, "maglev: the backend is a function of the flow's addresses, "
				 "ports and protocol and of the eligible backends; the dataplane "
				 "computes the same one");
		break;
	case SK_LB_SCHED_SH:
		sk_vtrace_assume(t, "sh: the backend is a function of the client's address and "
				 "of the eligible backends; the dataplane computes the same one");
		break;
	case SK_LB_SCHED_WRR:
		sk_vtrace_assume(t, "wrr: the choice depends on the connections before it: this "
				 "is the next pick of the trace generation's own rotation (each "
				 "trace of the service advances it; every dataplane worker keeps "
				 "its own)");
		break;
	case SK_LB_SCHED_WLC:
	default:
		sk_vtrace_assume(t, "wlc: the choice depends on the connections open at run "
				 "time; none are counted here, so every backend ties and the first "
				 "eligible one wins");
		break;
	}
	sk_vtrace_assume(t, "connection limits (service and backend conn_limit) are not "
			 "reached: no connection is counted offline");
	if (s->persist_s != 0)
		sk_vtrace_assume(t, "persistence (persist_s %u): a client that opened a "
				 "connection within %u s goes back to its backend; only earlier "
				 "traces are remembered here", s->persist_s, s->persist_s);
}

void
sk_vtrace_lb_admit(struct sk_vtrace *t, const struct sk_pkt_meta *pm)
{
	const struct sk_gen *g = t->g;
	const struct sk_img_service *s;
	char vb[INET6_ADDRSTRLEN], pb[16], prbuf[8];
	const char *proto;

	if (!(pm->lb_addr & SK_LB_ADDR_VIP))
		return;
	sk_vtrace_addr(pm->family, pm->dst, vb, sizeof(vb));
	proto = sk_verify_proto_name(pm->proto, prbuf, sizeof(prbuf));
	if (pm->lb_svc == 0) {
		sk_vtrace_step(t, "%s is a VIP, but no service there takes %s port %u: the "
			       "packet goes on like any other", vb, proto, pm->dport);
		return;
	}
	s = sk_trace_service(g, pm->lb_svc - 1u);
	if (s->port_lo == s->port_hi)
		snprintf(pb, sizeof(pb), "%u", s->port_lo);
	else
		snprintf(pb, sizeof(pb), "%u-%u", s->port_lo, s->port_hi);
	json_object_set_new(t->doc, "service", json_pack(
		"{s:i,s:s,s:i,s:s,s:s,s:s,s:s,s:s,s:i,s:i,s:i}",
		"id", (json_int_t)s->id, "name", s->name, "line", (json_int_t)s->line,
		"vip", vb, "proto", proto, "ports", pb,
		"scheduler", NAME_OF(sched_names, s->sched),
		"forward", NAME_OF(fwd_names, s->fwd),
		"persist_s", (json_int_t)s->persist_s, "conn_limit", (json_int_t)s->conn_limit,
		"backends", (json_int_t)s->backend_count));
	sk_vtrace_step(t, "%s %s port %u is virtual service '%s' (id %u, line %u): scheduler "
		       "%s, %s; routed once its backend is chosen", proto, vb, pm->dport, s->name,
		       s->id, s->line, NAME_OF(sched_names, s->sched),
		       NAME_OF(fwd_names, s->fwd));
	assume_sched(t, s);
}

int
sk_vtrace_lb_miss(struct sk_vtrace *t, const struct sk_pkt_meta *pm, enum sk_new_flow nf)
{
	char ab[INET6_ADDRSTRLEN];

	/* The backend's answer to a health check of the unit's kernel. */
	if (nf == SK_NEW_FLOW_HEALTH) {
		sk_vtrace_step(t, "TCP from health-check endpoint %s port %u to an ephemeral port "
			       "of the unit: a reply to sekisho-cp's health check, handed to the "
			       "main lcore for the kernel's tap (not policy)",
			       sk_vtrace_addr(pm->family, pm->src, ab, sizeof(ab)), pm->sport);
		json_object_set_new(t->doc, "slow_path", json_string("health"));
		sk_vtrace_decision(t, "slow_path", SK_DROP_NONE);
		return 1;
	}
	if (nf == SK_NEW_FLOW_NAT_STRAY) {
		sk_vtrace_step(t, "%s is an SNAT source of a full-NAT service: only backends' "
			       "replies to connections are expected there, and no connection is "
			       "assumed", sk_vtrace_addr(pm->family, pm->dst, ab, sizeof(ab)));
		sk_vtrace_decision(t, "drop", sk_trace_new_flow_drop(nf));
		return 1;
	}
	return 0;
}

/* Why no backend took it: each backend's configured state and weight. */
static void
step_no_backend(struct sk_vtrace *t, const struct sk_img_service *s)
{
	char buf[400];
	size_t n = 0;
	uint32_t i;

	buf[0] = '\0';
	for (i = 0; i < s->backend_count && i < LIST_MAX; i++) {
		const struct sk_img_backend *b = img_backend(t->g, s->backend_first + i);

		if (b == NULL)
			break;
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s %s weight %u",
				      i ? ", " : "", b->name, NAME_OF(state_names, b->state),
				      b->weight);
		if (n >= sizeof(buf))
			break;
	}
	sk_vtrace_step(t, "no backend of '%s' may take a new connection (configured: %s%s; "
		       "only up with weight > 0 may)", s->name, buf,
		       s->backend_count > LIST_MAX ? ", ..." : "");
}

static void
backend_json(struct sk_vtrace *t, const struct sk_lb_choice *ch, const struct sk_img_service *s)
{
	const struct sk_img_backend *b = img_backend(t->g, ch->gbe);
	static const char *const by[] = {
		[SK_LB_SCHED_MAGLEV] = "the flow's hash in the Maglev table",
		[SK_LB_SCHED_WRR] = "weighted round robin",
		[SK_LB_SCHED_WLC] = "weighted least connections",
		[SK_LB_SCHED_SH] = "the client address's hash in the Maglev table",
	};
	char ab[INET6_ADDRSTRLEN];

	if (b == NULL)
		return;
	sk_vtrace_addr(ch->family, ch->addr, ab, sizeof(ab));
	json_object_set_new(t->doc, "backend", json_pack(
		"{s:s,s:i,s:s,s:i,s:i,s:i,s:s,s:i,s:s}",
		"name", b->name, "index", (json_int_t)ch->be, "address", ab,
		"port", (json_int_t)ch->port, "line", (json_int_t)b->line,
		"weight", (json_int_t)b->weight, "state", NAME_OF(state_names, b->state),
		"conn_limit", (json_int_t)b->conn_limit,
		"chosen_by", NAME_OF(by, s->sched)));
	sk_vtrace_step(t, "backend '%s' (line %u) %s%s%s port %u, chosen by %s%s", b->name,
		       b->line, ch->family == 6 ? "[" : "", ab, ch->family == 6 ? "]" : "",
		       ch->port, NAME_OF(by, s->sched),
		       b->port == 0 ? " (configured port 0: the client's port)" : "");
}

int
sk_vtrace_lb_prepare(struct sk_vtrace *t, struct sk_pkt_meta *pm)
{
	const struct sk_gen *g = t->g;
	struct sk_vtrace_lb *nw = &t->lb;
	const struct sk_img_service *s = sk_trace_service(g, pm->lb_svc - 1u);
	struct sk_route_result rr;
	char e1[INET6_ADDRSTRLEN + 8], e2[INET6_ADDRSTRLEN + 8], ab[INET6_ADDRSTRLEN];
	int rc;

	/* Worker 0, at time 0: persistence entries of earlier traces stay fresh. */
	rc = sk_trace_lb_select(g, pm, &nw->ch);
	if (rc != 0) {
		if (rc == SK_DROP_LB_NO_BACKEND)
			step_no_backend(t, s);
		sk_vtrace_decision(t, "drop", rc);
		return 1;
	}
	backend_json(t, &nw->ch, s);
	memcpy(nw->vip, pm->dst, 16);
	nw->vport = pm->dport;
	memcpy(pm->dst, nw->ch.addr, 16);
	pm->dport = nw->ch.port;
	/* worker_lb.c sk_wlb_route(): no ICMP error for the client here. */
	sk_vtrace_addr(pm->family, pm->dst, ab, sizeof(ab));
	switch (sk_trace_route(g, pm, &rr)) {
	case SK_GEN_DST_ROUTED:
		sk_vtrace_route(t, pm, &rr, " to the backend");
		break;
	case SK_GEN_DST_LOCAL:
		sk_vtrace_step(t, "the backend %s is an address of the unit: nothing listens", ab);
		sk_vtrace_decision(t, "drop", SK_DROP_LOCAL_UNHANDLED);
		return 1;
	case SK_GEN_DST_BROADCAST:
		sk_vtrace_step(t, "the backend %s is a broadcast or multicast address", ab);
		sk_vtrace_decision(t, "drop", SK_DROP_IP_BROADCAST);
		return 1;
	case SK_GEN_DST_NO_ROUTE:
	default:
		sk_vtrace_step(t, "no route to the backend %s (no ICMP error is sent)", ab);
		sk_vtrace_decision(t, "drop", SK_DROP_NO_ROUTE);
		return 1;
	}
	sk_vtrace_step(t, "policy sees the translated packet: %s -> %s",
		       ep_txt(pm->family, pm->src, pm->sport, e1, sizeof(e1)),
		       ep_txt(pm->family, pm->dst, pm->dport, e2, sizeof(e2)));
	return 0;
}

void
sk_vtrace_lb_restore(struct sk_vtrace *t, struct sk_pkt_meta *pm)
{
	memcpy(pm->dst, t->lb.vip, 16);
	pm->dport = t->lb.vport;
}

/* Full NAT: the worker's source address and first port (sk_trace_snat). */
static int
snat_json(struct sk_vtrace *t, const struct sk_pkt_meta *pm, const struct sk_lb_choice *ch,
	  json_t *nat)
{
	const struct sk_gen *g = t->g;
	unsigned int workers = sk_trace_settings(g)->workers != 0 ?
			       sk_trace_settings(g)->workers : 1;
	char ab[INET6_ADDRSTRLEN], e1[INET6_ADDRSTRLEN + 8], e2[INET6_ADDRSTRLEN + 16], rb[16];
	struct sk_trace_snat sn;
	const uint8_t *snat;
	uint32_t n;
	uint16_t port, hi;
	json_t *j;

	if (sk_trace_snat(g, pm, ch, workers, &sn) != 0) {
		sk_vtrace_step(t, "full NAT: no SNAT source to take the connection from");
		sk_vtrace_decision(t, "drop", SK_DROP_NAT_NO_PORT);
		return 1;
	}
	snat = sn.addr;
	n = sn.pool_size;
	port = sn.port;
	hi = sn.port_hi;
	memcpy(t->lb.snat, snat, 16);
	t->lb.has_snat = 1;
	sk_vtrace_addr(pm->family, snat, ab, sizeof(ab));
	ep_txt(pm->family, pm->src, pm->sport, e1, sizeof(e1));
	snprintf(rb, sizeof(rb), "%u-%u", sn.port_lo, hi);
	j = json_pack("{s:s,s:i,s:i,s:s,s:i}", "address", ab, "pool_index",
		      (json_int_t)sn.pool_index, "pool_size", (json_int_t)n, "port_range", rb,
		      "workers", (json_int_t)workers);
	if (workers == 1) {
		/* One worker: no RSS steering, the block is every port: exact. */
		ep_txt(pm->family, snat, port, e2, sizeof(e2));
		json_object_set_new(j, "port", json_integer(port));
		json_object_set_new(j, "port_exact", json_true());
		json_object_set_new(j, "note", json_string(
			"the first candidate port (one worker, no RSS steering): taken unless a "
			"connection already uses it with this backend, then the next free one"));
	} else {
		snprintf(e2, sizeof(e2), pm->family == 6 ? "[%s]:%u-%u" : "%s:%u-%u", ab,
			 sn.port_lo, hi);
		json_object_set_new(j, "port", json_null());
		json_object_set_new(j, "port_exact", json_false());
		json_object_set_new(j, "note", json_string(
			"the port is chosen at run time in the port block of the worker that owns "
			"the connection, so that the backend's reply reaches that worker"));
	}
	json_object_set_new(nat, "src", json_sprintf("%s -> %s", e1, e2));
	json_object_set_new(nat, "snat", j);
	sk_vtrace_step(t, "full NAT: src %s -> %s (SNAT source %u of %u, picked by the client's "
		       "address and port)%s", e1, e2, sn.pool_index + 1, n,
		       workers == 1 ? "" : "; the port is the owning worker's choice");
	return 0;
}

void
sk_vtrace_lb_error(struct sk_vtrace *t, const struct sk_pkt_meta *pm)
{
	const struct sk_lb_choice *ch = &t->lb.ch;
	json_t *reply = json_object_get(t->doc, "reply");
	char to[INET6_ADDRSTRLEN], be[INET6_ADDRSTRLEN];

	if (!json_is_object(reply))
		return;
	sk_vtrace_addr(pm->family, t->lb.has_snat ? t->lb.snat : pm->src, to, sizeof(to));
	sk_vtrace_addr(ch->family, ch->addr, be, sizeof(be));
	json_object_set_new(reply, "to", json_string(to));
	json_object_set_new(reply, "quotes", json_string("translated"));
	sk_vtrace_step(t, "the worker translated the packet before this check: its ICMP error "
		       "goes to %s%s and quotes the translated packet (destination %s)", to,
		       t->lb.has_snat ? " (the SNAT source, not the client)" : "", be);
}

int
sk_vtrace_lb_create(struct sk_vtrace *t, const struct sk_pkt_meta *pm)
{
	const struct sk_lb_choice *ch = &t->lb.ch;
	char e1[INET6_ADDRSTRLEN + 8], e2[INET6_ADDRSTRLEN + 8];
	json_t *nat;

	ep_txt(pm->family, pm->dst, pm->dport, e1, sizeof(e1));
	ep_txt(ch->family, ch->addr, ch->port, e2, sizeof(e2));
	nat = json_pack("{s:s,s:o,s:n,s:n}", "forward", NAME_OF(fwd_names, ch->fwd),
			"dst", json_sprintf("%s -> %s", e1, e2), "src", "snat");
	json_object_set_new(t->doc, "nat", nat);
	sk_vtrace_step(t, "DNAT: dst %s -> %s", e1, e2);
	if (ch->fwd == SK_LB_FWD_FULLNAT && snat_json(t, pm, ch, nat))
		return 1;
	sk_vtrace_step(t, "a NAT connection is created: later packets both ways bypass policy "
		       "and are translated (replies back to %s)", e1);
	return 0;
}
