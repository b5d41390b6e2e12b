/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * health.h - backend health checks, made by sekisho-cp with the kernel's
 * TCP/TLS stack (libcurl's multi interface) through the dataplane's health
 * tap (docs/health.md).
 *
 * One checker per control plane: a list of targets (one per backend whose
 * service checks health), each probed every interval_ms, its state moved by
 * rise/fall counting as HAProxy does.  Every transition is reported through
 * on_change, from the checker thread; the caller turns it into an
 * SK_SHM_OP_LB_SET (SK_SHM_LB_HEALTH) and a log line.
 *
 * Threads: sk_health_start runs sk_health_run in a thread of its own.
 * set_targets, snapshot and stop may be called from any one other thread
 * at a time (a mutex guards the target list; curl handles are only touched
 * by the checker thread).  on_change must not call back into the checker.
 */
#ifndef SK_HEALTH_H
#define SK_HEALTH_H

#include <stddef.h>
#include <stdint.h>

#include "sk_image.h"

#define SK_HEALTH_ERR_MAX 128

enum sk_health_type {
	SK_HEALTH_TCP = SK_LB_HC_TCP,
	SK_HEALTH_HTTP = SK_LB_HC_HTTP,
	SK_HEALTH_HTTPS = SK_LB_HC_HTTPS,
};

/* One backend to probe.  Strings are copied by set_targets. */
struct sk_health_target {
	uint64_t generation;         /* image generation the indices belong to */
	uint32_t service;            /* index in SK_SEC_SERVICES */
	uint32_t backend;            /* index within the service */
	char service_name[SK_NAME_MAX];
	char backend_name[SK_NAME_MAX];
	uint8_t family;              /* 4 or 6 */
	uint8_t type;                /* enum sk_health_type */
	uint16_t port;               /* probed port, host order */
	uint8_t addr[16];            /* network order, IPv4 in the first 4 bytes */
	char path[SK_LB_PATH_MAX];   /* http/https: request path */
	uint16_t status;             /* http/https: expected status */
	uint16_t rise;               /* 1..100 */
	uint16_t fall;               /* 1..100 */
	uint32_t interval_ms;        /* >= 10 */
	uint32_t timeout_ms;         /* >= 1, below interval_ms */
};

struct sk_health_cfg {
	/* Tap interface name: probes are bound to it (CURLOPT_INTERFACE
	 * "if!name"); empty = the kernel's normal routing (tests). */
	char tap[16];
	uint32_t max_parallel;       /* probes in flight at once; 0 = 256 */
	/* > 0: the checker thread joins this process's network namespace
	 * first (the dataplane's, where the tap lives: sekisho-cp may run in
	 * another, e.g. the lab's REST on the host).  0 = stay. */
	int netns_pid;
	void (*on_change)(void *arg, const struct sk_health_target *t, int healthy,
			  const char *why);
	void *arg;
};

/* One target as it stands, for listings. */
struct sk_health_state {
	struct sk_health_target target;
	uint8_t healthy;             /* 1 healthy (also the initial state), 0 down */
	uint8_t checked;             /* at least one probe finished */
	uint32_t ok_in_row;          /* consecutive successes */
	uint32_t fail_in_row;        /* consecutive failures */
	uint64_t checks;             /* probes finished */
	uint64_t last_check_unix_ms; /* when the last probe finished, 0 = never */
	uint32_t last_duration_ms;
	char last_error[SK_HEALTH_ERR_MAX]; /* "" after a success */
};

/* NULL with errno (ENOMEM, EINVAL, or curl could not start). */
struct sk_health *sk_health_create(const struct sk_health_cfg *cfg);
/* Stops the thread if it runs; NULL is a no-op. */
void sk_health_free(struct sk_health *h);

/*
 * Replace the targets.  A new target with the same service name, backend
 * name, family, address and port as an old one keeps its state (healthy,
 * counters, schedule); its indices, generation and check settings come from
 * the new one.  Others start healthy and are first probed within one
 * interval (spread so that a commit does not probe everything at once).
 * 0, -EINVAL (a target out of range; nothing changed) or -ENOMEM.
 */
int sk_health_set_targets(struct sk_health *h, const struct sk_health_target *t, size_t n);

/*
 * The checker loop: probes until sk_health_stop.  0, or -errno if curl
 * failed.  Normally run by sk_health_start's thread.
 */
int sk_health_run(struct sk_health *h);
int sk_health_start(struct sk_health *h);
/* Ask the loop to end and join the thread (waits for at most one poll). */
void sk_health_stop(struct sk_health *h);

/* Copy up to cap target states (in target order); returns the number of targets. */
size_t sk_health_snapshot(struct sk_health *h, struct sk_health_state *out, size_t cap);

/*
 * One target per backend of every service whose health type is not none,
 * in image order, from a verified image.  The port is hc_port, else the
 * backend's port, else the service's first port (as dataplane/hctap).
 * *out is malloc'd (NULL when *n is 0).  0, -EINVAL or -ENOMEM.
 */
int sk_health_targets_from_image(const void *img, size_t len,
				 struct sk_health_target **out, size_t *n);

#endif /* SK_HEALTH_H */
