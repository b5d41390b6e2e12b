/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sk_test_conn.h - packet descriptors and table helpers the connection
 * table's tests share (test_conn.c, test_connnat.c).
 */
#ifndef SK_TEST_CONN_H
#define SK_TEST_CONN_H

#include <string.h>
#include "conn/conn.h"
#include "sk_pkt_meta.h"

static inline struct sk_pkt_meta
mk4(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint8_t proto, uint8_t flags)
{
	struct sk_pkt_meta m;

	memset(&m, 0, sizeof(m));
	m.kind = SK_PKT_IP;
	m.family = 4;
	m.proto = proto;
	m.tcp_flags = flags;
	m.sport = sport;
	m.dport = dport;
	m.l2_len = 14;
	m.ip_len = 60;
	for (int i = 0; i < 4; i++) {
		m.src[i] = (uint8_t)(src >> (24 - 8 * i));
		m.dst[i] = (uint8_t)(dst >> (24 - 8 * i));
	}
	return m;
}

static inline struct sk_pkt_meta
mk6(uint16_t src_lo, uint16_t dst_lo, uint16_t sport, uint16_t dport, uint8_t proto, uint8_t flags)
{
	struct sk_pkt_meta m = mk4(0, 0, sport, dport, proto, flags);

	m.family = 6;
	m.ip_len = 80;
	m.src[0] = m.dst[0] = 0x20;
	m.src[1] = m.dst[1] = 0x01;
	m.src[14] = (uint8_t)(src_lo >> 8);
	m.src[15] = (uint8_t)src_lo;
	m.dst[14] = (uint8_t)(dst_lo >> 8);
	m.dst[15] = (uint8_t)dst_lo;
	return m;
}

/* The same packet seen in the other direction. */
static inline struct sk_pkt_meta
rev(const struct sk_pkt_meta *m, uint8_t flags)
{
	struct sk_pkt_meta r = *m;

	memcpy(r.src, m->dst, sizeof(r.src));
	memcpy(r.dst, m->src, sizeof(r.dst));
	r.sport = m->dport;
	r.dport = m->sport;
	r.tcp_flags = flags;
	return r;
}

/* Create a connection for m; NULL on failure (rte_errno kept). */
static inline struct sk_conn *
open_conn(struct sk_conn_table *t, const struct sk_pkt_meta *m, uint32_t now)
{
	struct sk_conn_key k;
	uint8_t sa;

	sk_conn_key_from_meta(m, &k, &sa);
	return sk_conn_create(t, &k, sa, m, now, 7, 3);
}

/* Look m up; *dir gets its direction on a hit. */
static inline struct sk_conn *
find(struct sk_conn_table *t, const struct sk_pkt_meta *m, enum sk_conn_dir *dir)
{
	struct sk_conn_key k;
	struct sk_conn *c;
	uint8_t sa;

	sk_conn_key_from_meta(m, &k, &sa);
	sk_conn_lookup_burst(t, &k, 1, &c);
	if (c != NULL && dir != NULL)
		*dir = sk_conn_dir(c, sa);
	return c;
}

#endif /* SK_TEST_CONN_H */
