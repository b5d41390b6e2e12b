/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * top.h - one worker's heavy hitters: space-saving summaries (Metwally et
 * al., 2005) of SK_TOP_K sources by denied packets and by new connections,
 * rolled every minute and published once a second (sk_top.h).
 *
 * Hot path: sk_top_note() is one CRC of the address and a scan of 64
 * 32-bit hashes (the addresses are compared only on a hash match); a source
 * not monitored takes the entry with the smallest count (its count + 1,
 * error = that count).  No allocation, no lock.
 */
#ifndef SK_LIMIT_TOP_H
#define SK_LIMIT_TOP_H

#include <stdint.h>

#include "sk_top.h"

/* A working summary: structure of arrays so the hash scan is dense. */
struct sk_top_work {
	uint32_t hash[SK_TOP_K];
	uint64_t count[SK_TOP_K];
	uint32_t err[SK_TOP_K];
	uint8_t addr[SK_TOP_K][16];
	uint8_t family[SK_TOP_K];
	uint32_t n;
	uint64_t total;
};

struct sk_top {
	struct sk_top_work cur[SK_TOP__KINDS];
	struct sk_top_summary prev[SK_TOP__KINDS];
	uint64_t drops_mark[SK_DROP__MAX];  /* cumulative drops at the minute's start */
	uint64_t drops_prev[SK_DROP__MAX];
	uint32_t seed;
	uint32_t minute_ms;                 /* worker clock at the minute's start */
	uint32_t pub_ms;                    /* last publication */
	uint32_t prev_valid;
	struct sk_top_worker *pub;          /* this worker's block in the memzone, or NULL */
};

/* Start at now_ms; pub may be NULL (nothing published: tests, fuzzers). */
void sk_top_init(struct sk_top *t, struct sk_top_worker *pub, uint32_t now_ms);

/* One event of kind from (family, addr). */
void sk_top_note(struct sk_top *t, enum sk_top_kind kind, uint8_t family, const uint8_t *addr);

/* An event of kind (SK_TOP_DENIED or SK_TOP_NEW) from source addr: counted
 * by the source and by its network (kind + SK_TOP_NET). */
void sk_top_note_src(struct sk_top *t, enum sk_top_kind kind, uint8_t family, const uint8_t *addr);

/* Between bursts: roll the minute (drops = the worker's cumulative drop
 * counters) and publish once a second. */
void sk_top_tick(struct sk_top *t, uint32_t now_ms, const uint64_t drops[SK_DROP__MAX]);

/* A working summary as a published one (entries by count, largest first). */
void sk_top_export(const struct sk_top_work *w, struct sk_top_summary *out);

/* Reserve (primary) the memzone of n_workers blocks: NULL with rte_errno. */
struct sk_shm_top *sk_top_shm_create(unsigned int n_workers);

#endif /* SK_LIMIT_TOP_H */
