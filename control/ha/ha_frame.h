/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_frame.h - the HA link's wire codec (docs/ha-link.md): the 32-byte frame
 * header, the HMAC-SHA256 that closes every frame, the session key and the
 * HELLO payload.  Private to control/ha (and its unit test, which uses it to
 * play hostile peers); no I/O here.
 */
#ifndef SK_CP_HA_FRAME_H
#define SK_CP_HA_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include "ha_link.h"

#define SK_HA_FRAME_MAGIC 0x534b484cu /* "SKHL" */
#define SK_HA_FRAME_VERSION 1
#define SK_HA_FLAG_FIRST 0x01  /* first frame of a message */
#define SK_HA_FLAG_LAST 0x02   /* last frame of a message (a whole one: both) */
#define SK_HA_FLAGS_KNOWN (SK_HA_FLAG_FIRST | SK_HA_FLAG_LAST)
#define SK_HA_NONCE_LEN 16
#define SK_HA_HELLO_LEN 128

/* The header, in host order.  On the wire, big-endian:
 *  0 magic u32 | 4 version u8 | 5 type u8 | 6 flags u8 | 7 unit u8 |
 *  8 len u32 (payload bytes in this frame) | 12 total u32 (bytes of the
 *  whole message) | 16 seq u64 | 24 boot u64 */
struct sk_ha_frame_hdr {
	uint32_t magic;
	uint8_t version;
	uint8_t type;
	uint8_t flags;
	uint8_t unit;
	uint32_t len;
	uint32_t total;
	uint64_t seq;
	uint64_t boot;
};

void sk_ha_frame_hdr_put(const struct sk_ha_frame_hdr *h, uint8_t out[SK_HA_FRAME_HDR_LEN]);
void sk_ha_frame_hdr_get(const uint8_t in[SK_HA_FRAME_HDR_LEN], struct sk_ha_frame_hdr *h);

/* Checks that need no key, done before the body is read: 0 if fine, else
 * the error kind + 1 (SK_HA_LINKERR_*): bad magic, a version we do not
 * speak, a length beyond max_frame, an unknown type or flag, a total that
 * does not fit the frame's role or is beyond max_msg. */
int sk_ha_frame_hdr_check(const struct sk_ha_frame_hdr *h, uint32_t max_frame,
			  uint64_t max_msg);

/* A keyed HMAC-SHA256 context, reused for every frame (keyed once). */
struct sk_ha_mac {
	void *mac;  /* EVP_MAC * */
	void *ctx;  /* EVP_MAC_CTX * */
};

int sk_ha_mac_init(struct sk_ha_mac *m, const uint8_t key[SK_HA_KEY_LEN])
	__attribute__((warn_unused_result));
void sk_ha_mac_free(struct sk_ha_mac *m);
/* out = HMAC(a | b).  0 or -EIO. */
int sk_ha_mac_compute(struct sk_ha_mac *m, const void *a, size_t alen, const void *b,
		      size_t blen, uint8_t out[SK_HA_FRAME_MAC_LEN])
	__attribute__((warn_unused_result));

/* Write header + payload + MAC into out (room for h->len + 64 bytes);
 * returns the bytes written, or 0 if the MAC could not be computed. */
size_t sk_ha_frame_encode(struct sk_ha_mac *m, const struct sk_ha_frame_hdr *h,
			  const void *payload, uint8_t *out);

/* frame = header, h_len payload bytes, MAC.  1 if the MAC verifies
 * (constant time), 0 otherwise. */
int sk_ha_frame_verify(struct sk_ha_mac *m, const uint8_t *frame, uint32_t h_len);

/* session key = HMAC(key, "sekisho ha session" | nonce1 | nonce2), nonce1
 * being the HELLO nonce of the end that dialed the connection.  0 or -EIO. */
int sk_ha_session_key(const uint8_t key[SK_HA_KEY_LEN], const uint8_t nonce1[SK_HA_NONCE_LEN],
		      const uint8_t nonce2[SK_HA_NONCE_LEN], uint8_t out[SK_HA_KEY_LEN])
	__attribute__((warn_unused_result));

/* HELLO payload (SK_HA_HELLO_LEN bytes, big-endian):
 *  0 unit u8 | 1..3 zero | 4 workers u32 | 8 snat_layout u32 |
 *  12 max_frame u32 | 16 nonce[16] | 32 version[32] | 64 cluster[64]
 * (strings NUL-padded, NUL-terminated). */
struct sk_ha_hello_msg {
	uint8_t unit;
	uint32_t max_frame;
	uint8_t nonce[SK_HA_NONCE_LEN];
	struct sk_ha_link_hello hello;
};

void sk_ha_hello_put(const struct sk_ha_hello_msg *h, uint8_t out[SK_HA_HELLO_LEN]);
/* 0, or -EINVAL: wrong length, non-zero padding, unterminated string. */
int sk_ha_hello_get(const void *in, size_t len, struct sk_ha_hello_msg *h)
	__attribute__((warn_unused_result));

/* 0 if both sides' hello fields match, else -1 with what differs in why. */
int sk_ha_hello_compare(const struct sk_ha_hello_msg *ours, const struct sk_ha_hello_msg *peer,
			char *why, size_t whylen);

#endif /* SK_CP_HA_FRAME_H */
