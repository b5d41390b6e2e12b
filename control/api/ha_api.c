/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_api.c - the pure half of the HA resources (ha_api.h): a status
 * snapshot as the GET /api/v1/ha document, the request flags (force,
 * timeout_ms) and the HA module's -errno as an API error.  No sockets, no
 * HA module: the unit tests fill a struct sk_ha_status and check what
 * comes out.
 *
 * Words come from the contract's X-macro lists (SK_HA_ROLE_LIST in
 * sk_ha.h, SK_HA_LINKERR_LIST in ha.h), the same lists that name the log
 * lines and the metrics, so the API and a dashboard cannot disagree.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/ha_api.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define ROLE_WORD(e, w) #w,
static const char *const role_words[] = { SK_HA_ROLE_LIST(ROLE_WORD) };
#undef ROLE_WORD

#define LINKERR_WORD(e, w) #w,
static const char *const linkerr_words[] = { SK_HA_LINKERR_LIST(LINKERR_WORD) };
#undef LINKERR_WORD

static const char *const path_words[SK_HA_PATH__MAX] = { "link", "data" };

const char *
sk_api_ha_role_word(uint32_t role)
{
	return role < NELEM(role_words) ? role_words[role] : "unknown";
}

const char *
sk_api_ha_linkerr_word(unsigned int kind)
{
	return kind < NELEM(linkerr_words) ? linkerr_words[kind] : "unknown";
}

/* The struct's fixed-size strings may be full: never read past them. */
static json_t *
str_field(const char *s, size_t size)
{
	return json_stringn(s, strnlen(s, size));
}

static json_t *
path_json(const struct sk_ha_path_status *p)
{
	/* UINT64_MAX means never heard: null, not a huge number of ms */
	json_t *ago = p->last_rx_ms_ago == UINT64_MAX ? json_null() :
		      json_integer((json_int_t)p->last_rx_ms_ago);

	return json_pack("{s:b, s:o, s:{s:I, s:I, s:I}}", "up", p->up != 0,
			 "last_rx_ms_ago", ago, "heartbeats",
			 "sent", (json_int_t)p->hb_sent, "received", (json_int_t)p->hb_recv,
			 "missed", (json_int_t)p->hb_missed);
}

static json_t *
peer_json(const struct sk_ha_status *st)
{
	json_t *p = json_pack("{s:b, s:b}", "known", st->peer_known != 0,
			      "alive", st->peer_alive != 0);

	if (p == NULL)
		return NULL;
	/* What the peer told us in its greeting and heartbeats: nothing to
	 * show before the first one, so null rather than zeros that read as
	 * "unit 0, generation 0". */
	if (!st->peer_known) {
		json_object_set_new(p, "unit", json_null());
		json_object_set_new(p, "priority", json_null());
		json_object_set_new(p, "role", json_null());
		json_object_set_new(p, "term", json_null());
		json_object_set_new(p, "generation", json_null());
		json_object_set_new(p, "version", json_null());
		return p;
	}
	json_object_set_new(p, "unit", json_integer(st->peer_unit));
	json_object_set_new(p, "priority", json_integer(st->peer_priority));
	json_object_set_new(p, "role", json_string(sk_api_ha_role_word(st->peer_role)));
	json_object_set_new(p, "term", json_integer((json_int_t)st->peer_term));
	json_object_set_new(p, "generation", json_integer((json_int_t)st->peer_generation));
	json_object_set_new(p, "version", str_field(st->peer_version, sizeof(st->peer_version)));
	return p;
}

static json_t *
transitions_json(const struct sk_ha_status *st)
{
	json_t *last = json_null();

	if (st->transitions > 0 && st->last_unix_ms != 0)
		last = json_pack("{s:s, s:s, s:o, s:I}",
				 "from", sk_api_ha_role_word(st->last_from),
				 "to", sk_api_ha_role_word(st->last_to),
				 "reason", str_field(st->last_reason, sizeof(st->last_reason)),
				 "time_ms", (json_int_t)st->last_unix_ms);
	return json_pack("{s:I, s:o*}", "count", (json_int_t)st->transitions, "last", last);
}

static json_t *
link_json(const struct sk_ha_status *st)
{
	json_t *errors = json_object();
	unsigned int k;

	for (k = 0; errors != NULL && k < SK_HA_LINKERR__MAX; k++)
		json_object_set_new(errors, sk_api_ha_linkerr_word(k),
				    json_integer((json_int_t)st->link_errors[k]));
	return json_pack("{s:I, s:I, s:I, s:o*}", "connects", (json_int_t)st->link_connects,
			 "messages_sent", (json_int_t)st->msgs_sent,
			 "messages_received", (json_int_t)st->msgs_recv, "errors", errors);
}

/* Connection-state sync: link side, the dataplane's counters summed and per worker. */
static json_t *
csync_json(const struct sk_ha_status *st)
{
	static const char *const words[] = {
#define SK_SYNC_CTR_WORD(e, w) #w,
		SK_SYNC_CTR_LIST(SK_SYNC_CTR_WORD)
#undef SK_SYNC_CTR_WORD
	};
	static const char *const bulk_words[] = { "none", "receiving", "done" };
	const struct sk_ha_csync_status *c = &st->csync;
	json_t *dp = json_object(), *workers = json_array(), *doc;
	unsigned int k;

	for (k = 0; dp != NULL && k < SK_SYNC_CTR__MAX; k++)
		json_object_set_new(dp, words[k], json_integer((json_int_t)c->ctr[k]));
	for (k = 0; workers != NULL && k < c->workers && k < SK_HA_CSYNC_MAX_WORKERS; k++)
		json_array_append_new(workers, json_pack("{s:i, s:I, s:I}", "worker", (int)k,
			"emitted", (json_int_t)c->wctr[k][0], "ring_full", (json_int_t)c->wctr[k][1]));
	doc = json_pack("{s:b, s:b, s:b, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
			" s:I, s:I, s:I, s:I, s:I}",
		"enabled", c->enabled != 0, "shipping", c->shipping != 0,
		"bulk_sending", c->bulk_out != 0, "bulk_received", bulk_words[c->bulk_in % 3],
		"records_sent", (json_int_t)c->records_sent,
		"batches_sent", (json_int_t)c->batches_sent, "bytes_sent", (json_int_t)c->bytes_sent,
		"records_acked", (json_int_t)c->records_acked,
		"records_received", (json_int_t)c->records_recv,
		"lag_records", (json_int_t)c->lag_records, "lag_ms", (json_int_t)c->lag_ms,
		"lag_ms_max", (json_int_t)c->lag_ms_max, "batch_max", (json_int_t)c->batch_max,
		"link_dropped", (json_int_t)c->link_dropped,
		"apply_dropped", (json_int_t)c->apply_dropped, "malformed", (json_int_t)c->malformed,
		"gaps", (json_int_t)c->gaps, "resyncs", (json_int_t)c->resyncs,
		"bulk_runs", (json_int_t)c->bulk_runs, "bulk_ms", (json_int_t)c->bulk_ms);
	if (doc == NULL) {
		json_decref(dp);
		json_decref(workers);
		return NULL;
	}
	json_object_set_new(doc, "bulk_records", json_integer((json_int_t)c->bulk_records));
	json_object_set_new(doc, "ignored", json_integer((json_int_t)c->ignored));
	json_object_set_new(doc, "resumes", json_integer((json_int_t)c->resumes));
	json_object_set_new(doc, "batches_resent", json_integer((json_int_t)c->batches_resent));
	json_object_set_new(doc, "window_batches", json_integer((json_int_t)c->window_batches));
	json_object_set_new(doc, "throttled", json_integer((json_int_t)c->throttled));
	json_object_set_new(doc, "dataplane", dp);
	json_object_set_new(doc, "workers", workers);
	return doc;
}

json_t *
sk_api_ha_json(const struct sk_ha_status *st)
{
	json_t *doc, *paths;
	unsigned int p;

	if (st == NULL || !st->enabled)
		return json_pack("{s:b}", "enabled", 0);
	paths = json_object();
	for (p = 0; paths != NULL && p < SK_HA_PATH__MAX; p++)
		json_object_set_new(paths, path_words[p], path_json(&st->path[p]));
	doc = json_pack("{s:b, s:i, s:i, s:b, s:s, s:s, s:I, s:I, s:b, s:b, s:o, s:o*, s:o*, s:o*,"
			" s:o*}",
			"enabled", 1, "unit", st->unit, "priority", st->priority,
			"preempt", st->preempt != 0,
			"role", sk_api_ha_role_word(st->role),
			"dp_role", sk_api_ha_role_word(st->dp_role),
			"term", (json_int_t)st->term, "generation", (json_int_t)st->generation,
			"ready", st->ready != 0, "forced", st->forced != 0,
			"fault", str_field(st->fault, sizeof(st->fault)),
			"peer", peer_json(st), "paths", paths,
			"link", link_json(st), "transitions", transitions_json(st));
	if (doc == NULL)
		return NULL;
	json_object_set_new(doc, "config_sync", json_pack("{s:I, s:I, s:I, s:I}",
		"pushed", (json_int_t)st->sync_pushed, "applied", (json_int_t)st->sync_applied,
		"failed", (json_int_t)st->sync_failed, "lag_ms", (json_int_t)st->sync_lag_ms));
	json_object_set_new(doc, "conn_sync", csync_json(st));
	json_object_set_new(doc, "hook", json_pack("{s:o, s:I, s:i, s:o}",
		"state", str_field(st->hook_state, sizeof(st->hook_state)),
		"runs", (json_int_t)st->hook_runs, "last_rc", (int)st->hook_last_rc,
		"output", str_field(st->hook_output, sizeof(st->hook_output))));
	return doc;
}

json_t *
sk_api_ha_summary_json(const struct sk_ha_status *st)
{
	json_t *peer;

	if (st == NULL || !st->enabled)
		return json_pack("{s:b}", "enabled", 0);
	peer = st->peer_known ?
		json_pack("{s:b, s:s, s:I}", "alive", st->peer_alive != 0,
			  "role", sk_api_ha_role_word(st->peer_role),
			  "generation", (json_int_t)st->peer_generation) :
		json_pack("{s:b, s:n, s:n}", "alive", st->peer_alive != 0, "role", "generation");
	return json_pack("{s:b, s:i, s:s, s:I, s:I, s:o*}", "enabled", 1, "unit", st->unit,
			 "role", sk_api_ha_role_word(st->role), "term", (json_int_t)st->term,
			 "generation", (json_int_t)st->generation, "peer", peer);
}

/* "1"/"true" -> 1, "0"/"false" -> 0, else -1. */
static int
bool_word(const char *v)
{
	if (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0)
		return 1;
	if (strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0)
		return 0;
	return -1;
}

int
sk_api_ha_force_flag(const struct sk_api_req *req, int *force, char *err, size_t errlen)
{
	const json_t *b = json_is_object(req->json) ? json_object_get(req->json, "force") : NULL;
	const char *q = req->query != NULL ? req->query(req, "force") : NULL;
	int fq = 0;

	*force = 0;
	if (b != NULL && !json_is_boolean(b)) {
		snprintf(err, errlen, "force is true or false");
		return -EINVAL;
	}
	if (q != NULL && (fq = bool_word(q)) < 0) {
		snprintf(err, errlen, "?force= is 1, true, 0 or false, not '%s'", q);
		return -EINVAL;
	}
	/* Either place says so: a client that sets both means it. */
	*force = json_is_true(b) || fq == 1;
	return 0;
}

int
sk_api_ha_timeout(const struct sk_api_req *req, unsigned int *timeout_ms, char *err,
		  size_t errlen)
{
	const json_t *b = json_is_object(req->json) ? json_object_get(req->json, "timeout_ms") : NULL;
	const char *q = req->query != NULL ? req->query(req, "timeout_ms") : NULL;
	long long v = SK_API_HA_STANDBY_TIMEOUT_MS;

	if (b != NULL) {
		if (!json_is_integer(b)) {
			snprintf(err, errlen, "timeout_ms is a number of milliseconds");
			return -EINVAL;
		}
		v = json_integer_value(b);
	} else if (q != NULL) {
		char *end;

		errno = 0;
		v = strtoll(q, &end, 10);
		if (*q == '\0' || *end != '\0' || errno != 0) {
			snprintf(err, errlen, "?timeout_ms= is a number of milliseconds, not '%s'", q);
			return -EINVAL;
		}
	}
	if (v < 1 || v > SK_API_HA_STANDBY_TIMEOUT_MAX_MS) {
		snprintf(err, errlen, "timeout_ms is 1 to %u", SK_API_HA_STANDBY_TIMEOUT_MAX_MS);
		return -EINVAL;
	}
	*timeout_ms = (unsigned int)v;
	return 0;
}

int
sk_api_ha_error(struct sk_api_resp *resp, int rc, const char *msg)
{
	const char *m = msg != NULL && *msg != '\0' ? msg : strerror(rc < 0 ? -rc : rc);

	switch (rc) {
	case -EAGAIN:
		return sk_api_error(resp, 409, "not_ready", NULL, "%s", m);
	case -ENOTCONN:
		return sk_api_error(resp, 503, "no_peer", NULL, "%s", m);
	case -ETIMEDOUT:
		return sk_api_error(resp, 504, "timeout", NULL, "%s", m);
	case -EALREADY:
	case -EBUSY:
	case -EINVAL:
	case -EPERM:
		return sk_api_error(resp, 409, "ha_refused", NULL, "%s", m);
	default:
		return sk_api_error(resp, 500, "internal", NULL, "%s", m);
	}
}
