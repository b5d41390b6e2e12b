/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sync.c - HA connection sync in the dataplane (sync.h): the shared block
 * and rings, the table hook that turns a worker's connection events into
 * records, the sweep that refreshes live connections in slices (and sends
 * the whole table again when sekisho-cp asks for a bulk sync), the dirty
 * sweep that sends again what a full ring refused, and the loop that
 * applies a standby's incoming records.
 *
 * Cost: a standalone unit never gets here (no hook, NULL state).  On an HA
 * unit, an event costs one flag test when the unit is not active, else a
 * record built from the table straight into the out ring: the worker
 * reserves STAGE slots at a time (zero-copy, rte_ring_peek_zc.h) and
 * publishes them together at its next poll (or when they are used up), so
 * there is no per-record copy, ring-tail store or counter store.  Per loop
 * one call that does a bounded slice of sweep (active) or apply (standby)
 * work.
 *
 * A create or change the full ring refused marks the connection's slot
 * dirty (sync_dirty.h); the dirty sweep sends those slots again, and only
 * those, once the ring has room.  A connection that goes while its create
 * was never sent needs no record at all.  Once the ring refused a record,
 * the worker does not try it again before its next poll: the rest of the
 * loop's events are marked (or kept) without touching the ring's
 * consumer line, which sekisho-cp writes.
 *
 * A delete the full ring refused cannot be mended by a sweep (the
 * connection is gone from the table): it is kept, in order, in a per-worker
 * store of LOST_MAX records (a circular buffer) and sent at the next polls.
 * While deletes are kept, creates and changes wait for the dirty sweep,
 * which runs after the kept deletes are out: a new connection on the tuple
 * of a kept delete then reaches the peer after that delete, with no search
 * through the store.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_memzone.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <rte_ring_peek_zc.h>
#include <rte_malloc.h>

#include "sync/sync.h"
#include "sync/sync_dirty.h"

/* Room the sweep leaves in the out ring for the worker's own events. */
#define SWEEP_RESERVE 1024u
/* Out-ring slots reserved at a time and written in place (one publish each). */
#define STAGE 32u
/* Deletes kept for a retry after a ring-full drop, per worker (a power of 2). */
#define LOST_MAX 4096u
/* Words of the dirty map (64 slots each) the dirty sweep looks at per loop. */
#define DIRTY_WORDS 1024u

struct sk_sync_w {
	struct sk_sync_wshm *sh;
	struct rte_ring *out, *in;
	struct sk_conn_table *t;
	uint16_t idx;
	uint8_t emit;              /* this loop: active and the cp ships */
	uint8_t full;              /* the ring refused a record this loop: no more tries */
	uint8_t resync;            /* no dirty map (its allocation failed) and a record
				    * was dropped: start a full lap */
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
	/* the open reservation in the out ring (records written in place) */
	struct rte_ring_zc_data zc;
	uint32_t zc_n;             /* slots reserved */
	uint32_t zc_used;          /* slots written */
	/* connections whose create or change the ring refused */
	struct sk_sync_dirty dirty;
	/* deletes the ring refused, oldest first from lost_head (rte_malloc'd,
	 * LOST_MAX, circular) */
	struct sk_sync_rec *lost;
	uint32_t lost_head;
	uint32_t n_lost;
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
	for (unsigned int i = 0; i < SK_SYNC_MAX_WORKERS; i++) {
		rte_free(sync_w[i].lost);
		sk_sync_dirty_fini(&sync_w[i].dirty);
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

/* Publish the records written into the open reservation. */
static inline void
commit(struct sk_sync_w *s)
{
	if (s->zc_n == 0)
		return;
	rte_ring_enqueue_zc_elem_finish(s->out, s->zc_used);
	s->sh->ctr[SK_SYNC_CTR_EMITTED] += s->zc_used;
	s->zc_n = s->zc_used = 0;
}

/* Slot i of the open reservation (it may wrap round the ring's end). */
static inline struct sk_sync_rec *
rec_at(const struct sk_sync_w *s, uint32_t i)
{
	return i < s->zc.n1 ? (struct sk_sync_rec *)s->zc.ptr1 + i
			    : (struct sk_sync_rec *)s->zc.ptr2 + (i - s->zc.n1);
}

/* The next free slot of the out ring (reserving STAGE more when the
 * reservation is used up), or NULL when the ring is full. */
static inline struct sk_sync_rec *
slot(struct sk_sync_w *s)
{
	uint32_t i;

	if (unlikely(s->zc_used == s->zc_n)) {
		commit(s);
		s->zc_n = rte_ring_enqueue_zc_burst_elem_start(s->out, sizeof(struct sk_sync_rec),
							       STAGE, &s->zc, NULL);
		if (s->zc_n == 0)
			return NULL;
		__builtin_prefetch(rec_at(s, 0), 1);
		if (s->zc_n > 1)
			__builtin_prefetch(rec_at(s, 1), 1);
	}
	i = s->zc_used++;
	if (i + 2 < s->zc_n) {
		/* the slot after next: the ring (1.7 MB) is cold by the time it
		 * comes round again; its two lines are on their way for writing */
		const uint8_t *q = (const uint8_t *)rec_at(s, i + 2);

		__builtin_prefetch(q, 1);
		__builtin_prefetch(q + sizeof(struct sk_sync_rec) - 1, 1);
	}
	return rec_at(s, i);
}

void
sk_sync_flush(struct sk_sync_w *s)
{
	commit(s);
}

/* The kept store is empty again: start it at the buffer's beginning. */
static inline void
lost_gone(struct sk_sync_w *s)
{
	if (s->n_lost == 0)
		s->lost_head = 0;
}

/* The i-th kept delete, oldest first. */
static inline struct sk_sync_rec *
lost_at(const struct sk_sync_w *s, uint32_t i)
{
	return &s->lost[(s->lost_head + i) & (LOST_MAX - 1)];
}

/* p's create or change does not go now (a full ring, or deletes kept):
 * mark its slot for the dirty sweep; was: p's mark before this event
 * (taken off by it). */
static void
defer(struct sk_sync_w *s, const struct sk_conn *p, enum sk_conn_event ev,
      enum sk_sync_dirty_was was)
{
	/* the peer has nothing of p if this is its create, or if what
	 * was owed before this change was its create */
	int unsent = ev == SK_CONN_EV_CREATE || was == SK_SYNC_DIRTY_UNSENT;

	if (unlikely(s->dirty.dirty == NULL))
		s->resync = 1;   /* no map: the resync lap sends every live connection again */
	else if (sk_sync_dirty_mark(&s->dirty, sk_conn_slot_index(s->t, p), unsent))
		s->sh->ctr[SK_SYNC_CTR_RESYNCS]++;
}

/* The full ring refused p's delete: keep it for the next polls. */
static void
keep(struct sk_sync_w *s, const struct sk_conn *p)
{
	if (s->lost == NULL || s->n_lost == LOST_MAX) {
		s->sh->ctr[SK_SYNC_CTR_DEL_LOST]++;   /* the peer's entry expires by its timer */
		return;
	}
	sk_sync_rec_from_conn(s->t, p, s->g, s->now_ms, s->idx, SK_SYNC_DELETE,
			      lost_at(s, s->n_lost));
	s->n_lost++;
}

/* Poll: send the kept deletes, oldest first, as far as the ring has room
 * (the oldest run up to the buffer's end, then the rest from its start). */
static void
retry_lost(struct sk_sync_w *s)
{
	uint32_t sent = 0;

	while (s->n_lost != 0) {
		uint32_t run = RTE_MIN(s->n_lost, LOST_MAX - s->lost_head);
		unsigned int k = rte_ring_sp_enqueue_burst_elem(s->out, lost_at(s, 0),
								sizeof(s->lost[0]), run, NULL);

		sent += k;
		s->n_lost -= k;
		s->lost_head = (s->lost_head + k) & (LOST_MAX - 1);
		if (k < run)
			break;
	}
	if (sent == 0)
		return;
	s->sh->ctr[SK_SYNC_CTR_EMITTED] += sent;
	s->sh->ctr[SK_SYNC_CTR_DEL_RETRIED] += sent;
	lost_gone(s);
}

/* The table's hook: a connection event on this worker. */
static void
on_event(void *arg, const struct sk_conn_table *t, const struct sk_conn *p,
	 enum sk_conn_event ev)
{
	struct sk_sync_w *s = arg;
	struct sk_sync_rec *r;
	enum sk_sync_dirty_was was = SK_SYNC_DIRTY_CLEAN;
	static const uint8_t type[] = {
		[SK_CONN_EV_CREATE] = SK_SYNC_CREATE,
		[SK_CONN_EV_CHANGE] = SK_SYNC_CHANGE,
		[SK_CONN_EV_GONE] = SK_SYNC_DELETE,
	};

	if (!s->emit)
		return;
	if (unlikely(s->dirty.n != 0)) {
		/* this event's record replaces what the mark owed (a change
		 * carries everything, a freed slot owes nothing) */
		was = sk_sync_dirty_take(&s->dirty, sk_conn_slot_index(t, p));
		if (was == SK_SYNC_DIRTY_UNSENT && ev == SK_CONN_EV_GONE)
			return;   /* the peer never heard of it: no delete either */
	}
	if (unlikely(s->n_lost != 0) && ev != SK_CONN_EV_GONE) {
		/* A kept delete may be of an older connection on p's tuple:
		 * p must reach the peer after it, so p waits for the dirty
		 * sweep, which runs once the kept deletes are out. */
		defer(s, p, ev, was);
		return;
	}
	r = likely(!s->full) ? slot(s) : NULL;
	if (unlikely(r == NULL)) {
		s->full = 1;
		s->sh->ctr[SK_SYNC_CTR_RING_FULL]++;
		if (ev == SK_CONN_EV_GONE)
			keep(s, p);
		else
			defer(s, p, ev, was);
		return;
	}
	sk_sync_rec_from_conn(s->t, p, s->g, s->now_ms, s->idx, type[ev], r);
}

struct sk_sync_w *
sk_sync_worker_attach(uint16_t idx, struct sk_conn_table *t)
{
	struct sk_sync_w *s;

	if (sync_shm == NULL || idx >= sync_shm->n_workers)
		return NULL;
	s = &sync_w[idx];
	rte_free(s->lost);
	sk_sync_dirty_fini(&s->dirty);
	memset(s, 0, sizeof(*s));
	/* NULL if this fails: a refused delete is then counted del_lost */
	s->lost = rte_malloc_socket("sk_sync_lost", LOST_MAX * sizeof(*s->lost), 64,
				    rte_socket_id());
	/* failing, a refused create or change falls back to a full resync lap */
	if (sk_sync_dirty_init(&s->dirty, sk_conn_slots_total(t), rte_socket_id()) != 0)
		memset(&s->dirty, 0, sizeof(s->dirty));
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
	uint32_t room = rte_ring_free_count(s->out);

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
	room = room > SWEEP_RESERVE ? room - SWEEP_RESERVE : 0;
	while (budget-- != 0) {
		const struct sk_conn *p = sk_conn_slot_at(s->t, s->cursor);

		if (p != NULL && (s->lap_left != 0 ||
				  (int32_t)(s->now_ms - p->last_ms) < (int32_t)s->window_ms)) {
			struct sk_sync_rec *r = room != 0 ? slot(s) : NULL;

			if (r == NULL)
				break;   /* resume at this slot */
			room--;
			sk_sync_rec_from_conn(s->t, p, s->g, s->now_ms, s->idx, SK_SYNC_REFRESH, r);
			s->sh->ctr[SK_SYNC_CTR_REFRESHED]++;
			if (s->dirty.n != 0)
				(void)sk_sync_dirty_take(&s->dirty, s->cursor);   /* owed no more */
		}
		if (++s->cursor == n) {
			s->cursor = 0;
			/* a lap took this long: refresh what moved within it, plus margin */
			s->window_ms = RTE_MAX(s->now_ms - s->lap_start_ms, period) + period / 4;
			s->lap_start_ms = s->now_ms;
		}
		if (s->lap_left != 0 && --s->lap_left == 0 && s->lap_bulk != 0) {
			commit(s);   /* the lap's records before its bulk_done */
			__atomic_store_n(&s->sh->bulk_done, s->lap_bulk, __ATOMIC_RELEASE);
		}
	}
	commit(s);
}

/*
 * Active: send the connections the ring refused a record for (dirty
 * slots) as refreshes, as far as the ring has room beyond the events'
 * reserve, at most SK_SYNC_SWEEP_BUDGET records and DIRTY_WORDS words
 * (64 slots each) looked at per loop; the next loop resumes there.
 */
static void
sweep_dirty(struct sk_sync_w *s)
{
	uint32_t room = rte_ring_free_count(s->out), words = DIRTY_WORDS;
	int64_t i;

	if (room <= SWEEP_RESERVE)
		return;
	room = RTE_MIN(room - SWEEP_RESERVE, SK_SYNC_SWEEP_BUDGET);
	while (room != 0 && (i = sk_sync_dirty_next(&s->dirty, &words)) >= 0) {
		const struct sk_conn *p = sk_conn_slot_at(s->t, (uint32_t)i);
		struct sk_sync_rec *r;

		if (p == NULL) {
			/* freeing takes the mark off: not expected, but harmless */
			(void)sk_sync_dirty_take(&s->dirty, (uint32_t)i);
			continue;
		}
		r = slot(s);
		if (r == NULL)
			break;
		(void)sk_sync_dirty_take(&s->dirty, (uint32_t)i);
		room--;
		sk_sync_rec_from_conn(s->t, p, s->g, s->now_ms, s->idx, SK_SYNC_REFRESH, r);
		s->sh->ctr[SK_SYNC_CTR_REFRESHED]++;
	}
	commit(s);
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
	if (n > 1)
		sk_sync_apply_prefetch(s->t, rec, n);
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

	/* last loop's event records go out first */
	commit(s);
	s->full = 0;
	s->g = g;
	s->now_ms = now_ms;
	s->emit = active && __atomic_load_n(&sync_shm->ship, __ATOMIC_ACQUIRE) != 0;
	if (!s->emit) {
		if (s->n_lost != 0) {
			s->n_lost = 0;   /* shipping restarts with a bulk sync */
			lost_gone(s);
		}
		/* Nothing to send: a bulk request is answered at once, the
		 * sweep starts over when shipping resumes (the cp asks for a
		 * bulk sync then). */
		if (bulk != s->served_bulk) {
			s->served_bulk = bulk;
			__atomic_store_n(&s->sh->bulk_done, bulk, __ATOMIC_RELEASE);
		}
		s->lap_left = 0;
		s->resync = 0;
		sk_sync_dirty_reset(&s->dirty);
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
	/* Kept deletes first, then what waits for them (the dirty slots);
	 * deletes still kept mean a full ring, so the laps send nothing either. */
	if (unlikely(s->n_lost != 0))
		retry_lost(s);
	if (unlikely(s->dirty.n != 0) && s->n_lost == 0)
		sweep_dirty(s);
	sweep(s, period);
}
