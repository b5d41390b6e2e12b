/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb_svc_diag.h - additions to lb_svc.h (which is a fixed contract for now):
 * counters of the persistence tables, for telemetry and tests.  Meant to
 * move into lb_svc.h when the contract is next opened.
 */
#ifndef SK_LB_SVC_DIAG_H
#define SK_LB_SVC_DIAG_H

#include <stdint.h>
#include "lb_svc.h"

struct sk_lb_persist_stats {
	uint64_t hits;   /* new connections sent to the client's remembered backend */
	uint64_t full;   /* new connections that went unremembered: table full */
};

/* Sum over workers.  Any reader. */
void sk_lb_persist_stats(const struct sk_lb *lb, struct sk_lb_persist_stats *st);

#endif /* SK_LB_SVC_DIAG_H */
