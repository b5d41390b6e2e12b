/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * verify_space.c - range sets, boxes and unions of disjoint boxes over the
 * classifier key (verify_space.h).  Plain C heap: this runs offline or on
 * the control plane's thread, never per packet.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "verify_space.h"

#define MAXV (~(sk_vu128)0)

static int
set_reserve(struct sk_vset *s, uint32_t n)
{
	struct sk_vrange *r;
	uint32_t cap;

	if (n <= s->cap)
		return 0;
	cap = s->cap ? s->cap : 4;
	while (cap < n)
		cap *= 2;
	r = realloc(s->r, (size_t)cap * sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	s->r = r;
	s->cap = cap;
	return 0;
}

static int
set_push(struct sk_vset *s, sk_vu128 lo, sk_vu128 hi)
{
	/* Ranges arrive in order: merge with the last when they touch. */
	if (s->n > 0) {
		struct sk_vrange *l = &s->r[s->n - 1];

		if (l->hi == MAXV || lo <= l->hi + 1) {
			if (hi > l->hi)
				l->hi = hi;
			return 0;
		}
	}
	if (set_reserve(s, s->n + 1) != 0)
		return -ENOMEM;
	s->r[s->n].lo = lo;
	s->r[s->n].hi = hi;
	s->n++;
	return 0;
}

void
sk_vset_free(struct sk_vset *s)
{
	if (s == NULL)
		return;
	free(s->r);
	s->r = NULL;
	s->n = s->cap = 0;
}

int
sk_vset_copy(struct sk_vset *dst, const struct sk_vset *src)
{
	dst->n = 0;
	if (set_reserve(dst, src->n) != 0)
		return -ENOMEM;
	if (src->n != 0)
		memcpy(dst->r, src->r, (size_t)src->n * sizeof(*src->r));
	dst->n = src->n;
	return 0;
}

int
sk_vset_union(struct sk_vset *out, const struct sk_vset *a, const struct sk_vset *b)
{
	struct sk_vset t = { 0 };
	uint32_t i = 0, j = 0;

	while (i < a->n || j < b->n) {
		const struct sk_vrange *x;

		if (j >= b->n || (i < a->n && a->r[i].lo <= b->r[j].lo))
			x = &a->r[i++];
		else
			x = &b->r[j++];
		if (set_push(&t, x->lo, x->hi) != 0) {
			sk_vset_free(&t);
			return -ENOMEM;
		}
	}
	sk_vset_free(out);
	*out = t;
	return 0;
}

int
sk_vset_add(struct sk_vset *s, sk_vu128 lo, sk_vu128 hi)
{
	struct sk_vrange one = { lo, hi };
	struct sk_vset o = { &one, 1, 1 };
	struct sk_vset cur = *s;
	int rc;

	/* union() writes a fresh set; keep the old one until it is done. */
	*s = (struct sk_vset){ 0 };
	rc = sk_vset_union(s, &cur, &o);
	sk_vset_free(&cur);
	return rc;
}

int
sk_vset_inter(struct sk_vset *out, const struct sk_vset *a, const struct sk_vset *b)
{
	struct sk_vset t = { 0 };
	uint32_t i = 0, j = 0;

	while (i < a->n && j < b->n) {
		sk_vu128 lo = a->r[i].lo > b->r[j].lo ? a->r[i].lo : b->r[j].lo;
		sk_vu128 hi = a->r[i].hi < b->r[j].hi ? a->r[i].hi : b->r[j].hi;

		if (lo <= hi && set_push(&t, lo, hi) != 0) {
			sk_vset_free(&t);
			return -ENOMEM;
		}
		if (a->r[i].hi < b->r[j].hi)
			i++;
		else
			j++;
	}
	sk_vset_free(out);
	*out = t;
	return 0;
}

int
sk_vset_sub(struct sk_vset *out, const struct sk_vset *a, const struct sk_vset *b)
{
	struct sk_vset t = { 0 };
	uint32_t i, j = 0;

	for (i = 0; i < a->n; i++) {
		sk_vu128 lo = a->r[i].lo, hi = a->r[i].hi;
		int done = 0;

		while (j < b->n && b->r[j].hi < lo)
			j++;
		for (uint32_t k = j; k < b->n && b->r[k].lo <= hi; k++) {
			if (b->r[k].lo > lo && set_push(&t, lo, b->r[k].lo - 1) != 0)
				goto nomem;
			if (b->r[k].hi >= hi) {
				done = 1;
				break;
			}
			lo = b->r[k].hi + 1;
		}
		if (!done && set_push(&t, lo, hi) != 0)
			goto nomem;
	}
	sk_vset_free(out);
	*out = t;
	return 0;
nomem:
	sk_vset_free(&t);
	return -ENOMEM;
}

int
sk_vset_eq(const struct sk_vset *a, const struct sk_vset *b)
{
	uint32_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (a->r[i].lo != b->r[i].lo || a->r[i].hi != b->r[i].hi)
			return 0;
	return 1;
}

int
sk_vset_has(const struct sk_vset *s, sk_vu128 v)
{
	return sk_vset_covers(s, v, v);
}

int
sk_vset_covers(const struct sk_vset *s, sk_vu128 lo, sk_vu128 hi)
{
	uint32_t i;

	/* Ranges never touch, so one range must hold all of [lo,hi]. */
	for (i = 0; i < s->n; i++)
		if (s->r[i].lo <= lo && hi <= s->r[i].hi)
			return 1;
	return 0;
}

static int
sets_disjoint(const struct sk_vset *a, const struct sk_vset *b)
{
	uint32_t i = 0, j = 0;

	while (i < a->n && j < b->n) {
		if (a->r[i].hi < b->r[j].lo)
			i++;
		else if (b->r[j].hi < a->r[i].lo)
			j++;
		else
			return 0;
	}
	return 1;
}

void
sk_vbox_free(struct sk_vbox *b)
{
	int d;

	if (b == NULL)
		return;
	for (d = 0; d < SK_VDIM; d++)
		sk_vset_free(&b->d[d]);
}

int
sk_vbox_copy(struct sk_vbox *dst, const struct sk_vbox *src)
{
	int d;

	for (d = 0; d < SK_VDIM; d++)
		if (sk_vset_copy(&dst->d[d], &src->d[d]) != 0)
			return -ENOMEM;
	dst->tag = src->tag;
	return 0;
}

int
sk_vbox_empty(const struct sk_vbox *b)
{
	int d;

	for (d = 0; d < SK_VDIM; d++)
		if (b->d[d].n == 0)
			return 1;
	return 0;
}

int
sk_vbox_disjoint(const struct sk_vbox *a, const struct sk_vbox *b)
{
	int d;

	for (d = 0; d < SK_VDIM; d++)
		if (sets_disjoint(&a->d[d], &b->d[d]))
			return 1;
	return 0;
}

int
sk_vbox_inter(struct sk_vbox *out, const struct sk_vbox *a, const struct sk_vbox *b)
{
	int d;

	for (d = 0; d < SK_VDIM; d++)
		if (sk_vset_inter(&out->d[d], &a->d[d], &b->d[d]) != 0)
			return -ENOMEM;
	out->tag = a->tag;
	return 0;
}

void
sk_vspace_free(struct sk_vspace *s)
{
	uint32_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		sk_vbox_free(&s->b[i]);
	free(s->b);
	s->b = NULL;
	s->n = s->cap = 0;
}

static int
space_reserve(struct sk_vspace *s, uint32_t n)
{
	struct sk_vbox *b;
	uint32_t cap;

	if (n <= s->cap)
		return 0;
	cap = s->cap ? s->cap * 2 : 8;
	while (cap < n)
		cap *= 2;
	b = realloc(s->b, (size_t)cap * sizeof(*b));
	if (b == NULL)
		return -ENOMEM;
	memset(b + s->cap, 0, (size_t)(cap - s->cap) * sizeof(*b));
	s->b = b;
	s->cap = cap;
	return 0;
}

int
sk_vspace_take(struct sk_vspace *s, struct sk_vbox *b)
{
	if (sk_vbox_empty(b)) {
		sk_vbox_free(b);
		return 0;
	}
	if (space_reserve(s, s->n + 1) != 0)
		return -ENOMEM;
	s->b[s->n++] = *b;
	memset(b, 0, sizeof(*b));
	return 0;
}

int
sk_vspace_add(struct sk_vspace *s, const struct sk_vbox *b)
{
	struct sk_vbox c = { 0 };

	if (sk_vbox_empty(b))
		return 0;
	if (sk_vbox_copy(&c, b) != 0 || sk_vspace_take(s, &c) != 0) {
		sk_vbox_free(&c);
		return -ENOMEM;
	}
	return 0;
}

/*
 * a - b as disjoint pieces: piece i keeps a's dimensions after i, takes
 * a & b in the dimensions before i, and a \ b in dimension i.
 */
static int
box_sub_into(struct sk_vspace *out, const struct sk_vbox *a, const struct sk_vbox *b)
{
	struct sk_vbox piece = { 0 }, pre = { 0 };
	int d, k;

	if (sk_vbox_disjoint(a, b))
		return sk_vspace_add(out, a);
	if (sk_vbox_copy(&pre, a) != 0)
		goto nomem;
	for (d = 0; d < SK_VDIM; d++) {
		if (sk_vset_sub(&piece.d[d], &a->d[d], &b->d[d]) != 0)
			goto nomem;
		if (piece.d[d].n != 0) {
			for (k = 0; k < SK_VDIM; k++)
				if (k != d && sk_vset_copy(&piece.d[k], &pre.d[k]) != 0)
					goto nomem;
			piece.tag = a->tag;
			if (sk_vspace_take(out, &piece) != 0)
				goto nomem;
		}
		if (sk_vset_inter(&pre.d[d], &a->d[d], &b->d[d]) != 0)
			goto nomem;
	}
	sk_vbox_free(&piece);
	sk_vbox_free(&pre);
	return 0;
nomem:
	sk_vbox_free(&piece);
	sk_vbox_free(&pre);
	return -ENOMEM;
}

int
sk_vspace_sub(struct sk_vspace *s, const struct sk_vbox *b, uint32_t cap)
{
	struct sk_vspace t = { 0 };
	uint32_t i;
	int rc;

	for (i = 0; i < s->n; i++) {
		if (sk_vbox_disjoint(&s->b[i], b)) {
			/* Untouched: move it instead of copying. */
			if (space_reserve(&t, t.n + 1) != 0) {
				rc = -ENOMEM;
				goto fail;
			}
			t.b[t.n++] = s->b[i];
			memset(&s->b[i], 0, sizeof(s->b[i]));
			continue;
		}
		rc = box_sub_into(&t, &s->b[i], b);
		if (rc != 0)
			goto fail;
		if (t.n > cap) {
			rc = -E2BIG;
			goto fail;
		}
	}
	sk_vspace_free(s);
	*s = t;
	if (s->n > 64)
		return sk_vspace_coalesce(s);
	return 0;
fail:
	/* Part of s was moved into t: neither is meaningful any more. */
	sk_vspace_free(&t);
	sk_vspace_free(s);
	return rc;
}

int
sk_vspace_inter_into(struct sk_vspace *out, const struct sk_vspace *s,
		     const struct sk_vbox *b, uint32_t tag)
{
	struct sk_vbox x = { 0 };
	uint32_t i;

	for (i = 0; i < s->n; i++) {
		if (sk_vbox_disjoint(&s->b[i], b))
			continue;
		if (sk_vbox_inter(&x, &s->b[i], b) != 0)
			goto nomem;
		if (tag != UINT32_MAX)
			x.tag = tag;
		if (sk_vspace_take(out, &x) != 0)
			goto nomem;
	}
	sk_vbox_free(&x);
	return 0;
nomem:
	sk_vbox_free(&x);
	return -ENOMEM;
}

/* Dimension in which a and b differ, if they differ in exactly one; else -1. */
static int
one_diff(const struct sk_vbox *a, const struct sk_vbox *b)
{
	int d, diff = -1;

	if (a->tag != b->tag)
		return -1;
	for (d = 0; d < SK_VDIM; d++) {
		if (sk_vset_eq(&a->d[d], &b->d[d]))
			continue;
		if (diff >= 0)
			return -1;
		diff = d;
	}
	return diff;
}

int
sk_vspace_coalesce(struct sk_vspace *s)
{
	uint32_t i, j;
	int merged = 1, d;

	/* Quadratic, so only while it is cheap; a bigger space stays correct,
	 * just longer to print. */
	while (merged && s->n <= 4096) {
		merged = 0;
		for (i = 0; i < s->n; i++) {
			for (j = i + 1; j < s->n; j++) {
				d = one_diff(&s->b[i], &s->b[j]);
				if (d < 0)
					continue;
				if (sk_vset_union(&s->b[i].d[d], &s->b[i].d[d], &s->b[j].d[d]) != 0)
					return -ENOMEM;
				sk_vbox_free(&s->b[j]);
				s->b[j] = s->b[--s->n];
				memset(&s->b[s->n], 0, sizeof(s->b[s->n]));
				merged = 1;
				j--;
			}
		}
	}
	return 0;
}

sk_vu128
sk_v_addr(uint8_t family, const uint8_t addr[16])
{
	sk_vu128 v = 0;
	int i, n = family == 4 ? 4 : 16;

	for (i = 0; i < n; i++)
		v = (v << 8) | addr[i];
	return v;
}

void
sk_v_addr_bytes(uint8_t family, sk_vu128 v, uint8_t out[16])
{
	int i, n = family == 4 ? 4 : 16;

	memset(out, 0, 16);
	for (i = n - 1; i >= 0; i--) {
		out[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

void
sk_v_prefix(uint8_t family, const uint8_t addr[16], uint8_t plen, sk_vu128 *lo, sk_vu128 *hi)
{
	unsigned int bits = family == 4 ? 32 : 128;
	sk_vu128 v = sk_v_addr(family, addr);
	sk_vu128 host = plen >= bits ? 0 : (((sk_vu128)1 << (bits - plen - 1)) << 1) - 1;

	/* bits - plen can be 128: shift in two steps to stay defined. */
	if (plen == 0)
		host = sk_v_max(family);
	*lo = v & ~host;
	*hi = (v & ~host) | host;
	if (family == 4) {
		*lo &= 0xffffffffu;
		*hi &= 0xffffffffu;
	}
}
