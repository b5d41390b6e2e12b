/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * spoof.c - land, own-address and reverse-path checks of a packet's source
 * (spoof.h).  The rpf modes follow Linux's rp_filter and pf's antispoof:
 * strict = the best route back to the source leaves by the interface the
 * packet came in on; loose = some route back exists.  With rpf off only
 * the land check runs (one compare): an interface facing a network that
 * routes asymmetrically can still be served.
 */
#include <string.h>

#include "spoof.h"
#include "lb/lb_svc.h"
#include "route/route.h"

/* fe80::/10: on-link only, never routed, so never in the route table; a
 * link-local source is checked by nothing but the interface it came on. */
static inline int
link_local6(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

enum sk_drop_reason
sk_spoof_check(const struct sk_gen *g, const struct sk_pkt_meta *pm, uint16_t iface,
	       struct sk_spoof_why *why)
{
	const struct sk_gen_iface *in = &g->ifaces[iface];
	struct sk_route_result rr;
	size_t alen = pm->family == 4 ? 4 : 16;

	if (why != NULL)
		memset(why, 0, sizeof(*why));
	if (unlikely(memcmp(pm->src, pm->dst, alen) == 0))
		return SK_DROP_IP_LAND;
	if (likely(in->rpf == SK_RPF_OFF))
		return SK_DROP_NONE;
	if (pm->family == 6 && link_local6(pm->src))
		return SK_DROP_NONE;
	if (why != NULL)
		why->looked = 1;
	if (sk_route_lookup(g->route, pm->family, pm->src, &rr) != 0)
		return SK_DROP_SPOOF_RPF;
	if (why != NULL) {
		why->routed = 1;
		why->back_iface = rr.iface;
	}
	/* The unit's own addresses live on connected subnets: only there can
	 * a source be one of them.  VIPs and SNAT addresses may be anywhere. */
	if (rr.connected && sk_gen_local_addr(g, pm->family, pm->src) >= 0)
		return SK_DROP_SPOOF_OWN_ADDRESS;
	if (g->n_services != 0 && sk_lb_addr_flags(g->lb, pm->family, pm->src) != 0)
		return SK_DROP_SPOOF_OWN_ADDRESS;
	if (in->rpf == SK_RPF_STRICT && rr.iface != iface)
		return SK_DROP_SPOOF_RPF;
	return SK_DROP_NONE;
}
