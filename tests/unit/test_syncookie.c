/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_syncookie.c - the SYN cookie module: SipHash-2-4 against the
 * reference vector, encode/decode of MSS/wscale/SACK, the MSS table's
 * rounding, acceptance across one rotation and expiry after two, and
 * rejection under another secret, another tuple or another client ISN.
 */
#include <string.h>
#include <arpa/inet.h>

#include "synproxy/siphash.h"
#include "synproxy/syncookie.h"
#include "sk_test.h"

static struct sk_syncookie_tuple tuple4(uint8_t last)
{
	struct sk_syncookie_tuple t;

	memset(&t, 0, sizeof(t));
	t.saddr[0] = 192; t.saddr[1] = 0; t.saddr[2] = 2; t.saddr[3] = last;
	t.daddr[0] = 10; t.daddr[1] = 0; t.daddr[2] = 0; t.daddr[3] = 1;
	t.sport = htons(40000);
	t.dport = htons(80);
	t.family = 4;
	return t;
}

int main(void)
{
	/* Reference vectors from the SipHash paper's code (vectors.h): key
	 * 00..0f, message 00..(n-1); n = 0 and n = 15. */
	uint8_t key[16], msg[15];

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	uint64_t k0 = 0x0706050403020100ULL, k1 = 0x0f0e0d0c0b0a0908ULL;
	SK_CHECK(sk_siphash24(k0, k1, msg, 0) == 0x726fdb47dd0e0e31ULL,
		"siphash24 empty message matches reference");
	SK_CHECK(sk_siphash24(k0, k1, msg, 15) == 0xa129ca6149be45e5ULL,
		"siphash24 15-byte message matches reference");

	struct sk_syncookie_keys keys, other;
	uint8_t master2[16];

	sk_syncookie_keys_init(&keys, key);
	memcpy(master2, key, 16);
	master2[5] ^= 0x40;
	sk_syncookie_keys_init(&other, master2);

	uint8_t r1[16], r2[16];
	SK_CHECK(sk_syncookie_master_random(r1) == 0 && sk_syncookie_master_random(r2) == 0 &&
		memcmp(r1, r2, 16) != 0, "master secret is random per call");

	struct sk_syncookie_tuple t = tuple4(7);
	struct sk_syncookie_opts in = { .mss = 1460, .wscale = 7, .sack = true }, enc, out;
	uint64_t now = 64 * 1000 + 5;
	uint32_t isn = 0x12345678;
	uint32_t c = sk_syncookie_make(&keys, &t, isn, &in, now, &enc);

	SK_CHECK(enc.mss == 1460 && enc.wscale == 7 && enc.sack, "encoded opts 1460/7/sack");
	memset(&out, 0, sizeof(out));
	SK_CHECK(sk_syncookie_check(&keys, &t, isn, c, now, &out) == SK_SYNCOOKIE_VALID,
		"cookie 0x%08x valid at once", c);
	SK_CHECK(out.mss == 1460 && out.wscale == 7 && out.sack,
		"decoded mss %u wscale %u sack %d", out.mss, out.wscale, out.sack);

	/* MSS table: the largest entry not above the client's MSS. */
	static const struct { uint16_t in, want; } mt[] = {
		{ 0, 536 }, { 100, 536 }, { 536, 536 }, { 1299, 536 }, { 1300, 1300 },
		{ 1400, 1300 }, { 1440, 1440 }, { 1459, 1440 }, { 1460, 1460 }, { 9000, 1460 },
	};
	for (size_t i = 0; i < sizeof(mt) / sizeof(mt[0]); i++) {
		struct sk_syncookie_opts o = { .mss = mt[i].in, .wscale = SK_SYNCOOKIE_NO_WSCALE };
		uint32_t ci = sk_syncookie_make(&keys, &t, isn, &o, now, &enc);

		memset(&out, 0, sizeof(out));
		SK_CHECK(enc.mss == mt[i].want &&
			sk_syncookie_check(&keys, &t, isn, ci, now, &out) == SK_SYNCOOKIE_VALID &&
			out.mss == mt[i].want && out.wscale == SK_SYNCOOKIE_NO_WSCALE && !out.sack,
			"mss %u -> %u (decoded %u), no wscale, no sack", mt[i].in, mt[i].want, out.mss);
	}
	/* Every wscale round-trips, and wscale > 14 means "absent". */
	int ws_ok = 1;
	for (uint8_t w = 0; w <= 15; w++) {
		struct sk_syncookie_opts o = { .mss = 1440, .wscale = w, .sack = (w & 1) };
		uint32_t ci = sk_syncookie_make(&keys, &t, isn + w, &o, now, &enc);

		if (sk_syncookie_check(&keys, &t, isn + w, ci, now, &out) != SK_SYNCOOKIE_VALID ||
		    out.wscale != w || out.sack != (bool)(w & 1))
			ws_ok = 0;
	}
	SK_CHECK(ws_ok, "wscale 0..14 and absent(15) with SACK on/off round-trip");

	/* Rotation: valid in its epoch and the next, not after two rotations. */
	uint64_t e0 = 64 * 1000;
	c = sk_syncookie_make(&keys, &t, isn, &in, e0 + 63, &enc);
	SK_CHECK(sk_syncookie_check(&keys, &t, isn, c, e0 + 64, &out) == SK_SYNCOOKIE_VALID,
		"valid one rotation later (previous key still accepted)");
	SK_CHECK(sk_syncookie_check(&keys, &t, isn, c, e0 + 127, &out) == SK_SYNCOOKIE_VALID,
		"valid at the end of the next epoch");
	SK_CHECK(sk_syncookie_check(&keys, &t, isn, c, e0 + 128, &out) == SK_SYNCOOKIE_BAD,
		"rejected after two rotations");
	SK_CHECK(sk_syncookie_check(&keys, &t, isn, c, e0 + 64 * 3, &out) == SK_SYNCOOKIE_BAD,
		"rejected after three rotations");

	/* Wrong secret, tuple, ISN, or a flipped bit. */
	c = sk_syncookie_make(&keys, &t, isn, &in, now, &enc);
	SK_CHECK(sk_syncookie_check(&other, &t, isn, c, now, &out) == SK_SYNCOOKIE_BAD,
		"rejected under another master secret");
	struct sk_syncookie_tuple t2 = tuple4(8);
	SK_CHECK(sk_syncookie_check(&keys, &t2, isn, c, now, &out) == SK_SYNCOOKIE_BAD,
		"rejected for another client address");
	t2 = t;
	t2.sport = htons(40001);
	SK_CHECK(sk_syncookie_check(&keys, &t2, isn, c, now, &out) == SK_SYNCOOKIE_BAD,
		"rejected for another client port");
	SK_CHECK(sk_syncookie_check(&keys, &t, isn + 1, c, now, &out) == SK_SYNCOOKIE_BAD,
		"rejected for another client ISN");
	int flips_rejected = 0;
	for (int b = 0; b < 32; b++)
		if (sk_syncookie_check(&keys, &t, isn, c ^ (1u << b), now, &out) == SK_SYNCOOKIE_BAD)
			flips_rejected++;
	SK_CHECK(flips_rejected == 32, "every single-bit change rejected (%d/32)", flips_rejected);

	/* Forgery rate over random guesses: 24-bit MAC, expect ~0. */
	int forged = 0;
	for (uint32_t g = 0; g < 200000; g++)
		if (sk_syncookie_check(&keys, &t, isn, g * 2654435761u, now, &out) == SK_SYNCOOKIE_VALID)
			forged++;
	printf("# %d of 200000 guessed cookies accepted (24-bit MAC + epoch bit)\n", forged);
	SK_CHECK(forged <= 2, "guessed cookies accepted: %d", forged);

	/* IPv6 tuple round-trips too. */
	struct sk_syncookie_tuple t6;
	memset(&t6, 0, sizeof(t6));
	t6.saddr[0] = 0x20; t6.saddr[1] = 0x01; t6.saddr[15] = 9;
	t6.daddr[0] = 0x20; t6.daddr[1] = 0x01; t6.daddr[15] = 1;
	t6.sport = htons(1234); t6.dport = htons(443); t6.family = 6;
	c = sk_syncookie_make(&keys, &t6, isn, &in, now, &enc);
	SK_CHECK(sk_syncookie_check(&keys, &t6, isn, c, now, &out) == SK_SYNCOOKIE_VALID &&
		sk_syncookie_check(&keys, &t, isn, c, now, &out) == SK_SYNCOOKIE_BAD,
		"IPv6 cookie valid for its tuple only");
	return SK_TEST_DONE();
}
