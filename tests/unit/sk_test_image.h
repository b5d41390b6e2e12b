/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sk_test_image.h - assemble a config image from section arrays, for unit
 * tests of modules that read images (acl, route) without the config parser.
 */
#ifndef SK_TEST_IMAGE_H
#define SK_TEST_IMAGE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rte_common.h>
#include "sk_image_api.h"

/* Settings that pass sk_image_verify for a one-worker unit. */
static inline void
sk_test_settings(struct sk_img_settings *st)
{
	memset(st, 0, sizeof(*st));
	strcpy(st->lcores, "0");
	st->workers = 1;
	st->burst = 32;
	st->conn_max = 1024;
	st->neigh_max = 64;
	st->mbufs = 4096;
	st->rx_desc = 256;
	st->tx_desc = 256;
}

/*
 * Lay out data[i] (cnt[i] records of section i) behind a header, compute the
 * CRC and verify.  A malloc'd image, or NULL (with a TAP comment) if it does
 * not verify.
 */
static inline void *
sk_test_image(const void *const data[SK_SEC__MAX], const uint32_t cnt[SK_SEC__MAX], size_t *lenp)
{
	static const size_t esz[SK_SEC__MAX] = {
		sizeof(struct sk_img_settings), sizeof(struct sk_img_zone),
		sizeof(struct sk_img_iface), sizeof(struct sk_img_prefix),
		sizeof(struct sk_img_route), sizeof(struct sk_img_neigh),
		sizeof(struct sk_img_rule), sizeof(struct sk_img_prefix),
		sizeof(struct sk_img_portrange), sizeof(struct sk_img_zonepol),
		sizeof(struct sk_img_service), sizeof(struct sk_img_backend),
		sizeof(struct sk_img_prefix), sizeof(struct sk_img_ha),
		sizeof(struct sk_img_addr_ha),
	};
	struct sk_image_hdr *h;
	size_t len = sizeof(*h), off;
	uint8_t *buf;
	char err[256];
	int i;

	for (i = 0; i < SK_SEC__MAX; i++)
		len += RTE_ALIGN(esz[i] * cnt[i], 4);
	buf = calloc(1, len);
	if (buf == NULL)
		return NULL;
	h = (struct sk_image_hdr *)buf;
	h->magic = SK_IMAGE_MAGIC;
	h->version = SK_IMAGE_VERSION;
	h->hdr_len = sizeof(*h);
	h->byte_order = SK_IMAGE_BYTE_ORDER;
	h->total_len = (uint32_t)len;
	off = sizeof(*h);
	for (i = 0; i < SK_SEC__MAX; i++) {
		h->sec[i].offset = (uint32_t)off;
		h->sec[i].count = cnt[i];
		h->sec[i].elem_size = (uint32_t)esz[i];
		if (cnt[i] != 0)
			memcpy(buf + off, data[i], esz[i] * cnt[i]);
		off += RTE_ALIGN(esz[i] * cnt[i], 4);
	}
	h->crc = sk_image_crc(buf, len);
	if (sk_image_verify(buf, len, err, sizeof(err)) != 0) {
		printf("# image does not verify: %s\n", err);
		free(buf);
		return NULL;
	}
	*lenp = len;
	return buf;
}

#endif /* SK_TEST_IMAGE_H */
