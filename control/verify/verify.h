/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * verify.h - policy verification: "does my firewall do what I think?"
 *
 *   trace     one packet through a compiled generation, in the worker's order
 *             and with the worker's own functions (parse, local address,
 *             route, broadcast, ACL; for a virtual service the backend choice,
 *             policy on the translated packet and the NAT) -> the decision
 *             and why.
 *   lint      findings on a rule set: shadowed and redundant rules, any-any
 *             accepts, sensitive ports open from untrusted zones,
 *             unrestricted egress, accepting defaults from untrusted zones.
 *   exposure  for every zone pair, the address/port space a new connection
 *             is accepted for, after first-match order and the default.
 *
 * Results are JSON documents (their shape is in docs/verify.md); the print
 * functions render them as tables for people.  Lint and exposure read only
 * the image and need no EAL; trace needs a generation, hence EAL (offline:
 * --no-huge --no-shconf, see control/ctl/ctl_offline.c).
 * Thread safety: no shared state except the caller's objects.
 */
#ifndef SK_VERIFY_H
#define SK_VERIFY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "sk_image.h"

struct sk_gen;
struct sk_cfg;

/* A packet to trace.  Names are resolved against the generation. */
struct sk_verify_pkt {
	char in_zone[SK_NAME_MAX];   /* one of in_zone / in_iface ("" = unset) */
	char in_iface[SK_NAME_MAX];
	uint8_t family;              /* 4 or 6, from the addresses */
	uint8_t src[16], dst[16];    /* network order, IPv4 in the first 4 bytes */
	uint8_t proto;
	uint16_t sport, dport;       /* TCP/UDP; ICMP echo: sport is the identifier */
	uint8_t tcp_flags;           /* RTE_TCP_*_FLAG bits */
	uint8_t icmp_type, icmp_code;
	uint8_t ttl;
	uint8_t df;                  /* IPv4 don't-fragment */
	uint8_t l2_mcast;            /* sent to a broadcast/multicast MAC */
	uint16_t length;             /* IP total length; 0 = headers only */
};

/* Fill p from a JSON object (docs/verify.md "trace input").  0, or -EINVAL
 * with a message in err. */
int sk_verify_pkt_from_json(const json_t *j, struct sk_verify_pkt *p, char *err,
			    size_t errlen);

/* Trace p through g (a generation built for tracing).  Returns the decision
 * document, or NULL with a message in err (unknown zone/interface, bad
 * packet, out of memory). */
json_t *sk_verify_trace(const struct sk_gen *g, const struct sk_verify_pkt *p, char *err,
			size_t errlen);

/* Lint / exposure of a verified image.  NULL with a message on failure. */
json_t *sk_verify_lint(const struct sk_image_hdr *img, char *err, size_t errlen);
json_t *sk_verify_exposure(const struct sk_image_hdr *img, char *err, size_t errlen);

/* Tables for people. */
void sk_verify_print_trace(FILE *out, const json_t *doc);
void sk_verify_print_lint(FILE *out, const json_t *doc);
void sk_verify_print_exposure(FILE *out, const json_t *doc);

/*
 * Compile a model into a generation for tracing: image (hdr.generation =
 * generation, which traces report) + sk_gen_build with no ports (port_of_iface NULL) and one counter slot.  EAL must be up.  The
 * generation's id comes from a range of its own (SK_VERIFY_GEN_ID_BASE +
 * seq) so that its rte_acl/rte_lpm names never collide with a dataplane
 * generation's in the same DPDK memory (rte_acl_create returns an existing
 * context of the same name).  NULL with a message on failure.
 */
#define SK_VERIFY_GEN_ID_BASE (UINT64_C(0x7e) << 56)
struct sk_gen *sk_verify_gen_build(const struct sk_cfg *cfg, uint64_t generation, char *err,
				   size_t errlen);

/* The model's image with hdr.generation = generation (malloc'd; lint and
 * exposure read it).  NULL with a message on failure. */
void *sk_verify_image(const struct sk_cfg *cfg, uint64_t generation, size_t *len, char *err,
		      size_t errlen);

#endif /* SK_VERIFY_H */
