/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_priv.h - inside the HA module: the HEARTBEAT message on the HA link
 * and the persisted term (ha_util.c).
 */
#ifndef SK_CP_HA_PRIV_H
#define SK_CP_HA_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include "ha.h"

/* HEARTBEAT payload, 24 bytes, integers big-endian:
 * version, unit, role, priority, ready, forced, 2 x 0, term, generation. */
#define SK_HA_HBMSG_LEN 24
#define SK_HA_HBMSG_VERSION 1

struct sk_ha_hbmsg {
	uint8_t unit, priority, ready, forced;
	uint32_t role;
	uint64_t term, generation;
};

void sk_ha_hbmsg_put(const struct sk_ha_hbmsg *m, uint8_t out[SK_HA_HBMSG_LEN]);
int sk_ha_hbmsg_get(const void *buf, size_t len, struct sk_ha_hbmsg *m)
	__attribute__((warn_unused_result));

/* <state_dir>/ha-term: 0 when absent. */
uint64_t sk_ha_term_load(const char *state_dir);
/* Temporary file, fsync, rename.  0 or -errno. */
int sk_ha_term_save(const char *state_dir, uint64_t term) __attribute__((warn_unused_result));

#endif /* SK_CP_HA_PRIV_H */
