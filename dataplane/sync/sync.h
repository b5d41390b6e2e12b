/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sync.h - the dataplane's side of HA connection sync (sk_sync.h,
 * docs/ha-sync.md): records out of an active unit's workers, records into a
 * standby's workers.
 *
 * Narrow on purpose:
 *  - start-up (main lcore): sk_sync_init() for an HA image only; a
 *    standalone unit never calls it and its workers carry a NULL state;
 *  - each worker: sk_sync_worker_attach() once (it hooks the worker's
 *    connection table: create, timeout-class change, delete/expiry), then
 *    sk_sync_poll() once per loop, before its bursts;
 *  - records are built from the table and the running generation
 *    (sk_sync_rec_from_conn) and applied by the owner worker
 *    (sk_sync_apply), so tests run the same code.
 * Everything runs on the worker that owns the table: no locks; the rings
 * are single-producer/single-consumer (worker <-> sekisho-cp).
 */
#ifndef SK_SYNC_DP_H
#define SK_SYNC_DP_H

#include <stddef.h>
#include <stdint.h>

#include "sk_sync.h"
#include "conn/conn.h"
#include "gen/gen.h"

struct sk_sync_w;

/* Default refresh lap (ms): every live connection that saw a packet since
 * its last visit is refreshed once per lap; it must stay well below the
 * shortest timeout a long-lived connection sits in (10 s by default). */
#define SK_SYNC_SWEEP_MS_DEFAULT 4000u
/* Slots a worker's sweep visits per loop at most, records applied per loop. */
#define SK_SYNC_SWEEP_BUDGET 256u
#define SK_SYNC_APPLY_BUDGET 64u

/*
 * Main lcore, start-up of an HA unit: the memzone SK_SYNC_MZ_NAME and two
 * rings per worker.  0, or -errno with err filled (-EEXIST: another
 * dataplane with this file prefix).
 */
int sk_sync_init(unsigned int n_workers, int socket, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Free the rings and the memzone (no worker runs any more).  No-op without init. */
void sk_sync_fini(void);
/* Dataplane exit: forget them but leave the memory mapped for a sekisho-cp
 * that may still read it (sync.c). */
void sk_sync_fini_keep(void);
/* The shared block, NULL when this unit does not sync. */
struct sk_sync_shm *sk_sync_shm_get(void);

/*
 * Worker start: its sync state, hooked to its table t (sk_conn_set_notify),
 * or NULL when the unit does not sync (standalone: nothing is hooked).
 */
struct sk_sync_w *sk_sync_worker_attach(uint16_t idx, struct sk_conn_table *t);

/*
 * Worker, once per loop before its bursts, g the generation of the loop:
 * active = this unit owns the floating addresses now.  Active (and the cp
 * ships): records of this loop's events go out, and the sweep refreshes a
 * slice of the table (a full lap after a ring-full drop or a bulk request).
 * Not active: up to SK_SYNC_APPLY_BUDGET records from the in ring are applied
 * (8 times that while a backlog of a bulk sync waits: a standby forwards nothing).
 */
void sk_sync_poll(struct sk_sync_w *s, const struct sk_gen *g, uint32_t now_ms, uint8_t active);

/*
 * Publish the records this worker's events wrote since its last poll
 * (sk_sync_poll does it first; tests and a worker that wants them out
 * sooner call it).
 */
void sk_sync_flush(struct sk_sync_w *s);

/*
 * Build the record of type `type` for live connection p (a primary) of t,
 * owned by worker `owner`, as generation g sees it at now_ms.  Pure but for
 * reading t and g.
 */
void sk_sync_rec_from_conn(const struct sk_conn_table *t, const struct sk_conn *p,
			   const struct sk_gen *g, uint32_t now_ms, uint16_t owner,
			   uint8_t type, struct sk_sync_rec *rec);

/* What applying one record did. */
enum sk_sync_outcome {
	SK_SYNC_APPLIED = 0,   /* created, updated, or deleted (or nothing to delete) */
	SK_SYNC_HELD,          /* unknown service or backend here: not applied, counted */
	SK_SYNC_REFUSED,       /* malformed, not this worker's connection, table full */
};

/*
 * Apply rec to table t of worker idx (of n_workers) under generation g at
 * now_ms: CREATE/CHANGE/REFRESH insert or update the entry (NAT: both keys,
 * the SNAT port taken with the alias), DELETE removes it.  *created is set
 * when a new entry was made; *removed counts conflicting entries removed.
 * Owner worker only.
 */
/*
 * Before applying rec[0..n) one by one (n <= SK_SYNC_APPLY_BUDGET; more are
 * ignored): bring their keys' hash buckets and existing slots into the
 * cache with one bulk lookup.  Changes nothing.  Owner worker only.
 */
void sk_sync_apply_prefetch(struct sk_conn_table *t, const struct sk_sync_rec *rec,
			    unsigned int n);

enum sk_sync_outcome sk_sync_apply(struct sk_conn_table *t, const struct sk_gen *g,
				   uint16_t idx, uint16_t n_workers, uint32_t now_ms,
				   const struct sk_sync_rec *rec, int *created, uint32_t *removed);

#endif /* SK_SYNC_DP_H */
