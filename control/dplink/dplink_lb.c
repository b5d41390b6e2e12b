/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dplink_lb.c - the load balancer's two mailbox requests: a runtime change
 * of one backend (SK_SHM_OP_LB_SET) and every backend as it runs now
 * (SK_SHM_OP_LB_STATUS).  Indices are image order of the generation named;
 * the dataplane refuses a change naming another generation (-ESTALE), so a
 * change never lands on the wrong backend after a commit.
 */
#include <errno.h>
#include <pthread.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <rte_malloc.h>

#include "dplink.h"
#include "dplink_priv.h"
#include "sk_err.h"

#define LB_STATUS_FIRST 1024u    /* entries asked for first; grown to what the dataplane says */
#define LB_STATUS_MAX (1u << 20) /* 56 MiB of status: far past any image */

/* The dataplane's words when it gave some, else ours. */
static const char *
dp_msg(const struct sk_shm_ctl *c, const char *ours)
{
	return c->resp_msg[0] != '\0' ? c->resp_msg : ours;
}

static int
common_error(const struct sk_shm_ctl *c, int rc, char *err, size_t errlen)
{
	switch (rc) {
	case -ENOTCONN:
		return sk_err_set(err, errlen, rc, "%s", "the dataplane has gone");
	case -ETIMEDOUT:
		return sk_err_set(err, errlen, rc, "%s", "the dataplane did not answer in time");
	case -EOPNOTSUPP:
		return sk_err_set(err, errlen, rc, "%s",
				  "the dataplane does not serve load balancer requests");
	default:
		return sk_err_set(err, errlen, rc, "%s", dp_msg(c, strerror(-rc)));
	}
}

static int
mbox_lb_set(struct sk_dplink *l, const struct sk_shm_lb_set *req, char *err,
		 size_t errlen)
{
	struct sk_shm_ctl *c = l->ctl;
	int rc;

	c->lb_set = *req;
	c->lb_set.reserved = 0;
	rc = sk_dplink_request(l, SK_SHM_OP_LB_SET, REQ_TIMEOUT_MS);
	switch (rc) {
	case 0:
		return 0;
	case -ESTALE:
		return sk_err_set(err, errlen, rc,
				  "generation %" PRIu64 " is no longer running (now %" PRIu64
				  "): a commit happened in between", req->generation,
				  sk_dplink_generation(l));
	case -EINVAL:
		return sk_err_set(err, errlen, rc, "the dataplane refused the change of service %"
				  PRIu32 " backend %" PRIu32 ": %s", req->service, req->backend,
				  dp_msg(c, "no such backend or value out of range"));
	default:
		return common_error(c, rc, err, errlen);
	}
}

static int
mbox_lb_status(struct sk_dplink *l, struct sk_shm_lb_backend **out, size_t *n,
		    uint64_t *generation, char *err, size_t errlen)
{
	struct sk_shm_ctl *c = l->ctl;
	uint64_t cap = LB_STATUS_FIRST;
	int tries;

	*out = NULL;
	*n = 0;
	/* A round normally; another with the count the dataplane reported when the
	 * buffer was short (a commit may add backends in between: one more). */
	for (tries = 0; tries < 3; tries++) {
		struct sk_shm_lb_backend *buf = rte_malloc("sk_lb_status", cap * sizeof(*buf), 0);
		uint64_t count;
		int rc;

		if (buf == NULL)
			return sk_err_set(err, errlen, -ENOMEM, "%s",
					  "no shared memory for the backend status");
		c->resp_buf = buf;
		c->resp_cap = cap * sizeof(*buf);
		rc = sk_dplink_request(l, SK_SHM_OP_LB_STATUS, REQ_TIMEOUT_MS);
		c->resp_buf = NULL;
		if (rc == -ETIMEDOUT)
			return common_error(c, rc, err, errlen); /* buf may still be written */
		count = c->resp_count;
		if (rc == 0 && count <= cap) {
			struct sk_shm_lb_backend *copy = NULL;

			if (count > 0 && (copy = malloc(count * sizeof(*copy))) == NULL) {
				rte_free(buf);
				return sk_err_set(err, errlen, -ENOMEM, "%s", "out of memory");
			}
			if (count > 0)
				memcpy(copy, buf, count * sizeof(*copy));
			rte_free(buf);
			*out = copy;
			*n = (size_t)count;
			*generation = c->resp_gen;
			return 0;
		}
		rte_free(buf);
		if (rc != 0 && rc != -ENOSPC)
			return common_error(c, rc, err, errlen);
		/* Too small: the dataplane says how many there are (or we double). */
		cap = count > cap ? count : cap * 2;
		if (cap > LB_STATUS_MAX)
			break;
	}
	return sk_err_set(err, errlen, -ENOSPC, "%s", "the backend status does not fit");
}

/* Under the link's lock, as every mailbox request (dplink.c). */
int
sk_dplink_lb_set(struct sk_dplink *l, const struct sk_shm_lb_set *req, char *err,
		 size_t errlen)
{
	int rc;

	pthread_mutex_lock(&l->lock);
	rc = mbox_lb_set(l, req, err, errlen);
	pthread_mutex_unlock(&l->lock);
	return rc;
}

int
sk_dplink_lb_status(struct sk_dplink *l, struct sk_shm_lb_backend **out, size_t *n,
		    uint64_t *generation, char *err, size_t errlen)
{
	int rc;

	pthread_mutex_lock(&l->lock);
	rc = mbox_lb_status(l, out, n, generation, err, errlen);
	pthread_mutex_unlock(&l->lock);
	return rc;
}
