/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wlimit.h - the worker's limits on new connections (docs/security.md
 * "Limits"): the half-open cap of dataplane.halfopen_max, and the per-source
 * src_rate / src_conn_max of the rule that accepted the connection
 * (limit/srclim.h).  Checked after policy accepted a new flow and before its
 * connection is created; established connections never pass through here.
 */
#ifndef SK_WLIMIT_H
#define SK_WLIMIT_H

#include <stdint.h>

#include "sk_drop.h"

struct sk_worker;
struct sk_gen;
struct sk_conn;
struct sk_pkt_meta;

/* May the new flow of pm, accepted by rule (0 = a zone default), open a
 * connection now?  SK_DROP_NONE, or the limit's reason (nothing created;
 * a rate token is taken only when it may). */
enum sk_drop_reason sk_wlimit_admit(struct sk_worker *w, const struct sk_gen *g,
				    const struct sk_pkt_meta *pm, uint32_t rule)
	__attribute__((warn_unused_result));

/* Does rule count its connections per source (src_conn_max)? */
int sk_wlimit_counts(const struct sk_gen *g, uint32_t rule);

/* Connection c (a primary) of pm's source was just created under a rule
 * that counts: count it and flag it SK_CONN_F_COUNTED. */
void sk_wlimit_created(struct sk_worker *w, struct sk_conn *c, const struct sk_pkt_meta *pm);

/* The conn table's release hook of a worker (arg = the worker): gives back
 * a counted connection's unit, then the load balancer's release. */
void sk_wlimit_release(void *arg, const struct sk_conn *primary, const struct sk_conn *alias);

#endif /* SK_WLIMIT_H */
