/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wcmd.c - the worker command ring (wcmd.h): the ring itself and the
 * dispatch of a command to its type's step function.  It knows no command;
 * SK_WCMD_LIST does.
 */
#include <errno.h>
#include <stdio.h>
#include <rte_branch_prediction.h>
#include <rte_errno.h>

#include "wcmd.h"

/* Commands in flight per worker: a connection request takes one at a time. */
#define WCMD_RING_SIZE 64

const char *const sk_wcmd_names[SK_WCMD__MAX] = {
#define SK_WCMD_NAME(e, n, t) [SK_WCMD_##e] = #n,
	SK_WCMD_LIST(SK_WCMD_NAME)
#undef SK_WCMD_NAME
};

static const sk_wcmd_step_fn steps[SK_WCMD__MAX] = {
#define SK_WCMD_STEP(e, n, t) [SK_WCMD_##e] = sk_wcmd_##n##_step,
	SK_WCMD_LIST(SK_WCMD_STEP)
#undef SK_WCMD_STEP
};

int
sk_wcmd_port_init(struct sk_wcmd_port *p, uint16_t worker, int socket)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "sk_wcmd_%u", worker);
	p->cur = NULL;
	p->ring = rte_ring_create(name, WCMD_RING_SIZE, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	return p->ring != NULL ? 0 : -rte_errno;
}

void
sk_wcmd_port_fini(struct sk_wcmd_port *p)
{
	rte_ring_free(p->ring);
	p->ring = NULL;
	p->cur = NULL;
}

int
sk_wcmd_post(struct sk_wcmd_port *p, struct sk_wcmd *cmd)
{
	cmd->done = 0;
	cmd->rc = 0;
	cmd->cursor = 0;
	/* The enqueue publishes the command (release): the worker sees it whole. */
	return rte_ring_sp_enqueue(p->ring, cmd) == 0 ? 0 : -ENOBUFS;
}

uint32_t
sk_wcmd_poll(struct sk_wcmd_port *p, const struct sk_wcmd_ctx *ctx, uint32_t budget)
{
	uint32_t left = budget;

	while (left != 0) {
		struct sk_wcmd *cmd = p->cur;

		if (cmd == NULL) {
			if (rte_ring_sc_dequeue(p->ring, (void **)&cmd) != 0)
				break;
			p->cur = cmd;
		}
		if (unlikely(cmd->type >= SK_WCMD__MAX)) {
			cmd->rc = -EOPNOTSUPP;
		} else if (steps[cmd->type](ctx, cmd, &left) == SK_WCMD_STEP_MORE) {
			left = 0;
			break;
		}
		p->cur = NULL;
		__atomic_store_n(&cmd->done, 1, __ATOMIC_RELEASE);
	}
	return budget - left;
}
