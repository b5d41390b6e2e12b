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
 *    starts and after any loss (a batch the link refused, a gap or a full
 *    ring the standby reports);
 *  - resume: every batch stays in a bounded retransmit window until the
 *    standby acknowledges it.  While the link is down the workers go on
 *    emitting into the window (up to RESUME_OUTAGE_MS, as long as nothing
 *    unacknowledged falls out of it); on a new session the standby's first
 *    ACK (RESUME, its last batch in order) says where to continue: the
 *    batches after it are sent again, then an empty batch marks the resume
 *    complete.  A standby that cannot resume (restarted, a bulk sync half
 *    received) or a window that no longer holds the batch asked for gets a
 *    bulk sync instead;
 *  - standby (its receiving half is ha_csync_rx.c): check each batch, hand
 *    each record to the owner worker's in ring, acknowledge once per loop;
 *    here: where a new session stands (resume or bulk), and ready only
 *    after the active's bulk sync has arrived (and, on a new session, once
 *    the resume is complete).
 * Nothing here blocks: the rings, the window and the link queue are bounded,
 * and a loss the window cannot mend is mended by a bulk pass, not by waiting.
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
#include "ha_csync_rx.h"
#include "ha_link.h"
#include "ha_priv.h"

/* One message = one frame: the link's frames carry up to 64 KiB. */
#define BATCH_BYTES 60000u
/* Records taken from the rings per loop at most (the loop stays short). */
#define DRAIN_MAX 65536u
#define DRAIN_BURST 256u
/* Flow control: no draining while this much is sent and not acknowledged
 * (the standby acknowledges what is in its workers' rings, so its queue,
 * PEND_MAX in ha_csync_rx.c, is never outgrown and a bulk sync never
 * outruns its apply). */
#define UNACKED_RECORDS_MAX 65536u
#define UNACKED_BATCHES_MAX (SK_HA_CSYNC_WINDOW / 2)
/* Poll timeout while shipping: a batch leaves at most this long after its record. */
#define SHIP_LOOP_MS 5
/* Poll timeout of a standby while records wait for room in an in ring. */
#define STANDBY_BUSY_MS 1
/* Link down while shipping: the workers go on emitting into the window this
 * long at most (then shipping stops, and the next session is a bulk sync). */
#define RESUME_OUTAGE_MS 60000u
/* A new session waits this long for the standby's first ACK, then bulk. */
#define RESUME_WAIT_MS 2000u

int
sk_ha_csync_init(struct sk_ha *ha)
{
	struct sk_ha_csync *cs = &ha->csync;
	const struct rte_memzone *mz = NULL;

	cs->buf = malloc(BATCH_BYTES);
	if (cs->buf == NULL)
		return -ENOMEM;
	cs->len = SK_HA_CREC_HDR;
	cs->win_from = 1;
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
	for (unsigned int i = 0; i < SK_HA_CSYNC_WINDOW; i++) {
		free(cs->win[i].buf);
		cs->win[i].buf = NULL;
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

/* May batches go on the link now (a session up, not waiting for the resume point)? */
static int
can_send(const struct sk_ha *ha)
{
	return ha->link_is_up && !ha->csync.resume_wait;
}

/* Send batch w of the window; a refused one means a bulk sync later. */
static void
send_batch(struct sk_ha *ha, const struct sk_ha_cwin *w, uint32_t count)
{
	struct sk_ha_csync *cs = &ha->csync;

	if (sk_ha_link_send(ha->link, SK_HA_MSG_CONN_RECORDS, w->buf, w->len,
			    SK_HA_PRIO_BULK) != 0) {
		/* Lost: the standby will see a gap; a bulk pass mends it. */
		cs->st.link_dropped += count;
		cs->resync_wanted = 1;
	}
}

/*
 * Close the batch being filled (force: even an empty one, the end of a
 * resume), keep it in the window (its buffer swapped in, no copy; the
 * oldest batch goes when the window is full) and send it when the link may.
 */
static void
flush(struct sk_ha *ha, uint64_t now, int force)
{
	struct sk_ha_csync *cs = &ha->csync;
	struct sk_ha_cbatch_hdr h;
	struct sk_ha_cwin *w;
	uint8_t *b;

	if (cs->count == 0 && !force)
		return;
	h.count = cs->count;
	h.stream = cs->stream;
	h.seq = ++cs->seq;
	sk_ha_cbatch_hdr_put(&h, cs->buf);
	cs->st.records_sent += cs->count;
	cs->st.batches_sent++;
	cs->st.bytes_sent += cs->len;
	if (cs->count > cs->st.batch_max)
		cs->st.batch_max = cs->count;
	w = &cs->win[h.seq % SK_HA_CSYNC_WINDOW];
	if (w->buf == NULL)
		w->buf = malloc(BATCH_BYTES);
	if (h.seq - cs->win_from >= SK_HA_CSYNC_WINDOW)
		cs->win_from = h.seq - SK_HA_CSYNC_WINDOW + 1;   /* the oldest goes */
	if (w->buf == NULL) {
		/* no room to keep it: the window starts after it */
		struct sk_ha_cwin tmp = { .buf = cs->buf, .len = cs->len };

		cs->win_from = h.seq + 1;
		if (can_send(ha))
			send_batch(ha, &tmp, cs->count);
		else
			cs->resync_wanted = 1;
	} else {
		b = w->buf;
		w->buf = cs->buf;
		w->len = cs->len;
		cs->buf = b;
		w->seq = h.seq;
		w->first_ms = cs->count != 0 ? cs->first_ms : now;
		w->records = cs->st.records_sent;
		if (can_send(ha))
			send_batch(ha, w, cs->count);
	}
	cs->count = 0;
	cs->len = SK_HA_CREC_HDR;
}

/* The window from scratch (shipping stopped: the next start is a bulk sync). */
static void
window_reset(struct sk_ha_csync *cs)
{
	/* what was not acknowledged is given up (no ACK will come for it) */
	cs->acked = cs->seq;
	cs->st.records_acked = cs->st.records_sent;
	cs->win_from = cs->seq + 1;
	cs->resume_wait = 0;
	cs->outage_ms = 0;
	cs->count = 0;
	cs->len = SK_HA_CREC_HDR;
}

/* Take what the workers emitted; batch and send it.  1 when every ring was
 * emptied (not held back by flow control or the per-loop cap). */
static int
drain(struct sk_ha *ha, uint64_t now)
{
	struct sk_ha_csync *cs = &ha->csync;
	struct sk_sync_rec rec[DRAIN_BURST];
	unsigned int total = 0;

	if (can_send(ha) && (cs->seq - cs->acked >= UNACKED_BATCHES_MAX ||
			     cs->st.records_sent - cs->st.records_acked >= UNACKED_RECORDS_MAX)) {
		cs->st.throttled++;
		return 0;   /* the rings hold it; the workers' sweep waits for room */
	}

	for (unsigned int w = 0; w < cs->n_workers; w++) {
		struct rte_ring *r = cs->shm->w[w].out;
		unsigned int n;

		do {
			n = rte_ring_sc_dequeue_burst_elem(r, rec, sizeof(rec[0]), DRAIN_BURST, NULL);
			for (unsigned int i = 0; i < n; i++) {
				if (cs->len + SK_HA_CREC_MAX > BATCH_BYTES || cs->count == UINT16_MAX)
					flush(ha, now, 0);
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
	/* at least once per loop (the 10 ms promise); while the link is down
	 * or the resume point is not known, only full batches are closed */
	if (can_send(ha))
		flush(ha, now, 0);
	return total < DRAIN_MAX;
}

/* Ship while active with a live standby (on the link, or last heard there). */
static int
want_ship(const struct sk_ha *ha)
{
	return ha->fsm.role == SK_HA_ROLE_ACTIVE && ha->lpeer_known &&
	       ha->lpeer.role != SK_HA_ROLE_ACTIVE && ha->lpeer.role != SK_HA_ROLE_FAULT &&
	       (ha->shm == NULL ||
		__atomic_load_n(&ha->shm->role, __ATOMIC_ACQUIRE) == SK_HA_ROLE_ACTIVE);
}

/*
 * Shipping with the link down: go on while a resume can still work (the
 * window holds everything after the last ACK, and not for too long).
 */
static int
outage_keeps_shipping(struct sk_ha *ha, uint64_t now)
{
	struct sk_ha_csync *cs = &ha->csync;

	if (cs->outage_ms == 0) {
		cs->outage_ms = now;
		sk_ha_log(ha, "sync", NULL, "link down while shipping: records kept for a "
			  "resume (last acknowledged batch %" PRIu64 ")", cs->acked);
	}
	if (sk_ha_ms_since(now, cs->outage_ms) <= RESUME_OUTAGE_MS && cs->win_from <= cs->acked + 1)
		return 1;
	sk_ha_log(ha, "sync", NULL, "link down for %" PRIu64 " ms, %" PRIu64 " batches "
		  "unacknowledged: no resume, bulk sync on the next session",
		  sk_ha_ms_since(now, cs->outage_ms), cs->seq - cs->acked);
	return 0;
}

static void
tick_active(struct sk_ha *ha, uint64_t now)
{
	struct sk_ha_csync *cs = &ha->csync;
	int ship = want_ship(ha) && ha->link_is_up;

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
	if (ha->link_is_up)
		cs->outage_ms = 0;
	else if (cs->shipping && want_ship(ha))
		ship = outage_keeps_shipping(ha, now);
	if (cs->resume_wait && sk_ha_ms_since(now, cs->resume_wait_ms) > RESUME_WAIT_MS) {
		sk_ha_log(ha, "sync", NULL, "no resume point from the standby in %u ms: bulk sync",
			  RESUME_WAIT_MS);
		cs->resume_wait = 0;
		cs->st.resyncs++;
		ask_bulk(ha, now);   /* what is being filled goes after its BEGIN */
	}
	if (ship != cs->shipping) {
		cs->shipping = (uint8_t)ship;
		__atomic_store_n(&cs->shm->ship, (uint32_t)ship, __ATOMIC_RELEASE);
		window_reset(cs);
		if (ship)
			ask_bulk(ha, now);   /* a (re)joined standby gets the whole table first */
		else
			cs->st.bulk_out = 0;
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
	if (!can_send(ha))
		return;   /* bulk syncs begin and end on a session that ships */
	if (cs->st.bulk_out) {
		uint32_t done = 1;

		for (unsigned int w = 0; w < cs->n_workers; w++)
			done &= __atomic_load_n(&cs->shm->w[w].bulk_done, __ATOMIC_ACQUIRE) ==
				cs->bulk_id;
		/* the laps' last records before the END: every ring emptied */
		if (done && drain(ha, now)) {
			struct sk_ha_cbulk b = { .stream = cs->stream };

			b.seq = cs->seq;
			b.id = cs->bulk_id;
			b.records = (uint32_t)(cs->st.records_sent - cs->bulk_rec0);
			send_bulk(ha, SK_HA_MSG_BULK_END, &b);
			cs->st.bulk_out = 0;
			cs->st.bulk_runs++;
			cs->st.bulk_ms = sk_ha_ms_since(now, cs->bulk_start_ms);
			cs->st.bulk_records = b.records;
			sk_ha_log(ha, "sync", NULL, "connection bulk sync %u sent: %u records in %"
				  PRIu64 " ms", b.id, b.records, cs->st.bulk_ms);
		}
	} else if (cs->resync_wanted) {
		cs->st.resyncs++;
		ask_bulk(ha, now);
	}
}

/* Send the window's batches after seq again; 0, or -ENOENT when it no longer holds them. */
static int
resend_after(struct sk_ha *ha, uint64_t seq)
{
	struct sk_ha_csync *cs = &ha->csync;

	if (seq > cs->seq || seq + 1 < cs->win_from)
		return -ENOENT;
	for (uint64_t q = seq + 1; q <= cs->seq; q++) {
		const struct sk_ha_cwin *w = &cs->win[q % SK_HA_CSYNC_WINDOW];

		send_batch(ha, w, 0);
		cs->st.batches_resent++;
	}
	return 0;
}

/* A new session's first ACK: continue after what the standby has, or bulk. */
static void
resume(struct sk_ha *ha, const struct sk_ha_cack *a, uint64_t now)
{
	struct sk_ha_csync *cs = &ha->csync;
	const char *why = NULL;

	cs->resume_wait = 0;
	if (!(a->flags & SK_HA_CACK_RESUME))
		why = "the standby asks for a bulk sync";
	else if (a->stream != cs->stream)
		why = "the standby had another stream";
	else if (cs->st.bulk_out)
		why = "a bulk sync was under way";
	else if (resend_after(ha, a->seq) != 0)
		why = "the window no longer holds the batches after the standby's";
	if (why == NULL) {
		uint64_t n = cs->seq - a->seq;

		flush(ha, now, 0);   /* what is being filled */
		flush(ha, now, 1);   /* and an empty batch: the resume is complete */
		cs->st.resumes++;
		sk_ha_log(ha, "sync", NULL, "link session resumed after batch %" PRIu64 ": %" PRIu64
			  " batches sent again", a->seq, n);
		return;
	}
	sk_ha_log(ha, "sync", NULL, "link session not resumed (%s): bulk sync", why);
	cs->st.resyncs++;
	ask_bulk(ha, now);   /* what is being filled goes after its BEGIN */
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
	if (cs->resume_wait && cs->shipping) {
		resume(ha, &a, sk_ha_mono_ms());
		if (!(a.flags & SK_HA_CACK_RESUME))
			return;
	} else if (a.flags & SK_HA_CACK_RESUME) {
		return;   /* not shipping to it (a first session, or it is the active) */
	}
	if (a.stream != cs->stream)
		return;   /* an ACK of this unit's previous stream (a restart) */
	if (a.flags & SK_HA_CACK_RESYNC)
		cs->resync_wanted = 1;
	if (a.seq <= cs->acked || a.seq > cs->seq)
		return;
	cs->acked = a.seq;
	i = (unsigned int)(a.seq % SK_HA_CSYNC_WINDOW);
	if (cs->win[i].seq == a.seq && a.seq >= cs->win_from) {
		uint64_t now = sk_ha_mono_ms();

		cs->st.records_acked = cs->win[i].records;
		cs->st.lag_ms = sk_ha_ms_since(now, cs->win[i].first_ms);
		if (cs->st.lag_ms > cs->st.lag_ms_max)
			cs->st.lag_ms_max = cs->st.lag_ms;
	}
	if (a.seq + 1 > cs->win_from)
		cs->win_from = a.seq + 1;   /* acknowledged: no longer kept */
}

void
sk_ha_csync_on_msg(struct sk_ha *ha, uint8_t type, const void *payload, size_t len)
{
	switch (type) {
	case SK_HA_MSG_CONN_RECORDS:
		sk_ha_csync_rx_records(ha, payload, len);
		break;
	case SK_HA_MSG_ACK:
		on_ack(ha, payload, len);
		break;
	case SK_HA_MSG_BULK_BEGIN:
	case SK_HA_MSG_BULK_END:
		sk_ha_csync_rx_bulk(ha, type, payload, len);
		break;
	default:
		break;
	}
}

void
sk_ha_csync_session(struct sk_ha *ha)
{
	struct sk_ha_csync *cs = &ha->csync;
	int can;

	/* Active: what was in flight may be lost; hold the batches until the
	 * standby says where it stands (its first ACK), then resume or bulk. */
	cs->empty_bulk_sent = 0;
	if (cs->shipping) {
		cs->resume_wait = 1;
		cs->resume_wait_ms = sk_ha_mono_ms();
		cs->outage_ms = 0;
	}
	cs->ack_due = 0;
	cs->ack_flags = 0;
	cs->resume_asked = 0;
	if (ha->fsm.role == SK_HA_ROLE_ACTIVE)
		return;
	/* Not active: tell the peer where this unit stands.  It can continue
	 * from the last batch in order only when it has a whole table of that
	 * stream (the bulk sync arrived); else it asks for a bulk sync and is
	 * not ready until that has arrived. */
	can = cs->peer_stream != 0 && (cs->st.bulk_in == 2 || cs->bulk_in_end);
	if (!can) {
		cs->st.bulk_in = 0;
		cs->bulk_in_end = 0;
	}
	cs->resume_asked = (uint8_t)can;
	cs->ack_flags = can ? SK_HA_CACK_RESUME : SK_HA_CACK_RESYNC;
}

int
sk_ha_csync_ready(const struct sk_ha *ha)
{
	/* Asked only against a live active (ha.c; heard on either path): a
	 * unit whose peer is gone takes over with what it has.  Without the
	 * HA link (down, or not up yet while the dataplane heartbeat already
	 * hears the active) the table is what the last bulk brought: a standby
	 * that starts never reports ready before its first bulk sync. */
	if (!ha->link_is_up || !ha->lpeer_known)
		return ha->csync.st.bulk_in == 2;
	if (ha->lpeer.role != SK_HA_ROLE_ACTIVE)
		return 1;
	return ha->csync.st.bulk_in == 2 && !ha->csync.resume_asked;
}

int
sk_ha_csync_timeout_ms(const struct sk_ha *ha)
{
	const struct sk_ha_csync *cs = &ha->csync;

	if (cs->shipping)
		return SHIP_LOOP_MS;
	/* Standby: records wait for room in an in ring, and the ACK (flow
	 * control: the active sends nothing more until it comes) waits with
	 * them; or a bulk sync's end waits for the rings to empty.  Look again
	 * soon, not at the next frame (a heartbeat, 50 ms away). */
	if (cs->bulk_in_end)
		return STANDBY_BUSY_MS;
	for (unsigned int w = 0; cs->shm != NULL && w < cs->n_workers; w++)
		if (cs->pend[w].n != 0)
			return STANDBY_BUSY_MS;
	return 1000;
}

/*
 * Active: an ACK measures the lag of the batch it acknowledges, but while
 * none comes (the standby stalls, the link is down, flow control holds the
 * records back) the lag is the age of the oldest batch not acknowledged:
 * it grows, rather than showing the last ACK's figure.
 */
static void
lag_unacked(struct sk_ha_csync *cs, uint64_t now)
{
	uint64_t q = cs->acked + 1;
	const struct sk_ha_cwin *w = &cs->win[q % SK_HA_CSYNC_WINDOW];

	if (!cs->shipping || q > cs->seq || q < cs->win_from || w->seq != q || now < w->first_ms)
		return;
	if (now - w->first_ms > cs->st.lag_ms) {
		cs->st.lag_ms = now - w->first_ms;
		if (cs->st.lag_ms > cs->st.lag_ms_max)
			cs->st.lag_ms_max = cs->st.lag_ms;
	}
}

void
sk_ha_csync_tick(struct sk_ha *ha, uint64_t now)
{
	struct sk_ha_csync *cs = &ha->csync;
	struct sk_ha_csync_status *st = &cs->st;

	tick_active(ha, now);
	sk_ha_csync_rx_tick(ha, now);
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
	lag_unacked(cs, now);
	st->window_batches = cs->seq + 1 > cs->win_from ? cs->seq + 1 - cs->win_from : 0;
	pthread_mutex_lock(&ha->lock);
	ha->st.csync = *st;
	pthread_mutex_unlock(&ha->lock);
}
