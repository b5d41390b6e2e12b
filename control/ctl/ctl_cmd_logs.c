/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_cmd_logs.c - the unit's packet log (records of sk_logrec.h, numbered
 * by the control plane): a page as a table, or --follow, which polls once a
 * second from the last sequence seen and prints one line per record.  A gap
 * in the sequence (the ring or the writer dropped records) is said out
 * loud rather than hidden.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl_http.h"
#include "ctl_query.h"
#include "ctl_table.h"
#include "ctl_view.h"

#define FOLLOW_POLL_US 1000000u

static const char *
str_or(const json_t *rec, const char *keys, char *buf, size_t len)
{
	const json_t *v = sk_ctl_json_get(rec, keys);

	sk_ctl_fmt_value(buf, len, v, SK_CTL_F_STR, 0);
	return buf;
}

/* "[2001:db8::1]:443" / "10.0.0.1:80" / "10.0.0.1" */
static void
endpoint(char *buf, size_t len, const json_t *rec, const char *addr_keys, const char *port_keys)
{
	const json_t *a = sk_ctl_json_get(rec, addr_keys);
	const json_t *p = sk_ctl_json_get(rec, port_keys);
	const char *s = json_is_string(a) ? json_string_value(a) : "?";

	if (!json_is_integer(p))
		snprintf(buf, len, "%s", s);
	else if (strchr(s, ':') != NULL)
		snprintf(buf, len, "[%s]:%lld", s, (long long)json_integer_value(p));
	else
		snprintf(buf, len, "%s:%lld", s, (long long)json_integer_value(p));
}

void
sk_ctl_log_line(char *buf, size_t len, const json_t *rec)
{
	char t[64], kind[32], rule[128], in[64], proto[16], src[80], dst[80];
	const json_t *ts = sk_ctl_json_get(rec, "ts|time");

	sk_ctl_fmt_value(t, sizeof(t), ts, SK_CTL_F_TIME, 0);
	str_or(rec, "kind|action|event", kind, sizeof(kind));
	str_or(rec, "rule_name|rule|rule_id", rule, sizeof(rule));
	str_or(rec, "in_iface|in|iface", in, sizeof(in));
	str_or(rec, "proto|protocol", proto, sizeof(proto));
	endpoint(src, sizeof(src), rec, "src", "sport");
	endpoint(dst, sizeof(dst), rec, "dst", "dport");
	snprintf(buf, len, "%s %s rule=%s in=%s %s %s -> %s len=%" PRIu64, t, kind, rule, in,
		 proto, src, dst, sk_ctl_json_u64(rec, "len|length", 0));
}

int
sk_ctl_logs_next(const json_t *doc, uint64_t since, uint64_t *next, unsigned int *count)
{
	const json_t *list = sk_ctl_json_list(doc, "records|logs|entries");
	const json_t *rec, *nx;
	uint64_t hi = 0, first = UINT64_MAX;
	size_t i;

	*next = since;
	*count = 0;
	if (list == NULL)
		return SK_CTL_EXIT_API;
	json_array_foreach(list, i, rec) {
		uint64_t seq = sk_ctl_json_u64(rec, "seq", 0);

		if (seq > hi)
			hi = seq;
		if (seq < first)
			first = seq;
	}
	/* records missing between what we asked for and what came back */
	if (json_array_size(list) > 0 && since > 0 && first > since)
		fprintf(stderr, "sekishoctl: %" PRIu64 " log records lost before seq %" PRIu64 "\n",
			first - since, first);
	*count = (unsigned int)json_array_size(list);
	nx = sk_ctl_json_get(doc, "next|next_seq");
	if (json_is_integer(nx) && json_integer_value(nx) >= 0)
		*next = (uint64_t)json_integer_value(nx);
	else if (json_array_size(list) > 0)
		*next = hi + 1;
	return 0;
}

int
sk_ctl_view_logs(FILE *out, const json_t *doc, int one_line)
{
	static const struct sk_ctl_col cols[] = {
		{ "SEQ", "seq", SK_CTL_F_NUM },
		{ "TIME", "ts|time", SK_CTL_F_TIME },
		{ "KIND", "kind|action|event", SK_CTL_F_STR },
		{ "RULE", "rule_name|rule|rule_id", SK_CTL_F_STR },
		{ "IN", "in_iface|in|iface", SK_CTL_F_STR },
		{ "FROM", "in_zone|from|from_zone", SK_CTL_F_STR },
		{ "TO", "out_zone|to|to_zone", SK_CTL_F_STR },
		{ "PROTO", "proto|protocol", SK_CTL_F_STR },
		{ "SRC", "src", SK_CTL_F_STR },
		{ "SPORT", "sport", SK_CTL_F_NUM },
		{ "DST", "dst", SK_CTL_F_STR },
		{ "DPORT", "dport", SK_CTL_F_NUM },
		{ "FLAGS", "tcp_flags|flags", SK_CTL_F_STR },
		{ "LEN", "len|length", SK_CTL_F_NUM },
	};
	const json_t *list = sk_ctl_json_list(doc, "records|logs|entries");
	const json_t *rec;
	size_t i;

	if (list == NULL)
		return SK_CTL_EXIT_API;
	if (!one_line)
		return sk_ctl_render_list(out, list, cols, sizeof(cols) / sizeof(cols[0]), 0) < 0 ?
			SK_CTL_EXIT_API : 0;
	json_array_foreach(list, i, rec) {
		char line[512];

		sk_ctl_log_line(line, sizeof(line), rec);
		fprintf(out, "%s\n", line);
	}
	return 0;
}

int
sk_ctl_cmd_logs(struct sk_ctl_http *h, const struct sk_ctl_args *a)
{
	uint64_t since = a->since, next;
	unsigned int count;
	int rc, first = 1;

	for (;;) {
		struct sk_ctl_resp r;
		char query[128] = "";

		if ((a->given & SK_CTL_O_SINCE) || !first)
			sk_ctl_query_add_u64(query, sizeof(query), "since", since);
		if (a->filter.limit != 0)
			sk_ctl_query_add_u64(query, sizeof(query), "limit", a->filter.limit);
		rc = sk_ctl_call(h, "GET", "/logs", query, NULL, NULL, &r);
		if (rc != 0)
			return rc;
		rc = sk_ctl_logs_next(r.json, (a->given & SK_CTL_O_SINCE) || !first ? since : 0,
				      &next, &count);
		if (rc == 0 && a->json)
			sk_ctl_resp_print_raw(stdout, &r);
		else if (rc == 0)
			rc = sk_ctl_view_logs(stdout, r.json, a->follow);
		sk_ctl_resp_free(&r);
		if (rc != 0) {
			fprintf(stderr, "sekishoctl: /logs: unexpected answer from the API\n");
			return rc;
		}
		if (!a->follow) {
			if (count == 0 && !a->json)
				printf("no log records\n");
			return 0;
		}
		fflush(stdout);
		since = next;
		first = 0;
		if (count == 0)
			usleep(FOLLOW_POLL_US);
	}
}
