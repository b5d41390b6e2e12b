/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * route.h - longest-prefix-match routing over connected and static routes
 * (rte_lpm for IPv4, rte_lpm6 for IPv6).
 * Thread safety: built by the main lcore, then read-only and shared by all
 * workers of the generation.
 */
#ifndef SK_ROUTE_H
#define SK_ROUTE_H

#include <stddef.h>
#include <stdint.h>
#include "sk_image.h"

struct sk_route;

struct sk_route_result {
	uint16_t iface;      /* egress interface id */
	uint8_t connected;   /* next hop is the destination itself */
	uint8_t nexthop[16]; /* address to resolve with ARP/ND */
};

/* Build from SK_SEC_ROUTES; NULL and a message in err on failure. name must be unique. */
struct sk_route *sk_route_build(const struct sk_image_hdr *img, const char *name, int socket,
				char *err, size_t errlen);
void sk_route_free(struct sk_route *r);

/* 0 and *res filled, or -ENOENT. family is 4 or 6; dst in network order. */
int sk_route_lookup(const struct sk_route *r, uint8_t family, const uint8_t dst[16],
		    struct sk_route_result *res);

#endif /* SK_ROUTE_H */
