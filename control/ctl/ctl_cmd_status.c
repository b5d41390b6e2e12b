/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_cmd_status.c - what the unit is doing: status, zones, rules (with
 * counters) and counters (drops by reason, ports, totals).
 */
#include <stdlib.h>
#include <string.h>

#include "ctl_http.h"
#include "ctl_table.h"
#include "ctl_view.h"
#include "sk_drop.h"

int
sk_ctl_view_status(FILE *out, const json_t *doc)
{
	if (!json_is_object(doc))
		return SK_CTL_EXIT_API;
	sk_ctl_render_object(out, doc, NULL);
	return 0;
}

/* An object of objects ({"outside": {...}}) as an array with "name". */
static json_t *
named_rows(const json_t *obj)
{
	json_t *rows = json_array(), *row;
	const json_t *v;
	const char *k;

	if (json_is_array(obj)) {
		json_array_extend(rows, (json_t *)obj);
		return rows;
	}
	json_object_foreach((json_t *)obj, k, v) {
		if (!json_is_object(v))
			continue;
		row = json_deep_copy(v);
		if (json_object_get(row, "name") == NULL)
			json_object_set_new(row, "name", json_string(k));
		json_array_append_new(rows, row);
	}
	return rows;
}

/* Names of an array of interface objects (or the strings themselves). */
static json_t *
names_of(const json_t *arr)
{
	json_t *names = json_array();
	const json_t *e;
	size_t i;

	json_array_foreach(arr, i, e) {
		const json_t *n = json_is_object(e) ? sk_ctl_json_get(e, "name|iface") : e;

		if (json_is_string(n))
			json_array_append_new(names, json_string(json_string_value(n)));
	}
	return names;
}

int
sk_ctl_view_zones(FILE *out, const json_t *doc)
{
	static const struct sk_ctl_col zcols[] = {
		{ "ZONE", "name|zone", SK_CTL_F_STR },
		{ "ID", "id", SK_CTL_F_NUM },
		{ "INTERFACES", "interfaces|ifaces", SK_CTL_F_STR },
		{ "DEFAULT", "default|default_action", SK_CTL_F_STR },
	};
	static const struct sk_ctl_col icols[] = {
		{ "INTERFACE", "name|iface", SK_CTL_F_STR },
		{ "ZONE", "zone", SK_CTL_F_STR },
		{ "DEVICE", "device|dev", SK_CTL_F_STR },
		{ "PORT", "port|port_id", SK_CTL_F_NUM },
		{ "MAC", "mac", SK_CTL_F_STR },
		{ "MTU", "mtu", SK_CTL_F_NUM },
		{ "LINK", "link|state|up", SK_CTL_F_STR },
		{ "ADDRESSES", "addresses|addrs|address", SK_CTL_F_STR },
	};
	const json_t *zl = json_is_object(doc) ? json_object_get(doc, "zones") : NULL;
	json_t *zcopy, *ifaces, *z;
	size_t i, j;
	int rc;

	/* zones as a list, or as an object keyed by zone name */
	if (json_is_object(zl))
		zcopy = named_rows(zl);
	else
		zcopy = json_deep_copy(sk_ctl_json_list(doc, "zones"));
	ifaces = json_array();
	if (zcopy == NULL || ifaces == NULL) {
		json_decref(zcopy);
		json_decref(ifaces);
		return SK_CTL_EXIT_API;
	}
	/* zones may carry their interfaces as objects: list their names in
	 * the zone table and the objects in a second table */
	json_array_foreach(zcopy, i, z) {
		json_t *its = json_object_get(z, "interfaces"), *it;

		if (!json_is_array(its) || !json_is_object(json_array_get(its, 0)))
			continue;
		json_array_foreach(its, j, it) {
			json_t *c = json_deep_copy(it);

			if (json_object_get(c, "zone") == NULL && json_object_get(z, "name") != NULL)
				json_object_set(c, "zone", json_object_get(z, "name"));
			json_array_append_new(ifaces, c);
		}
		json_object_set_new(z, "interfaces", names_of(its));
	}
	if (json_is_object(doc) && json_is_array(json_object_get(doc, "interfaces")))
		json_array_extend(ifaces, json_object_get(doc, "interfaces"));
	rc = sk_ctl_render_list(out, zcopy, zcols, 4, 0);
	if (rc >= 0 && json_array_size(ifaces) > 0) {
		fputc('\n', out);
		rc = sk_ctl_render_list(out, ifaces, icols, 8, 0);
	}
	json_decref(zcopy);
	json_decref(ifaces);
	return rc < 0 ? SK_CTL_EXIT_API : 0;
}

int
sk_ctl_view_rules(FILE *out, const json_t *doc)
{
	static const struct sk_ctl_col cols[] = {
		{ "ID", "id|rule_id", SK_CTL_F_NUM },
		{ "NAME", "name", SK_CTL_F_STR },
		{ "FROM", "from|from_zone", SK_CTL_F_STR },
		{ "TO", "to|to_zone", SK_CTL_F_STR },
		{ "PROTO", "proto|protocol", SK_CTL_F_STR },
		{ "SRC", "src|source", SK_CTL_F_STR },
		{ "DST", "dst|destination", SK_CTL_F_STR },
		{ "DPORT", "dport|ports|port", SK_CTL_F_STR },
		{ "ACTION", "action", SK_CTL_F_STR },
		{ "LOG", "log", SK_CTL_F_STR },
		{ "PKTS", "pkts|packets|counters.pkts", SK_CTL_F_NUM },
		{ "BYTES", "bytes|counters.bytes", SK_CTL_F_BYTES },
		{ "CONNS", "conns|connections|counters.conns", SK_CTL_F_NUM },
	};
	const json_t *rules = sk_ctl_json_list(doc, "rules");
	int rc;

	if (rules == NULL)
		return SK_CTL_EXIT_API;
	rc = sk_ctl_render_list(out, rules, cols, sizeof(cols) / sizeof(cols[0]), 0);
	if (rc == 0)
		fprintf(out, "no rules\n");
	return rc < 0 ? SK_CTL_EXIT_API : 0;
}

/* ---- counters ---- */

static const char *
drop_desc(const char *name)
{
#define SK_DROP_DESC(e, n, d) { n, d },
	static const struct { const char *name, *desc; } descs[] = { SK_DROP_LIST(SK_DROP_DESC) };
#undef SK_DROP_DESC
	size_t i;

	for (i = 0; i < sizeof(descs) / sizeof(descs[0]); i++)
		if (strcmp(descs[i].name, name) == 0)
			return descs[i].desc;
	return "";
}

struct drop {
	const char *name;
	uint64_t n;
};

/* Non-zero first, largest first; then by name. */
static int
drop_cmp(const void *pa, const void *pb)
{
	const struct drop *a = pa, *b = pb;

	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return strcmp(a->name, b->name);
}

static int
view_drops(FILE *out, const json_t *drops)
{
	struct sk_ctl_table *t;
	struct drop *d;
	const json_t *v;
	const char *k;
	size_t n = 0, i;
	int rc = 0;

	if (json_object_size(drops) == 0)
		return 0;
	d = calloc(json_object_size(drops), sizeof(*d));
	t = sk_ctl_table_new(3);
	if (d == NULL || t == NULL) {
		free(d);
		sk_ctl_table_free(t);
		return -1;
	}
	json_object_foreach((json_t *)drops, k, v) {
		d[n].name = k;
		d[n].n = sk_ctl_json_u64(drops, k, 0);
		n++;
	}
	qsort(d, n, sizeof(*d), drop_cmp);
	sk_ctl_table_col(t, 0, "DROP REASON", 0);
	sk_ctl_table_col(t, 1, "PACKETS", 1);
	sk_ctl_table_col(t, 2, "MEANING", 0);
	for (i = 0; i < n && rc == 0; i++) {
		char num[24];
		const char *cells[3] = { d[i].name, num, drop_desc(d[i].name) };

		snprintf(num, sizeof(num), "%llu", (unsigned long long)d[i].n);
		rc = sk_ctl_table_add(t, cells);
	}
	if (rc == 0)
		sk_ctl_table_print(out, t);
	sk_ctl_table_free(t);
	free(d);
	return rc;
}

int
sk_ctl_view_counters(FILE *out, const json_t *doc)
{
	static const struct sk_ctl_col pcols[] = {
		{ "PORT", "name", SK_CTL_F_STR },
		{ "ID", "port", SK_CTL_F_NUM },
		{ "RX PKTS", "rx_pkts", SK_CTL_F_NUM },
		{ "RX BYTES", "rx_bytes", SK_CTL_F_BYTES },
		{ "TX PKTS", "tx_pkts", SK_CTL_F_NUM },
		{ "TX BYTES", "tx_bytes", SK_CTL_F_BYTES },
		{ "RX MISSED", "rx_missed", SK_CTL_F_NUM },
		{ "TX ERRORS", "tx_errors", SK_CTL_F_NUM },
	};
	const json_t *drops, *local, *conns;
	json_t *ports;
	int rc;

	if (!json_is_object(doc))
		return SK_CTL_EXIT_API;
	fprintf(out, "totals\n");
	sk_ctl_render_object(out, doc, "drops|local|ports|rules|conns");
	conns = json_object_get(doc, "conns");
	if (json_is_object(conns)) {
		fprintf(out, "\nconnections\n");
		sk_ctl_render_object(out, conns, NULL);
	}
	drops = json_object_get(doc, "drops");
	if (json_object_size(drops) > 0) {
		fputc('\n', out);
		if (view_drops(out, drops) != 0)
			return SK_CTL_EXIT_API;
	}
	ports = named_rows(json_object_get(doc, "ports"));
	if (json_array_size(ports) > 0) {
		fputc('\n', out);
		rc = sk_ctl_render_list(out, ports, pcols, 8, 0);
		if (rc < 0) {
			json_decref(ports);
			return SK_CTL_EXIT_API;
		}
	}
	json_decref(ports);
	local = json_object_get(doc, "local");
	if (json_object_size(local) > 0) {
		fprintf(out, "\nlocal (generated or taken by the unit)\n");
		sk_ctl_render_object(out, local, NULL);
	}
	return 0;
}

int
sk_ctl_cmd_status(struct sk_ctl_http *h, const struct sk_ctl_args *a)
{
	struct sk_ctl_resp r;
	const char *path;
	int rc;

	switch (a->cmd) {
	case SK_CTL_CMD_STATUS: path = "/status"; break;
	case SK_CTL_CMD_ZONES: path = "/zones"; break;
	case SK_CTL_CMD_RULES: path = "/rules"; break;
	case SK_CTL_CMD_COUNTERS: path = "/counters"; break;
	default: return SK_CTL_EXIT_USAGE;
	}
	rc = sk_ctl_call(h, "GET", path, "", NULL, NULL, &r);
	if (rc != 0)
		return rc;
	if (a->json) {
		sk_ctl_resp_print_raw(stdout, &r);
	} else {
		switch (a->cmd) {
		case SK_CTL_CMD_STATUS: rc = sk_ctl_view_status(stdout, r.json); break;
		case SK_CTL_CMD_ZONES: rc = sk_ctl_view_zones(stdout, r.json); break;
		case SK_CTL_CMD_RULES: rc = sk_ctl_view_rules(stdout, r.json); break;
		default: rc = sk_ctl_view_counters(stdout, r.json); break;
		}
		if (rc != 0)
			fprintf(stderr, "sekishoctl: %s: unexpected answer from the API\n", path);
	}
	sk_ctl_resp_free(&r);
	return rc;
}
