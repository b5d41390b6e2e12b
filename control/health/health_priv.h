/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * health_priv.h - the checker's internals, shared by its files: the target
 * list with per-target state (guarded by sk_health.mu), and one probe (an
 * easy handle in flight, touched by the checker thread only).
 */
#ifndef SK_HEALTH_PRIV_H
#define SK_HEALTH_PRIV_H

#include <pthread.h>
#include <stdint.h>
#include <curl/curl.h>

#include "health.h"

#define SK_HEALTH_PARALLEL_DEFAULT 256
#define SK_HEALTH_POLL_MAX_MS 1000

struct hc_probe;

struct hc_target {
	struct sk_health_target t;
	uint64_t id;            /* unique per target for the checker's life: probes name it */
	uint8_t healthy;
	uint8_t in_flight;
	uint8_t checked;
	uint16_t health;        /* HAProxy's counter: 0..rise+fall-1, healthy >= rise */
	uint32_t ok_in_row, fail_in_row;
	uint64_t checks;
	uint64_t next_ms;       /* monotonic: when the next probe starts */
	uint64_t last_check_unix_ms;
	uint32_t last_duration_ms;
	char last_error[SK_HEALTH_ERR_MAX];
};

struct sk_health {
	struct sk_health_cfg cfg;
	pthread_mutex_t mu;     /* guards t, n, next_id */
	struct hc_target *t;
	size_t n;
	uint64_t next_id;
	CURLM *multi;           /* checker thread only (curl_multi_wakeup excepted) */
	size_t in_flight;       /* checker thread only */
	struct hc_probe *probes;/* checker thread only: the probes in flight */
	int stop;               /* atomic */
	int running;            /* a thread was started and not joined */
	pthread_t thread;
};

/* One probe in flight. */
struct hc_probe {
	struct hc_probe *next, *prev;
	CURL *easy;
	uint64_t target_id;
	uint8_t type;
	uint16_t status;        /* expected */
	uint32_t timeout_ms;
	uint64_t start_ms;      /* monotonic */
	int body_cut;           /* we aborted the body on purpose: the status is in */
	char url[128 + SK_LB_PATH_MAX];
	char errbuf[CURL_ERROR_SIZE];
};

uint64_t sk_health_mono_ms(void);

/* health_probe.c: a ready easy handle for t, or NULL. */
struct hc_probe *sk_health_probe_new(const struct sk_health *h, const struct hc_target *t);
void sk_health_probe_free(struct hc_probe *p);
/* 1 success, 0 failure; why says what was seen either way. */
int sk_health_probe_result(struct hc_probe *p, CURLcode rc, char *why, size_t whylen);

/*
 * health.c: a finished probe's result for target id (ignored if the target
 * is gone).  Under h->mu.  1 and *out filled when the target changed state.
 */
int sk_health_record(struct sk_health *h, uint64_t id, int ok, const char *why,
		     uint32_t duration_ms, struct sk_health_target *out, int *healthy);

#endif /* SK_HEALTH_PRIV_H */
