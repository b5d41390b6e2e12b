/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cfg_dataplane.c - the `dataplane` group: EAL and sizing settings read once
 * at dataplane start (a change needs a restart).  Numeric keys come from one
 * X-macro list, so the table, the defaults and the reference cannot drift.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rte_config.h>

#include "cfg_priv.h"

#define ST(f) offsetof(struct sk_img_settings, f), sizeof(((struct sk_img_settings *)0)->f)

/* key, min, max, default, help */
#define SK_CFG_DP_UINTS(X) \
	X(workers,           1,    64,         1,      "worker lcores (the lcores after the main one)") \
	X(memory_mb,         64,   1048576,    512,    "EAL memory (-m), MiB") \
	X(conn_max,          1024, 67108864,   262144, "connections per worker") \
	X(burst,             1,    64,         32,     "RX burst size") \
	X(rx_desc,           64,   16384,      1024,   "RX descriptors per queue") \
	X(tx_desc,           64,   16384,      1024,   "TX descriptors per queue") \
	X(mbufs,             1024, 16777216,   16384,  "mbuf pool size") \
	X(neigh_max,         16,   1048576,    4096,   "neighbour cache entries") \
	X(frag_max,          1,    1048576,    1024,   "reassembly flows per worker") \
	X(frag_timeout_ms,   100,  60000,      2000,   "reassembly timeout, ms") \
	X(neigh_reachable_s, 1,    86400,      60,     "re-probe a learnt neighbour after, s") \
	X(neigh_retrans_ms,  100,  60000,      1000,   "between ARP/NS probes, ms") \
	X(neigh_probes,      1,    100,        3,      "probes before an entry fails") \
	X(idle_sleep_us,     0,    10000,      0,      "worker nap after 256 empty polls, us; 0 = pure polling") \
	X(halfopen_max,      0,    67108864,   0,      "half-open TCP connections per worker; 0 = no cap (<= conn_max)") \
	X(src_slots,         64,   4194304,    16384,  "sources tracked per worker for per-rule src_* limits") \
	X(synproxy_auto_halfopen, 0, 67108864, 0,     "SYN proxy engages for all accepted TCP while a worker holds this many half-open connections; 0 = off") \
	X(synproxy_auto_syn_rate, 0, 100000000, 0,    "... or sees this many new SYNs per second; 0 = off") \
	X(synproxy_wscale,   0,    14,         7,      "window scale shift the SYN proxy advertises (servers must use the same)")

#define SK_CFG_TMO_MIN 1
#define SK_CFG_TMO_MAX 604800 /* a week */

static void set_lcores(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
		       const struct sk_cfg_key *k);
static void set_prefix(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
		       const struct sk_cfg_key *k);
static void set_timeouts(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
			 const struct sk_cfg_key *k);
static void set_health_tap(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
			   const struct sk_cfg_key *k);

#define DP_KEY(n, lo, hi, d, h) \
	{ #n, SK_CFG_T_INT, SK_CFG_F_RESTART, lo, hi, ST(n), sk_cfg_set_uint, #d, h },

const struct sk_cfg_key sk_cfg_keys_dataplane[] = {
	{ "lcores", SK_CFG_T_STR, SK_CFG_F_RESTART, 0, 0, ST(lcores), set_lcores, "\"0-1\"",
	  "EAL core list; the first is the main lcore" },
	{ "hugepages", SK_CFG_T_BOOL, SK_CFG_F_RESTART, 0, 0, ST(hugepages), sk_cfg_set_bool,
	  "true", "false runs EAL with --no-huge" },
	{ "file_prefix", SK_CFG_T_STR, SK_CFG_F_RESTART, 0, 0, ST(file_prefix), set_prefix,
	  "\"sekisho\"", "EAL --file-prefix; the control plane attaches with the same" },
	{ "health_tap", SK_CFG_T_STR, SK_CFG_F_RESTART, 0, 0, ST(health_tap), set_health_tap,
	  "\"skhc0\"", "kernel interface of the health-check tap; \"\" = none (docs/health.md)" },
	{ "tcp_loose", SK_CFG_T_BOOL, SK_CFG_F_RESTART, 0, 0, ST(tcp_loose), sk_cfg_set_bool,
	  "false", "pick up mid-stream TCP when policy accepts it" },
	SK_CFG_DP_UINTS(DP_KEY)
	{ "timeouts", SK_CFG_T_GROUP, SK_CFG_F_RESTART, 0, 0, 0, 0, set_timeouts, NULL,
	  "idle timeouts in seconds, see dataplane.timeouts" },
};
const size_t sk_cfg_nkeys_dataplane = sizeof(sk_cfg_keys_dataplane) / sizeof(sk_cfg_keys_dataplane[0]);

#define TMO_KEY(e, k, d) \
	{ #k, SK_CFG_T_INT, SK_CFG_F_RESTART, SK_CFG_TMO_MIN, SK_CFG_TMO_MAX, \
	  offsetof(struct sk_img_settings, timeouts) + SK_TMO_##e * sizeof(uint32_t), \
	  sizeof(uint32_t), sk_cfg_set_uint, #d, "idle timeout, s" },

const struct sk_cfg_key sk_cfg_keys_timeouts[] = {
	SK_TIMEOUT_LIST(TMO_KEY)
};
const size_t sk_cfg_nkeys_timeouts = sizeof(sk_cfg_keys_timeouts) / sizeof(sk_cfg_keys_timeouts[0]);

static void
set_timeouts(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
	     const struct sk_cfg_key *k)
{
	char saved[sizeof(c->where)];

	(void)k;
	memcpy(saved, c->where, sizeof(saved));
	snprintf(c->where, sizeof(c->where), "dataplane.timeouts");
	sk_cfg_walk(c, s, sk_cfg_keys_timeouts, sk_cfg_nkeys_timeouts, obj, NULL);
	memcpy(c->where, saved, sizeof(saved));
}

/*
 * One set of an EAL core list: "3", "0-3" or, bracketed, "(0-2,5)".  Marks
 * its members in used (when not NULL) and counts the new ones; returns the
 * text after the set, or NULL if malformed.
 */
static const char *
lcore_set(const char *s, uint8_t *used, int *count)
{
	int paren = *s == '(';

	if (paren)
		s++;
	for (;;) {
		unsigned long lo, hi;
		char *end;

		if (*s < '0' || *s > '9')
			return NULL;
		lo = strtoul(s, &end, 10);
		hi = lo;
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				return NULL;
			hi = strtoul(end + 1, &end, 10);
		}
		if (lo > hi || hi >= RTE_MAX_LCORE)
			return NULL;
		for (; used != NULL && lo <= hi; lo++)
			if (!used[lo]++)
				(*count)++;
		s = end;
		if (!paren || *s != ',')
			break;
		s++;
	}
	if (paren && *s++ != ')')
		return NULL;
	return s;
}

/*
 * Count the lcores of an EAL list: "0-3", "0,2,4-5" (-l), or with CPU
 * sets, "0-1,2@1" or "(0-2)@(0-1)" (--lcores: lcore ids before '@');
 * -1 if malformed.
 */
static int
lcore_count(const char *s)
{
	uint8_t used[RTE_MAX_LCORE] = { 0 };
	int count = 0;

	while (*s != '\0') {
		const char *end = lcore_set(s, used, &count);

		if (end != NULL && *end == '@')
			end = lcore_set(end + 1, NULL, NULL);
		if (end == NULL)
			return -1;
		if (*end == ',' && end[1] != '\0')
			end++;
		else if (*end != '\0')
			return -1;
		s = end;
	}
	return count;
}

static void
set_lcores(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
	   const struct sk_cfg_key *k)
{
	const char *v = config_setting_get_string(s);

	if (lcore_count(v) <= 0) {
		sk_cfg_err(c, s, "dataplane: lcores \"%s\" is not a core list like \"0-3\" or "
			   "\"0,2,4\" (cores below %d)", v, RTE_MAX_LCORE);
		return;
	}
	sk_cfg_set_str(c, s, obj, k);
}

static void
set_prefix(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
	   const struct sk_cfg_key *k)
{
	const char *v = config_setting_get_string(s);

	if (v[0] == '\0' || strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789_-") != strlen(v)) {
		sk_cfg_err(c, s, "dataplane: file_prefix \"%s\" must be letters, digits, '_' "
			   "or '-'", v);
		return;
	}
	sk_cfg_set_str(c, s, obj, k);
}

/* A Linux interface name (IFNAMSIZ - 1 characters) that also fits in DPDK
 * devargs ("iface=<name>"): no ',', '=', '/', ':' or spaces.  "" = no tap. */
static void
set_health_tap(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
	       const struct sk_cfg_key *k)
{
	const char *v = config_setting_get_string(s);

	if (strlen(v) > 15 || strcmp(v, ".") == 0 || strcmp(v, "..") == 0 ||
	    strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		   "0123456789_-.") != strlen(v)) {
		sk_cfg_err(c, s, "dataplane: health_tap \"%s\" must be an interface name: at "
			   "most 15 letters, digits, '_', '-' or '.' (or \"\" for none)", v);
		return;
	}
	sk_cfg_set_str(c, s, obj, k);
}

static void
defaults(struct sk_img_settings *st)
{
	memset(st, 0, sizeof(*st));
	strcpy(st->lcores, "0-1");
	strcpy(st->file_prefix, "sekisho");
	strcpy(st->health_tap, "skhc0");
	st->hugepages = 1;
	st->tcp_loose = 0;
	st->default_action = SK_ACT_DROP;
#define DP_DEF(n, lo, hi, d, h) st->n = d;
	SK_CFG_DP_UINTS(DP_DEF)
#undef DP_DEF
#define TMO_DEF(e, k, d) st->timeouts[SK_TMO_##e] = d;
	SK_TIMEOUT_LIST(TMO_DEF)
#undef TMO_DEF
}

void
sk_cfg_parse_dataplane(struct sk_cfg_ctx *c, const config_setting_t *g)
{
	const config_setting_t *found[SK_CFG_MAX_KEYS];
	struct sk_img_settings *st = &c->cfg->settings;
	int n;

	defaults(st);
	if (g == NULL)
		return;
	snprintf(c->where, sizeof(c->where), "dataplane");
	sk_cfg_walk(c, g, sk_cfg_keys_dataplane, sk_cfg_nkeys_dataplane, st, found);
	/* The main lcore polls nothing: every worker needs a core of its own. */
	n = lcore_count(st->lcores);
	if (n > 0 && st->workers + 1 > (uint32_t)n)
		sk_cfg_err(c, config_setting_get_member(g, "workers") ?
			   config_setting_get_member(g, "workers") : found[0] ? found[0] : g,
			   "dataplane: workers = %u needs %u lcores (main + workers), "
			   "lcores \"%s\" has %d", st->workers, st->workers + 1, st->lcores, n);
	if (st->halfopen_max > st->conn_max)
		sk_cfg_err(c, config_setting_get_member(g, "halfopen_max"),
			   "dataplane: halfopen_max = %u is above conn_max = %u", st->halfopen_max,
			   st->conn_max);
}
