/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_cmd_conns.c - the connection table: list and count with a filter, and
 * kill what matches.  Killing asks first: with --yes or --json it goes
 * ahead; on a terminal it shows how many would go and asks; otherwise it
 * refuses, so a script cannot kill by accident.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl_http.h"
#include "ctl_query.h"
#include "ctl_table.h"
#include "ctl_view.h"

int
sk_ctl_view_conns(FILE *out, const json_t *doc, uint64_t now_s)
{
	static const struct sk_ctl_col cols[] = {
		{ "PROTO", "proto|protocol", SK_CTL_F_STR },
		{ "SRC", "src|client.addr|orig.src", SK_CTL_F_STR },
		{ "SPORT", "sport|client.port|orig.sport", SK_CTL_F_NUM },
		{ "DST", "dst|server.addr|orig.dst", SK_CTL_F_STR },
		{ "DPORT", "dport|server.port|orig.dport", SK_CTL_F_NUM },
		{ "STATE", "state", SK_CTL_F_STR },
		{ "FROM", "from|from_zone|in_zone", SK_CTL_F_STR },
		{ "TO", "to|to_zone|out_zone", SK_CTL_F_STR },
		{ "RULE", "rule|rule_name|rule_id", SK_CTL_F_STR },
		{ "GEN", "generation|gen", SK_CTL_F_NUM },
		{ "AGE", "age|age_s", SK_CTL_F_DUR },
		{ "AGE", "created|created_at", SK_CTL_F_AGE },
		{ "IDLE", "idle|idle_s", SK_CTL_F_DUR },
		{ "EXPIRES", "expires|expires_s|timeout|ttl", SK_CTL_F_DUR },
		{ "PKTS", "pkts|packets", SK_CTL_F_NUM },
		{ "BYTES", "bytes", SK_CTL_F_BYTES },
		{ "WORKER", "worker|lcore", SK_CTL_F_NUM },
	};
	const json_t *list = sk_ctl_json_list(doc, "connections|conns");
	int rc;

	if (list == NULL)
		return SK_CTL_EXIT_API;
	rc = sk_ctl_render_list(out, list, cols, sizeof(cols) / sizeof(cols[0]), now_s);
	if (rc == 0)
		fprintf(out, "no connections\n");
	return rc < 0 ? SK_CTL_EXIT_API : 0;
}

void
sk_ctl_filter_describe(char *buf, size_t len, const struct sk_ctl_filter *f)
{
	size_t pos = 0;

	buf[0] = '\0';
#define ADD(...) do { \
		if (pos < len) \
			pos += (size_t)snprintf(buf + pos, len - pos, __VA_ARGS__); \
	} while (0)
	if (f->src != NULL)
		ADD("%ssrc=%s", pos ? " " : "", f->src);
	if (f->dst != NULL)
		ADD("%sdst=%s", pos ? " " : "", f->dst);
	if (f->proto != NULL)
		ADD("%sproto=%s", pos ? " " : "", f->proto);
	if (f->port != 0)
		ADD("%sport=%u", pos ? " " : "", f->port);
#undef ADD
	if (pos == 0)
		snprintf(buf, len, "all connections");
}

static int
get_count(struct sk_ctl_http *h, const char *query, uint64_t *n, struct sk_ctl_resp *r)
{
	int rc = sk_ctl_call(h, "GET", "/connections/count", query, NULL, NULL, r);
	const json_t *c;

	if (rc != 0)
		return rc;
	c = sk_ctl_json_get(r->json, "count|connections|total");
	if (!json_is_integer(c) && !json_is_integer(r->json)) {
		fprintf(stderr, "sekishoctl: /connections/count: no count in the answer\n");
		sk_ctl_resp_free(r);
		return SK_CTL_EXIT_API;
	}
	*n = (uint64_t)json_integer_value(json_is_integer(c) ? c : r->json);
	return 0;
}

/* 1 when the operator says yes on the terminal. */
static int
confirm(const char *what, uint64_t n)
{
	char line[16];

	fprintf(stderr, "kill %" PRIu64 " connection%s (%s)? [y/N] ", n, n == 1 ? "" : "s", what);
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}

static int
cmd_kill(struct sk_ctl_http *h, const struct sk_ctl_args *a, const char *query)
{
	struct sk_ctl_resp r;
	char what[256];
	uint64_t n;
	int rc;

	sk_ctl_filter_describe(what, sizeof(what), &a->filter);
	if (!a->yes && !a->json) {
		if (!isatty(STDIN_FILENO)) {
			fprintf(stderr, "sekishoctl: conns kill: add --yes to kill %s\n", what);
			return SK_CTL_EXIT_USAGE;
		}
		rc = get_count(h, query, &n, &r);
		if (rc != 0)
			return rc;
		sk_ctl_resp_free(&r);
		if (n == 0) {
			printf("no connections match (%s)\n", what);
			return 0;
		}
		if (!confirm(what, n)) {
			fprintf(stderr, "nothing killed\n");
			return 0;
		}
	}
	rc = sk_ctl_call(h, "DELETE", "/connections", query, NULL, NULL, &r);
	if (rc != 0)
		return rc;
	if (a->json)
		sk_ctl_resp_print_raw(stdout, &r);
	else
		printf("killed %" PRIu64 " connection%s (%s)\n",
		       sk_ctl_json_u64(r.json, "killed", 0),
		       sk_ctl_json_u64(r.json, "killed", 0) == 1 ? "" : "s", what);
	sk_ctl_resp_free(&r);
	return 0;
}

int
sk_ctl_cmd_conns(struct sk_ctl_http *h, const struct sk_ctl_args *a)
{
	struct sk_ctl_filter nolimit = a->filter;
	struct sk_ctl_resp r;
	char query[1024];
	uint64_t n;
	int rc;

	if (a->cmd != SK_CTL_CMD_CONNS)
		nolimit.limit = 0;
	if (sk_ctl_query_filter(query, sizeof(query), &nolimit) != 0) {
		fprintf(stderr, "sekishoctl: filter too long\n");
		return SK_CTL_EXIT_USAGE;
	}
	switch (a->cmd) {
	case SK_CTL_CMD_CONNS_KILL:
		return cmd_kill(h, a, query);
	case SK_CTL_CMD_CONNS_COUNT:
		rc = get_count(h, query, &n, &r);
		if (rc != 0)
			return rc;
		if (a->json)
			sk_ctl_resp_print_raw(stdout, &r);
		else
			printf("%" PRIu64 "\n", n);
		sk_ctl_resp_free(&r);
		return 0;
	case SK_CTL_CMD_CONNS:
		rc = sk_ctl_call(h, "GET", "/connections", query, NULL, NULL, &r);
		if (rc != 0)
			return rc;
		if (a->json) {
			sk_ctl_resp_print_raw(stdout, &r);
		} else {
			rc = sk_ctl_view_conns(stdout, r.json, (uint64_t)time(NULL));
			if (rc != 0)
				fprintf(stderr, "sekishoctl: /connections: unexpected answer from the API\n");
			else if (json_is_true(json_object_get(r.json, "truncated")) ||
				 (a->filter.limit != 0 &&
				  json_array_size(sk_ctl_json_list(r.json, "connections|conns")) >=
				  a->filter.limit))
				fprintf(stderr, "(list cut at the limit: narrow the filter or raise --limit; "
					"'sekishoctl conns count' counts them all)\n");
		}
		sk_ctl_resp_free(&r);
		return rc;
	default:
		return SK_CTL_EXIT_USAGE;
	}
}
