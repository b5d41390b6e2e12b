/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dplink.c - sekisho-cp attached to sekisho-dp as a DPDK secondary process.
 *
 * Everything goes through the control block (sk_shm.h): the control plane
 * writes a request, the dataplane's main lcore answers between its own work.
 * One control plane at a time owns the mailbox (cp_pid, taken with a CAS; a
 * dead owner's claim is taken over), so a restarted sekisho-cp re-attaches
 * while the dataplane keeps forwarding.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memzone.h>
#include <rte_ring_elem.h>

#include "dplink.h"
#include "sk_shm.h"
#include "sk_err.h"
#include "sk_tcp_state.h"

#include "dplink_priv.h"

#define POLL_US 200

/* A process that has exited but was not reaped yet (a zombie, e.g. a daemon
 * killed after its parent script ended) holds nothing: treat it as gone. */
int
sk_dplink_pid_alive(int32_t pid)
{
	char path[64], buf[256], *p;
	FILE *fp;
	int alive = 1;

	if (pid <= 0 || (kill(pid, 0) != 0 && errno != EPERM))
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fp = fopen(path, "r");
	if (fp == NULL)
		return 1;
	if (fgets(buf, sizeof(buf), fp) != NULL && (p = strrchr(buf, ')')) != NULL &&
	    (p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X')))
		alive = 0;
	fclose(fp);
	return alive;
}

#define pid_alive sk_dplink_pid_alive

/* Take the mailbox: free, ours, or held by a control plane that died. */
static int
claim(struct sk_shm_ctl *c, int32_t self)
{
	int32_t cur = __atomic_load_n(&c->cp_pid, __ATOMIC_ACQUIRE);

	for (;;) {
		if (cur != 0 && cur != self && pid_alive(cur))
			return -EBUSY;
		if (__atomic_compare_exchange_n(&c->cp_pid, &cur, self, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			return 0;
	}
}

static int
wait_idle(struct sk_shm_ctl *c, unsigned int timeout_ms)
{
	unsigned int waited = 0;

	/* A predecessor may have died with a request in flight: let it finish. */
	while (__atomic_load_n(&c->resp_seq, __ATOMIC_ACQUIRE) != c->req_seq) {
		if (waited >= timeout_ms * 1000u)
			return -ETIMEDOUT;
		usleep(POLL_US);
		waited += POLL_US;
	}
	return 0;
}

int
sk_dplink_attach(const char *file_prefix, struct sk_dplink **out, char *err, size_t errlen)
{
	char prefix[96];
	char *argv[] = { (char *)"sekisho-cp", (char *)"--proc-type=secondary", prefix,
			 (char *)"--no-pci", (char *)"--no-telemetry", (char *)"-l", (char *)"0",
			 (char *)"--log-level=lib.eal:error", NULL };
	const struct rte_memzone *mz;
	struct sk_dplink *l;
	int rc;

	snprintf(prefix, sizeof(prefix), "--file-prefix=%s", file_prefix);
	rc = rte_eal_init((int)RTE_DIM(argv) - 1, argv);
	if (rc < 0)
		return sk_err_set(err, errlen, -ENOTCONN,
			    "cannot attach to the dataplane (file prefix %s): is sekisho-dp running "
			    "with hugepages?", file_prefix);
	mz = rte_memzone_lookup(SK_SHM_CTL_NAME);
	if (mz == NULL)
		return sk_err_set(err, errlen, -ENOTCONN, "%s: no control block: not a sekisho-dp",
			    file_prefix);
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return -ENOMEM;
	l->ctl = mz->addr;
	if (__atomic_load_n(&l->ctl->magic, __ATOMIC_ACQUIRE) != SK_SHM_MAGIC ||
	    l->ctl->version != SK_SHM_VERSION) {
		free(l);
		return sk_err_set(err, errlen, -EPROTO, "%s: control block of another version",
			    file_prefix);
	}
	pthread_mutex_init(&l->lock, NULL);
	l->pid = (int32_t)getpid();
	snprintf(l->file_prefix, sizeof(l->file_prefix), "%s", file_prefix);
	if (claim(l->ctl, l->pid) != 0) {
		snprintf(err, errlen, "another sekisho-cp (pid %d) is attached",
			 (int)l->ctl->cp_pid);
		free(l);
		return -EBUSY;
	}
	if (wait_idle(l->ctl, REQ_TIMEOUT_MS) != 0) {
		free(l);
		return sk_err_set(err, errlen, -ETIMEDOUT, "%s: the dataplane does not answer",
			    file_prefix);
	}
	l->log = l->ctl->log_ring;
	*out = l;
	return 0;
}

const char *
sk_dplink_file_prefix(const struct sk_dplink *l)
{
	return l->file_prefix;
}

void
sk_dplink_detach(struct sk_dplink *l)
{
	int32_t self;

	if (l == NULL)
		return;
	pthread_mutex_lock(&l->lock);   /* no exchange in flight from another thread */
	pthread_mutex_unlock(&l->lock);
	pthread_mutex_destroy(&l->lock);
	self = l->pid;
	__atomic_compare_exchange_n(&l->ctl->cp_pid, &self, 0, false, __ATOMIC_ACQ_REL,
				    __ATOMIC_ACQUIRE);
	free(l);
	rte_eal_cleanup();
}

int
sk_dplink_pid(const struct sk_dplink *l)
{
	return l->ctl->dp_pid;
}

uint64_t
sk_dplink_generation(const struct sk_dplink *l)
{
	return __atomic_load_n(&l->ctl->generation, __ATOMIC_ACQUIRE);
}

int
sk_dplink_request(struct sk_dplink *l, uint32_t op, unsigned int timeout_ms)
{
	struct sk_shm_ctl *c = l->ctl;
	uint32_t seq = c->resp_seq + 1;
	unsigned int waited = 0;

	if (!pid_alive(c->dp_pid))
		return -ENOTCONN;
	c->op = op;
	__atomic_store_n(&c->req_seq, seq, __ATOMIC_RELEASE);
	while (__atomic_load_n(&c->resp_seq, __ATOMIC_ACQUIRE) != seq) {
		if (waited >= timeout_ms * 1000u || !pid_alive(c->dp_pid))
			return -ETIMEDOUT;
		usleep(POLL_US);
		waited += POLL_US;
	}
	return c->resp_rc;
}

static int
mbox_commit(struct sk_dplink *l, const void *img, size_t len, uint64_t replaces,
		 uint64_t *gen, uint64_t *build_us, char *err, size_t errlen)
{
	struct sk_shm_ctl *c = l->ctl;
	void *buf = rte_malloc("sk_commit", len, 0);
	int rc;

	if (buf == NULL)
		return sk_err_set(err, errlen, -ENOMEM, "%s", "no shared memory for the image");
	memcpy(buf, img, len);
	c->req_buf = buf;
	c->req_len = len;
	c->replaces = replaces;
	rc = sk_dplink_request(l, SK_SHM_OP_COMMIT, REQ_TIMEOUT_MS);
	if (rc == -ETIMEDOUT) {
		/* The dataplane may still read it: leak rather than free under it. */
		return sk_err_set(err, errlen, rc, "%s", "the dataplane did not answer in time");
	}
	c->req_buf = NULL;
	rte_free(buf);
	if (rc != 0)
		return sk_err_set(err, errlen, rc, "%s", c->resp_msg);
	*gen = c->resp_gen;
	*build_us = c->resp_us;
	return 0;
}

static json_t *
mbox_counters(struct sk_dplink *l)
{
	struct sk_shm_ctl *c = l->ctl;
	size_t cap = 1u << 20;
	json_t *doc = NULL;
	int rc;

	for (;;) {
		void *buf = rte_malloc("sk_counters", cap, 0);

		if (buf == NULL)
			return NULL;
		c->resp_buf = buf;
		c->resp_cap = cap;
		rc = sk_dplink_request(l, SK_SHM_OP_COUNTERS, REQ_TIMEOUT_MS);
		if (rc == 0)
			doc = json_loadb(buf, c->resp_len, 0, NULL);
		c->resp_buf = NULL;
		if (rc == -ETIMEDOUT)
			return NULL; /* leave buf: the dataplane may still write it */
		rte_free(buf);
		if (rc != -ENOSPC || cap >= (64u << 20))
			return doc;
		cap *= 2;
	}
}

static void
set_filter(struct sk_shm_ctl *c, const struct sk_conn_filter *f)
{
	memset(&c->filter, 0, sizeof(c->filter));
	if (f == NULL)
		return;
	c->filter.family = f->family;
	c->filter.proto = f->proto;
	c->filter.has_src = f->has_src;
	c->filter.has_dst = f->has_dst;
	memcpy(c->filter.src, f->src, 16);
	memcpy(c->filter.dst, f->dst, 16);
	c->filter.src_plen = f->src_plen;
	c->filter.dst_plen = f->dst_plen;
	c->filter.port = f->port;
	c->filter.rule_id = f->rule_id;
}

static json_t *
conn_json(const struct sk_shm_conn *o)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	int af = o->family == 4 ? AF_INET : AF_INET6;
	const char *state = o->proto != IPPROTO_TCP ? (o->state ? "both_ways" : "one_way") :
			    o->state < SK_TCP__MAX ? sk_tcp_state_names[o->state] : "unknown";

	char pbuf[8];
	const char *proto = o->proto == IPPROTO_TCP ? "tcp" : o->proto == IPPROTO_UDP ? "udp" :
			    o->proto == IPPROTO_ICMP ? "icmp" : o->proto == IPPROTO_ICMPV6 ? "icmpv6" :
			    pbuf;

	snprintf(pbuf, sizeof(pbuf), "%u", o->proto);
	inet_ntop(af, o->src, src, sizeof(src));
	inet_ntop(af, o->dst, dst, sizeof(dst));
	return json_pack("{s:i,s:s,s:s,s:i,s:s,s:i,s:s,s:i,s:i,s:i,s:i,s:i,s:i,s:I,s:I,s:I,s:I}",
		"family", o->family, "proto", proto, "src", src, "sport", o->sport,
		"dst", dst, "dport", o->dport, "state", state, "in_iface", o->in_iface,
		"out_iface", o->out_iface, "rule_id", (int)o->rule_id,
		"generation", (int)o->generation, "idle_ms", (int)o->idle_ms,
		"worker", o->worker,
		"pkts_orig", (json_int_t)o->pkts[0], "pkts_reply", (json_int_t)o->pkts[1],
		"bytes_orig", (json_int_t)o->bytes[0], "bytes_reply", (json_int_t)o->bytes[1]);
}

static json_t *
mbox_conns(struct sk_dplink *l, const struct sk_conn_filter *f, uint32_t limit)
{
	struct sk_shm_ctl *c = l->ctl;
	struct sk_shm_conn *buf;
	json_t *arr;
	uint64_t i;
	int rc;

	if (limit == 0)
		return json_array();
	buf = rte_malloc("sk_conns", (size_t)limit * sizeof(*buf), 0);
	if (buf == NULL)
		return NULL;
	set_filter(c, f);
	c->limit = limit;
	c->resp_buf = buf;
	c->resp_cap = (uint64_t)limit * sizeof(*buf);
	rc = sk_dplink_request(l, SK_SHM_OP_CONNS, REQ_TIMEOUT_MS);
	c->resp_buf = NULL;
	if (rc == -ETIMEDOUT)
		return NULL;
	if (rc != 0) {
		rte_free(buf);
		return NULL;
	}
	arr = json_array();
	for (i = 0; i < c->resp_count && i < limit; i++)
		json_array_append_new(arr, conn_json(&buf[i]));
	rte_free(buf);
	return arr;
}

static int
mbox_conn_count(struct sk_dplink *l, const struct sk_conn_filter *f, uint64_t *n)
{
	int rc;

	set_filter(l->ctl, f);
	rc = sk_dplink_request(l, SK_SHM_OP_CONN_COUNT, REQ_TIMEOUT_MS);
	if (rc == 0)
		*n = l->ctl->resp_count;
	return rc;
}

static int
mbox_conn_kill(struct sk_dplink *l, const struct sk_conn_filter *f, uint64_t *killed)
{
	int rc;

	set_filter(l->ctl, f);
	rc = sk_dplink_request(l, SK_SHM_OP_CONN_KILL, REQ_TIMEOUT_MS);
	if (rc == 0)
		*killed = l->ctl->resp_count;
	return rc;
}

/*
 * The public mailbox requests: each takes the link's lock around its whole
 * exchange (request fields, round trip, answer fields), so threads of the
 * control plane (REST workers, the health checker, HA config sync) may share
 * one link; a request waits only for the exchange in flight, never for a
 * caller's own work around it.
 */
int
sk_dplink_commit(struct sk_dplink *l, const void *img, size_t len, uint64_t replaces,
		 uint64_t *gen, uint64_t *build_us, char *err, size_t errlen)
{
	int rc;

	pthread_mutex_lock(&l->lock);
	rc = mbox_commit(l, img, len, replaces, gen, build_us, err, errlen);
	pthread_mutex_unlock(&l->lock);
	return rc;
}

json_t *
sk_dplink_counters(struct sk_dplink *l)
{
	json_t *doc;

	pthread_mutex_lock(&l->lock);
	doc = mbox_counters(l);
	pthread_mutex_unlock(&l->lock);
	return doc;
}

json_t *
sk_dplink_conns(struct sk_dplink *l, const struct sk_conn_filter *f, uint32_t limit)
{
	json_t *arr;

	pthread_mutex_lock(&l->lock);
	arr = mbox_conns(l, f, limit);
	pthread_mutex_unlock(&l->lock);
	return arr;
}

int
sk_dplink_conn_count(struct sk_dplink *l, const struct sk_conn_filter *f, uint64_t *n)
{
	int rc;

	pthread_mutex_lock(&l->lock);
	rc = mbox_conn_count(l, f, n);
	pthread_mutex_unlock(&l->lock);
	return rc;
}

int
sk_dplink_conn_kill(struct sk_dplink *l, const struct sk_conn_filter *f, uint64_t *killed)
{
	int rc;

	pthread_mutex_lock(&l->lock);
	rc = mbox_conn_kill(l, f, killed);
	pthread_mutex_unlock(&l->lock);
	return rc;
}

unsigned int
sk_dplink_log_read(struct sk_dplink *l, struct sk_logrec *out, unsigned int max)
{
	const struct sk_shm_ctl *c = l->ctl;
	unsigned int n, i;

	if (l->log == NULL)
		return 0;
	n = rte_ring_sc_dequeue_burst_elem(l->log, out, sizeof(*out), max, NULL);
	for (i = 0; i < n; i++) {
		/* TSC -> wall clock from the pair the dataplane took at start */
		uint64_t dt = out[i].ts - c->start_tsc;

		out[i].ts = c->start_unix_ns + (uint64_t)((double)dt * 1e9 / (double)c->tsc_hz);
	}
	return n;
}

struct sk_shm_ha *
sk_dplink_ha(struct sk_dplink *l)
{
	return &l->ctl->ha;
}
