/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_link_key.c - the HA link's key from the PSK file (ha.psk_file): read
 * with care (a regular file, not empty, not open to others), derived at
 * once, the PSK wiped.  Nothing here ever prints the PSK or the key.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include "ha_link.h"

#define PSK_MAX 4096

int
sk_ha_link_key_from_file(const char *path, uint8_t key[SK_HA_KEY_LEN], char *err,
			 size_t errlen)
{
	char buf[PSK_MAX + 1];
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "ha psk file %s: %s", path, strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "ha psk file %s: not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	/* A secret others can read is no secret; one they can write is not ours. */
	if (st.st_mode & 0007) {
		snprintf(err, errlen, "ha psk file %s: open to other users (mode %03o; chmod 600)",
			 path, (unsigned int)(st.st_mode & 0777));
		close(fd);
		return -EPERM;
	}
	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			snprintf(err, errlen, "ha psk file %s: %s", path, strerror(errno));
			close(fd);
			OPENSSL_cleanse(buf, sizeof(buf));
			return rc;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len > PSK_MAX) {
		snprintf(err, errlen, "ha psk file %s: larger than %d bytes", path, PSK_MAX);
		OPENSSL_cleanse(buf, sizeof(buf));
		return -EFBIG;
	}
	/* `echo secret > file` and `printf secret > file` give the same key */
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
			   buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		len--;
	if (len == 0) {
		snprintf(err, errlen, "ha psk file %s: empty", path);
		return -EINVAL;
	}
	rc = sk_ha_link_key_derive(buf, len, key);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (rc != 0)
		snprintf(err, errlen, "ha psk file %s: key derivation failed", path);
	return rc;
}
