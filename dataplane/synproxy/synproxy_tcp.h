/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synproxy_tcp.h - the TCP pieces of the SYN proxy that touch packet bytes:
 * read the client SYN's options, write the cookie SYN-ACK's options, and
 * shift seq/ack by the connection's delta (server ISN - cookie) with an
 * incremental checksum update (RFC 1624), so a proxied connection costs
 * two 32-bit adds per packet and no full checksum.
 */
#ifndef SK_SYNPROXY_TCP_H
#define SK_SYNPROXY_TCP_H

#include <stddef.h>
#include <stdint.h>

#include "syncookie.h"

/* Longest option block sk_synproxy_synack_opts writes. */
#define SK_SYNPROXY_OPTS_MAX 12

/* Options of a SYN: opt/len is the TCP option area (after the 20-byte
 * header).  Missing options leave mss 0, wscale SK_SYNCOOKIE_NO_WSCALE,
 * sack false.  -EINVAL for a malformed option list (the SYN is dropped as
 * tcp_bad_header). */
__attribute__((warn_unused_result))
int sk_synproxy_syn_opts(const uint8_t *opt, size_t len, struct sk_syncookie_opts *o);

/* Write the SYN-ACK's options for what the cookie encoded: MSS, then
 * SACK-permitted and window scale only if the client offered them (RFC 7323
 * s2.2, RFC 2018: a SYN-ACK may only echo what the SYN offered).  our_wscale
 * is the shift the proxy advertises for itself (the server must use the
 * same; see docs/security.md).  Returns the length, a multiple of 4. */
size_t sk_synproxy_synack_opts(uint8_t *buf, const struct sk_syncookie_opts *enc,
	uint8_t our_wscale);

/* One's complement update of a 16-bit checksum for a 32-bit field that
 * changed from old to new (all three as numbers, host order). */
uint16_t sk_synproxy_csum_adj32(uint16_t csum, uint32_t old, uint32_t new_);

/* Add delta to the 32-bit big-endian field at *field (the TCP seq or ack)
 * and fix the checksum at *csum. */
void sk_synproxy_shift(uint8_t *field, uint8_t *csum, uint32_t delta);

#endif /* SK_SYNPROXY_TCP_H */
