/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_health.c - the health checker (control/health) against real servers
 * run by the test itself on 127.0.0.1 and ::1 with ephemeral ports: a thread
 * that accepts and answers HTTP with a chosen status (or accepts and never
 * answers), and, for https, `openssl s_server -www` with a certificate made
 * on the spot (skipped without the openssl binary).  No mocks: curl, the
 * kernel's TCP stack and the checker's thread do the real thing.
 *
 * Also: targets from the lab-services image, and that the dataplane's
 * health endpoint set (dataplane/hctap) recognises the replies to exactly
 * those probes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "sk_image_api.h"
#include "health/health.h"
#include "hctap/hctap.h"
#include "sk_test.h"
#include "sk_test_eal.h"

#define SK_SKIP(...) do { \
	sk_test_n++; \
	printf("ok %d - # SKIP ", sk_test_n); \
	printf(__VA_ARGS__); \
	printf("\n"); \
	fflush(stdout); \
} while (0)

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- a tiny server: HTTP with a fixed status, or silence ---- */

enum { SRV_HTTP, SRV_SILENT };

struct srv {
	int family;
	uint16_t port;
	int lfd;
	int mode;
	int status;              /* atomic: may change while it runs */
	int stop[2];
	int held[256];           /* SRV_SILENT: accepted, never answered */
	int n_held;
	pthread_t th;
};

static void
answer(struct srv *s, int fd)
{
	char buf[2048], resp[256];
	size_t got = 0;
	int status = __atomic_load_n(&s->status, __ATOMIC_RELAXED);
	double end = now_s() + 1.0;

	/* Read the request head (curl sends it at once); give up after 1 s or EOF. */
	while (got < sizeof(buf) - 1 && now_s() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL) {
			int len = snprintf(resp, sizeof(resp),
					   "HTTP/1.1 %d Test\r\nContent-Length: 6\r\n"
					   "Connection: close\r\n\r\nhello\n", status);

			if (write(fd, resp, (size_t)len) != len)
				break;
			break;
		}
	}
	close(fd);
}

static void *
srv_main(void *arg)
{
	struct srv *s = arg;

	for (;;) {
		struct pollfd p[2] = { { .fd = s->lfd, .events = POLLIN },
				       { .fd = s->stop[0], .events = POLLIN } };
		int fd;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents != 0)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		fd = accept(s->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		if (s->mode == SRV_SILENT && s->n_held < (int)RTE_DIM(s->held))
			s->held[s->n_held++] = fd;
		else if (s->mode == SRV_SILENT)
			close(fd);
		else
			answer(s, fd);
	}
	return NULL;
}

/* Listen on loopback of family (port 0: ephemeral) and serve in a thread. */
static int
srv_start(struct srv *s, int family, uint16_t port, int mode, int status)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->family = family;
	s->mode = mode;
	s->status = status;
	memset(&ss, 0, sizeof(ss));
	if (family == 4) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		a->sin6_addr = in6addr_loopback;
		sl = sizeof(*a);
	}
	s->lfd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->lfd < 0)
		return -errno;
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s->lfd, (struct sockaddr *)&ss, sl) != 0 || listen(s->lfd, 64) != 0 ||
	    getsockname(s->lfd, (struct sockaddr *)&ss, &sl) != 0) {
		int rc = -errno;

		close(s->lfd);
		return rc;
	}
	s->port = ntohs(family == 4 ? ((struct sockaddr_in *)&ss)->sin_port :
			((struct sockaddr_in6 *)&ss)->sin6_port);
	if (pipe(s->stop) != 0) {
		close(s->lfd);
		return -errno;
	}
	if (pthread_create(&s->th, NULL, srv_main, s) != 0) {
		close(s->lfd);
		close(s->stop[0]);
		close(s->stop[1]);
		return -EAGAIN;
	}
	return 0;
}

/* Stop serving and close the listener: connects are refused from now on. */
static void
srv_stop(struct srv *s)
{
	int i;

	if (write(s->stop[1], "x", 1) != 1)
		printf("# could not wake the server thread\n");
	pthread_join(s->th, NULL);
	close(s->lfd);
	close(s->stop[0]);
	close(s->stop[1]);
	for (i = 0; i < s->n_held; i++)
		close(s->held[i]);
	s->n_held = 0;
}

/* A port that nothing listens on (bound, read, closed). */
static uint16_t
dead_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t sl = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	uint16_t port = 0;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &sl) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* ---- the checker, its events and targets ---- */

#define MAX_EV 256
#define MAX_T 16

struct ev {
	char backend[SK_NAME_MAX];
	int healthy;
	double t;
	uint32_t ok_in_row, fail_in_row;
	char why[SK_HEALTH_ERR_MAX];
};

static struct {
	pthread_mutex_t mu;
	struct sk_health *h;
	struct ev ev[MAX_EV];
	int n;
} evlog = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void
on_change(void *arg, const struct sk_health_target *t, int healthy, const char *why)
{
	struct sk_health_state st[MAX_T];
	size_t n, i;
	struct ev e;

	(void)arg;
	memset(&e, 0, sizeof(e));
	snprintf(e.backend, sizeof(e.backend), "%s", t->backend_name);
	e.healthy = healthy;
	e.t = now_s();
	snprintf(e.why, sizeof(e.why), "%s", why);
	/* The counters that made the transition (snapshot is allowed here:
	 * the checker holds no lock while it reports). */
	n = sk_health_snapshot(evlog.h, st, MAX_T);
	for (i = 0; i < n && i < MAX_T; i++)
		if (strcmp(st[i].target.backend_name, t->backend_name) == 0) {
			e.ok_in_row = st[i].ok_in_row;
			e.fail_in_row = st[i].fail_in_row;
		}
	pthread_mutex_lock(&evlog.mu);
	if (evlog.n < MAX_EV)
		evlog.ev[evlog.n++] = e;
	pthread_mutex_unlock(&evlog.mu);
	printf("# %.3f %s -> %s (%s)\n", e.t, e.backend, healthy ? "up" : "down", why);
}

/* The first event for backend at or after index from, with state healthy. */
static int
find_ev(const char *backend, int healthy, int from, struct ev *out)
{
	int i, found = -1;

	pthread_mutex_lock(&evlog.mu);
	for (i = from; i < evlog.n; i++)
		if (strcmp(evlog.ev[i].backend, backend) == 0 && evlog.ev[i].healthy == healthy) {
			*out = evlog.ev[i];
			found = i;
			break;
		}
	pthread_mutex_unlock(&evlog.mu);
	return found;
}

static int
wait_ev(const char *backend, int healthy, int from, double timeout, struct ev *out)
{
	double end = now_s() + timeout;
	int i;

	while ((i = find_ev(backend, healthy, from, out)) < 0 && now_s() < end)
		usleep(5000);
	return i;
}

static int
ev_count(void)
{
	int n;

	pthread_mutex_lock(&evlog.mu);
	n = evlog.n;
	pthread_mutex_unlock(&evlog.mu);
	return n;
}

static int
state_of(struct sk_health *h, const char *backend, struct sk_health_state *out)
{
	struct sk_health_state st[MAX_T];
	size_t n = sk_health_snapshot(h, st, MAX_T), i;

	for (i = 0; i < n && i < MAX_T; i++)
		if (strcmp(st[i].target.backend_name, backend) == 0) {
			*out = st[i];
			return 0;
		}
	return -1;
}

/* Wait until backend has at least checks finished probes. */
static int
wait_checks(struct sk_health *h, const char *backend, uint64_t checks, double timeout,
	    struct sk_health_state *out)
{
	double end = now_s() + timeout;

	do {
		if (state_of(h, backend, out) == 0 && out->checks >= checks)
			return 0;
		usleep(5000);
	} while (now_s() < end);
	return -1;
}

static struct sk_health_target
target(const char *name, int family, int type, uint16_t port, uint16_t status,
       uint16_t rise, uint16_t fall, uint32_t interval, uint32_t timeout)
{
	struct sk_health_target t;

	memset(&t, 0, sizeof(t));
	snprintf(t.service_name, sizeof(t.service_name), "svc");
	snprintf(t.backend_name, sizeof(t.backend_name), "%s", name);
	t.family = (uint8_t)family;
	t.type = (uint8_t)type;
	t.port = port;
	if (family == 4)
		inet_pton(AF_INET, "127.0.0.1", t.addr);
	else
		inet_pton(AF_INET6, "::1", t.addr);
	snprintf(t.path, sizeof(t.path), "/healthz");
	t.status = status;
	t.rise = rise;
	t.fall = fall;
	t.interval_ms = interval;
	t.timeout_ms = timeout;
	return t;
}

/* ---- tests ---- */

static void
test_from_image(void)
{
	struct sk_health_target *t = NULL;
	struct sk_hctap_set *set;
	struct sk_cfg_diag d;
	size_t len, n = 0, i;
	int rc, all;
	void *img;

	sk_cfg_diag_init(&d);
	img = sk_cfg_compile_file("tests/config/good/lab-services.conf", &len, &d);
	sk_cfg_diag_print(&d, stdout);
	sk_cfg_diag_free(&d);
	SK_CHECK(img != NULL, "lab-services.conf compiles");
	if (img == NULL)
		return;
	rc = sk_health_targets_from_image(img, len, &t, &n);
	SK_CHECK(rc == 0 && n == 4, "4 targets from lab-services: rc %d n %zu", rc, n);
	if (rc == 0 && n == 4) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET, t[1].addr, a, sizeof(a));
		SK_CHECK(t[1].service == 0 && t[1].backend == 1 &&
			 strcmp(t[1].service_name, "web") == 0 &&
			 strcmp(t[1].backend_name, "web2") == 0 && t[1].family == 4 &&
			 strcmp(a, "10.10.0.12") == 0 && t[1].port == 80 &&
			 t[1].type == SK_HEALTH_TCP && t[1].rise == 2 && t[1].fall == 3 &&
			 t[1].interval_ms == 2000 && t[1].timeout_ms == 1000,
			 "web/web2: tcp 10.10.0.12:80 rise 2 fall 3 every 2000 ms, timeout 1000");
		inet_ntop(AF_INET6, t[2].addr, a, sizeof(a));
		SK_CHECK(t[2].service == 1 && t[2].backend == 0 &&
			 strcmp(t[2].service_name, "web6") == 0 && t[2].family == 6 &&
			 strcmp(a, "2001:db8:10::11") == 0 && t[2].type == SK_HEALTH_HTTP &&
			 strcmp(t[2].path, "/") == 0 && t[2].status == 200,
			 "web6/web1: http GET / expects 200 on 2001:db8:10::11 (%s)", a);
		/* The dataplane must hand exactly the replies to these probes
		 * to the kernel. */
		set = sk_hctap_set_build(img, len, SOCKET_ID_ANY);
		all = set != NULL && sk_hctap_set_count(set) == n;
		for (i = 0; all && i < n; i++) {
			struct sk_pkt_meta pm;

			memset(&pm, 0, sizeof(pm));
			pm.kind = SK_PKT_IP;
			pm.family = t[i].family;
			pm.proto = IPPROTO_TCP;
			pm.sport = t[i].port;
			pm.dport = 40000;
			memcpy(pm.src, t[i].addr, 16);
			all = sk_hctap_is_reply(set, &pm) == 1;
		}
		SK_CHECK(all, "the dataplane's endpoint set knows every target's (address, port)");
		sk_hctap_set_free(set);
	}
	free(t);
	free(img);
}

static void
test_invalid(void)
{
	struct sk_health_cfg cfg = { .on_change = NULL };
	struct sk_health *h = sk_health_create(&cfg);
	struct sk_health_target t = target("x", 4, SK_HEALTH_TCP, 80, 0, 1, 1, 100, 50);
	struct sk_health_target bad[4];

	SK_CHECK(h != NULL, "create");
	if (h == NULL)
		return;
	bad[0] = t;
	bad[0].rise = 0;
	bad[1] = t;
	bad[1].timeout_ms = 100;
	bad[2] = t;
	bad[2].type = SK_HEALTH_HTTP;
	bad[2].path[0] = 'x';
	bad[3] = t;
	bad[3].port = 0;
	SK_CHECK(sk_health_set_targets(h, &bad[0], 1) == -EINVAL &&
		 sk_health_set_targets(h, &bad[1], 1) == -EINVAL &&
		 sk_health_set_targets(h, &bad[2], 1) == -EINVAL &&
		 sk_health_set_targets(h, &bad[3], 1) == -EINVAL,
		 "rise 0, timeout >= interval, path without '/', port 0: -EINVAL");
	SK_CHECK(sk_health_set_targets(h, &t, 1) == 0 && sk_health_snapshot(h, NULL, 0) == 1,
		 "a valid target is taken");
	sk_health_free(h);
	sk_health_free(NULL);
}

static void
test_live(void)
{
	struct srv tcp4, ok6, nf4, down6, silent4;
	struct sk_health_target t[8];
	struct sk_health_cfg cfg = { .on_change = on_change };
	struct sk_health_state st;
	struct sk_health *h;
	struct ev e;
	double t0, took, bound;
	int rc, mark, nt = 0;
	uint16_t dead = dead_port();

	rc = srv_start(&tcp4, 4, 0, SRV_HTTP, 200);
	rc |= srv_start(&ok6, 6, 0, SRV_HTTP, 200);
	rc |= srv_start(&nf4, 4, 0, SRV_HTTP, 404);
	rc |= srv_start(&down6, 6, 0, SRV_HTTP, 200);
	rc |= srv_start(&silent4, 4, 0, SRV_SILENT, 0);
	SK_CHECK(rc == 0, "five servers on 127.0.0.1 and ::1");
	if (rc != 0)
		return;
	h = sk_health_create(&cfg);
	evlog.h = h;
	SK_CHECK(h != NULL, "checker created");
	if (h == NULL)
		return;
	t[nt++] = target("tcp-up", 4, SK_HEALTH_TCP, tcp4.port, 0, 2, 3, 100, 50);
	t[nt++] = target("tcp-refused", 4, SK_HEALTH_TCP, dead, 0, 2, 3, 100, 50);
	t[nt++] = target("http6-200", 6, SK_HEALTH_HTTP, ok6.port, 200, 2, 3, 100, 80);
	t[nt++] = target("http-404", 4, SK_HEALTH_HTTP, nf4.port, 200, 2, 3, 100, 80);
	t[nt++] = target("http6-closing", 6, SK_HEALTH_HTTP, down6.port, 200, 2, 2, 100, 50);
	t[nt++] = target("http-silent", 4, SK_HEALTH_HTTP, silent4.port, 200, 2, 2, 100, 50);
	SK_CHECK(sk_health_set_targets(h, t, (size_t)nt) == 0, "%d targets set", nt);
	SK_CHECK(sk_health_start(h) == 0, "checker thread started");
	SK_CHECK(sk_health_start(h) == -EALREADY, "a second start is refused");

	/* Initial state is healthy: no event for the good ones, ever. */
	SK_CHECK(wait_checks(h, "tcp-up", 5, 5.0, &st) == 0 && st.healthy && st.ok_in_row >= 5 &&
		 st.fail_in_row == 0 && st.last_error[0] == '\0' && st.last_check_unix_ms > 0,
		 "tcp connect: healthy after %lu checks, %u ok in a row, last took %u ms",
		 (unsigned long)st.checks, st.ok_in_row, st.last_duration_ms);
	SK_CHECK(wait_checks(h, "http6-200", 5, 5.0, &st) == 0 && st.healthy &&
		 st.ok_in_row >= 5 && st.target.family == 6,
		 "http on ::1 answering 200: healthy (%u ok in a row)", st.ok_in_row);
	SK_CHECK(find_ev("tcp-up", 0, 0, &e) < 0 && find_ev("http6-200", 0, 0, &e) < 0,
		 "no transition for healthy backends (they start healthy)");

	SK_CHECK(wait_ev("tcp-refused", 0, 0, 5.0, &e) >= 0 && e.fail_in_row == 3 &&
		 strstr(e.why, "tcp") != NULL,
		 "tcp to a closed port: down after exactly fall=3 failures (%u): %s",
		 e.fail_in_row, e.why);
	SK_CHECK(wait_ev("http-404", 0, 0, 5.0, &e) >= 0 && e.fail_in_row == 3 &&
		 strstr(e.why, "status 404, expected 200") != NULL,
		 "http 404 where 200 is expected: down after exactly fall=3 checks (%u): %s",
		 e.fail_in_row, e.why);
	SK_CHECK(state_of(h, "http-404", &st) == 0 && !st.healthy &&
		 strstr(st.last_error, "404") != NULL, "snapshot: down, last error \"%s\"",
		 st.last_error);
	SK_CHECK(wait_ev("http-silent", 0, 0, 5.0, &e) >= 0 &&
		 strstr(e.why, "no answer within 50 ms") != NULL,
		 "a listener that accepts but never answers: down on timeout: %s", e.why);

	/* Close a healthy server: down within fall x interval (+ timeout). */
	SK_CHECK(wait_checks(h, "http6-closing", 3, 5.0, &st) == 0 && st.healthy,
		 "http6-closing healthy before its server goes");
	mark = ev_count();
	t0 = now_s();
	srv_stop(&down6);
	rc = wait_ev("http6-closing", 0, mark, 5.0, &e);
	took = (e.t - t0) * 1000.0;
	bound = 3.0 * (2 * 100 + 50);
	printf("# server closed -> down in %.0f ms (fall 2 x interval 100 ms, timeout 50 ms)\n",
	       took);
	SK_CHECK(rc >= 0 && took <= bound && e.fail_in_row == 2,
		 "down %.0f ms after the server closed (bound %.0f ms = 3 x (fall x interval + "
		 "timeout)): %s", took, bound, e.why);

	/* Back: the same port again; up after exactly rise=2 successes. */
	mark = ev_count();
	rc = srv_start(&down6, 6, ntohs(htons(t[4].port)), SRV_HTTP, 200);
	SK_CHECK(rc == 0, "server back on port %u", t[4].port);
	SK_CHECK(rc == 0 && wait_ev("http6-closing", 1, mark, 5.0, &e) >= 0 &&
		 e.ok_in_row == 2 && strstr(e.why, "status 200") != NULL,
		 "back up after exactly rise=2 successes (%u): %s", e.ok_in_row, e.why);
	/* The 404 server mends: up after rise. */
	mark = ev_count();
	__atomic_store_n(&nf4.status, 200, __ATOMIC_RELAXED);
	SK_CHECK(wait_ev("http-404", 1, mark, 5.0, &e) >= 0 && e.ok_in_row == 2,
		 "the 404 server answers 200 again: up after rise=2 (%u)", e.ok_in_row);

	/* Replacing targets keeps the state of those that stay (new indices),
	 * a changed port is a new target (healthy, fresh counters). */
	{
		struct sk_health_target u[2];
		struct sk_health_state before, old_up;

		state_of(h, "tcp-refused", &before);
		state_of(h, "tcp-up", &old_up);
		u[0] = t[1];
		u[0].service = 7;
		u[0].backend = 9;
		u[1] = t[0];
		u[1].port = dead;
		SK_CHECK(sk_health_set_targets(h, u, 2) == 0, "replace the targets");
		SK_CHECK(state_of(h, "tcp-refused", &st) == 0 && !st.healthy &&
			 st.checks >= before.checks && st.target.service == 7 &&
			 st.target.backend == 9,
			 "kept: tcp-refused still down with its counters (%lu >= %lu checks), "
			 "new indices", (unsigned long)st.checks, (unsigned long)before.checks);
		SK_CHECK(state_of(h, "tcp-up", &st) == 0 && st.healthy &&
			 st.checks < old_up.checks,
			 "changed port: a new target, healthy, fresh counters (%lu < %lu checks)",
			 (unsigned long)st.checks, (unsigned long)old_up.checks);
		SK_CHECK(sk_health_snapshot(h, NULL, 0) == 2 &&
			 state_of(h, "http6-200", &st) != 0, "dropped targets are gone");
	}
	sk_health_stop(h);
	mark = ev_count();
	usleep(300000);
	SK_CHECK(ev_count() == mark, "stopped: no more events");
	sk_health_free(h);
	evlog.h = NULL;
	srv_stop(&tcp4);
	srv_stop(&ok6);
	srv_stop(&nf4);
	srv_stop(&down6);
	srv_stop(&silent4);
}

/* CURLOPT_INTERFACE: bound to lo, probes to 127.0.0.1 work; bound to an
 * interface that does not exist, they fail. */
static void
test_interface(void)
{
	struct sk_health_cfg cfg = { .tap = "lo", .on_change = on_change };
	struct sk_health_state st;
	struct sk_health_target t;
	struct sk_health *h;
	struct srv s;

	if (geteuid() != 0) {
		SK_SKIP("binding probes to an interface needs CAP_NET_RAW");
		SK_SKIP("binding probes to an interface needs CAP_NET_RAW");
		return;
	}
	if (srv_start(&s, 4, 0, SRV_HTTP, 200) != 0)
		return;
	t = target("via-lo", 4, SK_HEALTH_HTTP, s.port, 200, 1, 1, 100, 80);
	h = sk_health_create(&cfg);
	evlog.h = h;
	if (h != NULL && sk_health_set_targets(h, &t, 1) == 0 && sk_health_start(h) == 0) {
		SK_CHECK(wait_checks(h, "via-lo", 2, 5.0, &st) == 0 && st.healthy &&
			 st.last_error[0] == '\0', "probe bound to lo reaches 127.0.0.1");
		sk_health_stop(h);
	}
	sk_health_free(h);
	snprintf(cfg.tap, sizeof(cfg.tap), "skhc-nonexist");
	t = target("via-none", 4, SK_HEALTH_HTTP, s.port, 200, 1, 1, 100, 80);
	h = sk_health_create(&cfg);
	evlog.h = h;
	if (h != NULL && sk_health_set_targets(h, &t, 1) == 0 && sk_health_start(h) == 0) {
		SK_CHECK(wait_checks(h, "via-none", 1, 5.0, &st) == 0 && !st.healthy &&
			 st.last_error[0] != '\0',
			 "probe bound to a missing interface fails: %s", st.last_error);
		sk_health_stop(h);
	}
	sk_health_free(h);
	evlog.h = NULL;
	srv_stop(&s);
}

/* https against `openssl s_server -www` (answers GET with 200). */
static void
test_https(void)
{
	char dir[] = "/tmp/sk-health-XXXXXX", cmd[512], cert[96], key[96], acc[32];
	struct sk_health_cfg cfg = { .on_change = on_change };
	struct sk_health_target t[2];
	struct sk_health_state st;
	struct sk_health *h = NULL;
	uint16_t port = dead_port();
	pid_t pid = -1;
	int up = 0, i;

	if (access("/usr/bin/openssl", X_OK) != 0 || mkdtemp(dir) == NULL) {
		SK_SKIP("https: no /usr/bin/openssl to serve TLS (left to the lab)");
		return;
	}
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cmd, sizeof(cmd), "/usr/bin/openssl req -x509 -newkey ec -pkeyopt "
		 "ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=backend -keyout %s "
		 "-out %s >/dev/null 2>&1", key, cert);
	if (system(cmd) != 0) {
		SK_SKIP("https: openssl could not make a certificate");
		goto out;
	}
	snprintf(acc, sizeof(acc), "127.0.0.1:%u", port);
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execl("/usr/bin/openssl", "openssl", "s_server", "-quiet", "-www", "-accept", acc,
		      "-cert", cert, "-key", key, (char *)NULL);
		_exit(127);
	}
	for (i = 0; pid > 0 && i < 100 && !up; i++) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		up = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
		if (fd >= 0)
			close(fd);
		if (!up)
			usleep(50000);
	}
	if (!up) {
		SK_SKIP("https: openssl s_server did not come up");
		goto out;
	}
	t[0] = target("https-200", 4, SK_HEALTH_HTTPS, port, 200, 1, 1, 200, 150);
	snprintf(t[0].path, sizeof(t[0].path), "/");
	t[1] = t[0];
	snprintf(t[1].backend_name, sizeof(t[1].backend_name), "https-204");
	t[1].status = 204;
	h = sk_health_create(&cfg);
	evlog.h = h;
	if (h == NULL || sk_health_set_targets(h, t, 2) != 0 || sk_health_start(h) != 0) {
		SK_CHECK(0, "https checker");
		goto out;
	}
	SK_CHECK(wait_checks(h, "https-200", 2, 5.0, &st) == 0 && st.healthy &&
		 st.last_error[0] == '\0',
		 "https to a self-signed server answering 200: healthy (%s)", st.last_error);
	SK_CHECK(wait_checks(h, "https-204", 1, 5.0, &st) == 0 && !st.healthy &&
		 strstr(st.last_error, "status 200, expected 204") != NULL,
		 "https expecting 204: the TLS exchange got a status: %s", st.last_error);
	sk_health_stop(h);
out:
	sk_health_free(h);
	evlog.h = NULL;
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	unlink(cert);
	unlink(key);
	rmdir(dir);
}

int
main(int argc, char **argv)
{
	(void)argc;
	signal(SIGPIPE, SIG_IGN);
	if (sk_test_eal_init(argv[0]) < 0) {
		printf("not ok 1 - EAL init\n");
		return 1;
	}
	test_from_image();
	test_invalid();
	test_live();
	test_interface();
	test_https();
	return SK_TEST_DONE();
}
