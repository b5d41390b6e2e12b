/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats_report.c - counters out to operators: telemetry and the stats file.
 * Runs on the telemetry thread or the main lcore, never on a worker; it
 * only reads per-lcore counters (sums may be a few packets stale).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include "stats_report.h"
#include "stats.h"
#include "worker/dp.h"
#include "conn/conn.h"
#include "neigh/neigh.h"
#include "ha/ha_dp.h"

/* The HA block's counters as reported (only when HA is enabled, so a
 * standalone unit's output is unchanged). */
#define HA_CTR_LIST(X) \
	X(unit) X(term) X(applied_seq) X(role_changes) X(fenced) X(garp_sent) \
	X(hb_tx) X(hb_rx) X(hb_bad_mac) X(hb_replay) X(hb_malformed) X(hb_tx_fail) \
	X(peer_rx_ms) X(now_ms) X(peer_unit) X(peer_term) X(peer_generation)

struct conn_totals {
	uint64_t active, capacity, created, expired, deleted, invalid;
	uint64_t halfopen, evicted;  /* half-open now; evicted early (conn.h) */
};

static void
conn_totals(struct conn_totals *t)
{
	struct sk_conn_stats cs;
	unsigned int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < sk_dp.n_workers; i++) {
		if (sk_dp.workers[i].conns == NULL)
			continue;
		sk_conn_stats_get(sk_dp.workers[i].conns, &cs);
		t->active += cs.active;
		t->created += cs.created;
		t->expired += cs.expired;
		t->deleted += cs.deleted;
		t->invalid += cs.invalid;
		t->halfopen += cs.halfopen;
		t->evicted += cs.evicted;
		t->capacity += sk_conn_capacity(sk_dp.workers[i].conns);
	}
}

static void
rule_totals(const struct sk_gen *g, uint32_t r, uint64_t *pkts, uint64_t *bytes)
{
	unsigned int s;

	*pkts = *bytes = 0;
	for (s = 0; s < g->ctr_slots; s++) {
		*pkts += g->rule_ctr[s * g->n_rules + r].pkts;
		*bytes += g->rule_ctr[s * g->n_rules + r].bytes;
	}
}

/* ---- telemetry ---- */

static int
tel_stats(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	struct sk_stats_sum sum;
	struct conn_totals ct;
	struct rte_tel_data *drops, *local, *ports, *conns;
	const struct sk_gen *g = sk_dp_gen();
	char key[RTE_TEL_MAX_STRING_LEN];
	unsigned int i;

	sk_stats_sum(sk_dp.stats, sk_dp.n_workers + 1u, &sum);
	conn_totals(&ct);
	drops = rte_tel_data_alloc();
	local = rte_tel_data_alloc();
	ports = rte_tel_data_alloc();
	conns = rte_tel_data_alloc();
	if (drops == NULL || local == NULL || ports == NULL || conns == NULL) {
		rte_tel_data_free(drops);
		rte_tel_data_free(local);
		rte_tel_data_free(ports);
		rte_tel_data_free(conns);
		return -ENOMEM;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_start_dict(drops);
	for (i = SK_DROP__FIRST; i < SK_DROP__MAX; i++)
		rte_tel_data_add_dict_u64(drops, sk_drop_names[i], sum.drops[i]);
	rte_tel_data_start_dict(local);
	for (i = 0; i < SK_LOCAL__MAX; i++)
		rte_tel_data_add_dict_u64(local, sk_local_names[i], sum.local[i]);
	rte_tel_data_start_dict(ports);
	for (i = 0; g != NULL && i < g->n_ifaces; i++) {
		struct rte_eth_stats es;

		if (rte_eth_stats_get(g->ifaces[i].port_id, &es) != 0)
			continue;
#define PORT_CTR(field, val) do { \
		snprintf(key, sizeof(key), "%u/%s", i, field); \
		rte_tel_data_add_dict_u64(ports, key, val); \
	} while (0)
		snprintf(key, sizeof(key), "%u/name", i);
		rte_tel_data_add_dict_string(ports, key, g->ifaces[i].name);
		PORT_CTR("port", g->ifaces[i].port_id);
		PORT_CTR("rx_pkts", es.ipackets);
		PORT_CTR("rx_bytes", es.ibytes);
		PORT_CTR("tx_pkts", es.opackets);
		PORT_CTR("tx_bytes", es.obytes);
		PORT_CTR("rx_missed", es.imissed);
		PORT_CTR("tx_errors", es.oerrors);
#undef PORT_CTR
	}
	rte_tel_data_start_dict(conns);
	rte_tel_data_add_dict_u64(conns, "active", ct.active);
	rte_tel_data_add_dict_u64(conns, "capacity", ct.capacity);
	rte_tel_data_add_dict_u64(conns, "refused", sum.drops[SK_DROP_CONN_TABLE_FULL]);
	rte_tel_data_add_dict_u64(conns, "created", ct.created);
	rte_tel_data_add_dict_u64(conns, "expired", ct.expired);
	rte_tel_data_add_dict_u64(conns, "deleted", ct.deleted);
	rte_tel_data_add_dict_u64(conns, "halfopen", ct.halfopen);
	rte_tel_data_add_dict_u64(conns, "evicted", ct.evicted);

	rte_tel_data_add_dict_u64(d, "generation", g != NULL ? g->id : 0);
#define SK_COUNTER_TEL(f, metric, help) rte_tel_data_add_dict_u64(d, #f, sum.f);
	SK_COUNTER_LIST(SK_COUNTER_TEL)
#undef SK_COUNTER_TEL
	rte_tel_data_add_dict_u64(d, "neigh_entries", sk_dp.neigh ? sk_neigh_count(sk_dp.neigh) : 0);
	rte_tel_data_add_dict_container(d, "drops", drops, 0);
	rte_tel_data_add_dict_container(d, "local", local, 0);
	rte_tel_data_add_dict_container(d, "ports", ports, 0);
	rte_tel_data_add_dict_container(d, "conns", conns, 0);
	if (sk_dp.ctl != NULL && sk_dp.ctl->ha.enabled) {
		const struct sk_shm_ha *h = &sk_dp.ctl->ha;
		struct rte_tel_data *ha = rte_tel_data_alloc();

		if (ha == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(ha);
		rte_tel_data_add_dict_string(ha, "role", sk_ha_role_name(h->role));
		rte_tel_data_add_dict_string(ha, "peer_role", sk_ha_role_name(h->peer_role));
#define HA_TEL(f) rte_tel_data_add_dict_u64(ha, #f, h->f);
		HA_CTR_LIST(HA_TEL)
#undef HA_TEL
		rte_tel_data_add_dict_u64(ha, "hb_cycles", sk_ha_hb_cycles());
		rte_tel_data_add_dict_container(d, "ha", ha, 0);
	}
	return 0;
}

/* /sekisho/rules[,FIRST]: up to 60 rules from index FIRST (telemetry caps a
 * dict at 256 entries; keys may hold only [A-Za-z0-9_/], so entries are keyed
 * by rule index and carry the exact name as a string value). */
static int
tel_rules(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	const struct sk_gen *g = sk_dp_gen();
	char key[RTE_TEL_MAX_STRING_LEN];
	uint32_t first = 0, r;
	uint64_t pkts, bytes;

	if (params != NULL && *params != '\0')
		first = (uint32_t)strtoul(params, NULL, 10);
	rte_tel_data_start_dict(d);
	if (g == NULL)
		return 0;
	rte_tel_data_add_dict_u64(d, "count", g->n_rules);
	for (r = first; r < g->n_rules && r < first + 60; r++) {
		rule_totals(g, r, &pkts, &bytes);
		snprintf(key, sizeof(key), "%u/name", r);
		rte_tel_data_add_dict_string(d, key, g->rules[r].name);
		snprintf(key, sizeof(key), "%u/id", r);
		rte_tel_data_add_dict_u64(d, key, g->rules[r].id);
		snprintf(key, sizeof(key), "%u/pkts", r);
		rte_tel_data_add_dict_u64(d, key, pkts);
		snprintf(key, sizeof(key), "%u/bytes", r);
		rte_tel_data_add_dict_u64(d, key, bytes);
	}
	return 0;
}

int
sk_stats_telemetry_register(void)
{
	int rc = rte_telemetry_register_cmd("/sekisho/stats", tel_stats,
		"Sekisho counters: forwarded, consumed, drops, local, ports, conns");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/sekisho/rules", tel_rules,
			"Per-rule packets/bytes. Parameters: int first rule index");
	return rc;
}

/* ---- stats file ---- */

json_t *
sk_stats_json(void)
{
	struct sk_stats_sum sum;
	struct conn_totals ct;
	const struct sk_gen *g = sk_dp_gen();
	json_t *root = json_object(), *o;
	unsigned int i;

	sk_stats_sum(sk_dp.stats, sk_dp.n_workers + 1u, &sum);
	conn_totals(&ct);
	json_object_set_new(root, "generation", json_integer(g != NULL ? (json_int_t)g->id : 0));
#define SK_COUNTER_JSON(f, metric, help) \
	json_object_set_new(root, #f, json_integer((json_int_t)sum.f));
	SK_COUNTER_LIST(SK_COUNTER_JSON)
#undef SK_COUNTER_JSON

	o = json_object();
	for (i = SK_DROP__FIRST; i < SK_DROP__MAX; i++)
		json_object_set_new(o, sk_drop_names[i], json_integer((json_int_t)sum.drops[i]));
	json_object_set_new(root, "drops", o);
	o = json_object();
	for (i = 0; i < SK_LOCAL__MAX; i++)
		json_object_set_new(o, sk_local_names[i], json_integer((json_int_t)sum.local[i]));
	json_object_set_new(root, "local", o);

	o = json_object();
	for (i = 0; g != NULL && i < g->n_ifaces; i++) {
		struct rte_eth_stats es;

		if (rte_eth_stats_get(g->ifaces[i].port_id, &es) != 0)
			continue;
		json_object_set_new(o, g->ifaces[i].name, json_pack("{s:i,s:I,s:I,s:I,s:I,s:I,s:I}",
			"port", (int)g->ifaces[i].port_id,
			"rx_pkts", (json_int_t)es.ipackets, "rx_bytes", (json_int_t)es.ibytes,
			"tx_pkts", (json_int_t)es.opackets, "tx_bytes", (json_int_t)es.obytes,
			"rx_missed", (json_int_t)es.imissed, "tx_errors", (json_int_t)es.oerrors));
	}
	json_object_set_new(root, "ports", o);

	o = json_object();
	for (i = 0; g != NULL && i < g->n_rules; i++) {
		uint64_t pkts, bytes;

		rule_totals(g, i, &pkts, &bytes);
		json_object_set_new(o, g->rules[i].name, json_pack("{s:i,s:I,s:I}",
			"id", (int)g->rules[i].id, "pkts", (json_int_t)pkts, "bytes", (json_int_t)bytes));
	}
	json_object_set_new(root, "rules", o);
	json_object_set_new(root, "conns", json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
		"active", (json_int_t)ct.active, "capacity", (json_int_t)ct.capacity,
		"refused", (json_int_t)sum.drops[SK_DROP_CONN_TABLE_FULL],
		"created", (json_int_t)ct.created, "expired", (json_int_t)ct.expired,
		"deleted", (json_int_t)ct.deleted, "halfopen", (json_int_t)ct.halfopen,
		"evicted", (json_int_t)ct.evicted));
	if (sk_dp.ctl != NULL && sk_dp.ctl->ha.enabled) {
		const struct sk_shm_ha *h = &sk_dp.ctl->ha;

		o = json_object();
		json_object_set_new(o, "role", json_string(sk_ha_role_name(h->role)));
		json_object_set_new(o, "peer_role", json_string(sk_ha_role_name(h->peer_role)));
#define HA_JSON(f) json_object_set_new(o, #f, json_integer((json_int_t)h->f));
		HA_CTR_LIST(HA_JSON)
#undef HA_JSON
		json_object_set_new(o, "hb_cycles", json_integer((json_int_t)sk_ha_hb_cycles()));
		json_object_set_new(root, "ha", o);
	}
	return root;
}

int
sk_stats_write_file(const char *path)
{
	char tmp[4096];
	json_t *root;
	int rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	root = sk_stats_json();
	rc = json_dump_file(root, tmp, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(root);
	if (rc != 0)
		return -EIO;
	if (rename(tmp, path) != 0)
		return -errno;
	return 0;
}
