/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * store_priv.h - helpers shared by the store's files: whole-file I/O with
 * atomic replacement, digests, base64 and the meta.json form of
 * struct sk_store_meta.  Not for use outside control/store.
 */
#ifndef SK_STORE_PRIV_H
#define SK_STORE_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>

#include "store.h"
#include "util/util_file.h"

#define SK_STORE_FILE_MAX (512u << 20) /* refuse to read anything larger */

/* SHA-256 of buf as 64 lower-case hex digits + NUL. */
void sk_store_sha256_hex(const void *buf, size_t len, char out[SK_STORE_SHA256_HEX]);

/* Read a whole file (NUL appended, not counted).  0 or -errno. */
int sk_store_read_file(const char *path, void **buf, size_t *len);

/* Write data to path: create-exclusive when excl, else crash-safe over path
 * (sk_util_write_atomic).  Always fsynced; mode applied. */
int sk_store_write_file(const char *path, const void *data, size_t len, mode_t mode, int excl);

/* mkdir that accepts an existing directory. */
int sk_store_mkdir(const char *path, mode_t mode);

/* Remove a directory and the plain files in it (archives are flat). */
int sk_store_rm_flat_dir(const char *path);

/* Base64 (RFC 4648, padded, no line breaks).  NULL when out of memory. */
char *sk_store_b64_encode(const void *buf, size_t len);
/* Decode a string; NULL with -EINVAL/-ENOMEM in *rc on error. */
void *sk_store_b64_decode(const char *s, size_t *len, int *rc);

/* struct sk_store_meta <-> the JSON object in meta.json and bundles. */
json_t *sk_store_meta_to_json(const struct sk_store_meta *m);
int sk_store_meta_from_json(const json_t *o, struct sk_store_meta *m, char *err, size_t errlen);

/* Canonical serialisation (sorted keys, compact) used for files and hashes. */
char *sk_store_json_dump(const json_t *o);

#endif /* SK_STORE_PRIV_H */
