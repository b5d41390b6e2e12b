/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha.c - the dataplane's HA state machine runner (main lcore) and the
 * workers' admission rule for a non-active unit.
 *
 * The main lcore is the only writer of the role and of the HA block's
 * dataplane fields (sk_shm.h).  It applies sekisho-cp's wish, sends and
 * checks the dataplane heartbeat by itself (so fencing works with the
 * control plane dead) and announces the floating addresses when the unit
 * becomes active.  Role changes are rare: they are logged.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <rte_cycles.h>
#include <rte_random.h>

#include "ha_dp.h"
#include "ha_hb.h"
#include "ha_pkt.h"
#include "sk_image_api.h"
#include "worker/dp.h"
#include "neigh/neigh.h"
#include "local/local.h"
#include "route/route.h"
#include "lb/lb_svc.h"

#define GARP_PREFIX_MAX 256   /* hosts announced per SNAT prefix */

uint32_t sk_ha_role_now = SK_HA_ROLE_INIT;

static struct {
	uint8_t unit;              /* 0 = standalone: everything here is idle */
	uint8_t peer;
	uint8_t key_ok;
	uint8_t key[SK_HA_HB_KEY_LEN];
	uint64_t boot;
	uint64_t seq;
	struct sk_ha_hb_last last;
	uint32_t next_hb_ms;
	uint32_t garp_left;        /* rounds still to send */
	uint32_t next_garp_ms;
	uint64_t hb_cycles;
} ha;

uint64_t
sk_ha_hb_cycles(void)
{
	return ha.hb_cycles;
}

static struct sk_shm_ha *
shm(void)
{
	return &sk_dp.ctl->ha;
}

static struct sk_stats_lcore *
main_stats(void)
{
	return &sk_dp.stats[sk_dp.n_workers];
}

static void
set_role(uint32_t role, uint64_t term, const char *why, uint32_t now)
{
	struct sk_shm_ha *s = shm();
	uint32_t old = s->role;

	if (term > s->term)
		s->term = term;
	if (role == old)
		return;
	s->role = role;
	s->role_changes++;
	__atomic_store_n(&sk_ha_role_now, role, __ATOMIC_RELEASE);
	if (role == SK_HA_ROLE_ACTIVE) {
		ha.garp_left = sk_dp.gen->ha != NULL ? sk_dp.gen->ha->garp_count : 0;
		ha.next_garp_ms = now;
	} else {
		ha.garp_left = 0;
	}
	fprintf(stderr, "sekisho-dp: HA unit %u: role %s -> %s, term %" PRIu64 " (%s)\n",
		ha.unit, sk_ha_role_name(old), sk_ha_role_name(role), s->term, why);
}

int
sk_ha_init(const void *image, uint8_t unit, int start_role, char *err, size_t errlen)
{
	uint32_t n;
	const struct sk_img_ha *cfg = sk_image_sec(image, SK_SEC_HA, &n);
	struct sk_shm_ha *s = shm();

	memset(s, 0, sizeof(*s));
	memset(&ha, 0, sizeof(ha));
	__atomic_store_n(&sk_ha_role_now, SK_HA_ROLE_INIT, __ATOMIC_RELEASE);
	if (n == 0)
		return 0;
	if (unit < 1 || unit > SK_HA_UNITS) {
		snprintf(err, errlen, "an HA image needs this unit's id (--unit 1|2)");
		return -EINVAL;
	}
	ha.unit = unit;
	ha.peer = (uint8_t)(3 - unit);
	/* (boot, seq) must grow across restarts: seconds first, then a random
	 * word so two boots in one second still differ. */
	ha.boot = ((uint64_t)time(NULL) << 32) | (rte_rand() & 0xffffffffu);
	s->unit = unit;
	s->role = SK_HA_ROLE_INIT;
	if (sk_ha_hb_key_file(cfg->psk_file, ha.key, err, errlen) == 0) {
		ha.key_ok = 1;
	} else {
		/* Never a crash: the unit stays up, owns nothing, takes over nothing. */
		fprintf(stderr, "sekisho-dp: HA unit %u: %s: role fault (no heartbeat, "
			"never active)\n", unit, err);
		set_role(SK_HA_ROLE_FAULT, 0, "PSK unreadable", 0);
	}
	__atomic_store_n(&s->enabled, 1, __ATOMIC_RELEASE);
	if (ha.key_ok && start_role >= 0 && start_role < SK_HA_ROLE__MAX)
		set_role((uint32_t)start_role, 0, "--ha-role", sk_dp_now_ms());
	return 0;
}

/* Own per-unit address of the unit (never floating, never the other's)? */
static int
own_addr(const struct sk_gen *g, uint8_t family, const uint8_t *a)
{
	const struct sk_gen_iface *gi;
	uint32_t i;
	int f;

	for (f = 0; f < g->n_ifaces; f++) {
		gi = &g->ifaces[f];
		for (i = gi->addr_first; i < gi->addr_first + gi->addr_count; i++)
			if (g->addr_ha[i] == SK_GEN_ADDR_OWN && g->addrs[i].family == family &&
			    memcmp(g->addrs[i].addr, a, family == 4 ? 4 : 16) == 0)
				return 1;
	}
	return 0;
}

enum sk_ha_verdict
sk_ha_admit(const struct sk_gen *g, const struct sk_pkt_meta *pm, uint8_t fence)
{
	const struct sk_img_ha *cfg = g->ha;
	const struct sk_img_ha_unit *me;

	if (pm->proto == IPPROTO_UDP && pm->dport == cfg->dp_port &&
	    pm->in_iface == cfg->dp_iface && ha.unit != 0) {
		me = &cfg->unit[ha.unit - 1];
		if (me->dp_family == pm->family &&
		    memcmp(me->dp_addr, pm->dst, pm->family == 4 ? 4 : 16) == 0)
			return SK_HA_TO_MAIN;
	}
	if (!fence)
		return SK_HA_PASS;
	/* Not active: only what is addressed to its own per-unit addresses
	 * (management, the HA link, ping) goes on to policy. */
	return own_addr(g, pm->family, pm->dst) ? SK_HA_PASS : SK_HA_DROP;
}

int
sk_ha_may_answer(const struct sk_gen *g, uint16_t iface, uint8_t family, const uint8_t addr[16])
{
	if (!sk_gen_owns(g, iface, family, addr))
		return 0;
	return g->ha == NULL || sk_ha_role_owns(__atomic_load_n(&sk_ha_role_now, __ATOMIC_RELAXED)) ||
	       !sk_gen_floating(g, family, addr);
}

/* ---- the control plane's wish ---- */

static void
apply_wish(uint32_t now)
{
	struct sk_shm_ha *s = shm();
	uint32_t seq = __atomic_load_n(&s->want_seq, __ATOMIC_ACQUIRE);
	uint32_t role;
	uint64_t term;

	if (seq == s->applied_seq)
		return;
	role = s->want_role;
	term = s->want_term;
	if (!ha.key_ok)
		fprintf(stderr, "sekisho-dp: HA unit %u: wish %s refused: PSK fault\n", ha.unit,
			sk_ha_role_name(role));
	else if (role >= SK_HA_ROLE__MAX || term < s->term)
		fprintf(stderr, "sekisho-dp: HA unit %u: wish %s term %" PRIu64 " refused "
			"(running term %" PRIu64 ")\n", ha.unit, sk_ha_role_name(role), term, s->term);
	else if (role == SK_HA_ROLE_ACTIVE && s->role == SK_HA_ROLE_ACTIVE) {
		/* Active again, no change: sekisho-cp heard its peer again after a
		 * partition and keeps the role; neighbours may have learnt the
		 * peer's MAC meanwhile, so announce the floating addresses again. */
		set_role(role, term, "control plane", now);
		ha.garp_left = sk_dp.gen->ha != NULL ? sk_dp.gen->ha->garp_count : 0;
		ha.next_garp_ms = now;
		fprintf(stderr, "sekisho-dp: HA unit %u: active, term %" PRIu64 ": announcing the "
			"floating addresses again\n", ha.unit, s->term);
	} else
		set_role(role, term, "control plane", now);
	__atomic_store_n(&s->applied_seq, seq, __ATOMIC_RELEASE);
}

/* ---- announcements on becoming active ---- */

static void
announce(const struct sk_gen *g, uint16_t iface, uint8_t family, const uint8_t *addr)
{
	const struct sk_gen_iface *gi = &g->ifaces[iface];
	struct rte_mbuf *m = family == 4 ? sk_ha_garp(sk_dp.pool, &gi->mac, addr)
					 : sk_ha_unsol_na(sk_dp.pool, &gi->mac, addr);

	if (m == NULL) {
		main_stats()->local[SK_LOCAL_TX_FAILED]++;
		return;
	}
	shm()->garp_sent++;
	sk_dp_main_tx(main_stats(), gi->port_id, m);
}

/* A VIP or SNAT source: announced on the interface whose subnet holds it. */
static void
announce_routed(const struct sk_gen *g, uint8_t family, const uint8_t *addr)
{
	struct sk_route_result rr;

	if (sk_route_lookup(g->route, family, addr, &rr) == 0 && rr.connected)
		announce(g, rr.iface, family, addr);
}

static void
announce_all(const struct sk_gen *g)
{
	const struct sk_img_service *sv;
	const struct sk_img_prefix *sn;
	uint32_t n, i, k;

	for (i = 0; i < g->hdr->sec[SK_SEC_ADDRS].count; i++)
		if (g->addr_ha[i] == SK_GEN_ADDR_FLOATING)
			announce(g, g->addrs[i].iface, g->addrs[i].family, g->addrs[i].addr);
	sv = sk_image_sec(g->hdr, SK_SEC_SERVICES, &n);
	for (i = 0; i < n; i++)
		announce_routed(g, sv[i].family, sv[i].vip);
	sn = sk_image_sec(g->hdr, SK_SEC_SNAT, &n);
	for (i = 0; i < n; i++) {
		uint8_t a[16];
		uint32_t base, hosts;

		memcpy(a, sn[i].addr, 16);
		if (sn[i].family != 4 || sn[i].plen >= 32) {
			announce_routed(g, sn[i].family, a);
			continue;
		}
		memcpy(&base, a, 4);
		base = rte_be_to_cpu_32(base);
		/* a /24 or longer: at most GARP_PREFIX_MAX hosts */
		hosts = sn[i].plen >= 24 ? 1u << (32 - sn[i].plen) : GARP_PREFIX_MAX;
		for (k = 0; k < hosts; k++) {
			uint32_t h = rte_cpu_to_be_32(base + k);

			memcpy(a, &h, 4);
			announce_routed(g, 4, a);
		}
	}
}

/* ---- the dataplane heartbeat ---- */

static void
hb_send(const struct sk_gen *g, const struct sk_img_ha *cfg)
{
	const struct sk_img_ha_unit *me = &cfg->unit[ha.unit - 1];
	const struct sk_img_ha_unit *peer = &cfg->unit[ha.peer - 1];
	struct sk_shm_ha *s = shm();
	struct sk_ha_hb_fields f = { 0 };
	struct sk_ha_dphb h;
	struct sk_route_result rr;
	struct rte_ether_addr mac;
	struct rte_mbuf *m;
	int rc;

	f.unit = ha.unit;
	f.role = (uint8_t)s->role;
	snprintf(f.cluster, sizeof(f.cluster), "%s", cfg->cluster);
	f.boot = ha.boot;
	f.seq = ++ha.seq;
	f.term = s->term;
	f.generation = g->id;
	f.interval_ms = cfg->hb_interval_ms;
	if (sk_ha_hb_encode(ha.key, &f, &h) != 0 ||
	    sk_route_lookup(g->route, me->dp_family, peer->dp_addr, &rr) != 0) {
		s->hb_tx_fail++;
		return;
	}
	rc = sk_neigh_lookup(sk_dp.neigh, rr.iface, me->dp_family, rr.nexthop, &mac);
	if (rc != 0) {
		/* Not queued: the next heartbeat is only an interval away. */
		s->hb_tx_fail++;
		if (rc != -EAGAIN && sk_neigh_touch(sk_dp.neigh, rr.iface, me->dp_family,
						    rr.nexthop, sk_dp_now_ms()) == 1) {
			const struct sk_gen_iface *gi = &g->ifaces[rr.iface];

			m = me->dp_family == 4 ? sk_local_arp_request(sk_dp.pool, gi, rr.nexthop, NULL)
					       : sk_local_nd_solicit(sk_dp.pool, gi, rr.nexthop, NULL);
			if (m != NULL) {
				main_stats()->local[me->dp_family == 4 ? SK_LOCAL_ARP_REQUESTS
								       : SK_LOCAL_ND_SOLICITS]++;
				sk_dp_main_tx(main_stats(), gi->port_id, m);
			}
		}
		return;
	}
	m = sk_ha_udp(sk_dp.pool, &g->ifaces[rr.iface].mac, &mac, me->dp_family, me->dp_addr,
		      peer->dp_addr, cfg->dp_port, &h, sizeof(h));
	if (m == NULL) {
		s->hb_tx_fail++;
		return;
	}
	s->hb_tx++;
	sk_dp_main_tx(main_stats(), g->ifaces[rr.iface].port_id, m);
}

void
sk_ha_rx(const struct sk_gen *g, struct rte_mbuf *m, uint32_t now)
{
	const struct sk_pkt_meta *pm = sk_pkt_meta(m);
	struct sk_shm_ha *s = shm();
	struct sk_ha_hb_fields f;
	uint64_t t0 = rte_rdtsc();
	uint32_t off = (uint32_t)pm->l2_len + pm->l3_len + 8u;
	uint32_t len = pm->ip_len > pm->l3_len + 8u ? pm->ip_len - pm->l3_len - 8u : 0;

	main_stats()->consumed++;
	if (ha.unit == 0 || g->ha == NULL || !ha.key_ok) {
		rte_pktmbuf_free(m);
		return;
	}
	if (m->nb_segs != 1 || off + len > rte_pktmbuf_data_len(m)) {
		s->hb_malformed++;
		goto out;
	}
	switch (sk_ha_hb_verify(ha.key, rte_pktmbuf_mtod_offset(m, const uint8_t *, off), len,
				g->ha->cluster, ha.peer, &ha.last, &f)) {
	case SK_HA_HB_MALFORMED:
		s->hb_malformed++;
		goto out;
	case SK_HA_HB_BAD_MAC:
		s->hb_bad_mac++;
		goto out;
	case SK_HA_HB_REPLAY:
		s->hb_replay++;
		goto out;
	case SK_HA_HB_OK:
		break;
	}
	s->hb_rx++;
	s->peer_role = f.role;
	s->peer_unit = f.unit;
	s->peer_term = f.term;
	s->peer_generation = f.generation;
	s->peer_boot = f.boot;
	s->peer_rx_ms = now;
	/* Fencing: two actives never both keep the floating addresses.  The
	 * newer term wins; on equal terms unit 1 keeps them. */
	if (s->role == SK_HA_ROLE_ACTIVE && f.role == SK_HA_ROLE_ACTIVE &&
	    (f.term > s->term || (f.term == s->term && ha.unit == 2))) {
		s->fenced++;
		set_role(SK_HA_ROLE_STANDBY, s->term,
			 f.term > s->term ? "fenced: peer active with a newer term"
					  : "fenced: peer active, same term, unit 1 keeps", now);
	}
out:
	rte_pktmbuf_free(m);
	ha.hb_cycles += rte_rdtsc() - t0;
}

void
sk_ha_poll(const struct sk_gen *g, uint32_t now)
{
	const struct sk_img_ha *cfg = g->ha;
	struct sk_shm_ha *s;

	if (ha.unit == 0 || cfg == NULL)
		return;
	s = shm();
	apply_wish(now);
	if (ha.garp_left != 0 && (int32_t)(now - ha.next_garp_ms) >= 0) {
		announce_all(g);
		ha.garp_left--;
		ha.next_garp_ms = now + cfg->garp_interval_ms;
	}
	if (ha.key_ok && cfg->dp_iface != SK_HA_NO_IFACE &&
	    cfg->unit[ha.unit - 1].dp_family != 0 &&
	    cfg->unit[ha.unit - 1].dp_family == cfg->unit[ha.peer - 1].dp_family &&
	    (int32_t)(now - ha.next_hb_ms) >= 0) {
		uint64_t t0 = rte_rdtsc();

		hb_send(g, cfg);
		ha.next_hb_ms = now + cfg->hb_interval_ms;
		ha.hb_cycles += rte_rdtsc() - t0;
	}
	s->now_ms = now;
}
