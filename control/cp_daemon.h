/* SPDX-License-Identifier: BSD-3-Clause */
/* cp_daemon.h - the control-plane daemon (see cp_daemon.c). */
#ifndef SK_CP_DAEMON_H
#define SK_CP_DAEMON_H

/* Runs until SIGINT/SIGTERM. Exit status: 0, 1 config/setup error, 3 no dataplane. */
int sk_cp_daemon(const char *config_path);

/* The same with this unit's HA id (--unit N: 1 or 2; 0: /etc/sekisho/unit,
 * needed only when the config has an `ha` group). */
int sk_cp_daemon_unit(const char *config_path, int unit);

#endif /* SK_CP_DAEMON_H */
