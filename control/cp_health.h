/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp_health.h - health checks inside sekisho-cp (cp_health.c): the checker
 * on the running image's backends, its transitions logged, the dataplane
 * kept in step by reconciliation.
 */
#ifndef SK_CP_HEALTH_H
#define SK_CP_HEALTH_H

struct sk_cp;

/* Start checking the running image's backends through tap ("" = kernel routing). 0 or -errno. */
int sk_cp_health_start(struct sk_cp *cp, const char *tap);
/* After a commit: targets from the new running image and generation.  0 or -errno. */
int sk_cp_health_targets(struct sk_cp *cp);
/* Daemon loop: push differences to the dataplane (on a change, else once a second). */
void sk_cp_health_tick(struct sk_cp *cp);
/* Stop the checker; NULL health is a no-op. */
void sk_cp_health_stop(struct sk_cp *cp);

#endif /* SK_CP_HEALTH_H */
