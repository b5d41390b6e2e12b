/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mbox.h - the dataplane's side of the control block (sk_shm.h), the
 * mailbox: the main lcore answers the control plane's requests, publishes
 * new generations and frees old ones after a grace period, and carries
 * connection requests out on the workers that own the tables (through the
 * worker command ring, wcmd/wcmd.h).
 *
 * Everything here runs on the main lcore.  The sk_mbox_poll_* functions are
 * tasks of the main loop (worker/mainloop.c): each does a little and
 * returns, none waits for a worker.
 */
#ifndef SK_MBOX_H
#define SK_MBOX_H

#include <stddef.h>
#include <stdint.h>
#include "sk_shm.h"

/* Reserve the control block and the counters memzone (start-up).  0 or -errno. */
int sk_mbox_init(char *err, size_t errlen) __attribute__((warn_unused_result));

/* Free generations and LB tables no worker can see any more.  Returns how many went. */
unsigned int sk_mbox_poll_reclaim(void);

/*
 * The control plane's request, if any, or the next step of the one being
 * carried out on the workers.  Returns 1 when a request was answered, else 0.
 */
unsigned int sk_mbox_poll_requests(void);

/* At exit, workers stopped: free generations still waiting for a grace period. */
void sk_mbox_fini(void);

#endif /* SK_MBOX_H */
