/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_cmd_archive.c - config archives: list, show, export a bundle (the
 * full state to rebuild a unit: config, keys, version) and import one.
 * Bundles hold keys, so exported files are created 0600 and replaced
 * atomically: a half-written bundle never sits under the final name.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl_http.h"
#include "ctl_table.h"
#include "ctl_view.h"
#include "util/util_file.h"

#define BUNDLE_MAX SK_CTL_MAX_BODY

int
sk_ctl_view_archives(FILE *out, const json_t *doc, uint64_t now_s)
{
	static const struct sk_ctl_col cols[] = {
		{ "GEN", "generation|gen", SK_CTL_F_NUM },
		{ "COMMITTED", "time|committed|committed_at|created|created_at", SK_CTL_F_TIME },
		{ "AGE", "time|committed|committed_at|created|created_at", SK_CTL_F_AGE },
		{ "BY", "principal|by|user", SK_CTL_F_STR },
		{ "SIZE", "size|bytes|length", SK_CTL_F_BYTES },
		{ "CHECKSUM", "checksum|sha256|crc", SK_CTL_F_STR },
		{ "RUNNING", "running|current|active", SK_CTL_F_STR },
		{ "NOTE", "source|reason|comment|note", SK_CTL_F_STR },
	};
	const json_t *list = sk_ctl_json_list(doc, "archives");
	int rc;

	if (list == NULL)
		return SK_CTL_EXIT_API;
	rc = sk_ctl_render_list(out, list, cols, sizeof(cols) / sizeof(cols[0]), now_s);
	if (rc == 0)
		fprintf(out, "no archives\n");
	return rc < 0 ? SK_CTL_EXIT_API : 0;
}

int
sk_ctl_view_archive(FILE *out, const json_t *doc)
{
	const json_t *text;

	if (!json_is_object(doc))
		return SK_CTL_EXIT_API;
	text = json_object_get(doc, "text");
	sk_ctl_render_object(out, doc, "text");
	if (json_is_string(text)) {
		fputc('\n', out);
		fwrite(json_string_value(text), 1, json_string_length(text), out);
		if (json_string_length(text) > 0 &&
		    json_string_value(text)[json_string_length(text) - 1] != '\n')
			fputc('\n', out);
	}
	return 0;
}

int
sk_ctl_file_write(const char *path, const void *buf, size_t len)
{
	if (strcmp(path, "-") == 0)
		return fwrite(buf, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : -EIO;
	return sk_util_write_atomic(path, buf, len, 0600);
}

static int
cmd_list(struct sk_ctl_http *h, const struct sk_ctl_args *a)
{
	struct sk_ctl_resp r;
	int rc = sk_ctl_call(h, "GET", "/config/archives", "", NULL, NULL, &r);

	if (rc != 0)
		return rc;
	if (a->json)
		sk_ctl_resp_print_raw(stdout, &r);
	else if ((rc = sk_ctl_view_archives(stdout, r.json, (uint64_t)time(NULL))) != 0)
		fprintf(stderr, "sekishoctl: /config/archives: unexpected answer from the API\n");
	sk_ctl_resp_free(&r);
	return rc;
}

static int
cmd_show(struct sk_ctl_http *h, const struct sk_ctl_args *a)
{
	struct sk_ctl_resp r;
	char path[64];
	int rc;

	snprintf(path, sizeof(path), "/config/archives/%" PRIu64, a->gen);
	rc = sk_ctl_call(h, "GET", path, "", NULL, NULL, &r);
	if (rc != 0)
		return rc;
	if (a->json)
		sk_ctl_resp_print_raw(stdout, &r);
	else if ((rc = sk_ctl_view_archive(stdout, r.json)) != 0)
		fprintf(stderr, "sekishoctl: %s: unexpected answer from the API\n", path);
	sk_ctl_resp_free(&r);
	return rc;
}

static int
cmd_export(struct sk_ctl_http *h, const struct sk_ctl_args *a)
{
	struct sk_ctl_resp r;
	char path[64];
	int rc;

	snprintf(path, sizeof(path), "/config/archives/%" PRIu64 "/export", a->gen);
	rc = sk_ctl_http_request(h, "GET", path, "", NULL, 0, NULL, &r);
	if (rc != 0)
		return rc;
	if (sk_ctl_exit_for_status(r.status) != 0) {
		if (a->json && r.json != NULL)
			sk_ctl_resp_print_raw(stdout, &r);
		sk_ctl_print_api_error(stderr, r.status, r.json, r.body, r.len, NULL);
		sk_ctl_resp_free(&r);
		return SK_CTL_EXIT_API;
	}
	rc = sk_ctl_file_write(a->output, r.body, r.len);
	if (rc != 0) {
		fprintf(stderr, "sekishoctl: %s: %s\n", a->output, strerror(-rc));
		rc = SK_CTL_EXIT_USAGE;
	} else if (strcmp(a->output, "-") != 0) {
		fprintf(stderr, "generation %" PRIu64 ": %zu bytes written to %s\n", a->gen, r.len,
			a->output);
	}
	sk_ctl_resp_free(&r);
	return rc;
}

static int
cmd_import(struct sk_ctl_http *h, const struct sk_ctl_args *a)
{
	struct sk_ctl_resp r;
	const json_t *gen;
	size_t len;
	char *buf;
	int rc = sk_ctl_file_read(a->pos[0], BUNDLE_MAX, &buf, &len);

	if (rc != 0) {
		fprintf(stderr, "sekishoctl: %s: %s\n", a->pos[0],
			rc == -EFBIG ? "too large" : strerror(-rc));
		return SK_CTL_EXIT_USAGE;
	}
	rc = sk_ctl_http_request(h, "POST", "/config/archives/import",
				 a->commit ? (a->force ? "?commit=1&force=1" : "?commit=1") : "",
				 buf, len, "application/octet-stream", &r);
	free(buf);
	if (rc != 0)
		return rc;
	if (a->json && r.json != NULL)
		sk_ctl_resp_print_raw(stdout, &r);
	if (sk_ctl_exit_for_status(r.status) != 0) {
		sk_ctl_print_api_error(stderr, r.status, r.json, r.body, r.len, a->pos[0]);
		sk_ctl_resp_free(&r);
		return SK_CTL_EXIT_API;
	}
	if (!a->json) {
		gen = sk_ctl_json_get(r.json, "generation|gen|archived");
		if (json_is_integer(gen))
			printf("%s: imported as archive %lld%s\n", a->pos[0],
			       (long long)json_integer_value(gen),
			       a->commit ? " and committed" : " (not committed: use --commit)");
		else
			sk_ctl_render_object(stdout, r.json, NULL);
	}
	sk_ctl_resp_free(&r);
	return 0;
}

int
sk_ctl_cmd_archive(struct sk_ctl_http *h, const struct sk_ctl_args *a)
{
	switch (a->cmd) {
	case SK_CTL_CMD_ARCHIVES: return cmd_list(h, a);
	case SK_CTL_CMD_ARCHIVE_SHOW: return cmd_show(h, a);
	case SK_CTL_CMD_ARCHIVE_EXPORT: return cmd_export(h, a);
	case SK_CTL_CMD_ARCHIVE_IMPORT: return cmd_import(h, a);
	default: return SK_CTL_EXIT_USAGE;
	}
}
