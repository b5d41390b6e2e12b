/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hctap_port.c - the health-check tap as a DPDK port: create and remove it,
 * set the kernel interface's flags, and move packets between the main lcore
 * and the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_ether.h>

#include "sk_err.h"
#include "hctap.h"

#define HCTAP_DESC 512

static struct sk_hctap_stats hctap_stats;

const struct sk_hctap_stats *
sk_hctap_stats(void)
{
	return &hctap_stats;
}

/*
 * No IPv6 link-local address on the tap: the kernel would otherwise send
 * router solicitations and MLD reports from it into the dataplane.  The
 * sysctl must be set before the interface goes up; 1 is "none".
 */
static int
ipv6_conf(const char *ifname, const char *key, const char *val)
{
	char path[96];
	int fd, rc = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", ifname, key);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno; /* no IPv6 in this kernel: nothing to do */
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		rc = -errno;
	close(fd);
	return rc;
}

static int
no_linklocal(const char *ifname)
{
	int rc = ipv6_conf(ifname, "addr_gen_mode", "1");

	/* A namespace may turn IPv6 off for new links (the lab's sk-fw does,
	 * so that its kernel says nothing): the tap carries the unit's IPv6
	 * addresses, so it needs it on. */
	return rc != 0 ? rc : ipv6_conf(ifname, "disable_ipv6", "0");
}

/* IFF_NOARP and IFF_UP on the kernel interface (SIOCSIFFLAGS). */
static int
noarp_up(const char *ifname)
{
	struct ifreq ifr;
	int fd, rc = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) {
		rc = -errno;
	} else {
		ifr.ifr_flags |= IFF_NOARP | IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
			rc = -errno;
	}
	close(fd);
	return rc;
}

int
sk_hctap_open(const char *ifname, struct rte_mempool *pool, uint16_t *port_out,
	      char *err, size_t errlen)
{
	struct rte_eth_conf conf;
	char args[64];
	uint16_t port;
	int rc;

	if (ifname == NULL || ifname[0] == '\0' || strlen(ifname) >= SK_HCTAP_IFNAME_MAX ||
	    strchr(ifname, ',') != NULL || strchr(ifname, '/') != NULL || pool == NULL)
		return sk_err_set(err, errlen, -EINVAL, "health tap: bad interface name or pool");
	if (rte_pktmbuf_priv_size(pool) < sizeof(struct sk_pkt_meta))
		return sk_err_set(err, errlen, -EINVAL,
				  "health tap: the mbuf pool has no room for packet meta");
	/* rte_dev_probe is rte_vdev_init through EAL's hotplug API: the vdev
	 * bus is a driver library that pkg-config's libdpdk does not link. */
	snprintf(args, sizeof(args), "%s,iface=%s", SK_HCTAP_DEV, ifname);
	rc = rte_dev_probe(args);
	if (rc != 0)
		return sk_err_set(err, errlen, rc < 0 ? rc : -ENODEV,
				  "health tap %s: %s: %s (is /dev/net/tun there?)", ifname,
				  args, strerror(rc < 0 ? -rc : ENODEV));
	rc = rte_eth_dev_get_port_by_name(SK_HCTAP_DEV, &port);
	if (rc != 0) {
		rte_eal_hotplug_remove("vdev", SK_HCTAP_DEV);
		return sk_err_set(err, errlen, -ENODEV, "health tap %s: no port", ifname);
	}
	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(port, 0, HCTAP_DESC, rte_eth_dev_socket_id(port),
					    NULL, pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, HCTAP_DESC, rte_eth_dev_socket_id(port),
					    NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	if (rc != 0) {
		sk_err_set(err, errlen, rc, "health tap %s: port setup: %s", ifname,
			   strerror(-rc));
		sk_hctap_close(port);
		return rc;
	}
	rc = no_linklocal(ifname);
	if (rc == 0)
		rc = noarp_up(ifname);
	if (rc != 0) {
		sk_err_set(err, errlen, rc, "health tap %s: interface flags: %s", ifname,
			   strerror(-rc));
		sk_hctap_close(port);
		return rc;
	}
	*port_out = port;
	return 0;
}

void
sk_hctap_close(uint16_t port)
{
	if (!rte_eth_dev_is_valid_port(port))
		return;
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_eal_hotplug_remove("vdev", SK_HCTAP_DEV);
}

int
sk_hctap_to_kernel(uint16_t tap_port, struct rte_mbuf *m)
{
	const struct sk_pkt_meta *pm = sk_pkt_meta(m);
	struct rte_ether_hdr *eth;
	uint16_t type = pm->family == 4 ? RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_IPV6;

	/* The backend's frame was addressed to a dataplane port's MAC and may
	 * carry a VLAN tag; the kernel wants one plain header to its own MAC. */
	if (pm->kind != SK_PKT_IP || (pm->family != 4 && pm->family != 6) ||
	    rte_pktmbuf_adj(m, pm->l2_len) == NULL ||
	    (eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eth))) == NULL) {
		hctap_stats.to_kernel_failed++;
		rte_pktmbuf_free(m);
		return -EINVAL;
	}
	rte_eth_macaddr_get(tap_port, &eth->dst_addr);
	rte_ether_addr_copy(&eth->dst_addr, &eth->src_addr);
	eth->src_addr.addr_bytes[0] ^= 0x02; /* any unicast other than the tap's own */
	eth->ether_type = rte_cpu_to_be_16(type);
	m->l2_len = sizeof(*eth);
	m->ol_flags &= ~(RTE_MBUF_F_TX_VLAN | RTE_MBUF_F_TX_QINQ);
	if (rte_eth_tx_burst(tap_port, 0, &m, 1) == 1) {
		hctap_stats.to_kernel++;
		return 0;
	}
	hctap_stats.to_kernel_failed++;
	rte_pktmbuf_free(m);
	return -ENOBUFS;
}

uint16_t
sk_hctap_from_kernel(uint16_t tap_port, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t got = rte_eth_rx_burst(tap_port, 0, pkts, n);
	uint16_t i, kept = 0;

	for (i = 0; i < got; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct rte_ether_hdr *eth;
		uint16_t type = 0;

		if (rte_pktmbuf_data_len(m) >= sizeof(*eth)) {
			eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
			type = rte_be_to_cpu_16(eth->ether_type);
		}
		if (type != RTE_ETHER_TYPE_IPV4 && type != RTE_ETHER_TYPE_IPV6) {
			hctap_stats.from_kernel_other++;
			rte_pktmbuf_free(m);
			continue;
		}
		pkts[kept++] = m;
	}
	hctap_stats.from_kernel += kept;
	return kept;
}
