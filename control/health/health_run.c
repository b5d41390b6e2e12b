/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * health_run.c - the checker thread: start the probes that are due, let
 * curl's multi interface drive them all in one thread, record each result
 * and report transitions through on_change (outside the lock, with a copy
 * of the target, so a callback that blocks never stalls set_targets).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "health_priv.h"

/* Probes in flight are listed so stop can abandon them (this libcurl has
 * no curl_multi_get_handles). */
static void
probe_link(struct sk_health *h, struct hc_probe *p)
{
	p->prev = NULL;
	p->next = h->probes;
	if (h->probes != NULL)
		h->probes->prev = p;
	h->probes = p;
}

static void
probe_unlink(struct sk_health *h, struct hc_probe *p)
{
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		h->probes = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	p->next = p->prev = NULL;
}

/* Start every due probe (up to max_parallel in flight); the wait until the
 * next one is due, in ms.  Under h->mu. */
static long
start_due(struct sk_health *h, uint64_t now)
{
	uint64_t wait = SK_HEALTH_POLL_MAX_MS;
	size_t i;

	for (i = 0; i < h->n; i++) {
		struct hc_target *x = &h->t[i];
		struct hc_probe *p;

		if (x->in_flight)
			continue;
		if (x->next_ms > now) {
			if (x->next_ms - now < wait)
				wait = x->next_ms - now;
			continue;
		}
		if (h->in_flight >= h->cfg.max_parallel) {
			wait = 10; /* a slot frees when a probe ends: look again soon */
			continue;
		}
		/* The schedule is by start time: interval_ms between starts,
		 * and a probe (timeout < interval) always ends before the next. */
		x->next_ms = now + x->t.interval_ms;
		p = sk_health_probe_new(h, x);
		if (p == NULL || curl_multi_add_handle(h->multi, p->easy) != CURLM_OK) {
			sk_health_probe_free(p);
			snprintf(x->last_error, sizeof(x->last_error),
				 "could not start a probe (out of memory)");
			continue;
		}
		p->start_ms = now;
		probe_link(h, p);
		x->in_flight = 1;
		h->in_flight++;
	}
	return (long)wait;
}

/* Record every finished probe; report transitions. */
static void
reap(struct sk_health *h)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
		struct sk_health_target t;
		struct hc_probe *p = NULL;
		char why[SK_HEALTH_ERR_MAX];
		int ok, changed, healthy = 0;
		uint64_t dur;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&p);
		ok = sk_health_probe_result(p, msg->data.result, why, sizeof(why));
		dur = sk_health_mono_ms() - p->start_ms;
		curl_multi_remove_handle(h->multi, p->easy);
		probe_unlink(h, p);
		h->in_flight--;
		pthread_mutex_lock(&h->mu);
		changed = sk_health_record(h, p->target_id, ok, why, (uint32_t)dur, &t, &healthy);
		pthread_mutex_unlock(&h->mu);
		sk_health_probe_free(p);
		if (changed && h->cfg.on_change != NULL)
			h->cfg.on_change(h->cfg.arg, &t, healthy, why);
	}
}

/* Abandon what is still in flight (stop): results nobody will read. */
static void
drop_all(struct sk_health *h)
{
	size_t i;

	while (h->probes != NULL) {
		struct hc_probe *p = h->probes;

		probe_unlink(h, p);
		curl_multi_remove_handle(h->multi, p->easy);
		sk_health_probe_free(p);
	}
	h->in_flight = 0;
	pthread_mutex_lock(&h->mu);
	for (i = 0; i < h->n; i++)
		h->t[i].in_flight = 0;
	pthread_mutex_unlock(&h->mu);
}

int
sk_health_run(struct sk_health *h)
{
	int rc = 0;

	while (!__atomic_load_n(&h->stop, __ATOMIC_ACQUIRE)) {
		CURLMcode mc;
		long wait;
		int running;

		pthread_mutex_lock(&h->mu);
		wait = start_due(h, sk_health_mono_ms());
		pthread_mutex_unlock(&h->mu);
		mc = curl_multi_perform(h->multi, &running);
		if (mc == CURLM_OK)
			reap(h);
		if (mc == CURLM_OK)
			mc = curl_multi_poll(h->multi, NULL, 0, (int)wait, NULL);
		if (mc != CURLM_OK) {
			rc = mc == CURLM_OUT_OF_MEMORY ? -ENOMEM : -EIO;
			break;
		}
		curl_multi_perform(h->multi, &running);
		reap(h);
	}
	drop_all(h);
	return rc;
}

/*
 * Only this thread moves: a network namespace is per thread, so the REST
 * server and the rest of sekisho-cp stay where they were started.
 */
static int
join_netns(int pid)
{
	char path[64];
	struct stat a, b;
	int fd, rc;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	if (stat(path, &a) != 0)
		return -errno;
	if (stat("/proc/thread-self/ns/net", &b) == 0 && a.st_ino == b.st_ino &&
	    a.st_dev == b.st_dev)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = setns(fd, CLONE_NEWNET) == 0 ? 0 : -errno;
	close(fd);
	return rc;
}

static void *
health_thread(void *arg)
{
	struct sk_health *h = arg;
	int rc;

	if (h->cfg.netns_pid > 0) {
		rc = join_netns(h->cfg.netns_pid);
		if (rc != 0) {
			fprintf(stderr, "sekisho-cp: health checks: cannot join the dataplane's "
				"network namespace (pid %d): %s; checking from here\n",
				h->cfg.netns_pid, strerror(-rc));
		}
	}
	sk_health_run(h);
	return NULL;
}

int
sk_health_start(struct sk_health *h)
{
	int rc;

	if (h->running)
		return -EALREADY;
	__atomic_store_n(&h->stop, 0, __ATOMIC_RELEASE);
	rc = pthread_create(&h->thread, NULL, health_thread, h);
	if (rc != 0)
		return -rc;
	h->running = 1;
	return 0;
}

void
sk_health_stop(struct sk_health *h)
{
	if (h == NULL)
		return;
	__atomic_store_n(&h->stop, 1, __ATOMIC_RELEASE);
	curl_multi_wakeup(h->multi);
	if (h->running) {
		pthread_join(h->thread, NULL);
		h->running = 0;
	}
}
