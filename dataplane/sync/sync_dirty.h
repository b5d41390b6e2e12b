/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sync_dirty.h - the per-slot dirty mark of HA connection sync (private to
 * dataplane/sync, docs/ha-sync.md): which connections of a worker's table
 * the out ring refused a record for, so that only they are sent again.
 *
 * Two bits per connection slot, in two word arrays beside the table:
 *  - dirty: the peer lacks this connection's latest record (a create or
 *    change the full ring refused); the dirty sweep sends it as a refresh;
 *  - unsent: and the peer never had any record of it (its create was
 *    refused): if it goes before the sweep reaches it, nothing at all needs
 *    to go, not even its delete.
 * A bit is cleared when a record of the slot is sent (event, sweep, lap) or
 * when the slot is freed.  The sweep finds dirty slots 64 at a time (one
 * word test), so a clean map costs nothing but the count test.
 *
 * Owned by one worker (no locks); allocated at attach, sized to the table's
 * slots; nothing here allocates.
 */
#ifndef SK_SYNC_DIRTY_H
#define SK_SYNC_DIRTY_H

#include <stdint.h>

struct sk_sync_dirty {
	uint64_t *dirty;           /* n_words: a record of the slot is owed */
	uint64_t *unsent;          /* n_words: ... and none ever went (subset of dirty) */
	uint32_t n_words;
	uint32_t n;                /* dirty bits set */
	uint32_t cursor;           /* the word the sweep looks at next */
};

/* What a slot's mark was when it was taken off. */
enum sk_sync_dirty_was {
	SK_SYNC_DIRTY_CLEAN = 0,   /* not marked */
	SK_SYNC_DIRTY_STALE,       /* the peer has an older record of it */
	SK_SYNC_DIRTY_UNSENT,      /* the peer never had a record of it */
};

/* Attach time: both maps for n_slots slots, on socket.  0 or -ENOMEM. */
int sk_sync_dirty_init(struct sk_sync_dirty *d, uint32_t n_slots, int socket)
	__attribute__((warn_unused_result));
void sk_sync_dirty_fini(struct sk_sync_dirty *d);
/* Forget every mark (shipping stopped: it restarts with a bulk sync). */
void sk_sync_dirty_reset(struct sk_sync_dirty *d);

/* Mark slot i dirty; unsent: the peer never had a record of it (an existing
 * unsent mark stays, a stale one does not become unsent).  1 when the map
 * was clean before (a resync starts), else 0. */
static inline int
sk_sync_dirty_mark(struct sk_sync_dirty *d, uint32_t i, int unsent)
{
	uint64_t bit = 1ull << (i % 64);
	uint64_t *w = &d->dirty[i / 64];
	int first = d->n == 0;

	if (*w & bit)
		return 0;
	*w |= bit;
	if (unsent)
		d->unsent[i / 64] |= bit;
	d->n++;
	return first;
}

/* Take slot i's mark off (a record of it went, or it was freed): what it was. */
static inline enum sk_sync_dirty_was
sk_sync_dirty_take(struct sk_sync_dirty *d, uint32_t i)
{
	uint64_t bit = 1ull << (i % 64);
	uint64_t *w = &d->dirty[i / 64];

	if (!(*w & bit))
		return SK_SYNC_DIRTY_CLEAN;
	*w &= ~bit;
	d->n--;
	if (d->unsent[i / 64] & bit) {
		d->unsent[i / 64] &= ~bit;
		return SK_SYNC_DIRTY_UNSENT;
	}
	return SK_SYNC_DIRTY_STALE;
}

/*
 * The next dirty slot at or after the sweep's cursor, looking at no more
 * than *words words (decremented for each word passed); the cursor stays
 * on the word found, so the caller takes the slot's mark off once its
 * record went.  -1 when none is found within the budget (or none is set).
 */
static inline int64_t
sk_sync_dirty_next(struct sk_sync_dirty *d, uint32_t *words)
{
	while (d->n != 0 && *words != 0) {
		uint64_t w = d->dirty[d->cursor];

		if (w != 0)
			return (int64_t)d->cursor * 64 + __builtin_ctzll(w);
		(*words)--;
		if (++d->cursor == d->n_words)
			d->cursor = 0;
	}
	return -1;
}

#endif /* SK_SYNC_DIRTY_H */
