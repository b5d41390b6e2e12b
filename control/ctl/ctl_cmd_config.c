/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_cmd_config.c - the running config: show, check, commit, diff,
 * rollback.  A commit always names the generation it replaces; by default
 * the one GET /config reports just before, so a commit that lands in
 * between makes ours fail with 409 stale_generation rather than silently
 * overwrite it.  On the standby unit of an HA pair the API refuses a
 * commit or rollback (409 standby) unless --force puts "force": true in it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_http.h"
#include "ctl_table.h"
#include "ctl_view.h"

#define CONFIG_MAX (16u << 20)

int
sk_ctl_file_read(const char *path, size_t max, char **buf, size_t *len)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = 65536, n = 0;
	char *p = NULL, *np;
	int rc = 0;

	*buf = NULL;
	*len = 0;
	if (fp == NULL)
		return -errno;
	for (;;) {
		size_t got;

		if (p == NULL || n + 1 >= cap) {
			if (p != NULL)
				cap *= 2;
			np = realloc(p, cap);
			if (np == NULL) {
				rc = -ENOMEM;
				break;
			}
			p = np;
		}
		got = fread(p + n, 1, cap - n - 1, fp);
		n += got;
		if (n > max) {
			rc = -EFBIG;
			break;
		}
		if (got == 0) {
			if (ferror(fp))
				rc = -EIO;
			break;
		}
	}
	if (fp != stdin)
		fclose(fp);
	if (rc != 0) {
		free(p);
		return rc;
	}
	p[n] = '\0';
	*buf = p;
	*len = n;
	return 0;
}

json_t *
sk_ctl_commit_body(const char *text, uint64_t replaces)
{
	return json_pack("{s:s, s:I}", "text", text, "replaces", (json_int_t)replaces);
}

static void
print_errors(FILE *err, const json_t *errors, const char *file)
{
	const json_t *e;
	size_t i;

	json_array_foreach(errors, i, e) {
		const char *f = json_string_value(json_object_get(e, "file"));
		const char *m = json_string_value(json_object_get(e, "message"));
		json_int_t line = json_integer_value(json_object_get(e, "line"));

		if (f == NULL || *f == '\0')
			f = file;
		if (m == NULL)
			m = json_is_string(e) ? json_string_value(e) : "(no message)";
		if (line > 0)
			fprintf(err, "%s:%lld: %s\n", f, (long long)line, m);
		else
			fprintf(err, "%s: %s\n", f, m);
	}
}

int
sk_ctl_view_check(FILE *out, FILE *err, const json_t *doc, const char *file)
{
	const json_t *errors, *summary, *valid;

	if (!json_is_object(doc))
		return SK_CTL_EXIT_API;
	errors = sk_ctl_json_get(doc, "errors|details.errors");
	valid = json_object_get(doc, "valid");
	if (json_array_size(errors) > 0 || json_is_false(valid)) {
		print_errors(err, errors, file);
		fprintf(err, "%s: invalid (%zu errors)\n", file, json_array_size(errors));
		return SK_CTL_EXIT_API;
	}
	fprintf(out, "%s: ok\n", file);
	summary = json_object_get(doc, "summary");
	if (json_is_object(summary))
		sk_ctl_render_object(out, summary, NULL);
	return 0;
}

int
sk_ctl_view_commit(FILE *out, const json_t *doc, uint64_t replaces)
{
	const json_t *gen = sk_ctl_json_get(doc, "generation|gen");
	const json_t *ms = sk_ctl_json_get(doc, "build_ms");

	if (!json_is_integer(gen))
		return SK_CTL_EXIT_API;
	fprintf(out, "running generation %lld (replaced %" PRIu64 ")",
		(long long)json_integer_value(gen), replaces);
	if (json_is_number(ms))
		fprintf(out, ", built in %.0f ms", json_number_value(ms));
	fputc('\n', out);
	if (json_is_object(json_object_get(doc, "confirm")))
		fprintf(out, "confirm within %lld s (sekishoctl config confirm), else generation "
			"%lld rolls back to the config of archive %lld\n",
			(long long)json_integer_value(sk_ctl_json_get(doc, "confirm.remaining_s")),
			(long long)json_integer_value(gen),
			(long long)json_integer_value(sk_ctl_json_get(doc, "confirm.rollback_to")));
	if (json_is_integer(json_object_get(doc, "confirmed")))
		fprintf(out, "generation %lld, which awaited confirmation, is settled by this commit\n",
			(long long)json_integer_value(json_object_get(doc, "confirmed")));
	return 0;
}

/* The running generation, from GET /config. */
static int
current_generation(struct sk_ctl_http *h, uint64_t *gen, struct sk_ctl_resp *keep)
{
	struct sk_ctl_resp r;
	const json_t *g;
	int rc = sk_ctl_call(h, "GET", "/config", "", NULL, NULL, &r);

	if (rc != 0)
		return rc;
	g = sk_ctl_json_get(r.json, "generation|gen");
	if (!json_is_integer(g) || json_integer_value(g) < 0) {
		fprintf(stderr, "sekishoctl: GET /config: no generation in the answer\n");
		sk_ctl_resp_free(&r);
		return SK_CTL_EXIT_API;
	}
	*gen = (uint64_t)json_integer_value(g);
	if (keep != NULL)
		*keep = r;
	else
		sk_ctl_resp_free(&r);
	return 0;
}

static int
read_config(const char *path, char **text, size_t *len)
{
	int rc = sk_ctl_file_read(path, CONFIG_MAX, text, len);

	if (rc != 0) {
		fprintf(stderr, "sekishoctl: %s: %s\n", path,
			rc == -EFBIG ? "larger than 16 MiB" : strerror(-rc));
		return SK_CTL_EXIT_USAGE;
	}
	if (memchr(*text, '\0', *len) != NULL) {
		fprintf(stderr, "sekishoctl: %s: not a text file\n", path);
		free(*text);
		return SK_CTL_EXIT_USAGE;
	}
	return 0;
}

static int
cmd_show(struct sk_ctl_http *h, const struct sk_ctl_args *a)
{
	struct sk_ctl_resp r;
	const json_t *text;
	uint64_t gen;
	int rc = current_generation(h, &gen, &r);

	if (rc != 0)
		return rc;
	if (a->json) {
		sk_ctl_resp_print_raw(stdout, &r);
	} else {
		text = json_object_get(r.json, "text");
		if (!json_is_string(text)) {
			fprintf(stderr, "sekishoctl: GET /config: no text in the answer\n");
			rc = SK_CTL_EXIT_API;
		} else {
			/* exactly the text, so "config show > f" round-trips */
			fwrite(json_string_value(text), 1, json_string_length(text), stdout);
		}
	}
	sk_ctl_resp_free(&r);
	return rc;
}

static int
cmd_check(struct sk_ctl_http *h, const struct sk_ctl_args *a)
{
	struct sk_ctl_resp r;
	size_t len;
	char *text;
	int rc = read_config(a->pos[0], &text, &len);

	if (rc != 0)
		return rc;
	rc = sk_ctl_http_request(h, "POST", "/config/validate", "", text, len, "text/plain", &r);
	free(text);
	if (rc != 0)
		return rc;
	if (a->json)
		sk_ctl_resp_print_raw(stdout, &r);
	if (sk_ctl_exit_for_status(r.status) != 0) {
		sk_ctl_print_api_error(stderr, r.status, r.json, r.body, r.len, a->pos[0]);
		rc = SK_CTL_EXIT_API;
	} else if (a->json) {
		/* a 200 that says invalid still fails */
		rc = json_array_size(sk_ctl_json_get(r.json, "errors")) > 0 ||
		     json_is_false(json_object_get(r.json, "valid")) ? SK_CTL_EXIT_API : 0;
	} else {
		rc = sk_ctl_view_check(stdout, stderr, r.json, a->pos[0]);
	}
	sk_ctl_resp_free(&r);
	return rc;
}

static int
cmd_commit(struct sk_ctl_http *h, const struct sk_ctl_args *a)
{
	struct sk_ctl_resp r;
	uint64_t replaces = a->replaces;
	json_t *body;
	size_t len;
	char *text;
	int rc = read_config(a->pos[0], &text, &len);

	if (rc != 0)
		return rc;
	if (!(a->given & SK_CTL_O_REPLACES))
		rc = current_generation(h, &replaces, NULL);
	body = rc == 0 ? sk_ctl_commit_body(text, replaces) : NULL;
	free(text);
	if (rc != 0)
		return rc;
	if (body == NULL || (a->force && json_object_set_new(body, "force", json_true()) != 0) ||
	    (a->confirm_s && json_object_set_new(body, "confirm_within",
						 json_integer(a->confirm_s)) != 0)) {
		json_decref(body);
		return SK_CTL_EXIT_API;
	}
	rc = sk_ctl_call(h, "POST", "/config/commit", "", body, a->pos[0], &r);
	json_decref(body);
	if (rc != 0)
		return rc;
	if (a->json)
		sk_ctl_resp_print_raw(stdout, &r);
	else
		rc = sk_ctl_view_commit(stdout, r.json, replaces);
	sk_ctl_resp_free(&r);
	return rc;
}

/* POST /config/confirm: keep the commit made with --confirm. */
static int
cmd_confirm(struct sk_ctl_http *h, const struct sk_ctl_args *a)
{
	struct sk_ctl_resp r;
	const json_t *g, *left;
	json_t *body = a->gen ? json_pack("{s:I}", "generation", (json_int_t)a->gen)
			      : json_object();
	int rc;

	if (body == NULL)
		return SK_CTL_EXIT_API;
	rc = sk_ctl_call(h, "POST", "/config/confirm", "", body, NULL, &r);
	json_decref(body);
	if (rc != 0)
		return rc;
	if (a->json) {
		sk_ctl_resp_print_raw(stdout, &r);
	} else {
		g = sk_ctl_json_get(r.json, "confirmed");
		left = sk_ctl_json_get(r.json, "remaining_s");
		if (json_is_integer(g))
			fprintf(stdout, "generation %lld confirmed (%lld s were left)\n",
				(long long)json_integer_value(g),
				(long long)json_integer_value(left));
		else
			rc = SK_CTL_EXIT_API;
	}
	sk_ctl_resp_free(&r);
	return rc;
}

static int
cmd_diff(struct sk_ctl_http *h, const struct sk_ctl_args *a)
{
	struct sk_ctl_resp r;
	const json_t *diff;
	json_t *body;
	size_t len;
	char *text;
	int rc = read_config(a->pos[0], &text, &len);

	if (rc != 0)
		return rc;
	body = json_pack("{s:s}", "text", text);
	free(text);
	if (body == NULL)
		return SK_CTL_EXIT_API;
	rc = sk_ctl_call(h, "POST", "/config/diff", "", body, a->pos[0], &r);
	json_decref(body);
	if (rc != 0)
		return rc;
	if (a->json) {
		sk_ctl_resp_print_raw(stdout, &r);
	} else {
		diff = r.json != NULL ? sk_ctl_json_get(r.json, "diff|text") : NULL;
		if (r.json == NULL && r.len > 0)        /* text/x-diff straight */
			fwrite(r.body, 1, r.len, stdout);
		else if (!json_is_string(diff))
			rc = SK_CTL_EXIT_API;
		else if (json_string_length(diff) == 0)
			fprintf(stderr, "no differences from the running config\n");
		else
			fwrite(json_string_value(diff), 1, json_string_length(diff), stdout);
		if (rc != 0)
			fprintf(stderr, "sekishoctl: /config/diff: unexpected answer from the API\n");
	}
	sk_ctl_resp_free(&r);
	return rc;
}

static int
cmd_rollback(struct sk_ctl_http *h, const struct sk_ctl_args *a)
{
	struct sk_ctl_resp r;
	uint64_t replaces = a->replaces;
	json_t *body;
	int rc = 0;

	if (!(a->given & SK_CTL_O_REPLACES))
		rc = current_generation(h, &replaces, NULL);
	if (rc != 0)
		return rc;
	body = json_pack("{s:I, s:I}", "generation", (json_int_t)a->gen,
			 "replaces", (json_int_t)replaces);
	if (body == NULL || (a->force && json_object_set_new(body, "force", json_true()) != 0)) {
		json_decref(body);
		return SK_CTL_EXIT_API;
	}
	rc = sk_ctl_call(h, "POST", "/config/rollback", "", body, NULL, &r);
	json_decref(body);
	if (rc != 0)
		return rc;
	if (a->json) {
		sk_ctl_resp_print_raw(stdout, &r);
	} else {
		fprintf(stdout, "rolled back to the config of generation %" PRIu64 "; ", a->gen);
		rc = sk_ctl_view_commit(stdout, r.json, replaces);
		if (rc != 0)
			fprintf(stdout, "\n");
		rc = 0; /* the API said yes; an answer without details is not a failure */
	}
	sk_ctl_resp_free(&r);
	return rc;
}

int
sk_ctl_cmd_config(struct sk_ctl_http *h, const struct sk_ctl_args *a)
{
	switch (a->cmd) {
	case SK_CTL_CMD_CONFIG_SHOW: return cmd_show(h, a);
	case SK_CTL_CMD_CONFIG_CHECK: return cmd_check(h, a);
	case SK_CTL_CMD_CONFIG_COMMIT: return cmd_commit(h, a);
	case SK_CTL_CMD_CONFIG_CONFIRM: return cmd_confirm(h, a);
	case SK_CTL_CMD_CONFIG_DIFF: return cmd_diff(h, a);
	case SK_CTL_CMD_CONFIG_ROLLBACK: return cmd_rollback(h, a);
	default: return SK_CTL_EXIT_USAGE;
	}
}
