/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mbox.c - the mailbox (mbox.h): the control block's set-up, and the
 * dispatch of the control plane's requests (sk_shm.h) to the handler of
 * each concern: commit (mbox_commit.c), connection jobs (mbox_jobs.c), LB
 * runtime (mbox_lb.c); counters are answered here.  One request at a time:
 * the control plane waits for resp_seq before it writes the next.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <rte_cycles.h>
#include <rte_memzone.h>

#include "mbox.h"
#include "mbox_priv.h"
#include "log/log.h"
#include "worker/dp.h"
#include "stats/stats_report.h"
#include "lb/lb_svc.h"

void
sk_mbox_respond(int rc, const char *msg)
{
	struct sk_shm_ctl *c = sk_dp.ctl;

	c->resp_rc = rc;
	snprintf(c->resp_msg, sizeof(c->resp_msg), "%s", msg != NULL ? msg : "");
	__atomic_store_n(&c->resp_seq, c->req_seq, __ATOMIC_RELEASE);
}

int
sk_mbox_init(char *err, size_t errlen)
{
	const struct rte_memzone *mz;
	struct timespec ts;
	struct rte_ring *ring;

	mz = rte_memzone_reserve(SK_SHM_CTL_NAME, sizeof(struct sk_shm_ctl), (int)rte_socket_id(),
				 RTE_MEMZONE_SIZE_HINT_ONLY);
	if (mz == NULL) {
		snprintf(err, errlen, "control block: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	sk_dp.ctl = mz->addr;
	memset(sk_dp.ctl, 0, sizeof(*sk_dp.ctl));
	mz = rte_memzone_reserve(SK_SHM_STATS_NAME,
				 sizeof(struct sk_stats_lcore) * (SK_MAX_WORKERS + 1),
				 (int)rte_socket_id(), RTE_MEMZONE_SIZE_HINT_ONLY);
	if (mz == NULL) {
		snprintf(err, errlen, "counters: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	sk_dp.stats = mz->addr;
	memset(sk_dp.stats, 0, mz->len);
	ring = sk_log_ring_create((int)rte_socket_id());
	if (ring == NULL) {
		snprintf(err, errlen, "log ring: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	sk_dp.ctl->tsc_hz = rte_get_tsc_hz();
	sk_dp.ctl->start_tsc = rte_rdtsc();
	sk_dp.ctl->start_unix_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	sk_dp.ctl->log_ring = ring;
	sk_dp.ctl->dp_pid = (int32_t)getpid();
	sk_dp.ctl->version = SK_SHM_VERSION;
	/* magic last: a control plane that finds it may trust the rest */
	__atomic_store_n(&sk_dp.ctl->magic, SK_SHM_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

static void
do_counters(void)
{
	struct sk_shm_ctl *c = sk_dp.ctl;
	json_t *doc = sk_stats_json();
	size_t n;

	if (doc == NULL) {
		sk_mbox_respond(-ENOMEM, "no counters");
		return;
	}
	n = json_dumpb(doc, c->resp_buf, c->resp_cap, JSON_COMPACT);
	json_decref(doc);
	if (n == 0 || n > c->resp_cap) {
		sk_mbox_respond(-ENOSPC, "counters do not fit the buffer");
		return;
	}
	c->resp_len = n;
	sk_mbox_respond(0, NULL);
}

unsigned int
sk_mbox_poll_reclaim(void)
{
	unsigned int n = sk_mbox_reclaim(0);

	sk_lb_reclaim(sk_dp.gen->lb);
	return n;
}

unsigned int
sk_mbox_poll_requests(void)
{
	struct sk_shm_ctl *c = sk_dp.ctl;
	uint32_t req;

	/* A connection request holds the mailbox until every worker did its share. */
	if (sk_mbox_conns_busy())
		return sk_mbox_conns_step();
	req = __atomic_load_n(&c->req_seq, __ATOMIC_ACQUIRE);
	if (req == c->resp_seq)
		return 0;
	c->resp_rc = 0;
	c->resp_msg[0] = '\0';
	c->resp_count = 0;
	c->resp_len = 0;
	switch (c->op) {
	case SK_SHM_OP_COMMIT:
		sk_mbox_commit();
		break;
	case SK_SHM_OP_COUNTERS:
		do_counters();
		break;
	case SK_SHM_OP_CONNS:
	case SK_SHM_OP_CONN_COUNT:
	case SK_SHM_OP_CONN_KILL:
		sk_mbox_conns_start();
		break;
	case SK_SHM_OP_LB_SET:
		sk_mbox_lb_set();
		break;
	case SK_SHM_OP_LB_STATUS:
		sk_mbox_lb_status();
		break;
	default:
		sk_mbox_respond(-EOPNOTSUPP, "unknown request");
		break;
	}
	return __atomic_load_n(&c->resp_seq, __ATOMIC_RELAXED) == req;
}

void
sk_mbox_fini(void)
{
	sk_mbox_commit_fini();
}
