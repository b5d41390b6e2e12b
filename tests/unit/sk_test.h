/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sk_test.h - the smallest test harness that does the job: each check prints
 * a TAP line ("ok N - name" / "not ok N - name"), main() returns non-zero if
 * any failed.  scripts/test counts these lines across all suites.
 */
#ifndef SK_TEST_H
#define SK_TEST_H

#include <stdio.h>

static int sk_test_n, sk_test_failed;

#define SK_CHECK(cond, ...) do { \
	sk_test_n++; \
	if (cond) { \
		printf("ok %d - ", sk_test_n); \
	} else { \
		sk_test_failed++; \
		printf("not ok %d - %s:%d: (%s) ", sk_test_n, __FILE__, __LINE__, #cond); \
	} \
	printf(__VA_ARGS__); \
	printf("\n"); \
	fflush(stdout); \
} while (0)

#define SK_TEST_DONE() (printf("# %d checks, %d failed\n", sk_test_n, sk_test_failed), \
	sk_test_failed ? 1 : 0)

#endif /* SK_TEST_H */
