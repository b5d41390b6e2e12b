/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_par.c - run several rte_acl_build calls at once on DPDK control
 * threads, so that a large rule set split into parts (acl_build.c) builds in
 * a fraction of the time.  Main lcore or offline tool; never per packet.
 *
 * Why control threads: the build runs on the dataplane's main lcore, whose
 * thread is pinned to the main lcore's CPU; a plain pthread would inherit
 * that one CPU.  rte_ctrl_thread_create gives a thread the control cpuset
 * (the CPUs that no EAL lcore uses, within the process's starting affinity;
 * the main lcore's CPUs when that set is empty), i.e. CPUs that no worker
 * polls on.
 *
 * What runs concurrently: only rte_acl_build, each call on its own context.
 * Contexts are created, filled and freed by the caller (rte_acl_create and
 * rte_acl_free take the tailq lock, but creating in one thread keeps the
 * name checks simple); rte_acl_build touches only its context, malloc for
 * its scratch tries and rte_zmalloc_socket for the runtime, all thread-safe.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <rte_common.h>
#include <rte_lcore.h>

#include "acl/acl_priv.h"

struct par_run {
	struct sk_acl_job *jobs;
	uint32_t n;
	uint32_t next;       /* next job to take; atomic */
};

static void
run_job(struct sk_acl_job *jb)
{
	struct rte_acl_config cfg = *jb->cfg;

	cfg.max_size = jb->max_size;
	jb->rc = rte_acl_build(jb->ctx, &cfg);
}

static void
run_jobs(struct par_run *r)
{
	uint32_t j;

	while ((j = __atomic_fetch_add(&r->next, 1, __ATOMIC_RELAXED)) < r->n)
		run_job(&r->jobs[j]);
}

static void *
par_thread(void *arg)
{
	run_jobs(arg);
	return NULL;
}

uint32_t
sk_acl_par_build(struct sk_acl_job *jobs, uint32_t n, uint32_t threads)
{
	pthread_t tid[SK_ACL_MAX_PARTS * 2];
	struct par_run r = { .jobs = jobs, .n = n, .next = 0 };
	uint32_t started = 0, i;
	char tname[16];

	threads = RTE_MIN(threads, n);
	threads = RTE_MIN(threads, (uint32_t)RTE_DIM(tid) + 1);
	for (i = 0; i < n; i++)
		jobs[i].rc = 0;
	/* The caller keeps the first (largest) job: its malloc arena is warm
	 * from earlier builds, a new thread's takes page faults. */
	r.next = 1;
	for (i = 0; i + 1 < threads; i++) {
		snprintf(tname, sizeof(tname), "sk-aclbld-%u", i);
		if (rte_ctrl_thread_create(&tid[started], tname, NULL, par_thread, &r) != 0)
			break;
		started++;
	}
	if (n != 0)
		run_job(&jobs[0]);
	run_jobs(&r);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	return started + 1;
}

/* What a control thread may run on, seen from inside one. */
static void *
probe_thread(void *arg)
{
	cpu_set_t *set = arg;

	if (pthread_getaffinity_np(pthread_self(), sizeof(*set), set) != 0)
		CPU_ZERO(set);
	return NULL;
}

uint32_t
sk_acl_par_cpus(void)
{
	cpu_set_t self, ctrl, extra;
	pthread_t tid;

	CPU_ZERO(&ctrl);
	if (pthread_getaffinity_np(pthread_self(), sizeof(self), &self) != 0)
		return 1;
	/* The control cpuset is EAL-internal; a control thread can read it.
	 * rte_ctrl_thread_create sets the affinity before the routine runs. */
	if (rte_ctrl_thread_create(&tid, "sk-aclprobe", NULL, probe_thread, &ctrl) != 0)
		return 1;
	pthread_join(tid, NULL);
	/* CPUs the caller does not already run on: a control cpuset that fell
	 * back to the main lcore's CPU adds nothing. */
	CPU_XOR(&extra, &ctrl, &self);
	CPU_AND(&extra, &extra, &ctrl);
	return (uint32_t)CPU_COUNT(&extra) + 1;
}
