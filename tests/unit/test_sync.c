/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_sync.c - HA connection sync in the dataplane (dataplane/sync):
 * records from a connection table's events (create, timeout-class change,
 * delete) through the real rings, every field; a standby table that applies
 * them holds the same entries (plain, DNAT, full NAT: same keys, state,
 * class, rule, generation, alias and backend tag, the SNAT port taken);
 * the owner rule, unknown services held, a full ring counted and mended by
 * the dirty sweep (only the refused connections go again; one freed before
 * it sends nothing stale; a reused slot sends the new connection), a bulk
 * lap, no records while not active, and the cost of emitting (figures
 * printed, not asserted).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "cfg.h"
#include "conn/conn.h"
#include "gen/gen.h"
#include "lb/lb_svc.h"
#include "nat/nat.h"
#include "sync/sync.h"
#include "worker/wlb.h"
#include "sk_test.h"
#include "sk_test_conn.h"
#include "sk_test_eal.h"

#define GEN 9

struct sk_dp sk_dp;   /* worker_lb.c's (the release hook reads nothing of it) */
#define NW 2

static const char *conf =
	"zones = ( \"out\", \"in\" );\n"
	"interfaces = (\n"
	"  { name = \"out\"; device = \"net_null0\"; zone = \"out\";\n"
	"    ipv4 = [ \"203.0.113.1/24\" ]; },\n"
	"  { name = \"in\"; device = \"net_null1\"; zone = \"in\";\n"
	"    ipv4 = [ \"10.10.0.1/24\" ]; }\n"
	");\n"
	"services = (\n"
	"{ name = \"web\"; vip = \"203.0.113.80\"; proto = \"tcp\"; port = 80;\n"
	"  backends = ( { name = \"a\"; address = \"10.10.0.11\"; },\n"
	"               { name = \"b\"; address = \"10.10.0.12\"; } ); },\n"
	"{ name = \"fn\"; vip = \"203.0.113.81\"; proto = \"tcp\"; port = 80;\n"
	"  forward = \"fullnat\"; snat = [ \"10.10.0.4\" ];\n"
	"  backends = ( { name = \"a\"; address = \"10.10.0.11\"; port = 8080; },\n"
	"               { name = \"b\"; address = \"10.10.0.12\"; port = 8080; } ); }\n"
	");\n";

static struct sk_lb *
mklb(void)
{
	char text[4096], err[256] = "";
	struct sk_cfg_diag d;
	struct sk_cfg *cfg;
	struct sk_lb *lb = NULL;
	void *img = NULL;
	size_t len = 0;

	snprintf(text, sizeof(text), "%s", conf);
	sk_cfg_diag_init(&d);
	cfg = sk_cfg_load_string(text, "t.conf", &d);
	if (cfg == NULL)
		sk_cfg_diag_print(&d, stdout);
	else if (sk_cfg_image_build(cfg, &img, &len, err, sizeof(err)) != 0)
		printf("# image: %s\n", err);
	if (img != NULL) {
		lb = sk_lb_build(img, len, GEN, NW, SOCKET_ID_ANY, NULL, NULL, err, sizeof(err));
		if (lb == NULL)
			printf("# sk_lb_build: %s\n", err);
	}
	free(img);
	sk_cfg_free(cfg);
	sk_cfg_diag_free(&d);
	return lb;
}

static uint32_t
ip4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return ntohl(a.s_addr);
}

static void
addr4(uint8_t out[16], const char *s)
{
	memset(out, 0, 16);
	inet_pton(AF_INET, s, out);
}

/* Everything of the entry under m's key that sync must reproduce. */
struct snap {
	int found;
	struct sk_conn c;
	struct sk_conn a;
	struct sk_conn_key ak;
};

static struct snap
snap_of(struct sk_conn_table *t, const struct sk_pkt_meta *m)
{
	struct snap s;
	struct sk_conn_key k;
	uint8_t sa;
	struct sk_conn *c;

	memset(&s, 0, sizeof(s));
	sk_conn_key_from_meta(m, &k, &sa);
	c = sk_conn_lookup(t, &k);
	if (c == NULL)
		return s;
	c = sk_conn_primary(t, c);
	s.found = 1;
	s.c = *c;
	if (c->nat != 0) {
		s.a = *sk_conn_alias(t, c);
		s.ak = *sk_conn_key_ref(t, sk_conn_alias(t, c));
	}
	return s;
}

/* Same connection: all but slot links, counters and the clock. */
static int
same(const struct snap *x, const struct snap *y, uint32_t now_x, uint32_t now_y)
{
	if (!x->found || !y->found)
		return 0;
	if (x->c.proto != y->c.proto || x->c.state != y->c.state ||
	    x->c.fin_seen != y->c.fin_seen || x->c.flags != y->c.flags ||
	    x->c.in_iface != y->c.in_iface || x->c.out_iface != y->c.out_iface ||
	    x->c.tmo_class != y->c.tmo_class || x->c.nat != y->c.nat ||
	    x->c.rule_id != y->c.rule_id || x->c.gen != y->c.gen ||
	    now_x - x->c.last_ms != now_y - y->c.last_ms)
		return 0;
	if (x->c.nat == 0)
		return 1;
	return x->a.flags == y->a.flags && x->a.nat == y->a.nat && x->a.rule_id == y->a.rule_id &&
	       memcmp(&x->ak, &y->ak, sizeof(x->ak)) == 0;
}

/* The attached workers (their written records are published before a drain). */
static struct sk_sync_w *attached[NW];

/* Drain worker idx's out ring into rec[]; the count. */
static unsigned int
drain(struct sk_sync_shm *sh, unsigned int idx, struct sk_sync_rec *rec, unsigned int cap)
{
	if (attached[idx] != NULL)
		sk_sync_flush(attached[idx]);
	return rte_ring_sc_dequeue_burst_elem(sh->w[idx].out, rec, sizeof(*rec), cap, NULL);
}

static struct sk_conn *
nat_open(struct sk_conn_table *t, const struct sk_pkt_meta *cli, const uint8_t *xsrc,
	 uint16_t xport, const uint8_t *be, uint16_t bport, uint8_t nat, uint32_t tag,
	 uint32_t now)
{
	struct sk_conn_key k, rk;
	uint8_t sa, rsa;
	struct sk_pkt_meta q;

	sk_conn_key_from_meta(cli, &k, &sa);
	memset(&q, 0, sizeof(q));
	q.family = 4;
	q.proto = cli->proto;
	memcpy(q.src, xsrc, 16);
	memcpy(q.dst, be, 16);
	q.sport = xport;
	q.dport = bport;
	sk_conn_key_from_meta(&q, &rk, &rsa);
	return sk_conn_create_nat(t, &k, sa, &rk, rsa, cli, now, 11, GEN, nat, tag);
}

/* Is rec of the UDP connection from 12.0.0.<last> (test_dirty's)? */
static int
is_d(const struct sk_sync_rec *rec, unsigned int last)
{
	return rec->src[0] == 12 && rec->src[1] == 0 && rec->src[2] == 0 && rec->src[3] == last;
}

/*
 * The dirty marks, on worker 1 with a table of exactly DN slots: a full ring
 * marks the refused creates and changes; once room is back the sweep sends
 * those and nothing else; a connection freed while its create was never
 * sent sends nothing (no create, no delete), one whose change was refused
 * sends its delete only; a freed dirty slot taken by a new connection sends
 * the new connection.
 */
#define DN 48u
static void
test_dirty(struct sk_sync_shm *sh, const struct sk_gen *g, uint32_t now)
{
	static struct sk_sync_rec rec[SK_SYNC_RING_SIZE];
	struct sk_conn_table *td = sk_conn_table_create("sync_d", DN, SOCKET_ID_ANY);
	struct sk_sync_w *sd = td != NULL ? sk_sync_worker_attach(1, td) : NULL;
	struct rte_ring *out = sh->w[1].out;
	struct sk_pkt_meta m[DN + 1];
	unsigned int n, i, made = 0;

	SK_CHECK(sd != NULL && sk_conn_slots_total(td) == DN, "dirty: a table of %u slots", DN);
	if (sd == NULL)
		return;
	attached[1] = sd;
	rte_ring_reset(out);
	sk_sync_poll(sd, g, now, 1);
	/* 40 connections whose creates go out, then a full ring */
	for (i = 0; i <= DN; i++)
		m[i] = mk4(0x0c000000u + i, ip4("10.10.0.50"), 1024, 53, IPPROTO_UDP, 0);
	for (i = 0; i < 40; i++)
		made += open_conn(td, &m[i], now) != NULL;
	n = drain(sh, 1, rec, SK_SYNC_RING_SIZE);
	SK_CHECK(made == 40 && n == 40, "dirty: 40 creates sent (%u)", n);
	for (i = 0; i < SK_SYNC_RING_SIZE - 1; i++)
		rte_ring_sp_enqueue_elem(out, &rec[0], sizeof(rec[0]));
	uint64_t full0 = sh->w[1].ctr[SK_SYNC_CTR_RING_FULL];
	uint64_t rs0 = sh->w[1].ctr[SK_SYNC_CTR_RESYNCS];
	uint64_t ret0 = sh->w[1].ctr[SK_SYNC_CTR_DEL_RETRIED];
	uint64_t lost0 = sh->w[1].ctr[SK_SYNC_CTR_DEL_LOST];

	/* refused: the creates of 40..47, the change of 0 (its reply: UDP both ways) */
	for (i = 40; i < DN; i++)
		made += open_conn(td, &m[i], now) != NULL;
	struct sk_pkt_meta r0 = rev(&m[0], 0);
	enum sk_conn_dir d = SK_DIR_ORIG;
	struct sk_conn *c0 = find(td, &r0, &d);
	enum sk_drop_reason u0 = c0 != NULL ? sk_conn_update(td, c0, &r0, d, 60, now + 1)
					    : SK_DROP_TCP_INVALID;

	SK_CHECK(made == DN && u0 == SK_DROP_NONE && sk_conn_slots_used(td) == DN &&
		 sh->w[1].ctr[SK_SYNC_CTR_RING_FULL] == full0 + 9 &&
		 sh->w[1].ctr[SK_SYNC_CTR_RESYNCS] == rs0 + 1,
		 "dirty: 8 creates and a change refused (ring_full +%lu), one resync",
		 (unsigned long)(sh->w[1].ctr[SK_SYNC_CTR_RING_FULL] - full0));
	/* 41 goes before its create was ever sent: its slot, the only free
	 * one, takes connection 48 (refused too); 40 goes too; 0, whose
	 * change was refused, goes: its delete is kept */
	struct sk_conn *c41 = find(td, &m[41], NULL);
	uint32_t s41 = c41 != NULL ? sk_conn_slot_index(td, c41) : UINT32_MAX;

	sk_conn_delete(td, c41);
	struct sk_conn *c48 = open_conn(td, &m[DN], now);

	SK_CHECK(c48 != NULL && sk_conn_slot_index(td, c48) == s41 &&
		 sh->w[1].ctr[SK_SYNC_CTR_RING_FULL] == full0 + 10,
		 "dirty: a freed dirty slot taken by a new connection (slot %u), whose create is "
		 "refused; the gone one's delete not even tried", s41);
	sk_conn_delete(td, find(td, &m[40], NULL));
	sk_conn_delete(td, sk_conn_primary(td, find(td, &m[0], NULL)));
	SK_CHECK(sh->w[1].ctr[SK_SYNC_CTR_RING_FULL] == full0 + 11 &&
		 sh->w[1].ctr[SK_SYNC_CTR_DEL_LOST] == lost0,
		 "dirty: the changed connection's delete refused and kept, the unsent one's not "
		 "tried");
	/* room back: the kept delete, then 42..47 and 48 once each, nothing else */
	rte_ring_reset(out);
	unsigned int got = 0, del0 = 0, ref = 0, other = 0, first_del = 0;
	uint32_t seen = 0;

	for (unsigned int loop = 0; loop < 4; loop++) {
		sk_sync_poll(sd, g, now + 2, 1);
		n = drain(sh, 1, rec, SK_SYNC_RING_SIZE);
		for (i = 0; i < n; i++) {
			unsigned int k = rec[i].src[3];

			if (rec[i].type == SK_SYNC_DELETE && is_d(&rec[i], 0)) {
				del0++;
				first_del = got + i == 0;
			} else if (rec[i].type == SK_SYNC_REFRESH && rec[i].src[0] == 12 &&
				   k >= 42 && k <= DN && !(seen & (1u << (k - 42)))) {
				seen |= 1u << (k - 42);
				ref++;
			} else {
				other++;
			}
		}
		got += n;
	}
	SK_CHECK(got == 8 && del0 == 1 && first_del && ref == 7 && other == 0 &&
		 sh->w[1].ctr[SK_SYNC_CTR_DEL_RETRIED] == ret0 + 1,
		 "dirty sweep: the kept delete first, then the 7 refused connections once each "
		 "(%u records: %u delete, %u refreshes, %u other)", got, del0, ref, other);
	/* the reused slot's refresh is the new connection's */
	struct sk_conn *c48b = find(td, &m[DN], NULL);
	SK_CHECK(c48b != NULL && (seen & (1u << (DN - 42))) && find(td, &m[41], NULL) == NULL,
		 "dirty: the reused slot sent as the new connection (12.0.0.%u)", DN);
	sk_sync_poll(sd, g, now + 3, 1);
	SK_CHECK(drain(sh, 1, rec, SK_SYNC_RING_SIZE) == 0, "dirty: clean again, nothing more");
	attached[1] = NULL;
	sk_conn_table_free(td);
}

int
main(int argc, char **argv)
{
	struct sk_conn_table *ta, *tb, *tb1;
	struct sk_sync_shm *sh;
	struct sk_sync_w *sa;
	struct sk_gen ga, gb;
	struct sk_sync_rec rec[SK_SYNC_RING_SIZE];
	unsigned int n, i;
	char err[128] = "";
	uint32_t now_a = 100000, now_b = 5000000;
	int created;
	uint32_t removed;

	(void)argc;
	if (sk_test_eal_init(argv[0]) < 0) {
		printf("not ok 1 - EAL init\n");
		return 1;
	}
	SK_CHECK(sk_sync_init(NW, SOCKET_ID_ANY, err, sizeof(err)) == 0, "sync init: %s", err);
	sh = sk_sync_shm_get();
	SK_CHECK(sh != NULL && sh->magic == SK_SYNC_MAGIC && sh->n_workers == NW &&
		 sh->rec_size == sizeof(struct sk_sync_rec) && sh->w[1].in != NULL,
		 "memzone with two rings per worker");
	ta = sk_conn_table_create("sync_a", 4096, SOCKET_ID_ANY);
	tb = sk_conn_table_create("sync_b", 4096, SOCKET_ID_ANY);
	tb1 = sk_conn_table_create("sync_b1", 64, SOCKET_ID_ANY);
	memset(&ga, 0, sizeof(ga));
	memset(&gb, 0, sizeof(gb));
	ga.id = gb.id = GEN;
	ga.lb = mklb();
	gb.lb = mklb();     /* the standby's own build of the same config */
	SK_CHECK(ta && tb && tb1 && ga.lb && gb.lb, "tables and services");
	if (!ta || !tb || !tb1 || !ga.lb || !gb.lb)
		return SK_TEST_DONE();
	/* the standby worker's own release hook: backend counts go down with it */
	struct sk_worker wb;

	memset(&wb, 0, sizeof(wb));
	wb.cur_gen = &gb;
	sk_conn_set_release(tb, sk_wlb_release, &wb);
	sa = sk_sync_worker_attach(0, ta);
	attached[0] = sa;
	SK_CHECK(sa != NULL && sk_sync_worker_attach(NW, ta) == NULL, "attach worker 0 only");

	/* ---- not active, or not shipping: no record ---- */
	struct sk_pkt_meta p0 = mk4(ip4("198.51.100.7"), ip4("10.10.0.50"), 40000, 22,
				    IPPROTO_TCP, RTE_TCP_SYN_FLAG);
	p0.in_iface = 0;
	p0.out_iface = 1;
	sk_sync_poll(sa, &ga, now_a, 1);   /* ship is 0 */
	SK_CHECK(open_conn(ta, &p0, now_a) != NULL && drain(sh, 0, rec, 8) == 0,
		 "active but the cp does not ship: no record");
	sk_conn_delete(ta, sk_conn_primary(ta, find(ta, &p0, NULL)));
	sh->ship = 1;
	sk_sync_poll(sa, &ga, now_a, 0);
	SK_CHECK(open_conn(ta, &p0, now_a) != NULL && drain(sh, 0, rec, 8) == 0,
		 "shipping but not active: no record");
	sk_conn_delete(ta, sk_conn_primary(ta, find(ta, &p0, NULL)));

	/* ---- plain TCP: create, established (class change), nothing per packet ---- */
	sk_sync_poll(sa, &ga, now_a, 1);
	struct sk_conn *c = open_conn(ta, &p0, now_a);
	n = drain(sh, 0, rec, 8);
	SK_CHECK(c != NULL && n == 1 && rec[0].type == SK_SYNC_CREATE, "create: one record");
	SK_CHECK(rec[0].family == 4 && rec[0].proto == IPPROTO_TCP &&
		 rec[0].state == SK_TCP_SYN_SENT && rec[0].tmo_class == SK_TMO_TCP_SYN &&
		 rec[0].nat == 0 && rec[0].rule_id == 7 && rec[0].gen == 3 && rec[0].owner == 0 &&
		 rec[0].in_iface == 0 && rec[0].out_iface == 1 && rec[0].sport == 40000 &&
		 rec[0].dport == 22 && rec[0].src[0] == 198 && rec[0].dst[3] == 50 &&
		 rec[0].idle_ms == 0 && rec[0].svc_ident == 0,
		 "create record: originator's endpoints, state, class, rule, gen, owner");
	struct sk_pkt_meta r0 = rev(&p0, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	struct sk_pkt_meta a0 = p0;
	a0.tcp_flags = RTE_TCP_ACK_FLAG;
	enum sk_conn_dir d = SK_DIR_ORIG;
	struct sk_conn *h = find(ta, &r0, &d);
	int u1 = sk_conn_update(ta, h, &r0, d, 60, now_a + 1);
	n = drain(sh, 0, rec, 8);
	SK_CHECK(u1 == 0 && n == 0, "syn_sent -> syn_recv: same class, no record");
	h = find(ta, &a0, &d);
	int u2 = sk_conn_update(ta, h, &a0, d, 60, now_a + 2);
	int u3 = sk_conn_update(ta, h, &a0, d, 60, now_a + 3);
	n = drain(sh, 0, rec, 8);
	SK_CHECK(u2 == 0 && u3 == 0 && n == 1 && rec[0].type == SK_SYNC_CHANGE &&
		 rec[0].state == SK_TCP_ESTABLISHED && rec[0].tmo_class == SK_TMO_TCP_ESTABLISHED,
		 "established: one change record, the next packet none");

	/* the standby applies create + change: the same entry */
	struct sk_sync_rec plain_est = rec[0];
	SK_CHECK(sk_sync_apply(tb, &gb, 0, NW, now_b, &plain_est, &created, &removed) ==
		 SK_SYNC_APPLIED && created == 1, "standby: change record of an unknown conn creates it");
	struct snap xa = snap_of(ta, &p0), xb = snap_of(tb, &p0);
	SK_CHECK(same(&xa, &xb, now_a + 3, now_b), "plain: the standby's entry is the active's");
	plain_est.idle_ms = 2500;
	SK_CHECK(sk_sync_apply(tb, &gb, 0, NW, now_b, &plain_est, &created, &removed) ==
		 SK_SYNC_APPLIED && created == 0 && snap_of(tb, &p0).c.last_ms == now_b - 2500 &&
		 sk_conn_count(tb) == 1, "refresh updates in place: idle time carried relative");
	SK_CHECK(sk_sync_apply(tb1, &gb, 1, NW, now_b, &plain_est, &created, &removed) ==
		 SK_SYNC_REFUSED && sk_conn_count(tb1) == 0, "plain record on another worker refused");

	/* ---- DNAT ---- */
	uint8_t vip[16], be_a[16], be_b[16], snat[16], cl[16];
	addr4(vip, "203.0.113.80");
	addr4(be_a, "10.10.0.11");
	addr4(be_b, "10.10.0.12");
	addr4(snat, "10.10.0.4");
	int64_t gbe_b = sk_lb_backend_find(ga.lb, 0, be_b, 80);
	uint16_t cport = 1000;
	struct sk_pkt_meta pd;

	/* a client port whose DNAT owner is worker 0 */
	do {
		cport++;
		pd = mk4(ip4("198.51.100.9"), ip4("203.0.113.80"), cport, 80, IPPROTO_TCP,
			 RTE_TCP_SYN_FLAG);
	} while (sk_nat_client_owner(pd.src, cport, NW) != 0);
	memcpy(cl, pd.src, 16);
	pd.out_iface = 1;
	c = nat_open(ta, &pd, cl, cport, be_b, 80, SK_SYNC_NAT_DNAT, (uint32_t)gbe_b, now_a);
	n = drain(sh, 0, rec, 8);
	SK_CHECK(c != NULL && gbe_b >= 0 && n == 1 && rec[0].type == SK_SYNC_CREATE &&
		 rec[0].nat == SK_SYNC_NAT_DNAT && rec[0].svc_ident == sk_sync_ident("web", 32) &&
		 memcmp(rec[0].backend, be_b, 16) == 0 && rec[0].bport == 80 &&
		 memcmp(rec[0].xsrc, cl, 16) == 0 && rec[0].xport == cport &&
		 memcmp(rec[0].dst, vip, 16) == 0 && rec[0].rule_id == 11 && rec[0].gen == GEN,
		 "DNAT create: service by name, backend by address, both ends");
	struct sk_sync_rec dn = rec[0];
	SK_CHECK(sk_sync_apply(tb, &gb, 0, NW, now_b, &dn, &created, &removed) ==
		 SK_SYNC_APPLIED && created == 1, "standby applies the DNAT record");
	xa = snap_of(ta, &pd);
	xb = snap_of(tb, &pd);
	SK_CHECK(same(&xa, &xb, now_a, now_b) && xb.a.rule_id == (uint32_t)gbe_b,
		 "DNAT: same entry, same alias key, backend tag of the standby's generation");
	struct sk_lb_svc_stats ss;
	sk_lb_svc_stats(gb.lb, 0, &ss);
	SK_CHECK(ss.active == 1, "DNAT: the backend's active count rebuilt on the standby (%lu)",
		 (unsigned long)ss.active);
	SK_CHECK(sk_sync_apply(tb1, &gb, 1, NW, now_b, &dn, &created, &removed) == SK_SYNC_REFUSED,
		 "DNAT record refused by a worker that is not the client hash's owner");
	struct sk_sync_rec bad = dn;
	bad.svc_ident ^= 1;
	SK_CHECK(sk_sync_apply(tb1, &gb, 0, NW, now_b, &bad, &created, &removed) == SK_SYNC_HELD,
		 "service name differs: held, not applied");
	bad = dn;
	addr4(bad.backend, "10.10.0.99");
	SK_CHECK(sk_sync_apply(tb1, &gb, 0, NW, now_b, &bad, &created, &removed) == SK_SYNC_HELD &&
		 sk_conn_count(tb1) == 0, "unknown backend: held, never another backend");

	/* ---- full NAT: the SNAT port is taken on the standby too ---- */
	struct sk_pkt_meta pf = mk4(ip4("198.51.100.9"), ip4("203.0.113.81"), 5555, 80,
				    IPPROTO_TCP, RTE_TCP_SYN_FLAG);
	uint16_t xport = 2000;    /* in worker 0's port block */
	int64_t gbe_fa = sk_lb_backend_find(ga.lb, 1, be_a, 8080);

	pf.out_iface = 1;
	c = nat_open(ta, &pf, snat, xport, be_a, 8080, SK_SYNC_NAT_FULLNAT, (uint32_t)gbe_fa,
		     now_a);
	n = drain(sh, 0, rec, 8);
	SK_CHECK(c != NULL && n == 1 && rec[0].nat == SK_SYNC_NAT_FULLNAT &&
		 sk_nat_port_owner(xport, NW) == 0 && memcmp(rec[0].xsrc, snat, 16) == 0 &&
		 rec[0].xport == xport && rec[0].bport == 8080 &&
		 rec[0].svc_ident == sk_sync_ident("fn", 32), "full NAT create: SNAT address and port");
	struct sk_sync_rec fn = rec[0];
	SK_CHECK(sk_sync_apply(tb, &gb, 0, NW, now_b, &fn, &created, &removed) ==
		 SK_SYNC_APPLIED && created == 1, "standby applies the full-NAT record");
	xa = snap_of(ta, &pf);
	xb = snap_of(tb, &pf);
	SK_CHECK(same(&xa, &xb, now_a, now_b), "full NAT: same entry and alias");
	struct sk_pkt_meta reply = mk4(ip4("10.10.0.11"), ip4("10.10.0.4"), 8080, xport,
				       IPPROTO_TCP, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	SK_CHECK(find(tb, &reply, &d) != NULL && d == SK_DIR_REPLY,
		 "the backend's reply to the SNAT port hits on the standby (port taken)");
	SK_CHECK(sk_sync_apply(tb1, &gb, 1, NW, now_b, &fn, &created, &removed) == SK_SYNC_REFUSED,
		 "full-NAT record refused outside the SNAT port's block");

	/* a newer connection reusing the SNAT port on the active replaces the old one */
	struct sk_sync_rec fn2 = fn;
	fn2.sport = 6666;
	SK_CHECK(sk_sync_apply(tb, &gb, 0, NW, now_b, &fn2, &created, &removed) ==
		 SK_SYNC_APPLIED && created == 1 && removed == 1 && !snap_of(tb, &pf).found,
		 "port reused by another client: the stale entry goes (active is the truth)");
	SK_CHECK(sk_sync_apply(tb, &gb, 0, NW, now_b, &fn, &created, &removed) ==
		 SK_SYNC_APPLIED && snap_of(tb, &pf).found, "and back");

	/* a SYN-proxied connection: its state and delta go out and come back
	 * on both halves, so the standby keeps translating after a failover */
	struct sk_conn *sp = sk_conn_primary(ta, find(ta, &pf, NULL)), *spa, *spb;
	struct sk_sync_rec sr;

	sp->sp = SK_CONN_SP_SEQ;
	sp->sp_delta = 0xabcdef01u;
	sk_sync_rec_from_conn(ta, sp, &ga, now_a, 0, SK_SYNC_REFRESH, &sr);
	SK_CHECK(sr.flags == SK_CONN_SP_SEQ && sr.sp_delta == 0xabcdef01u,
		 "record carries the SYN proxy state and delta");
	SK_CHECK(sk_sync_apply(tb, &gb, 0, NW, now_b, &sr, &created, &removed) == SK_SYNC_APPLIED,
		 "standby applies it");
	spb = sk_conn_primary(tb, find(tb, &pf, NULL));
	spa = spb != NULL ? sk_conn_alias(tb, spb) : NULL;
	SK_CHECK(spb != NULL && spa != NULL && spb->sp == SK_CONN_SP_SEQ && spa->sp == SK_CONN_SP_SEQ &&
		 spb->sp_delta == 0xabcdef01u && spa->sp_delta == 0xabcdef01u,
		 "standby: both halves proxied with the delta");
	sr.flags = SK_SYNC_F_SP_MAX + 1;
	SK_CHECK(sk_sync_apply(tb, &gb, 0, NW, now_b, &sr, &created, &removed) == SK_SYNC_REFUSED,
		 "unknown SYN proxy state refused");
	sp->sp = SK_CONN_SP_NONE;
	sp->sp_delta = 0;
	sk_sync_rec_from_conn(ta, sp, &ga, now_a, 0, SK_SYNC_REFRESH, &sr);
	SK_CHECK(sk_sync_apply(tb, &gb, 0, NW, now_b, &sr, &created, &removed) == SK_SYNC_APPLIED &&
		 spb->sp == SK_CONN_SP_NONE && spa->sp == SK_CONN_SP_NONE, "and back to plain");

	/* ---- delete ---- */
	sk_conn_delete(ta, sk_conn_primary(ta, find(ta, &pd, NULL)));
	n = drain(sh, 0, rec, 8);
	SK_CHECK(n == 1 && rec[0].type == SK_SYNC_DELETE && rec[0].nat == SK_SYNC_NAT_DNAT,
		 "delete: one record");
	SK_CHECK(sk_sync_apply(tb, &gb, 0, NW, now_b, &rec[0], &created, &removed) ==
		 SK_SYNC_APPLIED && !snap_of(tb, &pd).found, "standby deletes it");
	sk_lb_svc_stats(gb.lb, 0, &ss);
	SK_CHECK(ss.active == 0, "DNAT backend count back to 0 on the standby");
	uint32_t exp = sk_conn_age(ta, now_a + 3600u * 1000 + 10000, 4096);
	n = drain(sh, 0, rec, 8);
	SK_CHECK(exp == 2 && n == 2 && rec[0].type == SK_SYNC_DELETE && rec[1].type == SK_SYNC_DELETE,
		 "expiry: a delete record each (%u expired)", exp);

	/* ---- hostile records ---- */
	bad = plain_est;
	bad.type = 9;
	SK_CHECK(sk_sync_apply(tb, &gb, 0, NW, now_b, &bad, &created, &removed) == SK_SYNC_REFUSED,
		 "unknown type refused");
	bad = plain_est;
	bad.owner = NW;
	SK_CHECK(sk_sync_apply(tb, &gb, 0, NW, now_b, &bad, &created, &removed) == SK_SYNC_REFUSED,
		 "owner out of range refused");
	bad = plain_est;
	bad.tmo_class = SK_TMO__MAX;
	SK_CHECK(sk_sync_apply(tb, &gb, 0, NW, now_b, &bad, &created, &removed) == SK_SYNC_REFUSED,
		 "timeout class out of range refused");
	bad = plain_est;
	bad.state = SK_TCP__MAX;
	SK_CHECK(sk_sync_apply(tb, &gb, 0, NW, now_b, &bad, &created, &removed) == SK_SYNC_REFUSED,
		 "TCP state out of range refused");

	/* ---- a full ring: dropped and counted, then the dirty sweep sends what it refused ---- */
	uint64_t full0 = sh->w[0].ctr[SK_SYNC_CTR_RING_FULL];
	uint64_t resync0 = sh->w[0].ctr[SK_SYNC_CTR_RESYNCS];
	unsigned int made = 0;

	for (i = 0; i < 3000; i++) {
		struct sk_pkt_meta q = mk4(0x0a000000u + i, ip4("10.10.0.50"), 1024, 53,
					   IPPROTO_UDP, 0);

		made += open_conn(ta, &q, now_a) != NULL;
	}
	/* the ring holds SK_SYNC_RING_SIZE - 1: fill it up with refreshes of a bulk lap... */
	sk_sync_flush(sa);   /* (the records written so far, before the ring is reset) */
	rte_ring_reset((struct rte_ring *)sh->w[0].out);
	for (i = 0; i < SK_SYNC_RING_SIZE - 1; i++)
		rte_ring_sp_enqueue_elem(sh->w[0].out, &plain_est, sizeof(plain_est));
	struct sk_pkt_meta q1 = mk4(ip4("10.9.9.9"), ip4("10.10.0.50"), 1, 53, IPPROTO_UDP, 0);
	SK_CHECK(open_conn(ta, &q1, now_a) != NULL &&
		 sh->w[0].ctr[SK_SYNC_CTR_RING_FULL] == full0 + 1,
		 "event with a full ring: dropped and counted (ring_full %lu)",
		 (unsigned long)sh->w[0].ctr[SK_SYNC_CTR_RING_FULL]);
	/* deletes the full ring refuses: q2's is kept for a retry; q3's too,
	 * and q3 is opened again at once: its delete must reach the peer
	 * before the new q3 */
	struct sk_pkt_meta q2 = mk4(0x0a000000u + 5, ip4("10.10.0.50"), 1024, 53, IPPROTO_UDP, 0);
	struct sk_pkt_meta q3 = mk4(0x0a000000u + 6, ip4("10.10.0.50"), 1024, 53, IPPROTO_UDP, 0);
	uint64_t retried0 = sh->w[0].ctr[SK_SYNC_CTR_DEL_RETRIED];

	sk_conn_delete(ta, sk_conn_primary(ta, find(ta, &q2, NULL)));
	sk_conn_delete(ta, sk_conn_primary(ta, find(ta, &q3, NULL)));
	SK_CHECK(open_conn(ta, &q3, now_a) != NULL && find(ta, &q2, NULL) == NULL &&
		 sh->w[0].ctr[SK_SYNC_CTR_RING_FULL] == full0 + 3,
		 "two deletes refused by the full ring and kept; the new q3 waits for them, the "
		 "ring not tried (ring_full %lu)",
		 (unsigned long)sh->w[0].ctr[SK_SYNC_CTR_RING_FULL]);
	rte_ring_reset((struct rte_ring *)sh->w[0].out);
	unsigned int got = 0, loops = 0, have_q1 = 0, del_q2 = 0, del_q3 = 0, ref_q3 = 0;
	unsigned int at_del_q2 = 0, at_del_q3 = 0, at_ref_q3 = 0;

	for (loops = 0; loops < 100; loops++) {
		sk_sync_poll(sa, &ga, now_a, 1);
		n = drain(sh, 0, rec, SK_SYNC_RING_SIZE);
		for (i = 0; i < n; i++) {
			int is_q2 = rec[i].src[0] == 10 && rec[i].src[2] == 0 && rec[i].src[3] == 5;
			int is_q3 = rec[i].src[0] == 10 && rec[i].src[2] == 0 && rec[i].src[3] == 6;

			have_q1 |= rec[i].type == SK_SYNC_REFRESH && rec[i].src[0] == 10 &&
				    rec[i].src[1] == 9;
			if (rec[i].type == SK_SYNC_DELETE && is_q2) {
				del_q2++;
				at_del_q2 = got + i;
			}
			if (rec[i].type == SK_SYNC_DELETE && is_q3) {
				del_q3++;
				at_del_q3 = got + i;
			}
			if (rec[i].type == SK_SYNC_REFRESH && is_q3) {
				ref_q3++;
				at_ref_q3 = got + i;
			}
		}
		got += n;
	}
	/* the kept deletes of q2 and q3, q1's refused create, the new q3's:
	 * nothing of the other connections, whose records went */
	SK_CHECK(sh->w[0].ctr[SK_SYNC_CTR_RESYNCS] == resync0 + 1 && got == 4 && have_q1 &&
		 made == 3000,
		 "dirty sweep: only the refused connections sent again (%u records for %u "
		 "connections)", got, sk_conn_count(ta));
	SK_CHECK(del_q2 == 1 && at_del_q2 == 0 &&
		 sh->w[0].ctr[SK_SYNC_CTR_DEL_RETRIED] == retried0 + 2,
		 "a delete the full ring refused is sent at the next poll, before the sweep (%u, at %u)",
		 del_q2, at_del_q2);
	SK_CHECK(del_q3 == 1 && ref_q3 == 1 && at_del_q3 < at_ref_q3,
		 "a kept delete of a tuple opened again goes first, then the new entry (%u at %u, "
		 "%u at %u)", del_q3, at_del_q3, ref_q3, at_ref_q3);
	/* the standby gets q2's delete: the entry it held goes */
	{
		struct sk_sync_rec q2r;
		struct sk_conn_table *tq = sk_conn_table_create("sync_q", 64, SOCKET_ID_ANY);

		memset(&q2r, 0, sizeof(q2r));
		q2r.type = SK_SYNC_REFRESH;
		q2r.family = 4;
		q2r.proto = IPPROTO_UDP;
		q2r.tmo_class = SK_TMO_UDP;
		memcpy(q2r.src, q2.src, 16);
		memcpy(q2r.dst, q2.dst, 16);
		q2r.sport = 1024;
		q2r.dport = 53;
		int ok1 = sk_sync_apply(tq, &gb, 0, NW, now_b, &q2r, &created, &removed) ==
			  SK_SYNC_APPLIED && sk_conn_count(tq) == 1;
		q2r.type = SK_SYNC_DELETE;
		int ok2 = sk_sync_apply(tq, &gb, 0, NW, now_b, &q2r, &created, &removed) ==
			  SK_SYNC_APPLIED && sk_conn_count(tq) == 0;
		SK_CHECK(tq != NULL && ok1 && ok2, "the retried delete removes the standby's entry");
		sk_conn_table_free(tq);
	}

	/* ---- dirty marks, on their own table (worker 1) ---- */
	test_dirty(sh, &ga, now_a);

	/* ---- bulk: a full lap on request, then bulk_done ---- */
	__atomic_store_n(&sh->bulk_seq, 5, __ATOMIC_RELEASE);
	got = 0;
	for (loops = 0; loops < 100 && __atomic_load_n(&sh->w[0].bulk_done, __ATOMIC_ACQUIRE) != 5;
	     loops++) {
		sk_sync_poll(sa, &ga, now_a, 1);
		got += drain(sh, 0, rec, SK_SYNC_RING_SIZE);
	}
	SK_CHECK(sh->w[0].bulk_done == 5 && got == sk_conn_count(ta),
		 "bulk lap: %u records = %u connections, done after %u loops", got,
		 sk_conn_count(ta), loops);

	/* ---- refresh: only connections that moved within a lap ---- */
	sh->sweep_ms = 1000;
	struct sk_conn *busy = find(ta, &q1, NULL);
	got = 0;
	for (uint32_t t = 1; t <= 60; t++) {   /* 3 s in 50 ms loops, well past the window */
		busy->last_ms = now_a + t * 50;
		sk_sync_poll(sa, &ga, now_a + t * 50, 1);
		n = drain(sh, 0, rec, SK_SYNC_RING_SIZE);
		if (t > 40)
			got += n;
	}
	SK_CHECK(got >= 1 && got <= 3, "refresh lap: only the busy connection, once a lap (%u in 1 s)",
		 got);

	/* ---- the apply loop through the in ring ---- */
	struct sk_sync_w *sb = sk_sync_worker_attach(1, tb1);

	attached[1] = sb;
	uint64_t ap0 = sh->w[1].ctr[SK_SYNC_CTR_APPLIED];
	struct sk_sync_rec in[3] = { plain_est, dn, fn };
	in[0].owner = 1;
	rte_ring_sp_enqueue_bulk_elem(sh->w[1].in, in, sizeof(in[0]), 3, NULL);
	sk_sync_poll(sb, &gb, now_b, 0);
	SK_CHECK(sh->w[1].ctr[SK_SYNC_CTR_APPLIED] == ap0 + 1 &&
		 sh->w[1].ctr[SK_SYNC_CTR_REFUSED] == 2 && sk_conn_count(tb1) == 1,
		 "in ring: its own applied, two of worker 0 refused");

	/* ---- figures: cycles a create costs with and without a record ---- */
	{
		struct sk_conn_table *tc = sk_conn_table_create("sync_c", 1 << 16, SOCKET_ID_ANY);
		struct sk_sync_w *sc = sk_sync_worker_attach(1, tc);

		attached[1] = sc;
		const unsigned int N = 8000;
		uint64_t cyc[2];

		static struct sk_conn_key keys[8000];
		static struct sk_pkt_meta qs[8000];
		uint8_t sia[8000];

		cyc[0] = cyc[1] = UINT64_MAX;
		for (i = 0; i < N; i++) {
			qs[i] = mk4(0x0b000000u + i, ip4("10.10.0.50"), 1024, 53, IPPROTO_UDP, 0);
			sk_conn_key_from_meta(&qs[i], &keys[i], &sia[i]);
		}
		/* warm (first touch of the table and ring pages), then the best of 20 each: a shared host is noisy */
		for (int round = 0; round < 42; round++) {
			int on = round & 1;
			uint64_t t0, dt;

			rte_ring_reset((struct rte_ring *)sh->w[1].out);
			sk_sync_poll(sc, &ga, now_a, (uint8_t)on);
			t0 = rte_rdtsc();
			for (i = 0; i < N; i++)
				(void)sk_conn_create(tc, &keys[i], sia[i], &qs[i], now_a, 1, 1);
			sk_sync_flush(sc);   /* the worker's next poll: part of the cost */
			dt = (rte_rdtsc() - t0) / N;
			if (round >= 2 && dt < cyc[on])
				cyc[on] = dt;
			if (round < 41) {
				sk_sync_poll(sc, &ga, now_a, 0);   /* deletes emit nothing */
				for (i = 0; i < N; i++)
					sk_conn_delete(tc, sk_conn_lookup(tc, &keys[i]));
			}
		}
		printf("# create: %lu cycles without sync, %lu with a record (%ld per record)\n",
		       (unsigned long)cyc[0], (unsigned long)cyc[1], (long)(cyc[1] - cyc[0]));
		SK_CHECK(rte_ring_count(sh->w[1].out) == N, "every create emitted");
		sk_conn_table_free(tc);
	}

	sk_conn_table_free(ta);
	sk_conn_table_free(tb);
	sk_conn_table_free(tb1);
	sk_lb_free(ga.lb);
	sk_lb_free(gb.lb);
	sk_sync_fini();
	return SK_TEST_DONE();
}
