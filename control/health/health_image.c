/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * health_image.c - the checker's targets from a config image: one per
 * backend of every service that checks health (type none is always healthy
 * and never probed).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sk_image_api.h"
#include "health.h"

/* The port probed: keep in step with dataplane/hctap/hctap_set.c, whose set
 * must recognise the replies to exactly these probes. */
static uint16_t
probe_port(const struct sk_img_service *s, const struct sk_img_backend *b)
{
	if (s->hc_port != 0)
		return s->hc_port;
	return b->port != 0 ? b->port : s->port_lo;
}

int
sk_health_targets_from_image(const void *img, size_t len, struct sk_health_target **out,
			     size_t *n)
{
	const struct sk_image_hdr *h = img;
	const struct sk_img_service *svc;
	const struct sk_img_backend *be;
	struct sk_health_target *t;
	uint32_t n_svc, n_be, i, j;
	size_t k = 0, want = 0;

	*out = NULL;
	*n = 0;
	if (img == NULL || len < sizeof(*h))
		return -EINVAL;
	svc = sk_image_sec(h, SK_SEC_SERVICES, &n_svc);
	be = sk_image_sec(h, SK_SEC_BACKENDS, &n_be);
	for (i = 0; i < n_svc; i++) {
		if (svc[i].backend_first > n_be || svc[i].backend_count > n_be - svc[i].backend_first)
			return -EINVAL; /* not a verified image */
		if (svc[i].hc_type != SK_LB_HC_NONE)
			want += svc[i].backend_count;
	}
	if (want == 0)
		return 0;
	t = calloc(want, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	for (i = 0; i < n_svc; i++) {
		const struct sk_img_service *s = &svc[i];

		if (s->hc_type == SK_LB_HC_NONE)
			continue;
		for (j = 0; j < s->backend_count; j++) {
			const struct sk_img_backend *b = &be[s->backend_first + j];
			struct sk_health_target *x = &t[k++];

			x->generation = h->generation;
			x->service = i;
			x->backend = j;
			memcpy(x->service_name, s->name, sizeof(x->service_name));
			memcpy(x->backend_name, b->name, sizeof(x->backend_name));
			x->family = b->family;
			x->type = s->hc_type;
			x->port = probe_port(s, b);
			memcpy(x->addr, b->addr, 16);
			memcpy(x->path, s->hc_path, sizeof(x->path));
			x->status = s->hc_status;
			x->rise = s->hc_rise;
			x->fall = s->hc_fall;
			x->interval_ms = s->hc_interval_ms;
			x->timeout_ms = s->hc_timeout_ms;
		}
	}
	*out = t;
	*n = k;
	return 0;
}
