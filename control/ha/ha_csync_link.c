/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_csync_link.c - where connection sync (ha_csync.c) meets the HA link:
 * which link messages are its own, and the link callbacks that hand them
 * over and start a session when the link comes up.  ha.c's callbacks route
 * their connection-sync share through these; two units in one process
 * (tests/unit/test_csync, perf/bench_sync) use them as they are, with a
 * link over 127.0.0.1 made by sk_ha_csync_link_loopback, for a struct
 * sk_ha that sk_ha_csync_pair_unit set up around stand-in rings.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ha_csync_link.h"

int
sk_ha_csync_msg_type(uint8_t type)
{
	switch (type) {
	case SK_HA_MSG_CONN_RECORDS:
	case SK_HA_MSG_ACK:
	case SK_HA_MSG_BULK_BEGIN:
	case SK_HA_MSG_BULK_END:
		return 1;
	default:
		return 0;
	}
}

void
sk_ha_csync_link_on_msg(void *ctx, uint8_t type, const void *payload, size_t len)
{
	if (sk_ha_csync_msg_type(type))
		sk_ha_csync_on_msg(ctx, type, payload, len);
}

void
sk_ha_csync_link_on_state(void *ctx, enum sk_ha_link_state st, const char *reason)
{
	struct sk_ha *ha = ctx;

	(void)reason;
	ha->link_is_up = st == SK_HA_LINK_UP;
	/* a new session: resume from the standby's last batch, or a bulk sync */
	if (st == SK_HA_LINK_UP)
		sk_ha_csync_session(ha);
}

int
sk_ha_csync_link_loopback(struct sk_ha *ha, const struct sk_ha_csync_loop *lp, char *err,
			  size_t errlen)
{
	struct sk_ha_link_cfg lc;
	int rc;

	memset(&lc, 0, sizeof(lc));
	memcpy(lc.key, lp->key, SK_HA_KEY_LEN);
	lc.unit = ha->unit;
	if (sk_ha_link_addr("127.0.0.1", lp->lport, &lc.local, &lc.local_len) != 0 ||
	    sk_ha_link_addr("127.0.0.1", lp->pport, &lc.peer, &lc.peer_len) != 0) {
		snprintf(err, errlen, "bad loopback port");
		return -EINVAL;
	}
	lc.dead_ms = lp->dead_ms;
	snprintf(lc.hello.version, sizeof(lc.hello.version), "%s", lp->name);
	snprintf(lc.hello.cluster, sizeof(lc.hello.cluster), "%s", lp->name);
	lc.hello.workers = lp->workers;
	lc.on_msg = sk_ha_csync_link_on_msg;
	lc.on_state = sk_ha_csync_link_on_state;
	lc.ctx = ha;
	rc = sk_ha_link_create(&lc, &ha->link, err, errlen);
	memset(lc.key, 0, sizeof(lc.key));
	return rc;
}

int
sk_ha_csync_pair_unit(struct sk_ha *ha, struct sk_cp *cp, unsigned int unit, uint32_t role,
		      uint32_t peer_role, struct sk_sync_shm *sh, unsigned int n_workers)
{
	memset(ha, 0, sizeof(*ha));
	ha->cp = cp;
	ha->unit = unit;
	ha->fsm.role = role;
	ha->lpeer_known = 1;   /* as if the peer's heartbeat had come */
	ha->lpeer.role = peer_role;
	pthread_mutex_init(&ha->lock, NULL);
	if (sk_ha_csync_init(ha) != 0)
		return -ENOMEM;
	/* sk_ha_csync_init finds a dataplane's rings by its memzone; two units
	 * in one process need two blocks */
	ha->csync.shm = sh;
	ha->csync.n_workers = n_workers;
	ha->csync.st.enabled = 1;
	return 0;
}
