/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * frag.h - IPv4/IPv6 fragments never bypass the policy: they are reassembled
 * (rte_ip_frag) before connection lookup and classification, and fragmented
 * again on egress when the datagram exceeds the egress MTU.
 * Thread safety: one struct sk_frag per worker, used only by its owner.
 */
#ifndef SK_FRAG_H
#define SK_FRAG_H

#include <stdint.h>
#include <rte_mbuf.h>

struct sk_frag;

/* NULL with rte_errno on failure. */
struct sk_frag *sk_frag_create(uint32_t max_flows, uint32_t timeout_ms, int socket);
void sk_frag_free(struct sk_frag *f);

/*
 * Feed one parsed fragment (meta.frag != SK_FRAG_NONE).  Returns the whole
 * datagram, re-parsed (meta.frag == SK_FRAG_NONE, possibly a chained mbuf),
 * once the last piece arrives; NULL when the fragment was kept for later or
 * dropped -- then *drop is a sk_drop_reason or 0xff for "kept".
 * port_mac is passed to the re-parse.
 */
struct rte_mbuf *sk_frag_reassemble(struct sk_frag *f, struct rte_mbuf *m,
				    uint64_t tsc, uint8_t *drop);

/* Free what timed out; returns how many mbufs were freed (counted as
 * SK_DROP_FRAG_TIMEOUT by the caller). */
uint32_t sk_frag_expire(struct sk_frag *f);

/*
 * Split datagram m (parsed; meta.l2_len valid) into fragments that fit mtu
 * (L3 bytes).  Each output keeps m's L2 header and meta.  m is consumed on
 * success.  Returns the number of fragments in out[], or -errno (m not
 * consumed): -EMSGSIZE when DF is set (IPv4) and the caller must answer with
 * ICMP "fragmentation needed" / ICMPv6 "packet too big".
 */
int sk_frag_fragment(struct rte_mbuf *m, uint16_t mtu, struct rte_mbuf **out,
		     uint16_t max_out, struct rte_mempool *pool);

#endif /* SK_FRAG_H */
