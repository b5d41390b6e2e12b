/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wcmd_conn.h - the connection commands of the worker command ring
 * (wcmd.h): list, count and kill the connections of one worker's table that
 * match a filter, a budget of slots at a time (wcmd_conn.c).
 */
#ifndef SK_WCMD_CONN_H
#define SK_WCMD_CONN_H

#include <stdint.h>
#include "sk_shm.h"
#include "wcmd_types.h"

/* Payload of CONN_LIST, CONN_COUNT and CONN_KILL: one worker's share of a request. */
struct sk_wcmd_conn {
	const struct sk_shm_filter *filter; /* main's; read-only to the worker */
	struct sk_shm_conn *out;            /* CONN_LIST: where this worker's records go */
	uint32_t cap;                       /* CONN_LIST: records that fit at out */
	uint64_t n;                         /* result: connections listed, counted or killed */
};

/* Step functions (wcmd.h, "Adding a command"). */
enum sk_wcmd_step sk_wcmd_conn_list_step(const struct sk_wcmd_ctx *ctx, struct sk_wcmd *cmd,
					 uint32_t *budget);
enum sk_wcmd_step sk_wcmd_conn_count_step(const struct sk_wcmd_ctx *ctx, struct sk_wcmd *cmd,
					  uint32_t *budget);
enum sk_wcmd_step sk_wcmd_conn_kill_step(const struct sk_wcmd_ctx *ctx, struct sk_wcmd *cmd,
					 uint32_t *budget);

#endif /* SK_WCMD_CONN_H */
