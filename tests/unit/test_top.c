/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_top.c - attack visibility: a worker's space-saving summaries
 * (limit/top.h), their minute roll and publication, the control plane's
 * merge with error bounds, the GET /api/v1/top document built from what the
 * dataplane code published, and the route's argument checks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cp.h"
#include "api/top_api.h"
#include "ctl.h"
#include "ctl_view.h"
#include "limit/top.h"
#include "sk_test.h"
#include "sk_test_eal.h"

static void
ip4(uint8_t a[16], uint32_t v)
{
	memset(a, 0, 16);
	a[0] = (uint8_t)(v >> 24);
	a[1] = (uint8_t)(v >> 16);
	a[2] = (uint8_t)(v >> 8);
	a[3] = (uint8_t)v;
}

static struct sk_top top_a, top_b;

/* A heavy source among many light ones: kept, first, its bounds hold. */
static void
test_space_saving(void)
{
	struct sk_top_summary s;
	uint8_t a[16];
	unsigned int i, heavy_true = 0;

	sk_top_init(&top_a, NULL, 0);
	for (i = 0; i < 20000; i++) {
		if (i % 4 == 0) {
			ip4(a, 0xc6336407);   /* 198.51.100.7: a quarter of all */
			heavy_true++;
		} else {
			ip4(a, 0x0b000000 + i);   /* 15000 sources once each */
		}
		sk_top_note(&top_a, SK_TOP_DENIED, 4, a);
	}
	sk_top_export(&top_a.cur[SK_TOP_DENIED], &s);
	printf("# 20000 events: top %u.%u.%u.%u count %lu err %u (true %u), n %u\n",
	       s.e[0].addr[0], s.e[0].addr[1], s.e[0].addr[2], s.e[0].addr[3],
	       (unsigned long)s.e[0].count, s.e[0].err, heavy_true, s.n);
	ip4(a, 0xc6336407);
	SK_CHECK(s.n == SK_TOP_K && s.total == 20000, "64 entries, 20000 counted");
	SK_CHECK(memcmp(s.e[0].addr, a, 16) == 0 && s.e[0].family == 4, "the heavy source is first");
	SK_CHECK(s.e[0].count >= heavy_true && s.e[0].count - s.e[0].err <= heavy_true,
		 "its count bounds the truth: %lu - %u <= %u <= %lu", (unsigned long)s.e[0].count,
		 s.e[0].err, heavy_true, (unsigned long)s.e[0].count);
	for (i = 1; i < s.n; i++)
		if (s.e[i].count > s.e[i - 1].count)
			break;
	SK_CHECK(i == s.n, "exported largest first");
	/* IPv6: same leading bytes, another source */
	sk_top_note(&top_a, SK_TOP_NEW, 6, a);
	sk_top_note(&top_a, SK_TOP_NEW, 4, a);
	SK_CHECK(top_a.cur[SK_TOP_NEW].n == 2, "v4 and v6 with the same bytes are two sources");
}

/* A flood from 512 addresses of one /16, 3 SYNs each, against one busy
 * client: by source the client leads; by network the flood's leads. */
static void
test_networks(void)
{
	struct sk_top_summary s;
	uint8_t a[16];
	unsigned int i, k;

	memset(&top_a, 0, sizeof(top_a));
	sk_top_init(&top_a, NULL, 0);
	for (i = 0; i < 30; i++) {
		ip4(a, 0xcb00710au); /* 203.0.113.10 */
		sk_top_note_src(&top_a, SK_TOP_NEW, 4, a);
	}
	for (k = 0; k < 3; k++)
		for (i = 0; i < 512; i++) {
			ip4(a, 0xc6120700u + i); /* 198.18.7.0 - 198.18.8.255 */
			sk_top_note_src(&top_a, SK_TOP_NEW, 4, a);
		}
	sk_top_export(&top_a.cur[SK_TOP_NEW], &s);
	ip4(a, 0xcb00710au);
	SK_CHECK(s.n > 0 && memcmp(s.e[0].addr, a, 4) == 0,
		 "by source the busy client leads (%u.%u.%u.%u)", s.e[0].addr[0], s.e[0].addr[1],
		 s.e[0].addr[2], s.e[0].addr[3]);
	sk_top_export(&top_a.cur[SK_TOP_NEW_NET], &s);
	SK_CHECK(s.n == 2 && s.e[0].count == 1536 && s.e[1].count == 30 &&
		 s.e[0].addr[0] == 198 && s.e[0].addr[1] == 18 && s.e[0].addr[2] == 0 &&
		 s.e[1].addr[0] == 203 && s.e[1].addr[1] == 0 && s.e[1].addr[2] == 0,
		 "by network: 198.18.0.0/16 with 1536 leads, the client's 203.0.0.0/16 30 "
		 "(%u networks, %lu %lu)", s.n, (unsigned long)s.e[0].count,
		 s.n > 1 ? (unsigned long)s.e[1].count : 0ul);
	memset(&top_a, 0, sizeof(top_a));
}

/* Merge of two workers: counts add, and the error bound covers a source
 * one full summary may have counted without monitoring it. */
static void
test_merge(void)
{
	struct sk_top_summary s1, s2;
	const struct sk_top_summary *in[2] = { &s1, &s2 };
	struct sk_top_entry out[8];
	uint8_t a[16], b[16];
	unsigned int i, m;

	sk_top_init(&top_a, NULL, 0);
	sk_top_init(&top_b, NULL, 0);
	ip4(a, 0x0a000001);
	ip4(b, 0x0a000002);
	for (i = 0; i < 100; i++)
		sk_top_note(&top_a, SK_TOP_NEW, 4, a);
	for (i = 0; i < 50; i++)
		sk_top_note(&top_b, SK_TOP_NEW, 4, a);
	for (i = 0; i < 70; i++)
		sk_top_note(&top_b, SK_TOP_NEW, 4, b);
	sk_top_export(&top_a.cur[SK_TOP_NEW], &s1);
	sk_top_export(&top_b.cur[SK_TOP_NEW], &s2);
	m = sk_top_merge(in, 2, out, 8);
	SK_CHECK(m == 2 && memcmp(out[0].addr, a, 16) == 0 && out[0].count == 150 &&
		 out[0].err == 0 && memcmp(out[1].addr, b, 16) == 0 && out[1].count == 70,
		 "merged: a 100+50 = 150 first, b 70 (got %u entries, %lu)", m,
		 m ? (unsigned long)out[0].count : 0ul);
	SK_CHECK(sk_top_merge(in, 2, out, 1) == 1 && out[0].count == 150, "max 1: only a");

	/* worker A full of other sources: b may hide in its minimum */
	for (i = 0; i < 200; i++) {
		uint8_t x[16];

		ip4(x, 0x0c000000 + i);
		sk_top_note(&top_a, SK_TOP_NEW, 4, x);
	}
	sk_top_export(&top_a.cur[SK_TOP_NEW], &s1);
	m = sk_top_merge(in, 2, out, 8);
	for (i = 0; i < m && memcmp(out[i].addr, b, 16) != 0; i++)
		;
	SK_CHECK(i < m && out[i].count == 70 && out[i].err > 0,
		 "b unmonitored in a full summary: its error covers that summary's minimum (%u)",
		 i < m ? out[i].err : 0);
}

/* Minute roll, publication, snapshot and the REST document. */
static void
test_doc(void)
{
	static struct sk_shm_top shm;
	static struct sk_top_worker snap[SK_TOP_WORKERS];
	uint64_t drops[SK_DROP__MAX];
	uint8_t a[16];
	json_t *doc, *d, *first;
	unsigned int i;
	int nw;

	memset(&shm, 0, sizeof(shm));
	memset(drops, 0, sizeof(drops));
	shm.n_workers = 2;
	shm.magic = SK_TOP_MAGIC;
	sk_top_init(&top_a, &shm.w[0], 1000);
	sk_top_init(&top_b, &shm.w[1], 1000);
	ip4(a, 0xc6336407);
	for (i = 0; i < 30; i++)
		sk_top_note(&top_a, SK_TOP_DENIED, 4, a);
	drops[SK_DROP_SRC_RATE_LIMIT] = 30;
	sk_top_tick(&top_a, 61000, drops);   /* a minute: roll, then publish */
	sk_top_tick(&top_b, 61000, drops);
	for (i = 0; i < 12; i++)
		sk_top_note(&top_b, SK_TOP_DENIED, 4, a);
	drops[SK_DROP_SRC_RATE_LIMIT] = 42;
	sk_top_tick(&top_b, 62500, drops);   /* 1.5 s later: publish only */
	SK_CHECK(shm.w[0].seq == 2 && shm.w[1].seq == 4 && shm.w[0].prev_valid,
		 "published under even sequence counts (%u, %u)", shm.w[0].seq, shm.w[1].seq);
	nw = sk_top_snapshot(&shm, snap, SK_TOP_WORKERS);
	SK_CHECK(nw == 2, "snapshot of 2 workers");
	shm.w[1].seq++;   /* a writer caught mid-copy forever: refused, not torn */
	SK_CHECK(sk_top_snapshot(&shm, snap, SK_TOP_WORKERS) == -EAGAIN, "odd sequence: -EAGAIN");
	shm.w[1].seq++;
	if (nw != 2)
		return;
	doc = sk_top_doc(snap, 2, 5);
	SK_CHECK(doc != NULL, "document built");
	if (doc == NULL)
		return;
	char *txt = json_dumps(doc, JSON_COMPACT);

	printf("# %s\n", txt ? txt : "?");
	free(txt);
	first = json_array_get(json_object_get(doc, "denied"), 0);
	SK_CHECK(first != NULL && strcmp(json_string_value(json_object_get(first, "src")),
					 "198.51.100.7") == 0 &&
		 json_integer_value(json_object_get(first, "count")) == 42,
		 "denied: 198.51.100.7 with 30 (previous minute) + 12 (this one)");
	d = json_object_get(doc, "drops");
	SK_CHECK(json_integer_value(json_object_get(d, "src_rate_limit")) == 30 + 30 + 12,
		 "drops over the window: worker 0 30, worker 1 30 + 12 (%lld)",
		 (long long)json_integer_value(json_object_get(d, "src_rate_limit")));
	SK_CHECK(json_object_get(d, "policy_rule_drop") == NULL, "reasons with none left out");
	SK_CHECK(json_integer_value(json_object_get(doc, "window_s")) == 61 &&
		 json_integer_value(json_object_get(doc, "denied_total")) == 42,
		 "window 60 + 1.5 s, 42 denied in all");
	SK_CHECK(json_array_size(json_object_get(doc, "new_connections")) == 0,
		 "no new connections noted: empty list");
	{
		/* sekishoctl top renders the same document */
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		int rc = f != NULL ? sk_ctl_view_top(f, doc) : -1;

		if (f != NULL)
			fclose(f);
		printf("# sekishoctl top:\n");
		for (char *l = buf, *e; l != NULL && *l != '\0'; l = e != NULL ? e + 1 : NULL) {
			e = strchr(l, '\n');
			printf("#   %.*s\n", e != NULL ? (int)(e - l) : (int)strlen(l), l);
		}
		SK_CHECK(rc == 0 && buf != NULL && strstr(buf, "198.51.100.7") != NULL &&
			 strstr(buf, "src_rate_limit") != NULL && strstr(buf, "last 61 s") != NULL,
			 "sekishoctl top shows the source, the reason and the window");
		free(buf);
	}
	json_decref(doc);
}

static const char *
q_n(const struct sk_api_req *req, const char *key)
{
	return strcmp(key, "n") == 0 ? req->query_ctx : NULL;
}

/* The route: registered, n checked before anything else, 503 unattached. */
static void
test_route(void)
{
	const struct sk_api_route *r;
	struct sk_cp cp;
	struct sk_api_req req;
	struct sk_api_resp resp;
	const char *bad[] = { "0", "65", "x", "" };

	for (r = sk_api_routes_top; r->method != NULL && strcmp(r->pattern, "/api/v1/top"); r++)
		;
	SK_CHECK(r->method != NULL && strcmp(r->method, "GET") == 0, "GET /api/v1/top routed");
	if (r->method == NULL)
		return;
	memset(&cp, 0, sizeof(cp));
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.path = "/api/v1/top";
	req.query = q_n;
	for (unsigned int i = 0; i < 4; i++) {
		memset(&resp, 0, sizeof(resp));
		req.query_ctx = (void *)(uintptr_t)bad[i];
		r->fn(&cp, &req, &resp);
		SK_CHECK(resp.status == 400, "n=\"%s\": 400 (%d)", bad[i], resp.status);
		json_decref(resp.json);
	}
	memset(&resp, 0, sizeof(resp));
	req.query_ctx = (void *)(uintptr_t)"64";
	r->fn(&cp, &req, &resp);
	SK_CHECK(resp.status == 503, "n=64 without a dataplane: 503 (%d)", resp.status);
	json_decref(resp.json);
}

int
main(int argc, char **argv)
{
	(void)argc;
	if (sk_test_eal_init(argv[0]) < 0) {
		printf("not ok 1 - EAL init failed\n");
		return 1;
	}
	test_space_saving();
	test_networks();
	test_merge();
	test_doc();
	test_route();
	{
		struct sk_ctl_args a;
		char *cargv[] = { (char *)"sekishoctl", (char *)"top", (char *)"--limit",
				 (char *)"5", NULL };
		char err[128];

		SK_CHECK(sk_ctl_args_parse(4, cargv, &a, err, sizeof(err)) == 0 &&
			 a.cmd == SK_CTL_CMD_TOP && a.filter.limit == 5, "sekishoctl top --limit 5");
	}
	return SK_TEST_DONE();
}
