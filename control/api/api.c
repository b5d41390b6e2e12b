/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * api.c - the two helpers every handler ends with: a 200 with a document,
 * or the one JSON error shape {code, message, details} that clients (and
 * sekishoctl) parse.  Keeping the shape in one place keeps it stable.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/api.h"

static void
resp_reset(struct sk_api_resp *resp)
{
	json_decref(resp->json);
	resp->json = NULL;
	free(resp->blob);
	resp->blob = NULL;
	resp->blob_len = 0;
	resp->content_type = NULL;
}

int
sk_api_error(struct sk_api_resp *resp, int status, const char *code, json_t *details,
	     const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	resp_reset(resp);
	resp->status = status;
	/* "o" steals details; a NULL details becomes an empty object, so
	 * clients can always index it. */
	resp->json = json_pack("{s:s, s:s, s:o}", "code", code, "message", msg, "details",
			       details != NULL ? details : json_object());
	return status;
}

void
sk_api_ok(struct sk_api_resp *resp, json_t *doc)
{
	resp_reset(resp);
	resp->status = 200;
	resp->json = doc;
}
