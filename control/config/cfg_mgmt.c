/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cfg_mgmt.c - the `management` group: where the REST API listens, who may
 * reach it (admin networks), who may use it (bearer tokens, stored only as
 * SHA-256 hashes), its TLS certificate and the control plane's state
 * directory.  Read by sekisho-cp only; nothing here reaches the image.
 *
 * A management plane open to the world is how appliances get owned minutes
 * after they get an address, so a non-loopback listen address without
 * admin_networks is an error rather than "allow all".
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_priv.h"

#define MG(f) offsetof(struct sk_cfg_mgmt, f), sizeof(((struct sk_cfg_mgmt *)0)->f)
#define TK(f) offsetof(struct sk_cfg_mgmt_token, f), sizeof(((struct sk_cfg_mgmt_token *)0)->f)

#define SK_CFG_MGMT_DEFAULT_LISTEN "127.0.0.1:8443"
#define SK_CFG_MGMT_DEFAULT_STATE  "/var/lib/sekisho"

static void set_listen(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
		       const struct sk_cfg_key *k);
static void set_path(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
		     const struct sk_cfg_key *k);
static void set_sha256(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
		       const struct sk_cfg_key *k);

/* Nothing here touches the dataplane.  listen, tls and state_dir are read
 * when sekisho-cp starts (SK_CFG_F_RESTART: a restart of sekisho-cp, not of
 * the dataplane); tokens and admin_networks apply at commit. */
const struct sk_cfg_key sk_cfg_keys_mgmt[] = {
	{ "listen", SK_CFG_T_STR, SK_CFG_F_RESTART, 0, 0, MG(listen), set_listen,
	  "\"" SK_CFG_MGMT_DEFAULT_LISTEN "\"",
	  "REST address \"ADDR:PORT\" or \"[v6]:PORT\" (sekisho-cp restart)" },
	{ "admin_networks", SK_CFG_T_LIST, 0, 0, 0, 0, 0, NULL, "loopback only",
	  "client prefixes allowed; required unless listen is loopback" },
	{ "tokens", SK_CFG_T_LIST, 0, 0, 0, 0, 0, NULL, "( )",
	  "bearer tokens { name; sha256; }; none: the API is off" },
	{ "tls", SK_CFG_T_GROUP, SK_CFG_F_RESTART, 0, 0, 0, 0, NULL,
	  "self-signed in state_dir/tls", "{ cert; key; } PEM files (sekisho-cp restart)" },
	{ "state_dir", SK_CFG_T_STR, SK_CFG_F_RESTART, 0, 0, MG(state_dir), set_path,
	  "\"" SK_CFG_MGMT_DEFAULT_STATE "\"",
	  "archives, keys, generated TLS (sekisho-cp restart)" },
};
const size_t sk_cfg_nkeys_mgmt = sizeof(sk_cfg_keys_mgmt) / sizeof(sk_cfg_keys_mgmt[0]);

enum { M_LISTEN, M_NETS, M_TOKENS, M_TLS, M_STATE };

const struct sk_cfg_key sk_cfg_keys_mgmt_token[] = {
	{ "name", SK_CFG_T_STR, SK_CFG_F_REQUIRED, 0, 0, TK(name), sk_cfg_set_name, NULL,
	  "who: shown in the access log" },
	{ "sha256", SK_CFG_T_STR, SK_CFG_F_REQUIRED, 0, 0, TK(sha256), set_sha256, NULL,
	  "SHA-256 of the token, 64 hex digits (never the token itself)" },
};
const size_t sk_cfg_nkeys_mgmt_token =
	sizeof(sk_cfg_keys_mgmt_token) / sizeof(sk_cfg_keys_mgmt_token[0]);

const struct sk_cfg_key sk_cfg_keys_mgmt_tls[] = {
	{ "cert", SK_CFG_T_STR, SK_CFG_F_REQUIRED | SK_CFG_F_RESTART, 0, 0, MG(tls_cert), set_path, NULL,
	  "PEM certificate (chain) file" },
	{ "key", SK_CFG_T_STR, SK_CFG_F_REQUIRED | SK_CFG_F_RESTART, 0, 0, MG(tls_key), set_path, NULL,
	  "PEM private key file" },
};
const size_t sk_cfg_nkeys_mgmt_tls = sizeof(sk_cfg_keys_mgmt_tls) / sizeof(sk_cfg_keys_mgmt_tls[0]);

const struct sk_cfg_mgmt *
sk_cfg_mgmt(const struct sk_cfg *cfg)
{
	return &cfg->mgmt;
}

const struct sk_cfg_mgmt *
sk_cfg_mgmt_unit(const struct sk_cfg *cfg, unsigned int unit)
{
	if (unit < 1 || unit > 2 || cfg->unit_listen[unit - 1][0] == '\0')
		return &cfg->mgmt;
	return &cfg->mgmt_unit[unit - 1];
}

static int is_loopback(uint8_t family, const uint8_t a[16]);

/* Each unit's copy of the settings with its own listen address (HA). */
static void
unit_listens(struct sk_cfg_ctx *c, int have_nets)
{
	struct sk_cfg *cfg = c->cfg;
	int i;

	for (i = 0; i < 2; i++) {
		struct sk_cfg_mgmt *u = &cfg->mgmt_unit[i];

		*u = cfg->mgmt;
		if (cfg->unit_listen[i][0] == '\0')
			continue;
		snprintf(u->listen, sizeof(u->listen), "%s", cfg->unit_listen[i]);
		if (sk_cfg_parse_listen(u->listen, &u->listen_family, u->listen_addr,
					&u->listen_port) != 0)
			continue; /* reported where the key was read */
		if (!have_nets && !is_loopback(u->listen_family, u->listen_addr))
			sk_cfg_err(c, c->unit_listen_set[i], "ha: units[%d]: management_listen \"%s\" "
				   "is not a loopback address: management.admin_networks is "
				   "required (the prefixes allowed to reach the API)", i, u->listen);
	}
}

int
sk_cfg_parse_listen(const char *v, uint8_t *family, uint8_t addr[16], uint16_t *port_out)
{
	char host[64];
	const char *port;
	size_t n;
	char *end;
	unsigned long p;

	if (v[0] == '[') {
		const char *close = strchr(v, ']');

		if (close == NULL || close[1] != ':')
			return -1;
		n = (size_t)(close - v - 1);
		port = close + 2;
		if (n == 0 || n >= sizeof(host))
			return -1;
		memcpy(host, v + 1, n);
		host[n] = '\0';
		if (strchr(host, ':') == NULL)
			return -1;
	} else {
		const char *colon = strrchr(v, ':');

		if (colon == NULL || memchr(v, ':', (size_t)(colon - v)) != NULL)
			return -1; /* a bare IPv6 address needs its brackets */
		n = (size_t)(colon - v);
		port = colon + 1;
		if (n == 0 || n >= sizeof(host))
			return -1;
		memcpy(host, v, n);
		host[n] = '\0';
	}
	if (sk_cfg_parse_ip(host, family, addr) != 0)
		return -1;
	if (*port < '0' || *port > '9' || strlen(port) > 5)
		return -1;
	p = strtoul(port, &end, 10);
	if (*end != '\0' || p == 0 || p > 65535)
		return -1;
	*port_out = (uint16_t)p;
	return 0;
}

static int
parse_listen(const char *v, struct sk_cfg_mgmt *m)
{
	return sk_cfg_parse_listen(v, &m->listen_family, m->listen_addr, &m->listen_port);
}

static void
set_listen(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
	   const struct sk_cfg_key *k)
{
	struct sk_cfg_mgmt *m = obj;
	const char *v = config_setting_get_string(s);

	if (parse_listen(v, m) != 0) {
		sk_cfg_err(c, s, "management: listen \"%s\" is not \"ADDR:PORT\" (an IP address "
			   "and a port 1..65535; IPv6 as \"[::1]:8443\")", v);
		return;
	}
	sk_cfg_set_str(c, s, obj, k);
}

static void
set_path(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
	 const struct sk_cfg_key *k)
{
	const char *v = config_setting_get_string(s);

	if (v[0] != '/') {
		sk_cfg_err(c, s, "%s: %s \"%s\" must be an absolute path", c->where, k->name, v);
		return;
	}
	sk_cfg_set_str(c, s, obj, k);
}

static void
set_sha256(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
	   const struct sk_cfg_key *k)
{
	const char *v = config_setting_get_string(s);
	char *dst = (char *)obj + k->off;
	size_t i;

	if (strlen(v) != 64 || strspn(v, "0123456789abcdefABCDEF") != 64) {
		sk_cfg_err(c, s, "%s: sha256 must be 64 hex digits, the SHA-256 of the token "
			   "(e.g. printf %%s TOKEN | sha256sum); never the token itself",
			   c->where);
		return;
	}
	for (i = 0; i < 64; i++)
		dst[i] = (char)((v[i] >= 'A' && v[i] <= 'F') ? v[i] - 'A' + 'a' : v[i]);
	dst[64] = '\0';
}

static int
is_loopback(uint8_t family, const uint8_t a[16])
{
	static const uint8_t v6lo[16] = { [15] = 1 };

	return family == 4 ? a[0] == 127 : memcmp(a, v6lo, 16) == 0;
}

static void
parse_nets(struct sk_cfg_ctx *c, const config_setting_t *l)
{
	struct sk_cfg_mgmt *m = &c->cfg->mgmt;
	int i, n;

	if (!sk_cfg_is_list(c, l, "admin_networks"))
		return;
	n = config_setting_length(l);
	m->n_nets = 0;
	if (n == 0)
		sk_cfg_err(c, l, "management: admin_networks is empty: nobody could manage the "
			   "unit (leave it out for loopback only)");
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(l, (unsigned int)i);
		struct sk_img_prefix p;
		struct sk_cfg_mgmt_net *net;

		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			sk_cfg_err(c, e, "management: admin_networks entries must be strings "
				   "like \"198.51.100.0/24\"");
			continue;
		}
		if (sk_cfg_prefix_strict(c, e, "admin_networks", config_setting_get_string(e),
					 &p) != 0)
			continue;
		if (m->n_nets == SK_CFG_MGMT_MAX_NETS) {
			sk_cfg_err(c, e, "management: at most %d admin_networks",
				   SK_CFG_MGMT_MAX_NETS);
			return;
		}
		net = &m->nets[m->n_nets++];
		net->family = p.family;
		net->plen = p.plen;
		memcpy(net->addr, p.addr, 16);
	}
}

static void
parse_tokens(struct sk_cfg_ctx *c, const config_setting_t *l)
{
	struct sk_cfg_mgmt *m = &c->cfg->mgmt;
	int i, n;
	uint32_t j;

	if (!sk_cfg_is_list(c, l, "tokens"))
		return;
	n = config_setting_length(l);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(l, (unsigned int)i);
		struct sk_cfg_mgmt_token t;
		int before = c->errors;

		if (m->n_tokens == SK_CFG_MGMT_MAX_TOKENS) {
			sk_cfg_err(c, e, "management: at most %d tokens", SK_CFG_MGMT_MAX_TOKENS);
			return;
		}
		memset(&t, 0, sizeof(t));
		snprintf(c->where, sizeof(c->where), "management.tokens[%d]", i);
		sk_cfg_walk(c, e, sk_cfg_keys_mgmt_token, sk_cfg_nkeys_mgmt_token, &t, NULL);
		snprintf(c->where, sizeof(c->where), "management");
		if (c->errors != before)
			continue;
		for (j = 0; j < m->n_tokens; j++) {
			if (strcmp(m->tokens[j].name, t.name) == 0)
				sk_cfg_err(c, e, "management: token name '%s' used twice", t.name);
			else if (strcmp(m->tokens[j].sha256, t.sha256) == 0)
				sk_cfg_err(c, e, "management: tokens '%s' and '%s' have the same "
					   "sha256", m->tokens[j].name, t.name);
		}
		if (c->errors == before)
			m->tokens[m->n_tokens++] = t;
	}
}

static void
defaults(struct sk_cfg_mgmt *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->listen, sizeof(m->listen), "%s", SK_CFG_MGMT_DEFAULT_LISTEN);
	(void)parse_listen(m->listen, m);
	snprintf(m->state_dir, sizeof(m->state_dir), "%s", SK_CFG_MGMT_DEFAULT_STATE);
}

/* Loopback only: what admin_networks means when it is left out. */
static void
default_nets(struct sk_cfg_mgmt *m)
{
	m->n_nets = 2;
	m->nets[0].family = 4;
	m->nets[0].plen = 8;
	m->nets[0].addr[0] = 127;
	m->nets[1].family = 6;
	m->nets[1].plen = 128;
	m->nets[1].addr[15] = 1;
}

void
sk_cfg_parse_management(struct sk_cfg_ctx *c, const config_setting_t *g)
{
	const config_setting_t *found[SK_CFG_MAX_KEYS];
	struct sk_cfg_mgmt *m = &c->cfg->mgmt;

	defaults(m);
	default_nets(m);
	if (g == NULL) {
		unit_listens(c, 0);
		return;
	}
	snprintf(c->where, sizeof(c->where), "management");
	sk_cfg_walk(c, g, sk_cfg_keys_mgmt, sk_cfg_nkeys_mgmt, m, found);
	if (found[M_NETS] != NULL)
		parse_nets(c, found[M_NETS]);
	else if (!is_loopback(m->listen_family, m->listen_addr))
		sk_cfg_err(c, found[M_LISTEN] ? found[M_LISTEN] : g,
			   "management: listen \"%s\" is not a loopback address: admin_networks "
			   "is required (the prefixes allowed to reach the API)", m->listen);
	if (found[M_TOKENS] != NULL)
		parse_tokens(c, found[M_TOKENS]);
	if (found[M_TLS] != NULL) {
		snprintf(c->where, sizeof(c->where), "management.tls");
		sk_cfg_walk(c, found[M_TLS], sk_cfg_keys_mgmt_tls, sk_cfg_nkeys_mgmt_tls, m, NULL);
		snprintf(c->where, sizeof(c->where), "management");
	}
	unit_listens(c, found[M_NETS] != NULL);
}
