/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_hahb.c - the dataplane heartbeat's encoder and verifier (ha/ha_hb.h):
 * round trip, key derivation, every refusal (bad MAC, replay, truncated,
 * wrong cluster/unit/version/magic) and that a refusal changes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <endian.h>

#include "sk_test.h"
#include "ha/ha_hb.h"

static const uint8_t psk[] = "correct horse battery staple";

static struct sk_ha_hb_fields
fields(uint8_t unit, uint64_t boot, uint64_t seq)
{
	struct sk_ha_hb_fields f = { 0 };

	f.unit = unit;
	f.role = SK_HA_ROLE_ACTIVE;
	snprintf(f.cluster, sizeof(f.cluster), "pair-a");
	f.boot = boot;
	f.seq = seq;
	f.term = 7;
	f.generation = 42;
	f.interval_ms = 50;
	return f;
}

static void
test_roundtrip(const uint8_t *key)
{
	struct sk_ha_hb_fields f = fields(2, 1000, 1), g;
	struct sk_ha_hb_last last = { 0 };
	struct sk_ha_dphb h;

	SK_CHECK(sizeof(h) == 4 + 2 + 1 + 1 + 32 + 8 * 4 + 4 + 4 + 32, "wire size %zu", sizeof(h));
	SK_CHECK(sk_ha_hb_encode(key, &f, &h) == 0, "encode");
	SK_CHECK(be32toh(h.magic) == SK_HA_DPHB_MAGIC && be64toh(h.seq) == 1 &&
		 be64toh(h.term) == 7, "big-endian fields");
	SK_CHECK(sk_ha_hb_verify(key, &h, sizeof(h), "pair-a", 2, &last, &g) == SK_HA_HB_OK,
		 "verify own encoding");
	SK_CHECK(g.unit == 2 && g.role == SK_HA_ROLE_ACTIVE && g.boot == 1000 && g.seq == 1 &&
		 g.term == 7 && g.generation == 42 && g.interval_ms == 50 &&
		 strcmp(g.cluster, "pair-a") == 0, "fields survive the round trip");
	SK_CHECK(last.valid && last.boot == 1000 && last.seq == 1, "last accepted advanced");
}

static void
test_refusals(const uint8_t *key)
{
	struct sk_ha_hb_fields f = fields(1, 5000, 10), g;
	struct sk_ha_hb_last last = { 0 }, before;
	struct sk_ha_dphb h, bad;
	uint8_t other[SK_HA_HB_KEY_LEN];
	size_t i;
	int all;

	SK_CHECK(sk_ha_hb_encode(key, &f, &h) == 0, "encode");
	SK_CHECK(sk_ha_hb_verify(key, &h, sizeof(h), "pair-a", 1, &last, &g) == SK_HA_HB_OK,
		 "first accepted");
	before = last;
	SK_CHECK(sk_ha_hb_verify(key, &h, sizeof(h), "pair-a", 1, &last, &g) == SK_HA_HB_REPLAY,
		 "same (boot, seq) again: replay");
	f.seq = 9;
	SK_CHECK(sk_ha_hb_encode(key, &f, &bad) == 0 &&
		 sk_ha_hb_verify(key, &bad, sizeof(bad), "pair-a", 1, &last, &g) == SK_HA_HB_REPLAY,
		 "older seq, same boot: replay");
	f.boot = 4999;
	f.seq = 1000;
	SK_CHECK(sk_ha_hb_encode(key, &f, &bad) == 0 &&
		 sk_ha_hb_verify(key, &bad, sizeof(bad), "pair-a", 1, &last, &g) == SK_HA_HB_REPLAY,
		 "older boot, larger seq: replay");
	SK_CHECK(memcmp(&last, &before, sizeof(last)) == 0, "refusals leave last unchanged");

	/* every single-bit flip of the signed bytes breaks the MAC (or the header checks) */
	all = 1;
	for (i = 0; i < sizeof(h); i++) {
		enum sk_ha_hb_result r;

		bad = h;
		((uint8_t *)&bad)[i] ^= 0x01;
		r = sk_ha_hb_verify(key, &bad, sizeof(bad), "pair-a", 1, &last, &g);
		if (r == SK_HA_HB_OK)
			all = 0;
		if (i >= offsetof(struct sk_ha_dphb, boot) && r != SK_HA_HB_BAD_MAC)
			all = 0;
	}
	SK_CHECK(all, "a flipped bit anywhere is refused (bad MAC past the header)");
	SK_CHECK(sk_ha_hb_key((const uint8_t *)"another key", 11, other) == 0, "other key");
	f = fields(1, 6000, 1);
	SK_CHECK(sk_ha_hb_encode(other, &f, &bad) == 0 &&
		 sk_ha_hb_verify(key, &bad, sizeof(bad), "pair-a", 1, &last, &g) == SK_HA_HB_BAD_MAC,
		 "signed with another key: bad MAC");
	SK_CHECK(sk_ha_hb_encode(key, &f, &bad) == 0, "encode newer");
	SK_CHECK(sk_ha_hb_verify(key, &bad, sizeof(bad) - 1, "pair-a", 1, &last, &g) ==
		 SK_HA_HB_MALFORMED, "truncated by one byte: malformed");
	SK_CHECK(sk_ha_hb_verify(key, &bad, 0, "pair-a", 1, &last, &g) == SK_HA_HB_MALFORMED,
		 "empty: malformed");
	SK_CHECK(sk_ha_hb_verify(key, &bad, sizeof(bad), "pair-b", 1, &last, &g) ==
		 SK_HA_HB_MALFORMED, "other cluster: malformed");
	SK_CHECK(sk_ha_hb_verify(key, &bad, sizeof(bad), "pair-a", 2, &last, &g) ==
		 SK_HA_HB_MALFORMED, "not the expected unit (own echo): malformed");
	h = bad;
	h.version = htobe16(SK_HA_DPHB_VERSION + 1);
	SK_CHECK(sk_ha_hb_verify(key, &h, sizeof(h), "pair-a", 1, &last, &g) == SK_HA_HB_MALFORMED,
		 "other version: malformed");
	h = bad;
	h.magic = 0;
	SK_CHECK(sk_ha_hb_verify(key, &h, sizeof(h), "pair-a", 1, &last, &g) == SK_HA_HB_MALFORMED,
		 "bad magic: malformed");
	SK_CHECK(memcmp(&last, &before, sizeof(last)) == 0, "still unchanged");
	SK_CHECK(sk_ha_hb_verify(key, &bad, sizeof(bad), "pair-a", 1, &last, &g) == SK_HA_HB_OK &&
		 last.boot == 6000 && last.seq == 1, "a restarted peer (newer boot, seq 1) accepted");
}

static void
test_key_file(const uint8_t *key)
{
	char path[] = "/tmp/sk_test_hahb_XXXXXX", err[256];
	uint8_t k2[SK_HA_HB_KEY_LEN];
	FILE *fp;
	int fd = mkstemp(path);

	SK_CHECK(fd >= 0, "temp file");
	if (fd < 0)
		return;
	fp = fdopen(fd, "w");
	fprintf(fp, "%s\n", (const char *)psk);
	fclose(fp);
	SK_CHECK(sk_ha_hb_key_file(path, k2, err, sizeof(err)) == 0 &&
		 memcmp(k2, key, sizeof(k2)) == 0, "key from the file (newline trimmed) = key of the PSK");
	SK_CHECK(strstr(err, (const char *)psk) == NULL, "no PSK bytes in messages");
	fp = fopen(path, "w");
	fprintf(fp, " \n");
	fclose(fp);
	SK_CHECK(sk_ha_hb_key_file(path, k2, err, sizeof(err)) == -EINVAL, "blank file refused: %s", err);
	unlink(path);
	SK_CHECK(sk_ha_hb_key_file(path, k2, err, sizeof(err)) == -ENOENT, "missing file: %s", err);
	SK_CHECK(sk_ha_hb_key(psk, 0, k2) == -EINVAL, "empty PSK refused");
}

int
main(void)
{
	uint8_t key[SK_HA_HB_KEY_LEN], key2[SK_HA_HB_KEY_LEN];

	SK_CHECK(sk_ha_hb_key(psk, sizeof(psk) - 1, key) == 0, "derive key");
	SK_CHECK(sk_ha_hb_key(psk, sizeof(psk) - 1, key2) == 0 && memcmp(key, key2, 32) == 0,
		 "derivation is deterministic");
	SK_CHECK(memcmp(key, psk, 28) != 0, "key is not the PSK");
	test_roundtrip(key);
	test_refusals(key);
	test_key_file(key);
	return SK_TEST_DONE();
}
