/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_image.c - the image as hostile input: a compiled conf/lab.conf must
 * verify, and every kind of damage a reader must survive (flipped bytes,
 * truncation, wrong magic/version, sections out of bounds, cross references
 * past their section even with a valid checksum) must be rejected with a
 * message.
 */
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "sk_image_api.h"
#include "sk_test.h"

static uint8_t *base;
static size_t base_len;

static uint8_t *
copy(void)
{
	uint8_t *p = malloc(base_len);

	memcpy(p, base, base_len);
	return p;
}

static void
recrc(uint8_t *img, size_t len)
{
	((struct sk_image_hdr *)(void *)img)->crc = sk_image_crc(img, len);
}

/* Verify a damaged copy: must fail, with a message containing want. */
static void
expect_reject(uint8_t *img, size_t len, const char *want, const char *what)
{
	char err[256] = "";
	int rc = sk_image_verify(img, len, err, sizeof(err));

	SK_CHECK(rc < 0 && err[0] != '\0' && strstr(err, want) != NULL, "%s rejected: %s",
		 what, err);
	free(img);
}

int
main(void)
{
	struct sk_cfg_diag d;
	struct sk_image_hdr *h;
	char err[256] = "";
	size_t i, undetected = 0, nomsg = 0;
	uint8_t *img;
	uint32_t n;

	sk_cfg_diag_init(&d);
	base = sk_cfg_compile_file("conf/lab.conf", &base_len, &d);
	sk_cfg_diag_print(&d, stdout);
	sk_cfg_diag_free(&d);
	SK_CHECK(base != NULL, "conf/lab.conf compiles");
	if (base == NULL)
		return SK_TEST_DONE();
	SK_CHECK(sk_image_verify(base, base_len, err, sizeof(err)) == 0, "image verifies %s", err);
	h = (struct sk_image_hdr *)(void *)base;
	SK_CHECK(h->magic == SK_IMAGE_MAGIC && h->version == SK_IMAGE_VERSION &&
		 h->total_len == base_len && h->generation == 0 &&
		 strcmp(h->source, "conf/lab.conf") == 0, "header fields");
	sk_image_sec(h, SK_SEC_RULES, &n);
	SK_CHECK(n == 15, "15 rules in the lab image");

	/* Any single flipped bit in the body is caught by the CRC. */
	img = copy();
	for (i = h->hdr_len; i < base_len; i++) {
		static const uint8_t masks[] = { 0x01, 0x80, 0xff };
		size_t m;

		for (m = 0; m < sizeof(masks); m++) {
			img[i] ^= masks[m];
			err[0] = '\0';
			if (sk_image_verify(img, base_len, err, sizeof(err)) == 0)
				undetected++;
			else if (strstr(err, "checksum") == NULL)
				nomsg++;
			img[i] ^= masks[m];
		}
	}
	SK_CHECK(undetected == 0 && nomsg == 0, "%zu body bytes damaged one at a time (low "
		 "bit, high bit, all bits): all caught as checksum errors", base_len - h->hdr_len);
	free(img);

	expect_reject(copy(), base_len - 1, "length", "image one byte short");
	expect_reject(copy(), sizeof(struct sk_image_hdr) - 1, "truncated", "header cut short");
	expect_reject(copy(), 0, "truncated", "empty image");

	img = copy();
	((struct sk_image_hdr *)(void *)img)->magic ^= 0xff;
	expect_reject(img, base_len, "magic", "bad magic");
	img = copy();
	((struct sk_image_hdr *)(void *)img)->version = SK_IMAGE_VERSION + 1;
	expect_reject(img, base_len, "version", "future version");
	img = copy();
	((struct sk_image_hdr *)(void *)img)->byte_order = 0x04030201u;
	expect_reject(img, base_len, "byte order", "other byte order");

	/* Section bounds: the CRC is recomputed so only the bounds check can catch these. */
	img = copy();
	((struct sk_image_hdr *)(void *)img)->sec[SK_SEC_RULES].offset = (uint32_t)base_len;
	recrc(img, base_len);
	expect_reject(img, base_len, "out of bounds", "rules section past the end");
	img = copy();
	((struct sk_image_hdr *)(void *)img)->sec[SK_SEC_PREFIXES].count += 1000;
	recrc(img, base_len);
	expect_reject(img, base_len, "out of bounds", "prefix count past the end");
	img = copy();
	((struct sk_image_hdr *)(void *)img)->sec[SK_SEC_ZONES].offset = 8;
	recrc(img, base_len);
	expect_reject(img, base_len, "out of bounds", "section inside the header");
	img = copy();
	((struct sk_image_hdr *)(void *)img)->sec[SK_SEC_PORTS].elem_size = 8;
	recrc(img, base_len);
	expect_reject(img, base_len, "record size", "wrong record size");

	/* Cross references: a rule's list past the prefix section. */
	{
		uint32_t np;

		img = copy();
		h = (struct sk_image_hdr *)(void *)img;
		sk_image_sec(h, SK_SEC_PREFIXES, &np);
		struct sk_img_rule *r = (struct sk_img_rule *)(void *)(img +
			h->sec[SK_SEC_RULES].offset);
		r[0].src_first = np;
		r[0].src_count = 1;
		recrc(img, base_len);
		expect_reject(img, base_len, "list index out of range",
			      "rule pointing past the prefix section");

		img = copy();
		h = (struct sk_image_hdr *)(void *)img;
		r = (struct sk_img_rule *)(void *)(img + h->sec[SK_SEC_RULES].offset);
		r[0].dport_first = 0xfffffff0u;
		r[0].dport_count = 0x20;
		recrc(img, base_len);
		expect_reject(img, base_len, "list index out of range",
			      "rule port index that wraps around");

		img = copy();
		h = (struct sk_image_hdr *)(void *)img;
		struct sk_img_iface *f = (struct sk_img_iface *)(void *)(img +
			h->sec[SK_SEC_IFACES].offset);
		f[0].zone = 99;
		recrc(img, base_len);
		expect_reject(img, base_len, "zone out of range", "interface in an unknown zone");

		img = copy();
		h = (struct sk_image_hdr *)(void *)img;
		struct sk_img_route *rt = (struct sk_img_route *)(void *)(img +
			h->sec[SK_SEC_ROUTES].offset);
		rt[0].iface = 77;
		recrc(img, base_len);
		expect_reject(img, base_len, "route", "route via an unknown interface");
	}

	free(base);
	return SK_TEST_DONE();
}
