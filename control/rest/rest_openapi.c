/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rest_openapi.c - GET /api/v1/openapi.json: docs/openapi.json as compiled
 * into the binary (embed_json.py), so the unit describes exactly the API
 * it serves, whatever is installed on disk.
 */
#include <stdlib.h>
#include <string.h>

#include "rest_priv.h"

static void
openapi_get(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	(void)cp;
	(void)req;
	resp->blob = malloc(sk_rest_openapi_json_len);
	if (resp->blob == NULL) {
		sk_api_error(resp, 500, "internal", NULL, "out of memory");
		return;
	}
	memcpy(resp->blob, sk_rest_openapi_json, sk_rest_openapi_json_len);
	resp->blob_len = sk_rest_openapi_json_len;
	resp->content_type = "application/json";
	resp->status = 200;
}

const struct sk_api_route sk_rest_routes_builtin[] = {
	{ "GET", "/api/v1/openapi.json", openapi_get, "The OpenAPI 3.0 document of this API" },
	{ NULL, NULL, NULL, NULL },
};
