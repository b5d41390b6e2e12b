/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cfg_diag.c - collecting config errors.  Parsers report as they go (groups
 * are visited in a fixed order, not file order); the list is sorted by file
 * position at the end so the operator reads it top to bottom.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_priv.h"

struct sk_cfg_diag_entry {
	char *file;
	unsigned int line;   /* 0: no line */
	uint32_t seq;        /* report order, the tie breaker */
	char *text;          /* the full "file:line: message" */
};

void
sk_cfg_diag_init(struct sk_cfg_diag *d)
{
	memset(d, 0, sizeof(*d));
}

void
sk_cfg_diag_free(struct sk_cfg_diag *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->ent[i].file);
		free(d->ent[i].text);
	}
	free(d->ent);
	memset(d, 0, sizeof(*d));
}

size_t
sk_cfg_diag_count(const struct sk_cfg_diag *d)
{
	return d->n;
}

const char *
sk_cfg_diag_msg(const struct sk_cfg_diag *d, size_t i)
{
	return i < d->n ? d->ent[i].text : NULL;
}

void
sk_cfg_diag_print(const struct sk_cfg_diag *d, FILE *out)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		fprintf(out, "%s\n", d->ent[i].text);
}

static int
diag_cmp(const void *a, const void *b)
{
	const struct sk_cfg_diag_entry *x = a, *y = b;
	int fc = strcmp(x->file, y->file);
	/* Messages without a line (whole-file problems) go last. */
	unsigned int lx = x->line ? x->line : ~0u, ly = y->line ? y->line : ~0u;

	if (fc != 0)
		return fc;
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void
sk_cfg_diag_sort(struct sk_cfg_diag *d)
{
	if (d->n > 1)
		qsort(d->ent, d->n, sizeof(d->ent[0]), diag_cmp);
}

void
sk_cfg_diag_add(struct sk_cfg_diag *d, const char *file, unsigned int line, const char *msg)
{
	struct sk_cfg_diag_entry *e;
	char *text;
	int n;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		void *p = realloc(d->ent, cap * sizeof(*d->ent));

		if (p == NULL)
			return;
		d->ent = p;
		d->cap = cap;
	}
	if (line)
		n = asprintf(&text, "%s:%u: %s", file, line, msg);
	else
		n = asprintf(&text, "%s: %s", file, msg);
	if (n < 0)
		return;
	e = &d->ent[d->n];
	e->file = strdup(file);
	if (e->file == NULL) {
		free(text);
		return;
	}
	e->line = line;
	e->seq = d->seq++;
	e->text = text;
	d->n++;
}

void
sk_cfg_err(struct sk_cfg_ctx *c, const config_setting_t *s, const char *fmt, ...)
{
	const char *file = c->name;
	unsigned int line = 0;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s != NULL) {
		line = config_setting_source_line(s);
		if (config_setting_source_file(s) != NULL)
			file = config_setting_source_file(s);
	}
	c->errors++;
	sk_cfg_diag_add(c->diag, file, line, msg);
}
