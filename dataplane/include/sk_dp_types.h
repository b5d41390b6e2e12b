/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sk_dp_types.h - types only: the results of the dataplane's decisions, as
 * both its modules and its offline façade (sk_trace_api.h) hand them out.
 * The modules that produce them (gen, route, spoof, lb, decide) include
 * this header instead of defining them, so control/ can read a decision
 * without seeing a private header.  Includes only other contract headers.
 */
#ifndef SK_DP_TYPES_H
#define SK_DP_TYPES_H

#include <stdint.h>
#include <rte_ether.h>

#include "sk_image.h"

/* An interface as a generation compiled it (gen.h: struct sk_gen.ifaces). */
struct sk_gen_iface {
	char name[SK_NAME_MAX];
	uint16_t port_id;
	uint16_t zone;
	uint16_t mtu;
	uint16_t vlan;
	struct rte_ether_addr mac;   /* the port's MAC, as the unit answers with it */
	uint8_t has4, has6;
	uint8_t rpf;                 /* enum sk_rpf (sk_image.h) */
	uint8_t ip_opts;             /* enum sk_ipopts */
	uint8_t addr4[4];            /* first IPv4 address: source of ICMP errors */
	uint8_t addr6[16];           /* first IPv6 address */
	uint32_t addr_first, addr_count; /* into the image's SK_SEC_ADDRS */
};

/*
 * A zone pair's default: what happens to a new flow from one zone to another
 * that no rule matches (policy.default, or a policy.zone_defaults entry).
 * Read through sk_decide_verdict (decide/decide.h), never decoded by hand.
 */
struct sk_zone_default {
	uint8_t action;              /* enum sk_action */
	uint8_t log;                 /* 1 = log what it decides */
};

/* Where a packet's destination takes it (gen.h sk_gen_dst, decide.h). */
enum sk_gen_dst {
	SK_GEN_DST_ROUTED = 0,   /* forward: *rr says where */
	SK_GEN_DST_LOCAL,        /* an address of the unit: *rr.iface owns it */
	SK_GEN_DST_BROADCAST,    /* multicast, limited or directed broadcast, or a
				  * broadcast/multicast frame not for the unit */
	SK_GEN_DST_NO_ROUTE,
	SK_GEN_DST_SERVICE,      /* a VIP:port of a virtual service: routed once
				  * its backend is chosen (sk_decide_dst_late
				  * only; sk_gen_dst never says it) */
};

/* A route lookup's answer (route.h). */
struct sk_route_result {
	uint16_t iface;      /* egress interface id */
	uint8_t connected;   /* next hop is the destination itself */
	uint8_t nexthop[16]; /* address to resolve with ARP/ND */
};

/* What the anti-spoofing check found, for the trace (spoof.h): which
 * interface the route back to the source leaves by (when it looked one up). */
struct sk_spoof_why {
	uint8_t looked;      /* 1 = a route back was looked up */
	uint8_t routed;      /* 1 = one exists */
	uint16_t back_iface; /* its interface */
};

/* A backend chosen for a new connection (lb_svc.h sk_lb_select). */
struct sk_lb_choice {
	uint32_t svc;       /* service index */
	uint32_t be;        /* backend index within the service */
	uint32_t gbe;       /* global backend index: counters, stored with the connection */
	uint8_t fwd;        /* enum sk_lb_fwd */
	uint8_t family;
	uint16_t port;      /* backend port, host order (0 in config resolved to pm->dport) */
	uint8_t addr[16];   /* backend address */
};

/* What a packet that no connection knows meets before policy (decide.h). */
enum sk_new_flow {
	SK_NEW_FLOW_POLICY = 0,   /* goes on: backend choice (lb_svc), then policy */
	SK_NEW_FLOW_HEALTH,       /* a backend's answer to the unit's health check:
				   * to the main lcore, for the kernel's tap */
	SK_NEW_FLOW_NAT_STRAY,    /* to an SNAT source with no connection: dropped */
	SK_NEW_FLOW_NOT_SYN,      /* TCP that is not a bare SYN, tcp_loose off: dropped */
};

/* What forwarding does with a routed packet (decide.h sk_decide_fwd). */
enum sk_fwd {
	SK_FWD_SEND = 0,         /* TTL > 1 and it fits the egress MTU */
	SK_FWD_TTL_EXCEEDED,     /* time exceeded: ICMP error, dropped */
	SK_FWD_FRAGMENT,         /* too big: IPv4 without DF, or an IPv6 datagram
				  * the unit reassembled, leaves in fragments */
	SK_FWD_TOO_BIG,          /* too big and may not be fragmented: ICMP
				  * "fragmentation needed"/"packet too big", dropped */
};

/* The policy's verdict on a new flow (decide.h). */
struct sk_verdict {
	uint8_t action;     /* enum sk_action */
	uint8_t log;        /* 1 = log it */
	uint32_t rule;      /* 1 + rule index that matched, 0 = the zone pair's default */
	uint32_t rule_id;   /* that rule's id, 0 for a default */
};

#endif /* SK_DP_TYPES_H */
