/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_api.h - the HA pair's REST resources (docs/rest.md "HA pair"):
 *
 *   GET  /api/v1/ha            the whole struct sk_ha_status as JSON;
 *                              {"enabled": false} on a standalone unit
 *   POST /api/v1/ha/standby    maintenance: hand the floating addresses to
 *                              the peer and stay standby (sk_ha_force_standby)
 *   POST /api/v1/ha/release    end maintenance (sk_ha_release)
 *
 * and the gate the config handlers (control/store/config_api.c) pass before
 * a commit, rollback or committing import: a standby refuses a direct
 * commit (409 `standby`) unless the request says force.
 *
 * ha_api.c is pure (status struct in, JSON out; the request's flags; the
 * module's -errno to an API error), so the unit tests drive it with a
 * status they fill; ha_handlers.c holds the handlers, which call the HA
 * module (control/ha/ha.h) through cp->ha.  A standalone unit has
 * cp->ha == NULL and never reaches the module.
 * Threading: handlers run on the REST thread, one at a time (cp.h); the HA
 * module's functions take its own lock (ha.h).
 */
#ifndef SK_HA_API_H
#define SK_HA_API_H

#include <stdint.h>
#include <jansson.h>

#include "api/api.h"
#include "ha/ha.h"

struct sk_cp;

/* Route table: the daemon adds it to the REST server's tables. */
extern const struct sk_api_route sk_api_routes_ha[];

/* How long POST /ha/standby waits for the peer by default, and at most
 * (?timeout_ms= or {"timeout_ms"}): the REST thread waits with it, and
 * sekishoctl's default request timeout is 30 s. */
#define SK_API_HA_STANDBY_TIMEOUT_MS 5000u
#define SK_API_HA_STANDBY_TIMEOUT_MAX_MS 20000u

/* ---- pure pieces (ha_api.c) ---- */

/* Role word of enum sk_ha_role ("init", "standby", "active",
 * "forced-standby", "fault"); "unknown" out of range. */
const char *sk_api_ha_role_word(uint32_t role);
/* Link error kind word of enum sk_ha_linkerr ("bad_mac", ...); "unknown"
 * out of range. */
const char *sk_api_ha_linkerr_word(unsigned int kind);

/*
 * GET /ha's document from a status snapshot (docs/rest.md): enabled, unit,
 * priority, preempt, role, dp_role, term, generation, ready, forced,
 * fault, peer{known, alive, unit, priority, role, term, generation,
 * version}, paths{link, data: {up, last_rx_ms_ago, heartbeats{sent,
 * received, missed}}}, link{connects, messages_sent, messages_received,
 * errors{kind: n}}, transitions{count, last{from, to, reason, time_ms}},
 * config_sync{pushed, applied, failed, lag_ms}, hook{state, runs, last_rc,
 * output}.  A status with enabled == 0 (or NULL) gives {"enabled": false}.
 * NULL on ENOMEM.
 */
json_t *sk_api_ha_json(const struct sk_ha_status *st);

/* The short form GET /status carries on an HA unit: {unit, role, term,
 * generation, peer{alive, role, generation}}.  NULL on ENOMEM. */
json_t *sk_api_ha_summary_json(const struct sk_ha_status *st);

/*
 * The request's force flag: {"force": true|false} in a JSON body, or the
 * query ?force=1|true|0|false (the query is the only way for a request
 * whose body is not JSON: archive import).  0 or 1 in *force; -EINVAL with
 * err filled when it is there but neither (answer 400).
 */
int sk_api_ha_force_flag(const struct sk_api_req *req, int *force, char *err, size_t errlen);

/* POST /ha/standby's wait: timeout_ms from the body or the query, else the
 * default; -EINVAL with err filled outside 1..SK_API_HA_STANDBY_TIMEOUT_MAX_MS. */
int sk_api_ha_timeout(const struct sk_api_req *req, unsigned int *timeout_ms, char *err,
		      size_t errlen);

/* The HA module's -errno from sk_ha_force_standby / sk_ha_release as the
 * API's error (msg: the module's words): -EAGAIN 409 not_ready, -ENOTCONN
 * 503 no_peer, -ETIMEDOUT 504 timeout, -EALREADY/-EBUSY/-EINVAL/-EPERM 409
 * ha_refused, anything else 500 internal.  Returns resp->status. */
int sk_api_ha_error(struct sk_api_resp *resp, int rc, const char *msg);

/* ---- for the config handlers (ha_handlers.c) ---- */

/*
 * May this request commit on this unit?  0 when it may (standalone, or the
 * HA module allows it, or the request says force and the module accepts
 * that); otherwise resp is filled (409 `standby`, or 400 for a malformed
 * force flag) and -EBUSY / -EINVAL returned.  *forced (may be NULL) is set
 * when the commit goes ahead only because of force, for the log.
 */
int sk_api_ha_commit_gate(struct sk_cp *cp, const struct sk_api_req *req,
			  struct sk_api_resp *resp, int *forced)
	__attribute__((warn_unused_result));

#endif /* SK_HA_API_H */
