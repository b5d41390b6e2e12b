/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rest_metrics_api.c - GET /metrics: the dataplane's counters through the
 * dataplane link, rendered by rest_metrics.c.  Kept apart from the renderer
 * because it needs a running dataplane; unit tests link the renderer only.
 */
#include <stdlib.h>

#include "cp.h"
#include "dplink/dplink.h"
#include "rest.h"

static void
metrics_get(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	json_t *counters;
	char *text;
	size_t len;
	int rc;

	(void)req;
	if (cp->dp == NULL) {
		sk_api_error(resp, 503, "dataplane_unavailable", NULL,
			     "the dataplane is not attached");
		return;
	}
	counters = sk_dplink_counters(cp->dp);
	if (counters == NULL) {
		sk_api_error(resp, 503, "dataplane_unavailable", NULL,
			     "the dataplane did not return its counters");
		return;
	}
	rc = sk_rest_metrics_render(counters, &text, &len);
	json_decref(counters);
	if (rc != 0) {
		sk_api_error(resp, 500, "internal", NULL, "rendering the metrics failed (%d)", rc);
		return;
	}
	resp->status = 200;
	resp->blob = text;
	resp->blob_len = len;
	resp->content_type = SK_REST_METRICS_TYPE;
}

const struct sk_api_route sk_rest_routes_metrics[] = {
	{ "GET", "/metrics", metrics_get, "Counters in Prometheus text exposition format 0.0.4" },
	{ NULL, NULL, NULL, NULL },
};
