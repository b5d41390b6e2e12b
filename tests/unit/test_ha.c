/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ha.c - the dataplane's HA role (ha/ha.h) on a generation of an HA
 * image: which addresses are this unit's, what a non-active unit admits and
 * answers ARP for, and the main lcore applying sekisho-cp's wishes from the
 * HA block (seq handshake, term never going back, PSK fault).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "sk_test.h"
#include "sk_test_eal.h"
#include "sk_test_image.h"
#include "worker/dp.h"
#include "ha/ha_dp.h"
#include "route/route.h"

/* sekisho-dp defines it in main.c, which the test does not link. */
struct sk_dp sk_dp;

static char psk_path[] = "/tmp/sk_test_ha_XXXXXX";

static struct sk_img_prefix
pfx(const char *a, uint8_t plen)
{
	struct sk_img_prefix p;

	memset(&p, 0, sizeof(p));
	p.family = 4;
	p.plen = plen;
	inet_pton(AF_INET, a, p.addr);
	return p;
}

static void *
ha_image(const char *psk_file, size_t *len)
{
	static struct sk_img_settings st;
	static struct sk_img_zone zone = { .name = "outside" };
	static struct sk_img_iface ifc;
	static struct sk_img_prefix addrs[3];
	static struct sk_img_route route;
	static struct sk_img_ha ha;
	static const struct sk_img_addr_ha ah[3] = {
		{ .unit = 0, .flags = SK_ADDR_FLOATING }, { .unit = 1 }, { .unit = 2 },
	};
	const void *data[SK_SEC__MAX] = { 0 };
	uint32_t cnt[SK_SEC__MAX] = { 0 };
	int u;

	sk_test_settings(&st);
	memset(&ifc, 0, sizeof(ifc));
	snprintf(ifc.name, sizeof(ifc.name), "outside");
	ifc.zone = 1;
	ifc.mtu = 1500;
	ifc.addr_count = 3;
	addrs[0] = pfx("10.0.0.1", 24);   /* floating */
	addrs[1] = pfx("10.0.0.2", 24);   /* unit 1 */
	addrs[2] = pfx("10.0.0.3", 24);   /* unit 2 */
	memset(&route, 0, sizeof(route));
	route.dst = pfx("10.0.0.0", 24);
	route.connected = 1;
	memset(&ha, 0, sizeof(ha));
	snprintf(ha.cluster, sizeof(ha.cluster), "t");
	snprintf(ha.psk_file, sizeof(ha.psk_file), "%s", psk_file);
	ha.dp_iface = SK_HA_NO_IFACE;  /* no heartbeat: nothing to transmit here */
	ha.dp_port = 7411;
	ha.hb_interval_ms = 50;
	ha.dead_ms = 200;
	ha.garp_count = 1;             /* one round, in the poll that applies the wish */
	for (u = 0; u < SK_HA_UNITS; u++) {
		ha.unit[u].priority = 100;
		ha.unit[u].ha_family = 4;
	}
	data[SK_SEC_SETTINGS] = &st; cnt[SK_SEC_SETTINGS] = 1;
	data[SK_SEC_ZONES] = &zone; cnt[SK_SEC_ZONES] = 1;
	data[SK_SEC_IFACES] = &ifc; cnt[SK_SEC_IFACES] = 1;
	data[SK_SEC_ADDRS] = addrs; cnt[SK_SEC_ADDRS] = 3;
	data[SK_SEC_ROUTES] = &route; cnt[SK_SEC_ROUTES] = 1;
	data[SK_SEC_HA] = &ha; cnt[SK_SEC_HA] = 1;
	data[SK_SEC_ADDR_HA] = ah; cnt[SK_SEC_ADDR_HA] = 3;
	return sk_test_image(data, cnt, len);
}

static struct sk_pkt_meta
to(const char *dst)
{
	struct sk_pkt_meta pm;

	memset(&pm, 0, sizeof(pm));
	pm.family = 4;
	pm.proto = IPPROTO_ICMP;
	inet_pton(AF_INET, dst, pm.dst);
	return pm;
}

static int
answers(const struct sk_gen *g, const char *a)
{
	uint8_t ip[16] = { 0 };

	inet_pton(AF_INET, a, ip);
	return sk_ha_may_answer(g, 0, 4, ip);
}

static void
wish(uint32_t role, uint64_t term)
{
	struct sk_shm_ha *h = &sk_dp.ctl->ha;

	h->want_role = role;
	h->want_term = term;
	__atomic_store_n(&h->want_seq, h->want_seq + 1, __ATOMIC_RELEASE);
	sk_ha_poll(sk_dp.gen, sk_dp_now_ms());
}

static void
test_addresses(const struct sk_gen *g)
{
	uint8_t a[16] = { 0 };
	struct sk_pkt_meta pm;
	struct sk_route_result rr;

	inet_pton(AF_INET, "10.0.0.3", a);
	SK_CHECK(sk_gen_local_addr(g, 4, a) == -1, "the other unit's address is not ours");
	SK_CHECK(!sk_gen_floating(g, 4, a), "nor floating");
	pm = to("10.0.0.3");
	SK_CHECK(sk_gen_dst(g, &pm, &rr) == SK_GEN_DST_ROUTED, "packets to it are routed");
	inet_pton(AF_INET, "10.0.0.2", a);
	SK_CHECK(sk_gen_local_addr(g, 4, a) == 0 && !sk_gen_floating(g, 4, a), "own address");
	inet_pton(AF_INET, "10.0.0.1", a);
	SK_CHECK(sk_gen_local_addr(g, 4, a) == 0 && sk_gen_floating(g, 4, a), "floating address");
	SK_CHECK(memcmp(g->ifaces[0].addr4, (uint8_t[]){ 10, 0, 0, 2 }, 4) == 0,
		 "ICMP errors leave from the own address");
}

static void
test_roles(struct sk_gen *g)
{
	struct sk_shm_ha *h = &sk_dp.ctl->ha;
	char err[256];
	struct sk_pkt_meta own = to("10.0.0.2"), flt = to("10.0.0.1"), transit = to("8.8.8.8");

	SK_CHECK(sk_ha_init(g->image, 0, -1, err, sizeof(err)) == -EINVAL,
		 "HA image without a unit id refused: %s", err);
	SK_CHECK(sk_ha_init(g->image, 1, -1, err, sizeof(err)) == 0, "init unit 1");
	SK_CHECK(h->enabled == 1 && h->unit == 1 && h->role == SK_HA_ROLE_INIT, "starts in init");
	SK_CHECK(sk_ha_fence(g) == 1, "init: fenced");
	SK_CHECK(sk_ha_admit(g, &own, 1) == SK_HA_PASS, "own address admitted");
	SK_CHECK(sk_ha_admit(g, &flt, 1) == SK_HA_DROP, "floating address dropped");
	SK_CHECK(sk_ha_admit(g, &transit, 1) == SK_HA_DROP, "transit dropped");
	SK_CHECK(answers(g, "10.0.0.2") && !answers(g, "10.0.0.1") && !answers(g, "10.0.0.3"),
		 "init: ARP only for the own address");

	wish(SK_HA_ROLE_ACTIVE, 3);
	SK_CHECK(h->role == SK_HA_ROLE_ACTIVE && h->term == 3 && h->applied_seq == h->want_seq &&
		 h->role_changes == 1, "wish active term 3 applied");
	SK_CHECK(sk_ha_fence(g) == 0, "active: workers not fenced");
	SK_CHECK(sk_ha_admit(g, &flt, 0) == SK_HA_PASS && sk_ha_admit(g, &transit, 0) == SK_HA_PASS,
		 "active: floating and transit go on");
	SK_CHECK(answers(g, "10.0.0.1") && answers(g, "10.0.0.2") && !answers(g, "10.0.0.3"),
		 "active: ARP for floating and own, never the peer's");

	SK_CHECK(h->garp_sent == 1 && rte_ring_count(sk_dp.workers[0].main_tx) == 1,
		 "becoming active: the floating address announced (%llu)",
		 (unsigned long long)h->garp_sent);
	sk_ha_poll(g, sk_dp_now_ms());
	SK_CHECK(h->garp_sent == 1, "announced once per round count");
	wish(SK_HA_ROLE_ACTIVE, 3);
	SK_CHECK(h->role == SK_HA_ROLE_ACTIVE && h->role_changes == 1 && h->garp_sent == 2 &&
		 rte_ring_count(sk_dp.workers[0].main_tx) == 2,
		 "the same active wish again: no role change, announced again");

	wish(SK_HA_ROLE_STANDBY, 2);
	SK_CHECK(h->role == SK_HA_ROLE_ACTIVE && h->term == 3 && h->applied_seq == h->want_seq,
		 "older term refused, seq acknowledged");
	sk_ha_poll(g, sk_dp_now_ms());
	SK_CHECK(h->role_changes == 1, "a handled wish is not applied twice");
	wish(SK_HA_ROLE_STANDBY, 3);
	SK_CHECK(h->role == SK_HA_ROLE_STANDBY && h->term == 3 && h->role_changes == 2,
		 "same term applied");
	wish(SK_HA_ROLE__MAX, 9);
	SK_CHECK(h->role == SK_HA_ROLE_STANDBY && h->term == 3, "unknown role refused");

	unlink(psk_path);
	SK_CHECK(sk_ha_init(g->image, 1, SK_HA_ROLE_ACTIVE, err, sizeof(err)) == 0,
		 "unreadable PSK is no start failure");
	SK_CHECK(h->role == SK_HA_ROLE_FAULT && sk_ha_fence(g) == 1, "unreadable PSK: fault");
	wish(SK_HA_ROLE_ACTIVE, 10);
	SK_CHECK(h->role == SK_HA_ROLE_FAULT && h->applied_seq == h->want_seq,
		 "fault: wish to become active refused");
}

int
main(int argc __rte_unused, char **argv)
{
	char err[256];
	size_t len;
	void *img;
	struct sk_gen *g;
	int fd;

	if (sk_test_eal_init(argv[0]) < 0) {
		printf("not ok 1 - EAL init\n");
		return 1;
	}
	fd = mkstemp(psk_path);
	SK_CHECK(fd >= 0 && write(fd, "k\n", 2) == 2, "PSK file");
	close(fd);
	img = ha_image(psk_path, &len);
	SK_CHECK(img != NULL, "HA image verifies");
	if (img == NULL)
		return SK_TEST_DONE();
	sk_gen_set_ha_unit(1);
	g = sk_gen_build(img, len, 1, NULL, 1, NULL, NULL, err, sizeof(err));
	SK_CHECK(g != NULL && g->ha != NULL, "generation of an HA image: %s", g ? "" : err);
	if (g == NULL)
		return SK_TEST_DONE();
	sk_dp.gen = g;
	sk_dp.n_workers = 1;
	sk_dp.tsc_per_ms = RTE_MAX(rte_get_tsc_hz() / 1000, (uint64_t)1);
	sk_dp.ctl = calloc(1, sizeof(*sk_dp.ctl));
	sk_dp.stats = calloc(2, sizeof(*sk_dp.stats));
	/* announcements are built in the pool and queued on worker 0's ring */
	sk_dp.pool = rte_pktmbuf_pool_create("t_ha_pool", 255, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					     SOCKET_ID_ANY);
	sk_dp.workers[0].main_tx = rte_ring_create("t_ha_tx", 256, SOCKET_ID_ANY,
						   RING_F_SP_ENQ | RING_F_SC_DEQ);
	SK_CHECK(sk_dp.pool != NULL && sk_dp.workers[0].main_tx != NULL, "pool and TX ring");
	test_addresses(g);
	test_roles(g);
	unlink(psk_path);
	sk_gen_free(g);
	free(img);
	free(sk_dp.ctl);
	free(sk_dp.stats);
	return SK_TEST_DONE();
}
