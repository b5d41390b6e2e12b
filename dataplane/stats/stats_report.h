/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats_report.h - the dataplane's counters as JSON: DPDK telemetry
 * commands while running (/sekisho/stats, /sekisho/rules) and a stats file
 * written at exit.  Keys are "INDEX/field" with names as string values
 * (telemetry's key alphabet is [A-Za-z0-9_/]); scripts/lib/telemetry.py
 * rebuilds the nested form.
 */
#ifndef SK_STATS_REPORT_H
#define SK_STATS_REPORT_H

/* Register the telemetry commands. 0 or -errno. */
int sk_stats_telemetry_register(void);

#include <jansson.h>

/* All counters as one JSON document (new reference; main lcore or telemetry). */
json_t *sk_stats_json(void);

/* Write all counters as one JSON document (atomically: temp + rename). */
int sk_stats_write_file(const char *path);

#endif /* SK_STATS_REPORT_H */
