/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * verify_lint.c - findings on a rule set, each with a severity, the rules
 * (name, id, config line) and a message:
 *
 *   shadowed            earlier rules cover the rule's whole match space and
 *                       at least one of them has another action: it never
 *                       decides anything, and what it says is not what
 *                       happens (medium)
 *   redundant           covered by earlier rules that all have its action:
 *                       harmless, but dead weight (low)
 *   unreachable         the rule matches no packet the parser can produce (low)
 *   any_any_accept      accept with any protocol, address and port (high from
 *                       an untrusted zone or "any", else medium)
 *   sensitive_port      SSH/telnet/RDP/VNC/SNMP/database/management ports that
 *                       a new connection from an untrusted zone reaches (high
 *                       from any source, medium from named sources only)
 *   unrestricted_egress accept from an inside zone to an untrusted one with
 *                       any destination and any port, rule or default (medium)
 *   untrusted_default_accept  a zone pair default of accept from an untrusted
 *                       zone (high)
 *   rpf_off_untrusted   an interface with a default route and no reverse-path
 *                       check (medium)
 *
 * "Untrusted" is the zone of any interface that carries a default route
 * (0.0.0.0/0 or ::/0): that is where the rest of the world comes from.
 * Coverage is computed on the rule's whole match space (zones, family,
 * prefixes, protocol, port ranges, ICMP type/code) with verify_space.c,
 * never by comparing text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_image_api.h"
#include "verify.h"
#include "verify_priv.h"

struct sensitive {
	uint8_t proto;
	uint16_t port;
	const char *what;
};

static const struct sensitive sensitive_ports[] = {
	{ 6, 22, "ssh" }, { 6, 23, "telnet" }, { 6, 3389, "rdp" }, { 6, 5900, "vnc" },
	{ 17, 161, "snmp" }, { 6, 3306, "mysql" }, { 6, 5432, "postgresql" },
	{ 6, 1433, "mssql" }, { 6, 1521, "oracle" }, { 6, 27017, "mongodb" },
	{ 6, 6379, "redis" }, { 6, 9200, "elasticsearch" }, { 6, 11211, "memcached" },
	{ 6, 2379, "etcd" }, { 6, 8443, "https-mgmt" },
};

struct lint {
	struct sk_vmodel m;
	json_t *findings;
	json_t *notes;
	struct sk_vspace u[2];   /* universe for IPv4, IPv6 */
};

static const char *
sev_rule_from(const struct lint *l, uint16_t from, int has_untrusted)
{
	if (from == SK_ZONE_ANY)
		return has_untrusted ? "high" : "medium";
	return l->m.untrusted[from] ? "high" : "medium";
}

static void
add_finding(struct lint *l, const char *kind, const char *sev, json_t *rules, const char *msg)
{
	size_t i;
	json_t *f;

	/* IPv4 and IPv6 often say the same thing once each: keep one. */
	json_array_foreach(l->findings, i, f)
		if (strcmp(json_string_value(json_object_get(f, "message")), msg) == 0) {
			json_decref(rules);
			return;
		}
	json_array_append_new(l->findings, json_pack("{s:s,s:s,s:o,s:s}", "kind", kind,
		"severity", sev, "rules", rules ? rules : json_array(), "message", msg));
}

static int
fam_idx(uint8_t f)
{
	return f == 4 ? 0 : 1;
}

/* Shadowed / redundant / unreachable for rule i. */
static int
lint_cover(struct lint *l, uint32_t i, struct sk_vbox *bi, struct sk_vbox *bj)
{
	const struct sk_img_rule *r = &l->m.rules[i];
	uint8_t *cover;
	uint32_t j, ncov = 0;
	int live = 0, covered = 1, same = 1, rc = 0;
	uint8_t f;
	char msg[512];
	json_t *rules, *by;

	cover = calloc((size_t)i + 1, 1);
	if (cover == NULL)
		return -ENOMEM;
	for (f = 4; f <= 6 && rc == 0; f += 2) {
		struct sk_vspace rem = { 0 };

		rc = sk_vmodel_rule_box(&l->m, i, f, bi);
		if (rc == 0 && !sk_vbox_empty(bi))
			rc = sk_vspace_inter_into(&rem, &l->u[fam_idx(f)], bi, i + 1);
		if (rc != 0 || rem.n == 0) {
			sk_vspace_free(&rem);
			continue;
		}
		live = 1;
		for (j = 0; j < i && rem.n != 0 && rc == 0; j++) {
			uint32_t k;
			int hit = 0;

			rc = sk_vmodel_rule_box(&l->m, j, f, bj);
			if (rc != 0 || sk_vbox_empty(bj))
				continue;
			for (k = 0; k < rem.n && !hit; k++)
				hit = !sk_vbox_disjoint(&rem.b[k], bj);
			if (!hit)
				continue;
			if (!cover[j]) {
				cover[j] = 1;
				ncov++;
			}
			if (l->m.rules[j].action != r->action)
				same = 0;
			rc = sk_vspace_sub(&rem, bj, SK_VERIFY_BOX_CAP);
		}
		if (rc == 0 && rem.n != 0)
			covered = 0;
		sk_vspace_free(&rem);
	}
	if (rc == -E2BIG) {
		snprintf(msg, sizeof(msg), "rule '%s' (line %u): coverage undecided, the "
			 "remaining space grew past %u boxes", r->name, r->line, SK_VERIFY_BOX_CAP);
		json_array_append_new(l->notes, json_string(msg));
		free(cover);
		return 0;
	}
	if (rc != 0) {
		free(cover);
		return rc;
	}
	rules = json_array();
	json_array_append_new(rules, sk_verify_fmt_rule(&l->m, i));
	if (!live) {
		snprintf(msg, sizeof(msg), "rule '%s' (line %u) matches no packet the dataplane "
			 "can classify (check its family, protocol and ICMP type/code)",
			 r->name, r->line);
		add_finding(l, "unreachable", "low", rules, msg);
		free(cover);
		return 0;
	}
	if (!covered || ncov == 0) {
		json_decref(rules);
		free(cover);
		return 0;
	}
	by = json_array();
	for (j = 0; j < i; j++)
		if (cover[j])
			json_array_append_new(by, sk_verify_fmt_rule(&l->m, j));
	{
		char names[256] = "";
		size_t n = 0;

		for (j = 0; j < i && n < sizeof(names) - 40; j++)
			if (cover[j])
				n += (size_t)snprintf(names + n, sizeof(names) - n, "%s'%s' (line %u)",
						      n ? ", " : "", l->m.rules[j].name,
						      l->m.rules[j].line);
		if (same)
			snprintf(msg, sizeof(msg), "rule '%s' (line %u, %s) is redundant: "
				 "everything it matches is already decided the same way by %s",
				 r->name, r->line, sk_verify_action_name(r->action), names);
		else
			snprintf(msg, sizeof(msg), "rule '%s' (line %u, %s) is shadowed: it never "
				 "matches, earlier rules cover its whole match space: %s",
				 r->name, r->line, sk_verify_action_name(r->action), names);
	}
	json_array_append_new(l->findings, json_pack("{s:s,s:s,s:o,s:o,s:s}",
		"kind", same ? "redundant" : "shadowed", "severity", same ? "low" : "medium",
		"rules", rules, "covered_by", by, "message", msg));
	free(cover);
	return 0;
}

/* Is dimension d of b the full range of the universe? */
static int
full_dim(const struct sk_vbox *b, int d, sk_vu128 hi)
{
	return sk_vset_covers(&b->d[d], 0, hi);
}

static void
lint_rule_shape(struct lint *l, uint32_t i, struct sk_vbox *b, int has_untrusted,
		int has_trusted)
{
	const struct sk_img_rule *r = &l->m.rules[i];
	char msg[512];
	uint8_t f;
	int anyany = 0, egress = 0;

	if (r->action != SK_ACT_ACCEPT)
		return;
	for (f = 4; f <= 6; f += 2) {
		if (sk_vmodel_rule_box(&l->m, i, f, b) != 0 || sk_vbox_empty(b))
			continue;
		int any_addr = full_dim(b, SK_VD_SRC, sk_v_max(f)) &&
			       full_dim(b, SK_VD_DST, sk_v_max(f));
		int any_port = full_dim(b, SK_VD_K1, UINT16_MAX) &&
			       full_dim(b, SK_VD_K2, UINT16_MAX);

		if (any_addr && any_port && r->proto == SK_PROTO_ANY)
			anyany = 1;
		/* Egress: any destination, any destination port, a protocol that
		 * carries ports (or any). */
		if (full_dim(b, SK_VD_DST, sk_v_max(f)) && full_dim(b, SK_VD_K2, UINT16_MAX) &&
		    (r->proto == SK_PROTO_ANY || r->proto == 6 || r->proto == 17))
			egress = 1;
	}
	if (anyany) {
		snprintf(msg, sizeof(msg), "rule '%s' (line %u) accepts any protocol, address and "
			 "port from %s to %s", r->name, r->line,
			 sk_vmodel_zone_name(&l->m, r->from_zone),
			 sk_vmodel_zone_name(&l->m, r->to_zone));
		add_finding(l, "any_any_accept", sev_rule_from(l, r->from_zone, has_untrusted),
			    json_pack("[o]", sk_verify_fmt_rule(&l->m, i)), msg);
	}
	if (egress && !(r->from_zone == SK_ZONE_ANY ? has_trusted :
			!l->m.untrusted[r->from_zone]))
		egress = 0;
	if (egress && !(r->to_zone == SK_ZONE_ANY ? has_untrusted :
			(r->to_zone != SK_ZONE_LOCAL && l->m.untrusted[r->to_zone])))
		egress = 0;
	if (egress) {
		snprintf(msg, sizeof(msg), "rule '%s' (line %u) lets %s reach %s on any "
			 "destination and any port: egress is unrestricted", r->name, r->line,
			 sk_vmodel_zone_name(&l->m, r->from_zone),
			 sk_vmodel_zone_name(&l->m, r->to_zone));
		add_finding(l, "unrestricted_egress", "medium",
			    json_pack("[o]", sk_verify_fmt_rule(&l->m, i)), msg);
	}
}

static void
lint_defaults(struct lint *l)
{
	uint16_t a, b;
	char msg[512];

	for (a = 1; a <= l->m.n_zones; a++) {
		for (b = 0; b <= l->m.n_zones; b++) {
			const char *how = l->m.explicit_def[a][b] ? "zone default" :
				"global default (policy.default)";

			if (l->m.defaults[a][b] != SK_ACT_ACCEPT)
				continue;
			if (l->m.untrusted[a]) {
				snprintf(msg, sizeof(msg), "the %s for %s -> %s is accept, and %s is "
					 "untrusted (it carries a default route)", how,
					 sk_vmodel_zone_name(&l->m, a), sk_vmodel_zone_name(&l->m, b),
					 sk_vmodel_zone_name(&l->m, a));
				add_finding(l, "untrusted_default_accept", "high", NULL, msg);
			} else if (b != SK_ZONE_LOCAL && l->m.untrusted[b]) {
				snprintf(msg, sizeof(msg), "the %s for %s -> %s is accept: egress to an "
					 "untrusted zone is unrestricted", how,
					 sk_vmodel_zone_name(&l->m, a), sk_vmodel_zone_name(&l->m, b));
				add_finding(l, "unrestricted_egress", "medium", NULL, msg);
			}
		}
	}
}

/*
 * An interface that carries a default route faces the rest of the world:
 * without a reverse-path check anyone there may claim an inside source
 * (docs/security.md, "Anti-spoofing and IP options").
 */
static void
lint_rpf(struct lint *l)
{
	const struct sk_img_route *rt;
	const struct sk_img_iface *f;
	uint32_t nrt, nif, i;
	uint8_t told[SK_MAX_IFACES] = { 0 };
	char msg[512];

	rt = sk_image_sec(l->m.img, SK_SEC_ROUTES, &nrt);
	f = sk_image_sec(l->m.img, SK_SEC_IFACES, &nif);
	for (i = 0; i < nrt; i++) {
		uint16_t k = rt[i].iface;

		if (rt[i].dst.plen != 0 || k >= nif || told[k] || f[k].rpf != SK_RPF_OFF)
			continue;
		told[k] = 1;
		snprintf(msg, sizeof(msg), "interface %s carries a default route and has rpf = "
			 "\"off\": a packet arriving there may claim any source, an inside "
			 "host's or the unit's own (set rpf = \"strict\", or \"loose\" where "
			 "routing is asymmetric)", f[k].name);
		add_finding(l, "rpf_off_untrusted", "medium", NULL, msg);
	}
}

/* Sensitive ports a new connection from an untrusted zone reaches. */
static int
lint_exposed(struct lint *l)
{
	uint16_t from, to;
	size_t p;
	uint8_t f;
	uint32_t k;
	char msg[512];

	for (from = 1; from <= l->m.n_zones; from++) {
		if (!l->m.untrusted[from])
			continue;
		for (to = 0; to <= l->m.n_zones; to++)
		for (f = 4; f <= 6; f += 2) {
			struct sk_vspace acc = { 0 };
			int rc = sk_vexpo_pair(&l->m, f, from, to, &acc);

			if (rc == -ENOMEM) {
				sk_vspace_free(&acc);
				return rc;
			}
			if (rc != 0) {
				snprintf(msg, sizeof(msg), "exposure %s -> %s (IPv%u) undecided (too "
					 "complex); sensitive ports not checked there",
					 sk_vmodel_zone_name(&l->m, from), sk_vmodel_zone_name(&l->m, to), f);
				json_array_append_new(l->notes, json_string(msg));
				sk_vspace_free(&acc);
				continue;
			}
			for (p = 0; p < sizeof(sensitive_ports) / sizeof(sensitive_ports[0]); p++) {
				const struct sensitive *s = &sensitive_ports[p];
				uint32_t seen[8];
				unsigned int nseen = 0, q;

				for (k = 0; k < acc.n; k++) {
					const struct sk_vbox *b = &acc.b[k];
					json_t *rules;
					int dup = 0;

					if (!sk_vset_has(&b->d[SK_VD_PROTO], s->proto) ||
					    !sk_vset_has(&b->d[SK_VD_K2], s->port))
						continue;
					for (q = 0; q < nseen; q++)
						dup |= seen[q] == b->tag;
					if (dup)
						continue;
					if (nseen < 8)
						seen[nseen++] = b->tag;
					/* From anywhere is an open door; from named
					 * sources (an admin network) a door with a lock. */
					int anysrc = sk_vset_covers(&b->d[SK_VD_SRC], 0,
								    sk_v_max(f));
					json_t *srcs = sk_verify_fmt_addrs(f, &b->d[SK_VD_SRC]);
					char sb[160];

					snprintf(sb, sizeof(sb), "%s", anysrc ? "any source" : "sources ");
					if (!anysrc) {
						size_t q2, n = strlen(sb);
						json_t *v;

						json_array_foreach(srcs, q2, v)
							if (n < sizeof(sb) - 40)
								n += (size_t)snprintf(sb + n, sizeof(sb) - n,
									"%s%s", q2 ? "," : "",
									json_string_value(v));
					}
					json_decref(srcs);
					if (b->tag) {
						const struct sk_img_rule *r = &l->m.rules[b->tag - 1];

						rules = json_pack("[o]", sk_verify_fmt_rule(&l->m, b->tag - 1));
						snprintf(msg, sizeof(msg), "%s/%u (%s) is reachable from "
							 "untrusted zone %s to %s (%s): rule '%s' (line %u) "
							 "accepts it", s->proto == 6 ? "tcp" : "udp", s->port,
							 s->what, sk_vmodel_zone_name(&l->m, from),
							 sk_vmodel_zone_name(&l->m, to), sb, r->name, r->line);
					} else {
						rules = NULL;
						snprintf(msg, sizeof(msg), "%s/%u (%s) is reachable from "
							 "untrusted zone %s to %s (%s): the default accepts it",
							 s->proto == 6 ? "tcp" : "udp", s->port, s->what,
							 sk_vmodel_zone_name(&l->m, from),
							 sk_vmodel_zone_name(&l->m, to), sb);
					}
					add_finding(l, "sensitive_port", anysrc ? "high" : "medium", rules, msg);
				}
			}
			sk_vspace_free(&acc);
		}
	}
	return 0;
}

json_t *
sk_verify_lint(const struct sk_image_hdr *img, char *err, size_t errlen)
{
	struct lint l;
	struct sk_vbox bi = { 0 }, bj = { 0 };
	json_t *doc = NULL, *untrusted;
	int has_untrusted = 0, has_trusted = 0, rc = 0;
	uint16_t z;
	uint32_t i;

	memset(&l, 0, sizeof(l));
	sk_vmodel_init(&l.m, img);
	l.findings = json_array();
	l.notes = json_array();
	untrusted = json_array();
	for (z = 1; z <= l.m.n_zones; z++) {
		if (l.m.untrusted[z]) {
			has_untrusted = 1;
			json_array_append_new(untrusted, json_string(sk_vmodel_zone_name(&l.m, z)));
		} else {
			has_trusted = 1;
		}
	}
	if (!has_untrusted)
		json_array_append_new(l.notes, json_string(
			"no interface carries a default route, so no zone counts as untrusted: "
			"sensitive-port and egress checks found nothing to check"));
	if (sk_vmodel_universe(&l.m, 4, &l.u[0]) != 0 || sk_vmodel_universe(&l.m, 6, &l.u[1]) != 0)
		rc = -ENOMEM;
	for (i = 0; rc == 0 && i < l.m.n_rules; i++) {
		rc = lint_cover(&l, i, &bi, &bj);
		lint_rule_shape(&l, i, &bi, has_untrusted, has_trusted);
	}
	if (rc == 0) {
		lint_defaults(&l);
		lint_rpf(&l);
		rc = lint_exposed(&l);
	}
	sk_vbox_free(&bi);
	sk_vbox_free(&bj);
	sk_vspace_free(&l.u[0]);
	sk_vspace_free(&l.u[1]);
	if (rc != 0) {
		snprintf(err, errlen, "lint: %s", rc == -ENOMEM ? "out of memory" : "failed");
		json_decref(l.findings);
		json_decref(l.notes);
		json_decref(untrusted);
		return NULL;
	}
	doc = json_pack("{s:I,s:o,s:o,s:o}", "generation", (json_int_t)img->generation,
			"untrusted_zones", untrusted, "findings", l.findings, "notes", l.notes);
	return doc;
}
