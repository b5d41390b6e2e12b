/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synproxy_w.h - a worker's SYN proxy state, embedded in struct sk_worker
 * (worker/dp.h): its cookie key cache and the automatic mode's clocks.
 * Written by its worker only.
 */
#ifndef SK_SYNPROXY_W_H
#define SK_SYNPROXY_W_H

#include <stdint.h>

#include "syncookie.h"

struct sk_synproxy_w {
	struct sk_syncookie_keys keys;
	/* automatic mode (dataplane.synproxy_auto_*) */
	uint32_t win_ms;        /* start of the current one-second SYN count */
	uint32_t win_syns;      /* new SYNs (connection misses) in it */
	uint32_t last_rate;     /* SYNs of the previous window, per second */
	uint32_t on_until_ms;   /* engaged until (hold after the last trigger) */
	uint32_t last_on_ms;    /* last time it was engaged: its cookies stay valid 128 s */
	uint8_t on;             /* engaged at the last evaluation */
	uint8_t ever_on;        /* last_on_ms is meaningful */
	uint8_t tx_pending;     /* answers in the TX buffer of the port just polled */
};

#endif /* SK_SYNPROXY_W_H */
