/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * logw.c - the log writer (see logw.h): records and events pass the rate
 * limits, become JSON lines, and go to memory (GET /logs), the capped files
 * and syslog.  Every line offered ends up counted exactly once: written,
 * suppressed, dropped_by_cap or write_errors.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "logw_priv.h"

#define KEY_DEFAULT (1ull << 62)  /* zone default: one bucket per zone pair */
#define KEY_EVENT (1ull << 63)    /* event word */

static uint64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * SK_LOGW_NS + (uint64_t)ts.tv_nsec;
}

static uint64_t
mono(const struct sk_logw *w)
{
	return w->opts.mono_ns ? w->opts.mono_ns(w->opts.clock_ctx) : clock_ns(CLOCK_MONOTONIC);
}

static uint64_t
real(const struct sk_logw *w)
{
	return w->opts.real_ns ? w->opts.real_ns(w->opts.clock_ctx) : clock_ns(CLOCK_REALTIME);
}

static int
settings_ok(const struct sk_cfg_logging *lc)
{
	return lc->dir[0] == '/' && lc->max_file_bytes >= SK_LOGW_LINE_MAX &&
	       lc->max_total_bytes >= 2 * lc->max_file_bytes && lc->rate_per_rule > 0 &&
	       lc->burst_per_rule > 0 && lc->rate_total > 0;
}

static void
open_sinks(struct sk_logw *w, uint64_t now)
{
	if (w->cfg.file) {
		/* Only ENOMEM fails here; no directory yet is retried on writes. */
		if (sk_logw_file_open(&w->file, w->cfg.dir, w->cfg.max_file_bytes,
				      w->cfg.max_total_bytes, now) < 0)
			w->cfg.file = 0;
	}
	if (w->cfg.syslog)
		sk_logw_syslog_open(&w->sys, w->opts.syslog_path, w->cfg.facility);
}

static void
close_sinks(struct sk_logw *w)
{
	if (w->cfg.file)
		sk_logw_file_close(&w->file);
	if (w->cfg.syslog)
		sk_logw_syslog_close(&w->sys);
}

struct sk_logw *
sk_logw_create(const struct sk_cfg_logging *lc, const struct sk_logw_opts *opts)
{
	struct sk_logw *w;
	uint64_t now;

	if (lc == NULL || !settings_ok(lc)) {
		errno = EINVAL;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	w->cfg = *lc;
	if (opts != NULL)
		w->opts = *opts;
	now = mono(w);
	if (sk_logw_mem_init(&w->mem, w->opts.mem_lines ? w->opts.mem_lines :
			     SK_LOGW_MEM_LINES) < 0 ||
	    sk_logw_rate_init(&w->rate, lc->rate_per_rule, lc->burst_per_rule, lc->rate_total,
			      now) < 0) {
		sk_logw_mem_fini(&w->mem);
		free(w);
		errno = ENOMEM;
		return NULL;
	}
	open_sinks(w, now);
	w->last_resync_ns = now;
	return w;
}

void
sk_logw_free(struct sk_logw *w)
{
	if (w == NULL)
		return;
	close_sinks(w);
	sk_logw_rate_fini(&w->rate);
	sk_logw_mem_fini(&w->mem);
	free(w);
}

int
sk_logw_reconfigure(struct sk_logw *w, const struct sk_cfg_logging *lc)
{
	uint64_t now = mono(w);
	int files = lc->file != w->cfg.file || strcmp(lc->dir, w->cfg.dir) != 0 ||
		    lc->max_file_bytes != w->cfg.max_file_bytes ||
		    lc->max_total_bytes != w->cfg.max_total_bytes;
	int sys = lc->syslog != w->cfg.syslog || lc->facility != w->cfg.facility;
	uint8_t file_on = w->cfg.file;

	if (!settings_ok(lc))
		return -EINVAL;
	sk_logw_rate_set(&w->rate, lc->rate_per_rule, lc->burst_per_rule, lc->rate_total, now);
	if (files && w->cfg.file)
		sk_logw_file_close(&w->file);
	if (sys && w->cfg.syslog)
		sk_logw_syslog_close(&w->sys);
	if (files)
		file_on = lc->file && sk_logw_file_open(&w->file, lc->dir, lc->max_file_bytes,
							lc->max_total_bytes, now) == 0;
	if (sys && lc->syslog)
		sk_logw_syslog_open(&w->sys, w->opts.syslog_path, lc->facility);
	w->cfg = *lc;
	w->cfg.file = file_on; /* off if the files could not even be set up (ENOMEM) */
	return 0;
}

/* One line out: memory, then file, then syslog.  Counts its fate. */
static void
emit(struct sk_logw *w, json_t *obj, int severity, int summary, uint64_t now)
{
	size_t len;
	int trunc, rc, ok = 1;
	char *line;

	line = sk_logw_fmt_line(obj, SK_LOGW_LINE_MAX, &len, &trunc);
	json_decref(obj);
	if (line == NULL) {
		if (trunc == 2) {
			w->st.dropped_by_cap++;
		} else {
			w->st.write_errors++;
			w->st.last_errno = ENOMEM;
		}
		return;
	}
	if (trunc)
		w->st.truncated++;
	w->st.seq = sk_logw_mem_push(&w->mem, line, len);
	if (w->cfg.file) {
		rc = sk_logw_file_write(&w->file, line, len, now);
		if (rc == -EFBIG) {
			w->st.dropped_by_cap++;
			ok = 0;
		} else if (rc < 0) {
			w->st.write_errors++;
			w->st.last_errno = -rc;
			ok = 0;
		}
	}
	if (w->cfg.syslog) {
		rc = sk_logw_syslog_send(&w->sys, severity, line, len, real(w), now);
		if (rc < 0) {
			w->st.syslog_errors++;
			/* Without files syslog is where the line was going. */
			if (!w->cfg.file && ok) {
				w->st.write_errors++;
				w->st.last_errno = -rc;
				ok = 0;
			}
		}
	}
	free(line);
	if (ok) {
		w->st.written++;
		w->st.summaries += summary != 0;
	}
}

static void
emit_summary(struct sk_logw *w, const char *what, const char *name, uint32_t rule_id,
	     uint64_t count, uint64_t now)
{
	char ts[40], msg[SK_LOGW_NAME_LEN + 96];
	json_t *o;

	sk_logw_fmt_ts(real(w), ts, sizeof(ts));
	snprintf(msg, sizeof(msg), "%s %s: %llu records suppressed", what, name,
		 (unsigned long long)count);
	o = json_pack("{ss ss ss ss ss sI sI ss}", "ts", ts, "kind", "event",
		      "event", "suppressed", "scope", what, "name", name,
		      "rule_id", (json_int_t)rule_id, "count", (json_int_t)count, "message", msg);
	if (o == NULL) {
		w->st.write_errors++;
		return;
	}
	emit(w, o, LOG_WARNING, 1, now);
}

static void
flush_due(struct sk_logw *w, uint64_t now)
{
	struct sk_logw_bucket *b;
	uint64_t count;
	int global;

	for (;;) {
		b = sk_logw_rate_due(&w->rate, now, &global, &count);
		if (global) {
			emit_summary(w, "limit", "rate_total", 0, count, now);
			continue;
		}
		if (b == NULL)
			return;
		emit_summary(w, b->is_event ? "event" : "rule", b->name, b->rule_id, count, now);
	}
}

static int
record_one(struct sk_logw *w, const struct sk_logrec *r, uint64_t now)
{
	uint64_t key = r->rule_id != 0 ? r->rule_id :
		       KEY_DEFAULT | (uint64_t)r->in_zone << 16 | r->out_zone;
	struct sk_logw_bucket *b;
	json_t *o;
	int fresh;

	w->st.in++;
	b = sk_logw_rate_bucket(&w->rate, key, now);
	if (!sk_logw_rate_take(&w->rate, b, 1, now, &fresh)) {
		w->st.suppressed++;
		/* Named once per summary window, so the flood itself stays cheap. */
		if (fresh && b != &w->rate.b[SK_LOGW_BUCKETS]) {
			b->is_event = 0;
			sk_logw_fmt_rule(b->name, sizeof(b->name), w->opts.name, w->opts.name_ctx,
					 r->generation, r->rule_id, r->in_zone, r->out_zone);
			b->rule_id = r->rule_id;
		}
		return 0;
	}
	o = sk_logw_fmt_record(r, w->opts.name, w->opts.name_ctx);
	if (o == NULL) {
		w->st.write_errors++;
		w->st.last_errno = ENOMEM;
		return -ENOMEM;
	}
	emit(w, o, LOG_NOTICE, 0, now);
	return 1;
}

int
sk_logw_record(struct sk_logw *w, const struct sk_logrec *r)
{
	uint64_t now = mono(w);
	int rc = record_one(w, r, now);

	flush_due(w, now);
	return rc < 0 ? rc : 0;
}

unsigned int
sk_logw_records(struct sk_logw *w, const struct sk_logrec *r, unsigned int n)
{
	uint64_t now = mono(w);
	unsigned int i, done = 0;

	for (i = 0; i < n; i++)
		done += record_one(w, &r[i], now) == 1;
	flush_due(w, now);
	return done;
}

static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

int
sk_logw_event(struct sk_logw *w, const char *event, json_t *fields)
{
	uint64_t now = mono(w);
	struct sk_logw_bucket *b;
	char ts[40];
	json_t *o;
	int fresh;

	if (event == NULL || event[0] == '\0' || (fields != NULL && !json_is_object(fields))) {
		json_decref(fields);
		return -EINVAL;
	}
	w->st.in++;
	b = sk_logw_rate_bucket(&w->rate, KEY_EVENT | fnv1a(event), now);
	/* Events skip the global limit: a packet flood must not hide a commit. */
	if (!sk_logw_rate_take(&w->rate, b, 0, now, &fresh)) {
		w->st.suppressed++;
		if (fresh && b != &w->rate.b[SK_LOGW_BUCKETS]) {
			snprintf(b->name, sizeof(b->name), "%s", event);
			b->is_event = 1;
		}
		json_decref(fields);
		flush_due(w, now);
		return 0;
	}
	sk_logw_fmt_ts(real(w), ts, sizeof(ts));
	o = json_pack("{ss ss ss}", "ts", ts, "kind", "event", "event", event);
	if (o == NULL) {
		json_decref(fields);
		w->st.write_errors++;
		return -ENOMEM;
	}
	if (fields != NULL) {
		/* ts, kind and event are ours: update_missing keeps them. */
		json_object_update_missing(o, fields);
		json_decref(fields);
	}
	emit(w, o, LOG_INFO, 0, now);
	flush_due(w, now);
	return 0;
}

void
sk_logw_tick(struct sk_logw *w)
{
	uint64_t now = mono(w);

	flush_due(w, now);
	if (w->cfg.file && now - w->last_resync_ns >= SK_LOGW_NS) {
		w->last_resync_ns = now;
		sk_logw_file_resync(&w->file);
	}
}

void
sk_logw_stats_get(const struct sk_logw *w, struct sk_logw_stats *st)
{
	*st = w->st;
	st->bytes_on_disk = w->cfg.file ? sk_logw_file_bytes(&w->file) : 0;
	st->rotations = w->cfg.file ? w->file.rotations : 0;
	if (st->last_errno == 0 && w->cfg.file)
		st->last_errno = w->file.last_errno;
}

json_t *
sk_logw_stats_json(const struct sk_logw *w)
{
	struct sk_logw_stats st;

	sk_logw_stats_get(w, &st);
	return json_pack("{sI sI sI sI sI sI sI sI sI sI sI ss* sI sI}",
			 "in", (json_int_t)st.in, "written", (json_int_t)st.written,
			 "summaries", (json_int_t)st.summaries,
			 "suppressed", (json_int_t)st.suppressed,
			 "dropped_by_cap", (json_int_t)st.dropped_by_cap,
			 "write_errors", (json_int_t)st.write_errors,
			 "truncated", (json_int_t)st.truncated,
			 "syslog_errors", (json_int_t)st.syslog_errors,
			 "bytes_on_disk", (json_int_t)st.bytes_on_disk,
			 "rotations", (json_int_t)st.rotations, "seq", (json_int_t)st.seq,
			 "last_error", st.last_errno ? strerror(st.last_errno) : NULL,
			 "max_total_bytes", (json_int_t)w->cfg.max_total_bytes,
			 "max_file_bytes", (json_int_t)w->cfg.max_file_bytes);
}

json_t *
sk_logw_query(const struct sk_logw *w, const struct sk_logw_query *q)
{
	json_t *doc = sk_logw_mem_query(&w->mem, q);

	if (doc != NULL)
		json_object_set_new(doc, "stats", sk_logw_stats_json(w));
	return doc;
}

int
sk_logw_query_parse(const char *since, const char *limit, struct sk_logw_query *q, char *err,
		    size_t errlen)
{
	unsigned long long v;
	char *end;

	memset(q, 0, sizeof(*q));
	q->limit = SK_LOGW_QUERY_DEFAULT;
	if (since != NULL) {
		errno = 0;
		v = strtoull(since, &end, 10);
		if (since[0] < '0' || since[0] > '9' || *end != '\0' || errno != 0) {
			snprintf(err, errlen, "since must be a sequence number, not \"%s\"", since);
			return -EINVAL;
		}
		q->since = v;
		q->has_since = 1;
	}
	if (limit != NULL) {
		errno = 0;
		v = strtoull(limit, &end, 10);
		if (limit[0] < '0' || limit[0] > '9' || *end != '\0' || errno != 0 || v < 1 ||
		    v > SK_LOGW_QUERY_MAX) {
			snprintf(err, errlen, "limit must be 1..%u, not \"%s\"", SK_LOGW_QUERY_MAX,
				 limit);
			return -EINVAL;
		}
		q->limit = (uint32_t)v;
	}
	return 0;
}
