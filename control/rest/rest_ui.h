/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rest_ui.h - the operator console's static files (ui/src, ui/vendor),
 * embedded at build time by embed_ui.py and served by the REST server at
 * /ui/ (docs/console.md).  The files are public (they hold no data: every
 * datum comes from the API with the operator's token); the admin networks
 * still apply, as to everything on the management address.
 */
#ifndef SK_REST_UI_H
#define SK_REST_UI_H

#include <stddef.h>
#include <stdint.h>

struct MHD_Response;

struct sk_rest_ui_asset {
	const char *path;            /* "/ui/" for index.html, else "/ui/<name>" */
	const char *type;            /* Content-Type */
	const char *data;
	size_t len;
	const char *gz;              /* the same, gzipped */
	size_t gz_len;
	const char *etag;            /* quoted, from the content's SHA-256 */
};

/* Terminated by a NULL path (generated ui_assets.c). */
extern const struct sk_rest_ui_asset sk_rest_ui_assets[];
extern const size_t sk_rest_ui_total_gz;

/* Headers every console answer carries (and the API's too): the console
 * runs only its own scripts and styles, talks only to its own origin,
 * is never framed, and sends no Referer. */
#define SK_REST_UI_CSP "default-src 'none'; script-src 'self'; style-src 'self'; " \
	"img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; " \
	"form-action 'none'; frame-ancestors 'none'"

/* Is path the console's (/, /ui, /ui/...)? */
int sk_rest_ui_path(const char *path);

/* The asset for path: /ui/ and /ui are index.html; NULL when none (404). */
const struct sk_rest_ui_asset *sk_rest_ui_find(const char *path);

/* Add the headers above (CSP, no framing, nosniff, no referrer, HSTS) to a
 * response: every answer of the server, the API's included. */
void sk_rest_ui_security_headers(struct MHD_Response *mr);

/*
 * The answer to GET path (a console path): "/" redirects to /ui/ (302);
 * an asset comes gzipped when accept_encoding allows it, or as 304 when
 * if_none_match is its ETag; revalidated (no-cache) by ETag.  Returns the
 * response with *status and *bytes (body length) set, or NULL with
 * *status 404 (no such file) or 500 (out of memory).
 */
struct MHD_Response *sk_rest_ui_response(const char *path, const char *accept_encoding,
					 const char *if_none_match, int *status,
					 uint64_t *bytes);

#endif /* SK_REST_UI_H */
