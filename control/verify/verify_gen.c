/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * verify_gen.c - a generation for tracing, compiled from a validated model
 * by the dataplane's own builder (sk_trace_gen_build), so that a trace runs the
 * very classifier and routing tables the workers would.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_errno.h>

#include "cfg.h"
#include "sk_image.h"
#include "sk_trace_api.h"
#include "verify.h"

void *
sk_verify_image(const struct sk_cfg *cfg, uint64_t generation, size_t *len, char *err,
		size_t errlen)
{
	void *img = NULL;

	if (sk_cfg_image_build(cfg, &img, len, err, errlen) != 0)
		return NULL;
	/* The header's generation is outside the CRC: committing stamps it. */
	((struct sk_image_hdr *)img)->generation = generation;
	return img;
}

struct sk_gen *
sk_verify_gen_build(const struct sk_cfg *cfg, uint64_t generation, char *err, size_t errlen)
{
	/* Only the control plane's thread or an offline tool builds these. */
	static uint64_t seq;
	struct sk_gen *g;
	void *img;
	size_t len = 0;

	img = sk_verify_image(cfg, generation, &len, err, errlen);
	if (img == NULL)
		return NULL;
	/* DPDK object names (ACL, LPM, hashes) carry the generation id or the
	 * pid, so they never clash with the dataplane's, whose memory a
	 * secondary process shares. */
	g = sk_trace_gen_build(img, len, SK_VERIFY_GEN_ID_BASE + ++seq, err, errlen);
	free(img);
	return g;
}
