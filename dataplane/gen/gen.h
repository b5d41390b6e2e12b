/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gen.h - a generation: one verified config image compiled into the tables
 * the workers read (ACL contexts, LPM, interface and address tables, zone
 * defaults, per-rule counters).
 *
 * Immutable once published: workers read it through sk_dp.gen and never
 * write to it, except each worker's own row of rule counters.  A new config
 * becomes a new generation, published with one atomic pointer store; the old
 * one is freed after an RCU grace period.
 */
#ifndef SK_GEN_H
#define SK_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <rte_ether.h>
#include "sk_image.h"
#include "sk_dp_types.h"

struct sk_acl;
struct sk_route;
struct sk_lb;
struct sk_hctap_set;
struct rte_rcu_qsbr;

struct sk_rule_ctr {
	uint64_t pkts;
	uint64_t bytes;
};

struct sk_gen {
	uint64_t id;
	void *image;                 /* owned copy of the verified image */
	size_t image_len;
	const struct sk_image_hdr *hdr;
	const struct sk_img_settings *st;
	const struct sk_img_prefix *addrs;
	const struct sk_img_rule *rules;
	uint32_t n_rules;
	uint16_t n_ifaces;
	uint16_t n_zones;            /* incl. local */
	struct sk_gen_iface ifaces[SK_MAX_IFACES];
	/* zone pair defaults: [in_zone][out_zone] */
	struct sk_zone_default zone_default[SK_MAX_ZONES][SK_MAX_ZONES];
	struct sk_acl *acl;
	struct sk_route *route;
	/* per lcore row of n_rules counters: rule_ctr[lcore_slot * n_rules + rule] */
	struct sk_rule_ctr *rule_ctr;
	unsigned int ctr_slots;
	/* virtual services (never NULL; n_services == 0 when the image has none) */
	struct sk_lb *lb;
	uint32_t n_services;
	uint16_t n_workers;          /* the lb's worker rows */
	uint8_t synproxy_any;        /* some rule or service has synproxy (synproxy_dp.h) */
	/* health-check endpoints whose replies go to the kernel's tap (NULL = none) */
	struct sk_hctap_set *hc;
	/* HA pair (sk_ha.h): NULL for a standalone image.  addr_ha[i] says who
	 * owns SK_SEC_ADDRS record i: SK_GEN_ADDR_* below. */
	const struct sk_img_ha *ha;
	uint8_t *addr_ha;
};

/* Who owns an interface address in an HA image (gen->addr_ha). */
#define SK_GEN_ADDR_OWN      0 /* this unit's own (or standalone): always the unit's */
#define SK_GEN_ADDR_FLOATING 1 /* the active unit's */
#define SK_GEN_ADDR_OTHER    2 /* the other unit's: not an address of this unit at all */

/*
 * The HA unit this process is (1 or 2; 0 = standalone).  Set once at start,
 * before the first sk_gen_build: every generation of an HA image keeps this
 * unit's own addresses and the floating ones and ignores the other unit's.
 */
void sk_gen_set_ha_unit(uint8_t unit);
uint8_t sk_gen_ha_unit(void);

/* Is addr (of family) one the HA active unit owns: a floating interface
 * address, a VIP or an SNAT source?  0 in a standalone generation. */
int sk_gen_floating(const struct sk_gen *g, uint8_t family, const uint8_t addr[16]);

/*
 * Compile a verified image.  port_of_iface[i] is the DPDK port of interface i
 * (ports are opened once at start; a generation only refers to them).
 * ctr_slots = number of lcores that count (workers + main); the services
 * get ctr_slots - 1 worker rows (at least one).  prev = the running
 * generation (backend runtime state carries over) or NULL; qs = the
 * workers' QSBR variable, NULL where no worker runs (offline tools, tests).
 * NULL with a message in err on failure; nothing is published.
 */
struct sk_gen *sk_gen_build(const void *image, size_t len, uint64_t id,
			    const uint16_t *port_of_iface, unsigned int ctr_slots,
			    const struct sk_gen *prev, struct rte_rcu_qsbr *qs,
			    char *err, size_t errlen);
void sk_gen_free(struct sk_gen *g);

struct sk_pkt_meta;

/*
 * The one decision the worker and the offline trace share.  An address of
 * the unit always lies in its interface's connected route, so the route is
 * looked up first and only that interface's addresses are compared: transit
 * traffic pays for no scan of the unit's addresses.  (A static route more
 * specific than the connected one, to one of the unit's own addresses, sends
 * those packets away: the operator asked for it.)
 */
enum sk_gen_dst sk_gen_dst(const struct sk_gen *g, const struct sk_pkt_meta *pm,
			   struct sk_route_result *rr);

/*
 * Does the unit answer ARP/ND for addr on interface iface?  Its own
 * interface addresses there, and VIPs and SNAT sources that lie on one of
 * iface's connected subnets.  Main lcore (slow path).
 */
int sk_gen_owns(const struct sk_gen *g, uint16_t iface, uint8_t family, const uint8_t addr[16]);

/* Interface id owning `addr` (exact match on an interface address of this
 * unit: its own or floating, never the other HA unit's), or -1. */
int sk_gen_local_addr(const struct sk_gen *g, uint8_t family, const uint8_t addr[16]);

/* Directed broadcast of a connected IPv4 subnet of interface iface? */
int sk_gen_is_bcast4(const struct sk_gen *g, uint16_t iface, const uint8_t addr[4]);

#endif /* SK_GEN_H */
