/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_link_io.c - the HA link's byte work on one connection: the two send
 * queues and the writer that frames from them (CTRL before BULK at every
 * frame boundary, large messages cut into frames), and the reader that
 * checks each frame (header before the body is read, then MAC, unit, boot
 * id, sequence), runs the handshake and reassembles chunked messages.
 * Buffers are sized once per connection: nothing a peer sends can grow them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <openssl/crypto.h>
#include "ha_link_priv.h"

#define ERR(kind) (SK_HA_LINKERR_##kind + 1)

static size_t
frame_full(const struct sk_ha_link *l)
{
	return SK_HA_FRAME_HDR_LEN + (size_t)l->cfg.max_frame + SK_HA_FRAME_MAC_LEN;
}

void
sk_ha_queue_flush(struct sk_ha_link *l, struct sk_ha_queue *q)
{
	struct sk_ha_qmsg *m, *next;

	for (m = q->head; m != NULL; m = next) {
		next = m->next;
		l->st.dropped_down++;
		free(m);
	}
	q->head = q->tail = NULL;
	q->bytes = 0;
	q->count = 0;
}

int
sk_ha_link_send(struct sk_ha_link *l, uint8_t type, const void *payload, size_t len,
		enum sk_ha_prio prio)
{
	struct sk_ha_queue *q;
	struct sk_ha_qmsg *m;

	if (l == NULL || !sk_ha_msg_known(type) || type == SK_HA_MSG_HELLO ||
	    type == SK_HA_MSG_READY || (len > 0 && payload == NULL) ||
	    (prio != SK_HA_PRIO_CTRL && prio != SK_HA_PRIO_BULK))
		return -EINVAL;
	if (l->state != SK_HA_LINK_UP)
		return -ENOTCONN;
	if (len > l->cfg.max_msg)
		return -EMSGSIZE;
	/* More than one frame would hold a heartbeat back: BULK carries it. */
	q = &l->q[len > l->cfg.max_frame ? SK_HA_PRIO_BULK : prio];
	if (q->bytes + len > q->max)
		return -ENOBUFS;
	m = malloc(sizeof(*m) + len);
	if (m == NULL)
		return -ENOBUFS;
	m->next = NULL;
	m->len = len;
	m->off = 0;
	m->type = type;
	if (len > 0)
		memcpy(m->data, payload, len);
	if (q->tail != NULL)
		q->tail->next = m;
	else
		q->head = m;
	q->tail = m;
	q->bytes += len;
	q->count++;
	return 0;
}

/* Encode one frame into c's output buffer (room was checked by the caller). */
static int
put_frame(struct sk_ha_link *l, struct sk_ha_conn *c, struct sk_ha_mac *mac, uint8_t type,
	  uint8_t flags, const void *p, uint32_t len, uint32_t total)
{
	struct sk_ha_frame_hdr h = {
		.magic = SK_HA_FRAME_MAGIC, .version = SK_HA_FRAME_VERSION, .type = type,
		.flags = flags, .unit = (uint8_t)l->cfg.unit, .len = len, .total = total,
		.seq = c->tx_seq + 1, .boot = l->boot,
	};
	size_t n;

	if (c->out_off > 0 && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_off > 0) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	if (c->out_len + SK_HA_FRAME_HDR_LEN + len + SK_HA_FRAME_MAC_LEN > c->out_cap)
		return -ENOBUFS;
	n = sk_ha_frame_encode(mac, &h, p, c->out + c->out_len);
	if (n == 0)
		return -EIO;
	c->out_len += n;
	c->tx_seq++;
	l->st.frames_sent++;
	return 0;
}

int
sk_ha_conn_put_frame(struct sk_ha_link *l, struct sk_ha_conn *c, uint8_t type, const void *p,
		     uint32_t len)
{
	/* HELLO is the only frame under the long-term key */
	return put_frame(l, c, type == SK_HA_MSG_HELLO ? &l->lmac : &c->smac, type,
			 SK_HA_FLAG_FIRST | SK_HA_FLAG_LAST, p, len, len);
}

/* Frame from the queues until about one full frame is buffered: CTRL first,
 * checked again before every BULK frame. */
static int
fill(struct sk_ha_link *l, struct sk_ha_conn *c)
{
	size_t full = frame_full(l);
	struct sk_ha_queue *q;
	struct sk_ha_qmsg *m;
	uint32_t chunk;
	uint8_t flags;
	int rc;

	while (c->out_len - c->out_off < full) {
		q = l->q[SK_HA_PRIO_CTRL].head != NULL ? &l->q[SK_HA_PRIO_CTRL]
						       : &l->q[SK_HA_PRIO_BULK];
		m = q->head;
		if (m == NULL)
			break;
		chunk = (uint32_t)(m->len - m->off < l->cfg.max_frame ? m->len - m->off
								      : l->cfg.max_frame);
		flags = (m->off == 0 ? SK_HA_FLAG_FIRST : 0) |
			(m->off + chunk == m->len ? SK_HA_FLAG_LAST : 0);
		rc = put_frame(l, c, &c->smac, m->type, flags, m->data + m->off, chunk,
			       (uint32_t)m->len);
		if (rc == -ENOBUFS)
			break;
		if (rc != 0)
			return rc;
		m->off += chunk;
		q->bytes -= chunk;
		if (m->off == m->len) {
			q->head = m->next;
			if (q->head == NULL)
				q->tail = NULL;
			q->count--;
			l->st.msgs_sent++;
			free(m);
		}
	}
	return 0;
}

int
sk_ha_conn_pending(const struct sk_ha_link *l, const struct sk_ha_conn *c)
{
	if (c->out_len > c->out_off)
		return 1;
	return l->active >= 0 && &l->conn[l->active] == c &&
	       (l->q[0].head != NULL || l->q[1].head != NULL);
}

int
sk_ha_conn_write(struct sk_ha_link *l, struct sk_ha_conn *c, uint64_t now)
{
	int is_session = l->active >= 0 && &l->conn[l->active] == c;
	ssize_t n;
	int i;

	/* Bounded so one busy link cannot starve the owner's other work. */
	for (i = 0; i < 64; i++) {
		if (is_session && fill(l, c) != 0) {
			snprintf(l->why, sizeof(l->why), "frame encoding failed");
			return ERR(IO);
		}
		if (c->out_off == c->out_len) {
			c->out_off = c->out_len = 0;
			c->stall_since_ms = 0;
			return 0;
		}
		if (c->stall_since_ms == 0)
			c->stall_since_ms = now;
		n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0) {
			snprintf(l->why, sizeof(l->why), "send: %s",
				 n < 0 ? strerror(errno) : "nothing written");
			return ERR(IO);
		}
		c->out_off += (size_t)n;
		l->st.bytes_sent += (uint64_t)n;
		c->stall_since_ms = now;  /* progress */
	}
	return 0;
}

static int
fail(struct sk_ha_link *l, int kind, const char *what)
{
	snprintf(l->why, sizeof(l->why), "%s", what);
	return kind;
}

/* The peer's HELLO (already MAC-checked with the long-term key). */
static int
on_hello(struct sk_ha_link *l, struct sk_ha_conn *c, const struct sk_ha_frame_hdr *h,
	 const uint8_t *p)
{
	const uint8_t *n1, *n2;
	uint8_t skey[SK_HA_KEY_LEN];
	int rc;

	if (sk_ha_hello_get(p, h->len, &c->peer) != 0)
		return fail(l, ERR(MALFORMED), "malformed hello");
	if (c->peer.unit != h->unit || (h->unit != 1 && h->unit != 2))
		return fail(l, ERR(MALFORMED), "hello: bad unit id");
	/* A hello could be a recorded one: a difference is reported only once
	 * READY has proved the peer is live (sk_ha_conn_read), so an old
	 * hello replayed cannot put the owner into FAULT. */
	c->mismatch = sk_ha_hello_compare(&l->ours, &c->peer, c->mismatch_why,
					  sizeof(c->mismatch_why)) != 0;
	c->peer_boot = h->boot;
	/* dialer's nonce first: both ends agree even if both claim one id */
	n1 = c->dialed ? c->nonce : c->peer.nonce;
	n2 = c->dialed ? c->peer.nonce : c->nonce;
	rc = sk_ha_session_key(l->cfg.key, n1, n2, skey);
	if (rc == 0)
		rc = sk_ha_mac_init(&c->smac, skey);
	OPENSSL_cleanse(skey, sizeof(skey));
	if (rc != 0)
		return fail(l, ERR(IO), "session key");
	c->session_keyed = 1;
	c->st = SK_HA_CONN_READY;
	if (sk_ha_conn_put_frame(l, c, SK_HA_MSG_READY, NULL, 0) != 0)
		return fail(l, ERR(IO), "ready frame");
	return 0;
}

/* A frame of an authenticated session: whole, or a chunk to reassemble. */
static int
deliver(struct sk_ha_link *l, struct sk_ha_conn *c, const struct sk_ha_frame_hdr *h,
	const uint8_t *p)
{
	uint8_t f = h->flags;

	/* Whole messages (CTRL) may sit between the chunks of a BULK one. */
	if (f == (SK_HA_FLAG_FIRST | SK_HA_FLAG_LAST)) {
		l->st.msgs_recv++;
		l->cfg.on_msg(l->cfg.ctx, h->type, p, h->len);
		return 0;
	}
	if (f & SK_HA_FLAG_FIRST) {
		if (c->rs != NULL)
			return fail(l, ERR(MALFORMED), "chunked message inside another");
		/* total <= max_msg was checked with the header; the MAC says the
		 * peer holds the key, so this allocation is its word, bounded. */
		c->rs = malloc(h->total);
		if (c->rs == NULL)
			return fail(l, ERR(IO), "out of memory for a chunked message");
		c->rs_total = h->total;
		c->rs_type = h->type;
		c->rs_len = 0;
	} else if (c->rs == NULL || h->type != c->rs_type || h->total != c->rs_total) {
		return fail(l, ERR(MALFORMED), "chunk of no message in progress");
	}
	if (c->rs_len + h->len > c->rs_total ||
	    ((f & SK_HA_FLAG_LAST) != 0) != (c->rs_len + h->len == c->rs_total))
		return fail(l, ERR(MALFORMED), "chunks do not add up to the total");
	memcpy(c->rs + c->rs_len, p, h->len);
	c->rs_len += h->len;
	if (f & SK_HA_FLAG_LAST) {
		uint8_t *buf = c->rs;

		c->rs = NULL;
		l->st.msgs_recv++;
		l->cfg.on_msg(l->cfg.ctx, h->type, buf, c->rs_total);
		free(buf);
	}
	return 0;
}

/* Handle every whole frame in c->in.  Stops right after READY so the owner
 * hears UP before the session's first message. */
static int
process(struct sk_ha_link *l, struct sk_ha_conn *c, uint64_t now)
{
	struct sk_ha_frame_hdr h;
	size_t pos = 0, flen;
	int rc = 0;

	while (c->in_len - pos >= SK_HA_FRAME_HDR_LEN) {
		const uint8_t *f = c->in + pos;

		sk_ha_frame_hdr_get(f, &h);
		rc = sk_ha_frame_hdr_check(&h, l->cfg.max_frame, l->cfg.max_msg);
		if (rc != 0) {
			snprintf(l->why, sizeof(l->why),
				 "frame header refused (magic %08x version %u type %u len %u)",
				 h.magic, h.version, h.type, h.len);
			return rc;
		}
		flen = SK_HA_FRAME_HDR_LEN + (size_t)h.len + SK_HA_FRAME_MAC_LEN;
		if (c->in_len - pos < flen)
			break;
		if (c->st == SK_HA_CONN_HELLO) {
			if (h.type != SK_HA_MSG_HELLO)
				return fail(l, ERR(MALFORMED), "first frame is not a hello");
			if (!sk_ha_frame_verify(&l->lmac, f, h.len))
				return fail(l, ERR(BAD_MAC), "hello: MAC does not verify");
		} else {
			if (h.type == SK_HA_MSG_HELLO)
				return fail(l, ERR(MALFORMED), "second hello");
			if (!sk_ha_frame_verify(&c->smac, f, h.len))
				return fail(l, ERR(BAD_MAC), "MAC does not verify");
			if (h.boot != c->peer_boot)
				return fail(l, ERR(MALFORMED), "boot id changed within a session");
		}
		if (h.type != SK_HA_MSG_HELLO && h.unit != c->peer.unit)
			return fail(l, ERR(MALFORMED), "frame from another unit than its hello's");
		if (h.seq <= c->rx_seq)
			return fail(l, ERR(REPLAY), "sequence number not newer (replay)");
		c->rx_seq = h.seq;
		c->last_rx_ms = now;
		l->st.frames_recv++;
		pos += flen;
		if (h.type == SK_HA_MSG_HELLO) {
			rc = on_hello(l, c, &h, f + SK_HA_FRAME_HDR_LEN);
		} else if (c->st == SK_HA_CONN_READY) {
			if (h.type != SK_HA_MSG_READY)
				rc = fail(l, ERR(MALFORMED), "message before ready");
			else if (c->mismatch)
				rc = fail(l, ERR(MISMATCH), c->mismatch_why);
			else
				rc = SK_HA_CONN_UP_EVENT;
		} else if (h.type == SK_HA_MSG_READY) {
			rc = fail(l, ERR(MALFORMED), "second ready");
		} else {
			rc = deliver(l, c, &h, f + SK_HA_FRAME_HDR_LEN);
		}
		if (rc != 0)
			break;
	}
	if (pos > 0) {
		memmove(c->in, c->in + pos, c->in_len - pos);
		c->in_len -= pos;
	}
	return rc;
}

int
sk_ha_conn_read(struct sk_ha_link *l, struct sk_ha_conn *c, uint64_t now)
{
	ssize_t n;
	int rc, i;

	for (i = 0; i < 64; i++) {
		rc = process(l, c, now);
		if (rc != 0)
			return rc;
		/* in_cap holds two whole frames: after process() a partial one
		 * always has room to complete. */
		n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0) {
			snprintf(l->why, sizeof(l->why), "%s",
				 n == 0 ? "closed by the peer" : strerror(errno));
			return ERR(IO);
		}
		c->in_len += (size_t)n;
		l->st.bytes_recv += (uint64_t)n;
	}
	return process(l, c, now);
}
