/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_csync_link.h - connection sync's side of the HA link callbacks
 * (ha_csync_link.c): used by ha.c, and as they are by two units in one
 * process (tests/unit/test_csync, perf/bench_sync).
 */
#ifndef SK_CP_HA_CSYNC_LINK_H
#define SK_CP_HA_CSYNC_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "ha_link.h"
#include "ha_priv.h"

/* 1 when type is one of connection sync's messages (CONN_RECORDS, ACK,
 * BULK_BEGIN, BULK_END), which go to sk_ha_csync_on_msg. */
int sk_ha_csync_msg_type(uint8_t type);

/* Link callbacks, ctx = the struct sk_ha: connection sync's messages to
 * ha_csync.c (others ignored); the state into link_is_up, and on UP a new
 * session (sk_ha_csync_session: resume or bulk sync). */
void sk_ha_csync_link_on_msg(void *ctx, uint8_t type, const void *payload, size_t len);
void sk_ha_csync_link_on_state(void *ctx, enum sk_ha_link_state st, const char *reason);

/* A link between two units on 127.0.0.1 for connection sync alone. */
struct sk_ha_csync_loop {
	const uint8_t *key;     /* SK_HA_KEY_LEN bytes, the same on both */
	uint16_t lport, pport;  /* this unit's port, the peer's */
	uint32_t dead_ms;
	uint32_t workers;       /* the greeting's worker count (both alike) */
	const char *name;       /* the greeting's version and cluster */
};

/* ha->link from lp with the callbacks above (ha->unit set).  0 or -errno, err filled. */
int sk_ha_csync_link_loopback(struct sk_ha *ha, const struct sk_ha_csync_loop *lp, char *err,
			      size_t errlen) __attribute__((warn_unused_result));

/* A unit of a pair in one process (no dataplane, no state machine):
 * ha cleared, with its cp, unit id (1, 2), role, the peer's role as if its
 * heartbeat had come, connection sync initialised on the rings sh (n_workers
 * of them) in place of a dataplane's.  0 or -ENOMEM. */
int sk_ha_csync_pair_unit(struct sk_ha *ha, struct sk_cp *cp, unsigned int unit, uint32_t role,
			  uint32_t peer_role, struct sk_sync_shm *sh, unsigned int n_workers)
	__attribute__((warn_unused_result));

#endif /* SK_CP_HA_CSYNC_LINK_H */
