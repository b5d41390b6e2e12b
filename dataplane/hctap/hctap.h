/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hctap.h - the health-check tap: a kernel TAP interface (DPDK net_tap) that
 * the dataplane owns, so sekisho-cp can probe backends with the kernel's own
 * TCP/TLS stack (docs/health.md).
 *
 *   kernel (sekisho-cp's curl, bound to the tap)
 *      |  sk_hctap_from_kernel: packets the kernel sends out of the tap;
 *      |      the main lcore routes them like packets the unit originates
 *      v  sk_hctap_to_kernel:   replies from a backend's health endpoint
 *   tap port (DPDK)             (the worker marked them SK_EXC_HEALTH)
 *
 * The kernel side carries the unit's interface addresses (sk_hctap_set_addrs)
 * so probes leave from the unit's own address and replies come back to it.
 * The tap is NOARP: the dataplane ignores its L2 and the kernel never waits
 * for a neighbour on it.  Nothing listens on it (the checker only connects).
 *
 * Threads: open/close/set_addrs/to_kernel/from_kernel are for the main lcore
 * only (they make syscalls or use the tap's only queue pair).  An endpoint
 * set is built on the main lcore, immutable once built, and read by workers
 * with sk_hctap_is_reply (no lock, no syscall, no allocation); free it only
 * after an RCU grace period, like the generation that carries it.
 */
#ifndef SK_HCTAP_H
#define SK_HCTAP_H

#include <stddef.h>
#include <stdint.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "sk_image.h"
#include "sk_pkt_meta.h"

/* DPDK device name of the tap (a vdev of the net_tap driver). */
#define SK_HCTAP_DEV "net_tap_skhc"
#define SK_HCTAP_IFNAME_MAX 16 /* IFNAMSIZ, incl. NUL */

/*
 * Create the tap: rte_dev_probe("net_tap_skhc,iface=<ifname>"), one RX and
 * one TX queue (RX buffers from pool, whose private area must hold a struct
 * sk_pkt_meta), started; then the kernel interface is made NOARP, gets no
 * IPv6 link-local address (addr_gen_mode none: nothing of its own to say
 * on the wire) and is brought up.  Main lcore, after EAL init.
 * 0 and *port_out, or -errno with a message.
 */
int sk_hctap_open(const char *ifname, struct rte_mempool *pool, uint16_t *port_out,
		  char *err, size_t errlen) __attribute__((warn_unused_result));

/* Stop and remove the tap (the kernel interface goes with it). */
void sk_hctap_close(uint16_t port);

/*
 * Make the kernel addresses of interface ifname exactly addrs[0..n) (the
 * unit's interface addresses, SK_SEC_ADDRS of the image, with their prefix
 * lengths; duplicates are fine): adds what is missing, removes everything
 * else (IPv6 addresses without DAD).  The kernel then routes each connected
 * subnet of the unit into the tap.  When any IPv6 address is present it also
 * keeps one last-resort route "::/0 dev ifname metric SK_HCTAP_V6_METRIC",
 * because IPv6, unlike IPv4, does not assume a destination is on-link for a
 * socket bound to a device: without it, IPv6 backends behind a gateway
 * could not be checked.  Plain rtnetlink (AF_NETLINK), no library.
 * Main lcore at start and after each commit.  0 or -errno with a message.
 */
#define SK_HCTAP_V6_METRIC 0xfffffff0u
int sk_hctap_set_addrs(const char *ifname, const struct sk_img_prefix *addrs, uint32_t n,
		       char *err, size_t errlen) __attribute__((warn_unused_result));

/*
 * The health endpoints of an image: (family, address, port) of every backend
 * of every service whose health type is not none; the port is hc_port, else
 * the backend's port, else the service's first port (the same rule as
 * sk_health_targets_from_image in control/health).  image must have passed
 * sk_image_verify().  NULL with rte_errno on failure.
 */
struct sk_hctap_set;
struct sk_hctap_set *sk_hctap_set_build(const void *image, size_t len, int socket);
void sk_hctap_set_free(struct sk_hctap_set *s);
/* Endpoints in the set (distinct (family, address, port)). */
uint32_t sk_hctap_set_count(const struct sk_hctap_set *s);

/*
 * Hot path.  1 when pm is a TCP packet (not a later fragment) from a health
 * endpoint (source address and port) to a port in the kernel's ephemeral
 * range (read when the set was built), else 0.  The worker asks for TCP
 * packets addressed to the unit itself, whether or not they matched the
 * connection the probe's SYN created, except the reply side of a NAT
 * connection (a fullnat SNAT address may be an interface address), and
 * hands those that match to the main lcore with SK_EXC_HEALTH.  s may be
 * NULL (no set: 0).
 */
int sk_hctap_is_reply(const struct sk_hctap_set *s, const struct sk_pkt_meta *pm);

/*
 * 1 if port is in the kernel's ephemeral range (where its probes' source
 * ports come from), as read when s was built; 0 for a NULL set.  Hot path:
 * full NAT from an interface address skips these ports, so a probe and a
 * NAT connection never share a 4-tuple.
 */
int sk_hctap_kernel_port(const struct sk_hctap_set *s, uint16_t port);

/*
 * Main lcore: give m (parsed, sk_pkt_meta valid: l2_len, family) to the
 * kernel.  Its L2 header (with any VLAN tag) is replaced by a plain Ethernet
 * header addressed to the tap's MAC, or the kernel would drop it as
 * PACKET_OTHERHOST.  m is consumed either way: 0 sent, -ENOBUFS the tap's
 * queue was full, -EINVAL not an IP packet (freed); the caller counts it.
 */
int sk_hctap_to_kernel(uint16_t tap_port, struct rte_mbuf *m);

/*
 * Main lcore: up to n packets the kernel sent out of the tap.  Frames that
 * are not IPv4 or IPv6 (by EtherType, untagged) are freed and counted here;
 * what is returned is untagged Ethernet + IPv4/IPv6, not yet parsed.
 * The caller must, for each packet:
 *  - parse it (sk_pkt_parse_burst) and drop what does not parse;
 *  - keep it only if its source address is one of the unit's addresses in
 *    the running generation (sk_gen_local_addr() >= 0): the kernel may also
 *    emit MLD reports or packets from addresses a commit just removed;
 *  - treat it as originated by the unit (zone local): policy, connection
 *    tracking, route lookup, neighbour resolution and L2 rewrite, exactly
 *    like a packet the unit builds itself; never send it back into the tap.
 */
uint16_t sk_hctap_from_kernel(uint16_t tap_port, struct rte_mbuf **pkts, uint16_t n);

/* Counters, written by the main lcore only (read them relaxed). */
struct sk_hctap_stats {
	uint64_t to_kernel;        /* packets given to the kernel */
	uint64_t to_kernel_failed; /* TX queue full or bad packet: freed */
	uint64_t from_kernel;      /* IPv4/IPv6 packets returned to the caller */
	uint64_t from_kernel_other;/* other frames, freed */
};
const struct sk_hctap_stats *sk_hctap_stats(void);

#endif /* SK_HCTAP_H */
