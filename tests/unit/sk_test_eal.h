/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sk_test_eal.h - bring EAL up for unit tests without hugepages, PCI or
 * shared files, so the DPDK libraries (rte_hash, rte_acl, rte_lpm) get
 * their memory and the test leaves nothing behind.
 */
#ifndef SK_TEST_EAL_H
#define SK_TEST_EAL_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <rte_eal.h>

/* EAL makes /var/run/dpdk/<prefix> even without shared config: remove it. */
static void
sk_test_eal_cleanup(void)
{
	char cmd[96];

	rte_eal_cleanup();
	snprintf(cmd, sizeof(cmd), "rm -rf /var/run/dpdk/sktest%d", (int)getpid());
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove the EAL runtime dir\n");
}

static inline int
sk_test_eal_init(const char *prog)
{
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "--file-prefix=sktest%d", (int)getpid());
	char *argv[] = { (char *)prog, "--no-huge", "-m", "256", "--no-pci",
		"--no-shconf", "--no-telemetry", prefix, "--log-level=error", "-l", "0", NULL };
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;
	int rc = rte_eal_init(argc, argv);

	if (rc >= 0)
		atexit(sk_test_eal_cleanup);
	return rc;
}

#endif /* SK_TEST_EAL_H */
