/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb_wlc.c - weighted least connections: the eligible backend with the
 * lowest active connections per unit of weight.  Ratios are compared by
 * cross-multiplication in 64 bits (conns < 2^32, weight < 2^16), so there
 * is no division and no rounding: equal loads really tie, and ties go to
 * the lowest index so the choice is deterministic.
 */
#include "lb.h"

uint32_t
sk_lb_wlc_pick(const struct sk_lb_backend *be, const uint32_t *conns, uint32_t n)
{
	uint32_t best = SK_LB_NONE;
	uint64_t bc = 0, bw = 1;

	for (uint32_t i = 0; i < n; i++) {
		if (!sk_lb_backend_eligible(&be[i]))
			continue;
		if (best == SK_LB_NONE ||
		    (uint64_t)conns[i] * bw < bc * be[i].weight) {
			best = i;
			bc = conns[i];
			bw = be[i].weight;
		}
	}
	return best;
}
