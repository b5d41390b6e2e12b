/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mbox.c - the control block: the main lcore answers the control plane's
 * requests (sk_shm.h) between its own tasks.
 *
 * Commit: the image is verified and compiled into a generation here, off the
 * worker cores, then published with one atomic pointer store; the generation
 * it replaces is freed only after every worker has reported a quiescent state
 * since (rte_rcu_qsbr), so no worker can still hold it.  Connection listings
 * and kills go to each worker in turn, because only a worker may touch its
 * own table; the main lcore never waits for them, it checks back each loop.
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
#include "log/log.h"
#include "worker/dp.h"
#include "conn/conn.h"
#include "stats/stats_report.h"
#include "lb/lb_svc.h"
#include "hctap/hctap.h"
#include "sk_image_api.h"

#define DEFER_MAX 8

static struct {
	struct sk_gen *gen;
	uint64_t token;
} deferred[DEFER_MAX];
static unsigned int n_deferred;

/* A connection request being carried out worker by worker. */
static struct {
	int active;
	uint32_t seq;           /* the mailbox request it answers */
	uint16_t worker;        /* worker now working on it */
	uint64_t total;
} conn_job;

static void tap_addrs(const struct sk_gen *g);

static void
respond(int rc, const char *msg)
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
reclaim(int wait)
{
	unsigned int i = 0;

	while (i < n_deferred) {
		if (rte_rcu_qsbr_check(sk_dp.qs, deferred[i].token, wait ? true : false) == 1) {
			sk_gen_free(deferred[i].gen);
			deferred[i] = deferred[--n_deferred];
			continue;
		}
		i++;
	}
}

static void
do_commit(void)
{
	struct sk_shm_ctl *c = sk_dp.ctl;
	struct sk_gen *old = sk_dp_gen(), *g;
	const struct sk_image_hdr *h = c->req_buf;
	char err[256];
	uint64_t t0, id;

	if (c->replaces != old->id) {
		snprintf(err, sizeof(err), "generation %" PRIu64 " is running, not %" PRIu64,
			 old->id, c->replaces);
		respond(-ESTALE, err);
		return;
	}
	if (h == NULL || c->req_len < sizeof(*h)) {
		respond(-EINVAL, "no image");
		return;
	}
	id = h->generation != 0 ? h->generation : old->id + 1;
	if (id <= old->id) {
		snprintf(err, sizeof(err), "generation %" PRIu64 " does not follow %" PRIu64, id,
			 old->id);
		respond(-EINVAL, err);
		return;
	}
	if (n_deferred == DEFER_MAX)
		reclaim(1); /* commits faster than grace periods: wait for one */
	t0 = rte_rdtsc();
	g = sk_gen_build(c->req_buf, c->req_len, id, sk_dp.port_of_iface, sk_dp.n_workers + 1u,
			 old, sk_dp.qs, err, sizeof(err));
	if (g == NULL) {
		respond(-EINVAL, err);
		return;
	}
	/* Interfaces and start-up settings need a restart: a live commit may
	 * change policy, routes and neighbours, not the ports themselves. */
	if (g->n_ifaces != old->n_ifaces) {
		sk_gen_free(g);
		respond(-EINVAL, "the interface list differs from the running one: restart needed");
		return;
	}
	__atomic_store_n(&sk_dp.gen, g, __ATOMIC_RELEASE);
	deferred[n_deferred].gen = old;
	deferred[n_deferred].token = rte_rcu_qsbr_start(sk_dp.qs);
	n_deferred++;
	c->generation = id;
	c->resp_gen = id;
	tap_addrs(g);
	c->resp_us = (rte_rdtsc() - t0) * 1000000ull / sk_dp.tsc_hz;
	respond(0, NULL);
}

static void
do_counters(void)
{
	struct sk_shm_ctl *c = sk_dp.ctl;
	json_t *doc = sk_stats_json();
	size_t n;

	if (doc == NULL) {
		respond(-ENOMEM, "no counters");
		return;
	}
	n = json_dumpb(doc, c->resp_buf, c->resp_cap, JSON_COMPACT);
	json_decref(doc);
	if (n == 0 || n > c->resp_cap) {
		respond(-ENOSPC, "counters do not fit the buffer");
		return;
	}
	c->resp_len = n;
	respond(0, NULL);
}

/* Hand the running connection request to worker w. */
static void
conn_job_give(uint16_t w)
{
	struct sk_shm_ctl *c = sk_dp.ctl;
	struct sk_worker *wk = &sk_dp.workers[w];
	uint32_t room = c->limit > conn_job.total ? (uint32_t)(c->limit - conn_job.total) : 0;

	conn_job.worker = w;
	wk->ctl_op = (uint8_t)c->op;
	wk->ctl_filter = &c->filter;
	wk->ctl_out = c->op == SK_SHM_OP_CONNS ?
		(struct sk_shm_conn *)c->resp_buf + conn_job.total : NULL;
	wk->ctl_cap = c->op == SK_SHM_OP_CONNS ? room : 0;
	wk->ctl_n = 0;
	__atomic_store_n(&wk->ctl_seq, wk->ctl_done + 1, __ATOMIC_RELEASE);
}

static void
conn_job_step(void)
{
	struct sk_worker *wk = &sk_dp.workers[conn_job.worker];

	if (__atomic_load_n(&wk->ctl_done, __ATOMIC_ACQUIRE) != wk->ctl_seq)
		return;
	conn_job.total += wk->ctl_n;
	if (conn_job.worker + 1u < sk_dp.n_workers) {
		conn_job_give((uint16_t)(conn_job.worker + 1));
		return;
	}
	conn_job.active = 0;
	sk_dp.ctl->resp_count = conn_job.total;
	respond(0, NULL);
}

static void
do_conns(void)
{
	struct sk_shm_ctl *c = sk_dp.ctl;

	if (c->op == SK_SHM_OP_CONNS &&
	    (c->resp_buf == NULL || c->resp_cap < (uint64_t)c->limit * sizeof(struct sk_shm_conn))) {
		respond(-EINVAL, "listing buffer smaller than the limit");
		return;
	}
	conn_job.active = 1;
	conn_job.seq = c->req_seq;
	conn_job.total = 0;
	conn_job_give(0);
}

/* The kernel's side of the health-check tap carries the unit's addresses. */
static void
tap_addrs(const struct sk_gen *g)
{
	char err[256];
	uint32_t n;
	const struct sk_img_prefix *a;

	if (sk_dp.hc_port == UINT16_MAX)
		return;
	a = sk_image_sec(g->hdr, SK_SEC_ADDRS, &n);
	if (sk_hctap_set_addrs(sk_dp.hc_ifname, a, n, err, sizeof(err)) != 0)
		RTE_LOG(WARNING, USER1, "health-check tap %s: %s\n", sk_dp.hc_ifname, err);
}

/* A backend's runtime state (drain, disable, health, weight): no new generation. */
static void
do_lb_set(void)
{
	struct sk_shm_ctl *c = sk_dp.ctl;
	struct sk_gen *g = sk_dp.gen;
	struct sk_shm_lb_set req = c->lb_set;
	int rc;

	rc = sk_lb_set(g->lb, &req);
	switch (rc) {
	case 0:
		respond(0, NULL);
		break;
	case -ESTALE:
		respond(rc, "the backend indices name another generation than the running one");
		break;
	case -EINVAL:
		respond(rc, "no such service or backend, or a value out of range");
		break;
	default:
		respond(rc, "out of memory rebuilding the service's tables");
		break;
	}
}

static void
do_lb_status(void)
{
	struct sk_shm_ctl *c = sk_dp.ctl;
	struct sk_gen *g = sk_dp.gen;
	uint32_t cap = (uint32_t)(c->resp_cap / sizeof(struct sk_shm_lb_backend));
	uint32_t n;

	n = sk_lb_status(g->lb, c->resp_buf, c->resp_buf != NULL ? cap : 0);
	c->resp_count = n;
	c->resp_gen = g->id;
	c->resp_len = (uint64_t)RTE_MIN(n, cap) * sizeof(struct sk_shm_lb_backend);
	respond(n > cap ? -ENOSPC : 0, n > cap ? "status buffer too small" : NULL);
}

void
sk_mbox_poll(void)
{
	struct sk_shm_ctl *c = sk_dp.ctl;
	uint32_t req;

	if (n_deferred != 0)
		reclaim(0);
	sk_lb_reclaim(sk_dp.gen->lb);
	if (conn_job.active) {
		conn_job_step();
		return;
	}
	req = __atomic_load_n(&c->req_seq, __ATOMIC_ACQUIRE);
	if (req == c->resp_seq)
		return;
	c->resp_rc = 0;
	c->resp_msg[0] = '\0';
	c->resp_count = 0;
	c->resp_len = 0;
	switch (c->op) {
	case SK_SHM_OP_COMMIT:
		do_commit();
		break;
	case SK_SHM_OP_COUNTERS:
		do_counters();
		break;
	case SK_SHM_OP_CONNS:
	case SK_SHM_OP_CONN_COUNT:
	case SK_SHM_OP_CONN_KILL:
		do_conns();
		break;
	case SK_SHM_OP_LB_SET:
		do_lb_set();
		break;
	case SK_SHM_OP_LB_STATUS:
		do_lb_status();
		break;
	default:
		respond(-EOPNOTSUPP, "unknown request");
		break;
	}
}

void
sk_mbox_fini(void)
{
	unsigned int i;

	/* Workers have stopped: nothing can hold an old generation. */
	for (i = 0; i < n_deferred; i++)
		sk_gen_free(deferred[i].gen);
	n_deferred = 0;
}

/* ---- worker side ---- */

static int
prefix_match(uint8_t family, const uint8_t *addr, const uint8_t *pfx, uint8_t plen)
{
	unsigned int full = plen / 8, rem = plen % 8;

	if (plen > (family == 4 ? 32 : 128))
		return 0;
	if (memcmp(addr, pfx, full) != 0)
		return 0;
	return rem == 0 || ((addr[full] ^ pfx[full]) & (uint8_t)(0xff << (8 - rem))) == 0;
}

static int
filter_match(const struct sk_shm_filter *f, const struct sk_conn *c, const struct sk_conn_key *k)
{
	if (f->family != 0 && f->family != k->family)
		return 0;
	if (f->proto != 0 && f->proto != k->proto)
		return 0;
	if (f->port != 0 && f->port != k->pa && f->port != k->pb)
		return 0;
	if (f->rule_id != 0 && f->rule_id != c->rule_id)
		return 0;
	if (f->has_src && !prefix_match(k->family, k->a, f->src, f->src_plen) &&
	    !prefix_match(k->family, k->b, f->src, f->src_plen))
		return 0;
	if (f->has_dst && !prefix_match(k->family, k->a, f->dst, f->dst_plen) &&
	    !prefix_match(k->family, k->b, f->dst, f->dst_plen))
		return 0;
	return 1;
}

struct walk_arg {
	struct sk_worker *w;
};

static int
walk_cb(const struct sk_conn *c, void *arg)
{
	struct sk_worker *w = ((struct walk_arg *)arg)->w;
	struct sk_shm_conn *o;
	struct sk_conn_key key;
	const struct sk_conn_key *k = &key;
	int orig_is_a = (c->flags & SK_CONN_F_ORIG_IS_A) != 0;

	/* The key lives only in the hash table (one copy per connection). */
	if (sk_conn_key_get(w->conns, c, &key) != 0 || !filter_match(w->ctl_filter, c, k))
		return 0;
	switch (w->ctl_op) {
	case SK_SHM_OP_CONNS:
		if (w->ctl_n >= w->ctl_cap)
			return 1;
		o = &w->ctl_out[w->ctl_n];
		memset(o, 0, sizeof(*o));
		o->family = k->family;
		o->proto = k->proto;
		o->state = c->state;
		o->worker = (uint8_t)w->idx;
		memcpy(o->src, orig_is_a ? k->a : k->b, 16);
		memcpy(o->dst, orig_is_a ? k->b : k->a, 16);
		o->sport = orig_is_a ? k->pa : k->pb;
		o->dport = orig_is_a ? k->pb : k->pa;
		o->in_iface = c->in_iface;
		o->out_iface = c->out_iface;
		o->rule_id = c->rule_id;
		o->generation = c->gen;
		o->idle_ms = w->now_ms - c->last_ms;
		o->timeout_ms = sk_conn_timeout_ms(w->conns, c);
		o->pkts[0] = c->pkts[0];
		o->pkts[1] = c->pkts[1];
		o->bytes[0] = c->bytes[0];
		o->bytes[1] = c->bytes[1];
		break;
	case SK_SHM_OP_CONN_KILL:
		/* The walk visits slots in array order; freeing the visited
		 * slot does not disturb the walk. */
		sk_conn_delete(w->conns, (struct sk_conn *)(uintptr_t)c);
		break;
	default:
		break;
	}
	w->ctl_n++;
	return 0;
}

void
sk_mbox_worker(struct sk_worker *w)
{
	struct walk_arg a = { .w = w };

	(void)sk_conn_walk(w->conns, walk_cb, &a);
	__atomic_store_n(&w->ctl_done, w->ctl_seq, __ATOMIC_RELEASE);
}
