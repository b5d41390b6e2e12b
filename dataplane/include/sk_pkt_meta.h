/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sk_pkt_meta.h - the per-packet descriptor.  A packet is parsed once
 * (sk_pkt_parse_burst) into this struct, which lives in the mbuf private
 * area; every later stage reads it and never re-parses the headers.  Part
 * of the contract because the offline trace (sk_trace_api.h) hands a frame
 * to the dataplane's parser and reads what its stages wrote here.
 */
#ifndef SK_PKT_META_H
#define SK_PKT_META_H

#include <stdint.h>
#include <rte_mbuf.h>

enum sk_pkt_kind {
	SK_PKT_IP = 0,   /* IPv4/IPv6 to route or deliver */
	SK_PKT_ARP,      /* ARP, for the neighbour code */
	SK_PKT_DROP,     /* parse failed; meta.drop says why */
};

enum sk_frag_kind {
	SK_FRAG_NONE = 0,
	SK_FRAG_FIRST,  /* offset 0, more fragments */
	SK_FRAG_LATER,  /* offset > 0: no L4 header here */
};

struct sk_pkt_meta {
	/* filled by parse */
	uint8_t kind;        /* enum sk_pkt_kind */
	uint8_t family;      /* 4 or 6 (kind IP) */
	uint8_t proto;       /* final L4 protocol after IPv6 extension headers */
	uint8_t frag;        /* enum sk_frag_kind */
	uint8_t tcp_flags;   /* RTE_TCP_*_FLAG bits */
	uint8_t ttl;         /* TTL / hop limit as received */
	uint8_t icmp_type;   /* ICMP/ICMPv6 */
	uint8_t icmp_code;
	uint8_t l2_mcast;    /* destination MAC is broadcast/multicast */
	uint8_t drop;        /* enum sk_drop_reason when kind == SK_PKT_DROP */
	uint8_t ip_opts;     /* IPv4 options other than padding (source routes are dropped) */
	uint16_t vlan;       /* 802.1Q VID, 0 if untagged */
	uint16_t l2_len;     /* Ethernet + VLAN */
	uint16_t l3_len;     /* IPv4 incl. options / IPv6 incl. extension headers */
	uint16_t l4_len;     /* L4 header length (TCP incl. options) */
	uint16_t ip_len;     /* IP total length from the header (v6: 40 + payload) */
	uint16_t sport;      /* host order; ICMP echo: identifier; other ICMP: 0 */
	uint16_t dport;      /* host order; ICMP echo: identifier; other ICMP: 0 */
	uint32_t frag_id;    /* IPv4 id / IPv6 fragment header id */
	uint8_t src[16];     /* network order; IPv4 in the first 4 bytes, rest 0 */
	uint8_t dst[16];

	/* filled by the worker */
	uint16_t in_port;    /* DPDK port id */
	uint16_t in_iface;   /* interface id (index in the generation) */
	uint16_t in_zone;
	uint16_t out_iface;
	uint16_t out_zone;
	uint8_t exc;          /* why it went to the slow path: enum sk_exc */
	uint8_t reassembled;  /* the unit rebuilt it from fragments: may refragment IPv6 */
	uint8_t nexthop[16]; /* resolved next-hop address */
	uint16_t lb_svc;      /* 1 + index of the virtual service the destination is, 0 = none */
	uint8_t lb_addr;      /* SK_LB_ADDR_* flags of the destination address (below) */
	uint8_t handoff;      /* handed over by another worker (already admitted) */
	uint8_t dst_late;     /* a VIP or SNAT destination whose service match and route
			       * wait for the connection lookup (decide.h) */
	uint32_t gen;         /* handoff: the generation out_*, nexthop and lb_* refer to */
	uint8_t icmp_missed;  /* ICMP error passed round the workers: how many missed it */
};

/* Flags of an address (struct sk_pkt_meta.lb_addr, lb_svc.h sk_lb_addr_flags). */
#define SK_LB_ADDR_VIP  0x01  /* some service's VIP */
#define SK_LB_ADDR_SNAT 0x02  /* some full-NAT service's SNAT source */
#define SK_LB_ADDR_BACKEND 0x04 /* some DNAT service's backend (never answered in ARP/ND) */

/* Reasons a worker hands a packet to the main lcore. */
enum sk_exc {
	SK_EXC_NONE = 0,
	SK_EXC_ARP,      /* ARP: answer or learn */
	SK_EXC_ND,       /* ICMPv6 neighbour discovery */
	SK_EXC_RESOLVE,  /* forwarded packet waiting for its next hop's MAC */
	SK_EXC_HEALTH,   /* reply to a health check: to the kernel's tap (hctap/hctap.h) */
	SK_EXC_HA,       /* the HA pair's dataplane heartbeat (ha/ha_dp.h) */
};

/* The mempool is created with this private size; sk_pkt_meta() relies on it. */
#define SK_PKT_PRIV_SIZE RTE_ALIGN(sizeof(struct sk_pkt_meta), RTE_MBUF_PRIV_ALIGN)

static inline struct sk_pkt_meta *
sk_pkt_meta(struct rte_mbuf *m)
{
	return (struct sk_pkt_meta *)rte_mbuf_to_priv(m);
}

#endif /* SK_PKT_META_H */
