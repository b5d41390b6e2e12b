/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_frag.c - fragment datagrams with sk_frag_fragment, put the pieces on
 * the "wire" (copied into fresh single-segment mbufs, as a NIC would hand
 * them over), feed them to sk_frag_reassemble out of order and compare the
 * result byte for byte; plus DF, expiry, table full, duplicates, overlaps
 * and garbage fragments.  The mempool's free count must come back to where
 * it started: nothing leaked, nothing freed twice.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "sk_drop.h"
#include "frag/frag.h"
#include "pkt/pkt_parse.h"
#include "sk_test.h"
#include "sk_test_eal.h"
#include "sk_test_pkt.h"

#pragma GCC diagnostic ignored "-Woverride-init"

static struct rte_mempool *mp;
static const struct rte_ether_addr *port_mac = (const struct rte_ether_addr *)pb_port_mac;
static uint8_t wire[PB_MAX];

/* A parsed single-segment copy of m, as received from a port. */
static struct rte_mbuf *
on_wire(const struct rte_mbuf *m)
{
	const void *d = rte_pktmbuf_read(m, 0, m->pkt_len, wire);
	struct rte_mbuf *c = d ? pb_mbuf(mp, d, (uint16_t)m->pkt_len) : NULL;
	if (c != NULL)
		sk_pkt_parse(c, port_mac);
	return c;
}

static int
same_bytes(const struct rte_mbuf *m, const uint8_t *b, uint32_t len)
{
	if (m->pkt_len != len)
		return 0;
	const void *d = rte_pktmbuf_read(m, 0, len, wire);
	return d != NULL && memcmp(d, b, len) == 0;
}

static struct rte_mbuf *
built(const struct pb_spec *s, struct pb_pkt *p)
{
	pb_build(s, p);
	struct rte_mbuf *m = pb_mbuf(mp, p->b, p->len);
	if (m != NULL)
		sk_pkt_parse(m, port_mac);
	return m;
}

/*
 * Fragment p at mtu, check the pieces, feed them in the given order and
 * expect p back.  Returns the reassembled datagram (caller frees) or NULL.
 */
static struct rte_mbuf *
round_trip(const char *name, struct sk_frag *f, struct rte_mbuf *m, const struct pb_pkt *p,
	   uint16_t mtu, int want_n, const int *order)
{
	struct rte_mbuf *out[16], *w[16], *r = NULL;
	const struct sk_pkt_meta *om = sk_pkt_meta(m);
	uint8_t family = om->family;
	uint16_t l2 = om->l2_len;
	int n, i, ok = 1;
	uint32_t id = 0, covered = 0;

	n = sk_frag_fragment(m, mtu, out, 16, mp);
	SK_CHECK(n == want_n, "%s: %d fragments at mtu %u (got %d)", name, want_n, mtu, n);
	if (n != want_n) {
		if (n < 0)
			rte_pktmbuf_free(m);
		for (i = 0; i < n; i++)
			rte_pktmbuf_free(out[i]);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		const struct sk_pkt_meta *fm = sk_pkt_meta(out[i]);
		w[i] = on_wire(out[i]);
		if (w[i] == NULL) {
			ok = 0;
			continue;
		}
		const struct sk_pkt_meta *wm = sk_pkt_meta(w[i]);
		const uint8_t *wb = rte_pktmbuf_mtod(w[i], const uint8_t *);
		/* what the parser sees on the wire agrees with what
		 * sk_frag_fragment claimed, and the L2 header came along */
		if (wm->kind != SK_PKT_IP || wm->frag != (i == 0 ? SK_FRAG_FIRST : SK_FRAG_LATER) ||
		    fm->frag != wm->frag || fm->ip_len != wm->ip_len || fm->l3_len != wm->l3_len ||
		    fm->l2_len != l2 || out[i]->l2_len != l2 || wm->ip_len > mtu ||
		    memcmp(wb, p->b, l2) != 0)
			ok = 0;
		if (i == 0)
			id = wm->frag_id;
		else if (wm->frag_id != id)
			ok = 0;
		covered += wm->ip_len - wm->l3_len;
		rte_pktmbuf_free(out[i]);
	}
	uint32_t hl = family == 4 ? (uint32_t)(p->l4 - p->l3) : 40;
	SK_CHECK(ok && covered == (uint32_t)(p->ipend - p->l3) - hl,
		 "%s: fragments parse as first/later, fit the mtu, share id, keep L2, cover the payload",
		 name);

	int kept = 0;
	for (i = 0; i < n; i++) {
		uint8_t drop = 0;
		struct rte_mbuf *x = w[order[i]];
		if (x == NULL)
			continue;
		x = sk_frag_reassemble(f, x, rte_rdtsc(), &drop);
		if (i < n - 1)
			kept += x == NULL && drop == SK_FRAG_KEPT;
		else
			r = x;
	}
	SK_CHECK(kept == n - 1 && r != NULL, "%s: kept %d of %d, whole on the last (out of order)",
		 name, kept, n - 1);
	if (r == NULL)
		return NULL;
	const struct sk_pkt_meta *rm = sk_pkt_meta(r);
	SK_CHECK(same_bytes(r, p->b, p->ipend), "%s: reassembled bytes identical (%u bytes, %u segs)",
		 name, r->pkt_len, r->nb_segs);
	SK_CHECK(rm->kind == SK_PKT_IP && rm->frag == SK_FRAG_NONE && rm->family == family &&
		 rm->proto == 17 && rm->sport == 5353 && rm->dport == 53 && rm->l4_len == 8 &&
		 rm->ip_len == p->ipend - p->l3 && rm->l2_len == l2 && rm->l3_len == hl &&
		 (family == 4 || rm->frag_id == id),
		 "%s: reassembled meta complete", name);
	return r;
}

static void
test_round_trips(struct sk_frag *f)
{
	static struct pb_pkt p4, p6;
	const struct pb_spec s4 = { .family = 4, .vlan = 10, .proto = 17, .sport = 5353, .dport = 53,
		.payload = 3992, .v4id = 0x1234 };
	const struct pb_spec s6 = { .family = 6, .proto = 17, .sport = 5353, .dport = 53,
		.payload = 3992 };
	const int o3a[] = { 2, 0, 1 }, o3b[] = { 1, 2, 0 }, o4[] = { 3, 1, 0, 2 };
	struct rte_mbuf *m, *r;

	m = built(&s4, &p4);
	r = m ? round_trip("v4 udp 4000", f, m, &p4, 1500, 3, o3a) : NULL;
	if (r != NULL) {
		/* the reassembled datagram is a chain with a header-only tail
		 * segment: fragmenting it again must still work */
		struct rte_mbuf *r2 = round_trip("v4 reassembled, again at 1280", f, r, &p4, 1280, 4, o4);
		rte_pktmbuf_free(r2);
	}
	m = built(&s6, &p6);
	r = m ? round_trip("v6 udp 4000", f, m, &p6, 1500, 3, o3b) : NULL;
	if (r != NULL) {
		struct rte_mbuf *r2 = round_trip("v6 reassembled, again at 1280", f, r, &p6, 1280, 4, o4);
		rte_pktmbuf_free(r2);
	}
}

static void
test_fragment_errors(void)
{
	static struct pb_pkt p;
	struct rte_mbuf *out[16], *m;
	const struct pb_spec df = { .family = 4, .proto = 17, .sport = 1, .dport = 2,
		.payload = 3992, .v4frag = 0x4000 };
	const struct pb_spec small = { .family = 4, .proto = 17, .sport = 1, .dport = 2, .payload = 900 };
	const struct pb_spec v6 = { .family = 6, .proto = 17, .sport = 1, .dport = 2, .payload = 3992 };
	const struct pb_spec v6hbh = { .family = 6, .proto = 17, .sport = 1, .dport = 2, .payload = 3992,
		.n_ext = 1, .ext = { { .type = 0, .len = 8 } } };
	int n;

	m = built(&df, &p);
	if (m == NULL)
		return;
	n = sk_frag_fragment(m, 1500, out, 16, mp);
	SK_CHECK(n == -EMSGSIZE && same_bytes(m, p.b, p.len), "DF -> -EMSGSIZE, packet untouched");
	rte_pktmbuf_free(m);

	m = built(&small, &p);
	if (m == NULL)
		return;
	n = sk_frag_fragment(m, 1500, out, 16, mp);
	SK_CHECK(n == 1 && out[0] == m && same_bytes(m, p.b, p.len), "datagram that fits comes back as is");
	rte_pktmbuf_free(m);

	m = built(&v6, &p);
	if (m == NULL)
		return;
	n = sk_frag_fragment(m, 1500, out, 2, mp);
	SK_CHECK(n == -ENOSPC && same_bytes(m, p.b, p.len), "too few output slots -> -ENOSPC, untouched");
	n = sk_frag_fragment(m, 1000, out, 16, mp);
	SK_CHECK(n == -EINVAL && same_bytes(m, p.b, p.len), "v6 mtu below 1280 -> -EINVAL, untouched");
	rte_pktmbuf_free(m);

	m = built(&v6hbh, &p);
	if (m == NULL)
		return;
	n = sk_frag_fragment(m, 1500, out, 16, mp);
	SK_CHECK(n == -ENOTSUP && same_bytes(m, p.b, p.len), "v6 with hop-by-hop -> -ENOTSUP, untouched");
	rte_pktmbuf_free(m);
}

/* One IPv4 fragment of datagram id: bytes [ofs, ofs+len) of its payload. */
static struct rte_mbuf *
frag4(uint16_t id, uint16_t ofs, uint16_t len, int mf)
{
	static struct pb_pkt p;
	const struct pb_spec s = { .family = 4, .proto = 17, .sport = 7, .dport = 9,
		.payload = (uint16_t)(len - 8), .v4id = id,
		.v4frag = (uint16_t)((mf ? 0x2000 : 0) | (ofs / 8)) };
	return built(&s, &p);
}

static uint8_t
feed(struct sk_frag *f, struct rte_mbuf *m, uint64_t tsc, struct rte_mbuf **whole)
{
	uint8_t drop = 0;
	struct rte_mbuf *r;

	if (m == NULL)
		return 0xfe;
	r = sk_frag_reassemble(f, m, tsc, &drop);
	if (whole != NULL)
		*whole = r;
	else
		rte_pktmbuf_free(r);
	return r != NULL ? 0 : drop;
}

static void
test_bad_fragments(struct sk_frag *f)
{
	static struct pb_pkt p;
	struct rte_mbuf *r = NULL;
	uint64_t now = rte_rdtsc();
	uint8_t d1, d2, d3, d4;
	uint32_t n;

	sk_frag_expire(f);

	/* duplicate first fragment */
	d1 = feed(f, frag4(100, 0, 1480, 1), now, NULL);
	d2 = feed(f, frag4(100, 0, 1480, 1), now, NULL);
	n = sk_frag_expire(f);
	SK_CHECK(d1 == SK_FRAG_KEPT && d2 == SK_DROP_FRAG_MALFORMED && n == 1,
		 "duplicate first fragment: datagram dropped, the held piece counted (%u, %u, %u)",
		 d1, d2, n);

	/* duplicated middle fragment: more bytes than the datagram */
	d1 = feed(f, frag4(101, 0, 1480, 1), now, NULL);
	d2 = feed(f, frag4(101, 1480, 1480, 1), now, NULL);
	d3 = feed(f, frag4(101, 1480, 1480, 1), now, NULL);
	d4 = feed(f, frag4(101, 2960, 40, 0), now, &r);
	n = sk_frag_expire(f);
	SK_CHECK(r == NULL && d1 == SK_FRAG_KEPT && d2 == SK_FRAG_KEPT && d3 == SK_FRAG_KEPT &&
		 d4 == SK_DROP_FRAG_MALFORMED && n == 3,
		 "duplicate middle fragment: dropped (%u %u %u %u, %u)", d1, d2, d3, d4, n);
	rte_pktmbuf_free(r);

	/* overlap that makes the byte count come out right but leaves a hole */
	d1 = feed(f, frag4(102, 0, 1480, 1), now, NULL);
	d2 = feed(f, frag4(102, 1000, 1480, 1), now, NULL);
	d3 = feed(f, frag4(102, 2960, 40, 0), now, &r);
	n = sk_frag_expire(f);
	SK_CHECK(r == NULL && d1 == SK_FRAG_KEPT && d2 == SK_FRAG_KEPT && d3 != SK_FRAG_KEPT && d3 != 0 &&
		 n >= 1, "overlapping fragments: no datagram, all freed (%u %u %u, %u)", d1, d2, d3, n);
	rte_pktmbuf_free(r);

	/* garbage caught before rte_ip_frag */
	d1 = feed(f, frag4(103, 0, 1001, 1), now, NULL);
	SK_CHECK(d1 == SK_DROP_FRAG_MALFORMED, "non-final fragment not a multiple of 8 -> malformed");
	d1 = feed(f, frag4(104, 65512, 48, 0), now, NULL);
	SK_CHECK(d1 == SK_DROP_FRAG_MALFORMED, "fragment ending past 64 KiB -> malformed");

	const struct pb_spec v6d = { .family = 6, .proto = 17, .sport = 7, .dport = 9, .payload = 64,
		.n_ext = 2, .ext = { { .type = 60, .len = 8 }, { .type = 44, .len = 8, .fd = 1, .id = 5 } } };
	struct rte_mbuf *m = built(&v6d, &p);
	SK_CHECK(m != NULL && sk_pkt_meta(m)->frag == SK_FRAG_FIRST &&
		 feed(f, m, now, NULL) == SK_DROP_FRAG_MALFORMED,
		 "v6 fragment header after dest options -> malformed");

	/* not a fragment: handed back untouched */
	const struct pb_spec whole = { .family = 4, .proto = 17, .sport = 7, .dport = 9, .payload = 10 };
	m = built(&whole, &p);
	if (m != NULL) {
		uint8_t drop = 0x77;
		struct rte_mbuf *x = sk_frag_reassemble(f, m, now, &drop);
		SK_CHECK(x == m && drop == 0x77, "whole datagram passes through");
		rte_pktmbuf_free(x);
	}
	SK_CHECK(sk_frag_expire(f) == 0, "nothing left to expire");
}

static void
test_expire(struct sk_frag *f)
{
	uint64_t hz = rte_get_tsc_hz(), now = rte_rdtsc();
	uint8_t d1, d2, d3;
	uint32_t n;

	/* two pieces of a datagram that arrived 10 s ago (timeout is 1 s) */
	d1 = feed(f, frag4(200, 0, 1480, 1), now - 10 * hz, NULL);
	d2 = feed(f, frag4(200, 2960, 100, 0), now - 10 * hz, NULL);
	n = sk_frag_expire(f);
	SK_CHECK(d1 == SK_FRAG_KEPT && d2 == SK_FRAG_KEPT && n == 2,
		 "incomplete datagram expires, both pieces counted (%u)", n);

	/* a recent one stays */
	d3 = feed(f, frag4(201, 0, 1480, 1), now, NULL);
	n = sk_frag_expire(f);
	SK_CHECK(d3 == SK_FRAG_KEPT && n == 0, "recent incomplete datagram is kept (%u)", n);

	/* a stale entry is reclaimed when its key comes back: the old pieces
	 * are counted, the new one starts over */
	d1 = feed(f, frag4(202, 0, 1480, 1), now - 10 * hz, NULL);
	d2 = feed(f, frag4(202, 1480, 80, 0), now, NULL);
	n = sk_frag_expire(f);
	SK_CHECK(d1 == SK_FRAG_KEPT && d2 == SK_FRAG_KEPT && n == 1,
		 "stale entry reused: old piece counted (%u)", n);
}

/* At stop every held fragment is counted (the final ledger), not only the
 * timed-out ones; more datagrams than one death row takes. */
static void
test_flush(struct sk_frag *f)
{
	uint64_t now = rte_rdtsc();
	uint32_t i, kept = 0, n;

	/* test_expire left one piece each of datagrams 201 and 202 */
	for (i = 0; i < 50; i++) {
		kept += feed(f, frag4((uint16_t)(400 + i), 0, 1480, 1), now, NULL) == SK_FRAG_KEPT;
		kept += feed(f, frag4((uint16_t)(400 + i), 2960, 100, 0), now, NULL) == SK_FRAG_KEPT;
	}
	n = sk_frag_expire(f);
	SK_CHECK(kept == 100 && n == 0, "100 recent pieces kept, none expired (%u)", n);
	n = sk_frag_flush(f);
	SK_CHECK(n == 102, "flush at stop counts every held fragment: %u of 102", n);
	SK_CHECK(sk_frag_flush(f) == 0 && sk_frag_expire(f) == 0, "nothing held after the flush");
	SK_CHECK(feed(f, frag4(500, 0, 1480, 1), now, NULL) == SK_FRAG_KEPT &&
		 sk_frag_flush(f) == 1, "the table is usable after a flush");
}

static void
test_table_full(void)
{
	struct sk_frag *f = sk_frag_create(2, 1000, SOCKET_ID_ANY);
	uint64_t now = rte_rdtsc();
	uint8_t d1, d2, d3;

	if (f == NULL) {
		SK_CHECK(0, "sk_frag_create(2)");
		return;
	}
	d1 = feed(f, frag4(300, 0, 1480, 1), now, NULL);
	d2 = feed(f, frag4(301, 0, 1480, 1), now, NULL);
	d3 = feed(f, frag4(302, 0, 1480, 1), now, NULL);
	SK_CHECK(d1 == SK_FRAG_KEPT && d2 == SK_FRAG_KEPT && d3 == SK_DROP_FRAG_TABLE_FULL,
		 "third datagram in a 2-flow table -> frag_table_full (%u)", d3);
	sk_frag_free(f);   /* frees the two held fragments */
	sk_frag_free(NULL);
}

int
main(int argc, char **argv)
{
	(void)argc;
	if (sk_test_eal_init(argv[0]) < 0) {
		printf("not ok 1 - EAL init\n");
		return 1;
	}
	mp = rte_pktmbuf_pool_create("frag_pool", 512, 0, SK_PKT_PRIV_SIZE,
				     PB_MAX + RTE_PKTMBUF_HEADROOM, SOCKET_ID_ANY);
	if (mp == NULL) {
		printf("not ok 1 - mempool\n");
		return 1;
	}
	unsigned int avail = rte_mempool_avail_count(mp);

	SK_CHECK(sk_frag_create(0, 1000, SOCKET_ID_ANY) == NULL && rte_errno == EINVAL,
		 "create with 0 flows -> EINVAL");
	struct sk_frag *f = sk_frag_create(64, 1000, SOCKET_ID_ANY);
	SK_CHECK(f != NULL, "create");
	if (f == NULL)
		return SK_TEST_DONE();

	test_round_trips(f);
	test_fragment_errors();
	test_bad_fragments(f);
	test_expire(f);
	test_flush(f);
	test_table_full();
	sk_frag_free(f);

	SK_CHECK(rte_mempool_avail_count(mp) == avail, "every mbuf back in the pool (%u of %u)",
		 rte_mempool_avail_count(mp), avail);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return SK_TEST_DONE();
}
