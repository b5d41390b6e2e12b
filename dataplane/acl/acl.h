/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl.h - the policy classifier: image rules compiled into rte_acl contexts
 * (one for IPv4, one for IPv6), classified in bulk on connection misses.
 *
 * Rule lists (several sources, destinations, port ranges) are expanded into
 * the cross product of rte_acl rules that share the rule's userdata.  First
 * match wins: priority falls with the rule's position in the image.
 * Thread safety: built by the main lcore, then read-only; classify may be
 * called by any number of workers at once.
 */
#ifndef SK_ACL_H
#define SK_ACL_H

#include <stddef.h>
#include <stdint.h>
#include "pkt_meta.h"
#include "sk_image.h"

struct sk_acl;

/*
 * Build from the image's SK_SEC_RULES/PREFIXES/PORTS.  name must be unique
 * among live classifiers (rte_acl contexts are named).  Returns NULL and
 * writes a message to err on failure.
 */
struct sk_acl *sk_acl_build(const struct sk_image_hdr *img, const char *name, int socket,
			    char *err, size_t errlen);
void sk_acl_free(struct sk_acl *acl);

/*
 * Classify n (<= 64) parsed packets whose in_zone and out_zone are set.
 * results[i] = index of the first matching rule + 1, or 0 if none matched.
 */
void sk_acl_classify_burst(const struct sk_acl *acl, struct sk_pkt_meta *const metas[],
			   uint16_t n, uint32_t results[]);

/* Number of rte_acl rules after expansion (v4, v6), for reports. */
void sk_acl_stats(const struct sk_acl *acl, uint32_t *rules4, uint32_t *rules6);

#endif /* SK_ACL_H */
