/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_table.c - the table printer and human units.  Cells are copied, widths
 * are measured in characters (UTF-8 aware, so "µs" lines up), numbers are
 * right-aligned, and the last column is never padded.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_table.h"

struct sk_ctl_table {
	unsigned int ncols, nrows, cap;
	const char *title[SK_CTL_TABLE_MAX_COLS];
	int right[SK_CTL_TABLE_MAX_COLS];
	char **cells;                /* nrows * ncols, row major */
};

struct sk_ctl_table *
sk_ctl_table_new(unsigned int ncols)
{
	struct sk_ctl_table *t;

	if (ncols == 0 || ncols > SK_CTL_TABLE_MAX_COLS)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t != NULL)
		t->ncols = ncols;
	return t;
}

void
sk_ctl_table_free(struct sk_ctl_table *t)
{
	unsigned int i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

void
sk_ctl_table_col(struct sk_ctl_table *t, unsigned int col, const char *title, int right)
{
	if (col >= t->ncols)
		return;
	t->title[col] = title;
	t->right[col] = right;
}

int
sk_ctl_table_add(struct sk_ctl_table *t, const char *const *cells)
{
	unsigned int c;
	char **row;

	if (t->nrows == t->cap) {
		unsigned int cap = t->cap != 0 ? t->cap * 2 : 16;
		char **p = realloc(t->cells, (size_t)cap * t->ncols * sizeof(*p));

		if (p == NULL)
			return -ENOMEM;
		t->cells = p;
		t->cap = cap;
	}
	row = &t->cells[(size_t)t->nrows * t->ncols];
	for (c = 0; c < t->ncols; c++) {
		row[c] = strdup(cells[c] != NULL ? cells[c] : "-");
		if (row[c] == NULL) {
			while (c-- > 0)
				free(row[c]);
			return -ENOMEM;
		}
	}
	t->nrows++;
	return 0;
}

unsigned int
sk_ctl_table_rows(const struct sk_ctl_table *t)
{
	return t->nrows;
}

/* Characters, not bytes: UTF-8 continuation bytes do not count. */
static size_t
text_width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static void
print_cell(FILE *out, const char *s, size_t width, int right, int last)
{
	size_t w = text_width(s), pad = width > w ? width - w : 0;

	if (right)
		fprintf(out, "%*s", (int)pad, "");
	fputs(s, out);
	if (!right && !last)
		fprintf(out, "%*s", (int)pad, "");
}

void
sk_ctl_table_print(FILE *out, const struct sk_ctl_table *t)
{
	size_t width[SK_CTL_TABLE_MAX_COLS];
	unsigned int r, c;

	for (c = 0; c < t->ncols; c++)
		width[c] = text_width(t->title[c] != NULL ? t->title[c] : "");
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++) {
			size_t w = text_width(t->cells[(size_t)r * t->ncols + c]);

			if (w > width[c])
				width[c] = w;
		}
	for (r = 0; r <= t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			const char *s = r == 0 ? (t->title[c] != NULL ? t->title[c] : "") :
				t->cells[(size_t)(r - 1) * t->ncols + c];

			if (c > 0)
				fputs("  ", out);
			print_cell(out, s, width[c], t->right[c], c + 1 == t->ncols);
		}
		fputc('\n', out);
	}
}

void
sk_ctl_fmt_bytes(char *buf, size_t len, uint64_t bytes)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)bytes;
	unsigned int u = 0;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", bytes);
		return;
	}
	v /= 1024.0;
	while (v >= 1023.95 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1024.0;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, unit[u]);
}

void
sk_ctl_fmt_duration(char *buf, size_t len, uint64_t s)
{
	uint64_t d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60, sec = s % 60;

	if (d > 0)
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", d, h);
	else if (h > 0)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", h, m);
	else if (m > 0)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", m, sec);
	else
		snprintf(buf, len, "%" PRIu64 "s", sec);
}

void
sk_ctl_fmt_time_s(char *buf, size_t len, uint64_t unix_s)
{
	time_t t = (time_t)unix_s;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, len, "%" PRIu64, unix_s);
}

void
sk_ctl_fmt_time_ns(char *buf, size_t len, uint64_t unix_ns)
{
	time_t t = (time_t)(unix_ns / 1000000000u);
	struct tm tm;
	char day[32];

	if (gmtime_r(&t, &tm) == NULL || strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm) == 0) {
		snprintf(buf, len, "%" PRIu64, unix_ns);
		return;
	}
	snprintf(buf, len, "%s.%03u UTC", day, (unsigned int)(unix_ns / 1000000u % 1000u));
}
