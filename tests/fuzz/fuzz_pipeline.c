/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_pipeline.c - libFuzzer target "pipeline": a pcap-like stream of
 * frames through a worker's whole per-burst pipeline (sk_worker_burst: parse,
 * admit, fragments, routing, connection lookup, load balancer, NAT, ACL,
 * local answers, ICMP errors, forwarding and refragmentation), as
 * sekisho-dp runs it, but without a PMD.
 *
 * One generation is built at start from the config of fuzz_unit_conf.h,
 * compiled by control/config exactly as sekisho-cp would.
 *
 * Input: records of [ctl u8][len u16][frame]: ctl bits 0-1 the interface the
 * frame arrives on (3 = outside), bit 2 ends the burst after it, bits 3-7
 * (v) advance the worker's clock by v^3 * 10 ms before it (up to ~5 min, so
 * connection timeouts and fragment expiry happen).  Bursts hold at most 32
 * frames, on one interface each, as a PMD queue delivers them.
 *
 * Each input starts from empty tables (connections deleted through the real
 * release hook, so load-balancer and SNAT state is returned too; a fresh
 * fragment table) so that a crash replays from its input alone.  After each
 * input every mbuf must be back in the pool: a packet that leaves through
 * no door (transmitted, consumed, handed to the slow path, dropped) is a
 * leak the harness reports.
 */
#include "fuzz_common.h"
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_ring_elem.h>

#include "cfg.h"
#include "sk_image_api.h"
#include "sk_logrec.h"
#include "worker/dp.h"
#include "mbox/mbox.h"
#include "conn/conn.h"
#include "frag/frag.h"
#include "neigh/neigh.h"
#include "fuzz_unit_conf.h"

struct sk_dp sk_dp;

#define POOL_N 8192
#define BURST 32
#define MAX_RECORDS 256
#define N_IFACES 3


static struct sk_worker *w;
static struct sk_gen *gen;
static struct sk_img_settings settings; /* a copy: the image is freed after init */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A full TX buffer (more than a burst's worth, as refragmentation makes)
 * goes to the ports' dummy burst function, which sends nothing: freed here. */
static void
tx_unsent(struct rte_mbuf **unsent, uint16_t count, void *arg)
{
	(void)arg;
	rte_pktmbuf_free_bulk(unsent, count);
}

static void *
compile(size_t *len)
{
	struct sk_cfg_diag diag;
	struct sk_cfg *cfg;
	char err[256];
	void *img = NULL;

	sk_cfg_diag_init(&diag);
	cfg = sk_cfg_load_string(fuzz_unit_conf, "fuzz-pipeline", &diag);
	if (cfg == NULL) {
		sk_cfg_diag_print(&diag, stderr);
		abort();
	}
	sk_cfg_diag_free(&diag);
	if (sk_cfg_image_build(cfg, &img, len, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz: image: %s\n", err);
		abort();
	}
	sk_cfg_free(cfg);
	return img;
}

static void
setup_neigh(const void *img)
{
	const struct sk_img_neigh *ne;
	uint32_t n, i;

	sk_dp.qs = rte_zmalloc("fz_qsbr", rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	if (sk_dp.qs == NULL || rte_rcu_qsbr_init(sk_dp.qs, 1) != 0)
		abort();
	sk_dp.neigh = sk_neigh_create("fz_neigh", settings.neigh_max, sk_dp.qs, SOCKET_ID_ANY);
	if (sk_dp.neigh == NULL)
		abort();
	ne = sk_image_sec(img, SK_SEC_NEIGHS, &n);
	for (i = 0; i < n; i++) {
		struct rte_ether_addr mac;

		memcpy(mac.addr_bytes, ne[i].mac, 6);
		if (sk_neigh_update(sk_dp.neigh, ne[i].iface, ne[i].family, ne[i].ip, &mac,
				    SK_NEIGH_STATIC, 0) != 0)
			abort();
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];
	size_t len;
	void *img;
	uint16_t p;

	(void)argc;
	fuzz_eal_init((*argv)[0]);
	img = compile(&len);
	settings = *sk_image_settings(img);
	sk_dp.tsc_hz = rte_get_tsc_hz();
	sk_dp.tsc_per_ms = RTE_MAX(sk_dp.tsc_hz / 1000, (uint64_t)1);
	if (sk_mbox_init(err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz: %s\n", err);
		abort();
	}
	sk_dp.pool = rte_pktmbuf_pool_create("fz_pool", POOL_N, 0, SK_PKT_PRIV_SIZE,
					     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	sk_dp.exc_ring = rte_ring_create("fz_exc", 4096, SOCKET_ID_ANY,
					 RING_F_MP_RTS_ENQ | RING_F_SC_DEQ);
	if (sk_dp.pool == NULL || sk_dp.exc_ring == NULL)
		abort();
	sk_dp.n_workers = 1;
	sk_dp.n_ports = N_IFACES;
	sk_dp.hc_port = UINT16_MAX;
	for (p = 0; p < N_IFACES; p++) {
		sk_dp.port_of_iface[p] = p;
		sk_dp.iface_of_port[p] = p;
		sk_dp.nb_rxq[p] = 1;
	}
	w = &sk_dp.workers[0];
	w->idx = 0;
	w->stats = &sk_dp.stats[0];
	w->log_ring = sk_dp.ctl->log_ring;
	setup_neigh(img);
	gen = sk_gen_build(img, len, 1, sk_dp.port_of_iface, 2, NULL, sk_dp.qs, err, sizeof(err));
	if (gen == NULL) {
		fprintf(stderr, "fuzz: generation: %s\n", err);
		abort();
	}
	__atomic_store_n(&sk_dp.gen, gen, __ATOMIC_RELEASE);
	w->conns = sk_conn_table_create("fz_conn", settings.conn_max, SOCKET_ID_ANY);
	if (w->conns == NULL)
		abort();
	sk_conn_set_timeouts(w->conns, settings.timeouts);
	if (sk_worker_prepare(w) != 0)
		abort();
	/* No DPDK port exists: the TX buffers of the generation's ports are
	 * ours, and their bursts go to ethdev's dummy function. */
	for (p = 0; p < N_IFACES; p++) {
		w->txb[p] = rte_zmalloc("fz_txb", RTE_ETH_TX_BUFFER_SIZE(SK_BURST_MAX), 0);
		if (w->txb[p] == NULL)
			abort();
		rte_eth_tx_buffer_init(w->txb[p], SK_BURST_MAX);
		rte_eth_tx_buffer_set_err_callback(w->txb[p], tx_unsent, NULL);
	}
	free(img);
	return 0;
}

/* What the loop does after its bursts: the transmit buffers go out (here:
 * freed, there is no wire), the connection table ages a little. */
static void
after_burst(void)
{
	uint16_t p;

	for (p = 0; p < N_IFACES; p++) {
		rte_pktmbuf_free_bulk(w->txb[p]->pkts, w->txb[p]->length);
		w->txb[p]->length = 0;
	}
	sk_conn_age(w->conns, w->now_ms, 32);
}

static int
delete_conn(const struct sk_conn *c, void *arg)
{
	sk_conn_delete(arg, (struct sk_conn *)(uintptr_t)c);
	return 0;
}

/* Back to empty tables between inputs. */
static void
reset(void)
{
	struct sk_logrec rec[64];
	struct rte_mbuf *m;

	(void)sk_conn_walk(w->conns, delete_conn, w->conns);
	FUZZ_ASSERT(sk_conn_count(w->conns) == 0 && sk_conn_slots_used(w->conns) == 0,
		    "%u connections, %u slots left after deleting all",
		    sk_conn_count(w->conns), sk_conn_slots_used(w->conns));
	while (rte_ring_dequeue(sk_dp.exc_ring, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	while (rte_ring_dequeue_burst_elem(w->log_ring, rec, sizeof(rec[0]), RTE_DIM(rec),
					   NULL) != 0)
		;
	sk_frag_free(w->frag);
	w->frag = NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size, 0 };
	struct rte_mbuf *burst[BURST];
	uint64_t tsc = rte_rdtsc();
	uint16_t n = 0, iface = 0;
	unsigned int rec;

	w->frag = sk_frag_create(settings.frag_max, settings.frag_timeout_ms, SOCKET_ID_ANY);
	if (w->frag == NULL)
		abort();
	w->now_ms = 1000000;
	w->err_ms = w->now_ms;
	w->err_tokens = 200;
	for (rec = 0; rec < MAX_RECORDS && fuzz_left(&in) > 0; rec++) {
		uint8_t ctl = fuzz_u8(&in), v = ctl >> 3;
		uint16_t want = fuzz_u16(&in);
		uint16_t at = (ctl & 3) == 3 ? 0 : ctl & 3;
		uint32_t adv = (uint32_t)v * v * v * 10;
		size_t len;
		const uint8_t *frame = fuzz_bytes(&in, RTE_MIN(want, RTE_MBUF_DEFAULT_DATAROOM),
						  &len);
		struct rte_mbuf *m;

		/* A burst is one interface's and one moment's. */
		if (n != 0 && (at != iface || adv != 0)) {
			sk_worker_burst(w, gen, iface, iface, burst, n, tsc);
			after_burst();
			n = 0;
		}
		w->now_ms += adv;
		tsc += (uint64_t)adv * sk_dp.tsc_per_ms;
		iface = at;
		m = fuzz_mbuf(sk_dp.pool, frame, len, 0, iface);
		if (m == NULL)
			continue;
		burst[n++] = m;
		if (n == BURST || (ctl & 4)) {
			sk_worker_burst(w, gen, iface, iface, burst, n, tsc);
			after_burst();
			n = 0;
		}
	}
	if (n != 0) {
		sk_worker_burst(w, gen, iface, iface, burst, n, tsc);
		after_burst();
	}
	reset();
	FUZZ_ASSERT(rte_mempool_avail_count(sk_dp.pool) == POOL_N,
		    "%u of %u mbufs not back in the pool: a packet left through no door",
		    POOL_N - rte_mempool_avail_count(sk_dp.pool), POOL_N);
	return 0;
}
