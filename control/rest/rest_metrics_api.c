/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rest_metrics_api.c - GET /metrics: the dataplane's counters through the
 * dataplane link, rendered by rest_metrics.c, then the load balancer's
 * backends (the services document, rendered by rest_metrics_lb.c).  Kept
 * apart from the renderers because it needs a running dataplane; unit tests
 * link the renderers only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/services_api.h"
#include "cp.h"
#include "dplink/dplink.h"
#include "rest.h"

/* The backends' samples after the counters; a unit without services (or
 * whose dataplane does not answer LB_STATUS) adds nothing. */
static int
append_lb(struct sk_cp *cp, char **text, size_t *len)
{
	json_t *doc = sk_api_services_doc(cp);
	char *lb = NULL, *all;
	size_t lb_len = 0;
	int rc;

	if (doc == NULL)
		return 0;
	rc = sk_rest_metrics_render_lb(doc, &lb, &lb_len);
	json_decref(doc);
	if (rc != 0 || lb_len == 0) {
		free(lb);
		return rc;
	}
	all = realloc(*text, *len + lb_len + 1);
	if (all == NULL) {
		free(lb);
		return -ENOMEM;
	}
	memcpy(all + *len, lb, lb_len + 1);
	free(lb);
	*text = all;
	*len += lb_len;
	return 0;
}

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
	if (rc == 0)
		rc = append_lb(cp, &text, &len);
	if (rc != 0) {
		free(text);
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
