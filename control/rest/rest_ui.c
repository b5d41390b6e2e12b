/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rest_ui.c - the console's embedded files by URL path, as responses with
 * the security headers every answer of the server carries (rest_server.c
 * checks the admin networks and the method first).
 */
#include <string.h>
#include <microhttpd.h>

#include "rest_ui.h"

int
sk_rest_ui_path(const char *path)
{
	return strcmp(path, "/") == 0 || strcmp(path, "/ui") == 0 ||
	       strncmp(path, "/ui/", 4) == 0;
}

const struct sk_rest_ui_asset *
sk_rest_ui_find(const char *path)
{
	const struct sk_rest_ui_asset *a;

	if (strcmp(path, "/ui") == 0)
		path = "/ui/";
	/* Only names the table holds: no file system, so no traversal. */
	for (a = sk_rest_ui_assets; a->path != NULL; a++)
		if (strcmp(a->path, path) == 0)
			return a;
	return NULL;
}

void
sk_rest_ui_security_headers(struct MHD_Response *mr)
{
	MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(mr, "Strict-Transport-Security", "max-age=31536000");
	MHD_add_response_header(mr, "Content-Security-Policy", SK_REST_UI_CSP);
	MHD_add_response_header(mr, "X-Frame-Options", "DENY");
	MHD_add_response_header(mr, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(mr, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(mr, "Cross-Origin-Resource-Policy", "same-origin");
}

struct MHD_Response *
sk_rest_ui_response(const char *path, const char *accept_encoding, const char *if_none_match,
		    int *status, uint64_t *bytes)
{
	const struct sk_rest_ui_asset *a;
	struct MHD_Response *mr;
	const char *body = "";
	size_t len = 0;
	int gz;

	*bytes = 0;
	if (strcmp(path, "/") == 0) {
		*status = 302;
		mr = MHD_create_response_from_buffer(0, (void *)body, MHD_RESPMEM_PERSISTENT);
		if (mr == NULL) {
			*status = 500;
			return NULL;
		}
		MHD_add_response_header(mr, MHD_HTTP_HEADER_LOCATION, "/ui/");
		sk_rest_ui_security_headers(mr);
		return mr;
	}
	a = sk_rest_ui_find(path);
	if (a == NULL) {
		*status = 404;
		return NULL;
	}
	gz = accept_encoding != NULL && strstr(accept_encoding, "gzip") != NULL;
	*status = if_none_match != NULL && strcmp(if_none_match, a->etag) == 0 ? 304 : 200;
	if (*status == 200) {
		body = gz ? a->gz : a->data;
		len = gz ? a->gz_len : a->len;
	}
	mr = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_PERSISTENT);
	if (mr == NULL) {
		*status = 500;
		return NULL;
	}
	MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, a->type);
	if (gz && *status == 200)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	MHD_add_response_header(mr, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
	MHD_add_response_header(mr, MHD_HTTP_HEADER_ETAG, a->etag);
	MHD_add_response_header(mr, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	sk_rest_ui_security_headers(mr);
	*bytes = len;
	return mr;
}
