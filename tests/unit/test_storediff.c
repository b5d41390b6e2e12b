/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_storediff.c - the unified diffs the config store shows between two
 * revisions (sk_store_diff): fixed cases, then random texts checked against
 * diff(1) where it is installed, re-applied to the old text, and for minimal
 * hunks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sk_test.h"
#include "store/store.h"

/* One text file for diff(1) to read. */
static int
put_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	if (fputs(text, f) < 0) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static char *
mydiff(const char *a, const char *b, unsigned int ctx)
{
	char *out = NULL;
	size_t len;

	if (sk_store_diff(a, strlen(a), b, strlen(b), "a", "b", ctx, &out, &len) != 0)
		return NULL;
	return out;
}

/* diff -u of the same texts, or NULL when diff(1) is missing. */
static char *
gnudiff(const char *dir, const char *a, const char *b, unsigned int ctx)
{
	char pa[512], pb[512], cmd[1400];
	FILE *p;
	char *out = NULL;
	size_t cap = 0, n = 0, r;

	snprintf(pa, sizeof(pa), "%s/diff-a", dir);
	snprintf(pb, sizeof(pb), "%s/diff-b", dir);
	if (put_text(pa, a) != 0 || put_text(pb, b) != 0)
		return NULL;
	snprintf(cmd, sizeof(cmd), "diff -U%u --label a --label b '%s' '%s' 2>/dev/null; "
		 "test $? -le 1 || echo DIFF-FAILED", ctx, pa, pb);
	p = popen(cmd, "r");
	if (p == NULL)
		return NULL;
	do {
		if (n + 4097 > cap) {
			cap = cap ? cap * 2 : 8192;
			out = realloc(out, cap);
		}
		r = fread(out + n, 1, cap - n - 1, p);
		n += r;
	} while (r > 0);
	pclose(p);
	out[n] = '\0';
	if (strstr(out, "DIFF-FAILED")) {
		free(out);
		return NULL;
	}
	return out;
}

/* Apply a unified diff to a; NULL when a hunk does not fit. */
static char *
apply(const char *a, const char *d)
{
	size_t cap = strlen(a) + strlen(d) + 1, n = 0;
	char *out = malloc(cap);
	const char *ap = a, *dp = d;
	unsigned long aline = 1;

	if (out == NULL)
		return NULL;
#define COPY_LINE(src) do { \
		const char *e_ = strchr(src, '\n'); \
		size_t l_ = e_ ? (size_t)(e_ - (src)) + 1 : strlen(src); \
		memcpy(out + n, src, l_); n += l_; (src) += l_; } while (0)
	/* skip the two header lines */
	for (int h = 0; h < 2 && *dp; h++)
		dp = strchr(dp, '\n') ? strchr(dp, '\n') + 1 : dp + strlen(dp);
	while (*dp) {
		unsigned long start, cnt = 1, cnt2 = 1, seen = 0, seen2 = 0;
		int k = sscanf(dp, "@@ -%lu,%lu", &start, &cnt);
		const char *plus = strchr(dp, '+');

		if (k < 1 || plus == NULL)
			goto bad;
		if (k == 2 && cnt == 0)
			start++; /* an empty old range names the line before */
		(void)sscanf(plus, "+%*u,%lu", &cnt2);
		while (aline < start && *ap) {
			COPY_LINE(ap);
			aline++;
		}
		dp = strchr(dp, '\n') + 1;
		while (*dp && *dp != '@') {
			char tag = *dp++;
			const char *e = strchr(dp, '\n');
			size_t l = e ? (size_t)(e - dp) + 1 : strlen(dp);
			int nonl = strncmp(dp + l, "\\ No newline", 12) == 0;
			size_t cl = nonl ? l - 1 : l;

			if (tag == ' ' || tag == '-') {
				if (strncmp(ap, dp, cl) != 0)
					goto bad;
				ap += cl;
				aline++;
				seen++;
			}
			if (tag == ' ' || tag == '+') {
				memcpy(out + n, dp, cl);
				n += cl;
				seen2++;
			}
			dp += l;
			if (nonl)
				dp = strchr(dp, '\n') + 1;
		}
		if (seen != cnt || seen2 != cnt2)
			goto bad; /* the header must count the hunk's lines */
	}
	while (*ap)
		COPY_LINE(ap);
#undef COPY_LINE
	out[n] = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

static unsigned int
changed_lines(const char *d)
{
	unsigned int n = 0;
	const char *p = d;

	if (d == NULL)
		return 0;
	for (; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
		if ((*p == '+' && strncmp(p, "+++ ", 4)) || (*p == '-' && strncmp(p, "--- ", 4)))
			n++;
	return n;
}

static char *
random_text(unsigned int *seed, unsigned int lines, unsigned int alphabet, int final_nl)
{
	char *s = malloc(lines * 8 + 2), *p = s;
	unsigned int i;

	for (i = 0; i < lines; i++)
		p += sprintf(p, "l%u\n", rand_r(seed) % alphabet);
	if (!final_nl && p > s)
		p--;
	*p = '\0';
	return s;
}

/* Check a diff against the expected text; show both when they differ. */
static void
diff_is(const char *got, const char *want, const char *name)
{
	int same = got != NULL && strcmp(got, want) == 0;

	SK_CHECK(same, "%s", name);
	if (!same)
		printf("# got:\n%s# want:\n%s", got ? got : "(null)\n", want);
}

static void
test_diff(const char *dir)
{
	const char *base = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
	char *d, *g, *x;
	unsigned int seed = 12345, i, exact = 0, minimal = 0, applied = 0, rounds = 300;
	unsigned int shown = 0;
	int have_diff;

	d = mydiff(base, base, 3);
	SK_CHECK(d && d[0] == '\0', "equal texts: empty diff");
	free(d);
	d = mydiff(base, "a\nb\nc\nd\ne\nf\nX\ng\nh\ni\nj\n", 3);
	diff_is(d, "--- a\n+++ b\n@@ -4,6 +4,7 @@\n d\n e\n f\n+X\n g\n h\n i\n", "an added line");
	free(d);
	d = mydiff(base, "a\nc\nd\ne\nf\ng\nh\ni\nj\n", 3);
	diff_is(d, "--- a\n+++ b\n@@ -1,5 +1,4 @@\n a\n-b\n c\n d\n e\n", "a removed line");
	free(d);
	d = mydiff(base, "a\nb\nc\nd\ne\nf\ng\nh\ni\nJ\n", 3);
	diff_is(d, "--- a\n+++ b\n@@ -7,4 +7,4 @@\n g\n h\n i\n-j\n+J\n", "a changed line");
	free(d);
	d = mydiff(base, "A\nb\nc\nd\ne\nf\ng\nh\ni\nJ\n", 1);
	diff_is(d, "--- a\n+++ b\n@@ -1,2 +1,2 @@\n-a\n+A\n b\n"
			       "@@ -9,2 +9,2 @@\n i\n-j\n+J\n", "changes far apart: two hunks");
	free(d);
	d = mydiff(base, "a\nB\nc\nd\ne\nf\ng\nH\ni\nj\n", 3);
	diff_is(d, "--- a\n+++ b\n@@ -1,10 +1,10 @@\n a\n-b\n+B\n c\n d\n e\n f\n g\n-h\n+H\n i\n j\n",
		"changes 5 lines apart with context 3: one hunk");
	free(d);
	d = mydiff("", "x\n", 3);
	diff_is(d, "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n", "from empty");
	free(d);
	d = mydiff("x\ny", "x\ny\n", 3);
	diff_is(d, "--- a\n+++ b\n@@ -1,2 +1,2 @@\n x\n-y\n"
			       "\\ No newline at end of file\n+y\n", "a missing final newline is shown");
	free(d);

	/* Against diff(1): exact output where the edit is unambiguous, and for
	 * random texts the same number of changed lines (both minimal) and a
	 * diff that turns a into b. */
	g = gnudiff(dir, "a\n", "b\n", 3);
	have_diff = g != NULL;
	free(g);
	if (!have_diff) {
		printf("# diff(1) not found: comparisons with it skipped\n");
	} else {
		static const char *const pairs[][2] = {
			{ "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\n", "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\nL\nm\n" },
			{ "a\nb\nc\nd\ne\nf\ng\nh\ni\n", "a\nb\nX\nd\ne\nf\nY\nh\ni\n" },
			{ "one\ntwo\n", "" },
			{ "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nn\no\np\n",
			  "a\nb\nC\nd\ne\nf\ng\nh\ni\nJ\nk\nl\nm\nn\no\np\n" },
			{ "", "" },
			{ "p\nq", "p\nr" },
		};

		for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
			d = mydiff(pairs[i][0], pairs[i][1], 3);
			g = gnudiff(dir, pairs[i][0], pairs[i][1], 3);
			exact += d && g && strcmp(d, g) == 0;
			if (!(d && g && strcmp(d, g) == 0))
				printf("# mine:\n%s# diff(1):\n%s", d ? d : "-", g ? g : "-");
			free(d);
			free(g);
		}
		SK_CHECK(exact == i, "%u/%u fixed cases identical to diff -u", exact, i);
	}
	for (i = 0; i < rounds; i++) {
		unsigned int la = rand_r(&seed) % 40, lb = rand_r(&seed) % 40;
		unsigned int alpha = 2 + rand_r(&seed) % 10, ctx = rand_r(&seed) % 4;
		char *a = random_text(&seed, la, alpha, rand_r(&seed) % 4 != 0);
		char *b = random_text(&seed, lb, alpha, rand_r(&seed) % 4 != 0);

		d = mydiff(a, b, ctx);
		x = d ? apply(a, d) : NULL;
		applied += x && strcmp(x, b) == 0;
		if (!(x && strcmp(x, b) == 0) && shown++ < 3)
			printf("# apply failed (ctx %u)\n# a:\n%s\n# b:\n%s\n# diff:\n%s", ctx,
			       a, b, d ? d : "-");
		if (have_diff) {
			g = gnudiff(dir, a, b, ctx);
			minimal += g && changed_lines(g) == changed_lines(d);
			free(g);
		}
		free(x);
		free(d);
		free(a);
		free(b);
	}
	SK_CHECK(applied == rounds, "%u/%u random diffs turn a into b", applied, rounds);
	if (have_diff)
		SK_CHECK(minimal == rounds, "%u/%u random diffs change as few lines as diff(1)",
			 minimal, rounds);

	/* About 750 scattered line changes (1500 edits): still minimal. */
	{
		char *a = random_text(&seed, 3000, 1000000, 1), *b = strdup(a), *l;
		unsigned int k;

		for (k = 0, l = b; k < 3000; k++, l = strchr(l, '\n') + 1)
			if (rand_r(&seed) % 4 == 0)
				l[1] = 'X'; /* "lN" -> "XN": one line changed */
		d = mydiff(a, b, 3);
		x = d ? apply(a, d) : NULL;
		g = have_diff ? gnudiff(dir, a, b, 3) : NULL;
		SK_CHECK(x && strcmp(x, b) == 0 && (!have_diff || (g && changed_lines(d) ==
			 changed_lines(g))), "about 750 changed lines of 3000: correct%s (%u lines)",
			 have_diff ? " and minimal" : "", changed_lines(d));
		free(g);
		free(x);
		free(d);
		free(a);
		free(b);
	}

	/* Past the edit cap: still a correct diff. */
	{
		char *a = random_text(&seed, 5000, 1000000, 1);
		char *b = random_text(&seed, 5000, 1000000, 1);

		d = mydiff(a, b, 3);
		x = d ? apply(a, d) : NULL;
		SK_CHECK(x && strcmp(x, b) == 0, "5000 lines all changed: a correct diff");
		free(x);
		free(d);
		free(a);
		free(b);
	}
}

int
main(void)
{
	char tmpl[] = "/tmp/sk-storediff-test-XXXXXX", pa[64], pb[64];

	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_diff(tmpl);
	snprintf(pa, sizeof(pa), "%s/diff-a", tmpl);
	snprintf(pb, sizeof(pb), "%s/diff-b", tmpl);
	(void)unlink(pa);
	(void)unlink(pb);
	(void)rmdir(tmpl);
	return SK_TEST_DONE();
}
