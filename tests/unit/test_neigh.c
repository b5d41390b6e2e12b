/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_neigh.c - the neighbour cache (dataplane/neigh): state machine under a
 * fake clock, capacity with and without RCU, and a writer/reader pair where
 * the writer churns updates and deletes under QSBR while the reader looks up
 * without locks and checks that every MAC it sees was written for its key.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_rcu_qsbr.h>

#include "sk_test.h"
#include "sk_test_eal.h"
#include "neigh/neigh.h"

static void
ip4(uint8_t ip[16], uint32_t host)
{
	memset(ip, 0, 16);
	ip[0] = 10;
	ip[1] = (uint8_t)(host >> 16);
	ip[2] = (uint8_t)(host >> 8);
	ip[3] = (uint8_t)host;
}

static struct rte_ether_addr
mac_of(uint8_t a, uint8_t b)
{
	struct rte_ether_addr m = { { 0x02, 0x00, 0x5e, 0x10, a, b } };

	return m;
}

static int
mac_eq(const struct rte_ether_addr *a, const struct rte_ether_addr *b)
{
	return memcmp(a->addr_bytes, b->addr_bytes, RTE_ETHER_ADDR_LEN) == 0;
}

struct state_find {
	const uint8_t *ip;
	uint16_t iface;
	int st;
};

static int
find_cb(uint16_t iface, uint8_t family, const uint8_t ip[16], const struct rte_ether_addr *mac,
	enum sk_neigh_state st, void *arg)
{
	struct state_find *f = arg;

	(void)family;
	(void)mac;
	if (iface == f->iface && memcmp(ip, f->ip, 4) == 0) {
		f->st = (int)st;
		return 1;
	}
	return 0;
}

/* State of an entry as the walk reports it, -1 if absent. */
static int
state_of(const struct sk_neigh *n, uint16_t iface, const uint8_t ip[16])
{
	struct state_find f = { ip, iface, -1 };

	sk_neigh_walk(n, find_cb, &f);
	return f.st;
}

static void
test_incomplete_failed(void)
{
	struct sk_neigh *n = sk_neigh_create("nb_inc", 16, NULL, SOCKET_ID_ANY);
	struct sk_neigh_probe pr[8];
	struct rte_ether_addr mac;
	uint8_t ip[16], junk[16];
	uint32_t np;

	SK_CHECK(n != NULL, "create (qs NULL)");
	if (n == NULL)
		return;
	sk_neigh_set_timers(n, 1000, 100, 3);
	ip4(ip, 1);
	SK_CHECK(sk_neigh_lookup(n, 0, 4, ip, &mac) == -ENOENT, "absent -> -ENOENT");
	SK_CHECK(sk_neigh_touch(n, 0, 4, ip, 0) == 1, "touch creates (caller sends probe 1)");
	SK_CHECK(sk_neigh_touch(n, 0, 4, ip, 10) == 0, "touch again: exists");
	SK_CHECK(sk_neigh_count(n) == 1, "count 1");
	SK_CHECK(sk_neigh_lookup(n, 0, 4, ip, &mac) == -EAGAIN, "incomplete -> -EAGAIN");
	/* IPv4 keys ignore bytes 4..15 of the address argument */
	memcpy(junk, ip, 16);
	memset(junk + 4, 0xee, 12);
	SK_CHECK(sk_neigh_lookup(n, 0, 4, junk, &mac) == -EAGAIN, "v4 key ignores bytes 4..15");
	SK_CHECK(sk_neigh_lookup(n, 1, 4, ip, &mac) == -ENOENT, "other interface: distinct key");
	SK_CHECK(sk_neigh_lookup(n, 0, 6, ip, &mac) == -ENOENT, "other family: distinct key");

	SK_CHECK(sk_neigh_tick(n, 99, pr, 8) == 0, "no probe before retrans");
	np = sk_neigh_tick(n, 100, pr, 8);
	SK_CHECK(np == 1 && pr[0].unicast == 0 && pr[0].family == 4 && pr[0].iface == 0 &&
		 memcmp(pr[0].ip, ip, 16) == 0, "probe 2 at retrans, broadcast");
	SK_CHECK(sk_neigh_tick(n, 150, pr, 8) == 0, "nothing in between");
	SK_CHECK(sk_neigh_tick(n, 200, pr, 8) == 1, "probe 3");
	SK_CHECK(sk_neigh_lookup(n, 0, 4, ip, &mac) == -EAGAIN, "still incomplete");
	SK_CHECK(sk_neigh_tick(n, 300, pr, 8) == 0, "no probe 4 (probes = 3)");
	SK_CHECK(sk_neigh_lookup(n, 0, 4, ip, &mac) == -EHOSTUNREACH, "then FAILED");
	SK_CHECK(sk_neigh_touch(n, 0, 4, ip, 310) == 0, "touch during hold: no new probe");
	SK_CHECK(sk_neigh_tick(n, 300 + SK_NEIGH_FAILED_HOLD_MS - 1, pr, 8) == 0 &&
		 sk_neigh_lookup(n, 0, 4, ip, &mac) == -EHOSTUNREACH, "failed until hold ends");
	sk_neigh_tick(n, 300 + SK_NEIGH_FAILED_HOLD_MS, pr, 8);
	SK_CHECK(sk_neigh_lookup(n, 0, 4, ip, &mac) == -ENOENT && sk_neigh_count(n) == 0,
		 "failed entry deleted after the hold");
	SK_CHECK(sk_neigh_touch(n, 0, 4, ip, 4000) == 1, "later packet retries resolution");
	mac = mac_of(1, 1);
	SK_CHECK(sk_neigh_update(n, 0, 4, ip, &mac, SK_NEIGH_REACHABLE, 4050) == 0,
		 "reply resolves");
	memset(&mac, 0, sizeof(mac));
	SK_CHECK(sk_neigh_lookup(n, 0, 4, ip, &mac) == 0 && mac_eq(&mac, &(struct rte_ether_addr)
		 { { 0x02, 0x00, 0x5e, 0x10, 1, 1 } }), "resolved -> MAC");
	SK_CHECK(sk_neigh_tick(n, 4150, pr, 8) == 0, "resolved entry sends no more probes");
	SK_CHECK(sk_neigh_update(n, 0, 4, ip, &mac, SK_NEIGH_FAILED, 4200) == -EINVAL,
		 "update refuses states other than REACHABLE/STATIC");
	SK_CHECK(sk_neigh_lookup(n, 0, 5, ip, &mac) == -EINVAL, "bad family refused");
	sk_neigh_free(n);
	sk_neigh_free(NULL);
}

static void
test_reachable_stale(void)
{
	struct sk_neigh *n = sk_neigh_create("nb_st", 16, NULL, SOCKET_ID_ANY);
	struct sk_neigh_probe pr[8];
	struct rte_ether_addr a = mac_of(2, 1), b = mac_of(2, 2), got;
	uint8_t ip[16], ip6[16];
	uint32_t t;

	SK_CHECK(n != NULL, "create");
	if (n == NULL)
		return;
	sk_neigh_set_timers(n, 1000, 100, 3);
	ip4(ip, 2);
	SK_CHECK(sk_neigh_update(n, 3, 4, ip, &a, SK_NEIGH_REACHABLE, 1000) == 0, "learn");
	SK_CHECK(sk_neigh_lookup(n, 3, 4, ip, &got) == 0 && mac_eq(&got, &a), "reachable MAC");
	SK_CHECK(sk_neigh_tick(n, 1999, pr, 8) == 0 &&
		 state_of(n, 3, ip) == SK_NEIGH_REACHABLE, "reachable until reachable_ms");
	SK_CHECK(sk_neigh_tick(n, 2000, pr, 8) == 1 && pr[0].unicast == 1 &&
		 mac_eq(&pr[0].mac, &a) && pr[0].iface == 3, "then a unicast probe to the MAC");
	SK_CHECK(state_of(n, 3, ip) == SK_NEIGH_STALE, "state STALE");
	SK_CHECK(sk_neigh_lookup(n, 3, 4, ip, &got) == 0 && mac_eq(&got, &a), "stale still used");
	SK_CHECK(sk_neigh_tick(n, 2100, pr, 8) == 1 && pr[0].unicast == 1, "stale probe 2");
	SK_CHECK(sk_neigh_update(n, 3, 4, ip, &b, SK_NEIGH_REACHABLE, 2150) == 0, "answer");
	SK_CHECK(state_of(n, 3, ip) == SK_NEIGH_REACHABLE &&
		 sk_neigh_lookup(n, 3, 4, ip, &got) == 0 && mac_eq(&got, &b),
		 "refreshed: REACHABLE with the new MAC");
	SK_CHECK(sk_neigh_tick(n, 2200, pr, 8) == 0 && sk_neigh_tick(n, 3149, pr, 8) == 0,
		 "refresh restarted the reachable timer");
	SK_CHECK(sk_neigh_tick(n, 3150, pr, 8) == 1, "stale again: probe 1");
	SK_CHECK(sk_neigh_tick(n, 3250, pr, 8) == 1, "probe 2");
	SK_CHECK(sk_neigh_tick(n, 3350, pr, 8) == 1, "probe 3");
	SK_CHECK(sk_neigh_lookup(n, 3, 4, ip, &got) == 0, "still usable while probing");
	SK_CHECK(sk_neigh_tick(n, 3449, pr, 8) == 0 && sk_neigh_count(n) == 1, "not yet gone");
	SK_CHECK(sk_neigh_tick(n, 3450, pr, 8) == 0 && sk_neigh_count(n) == 0 &&
		 sk_neigh_lookup(n, 3, 4, ip, &got) == -ENOENT, "unanswered stale entry deleted");

	/* static: no timer touches it, learning does not override it */
	memset(ip6, 0, 16);
	ip6[0] = 0xfe; ip6[1] = 0x80; ip6[15] = 7;
	SK_CHECK(sk_neigh_update(n, 1, 6, ip6, &a, SK_NEIGH_STATIC, 0) == 0, "static v6");
	for (t = 0; t < 10; t++)
		SK_CHECK(sk_neigh_tick(n, t * 100000u + 1, pr, 8) == 0, "static: no probe at %u",
			 t * 100000u + 1);
	SK_CHECK(sk_neigh_update(n, 1, 6, ip6, &b, SK_NEIGH_REACHABLE, 5) == 0 &&
		 sk_neigh_lookup(n, 1, 6, ip6, &got) == 0 && mac_eq(&got, &a),
		 "learnt MAC does not override static");
	SK_CHECK(state_of(n, 1, ip6) == SK_NEIGH_STATIC, "still STATIC");
	SK_CHECK(sk_neigh_update(n, 1, 6, ip6, &b, SK_NEIGH_STATIC, 5) == 0 &&
		 sk_neigh_lookup(n, 1, 6, ip6, &got) == 0 && mac_eq(&got, &b),
		 "config may change a static MAC");
	SK_CHECK(sk_neigh_delete(n, 1, 6, ip6) == 0 && sk_neigh_delete(n, 1, 6, ip6) == -ENOENT,
		 "delete, then -ENOENT");

	/* probe array smaller than what is due: the rest waits for the next tick */
	for (t = 10; t < 13; t++) {
		ip4(ip, t);
		sk_neigh_touch(n, 0, 4, ip, 10000);
	}
	SK_CHECK(sk_neigh_tick(n, 10100, pr, 2) == 2, "only 2 probes fit");
	SK_CHECK(sk_neigh_tick(n, 10101, pr, 8) == 1, "the third comes next tick");
	SK_CHECK(sk_neigh_tick(n, 10201, pr, 8) == 3, "then all three in step again");

	/* the millisecond clock wraps */
	ip4(ip, 99);
	SK_CHECK(sk_neigh_touch(n, 0, 4, ip, 0xffffffc0u) == 1, "touch just before wrap");
	SK_CHECK(sk_neigh_tick(n, 0xffffffc0u + 99, pr, 8) == 0, "nothing due before wrap");
	{
		uint32_t k, found = 0;

		k = sk_neigh_tick(n, 0xffffffc0u + 100, pr, 8); /* = 36 after the wrap */
		for (t = 0; t < k; t++)
			found += memcmp(pr[t].ip, ip, 4) == 0;
		SK_CHECK(found == 1, "probe due across the wrap");
	}
	sk_neigh_free(n);
}

static void
test_capacity(struct rte_rcu_qsbr *qs)
{
	const char *nm = qs ? "nb_cap_rcu" : "nb_cap";
	struct sk_neigh *n = sk_neigh_create(nm, 64, qs, SOCKET_ID_ANY);
	struct rte_ether_addr m = mac_of(3, 3), got;
	uint8_t ip[16];
	uint32_t i, ok = 0, round;
	const char *how = qs ? "rcu" : "no rcu";

	SK_CHECK(n != NULL, "%s: create 64", how);
	if (n == NULL)
		return;
	SK_CHECK(sk_neigh_create(nm, 64, qs, SOCKET_ID_ANY) == NULL && rte_errno == EEXIST,
		 "%s: name in use refused", how);
	for (round = 0; round < 3; round++) {
		ok = 0;
		for (i = 0; i < 64; i++) {
			ip4(ip, round * 1000 + i);
			ok += sk_neigh_update(n, 0, 4, ip, &m, SK_NEIGH_REACHABLE, 0) == 0;
		}
		SK_CHECK(ok == 64 && sk_neigh_count(n) == 64, "%s round %u: 64 entries fit", how,
			 round);
		ip4(ip, 99999);
		SK_CHECK(sk_neigh_update(n, 0, 4, ip, &m, SK_NEIGH_REACHABLE, 0) == -ENOSPC &&
			 sk_neigh_touch(n, 0, 4, ip, 0) == -ENOSPC, "%s: the 65th is refused", how);
		for (i = 0; i < 64; i++) {
			ip4(ip, round * 1000 + i);
			sk_neigh_delete(n, 0, 4, ip);
		}
		SK_CHECK(sk_neigh_count(n) == 0, "%s: all deleted", how);
	}
	ip4(ip, 5);
	SK_CHECK(sk_neigh_update(n, 0, 4, ip, &m, SK_NEIGH_REACHABLE, 0) == 0 &&
		 sk_neigh_lookup(n, 0, 4, ip, &got) == 0, "%s: reusable after deletes", how);
	sk_neigh_free(n);

	n = sk_neigh_create("nb_small", 3, qs, SOCKET_ID_ANY);
	for (ok = 0, i = 0; n != NULL && i < 4; i++) {
		ip4(ip, i);
		ok += sk_neigh_touch(n, 0, 4, ip, 0) == 1;
	}
	SK_CHECK(ok == 3, "%s: max 3 (below a hash bucket) holds exactly 3", how);
	sk_neigh_free(n);
	SK_CHECK(sk_neigh_create("a_name_far_too_long", 8, qs, SOCKET_ID_ANY) == NULL &&
		 rte_errno == EINVAL, "%s: long name refused", how);
	SK_CHECK(sk_neigh_create("nb_zero", 0, qs, SOCKET_ID_ANY) == NULL, "%s: max 0 refused",
		 how);
}

/* ------------------------------------------------- writer / reader with RCU */

#define KEYS 64
#define TABLE 32

/* MAC written for key k, version v: self-checking, names its key. */
static struct rte_ether_addr
churn_mac(uint32_t k, uint32_t v)
{
	struct rte_ether_addr m;

	m.addr_bytes[0] = 0x02;
	m.addr_bytes[1] = (uint8_t)k;
	m.addr_bytes[2] = (uint8_t)(v >> 16);
	m.addr_bytes[3] = (uint8_t)(v >> 8);
	m.addr_bytes[4] = (uint8_t)v;
	m.addr_bytes[5] = (uint8_t)(k ^ m.addr_bytes[2] ^ m.addr_bytes[3] ^ m.addr_bytes[4] ^ 0x5a);
	return m;
}

struct churn {
	struct sk_neigh *n;
	struct rte_rcu_qsbr *qs;
	uint32_t stop;        /* atomic */
	uint32_t version;     /* atomic: last version handed to an update */
	uint64_t lookups, hits, pending, bad;
	char why[160];
};

static void *
reader(void *arg)
{
	struct churn *c = arg;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	struct rte_ether_addr m;
	uint8_t ip[16];

	rte_rcu_qsbr_thread_register(c->qs, 0);
	rte_rcu_qsbr_thread_online(c->qs, 0);
	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		uint32_t k, v;
		int rc;

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		k = (uint32_t)(seed % KEYS);
		ip4(ip, k);
		rc = sk_neigh_lookup(c->n, 0, 4, ip, &m);
		c->lookups++;
		if (rc == 0) {
			const uint8_t *b = m.addr_bytes;
			uint32_t maxv = __atomic_load_n(&c->version, __ATOMIC_ACQUIRE);

			v = (uint32_t)b[2] << 16 | (uint32_t)b[3] << 8 | b[4];
			c->hits++;
			if (b[0] != 0x02 || b[1] != k || b[5] != (uint8_t)(k ^ b[2] ^ b[3] ^ b[4] ^ 0x5a) ||
			    v > maxv) {
				if (c->bad++ == 0)
					snprintf(c->why, sizeof(c->why),
						 "key %u saw %02x:%02x:%02x:%02x:%02x:%02x (max version %u)",
						 k, b[0], b[1], b[2], b[3], b[4], b[5], maxv);
			}
		} else if (rc == -EAGAIN) {
			c->pending++;
		} else if (rc != -ENOENT) {
			if (c->bad++ == 0)
				snprintf(c->why, sizeof(c->why), "key %u: lookup %d", k, rc);
		}
		rte_rcu_qsbr_quiescent(c->qs, 0);
	}
	rte_rcu_qsbr_thread_offline(c->qs, 0);
	rte_rcu_qsbr_thread_unregister(c->qs, 0);
	return NULL;
}

static void
test_churn(struct rte_rcu_qsbr *qs)
{
	struct churn c;
	pthread_t th;
	uint64_t seed = 0x2545f4914f6cdd1dULL, ops = 0, upd = 0, del = 0, full = 0, errs = 0;
	struct timespec t0, t1;
	uint8_t ip[16];
	double secs;

	memset(&c, 0, sizeof(c));
	c.qs = qs;
	c.n = sk_neigh_create("nb_churn", TABLE, qs, SOCKET_ID_ANY);
	SK_CHECK(c.n != NULL, "churn table with RCU");
	if (c.n == NULL)
		return;
	if (pthread_create(&th, NULL, reader, &c) != 0) {
		SK_CHECK(0, "reader thread");
		sk_neigh_free(c.n);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		uint32_t k, op, i;
		int rc;

		for (i = 0; i < 256; i++, ops++) {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			k = (uint32_t)(seed % KEYS);
			op = (uint32_t)(seed >> 32) % 8;
			ip4(ip, k);
			if (op < 4) {
				uint32_t v = __atomic_add_fetch(&c.version, 1, __ATOMIC_RELEASE) &
					     0xffffff;
				struct rte_ether_addr m = churn_mac(k, v);

				rc = sk_neigh_update(c.n, 0, 4, ip, &m, SK_NEIGH_REACHABLE, 0);
				upd += rc == 0;
			} else if (op < 7) {
				rc = sk_neigh_delete(c.n, 0, 4, ip);
				del += rc == 0;
				if (rc == -ENOENT)
					rc = 0;
			} else {
				rc = sk_neigh_touch(c.n, 0, 4, ip, 0);
				if (rc == 1)
					rc = 0;
			}
			/* full until the reader passes a quiescent state: let it run
			 * (the test machine may have fewer cores than threads) */
			if (rc == -ENOSPC) {
				if (++full % 64 == 0)
					sched_yield();
			}
			else if (rc != 0)
				errs++;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	} while (secs < 1.5 && ops < 4000000);
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	printf("# churn: %" PRIu64 " writer ops (%" PRIu64 " updates, %" PRIu64 " deletes, %"
	       PRIu64 " full), %" PRIu64 " lookups (%" PRIu64 " hits, %" PRIu64 " pending)\n",
	       ops, upd, del, full, c.lookups, c.hits, c.pending);
	SK_CHECK(c.bad == 0, "reader never saw a MAC not written for its key (%" PRIu64 " bad%s%s)",
		 c.bad, c.bad ? ": " : "", c.why);
	SK_CHECK(errs == 0, "writer: no unexpected errors (%" PRIu64 ")", errs);
	SK_CHECK(c.hits > 1000 && c.lookups > c.hits, "reader raced the writer (%" PRIu64 " hits)",
		 c.hits);
	SK_CHECK(del > 1000 && upd > 1000, "writer churned (%" PRIu64 " deletes)", del);
	SK_CHECK(sk_neigh_count(c.n) <= TABLE, "count within capacity");
	sk_neigh_free(c.n);
}

int
main(int argc, char **argv)
{
	struct rte_rcu_qsbr *qs;
	size_t sz;

	(void)argc;
	if (sk_test_eal_init(argv[0]) < 0) {
		printf("not ok 1 - EAL init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	sz = rte_rcu_qsbr_get_memsize(2);
	qs = rte_zmalloc("test_qs", sz, RTE_CACHE_LINE_SIZE);
	if (qs == NULL || rte_rcu_qsbr_init(qs, 2) != 0) {
		printf("not ok 1 - QSBR init\n");
		return 1;
	}
	test_incomplete_failed();
	test_reachable_stale();
	test_capacity(NULL);
	test_capacity(qs);
	test_churn(qs);
	rte_free(qs);
	return SK_TEST_DONE();
}
