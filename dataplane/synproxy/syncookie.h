/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * syncookie.h - stateless SYN cookies (RFC 4987 s3.6) for the SYN proxy.
 *
 * The cookie is the ISN of the proxy's SYN-ACK.  It carries what the proxy
 * must remember about the client's SYN without keeping state:
 *
 *   bits 31..8  24-bit MAC: SipHash-2-4(key(epoch), tuple, client ISN, bits 7..0)
 *               (IPv4 hashes 4-byte addresses: 20 bytes; IPv6 44 bytes)
 *   bit  7      epoch parity (which of the two live keys signed it)
 *   bits 6..5   MSS index into sk_syncookie_mss_table (largest entry <= the
 *               client's MSS, as Linux's msstab)
 *   bits 4..1   window scale shift 0..14, 15 = client sent no wscale option
 *   bit  0      client sent SACK-permitted
 *
 * Linux hides wscale/SACK in the TCP timestamp; here they sit in the cookie so
 * they survive clients that do not send timestamps (the MAC is 24 bits, the
 * same order as Linux's).  Keys rotate every SK_SYNCOOKIE_EPOCH_S seconds:
 * key(e) = SipHash(master, e), so no worker ever writes a shared key and every
 * worker derives the same one.  A cookie verifies in its own epoch and the
 * next (between 64 and 128 s of life), never after two rotations.  The master
 * secret is random per process (sk_syncookie_master_random at start).
 */
#ifndef SK_SYNCOOKIE_H
#define SK_SYNCOOKIE_H

#include <stdbool.h>
#include <stdint.h>

#define SK_SYNCOOKIE_EPOCH_S   64
#define SK_SYNCOOKIE_MSS_N     4
#define SK_SYNCOOKIE_NO_WSCALE 15

extern const uint16_t sk_syncookie_mss_table[SK_SYNCOOKIE_MSS_N];

/* The connection the cookie is for, client's view.  Addresses are 4 (IPv4,
 * rest zero) or 16 bytes in network order; ports in network order. */
struct sk_syncookie_tuple {
	uint8_t saddr[16];
	uint8_t daddr[16];
	uint16_t sport;
	uint16_t dport;
	uint8_t family; /* 4 or 6 */
};

/* The client SYN's options the proxy must replay to the server. */
struct sk_syncookie_opts {
	uint16_t mss;    /* 0: option absent (536 is assumed, RFC 9293) */
	uint8_t wscale;  /* SK_SYNCOOKIE_NO_WSCALE: option absent */
	bool sack;
};

/* Per-worker key cache: the master secret and the keys of the last two
 * epochs it derived (slot = epoch & 1).  Never shared between lcores. */
struct sk_syncookie_keys {
	uint64_t master[2];
	uint64_t epoch[2];
	uint64_t k[2][2];
	bool have[2];
};

enum sk_syncookie_verdict {
	SK_SYNCOOKIE_VALID = 0,
	SK_SYNCOOKIE_BAD,      /* forged, wrong tuple/ISN/secret, or two rotations old */
};

/* Fill master with 16 random bytes (getrandom); control path, at start.
 * 0 or -errno. */
__attribute__((warn_unused_result))
int sk_syncookie_master_random(uint8_t master[16]);

void sk_syncookie_keys_init(struct sk_syncookie_keys *keys, const uint8_t master[16]);

/* Cookie for a SYN (client ISN isn) seen at now_s (any monotonic seconds
 * clock shared by the workers).  *enc receives the options as the cookie
 * encodes them (MSS rounded down to the table), which the SYN-ACK must
 * advertise back. */
uint32_t sk_syncookie_make(struct sk_syncookie_keys *keys,
	const struct sk_syncookie_tuple *t, uint32_t isn,
	const struct sk_syncookie_opts *in, uint64_t now_s,
	struct sk_syncookie_opts *enc);

/* Check the cookie of the client's ACK: cookie = ack - 1, isn = seq - 1.
 * On SK_SYNCOOKIE_VALID *out holds the decoded options. */
enum sk_syncookie_verdict sk_syncookie_check(struct sk_syncookie_keys *keys,
	const struct sk_syncookie_tuple *t, uint32_t isn, uint32_t cookie,
	uint64_t now_s, struct sk_syncookie_opts *out);

#endif /* SK_SYNCOOKIE_H */
