/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sk_err.h - the one way builders and loaders report why they failed:
 * a message into the caller's (err, errlen) buffer, the errno passed through.
 */
#ifndef SK_ERR_H
#define SK_ERR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Format into err (may be NULL / 0 long) and return rc, e.g. -EINVAL. */
static inline int __attribute__((format(printf, 4, 5)))
sk_err_set(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

#endif /* SK_ERR_H */
