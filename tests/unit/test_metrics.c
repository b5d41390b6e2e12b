/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_metrics.c - the Prometheus renderer: a realistic counters document
 * (the dataplane's stats-file shape) in, exposition text out, parsed back
 * line by line with a strict reader of format 0.0.4: every sample belongs
 * to a family declared once with HELP and TYPE, families are contiguous,
 * names and labels are well formed, label values unescape to what went in,
 * and every value equals the counter it came from.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "rest/rest.h"
#include "sk_drop.h"
#include "sk_test.h"

#define MAX_FAM 128
#define MAX_SAMPLES 512

struct sample {
	char name[96];
	int nlabels;
	char lname[3][32];
	char lval[3][256];
	double value;
};

struct family {
	char name[96], type[256], help[256];
	int has_help, has_type, closed;
};

static struct family fams[MAX_FAM];
static int nfam;
static struct sample samples[MAX_SAMPLES];
static int nsamples;

static int
name_ok(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_' || *s == ':'))
		return 0;
	for (s++; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_' || *s == ':'))
			return 0;
	return 1;
}

static struct family *
fam_get(const char *name, int create)
{
	int i;

	for (i = 0; i < nfam; i++)
		if (strcmp(fams[i].name, name) == 0)
			return &fams[i];
	if (!create || nfam == MAX_FAM)
		return NULL;
	snprintf(fams[nfam].name, sizeof(fams[nfam].name), "%s", name);
	return &fams[nfam++];
}

/* Parse one sample line; returns 0 or a reason. */
static const char *
parse_sample(const char *line, struct sample *s)
{
	const char *p = line;
	char *end;
	size_t n;

	memset(s, 0, sizeof(*s));
	n = strcspn(p, "{ ");
	if (n == 0 || n >= sizeof(s->name))
		return "bad metric name";
	memcpy(s->name, p, n);
	p += n;
	if (!name_ok(s->name))
		return "bad metric name";
	if (*p == '{') {
		p++;
		while (*p != '}') {
			size_t o = 0;

			if (s->nlabels == 3)
				return "too many labels";
			n = strcspn(p, "=");
			if (n == 0 || n >= sizeof(s->lname[0]) || p[n] != '=' || p[n + 1] != '"')
				return "bad label";
			memcpy(s->lname[s->nlabels], p, n);
			if (!name_ok(s->lname[s->nlabels]))
				return "bad label name";
			p += n + 2;
			while (*p != '"') {
				char ch = *p;

				if (ch == '\0' || ch == '\n')
					return "unterminated label value";
				if (ch == '\\') {
					p++;
					if (*p == 'n')
						ch = '\n';
					else if (*p == '\\' || *p == '"')
						ch = *p;
					else
						return "bad escape";
				}
				if (o + 1 >= sizeof(s->lval[0]))
					return "label value too long";
				s->lval[s->nlabels][o++] = ch;
				p++;
			}
			p++;
			s->nlabels++;
			if (*p == ',')
				p++;
			else if (*p != '}')
				return "bad label separator";
		}
		p++;
	}
	if (*p != ' ')
		return "no space before the value";
	errno = 0;
	s->value = strtod(p + 1, &end);
	if (end == p + 1 || *end != '\0' || errno != 0)
		return "bad value";
	return NULL;
}

/* Read the exposition; 0 if every line is valid, else prints the first bad one. */
static int
parse_exposition(char *text)
{
	struct family *cur = NULL;
	char *line, *save = NULL;
	int lineno = 0;

	nfam = nsamples = 0;
	memset(fams, 0, sizeof(fams));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[96], rest[256];
		const char *why = NULL;

		lineno++;
		if (strncmp(line, "# HELP ", 7) == 0 || strncmp(line, "# TYPE ", 7) == 0) {
			struct family *f = NULL;

			if (sscanf(line + 7, "%95s %255[^\n]", name, rest) != 2) {
				why = "HELP/TYPE without text";
			} else if ((f = fam_get(name, 1)) == NULL || f->closed) {
				why = "family declared after its samples ended";
			} else if (line[2] == 'H') {
				why = f->has_help ? "HELP twice" : NULL;
				f->has_help = 1;
				snprintf(f->help, sizeof(f->help), "%s", rest);
			} else {
				why = f->has_type ? "TYPE twice" : NULL;
				f->has_type = 1;
				snprintf(f->type, sizeof(f->type), "%s", rest);
				if (strcmp(rest, "counter") && strcmp(rest, "gauge"))
					why = "unknown TYPE";
			}
			if (cur != NULL && f != NULL && f != cur)
				cur->closed = 1;
			if (f != NULL)
				cur = f;
		} else if (line[0] == '#') {
			continue; /* a comment */
		} else if (nsamples == MAX_SAMPLES) {
			why = "too many samples";
		} else {
			struct sample *s = &samples[nsamples++];

			why = parse_sample(line, s);
			if (why == NULL && (cur == NULL || strcmp(cur->name, s->name) != 0))
				why = "sample outside its family (not contiguous, or no TYPE)";
			if (why == NULL && !cur->has_type)
				why = "sample before its TYPE";
		}
		if (why != NULL) {
			printf("# line %d: %s: %s\n", lineno, why, line);
			return -1;
		}
	}
	return 0;
}

/* Value of the sample name{l1=v1[,l2=v2]}, or -1. */
static double
value_of(const char *name, const char *l1, const char *v1, const char *l2, const char *v2)
{
	int i;

	for (i = 0; i < nsamples; i++) {
		const struct sample *s = &samples[i];

		if (strcmp(s->name, name) != 0 || s->nlabels != (l1 ? 1 : 0) + (l2 ? 1 : 0))
			continue;
		if (l1 && (strcmp(s->lname[0], l1) || strcmp(s->lval[0], v1)))
			continue;
		if (l2 && (strcmp(s->lname[1], l2) || strcmp(s->lval[1], v2)))
			continue;
		return s->value;
	}
	return -1;
}

static const char *drop_names[] = {
#define DN(e, n, d) n,
	SK_DROP_LIST(DN)
#undef DN
};
static const char *drop_descs[] = {
#define DD(e, n, d) d,
	SK_DROP_LIST(DD)
#undef DD
};

#define WEIRD_RULE "we\"ird\\rule\nx"

static json_t *
counters_doc(void)
{
	json_t *root = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"generation", (json_int_t)7, "forwarded", (json_int_t)123456789012LL,
		"consumed", (json_int_t)42, "default_pkts", (json_int_t)5,
		"frag_reassembled", (json_int_t)3, "frag_fragmented", (json_int_t)4,
		"frag_merged", (json_int_t)6, "busy_cycles", (json_int_t)9000000,
		"busy_pkts", (json_int_t)30000);
	json_t *drops = json_object(), *local = json_object(), *ports = json_object();
	json_t *rules = json_object();
	size_t i;

	for (i = 0; i < sizeof(drop_names) / sizeof(drop_names[0]); i++)
		json_object_set_new(drops, drop_names[i], json_integer((json_int_t)(i * 10 + 1)));
	json_object_set_new(root, "drops", drops);
	json_object_set_new(local, "arp_replies", json_integer(11));
	json_object_set_new(local, "echo_replies", json_integer(12));
	json_object_set_new(local, "tcp_resets", json_integer(0));
	json_object_set_new(root, "local", local);
	json_object_set_new(ports, "outside", json_pack("{s:i,s:I,s:I,s:I,s:I,s:I,s:I}",
		"port", 0, "rx_pkts", (json_int_t)1000, "rx_bytes", (json_int_t)150000,
		"tx_pkts", (json_int_t)900, "tx_bytes", (json_int_t)120000,
		"rx_missed", (json_int_t)2, "tx_errors", (json_int_t)1));
	json_object_set_new(ports, "inside", json_pack("{s:i,s:I,s:I,s:I,s:I,s:I,s:I}",
		"port", 1, "rx_pkts", (json_int_t)800, "rx_bytes", (json_int_t)90000,
		"tx_pkts", (json_int_t)950, "tx_bytes", (json_int_t)140000,
		"rx_missed", (json_int_t)0, "tx_errors", (json_int_t)0));
	json_object_set_new(root, "ports", ports);
	json_object_set_new(rules, "web-in", json_pack("{s:i,s:I,s:I}", "id", 4, "pkts",
		(json_int_t)77, "bytes", (json_int_t)7700));
	json_object_set_new(rules, WEIRD_RULE, json_pack("{s:i,s:I,s:I}", "id", 9, "pkts",
		(json_int_t)3, "bytes", (json_int_t)180));
	json_object_set_new(root, "rules", rules);
	json_object_set_new(root, "conns", json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
		"active", (json_int_t)321, "capacity", (json_int_t)262144, "refused", (json_int_t)8,
		"created", (json_int_t)5000, "expired", (json_int_t)4600, "deleted", (json_int_t)79,
		"halfopen", (json_int_t)17, "evicted", (json_int_t)123));
	json_object_set_new(root, "some_future_key", json_string("ignored"));
	return root;
}

int
main(void)
{
	json_t *doc = counters_doc();
	char *text = NULL, *copy;
	size_t len = 0, i;
	int rc, bad_total = 0, bad_gauge = 0, desc_ok = 1, drops_ok = 1;
	struct family *f;

	rc = sk_rest_metrics_render(doc, &text, &len);
	SK_CHECK(rc == 0 && text != NULL && len == strlen(text) && len > 1000,
		 "rendered (%zu bytes)", len);
	if (text == NULL)
		return SK_TEST_DONE();
	SK_CHECK(text[len - 1] == '\n', "ends with a newline");
	copy = strdup(text);
	SK_CHECK(parse_exposition(copy) == 0, "every line parses (0.0.4)");
	free(copy);

	for (i = 0; i < (size_t)nfam; i++) {
		int total = strlen(fams[i].name) > 6 &&
			    strcmp(fams[i].name + strlen(fams[i].name) - 6, "_total") == 0;

		if (!fams[i].has_help || !fams[i].has_type)
			bad_total++;
		if (strcmp(fams[i].type, "counter") == 0 && !total)
			bad_total++;
		if (strcmp(fams[i].type, "gauge") == 0 && total)
			bad_gauge++;
		if (strncmp(fams[i].name, "sekisho_", 8) != 0)
			bad_total++;
	}
	SK_CHECK(bad_total == 0 && bad_gauge == 0,
		 "every family has HELP and TYPE; counters end in _total, gauges do not");

	SK_CHECK(value_of("sekisho_forwarded_packets_total", NULL, NULL, NULL, NULL) ==
		 123456789012.0, "forwarded");
	SK_CHECK(value_of("sekisho_consumed_packets_total", NULL, NULL, NULL, NULL) == 42,
		 "consumed");
	SK_CHECK(value_of("sekisho_frag_merged_total", NULL, NULL, NULL, NULL) == 6 &&
		 value_of("sekisho_frag_reassembled_total", NULL, NULL, NULL, NULL) == 3,
		 "fragment counters");
	f = fam_get("sekisho_generation", 0);
	SK_CHECK(f && strcmp(f->type, "gauge") == 0 &&
		 value_of("sekisho_generation", NULL, NULL, NULL, NULL) == 7, "generation gauge");

	for (i = 0; i < sizeof(drop_names) / sizeof(drop_names[0]); i++) {
		if (value_of("sekisho_drops_total", "reason", drop_names[i], NULL, NULL) !=
		    (double)(i * 10 + 1))
			drops_ok = 0;
		if (value_of("sekisho_drop_reason_info", "reason", drop_names[i], "description",
			     drop_descs[i]) != 1)
			desc_ok = 0;
	}
	SK_CHECK(drops_ok, "sekisho_drops_total{reason} for every reason in sk_drop.h");
	SK_CHECK(desc_ok, "drop descriptions from sk_drop.h (sekisho_drop_reason_info)");
	SK_CHECK(strstr(text, "# no_route: no route to the destination\n") != NULL,
		 "description comment next to the sample");
	f = fam_get("sekisho_drops_total", 0);
	SK_CHECK(f && strcmp(f->type, "counter") == 0, "drops are a counter");

	SK_CHECK(value_of("sekisho_local_packets_total", "kind", "echo_replies", NULL, NULL) == 12
		 && value_of("sekisho_local_packets_total", "kind", "tcp_resets", NULL, NULL) == 0,
		 "local{kind}");
	SK_CHECK(value_of("sekisho_port_rx_packets_total", "interface", "outside", NULL, NULL) ==
		 1000 && value_of("sekisho_port_tx_bytes_total", "interface", "inside", NULL,
				  NULL) == 140000 &&
		 value_of("sekisho_port_rx_missed_packets_total", "interface", "outside", NULL,
			  NULL) == 2, "ports{interface}");
	SK_CHECK(value_of("sekisho_port_info", "interface", "inside", "port", "1") == 1,
		 "port ids as info");
	SK_CHECK(value_of("sekisho_rule_packets_total", "rule", "web-in", "id", "4") == 77 &&
		 value_of("sekisho_rule_bytes_total", "rule", "web-in", "id", "4") == 7700,
		 "rules{rule,id}");
	SK_CHECK(value_of("sekisho_rule_packets_total", "rule", WEIRD_RULE, "id", "9") == 3,
		 "label value with quote, backslash and newline round-trips");
	SK_CHECK(strstr(text, "rule=\"we\\\"ird\\\\rule\\nx\"") != NULL, "escaped as 0.0.4 says");

	f = fam_get("sekisho_connections", 0);
	SK_CHECK(f && strcmp(f->type, "gauge") == 0 &&
		 value_of("sekisho_connections", "state", "active", NULL, NULL) == 321,
		 "sekisho_connections{state=\"active\"} gauge");
	f = fam_get("sekisho_connections_capacity", 0);
	SK_CHECK(f && strcmp(f->type, "gauge") == 0 &&
		 value_of("sekisho_connections_capacity", NULL, NULL, NULL, NULL) == 262144,
		 "capacity gauge");
	f = fam_get("sekisho_connections_created_total", 0);
	SK_CHECK(f && strcmp(f->type, "counter") == 0 &&
		 value_of("sekisho_connections_created_total", NULL, NULL, NULL, NULL) == 5000 &&
		 value_of("sekisho_connections_refused_total", NULL, NULL, NULL, NULL) == 8,
		 "connection counters");
	f = fam_get("sekisho_connections_halfopen", 0);
	SK_CHECK(f && strcmp(f->type, "gauge") == 0 &&
		 value_of("sekisho_connections_halfopen", NULL, NULL, NULL, NULL) == 17 &&
		 value_of("sekisho_connections_evicted_total", NULL, NULL, NULL, NULL) == 123,
		 "half-open gauge and evictions counter (aggregate, no source label)");
	SK_CHECK(strstr(text, "some_future_key") == NULL && strstr(text, "ignored") == NULL,
		 "unknown keys skipped");
	free(text);
	json_decref(doc);

	/* Edge cases: not an object, an empty document, a partial one. */
	doc = json_array();
	SK_CHECK(sk_rest_metrics_render(doc, &text, &len) == -EINVAL && text == NULL,
		 "not an object: -EINVAL");
	json_decref(doc);
	doc = json_object();
	rc = sk_rest_metrics_render(doc, &text, &len);
	SK_CHECK(rc == 0 && text != NULL && len == 0, "empty document: empty exposition");
	free(text);
	json_decref(doc);
	doc = json_pack("{s:I, s:{s:I}}", "forwarded", (json_int_t)1, "conns", "active",
			(json_int_t)2);
	rc = sk_rest_metrics_render(doc, &text, &len);
	copy = text ? strdup(text) : NULL;
	SK_CHECK(rc == 0 && copy && parse_exposition(copy) == 0 && nfam == 2 &&
		 value_of("sekisho_connections", "state", "active", NULL, NULL) == 2,
		 "partial document: only what is there");
	free(copy);
	free(text);
	json_decref(doc);
	return SK_TEST_DONE();
}
