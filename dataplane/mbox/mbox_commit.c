/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mbox_commit.c - a commit (SK_SHM_OP_COMMIT) and the RCU reclaim behind it.
 *
 * The image is verified and compiled into a generation here, off the worker
 * cores, then published with one atomic pointer store; the generation it
 * replaces is freed only after every worker has reported a quiescent state
 * since (rte_rcu_qsbr), so no worker can still hold it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <rte_cycles.h>

#include "mbox_priv.h"
#include "worker/dp.h"
#include "hctap/hctap.h"
#include "sk_image_api.h"

#define DEFER_MAX 8

/* Generations replaced and not yet freed, each with its grace-period token. */
static struct {
	struct sk_gen *gen;
	uint64_t token;
} deferred[DEFER_MAX];
static unsigned int n_deferred;

unsigned int
sk_mbox_reclaim(int wait)
{
	unsigned int i = 0, freed = 0;

	while (i < n_deferred) {
		if (rte_rcu_qsbr_check(sk_dp.qs, deferred[i].token, wait ? true : false) == 1) {
			sk_gen_free(deferred[i].gen);
			deferred[i] = deferred[--n_deferred];
			freed++;
			continue;
		}
		i++;
	}
	return freed;
}

/* The kernel's side of the health-check tap carries the unit's addresses. */
static void
tap_addrs(const struct sk_gen *g)
{
	char err[256];
	uint32_t n;
	const struct sk_img_prefix *a;

	if (sk_dp.hc_port == UINT16_MAX)
		return;
	a = sk_image_sec(g->hdr, SK_SEC_ADDRS, &n);
	if (sk_hctap_set_addrs(sk_dp.hc_ifname, a, n, err, sizeof(err)) != 0)
		RTE_LOG(WARNING, USER1, "health-check tap %s: %s\n", sk_dp.hc_ifname, err);
}

void
sk_mbox_commit(void)
{
	struct sk_shm_ctl *c = sk_dp.ctl;
	struct sk_gen *old = sk_dp_gen(), *g;
	const struct sk_image_hdr *h = c->req_buf;
	char err[256];
	uint64_t t0, id;

	if (c->replaces != old->id) {
		snprintf(err, sizeof(err), "generation %" PRIu64 " is running, not %" PRIu64,
			 old->id, c->replaces);
		sk_mbox_respond(-ESTALE, err);
		return;
	}
	if (h == NULL || c->req_len < sizeof(*h)) {
		sk_mbox_respond(-EINVAL, "no image");
		return;
	}
	id = h->generation != 0 ? h->generation : old->id + 1;
	if (id <= old->id) {
		snprintf(err, sizeof(err), "generation %" PRIu64 " does not follow %" PRIu64, id,
			 old->id);
		sk_mbox_respond(-EINVAL, err);
		return;
	}
	if (n_deferred == DEFER_MAX)
		(void)sk_mbox_reclaim(1); /* commits faster than grace periods: wait for one */
	t0 = rte_rdtsc();
	g = sk_gen_build(c->req_buf, c->req_len, id, sk_dp.port_of_iface, sk_dp.n_workers + 1u,
			 old, sk_dp.qs, err, sizeof(err));
	if (g == NULL) {
		sk_mbox_respond(-EINVAL, err);
		return;
	}
	/* Interfaces and start-up settings need a restart: a live commit may
	 * change policy, routes and neighbours, not the ports themselves. */
	if (g->n_ifaces != old->n_ifaces) {
		sk_gen_free(g);
		sk_mbox_respond(-EINVAL, "the interface list differs from the running one: restart needed");
		return;
	}
	__atomic_store_n(&sk_dp.gen, g, __ATOMIC_RELEASE);
	deferred[n_deferred].gen = old;
	deferred[n_deferred].token = rte_rcu_qsbr_start(sk_dp.qs);
	n_deferred++;
	c->generation = id;
	c->resp_gen = id;
	tap_addrs(g);
	c->resp_us = (rte_rdtsc() - t0) * 1000000ull / sk_dp.tsc_hz;
	sk_mbox_respond(0, NULL);
}

void
sk_mbox_commit_fini(void)
{
	unsigned int i;

	/* Workers have stopped: nothing can hold an old generation. */
	for (i = 0; i < n_deferred; i++)
		sk_gen_free(deferred[i].gen);
	n_deferred = 0;
}
