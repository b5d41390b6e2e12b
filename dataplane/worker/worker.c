/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * worker.c - a worker lcore's loop: per iteration the generation and HA
 * fence, HA sync, the handoff ring, an RX burst per (port, queue) through
 * the pipeline (worker_admit.c, worker_flow.c), the main lcore's packets,
 * TX flushes, the command ring within a budget, connection aging, fragment
 * timeouts, the RCU quiescent state and an optional nap when idle.  Also
 * the loop's pieces for callers without a PMD (tests, fuzz, benches).  Run
 * to completion: no locks, no syscalls, no allocation but mbufs, no logging.
 * Every packet leaves through exactly one door: transmitted (forwarded),
 * consumed by the unit, handed to the main lcore or another worker, or
 * dropped under a named reason.
 */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "worker_priv.h"
#include "ha/ha_dp.h"
#include "conn/conn.h"
#include "sync/sync.h"
#include "wlimit.h"
#include "synproxy/synproxy_dp.h"

static void
tx_drop_cb(struct rte_mbuf **unsent, uint16_t count, void *userdata)
{
	struct sk_stats_lcore *st = userdata;

	st->drops[SK_DROP_TX_FULL] += count;
	st->forwarded -= count;
	rte_pktmbuf_free_bulk(unsent, count);
}

void
sk_dp_tx_one(struct sk_stats_lcore *st, uint16_t port, uint16_t queue, struct rte_mbuf *m)
{
	if (rte_eth_tx_burst(port, queue, &m, 1) != 1) {
		st->local[SK_LOCAL_TX_FAILED]++;
		rte_pktmbuf_free(m);
	}
}

void
sk_dp_main_tx(struct sk_stats_lcore *st, uint16_t port, struct rte_mbuf *m)
{
	m->port = port;
	if (rte_ring_sp_enqueue(sk_dp.workers[0].main_tx, m) != 0) {
		st->local[SK_LOCAL_TX_FAILED]++;
		rte_pktmbuf_free(m);
	}
}

/* Send what the main lcore queued for this worker's TX queues. */
static void
drain_main_tx(struct sk_worker *w)
{
	struct rte_mbuf *m[32];
	unsigned int n, i;

	if (w->main_tx == NULL)
		return;
	n = rte_ring_sc_dequeue_burst(w->main_tx, (void **)m, RTE_DIM(m), NULL);
	for (i = 0; i < n; i++)
		sk_dp_tx_one(&sk_dp.stats[sk_dp.n_workers], m[i]->port, w->idx, m[i]);
}

static int
worker_init(struct sk_worker *w)
{
	uint16_t p;

	for (p = 0; p < RTE_MAX_ETHPORTS; p++) {
		if (!rte_eth_dev_is_valid_port(p))
			continue;
		w->txb[p] = rte_zmalloc_socket("sk_txb", RTE_ETH_TX_BUFFER_SIZE(SK_BURST_MAX), 0,
					       (int)rte_socket_id());
		if (w->txb[p] == NULL)
			return -ENOMEM;
		rte_eth_tx_buffer_init(w->txb[p], SK_BURST_MAX);
		rte_eth_tx_buffer_set_err_callback(w->txb[p], tx_drop_cb, w->stats);
	}
	w->err_tokens = ERR_TOKENS_MAX;
	w->nat_rss = sk_dp.nat_rss;
	sk_synproxy_worker_init(w);
	sk_conn_set_release(w->conns, sk_wlimit_release, w);
	/* HA pair: connection events become sync records (a table hook). */
	w->sync = sk_sync_worker_attach(w->idx, w->conns);
	return 0;
}

int
sk_worker_main(void *arg)
{
	struct sk_worker *w = arg;
	struct rte_mbuf *pkts[SK_BURST_MAX];
	uint16_t i, p, n;
	uint64_t t0, t1;
	uint32_t idle = 0, got;

	if (worker_init(w) != 0)
		return -ENOMEM;
	rte_rcu_qsbr_thread_register(sk_dp.qs, w->idx);
	rte_rcu_qsbr_thread_online(sk_dp.qs, w->idx);
	while (!__atomic_load_n(&sk_dp.quit, __ATOMIC_RELAXED)) {
		const struct sk_gen *g = sk_dp_gen();
		uint16_t burst = (uint16_t)g->st->burst;

		w->now_ms = sk_dp_now_ms();
		w->cur_gen = g;
		w->ha_fence = sk_ha_fence(g);
		if (unlikely(w->sync != NULL))
			sk_sync_poll(w->sync, g, w->now_ms, g->ha != NULL && !w->ha_fence);
		got = sk_worker_handoff_drain(w, g);
		for (i = 0; i < w->n_rxp; i++) {
			p = w->rxp[i].port;
			n = rte_eth_rx_burst(p, w->idx, pkts, burst);
			if (n == 0)
				continue;
			got += n;
			t0 = rte_rdtsc();
			sk_worker_process_burst(w, g, p, w->rxp[i].iface, pkts, n, t0);
			/* SYN proxy answers leave with their burst (synproxy_dp.h). */
			if (unlikely(w->sp.tx_pending))
				sk_synproxy_flush(w, p);
			t1 = rte_rdtsc();
			w->stats->busy_cycles += t1 - t0;
			w->stats->busy_pkts += n;
		}
		drain_main_tx(w);
		for (p = 0; p < RTE_MAX_ETHPORTS; p++)
			if (w->txb[p] != NULL)
				rte_eth_tx_buffer_flush(p, w->idx, w->txb[p]);
		if (unlikely(sk_wcmd_pending(&w->cmds))) {
			struct sk_wcmd_ctx ctx = { .conns = w->conns, .now_ms = w->now_ms,
						   .worker = w->idx };

			/* A budget per loop: no command stalls the queues. */
			got += sk_wcmd_poll(&w->cmds, &ctx, SK_WCMD_BUDGET);
		}
		sk_conn_age(w->conns, w->now_ms, 32);
		if (w->top != NULL)
			sk_top_tick(w->top, w->now_ms, w->stats->drops);
		uint32_t expired = sk_frag_expire(w->frag);
		w->stats->drops[SK_DROP_FRAG_TIMEOUT] += expired;
		/* Between bursts this worker holds no reference to a generation. */
		rte_rcu_qsbr_quiescent(sk_dp.qs, w->idx);
		/* Optional nap when idle, for units that share their cores (a lab
		 * VM): never taken while traffic flows, so throughput is unchanged. */
		idle = got != 0 ? 0 : idle + 1;
		if (unlikely(idle >= 256 && g->st->idle_sleep_us != 0)) {
			rte_delay_us_sleep(g->st->idle_sleep_us);
			idle = 0;
		}
	}
	/* The final ledger (stats file, last telemetry) must account for
	 * fragments still waiting for their datagram: timed out ones under
	 * their own reason, the rest as held at stop. */
	w->stats->drops[SK_DROP_FRAG_TIMEOUT] += sk_frag_expire(w->frag);
	w->stats->drops[SK_DROP_FRAG_HELD_AT_STOP] += sk_frag_flush(w->frag);
	w->cur_gen = NULL;
	rte_rcu_qsbr_thread_offline(sk_dp.qs, w->idx);
	rte_rcu_qsbr_thread_unregister(sk_dp.qs, w->idx);
	for (p = 0; p < RTE_MAX_ETHPORTS; p++)
		rte_free(w->txb[p]);
	return 0;
}

/*
 * The loop's pieces without the loop and without a PMD, for code that hands
 * a worker mbufs itself (tests/fuzz/fuzz_pipeline.c): the same init and the
 * same burst function sk_worker_main runs.  The caller owns the clock
 * (w->now_ms), the TX buffers of ports that are not real DPDK ports, and
 * what lands on the slow-path ring.
 */
int
sk_worker_prepare(struct sk_worker *w)
{
	int rc = sk_synproxy_dp_init();

	return rc != 0 ? rc : worker_init(w);
}

void
sk_worker_burst(struct sk_worker *w, const struct sk_gen *g, uint16_t port, uint16_t iface,
		struct rte_mbuf **pkts, uint16_t n, uint64_t tsc)
{
	w->cur_gen = g;
	w->ha_fence = sk_ha_fence(g);
	sk_worker_process_burst(w, g, port, iface, pkts, n, tsc);
}

/* The loop's handoff step alone (tests/unit/test_readmit.c: a commit lands
 * between the sender's admission and this drain). */
uint16_t
sk_worker_drain(struct sk_worker *w, const struct sk_gen *g)
{
	w->cur_gen = g;
	w->ha_fence = sk_ha_fence(g);
	return sk_worker_handoff_drain(w, g);
}
