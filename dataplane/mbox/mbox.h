/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mbox.h - the dataplane's side of the control block (sk_shm.h): answering
 * the control plane's requests on the main lcore, publishing new
 * generations, and handing connection listings/kills to the workers that
 * own the tables.
 */
#ifndef SK_MBOX_H
#define SK_MBOX_H

#include <stdint.h>
#include "sk_shm.h"

struct sk_worker;

/* Reserve the control block and the counters memzone (main lcore, start-up). */
int sk_mbox_init(char *err, size_t errlen);

/* Main lcore, every loop: requests, pending worker work, deferred frees. */
void sk_mbox_poll(void);

/* Main lcore, at exit: free generations still waiting for a grace period. */
void sk_mbox_fini(void);

/* Worker: do a connection request addressed to this worker (if any). */
void sk_mbox_worker(struct sk_worker *w);

#endif /* SK_MBOX_H */
