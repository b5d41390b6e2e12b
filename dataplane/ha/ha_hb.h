/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_hb.h - the dataplane heartbeat's encoder and verifier (struct
 * sk_ha_dphb of sk_ha.h).  Pure functions over buffers: no DPDK, so the unit
 * tests drive them directly and the main lcore only adds the UDP framing.
 */
#ifndef SK_HA_HB_H
#define SK_HA_HB_H

#include <stddef.h>
#include <stdint.h>
#include "sk_ha.h"

#define SK_HA_HB_KEY_LEN 32

/* What a heartbeat says (host order). */
struct sk_ha_hb_fields {
	uint8_t unit;
	uint8_t role;
	char cluster[32];
	uint64_t boot;
	uint64_t seq;
	uint64_t term;
	uint64_t generation;
	uint32_t interval_ms;
};

/* The last heartbeat accepted from the peer: (boot, seq) must grow. */
struct sk_ha_hb_last {
	uint8_t valid;
	uint64_t boot;
	uint64_t seq;
};

enum sk_ha_hb_result {
	SK_HA_HB_OK = 0,
	SK_HA_HB_MALFORMED,  /* length, magic, version, cluster, unit */
	SK_HA_HB_BAD_MAC,
	SK_HA_HB_REPLAY,     /* (boot, seq) not newer than the last accepted */
};

/* key = HMAC-SHA256(psk, SK_HA_DPHB_KEY_LABEL).  0 or -EINVAL (empty psk). */
int sk_ha_hb_key(const uint8_t *psk, size_t psk_len, uint8_t key[SK_HA_HB_KEY_LEN])
	__attribute__((warn_unused_result));

/* Read the PSK file (surrounding whitespace trimmed) and derive the key.
 * 0, or -errno with a message in err (never the key's bytes). */
int sk_ha_hb_key_file(const char *path, uint8_t key[SK_HA_HB_KEY_LEN], char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Fill *out (big-endian, MAC last).  0 or -EIO when HMAC fails. */
int sk_ha_hb_encode(const uint8_t key[SK_HA_HB_KEY_LEN], const struct sk_ha_hb_fields *f,
		    struct sk_ha_dphb *out) __attribute__((warn_unused_result));

/*
 * Check len bytes of buf as a heartbeat from unit `from` of `cluster`:
 * length, magic, version, cluster and unit first (MALFORMED), then the MAC
 * in constant time (BAD_MAC), then (boot, seq) strictly newer than *last
 * (REPLAY), compared as a pair: boot first.  On OK, *f is filled and *last
 * advanced; on any failure neither changes.
 */
enum sk_ha_hb_result sk_ha_hb_verify(const uint8_t key[SK_HA_HB_KEY_LEN], const void *buf,
				     size_t len, const char *cluster, uint8_t from,
				     struct sk_ha_hb_last *last, struct sk_ha_hb_fields *f);

#endif /* SK_HA_HB_H */
