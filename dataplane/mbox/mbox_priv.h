/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mbox_priv.h - inside the mailbox module: the answer to the running
 * request and each concern's handlers (commit and reclaim, connection jobs,
 * LB runtime), dispatched by mbox.c.
 */
#ifndef SK_MBOX_PRIV_H
#define SK_MBOX_PRIV_H

#include <stdint.h>

/* Answer the running request: rc 0 or -errno, msg NULL or why. */
void sk_mbox_respond(int rc, const char *msg);

/* mbox_commit.c: SK_SHM_OP_COMMIT, and the deferred frees. */
void sk_mbox_commit(void);
unsigned int sk_mbox_reclaim(int wait);
void sk_mbox_commit_fini(void);

/* mbox_jobs.c: SK_SHM_OP_CONNS, CONN_COUNT, CONN_KILL on every worker in turn. */
void sk_mbox_conns_start(void);
/* 1 while a connection request is being carried out (answered when it ends). */
int sk_mbox_conns_busy(void);
/* Its next step: returns 1 when it ended and was answered, else 0. */
unsigned int sk_mbox_conns_step(void);

/* mbox_lb.c: SK_SHM_OP_LB_SET and LB_STATUS. */
void sk_mbox_lb_set(void);
void sk_mbox_lb_status(void);

#endif /* SK_MBOX_PRIV_H */
