/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_logw.c - the control plane's log writer (control/logw) and the
 * `logging` config group.  What it must guarantee, checked on real files:
 *   - disk use never exceeds max_total_bytes (stat and du), whatever comes
 *     in: floods, huge lines, leftovers from an older config;
 *   - a rule logs at most burst + rate x seconds, and everything refused is
 *     counted and summarised once per rule per second;
 *   - every rule has its own bucket, and rate_total bounds them all;
 *   - every line is one JSON object.
 * Write errors, GET /logs and syslog: test_logwerr.c.
 * Time is a fake clock unless a test says otherwise, so limits are exact.
 */
#include "sk_test_logw.h"

static void
test_format(void)
{
	struct sk_cfg_logging lc;
	struct sk_logrec r;
	struct sk_logw *w;
	char ts[40];
	json_t *l;

	sk_logw_fmt_ts(1714566896789123456ull, ts, sizeof(ts));
	SK_CHECK(strcmp(ts, "2024-05-01T12:34:56.789Z") == 0, "RFC 3339 with ms: %s", ts);

	settings(&lc, "/nonexistent", 64 * KIB, 128 * KIB, 1000, 1000, 100000);
	lc.file = 0;
	w = writer(&lc, 16, NULL);
	SK_CHECK(w != NULL, "memory-only writer");
	if (w == NULL)
		return;
	rec_v4(&r, 3);
	SK_CHECK(sk_logw_record(w, &r) == 0, "record in");
	l = last_line(w);
	SK_CHECK(str_is(l, "ts", "2024-05-01T12:34:56.789Z") && str_is(l, "kind", "drop") &&
		 str_is(l, "rule", "rule-3") && int_is(l, "rule_id", 3) &&
		 int_is(l, "gen", 9) && str_is(l, "in", "eth-out") && str_is(l, "out", "eth-in") &&
		 str_is(l, "from", "outside") && str_is(l, "to", "inside"),
		 "v4: ts, kind, rule name from the callback, interfaces, zones");
	SK_CHECK(str_is(l, "src", "198.51.100.7") && str_is(l, "dst", "10.1.2.3") &&
		 str_is(l, "proto", "tcp") && int_is(l, "sport", 40000) &&
		 int_is(l, "dport", 22) && str_is(l, "flags", "SA") && int_is(l, "len", 60) &&
		 int_is(l, "seq", 1), "v4: addresses, proto, ports, TCP flags, len, seq");
	json_decref(l);

	rec_v4(&r, 0);
	r.family = 6;
	r.kind = SK_LOG_REJECT;
	r.proto = IPPROTO_ICMPV6;
	r.icmp_type = 128;
	r.out_zone = 0;
	r.out_iface = 7;
	r.in_zone = 5;
	inet_pton(AF_INET6, "2001:db8::7", r.src);
	inet_pton(AF_INET6, "2001:db8:1::1", r.dst);
	sk_logw_record(w, &r);
	l = last_line(w);
	SK_CHECK(str_is(l, "kind", "reject") && str_is(l, "rule", "default zone5->local") &&
		 int_is(l, "rule_id", 0) && str_is(l, "to", "local") &&
		 str_is(l, "out", "local") && str_is(l, "src", "2001:db8::7") &&
		 str_is(l, "dst", "2001:db8:1::1") && str_is(l, "proto", "icmpv6") &&
		 int_is(l, "icmp_type", 128) && json_object_get(l, "sport") == NULL,
		 "v6 zone default: names fall back to ids, ICMP type instead of ports");
	json_decref(l);

	rec_v4(&r, 4);
	r.proto = 47;
	r.kind = SK_LOG_ACCEPT;
	sk_logw_record(w, &r);
	l = last_line(w);
	SK_CHECK(str_is(l, "kind", "accept") && str_is(l, "proto", "47") &&
		 json_object_get(l, "dport") == NULL && json_object_get(l, "flags") == NULL,
		 "other protocols: number, no ports or flags");
	json_decref(l);

	SK_CHECK(sk_logw_event(w, "commit", json_pack("{sI ss ss}", "generation", 5,
						      "ts", "forged", "kind", "drop")) == 0,
		 "event in");
	l = last_line(w);
	SK_CHECK(str_is(l, "kind", "event") && str_is(l, "event", "commit") &&
		 str_is(l, "ts", "2024-05-01T12:34:56.789Z") && int_is(l, "generation", 5),
		 "event: fields kept, ts/kind cannot be overridden");
	json_decref(l);
	SK_CHECK(sk_logw_event(w, "", NULL) == -EINVAL &&
		 sk_logw_event(w, "x", json_integer(1)) == -EINVAL, "bad events refused");
	sk_logw_free(w);
	sk_logw_free(NULL);
}

struct flood_ctx {
	uint64_t records, summaries, summarised;
	int bad_summary;
};

static void
flood_line(json_t *o, void *ctx)
{
	struct flood_ctx *c = ctx;
	const char *ev = json_string_value(json_object_get(o, "event"));

	if (ev != NULL && strcmp(ev, "suppressed") == 0) {
		char want[96];
		long long n = json_integer_value(json_object_get(o, "count"));

		snprintf(want, sizeof(want), "rule rule-5: %lld records suppressed", n);
		c->summaries++;
		c->summarised += (uint64_t)n;
		if (!str_is(o, "message", want) || !str_is(o, "name", "rule-5"))
			c->bad_summary++;
	} else if (json_integer_value(json_object_get(o, "rule_id")) == 5) {
		c->records++;
	}
}

/* One rule floods: a million records over 10 s of (fake) time. */
static void
test_flood_one_rule(void)
{
	const unsigned int n = 1000000, batch = 1000;
	char *dir = tmpdir();
	struct sk_cfg_logging lc;
	struct flood_ctx fc = { 0 };
	struct sk_logw_stats st;
	struct sk_logrec r[1000];
	struct sk_logw *w;
	uint64_t t0 = clk.mono, max, secs;
	unsigned int i, j;
	size_t lines;
	int bad;

	settings(&lc, dir, 1024 * KIB, 4096 * KIB, 10, 20, 1000);
	w = writer(&lc, 0, NULL);
	for (i = 0; i < n; i += batch) {
		for (j = 0; j < batch; j++)
			rec_v4(&r[j], 5);
		sk_logw_records(w, r, batch);
		advance(10 * 1000 * 1000); /* 10 ms per 1000 records */
	}
	secs = (clk.mono - t0) / SEC;
	max = lc.burst_per_rule + lc.rate_per_rule * secs;
	advance(2 * SEC);
	sk_logw_tick(w); /* the last summary is due now */
	st = stats(w);
	bad = scan_dir(dir, flood_line, &fc, &lines);
	SK_CHECK(st.in == n && st.written - st.summaries + st.suppressed == n,
		 "every record accounted: in %llu = written %llu + suppressed %llu",
		 (unsigned long long)st.in, (unsigned long long)(st.written - st.summaries),
		 (unsigned long long)st.suppressed);
	SK_CHECK(fc.records <= max && fc.records + 2 >= max,
		 "%llu of %u records written in %llu s; burst + rate x s = %llu",
		 (unsigned long long)fc.records, n, (unsigned long long)secs,
		 (unsigned long long)max);
	SK_CHECK(fc.records == st.written - st.summaries, "file holds what the counter says");
	SK_CHECK(fc.summaries >= secs - 1 && fc.summaries <= secs + 1 && fc.bad_summary == 0,
		 "%llu summary lines, one per second, \"rule rule-5: N records suppressed\"",
		 (unsigned long long)fc.summaries);
	SK_CHECK(fc.summarised == st.suppressed, "summaries add up to the suppressed count (%llu)",
		 (unsigned long long)fc.summarised);
	SK_CHECK(bad == 0 && lines == st.written, "%zu lines, all JSON objects", lines);
	sk_logw_free(w);
	rm_rf(dir);
}

/* The same flood on the real clock, measuring time and disk. */
static void
test_flood_realtime(void)
{
	const unsigned int n = 1000000, batch = 256;
	char *dir = tmpdir();
	struct sk_logw_opts o = { .name = names };
	struct timespec a, b;
	struct sk_cfg_logging lc;
	struct sk_logw_stats st;
	struct sk_logrec r[256];
	struct sk_logw *w;
	struct usage u;
	unsigned int i, j;
	double secs;
	long long du;

	settings(&lc, dir, 64 * KIB, 256 * KIB, 10, 20, 1000);
	w = sk_logw_create(&lc, &o);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i += batch) {
		for (j = 0; j < batch; j++)
			rec_v4(&r[j], 1 + (i / batch) % 4);
		sk_logw_records(w, r, i + batch <= n ? batch : n - i);
		sk_logw_tick(w);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	st = stats(w);
	/* 4 rules: each burst + rate x (elapsed, rounded up). */
	SK_CHECK(st.written - st.summaries <= 4 * (20 + 10 * ((uint64_t)secs + 1)) &&
		 st.in == n && st.written - st.summaries + st.suppressed == n,
		 "real clock: %llu of %u written in %.2f s, %llu suppressed",
		 (unsigned long long)(st.written - st.summaries), n, secs,
		 (unsigned long long)st.suppressed);
	u = usage_of(dir);
	du = du_files(dir);
	SK_CHECK(u.blocks <= lc.max_total_bytes && du >= 0 &&
		 (unsigned long long)du <= lc.max_total_bytes,
		 "disk after the flood: du %lld B <= max_total_bytes %llu", du,
		 (unsigned long long)lc.max_total_bytes);
	sk_logw_free(w);
	rm_rf(dir);

	/* Limits wide open, so every record reaches the disk: only the cap
	 * stands between the flood and a full disk. */
	dir = tmpdir();
	settings(&lc, dir, 64 * KIB, 320 * KIB, 1000000, 1000000, 1000000);
	w = sk_logw_create(&lc, &o);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < 100000; i += batch) {
		for (j = 0; j < batch; j++)
			rec_v4(&r[j], 1 + j % 50);
		sk_logw_records(w, r, batch);
		sk_logw_tick(w);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	st = stats(w);
	u = usage_of(dir);
	du = du_files(dir);
	SK_CHECK(st.written >= 100000 && st.rotations > 100 && u.files == 5 && du >= 0 &&
		 (unsigned long long)du <= lc.max_total_bytes && u.blocks <= lc.max_total_bytes,
		 "%llu lines (%.0f MB) in %.2f s through %llu rotations: du %lld B <= %llu",
		 (unsigned long long)st.written, (double)st.written * 200 / 1e6, secs,
		 (unsigned long long)st.rotations, du, (unsigned long long)lc.max_total_bytes);
	sk_logw_free(w);
	rm_rf(dir);
}

struct rules_ctx {
	unsigned int per_rule[256];
	uint64_t limit_count;
};

static void
rules_line(json_t *o, void *ctx)
{
	struct rules_ctx *c = ctx;
	json_int_t id = json_integer_value(json_object_get(o, "rule_id"));
	const char *scope = json_string_value(json_object_get(o, "scope"));

	if (scope != NULL && strcmp(scope, "limit") == 0)
		c->limit_count += (uint64_t)json_integer_value(json_object_get(o, "count"));
	else if (json_object_get(o, "event") == NULL && id > 0 && id < 256)
		c->per_rule[id]++;
}

static void
test_many_rules(void)
{
	char *dir = tmpdir();
	struct rules_ctx rc = { 0 };
	struct sk_cfg_logging lc;
	struct sk_logw_stats st;
	struct sk_logrec r;
	struct sk_logw *w;
	unsigned int i, k, wrong = 0;
	size_t lines;

	/* 200 rules x 50 records at one instant: each rule gets its burst. */
	settings(&lc, dir, 1024 * KIB, 4096 * KIB, 10, 20, 1000000);
	w = writer(&lc, 0, NULL);
	for (k = 0; k < 50; k++)
		for (i = 1; i <= 200; i++) {
			rec_v4(&r, i);
			sk_logw_record(w, &r);
		}
	st = stats(w);
	scan_dir(dir, rules_line, &rc, &lines);
	for (i = 1; i <= 200; i++)
		wrong += rc.per_rule[i] != 20;
	SK_CHECK(wrong == 0 && st.written == 200 * 20 && st.suppressed == 200 * 30,
		 "200 rules, each its own bucket: 20 lines each (%u rules off)", wrong);
	sk_logw_free(w);
	rm_rf(dir);

	/* The same with rate_total = 50: 50 lines in all, then a summary. */
	dir = tmpdir();
	memset(&rc, 0, sizeof(rc));
	settings(&lc, dir, 1024 * KIB, 4096 * KIB, 10, 20, 50);
	w = writer(&lc, 0, NULL);
	for (i = 1; i <= 200; i++) {
		rec_v4(&r, i);
		sk_logw_record(w, &r);
	}
	advance(SEC + 1);
	sk_logw_tick(w);
	st = stats(w);
	scan_dir(dir, rules_line, &rc, &lines);
	SK_CHECK(st.written - st.summaries == 50 && st.suppressed == 150 && rc.limit_count == 150,
		 "rate_total bounds all rules: %llu written, %llu summarised as the global limit",
		 (unsigned long long)(st.written - st.summaries),
		 (unsigned long long)rc.limit_count);
	/* Zone defaults: one bucket per zone pair. */
	memset(&rc, 0, sizeof(rc));
	advance(10 * SEC);
	for (k = 0; k < 30; k++)
		for (i = 1; i <= 2; i++) {
			rec_v4(&r, 0);
			r.in_zone = (uint16_t)i;
			sk_logw_record(w, &r);
		}
	SK_CHECK(stats(w).written - st.written == 40, "zone defaults: a bucket per zone pair (%llu)",
		 (unsigned long long)(stats(w).written - st.written));
	sk_logw_free(w);
	rm_rf(dir);

	/* More keys than the table holds: the rest share one bucket, nothing grows. */
	dir = tmpdir();
	settings(&lc, dir, 1024 * KIB, 4096 * KIB, 10, 20, 1000000);
	lc.file = 0;
	w = writer(&lc, 0, NULL);
	for (i = 1; i <= 20000; i++) {
		rec_v4(&r, i);
		sk_logw_record(w, &r);
	}
	st = stats(w);
	SK_CHECK(st.written == SK_LOGW_BUCKETS_USED + 20 &&
		 st.suppressed == 20000 - SK_LOGW_BUCKETS_USED - 20,
		 "20000 rules: %u own buckets, the rest share one (%llu written)",
		 SK_LOGW_BUCKETS_USED, (unsigned long long)st.written);
	sk_logw_free(w);
	rm_rf(dir);
}

struct order_ctx {
	long long prev;
	unsigned int gaps;
	uint64_t n;
};

static void
order_line(json_t *o, void *ctx)
{
	struct order_ctx *c = ctx;
	json_t *v = json_object_get(o, "n");

	if (v == NULL)
		return;
	if (c->prev >= 0 && json_integer_value(v) != c->prev + 1)
		c->gaps++;
	c->prev = json_integer_value(v);
	c->n++;
}

static void
test_rotation(void)
{
	char *dir = tmpdir(), pad[201], path[400];
	struct order_ctx oc = { .prev = -1 };
	struct sk_cfg_logging lc;
	struct sk_logw_stats st;
	struct sk_logw *w;
	struct usage u;
	struct stat sb;
	unsigned int i;
	size_t lines;
	json_t *l;
	long long du;
	int bad;

	memset(pad, 'x', 200);
	pad[200] = '\0';
	settings(&lc, dir, 64 * KIB, 256 * KIB, 1000000, 1000000, 1000000);
	w = writer(&lc, 0, NULL);
	for (i = 0; i < 20000; i++)
		sk_logw_event(w, "admin", json_pack("{sI ss}", "n", (json_int_t)i, "pad", pad));
	st = stats(w);
	u = usage_of(dir);
	du = du_files(dir);
	SK_CHECK(st.written == 20000 && st.rotations > 50,
		 "%llu lines (~5 MB) written through %llu rotations",
		 (unsigned long long)st.written, (unsigned long long)st.rotations);
	SK_CHECK(u.files == 4 && u.blocks <= lc.max_total_bytes && u.bytes <= lc.max_total_bytes &&
		 u.biggest <= lc.max_file_bytes,
		 "4 files, %llu B on disk (%llu B of content) <= cap %llu, none over 64 KiB",
		 (unsigned long long)u.blocks, (unsigned long long)u.bytes,
		 (unsigned long long)lc.max_total_bytes);
	SK_CHECK(du >= 0 && (unsigned long long)du <= lc.max_total_bytes,
		 "du agrees: %lld B", du);
	SK_CHECK(st.bytes_on_disk >= u.blocks && st.bytes_on_disk <= lc.max_total_bytes,
		 "bytes_on_disk %llu covers what is there", (unsigned long long)st.bytes_on_disk);
	snprintf(path, sizeof(path), "%s/%s.4", dir, SK_LOGW_FILE_NAME);
	SK_CHECK(stat(path, &sb) != 0, "no fifth file");
	bad = scan_dir(dir, order_line, &oc, &lines);
	SK_CHECK(bad == 0 && oc.gaps == 0 && oc.prev == 19999,
		 "files oldest to newest hold the last %llu lines in order, no gap",
		 (unsigned long long)oc.n);
	l = last_line(w);
	SK_CHECK(int_is(l, "n", 19999) && int_is(l, "seq", 20000), "memory has the newest line");
	json_decref(l);
	sk_logw_free(w);

	/* Leftovers: a rotation beyond the count and an oversized old file. */
	snprintf(path, sizeof(path), "%s/%s.9", dir, SK_LOGW_FILE_NAME);
	{
		int fd = open(path, O_CREAT | O_WRONLY, 0600);

		SK_CHECK(fd >= 0, "planted sekisho.log.9");
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/%s.2", dir, SK_LOGW_FILE_NAME);
	{
		int fd = open(path, O_WRONLY | O_TRUNC);
		char *big = calloc(1, 300 * KIB);

		memset(big, 'y', 300 * KIB);
		SK_CHECK(fd >= 0 && write(fd, big, 300 * KIB) == (ssize_t)(300 * KIB),
			 "planted a 300 KiB sekisho.log.2");
		close(fd);
		free(big);
	}
	w = writer(&lc, 0, NULL);
	snprintf(path, sizeof(path), "%s/%s.9", dir, SK_LOGW_FILE_NAME);
	SK_CHECK(stat(path, &sb) != 0, "sekisho.log.9 removed at start (beyond the file count)");
	sk_logw_event(w, "admin", NULL);
	u = usage_of(dir);
	SK_CHECK(u.blocks <= lc.max_total_bytes && stats(w).written == 1,
		 "oversized leftover deleted to make room: %llu B", (unsigned long long)u.blocks);
	sk_logw_free(w);
	rm_rf(dir);
}

static void
test_huge(void)
{
	char *dir = tmpdir(), *huge, key[16], val[201];
	struct sk_cfg_logging lc;
	struct sk_logw_stats st;
	struct sk_logw *w;
	struct usage u;
	json_t *f, *l;
	size_t lines;
	int i, k;

	settings(&lc, dir, 64 * KIB, 128 * KIB, 1000000, 1000000, 1000000);
	w = writer(&lc, 0, NULL);
	huge = malloc(10 << 20);
	memset(huge, 'h', 10 << 20);
	huge[(10 << 20) - 1] = '\0';
	sk_logw_event(w, "commit", json_pack("{ss}", "text", huge));
	free(huge);
	l = last_line(w);
	SK_CHECK(l != NULL && json_is_true(json_object_get(l, "truncated")) &&
		 json_string_length(json_object_get(l, "text")) < 300 && str_is(l, "event", "commit"),
		 "a 10 MiB field is cut, the line stays JSON and says truncated");
	json_decref(l);
	f = json_object();
	memset(val, 'v', 200);
	val[200] = '\0';
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "f%d", i);
		json_object_set_new(f, key, json_string(val));
	}
	sk_logw_event(w, "ha", f);
	l = last_line(w);
	SK_CHECK(l != NULL && json_object_get(l, "f0") == NULL && str_is(l, "event", "ha") &&
		 json_is_true(json_object_get(l, "truncated")),
		 "5000 fields: only what the line was is kept");
	json_decref(l);
	/* Many near-limit lines into a 128 KiB cap. */
	for (k = 0; k < 500; k++) {
		f = json_object();
		for (i = 0; i < 36; i++) {
			snprintf(key, sizeof(key), "f%d", i);
			json_object_set_new(f, key, json_string(val));
		}
		sk_logw_event(w, "admin", f);
	}
	st = stats(w);
	u = usage_of(dir);
	SK_CHECK(st.truncated == 2 && st.written == 502 && st.dropped_by_cap == 0,
		 "near-limit lines written whole (%llu truncated)", (unsigned long long)st.truncated);
	SK_CHECK(u.blocks <= lc.max_total_bytes && scan_dir(dir, NULL, NULL, &lines) == 0,
		 "cap holds with ~4 MB of 8 KiB lines: %llu B, %zu lines parse",
		 (unsigned long long)u.blocks, lines);
	sk_logw_free(w);
	rm_rf(dir);
}

static const char *base_conf =
	"zones = ( \"outside\" );\n"                                                  /* 1 */
	"interfaces = ( { name = \"o\"; device = \"net_null0\"; zone = \"outside\"; } );\n";

static struct sk_cfg *
load(const char *logging, struct sk_cfg_diag *d)
{
	char text[2048];

	snprintf(text, sizeof(text), "%s%s", base_conf, logging);
	sk_cfg_diag_init(d);
	return sk_cfg_load_string(text, "t.conf", d);
}

static int
has_error(const struct sk_cfg_diag *d, const char *where, const char *what)
{
	size_t i;

	for (i = 0; i < sk_cfg_diag_count(d); i++)
		if (strncmp(sk_cfg_diag_msg(d, i), where, strlen(where)) == 0 &&
		    strstr(sk_cfg_diag_msg(d, i), what) != NULL)
			return 1;
	sk_cfg_diag_print(d, stdout);
	return 0;
}

static void
test_config(void)
{
	const struct sk_cfg_logging *lg;
	struct sk_cfg_diag d;
	struct sk_cfg *cfg;

	cfg = load("", &d);
	lg = cfg ? sk_cfg_logging(cfg) : NULL;
	SK_CHECK(lg != NULL && strcmp(lg->dir, "/var/log/sekisho") == 0 &&
		 lg->max_file_bytes == 10 * 1024 * KIB && lg->max_total_bytes == 100 * 1024 * KIB &&
		 lg->rate_per_rule == 10 && lg->burst_per_rule == 20 && lg->rate_total == 1000 &&
		 lg->file == 1 && lg->syslog == 0 && lg->facility == LOG_LOCAL0,
		 "no logging group: documented defaults");
	sk_cfg_free(cfg);
	sk_cfg_diag_free(&d);

	cfg = load("logging = {\n dir = \"/srv/log\";\n max_file_bytes = \"64K\";\n"
		   " max_total_bytes = \"1T\";\n rate_per_rule = 5;\n burst_per_rule = 7;\n"
		   " rate_total = 99;\n syslog = true;\n syslog_facility = \"local5\";\n"
		   " file = false;\n};\n", &d);
	lg = cfg ? sk_cfg_logging(cfg) : NULL;
	SK_CHECK(lg != NULL && strcmp(lg->dir, "/srv/log") == 0 &&
		 lg->max_file_bytes == 64 * KIB && lg->max_total_bytes == 1024ull * 1024 * 1024 * KIB &&
		 lg->rate_per_rule == 5 && lg->burst_per_rule == 7 && lg->rate_total == 99 &&
		 lg->syslog == 1 && lg->file == 0 && lg->facility == LOG_LOCAL5 &&
		 strcmp(lg->syslog_facility, "local5") == 0, "every key read, sizes with units");
	sk_cfg_free(cfg);
	sk_cfg_diag_free(&d);

	cfg = load("logging = {\n max_file_bytes = 20971520;\n max_total_bytes = 31457280;\n};\n",
		   &d);
	SK_CHECK(cfg == NULL && has_error(&d, "t.conf:5:", "at least 2 * max_file_bytes"),
		 "max_total_bytes < 2 * max_file_bytes: error at its line");
	sk_cfg_free(cfg);
	sk_cfg_diag_free(&d);

	cfg = load("logging = {\n dir = \"var/log\";\n max_file_bytes = \"10X\";\n"
		   " rate_total = 0;\n syslog_facility = \"kern\";\n max_total_bytes = "
		   "2000000000000L;\n ratelimit = 3;\n burst_per_rule = 2000000;\n};\n", &d);
	SK_CHECK(cfg == NULL && has_error(&d, "t.conf:4:", "absolute path") &&
		 has_error(&d, "t.conf:5:", "not a size") &&
		 has_error(&d, "t.conf:6:", "rate_total = 0 is out of range") &&
		 has_error(&d, "t.conf:7:", "syslog_facility \"kern\"") &&
		 has_error(&d, "t.conf:8:", "out of range") &&
		 has_error(&d, "t.conf:9:", "unknown key 'ratelimit'") &&
		 has_error(&d, "t.conf:10:", "burst_per_rule = 2000000 is out of range"),
		 "each bad key reported at its own line (%zu errors)", sk_cfg_diag_count(&d));
	sk_cfg_free(cfg);
	sk_cfg_diag_free(&d);

	cfg = load("logging = {\n dir = \"/a/../etc\";\n max_file_bytes = \"32K\";\n};\n", &d);
	SK_CHECK(cfg == NULL && has_error(&d, "t.conf:4:", "'..'") &&
		 has_error(&d, "t.conf:5:", "out of range 65536..1073741824"),
		 "'..' and a too-small file size refused");
	sk_cfg_free(cfg);
	sk_cfg_diag_free(&d);
}

static void
test_reconfigure(void)
{
	char *dir = tmpdir(), *dir2 = tmpdir();
	struct sk_cfg_logging lc;
	struct sk_logw *w;
	size_t lines;
	int i;

	settings(&lc, dir, 64 * KIB, 128 * KIB, 1, 1, 1000);
	w = writer(&lc, 0, NULL);
	for (i = 0; i < 3; i++)
		sk_logw_event(w, "admin", NULL);
	SK_CHECK(stats(w).written == 1, "rate 1, burst 1: one line of three");
	settings(&lc, dir2, 64 * KIB, 128 * KIB, 100, 100, 1000);
	SK_CHECK(sk_logw_reconfigure(w, &lc) == 0, "reconfigured: new dir and rate");
	advance(SEC);
	for (i = 0; i < 50; i++)
		sk_logw_event(w, "admin", NULL);
	SK_CHECK(stats(w).written - stats(w).summaries == 51 &&
		 scan_dir(dir2, NULL, NULL, &lines) == 0 && lines == stats(w).written - 1,
		 "new rate applies, lines go to the new directory");
	lc.max_total_bytes = lc.max_file_bytes;
	SK_CHECK(sk_logw_reconfigure(w, &lc) == -EINVAL, "settings below the checks refused");
	SK_CHECK(sk_logw_create(&lc, NULL) == NULL && errno == EINVAL, "create refuses them too");
	sk_logw_free(w);
	rm_rf(dir);
	rm_rf(dir2);
}

int
main(void)
{
	test_format();
	test_config();
	test_flood_one_rule();
	test_many_rules();
	test_rotation();
	test_huge();
	test_reconfigure();
	test_flood_realtime();
	return SK_TEST_DONE();
}
