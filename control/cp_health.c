/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp_health.c - sekisho-cp's side of health checks: runs the checker
 * (control/health) on the running image's backends, logs each transition,
 * and keeps the dataplane's view of backend health equal to the checker's.
 *
 * The dataplane is told by reconciliation, not by forwarding events: the
 * daemon loop compares the checker's snapshot with the dataplane's status
 * (SK_SHM_OP_LB_STATUS) and pushes what differs (SK_SHM_OP_LB_SET).  A
 * transition wakes it at once; otherwise it runs every RECONCILE_MS.  So a
 * restarted sekisho-cp, a commit between a probe and its push (-ESTALE) or
 * a dataplane restarted with every backend healthy all converge without
 * special cases.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <jansson.h>

#include "cp.h"
#include "cp_health.h"
#include "health/health.h"
#include "dplink/dplink.h"
#include "logw/logw.h"
#include "api/services_api.h"
#include "sk_image_api.h"

#define RECONCILE_MS 1000

struct sk_cp_health {
	struct sk_cp *cp;
	struct sk_health *h;
	int dirty;              /* a transition since the last reconcile (atomic) */
	uint64_t last_ms;
	struct sk_api_health_hook hook;
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Checker thread: log the transition and wake the reconciler. */
static void
on_change(void *arg, const struct sk_health_target *t, int healthy, const char *why)
{
	struct sk_cp_health *ch = arg;
	struct sk_cp *cp = ch->cp;
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(t->family == 4 ? AF_INET : AF_INET6, t->addr, addr, sizeof(addr));
	printf("sekisho-cp: health %s/%s %s port %u %s: %s\n", t->service_name, t->backend_name,
	       addr, t->port, healthy ? "up" : "down", why != NULL ? why : "");
	fflush(stdout);
	pthread_mutex_lock(&cp->log_lock);
	if (cp->logw != NULL)
		(void)sk_logw_event(cp->logw, "health", json_pack("{s:s,s:s,s:s,s:i,s:s,s:s}",
			"service", t->service_name, "backend", t->backend_name, "address", addr,
			"port", (int)t->port, "state", healthy ? "up" : "down",
			"why", why != NULL ? why : ""));
	pthread_mutex_unlock(&cp->log_lock);
	__atomic_store_n(&ch->dirty, 1, __ATOMIC_RELEASE);
}

/* REST thread: the checker's view of every backend, image order. */
static void
detail(void *ctx, const struct sk_image_hdr *img, uint64_t gen, struct sk_api_health_detail *d,
       size_t n)
{
	struct sk_cp_health *ch = ctx;
	const struct sk_img_service *s;
	struct sk_health_state *st;
	uint32_t ns;
	size_t cnt, i;

	s = sk_image_sec(img, SK_SEC_SERVICES, &ns);
	st = calloc(n + 1, sizeof(*st));
	if (st == NULL)
		return;
	cnt = sk_health_snapshot(ch->h, st, n + 1);
	for (i = 0; i < cnt && i < n + 1; i++) {
		const struct sk_health_target *t = &st[i].target;
		size_t k;

		if (t->generation != gen || t->service >= ns ||
		    t->backend >= s[t->service].backend_count)
			continue;
		k = s[t->service].backend_first + t->backend;
		if (k >= n)
			continue;
		d[k].have = 1;
		d[k].healthy = st[i].checked ? st[i].healthy : -1;
		d[k].last_check_ms = st[i].last_check_unix_ms;
		snprintf(d[k].last_error, sizeof(d[k].last_error), "%s", st[i].last_error);
	}
	free(st);
}

int
sk_cp_health_targets(struct sk_cp *cp)
{
	struct sk_health_target *t = NULL;
	size_t n = 0, i;
	int rc;

	if (cp->health == NULL || cp->running_img == NULL)
		return 0;
	rc = sk_health_targets_from_image(cp->running_img, cp->running_img_len, &t, &n);
	if (rc != 0)
		return rc;
	/* An image compiled offline says 0: the running generation is the truth. */
	for (i = 0; i < n; i++)
		t[i].generation = cp->generation;
	rc = sk_health_set_targets(cp->health->h, t, n);
	free(t);
	__atomic_store_n(&cp->health->dirty, 1, __ATOMIC_RELEASE);
	return rc;
}

int
sk_cp_health_start(struct sk_cp *cp, const char *tap)
{
	struct sk_health_cfg cfg;
	struct sk_cp_health *ch = calloc(1, sizeof(*ch));
	int rc;

	if (ch == NULL)
		return -ENOMEM;
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.tap, sizeof(cfg.tap), "%s", tap != NULL ? tap : "");
	cfg.on_change = on_change;
	cfg.arg = ch;
	/* Probes leave through the dataplane's tap, in the dataplane's netns. */
	cfg.netns_pid = sk_dplink_pid(cp->dp);
	ch->cp = cp;
	ch->h = sk_health_create(&cfg);
	if (ch->h == NULL) {
		rc = -errno;
		free(ch);
		return rc;
	}
	cp->health = ch;
	rc = sk_cp_health_targets(cp);
	if (rc == 0)
		rc = sk_health_start(ch->h);
	if (rc != 0) {
		sk_health_free(ch->h);
		free(ch);
		cp->health = NULL;
		return rc;
	}
	ch->hook.fn = detail;
	ch->hook.ctx = ch;
	sk_api_services_set_health_hook(&ch->hook);
	return 0;
}

/* Push every difference between the checker and the dataplane.  Caller holds dp_lock. */
static void
reconcile(struct sk_cp *cp)
{
	struct sk_cp_health *ch = cp->health;
	struct sk_shm_lb_backend *be = NULL;
	struct sk_health_state *st = NULL;
	const struct sk_img_service *s;
	size_t nb = 0, cnt, cap = 64, i;
	uint64_t gen;
	uint32_t ns;
	char err[256];

	if (sk_dplink_lb_status(cp->dp, &be, &nb, &gen, err, sizeof(err)) != 0)
		return;
	if (gen != cp->generation || cp->running_img == NULL)
		goto out;
	s = sk_image_sec(cp->running_img, SK_SEC_SERVICES, &ns);
	for (;;) {
		st = calloc(cap, sizeof(*st));
		if (st == NULL)
			goto out;
		cnt = sk_health_snapshot(ch->h, st, cap);
		if (cnt <= cap)
			break;
		free(st);
		cap = cnt;
	}
	for (i = 0; i < cnt; i++) {
		const struct sk_health_target *t = &st[i].target;
		struct sk_shm_lb_set req;
		size_t k;

		if (t->generation != gen || t->service >= ns ||
		    t->backend >= s[t->service].backend_count)
			continue;
		k = s[t->service].backend_first + t->backend;
		/* Not probed yet (a restarted sekisho-cp): the dataplane's view
		 * stands until the checker has one of its own. */
		if (!st[i].checked || k >= nb || be[k].health == st[i].healthy)
			continue;
		memset(&req, 0, sizeof(req));
		req.generation = gen;
		req.service = t->service;
		req.backend = t->backend;
		req.what = SK_SHM_LB_HEALTH;
		req.value = st[i].healthy;
		if (sk_dplink_lb_set(cp->dp, &req, err, sizeof(err)) != 0)
			fprintf(stderr, "sekisho-cp: health %s/%s to the dataplane: %s\n",
				t->service_name, t->backend_name, err);
	}
out:
	free(st);
	free(be);
}

void
sk_cp_health_tick(struct sk_cp *cp)
{
	struct sk_cp_health *ch = cp->health;
	uint64_t now;

	if (ch == NULL)
		return;
	now = now_ms();
	if (!__atomic_load_n(&ch->dirty, __ATOMIC_ACQUIRE) && now - ch->last_ms < RECONCILE_MS)
		return;
	/* The REST thread may hold the mailbox for a long request (a commit):
	 * never wait for it here, this loop also drains the dataplane's logs. */
	if (pthread_mutex_trylock(&cp->dp_lock) != 0)
		return;
	__atomic_store_n(&ch->dirty, 0, __ATOMIC_RELEASE);
	ch->last_ms = now;
	reconcile(cp);
	pthread_mutex_unlock(&cp->dp_lock);
}

void
sk_cp_health_stop(struct sk_cp *cp)
{
	if (cp->health == NULL)
		return;
	sk_api_services_set_health_hook(NULL);
	sk_health_stop(cp->health->h);
	sk_health_free(cp->health->h);
	free(cp->health);
	cp->health = NULL;
}
