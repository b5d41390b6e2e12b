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
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

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

/*
 * One HMAC context kept keyed: OpenSSL's one-shot HMAC() fetches the
 * digest and sets the key up on every call, most of a heartbeat's cost on
 * a main lcore whose caches are cold after its naps.  Only the main lcore
 * (and single-threaded tests) call this.
 */
static struct {
	EVP_MAC_CTX *ctx;
	uint8_t key[SK_HA_HB_KEY_LEN];
} mc;

static EVP_MAC_CTX *
mac_ctx(const uint8_t key[SK_HA_HB_KEY_LEN])
{
	OSSL_PARAM p[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC *m;

	if (mc.ctx != NULL && CRYPTO_memcmp(mc.key, key, SK_HA_HB_KEY_LEN) == 0)
		return EVP_MAC_init(mc.ctx, NULL, 0, NULL) == 1 ? mc.ctx : NULL; /* same key */
	EVP_MAC_CTX_free(mc.ctx);
	mc.ctx = NULL;
	m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (m == NULL)
		return NULL;
	mc.ctx = EVP_MAC_CTX_new(m);
	EVP_MAC_free(m);
	if (mc.ctx == NULL || EVP_MAC_init(mc.ctx, key, SK_HA_HB_KEY_LEN, p) != 1) {
		EVP_MAC_CTX_free(mc.ctx);
		mc.ctx = NULL;
		return NULL;
	}
	memcpy(mc.key, key, SK_HA_HB_KEY_LEN);
	return mc.ctx;
}

static int
mac_of(const uint8_t key[SK_HA_HB_KEY_LEN], const struct sk_ha_dphb *h,
       uint8_t mac[SK_HA_DPHB_MAC_LEN])
{
	EVP_MAC_CTX *c = mac_ctx(key);
	size_t len = 0;

	if (c == NULL || EVP_MAC_update(c, (const uint8_t *)h, offsetof(struct sk_ha_dphb, mac)) != 1 ||
	    EVP_MAC_final(c, mac, &len, SK_HA_DPHB_MAC_LEN) != 1 || len != SK_HA_DPHB_MAC_LEN)
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
