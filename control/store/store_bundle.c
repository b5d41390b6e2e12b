/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * store_bundle.c - export/import of one archive plus the unit's keys: the
 * file that rebuilds a unit from scratch.
 *
 * A bundle is one JSON document (docs/config-lifecycle.md):
 *   {"sekisho_bundle": 1, "sha256": "<hex>", "content": {
 *      "format_version": 1, "sekisho_version": "0.1.0", "created": <unix>,
 *      "meta": {<meta.json>}, "config": "<base64>", "image": "<base64>",
 *      "keys": [{"path": "tls/server.key", "data": "<base64>"}, ...]}}
 * sha256 is over "content" serialised with sorted keys and no whitespace.
 * It catches truncation and damage; it is not a signature (anyone who can
 * edit the file can recompute it), so a bundle is kept like the keys it
 * holds.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "store_priv.h"
#include "cfg.h"
#include "sk_image_api.h"

#define KEYS_DIR "tls"
#define TOKENS_FILE "tokens"
#define MAX_KEYS 256

static int
key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
add_key(json_t *keys, const char *state_dir, const char *rel)
{
	char p[PATH_MAX];
	void *buf;
	size_t len;
	char *b64;
	int rc;

	snprintf(p, sizeof(p), "%s/%s", state_dir, rel);
	rc = sk_store_read_file(p, &buf, &len);
	if (rc != 0)
		return rc;
	b64 = sk_store_b64_encode(buf, len);
	free(buf);
	if (b64 == NULL)
		return -ENOMEM;
	rc = json_array_append_new(keys, json_pack("{s:s, s:s}", "path", rel, "data", b64));
	free(b64);
	return rc == 0 ? 0 : -ENOMEM;
}

/* tls/<regular files, sorted> then tokens, when present. */
static int
collect_keys(const char *state_dir, json_t *keys, char *err, size_t errlen)
{
	char dir[PATH_MAX], *names[MAX_KEYS];
	size_t n = 0, i;
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s/" KEYS_DIR, state_dir);
	d = opendir(dir);
	if (d == NULL && errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	while (d != NULL && (de = readdir(d)) != NULL) {
		char p[PATH_MAX + NAME_MAX + 2];

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (stat(p, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		if (n == MAX_KEYS) {
			rc = -E2BIG;
			snprintf(err, errlen, "%s: more than %d files", dir, MAX_KEYS);
			break;
		}
		if (asprintf(&names[n], KEYS_DIR "/%s", de->d_name) < 0) {
			rc = -ENOMEM;
			break;
		}
		n++;
	}
	if (d != NULL)
		closedir(d);
	qsort(names, n, sizeof(names[0]), key_cmp);
	for (i = 0; i < n && rc == 0; i++) {
		rc = add_key(keys, state_dir, names[i]);
		if (rc != 0)
			snprintf(err, errlen, "%s/%s: %s", state_dir, names[i], strerror(-rc));
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	if (rc != 0)
		return rc;
	snprintf(dir, sizeof(dir), "%s/" TOKENS_FILE, state_dir);
	if (stat(dir, &sb) == 0 && S_ISREG(sb.st_mode)) {
		rc = add_key(keys, state_dir, TOKENS_FILE);
		if (rc != 0)
			snprintf(err, errlen, "%s: %s", dir, strerror(-rc));
	}
	return rc;
}

int
sk_store_bundle_export(struct sk_store *st, uint64_t gen, void **blob, size_t *len,
		       char *err, size_t errlen)
{
	struct sk_store_meta m;
	char *text = NULL, *t64 = NULL, *i64 = NULL, *dump = NULL;
	char sha[SK_STORE_SHA256_HEX];
	json_t *content = NULL, *doc = NULL, *keys;
	size_t tlen = 0, ilen = 0;
	void *img = NULL;
	int rc;

	*blob = NULL;
	rc = sk_store_get(st, gen, &text, &tlen, &img, &ilen, &m, err, errlen);
	if (rc != 0)
		return rc;
	t64 = sk_store_b64_encode(text, tlen);
	i64 = sk_store_b64_encode(img, ilen);
	keys = json_array();
	rc = -ENOMEM;
	if (t64 == NULL || i64 == NULL || keys == NULL)
		goto oom;
	content = json_pack("{s:i, s:s, s:I, s:o, s:s, s:s, s:o}",
			    "format_version", SK_STORE_BUNDLE_VERSION,
			    "sekisho_version", sk_store_sekisho_version(),
			    "created", (json_int_t)time(NULL),
			    "meta", sk_store_meta_to_json(&m),
			    "config", t64, "image", i64, "keys", keys);
	if (content == NULL)
		goto oom;
	rc = collect_keys(sk_store_state_dir(st), keys, err, errlen);
	if (rc != 0)
		goto out;
	rc = -ENOMEM;
	dump = sk_store_json_dump(content);
	if (dump == NULL)
		goto oom;
	sk_store_sha256_hex(dump, strlen(dump), sha);
	doc = json_pack("{s:i, s:s, s:O}", "sekisho_bundle", SK_STORE_BUNDLE_VERSION,
			"sha256", sha, "content", content);
	free(dump);
	dump = doc ? sk_store_json_dump(doc) : NULL;
	if (dump == NULL)
		goto oom;
	*len = strlen(dump);
	*blob = dump;
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	json_decref(doc);
	json_decref(content);
	free(text);
	free(img);
	free(t64);
	free(i64);
	return rc;
}

/* Dotted version as a number: major, minor, patch; suffixes ignored. */
static uint64_t
version_num(const char *v)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < 3; i++) {
		char *end;
		unsigned long x = strtoul(v, &end, 10);

		n = n * 100000 + (x < 100000 ? x : 99999);
		v = *end == '.' ? end + 1 : end;
		if (*end != '.')
			v = "";
	}
	return n;
}

/* Only tls/<name> and tokens: a bundle must never write elsewhere. */
static int
key_path_ok(const char *p)
{
	const char *name;

	if (strcmp(p, TOKENS_FILE) == 0)
		return 1;
	if (strncmp(p, KEYS_DIR "/", sizeof(KEYS_DIR)) != 0)
		return 0;
	name = p + sizeof(KEYS_DIR);
	return name[0] != '\0' && name[0] != '.' && strchr(name, '/') == NULL &&
	       strlen(name) < NAME_MAX;
}

struct bundle_key {
	const char *path;
	void *data;
	size_t len;
};

static int
bad(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "bundle refused: %s", msg);
	return -EBADMSG;
}

static int
install_keys(const char *state_dir, const struct bundle_key *k, size_t n,
	     char *err, size_t errlen)
{
	char p[PATH_MAX];
	size_t i;
	int rc;

	snprintf(p, sizeof(p), "%s/" KEYS_DIR, state_dir);
	rc = sk_store_mkdir(p, 0700);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", p, strerror(-rc));
		return rc;
	}
	for (i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/%s", state_dir, k[i].path);
		rc = sk_store_write_file(p, k[i].data, k[i].len, 0600, 0);
		if (rc != 0) {
			snprintf(err, errlen, "%s: %s", p, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* Everything decoded from a bundle, freed by bundle_free(). */
struct bundle {
	json_t *doc;
	struct sk_store_meta meta;
	char *text;
	size_t tlen;
	void *img;
	size_t ilen;
	struct bundle_key keys[MAX_KEYS];
	size_t n_keys;
};

static void
bundle_free(struct bundle *b)
{
	size_t i;

	for (i = 0; i < b->n_keys; i++)
		free(b->keys[i].data);
	free(b->text);
	free(b->img);
	json_decref(b->doc);
}

/* Parse and check everything short of validating the config. */
static int
bundle_parse(struct bundle *b, const void *blob, size_t len, char *err, size_t errlen)
{
	const char *sha, *ver, *t64, *i64;
	json_t *content, *meta, *keys, *k;
	json_int_t fmt, fmt2, created;
	char want[SK_STORE_SHA256_HEX], why[192], *dump;
	const struct sk_image_hdr *h;
	json_error_t je;
	size_t i;
	int rc;

	if (len == 0)
		return bad(err, errlen, "empty");
	b->doc = json_loadb(blob, len, JSON_REJECT_DUPLICATES, &je);
	if (b->doc == NULL) {
		snprintf(err, errlen, "bundle refused: truncated or not JSON "
			 "(line %d column %d: %s)", je.line, je.column, je.text);
		return -EBADMSG;
	}
	if (json_unpack_ex(b->doc, &je, JSON_STRICT, "{s:I, s:s, s:o}", "sekisho_bundle", &fmt,
			   "sha256", &sha, "content", &content) != 0 || !json_is_object(content))
		return bad(err, errlen, "not a Sekisho bundle");
	if (fmt > SK_STORE_BUNDLE_VERSION || fmt < 1) {
		snprintf(err, errlen, "bundle refused: format %" JSON_INTEGER_FORMAT
			 " (this unit reads format %d)", fmt, SK_STORE_BUNDLE_VERSION);
		return -EPROTONOSUPPORT;
	}
	dump = sk_store_json_dump(content);
	if (dump == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	sk_store_sha256_hex(dump, strlen(dump), want);
	free(dump);
	if (strcmp(want, sha) != 0)
		return bad(err, errlen, "SHA-256 mismatch: the content was changed or damaged");
	if (json_unpack_ex(content, &je, JSON_STRICT, "{s:I, s:s, s:I, s:o, s:s, s:s, s:o}",
			   "format_version", &fmt2, "sekisho_version", &ver, "created", &created,
			   "meta", &meta, "config", &t64, "image", &i64, "keys", &keys) != 0 ||
	    !json_is_array(keys)) {
		snprintf(why, sizeof(why), "malformed content (%s)", je.text);
		return bad(err, errlen, why);
	}
	if (fmt2 != fmt)
		return bad(err, errlen, "format versions disagree");
	if (version_num(ver) > version_num(sk_store_sekisho_version())) {
		snprintf(err, errlen, "bundle refused: made by Sekisho %s, this unit runs %s",
			 ver, sk_store_sekisho_version());
		return -EPROTONOSUPPORT;
	}
	if (sk_store_meta_from_json(meta, &b->meta, why, sizeof(why)) != 0)
		return bad(err, errlen, why);
	b->text = sk_store_b64_decode(t64, &b->tlen, &rc);
	if (b->text == NULL)
		return rc == -ENOMEM ? rc : bad(err, errlen, "config is not base64");
	b->img = sk_store_b64_decode(i64, &b->ilen, &rc);
	if (b->img == NULL)
		return rc == -ENOMEM ? rc : bad(err, errlen, "image is not base64");
	/* The archive's own checksums, as the store keeps them. */
	sk_store_sha256_hex(b->text, b->tlen, want);
	if (b->tlen != b->meta.text_len || strcmp(want, b->meta.text_sha256) != 0)
		return bad(err, errlen, "config does not match its SHA-256 in meta");
	sk_store_sha256_hex(b->img, b->ilen, want);
	h = b->img;
	if (b->ilen != b->meta.image_len || strcmp(want, b->meta.image_sha256) != 0 ||
	    b->ilen < sizeof(*h) || h->crc != b->meta.image_crc)
		return bad(err, errlen, "image does not match its SHA-256/CRC in meta");
	if (memchr(b->text, '\0', b->tlen) != NULL)
		return bad(err, errlen, "config contains a NUL byte");
	json_array_foreach(keys, i, k) {
		const char *path, *d64;
		struct bundle_key *bk;

		if (json_unpack_ex(k, &je, JSON_STRICT, "{s:s, s:s}", "path", &path,
				   "data", &d64) != 0)
			return bad(err, errlen, "malformed key entry");
		if (!key_path_ok(path)) {
			snprintf(why, sizeof(why), "key path '%.64s' is outside tls/ and tokens",
				 path);
			return bad(err, errlen, why);
		}
		if (b->n_keys == MAX_KEYS)
			return bad(err, errlen, "too many keys");
		bk = &b->keys[b->n_keys];
		bk->path = path;
		bk->data = sk_store_b64_decode(d64, &bk->len, &rc);
		if (bk->data == NULL)
			return rc == -ENOMEM ? rc : bad(err, errlen, "key data is not base64");
		b->n_keys++;
	}
	return 0;
}

/* Parse, check and validate a bundle, then archive it (archive) or hand its
 * text back (text); install its keys either way. */
static int
import(struct sk_store *st, const void *blob, size_t len, int archive,
       struct sk_cfg_diag *diag, struct sk_store_meta *out, char **text, size_t *tlen,
       unsigned int *n_keys, char *err, size_t errlen)
{
	struct bundle *b = calloc(1, sizeof(*b));
	struct sk_store_meta want;
	struct sk_cfg *cfg = NULL;
	void *rebuilt = NULL;
	const void *img;
	size_t ilen;
	char why[160];
	int rc;

	if (b == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = bundle_parse(b, blob, len, err, errlen);
	if (rc != 0)
		goto out;
	cfg = sk_cfg_load_string(b->text, "bundle", diag);
	if (cfg == NULL) {
		snprintf(err, errlen, "the bundle's config has %zu error(s)",
			 sk_cfg_diag_count(diag));
		rc = -EINVAL;
		goto out;
	}
	want = b->meta;
	img = b->img;
	ilen = b->ilen;
	if (!archive) {
		if (out != NULL)
			*out = b->meta;
		*text = b->text;
		*tlen = b->tlen;
		b->text = NULL;
	} else if (sk_image_verify(img, ilen, why, sizeof(why)) != 0) {
		/* Made by a Sekisho with another image format: the text is
		 * valid here, so build the image this unit reads. */
		rc = sk_cfg_image_build(cfg, &rebuilt, &ilen, err, errlen);
		if (rc != 0)
			goto out;
		((struct sk_image_hdr *)rebuilt)->generation =
			((const struct sk_image_hdr *)img)->generation;
		img = rebuilt;
		snprintf(want.source, sizeof(want.source), "import:%" PRIu64 " (image rebuilt)",
			 b->meta.generation);
		want.dp_generation = 0;
	} else if (want.generation <= sk_store_latest(st)) {
		snprintf(want.source, sizeof(want.source), "import:%" PRIu64, b->meta.generation);
		want.dp_generation = 0;
	}
	if (archive) {
		rc = sk_store_put(st, &want, b->text, b->tlen, img, ilen, out, err, errlen);
		if (rc != 0)
			goto out;
	}
	rc = install_keys(sk_store_state_dir(st), b->keys, b->n_keys, err, errlen);
	if (rc == 0 && n_keys != NULL)
		*n_keys = (unsigned int)b->n_keys;
	if (rc != 0 && !archive) {
		free(*text);
		*text = NULL;
	}
out:
	sk_cfg_free(cfg);
	free(rebuilt);
	bundle_free(b);
	free(b);
	return rc;
}

int
sk_store_bundle_import(struct sk_store *st, const void *blob, size_t len,
		       struct sk_cfg_diag *diag, struct sk_store_meta *out,
		       unsigned int *n_keys, char *err, size_t errlen)
{
	return import(st, blob, len, 1, diag, out, NULL, NULL, n_keys, err, errlen);
}

int
sk_store_bundle_unpack(struct sk_store *st, const void *blob, size_t len,
		       struct sk_cfg_diag *diag, char **text, size_t *text_len,
		       struct sk_store_meta *meta, unsigned int *n_keys, char *err, size_t errlen)
{
	*text = NULL;
	return import(st, blob, len, 0, diag, meta, text, text_len, n_keys, err, errlen);
}
