/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synproxy_pkt.h - the packets the SYN proxy makes after the cookie SYN-ACK,
 * each from the mbuf it replaces (no allocation):
 *  - the client's cookie ACK becomes the SYN to the server (same tuple, the
 *    client's ISN and its MSS / window scale / SACK-permitted from the cookie);
 *  - the server's SYN-ACK becomes the ACK back to the server that completes
 *    the server side;
 *  - every later segment has seq (server->client) or ack and SACK blocks
 *    (client->server) shifted by the connection's delta, checksum updated
 *    incrementally (RFC 1624).
 */
#ifndef SK_SYNPROXY_PKT_H
#define SK_SYNPROXY_PKT_H

#include <stdint.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "syncookie.h"

/* The cookie ACK m (sk_pkt_meta filled, client's view: client -> server or
 * VIP): verify it.  SK_SYNCOOKIE_VALID with the client's options in *o and
 * the cookie in *cookie, or SK_SYNCOOKIE_BAD. */
enum sk_syncookie_verdict sk_synproxy_ack_check(struct rte_mbuf *m,
	struct sk_syncookie_keys *keys, uint64_t now_s, struct sk_syncookie_opts *o,
	uint32_t *cookie);

/* Rewrite the checked cookie ACK m into the client's SYN (seq = ISN, no
 * ack, options o, no payload, IPv4 options / IPv6 extension headers gone,
 * TTL as received) and update its meta (flags, lengths).  L2 is left to
 * forwarding.  0, or -EINVAL (headers not in the first segment) / -ENOSPC. */
__attribute__((warn_unused_result))
int sk_synproxy_ack_to_syn(struct rte_mbuf *m, const struct sk_syncookie_opts *o);

/* Turn the server's SYN-ACK m into the ACK that answers it, back out the
 * way it came: MACs swapped (source src_mac), addresses and ports swapped,
 * seq = its ack, ack = its seq + 1, window win, no options or payload.  The
 * meta is updated to the ACK (flags; addresses/ports swapped).  0, or
 * -EINVAL as above. */
__attribute__((warn_unused_result))
int sk_synproxy_synack_to_ack(struct rte_mbuf *m, const struct rte_ether_addr *src_mac,
	uint16_t win);

/* A segment of a translated connection: from the client (to_server 1):
 * ack += delta when ACK is set, and each SACK block edge += delta; from the
 * server: seq -= delta.  Incremental checksum.  m's TCP header must be in
 * its first segment (the parser guarantees it). */
void sk_synproxy_translate(struct rte_mbuf *m, int to_server, uint32_t delta);

/* Set the seq of m to seq (the server's RST before its SYN-ACK: the client
 * accepts a RST only at its rcv_nxt, the cookie + 1). */
void sk_synproxy_set_seq(struct rte_mbuf *m, uint32_t seq);

#endif /* SK_SYNPROXY_PKT_H */
