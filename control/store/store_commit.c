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
#include "sk_image_api.h"

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

/* The dataplane runs it: archive it and make it the daemon's running
 * state (takes text, cfg and img). */
static void
install(struct sk_cp *cp, char *text, size_t text_len, struct sk_cfg *cfg, void *img,
	size_t len, uint64_t gen, uint64_t build_us, const char *principal, const char *source,
	struct sk_store_commit_res *res)
{
	res->generation = gen;
	res->build_us = build_us;
	record(cp, text, text_len, img, len, gen, principal, source, res);
	free(cp->running_img);
	cp->running_img = img;
	cp->running_img_len = len;
	free(cp->running_text);
	cp->running_text = text;
	sk_cfg_free(cp->running);
	cp->running = cfg;
	/* atomic: GET /api/v1/status reads it without dp_lock (api.h) */
	__atomic_store_n(&cp->generation, gen, __ATOMIC_RELEASE);
	if (cp->committed != NULL)
		cp->committed(cp, principal, source);
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
	install(cp, copy, text_len, cfg, img, len, gen, build_us, principal, source, res);
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

int
sk_store_commit_image(struct sk_cp *cp, uint64_t generation, const void *img, size_t img_len,
		      const char *text, size_t text_len, const char *principal,
		      const char *source, sk_store_commit_fn fn, void *ctx,
		      struct sk_cfg_diag *diag, struct sk_store_commit_res *res, char *err,
		      size_t errlen)
{
	uint64_t t0 = now_us(), gen = 0, build_us = 0;
	struct sk_image_hdr *h;
	struct sk_cfg *cfg;
	void *copy_img;
	char *copy;
	int rc;

	memset(res, 0, sizeof(*res));
	if (fn == NULL) {
		snprintf(err, errlen, "the dataplane is not attached");
		return -ENOTCONN;
	}
	if (generation == cp->generation) {
		snprintf(err, errlen, "generation %" PRIu64 " is already running", generation);
		return -EALREADY;
	}
	if (generation < cp->generation) {
		snprintf(err, errlen, "generation %" PRIu64 " runs here, newer than %" PRIu64
			 " (commit on the active unit to bring both to a new generation)",
			 cp->generation, generation);
		return -ESTALE;
	}
	if (sk_image_verify(img, img_len, err, errlen) != 0)
		return -EINVAL;
	if (((const struct sk_image_hdr *)img)->generation != generation) {
		snprintf(err, errlen, "the image says generation %" PRIu64 ", not %" PRIu64,
			 ((const struct sk_image_hdr *)img)->generation, generation);
		return -EINVAL;
	}
	if (memchr(text, '\0', text_len) != NULL) {
		snprintf(err, errlen, "the config text contains a NUL byte");
		return -EINVAL;
	}
	copy = strndup(text, text_len);
	copy_img = malloc(img_len);
	if (copy == NULL || copy_img == NULL) {
		free(copy);
		free(copy_img);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(copy_img, img, img_len);
	/* The text must validate here too: this unit's model of it (names,
	 * management, logging, health checks) comes from it, not the image. */
	cfg = sk_cfg_load_string(copy, "peer", diag);
	if (cfg == NULL) {
		snprintf(err, errlen, "the config has %zu error(s) here", sk_cfg_diag_count(diag));
		rc = -EINVAL;
		goto fail;
	}
	res->prepare_us = now_us() - t0;
	/* The header carries the generation: the dataplane takes it as the
	 * new one's number (so both units number it alike). */
	h = copy_img;
	h->generation = generation;
	rc = fn(ctx, copy_img, img_len, cp->generation, &gen, &build_us, err, errlen);
	if (rc != 0)
		goto fail;
	if (gen != generation) {
		snprintf(res->warning, sizeof(res->warning), "the dataplane numbered it %" PRIu64
			 ", not %" PRIu64, gen, generation);
	}
	install(cp, copy, text_len, cfg, copy_img, img_len, gen, build_us, principal, source, res);
	return 0;
fail:
	free(copy_img);
	sk_cfg_free(cfg);
	free(copy);
	return rc;
}
