/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_config.c - the config pipeline against golden files and semantics.
 *
 * Every .conf in tests/config/good/ and conf/ must validate and produce an image
 * that sk_image_verify() accepts; tests/config/bad/NAME.conf must fail with
 * exactly the lines in NAME.err.  Then the meaning of a config is checked in
 * the image the dataplane will read: zone ids, connected routes, derived rule
 * families, defaults.  Run from the repository root (meson sets workdir).
 */
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "cfg.h"
#include "sk_image_api.h"
#include "sk_test.h"

static char *
read_text(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long n;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}

/* Line (1-based) of the first occurrence of needle in the file, 0 if none. */
static unsigned int
line_of(const char *path, const char *needle)
{
	char *text = read_text(path), *hit;
	unsigned int line = 1;
	const char *p;

	if (text == NULL || (hit = strstr(text, needle)) == NULL) {
		free(text);
		return 0;
	}
	for (p = text; p < hit; p++)
		line += *p == '\n';
	free(text);
	return line;
}

static void
test_good(const char *pattern)
{
	glob_t g;
	size_t i;

	SK_CHECK(glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0, "%s has files", pattern);
	for (i = 0; i < g.gl_pathc; i++) {
		struct sk_cfg_diag d;
		char err[256] = "";
		size_t len = 0;
		void *img;

		sk_cfg_diag_init(&d);
		img = sk_cfg_compile_file(g.gl_pathv[i], &len, &d);
		SK_CHECK(img != NULL && sk_cfg_diag_count(&d) == 0, "%s validates%s%s",
			 g.gl_pathv[i], sk_cfg_diag_count(&d) ? ": " : "",
			 sk_cfg_diag_count(&d) ? sk_cfg_diag_msg(&d, 0) : "");
		SK_CHECK(img != NULL && sk_image_verify(img, len, err, sizeof(err)) == 0,
			 "%s image verifies %s", g.gl_pathv[i], err);
		free(img);
		sk_cfg_diag_free(&d);
	}
	globfree(&g);
}

static void
test_bad(void)
{
	glob_t g;
	size_t i, j;

	SK_CHECK(glob("tests/config/bad/*.conf", 0, NULL, &g) == 0 && g.gl_pathc >= 10,
		 "bad golden files present");
	for (i = 0; i < g.gl_pathc; i++) {
		const char *path = g.gl_pathv[i];
		char errpath[512], *want, *line, *save = NULL;
		struct sk_cfg_diag d;
		struct sk_cfg *cfg;
		size_t nwant = 0, mismatch = 0;

		snprintf(errpath, sizeof(errpath), "%.*s.err", (int)(strlen(path) - 5), path);
		want = read_text(errpath);
		SK_CHECK(want != NULL, "%s exists", errpath);
		if (want == NULL)
			continue;
		sk_cfg_diag_init(&d);
		cfg = sk_cfg_load_file(path, &d);
		SK_CHECK(cfg == NULL, "%s is rejected", path);
		for (line = strtok_r(want, "\n", &save); line != NULL;
		     line = strtok_r(NULL, "\n", &save), nwant++) {
			const char *got = sk_cfg_diag_msg(&d, nwant);

			if (got == NULL || strcmp(got, line) != 0) {
				if (mismatch++ == 0)
					printf("# want: %s\n#  got: %s\n", line, got ? got : "(none)");
			}
		}
		for (j = nwant; j < sk_cfg_diag_count(&d); j++)
			printf("# extra: %s\n", sk_cfg_diag_msg(&d, j));
		SK_CHECK(mismatch == 0 && nwant == sk_cfg_diag_count(&d) && nwant > 0,
			 "%s: exactly the %zu expected errors (got %zu)", path, nwant,
			 sk_cfg_diag_count(&d));
		sk_cfg_free(cfg);
		sk_cfg_diag_free(&d);
		free(want);
	}
	globfree(&g);
}

static struct sk_image_hdr *
compile(const char *path, size_t *len)
{
	struct sk_cfg_diag d;
	void *img;

	sk_cfg_diag_init(&d);
	img = sk_cfg_compile_file(path, len, &d);
	if (img == NULL)
		sk_cfg_diag_print(&d, stdout);
	sk_cfg_diag_free(&d);
	return img;
}

static int
pfx_is(const struct sk_img_prefix *p, const char *addr, unsigned int plen)
{
	uint8_t a[16] = { 0 };
	int fam = strchr(addr, ':') ? 6 : 4;

	if (inet_pton(fam == 4 ? AF_INET : AF_INET6, addr, a) != 1)
		return 0;
	return p->family == fam && p->plen == plen && memcmp(p->addr, a, 16) == 0;
}

static const struct sk_img_rule *
rule_named(const struct sk_image_hdr *h, const char *name)
{
	uint32_t n, i;
	const struct sk_img_rule *r = sk_image_sec(h, SK_SEC_RULES, &n);

	for (i = 0; i < n; i++)
		if (strcmp(r[i].name, name) == 0)
			return &r[i];
	return NULL;
}

static void
test_defaults(void)
{
	size_t len;
	struct sk_image_hdr *h = compile("tests/config/good/minimal.conf", &len);
	const struct sk_img_settings *st;
	const struct sk_img_iface *f;
	uint32_t n;

	SK_CHECK(h != NULL, "minimal.conf compiles");
	if (h == NULL)
		return;
	st = sk_image_settings(h);
	SK_CHECK(strcmp(st->lcores, "0-1") == 0 && st->workers == 1 && st->hugepages == 1 &&
		 st->memory_mb == 512 && strcmp(st->file_prefix, "sekisho") == 0,
		 "EAL defaults");
	SK_CHECK(st->conn_max == 262144 && st->burst == 32 && st->rx_desc == 1024 &&
		 st->tx_desc == 1024 && st->mbufs == 16384, "sizing defaults");
	SK_CHECK(st->neigh_max == 4096 && st->frag_max == 1024 && st->frag_timeout_ms == 2000 &&
		 st->neigh_reachable_s == 60 && st->neigh_retrans_ms == 1000 &&
		 st->neigh_probes == 3 && st->tcp_loose == 0, "neighbour/frag defaults");
#define TMO_CHECK(e, k, d) \
	SK_CHECK(st->timeouts[SK_TMO_##e] == d, "timeout " #k " defaults to " #d);
	SK_TIMEOUT_LIST(TMO_CHECK)
#undef TMO_CHECK
	SK_CHECK(st->default_action == SK_ACT_DROP && st->default_log == 0,
		 "policy default is drop, unlogged");
	f = sk_image_sec(h, SK_SEC_IFACES, &n);
	SK_CHECK(n == 1 && f[0].mtu == 1500 && f[0].promisc == 0 && f[0].has_mac == 0 &&
		 f[0].zone == 1, "interface defaults: mtu 1500, zone id 1");
	sk_image_sec(h, SK_SEC_RULES, &n);
	SK_CHECK(n == 0, "no rules");
	free(h);
}

static void
test_full(void)
{
	const char *path = "tests/config/good/full.conf";
	const struct sk_img_settings *st;
	const struct sk_img_iface *f;
	const struct sk_img_prefix *a, *p;
	const struct sk_img_route *rt;
	const struct sk_img_neigh *ne;
	const struct sk_img_zonepol *zp;
	const struct sk_img_portrange *pr;
	const struct sk_img_rule *r;
	uint32_t nif, na, nr, nn, nz, i, j, nconn = 0;
	struct sk_image_hdr *h;
	size_t len;

	h = compile(path, &len);
	SK_CHECK(h != NULL, "full.conf compiles");
	if (h == NULL)
		return;
	st = sk_image_settings(h);
	SK_CHECK(st->workers == 3 && strcmp(st->lcores, "0,2-4") == 0 && st->hugepages == 0 &&
		 st->tcp_loose == 1 && st->burst == 64 && st->tx_desc == 2048 &&
		 st->timeouts[SK_TMO_UDP] == 40 && st->timeouts[SK_TMO_OTHER] == 90,
		 "settings carried over");
	SK_CHECK(st->default_action == SK_ACT_REJECT && st->default_log == 1, "policy default");

	f = sk_image_sec(h, SK_SEC_IFACES, &nif);
	SK_CHECK(nif == 3 && f[0].zone == 1 && f[1].zone == 2 && f[2].zone == 3,
		 "zone ids follow `zones` order");
	SK_CHECK(f[0].has_mac && f[0].mac[0] == 2 && f[0].mac[5] == 1 && f[0].promisc &&
		 f[0].mtu == 9000 && f[2].mtu == 1280, "interface mac/promisc/mtu");
	a = sk_image_sec(h, SK_SEC_ADDRS, &na);
	SK_CHECK(na == 7 && f[0].addr_count == 3 && f[1].addr_first == 3 && f[1].addr_count == 3,
		 "addresses grouped per interface");
	SK_CHECK(pfx_is(&a[0], "203.0.113.1", 24) && a[0].iface == 0 &&
		 pfx_is(&a[4], "2001:db8:2::1", 64) && a[4].iface == 1,
		 "interface addresses keep their host part");

	/* Every address has a connected route to its network; statics have a gateway. */
	rt = sk_image_sec(h, SK_SEC_ROUTES, &nr);
	for (i = 0; i < na; i++) {
		struct sk_img_prefix net = a[i];
		unsigned int bits = net.family == 4 ? 32 : 128, b;

		for (b = net.plen; b < bits; b++)
			net.addr[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
		for (j = 0; j < nr; j++)
			if (rt[j].connected && rt[j].dst.family == net.family &&
			    rt[j].dst.plen == net.plen && memcmp(rt[j].dst.addr, net.addr, 16) == 0 &&
			    rt[j].iface == a[i].iface && !rt[j].has_gw)
				break;
		SK_CHECK(j < nr, "connected route for address %u", i);
	}
	for (j = 0; j < nr; j++)
		nconn += rt[j].connected;
	SK_CHECK(nconn == 7 && nr == 11, "7 connected + 4 static routes");
	for (j = 0; j < nr && !(pfx_is(&rt[j].dst, "0.0.0.0", 0)); j++)
		;
	SK_CHECK(j < nr && rt[j].has_gw && !rt[j].connected && rt[j].iface == 0,
		 "default route found its interface from `via`");
	for (j = 0; j < nr && !(pfx_is(&rt[j].dst, "2001:db8:100::", 48)); j++)
		;
	SK_CHECK(j < nr && rt[j].has_gw && rt[j].iface == 1,
		 "IPv6 route via fd00::2 goes out of lan (second address)");

	ne = sk_image_sec(h, SK_SEC_NEIGHS, &nn);
	SK_CHECK(nn == 2 && ne[0].family == 4 && ne[1].family == 6 && ne[0].iface == 0 &&
		 ne[1].mac[4] == 1, "static neighbours");
	zp = sk_image_sec(h, SK_SEC_ZONEPOL, &nz);
	SK_CHECK(nz == 3 && zp[0].from_zone == 2 && zp[0].to_zone == 1 &&
		 zp[0].action == SK_ACT_ACCEPT && zp[1].from_zone == 3 &&
		 zp[1].to_zone == SK_ZONE_LOCAL && zp[1].log == 1 && zp[2].action == SK_ACT_DROP,
		 "zone defaults");

	r = sk_image_sec(h, SK_SEC_RULES, &nr);
	SK_CHECK(nr == 8, "8 rules");
	for (i = 0; i < nr; i++) {
		char needle[64];

		snprintf(needle, sizeof(needle), "name = \"%s\"", r[i].name);
		SK_CHECK(r[i].id == i + 1 && r[i].line == line_of(path, needle),
			 "rule %s: id %u, line %u", r[i].name, r[i].id, r[i].line);
	}
	p = sk_image_sec(h, SK_SEC_PREFIXES, NULL);
	pr = sk_image_sec(h, SK_SEC_PORTS, NULL);

	r = rule_named(h, "ssdp");
	SK_CHECK(r && r->family == 0 && r->proto == 17 && r->from_zone == SK_ZONE_ANY &&
		 r->to_zone == SK_ZONE_ANY && r->dport_count == 1 && pr[r->dport_first].lo == 1900,
		 "no addresses: family 0, zones any, int port");
	r = rule_named(h, "v4-only");
	SK_CHECK(r && r->family == 4 && r->proto == 6 && r->from_zone == 1 && r->to_zone == 2 &&
		 r->log == 1 && r->action == SK_ACT_ACCEPT, "v4-only: family 4, zones, log");
	SK_CHECK(r && r->src_count == 1 && pfx_is(&p[r->src_first], "0.0.0.0", 0) &&
		 r->dst_count == 2 && pfx_is(&p[r->dst_first + 1], "10.0.2.10", 32),
		 "v4-only: prefix lists, bare address is a host prefix");
	SK_CHECK(r && r->sport_count == 1 && pr[r->sport_first].lo == 1024 &&
		 pr[r->sport_first].hi == 65535 && r->dport_count == 3 &&
		 pr[r->dport_first + 1].lo == 443 && pr[r->dport_first + 2].lo == 8000 &&
		 pr[r->dport_first + 2].hi == 8099, "v4-only: port ranges in order");
	r = rule_named(h, "v6-only");
	SK_CHECK(r && r->family == 6, "v6 dst only: family 6");
	r = rule_named(h, "both");
	SK_CHECK(r && r->family == 0 && r->to_zone == SK_ZONE_LOCAL && r->src_count == 2,
		 "v4+v6 on both sides: family 0, to local");
	r = rule_named(h, "unreach");
	SK_CHECK(r && r->family == 4 && r->proto == 1 && r->icmp_type == 3 && r->icmp_code == 4,
		 "icmp implies family 4, type/code kept");
	r = rule_named(h, "pkt-too-big");
	SK_CHECK(r && r->family == 6 && r->proto == 58 && r->icmp_type == 2 &&
		 r->icmp_code == SK_ICMP_ANY, "icmpv6 implies family 6, code any");
	r = rule_named(h, "gre");
	SK_CHECK(r && r->proto == 47 && r->action == SK_ACT_REJECT && r->family == 0 &&
		 r->icmp_type == SK_ICMP_ANY, "numeric proto");
	free(h);
}

static void
test_string_and_write(void)
{
	static const char text[] =
		"zones = ( \"a\" );\n"
		"interfaces = ( { name = \"p\"; device = \"x\"; zone = \"a\";\n"
		"  ipv4 = [ \"192.0.2.1/24\" ]; } );\n"
		"policy = { rules = ( { name = \"r\"; proto = \"tcp\"; action = \"drop\"; "
		"icmp_type = 1; } ); };\n";
	char dir[] = "/tmp/sk-cfg-test-XXXXXX", path[64], err[256] = "";
	struct sk_cfg_diag d;
	struct sk_cfg *cfg;
	void *img = NULL, *back;
	size_t len = 0, blen = 0;
	glob_t g;

	sk_cfg_diag_init(&d);
	cfg = sk_cfg_load_string(text, "inline", &d);
	SK_CHECK(cfg == NULL && sk_cfg_diag_count(&d) == 1 &&
		 strcmp(sk_cfg_diag_msg(&d, 0),
			"inline:4: rule 'r': icmp_type needs proto \"icmp\" or \"icmpv6\"") == 0,
		 "string config: error named after the source (%s)",
		 sk_cfg_diag_count(&d) ? sk_cfg_diag_msg(&d, 0) : "none");
	sk_cfg_diag_free(&d);

	cfg = sk_cfg_load_file("conf/lab.conf", &d);
	SK_CHECK(cfg != NULL, "lab.conf loads");
	if (cfg == NULL)
		return;
	SK_CHECK(sk_cfg_image_build(cfg, &img, &len, err, sizeof(err)) == 0, "build %s", err);
	SK_CHECK(mkdtemp(dir) != NULL, "temp dir");
	snprintf(path, sizeof(path), "%s/img", dir);
	SK_CHECK(sk_cfg_image_write(img, len, path, err, sizeof(err)) == 0, "write %s", err);
	SK_CHECK(sk_cfg_image_write(img, len, path, err, sizeof(err)) == 0, "overwrite");
	back = sk_image_load_file(path, &blen, err, sizeof(err));
	SK_CHECK(back != NULL && blen == len && memcmp(back, img, len) == 0,
		 "written image reads back identical %s", err);
	snprintf(path, sizeof(path), "%s/*", dir);
	SK_CHECK(glob(path, 0, NULL, &g) == 0 && g.gl_pathc == 1, "no temporary file left");
	if (g.gl_pathc >= 1)
		unlink(g.gl_pathv[0]);
	globfree(&g);
	snprintf(path, sizeof(path), "%s/nodir/img", dir);
	SK_CHECK(sk_cfg_image_write(img, len, path, err, sizeof(err)) < 0,
		 "write into a missing directory fails: %s", err);
	rmdir(dir);
	free(back);
	free(img);
	sk_cfg_free(cfg);
}

static const struct sk_img_service *
service_named(const struct sk_image_hdr *h, const char *name)
{
	uint32_t n, i;
	const struct sk_img_service *s = sk_image_sec(h, SK_SEC_SERVICES, &n);

	for (i = 0; i < n; i++)
		if (strcmp(s[i].name, name) == 0)
			return &s[i];
	return NULL;
}

static int
addr_is(uint8_t family, const uint8_t *a, const char *txt)
{
	uint8_t want[16] = { 0 };

	if (inet_pton(family == 4 ? AF_INET : AF_INET6, txt, want) != 1)
		return 0;
	return memcmp(a, want, 16) == 0;
}

/* Services as the dataplane will read them: defaults, ranges, grouping, lines. */
static void
test_services(void)
{
	const char *path = "tests/config/good/services.conf";
	const struct sk_img_service *s, *all;
	const struct sk_img_backend *b;
	const struct sk_img_prefix *sn;
	uint32_t ns, nb, nsn, i, j;
	struct sk_image_hdr *h;
	size_t len;

	h = compile(path, &len);
	SK_CHECK(h != NULL, "services.conf compiles");
	if (h == NULL)
		return;
	all = sk_image_sec(h, SK_SEC_SERVICES, &ns);
	b = sk_image_sec(h, SK_SEC_BACKENDS, &nb);
	sn = sk_image_sec(h, SK_SEC_SNAT, &nsn);
	SK_CHECK(ns == 5 && nb == 8 && nsn == 3, "5 services, 8 backends, 3 snat (%u %u %u)",
		 ns, nb, nsn);
	for (i = 0; i < ns; i++) {
		char needle[64];

		snprintf(needle, sizeof(needle), "name = \"%s\"; vip", all[i].name);
		SK_CHECK(all[i].id == i + 1 && all[i].line == line_of(path, needle),
			 "service %s: id %u, line %u", all[i].name, all[i].id, all[i].line);
		for (j = 0; j < all[i].backend_count; j++)
			SK_CHECK(b[all[i].backend_first + j].service == i,
				 "service %s: backend %u points back", all[i].name, j);
	}
	s = service_named(h, "plain");
	SK_CHECK(s && s->family == 4 && s->proto == 6 && addr_is(4, s->vip, "203.0.113.80") &&
		 s->port_lo == 80 && s->port_hi == 80 && s->sched == SK_LB_SCHED_MAGLEV &&
		 s->maglev_size == 65537 && s->fwd == SK_LB_FWD_DNAT && s->persist_s == 0 &&
		 s->conn_limit == 0 && s->snat_count == 0 && s->backend_count == 1,
		 "plain: service defaults");
	SK_CHECK(s && s->hc_type == SK_LB_HC_TCP && s->hc_port == 0 &&
		 strcmp(s->hc_path, "/") == 0 && s->hc_status == 200 &&
		 s->hc_interval_ms == 2000 && s->hc_timeout_ms == 1000 && s->hc_rise == 2 &&
		 s->hc_fall == 3, "plain: health defaults");
	SK_CHECK(s && b[s->backend_first].weight == 1 && b[s->backend_first].port == 0 &&
		 b[s->backend_first].state == SK_LB_BE_UP && b[s->backend_first].conn_limit == 0 &&
		 addr_is(4, b[s->backend_first].addr, "10.10.0.11"), "plain: backend defaults");

	s = service_named(h, "range");
	SK_CHECK(s && s->port_lo == 8000 && s->port_hi == 8010 && s->sched == SK_LB_SCHED_WLC &&
		 s->maglev_size == 0 && s->persist_s == 300 && s->conn_limit == 10000 &&
		 s->backend_count == 3, "range: port range, wlc has no maglev table");
	SK_CHECK(s && s->hc_type == SK_LB_HC_HTTP && s->hc_port == 8081 &&
		 strcmp(s->hc_path, "/healthz?full=1") == 0 && s->hc_status == 204 &&
		 s->hc_interval_ms == 500 && s->hc_timeout_ms == 499 && s->hc_rise == 1 &&
		 s->hc_fall == 100, "range: http health carried over");
	if (s != NULL) {
		const struct sk_img_backend *r = &b[s->backend_first];

		SK_CHECK(r[0].weight == 3 && r[0].conn_limit == 500 && r[1].port == 8080 &&
			 r[1].weight == 0 && r[1].state == SK_LB_BE_DRAIN &&
			 r[2].state == SK_LB_BE_DISABLED && strcmp(r[2].name, "b3") == 0 &&
			 r[2].line == r[0].line + 2, "range: backends in file order");
	}
	s = service_named(h, "dns");
	SK_CHECK(s && s->proto == 17 && s->port_lo == 80 && s->sched == SK_LB_SCHED_SH &&
		 s->hc_type == SK_LB_HC_NONE && b[s->backend_first].port == 5353,
		 "dns: udp on the same VIP/port as a tcp service, int port, sh, no health");
	s = service_named(h, "on-if");
	SK_CHECK(s && addr_is(4, s->vip, "203.0.113.1") && s->maglev_size == 7 &&
		 s->fwd == SK_LB_FWD_FULLNAT && s->snat_count == 2 &&
		 addr_is(4, sn[s->snat_first + 1].addr, "10.10.0.2") &&
		 sn[s->snat_first].plen == 32 && sn[s->snat_first].iface == 1,
		 "on-if: VIP on an interface address, fullnat sources on 'in'");
	s = service_named(h, "v6");
	SK_CHECK(s && s->family == 6 && addr_is(6, s->vip, "2001:db8:ff::80") &&
		 s->sched == SK_LB_SCHED_WRR && s->hc_type == SK_LB_HC_HTTPS &&
		 s->snat_count == 1 && sn[s->snat_first].family == 6 &&
		 sn[s->snat_first].plen == 128 && b[s->backend_first].family == 6 &&
		 b[s->backend_first].weight == 65535, "v6: family 6 throughout");
	free(h);
}

/* Every key of every table is documented (STYLE: config keys documented). */
static void
test_keys_documented(void)
{
	char *doc = read_text("docs/config.md"), needle[96];
	const char *group, *key;
	size_t i, missing = 0;

	SK_CHECK(doc != NULL, "docs/config.md readable");
	if (doc == NULL)
		return;
	for (i = 0; sk_cfg_key_at(i, &group, &key) == 0; i++) {
		snprintf(needle, sizeof(needle), "`%s`", key);
		if (strstr(doc, needle) == NULL) {
			printf("# %s.%s not in docs/config.md\n", group, key);
			missing++;
		}
	}
	SK_CHECK(i > 50 && missing == 0, "%zu keys, all documented", i);
	free(doc);
}

int
main(void)
{
	test_good("tests/config/good/*.conf");
	test_good("conf/*.conf");
	test_bad();
	test_defaults();
	test_full();
	test_services();
	test_string_and_write();
	test_keys_documented();
	return SK_TEST_DONE();
}
