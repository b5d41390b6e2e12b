/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_capture.h - sekishoctl capture: the pure pieces (unit tested) of the
 * wrapper around DPDK's dpdk-dumpcap.  The command itself is in
 * ctl_cmd_capture.c; the method is in docs/security.md.
 */
#ifndef SK_CTL_CAPTURE_H
#define SK_CTL_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "ctl.h"

/*
 * The wrapper's own bound on dumpcap (ctl_cmd_capture.c): the capture's
 * duration plus this long for dumpcap's EAL start as a secondary process and
 * the unit's pdump enable (seconds on a busy host), then SIGINT, and SIGKILL
 * this many ms later if the file is still not closed.
 */
#define SK_CTL_CAPTURE_ATTACH_S 60
#define SK_CTL_CAPTURE_KILL_MS 5000

/* Room sk_ctl_capture_argv needs: argv entries and their text. */
#define SK_CTL_CAPTURE_ARGV_MAX 24
#define SK_CTL_CAPTURE_ARG_LEN 96

struct sk_ctl_capture_argv {
	char *argv[SK_CTL_CAPTURE_ARGV_MAX];
	char store[8][SK_CTL_CAPTURE_ARG_LEN];
};

/*
 * The dpdk-dumpcap command line for c on the unit with EAL file prefix
 * prefix, DPDK port port_id: pcapng to c->file, never promiscuous (the
 * capture must not change what the unit receives), stopped by size
 * (filesize, kB) and time (duration) always, and by count when given.
 * out->argv is NULL-terminated and points into out and c.  0 or -EINVAL.
 */
int sk_ctl_capture_argv(const struct sk_ctl_capture *c, const char *dumpcap,
			const char *prefix, uint16_t port_id, struct sk_ctl_capture_argv *out)
	__attribute__((warn_unused_result));

/*
 * The DPDK port id of interface port (its name in the config, or a port id)
 * in a GET /counters answer ("ports": {name: {"port": id, ...}}).
 * 0, or -ENOENT when the unit has no such port.
 */
int sk_ctl_capture_port(const json_t *counters, const char *port, uint16_t *port_id)
	__attribute__((warn_unused_result));

#endif /* SK_CTL_CAPTURE_H */
