/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_hb.c - the dataplane heartbeat's wire format: encode, verify (HMAC-
 * SHA256 with OpenSSL, constant-time compare, replay window of one), and the
 * key derived from the PSK file.  No DPDK here (unit-tested on its own).
 */
#include <errno.h>
#include <endian.h>
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ha_hb.h"

#define PSK_MAX 4096

int
sk_ha_hb_key(const uint8_t *psk, size_t psk_len, uint8_t key[SK_HA_HB_KEY_LEN])
{
	unsigned int len = SK_HA_HB_KEY_LEN;

	if (psk == NULL || psk_len == 0 || psk_len > PSK_MAX)
		return -EINVAL;
	if (HMAC(EVP_sha256(), psk, (int)psk_len, (const uint8_t *)SK_HA_DPHB_KEY_LABEL,
		 strlen(SK_HA_DPHB_KEY_LABEL), key, &len) == NULL || len != SK_HA_HB_KEY_LEN)
		return -EIO;
	return 0;
}

int
sk_ha_hb_key_file(const char *path, uint8_t key[SK_HA_HB_KEY_LEN], char *err, size_t errlen)
{
	uint8_t buf[PSK_MAX + 1];
	size_t n, a = 0;
	FILE *fp;
	int rc;

	fp = fopen(path, "rb");
	if (fp == NULL) {
		rc = -errno;
		snprintf(err, errlen, "PSK file %s: %s", path, strerror(errno));
		return rc;
	}
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	if (n > PSK_MAX) {
		snprintf(err, errlen, "PSK file %s: longer than %d bytes", path, PSK_MAX);
		OPENSSL_cleanse(buf, sizeof(buf));
		return -EINVAL;
	}
	/* A trailing newline from an editor is not part of the key. */
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ' ||
			 buf[n - 1] == '\t'))
		n--;
	while (a < n && (buf[a] == ' ' || buf[a] == '\t'))
		a++;
	rc = sk_ha_hb_key(buf + a, n - a, key);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (rc != 0)
		snprintf(err, errlen, "PSK file %s: %s", path,
			 rc == -EINVAL ? "empty" : "key derivation failed");
	return rc;
}

static int
mac_of(const uint8_t key[SK_HA_HB_KEY_LEN], const struct sk_ha_dphb *h,
       uint8_t mac[SK_HA_DPHB_MAC_LEN])
{
	unsigned int len = SK_HA_DPHB_MAC_LEN;

	if (HMAC(EVP_sha256(), key, SK_HA_HB_KEY_LEN, (const uint8_t *)h,
		 offsetof(struct sk_ha_dphb, mac), mac, &len) == NULL || len != SK_HA_DPHB_MAC_LEN)
		return -EIO;
	return 0;
}

int
sk_ha_hb_encode(const uint8_t key[SK_HA_HB_KEY_LEN], const struct sk_ha_hb_fields *f,
		struct sk_ha_dphb *out)
{
	memset(out, 0, sizeof(*out));
	out->magic = htobe32(SK_HA_DPHB_MAGIC);
	out->version = htobe16(SK_HA_DPHB_VERSION);
	out->unit = f->unit;
	out->role = f->role;
	memcpy(out->cluster, f->cluster, strnlen(f->cluster, sizeof(out->cluster) - 1));
	out->boot = htobe64(f->boot);
	out->seq = htobe64(f->seq);
	out->term = htobe64(f->term);
	out->generation = htobe64(f->generation);
	out->interval_ms = htobe32(f->interval_ms);
	return mac_of(key, out, out->mac);
}

enum sk_ha_hb_result
sk_ha_hb_verify(const uint8_t key[SK_HA_HB_KEY_LEN], const void *buf, size_t len,
		const char *cluster, uint8_t from, struct sk_ha_hb_last *last,
		struct sk_ha_hb_fields *f)
{
	struct sk_ha_dphb h;
	uint8_t want[32] = { 0 }, mac[SK_HA_DPHB_MAC_LEN];
	uint64_t boot, seq;

	if (len != sizeof(h))
		return SK_HA_HB_MALFORMED;
	memcpy(&h, buf, sizeof(h));
	memcpy(want, cluster, strnlen(cluster, sizeof(want) - 1));
	if (be32toh(h.magic) != SK_HA_DPHB_MAGIC || be16toh(h.version) != SK_HA_DPHB_VERSION ||
	    h.unit != from || memcmp(h.cluster, want, sizeof(want)) != 0 ||
	    h.role >= SK_HA_ROLE__MAX)
		return SK_HA_HB_MALFORMED;
	if (mac_of(key, &h, mac) != 0 || CRYPTO_memcmp(mac, h.mac, sizeof(mac)) != 0)
		return SK_HA_HB_BAD_MAC;
	boot = be64toh(h.boot);
	seq = be64toh(h.seq);
	if (last->valid && (boot < last->boot || (boot == last->boot && seq <= last->seq)))
		return SK_HA_HB_REPLAY;
	last->valid = 1;
	last->boot = boot;
	last->seq = seq;
	f->unit = h.unit;
	f->role = h.role;
	memcpy(f->cluster, h.cluster, sizeof(f->cluster));
	f->cluster[sizeof(f->cluster) - 1] = '\0';
	f->boot = boot;
	f->seq = seq;
	f->term = be64toh(h.term);
	f->generation = be64toh(h.generation);
	f->interval_ms = be32toh(h.interval_ms);
	return SK_HA_HB_OK;
}
