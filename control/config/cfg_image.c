/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cfg_image.c - serialising a validated model into the binary image of
 * sk_image.h, checking it with the dataplane's own verifier, and writing it
 * atomically so a dataplane starting at the wrong moment never reads half.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cfg_priv.h"
#include "sk_image_api.h"
#include "util/util_file.h"

#define SEC_ALIGN 8u

static const struct sk_cfg_vec *
sec_vec(const struct sk_cfg *cfg, unsigned int id)
{
	switch (id) {
	case SK_SEC_ZONES: return &cfg->zones;
	case SK_SEC_IFACES: return &cfg->ifaces;
	case SK_SEC_ADDRS: return &cfg->addrs;
	case SK_SEC_ROUTES: return &cfg->routes;
	case SK_SEC_NEIGHS: return &cfg->neighs;
	case SK_SEC_RULES: return &cfg->rules;
	case SK_SEC_PREFIXES: return &cfg->prefixes;
	case SK_SEC_PORTS: return &cfg->ports;
	case SK_SEC_ZONEPOL: return &cfg->zonepols;
	case SK_SEC_SERVICES: return &cfg->services;
	case SK_SEC_BACKENDS: return &cfg->backends;
	case SK_SEC_SNAT: return &cfg->snats;
	case SK_SEC_HA: return &cfg->ha;
	case SK_SEC_ADDR_HA: return &cfg->addr_ha;
	default: return NULL;
	}
}

int
sk_cfg_image_build(const struct sk_cfg *cfg, void **img, size_t *len, char *err, size_t errlen)
{
	struct sk_image_hdr *h;
	uint64_t total = sizeof(*h);
	uint32_t off[SK_SEC__MAX], cnt[SK_SEC__MAX], esz[SK_SEC__MAX];
	unsigned int i;
	uint8_t *buf;

	for (i = 0; i < SK_SEC__MAX; i++) {
		const struct sk_cfg_vec *v = sec_vec(cfg, i);

		total = (total + SEC_ALIGN - 1) & ~(uint64_t)(SEC_ALIGN - 1);
		cnt[i] = v ? v->n : 1;
		esz[i] = v ? (uint32_t)v->size : (uint32_t)sizeof(struct sk_img_settings);
		off[i] = (uint32_t)total;
		total += (uint64_t)cnt[i] * esz[i];
		if (total > SK_IMAGE_MAX_LEN) {
			snprintf(err, errlen, "image would exceed %u bytes", SK_IMAGE_MAX_LEN);
			return -EINVAL;
		}
	}
	buf = calloc(1, (size_t)total);
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	h = (struct sk_image_hdr *)(void *)buf;
	h->magic = SK_IMAGE_MAGIC;
	h->version = SK_IMAGE_VERSION;
	h->hdr_len = sizeof(*h);
	h->byte_order = SK_IMAGE_BYTE_ORDER;
	h->total_len = (uint32_t)total;
	h->generation = 0;
	h->created_unix = (uint64_t)time(NULL);
	snprintf(h->source, sizeof(h->source), "%s", cfg->source);
	for (i = 0; i < SK_SEC__MAX; i++) {
		const struct sk_cfg_vec *v = sec_vec(cfg, i);

		h->sec[i].offset = off[i];
		h->sec[i].count = cnt[i];
		h->sec[i].elem_size = esz[i];
		if (v == NULL)
			memcpy(buf + off[i], &cfg->settings, sizeof(cfg->settings));
		else if (v->n)
			memcpy(buf + off[i], v->data, (size_t)v->n * v->size);
	}
	h->crc = sk_image_crc(buf, (size_t)total);

	/* The dataplane will run this very check: fail here, not at commit. */
	if (sk_image_verify(buf, (size_t)total, err, errlen) != 0) {
		free(buf);
		return -EINVAL;
	}
	*img = buf;
	*len = (size_t)total;
	return 0;
}

void *
sk_cfg_compile_file(const char *path, size_t *len, struct sk_cfg_diag *diag)
{
	struct sk_cfg *cfg = sk_cfg_load_file(path, diag);
	void *img = NULL;
	char err[256];

	if (cfg == NULL)
		return NULL;
	if (sk_cfg_image_build(cfg, &img, len, err, sizeof(err)) != 0) {
		sk_cfg_diag_add(diag, path, 0, err);
		img = NULL;
	}
	sk_cfg_free(cfg);
	return img;
}

int
sk_cfg_image_write(const void *img, size_t len, const char *path, char *err, size_t errlen)
{
	int rc = sk_util_write_atomic(path, img, len, 0644);

	if (rc == -ENAMETOOLONG)
		snprintf(err, errlen, "%s: path too long", path);
	else if (rc != 0)
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
	return rc;
}
