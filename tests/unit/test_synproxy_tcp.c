/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_synproxy_tcp.c - the SYN proxy's packet-byte helpers: SYN option
 * parsing (Linux-like option order, malformed lists), the SYN-ACK option
 * block, and seq/ack shifting whose incremental checksum must equal a full
 * recomputation over pseudo-header + segment.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "synproxy/synproxy_tcp.h"
#include "sk_test.h"

/* Full TCP checksum over an IPv4 pseudo-header and the segment. */
static uint16_t full_csum(const uint8_t src[4], const uint8_t dst[4], const uint8_t *seg, size_t len)
{
	uint32_t s = 0;

	s += (uint32_t)(src[0] << 8 | src[1]) + (uint32_t)(src[2] << 8 | src[3]);
	s += (uint32_t)(dst[0] << 8 | dst[1]) + (uint32_t)(dst[2] << 8 | dst[3]);
	s += 6 + (uint32_t)len;
	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(seg[i] << 8 | seg[i + 1]);
	if (len & 1)
		s += (uint32_t)seg[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void set_csum(const uint8_t *src, const uint8_t *dst, uint8_t *seg, size_t len)
{
	seg[16] = seg[17] = 0;
	uint16_t c = full_csum(src, dst, seg, len);
	seg[16] = (uint8_t)(c >> 8);
	seg[17] = (uint8_t)c;
}

int main(void)
{
	struct sk_syncookie_opts o;
	/* Linux SYN: MSS 1460, SACK-perm, TS, NOP, WS 7. */
	static const uint8_t lin[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7 };

	SK_CHECK(sk_synproxy_syn_opts(lin, sizeof(lin), &o) == 0 && o.mss == 1460 &&
		o.wscale == 7 && o.sack, "linux SYN options: mss %u ws %u sack %d", o.mss, o.wscale, o.sack);
	SK_CHECK(sk_synproxy_syn_opts(lin, 0, &o) == 0 && o.mss == 0 &&
		o.wscale == SK_SYNCOOKIE_NO_WSCALE && !o.sack, "no options: absent");
	static const uint8_t big_ws[] = { 1, 3, 3, 20 };
	SK_CHECK(sk_synproxy_syn_opts(big_ws, sizeof(big_ws), &o) == 0 && o.wscale == 14,
		"wscale 20 clamped to 14");
	static const uint8_t bad1[] = { 2, 4, 5 };
	static const uint8_t bad2[] = { 2, 0, 5, 0xb4 };
	static const uint8_t bad3[] = { 1, 2 };
	SK_CHECK(sk_synproxy_syn_opts(bad1, sizeof(bad1), &o) == -EINVAL, "option past the end rejected");
	SK_CHECK(sk_synproxy_syn_opts(bad2, sizeof(bad2), &o) == -EINVAL, "option length 0 rejected");
	SK_CHECK(sk_synproxy_syn_opts(bad3, sizeof(bad3), &o) == -EINVAL, "kind without length rejected");
	static const uint8_t eol[] = { 0, 2, 0 };
	SK_CHECK(sk_synproxy_syn_opts(eol, sizeof(eol), &o) == 0 && o.mss == 0, "EOL ends the list");

	/* SYN-ACK option block round-trips through the parser. */
	uint8_t buf[SK_SYNPROXY_OPTS_MAX];
	struct sk_syncookie_opts enc = { .mss = 1440, .wscale = 5, .sack = true }, back;
	size_t n = sk_synproxy_synack_opts(buf, &enc, 9);
	SK_CHECK(n == 12 && n % 4 == 0 && sk_synproxy_syn_opts(buf, n, &back) == 0 &&
		back.mss == 1440 && back.wscale == 9 && back.sack,
		"SYN-ACK opts %zu bytes: mss %u, our ws %u, sack", n, back.mss, back.wscale);
	enc.wscale = SK_SYNCOOKIE_NO_WSCALE;
	enc.sack = false;
	n = sk_synproxy_synack_opts(buf, &enc, 9);
	SK_CHECK(n == 4 && sk_synproxy_syn_opts(buf, n, &back) == 0 && back.mss == 1440 &&
		back.wscale == SK_SYNCOOKIE_NO_WSCALE && !back.sack,
		"no ws/sack offered: only MSS echoed (%zu bytes)", n);

	/* seq/ack shift: incremental checksum equals the full one. */
	uint8_t src[4] = { 192, 0, 2, 7 }, dst[4] = { 10, 0, 0, 1 };
	uint8_t seg[20 + 37];
	int agree = 0, rounds = 2000;

	srand(12);
	for (int r = 0; r < rounds; r++) {
		for (size_t i = 0; i < sizeof(seg); i++)
			seg[i] = (uint8_t)rand();
		seg[12] = 5 << 4;
		set_csum(src, dst, seg, sizeof(seg));
		uint32_t delta = (uint32_t)rand() ^ ((uint32_t)rand() << 16);
		if (r == 0)
			delta = 0;
		if (r == 1)
			delta = 0xffffffffu;
		sk_synproxy_shift(seg + 4 + 4 * (r & 1), seg + 16, delta);
		uint16_t inc = (uint16_t)(seg[16] << 8 | seg[17]);
		seg[16] = seg[17] = 0;
		uint16_t want = full_csum(src, dst, seg, sizeof(seg));
		/* 0x0000 and 0xffff are the same one's complement value. */
		if (inc == want || (inc ^ want) == 0xffff)
			agree++;
	}
	SK_CHECK(agree == rounds, "incremental checksum = full checksum in %d/%d shifts", agree, rounds);

	uint8_t f[4] = { 0xff, 0xff, 0xff, 0xf0 }, c[2] = { 0, 0 };
	sk_synproxy_shift(f, c, 0x20);
	SK_CHECK(f[0] == 0 && f[1] == 0 && f[2] == 0 && f[3] == 0x10, "seq wraps modulo 2^32");
	return SK_TEST_DONE();
}
