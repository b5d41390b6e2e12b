/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_sync.c - HA connection-state sync, end to end in one process with
 * the real code at every step (docs/ha-sync.md):
 *   active worker (main thread): its connection table, the sync hook and
 *     sweep (dataplane/sync, the real memzone and out ring), forwarding
 *     bursts of 32 packets of established UDP flows (bulk lookup + update);
 *   active sekisho-cp (thread): control/ha/ha_csync.c draining the ring,
 *     batching, the retransmit window, over a real HA link (TCP 127.0.0.1,
 *     HMAC per frame);
 *   standby sekisho-cp (thread): the other end of the link, records into
 *     its worker's in ring (real DPDK rings), and that worker's apply
 *     (sk_sync_apply into a second table, as sync.c's loop does).
 * Figures:
 *   1. forwarding rate of the active's worker with sync off (no peer);
 *   2. new connections per second on the active's worker, sync off;
 *   3. bulk sync of N connections (default 1M): time until sent and until
 *      applied on the standby (from when shipping began), records/s, each
 *      stage's records per second of its own CPU time, the worker's
 *      forwarding rate meanwhile;
 *   4. the link's record rate: records fed into the active's ring as fast as
 *      it takes them, then paced at 1M/s, received and applied on the
 *      standby; the lag end to end (records stamped when fed, read when
 *      applied) and as sekisho-cp reports it; each stage's records per
 *      second of its own CPU time (the split: which stage would limit);
 *   5. new connections per second with sync on (every create shipped).
 * Timings are printed, not asserted.  On a shared 2-CPU host all threads of
 * both units share the two CPUs: lower bounds.
 *
 *   bench_sync [--conns N] [--seconds S]
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "conn/conn.h"
#include "gen/gen.h"
#include "sync/sync.h"
#include "cp.h"
#include "ha/ha_csync_link.h"
#include "bench_eal.h"

struct unit {
	struct sk_ha ha;
	struct sk_cp cp;
	struct sk_sync_shm *shm;
	pthread_t thr;
	struct sk_conn_table *apply_t;   /* standby: its worker's table */
	struct sk_gen *g;
	uint64_t applied;
	uint64_t next_hb, hb_lost;
};

static struct unit u[2];
static volatile int stop_cp;
static volatile int link_on;
static const uint8_t key[SK_HA_KEY_LEN] = "bench sync key, 32 bytes long!!";

static uint64_t
ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
mklink(struct unit *x, uint16_t lport, uint16_t pport)
{
	const struct sk_ha_csync_loop lp = { .key = key, .lport = lport, .pport = pport,
					     .dead_ms = 1000, .workers = 1, .name = "bench" };
	char err[160];

	return sk_ha_csync_link_loopback(&x->ha, &lp, err, sizeof(err));
}

/* The standby's in ring: a second block of rings (one process, two units). */
static struct sk_sync_shm *
mkshm(void)
{
	struct sk_sync_shm *sh = rte_zmalloc("bsync_shm", sizeof(*sh), 64);

	if (sh == NULL)
		return NULL;
	sh->magic = SK_SYNC_MAGIC;
	sh->version = SK_SYNC_VERSION;
	sh->n_workers = 1;
	sh->rec_size = sizeof(struct sk_sync_rec);
	sh->ring_size = SK_SYNC_RING_SIZE;
	sh->w[0].out = rte_ring_create_elem("bsync_o", sizeof(struct sk_sync_rec),
					    SK_SYNC_RING_SIZE, SOCKET_ID_ANY,
					    RING_F_SP_ENQ | RING_F_SC_DEQ);
	sh->w[0].in = rte_ring_create_elem("bsync_i", sizeof(struct sk_sync_rec), SK_SYNC_RING_SIZE,
					   SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	return sh->w[0].out != NULL && sh->w[0].in != NULL ? sh : NULL;
}

static int
unit_init(struct unit *x, unsigned int id, uint32_t role, uint32_t peer_role,
	  struct sk_sync_shm *sh)
{
	x->shm = sh;
	return sh == NULL ? -ENOMEM : sk_ha_csync_pair_unit(&x->ha, &x->cp, id, role, peer_role,
							    sh, 1);
}

/* One unit's HA thread: its link and csync (standby: also its worker's apply). */
static void *
cp_thread(void *arg)
{
	struct unit *x = arg;

	while (!stop_cp) {
		struct pollfd fds[SK_HA_LINK_MAX_FDS];
		int n = 0;

		if (!link_on) {
			usleep(1000);
			continue;
		}
		if (x->ha.link == NULL &&
		    mklink(x, x == &u[0] ? 31871 : 31872, x == &u[0] ? 31872 : 31871) != 0) {
			fprintf(stderr, "link create failed\n");
			return NULL;
		}
		n = sk_ha_link_fds(x->ha.link, fds, SK_HA_LINK_MAX_FDS);
		(void)poll(fds, (nfds_t)n, sk_ha_csync_timeout_ms(&x->ha));
		sk_ha_link_service(x->ha.link, ms(), fds, n);
		if (ms() >= x->next_hb) {
			/* the HA thread's heartbeats keep a live link busy (its idle limit) */
			uint64_t hb = ms();

			if (sk_ha_link_send(x->ha.link, SK_HA_MSG_HEARTBEAT, &hb, sizeof(hb),
					    SK_HA_PRIO_CTRL) != 0)
				x->hb_lost++;
			x->next_hb = hb + 100;
		}
		sk_ha_csync_tick(&x->ha, ms());
	}
	return NULL;
}

/* Figure 4 stamps its records: rule_id = STAMP | the ms the record was put
 * into the active's out ring; the standby's worker notes the ms from there
 * to its apply (the lag end to end: out ring, drain, link, in ring, apply). */
#define STAMP 0x80000000u
#define LAG_MAX_MS 4096u
static uint64_t lag_hist[LAG_MAX_MS + 1];   /* apply thread only; read when it is idle */
static uint64_t stamped;                     /* stamped records applied (atomic) */

/* The standby's worker: applies what reaches its in ring (sync.c's loop
 * applies the same way, through sk_sync_apply, on the owner worker). */
static void *
apply_thread(void *arg)
{
	struct unit *x = arg;

	while (!stop_cp) {
		struct sk_sync_rec rec[SK_SYNC_APPLY_BUDGET];
		unsigned int k = rte_ring_sc_dequeue_burst_elem(x->shm->w[0].in, rec, sizeof(rec[0]),
								RTE_DIM(rec), NULL);
		uint32_t now = (uint32_t)ms();

		unsigned int st = 0;

		if (k > 1)
			sk_sync_apply_prefetch(x->apply_t, rec, k);
		for (unsigned int i = 0; i < k; i++) {
			int created;
			uint32_t removed;

			if (rec[i].rule_id & STAMP) {
				lag_hist[RTE_MIN((now - rec[i].rule_id) & ~STAMP, LAG_MAX_MS)]++;
				st++;
			}
			(void)sk_sync_apply(x->apply_t, x->g, 0, 1, now, &rec[i], &created, &removed);
		}
		if (st != 0)
			__atomic_add_fetch(&stamped, st, __ATOMIC_RELEASE);
		__atomic_add_fetch(&x->applied, k, __ATOMIC_RELAXED);
		if (k == 0)
			usleep(20);
	}
	return NULL;
}

static struct sk_ha_csync_status
status(struct unit *x)
{
	struct sk_ha_csync_status s;

	pthread_mutex_lock(&x->ha.lock);
	s = x->ha.st.csync;
	pthread_mutex_unlock(&x->ha.lock);
	return s;
}

/* ---- the active's worker ---- */

static struct sk_conn_table *ta;
static struct sk_sync_w *sw;
static struct sk_gen ga;
static struct sk_conn_key *keys;
static struct sk_pkt_meta *meta;
static uint32_t n_conns;

static void
mkflow(uint32_t i, struct sk_pkt_meta *m, uint32_t base)
{
	uint32_t src = base + (i >> 10);

	memset(m, 0, sizeof(*m));
	m->kind = SK_PKT_IP;
	m->family = 4;
	m->proto = IPPROTO_UDP;
	m->sport = (uint16_t)(1024 + (i & 1023));
	m->dport = 53;
	m->l2_len = 14;
	m->ip_len = 60;
	m->out_iface = 1;
	for (int k = 0; k < 4; k++) {
		m->src[k] = (uint8_t)(src >> (24 - 8 * k));
		m->dst[k] = (uint8_t)(0x0afd0001u >> (24 - 8 * k));
	}
}

/* The worker's loop for ms_ ms (or until done()): poll, then a burst of 32
 * packets of established flows.  Packets per second. */
static uint64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double fwd_cpu_rate;   /* packets per second of the worker thread's own CPU time */

static double
forward(uint64_t ms_, int (*done)(void))
{
	uint64_t c0 = cpu_ns();
	uint64_t pkts = 0, loops = 0, t0 = ms(), r = 12345;
	struct sk_conn *c[32];
	struct sk_conn_key k[32];
	uint32_t idx[32];

	for (;;) {
		uint32_t now = (uint32_t)ms();

		sk_sync_poll(sw, &ga, now, 1);
		for (int i = 0; i < 32; i++) {
			r = r * 6364136223846793005ull + 1442695040888963407ull;
			idx[i] = (uint32_t)(r >> 33) % n_conns;
			k[i] = keys[idx[i]];
		}
		sk_conn_lookup_burst(ta, k, 32, c);
		for (int i = 0; i < 32; i++)
			if (c[i] != NULL &&
			    sk_conn_update(ta, c[i], &meta[idx[i]], SK_DIR_ORIG, 100, now) ==
			    SK_DROP_NONE)
				pkts++;
		if ((++loops & 127) == 0 && (ms() - t0 >= ms_ || (done != NULL && done())))
			break;
	}
	fwd_cpu_rate = (double)pkts * 1e9 / (double)(cpu_ns() - c0 + 1);
	return (double)pkts * 1000.0 / (double)(ms() - t0 + 1);
}

/* New connections per second on the worker, sustained for ms_ ms: each
 * loop a poll, 32 new connections, and the 32 oldest of a live window of
 * 65536 deleted (each create and each delete is a record when shipping).
 * Connections created (and as many deleted) per second. */
static double new_cpu_rate;   /* per second of the worker thread's own CPU time */
static double new_usr_rate;   /* ... of its user-mode CPU time only */
static double new_sys_share;  /* kernel share of its CPU time (timer ticks, switches) */
static long new_nivcsw;       /* times it was preempted */

/* The calling thread's user and system CPU time (ns) and preemptions. */
static void
thread_usage(uint64_t *usr, uint64_t *sys, long *nivcsw)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	*usr = (uint64_t)ru.ru_utime.tv_sec * 1000000000ull + (uint64_t)ru.ru_utime.tv_usec * 1000;
	*sys = (uint64_t)ru.ru_stime.tv_sec * 1000000000ull + (uint64_t)ru.ru_stime.tv_usec * 1000;
	*nivcsw = ru.ru_nivcsw;
}
#define POOL (1u << 18)
#define LIVE (1u << 16)
static double
new_conns(uint64_t ms_, uint32_t base)
{
	static struct sk_conn_key *ks;
	static struct sk_pkt_meta *ms_pool;
	uint64_t made = 0, t0;
	uint8_t sa;

	if (ks == NULL) {
		ks = malloc(sizeof(*ks) * POOL);
		ms_pool = malloc(sizeof(*ms_pool) * POOL);
		if (ks == NULL || ms_pool == NULL)
			abort();
	}
	for (uint32_t i = 0; i < POOL; i++) {
		mkflow(i, &ms_pool[i], base);
		sk_conn_key_from_meta(&ms_pool[i], &ks[i], &sa);
	}
	uint64_t u0, s0, u1, s1;
	long v0, v1;

	thread_usage(&u0, &s0, &v0);
	t0 = ms();
	uint64_t c0 = cpu_ns();
	for (uint64_t loops = 0;; loops++) {
		uint32_t now = (uint32_t)ms();
		sk_sync_poll(sw, &ga, now, 1);
		for (uint32_t j = 0; j < 32; j++, made++) {
			uint32_t i = (uint32_t)(made % POOL);

			(void)sk_conn_create(ta, &ks[i], 0, &ms_pool[i], now, 1, 1);
			if (made >= LIVE) {
				struct sk_conn *c = sk_conn_lookup(ta, &ks[(made - LIVE) % POOL]);

				if (c != NULL)
					sk_conn_delete(ta, c);
			}
		}
		if ((loops & 63) == 0 && ms() - t0 >= ms_)
			break;
	}
	double rate = (double)made * 1000.0 / (double)(ms() - t0);

	new_cpu_rate = (double)made * 1e9 / (double)(cpu_ns() - c0);
	thread_usage(&u1, &s1, &v1);
	new_usr_rate = (double)made * 1e9 / (double)(u1 - u0 + 1);
	new_sys_share = (double)(s1 - s0) / (double)(u1 - u0 + s1 - s0 + 1);
	new_nivcsw = v1 - v0;

	/* the live window goes, emitting nothing */
	sk_sync_poll(sw, &ga, (uint32_t)ms(), 0);
	for (uint64_t k = made > LIVE ? made - LIVE : 0; k < made; k++) {
		struct sk_conn *c = sk_conn_lookup(ta, &ks[k % POOL]);

		if (c != NULL)
			sk_conn_delete(ta, c);
	}
	return rate;
}

static uint64_t applied_target;
static uint64_t ship_ms;   /* when the active began shipping (its bulk sync) */

static int
bulk_done(void)
{
	if (ship_ms == 0 && status(&u[0]).bulk_out)
		ship_ms = ms();
	return __atomic_load_n(&u[1].applied, __ATOMIC_RELAXED) >= applied_target;
}

static uint64_t
thread_cpu_ns(pthread_t t)
{
	clockid_t cid;
	struct timespec ts;

	if (pthread_getcpuclockid(t, &cid) != 0 || clock_gettime(cid, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static pthread_t apply_thr;

/* Percentile p (0..100) of the apply thread's lag histogram, ms. */
static uint32_t
lag_pct(uint64_t n, double p)
{
	uint64_t want = (uint64_t)((double)n * p / 100.0), sum = 0;

	for (uint32_t i = 0; i <= LAG_MAX_MS; i++)
		if ((sum += lag_hist[i]) > want || (sum == n && n != 0))
			return i;
	return LAG_MAX_MS;
}

/*
 * Figure 4: refresh records of live connections (plain IPv4, updates on the
 * standby) put into the active's out ring for secs seconds, as fast as it
 * takes them (rate 0) or paced at rate records/s; wait until all are
 * applied.  Prints the rates, the lag end to end (stamped records) and as
 * sekisho-cp sees it (first record taken .. ACK, sampled every ms), and each
 * stage's records per second of its own CPU time.
 */
static void
link_rate(uint32_t secs, uint64_t rate)
{
	struct sk_sync_rec r[64];
	struct rte_ring *out = sk_sync_shm_get()->w[0].out;
	uint64_t fed = 0, behind = 0;
	uint64_t rr0 = status(&u[1]).records_recv, cplag = 0, last = 0;
	uint64_t c_feed = cpu_ns(), c_act = thread_cpu_ns(u[0].thr);
	uint64_t c_stb = thread_cpu_ns(u[1].thr), c_app = thread_cpu_ns(apply_thr);
	uint64_t tf0 = ms(), tend, now;

	sk_sync_poll(sw, &ga, (uint32_t)ms(), 1);
	for (int i = 0; i < 64; i++)
		sk_sync_rec_from_conn(ta, sk_conn_lookup(ta, &keys[i]), &ga, (uint32_t)ms(), 0,
				      SK_SYNC_REFRESH, &r[i]);
	memset(lag_hist, 0, sizeof(lag_hist));
	uint64_t st0 = __atomic_load_n(&stamped, __ATOMIC_ACQUIRE);
	while ((now = ms()) - tf0 < secs * 1000ull) {
		uint32_t n = 64;

		if (now != last) {
			uint64_t l = status(&u[0]).lag_ms;

			cplag = RTE_MAX(cplag, l);
			last = now;
		}
		if (rate != 0) {
			uint64_t want = (now - tf0 + 1) * rate / 1000;

			if (fed >= want) {
				usleep(100);   /* ahead: leave the CPUs to the others */
				continue;
			}
			if (want - fed > 4 * rate / 1000)
				behind++;   /* more than 4 ms behind the pace */
			n = (uint32_t)RTE_MIN(64u, want - fed);
		}
		for (uint32_t i = 0; i < n; i++)
			r[i].rule_id = STAMP | (uint32_t)now;
		fed += rte_ring_sp_enqueue_burst_elem(out, r, sizeof(r[0]), n, NULL);
	}
	tend = ms();
	c_feed = cpu_ns() - c_feed;
	uint64_t t_recv = 0;
	/* every fed record applied (the sweep's own refreshes also pass: count
	 * the stamped ones, not all) */
	while ((__atomic_load_n(&stamped, __ATOMIC_ACQUIRE) - st0 < fed || t_recv == 0) &&
	       ms() - tend < 20000) {
		uint64_t l = status(&u[0]).lag_ms;

		cplag = RTE_MAX(cplag, l);
		if (t_recv == 0 && status(&u[1]).records_recv - rr0 >= fed)
			t_recv = ms() - tf0;
		usleep(1000);
	}
	uint64_t t_all = ms() - tf0;
	c_act = thread_cpu_ns(u[0].thr) - c_act;
	c_stb = thread_cpu_ns(u[1].thr) - c_stb;
	c_app = thread_cpu_ns(apply_thr) - c_app;
	struct sk_ha_csync_status s2 = status(&u[0]), s3 = status(&u[1]);
	uint64_t n = 0;

	for (uint32_t i = 0; i <= LAG_MAX_MS; i++)
		n += lag_hist[i];
	if (rate == 0)
		printf("link record rate: %" PRIu64 " records fed in %u s (as fast as the ring "
		       "takes them)", fed, secs);
	else
		printf("link at %.2f M records/s (paced): %" PRIu64 " records fed in %u s "
		       "(%.2f M/s; %" PRIu64 " feed loops found it over 4 ms behind the pace)",
		       rate / 1e6, fed, secs, fed / 1e3 / (double)(tend - tf0), behind);
	printf("; received by the standby's sekisho-cp after %" PRIu64 " ms: %.2f M records/s; "
	       "applied by its worker after %" PRIu64 " ms: %.2f M records/s (plain IPv4 "
	       "refreshes, 40 bytes each on the wire); standby apply_dropped %" PRIu64
	       ", resyncs %" PRIu64 "\n", t_recv, t_recv ? fed / 1e3 / (double)t_recv : 0.0,
	       t_all, fed / 1e3 / (double)t_all, s3.apply_dropped, s2.resyncs);
	printf("  lag, out ring to applied (every record, stamped): median %u ms, p99 %u ms, "
	       "max %u ms (%" PRIu64 " records); sekisho-cp's lag_ms (first record taken .. ACK, "
	       "sampled each ms): max %" PRIu64 " ms\n", lag_pct(n, 50), lag_pct(n, 99),
	       lag_pct(n, 100), n, cplag);
	printf("  per stage, M records per second of its own CPU time: feed (test loop) %.2f, "
	       "active sekisho-cp (drain, encode, send) %.2f, standby sekisho-cp (receive, "
	       "decode, in ring) %.2f, standby worker (apply) %.2f\n",
	       fed / 1e3 / (c_feed / 1e6 + 1e-9), fed / 1e3 / (c_act / 1e6 + 1e-9),
	       fed / 1e3 / (c_stb / 1e6 + 1e-9), fed / 1e3 / (c_app / 1e6 + 1e-9));
}

int
main(int argc, char **argv)
{
	char prefix[64], mem[16];
	uint32_t secs = 2;
	char err[160] = "";
	int opt;
	static const struct option lo[] = { { "conns", required_argument, NULL, 'n' },
					     { "seconds", required_argument, NULL, 's' },
					     { NULL, 0, NULL, 0 } };

	n_conns = 1000000;
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (opt == 'n')
			n_conns = (uint32_t)strtoul(optarg, NULL, 10);
		else if (opt == 's')
			secs = (uint32_t)strtoul(optarg, NULL, 10);
		else
			return 2;
	}
	snprintf(prefix, sizeof(prefix), "bsync%d", (int)getpid());
	snprintf(mem, sizeof(mem), "%u", 1024 + n_conns / 1000 * 2);
	{
		char fp[96];

		snprintf(fp, sizeof(fp), "--file-prefix=%s", prefix);
		char *ea[] = { argv[0], "--no-huge", "-m", mem, "--no-pci", "--no-shconf",
			       "--no-telemetry", fp, "--log-level=error", "-l", "0", NULL };
		if (rte_eal_init(11, ea) < 0) {
			fprintf(stderr, "EAL init failed\n");
			return 1;
		}
	}
	if (sk_sync_init(1, SOCKET_ID_ANY, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	ta = sk_conn_table_create("bs_a", n_conns + n_conns / 8 + 70000, SOCKET_ID_ANY);
	struct sk_conn_table *tb = sk_conn_table_create("bs_b", n_conns + n_conns / 8 + 70000,
							 SOCKET_ID_ANY);
	keys = malloc(sizeof(*keys) * n_conns);
	meta = malloc(sizeof(*meta) * n_conns);
	if (ta == NULL || tb == NULL || keys == NULL || meta == NULL) {
		fprintf(stderr, "tables: out of memory\n");
		return 1;
	}
	memset(&ga, 0, sizeof(ga));
	ga.id = 1;
	sw = sk_sync_worker_attach(0, ta);
	for (uint32_t i = 0; i < n_conns; i++) {
		uint8_t sa;

		mkflow(i, &meta[i], 0x0a000000u);
		sk_conn_key_from_meta(&meta[i], &keys[i], &sa);
		if (sk_conn_create(ta, &keys[i], sa, &meta[i], (uint32_t)ms(), 1, 1) == NULL) {
			fprintf(stderr, "create %u failed\n", i);
			return 1;
		}
	}
	printf("# %u connections on the active's worker; sync off (no peer)\n", n_conns);

	/* 1, 2: sync off */
	double fwd_off = forward(secs * 1000, NULL);
	double fwd_off_cpu = fwd_cpu_rate;
	double new_off = new_conns(secs * 1000, 0x0b000000u);
	double new_off_cpu = new_cpu_rate, new_off_usr = new_usr_rate, new_off_sys = new_sys_share;
	long new_off_csw = new_nivcsw;

	/* the pair */
	if (unit_init(&u[0], 1, SK_HA_ROLE_ACTIVE, SK_HA_ROLE_STANDBY, sk_sync_shm_get()) != 0 ||
	    unit_init(&u[1], 2, SK_HA_ROLE_STANDBY, SK_HA_ROLE_ACTIVE, mkshm()) != 0 ||
	    u[1].shm == NULL) {
		fprintf(stderr, "units\n");
		return 1;
	}
	u[1].apply_t = tb;
	u[1].g = &ga;
	pthread_create(&u[0].thr, NULL, cp_thread, &u[0]);
	pthread_create(&u[1].thr, NULL, cp_thread, &u[1]);
	pthread_create(&apply_thr, NULL, apply_thread, &u[1]);

	/* 3: bulk sync while forwarding */
	uint64_t t0 = ms();
	uint64_t c_act = thread_cpu_ns(u[0].thr), c_stb = thread_cpu_ns(u[1].thr);
	uint64_t c_app = thread_cpu_ns(apply_thr);
	applied_target = n_conns;
	link_on = 1;
	double fwd_bulk = forward(120000, bulk_done);
	double fwd_bulk_cpu = fwd_cpu_rate;
	uint64_t t_end = ms(), t_applied = t_end - (ship_ms != 0 ? ship_ms : t0);
	struct sk_ha_csync_status sa_ = status(&u[0]), sb_ = status(&u[1]);

	printf("bulk sync of %u connections: sent in %" PRIu64 " ms (%.0f records/s), applied "
	       "on the standby %" PRIu64 " ms after it began (%.0f records/s end to end; "
	       "standby table %u; the link's session took %" PRIu64 " ms to come up before); "
	       "lag max %" PRIu64 " ms\n", n_conns, sa_.bulk_ms,
	       sa_.bulk_ms ? n_conns * 1000.0 / (double)sa_.bulk_ms : 0.0, t_applied,
	       n_conns * 1000.0 / (double)(t_applied + 1), sk_conn_count(tb),
	       ship_ms != 0 ? ship_ms - t0 : 0, sa_.lag_ms_max);
	c_act = thread_cpu_ns(u[0].thr) - c_act;
	c_stb = thread_cpu_ns(u[1].thr) - c_stb;
	c_app = thread_cpu_ns(apply_thr) - c_app;
	printf("  per stage, M records per second of its own CPU time: active sekisho-cp (drain, "
	       "encode, send) %.2f, standby sekisho-cp (receive, decode, in ring) %.2f, standby "
	       "worker (apply: each a new entry) %.2f\n", n_conns / 1e3 / (c_act / 1e6 + 1e-9),
	       n_conns / 1e3 / (c_stb / 1e6 + 1e-9), n_conns / 1e3 / (c_app / 1e6 + 1e-9));
	printf("  link: %" PRIu64 " batches, %" PRIu64 " bytes, largest %" PRIu64
	       " records; standby bulk %s\n", sa_.batches_sent, sa_.bytes_sent, sa_.batch_max,
	       sb_.bulk_in == 2 ? "done" : "not done");
	printf("forwarding (active worker, bursts of 32, established UDP, %u flows): %.2f Mpps "
	       "sync off, %.2f Mpps during the bulk sync (%.0f %%); per second of the worker's "
	       "own CPU time: %.2f vs %.2f Mpps (%.0f %%)\n", n_conns, fwd_off / 1e6,
	       fwd_bulk / 1e6, 100.0 * fwd_bulk / fwd_off, fwd_off_cpu / 1e6, fwd_bulk_cpu / 1e6,
	       100.0 * fwd_bulk_cpu / fwd_off_cpu);
	for (int i = 0; i < 200 && status(&u[1]).bulk_in != 2; i++)
		usleep(10000);

	/* 4: the link's record rate, as fast as the out ring takes them, then
	 * paced at 1M records/s: lag at that rate */
	link_rate(secs, 0);
	link_rate(secs, 1000000);

	/* 5: new connections with sync on, as fast as the worker makes them */
	uint64_t e0 = sk_sync_shm_get()->w[0].ctr[SK_SYNC_CTR_EMITTED];
	uint64_t f0 = sk_sync_shm_get()->w[0].ctr[SK_SYNC_CTR_RING_FULL];
	uint64_t rf0 = sk_sync_shm_get()->w[0].ctr[SK_SYNC_CTR_REFRESHED];
	uint64_t dl0 = sk_sync_shm_get()->w[0].ctr[SK_SYNC_CTR_DEL_LOST];
	double new_on = new_conns(secs * 1000, 0x0c000000u);
	uint64_t emitted = sk_sync_shm_get()->w[0].ctr[SK_SYNC_CTR_EMITTED] - e0;
	uint64_t full = sk_sync_shm_get()->w[0].ctr[SK_SYNC_CTR_RING_FULL] - f0;
	uint64_t resent = sk_sync_shm_get()->w[0].ctr[SK_SYNC_CTR_REFRESHED] - rf0;
	uint64_t lost = sk_sync_shm_get()->w[0].ctr[SK_SYNC_CTR_DEL_LOST] - dl0;

	printf("new connections (active worker, 32 created + 32 deleted per loop, %u s): "
	       "%.2f M/s sync off, %.2f M/s sync on (%.0f %%); per second of the worker's own "
	       "CPU time %.2f vs %.2f M/s (%.0f %%); with sync on %" PRIu64
	       " records emitted (creates, deletes, refreshes: dirty sweep and lap %" PRIu64
	       "), ring_full %" PRIu64 ", del_lost %" PRIu64 "\n",
	       secs, new_off / 1e6, new_on / 1e6, 100.0 * new_on / new_off, new_off_cpu / 1e6,
	       new_cpu_rate / 1e6, 100.0 * new_cpu_rate / new_off_cpu, emitted, resent, full, lost);
	printf("  the worker's CPU time, sync off / on: kernel share %.0f / %.0f %% (preempted "
	       "%ld / %ld times: the other threads share the CPUs); per second of its user-mode "
	       "time only %.2f vs %.2f M/s (%.0f %%)\n", 100.0 * new_off_sys,
	       100.0 * new_sys_share, new_off_csw, new_nivcsw, new_off_usr / 1e6,
	       new_usr_rate / 1e6, 100.0 * new_usr_rate / new_off_usr);

	stop_cp = 1;
	pthread_join(u[0].thr, NULL);
	pthread_join(u[1].thr, NULL);
	pthread_join(apply_thr, NULL);
	for (int i = 0; i < 2; i++) {
		struct sk_ha_link_stats ls;

		sk_ha_link_stats(u[i].ha.link, &ls);
		printf("# unit %d link: %" PRIu64 " sessions, %" PRIu64 " frames sent, %" PRIu64
		       " received, last error: %s\n", i + 1, ls.connects, ls.frames_sent,
		       ls.frames_recv, ls.last_error[0] ? ls.last_error : "none");
	}
	sk_ha_link_free(&u[0].ha.link);
	sk_ha_link_free(&u[1].ha.link);
	sk_ha_csync_fini(&u[0].ha);
	sk_ha_csync_fini(&u[1].ha);
	sk_conn_table_free(ta);
	sk_conn_table_free(tb);
	sk_sync_fini();
	rte_eal_cleanup();
	bench_rm_rundir(prefix);
	return 0;
}
