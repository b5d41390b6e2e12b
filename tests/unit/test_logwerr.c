/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_logwerr.c - the log writer when things go wrong and when it is read:
 * write errors (missing/unwritable directory, a full filesystem) are counted
 * and the writer carries on, then recovers; GET /logs pages by sequence
 * number; the syslog copy.  Shares its helpers with test_logw.c
 * (sk_test_logw.h).
 */
#include "sk_test_logw.h"

static void
test_error_path(void)
{
	char *dir = tmpdir(), sub[100], logs[128];
	struct sk_cfg_logging lc;
	struct sk_logw_stats st;
	struct sk_logw_query q = { .limit = 100 };
	struct sk_logw *w;
	json_t *doc;
	size_t lines;
	int i, fd;

	/* The log directory's parent is a regular file: nothing can be opened. */
	snprintf(sub, sizeof(sub), "%s/notadir", dir);
	snprintf(logs, sizeof(logs), "%s/logs", sub);
	fd = open(sub, O_CREAT | O_WRONLY, 0600);
	close(fd);
	settings(&lc, logs, 64 * KIB, 128 * KIB, 100, 100, 1000);
	w = writer(&lc, 0, NULL);
	SK_CHECK(w != NULL, "a writer starts even when its directory cannot be opened");
	for (i = 0, fd = 0; i < 5; i++)
		fd += sk_logw_event(w, "admin", NULL) != 0;
	st = stats(w);
	SK_CHECK(fd == 0 && st.write_errors == 5 && st.written == 0 && st.last_errno == ENOTDIR,
		 "5 write errors counted (%s), nothing written", strerror(st.last_errno));
	doc = sk_logw_query(w, &q);
	SK_CHECK(json_array_size(json_object_get(doc, "lines")) == 5,
		 "the lines are still in memory for GET /logs");
	json_decref(doc);
	/* Fixed: the next attempt (after the retry interval) works. */
	unlink(sub);
	mkdir(sub, 0700);
	sk_logw_event(w, "admin", NULL);
	SK_CHECK(stats(w).write_errors == 6, "no retry before the interval (6 errors)");
	advance(2 * SEC);
	for (i = 0; i < 3; i++)
		sk_logw_event(w, "admin", NULL);
	st = stats(w);
	SK_CHECK(st.written == 3 && st.write_errors == 6 &&
		 scan_dir(logs, NULL, NULL, &lines) == 0 && lines == 3,
		 "recovered: directory created, 3 lines written");
	sk_logw_free(w);

	/* An unwritable directory: only meaningful when not root. */
	if (geteuid() == 0) {
		SK_SKIP("unwritable directory: running as root, permissions do not apply");
	} else {
		snprintf(sub, sizeof(sub), "%s/ro", dir);
		mkdir(sub, 0500);
		settings(&lc, sub, 64 * KIB, 128 * KIB, 100, 100, 1000);
		w = writer(&lc, 0, NULL);
		sk_logw_event(w, "admin", NULL);
		st = stats(w);
		chmod(sub, 0700);
		advance(2 * SEC);
		sk_logw_event(w, "admin", NULL);
		SK_CHECK(st.write_errors == 1 && st.last_errno == EACCES && stats(w).written == 1,
			 "unwritable directory counted (%s), then recovered",
			 strerror(st.last_errno));
		sk_logw_free(w);
	}
	rm_rf(dir);
}

/* A full filesystem: a 256 KiB tmpfs, mostly taken by a filler file. */
static void
test_error_full(void)
{
	char *mnt = tmpdir(), filler[100], logs[100];
	struct sk_cfg_logging lc;
	struct sk_logw_stats st;
	struct sk_logw *w;
	char buf[4096], pad[401];
	uint64_t errs;
	size_t lines;
	int i, fd, fails = 0;

	if (geteuid() != 0 || mount("tmpfs", mnt, "tmpfs", 0, "size=256k,mode=0700") != 0) {
		SK_SKIP("full filesystem: needs root to mount a tmpfs (%s)", strerror(errno));
		rm_rf(mnt);
		return;
	}
	snprintf(filler, sizeof(filler), "%s/filler", mnt);
	snprintf(logs, sizeof(logs), "%s/logs", mnt);
	fd = open(filler, O_CREAT | O_WRONLY, 0600);
	memset(buf, 'f', sizeof(buf));
	for (i = 0; i < 200 * 1024 / (int)sizeof(buf); i++)
		fails += write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf);
	close(fd);
	memset(pad, 'p', 400);
	pad[400] = '\0';
	/* The cap is above the filesystem's size: the disk fills first. */
	settings(&lc, logs, 64 * KIB, 1024 * KIB, 1000000, 1000000, 1000000);
	w = writer(&lc, 0, NULL);
	for (i = 0; i < 500; i++)
		fails += sk_logw_event(w, "admin", json_pack("{sI ss}", "n", (json_int_t)i,
							     "pad", pad)) != 0;
	st = stats(w);
	SK_CHECK(fails == 0 && st.write_errors > 0 && st.written > 0 && st.last_errno == ENOSPC &&
		 st.written + st.write_errors == 500,
		 "disk full: %llu written, %llu write errors (%s), every call returned",
		 (unsigned long long)st.written, (unsigned long long)st.write_errors,
		 strerror(st.last_errno));
	SK_CHECK(st.seq == 500, "all 500 lines still reached memory");
	errs = st.write_errors;
	unlink(filler);
	advance(2 * SEC);
	for (i = 0; i < 50; i++)
		sk_logw_event(w, "admin", json_pack("{sI ss}", "n", (json_int_t)(500 + i), "pad", pad));
	st = stats(w);
	SK_CHECK(st.write_errors == errs && st.written + st.write_errors == 550,
		 "space freed: writing resumed, no new errors");
	SK_CHECK(scan_dir(logs, NULL, NULL, &lines) == 0 && lines == st.written,
		 "no half line left behind by the full disk (%zu lines parse)", lines);
	sk_logw_free(w);
	if (umount(mnt) != 0)
		umount2(mnt, MNT_DETACH);
	rm_rf(mnt);
}

static void
test_query(void)
{
	struct sk_cfg_logging lc;
	struct sk_logw_query q;
	struct sk_logw *w;
	char err[128];
	json_t *doc, *lines;
	int i;

	settings(&lc, "/nonexistent", 64 * KIB, 128 * KIB, 1000, 1000, 1000);
	lc.file = 0;
	w = writer(&lc, 10, NULL);
	SK_CHECK(sk_logw_query_parse(NULL, NULL, &q, err, sizeof(err)) == 0 && !q.has_since &&
		 q.limit == SK_LOGW_QUERY_DEFAULT, "no parameters: newest %u", q.limit);
	doc = sk_logw_query(w, &q);
	SK_CHECK(json_array_size(json_object_get(doc, "lines")) == 0 &&
		 int_is(doc, "latest", 0) && json_object_get(doc, "stats") != NULL,
		 "empty writer: no lines, latest 0, stats present");
	json_decref(doc);
	for (i = 1; i <= 25; i++)
		sk_logw_event(w, "admin", json_pack("{si}", "n", i));

	sk_logw_query_parse(NULL, "5", &q, err, sizeof(err));
	doc = sk_logw_query(w, &q);
	lines = json_object_get(doc, "lines");
	SK_CHECK(json_array_size(lines) == 5 && int_is(json_array_get(lines, 0), "seq", 21) &&
		 int_is(json_array_get(lines, 4), "seq", 25) && int_is(doc, "next", 25),
		 "limit=5: the newest five, oldest first");
	json_decref(doc);

	sk_logw_query_parse("0", "100", &q, err, sizeof(err));
	doc = sk_logw_query(w, &q);
	lines = json_object_get(doc, "lines");
	SK_CHECK(json_array_size(lines) == 10 && int_is(json_array_get(lines, 0), "seq", 16) &&
		 int_is(json_array_get(lines, 0), "n", 16) && int_is(doc, "missed", 15) &&
		 int_is(doc, "oldest", 16), "since=0 with 10 held: 16..25, 15 missed");
	json_decref(doc);

	sk_logw_query_parse("20", "3", &q, err, sizeof(err));
	doc = sk_logw_query(w, &q);
	lines = json_object_get(doc, "lines");
	SK_CHECK(json_array_size(lines) == 3 && int_is(json_array_get(lines, 0), "seq", 21) &&
		 int_is(doc, "next", 23) && int_is(doc, "missed", 0),
		 "since=20&limit=3: 21..23, next=23");
	json_decref(doc);

	sk_logw_query_parse("25", NULL, &q, err, sizeof(err));
	doc = sk_logw_query(w, &q);
	SK_CHECK(json_array_size(json_object_get(doc, "lines")) == 0 && int_is(doc, "next", 25) &&
		 json_is_false(json_object_get(doc, "reset")), "since=latest: nothing new");
	json_decref(doc);

	sk_logw_query_parse("1000", NULL, &q, err, sizeof(err));
	doc = sk_logw_query(w, &q);
	SK_CHECK(json_is_true(json_object_get(doc, "reset")) &&
		 json_array_size(json_object_get(doc, "lines")) == 10,
		 "since beyond latest (restarted writer): reset, from the oldest");
	json_decref(doc);

	SK_CHECK(sk_logw_query_parse("abc", NULL, &q, err, sizeof(err)) == -EINVAL &&
		 sk_logw_query_parse("-1", NULL, &q, err, sizeof(err)) == -EINVAL &&
		 sk_logw_query_parse(NULL, "0", &q, err, sizeof(err)) == -EINVAL &&
		 sk_logw_query_parse(NULL, "1001", &q, err, sizeof(err)) == -EINVAL &&
		 sk_logw_query_parse("99999999999999999999999", NULL, &q, err, sizeof(err)) ==
		 -EINVAL && sk_logw_query_parse(NULL, "10x", &q, err, sizeof(err)) == -EINVAL,
		 "bad since/limit refused: %s", err);
	sk_logw_free(w);
}

static int
recv_wait(int fd, char *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, 1000) != 1)
		return -1;
	n = recv(fd, buf, len - 1, 0);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

static void
test_syslog(void)
{
	char *dir = tmpdir(), path[100], buf[9000], want[32];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct sk_cfg_logging lc;
	struct sk_logw_stats st;
	struct timespec a, b;
	struct sk_logrec r;
	struct sk_logw *w;
	int fd, i;
	double secs;

	snprintf(path, sizeof(path), "%s/log", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	SK_CHECK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "fake syslog socket");
	settings(&lc, dir, 64 * KIB, 128 * KIB, 1000000, 1000000, 1000000);
	lc.file = 0;
	lc.syslog = 1;
	lc.facility = LOG_LOCAL3;
	w = writer(&lc, 0, path);
	sk_logw_event(w, "ha", json_pack("{ss}", "state", "active"));
	snprintf(want, sizeof(want), "<%d>", LOG_LOCAL3 | LOG_INFO);
	SK_CHECK(recv_wait(fd, buf, sizeof(buf)) > 0 && strncmp(buf, want, strlen(want)) == 0 &&
		 strstr(buf, " sekisho-cp[") != NULL &&
		 strstr(buf, "\"event\":\"ha\",\"state\":\"active\"}") != NULL &&
		 buf[strlen(buf) - 1] == '}', "event to syslog as %s...: %.60s", want, buf);
	rec_v4(&r, 2);
	sk_logw_record(w, &r);
	snprintf(want, sizeof(want), "<%d>", LOG_LOCAL3 | LOG_NOTICE);
	SK_CHECK(recv_wait(fd, buf, sizeof(buf)) > 0 && strncmp(buf, want, strlen(want)) == 0 &&
		 strstr(buf, "\"rule\":\"rule-2\"") != NULL, "record to syslog as %s", want);
	/* Nobody reads: the socket queue fills and lines are counted, not waited for. */
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < 5000; i++)
		sk_logw_event(w, "admin", NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	st = stats(w);
	SK_CHECK(st.syslog_errors > 0 && st.write_errors == st.syslog_errors && secs < 5,
		 "stuck syslog: %llu lines refused in %.3f s, never blocked",
		 (unsigned long long)st.syslog_errors, secs);
	close(fd);
	unlink(path);
	advance(2 * SEC);
	sk_logw_event(w, "admin", NULL);
	SK_CHECK(stats(w).syslog_errors == st.syslog_errors + 1, "syslog gone: counted");
	sk_logw_free(w);
	rm_rf(dir);
}

int
main(void)
{
	test_error_path();
	test_error_full();
	test_query();
	test_syslog();
	return SK_TEST_DONE();
}
