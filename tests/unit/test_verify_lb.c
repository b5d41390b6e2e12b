/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_verify_lb.c - the trace of packets to virtual services: the service
 * matched, the backend chosen, policy on the translated packet, the NAT
 * (DNAT, full NAT with its SNAT source), the backend's route, and the
 * load balancer's own drops (lb_no_backend, nat_stray, no_route to a
 * backend), against generations compiled from config text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash_crc.h>

#include "sk_test.h"
#include "sk_test_eal.h"

#include "cfg.h"
#include "gen/gen.h"
#include "verify/verify.h"

#define HEAD \
	"dataplane = { lcores = \"0-2\"; workers = %d; hugepages = false; };\n" \
	"zones = ( \"outside\", \"inside\", \"dmz\" );\n" \
	"interfaces = (\n" \
	" { name = \"outside\"; zone = \"outside\"; device = \"net_null0\"; mac = \"02:00:00:00:00:01\";\n" \
	"   ipv4 = [ \"203.0.113.1/24\" ]; ipv6 = [ \"2001:db8:ff::1/64\" ]; },\n" \
	" { name = \"inside\"; zone = \"inside\"; device = \"net_null1\"; mac = \"02:00:00:00:00:02\";\n" \
	"   ipv4 = [ \"10.10.0.1/24\" ]; ipv6 = [ \"2001:db8:10::1/64\" ]; },\n" \
	" { name = \"dmz\"; zone = \"dmz\"; device = \"net_null2\"; mac = \"02:00:00:00:00:03\";\n" \
	"   ipv4 = [ \"192.0.2.1/24\" ]; ipv6 = [ \"2001:db8:d::1/64\" ]; }\n" \
	");\n" \
	"routes = ( { dst = \"0.0.0.0/0\"; via = \"203.0.113.254\"; } );\n" \
	"neighbors = ( { interface = \"inside\"; ip = \"10.10.0.11\"; mac = \"02:00:00:00:0a:0b\"; } );\n"

/* Config lines: HEAD is 12, so the policy starts on line 13. */
static const char *body =
	"policy = { default = \"drop\";\n"
	" rules = (\n"
	"  { name = \"web-in\"; from = \"outside\"; to = \"inside\"; proto = \"tcp\";\n"
	"    dst = [ \"10.10.0.11/32\", \"10.10.0.12/32\", \"2001:db8:10::/64\" ]; dport = [ \"80-90\", \"8080\" ];\n"
	"    action = \"accept\"; },\n"
	"  { name = \"vip-only\"; from = \"outside\"; proto = \"tcp\"; dst = [ \"203.0.113.83/32\" ];\n"
	"    dport = [ \"443\" ]; action = \"accept\"; },\n"
	"  { name = \"dmz-rej\"; from = \"outside\"; to = \"dmz\"; proto = \"tcp\"; action = \"reject\"; },\n"
	"  { name = \"to-v6\"; from = \"outside\"; to = \"inside\"; proto = \"udp\"; action = \"accept\"; }\n"
	" );\n};\n"
	"services = (\n"
	" { name = \"web\"; vip = \"203.0.113.80\"; proto = \"tcp\"; port = \"80\";\n"
	"   scheduler = \"maglev\"; forward = \"dnat\";\n"
	"   backends = ( { name = \"a\"; address = \"10.10.0.11\"; port = 8080; },\n"
	"                { name = \"b\"; address = \"10.10.0.12\"; port = 8080; } ); },\n"
	" { name = \"fnat\"; vip = \"203.0.113.81\"; proto = \"tcp\"; port = \"80-90\";\n"
	"   scheduler = \"sh\"; forward = \"fullnat\"; snat = [ \"10.10.0.2\", \"10.10.0.3\" ];\n"
	"   backends = ( { name = \"a\"; address = \"10.10.0.11\"; },\n"
	"                { name = \"b\"; address = \"10.10.0.12\"; } ); },\n"
	" { name = \"web6\"; vip = \"2001:db8:ff::80\"; proto = \"tcp\"; port = \"80\";\n"
	"   backends = ( { name = \"six\"; address = \"2001:db8:10::11\"; port = 80; } ); },\n"
	" { name = \"drained\"; vip = \"203.0.113.82\"; proto = \"tcp\"; port = \"80\";\n"
	"   backends = ( { name = \"d\"; address = \"10.10.0.12\"; port = 80; state = \"drain\"; },\n"
	"                { name = \"z\"; address = \"10.10.0.11\"; port = 80; weight = 0; } ); },\n"
	" { name = \"strict\"; vip = \"203.0.113.83\"; proto = \"tcp\"; port = \"443\";\n"
	"   backends = ( { name = \"s\"; address = \"10.10.0.11\"; port = 443; } ); },\n"
	" { name = \"lost\"; vip = \"2001:db8:ff::53\"; proto = \"udp\"; port = \"53\";\n"
	"   backends = ( { name = \"far\"; address = \"2001:db8:99::1\"; port = 53; } ); },\n"
	" { name = \"rr\"; vip = \"203.0.113.84\"; proto = \"tcp\"; port = \"80\"; scheduler = \"wrr\";\n"
	"   backends = ( { name = \"r1\"; address = \"10.10.0.11\"; port = 80; },\n"
	"                { name = \"r2\"; address = \"10.10.0.12\"; port = 80; } ); },\n"
	" { name = \"dmzsvc\"; vip = \"203.0.113.85\"; proto = \"tcp\"; port = \"25\";\n"
	"   backends = ( { name = \"m\"; address = \"192.0.2.25\"; port = 25; } ); }\n"
	");\n";

static struct sk_gen *
build(int workers, struct sk_cfg **cfgp)
{
	char text[8192], err[256];
	struct sk_cfg_diag d;
	struct sk_cfg *cfg;
	struct sk_gen *g;

	snprintf(text, sizeof(text), HEAD "%s", workers, body);
	sk_cfg_diag_init(&d);
	cfg = sk_cfg_load_string(text, "lb.conf", &d);
	if (cfg == NULL)
		sk_cfg_diag_print(&d, stdout);
	sk_cfg_diag_free(&d);
	*cfgp = cfg;
	if (cfg == NULL)
		return NULL;
	g = sk_verify_gen_build(cfg, 3, err, sizeof(err));
	if (g == NULL)
		printf("# %s\n", err);
	return g;
}

static json_t *
trace(const struct sk_gen *g, const char *pkt)
{
	struct sk_verify_pkt p;
	char err[256];
	json_t *q = json_loads(pkt, 0, NULL), *doc = NULL;

	if (q != NULL && sk_verify_pkt_from_json(q, &p, err, sizeof(err)) == 0)
		doc = sk_verify_trace(g, &p, err, sizeof(err));
	else
		printf("# bad packet %s: %s\n", pkt, err);
	json_decref(q);
	return doc;
}

static const char *
sget(const json_t *doc, const char *obj, const char *key)
{
	const json_t *o = obj != NULL ? json_object_get(doc, obj) : doc;
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "(none)";
}

static long long
iget(const json_t *doc, const char *obj, const char *key)
{
	return (long long)json_integer_value(json_object_get(json_object_get(doc, obj), key));
}

static int
eq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* Any assumption mentions needle. */
static int
assumes(const json_t *doc, const char *needle)
{
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(doc, "assumptions"), i, v)
		if (strstr(json_string_value(v), needle) != NULL)
			return 1;
	return 0;
}

static void
test_dnat(const struct sk_gen *g)
{
	char pkt[256], want[64];
	int seen_a = 0, seen_b = 0, same = 1, sport;
	json_t *doc, *again;

	doc = trace(g, "{\"from\":\"outside\",\"src\":\"198.18.0.5\",\"dst\":\"203.0.113.80\","
		       "\"proto\":\"tcp\",\"sport\":40000,\"dport\":80}");
	SK_CHECK(doc != NULL && eq(sget(doc, NULL, "decision"), "forward") &&
		 eq(sget(doc, "service", "name"), "web") && iget(doc, "service", "id") == 1 &&
		 iget(doc, "service", "line") == 25 && eq(sget(doc, "service", "scheduler"), "maglev") &&
		 eq(sget(doc, "service", "forward"), "dnat"),
		 "dnat: service web (id 1, line 25, maglev, dnat) matched");
	if (doc == NULL)
		return;
	snprintf(want, sizeof(want), "203.0.113.80:80 -> %s:8080", sget(doc, "backend", "address"));
	SK_CHECK((eq(sget(doc, "backend", "name"), "a") ? iget(doc, "backend", "line") == 27 :
		  iget(doc, "backend", "line") == 28) && iget(doc, "backend", "port") == 8080 &&
		 eq(sget(doc, "nat", "dst"), want) && json_is_null(json_object_get(
		 json_object_get(doc, "nat"), "src")),
		 "dnat: backend %s %s:%lld (line %lld); nat dst %s, source kept",
		 sget(doc, "backend", "name"), sget(doc, "backend", "address"),
		 iget(doc, "backend", "port"), iget(doc, "backend", "line"), sget(doc, "nat", "dst"));
	SK_CHECK(eq(sget(doc, "route", "egress_interface"), "inside") &&
		 eq(sget(doc, "route", "next_hop"), sget(doc, "backend", "address")) &&
		 eq(sget(json_object_get(doc, "policy"), "rule", "name"), "web-in"),
		 "dnat: routed to the backend (out inside, next hop %s) and web-in accepts it",
		 sget(doc, "route", "next_hop"));
	SK_CHECK(assumes(doc, "runtime state") && assumes(doc, "maglev"),
		 "dnat: assumptions name the unknown runtime state and the scheduler");
	again = trace(g, "{\"from\":\"outside\",\"src\":\"198.18.0.5\",\"dst\":\"203.0.113.80\","
			 "\"proto\":\"tcp\",\"sport\":40000,\"dport\":80}");
	SK_CHECK(again != NULL && eq(sget(again, "backend", "name"), sget(doc, "backend", "name")),
		 "dnat: maglev gives one flow the same backend every time");
	json_decref(again);
	json_decref(doc);

	/* The flow hash spreads flows over both backends. */
	for (sport = 1024; sport < 1088; sport++) {
		snprintf(pkt, sizeof(pkt), "{\"from\":\"outside\",\"src\":\"198.18.0.5\","
			 "\"dst\":\"203.0.113.80\",\"proto\":\"tcp\",\"sport\":%d,\"dport\":80}", sport);
		doc = trace(g, pkt);
		if (doc == NULL || !eq(sget(doc, NULL, "decision"), "forward")) {
			same = 0;
		} else {
			seen_a += eq(sget(doc, "backend", "name"), "a");
			seen_b += eq(sget(doc, "backend", "name"), "b");
		}
		json_decref(doc);
	}
	SK_CHECK(same && seen_a > 0 && seen_b > 0 && seen_a + seen_b == 64,
		 "dnat: 64 flows spread over both backends (a %d, b %d)", seen_a, seen_b);
}

static void
test_fullnat(const struct sk_gen *g)
{
	uint64_t src[2] = { 0, 0 };
	uint32_t seed;
	char want_src[96];
	const json_t *snat;
	json_t *doc;

	memcpy(src, "\xc6\x12\x00\x05", 4);   /* 198.18.0.5 */
	seed = rte_hash_crc_4byte(40000, rte_hash_crc(src, 16, 0x5eed));

	doc = trace(g, "{\"from\":\"outside\",\"src\":\"198.18.0.5\",\"dst\":\"203.0.113.81\","
		       "\"proto\":\"tcp\",\"sport\":40000,\"dport\":85}");
	SK_CHECK(doc != NULL && eq(sget(doc, NULL, "decision"), "forward") &&
		 eq(sget(doc, "service", "name"), "fnat") &&
		 eq(sget(doc, "service", "ports"), "80-90") &&
		 eq(sget(doc, "nat", "forward"), "fullnat"),
		 "fullnat: service fnat (ports 80-90) matched, forwarded");
	if (doc == NULL)
		return;
	/* Backend port 0 takes the client's destination port. */
	SK_CHECK(iget(doc, "backend", "port") == 85 && eq(sget(doc, "service", "scheduler"), "sh"),
		 "fullnat: a backend with port 0 gets the client's port 85");
	snat = json_object_get(json_object_get(doc, "nat"), "snat");
	snprintf(want_src, sizeof(want_src), "198.18.0.5:40000 -> 10.10.0.%u:%u",
		 2 + seed % 2, 1024 + seed % 64512);
	SK_CHECK(eq(sget(doc, "nat", "src"), want_src) &&
		 json_is_true(json_object_get(snat, "port_exact")) &&
		 json_integer_value(json_object_get(snat, "pool_size")) == 2 &&
		 eq(sget(snat, NULL, "port_range"), "1024-65535"),
		 "fullnat: src %s (want %s: pool[seed %% 2], first port of one worker's block)",
		 sget(doc, "nat", "src"), want_src);
	json_decref(doc);
}

static void
test_fullnat_workers(void)
{
	struct sk_cfg *cfg;
	struct sk_gen *g = build(2, &cfg);
	const json_t *snat;
	json_t *doc = NULL;

	if (g != NULL)
		doc = trace(g, "{\"from\":\"outside\",\"src\":\"198.18.0.5\",\"dst\":\"203.0.113.81\","
			       "\"proto\":\"tcp\",\"sport\":40000,\"dport\":80}");
	snat = json_object_get(json_object_get(doc, "nat"), "snat");
	SK_CHECK(doc != NULL && json_is_false(json_object_get(snat, "port_exact")) &&
		 json_is_null(json_object_get(snat, "port")) &&
		 strstr(sget(doc, "nat", "src"), ":1024-") != NULL &&
		 json_integer_value(json_object_get(snat, "workers")) == 2,
		 "fullnat, 2 workers: the port is a range, not invented (%s)", sget(doc, "nat", "src"));
	json_decref(doc);
	sk_gen_free(g);
	sk_cfg_free(cfg);
}

struct lbcase {
	const char *name;
	const char *pkt;
	const char *decision;
	const char *reason;   /* drop_reason or NULL */
	const char *service;  /* NULL: none matched */
	const char *backend;  /* NULL: none chosen */
	const char *rule;     /* policy rule, "" default, NULL policy not reached */
	const char *reply;    /* reply kind or NULL */
};

static const struct lbcase cases[] = {
	{ "IPv6 DNAT service",
	  "{\"from\":\"outside\",\"src\":\"2001:db8:ff::10\",\"dst\":\"2001:db8:ff::80\",\"proto\":\"tcp\",\"dport\":80}",
	  "forward", NULL, "web6", "six", "web-in", NULL },
	{ "only backend drained, the other weight 0",
	  "{\"from\":\"outside\",\"src\":\"198.18.0.5\",\"dst\":\"203.0.113.82\",\"proto\":\"tcp\",\"dport\":80}",
	  "drop", "lb_no_backend", "drained", NULL, NULL, NULL },
	{ "a rule accepting only the VIP does not see it: translated",
	  "{\"from\":\"outside\",\"src\":\"198.18.0.5\",\"dst\":\"203.0.113.83\",\"proto\":\"tcp\",\"dport\":443}",
	  "drop", "policy_default_drop", "strict", "s", "", NULL },
	{ "backend without a route",
	  "{\"from\":\"outside\",\"src\":\"2001:db8:ff::10\",\"dst\":\"2001:db8:ff::53\",\"proto\":\"udp\",\"dport\":53}",
	  "drop", "no_route", "lost", "far", NULL, NULL },
	{ "stray packet to an SNAT address",
	  "{\"from\":\"inside\",\"src\":\"10.10.0.11\",\"dst\":\"10.10.0.2\",\"proto\":\"tcp\",\"sport\":80,\"dport\":45000,\"flags\":\"SA\"}",
	  "drop", "nat_stray", NULL, NULL, NULL, NULL },
	{ "ACK to a VIP without a connection",
	  "{\"from\":\"outside\",\"src\":\"198.18.0.5\",\"dst\":\"203.0.113.80\",\"proto\":\"tcp\",\"dport\":80,\"flags\":\"A\"}",
	  "drop", "tcp_out_of_state", "web", NULL, NULL, NULL },
	{ "VIP, port of no service: an ordinary destination",
	  "{\"from\":\"outside\",\"src\":\"198.18.0.5\",\"dst\":\"203.0.113.80\",\"proto\":\"tcp\",\"dport\":81}",
	  "drop", "policy_default_drop", NULL, NULL, "", NULL },
	{ "reject of the translated packet answers the client",
	  "{\"from\":\"outside\",\"src\":\"198.18.0.5\",\"dst\":\"203.0.113.85\",\"proto\":\"tcp\",\"dport\":25}",
	  "drop", "policy_rule_reject", "dmzsvc", "m", "dmz-rej", "tcp_rst" },
};

static void
test_cases(const struct sk_gen *g)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct lbcase *c = &cases[i];
		json_t *doc = trace(g, c->pkt);
		const json_t *pol, *svc, *be, *reply;
		const char *reason, *rule = NULL;
		int ok;

		if (doc == NULL) {
			SK_CHECK(0, "lb trace %s: no document", c->name);
			continue;
		}
		reason = json_string_value(json_object_get(doc, "drop_reason"));
		pol = json_object_get(doc, "policy");
		if (json_is_object(pol))
			rule = json_is_object(json_object_get(pol, "rule")) ?
				sget(pol, "rule", "name") : "";
		svc = json_object_get(doc, "service");
		be = json_object_get(doc, "backend");
		reply = json_object_get(doc, "reply");
		ok = eq(sget(doc, NULL, "decision"), c->decision) &&
		     (c->reason == NULL ? reason == NULL : reason != NULL && eq(reason, c->reason)) &&
		     (c->service == NULL ? json_is_null(svc) : eq(sget(svc, NULL, "name"), c->service)) &&
		     (c->backend == NULL ? json_is_null(be) : eq(sget(be, NULL, "name"), c->backend)) &&
		     (c->rule == NULL ? rule == NULL : rule != NULL && eq(rule, c->rule)) &&
		     (c->reply == NULL ? json_is_null(reply) : eq(sget(reply, NULL, "kind"), c->reply));
		/* A drop before accept has no NAT. */
		ok = ok && (eq(c->decision, "forward") || json_is_null(json_object_get(doc, "nat")));
		SK_CHECK(ok, "lb trace: %s -> %s %s (got %s %s, service %s, backend %s, rule %s)",
			 c->name, c->decision, c->reason ? c->reason : "", sget(doc, NULL, "decision"),
			 reason ? reason : "-", sget(svc, NULL, "name"), sget(be, NULL, "name"),
			 rule ? rule : "-");
		json_decref(doc);
	}
}

/* Details beyond the table: the policy evaluates the translated packet; the
 * reject answers out of the client's side; WRR rotates and says so. */
static void
test_details(const struct sk_gen *g)
{
	json_t *doc, *d2;
	char *txt = NULL;
	size_t len = 0;
	FILE *f;

	doc = trace(g, "{\"from\":\"outside\",\"src\":\"198.18.0.5\",\"dst\":\"203.0.113.83\","
		       "\"proto\":\"tcp\",\"dport\":443}");
	SK_CHECK(doc != NULL && eq(sget(json_object_get(doc, "policy"), "default", "to"), "inside"),
		 "policy: the zone pair is the backend's (outside -> inside), not the VIP's");
	json_decref(doc);
	doc = trace(g, "{\"from\":\"outside\",\"src\":\"198.18.0.5\",\"dst\":\"203.0.113.85\","
		       "\"proto\":\"tcp\",\"dport\":25}");
	SK_CHECK(doc != NULL && eq(sget(doc, "reply", "interface"), "outside"),
		 "reject: the RST goes back out of the client's interface");
	json_decref(doc);

	doc = trace(g, "{\"from\":\"outside\",\"src\":\"198.18.0.5\",\"dst\":\"203.0.113.84\","
		       "\"proto\":\"tcp\",\"dport\":80}");
	d2 = trace(g, "{\"from\":\"outside\",\"src\":\"198.18.0.5\",\"dst\":\"203.0.113.84\","
		      "\"proto\":\"tcp\",\"dport\":80}");
	SK_CHECK(doc != NULL && d2 != NULL &&
		 !eq(sget(doc, "backend", "name"), sget(d2, "backend", "name")) &&
		 assumes(doc, "wrr: the choice depends on the connections before it"),
		 "wrr: successive traces rotate (%s, %s) and the assumption says why",
		 sget(doc, "backend", "name"), sget(d2, "backend", "name"));
	json_decref(d2);
	json_decref(doc);

	/* Text for people. */
	doc = trace(g, "{\"from\":\"outside\",\"src\":\"198.18.0.5\",\"dst\":\"203.0.113.81\","
		       "\"proto\":\"tcp\",\"sport\":40000,\"dport\":80}");
	f = open_memstream(&txt, &len);
	if (f != NULL && doc != NULL) {
		sk_verify_print_trace(f, doc);
		fclose(f);
	}
	SK_CHECK(txt != NULL && strstr(txt, "service   fnat (id 2, line 29)") != NULL &&
		 strstr(txt, "backend   ") != NULL &&
		 strstr(txt, "nat       fullnat: dst 203.0.113.81:80 -> 10.10.0.1") != NULL &&
		 strstr(txt, "          src 198.18.0.5:40000 -> 10.10.0.") != NULL,
		 "text: service, backend and NAT lines");
	free(txt);
	json_decref(doc);

	/* A firewall-only packet keeps the load balancer's fields null. */
	doc = trace(g, "{\"from\":\"outside\",\"src\":\"198.18.0.5\",\"dst\":\"10.10.0.11\","
		       "\"proto\":\"tcp\",\"dport\":80}");
	SK_CHECK(doc != NULL && eq(sget(doc, NULL, "decision"), "forward") &&
		 json_is_null(json_object_get(doc, "service")) &&
		 json_is_null(json_object_get(doc, "backend")) &&
		 json_is_null(json_object_get(doc, "nat")) && !assumes(doc, "backend choice"),
		 "plain packet: no service, backend or NAT");
	json_decref(doc);
}

int
main(int argc, char **argv)
{
	struct sk_cfg *cfg;
	struct sk_gen *g;

	(void)argc;
	if (sk_test_eal_init(argv[0]) < 0) {
		printf("Bail out! EAL init failed\n");
		return 1;
	}
	g = build(1, &cfg);
	SK_CHECK(g != NULL, "services config compiles into a trace generation");
	if (g != NULL) {
		test_dnat(g);
		test_fullnat(g);
		test_cases(g);
		test_details(g);
	}
	sk_gen_free(g);
	sk_cfg_free(cfg);
	test_fullnat_workers();
	return SK_TEST_DONE();
}
