/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_cmd_capture.c - sekishoctl capture PORT ... -w FILE: packet capture
 * on the unit through DPDK's own tool.  sekisho-dp (the DPDK primary) runs
 * rte_pdump; dpdk-dumpcap attaches as a secondary process with the unit's
 * file prefix, installs a BPF filter on the port's RX and TX and writes
 * pcapng.  This wrapper finds the prefix and the port id from the running
 * unit (GET /status, GET /counters), always bounds the capture by size and
 * time, refuses when the file system has less room than the size bound,
 * and passes Ctrl-C on to dumpcap so that it closes the file properly.
 * It runs on the unit itself, as root (the hugepage files).
 */
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ctl_capture.h"
#include "ctl_http.h"
#include "ctl_table.h"

extern char **environ;

#define DUMPCAP_DEFAULT "dpdk-dumpcap"

int
sk_ctl_capture_argv(const struct sk_ctl_capture *c, const char *dumpcap, const char *prefix,
		    uint16_t port_id, struct sk_ctl_capture_argv *out)
{
	unsigned int n = 0, k = 0;

#define ARG(s) (out->argv[n++] = (char *)(s))
#define FMT(...) do { \
		if (snprintf(out->store[k], SK_CTL_CAPTURE_ARG_LEN, __VA_ARGS__) >= \
		    SK_CTL_CAPTURE_ARG_LEN) \
			return -EINVAL; \
		ARG(out->store[k++]); \
	} while (0)

	memset(out, 0, sizeof(*out));
	if (c->file == NULL || prefix == NULL || *prefix == '\0' || c->duration_s == 0 ||
	    c->max_size_mb == 0 || c->max_size_mb > SK_CTL_CAPTURE_SIZE_MAX_MB ||
	    c->duration_s > SK_CTL_CAPTURE_DUR_MAX_S)
		return -EINVAL;
	ARG(dumpcap);
	FMT("--file-prefix=%s", prefix);
	ARG("-i");
	FMT("%u", port_id);
	/* dumpcap turns promiscuous mode on by default: on a firewall that
	 * would change which frames the unit accepts while it is watched. */
	ARG("-p");
	ARG("-n");
	ARG("-w");
	ARG(c->file);
	ARG("-a");
	FMT("filesize:%u", c->max_size_mb * 1024u);
	ARG("-a");
	FMT("duration:%u", c->duration_s);
	if (c->count != 0) {
		ARG("-c");
		FMT("%llu", (unsigned long long)c->count);
	}
	if (c->snaplen != 0) {
		ARG("-s");
		FMT("%u", c->snaplen);
	}
	if (c->filter != NULL) {
		ARG("-f");
		ARG(c->filter);
	}
	out->argv[n] = NULL;
	return 0;
#undef FMT
#undef ARG
}

int
sk_ctl_capture_port(const json_t *counters, const char *port, uint16_t *port_id)
{
	const json_t *ports = json_object_get(counters, "ports");
	const char *name;
	json_t *p;
	char *end;
	unsigned long id;

	if (!json_is_object(ports))
		return -ENOENT;
	p = json_object_get(ports, port);
	if (json_is_object(p) && json_is_integer(json_object_get(p, "port"))) {
		*port_id = (uint16_t)json_integer_value(json_object_get(p, "port"));
		return 0;
	}
	/* a port id: only one the unit uses (never another process's port) */
	errno = 0;
	id = strtoul(port, &end, 10);
	if (*port == '\0' || *end != '\0' || errno != 0 || id > UINT16_MAX)
		return -ENOENT;
	json_object_foreach((json_t *)ports, name, p) {
		if (json_is_integer(json_object_get(p, "port")) &&
		    (unsigned long)json_integer_value(json_object_get(p, "port")) == id) {
			*port_id = (uint16_t)id;
			return 0;
		}
	}
	return -ENOENT;
}

/* The unit's file prefix and the port's id, from its REST API. */
static int
resolve(struct sk_ctl_http *h, const struct sk_ctl_capture *c, char *prefix, size_t plen,
	uint16_t *port_id)
{
	struct sk_ctl_resp r;
	const char *p;
	int rc;

	rc = sk_ctl_call(h, "GET", "/status", "", NULL, NULL, &r);
	if (rc != 0)
		return rc;
	p = json_string_value(sk_ctl_json_get(r.json, "dataplane.file_prefix"));
	if (!json_is_true(sk_ctl_json_get(r.json, "dataplane.attached")) || p == NULL) {
		fprintf(stderr, "sekishoctl: capture: the unit's control plane is not attached to "
			"its dataplane (or too old to say its file prefix): give --file-prefix\n");
		sk_ctl_resp_free(&r);
		return SK_CTL_EXIT_API;
	}
	snprintf(prefix, plen, "%s", p);
	sk_ctl_resp_free(&r);
	rc = sk_ctl_call(h, "GET", "/counters", "", NULL, NULL, &r);
	if (rc != 0)
		return rc;
	if (sk_ctl_capture_port(r.json, c->port, port_id) != 0) {
		const char *name;
		json_t *v;

		fprintf(stderr, "sekishoctl: capture: the unit has no port '%s'; its ports:",
			c->port);
		json_object_foreach(json_object_get(r.json, "ports"), name, v)
			fprintf(stderr, " %s (%lld)", name,
				(long long)json_integer_value(json_object_get(v, "port")));
		fputc('\n', stderr);
		sk_ctl_resp_free(&r);
		return SK_CTL_EXIT_USAGE;
	}
	sk_ctl_resp_free(&r);
	return 0;
}

/* Refuse a capture whose size bound does not fit where it is written. */
static int
check_room(const struct sk_ctl_capture *c)
{
	char dir[4096];
	struct statvfs sv;
	unsigned long long avail, need = (unsigned long long)c->max_size_mb << 20;

	snprintf(dir, sizeof(dir), "%s", c->file);
	if (statvfs(dirname(dir), &sv) != 0) {
		fprintf(stderr, "sekishoctl: capture: %s: %s\n", c->file, strerror(errno));
		return SK_CTL_EXIT_USAGE;
	}
	avail = (unsigned long long)sv.f_bavail * sv.f_frsize;
	if (avail < need) {
		fprintf(stderr, "sekishoctl: capture: %s has %llu MB free, less than --max-size %u MB:"
			" free room or lower --max-size\n", dir, avail >> 20, c->max_size_mb);
		return SK_CTL_EXIT_USAGE;
	}
	return 0;
}

static volatile sig_atomic_t child_pid;

static void
forward_signal(int sig)
{
	/* kill() is async-signal-safe; dumpcap closes its file on SIGINT */
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

/*
 * dumpcap stops itself after the duration, but only once it is attached: a
 * secondary process whose EAL start or pdump enable request never completes
 * would wait forever, and the operator's "bounded" capture with it.  So the
 * wrapper keeps its own deadline: the duration plus room for the attach,
 * then SIGINT (dumpcap closes the file), then SIGKILL.  -ETIMEDOUT when it
 * had to stop dumpcap, 0 when dumpcap ended on its own.
 */
static int
wait_bounded(pid_t pid, const char *name, unsigned int duration_s, int *status)
{
	const unsigned int tick_ms = 100;
	unsigned long long waited_ms = 0;
	unsigned long long limit_ms = (duration_s + SK_CTL_CAPTURE_ATTACH_S) * 1000ull;
	int stopped = 0;

	for (;;) {
		struct timespec ts = { 0, tick_ms * 1000000L };
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return stopped ? -ETIMEDOUT : 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		nanosleep(&ts, NULL);
		waited_ms += tick_ms;
		if (stopped == 0 && waited_ms >= limit_ms) {
			fprintf(stderr, "sekishoctl: capture: %s still running %u s after its %u s "
				"duration (not attached to the unit?): stopping it\n", name,
				SK_CTL_CAPTURE_ATTACH_S, duration_s);
			kill(pid, SIGINT);
			stopped = 1;
		} else if (stopped == 1 && waited_ms >= limit_ms + SK_CTL_CAPTURE_KILL_MS) {
			kill(pid, SIGKILL);
			stopped = 2;
		}
	}
}

int
sk_ctl_cmd_capture(struct sk_ctl_http *h, const struct sk_ctl_args *a)
{
	const struct sk_ctl_capture *c = &a->capture;
	const char *dumpcap = getenv("SEKISHO_DUMPCAP");
	struct sk_ctl_capture_argv av;
	struct sigaction sa, old_int, old_term;
	char prefix[64];
	uint16_t port_id = 0;
	struct stat st;
	pid_t pid;
	int rc, status;

	if (dumpcap == NULL || *dumpcap == '\0')
		dumpcap = DUMPCAP_DEFAULT;
	if (c->file_prefix != NULL) {
		char *end;
		unsigned long id;

		/* no REST: the port must be given as its DPDK port id */
		errno = 0;
		id = strtoul(c->port, &end, 10);
		if (*c->port == '\0' || *end != '\0' || errno != 0 || id > UINT16_MAX) {
			fprintf(stderr, "sekishoctl: capture: with --file-prefix, PORT is a DPDK port "
				"id (see 'sekishoctl zones' or dpdk-dumpcap -D), not '%s'\n", c->port);
			return SK_CTL_EXIT_USAGE;
		}
		snprintf(prefix, sizeof(prefix), "%s", c->file_prefix);
		port_id = (uint16_t)id;
	} else if ((rc = resolve(h, c, prefix, sizeof(prefix), &port_id)) != 0) {
		return rc;
	}
	rc = check_room(c);
	if (rc != 0)
		return rc;
	if (sk_ctl_capture_argv(c, dumpcap, prefix, port_id, &av) != 0) {
		fprintf(stderr, "sekishoctl: capture: arguments too long\n");
		return SK_CTL_EXIT_USAGE;
	}
	fprintf(stderr, "sekishoctl: capturing port %s (DPDK port %u, file prefix %s) to %s: "
		"stops after %u s or %u MB%s\n", c->port, port_id, prefix, c->file, c->duration_s,
		c->max_size_mb, c->count != 0 ? " or the packet count" : "");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	rc = posix_spawnp(&pid, dumpcap, NULL, NULL, av.argv, environ);
	if (rc != 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		fprintf(stderr, "sekishoctl: capture: cannot run %s: %s (Debian: apt install dpdk)\n",
			dumpcap, strerror(rc));
		return SK_CTL_EXIT_UNREACHABLE;
	}
	child_pid = pid;
	rc = wait_bounded(pid, dumpcap, c->duration_s, &status);
	child_pid = 0;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (stat(c->file, &st) == 0)
		fprintf(stderr, "sekishoctl: capture: %s, %lld bytes\n", c->file,
			(long long)st.st_size);
	if (rc == -ETIMEDOUT)
		return SK_CTL_EXIT_API;
	if (rc != 0) {
		fprintf(stderr, "sekishoctl: capture: waiting for %s: %s\n", dumpcap, strerror(-rc));
		return SK_CTL_EXIT_API;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return SK_CTL_EXIT_OK;
	if (WIFEXITED(status))
		fprintf(stderr, "sekishoctl: capture: %s exited with status %d\n", dumpcap,
			WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		fprintf(stderr, "sekishoctl: capture: %s ended by signal %d\n", dumpcap,
			WTERMSIG(status));
	return SK_CTL_EXIT_API;
}
