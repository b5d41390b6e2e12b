/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_cmd_top.c - `sekishoctl top`: who is being refused and who opens the
 * most connections over the last minute (GET /api/v1/top), and the drops
 * per reason over the same window.
 */
#include <stdio.h>

#include "ctl_http.h"
#include "ctl_query.h"
#include "ctl_table.h"
#include "ctl_view.h"

int
sk_ctl_view_top(FILE *out, const json_t *doc)
{
	static const struct sk_ctl_col cols[] = {
		{ "SRC", "src", SK_CTL_F_STR },
		{ "COUNT", "count", SK_CTL_F_NUM },
		{ "ERROR", "error", SK_CTL_F_NUM },
	};
	static const struct sk_ctl_col net_cols[] = {
		{ "NETWORK", "net", SK_CTL_F_STR },
		{ "COUNT", "count", SK_CTL_F_NUM },
		{ "ERROR", "error", SK_CTL_F_NUM },
	};
	const json_t *l;
	const char *k;
	json_t *v;

	if (!json_is_object(doc))
		return SK_CTL_EXIT_API;
	fprintf(out, "last %llu s, %llu worker(s)\n\n",
		(unsigned long long)sk_ctl_json_u64(doc, "window_s", 0),
		(unsigned long long)sk_ctl_json_u64(doc, "workers", 0));
	fprintf(out, "denied packets: %llu\n",
		(unsigned long long)sk_ctl_json_u64(doc, "denied_total", 0));
	l = json_object_get(doc, "denied");
	if (json_is_array(l) && sk_ctl_render_list(out, l, cols, 3, 0) == 0)
		fprintf(out, "none\n");
	l = json_object_get(doc, "denied_networks");
	if (json_is_array(l) && json_array_size(l) != 0) {
		fprintf(out, "by network:\n");
		(void)sk_ctl_render_list(out, l, net_cols, 3, 0);
	}
	fprintf(out, "\nnew connections: %llu\n",
		(unsigned long long)sk_ctl_json_u64(doc, "new_connections_total", 0));
	l = json_object_get(doc, "new_connections");
	if (json_is_array(l) && sk_ctl_render_list(out, l, cols, 3, 0) == 0)
		fprintf(out, "none\n");
	l = json_object_get(doc, "new_connection_networks");
	if (json_is_array(l) && json_array_size(l) != 0) {
		fprintf(out, "by network:\n");
		(void)sk_ctl_render_list(out, l, net_cols, 3, 0);
	}
	fprintf(out, "\ndrops by reason:\n");
	if (json_object_size(json_object_get(doc, "drops")) == 0)
		fprintf(out, "none\n");
	json_object_foreach((json_t *)json_object_get(doc, "drops"), k, v)
		fprintf(out, "  %-24s %lld\n", k, (long long)json_integer_value(v));
	return 0;
}

int
sk_ctl_cmd_top(struct sk_ctl_http *h, const struct sk_ctl_args *a)
{
	struct sk_ctl_resp r;
	char query[64] = "";
	int rc;

	if (a->filter.limit != 0)
		sk_ctl_query_add_u64(query, sizeof(query), "n", a->filter.limit);
	rc = sk_ctl_call(h, "GET", "/top", query, NULL, NULL, &r);
	if (rc != 0)
		return rc;
	if (a->json) {
		sk_ctl_resp_print_raw(stdout, &r);
	} else {
		rc = sk_ctl_view_top(stdout, r.json);
		if (rc != 0)
			fprintf(stderr, "sekishoctl: /top: unexpected answer from the API\n");
	}
	sk_ctl_resp_free(&r);
	return rc;
}
