/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * util_file.c - crash-safe file writes (write temp, fsync, rename, fsync dir)
 * and the one whole-file read.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util_file.h"

void
sk_util_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int
sk_util_write_all(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

int
sk_util_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	int fd, rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp); /* 0600 from the start */
	if (fd < 0)
		return -errno;
	rc = sk_util_write_all(fd, data, len);
	if (rc == 0 && fchmod(fd, mode) != 0)
		rc = -errno;
	if (rc == 0 && fsync(fd) != 0)
		rc = -errno;
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0) {
		unlink(tmp);
		return rc;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	sk_util_fsync_dir(dirname(dir));
	return 0;
}

int
sk_util_read_file(const char *path, size_t max, void **buf, size_t *len)
{
	struct stat sb;
	size_t done = 0;
	char *p;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) != 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	if (!S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > max) {
		close(fd);
		return S_ISREG(sb.st_mode) ? -EFBIG : -EINVAL;
	}
	p = malloc((size_t)sb.st_size + 1);
	if (p == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while (done < (size_t)sb.st_size) {
		ssize_t n = read(fd, p + done, (size_t)sb.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			break;
		}
		if (n == 0)
			break; /* shrank under us: return what is there */
		done += (size_t)n;
	}
	close(fd);
	if (rc != 0) {
		free(p);
		return rc;
	}
	p[done] = '\0';
	*buf = p;
	*len = done;
	return 0;
}
