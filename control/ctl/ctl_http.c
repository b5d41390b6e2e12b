/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_http.c - sekishoctl's libcurl wrapper: TLS (the unit's self-signed
 * certificate via --cacert, or --insecure), the bearer token, timeouts, and
 * turning failures into exit statuses and messages an operator can act on.
 *
 * The token is handed to libcurl as a bearer credential and is never
 * printed; the copy read from a file is wiped when the handle closes.
 * Redirects are never followed, so the token only goes where --url says.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>

#include "ctl_http.h"

struct sk_ctl_http {
	CURL *curl;
	const struct sk_ctl_args *args;
	char token[4096];            /* from --token-file; wiped on close */
	const char *bearer;          /* a->token or token[] or NULL */
	char errbuf[CURL_ERROR_SIZE];
};

struct body_buf {
	char *p;
	size_t len, cap;
	int too_big;
};

int
sk_ctl_exit_for_curl(int code)
{
	switch ((CURLcode)code) {
	case CURLE_OK:
		return SK_CTL_EXIT_OK;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return SK_CTL_EXIT_USAGE;
	default:
		/* resolve, connect, TLS handshake or verification, timeout,
		 * connection reset: in every case the unit was not reached */
		return SK_CTL_EXIT_UNREACHABLE;
	}
}

int
sk_ctl_exit_for_status(long status)
{
	return status >= 200 && status < 300 ? SK_CTL_EXIT_OK : SK_CTL_EXIT_API;
}

/* What to do about an error: by code where one status has several (the
 * HA pair's 409s and 503s), else by status. */
static const char *
status_hint(long status, const char *code)
{
	static const struct { const char *code, *hint; } by_code[] = {
		{ "standby", "this unit is the standby of an HA pair: commit on the active unit "
			     "(its commits reach this one), or add --force to commit here anyway" },
		{ "not_ha", "this unit is standalone (no ha group in its config)" },
		{ "not_ready", "the peer's config is not in sync yet: see 'sekishoctl ha' and retry" },
		{ "no_peer", "no live peer to hand over to: see 'sekishoctl ha'" },
		{ "timeout", "the peer did not confirm in time: see 'sekishoctl ha'" },
		{ "ha_refused", "see 'sekishoctl ha'" },
	};
	size_t i;

	for (i = 0; code != NULL && i < sizeof(by_code) / sizeof(by_code[0]); i++)
		if (strcmp(code, by_code[i].code) == 0)
			return by_code[i].hint;
	switch (status) {
	case 401: return "check --token/--token-file or SEKISHO_TOKEN";
	case 403: return "this address is not in the unit's admin networks";
	case 409: return "another commit got there first: look at 'sekishoctl config diff' and retry";
	case 503: return "the dataplane is not attached";
	default: return NULL;
	}
}

void
sk_ctl_print_api_error(FILE *err, long status, const json_t *doc, const char *raw,
		       size_t raw_len, const char *local_file)
{
	const char *code = NULL, *msg = NULL, *hint;
	const json_t *errors, *e;
	size_t i;

	if (json_is_object(doc)) {
		code = json_string_value(json_object_get(doc, "code"));
		msg = json_string_value(json_object_get(doc, "message"));
	}
	hint = status_hint(status, code);
	if (code != NULL || msg != NULL) {
		fprintf(err, "sekishoctl: HTTP %ld %s: %s\n", status, code != NULL ? code : "error",
			msg != NULL ? msg : "(no message)");
	} else {
		/* not our error shape (a proxy, a crash page): show its start */
		int n = raw_len > 200 ? 200 : (int)raw_len;

		while (n > 0 && isspace((unsigned char)raw[n - 1]))
			n--;
		fprintf(err, "sekishoctl: HTTP %ld%s%.*s\n", status, n > 0 ? ": " : "", n,
			raw != NULL ? raw : "");
	}
	errors = json_is_object(doc) ? json_object_get(json_object_get(doc, "details"), "errors") : NULL;
	json_array_foreach(errors, i, e) {
		const char *file = json_string_value(json_object_get(e, "file"));
		const char *m = json_string_value(json_object_get(e, "message"));
		json_int_t line = json_integer_value(json_object_get(e, "line"));

		if (file == NULL || *file == '\0')
			file = local_file;
		if (m == NULL)
			m = json_is_string(e) ? json_string_value(e) : "(no message)";
		if (file != NULL && line > 0)
			fprintf(err, "%s:%lld: %s\n", file, (long long)line, m);
		else if (file != NULL)
			fprintf(err, "%s: %s\n", file, m);
		else if (line > 0)
			fprintf(err, "line %lld: %s\n", (long long)line, m);
		else
			fprintf(err, "%s\n", m);
	}
	if (hint != NULL)
		fprintf(err, "sekishoctl: %s\n", hint);
}

/*
 * "-" is the standard input as already opened: a privileged parent (the VE's
 * reload helper) hands an unprivileged sekishoctl a token file it may not
 * open itself, and /dev/stdin would re-open the file by path and fail.
 */
int
sk_ctl_token_read(const char *path, char *buf, size_t len)
{
	int from_stdin = strcmp(path, "-") == 0;
	FILE *fp = from_stdin ? stdin : fopen(path, "r");
	size_t n, start = 0;
	int rc = 0;

	if (fp == NULL)
		return -errno;
	if (fgets(buf, (int)len, fp) == NULL) {
		rc = ferror(fp) ? -EIO : -ENODATA;
		buf[0] = '\0';
	}
	if (!from_stdin)
		fclose(fp);
	if (rc != 0)
		return rc;
	n = strlen(buf);
	if (n == len - 1 && buf[n - 1] != '\n') {
		explicit_bzero(buf, len);
		return -ENAMETOOLONG;
	}
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	while (isspace((unsigned char)buf[start]))
		start++;
	memmove(buf, buf + start, n - start + 1);
	return buf[0] == '\0' ? -ENODATA : 0;
}

int
sk_ctl_url_build(char *buf, size_t len, const char *base, const char *path, const char *query)
{
	size_t blen = strlen(base);
	int n;

	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	if (blen >= 7 && strncmp(base + blen - 7, "/api/v1", 7) == 0)
		blen -= 7;
	n = snprintf(buf, len, "%.*s/api/v1%s%s", (int)blen, base, path, query != NULL ? query : "");
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int
sk_ctl_url_safe(const char *url)
{
	static const char *const loopback[] = { "127.", "[::1]", "localhost" };
	size_t i;

	if (strncasecmp(url, "https://", 8) == 0)
		return 1;
	if (strncasecmp(url, "http://", 7) != 0)
		return 0;
	url += 7;
	for (i = 0; i < sizeof(loopback) / sizeof(loopback[0]); i++) {
		size_t l = strlen(loopback[i]);

		if (strncasecmp(url, loopback[i], l) != 0)
			continue;
		if (loopback[i][l - 1] == '.' || url[l] == '\0' || url[l] == ':' || url[l] == '/')
			return 1;
	}
	return 0;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct body_buf *b = ctx;
	size_t n = size * nmemb;

	if (b->len + n + 1 > SK_CTL_MAX_BODY) {
		b->too_big = 1;
		return 0;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap != 0 ? b->cap : 4096;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (p == NULL)
			return 0;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return n;
}

int
sk_ctl_http_open(const struct sk_ctl_args *a, struct sk_ctl_http **out, char *err, size_t errlen)
{
	struct sk_ctl_http *h;
	int rc;

	*out = NULL;
	if (!sk_ctl_url_safe(a->url)) {
		snprintf(err, errlen, "--url %s: use https:// (plain http only to a loopback address)",
			 a->url);
		return SK_CTL_EXIT_USAGE;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		snprintf(err, errlen, "out of memory");
		return SK_CTL_EXIT_API;
	}
	h->args = a;
	h->bearer = a->token;
	if (a->token_file != NULL) {
		rc = sk_ctl_token_read(a->token_file, h->token, sizeof(h->token));
		if (rc != 0) {
			snprintf(err, errlen, "--token-file %s: %s", a->token_file,
				 rc == -ENODATA ? "empty" : rc == -ENAMETOOLONG ? "token too long" :
				 strerror(-rc));
			sk_ctl_http_close(h);
			return SK_CTL_EXIT_USAGE;
		}
		h->bearer = h->token;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || (h->curl = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "cannot initialise libcurl");
		sk_ctl_http_close(h);
		return SK_CTL_EXIT_API;
	}
	if (a->insecure)
		fprintf(stderr, "sekishoctl: warning: --insecure: the unit's certificate is not "
			"verified; anyone in the path can read the token\n");
	*out = h;
	return 0;
}

void
sk_ctl_http_close(struct sk_ctl_http *h)
{
	if (h == NULL)
		return;
	if (h->curl != NULL) {
		curl_easy_cleanup(h->curl);
		curl_global_cleanup();
	}
	explicit_bzero(h->token, sizeof(h->token));
	free(h);
}

static void
set_common(struct sk_ctl_http *h, const char *url, struct curl_slist *hdrs, struct body_buf *b)
{
	const struct sk_ctl_args *a = h->args;
	CURL *c = h->curl;
	long ms = (long)a->timeout_s * 1000;

	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms < 10000 ? ms : 10000L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "sekishoctl/1");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	if (a->insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	} else {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
		if (a->cacert != NULL)
			curl_easy_setopt(c, CURLOPT_CAINFO, a->cacert);
	}
	if (h->bearer != NULL) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, h->bearer);
	}
}

int
sk_ctl_http_request(struct sk_ctl_http *h, const char *method, const char *path,
		    const char *query, const void *body, size_t len, const char *ctype,
		    struct sk_ctl_resp *resp)
{
	char url[4096], hdr[128];
	struct curl_slist *hdrs = NULL, *tmp;
	struct body_buf b = { 0 };
	const char *ct = NULL;
	CURLcode cc;
	int rc;

	memset(resp, 0, sizeof(*resp));
	if (sk_ctl_url_build(url, sizeof(url), h->args->url, path, query) != 0) {
		fprintf(stderr, "sekishoctl: request URL too long\n");
		return SK_CTL_EXIT_USAGE;
	}
	h->errbuf[0] = '\0';
	/* "Expect:" off: the daemon answers at once, no 100-continue round trip */
	snprintf(hdr, sizeof(hdr), "Content-Type: %s", ctype != NULL ? ctype : "");
	{
		const char *lines[] = { "Expect:", "Accept: application/json, */*",
					ctype != NULL ? hdr : NULL };
		size_t i;

		for (i = 0; i < sizeof(lines) / sizeof(lines[0]) && lines[i] != NULL; i++) {
			tmp = curl_slist_append(hdrs, lines[i]);
			if (tmp == NULL) {
				curl_slist_free_all(hdrs);
				fprintf(stderr, "sekishoctl: out of memory\n");
				return SK_CTL_EXIT_API;
			}
			hdrs = tmp;
		}
	}
	set_common(h, url, hdrs, &b);
	if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(h->curl, CURLOPT_HTTPGET, 1L);
	} else {
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST, method);
		if (body != NULL || strcmp(method, "POST") == 0) {
			curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
			curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body != NULL ? body : "");
		}
	}
	cc = curl_easy_perform(h->curl);
	curl_slist_free_all(hdrs);
	if (cc != CURLE_OK) {
		rc = sk_ctl_exit_for_curl(cc);
		if (b.too_big)
			fprintf(stderr, "sekishoctl: answer larger than %u MiB, refused\n",
				SK_CTL_MAX_BODY >> 20);
		else
			fprintf(stderr, "sekishoctl: cannot reach %s: %s\n", h->args->url,
				h->errbuf[0] != '\0' ? h->errbuf : curl_easy_strerror(cc));
		if (cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CACERT_BADFILE)
			fprintf(stderr, "sekishoctl: give the unit's certificate with --cacert "
				"(e.g. /var/lib/sekisho/tls/cert.pem) or SEKISHO_CACERT\n");
		free(b.p);
		return rc;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	if (curl_easy_getinfo(h->curl, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct != NULL)
		snprintf(resp->ctype, sizeof(resp->ctype), "%s", ct);
	if (b.p == NULL)
		b.p = calloc(1, 1);
	resp->body = b.p;
	resp->len = b.len;
	if (resp->body != NULL && (strncasecmp(resp->ctype, "application/json", 16) == 0 ||
				   (resp->ctype[0] == '\0' && resp->len > 0 &&
				    (resp->body[0] == '{' || resp->body[0] == '['))))
		resp->json = json_loadb(resp->body, resp->len, JSON_DECODE_ANY, NULL);
	return 0;
}

int
sk_ctl_call(struct sk_ctl_http *h, const char *method, const char *path, const char *query,
	    json_t *body, const char *local_file, struct sk_ctl_resp *resp)
{
	char *text = NULL;
	int rc;

	if (body != NULL) {
		text = json_dumps(body, JSON_COMPACT);
		if (text == NULL) {
			fprintf(stderr, "sekishoctl: out of memory\n");
			return SK_CTL_EXIT_API;
		}
	}
	rc = sk_ctl_http_request(h, method, path, query, text, text != NULL ? strlen(text) : 0,
				 text != NULL ? "application/json" : NULL, resp);
	free(text);
	if (rc != 0)
		return rc;
	rc = sk_ctl_exit_for_status(resp->status);
	if (rc != 0) {
		if (h->args->json && resp->json != NULL)
			sk_ctl_resp_print_raw(stdout, resp);
		sk_ctl_print_api_error(stderr, resp->status, resp->json, resp->body, resp->len,
				       local_file);
		sk_ctl_resp_free(resp);
	}
	return rc;
}

void
sk_ctl_resp_free(struct sk_ctl_resp *resp)
{
	json_decref(resp->json);
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}

void
sk_ctl_resp_print_raw(FILE *out, const struct sk_ctl_resp *resp)
{
	if (resp->len == 0)
		return;
	fwrite(resp->body, 1, resp->len, out);
	if (resp->body[resp->len - 1] != '\n')
		fputc('\n', out);
}
