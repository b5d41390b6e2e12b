/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mbox_lb.c - the load balancer's runtime requests: a backend's admin
 * state, health or weight (SK_SHM_OP_LB_SET, no new generation: lb_svc.c
 * rebuilds the service's tables and retires the old ones for
 * sk_mbox_poll_reclaim), and every backend's state (SK_SHM_OP_LB_STATUS).
 */
#include <errno.h>

#include "mbox_priv.h"
#include "worker/dp.h"
#include "lb/lb_svc.h"

void
sk_mbox_lb_set(void)
{
	struct sk_shm_ctl *c = sk_dp.ctl;
	struct sk_gen *g = sk_dp.gen;
	struct sk_shm_lb_set req = c->lb_set;
	int rc;

	rc = sk_lb_set(g->lb, &req);
	switch (rc) {
	case 0:
		sk_mbox_respond(0, NULL);
		break;
	case -ESTALE:
		sk_mbox_respond(rc, "the backend indices name another generation than the running one");
		break;
	case -EINVAL:
		sk_mbox_respond(rc, "no such service or backend, or a value out of range");
		break;
	default:
		sk_mbox_respond(rc, "out of memory rebuilding the service's tables");
		break;
	}
}

void
sk_mbox_lb_status(void)
{
	struct sk_shm_ctl *c = sk_dp.ctl;
	struct sk_gen *g = sk_dp.gen;
	uint32_t cap = (uint32_t)(c->resp_cap / sizeof(struct sk_shm_lb_backend));
	uint32_t n;

	n = sk_lb_status(g->lb, c->resp_buf, c->resp_buf != NULL ? cap : 0);
	c->resp_count = n;
	c->resp_gen = g->id;
	c->resp_len = (uint64_t)RTE_MIN(n, cap) * sizeof(struct sk_shm_lb_backend);
	sk_mbox_respond(n > cap ? -ENOSPC : 0, n > cap ? "status buffer too small" : NULL);
}
