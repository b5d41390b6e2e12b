/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sk_test_acl.h - what the classifier tests share (test_acl.c,
 * test_aclsplit.c): a rule set in image form, the image around it, a linear
 * first-match reference written from the documented semantics, and a small
 * seeded generator.  The random rule and packet shapes stay in each test.
 */
#ifndef SK_TEST_ACL_H
#define SK_TEST_ACL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sk_test_image.h"
#include "sk_image_api.h"
#include "sk_pkt_meta.h"

#define SK_TEST_ACL_ZONES 4   /* zones z1..z4 of every test image */

struct ruleset {
	struct sk_img_rule *rules;
	uint32_t nr, cap_r;
	struct sk_img_prefix *pfx;
	uint32_t np, cap_p;
	struct sk_img_portrange *ports;
	uint32_t nport, cap_port;
};

static inline void
rs_init(struct ruleset *rs, uint32_t rules, uint32_t pfx, uint32_t ports)
{
	memset(rs, 0, sizeof(*rs));
	rs->cap_r = rules;
	rs->cap_p = pfx;
	rs->cap_port = ports;
	rs->rules = calloc(rules ? rules : 1, sizeof(*rs->rules));
	rs->pfx = calloc(pfx ? pfx : 1, sizeof(*rs->pfx));
	rs->ports = calloc(ports ? ports : 1, sizeof(*rs->ports));
	if (rs->rules == NULL || rs->pfx == NULL || rs->ports == NULL)
		abort();
}

static inline void
rs_fini(struct ruleset *rs)
{
	free(rs->rules);
	free(rs->pfx);
	free(rs->ports);
}

static inline void *
image_build(const struct ruleset *rs, size_t *lenp)
{
	struct sk_img_settings st;
	struct sk_img_zone zones[SK_TEST_ACL_ZONES];
	struct sk_img_iface ifs[1];
	const void *data[SK_SEC__MAX] = { 0 };
	uint32_t cnt[SK_SEC__MAX] = { 0 };
	int i;

	sk_test_settings(&st);
	memset(zones, 0, sizeof(zones));
	for (i = 0; i < SK_TEST_ACL_ZONES; i++)
		snprintf(zones[i].name, sizeof(zones[i].name), "z%d", i + 1);
	memset(ifs, 0, sizeof(ifs));
	strcpy(ifs[0].name, "eth0");
	ifs[0].zone = 1;
	ifs[0].mtu = 1500;
	data[SK_SEC_SETTINGS] = &st; cnt[SK_SEC_SETTINGS] = 1;
	data[SK_SEC_ZONES] = zones; cnt[SK_SEC_ZONES] = SK_TEST_ACL_ZONES;
	data[SK_SEC_IFACES] = ifs; cnt[SK_SEC_IFACES] = 1;
	data[SK_SEC_RULES] = rs->rules; cnt[SK_SEC_RULES] = rs->nr;
	data[SK_SEC_PREFIXES] = rs->pfx; cnt[SK_SEC_PREFIXES] = rs->np;
	data[SK_SEC_PORTS] = rs->ports; cnt[SK_SEC_PORTS] = rs->nport;
	size_t len;

	return sk_test_image(data, cnt, lenp != NULL ? lenp : &len);
}

static inline int
pfx_contains(const struct sk_img_prefix *p, uint8_t family, const uint8_t *a)
{
	uint32_t full = p->plen / 8, rest = p->plen % 8;

	if (p->family != family)
		return 0;
	if (memcmp(p->addr, a, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((p->addr[full] ^ a[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

static inline int
list_match(const struct ruleset *rs, uint32_t first, uint32_t count, uint8_t fam,
	   const uint8_t *a)
{
	uint32_t i;

	if (count == 0)
		return 1;
	for (i = 0; i < count; i++)
		if (pfx_contains(&rs->pfx[first + i], fam, a))
			return 1;
	return 0;
}

static inline int
ports_match(const struct ruleset *rs, uint32_t first, uint32_t count, uint16_t v)
{
	uint32_t i;

	if (count == 0)
		return 1;
	for (i = 0; i < count; i++)
		if (rs->ports[first + i].lo <= v && v <= rs->ports[first + i].hi)
			return 1;
	return 0;
}

static inline int
is_icmp(uint8_t p)
{
	return p == 1 || p == 58;
}

/* Linear first match, written from the documented semantics. */
static inline uint32_t
ref_classify(const struct ruleset *rs, const struct sk_pkt_meta *m)
{
	uint32_t i;
	uint16_t ks = is_icmp(m->proto) ? m->icmp_type : m->sport;
	uint16_t kd = is_icmp(m->proto) ? m->icmp_code : m->dport;

	if (m->kind != SK_PKT_IP || (m->family != 4 && m->family != 6))
		return 0;
	for (i = 0; i < rs->nr; i++) {
		const struct sk_img_rule *r = &rs->rules[i];

		if (r->family != 0 && r->family != m->family)
			continue;
		if (r->proto != SK_PROTO_ANY && r->proto != m->proto)
			continue;
		if (r->from_zone != SK_ZONE_ANY && r->from_zone != m->in_zone)
			continue;
		if (r->to_zone != SK_ZONE_ANY && r->to_zone != m->out_zone)
			continue;
		if (!list_match(rs, r->src_first, r->src_count, m->family, m->src) ||
		    !list_match(rs, r->dst_first, r->dst_count, m->family, m->dst))
			continue;
		if (is_icmp(r->proto)) {
			if ((r->icmp_type != SK_ICMP_ANY && r->icmp_type != ks) ||
			    (r->icmp_code != SK_ICMP_ANY && r->icmp_code != kd))
				continue;
		} else if (!ports_match(rs, r->sport_first, r->sport_count, ks) ||
			   !ports_match(rs, r->dport_first, r->dport_count, kd)) {
			continue;
		}
		return i + 1;
	}
	return 0;
}

static uint64_t rng_state;   /* set by each test file's main (rnd_seed) */

static inline void
rnd_seed(uint64_t s)
{
	rng_state = s;
}

static inline uint32_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static inline uint32_t
rnd_in(uint32_t lo, uint32_t hi)
{
	return lo + rnd() % (hi - lo + 1);
}

#endif /* SK_TEST_ACL_H */
