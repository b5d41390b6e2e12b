/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_readmit.c - a packet handed to another worker across a commit
 * (issue 13: "processed with the sender's LB indices").
 *
 * Two workers, two generations of the same services in a different order:
 * generation 1 lists (a, b), generation 2 lists (b, a), so service and
 * backend indices mean the other service after the commit.  Worker 0 takes
 * a new client's SYN to service a's VIP under generation 1 and hands it to
 * worker 1 (the flow's owner by the client-endpoint hash); the commit lands;
 * worker 1 drains its handoff ring under generation 2.  The SYN must reach
 * a's backend (10.10.0.11:8080), not b's (10.10.0.12:9090) that a's old
 * index names in generation 2, and handoff_readmit counts it.
 *
 * Both workers run on this thread (sk_worker_burst / sk_worker_drain: the
 * loop's own steps), no PMD: the inside port's TX buffer is read back.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "sk_test.h"
#include "sk_test_eal.h"
#include "sk_test_pkt.h"
#include "cfg.h"
#include "sk_image_api.h"
#include "worker/dp.h"
#include "mbox/mbox.h"
#include "conn/conn.h"
#include "neigh/neigh.h"

struct sk_dp sk_dp;

#define N_IFACES 2
#define IF_OUT 0
#define IF_IN 1

#define CONF_HEAD \
	"dataplane = { lcores = \"0-2\"; workers = 2; hugepages = false; conn_max = 1024;\n" \
	"  frag_max = 16; tcp_loose = false; health_tap = \"\"; };\n" \
	"zones = ( \"outside\", \"inside\" );\n" \
	"interfaces = (\n" \
	"  { name = \"outside\"; zone = \"outside\"; mac = \"02:00:00:00:00:01\";\n" \
	"    device = \"net_null0\"; ipv4 = [ \"203.0.113.1/24\" ]; },\n" \
	"  { name = \"inside\"; zone = \"inside\"; mac = \"02:00:00:00:00:02\";\n" \
	"    device = \"net_null1\"; ipv4 = [ \"10.10.0.1/24\" ]; } );\n" \
	"neighbors = (\n" \
	"  { interface = \"outside\"; ip = \"203.0.113.10\"; mac = \"02:00:00:00:0a:0a\"; },\n" \
	"  { interface = \"inside\"; ip = \"10.10.0.11\"; mac = \"02:00:00:00:0b:0b\"; },\n" \
	"  { interface = \"inside\"; ip = \"10.10.0.12\"; mac = \"02:00:00:00:0b:0c\"; } );\n" \
	"policy = { default = \"drop\"; rules = (\n" \
	"  { name = \"to-web\"; from = \"outside\"; to = \"inside\"; proto = \"tcp\";\n" \
	"    action = \"accept\"; } ); };\n"
#define SVC_A \
	"  { name = \"a\"; vip = \"203.0.113.80\"; proto = \"tcp\"; port = \"80\";\n" \
	"    forward = \"dnat\"; health = { type = \"none\"; };\n" \
	"    backends = ( { name = \"a1\"; address = \"10.10.0.11\"; port = 8080; } ); }"
#define SVC_B \
	"  { name = \"b\"; vip = \"203.0.113.81\"; proto = \"tcp\"; port = \"80\";\n" \
	"    forward = \"dnat\"; health = { type = \"none\"; };\n" \
	"    backends = ( { name = \"b1\"; address = \"10.10.0.12\"; port = 9090; } ); }"

static const char conf_ab[] = CONF_HEAD "services = (\n" SVC_A ",\n" SVC_B "\n);\n";
static const char conf_ba[] = CONF_HEAD "services = (\n" SVC_B ",\n" SVC_A "\n);\n";

static void
tx_unsent(struct rte_mbuf **unsent, uint16_t count, void *arg)
{
	(void)arg;
	rte_pktmbuf_free_bulk(unsent, count);
}

static void *
compile(const char *text, size_t *len)
{
	struct sk_cfg_diag diag;
	struct sk_cfg *cfg;
	char err[256];
	void *img = NULL;

	sk_cfg_diag_init(&diag);
	cfg = sk_cfg_load_string(text, "test-readmit", &diag);
	if (cfg == NULL) {
		sk_cfg_diag_print(&diag, stderr);
		sk_cfg_diag_free(&diag);
		return NULL;
	}
	sk_cfg_diag_free(&diag);
	if (sk_cfg_image_build(cfg, &img, len, err, sizeof(err)) != 0) {
		fprintf(stderr, "# image: %s\n", err);
		img = NULL;
	}
	sk_cfg_free(cfg);
	return img;
}

static struct sk_gen *
generation(const char *text, uint64_t id, struct sk_gen *prev)
{
	char err[256];
	struct sk_gen *g;
	size_t len;
	void *img = compile(text, &len);

	if (img == NULL)
		return NULL;
	g = sk_gen_build(img, len, id, sk_dp.port_of_iface, 3, prev, sk_dp.qs, err, sizeof(err));
	if (g == NULL)
		fprintf(stderr, "# generation %llu: %s\n", (unsigned long long)id, err);
	free(img);
	return g;
}

static int
setup_dp(void)
{
	char err[256];
	uint16_t p, i;

	sk_dp.tsc_hz = rte_get_tsc_hz();
	sk_dp.tsc_per_ms = RTE_MAX(sk_dp.tsc_hz / 1000, (uint64_t)1);
	if (sk_mbox_init(err, sizeof(err)) != 0) {
		fprintf(stderr, "# %s\n", err);
		return -1;
	}
	sk_dp.pool = rte_pktmbuf_pool_create("t_ra_pool", 1023, 0, SK_PKT_PRIV_SIZE,
					     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	sk_dp.exc_ring = rte_ring_create("t_ra_exc", 256, SOCKET_ID_ANY,
					 RING_F_MP_RTS_ENQ | RING_F_SC_DEQ);
	sk_dp.qs = rte_zmalloc("t_ra_qs", rte_rcu_qsbr_get_memsize(2), RTE_CACHE_LINE_SIZE);
	if (sk_dp.pool == NULL || sk_dp.exc_ring == NULL || sk_dp.qs == NULL ||
	    rte_rcu_qsbr_init(sk_dp.qs, 2) != 0)
		return -1;
	sk_dp.neigh = sk_neigh_create("t_ra_neigh", 64, sk_dp.qs, SOCKET_ID_ANY);
	if (sk_dp.neigh == NULL)
		return -1;
	sk_dp.n_workers = 2;
	sk_dp.n_ports = N_IFACES;
	sk_dp.hc_port = UINT16_MAX;
	for (p = 0; p < N_IFACES; p++) {
		sk_dp.port_of_iface[p] = p;
		sk_dp.iface_of_port[p] = p;
		sk_dp.nb_rxq[p] = 2;
	}
	for (i = 0; i < 2; i++) {
		struct sk_worker *w = &sk_dp.workers[i];
		char name[32];

		w->idx = i;
		w->stats = &sk_dp.stats[i];
		w->log_ring = sk_dp.ctl->log_ring;
		snprintf(name, sizeof(name), "t_ra_ho%u", i);
		w->handoff = rte_ring_create(name, 64, SOCKET_ID_ANY, RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "t_ra_conn%u", i);
		w->conns = sk_conn_table_create(name, 1024, SOCKET_ID_ANY);
		if (w->handoff == NULL || w->conns == NULL)
			return -1;
	}
	return 0;
}

/* The static neighbour entries of an image, as sekisho-dp loads them. */
static int
load_neighbours(const char *text)
{
	const struct sk_img_neigh *ne;
	uint32_t n, i;
	size_t len;
	void *img = compile(text, &len);

	if (img == NULL)
		return -1;
	ne = sk_image_sec(img, SK_SEC_NEIGHS, &n);
	for (i = 0; i < n; i++) {
		struct rte_ether_addr mac;

		memcpy(mac.addr_bytes, ne[i].mac, 6);
		if (sk_neigh_update(sk_dp.neigh, ne[i].iface, ne[i].family, ne[i].ip, &mac,
				    SK_NEIGH_STATIC, 0) != 0) {
			free(img);
			return -1;
		}
	}
	free(img);
	return 0;
}

static int
prepare_worker(struct sk_worker *w, const struct sk_gen *g)
{
	uint16_t p;

	sk_conn_set_timeouts(w->conns, g->st->timeouts);
	if (sk_worker_prepare(w) != 0)
		return -1;
	for (p = 0; p < N_IFACES; p++) {
		w->txb[p] = rte_zmalloc("t_ra_txb", RTE_ETH_TX_BUFFER_SIZE(SK_BURST_MAX), 0);
		if (w->txb[p] == NULL)
			return -1;
		rte_eth_tx_buffer_init(w->txb[p], SK_BURST_MAX);
		rte_eth_tx_buffer_set_err_callback(w->txb[p], tx_unsent, NULL);
	}
	w->now_ms = 1000000;
	w->err_ms = w->now_ms;
	w->err_tokens = 200;
	return 0;
}

static struct rte_mbuf *
syn(uint16_t sport)
{
	struct pb_spec s = { .family = 4, .src = "203.0.113.10", .dst = "203.0.113.80",
			     .proto = IPPROTO_TCP, .tcp_flags = 0x02, .sport = sport, .dport = 80 };
	static struct pb_pkt pk;
	struct rte_mbuf *m = rte_pktmbuf_alloc(sk_dp.pool);
	char *d;

	if (m == NULL)
		return NULL;
	pb_build(&s, &pk);
	memset(sk_pkt_meta(m), 0, sizeof(struct sk_pkt_meta));
	m->port = sk_dp.port_of_iface[IF_OUT];
	d = rte_pktmbuf_append(m, pk.len);
	if (d == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(d, pk.b, pk.len);
	return m;
}

static void
flush_tx(struct sk_worker *w)
{
	uint16_t p;

	for (p = 0; p < N_IFACES; p++) {
		rte_pktmbuf_free_bulk(w->txb[p]->pkts, w->txb[p]->length);
		w->txb[p]->length = 0;
	}
}

int
main(int argc __rte_unused, char **argv)
{
	struct sk_worker *w0 = &sk_dp.workers[0], *w1 = &sk_dp.workers[1];
	struct sk_gen *g1, *g2;
	uint16_t sport, got;
	int handed = 0;

	if (sk_test_eal_init(argv[0]) < 0) {
		printf("not ok 1 - EAL init\n");
		return 1;
	}
	SK_CHECK(setup_dp() == 0, "dataplane pieces (pool, rings, tables, QSBR)");
	SK_CHECK(load_neighbours(conf_ab) == 0, "static neighbours");
	g1 = generation(conf_ab, 1, NULL);
	SK_CHECK(g1 != NULL, "generation 1: services (a, b)");
	if (g1 == NULL)
		return SK_TEST_DONE();
	__atomic_store_n(&sk_dp.gen, g1, __ATOMIC_RELEASE);
	SK_CHECK(prepare_worker(w0, g1) == 0 && prepare_worker(w1, g1) == 0, "two workers");

	/* A client port whose flow worker 1 owns: worker 0 hands the SYN over. */
	for (sport = 40000; sport < 40200 && !handed; sport++) {
		struct rte_mbuf *m = syn(sport);
		uint64_t out0 = w0->stats->handoff_out;

		if (m == NULL)
			break;
		sk_worker_burst(w0, g1, sk_dp.port_of_iface[IF_OUT], IF_OUT, &m, 1, rte_rdtsc());
		handed = w0->stats->handoff_out == out0 + 1;
		flush_tx(w0);
	}
	SK_CHECK(handed, "worker 0 hands a SYN to service a's VIP to worker 1 (client port %u)",
		 (unsigned int)(sport - 1));
	SK_CHECK(w0->txb[IF_IN]->length == 0, "worker 0 sent nothing towards the servers itself");

	/* The commit lands before worker 1 drains: same services, other order. */
	g2 = generation(conf_ba, 2, g1);
	SK_CHECK(g2 != NULL, "generation 2: services (b, a)");
	if (g2 == NULL) {
		sk_gen_free(g1);
		return SK_TEST_DONE();
	}
	__atomic_store_n(&sk_dp.gen, g2, __ATOMIC_RELEASE);

	got = sk_worker_drain(w1, g2);
	SK_CHECK(got == 1, "worker 1 drains the handed-over SYN under generation 2 (%u)", got);
	SK_CHECK(w1->stats->handoff_readmit == 1, "counted as handoff_readmit (%llu)",
		 (unsigned long long)w1->stats->handoff_readmit);
	SK_CHECK(w1->txb[IF_IN]->length == 1, "one packet towards the servers (%u)",
		 (unsigned int)w1->txb[IF_IN]->length);
	if (w1->txb[IF_IN]->length == 1) {
		struct rte_mbuf *m = w1->txb[IF_IN]->pkts[0];
		const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
			sizeof(struct rte_ether_hdr));
		const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)(ip + 1);
		char dst[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &ip->dst_addr, dst, sizeof(dst));
		SK_CHECK(strcmp(dst, "10.10.0.11") == 0 && rte_be_to_cpu_16(th->dst_port) == 8080,
			 "the SYN goes to service a's backend 10.10.0.11:8080 (got %s:%u)", dst,
			 rte_be_to_cpu_16(th->dst_port));
	}
	flush_tx(w1);
	__atomic_store_n(&sk_dp.gen, NULL, __ATOMIC_RELEASE);
	sk_gen_free(g2);
	sk_gen_free(g1);
	return SK_TEST_DONE();
}
