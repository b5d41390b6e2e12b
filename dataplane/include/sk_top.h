/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sk_top.h - attack visibility shared by sekisho-dp and sekisho-cp: each
 * worker's heavy hitters (space-saving summaries of SK_TOP_K sources) by
 * denied packets and by new connections, for the current and the previous
 * minute, and its drops per reason over the same two minutes.  A memzone
 * named SK_SHM_TOP_NAME (docs/security.md "Attack visibility").
 *
 * Each worker keeps its working summaries private (limit/top.h) and copies
 * them here once a second under a sequence count: seq is odd while the copy
 * is written; a reader copies the block and keeps it only if seq was even
 * and unchanged around its copy.  sekisho-cp merges the workers' summaries
 * (control/api/top_api.c).  No per-packet write touches this memory.
 */
#ifndef SK_TOP_H
#define SK_TOP_H

#include <stdint.h>

#include "sk_drop.h"

#define SK_SHM_TOP_NAME "sk_top"
#define SK_TOP_MAGIC    0x504f544bu /* "KTOP" */
#define SK_TOP_K        64          /* entries per summary */
#define SK_TOP_WORKERS  64          /* = SK_MAX_WORKERS */
#define SK_TOP_NET      2           /* SK_TOP_x + SK_TOP_NET = the same by network */
/* The network of a source: /16 (IPv4) and /32 (IPv6), not /24 and /48.  A
 * space-saving summary of 64 keys keeps a key only above 1/64 of the
 * events; a flood of random sources in a /16 spreads over 256 /24s, none
 * of which rises above the noise a random-source flood from all of IPv4
 * makes (seen in the lab), while the /16 itself does. */
#define SK_TOP_NET4_PLEN 16
#define SK_TOP_NET6_PLEN 32

enum sk_top_kind {
	SK_TOP_DENIED = 0,  /* packets dropped by policy or a limit (sk_top_denied()) */
	SK_TOP_NEW = 1,     /* new connections policy accepted (admitted or refused by a limit) */
	/* The same events by the source's network (/16 IPv4, /32 IPv6): a flood
	 * from many addresses of one network has no heavy source, but a heavy
	 * network.  Always kind + SK_TOP_NET. */
	SK_TOP_DENIED_NET = 2,
	SK_TOP_NEW_NET = 3,
	SK_TOP__KINDS
};

/* One monitored source of a space-saving summary: its count overestimates
 * the true one by at most err. */
struct sk_top_entry {
	uint8_t addr[16];    /* network order; IPv4 in the first 4 bytes */
	uint8_t family;      /* 4 or 6 */
	uint8_t pad[3];
	uint32_t err;
	uint64_t count;
};

struct sk_top_summary {
	uint32_t n;          /* entries in use, <= SK_TOP_K */
	uint32_t pad;
	uint64_t total;      /* every event counted, monitored or not */
	struct sk_top_entry e[SK_TOP_K];
};

struct sk_top_worker {
	uint32_t seq;        /* odd while the worker writes the block */
	uint32_t cur_ms;     /* ms the current minute has run (at the copy) */
	uint32_t prev_valid; /* 1 once a whole minute has been kept in prev */
	uint32_t pad;
	struct sk_top_summary cur[SK_TOP__KINDS], prev[SK_TOP__KINDS];
	uint64_t drops_cur[SK_DROP__MAX], drops_prev[SK_DROP__MAX];
};

struct sk_shm_top {
	uint32_t magic;      /* SK_TOP_MAGIC once set up */
	uint32_t n_workers;
	struct sk_top_worker w[SK_TOP_WORKERS];
};

/* Drop reasons whose packets count as "denied" for the heavy hitters:
 * what policy or a limit refused, not malformed or unroutable traffic
 * (whose source may be anything). */
static inline int
sk_top_denied(unsigned int reason)
{
	switch (reason) {
	case SK_DROP_POLICY_RULE:
	case SK_DROP_POLICY_REJECT:
	case SK_DROP_POLICY_DEFAULT:
	case SK_DROP_TCP_OUT_OF_STATE:
	case SK_DROP_CONN_TABLE_FULL:
	case SK_DROP_HALFOPEN_LIMIT:
	case SK_DROP_SRC_RATE_LIMIT:
	case SK_DROP_SRC_CONN_LIMIT:
	case SK_DROP_SYNPROXY_BAD_COOKIE: /* an ACK flood against the proxy, like out-of-state */
		return 1;
	default:
		return 0;
	}
}

#endif /* SK_TOP_H */
