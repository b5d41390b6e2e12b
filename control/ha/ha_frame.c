/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_frame.c - the HA link's wire codec: header, HMAC-SHA256 (OpenSSL
 * EVP_MAC, keyed once per context), key derivation and the HELLO payload.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include "ha_frame.h"

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

void
sk_ha_frame_hdr_put(const struct sk_ha_frame_hdr *h, uint8_t out[SK_HA_FRAME_HDR_LEN])
{
	put32(out, h->magic);
	out[4] = h->version;
	out[5] = h->type;
	out[6] = h->flags;
	out[7] = h->unit;
	put32(out + 8, h->len);
	put32(out + 12, h->total);
	put64(out + 16, h->seq);
	put64(out + 24, h->boot);
}

void
sk_ha_frame_hdr_get(const uint8_t in[SK_HA_FRAME_HDR_LEN], struct sk_ha_frame_hdr *h)
{
	h->magic = get32(in);
	h->version = in[4];
	h->type = in[5];
	h->flags = in[6];
	h->unit = in[7];
	h->len = get32(in + 8);
	h->total = get32(in + 12);
	h->seq = get64(in + 16);
	h->boot = get64(in + 24);
}

int
sk_ha_frame_hdr_check(const struct sk_ha_frame_hdr *h, uint32_t max_frame, uint64_t max_msg)
{
	if (h->magic != SK_HA_FRAME_MAGIC)
		return SK_HA_LINKERR_MALFORMED + 1;
	if (h->version != SK_HA_FRAME_VERSION)
		return SK_HA_LINKERR_VERSION + 1;
	/* Before the body is read: a huge length is refused here, never buffered. */
	if (h->len > max_frame)
		return SK_HA_LINKERR_OVERSIZE + 1;
	if (!sk_ha_msg_known(h->type) || (h->flags & ~SK_HA_FLAGS_KNOWN) != 0)
		return SK_HA_LINKERR_MALFORMED + 1;
	if (h->total > max_msg)
		return SK_HA_LINKERR_OVERSIZE + 1;
	if ((h->flags & SK_HA_FLAGS_KNOWN) == SK_HA_FLAGS_KNOWN) {
		if (h->total != h->len)
			return SK_HA_LINKERR_MALFORMED + 1;
	} else if (h->total <= h->len || h->len == 0) {
		/* a chunk of a larger message: never empty, never the whole */
		return SK_HA_LINKERR_MALFORMED + 1;
	}
	return 0;
}

int
sk_ha_mac_init(struct sk_ha_mac *m, const uint8_t key[SK_HA_KEY_LEN])
{
	OSSL_PARAM params[2];
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;

	m->mac = m->ctx = NULL;
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac == NULL)
		return -EIO;
	ctx = EVP_MAC_CTX_new(mac);
	if (ctx == NULL) {
		EVP_MAC_free(mac);
		return -ENOMEM;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(ctx, key, SK_HA_KEY_LEN, params)) {
		EVP_MAC_CTX_free(ctx);
		EVP_MAC_free(mac);
		return -EIO;
	}
	m->mac = mac;
	m->ctx = ctx;
	return 0;
}

void
sk_ha_mac_free(struct sk_ha_mac *m)
{
	EVP_MAC_CTX_free(m->ctx);
	EVP_MAC_free(m->mac);
	m->mac = m->ctx = NULL;
}

int
sk_ha_mac_compute(struct sk_ha_mac *m, const void *a, size_t alen, const void *b, size_t blen,
		  uint8_t out[SK_HA_FRAME_MAC_LEN])
{
	size_t outl = 0;

	/* A NULL key re-initialises with the key given at sk_ha_mac_init: no
	 * key schedule per frame. */
	if (!EVP_MAC_init(m->ctx, NULL, 0, NULL) || !EVP_MAC_update(m->ctx, a, alen) ||
	    (blen > 0 && !EVP_MAC_update(m->ctx, b, blen)) ||
	    !EVP_MAC_final(m->ctx, out, &outl, SK_HA_FRAME_MAC_LEN) ||
	    outl != SK_HA_FRAME_MAC_LEN)
		return -EIO;
	return 0;
}

size_t
sk_ha_frame_encode(struct sk_ha_mac *m, const struct sk_ha_frame_hdr *h, const void *payload,
		   uint8_t *out)
{
	sk_ha_frame_hdr_put(h, out);
	if (h->len > 0)
		memcpy(out + SK_HA_FRAME_HDR_LEN, payload, h->len);
	if (sk_ha_mac_compute(m, out, SK_HA_FRAME_HDR_LEN + (size_t)h->len, NULL, 0,
			      out + SK_HA_FRAME_HDR_LEN + h->len) != 0)
		return 0;
	return SK_HA_FRAME_HDR_LEN + (size_t)h->len + SK_HA_FRAME_MAC_LEN;
}

int
sk_ha_frame_verify(struct sk_ha_mac *m, const uint8_t *frame, uint32_t h_len)
{
	uint8_t want[SK_HA_FRAME_MAC_LEN];
	int ok;

	if (sk_ha_mac_compute(m, frame, SK_HA_FRAME_HDR_LEN + (size_t)h_len, NULL, 0, want) != 0)
		return 0;
	ok = CRYPTO_memcmp(want, frame + SK_HA_FRAME_HDR_LEN + h_len, SK_HA_FRAME_MAC_LEN) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

/* One HMAC-SHA256 with any key length (HMAC hashes long keys, pads short). */
static int
hmac_once(const void *key, size_t keylen, const void *msg, size_t len,
	  uint8_t out[SK_HA_KEY_LEN])
{
	size_t outl = 0;

	if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, keylen, msg, len, out,
		      SK_HA_KEY_LEN, &outl) == NULL || outl != SK_HA_KEY_LEN)
		return -EIO;
	return 0;
}

int
sk_ha_link_key_derive(const void *psk, size_t len, uint8_t key[SK_HA_KEY_LEN])
{
	static const char label[] = "sekisho ha link";

	if (psk == NULL || len == 0)
		return -EINVAL;
	return hmac_once(psk, len, label, sizeof(label) - 1, key);
}

int
sk_ha_session_key(const uint8_t key[SK_HA_KEY_LEN], const uint8_t nonce1[SK_HA_NONCE_LEN],
		  const uint8_t nonce2[SK_HA_NONCE_LEN], uint8_t out[SK_HA_KEY_LEN])
{
	static const char label[] = "sekisho ha session";
	uint8_t msg[sizeof(label) - 1 + 2 * SK_HA_NONCE_LEN];

	memcpy(msg, label, sizeof(label) - 1);
	memcpy(msg + sizeof(label) - 1, nonce1, SK_HA_NONCE_LEN);
	memcpy(msg + sizeof(label) - 1 + SK_HA_NONCE_LEN, nonce2, SK_HA_NONCE_LEN);
	return hmac_once(key, SK_HA_KEY_LEN, msg, sizeof(msg), out);
}

void
sk_ha_hello_put(const struct sk_ha_hello_msg *h, uint8_t out[SK_HA_HELLO_LEN])
{
	memset(out, 0, SK_HA_HELLO_LEN);
	out[0] = h->unit;
	put32(out + 4, h->hello.workers);
	put32(out + 8, h->hello.snat_layout);
	put32(out + 12, h->max_frame);
	memcpy(out + 16, h->nonce, SK_HA_NONCE_LEN);
	/* strnlen: the last byte of each field stays NUL */
	memcpy(out + 32, h->hello.version, strnlen(h->hello.version, 31));
	memcpy(out + 64, h->hello.cluster, strnlen(h->hello.cluster, 63));
}

int
sk_ha_hello_get(const void *in, size_t len, struct sk_ha_hello_msg *h)
{
	const uint8_t *p = in;

	if (len != SK_HA_HELLO_LEN || p[1] || p[2] || p[3] || p[63] || p[127])
		return -EINVAL;
	memset(h, 0, sizeof(*h));
	h->unit = p[0];
	h->hello.workers = get32(p + 4);
	h->hello.snat_layout = get32(p + 8);
	h->max_frame = get32(p + 12);
	memcpy(h->nonce, p + 16, SK_HA_NONCE_LEN);
	memcpy(h->hello.version, p + 32, 32);
	memcpy(h->hello.cluster, p + 64, 64);
	return 0;
}

int
sk_ha_hello_compare(const struct sk_ha_hello_msg *ours, const struct sk_ha_hello_msg *peer,
		    char *why, size_t whylen)
{
	if (peer->unit != 3 - ours->unit)
		snprintf(why, whylen, "peer says it is unit %u, we are unit %u", peer->unit,
			 ours->unit);
	else if (strcmp(peer->hello.version, ours->hello.version) != 0)
		snprintf(why, whylen, "software version: peer '%s', here '%s'",
			 peer->hello.version, ours->hello.version);
	else if (peer->hello.workers != ours->hello.workers)
		snprintf(why, whylen, "worker count: peer %u, here %u", peer->hello.workers,
			 ours->hello.workers);
	else if (peer->hello.snat_layout != ours->hello.snat_layout)
		snprintf(why, whylen, "SNAT port-block layout: peer %u, here %u",
			 peer->hello.snat_layout, ours->hello.snat_layout);
	else if (strcmp(peer->hello.cluster, ours->hello.cluster) != 0)
		snprintf(why, whylen, "cluster: peer '%s', here '%s'", peer->hello.cluster,
			 ours->hello.cluster);
	else if (peer->max_frame != ours->max_frame)
		snprintf(why, whylen, "max frame: peer %u, here %u", peer->max_frame,
			 ours->max_frame);
	else
		return 0;
	return -1;
}

const char *
sk_ha_msg_name(unsigned int type)
{
	switch (type) {
#define SK_HA_MSG_NAME(e, w, n) case n: return #w;
	SK_HA_MSG_LIST(SK_HA_MSG_NAME)
#undef SK_HA_MSG_NAME
	}
	return "?";
}

int
sk_ha_msg_known(unsigned int type)
{
	switch (type) {
#define SK_HA_MSG_KNOWN(e, w, n) case n: return 1;
	SK_HA_MSG_LIST(SK_HA_MSG_KNOWN)
#undef SK_HA_MSG_KNOWN
	}
	return 0;
}
