/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * verify_priv.h - what lint and exposure share: the image seen as sets over
 * the classifier key (verify_model.c) and the formatting of those sets
 * (verify_fmt.c).  Internal to control/verify.
 */
#ifndef SK_VERIFY_PRIV_H
#define SK_VERIFY_PRIV_H

#include <jansson.h>

#include "sk_image.h"
#include "verify_space.h"

/* Most boxes one subtraction may leave before a question is "undecided". */
#define SK_VERIFY_BOX_CAP 20000u

struct sk_vmodel {
	const struct sk_image_hdr *img;
	const struct sk_img_rule *rules;
	uint32_t n_rules;
	const struct sk_img_prefix *pfx;
	const struct sk_img_portrange *ports;
	const struct sk_img_zone *zones;
	uint32_t n_zones;               /* config zones; ids 1..n_zones */
	uint8_t untrusted[SK_MAX_ZONES]; /* 1 = carries a default route */
	uint8_t defaults[SK_MAX_ZONES][SK_MAX_ZONES]; /* action per (from, to) */
	uint8_t explicit_def[SK_MAX_ZONES][SK_MAX_ZONES]; /* 1 = zone_defaults entry */
};

void sk_vmodel_init(struct sk_vmodel *m, const struct sk_image_hdr *img);

/* "local", a zone name, or "any". */
const char *sk_vmodel_zone_name(const struct sk_vmodel *m, uint16_t id);
const char *sk_verify_action_name(uint8_t action);

/* Every key of family f a packet can carry: valid zones, and per protocol
 * class the slot values the parser can produce (TCP/UDP any port, ICMP of
 * the family type/code 0..255, other protocols 0/0). */
int sk_vmodel_universe(const struct sk_vmodel *m, uint8_t f, struct sk_vspace *u);

/* Rule i as a box for family f (may be empty: the rule does not apply). */
int sk_vmodel_rule_box(const struct sk_vmodel *m, uint32_t i, uint8_t f, struct sk_vbox *b);

/* Destinations that reach policy with out zone `zone` (0 = local): for
 * local the unit's addresses; else what the routes send to an interface of
 * the zone, minus local, broadcast, multicast and martian addresses. */
int sk_vmodel_dst_reach(const struct sk_vmodel *m, uint8_t f, uint16_t zone,
			struct sk_vset *s);

/* A full box of family f (every dimension at its widest). */
int sk_vbox_full(struct sk_vbox *b, uint8_t f);

/*
 * What policy accepts for new connections from zone `from` to zone `to`
 * (0 = local), family f: boxes tagged with the accepting rule's index + 1,
 * or 0 for the zone pair's default.  The space is first restricted to keys
 * a packet of that pair can carry (universe, non-martian sources,
 * sk_vmodel_dst_reach destinations).  0, -E2BIG (too complex: undecided) or
 * -ENOMEM; acc is appended to.
 */
int sk_vexpo_pair(const struct sk_vmodel *m, uint8_t f, uint16_t from, uint16_t to,
		  struct sk_vspace *acc);
/* One accepted box as JSON (family, by, rule, proto, src, dst, ports). */
json_t *sk_vexpo_box_json(const struct sk_vmodel *m, uint8_t f, const struct sk_vbox *b);

/* JSON for people: prefixes covering a set, port ranges, a rule reference. */
json_t *sk_verify_fmt_addrs(uint8_t f, const struct sk_vset *s);
json_t *sk_verify_fmt_ranges(const struct sk_vset *s, sk_vu128 full_hi);
json_t *sk_verify_fmt_protos(const struct sk_vset *s);
json_t *sk_verify_fmt_rule(const struct sk_vmodel *m, uint32_t idx);
const char *sk_verify_proto_name(uint8_t p, char *buf, size_t len);

#endif /* SK_VERIFY_PRIV_H */
