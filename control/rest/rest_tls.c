/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rest_tls.c - the server's certificate and key.  The management API is
 * HTTPS only, even before an operator installs a certificate: on first
 * start a self-signed EC P-256 certificate is generated into
 * <state_dir>/tls and reused afterwards, so its fingerprint can be pinned
 * once (curl --cacert) and does not change under the operator's feet.
 * Files are written atomically (temporary file, fsync, rename); the key is
 * created 0600 and never readable by anyone else, not even for a moment.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "rest_priv.h"
#include "util/util_file.h"

#define TLS_FILE_MAX (1u << 20)
#define TLS_VALID_DAYS 3652 /* ten years, leap days included */

static void
ssl_err(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, errlen, "%s: %s", what, e ? buf : "failed");
	ERR_clear_error();
}

/* Whole file into a NUL-terminated malloc'd buffer. */
static int
read_file(const char *path, char **out, mode_t *mode, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		int rc = -errno;

		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (size_t)st.st_size > TLS_FILE_MAX) {
		snprintf(err, errlen, "%s: not a regular file of 1 byte..1 MiB", path);
		close(fd);
		return -EINVAL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*out = buf;
	if (mode != NULL)
		*mode = st.st_mode;
	return 0;
}

static int
write_atomic(const char *path, const char *data, size_t len, mode_t mode, char *err,
	     size_t errlen)
{
	int rc = sk_util_write_atomic(path, data, len, mode);

	if (rc != 0)
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
	return rc;
}

static int
mkdir_p(const char *dir, mode_t mode, char *err, size_t errlen)
{
	char buf[PATH_MAX];
	size_t i, n = strlen(dir);

	if (n == 0 || n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, mode) != 0 && errno != EEXIST) {
			int rc = -errno;

			snprintf(err, errlen, "%s: %s", buf, strerror(errno));
			return rc;
		}
		buf[i] = i < n ? '/' : '\0';
	}
	return 0;
}

/* Do the PEM texts hold a certificate and the private key that goes with it? */
static int
pair_ok(const char *cert_pem, const char *key_pem, const char *what, char *err, size_t errlen)
{
	BIO *cb = BIO_new_mem_buf(cert_pem, -1), *kb = BIO_new_mem_buf(key_pem, -1);
	X509 *x = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
	EVP_PKEY *k = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
	int rc = 0;

	if (x == NULL) {
		ssl_err(err, errlen, what);
		rc = -EINVAL;
	} else if (k == NULL) {
		ssl_err(err, errlen, what);
		rc = -EINVAL;
	} else if (X509_check_private_key(x, k) != 1) {
		snprintf(err, errlen, "%s: the key does not belong to the certificate", what);
		ERR_clear_error();
		rc = -EINVAL;
	}
	X509_free(x);
	EVP_PKEY_free(k);
	BIO_free(cb);
	BIO_free(kb);
	return rc;
}

static int
add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? 0 : -1;
}

static char *
bio_text(BIO *b)
{
	char *data, *s;
	long n = BIO_get_mem_data(b, &data);

	if (n <= 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (s != NULL) {
		memcpy(s, data, (size_t)n);
		s[n] = '\0';
	}
	return s;
}

/* A self-signed certificate for unit, valid for the listen address. */
static int
generate(const struct sk_cfg_mgmt *m, const char *unit, char **cert, char **key, char *err,
	 size_t errlen)
{
	static const uint8_t zero[16];
	unsigned char serial[16];
	char san[256], ip[INET6_ADDRSTRLEN];
	EVP_PKEY *pk = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name;
	BIGNUM *bn = NULL;
	BIO *cb = BIO_new(BIO_s_mem()), *kb = BIO_new(BIO_s_mem());
	int rc = -EIO;

	*cert = *key = NULL;
	if (pk == NULL || x == NULL || cb == NULL || kb == NULL) {
		ssl_err(err, errlen, "generating the TLS key");
		goto out;
	}
	/* Positive 127-bit random serial: unique without a serial file. */
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		goto fail;
	serial[0] &= 0x7f;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (bn == NULL || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
		goto fail;
	if (X509_set_version(x, 2) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -300) == NULL || /* clock skew */
	    X509_time_adj_ex(X509_getm_notAfter(x), TLS_VALID_DAYS, 0, NULL) == NULL ||
	    X509_set_pubkey(x, pk) != 1)
		goto fail;
	name = X509_get_subject_name(x);
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)unit,
				       -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
				       (const unsigned char *)"Sekisho", -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, name) != 1)
		goto fail;
	/* A wildcard listen address names no host: the unit's name must do. */
	if (memcmp(m->listen_addr, zero, 16) != 0 &&
	    inet_ntop(m->listen_family == 4 ? AF_INET : AF_INET6, m->listen_addr, ip,
		      sizeof(ip)) != NULL)
		snprintf(san, sizeof(san), "IP:%s,DNS:%s", ip, unit);
	else
		snprintf(san, sizeof(san), "DNS:%s", unit);
	if (add_ext(x, NID_basic_constraints, "critical,CA:FALSE") != 0 ||
	    add_ext(x, NID_key_usage, "critical,digitalSignature") != 0 ||
	    add_ext(x, NID_ext_key_usage, "serverAuth") != 0 ||
	    add_ext(x, NID_subject_key_identifier, "hash") != 0 ||
	    add_ext(x, NID_subject_alt_name, san) != 0)
		goto fail;
	if (X509_sign(x, pk, EVP_sha256()) <= 0)
		goto fail;
	if (PEM_write_bio_X509(cb, x) != 1 ||
	    PEM_write_bio_PrivateKey(kb, pk, NULL, NULL, 0, NULL, NULL) != 1)
		goto fail;
	*cert = bio_text(cb);
	*key = bio_text(kb);
	if (*cert == NULL || *key == NULL) {
		free(*cert);
		free(*key);
		*cert = *key = NULL;
		rc = -ENOMEM;
		goto out;
	}
	rc = 0;
	goto out;
fail:
	ssl_err(err, errlen, "generating the TLS certificate");
out:
	BN_free(bn);
	BIO_free(cb);
	BIO_free(kb);
	X509_free(x);
	EVP_PKEY_free(pk);
	return rc;
}

static int
configured(const struct sk_cfg_mgmt *m, char **cert, char **key, char *err, size_t errlen)
{
	mode_t mode = 0;
	int rc;

	rc = read_file(m->tls_cert, cert, NULL, err, errlen);
	if (rc != 0)
		return rc;
	rc = read_file(m->tls_key, key, &mode, err, errlen);
	if (rc == 0 && (mode & 0007)) {
		snprintf(err, errlen, "%s: the private key is readable by everyone (mode %04o); "
			 "chmod o-rwx it", m->tls_key, (unsigned int)(mode & 07777));
		rc = -EACCES;
	}
	if (rc == 0)
		rc = pair_ok(*cert, *key, m->tls_cert, err, errlen);
	return rc;
}

static int
self_signed(const struct sk_cfg_mgmt *m, const char *unit, char **cert, char **key, char *err,
	    size_t errlen)
{
	char dir[PATH_MAX], cpath[PATH_MAX], kpath[PATH_MAX];
	mode_t mode = 0;
	int rc, have_c, have_k;

	if (snprintf(dir, sizeof(dir), "%s/tls", m->state_dir) >= (int)sizeof(dir) ||
	    snprintf(cpath, sizeof(cpath), "%s/cert.pem", dir) >= (int)sizeof(cpath) ||
	    snprintf(kpath, sizeof(kpath), "%s/key.pem", dir) >= (int)sizeof(kpath))
		return -ENAMETOOLONG;
	rc = mkdir_p(dir, 0700, err, errlen);
	if (rc != 0)
		return rc;
	have_c = access(cpath, F_OK) == 0;
	have_k = access(kpath, F_OK) == 0;
	if (have_c && have_k) {
		rc = read_file(cpath, cert, NULL, err, errlen);
		if (rc == 0)
			rc = read_file(kpath, key, &mode, err, errlen);
		if (rc == 0 && (mode & 0077)) {
			snprintf(err, errlen, "%s: mode %04o, want 0600", kpath,
				 (unsigned int)(mode & 07777));
			rc = -EACCES;
		}
		if (rc == 0)
			rc = pair_ok(*cert, *key, cpath, err, errlen);
		return rc;
	}
	/* Neither, or a key without its certificate (the key is renamed into
	 * place first, so that is a start that died in between): make both. */
	rc = generate(m, unit, cert, key, err, errlen);
	if (rc == 0)
		rc = write_atomic(kpath, *key, strlen(*key), 0600, err, errlen);
	if (rc == 0)
		rc = write_atomic(cpath, *cert, strlen(*cert), 0644, err, errlen);
	return rc;
}

int
sk_rest_tls_material(const struct sk_cfg_mgmt *m, const char *unit, char **cert, char **key,
		     char *err, size_t errlen)
{
	char host[256];
	int rc;

	*cert = *key = NULL;
	if (unit == NULL || unit[0] == '\0') {
		if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
			snprintf(host, sizeof(host), "sekisho");
		host[sizeof(host) - 1] = '\0';
		unit = host;
	}
	if (m->tls_cert[0] != '\0' || m->tls_key[0] != '\0')
		rc = configured(m, cert, key, err, errlen);
	else
		rc = self_signed(m, unit, cert, key, err, errlen);
	if (rc != 0) {
		if (*key != NULL)
			OPENSSL_cleanse(*key, strlen(*key));
		free(*cert);
		free(*key);
		*cert = *key = NULL;
	}
	return rc;
}
