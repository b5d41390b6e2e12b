/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_csync_rx.h - the standby's half of connection sync (ha_csync_rx.c),
 * private to control/ha: ha_csync.c routes the peer's batches and bulk
 * marks here and runs sk_ha_csync_rx_tick once per HA loop.
 */
#ifndef SK_HA_CSYNC_RX_H
#define SK_HA_CSYNC_RX_H

#include <stddef.h>
#include <stdint.h>

#include "ha_priv.h"

/*
 * Milliseconds from t to now, 0 when t is later: the loop reads its clock
 * once (now) before the link's callbacks run, and those stamp with their own
 * reading (a session's start, a bulk's BEGIN), which may be a ms past now.
 * A plain now - t there wraps to ~2^64: a session that came up in this very
 * loop looked 2^64 ms old, its resume wait "expired" at once and it fell
 * back to a bulk sync (tests/ha/run step 3, 3 of 8 runs).
 */
static inline uint64_t
sk_ha_ms_since(uint64_t now, uint64_t t)
{
	return now > t ? now - t : 0;
}

/* A CONN_RECORDS batch from the active: checked, handed to the owners. */
void sk_ha_csync_rx_records(struct sk_ha *ha, const uint8_t *p, size_t len);
/* BULK_BEGIN / BULK_END from the active. */
void sk_ha_csync_rx_bulk(struct sk_ha *ha, uint8_t type, const uint8_t *p, size_t len);
/* Per loop: held records' generation, waiting records into the in rings,
 * the ACK, the end of a bulk sync once applied. */
void sk_ha_csync_rx_tick(struct sk_ha *ha, uint64_t now);

#endif
