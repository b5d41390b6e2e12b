/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_offline.h - `sekishoctl --offline ...`: checks and traces that need no
 * running unit (config file in, answer out), computed by the same compiled
 * classifier code the dataplane runs (control/verify); ctl_offline.c.
 *
 *   sekishoctl --offline check FILE
 *   sekishoctl --offline trace -f FILE --from ZONE|--in IFACE --src A --dst B
 *              --proto P [--sport N] [--dport N] [--flags S|A|SA|...] [--icmp-type T --icmp-code C]
 *   sekishoctl --offline lint -f FILE
 *   sekishoctl --offline exposure -f FILE
 * Output: tables for people, JSON with --json.  Exit 0 on success, 1 when
 * the config is invalid (file:line errors on stderr), 2 on usage errors.
 */
#ifndef SK_CTL_OFFLINE_H
#define SK_CTL_OFFLINE_H

/* argv[0] is the subcommand ("check", "trace", ...); json != 0 for --json. */
int sk_ctl_offline(int argc, char **argv, int json);

#endif /* SK_CTL_OFFLINE_H */
