/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_priv.h - inside the HA module: struct sk_ha (the HA thread's state,
 * shared by ha.c, ha_sync.c and ha_notify.c), the HEARTBEAT message on the
 * HA link, the persisted term (ha_util.c), config sync (ha_sync.c) and the
 * transition log and takeover hook (ha_notify.c).
 *
 * Who touches what in struct sk_ha: the HA thread owns the link, the state
 * machine and every field marked "HA thread"; `lock` guards st, the
 * maintenance flags and the sync fields marked so (other threads: REST
 * handlers through ha.h, the sync applier).  Lock order: cp->dp_lock, then
 * ha->lock; cp->log_lock is never taken with ha->lock held.
 */
#ifndef SK_CP_HA_PRIV_H
#define SK_CP_HA_PRIV_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include "ha.h"
#include "ha_fsm.h"
#include "sk_image.h"
#include "store/store.h"

struct sk_cp;
struct sk_ha_link;
struct sk_ha_hook;
struct sk_shm_ha;

/* HEARTBEAT payload, 24 bytes, integers big-endian:
 * version, unit, role, priority, ready, forced, 2 x 0, term, generation. */
#define SK_HA_HBMSG_LEN 24
#define SK_HA_HBMSG_VERSION 1

struct sk_ha_hbmsg {
	uint8_t unit, priority, ready, forced;
	uint32_t role;
	uint64_t term, generation;
};

void sk_ha_hbmsg_put(const struct sk_ha_hbmsg *m, uint8_t out[SK_HA_HBMSG_LEN]);
int sk_ha_hbmsg_get(const void *buf, size_t len, struct sk_ha_hbmsg *m)
	__attribute__((warn_unused_result));

/* <state_dir>/ha-term: 0 when absent. */
uint64_t sk_ha_term_load(const char *state_dir);
/* Temporary file, fsync, rename.  0 or -errno. */
int sk_ha_term_save(const char *state_dir, uint64_t term) __attribute__((warn_unused_result));

/* A config generation as config sync moves it (malloc'd copies). */
struct sk_ha_cfgcopy {
	uint64_t gen;              /* 0: none */
	void *img;
	size_t img_len;
	char *text;
	size_t text_len;
};

struct sk_ha_sync {
	/* under lock: the running config here (what a push sends), set at
	 * start and by sk_ha_committed() after every commit on this unit */
	struct sk_ha_cfgcopy cur;
	uint64_t cur_ms;           /* when it started running here (mono ms) */
	/* under lock: received from the peer, waiting for the applier */
	struct sk_ha_cfgcopy in;
	uint8_t in_peer;           /* the sender's unit */
	uint8_t applying;          /* the applier is committing one */
	uint8_t done;              /* a result waits to be answered */
	uint64_t done_gen;
	int done_rc;
	uint64_t done_ms;          /* how long the apply took */
	char done_msg[200];
	uint8_t stop;
	pthread_cond_t cond;       /* with lock: wakes the applier */
	pthread_t thr;
	uint8_t thr_running;
	sk_store_commit_fn fn;     /* the dataplane commit (tests: a stand-in) */
	void *fn_ctx;
	/* HA thread only */
	uint64_t pushed_gen;       /* last generation pushed on this session, 0 none */
	uint64_t push_ref_ms;      /* lag reference: its commit here, or the session's start */
	uint64_t retry_ms;         /* no second push of pushed_gen before this */
	uint8_t pull_asked;        /* the peer asked for the config */
	uint64_t pull_ms;          /* standby: next pull allowed */
	uint64_t session_ms;       /* when the link session came up */
	uint64_t warned_gen;       /* peer's newer generation already logged */
};

/* Connection-state sync, HA thread only (ha_csync.c). */
/* Batches the active keeps until the standby acknowledges them: the
 * retransmit window a new link session resumes from (each <= 60000 bytes). */
#define SK_HA_CSYNC_WINDOW 512
struct sk_ha_cwin {
	uint64_t seq, first_ms, records;
	uint8_t *buf;              /* the encoded batch (malloc'd once, reused) */
	size_t len;
};
struct sk_ha_csync {
	struct sk_sync_shm *shm;   /* NULL: this dataplane has no sync rings */
	unsigned int n_workers;
	uint64_t stream;           /* this sender's stream id (random per start) */
	/* active side */
	uint8_t shipping;
	uint64_t seq;              /* last batch sent */
	uint64_t acked;            /* last batch acknowledged */
	uint8_t *buf;              /* the batch being filled */
	size_t len;
	uint16_t count;
	uint64_t first_ms;         /* when its first record was taken */
	struct sk_ha_cwin win[SK_HA_CSYNC_WINDOW];   /* batch seq at [seq % WINDOW] */
	uint64_t win_from;         /* oldest batch held: win_from..seq are there */
	uint8_t resume_wait;       /* a new session: hold batches until the standby's ACK */
	uint64_t resume_wait_ms;   /* since when */
	uint64_t outage_ms;        /* shipping with the link down since (0: link up) */
	uint32_t bulk_id;          /* last bulk sync asked of the workers */
	uint64_t bulk_start_ms;
	uint64_t bulk_rec0;        /* records_sent when it began */
	uint8_t resync_wanted;
	uint8_t empty_bulk_sent;   /* no rings here: an empty bulk told the peer once */
	/* standby side */
	uint64_t peer_stream, peer_seq;
	uint8_t ack_due;
	uint32_t ack_flags;
	uint64_t bulk_in_start_ms;
	uint8_t bulk_in_end;       /* BULK_END seen, waiting for the in rings to empty */
	uint64_t held_gen;         /* generation when held records were last looked at */
	uint64_t held_seen;        /* the workers' held count then */
	uint32_t bulk_in_id;
	uint8_t resume_asked;      /* a new session: RESUME asked, the active's answer not yet here */
	/* records waiting for room in a worker's in ring (a bulk sync arrives
	 * faster than a worker applies): per worker, malloc'd on first need */
	struct sk_ha_cpend {
		struct sk_sync_rec *q;
		uint32_t head, n;
	} pend[SK_SYNC_MAX_WORKERS];
	struct sk_ha_csync_status st;
};

struct sk_ha {
	struct sk_cp *cp;
	unsigned int unit;
	struct sk_img_ha cfg;
	struct sk_ha_link *link;
	struct sk_shm_ha *shm;      /* NULL: no dataplane attached */
	struct sk_hafsm fsm;
	pthread_t thr;
	int running;
	volatile int stop;
	pthread_mutex_t lock;       /* st, forced, handover_*, sync (see above) */
	struct sk_ha_status st;

	/* link path (HA thread) */
	uint64_t link_rx_ms;        /* our clock at the last HEARTBEAT, 0 = never */
	struct sk_ha_hbmsg lpeer;   /* its contents */
	uint8_t lpeer_known;
	uint64_t next_hb_ms;
	uint8_t link_is_up;         /* session up */
	char mismatch[160];         /* hello fields differ: fault */

	/* data path (HA thread) */
	uint64_t dp_now_seen;       /* block's now_ms, last read */
	uint64_t dp_now_changed_ms; /* our clock when it last moved */
	uint64_t dp_hb_rx_seen;

	uint8_t path_up[SK_HA_PATH__MAX];

	/* wishes (HA thread) */
	uint32_t want_seq;          /* last want_seq written, 0 = none */
	uint32_t wrote_role;
	uint64_t wrote_term;
	uint64_t saved_term;

	/* maintenance (under lock) */
	uint8_t forced;
	uint8_t handover_asked;     /* the peer asked us to take over */
	uint8_t handover_acked;     /* the peer said it takes over */
	uint8_t handover_refused;
	uint8_t handover_send;      /* force_standby: the HA thread sends HANDOVER_REQ */

	struct sk_ha_sync sync;
	struct sk_ha_csync csync;   /* connection-state sync (HA thread) */
	struct sk_ha_hook *hook;    /* NULL: no hook configured (HA thread) */
};

uint64_t sk_ha_mono_ms(void);
uint64_t sk_ha_unix_ms(void);

/* ---- config sync (ha_sync.c) ---- */

/* Copy the running config, start the applier.  0 or -errno. */
int sk_ha_sync_init(struct sk_ha *ha) __attribute__((warn_unused_result));
/* Stop the applier (after the HA thread has stopped), free the copies. */
void sk_ha_sync_fini(struct sk_ha *ha);
/* HA thread: CONFIG_PUSH, CONFIG_PULL, CONFIG_RESULT from the peer. */
void sk_ha_sync_on_msg(struct sk_ha *ha, uint8_t type, const void *payload, size_t len);
/* HA thread: a new link session (what was in flight is lost). */
void sk_ha_sync_session(struct sk_ha *ha, uint64_t now);
/* HA thread, every loop after the state machine: push, pull, answer. */
void sk_ha_sync_tick(struct sk_ha *ha, uint64_t now);
/* The generation running here (under lock). */
uint64_t sk_ha_sync_generation(struct sk_ha *ha);
/* Tests without a dataplane: what applies a pushed config. */
void sk_ha_set_commit_fn(struct sk_ha *ha, sk_store_commit_fn fn, void *ctx);

/* ---- connection-state sync (ha_csync.c) ---- */

/* Find the dataplane's sync rings (none: the peer still gets an empty bulk
 * sync so that it can become ready).  0 or -ENOMEM. */
int sk_ha_csync_init(struct sk_ha *ha) __attribute__((warn_unused_result));
void sk_ha_csync_fini(struct sk_ha *ha);
/* HA thread: CONN_RECORDS, ACK, BULK_BEGIN, BULK_END from the peer. */
void sk_ha_csync_on_msg(struct sk_ha *ha, uint8_t type, const void *payload, size_t len);
/* HA thread: a new link session (what was in flight is lost: bulk again). */
void sk_ha_csync_session(struct sk_ha *ha);
/* HA thread, every loop: ship (active), acknowledge (standby), counters. */
void sk_ha_csync_tick(struct sk_ha *ha, uint64_t now);
/* HA thread: the poll timeout it needs (ms): short while shipping. */
int sk_ha_csync_timeout_ms(const struct sk_ha *ha);
/* Standby: has a bulk sync from the live active completed?  1 if sync is
 * not in use here. */
int sk_ha_csync_ready(const struct sk_ha *ha);

/* ---- transitions, log and hook (ha_notify.c) ---- */

/* Create the hook runner when the config names one.  0 or -errno. */
int sk_ha_notify_init(struct sk_ha *ha, char *err, size_t errlen)
	__attribute__((warn_unused_result));
void sk_ha_notify_fini(struct sk_ha *ha);
/* A line on stdout and an "ha" event in the log writer (if any): what
 * happened ("transition", "path", "announce", "sync", "hook") and fields
 * (stolen, may be NULL). */
void sk_ha_log(struct sk_ha *ha, const char *what, void *json_fields, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The state machine changed role or term (HA thread): log, count, and run
 * the hook on a change to or from ACTIVE. */
void sk_ha_notify_transition(struct sk_ha *ha, uint32_t from, uint64_t now);
/* HA thread, every loop: drive the hook, copy its state into st. */
void sk_ha_notify_tick(struct sk_ha *ha, uint64_t now);
/* The hook's input for a role (malloc'd JSON text, NULL on no memory). */
char *sk_ha_hook_input(struct sk_ha *ha, uint32_t role, uint64_t term);

#endif /* SK_CP_HA_PRIV_H */
