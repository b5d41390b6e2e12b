/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp.h - the running dataplane: ports, pool, workers, the published
 * generation, the slow-path ring and the neighbour cache.
 *
 * Who writes what:
 *  - sk_dp.gen: the main lcore, one atomic store per commit; workers load it
 *    once per burst and report a QSBR quiescent state between bursts.
 *  - struct sk_worker: its own lcore only (counters, tables, TX buffers);
 *    the main lcore asks it for anything through its command ring (cmds).
 *  - neighbour cache: main lcore writes, workers read (see neigh.h).
 *  - exc_ring: workers enqueue (multi-producer), main dequeues.
 *  - TX queues: only workers touch them (queue id = worker idx), so a device
 *    needs no more TX queues than workers; the main lcore's packets (ARP/ND,
 *    packets that waited for a next hop) go through worker 0's main_tx ring.
 */
#ifndef SK_DP_H
#define SK_DP_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "sk_image.h"
#include "sk_shm.h"
#include "gen/gen.h"
#include "stats/stats.h"
#include "wcmd/wcmd.h"
#include "synproxy/synproxy_w.h"

#define SK_MAX_WORKERS 64
#define SK_BURST_MAX 64

struct sk_conn_table;
struct sk_srclim;
struct sk_top;
struct sk_frag;
struct sk_neigh;
struct sk_nat_rss;
struct sk_sync_w;

struct sk_worker {
	unsigned int lcore_id;
	uint16_t idx;                 /* RX/TX queue id and stats slot */
	uint16_t n_rxp;               /* (port, queue) pairs polled */
	struct {
		uint16_t port;
		uint16_t iface;
	} rxp[SK_MAX_IFACES];
	struct sk_conn_table *conns;
	struct sk_frag *frag;
	struct sk_srclim *srclim;     /* per-source limits (limit/srclim.h); NULL: none */
	struct sk_top *top;           /* heavy hitters (limit/top.h); NULL: none */
	struct rte_eth_dev_tx_buffer *txb[RTE_MAX_ETHPORTS];
	struct rte_ring *main_tx;     /* main lcore -> this worker: packets to send (m->port) */
	struct rte_ring *handoff;     /* other workers -> this one: packets of its flows (MP/SC) */
	const struct sk_nat_rss *nat_rss; /* how the ports' RSS spreads replies (NULL: unknown) */
	const struct sk_gen *cur_gen; /* generation of the current loop iteration */
	struct sk_stats_lcore *stats;
	struct sk_wcmd_port cmds;     /* main lcore -> this worker: commands (wcmd.h) */
	struct rte_ring *log_ring;
	uint32_t now_ms;
	uint32_t err_ms;               /* ICMP error/RST token bucket refill clock */
	uint32_t err_tokens;
	uint8_t ha_fence;             /* HA: not active this loop (ha/ha_dp.h sk_ha_fence) */
	struct sk_sync_w *sync;       /* HA connection sync (sync/sync.h); NULL: standalone */
	struct sk_synproxy_w sp;      /* SYN proxy keys and automatic mode (synproxy/synproxy_dp.h) */
} __rte_cache_aligned;

struct sk_dp {
	struct sk_gen *gen;           /* current generation (atomic load/store) */
	struct rte_mempool *pool;
	struct rte_ring *exc_ring;    /* workers -> main lcore: ARP, ND, unresolved */
	struct sk_neigh *neigh;
	struct rte_rcu_qsbr *qs;      /* one thread id per worker */
	uint16_t n_workers;
	uint16_t n_ports;
	uint16_t port_of_iface[SK_MAX_IFACES];
	uint16_t iface_of_port[RTE_MAX_ETHPORTS];
	uint16_t nb_rxq[RTE_MAX_ETHPORTS];
	uint16_t hc_port;             /* the health-check tap (hctap.h), UINT16_MAX = none */
	char hc_ifname[16];           /* its kernel name */
	struct sk_nat_rss *nat_rss;   /* shared by the workers, read-only */
	uint64_t tsc_hz;
	uint64_t tsc_per_ms;
	volatile bool quit;
	struct sk_worker workers[SK_MAX_WORKERS];
	/* [n_workers] = main lcore; in a memzone the control plane can read */
	struct sk_stats_lcore *stats;
	struct sk_shm_ctl *ctl;       /* control block shared with sekisho-cp */
};

extern struct sk_dp sk_dp;

static inline uint32_t
sk_dp_now_ms(void)
{
	return (uint32_t)(rte_rdtsc() / sk_dp.tsc_per_ms);
}

static inline struct sk_gen *
sk_dp_gen(void)
{
	return __atomic_load_n(&sk_dp.gen, __ATOMIC_ACQUIRE);
}

/* Worker lcore entry point (rte_eal_remote_launch). */
int sk_worker_main(void *arg);

/* sk_worker_main without its loop, for callers that feed a worker mbufs
 * themselves (the pipeline fuzz harness): worker_init (0 or -ENOMEM), then
 * one received burst of n <= SK_BURST_MAX packets on (port, iface) through
 * the same pipeline as the loop.  The caller sets w->now_ms. */
int sk_worker_prepare(struct sk_worker *w) __attribute__((warn_unused_result));
void sk_worker_burst(struct sk_worker *w, const struct sk_gen *g, uint16_t port, uint16_t iface,
		     struct rte_mbuf **pkts, uint16_t n, uint64_t tsc);
/* The loop's handoff step alone: packets other workers handed to w, under g. */
uint16_t sk_worker_drain(struct sk_worker *w, const struct sk_gen *g);

/* Main lcore tasks (slowpath.c, run by dataplane/mainloop.c); each returns
 * the packets it handled. */
unsigned int sk_slow_poll(const struct sk_gen *g, uint32_t now_ms);      /* exc_ring */
unsigned int sk_slow_tap_poll(const struct sk_gen *g, uint32_t now_ms);  /* health-check tap */
unsigned int sk_slow_tick(const struct sk_gen *g, uint32_t now_ms);      /* neighbour timers */
/* At exit: packets still waiting for a next hop are dropped. */
void sk_slow_fini(void);

/* Worker: send one locally generated packet now on (port, queue);
 * frees it and counts tx_failed if the queue is full. */
void sk_dp_tx_one(struct sk_stats_lcore *st, uint16_t port, uint16_t queue, struct rte_mbuf *m);

/* Main lcore: have worker 0 send m on port (counts tx_failed if its ring is full). */
void sk_dp_main_tx(struct sk_stats_lcore *st, uint16_t port, struct rte_mbuf *m);

#endif /* SK_DP_H */
