/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_hahook.c - the takeover hook runner (control/ha/ha_hook.c) with real
 * shell scripts in a temporary directory: a hook that logs its input (stdin
 * reaches it whole, stdout and stderr are both captured), one that hangs
 * (killed at the timeout with the process it started, then retried), one
 * that fails (retried, then failed with its exit status), one that fails
 * once then succeeds, a newer input replacing a queued one, a hook that
 * never reads a large input (no SIGPIPE here), and a path that does not run.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ha/ha_hook.h"
#include "sk_test.h"

static char dir[] = "/tmp/sk_test_hahook_XXXXXX";
static char logbuf[8192];
static unsigned int log_lines;

static uint64_t
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
on_log(void *ctx, const char *line)
{
	size_t n = strlen(logbuf);

	(void)ctx;
	log_lines++;
	snprintf(logbuf + n, sizeof(logbuf) - n, "%s\n", line);
}

static void
script(const char *name, const char *body, char *path, size_t len)
{
	FILE *fp;

	snprintf(path, len, "%s/%s", dir, name);
	fp = fopen(path, "w");
	if (fp == NULL) {
		perror(path);
		exit(2);
	}
	fprintf(fp, "#!/bin/sh\n%s\n", body);
	fclose(fp);
	chmod(path, 0755);
}

static char *
slurp(const char *name)
{
	static char buf[1 << 16];
	char path[256];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "r");
	if (fp == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static unsigned int
count_lines(const char *s)
{
	unsigned int n = 0;

	for (; s != NULL && *s; s++)
		n += *s == '\n';
	return n;
}

/* s with its line breaks as '|' (one TAP line per check). */
static const char *
oneline(const char *s)
{
	static char buf[512];
	size_t i;

	for (i = 0; s != NULL && s[i] != '\0' && i < sizeof(buf) - 1; i++)
		buf[i] = s[i] == '\n' ? '|' : s[i];
	buf[i] = '\0';
	return buf;
}

/* Poll until the hook is idle or ms have passed; the elapsed time. */
static uint64_t
drive(struct sk_ha_hook *h, unsigned int ms)
{
	uint64_t t0 = ms_now(), end = t0 + ms;
	const struct timespec pause = { 0, 5 * 1000000 };

	while (sk_ha_hook_busy(h) && ms_now() < end) {
		nanosleep(&pause, NULL);
		sk_ha_hook_poll(h, ms_now());
	}
	return ms_now() - t0;
}

static struct sk_ha_hook *
make(const char *path, uint32_t timeout_ms, uint32_t retries)
{
	struct sk_ha_hook_cfg c = {
		.path = path, .timeout_ms = timeout_ms, .retries = retries,
		.retry_delay_ms = 50, .log = on_log,
	};
	struct sk_ha_hook *h = NULL;

	logbuf[0] = '\0';
	log_lines = 0;
	if (sk_ha_hook_create(&c, &h) != 0) {
		printf("# cannot create the hook %s\n", path);
		exit(2);
	}
	return h;
}

/* Gone, or a zombie nobody reaped (in a container without init). */
static int
process_gone(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *fp;
	int gone = 1;

	if (kill(pid, 0) != 0)
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fp = fopen(path, "r");
	if (fp == NULL)
		return 1;
	if (fgets(buf, sizeof(buf), fp) != NULL && (p = strrchr(buf, ')')) != NULL)
		gone = p[2] == 'Z' || p[2] == 'X';
	fclose(fp);
	return gone;
}

static void
test_logs(void)
{
	static const char input[] = "{\"role\":\"active\",\"term\":7,\"unit\":2,"
				    "\"floating\":[\"203.0.113.1\"]}";
	struct sk_ha_hook_state st;
	struct sk_ha_hook *h;
	char path[256], body[512];
	const char *got;

	snprintf(body, sizeof(body),
		 "cat > %s/in.json\necho \"got $(wc -c < %s/in.json) bytes\"\n"
		 "echo to-stderr >&2\nexit 0", dir, dir);
	script("log.sh", body, path, sizeof(path));
	h = make(path, 5000, 2);
	sk_ha_hook_state(h, &st);
	SK_CHECK(st.runs == 0 && st.last_rc == -2 && strcmp(st.state, "none") == 0,
		 "before the first run: none, rc -2");
	SK_CHECK(sk_ha_hook_run(h, input, ms_now()) == 0 && sk_ha_hook_busy(h), "started");
	sk_ha_hook_state(h, &st);
	SK_CHECK(strcmp(st.state, "running") == 0, "state running while it runs");
	drive(h, 5000);
	sk_ha_hook_state(h, &st);
	got = slurp("in.json");
	SK_CHECK(got != NULL && strcmp(got, input) == 0, "the hook read the whole input on stdin");
	SK_CHECK(st.runs == 1 && st.last_rc == 0 && strcmp(st.state, "ok") == 0,
		 "ok, exit 0, one run (runs %llu rc %d %s)", (unsigned long long)st.runs,
		 st.last_rc, st.state);
	snprintf(body, sizeof(body), "got %zu bytes", strlen(input));
	SK_CHECK(strstr(st.output, body) != NULL && strstr(st.output, "to-stderr") != NULL,
		 "stdout and stderr in the output tail: %s", oneline(st.output));
	SK_CHECK(strstr(logbuf, body) != NULL && strstr(logbuf, "to-stderr\n") != NULL &&
		 strstr(logbuf, "exit 0") != NULL, "each output line and the exit logged");
	sk_ha_hook_free(&h);
	SK_CHECK(h == NULL, "free sets NULL");
}

static void
test_hangs(void)
{
	struct sk_ha_hook_state st;
	struct sk_ha_hook *h;
	char path[256], body[512];
	const char *pidtxt;
	uint64_t took;
	pid_t child;

	/* the shell starts a child that would outlive it if only the shell were killed */
	snprintf(body, sizeof(body),
		 "echo started\nsh -c 'echo $$ >> %s/child.pid; exec sleep 30'\necho never", dir);
	script("hang.sh", body, path, sizeof(path));
	h = make(path, 200, 1);
	SK_CHECK(sk_ha_hook_run(h, "{}", ms_now()) == 0, "started");
	took = drive(h, 5000);
	sk_ha_hook_state(h, &st);
	SK_CHECK(!sk_ha_hook_busy(h) && took < 3000, "done in %llu ms (2 x 200 ms + retry delay)",
		 (unsigned long long)took);
	SK_CHECK(st.runs == 2 && st.last_rc == -1 && strcmp(st.state, "failed") == 0,
		 "killed twice (first try + 1 retry): runs %llu rc %d %s",
		 (unsigned long long)st.runs, st.last_rc, st.state);
	SK_CHECK(strstr(logbuf, "killed: still running after 200 ms") != NULL &&
		 strstr(st.output, "started") != NULL && strstr(st.output, "never") == NULL,
		 "the timeout is logged, the output before it kept");
	pidtxt = slurp("child.pid");
	child = pidtxt != NULL ? (pid_t)atoi(pidtxt) : 0;
	{
		uint64_t end = ms_now() + 2000;

		while (child > 0 && !process_gone(child) && ms_now() < end)
			usleep(10000);
	}
	SK_CHECK(child > 0 && process_gone(child), "the hook's own child (sleep, pid %d) was "
		 "killed with it", (int)child);
	sk_ha_hook_free(&h);
}

static void
test_fails(void)
{
	struct sk_ha_hook_state st;
	struct sk_ha_hook *h;
	char path[256], body[512];

	snprintf(body, sizeof(body), "echo try >> %s/tries\necho failing\nexit 3", dir);
	script("fail.sh", body, path, sizeof(path));
	h = make(path, 5000, 2);
	SK_CHECK(sk_ha_hook_run(h, "{}", ms_now()) == 0, "started");
	drive(h, 5000);
	sk_ha_hook_state(h, &st);
	SK_CHECK(count_lines(slurp("tries")) == 3, "ran 3 times (1 + 2 retries): %u",
		 count_lines(slurp("tries")));
	SK_CHECK(st.runs == 3 && st.last_rc == 3 && strcmp(st.state, "failed") == 0,
		 "failed with exit 3 after the retries: runs %llu rc %d %s",
		 (unsigned long long)st.runs, st.last_rc, st.state);
	SK_CHECK(strstr(logbuf, "retry 2 of 2") != NULL && strstr(logbuf, "no retries left"),
		 "retries logged");
	sk_ha_hook_free(&h);

	/* fails once, then works */
	snprintf(body, sizeof(body),
		 "if [ -e %s/flaky ]; then echo second; exit 0; fi\ntouch %s/flaky\nexit 1",
		 dir, dir);
	script("flaky.sh", body, path, sizeof(path));
	h = make(path, 5000, 3);
	SK_CHECK(sk_ha_hook_run(h, "{}", ms_now()) == 0, "started");
	drive(h, 5000);
	sk_ha_hook_state(h, &st);
	SK_CHECK(st.runs == 2 && st.last_rc == 0 && strcmp(st.state, "ok") == 0 &&
		 strstr(st.output, "second") != NULL,
		 "a retry that works ends ok: runs %llu rc %d %s", (unsigned long long)st.runs,
		 st.last_rc, st.state);
	sk_ha_hook_free(&h);
}

static void
test_replace(void)
{
	struct sk_ha_hook_state st;
	struct sk_ha_hook *h;
	char path[256], body[512];
	const char *seen;

	snprintf(body, sizeof(body), "cat >> %s/seen\necho >> %s/seen\nsleep 0.2", dir, dir);
	script("slow.sh", body, path, sizeof(path));
	h = make(path, 5000, 0);
	SK_CHECK(sk_ha_hook_run(h, "A", ms_now()) == 0 && sk_ha_hook_run(h, "B", ms_now()) == 0 &&
		 sk_ha_hook_run(h, "C", ms_now()) == 0, "three inputs, the first running");
	drive(h, 5000);
	sk_ha_hook_state(h, &st);
	seen = slurp("seen");
	SK_CHECK(seen != NULL && strcmp(seen, "A\nC\n") == 0 && st.runs == 2,
		 "one at a time, the latest waiting input replaces an older one: %s",
		 seen != NULL ? oneline(seen) : "(none)");
	sk_ha_hook_free(&h);

	/* free while running kills it without waiting for it */
	h = make(path, 5000, 0);
	SK_CHECK(sk_ha_hook_run(h, "D", ms_now()) == 0, "started");
	{
		uint64_t t0 = ms_now();

		sk_ha_hook_free(&h);
		SK_CHECK(ms_now() - t0 < 150, "free of a running hook kills it at once");
	}
}

static void
test_no_stdin(void)
{
	struct sk_ha_hook_state st;
	struct sk_ha_hook *h;
	char path[256];
	char *big = malloc(1 << 20);

	memset(big, 'x', (1 << 20) - 1);
	big[(1 << 20) - 1] = '\0';
	script("noread.sh", "exit 0", path, sizeof(path));
	h = make(path, 5000, 0);
	SK_CHECK(sk_ha_hook_run(h, big, ms_now()) == 0, "started with 1 MiB of input");
	drive(h, 5000);
	sk_ha_hook_state(h, &st);
	SK_CHECK(st.last_rc == 0 && strcmp(st.state, "ok") == 0,
		 "a hook that never reads its input: no SIGPIPE here, ok");
	sk_ha_hook_free(&h);
	free(big);

	snprintf(path, sizeof(path), "%s/does-not-exist", dir);
	h = make(path, 5000, 0);
	SK_CHECK(sk_ha_hook_run(h, "{}", ms_now()) == 0, "queued");
	drive(h, 1000);
	sk_ha_hook_state(h, &st);
	/* posix_spawn reports a failed exec (-1, "cannot run"); where it falls
	 * back to fork + exec (under valgrind) the child exits 127 */
	SK_CHECK(strcmp(st.state, "failed") == 0 &&
		 ((st.last_rc == -1 && strstr(logbuf, "cannot run") != NULL) || st.last_rc == 127),
		 "a path that cannot run fails (rc %d): %s", st.last_rc, oneline(logbuf));
	sk_ha_hook_free(&h);
	{
		struct sk_ha_hook_cfg c = { .path = "relative/hook" };

		SK_CHECK(sk_ha_hook_create(&c, &h) == -EINVAL && h == NULL,
			 "a relative path is refused");
	}
}

int
main(void)
{
	char cmd[128];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	test_logs();
	test_hangs();
	test_fails();
	test_replace();
	test_no_stdin();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return SK_TEST_DONE();
}
