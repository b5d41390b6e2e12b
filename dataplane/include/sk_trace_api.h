/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sk_trace_api.h - the dataplane's façade for offline use: what the policy
 * trace (control/verify, `sekishoctl --offline`, POST /api/v1/trace) may
 * call.  control/ includes nothing of the dataplane but dataplane/include/;
 * this is the door through which it runs the dataplane's own code: a
 * generation compiled from an image, the parser, and the decisions the
 * workers take (decide/decide.h and the modules behind it), so a trace
 * explains what a worker would do instead of re-deriving it.
 *
 * A generation here is opaque.  Everything is for one thread (the control
 * plane's daemon thread or an offline tool) on a generation no worker runs:
 * the load balancer's per-worker state used is worker 0's row of the trace
 * generation.  Implemented in dataplane/trace/trace_api.c.
 */
#ifndef SK_TRACE_API_H
#define SK_TRACE_API_H

#include <stddef.h>
#include <stdint.h>

#include "sk_image.h"
#include "sk_drop.h"
#include "sk_pkt_meta.h"
#include "sk_dp_types.h"

struct sk_gen;
struct rte_mbuf;

/* ---- a generation ---- */

/*
 * Compile a verified image (sk_image_api.h) into a generation with no
 * ports and no worker (the DPDK object names carry id, which must not
 * clash with the dataplane's: the caller keeps a range of its own).  NULL with a
 * message in err on failure.  sk_trace_gen_free(NULL) is a no-op.
 */
struct sk_gen *sk_trace_gen_build(const void *image, size_t len, uint64_t id,
				  char *err, size_t errlen);
void sk_trace_gen_free(struct sk_gen *g);

/* What a trace reads of a generation. */
const struct sk_image_hdr *sk_trace_image(const struct sk_gen *g);
const struct sk_img_settings *sk_trace_settings(const struct sk_gen *g);
uint16_t sk_trace_n_ifaces(const struct sk_gen *g);
const struct sk_gen_iface *sk_trace_iface(const struct sk_gen *g, uint16_t iface);
/* Rule number rule (1 + index, as a classifier answers; never 0). */
const struct sk_img_rule *sk_trace_rule(const struct sk_gen *g, uint32_t rule);

/* ---- one packet, in the worker's order ---- */

/* The dataplane's parser on a frame (m's private area is sk_pkt_meta). */
void sk_trace_parse(struct rte_mbuf *m);
/* The packet arrives on interface iface: its descriptor's ingress fields. */
void sk_trace_ingress(const struct sk_gen *g, struct sk_pkt_meta *pm, uint16_t iface);
/* ICMPv6 neighbour discovery: handed to the main lcore, never policy. */
int sk_trace_is_nd(const struct sk_pkt_meta *pm);
/* IPv4 options on an interface that drops them: SK_DROP_IP_OPTIONS. */
enum sk_drop_reason sk_trace_ip_opts(const struct sk_gen_iface *in,
				     const struct sk_pkt_meta *pm);
/* Anti-spoofing (spoof.h); why may be NULL. */
enum sk_drop_reason sk_trace_spoof(const struct sk_gen *g, const struct sk_pkt_meta *pm,
				   uint16_t iface, struct sk_spoof_why *why);
/*
 * The destination decision, written into pm (decide.h): the load
 * balancer's admission (a VIP or SNAT destination is deferred in the
 * worker: for a new flow the outcome is the same) and then the
 * destination: routed, local, broadcast, no route, or a service.
 */
enum sk_gen_dst sk_trace_dst(const struct sk_gen *g, struct sk_pkt_meta *pm,
			     struct sk_route_result *rr);
/* The destination alone (a backend's route after the backend choice). */
enum sk_gen_dst sk_trace_route(const struct sk_gen *g, struct sk_pkt_meta *pm,
			       struct sk_route_result *rr);
/* ICMP errors: is pm one; the quote's verdict (SK_DROP_NONE: readable). */
int sk_trace_icmperr_is(const struct sk_pkt_meta *pm);
enum sk_drop_reason sk_trace_icmperr_quote(const struct rte_mbuf *m,
					   const struct sk_pkt_meta *pm);
/* What a new flow meets before policy, and the drop reason of an outcome. */
enum sk_new_flow sk_trace_new_flow(const struct sk_gen *g, const struct sk_pkt_meta *pm);
enum sk_drop_reason sk_trace_new_flow_drop(enum sk_new_flow nf);
/* The policy verdict (classifier + zone defaults), and its drop reason. */
struct sk_verdict sk_trace_classify(const struct sk_gen *g, const struct sk_pkt_meta *pm);
enum sk_drop_reason sk_trace_verdict_drop(const struct sk_verdict *v);
/* Forwarding's TTL and MTU outcome for routed pm (m its frame: the DF bit). */
enum sk_fwd sk_trace_fwd(const struct sk_gen *g, const struct rte_mbuf *m,
			 const struct sk_pkt_meta *pm);
/* An echo request the unit answers (accepted, to the unit). */
int sk_trace_is_echo(const struct sk_pkt_meta *pm);

/* ---- the load balancer ---- */

uint32_t sk_trace_n_services(const struct sk_gen *g);
const struct sk_img_service *sk_trace_service(const struct sk_gen *g, uint32_t svc);
/* Does some rule or service have the SYN proxy (gen.h synproxy_any)? */
int sk_trace_synproxy_any(const struct sk_gen *g);
/* Is there a health-check endpoint set (then health replies go to the tap)? */
int sk_trace_has_health(const struct sk_gen *g);
/* Backend choice for a new connection to service pm->lb_svc (sk_lb_select
 * on worker 0 at time 0: persistence entries of earlier traces stay). */
enum sk_drop_reason sk_trace_lb_select(const struct sk_gen *g, const struct sk_pkt_meta *pm,
				       struct sk_lb_choice *ch);

/* Full NAT: the worker's first choice of source for the client of pm. */
struct sk_trace_snat {
	const uint8_t *addr;   /* the SNAT source (into the generation's image) */
	uint32_t pool_index;   /* which of the service's SNAT sources */
	uint32_t pool_size;
	uint16_t port;         /* the first candidate port of worker 0 (exact for one worker) */
	uint16_t port_lo, port_hi; /* the ports of all workers' blocks */
};
/* 0, or -ENOENT when the service has no SNAT source or no port. */
int sk_trace_snat(const struct sk_gen *g, const struct sk_pkt_meta *pm,
		  const struct sk_lb_choice *ch, unsigned int n_workers, struct sk_trace_snat *out);

#endif /* SK_TRACE_API_H */
