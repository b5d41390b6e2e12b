/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_aclsplit.c - the split, parallel ACL build (dataplane/acl/acl_par.c,
 * acl_build.c): a family split into several rte_acl contexts built on
 * control threads must classify exactly as one context does and as a
 * brute-force first-match over the rules; a rule matching in several parts
 * must lose to the lowest index; a part that fails to build must leave no
 * context and no rte_malloc memory behind; small sets stay one context.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <rte_acl.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "sk_test.h"
#include "sk_test_eal.h"
#include "sk_test_image.h"
#include "sk_test_acl.h"
#include "sk_image_api.h"
#include "acl/acl.h"
#include "acl/acl_priv.h"

#define NZONES SK_TEST_ACL_ZONES
#define TCP 6
#define UDP 17
#define ICMP 1

/* ---------------------------------------------------------------- rule sets */

static struct sk_img_rule *
rs_new_rule(struct ruleset *rs)
{
	struct sk_img_rule *r = &rs->rules[rs->nr];

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "r%u", rs->nr);
	r->id = rs->nr + 1;
	r->line = rs->nr + 1;
	r->action = SK_ACT_ACCEPT;
	r->from_zone = SK_ZONE_ANY;
	r->to_zone = SK_ZONE_ANY;
	r->icmp_type = SK_ICMP_ANY;
	r->icmp_code = SK_ICMP_ANY;
	r->src_first = r->dst_first = rs->np;
	r->sport_first = r->dport_first = rs->nport;
	rs->nr++;
	return r;
}

static void
rs_add_dst(struct ruleset *rs, struct sk_img_rule *r, const char *addr, uint8_t plen)
{
	struct sk_img_prefix *p = &rs->pfx[rs->np++];

	memset(p, 0, sizeof(*p));
	p->family = strchr(addr, ':') ? 6 : 4;
	p->plen = plen;
	if (inet_pton(p->family == 4 ? AF_INET : AF_INET6, addr, p->addr) != 1)
		abort();
	if (r->dst_count == 0)
		r->dst_first = rs->np - 1;
	r->dst_count++;
}

static void
rs_add_dport(struct ruleset *rs, struct sk_img_rule *r, uint16_t lo, uint16_t hi)
{
	rs->ports[rs->nport] = (struct sk_img_portrange){ .lo = lo, .hi = hi };
	if (r->dport_count == 0)
		r->dport_first = rs->nport;
	rs->nport++;
	r->dport_count++;
}

/* Build with forced knobs: split above split_min, up to max_parts, cpus CPUs. */
static struct sk_acl *
build(const void *img, const char *name, uint32_t split_min, uint32_t max_parts,
      uint32_t cpus, int32_t fail_ctx, char *err, size_t errlen)
{
	struct sk_acl_build_opts o;

	sk_acl_build_opts_default(&o);
	o.split_min = split_min;
	o.max_parts = max_parts;
	o.par_min = 1;
	o.cpus = cpus;
	o.fail_ctx = fail_ctx;
	return sk_acl_build_opts(img, name, SOCKET_ID_ANY, &o, err, errlen);
}

/* --------------------------------------------------------------- reference */

/* ------------------------------------------------------------ random sets */

/* Addresses near a few bases, so that rules overlap and order matters. */
static void
rnd_addr(uint8_t family, uint8_t a[16])
{
	uint32_t i;

	memset(a, 0, 16);
	if (family == 4) {
		a[0] = (uint8_t)(10 + rnd_in(0, 1));
		for (i = 1; i < 4; i++)
			a[i] = (uint8_t)(rnd_in(0, 3) == 0 ? rnd() : rnd_in(0, 5));
	} else {
		a[0] = 0x20;
		a[1] = 0x01;
		a[2] = 0x0d;
		a[3] = 0xb8;
		for (i = 4; i < 16; i++)
			a[i] = (uint8_t)(rnd_in(0, 3) == 0 ? rnd() : rnd_in(0, 3));
	}
}

/* min: shortest prefix (destinations keep the first byte, so that packets
 * to another first byte match no rule) */
static void
rnd_prefix(struct sk_img_prefix *p, uint8_t family, uint32_t min)
{
	memset(p, 0, sizeof(*p));
	p->family = family;
	rnd_addr(family, p->addr);
	if (family == 4)
		p->plen = (uint8_t)(rnd_in(0, 15) == 0 ? rnd_in(min, 32) : rnd_in(12, 32));
	else
		p->plen = (uint8_t)(rnd_in(0, 15) == 0 ? rnd_in(min, 128) : rnd_in(32, 128));
	/* host bits cleared, as the config compiler leaves them */
	for (uint32_t b = p->plen; b < (family == 4 ? 32u : 128u); b++)
		p->addr[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
}

static void
rnd_rule(struct ruleset *rs)
{
	static const uint8_t protos[] = { SK_PROTO_ANY, TCP, TCP, UDP, UDP, ICMP, 58 };
	struct sk_img_rule *r = rs_new_rule(rs);
	uint32_t k = rnd_in(0, 9), i, n;
	uint8_t fams[2];

	r->family = k < 5 ? 4 : k < 8 ? 6 : 0;
	r->proto = protos[rnd_in(0, RTE_DIM(protos) - 1)];
	if (rnd_in(0, 3) != 0)
		r->from_zone = (uint16_t)rnd_in(1, NZONES);
	if (rnd_in(0, 3) != 0)
		r->to_zone = (uint16_t)rnd_in(0, NZONES);
	if (r->proto == ICMP || r->proto == 58) {
		if (rnd_in(0, 1))
			r->icmp_type = (uint16_t)rnd_in(0, 8);
		if (rnd_in(0, 2) == 0)
			r->icmp_code = (uint16_t)rnd_in(0, 2);
	}
	fams[0] = r->family ? r->family : 4;
	fams[1] = r->family ? r->family : 6;
	n = rnd_in(0, 4) == 0 ? 0 : rnd_in(1, 2);
	r->src_first = rs->np;
	for (i = 0; i < n; i++)
		rnd_prefix(&rs->pfx[rs->np++], fams[i % 2], 0);
	r->src_count = n;
	/* every rule names destinations, so that some packets match nothing */
	n = rnd_in(1, 2);
	r->dst_first = rs->np;
	for (i = 0; i < n; i++)
		rnd_prefix(&rs->pfx[rs->np++], fams[(i + 1) % 2], 8);
	r->dst_count = n;
	r->sport_first = r->dport_first = rs->nport;
	if (r->proto == TCP || r->proto == UDP) {
		n = rnd_in(0, 3) ? 0 : 1;
		for (i = 0; i < n; i++) {
			uint16_t lo = (uint16_t)rnd_in(0, 2000);

			rs->ports[rs->nport++] = (struct sk_img_portrange){ .lo = lo,
				.hi = (uint16_t)(lo + rnd_in(0, 300)) };
		}
		r->sport_count = n;
		r->dport_first = rs->nport;
		n = rnd_in(0, 2) ? rnd_in(1, 2) : 0;
		for (i = 0; i < n; i++) {
			uint16_t lo = (uint16_t)rnd_in(0, 1200);

			rs->ports[rs->nport++] = (struct sk_img_portrange){ .lo = lo,
				.hi = (uint16_t)(lo + rnd_in(0, 40)) };
		}
		r->dport_count = n;
	}
}

/* A packet aimed at a random rule, sometimes disturbed, sometimes at nothing. */
static void
rnd_packet(const struct ruleset *rs, struct sk_pkt_meta *m)
{
	const struct sk_img_rule *r = &rs->rules[rnd_in(0, rs->nr - 1)];
	static const uint8_t protos[] = { TCP, UDP, ICMP, 58, 47 };
	uint32_t i;

	memset(m, 0, sizeof(*m));
	m->kind = rnd_in(0, 63) == 0 ? SK_PKT_ARP : SK_PKT_IP;
	m->family = r->family ? r->family : (uint8_t)(rnd_in(0, 1) ? 4 : 6);
	m->proto = r->proto != SK_PROTO_ANY ? r->proto : protos[rnd_in(0, RTE_DIM(protos) - 1)];
	m->in_zone = r->from_zone != SK_ZONE_ANY ? r->from_zone : (uint16_t)rnd_in(1, NZONES);
	m->out_zone = r->to_zone != SK_ZONE_ANY ? r->to_zone : (uint16_t)rnd_in(0, NZONES);
	rnd_addr(m->family, m->src);
	rnd_addr(m->family, m->dst);
	for (i = 0; i < r->src_count; i++) {
		const struct sk_img_prefix *p = &rs->pfx[r->src_first + i];

		if (p->family == m->family) {
			memcpy(m->src, p->addr, p->plen / 8);
			break;
		}
	}
	for (i = 0; i < r->dst_count; i++) {
		const struct sk_img_prefix *p = &rs->pfx[r->dst_first + i];

		if (p->family == m->family) {
			memcpy(m->dst, p->addr, p->plen / 8);
			break;
		}
	}
	m->sport = (uint16_t)(r->sport_count ? rs->ports[r->sport_first].lo + rnd_in(0, 1) :
			      rnd());
	m->dport = (uint16_t)(r->dport_count ? rs->ports[r->dport_first].hi - rnd_in(0, 1) :
			      rnd_in(0, 2000));
	m->icmp_type = (uint8_t)(r->icmp_type != SK_ICMP_ANY ? r->icmp_type : rnd_in(0, 8));
	m->icmp_code = (uint8_t)(r->icmp_code != SK_ICMP_ANY ? r->icmp_code : rnd_in(0, 2));
	if (rnd_in(0, 7) == 0)
		m->in_zone = (uint16_t)rnd_in(0, NZONES);
	if (rnd_in(0, 7) == 0)
		m->dst[m->family == 4 ? 3 : 15] ^= (uint8_t)(1u << rnd_in(0, 7));
	if (rnd_in(0, 7) == 0)
		m->dst[0] = 0x7f;   /* outside every rule's destinations: no match */
}

/* Classify metas[0..n) in bursts of varying size (some past the 64-key chunk). */
static void
classify_all(const struct sk_acl *acl, struct sk_pkt_meta *metas, uint32_t n, uint32_t *res)
{
	static const uint16_t sizes[] = { 1, 7, 32, 64, 100, 200 };
	struct sk_pkt_meta *pm[200];
	uint32_t i = 0, k = 0, j;

	while (i < n) {
		uint16_t b = (uint16_t)RTE_MIN((uint32_t)sizes[k++ % RTE_DIM(sizes)], n - i);

		for (j = 0; j < b; j++)
			pm[j] = &metas[i + j];
		sk_acl_classify_burst(acl, pm, b, res + i);
		i += b;
	}
}

/* -------------------------------------------------------------------- tests */

#define NRULES 6000
#define NPKTS 20000

static void
test_random(void)
{
	struct ruleset rs;
	char err[256] = "";
	void *img;
	struct sk_acl *one, *split, *split3;
	struct sk_pkt_meta *metas;
	uint32_t *want, *r1, *rs4, *rs3, i, bad1 = 0, bads = 0, bads3 = 0, hits = 0, none = 0;
	uint32_t p4, p6, th, e4, e6, s4, s6;

	rs_init(&rs, NRULES, NRULES * 4 + 1, NRULES * 3 + 1);
	for (i = 0; i < NRULES; i++)
		rnd_rule(&rs);
	img = image_build(&rs, NULL);
	SK_CHECK(img != NULL, "random set: image verifies");
	if (img == NULL)
		return;
	one = build(img, "rone", UINT32_MAX, SK_ACL_MAX_PARTS, 1, -1, err, sizeof(err));
	SK_CHECK(one != NULL, "random set: unsplit build (%s)", err);
	split = build(img, "rsplit", 1000, 4, 4, -1, err, sizeof(err));
	SK_CHECK(split != NULL, "random set: 4-way split build (%s)", err);
	split3 = build(img, "rsp3", 1500, 4, 3, -1, err, sizeof(err));
	SK_CHECK(split3 != NULL, "random set: 3-way split build (%s)", err);
	if (one == NULL || split == NULL || split3 == NULL)
		goto out_acl;
	sk_acl_stats(one, &e4, &e6);
	sk_acl_stats(split, &s4, &s6);
	SK_CHECK(e4 == s4 && e6 == s6 && e4 > 4000 && e6 > 3000,
		 "same expanded rules split or not (v4 %u/%u, v6 %u/%u)", e4, s4, e6, s6);
	sk_acl_layout(one, &p4, &p6, &th);
	SK_CHECK(p4 == 1 && p6 == 1 && th == 1, "unsplit: one context per family, inline "
		 "(%u/%u, %u threads)", p4, p6, th);
	sk_acl_layout(split, &p4, &p6, &th);
	SK_CHECK(p4 == 4 && p6 == 4 && th == 4, "split: 4 contexts per family on 4 threads "
		 "(%u/%u, %u threads)", p4, p6, th);
	SK_CHECK(rte_acl_find_existing("rsplit_43") != NULL &&
		 rte_acl_find_existing("rsplit_63") != NULL &&
		 rte_acl_find_existing("rsplit_44") == NULL, "part contexts are named <name>_<f><p>");
	sk_acl_layout(split3, &p4, &p6, &th);
	SK_CHECK(p4 == 3 && p6 == 3 && th == 3, "cpus caps the parts: 3 CPUs -> 3 parts "
		 "(%u/%u, %u threads)", p4, p6, th);

	metas = calloc(NPKTS, sizeof(*metas));
	want = calloc(NPKTS, sizeof(*want));
	r1 = calloc(NPKTS, sizeof(*r1));
	rs4 = calloc(NPKTS, sizeof(*rs4));
	rs3 = calloc(NPKTS, sizeof(*rs3));
	if (metas == NULL || want == NULL || r1 == NULL || rs4 == NULL || rs3 == NULL)
		abort();
	for (i = 0; i < NPKTS; i++) {
		rnd_packet(&rs, &metas[i]);
		want[i] = ref_classify(&rs, &metas[i]);
		hits += want[i] != 0;
		none += want[i] == 0;
	}
	classify_all(one, metas, NPKTS, r1);
	classify_all(split, metas, NPKTS, rs4);
	classify_all(split3, metas, NPKTS, rs3);
	for (i = 0; i < NPKTS; i++) {
		if (r1[i] != want[i] && bad1++ < 3)
			printf("# pkt %u: unsplit %u reference %u\n", i, r1[i], want[i]);
		if (rs4[i] != want[i] && bads++ < 3)
			printf("# pkt %u (v%u): split %u reference %u\n", i, metas[i].family,
			       rs4[i], want[i]);
		if (rs3[i] != want[i])
			bads3++;
	}
	SK_CHECK(hits > NPKTS / 3 && none > NPKTS / 10,
		 "random packets: %u hit a rule, %u match nothing", hits, none);
	SK_CHECK(bad1 == 0, "unsplit classifier = brute force on %u packets (%u differ)", NPKTS,
		 bad1);
	SK_CHECK(bads == 0, "4-way split = brute force on %u packets (%u differ)", NPKTS, bads);
	SK_CHECK(bads3 == 0, "3-way split = brute force on %u packets (%u differ)", NPKTS,
		 bads3);
	for (i = 0, bads = 0; i < NPKTS; i += 97)
		bads += sk_acl_classify_one(split, &metas[i]) != want[i];
	SK_CHECK(bads == 0, "classify_one on the split classifier agrees (%u differ)", bads);
	free(metas);
	free(want);
	free(r1);
	free(rs4);
	free(rs3);
out_acl:
	sk_acl_free(one);
	sk_acl_free(split);
	sk_acl_free(split3);
	free(img);
	rs_fini(&rs);
}

/*
 * Rules built so that a packet matches in several parts: 4000 one-address
 * rules (one expanded rule each, so parts of 1000 are exact), and broad rules
 * at chosen indices.  The lowest index must win whichever part holds it.
 */
static void
test_overlap(uint8_t family)
{
	struct ruleset rs;
	char err[256] = "", a[64];
	void *img;
	struct sk_acl *acl;
	struct sk_pkt_meta m[8], *pm[8];
	uint32_t res[8], want[8], i, bad = 0, p4, p6;
	const uint32_t n = 4000;
	/* broad rules: index 1500 (part 1) and 2500, 3500 (parts 2, 3) */
	static const uint32_t broad[] = { 1500, 2500, 3500 };

	rs_init(&rs, n, n * 4 + 1, n * 3 + 1);
	for (i = 0; i < n; i++) {
		struct sk_img_rule *r = rs_new_rule(&rs);
		uint32_t b;

		r->family = family;
		r->proto = TCP;
		for (b = 0; b < RTE_DIM(broad) && broad[b] != i; b++)
			;
		if (b < RTE_DIM(broad)) {
			/* the whole base network, any port */
			rs_add_dst(&rs, r, family == 4 ? "10.0.0.0" : "2001:db8::",
				   family == 4 ? 8 : 32);
			continue;
		}
		if (family == 4)
			snprintf(a, sizeof(a), "10.%u.%u.1", i / 250, i % 250);
		else
			snprintf(a, sizeof(a), "2001:db8::%x:1", i);
		rs_add_dst(&rs, r, a, family == 4 ? 32 : 128);
		rs_add_dport(&rs, r, 80, 80);
	}
	img = image_build(&rs, NULL);
	acl = img == NULL ? NULL : build(img, "ovl", 1000, 4, 4, -1, err, sizeof(err));
	SK_CHECK(acl != NULL, "IPv%u overlap set builds split (%s)", family, err);
	if (acl == NULL)
		goto out;
	sk_acl_layout(acl, &p4, &p6, NULL);
	SK_CHECK((family == 4 ? p4 : p6) == 4, "IPv%u overlap set: 4 parts", family);
	/* specific rule k, dport 80: own index when k < 1500, else 1501 */
	static const uint32_t ks[] = { 3, 999, 1000, 1499, 1501, 2600, 3999 };
	for (i = 0; i < RTE_DIM(ks) + 1; i++) {
		memset(&m[i], 0, sizeof(m[i]));
		m[i].kind = SK_PKT_IP;
		m[i].family = family;
		m[i].proto = TCP;
		m[i].sport = 40000;
		m[i].dport = 80;
		if (i < RTE_DIM(ks)) {
			if (family == 4)
				snprintf(a, sizeof(a), "10.%u.%u.1", ks[i] / 250, ks[i] % 250);
			else
				snprintf(a, sizeof(a), "2001:db8::%x:1", ks[i]);
			want[i] = ks[i] < 1500 ? ks[i] + 1 : 1501;
		} else {
			/* outside every rule */
			snprintf(a, sizeof(a), family == 4 ? "11.0.0.1" : "2001:db9::1");
			want[i] = 0;
		}
		if (inet_pton(family == 4 ? AF_INET : AF_INET6, a, m[i].dst) != 1)
			abort();
		pm[i] = &m[i];
	}
	sk_acl_classify_burst(acl, pm, RTE_DIM(ks) + 1, res);
	for (i = 0; i < RTE_DIM(ks) + 1; i++) {
		if (res[i] != want[i] || ref_classify(&rs, &m[i]) != want[i]) {
			bad++;
			printf("# IPv%u packet %u: acl %u reference %u expected %u\n", family, i,
			       res[i], ref_classify(&rs, &m[i]), want[i]);
		}
	}
	SK_CHECK(bad == 0, "IPv%u: lowest index wins across parts, no match gives 0 "
		 "(%u wrong)", family, bad);
	/* dport 81: only the broad rules match; part 1's wins over parts 2 and 3 */
	m[0].dport = 81;
	SK_CHECK(sk_acl_classify_one(acl, &m[0]) == 1501,
		 "IPv%u: a packet matching only parts 1-3 gets part 1's rule", family);
	sk_acl_free(acl);
out:
	free(img);
	rs_fini(&rs);
}

static uint64_t
heap_bytes(void)
{
	struct rte_malloc_socket_stats st;
	uint64_t sum = 0;
	int s;

	for (s = 0; s < RTE_MAX_NUMA_NODES; s++)
		if (rte_malloc_get_socket_stats(s, &st) == 0)
			sum += st.heap_allocsz_bytes;
	return sum;
}

static int
any_context(const char *name)
{
	static const char *const suffix[] = { "_4", "_41", "_42", "_43", "_6", "_61", "_62",
					      "_63" };
	char n[RTE_ACL_NAMESIZE];
	uint32_t i;

	for (i = 0; i < RTE_DIM(suffix); i++) {
		snprintf(n, sizeof(n), "%s%s", name, suffix[i]);
		if (rte_acl_find_existing(n) != NULL)
			return 1;
	}
	return 0;
}

static void
test_failure(void)
{
	struct ruleset rs;
	char err[256];
	void *img;
	struct sk_acl *acl;
	uint64_t before;
	uint32_t i, fails = 0, left = 0, leaked = 0, msgs = 0, errnos = 0;
	struct rte_acl_param prm;
	struct rte_acl_ctx *foreign;

	rnd_seed(0x3c6ef372fe94f82bULL);
	rs_init(&rs, 800, 800 * 4 + 1, 800 * 3 + 1);
	for (i = 0; i < 800; i++)
		rnd_rule(&rs);
	img = image_build(&rs, NULL);
	if (img == NULL) {
		SK_CHECK(0, "failure set: image verifies");
		return;
	}
	/* warm-up: first-use allocations (tailq, logs) are not leaks */
	acl = build(img, "warm", 100, 4, 4, -1, err, sizeof(err));
	sk_acl_free(acl);
	before = heap_bytes();
	/* 8 contexts (4 parts x 2 families): make each one fail in turn */
	for (i = 0; i < 8; i++) {
		err[0] = '\0';
		rte_errno = 0;
		acl = build(img, "fail", 100, 4, 4, (int32_t)i, err, sizeof(err));
		if (acl != NULL) {
			sk_acl_free(acl);
			continue;
		}
		fails++;
		errnos += rte_errno == ERANGE;
		msgs += strstr(err, "rte_acl_build fail_") != NULL && strstr(err, "part ") != NULL;
		if (i == 5)
			printf("# %s\n", err);
		left += any_context("fail");
		leaked += heap_bytes() != before;
	}
	SK_CHECK(fails == 8, "a failing part fails the build, whichever of 8 (%u failed)", fails);
	SK_CHECK(errnos == 8 && msgs == 8, "rte_errno ERANGE (%u) and a message naming the "
		 "context and part (%u)", errnos, msgs);
	SK_CHECK(left == 0, "no context left behind after a failed part (%u builds left some)",
		 left);
	SK_CHECK(leaked == 0, "rte_malloc heap back to its size after each failed build "
		 "(%u differ)", leaked);
	acl = build(img, "fail", 100, 4, 4, -1, err, sizeof(err));
	SK_CHECK(acl != NULL, "the same name builds after the failures (%s)", acl ? "" : err);
	sk_acl_free(acl);
	SK_CHECK(heap_bytes() == before, "build + free returns every byte");

	/* A name clash on a later part: the parts created before it are freed,
	 * the other classifier's context is left alone. */
	prm = (struct rte_acl_param){ .name = "clash_42", .socket_id = SOCKET_ID_ANY,
		.rule_size = RTE_ACL_RULE_SZ(SK_ACL_FIELDS4), .max_rule_num = 1 };
	foreign = rte_acl_create(&prm);
	acl = build(img, "clash", 100, 4, 4, -1, err, sizeof(err));
	SK_CHECK(foreign != NULL && acl == NULL && rte_errno == EEXIST &&
		 strstr(err, "clash_42") != NULL, "a clashing part name is refused (%s)", err);
	SK_CHECK(rte_acl_find_existing("clash_4") == NULL &&
		 rte_acl_find_existing("clash_41") == NULL &&
		 rte_acl_find_existing("clash_42") == foreign,
		 "earlier parts freed, the foreign context kept");
	sk_acl_free(acl);
	rte_acl_free(foreign);
	free(img);
	rs_fini(&rs);
}

/* Defaults: a set below the threshold stays one context per family. */
static void
test_defaults(void)
{
	struct ruleset rs;
	char err[256] = "";
	void *img;
	struct sk_acl *acl;
	uint32_t p4, p6, th, i, cpus;

	rnd_seed(0xbb67ae8584caa73bULL);
	rs_init(&rs, 3000, 3000 * 4 + 1, 3000 * 3 + 1);
	for (i = 0; i < 3000; i++)
		rnd_rule(&rs);
	img = image_build(&rs, NULL);
	acl = img == NULL ? NULL : sk_acl_build(img, "dflt", SOCKET_ID_ANY, err, sizeof(err));
	SK_CHECK(acl != NULL, "default build (%s)", err);
	sk_acl_layout(acl, &p4, &p6, &th);
	SK_CHECK(p4 == 1 && p6 == 1, "below SK_ACL_SPLIT_MIN: one context per family (%u/%u)",
		 p4, p6);
	sk_acl_free(acl);
	/* split wanted, but one CPU: inline, one part, as before the split existed */
	acl = img == NULL ? NULL : build(img, "onecpu", 500, 4, 1, -1, err, sizeof(err));
	sk_acl_layout(acl, &p4, &p6, &th);
	SK_CHECK(acl != NULL && p4 == 1 && p6 == 1 && th == 1,
		 "one CPU: no split, built inline (%u/%u, %u threads)", p4, p6, th);
	sk_acl_free(acl);
	/* no split, two CPUs: the families build side by side when both are
	 * at least par_min rules, else inline */
	{
		struct sk_acl_build_opts o;
		struct sk_acl *fp, *dflt;
		struct sk_pkt_meta m[64], *pm[64];
		uint32_t ra[64], rb[64], diff = 0, k;

		sk_acl_build_opts_default(&o);
		o.split_min = UINT32_MAX;
		o.cpus = 2;
		o.par_min = 1000;
		fp = img == NULL ? NULL : sk_acl_build_opts(img, "fampar", SOCKET_ID_ANY, &o, err,
							    sizeof(err));
		sk_acl_layout(fp, &p4, &p6, &th);
		SK_CHECK(fp != NULL && p4 == 1 && p6 == 1 && th == 2,
			 "two big families, no split: built side by side (%u/%u, %u threads)",
			 p4, p6, th);
		o.par_min = 100000;
		acl = img == NULL ? NULL : sk_acl_build_opts(img, "famseq", SOCKET_ID_ANY, &o, err,
							     sizeof(err));
		sk_acl_layout(acl, &p4, &p6, &th);
		SK_CHECK(acl != NULL && th == 1, "families under par_min: inline (%u threads)", th);
		dflt = img == NULL ? NULL : sk_acl_build(img, "dflt2", SOCKET_ID_ANY, err,
							 sizeof(err));
		for (k = 0; k < 64; k++) {
			rnd_packet(&rs, &m[k]);
			pm[k] = &m[k];
		}
		if (fp != NULL && dflt != NULL) {
			sk_acl_classify_burst(fp, pm, 64, ra);
			sk_acl_classify_burst(dflt, pm, 64, rb);
			for (k = 0; k < 64; k++)
				diff += ra[k] != rb[k] || ra[k] != ref_classify(&rs, &m[k]);
		}
		SK_CHECK(fp != NULL && dflt != NULL && diff == 0,
			 "side-by-side build classifies as the default one (%u differ)", diff);
		sk_acl_free(fp);
		sk_acl_free(acl);
		sk_acl_free(dflt);
	}
	cpus = sk_acl_par_cpus();
	printf("# control cpuset + caller: %u CPUs (EAL -l 0, %ld online)\n", cpus,
	       sysconf(_SC_NPROCESSORS_ONLN));
	SK_CHECK(cpus >= 1 && cpus <= (uint32_t)sysconf(_SC_NPROCESSORS_ONLN),
		 "CPU probe within 1..online (%u)", cpus);
	free(img);
	rs_fini(&rs);
}

int
main(int argc, char **argv)
{
	rnd_seed(0x6a09e667f3bcc909ULL);
	(void)argc;
	if (sk_test_eal_init(argv[0]) < 0) {
		printf("not ok 1 - EAL init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	test_random();
	test_overlap(4);
	test_overlap(6);
	test_failure();
	test_defaults();
	return SK_TEST_DONE();
}
