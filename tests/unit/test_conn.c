/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_conn.c - the per-worker connection table: keys, create/lookup from
 * both directions (IPv4/IPv6), bulk lookup, delete, idle expiry with a fake
 * wrapping clock, the aging budget, a full table, slot reuse, walk, the TCP
 * glue in sk_conn_update, and create/lookup/delete churn.
 */
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "conn/conn.h"
#include "sk_drop.h"
#include "sk_test.h"
#include "sk_test_conn.h"
#include "sk_test_eal.h"

#define SYN RTE_TCP_SYN_FLAG
#define ACK RTE_TCP_ACK_FLAG
#define FIN RTE_TCP_FIN_FLAG
#define RST RTE_TCP_RST_FLAG

static void
test_create_args(void)
{
	struct sk_conn_table *t;

	rte_errno = 0;
	t = sk_conn_table_create("c_zero", 0, SOCKET_ID_ANY);
	SK_CHECK(t == NULL && rte_errno == EINVAL, "max 0 refused with EINVAL");
	rte_errno = 0;
	t = sk_conn_table_create("a_name_far_too_long_for_rte", 16, SOCKET_ID_ANY);
	SK_CHECK(t == NULL && rte_errno == EINVAL, "overlong name refused with EINVAL");
	t = sk_conn_table_create("c_small", 3, SOCKET_ID_ANY);
	SK_CHECK(t != NULL && sk_conn_capacity(t) == 3 && sk_conn_count(t) == 0,
		 "tiny table (3) created, empty");
	sk_conn_table_free(t);
	sk_conn_table_free(NULL);
	SK_CHECK(1, "free(NULL) is a no-op");
}

static void
test_keys(void)
{
	struct sk_pkt_meta m = mk4(0x0a000002, 0x0a000001, 40000, 80, IPPROTO_TCP, SYN);
	struct sk_pkt_meta r = rev(&m, SYN | ACK);
	struct sk_conn_key k1, k2;
	uint8_t s1, s2;

	memset(&k1, 0xff, sizeof(k1));
	memset(&k2, 0xaa, sizeof(k2));
	sk_conn_key_from_meta(&m, &k1, &s1);
	sk_conn_key_from_meta(&r, &k2, &s2);
	SK_CHECK(sizeof(struct sk_conn_key) == 40, "key is 40 bytes");
	SK_CHECK(memcmp(&k1, &k2, sizeof(k1)) == 0, "both directions give the same key bytes");
	SK_CHECK(s1 == 0 && s2 == 1, "src_is_a: higher source is b, its reply is a");
	SK_CHECK(k1.pad == 0 && k1.pa == 80 && k1.pb == 40000 && k1.a[3] == 1 && k1.b[3] == 2,
		 "endpoint a is the lower address with its port");

	/* same address both ends: the port decides */
	m = mk4(0x0a000001, 0x0a000001, 5000, 53, IPPROTO_UDP, 0);
	sk_conn_key_from_meta(&m, &k1, &s1);
	SK_CHECK(s1 == 0 && k1.pa == 53, "equal addresses: lower port is endpoint a");

	/* IPv4 10.0.0.1 and IPv6 0a00:0001:: must not share a key */
	m = mk4(0x0a000001, 0x0a000002, 1, 2, IPPROTO_UDP, 0);
	r = m;
	r.family = 6;
	sk_conn_key_from_meta(&m, &k1, &s1);
	sk_conn_key_from_meta(&r, &k2, &s2);
	SK_CHECK(memcmp(&k1, &k2, sizeof(k1)) != 0, "family is part of the key");

	/*
	 * Endpoint order is byte order of the 16-byte addresses (memcmp), for
	 * addresses that differ in any single byte, high or low word, either way.
	 */
	{
		uint32_t x = 777, bad = 0;

		for (int i = 0; i < 20000; i++) {
			int cmp;

			m = mk6(0, 0, (uint16_t)i, 443, IPPROTO_TCP, SYN);
			for (int b = 0; b < 16; b++) {
				x = x * 1103515245u + 12345u;
				m.src[b] = m.dst[b] = (uint8_t)(x >> 16);
			}
			x = x * 1103515245u + 12345u;
			m.dst[(x >> 8) % 16] ^= (uint8_t)(1u << ((x >> 4) % 8));
			if (i % 7 == 0)
				memcpy(m.dst, m.src, sizeof(m.dst));   /* ports decide */
			cmp = memcmp(m.src, m.dst, sizeof(m.src));
			sk_conn_key_from_meta(&m, &k1, &s1);
			if (s1 != (cmp < 0 || (cmp == 0 && m.sport <= m.dport)) ||
			    memcmp(k1.a, s1 ? m.src : m.dst, sizeof(k1.a)) != 0)
				bad++;
		}
		SK_CHECK(bad == 0, "20000 random address pairs ordered as memcmp orders them (%u off)",
			 bad);
	}
}

static void
test_basic(void)
{
	struct sk_conn_table *t = sk_conn_table_create("c_basic", 1024, SOCKET_ID_ANY);
	struct sk_pkt_meta m4 = mk4(0xc0a80a05, 0x0a000001, 51000, 443, IPPROTO_TCP, SYN);
	struct sk_pkt_meta m6 = mk6(0x10, 0x20, 33000, 53, IPPROTO_UDP, 0);
	struct sk_pkt_meta r4 = rev(&m4, SYN | ACK), r6 = rev(&m6, 0);
	struct sk_conn *c4, *c6, *f;
	enum sk_conn_dir d = SK_DIR_REPLY;
	int rc;

	SK_CHECK(t != NULL, "table created");
	if (t == NULL)
		return;
	m4.in_iface = 2;
	m4.out_iface = 5;
	c4 = open_conn(t, &m4, 1000);
	SK_CHECK(c4 != NULL && sk_conn_count(t) == 1, "IPv4 TCP connection created");
	if (c4 == NULL)
		goto out;
	SK_CHECK(c4->state == SK_TCP_SYN_SENT && c4->rule_id == 7 && c4->gen == 3 &&
		 c4->in_iface == 2 && c4->out_iface == 5 && c4->last_ms == 1000,
		 "fields set: syn_sent, rule, gen, interfaces, clock");
	SK_CHECK(c4->pkts[SK_DIR_ORIG] == 1 && c4->bytes[SK_DIR_ORIG] == 74 &&
		 c4->pkts[SK_DIR_REPLY] == 0, "creating packet counted (l2 + ip length)");
	SK_CHECK(sk_conn_timeout_ms(t, c4) == 30 * 1000, "default tcp_syn timeout applied");

	rte_errno = 0;
	f = open_conn(t, &m4, 1000);
	SK_CHECK(f == NULL && rte_errno == EEXIST && sk_conn_count(t) == 1,
		 "second create of the same flow: EEXIST");
	rte_errno = 0;
	f = open_conn(t, &r4, 1000);
	SK_CHECK(f == NULL && rte_errno == EEXIST, "create from the reply direction: EEXIST");

	f = find(t, &m4, &d);
	SK_CHECK(f == c4 && d == SK_DIR_ORIG, "IPv4: originator direction found as ORIG");
	f = find(t, &r4, &d);
	SK_CHECK(f == c4 && d == SK_DIR_REPLY, "IPv4: reply direction found as REPLY");

	c6 = open_conn(t, &m6, 2000);
	SK_CHECK(c6 != NULL && c6 != c4 && sk_conn_count(t) == 2, "IPv6 UDP connection created");
	if (c6 == NULL)
		goto out;
	SK_CHECK(c6->state == 0 && sk_conn_timeout_ms(t, c6) == 30 * 1000, "UDP one-way, udp timeout");
	f = find(t, &m6, &d);
	SK_CHECK(f == c6 && d == SK_DIR_ORIG, "IPv6: originator direction found as ORIG");
	f = find(t, &r6, &d);
	SK_CHECK(f == c6 && d == SK_DIR_REPLY, "IPv6: reply direction found as REPLY");
	{
		struct sk_conn_key k;
		uint8_t sa;
		sk_conn_key_from_meta(&r6, &k, &sa);
		SK_CHECK(sk_conn_lookup(t, &k) == c6, "single lookup finds it too");
	}

	SK_CHECK(sk_conn_update(t, c6, &r6, SK_DIR_REPLY, 120, 2500) == 0 &&
		 c6->state == 1 && sk_conn_timeout_ms(t, c6) == 120 * 1000 &&
		 c6->pkts[SK_DIR_REPLY] == 1 && c6->bytes[SK_DIR_REPLY] == 120 && c6->last_ms == 2500,
		 "UDP reply: both ways, udp_stream timeout, counted, refreshed");

	/* Counters are 64-bit: one direction past 2^32 packets keeps counting
	 * (32-bit pkts wrapped to 0 here). */
	c6->pkts[SK_DIR_ORIG] = UINT32_MAX;
	c6->bytes[SK_DIR_ORIG] = (uint64_t)UINT32_MAX * 1500;
	rc = sk_conn_update(t, c6, &m6, SK_DIR_ORIG, 100, 2600);
	SK_CHECK(rc == 0 && c6->pkts[SK_DIR_ORIG] == (uint64_t)UINT32_MAX + 1 &&
		 c6->bytes[SK_DIR_ORIG] == (uint64_t)UINT32_MAX * 1500 + 100,
		 "packet counter past 2^32: %" PRIu64 " packets, %" PRIu64 " bytes",
		 (uint64_t)c6->pkts[SK_DIR_ORIG], (uint64_t)c6->bytes[SK_DIR_ORIG]);

	/* a port differs: miss */
	m4.sport++;
	SK_CHECK(find(t, &m4, NULL) == NULL, "different source port misses");
	m4.sport--;
	m4.proto = IPPROTO_UDP;
	SK_CHECK(find(t, &m4, NULL) == NULL, "different protocol misses");
	m4.proto = IPPROTO_TCP;

	sk_conn_delete(t, c4);
	SK_CHECK(sk_conn_count(t) == 1 && find(t, &m4, NULL) == NULL && find(t, &r4, NULL) == NULL,
		 "deleted: gone from both directions");
	SK_CHECK(find(t, &m6, NULL) == c6, "other connection untouched by the delete");
	{
		struct sk_conn_stats st;
		sk_conn_stats_get(t, &st);
		SK_CHECK(st.created == 2 && st.deleted == 1 && st.active == 1 && st.refused == 0,
			 "stats: created 2, deleted 1, active 1");
	}
out:
	sk_conn_table_free(t);
}

static void
test_bulk(void)
{
	struct sk_conn_table *t = sk_conn_table_create("c_bulk", 256, SOCKET_ID_ANY);
	struct sk_conn_key keys[100];
	struct sk_conn *out[100], *made[100];
	int bad = 0, hits = 0;

	SK_CHECK(t != NULL, "bulk table created");
	if (t == NULL)
		return;
	/* Even i: a flow that exists (v4 or v6, either direction); odd i: a miss. */
	for (int i = 0; i < 100; i++) {
		struct sk_pkt_meta m = (i % 4 < 2) ?
			mk4(0x0a000000 + (uint32_t)i, 0x0b000001, (uint16_t)(1000 + i), 80, IPPROTO_TCP, SYN) :
			mk6((uint16_t)i, 0x99, (uint16_t)(2000 + i), 53, IPPROTO_UDP, 0);
		uint8_t sa;

		made[i] = NULL;
		if (i % 2 == 0) {
			made[i] = open_conn(t, &m, 0);
			if (made[i] == NULL)
				bad++;
			if (i % 8 == 0)
				m = rev(&m, ACK);   /* look up some from the reply side */
		}
		sk_conn_key_from_meta(&m, &keys[i], &sa);
	}
	SK_CHECK(bad == 0 && sk_conn_count(t) == 50, "50 flows created for the burst");

	sk_conn_lookup_burst(t, keys, 64, out);
	for (int i = 0; i < 64; i++) {
		if (out[i] != made[i])
			bad++;
		hits += out[i] != NULL;
	}
	SK_CHECK(bad == 0 && hits == 32, "burst of 64: 32 hits on the right connections, 32 misses");

	bad = hits = 0;
	memset(out, 0xee, sizeof(out));
	sk_conn_lookup_burst(t, keys, 100, out);
	for (int i = 0; i < 100; i++) {
		if (out[i] != made[i])
			bad++;
		hits += out[i] != NULL;
	}
	SK_CHECK(bad == 0 && hits == 50, "burst of 100 (chunked): 50 hits, 50 misses");

	sk_conn_lookup_burst(t, keys + 1, 1, out);
	SK_CHECK(out[0] == NULL, "burst of one miss");
	sk_conn_table_free(t);
}

/* Expiry per protocol and state, with the clock wrapping during the test. */
static void
test_expiry(void)
{
	static const uint32_t tmo[SK_TMO__MAX] = {
		[SK_TMO_TCP_SYN] = 2, [SK_TMO_TCP_ESTABLISHED] = 9, [SK_TMO_TCP_FIN] = 3,
		[SK_TMO_TCP_CLOSED] = 1, [SK_TMO_UDP] = 4, [SK_TMO_UDP_STREAM] = 6,
		[SK_TMO_ICMP] = 5, [SK_TMO_OTHER] = 8,
	};
	struct sk_conn_table *t = sk_conn_table_create("c_age", 64, SOCKET_ID_ANY);
	const uint32_t t0 = UINT32_MAX - 1500;   /* wraps 1.5 s in */
	struct {
		struct sk_pkt_meta m;
		uint8_t reply_flags;  /* != 0 or udp: send a reply too */
		int reply;
		uint32_t expect_s;
		const char *what;
		struct sk_conn *c;
	} f[] = {
		{ mk4(0x0a000001, 0x0a000002, 1, 80, IPPROTO_TCP, SYN), 0, 0, 2, "tcp syn_sent", NULL },
		{ mk4(0x0a000001, 0x0a000002, 2, 80, IPPROTO_TCP, ACK), 0, 0, 9, "tcp established (loose)", NULL },
		{ mk4(0x0a000001, 0x0a000002, 3, 80, IPPROTO_TCP, ACK), FIN | ACK, 1, 3, "tcp close_wait", NULL },
		{ mk4(0x0a000001, 0x0a000002, 4, 80, IPPROTO_TCP, SYN), RST | ACK, 1, 1, "tcp closed by RST", NULL },
		{ mk4(0x0a000001, 0x0a000002, 5, 53, IPPROTO_UDP, 0), 0, 0, 4, "udp one-way", NULL },
		{ mk6(1, 2, 6, 53, IPPROTO_UDP, 0), 0, 1, 6, "udp both ways (v6)", NULL },
		{ mk4(0x0a000001, 0x0a000002, 77, 77, IPPROTO_ICMP, 0), 0, 1, 5, "icmp echo", NULL },
		{ mk6(1, 2, 78, 78, IPPROTO_ICMPV6, 0), 0, 0, 5, "icmpv6 echo", NULL },
		{ mk4(0x0a000001, 0x0a000002, 0, 0, IPPROTO_GRE, 0), 0, 0, 8, "other (gre)", NULL },
	};
	const int n = (int)RTE_DIM(f);
	int bad = 0;

	SK_CHECK(t != NULL, "aging table created");
	if (t == NULL)
		return;
	sk_conn_set_timeouts(t, tmo);
	for (int i = 0; i < n; i++) {
		f[i].c = open_conn(t, &f[i].m, t0 - 100);
		if (f[i].c == NULL) {
			bad++;
			continue;
		}
		if (f[i].reply) {
			struct sk_pkt_meta r = rev(&f[i].m, f[i].reply_flags);
			if (sk_conn_update(t, f[i].c, &r, SK_DIR_REPLY, 60, t0) != 0)
				bad++;
		} else {
			/* refresh from the originator at t0 as well */
			if (sk_conn_update(t, f[i].c, &f[i].m, SK_DIR_ORIG, 60, t0) != 0)
				bad++;
		}
	}
	SK_CHECK(bad == 0 && sk_conn_count(t) == (uint32_t)n, "%d flows set up", n);

	/*
	 * Step the clock across the wrap; a flow must be alive at exactly its
	 * timeout and gone 1 ms later.  Age the whole table each step.
	 */
	for (uint32_t s = 1; s <= 10; s++) {
		uint32_t at = t0 + s * 1000;
		sk_conn_age(t, at, 64);
		for (int i = 0; i < n; i++) {
			int alive = find(t, &f[i].m, NULL) != NULL;
			if (alive != (s <= f[i].expect_s)) {
				printf("# %s: alive=%d at %u s\n", f[i].what, alive, s);
				bad++;
			}
		}
		sk_conn_age(t, at + 1, 64);
		for (int i = 0; i < n; i++) {
			int alive = find(t, &f[i].m, NULL) != NULL;
			if (alive != (s < f[i].expect_s)) {
				printf("# %s: alive=%d at %u s + 1 ms\n", f[i].what, alive, s);
				bad++;
			}
		}
	}
	SK_CHECK(bad == 0, "each flow lives exactly its protocol/state timeout across the clock wrap");
	SK_CHECK(sk_conn_count(t) == 0, "all expired after 10 s");
	{
		struct sk_conn_stats st;
		sk_conn_stats_get(t, &st);
		SK_CHECK(st.expired == (uint64_t)n && st.created == (uint64_t)n,
			 "expired counter = %d", n);
	}

	/* A flow refreshed just after the wrap is not mistaken for an old one. */
	{
		struct sk_pkt_meta m = mk4(0x0a000009, 0x0a000002, 9, 53, IPPROTO_UDP, 0);
		struct sk_conn *c = open_conn(t, &m, UINT32_MAX - 10);
		sk_conn_age(t, 5, 64);     /* 16 ms later, clock wrapped */
		SK_CHECK(c != NULL && find(t, &m, NULL) == c, "16 ms idle across the wrap: kept");
		sk_conn_age(t, 3990, 64);  /* 4001 ms idle */
		SK_CHECK(find(t, &m, NULL) == NULL, "4001 ms idle across the wrap: expired (udp 4 s)");
	}
	sk_conn_table_free(t);
}

/* sk_conn_age inspects only `budget` slots per call, continuing where it stopped. */
static void
test_budget(void)
{
	struct sk_conn_table *t = sk_conn_table_create("c_budget", 1000, SOCKET_ID_ANY);
	int bad = 0;
	uint32_t e, total = 0;

	SK_CHECK(t != NULL, "budget table created");
	if (t == NULL)
		return;
	for (uint32_t i = 0; i < 100; i++) {
		struct sk_pkt_meta m = mk4(0x0a000000 + i, 0x0b000000, 1000, 80, IPPROTO_UDP, 0);
		if (open_conn(t, &m, 0) == NULL)
			bad++;
	}
	SK_CHECK(bad == 0, "100 flows in a 1000-slot table");
	SK_CHECK(sk_conn_age(t, 1000000, 0) == 0 && sk_conn_count(t) == 100,
		 "budget 0 expires nothing");
	e = sk_conn_age(t, 1000000, 30);
	SK_CHECK(e == 30 && sk_conn_count(t) == 70, "budget 30 over 100 stale slots: exactly 30 expire");
	e = sk_conn_age(t, 1000000, 30);
	SK_CHECK(e == 30 && sk_conn_count(t) == 40, "next call continues: 30 more");
	e = sk_conn_age(t, 1000000, 50);
	SK_CHECK(e == 40 && sk_conn_count(t) == 0, "budget 50 reaches the last 40 and empty slots");
	/*
	 * The cursor is now at slot 110; one lap is 1000 slots.  Which slots
	 * the next 100 connections get is rte_hash's choice (the slot is the
	 * key's rte_hash position), so check what holds for any placement:
	 * a call never expires more than its budget, and one lap split over
	 * several calls expires every stale connection exactly once.
	 */
	for (uint32_t i = 0; i < 100; i++) {
		struct sk_pkt_meta m = mk4(0x0c000000 + i, 0x0b000000, 1000, 80, IPPROTO_UDP, 0);
		if (open_conn(t, &m, 0) == NULL)
			bad++;
	}
	e = sk_conn_age(t, 1000000, 7);
	total += e;
	SK_CHECK(e <= 7 && sk_conn_count(t) == 100 - total, "budget 7: at most 7 expire (%u)", e);
	e = sk_conn_age(t, 1000000, 882);
	total += e;
	e = sk_conn_age(t, 1000000, 111);
	total += e;
	SK_CHECK(total == 100 && sk_conn_count(t) == 0, "one lap in three calls (7+882+111): all 100");
	for (uint32_t i = 0; i < 100; i++) {
		struct sk_pkt_meta m = mk4(0x0d000000 + i, 0x0b000000, 1000, 80, IPPROTO_UDP, 0);
		if (open_conn(t, &m, 0) == NULL)
			bad++;
	}
	e = sk_conn_age(t, 1000000, 999);
	e += sk_conn_age(t, 1000000, 1);
	SK_CHECK(e == 100 && sk_conn_count(t) == 0, "one lap as 999 + 1 slots: all 100");
	for (uint32_t i = 0; i < 100; i++) {
		struct sk_pkt_meta m = mk4(0x0e000000 + i, 0x0b000000, 1000, 80, IPPROTO_UDP, 0);
		if (open_conn(t, &m, 0) == NULL)
			bad++;
	}
	SK_CHECK(sk_conn_age(t, 1000000, 5000) == 100 && sk_conn_count(t) == 0 && bad == 0,
		 "a budget above capacity is one lap");
	sk_conn_table_free(t);
}

static int
count_cb(const struct sk_conn *c, void *arg)
{
	uint64_t *sum = arg;

	sum[0]++;
	sum[1] += c->pkts[SK_DIR_ORIG] + c->pkts[SK_DIR_REPLY];
	return 0;
}

static int
stop_cb(const struct sk_conn *c, void *arg)
{
	int *n = arg;

	(void)c;
	return ++*n == 3 ? 42 : 0;
}

struct key_walk {
	struct sk_conn_table *t;
	uint32_t seen, bad;
};

/* Every live connection's key reads back, and finds that same connection. */
static int
key_cb(const struct sk_conn *c, void *arg)
{
	struct key_walk *kw = arg;
	struct sk_conn_key k;

	kw->seen++;
	if (sk_conn_key_get(kw->t, c, &k) != 0 || sk_conn_lookup(kw->t, &k) != c ||
	    k.proto != c->proto || k.pad != 0)
		kw->bad++;
	return 0;
}

/* sk_conn_key_get: the key of a connection from its pointer and table alone. */
static void
test_key_get(void)
{
	struct sk_conn_table *t = sk_conn_table_create("c_key", 128, SOCKET_ID_ANY);
	struct key_walk kw = { .t = t };
	struct sk_pkt_meta m6 = mk6(5, 3, 4000, 53, IPPROTO_UDP, 0);
	struct sk_conn_key want, got;
	struct sk_conn *c = NULL;
	uint8_t sa;
	int bad = 0;

	SK_CHECK(t != NULL, "key table created");
	if (t == NULL)
		return;
	for (uint32_t i = 0; i < 100; i++) {
		struct sk_pkt_meta m = mk4(0x0a000000 + i * 7, 0x09000001, (uint16_t)(5000 - i), 443,
					   IPPROTO_TCP, SYN);
		if (open_conn(t, &m, 0) == NULL)
			bad++;
	}
	c = open_conn(t, &m6, 0);
	sk_conn_key_from_meta(&m6, &want, &sa);
	SK_CHECK(bad == 0 && c != NULL && sk_conn_key_get(t, c, &got) == 0 &&
		 memcmp(&got, &want, sizeof(got)) == 0, "IPv6 key reads back byte for byte");
	SK_CHECK(sk_conn_walk(t, key_cb, &kw) == 0 && kw.seen == 101 && kw.bad == 0,
		 "walk: all 101 keys read back and find their connection (%u bad)", kw.bad);
	sk_conn_delete(t, c);
	SK_CHECK(sk_conn_key_get(t, c, &got) == -ENOENT && sk_conn_lookup(t, &want) == NULL,
		 "deleted connection: no key, not found");
	sk_conn_table_free(t);
}

/* Full table refuses with ENOSPC; after expiry the slots are reused; walk sees all. */
static void
test_full_reuse_walk(void)
{
	struct sk_conn_table *t = sk_conn_table_create("c_full", 64, SOCKET_ID_ANY);
	struct sk_conn *first[64];
	struct sk_pkt_meta m;
	struct sk_conn_stats st;
	uint64_t sum[2] = { 0, 0 };
	int bad = 0, same = 1, n = 0;

	SK_CHECK(t != NULL, "64-slot table created");
	if (t == NULL)
		return;
	for (uint32_t i = 0; i < 64; i++) {
		m = mk4(0x0a000000 + i, 0x0b000000, 1000, 80, IPPROTO_TCP, SYN);
		first[i] = open_conn(t, &m, 0);
		if (first[i] == NULL)
			bad++;
	}
	SK_CHECK(bad == 0 && sk_conn_count(t) == 64, "filled to capacity");

	m = mk4(0x0a0000ff, 0x0b000000, 1000, 80, IPPROTO_TCP, SYN);
	rte_errno = 0;
	SK_CHECK(open_conn(t, &m, 0) == NULL && rte_errno == ENOSPC, "65th: NULL, ENOSPC");
	rte_errno = 0;
	SK_CHECK(open_conn(t, &m, 0) == NULL && rte_errno == ENOSPC, "66th: NULL, ENOSPC");
	sk_conn_stats_get(t, &st);
	SK_CHECK(st.refused == 2 && st.active == 64 && st.created == 64, "refused counter = 2");

	SK_CHECK(sk_conn_walk(t, count_cb, sum) == 0 && sum[0] == 64 && sum[1] == 64,
		 "walk visits 64 connections, 64 packets");
	SK_CHECK(sk_conn_walk(t, stop_cb, &n) == 42 && n == 3, "walk stops when cb returns non-zero");

	SK_CHECK(sk_conn_age(t, 31000, 64) == 64 && sk_conn_count(t) == 0,
		 "all 64 syn_sent expire after 31 s");
	for (uint32_t i = 0; i < 64; i++) {
		struct sk_conn *c;
		m = mk4(0x0c000000 + i, 0x0b000000, 2000, 443, IPPROTO_TCP, SYN);
		c = open_conn(t, &m, 40000);
		if (c == NULL) {
			bad++;
			continue;
		}
		/* every new connection must land in one of the freed slots */
		int found = 0;
		for (int j = 0; j < 64; j++)
			found |= first[j] == c;
		same &= found;
	}
	SK_CHECK(bad == 0 && same && sk_conn_count(t) == 64, "64 new connections reuse the freed slots");
	sum[0] = sum[1] = 0;
	SK_CHECK(sk_conn_walk(t, count_cb, sum) == 0 && sum[0] == 64, "walk after reuse: 64");
	m = mk4(0x0a000000, 0x0b000000, 1000, 80, IPPROTO_TCP, SYN);
	SK_CHECK(find(t, &m, NULL) == NULL, "an expired flow is not found in its reused slot");
	sk_conn_table_free(t);
}

/* The TCP glue: state, first-FIN tracking, invalid packets left unaccounted. */
static void
test_tcp_update(void)
{
	struct sk_conn_table *t = sk_conn_table_create("c_tcp", 64, SOCKET_ID_ANY);
	struct sk_pkt_meta m = mk4(0x0a000001, 0x0a000002, 40000, 22, IPPROTO_TCP, SYN);
	struct sk_pkt_meta cli = m, srv = rev(&m, SYN | ACK);
	struct sk_conn_stats st;
	struct sk_conn *c;
	uint32_t now = 100;

	SK_CHECK(t != NULL, "tcp table created");
	if (t == NULL)
		return;
	c = open_conn(t, &m, now);
	SK_CHECK(c != NULL && c->state == SK_TCP_SYN_SENT, "SYN: syn_sent");
	if (c == NULL)
		goto out;

	/* reply data before any SYN+ACK: dropped, connection untouched (a bare
	 * ACK would pass: test_tcp.c, "peer's stale TIME_WAIT") */
	srv.tcp_flags = ACK | RTE_TCP_PSH_FLAG;
	SK_CHECK(sk_conn_update(t, c, &srv, SK_DIR_REPLY, 100, now + 5) == SK_DROP_TCP_INVALID &&
		 c->state == SK_TCP_SYN_SENT && c->pkts[SK_DIR_REPLY] == 0 && c->last_ms == now,
		 "reply data in syn_sent: TCP_INVALID, not counted, not refreshed");
	cli.tcp_flags = ACK;
	SK_CHECK(sk_conn_update(t, c, &cli, SK_DIR_ORIG, 60, now + 5) == SK_DROP_TCP_INVALID,
		 "orig ACK with no SYN+ACK seen: TCP_INVALID");
	cli.tcp_flags = SYN | ACK;
	SK_CHECK(sk_conn_update(t, c, &cli, SK_DIR_ORIG, 60, now + 5) == SK_DROP_TCP_INVALID,
		 "SYN+ACK from the originator: TCP_INVALID");

	srv.tcp_flags = SYN | ACK;
	SK_CHECK(sk_conn_update(t, c, &srv, SK_DIR_REPLY, 60, ++now) == 0 &&
		 c->state == SK_TCP_SYN_RECV && sk_conn_timeout_ms(t, c) == 30000, "SYN+ACK: syn_recv, tcp_syn");
	cli.tcp_flags = ACK;
	SK_CHECK(sk_conn_update(t, c, &cli, SK_DIR_ORIG, 60, ++now) == 0 &&
		 c->state == SK_TCP_ESTABLISHED && sk_conn_timeout_ms(t, c) == 3600000,
		 "ACK: established, tcp_established");
	cli.tcp_flags = SYN;
	SK_CHECK(sk_conn_update(t, c, &cli, SK_DIR_ORIG, 60, ++now) == SK_DROP_TCP_INVALID &&
		 c->state == SK_TCP_ESTABLISHED, "SYN in established: TCP_INVALID, kept");

	/* server closes first; the client's final ACK ends it, not the server's */
	srv.tcp_flags = FIN | ACK;
	SK_CHECK(sk_conn_update(t, c, &srv, SK_DIR_REPLY, 60, ++now) == 0 &&
		 c->state == SK_TCP_CLOSE_WAIT && sk_conn_timeout_ms(t, c) == 60000 &&
		 c->fin_seen == (SK_CONN_FIN_REPLY | SK_CONN_FIN_REPLY_FIRST),
		 "reply FIN: close_wait, tcp_fin, reply closed first");
	cli.tcp_flags = FIN | ACK;
	SK_CHECK(sk_conn_update(t, c, &cli, SK_DIR_ORIG, 60, ++now) == 0 &&
		 c->state == SK_TCP_LAST_ACK, "orig FIN: last_ack");
	cli.tcp_flags = ACK;
	SK_CHECK(sk_conn_update(t, c, &cli, SK_DIR_ORIG, 60, ++now) == 0 &&
		 c->state == SK_TCP_LAST_ACK, "ACK from the second closer: still last_ack");
	srv.tcp_flags = ACK;
	SK_CHECK(sk_conn_update(t, c, &srv, SK_DIR_REPLY, 60, ++now) == 0 &&
		 c->state == SK_TCP_TIME_WAIT && sk_conn_timeout_ms(t, c) == 10000,
		 "ACK from the first closer: time_wait, tcp_closed");

	/* port reuse */
	cli.tcp_flags = SYN;
	SK_CHECK(sk_conn_update(t, c, &cli, SK_DIR_ORIG, 60, ++now) == 0 &&
		 c->state == SK_TCP_SYN_SENT && c->fin_seen == 0 && sk_conn_timeout_ms(t, c) == 30000,
		 "new SYN on time_wait: syn_sent, FIN history cleared");
	srv.tcp_flags = RST | ACK;
	SK_CHECK(sk_conn_update(t, c, &srv, SK_DIR_REPLY, 60, ++now) == 0 &&
		 c->state == SK_TCP_CLOSED && sk_conn_timeout_ms(t, c) == 10000, "RST: closed, tcp_closed");
	cli.tcp_flags = ACK;
	SK_CHECK(sk_conn_update(t, c, &cli, SK_DIR_ORIG, 60, ++now) == SK_DROP_TCP_INVALID,
		 "ACK in closed: TCP_INVALID");
	SK_CHECK(c->pkts[SK_DIR_ORIG] == 5 && c->pkts[SK_DIR_REPLY] == 4 &&
		 c->bytes[SK_DIR_ORIG] == 74 + 4 * 60 && c->last_ms == now - 1,
		 "only valid packets counted (orig %" PRIu64 ", reply %" PRIu64 ")",
		 (uint64_t)c->pkts[SK_DIR_ORIG], (uint64_t)c->pkts[SK_DIR_REPLY]);
	sk_conn_stats_get(t, &st);
	SK_CHECK(st.invalid == 5, "invalid counter = 5 (got %" PRIu64 ")", st.invalid);

	/* loose pickup: a mid-stream ACK creates an established connection */
	m = mk4(0x0a000003, 0x0a000002, 40001, 22, IPPROTO_TCP, ACK);
	c = open_conn(t, &m, now);
	SK_CHECK(c != NULL && c->state == SK_TCP_ESTABLISHED && sk_conn_timeout_ms(t, c) == 3600000,
		 "non-SYN creates established (loose pickup)");
	SK_CHECK(sk_conn_tcp_is_syn(SYN) && !sk_conn_tcp_is_syn(SYN | ACK) && !sk_conn_tcp_is_syn(ACK),
		 "sk_conn_tcp_is_syn: only SYN without ACK");
out:
	sk_conn_table_free(t);
}

/* Random create/lookup/delete against a shadow set. */
static void
test_churn(void)
{
	enum { CAP = 4096, KEYS = 8192, OPS = 100000 };
	struct sk_conn_table *t = sk_conn_table_create("c_churn", CAP, SOCKET_ID_ANY);
	static struct sk_conn *shadow[KEYS];
	uint32_t x = 12345, live = 0, full = 0, bad = 0;

	SK_CHECK(t != NULL, "churn table created");
	if (t == NULL)
		return;
	memset(shadow, 0, sizeof(shadow));
	for (int op = 0; op < OPS; op++) {
		x = x * 1103515245u + 12345u;
		uint32_t k = (x >> 8) % KEYS;
		int reply = (x >> 4) & 1;
		struct sk_pkt_meta m = (k & 1) ?
			mk6((uint16_t)k, 7, (uint16_t)k, 443, IPPROTO_TCP, SYN) :
			mk4(0x0a000000 + k, 0x0b000001, 1234, 80, IPPROTO_UDP, 0);
		struct sk_pkt_meta q = reply ? rev(&m, ACK) : m;
		struct sk_conn *c = find(t, &q, NULL);

		if (c != shadow[k]) {
			bad++;
			continue;
		}
		if (c != NULL) {
			if ((x >> 20) & 1) {
				sk_conn_delete(t, c);
				shadow[k] = NULL;
				live--;
			}
		} else {
			c = open_conn(t, &m, 0);
			if (c != NULL) {
				shadow[k] = c;
				live++;
			} else if (rte_errno == ENOSPC && live == CAP) {
				full++;
			} else {
				bad++;
			}
		}
		if (sk_conn_count(t) != live)
			bad++;
	}
	SK_CHECK(bad == 0, "100k ops: every lookup matched the shadow set (%u mismatches)", bad);
	SK_CHECK(sk_conn_count(t) == live && live > 0, "count %u = shadow %u", sk_conn_count(t), live);
	{
		struct sk_conn_stats st;
		uint64_t sum[2] = { 0, 0 };
		sk_conn_stats_get(t, &st);
		SK_CHECK(st.created - st.deleted - st.expired == live && st.refused == full,
			 "created %" PRIu64 " - deleted %" PRIu64 " = live; refused %" PRIu64
			 " (full hits %u)", st.created, st.deleted, st.refused, full);
		sk_conn_walk(t, count_cb, sum);
		SK_CHECK(sum[0] == live, "walk agrees with the count");
	}
	sk_conn_table_free(t);
}

/* Memory per connection: heap bytes for the table divided by its capacity. */
static void
test_memory(void)
{
	const uint32_t n = 1u << 16;
	struct rte_malloc_socket_stats before, after;
	struct sk_conn_table *t;
	int sock = (int)rte_socket_id();
	double per;

	/* one cache line since the counters became 64-bit (conn.h) */
	SK_CHECK(sizeof(struct sk_conn) == 64, "sizeof(struct sk_conn) = %zu", sizeof(struct sk_conn));
	rte_malloc_get_socket_stats(sock, &before);
	t = sk_conn_table_create("c_mem", n, sock);
	rte_malloc_get_socket_stats(sock, &after);
	per = (double)(after.heap_allocsz_bytes - before.heap_allocsz_bytes) / n;
	printf("# memory per connection at %u entries: %.1f bytes (conn %zu)\n",
	       n, per, sizeof(struct sk_conn));
	/* 121 B with the 48-byte entry; the 64-bit counters and the line
	 * alignment add 16 (docs/perf.md, dataplane/conn/README.md) */
	SK_CHECK(t != NULL && per > sizeof(struct sk_conn) && per <= 144,
		 "table memory per connection %.1f bytes (at most 144)", per);
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
	test_create_args();
	test_keys();
	test_basic();
	test_bulk();
	test_expiry();
	test_budget();
	test_full_reuse_walk();
	test_key_get();
	test_tcp_update();
	test_churn();
	test_memory();
	return SK_TEST_DONE();
}
