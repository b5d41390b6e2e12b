/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mbox_jobs.c - connection requests (SK_SHM_OP_CONNS, CONN_COUNT,
 * CONN_KILL): only a worker may touch its own table, so the request goes to
 * each worker in turn as a command on its ring (wcmd/wcmd.h); the worker
 * walks its table a budget per loop, the main lcore checks back each loop
 * and never waits.  Workers take turns because a listing fills one buffer,
 * each worker's records after the previous one's.
 */
#include <errno.h>

#include "mbox_priv.h"
#include "worker/dp.h"
#include "wcmd/wcmd.h"

static struct {
	int active;
	int posted;             /* cmd is on worker's ring */
	uint16_t worker;        /* worker now working on it */
	uint64_t total;
	struct sk_wcmd cmd;
} job;

static enum sk_wcmd_type
cmd_type(uint32_t op)
{
	switch (op) {
	case SK_SHM_OP_CONNS:
		return SK_WCMD_CONN_LIST;
	case SK_SHM_OP_CONN_KILL:
		return SK_WCMD_CONN_KILL;
	default:
		return SK_WCMD_CONN_COUNT;
	}
}

/* Hand the running request to worker w (again next loop if its ring is full). */
static void
give(uint16_t w)
{
	struct sk_shm_ctl *c = sk_dp.ctl;
	struct sk_wcmd_conn *a = &job.cmd.u.conn_list; /* one payload type for the three */
	uint32_t room = c->limit > job.total ? (uint32_t)(c->limit - job.total) : 0;

	job.worker = w;
	job.cmd.type = (uint16_t)cmd_type(c->op);
	a->filter = &c->filter;
	a->out = c->op == SK_SHM_OP_CONNS ? (struct sk_shm_conn *)c->resp_buf + job.total : NULL;
	a->cap = c->op == SK_SHM_OP_CONNS ? room : 0;
	a->n = 0;
	job.posted = sk_wcmd_post(&sk_dp.workers[w].cmds, &job.cmd) == 0;
}

void
sk_mbox_conns_start(void)
{
	struct sk_shm_ctl *c = sk_dp.ctl;

	if (c->op == SK_SHM_OP_CONNS &&
	    (c->resp_buf == NULL || c->resp_cap < (uint64_t)c->limit * sizeof(struct sk_shm_conn))) {
		sk_mbox_respond(-EINVAL, "listing buffer smaller than the limit");
		return;
	}
	job.active = 1;
	job.total = 0;
	give(0);
}

int
sk_mbox_conns_busy(void)
{
	return job.active;
}

unsigned int
sk_mbox_conns_step(void)
{
	if (!job.posted) {
		give(job.worker);
		return 0;
	}
	if (!sk_wcmd_done(&job.cmd))
		return 0;
	job.total += job.cmd.u.conn_list.n;
	if (job.worker + 1u < sk_dp.n_workers) {
		give((uint16_t)(job.worker + 1));
		return 0;
	}
	job.active = 0;
	sk_dp.ctl->resp_count = job.total;
	sk_mbox_respond(0, NULL);
	return 1;
}
