/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_csync.c - connection-state sync in sekisho-cp (control/ha/ha_csync.c)
 * between two units in one process: two real HA links over 127.0.0.1, two
 * sets of real DPDK rings standing for the two dataplanes (the test plays
 * the workers: it puts records into the active's out rings, answers bulk
 * requests, and reads what reaches the standby's in rings).
 *
 * What it shows:
 *  - records reach the standby in order, each once;
 *  - the link dropped with batches in flight and records emitted while it
 *    is down: the new session resumes after the standby's last batch (the
 *    lost and the new records arrive, in order, once; no bulk sync) and the
 *    standby is ready again only when the resume is complete;
 *  - a standby that cannot resume (restarted: no stream) gets a bulk sync;
 *  - an outage longer than the retransmit window: no resume, a bulk sync.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>

#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "cp.h"
#include "ha/ha_csync_link.h" /* and through it ha_link.h, ha_priv.h */
#include "ha/ha_crec.h"
#include "sk_test.h"
#include "sk_test_eal.h"

#define NW 2

static const uint8_t key[SK_HA_KEY_LEN] = "0123456789abcdef0123456789abcde";

struct unit {
	struct sk_ha ha;
	struct sk_cp cp;
	struct sk_sync_shm *shm;
	uint32_t bulk_answered;
	/* standby: what reached the in rings */
	int64_t last[NW];          /* the last record id per worker (ids go up by NW) */
	uint32_t got, dup, out_of_order;
};

static struct unit u[2];
static char ring_tag = 'a';

static uint64_t
ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A stand-in for one dataplane's sync block: real rings, nothing else. */
static struct sk_sync_shm *
mkshm(void)
{
	struct sk_sync_shm *sh = rte_zmalloc("csync_shm", sizeof(*sh), 64);
	char name[RTE_RING_NAMESIZE];

	if (sh == NULL)
		return NULL;
	sh->magic = SK_SYNC_MAGIC;
	sh->version = SK_SYNC_VERSION;
	sh->n_workers = NW;
	sh->rec_size = sizeof(struct sk_sync_rec);
	sh->ring_size = SK_SYNC_RING_SIZE;
	for (unsigned int i = 0; i < NW; i++) {
		snprintf(name, sizeof(name), "cs_%c_o%u", ring_tag, i);
		sh->w[i].out = rte_ring_create_elem(name, sizeof(struct sk_sync_rec),
						    SK_SYNC_RING_SIZE, SOCKET_ID_ANY,
						    RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "cs_%c_i%u", ring_tag, i);
		sh->w[i].in = rte_ring_create_elem(name, sizeof(struct sk_sync_rec),
						   SK_SYNC_RING_SIZE, SOCKET_ID_ANY,
						   RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (sh->w[i].out == NULL || sh->w[i].in == NULL)
			return NULL;
	}
	ring_tag++;
	return sh;
}

static int
link_up(struct unit *x, uint16_t lport, uint16_t pport)
{
	const struct sk_ha_csync_loop lp = { .key = key, .lport = lport, .pport = pport,
					     .dead_ms = 300, .workers = NW, .name = "csync" };
	char err[160];

	return sk_ha_csync_link_loopback(&x->ha, &lp, err, sizeof(err));
}

static int
unit_init(struct unit *x, unsigned int id, uint32_t role, uint32_t peer_role)
{
	return sk_ha_csync_pair_unit(&x->ha, &x->cp, id, role, peer_role, x->shm, NW);
}

/* The workers' side: a bulk lap of an empty table is done at once. */
static void
workers(struct unit *x)
{
	uint32_t b = __atomic_load_n(&x->shm->bulk_seq, __ATOMIC_ACQUIRE);

	if (b != x->bulk_answered) {
		for (unsigned int i = 0; i < NW; i++)
			__atomic_store_n(&x->shm->w[i].bulk_done, b, __ATOMIC_RELEASE);
		x->bulk_answered = b;
	}
}

/* The standby's workers: take what reached the in rings, check the order. */
static void
apply(struct unit *x)
{
	struct sk_sync_rec r[256];

	for (unsigned int w = 0; w < NW; w++) {
		unsigned int n;

		while ((n = rte_ring_sc_dequeue_burst_elem(x->shm->w[w].in, r, sizeof(r[0]), 256,
							   NULL)) != 0)
			for (unsigned int i = 0; i < n; i++) {
				int64_t id = r[i].rule_id;

				x->got++;
				if (id < x->last[w] + NW)
					x->dup++;
				else if (id > x->last[w] + NW || r[i].owner != w)
					x->out_of_order++;
				x->last[w] = id;
			}
	}
}

/* Service both links, tick both units for ms (or until done()). */
static void
pump(int ms_, int (*done)(void))
{
	uint64_t end = ms() + (uint64_t)ms_;

	for (;;) {
		struct pollfd fds[2 * SK_HA_LINK_MAX_FDS];
		int n0 = 0, n1 = 0;

		if (u[0].ha.link != NULL)
			n0 = sk_ha_link_fds(u[0].ha.link, fds, SK_HA_LINK_MAX_FDS);
		if (u[1].ha.link != NULL)
			n1 = sk_ha_link_fds(u[1].ha.link, fds + n0, SK_HA_LINK_MAX_FDS);
		(void)poll(fds, (nfds_t)(n0 + n1), 2);
		if (u[0].ha.link != NULL)
			sk_ha_link_service(u[0].ha.link, ms(), fds, n0);
		if (u[1].ha.link != NULL)
			sk_ha_link_service(u[1].ha.link, ms(), fds + n0, n1);
		for (int i = 0; i < 2; i++) {
			workers(&u[i]);
			if (u[i].ha.link != NULL)
				sk_ha_csync_tick(&u[i].ha, ms());
		}
		apply(&u[1]);
		if ((done != NULL && done()) || ms() >= end)
			return;
	}
}

/* Records ids first.. on the active's workers (alternating), as a worker
 * would put them: every fourth a delete (what a bulk sync cannot bring). */
static void
emit(uint32_t first, uint32_t count)
{
	for (uint32_t id = first; id < first + count; id++) {
		struct sk_sync_rec r;
		unsigned int w = id % NW;

		memset(&r, 0, sizeof(r));
		r.type = id % 4 == 3 ? SK_SYNC_DELETE : SK_SYNC_CREATE;
		r.family = 4;
		r.proto = IPPROTO_UDP;
		r.owner = (uint16_t)w;
		r.rule_id = id;
		r.src[0] = 10;
		r.src[1] = (uint8_t)(id >> 16);
		r.src[2] = (uint8_t)(id >> 8);
		r.src[3] = (uint8_t)id;
		r.dst[0] = 192;
		r.sport = 1000;
		r.dport = 53;
		while (rte_ring_sp_enqueue_elem(u[0].shm->w[w].out, &r, sizeof(r)) != 0)
			pump(1, NULL);
	}
}

static uint32_t want_got;

static int
all_got(void)
{
	return u[1].got >= want_got;
}

static int
ready(void)
{
	return sk_ha_csync_ready(&u[1].ha) && u[0].ha.csync.shipping && !u[0].ha.csync.st.bulk_out &&
	       !u[0].ha.csync.resume_wait;
}

static int
both_up(void)
{
	return u[0].ha.link_is_up && u[1].ha.link_is_up;
}

static int
active_down(void)
{
	return !u[0].ha.link_is_up;
}

int
main(int argc, char **argv)
{
	uint16_t p1, p2;
	uint64_t runs0, resumes0;

	(void)argc;
	if (sk_test_eal_init(argv[0]) < 0) {
		printf("not ok 1 - EAL init\n");
		return 1;
	}
	for (unsigned int w = 0; w < NW; w++)
		u[1].last[w] = (int64_t)w - NW;
	p1 = (uint16_t)(20000 + getpid() % 20000);
	p2 = (uint16_t)(p1 + 1);
	u[0].shm = mkshm();
	u[1].shm = mkshm();
	SK_CHECK(u[0].shm != NULL && u[1].shm != NULL, "two stand-in dataplanes' rings");
	if (u[0].shm == NULL || u[1].shm == NULL)
		return SK_TEST_DONE();
	SK_CHECK(unit_init(&u[0], 1, SK_HA_ROLE_ACTIVE, SK_HA_ROLE_STANDBY) == 0 &&
		 unit_init(&u[1], 2, SK_HA_ROLE_STANDBY, SK_HA_ROLE_ACTIVE) == 0 &&
		 link_up(&u[0], p1, p2) == 0 && link_up(&u[1], p2, p1) == 0, "two units, two links");

	/* ---- first session: a bulk sync of the (empty) table, then ready ---- */
	pump(5000, ready);
	SK_CHECK(ready() && u[1].ha.csync.st.bulk_runs == 1,
		 "link up: bulk sync, the standby is ready");

	/* ---- records in order, once ---- */
	emit(0, 5000);
	want_got = 5000;
	pump(5000, all_got);
	SK_CHECK(u[1].got == 5000 && u[1].dup == 0 && u[1].out_of_order == 0,
		 "5000 records reach the standby in order (%u, %u dup, %u out of order)", u[1].got,
		 u[1].dup, u[1].out_of_order);

	/* ---- the link drops with batches in flight; records keep coming ---- */
	runs0 = u[0].ha.csync.st.bulk_runs;
	resumes0 = u[0].ha.csync.st.resumes;
	emit(5000, 3000);
	workers(&u[0]);
	sk_ha_csync_tick(&u[0].ha, ms());   /* sent into the session that dies now */
	uint64_t sent_before = u[0].ha.csync.st.records_sent;
	sk_ha_link_free(&u[1].ha.link);    /* the standby's end goes away */
	u[1].ha.link_is_up = 0;
	pump(3000, active_down);
	SK_CHECK(!u[0].ha.link_is_up && sent_before >= 8000 && u[1].got < 8000,
		 "link down with %u records sent and not received", 8000 - u[1].got);
	emit(8000, 20000);                  /* while it is down */
	pump(100, NULL);
	SK_CHECK(u[0].ha.csync.shipping && u[0].ha.csync.st.window_batches > 0,
		 "link down: still shipping into the window (%lu batches held)",
		 (unsigned long)u[0].ha.csync.st.window_batches);
	SK_CHECK(u[0].ha.csync.st.lag_ms >= 90 && u[0].ha.csync.st.lag_ms_max >= 90,
		 "no ACK while the link is down: the lag is the oldest unacknowledged batch's age "
		 "(%lu ms)", (unsigned long)u[0].ha.csync.st.lag_ms);
	SK_CHECK(!sk_ha_csync_ready(&u[1].ha) || !u[1].ha.link_is_up, "(standby: link down)");
	SK_CHECK(link_up(&u[1], p2, p1) == 0, "the standby's end back");
	pump(5000, both_up);
	int asked = u[1].ha.csync.resume_asked;
	want_got = 28000;
	pump(5000, all_got);
	pump(200, ready);
	SK_CHECK(both_up() && asked, "new session: the standby asks to resume");
	SK_CHECK(u[1].got == 28000 && u[1].dup == 0 && u[1].out_of_order == 0,
		 "resumed: all 28000 records (the lost ones and those of the outage), in order, "
		 "once (%u, %u dup, %u out of order)", u[1].got, u[1].dup, u[1].out_of_order);
	SK_CHECK(u[0].ha.csync.st.resumes == resumes0 + 1 &&
		 u[0].ha.csync.st.bulk_runs == runs0 && u[1].ha.csync.st.resumes >= 1,
		 "no bulk sync (%lu resumes, %lu batches sent again)",
		 (unsigned long)u[0].ha.csync.st.resumes,
		 (unsigned long)u[0].ha.csync.st.batches_resent);
	SK_CHECK(ready() && u[1].ha.csync.resume_asked == 0, "the standby is ready again");

	/* ---- sekisho-cp's loop reads its clock once, before the link's callbacks
	 * run; a session that comes up in the loop stamps its start with a later
	 * reading.  A tick at a reading 1 ms before that stamp must not end the
	 * resume wait (now - stamp wrapped to ~2^64 ms: a bulk sync at once,
	 * tests/ha/run step 3 in 3 of 8 runs) ---- */
	sk_ha_csync_session(&u[0].ha);
	{
		uint64_t t0 = u[0].ha.csync.resume_wait_ms, r0 = u[0].ha.csync.st.resyncs;

		sk_ha_csync_tick(&u[0].ha, t0 - 1);
		SK_CHECK(u[0].ha.csync.resume_wait == 1 && u[0].ha.csync.st.resyncs == r0 &&
			 !u[0].ha.csync.st.bulk_out,
			 "a session stamped 1 ms after the loop's clock: still waiting for the "
			 "standby's resume point (no bulk sync)");
	}
	pump(5000, ready);   /* this made-up session gets no RESUME: it ends in a bulk */

	/* ---- a standby that cannot resume (restarted) gets a bulk sync ---- */
	runs0 = u[0].ha.csync.st.bulk_runs;
	sk_ha_link_free(&u[1].ha.link);
	u[1].ha.link_is_up = 0;
	pump(3000, active_down);
	sk_ha_csync_fini(&u[1].ha);
	SK_CHECK(unit_init(&u[1], 2, SK_HA_ROLE_STANDBY, SK_HA_ROLE_ACTIVE) == 0 &&
		 link_up(&u[1], p2, p1) == 0, "the standby restarted");
	pump(5000, both_up);
	pump(5000, ready);
	SK_CHECK(ready() && u[0].ha.csync.st.bulk_runs == runs0 + 1 &&
		 u[1].ha.csync.st.bulk_runs == 1, "restarted standby: a bulk sync, then ready");

	/* ---- an outage longer than the window: no resume, a bulk sync ---- */
	runs0 = u[0].ha.csync.st.bulk_runs;
	resumes0 = u[0].ha.csync.st.resumes;
	sk_ha_link_free(&u[1].ha.link);
	u[1].ha.link_is_up = 0;
	pump(3000, active_down);
	uint32_t id = 100000;
	for (int i = 0; i < 400 && u[0].ha.csync.shipping; i++) {
		emit(id, 16000);
		id += 16000;
		pump(1, NULL);
	}
	SK_CHECK(!u[0].ha.csync.shipping,
		 "the window overflows while the link is down: shipping stops (%u records)",
		 id - 100000);
	SK_CHECK(link_up(&u[1], p2, p1) == 0, "the standby's end back");
	pump(5000, both_up);
	pump(5000, ready);
	SK_CHECK(ready() && u[0].ha.csync.st.bulk_runs == runs0 + 1 &&
		 u[0].ha.csync.st.resumes == resumes0,
		 "after the overflow: a bulk sync, not a resume, then ready");

	sk_ha_link_free(&u[0].ha.link);
	sk_ha_link_free(&u[1].ha.link);
	sk_ha_csync_fini(&u[0].ha);
	sk_ha_csync_fini(&u[1].ha);
	return SK_TEST_DONE();
}
