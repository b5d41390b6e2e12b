/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synproxy_reply.h - the cookie SYN-ACK the proxy answers a SYN with, made
 * from the parsed SYN alone, in its own mbuf: no connection entry, no lookup.
 */
#ifndef SK_SYNPROXY_REPLY_H
#define SK_SYNPROXY_REPLY_H

#include <stdint.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "syncookie.h"

/* Turn the parsed SYN m (sk_pkt_meta filled) into its SYN-ACK in place:
 * same L2 header (VLAN tag kept) with MACs swapped (source src_mac),
 * addresses/ports swapped, IPv4 options / IPv6 extension headers and any
 * SYN payload gone, seq = cookie, ack = client ISN + 1, window 65535
 * (a SYN-ACK's window is never scaled, RFC 7323), options per
 * sk_synproxy_synack_opts.  *cookie receives the cookie.  0, or -EINVAL
 * when m is not a plain SYN in one segment with well-formed options /
 * -ENOSPC when it cannot grow (m untouched in both cases before the
 * rewrite; the caller drops it). */
__attribute__((warn_unused_result))
int sk_synproxy_synack(struct rte_mbuf *m, const struct rte_ether_addr *src_mac,
	struct sk_syncookie_keys *keys, uint64_t now_s, uint8_t our_wscale, uint32_t *cookie);

#endif /* SK_SYNPROXY_REPLY_H */
