/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_query.c - query strings for the REST API.  Encoded by hand rather than
 * with curl_easy_escape so that it needs no curl handle and is tested alone.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl_query.h"

static int
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* Percent-encode s onto out[pos..]; returns the new position or len when
 * it does not fit. */
static size_t
put_escaped(char *out, size_t pos, size_t len, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (unreserved(c)) {
			if (pos + 1 >= len)
				return len;
			out[pos++] = (char)c;
		} else {
			if (pos + 3 >= len)
				return len;
			out[pos++] = '%';
			out[pos++] = hex[c >> 4];
			out[pos++] = hex[c & 15];
		}
	}
	return pos;
}

int
sk_ctl_query_add(char *buf, size_t len, const char *key, const char *value)
{
	size_t start = strlen(buf), pos = start;

	if (pos + 1 >= len)
		return -ENAMETOOLONG;
	buf[pos++] = start == 0 ? '?' : '&';
	pos = put_escaped(buf, pos, len, key);
	if (pos < len && pos + 1 < len)
		buf[pos++] = '=';
	else
		pos = len;
	if (pos < len)
		pos = put_escaped(buf, pos, len, value);
	if (pos >= len) {
		buf[start] = '\0';
		return -ENAMETOOLONG;
	}
	buf[pos] = '\0';
	return 0;
}

int
sk_ctl_query_add_u64(char *buf, size_t len, const char *key, unsigned long long value)
{
	char num[24];

	snprintf(num, sizeof(num), "%llu", value);
	return sk_ctl_query_add(buf, len, key, num);
}

int
sk_ctl_query_filter(char *buf, size_t len, const struct sk_ctl_filter *f)
{
	int rc = 0;

	if (len == 0)
		return -ENAMETOOLONG;
	buf[0] = '\0';
	if (f->src != NULL)
		rc = sk_ctl_query_add(buf, len, "src", f->src);
	if (rc == 0 && f->dst != NULL)
		rc = sk_ctl_query_add(buf, len, "dst", f->dst);
	if (rc == 0 && f->proto != NULL)
		rc = sk_ctl_query_add(buf, len, "proto", f->proto);
	if (rc == 0 && f->port != 0)
		rc = sk_ctl_query_add_u64(buf, len, "port", f->port);
	if (rc == 0 && f->limit != 0)
		rc = sk_ctl_query_add_u64(buf, len, "limit", f->limit);
	if (rc != 0)
		buf[0] = '\0';
	return rc;
}
