/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * store_commit.c - the commit pipeline the /config handlers drive:
 * validate -> image -> dataplane -> archive -> committed.img -> daemon
 * state, and rollback as "commit an archived text again".  The dataplane is
 * reached through a callback so this logic is tested without one.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_priv.h"
#include "cfg.h"
#include "cp.h"
#include "sk_image.h"

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void
warn_add(struct sk_store_commit_res *res, const char *what, const char *why)
{
	size_t n = strlen(res->warning);

	snprintf(res->warning + n, sizeof(res->warning) - n, "%s%s: %s",
		 n ? "; " : "", what, why);
}

/* After the dataplane took it: archive, committed.img.  Never fails the
 * commit (the dataplane already runs it); problems become warnings. */
static void
record(struct sk_cp *cp, const char *text, size_t text_len, void *img, size_t len,
       uint64_t gen, const char *principal, const char *source,
       struct sk_store_commit_res *res)
{
	struct sk_store_meta want, got;
	char err[256];

	/* The header is outside the CRC: stamping the generation keeps the
	 * image valid and tells a dataplane booting from it where it was. */
	((struct sk_image_hdr *)img)->generation = gen;
	if (cp->store == NULL) {
		warn_add(res, "not archived", "no archive store");
		return;
	}
	memset(&want, 0, sizeof(want));
	want.generation = gen;
	want.dp_generation = gen;
	snprintf(want.principal, sizeof(want.principal), "%s", principal ? principal : "");
	snprintf(want.source, sizeof(want.source), "%s", source ? source : "commit");
	if (sk_store_put(cp->store, &want, text, text_len, img, len, &got, err, sizeof(err)) == 0) {
		res->archived = got.generation;
		sk_store_set_running(cp->store, got.generation);
	} else {
		warn_add(res, "not archived", err);
	}
	if (sk_store_write_committed(cp->store, img, len, err, sizeof(err)) != 0)
		warn_add(res, "committed.img not replaced", err);
}

static int
commit_text(struct sk_cp *cp, const char *text, size_t text_len, const char *name,
	    uint64_t replaces, const char *principal, const char *source,
	    sk_store_commit_fn fn, void *ctx, struct sk_cfg_diag *diag,
	    struct sk_store_commit_res *res, char *err, size_t errlen)
{
	uint64_t t0 = now_us(), gen = 0, build_us = 0;
	struct sk_cfg *cfg;
	void *img = NULL;
	size_t len = 0;
	char *copy;
	int rc;

	memset(res, 0, sizeof(*res));
	if (fn == NULL) {
		snprintf(err, errlen, "the dataplane is not attached");
		return -ENOTCONN;
	}
	if (replaces != cp->generation) {
		snprintf(err, errlen, "the commit replaces generation %" PRIu64
			 " but generation %" PRIu64 " is running", replaces, cp->generation);
		return -ESTALE;
	}
	if (memchr(text, '\0', text_len) != NULL) {
		snprintf(err, errlen, "the config text contains a NUL byte");
		return -EINVAL;
	}
	copy = strndup(text, text_len);
	if (copy == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	cfg = sk_cfg_load_string(copy, name, diag);
	if (cfg == NULL) {
		free(copy);
		snprintf(err, errlen, "the config has %zu error(s)", sk_cfg_diag_count(diag));
		return -EINVAL;
	}
	rc = sk_cfg_image_build(cfg, &img, &len, err, errlen);
	if (rc != 0)
		goto fail;
	res->prepare_us = now_us() - t0;
	rc = fn(ctx, img, len, replaces, &gen, &build_us, err, errlen);
	if (rc != 0)
		goto fail;
	res->generation = gen;
	res->build_us = build_us;
	record(cp, copy, text_len, img, len, gen, principal, source, res);
	free(cp->running_img);
	cp->running_img = img;
	cp->running_img_len = len;
	free(cp->running_text);
	cp->running_text = copy;
	sk_cfg_free(cp->running);
	cp->running = cfg;
	cp->generation = gen;
	if (cp->committed != NULL)
		cp->committed(cp, principal, source);
	return 0;
fail:
	free(img);
	sk_cfg_free(cfg);
	free(copy);
	return rc;
}

int
sk_store_commit(struct sk_cp *cp, const char *text, size_t text_len, uint64_t replaces,
		const char *principal, const char *source,
		sk_store_commit_fn fn, void *ctx, struct sk_cfg_diag *diag,
		struct sk_store_commit_res *res, char *err, size_t errlen)
{
	return commit_text(cp, text, text_len, "candidate", replaces, principal,
			   source ? source : "commit", fn, ctx, diag, res, err, errlen);
}

int
sk_store_rollback(struct sk_cp *cp, uint64_t gen, uint64_t replaces,
		  const char *principal, const char *source,
		  sk_store_commit_fn fn, void *ctx, struct sk_cfg_diag *diag,
		  struct sk_store_commit_res *res, char *err, size_t errlen)
{
	char name[48], src[64];
	size_t tlen = 0;
	char *text = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	if (cp->store == NULL) {
		snprintf(err, errlen, "no archive store");
		return -ENOENT;
	}
	rc = sk_store_get(cp->store, gen, &text, &tlen, NULL, NULL, NULL, err, errlen);
	if (rc != 0)
		return rc;
	/* Messages point at the archive the operator named. */
	snprintf(name, sizeof(name), "archive-%" PRIu64, gen);
	if (source == NULL) {
		snprintf(src, sizeof(src), "rollback:%" PRIu64, gen);
		source = src;
	}
	rc = commit_text(cp, text, tlen, name, replaces, principal, source, fn, ctx, diag,
			 res, err, errlen);
	free(text);
	return rc;
}
