/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_table.h - output for people: aligned tables (numbers right-aligned),
 * key/value listings, human units, and the JSON lookups the command files
 * share to render whatever the API sent.
 *
 * Rendering is tolerant by design: a column whose key no row carries is left
 * out, and an array none of whose keys are known is printed with its own
 * keys, so a field added to the API shows up rather than breaking the CLI.
 */
#ifndef SK_CTL_TABLE_H
#define SK_CTL_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

/* ---- the table ---- */

struct sk_ctl_table;

/* A table with ncols columns (<= SK_CTL_TABLE_MAX_COLS); NULL on ENOMEM. */
#define SK_CTL_TABLE_MAX_COLS 24
struct sk_ctl_table *sk_ctl_table_new(unsigned int ncols);
void sk_ctl_table_free(struct sk_ctl_table *t);  /* NULL is a no-op */

/* Column title and alignment (right != 0: numbers). */
void sk_ctl_table_col(struct sk_ctl_table *t, unsigned int col, const char *title, int right);

/* Append a row of ncols cells (copied; NULL prints as "-").  0 or -ENOMEM. */
int sk_ctl_table_add(struct sk_ctl_table *t, const char *const *cells);

unsigned int sk_ctl_table_rows(const struct sk_ctl_table *t);

/* Header and rows, columns two spaces apart, no trailing blanks. */
void sk_ctl_table_print(FILE *out, const struct sk_ctl_table *t);

/* ---- human units ---- */

void sk_ctl_fmt_bytes(char *buf, size_t len, uint64_t bytes);      /* "512 B", "1.5 KiB", "3.0 GiB" */
void sk_ctl_fmt_duration(char *buf, size_t len, uint64_t seconds); /* "45s", "3m12s", "2h05m", "4d03h" */
void sk_ctl_fmt_time_ns(char *buf, size_t len, uint64_t unix_ns);  /* "2024-05-01 12:00:00.123 UTC" */
void sk_ctl_fmt_time_s(char *buf, size_t len, uint64_t unix_s);    /* "2024-05-01 12:00:00 UTC" */

/* ---- JSON ---- */

/* How a cell shows its value. */
enum sk_ctl_fmt {
	SK_CTL_F_STR,                /* as is (scalars; arrays of scalars joined with ",") */
	SK_CTL_F_NUM,                /* integer, right-aligned */
	SK_CTL_F_BYTES,              /* integer bytes in human units, right-aligned */
	SK_CTL_F_DUR,                /* integer seconds as a duration, right-aligned */
	SK_CTL_F_TIME,               /* Unix time (s, or ns when > 1e12) */
	SK_CTL_F_AGE,                /* Unix time (s or ns) shown as time elapsed since, right-aligned */
};

/* A column: title, the keys to try in order ("a|b|c.d": alternatives,
 * dotted paths into nested objects) and the format. */
struct sk_ctl_col {
	const char *title;
	const char *keys;
	enum sk_ctl_fmt fmt;
};

/* The first of the '|'-separated keys (dotted paths) present in obj. */
const json_t *sk_ctl_json_get(const json_t *obj, const char *keys);

/* Unsigned value of the first key present (numbers or numeric strings);
 * def when none. */
uint64_t sk_ctl_json_u64(const json_t *obj, const char *keys, uint64_t def);

/* The list inside an answer: doc itself when it is an array, else the first
 * of keys holding an array, else doc's first array member; NULL if none. */
const json_t *sk_ctl_json_list(const json_t *doc, const char *keys);

/* One value as text in the column's format; now_s is the current Unix time
 * (SK_CTL_F_AGE). */
void sk_ctl_fmt_value(char *buf, size_t len, const json_t *v, enum sk_ctl_fmt fmt, uint64_t now_s);

/*
 * An array of objects as a table with the columns of cols that any row
 * carries; when no row carries any of them, the rows' own keys (in first
 * seen order) become the columns.  Returns the number of rows (0: nothing
 * printed), or -ENOMEM.
 */
int sk_ctl_render_list(FILE *out, const json_t *rows, const struct sk_ctl_col *cols,
		       unsigned int ncols, uint64_t now_s);

/* An object as aligned "key  value" lines; nested objects flattened with
 * dotted keys; arrays of scalars joined; arrays of objects as "N items".
 * Values are shown in human units by the key's name: "bytes", "size" and "..._bytes",
 * "uptime" and "..._seconds", "time", "ts", "started", "..._at".  Keys in
 * skip ('|'-separated, dotted) are left out. */
void sk_ctl_render_object(FILE *out, const json_t *obj, const char *skip);

#endif /* SK_CTL_TABLE_H */
