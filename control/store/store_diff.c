/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * store_diff.c - unified diffs of config texts (the shape of diff -u), so
 * an operator sees what a commit or a rollback changes before doing it.
 *
 * Myers' O(ND) greedy algorithm on the lines left after the common prefix
 * and suffix are cut off; each step's frontier is kept for the walk back,
 * which costs (D+1)^2 integers, so D is capped: past the cap the remaining
 * middle is shown as removed then added, still a correct diff.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_priv.h"

#define DIFF_D_MAX 2048  /* (D+1)^2 ints: 16 MiB at most */

struct line {
	const char *p;
	size_t len;          /* with its '\n' when it has one */
	uint64_t hash;
};

struct text {
	struct line *l;
	size_t n;
	uint8_t *mark;       /* 1 = removed (a) / added (b) */
};

static int
split(const char *s, size_t len, struct text *t)
{
	size_t i, start = 0, n = 0;

	for (i = 0; i < len; i++)
		n += s[i] == '\n';
	n += len && s[len - 1] != '\n';
	t->n = 0;
	t->l = calloc(n ? n : 1, sizeof(*t->l));
	t->mark = calloc(n ? n : 1, 1);
	if (t->l == NULL || t->mark == NULL)
		return -ENOMEM;
	for (i = 0; i <= len; i++) {
		if (i == len ? i > start : s[i] == '\n') {
			struct line *l = &t->l[t->n++];
			uint64_t h = 1469598103934665603ull;
			size_t j;

			l->p = s + start;
			l->len = (i < len ? i + 1 : i) - start;
			for (j = 0; j < l->len; j++)
				h = (h ^ (uint8_t)l->p[j]) * 1099511628211ull;
			l->hash = h;
			start = i + 1;
		}
	}
	return 0;
}

static inline int
eq(const struct line *x, const struct line *y)
{
	return x->hash == y->hash && x->len == y->len && memcmp(x->p, y->p, x->len) == 0;
}

/*
 * Mark the shortest edit script between a[0..n) and b[0..m).  Returns 0, or
 * -E2BIG when it needs more than DIFF_D_MAX edits (nothing marked), or
 * -ENOMEM.
 */
static int
myers(const struct line *a, uint8_t *amark, long n, const struct line *b, uint8_t *bmark,
      long m)
{
	long dmax = n + m < DIFF_D_MAX ? n + m : DIFF_D_MAX, d, k, x, y;
	long *v, *trace;
	int found = 0;

	v = calloc((size_t)(2 * dmax + 3), sizeof(*v));
	trace = malloc((size_t)(dmax + 1) * (size_t)(dmax + 1) * sizeof(*trace));
	if (v == NULL || trace == NULL) {
		free(v);
		free(trace);
		return -ENOMEM;
	}
	v += dmax + 1; /* v[k] for k in [-dmax-1, dmax+1] */
	for (d = 0; d <= dmax && !found; d++) {
		for (k = -d; k <= d; k += 2) {
			if (k == -d || (k != d && v[k - 1] < v[k + 1]))
				x = v[k + 1];       /* down: b[y] added */
			else
				x = v[k - 1] + 1;   /* right: a[x] removed */
			y = x - k;
			while (x < n && y < m && eq(&a[x], &b[y])) {
				x++;
				y++;
			}
			v[k] = x;
			if (x >= n && y >= m)
				found = 1;
		}
		/* frontier after step d, k in [-d, d], stored at d*d */
		memcpy(&trace[d * d], &v[-d], (size_t)(2 * d + 1) * sizeof(*v));
	}
	free(v - (dmax + 1));
	if (!found) {
		free(trace);
		return -E2BIG;
	}
	/* Walk back from (n, m); d is one past the last step taken. */
	x = n;
	y = m;
	for (d = d - 1; d > 0; d--) {
		const long *pv = &trace[(d - 1) * (d - 1)] + (d - 1); /* pv[k], |k| < d */
		long pk, px, py;

		k = x - y;
		if (k == -d || (k != d && pv[k - 1] < pv[k + 1]))
			pk = k + 1;
		else
			pk = k - 1;
		px = pv[pk];
		py = px - pk;
		if (pk == k + 1)
			bmark[py] = 1;
		else
			amark[px] = 1;
		x = px;
		y = py;
	}
	free(trace);
	return 0;
}

/* A growing output buffer. */
struct out {
	char *p;
	size_t len, cap;
	int oom;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->oom)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 1024;
		char *p;

		while (cap < o->len + n + 1)
			cap *= 2;
		p = realloc(o->p, cap);
		if (p == NULL) {
			o->oom = 1;
			return;
		}
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void
put_line(struct out *o, char tag, const struct line *l)
{
	put(o, &tag, 1);
	put(o, l->p, l->len);
	if (l->len == 0 || l->p[l->len - 1] != '\n') {
		static const char nonl[] = "\n\\ No newline at end of file\n";

		put(o, nonl, sizeof(nonl) - 1);
	}
}

/* "-l,s" as diff prints it: ",1" left out, an empty range names the line
 * before it. */
static void
put_range(struct out *o, char tag, size_t start, size_t count)
{
	char buf[48];
	int n;

	if (count == 1)
		n = snprintf(buf, sizeof(buf), "%c%zu", tag, start + 1);
	else
		n = snprintf(buf, sizeof(buf), "%c%zu,%zu", tag, count ? start + 1 : start, count);
	put(o, buf, (size_t)n);
}

/*
 * Walk both texts in step and print hunks.  i, j: positions in a and b.  A
 * hunk starts `ctx` common lines before a change and ends when more than
 * 2*ctx common lines follow the last change.
 */
static void
emit(struct out *o, const struct text *a, const struct text *b, size_t ctx)
{
	size_t i = 0, j = 0;

	while (i < a->n || j < b->n) {
		size_t ci = i, cj = j, hi, hj, ei, ej, common;

		/* find the next change */
		while (ci < a->n && cj < b->n && !a->mark[ci] && !b->mark[cj]) {
			ci++;
			cj++;
		}
		if (ci == a->n && cj == b->n)
			break;
		hi = ci - (ci - i < ctx ? ci - i : ctx);
		hj = cj - (ci - hi);
		/* extend over changes separated by at most 2*ctx common lines */
		ei = ci;
		ej = cj;
		for (;;) {
			size_t ti, tj;

			while (ei < a->n && a->mark[ei])
				ei++;
			while (ej < b->n && b->mark[ej])
				ej++;
			ti = ei;
			tj = ej;
			common = 0;
			while (ti < a->n && tj < b->n && !a->mark[ti] && !b->mark[tj] &&
			       common <= 2 * ctx) {
				ti++;
				tj++;
				common++;
			}
			if ((ti == a->n && tj == b->n) || common > 2 * ctx ||
			    !((ti < a->n && a->mark[ti]) || (tj < b->n && b->mark[tj]))) {
				/* trailing context */
				size_t tail = common < ctx ? common : ctx;

				ei += tail;
				ej += tail;
				break;
			}
			ei = ti;
			ej = tj;
		}
		put(o, "@@ ", 3);
		put_range(o, '-', hi, ei - hi);
		put(o, " ", 1);
		put_range(o, '+', hj, ej - hj);
		put(o, " @@\n", 4);
		while (hi < ei || hj < ej) {
			if (hi < ei && a->mark[hi]) {
				put_line(o, '-', &a->l[hi++]);
			} else if (hj < ej && b->mark[hj]) {
				put_line(o, '+', &b->l[hj++]);
			} else {
				put_line(o, ' ', &a->l[hi]);
				hi++;
				hj++;
			}
		}
		i = ei;
		j = ej;
	}
}

int
sk_store_diff(const char *a, size_t alen, const char *b, size_t blen,
	      const char *label_a, const char *label_b, unsigned int context,
	      char **out, size_t *out_len)
{
	struct text ta = { 0 }, tb = { 0 };
	struct out o = { 0 };
	size_t pre = 0, suf = 0, k;
	int rc;

	*out = NULL;
	rc = split(a, alen, &ta);
	if (rc == 0)
		rc = split(b, blen, &tb);
	if (rc != 0)
		goto done;
	while (pre < ta.n && pre < tb.n && eq(&ta.l[pre], &tb.l[pre]))
		pre++;
	while (suf < ta.n - pre && suf < tb.n - pre &&
	       eq(&ta.l[ta.n - 1 - suf], &tb.l[tb.n - 1 - suf]))
		suf++;
	rc = myers(ta.l + pre, ta.mark + pre, (long)(ta.n - pre - suf),
		   tb.l + pre, tb.mark + pre, (long)(tb.n - pre - suf));
	if (rc == -E2BIG) {
		for (k = pre; k < ta.n - suf; k++)
			ta.mark[k] = 1;
		for (k = pre; k < tb.n - suf; k++)
			tb.mark[k] = 1;
		rc = 0;
	}
	if (rc != 0)
		goto done;
	put(&o, "", 0);
	if (ta.n != tb.n || pre != ta.n) {
		put(&o, "--- ", 4);
		put(&o, label_a, strlen(label_a));
		put(&o, "\n+++ ", 5);
		put(&o, label_b, strlen(label_b));
		put(&o, "\n", 1);
		emit(&o, &ta, &tb, context);
	}
	if (o.oom || o.p == NULL) {
		rc = -ENOMEM;
		goto done;
	}
	*out = o.p;
	o.p = NULL;
	if (out_len != NULL)
		*out_len = o.len;
done:
	free(o.p);
	free(ta.l);
	free(ta.mark);
	free(tb.l);
	free(tb.mark);
	return rc;
}
