/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sk_prime.h - the one primality test: Maglev table sizes must be prime, and
 * the config validator (control/config), the image verifier (dataplane/gen)
 * and the Maglev builder (dataplane/lb) must agree on what that means.
 */
#ifndef SK_PRIME_H
#define SK_PRIME_H

#include <stdint.h>

/* 1 if m is prime, else 0 (trial division: for validation, not the hot path). */
static inline int
sk_is_prime(uint32_t m)
{
	if (m < 2)
		return 0;
	if (m % 2 == 0)
		return m == 2;
	for (uint32_t d = 3; (uint64_t)d * d <= m; d += 2)
		if (m % d == 0)
			return 0;
	return 1;
}

#endif /* SK_PRIME_H */
