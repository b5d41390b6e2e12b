/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_cmd_verify.c - checking the policy before trusting it: trace (what
 * would the running unit do with this packet), lint (findings) and
 * exposure (what each zone can reach).  All read-only.
 */
#include <stdio.h>
#include <string.h>

#include "ctl_http.h"
#include "ctl_table.h"
#include "ctl_view.h"

json_t *
sk_ctl_trace_body(const struct sk_ctl_args *a)
{
	json_t *b = json_object();
	int rc = 0;

	if (b == NULL)
		return NULL;
	if (a->from != NULL)
		rc |= json_object_set_new(b, "from", json_string(a->from));
	if (a->in != NULL)
		rc |= json_object_set_new(b, "in", json_string(a->in));
	rc |= json_object_set_new(b, "src", json_string(a->filter.src));
	rc |= json_object_set_new(b, "dst", json_string(a->filter.dst));
	rc |= json_object_set_new(b, "proto", json_string(a->filter.proto));
	if (a->given & SK_CTL_O_SPORT)
		rc |= json_object_set_new(b, "sport", json_integer(a->sport));
	if (a->given & SK_CTL_O_DPORT)
		rc |= json_object_set_new(b, "dport", json_integer(a->dport));
	if (a->flags != NULL)
		rc |= json_object_set_new(b, "flags", json_string(a->flags));
	if (a->given & SK_CTL_O_ICMP_TYPE)
		rc |= json_object_set_new(b, "icmp_type", json_integer(a->icmp_type));
	if (a->given & SK_CTL_O_ICMP_CODE)
		rc |= json_object_set_new(b, "icmp_code", json_integer(a->icmp_code));
	if (rc != 0) {
		json_decref(b);
		return NULL;
	}
	return b;
}

/* One step of a trace: a string, or {stage|step|name, result|detail|...}. */
static void
print_step(FILE *out, size_t i, const json_t *s)
{
	const json_t *stage, *what;
	char buf[512];

	if (json_is_string(s)) {
		fprintf(out, "  %2zu. %s\n", i + 1, json_string_value(s));
		return;
	}
	stage = sk_ctl_json_get(s, "stage|step|name");
	what = sk_ctl_json_get(s, "result|detail|message|verdict|action");
	if (stage == NULL && what == NULL) {
		sk_ctl_fmt_value(buf, sizeof(buf), s, SK_CTL_F_STR, 0);
		fprintf(out, "  %2zu. %s\n", i + 1, buf);
		return;
	}
	sk_ctl_fmt_value(buf, sizeof(buf), stage, SK_CTL_F_STR, 0);
	fprintf(out, "  %2zu. %s", i + 1, buf);
	if (what != NULL) {
		sk_ctl_fmt_value(buf, sizeof(buf), what, SK_CTL_F_STR, 0);
		fprintf(out, ": %s", buf);
	}
	fputc('\n', out);
}

int
sk_ctl_view_trace(FILE *out, const json_t *doc)
{
	const json_t *verdict, *rule, *steps, *s;
	char buf[512];
	size_t i;

	if (!json_is_object(doc))
		return SK_CTL_EXIT_API;
	verdict = sk_ctl_json_get(doc, "verdict|action|decision|result");
	rule = sk_ctl_json_get(doc, "rule.name|rule_name|rule");
	if (verdict != NULL) {
		sk_ctl_fmt_value(buf, sizeof(buf), verdict, SK_CTL_F_STR, 0);
		fprintf(out, "verdict: %s", buf);
		if (rule != NULL && !json_is_object(rule)) {
			sk_ctl_fmt_value(buf, sizeof(buf), rule, SK_CTL_F_STR, 0);
			fprintf(out, " (rule %s)", buf);
		}
		fprintf(out, "\n\n");
	}
	sk_ctl_render_object(out, doc, "steps|path|trace|verdict|action|decision");
	steps = sk_ctl_json_get(doc, "steps|path|trace");
	if (json_array_size(steps) > 0) {
		fprintf(out, "\nsteps:\n");
		json_array_foreach(steps, i, s)
			print_step(out, i, s);
	}
	return 0;
}

int
sk_ctl_view_lint(FILE *out, const json_t *doc)
{
	static const struct sk_ctl_col cols[] = {
		{ "SEVERITY", "severity|level", SK_CTL_F_STR },
		{ "CHECK", "check|code|kind|type", SK_CTL_F_STR },
		{ "RULE", "rule|rule_name|rules", SK_CTL_F_STR },
		{ "FILE", "file", SK_CTL_F_STR },
		{ "LINE", "line", SK_CTL_F_NUM },
		{ "MESSAGE", "message|detail|text", SK_CTL_F_STR },
	};
	const json_t *list = sk_ctl_json_list(doc, "findings|lint");
	int rc;

	if (list == NULL) {
		if (!json_is_object(doc))
			return SK_CTL_EXIT_API;
		fprintf(out, "no findings\n");
		return 0;
	}
	rc = sk_ctl_render_list(out, list, cols, sizeof(cols) / sizeof(cols[0]), 0);
	if (rc == 0)
		fprintf(out, "no findings\n");
	return rc < 0 ? SK_CTL_EXIT_API : 0;
}

int
sk_ctl_view_exposure(FILE *out, const json_t *doc)
{
	static const struct sk_ctl_col cols[] = {
		{ "FROM", "from|from_zone|zone|src_zone", SK_CTL_F_STR },
		{ "TO", "to|to_zone|dst_zone", SK_CTL_F_STR },
		{ "SRC", "src|source|sources", SK_CTL_F_STR },
		{ "DST", "dst|destination|addresses|dests", SK_CTL_F_STR },
		{ "PROTO", "proto|protocol", SK_CTL_F_STR },
		{ "PORTS", "ports|dport|port", SK_CTL_F_STR },
		{ "ACTION", "action", SK_CTL_F_STR },
		{ "RULE", "rule|rule_name|rules|via", SK_CTL_F_STR },
	};
	const json_t *list = sk_ctl_json_list(doc, "exposure|reachable|entries");
	int rc;

	if (list == NULL) {
		/* an object keyed by zone or similar: show it as it is */
		if (!json_is_object(doc))
			return SK_CTL_EXIT_API;
		sk_ctl_render_object(out, doc, NULL);
		return 0;
	}
	rc = sk_ctl_render_list(out, list, cols, sizeof(cols) / sizeof(cols[0]), 0);
	if (rc == 0)
		fprintf(out, "nothing is reachable\n");
	return rc < 0 ? SK_CTL_EXIT_API : 0;
}

int
sk_ctl_cmd_verify(struct sk_ctl_http *h, const struct sk_ctl_args *a)
{
	struct sk_ctl_resp r;
	const char *path;
	json_t *body = NULL;
	int rc;

	switch (a->cmd) {
	case SK_CTL_CMD_TRACE:
		path = "/trace";
		body = sk_ctl_trace_body(a);
		if (body == NULL)
			return SK_CTL_EXIT_API;
		rc = sk_ctl_call(h, "POST", path, "", body, NULL, &r);
		json_decref(body);
		break;
	case SK_CTL_CMD_LINT:
		path = "/lint";
		rc = sk_ctl_call(h, "GET", path, "", NULL, NULL, &r);
		break;
	case SK_CTL_CMD_EXPOSURE:
		path = "/exposure";
		rc = sk_ctl_call(h, "GET", path, "", NULL, NULL, &r);
		break;
	default:
		return SK_CTL_EXIT_USAGE;
	}
	if (rc != 0)
		return rc;
	if (a->json) {
		sk_ctl_resp_print_raw(stdout, &r);
	} else {
		if (a->cmd == SK_CTL_CMD_TRACE)
			rc = sk_ctl_view_trace(stdout, r.json);
		else if (a->cmd == SK_CTL_CMD_LINT)
			rc = sk_ctl_view_lint(stdout, r.json);
		else
			rc = sk_ctl_view_exposure(stdout, r.json);
		if (rc != 0)
			fprintf(stderr, "sekishoctl: %s: unexpected answer from the API\n", path);
	}
	sk_ctl_resp_free(&r);
	return rc;
}
