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
#include "sk_drop.h"

struct sk_frag;

/* *drop value of sk_frag_reassemble() when the fragment was kept. */
#define SK_FRAG_KEPT SK_DROP_NONE   /* kept for reassembly: not a drop */

/*
 * Reassembly state for up to max_flows datagrams in progress; a datagram
 * whose first fragment is older than timeout_ms is given up.
 * NULL with rte_errno (EINVAL, ENOMEM) on failure.
 */
struct sk_frag *sk_frag_create(uint32_t max_flows, uint32_t timeout_ms, int socket);

/* Frees the table and every fragment it holds.  NULL is a no-op. */
void sk_frag_free(struct sk_frag *f);

/*
 * Feed one parsed fragment (meta.kind == SK_PKT_IP, meta.frag != NONE); tsc
 * is rte_rdtsc() at arrival.  m is always consumed, except that a packet
 * which is not a fragment is returned as is.
 *
 * Returns the whole datagram once the last piece arrives: re-parsed (the
 * destination MAC check is not repeated: the first fragment passed it),
 * kind SK_PKT_IP, frag SK_FRAG_NONE, possibly a chained mbuf with all
 * headers in the first segment; the worker's meta fields (in_port ...) are
 * those of the first fragment.  IPv4: header checksum recomputed.  IPv6:
 * the fragment header is removed; meta.frag_id keeps its id so that
 * sk_frag_fragment() reuses it.
 * Returns NULL when the fragment was kept (*drop = SK_FRAG_KEPT) or dropped
 * and freed (*drop = SK_DROP_FRAG_MALFORMED, SK_DROP_FRAG_TABLE_FULL, or the
 * parse reason of a reassembled datagram that is itself malformed).
 * IPv6 fragments whose fragment header does not directly follow the fixed
 * header (hop-by-hop/routing/dest-opts before it) are dropped as malformed:
 * rte_ip_frag in DPDK 22.11 cannot reassemble them correctly.
 * Other fragments of a datagram that turns out bad are freed too and
 * counted by the next sk_frag_expire().
 */
struct rte_mbuf *sk_frag_reassemble(struct sk_frag *f, struct rte_mbuf *m,
				    uint64_t tsc, uint8_t *drop);

/*
 * Free what timed out (judged against rte_rdtsc()), at most a death row's
 * worth per call so that a worker's loop stays bounded.  Returns how many
 * held fragments were freed since the last call without being reported
 * through *drop: timed out, or belonging to a datagram found bad (counted as
 * SK_DROP_FRAG_TIMEOUT by the caller: fragments of a datagram that never
 * completed).
 */
uint32_t sk_frag_expire(struct sk_frag *f);

/*
 * At stop: free every fragment still held, complete datagram or not, and
 * return how many that was, so the final ledger counts them
 * (SK_DROP_FRAG_HELD_AT_STOP) instead of losing them with the table.  Call
 * sk_frag_expire() first, so that what had timed out keeps its own reason.
 * The table stays usable (empty).
 */
uint32_t sk_frag_flush(struct sk_frag *f);

/*
 * Split datagram m (parsed; meta.l2_len valid) into fragments that fit mtu
 * (L3 bytes).  Each output keeps m's L2 header and a copy of m's meta with
 * frag/ip_len/l3_len/l4 fields fixed (l2_len/l3_len/l4_len of the mbuf too);
 * IPv4 header checksums are computed in software.  m is consumed on success.
 * A datagram that already fits is returned as out[0] = m, count 1.
 * pool serves as both direct pool (new headers) and indirect pool (mbufs
 * attached to m's data); its private area must be SK_PKT_PRIV_SIZE.
 * Returns the number of fragments in out[], or -errno (m not consumed):
 * -EMSGSIZE when DF is set (IPv4) and the caller must answer with ICMP
 * "fragmentation needed"; -ENOSPC when max_out is too small; -ENOMEM when
 * pool is empty; -EINVAL on a bad argument or an mtu below the minimum
 * (68 / 1280); -ENOTSUP for IPv6 with hop-by-hop/routing headers.
 * IPv6: a router must not fragment a datagram it did not reassemble (RFC
 * 8200): the caller answers "packet too big" for those instead of calling
 * this.
 */
int sk_frag_fragment(struct rte_mbuf *m, uint16_t mtu, struct rte_mbuf **out,
		     uint16_t max_out, struct rte_mempool *pool);

#endif /* SK_FRAG_H */
