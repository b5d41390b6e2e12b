/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * verify_gen.c - a generation for tracing, compiled from a validated model
 * by the dataplane's own builder (sk_gen_build), so that a trace runs the
 * very classifier and routing tables the workers would.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_errno.h>

#include "cfg.h"
#include "gen/gen.h"
#include "sk_image.h"
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

/* Builds tried when DPDK object names clash with another process's. */
#define GEN_TRIES 16

struct sk_gen *
sk_verify_gen_build(const struct sk_cfg *cfg, uint64_t generation, char *err, size_t errlen)
{
	/* Only the control plane's thread or an offline tool builds these. */
	static uint64_t seq;
	struct sk_gen *g = NULL;
	unsigned int tries;
	void *img;
	size_t len = 0;

	img = sk_verify_image(cfg, generation, &len, err, errlen);
	if (img == NULL)
		return NULL;
	/*
	 * The load balancer and the health-check endpoint set name their
	 * rte_hash objects from counters of their own process (sklb<n>...,
	 * sk_hctap<n>).  In sekisho-cp, a DPDK secondary, such a name may
	 * belong to the dataplane's running generation, and rte_hash_create
	 * refuses it (EEXIST).  Every try moves those counters on, and the
	 * dataplane holds only a few generations at once, so a few tries find
	 * free names.  The lasting fix is names unique across processes in
	 * those modules (docs/verify.md, "REST").
	 */
	for (tries = 0; tries < GEN_TRIES; tries++) {
		rte_errno = 0;
		g = sk_gen_build(img, len, SK_VERIFY_GEN_ID_BASE + ++seq, NULL, 1, NULL, NULL, err,
				 errlen);
		if (g != NULL || rte_errno != EEXIST)
			break;
	}
	free(img);
	return g;
}
