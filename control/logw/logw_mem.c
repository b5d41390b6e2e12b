/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * logw_mem.c - the last lines in memory, numbered, for GET /logs?since=SEQ.
 * A fixed ring of line copies: memory is bounded by lines x SK_LOGW_LINE_MAX
 * whatever is logged, and a client that polls with the last seq it saw gets
 * every line once (or learns how many it missed).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "logw_priv.h"

int
sk_logw_mem_init(struct sk_logw_mem *m, uint32_t cap)
{
	m->line = calloc(cap, sizeof(*m->line));
	if (m->line == NULL)
		return -ENOMEM;
	m->cap = cap;
	m->next = 1;
	return 0;
}

void
sk_logw_mem_fini(struct sk_logw_mem *m)
{
	uint32_t i;

	if (m->line == NULL)
		return;
	for (i = 0; i < m->cap; i++)
		free(m->line[i]);
	free(m->line);
	m->line = NULL;
}

uint64_t
sk_logw_mem_push(struct sk_logw_mem *m, const char *line, size_t len)
{
	uint64_t seq = m->next++;
	char **slot = &m->line[seq % m->cap];

	if (len > 0 && line[len - 1] == '\n')
		len--;
	free(*slot);
	/* Out of memory loses this copy only; the query skips it. */
	*slot = strndup(line, len);
	return seq;
}

json_t *
sk_logw_mem_query(const struct sk_logw_mem *m, const struct sk_logw_query *q)
{
	uint64_t latest = m->next - 1;
	uint64_t oldest = m->next > m->cap ? m->next - m->cap : 1;
	uint64_t start, end, s, missed = 0, next;
	json_t *doc, *lines;
	int reset = 0;

	if (!q->has_since) {
		start = latest >= q->limit ? latest - q->limit + 1 : 1;
		if (start < oldest)
			start = oldest;
	} else if (q->since > latest) {
		/* Beyond anything written: this writer restarted since the client
		 * last asked.  Start again from what is held. */
		reset = 1;
		start = oldest;
	} else {
		start = q->since + 1;
		if (start < oldest) {
			missed = oldest - start;
			start = oldest;
		}
	}
	end = start + q->limit; /* exclusive */
	if (end > latest + 1)
		end = latest + 1;
	lines = json_array();
	if (lines == NULL)
		return NULL;
	next = q->has_since && !reset ? q->since : start - 1;
	for (s = start; s < end; s++) {
		const char *text = m->line[s % m->cap];
		json_t *o;

		next = s;
		if (text == NULL)
			continue;
		o = json_loads(text, 0, NULL);
		if (o == NULL || !json_is_object(o)) {
			json_decref(o);
			o = json_pack("{ss}", "text", text);
			if (o == NULL)
				continue;
		}
		json_object_set_new(o, "seq", json_integer((json_int_t)s));
		json_array_append_new(lines, o);
	}
	doc = json_pack("{so sI sI sI sI sb}", "lines", lines, "next", (json_int_t)next,
			"oldest", (json_int_t)(latest ? oldest : 0), "latest", (json_int_t)latest,
			"missed", (json_int_t)missed, "reset", reset);
	return doc;
}
