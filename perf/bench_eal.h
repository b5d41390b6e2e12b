/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_eal.h - what the perf programs that start an EAL of their own
 * (bench_pipeline, bench_walk) do on the way out.
 */
#ifndef SK_BENCH_EAL_H
#define SK_BENCH_EAL_H

#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>

/* EAL's runtime directory /var/run/dpdk/<prefix>: --no-shconf still leaves
 * it behind.  Removed by rm(1), not system(3): no shell between. */
static inline void
bench_rm_rundir(const char *prefix)
{
	char path[96];
	pid_t pid;

	snprintf(path, sizeof(path), "/var/run/dpdk/%s", prefix);
	pid = fork();
	if (pid == 0) {
		execlp("rm", "rm", "-rf", path, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

#endif /* SK_BENCH_EAL_H */
