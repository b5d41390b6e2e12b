/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c - sekisho-dp, the dataplane process (DPDK primary).
 *
 *   sekisho-dp --image FILE [--stats-file FILE] [--unit N] [--ha-role R] [-- EAL args...]
 *
 * EAL arguments come from the image's dataplane settings (lcores, memory,
 * file prefix, devices); anything after "--" is appended for the operator's
 * own needs.  Start-up is an ordered table of steps; teardown runs the
 * completed steps' undo in reverse order.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pdump.h>

#include "sk_image_api.h"
#include "worker/dp.h"
#include "port/port.h"
#include "conn/conn.h"
#include "frag/frag.h"
#include "limit/srclim.h"
#include "limit/top.h"
#include "neigh/neigh.h"
#include "stats/stats_report.h"
#include "mbox/mbox.h"
#include "mainloop.h"
#include "nat/nat.h"
#include "hctap/hctap.h"
#include "ha/ha_dp.h"
#include "sync/sync.h"
#include "synproxy/synproxy_dp.h"

struct sk_dp sk_dp;

static struct {
	const char *image_path;
	const char *stats_path;
	void *image;
	size_t image_len;
	const struct sk_img_settings *st;
	int unit;                 /* HA unit id, 0 = not given */
	int ha_role;              /* --ha-role: enum sk_ha_role, -1 = INIT */
	const char *lcores;       /* settings.lcores or the HA unit's override */
	const char *file_prefix;
	int n_eal_extra;
	char **eal_extra;
} opt;

static char errbuf[512];

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: sekisho-dp --image FILE [--stats-file FILE] [--unit N] [--ha-role R]"
		    " [-- EAL args...]\n"
		    "  --image FILE       config image made by 'sekisho-cp --compile'\n"
		    "  --stats-file FILE  write all counters as JSON here on exit\n"
		    "  --unit N           HA unit id, 1 or 2 (default: " SK_HA_UNIT_FILE ")\n"
		    "  --ha-role R        HA: start in role R (active|standby) instead of init;\n"
		    "                     a test/lab aid, sekisho-cp's wish overrides it\n");
}

static int
parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "image", required_argument, NULL, 'i' },
		{ "stats-file", required_argument, NULL, 's' },
		{ "unit", required_argument, NULL, 'u' },
		{ "ha-role", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opt.ha_role = -1;
	while ((c = getopt_long(argc, argv, "i:s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			opt.image_path = optarg;
			break;
		case 's':
			opt.stats_path = optarg;
			break;
		case 'u':
			if (strcmp(optarg, "1") != 0 && strcmp(optarg, "2") != 0) {
				fprintf(stderr, "sekisho-dp: --unit must be 1 or 2\n");
				return -EINVAL;
			}
			opt.unit = optarg[0] - '0';
			break;
		case 'r':
			if (strcmp(optarg, "active") == 0) {
				opt.ha_role = SK_HA_ROLE_ACTIVE;
			} else if (strcmp(optarg, "standby") == 0) {
				opt.ha_role = SK_HA_ROLE_STANDBY;
			} else {
				fprintf(stderr, "sekisho-dp: --ha-role must be active or standby\n");
				return -EINVAL;
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (opt.image_path == NULL) {
		usage(stderr);
		return -EINVAL;
	}
	opt.n_eal_extra = argc - optind;
	opt.eal_extra = argv + optind;
	return 0;
}

static int
is_pci_addr(const char *dev)
{
	unsigned int d, b, s, f;
	char tail;

	return sscanf(dev, "%x:%x:%x.%x%c", &d, &b, &s, &f, &tail) >= 4 ||
	       sscanf(dev, "%x:%x.%x%c", &b, &s, &f, &tail) >= 3;
}

/* ---- start-up steps ---- */

static int
step_image(void)
{
	const struct sk_img_ha *ha;
	uint32_t nha;

	opt.image = sk_image_load_file(opt.image_path, &opt.image_len, errbuf, sizeof(errbuf));
	if (opt.image == NULL)
		return -EINVAL;
	opt.st = sk_image_settings(opt.image);
	opt.lcores = opt.st->lcores;
	opt.file_prefix = opt.st->file_prefix;
	ha = sk_image_sec(opt.image, SK_SEC_HA, &nha);
	if (nha == 0)
		return 0; /* standalone: --unit and the unit file do not matter */
	if (opt.unit == 0)
		opt.unit = sk_ha_unit_from_file();
	if (opt.unit != 1 && opt.unit != 2) {
		snprintf(errbuf, sizeof(errbuf), "%s is an HA image (cluster \"%s\"): this unit's "
			 "id is needed: --unit 1|2 or %s %s", opt.image_path, ha->cluster,
			 SK_HA_UNIT_FILE, opt.unit < 0 ? "(holds no 1 or 2)" : "(absent)");
		return -EINVAL;
	}
	/* Two units on one machine (a lab): each its own cores and prefix. */
	if (ha->unit[opt.unit - 1].lcores[0] != '\0')
		opt.lcores = ha->unit[opt.unit - 1].lcores;
	if (ha->unit[opt.unit - 1].file_prefix[0] != '\0')
		opt.file_prefix = ha->unit[opt.unit - 1].file_prefix;
	sk_gen_set_ha_unit((uint8_t)opt.unit);
	return 0;
}

static void
undo_image(void)
{
	free(opt.image);
	opt.image = NULL;
}

static int eal_argc;
static char *eal_argv[128 + SK_MAX_IFACES * 2];
static char eal_store[SK_MAX_IFACES + 8][SK_DEVARGS_MAX + 16];

static int
step_eal(void)
{
	const struct sk_image_hdr *h = opt.image;
	const struct sk_img_iface *f;
	uint32_t n, i;
	int pci = 0, k = 0, rc;

	eal_argv[eal_argc++] = (char *)"sekisho-dp";
	/* "0-1" is a plain core list (-l); "(0-2)@(0-1)" maps lcores onto
	 * CPUs (--lcores), e.g. more lcores than a small VM has CPUs. */
	eal_argv[eal_argc++] = strpbrk(opt.lcores, "@(") != NULL ? (char *)"--lcores"
								 : (char *)"-l";
	eal_argv[eal_argc++] = (char *)opt.lcores;
	snprintf(eal_store[k], sizeof(eal_store[k]), "--file-prefix=%s", opt.file_prefix);
	eal_argv[eal_argc++] = eal_store[k++];
	snprintf(eal_store[k], sizeof(eal_store[k]), "%u", opt.st->memory_mb);
	eal_argv[eal_argc++] = (char *)"-m";
	eal_argv[eal_argc++] = eal_store[k++];
	if (opt.st->hugepages) {
		/* Shared hugepage files, so sekisho-cp can attach as a secondary
		 * process; a restart with the same prefix reclaims stale ones. */
	} else {
		eal_argv[eal_argc++] = (char *)"--no-huge";
		eal_argv[eal_argc++] = (char *)"--no-shconf";
	}
	f = sk_image_sec(h, SK_SEC_IFACES, &n);
	for (i = 0; i < n; i++) {
		eal_argv[eal_argc++] = is_pci_addr(f[i].device) ? (char *)"-a" : (char *)"--vdev";
		eal_argv[eal_argc++] = (char *)f[i].device;
		pci |= is_pci_addr(f[i].device);
	}
	/* Never grab the VM's own NIC: PCI devices only when the config names them. */
	if (!pci)
		eal_argv[eal_argc++] = (char *)"--no-pci";
	for (i = 0; i < (uint32_t)opt.n_eal_extra && eal_argc < (int)RTE_DIM(eal_argv) - 1; i++)
		eal_argv[eal_argc++] = opt.eal_extra[i];
	eal_argv[eal_argc] = NULL;

	rc = rte_eal_init(eal_argc, eal_argv);
	if (rc < 0) {
		snprintf(errbuf, sizeof(errbuf), "EAL init failed: %s", rte_strerror(rte_errno));
		return -rte_errno;
	}
	sk_dp.tsc_hz = rte_get_tsc_hz();
	sk_dp.tsc_per_ms = RTE_MAX(sk_dp.tsc_hz / 1000, (uint64_t)1);
	return 0;
}

static void
undo_eal(void)
{
	rte_eal_cleanup();
}

static int
step_mbox(void)
{
	return sk_mbox_init(errbuf, sizeof(errbuf));
}

static void
undo_mbox(void)
{
	sk_mbox_fini();
}

static int
step_pool(void)
{
	sk_dp.pool = rte_pktmbuf_pool_create("sk_pool", opt.st->mbufs, 256, SK_PKT_PRIV_SIZE,
					     RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (sk_dp.pool == NULL) {
		snprintf(errbuf, sizeof(errbuf), "mbuf pool of %u: %s", opt.st->mbufs,
			 rte_strerror(rte_errno));
		return -ENOMEM;
	}
	/* Workers enqueue in RTS mode: a preempted worker must not stall the
	 * others (classic MP makes each producer wait for the earlier ones). */
	sk_dp.exc_ring = rte_ring_create("sk_exc", 4096, (int)rte_socket_id(),
					 RING_F_MP_RTS_ENQ | RING_F_SC_DEQ);
	if (sk_dp.exc_ring == NULL) {
		snprintf(errbuf, sizeof(errbuf), "slow-path ring: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

static void
undo_pool(void)
{
	struct rte_mbuf *m;

	while (sk_dp.exc_ring != NULL && rte_ring_dequeue(sk_dp.exc_ring, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(sk_dp.exc_ring);
	rte_mempool_free(sk_dp.pool);
}

static int
step_workers(void)
{
	unsigned int lcore, i = 0;

	sk_dp.n_workers = (uint16_t)opt.st->workers;
	if (rte_lcore_count() < sk_dp.n_workers + 1u || sk_dp.n_workers > SK_MAX_WORKERS) {
		snprintf(errbuf, sizeof(errbuf), "%u workers need %u lcores; lcores \"%s\" give %u",
			 sk_dp.n_workers, sk_dp.n_workers + 1, opt.lcores, rte_lcore_count());
		return -EINVAL;
	}
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (i == sk_dp.n_workers)
			break;
		sk_dp.workers[i].lcore_id = lcore;
		sk_dp.workers[i].idx = (uint16_t)i;
		sk_dp.workers[i].stats = &sk_dp.stats[i];
		sk_dp.workers[i].log_ring = sk_dp.ctl->log_ring;
		i++;
	}
	/* The main lcore's requests to each worker (wcmd.h). */
	for (i = 0; i < sk_dp.n_workers; i++) {
		int rc = sk_wcmd_port_init(&sk_dp.workers[i].cmds, (uint16_t)i,
					   (int)rte_socket_id());

		if (rc != 0) {
			snprintf(errbuf, sizeof(errbuf), "command ring: %s", rte_strerror(-rc));
			return rc;
		}
	}
	/* With several workers, packets of NAT flows that land on the wrong
	 * one are handed to their owner (wlb.h). */
	for (i = 0; sk_dp.n_workers > 1 && i < sk_dp.n_workers; i++) {
		char name[32];

		snprintf(name, sizeof(name), "sk_handoff%u", i);
		sk_dp.workers[i].handoff = rte_ring_create(name, 4096, (int)rte_socket_id(),
							   RING_F_MP_RTS_ENQ | RING_F_SC_DEQ);
		if (sk_dp.workers[i].handoff == NULL) {
			snprintf(errbuf, sizeof(errbuf), "handoff ring: %s",
				 rte_strerror(rte_errno));
			return -ENOMEM;
		}
	}
	/* Worker 0 transmits for the main lcore (see dp.h). */
	sk_dp.workers[0].main_tx = rte_ring_create("sk_main_tx", 1024, (int)rte_socket_id(),
						   RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (sk_dp.workers[0].main_tx == NULL) {
		snprintf(errbuf, sizeof(errbuf), "main TX ring: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

static void
undo_workers(void)
{
	struct rte_mbuf *m;

	while (sk_dp.workers[0].main_tx != NULL &&
	       rte_ring_dequeue(sk_dp.workers[0].main_tx, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(sk_dp.workers[0].main_tx);
	for (uint16_t i = 0; i < sk_dp.n_workers; i++) {
		while (sk_dp.workers[i].handoff != NULL &&
		       rte_ring_dequeue(sk_dp.workers[i].handoff, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(sk_dp.workers[i].handoff);
		sk_wcmd_port_fini(&sk_dp.workers[i].cmds);
	}
}

/*
 * Where every port spreads flows with the same Toeplitz key and a RETA we
 * programmed (entry i -> queue i % workers), full-NAT source ports can be
 * chosen so that replies reach their owner directly (nat.h).  Anywhere else
 * sk_dp.nat_rss stays NULL and the handoff ring carries the replies.
 */
static int
step_rss(void)
{
	uint32_t reta = 0, r, klen;
	const uint8_t *key = sk_port_rss_key(&klen);
	uint16_t i;

	if (sk_dp.n_workers < 2)
		return 0;
	for (i = 0; i < sk_dp.n_ports; i++) {
		uint16_t port = sk_dp.port_of_iface[i];

		/* Queue q is worker q's: a port with fewer queues spreads otherwise. */
		if (sk_dp.nb_rxq[port] != sk_dp.n_workers ||
		    sk_port_reta_rr(port, sk_dp.nb_rxq[port], &r) != 0 || (reta != 0 && r != reta))
			return 0;
		reta = r;
	}
	sk_dp.nat_rss = sk_nat_rss_create("sk_nat_rss", key, klen, reta, sk_dp.n_workers);
	if (sk_dp.nat_rss == NULL) {
		snprintf(errbuf, sizeof(errbuf), "RSS context for SNAT ports: %s",
			 rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

static int
step_ports(void)
{
	const struct sk_img_iface *f;
	uint32_t n, i;
	uint16_t port, rxq;
	int rc;

	f = sk_image_sec(opt.image, SK_SEC_IFACES, &n);
	for (i = 0; i < n; i++) {
		rc = sk_port_probe(f[i].device, &port);
		if (rc != 0) {
			snprintf(errbuf, sizeof(errbuf), "interface %s: device \"%s\": %s",
				 f[i].name, f[i].device, strerror(-rc));
			return rc;
		}
		rc = sk_port_start(port, &f[i], sk_dp.n_workers, sk_dp.n_workers,
				   (uint16_t)opt.st->rx_desc, (uint16_t)opt.st->tx_desc, sk_dp.pool,
				   &rxq, errbuf, sizeof(errbuf));
		if (rc != 0)
			return rc;
		sk_dp.port_of_iface[i] = port;
		sk_dp.iface_of_port[port] = (uint16_t)i;
		sk_dp.nb_rxq[port] = rxq;
		sk_dp.n_ports++;
	}
	return step_rss();
}

static void
undo_ports(void)
{
	uint16_t i;

	for (i = 0; i < sk_dp.n_ports; i++)
		sk_port_stop(sk_dp.port_of_iface[i]);
	sk_nat_rss_free(sk_dp.nat_rss);
	sk_dp.nat_rss = NULL;
}

static int
step_neigh(void)
{
	const struct sk_img_neigh *ne;
	uint32_t n, i;
	size_t sz = rte_rcu_qsbr_get_memsize(sk_dp.n_workers);

	sk_dp.qs = rte_zmalloc("sk_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (sk_dp.qs == NULL || rte_rcu_qsbr_init(sk_dp.qs, sk_dp.n_workers) != 0) {
		snprintf(errbuf, sizeof(errbuf), "RCU init failed");
		return -ENOMEM;
	}
	sk_dp.neigh = sk_neigh_create("sk_neigh", opt.st->neigh_max, sk_dp.qs,
				      (int)rte_socket_id());
	if (sk_dp.neigh == NULL) {
		snprintf(errbuf, sizeof(errbuf), "neighbour cache: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	sk_neigh_set_timers(sk_dp.neigh, opt.st->neigh_reachable_s * 1000,
			    opt.st->neigh_retrans_ms, opt.st->neigh_probes);
	ne = sk_image_sec(opt.image, SK_SEC_NEIGHS, &n);
	for (i = 0; i < n; i++) {
		struct rte_ether_addr mac;

		memcpy(mac.addr_bytes, ne[i].mac, 6);
		if (sk_neigh_update(sk_dp.neigh, ne[i].iface, ne[i].family, ne[i].ip, &mac,
				    SK_NEIGH_STATIC, 0) != 0) {
			snprintf(errbuf, sizeof(errbuf), "static neighbour %u does not fit", i);
			return -ENOSPC;
		}
	}
	return 0;
}

static void
undo_neigh(void)
{
	sk_neigh_free(sk_dp.neigh);
	rte_free(sk_dp.qs);
}

static int
step_gen(void)
{
	const struct sk_image_hdr *h = opt.image;
	/* The generation number the control plane gave the image; 1 for an
	 * image compiled offline. */
	uint64_t id = h->generation != 0 ? h->generation : 1;
	struct sk_gen *g = sk_gen_build(opt.image, opt.image_len, id, sk_dp.port_of_iface,
					sk_dp.n_workers + 1u, NULL, sk_dp.qs,
					errbuf, sizeof(errbuf));

	if (g == NULL)
		return -EINVAL;
	__atomic_store_n(&sk_dp.gen, g, __ATOMIC_RELEASE);
	sk_dp.ctl->generation = id;
	sk_dp.ctl->n_workers = sk_dp.n_workers;
	return 0;
}

static void
undo_gen(void)
{
	sk_gen_free(sk_dp.gen);
	sk_dp.gen = NULL;
}

static int
step_tables(void)
{
	char name[32];
	uint16_t i, p;
	struct sk_shm_top *top;

	for (i = 0; i < sk_dp.n_workers; i++) {
		struct sk_worker *w = &sk_dp.workers[i];

		snprintf(name, sizeof(name), "sk_conn%u", i);
		w->conns = sk_conn_table_create(name, opt.st->conn_max,
						(int)rte_lcore_to_socket_id(w->lcore_id));
		if (w->conns == NULL) {
			snprintf(errbuf, sizeof(errbuf), "connection table of %u: %s",
				 opt.st->conn_max, rte_strerror(rte_errno));
			return -ENOMEM;
		}
		sk_conn_set_timeouts(w->conns, opt.st->timeouts);
		/* 1/16 of the table stays for connections that complete: a SYN
		 * flood sheds its oldest half-open entries instead (conn.h). */
		sk_conn_set_halfopen_evict(w->conns, SK_CONN_HALFOPEN_HIGH(opt.st->conn_max));
		w->frag = sk_frag_create(opt.st->frag_max, opt.st->frag_timeout_ms,
					 (int)rte_lcore_to_socket_id(w->lcore_id));
		if (w->frag == NULL) {
			snprintf(errbuf, sizeof(errbuf), "fragment table: %s",
				 rte_strerror(rte_errno));
			return -ENOMEM;
		}
		w->top = rte_zmalloc_socket("sk_top", sizeof(*w->top), RTE_CACHE_LINE_SIZE,
					    (int)rte_lcore_to_socket_id(w->lcore_id));
		if (w->top == NULL) {
			snprintf(errbuf, sizeof(errbuf), "heavy-hitter summaries: out of memory");
			return -ENOMEM;
		}
		/* published through the sk_top memzone (sk_top.h), made below */
		sk_top_init(w->top, NULL, 0);
		w->srclim = sk_srclim_create(opt.st->src_slots != 0 ? opt.st->src_slots : 16384,
					     (int)rte_lcore_to_socket_id(w->lcore_id));
		if (w->srclim == NULL) {
			snprintf(errbuf, sizeof(errbuf), "per-source limit table: %s",
				 rte_strerror(rte_errno));
			return -ENOMEM;
		}
		for (p = 0; p < sk_dp.n_ports; p++) {
			uint16_t port = sk_dp.port_of_iface[p];

			if (i < sk_dp.nb_rxq[port]) {
				w->rxp[w->n_rxp].port = port;
				w->rxp[w->n_rxp].iface = p;
				w->n_rxp++;
			}
		}
	}
	/* Attack visibility: sekisho-cp reads the workers' summaries here. */
	top = sk_top_shm_create(sk_dp.n_workers);
	if (top == NULL) {
		snprintf(errbuf, sizeof(errbuf), "heavy-hitter memzone: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	for (i = 0; i < sk_dp.n_workers; i++)
		sk_top_init(sk_dp.workers[i].top, &top->w[i], sk_dp_now_ms());
	return 0;
}

static void
undo_tables(void)
{
	uint16_t i;

	for (i = 0; i < sk_dp.n_workers; i++) {
		sk_conn_table_free(sk_dp.workers[i].conns);
		sk_frag_free(sk_dp.workers[i].frag);
		sk_srclim_free(sk_dp.workers[i].srclim);
		rte_free(sk_dp.workers[i].top);
	}
}

/*
 * The health-check tap (hctap.h, docs/health.md): sekisho-cp's probes leave
 * through the unit's kernel and this tap, from the unit's own addresses.
 */
static int
step_hctap(void)
{
	const struct sk_img_prefix *a;
	struct sk_img_prefix *mine;
	uint32_t n;
	int rc;

	sk_dp.hc_port = UINT16_MAX;
	if (opt.st->health_tap[0] == '\0')
		return 0;
	snprintf(sk_dp.hc_ifname, sizeof(sk_dp.hc_ifname), "%s", opt.st->health_tap);
	rc = sk_hctap_open(sk_dp.hc_ifname, sk_dp.pool, &sk_dp.hc_port, errbuf, sizeof(errbuf));
	if (rc != 0) {
		sk_dp.hc_port = UINT16_MAX;
		return rc;
	}
	a = sk_image_sec(opt.image, SK_SEC_ADDRS, &n);
	/* HA: the kernel carries this unit's addresses, never the peer's. */
	mine = malloc(sizeof(*mine) * (n > 0 ? n : 1));
	if (mine == NULL) {
		rc = -ENOMEM;
		snprintf(errbuf, sizeof(errbuf), "out of memory");
	} else {
		uint32_t i, k = 0, nah;
		const struct sk_img_addr_ha *ah = sk_image_sec(opt.image, SK_SEC_ADDR_HA, &nah);

		for (i = 0; i < n; i++)
			if (nah != n || ah[i].unit == 0 || ah[i].unit == opt.unit)
				mine[k++] = a[i];
		rc = sk_hctap_set_addrs(sk_dp.hc_ifname, mine, k, errbuf, sizeof(errbuf));
		free(mine);
	}
	if (rc != 0) {
		/* A failed step is not undone by teardown: close the tap here. */
		sk_hctap_close(sk_dp.hc_port);
		sk_dp.hc_port = UINT16_MAX;
	}
	return rc;
}

static void
undo_hctap(void)
{
	if (sk_dp.hc_port == UINT16_MAX)
		return;
	sk_hctap_close(sk_dp.hc_port);
	sk_dp.hc_port = UINT16_MAX;
}

static int
step_ha(void)
{
	return sk_ha_init(opt.image, (uint8_t)opt.unit, opt.ha_role, errbuf, sizeof(errbuf));
}

/* HA pair: the connection-sync rings (sync.h); a standalone unit has none. */
static int
step_sync(void)
{
	uint32_t n = 0;

	if (opt.unit == 0 || sk_image_sec(opt.image, SK_SEC_HA, &n) == NULL || n != 1)
		return 0;
	return sk_sync_init(sk_dp.n_workers, (int)rte_socket_id(), errbuf, sizeof(errbuf));
}

static int
step_telemetry(void)
{
	int rc = sk_stats_telemetry_register();

	if (rc != 0)
		snprintf(errbuf, sizeof(errbuf), "telemetry: %s", strerror(-rc));
	return rc;
}

/*
 * Packet capture (docs/security.md, "Capturing packets on a unit"): DPDK's
 * dpdk-dumpcap attaches as a secondary process with the unit's file prefix
 * and asks this primary, over EAL's multi-process channel, to install RX/TX
 * callbacks that copy matching packets (BPF filter) into its own ring.
 * Without shared files (hugepages = false: --no-shconf) there is no channel
 * and no secondary can attach, so capture is off.  Last step, so that stop
 * unregisters it before the ports go away.
 */
static bool pdump_on;

static int
step_pdump(void)
{
	if (!opt.st->hugepages)
		return 0;
	if (rte_pdump_init() != 0) {
		snprintf(errbuf, sizeof(errbuf), "packet capture (rte_pdump): %s",
			 rte_strerror(rte_errno));
		return -rte_errno;
	}
	pdump_on = true;
	return 0;
}

static void
undo_pdump(void)
{
	if (pdump_on)
		(void)rte_pdump_uninit();
	pdump_on = false;
}

static const struct {
	const char *name;
	int (*init)(void);
	void (*fini)(void);
} steps[] = {
	{ "image", step_image, undo_image },
	{ "eal", step_eal, undo_eal },
	{ "control block", step_mbox, undo_mbox },
	{ "pool", step_pool, undo_pool },
	{ "workers", step_workers, undo_workers },
	{ "ports", step_ports, undo_ports },
	{ "health-check tap", step_hctap, undo_hctap },
	{ "neigh", step_neigh, undo_neigh },
	{ "generation", step_gen, undo_gen },
	{ "tables", step_tables, undo_tables },
	{ "ha", step_ha, NULL },
	{ "sync", step_sync, sk_sync_fini_keep },
	{ "telemetry", step_telemetry, NULL },
	{ "packet capture", step_pdump, undo_pdump },
};

static void
on_signal(int sig __rte_unused)
{
	/* Only an atomic store: no I/O, no allocation in a signal handler. */
	__atomic_store_n(&sk_dp.quit, true, __ATOMIC_RELAXED);
}

static void
teardown(int done)
{
	while (done-- > 0)
		if (steps[done].fini != NULL)
			steps[done].fini();
}

int
main(int argc, char **argv)
{
	int done, rc = 0;
	uint16_t i;

	if (parse_args(argc, argv) != 0)
		return 2;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (done = 0; done < (int)RTE_DIM(steps); done++) {
		rc = steps[done].init();
		if (rc != 0) {
			fprintf(stderr, "sekisho-dp: %s: %s\n", steps[done].name, errbuf);
			teardown(done);
			return 1;
		}
	}
	/* SYN cookie secret: random per process, so never the same on two units. */
	rc = sk_synproxy_dp_init();
	if (rc != 0) {
		fprintf(stderr, "sekisho-dp: SYN cookie secret: %s\n", strerror(-rc));
		teardown(done);
		return 1;
	}
	for (i = 0; i < sk_dp.n_workers; i++)
		rte_eal_remote_launch(sk_worker_main, &sk_dp.workers[i], sk_dp.workers[i].lcore_id);
	printf("sekisho-dp: forwarding on %u ports with %u workers (image %s, generation %" PRIu64
	       ", %u rules)\n", sk_dp.n_ports, sk_dp.n_workers, opt.image_path, sk_dp.gen->id,
	       sk_dp.gen->n_rules);
	fflush(stdout);

	sk_main_loop();

	rte_eal_mp_wait_lcore();
	if (opt.stats_path != NULL && (rc = sk_stats_write_file(opt.stats_path)) != 0)
		fprintf(stderr, "sekisho-dp: stats file %s: %s\n", opt.stats_path, strerror(-rc));
	printf("sekisho-dp: stopped\n");
	teardown(done);
	return rc != 0 ? 1 : 0;
}
