/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cfg_iface.c - the `zones` list and the `interfaces` list: names, devices,
 * addresses, and the connected routes those addresses imply.  Both need a
 * dataplane restart to change (ports are probed at start).
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cfg_priv.h"

int
sk_cfg_zone_id(const struct sk_cfg *cfg, const char *name)
{
	uint32_t i;

	for (i = 0; i < cfg->zones.n; i++)
		if (strcmp(((struct sk_img_zone *)sk_cfg_vec_at(&cfg->zones, i))->name, name) == 0)
			return (int)i + 1;
	return -1;
}

int
sk_cfg_iface_id(const struct sk_cfg *cfg, const char *name)
{
	uint32_t i;

	for (i = 0; i < cfg->ifaces.n; i++)
		if (strcmp(((struct sk_img_iface *)sk_cfg_vec_at(&cfg->ifaces, i))->name, name) == 0)
			return (int)i;
	return -1;
}

int
sk_cfg_iface_on_link(const struct sk_cfg *cfg, uint8_t family, const uint8_t addr[16])
{
	uint32_t i;

	for (i = 0; i < cfg->addrs.n; i++) {
		const struct sk_img_prefix *a = sk_cfg_vec_at(&cfg->addrs, i);

		if (sk_cfg_pfx_contains(a, family, addr))
			return a->iface;
	}
	return -1;
}

static int
reserved_zone(const char *s)
{
	return strcmp(s, "local") == 0 || strcmp(s, "any") == 0;
}

void
sk_cfg_parse_zones(struct sk_cfg_ctx *c, const config_setting_t *g)
{
	int i, n;

	snprintf(c->where, sizeof(c->where), "zones");
	if (!sk_cfg_is_list(c, g, "zones"))
		return;
	n = config_setting_length(g);
	if (n == 0)
		sk_cfg_err(c, g, "zones: at least one zone is needed");
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(g, (unsigned int)i);
		const char *name = config_setting_get_string(e);
		struct sk_img_zone *z;

		if (name == NULL) {
			sk_cfg_err(c, e, "zones: each zone is a name in quotes");
			continue;
		}
		if (reserved_zone(name)) {
			sk_cfg_err(c, e, "zones: \"%s\" is a reserved word, not a zone name", name);
			continue;
		}
		if (!sk_cfg_name_ok(name)) {
			sk_cfg_err(c, e, "zones: bad name \"%s\" (1-%d of A-Z a-z 0-9 _ . -)", name,
				   SK_NAME_MAX - 1);
			continue;
		}
		if (sk_cfg_zone_id(c->cfg, name) > 0) {
			sk_cfg_err(c, e, "zones: duplicate zone \"%s\"", name);
			continue;
		}
		if (c->cfg->zones.n + 1 >= SK_MAX_ZONES) {
			sk_cfg_err(c, e, "zones: more than %d zones", SK_MAX_ZONES - 1);
			break;
		}
		z = sk_cfg_vec_push(&c->cfg->zones);
		if (z == NULL) {
			c->oom = 1;
			return;
		}
		strcpy(z->name, name);
	}
}

/* Who owns an address while an interface is parsed. */
enum { OWN_PLAIN = 0, OWN_UNIT1 = 1, OWN_UNIT2 = 2, OWN_FLOATING = 3 };

/* An interface while it is parsed: the image record plus its address list. */
struct iface_in {
	struct sk_img_iface f;
	struct sk_img_prefix addr[64];
	const config_setting_t *addr_set[64];
	uint8_t addr_own[64];  /* OWN_* */
	uint32_t naddr;
	uint8_t cur_unit;      /* OWN_UNIT1/2 while `units` is walked, else OWN_PLAIN */
};

static void
set_zone(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	struct iface_in *in = obj;
	const char *v = config_setting_get_string(s);
	int id = sk_cfg_zone_id(c->cfg, v);

	(void)k;
	if (reserved_zone(v))
		sk_cfg_err(c, s, "%s: zone \"%s\" is reserved; an interface needs a zone from "
			   "`zones`", c->where, v);
	else if (id < 0)
		sk_cfg_err(c, s, "%s: unknown zone \"%s\"", c->where, v);
	else
		in->f.zone = (uint16_t)id;
}

static void
set_mac(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	struct iface_in *in = obj;
	const char *v = config_setting_get_string(s);

	(void)k;
	if (sk_cfg_parse_mac(v, in->f.mac) != 0 || (in->f.mac[0] & 1)) {
		sk_cfg_err(c, s, "%s: bad MAC \"%s\" (want a unicast xx:xx:xx:xx:xx:xx)",
			   c->where, v);
		return;
	}
	if (c->has_ha) {
		/* one text runs on both units: a fixed MAC would be on both */
		sk_cfg_err(c, s, "%s: mac: an HA config runs on both units, so a fixed MAC would "
			   "be the same on both; leave it out (each unit keeps its ports' own MACs)",
			   c->where);
		return;
	}
	in->f.has_mac = 1;
}

/*
 * 802.1Q subinterfaces: the image has a vlan field and the parser reads a
 * tag, but the dataplane neither tags what it sends nor keeps per-VLAN
 * addresses, neighbours or ports apart (docs/config.md, "VLAN
 * subinterfaces").  Refused here, at the line, rather than half working.
 */
static void
set_vlan(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	struct iface_in *in = obj;

	sk_cfg_set_uint(c, s, obj, k);
	if (in->f.vlan == 0)
		return; /* 0: untagged, what every interface is */
	sk_cfg_err(c, s, "%s: vlan = %u: 802.1Q VLAN subinterfaces are not supported (the "
		   "dataplane sends untagged frames and drops tagged ones); give the network "
		   "its own port, or a switch port untagged in that VLAN", c->where, in->f.vlan);
	in->f.vlan = 0;
}

static void
set_rpf(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	static const char *const names[] = {
		[SK_RPF_OFF] = "off", [SK_RPF_STRICT] = "strict", [SK_RPF_LOOSE] = "loose",
	};

	(void)sk_cfg_choice(c, s, "rpf =", names, 3, "\"strict\", \"loose\" or \"off\"",
			    (uint8_t *)obj + k->off);
}

static void
set_ip_opts(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	static const char *const names[] = {
		[SK_IPOPTS_ALLOW] = "allow", [SK_IPOPTS_DROP] = "drop",
	};

	(void)sk_cfg_choice(c, s, "ip_options =", names, 2, "\"allow\" or \"drop\"",
			    (uint8_t *)obj + k->off);
}

/* The DPDK device name: devargs up to the first comma (what EAL probes). */
static size_t
dev_name_len(const char *devargs)
{
	return strcspn(devargs, ",");
}

/*
 * One interface per DPDK port: a second interface on the same device (the
 * shape a VLAN subinterface would take) cannot be started by the dataplane.
 */
static void
check_device_unique(struct sk_cfg_ctx *c, const config_setting_t *list, int idx,
		    const config_setting_t *e, const char *dev)
{
	size_t len = dev_name_len(dev);
	int k;

	for (k = 0; k < idx; k++) {
		const config_setting_t *o = config_setting_get_elem(list, (unsigned int)k);
		const char *od = NULL, *on = "?";

		if (config_setting_type(o) != CONFIG_TYPE_GROUP ||
		    config_setting_lookup_string(o, "device", &od) != CONFIG_TRUE)
			continue;
		if (dev_name_len(od) != len || strncmp(od, dev, len) != 0)
			continue;
		(void)config_setting_lookup_string(o, "name", &on);
		sk_cfg_err(c, config_setting_get_member(e, "device"),
			   "%s: device \"%.*s\" is already interface '%s' (line %u): one interface "
			   "per port (VLAN subinterfaces are not supported)", c->where, (int)len, dev,
			   on, config_setting_source_line(o));
		return;
	}
}

static void
set_addrs(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	struct iface_in *in = obj;
	uint8_t want = strstr(k->name, "ipv4") != NULL ? 4 : 6;
	uint8_t own = strncmp(k->name, "floating_", 9) == 0 ? OWN_FLOATING : in->cur_unit;
	int i, n;

	if (!sk_cfg_is_list(c, s, k->name))
		return;
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		const char *v = config_setting_get_string(e);
		struct sk_img_prefix p;
		int had_len;

		if (v == NULL || sk_cfg_parse_cidr(v, &p, &had_len) != 0) {
			sk_cfg_err(c, e, "%s: %s: bad address \"%s\" (want \"%s\")", c->where,
				   k->name, v ? v : "?", want == 4 ? "192.0.2.1/24" : "2001:db8::1/64");
			continue;
		}
		if (p.family != want) {
			sk_cfg_err(c, e, "%s: %s: \"%s\" is an IPv%u address", c->where, k->name, v,
				   p.family);
			continue;
		}
		if (!had_len) {
			sk_cfg_err(c, e, "%s: %s: \"%s\" needs a prefix length (\"%s/%s\")", c->where,
				   k->name, v, v, want == 4 ? "24" : "64");
			continue;
		}
		/* The subnet's own network or broadcast address cannot be a host's. */
		if (want == 4 && p.plen <= 30) {
			struct sk_img_prefix net = p;
			uint32_t a, m = p.plen ? ~0u << (32 - p.plen) : 0;

			sk_cfg_pfx_mask(&net);
			memcpy(&a, p.addr, 4);
			if (memcmp(net.addr, p.addr, 4) == 0 || (~ntohl(a) & ~m) == 0) {
				sk_cfg_err(c, e, "%s: %s: \"%s\" is the %s address of its subnet",
					   c->where, k->name, v,
					   memcmp(net.addr, p.addr, 4) == 0 ? "network" : "broadcast");
				continue;
			}
		}
		if (in->naddr == sizeof(in->addr) / sizeof(in->addr[0])) {
			sk_cfg_err(c, e, "%s: too many addresses", c->where);
			return;
		}
		in->addr_set[in->naddr] = e;
		in->addr_own[in->naddr] = own;
		in->addr[in->naddr++] = p;
	}
}

const struct sk_cfg_key sk_cfg_keys_iface_unit[] = {
	{ "ipv4", SK_CFG_T_LIST, SK_CFG_F_RESTART, 0, 0, 0, 0, set_addrs, "[ ]",
	  "this unit's own addresses with prefix length" },
	{ "ipv6", SK_CFG_T_LIST, SK_CFG_F_RESTART, 0, 0, 0, 0, set_addrs, "[ ]",
	  "this unit's own addresses with prefix length" },
};
const size_t sk_cfg_nkeys_iface_unit =
	sizeof(sk_cfg_keys_iface_unit) / sizeof(sk_cfg_keys_iface_unit[0]);

/* `units = ( { unit 1 }, { unit 2 } )`: each unit's own addresses. */
static void
set_units(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	struct iface_in *in = obj;
	char where[sizeof(c->where)];
	int i;

	if (!sk_cfg_is_list(c, s, k->name))
		return;
	if (config_setting_length(s) != SK_HA_UNITS) {
		sk_cfg_err(c, s, "%s: units must list exactly %d units ( { unit 1 }, { unit 2 } ), "
			   "not %d", c->where, SK_HA_UNITS, config_setting_length(s));
		return;
	}
	memcpy(where, c->where, sizeof(where));
	for (i = 0; i < SK_HA_UNITS; i++) {
		snprintf(c->where, sizeof(c->where), "%.60s units[%d]", where, i);
		in->cur_unit = (uint8_t)(OWN_UNIT1 + i);
		sk_cfg_walk(c, config_setting_get_elem(s, (unsigned int)i), sk_cfg_keys_iface_unit,
			    sk_cfg_nkeys_iface_unit, in, NULL);
	}
	in->cur_unit = OWN_PLAIN;
	memcpy(c->where, where, sizeof(where));
}

#define IF(f) offsetof(struct iface_in, f), sizeof(((struct iface_in *)0)->f)

const struct sk_cfg_key sk_cfg_keys_iface[] = {
	{ "name", SK_CFG_T_STR, SK_CFG_F_REQUIRED | SK_CFG_F_RESTART, 0, 0, IF(f.name), sk_cfg_set_name,
	  NULL, "interface name, unique" },
	{ "device", SK_CFG_T_STR, SK_CFG_F_REQUIRED | SK_CFG_F_RESTART, 0, 0, IF(f.device),
	  sk_cfg_set_str, NULL, "DPDK device: PCI address or vdev string" },
	{ "zone", SK_CFG_T_STR, SK_CFG_F_REQUIRED | SK_CFG_F_RESTART, 0, 0, 0, 0, set_zone, NULL,
	  "a zone from `zones`" },
	{ "ipv4", SK_CFG_T_LIST, SK_CFG_F_RESTART, 0, 0, 0, 0, set_addrs, "[ ]",
	  "addresses with prefix length, \"192.0.2.1/24\"" },
	{ "ipv6", SK_CFG_T_LIST, SK_CFG_F_RESTART, 0, 0, 0, 0, set_addrs, "[ ]",
	  "addresses with prefix length, \"2001:db8::1/64\"" },
	{ "mtu", SK_CFG_T_INT, SK_CFG_F_RESTART, 68, 9000, IF(f.mtu), sk_cfg_set_uint, "1500",
	  "L3 MTU" },
	{ "mac", SK_CFG_T_STR, SK_CFG_F_RESTART, 0, 0, 0, 0, set_mac, "the port's own",
	  "unicast MAC to set on the port" },
	{ "promisc", SK_CFG_T_BOOL, SK_CFG_F_RESTART, 0, 0, IF(f.promisc), sk_cfg_set_bool,
	  "false", "promiscuous mode" },
	{ "floating_ipv4", SK_CFG_T_LIST, SK_CFG_F_RESTART, 0, 0, 0, 0, set_addrs, "[ ]",
	  "HA pair: addresses the active unit carries, \"192.0.2.1/24\"" },
	{ "floating_ipv6", SK_CFG_T_LIST, SK_CFG_F_RESTART, 0, 0, 0, 0, set_addrs, "[ ]",
	  "HA pair: addresses the active unit carries, \"2001:db8::1/64\"" },
	{ "units", SK_CFG_T_LIST, SK_CFG_F_RESTART, 0, 0, 0, 0, set_units, "( )",
	  "HA pair: exactly two groups { ipv4; ipv6 }, each unit's own addresses" },
	{ "vlan", SK_CFG_T_INT, SK_CFG_F_RESTART, 0, 4094, IF(f.vlan), set_vlan, "0",
	  "802.1Q VLAN id: only 0 (untagged); subinterfaces are refused" },
	{ "rpf", SK_CFG_T_STR, 0, 0, 0, IF(f.rpf), set_rpf, "\"off\"",
	  "reverse-path check of sources: \"strict\" (the route back leaves here), \"loose\" "
	  "(some route back exists) or \"off\"" },
	{ "ip_options", SK_CFG_T_STR, 0, 0, 0, IF(f.ip_opts), set_ip_opts, "\"allow\"",
	  "IPv4 options other than source routing/record-route (always dropped): "
	  "\"allow\" or \"drop\"" },
};
enum { K_IPV4 = 3, K_IPV6 = 4, K_FLOAT4 = 8, K_FLOAT6 = 9, K_UNITS = 10 };
const size_t sk_cfg_nkeys_iface = sizeof(sk_cfg_keys_iface) / sizeof(sk_cfg_keys_iface[0]);

static const char *
iface_name(const struct sk_cfg *cfg, uint16_t id)
{
	return ((const struct sk_img_iface *)sk_cfg_vec_at(&cfg->ifaces, id))->name;
}

/* Record in->addr into the model; refuse addresses and subnets already taken. */
static int
add_addrs(struct sk_cfg_ctx *c, struct iface_in *in, uint16_t id)
{
	struct sk_cfg *cfg = c->cfg;
	uint32_t i, j, first = cfg->addrs.n;
	char buf[64];

	for (i = 0; i < in->naddr; i++) {
		struct sk_img_prefix *p = &in->addr[i], *q, net = *p;
		uint32_t *line;

		sk_cfg_pfx_mask(&net);
		for (j = 0; j < cfg->addrs.n; j++) {
			const struct sk_img_prefix *o = sk_cfg_vec_at(&cfg->addrs, j);
			struct sk_img_prefix onet = *o;
			uint32_t oline = *(uint32_t *)sk_cfg_vec_at(&cfg->addr_lines, j);

			sk_cfg_pfx_mask(&onet);
			sk_cfg_ip_str(p->family, p->addr, buf, sizeof(buf));
			if (o->family == p->family && memcmp(o->addr, p->addr, 16) == 0) {
				sk_cfg_err(c, in->addr_set[i], "%s: address %s is already on "
					   "interface '%s' (line %u)", c->where, buf,
					   o->iface == id ? in->f.name : iface_name(cfg, o->iface),
					   oline);
				break;
			}
			if (o->iface != id && onet.family == net.family && onet.plen == net.plen &&
			    memcmp(onet.addr, net.addr, 16) == 0) {
				sk_cfg_err(c, in->addr_set[i], "%s: subnet of %s/%u is already "
					   "connected on interface '%s' (line %u)", c->where, buf,
					   p->plen, iface_name(cfg, o->iface), oline);
				break;
			}
		}
		if (j < cfg->addrs.n)
			continue;
		q = sk_cfg_vec_push(&cfg->addrs);
		line = sk_cfg_vec_push(&cfg->addr_lines);
		if (q == NULL || line == NULL)
			return -1;
		if (c->has_ha) {
			/* SK_SEC_ADDR_HA runs parallel to SK_SEC_ADDRS. */
			struct sk_img_addr_ha *h = sk_cfg_vec_push(&cfg->addr_ha);

			if (h == NULL)
				return -1;
			h->unit = in->addr_own[i] == OWN_FLOATING ? 0 : in->addr_own[i];
			h->flags = in->addr_own[i] == OWN_FLOATING ? SK_ADDR_FLOATING : 0;
		}
		*q = *p;
		q->iface = id;
		*line = config_setting_source_line(in->addr_set[i]);
	}
	in->f.addr_first = first;
	in->f.addr_count = cfg->addrs.n - first;
	return 0;
}

/*
 * The HA pair's rules for one interface's addresses: with `ha` they are per
 * unit or floating, without it neither; a floating address lies inside a
 * subnet of a per-unit address (the neighbours reach both units there).
 */
static void
check_ha_addrs(struct sk_cfg_ctx *c, const struct iface_in *in, const config_setting_t **found)
{
	static const int ha_only[] = { K_FLOAT4, K_FLOAT6, K_UNITS };
	uint32_t i, j;
	char buf[64];

	if (c->has_ha) {
		const config_setting_t *plain = found[K_IPV4] ? found[K_IPV4] : found[K_IPV6];

		if (plain != NULL)
			sk_cfg_err(c, plain, "%s: in an HA pair an address is per unit (`units`) or "
				   "floating (`floating_ipv4`/`floating_ipv6`)", c->where);
	} else {
		for (i = 0; i < sizeof(ha_only) / sizeof(ha_only[0]); i++)
			if (found[ha_only[i]] != NULL)
				sk_cfg_err(c, found[ha_only[i]], "%s: `%s` needs an `ha` group",
					   c->where, sk_cfg_keys_iface[ha_only[i]].name);
		return;
	}
	for (i = 0; i < in->naddr; i++) {
		if (in->addr_own[i] != OWN_FLOATING)
			continue;
		for (j = 0; j < in->naddr; j++)
			if ((in->addr_own[j] == OWN_UNIT1 || in->addr_own[j] == OWN_UNIT2) &&
			    sk_cfg_pfx_contains(&in->addr[j], in->addr[i].family, in->addr[i].addr))
				break;
		if (j == in->naddr) {
			sk_cfg_err(c, in->addr_set[i], "%s: floating address %s/%u lies in no subnet "
				   "of a per-unit address of this interface", c->where,
				   (sk_cfg_ip_str(in->addr[i].family, in->addr[i].addr, buf,
						  sizeof(buf)), buf), in->addr[i].plen);
		}
	}
}

/* Every interface address implies an on-link route to its subnet. */
static int
add_connected(struct sk_cfg *cfg)
{
	uint32_t i, j;

	for (i = 0; i < cfg->addrs.n; i++) {
		const struct sk_img_prefix *a = sk_cfg_vec_at(&cfg->addrs, i);
		struct sk_img_prefix net = *a;
		struct sk_img_route *r;

		net.iface = 0;
		sk_cfg_pfx_mask(&net);
		for (j = 0; j < cfg->routes.n; j++) {
			r = sk_cfg_vec_at(&cfg->routes, j);
			if (r->dst.family == net.family && r->dst.plen == net.plen &&
			    memcmp(r->dst.addr, net.addr, 16) == 0)
				break;
		}
		if (j < cfg->routes.n)
			continue; /* two addresses in one subnet: one route */
		r = sk_cfg_vec_push(&cfg->routes);
		if (r == NULL)
			return -1;
		r->dst = net;
		r->iface = a->iface;
		r->connected = 1;
		cfg->nconnected++;
	}
	return 0;
}

void
sk_cfg_parse_interfaces(struct sk_cfg_ctx *c, const config_setting_t *g)
{
	int i, n;

	snprintf(c->where, sizeof(c->where), "interfaces");
	if (!sk_cfg_is_list(c, g, "interfaces"))
		return;
	n = config_setting_length(g);
	if (n == 0)
		sk_cfg_err(c, g, "interfaces: at least one interface is needed");
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(g, (unsigned int)i);
		const config_setting_t *found[SK_CFG_MAX_KEYS];
		struct iface_in in;
		struct sk_img_iface *f;
		const char *name = NULL;

		memset(&in, 0, sizeof(in));
		in.f.mtu = 1500;
		if (config_setting_type(e) == CONFIG_TYPE_GROUP &&
		    config_setting_lookup_string(e, "name", &name) == CONFIG_TRUE)
			snprintf(c->where, sizeof(c->where), "interface '%s'", name);
		else
			snprintf(c->where, sizeof(c->where), "interfaces[%d]", i);
		sk_cfg_walk(c, e, sk_cfg_keys_iface, sk_cfg_nkeys_iface, &in, found);
		if (config_setting_type(e) == CONFIG_TYPE_GROUP)
			check_ha_addrs(c, &in, found);
		if (in.f.device[0] != '\0')
			check_device_unique(c, g, i, e, in.f.device);
		if (in.f.name[0] == '\0')
			continue;
		if (sk_cfg_iface_id(c->cfg, in.f.name) >= 0) {
			sk_cfg_err(c, config_setting_get_member(e, "name"),
				   "%s: duplicate interface name", c->where);
			continue;
		}
		if (c->cfg->ifaces.n == SK_MAX_IFACES) {
			sk_cfg_err(c, e, "%s: more than %d interfaces", c->where, SK_MAX_IFACES);
			continue;
		}
		/* A broken interface still gets a record, so later references to it
		 * do not produce a second, misleading error. */
		if (add_addrs(c, &in, (uint16_t)c->cfg->ifaces.n) != 0 ||
		    (f = sk_cfg_vec_push(&c->cfg->ifaces)) == NULL) {
			c->oom = 1;
			return;
		}
		*f = in.f;
	}
	if (add_connected(c->cfg) != 0)
		c->oom = 1;
}
