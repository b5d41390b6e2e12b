/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rest_metrics_api.c - GET /metrics: the dataplane's counters through the
 * dataplane link, rendered by rest_metrics.c, then the load balancer's
 * backends (the services document, rendered by rest_metrics_lb.c) and the
 * HA pair (its status, rendered by rest_metrics_ha.c).  Kept
 * apart from the renderers because it needs a running dataplane; unit tests
 * link the renderers only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/ha_api.h"
#include "api/services_api.h"
#include "cp.h"
#include "dplink/dplink.h"
#include "rest.h"

/* *text += more (both NUL-terminated); more is freed. */
static int
append(char **text, size_t *len, char *more, size_t more_len)
{
	char *all;

	if (more_len == 0) {
		free(more);
		return 0;
	}
	all = realloc(*text, *len + more_len + 1);
	if (all == NULL) {
		free(more);
		return -ENOMEM;
	}
	memcpy(all + *len, more, more_len + 1);
	free(more);
	*text = all;
	*len += more_len;
	return 0;
}

/* The backends' samples after the counters; a unit without services (or
 * whose dataplane does not answer LB_STATUS) adds nothing. */
static int
append_lb(struct sk_cp *cp, char **text, size_t *len)
{
	json_t *doc = sk_api_services_doc(cp);
	char *lb = NULL;
	size_t lb_len = 0;
	int rc;

	if (doc == NULL)
		return 0;
	rc = sk_rest_metrics_render_lb(doc, &lb, &lb_len);
	json_decref(doc);
	if (rc != 0) {
		free(lb);
		return rc;
	}
	return append(text, len, lb, lb_len);
}

/* The HA pair's families last; a standalone unit adds nothing. */
static int
append_ha(struct sk_cp *cp, char **text, size_t *len)
{
	struct sk_ha_status st;
	char *ha = NULL;
	size_t ha_len = 0;
	int rc;

	if (cp->ha == NULL)
		return 0;
	memset(&st, 0, sizeof(st));
	sk_ha_status(cp->ha, &st);
	rc = sk_rest_metrics_render_ha(&st, &ha, &ha_len);
	if (rc != 0) {
		free(ha);
		return rc;
	}
	return append(text, len, ha, ha_len);
}

/*
 * Without a dataplane that answers, a standalone unit has nothing to say
 * (503); an HA unit still answers with its sekisho_ha_* families, since a
 * hung or detached dataplane is exactly when the pair's state matters.
 */
static void
metrics_get(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	json_t *counters = NULL;
	char *text = NULL;
	size_t len = 0;
	int rc;

	(void)req;
	if (cp->dp == NULL && cp->ha == NULL) {
		sk_api_error(resp, 503, "dataplane_unavailable", NULL,
			     "the dataplane is not attached");
		return;
	}
	if (cp->dp != NULL)
		counters = sk_dplink_counters(cp->dp);
	if (counters == NULL && cp->ha == NULL) {
		sk_api_error(resp, 503, "dataplane_unavailable", NULL,
			     "the dataplane did not return its counters");
		return;
	}
	if (counters != NULL) {
		rc = sk_rest_metrics_render(counters, &text, &len);
		json_decref(counters);
		if (rc == 0)
			rc = append_lb(cp, &text, &len);
	} else {
		text = strdup("");
		rc = text != NULL ? 0 : -ENOMEM;
	}
	if (rc == 0)
		rc = append_ha(cp, &text, &len);
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
