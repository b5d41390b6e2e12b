/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * route.c - the routing table of a generation: SK_SEC_ROUTES compiled into
 * rte_lpm (IPv4) and rte_lpm6 (IPv6).  The LPM next hop is an index into a
 * route array that holds what a lookup needs (egress interface, connected,
 * gateway).
 *
 * When two routes name the same prefix the first one in the image wins
 * (rte_lpm would silently let the last overwrite it).  rte_lpm and rte_lpm6
 * take depths from 1, so a default route (/0) is kept beside the table and
 * answers its misses.  A family without
 * routes gets no table at all: an rte_lpm/rte_lpm6 always allocates a 2^24
 * entry first-level table (64 MiB), not worth it for lookups that can only
 * miss.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_lpm.h>
#include <rte_lpm6.h>
#include <rte_malloc.h>

#include "sk_image_api.h"
#include "sk_err.h"
#include "route/route.h"

struct sk_route_nh {
	uint16_t iface;
	uint8_t connected;   /* or no gateway: resolve the destination itself */
	uint8_t gw[16];
};

struct sk_route {
	struct rte_lpm *lpm4;    /* NULL: no IPv4 route */
	struct rte_lpm6 *lpm6;   /* NULL: no IPv6 route */
	int32_t def4;            /* index of the IPv4 default route, -1: none */
	int32_t def6;
	uint32_t n;
	struct sk_route_nh nh[]; /* indexed by the LPM next hop */
};

static uint32_t
be32_at(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return rte_be_to_cpu_32(v);
}

/* tbl8 groups a /depth IPv6 route can need beyond the 24-bit first level. */
static uint32_t
lpm6_tbl8_need(uint8_t depth)
{
	return depth <= 24 ? 0 : (uint32_t)(depth - 24 + 7) / 8;
}

static int
create_tables(struct sk_route *r, const struct sk_img_route *rt, uint32_t n,
	      const char *name, int socket, char *err, size_t errlen)
{
	uint32_t i, n4 = 0, n6 = 0, tbl8_4 = 0, tbl8_6 = 0;
	char tname[RTE_LPM_NAMESIZE];

	for (i = 0; i < n; i++) {
		if (rt[i].dst.plen == 0)
			continue; /* default route: not in the table */
		if (rt[i].dst.family == 4) {
			n4++;
			tbl8_4 += rt[i].dst.plen > 24;
		} else {
			n6++;
			tbl8_6 += lpm6_tbl8_need(rt[i].dst.plen);
		}
	}
	if (n4 != 0) {
		struct rte_lpm_config c = { .max_rules = n4, .number_tbl8s = tbl8_4 + 1 };

		snprintf(tname, sizeof(tname), "%s_4", name);
		r->lpm4 = rte_lpm_create(tname, socket, &c);
		if (r->lpm4 == NULL) {
			(void)sk_err_set(err, errlen, 0, "rte_lpm_create %s: %s", tname, rte_strerror(rte_errno));
			return -(rte_errno ? rte_errno : ENOMEM);
		}
	}
	if (n6 != 0) {
		struct rte_lpm6_config c = { .max_rules = n6, .number_tbl8s = tbl8_6 + 1 };

		snprintf(tname, sizeof(tname), "%s_6", name);
		r->lpm6 = rte_lpm6_create(tname, socket, &c);
		if (r->lpm6 == NULL) {
			(void)sk_err_set(err, errlen, 0, "rte_lpm6_create %s: %s", tname,
				rte_strerror(rte_errno));
			return -(rte_errno ? rte_errno : ENOMEM);
		}
	}
	return 0;
}

static int
add_route(struct sk_route *r, const struct sk_img_route *rt, uint32_t idx,
	  char *err, size_t errlen)
{
	uint32_t nh;
	int rc;

	if (rt->dst.plen == 0) {
		int32_t *def = rt->dst.family == 4 ? &r->def4 : &r->def6;

		if (*def < 0)
			*def = (int32_t)idx;
		return 0;
	}
	if (rt->dst.family == 4) {
		uint32_t ip = be32_at(rt->dst.addr);

		if (rte_lpm_is_rule_present(r->lpm4, ip, rt->dst.plen, &nh) == 1)
			return 0; /* duplicate prefix: the first route wins */
		rc = rte_lpm_add(r->lpm4, ip, rt->dst.plen, idx);
	} else {
		if (rte_lpm6_is_rule_present(r->lpm6, rt->dst.addr, rt->dst.plen, &nh) == 1)
			return 0;
		rc = rte_lpm6_add(r->lpm6, rt->dst.addr, rt->dst.plen, idx);
	}
	if (rc != 0)
		(void)sk_err_set(err, errlen, 0, "route %u (IPv%u /%u): LPM add failed: %s", idx,
			rt->dst.family, rt->dst.plen, rte_strerror(-rc));
	return rc;
}

struct sk_route *
sk_route_build(const struct sk_image_hdr *img, const char *name, int socket,
	       char *err, size_t errlen)
{
	uint32_t n, i;
	const struct sk_img_route *rt;
	struct sk_route *r;
	int rc;

	if (img == NULL || name == NULL || strlen(name) + 3 > RTE_LPM_NAMESIZE - 1) {
		(void)sk_err_set(err, errlen, 0, "route: bad arguments or name too long (max %d)",
			RTE_LPM_NAMESIZE - 4);
		rte_errno = EINVAL;
		return NULL;
	}
	rt = sk_image_sec(img, SK_SEC_ROUTES, &n);
	/* next hops must fit the LPM's 24-bit (v4) / 21-bit (v6) value */
	if (n >= (1u << 21)) {
		(void)sk_err_set(err, errlen, 0, "route: %u routes, at most %u", n, (1u << 21) - 1);
		rte_errno = E2BIG;
		return NULL;
	}
	r = rte_zmalloc_socket("sk_route", sizeof(*r) + n * sizeof(r->nh[0]), 0, socket);
	if (r == NULL) {
		(void)sk_err_set(err, errlen, 0, "route: out of memory");
		rte_errno = ENOMEM;
		return NULL;
	}
	r->n = n;
	r->def4 = -1;
	r->def6 = -1;
	rc = create_tables(r, rt, n, name, socket, err, errlen);
	for (i = 0; rc == 0 && i < n; i++) {
		r->nh[i].iface = rt[i].iface;
		r->nh[i].connected = rt[i].connected || !rt[i].has_gw;
		memcpy(r->nh[i].gw, rt[i].gw, sizeof(r->nh[i].gw));
		rc = add_route(r, &rt[i], i, err, errlen);
	}
	if (rc != 0) {
		sk_route_free(r);
		rte_errno = rc < 0 ? -rc : rc;
		return NULL;
	}
	return r;
}

void
sk_route_free(struct sk_route *r)
{
	if (r == NULL)
		return;
	rte_lpm_free(r->lpm4);
	rte_lpm6_free(r->lpm6);
	rte_free(r);
}

int
sk_route_lookup(const struct sk_route *r, uint8_t family, const uint8_t dst[16],
		struct sk_route_result *res)
{
	const struct sk_route_nh *nh;
	uint32_t idx;

	if (family == 4) {
		if (r->lpm4 == NULL || rte_lpm_lookup(r->lpm4, be32_at(dst), &idx) != 0) {
			if (r->def4 < 0)
				return -ENOENT;
			idx = (uint32_t)r->def4;
		}
	} else if (family == 6) {
		if (r->lpm6 == NULL || rte_lpm6_lookup(r->lpm6, dst, &idx) != 0) {
			if (r->def6 < 0)
				return -ENOENT;
			idx = (uint32_t)r->def6;
		}
	} else {
		return -EINVAL;
	}
	nh = &r->nh[idx];
	res->iface = nh->iface;
	res->connected = nh->connected;
	if (nh->connected) {
		memset(res->nexthop, 0, sizeof(res->nexthop));
		memcpy(res->nexthop, dst, family == 4 ? 4 : 16);
	} else {
		memcpy(res->nexthop, nh->gw, sizeof(res->nexthop));
	}
	return 0;
}
