/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nat.h - address/port translation of a parsed packet (DNAT and full NAT of
 * the load balancer) and the choice of full-NAT source ports.
 *
 * Rewrites are incremental (RFC 1624): the IPv4 header checksum and the
 * TCP/UDP checksum are adjusted for exactly the words that change, so a
 * translated packet costs no pass over its payload and a packet whose
 * checksum was wrong stays wrong (the receiver drops it, as without NAT).
 *
 * Source ports for full NAT: each worker owns a block of the port space
 * (sk_nat_port_owner() tells any worker whose a reply is), and inside its
 * block a port is chosen with rte_thash so that the NIC's Toeplitz RSS puts
 * the backend's reply on the owner's RX queue: no handoff where the NIC
 * hashes like we do.  Hot path: no allocation, no locks.
 */
#ifndef SK_NAT_H
#define SK_NAT_H

#include <stdint.h>
#include <string.h>
#include <rte_hash_crc.h>
#include <rte_mbuf.h>
#include "sk_pkt_meta.h"

/*
 * Rewrite m's IP source/destination and TCP/UDP ports: NULL address = keep,
 * port 0 = keep (host order otherwise).  Updates the IPv4 header checksum,
 * the TCP/UDP checksum (an IPv4 UDP checksum of 0 stays 0; a computed 0
 * becomes 0xffff), and pm's src/dst/sport/dport.  m is a parsed IP packet
 * (pm->kind == SK_PKT_IP, not a later fragment); its headers are in the
 * first segment.  Hot path.
 */
void sk_nat_rewrite(struct rte_mbuf *m, struct sk_pkt_meta *pm, const uint8_t *src,
		    uint16_t sport, const uint8_t *dst, uint16_t dport);

/* First port a full-NAT source uses: below are the well-known and registered-low ports. */
#define SK_NAT_PORT_LO 1024u

struct sk_nat_rss;

/*
 * The RSS of the ports replies arrive on: Toeplitz with key[key_len] (the key
 * the ports were configured with), RETA of reta_size entries (a power of two
 * <= 512) where entry i is queue i % n_queues, n_queues = n_workers.  NULL
 * with rte_errno on failure.  Main lcore (rte_thash context creation).
 * EINVAL: bad argument, reta_size > 512, n_workers > reta_size, or blocks
 * smaller than 512 ports (n_workers > 126).  ENOTSUP: the key cannot steer
 * through the low 9 port bits (they reach fewer than log2(reta_size) index
 * bits; the ports' symmetric key can, for every RETA size up to 512).
 * Read-only after creation: workers share it.  free(NULL) is a no-op.
 */
struct sk_nat_rss *sk_nat_rss_create(const char *name, const uint8_t *key, uint32_t key_len,
				     uint32_t reta_size, unsigned int n_workers);
void sk_nat_rss_free(struct sk_nat_rss *r);

/*
 * The attempt-th candidate source port (attempt = 0, 1, ...) for a full-NAT
 * connection made by `worker` from address snat to backend:bport (proto
 * TCP/UDP), such that the backend's reply (backend:bport -> snat:port)
 * hashes to worker's queue when r is not NULL, and always inside worker's
 * block.  seed varies the start (e.g. the client's flow hash).  Returns 0
 * and *port, or -ENOSPC once attempt has covered the block.  The caller
 * checks the candidate against its connection table (the table is the
 * allocator: a port is free when no connection uses that reply tuple).
 * Hot path.  -EINVAL for a bad worker/family/proto or an n_workers that
 * differs from r's.  Distinct attempts give distinct ports; with r the
 * attempts enumerate exactly the ports of the block whose reply hashes to
 * one of worker's RETA entries (about block / n_workers of them), without
 * r every port of the block.
 */
int sk_nat_snat_port(const struct sk_nat_rss *r, unsigned int n_workers, unsigned int worker,
		     uint8_t family, uint8_t proto, const uint8_t snat[16], const uint8_t backend[16],
		     uint16_t bport, uint32_t seed, uint32_t attempt, uint16_t *port);

/*
 * The worker whose RX queue the ports' RSS brings a packet src:sport ->
 * dst:dport of protocol proto to (addresses 16 bytes, network order; ports
 * host order): the RETA entry of its Toeplitz hash, entry i -> queue
 * i % n_workers.  TCP and UDP hash with their ports, anything else (ICMP
 * echo) by the addresses alone, as RTE_ETH_RSS_IP does.  The symmetric key
 * gives both directions the same worker.  For the owner of a flow quoted by
 * a packet the NIC hashed otherwise (an ICMP error: worker_icmperr.c).
 * Hot path.
 */
unsigned int sk_nat_rss_worker(const struct sk_nat_rss *r, uint8_t family, uint8_t proto,
			       const uint8_t src[16], uint16_t sport, const uint8_t dst[16],
			       uint16_t dport);

/*
 * Worker whose block holds full-NAT source port `port`, or -1 (below
 * SK_NAT_PORT_LO, or in the unowned tail past the last block).  Blocks are
 * floor((65536 - SK_NAT_PORT_LO) / n_workers) ports rounded down to a
 * multiple of 512 (the largest RETA), so this needs no RSS parameters.
 */
int sk_nat_port_owner(uint16_t port, unsigned int n_workers);

/*
 * The worker that owns a DNAT connection: a hash of the client's address
 * (16 bytes, IPv4 in the first 4) and port, which both directions carry, so
 * any worker can tell.  The HA peer applies the same rule to synced
 * connections.  Hot path.
 */
static inline uint16_t
sk_nat_client_owner(const uint8_t addr[16], uint16_t port, unsigned int n_workers)
{
	uint64_t a[2];
	uint32_t h;

	memcpy(a, addr, sizeof(a));
	h = rte_hash_crc(a, sizeof(a), 0x0dd5);
	h = rte_hash_crc_4byte(port, h);
	return (uint16_t)(h % n_workers);
}

#endif /* SK_NAT_H */
