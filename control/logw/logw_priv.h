/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * logw_priv.h - internals of the log writer: the rate limiter (logw_rate.c),
 * the capped rotated files (logw_file.c), the in-memory lines (logw_mem.c),
 * line formatting (logw_fmt.c) and the syslog sender (logw_syslog.c).
 * Not for use outside control/logw.  Everything is owned by one thread.
 */
#ifndef SK_LOGW_PRIV_H
#define SK_LOGW_PRIV_H

#include <stdint.h>
#include <jansson.h>

#include "logw.h"

#define SK_LOGW_NS 1000000000ull
#define SK_LOGW_RETRY_NS SK_LOGW_NS      /* reopen a failed directory/file after */
#define SK_LOGW_SUMMARY_PER_S 100u       /* summary lines per second at most */
#define SK_LOGW_BUCKETS 8192u            /* table slots, a power of two */
#define SK_LOGW_BUCKETS_USED 6144u       /* then new keys share the overflow bucket */
#define SK_LOGW_NAME_LEN 48

/* ---- token buckets (logw_rate.c) ---- */

/* Tokens are kept in billionths, so that refill is exact integer math in ns. */
struct sk_logw_tb {
	uint64_t tokens;      /* 1e-9 tokens */
	uint64_t last_ns;
};

struct sk_logw_bucket {
	uint64_t key;
	struct sk_logw_tb tb;
	uint64_t pending;     /* suppressed since the last summary */
	uint64_t since_ns;    /* first of those (mono ns) */
	uint32_t next;        /* next in the due list */
	uint32_t rule_id;     /* for the summary line; 0 for events/defaults */
	uint8_t used, queued;
	uint8_t is_event;
	char name[SK_LOGW_NAME_LEN];
};

#define SK_LOGW_NONE UINT32_MAX

struct sk_logw_rate {
	struct sk_logw_bucket *b;     /* SK_LOGW_BUCKETS slots + 1 overflow (last) */
	uint32_t used;
	uint32_t head, tail;          /* buckets with pending suppressions, FIFO */
	uint64_t rate, burst;         /* per key */
	struct sk_logw_tb global;
	uint64_t rate_total;
	uint64_t global_pending, global_since_ns;
	struct sk_logw_tb summary;    /* summary lines per second */
};

int sk_logw_rate_init(struct sk_logw_rate *r, uint64_t rate, uint64_t burst,
		      uint64_t rate_total, uint64_t now);
void sk_logw_rate_fini(struct sk_logw_rate *r);
void sk_logw_rate_set(struct sk_logw_rate *r, uint64_t rate, uint64_t burst,
		      uint64_t rate_total, uint64_t now);
/* Key's bucket (created full on first use; the overflow bucket when full). */
struct sk_logw_bucket *sk_logw_rate_bucket(struct sk_logw_rate *r, uint64_t key, uint64_t now);
/*
 * Take one token of b and, if use_global, one of the global bucket.  1 =
 * pass; 0 = suppressed and noted for the summary (b's when its own bucket
 * refused, the global one's otherwise).  *fresh is set when this starts a new
 * summary window of b (the caller names the bucket then).
 */
int sk_logw_rate_take(struct sk_logw_rate *r, struct sk_logw_bucket *b, int use_global,
		      uint64_t now, int *fresh);
/* The next due summary: bucket b (returned, taken off the list) or, with
 * *global set, the global one.  NULL when none is due or over the budget. */
struct sk_logw_bucket *sk_logw_rate_due(struct sk_logw_rate *r, uint64_t now, int *global,
					uint64_t *count);
/* Token bucket primitives, exposed for tests. */
void sk_logw_tb_refill(struct sk_logw_tb *tb, uint64_t rate, uint64_t burst, uint64_t now);

/* ---- capped rotated files (logw_file.c) ---- */

struct sk_logw_file {
	char dir[256];
	int dirfd, fd;
	uint64_t max_file, max_total;
	uint32_t nfiles;
	uint64_t blk;                 /* allocation unit the sizes are rounded to */
	uint64_t *size;               /* accounted bytes of sekisho.log(.k), k < nfiles */
	uint64_t raw0;                /* real size of sekisho.log (for rounding appends) */
	uint64_t retry_ns;            /* no open before this (mono ns) */
	uint64_t rotations;
	uint8_t partial;              /* the last write stopped mid-line */
	int last_errno;
};

/* Set up (no I/O yet beyond the first open attempt). 0 or -ENOMEM. */
int sk_logw_file_open(struct sk_logw_file *f, const char *dir, uint64_t max_file,
		      uint64_t max_total, uint64_t now);
void sk_logw_file_close(struct sk_logw_file *f);
/* Append one line (ending in '\n').  0; -EFBIG when the cap left no room
 * (dropped_by_cap); another -errno on an I/O error (write_errors). */
int sk_logw_file_write(struct sk_logw_file *f, const char *line, size_t len, uint64_t now);
/* Re-read the sizes from the filesystem (someone else may have touched them). */
void sk_logw_file_resync(struct sk_logw_file *f);
uint64_t sk_logw_file_bytes(const struct sk_logw_file *f);

/* ---- in-memory lines (logw_mem.c) ---- */

struct sk_logw_mem {
	char **line;                  /* cap slots; seq s lives in slot s % cap */
	uint32_t cap;
	uint64_t next;                /* sequence number of the next line (from 1) */
};

int sk_logw_mem_init(struct sk_logw_mem *m, uint32_t cap);
void sk_logw_mem_fini(struct sk_logw_mem *m);
/* Store a copy (without the newline); returns its sequence number. */
uint64_t sk_logw_mem_push(struct sk_logw_mem *m, const char *line, size_t len);
json_t *sk_logw_mem_query(const struct sk_logw_mem *m, const struct sk_logw_query *q);

/* ---- formatting (logw_fmt.c) ---- */

/* RFC 3339 UTC with milliseconds: "2024-05-01T12:34:56.789Z". */
void sk_logw_fmt_ts(uint64_t unix_ns, char *buf, size_t len);
/* A record as a JSON object (new reference, NULL on ENOMEM). */
json_t *sk_logw_fmt_record(const struct sk_logrec *r, sk_logw_name_fn name, void *ctx);
/* Name for a rule id (also zone defaults "default from->to"), into buf. */
void sk_logw_fmt_rule(char *buf, size_t len, sk_logw_name_fn name, void *ctx,
		      uint32_t gen, uint32_t rule_id, uint16_t in_zone, uint16_t out_zone);
/*
 * Serialise obj as one line ending in '\n', at most max bytes: long strings
 * are cut first, then the fields dropped (ts, kind, event are kept).  Sets
 * *truncated when it had to.  malloc'd, NULL on ENOMEM.
 */
char *sk_logw_fmt_line(json_t *obj, size_t max, size_t *len, int *truncated);

/* ---- syslog (logw_syslog.c) ---- */

/* A datagram socket of our own, never blocking: a stuck syslog daemon
 * costs lines (counted), not the control plane. */
struct sk_logw_syslog {
	int fd;
	int facility;
	char path[108];
	uint64_t retry_ns;
};

void sk_logw_syslog_open(struct sk_logw_syslog *s, const char *path, int facility);
void sk_logw_syslog_close(struct sk_logw_syslog *s);
/* 0, or -errno (EAGAIN when syslog is behind). */
int sk_logw_syslog_send(struct sk_logw_syslog *s, int severity, const char *msg, size_t len,
			uint64_t real_ns, uint64_t now);

/* ---- the writer ---- */

struct sk_logw {
	struct sk_cfg_logging cfg;
	struct sk_logw_opts opts;
	struct sk_logw_rate rate;
	struct sk_logw_file file;     /* used when cfg.file */
	struct sk_logw_syslog sys;    /* used when cfg.syslog */
	struct sk_logw_mem mem;
	struct sk_logw_stats st;
	uint64_t last_resync_ns;
};

#endif /* SK_LOGW_PRIV_H */
