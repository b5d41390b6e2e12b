/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wicmp.h - the worker's handling of ICMP/ICMPv6 errors (pkt/pkt_icmperr.h):
 * an error is looked up by the tuple it quotes (the connection's canonical
 * key, so either direction finds it), on the worker that owns that
 * connection, and is related to it: forwarded without a policy decision
 * and without touching the connection's state, translated like the
 * connection when it is a NAT one (outer destination, the quoted header's
 * addresses and ports, its IPv4 checksum and L4 checksum when quoted, the
 * outer ICMP checksum), so PMTUD works through the unit.  Errors quoting no
 * connection are dropped (icmp_err_no_conn), except those addressed to the
 * unit itself, which go on as before (local delivery decides).
 * Called per packet by a worker, hot path: no locks, no allocation.
 */
#ifndef SK_WICMP_H
#define SK_WICMP_H

#include <stdint.h>
#include "dp.h"
#include "conn/conn.h"

/*
 * Error m: *k = the key of the connection it quotes, *src_is_a = the
 * error's own direction against that key, *owner = the worker that owns
 * the connection.  SK_DROP_NONE, or the reason to drop m.
 */
__attribute__((warn_unused_result))
enum sk_drop_reason sk_wicmp_key(const struct sk_worker *w, const struct sk_gen *g,
				 struct rte_mbuf *m, struct sk_conn_key *k, uint8_t *src_is_a,
				 uint16_t *owner);

/*
 * Error m quotes connection c (a lookup hit, primary or NAT alias):
 * SK_DROP_NONE when m is ready to forward (translated and routed for a NAT
 * connection), or the reason to drop it.
 */
__attribute__((warn_unused_result))
enum sk_drop_reason sk_wicmp_related(struct sk_worker *w, const struct sk_gen *g,
				     struct rte_mbuf *m, struct sk_conn *c, uint8_t src_is_a);

/* Does an error that matched no connection go on to policy (addressed to
 * the unit itself) rather than being dropped? */
int sk_wicmp_miss_is_local(const struct sk_pkt_meta *pm);

#endif /* SK_WICMP_H */
