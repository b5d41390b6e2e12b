/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_cmd_ha.c - the HA pair: `ha` (where the pair stands: this unit's
 * role and term, the peer, both heartbeat paths, both units' generations,
 * the last transition and its reason), `ha standby` (maintenance: hand the
 * floating addresses to the peer and stay standby) and `ha release` (end
 * maintenance).  Everything comes from GET /ha's document (docs/rest.md);
 * the POSTs answer with the same document after the change.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl_http.h"
#include "ctl_table.h"
#include "ctl_view.h"

#define KV_MAX 24
#define VAL_LEN 320

/* "key:  value" lines, keys padded to the longest, as `status` prints. */
struct kv {
	unsigned int n;
	const char *key[KV_MAX];
	char val[KV_MAX][VAL_LEN];
};

static char *
kv_add(struct kv *kv, const char *key)
{
	if (kv->n == KV_MAX)
		return kv->val[KV_MAX - 1]; /* never: the list below is fixed */
	kv->key[kv->n] = key;
	kv->val[kv->n][0] = '\0';
	return kv->val[kv->n++];
}

/* One line per key: the hook's output and the reasons are free text. */
static void
one_line(char *v)
{
	for (; *v != '\0'; v++)
		if (*v == '\n' || *v == '\r' || *v == '\t')
			*v = ' ';
}

static void
kv_print(FILE *out, struct kv *kv)
{
	size_t w = 0;
	unsigned int i;

	for (i = 0; i < kv->n; i++)
		if (strlen(kv->key[i]) > w)
			w = strlen(kv->key[i]);
	for (i = 0; i < kv->n; i++) {
		one_line(kv->val[i]);
		fprintf(out, "%s:%*s  %s\n", kv->key[i], (int)(w - strlen(kv->key[i])), "",
			kv->val[i]);
	}
}

static const char *
str(const json_t *obj, const char *keys, const char *def)
{
	const char *s = json_string_value(sk_ctl_json_get(obj, keys));

	return s != NULL ? s : def;
}

static const char *
yes_no(const json_t *obj, const char *key)
{
	return json_is_true(sk_ctl_json_get(obj, key)) ? "yes" : "no";
}

static void
peer_line(char *buf, size_t len, const json_t *peer)
{
	if (!json_is_true(json_object_get(peer, "known"))) {
		snprintf(buf, len, "never heard from");
		return;
	}
	snprintf(buf, len, "unit %" PRIu64 ", %s, %s, term %" PRIu64 ", priority %" PRIu64
		 ", version %s", sk_ctl_json_u64(peer, "unit", 0), str(peer, "role", "?"),
		 json_is_true(json_object_get(peer, "alive")) ? "alive" : "DEAD (both paths silent)",
		 sk_ctl_json_u64(peer, "term", 0), sk_ctl_json_u64(peer, "priority", 0),
		 str(peer, "version", "?"));
}

static void
generation_line(char *buf, size_t len, const json_t *doc)
{
	const json_t *pg = sk_ctl_json_get(doc, "peer.generation");
	uint64_t here = sk_ctl_json_u64(doc, "generation", 0);

	if (!json_is_integer(pg))
		snprintf(buf, len, "%" PRIu64 " here, peer's not known", here);
	else
		snprintf(buf, len, "%" PRIu64 " here, %" PRIu64 " on the peer%s", here,
			 (uint64_t)json_integer_value(pg),
			 (uint64_t)json_integer_value(pg) == here ? "" : " (differ)");
}

static void
transition_line(char *buf, size_t len, const json_t *last, uint64_t now_s)
{
	uint64_t ms = sk_ctl_json_u64(last, "time_ms", 0);
	char when[64], ago[32];

	if (!json_is_object(last)) {
		snprintf(buf, len, "none yet");
		return;
	}
	sk_ctl_fmt_time_s(when, sizeof(when), ms / 1000);
	sk_ctl_fmt_duration(ago, sizeof(ago), now_s > ms / 1000 ? now_s - ms / 1000 : 0);
	snprintf(buf, len, "%s -> %s at %s (%s ago): %s", str(last, "from", "?"),
		 str(last, "to", "?"), when, ago, str(last, "reason", "(no reason given)"));
}

/* "bad_mac 2, replay 1" for the kinds that are not 0, "none" otherwise. */
static void
errors_line(char *buf, size_t len, const json_t *errors)
{
	const char *k;
	const json_t *v;
	size_t pos = 0;

	buf[0] = '\0';
	json_object_foreach((json_t *)errors, k, v) {
		int n;

		if (!json_is_integer(v) || json_integer_value(v) == 0)
			continue;
		n = snprintf(buf + pos, len - pos, "%s%s %lld", pos ? ", " : "", k,
			     (long long)json_integer_value(v));
		if (n < 0 || (size_t)n >= len - pos)
			break;
		pos += (size_t)n;
	}
	if (pos == 0)
		snprintf(buf, len, "none");
}

static int
paths_table(FILE *out, const json_t *paths)
{
	static const char *const titles[] = { "PATH", "UP", "LAST HEARD", "HB SENT",
					      "HB RECEIVED", "HB MISSED" };
	static const char *const names[] = { "link", "data" };
	struct sk_ctl_table *t = sk_ctl_table_new(6);
	unsigned int c, p;
	int rc = 0;

	if (t == NULL)
		return -1;
	for (c = 0; c < 6; c++)
		sk_ctl_table_col(t, c, titles[c], c >= 2);
	for (p = 0; p < 2; p++) {
		const json_t *ps = json_object_get(paths, names[p]);
		const json_t *ago = json_object_get(ps, "last_rx_ms_ago");
		char cells[6][32];
		const char *row[6];

		if (!json_is_object(ps))
			continue;
		snprintf(cells[0], 32, "%s", names[p]);
		snprintf(cells[1], 32, "%s", yes_no(ps, "up"));
		if (json_is_integer(ago))
			snprintf(cells[2], 32, "%lld ms ago", (long long)json_integer_value(ago));
		else
			snprintf(cells[2], 32, "never");
		snprintf(cells[3], 32, "%" PRIu64, sk_ctl_json_u64(ps, "heartbeats.sent", 0));
		snprintf(cells[4], 32, "%" PRIu64, sk_ctl_json_u64(ps, "heartbeats.received", 0));
		snprintf(cells[5], 32, "%" PRIu64, sk_ctl_json_u64(ps, "heartbeats.missed", 0));
		for (c = 0; c < 6; c++)
			row[c] = cells[c];
		if (sk_ctl_table_add(t, row) != 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0)
		sk_ctl_table_print(out, t);
	sk_ctl_table_free(t);
	return rc;
}

int
sk_ctl_view_ha(FILE *out, const json_t *doc, uint64_t now_s)
{
	const json_t *en = json_is_object(doc) ? json_object_get(doc, "enabled") : NULL;
	const char *fault, *out_tail;
	struct kv kv;
	char *v;

	if (!json_is_boolean(en))
		return SK_CTL_EXIT_API;
	if (json_is_false(en)) {
		fprintf(out, "standalone unit: HA is not enabled (its config has no ha group)\n");
		return 0;
	}
	if (!json_is_string(json_object_get(doc, "role")))
		return SK_CTL_EXIT_API;
	memset(&kv, 0, sizeof(kv));
	v = kv_add(&kv, "state");
	snprintf(v, VAL_LEN, "%s, term %" PRIu64, str(doc, "role", "?"),
		 sk_ctl_json_u64(doc, "term", 0));
	if (strcmp(str(doc, "dp_role", ""), str(doc, "role", "")) != 0)
		snprintf(v + strlen(v), VAL_LEN - strlen(v), " (dataplane still %s)",
			 str(doc, "dp_role", "?"));
	snprintf(kv_add(&kv, "unit"), VAL_LEN, "%" PRIu64 ", priority %" PRIu64 ", preempt %s",
		 sk_ctl_json_u64(doc, "unit", 0), sk_ctl_json_u64(doc, "priority", 0),
		 json_is_true(json_object_get(doc, "preempt")) ? "on" : "off");
	peer_line(kv_add(&kv, "peer"), VAL_LEN, json_object_get(doc, "peer"));
	generation_line(kv_add(&kv, "generation"), VAL_LEN, doc);
	snprintf(kv_add(&kv, "ready"), VAL_LEN, "%s",
		 json_is_true(json_object_get(doc, "ready")) ?
		 "yes (config in sync: may take over)" : "no (config not in sync with the peer)");
	snprintf(kv_add(&kv, "maintenance"), VAL_LEN, "%s",
		 json_is_true(json_object_get(doc, "forced")) ?
		 "yes (forced standby: 'sekishoctl ha release' ends it)" : "no");
	fault = str(doc, "fault", "");
	if (*fault != '\0')
		snprintf(kv_add(&kv, "fault"), VAL_LEN, "%s", fault);
	transition_line(kv_add(&kv, "last transition"), VAL_LEN,
			sk_ctl_json_get(doc, "transitions.last"), now_s);
	snprintf(kv_add(&kv, "transitions"), VAL_LEN, "%" PRIu64,
		 sk_ctl_json_u64(doc, "transitions.count", 0));
	snprintf(kv_add(&kv, "config sync"), VAL_LEN,
		 "pushed %" PRIu64 ", applied %" PRIu64 ", failed %" PRIu64 ", last lag %" PRIu64
		 " ms", sk_ctl_json_u64(doc, "config_sync.pushed", 0),
		 sk_ctl_json_u64(doc, "config_sync.applied", 0),
		 sk_ctl_json_u64(doc, "config_sync.failed", 0),
		 sk_ctl_json_u64(doc, "config_sync.lag_ms", 0));
	snprintf(kv_add(&kv, "conn sync"), VAL_LEN,
		 "%s, bulk %s (%" PRIu64 " records, %" PRIu64 " ms), sent %" PRIu64 ", acked %"
		 PRIu64 ", received %" PRIu64 ", lag %" PRIu64 " records / %" PRIu64 " ms, "
		 "applied %" PRIu64 ", held %" PRIu64 ", ring full %" PRIu64,
		 json_is_true(sk_ctl_json_get(doc, "conn_sync.shipping")) ? "shipping" :
		 "not shipping",
		 json_string_value(sk_ctl_json_get(doc, "conn_sync.bulk_received")) != NULL ?
		 json_string_value(sk_ctl_json_get(doc, "conn_sync.bulk_received")) : "none",
		 sk_ctl_json_u64(doc, "conn_sync.bulk_records", 0),
		 sk_ctl_json_u64(doc, "conn_sync.bulk_ms", 0),
		 sk_ctl_json_u64(doc, "conn_sync.records_sent", 0),
		 sk_ctl_json_u64(doc, "conn_sync.records_acked", 0),
		 sk_ctl_json_u64(doc, "conn_sync.records_received", 0),
		 sk_ctl_json_u64(doc, "conn_sync.lag_records", 0),
		 sk_ctl_json_u64(doc, "conn_sync.lag_ms", 0),
		 sk_ctl_json_u64(doc, "conn_sync.dataplane.applied", 0),
		 sk_ctl_json_u64(doc, "conn_sync.dataplane.held", 0),
		 sk_ctl_json_u64(doc, "conn_sync.dataplane.ring_full", 0));
	snprintf(kv_add(&kv, "link"), VAL_LEN,
		 "%" PRIu64 " connects, %" PRIu64 " messages sent, %" PRIu64 " received",
		 sk_ctl_json_u64(doc, "link.connects", 0),
		 sk_ctl_json_u64(doc, "link.messages_sent", 0),
		 sk_ctl_json_u64(doc, "link.messages_received", 0));
	errors_line(kv_add(&kv, "link errors"), VAL_LEN, sk_ctl_json_get(doc, "link.errors"));
	snprintf(kv_add(&kv, "hook"), VAL_LEN, "%s, %" PRIu64 " runs, last rc %lld",
		 str(doc, "hook.state", "?"), sk_ctl_json_u64(doc, "hook.runs", 0),
		 (long long)json_integer_value(sk_ctl_json_get(doc, "hook.last_rc")));
	out_tail = str(doc, "hook.output", "");
	if (*out_tail != '\0')
		snprintf(kv_add(&kv, "hook output"), VAL_LEN, "%s", out_tail);
	kv_print(out, &kv);
	fputc('\n', out);
	return paths_table(out, json_object_get(doc, "paths")) != 0 ? SK_CTL_EXIT_API : 0;
}

int
sk_ctl_view_ha_action(FILE *out, const json_t *doc, const char *action)
{
	const json_t *peer = json_is_object(doc) ? json_object_get(doc, "peer") : NULL;

	if (!json_is_object(doc) || !json_is_string(json_object_get(doc, "role")))
		return SK_CTL_EXIT_API;
	fprintf(out, "%s: unit %" PRIu64 " is %s (term %" PRIu64 ")", action,
		sk_ctl_json_u64(doc, "unit", 0), str(doc, "role", "?"),
		sk_ctl_json_u64(doc, "term", 0));
	if (json_is_true(json_object_get(peer, "known")))
		fprintf(out, "; peer unit %" PRIu64 " is %s", sk_ctl_json_u64(peer, "unit", 0),
			str(peer, "role", "?"));
	fputc('\n', out);
	return 0;
}

int
sk_ctl_cmd_ha(struct sk_ctl_http *h, const struct sk_ctl_args *a)
{
	const char *path = "/ha", *method = "GET", *action = NULL;
	struct sk_ctl_resp r;
	int rc;

	if (a->cmd == SK_CTL_CMD_HA_STANDBY) {
		path = "/ha/standby";
		method = "POST";
		action = "standby";
	} else if (a->cmd == SK_CTL_CMD_HA_RELEASE) {
		path = "/ha/release";
		method = "POST";
		action = "release";
	} else if (a->cmd != SK_CTL_CMD_HA) {
		return SK_CTL_EXIT_USAGE;
	}
	rc = sk_ctl_call(h, method, path, "", NULL, NULL, &r);
	if (rc != 0)
		return rc;
	if (a->json) {
		sk_ctl_resp_print_raw(stdout, &r);
	} else {
		rc = action != NULL ? sk_ctl_view_ha_action(stdout, r.json, action) :
				      sk_ctl_view_ha(stdout, r.json, (uint64_t)time(NULL));
		if (rc != 0)
			fprintf(stderr, "sekishoctl: %s: unexpected answer from the API\n", path);
	}
	sk_ctl_resp_free(&r);
	return rc;
}
