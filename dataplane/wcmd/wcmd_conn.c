/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wcmd_conn.c - the connection commands (wcmd_conn.h) on the worker that
 * owns the table: list, count or kill what matches a filter, walking the
 * table a budget at a time (sk_conn_walk_step) so that the worker goes back
 * to its queues within tens of microseconds even at a million connections.
 *
 * Cost in budget units: a slot visited is 1 (sk_conn_walk_step's budget); a
 * connection copied out or deleted is more, because that is where the time
 * goes (a listed record is ~100 bytes written to shared memory; a delete
 * is an rte_hash removal, and for NAT the release hook and the alias), and
 * draws on a budget of its own of the same size.  A step takes the loop's
 * whole budget, finished or not: the next command waits for the next loop.
 * The figures: perf/bench_walk and docs/dataplane.md.
 */
#include <string.h>

#include "wcmd.h"
#include "conn/conn.h"

#define COST_LIST 4u
#define COST_KILL 32u

enum {
	WALK_YIELD = 1,  /* match budget spent: go on next loop */
	WALK_FULL,       /* the listing's room is used up: finished */
};

struct walk {
	const struct sk_wcmd_ctx *ctx;
	struct sk_wcmd_conn *a;
	uint16_t type;
	uint32_t left;   /* match budget */
};

static int
prefix_match(uint8_t family, const uint8_t *addr, const uint8_t *pfx, uint8_t plen)
{
	unsigned int full = plen / 8, rem = plen % 8;

	if (plen > (family == 4 ? 32 : 128))
		return 0;
	if (memcmp(addr, pfx, full) != 0)
		return 0;
	return rem == 0 || ((addr[full] ^ pfx[full]) & (uint8_t)(0xff << (8 - rem))) == 0;
}

static int
filter_match(const struct sk_shm_filter *f, const struct sk_conn *c, const struct sk_conn_key *k)
{
	if (f->family != 0 && f->family != k->family)
		return 0;
	if (f->proto != 0 && f->proto != k->proto)
		return 0;
	if (f->port != 0 && f->port != k->pa && f->port != k->pb)
		return 0;
	if (f->rule_id != 0 && f->rule_id != c->rule_id)
		return 0;
	if (f->has_src && !prefix_match(k->family, k->a, f->src, f->src_plen) &&
	    !prefix_match(k->family, k->b, f->src, f->src_plen))
		return 0;
	if (f->has_dst && !prefix_match(k->family, k->a, f->dst, f->dst_plen) &&
	    !prefix_match(k->family, k->b, f->dst, f->dst_plen))
		return 0;
	return 1;
}

/* The originator's view of c, as the control plane shows it. */
static void
record(const struct sk_wcmd_ctx *ctx, const struct sk_conn *c, const struct sk_conn_key *k,
       struct sk_shm_conn *o)
{
	int orig_is_a = (c->flags & SK_CONN_F_ORIG_IS_A) != 0;

	memset(o, 0, sizeof(*o));
	o->family = k->family;
	o->proto = k->proto;
	o->state = c->state;
	o->worker = (uint8_t)ctx->worker;
	memcpy(o->src, orig_is_a ? k->a : k->b, 16);
	memcpy(o->dst, orig_is_a ? k->b : k->a, 16);
	o->sport = orig_is_a ? k->pa : k->pb;
	o->dport = orig_is_a ? k->pb : k->pa;
	o->in_iface = c->in_iface;
	o->out_iface = c->out_iface;
	o->rule_id = c->rule_id;
	o->generation = c->gen;
	o->idle_ms = ctx->now_ms - c->last_ms;
	o->timeout_ms = sk_conn_timeout_ms(ctx->conns, c);
	o->pkts[0] = c->pkts[0];
	o->pkts[1] = c->pkts[1];
	o->bytes[0] = c->bytes[0];
	o->bytes[1] = c->bytes[1];
}

static int
walk_cb(const struct sk_conn *c, void *arg)
{
	struct walk *w = arg;
	struct sk_wcmd_conn *a = w->a;
	struct sk_conn_key key;
	uint32_t cost = 0;

	/* The key lives only in the hash table (one copy per connection). */
	if (sk_conn_key_get(w->ctx->conns, c, &key) != 0 || !filter_match(a->filter, c, &key))
		return 0;
	switch (w->type) {
	case SK_WCMD_CONN_LIST:
		if (a->n >= a->cap)
			return WALK_FULL;
		record(w->ctx, c, &key, &a->out[a->n]);
		cost = COST_LIST;
		break;
	case SK_WCMD_CONN_KILL:
		/* The walk visits slots in array order; freeing the visited
		 * slot does not disturb the walk. */
		sk_conn_delete(w->ctx->conns, (struct sk_conn *)(uintptr_t)c);
		cost = COST_KILL;
		break;
	default:
		break;
	}
	a->n++;
	if (cost == 0)
		return 0;
	if (w->left <= cost) {
		w->left = 0;
		return WALK_YIELD;
	}
	w->left -= cost;
	return 0;
}

static enum sk_wcmd_step
conn_step(const struct sk_wcmd_ctx *ctx, struct sk_wcmd *cmd, struct sk_wcmd_conn *a,
	  uint32_t *budget)
{
	struct walk w = { .ctx = ctx, .a = a, .type = cmd->type, .left = *budget };
	int rc;

	rc = sk_conn_walk_step(ctx->conns, &cmd->cursor, *budget, walk_cb, &w);
	*budget = 0;
	if (rc == WALK_FULL || cmd->cursor == SK_CONN_WALK_END)
		return SK_WCMD_STEP_DONE;
	return SK_WCMD_STEP_MORE;
}

enum sk_wcmd_step
sk_wcmd_conn_list_step(const struct sk_wcmd_ctx *ctx, struct sk_wcmd *cmd, uint32_t *budget)
{
	return conn_step(ctx, cmd, &cmd->u.conn_list, budget);
}

enum sk_wcmd_step
sk_wcmd_conn_count_step(const struct sk_wcmd_ctx *ctx, struct sk_wcmd *cmd, uint32_t *budget)
{
	return conn_step(ctx, cmd, &cmd->u.conn_count, budget);
}

enum sk_wcmd_step
sk_wcmd_conn_kill_step(const struct sk_wcmd_ctx *ctx, struct sk_wcmd *cmd, uint32_t *budget)
{
	return conn_step(ctx, cmd, &cmd->u.conn_kill, budget);
}
