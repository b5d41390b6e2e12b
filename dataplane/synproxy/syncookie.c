/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * syncookie.c - encode/verify SYN cookies (layout in syncookie.h).  Hot path:
 * no allocation, no syscall; the per-epoch key is derived once per worker per
 * 64 s and cached.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "siphash.h"
#include "syncookie.h"

/* Linux's IPv4 msstab: the common MSS values, ascending. */
const uint16_t sk_syncookie_mss_table[SK_SYNCOOKIE_MSS_N] = { 536, 1300, 1440, 1460 };

int sk_syncookie_master_random(uint8_t master[16])
{
	size_t got = 0;

	while (got < 16) {
		ssize_t n = getrandom(master + got, 16 - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)n;
	}
	return 0;
}

void sk_syncookie_keys_init(struct sk_syncookie_keys *keys, const uint8_t master[16])
{
	memset(keys, 0, sizeof(*keys));
	for (int i = 7; i >= 0; i--) {
		keys->master[0] = (keys->master[0] << 8) | master[i];
		keys->master[1] = (keys->master[1] << 8) | master[8 + i];
	}
}

/* The key of epoch e, from the cache or derived from the master. */
static const uint64_t *epoch_key(struct sk_syncookie_keys *keys, uint64_t e)
{
	unsigned s = (unsigned)(e & 1);

	if (!keys->have[s] || keys->epoch[s] != e) {
		uint64_t m[2] = { e, ~e };

		keys->k[s][0] = sk_siphash24(keys->master[0], keys->master[1], &m[0], 8);
		keys->k[s][1] = sk_siphash24(keys->master[0], keys->master[1], &m[1], 8);
		keys->epoch[s] = e;
		keys->have[s] = true;
	}
	return keys->k[s];
}

static uint32_t mac24(const uint64_t *k, const struct sk_syncookie_tuple *t,
	uint32_t isn, uint8_t meta)
{
	/* addresses (4 or 16 bytes each), ports, ISN, meta, family: 20 bytes
	 * for IPv4 (three SipHash blocks with the length block), 44 for IPv6. */
	size_t al = t->family == 4 ? 4 : 16, n = 0;
	uint8_t msg[44];

	memcpy(msg + n, t->saddr, al);
	n += al;
	memcpy(msg + n, t->daddr, al);
	n += al;
	memcpy(msg + n, &t->sport, 2);
	memcpy(msg + n + 2, &t->dport, 2);
	memcpy(msg + n + 4, &isn, 4);
	msg[n + 8] = meta;
	msg[n + 9] = t->family;
	msg[n + 10] = 0;
	msg[n + 11] = 0;
	return (uint32_t)sk_siphash24(k[0], k[1], msg, n + 12) & 0xffffffu;
}

static unsigned mss_index(uint16_t mss)
{
	unsigned i = SK_SYNCOOKIE_MSS_N - 1;

	if (mss == 0)
		return 0;
	while (i > 0 && sk_syncookie_mss_table[i] > mss)
		i--;
	return i;
}

uint32_t sk_syncookie_make(struct sk_syncookie_keys *keys,
	const struct sk_syncookie_tuple *t, uint32_t isn,
	const struct sk_syncookie_opts *in, uint64_t now_s,
	struct sk_syncookie_opts *enc)
{
	uint64_t e = now_s / SK_SYNCOOKIE_EPOCH_S;
	unsigned mi = mss_index(in->mss);
	unsigned ws = in->wscale > 14 ? SK_SYNCOOKIE_NO_WSCALE : in->wscale;
	uint8_t meta = (uint8_t)(((e & 1) << 7) | (mi << 5) | (ws << 1) | (in->sack ? 1 : 0));

	enc->mss = sk_syncookie_mss_table[mi];
	enc->wscale = (uint8_t)ws;
	enc->sack = in->sack;
	return (mac24(epoch_key(keys, e), t, isn, meta) << 8) | meta;
}

enum sk_syncookie_verdict sk_syncookie_check(struct sk_syncookie_keys *keys,
	const struct sk_syncookie_tuple *t, uint32_t isn, uint32_t cookie,
	uint64_t now_s, struct sk_syncookie_opts *out)
{
	uint64_t now_e = now_s / SK_SYNCOOKIE_EPOCH_S;
	uint8_t meta = (uint8_t)(cookie & 0xff);
	uint64_t e;

	/* The parity bit names the epoch: the current one, or the one before.
	 * A cookie two rotations old has the current parity and fails the MAC
	 * under the current key.  Not worth telling "late" from "forged": that
	 * would cost another key derivation per invalid ACK, which is exactly
	 * what a flood of forged ACKs would then buy. */
	if ((unsigned)(meta >> 7) == (unsigned)(now_e & 1))
		e = now_e;
	else if (now_e > 0)
		e = now_e - 1;
	else
		return SK_SYNCOOKIE_BAD;
	if (mac24(epoch_key(keys, e), t, isn, meta) != cookie >> 8)
		return SK_SYNCOOKIE_BAD;
	out->mss = sk_syncookie_mss_table[(meta >> 5) & 3];
	out->wscale = (uint8_t)((meta >> 1) & 0xf);
	out->sack = meta & 1;
	return SK_SYNCOOKIE_VALID;
}
