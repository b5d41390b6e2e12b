/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cfg_route.c - the `routes` and `neighbors` lists.  Static routes need a
 * next hop on a connected subnet (the dataplane resolves it with ARP/ND);
 * static neighbours must be on-link of the interface they name.  Both reload
 * live once the control plane can commit generations.
 */
#include <stdio.h>
#include <string.h>

#include "cfg_priv.h"

const struct sk_cfg_key sk_cfg_keys_route[] = {
	{ "dst", SK_CFG_T_STR, SK_CFG_F_REQUIRED, 0, 0, 0, 0, NULL, NULL,
	  "destination prefix, \"0.0.0.0/0\", \"2001:db8::/32\"" },
	{ "via", SK_CFG_T_STR, SK_CFG_F_REQUIRED, 0, 0, 0, 0, NULL, NULL,
	  "next hop address, on a connected subnet" },
	{ "interface", SK_CFG_T_STR, 0, 0, 0, 0, 0, NULL, "the one whose subnet holds `via`",
	  "egress interface" },
};
const size_t sk_cfg_nkeys_route = sizeof(sk_cfg_keys_route) / sizeof(sk_cfg_keys_route[0]);

const struct sk_cfg_key sk_cfg_keys_neigh[] = {
	{ "ip", SK_CFG_T_STR, SK_CFG_F_REQUIRED, 0, 0, 0, 0, NULL, NULL, "neighbour address" },
	{ "mac", SK_CFG_T_STR, SK_CFG_F_REQUIRED, 0, 0, 0, 0, NULL, NULL,
	  "its MAC, xx:xx:xx:xx:xx:xx" },
	{ "interface", SK_CFG_T_STR, SK_CFG_F_REQUIRED, 0, 0, 0, 0, NULL, NULL,
	  "interface it is reached on" },
};
const size_t sk_cfg_nkeys_neigh = sizeof(sk_cfg_keys_neigh) / sizeof(sk_cfg_keys_neigh[0]);

static const char *
str_of(const config_setting_t *s)
{
	return s != NULL ? config_setting_get_string(s) : NULL;
}

/* Interface named by setting s, or -1 after reporting it. */
static int
iface_ref(struct sk_cfg_ctx *c, const config_setting_t *s)
{
	const char *v = str_of(s);
	int id;

	if (v == NULL)
		return -1;
	id = sk_cfg_iface_id(c->cfg, v);
	if (id < 0)
		sk_cfg_err(c, s, "%s: unknown interface '%s'", c->where, v);
	return id;
}

static void
set_where(struct sk_cfg_ctx *c, const char *what, const config_setting_t *e, const char *key,
	  int i)
{
	const char *v = NULL;

	if (config_setting_type(e) == CONFIG_TYPE_GROUP &&
	    config_setting_lookup_string(e, key, &v) == CONFIG_TRUE)
		snprintf(c->where, sizeof(c->where), "%s \"%s\"", what, v);
	else
		snprintf(c->where, sizeof(c->where), "%ss[%d]", what, i);
}

static void
parse_route(struct sk_cfg_ctx *c, const config_setting_t *e)
{
	const config_setting_t *k[3];
	struct sk_cfg *cfg = c->cfg;
	struct sk_img_prefix dst;
	struct sk_img_route *r;
	uint8_t fam, gw[16];
	char buf[64];
	int iface = -1, errors = c->errors;
	uint32_t j;

	sk_cfg_walk(c, e, sk_cfg_keys_route, sk_cfg_nkeys_route, NULL, k);
	if (k[0] != NULL && sk_cfg_prefix_strict(c, k[0], "dst", str_of(k[0]), &dst) != 0)
		k[0] = NULL;
	if (k[1] != NULL && sk_cfg_parse_ip(str_of(k[1]), &fam, gw) != 0) {
		sk_cfg_err(c, k[1], "%s: via: bad address \"%s\"", c->where, str_of(k[1]));
		k[1] = NULL;
	}
	if (k[2] != NULL)
		iface = iface_ref(c, k[2]);
	if (k[1] == NULL || (k[2] != NULL && iface < 0))
		return;
	sk_cfg_ip_str(fam, gw, buf, sizeof(buf));
	if (k[0] != NULL && fam != dst.family) {
		sk_cfg_err(c, k[1], "%s: via %s is IPv%u but dst is IPv%u", c->where, buf, fam,
			   dst.family);
		return;
	}
	if (k[2] == NULL) {
		iface = sk_cfg_iface_on_link(cfg, fam, gw);
		if (iface < 0) {
			sk_cfg_err(c, k[1], "%s: via %s is not on any connected subnet", c->where,
				   buf);
			return;
		}
	} else {
		const struct sk_img_iface *f = sk_cfg_vec_at(&cfg->ifaces, (uint32_t)iface);

		for (j = 0; j < f->addr_count; j++)
			if (sk_cfg_pfx_contains(sk_cfg_vec_at(&cfg->addrs, f->addr_first + j),
						fam, gw))
				break;
		if (j == f->addr_count) {
			sk_cfg_err(c, k[1], "%s: via %s is not on a subnet of interface '%s'",
				   c->where, buf, f->name);
			return;
		}
	}
	if (k[0] == NULL || c->errors != errors)
		return;
	for (j = 0; j < cfg->routes.n; j++) {
		const struct sk_img_route *o = sk_cfg_vec_at(&cfg->routes, j);

		if (o->dst.family == dst.family && o->dst.plen == dst.plen &&
		    memcmp(o->dst.addr, dst.addr, 16) == 0) {
			sk_cfg_err(c, k[0], "%s: duplicate route (%s)", c->where,
				   o->connected ? "a connected route covers it" :
				   "an earlier static route has the same dst");
			return;
		}
	}
	r = sk_cfg_vec_push(&cfg->routes);
	if (r == NULL) {
		c->oom = 1;
		return;
	}
	r->dst = dst;
	memcpy(r->gw, gw, 16);
	r->iface = (uint16_t)iface;
	r->has_gw = 1;
}

void
sk_cfg_parse_routes(struct sk_cfg_ctx *c, const config_setting_t *g)
{
	int i, n;

	snprintf(c->where, sizeof(c->where), "routes");
	if (!sk_cfg_is_list(c, g, "routes"))
		return;
	n = config_setting_length(g);
	for (i = 0; i < n && !c->oom; i++) {
		const config_setting_t *e = config_setting_get_elem(g, (unsigned int)i);

		set_where(c, "route", e, "dst", i);
		parse_route(c, e);
	}
}

static void
parse_neigh(struct sk_cfg_ctx *c, const config_setting_t *e)
{
	const config_setting_t *k[3];
	struct sk_cfg *cfg = c->cfg;
	struct sk_img_neigh nb, *q;
	uint32_t j;
	int iface = -1, bad = 0;

	memset(&nb, 0, sizeof(nb));
	sk_cfg_walk(c, e, sk_cfg_keys_neigh, sk_cfg_nkeys_neigh, NULL, k);
	if (k[0] != NULL && sk_cfg_parse_ip(str_of(k[0]), &nb.family, nb.ip) != 0) {
		sk_cfg_err(c, k[0], "%s: ip: bad address \"%s\"", c->where, str_of(k[0]));
		bad = 1;
	}
	if (k[1] != NULL && (sk_cfg_parse_mac(str_of(k[1]), nb.mac) != 0 || (nb.mac[0] & 1))) {
		sk_cfg_err(c, k[1], "%s: bad MAC \"%s\" (want a unicast xx:xx:xx:xx:xx:xx)",
			   c->where, str_of(k[1]));
		bad = 1;
	}
	if (k[2] != NULL)
		iface = iface_ref(c, k[2]);
	if (bad || iface < 0 || k[0] == NULL || k[1] == NULL)
		return;
	if (sk_cfg_iface_on_link(cfg, nb.family, nb.ip) != iface) {
		sk_cfg_err(c, k[0], "%s: not on a connected subnet of interface '%s'", c->where,
			   str_of(k[2]));
		return;
	}
	for (j = 0; j < cfg->neighs.n; j++) {
		const struct sk_img_neigh *o = sk_cfg_vec_at(&cfg->neighs, j);

		if (o->family == nb.family && memcmp(o->ip, nb.ip, 16) == 0) {
			sk_cfg_err(c, k[0], "%s: duplicate neighbour", c->where);
			return;
		}
	}
	q = sk_cfg_vec_push(&cfg->neighs);
	if (q == NULL) {
		c->oom = 1;
		return;
	}
	nb.iface = (uint16_t)iface;
	*q = nb;
}

void
sk_cfg_parse_neighbors(struct sk_cfg_ctx *c, const config_setting_t *g)
{
	int i, n;

	snprintf(c->where, sizeof(c->where), "neighbors");
	if (!sk_cfg_is_list(c, g, "neighbors"))
		return;
	n = config_setting_length(g);
	for (i = 0; i < n && !c->oom; i++) {
		const config_setting_t *e = config_setting_get_elem(g, (unsigned int)i);

		set_where(c, "neighbor", e, "ip", i);
		parse_neigh(c, e);
	}
}
