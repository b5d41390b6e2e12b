/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * store.h - the config lifecycle: the archive of committed generations,
 * the image a restarted dataplane boots from (committed.img), the commit
 * and rollback pipeline, export/import bundles and config diffs.
 *
 * On disk (<state_dir>, 0700):
 *   archive/<gen, 10 digits>/config.conf   the config text as committed
 *   archive/<gen>/image.img                the image the dataplane ran
 *   archive/<gen>/meta.json                struct sk_store_meta as JSON
 *   committed.img                          image of the running generation
 *   tls/, tokens                           the unit's keys (bundled on export)
 * An archive is built in a temporary directory and renamed into place, so
 * a crash leaves either the whole archive or none.  docs/config-lifecycle.md
 * describes the layout and the bundle format.
 *
 * Generations: history is append-only and numbers are never reused.  The
 * dataplane numbers generations; an archive takes the dataplane's number
 * when that is above every archived one, else the next free one (after a
 * dataplane was rebuilt from scratch, say), and keeps the dataplane's
 * number in meta.dp_generation.
 *
 * Thread safety: none; one thread (the daemon's) owns a store.
 */
#ifndef SK_STORE_H
#define SK_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct sk_cp;
struct sk_cfg;
struct sk_cfg_diag;
struct sk_store;

#define SK_STORE_KEEP_DEFAULT 64
#define SK_STORE_SHA256_HEX 65       /* 64 hex digits + NUL */

/* What an archive records besides its text and image. */
struct sk_store_meta {
	uint64_t generation;         /* archive number */
	uint64_t dp_generation;      /* the dataplane's number; 0 = never ran here */
	int64_t time;                /* Unix seconds when archived */
	char principal[64];          /* who committed it */
	char source[64];             /* "commit", "rollback:5", "import:7", "boot" */
	char version[32];            /* Sekisho version that archived it */
	char text_sha256[SK_STORE_SHA256_HEX];
	char image_sha256[SK_STORE_SHA256_HEX];
	uint32_t image_crc;          /* sk_image_hdr.crc */
	uint64_t text_len, image_len;
};

struct sk_store_entry {
	struct sk_store_meta meta;   /* as read from meta.json (best effort if corrupt) */
	int corrupt;                 /* failed verification: never used for anything */
	char problem[192];           /* why, when corrupt */
};

/* The Sekisho version this build records in archives and bundles. */
const char *sk_store_sekisho_version(void);

/*
 * Open (creating if needed) <state_dir>/archive, keeping at most keep
 * archives (0 = SK_STORE_KEEP_DEFAULT).  Every archive is verified: text and
 * image SHA-256 and the image CRC against its meta.json.  Corrupt archives do
 * not fail the open: they are listed with corrupt set and a problem, counted
 * by sk_store_n_corrupt(), and refused by sk_store_get().  Leftovers of
 * interrupted writes are removed.  0, or -errno with err filled.
 */
int sk_store_open(const char *state_dir, unsigned int keep, struct sk_store **out,
		  char *err, size_t errlen) __attribute__((warn_unused_result));
void sk_store_close(struct sk_store *st);

/* Entries oldest first; the array is valid until the next put or close. */
size_t sk_store_list(const struct sk_store *st, const struct sk_store_entry **ent);
const struct sk_store_entry *sk_store_find(const struct sk_store *st, uint64_t gen);
size_t sk_store_n_corrupt(const struct sk_store *st);
/* Highest archived generation (corrupt ones included), 0 when empty. */
uint64_t sk_store_latest(const struct sk_store *st);
/* The number the next archive gets unless the dataplane's is higher. */
uint64_t sk_store_next_generation(const struct sk_store *st);
unsigned int sk_store_keep(const struct sk_store *st);

/* The running generation is never pruned. */
void sk_store_set_running(struct sk_store *st, uint64_t gen);
uint64_t sk_store_running(const struct sk_store *st);

/*
 * Archive text and image.  want supplies generation (preferred number, see
 * above; 0 = next), time (0 = now), principal, source, dp_generation and
 * version ("" = this build); the checksums are computed here.  The result,
 * with the number actually used, goes to *out (may be NULL).  Older archives
 * beyond keep are then removed, never the running one.  0 or -errno.
 */
int sk_store_put(struct sk_store *st, const struct sk_store_meta *want,
		 const char *text, size_t text_len, const void *img, size_t img_len,
		 struct sk_store_meta *out, char *err, size_t errlen)
		 __attribute__((warn_unused_result));

/*
 * Read archive gen: text (NUL-terminated, malloc'd), image (malloc'd) and
 * meta; any output may be NULL.  The checksums are verified again; a
 * mismatch marks the entry corrupt and returns -EBADMSG.  -ENOENT if absent.
 */
int sk_store_get(struct sk_store *st, uint64_t gen, char **text, size_t *text_len,
		 void **img, size_t *img_len, struct sk_store_meta *meta,
		 char *err, size_t errlen) __attribute__((warn_unused_result));

/* <state_dir>/committed.img, replaced atomically (temp, fsync, rename). */
int sk_store_write_committed(struct sk_store *st, const void *img, size_t len,
			     char *err, size_t errlen) __attribute__((warn_unused_result));
const char *sk_store_committed_path(const struct sk_store *st);
const char *sk_store_state_dir(const struct sk_store *st);

/* ---- commit and rollback (store_commit.c) ---- */

/*
 * The dataplane side of a commit, same contract as sk_dplink_commit():
 * -ESTALE when replaces is not current, -EINVAL + err when the image is
 * refused, -ETIMEDOUT.  The API handlers pass sk_dplink_commit; tests pass a
 * stand-in.
 */
typedef int (*sk_store_commit_fn)(void *ctx, const void *img, size_t len, uint64_t replaces,
				  uint64_t *gen, uint64_t *build_us, char *err, size_t errlen);

struct sk_store_commit_res {
	uint64_t generation;         /* the new running generation (dataplane's) */
	uint64_t archived;           /* its archive number; 0 if archiving failed */
	uint64_t build_us;           /* dataplane build time */
	uint64_t prepare_us;         /* validation + image build here */
	char warning[256];           /* set when committed but not archived/saved */
};

/*
 * Validate text with the current validator, build its image, hand it to the
 * dataplane through fn, then archive it (source, principal), replace
 * committed.img and update cp's running_text, running and generation.
 * Returns 0; -EINVAL with the errors in diag (invalid config) or, diag
 * empty, the dataplane's refusal in err; -ESTALE when replaces is not
 * cp->generation or the dataplane says so; -ENOTCONN when fn is NULL;
 * -ETIMEDOUT; other -errno.  A failure to archive after a successful commit
 * is not an error: res->warning says what was not saved.
 */
int sk_store_commit(struct sk_cp *cp, const char *text, size_t text_len, uint64_t replaces,
		    const char *principal, const char *source,
		    sk_store_commit_fn fn, void *ctx, struct sk_cfg_diag *diag,
		    struct sk_store_commit_res *res, char *err, size_t errlen)
		    __attribute__((warn_unused_result));

/*
 * Commit archive gen again as a new generation (history stays append-only:
 * rolling back to 5 from 9 creates 10 with 5's text).  The text is validated
 * again with the current validator and its image rebuilt.  source NULL =
 * "rollback:<gen>".  -ENOENT / -EBADMSG (corrupt archive) besides the errors
 * of sk_store_commit().
 */
int sk_store_rollback(struct sk_cp *cp, uint64_t gen, uint64_t replaces,
		      const char *principal, const char *source,
		      sk_store_commit_fn fn, void *ctx, struct sk_cfg_diag *diag,
		      struct sk_store_commit_res *res, char *err, size_t errlen)
		      __attribute__((warn_unused_result));

/*
 * Commit an image and text made elsewhere as the given generation (HA
 * config sync: the active unit's commit applied on the standby, same
 * number, same image).  The image is verified and must carry generation in
 * its header; the text is validated here (the daemon's model comes from
 * it); then fn, archive (source, principal), committed.img and the daemon
 * state as sk_store_commit().  Returns 0; -EALREADY (generation already
 * runs here: nothing done); -ESTALE (a newer generation runs here, or the
 * dataplane's is not cp->generation); -EINVAL (bad image, invalid text with
 * diag filled, or the dataplane's refusal in err); -ENOTCONN (fn NULL);
 * -ENOMEM; -ETIMEDOUT.
 */
int sk_store_commit_image(struct sk_cp *cp, uint64_t generation, const void *img,
			  size_t img_len, const char *text, size_t text_len,
			  const char *principal, const char *source,
			  sk_store_commit_fn fn, void *ctx, struct sk_cfg_diag *diag,
			  struct sk_store_commit_res *res, char *err, size_t errlen)
			  __attribute__((warn_unused_result));

/* ---- export / import (store_bundle.c) ---- */

#define SK_STORE_BUNDLE_VERSION 1

/*
 * A bundle of archive gen with the unit's keys (<state_dir>/tls/ regular
 * files and <state_dir>/tokens), malloc'd in *blob.  0 or -errno.
 */
int sk_store_bundle_export(struct sk_store *st, uint64_t gen, void **blob, size_t *len,
			   char *err, size_t errlen) __attribute__((warn_unused_result));

/*
 * Check a bundle (format, version, SHA-256, the archive's own checksums),
 * validate its config with the current validator, install its keys (0600)
 * and archive it: under its own number if that is above every archived one,
 * else the next (source "import:<n>").  *out gets the archive's meta,
 * *n_keys the keys installed (either may be NULL).  -EBADMSG with a message
 * for a truncated, tampered or malformed bundle, -EPROTONOSUPPORT for a
 * bundle from a newer format or Sekisho, -EINVAL with diag for an invalid
 * config.
 */
int sk_store_bundle_import(struct sk_store *st, const void *blob, size_t len,
			   struct sk_cfg_diag *diag, struct sk_store_meta *out,
			   unsigned int *n_keys, char *err, size_t errlen)
			   __attribute__((warn_unused_result));

/*
 * The same checks and key installation, but nothing archived: the bundle's
 * text (malloc'd, NUL-terminated) and meta are handed back so that the
 * caller commits it, which archives it once under the new generation
 * (POST /config/archives/import?commit=1).
 */
int sk_store_bundle_unpack(struct sk_store *st, const void *blob, size_t len,
			   struct sk_cfg_diag *diag, char **text, size_t *text_len,
			   struct sk_store_meta *meta, unsigned int *n_keys,
			   char *err, size_t errlen) __attribute__((warn_unused_result));

/* ---- diff (store_diff.c) ---- */

/*
 * Unified diff (as diff -u) of text a against b with context lines of
 * context, headed "--- label_a" / "+++ label_b".  *out is malloc'd and
 * NUL-terminated, empty when the texts are equal.  Minimal for diffs of up
 * to a few thousand changed lines; beyond that a changed middle is shown as
 * removed then added (still correct, not minimal).  0 or -ENOMEM.
 */
int sk_store_diff(const char *a, size_t alen, const char *b, size_t blen,
		  const char *label_a, const char *label_b, unsigned int context,
		  char **out, size_t *out_len) __attribute__((warn_unused_result));

/* ---- helpers for the API ---- */

/*
 * diag as the details.errors array of a 422 answer:
 * [{"file": "candidate", "line": 12, "message": "..."}], line 0 when the
 * message has none.  New reference; NULL when out of memory.
 */
json_t *sk_store_diag_errors(const struct sk_cfg_diag *diag);

#endif /* SK_STORE_H */
