/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * route.h - longest-prefix-match routing over connected and static routes
 * (rte_lpm for IPv4, rte_lpm6 for IPv6).
 * Thread safety: built by the main lcore, then read-only and shared by all
 * workers of the generation.
 *
 * A connected route, or a route without a gateway, resolves the packet's
 * destination itself (result.connected = 1); a static route resolves its
 * gateway.  Two routes with the same prefix: the first in the image wins.
 */
#ifndef SK_ROUTE_H
#define SK_ROUTE_H

#include <stddef.h>
#include <stdint.h>
#include "sk_image.h"
#include "sk_dp_types.h"    /* struct sk_route_result */

struct sk_route;

/*
 * Build from SK_SEC_ROUTES of a verified image; NULL, rte_errno and a message
 * in err on failure.  name must be unique (tables are "<name>_4"/"<name>_6",
 * so at most RTE_LPM_NAMESIZE - 4 characters).  Main lcore only.
 */
struct sk_route *sk_route_build(const struct sk_image_hdr *img, const char *name, int socket,
				char *err, size_t errlen);
void sk_route_free(struct sk_route *r);

/* Any lcore, hot path.  0 and *res filled, -ENOENT on a miss, -EINVAL for
 * a family other than 4 or 6.  dst in network order (IPv4: first 4 bytes). */
int sk_route_lookup(const struct sk_route *r, uint8_t family, const uint8_t dst[16],
		    struct sk_route_result *res);

#endif /* SK_ROUTE_H */
