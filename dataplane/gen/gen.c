/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gen.c - compile a verified config image into a generation.  Runs on the
 * main lcore (or offline tools), never on a worker: building rte_acl and
 * rte_lpm tables takes milliseconds to seconds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "gen.h"
#include "sk_image_api.h"
#include "acl/acl.h"
#include "route/route.h"
#include "lb/lb_svc.h"
#include "hctap/hctap.h"
#include "sk_pkt_meta.h"

static uint8_t ha_unit;

void
sk_gen_set_ha_unit(uint8_t unit)
{
	ha_unit = unit;
}

uint8_t
sk_gen_ha_unit(void)
{
	return ha_unit;
}

/* Not the other HA unit's address (always true standalone). */
static inline int
addr_mine(const struct sk_gen *g, uint32_t i)
{
	return g->addr_ha == NULL || g->addr_ha[i] != SK_GEN_ADDR_OTHER;
}

/* Who owns each interface address in an HA image (SK_SEC_ADDR_HA). */
static int
gen_addr_ha(struct sk_gen *g, char *err, size_t errlen)
{
	uint32_t nha, nah, i;
	const struct sk_img_addr_ha *ah;

	g->ha = sk_image_sec(g->hdr, SK_SEC_HA, &nha);
	if (nha == 0) {
		g->ha = NULL;
		return 0;
	}
	/* ha_unit 0 (offline tools: trace, verify): every address is the unit's. */
	ah = sk_image_sec(g->hdr, SK_SEC_ADDR_HA, &nah);
	g->addr_ha = calloc(nah > 0 ? nah : 1, 1);
	if (g->addr_ha == NULL) {
		snprintf(err, errlen, "out of memory for HA address owners");
		return -ENOMEM;
	}
	for (i = 0; i < nah; i++)
		g->addr_ha[i] = ah[i].unit == 0 ? SK_GEN_ADDR_FLOATING
			      : ha_unit == 0 || ah[i].unit == ha_unit ? SK_GEN_ADDR_OWN
			      : SK_GEN_ADDR_OTHER;
	return 0;
}

static void
gen_zone_defaults(struct sk_gen *g)
{
	uint32_t n, i;
	const struct sk_img_zonepol *zp = sk_image_sec(g->hdr, SK_SEC_ZONEPOL, &n);
	const struct sk_zone_default def = {
		.action = g->st->default_action, .log = g->st->default_log != 0,
	};
	uint32_t a, b;

	for (a = 0; a < SK_MAX_ZONES; a++)
		for (b = 0; b < SK_MAX_ZONES; b++)
			g->zone_default[a][b] = def;
	for (i = 0; i < n; i++)
		g->zone_default[zp[i].from_zone][zp[i].to_zone] = (struct sk_zone_default){
			.action = zp[i].action, .log = zp[i].log != 0,
		};
}

static void
gen_ifaces(struct sk_gen *g, const uint16_t *port_of_iface)
{
	uint32_t n, i, j;
	const struct sk_img_iface *f = sk_image_sec(g->hdr, SK_SEC_IFACES, &n);

	g->n_ifaces = (uint16_t)n;
	for (i = 0; i < n; i++) {
		struct sk_gen_iface *gi = &g->ifaces[i];

		snprintf(gi->name, sizeof(gi->name), "%s", f[i].name);
		gi->port_id = port_of_iface != NULL ? port_of_iface[i] : (uint16_t)i;
		gi->zone = f[i].zone;
		gi->mtu = f[i].mtu;
		gi->vlan = f[i].vlan;
		gi->rpf = f[i].rpf;
		gi->ip_opts = f[i].ip_opts;
		/* A configured MAC is the unit's MAC even where the PMD cannot
		 * program it (pcap, af_packet): the port then runs promiscuous
		 * (sk_port_start) and the unit answers and sends with it. */
		if (f[i].has_mac)
			memcpy(gi->mac.addr_bytes, f[i].mac, 6);
		else if (port_of_iface != NULL)
			rte_eth_macaddr_get(gi->port_id, &gi->mac);
		gi->addr_first = f[i].addr_first;
		gi->addr_count = f[i].addr_count;
		/* Errors leave from an address of this unit: its own first (an
		 * HA standby has only those), then a floating one. */
		for (j = f[i].addr_first; j < f[i].addr_first + f[i].addr_count; j++) {
			if (g->addr_ha != NULL && g->addr_ha[j] != SK_GEN_ADDR_OWN)
				continue;
			if (g->addrs[j].family == 4 && !gi->has4) {
				memcpy(gi->addr4, g->addrs[j].addr, 4);
				gi->has4 = 1;
			} else if (g->addrs[j].family == 6 && !gi->has6) {
				memcpy(gi->addr6, g->addrs[j].addr, 16);
				gi->has6 = 1;
			}
		}
		for (j = f[i].addr_first; g->addr_ha != NULL && j < f[i].addr_first + f[i].addr_count; j++) {
			if (g->addr_ha[j] != SK_GEN_ADDR_FLOATING)
				continue;
			if (g->addrs[j].family == 4 && !gi->has4) {
				memcpy(gi->addr4, g->addrs[j].addr, 4);
				gi->has4 = 1;
			} else if (g->addrs[j].family == 6 && !gi->has6) {
				memcpy(gi->addr6, g->addrs[j].addr, 16);
				gi->has6 = 1;
			}
		}
	}
}

struct sk_gen *
sk_gen_build(const void *image, size_t len, uint64_t id, const uint16_t *port_of_iface,
	     unsigned int ctr_slots, const struct sk_gen *prev, struct rte_rcu_qsbr *qs,
	     char *err, size_t errlen)
{
	struct sk_gen *g;
	char name[64];
	uint32_t nz, i;

	if (sk_image_verify(image, len, err, errlen) != 0)
		return NULL;
	g = rte_zmalloc("sk_gen", sizeof(*g), RTE_CACHE_LINE_SIZE);
	if (g == NULL) {
		snprintf(err, errlen, "out of memory for a generation");
		return NULL;
	}
	g->id = id;
	g->image = malloc(len);
	if (g->image == NULL) {
		snprintf(err, errlen, "out of memory for the image copy");
		goto fail;
	}
	memcpy(g->image, image, len);
	g->image_len = len;
	g->hdr = g->image;
	g->st = sk_image_settings(g->hdr);
	g->addrs = sk_image_sec(g->hdr, SK_SEC_ADDRS, NULL);
	g->rules = sk_image_sec(g->hdr, SK_SEC_RULES, &g->n_rules);
	sk_image_sec(g->hdr, SK_SEC_ZONES, &nz);
	g->n_zones = (uint16_t)(nz + 1);
	if (gen_addr_ha(g, err, errlen) != 0)
		goto fail;
	gen_ifaces(g, port_of_iface);
	gen_zone_defaults(g);

	/* rte_acl/rte_lpm objects are named; the generation id keeps them unique. */
	snprintf(name, sizeof(name), "g%" PRIu64, id);
	g->acl = sk_acl_build(g->hdr, name, (int)rte_socket_id(), err, errlen);
	if (g->acl == NULL)
		goto fail;
	g->route = sk_route_build(g->hdr, name, (int)rte_socket_id(), err, errlen);
	if (g->route == NULL)
		goto fail;
	g->ctr_slots = ctr_slots;
	if (g->n_rules > 0) {
		g->rule_ctr = rte_zmalloc("sk_rule_ctr",
			sizeof(*g->rule_ctr) * g->n_rules * ctr_slots, RTE_CACHE_LINE_SIZE);
		if (g->rule_ctr == NULL) {
			snprintf(err, errlen, "out of memory for rule counters");
			goto fail;
		}
	}
	g->n_workers = (uint16_t)(ctr_slots > 1 ? ctr_slots - 1 : 1);
	g->lb = sk_lb_build(g->image, len, id, g->n_workers, (int)rte_socket_id(), qs,
			    prev != NULL ? prev->lb : NULL, err, errlen);
	if (g->lb == NULL)
		goto fail;
	g->n_services = sk_lb_n_services(g->lb);
	/* Bare ACKs without a connection go to policy only where a cookie may
	 * answer them (synproxy/synproxy_dp.h). */
	for (i = 0; i < g->n_rules; i++)
		g->synproxy_any |= g->rules[i].synproxy;
	for (i = 0; i < g->n_services; i++)
		g->synproxy_any |= sk_lb_service(g->lb, i)->synproxy;
	/* Health-check replies go to the tap: without one there is none to find. */
	if (g->n_services > 0 && g->st->health_tap[0] != '\0') {
		g->hc = sk_hctap_set_build(g->image, len, (int)rte_socket_id());
		if (g->hc == NULL) {
			snprintf(err, errlen, "health-check endpoints: %s", rte_strerror(rte_errno));
			goto fail;
		}
	}
	return g;
fail:
	sk_gen_free(g);
	return NULL;
}

void
sk_gen_free(struct sk_gen *g)
{
	if (g == NULL)
		return;
	sk_acl_free(g->acl);
	sk_route_free(g->route);
	sk_lb_free(g->lb);
	sk_hctap_set_free(g->hc);
	rte_free(g->rule_ctr);
	free(g->addr_ha);
	free(g->image);
	rte_free(g);
}

static int
addr_eq(uint8_t family, const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, family == 4 ? 4 : 16) == 0;
}

int
sk_gen_local_addr(const struct sk_gen *g, uint8_t family, const uint8_t addr[16])
{
	uint32_t n, i;
	const struct sk_img_prefix *a = sk_image_sec(g->hdr, SK_SEC_ADDRS, &n);

	/* A handful of addresses per unit: a linear scan beats a hash here. */
	for (i = 0; i < n; i++)
		if (a[i].family == family && addr_eq(family, a[i].addr, addr) && addr_mine(g, i))
			return a[i].iface;
	return -1;
}

int
sk_gen_floating(const struct sk_gen *g, uint8_t family, const uint8_t addr[16])
{
	uint32_t n, i;
	const struct sk_img_prefix *a;

	if (g->ha == NULL)
		return 0;
	if (g->n_services != 0 &&
	    (sk_lb_addr_flags(g->lb, family, addr) & (SK_LB_ADDR_VIP | SK_LB_ADDR_SNAT)))
		return 1;
	a = sk_image_sec(g->hdr, SK_SEC_ADDRS, &n);
	for (i = 0; i < n; i++)
		if (a[i].family == family && addr_eq(family, a[i].addr, addr))
			return g->addr_ha[i] == SK_GEN_ADDR_FLOATING;
	return 0;
}

int
sk_gen_owns(const struct sk_gen *g, uint16_t iface, uint8_t family, const uint8_t addr[16])
{
	struct sk_route_result rr;

	if (sk_gen_local_addr(g, family, addr) == (int)iface)
		return 1;
	/* A VIP or SNAT source on iface's subnet: the unit is its host there. */
	if (g->n_services == 0 ||
	    !(sk_lb_addr_flags(g->lb, family, addr) & (SK_LB_ADDR_VIP | SK_LB_ADDR_SNAT)))
		return 0;
	return sk_route_lookup(g->route, family, addr, &rr) == 0 && rr.connected &&
	       rr.iface == iface;
}

enum sk_gen_dst
sk_gen_dst(const struct sk_gen *g, const struct sk_pkt_meta *pm, struct sk_route_result *rr)
{
	const struct sk_gen_iface *gi;
	uint32_t i;

	/* multicast, reserved and limited broadcast: never an address of the unit */
	if (pm->family == 4 ? pm->dst[0] >= 224 : pm->dst[0] == 0xff)
		return SK_GEN_DST_BROADCAST;
	if (sk_route_lookup(g->route, pm->family, pm->dst, rr) != 0)
		return SK_GEN_DST_NO_ROUTE;
	if (rr->connected) {
		gi = &g->ifaces[rr->iface];
		for (i = gi->addr_first; i < gi->addr_first + gi->addr_count; i++)
			if (g->addrs[i].family == pm->family &&
			    addr_eq(pm->family, g->addrs[i].addr, pm->dst) && addr_mine(g, i))
				return SK_GEN_DST_LOCAL;
	}
	if (pm->l2_mcast)
		return SK_GEN_DST_BROADCAST;
	if (pm->family == 4 && rr->connected && sk_gen_is_bcast4(g, rr->iface, pm->dst))
		return SK_GEN_DST_BROADCAST;
	return SK_GEN_DST_ROUTED;
}

int
sk_gen_is_bcast4(const struct sk_gen *g, uint16_t iface, const uint8_t addr[4])
{
	const struct sk_gen_iface *gi = &g->ifaces[iface];
	uint32_t i, a, net, mask;

	memcpy(&a, addr, 4);
	a = rte_be_to_cpu_32(a);
	for (i = gi->addr_first; i < gi->addr_first + gi->addr_count; i++) {
		const struct sk_img_prefix *p = &g->addrs[i];

		if (p->family != 4 || p->plen >= 31)
			continue;
		memcpy(&net, p->addr, 4);
		net = rte_be_to_cpu_32(net);
		mask = p->plen == 0 ? 0 : ~0u << (32 - p->plen);
		if ((a & mask) == (net & mask) && (a | mask) == 0xffffffffu)
			return 1;
	}
	return 0;
}
