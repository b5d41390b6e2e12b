/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * spoof.h - anti-spoofing: may this source address arrive on this
 * interface?  One function that the worker's admission and the offline
 * trace both call (docs/security.md, "Anti-spoofing and IP options").
 *
 * Martian sources (multicast, loopback, this-network, IPv4-mapped) are the
 * parser's (SK_DROP_IP_BAD_ADDRESS) and need no config; this module adds
 * what needs the generation: land packets, the unit's own addresses as a
 * source, and the interface's reverse-path check (rpf).
 */
#ifndef SK_SPOOF_H
#define SK_SPOOF_H

#include <stdint.h>

#include "sk_drop.h"
#include "sk_dp_types.h"    /* struct sk_spoof_why */
#include "gen/gen.h"
#include "sk_pkt_meta.h"

/*
 * The anti-spoofing verdict of IP packet pm arriving on interface iface of
 * g: SK_DROP_NONE, SK_DROP_IP_LAND, SK_DROP_SPOOF_OWN_ADDRESS or
 * SK_DROP_SPOOF_RPF.  why may be NULL.  Per packet, not per new flow: a
 * connection's packets from the wrong side are as forged as a first SYN,
 * and the cost with rpf on is one LPM lookup (none with rpf off).
 */
enum sk_drop_reason sk_spoof_check(const struct sk_gen *g, const struct sk_pkt_meta *pm,
				   uint16_t iface, struct sk_spoof_why *why)
	__attribute__((warn_unused_result));

#endif /* SK_SPOOF_H */
