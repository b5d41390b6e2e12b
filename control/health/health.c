/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * health.c - the checker's target list and state machine: create/free,
 * replacing targets while keeping the state of those that stay, rise/fall
 * counting, and snapshots for listings.  The probing loop is health_run.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "health_priv.h"

uint64_t
sk_health_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
unix_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct sk_health *
sk_health_create(const struct sk_health_cfg *cfg)
{
	struct sk_health *h;

	if (cfg == NULL || memchr(cfg->tap, '\0', sizeof(cfg->tap)) == NULL) {
		errno = EINVAL;
		return NULL;
	}
	/* Thread-safe in this libcurl (7.84+); the REST tests and the CLI
	 * call it too, and it counts. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		errno = ENOMEM;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		curl_global_cleanup();
		errno = ENOMEM;
		return NULL;
	}
	h->cfg = *cfg;
	if (h->cfg.max_parallel == 0)
		h->cfg.max_parallel = SK_HEALTH_PARALLEL_DEFAULT;
	h->next_id = 1;
	pthread_mutex_init(&h->mu, NULL);
	h->multi = curl_multi_init();
	if (h->multi == NULL) {
		pthread_mutex_destroy(&h->mu);
		free(h);
		curl_global_cleanup();
		errno = ENOMEM;
		return NULL;
	}
	return h;
}

void
sk_health_free(struct sk_health *h)
{
	if (h == NULL)
		return;
	sk_health_stop(h);
	curl_multi_cleanup(h->multi);
	pthread_mutex_destroy(&h->mu);
	free(h->t);
	free(h);
	curl_global_cleanup();
}

static int
target_valid(const struct sk_health_target *t)
{
	return (t->family == 4 || t->family == 6) &&
	       (t->type == SK_HEALTH_TCP || t->type == SK_HEALTH_HTTP ||
		t->type == SK_HEALTH_HTTPS) &&
	       t->port != 0 && t->rise >= 1 && t->rise <= 100 && t->fall >= 1 &&
	       t->fall <= 100 && t->interval_ms >= 10 && t->timeout_ms >= 1 &&
	       t->timeout_ms < t->interval_ms &&
	       memchr(t->service_name, '\0', sizeof(t->service_name)) != NULL &&
	       memchr(t->backend_name, '\0', sizeof(t->backend_name)) != NULL &&
	       (t->type == SK_HEALTH_TCP ||
		(t->path[0] == '/' && memchr(t->path, '\0', sizeof(t->path)) != NULL &&
		 strpbrk(t->path, " \t\r\n") == NULL && t->status >= 100 && t->status <= 599));
}

/* Same backend as far as state goes: service + backend name + address + port. */
static int
same_backend(const struct sk_health_target *a, const struct sk_health_target *b)
{
	return strcmp(a->service_name, b->service_name) == 0 &&
	       strcmp(a->backend_name, b->backend_name) == 0 && a->family == b->family &&
	       a->port == b->port && memcmp(a->addr, b->addr, 16) == 0;
}

static uint32_t
min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* HAProxy's counter for a state carried into new rise/fall settings. */
static uint16_t
carried_health(const struct hc_target *o, const struct sk_health_target *t)
{
	uint32_t top = (uint32_t)t->rise + t->fall - 1;

	if (o->healthy)
		return (uint16_t)(top - min_u32(o->fail_in_row, t->fall - 1u));
	return (uint16_t)min_u32(o->ok_in_row, t->rise - 1u);
}

int
sk_health_set_targets(struct sk_health *h, const struct sk_health_target *t, size_t n)
{
	struct hc_target *nt = NULL;
	uint64_t now = sk_health_mono_ms();
	size_t i, j;

	for (i = 0; i < n; i++)
		if (!target_valid(&t[i]))
			return -EINVAL;
	if (n != 0) {
		nt = calloc(n, sizeof(*nt));
		if (nt == NULL)
			return -ENOMEM;
	}
	pthread_mutex_lock(&h->mu);
	for (i = 0; i < n; i++) {
		struct hc_target *x = &nt[i];
		const struct hc_target *o = NULL;

		for (j = 0; j < h->n; j++)
			if (h->t[j].id != 0 && same_backend(&h->t[j].t, &t[i])) {
				o = &h->t[j];
				break;
			}
		if (o != NULL) {
			*x = *o;
			h->t[j].id = 0; /* taken: a duplicate target gets fresh state */
			x->health = carried_health(o, &t[i]);
			/* A shorter interval applies from now on. */
			if (x->next_ms > now + t[i].interval_ms)
				x->next_ms = now + t[i].interval_ms;
		} else {
			x->id = h->next_id++;
			x->healthy = 1;
			x->health = (uint16_t)(t[i].rise + t[i].fall - 1);
			/* Spread first probes over one interval. */
			x->next_ms = now + (uint64_t)t[i].interval_ms * i / n;
		}
		x->t = t[i];
		x->t.service_name[sizeof(x->t.service_name) - 1] = '\0';
		x->t.backend_name[sizeof(x->t.backend_name) - 1] = '\0';
		x->t.path[sizeof(x->t.path) - 1] = '\0';
	}
	free(h->t);
	h->t = nt;
	h->n = n;
	pthread_mutex_unlock(&h->mu);
	curl_multi_wakeup(h->multi); /* reschedule now */
	return 0;
}

int
sk_health_record(struct sk_health *h, uint64_t id, int ok, const char *why,
		 uint32_t duration_ms, struct sk_health_target *out, int *healthy)
{
	struct hc_target *x = NULL;
	uint16_t top;
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->t[i].id == id) {
			x = &h->t[i];
			break;
		}
	if (x == NULL)
		return 0; /* replaced while the probe ran */
	x->in_flight = 0;
	x->checked = 1;
	x->checks++;
	x->last_duration_ms = duration_ms;
	x->last_check_unix_ms = unix_ms();
	top = (uint16_t)(x->t.rise + x->t.fall - 1);
	/*
	 * HAProxy: one counter from 0 to rise+fall-1.  A success moves it up,
	 * a failure down; a down backend comes up when it reaches rise (and
	 * jumps to the top), an up one goes down when it falls below rise
	 * (and drops to 0).  From steady state that is `fall` failures in a
	 * row to go down and `rise` successes in a row to come back.
	 */
	if (ok) {
		x->ok_in_row++;
		x->fail_in_row = 0;
		x->last_error[0] = '\0';
		if (x->health < top)
			x->health++;
		if (!x->healthy && x->health >= x->t.rise) {
			x->healthy = 1;
			x->health = top;
			goto changed;
		}
		return 0;
	}
	x->fail_in_row++;
	x->ok_in_row = 0;
	snprintf(x->last_error, sizeof(x->last_error), "%s", why);
	if (x->health > 0)
		x->health--;
	if (x->healthy && x->health < x->t.rise) {
		x->healthy = 0;
		x->health = 0;
		goto changed;
	}
	return 0;
changed:
	*out = x->t;
	*healthy = x->healthy;
	return 1;
}

size_t
sk_health_snapshot(struct sk_health *h, struct sk_health_state *out, size_t cap)
{
	size_t i, n;

	pthread_mutex_lock(&h->mu);
	n = h->n;
	for (i = 0; i < n && i < cap; i++) {
		const struct hc_target *x = &h->t[i];
		struct sk_health_state *s = &out[i];

		memset(s, 0, sizeof(*s));
		s->target = x->t;
		s->healthy = x->healthy;
		s->checked = x->checked;
		s->ok_in_row = x->ok_in_row;
		s->fail_in_row = x->fail_in_row;
		s->checks = x->checks;
		s->last_check_unix_ms = x->last_check_unix_ms;
		s->last_duration_ms = x->last_duration_ms;
		memcpy(s->last_error, x->last_error, sizeof(s->last_error));
	}
	pthread_mutex_unlock(&h->mu);
	return n;
}
