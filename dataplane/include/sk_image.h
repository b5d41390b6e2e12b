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
#define SK_IMAGE_VERSION   4 /* 2: virtual services (SK_SEC_SERVICES..SNAT); 3: settings.health_tap;
				* 4: HA pair (SK_SEC_HA, SK_SEC_ADDR_HA) */
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
	SK_SEC_SERVICES,      /* struct sk_img_service, id = index + 1 */
	SK_SEC_BACKENDS,      /* struct sk_img_backend, grouped per service, in service order */
	SK_SEC_SNAT,          /* struct sk_img_prefix: fullnat sources, grouped per service */
	SK_SEC_HA,            /* 0 or 1 x struct sk_img_ha: the HA pair (none = standalone unit) */
	SK_SEC_ADDR_HA,       /* struct sk_img_addr_ha: 0 records (standalone), or one per
			       * SK_SEC_ADDRS record, same index: which unit owns it, floating */
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
	uint32_t halfopen_max;   /* half-open TCP connections per worker, 0 = no cap (<= conn_max) */
	uint32_t src_slots;      /* per-source limit table slots per worker (limit/srclim.h) */
	char health_tap[16];     /* kernel interface of the health-check tap (docs/health.md);
				  * "" = none: sekisho-cp probes with the host's own routing */
	/* SYN proxy (docs/security.md): automatic mode per worker, 0 = off:
	 * it engages for every accepted TCP SYN while the worker holds at
	 * least synproxy_auto_halfopen half-open connections or saw at least
	 * synproxy_auto_syn_rate new SYNs in a second. */
	uint32_t synproxy_auto_halfopen;
	uint32_t synproxy_auto_syn_rate;
	uint32_t synproxy_wscale; /* window scale shift the proxy's SYN-ACK advertises, 0..14 */
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
	uint8_t rpf;                 /* enum sk_rpf: reverse-path check of sources */
	uint8_t ip_opts;             /* enum sk_ipopts: IPv4 options other than source routes */
	uint32_t addr_first;         /* into SK_SEC_ADDRS */
	uint32_t addr_count;
};

/* Reverse-path check of an interface (dataplane/spoof): off, strict (the
 * route back to the source leaves by this interface) or loose (some route
 * back exists).  0 is off, so an image written before the key stays as it was. */
enum sk_rpf {
	SK_RPF_OFF = 0,
	SK_RPF_STRICT = 1,
	SK_RPF_LOOSE = 2,
};

/* IPv4 options other than source routing and record-route (always dropped). */
enum sk_ipopts {
	SK_IPOPTS_ALLOW = 0,
	SK_IPOPTS_DROP = 1,
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
	/* Per-source limits on the new connections this rule accepts
	 * (dataplane/limit/srclim.h), 0 = none; accept rules only. */
	uint32_t src_rate;     /* new connections per second per source, <= SK_SRC_RATE_MAX */
	uint32_t src_burst;    /* bucket depth, 0 = src_rate; needs src_rate */
	uint32_t src_conn_max; /* concurrent connections per source, <= SK_SRC_CONN_MAX */
	/* SYN proxy (dataplane/synproxy, docs/security.md): 1 = the unit answers
	 * the TCP SYNs this rule accepts with a cookie SYN-ACK and opens the
	 * server side only for a valid cookie ACK; accept rules only. */
	uint8_t synproxy;
	uint8_t reserved_sp[3];
};
#define SK_SRC_RATE_MAX  1000000
#define SK_SRC_CONN_MAX  1000000

struct sk_img_zonepol {
	uint16_t from_zone;  /* zone id (never ANY) */
	uint16_t to_zone;    /* zone id incl. SK_ZONE_LOCAL */
	uint8_t action;
	uint8_t log;
	uint16_t reserved;
};

/*
 * Virtual services (load balancing).  A service is a VIP + protocol + port
 * range, spread over its backends by a scheduler.  The name lists are
 * X-macros so the config words, the enums and the docs cannot drift apart.
 * Invariants sk_image_verify() guarantees a reader:
 *  - service i owns backends [backend_first, +backend_count) and SNAT
 *    sources [snat_first, +snat_count); these ranges partition their
 *    sections in service order (service 0 first, no gaps, no sharing);
 *  - every backend and SNAT source has the family of its service, and IPv4
 *    addresses have bytes 4..15 zero, so addresses compare with memcmp;
 *  - no two services of one family and protocol share a VIP and a port;
 *  - maglev_size is a prime > backend_count when sched is maglev, else 0.
 */
#define SK_LB_MAX_SERVICES   1024
#define SK_LB_MAX_BACKENDS   4096    /* per service */
#define SK_LB_MAX_SNAT       64      /* per service */
#define SK_LB_MAGLEV_DEFAULT 65537
#define SK_LB_MAGLEV_MAX     1000003 /* a prime */
#define SK_LB_PERSIST_MAX    86400
#define SK_LB_CONN_LIMIT_MAX 100000000
#define SK_LB_PATH_MAX       128     /* health check path incl. NUL */

/* X(ENUM, "word") */
#define SK_LB_SCHED_LIST(X) \
	X(MAGLEV, maglev) /* consistent hashing (Maglev), 5-tuple */ \
	X(WRR,    wrr)    /* weighted round robin */ \
	X(WLC,    wlc)    /* weighted least connections */ \
	X(SH,     sh)     /* source hash: client address only */

#define SK_LB_FWD_LIST(X) \
	X(DNAT,    dnat)    /* rewrite the destination; backends route replies via the unit */ \
	X(FULLNAT, fullnat) /* also rewrite the source to an SNAT address of the unit */

#define SK_LB_STATE_LIST(X) \
	X(UP,       up)       /* takes new connections */ \
	X(DRAIN,    drain)    /* keeps its connections, takes no new ones */ \
	X(DISABLED, disabled) /* out of service: its connections are dropped */

#define SK_LB_HC_LIST(X) \
	X(TCP,   tcp)   /* connect succeeds */ \
	X(HTTP,  http)  /* GET path answers with status */ \
	X(HTTPS, https) /* the same over TLS (certificate not checked) */ \
	X(NONE,  none)  /* always healthy */

#define SK_LB_ENUM_SCHED(e, w) SK_LB_SCHED_##e,
#define SK_LB_ENUM_FWD(e, w) SK_LB_FWD_##e,
#define SK_LB_ENUM_STATE(e, w) SK_LB_BE_##e,
#define SK_LB_ENUM_HC(e, w) SK_LB_HC_##e,
enum sk_lb_sched { SK_LB_SCHED_LIST(SK_LB_ENUM_SCHED) SK_LB_SCHED__MAX };
enum sk_lb_fwd { SK_LB_FWD_LIST(SK_LB_ENUM_FWD) SK_LB_FWD__MAX };
enum sk_lb_state { SK_LB_STATE_LIST(SK_LB_ENUM_STATE) SK_LB_BE__MAX };
enum sk_lb_hc { SK_LB_HC_LIST(SK_LB_ENUM_HC) SK_LB_HC__MAX };
#undef SK_LB_ENUM_SCHED
#undef SK_LB_ENUM_FWD
#undef SK_LB_ENUM_STATE
#undef SK_LB_ENUM_HC

struct sk_img_service {
	char name[SK_NAME_MAX];
	uint32_t id;            /* stable id shown in counters/logs: index + 1 */
	uint32_t line;          /* config line */
	uint8_t family;         /* 4 or 6 */
	uint8_t proto;          /* IPPROTO_TCP or IPPROTO_UDP */
	uint8_t sched;          /* enum sk_lb_sched */
	uint8_t fwd;            /* enum sk_lb_fwd */
	uint8_t vip[16];
	uint16_t port_lo, port_hi; /* inclusive, host order, 1..65535 */
	uint32_t maglev_size;   /* lookup table size (prime) for maglev, else 0 */
	uint32_t persist_s;     /* source-IP persistence, 0 = off, <= SK_LB_PERSIST_MAX */
	uint32_t conn_limit;    /* connections over all backends, 0 = no limit */
	uint32_t backend_first, backend_count; /* SK_SEC_BACKENDS, count >= 1 */
	uint32_t snat_first, snat_count;       /* SK_SEC_SNAT; >= 1 iff fullnat */
	uint8_t hc_type;        /* enum sk_lb_hc */
	uint8_t hc_reserved;
	uint16_t hc_port;       /* 0 = the backend's port */
	uint16_t hc_status;     /* expected HTTP status, 100..599 */
	uint16_t hc_rise;       /* successes before a backend is healthy, 1..100 */
	uint16_t hc_fall;       /* failures before it is not, 1..100 */
	uint16_t hc_reserved2;
	uint32_t hc_interval_ms; /* 100..3600000 */
	uint32_t hc_timeout_ms;  /* 10..3600000, < hc_interval_ms */
	char hc_path[SK_LB_PATH_MAX]; /* http/https: begins with '/' */
	uint8_t synproxy;       /* 1 = SYN proxy for new connections (tcp only), as a rule's */
	uint8_t reserved_sp[3];
};

struct sk_img_backend {
	char name[SK_NAME_MAX]; /* unique within its service */
	uint32_t service;       /* index into SK_SEC_SERVICES */
	uint32_t line;          /* config line */
	uint8_t family;         /* the service's */
	uint8_t state;          /* enum sk_lb_state */
	uint16_t port;          /* 0 = the client's destination port */
	uint8_t addr[16];
	uint16_t weight;        /* 0 = no new connections */
	uint16_t reserved;
	uint32_t conn_limit;    /* 0 = no limit */
};

/*
 * The HA pair (docs/ha.md).  One config text, and so one image, runs on both
 * units: what belongs to one unit is recorded for both and each process picks
 * its own by its unit id (`--unit N`, never part of the image).  Invariants
 * sk_image_verify() guarantees a reader:
 *  - SK_SEC_HA holds 0 records (standalone: behaves exactly as before) or 1;
 *  - SK_SEC_ADDR_HA holds 0 records when SK_SEC_HA does, else exactly as
 *    many as SK_SEC_ADDRS; record i describes address i;
 *  - unit[] addresses have the family they say; dp_iface is an interface id
 *    or SK_HA_NO_IFACE; strings are NUL-terminated.
 */
#define SK_HA_UNITS      2          /* unit ids are 1 and 2 */
#define SK_HA_NO_IFACE   0xffff
#define SK_HA_PATH_MAX   128        /* psk_file, hook incl. NUL */
#define SK_HA_PRIO_MAX   255

struct sk_img_ha_unit {
	uint16_t priority;      /* 1..255: the higher is active when both are healthy */
	uint8_t ha_family;      /* 4 or 6: the HA link address */
	uint8_t dp_family;      /* 4 or 6, 0 = no dataplane heartbeat */
	uint16_t ha_port;       /* TCP port this unit's sekisho-cp listens on */
	uint16_t reserved;
	uint8_t ha_addr[16];    /* this unit's HA link address (sekisho-cp binds it) */
	uint8_t dp_addr[16];    /* this unit's own address on dp_iface: the dataplane
				 * heartbeat's source (and the peer's destination) */
	char lcores[64];        /* "" = settings.lcores (two units on one machine) */
	char file_prefix[64];   /* "" = settings.file_prefix */
};

struct sk_img_ha {
	char cluster[SK_NAME_MAX];   /* the pair's identity: both units must agree */
	char psk_file[SK_HA_PATH_MAX]; /* pre-shared key: read by each process, never copied here */
	char hook[SK_HA_PATH_MAX];   /* takeover hook executable, "" = none */
	uint8_t preempt;             /* 1: the higher priority takes over from a healthy active */
	uint8_t has_floating_mac;    /* 1: the active answers for floating addresses with mac */
	uint8_t floating_mac[6];
	uint16_t dp_iface;           /* data interface of the dataplane heartbeat, SK_HA_NO_IFACE */
	uint16_t dp_port;            /* its UDP port */
	uint32_t hb_interval_ms;     /* heartbeat period on both paths */
	uint32_t dead_ms;            /* a path is silent after this long without a heartbeat */
	uint32_t preempt_hold_ms;    /* a returning unit waits this long before preempting */
	uint32_t garp_count;         /* gratuitous ARP / unsolicited NA per floating address */
	uint32_t garp_interval_ms;   /* spacing between them */
	uint32_t hook_timeout_ms;    /* the takeover hook is killed after this */
	uint32_t hook_retries;       /* further tries after a failure */
	uint32_t sync_sweep_ms;      /* connection sync: a refresh lap of each worker's table
				      * takes this long; 0 (an older image) = 4000 */
	struct sk_img_ha_unit unit[SK_HA_UNITS]; /* [0] = unit 1, [1] = unit 2 */
};

#define SK_ADDR_FLOATING 0x01   /* owned by the active unit only */

struct sk_img_addr_ha {
	uint8_t unit;    /* 0 = floating (any unit may carry it), 1 or 2 = that unit's own */
	uint8_t flags;   /* SK_ADDR_FLOATING when unit is 0 */
	uint16_t reserved;
};

#endif /* SK_IMAGE_H */
