/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_lb.c - backend selection (dataplane/lb): weighted Maglev shares and
 * disruption on rebuild, M validation, smooth WRR proportions and
 * smoothness, WLC, source hash, and that drain/disabled/down backends never
 * get a new connection.  Random inputs come from a fixed-seed generator.
 * Lines starting with '#' report the measured figures (docs/lb.md).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "sk_test.h"
#include "sk_test_eal.h"
#include "lb/lb.h"
#include "sk_prime.h"

#define M SK_LB_MAGLEV_M_DEFAULT
#define MAXB 128

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* CRC32-C bit by bit (reflected 0x82f63b78, no inversion: rte_hash_crc's). */
static uint32_t
ref_crc32c(const uint8_t *p, size_t n, uint32_t crc)
{
	while (n-- > 0) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ ((crc & 1) ? 0x82f63b78u : 0);
	}
	return crc;
}

static uint32_t
ref_fmix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

static uint32_t
ref_crc32c_word(uint32_t w, uint32_t crc)
{
	uint8_t b[4] = { (uint8_t)w, (uint8_t)(w >> 8), (uint8_t)(w >> 16), (uint8_t)(w >> 24) };

	return ref_crc32c(b, 4, crc);
}

/*
 * lb.h's definition of the flow hash, written out independently of
 * rte_hash_crc: what a peer unit, another CPU or a tool must compute.
 */
static uint32_t
ref_hash_tuple(const struct sk_lb_tuple *t)
{
	size_t al = t->family == AF_INET6 ? 16 : 4;
	uint32_t h = SK_LB_HASH_SEED;

	h = ref_crc32c(t->src, al, h);
	h = ref_crc32c(t->dst, al, h);
	h = ref_crc32c_word((uint32_t)t->sport << 16 | t->dport, h);
	h = ref_crc32c_word((uint32_t)t->family << 8 | t->proto, h);
	return ref_fmix32(h);
}

/* Backend i is 10.1.<i/256>.<i%256>:8080, up. */
static void
mk_backends(struct sk_lb_backend *be, uint32_t n, const uint16_t *w)
{
	memset(be, 0, sizeof(*be) * n);
	for (uint32_t i = 0; i < n; i++) {
		be[i].family = AF_INET;
		be[i].addr[0] = 10;
		be[i].addr[1] = 1;
		be[i].addr[2] = (uint8_t)(i >> 8);
		be[i].addr[3] = (uint8_t)i;
		be[i].port = 8080;
		be[i].weight = w ? w[i] : 1;
		be[i].state = SK_LB_UP;
	}
}

static void
count_entries(const struct sk_lb_maglev *t, uint32_t *cnt, uint32_t n, uint32_t *empty)
{
	uint32_t m;
	const uint16_t *tab = sk_lb_maglev_table(t, &m);

	memset(cnt, 0, sizeof(*cnt) * n);
	*empty = 0;
	for (uint32_t s = 0; s < m; s++) {
		if (tab[s] == 0xffff)
			(*empty)++;
		else if (tab[s] < n)
			cnt[tab[s]]++;
	}
}

/* ---- M validation ---- */

static void
test_prime_and_m(void)
{
	static const struct { uint32_t m; int prime; } pt[] = {
		{ 0, 0 }, { 1, 0 }, { 2, 1 }, { 3, 1 }, { 4, 0 }, { 9, 0 }, { 101, 1 },
		{ 253, 0 }, { 65536, 0 }, { 65537, 1 }, { 65539, 1 }, { 65541, 0 },
		{ 4294967291u, 1 }, { 4294967295u, 0 },
	};
	static const struct { uint32_t n, m; int ok; const char *what; } mt[] = {
		{ 100, 65537, 1, "default M" },
		{ 100, 0, 1, "M=0 means the default" },
		{ 100, 65536, 0, "M not prime" },
		{ 100, 97, 0, "M prime but < n" },
		{ 100, 100, 0, "M = n" },
		{ 100, 101, 1, "M = smallest prime > n" },
		{ 100, 16777259, 0, "M over SK_LB_MAGLEV_M_MAX" },
	};
	struct sk_lb_backend be[MAXB];
	uint16_t tab[128];

	for (size_t i = 0; i < RTE_DIM(pt); i++)
		SK_CHECK(sk_is_prime(pt[i].m) == pt[i].prime, "is_prime(%u) = %d",
			 pt[i].m, pt[i].prime);
	mk_backends(be, MAXB, NULL);
	for (size_t i = 0; i < RTE_DIM(mt); i++) {
		struct sk_lb_maglev *t;

		rte_errno = 0;
		t = sk_lb_maglev_create(be, mt[i].n, mt[i].m, SOCKET_ID_ANY);
		if (mt[i].ok)
			SK_CHECK(t != NULL, "create n=%u M=%u accepted (%s)", mt[i].n, mt[i].m,
				 mt[i].what);
		else
			SK_CHECK(t == NULL && rte_errno == EINVAL,
				 "create n=%u M=%u refused with EINVAL (%s)", mt[i].n, mt[i].m,
				 mt[i].what);
		sk_lb_maglev_free(t);
	}
	SK_CHECK(sk_lb_maglev_fill(tab, 128, be, 100) == -EINVAL, "fill: M=128 not prime refused");
	SK_CHECK(sk_lb_maglev_fill(tab, 97, be, 100) == -EINVAL, "fill: M=97 < n refused");
	SK_CHECK(sk_lb_maglev_fill(tab, 127, be, 100) == 0, "fill: M=127 > n accepted");
	sk_lb_maglev_free(NULL);
}

/* ---- Maglev shares ---- */

struct share_case {
	const char *name;
	uint32_t n;
	uint16_t (*weight)(uint32_t i);
	int check_rel;  /* shares of >= ~130 entries: 1 % is more than one entry */
};

static uint16_t w_one(uint32_t i) { (void)i; return 1; }
static uint16_t w_1to5(uint32_t i) { return (uint16_t)(i % 5 + 1); }
static uint16_t w_1to10(uint32_t i) { return (uint16_t)(i % 10 + 1); }
static uint16_t w_big(uint32_t i) { return (uint16_t)(1000 * (i % 7 + 1) + 3 * i); }
static uint16_t w_skew(uint32_t i) { return i == 0 ? 65535 : (uint16_t)(i % 3 + 1); }

static void
test_maglev_shares(void)
{
	static const struct share_case cases[] = {
		{ "100 x weight 1", 100, w_one, 1 },
		{ "100 x weights 1..5", 100, w_1to5, 1 },
		{ "50 x weights 1..10", 50, w_1to10, 1 },
		{ "3 x weight 1", 3, w_one, 1 },
		{ "120 x weights 1000..7000", 120, w_big, 1 },
		{ "20: one 65535, rest 1..3", 20, w_skew, 0 },
	};
	struct sk_lb_backend be[MAXB];
	uint16_t w[MAXB];
	uint32_t cnt[MAXB], empty;

	for (size_t c = 0; c < RTE_DIM(cases); c++) {
		const struct share_case *k = &cases[c];
		struct sk_lb_maglev *t;
		double sum = 0, max_rel = 0, max_abs = 0;
		uint32_t total = 0, over = 0;

		for (uint32_t i = 0; i < k->n; i++) {
			w[i] = k->weight(i);
			sum += w[i];
		}
		mk_backends(be, k->n, w);
		t = sk_lb_maglev_create(be, k->n, M, SOCKET_ID_ANY);
		SK_CHECK(t != NULL, "%s: table built", k->name);
		if (t == NULL)
			continue;
		count_entries(t, cnt, k->n, &empty);
		for (uint32_t i = 0; i < k->n; i++) {
			double exp = (double)M * w[i] / sum;
			double ad = fabs(cnt[i] - exp);

			total += cnt[i];
			/* the documented bound: error < max(2, 2 n w / W) entries */
			if (ad >= RTE_MAX(2.0, 2.0 * k->n * w[i] / sum))
				over++;
			if (ad > max_abs)
				max_abs = ad;
			if (ad / exp > max_rel)
				max_rel = ad / exp;
		}
		SK_CHECK(empty == 0 && total == M, "%s: every slot filled (%u)", k->name, total);
		SK_CHECK(over == 0, "%s: every share within max(2, 2nw/W) entries of M*w/W "
			 "(max error %.2f)", k->name, max_abs);
		if (k->check_rel)
			SK_CHECK(max_rel <= 0.01,
				 "%s: every share's relative error |entries/M - w/W| / (w/W) <= 1 %% "
				 "(max %.3f %%)", k->name, 100 * max_rel);
		printf("# maglev %s: max abs error %.2f entries, max relative error %.3f %%\n",
		       k->name, max_abs, 100 * max_rel);
		sk_lb_maglev_free(t);
	}
}

/* ---- Maglev disruption on rebuild ---- */

/* Fraction of slots not owned by `gone` in a that have another owner in b
 * (gone = SK_LB_NONE: all slots of a). */
static double
moved_others(const uint16_t *a, const uint16_t *b, uint32_t m, uint32_t gone, uint32_t *from_gone_left)
{
	uint32_t others = 0, moved = 0, left = 0;

	for (uint32_t s = 0; s < m; s++) {
		if (a[s] == gone) {
			left += b[s] == gone;
			continue;
		}
		others++;
		moved += a[s] != b[s];
	}
	if (from_gone_left)
		*from_gone_left = left;
	return (double)moved / others;
}

static void
test_maglev_disruption(void)
{
	static const struct { const char *name; uint32_t n; uint16_t (*weight)(uint32_t); uint32_t k; uint8_t how; } cases[] = {
		{ "100 equal, #37 down", 100, w_one, 37, SK_LB_DOWN },
		{ "100 equal, #0 drained", 100, w_one, 0, SK_LB_DRAIN },
		{ "100 weights 1..5, #99 disabled", 100, w_1to5, 99, SK_LB_DISABLED },
		{ "100 weights 1..5, #4 (weight 5) down", 100, w_1to5, 4, SK_LB_DOWN },
		{ "10 equal, #3 down", 10, w_one, 3, SK_LB_DOWN },
	};
	struct sk_lb_backend be[MAXB];
	uint16_t w[MAXB];

	for (size_t c = 0; c < RTE_DIM(cases); c++) {
		struct sk_lb_maglev *t1, *t2, *t3;
		const uint16_t *a, *b, *r;
		uint32_t m, left, n = cases[c].n, k = cases[c].k;
		double mv;

		for (uint32_t i = 0; i < n; i++)
			w[i] = cases[c].weight(i);
		mk_backends(be, n, w);
		t1 = sk_lb_maglev_create(be, n, M, SOCKET_ID_ANY);
		be[k].state = cases[c].how;
		t2 = sk_lb_maglev_create(be, n, M, SOCKET_ID_ANY);
		be[k].state = SK_LB_UP;
		t3 = sk_lb_maglev_create(be, n, M, SOCKET_ID_ANY);
		SK_CHECK(t1 && t2 && t3, "%s: tables built", cases[c].name);
		if (!(t1 && t2 && t3))
			goto next;
		a = sk_lb_maglev_table(t1, &m);
		b = sk_lb_maglev_table(t2, NULL);
		r = sk_lb_maglev_table(t3, NULL);
		mv = moved_others(a, b, m, k, &left);
		SK_CHECK(left == 0, "%s: none of its slots left to it", cases[c].name);
		SK_CHECK(mv <= 0.01, "%s: <= 1 %% of the other backends' slots moved (%.3f %%)",
			 cases[c].name, 100 * mv);
		printf("# maglev remove %s: others' slots moved %.3f %%\n", cases[c].name, 100 * mv);
		mv = moved_others(a, r, m, SK_LB_NONE, NULL);
		SK_CHECK(mv == 0.0, "%s: back up restores the original table (%.3f %% differ)",
			 cases[c].name, 100 * mv);
next:
		sk_lb_maglev_free(t1);
		sk_lb_maglev_free(t2);
		sk_lb_maglev_free(t3);
	}

	/* Adding a new backend: it takes ~M/(n+1) slots, the others mostly keep theirs. */
	{
		struct sk_lb_maglev *t1, *t2;
		const uint16_t *a, *b;
		uint32_t m, moved_other = 0, got = 0;

		mk_backends(be, 101, NULL);
		t1 = sk_lb_maglev_create(be, 100, M, SOCKET_ID_ANY);
		t2 = sk_lb_maglev_create(be, 101, M, SOCKET_ID_ANY);
		SK_CHECK(t1 && t2, "add: tables built");
		if (t1 && t2) {
			a = sk_lb_maglev_table(t1, &m);
			b = sk_lb_maglev_table(t2, NULL);
			for (uint32_t s = 0; s < m; s++) {
				if (b[s] == 100)
					got++;
				else if (a[s] != b[s])
					moved_other++;
			}
			SK_CHECK(fabs(got - (double)M / 101) <= 2, "add: new backend got %u slots (~M/101)",
				 got);
			SK_CHECK(moved_other <= M / 100,
				 "add: slots moved between old backends <= 1 %% (%.3f %%)",
				 100.0 * moved_other / M);
			printf("# maglev add 101st: %u slots to it, %.3f %% moved between old backends\n",
			       got, 100.0 * moved_other / M);
		}
		sk_lb_maglev_free(t1);
		sk_lb_maglev_free(t2);
	}
}

/* ---- states: only UP with weight > 0 is ever chosen ---- */

static void
test_states(void)
{
	static const uint8_t states[] = { SK_LB_UP, SK_LB_DRAIN, SK_LB_DISABLED, SK_LB_DOWN };
	struct sk_lb_backend be[MAXB];
	uint32_t cnt[MAXB], conns[MAXB] = { 0 }, empty, bad;
	struct sk_lb_maglev *t;
	struct sk_lb_wrr *w;

	mk_backends(be, 40, NULL);
	for (uint32_t i = 0; i < 40; i++)
		be[i].state = states[i % 4];
	be[4].weight = 0;   /* up but weight 0: takes nothing either */
	t = sk_lb_maglev_create(be, 40, M, SOCKET_ID_ANY);
	SK_CHECK(t != NULL, "mixed states: table built");
	if (t) {
		count_entries(t, cnt, 40, &empty);
		bad = 0;
		for (uint32_t i = 0; i < 40; i++)
			if (!sk_lb_backend_eligible(&be[i]) && cnt[i] != 0)
				bad++;
		SK_CHECK(bad == 0 && empty == 0, "maglev: drain/disabled/down/weight-0 have no slots");
		bad = 0;
		for (uint32_t i = 0; i < 20000; i++) {
			uint8_t src[16] = { 192, 0, 2, 0 };
			uint32_t x = rng(), b;

			memcpy(src, &x, 4);
			b = sk_lb_sh_pick(t, AF_INET, src);
			bad += b >= 40 || !sk_lb_backend_eligible(&be[b]);
		}
		SK_CHECK(bad == 0, "sh: 20000 sources never on a non-up backend");
	}
	sk_lb_maglev_free(t);

	w = sk_lb_wrr_create(40, SOCKET_ID_ANY);
	SK_CHECK(w != NULL, "wrr state created");
	bad = 0;
	for (uint32_t i = 0; w && i < 1000; i++) {
		uint32_t b = sk_lb_wrr_pick(w, be, 40);

		bad += b >= 40 || !sk_lb_backend_eligible(&be[b]);
	}
	SK_CHECK(bad == 0, "wrr: 1000 picks never a non-up backend");
	/* WLC: the non-up ones have no connections at all and still lose. */
	for (uint32_t i = 0; i < 40; i++)
		conns[i] = sk_lb_backend_eligible(&be[i]) ? 1000 : 0;
	bad = 0;
	for (uint32_t i = 0; i < 1000; i++) {
		uint32_t b = sk_lb_wlc_pick(be, conns, 40);

		bad += b >= 40 || !sk_lb_backend_eligible(&be[b]);
		if (b < 40)
			conns[b]++;
	}
	SK_CHECK(bad == 0, "wlc: 1000 picks never a non-up backend despite 0 connections");

	/* Nothing eligible: every scheduler says SK_LB_NONE. */
	for (uint32_t i = 0; i < 40; i++)
		be[i].state = states[1 + i % 3];
	t = sk_lb_maglev_create(be, 40, M, SOCKET_ID_ANY);
	SK_CHECK(t != NULL, "all down: table still built");
	if (t) {
		bad = 0;
		for (uint32_t i = 0; i < 1000; i++)
			bad += sk_lb_maglev_lookup(t, rng()) != SK_LB_NONE;
		SK_CHECK(bad == 0, "all down: maglev lookup gives SK_LB_NONE");
		SK_CHECK(sk_lb_sh_pick(t, AF_INET, be[0].addr) == SK_LB_NONE, "all down: sh none");
	}
	sk_lb_maglev_free(t);
	t = sk_lb_maglev_create(be, 0, M, SOCKET_ID_ANY);
	SK_CHECK(t != NULL && sk_lb_maglev_lookup(t, 12345) == SK_LB_NONE, "no backends: none");
	sk_lb_maglev_free(t);
	SK_CHECK(w && sk_lb_wrr_pick(w, be, 40) == SK_LB_NONE, "all down: wrr none");
	SK_CHECK(w && sk_lb_wrr_pick(w, be, 41) == SK_LB_NONE, "wrr: n beyond its state refused");
	SK_CHECK(sk_lb_wlc_pick(be, conns, 40) == SK_LB_NONE, "all down: wlc none");
	sk_lb_wrr_free(w);
	sk_lb_wrr_free(NULL);
	SK_CHECK(sk_lb_wrr_create(0, SOCKET_ID_ANY) == NULL && rte_errno == EINVAL,
		 "wrr_create(0) refused");
}

/* ---- smooth WRR ---- */

static void
test_wrr(void)
{
	static const struct { const char *name; uint32_t n; uint16_t w[8]; uint8_t st[8]; } cases[] = {
		{ "5,1,1", 3, { 5, 1, 1 }, { 0 } },
		{ "1,1,1,1", 4, { 1, 1, 1, 1 }, { 0 } },
		{ "3,2", 2, { 3, 2 }, { 0 } },
		{ "10,0,5", 3, { 10, 0, 5 }, { 0 } },
		{ "7,3,drain 9,2", 4, { 7, 3, 9, 2 }, { 0, 0, SK_LB_DRAIN, 0 } },
		{ "100,1", 2, { 100, 1 }, { 0 } },
		{ "13,8,5,3,2,1,1", 7, { 13, 8, 5, 3, 2, 1, 1 }, { 0 } },
	};
	struct sk_lb_backend be[8];
	uint32_t seq[3 * 8 * 100], cnt[8];

	for (size_t c = 0; c < RTE_DIM(cases); c++) {
		uint32_t n = cases[c].n, W = 0, bad = 0;
		struct sk_lb_wrr *w = sk_lb_wrr_create(n, SOCKET_ID_ANY);
		double max_lag = 0;
		int exact = 1;

		mk_backends(be, n, cases[c].w);
		for (uint32_t i = 0; i < n; i++) {
			be[i].state = cases[c].st[i];
			if (sk_lb_backend_eligible(&be[i]))
				W += be[i].weight;
		}
		if (w == NULL) {
			SK_CHECK(0, "%s: wrr created", cases[c].name);
			continue;
		}
		for (uint32_t p = 0; p < 3 * W; p++)
			seq[p] = sk_lb_wrr_pick(w, be, n);
		for (uint32_t cy = 0; cy < 3; cy++) {
			memset(cnt, 0, sizeof(cnt));
			for (uint32_t p = cy * W; p < (cy + 1) * W; p++) {
				if (seq[p] >= n) {
					bad++;
					continue;
				}
				cnt[seq[p]]++;
				/* smoothness: after t picks of the cycle, backend i has
				 * been picked within 1 of t * w_i / W */
				for (uint32_t i = 0; i < n; i++) {
					double want = (double)(p - cy * W + 1) *
						(sk_lb_backend_eligible(&be[i]) ? be[i].weight : 0) / W;
					double lag = fabs(cnt[i] - want);

					if (lag > max_lag)
						max_lag = lag;
				}
			}
			for (uint32_t i = 0; i < n; i++)
				exact &= cnt[i] == (sk_lb_backend_eligible(&be[i]) ? be[i].weight : 0u);
		}
		SK_CHECK(bad == 0 && exact, "wrr %s: every cycle of %u picks gives exactly the weights",
			 cases[c].name, W);
		SK_CHECK(max_lag < 1.0, "wrr %s: every prefix within 1 pick of its share (max %.2f)",
			 cases[c].name, max_lag);
		printf("# wrr %s: max prefix lag %.2f picks\n", cases[c].name, max_lag);
		sk_lb_wrr_free(w);
	}

	/* nginx's documented sequence for 5,1,1 */
	{
		static const uint16_t w3[] = { 5, 1, 1 };
		static const uint32_t want[] = { 0, 0, 1, 0, 2, 0, 0 };
		struct sk_lb_wrr *w = sk_lb_wrr_create(3, SOCKET_ID_ANY);
		int same = w != NULL;

		mk_backends(be, 3, w3);
		for (uint32_t p = 0; w && p < RTE_DIM(want); p++)
			same &= sk_lb_wrr_pick(w, be, 3) == want[p];
		SK_CHECK(same, "wrr 5,1,1 gives a a b a c a a (no burst of 5)");
		/* A backend drained mid-cycle is skipped; back up, it restarts clean. */
		be[0].state = SK_LB_DRAIN;
		same = 1;
		for (uint32_t p = 0; w && p < 10; p++)
			same &= sk_lb_wrr_pick(w, be, 3) != 0;
		SK_CHECK(same, "wrr: drained backend skipped at once");
		be[0].state = SK_LB_UP;
		sk_lb_wrr_reset(w);
		same = 1;
		for (uint32_t p = 0; w && p < RTE_DIM(want); p++)
			same &= sk_lb_wrr_pick(w, be, 3) == want[p];
		SK_CHECK(same, "wrr: after reset the sequence starts over");
		sk_lb_wrr_free(w);
	}
}

/* ---- WLC ---- */

static void
test_wlc(void)
{
	static const struct { const char *name; uint32_t n; uint16_t w[4]; uint8_t st[4]; uint32_t c[4]; uint32_t want; } cases[] = {
		{ "equal load, weights 1,2,3: heaviest", 3, { 1, 2, 3 }, { 0 }, { 10, 10, 10 }, 2 },
		{ "ratios 2,2,2 tie: lowest index", 3, { 1, 2, 3 }, { 0 }, { 2, 4, 6 }, 0 },
		{ "5/1 vs 9/2 vs 13/3", 3, { 1, 2, 3 }, { 0 }, { 5, 9, 13 }, 2 },
		{ "all zero: index 0", 3, { 1, 1, 1 }, { 0 }, { 0, 0, 0 }, 0 },
		{ "least loaded is down", 3, { 1, 1, 1 }, { SK_LB_DOWN, 0, 0 }, { 0, 7, 6 }, 2 },
		{ "weight 0 never", 2, { 0, 1 }, { 0 }, { 0, 1000 }, 1 },
		{ "big counts exact", 2, { 65535, 65534 }, { 0 }, { 4000000000u, 3999938965u }, 0 },
	};
	struct sk_lb_backend be[4];

	for (size_t c = 0; c < RTE_DIM(cases); c++) {
		mk_backends(be, cases[c].n, cases[c].w);
		for (uint32_t i = 0; i < cases[c].n; i++)
			be[i].state = cases[c].st[i];
		SK_CHECK(sk_lb_wlc_pick(be, cases[c].c, cases[c].n) == cases[c].want,
			 "wlc %s -> %u", cases[c].name, cases[c].want);
	}

	/* Filling from empty converges to exactly the weight proportions. */
	{
		static const uint16_t w[] = { 1, 2, 3, 4 };
		uint32_t conns[4] = { 0 };

		mk_backends(be, 4, w);
		for (uint32_t i = 0; i < 1000; i++) {
			uint32_t b = sk_lb_wlc_pick(be, conns, 4);

			if (b < 4)
				conns[b]++;
		}
		SK_CHECK(conns[0] == 100 && conns[1] == 200 && conns[2] == 300 && conns[3] == 400,
			 "wlc 1000 new connections on weights 1,2,3,4 -> %u %u %u %u",
			 conns[0], conns[1], conns[2], conns[3]);
	}
}

/* ---- flow hash and source hash ---- */

static void
rand_src(uint8_t src[16])
{
	uint32_t x = rng();

	memset(src, 0, 16);
	memcpy(src, &x, 4);
}

static void
test_hash_and_sh(void)
{
	static const uint16_t w8[] = { 1, 1, 2, 2, 3, 3, 4, 4 };
	enum { NSRC = 200000 };
	struct sk_lb_backend be[8];
	struct sk_lb_tuple tu, tv;
	struct sk_lb_maglev *t1, *t2;
	uint32_t cnt[8] = { 0 }, diff = 0, same = 1, moved = 0, others = 0;
	uint8_t (*srcs)[16] = malloc(sizeof(*srcs) * NSRC);
	uint32_t *pick = malloc(sizeof(*pick) * NSRC);
	double max_rel = 0;

	SK_CHECK(srcs && pick, "memory");
	if (!srcs || !pick)
		goto out0;

	/* flow hash: deterministic, and every field matters */
	memset(&tu, 0, sizeof(tu));
	tu.family = AF_INET;
	tu.proto = 6;
	tu.sport = 40000;
	tu.dport = 443;
	memcpy(tu.src, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	memcpy(tu.dst, (uint8_t[]){ 198, 51, 100, 7 }, 4);
	SK_CHECK(sk_lb_hash_tuple(&tu) == sk_lb_hash_tuple(&tu), "flow hash deterministic");
	for (int f = 0; f < 5; f++) {
		tv = tu;
		switch (f) {
		case 0: tv.src[3] ^= 1; break;
		case 1: tv.dst[0] ^= 0x80; break;
		case 2: tv.sport++; break;
		case 3: tv.dport++; break;
		case 4: tv.proto = 17; break;
		}
		diff += sk_lb_hash_tuple(&tv) != sk_lb_hash_tuple(&tu);
	}
	SK_CHECK(diff == 5, "flow hash changes with each of src, dst, sport, dport, proto");
	tv = tu;
	tv.family = AF_INET6;
	SK_CHECK(sk_lb_hash_tuple(&tv) != sk_lb_hash_tuple(&tu), "flow hash: IPv6 hashes 16-byte addresses");
	{
		uint32_t bad = 0, bad_src = 0;

		/* Same value as the definition, whatever rte_hash_crc ran on
		 * (SSE4.2 / ARMv8 instruction or its tables). */
		for (uint32_t i = 0; i < 2000; i++) {
			tv = tu;
			tv.family = (i & 1) ? AF_INET6 : AF_INET;
			tv.proto = (i & 2) ? 17 : 6;
			for (int b = 0; b < 16; b++) {
				tv.src[b] = (uint8_t)rng();
				tv.dst[b] = (uint8_t)rng();
			}
			if (tv.family == AF_INET) { /* unused bytes are not hashed */
				memset(tv.src + 4, 0, 12);
				memset(tv.dst + 4, 0, 12);
			}
			tv.sport = (uint16_t)rng();
			tv.dport = (uint16_t)rng();
			bad += sk_lb_hash_tuple(&tv) != ref_hash_tuple(&tv);
			bad_src += sk_lb_hash_src(tv.family, tv.src) !=
				   ref_fmix32(ref_crc32c_word(tv.family,
				       ref_crc32c(tv.src, tv.family == AF_INET6 ? 16 : 4,
						  SK_LB_HASH_SEED)));
		}
		SK_CHECK(bad == 0 && bad_src == 0,
			 "flow hash = lb.h's CRC32-C definition (bitwise reference): %u + %u of 2000 differ",
			 bad, bad_src);
	}

	/* flow hash spread over the 100-backend table */
	{
		struct sk_lb_backend b100[100];
		struct sk_lb_maglev *t;
		uint32_t c100[100] = { 0 }, lo = UINT32_MAX, hi = 0;

		mk_backends(b100, 100, NULL);
		t = sk_lb_maglev_create(b100, 100, M, SOCKET_ID_ANY);
		for (uint32_t i = 0; t && i < NSRC; i++) {
			uint32_t b;

			tv = tu;
			tv.sport = (uint16_t)rng();
			rand_src(tv.src);
			b = sk_lb_maglev_lookup(t, sk_lb_hash_tuple(&tv));
			if (b < 100)
				c100[b]++;
		}
		for (uint32_t i = 0; i < 100; i++) {
			lo = RTE_MIN(lo, c100[i]);
			hi = RTE_MAX(hi, c100[i]);
		}
		/* 2000 expected per backend, sigma ~44: +-15 % is > 6 sigma */
		SK_CHECK(t && lo >= 1700 && hi <= 2300,
			 "200000 random flows over 100 backends: min %u max %u (2000 expected)", lo, hi);
		printf("# flow hash: 200000 flows over 100 equal backends, min %u max %u\n", lo, hi);
		sk_lb_maglev_free(t);
	}

	/* source hash: stable, weighted, minimal disruption */
	mk_backends(be, 8, w8);
	t1 = sk_lb_maglev_create(be, 8, M, SOCKET_ID_ANY);
	be[5].state = SK_LB_DOWN;
	t2 = sk_lb_maglev_create(be, 8, M, SOCKET_ID_ANY);
	SK_CHECK(t1 && t2, "sh tables built");
	if (!t1 || !t2)
		goto out;
	for (uint32_t i = 0; i < NSRC; i++) {
		rand_src(srcs[i]);
		pick[i] = sk_lb_sh_pick(t1, AF_INET, srcs[i]);
		if (pick[i] < 8)
			cnt[pick[i]]++;
	}
	for (uint32_t i = 0; i < NSRC; i += 97)
		same &= sk_lb_sh_pick(t1, AF_INET, srcs[i]) == pick[i];
	SK_CHECK(same, "sh: same source, same backend");
	for (uint32_t i = 0; i < 8; i++) {
		double exp = (double)NSRC * w8[i] / 20;
		double rel = fabs(cnt[i] - exp) / exp;

		max_rel = RTE_MAX(max_rel, rel);
	}
	/* smallest share 10000 sources, sigma ~95: 5 % is > 5 sigma */
	SK_CHECK(max_rel <= 0.05, "sh: 200000 sources follow weights 1,1,2,2,3,3,4,4 within 5 %% "
		 "(max %.2f %%)", 100 * max_rel);
	printf("# sh: 200000 random sources, weights 1,1,2,2,3,3,4,4: max relative error %.2f %%\n",
	       100 * max_rel);
	for (uint32_t i = 0; i < NSRC; i++) {
		uint32_t b = sk_lb_sh_pick(t2, AF_INET, srcs[i]);

		if (pick[i] == 5) {
			same &= b != 5;
			continue;
		}
		others++;
		moved += b != pick[i];
	}
	SK_CHECK(same, "sh: sources of the removed backend all moved");
	SK_CHECK(moved <= others / 100, "sh: <= 1 %% of the other sources moved (%.3f %%)",
		 100.0 * moved / others);
	printf("# sh: one of 8 backends down: %.3f %% of the other sources moved\n",
	       100.0 * moved / others);
out:
	sk_lb_maglev_free(t1);
	sk_lb_maglev_free(t2);
out0:
	free(srcs);
	free(pick);
}

int
main(int argc, char **argv)
{
	(void)argc;
	if (sk_test_eal_init(argv[0]) < 0) {
		printf("not ok 1 - EAL init\n");
		return 1;
	}
	test_prime_and_m();
	test_maglev_shares();
	test_maglev_disruption();
	test_states();
	test_wrr();
	test_wlc();
	test_hash_and_sh();
	return SK_TEST_DONE();
}
