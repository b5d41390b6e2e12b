/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * top_api.c - GET /api/v1/top (see top_api.h): the workers' heavy-hitter
 * summaries merged into one list per kind, and the drop reasons of the
 * last two minutes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cp.h"
#include "logw/logw.h"
#include "dplink/dplink.h"
#include "api/top_api.h"


/* What makes a minute a flood for the summary line (per second). */
#define TOP_FLOOD_DENIED_PS 1000
#define TOP_FLOOD_NEW_PS    1000

int
sk_top_snapshot(const struct sk_shm_top *shm, struct sk_top_worker *out, unsigned int max)
{
	unsigned int n, i;

	if (__atomic_load_n(&shm->magic, __ATOMIC_ACQUIRE) != SK_TOP_MAGIC)
		return 0;
	n = shm->n_workers < max ? shm->n_workers : max;
	for (i = 0; i < n; i++) {
		const struct sk_top_worker *w = &shm->w[i];
		int tries;

		for (tries = 0; tries < 1000; tries++) {
			uint32_t s1 = __atomic_load_n(&w->seq, __ATOMIC_ACQUIRE);

			if (s1 & 1u)
				continue;
			memcpy(&out[i], (const void *)w, sizeof(out[i]));
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			if (__atomic_load_n(&w->seq, __ATOMIC_RELAXED) == s1)
				break;
		}
		if (tries == 1000)
			return -EAGAIN;
	}
	return (int)n;
}

struct merged {
	struct sk_top_entry e;
	uint32_t seen;     /* bitmask over the first 32 inputs; beyond: counted via `in` */
};

static int
same_src(const struct sk_top_entry *a, const struct sk_top_entry *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, 16) == 0;
}

static int
by_count(const void *a, const void *b)
{
	const struct sk_top_entry *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return memcmp(x->addr, y->addr, 16);
}

unsigned int
sk_top_merge(const struct sk_top_summary *const in[], unsigned int n, struct sk_top_entry *out,
	     unsigned int max)
{
	struct sk_top_entry *all;
	unsigned int cap = 0, m = 0, i, j, k;
	uint64_t *err;

	for (i = 0; i < n; i++)
		cap += in[i]->n < SK_TOP_K ? in[i]->n : SK_TOP_K;
	if (cap == 0 || max == 0)
		return 0;
	all = calloc(cap, sizeof(*all));
	err = calloc(cap, sizeof(*err));
	if (all == NULL || err == NULL) {
		free(all);
		free(err);
		return 0;
	}
	/* union: sum counts and errors where monitored */
	for (i = 0; i < n; i++)
		for (j = 0; j < in[i]->n && j < SK_TOP_K; j++) {
			const struct sk_top_entry *e = &in[i]->e[j];

			for (k = 0; k < m && !same_src(&all[k], e); k++)
				;
			if (k == m) {
				all[m] = *e;
				all[m].count = 0;
				all[m].err = 0;
				m++;
			}
			all[k].count += e->count;
			err[k] += e->err;
		}
	/* full summaries that do not monitor a source may have counted it up to their minimum */
	for (i = 0; i < n; i++) {
		uint64_t min = UINT64_MAX;

		if (in[i]->n < SK_TOP_K)
			continue;   /* not full: a source it lacks never reached it */
		for (j = 0; j < SK_TOP_K; j++)
			if (in[i]->e[j].count < min)
				min = in[i]->e[j].count;
		for (k = 0; k < m; k++) {
			for (j = 0; j < SK_TOP_K && !same_src(&in[i]->e[j], &all[k]); j++)
				;
			if (j == SK_TOP_K)
				err[k] += min;
		}
	}
	for (k = 0; k < m; k++)
		all[k].err = err[k] > UINT32_MAX ? UINT32_MAX : (uint32_t)err[k];
	qsort(all, m, sizeof(*all), by_count);
	if (m > max)
		m = max;
	memcpy(out, all, m * sizeof(*out));
	free(all);
	free(err);
	return m;
}

static json_t *
top_list(const struct sk_top_worker *w, unsigned int nw, enum sk_top_kind kind, unsigned int n,
	 uint64_t *total)
{
	const struct sk_top_summary *in[2 * SK_TOP_WORKERS];
	struct sk_top_entry out[SK_TOP_N_MAX];
	unsigned int i, m, ni = 0;
	json_t *a = json_array();

	*total = 0;
	for (i = 0; i < nw && i < SK_TOP_WORKERS; i++) {
		in[ni++] = &w[i].cur[kind];
		*total += w[i].cur[kind].total;
		if (w[i].prev_valid) {
			in[ni++] = &w[i].prev[kind];
			*total += w[i].prev[kind].total;
		}
	}
	m = sk_top_merge(in, ni, out, n);
	for (i = 0; i < m && a != NULL; i++) {
		char s[INET6_ADDRSTRLEN];

		inet_ntop(out[i].family == 4 ? AF_INET : AF_INET6, out[i].addr, s, sizeof(s));
		if (kind >= SK_TOP_NET) {
			char net[INET6_ADDRSTRLEN + 8];

			snprintf(net, sizeof(net), "%s/%u", s, out[i].family == 4 ?
				 SK_TOP_NET4_PLEN : SK_TOP_NET6_PLEN);
			json_array_append_new(a, json_pack("{s:s,s:I,s:I}", "net", net,
							   "count", (json_int_t)out[i].count,
							   "error", (json_int_t)out[i].err));
			continue;
		}
		json_array_append_new(a, json_pack("{s:s,s:I,s:I}", "src", s,
						   "count", (json_int_t)out[i].count,
						   "error", (json_int_t)out[i].err));
	}
	return a;
}

/* The window the lists cover: the current minute so far, plus the previous
 * one once a worker has kept one. */
static uint32_t
window_ms(const struct sk_top_worker *w, unsigned int nw)
{
	uint32_t cur = 0;
	int prev = 0;

	for (unsigned int i = 0; i < nw; i++) {
		if (w[i].cur_ms > cur)
			cur = w[i].cur_ms;
		prev |= w[i].prev_valid != 0;
	}
	return cur + (prev ? 60000u : 0u);
}

json_t *
sk_top_doc(const struct sk_top_worker *w, unsigned int n_workers, unsigned int n)
{
	json_t *doc, *drops = json_object();
	uint64_t total_denied, total_new, total_net;
	unsigned int r, i;

	for (r = SK_DROP__FIRST; r < SK_DROP__MAX && drops != NULL; r++) {
		uint64_t c = 0;

		for (i = 0; i < n_workers; i++)
			c += w[i].drops_cur[r] + (w[i].prev_valid ? w[i].drops_prev[r] : 0);
		if (c != 0)
			json_object_set_new(drops, sk_drop_names[r], json_integer((json_int_t)c));
	}
	doc = json_object();
	if (doc == NULL || drops == NULL) {
		json_decref(doc);
		json_decref(drops);
		return NULL;
	}
	json_object_set_new(doc, "denied", top_list(w, n_workers, SK_TOP_DENIED, n, &total_denied));
	json_object_set_new(doc, "new_connections", top_list(w, n_workers, SK_TOP_NEW, n,
							     &total_new));
	/* the networks' totals are the same events: counted once, above */
	json_object_set_new(doc, "denied_networks", top_list(w, n_workers, SK_TOP_DENIED_NET, n,
							     &total_net));
	json_object_set_new(doc, "new_connection_networks", top_list(w, n_workers, SK_TOP_NEW_NET,
								     n, &total_net));
	json_object_set_new(doc, "denied_total", json_integer((json_int_t)total_denied));
	json_object_set_new(doc, "new_connections_total", json_integer((json_int_t)total_new));
	json_object_set_new(doc, "drops", drops);
	json_object_set_new(doc, "window_s", json_integer(window_ms(w, n_workers) / 1000));
	json_object_set_new(doc, "workers", json_integer(n_workers));
	json_object_set_new(doc, "n", json_integer(n));
	return doc;
}

int
sk_top_summary_line(const struct sk_top_worker *w, unsigned int n_workers, char *buf, size_t len)
{
	const struct sk_top_summary *in[SK_TOP_WORKERS];
	struct sk_top_entry top[3];
	uint64_t denied = 0, fresh = 0, sources = 0;
	unsigned int i, m, ni = 0;
	size_t off;

	for (i = 0; i < n_workers && i < SK_TOP_WORKERS; i++) {
		if (!w[i].prev_valid)
			continue;
		denied += w[i].prev[SK_TOP_DENIED].total;
		fresh += w[i].prev[SK_TOP_NEW].total;
		sources += w[i].prev[SK_TOP_DENIED].n;
		in[ni++] = &w[i].prev[SK_TOP_DENIED];
	}
	if (denied < 60u * TOP_FLOOD_DENIED_PS && fresh < 60u * TOP_FLOOD_NEW_PS)
		return 0;
	m = sk_top_merge(in, ni, top, 3);
	off = (size_t)snprintf(buf, len, "flood: %llu denied/s, %llu new connections/s over the "
			       "last minute, %s%llu sources monitored; top",
			       (unsigned long long)(denied / 60), (unsigned long long)(fresh / 60),
			       sources >= (uint64_t)SK_TOP_K * ni ? ">= " : "",
			       (unsigned long long)sources);
	for (i = 0; i < m && off < len; i++) {
		char s[INET6_ADDRSTRLEN];

		inet_ntop(top[i].family == 4 ? AF_INET : AF_INET6, top[i].addr, s, sizeof(s));
		off += (size_t)snprintf(buf + off, len - off, " %s (%llu)", s,
					(unsigned long long)top[i].count);
	}
	return 1;
}

static void
get_top(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	static struct sk_top_worker snap[SK_TOP_WORKERS];  /* REST serves one request at a time */
	const struct sk_shm_top *shm;
	const char *v = req->query(req, "n");
	unsigned long n = SK_TOP_N_DEFAULT;
	char *end;
	int nw;

	if (v != NULL) {
		n = strtoul(v, &end, 10);
		if (*v == '\0' || *end != '\0' || n == 0 || n > SK_TOP_N_MAX) {
			sk_api_error(resp, 400, "bad_request", NULL, "n: 1..%d", SK_TOP_N_MAX);
			return;
		}
	}
	if (cp->dp == NULL || (shm = sk_dplink_top(cp->dp)) == NULL) {
		sk_api_error(resp, 503, "dataplane_unavailable", NULL,
			     "the control plane is not attached to a dataplane");
		return;
	}
	nw = sk_top_snapshot(shm, snap, SK_TOP_WORKERS);
	if (nw < 0) {
		sk_api_error(resp, 503, "dataplane_unavailable", NULL,
			     "the dataplane's summaries kept changing");
		return;
	}
	json_t *doc = sk_top_doc(snap, (unsigned int)nw, (unsigned int)n);

	if (doc == NULL) {
		sk_api_error(resp, 500, "internal", NULL, "out of memory");
		return;
	}
	sk_api_ok(resp, doc);
}

const struct sk_api_route sk_api_routes_top[] = {
	{ "GET", "/api/v1/top", get_top,
	  "Top sources by denied packets and new connections, drops per reason (last minute)" },
	{ NULL, NULL, NULL, NULL },
};

void
sk_top_log_tick(struct sk_cp *cp)
{
	static struct sk_top_worker snap[SK_TOP_WORKERS];  /* the daemon loop's own */
	static time_t last;
	const struct sk_shm_top *shm;
	time_t now = time(NULL);
	char line[512];
	int nw;

	if (now - last < 60 || cp->dp == NULL)
		return;
	last = now;
	shm = sk_dplink_top(cp->dp);
	if (shm == NULL || (nw = sk_top_snapshot(shm, snap, SK_TOP_WORKERS)) <= 0)
		return;
	if (!sk_top_summary_line(snap, (unsigned int)nw, line, sizeof(line)))
		return;
	pthread_mutex_lock(&cp->log_lock);
	if (cp->logw != NULL)
		(void)sk_logw_event(cp->logw, "flood", json_pack("{s:s}", "summary", line));
	pthread_mutex_unlock(&cp->log_lock);
}
