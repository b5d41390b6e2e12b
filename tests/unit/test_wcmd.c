/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_wcmd.c - the worker command ring (dataplane/wcmd) and the resumable
 * table walk under it (sk_conn_walk_step): every connection seen once
 * across steps, a command finished only when its walk is, budgets kept,
 * listing/count/kill results equal to a full walk's, commands done in
 * order, a full ring refused, and a real second thread as the worker.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <rte_errno.h>
#include <rte_ring.h>

#include "sk_test.h"
#include "sk_test_eal.h"
#include "sk_test_conn.h"
#include "wcmd/wcmd.h"

#define SYN RTE_TCP_SYN_FLAG
#define N_CONNS 1000u

/* Connections 10.0.x.y:1000+i -> 11.0.0.1:80 (i even) or :443 (i odd). */
static struct sk_conn_table *
filled(const char *name, uint32_t n)
{
	struct sk_conn_table *t = sk_conn_table_create(name, n * 2, SOCKET_ID_ANY);

	for (uint32_t i = 0; t != NULL && i < n; i++) {
		struct sk_pkt_meta m = mk4(0x0a000000 + i, 0x0b000001, (uint16_t)(1000 + i),
					   i % 2 ? 443 : 80, IPPROTO_TCP, SYN);

		if (open_conn(t, &m, 0) == NULL) {
			sk_conn_table_free(t);
			return NULL;
		}
	}
	return t;
}

struct seen {
	uint32_t n;
	int stop_at;         /* stop (return 7) at the stop_at-th connection, 0: never */
};

static int
seen_cb(const struct sk_conn *c, void *arg)
{
	struct seen *s = arg;

	(void)c;
	s->n++;
	return s->stop_at != 0 && s->n == (uint32_t)s->stop_at ? 7 : 0;
}

static void
test_walk_step(void)
{
	struct sk_conn_table *t = filled("w_step", N_CONNS);
	struct seen s = { 0 };
	uint32_t cur = 0, steps = 0, whole = 0;
	int rc = 0;

	SK_CHECK(t != NULL, "table of %u connections", N_CONNS);
	if (t == NULL)
		return;
	while (cur != SK_CONN_WALK_END && steps < 100000) {
		rc |= sk_conn_walk_step(t, &cur, 7, seen_cb, &s);
		steps++;
	}
	SK_CHECK(rc == 0 && s.n == N_CONNS, "budget 7: %u connections seen (%u)", s.n, N_CONNS);
	/* 2000 slots (n * 2) at 7 a step */
	SK_CHECK(steps == (2 * N_CONNS + 6) / 7, "%u steps of 7 slots for %u slots", steps,
		 2 * N_CONNS);
	SK_CHECK(sk_conn_walk_step(t, &cur, 7, seen_cb, &s) == 0 && cur == SK_CONN_WALK_END &&
		 s.n == N_CONNS, "a step past the end visits nothing");

	memset(&s, 0, sizeof(s));
	s.stop_at = 10;
	cur = 0;
	SK_CHECK(sk_conn_walk_step(t, &cur, UINT32_MAX, seen_cb, &s) == 7 && s.n == 10 &&
		 cur != SK_CONN_WALK_END, "cb stops the walk: its value back, cursor past it");
	s.stop_at = 0;
	while (cur != SK_CONN_WALK_END)
		(void)sk_conn_walk_step(t, &cur, 64, seen_cb, &s);
	SK_CHECK(s.n == N_CONNS, "resumed after a stop: every connection once (%u)", s.n);

	/* Connections deleted between steps are not seen; the rest once. */
	memset(&s, 0, sizeof(s));
	cur = 0;
	(void)sk_conn_walk_step(t, &cur, 100, seen_cb, &s);
	whole = s.n;
	for (uint32_t i = 0; i < N_CONNS; i += 2) {
		struct sk_pkt_meta m = mk4(0x0a000000 + i, 0x0b000001, (uint16_t)(1000 + i), 80,
					   IPPROTO_TCP, SYN);
		struct sk_conn_key k;
		uint8_t sa;
		struct sk_conn *c;

		sk_conn_key_from_meta(&m, &k, &sa);
		c = sk_conn_lookup(t, &k);
		if (c != NULL)
			sk_conn_delete(t, c);
	}
	while (cur != SK_CONN_WALK_END)
		(void)sk_conn_walk_step(t, &cur, 100, seen_cb, &s);
	SK_CHECK(sk_conn_count(t) == N_CONNS / 2 && s.n >= N_CONNS / 2 && s.n <= N_CONNS / 2 + whole,
		 "deletes between steps: %u seen (%u live, %u before them)", s.n, sk_conn_count(t),
		 whole);
	sk_conn_table_free(t);
}

/* Run a posted command on this thread, budget at a time, as a worker would. */
static uint32_t
drive(struct sk_wcmd_port *p, const struct sk_wcmd_ctx *ctx, struct sk_wcmd *cmd, uint32_t budget,
      int *over)
{
	uint32_t calls = 0;

	while (!sk_wcmd_done(cmd) && calls < 1000000) {
		if (sk_wcmd_poll(p, ctx, budget) > budget)
			(*over)++;
		calls++;
	}
	return calls;
}

static void
test_commands(void)
{
	struct sk_conn_table *t = filled("w_cmd", N_CONNS);
	struct sk_wcmd_ctx ctx = { .conns = t, .now_ms = 5, .worker = 3 };
	struct sk_wcmd_port p;
	struct sk_shm_filter all = { 0 }, https = { .port = 443 };
	struct sk_shm_conn *out = calloc(N_CONNS, sizeof(*out));
	struct sk_wcmd cmd = { 0 }, more[70];
	uint32_t calls, i, bad = 0, odd = 0;
	int over = 0, rc;

	SK_CHECK(t != NULL && out != NULL && sk_wcmd_port_init(&p, 0, SOCKET_ID_ANY) == 0,
		 "table, buffer and command ring");
	if (t == NULL || out == NULL)
		return;
	SK_CHECK(!sk_wcmd_pending(&p) && sk_wcmd_poll(&p, &ctx, 64) == 0,
		 "idle: nothing pending, a poll spends nothing");

	cmd.type = SK_WCMD_CONN_COUNT;
	cmd.u.conn_count.filter = &all;
	SK_CHECK(sk_wcmd_post(&p, &cmd) == 0 && sk_wcmd_pending(&p) && !sk_wcmd_done(&cmd),
		 "count posted, pending, not done");
	SK_CHECK(sk_wcmd_poll(&p, &ctx, 16) == 16 && !sk_wcmd_done(&cmd) && p.cur == &cmd,
		 "one poll of 16 units: still in progress");
	calls = drive(&p, &ctx, &cmd, 16, &over);
	SK_CHECK(sk_wcmd_done(&cmd) && cmd.rc == 0 && cmd.u.conn_count.n == N_CONNS && over == 0,
		 "count: %" PRIu64 " after %u more polls of 16, none over budget",
		 cmd.u.conn_count.n, calls);
	SK_CHECK(calls >= 2 * N_CONNS / 16 - 2, "the walk took its budgets (%u polls)", calls);

	/* A listing: the same records a full walk gives, the worker's id. */
	memset(&cmd, 0, sizeof(cmd));
	cmd.type = SK_WCMD_CONN_LIST;
	cmd.u.conn_list = (struct sk_wcmd_conn){ .filter = &https, .out = out, .cap = N_CONNS };
	rc = sk_wcmd_post(&p, &cmd);
	calls = drive(&p, &ctx, &cmd, 32, &over);
	for (i = 0; i < cmd.u.conn_list.n; i++) {
		odd += out[i].dport == 443 && (out[i].sport - 1000) % 2 == 1;
		bad += out[i].worker != 3 || out[i].family != 4 || out[i].proto != IPPROTO_TCP ||
		       out[i].src[0] != 10 || out[i].dst[3] != 1 || out[i].idle_ms != 5 ||
		       out[i].rule_id != 7 || out[i].generation != 3;
	}
	SK_CHECK(rc == 0 && cmd.rc == 0 && cmd.u.conn_list.n == N_CONNS / 2 && odd == N_CONNS / 2 &&
		 bad == 0 && over == 0, "list port 443: %" PRIu64 " records, originator's view, %u polls",
		 cmd.u.conn_list.n, calls);

	memset(&cmd, 0, sizeof(cmd));
	cmd.type = SK_WCMD_CONN_LIST;
	cmd.u.conn_list = (struct sk_wcmd_conn){ .filter = &all, .out = out, .cap = 10 };
	rc = sk_wcmd_post(&p, &cmd);
	(void)drive(&p, &ctx, &cmd, 1u << 20, &over);
	SK_CHECK(rc == 0 && cmd.u.conn_list.n == 10, "list stops at its room (10)");

	/* Kill port 443 with a small budget, then count what is left. */
	memset(&cmd, 0, sizeof(cmd));
	cmd.type = SK_WCMD_CONN_KILL;
	cmd.u.conn_kill.filter = &https;
	rc = sk_wcmd_post(&p, &cmd);
	calls = drive(&p, &ctx, &cmd, 40, &over);
	SK_CHECK(rc == 0 && cmd.u.conn_kill.n == N_CONNS / 2 && sk_conn_count(t) == N_CONNS / 2 &&
		 over == 0, "kill port 443: %" PRIu64 " killed in %u polls, %u left",
		 cmd.u.conn_kill.n, calls, sk_conn_count(t));
	SK_CHECK(calls > N_CONNS / 2 / 40, "kills draw on the budget (%u polls of 40)", calls);

	/* Several commands: done in order; a full ring says -ENOBUFS. */
	memset(more, 0, sizeof(more));
	for (i = 0, rc = 0; i < RTE_DIM(more); i++) {
		more[i].type = SK_WCMD_CONN_COUNT;
		more[i].u.conn_count.filter = i % 2 ? &https : &all;
		if (sk_wcmd_post(&p, &more[i]) != 0)
			break;
	}
	SK_CHECK(i == rte_ring_get_capacity(p.ring) && sk_wcmd_post(&p, &more[i]) == -ENOBUFS,
		 "ring full after %u commands: -ENOBUFS", i);
	(void)sk_wcmd_poll(&p, &ctx, 2 * 2 * N_CONNS + 1);
	SK_CHECK(sk_wcmd_done(&more[0]) && !sk_wcmd_done(&more[1]),
		 "a walk's step takes the poll's whole budget: the first done, not the second");
	for (uint32_t j = 0; j < i; j++)
		(void)drive(&p, &ctx, &more[j], 1000, &over);
	for (uint32_t j = 0; j < i; j++)
		bad += !sk_wcmd_done(&more[j]) || more[j].u.conn_count.n != (j % 2 ? 0 : N_CONNS / 2);
	SK_CHECK(bad == 0 && !sk_wcmd_pending(&p), "all %u done, each with its own answer", i);

	memset(&cmd, 0, sizeof(cmd));
	cmd.type = SK_WCMD__MAX;
	rc = sk_wcmd_post(&p, &cmd);
	(void)sk_wcmd_poll(&p, &ctx, 8);
	SK_CHECK(rc == 0 && sk_wcmd_done(&cmd) && cmd.rc == -EOPNOTSUPP, "unknown type: -EOPNOTSUPP");
	SK_CHECK(strcmp(sk_wcmd_names[SK_WCMD_CONN_KILL], "conn_kill") == 0, "names from the list");

	sk_wcmd_port_fini(&p);
	sk_conn_table_free(t);
	free(out);
}

/* ---- a real worker thread ---- */

struct worker_arg {
	struct sk_wcmd_port *p;
	struct sk_wcmd_ctx ctx;
	int quit;
	uint64_t loops;
};

static void *
worker_main(void *arg)
{
	struct worker_arg *a = arg;

	while (!__atomic_load_n(&a->quit, __ATOMIC_RELAXED)) {
		if (sk_wcmd_pending(a->p))
			(void)sk_wcmd_poll(a->p, &a->ctx, SK_WCMD_BUDGET);
		a->loops++;
	}
	return NULL;
}

static int
wait_done(const struct sk_wcmd *cmd)
{
	for (long i = 0; i < 20000000; i++) {
		if (sk_wcmd_done(cmd))
			return 1;
		sched_yield();
	}
	return 0;
}

static void
test_thread(void)
{
	struct sk_conn_table *t = filled("w_thr", N_CONNS);
	struct sk_wcmd_port p;
	struct sk_shm_filter all = { 0 }, http = { .port = 80 };
	struct sk_wcmd c1 = { .type = SK_WCMD_CONN_COUNT }, c2 = { .type = SK_WCMD_CONN_KILL };
	struct sk_wcmd c3 = { .type = SK_WCMD_CONN_COUNT };
	struct worker_arg a = { .p = &p };
	pthread_t th;
	int ok;

	if (t == NULL || sk_wcmd_port_init(&p, 1, SOCKET_ID_ANY) != 0) {
		SK_CHECK(0, "table and ring for the thread test");
		return;
	}
	a.ctx = (struct sk_wcmd_ctx){ .conns = t, .worker = 1 };
	SK_CHECK(pthread_create(&th, NULL, worker_main, &a) == 0, "worker thread started");
	c1.u.conn_count.filter = &all;
	c2.u.conn_kill.filter = &http;
	c3.u.conn_count.filter = &all;
	ok = sk_wcmd_post(&p, &c1) == 0 && sk_wcmd_post(&p, &c2) == 0 && sk_wcmd_post(&p, &c3) == 0;
	ok = ok && wait_done(&c3);
	SK_CHECK(ok && sk_wcmd_done(&c1) && sk_wcmd_done(&c2) && c1.u.conn_count.n == N_CONNS &&
		 c2.u.conn_kill.n == N_CONNS / 2 && c3.u.conn_count.n == N_CONNS / 2,
		 "worker thread: count %" PRIu64 ", kill %" PRIu64 ", count %" PRIu64 " in order",
		 c1.u.conn_count.n, c2.u.conn_kill.n, c3.u.conn_count.n);
	__atomic_store_n(&a.quit, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	SK_CHECK(sk_conn_count(t) == N_CONNS / 2, "the table after the thread: %u",
		 sk_conn_count(t));
	sk_wcmd_port_fini(&p);
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
	test_walk_step();
	test_commands();
	test_thread();
	return SK_TEST_DONE();
}
