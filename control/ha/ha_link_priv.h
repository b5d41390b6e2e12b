/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_link_priv.h - the HA link's internals, shared by ha_link.c (sockets,
 * sessions, timers) and ha_link_io.c (queues, framing, reassembly).
 * One thread owns a link: nothing here is locked.
 */
#ifndef SK_CP_HA_LINK_PRIV_H
#define SK_CP_HA_LINK_PRIV_H

#include <string.h>
#include "ha_frame.h"
#include "ha_link.h"

#define SK_HA_CONN_MAX (SK_HA_LINK_MAX_FDS - 1)
#define SK_HA_BACKOFF_MIN 100
#define SK_HA_BACKOFF_MAX 2000

enum sk_ha_conn_st {
	SK_HA_CONN_FREE = 0,
	SK_HA_CONN_CONNECTING,  /* our dial, connect() in progress */
	SK_HA_CONN_HELLO,       /* waiting for the peer's HELLO */
	SK_HA_CONN_READY,       /* HELLO seen, waiting for its READY */
	SK_HA_CONN_UP,          /* authenticated both ways */
};

/* A queued message: copied at send, freed when its last frame is encoded. */
struct sk_ha_qmsg {
	struct sk_ha_qmsg *next;
	size_t len;
	size_t off;      /* bytes already framed */
	uint8_t type;
	uint8_t data[];
};

struct sk_ha_queue {
	struct sk_ha_qmsg *head, *tail;
	uint64_t bytes, max;
	uint64_t count;
};

struct sk_ha_conn {
	int fd;
	uint8_t st;                 /* enum sk_ha_conn_st */
	uint8_t dialed;             /* 1: we dialed it; 0: accepted */
	uint8_t session_keyed;      /* smac holds the session key */
	uint8_t mismatch;           /* its hello differs: refused once READY is seen */
	char mismatch_why[160];
	uint64_t born_ms;
	uint64_t up_ms;
	uint64_t last_rx_ms;
	uint64_t stall_since_ms;    /* output pending and unwritten since (0: none) */
	uint64_t tx_seq, rx_seq;    /* last sent / last accepted */
	uint64_t peer_boot;
	uint8_t nonce[SK_HA_NONCE_LEN];
	struct sk_ha_hello_msg peer;
	struct sk_ha_mac smac;      /* session key, both directions */
	/* input: whole frames are handled in place, the rest moved to the front */
	uint8_t *in;
	size_t in_len, in_cap;
	/* output: encoded frames not yet accepted by the kernel */
	uint8_t *out;
	size_t out_off, out_len, out_cap;
	/* reassembly of a message cut into frames */
	uint8_t *rs;
	size_t rs_len, rs_total;
	uint8_t rs_type;
};

struct sk_ha_link {
	struct sk_ha_link_cfg cfg;   /* callbacks, limits, the key (for session keys) */
	struct sk_ha_mac lmac;       /* long-term key: HELLO frames only */
	unsigned int peer_unit;
	uint64_t boot;
	int lfd;                     /* listener */
	uint16_t lport;
	struct sk_ha_conn conn[SK_HA_CONN_MAX];
	int active;                  /* index of the session in use, -1: none */
	uint32_t state;              /* enum sk_ha_link_state */
	uint32_t hs_ms;              /* handshake time limit */
	uint32_t idle_ms;
	uint64_t next_dial_ms;       /* 0: dial at the next service */
	uint32_t backoff_ms;
	uint8_t have_peer;
	struct sk_ha_link_peer peer;
	struct sk_ha_hello_msg ours; /* nonce filled per connection */
	struct sk_ha_queue q[2];     /* CTRL, BULK */
	struct sk_ha_link_stats st;
	char why[200];
};

/* Copy a reason, cut to fit (reasons are for people: a cut one is fine). */
static inline void
sk_ha_why_copy(char *dst, size_t n, const char *src)
{
	size_t len = strnlen(src, n - 1);

	memmove(dst, src, len);
	dst[len] = 0;
}

/* sk_ha_conn_read: c has just become authenticated (not an error kind) */
#define SK_HA_CONN_UP_EVENT 1000

/* ha_link_io.c */
void sk_ha_queue_flush(struct sk_ha_link *l, struct sk_ha_queue *q);
int sk_ha_conn_put_frame(struct sk_ha_link *l, struct sk_ha_conn *c, uint8_t type,
			 const void *p, uint32_t len);
/* Write what is pending (refilling from the queues if c is the session).
 * 0, or an error kind + 1 (the caller drops c). */
int sk_ha_conn_write(struct sk_ha_link *l, struct sk_ha_conn *c, uint64_t now);
/* Read and handle what arrived.  0, or an error kind + 1 (drop c);
 * SK_HA_CONN_UP_EVENT when c has just become authenticated. */
int sk_ha_conn_read(struct sk_ha_link *l, struct sk_ha_conn *c, uint64_t now);
int sk_ha_conn_pending(const struct sk_ha_link *l, const struct sk_ha_conn *c);

/* ha_link.c */
void sk_ha_conn_became_up(struct sk_ha_link *l, struct sk_ha_conn *c, uint64_t now);
/* The peer's hello differs (what: l->why): close c, report, retry slowly. */
void sk_ha_conn_mismatch(struct sk_ha_link *l, struct sk_ha_conn *c, uint64_t now);

#endif /* SK_CP_HA_LINK_PRIV_H */
