/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha.h - the HA pair in sekisho-cp (docs/ha.md): the authenticated TCP link
 * to the peer's sekisho-cp, the membership state machine over both
 * heartbeat paths (this link and the dataplane's own, read from the HA
 * block in shared memory), fencing terms, config sync, maintenance and the
 * takeover hook.
 *
 * Threads: sk_ha_start() runs the HA thread (its own poll loop and timers,
 * never behind the REST thread or the 100 ms daemon loop).  Every other
 * function here may be called from any thread: they take the module's own
 * lock for a moment, never across network I/O or a dataplane request.
 * A unit without an `ha` group never starts this module: sk_ha_start()
 * is not called and the cp behaves exactly as a standalone unit.
 */
#ifndef SK_CP_HA_H
#define SK_CP_HA_H

#include <stddef.h>
#include <stdint.h>
#include "sk_ha.h"
#include "sk_sync.h"

struct sk_cp;
struct sk_ha;

/* The HA link's error kinds, one X-macro: enum, counter, metric label. */
#define SK_HA_LINKERR_LIST(X) \
	X(BAD_MAC,    bad_mac)    /* HMAC did not verify */ \
	X(REPLAY,     replay)     /* sequence number not newer */ \
	X(MALFORMED,  malformed)  /* bad magic, type or length for its type */ \
	X(OVERSIZE,   oversize)   /* length field beyond the largest frame */ \
	X(VERSION,    version)    /* protocol version we do not speak */ \
	X(TIMEOUT,    timeout)    /* silent past the dead interval, or a peer that does not read */ \
	X(MISMATCH,   mismatch)   /* hello: version, workers, SNAT layout or cluster differ */ \
	X(REFUSED,    refused)    /* connect failed, or an unexpected second connection */ \
	X(IO,         io)         /* reset, closed, short write */

enum sk_ha_linkerr {
#define SK_HA_LINKERR_ENUM(e, w) SK_HA_LINKERR_##e,
	SK_HA_LINKERR_LIST(SK_HA_LINKERR_ENUM)
#undef SK_HA_LINKERR_ENUM
	SK_HA_LINKERR__MAX
};

/* The two heartbeat paths. */
enum sk_ha_path { SK_HA_PATH_LINK = 0, SK_HA_PATH_DATA = 1, SK_HA_PATH__MAX };

struct sk_ha_path_status {
	uint8_t up;                /* a heartbeat within the dead interval */
	uint64_t last_rx_ms_ago;   /* UINT64_MAX: never */
	uint64_t hb_sent;
	uint64_t hb_recv;
	uint64_t hb_missed;        /* intervals that passed without one */
};

/* Connection-state sync (ha_csync.c, docs/ha-sync.md). */
#define SK_HA_CSYNC_MAX_WORKERS 64

struct sk_ha_csync_status {
	uint8_t enabled;           /* the dataplane has sync rings */
	uint8_t shipping;          /* active: records go to the peer now */
	uint8_t bulk_out;          /* active: a bulk sync is being sent */
	uint8_t bulk_in;           /* standby: 0 none yet, 1 receiving, 2 done (ready) */
	uint32_t workers;
	uint64_t records_sent, batches_sent, bytes_sent;
	uint64_t records_acked;    /* by the peer's ACKs */
	uint64_t records_recv, batches_recv;
	uint64_t records_pending;  /* in the dataplane's out rings now */
	uint64_t lag_records;      /* sent, not yet acknowledged, plus pending */
	uint64_t lag_ms;           /* last ACK: first record of the batch taken -> acknowledged;
	                            * while none comes, the oldest unacknowledged batch's age */
	uint64_t lag_ms_max;
	uint64_t batch_max;        /* records in the largest batch */
	uint64_t link_dropped;     /* records lost: the link refused the batch */
	uint64_t apply_dropped;    /* standby: a worker's in ring was full */
	uint64_t malformed;        /* records or batches refused by the decoder */
	uint64_t gaps;             /* batches missing in the sequence */
	uint64_t resyncs;          /* full passes asked for after a loss */
	uint64_t ignored;          /* records received while not standby (or no dataplane) */
	uint64_t bulk_runs;
	uint64_t bulk_ms;          /* last bulk sync: begin -> end */
	uint64_t bulk_records;     /* records of the last bulk sync */
	uint64_t resumes;          /* new link sessions continued from the last acknowledged batch */
	uint64_t batches_resent;   /* batches sent again from the window on a resume */
	uint64_t window_batches;   /* active: batches held, not yet acknowledged */
	uint64_t throttled;        /* active: loops that did not drain (too much unacknowledged) */
	uint64_t ctr[SK_SYNC_CTR__MAX];  /* the dataplane's counters, summed over workers */
	uint64_t wctr[SK_HA_CSYNC_MAX_WORKERS][2]; /* per worker: emitted, ring_full */
};

struct sk_ha_status {
	uint8_t enabled;
	uint8_t unit;              /* 1 or 2 */
	uint8_t priority;
	uint8_t preempt;
	uint32_t role;             /* enum sk_ha_role, as the state machine holds it */
	uint32_t dp_role;          /* what the dataplane applied (shared memory) */
	uint64_t term;
	uint64_t generation;       /* this unit's running generation */
	uint8_t ready;             /* config in sync: may take over from a live active */
	uint8_t forced;            /* forced standby (maintenance) */
	uint8_t peer_known;        /* the peer greeted us at least once */
	uint8_t peer_alive;        /* at least one path up */
	uint8_t peer_unit;
	uint8_t peer_priority;
	uint32_t peer_role;
	uint64_t peer_term;
	uint64_t peer_generation;
	char peer_version[32];
	char fault[160];           /* why role is FAULT ("" otherwise) */
	struct sk_ha_path_status path[SK_HA_PATH__MAX];
	uint64_t link_errors[SK_HA_LINKERR__MAX];
	uint64_t link_connects;
	uint64_t msgs_sent, msgs_recv;
	uint64_t transitions;
	uint32_t last_from, last_to; /* enum sk_ha_role */
	uint64_t last_unix_ms;       /* when (0: none yet) */
	char last_reason[160];
	uint64_t sync_pushed;        /* config generations pushed to the peer */
	uint64_t sync_applied;       /* generations received from the peer and applied */
	uint64_t sync_failed;
	uint64_t sync_lag_ms;        /* last push: commit here -> applied on the peer */
	/* takeover hook */
	uint64_t hook_runs;
	int32_t hook_last_rc;        /* exit status, -1 killed/timeout, -2 not run */
	char hook_state[16];         /* "none", "running", "ok", "failed" */
	char hook_output[256];       /* tail of its output */
	struct sk_ha_csync_status csync;
};

/* Start the HA thread for the running config (cp->running has an HA group).
 * unit: 1 or 2.  0 or -errno with a message (bad key file, bind failure). */
int sk_ha_start(struct sk_cp *cp, unsigned int unit, struct sk_ha **out, char *err,
		size_t errlen) __attribute__((warn_unused_result));

/* Stop the thread, close the link; *ha = NULL.  NULL is a no-op.  The
 * dataplane keeps the role it has. */
void sk_ha_stop(struct sk_ha **ha);

/* A consistent snapshot. */
void sk_ha_status(struct sk_ha *ha, struct sk_ha_status *out);

/* May this unit commit directly?  0 if so (active, or no peer alive, or
 * force); -EBUSY with "this unit is standby..." otherwise (REST: 409 code
 * `standby`). */
int sk_ha_commit_allowed(struct sk_ha *ha, int force, char *err, size_t errlen);

/* After a successful commit, rollback or import on this unit: push the new
 * generation (its image and config text) to the peer.  Never blocks. */
void sk_ha_committed(struct sk_ha *ha, uint64_t generation, const void *img, size_t img_len,
		     const char *text, size_t text_len);

/* Maintenance: hand the floating addresses to the peer (it confirms it is in
 * sync, takes them, then this unit gives them up) and stay standby until
 * released.  Waits up to timeout_ms; 0 or -errno with a message (-EAGAIN:
 * the peer is not ready; -ENOTCONN: no live peer). */
int sk_ha_force_standby(struct sk_ha *ha, unsigned int timeout_ms, char *err, size_t errlen);

/* End maintenance: the unit becomes an ordinary standby again (it takes over
 * again only by the usual rules: peer dead, or preemption). */
int sk_ha_release(struct sk_ha *ha, char *err, size_t errlen);

/* Names for the API, metrics and logs (role names: sk_ha_role_name() of sk_ha.h). */
const char *sk_ha_linkerr_name(unsigned int kind);

#endif /* SK_CP_HA_H */
