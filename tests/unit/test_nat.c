/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_nat.c - tests of dataplane/nat.
 *
 * Rewrite: random TCP/UDP/ICMP packets (IPv4, IPv4 with options, IPv6, IPv6
 * with extension headers, one or two segments) are parsed, rewritten in
 * every combination of src/sport/dst/dport, and compared byte for byte with
 * the same frame edited by hand and checksummed from scratch (rte_ipv4_cksum,
 * rte_ipv4_udptcp_cksum, rte_ipv6_udptcp_cksum).
 *
 * Source ports: blocks and owners for many worker counts; with RSS, the
 * reply tuple is hashed with rte_softrss (the original key, tuple loaded the
 * way DPDK documents for NIC-compatible hashes) and must land on a RETA
 * entry of the worker's queue; exhausting the attempts must enumerate
 * exactly the block's ports that do.  Timings are printed, not asserted.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_thash.h>

#include "nat/nat.h"
#include "pkt/pkt_parse.h"
#include "sk_test.h"
#include "sk_test_eal.h"
#include "sk_test_pkt.h"

static struct rte_mempool *mp;
static const struct rte_ether_addr *port_mac = (const struct rte_ether_addr *)pb_port_mac;

/* A copy of the ports' symmetric key (dataplane/port/port.c: sym_rss_key). */
static const uint8_t sym_key[40] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

/* The Microsoft RSS verification key (also DPDK's default for many PMDs). */
static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
	0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
	0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
	0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* ---------------------------------------------------------------- random */

/* 16-bit words biased towards the one's-complement edge values. */
static uint16_t
rnd16(void)
{
	switch (rte_rand_max(8)) {
	case 0:
		return 0;
	case 1:
		return 0xffff;
	default:
		return (uint16_t)rte_rand();
	}
}

static void
rnd_bytes(uint8_t *p, unsigned int n)
{
	unsigned int i;

	for (i = 0; i + 1 < n; i += 2) {
		uint16_t w = rnd16();
		p[i] = (uint8_t)(w >> 8);
		p[i + 1] = (uint8_t)w;
	}
	if (i < n)
		p[i] = (uint8_t)rte_rand();
}

static uint16_t
rnd_port(void)
{
	uint16_t p = rnd16();

	return p != 0 ? p : 1;
}

/* An address the parser accepts as a source and destination. */
static void
rnd_addr(uint8_t *a, int family)
{
	rnd_bytes(a, family == 4 ? 4 : 16);
	if (family == 4)
		a[0] = (uint8_t)(1 + rte_rand_max(126)); /* 1..126: not 0, loopback or class D/E */
	else
		a[0] = 0x20;
}

/* ------------------------------------------------------- reference checksums */

struct frame {
	uint8_t b[PB_MAX];
	uint16_t len, l3, l4, ipend;
	int family, proto;
};

/* Offset of the L4 checksum from the L4 header, -1 if the L4 has no pseudo-header sum. */
static int
l4_ck_off(int family, int proto)
{
	if (proto == IPPROTO_TCP)
		return 16;
	if (proto == IPPROTO_UDP)
		return 6;
	if (proto == IPPROTO_ICMPV6 && family == 6)
		return 2;
	return -1;
}

/*
 * Recompute every checksum of f from scratch.  keep_udp0: an IPv4 UDP
 * checksum of 0 stays 0.  IPv6 with extension headers: the DPDK helper takes
 * the pseudo-header's next header and length from the fixed header, so it
 * gets a copy with the L4 values.
 */
static void
full_cksum(struct frame *f, int keep_udp0)
{
	uint8_t *ip = f->b + f->l3, *l4 = f->b + f->l4;
	int off = l4_ck_off(f->family, f->proto);

	if (f->family == 4) {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
		if (f->proto == IPPROTO_ICMP) {
			/* no pseudo-header: its checksum must come out unchanged */
			l4[2] = l4[3] = 0;
			uint16_t c = (uint16_t)~rte_raw_cksum(l4, (size_t)(f->ipend - f->l4));
			memcpy(l4 + 2, &c, 2);
			return;
		}
		if (off < 0)
			return;
		if (keep_udp0 && f->proto == IPPROTO_UDP && l4[6] == 0 && l4[7] == 0)
			return;
		l4[off] = l4[off + 1] = 0;
		uint16_t c = rte_ipv4_udptcp_cksum(h, l4);
		memcpy(l4 + off, &c, 2);
		return;
	}
	if (off < 0)
		return;
	struct rte_ipv6_hdr h6;
	memcpy(&h6, ip, sizeof(h6));
	h6.proto = (uint8_t)f->proto;
	h6.payload_len = rte_cpu_to_be_16((uint16_t)(f->ipend - f->l4));
	l4[off] = l4[off + 1] = 0;
	uint16_t c = rte_ipv6_udptcp_cksum(&h6, l4);
	memcpy(l4 + off, &c, 2);
}

/* Sum (not complemented, folded) of f's L4 with its pseudo-header and the checksum field 0. */
static uint16_t
l4_sum(struct frame *f)
{
	struct frame g = *f;
	int off = l4_ck_off(f->family, f->proto);
	uint16_t c;

	full_cksum(&g, 0);
	c = (uint16_t)(g.b[g.l4 + off] << 8 | g.b[g.l4 + off + 1]); /* big-endian, as the payload word */
	if (c == 0xffff && f->proto == IPPROTO_UDP)
		c = 0; /* undo the 0 -> 0xffff of UDP */
	return (uint16_t)~c;
}

/* ------------------------------------------------------------ packet cases */

static const uint8_t opt_nops[4] = { 1, 1, 1, 0 };
/* router alert + padding: record-route and source routes never reach NAT (the parser drops them) */
static const uint8_t opt_ra[8] = { 148, 4, 0, 0, 1, 1, 1, 0 };

struct ccase {
	const char *name;
	struct pb_spec s;
	int nseg;     /* 2: payload in a second segment */
	int udp0;     /* IPv4 UDP sent without a checksum */
	int force0;   /* craft the payload so the rewritten L4 sum is 0xffff */
};

#define EXT(t, l) { .type = (t), .len = (l) }
#define V4(p, ...) { .family = 4, .proto = (p), .tcp_flags = 0x10, __VA_ARGS__ }
#define V6(p, ...) { .family = 6, .proto = (p), .tcp_flags = 0x10, __VA_ARGS__ }

static const struct ccase ccases[] = {
	{ "v4 tcp", V4(6) },
	{ "v4 udp", V4(17) },
	{ "v4 udp checksum 0", V4(17), .udp0 = 1 },
	{ "v4 options tcp", V4(6, .opts = opt_nops, .optlen = 4) },
	{ "v4 options udp", V4(17, .opts = opt_ra, .optlen = 8) },
	{ "v4 icmp echo (addresses only)", V4(1, .icmp_type = 8, .icmp_id = 7) },
	{ "v6 tcp", V6(6) },
	{ "v6 udp", V6(17) },
	{ "v6 hop-by-hop tcp", V6(6, .ext = { EXT(0, 8) }, .n_ext = 1) },
	{ "v6 hop-by-hop+dest-opts udp", V6(17, .ext = { EXT(0, 8), EXT(60, 16) }, .n_ext = 2) },
	{ "v6 icmpv6 echo (pseudo-header)", V6(58, .icmp_type = 128, .icmp_id = 9) },
	{ "v4 tcp 2 segments", V4(6), .nseg = 2 },
	{ "v6 dest-opts udp 2 segments", V6(17, .ext = { EXT(60, 8) }, .n_ext = 1), .nseg = 2 },
	{ "v4 udp rewritten sum 0 -> 0xffff", V4(17), .force0 = 1 },
	{ "v6 udp rewritten sum 0 -> 0xffff", V6(17), .force0 = 1 },
	{ "v4 tcp rewritten sum 0 -> checksum 0", V4(6), .force0 = 1 },
};

struct edit {
	int family;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	unsigned int mask; /* 1 src, 2 sport, 4 dst, 8 dport */
};

/* Apply e to f by hand (what sk_nat_rewrite must produce, before checksums). */
static void
edit_by_hand(struct frame *f, const struct edit *e)
{
	uint8_t *ip = f->b + f->l3, *l4 = f->b + f->l4;
	unsigned int alen = f->family == 4 ? 4 : 16;
	int has_ports = f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP;

	if (e->mask & 1)
		memcpy(ip + (f->family == 4 ? 12 : 8), e->src, alen);
	if (e->mask & 4)
		memcpy(ip + (f->family == 4 ? 16 : 24), e->dst, alen);
	if ((e->mask & 2) && has_ports)
		pb_wr16(l4, e->sport);
	if ((e->mask & 8) && has_ports)
		pb_wr16(l4 + 2, e->dport);
}

/* Build a random frame for case c, every checksum right. */
static void
make_frame(const struct ccase *c, struct frame *f)
{
	struct pb_spec s = c->s;
	char sa[64], da[64];
	uint8_t a[16];
	static struct pb_pkt pkt;
	struct pb_pkt *p = &pkt;

	rnd_addr(a, s.family);
	inet_ntop(s.family == 4 ? AF_INET : AF_INET6, a, sa, sizeof(sa));
	rnd_addr(a, s.family);
	inet_ntop(s.family == 4 ? AF_INET : AF_INET6, a, da, sizeof(da));
	s.src = sa;
	s.dst = da;
	s.sport = rnd_port();
	s.dport = rnd_port();
	s.payload = (uint16_t)rte_rand_max(c->force0 ? 1200 : 1400);
	if (c->force0 && s.payload < 2)
		s.payload = 2;
	if (s.proto == IPPROTO_TCP)
		s.tcp_doff = (uint8_t)(5 + rte_rand_max(11));
	pb_build(&s, p);
	memset(f, 0, sizeof(*f));
	memcpy(f->b, p->b, p->len);
	f->len = p->len;
	f->l3 = p->l3;
	f->l4 = p->l4;
	f->ipend = p->ipend;
	f->family = s.family;
	f->proto = s.proto;
	/* random payload, then every checksum right */
	uint16_t l4len = (uint16_t)(f->ipend - f->l4);
	uint16_t hlen = s.proto == IPPROTO_TCP ? (uint16_t)(s.tcp_doff * 4) : 8;
	rnd_bytes(f->b + f->l4 + hlen, (unsigned int)(l4len - hlen));
	full_cksum(f, 0);
	if (c->udp0)
		f->b[f->l4 + 6] = f->b[f->l4 + 7] = 0;
}

/*
 * Change the first payload word of f so that, after edit e, the L4 sum is
 * 0xffff (checksum 0, sent as 0xffff for UDP).  One's-complement: adding
 * x to a word adds x to the sum.
 */
static void
force_zero_after(struct frame *f, const struct edit *e, int hlen)
{
	struct frame g = *f;
	uint8_t *w = f->b + f->l4 + hlen;
	uint16_t sum, need, old, nw;
	uint32_t t;

	edit_by_hand(&g, e);
	sum = l4_sum(&g);
	need = (uint16_t)(0xffff - sum); /* one's-complement difference */
	old = (uint16_t)(w[0] << 8 | w[1]);
	t = (uint32_t)old + need;
	t = (t & 0xffff) + (t >> 16);
	nw = (uint16_t)t;
	pb_wr16(w, nw);
	full_cksum(f, 0);
}

/* Put f into an mbuf (two segments: the headers and the payload apart). */
static struct rte_mbuf *
frame_mbuf(const struct frame *f, int nseg, uint16_t hlen)
{
	uint16_t cut = (uint16_t)(f->l4 + hlen);
	struct rte_mbuf *m, *m2;

	if (nseg < 2 || cut >= f->len)
		return pb_mbuf(mp, f->b, f->len);
	m = pb_mbuf(mp, f->b, cut);
	m2 = pb_mbuf(mp, f->b + cut, (uint16_t)(f->len - cut));
	if (m == NULL || m2 == NULL || rte_pktmbuf_chain(m, m2) != 0) {
		rte_pktmbuf_free(m);
		rte_pktmbuf_free(m2);
		return NULL;
	}
	return m;
}

static void
random_edit(struct edit *e, int family, unsigned int mask)
{
	e->family = family;
	e->mask = mask;
	rnd_bytes(e->src, 16);
	rnd_bytes(e->dst, 16);
	if (family == 4) {
		memset(e->src + 4, 0, 12);
		memset(e->dst + 4, 0, 12);
	}
	e->sport = rnd_port();
	e->dport = rnd_port();
}

/*
 * One rewrite checked byte for byte.  Returns 0 if the mbuf equals the hand
 * edit + full checksum and the meta says the new tuple.
 */
static int
check_one(const struct ccase *c, struct frame *f, const struct edit *e, uint16_t hlen,
	  char *why, size_t whylen)
{
	struct frame want = *f;
	uint8_t got[PB_MAX];
	struct rte_mbuf *m;
	struct sk_pkt_meta *pm, before;
	int rc = 0;
	int has_ports = f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP;
	unsigned int alen = f->family == 4 ? 4 : 16;

	edit_by_hand(&want, e);
	full_cksum(&want, 1);

#define FAIL(...) do { snprintf(why, whylen, __VA_ARGS__); rc = -1; goto out; } while (0)
	m = frame_mbuf(f, c->nseg, hlen);
	if (m == NULL) {
		snprintf(why, whylen, "no mbuf");
		return -1;
	}
	if (c->nseg == 2 && m->nb_segs != 2 && f->len > f->l4 + hlen)
		FAIL("not 2 segments");
	if (sk_pkt_parse(m, port_mac) != SK_PKT_IP)
		FAIL("parse: drop %u", sk_pkt_meta(m)->drop);
	pm = sk_pkt_meta(m);
	before = *pm;
	sk_nat_rewrite(m, pm, (e->mask & 1) ? e->src : NULL, (e->mask & 2) ? e->sport : 0,
		       (e->mask & 4) ? e->dst : NULL, (e->mask & 8) ? e->dport : 0);

	const uint8_t *flat = rte_pktmbuf_read(m, 0, f->len, got);
	if (flat == NULL || rte_pktmbuf_pkt_len(m) != f->len)
		FAIL("length changed");
	if (memcmp(flat, want.b, f->len) != 0) {
		unsigned int i;
		for (i = 0; i < f->len && flat[i] == want.b[i]; i++)
			;
		FAIL("byte %u (l3 %u l4 %u): got %02x want %02x, mask %u", i, f->l3, f->l4,
		     flat[i], want.b[i], e->mask);
	}
	/* meta: the new tuple where asked, the old one elsewhere */
	if (memcmp(pm->src, (e->mask & 1) ? e->src : before.src, alen) != 0 ||
	    memcmp(pm->dst, (e->mask & 4) ? e->dst : before.dst, alen) != 0 ||
	    pm->sport != ((e->mask & 2) && has_ports ? e->sport : before.sport) ||
	    pm->dport != ((e->mask & 8) && has_ports ? e->dport : before.dport) ||
	    pm->l2_len != before.l2_len || pm->l3_len != before.l3_len)
		FAIL("meta, mask %u", e->mask);
#undef FAIL
out:
	rte_pktmbuf_free(m);
	return rc;
}

static void
test_rewrite(unsigned int iters)
{
	size_t i;

	for (i = 0; i < RTE_DIM(ccases); i++) {
		const struct ccase *c = &ccases[i];
		unsigned int it, mask, n = 0, bad = 0, hit0 = 0;
		char why[160] = "";

		for (it = 0; it < iters; it++) {
			struct frame f;
			struct edit e;

			make_frame(c, &f);
			uint16_t hlen = f.proto == IPPROTO_TCP ?
				(uint16_t)((f.b[f.l4 + 12] >> 4) * 4) : 8;
			for (mask = c->force0 ? 1 : 0; mask < 16; mask++) {
				random_edit(&e, f.family, mask);
				if (c->force0)
					force_zero_after(&f, &e, hlen);
				n++;
				if (check_one(c, &f, &e, hlen, why, sizeof(why)) != 0 && bad++ == 0)
					printf("# %s: %s\n", c->name, why);
				if (c->force0) {
					struct frame g = f;
					edit_by_hand(&g, &e);
					full_cksum(&g, 1);
					int off = l4_ck_off(g.family, g.proto);
					uint16_t ck = (uint16_t)(g.b[g.l4 + off] << 8 | g.b[g.l4 + off + 1]);
					hit0 += ck == (f.proto == IPPROTO_UDP ? 0xffff : 0);
				}
			}
		}
		SK_CHECK(bad == 0, "rewrite %s: %u rewrites match a full recomputation (%u bad)",
			 c->name, n, bad);
		if (c->force0)
			SK_CHECK(hit0 == n, "rewrite %s: all %u crafted cases reach the 0 sum (%u)",
				 c->name, n, hit0);
	}
}

/* A checksum that was wrong before the rewrite is still wrong after it. */
static void
test_bad_stays_bad(void)
{
	unsigned int it, bad = 0;

	for (it = 0; it < 200; it++) {
		const struct ccase *c = &ccases[it % 2 ? 0 : 6]; /* v4 tcp, v6 tcp */
		struct frame f;
		struct edit e;
		struct rte_mbuf *m;

		make_frame(c, &f);
		f.b[f.l4 + 16] ^= 0x01; /* corrupt the TCP checksum */
		random_edit(&e, f.family, 15);
		m = frame_mbuf(&f, 1, 0);
		if (m == NULL || sk_pkt_parse(m, port_mac) != SK_PKT_IP) {
			bad++;
			rte_pktmbuf_free(m);
			continue;
		}
		sk_nat_rewrite(m, sk_pkt_meta(m), e.src, e.sport, e.dst, e.dport);
		struct frame g = f;
		edit_by_hand(&g, &e);
		full_cksum(&g, 0);
		uint8_t *l4 = rte_pktmbuf_mtod_offset(m, uint8_t *, f.l4);
		/* still off by exactly the bit we flipped (in one's-complement terms) */
		uint16_t gotc = (uint16_t)(l4[16] << 8 | l4[17]);
		uint16_t goodc = (uint16_t)(g.b[g.l4 + 16] << 8 | g.b[g.l4 + 17]);
		if (gotc == goodc)
			bad++;
		rte_pktmbuf_free(m);
	}
	SK_CHECK(bad == 0, "a wrong TCP checksum stays wrong after the rewrite (%u not)", bad);
}

/* ------------------------------------------------------------ source ports */

/* The reply tuple the way a NIC (and DPDK's docs) feed rte_softrss. */
static uint32_t
nic_hash(const uint8_t *key, int family, const uint8_t *snat, const uint8_t *backend,
	 uint16_t bport, uint16_t port)
{
	union rte_thash_tuple t;

	memset(&t, 0, sizeof(t));
	if (family == 4) {
		struct rte_ipv4_hdr h;
		memcpy(&h.src_addr, backend, 4);
		memcpy(&h.dst_addr, snat, 4);
		t.v4.src_addr = rte_be_to_cpu_32(h.src_addr);
		t.v4.dst_addr = rte_be_to_cpu_32(h.dst_addr);
		t.v4.sport = bport;
		t.v4.dport = port;
		return rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN, key);
	}
	struct rte_ipv6_hdr h6;
	memcpy(h6.src_addr, backend, 16);
	memcpy(h6.dst_addr, snat, 16);
	rte_thash_load_v6_addrs(&h6, &t);
	t.v6.sport = bport;
	t.v6.dport = port;
	return rte_softrss((uint32_t *)&t, RTE_THASH_V6_L4_LEN, key);
}

/* A non-TCP/UDP packet src -> dst as the NIC hashes it: addresses only. */
static uint32_t
nic_hash_l3(const uint8_t *key, int family, const uint8_t *src, const uint8_t *dst)
{
	union rte_thash_tuple t;

	memset(&t, 0, sizeof(t));
	if (family == 4) {
		uint32_t a;
		memcpy(&a, src, 4);
		t.v4.src_addr = rte_be_to_cpu_32(a);
		memcpy(&a, dst, 4);
		t.v4.dst_addr = rte_be_to_cpu_32(a);
		return rte_softrss((uint32_t *)&t, RTE_THASH_V4_L3_LEN, key);
	}
	struct rte_ipv6_hdr h6;
	memcpy(h6.src_addr, src, 16);
	memcpy(h6.dst_addr, dst, 16);
	rte_thash_load_v6_addrs(&h6, &t);
	return rte_softrss((uint32_t *)&t, RTE_THASH_V6_L3_LEN, key);
}

/* The tuple convention against the published RSS verification suite. */
static void
test_ms_vector(void)
{
	uint8_t s[4] = { 66, 9, 149, 187 }, d[4] = { 161, 142, 100, 80 };
	uint8_t s6[16] = { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x1f, 0xff, 0, 0, 0, 0, 0, 0, 0, 7 };
	uint8_t d6[16] = { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0, 0x03, 0, 0, 0, 0, 0, 0, 0, 1 };

	/* nic_hash(key, fam, dst(=snat), src(=backend), sport, dport) */
	SK_CHECK(nic_hash(ms_key, 4, d, s, 2794, 1766) == 0x51ccc178,
		 "RSS verification vector: IPv4/TCP 66.9.149.187:2794 -> 161.142.100.80:1766");
	SK_CHECK(nic_hash(ms_key, 6, d6, s6, 2794, 1766) == 0x40207d3d,
		 "RSS verification vector: IPv6/TCP 3ffe:2501:200:1fff::7 -> 3ffe:2501:200:3::1");
}

static uint32_t
block_of(unsigned int n, unsigned int w, uint32_t *lo)
{
	uint32_t lo0 = 0xffffffff, hi = 0, p;

	for (p = SK_NAT_PORT_LO; p < 65536; p++) {
		if (sk_nat_port_owner((uint16_t)p, n) == (int)w) {
			if (lo0 == 0xffffffff)
				lo0 = p;
			hi = p;
		}
	}
	*lo = lo0;
	return lo0 == 0xffffffff ? 0 : hi - lo0 + 1;
}

static void
test_blocks(void)
{
	static const unsigned int ns[] = { 1, 2, 3, 4, 5, 7, 8, 12, 16, 24, 64, 126 };
	size_t i;

	for (i = 0; i < RTE_DIM(ns); i++) {
		unsigned int n = ns[i], w, bad = 0, p;
		uint32_t lo, size, size0 = 0, next = SK_NAT_PORT_LO;

		for (p = 0; p < SK_NAT_PORT_LO; p++)
			bad += sk_nat_port_owner((uint16_t)p, n) != -1;
		for (w = 0; w < n; w++) {
			size = block_of(n, w, &lo);
			if (w == 0)
				size0 = size;
			/* contiguous, equal, 512-aligned, and as large as alignment allows */
			bad += lo != next || size != size0 || size % 512 != 0 || lo % 512 != 0;
			bad += size * n > 65536 - SK_NAT_PORT_LO ||
			       (size + 512) * n <= 65536 - SK_NAT_PORT_LO;
			next = lo + size;
			/* without RSS: attempts cover the block once, then -ENOSPC */
			uint32_t seed = (uint32_t)rte_rand(), a, cnt = 0;
			uint16_t port;
			static uint8_t seen[65536];
			memset(seen, 0, sizeof(seen));
			for (a = 0;; a++) {
				int rc = sk_nat_snat_port(NULL, n, w, 4, IPPROTO_TCP, sym_key, sym_key,
							  80, seed, a, &port);
				if (rc == -ENOSPC)
					break;
				if (rc != 0 || seen[port] || sk_nat_port_owner(port, n) != (int)w ||
				    a > size) {
					bad++;
					break;
				}
				seen[port] = 1;
				cnt++;
			}
			bad += cnt != size;
		}
		SK_CHECK(bad == 0, "blocks for %u workers: %u ports each, aligned, owners agree, "
			 "NULL rss covers the block then -ENOSPC", n, size0);
	}
}

/*
 * Rank over GF(2) of the RETA-index bits reachable by flipping destination
 * port bits 0..8 (the bits a 512-aligned block lets us choose), for the
 * worse of the two families: the test's own view of when a key cannot steer.
 */
static uint32_t
port_bits_rank(const uint8_t *key, uint32_t reta)
{
	static const uint8_t z[16];
	uint32_t best = 32;
	int fam;

	for (fam = 4; fam <= 6; fam += 2) {
		uint32_t rows[9], rank = 0, b, c;

		for (b = 0; b < 9; b++)
			rows[b] = nic_hash(key, fam, z, z, 0, (uint16_t)(1u << b)) & (reta - 1);
		for (c = 0; c < 9; c++) {
			uint32_t bit = 1u << c, i, piv = 9;
			for (i = rank; i < 9; i++)
				if (rows[i] & bit) {
					piv = i;
					break;
				}
			if (piv == 9)
				continue;
			uint32_t tmp = rows[rank];
			rows[rank] = rows[piv];
			rows[piv] = tmp;
			for (i = 0; i < 9; i++)
				if (i != rank && (rows[i] & bit))
					rows[i] ^= rows[rank];
			rank++;
		}
		if (rank < best)
			best = rank;
	}
	return best;
}

/* Random (snat, backend, bport, seed, attempt): the reply hashes to the worker's queue. */
static void
rss_random(const struct sk_nat_rss *r, const uint8_t *key, const char *kname, int fam,
	   uint32_t reta, unsigned int n, unsigned int iters)
{
	unsigned int it, bad = 0, nospc = 0;

	for (it = 0; it < iters; it++) {
		uint8_t snat[16] = { 0 }, be[16] = { 0 };
		unsigned int w = (unsigned int)rte_rand_max(n);
		uint16_t bport = (uint16_t)rte_rand(), port = 0;
		uint32_t seed = (uint32_t)rte_rand();
		uint32_t att = (uint32_t)rte_rand_max(it % 4 ? 64 : 2000);

		rnd_bytes(snat, fam == 4 ? 4 : 16);
		rnd_bytes(be, fam == 4 ? 4 : 16);
		int rc = sk_nat_snat_port(r, n, w, (uint8_t)fam, it % 2 ? IPPROTO_TCP : IPPROTO_UDP,
					  snat, be, bport, seed, att, &port);
		if (rc == -ENOSPC) {
			nospc++;
			continue;
		}
		uint32_t h = nic_hash(key, fam, snat, be, bport, port);
		if ((rc != 0 || (h & (reta - 1)) % n != w || sk_nat_port_owner(port, n) != (int)w) &&
		    bad++ == 0)
			printf("# v%d reta %u n %u w %u: port %u hash %08x rc %d\n", fam, reta, n, w,
			       port, h, rc);
	}
	SK_CHECK(bad == 0 && nospc < iters / 4, "%s v%d reta %u %u workers: %u replies hash to "
		 "the owner's queue and port block (%u bad, %u past the block)", kname, fam, reta, n,
		 iters - nospc, bad, nospc);
}

/* Random tuples: sk_nat_rss_worker names the queue the NIC's hash picks
 * (the owner of a flow an ICMP error quotes, worker_icmperr.c), the same
 * for both directions (the symmetric key); ICMP hashes by the addresses. */
static void
rss_worker_random(const struct sk_nat_rss *r, const uint8_t *key, const char *kname, int fam,
		  uint32_t reta, unsigned int n, unsigned int iters)
{
	unsigned int it, bad = 0, asym = 0, l3bad = 0;

	for (it = 0; it < iters; it++) {
		uint8_t src[16] = { 0 }, dst[16] = { 0 };
		uint16_t sport = (uint16_t)rte_rand(), dport = (uint16_t)rte_rand();

		rnd_bytes(src, fam == 4 ? 4 : 16);
		rnd_bytes(dst, fam == 4 ? 4 : 16);
		unsigned int got = sk_nat_rss_worker(r, (uint8_t)fam, IPPROTO_UDP, src, sport, dst,
						     dport);
		unsigned int want = (nic_hash(key, fam, dst, src, sport, dport) & (reta - 1)) % n;
		if (got != want && bad++ == 0)
			printf("# v%d reta %u n %u: worker %u, NIC queue %u\n", fam, reta, n, got,
			       want);
		if (key == sym_key &&
		    sk_nat_rss_worker(r, (uint8_t)fam, IPPROTO_TCP, dst, dport, src, sport) != got)
			asym++;
		/* ICMP: the hash of the addresses alone (ports 0 in the tuple
		 * give a different hash in general, so this checks the length) */
		got = sk_nat_rss_worker(r, (uint8_t)fam, IPPROTO_ICMP, src, sport, dst, dport);
		want = (nic_hash_l3(key, fam, src, dst) & (reta - 1)) % n;
		if (got != want)
			l3bad++;
	}
	SK_CHECK(bad == 0 && asym == 0 && l3bad == 0,
		 "%s v%d reta %u %u workers: %u tuples, sk_nat_rss_worker = the NIC's queue "
		 "(%u differ; %u differ reversed; %u ICMP differ)", kname, fam, reta, n, iters, bad,
		 asym, l3bad);
}

/*
 * Exhaust one (snat, backend, bport): attempts 0.. give distinct ports, then
 * -ENOSPC, and the ports given are exactly those of the block whose reply
 * hashes to the worker.
 */
static void
rss_exhaust(const struct sk_nat_rss *r, const uint8_t *key, const char *kname, int fam,
	    uint32_t reta, unsigned int n)
{
	static uint8_t seen[65536];
	unsigned int w = (unsigned int)rte_rand_max(n), bad = 0;
	uint8_t snat[16] = { 0 }, be[16] = { 0 };
	uint16_t bport = (uint16_t)rte_rand(), port;
	uint32_t seed = (uint32_t)rte_rand(), a, got = 0, want = 0, lo, size, p;
	int rc;

	rnd_bytes(snat, fam == 4 ? 4 : 16);
	rnd_bytes(be, fam == 4 ? 4 : 16);
	memset(seen, 0, sizeof(seen));
	for (a = 0;; a++) {
		rc = sk_nat_snat_port(r, n, w, (uint8_t)fam, IPPROTO_TCP, snat, be, bport, seed, a,
				      &port);
		if (rc != 0 || a > 65536)
			break;
		uint32_t h = nic_hash(key, fam, snat, be, bport, port);
		bad += seen[port] || (h & (reta - 1)) % n != w || sk_nat_port_owner(port, n) != (int)w;
		seen[port] = 1;
		got++;
	}
	size = block_of(n, w, &lo);
	for (p = lo; p < lo + size; p++) {
		uint32_t h = nic_hash(key, fam, snat, be, bport, (uint16_t)p);
		if ((h & (reta - 1)) % n == w) {
			want++;
			bad += !seen[p];
		}
	}
	SK_CHECK(rc == -ENOSPC && bad == 0 && got == want && got > 0,
		 "%s v%d reta %u %u workers (w %u): attempts give all %u steerable ports of the "
		 "block, distinct, then -ENOSPC (got %u, bad %u, rc %d)", kname, fam, reta, n, w,
		 want, got, bad, rc);
}

/* Every family x RETA size x worker count; iters 0: the exhaustion test instead. */
static void
test_rss(const uint8_t *key, const char *kname, unsigned int iters)
{
	static const unsigned int ns[] = { 1, 2, 3, 4, 8 };
	static const uint32_t retas[] = { 64, 128, 512 };
	unsigned int c;

	for (c = 0; c < 2 * RTE_DIM(retas) * RTE_DIM(ns); c++) {
		int fam = c < RTE_DIM(retas) * RTE_DIM(ns) ? 4 : 6;
		uint32_t reta = retas[c / RTE_DIM(ns) % RTE_DIM(retas)];
		unsigned int n = ns[c % RTE_DIM(ns)];
		struct sk_nat_rss *r = sk_nat_rss_create("nat_test", key, 40, reta, n);

		if (r == NULL) {
			/* only a key whose low port bits cannot reach every index may be refused */
			int e = rte_errno;
			uint32_t rank = port_bits_rank(key, reta);
			SK_CHECK(e == ENOTSUP && rank < rte_log2_u32(reta),
				 "%s v%d reta %u %u workers: refused (%s), and the key's low 9 port "
				 "bits indeed span only %u of %u index bits", kname, fam, reta, n,
				 rte_strerror(e), rank, rte_log2_u32(reta));
			continue;
		}
		if (iters > 0) {
			rss_random(r, key, kname, fam, reta, n, iters);
			rss_worker_random(r, key, kname, fam, reta, n, iters);
		} else
			rss_exhaust(r, key, kname, fam, reta, n);
		sk_nat_rss_free(r);
	}
}

static void
test_port_args(void)
{
	struct sk_nat_rss *r = sk_nat_rss_create("nat_args", sym_key, 40, 128, 4);
	uint8_t a[16] = { 10, 0, 0, 1 };
	uint16_t port;

	SK_CHECK(r != NULL, "rss create sym key reta 128 4 workers");
	SK_CHECK(sk_nat_snat_port(r, 4, 4, 4, IPPROTO_TCP, a, a, 80, 0, 0, &port) == -EINVAL,
		 "worker out of range -> -EINVAL");
	SK_CHECK(sk_nat_snat_port(r, 3, 0, 4, IPPROTO_TCP, a, a, 80, 0, 0, &port) == -EINVAL,
		 "n_workers differs from the rss's -> -EINVAL");
	SK_CHECK(sk_nat_snat_port(r, 4, 0, 5, IPPROTO_TCP, a, a, 80, 0, 0, &port) == -EINVAL,
		 "bad family -> -EINVAL");
	SK_CHECK(sk_nat_snat_port(r, 4, 0, 4, IPPROTO_ICMP, a, a, 80, 0, 0, &port) == -EINVAL,
		 "not TCP/UDP -> -EINVAL");
	sk_nat_rss_free(r);
	sk_nat_rss_free(NULL);
	SK_CHECK(sk_nat_rss_create("x", sym_key, 40, 100, 4) == NULL && rte_errno == EINVAL,
		 "reta not a power of two -> EINVAL");
	SK_CHECK(sk_nat_rss_create("x", sym_key, 40, 1024, 4) == NULL && rte_errno == EINVAL,
		 "reta > 512 -> EINVAL");
	SK_CHECK(sk_nat_rss_create("x", sym_key, 36, 128, 4) == NULL && rte_errno == EINVAL,
		 "key too short for the IPv6 tuple -> EINVAL");
	SK_CHECK(sk_nat_rss_create("x", sym_key, 40, 64, 0) == NULL && rte_errno == EINVAL,
		 "0 workers -> EINVAL");
	SK_CHECK(sk_nat_rss_create("x", sym_key, 40, 4, 8) == NULL && rte_errno == EINVAL,
		 "more workers than RETA entries -> EINVAL");
	SK_CHECK(sk_nat_port_owner(1023, 4) == -1 && sk_nat_port_owner(1024, 4) == 0 &&
		 sk_nat_port_owner(65535, 1) == 0, "owner of 1023, 1024 (4 workers), 65535 (1 worker)");
	SK_CHECK(sk_nat_port_owner(65535, 4) == -1 && sk_nat_port_owner(1024 + 4 * 15872 - 1, 4) == 3,
		 "4 workers: blocks of 15872 (512-aligned), the unaligned tail has no owner");
}

/*
 * Why nat does not use rte_thash helpers: adding one rewrites key bits, so
 * its complements hold for a key our ports do not run.  If a DPDK release
 * stops doing that, this fails and nat_port.c could use the helper.
 */
static void
test_thash_helper_changes_key(void)
{
	uint8_t key[40];
	int changed = 0, i, made = 0;

	for (i = 0; i < 3; i++) {
		char name[32];
		memcpy(key, sym_key, sizeof(key));
		snprintf(name, sizeof(name), "nat_thash%d", i);
		struct rte_thash_ctx *ctx = rte_thash_init_ctx(name, 40, 9, key, 0);
		if (ctx == NULL)
			continue;
		/* the reply's destination port: bits 80..95 of the IPv4 L4 tuple */
		if (rte_thash_add_helper(ctx, "dport", 16, 80) == 0) {
			made++;
			changed += memcmp(rte_thash_get_key(ctx), sym_key, 40) != 0;
		}
		rte_thash_free_ctx(ctx);
	}
	SK_CHECK(made == 3 && changed > 0,
		 "rte_thash_add_helper rewrites the key (%d of %d), so nat computes its own "
		 "complements for the ports' fixed key", changed, made);
}

/* ------------------------------------------------------------------ timing */

static void
time_calls(void)
{
	const unsigned int N = 200000;
	struct frame f[2];
	struct rte_mbuf *m[2];
	uint8_t a[2][16];
	unsigned int i, fam;
	volatile uint16_t sink = 0;

	for (fam = 0; fam < 2; fam++) {
		const struct ccase *c = &ccases[fam ? 6 : 0];
		make_frame(c, &f[fam]);
		m[fam] = frame_mbuf(&f[fam], 1, 0);
		if (m[fam] == NULL || sk_pkt_parse(m[fam], port_mac) != SK_PKT_IP) {
			printf("# timing: no packet\n");
			return;
		}
	}
	rnd_addr(a[0], 6);
	rnd_addr(a[1], 6);
	for (fam = 0; fam < 2; fam++) {
		struct sk_pkt_meta *pm = sk_pkt_meta(m[fam]);
		uint64_t t0 = rte_rdtsc_precise();
		for (i = 0; i < N; i++)
			sk_nat_rewrite(m[fam], pm, NULL, 0, a[i & 1], (uint16_t)(8080 + (i & 1)));
		uint64_t t1 = rte_rdtsc_precise();
		printf("# sk_nat_rewrite %s dst+dport: %.1f cycles/call\n", fam ? "v6 tcp" : "v4 tcp",
		       (double)(t1 - t0) / N);
	}
	for (fam = 0; fam < 2; fam++) {
		struct sk_nat_rss *r = sk_nat_rss_create("nat_time", sym_key, 40, 512, 4);
		int pass;
		for (pass = 0; pass < 2 && r != NULL; pass++) {
			uint16_t port;
			uint64_t t0 = rte_rdtsc_precise();
			for (i = 0; i < N; i++) {
				if (sk_nat_snat_port(pass ? r : NULL, 4, i & 3, fam ? 6 : 4, IPPROTO_TCP,
						     a[0], a[1], 80, i * 2654435761u, i & 7, &port) == 0)
					sink = (uint16_t)(sink + port);
			}
			uint64_t t1 = rte_rdtsc_precise();
			printf("# sk_nat_snat_port v%d %s: %.1f cycles/call\n", fam ? 6 : 4,
			       pass ? "rss reta 512, 4 workers" : "no rss", (double)(t1 - t0) / N);
		}
		sk_nat_rss_free(r);
	}
	(void)sink;
	rte_pktmbuf_free(m[0]);
	rte_pktmbuf_free(m[1]);
}

int
main(int argc, char **argv)
{
	uint64_t seed;
	const char *env = getenv("SK_TEST_SEED");

	(void)argc;
	if (sk_test_eal_init(argv[0]) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	seed = env != NULL ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
	rte_srand(seed);
	printf("# seed %" PRIu64 " (SK_TEST_SEED to repeat)\n", seed);
	mp = rte_pktmbuf_pool_create("nat_pool", 256, 0, SK_PKT_PRIV_SIZE,
				     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (mp == NULL) {
		fprintf(stderr, "mempool: %s\n", rte_strerror(rte_errno));
		return 1;
	}

	test_rewrite(300);
	test_bad_stays_bad();
	test_ms_vector();
	test_blocks();
	test_port_args();
	test_rss(sym_key, "sym key", 3000);
	test_rss(ms_key, "ms key", 1000);
	test_rss(sym_key, "sym key", 0);
	test_thash_helper_changes_key();
	time_calls();

	rte_mempool_free(mp);
	return SK_TEST_DONE();
}
