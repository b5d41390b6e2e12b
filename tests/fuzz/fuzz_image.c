/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_image.c - libFuzzer target "image": mutated config images through
 * sk_image_verify(), and every image it accepts through what trusts a
 * verified image: the dataplane's generation build (sk_gen_build: ACL,
 * routes, services, zone policy), and the control plane's lint and exposure
 * readers.  sk_image_verify promises that an image it passes is safe to
 * compile; a crash behind it is a hole in the verifier.
 *
 * Input: byte 0 says which header fields the harness fixes after mutation
 * (bit 0 total_len, bit 1 the CRC), so that most mutations reach the
 * section checks instead of dying at the checksum; the rest is the image.
 * Seeds: images compiled from the configs of conf/ and tests/config/good/.
 */
#include "fuzz_common.h"

#include "sk_image_api.h"
#include "gen/gen.h"
#include "verify/verify.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint16_t port_of_iface[SK_MAX_IFACES];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned int i;

	(void)argc;
	fuzz_eal_init((*argv)[0]);
	for (i = 0; i < SK_MAX_IFACES; i++)
		port_of_iface[i] = (uint16_t)i;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sk_image_hdr *h;
	struct sk_gen *g;
	char err[512];
	uint8_t fix;
	json_t *doc;
	void *img;

	if (size < 1 || size - 1 > (8u << 20))
		return 0;
	fix = data[0];
	size--;
	/* A copy of exactly size bytes: ASan sees every read past the end. */
	img = malloc(size != 0 ? size : 1);
	if (img == NULL)
		return 0;
	memcpy(img, data + 1, size);
	h = img;
	if (size >= sizeof(*h)) {
		if (fix & 1)
			h->total_len = (uint32_t)size;
		if ((fix & 2) && h->hdr_len == sizeof(*h))
			h->crc = sk_image_crc(img, size);
	}
	if (sk_image_verify(img, size, err, sizeof(err)) != 0) {
		FUZZ_ASSERT(err[0] != '\0', "refused without a message");
		free(img);
		return 0;
	}
	g = sk_gen_build(img, size, 1, port_of_iface, 2, NULL, NULL, err, sizeof(err));
	sk_gen_free(g);
	doc = sk_verify_lint(img, err, sizeof(err));
	json_decref(doc);
	doc = sk_verify_exposure(img, err, sizeof(err));
	json_decref(doc);
	free(img);
	return 0;
}
