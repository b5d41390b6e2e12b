/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_ha.c - libFuzzer target "ha": what a peer unit (or anyone who can
 * reach the HA link or a data port) sends, through the HA wire decoders:
 * the link's frame header and its checks, the frame MAC, the HELLO payload
 * (control/ha/ha_frame.c), and the dataplane heartbeat
 * (dataplane/ha/ha_hb.c).
 *
 * A decoder behind a MAC only sees bytes that carry a valid MAC, so half of
 * the modes sign what the fuzzer wrote with the key the decoder uses (a
 * peer that holds the PSK is the attacker there) and then check that the
 * decoder gives back what was encoded.  Input: byte 0 picks the mode:
 *   0  raw link frame: header get + check, MAC verify, HELLO decode + compare
 *   1  signed link frame: header fields and payload from the input, encoded
 *      and signed; must verify and decode to the same header
 *   2  raw dataplane heartbeat (any length)
 *   3  signed heartbeat: fields from the input, encoded and signed; must
 *      verify once (or be refused as malformed), then be refused as a replay
 */
#include "fuzz_common.h"

#include "ha/ha_frame.h"
#include "ha/ha_hb.h"

#define MAX_FRAME 4096u

static struct sk_ha_mac lmac;
static uint8_t hb_key[SK_HA_HB_KEY_LEN];
static struct sk_ha_hello_msg ours;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char psk[] = "fuzz pre-shared key";
	uint8_t key[SK_HA_KEY_LEN];

	(void)argc;
	(void)argv;
	if (sk_ha_link_key_derive(psk, sizeof(psk) - 1, key) != 0 || sk_ha_mac_init(&lmac, key) != 0 ||
	    sk_ha_hb_key((const uint8_t *)psk, sizeof(psk) - 1, hb_key) != 0)
		abort();
	ours.unit = 1;
	ours.max_frame = MAX_FRAME;
	ours.hello.workers = 2;
	ours.hello.snat_layout = 1;
	snprintf(ours.hello.version, sizeof(ours.hello.version), "0.1.0");
	snprintf(ours.hello.cluster, sizeof(ours.hello.cluster), "fuzz-pair");
	return 0;
}

static void
hello(const uint8_t *p, size_t len)
{
	struct sk_ha_hello_msg peer;
	uint8_t again[SK_HA_HELLO_LEN];
	char why[160];

	if (sk_ha_hello_get(p, len, &peer) != 0)
		return;
	FUZZ_ASSERT(memchr(peer.hello.version, 0, sizeof(peer.hello.version)) != NULL &&
		    memchr(peer.hello.cluster, 0, sizeof(peer.hello.cluster)) != NULL,
		    "a decoded hello has an unterminated string");
	(void)sk_ha_hello_compare(&ours, &peer, why, sizeof(why));
	sk_ha_hello_put(&peer, again);
	FUZZ_ASSERT(sk_ha_hello_get(again, sizeof(again), &peer) == 0, "re-encoded hello refused");
}

static void
raw_frame(const uint8_t *p, size_t len)
{
	struct sk_ha_frame_hdr h;

	if (len < SK_HA_FRAME_HDR_LEN)
		return;
	sk_ha_frame_hdr_get(p, &h);
	if (sk_ha_frame_hdr_check(&h, MAX_FRAME, 1u << 20) != 0)
		return;
	if (len < SK_HA_FRAME_HDR_LEN + (size_t)h.len + SK_HA_FRAME_MAC_LEN)
		return;
	if (sk_ha_frame_verify(&lmac, p, h.len) && h.type == SK_HA_MSG_HELLO)
		hello(p + SK_HA_FRAME_HDR_LEN, h.len);
}

static void
signed_frame(struct fuzz_in *in)
{
	static uint8_t out[SK_HA_FRAME_HDR_LEN + MAX_FRAME + SK_HA_FRAME_MAC_LEN];
	struct sk_ha_frame_hdr h, back;
	const uint8_t *payload;
	size_t n, wrote;

	memset(&h, 0, sizeof(h));
	h.magic = SK_HA_FRAME_MAGIC;
	h.version = SK_HA_FRAME_VERSION;
	h.type = fuzz_u8(in);
	h.flags = fuzz_u8(in);
	h.unit = fuzz_u8(in);
	h.total = fuzz_u32(in);
	h.seq = (uint64_t)fuzz_u32(in) << 32 | fuzz_u32(in);
	h.boot = (uint64_t)fuzz_u32(in) << 32 | fuzz_u32(in);
	payload = fuzz_bytes(in, MAX_FRAME, &n);
	h.len = (uint32_t)n;
	wrote = sk_ha_frame_encode(&lmac, &h, payload, out);
	FUZZ_ASSERT(wrote == SK_HA_FRAME_HDR_LEN + n + SK_HA_FRAME_MAC_LEN, "encoded %zu bytes", wrote);
	FUZZ_ASSERT(sk_ha_frame_verify(&lmac, out, h.len) == 1, "a signed frame does not verify");
	sk_ha_frame_hdr_get(out, &back);
	FUZZ_ASSERT(memcmp(&h, &back, sizeof(h)) == 0, "header does not decode as encoded");
	if (sk_ha_frame_hdr_check(&back, MAX_FRAME, 1u << 20) == 0 && back.type == SK_HA_MSG_HELLO)
		hello(out + SK_HA_FRAME_HDR_LEN, back.len);
	/* One flipped bit anywhere must break the MAC. */
	if (n != 0) {
		out[SK_HA_FRAME_HDR_LEN + (h.seq % n)] ^= 1;
		FUZZ_ASSERT(sk_ha_frame_verify(&lmac, out, h.len) == 0, "a changed payload verifies");
	}
}

static void
signed_hb(struct fuzz_in *in)
{
	struct sk_ha_hb_fields f, got;
	struct sk_ha_hb_last last = { 0 };
	struct sk_ha_dphb hb;
	enum sk_ha_hb_result r;
	size_t n;
	const uint8_t *c;

	memset(&f, 0, sizeof(f));
	f.unit = fuzz_u8(in);
	f.role = fuzz_u8(in);
	c = fuzz_bytes(in, sizeof(f.cluster) - 1, &n);
	memcpy(f.cluster, c, n);
	f.boot = (uint64_t)fuzz_u32(in) << 32 | fuzz_u32(in);
	f.seq = (uint64_t)fuzz_u32(in) << 32 | fuzz_u32(in);
	f.term = fuzz_u32(in);
	f.generation = fuzz_u32(in);
	f.interval_ms = fuzz_u32(in);
	last.valid = fuzz_u8(in) & 1;
	last.boot = f.boot - (fuzz_u8(in) & 1);
	last.seq = f.seq - 1;
	if (last.boot > f.boot || (last.boot == f.boot && f.seq == 0))
		last.valid = 0; /* wrapped: no older (boot, seq) exists */
	if (sk_ha_hb_encode(hb_key, &f, &hb) != 0)
		abort();
	r = sk_ha_hb_verify(hb_key, &hb, sizeof(hb), f.cluster, f.unit, &last, &got);
	if (r == SK_HA_HB_MALFORMED)
		return;
	FUZZ_ASSERT(r == SK_HA_HB_OK, "a signed, fresh heartbeat refused: %d", (int)r);
	FUZZ_ASSERT(got.unit == f.unit && got.role == f.role && got.boot == f.boot &&
		    got.seq == f.seq && got.term == f.term && got.generation == f.generation &&
		    got.interval_ms == f.interval_ms && strcmp(got.cluster, f.cluster) == 0,
		    "heartbeat fields do not decode as encoded");
	r = sk_ha_hb_verify(hb_key, &hb, sizeof(hb), f.cluster, f.unit, &last, &got);
	FUZZ_ASSERT(r == SK_HA_HB_REPLAY, "the same heartbeat accepted twice: %d", (int)r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size, 0 };
	struct sk_ha_hb_last last = { 0 };
	struct sk_ha_hb_fields f;

	switch (fuzz_u8(&in) & 3) {
	case 0:
		raw_frame(data + in.off, fuzz_left(&in));
		hello(data + in.off, fuzz_left(&in));
		break;
	case 1:
		signed_frame(&in);
		break;
	case 2:
		(void)sk_ha_hb_verify(hb_key, data + in.off, fuzz_left(&in), "fuzz-pair", 2,
				      &last, &f);
		break;
	default:
		signed_hb(&in);
		break;
	}
	return 0;
}
