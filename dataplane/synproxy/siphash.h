/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * siphash.h - SipHash-2-4 (Aumasson & Bernstein), the keyed hash behind the
 * SYN cookies.  A PRF with a 128-bit key: an attacker who sees many cookies
 * cannot forge one for another tuple without the key.
 */
#ifndef SK_SIPHASH_H
#define SK_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* key: two little-endian 64-bit words (k0 = bytes 0..7, k1 = bytes 8..15). */
uint64_t sk_siphash24(uint64_t k0, uint64_t k1, const void *msg, size_t len);

#endif /* SK_SIPHASH_H */
