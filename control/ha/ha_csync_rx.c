/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_csync_rx.c - connection sync on the standby (docs/ha-sync.md, the
 * active's half is ha_csync.c): check each batch (stream, sequence, every
 * record), hand each record to its owner worker's in ring (queued here,
 * in order, while that ring is full), acknowledge once per loop only what
 * is in the rings (flow control), and count a bulk sync as received once
 * the workers have applied all of it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "cp.h"
#include "ha_crec.h"
#include "ha_csync_rx.h"
#include "ha_link.h"

/* Records a standby keeps per worker while its in ring is full. */
#define PEND_MAX 131072u

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

void
sk_ha_csync_rx_records(struct sk_ha *ha, const uint8_t *p, size_t len)
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
		return;   /* a duplicate (sent again on a resume) */
	if (h.seq != cs->peer_seq + 1) {
		cs->st.gaps += h.seq - cs->peer_seq - 1;
		cs->ack_flags |= SK_HA_CACK_RESYNC;
	} else if (h.count == 0 && cs->resume_asked) {
		cs->resume_asked = 0;   /* the active's mark: everything after ours has come */
		cs->st.resumes++;
		sk_ha_log(ha, "sync", NULL, "link session resumed at batch %" PRIu64, h.seq);
	}
	cs->peer_seq = h.seq;
	cs->ack_due = 1;
	cs->st.batches_recv++;
	/* Only a unit that is not active hands records to its workers. */
	apply = cs->shm != NULL && ha->fsm.role != SK_HA_ROLE_ACTIVE &&
		(ha->shm == NULL ||
		 __atomic_load_n(&ha->shm->role, __ATOMIC_ACQUIRE) != SK_HA_ROLE_ACTIVE);
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

void
sk_ha_csync_rx_bulk(struct sk_ha *ha, uint8_t type, const uint8_t *p, size_t len)
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
		cs->resume_asked = 0;
		/* the stream continues after b.seq: what was missed before it,
		 * the bulk sync brings (no gap, no further resync for it) */
		cs->peer_stream = b.stream;
		cs->peer_seq = b.seq;
		cs->ack_flags &= ~(uint32_t)SK_HA_CACK_RESYNC;
		cs->ack_due = 1;
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
sk_ha_csync_rx_tick(struct sk_ha *ha, uint64_t now)
{
	struct sk_ha_csync *cs = &ha->csync;
	struct sk_ha_csync_status *st = &cs->st;
	unsigned int pending_in = 0;

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
	/* standby: what waits for room goes on */
	for (unsigned int w = 0; cs->shm != NULL && w < cs->n_workers; w++)
		if (cs->pend[w].n != 0) {
			(void)pend_flush(cs, w);
			pending_in += cs->pend[w].n;
		}
	/* An ACK says "in the workers' rings": none while records still wait
	 * here, so that the active (which stops draining when too much is
	 * unacknowledged) never sends faster than the workers apply. */
	if ((cs->ack_due && pending_in == 0) || cs->ack_flags != 0) {
		struct sk_ha_cack a = { .stream = cs->peer_stream, .seq = cs->peer_seq,
					.flags = cs->ack_flags };
		uint8_t msg[SK_HA_CACK_LEN];

		sk_ha_cack_put(&a, msg);
		if (sk_ha_link_send(ha->link, SK_HA_MSG_ACK, msg, sizeof(msg), SK_HA_PRIO_CTRL) == 0) {
			cs->ack_due = 0;
			cs->ack_flags = 0;
		}
	}
	/* the bulk sync counts once every record of it is in the tables */
	if (cs->bulk_in_end) {
		unsigned int left = 0;

		for (unsigned int w = 0; cs->shm != NULL && w < cs->n_workers; w++)
			left += rte_ring_count(cs->shm->w[w].in) + cs->pend[w].n;
		if (left == 0) {
			cs->bulk_in_end = 0;
			cs->st.bulk_in = 2;
			cs->st.bulk_ms = sk_ha_ms_since(now, cs->bulk_in_start_ms);
			sk_ha_log(ha, "sync", NULL, "connection bulk sync %u received and applied: %"
				  PRIu64 " records in %" PRIu64 " ms", cs->bulk_in_id,
				  cs->st.bulk_records, cs->st.bulk_ms);
		}
	}
}
