/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * store_confirm.c - commit with confirmation: the pending confirmation on
 * disk (<state_dir>/confirm.json) and the rollback when its deadline passes
 * unconfirmed (store_confirm.h says the rules).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_priv.h"
#include "store_confirm.h"
#include "cfg.h"
#include "cp.h"

static void
file_path(const char *state_dir, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", state_dir, SK_CONFIRM_FILE);
}

static int
save(const char *state_dir, const struct sk_confirm *c, char *err, size_t errlen)
{
	char path[4096], *text;
	json_t *o;
	int rc;

	file_path(state_dir, path, sizeof(path));
	o = json_pack("{s:I, s:I, s:I, s:I, s:i, s:s}",
		      "generation", (json_int_t)c->generation,
		      "rollback_to", (json_int_t)c->rollback_to,
		      "armed", (json_int_t)c->armed, "deadline", (json_int_t)c->deadline,
		      "within", (int)c->within, "principal", c->principal);
	text = o ? sk_store_json_dump(o) : NULL;
	json_decref(o);
	if (text == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = sk_store_write_file(path, text, strlen(text), 0600, 0);
	free(text);
	if (rc != 0)
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
	return rc;
}

static int
get_i64(const json_t *o, const char *key, int64_t *v)
{
	const json_t *x = json_object_get(o, key);

	if (!json_is_integer(x) || json_integer_value(x) < 0)
		return -EINVAL;
	*v = json_integer_value(x);
	return 0;
}

int
sk_confirm_load(const char *state_dir, struct sk_confirm *c, char *err, size_t errlen)
{
	char path[4096];
	int64_t gen = 0, to = 0, within = 0;
	json_error_t jerr;
	const json_t *p;
	json_t *o;

	memset(c, 0, sizeof(*c));
	file_path(state_dir, path, sizeof(path));
	if (access(path, F_OK) != 0)
		return errno == ENOENT ? 0 : -errno;
	o = json_load_file(path, 0, &jerr);
	p = o ? json_object_get(o, "principal") : NULL;
	if (o == NULL || get_i64(o, "generation", &gen) != 0 || gen == 0 ||
	    get_i64(o, "rollback_to", &to) != 0 || get_i64(o, "armed", &c->armed) != 0 ||
	    get_i64(o, "deadline", &c->deadline) != 0 || get_i64(o, "within", &within) != 0 ||
	    within > SK_CONFIRM_MAX_S || !json_is_string(p)) {
		snprintf(err, errlen, "%s: not a pending confirmation (%s); removed", path,
			 o == NULL ? jerr.text : "missing or bad fields");
		json_decref(o);
		memset(c, 0, sizeof(*c));
		(void)unlink(path);
		return -EBADMSG;
	}
	c->generation = (uint64_t)gen;
	c->rollback_to = (uint64_t)to;
	c->within = (uint32_t)within;
	snprintf(c->principal, sizeof(c->principal), "%s", json_string_value(p));
	json_decref(o);
	return 0;
}

int
sk_confirm_arm(const char *state_dir, struct sk_confirm *c, uint64_t gen, uint64_t prev_archive,
	       uint32_t within, const char *principal, int64_t now, char *err, size_t errlen)
{
	/* While one is pending, the generation before it is the last one an
	 * operator confirmed: that is where an unconfirmed chain returns to. */
	if (c->generation == 0)
		c->rollback_to = prev_archive;
	c->generation = gen;
	c->armed = now;
	c->deadline = now + (int64_t)within;
	c->within = within;
	snprintf(c->principal, sizeof(c->principal), "%s", principal ? principal : "unknown");
	return save(state_dir, c, err, errlen);
}

int
sk_confirm_clear(const char *state_dir, struct sk_confirm *c)
{
	char path[4096];

	memset(c, 0, sizeof(*c));
	file_path(state_dir, path, sizeof(path));
	if (unlink(path) != 0 && errno != ENOENT)
		return -errno;
	return 0;
}

json_t *
sk_confirm_json(const struct sk_confirm *c, int64_t now)
{
	int64_t left;

	if (c == NULL || c->generation == 0)
		return json_pack("{s:b}", "pending", 0);
	left = c->deadline > now ? c->deadline - now : 0;
	return json_pack("{s:b, s:I, s:I, s:I, s:I, s:i, s:I, s:s}", "pending", 1,
			 "generation", (json_int_t)c->generation,
			 "rollback_to", (json_int_t)c->rollback_to,
			 "armed", (json_int_t)c->armed, "deadline", (json_int_t)c->deadline,
			 "within", (int)c->within, "remaining_s", (json_int_t)left,
			 "principal", c->principal);
}

enum sk_confirm_verdict
sk_confirm_expire(struct sk_cp *cp, struct sk_confirm *c, int64_t now, sk_store_commit_fn fn,
		  void *ctx, struct sk_store_commit_res *res, char *err, size_t errlen)
{
	struct sk_cfg_diag diag;
	char src[64], why[384] = "";
	uint64_t gen = c->generation, to = c->rollback_to;
	int rc;

	if (gen == 0)
		return SK_CONFIRM_NONE;
	if (cp->generation != gen) {
		snprintf(err, errlen, "generation %" PRIu64 " awaited confirmation but %" PRIu64
			 " runs: confirmation dropped", gen, cp->generation);
		(void)sk_confirm_clear(cp->state_dir, c);
		return SK_CONFIRM_DROPPED;
	}
	if (now < c->deadline)
		return SK_CONFIRM_WAITING;
	snprintf(src, sizeof(src), "rollback:%" PRIu64 " (unconfirmed %" PRIu64 ")", to, gen);
	sk_cfg_diag_init(&diag);
	rc = sk_store_rollback(cp, to, gen, "sekisho-cp", src, fn, ctx, &diag, res, why,
			       sizeof(why));
	if (rc == 0) {
		snprintf(err, errlen, "generation %" PRIu64 " (committed by %s) was not confirmed "
			 "within %" PRIu32 " s: rolled back to the config of archive %" PRIu64
			 " as generation %" PRIu64, gen, c->principal, c->within, to,
			 res->generation);
		(void)sk_confirm_clear(cp->state_dir, c);
		sk_cfg_diag_free(&diag);
		return SK_CONFIRM_ROLLED_BACK;
	}
	if (rc == -EINVAL && sk_cfg_diag_count(&diag) > 0)
		snprintf(why, sizeof(why), "%s", sk_cfg_diag_msg(&diag, 0));
	sk_cfg_diag_free(&diag);
	if (rc == -ETIMEDOUT || rc == -ENOTCONN || rc == -ENOMEM) {
		snprintf(err, errlen, "generation %" PRIu64 " unconfirmed; rolling back to %" PRIu64
			 " failed for now, will retry: %s", gen, to, why);
		return SK_CONFIRM_RETRY;
	}
	snprintf(err, errlen, "generation %" PRIu64 " unconfirmed, but rolling back to %" PRIu64
		 " is impossible (%s): generation %" PRIu64 " stays", gen, to, why, gen);
	(void)sk_confirm_clear(cp->state_dir, c);
	return SK_CONFIRM_FAILED;
}
