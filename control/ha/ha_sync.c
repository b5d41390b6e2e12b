/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_sync.c - config sync between the two units (docs/ha.md "Config
 * sync"): the active pushes every generation it runs that the standby does
 * not (CONFIG_PUSH: generation, image, text) and the standby applies it as
 * the same generation (sk_store_commit_image: same number, same image,
 * archived) and answers CONFIG_RESULT; a standby behind a live active asks
 * for it (CONFIG_PULL) so that a unit that joins takes the active's config
 * before it is ready.  The active measures the lag (its commit -> the
 * peer's result).
 *
 * Why a thread of its own for applying: a commit may take seconds (a large
 * rule set is compiled by the dataplane) and the HA thread must keep
 * beating meanwhile.  The applier holds cp->dp_lock like a REST commit, so
 * it never runs beside one.
 *
 * Messages (integers big-endian):
 *   CONFIG_PUSH   version, flags, 2 x 0, img_len u32, text_len u32, 4 x 0,
 *                 generation u64, then img_len bytes of image, text_len of text
 *   CONFIG_RESULT version, ok, 2 x 0, msg_len u32, generation u64, msg
 *   CONFIG_PULL   version, 3 x 0, 4 x 0, generation u64 (what the asker runs)
 * The link authenticates and reassembles them; a malformed one is ignored.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cp.h"
#include "dplink/dplink.h"
#include "ha_link.h"
#include "ha_priv.h"

#define SYNC_VERSION 1
#define PUSH_HDR 24
#define RESULT_HDR 16
#define PULL_LEN 16
#define RETRY_MS 5000          /* a push not answered (or refused) is sent again after */

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static void
copy_free(struct sk_ha_cfgcopy *c)
{
	free(c->img);
	free(c->text);
	memset(c, 0, sizeof(*c));
}

/* A copy of gen's image (its header stamped with gen) and text. */
static int
copy_make(struct sk_ha_cfgcopy *c, uint64_t gen, const void *img, size_t img_len,
	  const char *text, size_t text_len)
{
	memset(c, 0, sizeof(*c));
	c->img = malloc(img_len > 0 ? img_len : 1);
	c->text = malloc(text_len + 1);
	if (c->img == NULL || c->text == NULL) {
		copy_free(c);
		return -ENOMEM;
	}
	if (img_len > 0)
		memcpy(c->img, img, img_len);
	if (img_len >= sizeof(struct sk_image_hdr))
		((struct sk_image_hdr *)c->img)->generation = gen;
	if (text_len > 0)
		memcpy(c->text, text, text_len);
	c->text[text_len] = '\0';
	c->gen = gen;
	c->img_len = img_len;
	c->text_len = text_len;
	return 0;
}

/* ---- the applier thread ---- */

static int
dp_commit(void *ctx, const void *img, size_t len, uint64_t replaces, uint64_t *gen,
	  uint64_t *build_us, char *err, size_t errlen)
{
	return sk_dplink_commit(ctx, img, len, replaces, gen, build_us, err, errlen);
}

static void *
applier(void *arg)
{
	struct sk_ha *ha = arg;
	struct sk_cp *cp = ha->cp;

	for (;;) {
		struct sk_ha_cfgcopy c;
		struct sk_store_commit_res res;
		struct sk_cfg_diag diag;
		char err[200] = "", principal[32], source[48];
		sk_store_commit_fn fn;
		void *fn_ctx;
		uint64_t t0;
		int rc;

		pthread_mutex_lock(&ha->lock);
		while (!ha->sync.stop && ha->sync.in.gen == 0)
			pthread_cond_wait(&ha->sync.cond, &ha->lock);
		if (ha->sync.stop) {
			pthread_mutex_unlock(&ha->lock);
			return NULL;
		}
		c = ha->sync.in;
		memset(&ha->sync.in, 0, sizeof(ha->sync.in));
		ha->sync.applying = 1;
		fn = ha->sync.fn;
		fn_ctx = ha->sync.fn_ctx;
		snprintf(principal, sizeof(principal), "ha:unit %u", ha->sync.in_peer);
		pthread_mutex_unlock(&ha->lock);

		snprintf(source, sizeof(source), "sync:%" PRIu64, c.gen);
		sk_cfg_diag_init(&diag);
		t0 = sk_ha_mono_ms();
		pthread_mutex_lock(&cp->dp_lock);
		rc = sk_store_commit_image(cp, c.gen, c.img, c.img_len, c.text, c.text_len,
					   principal, source, fn, fn_ctx, &diag, &res, err,
					   sizeof(err));
		pthread_mutex_unlock(&cp->dp_lock);
		if (rc == -EINVAL && sk_cfg_diag_count(&diag) > 0)
			snprintf(err, sizeof(err), "%s", sk_cfg_diag_msg(&diag, 0));
		else if (rc == 0 && res.warning[0] != '\0')
			snprintf(err, sizeof(err), "%.190s", res.warning);
		sk_cfg_diag_free(&diag);

		pthread_mutex_lock(&ha->lock);
		ha->sync.applying = 0;
		ha->sync.done = 1;
		ha->sync.done_gen = c.gen;
		ha->sync.done_rc = rc == -EALREADY ? 0 : rc;
		ha->sync.done_ms = sk_ha_mono_ms() - t0;
		snprintf(ha->sync.done_msg, sizeof(ha->sync.done_msg), "%s",
			 rc == -EALREADY ? "already running" : err);
		pthread_mutex_unlock(&ha->lock);
		copy_free(&c);
	}
}

int
sk_ha_sync_init(struct sk_ha *ha)
{
	struct sk_cp *cp = ha->cp;
	int rc;

	pthread_cond_init(&ha->sync.cond, NULL);
	ha->sync.fn = cp->dp != NULL ? dp_commit : NULL;
	ha->sync.fn_ctx = cp->dp;
	rc = copy_make(&ha->sync.cur, cp->generation, cp->running_img, cp->running_img_len,
		       cp->running_text != NULL ? cp->running_text : "",
		       cp->running_text != NULL ? strlen(cp->running_text) : 0);
	if (rc != 0)
		return rc;
	ha->sync.cur_ms = sk_ha_mono_ms();
	rc = -pthread_create(&ha->sync.thr, NULL, applier, ha);
	if (rc == 0)
		ha->sync.thr_running = 1;
	return rc;
}

void
sk_ha_sync_fini(struct sk_ha *ha)
{
	if (ha->sync.thr_running) {
		pthread_mutex_lock(&ha->lock);
		ha->sync.stop = 1;
		pthread_cond_signal(&ha->sync.cond);
		pthread_mutex_unlock(&ha->lock);
		pthread_join(ha->sync.thr, NULL);
		ha->sync.thr_running = 0;
	}
	copy_free(&ha->sync.cur);
	copy_free(&ha->sync.in);
	pthread_cond_destroy(&ha->sync.cond);
}

void
sk_ha_set_commit_fn(struct sk_ha *ha, sk_store_commit_fn fn, void *ctx)
{
	pthread_mutex_lock(&ha->lock);
	ha->sync.fn = fn;
	ha->sync.fn_ctx = ctx;
	pthread_mutex_unlock(&ha->lock);
}

uint64_t
sk_ha_sync_generation(struct sk_ha *ha)
{
	uint64_t g;

	pthread_mutex_lock(&ha->lock);
	g = ha->sync.cur.gen;
	pthread_mutex_unlock(&ha->lock);
	return g;
}

void
sk_ha_committed(struct sk_ha *ha, uint64_t generation, const void *img, size_t img_len,
		const char *text, size_t text_len)
{
	struct sk_ha_cfgcopy c;

	if (ha == NULL)
		return;
	/* copied outside the lock: an image may be megabytes */
	if (copy_make(&c, generation, img, img_len, text != NULL ? text : "",
		      text != NULL ? text_len : 0) != 0) {
		fprintf(stderr, "sekisho-cp: ha: no memory to keep generation %" PRIu64
			" for the peer\n", generation);
		return;
	}
	pthread_mutex_lock(&ha->lock);
	copy_free(&ha->sync.cur);
	ha->sync.cur = c;
	ha->sync.cur_ms = sk_ha_mono_ms();
	pthread_mutex_unlock(&ha->lock);
	/* the HA thread sees a generation the peer does not run and pushes it
	 * at its next loop (if this unit is the active one) */
}

/* ---- the HA thread's side ---- */

static void
send_result(struct sk_ha *ha, uint64_t gen, int ok, const char *msg)
{
	size_t ml = strlen(msg);
	uint8_t buf[RESULT_HDR + 200];

	if (ml > sizeof(buf) - RESULT_HDR)
		ml = sizeof(buf) - RESULT_HDR;
	memset(buf, 0, RESULT_HDR);
	buf[0] = SYNC_VERSION;
	buf[1] = (uint8_t)(ok != 0);
	put32(buf + 4, (uint32_t)ml);
	put64(buf + 8, gen);
	memcpy(buf + RESULT_HDR, msg, ml);
	if (sk_ha_link_send(ha->link, SK_HA_MSG_CONFIG_RESULT, buf, RESULT_HDR + ml,
			    SK_HA_PRIO_CTRL) != 0)
		sk_ha_log(ha, "sync", NULL, "config result for generation %" PRIu64
			  " not sent (link down): the peer retries", gen);
}

/* Active: send the running generation.  0 or -errno. */
static int
push(struct sk_ha *ha, uint64_t now)
{
	uint8_t *buf;
	size_t len;
	uint64_t gen, ref;
	int rc;

	pthread_mutex_lock(&ha->lock);
	gen = ha->sync.cur.gen;
	ref = ha->sync.cur_ms > ha->sync.session_ms ? ha->sync.cur_ms : ha->sync.session_ms;
	len = PUSH_HDR + ha->sync.cur.img_len + ha->sync.cur.text_len;
	buf = malloc(len);
	if (buf != NULL) {
		memset(buf, 0, PUSH_HDR);
		buf[0] = SYNC_VERSION;
		put32(buf + 4, (uint32_t)ha->sync.cur.img_len);
		put32(buf + 8, (uint32_t)ha->sync.cur.text_len);
		put64(buf + 16, gen);
		memcpy(buf + PUSH_HDR, ha->sync.cur.img, ha->sync.cur.img_len);
		memcpy(buf + PUSH_HDR + ha->sync.cur.img_len, ha->sync.cur.text,
		       ha->sync.cur.text_len);
	}
	pthread_mutex_unlock(&ha->lock);
	if (buf == NULL)
		return -ENOMEM;
	rc = sk_ha_link_send(ha->link, SK_HA_MSG_CONFIG_PUSH, buf, len, SK_HA_PRIO_BULK);
	free(buf);
	ha->sync.pushed_gen = gen;
	ha->sync.push_ref_ms = ref;
	ha->sync.retry_ms = now + RETRY_MS;
	if (rc != 0) {
		sk_ha_log(ha, "sync", NULL, "config generation %" PRIu64 " not pushed: %s", gen,
			  strerror(-rc));
		return rc;
	}
	pthread_mutex_lock(&ha->lock);
	ha->st.sync_pushed++;
	pthread_mutex_unlock(&ha->lock);
	sk_ha_log(ha, "sync", NULL, "config generation %" PRIu64 " pushed to unit %u (%zu bytes)",
		  gen, 3 - ha->unit, len);
	return 0;
}

static void
on_push(struct sk_ha *ha, const uint8_t *p, size_t len)
{
	struct sk_ha_cfgcopy c;
	uint64_t gen, have;
	uint32_t il, tl;
	char msg[160];

	if (len < PUSH_HDR || p[0] != SYNC_VERSION)
		return;
	il = get32(p + 4);
	tl = get32(p + 8);
	gen = get64(p + 16);
	if ((uint64_t)il + tl != len - PUSH_HDR || gen == 0)
		return;
	have = sk_ha_sync_generation(ha);
	if (ha->fsm.role == SK_HA_ROLE_ACTIVE) {
		snprintf(msg, sizeof(msg), "unit %u is active: it takes no config from its peer",
			 ha->unit);
		send_result(ha, gen, 0, msg);
		sk_ha_log(ha, "sync", NULL, "config generation %" PRIu64 " from the peer refused: "
			  "this unit is active", gen);
		return;
	}
	if (gen == have) {
		send_result(ha, gen, 1, "already running");
		return;
	}
	if (copy_make(&c, gen, p + PUSH_HDR, il, (const char *)p + PUSH_HDR + il, tl) != 0) {
		send_result(ha, gen, 0, "out of memory");
		return;
	}
	sk_ha_log(ha, "sync", NULL, "config generation %" PRIu64 " received from unit %u "
		  "(running %" PRIu64 "): applying", gen, 3 - ha->unit, have);
	pthread_mutex_lock(&ha->lock);
	copy_free(&ha->sync.in); /* a newer push replaces one not started yet */
	ha->sync.in = c;
	ha->sync.in_peer = (uint8_t)(3 - ha->unit);
	pthread_cond_signal(&ha->sync.cond);
	pthread_mutex_unlock(&ha->lock);
}

static void
on_result(struct sk_ha *ha, const uint8_t *p, size_t len, uint64_t now)
{
	uint64_t gen;
	uint32_t ml;
	char msg[201];

	if (len < RESULT_HDR || p[0] != SYNC_VERSION)
		return;
	ml = get32(p + 4);
	gen = get64(p + 8);
	if (ml != len - RESULT_HDR)
		return;
	snprintf(msg, sizeof(msg), "%.*s", (int)(ml > 200 ? 200 : ml), (const char *)p + RESULT_HDR);
	if (p[1]) {
		uint64_t lag = now - ha->sync.push_ref_ms;

		if (gen == ha->sync.pushed_gen) {
			pthread_mutex_lock(&ha->lock);
			ha->st.sync_lag_ms = lag;
			pthread_mutex_unlock(&ha->lock);
		}
		sk_ha_log(ha, "sync", json_pack("{s:I, s:I}", "generation", (json_int_t)gen,
						"lag_ms", (json_int_t)lag),
			  "config generation %" PRIu64 " runs on unit %u (%s; lag %" PRIu64 " ms)",
			  gen, 3 - ha->unit, msg[0] ? msg : "applied", lag);
		return;
	}
	pthread_mutex_lock(&ha->lock);
	ha->st.sync_failed++;
	pthread_mutex_unlock(&ha->lock);
	ha->sync.retry_ms = now + RETRY_MS;
	sk_ha_log(ha, "sync", json_pack("{s:I, s:s}", "generation", (json_int_t)gen, "error", msg),
		  "unit %u did not apply config generation %" PRIu64 ": %s (retry in %u s)",
		  3 - ha->unit, gen, msg, RETRY_MS / 1000);
}

void
sk_ha_sync_on_msg(struct sk_ha *ha, uint8_t type, const void *payload, size_t len)
{
	const uint8_t *p = payload;

	switch (type) {
	case SK_HA_MSG_CONFIG_PUSH:
		on_push(ha, p, len);
		break;
	case SK_HA_MSG_CONFIG_RESULT:
		on_result(ha, p, len, sk_ha_mono_ms());
		break;
	case SK_HA_MSG_CONFIG_PULL:
		if (len >= PULL_LEN && p[0] == SYNC_VERSION)
			ha->sync.pull_asked = 1;
		break;
	default:
		break;
	}
}

void
sk_ha_sync_session(struct sk_ha *ha, uint64_t now)
{
	/* what was queued on the old session is gone: push and pull again */
	ha->sync.pushed_gen = 0;
	ha->sync.pull_asked = 0;
	ha->sync.pull_ms = 0;
	ha->sync.session_ms = now;
}

static void
answer_applied(struct sk_ha *ha)
{
	uint64_t gen, took;
	char msg[200];
	int rc, done;

	pthread_mutex_lock(&ha->lock);
	done = ha->sync.done;
	ha->sync.done = 0;
	gen = ha->sync.done_gen;
	rc = ha->sync.done_rc;
	took = ha->sync.done_ms;
	snprintf(msg, sizeof(msg), "%s", ha->sync.done_msg);
	if (done && rc == 0)
		ha->st.sync_applied++;
	else if (done)
		ha->st.sync_failed++;
	pthread_mutex_unlock(&ha->lock);
	if (!done)
		return;
	if (rc == 0) {
		sk_ha_log(ha, "sync", json_pack("{s:I, s:I}", "generation", (json_int_t)gen,
						"apply_ms", (json_int_t)took),
			  "config generation %" PRIu64 " from unit %u applied in %" PRIu64 " ms%s%s",
			  gen, 3 - ha->unit, took, msg[0] ? ": " : "", msg);
		send_result(ha, gen, 1, msg[0] ? msg : "applied");
	} else {
		sk_ha_log(ha, "sync", json_pack("{s:I, s:s}", "generation", (json_int_t)gen,
						"error", msg),
			  "config generation %" PRIu64 " from unit %u not applied: %s", gen,
			  3 - ha->unit, msg);
		send_result(ha, gen, 0, msg[0] ? msg : strerror(-rc));
	}
}

void
sk_ha_sync_tick(struct sk_ha *ha, uint64_t now)
{
	uint64_t have, peer;
	int busy;

	answer_applied(ha);
	/* only what the peer says on the link counts here: the config moves on it */
	if (!ha->link_is_up || !ha->lpeer_known || !ha->path_up[SK_HA_PATH_LINK])
		return;
	pthread_mutex_lock(&ha->lock);
	have = ha->sync.cur.gen;
	busy = ha->sync.applying || ha->sync.in.gen != 0;
	pthread_mutex_unlock(&ha->lock);
	peer = ha->lpeer.generation;

	if (ha->fsm.role == SK_HA_ROLE_ACTIVE) {
		if (peer > have) {
			if (ha->sync.warned_gen != peer)
				sk_ha_log(ha, "sync", NULL, "unit %u runs generation %" PRIu64
					  ", newer than this active unit's %" PRIu64 ": not pushed "
					  "(commit here to bring both to a new generation)",
					  3 - ha->unit, peer, have);
			ha->sync.warned_gen = peer;
			ha->sync.pull_asked = 0;
			return;
		}
		if (peer == have) {
			ha->sync.pull_asked = 0;
			return;
		}
		/* a new generation at once; the same one again after RETRY_MS, or at
		 * once when the peer asks for it (it may have lost it) unless it was
		 * just sent */
		if (ha->sync.pushed_gen != have ||
		    (int64_t)(now - ha->sync.retry_ms) >= 0 ||
		    (ha->sync.pull_asked && now + RETRY_MS - ha->sync.retry_ms >= 1000)) {
			ha->sync.pull_asked = 0;
			(void)push(ha, now);
		}
		return;
	}
	/* not active: behind a live active, ask for its config (joining unit) */
	if (ha->lpeer.role == SK_HA_ROLE_ACTIVE && peer > have && !busy &&
	    (int64_t)(now - ha->sync.pull_ms) >= 0) {
		uint8_t buf[PULL_LEN] = { SYNC_VERSION };

		put64(buf + 8, have);
		ha->sync.pull_ms = now + RETRY_MS; /* at once on a new session, then retries */
		if (sk_ha_link_send(ha->link, SK_HA_MSG_CONFIG_PULL, buf, sizeof(buf),
				    SK_HA_PRIO_CTRL) == 0)
			sk_ha_log(ha, "sync", NULL, "running generation %" PRIu64 ", unit %u (active) "
				  "runs %" PRIu64 ": asked for its config", have, 3 - ha->unit, peer);
	}
}
