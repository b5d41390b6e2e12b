/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cfg_policy.c - the `policy` group: the global default, per zone-pair
 * defaults, and the ordered rule list.  Rules keep file order (first match
 * wins), id = position + 1, and remember their line for trace and lint.
 *
 * The checks here are the ones that make a rule mean something other than
 * what its author thought: ports on a protocol without ports, ICMP types on
 * TCP, an IPv4 source with an IPv6 destination (a rule that never matches).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_priv.h"

static int
parse_action(struct sk_cfg_ctx *c, const config_setting_t *s, uint8_t *out)
{
	static const char *const names[] = {
		[SK_ACT_DROP] = "drop", [SK_ACT_ACCEPT] = "accept", [SK_ACT_REJECT] = "reject",
	};

	return sk_cfg_choice(c, s, "action", names, 3, "\"accept\", \"drop\" or \"reject\"",
			     out);
}

/* Zone reference: a config zone, or "local"/"any" where allow_* says so. */
static int
zone_ref(struct sk_cfg_ctx *c, const config_setting_t *s, const char *key, int allow_local,
	 int allow_any, uint16_t *out)
{
	const char *v = config_setting_get_string(s);
	int id;

	if (strcmp(v, "any") == 0) {
		if (!allow_any) {
			sk_cfg_err(c, s, "%s: %s must name a zone, not \"any\"", c->where, key);
			return -1;
		}
		*out = SK_ZONE_ANY;
		return 0;
	}
	if (strcmp(v, "local") == 0) {
		if (!allow_local) {
			sk_cfg_err(c, s, "%s: %s = \"local\" is not supported (policy applies to "
				   "traffic arriving on an interface)", c->where, key);
			return -1;
		}
		*out = SK_ZONE_LOCAL;
		return 0;
	}
	id = sk_cfg_zone_id(c->cfg, v);
	if (id < 0) {
		sk_cfg_err(c, s, "%s: %s: unknown zone \"%s\"", c->where, key, v);
		return -1;
	}
	*out = (uint16_t)id;
	return 0;
}

/* ---- policy.zone_defaults ---- */

static void
zd_from(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	zone_ref(c, s, k->name, 0, 0, &((struct sk_img_zonepol *)obj)->from_zone);
}

static void
zd_to(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	zone_ref(c, s, k->name, 1, 0, &((struct sk_img_zonepol *)obj)->to_zone);
}

static void
zd_action(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	(void)k;
	parse_action(c, s, &((struct sk_img_zonepol *)obj)->action);
}

const struct sk_cfg_key sk_cfg_keys_zonedef[] = {
	{ "from", SK_CFG_T_STR, SK_CFG_F_REQUIRED, 0, 0, 0, 0, zd_from, NULL, "a zone" },
	{ "to", SK_CFG_T_STR, SK_CFG_F_REQUIRED, 0, 0, 0, 0, zd_to, NULL, "a zone or \"local\"" },
	{ "action", SK_CFG_T_STR, SK_CFG_F_REQUIRED, 0, 0, 0, 0, zd_action, NULL,
	  "\"accept\", \"drop\" or \"reject\"" },
	{ "log", SK_CFG_T_BOOL, 0, 0, 0, offsetof(struct sk_img_zonepol, log), 1,
	  sk_cfg_set_bool, "false", "log what this default decides" },
};
const size_t sk_cfg_nkeys_zonedef = sizeof(sk_cfg_keys_zonedef) / sizeof(sk_cfg_keys_zonedef[0]);

static void
parse_zone_defaults(struct sk_cfg_ctx *c, const config_setting_t *g)
{
	int i, n;

	snprintf(c->where, sizeof(c->where), "policy.zone_defaults");
	if (!sk_cfg_is_list(c, g, "zone_defaults"))
		return;
	n = config_setting_length(g);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(g, (unsigned int)i);
		struct sk_img_zonepol zp, *q;
		int errors = c->errors;
		uint32_t j;

		memset(&zp, 0, sizeof(zp));
		snprintf(c->where, sizeof(c->where), "policy.zone_defaults[%d]", i);
		sk_cfg_walk(c, e, sk_cfg_keys_zonedef, sk_cfg_nkeys_zonedef, &zp, NULL);
		if (c->errors != errors)
			continue;
		for (j = 0; j < c->cfg->zonepols.n; j++) {
			q = sk_cfg_vec_at(&c->cfg->zonepols, j);
			if (q->from_zone == zp.from_zone && q->to_zone == zp.to_zone)
				break;
		}
		if (j < c->cfg->zonepols.n) {
			sk_cfg_err(c, e, "%s: duplicate default for this zone pair", c->where);
			continue;
		}
		q = sk_cfg_vec_push(&c->cfg->zonepols);
		if (q == NULL) {
			c->oom = 1;
			return;
		}
		*q = zp;
	}
}

/* ---- policy.rules ---- */

enum { R_NAME, R_FROM, R_TO, R_SRC, R_DST, R_PROTO, R_SPORT, R_DPORT, R_ICMP_TYPE,
	R_ICMP_CODE, R_ACTION, R_LOG, R_SRC_RATE, R_SRC_BURST, R_SRC_CONN_MAX, R_SYNPROXY, R__MAX };

/* A rule while it is parsed: lists go straight into the model's sections. */
struct rule_in {
	struct sk_img_rule r;
	struct sk_cfg *cfg;
	unsigned int fam_src, fam_dst; /* bit 0: IPv4 seen, bit 1: IPv6 seen */
};

static void
r_from(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	zone_ref(c, s, k->name, 0, 1, &((struct rule_in *)obj)->r.from_zone);
}

static void
r_to(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	zone_ref(c, s, k->name, 1, 1, &((struct rule_in *)obj)->r.to_zone);
}

static void
r_addrs(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	struct rule_in *in = obj;
	int is_src = strcmp(k->name, "src") == 0, i, n;
	uint32_t first = in->cfg->prefixes.n;

	if (!sk_cfg_is_list(c, s, k->name))
		return;
	n = config_setting_length(s);
	if (n == 0) {
		/* "src = []" reads like "nothing" but would mean "anything". */
		sk_cfg_err(c, s, "%s: %s is empty; leave it out to match any address", c->where,
			   k->name);
		return;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		struct sk_img_prefix p, *q;

		if (sk_cfg_prefix_strict(c, e, k->name, config_setting_get_string(e), &p) != 0)
			continue;
		q = sk_cfg_vec_push(&in->cfg->prefixes);
		if (q == NULL) {
			c->oom = 1;
			return;
		}
		*q = p;
		if (is_src)
			in->fam_src |= p.family == 4 ? 1u : 2u;
		else
			in->fam_dst |= p.family == 4 ? 1u : 2u;
	}
	if (is_src) {
		in->r.src_first = first;
		in->r.src_count = in->cfg->prefixes.n - first;
	} else {
		in->r.dst_first = first;
		in->r.dst_count = in->cfg->prefixes.n - first;
	}
}

static void
r_proto(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	static const struct { const char *name; uint8_t proto; } names[] = {
		{ "any", SK_PROTO_ANY }, { "tcp", 6 }, { "udp", 17 }, { "icmp", 1 },
		{ "icmpv6", 58 },
	};
	struct rule_in *in = obj;
	const char *v;
	size_t i;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		sk_cfg_set_uint(c, s, in, k);
		return;
	}
	v = config_setting_get_string(s);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(v, names[i].name) == 0) {
			in->r.proto = names[i].proto;
			return;
		}
	sk_cfg_err(c, s, "%s: proto \"%s\" must be \"tcp\", \"udp\", \"icmp\", \"icmpv6\", "
		   "\"any\" or a number 0..255", c->where, v);
}

static void
r_ports(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	struct rule_in *in = obj;
	uint32_t first = in->cfg->ports.n;
	int i, n;

	if (!sk_cfg_is_list(c, s, k->name))
		return;
	n = config_setting_length(s);
	if (n == 0) {
		sk_cfg_err(c, s, "%s: %s is empty; leave it out to match any port", c->where,
			   k->name);
		return;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		struct sk_img_portrange *q;
		uint32_t lo, hi;

		if (config_setting_type(e) == CONFIG_TYPE_INT ||
		    config_setting_type(e) == CONFIG_TYPE_INT64) {
			long long v = config_setting_get_int64(e);

			if (v < 0 || v > 65535) {
				sk_cfg_err(c, e, "%s: %s: port %lld is out of range 0..65535",
					   c->where, k->name, v);
				continue;
			}
			lo = hi = (uint32_t)v;
		} else if (config_setting_type(e) == CONFIG_TYPE_STRING) {
			const char *v = config_setting_get_string(e);
			int rc = sk_cfg_parse_ports(v, &lo, &hi);

			if (rc != 0) {
				sk_cfg_err(c, e, "%s: %s: \"%s\" is not a port or range 0..65535 "
					   "(\"80\", \"1024-65535\")", c->where, k->name, v);
				continue;
			}
			if (lo > hi) {
				sk_cfg_err(c, e, "%s: %s: range \"%s\" is inverted (did you mean "
					   "\"%u-%u\"?)", c->where, k->name, v, hi, lo);
				continue;
			}
		} else {
			sk_cfg_err(c, e, "%s: %s: a port is a number or a string like "
				   "\"1000-2000\"", c->where, k->name);
			continue;
		}
		q = sk_cfg_vec_push(&in->cfg->ports);
		if (q == NULL) {
			c->oom = 1;
			return;
		}
		q->lo = (uint16_t)lo;
		q->hi = (uint16_t)hi;
	}
	if (strcmp(k->name, "sport") == 0) {
		in->r.sport_first = first;
		in->r.sport_count = in->cfg->ports.n - first;
	} else {
		in->r.dport_first = first;
		in->r.dport_count = in->cfg->ports.n - first;
	}
}

static void
r_action(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	(void)k;
	parse_action(c, s, &((struct rule_in *)obj)->r.action);
}

#define RI(f) offsetof(struct rule_in, f), sizeof(((struct rule_in *)0)->f)

/* Order must match the R_* enum. */
const struct sk_cfg_key sk_cfg_keys_rule[] = {
	{ "name", SK_CFG_T_STR, SK_CFG_F_REQUIRED, 0, 0, RI(r.name), sk_cfg_set_name, NULL,
	  "rule name, unique; shown in counters and logs" },
	{ "from", SK_CFG_T_STR, 0, 0, 0, 0, 0, r_from, "\"any\"", "source zone or \"any\"" },
	{ "to", SK_CFG_T_STR, 0, 0, 0, 0, 0, r_to, "\"any\"",
	  "destination zone, \"local\" (the appliance) or \"any\"" },
	{ "src", SK_CFG_T_LIST, 0, 0, 0, 0, 0, r_addrs, "any", "source prefixes" },
	{ "dst", SK_CFG_T_LIST, 0, 0, 0, 0, 0, r_addrs, "any", "destination prefixes" },
	{ "proto", SK_CFG_T_STR | SK_CFG_T_INT, 0, 0, 255, RI(r.proto), r_proto, "\"any\"",
	  "\"tcp\", \"udp\", \"icmp\", \"icmpv6\", \"any\" or a number" },
	{ "sport", SK_CFG_T_LIST, 0, 0, 0, 0, 0, r_ports, "any",
	  "source ports \"80\", \"1000-2000\" (tcp/udp only)" },
	{ "dport", SK_CFG_T_LIST, 0, 0, 0, 0, 0, r_ports, "any",
	  "destination ports (tcp/udp only)" },
	{ "icmp_type", SK_CFG_T_INT, 0, 0, 255, RI(r.icmp_type), sk_cfg_set_uint, "any",
	  "ICMP type (icmp/icmpv6 only)" },
	{ "icmp_code", SK_CFG_T_INT, 0, 0, 255, RI(r.icmp_code), sk_cfg_set_uint, "any",
	  "ICMP code (needs icmp_type)" },
	{ "action", SK_CFG_T_STR, SK_CFG_F_REQUIRED, 0, 0, 0, 0, r_action, NULL,
	  "\"accept\", \"drop\" or \"reject\"" },
	{ "log", SK_CFG_T_BOOL, 0, 0, 0, RI(r.log), sk_cfg_set_bool, "false",
	  "log every new connection this rule decides" },
	{ "src_rate", SK_CFG_T_INT, 0, 1, SK_SRC_RATE_MAX, RI(r.src_rate), sk_cfg_set_uint, "none",
	  "new connections per second one source may open through this rule (per worker)" },
	{ "src_burst", SK_CFG_T_INT, 0, 1, SK_SRC_RATE_MAX, RI(r.src_burst), sk_cfg_set_uint,
	  "src_rate", "new connections one source may open at once before src_rate applies" },
	{ "src_conn_max", SK_CFG_T_INT, 0, 1, SK_SRC_CONN_MAX, RI(r.src_conn_max), sk_cfg_set_uint,
	  "none", "concurrent connections one source may hold through this rule (per worker)" },
	{ "synproxy", SK_CFG_T_BOOL, 0, 0, 0, RI(r.synproxy), sk_cfg_set_bool, "false",
	  "answer the TCP SYNs this rule accepts with SYN cookies (docs/security.md)" },
};
const size_t sk_cfg_nkeys_rule = sizeof(sk_cfg_keys_rule) / sizeof(sk_cfg_keys_rule[0]);

static const char *
fam_desc(unsigned int set)
{
	return set == 1 ? "IPv4" : set == 2 ? "IPv6" : "IPv4 and IPv6";
}

/* The checks that need several keys at once; derives the rule's family. */
static void
rule_cross_checks(struct sk_cfg_ctx *c, struct rule_in *in, const config_setting_t **k)
{
	struct sk_img_rule *r = &in->r;
	unsigned int fams = in->fam_src | in->fam_dst;
	int icmp = r->proto == 1, icmp6 = r->proto == 58;
	int ports = r->proto == 6 || r->proto == 17;

	if (!ports && k[R_SPORT] != NULL)
		sk_cfg_err(c, k[R_SPORT], "%s: sport needs proto \"tcp\" or \"udp\"", c->where);
	if (!ports && k[R_DPORT] != NULL)
		sk_cfg_err(c, k[R_DPORT], "%s: dport needs proto \"tcp\" or \"udp\"", c->where);
	if (!icmp && !icmp6 && k[R_ICMP_TYPE] != NULL)
		sk_cfg_err(c, k[R_ICMP_TYPE], "%s: icmp_type needs proto \"icmp\" or \"icmpv6\"",
			   c->where);
	if (!icmp && !icmp6 && k[R_ICMP_CODE] != NULL)
		sk_cfg_err(c, k[R_ICMP_CODE], "%s: icmp_code needs proto \"icmp\" or \"icmpv6\"",
			   c->where);
	else if (k[R_ICMP_CODE] != NULL && k[R_ICMP_TYPE] == NULL)
		sk_cfg_err(c, k[R_ICMP_CODE], "%s: icmp_code needs icmp_type", c->where);

	if (k[R_SRC_BURST] != NULL && k[R_SRC_RATE] == NULL)
		sk_cfg_err(c, k[R_SRC_BURST], "%s: src_burst needs src_rate", c->where);
	if (r->action != SK_ACT_ACCEPT) {
		if (k[R_SRC_RATE] != NULL)
			sk_cfg_err(c, k[R_SRC_RATE], "%s: src_rate needs action \"accept\"", c->where);
		if (k[R_SRC_CONN_MAX] != NULL)
			sk_cfg_err(c, k[R_SRC_CONN_MAX], "%s: src_conn_max needs action \"accept\"",
				   c->where);
		if (r->synproxy)
			sk_cfg_err(c, k[R_SYNPROXY], "%s: synproxy needs action \"accept\"", c->where);
	}

	/* No packet has an IPv4 source and an IPv6 destination. */
	if (in->fam_src && in->fam_dst && in->fam_src != in->fam_dst) {
		sk_cfg_err(c, k[R_DST], "%s: src is %s but dst is %s; split the rule per family",
			   c->where, fam_desc(in->fam_src), fam_desc(in->fam_dst));
		return;
	}
	if (icmp && (fams & 2u)) {
		sk_cfg_err(c, k[R_PROTO], "%s: proto \"icmp\" with IPv6 addresses (use \"icmpv6\")",
			   c->where);
		return;
	}
	if (icmp6 && (fams & 1u)) {
		sk_cfg_err(c, k[R_PROTO], "%s: proto \"icmpv6\" with IPv4 addresses (use \"icmp\")",
			   c->where);
		return;
	}
	if (icmp)
		r->family = 4;
	else if (icmp6)
		r->family = 6;
	else
		r->family = fams == 1 ? 4 : fams == 2 ? 6 : 0;
}

/*
 * The names of the rules parsed so far, for the duplicate check: open
 * addressing (linear probing) over rule indexes + 1 (0 = empty), sized to at
 * least twice the rule count so it is at most half full.  One probe sequence
 * per rule instead of a scan of every earlier name: 100K rules went from
 * ~17 s of strcmp to milliseconds.
 */
struct name_set {
	uint32_t *slot;
	uint32_t mask;
};

static int
name_set_init(struct name_set *ns, uint32_t n)
{
	uint32_t cap = 16;

	while (cap < 2 * (uint64_t)n && cap < (1u << 31))
		cap <<= 1;
	ns->slot = calloc(cap, sizeof(*ns->slot));
	ns->mask = cap - 1;
	return ns->slot == NULL ? -1 : 0;
}

/* FNV-1a: names are short and come from the operator's own file. */
static uint32_t
name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/*
 * The earliest rule named like rule idx (whose name is `name`), or NULL after
 * recording idx as the first of that name.  idx is the index the rule will
 * have in rules once pushed; the set never holds more rules than it was
 * sized for.
 */
static const struct sk_img_rule *
name_set_first(struct name_set *ns, const struct sk_cfg_vec *rules, const char *name, uint32_t idx)
{
	uint32_t i = name_hash(name) & ns->mask;

	for (;; i = (i + 1) & ns->mask) {
		const struct sk_img_rule *o;

		if (ns->slot[i] == 0) {
			ns->slot[i] = idx + 1;
			return NULL;
		}
		o = sk_cfg_vec_at(rules, ns->slot[i] - 1);
		if (strcmp(o->name, name) == 0)
			return o;
	}
}

static void
parse_rules(struct sk_cfg_ctx *c, const config_setting_t *g)
{
	struct name_set names;
	int i, n;

	snprintf(c->where, sizeof(c->where), "policy.rules");
	if (!sk_cfg_is_list(c, g, "rules"))
		return;
	n = config_setting_length(g);
	if (name_set_init(&names, (uint32_t)n + c->cfg->rules.n) != 0) {
		c->oom = 1;
		return;
	}
	/* Rules already there (none when policy is parsed once) count as earlier names. */
	for (uint32_t j = 0; j < c->cfg->rules.n; j++) {
		const struct sk_img_rule *r = sk_cfg_vec_at(&c->cfg->rules, j);

		if (r->name[0] != '\0')
			(void)name_set_first(&names, &c->cfg->rules, r->name, j);
	}
	for (i = 0; i < n && !c->oom; i++) {
		const config_setting_t *e = config_setting_get_elem(g, (unsigned int)i);
		const config_setting_t *k[R__MAX];
		const char *name = NULL;
		const struct sk_img_rule *o;
		struct sk_img_rule *q;
		struct rule_in in;

		memset(&in, 0, sizeof(in));
		in.cfg = c->cfg;
		in.r.from_zone = in.r.to_zone = SK_ZONE_ANY;
		in.r.icmp_type = in.r.icmp_code = SK_ICMP_ANY;
		in.r.proto = SK_PROTO_ANY;
		in.r.id = (uint32_t)i + 1;
		in.r.line = config_setting_source_line(e);
		if (config_setting_type(e) == CONFIG_TYPE_GROUP &&
		    config_setting_lookup_string(e, "name", &name) == CONFIG_TRUE)
			snprintf(c->where, sizeof(c->where), "rule '%s'", name);
		else
			snprintf(c->where, sizeof(c->where), "policy.rules[%d]", i);
		sk_cfg_walk(c, e, sk_cfg_keys_rule, sk_cfg_nkeys_rule, &in, k);
		if (config_setting_type(e) != CONFIG_TYPE_GROUP)
			continue;
		rule_cross_checks(c, &in, k);
		o = in.r.name[0] == '\0' ? NULL :
			name_set_first(&names, &c->cfg->rules, in.r.name, c->cfg->rules.n);
		if (o != NULL)
			sk_cfg_err(c, k[R_NAME], "%s: duplicate rule name (first at line %u)",
				   c->where, o->line);
		q = sk_cfg_vec_push(&c->cfg->rules);
		if (q == NULL) {
			c->oom = 1;
			break;
		}
		*q = in.r;
	}
	free(names.slot);
}

/* ---- policy ---- */

static void
p_default(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	(void)k;
	parse_action(c, s, &((struct sk_img_settings *)obj)->default_action);
}

const struct sk_cfg_key sk_cfg_keys_policy[] = {
	{ "default", SK_CFG_T_STR, 0, 0, 0, 0, 0, p_default, "\"drop\"",
	  "action for zone pairs without a zone default" },
	{ "log_default", SK_CFG_T_BOOL, 0, 0, 0, offsetof(struct sk_img_settings, default_log), 1,
	  sk_cfg_set_bool, "false", "log what the global default decides" },
	{ "zone_defaults", SK_CFG_T_LIST, 0, 0, 0, 0, 0, NULL, "( )",
	  "per zone-pair defaults, see policy.zone_defaults" },
	{ "rules", SK_CFG_T_LIST, 0, 0, 0, 0, 0, NULL, "( )",
	  "ordered rules, first match wins, see policy.rules" },
};
const size_t sk_cfg_nkeys_policy = sizeof(sk_cfg_keys_policy) / sizeof(sk_cfg_keys_policy[0]);

void
sk_cfg_parse_policy(struct sk_cfg_ctx *c, const config_setting_t *g)
{
	const config_setting_t *k[4];

	if (g == NULL)
		return; /* no policy: the global default (drop) decides everything */
	snprintf(c->where, sizeof(c->where), "policy");
	sk_cfg_walk(c, g, sk_cfg_keys_policy, sk_cfg_nkeys_policy, &c->cfg->settings, k);
	if (k[2] != NULL)
		parse_zone_defaults(c, k[2]);
	if (k[3] != NULL)
		parse_rules(c, k[3]);
}
