/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * verify_print.c - the trace, lint and exposure documents as text for
 * people.  They read the same JSON the API returns, so the two views cannot
 * disagree.
 */
#include <stdio.h>
#include <string.h>

#include "verify.h"

static const char *
str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "-";
}

/* A JSON array of strings joined with sep into buf. */
static const char *
join(const json_t *a, const char *sep, char *buf, size_t len)
{
	size_t i, n = 0;
	json_t *v;

	buf[0] = '\0';
	json_array_foreach(a, i, v) {
		if (n + 4 >= len) {
			snprintf(buf + len - 4, 4, "...");
			break;
		}
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? sep : "",
				      json_is_string(v) ? json_string_value(v) : "?");
		if (n >= len)
			n = len - 1;
	}
	return buf;
}

static void
print_rule_ref(FILE *out, const json_t *r)
{
	if (!json_is_object(r)) {
		fprintf(out, "-");
		return;
	}
	fprintf(out, "%s (id %lld, line %lld)", str(r, "name"),
		(long long)json_integer_value(json_object_get(r, "id")),
		(long long)json_integer_value(json_object_get(r, "line")));
}

/* The load balancer's lines: service, backend, NAT (when a service matched). */
static void
print_lb(FILE *out, const json_t *doc)
{
	const json_t *svc = json_object_get(doc, "service");
	const json_t *be = json_object_get(doc, "backend");
	const json_t *nat = json_object_get(doc, "nat");
	const json_t *snat = json_object_get(nat, "snat");

	if (!json_is_object(svc))
		return;
	fprintf(out, "service   %s (id %lld, line %lld): %s %s port %s, %s, %s\n", str(svc, "name"),
		(long long)json_integer_value(json_object_get(svc, "id")),
		(long long)json_integer_value(json_object_get(svc, "line")), str(svc, "proto"),
		str(svc, "vip"), str(svc, "ports"), str(svc, "scheduler"), str(svc, "forward"));
	if (json_is_object(be))
		fprintf(out, "backend   %s %s port %lld (line %lld), by %s\n", str(be, "name"),
			str(be, "address"),
			(long long)json_integer_value(json_object_get(be, "port")),
			(long long)json_integer_value(json_object_get(be, "line")),
			str(be, "chosen_by"));
	if (!json_is_object(nat))
		return;
	fprintf(out, "nat       %s: dst %s\n", str(nat, "forward"), str(nat, "dst"));
	if (json_is_string(json_object_get(nat, "src")))
		fprintf(out, "          src %s (%s)\n", str(nat, "src"),
			json_is_true(json_object_get(snat, "port_exact")) ? "first candidate port" :
			"port chosen at run time by the owning worker");
}

void
sk_verify_print_trace(FILE *out, const json_t *doc)
{
	const json_t *pkt = json_object_get(doc, "packet");
	const json_t *pol = json_object_get(doc, "policy");
	const json_t *route = json_object_get(doc, "route");
	const json_t *reply = json_object_get(doc, "reply");
	const json_t *v;
	size_t i;

	fprintf(out, "packet    %s %s -> %s", str(pkt, "proto"), str(pkt, "src"), str(pkt, "dst"));
	if (json_object_get(pkt, "dport") != NULL)
		fprintf(out, " sport %lld dport %lld",
			(long long)json_integer_value(json_object_get(pkt, "sport")),
			(long long)json_integer_value(json_object_get(pkt, "dport")));
	if (json_object_get(pkt, "tcp_flags") != NULL)
		fprintf(out, " flags %s", str(pkt, "tcp_flags"));
	if (json_object_get(pkt, "icmp_type") != NULL)
		fprintf(out, " type %lld code %lld",
			(long long)json_integer_value(json_object_get(pkt, "icmp_type")),
			(long long)json_integer_value(json_object_get(pkt, "icmp_code")));
	fprintf(out, "\n          in %s (zone %s), ttl %lld, %lld bytes\n", str(pkt, "in_interface"),
		str(pkt, "in_zone"), (long long)json_integer_value(json_object_get(pkt, "ttl")),
		(long long)json_integer_value(json_object_get(pkt, "length")));
	fprintf(out, "decision  %s", str(doc, "decision"));
	if (json_is_string(json_object_get(doc, "drop_reason")))
		fprintf(out, " (%s)", str(doc, "drop_reason"));
	fprintf(out, "\n");
	print_lb(out, doc);
	if (json_is_object(route))
		fprintf(out, "route     out %s (zone %s) next hop %s%s\n",
			str(route, "egress_interface"), str(route, "egress_zone"),
			str(route, "next_hop"),
			json_is_true(json_object_get(route, "connected")) ? " on-link" : "");
	else if (json_is_true(json_object_get(doc, "local")))
		fprintf(out, "route     local (addressed to the unit)\n");
	if (json_is_object(pol)) {
		fprintf(out, "policy    %s by ", str(pol, "action"));
		if (json_is_object(json_object_get(pol, "rule"))) {
			fprintf(out, "rule ");
			print_rule_ref(out, json_object_get(pol, "rule"));
		} else {
			const json_t *d = json_object_get(pol, "default");

			fprintf(out, "default %s -> %s%s", str(d, "from"), str(d, "to"),
				json_is_true(json_object_get(d, "explicit")) ? "" :
				" (policy.default)");
		}
		fprintf(out, "\n");
	}
	if (json_is_object(reply)) {
		fprintf(out, "reply     %s", str(reply, "kind"));
		if (json_object_get(reply, "type") != NULL)
			fprintf(out, " type %lld code %lld",
				(long long)json_integer_value(json_object_get(reply, "type")),
				(long long)json_integer_value(json_object_get(reply, "code")));
		fprintf(out, " (%s)", str(reply, "for"));
		if (json_is_string(json_object_get(reply, "to")))
			fprintf(out, " to %s", str(reply, "to"));
		fprintf(out, " out of %s%s%s\n", str(reply, "interface"),
			json_is_true(json_object_get(reply, "sent")) ? "" : ", not sent: ",
			json_is_true(json_object_get(reply, "sent")) ? "" : str(reply, "suppressed"));
	}
	v = json_object_get(doc, "ttl");
	if (json_object_get(v, "out") != NULL)
		fprintf(out, "ttl       %lld -> %lld\n",
			(long long)json_integer_value(json_object_get(v, "in")),
			(long long)json_integer_value(json_object_get(v, "out")));
	else if (json_object_get(v, "note") != NULL)
		fprintf(out, "ttl       %lld: %s\n",
			(long long)json_integer_value(json_object_get(v, "in")), str(v, "note"));
	fprintf(out, "steps\n");
	json_array_foreach(json_object_get(doc, "steps"), i, v)
		fprintf(out, "  %zu. %s\n", i + 1, json_string_value(v));
}

void
sk_verify_print_lint(FILE *out, const json_t *doc)
{
	const json_t *f, *r;
	char buf[512];
	size_t i, j;

	fprintf(out, "untrusted zones: %s\n",
		json_array_size(json_object_get(doc, "untrusted_zones")) ?
		join(json_object_get(doc, "untrusted_zones"), ", ", buf, sizeof(buf)) : "(none)");
	fprintf(out, "%-8s %-26s %-28s %s\n", "SEVERITY", "KIND", "RULE", "MESSAGE");
	json_array_foreach(json_object_get(doc, "findings"), i, f) {
		const json_t *rules = json_object_get(f, "rules");

		if (json_array_size(rules) == 0) {
			snprintf(buf, sizeof(buf), "-");
		} else {
			json_array_foreach(rules, j, r) {
				snprintf(buf, sizeof(buf), "%s:%lld", str(r, "name"),
					 (long long)json_integer_value(json_object_get(r, "line")));
				break;
			}
		}
		fprintf(out, "%-8s %-26s %-28s %s\n", str(f, "severity"), str(f, "kind"), buf,
			str(f, "message"));
	}
	fprintf(out, "%zu finding(s)\n", json_array_size(json_object_get(doc, "findings")));
	json_array_foreach(json_object_get(doc, "notes"), i, f)
		fprintf(out, "note: %s\n", json_string_value(f));
}

void
sk_verify_print_exposure(FILE *out, const json_t *doc)
{
	const json_t *p, *a;
	char b1[1024], b2[1024], b3[256], b4[256], b5[128];
	size_t i, j;

	fprintf(out, "untrusted zones: %s\n",
		json_array_size(json_object_get(doc, "untrusted_zones")) ?
		join(json_object_get(doc, "untrusted_zones"), ", ", b1, sizeof(b1)) : "(none)");
	json_array_foreach(json_object_get(doc, "pairs"), i, p) {
		const json_t *acc = json_object_get(p, "accepted");

		fprintf(out, "\n%s -> %s  (default %s%s)%s\n", str(p, "from"), str(p, "to"),
			str(p, "default"),
			json_is_true(json_object_get(p, "default_explicit")) ? "" : ", policy.default",
			json_is_true(json_object_get(p, "complete")) ? "" : "  [INCOMPLETE: too complex]");
		if (json_array_size(acc) == 0) {
			fprintf(out, "  nothing accepted\n");
			continue;
		}
		fprintf(out, "  %-3s %-10s %-24s %-28s %-28s %s\n", "IP", "PROTO", "BY", "SRC", "DST",
			"PORTS");
		json_array_foreach(acc, j, a) {
			const json_t *rule = json_object_get(a, "rule");

			if (json_is_object(rule))
				snprintf(b5, sizeof(b5), "%s:%lld", str(rule, "name"),
					 (long long)json_integer_value(json_object_get(rule, "line")));
			else
				snprintf(b5, sizeof(b5), "(default)");
			if (json_object_get(a, "dport") != NULL)
				snprintf(b4, sizeof(b4), "dport %s",
					 join(json_object_get(a, "dport"), ",", b3, sizeof(b3)));
			else if (json_object_get(a, "icmp_type") != NULL)
				snprintf(b4, sizeof(b4), "type %s",
					 join(json_object_get(a, "icmp_type"), ",", b3, sizeof(b3)));
			else
				snprintf(b4, sizeof(b4), "-");
			fprintf(out, "  v%-2lld %-10s %-24s %-28s %-28s %s",
				(long long)json_integer_value(json_object_get(a, "family")),
				join(json_object_get(a, "proto"), ",", b3, sizeof(b3)), b5,
				join(json_object_get(a, "src"), ",", b1, sizeof(b1)),
				join(json_object_get(a, "dst"), ",", b2, sizeof(b2)), b4);
			if (json_object_get(a, "sport") != NULL &&
			    strcmp(join(json_object_get(a, "sport"), ",", b3, sizeof(b3)), "any") != 0)
				fprintf(out, " sport %s", b3);
			if (json_object_get(a, "icmp_code") != NULL &&
			    strcmp(join(json_object_get(a, "icmp_code"), ",", b3, sizeof(b3)), "any") != 0)
				fprintf(out, " code %s", b3);
			fprintf(out, "\n");
		}
	}
}
