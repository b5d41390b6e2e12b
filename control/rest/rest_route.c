/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rest_route.c - match a request path against the route patterns of
 * api/api.h ("/api/v1/config/archives/{gen}").  Segments are compared one
 * by one; "{x}" takes any non-empty segment.  When several patterns match,
 * the one with more literal segments wins, so "/config/archives/import"
 * is never taken for "{gen}".  The tables are a few dozen routes: a linear
 * scan per request costs nothing next to a TLS record.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rest_priv.h"

/* Next segment of s after a '/': start and length; NULL at the end. */
static const char *
next_seg(const char *s, size_t *len)
{
	const char *end;

	if (*s != '/')
		return NULL;
	s++;
	end = strchr(s, '/');
	*len = end ? (size_t)(end - s) : strlen(s);
	return s;
}

static int
is_param(const char *seg, size_t len)
{
	return len >= 3 && seg[0] == '{' && seg[len - 1] == '}';
}

/* Literal segments matched (>= 0) or -1; params filled when m != NULL. */
static int
match(const char *pattern, const char *path, struct sk_rest_match *m)
{
	const char *p = pattern, *q = path;
	size_t pl, ql, used = 0;
	int literal = 0;

	if (m != NULL)
		m->n_params = 0;
	for (;;) {
		const char *ps = next_seg(p, &pl), *qs = next_seg(q, &ql);

		if (ps == NULL || qs == NULL)
			return (ps == NULL && qs == NULL && *p == '\0' && *q == '\0') ? literal : -1;
		if (is_param(ps, pl)) {
			if (ql == 0)
				return -1;
			if (m != NULL) {
				if (m->n_params == SK_API_MAX_PARAMS || used + ql + 1 > sizeof(m->buf))
					return -1;
				memcpy(m->buf + used, qs, ql);
				m->buf[used + ql] = '\0';
				m->params[m->n_params++] = m->buf + used;
				used += ql + 1;
			}
		} else {
			if (pl != ql || memcmp(ps, qs, pl) != 0)
				return -1;
			literal++;
		}
		p = ps + pl;
		q = qs + ql;
	}
}

static void
allow_add(char *allow, size_t len, const char *method)
{
	size_t n = strlen(method), o = strlen(allow);
	const char *s = allow;

	/* Listed once, even if two tables name the same method. */
	while ((s = strstr(s, method)) != NULL) {
		if ((s == allow || s[-1] == ' ') && (s[n] == ',' || s[n] == '\0'))
			return;
		s += n;
	}
	snprintf(allow + o, len - o, "%s%s", o ? ", " : "", method);
}

int
sk_rest_route_find(const struct sk_api_route *const *tables, const char *method,
		   const char *path, struct sk_rest_match *m)
{
	const struct sk_api_route *best = NULL;
	int best_score = -1, path_known = 0;
	size_t t, i;

	m->route = NULL;
	m->n_params = 0;
	m->allow[0] = '\0';
	if (strlen(path) >= SK_REST_PATH_MAX)
		return -ENAMETOOLONG;
	for (t = 0; tables[t] != NULL; t++) {
		for (i = 0; tables[t][i].method != NULL; i++) {
			const struct sk_api_route *r = &tables[t][i];
			int score = match(r->pattern, path, NULL);

			if (score < 0)
				continue;
			path_known = 1;
			allow_add(m->allow, sizeof(m->allow), r->method);
			if (strcmp(r->method, method) != 0)
				continue;
			if (score > best_score) {
				best = r;
				best_score = score;
			}
		}
	}
	if (best == NULL)
		return path_known ? -EPERM : -ENOENT;
	m->route = best;
	(void)match(best->pattern, path, m);
	return 0;
}
