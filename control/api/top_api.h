/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * top_api.h - GET /api/v1/top: the sources the dataplane refuses most and
 * those that open the most connections, merged over the workers'
 * space-saving summaries (sk_top.h), and the drops per reason, over the
 * current and the previous minute (docs/security.md "Attack visibility").
 *
 * The pure half (snapshot, merge, document) takes the shared block as
 * memory, so tests feed it summaries the dataplane's own code made.
 */
#ifndef SK_TOP_API_H
#define SK_TOP_API_H

#include <jansson.h>

#include "sk_top.h"
#include "api/api.h"

#define SK_TOP_N_DEFAULT 10
#define SK_TOP_N_MAX     SK_TOP_K

/* Copy the workers' blocks out of shm, each consistent (sequence count):
 * how many were copied (<= max), or -EAGAIN when a worker kept writing. */
int sk_top_snapshot(const struct sk_shm_top *shm, struct sk_top_worker *out, unsigned int max);

/*
 * Merge n space-saving summaries into the top `max` sources (largest count
 * first) in out; returns how many.  A source's count is the sum of its
 * counts where it is monitored; its err adds their errors and, for every
 * full summary that does not monitor it, that summary's smallest count (it
 * may have been counted there up to that much), so the true count lies in
 * [count - err, count + err].
 */
unsigned int sk_top_merge(const struct sk_top_summary *const in[], unsigned int n,
			  struct sk_top_entry *out, unsigned int max);

/* The document of GET /api/v1/top?n= from n_workers snapshots. */
json_t *sk_top_doc(const struct sk_top_worker *w, unsigned int n_workers, unsigned int n);

/* The one-line summary the daemon logs each minute while a flood lasts,
 * or 0 when the last minute was quiet (denied and new below the thresholds). */
int sk_top_summary_line(const struct sk_top_worker *w, unsigned int n_workers, char *buf,
			size_t len);

/* Daemon loop: once a minute, log the summary line (event "flood") when
 * the previous minute was a flood.  One line a minute, never one per packet. */
void sk_top_log_tick(struct sk_cp *cp);

extern const struct sk_api_route sk_api_routes_top[];

#endif /* SK_TOP_API_H */
