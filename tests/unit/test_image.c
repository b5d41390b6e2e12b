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

static struct sk_img_service *
svc_of(uint8_t *img)
{
	const struct sk_image_hdr *h = (const struct sk_image_hdr *)(const void *)img;

	return (struct sk_img_service *)(void *)(img + h->sec[SK_SEC_SERVICES].offset);
}

static struct sk_img_backend *
be_of(uint8_t *img)
{
	const struct sk_image_hdr *h = (const struct sk_image_hdr *)(const void *)img;

	return (struct sk_img_backend *)(void *)(img + h->sec[SK_SEC_BACKENDS].offset);
}

static struct sk_img_prefix *
snat_of(uint8_t *img)
{
	const struct sk_image_hdr *h = (const struct sk_image_hdr *)(const void *)img;

	return (struct sk_img_prefix *)(void *)(img + h->sec[SK_SEC_SNAT].offset);
}

/*
 * Services: each field a reader relies on, damaged with a valid checksum.
 * The fixture tests/config/good/lab-services.conf holds "web" (IPv4, dnat,
 * maglev, 2 backends) then "web6" (IPv6, fullnat, wrr, 2 backends, 1 snat source).
 */
static void
test_services(void)
{
	const struct sk_image_hdr *h = (const struct sk_image_hdr *)(const void *)base;
	const struct sk_img_service *s;
	uint32_t ns, nb, nsn, j;
	uint8_t *img;

	s = sk_image_sec(h, SK_SEC_SERVICES, &ns);
	sk_image_sec(h, SK_SEC_BACKENDS, &nb);
	sk_image_sec(h, SK_SEC_SNAT, &nsn);
	SK_CHECK(ns == 2 && nb == 4 && nsn == 1 && s[0].family == 4 && s[1].family == 6 &&
		 s[1].fwd == SK_LB_FWD_FULLNAT && s[0].maglev_size == 65537 &&
		 s[1].maglev_size == 0, "lab image: 2 services, 4 backends, 1 snat source");
	if (ns != 2 || nb != 4 || nsn != 1)
		return;

#define DAMAGE(stmt, want, what) do { \
		img = copy(); \
		stmt; \
		recrc(img, base_len); \
		expect_reject(img, base_len, want, what); \
	} while (0)

	DAMAGE(memset(svc_of(img)[0].name, 'x',
	       SK_NAME_MAX), "not terminated", "service name without NUL");
	DAMAGE(svc_of(img)[1].id = 1, "id", "service id not index + 1");
	DAMAGE(svc_of(img)[0].family = 5, "family", "service family 5");
	DAMAGE(svc_of(img)[0].vip[9] = 1, "VIP", "IPv4 VIP with bytes past the fourth");
	DAMAGE(svc_of(img)[0].proto = 1, "proto", "service proto icmp");
	DAMAGE(svc_of(img)[0].sched = SK_LB_SCHED__MAX, "scheduler", "scheduler past the enum");
	DAMAGE(svc_of(img)[1].fwd = SK_LB_FWD__MAX, "forward", "forward mode past the enum");
	DAMAGE(svc_of(img)[0].port_lo = 0, "port range", "port 0");
	DAMAGE(svc_of(img)[0].port_lo = 81, "port range", "inverted port range");
	DAMAGE(svc_of(img)[0].persist_s = SK_LB_PERSIST_MAX + 1, "persist", "persist_s too long");
	DAMAGE(svc_of(img)[0].maglev_size = 65536, "maglev_size", "maglev_size not prime");
	DAMAGE(svc_of(img)[0].maglev_size = 2, "maglev_size", "maglev_size = backends");
	DAMAGE(svc_of(img)[0].maglev_size = 1000033, "maglev_size", "maglev_size past the max");
	DAMAGE(svc_of(img)[1].maglev_size = 7, "maglev_size", "maglev_size on a wrr service");
	DAMAGE(svc_of(img)[1].snat_count = 0, "snat", "fullnat without snat sources");
	DAMAGE(svc_of(img)[0].fwd = SK_LB_FWD_FULLNAT, "snat", "fullnat service, no sources");
	DAMAGE(svc_of(img)[1].hc_timeout_ms = svc_of(img)[1].hc_interval_ms, "health",
	       "health timeout = interval");
	DAMAGE(svc_of(img)[1].hc_path[0] = 'x', "health", "health path without '/'");
	DAMAGE(svc_of(img)[0].hc_type = SK_LB_HC__MAX, "health", "health type past the enum");
	DAMAGE(svc_of(img)[0].backend_count = 0, "backend count", "service without backends");
	DAMAGE(svc_of(img)[1].backend_first = 3, "backend index", "backend ranges with a gap");
	DAMAGE(svc_of(img)[1].backend_count = 3, "backend index", "backends past the section");
	DAMAGE(svc_of(img)[1].backend_first = 0xffffffffu, "backend index",
	       "backend index that wraps around");
	DAMAGE(svc_of(img)[1].backend_count = 1, "owned by no service", "orphan backend");
	DAMAGE(svc_of(img)[1].snat_first = 1, "snat index", "snat past the section");
	DAMAGE(be_of(img)[1].service = 1, "backend 1 of service 0", "backend owned by another");
	DAMAGE(be_of(img)[2].family = 4, "backend 2 of service 1", "IPv4 backend in IPv6 service");
	DAMAGE(be_of(img)[0].addr[15] = 1, "backend 0", "IPv4 backend with junk past byte 4");
	DAMAGE(be_of(img)[3].state = SK_LB_BE__MAX, "backend 3", "backend state past the enum");
	DAMAGE(memset(be_of(img)[0].name, 'a', SK_NAME_MAX), "backend 0",
	       "backend name without NUL");
	DAMAGE(snat_of(img)[0].iface = 99, "snat source", "snat on an unknown interface");
	DAMAGE(snat_of(img)[0].plen = 64, "snat source", "snat source not a host prefix");
	DAMAGE(snat_of(img)[0].family = 4, "snat source", "IPv4 snat in an IPv6 service");
	DAMAGE(((struct sk_image_hdr *)(void *)img)->sec[SK_SEC_BACKENDS].elem_size = 0,
	       "record size", "non-empty section with record size 0");

	/* Make web6 an IPv4 twin of web on an overlapping range: two services
	 * would claim one packet. */
	img = copy();
	{
		struct sk_img_service *w = svc_of(img);

		w[1].family = 4;
		memcpy(w[1].vip, w[0].vip, 16);
		w[1].port_lo = 1;
		w[1].port_hi = 80;
		for (j = w[1].backend_first; j < w[1].backend_first + w[1].backend_count; j++) {
			be_of(img)[j].family = 4;
			memset(be_of(img)[j].addr + 4, 0, 12);
		}
		snat_of(img)[0].family = 4;
		snat_of(img)[0].plen = 32;
		memset(snat_of(img)[0].addr + 4, 0, 12);
		recrc(img, base_len);
		expect_reject(img, base_len, "overlaps", "two services on one VIP and port");
	}
	/* The same twin on ports 81-90 is fine: the verifier is not just refusing. */
	img = copy();
	{
		struct sk_img_service *w = svc_of(img);
		char err[256] = "";

		w[1].family = 4;
		memcpy(w[1].vip, w[0].vip, 16);
		w[1].port_lo = 81;
		w[1].port_hi = 90;
		for (j = w[1].backend_first; j < w[1].backend_first + w[1].backend_count; j++) {
			be_of(img)[j].family = 4;
			memset(be_of(img)[j].addr + 4, 0, 12);
		}
		snat_of(img)[0].family = 4;
		snat_of(img)[0].plen = 32;
		memset(snat_of(img)[0].addr + 4, 0, 12);
		recrc(img, base_len);
		SK_CHECK(sk_image_verify(img, base_len, err, sizeof(err)) == 0,
			 "same VIP, disjoint ports accepted %s", err);
		free(img);
	}
#undef DAMAGE
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

	/* A VLAN id (subinterfaces are not supported: docs/config.md) with a
	 * valid checksum: a hand-made or older image must not half work. */
	img = copy();
	((struct sk_img_iface *)(void *)(img + h->sec[SK_SEC_IFACES].offset))[1].vlan = 10;
	recrc(img, base_len);
	expect_reject(img, base_len, "802.1Q", "interface with a VLAN id");

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

	{
		/* Service fields are damaged in a fixture that has services. */
		void *lab = base;
		size_t lab_len = base_len;

		sk_cfg_diag_init(&d);
		base = sk_cfg_compile_file("tests/config/good/lab-services.conf", &base_len, &d);
		sk_cfg_diag_print(&d, stdout);
		sk_cfg_diag_free(&d);
		SK_CHECK(base != NULL, "tests/config/good/lab-services.conf compiles");
		if (base != NULL)
			test_services();
		free(base);
		base = lab;
		base_len = lab_len;
	}
	free(base);
	return SK_TEST_DONE();
}
