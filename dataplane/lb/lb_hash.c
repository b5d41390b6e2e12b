/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb_hash.c - flow hashes for backend selection: CRC32-C (rte_hash_crc)
 * over the tuple from a fixed seed, then a murmur3 finaliser.
 *
 * Why a fixed function: every worker, every restart, the standby unit and
 * the offline trace (control/verify) must pick the same backend for the
 * same flow, so the hash is a pure function of the tuple and constants: no
 * per-process seed.  rte_hash_crc computes the same CRC32-C with the SSE4.2
 * / ARMv8 instruction or with its table fallback, so the value does not
 * depend on the CPU either (test_lb checks both against a bitwise
 * reference).  Why the finaliser: CRC is linear over GF(2), so tuples that
 * differ in a few low bits would otherwise land on related values of
 * h % M; fmix32 spreads every input bit over the whole word.
 *
 * Why not Toeplitz (rte_softrss, what this used before): it walks the key
 * bit by bit, ~540 instructions per IPv4 tuple against ~30 here; nothing
 * needs it to equal the NIC's RSS hash.
 */
#include <string.h>
#include <sys/socket.h>
#include <rte_hash_crc.h>
#include "lb.h"

static inline uint32_t
lb_fmix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* CRC of an address: 4 bytes for IPv4, 16 for IPv6 (fixed-size loads). */
static inline uint32_t
lb_crc_addr(uint8_t family, const uint8_t a[16], uint32_t h)
{
	uint64_t q[2];
	uint32_t d;

	if (family == AF_INET6) {
		memcpy(q, a, sizeof(q));
		h = rte_hash_crc_8byte(q[0], h);
		return rte_hash_crc_8byte(q[1], h);
	}
	memcpy(&d, a, sizeof(d));
	return rte_hash_crc_4byte(d, h);
}

uint32_t
sk_lb_hash_tuple(const struct sk_lb_tuple *t)
{
	uint32_t h = SK_LB_HASH_SEED;

	h = lb_crc_addr(t->family, t->src, h);
	h = lb_crc_addr(t->family, t->dst, h);
	h = rte_hash_crc_4byte((uint32_t)t->sport << 16 | t->dport, h);
	h = rte_hash_crc_4byte((uint32_t)t->family << 8 | t->proto, h);
	return lb_fmix32(h);
}

uint32_t
sk_lb_hash_src(uint8_t family, const uint8_t src[16])
{
	/* The family goes in so an IPv4 source and the IPv6 address starting
	 * with the same 4 bytes do not always collide. */
	return lb_fmix32(rte_hash_crc_4byte(family, lb_crc_addr(family, src, SK_LB_HASH_SEED)));
}
