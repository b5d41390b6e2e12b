/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_connnat.c - NAT connections in the connection table: one connection
 * under two keys (client side = primary, backend side = alias), directions
 * and tag through the alias, delete from either half, aging and the release
 * hook, a full table and EEXIST leaving the table as it was, walk/count,
 * the in-place key reference, timeouts read through the class, and a churn
 * of plain and NAT connections against a shadow set.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>

#include "conn/conn.h"
#include "sk_test.h"
#include "sk_test_conn.h"
#include "sk_test_eal.h"

#define SYN RTE_TCP_SYN_FLAG
#define ACK RTE_TCP_ACK_FLAG

#define NAT_DNAT 1     /* the caller's opaque mode values */
#define NAT_FULL 2

/*
 * A NAT connection: cli is the client's packet (client -> VIP), out is the
 * same packet as it leaves towards the backend (after DNAT, or full NAT).
 */
static struct sk_conn *
open_nat(struct sk_conn_table *t, const struct sk_pkt_meta *cli, const struct sk_pkt_meta *out,
	 uint8_t nat, uint32_t tag, uint32_t now)
{
	struct sk_conn_key k, rk;
	uint8_t sa, rsa;

	sk_conn_key_from_meta(cli, &k, &sa);
	/* the translated packet's source is the translated originator */
	sk_conn_key_from_meta(out, &rk, &rsa);
	return sk_conn_create_nat(t, &k, sa, &rk, rsa, cli, now, 11, 5, nat, tag);
}

static int
key_is(const struct sk_conn_table *t, const struct sk_conn *c, const struct sk_pkt_meta *m)
{
	struct sk_conn_key k;
	uint8_t sa;

	sk_conn_key_from_meta(m, &k, &sa);
	return memcmp(sk_conn_key_ref(t, c), &k, sizeof(k)) == 0;
}

/* Release hook: counts calls and checks both halves are still whole. */
struct rel {
	struct sk_conn_table *t;
	uint32_t calls, bad;
	uint64_t tag_sum;
	const struct sk_conn *last_p, *last_a;
};

static void
rel_cb(void *arg, const struct sk_conn *p, const struct sk_conn *a)
{
	struct rel *r = arg;
	struct sk_conn_key k;

	r->calls++;
	r->tag_sum += sk_conn_nat_tag(a);
	r->last_p = p;
	r->last_a = a;
	/* both keys still in the table, each finding its own half */
	memcpy(&k, sk_conn_key_ref(r->t, a), sizeof(k));
	if (sk_conn_lookup(r->t, &k) != a)
		r->bad++;
	memcpy(&k, sk_conn_key_ref(r->t, p), sizeof(k));
	if (sk_conn_lookup(r->t, &k) != p)
		r->bad++;
	if (!(a->flags & SK_CONN_F_ALIAS) || (p->flags & SK_CONN_F_ALIAS) || p->nat == 0)
		r->bad++;
}

static int
count_cb(const struct sk_conn *c, void *arg)
{
	uint32_t *n = arg;

	n[0]++;
	n[1] += (c->flags & SK_CONN_F_ALIAS) != 0;
	n[2] += c->nat != 0;
	return 0;
}

static void
test_layout(void)
{
	/* one cache line, with 64-bit counters (conn.h) */
	SK_CHECK(sizeof(struct sk_conn) == 64, "struct sk_conn is 64 bytes (%zu)",
		 sizeof(struct sk_conn));
}

/* DNAT (IPv4) and full NAT (IPv6): both keys, both directions, tag, update through the alias. */
static void
test_pair(void)
{
	struct sk_conn_table *t = sk_conn_table_create("n_pair", 1024, SOCKET_ID_ANY);
	/* client 10.1.0.5:40000 -> VIP 192.0.2.10:80, backend 10.9.0.7:8080 */
	struct sk_pkt_meta cli = mk4(0x0a010005, 0xc000020a, 40000, 80, IPPROTO_TCP, SYN);
	struct sk_pkt_meta out = mk4(0x0a010005, 0x0a090007, 40000, 8080, IPPROTO_TCP, SYN);
	struct sk_pkt_meta vrep = rev(&cli, SYN | ACK), brep = rev(&out, SYN | ACK);
	struct sk_pkt_meta plain = mk4(0x0a010006, 0x0a090007, 1234, 22, IPPROTO_TCP, SYN);
	struct sk_conn *p, *a, *c, *pl, *res[5];
	struct sk_conn_key keys[5];
	struct sk_conn_stats st;
	enum sk_conn_dir d = SK_DIR_ORIG;
	uint32_t n[3] = { 0, 0, 0 };
	uint8_t sa;

	SK_CHECK(t != NULL, "NAT table created");
	if (t == NULL)
		return;
	cli.in_iface = 1;
	cli.out_iface = 2;
	p = open_nat(t, &cli, &out, NAT_DNAT, 0xdeadbeef, 1000);
	SK_CHECK(p != NULL && sk_conn_count(t) == 1 && sk_conn_slots_used(t) == 2,
		 "DNAT connection: one connection in two slots");
	if (p == NULL)
		goto out;
	a = sk_conn_alias(t, p);
	SK_CHECK(a != NULL && a != p && (a->flags & SK_CONN_F_ALIAS) && !(p->flags & SK_CONN_F_ALIAS),
		 "primary has an alias, flagged as such");
	if (a == NULL)
		goto out;
	SK_CHECK(p->nat == NAT_DNAT && a->nat == NAT_DNAT && sk_conn_primary(t, a) == p &&
		 sk_conn_primary(t, p) == p, "nat mode in both halves; primary of either is p");
	SK_CHECK(sk_conn_nat_tag(a) == 0xdeadbeef && p->rule_id == 11 && p->gen == 5,
		 "alias carries the tag, primary rule and generation");
	SK_CHECK(p->state == SK_TCP_SYN_SENT && p->pkts[SK_DIR_ORIG] == 1 &&
		 p->bytes[SK_DIR_ORIG] == 74 && p->in_iface == 1 && p->out_iface == 2 &&
		 p->last_ms == 1000, "primary state from the client's packet");
	SK_CHECK(key_is(t, p, &cli) && key_is(t, a, &out),
		 "key_ref: primary holds client<->VIP, alias holds client<->backend");

	c = find(t, &cli, &d);
	SK_CHECK(c == p && d == SK_DIR_ORIG, "client -> VIP: primary, ORIG");
	c = find(t, &vrep, &d);
	SK_CHECK(c == p && d == SK_DIR_REPLY, "VIP -> client: primary, REPLY");
	c = find(t, &out, &d);
	SK_CHECK(c == a && d == SK_DIR_ORIG, "client -> backend (translated): alias, ORIG");
	c = find(t, &brep, &d);
	SK_CHECK(c == a && d == SK_DIR_REPLY, "backend -> client: alias, REPLY");

	/* The backend's SYN+ACK through the alias advances the primary. */
	SK_CHECK(sk_conn_update(t, a, &brep, d, 60, 1010) == 0 && p->state == SK_TCP_SYN_RECV &&
		 p->pkts[SK_DIR_REPLY] == 1 && p->last_ms == 1010 && a->pkts[SK_DIR_REPLY] == 0 &&
		 sk_conn_nat_tag(a) == 0xdeadbeef && (a->flags & SK_CONN_F_ALIAS),
		 "update on the alias: primary advanced, alias untouched");

	/* plain connection alongside */
	pl = open_conn(t, &plain, 1000);
	SK_CHECK(pl != NULL && pl->nat == 0 && sk_conn_alias(t, pl) == NULL &&
		 sk_conn_primary(t, pl) == pl && sk_conn_count(t) == 2 && sk_conn_slots_used(t) == 3,
		 "plain connection: no alias, its own primary");
	SK_CHECK(sk_conn_alias(t, a) == NULL, "alias of an alias: NULL");

	/* one burst with all four directions and a miss */
	sk_conn_key_from_meta(&cli, &keys[0], &sa);
	sk_conn_key_from_meta(&vrep, &keys[1], &sa);
	sk_conn_key_from_meta(&out, &keys[2], &sa);
	sk_conn_key_from_meta(&brep, &keys[3], &sa);
	keys[4] = keys[3];
	keys[4].pa ^= 1;
	sk_conn_lookup_burst(t, keys, 5, res);
	SK_CHECK(res[0] == p && res[1] == p && res[2] == a && res[3] == a && res[4] == NULL,
		 "bulk lookup: primary, primary, alias, alias, miss");
	sk_conn_prefetch_peer(t, a);
	sk_conn_prefetch_peer(t, p);
	sk_conn_prefetch_peer(t, pl);

	SK_CHECK(sk_conn_walk(t, count_cb, n) == 0 && n[0] == 2 && n[1] == 0 && n[2] == 1,
		 "walk: 2 connections, no alias, one NAT");
	sk_conn_stats_get(t, &st);
	SK_CHECK(st.active == 2 && st.created == 2 && st.refused == 0, "stats: 2 active, 2 created");
	sk_conn_delete(t, pl);

	/*
	 * Full NAT, IPv6: client ::10 -> VIP ::20:443, leaves as SNAT ::f000
	 * -> backend ::30:8443; the SNAT source is the higher address, so the
	 * originator is endpoint b of the alias key this time.
	 */
	{
		struct sk_pkt_meta c6 = mk6(0x10, 0x20, 33000, 443, IPPROTO_TCP, SYN);
		struct sk_pkt_meta o6 = mk6(0xf000, 0x30, 61000, 8443, IPPROTO_TCP, SYN);
		struct sk_pkt_meta b6 = rev(&o6, SYN | ACK);
		struct sk_conn_key rk;
		struct sk_conn *p6, *a6;

		sk_conn_key_from_meta(&o6, &rk, &sa);
		SK_CHECK(sa == 0, "full NAT: SNAT source is endpoint b of the alias key");
		p6 = open_nat(t, &c6, &o6, NAT_FULL, 77, 2000);
		a6 = p6 ? sk_conn_alias(t, p6) : NULL;
		SK_CHECK(p6 != NULL && a6 != NULL && sk_conn_count(t) == 2 &&
			 sk_conn_slots_used(t) == 4, "full-NAT IPv6 connection created");
		if (a6 != NULL) {
			c = find(t, &b6, &d);
			SK_CHECK(c == a6 && d == SK_DIR_REPLY && sk_conn_nat_tag(c) == 77 &&
				 c->nat == NAT_FULL, "backend -> SNAT: alias, REPLY, tag 77");
			c = find(t, &o6, &d);
			SK_CHECK(c == a6 && d == SK_DIR_ORIG, "SNAT -> backend: alias, ORIG");
			SK_CHECK(key_is(t, a6, &o6) && key_is(t, p6, &c6),
				 "key_ref: alias holds SNAT<->backend");
			c = find(t, &c6, NULL);
			SK_CHECK(c == p6, "client key still finds the primary");
		}
	}
out:
	sk_conn_table_free(t);
}

/* Delete from either half removes both; the release hook runs once per NAT connection. */
static void
test_delete(void)
{
	struct sk_conn_table *t = sk_conn_table_create("n_del", 64, SOCKET_ID_ANY);
	struct rel r = { .t = t };
	struct sk_pkt_meta c1 = mk4(0x0a000001, 0xc0000201, 1001, 80, IPPROTO_TCP, SYN);
	struct sk_pkt_meta o1 = mk4(0x0a000001, 0x0a090001, 1001, 80, IPPROTO_TCP, SYN);
	struct sk_pkt_meta c2 = mk4(0x0a000002, 0xc0000201, 1002, 80, IPPROTO_UDP, 0);
	struct sk_pkt_meta o2 = mk4(0x0a000002, 0x0a090002, 1002, 53, IPPROTO_UDP, 0);
	struct sk_pkt_meta pm = mk4(0x0a000003, 0x0a090002, 1003, 53, IPPROTO_UDP, 0);
	struct sk_pkt_meta b1 = rev(&o1, ACK);
	struct sk_conn *p1, *p2, *pl, *a1, *a2;
	struct sk_conn_stats st;

	SK_CHECK(t != NULL, "delete table created");
	if (t == NULL)
		return;
	sk_conn_set_release(t, rel_cb, &r);
	p1 = open_nat(t, &c1, &o1, NAT_DNAT, 100, 0);
	p2 = open_nat(t, &c2, &o2, NAT_DNAT, 200, 0);
	pl = open_conn(t, &pm, 0);
	SK_CHECK(p1 && p2 && pl && sk_conn_count(t) == 3 && sk_conn_slots_used(t) == 5,
		 "two NAT + one plain: 3 connections, 5 slots");
	if (!p1 || !p2 || !pl)
		goto out;
	a1 = sk_conn_alias(t, p1);
	a2 = sk_conn_alias(t, p2);

	sk_conn_delete(t, a1);
	SK_CHECK(find(t, &c1, NULL) == NULL && find(t, &o1, NULL) == NULL &&
		 find(t, &b1, NULL) == NULL,
		 "delete through the alias: both keys gone");
	SK_CHECK(r.calls == 1 && r.bad == 0 && r.tag_sum == 100 && r.last_p == p1 && r.last_a == a1,
		 "release hook called once, with primary and alias still whole");
	SK_CHECK(sk_conn_count(t) == 2 && sk_conn_slots_used(t) == 3 &&
		 find(t, &c2, NULL) == p2 && find(t, &o2, NULL) == a2,
		 "the other NAT connection untouched");
	SK_CHECK(!(p1->flags & SK_CONN_F_LIVE) && !(a1->flags & SK_CONN_F_LIVE),
		 "both slots marked free");

	sk_conn_delete(t, p2);
	SK_CHECK(find(t, &c2, NULL) == NULL && find(t, &o2, NULL) == NULL && r.calls == 2 &&
		 r.bad == 0 && r.tag_sum == 300, "delete through the primary: both gone, hook once");
	sk_conn_delete(t, pl);
	SK_CHECK(r.calls == 2, "plain delete: no release hook");
	sk_conn_stats_get(t, &st);
	SK_CHECK(sk_conn_count(t) == 0 && sk_conn_slots_used(t) == 0 && st.deleted == 3 &&
		 st.created == 3 && st.active == 0, "empty; deleted 3 connections");

	/* The freed slots take a new pair; the hook can be switched off. */
	sk_conn_set_release(t, NULL, NULL);
	p1 = open_nat(t, &c1, &o1, NAT_DNAT, 1, 0);
	SK_CHECK(p1 != NULL && find(t, &o1, NULL) == sk_conn_alias(t, p1), "re-created after delete");
	if (p1 != NULL)
		sk_conn_delete(t, p1);
	SK_CHECK(r.calls == 2 && sk_conn_count(t) == 0, "no hook once unset");
out:
	sk_conn_table_free(t);
}

/* Aging: aliases have no clock; a pair expires once, by its primary, with one hook call. */
static void
test_aging(void)
{
	static const uint32_t tmo[SK_TMO__MAX] = {
		[SK_TMO_TCP_SYN] = 2, [SK_TMO_TCP_ESTABLISHED] = 9, [SK_TMO_TCP_FIN] = 3,
		[SK_TMO_TCP_CLOSED] = 1, [SK_TMO_UDP] = 4, [SK_TMO_UDP_STREAM] = 6,
		[SK_TMO_ICMP] = 5, [SK_TMO_OTHER] = 8,
	};
	struct sk_conn_table *t = sk_conn_table_create("n_age", 64, SOCKET_ID_ANY);
	struct rel r = { .t = t };
	struct sk_pkt_meta cli = mk4(0x0a000001, 0xc0000201, 5000, 80, IPPROTO_TCP, SYN);
	struct sk_pkt_meta out = mk4(0x0a000001, 0x0a090001, 5000, 80, IPPROTO_TCP, SYN);
	struct sk_pkt_meta pm = mk4(0x0a000002, 0x0a090001, 5001, 53, IPPROTO_UDP, 0);
	struct sk_pkt_meta brep = rev(&out, SYN | ACK);
	struct sk_conn_stats st;
	struct sk_conn *p, *pl;
	const uint32_t t0 = UINT32_MAX - 500;   /* the clock wraps during the test */
	uint32_t e, e2;

	SK_CHECK(t != NULL, "aging table created");
	if (t == NULL)
		return;
	sk_conn_set_timeouts(t, tmo);
	sk_conn_set_release(t, rel_cb, &r);
	p = open_nat(t, &cli, &out, NAT_DNAT, 9, t0);
	pl = open_conn(t, &pm, t0);
	SK_CHECK(p != NULL && pl != NULL, "NAT (syn, 2 s) and plain (udp, 4 s) created");
	if (p == NULL || pl == NULL)
		goto out;

	/* Kept alive by traffic through the alias only; the alias's own clock is never set. */
	SK_CHECK(sk_conn_update(t, sk_conn_alias(t, p), &brep, SK_DIR_REPLY, 60,
				t0 + 1500) == 0, "backend SYN+ACK through the alias at +1.5 s");
	e = sk_conn_age(t, t0 + 3000, 64);
	SK_CHECK(e == 0 && sk_conn_count(t) == 2 && sk_conn_slots_used(t) == 3 && r.calls == 0,
		 "+3 s: nothing expires (alias skipped, primary refreshed at +1.5 s)");
	e = sk_conn_age(t, t0 + 3501, 64);
	SK_CHECK(e == 1 && sk_conn_count(t) == 1 && sk_conn_slots_used(t) == 1 && r.calls == 1 &&
		 r.bad == 0 && find(t, &cli, NULL) == NULL && find(t, &out, NULL) == NULL &&
		 find(t, &pm, NULL) == pl, "+3.501 s: the pair expires once, hook once, plain kept");
	e2 = sk_conn_age(t, t0 + 3502, 64);
	SK_CHECK(e2 == 0 && r.calls == 1, "another lap: nothing more expires, no second hook");
	e = sk_conn_age(t, t0 + 4001, 64);
	sk_conn_stats_get(t, &st);
	SK_CHECK(e == 1 && r.calls == 1 && sk_conn_count(t) == 0 && st.expired == 2,
		 "plain expires without a hook; expired = 2 connections");

	/* Budget: an expiry takes the alias along even when the alias slot is beyond the budget. */
	p = open_nat(t, &cli, &out, NAT_DNAT, 9, 100);
	if (p != NULL) {
		uint32_t lap = 0, total = 0;

		while (lap < 64) {
			total += sk_conn_age(t, 10000, 1);
			lap++;
		}
		SK_CHECK(total == 1 && sk_conn_slots_used(t) == 0 && r.calls == 2,
			 "64 calls of budget 1: the pair expires once (%u)", total);
	} else {
		SK_CHECK(0, "pair re-created for the budget check");
	}
out:
	sk_conn_table_free(t);
}

/* A full table refuses a NAT connection that needs two slots and is left as it was. */
static void
test_full(void)
{
	struct sk_conn_table *t = sk_conn_table_create("n_full", 8, SOCKET_ID_ANY);
	struct sk_pkt_meta cli = mk4(0x0b000001, 0xc0000201, 7000, 80, IPPROTO_TCP, SYN);
	struct sk_pkt_meta out = mk4(0x0b000001, 0x0a090001, 7000, 80, IPPROTO_TCP, SYN);
	struct sk_conn_stats st;
	struct sk_conn *c;
	uint32_t n[3] = { 0, 0, 0 };
	int bad = 0;

	SK_CHECK(t != NULL && sk_conn_capacity(t) == 8, "8-slot table created");
	if (t == NULL)
		return;
	for (uint32_t i = 0; i < 7; i++) {
		struct sk_pkt_meta m = mk4(0x0a000000 + i, 0x0b000000, 1000, 80, IPPROTO_UDP, 0);

		if (open_conn(t, &m, 0) == NULL)
			bad++;
	}
	SK_CHECK(bad == 0 && sk_conn_count(t) == 7 && sk_conn_slots_used(t) == 7,
		 "7 of 8 slots used");
	rte_errno = 0;
	c = open_nat(t, &cli, &out, NAT_DNAT, 1, 0);
	sk_conn_stats_get(t, &st);
	SK_CHECK(c == NULL && rte_errno == ENOSPC && st.refused == 1,
		 "one free slot: NAT create refused, ENOSPC, counted");
	SK_CHECK(sk_conn_count(t) == 7 && sk_conn_slots_used(t) == 7 && st.created == 7 &&
		 find(t, &cli, NULL) == NULL && find(t, &out, NULL) == NULL,
		 "table as it was: neither key in, 7 slots");
	SK_CHECK(sk_conn_walk(t, count_cb, n) == 0 && n[0] == 7 && n[2] == 0, "walk: the same 7");

	/* EEXIST wins over ENOSPC when a key is in, as for plain connections. */
	{
		struct sk_pkt_meta m0 = mk4(0x0a000000, 0x0b000000, 1000, 80, IPPROTO_UDP, 0);
		rte_errno = 0;
		c = open_nat(t, &m0, &out, NAT_DNAT, 1, 0);
		sk_conn_stats_get(t, &st);
		SK_CHECK(c == NULL && rte_errno == EEXIST && st.refused == 1,
			 "full, client key present: EEXIST, not refused");
		rte_errno = 0;
		c = open_nat(t, &cli, &m0, NAT_DNAT, 1, 0);
		SK_CHECK(c == NULL && rte_errno == EEXIST, "full, backend key present: EEXIST");
	}

	/* The last slot still takes a plain connection; two free take the pair exactly. */
	{
		struct sk_pkt_meta m = mk4(0x0a0000ff, 0x0b000000, 1000, 80, IPPROTO_UDP, 0);
		struct sk_pkt_meta m0 = mk4(0x0a000000, 0x0b000000, 1000, 80, IPPROTO_UDP, 0);
		struct sk_pkt_meta m1 = mk4(0x0a000001, 0x0b000000, 1000, 80, IPPROTO_UDP, 0);

		c = open_conn(t, &m, 0);
		SK_CHECK(c != NULL && sk_conn_slots_used(t) == 8, "the free slot takes a plain one");
		sk_conn_delete(t, find(t, &m0, NULL));
		sk_conn_delete(t, find(t, &m1, NULL));
		c = open_nat(t, &cli, &out, NAT_DNAT, 1, 0);
		SK_CHECK(c != NULL && sk_conn_slots_used(t) == 8 && sk_conn_count(t) == 7 &&
			 find(t, &out, NULL) == sk_conn_alias(t, c), "two free slots take a pair exactly");
		rte_errno = 0;
		SK_CHECK(open_conn(t, &m0, 0) == NULL && rte_errno == ENOSPC,
			 "full again: plain create refused");
	}
	sk_conn_table_free(t);

	/* max 5 is below one rte_hash bucket (8 entries): the limit is still 5 slots. */
	t = sk_conn_table_create("n_full5", 5, SOCKET_ID_ANY);
	SK_CHECK(t != NULL, "5-slot table created");
	if (t == NULL)
		return;
	for (uint32_t i = 0; i < 4; i++) {
		struct sk_pkt_meta m = mk4(0x0a000000 + i, 0x0b000000, 1000, 80, IPPROTO_UDP, 0);

		if (open_conn(t, &m, 0) == NULL)
			bad++;
	}
	rte_errno = 0;
	c = open_nat(t, &cli, &out, NAT_DNAT, 1, 0);
	SK_CHECK(bad == 0 && c == NULL && rte_errno == ENOSPC && sk_conn_slots_used(t) == 4 &&
		 find(t, &cli, NULL) == NULL && find(t, &out, NULL) == NULL,
		 "4 of 5 used: NAT refused although rte_hash has room, nothing left in");
	sk_conn_table_free(t);
}

/* EEXIST on either key (or both the same) with room to spare, and EINVAL: nothing left behind. */
static void
test_exists(void)
{
	struct sk_conn_table *t = sk_conn_table_create("n_exist", 64, SOCKET_ID_ANY);
	struct sk_pkt_meta cli = mk4(0x0a000001, 0xc0000201, 6000, 80, IPPROTO_TCP, SYN);
	struct sk_pkt_meta out = mk4(0x0a000001, 0x0a090001, 6000, 80, IPPROTO_TCP, SYN);
	struct sk_pkt_meta cli2 = mk4(0x0a000002, 0xc0000201, 6000, 80, IPPROTO_TCP, SYN);
	struct sk_pkt_meta out2 = mk4(0x0a000002, 0x0a090001, 6000, 80, IPPROTO_TCP, SYN);
	struct sk_pkt_meta other = mk4(0x0a000002, 0x0a090002, 6000, 80, IPPROTO_TCP, SYN);
	struct sk_conn_stats st;
	struct sk_conn *p, *pl;

	SK_CHECK(t != NULL, "exists table created");
	if (t == NULL)
		return;
	p = open_nat(t, &cli, &out, NAT_DNAT, 1, 0);
	SK_CHECK(p != NULL, "first NAT connection");
	rte_errno = 0;
	SK_CHECK(open_nat(t, &cli, &out2, NAT_DNAT, 1, 0) == NULL && rte_errno == EEXIST &&
		 find(t, &out2, NULL) == NULL, "client key taken (by a primary): EEXIST, rk not left in");
	rte_errno = 0;
	SK_CHECK(open_nat(t, &cli2, &out, NAT_DNAT, 1, 0) == NULL && rte_errno == EEXIST &&
		 find(t, &cli2, NULL) == NULL,
		 "backend key taken (by an alias): EEXIST, client key rolled back");
	rte_errno = 0;
	SK_CHECK(open_conn(t, &out, 0) == NULL && rte_errno == EEXIST,
		 "plain create on an alias's key: EEXIST");

	pl = open_conn(t, &out2, 0);
	rte_errno = 0;
	SK_CHECK(pl != NULL && open_nat(t, &cli2, &out2, NAT_DNAT, 1, 0) == NULL &&
		 rte_errno == EEXIST && find(t, &cli2, NULL) == NULL && find(t, &out2, NULL) == pl,
		 "backend key taken by a plain connection: EEXIST, that connection kept");
	rte_errno = 0;
	SK_CHECK(open_nat(t, &cli2, &cli2, NAT_DNAT, 1, 0) == NULL && rte_errno == EEXIST &&
		 find(t, &cli2, NULL) == NULL, "both keys the same: EEXIST, nothing left");
	rte_errno = 0;
	SK_CHECK(open_nat(t, &cli2, &other, 0, 1, 0) == NULL && rte_errno == EINVAL,
		 "nat 0: EINVAL");
	sk_conn_stats_get(t, &st);
	SK_CHECK(sk_conn_count(t) == 2 && sk_conn_slots_used(t) == 3 && st.created == 2 &&
		 st.refused == 0, "after the failures: 2 connections in 3 slots, none refused");
	sk_conn_table_free(t);
}

/* Timeouts are read through the class: a reload applies at once, listings see it. */
struct tmo_walk {
	const struct sk_conn_table *t;
	uint32_t ms[4];
	uint32_t n;
};

static int
tmo_cb(const struct sk_conn *c, void *arg)
{
	struct tmo_walk *w = arg;

	if (w->n < 4)
		w->ms[w->n] = sk_conn_timeout_ms(w->t, c);
	w->n++;
	return 0;
}

static void
test_timeouts(void)
{
	struct sk_conn_table *t = sk_conn_table_create("n_tmo", 64, SOCKET_ID_ANY);
	struct sk_pkt_meta syn = mk4(0x0a000001, 0x0a000002, 1, 80, IPPROTO_TCP, SYN);
	struct sk_pkt_meta udp = mk4(0x0a000001, 0x0a000002, 2, 53, IPPROTO_UDP, 0);
	struct sk_pkt_meta cli = mk4(0x0a000003, 0xc0000201, 3, 80, IPPROTO_TCP, ACK);
	struct sk_pkt_meta out = mk4(0x0a000003, 0x0a090001, 3, 80, IPPROTO_TCP, ACK);
	uint32_t tmo[SK_TMO__MAX];
	struct tmo_walk w = { .t = t };
	struct sk_conn *cs, *cu, *cn;
	int ok;

	SK_CHECK(t != NULL, "timeout table created");
	if (t == NULL)
		return;
	cs = open_conn(t, &syn, 0);
	cu = open_conn(t, &udp, 0);
	cn = open_nat(t, &cli, &out, NAT_DNAT, 1, 0);
	SK_CHECK(cs && cu && cn && cs->tmo_class == SK_TMO_TCP_SYN && cu->tmo_class == SK_TMO_UDP &&
		 cn->tmo_class == SK_TMO_TCP_ESTABLISHED, "classes: tcp_syn, udp, tcp_established");
	if (!cs || !cu || !cn)
		goto out;
	SK_CHECK(sk_conn_timeout_ms(t, cs) == 30000 && sk_conn_timeout_ms(t, cu) == 30000 &&
		 sk_conn_timeout_ms(t, cn) == 3600000, "default timeouts in ms");
	ok = sk_conn_walk(t, tmo_cb, &w) == 0 && w.n == 3;
	for (uint32_t i = 0; i < 3 && ok; i++)
		ok = w.ms[i] == 30000 || w.ms[i] == 3600000;
	SK_CHECK(ok && w.ms[0] + w.ms[1] + w.ms[2] == 3660000, "listing walk: 30 s, 30 s, 1 h");

	for (int i = 0; i < SK_TMO__MAX; i++)
		tmo[i] = 100 + (uint32_t)i;
	tmo[SK_TMO_TCP_SYN] = 2;
	tmo[SK_TMO_TCP_ESTABLISHED] = 7;
	sk_conn_set_timeouts(t, tmo);
	SK_CHECK(sk_conn_timeout_ms(t, cs) == 2000 && sk_conn_timeout_ms(t, cn) == 7000 &&
		 sk_conn_timeout_ms(t, cu) == (100u + SK_TMO_UDP) * 1000,
		 "new timeouts apply without a packet");
	w.n = 0;
	ok = sk_conn_walk(t, tmo_cb, &w) == 0 && w.n == 3;
	SK_CHECK(ok && w.ms[0] + w.ms[1] + w.ms[2] == 2000 + 7000 + (100u + SK_TMO_UDP) * 1000,
		 "listing walk shows the reloaded timeouts");
	SK_CHECK(sk_conn_age(t, 2001, 64) == 1 && find(t, &syn, NULL) == NULL &&
		 find(t, &udp, NULL) == cu, "aging uses the reloaded tcp_syn (2 s) at once");
	SK_CHECK(sk_conn_age(t, 7001, 64) == 1 && find(t, &out, NULL) == NULL,
		 "NAT connection expires at its reloaded 7 s");
	tmo[SK_TMO_UDP] = SK_CONN_TIMEOUT_MAX_S + 100;
	sk_conn_set_timeouts(t, tmo);
	SK_CHECK(sk_conn_timeout_ms(t, cu) == SK_CONN_TIMEOUT_MAX_S * 1000u, "clamped to 7 days");
out:
	sk_conn_table_free(t);
}

/* key_ref of many slots: the bytes are that slot's key (it finds the slot again). */
static void
test_key_ref(void)
{
	enum { N = 600 };
	struct sk_conn_table *t = sk_conn_table_create("n_kref", 2 * N, SOCKET_ID_ANY);
	uint32_t bad = 0, made = 0;

	SK_CHECK(t != NULL, "key_ref table created");
	if (t == NULL)
		return;
	for (uint32_t i = 0; i < N; i++) {
		struct sk_pkt_meta cli = mk4(0x0a000000 + i, 0xc0000201, (uint16_t)(1024 + i), 80,
					     IPPROTO_TCP, SYN);
		struct sk_pkt_meta out = mk4(0x0a000000 + i, 0x0a090000 + i % 7,
					     (uint16_t)(1024 + i), 8080, IPPROTO_TCP, SYN);
		struct sk_conn *p = (i % 3) ? open_nat(t, &cli, &out, NAT_DNAT, i, 0)
					    : open_conn(t, &cli, 0);
		struct sk_conn_key k;

		if (p == NULL) {
			bad++;
			continue;
		}
		made++;
		if (!key_is(t, p, &cli) || sk_conn_key_get(t, p, &k) != 0 ||
		    sk_conn_lookup(t, &k) != p)
			bad++;
		if (i % 3) {
			struct sk_conn *a = sk_conn_alias(t, p);

			if (a == NULL || !key_is(t, a, &out) || sk_conn_lookup(t, sk_conn_key_ref(t, a)) != a ||
			    sk_conn_nat_tag(a) != i)
				bad++;
		}
		/* Churn a little so that slots are reused out of order. */
		if (i % 5 == 4) {
			sk_conn_delete(t, p);
			made--;
		}
	}
	SK_CHECK(bad == 0 && sk_conn_count(t) == made,
		 "%u connections: every key_ref is its slot's key (%u bad)", made, bad);
	sk_conn_table_free(t);
}

/* Random plain/NAT create, delete (either half) and expiry against a shadow set. */
static void
test_churn(void)
{
	enum { CAP = 512, KEYS = 1024, OPS = 60000 };
	struct sk_conn_table *t = sk_conn_table_create("n_churn", CAP, SOCKET_ID_ANY);
	static uint8_t kind[KEYS];     /* 0 none, 1 plain, 2 NAT */
	struct rel r = { .t = t };
	uint32_t x = 99, bad = 0, live = 0, slots = 0, nat_gone = 0, refused = 0;
	uint32_t n[3];

	SK_CHECK(t != NULL, "churn table created");
	if (t == NULL)
		return;
	sk_conn_set_release(t, rel_cb, &r);
	memset(kind, 0, sizeof(kind));
	for (uint32_t op = 0; op < OPS; op++) {
		x = x * 1103515245u + 12345u;
		uint32_t k = (x >> 8) % KEYS;
		/* key k: client 10.0.x.x -> VIP; its backend side is unique per k */
		struct sk_pkt_meta cli = mk4(0x0a000000 + k, 0xc0000201, 4000, 80, IPPROTO_TCP, SYN);
		struct sk_pkt_meta out = mk4(0x0a000000 + k, 0x0a090001, 4000, 8080, IPPROTO_TCP, SYN);
		struct sk_pkt_meta crep = rev(&cli, ACK), brep = rev(&out, ACK);
		struct sk_conn *c = find(t, (x >> 4) & 1 ? &cli : &crep, NULL);
		struct sk_conn *a = find(t, (x >> 5) & 1 ? &out : &brep, NULL);

		if ((c != NULL) != (kind[k] != 0) || (a != NULL) != (kind[k] == 2) ||
		    (a != NULL && (sk_conn_primary(t, a) != c || sk_conn_nat_tag(a) != k))) {
			bad++;
			continue;
		}
		if (c != NULL) {
			if ((x >> 20) & 1) {
				sk_conn_delete(t, (a != NULL && ((x >> 21) & 1)) ? a : c);
				live--;
				slots -= kind[k];
				nat_gone += kind[k] == 2;
				kind[k] = 0;
			}
		} else {
			int nat = (x >> 22) & 1;

			c = nat ? open_nat(t, &cli, &out, NAT_DNAT, k, 0) : open_conn(t, &cli, 0);
			if (c != NULL) {
				kind[k] = nat ? 2 : 1;
				live++;
				slots += kind[k];
			} else if (rte_errno == ENOSPC && slots + 1u + nat > CAP) {
				refused++;
			} else {
				bad++;
			}
		}
		if (sk_conn_count(t) != live || sk_conn_slots_used(t) != slots)
			bad++;
	}
	SK_CHECK(bad == 0 && refused > 0, "%u ops: lookups of both keys match the shadow "
		 "(%u mismatches, %u refused)", OPS, bad, refused);
	memset(n, 0, sizeof(n));
	sk_conn_walk(t, count_cb, n);
	SK_CHECK(n[0] == live && n[1] == 0 && r.calls == nat_gone && r.bad == 0,
		 "walk sees %u connections, no alias; hook ran once per NAT delete (%u)", live, nat_gone);
	/* Expire everything: every remaining NAT connection calls the hook once more. */
	{
		uint32_t nats = 0, e;
		struct sk_conn_stats st;

		for (uint32_t k = 0; k < KEYS; k++)
			nats += kind[k] == 2;
		e = sk_conn_age(t, 4000000, CAP);
		sk_conn_stats_get(t, &st);
		SK_CHECK(e == live && sk_conn_count(t) == 0 && sk_conn_slots_used(t) == 0 &&
			 r.calls == nat_gone + nats && st.refused == refused &&
			 st.created == st.deleted + st.expired,
			 "one lap expires all %u (%u NAT): hook per NAT, counters balance", live, nats);
	}
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
	test_layout();
	test_pair();
	test_delete();
	test_aging();
	test_full();
	test_exists();
	test_timeouts();
	test_key_ref();
	test_churn();
	return SK_TEST_DONE();
}
