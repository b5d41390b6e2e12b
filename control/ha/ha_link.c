/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_link.c - the HA link's sockets and sessions: listen and dial, refuse
 * strangers, run the handshake timers, pick the one connection that
 * survives, back off, and tell the owner UP/DOWN/MISMATCH.  The byte work
 * (framing, queues, checks) is in ha_link_io.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include "ha_link_priv.h"

/* The higher unit dials a little later, so at a cold start the lower one's
 * connection (the one that survives) usually comes up alone. */
#define SK_HA_HIGH_DIAL_DELAY 250

static size_t
frame_full(const struct sk_ha_link *l)
{
	return SK_HA_FRAME_HDR_LEN + (size_t)l->cfg.max_frame + SK_HA_FRAME_MAC_LEN;
}

static void
set_state(struct sk_ha_link *l, enum sk_ha_link_state st, const char *reason)
{
	char why[sizeof(l->why)];

	l->state = st;
	sk_ha_why_copy(why, sizeof(why), reason);
	l->cfg.on_state(l->cfg.ctx, st, why);
}

static void
conn_close(struct sk_ha_link *l, struct sk_ha_conn *c, int kind, uint64_t now,
	   const char *reason)
{
	int was_active = l->active >= 0 && &l->conn[l->active] == c;
	int failed_dial = c->dialed && c->st != SK_HA_CONN_UP;
	char why[sizeof(l->why)];

	sk_ha_why_copy(why, sizeof(why), reason);
	if (kind >= 0 && kind < SK_HA_LINKERR__MAX) {
		l->st.errors[kind]++;
		l->st.last_error_kind = (uint32_t)kind;
		sk_ha_why_copy(l->st.last_error, sizeof(l->st.last_error), why);
	}
	if (c->fd >= 0)
		close(c->fd);
	free(c->in);
	free(c->out);
	free(c->rs);
	if (c->session_keyed)
		sk_ha_mac_free(&c->smac);
	OPENSSL_cleanse(c->nonce, sizeof(c->nonce));
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (failed_dial) {
		if (l->next_dial_ms < now + l->backoff_ms)
			l->next_dial_ms = now + l->backoff_ms;
		l->backoff_ms = l->backoff_ms * 2 > SK_HA_BACKOFF_MAX ? SK_HA_BACKOFF_MAX
								       : l->backoff_ms * 2;
	}
	if (was_active) {
		l->active = -1;
		sk_ha_queue_flush(l, &l->q[SK_HA_PRIO_CTRL]);
		sk_ha_queue_flush(l, &l->q[SK_HA_PRIO_BULK]);
		l->backoff_ms = SK_HA_BACKOFF_MIN;
		l->next_dial_ms = now + (l->cfg.unit == 2 ? SK_HA_HIGH_DIAL_DELAY : 0);
		set_state(l, SK_HA_LINK_DOWN, why);
	}
}

void
sk_ha_conn_mismatch(struct sk_ha_link *l, struct sk_ha_conn *c, uint64_t now)
{
	char reason[sizeof(l->why)];

	memcpy(reason, "hello mismatch: ", 17);
	sk_ha_why_copy(reason + 16, sizeof(reason) - 16, l->why);
	/* Our READY may still be buffered: let the peer see the mismatch too
	 * (one try, never blocking). */
	if (c->out_len > c->out_off)
		(void)!send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
	conn_close(l, c, SK_HA_LINKERR_MISMATCH, now, reason);
	/* Not a tight reconnect loop: the owner goes to FAULT, we retry slowly. */
	l->backoff_ms = SK_HA_BACKOFF_MAX;
	l->next_dial_ms = now + SK_HA_BACKOFF_MAX;
	if (l->active < 0 && l->state != SK_HA_LINK_MISMATCH)
		set_state(l, SK_HA_LINK_MISMATCH, reason);
}

static unsigned int
dialer(const struct sk_ha_link *l, const struct sk_ha_conn *c)
{
	return c->dialed ? l->cfg.unit : l->peer_unit;
}

void
sk_ha_conn_became_up(struct sk_ha_link *l, struct sk_ha_conn *c, uint64_t now)
{
	struct sk_ha_conn *a = l->active >= 0 ? &l->conn[l->active] : NULL;
	char reason[sizeof(l->why)];
	int c_wins;

	c->st = SK_HA_CONN_UP;
	c->up_ms = now;
	l->have_peer = 1;
	l->peer.unit = c->peer.unit;
	l->peer.boot_id = c->peer_boot;
	l->peer.hello = c->peer.hello;
	if (a != NULL) {
		/* One connection survives.  A peer that restarted (new boot id)
		 * or an old connection gone silent loses to the new one; else
		 * the one dialed by the lower unit id; else the newer. */
		if (a->peer_boot != c->peer_boot || now - a->last_rx_ms > l->cfg.dead_ms)
			c_wins = 1;
		else if (dialer(l, a) != dialer(l, c))
			c_wins = dialer(l, c) < dialer(l, a);
		else
			c_wins = 1;
		l->st.replaced++;
		if (!c_wins) {
			conn_close(l, c, -1, now, "replaced");
			return;
		}
		l->active = (int)(c - l->conn);
		conn_close(l, a, -1, now, "replaced");
		snprintf(reason, sizeof(reason), "session replaced (dialed by unit %u)",
			 dialer(l, c));
	} else {
		l->active = (int)(c - l->conn);
		snprintf(reason, sizeof(reason), "session up (dialed by unit %u)", dialer(l, c));
	}
	l->st.connects++;
	l->backoff_ms = SK_HA_BACKOFF_MIN;
	set_state(l, SK_HA_LINK_UP, reason);
}

static void
sock_opts(const struct sk_ha_link *l, int fd)
{
	int one = 1, lowat = (int)(2 * frame_full(l));

	/* Heartbeats are small and must not wait for Nagle. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* Keep the kernel's unsent backlog to about two frames: our CTRL-first
	 * order means nothing if megabytes of bulk already sit in the socket
	 * ahead of a heartbeat.  send() says EAGAIN beyond it; throughput
	 * is kept since bytes in flight do not count. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof(lowat));
}

static struct sk_ha_conn *
conn_open(struct sk_ha_link *l, int fd, int dialed, uint64_t now)
{
	struct sk_ha_conn *c = NULL;
	uint8_t hello[SK_HA_HELLO_LEN];
	int i;

	for (i = 0; i < SK_HA_CONN_MAX; i++) {
		if (l->conn[i].st == SK_HA_CONN_FREE) {
			c = &l->conn[i];
			break;
		}
	}
	if (c == NULL)
		return NULL;
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->dialed = (uint8_t)dialed;
	c->born_ms = c->last_rx_ms = now;
	c->in_cap = c->out_cap = 2 * frame_full(l);
	c->in = malloc(c->in_cap);
	c->out = malloc(c->out_cap);
	if (c->in == NULL || c->out == NULL || RAND_bytes(c->nonce, sizeof(c->nonce)) != 1) {
		free(c->in);
		free(c->out);
		memset(c, 0, sizeof(*c));
		c->fd = -1;
		return NULL;
	}
	c->st = dialed ? SK_HA_CONN_CONNECTING : SK_HA_CONN_HELLO;
	memcpy(l->ours.nonce, c->nonce, sizeof(c->nonce));
	sk_ha_hello_put(&l->ours, hello);
	/* Buffered now; a dial sends it once connected. */
	if (sk_ha_conn_put_frame(l, c, SK_HA_MSG_HELLO, hello, sizeof(hello)) != 0) {
		conn_close(l, c, SK_HA_LINKERR_IO, now, "hello frame");
		return NULL;
	}
	sock_opts(l, fd);
	return c;
}

/* Same IP as the peer's HA address (the port is the peer's ephemeral one). */
static int
from_peer(const struct sk_ha_link *l, const struct sockaddr_storage *ss)
{
	const struct sockaddr_storage *p = &l->cfg.peer;

	if (ss->ss_family != p->ss_family)
		return 0;
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)p)->sin_addr.s_addr;
	if (ss->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)ss)->sin6_addr,
			      &((const struct sockaddr_in6 *)p)->sin6_addr,
			      sizeof(struct in6_addr)) == 0;
	return 0;
}

static void
do_accept(struct sk_ha_link *l, uint64_t now)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int i, fd;

	for (i = 0; i < 8; i++) {
		sl = sizeof(ss);
		fd = accept4(l->lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (!from_peer(l, &ss) || conn_open(l, fd, 0, now) == NULL) {
			/* a stranger, or more handshakes at once than a pair needs */
			l->st.errors[SK_HA_LINKERR_REFUSED]++;
			l->st.last_error_kind = SK_HA_LINKERR_REFUSED;
			snprintf(l->st.last_error, sizeof(l->st.last_error), "%s",
				 from_peer(l, &ss) ? "too many connections at once"
						   : "a connection from another address than the peer's");
			close(fd);
			continue;
		}
		l->st.accepts++;
	}
}

static int
dialing(const struct sk_ha_link *l)
{
	int i;

	for (i = 0; i < SK_HA_CONN_MAX; i++)
		if (l->conn[i].st != SK_HA_CONN_FREE && l->conn[i].dialed &&
		    l->conn[i].st != SK_HA_CONN_UP)
			return 1;
	return 0;
}

static void
do_dial(struct sk_ha_link *l, uint64_t now)
{
	struct sockaddr_storage src = l->cfg.local;
	struct sk_ha_conn *c;
	int fd;

	l->st.dials++;
	fd = socket(l->cfg.peer.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto failed;
	/* From our HA address: the peer accepts nothing else. */
	if (src.ss_family == AF_INET)
		((struct sockaddr_in *)&src)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&src)->sin6_port = 0;
	if (bind(fd, (struct sockaddr *)&src, l->cfg.local_len) != 0)
		goto failed;
	if (connect(fd, (struct sockaddr *)&l->cfg.peer, l->cfg.peer_len) != 0 &&
	    errno != EINPROGRESS)
		goto failed;
	c = conn_open(l, fd, 1, now);
	if (c != NULL)
		return;
failed:
	if (fd >= 0)
		close(fd);
	l->st.errors[SK_HA_LINKERR_REFUSED]++;
	l->next_dial_ms = now + l->backoff_ms;
	l->backoff_ms = l->backoff_ms * 2 > SK_HA_BACKOFF_MAX ? SK_HA_BACKOFF_MAX
							       : l->backoff_ms * 2;
}

int
sk_ha_link_fds(const struct sk_ha_link *l, struct pollfd *fds, int max)
{
	int i, n = 0;

	if (n < max && l->lfd >= 0)
		fds[n++] = (struct pollfd){ .fd = l->lfd, .events = POLLIN };
	for (i = 0; i < SK_HA_CONN_MAX && n < max; i++) {
		const struct sk_ha_conn *c = &l->conn[i];

		if (c->st == SK_HA_CONN_FREE)
			continue;
		fds[n].fd = c->fd;
		fds[n].revents = 0;
		if (c->st == SK_HA_CONN_CONNECTING)
			fds[n].events = POLLOUT;
		else
			fds[n].events = POLLIN | (sk_ha_conn_pending(l, c) ? POLLOUT : 0);
		n++;
	}
	return n;
}

static void
deadline(uint64_t *next, uint64_t t)
{
	if (t < *next)
		*next = t;
}

int
sk_ha_link_timeout_ms(const struct sk_ha_link *l, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	int i;

	if (l->active < 0 && !dialing(l))
		deadline(&next, l->next_dial_ms);
	for (i = 0; i < SK_HA_CONN_MAX; i++) {
		const struct sk_ha_conn *c = &l->conn[i];

		if (c->st == SK_HA_CONN_FREE)
			continue;
		if (c->st != SK_HA_CONN_UP) {
			deadline(&next, c->born_ms + l->hs_ms);
			continue;
		}
		deadline(&next, c->last_rx_ms + l->idle_ms);
		if (c->stall_since_ms != 0)
			deadline(&next, c->stall_since_ms + l->cfg.stall_ms);
	}
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (next - now > 60000 ? 60000 : (int)(next - now));
}

static void
handle_read(struct sk_ha_link *l, struct sk_ha_conn *c, uint64_t now)
{
	int rc;

	for (;;) {
		rc = sk_ha_conn_read(l, c, now);
		if (rc == SK_HA_CONN_UP_EVENT) {
			sk_ha_conn_became_up(l, c, now);
			if (c->st != SK_HA_CONN_UP)
				return;  /* it lost to the session in use */
			continue;        /* frames behind READY */
		}
		if (rc == SK_HA_LINKERR_MISMATCH + 1)
			sk_ha_conn_mismatch(l, c, now);
		else if (rc > 0)
			conn_close(l, c, rc - 1, now, l->why);
		return;
	}
}

static void
handle_write(struct sk_ha_link *l, struct sk_ha_conn *c, uint64_t now)
{
	int rc = sk_ha_conn_write(l, c, now);

	if (rc > 0)
		conn_close(l, c, rc - 1, now, l->why);
}

static void
timers(struct sk_ha_link *l, uint64_t now)
{
	int i;

	for (i = 0; i < SK_HA_CONN_MAX; i++) {
		struct sk_ha_conn *c = &l->conn[i];

		if (c->st == SK_HA_CONN_FREE)
			continue;
		if (c->st != SK_HA_CONN_UP) {
			if (now - c->born_ms >= l->hs_ms)
				conn_close(l, c, c->st == SK_HA_CONN_CONNECTING
					   ? SK_HA_LINKERR_REFUSED : SK_HA_LINKERR_TIMEOUT,
					   now, "handshake timed out");
		} else if (c->stall_since_ms != 0 && now - c->stall_since_ms >= l->cfg.stall_ms) {
			conn_close(l, c, SK_HA_LINKERR_TIMEOUT, now,
				   "the peer does not read (nothing written for the stall limit)");
		} else if (now - c->last_rx_ms >= l->idle_ms) {
			conn_close(l, c, SK_HA_LINKERR_TIMEOUT, now, "the peer is silent");
		}
	}
	if (l->active < 0 && !dialing(l) && now >= l->next_dial_ms)
		do_dial(l, now);
}

void
sk_ha_link_service(struct sk_ha_link *l, uint64_t now, const struct pollfd *fds, int n)
{
	int i, j;

	if (!l->next_dial_ms)
		l->next_dial_ms = now + (l->cfg.unit == 2 ? SK_HA_HIGH_DIAL_DELAY : 0);
	for (i = 0; i < n; i++) {
		struct sk_ha_conn *c = NULL;
		short re = fds[i].revents;

		if (re == 0)
			continue;
		if (fds[i].fd == l->lfd) {
			do_accept(l, now);
			continue;
		}
		for (j = 0; j < SK_HA_CONN_MAX; j++)
			if (l->conn[j].st != SK_HA_CONN_FREE && l->conn[j].fd == fds[i].fd)
				c = &l->conn[j];
		if (c == NULL)
			continue;  /* closed earlier in this call */
		if (c->st == SK_HA_CONN_CONNECTING) {
			int e = 0;
			socklen_t el = sizeof(e);

			if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0 || e != 0) {
				snprintf(l->why, sizeof(l->why), "connect: %s",
					 strerror(e ? e : errno));
				conn_close(l, c, SK_HA_LINKERR_REFUSED, now, l->why);
				continue;
			}
			if (!(re & POLLOUT))
				continue;
			c->st = SK_HA_CONN_HELLO;
			handle_write(l, c, now);
			continue;
		}
		if (re & (POLLIN | POLLHUP | POLLERR))
			handle_read(l, c, now);
		if ((re & POLLOUT) && c->st != SK_HA_CONN_FREE && c->fd == fds[i].fd)
			handle_write(l, c, now);
	}
	/* What the callbacks queued goes out now, not after the next poll. */
	for (j = 0; j < SK_HA_CONN_MAX; j++)
		if (l->conn[j].st >= SK_HA_CONN_HELLO && sk_ha_conn_pending(l, &l->conn[j]))
			handle_write(l, &l->conn[j], now);
	timers(l, now);
}

