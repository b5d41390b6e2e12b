/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * logw_fmt.c - log lines: a record or an event as one compact JSON object per
 * line, keys in a fixed order so that grep and people can read them too:
 *   {"ts":"2024-05-01T12:34:56.789Z","kind":"drop","rule":"deny-ssh",
 *    "rule_id":3,"gen":7,"in":"outside","out":"inside","from":"outside",
 *    "to":"inside","src":"198.51.100.7","dst":"10.0.0.5","proto":"tcp",
 *    "sport":40000,"dport":22,"flags":"S","len":60}
 * A line never exceeds its limit: long strings are cut, then fields are
 * dropped, so every line stays one parseable JSON object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "logw_priv.h"

#define STR_CUT 256 /* a string longer than this is cut when a line is too long */

void
sk_logw_fmt_ts(uint64_t unix_ns, char *buf, size_t len)
{
	time_t sec = (time_t)(unix_ns / SK_LOGW_NS);
	unsigned int ms = (unsigned int)(unix_ns % SK_LOGW_NS / 1000000u);
	struct tm tm;
	char base[32];

	gmtime_r(&sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03uZ", base, ms);
}

static const char *
kind_name(uint8_t kind)
{
	switch (kind) {
	case SK_LOG_DROP:
		return "drop";
	case SK_LOG_REJECT:
		return "reject";
	case SK_LOG_ACCEPT:
		return "accept";
	default:
		return "unknown";
	}
}

static const char *
lookup(sk_logw_name_fn name, void *ctx, enum sk_logw_name_kind what, uint32_t gen, uint32_t id)
{
	return name != NULL ? name(ctx, what, gen, id) : NULL;
}

static void
zone_name(char *buf, size_t len, sk_logw_name_fn name, void *ctx, uint32_t gen, uint16_t id)
{
	const char *n = lookup(name, ctx, SK_LOGW_NAME_ZONE, gen, id);

	if (n != NULL)
		snprintf(buf, len, "%s", n);
	else if (id == 0)
		snprintf(buf, len, "local");
	else
		snprintf(buf, len, "zone%u", id);
}

void
sk_logw_fmt_rule(char *buf, size_t len, sk_logw_name_fn name, void *ctx, uint32_t gen,
		 uint32_t rule_id, uint16_t in_zone, uint16_t out_zone)
{
	const char *n;
	char from[SK_LOGW_NAME_LEN], to[SK_LOGW_NAME_LEN];

	if (rule_id == 0) {
		zone_name(from, sizeof(from), name, ctx, gen, in_zone);
		zone_name(to, sizeof(to), name, ctx, gen, out_zone);
		snprintf(buf, len, "default %s->%s", from, to);
		return;
	}
	n = lookup(name, ctx, SK_LOGW_NAME_RULE, gen, rule_id);
	if (n != NULL)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "#%u", rule_id);
}

static const char *
proto_name(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	default:
		snprintf(buf, len, "%u", proto);
		return buf;
	}
}

/* TCP flags as letters in header order: SYN+ACK is "SA". */
static void
flags_str(uint8_t fl, char *buf)
{
	static const struct { uint8_t bit; char c; } f[] = {
		{ 0x02, 'S' }, { 0x10, 'A' }, { 0x01, 'F' }, { 0x04, 'R' }, { 0x08, 'P' },
		{ 0x20, 'U' }, { 0x40, 'E' }, { 0x80, 'C' },
	};
	size_t i, o = 0;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (fl & f[i].bit)
			buf[o++] = f[i].c;
	buf[o] = '\0';
}

json_t *
sk_logw_fmt_record(const struct sk_logrec *r, sk_logw_name_fn name, void *ctx)
{
	char ts[40], rule[SK_LOGW_NAME_LEN + 16], src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	char in[SK_LOGW_NAME_LEN], out[SK_LOGW_NAME_LEN], from[SK_LOGW_NAME_LEN];
	char to[SK_LOGW_NAME_LEN], pbuf[8], flags[9];
	int af = r->family == 6 ? AF_INET6 : AF_INET;
	const char *n;
	json_t *o;

	sk_logw_fmt_ts(r->ts, ts, sizeof(ts));
	sk_logw_fmt_rule(rule, sizeof(rule), name, ctx, r->generation, r->rule_id, r->in_zone,
			 r->out_zone);
	n = lookup(name, ctx, SK_LOGW_NAME_IFACE, r->generation, r->in_iface);
	if (n != NULL)
		snprintf(in, sizeof(in), "%s", n);
	else
		snprintf(in, sizeof(in), "if%u", r->in_iface);
	n = lookup(name, ctx, SK_LOGW_NAME_IFACE, r->generation, r->out_iface);
	if (n != NULL)
		snprintf(out, sizeof(out), "%s", n);
	else if (r->out_zone == 0)
		snprintf(out, sizeof(out), "local");
	else
		snprintf(out, sizeof(out), "if%u", r->out_iface);
	zone_name(from, sizeof(from), name, ctx, r->generation, r->in_zone);
	zone_name(to, sizeof(to), name, ctx, r->generation, r->out_zone);
	if (inet_ntop(af, r->src, src, sizeof(src)) == NULL)
		strcpy(src, "?");
	if (inet_ntop(af, r->dst, dst, sizeof(dst)) == NULL)
		strcpy(dst, "?");

	o = json_pack("{ss ss ss sI sI ss ss ss ss ss ss ss}",
		      "ts", ts, "kind", kind_name(r->kind), "rule", rule,
		      "rule_id", (json_int_t)r->rule_id, "gen", (json_int_t)r->generation,
		      "in", in, "out", out, "from", from, "to", to, "src", src, "dst", dst,
		      "proto", proto_name(r->proto, pbuf, sizeof(pbuf)));
	if (o == NULL)
		return NULL;
	if (r->proto == IPPROTO_TCP || r->proto == IPPROTO_UDP) {
		json_object_set_new(o, "sport", json_integer(r->sport));
		json_object_set_new(o, "dport", json_integer(r->dport));
	}
	if (r->proto == IPPROTO_TCP) {
		flags_str(r->tcp_flags, flags);
		json_object_set_new(o, "flags", json_string(flags));
	}
	if (r->proto == IPPROTO_ICMP || r->proto == IPPROTO_ICMPV6) {
		json_object_set_new(o, "icmp_type", json_integer(r->icmp_type));
		json_object_set_new(o, "icmp_code", json_integer(r->icmp_code));
	}
	json_object_set_new(o, "len", json_integer(r->len));
	return o;
}

static char *
dump(json_t *obj, size_t *len)
{
	char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	char *l;

	if (s == NULL)
		return NULL;
	*len = strlen(s);
	l = realloc(s, *len + 2);
	if (l == NULL) {
		free(s);
		return NULL;
	}
	l[(*len)++] = '\n';
	l[*len] = '\0';
	return l;
}

/* Cut every string in v (recursively) to STR_CUT bytes; UTF-8 safe because
 * dump escapes to ASCII only after the cut is made at a character start. */
static void
cut_strings(json_t *v)
{
	const char *key;
	json_t *e;
	size_t i;

	if (json_is_string(v) && json_string_length(v) > STR_CUT) {
		const char *s = json_string_value(v);
		size_t n = STR_CUT;
		char buf[STR_CUT + 4];

		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		memcpy(buf, s, n);
		memcpy(buf + n, "...", 4);
		json_string_setn(v, buf, n + 3);
	} else if (json_is_object(v)) {
		json_object_foreach(v, key, e)
			cut_strings(e);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			cut_strings(e);
	}
}

char *
sk_logw_fmt_line(json_t *obj, size_t max, size_t *len, int *truncated)
{
	static const char *const keep[] = { "ts", "kind", "event", "rule", "rule_id" };
	char *line = dump(obj, len);
	json_t *small;
	size_t i;

	*truncated = 0;
	if (line == NULL || *len <= max)
		return line;
	free(line);
	*truncated = 1;
	small = json_deep_copy(obj);
	if (small == NULL)
		return NULL;
	cut_strings(small);
	json_object_set_new(small, "truncated", json_true());
	line = dump(small, len);
	json_decref(small);
	if (line == NULL || *len <= max)
		return line;
	free(line);
	/* Still too long (too many fields): keep only what says what it was. */
	small = json_object();
	if (small == NULL)
		return NULL;
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		json_t *v = json_object_get(obj, keep[i]);

		if (v != NULL)
			json_object_set(small, keep[i], v);
	}
	cut_strings(small);
	json_object_set_new(small, "truncated", json_true());
	line = dump(small, len);
	json_decref(small);
	if (line != NULL && *len > max) {
		/* Only a tiny max (tests) gets here; the caller drops it. */
		free(line);
		line = NULL;
		*len = 0;
		*truncated = 2;
	}
	return line;
}
