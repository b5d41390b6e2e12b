/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_mbox.c - the mailbox's connection jobs end to end in one process:
 * the control block from sk_mbox_init, requests written as sekisho-cp
 * writes them (fields, then req_seq), the main lcore's task
 * (sk_mbox_poll_requests) and two workers' command rings polled in turn as
 * their loops would.  Listing across workers (order, limit), count, kill by
 * filter, a buffer smaller than the limit, an unknown request; no answer
 * before every worker has done its share.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "sk_test.h"
#include "sk_test_eal.h"
#include "sk_test_conn.h"
#include "worker/dp.h"
#include "mbox/mbox.h"

#define SYN RTE_TCP_SYN_FLAG

struct sk_dp sk_dp;

static const uint32_t n_conns[2] = { 300, 200 };

/* Worker w's connections: 10.w.x.y:1000+i -> 11.0.0.1:80 (i even) or :443 (i odd). */
static int
fill(uint16_t w)
{
	char name[16];
	struct sk_worker *wk = &sk_dp.workers[w];

	snprintf(name, sizeof(name), "mb_w%u", w);
	wk->idx = w;
	wk->conns = sk_conn_table_create(name, 1024, SOCKET_ID_ANY);
	if (wk->conns == NULL || sk_wcmd_port_init(&wk->cmds, w, SOCKET_ID_ANY) != 0)
		return -1;
	for (uint32_t i = 0; i < n_conns[w]; i++) {
		struct sk_pkt_meta m = mk4(0x0a000000 + ((uint32_t)w << 16) + i, 0x0b000001,
					   (uint16_t)(1000 + i), i % 2 ? 443 : 80, IPPROTO_TCP, SYN);

		if (open_conn(wk->conns, &m, 0) == NULL)
			return -1;
	}
	return 0;
}

/*
 * Send the request in the control block and run the main lcore's task and
 * the workers' loops until it is answered.  Returns the main lcore's turns
 * (0 if no answer came), *early = 1 if it was answered in the first turn.
 */
static uint32_t
ask(uint32_t op, int *early)
{
	struct sk_shm_ctl *c = sk_dp.ctl;
	uint32_t seq = c->req_seq + 1, turns = 0;

	c->op = op;
	__atomic_store_n(&c->req_seq, seq, __ATOMIC_RELEASE);
	*early = 0;
	while (turns < 100000) {
		turns++;
		(void)sk_mbox_poll_requests();
		if (__atomic_load_n(&c->resp_seq, __ATOMIC_ACQUIRE) == seq) {
			*early = turns == 1;
			return turns;
		}
		for (uint16_t w = 0; w < sk_dp.n_workers; w++) {
			struct sk_worker *wk = &sk_dp.workers[w];
			struct sk_wcmd_ctx ctx = { .conns = wk->conns, .worker = w };

			if (sk_wcmd_pending(&wk->cmds))
				(void)sk_wcmd_poll(&wk->cmds, &ctx, 64);
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct sk_shm_ctl *c;
	struct sk_shm_conn *out;
	char err[128];
	uint32_t turns, i, from0 = 0, from1 = 0, bad = 0;
	int early;

	(void)argc;
	if (sk_test_eal_init(argv[0]) < 0) {
		printf("not ok 1 - EAL init failed\n");
		return 1;
	}
	SK_CHECK(sk_mbox_init(err, sizeof(err)) == 0 && sk_dp.ctl != NULL &&
		 sk_dp.ctl->magic == SK_SHM_MAGIC, "control block reserved, magic last");
	c = sk_dp.ctl;
	sk_dp.n_workers = 2;
	SK_CHECK(fill(0) == 0 && fill(1) == 0, "two workers, 300 + 200 connections");
	out = calloc(1000, sizeof(*out));
	if (c == NULL || out == NULL)
		return SK_TEST_DONE();

	SK_CHECK(sk_mbox_poll_requests() == 0, "no request: nothing answered");

	turns = ask(SK_SHM_OP_CONN_COUNT, &early);
	SK_CHECK(turns != 0 && !early && c->resp_rc == 0 && c->resp_count == 500,
		 "count: %" PRIu64 " over both workers, answered after %u turns", c->resp_count,
		 turns);

	c->resp_buf = out;
	c->resp_cap = 1000 * sizeof(*out);
	c->limit = 1000;
	turns = ask(SK_SHM_OP_CONNS, &early);
	for (i = 0; i < c->resp_count && i < 1000; i++) {
		if (i < 300)
			from0 += out[i].worker == 0 && out[i].src[1] == 0;
		else
			from1 += out[i].worker == 1 && out[i].src[1] == 1;
		bad += out[i].family != 4 || out[i].dst[3] != 1 ||
		       (out[i].dport != 80 && out[i].dport != 443);
	}
	SK_CHECK(turns != 0 && c->resp_rc == 0 && c->resp_count == 500 && from0 == 300 &&
		 from1 == 200 && bad == 0, "list: worker 0's 300 records, then worker 1's 200");

	memset(out, 0, 1000 * sizeof(*out));
	c->limit = 350;
	turns = ask(SK_SHM_OP_CONNS, &early);
	SK_CHECK(turns != 0 && c->resp_count == 350 && out[299].worker == 0 &&
		 out[300].worker == 1 && out[349].worker == 1 && out[350].family == 0,
		 "list, limit 350: worker 1 fills the last 50, nothing past the limit");

	c->limit = 1001;
	turns = ask(SK_SHM_OP_CONNS, &early);
	SK_CHECK(turns != 0 && early && c->resp_rc == -EINVAL,
		 "a buffer smaller than the limit: -EINVAL at once (%s)", c->resp_msg);

	memset(&c->filter, 0, sizeof(c->filter));
	c->filter.port = 443;
	turns = ask(SK_SHM_OP_CONN_KILL, &early);
	SK_CHECK(turns != 0 && c->resp_rc == 0 && c->resp_count == 250 &&
		 sk_conn_count(sk_dp.workers[0].conns) == 150 &&
		 sk_conn_count(sk_dp.workers[1].conns) == 100, "kill port 443: 250, on both workers");
	memset(&c->filter, 0, sizeof(c->filter));
	turns = ask(SK_SHM_OP_CONN_COUNT, &early);
	SK_CHECK(turns != 0 && c->resp_count == 250, "count after the kill: %" PRIu64,
		 c->resp_count);

	turns = ask(999, &early);
	SK_CHECK(turns != 0 && early && c->resp_rc == -EOPNOTSUPP, "unknown request: -EOPNOTSUPP");

	for (uint16_t w = 0; w < 2; w++) {
		sk_wcmd_port_fini(&sk_dp.workers[w].cmds);
		sk_conn_table_free(sk_dp.workers[w].conns);
	}
	free(out);
	return SK_TEST_DONE();
}
