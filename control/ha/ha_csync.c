/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_csync.c - connection-state sync in sekisho-cp (docs/ha-sync.md), run by
 * the HA thread:
 *  - active, with a live standby on the link: tell the workers to emit
 *    (sk_sync_shm.ship), drain their out rings, encode the records into
 *    CONN_RECORDS batches (sequence numbers per stream) and send them on the
 *    link's bulk queue when a batch is full and at every loop (<= 5 ms
 *    apart while shipping); measure the lag from the peer's ACKs; run a bulk
 *    sync (every worker sends its whole table, in slices) when shipping
 *    starts, on every new link session, and after any loss (a batch the link
 *    refused, a gap or a full ring the standby reports);
 *  - standby: check each batch (stream, sequence, every record), hand each
 *    record to the owner worker's in ring, acknowledge once per loop, and
 *    report ready only after the active's bulk sync has arrived.
 * Nothing here blocks: the rings and the link queue are bounded, and a loss
 * is mended by a bulk pass, not by waiting.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_memzone.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "cp.h"
#include "ha_crec.h"
#include "ha_link.h"
#include "ha_priv.h"

/* One message = one frame: the link's frames carry up to 64 KiB. */
#define BATCH_BYTES 60000u
/* Records taken from the rings per loop at most (the loop stays short). */
#define DRAIN_MAX 65536u
#define DRAIN_BURST 256u
/* Poll timeout while shipping: a batch leaves at most this long after its record. */
#define SHIP_LOOP_MS 5
/* Records a standby keeps per worker while its in ring is full. */
#define PEND_MAX 131072u

int
sk_ha_csync_init(struct sk_ha *ha)
{
	struct sk_ha_csync *cs = &ha->csync;
	const struct rte_memzone *mz = NULL;

	cs->buf = malloc(BATCH_BYTES);
	if (cs->buf == NULL)
		return -ENOMEM;
	cs->len = SK_HA_CREC_HDR;
	cs->stream = ((uint64_t)rand() << 32 | (uint64_t)rand()) ^ sk_ha_unix_ms();
	if (cs->stream == 0)
		cs->stream = 1;
	if (ha->shm != NULL)
		mz = rte_memzone_lookup(SK_SYNC_MZ_NAME);
	if (mz != NULL) {
		struct sk_sync_shm *sh = mz->addr;

		if (__atomic_load_n(&sh->magic, __ATOMIC_ACQUIRE) == SK_SYNC_MAGIC &&
		    sh->version == SK_SYNC_VERSION && sh->rec_size == sizeof(struct sk_sync_rec) &&
		    sh->n_workers <= SK_SYNC_MAX_WORKERS) {
			cs->shm = sh;
			cs->n_workers = sh->n_workers;
			/* a restarted cp: whatever the workers were told to do stops */
			__atomic_store_n(&sh->ship, 0, __ATOMIC_RELEASE);
			/* the refresh lap period (ha.sync_sweep_ms); 0 = the dataplane's default */
			__atomic_store_n(&sh->sweep_ms, ha->cfg.sync_sweep_ms, __ATOMIC_RELEASE);
			cs->bulk_id = __atomic_load_n(&sh->bulk_seq, __ATOMIC_ACQUIRE);
		}
	}
	cs->st.enabled = cs->shm != NULL;
	cs->st.workers = cs->n_workers;
	return 0;
}

void
sk_ha_csync_fini(struct sk_ha *ha)
{
	struct sk_ha_csync *cs = &ha->csync;

	for (unsigned int w = 0; w < SK_SYNC_MAX_WORKERS; w++) {
		free(cs->pend[w].q);
		cs->pend[w].q = NULL;
	}

	if (cs->shm != NULL)
		__atomic_store_n(&cs->shm->ship, 0, __ATOMIC_RELEASE);
	free(cs->buf);
	cs->buf = NULL;
}

/* ---- active side ---- */

/* BULK_BEGIN or BULK_END; a refused one means another bulk sync later. */
static void
send_bulk(struct sk_ha *ha, uint8_t type, const struct sk_ha_cbulk *b)
{
	uint8_t msg[SK_HA_CBULK_LEN];

	sk_ha_cbulk_put(b, msg);
	if (sk_ha_link_send(ha->link, type, msg, sizeof(msg), SK_HA_PRIO_BULK) != 0)
		ha->csync.resync_wanted = 1;
}

static void
ask_bulk(struct sk_ha *ha, uint64_t now)
{
	struct sk_ha_csync *cs = &ha->csync;
	struct sk_ha_cbulk b = { .stream = cs->stream, .seq = cs->seq };

	cs->resync_wanted = 0;
	cs->bulk_id++;
	if (cs->bulk_id == 0)
		cs->bulk_id = 1;
	b.id = cs->bulk_id;
	cs->bulk_start_ms = now;
	cs->bulk_rec0 = cs->st.records_sent;
	cs->st.bulk_out = 1;
	send_bulk(ha, SK_HA_MSG_BULK_BEGIN, &b);
	if (cs->shm != NULL)
		__atomic_store_n(&cs->shm->bulk_seq, cs->bulk_id, __ATOMIC_RELEASE);
}

static void
flush(struct sk_ha *ha, uint64_t now)
{
	struct sk_ha_csync *cs = &ha->csync;
	struct sk_ha_cbatch_hdr h;
	int rc;

	if (cs->count == 0)
		return;
	h.count = cs->count;
	h.stream = cs->stream;
	h.seq = ++cs->seq;
	sk_ha_cbatch_hdr_put(&h, cs->buf);
	rc = sk_ha_link_send(ha->link, SK_HA_MSG_CONN_RECORDS, cs->buf, cs->len, SK_HA_PRIO_BULK);
	if (rc != 0) {
		/* Lost: the standby will see a gap; a bulk pass mends it. */
		cs->st.link_dropped += cs->count;
		cs->resync_wanted = 1;
	} else {
		unsigned int i = (unsigned int)(h.seq % SK_HA_CSYNC_INFLIGHT);

		cs->st.records_sent += cs->count;
		cs->st.batches_sent++;
		cs->st.bytes_sent += cs->len;
		if (cs->count > cs->st.batch_max)
			cs->st.batch_max = cs->count;
		cs->inflight[i].seq = h.seq;
		cs->inflight[i].first_ms = cs->first_ms;
		cs->inflight[i].records = cs->st.records_sent;
	}
	(void)now;
	cs->count = 0;
	cs->len = SK_HA_CREC_HDR;
}

/* Take what the workers emitted; batch and send it. */
static void
drain(struct sk_ha *ha, uint64_t now)
{
	struct sk_ha_csync *cs = &ha->csync;
	struct sk_sync_rec rec[DRAIN_BURST];
	unsigned int total = 0;

	for (unsigned int w = 0; w < cs->n_workers; w++) {
		struct rte_ring *r = cs->shm->w[w].out;
		unsigned int n;

		do {
			n = rte_ring_sc_dequeue_burst_elem(r, rec, sizeof(rec[0]), DRAIN_BURST, NULL);
			for (unsigned int i = 0; i < n; i++) {
				if (cs->len + SK_HA_CREC_MAX > BATCH_BYTES || cs->count == UINT16_MAX)
					flush(ha, now);
				size_t k = sk_ha_crec_put(&rec[i], cs->buf + cs->len);

				if (k == 0) {
					cs->st.malformed++;
					continue;
				}
				if (cs->count == 0)
					cs->first_ms = now;
				cs->len += k;
				cs->count++;
			}
			total += n;
		} while (n == DRAIN_BURST && total < DRAIN_MAX);
	}
	flush(ha, now);   /* at least once per loop: the 10 ms promise */
}

/* Ship while active with a live standby on the link. */
static int
want_ship(const struct sk_ha *ha)
{
	return ha->fsm.role == SK_HA_ROLE_ACTIVE && ha->link_is_up && ha->lpeer_known &&
	       ha->lpeer.role != SK_HA_ROLE_ACTIVE && ha->lpeer.role != SK_HA_ROLE_FAULT &&
	       (ha->shm == NULL ||
		__atomic_load_n(&ha->shm->role, __ATOMIC_ACQUIRE) == SK_HA_ROLE_ACTIVE);
}

static void
tick_active(struct sk_ha *ha, uint64_t now)
{
	struct sk_ha_csync *cs = &ha->csync;
	int ship = want_ship(ha);

	if (cs->shm == NULL) {
		/* No rings here: an empty bulk once per session, so the peer
		 * can become ready (there is nothing to sync). */
		if (ship && !cs->empty_bulk_sent) {
			struct sk_ha_cbulk b = { .stream = cs->stream, .seq = cs->seq };

			ask_bulk(ha, now);
			b.id = cs->bulk_id;
			send_bulk(ha, SK_HA_MSG_BULK_END, &b);
			cs->st.bulk_out = 0;
			cs->empty_bulk_sent = !cs->resync_wanted;
			cs->resync_wanted = 0;
		}
		cs->shipping = (uint8_t)ship;
		return;
	}
	if (ship != cs->shipping) {
		cs->shipping = (uint8_t)ship;
		__atomic_store_n(&cs->shm->ship, (uint32_t)ship, __ATOMIC_RELEASE);
		if (ship) {
			/* a (re)joined standby gets the whole table first */
			cs->count = 0;
			cs->len = SK_HA_CREC_HDR;
			ask_bulk(ha, now);
		} else {
			cs->st.bulk_out = 0;
		}
	}
	if (!cs->shipping) {
		/* what the workers emitted before they saw ship = 0 goes nowhere
		 * (dequeued, not reset: a worker may still be enqueueing) */
		struct sk_sync_rec junk[DRAIN_BURST];

		for (unsigned int w = 0; w < cs->n_workers; w++)
			while (rte_ring_sc_dequeue_burst_elem(cs->shm->w[w].out, junk,
							      sizeof(junk[0]), DRAIN_BURST,
							      NULL) == DRAIN_BURST)
				;
		return;
	}
	drain(ha, now);
	if (cs->st.bulk_out) {
		uint32_t done = 1;

		for (unsigned int w = 0; w < cs->n_workers; w++)
			done &= __atomic_load_n(&cs->shm->w[w].bulk_done, __ATOMIC_ACQUIRE) ==
				cs->bulk_id;
		if (done) {
			struct sk_ha_cbulk b = { .stream = cs->stream };

			drain(ha, now);   /* the laps' last records before the END */
			b.seq = cs->seq;
			b.id = cs->bulk_id;
			b.records = (uint32_t)(cs->st.records_sent - cs->bulk_rec0);
			send_bulk(ha, SK_HA_MSG_BULK_END, &b);
			cs->st.bulk_out = 0;
			cs->st.bulk_runs++;
			cs->st.bulk_ms = now - cs->bulk_start_ms;
			cs->st.bulk_records = b.records;
			sk_ha_log(ha, "sync", NULL, "connection bulk sync %u sent: %u records in %"
				  PRIu64 " ms", b.id, b.records, cs->st.bulk_ms);
		}
	} else if (cs->resync_wanted) {
		cs->st.resyncs++;
		ask_bulk(ha, now);
	}
}

static void
on_ack(struct sk_ha *ha, const uint8_t *p, size_t len)
{
	struct sk_ha_csync *cs = &ha->csync;
	struct sk_ha_cack a = { 0 };
	unsigned int i;

	if (sk_ha_cack_get(p, len, &a) != 0) {
		cs->st.malformed++;
		return;
	}
	if (a.stream != cs->stream)
		return;   /* an ACK of this unit's previous stream (a restart) */
	if (a.flags & SK_HA_CACK_RESYNC)
		cs->resync_wanted = 1;
	if (a.seq <= cs->acked || a.seq > cs->seq)
		return;
	cs->acked = a.seq;
	i = (unsigned int)(a.seq % SK_HA_CSYNC_INFLIGHT);
	if (cs->inflight[i].seq == a.seq) {
		uint64_t now = sk_ha_mono_ms();

		cs->st.records_acked = cs->inflight[i].records;
		cs->st.lag_ms = now - cs->inflight[i].first_ms;
		if (cs->st.lag_ms > cs->st.lag_ms_max)
			cs->st.lag_ms_max = cs->st.lag_ms;
	}
}

/* ---- standby side ---- */

/* Move what waits for worker w into its in ring, in order; 1 when none is left. */
static int
pend_flush(struct sk_ha_csync *cs, unsigned int w)
{
	struct sk_ha_cpend *p = &cs->pend[w];

	while (p->n != 0) {
		uint32_t run = RTE_MIN(p->n, PEND_MAX - p->head);
		unsigned int k = rte_ring_sp_enqueue_burst_elem(cs->shm->w[w].in, &p->q[p->head],
								sizeof(p->q[0]), run, NULL);

		p->head = (p->head + k) % PEND_MAX;
		p->n -= k;
		if (k < run)
			return 0;
	}
	p->head = 0;
	return 1;
}

/* Hand rec to its owner's in ring, or queue it behind what waits; 0 or -ENOBUFS. */
static int
hand_over(struct sk_ha_csync *cs, const struct sk_sync_rec *rec)
{
	struct sk_ha_cpend *p = &cs->pend[rec->owner];

	if ((p->n == 0 || pend_flush(cs, rec->owner)) &&
	    rte_ring_sp_enqueue_elem(cs->shm->w[rec->owner].in, (void *)(uintptr_t)rec,
				     sizeof(*rec)) == 0)
		return 0;
	if (p->q == NULL && (p->q = malloc(sizeof(*p->q) * PEND_MAX)) == NULL)
		return -ENOBUFS;
	if (p->n == PEND_MAX)
		return -ENOBUFS;
	p->q[(p->head + p->n) % PEND_MAX] = *rec;
	p->n++;
	return 0;
}

static void
on_records(struct sk_ha *ha, const uint8_t *p, size_t len)
{
	struct sk_ha_csync *cs = &ha->csync;
	struct sk_ha_cbatch_hdr h;
	size_t off = SK_HA_CREC_HDR;
	int apply;

	if (sk_ha_cbatch_hdr_get(p, len, &h) != 0) {
		cs->st.malformed++;
		cs->ack_flags |= SK_HA_CACK_RESYNC;
		return;
	}
	if (h.stream != cs->peer_stream) {
		/* a new sender (restarted, or the other unit became active) */
		cs->peer_stream = h.stream;
		cs->peer_seq = h.seq - 1;
	}
	if (h.seq <= cs->peer_seq)
		return;   /* a duplicate */
	if (h.seq != cs->peer_seq + 1) {
		cs->st.gaps += h.seq - cs->peer_seq - 1;
		cs->ack_flags |= SK_HA_CACK_RESYNC;
	}
	cs->peer_seq = h.seq;
	cs->ack_due = 1;
	cs->st.batches_recv++;
	/* Only a unit that is not active hands records to its workers. */
	apply = cs->shm != NULL && ha->fsm.role != SK_HA_ROLE_ACTIVE &&
		__atomic_load_n(&ha->shm->role, __ATOMIC_ACQUIRE) != SK_HA_ROLE_ACTIVE;
	for (unsigned int i = 0; i < h.count; i++) {
		struct sk_sync_rec rec;
		int k = sk_ha_crec_get(p + off, len - off, apply ? cs->n_workers : SK_SYNC_MAX_WORKERS,
				       &rec);

		if (k < 0) {
			/* the rest of the batch cannot be framed: counted, mended by a bulk */
			cs->st.malformed += h.count - i;
			cs->ack_flags |= SK_HA_CACK_RESYNC;
			return;
		}
		off += (size_t)k;
		cs->st.records_recv++;
		if (!apply) {
			cs->st.ignored++;
			continue;
		}
		if (hand_over(cs, &rec) != 0) {
			cs->st.apply_dropped++;
			cs->ack_flags |= SK_HA_CACK_RESYNC;
		}
	}
	if (off != len) {
		cs->st.malformed++;
		cs->ack_flags |= SK_HA_CACK_RESYNC;
	}
}

static void
on_bulk(struct sk_ha *ha, uint8_t type, const uint8_t *p, size_t len)
{
	struct sk_ha_csync *cs = &ha->csync;
	struct sk_ha_cbulk b;
	uint64_t now = sk_ha_mono_ms();

	if (sk_ha_cbulk_get(p, len, &b) != 0) {
		cs->st.malformed++;
		return;
	}
	if (type == SK_HA_MSG_BULK_BEGIN) {
		cs->st.bulk_in = 1;
		cs->bulk_in_end = 0;
		cs->bulk_in_start_ms = now;
		return;
	}
	if (cs->st.bulk_in != 1)
		return;
	/* done once the workers have applied it too (sk_ha_csync_tick) */
	cs->bulk_in_end = 1;
	cs->st.bulk_runs++;
	cs->st.bulk_records = b.records;
	cs->bulk_in_id = b.id;
}

void
sk_ha_csync_on_msg(struct sk_ha *ha, uint8_t type, const void *payload, size_t len)
{
	switch (type) {
	case SK_HA_MSG_CONN_RECORDS:
		on_records(ha, payload, len);
		break;
	case SK_HA_MSG_ACK:
		on_ack(ha, payload, len);
		break;
	case SK_HA_MSG_BULK_BEGIN:
	case SK_HA_MSG_BULK_END:
		on_bulk(ha, type, payload, len);
		break;
	default:
		break;
	}
}

void
sk_ha_csync_session(struct sk_ha *ha)
{
	struct sk_ha_csync *cs = &ha->csync;

	/* What was in flight may be lost: the active sends the table again,
	 * the standby is not ready until that bulk sync has arrived. */
	if (cs->shipping && cs->shm != NULL) {
		cs->shipping = 0;
		__atomic_store_n(&cs->shm->ship, 0, __ATOMIC_RELEASE);
	}
	cs->shipping = 0;
	cs->st.bulk_out = 0;
	cs->empty_bulk_sent = 0;
	cs->st.bulk_in = 0;
	cs->bulk_in_end = 0;
	cs->ack_due = 0;
	cs->ack_flags = 0;
}

int
sk_ha_csync_ready(const struct sk_ha *ha)
{
	/* Against a live active only: a unit whose peer is gone takes over
	 * with what it has (the state machine does not ask then). */
	if (!ha->lpeer_known || ha->lpeer.role != SK_HA_ROLE_ACTIVE || !ha->link_is_up)
		return 1;
	return ha->csync.st.bulk_in == 2;
}

int
sk_ha_csync_timeout_ms(const struct sk_ha *ha)
{
	return ha->csync.shipping ? SHIP_LOOP_MS : 1000;
}

void
sk_ha_csync_tick(struct sk_ha *ha, uint64_t now)
{
	struct sk_ha_csync *cs = &ha->csync;
	struct sk_ha_csync_status *st = &cs->st;

	tick_active(ha, now);
	/* Standby: records held for a service or backend this unit did not
	 * know yet come again once config sync has brought the generation. */
	if (cs->shm != NULL && ha->fsm.role != SK_HA_ROLE_ACTIVE) {
		uint64_t gen = sk_ha_sync_generation(ha);

		if (gen != cs->held_gen) {
			if (st->ctr[SK_SYNC_CTR_HELD] != cs->held_seen && cs->peer_stream != 0) {
				cs->ack_flags |= SK_HA_CACK_RESYNC;
				cs->held_seen = st->ctr[SK_SYNC_CTR_HELD];
			}
			cs->held_gen = gen;
		}
	}
	if (cs->ack_due || cs->ack_flags != 0) {
		struct sk_ha_cack a = { .stream = cs->peer_stream, .seq = cs->peer_seq,
					.flags = cs->ack_flags };
		uint8_t msg[SK_HA_CACK_LEN];

		sk_ha_cack_put(&a, msg);
		if (sk_ha_link_send(ha->link, SK_HA_MSG_ACK, msg, sizeof(msg), SK_HA_PRIO_CTRL) == 0) {
			cs->ack_due = 0;
			cs->ack_flags = 0;
		}
	}
	/* standby: what waits for room goes on; the bulk sync counts once every
	 * record of it is in the tables */
	for (unsigned int w = 0; cs->shm != NULL && w < cs->n_workers; w++)
		if (cs->pend[w].n != 0)
			(void)pend_flush(cs, w);
	if (cs->bulk_in_end) {
		unsigned int left = 0;

		for (unsigned int w = 0; cs->shm != NULL && w < cs->n_workers; w++)
			left += rte_ring_count(cs->shm->w[w].in) + cs->pend[w].n;
		if (left == 0) {
			cs->bulk_in_end = 0;
			cs->st.bulk_in = 2;
			cs->st.bulk_ms = now - cs->bulk_in_start_ms;
			sk_ha_log(ha, "sync", NULL, "connection bulk sync %u received and applied: %"
				  PRIu64 " records in %" PRIu64 " ms", cs->bulk_in_id,
				  cs->st.bulk_records, cs->st.bulk_ms);
		}
	}
	/* the dataplane's side, for the status */
	st->shipping = cs->shipping;
	if (cs->shm != NULL) {
		uint64_t pending = 0;

		memset(st->ctr, 0, sizeof(st->ctr));
		for (unsigned int w = 0; w < cs->n_workers; w++) {
			const struct sk_sync_wshm *ws = &cs->shm->w[w];

			for (unsigned int k = 0; k < SK_SYNC_CTR__MAX; k++)
				st->ctr[k] += __atomic_load_n(&ws->ctr[k], __ATOMIC_RELAXED);
			st->wctr[w][0] = __atomic_load_n(&ws->ctr[SK_SYNC_CTR_EMITTED],
							 __ATOMIC_RELAXED);
			st->wctr[w][1] = __atomic_load_n(&ws->ctr[SK_SYNC_CTR_RING_FULL],
							 __ATOMIC_RELAXED);
			pending += rte_ring_count(ws->out);
		}
		st->records_pending = pending;
	}
	st->lag_records = st->records_sent - st->records_acked + st->records_pending;
	pthread_mutex_lock(&ha->lock);
	ha->st.csync = *st;
	pthread_mutex_unlock(&ha->lock);
}
