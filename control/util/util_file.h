/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * util_file.h - the one crash-safe file write of the control plane: the
 * image, archives, TLS material and exported archives all go through it, so
 * a crash or power cut leaves either the old file or the new one, never a
 * torn one.
 */
#ifndef SK_UTIL_FILE_H
#define SK_UTIL_FILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Write len bytes of data to path atomically: a temporary file beside it
 * (mkstemp, so never world-readable while written), chmod mode, fsync,
 * rename over path, then fsync the directory so the rename is durable.
 * Returns 0 or -errno; on failure the temporary file is removed and path is
 * untouched.  Not thread-safe against another writer of the same path.
 */
int sk_util_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
	__attribute__((warn_unused_result));

/* Write all len bytes to fd (retrying short writes and EINTR): 0 or -errno. */
int sk_util_write_all(int fd, const void *data, size_t len) __attribute__((warn_unused_result));

/*
 * Read the regular file path whole into a malloc'd, NUL-terminated buffer
 * (*buf, *len without the NUL).  0, or -errno: -EFBIG past max bytes,
 * -EINVAL for something that is not a regular file.
 */
int sk_util_read_file(const char *path, size_t max, void **buf, size_t *len)
	__attribute__((warn_unused_result));

/* fsync the directory dir (best effort: errors are ignored, as a directory
 * fsync fails on some file systems that are durable anyway). */
void sk_util_fsync_dir(const char *dir);

#endif /* SK_UTIL_FILE_H */
