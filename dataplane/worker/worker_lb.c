/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * worker_lb.c - the worker's load-balancer steps (wlb.h): backend choice
 * before policy, NAT connection creation after it, translation of every
 * later packet in both directions, and the owner of a flow for handoffs.
 *
 * A NAT connection is two keys in the worker's table (conn.h): the
 * primary under the client's tuple (client <-> VIP) and the alias under the
 * backend's (backend <-> client, or backend <-> SNAT source).  The keys are
 * the NAT state: reading them back costs no memory per connection.
 */
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "wlb.h"
#include "acl/acl.h"
#include "nat/nat.h"
#include "route/route.h"
#include "hctap/hctap.h"
#include "decide/decide.h"

/* Candidate SNAT ports tried for one connection before giving up. */
#define SNAT_TRIES 64

enum sk_drop_reason
sk_wlb_route(const struct sk_gen *g, struct sk_pkt_meta *pm)
{
	struct sk_route_result rr;

	switch (sk_decide_dst(g, pm, &rr)) {
	case SK_GEN_DST_ROUTED:
		return SK_DROP_NONE;
	case SK_GEN_DST_LOCAL:
		/* A backend or client that is the unit itself: nothing listens. */
		return SK_DROP_LOCAL_UNHANDLED;
	case SK_GEN_DST_BROADCAST:
		return SK_DROP_IP_BROADCAST;
	case SK_GEN_DST_NO_ROUTE:
	default:
		return SK_DROP_NO_ROUTE;
	}
}

enum sk_drop_reason
sk_wlb_prepare(struct sk_worker *w, const struct sk_gen *g, struct sk_pkt_meta *pm,
	       struct sk_wlb_new *nw)
{
	enum sk_drop_reason rc;

	rc = sk_lb_select(g->lb, w->idx, pm->lb_svc - 1u, pm, w->now_ms, &nw->ch);
	if (rc != 0)
		return rc;
	nw->rk_set = 0;
	memcpy(nw->vip, pm->dst, 16);
	nw->vport = pm->dport;
	memcpy(pm->dst, nw->ch.addr, 16);
	pm->dport = nw->ch.port;
	rc = sk_wlb_route(g, pm);
	if (rc != 0)
		sk_wlb_restore(pm, nw);
	return rc;
}

void
sk_wlb_restore(struct sk_pkt_meta *pm, const struct sk_wlb_new *nw)
{
	memcpy(pm->dst, nw->vip, 16);
	pm->dport = nw->vport;
}

/* A packet's addresses and ports as they arrived (undo of a translation). */
struct nat_undo {
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
};

static inline void
undo_save(struct nat_undo *u, const struct sk_pkt_meta *pm)
{
	memcpy(u->src, pm->src, 16);
	memcpy(u->dst, pm->dst, 16);
	u->sport = pm->sport;
	u->dport = pm->dport;
}

/*
 * forward() answers a packet whose TTL runs out, or that is too big for its
 * egress and may not be fragmented, with an ICMP error quoting it.  About a
 * translated packet that error must quote what its sender sent (the VIP, the
 * client's own port): otherwise it goes to the SNAT address, or quotes a
 * backend the client never knew, and path-MTU discovery through the load
 * balancer breaks.  So such a packet is translated back first; forward()
 * then answers it and drops it as it would any other.
 */
static void
undo_if_error(const struct sk_gen *g, struct rte_mbuf *m, struct sk_pkt_meta *pm,
	      const struct nat_undo *u)
{
	enum sk_fwd f = sk_decide_fwd(g, m, pm);

	/* Sent whole, or cut into fragments on the way out: no error. */
	if (likely(f == SK_FWD_SEND || f == SK_FWD_FRAGMENT))
		return;
	sk_nat_rewrite(m, pm, u->src, u->sport, u->dst, u->dport);
}

/* Full NAT: the client's SNAT source address (NULL: the service has none). */
static const uint8_t *
snat_addr(const struct sk_gen *g, const struct sk_lb_choice *ch, uint32_t seed)
{
	const struct sk_img_prefix *pool;
	uint32_t n;

	pool = sk_lb_snat(g->lb, ch->svc, &n);
	return pool == NULL || n == 0 ? NULL : pool[seed % n].addr;
}

/*
 * Candidate a of the SNAT port search.  Shared (an interface address):
 * candidates spread over the block, since a walk from one seed could spend
 * every try inside the kernel's range.  Candidate 0 is the same either way.
 */
static int
snat_try(const struct sk_worker *w, const struct sk_pkt_meta *pm, const struct sk_lb_choice *ch,
	 const uint8_t *snat, uint32_t seed, int shared, uint32_t a, uint16_t *port)
{
	return sk_nat_snat_port(w->nat_rss, sk_dp.n_workers, w->idx, pm->family, pm->proto, snat,
				ch->addr, ch->port, shared ? seed ^ (a * 0x9e3779b9u) : seed,
				shared ? 0 : a, port);
}

/* Full NAT: an SNAT source and port whose reply tuple no connection uses. */
static enum sk_drop_reason
pick_snat(struct sk_worker *w, const struct sk_gen *g, const struct sk_pkt_meta *pm,
	  const struct sk_wlb_new *nw, const uint8_t **snat, uint16_t *sport,
	  struct sk_conn_key *rk, uint8_t *rk_orig_is_a)
{
	const struct sk_lb_choice *ch = &nw->ch;
	uint32_t seed = sk_decide_client_seed(pm), a;
	uint16_t port, spare = 0;
	int shared;

	*snat = nw->rk_set ? nw->snat : snat_addr(g, ch, seed);
	if (*snat == NULL)
		return SK_DROP_NAT_NO_PORT;
	/* An interface address is also the kernel's (health-check probes). */
	shared = g->hc != NULL && sk_gen_local_addr(g, pm->family, *snat) >= 0;
	for (a = 0; a < SNAT_TRIES; a++) {
		if (a == 0 && nw->rk_set) {
			/* sk_wlb_warm's candidate 0; an earlier connection of the
			 * burst may have taken it since: looked up below. */
			port = nw->sport0;
			*rk = nw->rk;
			*rk_orig_is_a = nw->rk_orig_is_a;
		} else {
			if (snat_try(w, pm, ch, *snat, seed, shared, a, &port) != 0)
				break;
			sk_conn_key_from_tuple(pm->family, pm->proto, *snat, port, ch->addr,
					       ch->port, rk, rk_orig_is_a);
		}
		if (sk_conn_lookup(w->conns, rk) != NULL)
			continue;
		/* A free port in the kernel's range is kept in reserve only: a
		 * worker's whole block may lie in that range. */
		if (shared && sk_hctap_kernel_port(g->hc, port)) {
			spare = spare != 0 ? spare : port;
			continue;
		}
		*sport = port;
		return SK_DROP_NONE;
	}
	if (spare == 0)
		return SK_DROP_NAT_NO_PORT;
	sk_conn_key_from_tuple(pm->family, pm->proto, *snat, spare, ch->addr, ch->port, rk,
			       rk_orig_is_a);
	*sport = spare;
	return SK_DROP_NONE;
}

void
sk_wlb_warm(struct sk_worker *w, const struct sk_gen *g, struct sk_pkt_meta *const pms[],
	    struct sk_wlb_new nw[], const uint8_t is_lb[], uint16_t n)
{
	struct sk_conn_key rk[SK_BURST_MAX];
	struct sk_conn *found[SK_BURST_MAX];
	uint16_t i, k = 0;

	for (i = 0; i < n && k < SK_BURST_MAX; i++) {
		const struct sk_pkt_meta *pm = pms[i];
		struct sk_wlb_new *x = &nw[i];
		const struct sk_lb_choice *ch = &x->ch;
		const uint8_t *src = pm->src;
		uint16_t sport = pm->sport;

		if (!is_lb[i])
			continue;
		if (ch->fwd == SK_LB_FWD_FULLNAT) {
			uint32_t seed = sk_decide_client_seed(pm);

			src = snat_addr(g, ch, seed);
			if (src == NULL || snat_try(w, pm, ch, src, seed, 0, 0, &sport) != 0)
				continue;
		}
		sk_conn_key_from_tuple(pm->family, pm->proto, src, sport, ch->addr, ch->port,
				       &x->rk, &x->rk_orig_is_a);
		x->snat = src;
		x->sport0 = sport;
		x->rk_set = 1;
		rk[k++] = x->rk;
	}
	/* Only the buckets' presence in the cache is wanted: results unused. */
	if (k != 0)
		sk_conn_lookup_burst(w->conns, rk, k, found);
}

int
sk_wlb_create(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m,
	      const struct sk_conn_key *k, uint8_t src_is_a, const struct sk_wlb_new *nw,
	      uint32_t rule_id, enum sk_drop_reason *why)
{
	struct sk_pkt_meta *pm = sk_pkt_meta(m);
	const struct sk_lb_choice *ch = &nw->ch;
	int fullnat = ch->fwd == SK_LB_FWD_FULLNAT;
	const uint8_t *snat = NULL;
	uint16_t sport = 0;
	struct sk_conn_key rk;
	uint8_t rk_orig_is_a;
	struct nat_undo u;
	struct sk_conn *c;
	struct sk_lb_choice alt;

	if (fullnat) {
		*why = pick_snat(w, g, pm, nw, &snat, &sport, &rk, &rk_orig_is_a);
		if (*why != SK_DROP_NONE)
			return 0;
	} else if (nw->rk_set) {
		rk = nw->rk;
		rk_orig_is_a = nw->rk_orig_is_a;
	} else {
		sk_conn_key_from_tuple(pm->family, pm->proto, pm->src, pm->sport, ch->addr,
				       ch->port, &rk, &rk_orig_is_a);
	}
	for (;;) {
		c = sk_conn_create_nat(w->conns, k, src_is_a, &rk, rk_orig_is_a, pm, w->now_ms,
				       rule_id, (uint32_t)g->id, (uint8_t)(ch->fwd + 1), ch->gbe);
		if (c != NULL)
			break;
		if (rte_errno == EEXIST && sk_conn_lookup(w->conns, k) != NULL)
			return -EEXIST;
		if (rte_errno != EEXIST) {
			*why = SK_DROP_CONN_TABLE_FULL;
			return 0;
		}
		/* The backend's tuple is taken.  Full NAT tried its ports
		 * already; DNAT: the client talks to this backend directly from
		 * the same port, so another backend of the service takes it. */
		if (fullnat ||
		    sk_lb_select_next(g->lb, ch, nw->ch.be, pm, &alt) != SK_DROP_NONE) {
			*why = SK_DROP_NAT_NO_PORT;
			return 0;
		}
		ch = &alt;
		sk_conn_key_from_tuple(pm->family, pm->proto, pm->src, pm->sport, ch->addr,
				       ch->port, &rk, &rk_orig_is_a);
	}
	sk_lb_conn_open(g->lb, w->idx, ch->gbe);
	undo_save(&u, pm);
	sk_nat_rewrite(m, pm, snat, sport, ch->addr, ch->port);
	undo_if_error(g, m, pm, &u);
	sk_lb_count(g->lb, w->idx, ch->gbe, 0, rte_pktmbuf_pkt_len(m));
	*why = SK_DROP_NONE;
	return 0;
}

/* The four endpoints of a NAT connection, read back from its two keys. */
struct nat_ends {
	const uint8_t *client, *vip, *xsrc, *backend;
	uint16_t client_port, vip_port, xsrc_port, backend_port;
};

static void
nat_ends(const struct sk_conn_table *t, const struct sk_conn *p, const struct sk_conn *a,
	 struct nat_ends *e)
{
	const struct sk_conn_key *pk = sk_conn_key_ref(t, p);
	const struct sk_conn_key *ak = sk_conn_key_ref(t, a);
	int ca = (p->flags & SK_CONN_F_ORIG_IS_A) != 0;
	int xa = (a->flags & SK_CONN_F_ORIG_IS_A) != 0;

	e->client = ca ? pk->a : pk->b;
	e->client_port = ca ? pk->pa : pk->pb;
	e->vip = ca ? pk->b : pk->a;
	e->vip_port = ca ? pk->pb : pk->pa;
	e->xsrc = xa ? ak->a : ak->b;
	e->xsrc_port = xa ? ak->pa : ak->pb;
	e->backend = xa ? ak->b : ak->a;
	e->backend_port = xa ? ak->pb : ak->pa;
}

void
sk_wlb_ends(const struct sk_conn_table *t, struct sk_conn *c, struct sk_wlb_ends *out)
{
	struct sk_conn *p = (c->flags & SK_CONN_F_ALIAS) ? sk_conn_primary(t, c) : c;
	struct sk_conn *a = (c->flags & SK_CONN_F_ALIAS) ? c : sk_conn_alias(t, c);
	struct nat_ends e;

	nat_ends(t, p, a, &e);
	*out = (struct sk_wlb_ends){ e.client, e.vip, e.xsrc, e.backend, e.client_port,
				     e.vip_port, e.xsrc_port, e.backend_port };
}

/*
 * A commit happened since the connection last saw a packet: ask the new
 * policy about the translated original direction (client -> backend, as it
 * was accepted), and find the backend in the new services.  Once per
 * connection per commit.
 */
static enum sk_drop_reason
nat_recheck(struct sk_worker *w, const struct sk_gen *g, struct sk_conn *p, struct sk_conn *a,
	    const struct sk_pkt_meta *pm, const struct nat_ends *e)
{
	struct sk_pkt_meta q = *pm;
	struct sk_verdict v;
	int svc;
	int64_t gbe;

	memcpy(q.src, e->client, 16);
	q.sport = e->client_port;
	memcpy(q.dst, e->vip, 16);
	q.dport = e->vip_port;
	svc = sk_lb_svc_match(g->lb, &q);
	if (svc < 0)
		return SK_DROP_LB_BACKEND_GONE;
	gbe = sk_lb_backend_find(g->lb, (uint32_t)svc, e->backend, e->backend_port);
	if (gbe < 0)
		return SK_DROP_LB_BACKEND_GONE;
	memcpy(q.dst, e->backend, 16);
	q.dport = e->backend_port;
	q.in_zone = g->ifaces[p->in_iface].zone;
	q.out_zone = g->ifaces[p->out_iface].zone;
	v = sk_decide_classify(g, &q);
	if (v.action != SK_ACT_ACCEPT)
		return SK_DROP_POLICY_REVOKED;
	p->gen = (uint32_t)g->id;
	p->rule_id = v.rule_id;
	sk_conn_nat_set_tag(a, (uint32_t)gbe);
	sk_lb_conn_open(g->lb, w->idx, (uint32_t)gbe);
	return SK_DROP_NONE;
}

enum sk_drop_reason
sk_wlb_hit(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m, struct sk_conn *c,
	   uint8_t src_is_a)
{
	struct sk_pkt_meta *pm = sk_pkt_meta(m);
	struct sk_conn_table *t = w->conns;
	enum sk_conn_dir dir = sk_conn_dir(c, src_is_a);
	int on_alias = (c->flags & SK_CONN_F_ALIAS) != 0;
	struct sk_conn *p, *a;
	struct nat_ends e;
	struct nat_undo u;
	uint32_t len = rte_pktmbuf_pkt_len(m), gbe;
	int fullnat, rc;

	/* The client talks to the VIP (primary, ORIG); the backend answers
	 * its peer (alias, REPLY).  The other two ways are not this flow. */
	if (on_alias ? dir != SK_DIR_REPLY : dir != SK_DIR_ORIG)
		return SK_DROP_NAT_UNEXPECTED;
	p = on_alias ? sk_conn_primary(t, c) : c;
	a = on_alias ? c : sk_conn_alias(t, c);
	nat_ends(t, p, a, &e);
	if (unlikely(p->gen != (uint32_t)g->id)) {
		rc = nat_recheck(w, g, p, a, pm, &e);
		if (rc != 0) {
			sk_conn_delete(t, p);
			return rc;
		}
	}
	gbe = sk_conn_nat_tag(a);
	if (unlikely(!sk_lb_backend_alive(g->lb, gbe))) {
		sk_conn_delete(t, p);
		return SK_DROP_LB_BACKEND_GONE;
	}
	rc = sk_conn_update(t, p, pm, dir, len, w->now_ms);
	if (unlikely(rc != 0))
		return rc;
	fullnat = p->nat == SK_LB_FWD_FULLNAT + 1;
	undo_save(&u, pm);
	if (dir == SK_DIR_ORIG) {
		sk_nat_rewrite(m, pm, fullnat ? e.xsrc : NULL, fullnat ? e.xsrc_port : 0,
			       e.backend, e.backend_port);
		rc = sk_wlb_route(g, pm);
	} else {
		sk_nat_rewrite(m, pm, e.vip, e.vip_port, fullnat ? e.client : NULL,
			       fullnat ? e.client_port : 0);
		/* DNAT: the destination (the client) is unchanged and already routed. */
		rc = fullnat ? sk_wlb_route(g, pm) : SK_DROP_NONE;
	}
	if (rc != 0)
		return rc;
	undo_if_error(g, m, pm, &u);
	sk_lb_count(g->lb, w->idx, gbe, dir, len);
	return SK_DROP_NONE;
}

/* DNAT owner: a hash of the client's address and port, carried both ways. */
static uint16_t
client_owner(const uint8_t *addr, uint16_t port)
{
	return sk_nat_client_owner(addr, port, sk_dp.n_workers);
}

uint16_t
sk_wlb_owner(const struct sk_worker *w, const struct sk_gen *g, const struct sk_pkt_meta *pm)
{
	int o;

	if (sk_dp.n_workers < 2 || g->n_services == 0 || pm->handoff)
		return w->idx;
	if (pm->lb_svc != 0) {
		const struct sk_img_service *s = sk_lb_service(g->lb, pm->lb_svc - 1u);

		return s->fwd == SK_LB_FWD_DNAT ? client_owner(pm->src, pm->sport) : w->idx;
	}
	if (pm->lb_addr & SK_LB_ADDR_SNAT) {
		o = sk_nat_port_owner(pm->dport, sk_dp.n_workers);
		return o >= 0 ? (uint16_t)o : w->idx;
	}
	/* A DNAT reply never opens a TCP connection: a backend's own SYN is a
	 * plain flow, left where symmetric RSS put it (its answers come back
	 * there too), so its two directions cannot end up on two workers. */
	if (pm->proto == IPPROTO_TCP && sk_conn_tcp_is_syn(pm->tcp_flags))
		return w->idx;
	if (sk_lb_addr_flags(g->lb, pm->family, pm->src) & SK_LB_ADDR_BACKEND)
		return client_owner(pm->dst, pm->dport);
	/* The mirror image: what comes back to a backend goes where its
	 * outbound half went, so a backend's own flow (a UDP query, a packet
	 * straight to its address) keeps both directions on one worker. */
	if (sk_lb_addr_flags(g->lb, pm->family, pm->dst) & SK_LB_ADDR_BACKEND)
		return client_owner(pm->src, pm->sport);
	return w->idx;
}

void
sk_wlb_release(void *arg, const struct sk_conn *primary, const struct sk_conn *alias)
{
	struct sk_worker *w = arg;
	const struct sk_gen *g = w->cur_gen;

	/* Counts of an older generation went with it; a connection adopted by
	 * the running one was counted there at its re-check. */
	if (g != NULL && primary->gen == (uint32_t)g->id)
		sk_lb_conn_close(g->lb, w->idx, sk_conn_nat_tag(alias));
}
