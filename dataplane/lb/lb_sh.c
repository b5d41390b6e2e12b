/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb_sh.c - source-hash scheduling.
 *
 * Choice: rather than a second structure (e.g. rendezvous hashing, O(n) per
 * pick), a source is looked up in the service's Maglev table with a hash of
 * the source address only.  This costs one table read per new connection,
 * honours weights the way Maglev does, and inherits Maglev's minimal
 * disruption: when a backend leaves, its own sources move and only a small
 * fraction of the others'.
 */
#include "lb.h"

uint32_t
sk_lb_sh_pick(const struct sk_lb_maglev *t, uint8_t family, const uint8_t src[16])
{
	return sk_lb_maglev_lookup(t, sk_lb_hash_src(family, src));
}
