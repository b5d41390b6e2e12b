/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sk_tcp_state.h - the TCP states of a connection (whole connection, as the
 * firewall sees it), from one X-macro list: the connection table's enum,
 * and the names that connection listings (sk_shm.h's struct sk_shm_conn)
 * and sync records (sk_sync.h) are shown with.  The names are defined once,
 * in dataplane/conn/conn_tcp.c.
 */
#ifndef SK_TCP_STATE_H
#define SK_TCP_STATE_H

#define SK_TCP_STATE_LIST(X) \
	X(NONE,        "none") \
	X(SYN_SENT,    "syn_sent") \
	X(SYN_RECV,    "syn_recv") \
	X(ESTABLISHED, "established") \
	X(FIN_WAIT,    "fin_wait") \
	X(CLOSE_WAIT,  "close_wait") \
	X(LAST_ACK,    "last_ack") \
	X(TIME_WAIT,   "time_wait") \
	X(CLOSED,      "closed")

enum sk_tcp_state {
#define SK_TCP_ST_ENUM(e, n) SK_TCP_##e,
	SK_TCP_STATE_LIST(SK_TCP_ST_ENUM)
#undef SK_TCP_ST_ENUM
	SK_TCP__MAX
};

/* Name of state st (< SK_TCP__MAX). */
extern const char *const sk_tcp_state_names[SK_TCP__MAX];

#endif /* SK_TCP_STATE_H */
