/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_main.c - sekishoctl: parse, pick the command group, exit with its
 * status.  --offline goes to sk_ctl_offline().
 */
#include <stdio.h>
#include <stdlib.h>

#include "ctl.h"
#include "ctl_http.h"
#include "ctl_offline.h"

static const char *
env(const char *name)
{
	return getenv(name);
}

static int
run_offline(const struct sk_ctl_args *a)
{
	return sk_ctl_offline(a->off_argc, a->off_argv, a->json);
}

static int
dispatch(struct sk_ctl_http *h, const struct sk_ctl_args *a)
{
	switch (a->cmd) {
	case SK_CTL_CMD_STATUS:
	case SK_CTL_CMD_ZONES:
	case SK_CTL_CMD_RULES:
	case SK_CTL_CMD_COUNTERS:
		return sk_ctl_cmd_status(h, a);
	case SK_CTL_CMD_CONFIG_SHOW:
	case SK_CTL_CMD_CONFIG_CHECK:
	case SK_CTL_CMD_CONFIG_COMMIT:
	case SK_CTL_CMD_CONFIG_CONFIRM:
	case SK_CTL_CMD_CONFIG_DIFF:
	case SK_CTL_CMD_CONFIG_ROLLBACK:
		return sk_ctl_cmd_config(h, a);
	case SK_CTL_CMD_ARCHIVES:
	case SK_CTL_CMD_ARCHIVE_SHOW:
	case SK_CTL_CMD_ARCHIVE_EXPORT:
	case SK_CTL_CMD_ARCHIVE_IMPORT:
		return sk_ctl_cmd_archive(h, a);
	case SK_CTL_CMD_CONNS:
	case SK_CTL_CMD_CONNS_COUNT:
	case SK_CTL_CMD_CONNS_KILL:
		return sk_ctl_cmd_conns(h, a);
	case SK_CTL_CMD_TRACE:
	case SK_CTL_CMD_LINT:
	case SK_CTL_CMD_EXPOSURE:
		return sk_ctl_cmd_verify(h, a);
	case SK_CTL_CMD_LOGS:
		return sk_ctl_cmd_logs(h, a);
	case SK_CTL_CMD_TOP:
		return sk_ctl_cmd_top(h, a);
	case SK_CTL_CMD_SERVICES:
	case SK_CTL_CMD_BACKEND:
		return sk_ctl_cmd_services(h, a);
	case SK_CTL_CMD_CAPTURE:
		return sk_ctl_cmd_capture(h, a);
	case SK_CTL_CMD_HA:
	case SK_CTL_CMD_HA_STANDBY:
	case SK_CTL_CMD_HA_RELEASE:
		return sk_ctl_cmd_ha(h, a);
	default:
		return SK_CTL_EXIT_USAGE;
	}
}

int
main(int argc, char **argv)
{
	struct sk_ctl_args a;
	struct sk_ctl_http *h;
	char err[256];
	int rc;

	rc = sk_ctl_args_parse(argc, argv, &a, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "sekishoctl: %s\n", err);
		return rc;
	}
	if (a.cmd == SK_CTL_CMD_HELP) {
		sk_ctl_usage(stdout);
		return 0;
	}
	if (a.cmd == SK_CTL_CMD_OFFLINE)
		return run_offline(&a);
	sk_ctl_args_env(&a, env);
	rc = sk_ctl_http_open(&a, &h, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "sekishoctl: %s\n", err);
		return rc;
	}
	rc = dispatch(h, &a);
	sk_ctl_http_close(h);
	fflush(stdout);
	return rc;
}
