/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_view.h - what each command prints for people, given the API's JSON,
 * and the request bodies/queries it sends.  Kept apart from the HTTP calls
 * (in the same command-group files) so tests render fixtures without a
 * server.  Each view returns 0, or SK_CTL_EXIT_API when the answer does not
 * say what it must (the command then fails with status 1).
 */
#ifndef SK_CTL_VIEW_H
#define SK_CTL_VIEW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "ctl.h"

/* ctl_cmd_status.c */
int sk_ctl_view_status(FILE *out, const json_t *doc);
int sk_ctl_view_zones(FILE *out, const json_t *doc);
int sk_ctl_view_rules(FILE *out, const json_t *doc);
int sk_ctl_view_counters(FILE *out, const json_t *doc);

/* ctl_cmd_config.c */
int sk_ctl_view_check(FILE *out, FILE *err, const json_t *doc, const char *file);
int sk_ctl_view_commit(FILE *out, const json_t *doc, uint64_t replaces);
/* {"text": text, "replaces": replaces}; NULL on ENOMEM. */
json_t *sk_ctl_commit_body(const char *text, uint64_t replaces);
/* Whole file (or stdin for "-") into a NUL-terminated malloc'd buffer;
 * 0 or -errno (-EFBIG past max). */
int sk_ctl_file_read(const char *path, size_t max, char **buf, size_t *len);

/* ctl_cmd_archive.c */
int sk_ctl_view_archives(FILE *out, const json_t *doc, uint64_t now_s);
int sk_ctl_view_archive(FILE *out, const json_t *doc);
/* Write len bytes to path atomically (path.tmp + rename), mode 0600: an
 * archive holds keys.  "-" is stdout.  0 or -errno. */
int sk_ctl_file_write(const char *path, const void *buf, size_t len);

/* ctl_cmd_conns.c */
int sk_ctl_view_conns(FILE *out, const json_t *doc, uint64_t now_s);
/* GET /top: the two source lists and the drops per reason. */
int sk_ctl_view_top(FILE *out, const json_t *doc);
/* "src=10.0.0.0/8 proto=tcp", or "all connections" with no filter. */
void sk_ctl_filter_describe(char *buf, size_t len, const struct sk_ctl_filter *f);

/* ctl_cmd_verify.c */
/* The POST /trace document from trace's options; NULL on ENOMEM. */
json_t *sk_ctl_trace_body(const struct sk_ctl_args *a);
int sk_ctl_view_trace(FILE *out, const json_t *doc);
int sk_ctl_view_lint(FILE *out, const json_t *doc);
int sk_ctl_view_exposure(FILE *out, const json_t *doc);

/* ctl_cmd_logs.c */
/* Where the next poll starts (the API's "next", else one past the highest
 * seq seen, else since) and how many records came; warns on stderr about a
 * gap after since.  0 or SK_CTL_EXIT_API. */
int sk_ctl_logs_next(const json_t *doc, uint64_t since, uint64_t *next, unsigned int *count);
/* The records as a table, or one line each (--follow). */
int sk_ctl_view_logs(FILE *out, const json_t *doc, int one_line);
/* One record as a line: "TIME KIND rule IN proto SRC:SPORT -> DST:DPORT len N". */
void sk_ctl_log_line(char *buf, size_t len, const json_t *rec);

/* ctl_cmd_services.c */
/* GET /services: one table of services, one of all their backends. */
int sk_ctl_view_services(FILE *out, const json_t *doc);
/* GET /services/{name}: the service's fields, then its backends. */
int sk_ctl_view_service(FILE *out, const json_t *doc);
/* POST .../backends/{b}: one line, "web/web1: admin drain, weight 1, ...". */
int sk_ctl_view_backend(FILE *out, const json_t *doc);
/* The POST body of `backend S B ACTION [N]`: {"action"} or {"weight"};
 * NULL on ENOMEM or an action that is neither. */
json_t *sk_ctl_backend_body(const struct sk_ctl_args *a);
/* "/services/S" or "/services/S/backends/B" (b NULL), each name percent-
 * encoded.  0 or -ENAMETOOLONG. */
int sk_ctl_services_path(char *buf, size_t len, const char *service, const char *backend);

/* ctl_cmd_ha.c */
/* GET /ha: "key: value" lines (state, unit, peer, generations, ready,
 * maintenance, last transition, sync, link, hook), then the two heartbeat
 * paths as a table; a standalone unit's {"enabled": false} as one line.
 * now_s: the current Unix time (how long ago the last transition was). */
int sk_ctl_view_ha(FILE *out, const json_t *doc, uint64_t now_s);
/* POST /ha/standby|release: "standby: unit 1 is forced-standby (term 8);
 * peer unit 2 is active". */
int sk_ctl_view_ha_action(FILE *out, const json_t *doc, const char *action);

#endif /* SK_CTL_VIEW_H */
