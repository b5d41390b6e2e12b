/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * slowpath.c - the main lcore's share of packet work: ARP and neighbour
 * discovery (it is the neighbour cache's only writer), packets waiting for a
 * next hop's MAC, and the neighbour timers.  Workers hand packets over
 * through sk_dp.exc_ring and never wait for an answer.  Its entry points are
 * tasks of the main loop (mainloop.c).
 */
#include <string.h>
#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "dp.h"
#include "fwd.h"
#include "neigh/neigh.h"
#include "local/local.h"
#include "hctap/hctap.h"
#include "ha/ha_dp.h"
#include "pkt/pkt_parse.h"
#include "route/route.h"

#define PENDING_SLOTS 128
/*
 * Packets held per next hop while it resolves, and in all.  Not a buffer,
 * but more than a few: after an HA takeover the new active's cache is cold
 * and every flow of a busy hop arrives within one round trip (with 4, the
 * HA lab's takeover dropped up to 89 segments here, and TCP senders then
 * back off for seconds).  The total bounds what a host that never answers
 * can hold of the mbuf pool (at least 1024) for retrans x probes.
 */
#define PENDING_PER_HOP 32
#define PENDING_MAX_PKTS 256
#define TICK_MS 100

struct pending {
	uint8_t used;
	uint8_t family;
	uint16_t iface;
	uint16_t n;
	uint32_t since_ms;
	uint8_t ip[16];
	struct rte_mbuf *pkts[PENDING_PER_HOP];
};

static struct pending pending[PENDING_SLOTS];
static unsigned int pending_pkts;   /* held in all the slots */
static uint32_t last_tick;  /* sk_slow_tick's clock */

static struct sk_stats_lcore *
main_stats(void)
{
	return &sk_dp.stats[sk_dp.n_workers];
}

static void
main_tx(const struct sk_gen *g, uint16_t iface, struct rte_mbuf *m)
{
	sk_dp_main_tx(main_stats(), g->ifaces[iface].port_id, m);
}

static void
main_drop(struct rte_mbuf *m, enum sk_drop_reason reason)
{
	sk_stats_drop(main_stats(), reason);
	rte_pktmbuf_free(m);
}

static struct pending *
pending_find(uint16_t iface, uint8_t family, const uint8_t ip[16])
{
	unsigned int i;

	for (i = 0; i < PENDING_SLOTS; i++)
		if (pending[i].used && pending[i].iface == iface && pending[i].family == family &&
		    memcmp(pending[i].ip, ip, 16) == 0)
			return &pending[i];
	return NULL;
}

static void
pending_release(struct pending *p)
{
	pending_pkts -= p->n;
	memset(p, 0, sizeof(*p));
}

/* The next hop answered: send what waited for it. */
static void
pending_flush(const struct sk_gen *g, struct pending *p, const struct rte_ether_addr *mac)
{
	struct sk_stats_lcore *st = main_stats();
	uint16_t i;

	for (i = 0; i < p->n; i++) {
		sk_fwd_l2(p->pkts[i], &g->ifaces[p->iface].mac, mac);
		st->forwarded++;
		main_tx(g, p->iface, p->pkts[i]);
	}
	pending_release(p);
}

static void
pending_fail(struct pending *p)
{
	uint16_t i;

	for (i = 0; i < p->n; i++)
		main_drop(p->pkts[i], SK_DROP_NEIGH_FAILED);
	pending_release(p);
}

static void
send_probe(const struct sk_gen *g, uint16_t iface, uint8_t family, const uint8_t ip[16],
	   const struct rte_ether_addr *dst)
{
	struct sk_stats_lcore *st = main_stats();
	struct rte_mbuf *m;

	if (family == 4) {
		m = sk_local_arp_request(sk_dp.pool, &g->ifaces[iface], ip, dst);
		if (m != NULL)
			st->local[SK_LOCAL_ARP_REQUESTS]++;
	} else {
		m = sk_local_nd_solicit(sk_dp.pool, &g->ifaces[iface], ip, dst);
		if (m != NULL)
			st->local[SK_LOCAL_ND_SOLICITS]++;
	}
	if (m != NULL)
		main_tx(g, iface, m);
}

/* Learn (iface, ip) -> mac and release anything waiting for it. */
static void
learn(const struct sk_gen *g, uint16_t iface, uint8_t family, const uint8_t ip[16],
      const struct rte_ether_addr *mac, uint32_t now)
{
	struct pending *p;

	if (sk_neigh_update(sk_dp.neigh, iface, family, ip, mac, SK_NEIGH_REACHABLE, now) != 0)
		return;
	main_stats()->local[family == 4 ? SK_LOCAL_ARP_LEARNT : SK_LOCAL_ND_LEARNT]++;
	p = pending_find(iface, family, ip);
	if (p != NULL)
		pending_flush(g, p, mac);
}

static int
owns(const struct sk_gen *g, uint16_t iface, uint8_t family, const uint8_t *addr)
{
	/* HA: floating addresses, VIPs and SNAT sources only while active. */
	return sk_ha_may_answer(g, iface, family, addr);
}

static void
slow_arp(const struct sk_gen *g, struct rte_mbuf *m, uint32_t now)
{
	struct sk_pkt_meta *pm = sk_pkt_meta(m);
	struct rte_arp_hdr *arp = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, pm->l2_len);
	struct rte_ether_addr mac;
	uint8_t sip[16] = { 0 }, tip[16] = { 0 };
	struct rte_ether_addr probe;
	int ours, known;

	memcpy(sip, &arp->arp_data.arp_sip, 4);
	memcpy(tip, &arp->arp_data.arp_tip, 4);
	ours = owns(g, pm->in_iface, 4, tip);
	known = sk_neigh_lookup(sk_dp.neigh, pm->in_iface, 4, sip, &probe) != -ENOENT;
	rte_ether_addr_copy(&arp->arp_data.arp_sha, &mac);
	/* Learn from requests aimed at us and from anyone we already track
	 * (gratuitous ARP after a neighbour's failover); never from strangers
	 * asking about others, which would let any host fill the cache. */
	if (arp->arp_data.arp_sip != 0 && (ours || known) && rte_is_unicast_ether_addr(&mac))
		learn(g, pm->in_iface, 4, sip, &mac, now);

	if (arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) && ours) {
		sk_local_arp_reply(m, &g->ifaces[pm->in_iface].mac);
		main_stats()->consumed++;
		main_stats()->local[SK_LOCAL_ARP_REPLIES]++;
		main_tx(g, pm->in_iface, m);
		return;
	}
	if (arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REPLY) || ours) {
		main_stats()->consumed++;
		rte_pktmbuf_free(m);
		return;
	}
	main_drop(m, SK_DROP_ARP_NOT_OURS);
}

static void
slow_nd(const struct sk_gen *g, struct rte_mbuf *m, uint32_t now)
{
	struct sk_pkt_meta *pm = sk_pkt_meta(m);
	struct rte_ether_addr mac;
	uint8_t target[16];
	static const uint8_t unspec[16];
	int has_ll;

	/* RFC 4861 7.1: ND must arrive with hop limit 255 (never routed). */
	if (pm->ttl != 255 || (pm->icmp_type != 135 && pm->icmp_type != 136)) {
		main_drop(m, SK_DROP_LOCAL_UNHANDLED);
		return;
	}
	has_ll = sk_local_nd_lladdr(m, target, &mac);
	if (has_ll == -EINVAL) {
		main_drop(m, SK_DROP_IP6_BAD_HEADER);
		return;
	}
	if (pm->icmp_type == 136) { /* advertisement: an answer to our probe */
		if (has_ll == 0 &&
		    sk_neigh_lookup(sk_dp.neigh, pm->in_iface, 6, target, &mac) != -ENOENT) {
			sk_local_nd_lladdr(m, NULL, &mac);
			learn(g, pm->in_iface, 6, target, &mac, now);
		}
		main_stats()->consumed++;
		rte_pktmbuf_free(m);
		return;
	}
	if (!owns(g, pm->in_iface, 6, target)) {
		main_drop(m, SK_DROP_ARP_NOT_OURS);
		return;
	}
	if (has_ll == 0 && memcmp(pm->src, unspec, 16) != 0 && rte_is_unicast_ether_addr(&mac))
		learn(g, pm->in_iface, 6, pm->src, &mac, now);
	if (sk_local_nd_advert(m, &g->ifaces[pm->in_iface].mac, target) != 0) {
		main_drop(m, SK_DROP_IP6_BAD_HEADER);
		return;
	}
	main_stats()->consumed++;
	main_stats()->local[SK_LOCAL_ND_ADVERTS]++;
	main_tx(g, pm->in_iface, m);
}

static void
slow_resolve(const struct sk_gen *g, struct rte_mbuf *m, uint32_t now)
{
	struct sk_pkt_meta *pm = sk_pkt_meta(m);
	struct rte_ether_addr mac;
	struct pending *p;
	unsigned int i;
	int rc;

	/* It may have been learnt since the worker looked. */
	if (sk_neigh_lookup(sk_dp.neigh, pm->out_iface, pm->family, pm->nexthop, &mac) == 0) {
		sk_fwd_l2(m, &g->ifaces[pm->out_iface].mac, &mac);
		main_stats()->forwarded++;
		main_tx(g, pm->out_iface, m);
		return;
	}
	if (pending_pkts >= PENDING_MAX_PKTS) {
		main_drop(m, SK_DROP_NEIGH_QUEUE_FULL);
		return;
	}
	p = pending_find(pm->out_iface, pm->family, pm->nexthop);
	if (p == NULL) {
		for (i = 0; i < PENDING_SLOTS && pending[i].used; i++)
			;
		if (i == PENDING_SLOTS) {
			main_drop(m, SK_DROP_NEIGH_QUEUE_FULL);
			return;
		}
		p = &pending[i];
		p->used = 1;
		p->iface = pm->out_iface;
		p->family = pm->family;
		memcpy(p->ip, pm->nexthop, 16);
		p->since_ms = now;
	}
	if (p->n == PENDING_PER_HOP) {
		main_drop(m, SK_DROP_NEIGH_QUEUE_FULL);
		return;
	}
	p->pkts[p->n++] = m;
	pending_pkts++;
	main_stats()->local[SK_LOCAL_NEIGH_QUEUED]++;
	rc = sk_neigh_touch(sk_dp.neigh, p->iface, p->family, p->ip, now);
	if (rc == 1)
		send_probe(g, p->iface, p->family, p->ip, NULL);
	else if (rc < 0)
		pending_fail(p);
}

/* A health-check reply from a backend: to the unit's kernel. */
static void
slow_health(struct rte_mbuf *m)
{
	if (sk_dp.hc_port == UINT16_MAX) {
		main_drop(m, SK_DROP_LOCAL_UNHANDLED);
		return;
	}
	/* Counted under exactly one door: taken by the kernel, or a drop. */
	if (sk_hctap_to_kernel(sk_dp.hc_port, m) != 0) {
		main_stats()->drops[SK_DROP_TX_FULL]++;
		return;
	}
	main_stats()->consumed++;
	main_stats()->tap_out++;
}

/*
 * Packets the unit's kernel sends through the health-check tap: probes
 * from one of the unit's addresses.  They are the unit's own traffic, like
 * ARP: routed and sent without policy, TTL untouched.  Anything else the
 * kernel emits there (router solicitations, MLD) is not forwarded.
 */
unsigned int
sk_slow_tap_poll(const struct sk_gen *g, uint32_t now)
{
	struct rte_mbuf *pkts[32];
	struct rte_ether_addr mac;
	struct sk_route_result rr;
	uint16_t n, i;

	if (sk_dp.hc_port == UINT16_MAX)
		return 0;
	n = sk_hctap_from_kernel(sk_dp.hc_port, pkts, RTE_DIM(pkts));
	if (n == 0)
		return 0;
	rte_eth_macaddr_get(sk_dp.hc_port, &mac);
	sk_pkt_parse_burst(pkts, n, &mac);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct sk_pkt_meta *pm = sk_pkt_meta(m);

		main_stats()->tap_in++;
		if (pm->kind != SK_PKT_IP || pm->frag != SK_FRAG_NONE ||
		    sk_gen_local_addr(g, pm->family, pm->src) < 0 ||
		    sk_gen_dst(g, pm, &rr) != SK_GEN_DST_ROUTED) {
			main_stats()->tap_dropped++;
			rte_pktmbuf_free(m);
			continue;
		}
		pm->in_iface = rr.iface;
		pm->out_iface = rr.iface;
		memcpy(pm->nexthop, rr.nexthop, sizeof(pm->nexthop));
		/* Resolved now, or queued while the main lcore probes. */
		slow_resolve(g, m, now);
	}
	return n;
}

unsigned int
sk_slow_tick(const struct sk_gen *g, uint32_t now)
{
	struct sk_neigh_probe probes[64];
	struct rte_ether_addr mac;
	uint32_t n, i;
	uint32_t give_up = g->st->neigh_retrans_ms * (g->st->neigh_probes + 1);

	if (now - last_tick < TICK_MS)
		return 0;
	last_tick = now;
	n = sk_neigh_tick(sk_dp.neigh, now, probes, RTE_DIM(probes));
	for (i = 0; i < n; i++)
		send_probe(g, probes[i].iface, probes[i].family, probes[i].ip,
			   probes[i].unicast ? &probes[i].mac : NULL);
	for (i = 0; i < PENDING_SLOTS; i++) {
		struct pending *p = &pending[i];
		int rc;

		if (!p->used)
			continue;
		rc = sk_neigh_lookup(sk_dp.neigh, p->iface, p->family, p->ip, &mac);
		if (rc == 0)
			pending_flush(g, p, &mac);
		else if (rc == -EHOSTUNREACH || rc == -ENOENT || now - p->since_ms > give_up)
			pending_fail(p);
	}
	/* Timers are not packets: they never keep the main lcore from its nap. */
	return 0;
}

unsigned int
sk_slow_poll(const struct sk_gen *g, uint32_t now)
{
	struct rte_mbuf *pkts[32];
	unsigned int n, i;

	n = rte_ring_sc_dequeue_burst(sk_dp.exc_ring, (void **)pkts, RTE_DIM(pkts), NULL);
	for (i = 0; i < n; i++) {
		switch (sk_pkt_meta(pkts[i])->exc) {
		case SK_EXC_ARP:
			slow_arp(g, pkts[i], now);
			break;
		case SK_EXC_ND:
			slow_nd(g, pkts[i], now);
			break;
		case SK_EXC_HEALTH:
			slow_health(pkts[i]);
			break;
		case SK_EXC_HA:
			sk_ha_rx(g, pkts[i], now);
			break;
		default:
			slow_resolve(g, pkts[i], now);
			break;
		}
	}
	return n;
}

void
sk_slow_fini(void)
{
	unsigned int i;

	for (i = 0; i < PENDING_SLOTS; i++)
		if (pending[i].used)
			pending_fail(&pending[i]);
}
