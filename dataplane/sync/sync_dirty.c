/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sync_dirty.c - the per-slot dirty maps' memory (sync_dirty.h): allocated
 * once when a worker attaches, sized to its table, freed with the sync state.
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "sync/sync_dirty.h"

int
sk_sync_dirty_init(struct sk_sync_dirty *d, uint32_t n_slots, int socket)
{
	uint32_t n_words = (n_slots + 63) / 64;

	memset(d, 0, sizeof(*d));
	if (n_words == 0)
		return -EINVAL;
	d->dirty = rte_zmalloc_socket("sk_sync_dirty", n_words * sizeof(uint64_t), 64, socket);
	d->unsent = rte_zmalloc_socket("sk_sync_unsent", n_words * sizeof(uint64_t), 64, socket);
	if (d->dirty == NULL || d->unsent == NULL) {
		sk_sync_dirty_fini(d);
		return -ENOMEM;
	}
	d->n_words = n_words;
	return 0;
}

void
sk_sync_dirty_fini(struct sk_sync_dirty *d)
{
	rte_free(d->dirty);
	rte_free(d->unsent);
	memset(d, 0, sizeof(*d));
}

void
sk_sync_dirty_reset(struct sk_sync_dirty *d)
{
	if (d->n == 0)
		return;
	memset(d->dirty, 0, d->n_words * sizeof(uint64_t));
	memset(d->unsent, 0, d->n_words * sizeof(uint64_t));
	d->n = 0;
	d->cursor = 0;
}
