/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sync.c - HA connection sync in the dataplane (sync.h): the shared block
 * and rings, the table hook that turns a worker's connection events into
 * records, the sweep that refreshes live connections in slices (and sends
 * the whole table again after a ring-full drop or when sekisho-cp asks for
 * a bulk sync), and the loop that applies a standby's incoming records.
 *
 * Cost: a standalone unit never gets here (no hook, NULL state).  On an HA
 * unit, an event costs one flag test when the unit is not active, else a
 * record built from the table and one SP enqueue; per loop one call that
 * does a bounded slice of sweep (active) or apply (standby) work.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_memzone.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "sync/sync.h"

/* Room the sweep leaves in the out ring for the worker's own events. */
#define SWEEP_RESERVE 1024u

struct sk_sync_w {
	struct sk_sync_wshm *sh;
	struct rte_ring *out, *in;
	struct sk_conn_table *t;
	uint16_t idx;
	uint8_t emit;              /* this loop: active and the cp ships */
	uint8_t resync;            /* a record was dropped: start a full lap */
	const struct sk_gen *g;    /* this loop's */
	uint32_t now_ms;
	/* sweep */
	uint32_t cursor;           /* next slot */
	uint32_t lap_left;         /* slots left in a full lap (0: refresh-only) */
	uint32_t lap_bulk;         /* bulk_seq the full lap serves (0: a resync lap) */
	uint32_t served_bulk;      /* last bulk_seq seen */
	uint32_t last_ms;          /* last sweep step */
	uint64_t due;              /* slots owed, times the lap period (ms) */
	uint32_t lap_start_ms;
	uint32_t window_ms;        /* refresh if a packet came within this (one lap + margin) */
};

static const struct rte_memzone *sync_mz;
static struct sk_sync_shm *sync_shm;
static struct sk_sync_w sync_w[SK_SYNC_MAX_WORKERS];

static void sync_free(int keep);

struct sk_sync_shm *
sk_sync_shm_get(void)
{
	return sync_shm;
}

int
sk_sync_init(unsigned int n_workers, int socket, char *err, size_t errlen)
{
	struct sk_sync_shm *sh;
	char name[RTE_RING_NAMESIZE];

	if (n_workers == 0 || n_workers > SK_SYNC_MAX_WORKERS) {
		snprintf(err, errlen, "sync: %u workers", n_workers);
		return -EINVAL;
	}
	sync_mz = rte_memzone_reserve(SK_SYNC_MZ_NAME, sizeof(*sh), socket, 0);
	if (sync_mz == NULL) {
		snprintf(err, errlen, "sync: memzone: %s", rte_strerror(rte_errno));
		return -rte_errno;
	}
	sh = sync_mz->addr;
	memset(sh, 0, sizeof(*sh));
	sh->version = SK_SYNC_VERSION;
	sh->n_workers = n_workers;
	sh->rec_size = sizeof(struct sk_sync_rec);
	sh->ring_size = SK_SYNC_RING_SIZE;
	for (unsigned int i = 0; i < n_workers; i++) {
		struct rte_ring *r[2];

		for (int d = 0; d < 2; d++) {
			snprintf(name, sizeof(name), "sk_sync_%s%u", d == 0 ? "out" : "in", i);
			r[d] = rte_ring_create_elem(name, sizeof(struct sk_sync_rec),
						    SK_SYNC_RING_SIZE, socket,
						    RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (r[d] == NULL) {
				snprintf(err, errlen, "sync: ring %s: %s", name,
					 rte_strerror(rte_errno));
				sync_shm = sh;
				sync_free(0);
				return -ENOMEM;
			}
		}
		sh->w[i].out = r[0];
		sh->w[i].in = r[1];
	}
	__atomic_store_n(&sh->magic, SK_SYNC_MAGIC, __ATOMIC_RELEASE);
	sync_shm = sh;
	return 0;
}

/*
 * Free the rings and the memzone.  Not at a dataplane's exit (main.c
 * passes keep = 1): sekisho-cp may still be draining them, and DPDK
 * asks a secondary process to unmap freed memory, which would pull the
 * rings from under its HA thread; the process's exit releases them anyway.
 */
static void
sync_free(int keep)
{
	if (sync_shm == NULL)
		return;
	__atomic_store_n(&sync_shm->magic, 0, __ATOMIC_RELEASE);
	if (!keep) {
		for (unsigned int i = 0; i < sync_shm->n_workers; i++) {
			rte_ring_free(sync_shm->w[i].out);
			rte_ring_free(sync_shm->w[i].in);
			sync_shm->w[i].out = sync_shm->w[i].in = NULL;
		}
		rte_memzone_free(sync_mz);
	}
	sync_mz = NULL;
	sync_shm = NULL;
	memset(sync_w, 0, sizeof(sync_w));
}

void
sk_sync_fini(void)
{
	sync_free(0);
}

void
sk_sync_fini_keep(void)
{
	sync_free(1);
}

/* Put one record in the out ring; 0 or -ENOBUFS. */
static inline int
put(struct sk_sync_w *s, const struct sk_conn *p, uint8_t type)
{
	struct sk_sync_rec rec;

	sk_sync_rec_from_conn(s->t, p, s->g, s->now_ms, s->idx, type, &rec);
	if (rte_ring_sp_enqueue_elem(s->out, &rec, sizeof(rec)) != 0)
		return -ENOBUFS;
	s->sh->ctr[SK_SYNC_CTR_EMITTED]++;
	return 0;
}

/* The table's hook: a connection event on this worker. */
static void
on_event(void *arg, const struct sk_conn_table *t, const struct sk_conn *p,
	 enum sk_conn_event ev)
{
	struct sk_sync_w *s = arg;
	static const uint8_t type[] = {
		[SK_CONN_EV_CREATE] = SK_SYNC_CREATE,
		[SK_CONN_EV_CHANGE] = SK_SYNC_CHANGE,
		[SK_CONN_EV_GONE] = SK_SYNC_DELETE,
	};

	(void)t;
	if (!s->emit)
		return;
	if (unlikely(put(s, p, type[ev]) != 0)) {
		s->sh->ctr[SK_SYNC_CTR_RING_FULL]++;
		s->resync = 1;
	}
}

struct sk_sync_w *
sk_sync_worker_attach(uint16_t idx, struct sk_conn_table *t)
{
	struct sk_sync_w *s;

	if (sync_shm == NULL || idx >= sync_shm->n_workers)
		return NULL;
	s = &sync_w[idx];
	memset(s, 0, sizeof(*s));
	s->sh = &sync_shm->w[idx];
	s->out = s->sh->out;
	s->in = s->sh->in;
	s->t = t;
	s->idx = idx;
	sk_conn_set_notify(t, on_event, s);
	return s;
}

static void
lap_start(struct sk_sync_w *s, uint32_t bulk)
{
	s->lap_left = sk_conn_slots_total(s->t);
	s->lap_bulk = bulk;
}

/*
 * Active: visit the next slice of slots.  A refresh lap visits every slot
 * once per sweep period and sends the connections that saw a packet since
 * the slot's last visit (the standby's timer then follows the active's);
 * a full lap (resync, bulk) sends every connection, as fast as the ring
 * drains.  The sweep never drops: it stops where the ring is short of room
 * and resumes there.
 */
static void
sweep(struct sk_sync_w *s, uint32_t period)
{
	uint32_t n = sk_conn_slots_total(s->t), budget, elapsed = s->now_ms - s->last_ms;

	s->last_ms = s->now_ms;
	if (s->lap_left != 0) {
		budget = SK_SYNC_SWEEP_BUDGET;
	} else {
		/* n slots per period, owed in proportion to the time elapsed */
		s->due += (uint64_t)n * RTE_MIN(elapsed, period);
		budget = (uint32_t)RTE_MIN(s->due / period, (uint64_t)SK_SYNC_SWEEP_BUDGET);
		if (budget == 0)
			return;
		s->due -= (uint64_t)budget * period;
	}
	while (budget-- != 0) {
		const struct sk_conn *p = sk_conn_slot_at(s->t, s->cursor);

		if (p != NULL && (s->lap_left != 0 ||
				  (int32_t)(s->now_ms - p->last_ms) < (int32_t)s->window_ms)) {
			if (rte_ring_free_count(s->out) < SWEEP_RESERVE || put(s, p, SK_SYNC_REFRESH))
				return;   /* resume at this slot */
			s->sh->ctr[SK_SYNC_CTR_REFRESHED]++;
		}
		if (++s->cursor == n) {
			s->cursor = 0;
			/* a lap took this long: refresh what moved within it, plus margin */
			s->window_ms = RTE_MAX(s->now_ms - s->lap_start_ms, period) + period / 4;
			s->lap_start_ms = s->now_ms;
		}
		if (s->lap_left != 0 && --s->lap_left == 0 && s->lap_bulk != 0)
			__atomic_store_n(&s->sh->bulk_done, s->lap_bulk, __ATOMIC_RELEASE);
	}
}

static void
apply(struct sk_sync_w *s)
{
	struct sk_sync_rec rec[SK_SYNC_APPLY_BUDGET];
	uint16_t n_workers = (uint16_t)sync_shm->n_workers;
	unsigned int n, rounds = 1;

	/* A bulk sync arriving: a standby forwards nothing, so it may apply
	 * more per loop while a backlog waits. */
	if (rte_ring_count(s->in) > 4 * SK_SYNC_APPLY_BUDGET)
		rounds = 8;
again:
	n = rte_ring_sc_dequeue_burst_elem(s->in, rec, sizeof(rec[0]), RTE_DIM(rec), NULL);
	for (unsigned int i = 0; i < n; i++) {
		int created = 0;
		uint32_t removed = 0;

		switch (sk_sync_apply(s->t, s->g, s->idx, n_workers, s->now_ms, &rec[i], &created,
				      &removed)) {
		case SK_SYNC_APPLIED:
			s->sh->ctr[SK_SYNC_CTR_APPLIED]++;
			if (created)
				s->sh->ctr[SK_SYNC_CTR_CREATED]++;
			if (rec[i].type == SK_SYNC_DELETE)
				s->sh->ctr[SK_SYNC_CTR_DELETED]++;
			break;
		case SK_SYNC_HELD:
			s->sh->ctr[SK_SYNC_CTR_HELD]++;
			break;
		default:
			s->sh->ctr[SK_SYNC_CTR_REFUSED]++;
			break;
		}
		s->sh->ctr[SK_SYNC_CTR_STALE_GONE] += removed;
	}
	if (n == RTE_DIM(rec) && --rounds != 0)
		goto again;
}

void
sk_sync_poll(struct sk_sync_w *s, const struct sk_gen *g, uint32_t now_ms, uint8_t active)
{
	uint32_t bulk = __atomic_load_n(&sync_shm->bulk_seq, __ATOMIC_ACQUIRE);
	uint32_t period = sync_shm->sweep_ms != 0 ? sync_shm->sweep_ms : SK_SYNC_SWEEP_MS_DEFAULT;

	s->g = g;
	s->now_ms = now_ms;
	s->emit = active && __atomic_load_n(&sync_shm->ship, __ATOMIC_ACQUIRE) != 0;
	if (!s->emit) {
		/* Nothing to send: a bulk request is answered at once, the
		 * sweep starts over when shipping resumes (the cp asks for a
		 * bulk sync then). */
		if (bulk != s->served_bulk) {
			s->served_bulk = bulk;
			__atomic_store_n(&s->sh->bulk_done, bulk, __ATOMIC_RELEASE);
		}
		s->lap_left = 0;
		s->resync = 0;
		s->last_ms = now_ms;
		s->lap_start_ms = now_ms;   /* a refresh lap starts when shipping does */
		s->window_ms = 2 * period;
		if (!active)
			apply(s);
		return;
	}
	if (bulk != s->served_bulk) {
		s->served_bulk = bulk;
		lap_start(s, bulk);
		s->resync = 0;
	} else if (s->resync) {
		s->resync = 0;
		s->sh->ctr[SK_SYNC_CTR_RESYNCS]++;
		/* a bulk lap under way already sends everything: keep its seq */
		lap_start(s, s->lap_left != 0 ? s->lap_bulk : 0);
	}
	sweep(s, period);
}
