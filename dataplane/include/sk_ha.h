/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sk_ha.h - the HA pair's contract between sekisho-cp and sekisho-dp:
 * roles, the HA block in shared memory and the dataplane heartbeat's wire
 * format (docs/ha.md).
 *
 * Who decides what:
 *  - sekisho-cp runs the membership state machine (both heartbeat paths,
 *    priority, preemption, maintenance) and writes the role it wants
 *    (want_role, want_term, then want_seq, release).
 *  - The dataplane's main lcore applies a wish whose term is not older than
 *    the one it runs (want_seq != applied_seq), announces floating addresses
 *    when it becomes active, and publishes role/term.  A new wish for ACTIVE
 *    while already active announces them again (the cp asks for that when a
 *    partition heals and it stays active).  Workers read the role
 *    through the dataplane's own variable (one load per burst, no lock).
 *  - The main lcore sends and checks the dataplane heartbeat by itself, so
 *    it works with sekisho-cp dead.  Fencing: when it is active and a valid
 *    heartbeat says the peer is active with a newer term, it gives up the
 *    floating addresses on its own (role standby, fenced++).
 */
#ifndef SK_HA_H
#define SK_HA_H

#include <stdint.h>
#include <stdio.h>

/* X(ENUM, "word") */
#define SK_HA_ROLE_LIST(X) \
	X(INIT,           init)           /* starting: owns nothing, takes over nothing yet */ \
	X(STANDBY,        standby)        /* healthy, ready to take over */ \
	X(ACTIVE,         active)         /* owns the floating addresses */ \
	X(FORCED_STANDBY, forced-standby) /* maintenance: never takes over until released */ \
	X(FAULT,          fault)          /* mismatch or broken local state: never takes over */

enum sk_ha_role {
#define SK_HA_ROLE_ENUM(e, w) SK_HA_ROLE_##e,
	SK_HA_ROLE_LIST(SK_HA_ROLE_ENUM)
#undef SK_HA_ROLE_ENUM
	SK_HA_ROLE__MAX
};

/* The role's word ("standby"), "?" out of range: one table for the
 * dataplane, the control plane, the API and the CLI. */
static inline const char *
sk_ha_role_name(uint32_t role)
{
	static const char *const names[] = {
#define SK_HA_ROLE_NAME(e, w) #w,
		SK_HA_ROLE_LIST(SK_HA_ROLE_NAME)
#undef SK_HA_ROLE_NAME
	};

	return role < SK_HA_ROLE__MAX ? names[role] : "?";
}

/* Where a unit's id lives when neither process is given --unit. */
#define SK_HA_UNIT_FILE "/etc/sekisho/unit"

/* The unit id from SK_HA_UNIT_FILE ("1" or "2", whitespace around): 1 or 2,
 * 0 when the file is absent, -1 when it holds anything else.  Both
 * sekisho-dp and sekisho-cp read it the same way (start-up only). */
static inline int
sk_ha_unit_from_file(void)
{
	FILE *fp = fopen(SK_HA_UNIT_FILE, "r");
	int u = 0;
	char tail;

	if (fp == NULL)
		return 0;
	if (fscanf(fp, " %d %c", &u, &tail) != 1 || (u != 1 && u != 2))
		u = -1;
	fclose(fp);
	return u;
}

/* Only ACTIVE owns floating addresses, VIPs and SNAT sources. */
static inline int
sk_ha_role_owns(uint32_t role)
{
	return role == SK_HA_ROLE_ACTIVE;
}

/* The HA block inside struct sk_shm_ctl (sk_shm.h). */
struct sk_shm_ha {
	uint32_t enabled;          /* dp: 1 when the image has an HA section */
	uint32_t unit;             /* dp: this unit's id, 1 or 2 (0 standalone) */

	/* written by sekisho-cp: fields first, want_seq last (release) */
	uint32_t want_role;        /* enum sk_ha_role */
	uint32_t want_seq;
	uint64_t want_term;
	uint64_t cp_beat_ms;       /* cp's monotonic ms at its last loop (for status only) */

	/* written by the dataplane's main lcore */
	uint32_t role;             /* enum sk_ha_role now in force */
	uint32_t applied_seq;      /* last want_seq handled (applied or refused) */
	uint64_t term;             /* term of the role in force (only grows) */
	uint64_t role_changes;
	uint64_t fenced;           /* times it gave up ACTIVE because the peer had a newer term */
	uint64_t garp_sent;        /* gratuitous ARPs and unsolicited NAs sent */

	/* the dataplane heartbeat path, as the main lcore sees it */
	uint64_t hb_tx;
	uint64_t hb_rx;            /* valid heartbeats from the peer */
	uint64_t hb_bad_mac;       /* HMAC did not verify (wrong key, forged) */
	uint64_t hb_replay;        /* sequence not newer than the last one */
	uint64_t hb_malformed;     /* wrong length, magic, version, cluster, unit */
	uint64_t hb_tx_fail;       /* no mbuf, no neighbour, ring full */
	uint64_t peer_rx_ms;       /* dataplane clock (ms) of the last valid heartbeat, 0 = none */
	uint64_t now_ms;           /* dataplane clock (ms) when this block was last written */
	uint32_t peer_role;        /* from the last valid heartbeat */
	uint32_t peer_unit;
	uint64_t peer_term;
	uint64_t peer_generation;
	uint64_t peer_boot;        /* peer's boot id: a restarted peer's sequence starts again */
};

/*
 * The dataplane heartbeat: one UDP datagram from this unit's dp_addr to the
 * peer's on the HA data interface, port dp_port (sk_image.h), every
 * hb_interval_ms.  All integers big-endian.  mac = HMAC-SHA256 over every
 * byte before it, keyed with HMAC-SHA256(psk, "sekisho dataplane heartbeat"),
 * so the link key and the heartbeat key differ.  A receiver accepts only
 * (boot, seq) strictly newer than the last accepted one from that peer.
 */
#define SK_HA_DPHB_MAGIC   0x534b4842u /* "SKHB" */
#define SK_HA_DPHB_VERSION 1
#define SK_HA_DPHB_MAC_LEN 32
#define SK_HA_DPHB_KEY_LABEL "sekisho dataplane heartbeat"

struct sk_ha_dphb {
	uint32_t magic;
	uint16_t version;
	uint8_t unit;              /* sender's unit id */
	uint8_t role;              /* sender's role in force */
	uint8_t cluster[32];       /* sk_img_ha.cluster, NUL padded */
	uint64_t boot;             /* sender's boot id: unix seconds at start << 32 | 32 random
				    * bits, so a later boot compares greater */
	uint64_t seq;              /* per boot, from 1 */
	uint64_t term;
	uint64_t generation;       /* sender's running config generation */
	uint32_t interval_ms;      /* sender's hb_interval_ms */
	uint32_t reserved;
	uint8_t mac[SK_HA_DPHB_MAC_LEN];
} __attribute__((packed));

#endif /* SK_HA_H */
