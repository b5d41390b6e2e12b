/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_link.h - the HA link (docs/ha-link.md): one authenticated TCP
 * connection between the two units' sekisho-cp, carrying typed messages.
 * The HA state machine (ha.h) owns one struct sk_ha_link and drives it from
 * its own poll loop; the link has no thread, no timer and no log of its own.
 *
 * Wire: every frame is a 32-byte header (magic, version, type, flags,
 * sender unit, length, total, sequence, boot id), the payload (at most
 * max_frame bytes) and an HMAC-SHA256 over both.  A session starts with a
 * HELLO each way (keyed with the long-term key, carrying a fresh nonce and
 * the hello fields that must match), then READY each way keyed with the
 * session key HMAC(key, "sekisho ha session" | dialer's nonce | acceptor's
 * nonce): a recorded session replayed on a new connection never gets past
 * READY.  Hello fields that differ are reported (MISMATCH) only after READY,
 * so a replayed old hello cannot fault a unit.  Sequence numbers start at 1 per connection and direction and must
 * grow strictly.
 *
 * Connections: each unit listens on its own HA address and dials the
 * peer's.  When two authenticated connections exist, the one dialed by the
 * lower unit id survives (between two of the same direction: the newer).
 * Connections from any other address than the peer's are refused and
 * counted.  Dialing backs off 100 ms .. 2 s (2 s after a hello mismatch).
 *
 * Priorities: two send queues, CTRL (heartbeats, handover, results) and
 * BULK; the writer takes a CTRL frame before any BULK frame at every frame
 * boundary.  A message larger than one frame is cut into frames of at most
 * max_frame bytes (flags FIRST/LAST) and always rides the BULK queue, so a
 * heartbeat waits behind at most one bulk frame; the receiver reassembles it
 * up to max_msg bytes.  Order is kept within a queue, not between queues.
 *
 * Delivery is at most once: what is queued when a connection dies, or sits
 * in a connection that is replaced, is dropped (queues are emptied on DOWN).
 * Owners that need an answer resend after UP (UP is reported again, without
 * DOWN between, when a new connection replaces the one in use).
 *
 * Threads: none of these functions is thread-safe; one thread owns a link.
 */
#ifndef SK_CP_HA_LINK_H
#define SK_CP_HA_LINK_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "ha.h"

struct sk_ha_link;  /* opaque */

/* Message types: X(ENUM, word, wire number).  Wire numbers never change.
 * HELLO and READY are the link's own and never reach on_msg. */
#define SK_HA_MSG_LIST(X) \
	X(HELLO,         hello,          1)  /* link: greeting, hello fields, nonce */ \
	X(READY,         ready,          2)  /* link: first frame under the session key */ \
	X(HEARTBEAT,     heartbeat,      3)  /* state machine: role, term, generation... */ \
	X(CONFIG_PUSH,   config_push,    4)  /* active -> standby: generation, image, text */ \
	X(CONFIG_RESULT, config_result,  5)  /* standby -> active: applied or why not */ \
	X(CONFIG_PULL,   config_pull,    6)  /* joining unit asks for the current config */ \
	X(HANDOVER_REQ,  handover_req,   7)  /* maintenance: take over from me */ \
	X(HANDOVER_ACK,  handover_ack,   8)  /* ready (in sync) or refused */ \
	X(HANDOVER_DONE, handover_done,  9)  /* the addresses have moved */ \
	X(CONN_RECORDS,  conn_records,  16)  /* issue 11: a batch of connection records */ \
	X(BULK_BEGIN,    bulk_begin,    17)  /* issue 11: a full table sync starts */ \
	X(BULK_CHUNK,    bulk_chunk,    18)  /* issue 11: a slice of the table */ \
	X(BULK_END,      bulk_end,      19)  /* issue 11: full table sync done */ \
	X(ACK,           ack,           20)  /* issue 11: records acknowledged up to a seq */

enum sk_ha_msg {
#define SK_HA_MSG_ENUM(e, w, n) SK_HA_MSG_##e = n,
	SK_HA_MSG_LIST(SK_HA_MSG_ENUM)
#undef SK_HA_MSG_ENUM
};

/* Which send queue a message goes to. */
enum sk_ha_prio {
	SK_HA_PRIO_CTRL = 0,  /* heartbeats and small control messages: always first */
	SK_HA_PRIO_BULK = 1,  /* config images, connection records, bulk sync */
};

/* What the link tells its owner (on_state). */
enum sk_ha_link_state {
	SK_HA_LINK_DOWN = 0,     /* no authenticated connection */
	SK_HA_LINK_UP = 1,       /* a session is up (again: a new one replaced the old) */
	SK_HA_LINK_MISMATCH = 2, /* the peer greeted us with hello fields that differ:
	                          * the owner should enter FAULT; the link retries slowly */
};

#define SK_HA_KEY_LEN 32
#define SK_HA_FRAME_HDR_LEN 32
#define SK_HA_FRAME_MAC_LEN 32
#define SK_HA_FRAME_DEFAULT (64u * 1024)       /* payload bytes per frame */
#define SK_HA_FRAME_MAX (1024u * 1024)         /* largest max_frame accepted */
#define SK_HA_MSG_DEFAULT (64u * 1024 * 1024)  /* largest reassembled message */
#define SK_HA_LINK_MAX_FDS 6                    /* listener + connections */

/* What both units must agree on; a difference is a MISMATCH. */
struct sk_ha_link_hello {
	char version[32];       /* software version string */
	uint32_t workers;       /* dataplane worker count */
	uint32_t snat_layout;   /* SNAT port-block layout id */
	char cluster[64];       /* the config's HA identity (cluster name) */
};

struct sk_ha_link_cfg {
	uint8_t key[SK_HA_KEY_LEN];   /* from sk_ha_link_key_derive/_from_file */
	unsigned int unit;            /* this unit: 1 or 2 (the peer is the other) */
	struct sockaddr_storage local;/* where to listen (port may be 0 in tests) */
	socklen_t local_len;
	struct sockaddr_storage peer; /* the peer's HA address and port */
	socklen_t peer_len;
	uint32_t dead_ms;        /* the dead interval (0: 200): the handshake's time
	                          * limit (at least 1000 ms) and stall_ms's default */
	uint32_t stall_ms;       /* output pending and nothing written this long: the
	                          * peer does not read, drop it (timeout); 0: dead_ms */
	uint32_t idle_ms;        /* receive silence that drops a connection (timeout);
	                          * 0: 10 x dead_ms, at least 5000 ms.  Only to reap dead
	                          * TCP connections: whether the peer is alive is the
	                          * owner's call, from its heartbeats' arrival times */
	uint32_t max_frame;      /* payload bytes per frame, both ways; 0: 64 KiB;
	                          * 1024 .. SK_HA_FRAME_MAX; must match the peer's */
	uint64_t max_msg;        /* largest message (reassembled); 0: 64 MiB */
	uint64_t ctrl_queue_max; /* bytes queued on CTRL; 0: 1 MiB */
	uint64_t bulk_queue_max; /* bytes queued on BULK; 0: 2 x max_msg */
	struct sk_ha_link_hello hello;
	/* Called from sk_ha_link_service() only.  payload is valid during the
	 * call.  type is never HELLO or READY. */
	void (*on_msg)(void *ctx, uint8_t type, const void *payload, size_t len);
	void (*on_state)(void *ctx, enum sk_ha_link_state st, const char *reason);
	void *ctx;
};

struct sk_ha_link_stats {
	uint64_t errors[SK_HA_LINKERR__MAX]; /* by kind (ha.h) */
	uint64_t connects;       /* sessions that came up */
	uint64_t dials;          /* connect() attempts */
	uint64_t accepts;        /* inbound connections accepted for a handshake */
	uint64_t replaced;       /* sessions closed because another one won */
	uint64_t msgs_sent, msgs_recv;
	uint64_t frames_sent, frames_recv;
	uint64_t bytes_sent, bytes_recv;
	uint64_t dropped_down;   /* messages queued and dropped when the session ended */
	uint64_t ctrl_queued, bulk_queued; /* bytes queued now */
	uint32_t state;          /* enum sk_ha_link_state */
	uint32_t last_error_kind;/* SK_HA_LINKERR_* of the last error counted */
	char last_error[160];    /* its reason ("" none yet): for a log line */
};

/* What the peer said in its last HELLO (authenticated). */
struct sk_ha_link_peer {
	unsigned int unit;
	uint64_t boot_id;        /* random per process start: a change = peer restarted */
	struct sk_ha_link_hello hello;
};

/* key = HMAC-SHA256(psk, "sekisho ha link").  0 or -EINVAL (empty psk). */
int sk_ha_link_key_derive(const void *psk, size_t len, uint8_t key[SK_HA_KEY_LEN])
	__attribute__((warn_unused_result));

/* Read the PSK file and derive the key.  Trailing whitespace (a final
 * newline) is not part of the PSK.  Refused: not a regular file, empty,
 * larger than 4 KiB, readable or writable by others (mode & 007).  The
 * error message never contains the key.  0 or -errno. */
int sk_ha_link_key_from_file(const char *path, uint8_t key[SK_HA_KEY_LEN], char *err,
			     size_t errlen) __attribute__((warn_unused_result));

/* Make a link: binds and listens at once (a bind failure is reported here),
 * dials on the first sk_ha_link_service().  0 or -errno with a message. */
int sk_ha_link_create(const struct sk_ha_link_cfg *cfg, struct sk_ha_link **out, char *err,
		      size_t errlen) __attribute__((warn_unused_result));

/* Close everything and free; *link = NULL.  NULL is a no-op.  Calls no
 * callback. */
void sk_ha_link_free(struct sk_ha_link **link);

/* Fill a socket address from an IPv4 or IPv6 literal and a port (for
 * cfg.local / cfg.peer).  0 or -EINVAL. */
int sk_ha_link_addr(const char *ip, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
	__attribute__((warn_unused_result));

/* The port the link listens on (useful with port 0). */
uint16_t sk_ha_link_local_port(const struct sk_ha_link *link);

/* Fill fds (up to max, SK_HA_LINK_MAX_FDS is enough) with what to poll;
 * returns the count.  Pass the same array, after poll(), to service. */
int sk_ha_link_fds(const struct sk_ha_link *link, struct pollfd *fds, int max);

/* How long the owner may sleep before it must call service again for the
 * link's timers (dial backoff, handshake and stall limits); -1: no timer. */
int sk_ha_link_timeout_ms(const struct sk_ha_link *link, uint64_t now_ms);

/* Do the I/O poll() reported on fds (fds may be NULL with n 0: timers
 * only), run the timers and call on_msg/on_state.  now_ms: a monotonic
 * clock in ms.  Never blocks.  The callbacks may call sk_ha_link_send()
 * but not sk_ha_link_free(). */
void sk_ha_link_service(struct sk_ha_link *link, uint64_t now_ms, const struct pollfd *fds,
			int n);

/* Queue a message (copied; never blocks; written by the next service).
 * A message larger than max_frame goes to BULK whatever prio says.
 * 0, -ENOTCONN (no session up), -ENOBUFS (that queue is full: nothing
 * queued), -EMSGSIZE (larger than max_msg), -EINVAL (HELLO/READY or an
 * unknown type). */
int sk_ha_link_send(struct sk_ha_link *link, uint8_t type, const void *payload, size_t len,
		    enum sk_ha_prio prio) __attribute__((warn_unused_result));

enum sk_ha_link_state sk_ha_link_state(const struct sk_ha_link *link);
void sk_ha_link_stats(const struct sk_ha_link *link, struct sk_ha_link_stats *out);

/* The peer's last hello: 0, or -ENOENT before the first one. */
int sk_ha_link_peer(const struct sk_ha_link *link, struct sk_ha_link_peer *out);

/* "heartbeat", ... ; "?" for an unknown type. */
const char *sk_ha_msg_name(unsigned int type);

/* 1 if type is in SK_HA_MSG_LIST. */
int sk_ha_msg_known(unsigned int type);

#endif /* SK_CP_HA_LINK_H */
