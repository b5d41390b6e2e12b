/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats.c - names of counters (from the X-macro lists) and summing.
 */
#include <string.h>
#include "stats.h"

const char *const sk_drop_names[SK_DROP__MAX] = {
#define SK_DROP_NAME(e, name, desc) [SK_DROP_##e] = name,
	SK_DROP_LIST(SK_DROP_NAME)
#undef SK_DROP_NAME
};

const char *const sk_drop_descs[SK_DROP__MAX] = {
#define SK_DROP_DESC(e, name, desc) [SK_DROP_##e] = desc,
	SK_DROP_LIST(SK_DROP_DESC)
#undef SK_DROP_DESC
};

const char *const sk_local_names[SK_LOCAL__MAX] = {
#define SK_LOCAL_NAME(e, n) [SK_LOCAL_##e] = n,
	SK_LOCAL_LIST(SK_LOCAL_NAME)
#undef SK_LOCAL_NAME
};

void
sk_stats_sum(const struct sk_stats_lcore *per, unsigned int n, struct sk_stats_sum *out)
{
	unsigned int i, j;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		const struct sk_stats_lcore *s = &per[i];

		for (j = 0; j < SK_DROP__MAX; j++)
			out->drops[j] += s->drops[j];
		for (j = 0; j < SK_LOCAL__MAX; j++)
			out->local[j] += s->local[j];
#define SK_COUNTER_ADD(f, metric, help) out->f += s->f;
		SK_COUNTER_LIST(SK_COUNTER_ADD)
#undef SK_COUNTER_ADD
	}
}
