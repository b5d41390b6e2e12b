/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha.c - the HA thread of sekisho-cp (ha.h, docs/ha.md): one poll loop
 * (10 ms) that drives the HA link (ha_link.h), sends a HEARTBEAT on it every
 * hb_interval_ms, reads the dataplane heartbeat path from the HA block in
 * shared memory, feeds both to the state machine (ha_fsm.h), and on every
 * transition logs it, persists the term and writes the wish for the
 * dataplane (want_role, want_term, then want_seq with release).
 *
 * Config sync is ha_sync.c; the transition log and the takeover hook are
 * ha_notify.c (they run after the wish is written, never before it).
 *
 * Clocks: our own CLOCK_MONOTONIC ms for the link; the dataplane's path is
 * judged on the dataplane's own 32-bit ms clock (peer_rx_ms against the
 * block's now_ms), and that clock must itself be moving (a dataplane whose
 * main lcore stopped writing the block has no live path).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <jansson.h>

#include "cp.h"
#include "dplink/dplink.h"
#include "ha.h"
#include "ha_fsm.h"
#include "ha_csync_link.h"
#include "ha_link.h"
#include "ha_priv.h"
#include "ha_hook.h"
#include "sk_image_api.h"

#ifndef SK_VERSION
#define SK_VERSION "unknown"
#endif

#define LOOP_MS 10


uint64_t
sk_ha_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
sk_ha_unix_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- link callbacks (HA thread) ---- */

static void
on_msg(void *ctx, uint8_t type, const void *payload, size_t len)
{
	struct sk_ha *ha = ctx;
	struct sk_ha_hbmsg m;
	uint64_t now = sk_ha_mono_ms();

	switch (type) {
	case SK_HA_MSG_HEARTBEAT:
		if (sk_ha_hbmsg_get(payload, len, &m) != 0)
			return;
		if (ha->link_rx_ms != 0 && ha->cfg.hb_interval_ms != 0 &&
		    now - ha->link_rx_ms > 2ull * ha->cfg.hb_interval_ms)
			ha->st.path[SK_HA_PATH_LINK].hb_missed +=
				(now - ha->link_rx_ms) / ha->cfg.hb_interval_ms - 1;
		ha->link_rx_ms = now;
		ha->lpeer = m;
		ha->lpeer_known = 1;
		ha->st.path[SK_HA_PATH_LINK].hb_recv++;
		break;
	case SK_HA_MSG_HANDOVER_REQ:
		pthread_mutex_lock(&ha->lock);
		ha->handover_asked = 1;
		pthread_mutex_unlock(&ha->lock);
		break;
	case SK_HA_MSG_HANDOVER_ACK:
		pthread_mutex_lock(&ha->lock);
		if (len >= 1 && ((const uint8_t *)payload)[0] == 1)
			ha->handover_acked = 1;
		else
			ha->handover_refused = 1;
		pthread_mutex_unlock(&ha->lock);
		break;
	default:
		if (sk_ha_csync_msg_type(type))
			sk_ha_csync_link_on_msg(ha, type, payload, len);
		else
			sk_ha_sync_on_msg(ha, type, payload, len);
		break;
	}
}

static void
on_state(void *ctx, enum sk_ha_link_state s, const char *reason)
{
	struct sk_ha *ha = ctx;

	switch (s) {
	case SK_HA_LINK_UP:
		if (!ha->link_is_up)
			sk_ha_log(ha, "link", NULL, "link up: %s", reason);
		ha->link_is_up = 1;
		if (ha->mismatch[0] != '\0')
			sk_ha_log(ha, "link", NULL, "greeting matches again");
		ha->mismatch[0] = '\0';
		ha->next_hb_ms = 0; /* greet with a heartbeat at once */
		sk_ha_sync_session(ha, sk_ha_mono_ms());
		sk_ha_csync_link_on_state(ha, s, reason);   /* resume or bulk sync */
		break;
	case SK_HA_LINK_MISMATCH:
		ha->link_is_up = 0;
		snprintf(ha->mismatch, sizeof(ha->mismatch), "greeting mismatch: %s", reason);
		break;
	default:
		if (ha->link_is_up)
			sk_ha_log(ha, "link", NULL, "link down: %s", reason);
		ha->link_is_up = 0;
		break;
	}
}

/* ---- the dataplane's block ---- */

static void
write_wish(struct sk_ha *ha, uint32_t role, uint64_t term)
{
	struct sk_shm_ha *s = ha->shm;

	if (s == NULL || __atomic_load_n(&s->enabled, __ATOMIC_ACQUIRE) != 1)
		return;
	s->want_role = role;
	s->want_term = term;
	ha->want_seq = __atomic_load_n(&s->want_seq, __ATOMIC_RELAXED) + 1;
	if (ha->want_seq == 0)
		ha->want_seq = 1;
	__atomic_store_n(&s->want_seq, ha->want_seq, __ATOMIC_RELEASE);
	ha->wrote_role = role;
	ha->wrote_term = term;
}

/* Is the dataplane heartbeat path up?  On the dataplane's clock. */
static int
data_path_up(struct sk_ha *ha, uint64_t now)
{
	struct sk_shm_ha *s = ha->shm;
	uint64_t dnow, rx, hb_rx;

	if (s == NULL || __atomic_load_n(&s->enabled, __ATOMIC_ACQUIRE) != 1)
		return 0;
	dnow = __atomic_load_n(&s->now_ms, __ATOMIC_ACQUIRE);
	rx = __atomic_load_n(&s->peer_rx_ms, __ATOMIC_ACQUIRE);
	hb_rx = __atomic_load_n(&s->hb_rx, __ATOMIC_RELAXED);
	if (dnow != ha->dp_now_seen) {
		ha->dp_now_seen = dnow;
		ha->dp_now_changed_ms = now;
	}
	if (hb_rx != ha->dp_hb_rx_seen) {
		ha->st.path[SK_HA_PATH_DATA].hb_recv += hb_rx - ha->dp_hb_rx_seen;
		ha->dp_hb_rx_seen = hb_rx;
	}
	ha->st.path[SK_HA_PATH_DATA].hb_sent = __atomic_load_n(&s->hb_tx, __ATOMIC_RELAXED);
	if (rx == 0) {
		ha->st.path[SK_HA_PATH_DATA].last_rx_ms_ago = UINT64_MAX;
		return 0;
	}
	ha->st.path[SK_HA_PATH_DATA].last_rx_ms_ago = (uint32_t)(dnow - rx);
	if (now - ha->dp_now_changed_ms >= ha->cfg.dead_ms)
		return 0; /* the dataplane's main lcore has stopped writing */
	return (uint32_t)(dnow - rx) < ha->cfg.dead_ms;
}

/* ---- the loop ---- */

static void
path_change(struct sk_ha *ha, int p, int up)
{
	static const char *const names[] = { "HA link", "dataplane heartbeat" };

	if (ha->path_up[p] == up)
		return;
	ha->path_up[p] = (uint8_t)up;
	sk_ha_log(ha, "path", json_pack("{s:s, s:b}", "path", p == SK_HA_PATH_LINK ? "link" : "data",
					"up", up),
		  "path %s %s%s", names[p], up ? "up" : "down",
		  !up && ha->path_up[!p] ? " (the other path is up: no takeover)" : "");
}

static void
send_hb(struct sk_ha *ha, uint64_t now)
{
	struct sk_ha_hbmsg m = {
		.unit = (uint8_t)ha->unit, .role = ha->fsm.role, .term = ha->fsm.term,
		.priority = (uint8_t)ha->cfg.unit[ha->unit - 1].priority,
		.generation = sk_ha_sync_generation(ha), .ready = ha->st.ready, .forced = ha->forced,
	};
	uint8_t buf[SK_HA_HBMSG_LEN];

	if (now < ha->next_hb_ms)
		return;
	ha->next_hb_ms = now + ha->cfg.hb_interval_ms;
	if (!ha->link_is_up)
		return;
	sk_ha_hbmsg_put(&m, buf);
	if (sk_ha_link_send(ha->link, SK_HA_MSG_HEARTBEAT, buf, sizeof(buf), SK_HA_PRIO_CTRL) == 0)
		ha->st.path[SK_HA_PATH_LINK].hb_sent++;
}

static void
tick(struct sk_ha *ha, uint64_t now)
{
	struct sk_hafsm_in in = { .now_ms = now };
	struct sk_shm_ha *s = ha->shm;
	uint32_t from = ha->fsm.role;
	uint8_t handover, ack, req;
	uint64_t gen;
	int lup, dup, changed;

	/* on_msg stamps with its own clock reading, which may be a ms past now */
	lup = ha->link_rx_ms != 0 &&
	      (ha->link_rx_ms >= now || now - ha->link_rx_ms < ha->cfg.dead_ms);
	dup = data_path_up(ha, now);
	path_change(ha, SK_HA_PATH_LINK, lup);
	path_change(ha, SK_HA_PATH_DATA, dup);
	in.link_up = (uint8_t)lup;
	in.data_up = (uint8_t)dup;
	if (lup && ha->lpeer_known) {
		in.peer_known = 1;
		in.peer.role = ha->lpeer.role;
		in.peer.term = ha->lpeer.term;
		in.peer.priority = ha->lpeer.priority;
		in.peer.priority_known = 1;
		in.peer.generation = ha->lpeer.generation;
		in.peer.ready = ha->lpeer.ready;
	} else if (dup) {
		/* the dataplane's view: its role and term in force; the priority
		 * from the last link heartbeat (0 if never: we win elections) */
		in.peer_known = 1;
		in.peer.role = __atomic_load_n(&s->peer_role, __ATOMIC_RELAXED);
		in.peer.term = __atomic_load_n(&s->peer_term, __ATOMIC_RELAXED);
		in.peer.generation = __atomic_load_n(&s->peer_generation, __ATOMIC_RELAXED);
		in.peer.priority = ha->lpeer_known ? ha->lpeer.priority : 0;
		in.peer.priority_known = ha->lpeer_known;
		in.peer.ready = ha->lpeer_known ? ha->lpeer.ready : 0;
		if (in.peer.role >= SK_HA_ROLE__MAX)
			in.peer_known = 0;
	}
	/* In sync: the same config generation as the peer (config sync keeps it). */
	gen = sk_ha_sync_generation(ha);
	/* and, against a live active (the link's or the dataplane heartbeat's
	 * view), its connection table received (bulk sync) */
	ha->st.ready = (uint8_t)(!in.peer_known || (in.peer.generation == gen &&
						     (in.peer.role != SK_HA_ROLE_ACTIVE ||
						      sk_ha_csync_ready(ha))));
	in.ready = ha->st.ready;
	in.fault = ha->mismatch[0] != '\0' ? ha->mismatch : NULL;

	pthread_mutex_lock(&ha->lock);
	in.forced = ha->forced;
	handover = ha->handover_asked;
	ha->handover_asked = 0;
	req = ha->handover_send;
	ha->handover_send = 0;
	pthread_mutex_unlock(&ha->lock);
	if (req && sk_ha_link_send(ha->link, SK_HA_MSG_HANDOVER_REQ, "", 0, SK_HA_PRIO_CTRL) != 0) {
		pthread_mutex_lock(&ha->lock);
		ha->handover_refused = 1;
		pthread_mutex_unlock(&ha->lock);
	}
	if (handover) {
		/* answer first: yes only if ready and the peer is the live active */
		ack = (uint8_t)(in.ready && in.peer_known && in.peer.role == SK_HA_ROLE_ACTIVE &&
				ha->fsm.role == SK_HA_ROLE_STANDBY);
		if (sk_ha_link_send(ha->link, SK_HA_MSG_HANDOVER_ACK, &ack, 1, SK_HA_PRIO_CTRL) != 0)
			ack = 0; /* the asker times out and stays active */
		in.handover = ack;
	}

	changed = sk_hafsm_step(&ha->fsm, &in);
	if (changed)
		ha->next_hb_ms = 0; /* tell the peer at once */
	if (ha->fsm.term > ha->saved_term) {
		if (sk_ha_term_save(ha->cp->state_dir, ha->fsm.term) == 0)
			ha->saved_term = ha->fsm.term;
		else
			fprintf(stderr, "sekisho-cp: ha: cannot save the term in %s/ha-term\n",
				ha->cp->state_dir);
	}
	/* The wish: on a change, and again after a dataplane restart (its block
	 * starts from zero, so want_seq is no longer ours). */
	/* INIT is never written: the dataplane starts in it, and a restarted
	 * sekisho-cp waiting out its start must not pull a running standby's
	 * dataplane back to init. */
	if (s != NULL && ha->fsm.role != SK_HA_ROLE_INIT &&
	    (ha->fsm.role != ha->wrote_role || ha->fsm.term != ha->wrote_term ||
			  (ha->want_seq != 0 &&
			   __atomic_load_n(&s->want_seq, __ATOMIC_ACQUIRE) != ha->want_seq)))
		write_wish(ha, ha->fsm.role, ha->fsm.term);
	else if (s != NULL && ha->fsm.announce)
		write_wish(ha, ha->fsm.role, ha->fsm.term); /* the same wish again: announce */
	if (s != NULL)
		__atomic_store_n(&s->cp_beat_ms, now, __ATOMIC_RELAXED);
	send_hb(ha, now);
	/* Logs and the hook after the dataplane has its wish: they may wait
	 * on the log writer or a fork. */
	if (changed)
		sk_ha_notify_transition(ha, from, now);
	if (ha->fsm.announce)
		sk_ha_log(ha, "announce", NULL, "announcing the floating addresses again: %s",
			  ha->fsm.announce_reason);
	sk_ha_sync_tick(ha, now);
	sk_ha_csync_tick(ha, now);
	sk_ha_notify_tick(ha, now);

	/* the snapshot */
	pthread_mutex_lock(&ha->lock);
	{
		struct sk_ha_status *st = &ha->st;
		struct sk_ha_link_stats ls;
		struct sk_ha_link_peer lp;

		st->role = ha->fsm.role;
		st->dp_role = s != NULL ? __atomic_load_n(&s->role, __ATOMIC_RELAXED) : 0;
		st->term = ha->fsm.term;
		st->generation = gen;
		st->forced = ha->forced;
		st->peer_alive = (uint8_t)(lup || dup);
		if (in.peer_known) {
			st->peer_role = in.peer.role;
			st->peer_term = in.peer.term;
			st->peer_generation = in.peer.generation;
			st->peer_priority = in.peer.priority;
		}
		if (sk_ha_link_peer(ha->link, &lp) == 0) {
			st->peer_known = 1;
			st->peer_unit = (uint8_t)lp.unit;
			snprintf(st->peer_version, sizeof(st->peer_version), "%s",
				 lp.hello.version);
		}
		st->path[SK_HA_PATH_LINK].up = (uint8_t)lup;
		st->path[SK_HA_PATH_LINK].last_rx_ms_ago =
			ha->link_rx_ms == 0 ? UINT64_MAX :
			ha->link_rx_ms >= now ? 0 : now - ha->link_rx_ms;
		st->path[SK_HA_PATH_DATA].up = (uint8_t)dup;
		snprintf(st->fault, sizeof(st->fault), "%s",
			 ha->fsm.role == SK_HA_ROLE_FAULT ? ha->mismatch : "");
		sk_ha_link_stats(ha->link, &ls);
		memcpy(st->link_errors, ls.errors, sizeof(st->link_errors));
		st->link_connects = ls.connects;
		st->msgs_sent = ls.msgs_sent;
		st->msgs_recv = ls.msgs_recv;
	}
	pthread_mutex_unlock(&ha->lock);
}

static void *
thread_main(void *arg)
{
	struct sk_ha *ha = arg;
	struct pollfd fds[SK_HA_LINK_MAX_FDS];

	while (!ha->stop) {
		uint64_t now = sk_ha_mono_ms();
		int n = sk_ha_link_fds(ha->link, fds, SK_HA_LINK_MAX_FDS);
		int to = sk_ha_link_timeout_ms(ha->link, now);

		if (to < 0 || to > LOOP_MS)
			to = LOOP_MS;
		if (to > sk_ha_csync_timeout_ms(ha))
			to = sk_ha_csync_timeout_ms(ha);   /* batches leave within 5 ms */
		if (poll(fds, (nfds_t)n, to) < 0 && errno != EINTR)
			break;
		now = sk_ha_mono_ms();
		sk_ha_link_service(ha->link, now, fds, n);
		tick(ha, now);
	}
	return NULL;
}

/* ---- API ---- */

static int
addr_of(uint8_t family, const uint8_t *a, uint16_t port, struct sockaddr_storage *ss,
	socklen_t *len)
{
	char ip[INET6_ADDRSTRLEN];

	if (inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, ip, sizeof(ip)) == NULL)
		return -EINVAL;
	return sk_ha_link_addr(ip, port, ss, len);
}

int
sk_ha_start(struct sk_cp *cp, unsigned int unit, struct sk_ha **out, char *err, size_t errlen)
{
	const struct sk_image_hdr *h = cp->running_img;
	const struct sk_img_ha *ic;
	const struct sk_img_settings *set;
	struct sk_ha_link_cfg lc;
	struct sk_hafsm_cfg fc;
	struct sk_ha *ha;
	uint32_t n = 0;
	uint32_t resume = SK_HA_ROLE_INIT;
	uint64_t term;
	int rc;

	*out = NULL;
	if (h == NULL || (ic = sk_image_sec(h, SK_SEC_HA, &n), n != 1)) {
		snprintf(err, errlen, "the running config has no ha group");
		return -EINVAL;
	}
	if (unit != 1 && unit != 2) {
		snprintf(err, errlen, "HA needs this unit's id: --unit 1|2 or /etc/sekisho/unit");
		return -EINVAL;
	}
	set = sk_image_settings(h);
	ha = calloc(1, sizeof(*ha));
	if (ha == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ha->cp = cp;
	ha->unit = unit;
	ha->cfg = *ic;
	if (ha->cfg.dead_ms == 0)
		ha->cfg.dead_ms = 200;
	if (ha->cfg.hb_interval_ms == 0)
		ha->cfg.hb_interval_ms = 50;
	pthread_mutex_init(&ha->lock, NULL);
	memset(&lc, 0, sizeof(lc));
	rc = sk_ha_link_key_from_file(ic->psk_file, lc.key, err, errlen);
	if (rc != 0)
		goto fail;
	lc.unit = unit;
	rc = addr_of(ic->unit[unit - 1].ha_family, ic->unit[unit - 1].ha_addr,
		     ic->unit[unit - 1].ha_port, &lc.local, &lc.local_len);
	if (rc == 0)
		rc = addr_of(ic->unit[2 - unit].ha_family, ic->unit[2 - unit].ha_addr,
			     ic->unit[2 - unit].ha_port, &lc.peer, &lc.peer_len);
	if (rc != 0) {
		snprintf(err, errlen, "ha: bad HA link address in the image");
		goto fail;
	}
	lc.dead_ms = ha->cfg.dead_ms;
	snprintf(lc.hello.version, sizeof(lc.hello.version), "%s", SK_VERSION);
	lc.hello.workers = set->workers;
	lc.hello.snat_layout = set->workers; /* the worker count decides who owns a port */
	snprintf(lc.hello.cluster, sizeof(lc.hello.cluster), "%s", ic->cluster);
	lc.on_msg = on_msg;
	lc.on_state = on_state;
	lc.ctx = ha;
	rc = sk_ha_link_create(&lc, &ha->link, err, errlen);
	memset(lc.key, 0, sizeof(lc.key));
	if (rc != 0)
		goto fail;

	/* Terms only grow: the persisted one, the dataplane's; a dataplane
	 * running active (this cp restarted) is resumed as it is. */
	ha->shm = cp->dp != NULL ? sk_dplink_ha(cp->dp) : NULL;
	term = sk_ha_term_load(cp->state_dir);
	ha->saved_term = term;
	ha->wrote_role = SK_HA_ROLE__MAX;
	if (ha->shm != NULL && __atomic_load_n(&ha->shm->enabled, __ATOMIC_ACQUIRE) == 1) {
		uint64_t dterm = __atomic_load_n(&ha->shm->term, __ATOMIC_ACQUIRE);
		uint32_t drole = __atomic_load_n(&ha->shm->role, __ATOMIC_ACQUIRE);

		if (dterm > term)
			term = dterm;
		if (drole == SK_HA_ROLE_ACTIVE)
			resume = SK_HA_ROLE_ACTIVE;
		/* what the dataplane runs is our last wish: no write at start */
		ha->wrote_role = drole;
		ha->wrote_term = dterm;
		ha->want_seq = __atomic_load_n(&ha->shm->want_seq, __ATOMIC_ACQUIRE);
	}
	fc = (struct sk_hafsm_cfg){
		.unit = (uint8_t)unit, .priority = (uint8_t)ic->unit[unit - 1].priority,
		.preempt = ic->preempt, .preempt_hold_ms = ic->preempt_hold_ms,
		.dead_ms = ha->cfg.dead_ms,
	};
	sk_hafsm_init(&ha->fsm, &fc, sk_ha_mono_ms(), term, resume);
	if (resume == SK_HA_ROLE_ACTIVE)
		ha->wrote_term = ha->fsm.term;
	ha->st.enabled = 1;
	ha->st.unit = (uint8_t)unit;
	ha->st.priority = fc.priority;
	ha->st.preempt = fc.preempt;
	ha->st.role = ha->fsm.role;
	ha->st.term = ha->fsm.term;
	rc = sk_ha_notify_init(ha, err, errlen);
	if (rc != 0)
		goto fail;
	rc = sk_ha_sync_init(ha);
	if (rc != 0) {
		snprintf(err, errlen, "ha: config sync: %s", strerror(-rc));
		goto fail;
	}
	rc = sk_ha_csync_init(ha);
	if (rc != 0) {
		snprintf(err, errlen, "ha: connection sync: %s", strerror(-rc));
		goto fail;
	}
	printf("sekisho-cp: ha: unit %u of cluster \"%s\", priority %u, %s (term %" PRIu64
	       "), link %u ms / dead %u ms, listening on port %u%s%s\n",
	       unit, ic->cluster, fc.priority, sk_ha_role_name(ha->fsm.role), ha->fsm.term,
	       ha->cfg.hb_interval_ms, ha->cfg.dead_ms, sk_ha_link_local_port(ha->link),
	       ha->hook != NULL ? ", hook " : "", ha->hook != NULL ? ha->cfg.hook : "");
	fflush(stdout);
	rc = -pthread_create(&ha->thr, NULL, thread_main, ha);
	if (rc != 0) {
		snprintf(err, errlen, "ha: thread: %s", strerror(-rc));
		goto fail;
	}
	ha->running = 1;
	*out = ha;
	return 0;
fail:
	sk_ha_csync_fini(ha);
	sk_ha_sync_fini(ha);
	sk_ha_notify_fini(ha);
	sk_ha_link_free(&ha->link);
	pthread_mutex_destroy(&ha->lock);
	free(ha);
	return rc < 0 ? rc : -EINVAL;
}

void
sk_ha_stop(struct sk_ha **hap)
{
	struct sk_ha *ha = hap != NULL ? *hap : NULL;

	if (ha == NULL)
		return;
	ha->stop = 1;
	if (ha->running)
		pthread_join(ha->thr, NULL);
	sk_ha_csync_fini(ha);  /* after the HA thread: the workers stop emitting */
	sk_ha_sync_fini(ha);   /* after the HA thread: it signals the applier */
	sk_ha_notify_fini(ha);
	sk_ha_link_free(&ha->link);
	pthread_mutex_destroy(&ha->lock);
	free(ha);
	*hap = NULL;
}

void
sk_ha_status(struct sk_ha *ha, struct sk_ha_status *out)
{
	if (ha == NULL) {
		memset(out, 0, sizeof(*out));
		return;
	}
	pthread_mutex_lock(&ha->lock);
	*out = ha->st;
	pthread_mutex_unlock(&ha->lock);
}

int
sk_ha_commit_allowed(struct sk_ha *ha, int force, char *err, size_t errlen)
{
	struct sk_ha_status st;

	if (ha == NULL || force)
		return 0;
	sk_ha_status(ha, &st);
	if (st.role == SK_HA_ROLE_ACTIVE || !st.peer_alive)
		return 0;
	snprintf(err, errlen, "this unit is %s (unit %u is active): commit on the active, "
		 "or force", sk_ha_role_name(st.role), st.peer_unit ? st.peer_unit : 3 - st.unit);
	return -EBUSY;
}

/* Wait (up to ms) until the HA thread has acted on a maintenance flag, so
 * that the caller's answer shows the new role: role == want, or (!eq)
 * role != want. */
static void
settle(struct sk_ha *ha, uint32_t want, int eq, unsigned int ms)
{
	const struct timespec pause = { 0, 5 * 1000000 };
	uint64_t end = sk_ha_mono_ms() + ms;
	struct sk_ha_status st;

	do {
		sk_ha_status(ha, &st);
		if ((st.role == want) == !!eq)
			return;
		nanosleep(&pause, NULL);
	} while (sk_ha_mono_ms() < end);
}

int
sk_ha_force_standby(struct sk_ha *ha, unsigned int timeout_ms, char *err, size_t errlen)
{
	struct sk_ha_status st;
	const struct timespec pause = { 0, 10 * 1000000 };
	uint64_t end = sk_ha_mono_ms() + timeout_ms;
	int rc;

	if (ha == NULL) {
		snprintf(err, errlen, "HA is not enabled");
		return -EINVAL;
	}
	sk_ha_status(ha, &st);
	if (st.role != SK_HA_ROLE_ACTIVE) {
		/* nothing to hand over: just stay out of service */
		pthread_mutex_lock(&ha->lock);
		ha->forced = 1;
		pthread_mutex_unlock(&ha->lock);
		settle(ha, SK_HA_ROLE_FORCED_STANDBY, 1, 500);
		return 0;
	}
	if (!st.peer_alive || !st.path[SK_HA_PATH_LINK].up) {
		snprintf(err, errlen, "no live peer on the HA link to hand over to");
		return -ENOTCONN;
	}
	/* The link belongs to the HA thread (not thread-safe): it sends the
	 * request at its next loop. */
	pthread_mutex_lock(&ha->lock);
	ha->handover_acked = ha->handover_refused = 0;
	ha->handover_send = 1;
	pthread_mutex_unlock(&ha->lock);
	rc = -EAGAIN;
	for (;;) {
		uint8_t acked, refused;

		pthread_mutex_lock(&ha->lock);
		acked = ha->handover_acked;
		refused = ha->handover_refused;
		pthread_mutex_unlock(&ha->lock);
		sk_ha_status(ha, &st);
		if (refused) {
			snprintf(err, errlen, "the peer is not ready to take over (not in sync)");
			return -EAGAIN;
		}
		/* done when the peer is active with a newer term: we yielded */
		if (acked && st.role != SK_HA_ROLE_ACTIVE) {
			pthread_mutex_lock(&ha->lock);
			ha->forced = 1;
			pthread_mutex_unlock(&ha->lock);
			settle(ha, SK_HA_ROLE_FORCED_STANDBY, 1, 500);
			return 0;
		}
		if (sk_ha_mono_ms() >= end)
			break;
		nanosleep(&pause, NULL);
	}
	snprintf(err, errlen, "the peer did not take over within %u ms", timeout_ms);
	return rc;
}

int
sk_ha_release(struct sk_ha *ha, char *err, size_t errlen)
{
	if (ha == NULL) {
		snprintf(err, errlen, "HA is not enabled");
		return -EINVAL;
	}
	pthread_mutex_lock(&ha->lock);
	ha->forced = 0;
	pthread_mutex_unlock(&ha->lock);
	settle(ha, SK_HA_ROLE_FORCED_STANDBY, 0, 500);
	return 0;
}
