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
 *
 * Key: built from struct sk_pkt_meta (never from packet bytes): protocol,
 * input and output zone, source and destination address, source and
 * destination port.  ICMP and ICMPv6 have no ports: their type takes the
 * source port slot and their code the destination port slot, and a rule's
 * icmp_type/icmp_code (SK_ICMP_ANY = any) match there.  Port lists on an
 * ICMP rule are refused at build time.
 *
 * Families: a rule of family 4 goes into the IPv4 context only, 6 into the
 * IPv6 context only, 0 into both; a family-0 rule with an address list uses,
 * per context, only the prefixes of that context's family (and is left out
 * of a context where one of its lists has none).
 */
#ifndef SK_ACL_H
#define SK_ACL_H

#include <stddef.h>
#include <stdint.h>
#include "sk_pkt_meta.h"
#include "sk_image.h"

struct sk_acl;

/*
 * Cap on rte_acl rules per context after expanding lists (the cross product
 * src x dst x sport x dport of every rule).  A bigger rule set is refused at
 * build time with a message naming the rule that crossed the cap: rte_acl's
 * build time and memory grow quickly with the rule count, and a typo such as
 * a 200-port list on both sides of a 100-address rule should not take the
 * dataplane down.
 */
#define SK_ACL_MAX_EXPANDED (256u * 1024u)

/*
 * Build from the image's SK_SEC_RULES/PREFIXES/PORTS; img must have passed
 * sk_image_verify().  name must be unique among live classifiers (the rte_acl
 * contexts are named "<name>_4" and "<name>_6", and "<name>_4<p>" for part p
 * of a split family, so at most RTE_ACL_NAMESIZE - 4 characters).  Returns
 * NULL, sets rte_errno and writes a message to err on failure.  Main lcore
 * (or an offline tool); not on the hot path.
 *
 * Large rule sets build in parallel: the two families' contexts, and a
 * family of more than SK_ACL_SPLIT_MIN expanded rules split into up to
 * SK_ACL_MAX_PARTS contexts of contiguous rule slices, are built at once on
 * the calling thread plus DPDK control threads (the control cpuset: CPUs no
 * EAL lcore uses).  With no such CPU the build is one context per family on
 * the calling thread, as for small sets.  Returns when every thread is done.
 */
struct sk_acl *sk_acl_build(const struct sk_image_hdr *img, const char *name, int socket,
			    char *err, size_t errlen);
void sk_acl_free(struct sk_acl *acl);

/*
 * Classify n parsed packets whose in_zone and out_zone are set (any n; keys
 * are built on the stack 64 at a time).  results[i] = index of the first
 * matching rule + 1, or 0 if none matched or the packet is not IPv4/IPv6.
 * Hot path: no allocation, no locks.
 */
void sk_acl_classify_burst(const struct sk_acl *acl, struct sk_pkt_meta *const metas[],
			   uint16_t n, uint32_t results[]);

/*
 * Classify one packet: the same code path as the burst, for the offline trace
 * tool.  Returns the first matching rule's index + 1, or 0.
 */
uint32_t sk_acl_classify_one(const struct sk_acl *acl, const struct sk_pkt_meta *meta);

/* Number of rte_acl rules after expansion (v4, v6), for reports. */
void sk_acl_stats(const struct sk_acl *acl, uint32_t *rules4, uint32_t *rules6);

/* rte_acl contexts per family (0: none) and the threads the build ran on. */
void sk_acl_layout(const struct sk_acl *acl, uint32_t *parts4, uint32_t *parts6,
		   uint32_t *threads);

#endif /* SK_ACL_H */
