/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sk_sync.h - connection-state sync between the units of an HA pair: the
 * record a worker emits about one connection, and the shared memory through
 * which sekisho-dp and sekisho-cp exchange records (docs/ha-sync.md).
 *
 * Flow:
 *   active:  worker --(its out ring, SP/SC)--> sekisho-cp --HA link--> peer
 *   standby: peer's sekisho-cp --(the owner's in ring, SP/SC)--> worker,
 *            which inserts, updates or deletes the entry in its own table.
 *
 * The memzone SK_SYNC_MZ_NAME exists only when the image is one unit of an
 * HA pair (sk_ha.h); a standalone dataplane creates nothing and its workers
 * pay nothing.  Rings are found through the pointers in struct sk_sync_shm
 * (DPDK maps shared memory at the same address in every process).
 *
 * Who writes what (each field has one writer):
 *  - struct sk_sync_shm header: sekisho-dp at start; `ship` and `bulk_seq`:
 *    sekisho-cp (release stores);
 *  - struct sk_sync_wshm: its worker only (counters, bulk_done); sekisho-cp
 *    reads them (relaxed loads, a few records stale is fine).
 * A full ring never blocks a worker: an event record that does not fit is
 * dropped and counted (ring_full), and the worker's periodic sweep sends
 * every connection again (resync lap, see docs/ha-sync.md); a delete that
 * does not fit is kept and sent again at the worker's next polls.
 */
#ifndef SK_SYNC_H
#define SK_SYNC_H

#include <stdint.h>

#define SK_SYNC_MZ_NAME   "sk_sync"
#define SK_SYNC_MAGIC     0x434e5953u /* "SYNC" */
#define SK_SYNC_VERSION   2
#define SK_SYNC_MAX_WORKERS 64        /* = SK_MAX_WORKERS of the dataplane */
#define SK_SYNC_RING_SIZE 16384       /* records per ring, a power of two (one slot unused) */

/* X(ENUM, wire number, "word"): wire numbers never change. */
#define SK_SYNC_TYPE_LIST(X) \
	X(CREATE,  1, create)   /* a new connection */ \
	X(CHANGE,  2, change)   /* its state moved to another timeout class (ESTABLISHED, FIN...) */ \
	X(DELETE,  3, delete)   /* deleted or expired */ \
	X(REFRESH, 4, refresh)  /* sweep: still alive, here is its state now (also resync, bulk) */

enum sk_sync_type {
	SK_SYNC_NONE = 0,
#define SK_SYNC_TYPE_ENUM(e, n, w) SK_SYNC_##e = n,
	SK_SYNC_TYPE_LIST(SK_SYNC_TYPE_ENUM)
#undef SK_SYNC_TYPE_ENUM
	SK_SYNC_TYPE__MAX
};

/* struct sk_sync_rec.nat: how the connection is translated. */
#define SK_SYNC_NAT_NONE    0   /* plain (firewalled) connection */
#define SK_SYNC_NAT_DNAT    1   /* = SK_LB_FWD_DNAT + 1, the conn table's `nat` */
#define SK_SYNC_NAT_FULLNAT 2   /* = SK_LB_FWD_FULLNAT + 1 */

/*
 * One connection, as the rings carry it (host byte order, 104 bytes).
 * Everything the peer needs to rebuild the entry exactly, and nothing that
 * is only meaningful inside one process or one generation:
 *  - the endpoints, not the canonical keys: the originator (src:sport ->
 *    dst:dport, for a NAT connection the client -> VIP) and, for NAT, the
 *    backend side (xsrc:xport -> backend:bport; xsrc is the client for DNAT,
 *    the SNAT address for full NAT).  Both keys of the table follow.
 *  - times relative: idle_ms since the last packet (time left = the class's
 *    timeout - idle_ms; idle is carried so that a timeout changed by a
 *    reload applies alike on both units);
 *  - the rule by its id in generation `gen` (both units run the same
 *    generation numbers: config sync);
 *  - the service by a hash of its name (svc_ident, sk_sync_ident()) and the
 *    backend by its address and port within that service, which is how a
 *    connection finds its backend again after a commit: never by an index.
 *  - owner: the worker that holds it on the active; the peer puts it on the
 *    same worker (same worker count, same RSS key and SNAT port blocks: the
 *    HA greeting refuses a pair that differs), which checks the owner rule.
 * Addresses: IPv4 in the first 4 bytes, the rest 0.
 */
struct sk_sync_rec {
	uint8_t type;        /* enum sk_sync_type */
	uint8_t family;      /* 4 or 6 */
	uint8_t proto;       /* IPPROTO_* */
	uint8_t state;       /* enum sk_tcp_state for TCP; 0/1 one-way/both for others */
	uint8_t fin_seen;    /* the conn table's SK_CONN_FIN_* bits */
	uint8_t nat;         /* SK_SYNC_NAT_* */
	uint8_t tmo_class;   /* enum sk_timeout */
	uint8_t flags;       /* SYN proxy state: 0 none, 1 pending, 2 seq translated (the conn table's sp) */
	uint8_t in_iface;    /* originator's ingress interface */
	uint8_t out_iface;   /* originator's egress interface */
	uint16_t owner;      /* worker index on the sender */
	uint32_t rule_id;    /* rule id in `gen` (0 = zone default) */
	uint32_t gen;        /* generation that admitted (or last re-checked) it */
	uint32_t idle_ms;    /* ms since its last packet */
	uint32_t svc_ident;  /* NAT: sk_sync_ident(service name); 0 plain */
	uint16_t sport, dport;  /* originator's ports */
	uint16_t xport, bport;  /* NAT: translated source port, backend port; 0 plain */
	uint8_t src[16];     /* originator (client) */
	uint8_t dst[16];     /* its destination (server, or the VIP) */
	uint8_t xsrc[16];    /* NAT: source towards the backend (client or SNAT address) */
	uint8_t backend[16]; /* NAT: the backend */
	uint32_t sp_delta;   /* SYN proxy: flags 2: server ISN - cookie; flags 1: the cookie; else 0 */
};
#define SK_SYNC_F_SP_MAX 2

_Static_assert(sizeof(struct sk_sync_rec) == 104, "sk_sync_rec is part of the contract");
_Static_assert(sizeof(struct sk_sync_rec) % 8 == 0, "ring elements: multiple of 4 bytes");

/*
 * Stable identity of a service: FNV-1a over its name (NUL-terminated, at
 * most SK_NAME_MAX bytes).  Names survive commits; indices do not.  0 is
 * never returned (0 means "plain connection").
 */
static inline uint32_t
sk_sync_ident(const char *name, unsigned int max)
{
	uint32_t h = 2166136261u;

	for (unsigned int i = 0; i < max && name[i] != '\0'; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return h != 0 ? h : 1;
}

/* Per-worker counters (X(enum, "metric word")), written by that worker. */
#define SK_SYNC_CTR_LIST(X) \
	X(EMITTED,    emitted)     /* records put into the out ring (events + sweep) */ \
	X(RING_FULL,  ring_full)   /* event records dropped: out ring full (then the dirty sweep) */ \
	X(REFRESHED,  refreshed)   /* REFRESH records of the sweep (part of emitted) */ \
	X(RESYNCS,    resyncs)     /* dirty resyncs: the dirty map went from clean to marked */ \
	X(APPLIED,    applied)     /* records applied from the in ring (standby) */ \
	X(CREATED,    created)     /* ... that created an entry */ \
	X(DELETED,    deleted)     /* ... that deleted one */ \
	X(HELD,       held)        /* refused for now: unknown service/backend (config not in sync) */ \
	X(REFUSED,    refused)     /* refused: malformed, wrong owner, table full */ \
	X(STALE_GONE, stale_gone)  /* conflicting entries removed to apply a record */ \
	X(DEL_RETRIED, del_retried) /* deletes a full ring refused, sent at a later poll */ \
	X(DEL_LOST,   del_lost)    /* deletes refused and not kept (retry store full) */

enum sk_sync_ctr {
#define SK_SYNC_CTR_ENUM(e, w) SK_SYNC_CTR_##e,
	SK_SYNC_CTR_LIST(SK_SYNC_CTR_ENUM)
#undef SK_SYNC_CTR_ENUM
	SK_SYNC_CTR__MAX
};

/* One worker's part of the memzone; cache aligned, one writer. */
struct sk_sync_wshm {
	void *out;                 /* struct rte_ring * of sk_sync_rec: worker -> cp */
	void *in;                  /* struct rte_ring * of sk_sync_rec: cp -> worker */
	uint32_t bulk_done;        /* last bulk_seq whose full lap this worker finished */
	uint32_t pad;
	uint64_t ctr[SK_SYNC_CTR__MAX];
} __attribute__((aligned(64)));

struct sk_sync_shm {
	uint32_t magic;            /* SK_SYNC_MAGIC once the rings exist */
	uint32_t version;          /* SK_SYNC_VERSION */
	uint32_t n_workers;
	uint32_t rec_size;         /* sizeof(struct sk_sync_rec) */
	uint32_t ring_size;        /* SK_SYNC_RING_SIZE */
	/* written by sekisho-cp */
	uint32_t ship;             /* 1: a peer takes records, workers of an active unit emit */
	uint32_t bulk_seq;         /* a new value asks every worker for a full lap */
	uint32_t sweep_ms;         /* refresh lap period, 0 = the dataplane's default */
	struct sk_sync_wshm w[SK_SYNC_MAX_WORKERS];
};

#endif /* SK_SYNC_H */
