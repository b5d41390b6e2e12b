/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_store.c - the config lifecycle without a dataplane: archives on
 * disk, pruning, corruption found at open, committed.img replacement, the
 * commit/rollback pipeline against a stand-in dataplane, export/import
 * bundles (round trip, tampering, truncation).  Unified diffs:
 * test_storediff.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "sk_test.h"
#include "cfg.h"
#include "cp.h"
#include "sk_image_api.h"
#include "store/store.h"
#include "store/store_confirm.h"

static char *lab_text;

/* ---- helpers ---- */

static char *
read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			if (buf == NULL)
				break;
		}
		r = fread(buf + n, 1, cap - n - 1, f);

		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	if (buf != NULL)
		buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

static int
write_all(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (f == NULL)
		return -1;
	ok = fwrite(buf, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static int
same_file(const char *a, const char *b)
{
	size_t la, lb;
	char *x = read_all(a, &la), *y = read_all(b, &lb);
	int same = x != NULL && y != NULL && la == lb && memcmp(x, y, la) == 0;

	free(x);
	free(y);
	return same;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
sha256_hex(const void *buf, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0, i;

	EVP_Digest(buf, len, md, &n, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

/* lab.conf with conn_max 1024 + n: a family of valid, distinct configs. */
static char *
variant(unsigned int conn_max)
{
	const char *key = "conn_max = 65536;";
	const char *at = strstr(lab_text, key);
	char *out;

	if (at == NULL)
		return NULL;
	if (asprintf(&out, "%.*sconn_max = %u;%s", (int)(at - lab_text), lab_text, 1024 + conn_max,
		     at + strlen(key)) < 0)
		return NULL;
	return out;
}

static void *
compile(const char *text, size_t *len)
{
	struct sk_cfg_diag diag;
	struct sk_cfg *cfg;
	void *img = NULL;
	char err[256] = "";

	sk_cfg_diag_init(&diag);
	cfg = sk_cfg_load_string(text, "test", &diag);
	if (cfg == NULL || sk_cfg_image_build(cfg, &img, len, err, sizeof(err)) != 0)
		img = NULL;
	sk_cfg_free(cfg);
	sk_cfg_diag_free(&diag);
	return img;
}

static struct sk_store_meta
want(const char *principal, const char *source, uint64_t gen)
{
	struct sk_store_meta m;

	memset(&m, 0, sizeof(m));
	m.generation = gen;
	snprintf(m.principal, sizeof(m.principal), "%s", principal);
	snprintf(m.source, sizeof(m.source), "%s", source);
	return m;
}

/* Archive variant(conn) as a commit would; returns the generation or 0. */
static uint64_t
put_variant(struct sk_store *st, unsigned int conn, uint64_t gen)
{
	struct sk_store_meta w = want("tester", "commit", gen), got;
	char *text = variant(conn), err[256];
	size_t ilen = 0;
	void *img = text ? compile(text, &ilen) : NULL;
	int rc = img ? sk_store_put(st, &w, text, strlen(text), img, ilen, &got, err,
				    sizeof(err)) : -EINVAL;

	free(text);
	free(img);
	return rc == 0 ? got.generation : 0;
}

static int
archive_exists(const char *dir, uint64_t gen)
{
	char p[512];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/archive/%010" PRIu64, dir, gen);
	return stat(p, &sb) == 0;
}

static void
archive_file(char *buf, size_t size, const char *dir, uint64_t gen, const char *name)
{
	snprintf(buf, size, "%s/archive/%010" PRIu64 "/%s", dir, gen, name);
}

static void
flip_byte(const char *path, size_t at)
{
	size_t len;
	char *buf = read_all(path, &len);

	if (buf != NULL && len > 0) {
		buf[at % len] ^= 0x20;
		write_all(path, buf, len);
	}
	free(buf);
}

static int
count_tmp(const char *dir)
{
	char cmd[600];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "find '%s' -name '*.tmp*' -o -name '.tmp-*' | wc -l", dir);
	p = popen(cmd, "r");
	if (p != NULL) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

/* ---- archive ---- */

static void
test_archive(const char *dir)
{
	const struct sk_store_entry *ent;
	struct sk_store_meta meta;
	struct sk_store *st = NULL;
	char err[256] = "", p[512], sha[65], *text = NULL, *want_text;
	size_t n, tlen = 0, ilen = 0, wlen = 0;
	void *img = NULL, *wimg;
	struct stat sb;

	SK_CHECK(sk_store_open(dir, 0, &st, err, sizeof(err)) == 0, "open an empty state dir");
	SK_CHECK(sk_store_list(st, &ent) == 0 && sk_store_latest(st) == 0 &&
		 sk_store_next_generation(st) == 1 && sk_store_keep(st) == SK_STORE_KEEP_DEFAULT,
		 "empty store: no archives, next generation 1, keep 64");
	SK_CHECK(put_variant(st, 1000, 0) == 1 && put_variant(st, 2000, 0) == 2 &&
		 put_variant(st, 3000, 0) == 3, "three archives get generations 1, 2, 3");
	n = sk_store_list(st, &ent);
	SK_CHECK(n == 3 && ent[0].meta.generation == 1 && ent[2].meta.generation == 3,
		 "list holds them oldest first");

	want_text = variant(2000);
	wimg = compile(want_text, &wlen);
	SK_CHECK(sk_store_get(st, 2, &text, &tlen, &img, &ilen, &meta, err, sizeof(err)) == 0,
		 "get generation 2");
	SK_CHECK(text && tlen == strlen(want_text) && strcmp(text, want_text) == 0,
		 "its text is the text archived");
	/* created_unix differs between two builds: compare everything else */
	SK_CHECK(img && ilen == wlen && sk_image_verify(img, ilen, err, sizeof(err)) == 0 &&
		 memcmp((char *)img + sizeof(struct sk_image_hdr),
			(char *)wimg + sizeof(struct sk_image_hdr),
			wlen - sizeof(struct sk_image_hdr)) == 0,
		 "its image is the image archived");
	sha256_hex(want_text, strlen(want_text), sha);
	SK_CHECK(strcmp(meta.text_sha256, sha) == 0, "meta text SHA-256 is the text's");
	sha256_hex(img, ilen, sha);
	SK_CHECK(strcmp(meta.image_sha256, sha) == 0 &&
		 meta.image_crc == ((struct sk_image_hdr *)img)->crc,
		 "meta image SHA-256 and CRC are the image's");
	SK_CHECK(meta.generation == 2 && strcmp(meta.principal, "tester") == 0 &&
		 strcmp(meta.source, "commit") == 0 && meta.time > 0 &&
		 strcmp(meta.version, sk_store_sekisho_version()) == 0 && meta.text_len == tlen,
		 "meta records generation, principal, source, time and version");
	free(text);
	free(img);
	free(want_text);
	free(wimg);

	archive_file(p, sizeof(p), dir, 2, "config.conf");
	SK_CHECK(stat(p, &sb) == 0 && (sb.st_mode & 0777) == 0600, "archive files are 0600");
	snprintf(p, sizeof(p), "%s/archive", dir);
	SK_CHECK(stat(p, &sb) == 0 && (sb.st_mode & 0777) == 0700, "archive dir is 0700");
	SK_CHECK(count_tmp(dir) == 0, "no temporary left behind");
	SK_CHECK(sk_store_get(st, 9, &text, &tlen, NULL, NULL, NULL, err, sizeof(err)) == -ENOENT,
		 "get of a missing generation: -ENOENT");

	/* The dataplane's number is used when it is ahead, never reused. */
	SK_CHECK(put_variant(st, 4000, 10) == 10, "a preferred generation above latest is used");
	SK_CHECK(put_variant(st, 5000, 5) == 11, "a preferred generation not above latest is not");
	sk_store_close(st);
	st = NULL;

	/* Interrupted writes are cleaned up at open. */
	snprintf(p, sizeof(p), "%s/archive/.tmp-12-abcdef", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/archive/.tmp-12-abcdef/config.conf", dir);
	write_all(p, "half", 4);
	SK_CHECK(sk_store_open(dir, 0, &st, err, sizeof(err)) == 0, "reopen");
	n = sk_store_list(st, &ent);
	SK_CHECK(n == 5 && sk_store_n_corrupt(st) == 0 && sk_store_latest(st) == 11,
		 "reopen lists all five, none corrupt, latest 11");
	SK_CHECK(count_tmp(dir) == 0, "a half-written archive is removed at open");
	sk_store_close(st);
	sk_store_close(NULL);
}

static void
test_prune(const char *dir)
{
	const struct sk_store_entry *ent;
	struct sk_store *st = NULL;
	char err[256] = "";
	size_t n;
	int ok = 1;
	unsigned int i;

	SK_CHECK(sk_store_open(dir, 3, &st, err, sizeof(err)) == 0, "open with keep 3");
	for (i = 1; i <= 6; i++) {
		ok &= put_variant(st, 1000 + i, 0) == i;
		if (i == 2)
			sk_store_set_running(st, 2);
	}
	SK_CHECK(ok, "six archives");
	n = sk_store_list(st, &ent);
	SK_CHECK(n == 3 && ent[0].meta.generation == 2 && ent[1].meta.generation == 5 &&
		 ent[2].meta.generation == 6, "keeps the newest, and the running one (2, 5, 6)");
	SK_CHECK(!archive_exists(dir, 1) && archive_exists(dir, 2) && !archive_exists(dir, 3) &&
		 !archive_exists(dir, 4) && archive_exists(dir, 6), "pruned archives left the disk");
	sk_store_set_running(st, 6);
	SK_CHECK(put_variant(st, 1007, 0) == 7, "a seventh");
	n = sk_store_list(st, &ent);
	SK_CHECK(n == 3 && ent[0].meta.generation == 5 && !archive_exists(dir, 2),
		 "once not running, the old one goes too");
	sk_store_close(st);
}

static void
test_corrupt(const char *dir)
{
	const struct sk_store_entry *e;
	struct sk_store *st = NULL;
	char err[256] = "", p[512], *text = NULL;
	size_t tlen;
	int i, ok = 1;

	SK_CHECK(sk_store_open(dir, 0, &st, err, sizeof(err)) == 0, "open for corruption tests");
	for (i = 1; i <= 4; i++)
		ok &= put_variant(st, 100 + (unsigned int)i, 0) == (uint64_t)i;
	SK_CHECK(ok, "four archives");
	sk_store_close(st);
	st = NULL;

	archive_file(p, sizeof(p), dir, 1, "config.conf");
	flip_byte(p, 1234);
	archive_file(p, sizeof(p), dir, 2, "image.img");
	flip_byte(p, 4000);
	archive_file(p, sizeof(p), dir, 3, "meta.json");
	unlink(p);

	SK_CHECK(sk_store_open(dir, 0, &st, err, sizeof(err)) == 0,
		 "open succeeds with corrupt archives");
	SK_CHECK(sk_store_n_corrupt(st) == 3, "three corrupt archives reported (%zu)",
		 sk_store_n_corrupt(st));
	e = sk_store_find(st, 1);
	SK_CHECK(e && e->corrupt && strstr(e->problem, "config.conf"),
		 "a flipped byte in the text is found: %s", e ? e->problem : "-");
	e = sk_store_find(st, 2);
	SK_CHECK(e && e->corrupt && strstr(e->problem, "image.img"),
		 "a flipped byte in the image is found: %s", e ? e->problem : "-");
	e = sk_store_find(st, 3);
	SK_CHECK(e && e->corrupt && strstr(e->problem, "meta.json"),
		 "a missing meta.json is found: %s", e ? e->problem : "-");
	e = sk_store_find(st, 4);
	SK_CHECK(e && !e->corrupt, "the intact one is not flagged");
	SK_CHECK(sk_store_get(st, 1, &text, &tlen, NULL, NULL, NULL, err, sizeof(err)) == -EBADMSG &&
		 strstr(err, "corrupt"), "a corrupt archive is refused: %s", err);
	SK_CHECK(put_variant(st, 999, 0) == 5, "numbering continues past corrupt ones");

	/* Damage after open is caught when the archive is read. */
	archive_file(p, sizeof(p), dir, 4, "config.conf");
	flip_byte(p, 10);
	SK_CHECK(sk_store_get(st, 4, &text, &tlen, NULL, NULL, NULL, err, sizeof(err)) == -EBADMSG &&
		 sk_store_find(st, 4)->corrupt, "damage after open is caught on read");
	sk_store_close(st);
}

static void
test_committed(const char *dir)
{
	struct sk_store *st = NULL;
	char err[256] = "", *a = variant(1111), *b = variant(2222), *got;
	size_t alen = 0, blen = 0, glen = 0;
	void *ia = compile(a, &alen), *ib = compile(b, &blen);
	struct stat s1, s2;
	int fd;

	SK_CHECK(sk_store_open(dir, 0, &st, err, sizeof(err)) == 0, "open for committed.img");
	SK_CHECK(sk_store_write_committed(st, ia, alen, err, sizeof(err)) == 0,
		 "write committed.img");
	got = read_all(sk_store_committed_path(st), &glen);
	SK_CHECK(got && glen == alen && memcmp(got, ia, alen) == 0, "it holds the image");
	free(got);
	stat(sk_store_committed_path(st), &s1);
	fd = open(sk_store_committed_path(st), O_RDONLY);
	SK_CHECK(sk_store_write_committed(st, ib, blen, err, sizeof(err)) == 0, "replace it");
	stat(sk_store_committed_path(st), &s2);
	got = read_all(sk_store_committed_path(st), &glen);
	SK_CHECK(got && glen == blen && memcmp(got, ib, blen) == 0, "it holds the new image");
	free(got);
	SK_CHECK(s1.st_ino != s2.st_ino, "replaced by rename (a new inode), not rewritten in place");
	if (fd >= 0) {
		char *old = malloc(alen);
		ssize_t r = old ? pread(fd, old, alen, 0) : -1;

		SK_CHECK(r == (ssize_t)alen && memcmp(old, ia, alen) == 0,
			 "a reader that opened the old image still reads all of it");
		free(old);
		close(fd);
	}
	got = sk_image_load_file(sk_store_committed_path(st), &glen, err, sizeof(err));
	SK_CHECK(got != NULL, "the dataplane's loader accepts it");
	free(got);
	SK_CHECK((s2.st_mode & 0777) == 0600 && count_tmp(dir) == 0,
		 "committed.img is 0600, no temporary left");
	free(a);
	free(b);
	free(ia);
	free(ib);
	sk_store_close(st);
}

/* ---- commit and rollback against a stand-in dataplane ---- */

struct fake_dp {
	uint64_t gen;
	int fail_rc;
	unsigned int calls;
};

static int
fake_commit(void *ctx, const void *img, size_t len, uint64_t replaces, uint64_t *gen,
	    uint64_t *build_us, char *err, size_t errlen)
{
	struct fake_dp *dp = ctx;

	dp->calls++;
	if (dp->fail_rc) {
		snprintf(err, errlen, "refused by the fake dataplane");
		return dp->fail_rc;
	}
	if (replaces != dp->gen)
		return -ESTALE;
	if (sk_image_verify(img, len, err, errlen) != 0)
		return -EINVAL;
	*gen = ++dp->gen;
	*build_us = 1500;
	return 0;
}

static void
test_commit(const char *dir)
{
	struct sk_cp cp;
	struct fake_dp dp = { 0 };
	struct sk_store_commit_res res;
	struct sk_store_meta meta;
	struct sk_cfg_diag diag;
	char err[512] = "", *a = variant(1000), *b = variant(2000), *c = variant(3000), *t = NULL;
	const char *bad = "dataplane = { workers = \"many\"; };\nzones = ( 7 );\n";
	void *img = NULL, *cimg;
	size_t tlen, ilen, clen;
	unsigned int calls;
	json_t *errs;
	int rc;

	memset(&cp, 0, sizeof(cp));
	cp.state_dir = dir;
	SK_CHECK(sk_store_open(dir, 0, &cp.store, err, sizeof(err)) == 0, "open for commits");
	sk_cfg_diag_init(&diag);

	rc = sk_store_commit(&cp, a, strlen(a), 0, "alice", NULL, fake_commit, &dp, &diag, &res,
			     err, sizeof(err));
	SK_CHECK(rc == 0 && res.generation == 1 && res.archived == 1 && res.build_us == 1500 &&
		 res.warning[0] == '\0', "commit A: generation 1, archived (%d %s)", rc, err);
	SK_CHECK(cp.generation == 1 && cp.running && cp.running_text &&
		 strcmp(cp.running_text, a) == 0 && sk_store_running(cp.store) == 1,
		 "the daemon state follows the commit");
	cimg = read_all(sk_store_committed_path(cp.store), &clen);
	SK_CHECK(sk_store_get(cp.store, 1, NULL, NULL, &img, &ilen, &meta, err, sizeof(err)) == 0 &&
		 cimg && clen == ilen && memcmp(cimg, img, ilen) == 0 &&
		 ((struct sk_image_hdr *)img)->generation == 1 &&
		 sk_image_verify(img, ilen, err, sizeof(err)) == 0,
		 "committed.img is the archived image, stamped with generation 1");
	SK_CHECK(strcmp(meta.principal, "alice") == 0 && strcmp(meta.source, "commit") == 0 &&
		 meta.dp_generation == 1, "the archive names who committed it");
	free(cimg);
	free(img);
	img = NULL;

	rc = sk_store_commit(&cp, b, strlen(b), 0, "bob", NULL, fake_commit, &dp, &diag, &res,
			     err, sizeof(err));
	SK_CHECK(rc == -ESTALE && cp.generation == 1 && sk_store_latest(cp.store) == 1,
		 "a commit naming an old generation is stale, nothing archived: %s", err);
	dp.gen = 7; /* someone else committed behind our back */
	rc = sk_store_commit(&cp, b, strlen(b), 1, "bob", NULL, fake_commit, &dp, &diag, &res,
			     err, sizeof(err));
	SK_CHECK(rc == -ESTALE && cp.generation == 1 && sk_store_latest(cp.store) == 1,
		 "-ESTALE from the dataplane is passed on");
	dp.gen = 1;
	calls = dp.calls;
	rc = sk_store_commit(&cp, bad, strlen(bad), 1, "bob", NULL, fake_commit, &dp, &diag, &res,
			     err, sizeof(err));
	errs = sk_store_diag_errors(&diag);
	SK_CHECK(rc == -EINVAL && sk_cfg_diag_count(&diag) > 0 && dp.calls == calls,
		 "an invalid config never reaches the dataplane");
	SK_CHECK(errs && json_array_size(errs) == sk_cfg_diag_count(&diag) &&
		 strcmp(json_string_value(json_object_get(json_array_get(errs, 0), "file")),
			"candidate") == 0 &&
		 json_integer_value(json_object_get(json_array_get(errs, 0), "line")) >= 1 &&
		 json_string_length(json_object_get(json_array_get(errs, 0), "message")) > 0,
		 "errors as [{file, line, message}]: %s",
		 sk_cfg_diag_msg(&diag, 0) ? sk_cfg_diag_msg(&diag, 0) : "-");
	json_decref(errs);
	sk_cfg_diag_free(&diag);
	sk_cfg_diag_init(&diag);
	dp.fail_rc = -EINVAL;
	rc = sk_store_commit(&cp, b, strlen(b), 1, "bob", NULL, fake_commit, &dp, &diag, &res,
			     err, sizeof(err));
	SK_CHECK(rc == -EINVAL && sk_cfg_diag_count(&diag) == 0 && strstr(err, "fake") &&
		 sk_store_latest(cp.store) == 1, "a dataplane refusal is passed on with its message");
	dp.fail_rc = 0;
	rc = sk_store_commit(&cp, b, strlen(b), 1, "bob", NULL, NULL, NULL, &diag, &res,
			     err, sizeof(err));
	SK_CHECK(rc == -ENOTCONN, "no dataplane: -ENOTCONN");

	SK_CHECK(sk_store_commit(&cp, b, strlen(b), 1, "bob", NULL, fake_commit, &dp, &diag, &res,
				 err, sizeof(err)) == 0 &&
		 sk_store_commit(&cp, c, strlen(c), 2, "carol", NULL, fake_commit, &dp, &diag,
				 &res, err, sizeof(err)) == 0 && cp.generation == 3,
		 "commit B and C: generations 2 and 3");

	/* Rollback to 1 from 3 makes 4 with 1's text; 1..3 stay. */
	rc = sk_store_rollback(&cp, 1, 3, "dave", NULL, fake_commit, &dp, &diag, &res,
			       err, sizeof(err));
	SK_CHECK(rc == 0 && res.generation == 4 && res.archived == 4 && cp.generation == 4,
		 "rollback to 1 from 3 creates generation 4 (%d %s)", rc, err);
	SK_CHECK(sk_store_get(cp.store, 4, &t, &tlen, NULL, NULL, &meta, err, sizeof(err)) == 0 &&
		 strcmp(t, a) == 0 && strcmp(meta.source, "rollback:1") == 0 &&
		 strcmp(meta.principal, "dave") == 0, "generation 4 holds 1's text, source rollback:1");
	free(t);
	SK_CHECK(strcmp(cp.running_text, a) == 0 && sk_store_find(cp.store, 1) &&
		 sk_store_find(cp.store, 2) && sk_store_find(cp.store, 3),
		 "history is append-only: 1, 2 and 3 are still there");
	SK_CHECK(sk_store_rollback(&cp, 3, 2, "dave", NULL, fake_commit, &dp, &diag, &res,
				   err, sizeof(err)) == -ESTALE, "a stale rollback is refused");
	SK_CHECK(sk_store_rollback(&cp, 42, 4, "dave", NULL, fake_commit, &dp, &diag, &res,
				   err, sizeof(err)) == -ENOENT, "rollback to a missing archive: -ENOENT");
	sk_cfg_diag_free(&diag);
	free(a);
	free(b);
	free(c);
	free(cp.running_text);
	free(cp.running_img);
	sk_cfg_free(cp.running);
	sk_store_close(cp.store);
}

/* ---- commit with confirmation (store_confirm.c) ---- */

/* cp->committed, as the daemon's on_committed (which hands every commit to
 * HA config sync): the last source seen and how many. */
static char committed_source[64];
static unsigned int committed_calls;

static void
on_committed(struct sk_cp *cp, const char *principal, const char *source)
{
	(void)cp;
	(void)principal;
	committed_calls++;
	snprintf(committed_source, sizeof(committed_source), "%s", source ? source : "");
}

static void
test_confirm(const char *dir)
{
	struct sk_cp cp;
	struct fake_dp dp = { 0 };
	struct sk_store_commit_res res;
	struct sk_store_meta meta;
	struct sk_cfg_diag diag;
	struct sk_confirm c, again;
	enum sk_confirm_verdict v;
	char err[512] = "", path[512], *a = variant(100), *b = variant(200), *d = variant(300);
	char *t = NULL;
	size_t tlen;
	json_t *j;
	int64_t now = 1000000;

	memset(&cp, 0, sizeof(cp));
	memset(&c, 0, sizeof(c));
	cp.state_dir = dir;
	cp.committed = on_committed;
	snprintf(path, sizeof(path), "%s/confirm.json", dir);
	SK_CHECK(sk_store_open(dir, 0, &cp.store, err, sizeof(err)) == 0, "open for confirms");
	sk_cfg_diag_init(&diag);
	SK_CHECK(sk_confirm_load(dir, &c, err, sizeof(err)) == 0 && c.generation == 0 &&
		 sk_confirm_expire(&cp, &c, now, fake_commit, &dp, &res, err, sizeof(err)) ==
		 SK_CONFIRM_NONE, "nothing pending: nothing to load, nothing to expire");
	SK_CHECK(sk_store_commit(&cp, a, strlen(a), 0, "alice", NULL, fake_commit, &dp, &diag,
				 &res, err, sizeof(err)) == 0 && cp.generation == 1, "A runs as 1");

	/* B committed with 30 s to confirm; not confirmed: back to A as 3. */
	SK_CHECK(sk_store_commit(&cp, b, strlen(b), 1, "bob", NULL, fake_commit, &dp, &diag,
				 &res, err, sizeof(err)) == 0 && cp.generation == 2, "B runs as 2");
	SK_CHECK(sk_confirm_arm(dir, &c, cp.generation, 1, 30, "bob", now, err, sizeof(err)) == 0 &&
		 c.generation == 2 && c.rollback_to == 1 && c.deadline == now + 30 &&
		 access(path, F_OK) == 0, "armed: 2 returns to 1 at now + 30, saved (%s)", err);
	j = sk_confirm_json(&c, now + 10);
	SK_CHECK(j && json_is_true(json_object_get(j, "pending")) &&
		 json_integer_value(json_object_get(j, "remaining_s")) == 20 &&
		 json_integer_value(json_object_get(j, "rollback_to")) == 1,
		 "the pending one as JSON: 20 s left of 30");
	json_decref(j);
	v = sk_confirm_expire(&cp, &c, now + 29, fake_commit, &dp, &res, err, sizeof(err));
	SK_CHECK(v == SK_CONFIRM_WAITING && cp.generation == 2, "1 s before the deadline: waiting");
	v = sk_confirm_expire(&cp, &c, now + 30, fake_commit, &dp, &res, err, sizeof(err));
	printf("# %s\n", err);
	SK_CHECK(v == SK_CONFIRM_ROLLED_BACK && cp.generation == 3 && res.generation == 3 &&
		 strcmp(cp.running_text, a) == 0 && c.generation == 0 && access(path, F_OK) != 0,
		 "at the deadline: rolled back to A as generation 3, file removed");
	SK_CHECK(committed_calls == 3 && strcmp(committed_source, "rollback:1 (unconfirmed 2)") == 0,
		 "the rollback went through the commit path (committed hook: \"%s\"), which HA "
		 "config sync follows", committed_source);
	SK_CHECK(sk_store_get(cp.store, 3, &t, &tlen, NULL, NULL, &meta, err, sizeof(err)) == 0 &&
		 strcmp(t, a) == 0 && strcmp(meta.source, "rollback:1 (unconfirmed 2)") == 0 &&
		 strcmp(meta.principal, "sekisho-cp") == 0,
		 "archive 3 says why: source \"%s\", principal \"%s\"", meta.source, meta.principal);
	free(t);
	SK_CHECK(sk_confirm_expire(&cp, &c, now + 60, fake_commit, &dp, &res, err, sizeof(err)) ==
		 SK_CONFIRM_NONE && cp.generation == 3, "once rolled back, nothing more happens");

	/* Confirmed: D stays. */
	SK_CHECK(sk_store_commit(&cp, d, strlen(d), 3, "carol", NULL, fake_commit, &dp, &diag,
				 &res, err, sizeof(err)) == 0 &&
		 sk_confirm_arm(dir, &c, cp.generation, 3, 5, "carol", now, err, sizeof(err)) == 0 &&
		 sk_confirm_clear(dir, &c) == 0 && access(path, F_OK) != 0 &&
		 sk_confirm_expire(&cp, &c, now + 3600, fake_commit, &dp, &res, err, sizeof(err)) ==
		 SK_CONFIRM_NONE && cp.generation == 4 && strcmp(cp.running_text, d) == 0,
		 "confirmed (cleared): generation 4 stays an hour later");

	/* A restart while pending: a new process loads the file and rolls
	 * back at the same wall-clock deadline, or at once when it passed. */
	SK_CHECK(sk_store_commit(&cp, b, strlen(b), 4, "dave", NULL, fake_commit, &dp, &diag,
				 &res, err, sizeof(err)) == 0 &&
		 sk_confirm_arm(dir, &c, cp.generation, 4, 60, "dave", now, err, sizeof(err)) == 0,
		 "B again as 5, 60 s to confirm");
	SK_CHECK(sk_confirm_load(dir, &again, err, sizeof(err)) == 0 && again.generation == 5 &&
		 again.rollback_to == 4 && again.deadline == now + 60 && again.within == 60 &&
		 strcmp(again.principal, "dave") == 0, "reloaded after a restart: same pending one");
	v = sk_confirm_expire(&cp, &again, now + 61, fake_commit, &dp, &res, err, sizeof(err));
	SK_CHECK(v == SK_CONFIRM_ROLLED_BACK && cp.generation == 6 && strcmp(cp.running_text, d) == 0,
		 "the restarted one rolls back to D (archive 4) as 6: %s", err);

	/* Two confirmed commits in a row return to the last confirmed one. */
	memset(&c, 0, sizeof(c));
	SK_CHECK(sk_store_commit(&cp, a, strlen(a), 6, "erin", NULL, fake_commit, &dp, &diag, &res,
				 err, sizeof(err)) == 0 &&
		 sk_confirm_arm(dir, &c, 7, 6, 10, "erin", now, err, sizeof(err)) == 0 &&
		 sk_store_commit(&cp, b, strlen(b), 7, "erin", NULL, fake_commit, &dp, &diag, &res,
				 err, sizeof(err)) == 0 &&
		 sk_confirm_arm(dir, &c, 8, 7, 10, "erin", now + 5, err, sizeof(err)) == 0 &&
		 c.rollback_to == 6 && c.deadline == now + 15, "a chain keeps the target, moves the deadline");
	/* The dataplane is busy: pending kept, tried again. */
	dp.fail_rc = -ETIMEDOUT;
	v = sk_confirm_expire(&cp, &c, now + 15, fake_commit, &dp, &res, err, sizeof(err));
	SK_CHECK(v == SK_CONFIRM_RETRY && c.generation == 8 && access(path, F_OK) == 0,
		 "dataplane timeout: retry later, still pending (%s)", err);
	dp.fail_rc = 0;
	v = sk_confirm_expire(&cp, &c, now + 16, fake_commit, &dp, &res, err, sizeof(err));
	SK_CHECK(v == SK_CONFIRM_ROLLED_BACK && cp.generation == 9 && strcmp(cp.running_text, d) == 0,
		 "then rolled back to archive 6 (D), not to 7");

	/* Another generation runs: dropped.  A missing target: failed, kept running. */
	SK_CHECK(sk_confirm_arm(dir, &c, 42, 9, 10, "x", now, err, sizeof(err)) == 0 &&
		 sk_confirm_expire(&cp, &c, now, fake_commit, &dp, &res, err, sizeof(err)) ==
		 SK_CONFIRM_DROPPED && c.generation == 0 && access(path, F_OK) != 0,
		 "pending 42 while 9 runs: dropped (%s)", err);
	SK_CHECK(sk_confirm_arm(dir, &c, 9, 777, 1, "x", now, err, sizeof(err)) == 0 &&
		 sk_confirm_expire(&cp, &c, now + 1, fake_commit, &dp, &res, err, sizeof(err)) ==
		 SK_CONFIRM_FAILED && cp.generation == 9 && c.generation == 0,
		 "rollback target gone: failed, 9 stays (%s)", err);

	/* A file nobody can read is removed, never acted on. */
	SK_CHECK(write_all(path, "{\"generation\": \"x\"}", 19) == 0 &&
		 sk_confirm_load(dir, &again, err, sizeof(err)) == -EBADMSG &&
		 again.generation == 0 && access(path, F_OK) != 0, "a corrupt confirm.json: removed");

	sk_cfg_diag_free(&diag);
	free(a);
	free(b);
	free(d);
	free(cp.running_text);
	free(cp.running_img);
	sk_cfg_free(cp.running);
	sk_store_close(cp.store);
}

/* ---- bundles ---- */

static void
put_key(const char *dir, const char *rel, const char *data)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/tls", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	write_all(p, data, strlen(data));
}

/* Rewrite a bundle's content with fix(), then recompute its SHA-256 the way
 * a careful forger would, so the checks behind the checksum are reached. */
static char *
forge(const char *blob, size_t len, void (*fix)(json_t *content), int rehash)
{
	json_t *doc = json_loadb(blob, len, 0, NULL), *content;
	char *dump, sha[65], *out;

	if (doc == NULL)
		return NULL;
	content = json_object_get(doc, "content");
	fix(content);
	if (rehash) {
		dump = json_dumps(content, JSON_COMPACT | JSON_SORT_KEYS);
		sha256_hex(dump, strlen(dump), sha);
		free(dump);
		json_object_set_new(doc, "sha256", json_string(sha));
	}
	out = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(doc);
	return out;
}

static void
fix_config_byte(json_t *c)
{
	char *s = strdup(json_string_value(json_object_get(c, "config")));

	s[10] = s[10] == 'A' ? 'B' : 'A';
	json_object_set_new(c, "config", json_string(s));
	free(s);
}

static void
fix_key_path(json_t *c)
{
	json_array_append_new(json_object_get(c, "keys"),
			      json_pack("{s:s, s:s}", "path", "tls/../../evil", "data", "QUJD"));
}

static void
fix_format(json_t *c)
{
	json_object_set_new(c, "format_version", json_integer(99));
}

static void
fix_newer(json_t *c)
{
	json_object_set_new(c, "sekisho_version", json_string("999.0.0"));
}

/* An invalid config with a meta that matches it: only validation stops it. */
static void
fix_invalid_config(json_t *c)
{
	const char *text = "zones = ( 7 );\n";
	json_t *meta = json_object_get(c, "meta");
	char sha[65], *b64;
	size_t n = strlen(text);

	sha256_hex(text, n, sha);
	b64 = malloc(4 * ((n + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)text, (int)n);
	json_object_set_new(c, "config", json_string(b64));
	json_object_set_new(meta, "text_sha256", json_string(sha));
	json_object_set_new(meta, "text_len", json_integer((json_int_t)n));
	free(b64);
}

static int
mode_is(const char *path, unsigned int mode)
{
	struct stat sb;

	return stat(path, &sb) == 0 && (sb.st_mode & 0777) == mode;
}

static void
test_bundle(const char *dir, const char *copy)
{
	struct sk_store *st = NULL;
	struct sk_store_meta m;
	struct sk_cfg_diag diag;
	char err[512] = "", p[512], q[512], cmd[1200], *forged;
	const char *files[] = { "config.conf", "image.img", "meta.json" };
	const char *keys[] = { "tls/server.key", "tls/server.crt", "tokens" };
	unsigned int n_keys = 0, i;
	void *blob = NULL;
	size_t len = 0;
	int ok, rc;

	rm_rf(dir);
	rm_rf(copy);
	SK_CHECK(sk_store_open(dir, 0, &st, err, sizeof(err)) == 0, "open for bundles");
	SK_CHECK(put_variant(st, 1000, 0) == 1 && put_variant(st, 2000, 0) == 2 &&
		 put_variant(st, 3000, 7) == 7, "archives 1, 2, 7");
	put_key(dir, keys[0], "-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n");
	put_key(dir, keys[1], "-----BEGIN CERTIFICATE-----\npublic\n-----END CERTIFICATE-----\n");
	put_key(dir, keys[2], "admin:0123456789abcdef\n");
	SK_CHECK(sk_store_bundle_export(st, 7, &blob, &len, err, sizeof(err)) == 0 && len > 0,
		 "export generation 7 (%s)", err);
	sk_store_close(st);
	st = NULL;
	if (blob == NULL)
		return; /* nothing to import: the checks above already failed */

	/* Keep what the unit had, then wipe it. */
	snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s'", dir, copy);
	SK_CHECK(system(cmd) == 0, "copy the state dir aside");
	rm_rf(dir);
	SK_CHECK(access(dir, F_OK) != 0, "the state dir is gone");

	SK_CHECK(sk_store_open(dir, 0, &st, err, sizeof(err)) == 0, "a new unit: empty store");
	sk_cfg_diag_init(&diag);
	rc = sk_store_bundle_import(st, blob, len, &diag, &m, &n_keys, err, sizeof(err));
	SK_CHECK(rc == 0 && m.generation == 7 && n_keys == 3,
		 "import rebuilds archive 7 with 3 keys (%d %s)", rc, err);
	ok = 1;
	for (i = 0; i < 3; i++) {
		archive_file(p, sizeof(p), dir, 7, files[i]);
		archive_file(q, sizeof(q), copy, 7, files[i]);
		ok &= same_file(p, q);
	}
	SK_CHECK(ok, "config.conf, image.img and meta.json are byte for byte the same");
	ok = 1;
	for (i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, keys[i]);
		snprintf(q, sizeof(q), "%s/%s", copy, keys[i]);
		ok &= same_file(p, q) && mode_is(p, 0600);
	}
	snprintf(p, sizeof(p), "%s/tls", dir);
	SK_CHECK(ok && mode_is(p, 0700), "keys are byte for byte the same, 0600 in a 0700 tls/");
	SK_CHECK(sk_store_find(st, 7) && !sk_store_find(st, 1) && sk_store_latest(st) == 7,
		 "only the exported generation comes back");

	rc = sk_store_bundle_import(st, blob, len, &diag, &m, NULL, err, sizeof(err));
	SK_CHECK(rc == 0 && m.generation == 8 && strcmp(m.source, "import:7") == 0 &&
		 m.dp_generation == 0, "importing again appends generation 8 from import:7");

	{
		char *t = NULL, *want_text = variant(3000);
		size_t tlen = 0;

		n_keys = 0;
		rc = sk_store_bundle_unpack(st, blob, len, &diag, &t, &tlen, &m, &n_keys,
					    err, sizeof(err));
		SK_CHECK(rc == 0 && t && want_text && strcmp(t, want_text) == 0 &&
			 tlen == strlen(t) && m.generation == 7 && n_keys == 3 &&
			 sk_store_latest(st) == 8,
			 "unpack hands back the text for a commit and archives nothing");
		free(t);
		free(want_text);
	}

	/* Truncated and tampered bundles. */
	rc = sk_store_bundle_import(st, blob, len / 2, &diag, &m, NULL, err, sizeof(err));
	SK_CHECK(rc == -EBADMSG && strstr(err, "truncated"), "truncated: %s", err);
	rc = sk_store_bundle_import(st, blob, len - 1, &diag, &m, NULL, err, sizeof(err));
	SK_CHECK(rc == -EBADMSG && strstr(err, "truncated"), "one byte short: %s", err);
	rc = sk_store_bundle_import(st, "", 0, &diag, &m, NULL, err, sizeof(err));
	SK_CHECK(rc == -EBADMSG, "empty: %s", err);
	rc = sk_store_bundle_import(st, "{\"a\": 1}", 8, &diag, &m, NULL, err, sizeof(err));
	SK_CHECK(rc == -EBADMSG && strstr(err, "not a Sekisho bundle"), "other JSON: %s", err);

	forged = forge(blob, len, fix_config_byte, 0);
	rc = sk_store_bundle_import(st, forged, strlen(forged), &diag, &m, NULL, err, sizeof(err));
	SK_CHECK(rc == -EBADMSG && strstr(err, "SHA-256 mismatch"), "tampered config: %s", err);
	free(forged);
	forged = forge(blob, len, fix_config_byte, 1);
	rc = sk_store_bundle_import(st, forged, strlen(forged), &diag, &m, NULL, err, sizeof(err));
	SK_CHECK(rc == -EBADMSG && strstr(err, "does not match"),
		 "tampered config, checksum recomputed: the archive's own SHA-256 catches it: %s",
		 err);
	free(forged);
	forged = forge(blob, len, fix_key_path, 1);
	rc = sk_store_bundle_import(st, forged, strlen(forged), &diag, &m, NULL, err, sizeof(err));
	snprintf(p, sizeof(p), "%s/../evil", dir);
	SK_CHECK(rc == -EBADMSG && strstr(err, "outside") && access(p, F_OK) != 0,
		 "a key path escaping the state dir is refused: %s", err);
	free(forged);
	forged = forge(blob, len, fix_format, 1);
	rc = sk_store_bundle_import(st, forged, strlen(forged), &diag, &m, NULL, err, sizeof(err));
	SK_CHECK(rc == -EBADMSG, "format versions that disagree are refused: %s", err);
	free(forged);
	forged = forge(blob, len, fix_newer, 1);
	rc = sk_store_bundle_import(st, forged, strlen(forged), &diag, &m, NULL, err, sizeof(err));
	SK_CHECK(rc == -EPROTONOSUPPORT && strstr(err, "999.0.0"),
		 "a bundle from a newer Sekisho is refused: %s", err);
	free(forged);
	forged = forge(blob, len, fix_invalid_config, 1);
	rc = sk_store_bundle_import(st, forged, strlen(forged), &diag, &m, NULL, err, sizeof(err));
	SK_CHECK(rc == -EINVAL && sk_cfg_diag_count(&diag) > 0,
		 "an invalid config is refused by the validator: %s",
		 sk_cfg_diag_msg(&diag, 0) ? sk_cfg_diag_msg(&diag, 0) : err);
	free(forged);
	SK_CHECK(sk_store_latest(st) == 8, "no refused bundle was archived");

	sk_cfg_diag_free(&diag);
	free(blob);
	sk_store_close(st);
}

/* ---- diff ---- */

/* ---- HA config sync: a commit made elsewhere applied as the same generation ---- */

/* A dataplane that numbers a generation as ctl.c does: the header's, if set. */
static int
hdr_commit(void *ctx, const void *img, size_t len, uint64_t replaces, uint64_t *gen,
	   uint64_t *build_us, char *err, size_t errlen)
{
	struct fake_dp *dp = ctx;
	uint64_t id = ((const struct sk_image_hdr *)img)->generation;

	dp->calls++;
	if (replaces != dp->gen)
		return -ESTALE;
	if (sk_image_verify(img, len, err, errlen) != 0)
		return -EINVAL;
	id = id != 0 ? id : dp->gen + 1;
	if (id <= dp->gen) {
		snprintf(err, errlen, "generation %llu does not follow %llu",
			 (unsigned long long)id, (unsigned long long)dp->gen);
		return -EINVAL;
	}
	*gen = dp->gen = id;
	*build_us = 10;
	return 0;
}

static void
test_commit_image(const char *adir, const char *bdir)
{
	struct sk_cp a, b;
	struct fake_dp da = { 0 }, db = { 0 };
	struct sk_store_commit_res res;
	struct sk_store_meta meta;
	struct sk_cfg_diag diag;
	char err[512] = "", *t1 = variant(100), *t2 = variant(200), *atext = NULL, *btext = NULL;
	void *aimg = NULL, *bimg = NULL, *bad = NULL, *cimg;
	size_t atl = 0, ail = 0, btl = 0, bil = 0, clen = 0;
	int rc;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.state_dir = adir;
	b.state_dir = bdir;
	sk_cfg_diag_init(&diag);
	SK_CHECK(sk_store_open(adir, 0, &a.store, err, sizeof(err)) == 0 &&
		 sk_store_open(bdir, 0, &b.store, err, sizeof(err)) == 0, "two units' stores");
	/* the active: two commits (generations 1 and 2) */
	rc = sk_store_commit(&a, t1, strlen(t1), 0, "alice", NULL, hdr_commit, &da, &diag, &res,
			     err, sizeof(err));
	rc |= sk_store_commit(&a, t2, strlen(t2), 1, "alice", NULL, hdr_commit, &da, &diag, &res,
			      err, sizeof(err));
	SK_CHECK(rc == 0 && a.generation == 2, "active at generation 2 (%s)", err);
	SK_CHECK(sk_store_get(a.store, 2, &atext, &atl, &aimg, &ail, NULL, err, sizeof(err)) == 0,
		 "its archive 2");

	/* the standby (generation 0 here) takes it as generation 2 */
	rc = sk_store_commit_image(&b, 2, aimg, ail, atext, atl, "ha:unit 1", "sync:2",
				   hdr_commit, &db, &diag, &res, err, sizeof(err));
	SK_CHECK(rc == 0 && res.generation == 2 && res.archived == 2 && b.generation == 2 &&
		 db.gen == 2 && res.warning[0] == '\0', "applied as generation 2 (%d %s)", rc, err);
	SK_CHECK(b.running != NULL && b.running_text != NULL && strcmp(b.running_text, t2) == 0 &&
		 b.running_img_len == ail && memcmp(b.running_img, aimg, ail) == 0,
		 "the standby's daemon state: same text, same image bytes");
	SK_CHECK(sk_store_get(b.store, 2, &btext, &btl, &bimg, &bil, &meta, err, sizeof(err)) == 0 &&
		 btl == atl && bil == ail && memcmp(bimg, aimg, ail) == 0 &&
		 strcmp(meta.source, "sync:2") == 0 && strcmp(meta.principal, "ha:unit 1") == 0 &&
		 meta.dp_generation == 2, "archived there as 2, same image, source sync:2");
	cimg = read_all(sk_store_committed_path(b.store), &clen);
	SK_CHECK(cimg != NULL && clen == ail && memcmp(cimg, aimg, ail) == 0,
		 "committed.img there is the active's image");
	free(cimg);

	rc = sk_store_commit_image(&b, 2, aimg, ail, atext, atl, "ha", "sync:2", hdr_commit, &db,
				   &diag, &res, err, sizeof(err));
	SK_CHECK(rc == -EALREADY && db.calls == 1, "the same generation again: -EALREADY, nothing "
		 "done (%s)", err);
	rc = sk_store_commit_image(&b, 1, aimg, ail, atext, atl, "ha", "sync:1", hdr_commit, &db,
				   &diag, &res, err, sizeof(err));
	SK_CHECK(rc == -ESTALE && b.generation == 2, "an older generation: -ESTALE (%s)", err);
	rc = sk_store_commit_image(&b, 3, aimg, ail, atext, atl, "ha", "sync:3", hdr_commit, &db,
				   &diag, &res, err, sizeof(err));
	SK_CHECK(rc == -EINVAL && strstr(err, "image says generation 2") != NULL && db.calls == 1,
		 "the header must carry the generation named: %s", err);
	bad = malloc(ail);
	memcpy(bad, aimg, ail);
	((struct sk_image_hdr *)bad)->generation = 3;
	((uint8_t *)bad)[ail - 1] ^= 0x5a;
	rc = sk_store_commit_image(&b, 3, bad, ail, atext, atl, "ha", "sync:3", hdr_commit, &db,
				   &diag, &res, err, sizeof(err));
	SK_CHECK(rc == -EINVAL && db.calls == 1 && b.generation == 2,
		 "a damaged image never reaches the dataplane: %s", err);
	((uint8_t *)bad)[ail - 1] ^= 0x5a;
	rc = sk_store_commit_image(&b, 3, bad, ail, "zones = ( 7 );", 14, "ha", "sync:3",
				   hdr_commit, &db, &diag, &res, err, sizeof(err));
	SK_CHECK(rc == -EINVAL && sk_cfg_diag_count(&diag) > 0 && db.calls == 1,
		 "a text that does not validate here: refused with its errors");
	sk_cfg_diag_free(&diag);
	sk_cfg_diag_init(&diag);
	rc = sk_store_commit_image(&b, 3, bad, ail, atext, atl, "ha", "sync:3", NULL, NULL,
				   &diag, &res, err, sizeof(err));
	SK_CHECK(rc == -ENOTCONN, "no dataplane: -ENOTCONN");
	rc = sk_store_commit_image(&b, 3, bad, ail, atext, atl, "ha", "sync:3", hdr_commit, &db,
				   &diag, &res, err, sizeof(err));
	SK_CHECK(rc == 0 && b.generation == 3 && sk_store_latest(b.store) == 3,
		 "generation 3 follows (%s)", err);
	sk_cfg_diag_free(&diag);
	free(bad);
	free(atext);
	free(aimg);
	free(btext);
	free(bimg);
	free(t1);
	free(t2);
	sk_cfg_free(a.running);
	sk_cfg_free(b.running);
	free(a.running_text);
	free(b.running_text);
	free(a.running_img);
	free(b.running_img);
	sk_store_close(a.store);
	sk_store_close(b.store);
}

int
main(void)
{
	char tmpl[] = "/tmp/sk-store-test-XXXXXX", dir[128], copy[128];
	size_t len;

	lab_text = read_all("conf/lab.conf", &len);
	if (lab_text == NULL || strstr(lab_text, "conn_max = 65536;") == NULL) {
		printf("not ok 1 - conf/lab.conf with conn_max = 65536 (run from the source root)\n");
		return 1;
	}
	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/archive-test", tmpl);
	test_archive(dir);
	rm_rf(dir);
	test_prune(dir);
	rm_rf(dir);
	test_corrupt(dir);
	rm_rf(dir);
	test_committed(dir);
	rm_rf(dir);
	snprintf(copy, sizeof(copy), "%s/copy", tmpl);
	test_commit(dir);
	test_bundle(dir, copy);
	{
		char a[160], b[160];

		snprintf(a, sizeof(a), "%s/sync-a", tmpl);
		snprintf(b, sizeof(b), "%s/sync-b", tmpl);
		test_commit_image(a, b);
		snprintf(a, sizeof(a), "%s/confirm", tmpl);
		test_confirm(a);
	}
	rm_rf(tmpl);
	free(lab_text);
	return SK_TEST_DONE();
}
