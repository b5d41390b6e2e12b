/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cfg_ha.c - the `ha` group: the pair's identity, its two units (HA link
 * address, priority, lcores of two units on one host), the heartbeat timing
 * (a profile, optionally overridden), the dataplane heartbeat, gratuitous
 * announcements, the floating MAC and the takeover hook.  Parsed after
 * interfaces and services, which it is checked against.  The PSK file is
 * only named here: --check/--compile never open it (docs/ha.md).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cfg_priv.h"

/* The `ha` group while it is parsed: the image record plus what needs a second look. */
struct ha_in {
	struct sk_img_ha h;
	uint32_t hb_ms, dead_ms, hold_s;
	uint16_t dp_port;
	char dp_iface[SK_NAME_MAX];
	const config_setting_t *ha_addr_set[SK_HA_UNITS];
	int cur;       /* unit being walked */
};

struct profile {
	const char *name;
	uint32_t hb_ms, dead_ms;
};

/* Heartbeat period and dead interval; docs/ha.md explains the choice. */
static const struct profile profiles[] = {
	{ "default", 50, 200 },
	{ "aggressive", 20, 80 },
	{ "lab", 100, 1000 },
};

static void
set_profile(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	struct ha_in *in = obj;
	const char *v = config_setting_get_string(s);
	size_t i;

	(void)k;
	for (i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (strcmp(v, profiles[i].name) == 0)
			break;
	if (i == sizeof(profiles) / sizeof(profiles[0])) {
		sk_cfg_err(c, s, "%s: unknown profile \"%s\" (default, aggressive, lab)", c->where,
			   v);
		return;
	}
	/* An explicit heartbeat_ms/dead_ms wins whatever the key order. */
	if (config_setting_get_member(config_setting_parent(s), "heartbeat_ms") == NULL)
		in->hb_ms = profiles[i].hb_ms;
	if (config_setting_get_member(config_setting_parent(s), "dead_ms") == NULL)
		in->dead_ms = profiles[i].dead_ms;
}

/* An absolute path that fits the image's buffer. */
static void
set_path(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	const char *v = config_setting_get_string(s);

	if (v[0] != '/') {
		sk_cfg_err(c, s, "%s: %s \"%s\" must be an absolute path", c->where, k->name, v);
		return;
	}
	sk_cfg_set_str(c, s, obj, k);
}

static void
set_fmac(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	struct ha_in *in = obj;
	const char *v = config_setting_get_string(s);

	(void)k;
	if (sk_cfg_parse_mac(v, in->h.floating_mac) != 0 || (in->h.floating_mac[0] & 1)) {
		sk_cfg_err(c, s, "%s: bad floating_mac \"%s\" (want a unicast xx:xx:xx:xx:xx:xx)",
			   c->where, v);
		return;
	}
	/* Refused rather than accepted and ignored: the dataplane bakes each
	 * port's own MAC into its neighbour headers and local replies, so a
	 * shared MAC is not applied yet (docs/ha.md). */
	sk_cfg_err(c, s, "%s: floating_mac is not supported by this version: the active unit "
		   "sends and answers with its ports' own MACs, and neighbours follow a takeover "
		   "by gratuitous ARP and unsolicited NA (ha.announce); remove the key", c->where);
}

static void
set_ha_addr(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	struct sk_img_ha_unit *u = obj;
	const char *v = config_setting_get_string(s);

	(void)k;
	if (sk_cfg_parse_ip(v, &u->ha_family, u->ha_addr) != 0)
		sk_cfg_err(c, s, "%s: ha_address: bad address \"%s\" (want \"192.0.2.1\" or "
			   "\"2001:db8::1\")", c->where, v);
}

/* Checked here; set_units() keeps the text (the model's, not the image's:
 * only sekisho-cp listens). */
static void
check_listen(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
	     const struct sk_cfg_key *k)
{
	const char *v = config_setting_get_string(s);
	uint8_t fam, addr[16];
	uint16_t port;

	(void)obj;
	(void)k;
	if (strlen(v) >= sizeof(c->cfg->unit_listen[0]) ||
	    sk_cfg_parse_listen(v, &fam, addr, &port) != 0)
		sk_cfg_err(c, s, "%s: management_listen \"%s\" is not \"ADDR:PORT\" (an IP "
			   "address and a port 1..65535; IPv6 as \"[2001:db8::1]:8443\")",
			   c->where, v);
}

#define HU(f) offsetof(struct sk_img_ha_unit, f), sizeof(((struct sk_img_ha_unit *)0)->f)

const struct sk_cfg_key sk_cfg_keys_ha_unit[] = {
	{ "priority", SK_CFG_T_INT, SK_CFG_F_RESTART, 1, SK_HA_PRIO_MAX, HU(priority),
	  sk_cfg_set_uint, "100",
	  "the higher is active when both are healthy" },
	{ "ha_address", SK_CFG_T_STR, SK_CFG_F_REQUIRED | SK_CFG_F_RESTART, 0, 0, 0, 0,
	  set_ha_addr, NULL, "this unit's HA link address (sekisho-cp binds it)" },
	{ "ha_port", SK_CFG_T_INT, SK_CFG_F_RESTART, 1, 65535, HU(ha_port), sk_cfg_set_uint,
	  "7780", "TCP port of this unit's HA link" },
	{ "lcores", SK_CFG_T_STR, SK_CFG_F_RESTART, 0, 0, HU(lcores), sk_cfg_set_str,
	  "dataplane.lcores", "this unit's EAL core list (two units on one host)" },
	{ "file_prefix", SK_CFG_T_STR, SK_CFG_F_RESTART, 0, 0, HU(file_prefix), sk_cfg_set_str,
	  "dataplane.file_prefix", "this unit's EAL --file-prefix (two units on one host)" },
	{ "management_listen", SK_CFG_T_STR, SK_CFG_F_RESTART, 0, 0, 0, 0, check_listen,
	  "management.listen", "this unit's REST address \"ADDR:PORT\"" },
};
const size_t sk_cfg_nkeys_ha_unit = sizeof(sk_cfg_keys_ha_unit) / sizeof(sk_cfg_keys_ha_unit[0]);
enum { U_MGMT = 5 }; /* index of management_listen above */

static void
set_units(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	struct ha_in *in = obj;
	const config_setting_t *found[SK_CFG_MAX_KEYS];
	int i;

	if (!sk_cfg_is_list(c, s, k->name))
		return;
	if (config_setting_length(s) != SK_HA_UNITS) {
		sk_cfg_err(c, s, "%s: units must list exactly %d units ( { unit 1 }, { unit 2 } ), "
			   "not %d", c->where, SK_HA_UNITS, config_setting_length(s));
		return;
	}
	for (i = 0; i < SK_HA_UNITS; i++) {
		struct sk_img_ha_unit *u = &in->h.unit[i];

		snprintf(c->where, sizeof(c->where), "ha: units[%d]", i);
		u->priority = 100;
		u->ha_port = 7780;
		sk_cfg_walk(c, config_setting_get_elem(s, (unsigned int)i), sk_cfg_keys_ha_unit,
			    sk_cfg_nkeys_ha_unit, u, found);
		in->ha_addr_set[i] = found[1];
		if (found[U_MGMT] != NULL &&
		    config_setting_type(found[U_MGMT]) == CONFIG_TYPE_STRING) {
			snprintf(c->cfg->unit_listen[i], sizeof(c->cfg->unit_listen[i]), "%s",
				 config_setting_get_string(found[U_MGMT]));
			c->unit_listen_set[i] = found[U_MGMT];
		}
	}
	snprintf(c->where, sizeof(c->where), "ha");
}

#define HI(f) offsetof(struct ha_in, f), sizeof(((struct ha_in *)0)->f)

const struct sk_cfg_key sk_cfg_keys_ha_dphb[] = {
	{ "interface", SK_CFG_T_STR, SK_CFG_F_REQUIRED | SK_CFG_F_RESTART, 0, 0, HI(dp_iface),
	  sk_cfg_set_name, NULL, "data interface; each unit needs an own address on it" },
	{ "port", SK_CFG_T_INT, SK_CFG_F_RESTART, 1, 65535, HI(dp_port), sk_cfg_set_uint, "7781",
	  "UDP port" },
};
const size_t sk_cfg_nkeys_ha_dphb = sizeof(sk_cfg_keys_ha_dphb) / sizeof(sk_cfg_keys_ha_dphb[0]);

const struct sk_cfg_key sk_cfg_keys_ha_announce[] = {
	{ "count", SK_CFG_T_INT, SK_CFG_F_RESTART, 1, 20, HI(h.garp_count), sk_cfg_set_uint, "3",
	  "gratuitous ARP / unsolicited NA per floating address at takeover" },
	{ "interval_ms", SK_CFG_T_INT, SK_CFG_F_RESTART, 10, 10000, HI(h.garp_interval_ms),
	  sk_cfg_set_uint,
	  "100", "spacing between them" },
};
const size_t sk_cfg_nkeys_ha_announce =
	sizeof(sk_cfg_keys_ha_announce) / sizeof(sk_cfg_keys_ha_announce[0]);

const struct sk_cfg_key sk_cfg_keys_ha_hook[] = {
	{ "path", SK_CFG_T_STR, SK_CFG_F_REQUIRED | SK_CFG_F_RESTART, 0, 0, HI(h.hook),
	  set_path, NULL,
	  "executable run at each role change (absolute path)" },
	{ "timeout_ms", SK_CFG_T_INT, SK_CFG_F_RESTART, 100, 600000, HI(h.hook_timeout_ms),
	  sk_cfg_set_uint,
	  "10000", "the hook is killed after this" },
	{ "retries", SK_CFG_T_INT, SK_CFG_F_RESTART, 0, 10, HI(h.hook_retries), sk_cfg_set_uint,
	  "2",
	  "further tries after a failure" },
};
const size_t sk_cfg_nkeys_ha_hook = sizeof(sk_cfg_keys_ha_hook) / sizeof(sk_cfg_keys_ha_hook[0]);

static void
set_sub(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	const struct sk_cfg_key *keys = sk_cfg_keys_ha_hook;
	size_t n = sk_cfg_nkeys_ha_hook;

	if (strcmp(k->name, "data_heartbeat") == 0) {
		keys = sk_cfg_keys_ha_dphb;
		n = sk_cfg_nkeys_ha_dphb;
	} else if (strcmp(k->name, "announce") == 0) {
		keys = sk_cfg_keys_ha_announce;
		n = sk_cfg_nkeys_ha_announce;
	}
	snprintf(c->where, sizeof(c->where), "ha: %s", k->name);
	sk_cfg_walk(c, s, keys, n, obj, NULL);
	snprintf(c->where, sizeof(c->where), "ha");
}

const struct sk_cfg_key sk_cfg_keys_ha[] = {
	{ "cluster", SK_CFG_T_STR, SK_CFG_F_REQUIRED | SK_CFG_F_RESTART, 0, 0, HI(h.cluster),
	  sk_cfg_set_name, NULL, "the pair's name; both units must agree" },
	{ "units", SK_CFG_T_LIST, SK_CFG_F_REQUIRED | SK_CFG_F_RESTART, 0, 0, 0, 0, set_units,
	  NULL, "exactly two groups, unit 1 then unit 2, see ha.units[]" },
	{ "psk_file", SK_CFG_T_STR, SK_CFG_F_REQUIRED | SK_CFG_F_RESTART, 0, 0, HI(h.psk_file),
	  set_path, NULL, "pre-shared key file (absolute path; never read by --check)" },
	{ "preempt", SK_CFG_T_BOOL, SK_CFG_F_RESTART, 0, 0, HI(h.preempt), sk_cfg_set_bool, "false",
	  "the higher priority takes over from a healthy active" },
	{ "preempt_hold_s", SK_CFG_T_INT, SK_CFG_F_RESTART, 0, 3600, HI(hold_s),
	  sk_cfg_set_uint, "30",
	  "a returning unit waits this long before preempting" },
	{ "profile", SK_CFG_T_STR, SK_CFG_F_RESTART, 0, 0, 0, 0, set_profile, "\"default\"",
	  "heartbeat/dead ms: default 50/200, aggressive 20/80, lab 100/1000" },
	{ "heartbeat_ms", SK_CFG_T_INT, SK_CFG_F_RESTART, 10, 10000, HI(hb_ms), sk_cfg_set_uint,
	  "the profile's",
	  "heartbeat period on both paths" },
	{ "dead_ms", SK_CFG_T_INT, SK_CFG_F_RESTART, 20, 600000, HI(dead_ms), sk_cfg_set_uint,
	  "the profile's",
	  "a path is silent after this long; >= 2 x heartbeat_ms" },
	{ "data_heartbeat", SK_CFG_T_GROUP, SK_CFG_F_RESTART, 0, 0, 0, 0, set_sub, "none",
	  "the dataplane heartbeat, see ha.data_heartbeat" },
	{ "announce", SK_CFG_T_GROUP, SK_CFG_F_RESTART, 0, 0, 0, 0, set_sub, "3 x 100 ms",
	  "gratuitous ARP / NA at takeover, see ha.announce" },
	{ "floating_mac", SK_CFG_T_STR, SK_CFG_F_RESTART, 0, 0, 0, 0, set_fmac, "none",
	  "unicast MAC the active answers with for floating addresses" },
	{ "hook", SK_CFG_T_GROUP, SK_CFG_F_RESTART, 0, 0, 0, 0, set_sub, "none",
	  "takeover hook, see ha.hook" },
	{ "sync_sweep_ms", SK_CFG_T_INT, SK_CFG_F_RESTART, 500, 600000, HI(h.sync_sweep_ms),
	  sk_cfg_set_uint, "4000",
	  "connection sync: each worker walks its whole table in slices over this long and "
	  "refreshes the busy connections on the standby (docs/ha-sync.md)" },
};
const size_t sk_cfg_nkeys_ha = sizeof(sk_cfg_keys_ha) / sizeof(sk_cfg_keys_ha[0]);

enum { H_UNITS = 1, H_HB = 6, H_DEAD = 7, H_DPHB = 8, H_SWEEP = 12 };

static const struct sk_img_addr_ha *
addr_ha(const struct sk_cfg *cfg, uint32_t i)
{
	return sk_cfg_vec_at(&cfg->addr_ha, i);
}

/* The unit's own address of family on interface id, or -1. */
static int
unit_addr_on(const struct sk_cfg *cfg, int unit, uint16_t id, uint8_t family)
{
	uint32_t i;

	for (i = 0; i < cfg->addrs.n && i < cfg->addr_ha.n; i++) {
		const struct sk_img_prefix *a = sk_cfg_vec_at(&cfg->addrs, i);

		if (a->iface == id && a->family == family && addr_ha(cfg, i)->unit == unit)
			return (int)i;
	}
	return -1;
}

/* A per-unit address equal to addr (a VIP or SNAT source), or -1. */
static int
per_unit_addr(const struct sk_cfg *cfg, uint8_t family, const uint8_t addr[16])
{
	uint32_t i;

	for (i = 0; i < cfg->addrs.n && i < cfg->addr_ha.n; i++) {
		const struct sk_img_prefix *a = sk_cfg_vec_at(&cfg->addrs, i);

		if (addr_ha(cfg, i)->unit != 0 && a->family == family &&
		    memcmp(a->addr, addr, 16) == 0)
			return (int)i;
	}
	return -1;
}

/* Services' VIPs and SNAT sources move with the active: never a unit's own. */
static void
check_services(struct sk_cfg_ctx *c, const config_setting_t *g)
{
	const struct sk_cfg *cfg = c->cfg;
	uint32_t i, j;
	char buf[64];
	int a;

	for (i = 0; i < cfg->services.n; i++) {
		const struct sk_img_service *sv = sk_cfg_vec_at(&cfg->services, i);
		char msg[256];

		a = per_unit_addr(cfg, sv->family, sv->vip);
		if (a >= 0) {
			sk_cfg_ip_str(sv->family, sv->vip, buf, sizeof(buf));
			snprintf(msg, sizeof(msg), "service '%s': vip %s is unit %u's own address "
				 "(line %u); a VIP must be floating", sv->name, buf,
				 addr_ha(cfg, (uint32_t)a)->unit,
				 *(uint32_t *)sk_cfg_vec_at(&cfg->addr_lines, (uint32_t)a));
			sk_cfg_diag_add(c->diag, config_setting_source_file(g) ?
					config_setting_source_file(g) : c->name, sv->line, msg);
			c->errors++;
		}
		for (j = sv->snat_first; j < sv->snat_first + sv->snat_count; j++) {
			const struct sk_img_prefix *p = sk_cfg_vec_at(&cfg->snats, j);

			a = per_unit_addr(cfg, p->family, p->addr);
			if (a < 0)
				continue;
			sk_cfg_ip_str(p->family, p->addr, buf, sizeof(buf));
			snprintf(msg, sizeof(msg), "service '%s': snat %s is unit %u's own address "
				 "(line %u); a SNAT source must not be a unit's", sv->name, buf,
				 addr_ha(cfg, (uint32_t)a)->unit,
				 *(uint32_t *)sk_cfg_vec_at(&cfg->addr_lines, (uint32_t)a));
			sk_cfg_diag_add(c->diag, config_setting_source_file(g) ?
					config_setting_source_file(g) : c->name, sv->line, msg);
			c->errors++;
		}
	}
}

static void
data_heartbeat(struct sk_cfg_ctx *c, struct ha_in *in, const config_setting_t *dphb)
{
	const config_setting_t *at = config_setting_get_member(dphb, "interface");
	int id, u, a0 = -1, a1 = -1, missing = 0;
	uint8_t fam;

	if (in->dp_iface[0] == '\0')
		return; /* already reported */
	id = sk_cfg_iface_id(c->cfg, in->dp_iface);
	if (id < 0) {
		sk_cfg_err(c, at, "ha: data_heartbeat: unknown interface '%s'", in->dp_iface);
		return;
	}
	in->h.dp_iface = (uint16_t)id;
	in->h.dp_port = in->dp_port;
	for (u = 0; u < SK_HA_UNITS; u++)
		if (unit_addr_on(c->cfg, u + 1, (uint16_t)id, 4) < 0 &&
		    unit_addr_on(c->cfg, u + 1, (uint16_t)id, 6) < 0) {
			sk_cfg_err(c, at, "ha: data_heartbeat: unit %d has no own address on "
				   "interface '%s' (`units` of that interface)", u + 1, in->dp_iface);
			missing = 1;
		}
	if (missing)
		return;
	/* One datagram goes from one unit's address to the other's: one family,
	 * IPv4 when both units have it there, else IPv6. */
	for (fam = 4; fam <= 6; fam += 2) {
		a0 = unit_addr_on(c->cfg, 1, (uint16_t)id, fam);
		a1 = unit_addr_on(c->cfg, 2, (uint16_t)id, fam);
		if (a0 >= 0 && a1 >= 0)
			break;
	}
	if (fam > 6) {
		sk_cfg_err(c, at, "ha: data_heartbeat: the two units' own addresses on interface "
			   "'%s' have no family in common (one IPv4 only, the other IPv6 only)",
			   in->dp_iface);
		return;
	}
	for (u = 0; u < SK_HA_UNITS; u++) {
		const struct sk_img_prefix *p =
			sk_cfg_vec_at(&c->cfg->addrs, (uint32_t)(u == 0 ? a0 : a1));

		in->h.unit[u].dp_family = p->family;
		memcpy(in->h.unit[u].dp_addr, p->addr, 16);
	}
}

void
sk_cfg_parse_ha(struct sk_cfg_ctx *c, const config_setting_t *g)
{
	const config_setting_t *found[SK_CFG_MAX_KEYS];
	struct sk_img_ha_unit *u;
	struct sk_img_ha *h;
	struct ha_in in;

	memset(&in, 0, sizeof(in));
	in.hb_ms = profiles[0].hb_ms;
	in.dead_ms = profiles[0].dead_ms;
	in.hold_s = 30;
	in.dp_port = 7781;
	in.h.dp_iface = SK_HA_NO_IFACE;
	in.h.garp_count = 3;
	in.h.garp_interval_ms = 100;
	in.h.hook_timeout_ms = 10000;
	in.h.hook_retries = 2;
	in.h.sync_sweep_ms = 4000;
	snprintf(c->where, sizeof(c->where), "ha");
	sk_cfg_walk(c, g, sk_cfg_keys_ha, sk_cfg_nkeys_ha, &in, found);
	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return;
	if (in.dead_ms < 2 * in.hb_ms)
		sk_cfg_err(c, found[H_DEAD] ? found[H_DEAD] : found[H_HB] ? found[H_HB] : g,
			   "ha: dead_ms = %u must be at least 2 x heartbeat_ms = %u", in.dead_ms,
			   2 * in.hb_ms);
	{
		/* A busy connection is refreshed on the standby once a lap: a lap
		 * longer than half the shortest timeout would let the standby expire
		 * connections the active still carries. */
		const uint32_t *tmo = c->cfg->settings.timeouts;
		uint32_t k, least = UINT32_MAX;

		for (k = 0; k < SK_TMO__MAX; k++)
			if (tmo[k] != 0 && tmo[k] < least)
				least = tmo[k];
		if (least != UINT32_MAX && (uint64_t)in.h.sync_sweep_ms * 2 > (uint64_t)least * 1000)
			sk_cfg_err(c, found[H_SWEEP] ? found[H_SWEEP] : g, "ha: sync_sweep_ms = %u "
				   "is more than half the shortest connection timeout (%u s): the "
				   "standby would expire connections the active still carries",
				   in.h.sync_sweep_ms, least);
	}
	in.h.hb_interval_ms = in.hb_ms;
	in.h.dead_ms = in.dead_ms;
	in.h.preempt_hold_ms = in.hold_s * 1000;
	u = in.h.unit;
	if (found[H_UNITS] != NULL && u[0].ha_family != 0 && u[1].ha_family != 0) {
		if (u[0].ha_family != u[1].ha_family)
			sk_cfg_err(c, in.ha_addr_set[1], "ha: units[1]: ha_address is IPv%u but "
				   "units[0]'s is IPv%u; both must have the same family",
				   u[1].ha_family, u[0].ha_family);
		else if (memcmp(u[0].ha_addr, u[1].ha_addr, 16) == 0)
			sk_cfg_err(c, in.ha_addr_set[1], "ha: units[1]: ha_address is the same as "
				   "units[0]'s; the two units need different addresses");
	}
	if (found[H_DPHB] != NULL)
		data_heartbeat(c, &in, found[H_DPHB]);
	check_services(c, g);
	h = sk_cfg_vec_push(&c->cfg->ha);
	if (h == NULL) {
		c->oom = 1;
		return;
	}
	*h = in.h;
}

const struct sk_img_ha *
sk_cfg_ha(const struct sk_cfg *cfg)
{
	return cfg->ha.n ? sk_cfg_vec_at(&cfg->ha, 0) : NULL;
}
