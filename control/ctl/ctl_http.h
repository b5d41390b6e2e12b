/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_http.h - sekishoctl's HTTP client: libcurl with the unit's TLS
 * settings and bearer token, and the mapping from what went wrong to an
 * exit status and a message.  One handle per run; not thread safe.
 */
#ifndef SK_CTL_HTTP_H
#define SK_CTL_HTTP_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#include "ctl.h"

struct sk_ctl_http;

struct sk_ctl_resp {
	long status;                 /* HTTP status, 0 when no answer */
	char *body;                  /* NUL-terminated (malloc'd), may hold NULs for blobs */
	size_t len;
	char ctype[96];              /* Content-Type, "" when none */
	json_t *json;                /* body parsed when it is JSON, else NULL */
};

/* Largest answer accepted (an archive bundle is the largest thing). */
#define SK_CTL_MAX_BODY (256u << 20)

/*
 * Set up the client for a->url with a's TLS and token settings (reads
 * --token-file).  Returns 0, or an exit status with the reason in err
 * (SK_CTL_EXIT_USAGE for a bad URL, token file or certificate path).
 * Warns on stderr for --insecure.
 */
int sk_ctl_http_open(const struct sk_ctl_args *a, struct sk_ctl_http **out, char *err, size_t errlen);
void sk_ctl_http_close(struct sk_ctl_http *h);   /* NULL is a no-op */

/*
 * One request: path is relative to /api/v1 ("/config"), query is "" or
 * "?a=b" (see ctl_query.h), body/ctype may be NULL.  Returns 0 when an
 * answer came back (any status; resp filled), else an exit status after
 * printing why on stderr.
 */
int sk_ctl_http_request(struct sk_ctl_http *h, const char *method, const char *path,
			const char *query, const void *body, size_t len, const char *ctype,
			struct sk_ctl_resp *resp);

/*
 * The usual case: a request whose 2xx answer is wanted.  body (may be NULL)
 * is sent as JSON.  Returns 0 with resp filled, or an exit status after
 * reporting: HTTP errors as "HTTP 409 stale_generation: ..." on stderr (and
 * with --json the error document on stdout as well).  local_file names the
 * file a 422's errors refer to when the API gives none.
 */
int sk_ctl_call(struct sk_ctl_http *h, const char *method, const char *path, const char *query,
		json_t *body, const char *local_file, struct sk_ctl_resp *resp);

void sk_ctl_resp_free(struct sk_ctl_resp *resp);

/* Print the raw answer (--json), ending with a newline. */
void sk_ctl_resp_print_raw(FILE *out, const struct sk_ctl_resp *resp);

/* ---- pure pieces (unit tested) ---- */

/* libcurl result -> exit status: 0, SK_CTL_EXIT_USAGE (bad URL) or
 * SK_CTL_EXIT_UNREACHABLE. */
int sk_ctl_exit_for_curl(int curl_code);

/* HTTP status -> exit status: 2xx 0, anything else SK_CTL_EXIT_API. */
int sk_ctl_exit_for_status(long status);

/* "HTTP 422 invalid_config: message" and for 422 one "file:line: message"
 * line per error in details.errors.  doc may be NULL (raw is printed). */
void sk_ctl_print_api_error(FILE *err, long status, const json_t *doc, const char *raw,
			    size_t raw_len, const char *local_file);

/* First line of a token file, surrounding whitespace removed.  0 or -errno
 * (-ENODATA for an empty file, -ENAMETOOLONG when it does not fit). */
int sk_ctl_token_read(const char *path, char *buf, size_t len);

/* The request URL: base (trailing '/' and a trailing "/api/v1" tolerated)
 * + "/api/v1" + path + query.  0 or -ENAMETOOLONG. */
int sk_ctl_url_build(char *buf, size_t len, const char *base, const char *path, const char *query);

/* 1 when url is https, or http to a loopback address; the token must not
 * cross a network in clear text. */
int sk_ctl_url_safe(const char *url);

#endif /* SK_CTL_HTTP_H */
