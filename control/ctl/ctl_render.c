/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_render.c - JSON answers to tables and key/value listings.  The
 * command files name the columns they want; everything here is generic so
 * the same code renders every resource and its test fixtures.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_table.h"

#define KEY_MAX 128

/* Follow one dotted path ("a.b") through nested objects. */
static const json_t *
get_path(const json_t *obj, const char *path, size_t len)
{
	char key[KEY_MAX];

	while (obj != NULL && len > 0) {
		const char *dot = memchr(path, '.', len);
		size_t n = dot != NULL ? (size_t)(dot - path) : len;

		if (!json_is_object(obj) || n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		obj = json_object_get(obj, key);
		if (dot == NULL)
			break;
		path += n + 1;
		len -= n + 1;
	}
	return obj;
}

const json_t *
sk_ctl_json_get(const json_t *obj, const char *keys)
{
	while (keys != NULL && *keys != '\0') {
		size_t n = strcspn(keys, "|");
		const json_t *v = get_path(obj, keys, n);

		if (v != NULL && !json_is_null(v))
			return v;
		keys += n;
		if (*keys == '|')
			keys++;
	}
	return NULL;
}

static int
to_u64(const json_t *v, uint64_t *out)
{
	char *end;

	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (json_is_real(v) && json_real_value(v) >= 0) {
		*out = (uint64_t)json_real_value(v);
		return 0;
	}
	if (json_is_string(v) && json_string_length(v) > 0) {
		*out = strtoull(json_string_value(v), &end, 10);
		if (*end == '\0')
			return 0;
	}
	return -EINVAL;
}

uint64_t
sk_ctl_json_u64(const json_t *obj, const char *keys, uint64_t def)
{
	const json_t *v = sk_ctl_json_get(obj, keys);
	uint64_t n;

	return v != NULL && to_u64(v, &n) == 0 ? n : def;
}

const json_t *
sk_ctl_json_list(const json_t *doc, const char *keys)
{
	const json_t *v;
	const char *k;

	if (json_is_array(doc))
		return doc;
	if (!json_is_object(doc))
		return NULL;
	v = sk_ctl_json_get(doc, keys);
	if (json_is_array(v))
		return v;
	json_object_foreach((json_t *)doc, k, v)
		if (json_is_array(v))
			return v;
	return NULL;
}

/* Unix seconds from s-or-ns (anything past year 33658 in seconds is ns). */
static uint64_t
unix_seconds(uint64_t v)
{
	return v > 1000000000000ull ? v / 1000000000u : v;
}

static void
fmt_scalar(char *buf, size_t len, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING: snprintf(buf, len, "%s", json_string_value(v)); break;
	case JSON_INTEGER: snprintf(buf, len, "%lld", (long long)json_integer_value(v)); break;
	case JSON_REAL: snprintf(buf, len, "%.6g", json_real_value(v)); break;
	case JSON_TRUE: snprintf(buf, len, "yes"); break;
	case JSON_FALSE: snprintf(buf, len, "no"); break;
	case JSON_NULL: snprintf(buf, len, "-"); break;
	default: {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		snprintf(buf, len, "%s", s != NULL ? s : "?");
		free(s);
	}
	}
}

void
sk_ctl_fmt_value(char *buf, size_t len, const json_t *v, enum sk_ctl_fmt fmt, uint64_t now_s)
{
	uint64_t n;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (v == NULL || json_is_null(v)) {
		snprintf(buf, len, "-");
		return;
	}
	if (json_is_array(v)) {
		size_t i, pos = 0;
		const json_t *e;
		int simple = 1;

		json_array_foreach(v, i, e)
			if (json_is_object(e) || json_is_array(e))
				simple = 0;
		if (simple) {
			json_array_foreach(v, i, e) {
				char one[256];

				fmt_scalar(one, sizeof(one), e);
				if (pos < len)
					pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", i ? "," : "", one);
			}
			if (json_array_size(v) == 0)
				snprintf(buf, len, "-");
			return;
		}
	}
	if (fmt != SK_CTL_F_STR && to_u64(v, &n) == 0) {
		switch (fmt) {
		case SK_CTL_F_BYTES: sk_ctl_fmt_bytes(buf, len, n); return;
		case SK_CTL_F_DUR: sk_ctl_fmt_duration(buf, len, n); return;
		case SK_CTL_F_TIME:
			if (n > 1000000000000ull)
				sk_ctl_fmt_time_ns(buf, len, n);
			else
				sk_ctl_fmt_time_s(buf, len, n);
			return;
		case SK_CTL_F_AGE:
			n = unix_seconds(n);
			sk_ctl_fmt_duration(buf, len, now_s > n ? now_s - n : 0);
			return;
		default:
			snprintf(buf, len, "%" PRIu64, n);
			return;
		}
	}
	fmt_scalar(buf, len, v);
}

/* Columns made from the rows' own keys, for answers we know nothing of. */
static unsigned int
own_columns(const json_t *rows, struct sk_ctl_col *cols, unsigned int max)
{
	const json_t *row, *v;
	unsigned int n = 0, c;
	const char *k;
	size_t i;

	json_array_foreach(rows, i, row) {
		json_object_foreach((json_t *)row, k, v) {
			for (c = 0; c < n && strcmp(cols[c].keys, k) != 0; c++)
				;
			if (c < n || n == max)
				continue;
			cols[n].title = k;
			cols[n].keys = k;
			cols[n].fmt = json_is_integer(v) ? SK_CTL_F_NUM : SK_CTL_F_STR;
			n++;
		}
	}
	return n;
}

int
sk_ctl_render_list(FILE *out, const json_t *rows, const struct sk_ctl_col *cols,
		   unsigned int ncols, uint64_t now_s)
{
	struct sk_ctl_col use[SK_CTL_TABLE_MAX_COLS], own[SK_CTL_TABLE_MAX_COLS];
	const char *cells[SK_CTL_TABLE_MAX_COLS];
	char *text = NULL;
	struct sk_ctl_table *t;
	unsigned int n = 0, c;
	const json_t *row;
	size_t i;
	int rc = 0;

	if (!json_is_array(rows) || json_array_size(rows) == 0)
		return 0;
	for (c = 0; c < ncols && n < SK_CTL_TABLE_MAX_COLS; c++) {
		json_array_foreach(rows, i, row) {
			if (sk_ctl_json_get(row, cols[c].keys) != NULL) {
				use[n++] = cols[c];
				break;
			}
		}
	}
	if (n == 0) {
		n = own_columns(rows, own, SK_CTL_TABLE_MAX_COLS);
		memcpy(use, own, n * sizeof(use[0]));
	}
	if (n == 0) {
		/* an array of scalars: one per line */
		json_array_foreach(rows, i, row) {
			char buf[512];

			sk_ctl_fmt_value(buf, sizeof(buf), row, SK_CTL_F_STR, now_s);
			fprintf(out, "%s\n", buf);
		}
		return (int)json_array_size(rows);
	}
	t = sk_ctl_table_new(n);
	text = malloc((size_t)n * 512);
	if (t == NULL || text == NULL) {
		sk_ctl_table_free(t);
		free(text);
		return -ENOMEM;
	}
	for (c = 0; c < n; c++)
		sk_ctl_table_col(t, c, use[c].title, use[c].fmt != SK_CTL_F_STR &&
				 use[c].fmt != SK_CTL_F_TIME);
	json_array_foreach(rows, i, row) {
		for (c = 0; c < n; c++) {
			sk_ctl_fmt_value(text + (size_t)c * 512, 512,
					 sk_ctl_json_get(row, use[c].keys), use[c].fmt, now_s);
			cells[c] = text + (size_t)c * 512;
		}
		rc = sk_ctl_table_add(t, cells);
		if (rc != 0)
			break;
	}
	if (rc == 0) {
		sk_ctl_table_print(out, t);
		rc = (int)sk_ctl_table_rows(t);
	}
	sk_ctl_table_free(t);
	free(text);
	return rc;
}

static int
has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && strcmp(s + a - b, suf) == 0;
}

static int
in_list(const char *key, const char *list)
{
	size_t kl = strlen(key);

	while (list != NULL && *list != '\0') {
		size_t n = strcspn(list, "|");

		if (n == kl && strncmp(list, key, n) == 0)
			return 1;
		list += n;
		if (*list == '|')
			list++;
	}
	return 0;
}

/* Format chosen from the key's name, the API's naming conventions. */
static enum sk_ctl_fmt
fmt_for_key(const char *key)
{
	const char *leaf = strrchr(key, '.');

	leaf = leaf != NULL ? leaf + 1 : key;
	if (strcmp(leaf, "bytes") == 0 || strcmp(leaf, "size") == 0 || has_suffix(leaf, "_bytes"))
		return SK_CTL_F_BYTES;
	if (strcmp(leaf, "uptime") == 0 || has_suffix(leaf, "uptime_s") || has_suffix(leaf, "_seconds"))
		return SK_CTL_F_DUR;
	if (strcmp(leaf, "time") == 0 || strcmp(leaf, "ts") == 0 || strcmp(leaf, "started") == 0 ||
	    has_suffix(leaf, "_at") || has_suffix(leaf, "_time"))
		return SK_CTL_F_TIME;
	return SK_CTL_F_NUM;
}

struct kv {
	char key[KEY_MAX];
	char val[512];
};

static void
collect(const json_t *obj, const char *prefix, const char *skip, struct kv **kv, size_t *n,
	size_t *cap)
{
	const json_t *v;
	const char *k;

	json_object_foreach((json_t *)obj, k, v) {
		char key[KEY_MAX];
		struct kv *e;

		snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "", k);
		if (in_list(key, skip))
			continue;
		if (json_is_object(v) && json_object_size(v) > 0) {
			collect(v, key, skip, kv, n, cap);
			continue;
		}
		if (*n == *cap) {
			size_t nc = *cap != 0 ? *cap * 2 : 16;
			struct kv *p = realloc(*kv, nc * sizeof(*p));

			if (p == NULL)
				return;
			*kv = p;
			*cap = nc;
		}
		e = &(*kv)[(*n)++];
		snprintf(e->key, sizeof(e->key), "%s", key);
		if (json_is_array(v) && json_array_size(v) > 0 &&
		    (json_is_object(json_array_get(v, 0)) || json_is_array(json_array_get(v, 0))))
			snprintf(e->val, sizeof(e->val), "%zu items", json_array_size(v));
		else if (json_is_integer(v) || (json_is_string(v) && fmt_for_key(key) == SK_CTL_F_TIME))
			sk_ctl_fmt_value(e->val, sizeof(e->val), v, fmt_for_key(key), 0);
		else
			sk_ctl_fmt_value(e->val, sizeof(e->val), v, SK_CTL_F_STR, 0);
	}
}

void
sk_ctl_render_object(FILE *out, const json_t *obj, const char *skip)
{
	struct kv *kv = NULL;
	size_t n = 0, cap = 0, i, w = 0;

	if (!json_is_object(obj))
		return;
	collect(obj, "", skip, &kv, &n, &cap);
	for (i = 0; i < n; i++)
		if (strlen(kv[i].key) > w)
			w = strlen(kv[i].key);
	for (i = 0; i < n; i++)
		fprintf(out, "%s:%*s  %s\n", kv[i].key, (int)(w - strlen(kv[i].key)), "", kv[i].val);
	free(kv);
}
