/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * verify_pkt.c - the trace question as JSON (POST /trace body, one line of
 * `trace --batch`, or what the command line builds): a packet description
 * checked field by field into struct sk_verify_pkt.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include "verify.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

static int
get_str(const json_t *j, const char *a, const char *b, const char **out)
{
	json_t *v = json_object_get(j, a);

	if (v == NULL && b != NULL)
		v = json_object_get(j, b);
	if (v == NULL) {
		*out = NULL;
		return 0;
	}
	if (!json_is_string(v))
		return -EINVAL;
	*out = json_string_value(v);
	return 0;
}

/* Integer field in [lo, hi]; def when absent.  -EINVAL names the field. */
static int
get_int(const json_t *j, const char *key, long lo, long hi, long def, long *out,
	char *err, size_t errlen)
{
	json_t *v = json_object_get(j, key);

	*out = def;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
		snprintf(err, errlen, "%s: an integer %ld..%ld", key, lo, hi);
		return -EINVAL;
	}
	*out = (long)json_integer_value(v);
	return 0;
}

static int
parse_addr(const char *txt, uint8_t out[16], uint8_t *family)
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, txt, out) == 1) {
		*family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, txt, out) == 1) {
		*family = 6;
		return 0;
	}
	return -EINVAL;
}

static int
parse_flags(const char *s, uint8_t *out)
{
	static const char letters[] = "FSRPAUEC";
	const char *c;

	*out = 0;
	for (; *s != '\0'; s++) {
		c = strchr(letters, *s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s);
		if (c == NULL)
			return -EINVAL;
		*out |= (uint8_t)(1u << (c - letters));
	}
	return 0;
}

static int
parse_proto(const json_t *v, uint8_t *out)
{
	static const struct { const char *name; uint8_t p; } names[] = {
		{ "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "icmpv6", 58 },
		{ "ipv6-icmp", 58 }, { "gre", 47 }, { "esp", 50 }, { "ah", 51 },
		{ "sctp", 132 },
	};
	size_t i;

	if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 255) {
		*out = (uint8_t)json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return -EINVAL;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(json_string_value(v), names[i].name) == 0) {
			*out = names[i].p;
			return 0;
		}
	return -EINVAL;
}

int
sk_verify_pkt_from_json(const json_t *j, struct sk_verify_pkt *p, char *err, size_t errlen)
{
	const char *zone, *iface, *src, *dst, *flags;
	uint8_t f2;
	long v;
	json_t *x;

	memset(p, 0, sizeof(*p));
	if (!json_is_object(j)) {
		snprintf(err, errlen, "the packet must be a JSON object");
		return -EINVAL;
	}
	if (get_str(j, "from", "in_zone", &zone) != 0 ||
	    get_str(j, "in", "in_interface", &iface) != 0 ||
	    get_str(j, "src", NULL, &src) != 0 || get_str(j, "dst", NULL, &dst) != 0) {
		snprintf(err, errlen, "from, in, src and dst are strings");
		return -EINVAL;
	}
	if ((zone == NULL) == (iface == NULL)) {
		snprintf(err, errlen, "give exactly one of from (input zone) and in "
			 "(input interface)");
		return -EINVAL;
	}
	if ((zone != NULL && strlen(zone) >= SK_NAME_MAX) ||
	    (iface != NULL && strlen(iface) >= SK_NAME_MAX)) {
		snprintf(err, errlen, "zone/interface name too long");
		return -EINVAL;
	}
	snprintf(p->in_zone, sizeof(p->in_zone), "%s", zone ? zone : "");
	snprintf(p->in_iface, sizeof(p->in_iface), "%s", iface ? iface : "");
	if (src == NULL || dst == NULL || parse_addr(src, p->src, &p->family) != 0 ||
	    parse_addr(dst, p->dst, &f2) != 0) {
		snprintf(err, errlen, "src and dst: IPv4 or IPv6 addresses");
		return -EINVAL;
	}
	if (f2 != p->family) {
		snprintf(err, errlen, "src and dst are of different families");
		return -EINVAL;
	}
	x = json_object_get(j, "proto");
	if (x == NULL || parse_proto(x, &p->proto) != 0) {
		snprintf(err, errlen, "proto: tcp, udp, icmp, icmpv6 or 0..255");
		return -EINVAL;
	}
	if (get_int(j, "sport", 0, 65535, 32768, &v, err, errlen) != 0)
		return -EINVAL;
	p->sport = (uint16_t)v;
	if (get_int(j, "dport", 0, 65535, 0, &v, err, errlen) != 0)
		return -EINVAL;
	p->dport = (uint16_t)v;
	x = json_object_get(j, "flags");
	if (x == NULL)
		x = json_object_get(j, "tcp_flags");
	if (x == NULL) {
		p->tcp_flags = TCP_SYN;
	} else if (json_is_integer(x) && json_integer_value(x) >= 0 &&
		   json_integer_value(x) <= 255) {
		p->tcp_flags = (uint8_t)json_integer_value(x);
	} else if (!json_is_string(x) || (flags = json_string_value(x),
					   parse_flags(flags, &p->tcp_flags) != 0)) {
		snprintf(err, errlen, "flags: letters of FSRPAUEC (e.g. \"S\", \"SA\") or 0..255");
		return -EINVAL;
	}
	/* Echo request by default: the usual "can I ping it?" question. */
	if (get_int(j, "icmp_type", 0, 255, p->family == 4 ? 8 : 128, &v, err, errlen) != 0)
		return -EINVAL;
	p->icmp_type = (uint8_t)v;
	if (get_int(j, "icmp_code", 0, 255, 0, &v, err, errlen) != 0)
		return -EINVAL;
	p->icmp_code = (uint8_t)v;
	if (get_int(j, "ttl", 0, 255, 64, &v, err, errlen) != 0)
		return -EINVAL;
	p->ttl = (uint8_t)v;
	if (get_int(j, "length", 0, 9216, 0, &v, err, errlen) != 0)
		return -EINVAL;
	p->length = (uint16_t)v;
	x = json_object_get(j, "df");
	p->df = x != NULL && json_is_true(x);
	x = json_object_get(j, "l2_broadcast");
	p->l2_mcast = x != NULL && json_is_true(x);
	return 0;
}
