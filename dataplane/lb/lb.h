/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb.h - backend selection for virtual services: Maglev consistent hashing,
 * smooth weighted round robin, weighted least connections and source hash.
 *
 * A service's backends are an array of struct sk_lb_backend; every scheduler
 * answers with an index into that array, or SK_LB_NONE when no backend may
 * take a new connection.  Only backends in state UP with a weight > 0 take
 * new connections; DRAIN, DISABLED and DOWN take none (connections already
 * pinned to them are the connection table's business, not this module's).
 *
 * Thread safety:
 * - The backend array and Maglev tables belong to a config generation: the
 *   main lcore builds them off the hot path (sk_lb_maglev_create/_fill
 *   allocate and take O(M log M)), publishes them with the generation, and
 *   nobody writes them afterwards; workers read them without locks.  A
 *   weight or state change is a new generation (rebuilt table); the old one
 *   is freed after the generation's RCU grace period.
 * - WRR state (struct sk_lb_wrr) is per worker: only its owner calls
 *   sk_lb_wrr_pick()/_reset().  WLC has no state of its own; the caller
 *   supplies the connection counts (normally its own worker's, so WLC
 *   balances per worker).
 * - Lookups and picks (sk_lb_maglev_lookup, sk_lb_sh_pick, sk_lb_wrr_pick,
 *   sk_lb_wlc_pick, the hash helpers) are hot-path safe: no allocation, no
 *   locks, no logging.
 */
#ifndef SK_LB_H
#define SK_LB_H

#include <stdint.h>
#include <rte_common.h>

/* "No backend can take a new connection" (all down/drained/weight 0). */
#define SK_LB_NONE UINT32_MAX

/* Maglev entries are 16-bit backend indices; 0xffff marks an empty table. */
#define SK_LB_MAGLEV_MAX_BACKENDS 65535u

#define SK_LB_MAGLEV_M_DEFAULT 65537u      /* prime, the Maglev paper's small size */
#define SK_LB_MAGLEV_M_MAX     (1u << 24)  /* 32 MiB of table: a sanity bound */

enum sk_lb_sched_state {
	SK_LB_UP = 0,        /* takes new connections */
	SK_LB_DRAIN = 1,     /* keeps its connections, takes no new ones */
	SK_LB_DISABLED = 2,  /* operator switched it off */
	SK_LB_DOWN = 3,      /* health check says dead */
};

/*
 * One backend.  Its identity for Maglev (what decides its preference order
 * of table slots) is family + addr + port, so a backend keeps its slots
 * when others come and go, whatever its position in the array.
 */
struct sk_lb_backend {
	uint8_t addr[16];    /* IPv4 in the first 4 bytes, network order */
	uint16_t port;       /* host order */
	uint16_t weight;     /* 0..65535; 0 takes nothing */
	uint8_t family;      /* AF_INET / AF_INET6 */
	uint8_t state;       /* enum sk_lb_sched_state */
	uint16_t pad;
};

/* May backend b take a new connection? */
static inline int
sk_lb_backend_eligible(const struct sk_lb_backend *b)
{
	return b->state == SK_LB_UP && b->weight > 0;
}

/* ---- flow hashes (hot path) ------------------------------------------ */

/* A flow as the client sent it (not canonicalised: src is the client). */
struct sk_lb_tuple {
	uint8_t src[16];     /* IPv4 in the first 4 bytes, network order */
	uint8_t dst[16];
	uint16_t sport;      /* host order */
	uint16_t dport;
	uint8_t proto;
	uint8_t family;      /* AF_INET / AF_INET6 */
	uint16_t pad;
};

/*
 * CRC32-C (rte_hash_crc) over the 5-tuple from a fixed seed, then a murmur3
 * finaliser so that hash % M sees well-mixed bits.  A pure function of the
 * tuple: the same on every worker, after a restart, on the standby unit and
 * in the offline trace, with or without the CPU's CRC instruction, so they
 * all pick the same backend for the same flow.  Input, in this order, each
 * as rte_hash_crc_{8,4}byte of a little-endian load: src (4 bytes for IPv4,
 * two 8-byte words for IPv6), dst likewise, sport << 16 | dport,
 * family << 8 | proto.  The seed is SK_LB_HASH_SEED.
 */
#define SK_LB_HASH_SEED 0x5e4b1d0bu
uint32_t sk_lb_hash_tuple(const struct sk_lb_tuple *t);
/* The same over the source address, then the family as a 4-byte word
 * (source-hash scheduling). */
uint32_t sk_lb_hash_src(uint8_t family, const uint8_t src[16]);

/* ---- Maglev ----------------------------------------------------------- */

struct sk_lb_maglev;

/*
 * Fill a caller-provided table of m entries (uint16_t backend index, or
 * 0xffff everywhere when no backend is eligible) for backends be[0..n).
 * m must be prime, > n and <= SK_LB_MAGLEV_M_MAX; n <= SK_LB_MAGLEV_MAX_BACKENDS.
 * Weighted: eligible backend i gets m * w_i / W entries (W = sum of the
 * eligible weights) with an error below max(2, 2 * n_eligible * w_i / W)
 * entries: +-2 for equal weights, under 0.31 % relative for a share of
 * 100 backends at m = 65537.  Returns 0, -EINVAL, or -ENOMEM (scratch of
 * 16 bytes per backend).  Main lcore only.
 */
__rte_warn_unused_result
int sk_lb_maglev_fill(uint16_t *table, uint32_t m, const struct sk_lb_backend *be, uint32_t n);

/*
 * Allocate (rte_zmalloc_socket) and fill a table: NULL with rte_errno
 * EINVAL or ENOMEM.  m = 0 means SK_LB_MAGLEV_M_DEFAULT.
 */
struct sk_lb_maglev *sk_lb_maglev_create(const struct sk_lb_backend *be, uint32_t n,
					 uint32_t m, int socket);
/* NULL is a no-op. */
void sk_lb_maglev_free(struct sk_lb_maglev *t);

/* Backend index for flow hash h, or SK_LB_NONE.  Hot path. */
uint32_t sk_lb_maglev_lookup(const struct sk_lb_maglev *t, uint32_t h);

/* The raw table and its size (telemetry, tests). */
const uint16_t *sk_lb_maglev_table(const struct sk_lb_maglev *t, uint32_t *m);

/* ---- source hash ------------------------------------------------------- */

/*
 * Source hash: the service's Maglev table looked up with
 * sk_lb_hash_src(src): weights honoured, and when a backend leaves only its
 * own sources (plus Maglev's small disruption) move.  Hot path.
 */
uint32_t sk_lb_sh_pick(const struct sk_lb_maglev *t, uint8_t family, const uint8_t src[16]);

/* ---- smooth weighted round robin (per worker) ---------------------------- */

struct sk_lb_wrr;

/* State for up to n backends: NULL with rte_errno EINVAL/ENOMEM. */
struct sk_lb_wrr *sk_lb_wrr_create(uint32_t n, int socket);
void sk_lb_wrr_free(struct sk_lb_wrr *w);
/* Forget the current weights (e.g. after a generation changed the set). */
void sk_lb_wrr_reset(struct sk_lb_wrr *w);

/*
 * nginx's smooth WRR over be[0..n) (n <= the n given at create, else
 * SK_LB_NONE): over any sum(weights) consecutive picks with an unchanged
 * set, each eligible backend is picked exactly weight times, interleaved
 * rather than in bursts.  Returns the index or SK_LB_NONE.  Owner only.
 */
uint32_t sk_lb_wrr_pick(struct sk_lb_wrr *w, const struct sk_lb_backend *be, uint32_t n);

/* ---- weighted least connections ---------------------------------------- */

/*
 * The eligible backend with the smallest conns[i] / weight[i] (compared
 * exactly, as conns[i] * w[j] < conns[j] * w[i]); ties go to the lower
 * index.  conns[] is supplied by the caller.  SK_LB_NONE if none eligible.
 */
uint32_t sk_lb_wlc_pick(const struct sk_lb_backend *be, const uint32_t *conns, uint32_t n);

#endif /* SK_LB_H */
