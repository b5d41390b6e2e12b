/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb_hash.c - flow hashes for backend selection: Toeplitz (rte_softrss)
 * with a fixed key, so every worker, every restart and the standby unit
 * compute the same hash for the same flow, followed by a murmur3 finaliser:
 * Toeplitz is linear, so sources that differ in a few low bits would
 * otherwise land on related values of h % M.
 */
#include <string.h>
#include <sys/socket.h>
#include <rte_byteorder.h>
#include <rte_thash.h>
#include "lb.h"

/* 4 bytes longer than the longest input (10 words) as rte_softrss needs. */
static const uint8_t lb_rss_key[44] __rte_aligned(4) = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d,
	0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b,
	0xbe, 0xac, 0x01, 0xfa, 0x3c, 0x1d, 0x94, 0x57,
};

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

/* Address bytes (network order) as host-order words, as NIC RSS reads them. */
static inline uint32_t
lb_addr_words(uint8_t family, const uint8_t a[16], uint32_t *w)
{
	uint32_t nw = family == AF_INET6 ? 4 : 1;

	for (uint32_t i = 0; i < nw; i++) {
		uint32_t x;

		memcpy(&x, a + 4 * i, 4);
		w[i] = rte_be_to_cpu_32(x);
	}
	return nw;
}

uint32_t
sk_lb_hash_tuple(const struct sk_lb_tuple *t)
{
	uint32_t w[10];
	uint32_t n = lb_addr_words(t->family, t->src, w);

	n += lb_addr_words(t->family, t->dst, w + n);
	w[n++] = (uint32_t)t->sport << 16 | t->dport;
	w[n++] = t->proto;
	return lb_fmix32(rte_softrss(w, n, lb_rss_key));
}

uint32_t
sk_lb_hash_src(uint8_t family, const uint8_t src[16])
{
	uint32_t w[4];
	uint32_t n = lb_addr_words(family, src, w);

	/* Mix the family in so an IPv4 source and the IPv6 address starting
	 * with the same 4 bytes do not always collide. */
	return lb_fmix32(rte_softrss(w, n, lb_rss_key) ^ family);
}
