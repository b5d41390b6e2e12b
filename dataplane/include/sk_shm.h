/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sk_shm.h - the control block shared by sekisho-dp (primary) and
 * sekisho-cp (secondary): a memzone named SK_SHM_CTL_NAME.
 *
 * Mailbox protocol (one request at a time; the control plane that holds
 * cp_pid owns it):
 *   cp: fill op and arguments, then store req_seq = resp_seq + 1 (release).
 *   dp main lcore: sees req_seq != resp_seq (acquire), does the work between
 *   its own tasks (never blocking a worker), fills resp_*, then stores
 *   resp_seq = req_seq (release).
 *   cp: polls resp_seq with a timeout.
 * Buffers named by pointer (req_buf, resp_buf) are rte_malloc'd by the
 * control plane: DPDK maps shared memory at the same address in every
 * process, so the pointers are valid on both sides.
 */
#ifndef SK_SHM_H
#define SK_SHM_H

#include <stdint.h>
#include "sk_ha.h"

#define SK_SHM_CTL_NAME "sk_ctl"
#define SK_SHM_STATS_NAME "sk_stats"
#define SK_SHM_MAGIC 0x54434b53u /* "SKCT" */
#define SK_SHM_VERSION 3 /* 2: LB_SET/LB_STATUS; 3: the HA block */

enum sk_shm_op {
	SK_SHM_OP_NONE = 0,
	SK_SHM_OP_COMMIT,     /* req_buf/req_len: image; replaces -> resp_gen, resp_us */
	SK_SHM_OP_COUNTERS,   /* resp_buf: JSON text of all counters (stats-file shape) */
	SK_SHM_OP_CONNS,      /* filter, limit -> resp_buf: struct sk_shm_conn[], resp_count */
	SK_SHM_OP_CONN_COUNT, /* filter -> resp_count */
	SK_SHM_OP_CONN_KILL,  /* filter -> resp_count killed */
	SK_SHM_OP_LB_SET,     /* lb_set: one backend's runtime admin state, health or weight */
	SK_SHM_OP_LB_STATUS,  /* resp_buf: struct sk_shm_lb_backend[] of every backend, resp_count;
			       * resp_gen: the generation the indices refer to */
};

/*
 * Runtime changes of a backend: they take effect without a new generation
 * (the dataplane rebuilds that service's tables off the hot path).  Indices
 * are those of the generation named: a request naming another generation
 * is refused with -ESTALE, so a change never lands on the wrong backend.
 * Runtime values survive a commit for a backend with the same service and
 * backend name whose configured state/weight the commit did not change.
 */
enum sk_shm_lb_what {
	SK_SHM_LB_ADMIN = 1,   /* value: enum sk_lb_state of sk_image.h (up/drain/disabled) */
	SK_SHM_LB_HEALTH = 2,  /* value: 1 healthy, 0 down (from sekisho-cp's checks) */
	SK_SHM_LB_WEIGHT = 3,  /* weight: 0..65535 */
};

struct sk_shm_lb_set {
	uint64_t generation;   /* the running generation the indices belong to */
	uint32_t service;      /* index in SK_SEC_SERVICES */
	uint32_t backend;      /* index within the service */
	uint8_t what;          /* enum sk_shm_lb_what */
	uint8_t value;
	uint16_t weight;
	uint32_t reserved;
};

/* One backend as it runs now (SK_SHM_OP_LB_STATUS), image order. */
struct sk_shm_lb_backend {
	uint32_t service;      /* index in SK_SEC_SERVICES */
	uint32_t backend;      /* index within the service */
	uint8_t admin;         /* enum sk_lb_state of sk_image.h, as now */
	uint8_t health;        /* 1 healthy, 0 down */
	uint16_t weight;       /* as now */
	uint32_t reserved;
	uint64_t active;       /* connections now, sum over workers (since the generation) */
	uint64_t conns;        /* connections created since the generation */
	uint64_t pkts[2];      /* [0] client->backend, [1] backend->client */
	uint64_t bytes[2];
};

/* Connection filter as carried in shared memory; zero fields match all. */
struct sk_shm_filter {
	uint8_t family;
	uint8_t proto;
	uint8_t has_src, has_dst;
	uint8_t src[16], dst[16];
	uint8_t src_plen, dst_plen;
	uint16_t port;
	uint32_t rule_id;
};

/* One connection in a listing, originator's view. */
struct sk_shm_conn {
	uint8_t family;
	uint8_t proto;
	uint8_t state;         /* TCP state (conn.h) or 0/1 one-way/both for others */
	uint8_t worker;
	uint16_t sport, dport;
	uint8_t src[16], dst[16];
	uint16_t in_iface, out_iface;
	uint32_t rule_id;
	uint32_t generation;
	uint32_t idle_ms;
	uint32_t timeout_ms;
	uint64_t pkts[2], bytes[2];
};

struct sk_shm_ctl {
	uint32_t magic;
	uint32_t version;
	int32_t dp_pid;
	uint32_t n_workers;
	uint64_t tsc_hz;
	uint64_t start_tsc;        /* TSC and Unix time (ns) taken together at start: */
	uint64_t start_unix_ns;    /* log record time = start_unix_ns + (tsc - start_tsc) / hz */
	uint64_t generation;       /* running generation (dp main lcore writes) */
	void *log_ring;            /* struct rte_ring * of struct sk_logrec */

	/* mailbox */
	int32_t cp_pid;            /* owning control plane, taken with a CAS */
	uint32_t req_seq;
	uint32_t resp_seq;
	uint32_t op;               /* enum sk_shm_op */
	uint64_t replaces;
	const void *req_buf;
	uint64_t req_len;
	struct sk_shm_filter filter;
	uint32_t limit;
	struct sk_shm_lb_set lb_set;
	void *resp_buf;
	uint64_t resp_cap;
	int32_t resp_rc;           /* 0 or -errno */
	uint32_t resp_pad;
	uint64_t resp_gen;
	uint64_t resp_us;
	uint64_t resp_count;
	uint64_t resp_len;         /* bytes written to resp_buf */
	char resp_msg[256];

	struct sk_shm_ha ha;       /* the HA pair (sk_ha.h); all zero when standalone */
};

#endif /* SK_SHM_H */
