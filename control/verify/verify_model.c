/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * verify_model.c - a verified image seen as sets over the classifier key:
 * zone names and defaults, untrusted zones, each rule as a box, the key
 * values a parsed packet can carry, and which destinations reach a zone.
 *
 * The rule boxes follow dataplane/acl/acl_build.c exactly (family-0 rules
 * use per family only the prefixes of that family; ICMP rules put type and
 * code in the port slots; a rule of protocol "any" keeps its port ranges for
 * every protocol); the packet-side restrictions follow pkt_parse.c (martian
 * addresses) and the destination decision (dataplane/decide: local,
 * broadcast, multicast, routing).
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include "sk_image_api.h"
#include "verify_priv.h"

#define P_ICMP 1
#define P_TCP 6
#define P_UDP 17
#define P_ICMPV6 58

void
sk_vmodel_init(struct sk_vmodel *m, const struct sk_image_hdr *img)
{
	const struct sk_img_settings *st = sk_image_settings(img);
	const struct sk_img_zonepol *zp;
	const struct sk_img_route *rt;
	const struct sk_img_iface *ifs;
	uint32_t n, i, nif;

	memset(m, 0, sizeof(*m));
	m->img = img;
	m->rules = sk_image_sec(img, SK_SEC_RULES, &m->n_rules);
	m->pfx = sk_image_sec(img, SK_SEC_PREFIXES, NULL);
	m->ports = sk_image_sec(img, SK_SEC_PORTS, NULL);
	m->zones = sk_image_sec(img, SK_SEC_ZONES, &m->n_zones);
	/* The same defaults the generation computes (gen_zone_defaults). */
	memset(m->defaults, st->default_action, sizeof(m->defaults));
	zp = sk_image_sec(img, SK_SEC_ZONEPOL, &n);
	for (i = 0; i < n; i++) {
		m->defaults[zp[i].from_zone][zp[i].to_zone] = zp[i].action;
		m->explicit_def[zp[i].from_zone][zp[i].to_zone] = 1;
	}
	/* Untrusted: a zone whose interface carries a default route. */
	ifs = sk_image_sec(img, SK_SEC_IFACES, &nif);
	rt = sk_image_sec(img, SK_SEC_ROUTES, &n);
	for (i = 0; i < n; i++)
		if (rt[i].dst.plen == 0 && rt[i].iface < nif)
			m->untrusted[ifs[rt[i].iface].zone] = 1;
}

const char *
sk_vmodel_zone_name(const struct sk_vmodel *m, uint16_t id)
{
	if (id == SK_ZONE_LOCAL)
		return "local";
	if (id == SK_ZONE_ANY)
		return "any";
	if (id > m->n_zones)
		return "?";
	return m->zones[id - 1].name;
}

const char *
sk_verify_action_name(uint8_t action)
{
	switch (action) {
	case SK_ACT_ACCEPT:
		return "accept";
	case SK_ACT_REJECT:
		return "reject";
	default:
		return "drop";
	}
}

static int
set_one(struct sk_vset *s, sk_vu128 lo, sk_vu128 hi)
{
	s->n = 0;
	return sk_vset_add(s, lo, hi);
}

int
sk_vbox_full(struct sk_vbox *b, uint8_t f)
{
	int rc = 0;

	rc |= set_one(&b->d[SK_VD_IN], 0, UINT16_MAX);
	rc |= set_one(&b->d[SK_VD_OUT], 0, UINT16_MAX);
	rc |= set_one(&b->d[SK_VD_PROTO], 0, 255);
	rc |= set_one(&b->d[SK_VD_SRC], 0, sk_v_max(f));
	rc |= set_one(&b->d[SK_VD_DST], 0, sk_v_max(f));
	rc |= set_one(&b->d[SK_VD_K1], 0, UINT16_MAX);
	rc |= set_one(&b->d[SK_VD_K2], 0, UINT16_MAX);
	b->tag = 0;
	return rc ? -ENOMEM : 0;
}

int
sk_vmodel_universe(const struct sk_vmodel *m, uint8_t f, struct sk_vspace *u)
{
	uint8_t icmp = f == 4 ? P_ICMP : P_ICMPV6;
	struct sk_vbox b = { 0 };
	int rc = 0;

	/* Packets arrive on an interface (in zone >= 1); out is a zone or local. */
	rc |= sk_vbox_full(&b, f);
	rc |= set_one(&b.d[SK_VD_IN], 1, m->n_zones);
	rc |= set_one(&b.d[SK_VD_OUT], 0, m->n_zones);
	/* TCP and UDP: any port. */
	rc |= set_one(&b.d[SK_VD_PROTO], P_TCP, P_TCP);
	rc |= sk_vset_add(&b.d[SK_VD_PROTO], P_UDP, P_UDP);
	rc |= sk_vspace_add(u, &b);
	/* The family's ICMP: type and code are bytes. */
	rc |= set_one(&b.d[SK_VD_PROTO], icmp, icmp);
	rc |= set_one(&b.d[SK_VD_K1], 0, 255);
	rc |= set_one(&b.d[SK_VD_K2], 0, 255);
	rc |= sk_vspace_add(u, &b);
	/* Everything else (incl. the other family's ICMP): no ports, key 0/0. */
	rc |= set_one(&b.d[SK_VD_PROTO], 0, 255);
	{
		struct sk_vset cut = { 0 };

		rc |= sk_vset_add(&cut, P_TCP, P_TCP);
		rc |= sk_vset_add(&cut, P_UDP, P_UDP);
		rc |= sk_vset_add(&cut, icmp, icmp);
		rc |= sk_vset_sub(&b.d[SK_VD_PROTO], &b.d[SK_VD_PROTO], &cut);
		sk_vset_free(&cut);
	}
	rc |= set_one(&b.d[SK_VD_K1], 0, 0);
	rc |= set_one(&b.d[SK_VD_K2], 0, 0);
	rc |= sk_vspace_add(u, &b);
	sk_vbox_free(&b);
	return rc ? -ENOMEM : 0;
}

static int
prefixes_set(const struct sk_vmodel *m, uint32_t first, uint32_t count, uint8_t f,
	     struct sk_vset *s)
{
	uint32_t i;
	sk_vu128 lo, hi;

	s->n = 0;
	if (count == 0)
		return sk_vset_add(s, 0, sk_v_max(f));
	for (i = first; i < first + count; i++) {
		if (m->pfx[i].family != f)
			continue;
		sk_v_prefix(f, m->pfx[i].addr, m->pfx[i].plen, &lo, &hi);
		if (sk_vset_add(s, lo, hi) != 0)
			return -ENOMEM;
	}
	return 0; /* empty when the list has no prefix of f: rule not in this family */
}

static int
ports_set(const struct sk_vmodel *m, uint32_t first, uint32_t count, struct sk_vset *s)
{
	uint32_t i;

	s->n = 0;
	if (count == 0)
		return sk_vset_add(s, 0, UINT16_MAX);
	for (i = first; i < first + count; i++)
		if (sk_vset_add(s, m->ports[i].lo, m->ports[i].hi) != 0)
			return -ENOMEM;
	return 0;
}

static int
zone_set(struct sk_vset *s, uint16_t z)
{
	return z == SK_ZONE_ANY ? set_one(s, 0, UINT16_MAX) : set_one(s, z, z);
}

int
sk_vmodel_rule_box(const struct sk_vmodel *m, uint32_t i, uint8_t f, struct sk_vbox *b)
{
	const struct sk_img_rule *r = &m->rules[i];
	int icmp = r->proto == P_ICMP || r->proto == P_ICMPV6;
	int rc = 0;

	b->tag = i + 1;
	if (r->family != 0 && r->family != f) {
		/* Not in this family's context at all: an empty box. */
		rc = sk_vbox_full(b, f);
		b->d[SK_VD_PROTO].n = 0;
		b->tag = i + 1;
		return rc;
	}
	rc |= zone_set(&b->d[SK_VD_IN], r->from_zone);
	rc |= zone_set(&b->d[SK_VD_OUT], r->to_zone);
	rc |= r->proto == SK_PROTO_ANY ? set_one(&b->d[SK_VD_PROTO], 0, 255) :
		set_one(&b->d[SK_VD_PROTO], r->proto, r->proto);
	rc |= prefixes_set(m, r->src_first, r->src_count, f, &b->d[SK_VD_SRC]);
	rc |= prefixes_set(m, r->dst_first, r->dst_count, f, &b->d[SK_VD_DST]);
	if (icmp) {
		rc |= r->icmp_type == SK_ICMP_ANY ? set_one(&b->d[SK_VD_K1], 0, UINT16_MAX) :
			set_one(&b->d[SK_VD_K1], r->icmp_type, r->icmp_type);
		rc |= r->icmp_code == SK_ICMP_ANY ? set_one(&b->d[SK_VD_K2], 0, UINT16_MAX) :
			set_one(&b->d[SK_VD_K2], r->icmp_code, r->icmp_code);
	} else {
		rc |= ports_set(m, r->sport_first, r->sport_count, &b->d[SK_VD_K1]);
		rc |= ports_set(m, r->dport_first, r->dport_count, &b->d[SK_VD_K2]);
	}
	return rc ? -ENOMEM : 0;
}

static int
add_prefix(struct sk_vset *s, uint8_t f, const char *txt, unsigned int plen)
{
	uint8_t a[16] = { 0 };
	sk_vu128 lo, hi;

	if (inet_pton(f == 4 ? AF_INET : AF_INET6, txt, a) != 1)
		return -EINVAL;
	sk_v_prefix(f, a, (uint8_t)plen, &lo, &hi);
	return sk_vset_add(s, lo, hi);
}

/* Destinations refused before policy: martian (parse) and broadcast or
 * multicast (admit's is_mcast_dst). */
static int
bad_dst(uint8_t f, struct sk_vset *s)
{
	int rc = 0;

	if (f == 4) {
		rc |= add_prefix(s, 4, "127.0.0.0", 8);
		rc |= add_prefix(s, 4, "0.0.0.0", 32);
		rc |= add_prefix(s, 4, "224.0.0.0", 3);
	} else {
		rc |= add_prefix(s, 6, "::1", 128);
		rc |= add_prefix(s, 6, "::", 128);
		rc |= add_prefix(s, 6, "ff00::", 8);
	}
	return rc ? -ENOMEM : 0;
}

static int
local_addrs(const struct sk_vmodel *m, uint8_t f, struct sk_vset *s)
{
	const struct sk_img_prefix *a;
	uint32_t n, i;
	sk_vu128 v;

	a = sk_image_sec(m->img, SK_SEC_ADDRS, &n);
	for (i = 0; i < n; i++) {
		if (a[i].family != f)
			continue;
		v = sk_v_addr(f, a[i].addr);
		if (sk_vset_add(s, v, v) != 0)
			return -ENOMEM;
	}
	return 0;
}

/* Directed broadcasts of the IPv4 subnets of an interface (sk_gen_is_bcast4). */
static int
iface_bcasts(const struct sk_vmodel *m, uint16_t iface, struct sk_vset *s)
{
	const struct sk_img_iface *ifs = sk_image_sec(m->img, SK_SEC_IFACES, NULL);
	const struct sk_img_prefix *a = sk_image_sec(m->img, SK_SEC_ADDRS, NULL);
	uint32_t i;
	sk_vu128 lo, hi;

	for (i = ifs[iface].addr_first; i < ifs[iface].addr_first + ifs[iface].addr_count; i++) {
		if (a[i].family != 4 || a[i].plen >= 31)
			continue;
		sk_v_prefix(4, a[i].addr, a[i].plen, &lo, &hi);
		if (sk_vset_add(s, hi, hi) != 0)
			return -ENOMEM;
	}
	return 0;
}

int
sk_vmodel_dst_reach(const struct sk_vmodel *m, uint8_t f, uint16_t zone, struct sk_vset *s)
{
	const struct sk_img_route *rt;
	const struct sk_img_iface *ifs;
	struct sk_vset region = { 0 }, more = { 0 }, bad = { 0 };
	uint32_t n, i, j;
	sk_vu128 lo, hi, lo2, hi2;
	int rc = 0, dup;

	s->n = 0;
	if (zone == SK_ZONE_LOCAL)
		return local_addrs(m, f, s);
	rt = sk_image_sec(m->img, SK_SEC_ROUTES, &n);
	ifs = sk_image_sec(m->img, SK_SEC_IFACES, NULL);
	for (i = 0; i < n && rc == 0; i++) {
		if (rt[i].dst.family != f || ifs[rt[i].iface].zone != zone)
			continue;
		/* Longest prefix wins; of two equal prefixes the first in the image. */
		sk_v_prefix(f, rt[i].dst.addr, rt[i].dst.plen, &lo, &hi);
		more.n = 0;
		dup = 0;
		for (j = 0; j < n && rc == 0; j++) {
			if (j == i || rt[j].dst.family != f || rt[j].dst.plen < rt[i].dst.plen)
				continue;
			sk_v_prefix(f, rt[j].dst.addr, rt[j].dst.plen, &lo2, &hi2);
			if (lo2 < lo || hi2 > hi)
				continue;
			if (rt[j].dst.plen == rt[i].dst.plen) {
				dup |= j < i;
				continue;
			}
			rc = sk_vset_add(&more, lo2, hi2);
		}
		if (dup)
			continue;
		rc |= set_one(&region, lo, hi);
		rc |= sk_vset_sub(&region, &region, &more);
		if (f == 4 && (rt[i].connected || !rt[i].has_gw)) {
			bad.n = 0;
			rc |= iface_bcasts(m, rt[i].iface, &bad);
			rc |= sk_vset_sub(&region, &region, &bad);
		}
		rc |= sk_vset_union(s, s, &region);
	}
	bad.n = 0;
	rc |= local_addrs(m, f, &bad);
	rc |= bad_dst(f, &bad);
	rc |= sk_vset_sub(s, s, &bad);
	sk_vset_free(&region);
	sk_vset_free(&more);
	sk_vset_free(&bad);
	return rc ? -ENOMEM : 0;
}
