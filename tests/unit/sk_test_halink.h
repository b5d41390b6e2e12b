/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sk_test_halink.h - test_halink's harness: a side (one link and what its
 * callbacks saw), a poll loop over several links, and hostile peers played
 * with raw sockets (frames built with the link's own codec, so they can be
 * right in every way but one).
 */
#ifndef SK_TEST_HALINK_H
#define SK_TEST_HALINK_H

#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "ha/ha_frame.h"
#include "ha/ha_link.h"
#include "sk_test.h"

#define BIG_LEN (5u * 1024 * 1024)
#define DEAD_MS 300

static const uint8_t key_good[SK_HA_KEY_LEN] = "0123456789abcdef0123456789abcde";

struct side {
	struct sk_ha_link *l;
	const char *name;
	int ups, downs, mismatches;
	int state;
	char reason[256];
	uint64_t by_type[32];
	uint64_t bytes;
	uint8_t last[512];
	size_t last_len;
	uint8_t last_type;
	int big_expected, big_ok, big_bad, hb_before_big;
	uint64_t hb_lat_max_us, hb_lat_n;  /* heartbeats carrying their send time */
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint8_t
pattern(size_t i)
{
	return (uint8_t)(i ^ (i >> 8) ^ (i >> 16) ^ 0x5a);
}

static void
on_msg(void *ctx, uint8_t type, const void *p, size_t len)
{
	struct side *s = ctx;
	const uint8_t *b = p;
	size_t i;

	s->by_type[type & 31]++;
	s->bytes += len;
	s->last_type = type;
	s->last_len = len;
	memcpy(s->last, p, len < sizeof(s->last) ? len : sizeof(s->last));
	if (type == SK_HA_MSG_HEARTBEAT && s->big_expected && !s->big_ok && !s->big_bad)
		s->hb_before_big++;
	if (type == SK_HA_MSG_HEARTBEAT && len == sizeof(uint64_t)) {
		uint64_t sent, lat;

		memcpy(&sent, p, sizeof(sent));
		lat = now_us() - sent;
		if (lat > s->hb_lat_max_us)
			s->hb_lat_max_us = lat;
		s->hb_lat_n++;
	}
	if (type == SK_HA_MSG_CONFIG_PUSH && len == BIG_LEN) {
		for (i = 0; i < len && b[i] == pattern(i); i++)
			;
		if (i == len)
			s->big_ok++;
		else
			s->big_bad++;
	}
}

static void
on_state(void *ctx, enum sk_ha_link_state st, const char *reason)
{
	struct side *s = ctx;

	s->state = st;
	snprintf(s->reason, sizeof(s->reason), "%s", reason);
	if (st == SK_HA_LINK_UP)
		s->ups++;
	else if (st == SK_HA_LINK_DOWN)
		s->downs++;
	else
		s->mismatches++;
}

static uint16_t
free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &al) != 0)
		abort();
	close(fd);
	return ntohs(a.sin_port);
}

static void
set_addr(struct sockaddr_storage *ss, socklen_t *len, const char *ip, uint16_t port)
{
	if (sk_ha_link_addr(ip, port, ss, len) != 0)
		abort();
}

static void
mkcfg(struct sk_ha_link_cfg *c, unsigned int unit, uint16_t lport, uint16_t pport,
      struct side *s, const char *version)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->key, key_good, SK_HA_KEY_LEN);
	c->unit = unit;
	set_addr(&c->local, &c->local_len, "127.0.0.1", lport);
	set_addr(&c->peer, &c->peer_len, "127.0.0.1", pport);
	c->dead_ms = DEAD_MS;
	snprintf(c->hello.version, sizeof(c->hello.version), "%s", version);
	c->hello.workers = 2;
	c->hello.snat_layout = 7;
	snprintf(c->hello.cluster, sizeof(c->hello.cluster), "lab-pair");
	c->on_msg = on_msg;
	c->on_state = on_state;
	c->ctx = s;
}

/* Poll and service the links (and watch one extra fd) for up to ms, or
 * until done() says so. */
static void
pump(struct side **sides, int n, int ms, int (*done)(void *), void *arg)
{
	uint64_t end = now_ms() + (uint64_t)ms;
	struct pollfd fds[4 * SK_HA_LINK_MAX_FDS];
	int off[5], cnt[4], i, tot;

	for (int first = 1;; first = 0) {
		if (done != NULL && done(arg))
			return;
		if (!first && now_ms() >= end)
			return;
		tot = 0;
		for (i = 0; i < n; i++) {
			off[i] = tot;
			cnt[i] = sk_ha_link_fds(sides[i]->l, fds + tot, SK_HA_LINK_MAX_FDS);
			tot += cnt[i];
		}
		(void)poll(fds, (nfds_t)tot, ms > 0 ? 5 : 0);
		for (i = 0; i < n; i++)
			sk_ha_link_service(sides[i]->l, now_ms(), fds + off[i], cnt[i]);
	}
}

static int
both_up(void *arg)
{
	struct side **s = arg;

	return s[0]->state == SK_HA_LINK_UP && s[1]->state == SK_HA_LINK_UP;
}

static uint64_t
err_of(struct side *s, int kind)
{
	struct sk_ha_link_stats st;

	sk_ha_link_stats(s->l, &st);
	return st.errors[kind];
}

/* ---- hostile peers, played with raw sockets ---- */

struct hostile {
	int fd;
	uint64_t seq, boot;
	struct sk_ha_mac lmac, smac;
	uint8_t nonce[16];
	uint8_t rec[4096];   /* what we sent, for a replay */
	size_t rec_len;
};

static int
hostile_connect(const char *src, uint16_t port, int rcvbuf)
{
	struct sockaddr_storage a;
	socklen_t al;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	set_addr(&a, &al, src, 0);
	if (bind(fd, (struct sockaddr *)&a, al) != 0)
		return -1;
	set_addr(&a, &al, "127.0.0.1", port);
	if (connect(fd, (struct sockaddr *)&a, al) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
hostile_frame(struct hostile *h, struct sk_ha_mac *m, uint8_t type, const void *p, uint32_t len)
{
	struct sk_ha_frame_hdr hd = { .magic = SK_HA_FRAME_MAGIC,
		.version = SK_HA_FRAME_VERSION, .type = type, .flags = 3, .unit = 2,
		.len = len, .total = len, .seq = ++h->seq, .boot = h->boot };
	uint8_t buf[1024];
	size_t n = sk_ha_frame_encode(m, &hd, p, buf);

	if (h->rec_len + n <= sizeof(h->rec)) {
		memcpy(h->rec + h->rec_len, buf, n);
		h->rec_len += n;
	}
	if (send(h->fd, buf, n, MSG_NOSIGNAL) != (ssize_t)n)
		fprintf(stderr, "hostile send failed\n");
}

static void
hostile_hello(struct hostile *h, const char *version)
{
	struct sk_ha_hello_msg hm = { .unit = 2, .max_frame = SK_HA_FRAME_DEFAULT };
	uint8_t hb[SK_HA_HELLO_LEN];

	memcpy(hm.nonce, h->nonce, 16);
	snprintf(hm.hello.version, sizeof(hm.hello.version), "%s", version);
	hm.hello.workers = 2;
	hm.hello.snat_layout = 7;
	snprintf(hm.hello.cluster, sizeof(hm.hello.cluster), "lab-pair");
	sk_ha_hello_put(&hm, hb);
	hostile_frame(h, &h->lmac, SK_HA_MSG_HELLO, hb, sizeof(hb));
}

struct rx_wait {
	int fd;
	uint8_t *buf;
	size_t want, got;
	int closed;
};

static int
rx_done(void *arg)
{
	struct rx_wait *w = arg;
	ssize_t n;

	if (w->got >= w->want || w->closed)
		return 1;
	n = recv(w->fd, w->buf + w->got, w->want - w->got, MSG_DONTWAIT);
	if (n > 0)
		w->got += (size_t)n;
	else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
		w->closed = 1;
	return w->got >= w->want || w->closed;
}

/* Wait (servicing the links) until the link closes fd. */
static int
wait_closed(struct side **s, int n, int fd, int ms)
{
	uint8_t sink[65536];
	struct rx_wait w = { .fd = fd, .buf = sink, .want = sizeof(sink) + 1 };

	for (uint64_t end = now_ms() + (uint64_t)ms; now_ms() < end && !w.closed;) {
		w.got = 0;
		pump(s, n, 20, rx_done, &w);
	}
	return w.closed;
}

/* Full handshake as unit 2 with the right key; returns 0 once READY is sent. */
static int
hostile_handshake(struct side **s, int n, struct hostile *h, uint16_t port, int rcvbuf,
		  const char *version)
{
	uint8_t buf[SK_HA_FRAME_HDR_LEN + SK_HA_HELLO_LEN + SK_HA_FRAME_MAC_LEN];
	struct rx_wait w = { .buf = buf, .want = sizeof(buf) };
	struct sk_ha_hello_msg theirs;
	uint8_t sk[32];

	memset(h, 0, sizeof(*h));
	h->boot = 0x4242424242ull;
	memcpy(h->nonce, "hostile-nonce-16", 16);
	if (sk_ha_mac_init(&h->lmac, key_good) != 0)
		return -1;
	h->fd = hostile_connect("127.0.0.1", port, rcvbuf);
	if (h->fd < 0)
		return -1;
	hostile_hello(h, version);
	w.fd = h->fd;
	pump(s, n, 2000, rx_done, &w);
	if (w.got != w.want || sk_ha_hello_get(buf + 32, SK_HA_HELLO_LEN, &theirs) != 0)
		return -1;
	/* we dialed: our nonce first */
	if (sk_ha_session_key(key_good, h->nonce, theirs.nonce, sk) != 0 ||
	    sk_ha_mac_init(&h->smac, sk) != 0)
		return -1;
	hostile_frame(h, &h->smac, SK_HA_MSG_READY, NULL, 0);
	return 0;
}

static void
hostile_free(struct hostile *h)
{
	if (h->fd >= 0)
		close(h->fd);
	if (h->lmac.ctx)
		sk_ha_mac_free(&h->lmac);
	if (h->smac.ctx)
		sk_ha_mac_free(&h->smac);
	h->fd = -1;
}

/* The good pair still talks both ways. */
static int
pair_works(struct side *a, struct side *b)
{
	struct side *s[2] = { a, b };
	uint64_t ha = a->by_type[SK_HA_MSG_HANDOVER_ACK], hb = b->by_type[SK_HA_MSG_HANDOVER_REQ];

	pump(s, 2, 3000, both_up, s);
	if (!both_up(s))
		return 0;
	if (sk_ha_link_send(a->l, SK_HA_MSG_HANDOVER_REQ, "req", 3, SK_HA_PRIO_CTRL) != 0 ||
	    sk_ha_link_send(b->l, SK_HA_MSG_HANDOVER_ACK, "ack", 3, SK_HA_PRIO_CTRL) != 0)
		return 0;
	for (int i = 0; i < 200; i++) {
		pump(s, 2, 5, NULL, NULL);
		if (a->by_type[SK_HA_MSG_HANDOVER_ACK] > ha && b->by_type[SK_HA_MSG_HANDOVER_REQ] > hb)
			return 1;
	}
	return 0;
}


#endif /* SK_TEST_HALINK_H */
