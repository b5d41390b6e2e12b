/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sk_image.h - the binary config image: the one contract between the control
 * plane (which owns the text) and the dataplane (which owns the runtime).
 *
 * The control plane validates a libconfig file and serialises it into this
 * layout; the dataplane loads it (from a file at start, from shared memory at
 * commit time) and compiles it into a generation.  The dataplane never parses
 * text, and it trusts nothing in an image: every count, offset and index is
 * bounds-checked by sk_image_verify() before use.
 *
 * Layout: struct sk_image_hdr, then sections of fixed-size records.  All
 * integers are in host byte order (the image never leaves the machine it was
 * made on, except inside an archive that records the byte order in
 * hdr.byte_order).  Addresses are in network byte order, IPv4 in the first
 * four bytes of a 16-byte field.
 */
#ifndef SK_IMAGE_H
#define SK_IMAGE_H

#include <stdint.h>

#define SK_IMAGE_MAGIC     0x4d494b53u /* "SKIM" little-endian */
#define SK_IMAGE_VERSION   1
#define SK_IMAGE_BYTE_ORDER 0x01020304u

#define SK_NAME_MAX     32  /* names incl. NUL */
#define SK_DEVARGS_MAX  256 /* DPDK device string incl. NUL */
#define SK_MAX_ZONES    64  /* incl. the built-in "local" zone */
#define SK_MAX_IFACES   32
#define SK_IMAGE_MAX_LEN (256u << 20)

/* Zone ids: 0 is the appliance itself ("local"); config zones are 1..n. */
#define SK_ZONE_LOCAL   0
#define SK_ZONE_ANY     0xffff

#define SK_ICMP_ANY     0xffff
#define SK_PROTO_ANY    0       /* in a rule: any protocol */

enum sk_action {
	SK_ACT_DROP = 0,   /* silently discard */
	SK_ACT_ACCEPT = 1, /* create a connection and forward */
	SK_ACT_REJECT = 2, /* TCP RST / ICMP(v6) unreachable, then discard */
};

/* Idle timeouts, seconds.  One X-macro so config keys and enum agree. */
#define SK_TIMEOUT_LIST(X) \
	X(TCP_SYN,         tcp_syn,          30) \
	X(TCP_ESTABLISHED, tcp_established,  3600) \
	X(TCP_FIN,         tcp_fin,          60) \
	X(TCP_CLOSED,      tcp_closed,       10) \
	X(UDP,             udp,              30) \
	X(UDP_STREAM,      udp_stream,       120) \
	X(ICMP,            icmp,             10) \
	X(OTHER,           other,            60)

enum sk_timeout {
#define SK_TMO_ENUM(e, k, d) SK_TMO_##e,
	SK_TIMEOUT_LIST(SK_TMO_ENUM)
#undef SK_TMO_ENUM
	SK_TMO__MAX
};

enum sk_image_sec_id {
	SK_SEC_SETTINGS = 0,  /* exactly 1 x struct sk_img_settings */
	SK_SEC_ZONES,         /* struct sk_img_zone, index i has id i+1 */
	SK_SEC_IFACES,        /* struct sk_img_iface, index = iface id */
	SK_SEC_ADDRS,         /* struct sk_img_prefix: interface addresses */
	SK_SEC_ROUTES,        /* struct sk_img_route: connected + static */
	SK_SEC_NEIGHS,        /* struct sk_img_neigh: static neighbours */
	SK_SEC_RULES,         /* struct sk_img_rule, in evaluation order */
	SK_SEC_PREFIXES,      /* struct sk_img_prefix: rule src/dst lists */
	SK_SEC_PORTS,         /* struct sk_img_portrange: rule port lists */
	SK_SEC_ZONEPOL,       /* struct sk_img_zonepol: per zone-pair default */
	SK_SEC__MAX
};

struct sk_img_sec {
	uint32_t offset;    /* from the start of the image */
	uint32_t count;     /* number of records */
	uint32_t elem_size; /* sizeof(record); must equal the reader's */
	uint32_t reserved;
};

struct sk_image_hdr {
	uint32_t magic;       /* SK_IMAGE_MAGIC */
	uint16_t version;     /* SK_IMAGE_VERSION */
	uint16_t hdr_len;     /* sizeof(struct sk_image_hdr) */
	uint32_t byte_order;  /* SK_IMAGE_BYTE_ORDER as written */
	uint32_t total_len;   /* header + sections */
	uint32_t crc;         /* rte_hash_crc(image + hdr_len, total_len - hdr_len, 0) */
	uint32_t reserved;
	uint64_t generation;  /* assigned by whoever commits; 0 = offline compile */
	uint64_t created_unix;
	char source[128];     /* config file name, for humans */
	struct sk_img_sec sec[SK_SEC__MAX];
};

struct sk_img_settings {
	char lcores[64];        /* EAL core list, e.g. "0-1"; first is the main lcore */
	char file_prefix[64];   /* EAL --file-prefix */
	uint32_t workers;       /* worker lcores (the rest of lcores) */
	uint32_t memory_mb;     /* EAL -m */
	uint8_t hugepages;      /* 0 = --no-huge */
	uint8_t tcp_loose;      /* 1 = pick up mid-stream TCP if policy accepts */
	uint8_t default_action; /* enum sk_action for zone pairs without a default */
	uint8_t default_log;
	uint32_t burst;         /* RX burst size, 1..64 */
	uint32_t rx_desc;       /* per queue */
	uint32_t tx_desc;
	uint32_t mbufs;         /* mbuf pool size */
	uint32_t conn_max;      /* connections per worker */
	uint32_t neigh_max;     /* neighbour cache entries */
	uint32_t frag_max;      /* fragment reassembly flows per worker */
	uint32_t frag_timeout_ms;
	uint32_t neigh_reachable_s; /* a learnt entry is re-probed after this */
	uint32_t neigh_retrans_ms;  /* between ARP/NS probes */
	uint32_t neigh_probes;      /* probes before an entry fails */
	uint32_t timeouts[SK_TMO__MAX];
	uint32_t idle_sleep_us;  /* worker naps this long after 256 empty polls; 0 = pure polling */
};

struct sk_img_zone {
	char name[SK_NAME_MAX];
};

struct sk_img_prefix {
	uint8_t family;  /* 4 or 6 */
	uint8_t plen;    /* 0..32 or 0..128 */
	uint16_t iface;  /* SK_SEC_ADDRS only: owning interface id */
	uint8_t addr[16];
};

struct sk_img_iface {
	char name[SK_NAME_MAX];
	char device[SK_DEVARGS_MAX]; /* "net_af_packet0,iface=x", "0000:00:05.0", ... */
	uint16_t zone;               /* zone id (>= 1) */
	uint16_t mtu;                /* L3 MTU, 68..9000 */
	uint16_t vlan;               /* 0 = untagged (reserved for VLAN subinterfaces) */
	uint8_t promisc;
	uint8_t has_mac;             /* 1 = set the port MAC to mac[] at start */
	uint8_t mac[6];
	uint16_t reserved;
	uint32_t addr_first;         /* into SK_SEC_ADDRS */
	uint32_t addr_count;
};

struct sk_img_route {
	struct sk_img_prefix dst;
	uint8_t gw[16];       /* next hop, same family as dst; unused when connected */
	uint16_t iface;       /* egress interface id */
	uint8_t connected;    /* 1 = on-link: next hop is the packet's destination */
	uint8_t has_gw;
};

struct sk_img_neigh {
	uint8_t family;
	uint8_t mac[6];
	uint8_t reserved;
	uint16_t iface;
	uint16_t reserved2;
	uint8_t ip[16];
};

struct sk_img_portrange {
	uint16_t lo, hi; /* inclusive, host order */
};

struct sk_img_rule {
	char name[SK_NAME_MAX];
	uint32_t id;          /* stable id shown in counters/logs: index + 1 */
	uint32_t line;        /* config line, for trace and lint */
	uint16_t from_zone;   /* zone id or SK_ZONE_ANY */
	uint16_t to_zone;     /* zone id, SK_ZONE_LOCAL or SK_ZONE_ANY */
	uint8_t proto;        /* IPPROTO_*, SK_PROTO_ANY */
	uint8_t action;       /* enum sk_action */
	uint8_t log;
	uint8_t family;       /* 0 = both, 4 or 6 (derived from address lists) */
	uint16_t icmp_type;   /* SK_ICMP_ANY or 0..255 (proto icmp/icmpv6 only) */
	uint16_t icmp_code;   /* SK_ICMP_ANY or 0..255 */
	uint32_t src_first, src_count; /* SK_SEC_PREFIXES; count 0 = any */
	uint32_t dst_first, dst_count;
	uint32_t sport_first, sport_count; /* SK_SEC_PORTS; count 0 = any */
	uint32_t dport_first, dport_count;
};

struct sk_img_zonepol {
	uint16_t from_zone;  /* zone id (never ANY) */
	uint16_t to_zone;    /* zone id incl. SK_ZONE_LOCAL */
	uint8_t action;
	uint8_t log;
	uint16_t reserved;
};

#endif /* SK_IMAGE_H */
