/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_config.c - libFuzzer target "config": config text through the same
 * path as `sekisho-cp --check` and a commit: libconfig text -> validated
 * model (sk_cfg_load_string) -> summary -> image (sk_cfg_image_build) ->
 * sk_image_verify.  A model the validator accepted must always compile to an
 * image the verifier accepts: the harness aborts when it does not, since the
 * dataplane would refuse (or worse, trust) what the control plane committed.
 *
 * Inputs naming @include are skipped: libconfig would read other files,
 * which makes a run depend on the machine (see docs/security.md).
 */
#include "fuzz_common.h"

#include "cfg.h"
#include "sk_image_api.h"

#define TEXT_MAX (256u << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sk_cfg_summary s;
	struct sk_cfg_diag diag;
	struct sk_cfg *cfg;
	char err[512], *text;
	void *img = NULL;
	size_t len = 0;

	if (size > TEXT_MAX)
		return 0;
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (strstr(text, "@include") != NULL) {
		free(text);
		return 0;
	}
	sk_cfg_diag_init(&diag);
	cfg = sk_cfg_load_string(text, "fuzz.conf", &diag);
	free(text);
	if (cfg == NULL) {
		FUZZ_ASSERT(sk_cfg_diag_count(&diag) > 0, "refused without a message");
		sk_cfg_diag_free(&diag);
		return 0;
	}
	sk_cfg_diag_free(&diag);
	sk_cfg_summarize(cfg, &s);
	(void)sk_cfg_mgmt(cfg);
	(void)sk_cfg_ha(cfg);
	(void)sk_cfg_logging(cfg);
	if (sk_cfg_image_build(cfg, &img, &len, err, sizeof(err)) == 0) {
		FUZZ_ASSERT(sk_image_verify(img, len, err, sizeof(err)) == 0,
			    "an accepted config built an image that does not verify: %s", err);
		free(img);
	} else {
		/* Only resources may fail here: validation is the loader's job. */
		FUZZ_ASSERT(strstr(err, "memory") != NULL || strstr(err, "exceed") != NULL,
			    "an accepted config did not compile: %s", err);
	}
	sk_cfg_free(cfg);
	return 0;
}
