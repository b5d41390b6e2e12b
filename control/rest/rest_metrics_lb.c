/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rest_metrics_lb.c - the load balancer's backends as Prometheus text:
 * rendered from the GET /api/v1/services document (services_api.h), so
 * the names and numbers a scrape sees are those the API shows.  Pure: JSON
 * in, text out, tested without a dataplane.
 *
 * One family per quantity with the instance in labels {service, backend};
 * direction "orig" is client -> backend, "reply" backend -> client (the
 * connection listing's words).  The admin state is the usual enum-as-gauge:
 * one series per state, 1 for the current one, so a dashboard can sum
 * `sekisho_backend_admin_state{state="drain"}`.  Nothing is rendered when
 * the document carries no runtime (the dataplane did not answer or runs
 * another generation): a stale or guessed sample is worse than none.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest_priv.h"
#include "sk_image.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The admin words, from the one list the config and the image share. */
#define LB_STATE_WORD(e, w) #w,
static const char *const admin_states[] = { SK_LB_STATE_LIST(LB_STATE_WORD) };
#undef LB_STATE_WORD

struct lb_field {
	const char *metric, *type, *help;
	const char *key;            /* in the backend's runtime */
	const char *direction;      /* label value, or NULL */
};

static const struct lb_field lb_fields[] = {
	{ "sekisho_backend_active", "gauge",
	  "Connections to a backend now (all workers).", "active", NULL },
	{ "sekisho_backend_connections_total", "counter",
	  "Connections a backend was given since the generation started.", "conns", NULL },
	{ "sekisho_backend_packets_total", "counter",
	  "Packets of a backend's connections; direction orig = client to backend, "
	  "reply = backend to client.", "pkts_orig", "orig" },
	{ "sekisho_backend_packets_total", NULL, NULL, "pkts_reply", "reply" },
	{ "sekisho_backend_bytes_total", "counter",
	  "Bytes of a backend's connections, by direction as the packets.", "bytes_orig", "orig" },
	{ "sekisho_backend_bytes_total", NULL, NULL, "bytes_reply", "reply" },
	{ "sekisho_backend_weight", "gauge",
	  "A backend's weight now (runtime changes included).", "weight", NULL },
};

/* metric{service="..",backend="..",k3="v3"} value */
static void
lb_sample(FILE *f, const char *metric, const char *svc, const char *be, const char *k3,
	  const char *v3, long long value)
{
	fprintf(f, "%s{service=\"", metric);
	sk_rest_metrics_label(f, svc);
	fputs("\",backend=\"", f);
	sk_rest_metrics_label(f, be);
	fputc('"', f);
	if (k3 != NULL) {
		fprintf(f, ",%s=\"", k3);
		sk_rest_metrics_label(f, v3);
		fputc('"', f);
	}
	fprintf(f, "} %lld\n", value);
}

struct lb_row {
	const char *svc, *be;
	const json_t *rt;            /* the backend's "runtime" object */
};

/* Every backend that carries a runtime, in document order; malloc'd. */
static struct lb_row *
lb_rows(const json_t *services, size_t *n)
{
	struct lb_row *rows = NULL;
	size_t cap = 0, i, j;
	json_t *sv, *be;

	*n = 0;
	json_array_foreach(services, i, sv) {
		const char *sname = json_string_value(json_object_get(sv, "name"));

		json_array_foreach(json_object_get(sv, "backends"), j, be) {
			const char *bname = json_string_value(json_object_get(be, "name"));
			const json_t *rt = json_object_get(be, "runtime");

			if (sname == NULL || bname == NULL || !json_is_object(rt))
				continue;
			if (*n == cap) {
				struct lb_row *g;

				cap = cap ? cap * 2 : 16;
				g = realloc(rows, cap * sizeof(*rows));
				if (g == NULL) {
					free(rows);
					return NULL;
				}
				rows = g;
			}
			rows[(*n)++] = (struct lb_row){ sname, bname, rt };
		}
	}
	return rows;
}

int
sk_rest_metrics_render_lb(const json_t *doc, char **text, size_t *len)
{
	const json_t *services;
	struct lb_row *rows;
	size_t n = 0, nrows = 0, k, r, s;
	char *buf = NULL;
	FILE *f;

	*text = NULL;
	*len = 0;
	if (!json_is_object(doc))
		return -EINVAL;
	f = open_memstream(&buf, &n);
	if (f == NULL)
		return -ENOMEM;
	services = json_object_get(doc, "services");
	if (!json_is_true(json_object_get(doc, "runtime")) || json_array_size(services) == 0)
		goto done;
	rows = lb_rows(services, &nrows);
	if (rows == NULL)
		goto done; /* none with a runtime (or ENOMEM: the rest of /metrics still goes out) */
	for (k = 0; k < NELEM(lb_fields); k++) {
		const struct lb_field *lf = &lb_fields[k];

		if (lf->type != NULL)
			sk_rest_metrics_help(f, lf->metric, lf->type, lf->help);
		for (r = 0; r < nrows; r++) {
			const json_t *v = json_object_get(rows[r].rt, lf->key);

			if (json_is_integer(v))
				lb_sample(f, lf->metric, rows[r].svc, rows[r].be,
					  lf->direction ? "direction" : NULL, lf->direction,
					  (long long)json_integer_value(v));
		}
	}
	sk_rest_metrics_help(f, "sekisho_backend_up", "gauge",
			     "1 when a backend passes its health checks, else 0.");
	for (r = 0; r < nrows; r++)
		lb_sample(f, "sekisho_backend_up", rows[r].svc, rows[r].be, NULL, NULL,
			  json_is_true(json_object_get(rows[r].rt, "healthy")) ? 1 : 0);
	sk_rest_metrics_help(f, "sekisho_backend_admin_state", "gauge",
			     "1 for a backend's admin state now (up, drain, disabled), 0 for the others.");
	for (r = 0; r < nrows; r++) {
		const char *now = json_string_value(json_object_get(rows[r].rt, "admin"));

		for (s = 0; s < NELEM(admin_states); s++)
			lb_sample(f, "sekisho_backend_admin_state", rows[r].svc, rows[r].be, "state",
				  admin_states[s], now != NULL && strcmp(now, admin_states[s]) == 0);
	}
	free(rows);
done:
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
