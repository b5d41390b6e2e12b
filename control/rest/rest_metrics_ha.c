/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rest_metrics_ha.c - the HA pair as Prometheus text: rendered from the
 * same struct sk_ha_status GET /api/v1/ha shows, so a scrape and the API
 * agree.  Pure: status in, text out, tested without a pair.
 *
 * The role is the usual enum-as-gauge, one series per role with 1 for the
 * role in force and 0 for the others (`sekisho_ha_state{unit, state}`), as
 * sekisho_backend_admin_state does: `sekisho_ha_state{state="active"} == 1`
 * selects the active unit, `sum by (state)` over both units must never
 * show two actives, and a dashboard needs no table of role numbers.  The
 * heartbeat paths are labelled path="link" (the TCP link between the two
 * sekisho-cp) and path="data" (the dataplane's own heartbeat); link errors
 * kind= from SK_HA_LINKERR_LIST, every kind always present so that rate()
 * works from the first scrape.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/ha_api.h"
#include "rest_priv.h"

static const char *const path_words[SK_HA_PATH__MAX] = { "link", "data" };

static void
scalar(FILE *f, const char *metric, const char *type, const char *help, unsigned long long v)
{
	sk_rest_metrics_help(f, metric, type, help);
	fprintf(f, "%s %llu\n", metric, v);
}

/* A family with one label over the two paths; which: the path's field. */
enum path_field { PF_SENT, PF_RECV, PF_MISSED, PF_UP };

static void
per_path(FILE *f, const struct sk_ha_status *st, const char *metric, const char *type,
	 const char *help, enum path_field which)
{
	unsigned int p;

	sk_rest_metrics_help(f, metric, type, help);
	for (p = 0; p < SK_HA_PATH__MAX; p++) {
		const struct sk_ha_path_status *ps = &st->path[p];
		unsigned long long v = which == PF_SENT ? ps->hb_sent :
				       which == PF_RECV ? ps->hb_recv :
				       which == PF_MISSED ? ps->hb_missed : (ps->up != 0);

		fprintf(f, "%s{path=\"%s\"} %llu\n", metric, path_words[p], v);
	}
}

/* Connection-state sync: sekisho_ha_sync_* (docs/ha-sync.md). */
static void
csync_metrics(FILE *f, const struct sk_ha_csync_status *c)
{
	static const char *const words[] = {
#define SK_SYNC_CTR_WORD(e, w) #w,
		SK_SYNC_CTR_LIST(SK_SYNC_CTR_WORD)
#undef SK_SYNC_CTR_WORD
	};
	unsigned int k;

	scalar(f, "sekisho_ha_sync_shipping", "gauge",
	       "1 while this (active) unit sends connection records to the peer.", c->shipping);
	scalar(f, "sekisho_ha_sync_records_sent_total", "counter",
	       "Connection records sent to the peer.", c->records_sent);
	scalar(f, "sekisho_ha_sync_batches_sent_total", "counter",
	       "CONN_RECORDS batches sent to the peer.", c->batches_sent);
	scalar(f, "sekisho_ha_sync_records_acked_total", "counter",
	       "Connection records the peer acknowledged.", c->records_acked);
	scalar(f, "sekisho_ha_sync_records_received_total", "counter",
	       "Connection records received from the peer.", c->records_recv);
	scalar(f, "sekisho_ha_sync_lag_records", "gauge",
	       "Records emitted or sent and not yet acknowledged by the peer.", c->lag_records);
	scalar(f, "sekisho_ha_sync_lag_ms", "gauge",
	       "Last acknowledged batch: its first record taken -> the peer's ACK, ms.", c->lag_ms);
	scalar(f, "sekisho_ha_sync_batch_max_records", "gauge",
	       "Records in the largest batch sent.", c->batch_max);
	scalar(f, "sekisho_ha_sync_link_dropped_total", "counter",
	       "Records lost because the link refused a batch (then a bulk sync).", c->link_dropped);
	scalar(f, "sekisho_ha_sync_apply_dropped_total", "counter",
	       "Records lost on this standby: a worker's apply ring was full.", c->apply_dropped);
	scalar(f, "sekisho_ha_sync_malformed_total", "counter",
	       "Records or batches refused by the decoder.", c->malformed);
	scalar(f, "sekisho_ha_sync_gaps_total", "counter",
	       "Batches missing in the peer's sequence.", c->gaps);
	scalar(f, "sekisho_ha_sync_resumes_total", "counter",
	       "Link sessions continued from the last acknowledged batch (no bulk sync).",
	       c->resumes);
	scalar(f, "sekisho_ha_sync_batches_resent_total", "counter",
	       "Batches sent again from the retransmit window on a resume.", c->batches_resent);
	scalar(f, "sekisho_ha_sync_window_batches", "gauge",
	       "Batches kept until the peer acknowledges them (retransmit window).",
	       c->window_batches);
	scalar(f, "sekisho_ha_sync_bulk_runs_total", "counter",
	       "Bulk syncs (the whole table) sent or received.", c->bulk_runs);
	scalar(f, "sekisho_ha_sync_bulk_duration_ms", "gauge",
	       "Last bulk sync: begin to end, ms.", c->bulk_ms);
	scalar(f, "sekisho_ha_sync_bulk_records", "gauge",
	       "Records of the last bulk sync.", c->bulk_records);
	sk_rest_metrics_help(f, "sekisho_ha_sync_dataplane_total", "counter",
			     "The workers' sync counters by kind, summed (emitted, ring_full, "
			     "applied, held, refused, ...).");
	for (k = 0; k < SK_SYNC_CTR__MAX; k++)
		fprintf(f, "sekisho_ha_sync_dataplane_total{kind=\"%s\"} %llu\n", words[k],
			(unsigned long long)c->ctr[k]);
	sk_rest_metrics_help(f, "sekisho_ha_sync_worker_emitted_total", "counter",
			     "Records each worker emitted.");
	for (k = 0; k < c->workers && k < SK_HA_CSYNC_MAX_WORKERS; k++)
		fprintf(f, "sekisho_ha_sync_worker_emitted_total{worker=\"%u\"} %llu\n", k,
			(unsigned long long)c->wctr[k][0]);
	sk_rest_metrics_help(f, "sekisho_ha_sync_worker_ring_full_total", "counter",
			     "Records each worker dropped because its ring was full.");
	for (k = 0; k < c->workers && k < SK_HA_CSYNC_MAX_WORKERS; k++)
		fprintf(f, "sekisho_ha_sync_worker_ring_full_total{worker=\"%u\"} %llu\n", k,
			(unsigned long long)c->wctr[k][1]);
}

int
sk_rest_metrics_render_ha(const struct sk_ha_status *st, char **text, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	unsigned int r, k;
	FILE *f;

	*text = NULL;
	*len = 0;
	if (st == NULL)
		return -EINVAL;
	f = open_memstream(&buf, &n);
	if (f == NULL)
		return -ENOMEM;
	/* A standalone unit exports no sekisho_ha_* family at all. */
	if (!st->enabled)
		goto done;
	sk_rest_metrics_help(f, "sekisho_ha_state", "gauge",
			     "1 for this unit's HA role now (init, standby, active, forced-standby, "
			     "fault), 0 for the others.");
	for (r = 0; r < SK_HA_ROLE__MAX; r++)
		fprintf(f, "sekisho_ha_state{unit=\"%u\",state=\"%s\"} %d\n", st->unit,
			sk_api_ha_role_word(r), st->role == r);
	scalar(f, "sekisho_ha_term", "gauge",
	       "Fencing term of this unit's role (only grows).", st->term);
	scalar(f, "sekisho_ha_transitions_total", "counter",
	       "Role changes of this unit's state machine.", st->transitions);
	scalar(f, "sekisho_ha_ready", "gauge",
	       "1 when this unit's config is in sync with the peer, so it may take over.",
	       st->ready != 0);
	scalar(f, "sekisho_ha_peer_alive", "gauge",
	       "1 while at least one heartbeat path hears the peer.", st->peer_alive != 0);
	per_path(f, st, "sekisho_ha_path_up", "gauge",
		 "1 while a heartbeat path heard the peer within the dead interval "
		 "(path link: TCP between the sekisho-cp, data: the dataplane's own).", PF_UP);
	per_path(f, st, "sekisho_ha_heartbeats_sent_total", "counter",
		 "Heartbeats sent to the peer, by path.", PF_SENT);
	per_path(f, st, "sekisho_ha_heartbeats_received_total", "counter",
		 "Valid heartbeats received from the peer, by path.", PF_RECV);
	per_path(f, st, "sekisho_ha_heartbeats_missed_total", "counter",
		 "Heartbeat intervals that passed without one from the peer, by path.", PF_MISSED);
	sk_rest_metrics_help(f, "sekisho_ha_link_errors_total", "counter",
			     "HA link errors by kind (each one disconnects the link).");
	for (k = 0; k < SK_HA_LINKERR__MAX; k++)
		fprintf(f, "sekisho_ha_link_errors_total{kind=\"%s\"} %llu\n",
			sk_api_ha_linkerr_word(k), (unsigned long long)st->link_errors[k]);
	scalar(f, "sekisho_ha_config_sync_lag_ms", "gauge",
	       "Last config push: commit on this unit to applied on the peer, milliseconds.",
	       st->sync_lag_ms);
	scalar(f, "sekisho_ha_config_sync_pushed_total", "counter",
	       "Config generations pushed to the peer.", st->sync_pushed);
	scalar(f, "sekisho_ha_config_sync_applied_total", "counter",
	       "Config generations received from the peer and applied.", st->sync_applied);
	scalar(f, "sekisho_ha_config_sync_failed_total", "counter",
	       "Config pushes or applies that failed.", st->sync_failed);
	csync_metrics(f, &st->csync);
	if (st->peer_known)
		scalar(f, "sekisho_ha_peer_generation", "gauge",
		       "Config generation the peer runs (compare with sekisho_generation).",
		       st->peer_generation);
done:
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return -ENOMEM;
	}
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*text = buf;
	*len = n;
	return 0;
}
