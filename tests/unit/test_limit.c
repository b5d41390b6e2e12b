/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_limit.c - the per-source limit table (limit/srclim.h) and the
 * connection table's half-open count and early eviction (conn.h).
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_tcp.h>

#include "conn/conn.h"
#include "limit/srclim.h"
#include "sk_drop.h"
#include "sk_test.h"
#include "sk_test_conn.h"
#include "sk_test_eal.h"

#define SYN RTE_TCP_SYN_FLAG
#define ACK RTE_TCP_ACK_FLAG

static void
ip4(uint8_t a[16], uint32_t v)
{
	memset(a, 0, 16);
	a[0] = (uint8_t)(v >> 24);
	a[1] = (uint8_t)(v >> 16);
	a[2] = (uint8_t)(v >> 8);
	a[3] = (uint8_t)v;
}

/* Token bucket: burst at once, then rate per second, refilled by time. */
static void
test_rate(void)
{
	struct sk_srclim *s = sk_srclim_create(1024, SOCKET_ID_ANY);
	struct sk_srclim_cfg cfg = { .rate = 10, .burst = 5 };
	uint8_t a[16], b[16];
	unsigned int ok = 0, limited = 0, i;

	SK_CHECK(s != NULL, "srclim of 1024 slots");
	if (s == NULL)
		return;
	ip4(a, 0xc6336401);
	ip4(b, 0xc6336402);
	for (i = 0; i < 20; i++) {
		enum sk_drop_reason r = sk_srclim_admit(s, 4, a, &cfg, 1000);

		ok += r == SK_DROP_NONE;
		limited += r == SK_DROP_SRC_RATE_LIMIT;
	}
	printf("# 20 at once: %u admitted, %u rate-limited\n", ok, limited);
	SK_CHECK(ok == 5 && limited == 15, "burst 5: 5 of 20 at once admitted, 15 src_rate_limit");
	SK_CHECK(sk_srclim_admit(s, 4, b, &cfg, 1000) == SK_DROP_NONE,
		 "another source has a bucket of its own");
	/* 10/s: 100 ms gives one token back, 50 ms none */
	SK_CHECK(sk_srclim_admit(s, 4, a, &cfg, 1050) == SK_DROP_SRC_RATE_LIMIT,
		 "50 ms later: still limited");
	SK_CHECK(sk_srclim_admit(s, 4, a, &cfg, 1100) == SK_DROP_NONE &&
		 sk_srclim_admit(s, 4, a, &cfg, 1100) == SK_DROP_SRC_RATE_LIMIT,
		 "100 ms later: exactly one more");
	/* a long pause refills to the depth, not beyond */
	for (ok = 0, i = 0; i < 20; i++)
		ok += sk_srclim_admit(s, 4, a, &cfg, 100000) == SK_DROP_NONE;
	SK_CHECK(ok == 5, "after 99 s idle: the bucket holds its depth (5), got %u", ok);
	/* a commit that lowers the rule's burst applies at once */
	cfg.burst = 2;
	for (ok = 0, i = 0; i < 20; i++)
		ok += sk_srclim_admit(s, 4, a, &cfg, 200000) == SK_DROP_NONE;
	SK_CHECK(ok == 2, "burst lowered to 2: 2 admitted (%u)", ok);
	/* no rate: never rate-limited */
	cfg.rate = 0;
	cfg.burst = 0;
	for (ok = 0, i = 0; i < 100; i++)
		ok += sk_srclim_admit(s, 4, a, &cfg, 200000) == SK_DROP_NONE;
	SK_CHECK(ok == 100, "rate 0: no limit");
	sk_srclim_free(s);
}

/* Concurrent cap: counted connections, given back, IPv6 apart from IPv4. */
static void
test_conns(void)
{
	struct sk_srclim *s = sk_srclim_create(64, SOCKET_ID_ANY);
	struct sk_srclim_cfg cfg = { .conn_max = 3 };
	uint8_t a[16], a6[16];
	unsigned int i;

	SK_CHECK(s != NULL, "srclim of 64 slots");
	if (s == NULL)
		return;
	ip4(a, 0x0a000005);
	memcpy(a6, a, 16);   /* the same 16 bytes as an IPv6 address is another source */
	for (i = 0; i < 3; i++) {
		SK_CHECK(sk_srclim_admit(s, 4, a, &cfg, 10) == SK_DROP_NONE, "conn %u admitted", i);
		SK_CHECK(sk_srclim_conn_add(s, 4, a, 10) == 0, "conn %u counted", i);
	}
	SK_CHECK(sk_srclim_conns(s, 4, a) == 3, "3 counted");
	SK_CHECK(sk_srclim_admit(s, 4, a, &cfg, 10) == SK_DROP_SRC_CONN_LIMIT,
		 "4th: src_conn_limit");
	SK_CHECK(sk_srclim_admit(s, 6, a6, &cfg, 10) == SK_DROP_NONE,
		 "an IPv6 source with the same bytes is not limited");
	sk_srclim_conn_del(s, 4, a);
	SK_CHECK(sk_srclim_conns(s, 4, a) == 2 &&
		 sk_srclim_admit(s, 4, a, &cfg, 10) == SK_DROP_NONE,
		 "one released: admitted again");
	sk_srclim_conn_del(s, 4, a);
	sk_srclim_conn_del(s, 4, a);
	sk_srclim_conn_del(s, 4, a);   /* one too many: stays 0 */
	SK_CHECK(sk_srclim_conns(s, 4, a) == 0, "count back to 0, never below");
	sk_srclim_free(s);
}

/*
 * Recycling: a table of 4 slots is one bucket.  Sources that hold
 * connections keep their slot; an idle one is recycled (oldest first); with
 * every way holding connections a new source is untracked, not refused.
 */
static void
test_recycle(void)
{
	struct sk_srclim *s = sk_srclim_create(4, SOCKET_ID_ANY);
	struct sk_srclim_cfg cfg = { .rate = 1, .burst = 1, .conn_max = 100 };
	uint8_t a[16];
	unsigned int i;

	SK_CHECK(s != NULL, "srclim of one bucket");
	if (s == NULL)
		return;
	for (i = 0; i < 3; i++) {   /* three sources hold a connection each */
		ip4(a, 0x0a000100 + i);
		SK_CHECK(sk_srclim_admit(s, 4, a, &cfg, 100 + i) == SK_DROP_NONE &&
			 sk_srclim_conn_add(s, 4, a, 100 + i) == 0, "holder %u", i);
	}
	ip4(a, 0x0a000200);         /* the fourth only opened one: idle since 200 */
	SK_CHECK(sk_srclim_admit(s, 4, a, &cfg, 200) == SK_DROP_NONE, "idle source admitted");
	SK_CHECK(sk_srclim_admit(s, 4, a, &cfg, 201) == SK_DROP_SRC_RATE_LIMIT,
		 "and limited right after");
	ip4(a, 0x0a000300);         /* a fifth takes the idle one's slot */
	SK_CHECK(sk_srclim_admit(s, 4, a, &cfg, 300) == SK_DROP_NONE && s->st.recycled == 1,
		 "fifth source recycles the idle slot (recycled %lu)",
		 (unsigned long)s->st.recycled);
	SK_CHECK(sk_srclim_conn_add(s, 4, a, 300) == 0, "fifth holds a connection");
	for (i = 0; i < 3; i++) {
		ip4(a, 0x0a000100 + i);
		SK_CHECK(sk_srclim_conns(s, 4, a) == 1, "holder %u kept its count", i);
	}
	ip4(a, 0x0a000400);         /* every way holds connections now */
	SK_CHECK(sk_srclim_admit(s, 4, a, &cfg, 400) == SK_DROP_NONE &&
		 sk_srclim_admit(s, 4, a, &cfg, 400) == SK_DROP_NONE && s->st.untracked == 2,
		 "no slot: let through and counted untracked (%lu)",
		 (unsigned long)s->st.untracked);
	SK_CHECK(sk_srclim_conn_add(s, 4, a, 400) == -ENOSPC, "and cannot be counted");
	sk_srclim_free(s);
}

/* Half-open count follows the TCP states; early eviction sheds the oldest. */
static void
test_halfopen(void)
{
	struct sk_conn_table *t = sk_conn_table_create("t_limit_ho", 1024, SOCKET_ID_ANY);
	struct sk_conn_stats st;
	struct sk_pkt_meta m[1024];
	unsigned int i, created = 0, first_gone = 0, est_kept = 0, bad = 0;

	SK_CHECK(t != NULL, "table of 1024");
	if (t == NULL)
		return;
	/* 100 established connections first: they must all survive the flood */
	for (i = 0; i < 100; i++) {
		struct sk_pkt_meta r;
		struct sk_conn *c;

		m[i] = mk4(0x0a000001 + i, 0x0a0000fe, 40000, 80, IPPROTO_TCP, SYN);
		c = open_conn(t, &m[i], 0);
		r = rev(&m[i], SYN | ACK);
		struct sk_pkt_meta a = m[i];

		a.tcp_flags = ACK;
		if (c != NULL) {
			bad += sk_conn_update(t, c, &r, SK_DIR_REPLY, 60, 1) != SK_DROP_NONE;
			bad += sk_conn_update(t, c, &a, SK_DIR_ORIG, 60, 2) != SK_DROP_NONE;
		}
	}
	SK_CHECK(bad == 0, "handshakes completed");
	SK_CHECK(sk_conn_count(t) == 100 && sk_conn_halfopen(t) == 0,
		 "100 established, 0 half-open (%u)", sk_conn_halfopen(t));
	/* without a mark the table fills with half-open ones and refuses */
	for (i = 100; i < 1024; i++) {
		m[i] = mk4(0xc0000000 + i, 0x0a0000fe, 1000, 80, IPPROTO_TCP, SYN);
		created += open_conn(t, &m[i], 10 + i) != NULL;
	}
	SK_CHECK(created == 924 && sk_conn_halfopen(t) == 924, "no mark: table full, 924 half-open");
	{
		struct sk_pkt_meta x = mk4(0xc1000001, 0x0a0000fe, 1000, 80, IPPROTO_TCP, SYN);

		SK_CHECK(open_conn(t, &x, 5000) == NULL && rte_errno == ENOSPC,
			 "no mark: a new SYN is refused");
		sk_conn_set_halfopen_evict(t, SK_CONN_HALFOPEN_HIGH(1024u));
		SK_CHECK(open_conn(t, &x, 5000) != NULL, "mark set: the new SYN gets in");
	}
	sk_conn_stats_get(t, &st);
	printf("# after one create at the mark: %u slots, %lu evicted, %u half-open\n",
	       sk_conn_slots_used(t), (unsigned long)st.evicted, sk_conn_halfopen(t));
	SK_CHECK(st.evicted >= 1 && sk_conn_slots_used(t) <= 1024, "evicted %lu",
		 (unsigned long)st.evicted);
	/* the evicted ones are the oldest half-open: the flood's first */
	first_gone = find(t, &m[100], NULL) == NULL && find(t, &m[101], NULL) == NULL;
	SK_CHECK(first_gone && find(t, &m[1023], NULL) != NULL,
		 "the oldest half-open went, the newest stayed");
	/* a long flood: the table stays below full, established untouched */
	for (i = 0; i < 5000; i++) {
		struct sk_pkt_meta x = mk4(0xc2000000 + i, 0x0a0000fe, 1000, 80, IPPROTO_TCP, SYN);

		if (open_conn(t, &x, 6000 + i) == NULL)
			break;
	}
	SK_CHECK(i == 5000, "5000 more SYNs all got a slot (%u)", i);
	for (i = 0; i < 100; i++)
		est_kept += find(t, &m[i], NULL) != NULL;
	sk_conn_stats_get(t, &st);
	printf("# flood of 5000: %u slots used, %u half-open, %lu evicted, %u established kept\n",
	       sk_conn_slots_used(t), sk_conn_halfopen(t), (unsigned long)st.evicted, est_kept);
	SK_CHECK(est_kept == 100, "all 100 established connections kept");
	SK_CHECK(sk_conn_slots_used(t) <= SK_CONN_HALFOPEN_HIGH(1024u) + 1,
		 "table held near its mark (%u)", sk_conn_slots_used(t));
	SK_CHECK(sk_conn_halfopen(t) + 100 == sk_conn_count(t),
		 "half-open count exact: %u + 100 = %u", sk_conn_halfopen(t), sk_conn_count(t));
	/* expiry takes the count down to 0 */
	(void)sk_conn_age(t, 6000 + 5000 + 31000, 2048);
	SK_CHECK(sk_conn_halfopen(t) == 0, "after the tcp_syn timeout: 0 half-open (%u)",
		 sk_conn_halfopen(t));
	sk_conn_table_free(t);
}

/* The release hook runs for a plain connection only when it is counted. */
struct rel { unsigned int plain, nat; };

static void
rel_cb(void *arg, const struct sk_conn *p, const struct sk_conn *a)
{
	struct rel *r = arg;

	(void)p;
	if (a == NULL)
		r->plain++;
	else
		r->nat++;
}

static void
test_release_counted(void)
{
	struct sk_conn_table *t = sk_conn_table_create("t_limit_rel", 1024, SOCKET_ID_ANY);
	struct sk_pkt_meta m1 = mk4(0x0a000001, 0x0a0000fe, 1, 80, IPPROTO_TCP, SYN);
	struct sk_pkt_meta m2 = mk4(0x0a000002, 0x0a0000fe, 1, 80, IPPROTO_TCP, SYN);
	struct rel r = { 0, 0 };
	struct sk_conn *c1, *c2;

	SK_CHECK(t != NULL, "table");
	if (t == NULL)
		return;
	sk_conn_set_release(t, rel_cb, &r);
	c1 = open_conn(t, &m1, 0);
	c2 = open_conn(t, &m2, 0);
	SK_CHECK(c1 != NULL && c2 != NULL, "two plain connections");
	if (c1 == NULL || c2 == NULL)
		goto out;
	c1->flags |= SK_CONN_F_COUNTED;
	sk_conn_delete(t, c2);
	SK_CHECK(r.plain == 0, "uncounted plain delete: no release call");
	(void)sk_conn_age(t, 60000, 2048);
	SK_CHECK(r.plain == 1 && r.nat == 0, "counted plain expiry: one release, alias NULL");
out:
	sk_conn_table_free(t);
}

int
main(int argc, char **argv)
{
	(void)argc;
	if (sk_test_eal_init(argv[0]) < 0) {
		printf("not ok 1 - EAL init failed\n");
		return 1;
	}
	test_rate();
	test_conns();
	test_recycle();
	test_halfopen();
	test_release_counted();
	return SK_TEST_DONE();
}
