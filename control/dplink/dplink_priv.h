/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dplink_priv.h - internals of control/dplink shared by its files: the link
 * itself and the one mailbox round trip every request is built on.
 */
#ifndef SK_DPLINK_PRIV_H
#define SK_DPLINK_PRIV_H

#include <pthread.h>
#include <stdint.h>

#include "sk_shm.h"

#define REQ_TIMEOUT_MS 30000     /* a 100K-rule build takes seconds */

struct rte_ring;

struct sk_dplink {
	/* One exchange through the mailbox at a time (the control block has one
	 * request slot): held by every public request for its whole exchange. */
	pthread_mutex_t lock;
	struct sk_shm_ctl *ctl;
	struct rte_ring *log;
	int32_t pid;
	char file_prefix[64];
};

/*
 * Post the request already written into the control block as op and wait
 * for its answer: the dataplane's resp_rc (0 or -errno), -ENOTCONN when the
 * dataplane has gone, -ETIMEDOUT when it did not answer in time (then it
 * may still read or write the buffers the request names: do not free them).
 */
/* Caller holds l->lock. */
int sk_dplink_request(struct sk_dplink *l, uint32_t op, unsigned int timeout_ms);

#endif /* SK_DPLINK_PRIV_H */
