/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sk_drop.h - every reason the dataplane discards a packet, in one list.
 *
 * The enum, the counter index, the name shown by telemetry/REST/metrics and
 * the operator-facing description all come from SK_DROP_LIST, so they cannot
 * drift apart.  Add a reason here, never a bare counter elsewhere.
 *
 * SK_DROP_NONE (0) heads the enum but is not in the list: it is the verdict
 * "not dropped" that functions returning a reason give on success, never a
 * counter, a name or a description (arrays indexed by reason leave slot 0
 * empty; loops over the reasons start at SK_DROP__FIRST).
 */
#ifndef SK_DROP_H
#define SK_DROP_H

#define SK_DROP_LIST(X) \
	X(L2_TRUNCATED,      "l2_truncated",        "frame shorter than its Ethernet/802.1Q header") \
	X(L2_OTHER_HOST,     "l2_other_host",       "unicast frame addressed to another MAC") \
	X(L2_UNSUPPORTED,    "l2_unsupported",      "ethertype not IPv4/IPv6/ARP, or stacked VLAN tags") \
	X(L2_VLAN_UNKNOWN,   "l2_vlan_unknown",     "802.1Q tag not configured on the port") \
	X(ARP_MALFORMED,     "arp_malformed",       "ARP not Ethernet/IPv4 or truncated") \
	X(ARP_NOT_OURS,      "arp_not_ours",        "ARP request or neighbour solicitation for an address this unit does not own") \
	X(IP4_TRUNCATED,     "ip4_truncated",       "IPv4 header or total length beyond the frame") \
	X(IP4_BAD_HEADER,    "ip4_bad_header",      "IPv4 version/IHL invalid or options malformed") \
	X(IP4_BAD_CHECKSUM,  "ip4_bad_checksum",    "IPv4 header checksum wrong") \
	X(IP6_TRUNCATED,     "ip6_truncated",       "IPv6 header or payload length beyond the frame") \
	X(IP6_BAD_HEADER,    "ip6_bad_header",      "IPv6 extension header chain malformed or too long") \
	X(IP_BAD_ADDRESS,    "ip_bad_address",      "martian source/destination (multicast, loopback, unspecified source)") \
	X(IP_BROADCAST,      "ip_broadcast",        "IP broadcast or multicast not addressed to this unit") \
	X(L4_TRUNCATED,      "l4_truncated",        "TCP/UDP/ICMP header beyond the IP payload") \
	X(TCP_BAD_HEADER,    "tcp_bad_header",      "TCP data offset invalid") \
	X(TCP_BAD_FLAGS,     "tcp_bad_flags",       "impossible TCP flag combination (SYN+FIN, SYN+RST, none)") \
	X(FRAG_MALFORMED,    "frag_malformed",      "fragment with bad offset/length or overlapping") \
	X(FRAG_TABLE_FULL,   "frag_table_full",     "no room to reassemble another datagram") \
	X(FRAG_TIMEOUT,      "frag_timeout",        "fragments of a datagram that never completed") \
	X(TTL_EXCEEDED,      "ttl_exceeded",        "TTL/hop limit reached zero; ICMP time exceeded sent") \
	X(NO_ROUTE,          "no_route",            "no route to the destination") \
	X(NEIGH_FAILED,      "neigh_failed",        "next hop did not answer ARP/ND") \
	X(NEIGH_QUEUE_FULL,  "neigh_queue_full",    "too many packets waiting for one next hop") \
	X(MTU_EXCEEDED,      "mtu_exceeded",        "larger than egress MTU with DF set / IPv6; ICMP too big sent") \
	X(POLICY_RULE,       "policy_rule_drop",    "a rule with action drop matched") \
	X(POLICY_REJECT,     "policy_rule_reject",  "a rule with action reject matched; RST/unreachable sent") \
	X(POLICY_DEFAULT,    "policy_default_drop", "no rule matched and the zone pair default is drop") \
	X(TCP_OUT_OF_STATE,  "tcp_out_of_state",    "TCP packet without SYN and no connection (loose pickup off)") \
	X(TCP_INVALID,       "tcp_invalid",         "TCP packet invalid for its connection state") \
	X(POLICY_REVOKED,    "policy_revoked",      "connection no longer allowed by the committed policy; cut") \
	X(CONN_TABLE_FULL,   "conn_table_full",     "connection table full; new connection refused") \
	X(LB_NO_BACKEND,     "lb_no_backend",       "virtual service has no backend that may take a new connection") \
	X(LB_CONN_LIMIT,     "lb_conn_limit",       "service or backend connection limit reached; new connection refused") \
	X(LB_BACKEND_GONE,   "lb_backend_gone",     "connection's backend was disabled or removed from its service; cut") \
	X(NAT_NO_PORT,       "nat_no_port",         "no free SNAT address/port for a full-NAT connection") \
	X(NAT_UNEXPECTED,    "nat_unexpected",      "matches the backend side of a NAT connection in the client's direction") \
	X(NAT_STRAY,         "nat_stray",           "addressed to an SNAT address and port with no connection") \
	X(HANDOFF_FULL,      "handoff_full",        "ring to the worker that owns the connection full") \
	X(LOCAL_UNHANDLED,   "local_unhandled",     "addressed to this unit and no local service takes it") \
	X(EXCEPTION_FULL,    "exception_full",      "slow-path ring to the main lcore full") \
	X(TX_FULL,           "tx_full",             "transmit queue full") \
	X(NO_MBUF,           "no_mbuf",             "mbuf pool empty while building a reply or fragment") \
	X(HA_STANDBY,        "ha_standby",          "HA unit not active: not addressed to one of its own per-unit addresses") \
	X(FRAG_HELD_AT_STOP, "frag_held_at_stop",   "fragments still held for reassembly when the dataplane stopped") \
	/* anti-spoofing and IP options (dataplane/spoof, pkt_parse.c; docs/security.md) */ \
	X(IP_LAND,           "ip_land",             "source address equals the destination (land attack)") \
	X(IP_SOURCE_ROUTE,   "ip_source_route",     "IPv4 LSRR/SSRR/record-route option or IPv6 type 0 routing header") \
	X(IP_OPTIONS,        "ip_options",          "IPv4 options on an interface with ip_options = \"drop\"") \
	X(SPOOF_RPF,         "spoof_rpf",           "source not routed back through the receiving interface (rpf strict/loose)") \
	X(SPOOF_OWN_ADDRESS, "spoof_own_address",   "source is an address, VIP or SNAT address of the unit itself") \
	/* ICMP errors (pkt/pkt_icmperr.h): matched to the connection they quote, \
	 * never decided by policy. */ \
	X(ICMP_ERR_NO_CONN,  "icmp_err_no_conn",    "ICMP error quoting no connection of the unit (forged or stale)") \
	X(ICMP_ERR_MALFORMED, "icmp_err_malformed", "ICMP error whose quote cannot hold an IP header and 8 bytes of L4") \
	/* SYN proxy (dataplane/synproxy): the client's handshake ends at the \
	 * proxy, so an ACK without a connection is either a cookie or junk. */ \
	X(SYNPROXY_BAD_COOKIE, "synproxy_bad_cookie", "SYN proxy on: ACK with no connection and an invalid or expired SYN cookie") \
	X(SYNPROXY_PENDING,  "synproxy_pending",    "SYN proxy: a packet of a proxied connection before the server's SYN-ACK (client data: the client retransmits)") \
	SK_DROP_LIST_LIMITS(X)

/*
 * Limits (issue 12, docs/security.md "Limits"): new connections refused
 * because one worker's half-open cap, or the per-source rate or concurrent
 * cap of the rule that accepted them, was reached.  Established
 * connections are never dropped under these reasons.
 */
#define SK_DROP_LIST_LIMITS(X) \
	X(HALFOPEN_LIMIT,    "halfopen_limit",      "worker's half-open (embryonic) TCP connections at dataplane.halfopen_max; SYN refused") \
	X(SRC_RATE_LIMIT,    "src_rate_limit",      "source opened new connections faster than its rule's src_rate; refused") \
	X(SRC_CONN_LIMIT,    "src_conn_limit",      "source holds its rule's src_conn_max connections; new connection refused")

enum sk_drop_reason {
	SK_DROP_NONE = 0,
#define SK_DROP_ENUM(e, name, desc) SK_DROP_##e,
	SK_DROP_LIST(SK_DROP_ENUM)
#undef SK_DROP_ENUM
	SK_DROP__MAX
};

/* The first real reason: loops over counters and names start here. */
#define SK_DROP__FIRST (SK_DROP_NONE + 1)

/* The one instantiation of the list's names and descriptions (defined in
 * dataplane/stats/stats.c, in the dataplane library): indexed by reason,
 * slot SK_DROP_NONE is NULL.  Read-only. */
extern const char *const sk_drop_names[SK_DROP__MAX];
extern const char *const sk_drop_descs[SK_DROP__MAX];

#endif /* SK_DROP_H */
