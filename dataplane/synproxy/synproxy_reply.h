/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synproxy_reply.h - the cookie SYN-ACK the proxy answers a SYN with, built
 * from the parsed SYN alone: no connection entry, no table lookup.
 */
#ifndef SK_SYNPROXY_REPLY_H
#define SK_SYNPROXY_REPLY_H

#include <stdint.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "syncookie.h"

/* Build the SYN-ACK for the parsed SYN orig (sk_pkt_meta filled), from mac
 * src_mac, seq = cookie, ack = client ISN + 1, window 65535 (unscaled, RFC
 * 7323: the SYN-ACK's window is never scaled), options per
 * sk_synproxy_synack_opts.  *cookie receives the cookie.  NULL when orig is
 * not a plain SYN, its options are malformed, or mp is empty (the caller
 * counts the drop). */
struct rte_mbuf *sk_synproxy_synack(struct rte_mempool *mp, const struct rte_mbuf *orig,
	const struct rte_ether_addr *src_mac, struct sk_syncookie_keys *keys,
	uint64_t now_s, uint8_t our_wscale, uint32_t *cookie);

#endif /* SK_SYNPROXY_REPLY_H */
