/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * verify_space.h - exact set arithmetic over the classifier's key space, for
 * lint (is a rule covered by earlier ones?) and exposure (what is accepted
 * after first-match order?).
 *
 * A key is the tuple the ACL classifies on (dataplane/acl/acl_priv.h):
 * in zone, out zone, protocol, source, destination, and two 16-bit slots that
 * hold the ports (TCP/UDP) or the ICMP type and code.  Every dimension is a
 * set of closed integer ranges (128-bit wide so that an IPv6 address fits);
 * a box is the product of one set per dimension (one rule is one box: its
 * lists are unions within a dimension); a space is a union of disjoint boxes.
 * Subtracting a box splits a box into at most SK_VDIM pieces, so spaces grow;
 * every operation takes a cap and reports -E2BIG past it instead of eating
 * the machine (callers then say "undecided").
 * Internal to control/verify.  No EAL, no shared state.
 */
#ifndef SK_VERIFY_SPACE_H
#define SK_VERIFY_SPACE_H

#include <stddef.h>
#include <stdint.h>

__extension__ typedef unsigned __int128 sk_vu128;

enum {
	SK_VD_IN = 0,   /* input zone id */
	SK_VD_OUT,      /* output zone id (0 = local) */
	SK_VD_PROTO,    /* IP protocol */
	SK_VD_SRC,      /* source address as an integer */
	SK_VD_DST,      /* destination address */
	SK_VD_K1,       /* source port, or ICMP type */
	SK_VD_K2,       /* destination port, or ICMP code */
	SK_VDIM
};

struct sk_vrange {
	sk_vu128 lo, hi; /* inclusive */
};

/* Sorted, disjoint, non-adjacent ranges. */
struct sk_vset {
	struct sk_vrange *r;
	uint32_t n, cap;
};

struct sk_vbox {
	struct sk_vset d[SK_VDIM];
	uint32_t tag;   /* caller's label (a rule index + 1, 0 = default) */
};

struct sk_vspace {
	struct sk_vbox *b;
	uint32_t n, cap;
};

/* Sets.  Functions that allocate return 0 or -ENOMEM. */
void sk_vset_free(struct sk_vset *s);
int sk_vset_add(struct sk_vset *s, sk_vu128 lo, sk_vu128 hi);  /* union with [lo,hi] */
int sk_vset_copy(struct sk_vset *dst, const struct sk_vset *src);
int sk_vset_inter(struct sk_vset *out, const struct sk_vset *a, const struct sk_vset *b);
int sk_vset_sub(struct sk_vset *out, const struct sk_vset *a, const struct sk_vset *b);
int sk_vset_union(struct sk_vset *out, const struct sk_vset *a, const struct sk_vset *b);
int sk_vset_eq(const struct sk_vset *a, const struct sk_vset *b);
int sk_vset_has(const struct sk_vset *s, sk_vu128 v);
int sk_vset_covers(const struct sk_vset *s, sk_vu128 lo, sk_vu128 hi);
static inline int sk_vset_empty(const struct sk_vset *s) { return s->n == 0; }

/* Boxes. */
void sk_vbox_free(struct sk_vbox *b);
int sk_vbox_copy(struct sk_vbox *dst, const struct sk_vbox *src);
/* 1 if empty in some dimension. */
int sk_vbox_empty(const struct sk_vbox *b);
/* out = a & b (tag of a); 0, or -ENOMEM.  out may come back empty. */
int sk_vbox_inter(struct sk_vbox *out, const struct sk_vbox *a, const struct sk_vbox *b);
int sk_vbox_disjoint(const struct sk_vbox *a, const struct sk_vbox *b);

/* Spaces. */
void sk_vspace_free(struct sk_vspace *s);
/* Append a copy of b (nothing when b is empty). */
int sk_vspace_add(struct sk_vspace *s, const struct sk_vbox *b);
/* Append and take ownership of b's sets (b is left empty). */
int sk_vspace_take(struct sk_vspace *s, struct sk_vbox *b);
/* s -= b, keeping boxes disjoint; -E2BIG when it would exceed cap boxes.
 * On any error s is freed (empty): callers must not read it as a result. */
int sk_vspace_sub(struct sk_vspace *s, const struct sk_vbox *b, uint32_t cap);
/* out += s & b for every box of s (tags of s, or tag if tag != UINT32_MAX). */
int sk_vspace_inter_into(struct sk_vspace *out, const struct sk_vspace *s,
			 const struct sk_vbox *b, uint32_t tag);
/* Merge boxes with equal tags that differ in one dimension only. */
int sk_vspace_coalesce(struct sk_vspace *s);

/* Convert an address (network order; IPv4 in the first 4 bytes) to an integer. */
sk_vu128 sk_v_addr(uint8_t family, const uint8_t addr[16]);
void sk_v_addr_bytes(uint8_t family, sk_vu128 v, uint8_t out[16]);
/* The range of a prefix. */
void sk_v_prefix(uint8_t family, const uint8_t addr[16], uint8_t plen,
		 sk_vu128 *lo, sk_vu128 *hi);
static inline sk_vu128 sk_v_max(uint8_t family)
{
	return family == 4 ? (sk_vu128)0xffffffffu : ~(sk_vu128)0;
}

#endif /* SK_VERIFY_SPACE_H */
