/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rest_metrics.c - the counters document (the dataplane's stats-file
 * shape) as Prometheus text exposition, format 0.0.4.  Pure: JSON in,
 * text out, so it is tested without a dataplane.
 *
 * Naming follows Prometheus practice: monotonic counters end in _total,
 * levels (active connections, table capacity, generation) are gauges with
 * no suffix; one family per quantity, the instance in labels (reason,
 * interface, rule).  Drop reason descriptions come from SK_DROP_LIST, the
 * same list that names the counters, and are exported both as comments
 * next to each sample and as sekisho_drop_reason_info{reason,description}.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest_priv.h"
#include "sk_counters.h"
#include "sk_drop.h"

struct scalar {
	const char *key, *metric, *type, *help;
};

static const struct scalar top_scalars[] = {
	{ "generation", "sekisho_generation", "gauge",
	  "Config generation the dataplane is running." },
	/* The per-lcore counters (sk_counters.h); metric NULL: not exported. */
#define SK_COUNTER_SCALAR(f, m, h) { #f, m, "counter", h },
	SK_COUNTER_LIST(SK_COUNTER_SCALAR)
#undef SK_COUNTER_SCALAR
	{ "neigh_entries", "sekisho_neighbor_entries", "gauge",
	  "Entries in the neighbour (ARP/ND) cache." },
};

static const struct scalar port_fields[] = {
	{ "rx_pkts", "sekisho_port_rx_packets_total", "counter", "Packets received by the port." },
	{ "rx_bytes", "sekisho_port_rx_bytes_total", "counter", "Bytes received by the port." },
	{ "tx_pkts", "sekisho_port_tx_packets_total", "counter", "Packets sent by the port." },
	{ "tx_bytes", "sekisho_port_tx_bytes_total", "counter", "Bytes sent by the port." },
	{ "rx_missed", "sekisho_port_rx_missed_packets_total", "counter",
	  "Packets the NIC dropped because no RX descriptor was free." },
	{ "tx_errors", "sekisho_port_tx_errors_total", "counter", "Packets the port failed to send." },
};

static const struct scalar conn_counters[] = {
	{ "created", "sekisho_connections_created_total", "counter", "Connections created." },
	{ "expired", "sekisho_connections_expired_total", "counter",
	  "Connections removed by their idle timeout." },
	{ "deleted", "sekisho_connections_deleted_total", "counter",
	  "Connections removed by a close or an operator kill." },
	{ "refused", "sekisho_connections_refused_total", "counter",
	  "New connections refused because the table was full." },
	{ "invalid", "sekisho_connections_invalid_total", "counter",
	  "Packets invalid for their connection's state." },
	{ "halfopen", "sekisho_connections_halfopen", "gauge",
	  "Half-open (embryonic) TCP connections now, all workers." },
	{ "evicted", "sekisho_connections_evicted_total", "counter",
	  "Half-open connections evicted early because a worker's table was 15/16 full." },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Label values: backslash, double quote and newline escaped (0.0.4). */
void
sk_rest_metrics_label(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			fputs("\\\\", f);
		else if (*v == '"')
			fputs("\\\"", f);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

/* HELP text: backslash and newline escaped. */
void
sk_rest_metrics_help(FILE *f, const char *metric, const char *type, const char *help)
{
	fprintf(f, "# HELP %s ", metric);
	for (; *help; help++) {
		if (*help == '\\')
			fputs("\\\\", f);
		else if (*help == '\n')
			fputs("\\n", f);
		else
			fputc(*help, f);
	}
	fprintf(f, "\n# TYPE %s %s\n", metric, type);
}

/* A JSON number as a sample value; 0 if v is not a number. */
static int
put_value(FILE *f, const json_t *v)
{
	if (json_is_integer(v))
		fprintf(f, " %lld\n", (long long)json_integer_value(v));
	else if (json_is_real(v))
		fprintf(f, " %.17g\n", json_real_value(v));
	else
		return 0;
	return 1;
}

/* metric{l1="v1",l2="v2"} value; labels may be NULL. */
static void
sample(FILE *f, const char *metric, const char *l1, const char *v1, const char *l2,
       const char *v2, const json_t *v)
{
	if (!json_is_number(v))
		return;
	fputs(metric, f);
	if (l1 != NULL) {
		fprintf(f, "{%s=\"", l1);
		sk_rest_metrics_label(f, v1);
		fputc('"', f);
		if (l2 != NULL) {
			fprintf(f, ",%s=\"", l2);
			sk_rest_metrics_label(f, v2);
			fputc('"', f);
		}
		fputc('}', f);
	}
	put_value(f, v);
}

static const char *
drop_desc(const char *reason)
{
	unsigned int i;

	for (i = SK_DROP__FIRST; i < SK_DROP__MAX; i++)
		if (strcmp(sk_drop_names[i], reason) == 0)
			return sk_drop_descs[i];
	return NULL;
}

static void
render_drops(FILE *f, const json_t *drops)
{
	const char *reason;
	json_t *v;

	if (!json_is_object(drops) || json_object_size(drops) == 0)
		return;
	sk_rest_metrics_help(f, "sekisho_drops_total", "counter",
		 "Packets dropped by the dataplane, by reason (sekisho_drop_reason_info says "
		 "what each reason means).");
	json_object_foreach((json_t *)drops, reason, v) {
		const char *d = drop_desc(reason);

		if (d != NULL)
			fprintf(f, "# %s: %s\n", reason, d);
		sample(f, "sekisho_drops_total", "reason", reason, NULL, NULL, v);
	}
	sk_rest_metrics_help(f, "sekisho_drop_reason_info", "gauge",
		 "Always 1: the description of each drop reason.");
	json_object_foreach((json_t *)drops, reason, v) {
		const char *d = drop_desc(reason);
		json_t *one = json_integer(1);

		if (d != NULL && one != NULL)
			sample(f, "sekisho_drop_reason_info", "reason", reason, "description", d,
			       one);
		json_decref(one);
	}
}

static void
render_labelled(FILE *f, const json_t *obj, const char *metric, const char *label,
		const char *help)
{
	const char *k;
	json_t *v;

	if (!json_is_object(obj) || json_object_size(obj) == 0)
		return;
	sk_rest_metrics_help(f, metric, "counter", help);
	json_object_foreach((json_t *)obj, k, v)
		sample(f, metric, label, k, NULL, NULL, v);
}

static void
render_ports(FILE *f, const json_t *ports)
{
	const char *iface;
	json_t *p;
	size_t i;
	int hdr = 0;

	if (!json_is_object(ports))
		return;
	json_object_foreach((json_t *)ports, iface, p) {
		json_t *id = json_object_get(p, "port");
		char buf[24];

		if (!json_is_integer(id))
			continue;
		if (!hdr++)
			sk_rest_metrics_help(f, "sekisho_port_info", "gauge",
				 "Always 1: the DPDK port id of each interface.");
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(id));
		fputs("sekisho_port_info{interface=\"", f);
		sk_rest_metrics_label(f, iface);
		fprintf(f, "\",port=\"%s\"} 1\n", buf);
	}
	for (i = 0; i < NELEM(port_fields); i++) {
		int any = 0;

		json_object_foreach((json_t *)ports, iface, p)
			any |= json_is_number(json_object_get(p, port_fields[i].key));
		if (!any)
			continue; /* no family header without a sample */
		sk_rest_metrics_help(f, port_fields[i].metric, port_fields[i].type, port_fields[i].help);
		json_object_foreach((json_t *)ports, iface, p)
			sample(f, port_fields[i].metric, "interface", iface, NULL, NULL,
			       json_object_get(p, port_fields[i].key));
	}
}

static void
render_rules(FILE *f, const json_t *rules)
{
	static const struct scalar fields[] = {
		{ "pkts", "sekisho_rule_packets_total", "counter",
		  "Packets of new flows a rule decided." },
		{ "bytes", "sekisho_rule_bytes_total", "counter",
		  "Bytes of the packets a rule decided." },
	};
	const char *name;
	json_t *r;
	size_t i;

	if (!json_is_object(rules) || json_object_size(rules) == 0)
		return;
	for (i = 0; i < NELEM(fields); i++) {
		sk_rest_metrics_help(f, fields[i].metric, fields[i].type, fields[i].help);
		json_object_foreach((json_t *)rules, name, r) {
			json_t *id = json_object_get(r, "id");
			char buf[24];

			snprintf(buf, sizeof(buf), "%lld",
				 json_is_integer(id) ? (long long)json_integer_value(id) : 0LL);
			sample(f, fields[i].metric, "rule", name, "id", buf,
			       json_object_get(r, fields[i].key));
		}
	}
}

static void
render_conns(FILE *f, const json_t *c)
{
	const json_t *v;
	size_t i;

	if (!json_is_object(c))
		return;
	v = json_object_get(c, "active");
	if (json_is_number(v)) {
		sk_rest_metrics_help(f, "sekisho_connections", "gauge", "Connections in the table, by state.");
		sample(f, "sekisho_connections", "state", "active", NULL, NULL, v);
	}
	v = json_object_get(c, "capacity");
	if (json_is_number(v)) {
		sk_rest_metrics_help(f, "sekisho_connections_capacity", "gauge",
			 "Connections the tables can hold (all workers).");
		sample(f, "sekisho_connections_capacity", NULL, NULL, NULL, NULL, v);
	}
	for (i = 0; i < NELEM(conn_counters); i++) {
		v = json_object_get(c, conn_counters[i].key);
		if (!json_is_number(v))
			continue;
		sk_rest_metrics_help(f, conn_counters[i].metric, conn_counters[i].type, conn_counters[i].help);
		sample(f, conn_counters[i].metric, NULL, NULL, NULL, NULL, v);
	}
}

int
sk_rest_metrics_render(const json_t *counters, char **text, size_t *len)
{
	char *buf = NULL;
	size_t n = 0, i;
	FILE *f;

	*text = NULL;
	*len = 0;
	if (!json_is_object(counters))
		return -EINVAL;
	f = open_memstream(&buf, &n);
	if (f == NULL)
		return -ENOMEM;
	for (i = 0; i < NELEM(top_scalars); i++) {
		const json_t *v = json_object_get(counters, top_scalars[i].key);

		if (top_scalars[i].metric == NULL || !json_is_number(v))
			continue;
		sk_rest_metrics_help(f, top_scalars[i].metric, top_scalars[i].type, top_scalars[i].help);
		sample(f, top_scalars[i].metric, NULL, NULL, NULL, NULL, v);
	}
	render_drops(f, json_object_get(counters, "drops"));
	render_labelled(f, json_object_get(counters, "local"), "sekisho_local_packets_total",
			"kind", "Packets the unit generated or took for itself, by kind.");
	render_ports(f, json_object_get(counters, "ports"));
	render_rules(f, json_object_get(counters, "rules"));
	render_conns(f, json_object_get(counters, "conns"));
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return -ENOMEM;
	}
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*text = buf;
	*len = n;
	return 0;
}
