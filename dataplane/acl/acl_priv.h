/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_priv.h - internals shared by the ACL build and classify files: the
 * classifier object and the key layouts that the rte_acl field definitions
 * describe.
 *
 * rte_acl reads the first field as one byte and every later field from a
 * 4-byte group (input_index), so the keys are laid out as: proto + 3 bytes of
 * padding, a group holding in_zone and out_zone (two 16-bit ranges), the
 * addresses (one 32-bit group per word), then a group with the two ports.
 * Key bytes are in network order; rule values are given in host order and
 * rte_acl converts them.
 */
#ifndef SK_ACL_PRIV_H
#define SK_ACL_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <rte_acl.h>
#include "sk_image.h"

struct sk_acl_key4 {
	uint8_t proto;
	uint8_t pad[3];
	uint16_t in_zone;   /* network order */
	uint16_t out_zone;
	uint8_t src[4];
	uint8_t dst[4];
	uint16_t sport;     /* network order; ICMP type */
	uint16_t dport;     /* network order; ICMP code */
};

struct sk_acl_key6 {
	uint8_t proto;
	uint8_t pad[3];
	uint16_t in_zone;
	uint16_t out_zone;
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
};

/* Field numbers: the order of rte_acl_rule.field[] and of the defs. */
enum {
	SK_ACL_F_PROTO = 0,
	SK_ACL_F_IN_ZONE,
	SK_ACL_F_OUT_ZONE,
	SK_ACL_F_SRC,        /* v4: 1 field; v6: 4 fields */
};

#define SK_ACL_FIELDS4 (3 + 1 + 1 + 2)
#define SK_ACL_FIELDS6 (3 + 4 + 4 + 2)

/*
 * A family's rules may be split into up to SK_ACL_MAX_PARTS contexts, each
 * built from a contiguous slice of the expanded rules (in rule order), so
 * that the slices build in parallel (acl_par.c).  Part p holds only rules
 * with lower indices than part p + 1, so the first part that matches a
 * packet has its answer (acl_classify.c).
 */
#define SK_ACL_MAX_PARTS 4

/*
 * Default split threshold: a family with more expanded rules than this is
 * split (into ceil(rules / threshold) parts at most, capped by the CPUs the
 * build can use).  Below it every family is one context and classification
 * costs what it always did.  Why 32K: docs/acl.md.
 */
#define SK_ACL_SPLIT_MIN (32u * 1024u)

/*
 * Two unsplit families build on two threads only when both have at least
 * this many expanded rules: a few thousand rules build in milliseconds, and
 * a control thread would cost more than it saves.
 */
#define SK_ACL_PAR_MIN 4096u

struct sk_acl_fam {
	struct rte_acl_ctx *ctx[SK_ACL_MAX_PARTS];
	uint32_t part_rules[SK_ACL_MAX_PARTS];
	uint32_t nparts;     /* 0: no rule applies to the family */
	uint32_t rules;      /* expanded rules, all parts */
};

/*
 * The compiled classifier.  A family has no context (nparts 0) when no rule
 * applies to it: rte_acl cannot build an empty context, and every packet of
 * that family then gets result 0.
 */
struct sk_acl {
	struct sk_acl_fam f4;
	struct sk_acl_fam f6;
	uint32_t threads;    /* threads the build ran on (reports) */
};

/*
 * Build knobs.  sk_acl_build() uses the defaults; tests force a split or a
 * failure through sk_acl_build_opts().
 */
struct sk_acl_build_opts {
	uint32_t split_min;  /* split a family above this many expanded rules */
	uint32_t max_parts;  /* parts per family, 1..SK_ACL_MAX_PARTS */
	uint32_t par_min;    /* both families this big: build them in parallel */
	uint32_t cpus;       /* 0: probe the control cpuset; else use this many */
	int32_t fail_ctx;    /* test: this context (build order) gets an
			      * impossible max_size, so its rte_acl_build fails;
			      * -1: none */
};

void sk_acl_build_opts_default(struct sk_acl_build_opts *o);
struct sk_acl *sk_acl_build_opts(const struct sk_image_hdr *img, const char *name, int socket,
				 const struct sk_acl_build_opts *o, char *err, size_t errlen);

/* One rte_acl_build to run: the context has its rules added already. */
struct sk_acl_job {
	struct rte_acl_ctx *ctx;
	const struct rte_acl_config *cfg;
	size_t max_size;     /* copied into the job's own config */
	int rc;              /* rte_acl_build's return */
	uint32_t rules, part, nparts;          /* for messages */
	char name[RTE_ACL_NAMESIZE];
};

/*
 * CPUs the build may use: the calling thread's plus those of the control
 * cpuset (rte_ctrl_thread_create) that the caller does not run on.  1 when
 * EAL gave control threads no CPU of their own (they then share the main
 * lcore's).  Main lcore; starts and joins one control thread.
 */
uint32_t sk_acl_par_cpus(void);

/*
 * Run every job, on the calling thread and threads - 1 control threads that
 * take jobs in order until none is left; returns when all are done, with the
 * number of threads that ran.  A helper that cannot start leaves its share to
 * the others.  Jobs should come largest first.
 */
uint32_t sk_acl_par_build(struct sk_acl_job *jobs, uint32_t n, uint32_t threads);

static inline int
sk_acl_proto_is_icmp(uint8_t proto)
{
	return proto == 1 /* IPPROTO_ICMP */ || proto == 58 /* IPPROTO_ICMPV6 */;
}

#endif /* SK_ACL_PRIV_H */
