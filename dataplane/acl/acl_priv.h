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

#include <stdint.h>
#include <rte_acl.h>

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
 * The compiled classifier.  A context is NULL when no rule applies to its
 * family: rte_acl cannot build an empty context, and every packet of that
 * family then gets result 0.
 */
struct sk_acl {
	struct rte_acl_ctx *ctx4;
	struct rte_acl_ctx *ctx6;
	uint32_t rules4;
	uint32_t rules6;
};

static inline int
sk_acl_proto_is_icmp(uint8_t proto)
{
	return proto == 1 /* IPPROTO_ICMP */ || proto == 58 /* IPPROTO_ICMPV6 */;
}

#endif /* SK_ACL_PRIV_H */
