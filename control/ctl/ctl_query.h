/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_query.h - query strings for the REST API: percent-encoding (RFC 3986:
 * everything but unreserved characters is escaped, so "10.0.0.0/8" and
 * "2001:db8::/32" arrive as typed) and the connection filter's encoding.
 */
#ifndef SK_CTL_QUERY_H
#define SK_CTL_QUERY_H

#include <stddef.h>

#include "ctl.h"

/* Append "?key=value" (first) or "&key=value" to the NUL-terminated buf.
 * 0, or -ENAMETOOLONG leaving buf unchanged. */
int sk_ctl_query_add(char *buf, size_t len, const char *key, const char *value);

/* Same with an unsigned number. */
int sk_ctl_query_add_u64(char *buf, size_t len, const char *key, unsigned long long value);

/* "?src=..&dst=..&proto=..&port=..&limit=.." for the fields that are set,
 * "" when none.  0 or -ENAMETOOLONG. */
int sk_ctl_query_filter(char *buf, size_t len, const struct sk_ctl_filter *f);

#endif /* SK_CTL_QUERY_H */
