/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cfg_load.c - entry point of the config pipeline: read libconfig text, walk
 * the top level, run the group parsers in dependency order (zones before
 * interfaces before routes before policy), and hand back a model only if no
 * error at all was found.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_priv.h"
#include "util/util_file.h"

const struct sk_cfg_key sk_cfg_keys_top[] = {
	{ "dataplane", SK_CFG_T_GROUP, SK_CFG_F_RESTART, 0, 0, 0, 0, NULL, "all defaults",
	  "EAL and sizing, see dataplane" },
	{ "zones", SK_CFG_T_LIST, SK_CFG_F_REQUIRED | SK_CFG_F_RESTART, 0, 0, 0, 0, NULL, NULL,
	  "zone names; ids are 1.. in this order" },
	{ "interfaces", SK_CFG_T_LIST, SK_CFG_F_REQUIRED | SK_CFG_F_RESTART, 0, 0, 0, 0, NULL,
	  NULL, "ports, see interfaces[]" },
	{ "routes", SK_CFG_T_LIST, 0, 0, 0, 0, 0, NULL, "( )", "static routes, see routes[]" },
	{ "neighbors", SK_CFG_T_LIST, 0, 0, 0, 0, 0, NULL, "( )",
	  "static ARP/ND entries, see neighbors[]" },
	{ "policy", SK_CFG_T_GROUP, 0, 0, 0, 0, 0, NULL, "default drop, no rules",
	  "see policy" },
	{ "management", SK_CFG_T_GROUP, 0, 0, 0, 0, 0, NULL, "loopback only, no tokens",
	  "REST API (sekisho-cp), see management" },
	{ "logging", SK_CFG_T_GROUP, 0, 0, 0, 0, 0, NULL, "all defaults",
	  "log files, rate limits, syslog; see logging" },
	{ "services", SK_CFG_T_LIST, 0, 0, 0, 0, 0, NULL, "( )",
	  "virtual services (load balancing), see services[]" },
	{ "ha", SK_CFG_T_GROUP, SK_CFG_F_RESTART, 0, 0, 0, 0, NULL, "none (standalone unit)",
	  "the HA pair, see ha" },
};
const size_t sk_cfg_nkeys_top = sizeof(sk_cfg_keys_top) / sizeof(sk_cfg_keys_top[0]);

enum { T_DATAPLANE, T_ZONES, T_IFACES, T_ROUTES, T_NEIGHS, T_POLICY, T_MGMT, T_LOGGING, T_SERVICES, T_HA, T__MAX };

const struct sk_cfg_group sk_cfg_groups[] = {
	{ "(top level)", sk_cfg_keys_top, &sk_cfg_nkeys_top },
	{ "dataplane", sk_cfg_keys_dataplane, &sk_cfg_nkeys_dataplane },
	{ "dataplane.timeouts", sk_cfg_keys_timeouts, &sk_cfg_nkeys_timeouts },
	{ "interfaces[]", sk_cfg_keys_iface, &sk_cfg_nkeys_iface },
	{ "routes[]", sk_cfg_keys_route, &sk_cfg_nkeys_route },
	{ "neighbors[]", sk_cfg_keys_neigh, &sk_cfg_nkeys_neigh },
	{ "policy", sk_cfg_keys_policy, &sk_cfg_nkeys_policy },
	{ "policy.zone_defaults[]", sk_cfg_keys_zonedef, &sk_cfg_nkeys_zonedef },
	{ "policy.rules[]", sk_cfg_keys_rule, &sk_cfg_nkeys_rule },
	{ "management", sk_cfg_keys_mgmt, &sk_cfg_nkeys_mgmt },
	{ "management.tokens[]", sk_cfg_keys_mgmt_token, &sk_cfg_nkeys_mgmt_token },
	{ "management.tls", sk_cfg_keys_mgmt_tls, &sk_cfg_nkeys_mgmt_tls },
	{ "logging", sk_cfg_keys_logging, &sk_cfg_nkeys_logging },
	{ "services[]", sk_cfg_keys_service, &sk_cfg_nkeys_service },
	{ "services[].backends[]", sk_cfg_keys_backend, &sk_cfg_nkeys_backend },
	{ "services[].health", sk_cfg_keys_health, &sk_cfg_nkeys_health },
	{ "interfaces[].units[]", sk_cfg_keys_iface_unit, &sk_cfg_nkeys_iface_unit },
	{ "ha", sk_cfg_keys_ha, &sk_cfg_nkeys_ha },
	{ "ha.units[]", sk_cfg_keys_ha_unit, &sk_cfg_nkeys_ha_unit },
	{ "ha.data_heartbeat", sk_cfg_keys_ha_dphb, &sk_cfg_nkeys_ha_dphb },
	{ "ha.announce", sk_cfg_keys_ha_announce, &sk_cfg_nkeys_ha_announce },
	{ "ha.hook", sk_cfg_keys_ha_hook, &sk_cfg_nkeys_ha_hook },
};
const size_t sk_cfg_ngroups = sizeof(sk_cfg_groups) / sizeof(sk_cfg_groups[0]);

static struct sk_cfg *
cfg_alloc(void)
{
	struct sk_cfg *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		return NULL;
	cfg->zones.size = sizeof(struct sk_img_zone);
	cfg->ifaces.size = sizeof(struct sk_img_iface);
	cfg->addrs.size = sizeof(struct sk_img_prefix);
	cfg->addr_lines.size = sizeof(uint32_t);
	cfg->routes.size = sizeof(struct sk_img_route);
	cfg->neighs.size = sizeof(struct sk_img_neigh);
	cfg->rules.size = sizeof(struct sk_img_rule);
	cfg->prefixes.size = sizeof(struct sk_img_prefix);
	cfg->ports.size = sizeof(struct sk_img_portrange);
	cfg->zonepols.size = sizeof(struct sk_img_zonepol);
	cfg->services.size = sizeof(struct sk_img_service);
	cfg->backends.size = sizeof(struct sk_img_backend);
	cfg->snats.size = sizeof(struct sk_img_prefix);
	cfg->ha.size = sizeof(struct sk_img_ha);
	cfg->addr_ha.size = sizeof(struct sk_img_addr_ha);
	return cfg;
}

void
sk_cfg_free(struct sk_cfg *cfg)
{
	if (cfg == NULL)
		return;
	sk_cfg_vec_free(&cfg->zones);
	sk_cfg_vec_free(&cfg->ifaces);
	sk_cfg_vec_free(&cfg->addrs);
	sk_cfg_vec_free(&cfg->addr_lines);
	sk_cfg_vec_free(&cfg->routes);
	sk_cfg_vec_free(&cfg->neighs);
	sk_cfg_vec_free(&cfg->rules);
	sk_cfg_vec_free(&cfg->prefixes);
	sk_cfg_vec_free(&cfg->ports);
	sk_cfg_vec_free(&cfg->zonepols);
	sk_cfg_vec_free(&cfg->services);
	sk_cfg_vec_free(&cfg->backends);
	sk_cfg_vec_free(&cfg->snats);
	sk_cfg_vec_free(&cfg->ha);
	sk_cfg_vec_free(&cfg->addr_ha);
	free(cfg);
}

/* Every port's queues must be fillable at start, or the dataplane cannot. */
static void
check_sizing(struct sk_cfg_ctx *c, const config_setting_t *dp)
{
	const struct sk_img_settings *st = &c->cfg->settings;
	uint64_t need = (uint64_t)c->cfg->ifaces.n * st->workers * (st->rx_desc + st->tx_desc);
	const config_setting_t *at = dp ? config_setting_get_member(dp, "mbufs") : NULL;

	if (st->mbufs < need)
		sk_cfg_err(c, at ? at : dp, "dataplane: mbufs = %u is too few for %u interfaces x "
			   "%u workers x (rx_desc + tx_desc) = %llu", st->mbufs, c->cfg->ifaces.n,
			   st->workers, (unsigned long long)need);
}

static struct sk_cfg *
load(config_t *lc, int read_ok, int io_errno, const char *name, struct sk_cfg_diag *diag)
{
	const config_setting_t *top[T__MAX];
	struct sk_cfg_ctx c;

	memset(&c, 0, sizeof(c));
	c.diag = diag;
	c.name = name;
	if (!read_ok) {
		/* libconfig stops at the first syntax error: there is only one. */
		const char *file = config_error_file(lc) ? config_error_file(lc) : name;

		if (config_error_type(lc) == CONFIG_ERR_FILE_IO) {
			char msg[160];

			snprintf(msg, sizeof(msg), "cannot read: %s",
				 io_errno ? strerror(io_errno) : "I/O error");
			sk_cfg_diag_add(diag, name, 0, msg);
		} else {
			sk_cfg_diag_add(diag, file, (unsigned int)config_error_line(lc),
					config_error_text(lc));
		}
		return NULL;
	}
	c.cfg = cfg_alloc();
	if (c.cfg == NULL) {
		sk_cfg_diag_add(diag, name, 0, "out of memory");
		return NULL;
	}
	snprintf(c.cfg->source, sizeof(c.cfg->source), "%s", name);
	snprintf(c.where, sizeof(c.where), "config");
	sk_cfg_walk(&c, config_root_setting(lc), sk_cfg_keys_top, sk_cfg_nkeys_top, NULL, top);
	/* Interfaces come before `ha` whatever the file's order: they need to know. */
	c.has_ha = top[T_HA] != NULL;
	sk_cfg_parse_dataplane(&c, top[T_DATAPLANE]);
	if (top[T_ZONES] != NULL)
		sk_cfg_parse_zones(&c, top[T_ZONES]);
	if (top[T_IFACES] != NULL)
		sk_cfg_parse_interfaces(&c, top[T_IFACES]);
	if (top[T_ROUTES] != NULL && !c.oom)
		sk_cfg_parse_routes(&c, top[T_ROUTES]);
	if (top[T_NEIGHS] != NULL && !c.oom)
		sk_cfg_parse_neighbors(&c, top[T_NEIGHS]);
	if (!c.oom)
		sk_cfg_parse_policy(&c, top[T_POLICY]);
	/* After interfaces: fullnat sources must be on a connected subnet. */
	if (top[T_SERVICES] != NULL && !c.oom)
		sk_cfg_parse_services(&c, top[T_SERVICES]);
	/* After interfaces and services: per-unit addresses are checked against them. */
	if (top[T_HA] != NULL && !c.oom)
		sk_cfg_parse_ha(&c, top[T_HA]);
	sk_cfg_parse_logging(&c, top[T_LOGGING]);
	if (!c.oom)
		check_sizing(&c, top[T_DATAPLANE]);
	sk_cfg_parse_management(&c, top[T_MGMT]);
	if (c.oom)
		sk_cfg_diag_add(diag, name, 0, "out of memory");
	sk_cfg_diag_sort(diag);
	if (c.errors || c.oom) {
		sk_cfg_free(c.cfg);
		return NULL;
	}
	return c.cfg;
}

/*
 * libconfig follows `@include "PATH"` (a line starting with it, whitespace
 * allowed) while it parses, reading any file sekisho-cp can read: text sent to
 * REST validate/commit could pull in local files, and a config that includes
 * another is not what gets archived, diffed and synced to the peer (the text
 * is).  A configuration is one self-contained text, so the directive is
 * refused before libconfig sees it; libconfig 1.5 has no include hook to veto
 * it.  A multi-line string with such a line is refused too (harmless, rare).
 */
static unsigned int
refuse_includes(const char *text, const char *name, struct sk_cfg_diag *diag)
{
	unsigned int line = 1, n = 0;
	const char *p = text;

	while (*p != '\0') {
		const char *q = p;

		while (*q == ' ' || *q == '\t')
			q++;
		if (strncmp(q, "@include", 8) == 0) {
			sk_cfg_diag_add(diag, name, line, "@include is not accepted: a "
					"configuration is one self-contained text (it is archived, "
					"diffed and synced to the peer as such)");
			n++;
		}
		p = strchr(q, '\n');
		if (p == NULL)
			break;
		p++;
		line++;
	}
	return n;
}

struct sk_cfg *
sk_cfg_load_string(const char *text, const char *name, struct sk_cfg_diag *diag)
{
	struct sk_cfg *cfg;
	config_t lc;

	if (refuse_includes(text, name, diag) != 0)
		return NULL;
	config_init(&lc);
	cfg = load(&lc, config_read_string(&lc, text) == CONFIG_TRUE, 0, name, diag);
	config_destroy(&lc);
	return cfg;
}

/* Read once and parse that text: what is checked is what is loaded. */
struct sk_cfg *
sk_cfg_load_file(const char *path, struct sk_cfg_diag *diag)
{
	enum { CAP = 64 << 20 };	/* far above any real policy; bounds a mistake */
	struct sk_cfg *cfg;
	void *text;
	size_t len;
	int rc = sk_util_read_file(path, CAP, &text, &len);

	if (rc != 0) {
		char msg[160];

		snprintf(msg, sizeof(msg), "cannot read: %s", strerror(-rc));
		sk_cfg_diag_add(diag, path, 0, msg);
		return NULL;
	}
	cfg = sk_cfg_load_string(text, path, diag);
	free(text);
	return cfg;
}

/* rte_acl rules one config rule expands to in one family (the cross product). */
static uint64_t
acl_expand(const struct sk_cfg *cfg, const struct sk_img_rule *r, uint8_t fam)
{
	uint64_t ns = 0, nd = 0, i;

	if (r->family != 0 && r->family != fam)
		return 0;
	for (i = 0; i < r->src_count; i++)
		ns += ((const struct sk_img_prefix *)sk_cfg_vec_at(&cfg->prefixes,
			r->src_first + (uint32_t)i))->family == fam;
	for (i = 0; i < r->dst_count; i++)
		nd += ((const struct sk_img_prefix *)sk_cfg_vec_at(&cfg->prefixes,
			r->dst_first + (uint32_t)i))->family == fam;
	if ((r->src_count && !ns) || (r->dst_count && !nd))
		return 0;
	return (ns ? ns : 1) * (nd ? nd : 1) * (r->sport_count ? r->sport_count : 1) *
	       (r->dport_count ? r->dport_count : 1);
}

void
sk_cfg_summarize(const struct sk_cfg *cfg, struct sk_cfg_summary *s)
{
	uint32_t i;

	memset(s, 0, sizeof(*s));
	s->zones = cfg->zones.n;
	s->ifaces = cfg->ifaces.n;
	s->addrs = cfg->addrs.n;
	s->routes_connected = cfg->nconnected;
	s->routes_static = cfg->routes.n - cfg->nconnected;
	s->neighs = cfg->neighs.n;
	s->rules = cfg->rules.n;
	s->zone_defaults = cfg->zonepols.n;
	s->services = cfg->services.n;
	s->backends = cfg->backends.n;
	for (i = 0; i < cfg->rules.n; i++) {
		const struct sk_img_rule *r = sk_cfg_vec_at(&cfg->rules, i);

		s->acl_rules4 += acl_expand(cfg, r, 4);
		s->acl_rules6 += acl_expand(cfg, r, 6);
	}
}
