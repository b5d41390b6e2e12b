/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_hacrec.c - the wire codec of connection-sync records and their
 * messages (control/ha/ha_crec.h): round trips of every field for plain,
 * DNAT and full-NAT records in both families, the encoded sizes, and
 * hostile input (truncated at every length, wrong lengths, unknown types and
 * modes, out-of-range worker, class, state, interface, reserved bits) refused.
 * Also an encode/decode rate, printed.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ha/ha_crec.h"
#include "sk_image.h"
#include "sk_test.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static struct sk_sync_rec
mkrec(uint8_t family, uint8_t nat)
{
	struct sk_sync_rec r;
	size_t alen = family == 4 ? 4 : 16;

	memset(&r, 0, sizeof(r));
	r.type = (uint8_t)(1 + rnd() % 4);
	r.family = family;
	r.proto = nat != 0 || rnd() % 2 ? IPPROTO_TCP : IPPROTO_UDP;
	r.state = (uint8_t)(r.proto == IPPROTO_TCP ? rnd() % 9 : rnd() % 2);
	r.fin_seen = (uint8_t)(rnd() % 8);
	r.nat = nat;
	r.tmo_class = (uint8_t)(rnd() % SK_TMO__MAX);
	r.in_iface = (uint8_t)(rnd() % SK_MAX_IFACES);
	r.out_iface = (uint8_t)(rnd() % SK_MAX_IFACES);
	r.owner = (uint16_t)(rnd() % 4);
	r.rule_id = (uint32_t)rnd();
	r.gen = (uint32_t)rnd();
	r.idle_ms = (uint32_t)rnd();
	r.svc_ident = nat != 0 ? (uint32_t)rnd() | 1 : 0;
	r.sport = (uint16_t)rnd();
	r.dport = (uint16_t)rnd();
	for (size_t i = 0; i < alen; i++) {
		r.src[i] = (uint8_t)rnd();
		r.dst[i] = (uint8_t)rnd();
		if (nat != 0) {
			r.xsrc[i] = (uint8_t)rnd();
			r.backend[i] = (uint8_t)rnd();
		}
	}
	if (nat != 0) {
		r.xport = (uint16_t)rnd();
		r.bport = (uint16_t)rnd();
	}
	return r;
}

int
main(void)
{
	static const struct { uint8_t family, nat; size_t size; } kinds[] = {
		{ 4, 0, 40 }, { 4, 1, 52 }, { 4, 2, 52 }, { 6, 0, 64 }, { 6, 1, 100 }, { 6, 2, 100 },
	};
	uint8_t buf[SK_HA_CREC_MAX + 8];
	struct sk_sync_rec r, back;
	unsigned int k, i;
	int rc, ok;

	/* round trips */
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		ok = 1;
		for (i = 0; i < 1000 && ok; i++) {
			size_t n;

			r = mkrec(kinds[k].family, kinds[k].nat);
			n = sk_ha_crec_put(&r, buf);
			rc = sk_ha_crec_get(buf, n, 4, &back);
			ok = n == kinds[k].size && sk_ha_crec_size(&r) == n && rc == (int)n &&
			     memcmp(&r, &back, sizeof(r)) == 0;
		}
		SK_CHECK(ok, "round trip, every field: family %u nat %u (%zu bytes)",
			 kinds[k].family, kinds[k].nat, kinds[k].size);
	}

	/* a SYN-proxied connection carries its state and sequence delta */
	r = mkrec(6, 2);
	r.proto = IPPROTO_TCP;
	r.state = 3;
	r.flags = 2;
	r.sp_delta = 0xdeadbeefu;
	k = (unsigned int)sk_ha_crec_put(&r, buf);
	rc = sk_ha_crec_get(buf, k, 4, &back);
	SK_CHECK(k == SK_HA_CREC_MAX && rc == (int)k && memcmp(&r, &back, sizeof(r)) == 0,
		 "SYN-proxied full NAT IPv6: %u bytes, round trip", k);
	buf[7] = 1;
	buf[2] = IPPROTO_UDP;
	SK_CHECK(sk_ha_crec_get(buf, k, 4, &back) == -EINVAL, "SYN proxy state on UDP refused");

	/* truncated at every length */
	r = mkrec(6, 2);
	size_t n = sk_ha_crec_put(&r, buf);
	ok = 1;
	for (i = 0; i < n; i++)
		ok &= sk_ha_crec_get(buf, i, 4, &back) == -EMSGSIZE;
	SK_CHECK(ok, "truncated at each of %zu lengths: -EMSGSIZE", n);
	SK_CHECK(sk_ha_crec_get(buf, n + 8, 4, &back) == (int)n,
		 "trailing bytes are the next record's: exactly %zu consumed", n);

	/* hostile fields */
	struct { unsigned int off; uint8_t val; const char *what; } bad[] = {
		{ 0, 0, "type 0" }, { 0, 5, "unknown type 5" }, { 0, 255, "type 255" },
		{ 1, 5, "family 5" }, { 5, 3, "NAT mode 3" }, { 6, SK_TMO__MAX, "timeout class" },
		{ 7, 3, "unknown SYN proxy state" }, { 4, 0x08, "unknown FIN bits" },
		{ 3, 9, "TCP state 9" }, { 8, SK_MAX_IFACES, "ingress interface" },
		{ 9, 200, "egress interface" }, { 10, 1, "owner 256+" },
	};
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = mkrec(4, 2);
		r.state = 3;
		r.owner = 1;
		n = sk_ha_crec_put(&r, buf);
		buf[bad[i].off] = bad[i].val;
		SK_CHECK(sk_ha_crec_get(buf, n, 4, &back) == -EINVAL, "refused: %s", bad[i].what);
	}
	r = mkrec(4, 0);
	r.owner = 3;
	n = sk_ha_crec_put(&r, buf);
	SK_CHECK(sk_ha_crec_get(buf, n, 3, &back) == -EINVAL &&
		 sk_ha_crec_get(buf, n, 4, &back) == (int)n, "owner = worker count refused");
	r = mkrec(4, 0);
	r.proto = IPPROTO_UDP;
	r.state = 0;
	n = sk_ha_crec_put(&r, buf);
	buf[3] = 2;
	SK_CHECK(sk_ha_crec_get(buf, n, 4, &back) == -EINVAL, "UDP state 2 refused");
	r = mkrec(4, 1);
	n = sk_ha_crec_put(&r, buf);
	buf[2] = IPPROTO_ICMP;
	SK_CHECK(sk_ha_crec_get(buf, n, 4, &back) == -EINVAL, "NAT record of ICMP refused");
	r = mkrec(4, 0);
	r.svc_ident = 7;
	n = sk_ha_crec_put(&r, buf);
	SK_CHECK(sk_ha_crec_get(buf, n, 4, &back) == -EINVAL, "plain record with a service refused");
	r.family = 5;
	SK_CHECK(sk_ha_crec_size(&r) == 0 && sk_ha_crec_put(&r, buf) == 0,
		 "an unencodable record is not written");

	/* batch header, ACK, BULK */
	{
		struct sk_ha_cbatch_hdr h = { .count = 1500, .stream = 0x1122334455667788ull,
					      .seq = 42 }, h2;
		uint8_t hb[SK_HA_CREC_HDR];

		sk_ha_cbatch_hdr_put(&h, hb);
		SK_CHECK(sk_ha_cbatch_hdr_get(hb, sizeof(hb), &h2) == 0 && h2.count == 1500 &&
			 h2.stream == h.stream && h2.seq == 42, "batch header round trip");
		SK_CHECK(sk_ha_cbatch_hdr_get(hb, sizeof(hb) - 1, &h2) == -EMSGSIZE,
			 "short batch header refused");
		hb[0] = 2;
		SK_CHECK(sk_ha_cbatch_hdr_get(hb, sizeof(hb), &h2) == -EINVAL, "batch version 2 refused");
		h.seq = 0;
		sk_ha_cbatch_hdr_put(&h, hb);
		SK_CHECK(sk_ha_cbatch_hdr_get(hb, sizeof(hb), &h2) == -EINVAL, "batch seq 0 refused");
		hb[0] = 1;
		h.seq = 1;
		sk_ha_cbatch_hdr_put(&h, hb);
		hb[5] = 1;
		SK_CHECK(sk_ha_cbatch_hdr_get(hb, sizeof(hb), &h2) == -EINVAL,
			 "batch reserved bytes refused");

		struct sk_ha_cack a = { .stream = 9, .seq = 77, .flags = SK_HA_CACK_RESYNC }, a2;
		uint8_t ab[SK_HA_CACK_LEN];

		sk_ha_cack_put(&a, ab);
		SK_CHECK(sk_ha_cack_get(ab, sizeof(ab), &a2) == 0 && a2.stream == 9 && a2.seq == 77 &&
			 a2.flags == SK_HA_CACK_RESYNC, "ACK round trip");
		SK_CHECK(sk_ha_cack_get(ab, sizeof(ab) + 1, &a2) == -EMSGSIZE &&
			 sk_ha_cack_get(ab, sizeof(ab) - 1, &a2) == -EMSGSIZE, "ACK of a wrong length refused");
		a.flags = SK_HA_CACK_RESUME;
		sk_ha_cack_put(&a, ab);
		SK_CHECK(sk_ha_cack_get(ab, sizeof(ab), &a2) == 0 && a2.flags == SK_HA_CACK_RESUME,
			 "ACK with RESUME round trip");
		ab[19] |= 4;
		SK_CHECK(sk_ha_cack_get(ab, sizeof(ab), &a2) == -EINVAL, "ACK unknown flag refused");

		struct sk_ha_cbulk b = { .stream = 5, .seq = 6, .id = 7, .records = 1000000 }, b2;
		uint8_t bb[SK_HA_CBULK_LEN];

		sk_ha_cbulk_put(&b, bb);
		SK_CHECK(sk_ha_cbulk_get(bb, sizeof(bb), &b2) == 0 && b2.stream == 5 && b2.seq == 6 &&
			 b2.id == 7 && b2.records == 1000000, "BULK round trip");
		SK_CHECK(sk_ha_cbulk_get(bb, 3, &b2) == -EMSGSIZE, "short BULK refused");
	}

	/* random bytes never crash the decoder and are mostly refused */
	{
		unsigned int accepted = 0;

		for (i = 0; i < 100000; i++) {
			size_t len = rnd() % sizeof(buf);

			for (size_t j = 0; j < len; j++)
				buf[j] = (uint8_t)rnd();
			rc = sk_ha_crec_get(buf, len, 4, &back);
			accepted += rc > 0;
		}
		SK_CHECK(accepted < 1000, "random input: %u of 100000 decoded (all checked)", accepted);
	}

	/* rate: encode + decode of full-NAT IPv4 records (a figure, not asserted) */
	{
		struct timespec t0, t1;
		uint8_t big[60000];
		const unsigned int N = 2000000;
		size_t off = 0;
		double s;

		r = mkrec(4, 2);
		r.owner = 0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (i = 0; i < N; i++) {
			if (off + SK_HA_CREC_MAX > sizeof(big)) {
				size_t o = 0;

				while (o < off && (rc = sk_ha_crec_get(big + o, off - o, 4, &back)) > 0)
					o += (size_t)rc;
				off = 0;
			}
			r.sport = (uint16_t)i;
			off += sk_ha_crec_put(&r, big + off);
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		printf("# codec: %.1f M records/s encoded and decoded (full NAT IPv4, 52 B)\n",
		       N / s / 1e6);
		SK_CHECK(s > 0, "rate measured");
	}
	return SK_TEST_DONE();
}
