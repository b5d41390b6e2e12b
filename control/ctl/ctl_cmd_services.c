/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_cmd_services.c - the load balancer: `services [NAME]` (the services
 * of the running config with their backends, configured and as they run)
 * and `backend SERVICE BACKEND enable|drain|disable|weight N` (a runtime
 * change; it lasts until a commit changes that backend's configured state
 * or weight).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ctl_http.h"
#include "ctl_table.h"
#include "ctl_view.h"

static const struct sk_ctl_col backend_cols[] = {
	{ "SERVICE", "service", SK_CTL_F_STR },
	{ "BACKEND", "name", SK_CTL_F_STR },
	{ "ADDRESS", "address", SK_CTL_F_STR },
	{ "PORT", "port", SK_CTL_F_NUM },
	{ "CFG STATE", "state", SK_CTL_F_STR },
	{ "ADMIN", "runtime.admin", SK_CTL_F_STR },
	{ "HEALTH", "runtime.health", SK_CTL_F_STR },
	{ "WEIGHT", "runtime.weight|weight", SK_CTL_F_NUM },
	{ "ACTIVE", "runtime.active", SK_CTL_F_NUM },
	{ "CONNS", "runtime.conns", SK_CTL_F_NUM },
	{ "PKTS IN", "runtime.pkts_orig", SK_CTL_F_NUM },
	{ "PKTS OUT", "runtime.pkts_reply", SK_CTL_F_NUM },
	{ "BYTES IN", "runtime.bytes_orig", SK_CTL_F_BYTES },
	{ "BYTES OUT", "runtime.bytes_reply", SK_CTL_F_BYTES },
	{ "CHECKED", "health_detail.last_check_s", SK_CTL_F_TIME },
	{ "LAST ERROR", "health_detail.last_error", SK_CTL_F_STR },
};

#define NCOLS(c) ((unsigned int)(sizeof(c) / sizeof((c)[0])))

/* Backends of one service as table rows: "service" added, the checker's
 * ms timestamp as seconds (the table's time format takes s or ns), an empty
 * last error left out. */
static void
add_backend_rows(json_t *rows, const json_t *svc)
{
	const json_t *name = json_object_get(svc, "name"), *be;
	size_t i;

	json_array_foreach(json_object_get(svc, "backends"), i, be) {
		json_t *row = json_deep_copy(be), *hd;

		if (row == NULL)
			continue;
		if (json_is_string(name))
			json_object_set(row, "service", (json_t *)name);
		hd = json_object_get(row, "health_detail");
		if (json_is_object(hd)) {
			json_int_t ms = json_integer_value(json_object_get(hd, "last_check_ms"));
			const char *e = json_string_value(json_object_get(hd, "last_error"));

			if (ms > 0)
				json_object_set_new(hd, "last_check_s", json_integer(ms / 1000));
			if (e != NULL && *e == '\0')
				json_object_del(hd, "last_error");
		}
		json_array_append_new(rows, row);
	}
}

/* "2/3" backends that take new connections, or "-/3" without runtime. */
static void
serving(char *buf, size_t len, const json_t *svc)
{
	const json_t *t = json_object_get(svc, "totals");
	size_t n = json_array_size(json_object_get(svc, "backends"));

	if (json_is_object(t))
		snprintf(buf, len, "%" PRIu64 "/%zu", sk_ctl_json_u64(t, "serving", 0), n);
	else
		snprintf(buf, len, "-/%zu", n);
}

static int
services_table(FILE *out, const json_t *list)
{
	static const char *const titles[] = { "SERVICE", "VIP", "PROTO", "PORT", "SCHED",
		"FORWARD", "SERVING", "ACTIVE", "CONNS", "BYTES IN", "BYTES OUT" };
	struct sk_ctl_table *t = sk_ctl_table_new(NCOLS(titles));
	const json_t *svc;
	unsigned int c;
	size_t i;
	int rc = 0;

	if (t == NULL)
		return -1;
	for (c = 0; c < NCOLS(titles); c++)
		sk_ctl_table_col(t, c, titles[c], c >= 6);
	json_array_foreach(list, i, svc) {
		const json_t *tot = json_object_get(svc, "totals");
		char cells[NCOLS(titles)][64];
		const char *p[NCOLS(titles)];

		sk_ctl_fmt_value(cells[0], 64, json_object_get(svc, "name"), SK_CTL_F_STR, 0);
		sk_ctl_fmt_value(cells[1], 64, json_object_get(svc, "vip"), SK_CTL_F_STR, 0);
		sk_ctl_fmt_value(cells[2], 64, json_object_get(svc, "proto"), SK_CTL_F_STR, 0);
		sk_ctl_fmt_value(cells[3], 64, json_object_get(svc, "port"), SK_CTL_F_STR, 0);
		sk_ctl_fmt_value(cells[4], 64, json_object_get(svc, "scheduler"), SK_CTL_F_STR, 0);
		sk_ctl_fmt_value(cells[5], 64, json_object_get(svc, "forward"), SK_CTL_F_STR, 0);
		serving(cells[6], 64, svc);
		sk_ctl_fmt_value(cells[7], 64, json_object_get(tot, "active"), SK_CTL_F_NUM, 0);
		sk_ctl_fmt_value(cells[8], 64, json_object_get(tot, "conns"), SK_CTL_F_NUM, 0);
		sk_ctl_fmt_value(cells[9], 64, json_object_get(tot, "bytes_orig"), SK_CTL_F_BYTES, 0);
		sk_ctl_fmt_value(cells[10], 64, json_object_get(tot, "bytes_reply"), SK_CTL_F_BYTES, 0);
		for (c = 0; c < NCOLS(titles); c++)
			p[c] = cells[c];
		if (sk_ctl_table_add(t, p) != 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0)
		sk_ctl_table_print(out, t);
	sk_ctl_table_free(t);
	return rc;
}

static void
runtime_note(FILE *out, const json_t *doc)
{
	const char *why = json_string_value(json_object_get(doc, "runtime_error"));

	if (json_is_false(json_object_get(doc, "runtime")) && why != NULL)
		fprintf(out, "(configured view only: %s)\n", why);
}

int
sk_ctl_view_services(FILE *out, const json_t *doc)
{
	const json_t *list = sk_ctl_json_list(doc, "services");
	json_t *rows;
	const json_t *svc;
	size_t i;
	int rc;

	if (list == NULL)
		return SK_CTL_EXIT_API;
	if (json_array_size(list) == 0) {
		fprintf(out, "no services\n");
		return 0;
	}
	if (services_table(out, list) != 0)
		return SK_CTL_EXIT_API;
	rows = json_array();
	if (rows == NULL)
		return SK_CTL_EXIT_API;
	json_array_foreach(list, i, svc)
		add_backend_rows(rows, svc);
	fputc('\n', out);
	rc = sk_ctl_render_list(out, rows, backend_cols, NCOLS(backend_cols), 0);
	json_decref(rows);
	runtime_note(out, doc);
	return rc < 0 ? SK_CTL_EXIT_API : 0;
}

int
sk_ctl_view_service(FILE *out, const json_t *doc)
{
	json_t *rows;
	int rc;

	if (!json_is_object(doc) || !json_is_array(json_object_get(doc, "backends")))
		return SK_CTL_EXIT_API;
	sk_ctl_render_object(out, doc, "backends|runtime|runtime_error");
	rows = json_array();
	if (rows == NULL)
		return SK_CTL_EXIT_API;
	add_backend_rows(rows, doc);
	fputc('\n', out);
	rc = sk_ctl_render_list(out, rows, backend_cols + 1, NCOLS(backend_cols) - 1, 0);
	json_decref(rows);
	runtime_note(out, doc);
	return rc < 0 ? SK_CTL_EXIT_API : 0;
}

int
sk_ctl_view_backend(FILE *out, const json_t *doc)
{
	const char *svc = json_string_value(json_object_get(doc, "service"));
	const char *be = json_string_value(json_object_get(doc, "name"));
	const json_t *rt = json_object_get(doc, "runtime");
	const char *admin, *health;

	if (svc == NULL || be == NULL)
		return SK_CTL_EXIT_API;
	if (!json_is_object(rt)) {
		fprintf(out, "%s/%s: changed (runtime view unavailable)\n", svc, be);
		runtime_note(out, doc);
		return 0;
	}
	admin = json_string_value(json_object_get(rt, "admin"));
	health = json_string_value(json_object_get(rt, "health"));
	fprintf(out, "%s/%s: admin %s, weight %" PRIu64 ", health %s, %" PRIu64 " active\n", svc,
		be, admin != NULL ? admin : "?", sk_ctl_json_u64(rt, "weight", 0),
		health != NULL ? health : "?", sk_ctl_json_u64(rt, "active", 0));
	return 0;
}

json_t *
sk_ctl_backend_body(const struct sk_ctl_args *a)
{
	if (a->lb_action == NULL)
		return NULL;
	if (strcmp(a->lb_action, "weight") == 0)
		return json_pack("{s:i}", "weight", (int)a->lb_weight);
	if (strcmp(a->lb_action, "enable") == 0 || strcmp(a->lb_action, "drain") == 0 ||
	    strcmp(a->lb_action, "disable") == 0)
		return json_pack("{s:s}", "action", a->lb_action);
	return NULL;
}

/* Append s percent-encoded (RFC 3986 unreserved kept); "." and ".." fully,
 * so no client or proxy folds them as dot segments. */
static int
put_seg(char *buf, size_t len, size_t *pos, const char *s)
{
	int dots = strcmp(s, ".") == 0 || strcmp(s, "..") == 0;

	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		int keep = !dots && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
				     (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
				     ch == '.' || ch == '~');
		int n = keep ? snprintf(buf + *pos, len - *pos, "%c", ch) :
			       snprintf(buf + *pos, len - *pos, "%%%02X", ch);

		if (n < 0 || (size_t)n >= len - *pos)
			return -1;
		*pos += (size_t)n;
	}
	return 0;
}

int
sk_ctl_services_path(char *buf, size_t len, const char *service, const char *backend)
{
	size_t pos = 0;
	int n = snprintf(buf, len, "/services/");

	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	pos = (size_t)n;
	if (put_seg(buf, len, &pos, service) != 0)
		return -ENAMETOOLONG;
	if (backend == NULL)
		return 0;
	n = snprintf(buf + pos, len - pos, "/backends/");
	if (n < 0 || (size_t)n >= len - pos)
		return -ENAMETOOLONG;
	pos += (size_t)n;
	return put_seg(buf, len, &pos, backend) != 0 ? -ENAMETOOLONG : 0;
}

static int
cmd_backend(struct sk_ctl_http *h, const struct sk_ctl_args *a)
{
	struct sk_ctl_resp r;
	char path[512];
	json_t *body;
	int rc;

	if (sk_ctl_services_path(path, sizeof(path), a->pos[0], a->pos[1]) != 0) {
		fprintf(stderr, "sekishoctl: backend: names too long\n");
		return SK_CTL_EXIT_USAGE;
	}
	body = sk_ctl_backend_body(a);
	if (body == NULL)
		return SK_CTL_EXIT_USAGE;
	rc = sk_ctl_call(h, "POST", path, "", body, NULL, &r);
	json_decref(body);
	if (rc != 0)
		return rc;
	if (a->json) {
		sk_ctl_resp_print_raw(stdout, &r);
	} else {
		rc = sk_ctl_view_backend(stdout, r.json);
		if (rc != 0)
			fprintf(stderr, "sekishoctl: %s: unexpected answer from the API\n", path);
	}
	sk_ctl_resp_free(&r);
	return rc;
}

int
sk_ctl_cmd_services(struct sk_ctl_http *h, const struct sk_ctl_args *a)
{
	struct sk_ctl_resp r;
	char path[512] = "/services";
	int rc;

	if (a->cmd == SK_CTL_CMD_BACKEND)
		return cmd_backend(h, a);
	if (a->cmd != SK_CTL_CMD_SERVICES)
		return SK_CTL_EXIT_USAGE;
	if (a->n_pos == 1 && sk_ctl_services_path(path, sizeof(path), a->pos[0], NULL) != 0) {
		fprintf(stderr, "sekishoctl: services: name too long\n");
		return SK_CTL_EXIT_USAGE;
	}
	rc = sk_ctl_call(h, "GET", path, "", NULL, NULL, &r);
	if (rc != 0)
		return rc;
	if (a->json) {
		sk_ctl_resp_print_raw(stdout, &r);
	} else {
		rc = a->n_pos == 1 ? sk_ctl_view_service(stdout, r.json) :
				     sk_ctl_view_services(stdout, r.json);
		if (rc != 0)
			fprintf(stderr, "sekishoctl: %s: unexpected answer from the API\n", path);
	}
	sk_ctl_resp_free(&r);
	return rc;
}
