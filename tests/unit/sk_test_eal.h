/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sk_test_eal.h - bring EAL up for unit tests without hugepages, PCI or
 * shared files, so the DPDK libraries (rte_hash, rte_acl, rte_lpm) get
 * their memory and the test leaves nothing behind.
 */
#ifndef SK_TEST_EAL_H
#define SK_TEST_EAL_H

#include <stdio.h>
#include <unistd.h>
#include <rte_eal.h>

static inline int
sk_test_eal_init(const char *prog)
{
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "--file-prefix=sktest%d", (int)getpid());
	char *argv[] = { (char *)prog, "--no-huge", "-m", "256", "--no-pci",
		"--no-shconf", prefix, "--log-level=error", "-l", "0", NULL };
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;
	return rte_eal_init(argc, argv);
}

#endif /* SK_TEST_EAL_H */
