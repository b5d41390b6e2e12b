/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wcmd.h - the worker command ring: how the main lcore asks a worker to do
 * something to state only that worker may touch (its connection table),
 * after glb-director's control ring.
 *
 * One SP/SC rte_ring per worker carries pointers to typed commands
 * (struct sk_wcmd) from the main lcore to the worker.  The worker takes them
 * between bursts and runs each one a budget of work per loop, keeping its
 * place in cmd->cursor, so that a walk of a million connections never
 * stalls it for milliseconds; when a command is finished it stores
 * cmd->done (release).  The main lcore polls sk_wcmd_done() and never waits.
 *
 * Who owns what: the command's memory is the poster's (the main lcore)
 * from sk_wcmd_post() until sk_wcmd_done() is true; meanwhile the worker
 * alone writes rc, cursor and the payload's results.  Commands are done in
 * the order posted.  A worker that stops (quit) leaves queued commands
 * undone: the poster must not wait for them at exit.
 *
 * Adding a command (connection sync apply, bulk export, ...): a line in
 * SK_WCMD_LIST, a payload type, and its step function
 * sk_wcmd_<name>_step() (wcmd_types.h) in a file of its own concern.  The
 * ring, the dispatch table, the payload union and the names follow from
 * the list; nothing else here changes.
 */
#ifndef SK_WCMD_H
#define SK_WCMD_H

#include <stdint.h>
#include <rte_ring.h>

#include "wcmd_types.h"
#include "wcmd_conn.h"

/* X(ENUM, name, payload type): every command a worker takes. */
#define SK_WCMD_LIST(X) \
	X(CONN_LIST,  conn_list,  struct sk_wcmd_conn) /* copy matching connections out */ \
	X(CONN_COUNT, conn_count, struct sk_wcmd_conn) /* count matching connections */ \
	X(CONN_KILL,  conn_kill,  struct sk_wcmd_conn) /* delete matching connections */

enum sk_wcmd_type {
#define SK_WCMD_ENUM(e, n, t) SK_WCMD_##e,
	SK_WCMD_LIST(SK_WCMD_ENUM)
#undef SK_WCMD_ENUM
	SK_WCMD__MAX
};

/* "conn_list", ... indexed by enum sk_wcmd_type. */
extern const char *const sk_wcmd_names[SK_WCMD__MAX];

struct sk_wcmd {
	uint16_t type;      /* enum sk_wcmd_type: the poster's */
	uint32_t done;      /* 0 at post; the worker stores 1 (release) when finished */
	int32_t rc;         /* the worker's: 0 or -errno, valid once done */
	uint32_t cursor;    /* the worker's place between loops (0 at post) */
	union {
#define SK_WCMD_PAYLOAD(e, n, t) t n;
		SK_WCMD_LIST(SK_WCMD_PAYLOAD)
#undef SK_WCMD_PAYLOAD
	} u;
};

/* One worker's end of the ring; lives in struct sk_worker. */
struct sk_wcmd_port {
	struct rte_ring *ring;  /* main -> worker: struct sk_wcmd * (SP/SC) */
	struct sk_wcmd *cur;    /* the worker's command in progress (NULL: none) */
};

/* Work units a worker spends on commands per loop (a slot visited = 1). */
#define SK_WCMD_BUDGET 512u

/* Start-up, before the worker runs: the ring for worker `worker`.  0 or -errno. */
int sk_wcmd_port_init(struct sk_wcmd_port *p, uint16_t worker, int socket)
	__attribute__((warn_unused_result));
/* After the worker has stopped; undone commands are dropped (the poster's memory). */
void sk_wcmd_port_fini(struct sk_wcmd_port *p);

/*
 * Main lcore (the only producer): hand cmd (type and payload filled) to the
 * worker.  0, or -ENOBUFS when the ring is full (post it again later).
 */
int sk_wcmd_post(struct sk_wcmd_port *p, struct sk_wcmd *cmd) __attribute__((warn_unused_result));

/* Main lcore: has the worker finished cmd?  Its rc and results are readable then. */
static inline int
sk_wcmd_done(const struct sk_wcmd *cmd)
{
	return __atomic_load_n(&cmd->done, __ATOMIC_ACQUIRE) != 0;
}

/* Worker, every loop: anything to do?  One load of the ring's producer side when idle. */
static inline int
sk_wcmd_pending(const struct sk_wcmd_port *p)
{
	return p->cur != NULL || !rte_ring_empty(p->ring);
}

/*
 * Worker, between bursts: go on with the command in progress and take the
 * next ones, up to `budget` units of work.  Returns the units spent.
 */
uint32_t sk_wcmd_poll(struct sk_wcmd_port *p, const struct sk_wcmd_ctx *ctx, uint32_t budget);

#endif /* SK_WCMD_H */
