/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * store_util.c - the store's plumbing: whole files written so that a crash
 * leaves the old content or the new one (temp + fsync + rename + fsync of
 * the directory), SHA-256 and base64 from OpenSSL, and meta.json.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "store_priv.h"
#include "cfg.h"

void
sk_store_sha256_hex(const void *buf, size_t len, char out[SK_STORE_SHA256_HEX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	if (EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32) {
		/* Cannot happen with a working libcrypto; an empty digest
		 * never matches a stored one, so nothing passes unchecked. */
		out[0] = '\0';
		return;
	}
	for (i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * mdlen] = '\0';
}

int
sk_store_read_file(const char *path, void **buf, size_t *len)
{
	return sk_util_read_file(path, SK_STORE_FILE_MAX, buf, len);
}

int
sk_store_write_file(const char *path, const void *data, size_t len, mode_t mode, int excl)
{
	int fd, rc;

	if (!excl)
		return sk_util_write_atomic(path, data, len, mode);
	/* A new file in a directory that is renamed into place as a whole
	 * (an archive): no rename of its own; the caller syncs the directory. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	rc = sk_util_write_all(fd, data, len);
	if (rc == 0 && fchmod(fd, mode) != 0)
		rc = -errno;
	if (rc == 0 && fsync(fd) != 0)
		rc = -errno;
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	if (rc != 0)
		unlink(path);
	return rc;
}

int
sk_store_mkdir(const char *path, mode_t mode)
{
	struct stat sb;

	if (mkdir(path, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	if (stat(path, &sb) != 0)
		return -errno;
	return S_ISDIR(sb.st_mode) ? 0 : -ENOTDIR;
}

int
sk_store_rm_flat_dir(const char *path)
{
	char p[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(path);

	if (d == NULL)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", path, de->d_name) < (int)sizeof(p))
			(void)unlink(p);
	}
	closedir(d);
	return rmdir(path) == 0 ? 0 : -errno;
}

char *
sk_store_b64_encode(const void *buf, size_t len)
{
	char *out;

	if (len > (size_t)INT_MAX / 4 * 3 - 3)
		return NULL;
	out = malloc((len + 2) / 3 * 4 + 1);
	if (out == NULL)
		return NULL;
	EVP_EncodeBlock((unsigned char *)out, buf, (int)len);
	return out;
}

void *
sk_store_b64_decode(const char *s, size_t *len, int *rc)
{
	size_t n = strlen(s), pad = 0, i;
	unsigned char *out;
	int m;

	/* EVP_DecodeBlock quietly skips whitespace and counts padding as
	 * data, so check the shape here and fix the length afterwards. */
	if (n % 4 != 0 || n > (size_t)INT_MAX) {
		*rc = -EINVAL;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		char c = s[i];
		int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			 (c >= '0' && c <= '9') || c == '+' || c == '/' ||
			 (c == '=' && i >= n - 2);

		if (!ok || (pad && c != '=')) {
			*rc = -EINVAL;
			return NULL;
		}
		pad += c == '=';
	}
	out = malloc(n / 4 * 3 + 1);
	if (out == NULL) {
		*rc = -ENOMEM;
		return NULL;
	}
	m = n ? EVP_DecodeBlock(out, (const unsigned char *)s, (int)n) : 0;
	if (m < 0 || (size_t)m < pad) {
		free(out);
		*rc = -EINVAL;
		return NULL;
	}
	*len = (size_t)m - pad;
	out[*len] = '\0';
	*rc = 0;
	return out;
}

char *
sk_store_json_dump(const json_t *o)
{
	return json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
}

json_t *
sk_store_meta_to_json(const struct sk_store_meta *m)
{
	return json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I}",
			 "generation", (json_int_t)m->generation,
			 "dp_generation", (json_int_t)m->dp_generation,
			 "time", (json_int_t)m->time,
			 "principal", m->principal,
			 "source", m->source,
			 "version", m->version,
			 "text_sha256", m->text_sha256,
			 "image_sha256", m->image_sha256,
			 "image_crc", (json_int_t)m->image_crc,
			 "text_len", (json_int_t)m->text_len,
			 "image_len", (json_int_t)m->image_len);
}

static int
copy_str(char *dst, size_t size, const char *src, const char *what, char *err, size_t errlen)
{
	if (strlen(src) >= size) {
		snprintf(err, errlen, "meta: %s too long", what);
		return -EINVAL;
	}
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

static int
hex64(const char *s)
{
	size_t i;

	if (strlen(s) != 64)
		return 0;
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int
sk_store_meta_from_json(const json_t *o, struct sk_store_meta *m, char *err, size_t errlen)
{
	json_int_t gen, dpgen, t, crc, tlen, ilen;
	const char *pr, *src, *ver, *tsha, *isha;
	json_error_t je;

	memset(m, 0, sizeof(*m));
	if (json_unpack_ex((json_t *)(uintptr_t)o, &je, JSON_STRICT,
			   "{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I}",
			   "generation", &gen, "dp_generation", &dpgen, "time", &t,
			   "principal", &pr, "source", &src, "version", &ver,
			   "text_sha256", &tsha, "image_sha256", &isha,
			   "image_crc", &crc, "text_len", &tlen, "image_len", &ilen) != 0) {
		snprintf(err, errlen, "meta: %s", je.text);
		return -EINVAL;
	}
	if (gen <= 0 || dpgen < 0 || crc < 0 || crc > UINT32_MAX || tlen < 0 || ilen < 0 ||
	    !hex64(tsha) || !hex64(isha)) {
		snprintf(err, errlen, "meta: a field is out of range");
		return -EINVAL;
	}
	m->generation = (uint64_t)gen;
	m->dp_generation = (uint64_t)dpgen;
	m->time = (int64_t)t;
	m->image_crc = (uint32_t)crc;
	m->text_len = (uint64_t)tlen;
	m->image_len = (uint64_t)ilen;
	if (copy_str(m->principal, sizeof(m->principal), pr, "principal", err, errlen) ||
	    copy_str(m->source, sizeof(m->source), src, "source", err, errlen) ||
	    copy_str(m->version, sizeof(m->version), ver, "version", err, errlen))
		return -EINVAL;
	memcpy(m->text_sha256, tsha, SK_STORE_SHA256_HEX);
	memcpy(m->image_sha256, isha, SK_STORE_SHA256_HEX);
	return 0;
}

json_t *
sk_store_diag_errors(const struct sk_cfg_diag *diag)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < sk_cfg_diag_count(diag); i++) {
		/* Messages are "file:line: message" or "file: message"; a file
		 * name may hold ':' itself, so look for ":<digits>: " first. */
		const char *s = sk_cfg_diag_msg(diag, i), *p, *msg = s;
		unsigned long line = 0;
		size_t flen = 0;
		json_t *e;

		for (p = s; (p = strchr(p, ':')) != NULL; p++) {
			const char *q = p + 1;

			while (*q >= '0' && *q <= '9')
				q++;
			if (q > p + 1 && q[0] == ':' && q[1] == ' ') {
				flen = (size_t)(p - s);
				line = strtoul(p + 1, NULL, 10);
				msg = q + 2;
				break;
			}
		}
		if (p == NULL && (p = strstr(s, ": ")) != NULL) {
			flen = (size_t)(p - s);
			msg = p + 2;
		}
		e = json_pack("{s:s%, s:I, s:s}", "file", s, flen, "line", (json_int_t)line,
			      "message", msg);
		if (e == NULL || json_array_append_new(arr, e) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}
