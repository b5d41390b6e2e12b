/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port.h - opening the interfaces' DPDK devices: any device string (a PCI
 * address on a cloud NIC, a vdev such as net_af_packet or net_pcap in the
 * lab) is hot-plugged with rte_dev_probe, so one binary runs everywhere.
 */
#ifndef SK_PORT_H
#define SK_PORT_H

#include <stdint.h>
#include <rte_mempool.h>
#include "sk_image.h"

/* Probe the device named by devargs; *port_id set. 0 or -errno. */
int sk_port_probe(const char *devargs, uint16_t *port_id);

/*
 * Configure and start port_id with up to nb_rxq RX queues (RSS spreads flows
 * over them with a symmetric key so both directions of a flow land on the
 * same worker) and exactly nb_txq TX queues.  *rxq_out gets the RX queue
 * count the device accepted.  0 or -errno with a message in err.
 */
int sk_port_start(uint16_t port_id, const struct sk_img_iface *ifc, uint16_t nb_rxq,
		  uint16_t nb_txq, uint16_t rx_desc, uint16_t tx_desc, struct rte_mempool *pool,
		  uint16_t *rxq_out, char *err, size_t errlen);

/* Stop and close (flushes pcap/af_packet writers). */
void sk_port_stop(uint16_t port_id);

/* The symmetric Toeplitz key every port is configured with (40 bytes). */
const uint8_t *sk_port_rss_key(uint32_t *len);

/*
 * Program port_id's RSS redirection table so that entry i is queue
 * i % nb_rxq (what nat.h's SNAT port choice assumes).  0 and *reta_size,
 * or -ENOTSUP where the device has no programmable table (af_packet, memif,
 * pcap, a single queue): then replies may land anywhere and the handoff
 * ring carries them.
 */
int sk_port_reta_rr(uint16_t port_id, uint16_t nb_rxq, uint32_t *reta_size);

#endif /* SK_PORT_H */
