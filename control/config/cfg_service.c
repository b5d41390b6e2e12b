/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cfg_service.c - the `services` list: virtual services (VIP, protocol, port
 * range) spread over backends by a scheduler, with their health checks and,
 * for fullnat, the unit's own source addresses.  Services reload live once
 * the data path uses them.
 *
 * A VIP may be an address of an interface: the service then takes only its
 * protocol and ports, and everything else sent to that address still reaches
 * the unit itself (a small site balancing port 80 on its outside address).
 * What is refused is what makes a packet's service ambiguous (two services
 * of one VIP and protocol with overlapping ports) or a service that cannot
 * work (no backend, backends of the other family, fullnat without sources).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cfg_priv.h"
#include "sk_prime.h"

#define WORDS(e, w) #w,
static const char *const sched_names[] = { SK_LB_SCHED_LIST(WORDS) };
static const char *const fwd_names[] = { SK_LB_FWD_LIST(WORDS) };
static const char *const state_names[] = { SK_LB_STATE_LIST(WORDS) };
static const char *const hc_names[] = { SK_LB_HC_LIST(WORDS) };
#undef WORDS

/* One of names[] into *out, or an error listing the words allowed. */
static void
pick(struct sk_cfg_ctx *c, const config_setting_t *s, const char *key,
     const char *const *names, size_t n, uint8_t *out)
{
	const char *v = config_setting_get_string(s);
	char list[128];
	size_t i, o = 0;

	for (i = 0; i < n; i++)
		if (strcmp(v, names[i]) == 0) {
			*out = (uint8_t)i;
			return;
		}
	list[0] = '\0';
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(list + o, o < sizeof(list) ? sizeof(list) - o : 0,
				      "%s\"%s\"", i == 0 ? "" : i + 1 == n ? " or " : ", ",
				      names[i]);
	sk_cfg_err(c, s, "%s: %s \"%s\" must be %s", c->where, key, v, list);
}

/* A single address (no prefix length) that can be a unicast destination. */
static int
host_addr(struct sk_cfg_ctx *c, const config_setting_t *s, const char *key, uint8_t *family,
	  uint8_t addr[16])
{
	static const uint8_t zero[16];
	const char *v = config_setting_get_string(s);

	memset(addr, 0, 16);
	if (v == NULL || sk_cfg_parse_ip(v, family, addr) != 0) {
		sk_cfg_err(c, s, "%s: %s: bad address \"%s\" (want \"192.0.2.1\" or "
			   "\"2001:db8::1\", no prefix length)", c->where, key, v ? v : "?");
		return -1;
	}
	if (memcmp(addr, zero, *family == 4 ? 4 : 16) == 0 ||
	    (*family == 4 && (addr[0] == 127 || addr[0] >= 224)) ||
	    (*family == 6 && (addr[0] == 0xff ||
			      (memcmp(addr, zero, 15) == 0 && addr[15] == 1)))) {
		sk_cfg_err(c, s, "%s: %s: \"%s\" is not a unicast address", c->where, key, v);
		return -1;
	}
	return 0;
}

/* ---- services[].health ---- */

enum { H_TYPE, H_PORT, H_PATH, H_STATUS, H_INTERVAL, H_TIMEOUT, H_RISE, H_FALL, H__MAX };

static void
h_type(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	pick(c, s, k->name, hc_names, SK_LB_HC__MAX, &((struct sk_img_service *)obj)->hc_type);
}

static void
h_path(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	const char *v = config_setting_get_string(s);
	size_t i;

	/* It goes into a request line as is: no spaces, no control characters. */
	for (i = 0; v[i] != '\0'; i++)
		if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] >= 0x7f)
			break;
	if (v[0] != '/' || v[i] != '\0') {
		sk_cfg_err(c, s, "%s: path \"%s\" must begin with '/' and hold no spaces or "
			   "control characters", c->where, v);
		return;
	}
	sk_cfg_set_str(c, s, obj, k);
}

#define SV(f) offsetof(struct sk_img_service, f), sizeof(((struct sk_img_service *)0)->f)

/* Order must match the H_* enum. */
const struct sk_cfg_key sk_cfg_keys_health[] = {
	{ "type", SK_CFG_T_STR, 0, 0, 0, 0, 0, h_type, "\"tcp\"",
	  "\"tcp\", \"http\", \"https\" or \"none\"" },
	{ "port", SK_CFG_T_INT, 0, 0, 65535, SV(hc_port), sk_cfg_set_uint, "0",
	  "port probed; 0 = the backend's port" },
	{ "path", SK_CFG_T_STR, 0, 0, 0, SV(hc_path), h_path, "\"/\"", "http/https: GET path" },
	{ "status", SK_CFG_T_INT, 0, 100, 599, SV(hc_status), sk_cfg_set_uint, "200",
	  "http/https: expected status" },
	{ "interval_ms", SK_CFG_T_INT, 0, 100, 3600000, SV(hc_interval_ms), sk_cfg_set_uint,
	  "2000", "between probes of one backend" },
	{ "timeout_ms", SK_CFG_T_INT, 0, 10, 3600000, SV(hc_timeout_ms), sk_cfg_set_uint, "1000",
	  "a probe fails after this; less than interval_ms" },
	{ "rise", SK_CFG_T_INT, 0, 1, 100, SV(hc_rise), sk_cfg_set_uint, "2",
	  "successes before a backend is healthy" },
	{ "fall", SK_CFG_T_INT, 0, 1, 100, SV(hc_fall), sk_cfg_set_uint, "3",
	  "failures before it is not" },
};
const size_t sk_cfg_nkeys_health = sizeof(sk_cfg_keys_health) / sizeof(sk_cfg_keys_health[0]);

static void
parse_health(struct sk_cfg_ctx *c, const config_setting_t *g, struct sk_img_service *sv)
{
	const config_setting_t *k[H__MAX];
	char where[sizeof(c->where)];
	int i;

	memcpy(where, c->where, sizeof(where));
	snprintf(c->where, sizeof(c->where), "%.80s health", where);
	/* A type that did not parse leaves the sentinel: no cross checks then,
	 * they would only guess at what was meant. */
	sv->hc_type = SK_LB_HC__MAX;
	sk_cfg_walk(c, g, sk_cfg_keys_health, sk_cfg_nkeys_health, sv, k);
	if (sv->hc_type == SK_LB_HC__MAX) {
		sv->hc_type = SK_LB_HC_TCP;
		if (k[H_TYPE] != NULL)
			goto out;
	}
	if (config_setting_type(g) == CONFIG_TYPE_GROUP) {
		int web = sv->hc_type == SK_LB_HC_HTTP || sv->hc_type == SK_LB_HC_HTTPS;

		if (sv->hc_type == SK_LB_HC_NONE) {
			for (i = H_PORT; i < H__MAX; i++)
				if (k[i] != NULL)
					sk_cfg_err(c, k[i], "%s: %s has no meaning with type \"none\"",
						   c->where, sk_cfg_keys_health[i].name);
		} else {
			if (!web && k[H_PATH] != NULL)
				sk_cfg_err(c, k[H_PATH], "%s: path needs type \"http\" or \"https\"",
					   c->where);
			if (!web && k[H_STATUS] != NULL)
				sk_cfg_err(c, k[H_STATUS], "%s: status needs type \"http\" or "
					   "\"https\"", c->where);
			if (sv->hc_timeout_ms >= sv->hc_interval_ms)
				sk_cfg_err(c, k[H_TIMEOUT] ? k[H_TIMEOUT] : k[H_INTERVAL] ?
					   k[H_INTERVAL] : g, "%s: timeout_ms = %u must be less "
					   "than interval_ms = %u", c->where, sv->hc_timeout_ms,
					   sv->hc_interval_ms);
		}
	}
out:
	memcpy(c->where, where, sizeof(where));
}

/* ---- services[].backends ---- */

static void
b_addr(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	struct sk_img_backend *b = obj;

	if (host_addr(c, s, k->name, &b->family, b->addr) != 0)
		b->family = 0;
}

static void
b_state(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	pick(c, s, k->name, state_names, SK_LB_BE__MAX, &((struct sk_img_backend *)obj)->state);
}

#define BE(f) offsetof(struct sk_img_backend, f), sizeof(((struct sk_img_backend *)0)->f)

const struct sk_cfg_key sk_cfg_keys_backend[] = {
	{ "name", SK_CFG_T_STR, SK_CFG_F_REQUIRED, 0, 0, BE(name), sk_cfg_set_name, NULL,
	  "backend name, unique within the service" },
	{ "address", SK_CFG_T_STR, SK_CFG_F_REQUIRED, 0, 0, 0, 0, b_addr, NULL,
	  "backend address, the family of the VIP" },
	{ "port", SK_CFG_T_INT, 0, 0, 65535, BE(port), sk_cfg_set_uint, "0",
	  "backend port; 0 = the client's destination port" },
	{ "weight", SK_CFG_T_INT, 0, 0, 65535, BE(weight), sk_cfg_set_uint, "1",
	  "share of new connections; 0 = none" },
	{ "state", SK_CFG_T_STR, 0, 0, 0, 0, 0, b_state, "\"up\"",
	  "\"up\", \"drain\" or \"disabled\"" },
	{ "conn_limit", SK_CFG_T_INT, 0, 0, SK_LB_CONN_LIMIT_MAX, BE(conn_limit), sk_cfg_set_uint,
	  "0", "connections to this backend; 0 = no limit" },
};
const size_t sk_cfg_nkeys_backend = sizeof(sk_cfg_keys_backend) / sizeof(sk_cfg_keys_backend[0]);

static void
parse_backends(struct sk_cfg_ctx *c, const config_setting_t *g, struct sk_img_service *sv)
{
	struct sk_cfg *cfg = c->cfg;
	char where[sizeof(c->where)], ip[64];
	int i, n;

	sv->backend_first = cfg->backends.n;
	if (!sk_cfg_is_list(c, g, "backends"))
		return;
	n = config_setting_length(g);
	if (n == 0)
		sk_cfg_err(c, g, "%s: at least one backend is needed", c->where);
	if (n > SK_LB_MAX_BACKENDS) {
		sk_cfg_err(c, g, "%s: more than %d backends", c->where, SK_LB_MAX_BACKENDS);
		return;
	}
	memcpy(where, c->where, sizeof(where));
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(g, (unsigned int)i);
		const config_setting_t *k[8];
		struct sk_img_backend b, *q;
		const char *name = NULL;
		uint32_t j;

		memset(&b, 0, sizeof(b));
		b.weight = 1;
		b.state = SK_LB_BE_UP;
		b.service = cfg->services.n;
		b.line = config_setting_source_line(e);
		if (config_setting_type(e) == CONFIG_TYPE_GROUP &&
		    config_setting_lookup_string(e, "name", &name) == CONFIG_TRUE)
			snprintf(c->where, sizeof(c->where), "%.60s backend '%s'", where, name);
		else
			snprintf(c->where, sizeof(c->where), "%.60s backends[%d]", where, i);
		sk_cfg_walk(c, e, sk_cfg_keys_backend, sk_cfg_nkeys_backend, &b, k);
		if (b.family != 0 && sv->family != 0 && b.family != sv->family)
			sk_cfg_err(c, k[1], "%s: an IPv%u backend for an IPv%u VIP", c->where,
				   b.family, sv->family);
		for (j = sv->backend_first; j < cfg->backends.n; j++) {
			q = sk_cfg_vec_at(&cfg->backends, j);
			if (b.name[0] != '\0' && strcmp(q->name, b.name) == 0) {
				sk_cfg_err(c, k[0], "%s: duplicate backend name (first at line %u)",
					   c->where, q->line);
				break;
			}
			if (b.family != 0 && q->family == b.family && q->port == b.port &&
			    memcmp(q->addr, b.addr, 16) == 0) {
				sk_cfg_ip_str(b.family, b.addr, ip, sizeof(ip));
				sk_cfg_err(c, k[1], "%s: %s port %u is already backend '%s' (line %u)",
					   c->where, ip, b.port, q->name, q->line);
				break;
			}
		}
		q = sk_cfg_vec_push(&cfg->backends);
		if (q == NULL) {
			c->oom = 1;
			break;
		}
		*q = b;
	}
	memcpy(c->where, where, sizeof(where));
	sv->backend_count = cfg->backends.n - sv->backend_first;
}

/* ---- services[] ---- */

enum { S_NAME, S_VIP, S_PROTO, S_PORT, S_SCHED, S_MAGLEV, S_FWD, S_SNAT, S_PERSIST, S_CONNLIM,
	S_BACKENDS, S_HEALTH, S_SYNPROXY, S__MAX };

static void
s_vip(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	struct sk_img_service *sv = obj;

	if (host_addr(c, s, k->name, &sv->family, sv->vip) != 0)
		sv->family = 0;
}

static void
s_proto(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	const char *v = config_setting_get_string(s);

	(void)k;
	if (strcmp(v, "tcp") == 0)
		((struct sk_img_service *)obj)->proto = 6;
	else if (strcmp(v, "udp") == 0)
		((struct sk_img_service *)obj)->proto = 17;
	else
		sk_cfg_err(c, s, "%s: proto \"%s\" must be \"tcp\" or \"udp\"", c->where, v);
}

static void
s_port(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	struct sk_img_service *sv = obj;
	uint32_t lo, hi;

	(void)k;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		const char *v = config_setting_get_string(s);

		if (sk_cfg_parse_ports(v, &lo, &hi) != 0 || lo == 0) {
			sk_cfg_err(c, s, "%s: port \"%s\" is not a port or range 1..65535 "
				   "(\"80\", \"8000-8010\")", c->where, v);
			return;
		}
		if (lo > hi) {
			sk_cfg_err(c, s, "%s: port range \"%s\" is inverted (did you mean "
				   "\"%u-%u\"?)", c->where, v, hi, lo);
			return;
		}
	} else {
		long long v = config_setting_get_int64(s);

		if (v < 1 || v > 65535) {
			sk_cfg_err(c, s, "%s: port = %lld is out of range 1..65535", c->where, v);
			return;
		}
		lo = hi = (uint32_t)v;
	}
	sv->port_lo = (uint16_t)lo;
	sv->port_hi = (uint16_t)hi;
}

static void
s_sched(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	pick(c, s, k->name, sched_names, SK_LB_SCHED__MAX, &((struct sk_img_service *)obj)->sched);
}

static void
s_fwd(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	pick(c, s, k->name, fwd_names, SK_LB_FWD__MAX, &((struct sk_img_service *)obj)->fwd);
}

/* Order must match the S_* enum. */
const struct sk_cfg_key sk_cfg_keys_service[] = {
	{ "name", SK_CFG_T_STR, SK_CFG_F_REQUIRED, 0, 0, SV(name), sk_cfg_set_name, NULL,
	  "service name, unique; shown in counters and logs" },
	{ "vip", SK_CFG_T_STR, SK_CFG_F_REQUIRED, 0, 0, 0, 0, s_vip, NULL,
	  "virtual address, \"203.0.113.80\" or \"2001:db8::80\"" },
	{ "proto", SK_CFG_T_STR, SK_CFG_F_REQUIRED, 0, 0, 0, 0, s_proto, NULL,
	  "\"tcp\" or \"udp\"" },
	{ "port", SK_CFG_T_STR | SK_CFG_T_INT, SK_CFG_F_REQUIRED, 0, 0, 0, 0, s_port, NULL,
	  "VIP port or range, \"80\", \"8000-8010\"" },
	{ "scheduler", SK_CFG_T_STR, 0, 0, 0, 0, 0, s_sched, "\"maglev\"",
	  "\"maglev\", \"wrr\", \"wlc\" or \"sh\"" },
	{ "maglev_size", SK_CFG_T_INT, 0, 1, SK_LB_MAGLEV_MAX, SV(maglev_size), sk_cfg_set_uint,
	  "65537", "maglev: lookup table size, a prime > backends" },
	{ "forward", SK_CFG_T_STR, 0, 0, 0, 0, 0, s_fwd, "\"dnat\"", "\"dnat\" or \"fullnat\"" },
	{ "snat", SK_CFG_T_LIST, 0, 0, 0, 0, 0, NULL, "[ ]",
	  "fullnat: source addresses of the unit on the backends' side" },
	{ "persist_s", SK_CFG_T_INT, 0, 0, SK_LB_PERSIST_MAX, SV(persist_s), sk_cfg_set_uint, "0",
	  "source-IP persistence timeout; 0 = off" },
	{ "conn_limit", SK_CFG_T_INT, 0, 0, SK_LB_CONN_LIMIT_MAX, SV(conn_limit), sk_cfg_set_uint,
	  "0", "connections to the service; 0 = no limit" },
	{ "backends", SK_CFG_T_LIST, SK_CFG_F_REQUIRED, 0, 0, 0, 0, NULL, NULL,
	  "at least one, see services[].backends[]" },
	{ "health", SK_CFG_T_GROUP, 0, 0, 0, 0, 0, NULL, "tcp connect",
	  "health check, see services[].health" },
	{ "synproxy", SK_CFG_T_BOOL, 0, 0, 0, SV(synproxy), sk_cfg_set_bool, "false",
	  "tcp: answer SYNs with SYN cookies, open the backend side on a valid ACK" },
};
const size_t sk_cfg_nkeys_service = sizeof(sk_cfg_keys_service) / sizeof(sk_cfg_keys_service[0]);

/*
 * The IPv4 subnet's network or broadcast address of a connected prefix
 * holding a (prefixes up to /30; /31 and /32 have neither), else NULL.
 * The dataplane drops packets to a subnet broadcast before NAT, and a host
 * would not answer such a source anyway, so an SNAT address there is refused.
 */
static const char *
snat_subnet_edge(const struct sk_cfg *cfg, uint8_t family, const uint8_t addr[16],
		 const struct sk_img_prefix **on)
{
	uint32_t i, a, host;

	if (family != 4)
		return NULL;
	a = ((uint32_t)addr[0] << 24) | ((uint32_t)addr[1] << 16) | ((uint32_t)addr[2] << 8) |
	    addr[3];
	for (i = 0; i < cfg->addrs.n; i++) {
		const struct sk_img_prefix *p = sk_cfg_vec_at(&cfg->addrs, i);

		if (p->plen > 30 || !sk_cfg_pfx_contains(p, family, addr))
			continue;
		host = (uint32_t)((1ull << (32 - p->plen)) - 1);
		*on = p;
		if ((a & host) == 0)
			return "network";
		if ((a & host) == host)
			return "broadcast";
	}
	return NULL;
}

static void
parse_snat(struct sk_cfg_ctx *c, const config_setting_t *g, struct sk_img_service *sv)
{
	struct sk_cfg *cfg = c->cfg;
	char ip[64];
	int i, n;

	sv->snat_first = cfg->snats.n;
	if (!sk_cfg_is_list(c, g, "snat"))
		return;
	n = config_setting_length(g);
	if (n > SK_LB_MAX_SNAT) {
		sk_cfg_err(c, g, "%s: more than %d snat addresses", c->where, SK_LB_MAX_SNAT);
		return;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(g, (unsigned int)i);
		const struct sk_img_prefix *on = NULL;
		struct sk_img_prefix p, *q;
		const char *edge;
		uint32_t j;
		int ifc;

		memset(&p, 0, sizeof(p));
		if (host_addr(c, e, "snat", &p.family, p.addr) != 0)
			continue;
		sk_cfg_ip_str(p.family, p.addr, ip, sizeof(ip));
		if (sv->family != 0 && p.family != sv->family) {
			sk_cfg_err(c, e, "%s: snat: %s is IPv%u but the VIP is IPv%u", c->where, ip,
				   p.family, sv->family);
			continue;
		}
		ifc = sk_cfg_iface_on_link(cfg, p.family, p.addr);
		if (ifc < 0) {
			sk_cfg_err(c, e, "%s: snat: %s is on no connected subnet", c->where, ip);
			continue;
		}
		edge = snat_subnet_edge(cfg, p.family, p.addr, &on);
		if (edge != NULL) {
			struct sk_img_prefix nw = *on;
			char net[64];

			sk_cfg_pfx_mask(&nw);
			sk_cfg_ip_str(nw.family, nw.addr, net, sizeof(net));
			sk_cfg_err(c, e, "%s: snat: %s is the %s address of %s/%u", c->where, ip,
				   edge, net, nw.plen);
			continue;
		}
		for (j = sv->snat_first; j < cfg->snats.n; j++)
			if (memcmp(((struct sk_img_prefix *)sk_cfg_vec_at(&cfg->snats, j))->addr,
				   p.addr, 16) == 0)
				break;
		if (j < cfg->snats.n) {
			sk_cfg_err(c, e, "%s: snat: %s is listed twice", c->where, ip);
			continue;
		}
		p.plen = p.family == 4 ? 32 : 128;
		p.iface = (uint16_t)ifc;
		q = sk_cfg_vec_push(&cfg->snats);
		if (q == NULL) {
			c->oom = 1;
			return;
		}
		*q = p;
	}
	sv->snat_count = cfg->snats.n - sv->snat_first;
}

/* The checks that need several keys, or earlier services. */
static void
service_cross_checks(struct sk_cfg_ctx *c, struct sk_img_service *sv,
		     const config_setting_t **k)
{
	const struct sk_cfg *cfg = c->cfg;
	uint32_t j;

	if (sv->sched != SK_LB_SCHED_MAGLEV) {
		if (k[S_MAGLEV] != NULL)
			sk_cfg_err(c, k[S_MAGLEV], "%s: maglev_size needs scheduler \"maglev\"",
				   c->where);
		sv->maglev_size = 0;
	} else if (sv->maglev_size != 0 && !sk_is_prime(sv->maglev_size)) {
		sk_cfg_err(c, k[S_MAGLEV], "%s: maglev_size = %u is not a prime (65537, 1000003 "
			   "are)", c->where, sv->maglev_size);
	} else if (sv->maglev_size != 0 && sv->maglev_size <= sv->backend_count) {
		sk_cfg_err(c, k[S_MAGLEV] ? k[S_MAGLEV] : k[S_BACKENDS], "%s: maglev_size = %u "
			   "must be larger than the %u backends", c->where, sv->maglev_size,
			   sv->backend_count);
	}
	if (sv->synproxy && sv->proto != 6)
		sk_cfg_err(c, k[S_SYNPROXY], "%s: synproxy needs proto \"tcp\"", c->where);
	if (sv->fwd == SK_LB_FWD_FULLNAT && k[S_SNAT] == NULL)
		sk_cfg_err(c, k[S_FWD], "%s: forward \"fullnat\" needs snat addresses", c->where);
	else if (sv->fwd == SK_LB_FWD_FULLNAT && sv->snat_count == 0 &&
		 config_setting_length(k[S_SNAT]) == 0)
		sk_cfg_err(c, k[S_SNAT], "%s: snat is empty; fullnat needs at least one address",
			   c->where);
	else if (sv->fwd != SK_LB_FWD_FULLNAT && k[S_SNAT] != NULL)
		sk_cfg_err(c, k[S_SNAT], "%s: snat needs forward \"fullnat\"", c->where);

	if (sv->family == 0 || sv->proto == 0 || sv->port_lo == 0)
		return;
	for (j = 0; j < cfg->services.n; j++) {
		const struct sk_img_service *o = sk_cfg_vec_at(&cfg->services, j);

		if (o->name[0] != '\0' && strcmp(o->name, sv->name) == 0)
			sk_cfg_err(c, k[S_NAME], "%s: duplicate service name (first at line %u)",
				   c->where, o->line);
		if (o->family == sv->family && o->proto == sv->proto &&
		    memcmp(o->vip, sv->vip, 16) == 0 && o->port_lo <= sv->port_hi &&
		    sv->port_lo <= o->port_hi)
			sk_cfg_err(c, k[S_PORT], "%s: ports %u-%u overlap service '%s' (line %u) "
				   "on the same VIP and protocol", c->where, sv->port_lo,
				   sv->port_hi, o->name, o->line);
	}
}

void
sk_cfg_parse_services(struct sk_cfg_ctx *c, const config_setting_t *g)
{
	int i, n;

	snprintf(c->where, sizeof(c->where), "services");
	if (!sk_cfg_is_list(c, g, "services"))
		return;
	n = config_setting_length(g);
	if (n > SK_LB_MAX_SERVICES) {
		sk_cfg_err(c, g, "services: more than %d services", SK_LB_MAX_SERVICES);
		return;
	}
	for (i = 0; i < n && !c->oom; i++) {
		const config_setting_t *e = config_setting_get_elem(g, (unsigned int)i);
		const config_setting_t *k[S__MAX];
		struct sk_img_service sv, *q;
		const char *name = NULL;

		memset(&sv, 0, sizeof(sv));
		memset(k, 0, sizeof(k));
		sv.id = (uint32_t)i + 1;
		sv.line = config_setting_source_line(e);
		sv.sched = SK_LB_SCHED_MAGLEV;
		sv.maglev_size = SK_LB_MAGLEV_DEFAULT;
		sv.fwd = SK_LB_FWD_DNAT;
		sv.hc_type = SK_LB_HC_TCP;
		strcpy(sv.hc_path, "/");
		sv.hc_status = 200;
		sv.hc_interval_ms = 2000;
		sv.hc_timeout_ms = 1000;
		sv.hc_rise = 2;
		sv.hc_fall = 3;
		if (config_setting_type(e) == CONFIG_TYPE_GROUP &&
		    config_setting_lookup_string(e, "name", &name) == CONFIG_TRUE)
			snprintf(c->where, sizeof(c->where), "service '%.40s'", name);
		else
			snprintf(c->where, sizeof(c->where), "services[%d]", i);
		sv.backend_first = c->cfg->backends.n;
		sv.snat_first = c->cfg->snats.n;
		sk_cfg_walk(c, e, sk_cfg_keys_service, sk_cfg_nkeys_service, &sv, k);
		if (config_setting_type(e) != CONFIG_TYPE_GROUP)
			continue;
		if (k[S_BACKENDS] != NULL)
			parse_backends(c, k[S_BACKENDS], &sv);
		if (k[S_SNAT] != NULL)
			parse_snat(c, k[S_SNAT], &sv);
		if (k[S_HEALTH] != NULL)
			parse_health(c, k[S_HEALTH], &sv);
		service_cross_checks(c, &sv, k);
		q = sk_cfg_vec_push(&c->cfg->services);
		if (q == NULL) {
			c->oom = 1;
			break;
		}
		*q = sv;
	}
}
