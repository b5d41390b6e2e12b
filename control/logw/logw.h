/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * logw.h - the control plane's log writer: dataplane log records and daemon
 * events in, JSON lines out (rotated files with a hard cap on disk use, and/or
 * syslog), with the last lines kept in memory for GET /logs.
 *
 * Bounded by construction, because a unit once died of logs filling its disk
 * during an attack:
 *   - every record passes a token bucket of its rule (rate_per_rule,
 *     burst_per_rule) and a global one (rate_total); what they refuse is
 *     counted and summarised in one line per rule per second;
 *   - files rotate at max_file_bytes and all files together never take more
 *     than max_total_bytes (counted in whole filesystem blocks);
 *   - a line longer than SK_LOGW_LINE_MAX is shortened, never split;
 *   - a write error (disk full, EIO, unwritable directory) is counted and the
 *     writer goes on; nothing here waits on the disk being fixed or on syslog.
 *
 * Thread safety: none.  One thread (the daemon's) owns a writer and makes
 * every call, including the GET /logs handler's.
 *
 * The daemon's loop: n = sk_dplink_log_read(dp, recs, 256);
 * sk_logw_records(w, recs, n); sk_logw_tick(w) at least every 100 ms (it
 * flushes due suppression summaries and resyncs file sizes once a second).
 */
#ifndef SK_LOGW_H
#define SK_LOGW_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "cfg.h"
#include "sk_logrec.h"

struct sk_logw;

#define SK_LOGW_LINE_MAX 8192u      /* bytes, newline included */
#define SK_LOGW_MEM_LINES 1000u     /* default lines kept for GET /logs */
#define SK_LOGW_FILES_MAX 256u      /* files at most, whatever the sizes allow */
#define SK_LOGW_QUERY_MAX 1000u     /* GET /logs limit at most */
#define SK_LOGW_QUERY_DEFAULT 100u
#define SK_LOGW_FILE_NAME "sekisho.log"

enum sk_logw_name_kind {
	SK_LOGW_NAME_RULE,   /* id = rule id (>= 1) */
	SK_LOGW_NAME_IFACE,  /* id = interface id */
	SK_LOGW_NAME_ZONE,   /* id = zone id, 0 = local */
};

/*
 * Names of ids in a generation, from the daemon's model of it.  Returns a
 * string that stays valid until the next call, or NULL when unknown (the
 * writer then prints "#id", "if<id>", "zone<id>").
 */
typedef const char *(*sk_logw_name_fn)(void *ctx, enum sk_logw_name_kind what,
				       uint32_t generation, uint32_t id);

struct sk_logw_opts {
	sk_logw_name_fn name;     /* NULL: ids only */
	void *name_ctx;
	uint32_t mem_lines;       /* lines kept in memory; 0 = SK_LOGW_MEM_LINES */
	/* Clocks, for tests; NULL = CLOCK_MONOTONIC / CLOCK_REALTIME in ns. */
	uint64_t (*mono_ns)(void *ctx);
	uint64_t (*real_ns)(void *ctx);
	void *clock_ctx;
	const char *syslog_path;  /* datagram socket of syslog; NULL = "/dev/log" */
};

struct sk_logw_stats {
	uint64_t in;              /* records and events offered */
	uint64_t written;         /* lines written whole (incl. summaries) */
	uint64_t summaries;       /* of those, suppression summaries */
	uint64_t suppressed;      /* refused by a rate limit */
	uint64_t dropped_by_cap;  /* not written: no room could be made under the cap */
	uint64_t write_errors;    /* not written (or not whole) because of an I/O error */
	uint64_t truncated;       /* written shortened (longer than SK_LOGW_LINE_MAX) */
	uint64_t syslog_errors;   /* lines syslog did not take (never waited for) */
	uint64_t bytes_on_disk;   /* all log files, in whole blocks */
	uint64_t rotations;
	uint64_t seq;             /* sequence number of the last line */
	int last_errno;           /* last write error, 0 if none */
};

/*
 * Start a writer with the settings of the `logging` group: opens (creating
 * if needed) lc->dir, deletes rotations beyond what max_total_bytes allows,
 * opens syslog.  A directory that cannot be opened is not fatal: it is
 * retried once a second and counted meanwhile.  NULL with errno on ENOMEM
 * or EINVAL (settings that fail the config checks).
 */
struct sk_logw *sk_logw_create(const struct sk_cfg_logging *lc, const struct sk_logw_opts *opts);
/* Close files and syslog.  NULL is a no-op. */
void sk_logw_free(struct sk_logw *w);
/* Apply new settings (a commit): rates now, files reopened if dir or sizes
 * changed.  Counters, memory lines and buckets survive.  0 or -EINVAL. */
int sk_logw_reconfigure(struct sk_logw *w, const struct sk_cfg_logging *lc);

/* One dataplane record (ts in Unix ns): rate-limited, then written.  0, or
 * -ENOMEM when the line could not be built (counted as a write error). */
int sk_logw_record(struct sk_logw *w, const struct sk_logrec *r);
/* n records; returns how many passed the rate limits (all are counted). */
unsigned int sk_logw_records(struct sk_logw *w, const struct sk_logrec *r, unsigned int n);

/*
 * A daemon event: {"ts", "kind": "event", "event": event, ...fields}.
 * event is a short word ("commit", "admin", "ha", ...); fields (an object,
 * stolen, may be NULL) may not override ts/kind/event.  Each event word has
 * its own bucket with the per-rule rate, so a flood of one kind (failed
 * logins) cannot hide another (commits).  0 or -EINVAL/-ENOMEM.
 */
int sk_logw_event(struct sk_logw *w, const char *event, json_t *fields);

/* Housekeeping: due suppression summaries, file size resync, retries. */
void sk_logw_tick(struct sk_logw *w);

void sk_logw_stats_get(const struct sk_logw *w, struct sk_logw_stats *st);
/* The counters as a JSON object (new reference, NULL on ENOMEM). */
json_t *sk_logw_stats_json(const struct sk_logw *w);

/* GET /logs?since=SEQ&limit=N */
struct sk_logw_query {
	uint64_t since;           /* lines after this sequence number */
	uint32_t limit;           /* 1..SK_LOGW_QUERY_MAX */
	uint8_t has_since;        /* 0: the newest limit lines */
};

/* Parse the query strings (either may be NULL).  0, or -EINVAL with err set. */
int sk_logw_query_parse(const char *since, const char *limit, struct sk_logw_query *q,
			char *err, size_t errlen);

/*
 * Lines from memory, oldest first:
 *   {"lines": [{"seq": N, ...line}], "next": SEQ to pass as since next time,
 *    "oldest": SEQ, "latest": SEQ, "missed": lines after since no longer
 *    held, "reset": true when since is beyond latest (the daemon restarted;
 *    lines are returned from the oldest held), "stats": {...}}
 * New reference, NULL on ENOMEM.
 */
json_t *sk_logw_query(const struct sk_logw *w, const struct sk_logw_query *q);

#endif /* SK_LOGW_H */
