/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_synproxy.c - the `synflood` scenario of the microbenchmark (issue 12
 * item 6): cycles per packet through a worker's whole burst function
 * (sk_worker_burst: parse, admit, lookup, policy, SYN proxy, TX buffer),
 * without a PMD, on one generation compiled from text as sekisho-cp would.
 *
 *   synflood-proxy    SYNs from 64K sources to a rule with synproxy = true:
 *                     each is answered in its own mbuf, no connection made
 *   synflood-denied   the same SYNs dropped by policy: the pipeline without
 *                     any answer, so proxy - denied is what the answer costs
 *   synflood-plain    the same SYNs without the proxy: each makes a
 *                     connection (the cost the proxy replaces)
 *   est-plain         data segments both ways on 4096 established connections
 *   est-translated    the same connections marked as proxied (seq/ack shifted
 *                     per packet, incremental checksum)
 *
 * The frames are restored into the same mbufs before every burst (not
 * timed); the TX buffers are emptied after it (not timed: a NIC frees them).
 * Each figure is the best of 25 batches of 200 bursts of 32 (--quick: 3 of
 * 50; synflood-plain: as many as its 64K new sources fill); the two
 * established paths alternate batch by batch, and which goes first, so that
 * both see the same machine.  usage: bench_synproxy [--quick]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "cfg.h"
#include "sk_image_api.h"
#include "worker/dp.h"
#include "mbox/mbox.h"
#include "conn/conn.h"
#include "frag/frag.h"
#include "neigh/neigh.h"

struct sk_dp sk_dp;

#define POOL_N 4096
#define BURST 32
#define N_SRC 65536
#define N_EST 4096
#define FRAME_MAX 128

static const char conf_fmt[] =
	"dataplane = { lcores = \"0-1\"; workers = 1; hugepages = false; conn_max = %u;\n"
	"  tcp_loose = false; health_tap = \"\"; };\n"
	"zones = ( \"outside\", \"inside\" );\n"
	"interfaces = (\n"
	"  { name = \"outside\"; zone = \"outside\"; mac = \"02:00:00:00:00:01\";\n"
	"    device = \"net_null0\"; ipv4 = [ \"203.0.113.1/24\" ]; },\n"
	"  { name = \"inside\"; zone = \"inside\"; mac = \"02:00:00:00:00:02\";\n"
	"    device = \"net_null1\"; ipv4 = [ \"10.10.0.1/24\" ]; } );\n"
	"routes = ( { dst = \"0.0.0.0/0\"; via = \"203.0.113.254\"; interface = \"outside\"; } );\n"
	"neighbors = (\n"
	"  { interface = \"outside\"; ip = \"203.0.113.254\"; mac = \"02:00:00:00:0a:0a\"; },\n"
	"  { interface = \"inside\"; ip = \"10.10.0.11\"; mac = \"02:00:00:00:0b:0b\"; } );\n"
	"policy = { default = \"drop\"; rules = (\n"
	"  { name = \"web\"; from = \"outside\"; to = \"inside\"; proto = \"tcp\";\n"
	"    dst = [ \"10.10.0.11/32\" ]; dport = [ \"80\" ]; %s } ); };\n";

struct frame {
	uint16_t len, iface;
	uint8_t b[FRAME_MAX];
};

static struct sk_worker *w;
static struct rte_mbuf *mb[BURST];
static struct frame *syns, *est_c, *est_s;
static unsigned int batches = 25, bursts = 200;

static struct sk_gen *
build_gen(const char *extra, uint64_t id)
{
	struct sk_cfg_diag diag;
	struct sk_cfg *cfg;
	char text[4096], err[256];
	struct sk_gen *g;
	void *img = NULL;
	size_t len;

	snprintf(text, sizeof(text), conf_fmt, 262144u, extra);
	sk_cfg_diag_init(&diag);
	cfg = sk_cfg_load_string(text, "bench-synproxy", &diag);
	if (cfg == NULL) {
		sk_cfg_diag_print(&diag, stderr);
		exit(1);
	}
	sk_cfg_diag_free(&diag);
	if (sk_cfg_image_build(cfg, &img, &len, err, sizeof(err)) != 0) {
		fprintf(stderr, "image: %s\n", err);
		exit(1);
	}
	sk_cfg_free(cfg);
	if (sk_dp.neigh == NULL) {
		const struct sk_img_neigh *ne;
		uint32_t n, i;

		sk_dp.qs = rte_zmalloc("bs_qsbr", rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
		if (sk_dp.qs == NULL || rte_rcu_qsbr_init(sk_dp.qs, 1) != 0)
			exit(1);
		sk_dp.neigh = sk_neigh_create("bs_neigh", 64, sk_dp.qs, SOCKET_ID_ANY);
		ne = sk_image_sec(img, SK_SEC_NEIGHS, &n);
		for (i = 0; sk_dp.neigh != NULL && i < n; i++) {
			struct rte_ether_addr mac;

			memcpy(mac.addr_bytes, ne[i].mac, 6);
			if (sk_neigh_update(sk_dp.neigh, ne[i].iface, ne[i].family, ne[i].ip, &mac,
					    SK_NEIGH_STATIC, 0) != 0)
				exit(1);
		}
	}
	g = sk_gen_build(img, len, id, sk_dp.port_of_iface, 2, NULL, sk_dp.qs, err, sizeof(err));
	if (g == NULL) {
		fprintf(stderr, "generation: %s\n", err);
		exit(1);
	}
	free(img);
	return g;
}

/* An Ethernet/IPv4/TCP frame with valid checksums; opts: a Linux SYN's. */
static void
make_tcp(struct frame *f, uint16_t iface, uint32_t src, uint32_t dst, uint16_t sport,
	 uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack, int opts, uint16_t payload)
{
	static const uint8_t syn_opts[20] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1,
					      0, 0, 0, 0, 1, 3, 3, 7 };
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f->b;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(ip + 1);
	uint16_t olen = opts ? sizeof(syn_opts) : 0;
	uint16_t l4 = (uint16_t)(sizeof(*tcp) + olen + payload);

	memset(f, 0, sizeof(*f));
	f->iface = iface;
	f->len = (uint16_t)(sizeof(*eth) + sizeof(*ip) + l4);
	eth->dst_addr.addr_bytes[0] = 0x02;
	eth->dst_addr.addr_bytes[5] = (uint8_t)(iface + 1);
	eth->src_addr.addr_bytes[0] = 0x02;
	eth->src_addr.addr_bytes[4] = 0x0a;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	tcp->src_port = rte_cpu_to_be_16(sport);
	tcp->dst_port = rte_cpu_to_be_16(dport);
	tcp->sent_seq = rte_cpu_to_be_32(seq);
	tcp->recv_ack = rte_cpu_to_be_32(ack);
	tcp->data_off = (uint8_t)(((sizeof(*tcp) + olen) / 4) << 4);
	tcp->tcp_flags = flags;
	tcp->rx_win = rte_cpu_to_be_16(502);
	memcpy(tcp + 1, syn_opts, olen);
	memset((uint8_t *)(tcp + 1) + olen, 'x', payload);
	tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
}

#define CLIENT(i) (RTE_IPV4(198, 18, 0, 0) + (uint32_t)(i))
#define SERVER RTE_IPV4(10, 10, 0, 11)

/* Restore frames [first, first + BURST) of fs (one interface) into mb[]. */
static void
load(const struct frame *fs, unsigned int nf, unsigned int first)
{
	unsigned int i;

	for (i = 0; i < BURST; i++) {
		const struct frame *f = &fs[(first + i) % nf];
		struct rte_mbuf *m = mb[i];

		rte_pktmbuf_reset(m);
		memset(sk_pkt_meta(m), 0, sizeof(struct sk_pkt_meta));
		m->port = f->iface;
		memcpy(rte_pktmbuf_append(m, f->len), f->b, f->len);
	}
}

/* Take back what the burst transmitted; replace what it dropped. */
static void
reclaim(void)
{
	unsigned int n = 0, p, i;

	for (p = 0; p < 2; p++) {
		for (i = 0; i < w->txb[p]->length && n < BURST; i++)
			mb[n++] = w->txb[p]->pkts[i];
		w->txb[p]->length = 0;
	}
	while (n < BURST) {
		mb[n] = rte_pktmbuf_alloc(sk_dp.pool);
		if (mb[n++] == NULL)
			exit(1);
	}
}

/* Cycles per packet of one batch of bursts of fs on g. */
static double
batch(const struct sk_gen *g, const struct frame *fs, unsigned int nf, unsigned int *pos)
{
	uint64_t cyc = 0, t0;
	unsigned int b;

	for (b = 0; b < bursts; b++) {
		load(fs, nf, *pos);
		*pos += BURST;
		w->now_ms = sk_dp_now_ms();
		t0 = rte_rdtsc();
		sk_worker_burst(w, g, fs[0].iface, fs[0].iface, mb, BURST, t0);
		cyc += rte_rdtsc() - t0;
		reclaim();
	}
	return (double)cyc / ((double)bursts * BURST);
}

static double
best(const struct sk_gen *g, const struct frame *fs, unsigned int nf, unsigned int n)
{
	unsigned int pos = 0, i;
	double b = 1e30, x;

	for (i = 0; i < n; i++) {
		x = batch(g, fs, nf, &pos);
		b = x < b ? x : b;
	}
	return b;
}

static void
fresh_table(const char *name)
{
	if (w->conns != NULL)
		sk_conn_table_free(w->conns);
	w->conns = sk_conn_table_create(name, 262144, SOCKET_ID_ANY);
	if (w->conns == NULL)
		exit(1);
	sk_conn_set_release(w->conns, NULL, NULL);
}

/* Open N_EST connections through the pipeline (SYN, SYN-ACK, ACK). */
static void
open_est(const struct sk_gen *g)
{
	static struct frame hs[3][N_EST];
	unsigned int i, k, pos;

	for (i = 0; i < N_EST; i++) {
		make_tcp(&hs[0][i], 0, CLIENT(i), SERVER, 40000, 80, RTE_TCP_SYN_FLAG, 100, 0, 1, 0);
		make_tcp(&hs[1][i], 1, SERVER, CLIENT(i), 80, 40000,
			 RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 9000, 101, 0, 0);
		make_tcp(&hs[2][i], 0, CLIENT(i), SERVER, 40000, 80, RTE_TCP_ACK_FLAG, 101, 9001,
			 0, 0);
	}
	for (k = 0; k < 3; k++)
		for (pos = 0; pos < N_EST; pos += BURST) {
			load(hs[k], N_EST, pos);
			w->now_ms = sk_dp_now_ms();
			sk_worker_burst(w, g, hs[k][0].iface, hs[k][0].iface, mb, BURST, rte_rdtsc());
			reclaim();
		}
}

/* Mark every established connection as proxied (delta d) or not. */
static unsigned int
mark_all(uint8_t sp, uint32_t d)
{
	unsigned int i, n = 0;

	for (i = 0; i < N_EST; i++) {
		uint8_t src[16] = { 0 }, dst[16] = { 0 }, sia;
		uint32_t s = rte_cpu_to_be_32(CLIENT(i)), v = rte_cpu_to_be_32(SERVER);
		struct sk_conn_key k;
		struct sk_conn *c;

		memcpy(src, &s, 4);
		memcpy(dst, &v, 4);
		sk_conn_key_from_tuple(4, IPPROTO_TCP, src, 40000, dst, 80, &k, &sia);
		c = sk_conn_lookup(w->conns, &k);
		if (c == NULL || c->state != SK_TCP_ESTABLISHED)
			continue;
		c->sp = sp;
		c->sp_delta = d;
		n++;
	}
	return n;
}

/* Leave no EAL runtime directory behind. */
static void
eal_dir_cleanup(void)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf /var/run/dpdk/skbsp%d", (int)getpid());
	if (system(cmd) != 0)
		fprintf(stderr, "bench_synproxy: could not remove the EAL runtime dir\n");
}

int
main(int argc, char **argv)
{
	char prefix[64], err[256];
	char *eal[] = { argv[0], "--no-huge", "-m", "512", "--no-pci", "--no-shconf",
			"--no-telemetry", prefix, "--log-level=crit", "-l", "0", NULL };
	struct sk_gen *g_on, *g_off, *g_deny;
	double sp_on, sp_off, sp_deny, est[2] = { 1e30, 1e30 }, x;
	unsigned int i, p, pos[2] = { 0, 0 }, marked = 0;
	static struct frame est_f[2][N_EST];

	if (argc > 1 && strcmp(argv[1], "--quick") == 0) {
		batches = 3;
		bursts = 50;
	}
	snprintf(prefix, sizeof(prefix), "--file-prefix=skbsp%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0)
		return 1;
	atexit(eal_dir_cleanup);
	sk_dp.tsc_hz = rte_get_tsc_hz();
	sk_dp.tsc_per_ms = RTE_MAX(sk_dp.tsc_hz / 1000, (uint64_t)1);
	if (sk_mbox_init(err, sizeof(err)) != 0)
		return 1;
	sk_dp.pool = rte_pktmbuf_pool_create("bs_pool", POOL_N, 0, SK_PKT_PRIV_SIZE,
					     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	sk_dp.exc_ring = rte_ring_create("bs_exc", 4096, SOCKET_ID_ANY,
					 RING_F_MP_RTS_ENQ | RING_F_SC_DEQ);
	if (sk_dp.pool == NULL || sk_dp.exc_ring == NULL)
		return 1;
	sk_dp.n_workers = 1;
	sk_dp.n_ports = 2;
	sk_dp.hc_port = UINT16_MAX;
	for (p = 0; p < 2; p++) {
		sk_dp.port_of_iface[p] = (uint16_t)p;
		sk_dp.iface_of_port[p] = (uint16_t)p;
		sk_dp.nb_rxq[p] = 1;
	}
	w = &sk_dp.workers[0];
	w->stats = &sk_dp.stats[0];
	w->log_ring = sk_dp.ctl->log_ring;
	g_on = build_gen("action = \"accept\"; synproxy = true;", 1);
	g_off = build_gen("action = \"accept\";", 2);
	g_deny = build_gen("action = \"drop\";", 3);
	fresh_table("bs_conn0");
	w->frag = sk_frag_create(16, 2000, SOCKET_ID_ANY);
	if (w->frag == NULL || sk_worker_prepare(w) != 0)
		return 1;
	for (p = 0; p < 2; p++) {
		w->txb[p] = rte_zmalloc("bs_txb", RTE_ETH_TX_BUFFER_SIZE(SK_BURST_MAX), 0);
		if (w->txb[p] == NULL)
			return 1;
		rte_eth_tx_buffer_init(w->txb[p], SK_BURST_MAX);
	}
	for (i = 0; i < BURST; i++)
		if ((mb[i] = rte_pktmbuf_alloc(sk_dp.pool)) == NULL)
			return 1;
	syns = calloc(N_SRC, sizeof(*syns));
	if (syns == NULL)
		return 1;
	for (i = 0; i < N_SRC; i++)
		make_tcp(&syns[i], 0, CLIENT(i), SERVER, (uint16_t)(1024 + i % 60000), 80,
			 RTE_TCP_SYN_FLAG, i * 7919u, 0, 1, 0);

	sp_on = best(g_on, syns, N_SRC, batches);
	sp_deny = best(g_deny, syns, N_SRC, batches);
	printf("synflood-proxy: %.1f cycles per SYN (answered %" PRIu64 ", connections %u)\n",
	       sp_on, w->stats->local[SK_LOCAL_SYNPROXY_SYNACKS], sk_conn_count(w->conns));
	printf("synflood-denied: %.1f cycles per SYN (the same SYNs dropped by policy): the "
	       "proxy's answer costs %.1f cycles per SYN\n", sp_deny, sp_on - sp_deny);
	/* every SYN a new source: no more batches than the sources fill */
	sp_off = best(g_off, syns, N_SRC, RTE_MIN(batches, N_SRC / (bursts * BURST)));
	printf("synflood-plain: %.1f cycles per SYN (connections %u)\n", sp_off,
	       sk_conn_count(w->conns));

	fresh_table("bs_conn1");
	open_est(g_off);
	for (i = 0; i < N_EST; i++) {
		unsigned int j = (i * 2654435761u) % N_EST; /* scattered order */

		make_tcp(&est_f[0][i], 0, CLIENT(j), SERVER, 40000, 80,
			 RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 101, 9001, 0, 64);
		make_tcp(&est_f[1][i], 1, SERVER, CLIENT(j), 80, 40000,
			 RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 9001, 165, 0, 64);
	}
	est_c = est_f[0];
	est_s = est_f[1];
	/* Alternate, and alternate which goes first, so neither sees a warmer
	 * machine than the other. */
	for (i = 0; i < 2 * batches; i++) {
		unsigned int k, sp = (i & 1) ^ ((i >> 1) & 1);

		for (k = 0; k < 2; k++, sp ^= 1) {
			if (sp)
				marked = mark_all(SK_CONN_SP_SEQ, 0x12345678u);
			else
				(void)mark_all(0, 0);
			x = (batch(g_off, est_c, N_EST, &pos[0]) +
			     batch(g_off, est_s, N_EST, &pos[1])) / 2;
			est[sp] = x < est[sp] ? x : est[sp];
		}
	}
	printf("est-plain: %.1f cycles per packet (%u connections, both ways)\n", est[0],
	       sk_conn_count(w->conns));
	printf("est-translated: %.1f cycles per packet (%u marked proxied): %+.1f %%\n", est[1],
	       marked, (est[1] / est[0] - 1) * 100);
	printf("forwarded %" PRIu64 ", drops tcp_invalid %" PRIu64 ", out_of_state %" PRIu64 "\n",
	       w->stats->forwarded, w->stats->drops[SK_DROP_TCP_INVALID],
	       w->stats->drops[SK_DROP_TCP_OUT_OF_STATE]);
	rte_eal_cleanup();
	return 0;
}
