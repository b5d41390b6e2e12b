/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cfgha.c - the HA pair's config side: the `ha` group and per-unit /
 * floating interface addresses, checked in the image the dataplane reads
 * (SK_SEC_HA, SK_SEC_ADDR_HA), every error message, and that a config without
 * `ha` compiles to an image with empty HA sections.  Run from the repository
 * root (meson sets workdir).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "cfg.h"
#include "sk_image_api.h"
#include "sk_test.h"

#define ZONES "zones = ( \"out\", \"in\" );\n"

/* Two interfaces: "out" IPv4 only, "in" with unit 1 dual-stack, unit 2 IPv6 only. */
#define IFACES \
	"interfaces = (\n" \
	"  { name = \"out\"; device = \"0000:00:06.0\"; zone = \"out\";\n" \
	"    units = ( { ipv4 = [ \"203.0.113.2/24\" ]; }, { ipv4 = [ \"203.0.113.3/24\" ]; } );\n" \
	"    floating_ipv4 = [ \"203.0.113.1/24\" ]; },\n" \
	"  { name = \"in\"; device = \"0000:00:07.0\"; zone = \"in\";\n" \
	"    units = ( { ipv6 = [ \"2001:db8:10::2/64\" ]; ipv4 = [ \"10.0.0.2/24\" ]; },\n" \
	"              { ipv6 = [ \"2001:db8:10::3/64\" ]; } );\n" \
	"    floating_ipv4 = [ \"10.0.0.1/24\" ]; floating_ipv6 = [ \"2001:db8:10::1/64\" ]; }\n" \
	");\n"

#define HA_UNITS \
	"  units = ( { priority = 200; ha_address = \"192.0.2.1\"; lcores = \"0-1\";\n" \
	"              file_prefix = \"u1\"; },\n" \
	"            { ha_address = \"192.0.2.2\"; ha_port = 7790; } );\n"

#define HA_HEAD "ha = {\n  cluster = \"c1\";\n  psk_file = \"/etc/sekisho/ha.key\";\n"

static int
addr_is(uint8_t family, const uint8_t *a, const char *want)
{
	uint8_t b[16] = { 0 };

	if (inet_pton(family == 4 ? AF_INET : AF_INET6, want, b) != 1)
		return 0;
	return memcmp(a, b, family == 4 ? 4 : 16) == 0;
}

/* Compile text; NULL (and diagnostics in d) when it does not validate. */
static void *
compile(const char *text, struct sk_cfg_diag *d, size_t *len)
{
	char err[256] = "";
	struct sk_cfg *cfg;
	void *img = NULL;

	sk_cfg_diag_init(d);
	cfg = sk_cfg_load_string(text, "inline", d);
	if (cfg == NULL)
		return NULL;
	if (sk_cfg_image_build(cfg, &img, len, err, sizeof(err)) != 0)
		printf("# build: %s\n", err);
	sk_cfg_free(cfg);
	if (img != NULL && sk_image_verify(img, *len, err, sizeof(err)) != 0) {
		printf("# verify: %s\n", err);
		free(img);
		return NULL;
	}
	return img;
}

/* The diagnostics hold exactly this message (with its "inline:LINE: " prefix). */
static int
has_msg(const struct sk_cfg_diag *d, const char *want)
{
	size_t i;

	for (i = 0; i < sk_cfg_diag_count(d); i++)
		if (strcmp(sk_cfg_diag_msg(d, i), want) == 0)
			return 1;
	for (i = 0; i < sk_cfg_diag_count(d); i++)
		printf("# got: %s\n", sk_cfg_diag_msg(d, i));
	return 0;
}

static void
test_full(void)
{
	const char *text = ZONES IFACES HA_HEAD HA_UNITS
		"  data_heartbeat = { interface = \"in\"; };\n"
		"};\n";
	const struct sk_img_addr_ha *ah;
	const struct sk_img_prefix *ad;
	const struct sk_img_ha *h;
	const struct sk_img_route *rt;
	struct sk_cfg_diag d;
	uint32_t nh, nah, nad, nrt, i, conn = 0;
	size_t len = 0;
	void *img = compile(text, &d, &len);

	SK_CHECK(img != NULL, "full HA config compiles%s%s", sk_cfg_diag_count(&d) ? ": " : "",
		 sk_cfg_diag_count(&d) ? sk_cfg_diag_msg(&d, 0) : "");
	sk_cfg_diag_free(&d);
	if (img == NULL)
		return;
	h = sk_image_sec(img, SK_SEC_HA, &nh);
	ah = sk_image_sec(img, SK_SEC_ADDR_HA, &nah);
	ad = sk_image_sec(img, SK_SEC_ADDRS, &nad);
	rt = sk_image_sec(img, SK_SEC_ROUTES, &nrt);
	SK_CHECK(nh == 1 && strcmp(h->cluster, "c1") == 0 &&
		 strcmp(h->psk_file, "/etc/sekisho/ha.key") == 0 && h->hook[0] == '\0',
		 "one HA record: cluster, psk_file, no hook");
	if (nh != 1)
		goto out;
	SK_CHECK(h->unit[0].priority == 200 && h->unit[1].priority == 100 &&
		 h->unit[0].ha_port == 7780 && h->unit[1].ha_port == 7790,
		 "priorities 200/100 (default), ports 7780 (default)/7790");
	SK_CHECK(h->unit[0].ha_family == 4 && addr_is(4, h->unit[0].ha_addr, "192.0.2.1") &&
		 h->unit[1].ha_family == 4 && addr_is(4, h->unit[1].ha_addr, "192.0.2.2"),
		 "ha addresses");
	SK_CHECK(strcmp(h->unit[0].lcores, "0-1") == 0 && strcmp(h->unit[0].file_prefix, "u1") == 0 &&
		 h->unit[1].lcores[0] == '\0' && h->unit[1].file_prefix[0] == '\0',
		 "lcores/file_prefix per unit, empty = settings'");
	SK_CHECK(h->dp_iface == 1 && h->dp_port == 7781 &&
		 h->unit[0].dp_family == 6 && addr_is(6, h->unit[0].dp_addr, "2001:db8:10::2") &&
		 h->unit[1].dp_family == 6 && addr_is(6, h->unit[1].dp_addr, "2001:db8:10::3"),
		 "data heartbeat on 'in': IPv6, the family both units have there, port 7781");
	SK_CHECK(h->hb_interval_ms == 50 && h->dead_ms == 200 && h->preempt == 0 &&
		 h->preempt_hold_ms == 30000 && h->garp_count == 3 && h->garp_interval_ms == 100 &&
		 h->hook_timeout_ms == 10000 && h->hook_retries == 2 && h->has_floating_mac == 0 &&
		 h->sync_sweep_ms == 4000,
		 "defaults: profile default 50/200, hold 30 s, announce 3 x 100, hook 10 s x 2, "
		 "sync sweep 4 s");
	SK_CHECK(nad == 8 && nah == nad, "8 addresses, one HA record each (%u, %u)", nad, nah);
	for (i = 0; i < nad && i < nah; i++) {
		char buf[64];
		int want_unit, floating;

		inet_ntop(ad[i].family == 4 ? AF_INET : AF_INET6, ad[i].addr, buf, sizeof(buf));
		floating = strcmp(buf, "203.0.113.1") == 0 || strcmp(buf, "10.0.0.1") == 0 ||
			   strcmp(buf, "2001:db8:10::1") == 0;
		want_unit = floating ? 0 : (strcmp(buf, "203.0.113.3") == 0 ||
					    strcmp(buf, "2001:db8:10::3") == 0) ? 2 : 1;
		SK_CHECK(ah[i].unit == want_unit &&
			 ah[i].flags == (floating ? SK_ADDR_FLOATING : 0),
			 "address %s: unit %u flags %u", buf, ah[i].unit, ah[i].flags);
	}
	for (i = 0; i < nrt; i++)
		conn += rt[i].connected;
	SK_CHECK(conn == 3, "one connected route per subnet: %u (203.0.113/24, 10.0.0/24, "
		 "2001:db8:10::/64)", conn);
out:
	free(img);
}

static void
test_options(void)
{
	const char *text = ZONES IFACES HA_HEAD HA_UNITS
		"  preempt = true; preempt_hold_s = 0;\n"
		"  announce = { count = 20; interval_ms = 10; };\n"
		"  hook = { path = \"/usr/local/sbin/hook\"; timeout_ms = 100; retries = 0; };\n"
		"  sync_sweep_ms = 2500;\n"
		"};\n";
	const struct sk_img_ha *h;
	struct sk_cfg_diag d;
	struct sk_cfg *cfg;
	size_t len = 0;
	uint32_t n;
	void *img = compile(text, &d, &len);

	sk_cfg_diag_free(&d);
	SK_CHECK(img != NULL, "options compile");
	if (img == NULL)
		return;
	h = sk_image_sec(img, SK_SEC_HA, &n);
	SK_CHECK(n == 1 && h->preempt == 1 && h->preempt_hold_ms == 0 && h->garp_count == 20 &&
		 h->garp_interval_ms == 10 && h->has_floating_mac == 0 &&
		 strcmp(h->hook, "/usr/local/sbin/hook") == 0 && h->hook_timeout_ms == 100 &&
		 h->hook_retries == 0 && h->sync_sweep_ms == 2500,
		 "preempt, announce, hook, sync_sweep_ms into the image");
	SK_CHECK(h->dp_iface == SK_HA_NO_IFACE && h->unit[0].dp_family == 0 &&
		 h->unit[1].dp_family == 0, "no data_heartbeat: SK_HA_NO_IFACE, family 0");
	free(img);

	sk_cfg_diag_init(&d);
	cfg = sk_cfg_load_string(text, "inline", &d);
	SK_CHECK(cfg != NULL && sk_cfg_ha(cfg) != NULL &&
		 strcmp(sk_cfg_ha(cfg)->cluster, "c1") == 0, "sk_cfg_ha() of a pair");
	sk_cfg_free(cfg);
	sk_cfg_diag_free(&d);
}

/* Timing of a profile and overrides: hb and dead in the image. */
static void
timing(const char *keys, uint32_t hb, uint32_t dead)
{
	char text[4096], label[128], *nl;
	const struct sk_img_ha *h;
	struct sk_cfg_diag d;
	size_t len = 0;
	uint32_t n = 0;
	void *img;

	snprintf(text, sizeof(text), "%s%s%s%s%s};\n", ZONES, IFACES, HA_HEAD, keys, HA_UNITS);
	img = compile(text, &d, &len);
	sk_cfg_diag_free(&d);
	h = img ? sk_image_sec(img, SK_SEC_HA, &n) : NULL;
	/* one TAP line: no newline in the name */
	snprintf(label, sizeof(label), "%s", keys[0] ? keys : "no profile ");
	while ((nl = strchr(label, '\n')) != NULL)
		*nl = ' ';
	SK_CHECK(h != NULL && n == 1 && h->hb_interval_ms == hb && h->dead_ms == dead,
		 "%s-> %u/%u ms (%u/%u)", label, hb, dead, h ? h->hb_interval_ms : 0,
		 h ? h->dead_ms : 0);
	free(img);
}

static void
test_profiles(void)
{
	timing("", 50, 200);
	timing("  profile = \"default\";\n", 50, 200);
	timing("  profile = \"aggressive\";\n", 20, 80);
	timing("  profile = \"lab\";\n", 100, 1000);
	timing("  profile = \"lab\"; heartbeat_ms = 200;\n", 200, 1000);
	timing("  heartbeat_ms = 30; profile = \"aggressive\";\n", 30, 80);
	timing("  profile = \"aggressive\"; dead_ms = 500;\n", 20, 500);
	timing("  heartbeat_ms = 10; dead_ms = 20;\n", 10, 20);
}

/* text must fail with (at least) the message want. */
static void
bad(const char *what, const char *text, const char *want)
{
	struct sk_cfg_diag d;
	size_t len = 0;
	void *img = compile(text, &d, &len);

	SK_CHECK(img == NULL && has_msg(&d, want), "%s: %s", what, want);
	free(img);
	sk_cfg_diag_free(&d);
}

static void
test_errors(void)
{
	bad("plain address in a pair", ZONES
	    "interfaces = ( { name = \"out\"; device = \"x\"; zone = \"out\";\n"
	    "  ipv4 = [ \"203.0.113.1/24\" ]; } );\n"
	    HA_HEAD HA_UNITS "};\n",
	    "inline:3: interface 'out': in an HA pair an address is per unit (`units`) or "
	    "floating (`floating_ipv4`/`floating_ipv6`)");
	bad("sync sweep slower than half the shortest timeout", ZONES IFACES HA_HEAD HA_UNITS
	    "  sync_sweep_ms = 6000;\n};\n",
	    "inline:17: ha: sync_sweep_ms = 6000 is more than half the shortest connection "
	    "timeout (10 s): the standby would expire connections the active still carries");
	bad("floating without ha", ZONES
	    "interfaces = ( { name = \"out\"; device = \"x\"; zone = \"out\";\n"
	    "  ipv4 = [ \"203.0.113.2/24\" ]; floating_ipv4 = [ \"203.0.113.1/24\" ]; } );\n",
	    "inline:3: interface 'out': `floating_ipv4` needs an `ha` group");
	bad("units without ha", ZONES
	    "interfaces = ( { name = \"out\"; device = \"x\"; zone = \"out\";\n"
	    "  units = ( { }, { } ); } );\n",
	    "inline:3: interface 'out': `units` needs an `ha` group");
	/* ha before interfaces in the file: the check does not depend on the order */
	bad("ha first", ZONES HA_HEAD HA_UNITS "};\n"
	    "interfaces = ( { name = \"out\"; device = \"x\"; zone = \"out\";\n"
	    "  ipv6 = [ \"2001:db8::2/64\" ]; } );\n",
	    "inline:10: interface 'out': in an HA pair an address is per unit (`units`) or "
	    "floating (`floating_ipv4`/`floating_ipv6`)");
	bad("same address on both units", ZONES
	    "interfaces = ( { name = \"out\"; device = \"x\"; zone = \"out\";\n"
	    "  units = ( { ipv4 = [ \"203.0.113.2/24\" ]; },\n"
	    "            { ipv4 = [ \"203.0.113.2/24\" ]; } ); } );\n"
	    HA_HEAD HA_UNITS "};\n",
	    "inline:4: interface 'out': address 203.0.113.2 is already on interface 'out' (line 3)");
	bad("floating twice as unit", ZONES
	    "interfaces = ( { name = \"out\"; device = \"x\"; zone = \"out\";\n"
	    "  units = ( { ipv4 = [ \"203.0.113.2/24\" ]; }, { ipv4 = [ \"203.0.113.3/24\" ]; } );\n"
	    "  floating_ipv4 = [ \"203.0.113.3/24\" ]; } );\n"
	    HA_HEAD HA_UNITS "};\n",
	    "inline:4: interface 'out': address 203.0.113.3 is already on interface 'out' (line 3)");
	bad("floating outside", ZONES
	    "interfaces = ( { name = \"out\"; device = \"x\"; zone = \"out\";\n"
	    "  units = ( { ipv4 = [ \"203.0.113.2/24\" ]; }, { ipv4 = [ \"203.0.113.3/24\" ]; } );\n"
	    "  floating_ipv4 = [ \"198.51.100.1/24\" ]; } );\n"
	    HA_HEAD HA_UNITS "};\n",
	    "inline:4: interface 'out': floating address 198.51.100.1/24 lies in no subnet of a "
	    "per-unit address of this interface");
	bad("VIP is a unit's", ZONES IFACES
	    "services = ( { name = \"web\"; vip = \"203.0.113.3\"; proto = \"tcp\"; port = \"80\";\n"
	    "  backends = ( { name = \"b\"; address = \"10.0.0.11\"; port = 80; } ); } );\n"
	    HA_HEAD HA_UNITS "};\n",
	    "inline:11: service 'web': vip 203.0.113.3 is unit 2's own address (line 4); a VIP "
	    "must be floating");
	bad("SNAT is a unit's", ZONES IFACES
	    "services = ( { name = \"web\"; vip = \"203.0.113.80\"; proto = \"tcp\"; port = \"80\";\n"
	    "  forward = \"fullnat\"; snat = [ \"10.0.0.2\" ];\n"
	    "  backends = ( { name = \"b\"; address = \"10.0.0.11\"; port = 80; } ); } );\n"
	    HA_HEAD HA_UNITS "};\n",
	    "inline:11: service 'web': snat 10.0.0.2 is unit 1's own address (line 7); a SNAT "
	    "source must not be a unit's");
	bad("same ha_address", ZONES IFACES HA_HEAD
	    "  units = ( { ha_address = \"192.0.2.1\"; }, { ha_address = \"192.0.2.1\"; } );\n};\n",
	    "inline:14: ha: units[1]: ha_address is the same as units[0]'s; the two units need "
	    "different addresses");
	bad("ha_address families", ZONES IFACES HA_HEAD
	    "  units = ( { ha_address = \"192.0.2.1\"; }, { ha_address = \"2001:db8::2\"; } );\n};\n",
	    "inline:14: ha: units[1]: ha_address is IPv6 but units[0]'s is IPv4; both must have "
	    "the same family");
	bad("bad ha_address", ZONES IFACES HA_HEAD
	    "  units = ( { ha_address = \"192.0.2.1/24\"; }, { ha_address = \"192.0.2.2\"; } );\n};\n",
	    "inline:14: ha: units[0]: ha_address: bad address \"192.0.2.1/24\" (want \"192.0.2.1\" "
	    "or \"2001:db8::1\")");
	bad("one unit", ZONES IFACES HA_HEAD "  units = ( { ha_address = \"192.0.2.1\"; } );\n};\n",
	    "inline:14: ha: units must list exactly 2 units ( { unit 1 }, { unit 2 } ), not 1");
	bad("priority range", ZONES IFACES HA_HEAD
	    "  units = ( { priority = 0; ha_address = \"192.0.2.1\"; },\n"
	    "            { ha_address = \"192.0.2.2\"; } );\n};\n",
	    "inline:14: ha: units[0]: priority = 0 is out of range 1..255");
	bad("dead < 2 x hb", ZONES IFACES HA_HEAD "  heartbeat_ms = 100; dead_ms = 199;\n"
	    HA_UNITS "};\n",
	    "inline:14: ha: dead_ms = 199 must be at least 2 x heartbeat_ms = 200");
	bad("profile's dead < 2 x hb", ZONES IFACES HA_HEAD "  heartbeat_ms = 150;\n"
	    HA_UNITS "};\n",
	    "inline:14: ha: dead_ms = 200 must be at least 2 x heartbeat_ms = 300");
	bad("unknown profile", ZONES IFACES HA_HEAD "  profile = \"fast\";\n" HA_UNITS "};\n",
	    "inline:14: ha: unknown profile \"fast\" (default, aggressive, lab)");
	bad("relative psk_file", ZONES IFACES
	    "ha = {\n  cluster = \"c1\";\n  psk_file = \"ha.key\";\n" HA_UNITS "};\n",
	    "inline:13: ha: psk_file \"ha.key\" must be an absolute path");
	bad("missing cluster", ZONES IFACES "ha = {\n  psk_file = \"/k\";\n" HA_UNITS "};\n",
	    "inline:11: ha: missing required key 'cluster'");
	bad("long cluster", ZONES IFACES
	    "ha = {\n  cluster = \"abcdefghijklmnopqrstuvwxyz0123456\";\n  psk_file = \"/k\";\n"
	    HA_UNITS "};\n",
	    "inline:12: ha: bad name \"abcdefghijklmnopqrstuvwxyz0123456\" (1-31 of A-Z a-z 0-9 _ . -)");
	bad("data heartbeat: unknown interface", ZONES IFACES HA_HEAD HA_UNITS
	    "  data_heartbeat = { interface = \"dmz\"; };\n};\n",
	    "inline:17: ha: data_heartbeat: unknown interface 'dmz'");
	bad("data heartbeat: a unit without an address", ZONES
	    "interfaces = ( { name = \"out\"; device = \"x\"; zone = \"out\";\n"
	    "  units = ( { ipv4 = [ \"203.0.113.2/24\" ]; }, { } ); } );\n"
	    HA_HEAD HA_UNITS "  data_heartbeat = { interface = \"out\"; };\n};\n",
	    "inline:10: ha: data_heartbeat: unit 2 has no own address on interface 'out' "
	    "(`units` of that interface)");
	bad("data heartbeat: no common family", ZONES
	    "interfaces = ( { name = \"out\"; device = \"x\"; zone = \"out\";\n"
	    "  units = ( { ipv4 = [ \"203.0.113.2/24\" ]; }, { ipv6 = [ \"2001:db8::3/64\" ]; } ); } );\n"
	    HA_HEAD HA_UNITS "  data_heartbeat = { interface = \"out\"; };\n};\n",
	    "inline:10: ha: data_heartbeat: the two units' own addresses on interface 'out' have "
	    "no family in common (one IPv4 only, the other IPv6 only)");
	bad("multicast floating_mac", ZONES IFACES HA_HEAD HA_UNITS
	    "  floating_mac = \"01:00:5e:00:00:01\";\n};\n",
	    "inline:17: ha: bad floating_mac \"01:00:5e:00:00:01\" (want a unicast "
	    "xx:xx:xx:xx:xx:xx)");
	bad("floating_mac: not applied by the dataplane, so refused", ZONES IFACES HA_HEAD HA_UNITS
	    "  floating_mac = \"02:00:5e:00:01:01\";\n};\n",
	    "inline:17: ha: floating_mac is not supported by this version: the active unit sends "
	    "and answers with its ports' own MACs, and neighbours follow a takeover by gratuitous "
	    "ARP and unsolicited NA (ha.announce); remove the key");
	bad("interface mac in an HA config", ZONES
	    "interfaces = ( { name = \"out\"; device = \"x\"; zone = \"out\"; mac = \"02:00:00:00:00:01\";\n"
	    "  units = ( { ipv4 = [ \"203.0.113.2/24\" ]; }, { ipv4 = [ \"203.0.113.3/24\" ]; } ); } );\n"
	    HA_HEAD HA_UNITS "};\n",
	    "inline:2: interface 'out': mac: an HA config runs on both units, so a fixed MAC would be "
	    "the same on both; leave it out (each unit keeps its ports' own MACs)");
	bad("announce range", ZONES IFACES HA_HEAD HA_UNITS "  announce = { count = 21; };\n};\n",
	    "inline:17: ha: announce: count = 21 is out of range 1..20");
	bad("hook path", ZONES IFACES HA_HEAD HA_UNITS "  hook = { retries = 1; };\n};\n",
	    "inline:17: ha: hook: missing required key 'path'");
}

/* Without `ha` the image is as before: no HA record, no per-address records. */
static void
test_standalone(void)
{
	static const char *files[] = { "conf/lab.conf", "tests/config/good/full.conf" };
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct sk_cfg_diag d;
		struct sk_cfg *cfg;
		uint32_t nh = 1, nah = 1, nad = 0;
		size_t len = 0;
		void *img;

		sk_cfg_diag_init(&d);
		cfg = sk_cfg_load_file(files[i], &d);
		SK_CHECK(cfg != NULL && sk_cfg_ha(cfg) == NULL, "%s: sk_cfg_ha() is NULL", files[i]);
		sk_cfg_free(cfg);
		sk_cfg_diag_free(&d);
		sk_cfg_diag_init(&d);
		img = sk_cfg_compile_file(files[i], &len, &d);
		if (img != NULL) {
			sk_image_sec(img, SK_SEC_HA, &nh);
			sk_image_sec(img, SK_SEC_ADDR_HA, &nah);
			sk_image_sec(img, SK_SEC_ADDRS, &nad);
		}
		SK_CHECK(img != NULL && nh == 0 && nah == 0 && nad > 0,
			 "%s: no HA sections (%u, %u) for %u addresses", files[i], nh, nah, nad);
		free(img);
		sk_cfg_diag_free(&d);
	}
}

/* The lab pair: both units on one host, the heartbeat on "inside". */
/* ha.units[N].management_listen: each unit's REST address from one text. */
static void
test_mgmt_listen(void)
{
	const char *text = ZONES IFACES HA_HEAD
		"  units = ( { ha_address = \"192.0.2.1\"; management_listen = \"198.51.100.2:8443\"; },\n"
		"            { ha_address = \"192.0.2.2\"; management_listen = \"[2001:db8:ad::3]:9443\"; } );\n"
		"};\n"
		"management = { listen = \"127.0.0.1:8443\"; admin_networks = [ \"198.51.100.0/24\" ]; };\n";
	const struct sk_cfg_mgmt *m0, *m1, *m2;
	struct sk_cfg_diag d;
	struct sk_cfg *cfg;

	sk_cfg_diag_init(&d);
	cfg = sk_cfg_load_string(text, "inline", &d);
	SK_CHECK(cfg != NULL, "per-unit management_listen loads");
	if (cfg != NULL) {
		m0 = sk_cfg_mgmt_unit(cfg, 0);
		m1 = sk_cfg_mgmt_unit(cfg, 1);
		m2 = sk_cfg_mgmt_unit(cfg, 2);
		SK_CHECK(strcmp(m0->listen, "127.0.0.1:8443") == 0 && m0 == sk_cfg_mgmt(cfg),
			 "unit 0 (standalone): management.listen");
		SK_CHECK(strcmp(m1->listen, "198.51.100.2:8443") == 0 && m1->listen_family == 4 &&
			 addr_is(4, m1->listen_addr, "198.51.100.2") && m1->listen_port == 8443 &&
			 m1->n_nets == 1, "unit 1: its own listen, the shared admin networks");
		SK_CHECK(strcmp(m2->listen, "[2001:db8:ad::3]:9443") == 0 && m2->listen_family == 6 &&
			 addr_is(6, m2->listen_addr, "2001:db8:ad::3") && m2->listen_port == 9443,
			 "unit 2: its own IPv6 listen");
		sk_cfg_free(cfg);
	}
	sk_cfg_diag_free(&d);
	bad("management_listen malformed", ZONES IFACES HA_HEAD
	    "  units = ( { ha_address = \"192.0.2.1\"; management_listen = \"198.51.100.2\"; },\n"
	    "            { ha_address = \"192.0.2.2\"; } );\n};\n",
	    "inline:14: ha: units[0]: management_listen \"198.51.100.2\" is not \"ADDR:PORT\" (an IP "
	    "address and a port 1..65535; IPv6 as \"[2001:db8::1]:8443\")");
	bad("management_listen off loopback without admin_networks", ZONES IFACES HA_HEAD
	    "  units = ( { ha_address = \"192.0.2.1\"; management_listen = \"198.51.100.2:8443\"; },\n"
	    "            { ha_address = \"192.0.2.2\"; } );\n};\n",
	    "inline:14: ha: units[0]: management_listen \"198.51.100.2:8443\" is not a loopback "
	    "address: management.admin_networks is required (the prefixes allowed to reach the API)");
}

static void
test_lab(void)
{
	const struct sk_img_ha *h;
	struct sk_cfg_diag d;
	size_t len = 0;
	uint32_t n = 0;
	void *img;

	sk_cfg_diag_init(&d);
	img = sk_cfg_compile_file("conf/ha-lab.conf", &len, &d);
	h = img ? sk_image_sec(img, SK_SEC_HA, &n) : NULL;
	SK_CHECK(h != NULL && n == 1 && strcmp(h->cluster, "sekisho-lab") == 0 &&
		 h->hb_interval_ms == 100 && h->dead_ms == 1000 &&
		 strcmp(h->unit[0].file_prefix, h->unit[1].file_prefix) != 0 &&
		 h->unit[0].dp_family == 4 && addr_is(4, h->unit[0].dp_addr, "10.10.0.2") &&
		 addr_is(4, h->unit[1].dp_addr, "10.10.0.3"),
		 "conf/ha-lab.conf: lab profile, own file prefixes, heartbeat .2/.3 on inside");
	free(img);
	sk_cfg_diag_free(&d);
}

int
main(void)
{
	test_full();
	test_options();
	test_profiles();
	test_errors();
	test_standalone();
	test_lab();
	test_mgmt_listen();
	return SK_TEST_DONE();
}
