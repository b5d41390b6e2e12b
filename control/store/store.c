/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * store.c - the archive of committed generations and committed.img.
 *
 * Each archive is a directory archive/<gen> holding config.conf, image.img
 * and meta.json.  It is written in archive/.tmp-<gen>-XXXXXX, every file
 * fsynced, then renamed into place (the rename is the commit point) and the
 * archive directory fsynced; removal renames to .del-<gen> first.  So a
 * crash leaves whole archives plus temporaries that the next open deletes,
 * never half an archive under a generation's name.
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
#include <unistd.h>

#include "store_priv.h"
#include "store/store_version.h"
#include "cfg.h"
#include "sk_image_api.h"

#define F_TEXT "config.conf"
#define F_IMAGE "image.img"
#define F_META "meta.json"

struct sk_store {
	char *state_dir;
	char *archive_dir;
	char *committed_path;
	unsigned int keep;
	uint64_t running;
	uint64_t latest;
	struct sk_store_entry *ent;  /* sorted by generation, oldest first */
	size_t n, cap;
};

const char *
sk_store_sekisho_version(void)
{
	return SK_STORE_SEKISHO_VERSION;
}

static void
gen_dir(const struct sk_store *st, uint64_t gen, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%010" PRIu64, st->archive_dir, gen);
}

/* Recompute the checksums of what is on disk against meta. */
static int
verify_files(const struct sk_store_meta *m, const char *text, size_t tlen,
	     const void *img, size_t ilen, char *why, size_t whylen)
{
	const struct sk_image_hdr *h = img;
	char sha[SK_STORE_SHA256_HEX];

	if (tlen != m->text_len) {
		snprintf(why, whylen, "config.conf is %zu bytes, meta says %" PRIu64,
			 tlen, m->text_len);
		return -EBADMSG;
	}
	sk_store_sha256_hex(text, tlen, sha);
	if (strcmp(sha, m->text_sha256) != 0) {
		snprintf(why, whylen, "config.conf SHA-256 mismatch");
		return -EBADMSG;
	}
	if (ilen != m->image_len) {
		snprintf(why, whylen, "image.img is %zu bytes, meta says %" PRIu64,
			 ilen, m->image_len);
		return -EBADMSG;
	}
	sk_store_sha256_hex(img, ilen, sha);
	if (strcmp(sha, m->image_sha256) != 0) {
		snprintf(why, whylen, "image.img SHA-256 mismatch");
		return -EBADMSG;
	}
	if (ilen < sizeof(*h) || h->crc != m->image_crc ||
	    sk_image_crc(img, ilen) != m->image_crc) {
		snprintf(why, whylen, "image.img CRC mismatch");
		return -EBADMSG;
	}
	return 0;
}

/* Read one archive directory; text/img returned only when wanted. */
static int
read_archive(const struct sk_store *st, uint64_t gen, struct sk_store_meta *m,
	     char **text, size_t *tlen, void **img, size_t *ilen, char *why, size_t whylen)
{
	char dir[PATH_MAX], p[PATH_MAX + 16];
	void *tb = NULL, *ib = NULL, *mb = NULL;
	size_t tl = 0, il = 0, ml = 0;
	json_error_t je;
	json_t *o;
	int rc;

	gen_dir(st, gen, dir, sizeof(dir));
	snprintf(p, sizeof(p), "%s/" F_META, dir);
	rc = sk_store_read_file(p, &mb, &ml);
	if (rc != 0) {
		snprintf(why, whylen, F_META ": %s", strerror(-rc));
		return rc == -ENOENT ? -EBADMSG : rc;
	}
	o = json_loadb(mb, ml, 0, &je);
	free(mb);
	if (o == NULL) {
		snprintf(why, whylen, F_META ": %s", je.text);
		return -EBADMSG;
	}
	rc = sk_store_meta_from_json(o, m, why, whylen);
	json_decref(o);
	if (rc != 0)
		return -EBADMSG;
	if (m->generation != gen) {
		snprintf(why, whylen, F_META " names generation %" PRIu64, m->generation);
		return -EBADMSG;
	}
	snprintf(p, sizeof(p), "%s/" F_TEXT, dir);
	rc = sk_store_read_file(p, &tb, &tl);
	if (rc == 0) {
		snprintf(p, sizeof(p), "%s/" F_IMAGE, dir);
		rc = sk_store_read_file(p, &ib, &il);
	}
	if (rc != 0) {
		snprintf(why, whylen, "%s: %s", p + strlen(dir) + 1, strerror(-rc));
		rc = rc == -ENOENT ? -EBADMSG : rc;
	} else {
		rc = verify_files(m, tb, tl, ib, il, why, whylen);
	}
	if (rc == 0 && text != NULL) {
		*text = tb;
		*tlen = tl;
		tb = NULL;
	}
	if (rc == 0 && img != NULL) {
		*img = ib;
		*ilen = il;
		ib = NULL;
	}
	free(tb);
	free(ib);
	return rc;
}

static int
ent_cmp(const void *a, const void *b)
{
	const struct sk_store_entry *x = a, *y = b;

	return x->meta.generation < y->meta.generation ? -1 :
	       x->meta.generation > y->meta.generation;
}

static struct sk_store_entry *
ent_push(struct sk_store *st)
{
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 16;
		void *p = realloc(st->ent, cap * sizeof(*st->ent));

		if (p == NULL)
			return NULL;
		st->ent = p;
		st->cap = cap;
	}
	memset(&st->ent[st->n], 0, sizeof(st->ent[0]));
	return &st->ent[st->n++];
}

static int
parse_gen(const char *name, uint64_t *gen)
{
	char *end;
	size_t i;

	for (i = 0; name[i] != '\0'; i++)
		if (name[i] < '0' || name[i] > '9')
			return -EINVAL;
	if (i == 0 || i > 19)
		return -EINVAL;
	*gen = strtoull(name, &end, 10);
	return *gen ? 0 : -EINVAL;
}

static int
scan(struct sk_store *st, char *err, size_t errlen)
{
	struct dirent *de;
	char p[PATH_MAX];
	DIR *d = opendir(st->archive_dir);

	if (d == NULL) {
		snprintf(err, errlen, "%s: %s", st->archive_dir, strerror(errno));
		return -errno;
	}
	while ((de = readdir(d)) != NULL) {
		struct sk_store_entry *e;
		uint64_t gen;
		int rc;

		if (strncmp(de->d_name, ".tmp-", 5) == 0 || strncmp(de->d_name, ".del-", 5) == 0) {
			/* An interrupted write or removal: never a valid archive. */
			snprintf(p, sizeof(p), "%s/%s", st->archive_dir, de->d_name);
			(void)sk_store_rm_flat_dir(p);
			continue;
		}
		if (parse_gen(de->d_name, &gen) != 0)
			continue;
		e = ent_push(st);
		if (e == NULL) {
			closedir(d);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		rc = read_archive(st, gen, &e->meta, NULL, NULL, NULL, NULL,
				  e->problem, sizeof(e->problem));
		if (rc != 0) {
			e->corrupt = 1;
			e->meta.generation = gen; /* whatever meta said, the name rules */
		}
		if (gen > st->latest)
			st->latest = gen;
	}
	closedir(d);
	if (st->n > 1)
		qsort(st->ent, st->n, sizeof(st->ent[0]), ent_cmp);
	return 0;
}

int
sk_store_open(const char *state_dir, unsigned int keep, struct sk_store **out,
	      char *err, size_t errlen)
{
	struct sk_store *st;
	int rc;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	st->keep = keep ? keep : SK_STORE_KEEP_DEFAULT;
	st->state_dir = strdup(state_dir);
	if (asprintf(&st->archive_dir, "%s/archive", state_dir) < 0)
		st->archive_dir = NULL; /* asprintf leaves it undefined */
	if (asprintf(&st->committed_path, "%s/committed.img", state_dir) < 0)
		st->committed_path = NULL;
	if (st->state_dir == NULL || st->archive_dir == NULL || st->committed_path == NULL) {
		sk_store_close(st);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* 0700: configs may carry pre-shared keys. */
	rc = sk_store_mkdir(state_dir, 0700);
	if (rc == 0)
		rc = sk_store_mkdir(st->archive_dir, 0700);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", st->archive_dir, strerror(-rc));
		sk_store_close(st);
		return rc;
	}
	rc = scan(st, err, errlen);
	if (rc != 0) {
		sk_store_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

void
sk_store_close(struct sk_store *st)
{
	if (st == NULL)
		return;
	free(st->ent);
	free(st->state_dir);
	free(st->archive_dir);
	free(st->committed_path);
	free(st);
}

size_t
sk_store_list(const struct sk_store *st, const struct sk_store_entry **ent)
{
	*ent = st->ent;
	return st->n;
}

static struct sk_store_entry *
find(const struct sk_store *st, uint64_t gen)
{
	size_t lo = 0, hi = st->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (st->ent[mid].meta.generation == gen)
			return &st->ent[mid];
		if (st->ent[mid].meta.generation < gen)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct sk_store_entry *
sk_store_find(const struct sk_store *st, uint64_t gen)
{
	return find(st, gen);
}

size_t
sk_store_n_corrupt(const struct sk_store *st)
{
	size_t i, n = 0;

	for (i = 0; i < st->n; i++)
		n += st->ent[i].corrupt != 0;
	return n;
}

uint64_t
sk_store_latest(const struct sk_store *st)
{
	return st->latest;
}

uint64_t
sk_store_next_generation(const struct sk_store *st)
{
	return st->latest + 1;
}

unsigned int
sk_store_keep(const struct sk_store *st)
{
	return st->keep;
}

void
sk_store_set_running(struct sk_store *st, uint64_t gen)
{
	st->running = gen;
}

uint64_t
sk_store_running(const struct sk_store *st)
{
	return st->running;
}

const char *
sk_store_committed_path(const struct sk_store *st)
{
	return st->committed_path;
}

const char *
sk_store_state_dir(const struct sk_store *st)
{
	return st->state_dir;
}

/* Remove archive gen from disk and from the list. */
static void
drop(struct sk_store *st, size_t i)
{
	char dir[PATH_MAX], del[PATH_MAX];
	uint64_t gen = st->ent[i].meta.generation;

	gen_dir(st, gen, dir, sizeof(dir));
	snprintf(del, sizeof(del), "%s/.del-%" PRIu64, st->archive_dir, gen);
	/* Rename first: a crash mid-removal must not leave a partial archive
	 * under a generation's name. */
	if (rename(dir, del) == 0)
		(void)sk_store_rm_flat_dir(del);
	else
		(void)sk_store_rm_flat_dir(dir);
	memmove(&st->ent[i], &st->ent[i + 1], (st->n - i - 1) * sizeof(st->ent[0]));
	st->n--;
}

static void
prune(struct sk_store *st)
{
	size_t i = 0;

	while (st->n > st->keep && i < st->n) {
		if (st->ent[i].meta.generation == st->running) {
			i++;
			continue;
		}
		drop(st, i);
	}
	sk_util_fsync_dir(st->archive_dir);
}

static int
write_archive(struct sk_store *st, const struct sk_store_meta *m, const char *text,
	      const void *img, char *err, size_t errlen)
{
	char tmp[PATH_MAX], dir[PATH_MAX], p[PATH_MAX + 16];
	json_t *o = sk_store_meta_to_json(m);
	char *mj = o ? sk_store_json_dump(o) : NULL;
	int rc = 0;

	json_decref(o);
	if (mj == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%" PRIu64 "-XXXXXX", st->archive_dir, m->generation);
	if (mkdtemp(tmp) == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		free(mj);
		return rc;
	}
	snprintf(p, sizeof(p), "%s/" F_TEXT, tmp);
	rc = sk_store_write_file(p, text, m->text_len, 0600, 1);
	if (rc == 0) {
		snprintf(p, sizeof(p), "%s/" F_IMAGE, tmp);
		rc = sk_store_write_file(p, img, m->image_len, 0600, 1);
	}
	if (rc == 0) {
		snprintf(p, sizeof(p), "%s/" F_META, tmp);
		rc = sk_store_write_file(p, mj, strlen(mj), 0600, 1);
	}
	free(mj);
	if (rc == 0) {
		sk_util_fsync_dir(tmp);
		gen_dir(st, m->generation, dir, sizeof(dir));
		if (rename(tmp, dir) != 0)
			rc = -errno;
		snprintf(p, sizeof(p), "%s", dir);
	}
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", p, strerror(-rc));
		(void)sk_store_rm_flat_dir(tmp);
		return rc;
	}
	sk_util_fsync_dir(st->archive_dir);
	return 0;
}

int
sk_store_put(struct sk_store *st, const struct sk_store_meta *want,
	     const char *text, size_t text_len, const void *img, size_t img_len,
	     struct sk_store_meta *out, char *err, size_t errlen)
{
	const struct sk_image_hdr *h = img;
	struct sk_store_entry *e;
	struct sk_store_meta m;
	int rc;

	if (img_len < sizeof(*h)) {
		snprintf(err, errlen, "image too short");
		return -EINVAL;
	}
	m = *want;
	m.generation = want->generation > st->latest ? want->generation : st->latest + 1;
	if (m.time == 0)
		m.time = (int64_t)time(NULL);
	if (m.version[0] == '\0')
		snprintf(m.version, sizeof(m.version), "%s", SK_STORE_SEKISHO_VERSION);
	m.text_len = text_len;
	m.image_len = img_len;
	m.image_crc = h->crc;
	sk_store_sha256_hex(text, text_len, m.text_sha256);
	sk_store_sha256_hex(img, img_len, m.image_sha256);
	rc = write_archive(st, &m, text, img, err, errlen);
	if (rc != 0)
		return rc;
	e = ent_push(st); /* appended: the newest, so the order holds */
	if (e == NULL) {
		/* On disk but not listed; the next open will list it. */
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	e->meta = m;
	st->latest = m.generation;
	prune(st);
	if (out != NULL)
		*out = m;
	return 0;
}

int
sk_store_get(struct sk_store *st, uint64_t gen, char **text, size_t *text_len,
	     void **img, size_t *img_len, struct sk_store_meta *meta, char *err, size_t errlen)
{
	struct sk_store_entry *e = find(st, gen);
	struct sk_store_meta m;
	char *t = NULL;
	void *i = NULL;
	size_t tl = 0, il = 0;
	int rc;

	if (e == NULL) {
		snprintf(err, errlen, "no archive of generation %" PRIu64, gen);
		return -ENOENT;
	}
	if (e->corrupt) {
		snprintf(err, errlen, "archive %" PRIu64 " is corrupt: %s", gen, e->problem);
		return -EBADMSG;
	}
	rc = read_archive(st, gen, &m, &t, &tl, &i, &il, e->problem, sizeof(e->problem));
	if (rc != 0) {
		/* It went bad since open: remember that, like open would have. */
		e->corrupt = 1;
		snprintf(err, errlen, "archive %" PRIu64 " is corrupt: %s", gen, e->problem);
		return -EBADMSG;
	}
	if (text != NULL) {
		*text = t;
		if (text_len != NULL)
			*text_len = tl;
	} else {
		free(t);
	}
	if (img != NULL) {
		*img = i;
		if (img_len != NULL)
			*img_len = il;
	} else {
		free(i);
	}
	if (meta != NULL)
		*meta = m;
	return 0;
}

int
sk_store_write_committed(struct sk_store *st, const void *img, size_t len,
			 char *err, size_t errlen)
{
	int rc = sk_store_write_file(st->committed_path, img, len, 0600, 0);

	if (rc != 0)
		snprintf(err, errlen, "%s: %s", st->committed_path, strerror(-rc));
	return rc;
}
