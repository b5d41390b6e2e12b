/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_halink.c - libFuzzer target "halink": a peer's byte stream through
 * the HA link's reader (sk_ha_conn_read in control/ha/ha_link_io.c): frame
 * header checks, MACs with the long-term and the session key, the HELLO
 * and READY handshake, sequence and boot-id checks, and the reassembly of
 * messages cut into frames, up to the owner's on_msg callback.
 *
 * The harness plays the peer that holds the PSK (the strongest attacker
 * the link faces: a MAC only keeps out those without it), so it signs what
 * the fuzzer writes: input records of
 *   [how u8][type u8][flags u8][unit u8][total u16][seq+ u8][len u16][payload]
 * become one frame each, signed with the long-term key while the handshake
 * waits for a HELLO and with the session key after it (derived from the
 * HELLO's nonce as the peer would), seq = previous + seq+ (0 replays).
 * how bit 0 sends the record's bytes unsigned and unframed instead (garbage
 * on the wire), bit 1 flips a bit of the MAC, bit 2 gives the record a boot
 * id other than the HELLO's.  The connection is the accepted end of a
 * socketpair with nothing behind it: the reader sees exactly these bytes.
 */
#include "fuzz_common.h"
#include <sys/socket.h>

#include "ha/ha_link_priv.h"

#define MAX_FRAME 1024u
#define MAX_MSG (64u << 10)
#define MAX_RECORDS 64

static struct sk_ha_link hl;
static uint8_t key[SK_HA_KEY_LEN];
static uint64_t got_bytes;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The owner's callback: reads every byte it is given (ASan checks them). */
static void
on_msg(void *ctx, uint8_t type, const void *payload, size_t len)
{
	const uint8_t *p = payload;
	uint64_t sum = type;
	size_t i;

	(void)ctx;
	FUZZ_ASSERT(type != SK_HA_MSG_HELLO && type != SK_HA_MSG_READY,
		    "handshake message %u delivered", type);
	FUZZ_ASSERT(len <= MAX_MSG, "a %zu-byte message beyond max_msg", len);
	for (i = 0; i < len; i++)
		sum += p[i];
	got_bytes += sum;
}

static void
on_state(void *ctx, enum sk_ha_link_state st, const char *reason)
{
	(void)ctx;
	(void)st;
	(void)reason;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char psk[] = "fuzz pre-shared key";

	(void)argc;
	(void)argv;
	if (sk_ha_link_key_derive(psk, sizeof(psk) - 1, key) != 0)
		abort();
	memcpy(hl.cfg.key, key, sizeof(key));
	hl.cfg.unit = 1;
	hl.cfg.dead_ms = 1000;
	hl.cfg.max_frame = MAX_FRAME;
	hl.cfg.max_msg = MAX_MSG;
	hl.cfg.on_msg = on_msg;
	hl.cfg.on_state = on_state;
	snprintf(hl.cfg.hello.version, sizeof(hl.cfg.hello.version), "0.1.0");
	snprintf(hl.cfg.hello.cluster, sizeof(hl.cfg.hello.cluster), "fuzz-pair");
	hl.cfg.hello.workers = 2;
	hl.cfg.hello.snat_layout = 1;
	hl.peer_unit = 2;
	hl.ours.unit = 1;
	hl.ours.max_frame = MAX_FRAME;
	hl.ours.hello = hl.cfg.hello;
	if (sk_ha_mac_init(&hl.lmac, key) != 0)
		abort();
	return 0;
}

/* An accepted connection in the HELLO state, as conn_open leaves it. */
static struct sk_ha_conn *
conn_new(int fd)
{
	struct sk_ha_conn *c = &hl.conn[0];
	size_t full = SK_HA_FRAME_HDR_LEN + MAX_FRAME + SK_HA_FRAME_MAC_LEN;

	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->in_cap = c->out_cap = 2 * full;
	c->in = malloc(c->in_cap);
	c->out = malloc(c->out_cap);
	if (c->in == NULL || c->out == NULL)
		abort();
	memset(c->nonce, 0x5a, sizeof(c->nonce));
	c->st = SK_HA_CONN_HELLO;
	hl.active = -1;
	return c;
}

static void
conn_free(struct sk_ha_conn *c)
{
	free(c->in);
	free(c->out);
	free(c->rs);
	sk_ha_mac_free(&c->smac);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Hand bytes to the reader the way recv() would, as far as its buffer
 * takes them.  0 while the connection lives, else the reader's verdict. */
static int
feed(struct sk_ha_conn *c, const uint8_t *p, size_t n)
{
	int rc = 0;

	while (rc == 0) {
		size_t room = c->in_cap - c->in_len, k = n < room ? n : room;

		FUZZ_ASSERT(room > 0 || n == 0, "reader buffer full with %zu bytes", c->in_len);
		memcpy(c->in + c->in_len, p, k);
		c->in_len += k;
		p += k;
		n -= k;
		rc = sk_ha_conn_read(&hl, c, 1000);
		if (rc == SK_HA_CONN_UP_EVENT) {
			/* The reader stops right after READY: the owner takes
			 * the session up, then the frames behind it are read. */
			sk_ha_conn_became_up(&hl, c, 1000);
			rc = 0;
			continue;
		}
		if (n == 0)
			break;
	}
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[SK_HA_FRAME_HDR_LEN + MAX_FRAME + SK_HA_FRAME_MAC_LEN];
	struct fuzz_in in = { data, size, 0 };
	struct sk_ha_mac smac = { 0 };
	uint64_t seq = 0, boot = 0x1234;
	int sv[2], rc = 0, keyed = 0;
	struct sk_ha_conn *c;
	unsigned int rec;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0)
		abort();
	c = conn_new(sv[0]);
	for (rec = 0; rec < MAX_RECORDS && rc == 0 && fuzz_left(&in) > 0; rec++) {
		struct sk_ha_frame_hdr h;
		uint8_t how = fuzz_u8(&in);
		size_t n, len;
		const uint8_t *payload;

		memset(&h, 0, sizeof(h));
		h.magic = SK_HA_FRAME_MAGIC;
		h.version = SK_HA_FRAME_VERSION;
		h.type = fuzz_u8(&in);
		h.flags = fuzz_u8(&in);
		h.unit = fuzz_u8(&in);
		h.total = fuzz_u16(&in);
		seq += fuzz_u8(&in);
		h.seq = seq;
		h.boot = (how & 4) ? boot + 1 : boot;
		payload = fuzz_bytes(&in, RTE_MIN(fuzz_u16(&in), MAX_FRAME), &n);
		if (how & 1) {
			if (n != 0)
				rc = feed(c, payload, n);
			continue;
		}
		h.len = (uint32_t)n;
		len = sk_ha_frame_encode(keyed ? &smac : &hl.lmac, &h, payload, frame);
		FUZZ_ASSERT(len != 0, "could not sign a frame");
		if (how & 2)
			frame[len - 1] ^= 0x80;
		/* The session key follows the first HELLO the reader accepts:
		 * ours is its nonce (accepted end: the peer dialed, its nonce first). */
		if (!keyed && h.type == SK_HA_MSG_HELLO && n == SK_HA_HELLO_LEN) {
			uint8_t skey[SK_HA_KEY_LEN];

			if (sk_ha_session_key(key, payload + 16, c->nonce, skey) != 0 ||
			    sk_ha_mac_init(&smac, skey) != 0)
				abort();
			keyed = 1;
		}
		rc = feed(c, frame, len);
	}
	if (rc == 0)
		FUZZ_ASSERT(c->in_len < c->in_cap, "reader stopped with a full buffer");
	conn_free(c);
	hl.active = -1;
	close(sv[0]);
	close(sv[1]);
	if (keyed)
		sk_ha_mac_free(&smac);
	return 0;
}
