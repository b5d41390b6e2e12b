/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * status_api.c - the read-mostly resources: status, zones, rules with
 * counters, counters, connections (list, count, kill).  Names come from the
 * running generation's image, numbers from the dataplane through dplink;
 * an HA unit's status carries the pair's summary (ha_api.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "api/ha_api.h"
#include "cp.h"
#include "sk_image_api.h"
#include "dplink/dplink.h"

static const char *const action_names[] = { "drop", "accept", "reject" };

static const char *
proto_name(unsigned int p, char *buf, size_t len)
{
	switch (p) {
	case 0: return "any";
	case 1: return "icmp";
	case 6: return "tcp";
	case 17: return "udp";
	case 58: return "icmpv6";
	default:
		snprintf(buf, len, "%u", p);
		return buf;
	}
}

static const struct sk_image_hdr *
running_image(const struct sk_cp *cp)
{
	return cp->running_img;
}

static const char *
zone_name(const struct sk_image_hdr *h, unsigned int id, char *buf, size_t len)
{
	uint32_t n;
	const struct sk_img_zone *z = sk_image_sec(h, SK_SEC_ZONES, &n);

	if (id == SK_ZONE_LOCAL)
		return "local";
	if (id == SK_ZONE_ANY)
		return "any";
	if (id <= n)
		return z[id - 1].name;
	snprintf(buf, len, "%u", id);
	return buf;
}

static json_t *
prefix_json(const struct sk_img_prefix *p)
{
	char a[INET6_ADDRSTRLEN], out[INET6_ADDRSTRLEN + 8];

	inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, a, sizeof(a));
	snprintf(out, sizeof(out), "%s/%u", a, p->plen);
	return json_string(out);
}

static int
need_dp(const struct sk_cp *cp, struct sk_api_resp *resp)
{
	if (cp->dp != NULL)
		return 0;
	sk_api_error(resp, 503, "dataplane_unavailable", NULL,
		     "the control plane is not attached to a dataplane");
	return -1;
}

static void
get_status(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	char host[256] = "";
	json_t *doc, *dp;

	(void)req;
	gethostname(host, sizeof(host) - 1);
	if (cp->dp != NULL)
		dp = json_pack("{s:b,s:I,s:s}", "attached", 1,
			       "generation", (json_int_t)sk_dplink_generation(cp->dp),
			       "file_prefix", sk_dplink_file_prefix(cp->dp));
	else
		dp = json_pack("{s:b}", "attached", 0);
	doc = json_pack("{s:s,s:s,s:I,s:I,s:s?,s:o}", "unit", host, "version", SK_VERSION,
			"uptime_s", (json_int_t)(time(NULL) - cp->started),
			"generation", (json_int_t)__atomic_load_n(&cp->generation, __ATOMIC_ACQUIRE), "config", cp->config_path,
			"dataplane", dp);
	/* An HA unit says where the pair stands (both units' generations);
	 * a standalone unit's answer stays as it was. */
	if (doc != NULL && cp->ha != NULL) {
		struct sk_ha_status st;

		memset(&st, 0, sizeof(st));
		sk_ha_status(cp->ha, &st);
		json_object_set_new(doc, "ha", sk_api_ha_summary_json(&st));
	}
	sk_api_ok(resp, doc);
}

static void
get_zones(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	const struct sk_image_hdr *h = running_image(cp);
	uint32_t nz, nf, i, j;
	const struct sk_img_zone *z;
	const struct sk_img_iface *f;
	const struct sk_img_prefix *a;
	json_t *zones, *ifs;
	char buf[16];

	(void)req;
	if (h == NULL) {
		sk_api_error(resp, 503, "no_config", NULL, "no running configuration");
		return;
	}
	z = sk_image_sec(h, SK_SEC_ZONES, &nz);
	f = sk_image_sec(h, SK_SEC_IFACES, &nf);
	a = sk_image_sec(h, SK_SEC_ADDRS, NULL);
	zones = json_array();
	json_array_append_new(zones, json_pack("{s:s,s:i,s:[]}", "name", "local", "id", 0,
					       "interfaces"));
	for (i = 0; i < nz; i++)
		json_array_append_new(zones, json_pack("{s:s,s:i,s:[]}", "name", z[i].name,
						       "id", (int)i + 1, "interfaces"));
	ifs = json_array();
	for (i = 0; i < nf; i++) {
		json_t *addrs = json_array();

		for (j = f[i].addr_first; j < f[i].addr_first + f[i].addr_count; j++)
			json_array_append_new(addrs, prefix_json(&a[j]));
		json_array_append_new(ifs, json_pack("{s:s,s:s,s:s,s:i,s:o}", "name", f[i].name,
			"device", f[i].device, "zone", zone_name(h, f[i].zone, buf, sizeof(buf)),
			"mtu", f[i].mtu, "addresses", addrs));
		json_array_append_new(json_object_get(json_array_get(zones, f[i].zone),
						      "interfaces"), json_string(f[i].name));
	}
	sk_api_ok(resp, json_pack("{s:I,s:o,s:o}", "generation", (json_int_t)__atomic_load_n(&cp->generation, __ATOMIC_ACQUIRE),
				  "zones", zones, "interfaces", ifs));
}

static json_t *
list_prefixes(const struct sk_image_hdr *h, uint32_t first, uint32_t count)
{
	const struct sk_img_prefix *p = sk_image_sec(h, SK_SEC_PREFIXES, NULL);
	json_t *arr = json_array();
	uint32_t i;

	for (i = first; i < first + count; i++)
		json_array_append_new(arr, prefix_json(&p[i]));
	return arr;
}

static json_t *
list_ports(const struct sk_image_hdr *h, uint32_t first, uint32_t count)
{
	const struct sk_img_portrange *p = sk_image_sec(h, SK_SEC_PORTS, NULL);
	json_t *arr = json_array();
	char buf[16];
	uint32_t i;

	for (i = first; i < first + count; i++) {
		if (p[i].lo == p[i].hi)
			snprintf(buf, sizeof(buf), "%u", p[i].lo);
		else
			snprintf(buf, sizeof(buf), "%u-%u", p[i].lo, p[i].hi);
		json_array_append_new(arr, json_string(buf));
	}
	return arr;
}

static void
get_rules(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	const struct sk_image_hdr *h = running_image(cp);
	const struct sk_img_rule *r;
	json_t *counters = NULL, *byname = NULL, *arr;
	char b1[16], b2[16], b3[16];
	uint32_t n, i;

	(void)req;
	if (h == NULL) {
		sk_api_error(resp, 503, "no_config", NULL, "no running configuration");
		return;
	}
	if (cp->dp != NULL && (counters = sk_dplink_counters(cp->dp)) != NULL)
		byname = json_object_get(counters, "rules");
	r = sk_image_sec(h, SK_SEC_RULES, &n);
	arr = json_array();
	for (i = 0; i < n; i++) {
		json_t *c = byname != NULL ? json_object_get(byname, r[i].name) : NULL;
		json_t *o = json_pack("{s:s,s:i,s:i,s:s,s:s,s:s,s:s,s:b,s:o,s:o,s:o,s:o}",
			"name", r[i].name, "id", (int)r[i].id, "line", (int)r[i].line,
			"from", zone_name(h, r[i].from_zone, b1, sizeof(b1)),
			"to", zone_name(h, r[i].to_zone, b2, sizeof(b2)),
			"proto", proto_name(r[i].proto, b3, sizeof(b3)),
			"action", action_names[r[i].action % 3], "log", r[i].log,
			"src", list_prefixes(h, r[i].src_first, r[i].src_count),
			"dst", list_prefixes(h, r[i].dst_first, r[i].dst_count),
			"sport", list_ports(h, r[i].sport_first, r[i].sport_count),
			"dport", list_ports(h, r[i].dport_first, r[i].dport_count));

		if (r[i].icmp_type != SK_ICMP_ANY)
			json_object_set_new(o, "icmp_type", json_integer(r[i].icmp_type));
		if (r[i].icmp_code != SK_ICMP_ANY)
			json_object_set_new(o, "icmp_code", json_integer(r[i].icmp_code));
		json_object_set_new(o, "pkts", json_integer(c ? json_integer_value(
			json_object_get(c, "pkts")) : 0));
		json_object_set_new(o, "bytes", json_integer(c ? json_integer_value(
			json_object_get(c, "bytes")) : 0));
		json_array_append_new(arr, o);
	}
	json_decref(counters);
	sk_api_ok(resp, json_pack("{s:I,s:b,s:o}", "generation", (json_int_t)__atomic_load_n(&cp->generation, __ATOMIC_ACQUIRE),
				  "counters", byname != NULL, "rules", arr));
}

static void
get_counters(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	json_t *doc;

	(void)req;
	if (need_dp(cp, resp) != 0)
		return;
	doc = sk_dplink_counters(cp->dp);
	if (doc == NULL) {
		sk_api_error(resp, 503, "dataplane_unavailable", NULL, "the dataplane did not answer");
		return;
	}
	sk_api_ok(resp, doc);
}

/* ?src=CIDR&dst=CIDR&proto=P&port=N&rule=ID; 0 or -1 with resp filled. */
static int
parse_filter(const struct sk_api_req *req, struct sk_conn_filter *f, struct sk_api_resp *resp)
{
	const char *keys[2] = { "src", "dst" };
	const char *v;
	int i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < 2; i++) {
		char addr[INET6_ADDRSTRLEN + 8], *slash;
		uint8_t *dst = i == 0 ? f->src : f->dst;
		uint8_t fam, plen;

		v = req->query(req, keys[i]);
		if (v == NULL)
			continue;
		snprintf(addr, sizeof(addr), "%s", v);
		slash = strchr(addr, '/');
		if (slash != NULL)
			*slash++ = '\0';
		if (inet_pton(AF_INET, addr, dst) == 1)
			fam = 4;
		else if (inet_pton(AF_INET6, addr, dst) == 1)
			fam = 6;
		else
			return sk_api_error(resp, 400, "bad_request", NULL, "%s: not an address: %s",
					    keys[i], v), -1;
		plen = fam == 4 ? 32 : 128;
		if (slash != NULL) {
			char *end;
			long l = strtol(slash, &end, 10);

			if (*end != '\0' || l < 0 || l > plen)
				return sk_api_error(resp, 400, "bad_request", NULL,
						    "%s: bad prefix length: %s", keys[i], v), -1;
			plen = (uint8_t)l;
		}
		if (f->family != 0 && f->family != fam)
			return sk_api_error(resp, 400, "bad_request", NULL,
					    "src and dst of different families"), -1;
		f->family = fam;
		if (i == 0) {
			f->has_src = 1;
			f->src_plen = plen;
		} else {
			f->has_dst = 1;
			f->dst_plen = plen;
		}
	}
	if ((v = req->query(req, "proto")) != NULL) {
		if (!strcmp(v, "tcp"))
			f->proto = 6;
		else if (!strcmp(v, "udp"))
			f->proto = 17;
		else if (!strcmp(v, "icmp"))
			f->proto = 1;
		else if (!strcmp(v, "icmpv6"))
			f->proto = 58;
		else if (atoi(v) > 0 && atoi(v) < 256)
			f->proto = (uint8_t)atoi(v);
		else
			return sk_api_error(resp, 400, "bad_request", NULL, "proto: %s", v), -1;
	}
	if ((v = req->query(req, "port")) != NULL) {
		if (atoi(v) <= 0 || atoi(v) > 65535)
			return sk_api_error(resp, 400, "bad_request", NULL, "port: %s", v), -1;
		f->port = (uint16_t)atoi(v);
	}
	if ((v = req->query(req, "rule")) != NULL) {
		if (atol(v) <= 0)
			return sk_api_error(resp, 400, "bad_request", NULL, "rule: give its id: %s",
					    v), -1;
		f->rule_id = (uint32_t)atol(v);
	}
	return 0;
}

/* Interface indexes and rule ids -> names of the running config. */
static void
name_ifaces(const struct sk_cp *cp, json_t *conns)
{
	const struct sk_image_hdr *h = running_image(cp);
	const struct sk_img_iface *f;
	const struct sk_img_rule *r;
	uint32_t n, nr;
	size_t i;
	json_t *c;

	if (h == NULL)
		return;
	f = sk_image_sec(h, SK_SEC_IFACES, &n);
	r = sk_image_sec(h, SK_SEC_RULES, &nr);
	json_array_foreach(conns, i, c) {
		json_int_t in = json_integer_value(json_object_get(c, "in_iface"));
		json_int_t out = json_integer_value(json_object_get(c, "out_iface"));
		json_int_t rid = json_integer_value(json_object_get(c, "rule_id"));

		if (in >= 0 && in < n)
			json_object_set_new(c, "in", json_string(f[in].name));
		if (out >= 0 && out < n)
			json_object_set_new(c, "out", json_string(f[out].name));
		/* rule ids are positions + 1 in the generation that admitted it */
		if (rid > 0 && rid <= nr && r[rid - 1].id == (uint32_t)rid)
			json_object_set_new(c, "rule", json_string(r[rid - 1].name));
	}
}

static void
get_connections(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	struct sk_conn_filter f;
	const char *v = req->query(req, "limit");
	long limit = v != NULL ? atol(v) : 100;
	json_t *arr;

	if (need_dp(cp, resp) != 0 || parse_filter(req, &f, resp) != 0)
		return;
	if (limit <= 0 || limit > 100000) {
		sk_api_error(resp, 400, "bad_request", NULL, "limit must be 1..100000");
		return;
	}
	arr = sk_dplink_conns(cp->dp, &f, (uint32_t)limit);
	if (arr == NULL) {
		sk_api_error(resp, 503, "dataplane_unavailable", NULL, "the dataplane did not answer");
		return;
	}
	name_ifaces(cp, arr);
	sk_api_ok(resp, json_pack("{s:i,s:o}", "count", (int)json_array_size(arr),
				  "connections", arr));
}

static void
get_connection_count(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	struct sk_conn_filter f;
	uint64_t n = 0;

	if (need_dp(cp, resp) != 0 || parse_filter(req, &f, resp) != 0)
		return;
	if (sk_dplink_conn_count(cp->dp, &f, &n) != 0) {
		sk_api_error(resp, 503, "dataplane_unavailable", NULL, "the dataplane did not answer");
		return;
	}
	sk_api_ok(resp, json_pack("{s:I}", "count", (json_int_t)n));
}

static void
delete_connections(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	struct sk_conn_filter f;
	uint64_t n = 0;

	if (need_dp(cp, resp) != 0 || parse_filter(req, &f, resp) != 0)
		return;
	if (!f.has_src && !f.has_dst && f.proto == 0 && f.port == 0 && f.rule_id == 0 &&
	    (req->query(req, "all") == NULL || strcmp(req->query(req, "all"), "1") != 0)) {
		sk_api_error(resp, 400, "bad_request", NULL,
			     "refusing to kill every connection without ?all=1");
		return;
	}
	if (sk_dplink_conn_kill(cp->dp, &f, &n) != 0) {
		sk_api_error(resp, 503, "dataplane_unavailable", NULL, "the dataplane did not answer");
		return;
	}
	sk_api_ok(resp, json_pack("{s:I}", "killed", (json_int_t)n));
}

const struct sk_api_route sk_api_routes_status[] = {
	{ "GET", "/api/v1/status", get_status, "Unit, dataplane and generation",
	  SK_API_F_NO_DP_LOCK },
	{ "GET", "/api/v1/zones", get_zones, "Zones and interfaces of the running config" },
	{ "GET", "/api/v1/rules", get_rules, "Rules with packet and byte counters" },
	{ "GET", "/api/v1/counters", get_counters, "All dataplane counters", SK_API_F_NO_DP_LOCK },
	{ "GET", "/api/v1/connections", get_connections, "List connections (filtered)" },
	{ "GET", "/api/v1/connections/count", get_connection_count, "Count connections",
	  SK_API_F_NO_DP_LOCK },
	{ "DELETE", "/api/v1/connections", delete_connections, "Kill matching connections",
	  SK_API_F_NO_DP_LOCK },
	{ NULL, NULL, NULL, NULL },
};
