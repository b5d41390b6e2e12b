/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * verify_fmt.c - sets over the key written for people and for JSON:
 * address ranges as the fewest CIDR prefixes that tile them exactly, port
 * and type ranges as "lo-hi", protocols by name, rules by id/name/line.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "verify_priv.h"

const char *
sk_verify_proto_name(uint8_t p, char *buf, size_t len)
{
	switch (p) {
	case 1:
		return "icmp";
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 58:
		return "icmpv6";
	default:
		snprintf(buf, len, "%u", p);
		return buf;
	}
}

static void
addr_str(uint8_t f, sk_vu128 v, char *buf, size_t len)
{
	uint8_t a[16];

	sk_v_addr_bytes(f, v, a);
	inet_ntop(f == 4 ? AF_INET : AF_INET6, a, buf, (socklen_t)len);
}

/* Largest aligned block starting at lo that stays within hi: its prefix length. */
static unsigned int
block_plen(sk_vu128 lo, sk_vu128 hi, unsigned int bits)
{
	unsigned int host = 0;

	while (host < bits) {
		sk_vu128 size = (sk_vu128)1 << host;   /* current block size */
		sk_vu128 next = size << 1;             /* 2^(host+1), may wrap to 0 at 128 */
		sk_vu128 end;

		if (host + 1 == 128) {
			/* The whole space: only if lo is 0 and hi is the top. */
			if (lo == 0 && hi == ~(sk_vu128)0)
				host++;
			break;
		}
		if ((lo & (next - 1)) != 0)
			break;
		end = lo + next - 1;
		if (end < lo || end > hi)
			break;
		host++;
	}
	return bits - host;
}

/* Append the CIDR tiling of s to a (with prefix "!" when neg); returns the count. */
static size_t
tile(json_t *a, uint8_t f, const struct sk_vset *s, int neg)
{
	unsigned int bits = f == 4 ? 32 : 128;
	char buf[INET6_ADDRSTRLEN + 8], ab[INET6_ADDRSTRLEN];
	size_t cnt = 0;
	uint32_t i;

	for (i = 0; i < s->n; i++) {
		sk_vu128 lo = s->r[i].lo, hi = s->r[i].hi;

		for (;;) {
			unsigned int plen = block_plen(lo, hi, bits);
			sk_vu128 size_m1 = plen == 0 ? sk_v_max(f) :
				(((sk_vu128)1 << (bits - plen)) - 1);

			if (a != NULL) {
				addr_str(f, lo, ab, sizeof(ab));
				snprintf(buf, sizeof(buf), "%s%s/%u", neg ? "!" : "", ab, plen);
				json_array_append_new(a, json_string(buf));
			}
			cnt++;
			if (lo + size_m1 >= hi || lo + size_m1 < lo)
				break;
			lo += size_m1 + 1;
		}
	}
	return cnt;
}

/* The smallest CIDR block holding [lo, hi]. */
static void
hull(uint8_t f, sk_vu128 lo, sk_vu128 hi, sk_vu128 *hlo, sk_vu128 *hhi)
{
	unsigned int bits = f == 4 ? 32 : 128, host = 0;
	sk_vu128 x = lo ^ hi;

	while (x != 0) {
		x >>= 1;
		host++;
	}
	if (host >= bits) {
		*hlo = 0;
		*hhi = sk_v_max(f);
		return;
	}
	*hlo = lo & ~((((sk_vu128)1) << host) - 1);
	*hhi = *hlo | ((((sk_vu128)1) << host) - 1);
}

json_t *
sk_verify_fmt_addrs(uint8_t f, const struct sk_vset *s)
{
	struct sk_vset h = { 0 }, exc = { 0 };
	json_t *a = json_array();
	size_t plain, with;
	sk_vu128 lo, hi;
	uint32_t i;
	int rc = 0;

	if (a == NULL)
		return NULL;
	/* "10.0.0.0/24 but not .1 and .255" reads better than the fourteen
	 * prefixes that tile the rest: write positive prefixes (their union) and
	 * "!"-prefixed exceptions (taken away from it) when that is shorter. */
	for (i = 0; i < s->n && rc == 0; i++) {
		hull(f, s->r[i].lo, s->r[i].hi, &lo, &hi);
		rc = sk_vset_add(&h, lo, hi);
	}
	if (rc == 0)
		rc = sk_vset_sub(&exc, &h, s);
	plain = tile(NULL, f, s, 0);
	with = tile(NULL, f, &h, 0) + tile(NULL, f, &exc, 1);
	if (rc == 0 && exc.n != 0 && with < plain) {
		if (h.n == 1 && h.r[0].lo == 0 && h.r[0].hi == sk_v_max(f))
			json_array_append_new(a, json_string("any"));
		else
			tile(a, f, &h, 0);
		tile(a, f, &exc, 1);
	} else if (s->n == 1 && s->r[0].lo == 0 && s->r[0].hi == sk_v_max(f)) {
		json_array_append_new(a, json_string("any"));
	} else {
		tile(a, f, s, 0);
	}
	sk_vset_free(&h);
	sk_vset_free(&exc);
	return a;
}

json_t *
sk_verify_fmt_ranges(const struct sk_vset *s, sk_vu128 full_hi)
{
	json_t *a = json_array();
	char buf[48];
	uint32_t i;

	if (a == NULL)
		return NULL;
	if (s->n == 1 && s->r[0].lo == 0 && s->r[0].hi >= full_hi) {
		json_array_append_new(a, json_string("any"));
		return a;
	}
	for (i = 0; i < s->n; i++) {
		unsigned int lo = (unsigned int)s->r[i].lo, hi = (unsigned int)s->r[i].hi;

		if (lo == hi)
			snprintf(buf, sizeof(buf), "%u", lo);
		else
			snprintf(buf, sizeof(buf), "%u-%u", lo, hi);
		json_array_append_new(a, json_string(buf));
	}
	return a;
}

json_t *
sk_verify_fmt_protos(const struct sk_vset *s)
{
	json_t *a = json_array();
	char buf[48];
	uint32_t i;
	unsigned int p;

	if (a == NULL)
		return NULL;
	if (s->n == 1 && s->r[0].lo == 0 && s->r[0].hi == 255) {
		json_array_append_new(a, json_string("any"));
		return a;
	}
	for (i = 0; i < s->n; i++) {
		unsigned int lo = (unsigned int)s->r[i].lo, hi = (unsigned int)s->r[i].hi;

		/* Name the handful a person knows; number the rest as ranges. */
		if (hi - lo < 4) {
			for (p = lo; p <= hi; p++)
				json_array_append_new(a, json_string(
					sk_verify_proto_name((uint8_t)p, buf, sizeof(buf))));
		} else {
			snprintf(buf, sizeof(buf), "%u-%u", lo, hi);
			json_array_append_new(a, json_string(buf));
		}
	}
	return a;
}

json_t *
sk_verify_fmt_rule(const struct sk_vmodel *m, uint32_t idx)
{
	const struct sk_img_rule *r = &m->rules[idx];

	return json_pack("{s:i,s:s,s:i,s:s}", "id", (json_int_t)r->id, "name", r->name,
			 "line", (json_int_t)r->line, "action", sk_verify_action_name(r->action));
}
