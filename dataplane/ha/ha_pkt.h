/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_pkt.h - packets the HA main lcore originates: gratuitous ARP,
 * unsolicited neighbour advertisement, and the heartbeat's UDP datagram.
 */
#ifndef SK_HA_PKT_H
#define SK_HA_PKT_H

#include <stdint.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

/* Gratuitous ARP request (sender = target = addr) from mac, broadcast. */
struct rte_mbuf *sk_ha_garp(struct rte_mempool *mp, const struct rte_ether_addr *mac,
			    const uint8_t addr[4]);

/* Unsolicited neighbour advertisement (override, to all-nodes) for addr. */
struct rte_mbuf *sk_ha_unsol_na(struct rte_mempool *mp, const struct rte_ether_addr *mac,
				const uint8_t addr[16]);

/* UDP datagram src:port -> dst:port carrying len bytes of payload. */
struct rte_mbuf *sk_ha_udp(struct rte_mempool *mp, const struct rte_ether_addr *smac,
			   const struct rte_ether_addr *dmac, uint8_t family, const uint8_t src[16],
			   const uint8_t dst[16], uint16_t port, const void *payload, uint16_t len);

#endif /* SK_HA_PKT_H */
