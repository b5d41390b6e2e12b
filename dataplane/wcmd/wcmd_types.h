/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wcmd_types.h - what a worker command's step function sees (wcmd.h): the
 * worker's context and the answer "finished" or "more next loop".  Types
 * only, so that a payload header (wcmd_conn.h, ...) need not include the
 * ring's.
 */
#ifndef SK_WCMD_TYPES_H
#define SK_WCMD_TYPES_H

#include <stdint.h>

struct sk_conn_table;
struct sk_wcmd;

/* The worker a step runs on: what it may touch (its own tables only). */
struct sk_wcmd_ctx {
	struct sk_conn_table *conns;
	uint32_t now_ms;
	uint16_t worker;
};

/* A step function's verdict; the command's own result is sk_wcmd.rc. */
enum sk_wcmd_step {
	SK_WCMD_STEP_DONE,  /* finished: the main lcore may read the results */
	SK_WCMD_STEP_MORE,  /* budget spent: go on from cmd->cursor next loop */
};

/*
 * A command type's step function, run on the owning worker between bursts:
 * does at most *budget units of work (a slot visited, a record applied),
 * subtracts what it did, and keeps its place in cmd->cursor (0 at the first
 * step).  MORE only with the budget spent, so one command cannot spin.
 */
typedef enum sk_wcmd_step (*sk_wcmd_step_fn)(const struct sk_wcmd_ctx *ctx, struct sk_wcmd *cmd,
					      uint32_t *budget);

#endif /* SK_WCMD_TYPES_H */
