/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_lbsvc.c - the virtual services of a generation (dataplane/lb/lb_svc.h)
 * built from config text through the real config compiler: VIP and address
 * lookup, each scheduler through sk_lb_select, persistence, limits, runtime
 * changes (sk_lb_set, with and without RCU), carry-over across a rebuild and
 * counters summed over worker rows.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "cfg.h"
#include "sk_drop.h"
#include "lb/lb_svc.h"
#include "lb/lb_svc_diag.h"
#include "sk_test.h"
#include "sk_test_eal.h"

#define GEN 7

static const char *base_conf =
	"zones = ( \"out\", \"in\" );\n"
	"interfaces = (\n"
	"  { name = \"out\"; device = \"net_null0\"; zone = \"out\";\n"
	"    ipv4 = [ \"203.0.113.1/24\" ]; ipv6 = [ \"2001:db8:ff::1/64\" ]; },\n"
	"  { name = \"in\"; device = \"net_null1\"; zone = \"in\";\n"
	"    ipv4 = [ \"10.10.0.1/24\" ]; ipv6 = [ \"2001:db8:10::1/64\" ]; }\n"
	");\n";

/* An image of base_conf plus `services = ( svcs );` (NULL: none). */
static void *
mkimg(const char *svcs, size_t *len)
{
	char text[8192], err[256];
	struct sk_cfg_diag d;
	struct sk_cfg *cfg;
	void *img = NULL;

	snprintf(text, sizeof(text), "%s%s%s%s", base_conf, svcs ? "services = (\n" : "",
		 svcs ? svcs : "", svcs ? ");\n" : "");
	sk_cfg_diag_init(&d);
	cfg = sk_cfg_load_string(text, "t.conf", &d);
	if (cfg == NULL) {
		sk_cfg_diag_print(&d, stdout);
	} else if (sk_cfg_image_build(cfg, &img, len, err, sizeof(err)) != 0) {
		printf("# image: %s\n", err);
		img = NULL;
	}
	sk_cfg_free(cfg);
	sk_cfg_diag_free(&d);
	return img;
}

static struct sk_lb *
mklb(const char *svcs, unsigned int workers, struct rte_rcu_qsbr *qs, const struct sk_lb *prev)
{
	char err[256] = "";
	struct sk_lb *lb;
	size_t len;
	void *img = mkimg(svcs, &len);

	if (img == NULL)
		return NULL;
	lb = sk_lb_build(img, len, GEN, workers, SOCKET_ID_ANY, qs, prev, err, sizeof(err));
	if (lb == NULL)
		printf("# sk_lb_build: %s\n", err);
	free(img);
	return lb;
}

static uint64_t rng = 88172645463325252ull;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void
pm_set(struct sk_pkt_meta *pm, const char *src, const char *dst, uint16_t sport,
       uint16_t dport, uint8_t proto)
{
	memset(pm, 0, sizeof(*pm));
	pm->family = strchr(dst, ':') != NULL ? 6 : 4;
	inet_pton(pm->family == 4 ? AF_INET : AF_INET6, src, pm->src);
	inet_pton(pm->family == 4 ? AF_INET : AF_INET6, dst, pm->dst);
	pm->sport = sport;
	pm->dport = dport;
	pm->proto = proto;
}

/* A random IPv4 client of pm's service (same dst, dport, proto). */
static void
pm_random_src(struct sk_pkt_meta *pm)
{
	uint64_t r = rnd();

	memcpy(pm->src, &r, 4);
	pm->sport = (uint16_t)(r >> 32);
}

/* Count the choices of n random flows of pm's shape; -1 on a refusal. */
static int
spread(struct sk_lb *lb, uint32_t svc, struct sk_pkt_meta *pm, uint32_t n, uint32_t *cnt,
       uint32_t nbe)
{
	struct sk_lb_choice c;
	uint32_t i;

	memset(cnt, 0, sizeof(*cnt) * nbe);
	for (i = 0; i < n; i++) {
		pm_random_src(pm);
		if (sk_lb_select(lb, 0, svc, pm, 0, &c) != 0 || c.be >= nbe)
			return -1;
		cnt[c.be]++;
	}
	return 0;
}

static int
share_ok(const uint32_t *cnt, const double *want, uint32_t nbe, uint32_t n, double tol)
{
	uint32_t i;
	int ok = 1;

	for (i = 0; i < nbe; i++) {
		double got = (double)cnt[i] / n;

		printf("# backend %u: %.4f (want %.4f)\n", i, got, want[i]);
		if (want[i] == 0 ? cnt[i] != 0 : got < want[i] * (1 - tol) ||
		    got > want[i] * (1 + tol))
			ok = 0;
	}
	return ok;
}

static int
lbset(struct sk_lb *lb, uint64_t gen, uint32_t svc, uint32_t be, uint8_t what, uint8_t value,
      uint16_t weight)
{
	struct sk_shm_lb_set r = { .generation = gen, .service = svc, .backend = be,
				   .what = what, .value = value, .weight = weight };

	return sk_lb_set(lb, &r);
}

static const char *match_svcs =
	"{ name = \"web\"; vip = \"203.0.113.80\"; proto = \"tcp\"; port = \"80\";\n"
	"  backends = ( { name = \"a\"; address = \"10.10.0.11\"; port = 8080; weight = 1; },\n"
	"               { name = \"b\"; address = \"10.10.0.12\"; weight = 2; },\n"
	"               { name = \"c\"; address = \"10.10.0.13\"; weight = 3; } ); },\n"
	"{ name = \"range\"; vip = \"203.0.113.80\"; proto = \"tcp\"; port = \"8000-8010\";\n"
	"  scheduler = \"wrr\";\n"
	"  backends = ( { name = \"a\"; address = \"10.10.0.11\"; weight = 5; },\n"
	"               { name = \"b\"; address = \"10.10.0.12\"; },\n"
	"               { name = \"c\"; address = \"10.10.0.13\"; } ); },\n"
	"{ name = \"dns\"; vip = \"203.0.113.80\"; proto = \"udp\"; port = 53; scheduler = \"sh\";\n"
	"  backends = ( { name = \"a\"; address = \"10.10.0.11\"; },\n"
	"               { name = \"b\"; address = \"10.10.0.12\"; },\n"
	"               { name = \"c\"; address = \"10.10.0.13\"; } ); },\n"
	"{ name = \"v6\"; vip = \"2001:db8:ff::80\"; proto = \"tcp\"; port = 443;\n"
	"  scheduler = \"wlc\"; forward = \"fullnat\"; snat = [ \"2001:db8:10::2\" ];\n"
	"  backends = ( { name = \"a\"; address = \"2001:db8:10::11\"; port = 8443; },\n"
	"               { name = \"b\"; address = \"2001:db8:10::12\"; port = 8443; } ); },\n"
	"{ name = \"snat4\"; vip = \"203.0.113.90\"; proto = \"tcp\"; port = 80;\n"
	"  forward = \"fullnat\"; snat = [ \"10.10.0.2\", \"10.10.0.3\" ];\n"
	"  backends = ( { name = \"a\"; address = \"10.10.0.11\"; } ); }\n";

static void
test_match(void)
{
	struct sk_lb *lb = mklb(match_svcs, 1, NULL, NULL);
	struct sk_pkt_meta pm;
	struct sk_lb_choice c;
	uint8_t a[16];
	uint32_t n;
	const struct sk_img_prefix *sn;

	SK_CHECK(lb != NULL && sk_lb_n_services(lb) == 5, "five services built");
	if (lb == NULL)
		return;
	pm_set(&pm, "198.51.100.7", "203.0.113.80", 40000, 80, IPPROTO_TCP);
	SK_CHECK(sk_lb_svc_match(lb, &pm) == 0, "tcp 80 -> web");
	pm.dport = 8000;
	SK_CHECK(sk_lb_svc_match(lb, &pm) == 1, "tcp 8000 -> range (low end)");
	pm.dport = 8010;
	SK_CHECK(sk_lb_svc_match(lb, &pm) == 1, "tcp 8010 -> range (high end)");
	pm.dport = 8011;
	SK_CHECK(sk_lb_svc_match(lb, &pm) == -1, "tcp 8011 matches nothing");
	pm.dport = 79;
	SK_CHECK(sk_lb_svc_match(lb, &pm) == -1, "tcp 79 matches nothing");
	pm.dport = 53;
	SK_CHECK(sk_lb_svc_match(lb, &pm) == -1, "tcp 53 matches nothing (dns is udp)");
	pm.proto = IPPROTO_UDP;
	SK_CHECK(sk_lb_svc_match(lb, &pm) == 2, "udp 53 -> dns");
	pm.dport = 80;
	SK_CHECK(sk_lb_svc_match(lb, &pm) == -1, "udp 80 matches nothing");
	pm_set(&pm, "198.51.100.7", "203.0.113.81", 40000, 80, IPPROTO_TCP);
	SK_CHECK(sk_lb_svc_match(lb, &pm) == -1, "another address matches nothing");
	pm_set(&pm, "2001:db8:1::7", "2001:db8:ff::80", 40000, 443, IPPROTO_TCP);
	SK_CHECK(sk_lb_svc_match(lb, &pm) == 3, "v6 tcp 443 -> v6");
	pm.dport = 80;
	SK_CHECK(sk_lb_svc_match(lb, &pm) == -1, "v6 tcp 80 matches nothing");
	pm.dport = 443;
	pm.proto = IPPROTO_UDP;
	SK_CHECK(sk_lb_svc_match(lb, &pm) == -1, "v6 udp 443 matches nothing");

	/* Address flags. */
	memset(a, 0, 16);
	inet_pton(AF_INET, "203.0.113.80", a);
	SK_CHECK(sk_lb_addr_flags(lb, 4, a) == SK_LB_ADDR_VIP, "203.0.113.80 is a VIP");
	inet_pton(AF_INET, "10.10.0.3", a);
	SK_CHECK(sk_lb_addr_flags(lb, 4, a) == SK_LB_ADDR_SNAT, "10.10.0.3 is an SNAT source");
	inet_pton(AF_INET, "10.10.0.11", a);
	SK_CHECK(sk_lb_addr_flags(lb, 4, a) == SK_LB_ADDR_BACKEND,
		 "a DNAT backend address is flagged BACKEND (handoff owner), not VIP/SNAT");
	inet_pton(AF_INET6, "2001:db8:10::2", a);
	SK_CHECK(sk_lb_addr_flags(lb, 6, a) == SK_LB_ADDR_SNAT, "2001:db8:10::2 is SNAT");
	inet_pton(AF_INET6, "2001:db8:ff::80", a);
	SK_CHECK(sk_lb_addr_flags(lb, 6, a) == SK_LB_ADDR_VIP, "2001:db8:ff::80 is a VIP");
	SK_CHECK(sk_lb_addr_flags(lb, 4, a) == 0, "the same bytes as IPv4 are nothing");

	/* Accessors. */
	sn = sk_lb_snat(lb, 4, &n);
	SK_CHECK(sn != NULL && n == 2 && sn[1].addr[3] == 3, "snat4 has its 2 sources");
	SK_CHECK(sk_lb_snat(lb, 0, &n) == NULL && n == 0, "dnat service has no SNAT source");
	SK_CHECK(sk_lb_service(lb, 3) != NULL && strcmp(sk_lb_service(lb, 3)->name, "v6") == 0 &&
		 sk_lb_service(lb, 5) == NULL, "sk_lb_service by index");
	inet_pton(AF_INET, "10.10.0.11", a);
	memset(a + 4, 0, 12);
	SK_CHECK(sk_lb_backend_find(lb, 0, a, 8080) == 0, "find web/a by address and port");
	SK_CHECK(sk_lb_backend_find(lb, 0, a, 80) == -1, "web/a on another port: none");
	inet_pton(AF_INET, "10.10.0.12", a);
	SK_CHECK(sk_lb_backend_find(lb, 0, a, 80) == 1 && sk_lb_backend_find(lb, 1, a, 8003) == 4,
		 "port-0 backends found on any port, global index");

	/* Port 0 resolved to the client's port; backend address and family. */
	pm_set(&pm, "198.51.100.7", "203.0.113.80", 40000, 8007, IPPROTO_TCP);
	SK_CHECK(sk_lb_select(lb, 0, 1, &pm, 0, &c) == 0 && c.svc == 1 && c.be == 0 &&
		 c.gbe == 3 && c.port == 8007 && c.family == 4 && c.fwd == SK_LB_FWD_DNAT &&
		 memcmp(c.addr, "\x0a\x0a\x00\x0b", 4) == 0, "range: port 0 -> 8007, 10.10.0.11");
	pm_set(&pm, "2001:db8:1::7", "2001:db8:ff::80", 40000, 443, IPPROTO_TCP);
	inet_pton(AF_INET6, "2001:db8:10::11", a);
	SK_CHECK(sk_lb_select(lb, 0, 3, &pm, 0, &c) == 0 && c.family == 6 && c.port == 8443 &&
		 c.fwd == SK_LB_FWD_FULLNAT && c.be == 0 && memcmp(c.addr, a, 16) == 0,
		 "v6: backend a [2001:db8:10::11]:8443, fullnat");
	sk_lb_free(lb);
}

static void
test_empty(void)
{
	struct sk_lb *lb = mklb(NULL, 2, NULL, NULL);
	struct sk_shm_lb_backend st[1];
	struct sk_pkt_meta pm;
	uint8_t a[16] = { 203, 0, 113, 80 };

	SK_CHECK(lb != NULL && sk_lb_n_services(lb) == 0, "image without services: empty lb");
	if (lb == NULL)
		return;
	pm_set(&pm, "198.51.100.7", "203.0.113.80", 40000, 80, IPPROTO_TCP);
	SK_CHECK(sk_lb_svc_match(lb, &pm) == -1 && sk_lb_addr_flags(lb, 4, a) == 0 &&
		 sk_lb_status(lb, st, 1) == 0 && sk_lb_service(lb, 0) == NULL,
		 "empty lb matches nothing");
	sk_lb_free(lb);
	sk_lb_free(NULL);
}

static void
test_maglev_sh(void)
{
	struct sk_lb *lb = mklb(match_svcs, 1, NULL, NULL);
	static const double w123[3] = { 1 / 6.0, 2 / 6.0, 3 / 6.0 };
	struct sk_pkt_meta pm;
	struct sk_lb_choice c;
	uint32_t cnt[3], i, first = 0, moved = 0;
	int ok = 1;

	if (lb == NULL)
		return;
	pm_set(&pm, "198.51.100.7", "203.0.113.80", 40000, 80, IPPROTO_TCP);
	SK_CHECK(spread(lb, 0, &pm, 100000, cnt, 3) == 0 && share_ok(cnt, w123, 3, 100000, 0.03),
		 "maglev 1:2:3 over 100k random flows within 3 %%");

	/* The same flow always to the same backend. */
	pm_set(&pm, "198.51.100.9", "203.0.113.80", 41000, 80, IPPROTO_TCP);
	ok = sk_lb_select(lb, 0, 0, &pm, 0, &c) == SK_DROP_NONE;
	first = c.be;
	for (i = 0; i < 100; i++)
		if (sk_lb_select(lb, 0, 0, &pm, 0, &c) != 0 || c.be != first)
			ok = 0;
	SK_CHECK(ok, "maglev: one flow, one backend");

	/* Source hash: a client keeps its backend whatever its port. */
	pm_set(&pm, "198.51.100.9", "203.0.113.80", 1000, 53, IPPROTO_UDP);
	ok = sk_lb_select(lb, 0, 2, &pm, 0, &c) == SK_DROP_NONE;
	first = c.be;
	for (i = 0; i < 200; i++) {
		pm.sport = (uint16_t)(1000 + i * 7);
		if (sk_lb_select(lb, 0, 2, &pm, 0, &c) != 0 || c.be != first)
			ok = 0;
	}
	SK_CHECK(ok, "sh: one client, one backend over 200 source ports");
	for (i = 0; i < 200; i++) {
		pm.src[3] = (uint8_t)i;
		if (sk_lb_select(lb, 0, 2, &pm, 0, &c) == 0 && c.be != first)
			moved++;
	}
	SK_CHECK(moved > 50, "sh: other clients spread (%u of 200 elsewhere)", moved);
	sk_lb_free(lb);
}

static void
test_wrr(void)
{
	static const uint32_t want[7] = { 0, 0, 1, 0, 2, 0, 0 };
	struct sk_lb *lb = mklb(match_svcs, 2, NULL, NULL);
	struct sk_pkt_meta pm;
	struct sk_lb_choice c;
	uint32_t i;
	int ok = 1;

	if (lb == NULL)
		return;
	pm_set(&pm, "198.51.100.7", "203.0.113.80", 40000, 8001, IPPROTO_TCP);
	for (i = 0; i < 21; i++)
		if (sk_lb_select(lb, 0, 1, &pm, 0, &c) != 0 || c.be != want[i % 7])
			ok = 0;
	SK_CHECK(ok, "wrr 5:1:1 gives a a b a c a a, three cycles");
	SK_CHECK(sk_lb_select(lb, 1, 1, &pm, 0, &c) == 0 && c.be == 0 &&
		 sk_lb_select(lb, 1, 1, &pm, 0, &c) == 0 && c.be == 0 &&
		 sk_lb_select(lb, 1, 1, &pm, 0, &c) == 0 && c.be == 1,
		 "worker 1 has its own wrr state");
	sk_lb_free(lb);
}

static const char *wlc_svcs =
	"{ name = \"w\"; vip = \"203.0.113.80\"; proto = \"tcp\"; port = 80; scheduler = \"wlc\";\n"
	"  backends = ( { name = \"a\"; address = \"10.10.0.11\"; },\n"
	"               { name = \"b\"; address = \"10.10.0.12\"; },\n"
	"               { name = \"c\"; address = \"10.10.0.13\"; weight = 2; } ); }\n";

/* Select on worker w and open the connection there: the chosen backend. */
static int
open_on(struct sk_lb *lb, unsigned int w, uint32_t svc, struct sk_pkt_meta *pm)
{
	struct sk_lb_choice c;
	int rc = sk_lb_select(lb, w, svc, pm, 0, &c);

	if (rc != 0)
		return -rc;
	sk_lb_conn_open(lb, w, c.gbe);
	return (int)c.be;
}

static void
test_wlc(void)
{
	struct sk_lb *lb = mklb(wlc_svcs, 2, NULL, NULL);
	struct sk_pkt_meta pm;
	int got[5];

	if (lb == NULL)
		return;
	pm_set(&pm, "198.51.100.7", "203.0.113.80", 40000, 80, IPPROTO_TCP);
	got[0] = open_on(lb, 0, 0, &pm);
	got[1] = open_on(lb, 1, 0, &pm); /* sees worker 0's connection on a */
	got[2] = open_on(lb, 0, 0, &pm);
	got[3] = open_on(lb, 1, 0, &pm); /* c (weight 2) has 1: 1/2 < 1 */
	SK_CHECK(got[0] == 0 && got[1] == 1 && got[2] == 2 && got[3] == 2,
		 "wlc counts every worker: a b c c (got %d %d %d %d)", got[0], got[1], got[2],
		 got[3]);
	/* Close b's connection on worker 0 (it was opened on 1): b is least loaded. */
	sk_lb_conn_close(lb, 0, 1);
	got[4] = open_on(lb, 0, 0, &pm);
	SK_CHECK(got[4] == 1, "after a close on another row, b is least loaded (got %d)", got[4]);
	sk_lb_conn_close(lb, 1, 1);
	sk_lb_conn_close(lb, 0, 0);
	SK_CHECK(open_on(lb, 1, 0, &pm) == 0, "after closing a's, a is chosen again");
	sk_lb_free(lb);
}

static const char *persist_svcs =
	"{ name = \"p\"; vip = \"203.0.113.80\"; proto = \"tcp\"; port = 80; scheduler = \"wrr\";\n"
	"  persist_s = 10;\n"
	"  backends = ( { name = \"a\"; address = \"10.10.0.11\"; },\n"
	"               { name = \"b\"; address = \"10.10.0.12\"; } ); }\n";

static void
test_persist(void)
{
	struct sk_lb *lb = mklb(persist_svcs, 1, NULL, NULL);
	struct sk_pkt_meta pa, pb;
	struct sk_lb_persist_stats ps;
	struct sk_lb_choice c;
	uint32_t i, fails = 0;
	uint64_t full;
	int ok = 1;

	if (lb == NULL)
		return;
	pm_set(&pa, "198.51.100.7", "203.0.113.80", 40000, 80, IPPROTO_TCP);
	pm_set(&pb, "198.51.100.8", "203.0.113.80", 40000, 80, IPPROTO_TCP);
	SK_CHECK(sk_lb_select(lb, 0, 0, &pa, 1000, &c) == 0 && c.be == 0, "client A -> a");
	SK_CHECK(sk_lb_select(lb, 0, 0, &pb, 1000, &c) == 0 && c.be == 1, "client B -> b (wrr)");
	/* Make b by far the scheduler's favourite: A must stay on a. */
	SK_CHECK(lbset(lb, GEN, 0, 1, SK_SHM_LB_WEIGHT, 0, 100) == 0, "b weight 100");
	for (i = 0; i < 20; i++) {
		pa.sport = (uint16_t)(40001 + i);
		if (sk_lb_select(lb, 0, 0, &pa, 1000 + i * 400, &c) != 0 || c.be != 0)
			ok = 0;
	}
	SK_CHECK(ok, "A stays on a across 20 connections while the scheduler prefers b");
	/* Last connection at 1000 + 19 * 400 = 8600; 10 s later it is forgotten. */
	SK_CHECK(sk_lb_select(lb, 0, 0, &pa, 8600 + 10000, &c) == 0 && c.be == 0,
		 "A still on a exactly persist_s after its last connection");
	SK_CHECK(sk_lb_select(lb, 0, 0, &pa, 18600 + 10001, &c) == 0 && c.be == 1,
		 "after persist_s A goes where the scheduler says (b)");
	SK_CHECK(sk_lb_select(lb, 0, 0, &pa, 28602, &c) == 0 && c.be == 1, "and stays on b");
	/* A remembered backend that drains is left. */
	SK_CHECK(lbset(lb, GEN, 0, 0, SK_SHM_LB_WEIGHT, 0, 1000) == 0 &&
		 lbset(lb, GEN, 0, 1, SK_SHM_LB_ADMIN, SK_LB_BE_DRAIN, 0) == 0 &&
		 sk_lb_select(lb, 0, 0, &pa, 28603, &c) == 0 && c.be == 0,
		 "b drained: A moves to a");
	SK_CHECK(lbset(lb, GEN, 0, 1, SK_SHM_LB_ADMIN, SK_LB_BE_UP, 0) == 0 &&
		 lbset(lb, GEN, 0, 0, SK_SHM_LB_WEIGHT, 0, 1) == 0 &&
		 sk_lb_select(lb, 0, 0, &pa, 28604, &c) == 0 && c.be == 0,
		 "b back up, favoured again: A stays on a (rewritten)");
	sk_lb_persist_stats(lb, &ps);
	SK_CHECK(ps.hits == 23 && ps.full == 0, "persistence hits counted (%lu)",
		 (unsigned long)ps.hits);

	/* Fill the table: connections still go through, the misses are counted. */
	for (i = 0; i < 70000; i++) {
		pa.src[0] = 100;
		pa.src[1] = (uint8_t)(i >> 16);
		pa.src[2] = (uint8_t)(i >> 8);
		pa.src[3] = (uint8_t)i;
		if (sk_lb_select(lb, 0, 0, &pa, 30000, &c) != 0)
			fails++;
	}
	sk_lb_persist_stats(lb, &ps);
	full = ps.full;
	SK_CHECK(fails == 0 && full > 0 && full < 70000,
		 "70000 clients: none refused, %lu went unremembered (table full)",
		 (unsigned long)full);
	/* Once they expire, new clients push them out. */
	for (i = 0; i < 2000; i++) {
		pa.src[0] = 101;
		pa.src[2] = (uint8_t)(i >> 8);
		pa.src[3] = (uint8_t)i;
		if (sk_lb_select(lb, 0, 0, &pa, 50000, &c) != 0)
			fails++;
	}
	sk_lb_persist_stats(lb, &ps);
	SK_CHECK(fails == 0 && ps.full == full, "expired entries are evicted for new clients "
		 "(full %lu -> %lu)", (unsigned long)full, (unsigned long)ps.full);
	sk_lb_free(lb);
}

static const char *limit_svcs =
	"{ name = \"s\"; vip = \"203.0.113.80\"; proto = \"tcp\"; port = 80; conn_limit = 3;\n"
	"  backends = ( { name = \"a\"; address = \"10.10.0.11\"; },\n"
	"               { name = \"b\"; address = \"10.10.0.12\"; } ); },\n"
	"{ name = \"w\"; vip = \"203.0.113.80\"; proto = \"tcp\"; port = 81; scheduler = \"wrr\";\n"
	"  backends = ( { name = \"a\"; address = \"10.10.0.11\"; weight = 100; conn_limit = 1; },\n"
	"               { name = \"b\"; address = \"10.10.0.12\"; conn_limit = 2; } ); },\n"
	"{ name = \"m\"; vip = \"203.0.113.80\"; proto = \"tcp\"; port = 82;\n"
	"  backends = ( { name = \"a\"; address = \"10.10.0.11\"; conn_limit = 1; },\n"
	"               { name = \"b\"; address = \"10.10.0.12\"; },\n"
	"               { name = \"c\"; address = \"10.10.0.13\"; } ); },\n"
	"{ name = \"m2\"; vip = \"203.0.113.80\"; proto = \"tcp\"; port = 83;\n"
	"  backends = ( { name = \"a\"; address = \"10.10.0.11\"; conn_limit = 1; },\n"
	"               { name = \"b\"; address = \"10.10.0.12\"; conn_limit = 1; } ); },\n"
	"{ name = \"off\"; vip = \"203.0.113.80\"; proto = \"tcp\"; port = 84;\n"
	"  backends = ( { name = \"a\"; address = \"10.10.0.11\"; state = \"disabled\"; },\n"
	"               { name = \"b\"; address = \"10.10.0.12\"; weight = 0; } ); }\n";

static void
test_limits(void)
{
	struct sk_lb *lb = mklb(limit_svcs, 2, NULL, NULL);
	struct sk_lb_svc_stats st;
	struct sk_pkt_meta pm;
	struct sk_lb_choice c;
	uint32_t i, bad = 0;
	int r[4];

	if (lb == NULL)
		return;
	pm_set(&pm, "198.51.100.7", "203.0.113.80", 40000, 80, IPPROTO_TCP);
	r[0] = open_on(lb, 0, 0, &pm);
	r[1] = open_on(lb, 1, 0, &pm);
	r[2] = open_on(lb, 0, 0, &pm);
	r[3] = sk_lb_select(lb, 1, 0, &pm, 0, &c);
	sk_lb_svc_stats(lb, 0, &st);
	SK_CHECK(r[0] >= 0 && r[1] >= 0 && r[2] >= 0 && r[3] == SK_DROP_LB_CONN_LIMIT &&
		 st.over_limit == 1 && st.active == 3 && st.conns == 3,
		 "service limit 3 over two workers: the 4th is refused and counted");
	sk_lb_conn_close(lb, 1, (uint32_t)r[1]);
	SK_CHECK(sk_lb_select(lb, 1, 0, &pm, 0, &c) == 0, "after a close there is room again");

	/* WRR: a (weight 100, limit 1) full -> b takes them, until b is full too. */
	pm.dport = 81;
	r[0] = open_on(lb, 0, 1, &pm);
	r[1] = open_on(lb, 1, 1, &pm);
	r[2] = open_on(lb, 0, 1, &pm);
	r[3] = open_on(lb, 0, 1, &pm);
	sk_lb_svc_stats(lb, 1, &st);
	SK_CHECK(r[0] == 0 && r[1] == 1 && r[2] == 1 && r[3] == -SK_DROP_LB_CONN_LIMIT &&
		 st.over_limit == 1, "wrr: a full after 1, b after 2, then refused (%d %d %d %d)",
		 r[0], r[1], r[2], r[3]);

	/* Maglev: a full -> its flows walk on to b or c. */
	pm.dport = 82;
	pm.src[3] = 1;
	for (i = 0; i < 1000 && open_on(lb, 0, 2, &pm) != 0; i++)
		pm.src[3] = (uint8_t)(i + 2);
	SK_CHECK(i < 1000, "maglev: a got a connection");
	for (i = 0; i < 2000; i++) {
		pm_random_src(&pm);
		if (sk_lb_select(lb, 0, 2, &pm, 0, &c) != 0 || c.be == 0)
			bad++;
	}
	SK_CHECK(bad == 0, "maglev: with a full, 2000 flows all go to b or c (%u bad)", bad);
	pm.dport = 83;
	(void)open_on(lb, 0, 3, &pm);
	for (i = 0; i < 1000; i++) {
		pm_random_src(&pm);
		if (open_on(lb, 1, 3, &pm) >= 0)
			break;
	}
	r[0] = sk_lb_select(lb, 0, 3, &pm, 0, &c);
	sk_lb_svc_stats(lb, 3, &st);
	SK_CHECK(r[0] == SK_DROP_LB_CONN_LIMIT && st.over_limit >= 1,
		 "maglev: both backends full -> refused with lb_conn_limit");

	pm.dport = 84;
	r[0] = sk_lb_select(lb, 0, 4, &pm, 0, &c);
	sk_lb_svc_stats(lb, 4, &st);
	SK_CHECK(r[0] == SK_DROP_LB_NO_BACKEND && st.no_backend == 1 && st.over_limit == 0,
		 "disabled + weight 0: lb_no_backend, counted");
	sk_lb_free(lb);
}

static void
test_set(void)
{
	static const double w114[3] = { 1 / 6.0, 1 / 6.0, 4 / 6.0 };
	static const double w101[3] = { 0.5, 0, 0.5 };
	struct sk_lb *lb = mklb(
		"{ name = \"s\"; vip = \"203.0.113.80\"; proto = \"tcp\"; port = 80;\n"
		"  backends = ( { name = \"a\"; address = \"10.10.0.11\"; },\n"
		"               { name = \"b\"; address = \"10.10.0.12\"; },\n"
		"               { name = \"c\"; address = \"10.10.0.13\"; } ); }\n", 1, NULL, NULL);
	struct sk_shm_lb_backend st[3];
	struct sk_pkt_meta pm;
	uint32_t cnt[3];

	if (lb == NULL)
		return;
	pm_set(&pm, "198.51.100.7", "203.0.113.80", 40000, 80, IPPROTO_TCP);
	SK_CHECK(lbset(lb, GEN, 0, 1, SK_SHM_LB_ADMIN, SK_LB_BE_DRAIN, 0) == 0 &&
		 spread(lb, 0, &pm, 20000, cnt, 3) == 0 && share_ok(cnt, w101, 3, 20000, 0.05) &&
		 sk_lb_backend_alive(lb, 1) == 1, "drain: b takes nothing new, stays alive");
	SK_CHECK(lbset(lb, GEN, 0, 1, SK_SHM_LB_ADMIN, SK_LB_BE_UP, 0) == 0 &&
		 lbset(lb, GEN, 0, 1, SK_SHM_LB_HEALTH, 0, 0) == 0 &&
		 spread(lb, 0, &pm, 20000, cnt, 3) == 0 && share_ok(cnt, w101, 3, 20000, 0.05) &&
		 sk_lb_backend_alive(lb, 1) == 1, "health down: b takes nothing new, stays alive");
	sk_lb_status(lb, st, 3);
	SK_CHECK(st[1].admin == SK_LB_BE_UP && st[1].health == 0 && st[0].health == 1,
		 "status: b admin up, health down; a healthy");
	SK_CHECK(lbset(lb, GEN, 0, 1, SK_SHM_LB_HEALTH, 1, 0) == 0 &&
		 lbset(lb, GEN, 0, 1, SK_SHM_LB_ADMIN, SK_LB_BE_DISABLED, 0) == 0 &&
		 spread(lb, 0, &pm, 20000, cnt, 3) == 0 && share_ok(cnt, w101, 3, 20000, 0.05) &&
		 sk_lb_backend_alive(lb, 1) == 0 && sk_lb_backend_alive(lb, 0) == 1,
		 "disabled: b takes nothing and its connections are cut");
	SK_CHECK(lbset(lb, GEN, 0, 1, SK_SHM_LB_ADMIN, SK_LB_BE_UP, 0) == 0 &&
		 lbset(lb, GEN, 0, 2, SK_SHM_LB_WEIGHT, 0, 4) == 0 &&
		 spread(lb, 0, &pm, 60000, cnt, 3) == 0 && share_ok(cnt, w114, 3, 60000, 0.04),
		 "weight of c 1 -> 4 moves the share to 1:1:4");
	sk_lb_status(lb, st, 3);
	SK_CHECK(st[2].weight == 4 && st[1].admin == SK_LB_BE_UP, "status shows weight 4");
	SK_CHECK(lbset(lb, GEN + 1, 0, 0, SK_SHM_LB_WEIGHT, 0, 2) == -ESTALE &&
		 lbset(lb, GEN - 1, 9, 9, SK_SHM_LB_WEIGHT, 0, 2) == -ESTALE,
		 "another generation: -ESTALE");
	SK_CHECK(lbset(lb, GEN, 1, 0, SK_SHM_LB_WEIGHT, 0, 2) == -EINVAL &&
		 lbset(lb, GEN, 0, 3, SK_SHM_LB_WEIGHT, 0, 2) == -EINVAL &&
		 lbset(lb, GEN, 0, 0, SK_SHM_LB_ADMIN, SK_LB_BE__MAX, 0) == -EINVAL &&
		 lbset(lb, GEN, 0, 0, SK_SHM_LB_HEALTH, 2, 0) == -EINVAL &&
		 lbset(lb, GEN, 0, 0, 9, 0, 0) == -EINVAL && sk_lb_set(lb, NULL) == -EINVAL,
		 "bad service, backend, value or op: -EINVAL");
	SK_CHECK(sk_lb_backend_alive(lb, 3) == 0, "unknown backend is not alive");
	sk_lb_free(lb);
}

/* sk_lb_set with a QSBR variable: the old tables are freed only after the
 * worker reports a quiescent state. */
static void
test_set_rcu(void)
{
	struct rte_malloc_socket_stats mb, m0, m1, m2;
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	struct rte_rcu_qsbr *qs = rte_zmalloc("qs", sz, RTE_CACHE_LINE_SIZE);
	struct sk_lb *lb;
	int sock;

	if (qs == NULL || rte_rcu_qsbr_init(qs, 1) != 0 || rte_rcu_qsbr_thread_register(qs, 0) != 0)
		return;
	rte_rcu_qsbr_thread_online(qs, 0);
	sock = (int)rte_socket_id();
	rte_malloc_get_socket_stats(sock, &mb);
	lb = mklb("{ name = \"s\"; vip = \"203.0.113.80\"; proto = \"tcp\"; port = 80;\n"
		  "  backends = ( { name = \"a\"; address = \"10.10.0.11\"; },\n"
		  "               { name = \"b\"; address = \"10.10.0.12\"; } ); }\n", 1, qs, NULL);
	SK_CHECK(lb != NULL, "built with a QSBR variable");
	if (lb == NULL)
		return;
	rte_malloc_get_socket_stats(sock, &m0);
	SK_CHECK(lbset(lb, GEN, 0, 0, SK_SHM_LB_ADMIN, SK_LB_BE_DRAIN, 0) == 0, "set with qs");
	sk_lb_reclaim(lb);
	rte_malloc_get_socket_stats(sock, &m1);
	rte_rcu_qsbr_quiescent(qs, 0);
	sk_lb_reclaim(lb);
	rte_malloc_get_socket_stats(sock, &m2);
	SK_CHECK(m1.alloc_count == m0.alloc_count + 2 && m2.alloc_count == m0.alloc_count,
		 "old tables kept until the worker is quiescent, then freed (%u, %u, %u)",
		 m0.alloc_count, m1.alloc_count, m2.alloc_count);
	SK_CHECK(lbset(lb, GEN, 0, 0, SK_SHM_LB_ADMIN, SK_LB_BE_UP, 0) == 0, "set again");
	rte_rcu_qsbr_quiescent(qs, 0);
	sk_lb_free(lb);
	rte_malloc_get_socket_stats(sock, &m1);
	SK_CHECK(m1.alloc_count == mb.alloc_count, "sk_lb_free frees everything, what is still "
		 "retired included (%u before build, %u after free)", mb.alloc_count, m1.alloc_count);
	rte_rcu_qsbr_thread_offline(qs, 0);
	rte_free(qs);
}

static void
test_carry(void)
{
	struct sk_lb *lb1 = mklb(
		"{ name = \"s\"; vip = \"203.0.113.80\"; proto = \"tcp\"; port = 80;\n"
		"  backends = ( { name = \"a\"; address = \"10.10.0.11\"; },\n"
		"               { name = \"b\"; address = \"10.10.0.12\"; },\n"
		"               { name = \"c\"; address = \"10.10.0.13\"; },\n"
		"               { name = \"d\"; address = \"10.10.0.14\"; },\n"
		"               { name = \"f\"; address = \"10.10.0.16\"; } ); },\n"
		"{ name = \"t\"; vip = \"203.0.113.81\"; proto = \"tcp\"; port = 80;\n"
		"  backends = ( { name = \"a\"; address = \"10.10.0.11\"; } ); }\n", 1, NULL, NULL);
	struct sk_shm_lb_backend st[8];
	struct sk_lb *lb2;

	if (lb1 == NULL)
		return;
	SK_CHECK(lbset(lb1, GEN, 0, 0, SK_SHM_LB_HEALTH, 0, 0) == 0 &&
		 lbset(lb1, GEN, 0, 1, SK_SHM_LB_ADMIN, SK_LB_BE_DRAIN, 0) == 0 &&
		 lbset(lb1, GEN, 0, 2, SK_SHM_LB_WEIGHT, 0, 5) == 0 &&
		 lbset(lb1, GEN, 0, 3, SK_SHM_LB_WEIGHT, 0, 7) == 0 &&
		 lbset(lb1, GEN, 0, 4, SK_SHM_LB_HEALTH, 0, 0) == 0 &&
		 lbset(lb1, GEN, 0, 4, SK_SHM_LB_ADMIN, SK_LB_BE_DISABLED, 0) == 0 &&
		 lbset(lb1, GEN, 1, 0, SK_SHM_LB_HEALTH, 0, 0) == 0, "runtime changes on gen 1");
	/* New image: backends reordered, b's state and d's weight configured
	 * differently, e new, f's configured state changed; t renamed u. */
	lb2 = mklb(
		"{ name = \"s\"; vip = \"203.0.113.80\"; proto = \"tcp\"; port = 80;\n"
		"  backends = ( { name = \"e\"; address = \"10.10.0.15\"; },\n"
		"               { name = \"d\"; address = \"10.10.0.14\"; weight = 3; },\n"
		"               { name = \"c\"; address = \"10.10.0.13\"; },\n"
		"               { name = \"b\"; address = \"10.10.0.12\"; state = \"disabled\"; },\n"
		"               { name = \"a\"; address = \"10.10.0.11\"; },\n"
		"               { name = \"f\"; address = \"10.10.0.16\"; state = \"drain\"; } ); },\n"
		"{ name = \"u\"; vip = \"203.0.113.81\"; proto = \"tcp\"; port = 80;\n"
		"  backends = ( { name = \"a\"; address = \"10.10.0.11\"; } ); }\n", 1, NULL, lb1);
	SK_CHECK(lb2 != NULL && sk_lb_status(lb2, st, 8) == 7, "rebuilt with prev");
	if (lb2 != NULL) {
		SK_CHECK(st[0].health == 1 && st[0].admin == SK_LB_BE_UP && st[0].weight == 1,
			 "new backend e: healthy, configured state");
		SK_CHECK(st[1].weight == 3 && st[1].health == 1, "d: configured weight changed "
			 "1 -> 3 beats the runtime 7 (got %u)", st[1].weight);
		SK_CHECK(st[2].weight == 5 && st[2].admin == SK_LB_BE_UP,
			 "c: unchanged config keeps runtime weight 5 (got %u)", st[2].weight);
		SK_CHECK(st[3].admin == SK_LB_BE_DISABLED, "b: configured state changed: disabled "
			 "beats the runtime drain (got %u)", st[3].admin);
		SK_CHECK(st[4].health == 0 && st[4].admin == SK_LB_BE_UP,
			 "a: health down carries over");
		SK_CHECK(st[5].health == 0 && st[5].admin == SK_LB_BE_DRAIN,
			 "f: health carries over; configured state changed: drain beats the "
			 "runtime disabled");
		SK_CHECK(st[6].health == 1, "renamed service: no carry-over");
		SK_CHECK(sk_lb_backend_alive(lb2, 3) == 0 && sk_lb_backend_alive(lb2, 4) == 1,
			 "alive follows the carried state");
	}
	/* Unchanged config keeps a runtime state; freeing the old lb first is fine. */
	sk_lb_free(lb1);
	if (lb2 != NULL) {
		struct sk_lb *lb3;

		(void)lbset(lb2, GEN, 0, 3, SK_SHM_LB_ADMIN, SK_LB_BE_UP, 0);
		lb3 = mklb(
		"{ name = \"s\"; vip = \"203.0.113.80\"; proto = \"tcp\"; port = 80;\n"
		"  backends = ( { name = \"b\"; address = \"10.10.0.12\"; state = \"disabled\"; } ); }\n",
		1, NULL, lb2);
		SK_CHECK(lb3 != NULL && sk_lb_status(lb3, st, 8) == 1 && st[0].admin == SK_LB_BE_UP,
			 "b: configured disabled both times: runtime up carries over");
		sk_lb_free(lb3);
	}
	sk_lb_free(lb2);
}

static void
test_status(void)
{
	struct sk_lb *lb = mklb(wlc_svcs, 2, NULL, NULL);
	struct sk_shm_lb_backend st[3];
	struct sk_lb_svc_stats ss;

	if (lb == NULL)
		return;
	sk_lb_conn_open(lb, 0, 1);
	sk_lb_conn_open(lb, 0, 1);
	sk_lb_conn_open(lb, 1, 1);
	sk_lb_conn_open(lb, 1, 2);
	sk_lb_count(lb, 0, 1, 0, 100);
	sk_lb_count(lb, 1, 1, 0, 50);
	sk_lb_count(lb, 1, 1, 1, 1500);
	sk_lb_conn_close(lb, 1, 1);
	sk_lb_conn_close(lb, 1, 1); /* opened on worker 0: row 1 goes negative */
	SK_CHECK(sk_lb_status(lb, st, 2) == 3 && st[1].active == 1 && st[1].conns == 3 &&
		 st[1].pkts[0] == 2 && st[1].pkts[1] == 1 && st[1].bytes[0] == 150 &&
		 st[1].bytes[1] == 1500 && st[0].active == 0 && st[0].conns == 0 &&
		 st[1].service == 0 && st[1].backend == 1 && st[1].weight == 1,
		 "status sums two worker rows (active %lu conns %lu)",
		 (unsigned long)st[1].active, (unsigned long)st[1].conns);
	sk_lb_svc_stats(lb, 0, &ss);
	SK_CHECK(ss.conns == 4 && ss.active == 2 && ss.no_backend == 0 && ss.over_limit == 0,
		 "service stats sum two rows (conns %lu active %lu)", (unsigned long)ss.conns,
		 (unsigned long)ss.active);
	sk_lb_free(lb);
}

int
main(int argc, char **argv)
{
	(void)argc;
	if (sk_test_eal_init(argv[0]) < 0) {
		printf("not ok 1 - EAL init\n");
		return 1;
	}
	test_match();
	test_empty();
	test_maglev_sh();
	test_wrr();
	test_wlc();
	test_persist();
	test_limits();
	test_set();
	test_set_rcu();
	test_carry();
	test_status();
	return SK_TEST_DONE();
}
