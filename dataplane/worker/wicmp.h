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
 * unit itself, which go on as before (local delivery decides).  A worker
 * takes the errors of a burst after its other packets, so that an error
 * about a connection one of them opened finds it.
 * Called per packet by a worker, hot path: no locks, no allocation.
 */
#ifndef SK_WICMP_H
#define SK_WICMP_H

#include <stdint.h>
#include "dp.h"
#include "conn/conn.h"

enum sk_wicmp_verdict {
	SK_WICMP_FORWARD = 0, /* related: translated (NAT) and routed, forward it */
	SK_WICMP_HANDOFF,     /* to worker *to: the connection's owner, or the next to look */
	SK_WICMP_ORDINARY,    /* quotes no connection and is addressed to the unit:
			       * stages 2 and 3 as for any packet */
	SK_WICMP_DROP,        /* *why says why (m not freed: the caller drops it) */
};

/*
 * Relate error m (sk_icmperr_is) to the connection it
 * quotes, on worker w.  The owner of a flow placed by rule (DNAT, a full-NAT
 * source port, a backend's flow) is named by sk_wlb_owner() for the quoted
 * tuple reversed; that of a flow the NIC placed (plain, a full-NAT client's
 * side) by the ports' RSS for the quoted tuple (sk_nat_rss_worker), where
 * the unit knows that RSS.  Where it does not (sk_dp.nat_rss NULL: PMDs
 * without a RETA we program, net_pcap, af_packet), an error such a flow's
 * connection misses is passed round the workers (pm->icmp_missed counts
 * them) until one finds it or all have missed it.  A TCP connection with a
 * backend at one end may be either (DNAT, or plain): the rule's worker
 * first, then the NIC's.
 */
__attribute__((warn_unused_result))
enum sk_wicmp_verdict sk_wicmp_relate(struct sk_worker *w, const struct sk_gen *g,
				      struct rte_mbuf *m, uint16_t *to, enum sk_drop_reason *why);

#endif /* SK_WICMP_H */
