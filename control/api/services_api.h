/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * services_api.h - the load balancer's REST resources: virtual services and
 * their backends, configured (from the running image) and as they run now
 * (SK_SHM_OP_LB_STATUS through dplink), and the runtime admin actions on a
 * backend (enable / drain / disable / weight, SK_SHM_OP_LB_SET).
 *
 *   GET  /api/v1/services                                  every service
 *   GET  /api/v1/services/{service}                        one service
 *   GET  /api/v1/services/{service}/backends/{backend}     one backend
 *   POST /api/v1/services/{service}/backends/{backend}     {"action", "weight"}
 *
 * The handlers (services_api.c) need the dataplane link; the request
 * parsing and the JSON rendering (services_view.c) are pure so the unit
 * tests drive them with a status array they build.
 * Threading: handlers run on the REST thread, one at a time (cp.h).
 */
#ifndef SK_SERVICES_API_H
#define SK_SERVICES_API_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "api/api.h"
#include "sk_image.h"
#include "sk_shm.h"

struct sk_cp;

/* Route table: the daemon adds it to the REST server's tables. */
extern const struct sk_api_route sk_api_routes_services[];

/* ---- health details (the health checker's view of each backend) ---- */

struct sk_api_health_detail {
	int have;                    /* 0: no details for this backend (none shown) */
	int healthy;                 /* 1 healthy, 0 down, -1 not checked yet */
	uint64_t last_check_ms;      /* Unix time of the last check, ms; 0 = never */
	char last_error[128];        /* why the last check failed; "" when it passed */
};

/*
 * Fill d[k] for backend k of image img (generation gen) in image order:
 * k = the service's backend_first + the backend's index within it (the
 * indices of struct sk_shm_lb_backend and of sk_health_target).  d comes
 * zeroed (have = 0); n is the number of backends.  Called once per answer
 * (and per /metrics scrape) on the REST thread: must not block long.
 */
typedef void (*sk_api_health_detail_fn)(void *ctx, const struct sk_image_hdr *img,
					uint64_t gen, struct sk_api_health_detail *d, size_t n);

struct sk_api_health_hook {
	sk_api_health_detail_fn fn;
	void *ctx;
};

/*
 * Attach the health checker's details (NULL detaches: no "health_detail"
 * in any answer).  The hook is not copied: it must live until it is
 * replaced.  Any thread; takes effect from the next request.
 */
void sk_api_services_set_health_hook(const struct sk_api_health_hook *hook);
const struct sk_api_health_hook *sk_api_services_health_hook(void);

/* ---- pure pieces (services_view.c) ---- */

/* A change asked for by POST .../backends/{backend}. */
struct sk_api_lb_change {
	int has_admin;
	uint8_t admin;               /* enum sk_lb_state */
	int has_weight;
	uint16_t weight;
};

/*
 * Parse {"action": "enable"|"drain"|"disable", "weight": 0..65535}: at
 * least one of the two, no other key.  0, or -EINVAL with err filled.
 */
int sk_api_lb_change_parse(const json_t *body, struct sk_api_lb_change *c, char *err,
			   size_t errlen);

/* "enable", "drain", "disable" for an admin state; NULL when out of range. */
const char *sk_api_lb_action_name(uint8_t admin);
/* Words of enum sk_lb_state ("up", "drain", "disabled"), etc.; "?" out of range. */
const char *sk_api_lb_state_name(unsigned int s);
const char *sk_api_lb_sched_name(unsigned int s);
const char *sk_api_lb_fwd_name(unsigned int f);
const char *sk_api_lb_hc_name(unsigned int h);

/* Indices of a service (and of a backend within it when backend != NULL)
 * by name in image h.  0, or -ENOENT (which one is missing: *missing is
 * "service" or "backend"). */
int sk_api_lb_find(const struct sk_image_hdr *h, const char *service, const char *backend,
		   uint32_t *si, uint32_t *bi, const char **missing);

/* What a document is rendered from. */
struct sk_api_lb_view {
	const struct sk_image_hdr *img;          /* the running image */
	uint64_t generation;                     /* its generation */
	const struct sk_shm_lb_backend *st;      /* runtime of that generation; NULL: none */
	size_t n_st;
	const char *runtime_error;               /* why st is NULL (shown), may be NULL */
	const struct sk_api_health_detail *hd;   /* per backend, image order; NULL: none */
	size_t n_hd;
};

/* The runtime entry of backend bi of service si, NULL when v has none. */
const struct sk_shm_lb_backend *sk_api_lb_runtime(const struct sk_api_lb_view *v, uint32_t si,
						  uint32_t bi);

/* {"generation", "runtime": bool, ["runtime_error"], "services": [...]};
 * NULL on ENOMEM. */
json_t *sk_api_lb_services_json(const struct sk_api_lb_view *v);
/* One service with its backends and totals (totals only with runtime). */
json_t *sk_api_lb_service_json(const struct sk_api_lb_view *v, uint32_t si);
/* One backend: configured fields, "runtime" and "health_detail" when known. */
json_t *sk_api_lb_backend_json(const struct sk_api_lb_view *v, uint32_t si, uint32_t bi);

/* ---- for /metrics (services_api.c) ---- */

/*
 * The GET /api/v1/services document of the running config, with runtime
 * when the dataplane answers.  NULL when there is no running image or on
 * ENOMEM.  New reference.
 */
json_t *sk_api_services_doc(struct sk_cp *cp);

#endif /* SK_SERVICES_API_H */
