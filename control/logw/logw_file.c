/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * logw_file.c - size-capped rotated log files: sekisho.log is written,
 * sekisho.log.1 .. .N-1 are older, N = max_total_bytes / max_file_bytes (at
 * most SK_LOGW_FILES_MAX).
 *
 * The cap is a hard invariant, checked before every write: the sizes of all
 * files, each rounded up to whole filesystem blocks (what du reports), never
 * add up to more than max_total_bytes.  When a line does not fit, the oldest
 * files are deleted to make room; when no room can be made (a delete fails),
 * the line is dropped, never written past the cap.  Sizes are re-read from
 * the filesystem after every rotation and once a second, so files touched by
 * someone else cannot make the accounting drift for long.
 *
 * Errors never stop the writer: a directory that cannot be opened is retried
 * once a second; a failed write is reported to the caller, which counts it.
 * Files are opened with O_NOFOLLOW: a symlink planted in the log directory
 * must not make the daemon append to some other file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "logw_priv.h"

static uint64_t
round_up(uint64_t v, uint64_t blk)
{
	return (v + blk - 1) / blk * blk;
}

static void
file_name(char *buf, size_t len, uint32_t k)
{
	if (k == 0)
		snprintf(buf, len, "%s", SK_LOGW_FILE_NAME);
	else
		snprintf(buf, len, "%s.%u", SK_LOGW_FILE_NAME, k);
}

uint64_t
sk_logw_file_bytes(const struct sk_logw_file *f)
{
	uint64_t t = 0;
	uint32_t k;

	for (k = 0; k < f->nfiles; k++)
		t += f->size[k];
	return t;
}

/* Accounted size of an existing file: content rounded up, or what it really
 * holds if the filesystem allocated more. */
static uint64_t
stat_size(const struct sk_logw_file *f, const struct stat *st)
{
	uint64_t a = round_up((uint64_t)st->st_size, f->blk);
	uint64_t b = (uint64_t)st->st_blocks * 512u;

	return a > b ? a : b;
}

void
sk_logw_file_resync(struct sk_logw_file *f)
{
	char name[64];
	struct stat st;
	uint32_t k;

	if (f->dirfd < 0)
		return;
	for (k = 0; k < f->nfiles; k++) {
		file_name(name, sizeof(name), k);
		if (fstatat(f->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
			f->size[k] = stat_size(f, &st);
		else
			f->size[k] = 0;
	}
	/* The file we append to is what we hold open, whatever its name now. */
	if (f->fd >= 0 && fstat(f->fd, &st) == 0) {
		f->raw0 = (uint64_t)st.st_size;
		f->size[0] = stat_size(f, &st);
	}
}

/* Delete sekisho.log.K for K >= nfiles: left by a config that allowed more. */
static void
remove_extra(struct sk_logw_file *f)
{
	size_t base = strlen(SK_LOGW_FILE_NAME);
	struct dirent *de;
	DIR *d;
	int fd = openat(f->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		unsigned long k;
		char *end;

		if (strncmp(n, SK_LOGW_FILE_NAME, base) != 0 || n[base] != '.' ||
		    n[base + 1] < '1' || n[base + 1] > '9')
			continue;
		k = strtoul(n + base + 1, &end, 10);
		if (*end == '\0' && k >= f->nfiles)
			(void)unlinkat(f->dirfd, n, 0);
	}
	closedir(d);
}

static int
open_dir(struct sk_logw_file *f)
{
	struct stat st;

	if (f->dirfd >= 0)
		return 0;
	f->dirfd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->dirfd < 0 && errno == ENOENT && mkdir(f->dir, 0750) == 0)
		f->dirfd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->dirfd < 0)
		return -errno;
	f->blk = 4096;
	if (fstat(f->dirfd, &st) == 0 && st.st_blksize >= 512 && st.st_blksize <= (1 << 20))
		f->blk = (uint64_t)st.st_blksize;
	remove_extra(f);
	return 0;
}

static int
open_active(struct sk_logw_file *f, uint64_t now)
{
	int rc;

	if (f->fd >= 0)
		return 0;
	if (now < f->retry_ns)
		return f->last_errno ? -f->last_errno : -EIO;
	rc = open_dir(f);
	if (rc == 0) {
		f->fd = openat(f->dirfd, SK_LOGW_FILE_NAME,
			       O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
		rc = f->fd < 0 ? -errno : 0;
	}
	if (rc < 0) {
		f->retry_ns = now + SK_LOGW_RETRY_NS;
		f->last_errno = -rc;
		return rc;
	}
	f->partial = 0;
	sk_logw_file_resync(f);
	return 0;
}

int
sk_logw_file_open(struct sk_logw_file *f, const char *dir, uint64_t max_file,
		  uint64_t max_total, uint64_t now)
{
	uint64_t n = max_total / max_file;

	memset(f, 0, sizeof(*f));
	f->dirfd = -1;
	f->fd = -1;
	f->blk = 4096;
	snprintf(f->dir, sizeof(f->dir), "%s", dir);
	f->max_file = max_file;
	f->max_total = max_total;
	f->nfiles = (uint32_t)(n > SK_LOGW_FILES_MAX ? SK_LOGW_FILES_MAX : n < 1 ? 1 : n);
	f->size = calloc(f->nfiles, sizeof(*f->size));
	if (f->size == NULL)
		return -ENOMEM;
	(void)open_active(f, now); /* a failure is retried on the first write */
	return 0;
}

void
sk_logw_file_close(struct sk_logw_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->dirfd >= 0)
		close(f->dirfd);
	f->fd = f->dirfd = -1;
	free(f->size);
	f->size = NULL;
}

/* sekisho.log -> .1 -> .2 ...; the last one is replaced, so its space is freed. */
static int
rotate(struct sk_logw_file *f, uint64_t now)
{
	char from[64], to[64];
	uint32_t k;
	int rc = 0;

	close(f->fd);
	f->fd = -1;
	f->rotations++;
	if (f->nfiles == 1) {
		/* One file only (max_total < 2 * max_file, refused by the config
		 * checks): start it again. */
		if (unlinkat(f->dirfd, SK_LOGW_FILE_NAME, 0) < 0 && errno != ENOENT)
			rc = -errno;
	}
	for (k = f->nfiles - 1; k > 0; k--) {
		file_name(from, sizeof(from), k - 1);
		file_name(to, sizeof(to), k);
		if (renameat(f->dirfd, from, f->dirfd, to) < 0 && errno != ENOENT)
			rc = -errno;
	}
	if (rc < 0)
		f->last_errno = -rc;
	f->retry_ns = 0;
	if (open_active(f, now) < 0) {
		/* Sizes are still right for what is there. */
		f->raw0 = 0;
		return f->last_errno ? -f->last_errno : -EIO;
	}
	return rc;
}

/* Make the total fit need more bytes in file 0 by deleting the oldest files. */
static int
make_room(struct sk_logw_file *f, uint64_t after0)
{
	char name[64];
	uint32_t k;

	for (;;) {
		uint64_t total = sk_logw_file_bytes(f) - f->size[0] + after0;

		if (total <= f->max_total)
			return 0;
		for (k = f->nfiles - 1; k > 0 && f->size[k] == 0; k--)
			;
		if (k == 0)
			return -ENOSPC;
		file_name(name, sizeof(name), k);
		if (unlinkat(f->dirfd, name, 0) < 0 && errno != ENOENT) {
			f->last_errno = errno;
			return -ENOSPC;
		}
		f->size[k] = 0;
	}
}

int
sk_logw_file_write(struct sk_logw_file *f, const char *line, size_t len, uint64_t now)
{
	struct iovec iov[2];
	uint64_t need, after0;
	ssize_t n;
	int rc, iovcnt = 0;

	rc = open_active(f, now);
	if (rc < 0)
		return rc;
	/* A line cut short by an error is ended before the next one starts. */
	need = len + (f->partial ? 1 : 0);
	if (round_up(f->raw0 + need, f->blk) > f->max_file && f->raw0 > 0) {
		rc = rotate(f, now);
		if (f->fd < 0)
			return rc < 0 ? rc : -EIO;
		need = len;
	}
	after0 = round_up(f->raw0 + need, f->blk);
	if (after0 < f->size[0])
		after0 = f->size[0];
	if (after0 > f->max_file || make_room(f, after0) < 0)
		return -EFBIG;
	if (f->partial) {
		iov[iovcnt].iov_base = (void *)"\n";
		iov[iovcnt++].iov_len = 1;
	}
	iov[iovcnt].iov_base = (void *)line;
	iov[iovcnt++].iov_len = len;
	n = writev(f->fd, iov, iovcnt);
	if (n < 0) {
		/* EFBIG from the kernel (RLIMIT_FSIZE) is an I/O error here, not
		 * our cap. */
		rc = errno == EFBIG ? -EIO : -errno;
		f->last_errno = -rc;
		if (rc != -ENOSPC && rc != -EDQUOT && rc != -EINTR) {
			/* EIO, EBADF...: start over with a fresh open, later. */
			close(f->fd);
			f->fd = -1;
			f->retry_ns = now + SK_LOGW_RETRY_NS;
		}
		return rc;
	}
	if ((uint64_t)n < need) {
		/* Only part of it went out (the disk filled up mid-line): cut the
		 * file back to the last whole line, so every line stays parseable.
		 * If even that fails, the next line starts with a newline. */
		if (!f->partial && ftruncate(f->fd, (off_t)f->raw0) == 0) {
			n = 0;
		} else {
			f->raw0 += (uint64_t)n;
			f->partial = 1;
		}
		if (round_up(f->raw0, f->blk) > f->size[0])
			f->size[0] = round_up(f->raw0, f->blk);
		f->last_errno = ENOSPC;
		return -ENOSPC;
	}
	f->raw0 += (uint64_t)n;
	if (round_up(f->raw0, f->blk) > f->size[0])
		f->size[0] = round_up(f->raw0, f->blk);
	f->partial = 0;
	return 0;
}
