/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * offline_main.c - test driver: `sk-verify-offline [--json] CMD ARGS...` is
 * `sekishoctl --offline [--json] CMD ARGS...` (control/ctl/ctl_offline.h)
 * without the rest of sekishoctl.  Not installed.
 */
#include <string.h>

#include "ctl/ctl_offline.h"

int
main(int argc, char **argv)
{
	int json = 0, i = 1;

	if (i < argc && strcmp(argv[i], "--json") == 0) {
		json = 1;
		i++;
	}
	return sk_ctl_offline(argc - i, argv + i, json);
}
