/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_handlers.c - the HA resources' handlers (ha_api.h): GET /ha, POST
 * /ha/standby, POST /ha/release, and the commit gate of the config
 * handlers.  They reach the HA module only through cp->ha; a standalone
 * unit (cp->ha == NULL) answers GET with {"enabled": false}, refuses the
 * POSTs with 409 `not_ha`, and commits as it always did.
 *
 * The POSTs change who carries the traffic: besides the access log line
 * (and its "admin" event, cp_daemon.c), each is logged as an event
 * "ha_maintenance" with who, from where, the outcome and the roles before
 * and after.  It has its own word so that a flood of other HA events
 * cannot rate-limit an operator's action out of the log.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "api/ha_api.h"
#include "cp.h"
#include "logw/logw.h"

static int
need_ha(const struct sk_cp *cp, struct sk_api_resp *resp)
{
	if (cp->ha != NULL)
		return 0;
	sk_api_error(resp, 409, "not_ha", NULL,
		     "this unit is standalone: its config has no ha group");
	return -1;
}

static void
get_ha(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	json_t *doc = NULL;

	(void)req;
	if (cp->ha != NULL) {
		struct sk_ha_status st;

		memset(&st, 0, sizeof(st));
		sk_ha_status(cp->ha, &st);
		doc = sk_api_ha_json(&st);
	}
	if (cp->ha == NULL)
		doc = sk_api_ha_json(NULL);
	if (doc == NULL) {
		sk_api_error(resp, 500, "internal", NULL, "out of memory");
		return;
	}
	sk_api_ok(resp, doc);
}

static void
log_action(struct sk_cp *cp, const struct sk_api_req *req, const char *action,
	   const struct sk_ha_status *before, const struct sk_ha_status *after, int status,
	   const char *msg)
{
	json_t *f;

	if (cp->logw == NULL)
		return;
	f = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:I}", "action", action,
		      "principal", req->principal != NULL ? req->principal : "-",
		      "peer", req->peer != NULL ? req->peer : "-", "status", status,
		      "role_before", sk_api_ha_role_word(before->role),
		      "role_after", sk_api_ha_role_word(after->role),
		      "term", (json_int_t)after->term);
	if (f != NULL && msg != NULL && *msg != '\0')
		json_object_set_new(f, "message", json_string(msg));
	pthread_mutex_lock(&cp->log_lock);
	(void)sk_logw_event(cp->logw, "ha_maintenance", f);
	pthread_mutex_unlock(&cp->log_lock);
}

/* Both POSTs answer with GET /ha's document after the change, so the
 * caller sees where the pair stands now. */
static void
ha_action(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp, int standby)
{
	struct sk_ha_status before, after;
	unsigned int timeout_ms = 0;
	char err[256] = "";
	json_t *doc;
	int rc;

	if (standby && sk_api_ha_timeout(req, &timeout_ms, err, sizeof(err)) != 0) {
		sk_api_error(resp, 400, "bad_request", NULL, "%s", err);
		return;
	}
	memset(&before, 0, sizeof(before));
	sk_ha_status(cp->ha, &before);
	rc = standby ? sk_ha_force_standby(cp->ha, timeout_ms, err, sizeof(err)) :
		       sk_ha_release(cp->ha, err, sizeof(err));
	memset(&after, 0, sizeof(after));
	sk_ha_status(cp->ha, &after);
	if (rc != 0) {
		sk_api_ha_error(resp, rc, err);
	} else if ((doc = sk_api_ha_json(&after)) == NULL) {
		sk_api_error(resp, 500, "internal", NULL, "out of memory");
	} else {
		sk_api_ok(resp, doc);
	}
	log_action(cp, req, standby ? "standby" : "release", &before, &after, resp->status, err);
}

static int
ha_gate(struct sk_cp *cp, int force, struct sk_api_resp *resp, int *forced)
{
	struct sk_ha_status st;
	char err[256] = "";

	if (sk_ha_commit_allowed(cp->ha, 0, err, sizeof(err)) == 0)
		return 0;
	if (force) {
		/* The module has the last word even on force (ha.h: "0 if ...
		 * force"): one place decides. */
		err[0] = '\0';
		if (sk_ha_commit_allowed(cp->ha, 1, err, sizeof(err)) == 0) {
			*forced = 1;
			return 0;
		}
	}
	memset(&st, 0, sizeof(st));
	sk_ha_status(cp->ha, &st);
	sk_api_error(resp, 409, "standby",
		     json_pack("{s:s, s:b, s:o}", "role", sk_api_ha_role_word(st.role),
			       "peer_alive", st.peer_alive != 0, "peer_unit",
			       st.peer_known ? json_integer(st.peer_unit) : json_null()),
		     "%s%s", *err ? err : "this unit is not the active one",
		     force ? "" : " (commit on the active unit, whose commits reach this one, "
				  "or add force to commit here anyway)");
	return -EBUSY;
}

static void
post_standby(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	if (need_ha(cp, resp) != 0)
		return;
	ha_action(cp, req, resp, 1);
}

static void
post_release(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	if (need_ha(cp, resp) != 0)
		return;
	ha_action(cp, req, resp, 0);
}

int
sk_api_ha_commit_gate(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp,
		      int *forced)
{
	char err[256] = "";
	int force, dummy;

	if (forced == NULL)
		forced = &dummy;
	*forced = 0;
	/* A malformed flag is refused on a standalone unit too: the same
	 * request must not mean different things on different units. */
	if (sk_api_ha_force_flag(req, &force, err, sizeof(err)) != 0) {
		sk_api_error(resp, 400, "bad_request", NULL, "%s", err);
		return -EINVAL;
	}
	if (cp->ha == NULL)
		return 0;
	return ha_gate(cp, force, resp, forced);
}

const struct sk_api_route sk_api_routes_ha[] = {
	{ "GET", "/api/v1/ha", get_ha, "The HA pair: roles, peer, heartbeat paths, sync, hook" },
	{ "POST", "/api/v1/ha/standby", post_standby,
	  "Maintenance: hand the floating addresses to the peer and stay standby" },
	{ "POST", "/api/v1/ha/release", post_release,
	  "End maintenance: back to an ordinary standby" },
	{ NULL, NULL, NULL, NULL },
};
