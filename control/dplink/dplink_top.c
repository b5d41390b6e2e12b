/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dplink_top.c - the dataplane's heavy-hitter memzone (sk_top.h), read
 * directly: the summaries need no mailbox round trip.
 */
#include <rte_memzone.h>

#include "dplink/dplink_priv.h"
#include "dplink/dplink.h"
#include "sk_top.h"

const struct sk_shm_top *
sk_dplink_top(struct sk_dplink *l)
{
	const struct rte_memzone *mz;

	(void)l;   /* attached: the EAL of this process sees the dp's memzones */
	mz = rte_memzone_lookup(SK_SHM_TOP_NAME);
	return mz != NULL ? mz->addr : NULL;
}
