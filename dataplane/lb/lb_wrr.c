/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb_wrr.c - smooth weighted round robin (nginx's algorithm).
 *
 * Each pick adds every eligible backend's weight to its current value,
 * picks the largest (ties: lowest index) and subtracts the total weight from
 * it.  Over a cycle of sum(weights) picks each backend is chosen exactly
 * weight times, and the heavy ones are spread out (5,1,1 gives a a b a c a a
 * rather than a a a a a b c).  A backend that is not eligible is skipped and
 * its current value cleared, so it comes back without a stale credit.
 *
 * The state is per worker (written on every pick): never shared.
 */
#include <errno.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include "lb.h"

struct sk_lb_wrr {
	uint32_t n;
	int64_t cur[];   /* bounded by +-n * 65535 in magnitude: 64 bits is ample */
};

struct sk_lb_wrr *
sk_lb_wrr_create(uint32_t n, int socket)
{
	struct sk_lb_wrr *w;

	if (n == 0 || n > SK_LB_MAGLEV_MAX_BACKENDS) {
		rte_errno = EINVAL;
		return NULL;
	}
	w = rte_zmalloc_socket("sk_lb_wrr", sizeof(*w) + sizeof(w->cur[0]) * n,
			       RTE_CACHE_LINE_SIZE, socket);
	if (w == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	w->n = n;
	return w;
}

void
sk_lb_wrr_free(struct sk_lb_wrr *w)
{
	rte_free(w);
}

void
sk_lb_wrr_reset(struct sk_lb_wrr *w)
{
	for (uint32_t i = 0; i < w->n; i++)
		w->cur[i] = 0;
}

uint32_t
sk_lb_wrr_pick(struct sk_lb_wrr *w, const struct sk_lb_backend *be, uint32_t n)
{
	uint32_t best = SK_LB_NONE;
	int64_t total = 0;

	if (n > w->n)
		return SK_LB_NONE;
	for (uint32_t i = 0; i < n; i++) {
		if (!sk_lb_backend_eligible(&be[i])) {
			w->cur[i] = 0;
			continue;
		}
		w->cur[i] += be[i].weight;
		total += be[i].weight;
		if (best == SK_LB_NONE || w->cur[i] > w->cur[best])
			best = i;
	}
	if (best != SK_LB_NONE)
		w->cur[best] -= total;
	return best;
}
