/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * local.h - packets the unit answers or originates itself: ARP and ND for
 * its own addresses, ICMP echo replies, ICMP errors (unreachable, time
 * exceeded, too big) and TCP resets for rejected connections.
 *
 * Replies leave untagged, from the interface's own MAC and first address of
 * the family.  Builders take the original packet's parsed meta; they never
 * free the original unless they say they reuse it in place.
 */
#ifndef SK_LOCAL_H
#define SK_LOCAL_H

#include <stdint.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include "sk_pkt_meta.h"
#include "gen/gen.h"

/* ARP request m asks for one of our addresses: rewrite it in place into the
 * reply from mac (the request's sender becomes the target). */
void sk_local_arp_reply(struct rte_mbuf *m, const struct rte_ether_addr *mac);

/* New ARP request for target, broadcast (dst == NULL) or unicast re-probe. */
struct rte_mbuf *sk_local_arp_request(struct rte_mempool *mp, const struct sk_gen_iface *ifc,
				      const uint8_t target[4], const struct rte_ether_addr *dst);

/* New neighbour solicitation for target: to its solicited-node multicast
 * group (dst == NULL) or unicast to dst (re-probe). */
struct rte_mbuf *sk_local_nd_solicit(struct rte_mempool *mp, const struct sk_gen_iface *ifc,
				     const uint8_t target[16], const struct rte_ether_addr *dst);

/* Neighbour solicitation m asks for our address `target`: rewrite in place
 * into a solicited neighbour advertisement from mac.  -EINVAL if m is not a
 * well-formed NS (the caller drops it). */
int sk_local_nd_advert(struct rte_mbuf *m, const struct rte_ether_addr *mac,
		       const uint8_t target[16]);

/* The ND option carrying a link-layer address in NS (source, type 1) or NA
 * (target, type 2); 0 and *mac filled when present. */
int sk_local_nd_lladdr(const struct rte_mbuf *m, uint8_t *target, struct rte_ether_addr *mac);

/* Echo request m (parsed) to us: rewrite in place into the echo reply. */
void sk_local_echo_reply(struct rte_mbuf *m, const struct rte_ether_addr *mac);

/* ICMP/ICMPv6 error about m (type/code of the family; info = MTU for
 * "too big"/"fragmentation needed"), from ifc.  NULL when no reply may be
 * sent (no address of the family, m itself an ICMP error, multicast source). */
struct rte_mbuf *sk_local_icmp_error(struct rte_mempool *mp, const struct rte_mbuf *m,
				     const struct sk_gen_iface *ifc, uint8_t type, uint8_t code,
				     uint32_t info);

/*
 * The IP header in front of TCP segment tcp (tcplen bytes, checksum field
 * zero) for a reply to the packet pm describes: addresses reversed, TTL /
 * hop limit 64, DF if df (IPv4); then the IP and TCP checksums.  l3 is where
 * the IP header goes.  The RST below and the SYN proxy's SYN-ACK use it.
 */
void sk_local_tcp_ip_reply(void *l3, const struct sk_pkt_meta *pm, struct rte_tcp_hdr *tcp,
			   uint16_t tcplen, int df);

/* TCP RST answering segment m (RFC 793 rules).  NULL if m carries RST. */
struct rte_mbuf *sk_local_tcp_rst(struct rte_mempool *mp, const struct rte_mbuf *m,
				  const struct sk_gen_iface *ifc);

#endif /* SK_LOCAL_H */
