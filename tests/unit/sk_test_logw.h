/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sk_test_logw.h - what the log-writer tests share: a fake clock, a writer
 * over a temporary directory, synthetic records, and readers that check the
 * files on disk (every line one JSON object, disk use as stat and du see it).
 * Included by test_logw.c and test_logwerr.c only.
 */
#ifndef SK_TEST_LOGW_H
#define SK_TEST_LOGW_H

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "cfg.h"
#include "logw/logw.h"
#include "logw/logw_priv.h"
#include "sk_test.h"

#define SK_SKIP(...) do { \
	sk_test_n++; \
	printf("ok %d # SKIP ", sk_test_n); \
	printf(__VA_ARGS__); \
	printf("\n"); \
	fflush(stdout); \
} while (0)

#define KIB 1024ull
#define SEC 1000000000ull

static struct { uint64_t mono, real; } clk = { 1000 * SEC, 1714566896789123456ull };

static inline uint64_t
clk_mono(void *ctx)
{
	(void)ctx;
	return clk.mono;
}

static inline uint64_t
clk_real(void *ctx)
{
	(void)ctx;
	return clk.real;
}

static inline void
advance(uint64_t ns)
{
	clk.mono += ns;
	clk.real += ns;
}

static inline const char *
names(void *ctx, enum sk_logw_name_kind what, uint32_t gen, uint32_t id)
{
	static char buf[32];

	(void)ctx;
	(void)gen;
	switch (what) {
	case SK_LOGW_NAME_RULE:
		snprintf(buf, sizeof(buf), "rule-%u", id);
		return buf;
	case SK_LOGW_NAME_IFACE:
		return id == 1 ? "eth-out" : id == 2 ? "eth-in" : NULL;
	case SK_LOGW_NAME_ZONE:
		return id == 1 ? "outside" : id == 2 ? "inside" : NULL;
	}
	return NULL;
}

static inline void
settings(struct sk_cfg_logging *lc, const char *dir, uint64_t file, uint64_t total,
	 uint32_t rate, uint32_t burst, uint32_t rate_total)
{
	sk_cfg_logging_defaults(lc);
	snprintf(lc->dir, sizeof(lc->dir), "%s", dir);
	lc->max_file_bytes = file;
	lc->max_total_bytes = total;
	lc->rate_per_rule = rate;
	lc->burst_per_rule = burst;
	lc->rate_total = rate_total;
}

static inline struct sk_logw *
writer(const struct sk_cfg_logging *lc, uint32_t mem_lines, const char *syslog_path)
{
	struct sk_logw_opts o = {
		.name = names, .mem_lines = mem_lines, .mono_ns = clk_mono, .real_ns = clk_real,
		.syslog_path = syslog_path,
	};

	return sk_logw_create(lc, &o);
}

static inline void
rec_v4(struct sk_logrec *r, uint32_t rule)
{
	memset(r, 0, sizeof(*r));
	r->ts = clk.real;
	r->rule_id = rule;
	r->generation = 9;
	r->in_iface = 1;
	r->out_iface = 2;
	r->in_zone = 1;
	r->out_zone = 2;
	r->sport = 40000;
	r->dport = 22;
	r->len = 60;
	r->kind = SK_LOG_DROP;
	r->family = 4;
	r->proto = IPPROTO_TCP;
	r->tcp_flags = 0x12;
	inet_pton(AF_INET, "198.51.100.7", r->src);
	inet_pton(AF_INET, "10.1.2.3", r->dst);
}

static inline char *
tmpdir(void)
{
	char *d = strdup("/tmp/sklogw.XXXXXX");

	if (d == NULL || mkdtemp(d) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	return d;
}

static inline void
rm_rf(char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	free(dir);
}

/* Disk use of the log files in dir: blocks (as du) and apparent bytes. */
struct usage {
	uint64_t blocks, bytes, biggest;
	unsigned int files;
};

static inline struct usage
usage_of(const char *dir)
{
	struct usage u = { 0 };
	char pat[400];
	struct stat st;
	glob_t g;
	size_t i;

	snprintf(pat, sizeof(pat), "%s/" SK_LOGW_FILE_NAME "*", dir);
	if (glob(pat, 0, NULL, &g) != 0)
		return u;
	for (i = 0; i < g.gl_pathc; i++) {
		if (stat(g.gl_pathv[i], &st) != 0)
			continue;
		u.blocks += (uint64_t)st.st_blocks * 512;
		u.bytes += (uint64_t)st.st_size;
		if ((uint64_t)st.st_blocks * 512 > u.biggest)
			u.biggest = (uint64_t)st.st_blocks * 512;
		u.files++;
	}
	globfree(&g);
	return u;
}

/* `du -sB1 dir` minus the directory's own blocks: the files as du counts them. */
static inline long long
du_files(const char *dir)
{
	char cmd[400];
	long long v = -1;
	struct stat st;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "du -sB1 '%s'", dir);
	p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	if (fscanf(p, "%lld", &v) != 1)
		v = -1;
	pclose(p);
	if (v >= 0 && stat(dir, &st) == 0)
		v -= (long long)st.st_blocks * 512;
	return v;
}

/* Every line of one file as JSON; fn sees each object. Returns bad lines. */
static inline int
scan_file(const char *path, void (*fn)(json_t *o, void *ctx), void *ctx, size_t *lines)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int bad = 0;

	if (fp == NULL)
		return 0;
	while ((n = getline(&buf, &cap, fp)) > 0) {
		json_t *o = json_loadb(buf, (size_t)n, 0, NULL);

		(*lines)++;
		if (o == NULL || !json_is_object(o) || buf[n - 1] != '\n' ||
		    json_object_get(o, "ts") == NULL || json_object_get(o, "kind") == NULL) {
			if (bad++ < 3)
				printf("# bad line in %s: %.120s\n", path, buf);
		} else if (fn != NULL) {
			fn(o, ctx);
		}
		json_decref(o);
	}
	free(buf);
	fclose(fp);
	return bad;
}

/* All files, oldest first (sekisho.log.N ... sekisho.log). */
static inline int
scan_dir(const char *dir, void (*fn)(json_t *o, void *ctx), void *ctx, size_t *lines)
{
	char path[400];
	int bad = 0, k;

	*lines = 0;
	for (k = (int)SK_LOGW_FILES_MAX; k >= 0; k--) {
		if (k == 0)
			snprintf(path, sizeof(path), "%s/%s", dir, SK_LOGW_FILE_NAME);
		else
			snprintf(path, sizeof(path), "%s/%s.%d", dir, SK_LOGW_FILE_NAME, k);
		bad += scan_file(path, fn, ctx, lines);
	}
	return bad;
}

static inline struct sk_logw_stats
stats(const struct sk_logw *w)
{
	struct sk_logw_stats st;

	sk_logw_stats_get(w, &st);
	return st;
}

/* The newest line held in memory, as JSON (new reference). */
static inline json_t *
last_line(const struct sk_logw *w)
{
	struct sk_logw_query q = { .limit = 1 };
	json_t *doc = sk_logw_query(w, &q), *l;

	l = json_incref(json_array_get(json_object_get(doc, "lines"), 0));
	json_decref(doc);
	return l;
}

static inline int
str_is(json_t *o, const char *key, const char *want)
{
	const char *v = json_string_value(json_object_get(o, key));

	if (v == NULL || strcmp(v, want) != 0) {
		printf("# %s = %s, want %s\n", key, v ? v : "(none)", want);
		return 0;
	}
	return 1;
}

static inline int
int_is(json_t *o, const char *key, long long want)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) != want) {
		printf("# %s = %lld, want %lld\n", key, v ? (long long)json_integer_value(v) : -1,
		       want);
		return 0;
	}
	return 1;
}


#endif /* SK_TEST_LOGW_H */
