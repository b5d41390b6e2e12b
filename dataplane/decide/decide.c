/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * decide.c - the out-of-line decisions of decide.h: one packet classified
 * on its own, for the re-checks after a commit and for the offline trace.
 */
#include "decide.h"
#include "acl/acl.h"

struct sk_verdict
sk_decide_classify(const struct sk_gen *g, const struct sk_pkt_meta *pm)
{
	return sk_decide_verdict(g, sk_acl_classify_one(g->acl, pm), pm->in_zone, pm->out_zone);
}
