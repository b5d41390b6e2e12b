/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dplink.h - the control plane's link to a running sekisho-dp: sekisho-cp
 * attaches as a DPDK secondary process and talks through shared memory
 * (a control block memzone with a request mailbox, the log ring, counters).
 * Never blocks the dataplane: the dataplane's main lcore answers requests
 * between its own work; workers are never waited on.
 * Thread safety: the requests below may be called from any thread of the
 * control plane at once; the link serialises their mailbox exchanges (one
 * request slot), so a caller waits at most for the exchange in flight.
 * attach/detach and sk_dplink_log_read are for one thread (the daemon's).
 */
#ifndef SK_DPLINK_H
#define SK_DPLINK_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "sk_logrec.h"
#include "sk_shm.h"

struct sk_dplink;

/* Connection filter; zero/NULL fields match anything. */
struct sk_conn_filter {
	uint8_t family;        /* 0, 4 or 6 */
	uint8_t proto;         /* 0 = any */
	uint8_t has_src, has_dst;
	uint8_t src[16], dst[16];  /* either endpoint of the connection matches */
	uint8_t src_plen, dst_plen;
	uint16_t port;         /* either port, 0 = any */
	uint32_t rule_id;      /* 0 = any */
};

/* Attach to the dataplane running with EAL --file-prefix file_prefix. */
int sk_dplink_attach(const char *file_prefix, struct sk_dplink **out, char *err, size_t errlen);
void sk_dplink_detach(struct sk_dplink *l);

/* Is pid a live process (not gone, not a zombie)? */
int sk_dplink_pid_alive(int32_t pid);

/* The EAL file prefix this link attached with: what a capture tool
 * (dpdk-dumpcap, a DPDK secondary too) must use to reach the same unit. */
const char *sk_dplink_file_prefix(const struct sk_dplink *l);

/* Process id of the dataplane (to notice it has gone). */
int sk_dplink_pid(const struct sk_dplink *l);

/* Current generation id as the dataplane sees it. */
uint64_t sk_dplink_generation(const struct sk_dplink *l);

/*
 * Hand a verified image to the dataplane, which compiles and publishes it.
 * replaces must equal the current generation, else -ESTALE (HTTP 409).
 * On success *gen is the new generation and *build_us its build time.
 * -EINVAL with err filled when the dataplane refuses the image;
 * -ETIMEDOUT when it does not answer in time.
 */
int sk_dplink_commit(struct sk_dplink *l, const void *img, size_t len, uint64_t replaces,
		     uint64_t *gen, uint64_t *build_us, char *err, size_t errlen);

/* Counters in the stats-file shape (forwarded, consumed, drops, local,
 * ports, rules, conns); NULL when unavailable. New reference. */
json_t *sk_dplink_counters(struct sk_dplink *l);

/* Up to limit connections matching f, as a JSON array; NULL on error. */
json_t *sk_dplink_conns(struct sk_dplink *l, const struct sk_conn_filter *f, uint32_t limit);
int sk_dplink_conn_count(struct sk_dplink *l, const struct sk_conn_filter *f, uint64_t *n);
int sk_dplink_conn_kill(struct sk_dplink *l, const struct sk_conn_filter *f, uint64_t *killed);

/*
 * Runtime change of one backend of the load balancer (admin state, health
 * or weight; sk_shm.h says which fields count).  req->generation names the
 * generation whose image order the indices follow.  0, or -errno with err
 * filled: -ESTALE (that generation is no longer running: read the status
 * again and retry), -EINVAL (no such backend, value out of range),
 * -EOPNOTSUPP (a dataplane without a load balancer), -ETIMEDOUT, -ENOTCONN.
 */
int sk_dplink_lb_set(struct sk_dplink *l, const struct sk_shm_lb_set *req, char *err,
		     size_t errlen);

/*
 * Every backend as it runs now, image order of *generation (the dataplane's
 * running generation when it answered).  *out is malloc'd (copied out of
 * the shared-memory buffer the request used; the caller free()s it), NULL
 * when *n is 0.  0, or -errno with err filled (as sk_dplink_lb_set, and
 * -ENOMEM, -ENOSPC).
 */
int sk_dplink_lb_status(struct sk_dplink *l, struct sk_shm_lb_backend **out, size_t *n,
			uint64_t *generation, char *err, size_t errlen);

/* Drain up to max log records (ts converted to Unix ns). */
unsigned int sk_dplink_log_read(struct sk_dplink *l, struct sk_logrec *out, unsigned int max);

/* The HA block in the dataplane's shared memory (sk_ha.h): the HA module
 * reads what the dataplane publishes and writes its role wishes there. */
struct sk_shm_ha *sk_dplink_ha(struct sk_dplink *l);

/* The workers' heavy-hitter summaries (sk_top.h), or NULL when the
 * dataplane has none (an older one). */
struct sk_shm_top;
const struct sk_shm_top *sk_dplink_top(struct sk_dplink *l);

#endif /* SK_DPLINK_H */
