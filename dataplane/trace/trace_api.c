/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * trace_api.c - the offline façade (sk_trace_api.h): thin doors to the
 * generation builder, the parser and the workers' own decisions, so that
 * control/verify runs the dataplane's code without including a private
 * header.  Nothing here decides anything of its own.
 */
#include <errno.h>

#include "sk_trace_api.h"
#include "gen/gen.h"
#include "decide/decide.h"
#include "pkt/pkt_parse.h"
#include "pkt/pkt_icmperr.h"
#include "spoof/spoof.h"
#include "lb/lb_svc.h"
#include "nat/nat.h"

struct sk_gen *
sk_trace_gen_build(const void *image, size_t len, uint64_t id, char *err, size_t errlen)
{
	/* One counting slot, no ports, no previous generation, no workers. */
	return sk_gen_build(image, len, id, NULL, 1, NULL, NULL, err, errlen);
}

void
sk_trace_gen_free(struct sk_gen *g)
{
	sk_gen_free(g);
}

const struct sk_image_hdr *
sk_trace_image(const struct sk_gen *g)
{
	return g->hdr;
}

const struct sk_img_settings *
sk_trace_settings(const struct sk_gen *g)
{
	return g->st;
}

uint16_t
sk_trace_n_ifaces(const struct sk_gen *g)
{
	return g->n_ifaces;
}

const struct sk_gen_iface *
sk_trace_iface(const struct sk_gen *g, uint16_t iface)
{
	return &g->ifaces[iface];
}

const struct sk_img_rule *
sk_trace_rule(const struct sk_gen *g, uint32_t rule)
{
	return &g->rules[rule - 1];
}

void
sk_trace_parse(struct rte_mbuf *m)
{
	sk_pkt_parse(m, NULL);
}

void
sk_trace_ingress(const struct sk_gen *g, struct sk_pkt_meta *pm, uint16_t iface)
{
	const struct sk_gen_iface *in = &g->ifaces[iface];

	sk_decide_ingress(pm, in->port_id, iface, in->zone, 0);
}

int
sk_trace_is_nd(const struct sk_pkt_meta *pm)
{
	return sk_decide_is_nd(pm);
}

enum sk_drop_reason
sk_trace_ip_opts(const struct sk_gen_iface *in, const struct sk_pkt_meta *pm)
{
	return sk_decide_ip_opts(in, pm);
}

enum sk_drop_reason
sk_trace_spoof(const struct sk_gen *g, const struct sk_pkt_meta *pm, uint16_t iface,
	       struct sk_spoof_why *why)
{
	return sk_spoof_check(g, pm, iface, why);
}

enum sk_gen_dst
sk_trace_dst(const struct sk_gen *g, struct sk_pkt_meta *pm, struct sk_route_result *rr)
{
	if (sk_decide_lb_defer(g, pm))
		return sk_decide_dst_late(g, pm, rr);
	return sk_decide_dst(g, pm, rr);
}

enum sk_gen_dst
sk_trace_route(const struct sk_gen *g, struct sk_pkt_meta *pm, struct sk_route_result *rr)
{
	return sk_decide_dst(g, pm, rr);
}

int
sk_trace_icmperr_is(const struct sk_pkt_meta *pm)
{
	return sk_icmperr_is(pm);
}

enum sk_drop_reason
sk_trace_icmperr_quote(const struct rte_mbuf *m, const struct sk_pkt_meta *pm)
{
	struct sk_icmperr_inner quote;

	return sk_icmperr_inner(m, pm, &quote);
}

enum sk_new_flow
sk_trace_new_flow(const struct sk_gen *g, const struct sk_pkt_meta *pm)
{
	return sk_decide_new_flow(g, pm);
}

enum sk_drop_reason
sk_trace_new_flow_drop(enum sk_new_flow nf)
{
	return sk_decide_new_flow_drop(nf);
}

struct sk_verdict
sk_trace_classify(const struct sk_gen *g, const struct sk_pkt_meta *pm)
{
	return sk_decide_classify(g, pm);
}

enum sk_drop_reason
sk_trace_verdict_drop(const struct sk_verdict *v)
{
	return sk_decide_verdict_drop(v);
}

enum sk_fwd
sk_trace_fwd(const struct sk_gen *g, const struct rte_mbuf *m, const struct sk_pkt_meta *pm)
{
	return sk_decide_fwd(g, m, pm);
}

int
sk_trace_is_echo(const struct sk_pkt_meta *pm)
{
	return sk_decide_is_echo(pm);
}

uint32_t
sk_trace_n_services(const struct sk_gen *g)
{
	return g->n_services;
}

const struct sk_img_service *
sk_trace_service(const struct sk_gen *g, uint32_t svc)
{
	return sk_lb_service(g->lb, svc);
}

int
sk_trace_synproxy_any(const struct sk_gen *g)
{
	return g->synproxy_any;
}

int
sk_trace_has_health(const struct sk_gen *g)
{
	return g->hc != NULL;
}

enum sk_drop_reason
sk_trace_lb_select(const struct sk_gen *g, const struct sk_pkt_meta *pm, struct sk_lb_choice *ch)
{
	return sk_lb_select(g->lb, 0, pm->lb_svc - 1u, pm, 0, ch);
}

/* The highest port of the blocks of n workers: [SK_NAT_PORT_LO, hi]. */
static uint16_t
port_hi(unsigned int n)
{
	uint32_t p = 65535;

	while (p > SK_NAT_PORT_LO && sk_nat_port_owner((uint16_t)p, n) < 0)
		p--;
	return (uint16_t)p;
}

int
sk_trace_snat(const struct sk_gen *g, const struct sk_pkt_meta *pm, const struct sk_lb_choice *ch,
	      unsigned int n_workers, struct sk_trace_snat *out)
{
	uint32_t n = 0, seed = sk_decide_client_seed(pm);
	const struct sk_img_prefix *pool = sk_lb_snat(g->lb, ch->svc, &n);

	if (pool == NULL || n == 0)
		return -ENOENT;
	out->addr = pool[seed % n].addr;
	out->pool_index = seed % n;
	out->pool_size = n;
	out->port_lo = SK_NAT_PORT_LO;
	out->port_hi = port_hi(n_workers);
	/* Worker 0's candidate 0, without the ports' RSS (the worker's own
	 * search: worker_lb.c pick_snat). */
	if (sk_nat_snat_port(NULL, n_workers, 0, pm->family, pm->proto, out->addr, ch->addr,
			     ch->port, seed, 0, &out->port) != 0)
		return -ENOENT;
	return 0;
}
