/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port.c - device probe and ethdev configuration.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <rte_dev.h>
#include <rte_ethdev.h>

#include "port.h"

/*
 * Symmetric Toeplitz key (the 0x6d5a pattern): hash(a->b) == hash(b->a), so
 * a connection's two directions reach the same RX queue and so the same
 * worker's connection table.
 */
static uint8_t sym_rss_key[40] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

int
sk_port_probe(const char *devargs, uint16_t *port_id)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	const char *comma = strchr(devargs, ',');
	size_t len = comma != NULL ? (size_t)(comma - devargs) : strlen(devargs);
	int rc;

	if (len == 0 || len >= sizeof(name))
		return -EINVAL;
	memcpy(name, devargs, len);
	name[len] = '\0';
	/* A device given to EAL with -a/--vdev is probed already. */
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;
	rc = rte_dev_probe(devargs);
	if (rc != 0)
		return rc;
	return rte_eth_dev_get_port_by_name(name, port_id) == 0 ? 0 : -ENODEV;
}

int
sk_port_start(uint16_t port_id, const struct sk_img_iface *ifc, uint16_t nb_rxq,
	      uint16_t nb_txq, uint16_t rx_desc, uint16_t tx_desc, struct rte_mempool *pool,
	      uint16_t *rxq_out, char *err, size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t q;
	int rc;

	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc != 0) {
		snprintf(err, errlen, "%s: device info: %s", ifc->name, strerror(-rc));
		return rc;
	}
	if (nb_txq > info.max_tx_queues) {
		snprintf(err, errlen, "%s: device has %u TX queues, %u needed (one per worker)",
			 ifc->name, info.max_tx_queues, nb_txq);
		return -ENOTSUP;
	}
	nb_rxq = RTE_MIN(nb_rxq, info.max_rx_queues);
	memset(&conf, 0, sizeof(conf));
	if (nb_rxq > 1 && info.flow_type_rss_offloads != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = sym_rss_key;
		conf.rx_adv_conf.rss_conf.rss_key_len = sizeof(sym_rss_key);
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
	}
	rc = rte_eth_dev_configure(port_id, nb_rxq, nb_txq, &conf);
	if (rc != 0) {
		snprintf(err, errlen, "%s: configure %u/%u queues: %s", ifc->name, nb_rxq, nb_txq,
			 strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &rx_desc, &tx_desc);
	if (rc != 0) {
		snprintf(err, errlen, "%s: descriptors: %s", ifc->name, strerror(-rc));
		return rc;
	}
	for (q = 0; q < nb_rxq; q++) {
		rc = rte_eth_rx_queue_setup(port_id, q, rx_desc, rte_eth_dev_socket_id(port_id),
					    NULL, pool);
		if (rc != 0) {
			snprintf(err, errlen, "%s: RX queue %u: %s", ifc->name, q, strerror(-rc));
			return rc;
		}
	}
	for (q = 0; q < nb_txq; q++) {
		rc = rte_eth_tx_queue_setup(port_id, q, tx_desc, rte_eth_dev_socket_id(port_id),
					    NULL);
		if (rc != 0) {
			snprintf(err, errlen, "%s: TX queue %u: %s", ifc->name, q, strerror(-rc));
			return rc;
		}
	}
	/* Not every PMD lets the MTU or MAC be set (pcap, af_packet follow the
	 * kernel interface); the unit still enforces the configured MTU itself. */
	(void)rte_eth_dev_set_mtu(port_id, ifc->mtu);
	int promisc = ifc->promisc;

	if (ifc->has_mac) {
		struct rte_ether_addr mac, got;

		memcpy(mac.addr_bytes, ifc->mac, 6);
		(void)rte_eth_dev_default_mac_addr_set(port_id, &mac);
		/* Some PMDs accept the call and keep their own address. */
		if (rte_eth_macaddr_get(port_id, &got) != 0 || !rte_is_same_ether_addr(&got, &mac))
			promisc = 1;
	}
	rc = rte_eth_dev_start(port_id);
	if (rc != 0) {
		snprintf(err, errlen, "%s: start: %s", ifc->name, strerror(-rc));
		return rc;
	}
	if (promisc)
		(void)rte_eth_promiscuous_enable(port_id);
	*rxq_out = nb_rxq;
	return 0;
}

void
sk_port_stop(uint16_t port_id)
{
	(void)rte_eth_dev_stop(port_id);
	(void)rte_eth_dev_close(port_id);
}

const uint8_t *
sk_port_rss_key(uint32_t *len)
{
	*len = sizeof(sym_rss_key);
	return sym_rss_key;
}

int
sk_port_reta_rr(uint16_t port_id, uint16_t nb_rxq, uint32_t *reta_size)
{
	struct rte_eth_rss_reta_entry64 conf[RTE_ETH_RSS_RETA_SIZE_512 / RTE_ETH_RETA_GROUP_SIZE];
	struct rte_eth_dev_info info;
	uint32_t i;
	int rc;

	if (nb_rxq < 2 || rte_eth_dev_info_get(port_id, &info) != 0 || info.reta_size == 0 ||
	    info.reta_size > RTE_ETH_RSS_RETA_SIZE_512 || !rte_is_power_of_2(info.reta_size))
		return -ENOTSUP;
	memset(conf, 0, sizeof(conf));
	for (i = 0; i < info.reta_size; i++) {
		conf[i / RTE_ETH_RETA_GROUP_SIZE].mask |= 1ull << (i % RTE_ETH_RETA_GROUP_SIZE);
		conf[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] =
			(uint16_t)(i % nb_rxq);
	}
	rc = rte_eth_dev_rss_reta_update(port_id, conf, info.reta_size);
	if (rc != 0)
		return rc == -ENOTSUP ? -ENOTSUP : rc;
	*reta_size = info.reta_size;
	return 0;
}
