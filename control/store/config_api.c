/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config_api.c - the /config REST resources: running config, validate,
 * commit, diff, rollback, archives, export and import.  Handlers only parse
 * requests and shape answers; the work is in store*.c, which the unit tests
 * drive directly (this file needs the dataplane link to link).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/ha_api.h"
#include "cfg.h"
#include "cp.h"
#include "dplink/dplink.h"
#include "store.h"
#include "store_confirm.h"

#define API "/api/v1"
#define DIFF_CONTEXT 3
#define FORCED " (forced on standby)"

static int
dp_commit(void *ctx, const void *img, size_t len, uint64_t replaces, uint64_t *gen,
	  uint64_t *build_us, char *err, size_t errlen)
{
	return sk_dplink_commit(ctx, img, len, replaces, gen, build_us, err, errlen);
}

static const char *
principal(const struct sk_api_req *req)
{
	return req->principal != NULL ? req->principal : "unknown";
}

/* The config text of a request: {"text": "..."} or the raw body. */
static char *
req_text(const struct sk_api_req *req)
{
	json_t *t = json_is_object(req->json) ? json_object_get(req->json, "text") : NULL;

	if (json_is_string(t))
		return strndup(json_string_value(t), json_string_length(t));
	if (req->body == NULL)
		return NULL;
	return strndup(req->body, req->body_len);
}

static int
json_u64(const json_t *o, const char *key, uint64_t *v)
{
	json_t *x = json_object_get(o, key);

	if (!json_is_integer(x) || json_integer_value(x) < 0)
		return -EINVAL;
	*v = (uint64_t)json_integer_value(x);
	return 0;
}

static int
str_u64(const char *s, uint64_t *v)
{
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return *end == '\0' && errno == 0 ? 0 : -EINVAL;
}

static void
invalid(struct sk_api_resp *resp, const struct sk_cfg_diag *diag, const char *msg)
{
	json_t *errors = diag ? sk_store_diag_errors(diag) : json_array();

	if (errors != NULL && json_array_size(errors) == 0)
		json_array_append_new(errors, json_pack("{s:s, s:i, s:s}", "file", "",
							"line", 0, "message", msg));
	sk_api_error(resp, 422, "invalid_config", json_pack("{s:o*}", "errors", errors),
		     "%s", msg);
}

/* Map the store's -errno to the API's status codes. */
static void
fail(struct sk_cp *cp, struct sk_api_resp *resp, int rc, const struct sk_cfg_diag *diag,
     const char *err)
{
	switch (rc) {
	case -EINVAL:
		invalid(resp, diag, err);
		break;
	case -ESTALE:
		sk_api_error(resp, 409, "stale_generation",
			     json_pack("{s:I}", "running", (json_int_t)cp->generation), "%s", err);
		break;
	case -ENOTCONN:
		sk_api_error(resp, 503, "dataplane_unavailable", NULL, "%s", err);
		break;
	case -ETIMEDOUT:
		sk_api_error(resp, 503, "dataplane_unavailable", NULL,
			     "the dataplane did not answer in time%s%s", *err ? ": " : "", err);
		break;
	case -ENOENT:
		sk_api_error(resp, 404, "not_found", NULL, "%s", err);
		break;
	case -EBADMSG:
	case -EPROTONOSUPPORT:
		sk_api_error(resp, 400, "bad_request", NULL, "%s", err);
		break;
	default:
		sk_api_error(resp, 500, "internal", NULL, "%s", *err ? err : strerror(-rc));
		break;
	}
}

static json_t *
commit_doc(const struct sk_store_commit_res *res)
{
	json_t *doc = json_pack("{s:I, s:f, s:f}",
				"generation", (json_int_t)res->generation,
				"build_ms", (double)res->build_us / 1000.0,
				"prepare_ms", (double)res->prepare_us / 1000.0);

	if (doc != NULL && res->archived)
		json_object_set_new(doc, "archived", json_integer((json_int_t)res->archived));
	if (doc != NULL && res->warning[0])
		json_object_set_new(doc, "warning", json_string(res->warning));
	return doc;
}

static json_t *
meta_doc(const struct sk_cp *cp, const struct sk_store_entry *e)
{
	const struct sk_store_meta *m = &e->meta;
	json_t *doc = json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:b, s:b}",
				"generation", (json_int_t)m->generation,
				"dp_generation", (json_int_t)m->dp_generation,
				"time", (json_int_t)m->time,
				"principal", m->principal, "source", m->source,
				"version", m->version,
				"text_sha256", m->text_sha256, "image_sha256", m->image_sha256,
				"image_crc", (json_int_t)m->image_crc,
				"text_len", (json_int_t)m->text_len,
				"image_len", (json_int_t)m->image_len,
				"running", cp->store && m->generation == sk_store_running(cp->store),
				"corrupt", e->corrupt != 0);

	if (doc != NULL && e->corrupt)
		json_object_set_new(doc, "problem", json_string(e->problem));
	return doc;
}

static void
config_get(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	(void)req;
	if (cp->running_text == NULL) {
		sk_api_error(resp, 404, "not_found", NULL, "no config is running");
		return;
	}
	/* generation is the dataplane's; archive the running one's archive
	 * number (they differ once an import took a number). */
	sk_api_ok(resp, json_pack("{s:I, s:I, s:s, s:s?}", "generation", (json_int_t)cp->generation,
				  "archive", (json_int_t)(cp->store ? sk_store_running(cp->store) : 0),
				  "text", cp->running_text, "source", cp->config_path));
}

static void
config_validate(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	struct sk_cfg_summary s;
	struct sk_cfg_diag diag;
	struct sk_cfg *cfg;
	char *text = req_text(req);

	(void)cp;
	if (text == NULL) {
		sk_api_error(resp, 400, "bad_request", NULL, "the body must be the config text");
		return;
	}
	sk_cfg_diag_init(&diag);
	cfg = sk_cfg_load_string(text, "candidate", &diag);
	if (cfg == NULL) {
		invalid(resp, &diag, "the config has errors");
	} else {
		sk_cfg_summarize(cfg, &s);
		sk_api_ok(resp, json_pack("{s:b, s:{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:I, s:I}}",
			"valid", 1, "summary",
			"zones", (int)s.zones, "interfaces", (int)s.ifaces, "addresses", (int)s.addrs,
			"routes_connected", (int)s.routes_connected,
			"routes_static", (int)s.routes_static, "neighbors", (int)s.neighs,
			"rules", (int)s.rules, "zone_defaults", (int)s.zone_defaults,
			"acl_rules4", (json_int_t)s.acl_rules4, "acl_rules6", (json_int_t)s.acl_rules6));
	}
	sk_cfg_free(cfg);
	sk_cfg_diag_free(&diag);
	free(text);
}

static void
config_commit(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	struct sk_store_commit_res res;
	struct sk_cfg_diag diag;
	json_t *t = json_object_get(req->json, "text"), *doc;
	uint64_t replaces, within = 0, prev;
	char err[512] = "";
	int rc, forced;

	if (!json_is_string(t) || json_u64(req->json, "replaces", &replaces) != 0) {
		sk_api_error(resp, 400, "bad_request", NULL,
			     "expected {\"text\": string, \"replaces\": generation}");
		return;
	}
	if (json_object_get(req->json, "confirm_within") != NULL &&
	    (json_u64(req->json, "confirm_within", &within) != 0 || within > SK_CONFIRM_MAX_S)) {
		sk_api_error(resp, 400, "bad_request", NULL,
			     "confirm_within is seconds from 1 to %u (0 or absent: no confirmation)",
			     SK_CONFIRM_MAX_S);
		return;
	}
	if (within > 0 && cp->confirm == NULL) {
		sk_api_error(resp, 409, "confirm_unavailable", NULL,
			     "this server takes no commits with confirmation");
		return;
	}
	if (sk_api_ha_commit_gate(cp, req, resp, &forced) != 0)
		return;
	/* What an unconfirmed commit returns to. */
	prev = cp->store ? sk_store_running(cp->store) : 0;
	sk_cfg_diag_init(&diag);
	rc = sk_store_commit(cp, json_string_value(t), json_string_length(t), replaces,
			     principal(req), forced ? "commit" FORCED : "commit",
			     cp->dp ? dp_commit : NULL, cp->dp,
			     &diag, &res, err, sizeof(err));
	if (rc == 0) {
		doc = commit_doc(&res);
		sk_api_confirm_after_commit(cp, (uint32_t)within, prev, principal(req), doc);
		sk_api_ok(resp, doc);
	} else
		fail(cp, resp, rc, &diag, err);
	sk_cfg_diag_free(&diag);
}

static void
config_rollback(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	struct sk_store_commit_res res;
	struct sk_cfg_diag diag;
	uint64_t gen, replaces;
	char err[512] = "", src[64];
	int rc, forced;

	if (json_u64(req->json, "generation", &gen) != 0 ||
	    json_u64(req->json, "replaces", &replaces) != 0) {
		sk_api_error(resp, 400, "bad_request", NULL,
			     "expected {\"generation\": n, \"replaces\": generation}");
		return;
	}
	if (sk_api_ha_commit_gate(cp, req, resp, &forced) != 0)
		return;
	/* unforced: NULL, the store's own "rollback:<gen>" */
	snprintf(src, sizeof(src), "rollback:%" PRIu64 FORCED, gen);
	sk_cfg_diag_init(&diag);
	rc = sk_store_rollback(cp, gen, replaces, principal(req), forced ? src : NULL,
			       cp->dp ? dp_commit : NULL, cp->dp, &diag, &res, err, sizeof(err));
	if (rc == 0) {
		json_t *doc = commit_doc(&res);

		sk_api_confirm_after_commit(cp, 0, 0, principal(req), doc);
		sk_api_ok(resp, doc);
	} else if (rc == -EBADMSG)
		sk_api_error(resp, 500, "internal", NULL, "%s", err);
	else
		fail(cp, resp, rc, &diag, err);
	sk_cfg_diag_free(&diag);
}

/* One side of a diff: archive gen's text, or the running text for 0 (an
 * archive number need not equal the dataplane's generation). */
static int
diff_side(struct sk_cp *cp, uint64_t gen, char **text, char *label, size_t lsize,
	  char *err, size_t errlen)
{
	size_t len;

	if (gen == 0) {
		if (cp->running_text == NULL) {
			snprintf(err, errlen, "no config is running");
			return -ENOENT;
		}
		snprintf(label, lsize, "running (generation %" PRIu64 ")", cp->generation);
		*text = strdup(cp->running_text);
		return *text ? 0 : -ENOMEM;
	}
	if (cp->store == NULL) {
		snprintf(err, errlen, "no archive store");
		return -ENOENT;
	}
	snprintf(label, lsize, "archive %" PRIu64, gen);
	return sk_store_get(cp->store, gen, text, &len, NULL, NULL, NULL, err, errlen);
}

static void
config_diff(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	char la[64], lb[64], err[256] = "", *a = NULL, *b = NULL, *out = NULL;
	json_t *t = json_object_get(req->json, "text");
	uint64_t from = 0, to = 0;
	size_t olen;
	int rc;

	if (!json_is_object(req->json) ||
	    (!json_is_string(t) && json_u64(req->json, "from", &from) != 0) ||
	    (json_object_get(req->json, "to") && json_u64(req->json, "to", &to) != 0)) {
		sk_api_error(resp, 400, "bad_request", NULL,
			     "expected {\"text\": candidate} or {\"from\": gen, \"to\": gen}");
		return;
	}
	/* {"text"}: running -> candidate; {"from", "to"}: archive -> archive,
	 * a missing "to" meaning the running config. */
	rc = diff_side(cp, json_is_string(t) ? 0 : from, &a, la, sizeof(la), err, sizeof(err));
	if (rc == 0 && json_is_string(t)) {
		snprintf(lb, sizeof(lb), "candidate");
		b = strndup(json_string_value(t), json_string_length(t));
		rc = b ? 0 : -ENOMEM;
	} else if (rc == 0) {
		rc = diff_side(cp, to, &b, lb, sizeof(lb), err, sizeof(err));
	}
	if (rc == 0)
		rc = sk_store_diff(a, strlen(a), b, strlen(b), la, lb, DIFF_CONTEXT, &out, &olen);
	if (rc == 0)
		sk_api_ok(resp, json_pack("{s:s, s:s, s:b, s:s%}", "from", la, "to", lb,
					  "changed", olen != 0, "diff", out, olen));
	else if (rc == -EBADMSG)
		sk_api_error(resp, 500, "internal", NULL, "%s", err);
	else
		fail(cp, resp, rc, NULL, err);
	free(a);
	free(b);
	free(out);
}

static void
archives_list(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	const struct sk_store_entry *ent;
	json_t *arr;
	size_t n, i;

	(void)req;
	if (cp->store == NULL) {
		sk_api_error(resp, 500, "internal", NULL, "no archive store");
		return;
	}
	arr = json_array();
	n = sk_store_list(cp->store, &ent);
	for (i = n; arr != NULL && i > 0; i--) /* newest first */
		json_array_append_new(arr, meta_doc(cp, &ent[i - 1]));
	sk_api_ok(resp, json_pack("{s:o*, s:I, s:i, s:I}", "archives", arr,
				  "running", (json_int_t)sk_store_running(cp->store),
				  "keep", (int)sk_store_keep(cp->store),
				  "corrupt", (json_int_t)sk_store_n_corrupt(cp->store)));
}

static int
archive_param(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp,
	      uint64_t *gen)
{
	if (req->n_params < 1 || str_u64(req->params[0], gen) != 0) {
		sk_api_error(resp, 400, "bad_request", NULL, "a generation is a number");
		return -EINVAL;
	}
	if (cp->store == NULL || sk_store_find(cp->store, *gen) == NULL) {
		sk_api_error(resp, 404, "not_found", NULL, "no archive of generation %" PRIu64,
			     *gen);
		return -ENOENT;
	}
	return 0;
}

static void
archive_get(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	const struct sk_store_entry *e;
	char err[256] = "", *text = NULL;
	json_t *doc;
	uint64_t gen;
	size_t len;

	if (archive_param(cp, req, resp, &gen) != 0)
		return;
	if (sk_store_get(cp->store, gen, &text, &len, NULL, NULL, NULL, err, sizeof(err)) != 0) {
		e = sk_store_find(cp->store, gen);
		sk_api_error(resp, 500, "internal",
			     json_pack("{s:I, s:s}", "generation", (json_int_t)gen,
				       "problem", e ? e->problem : ""), "%s", err);
		return;
	}
	doc = meta_doc(cp, sk_store_find(cp->store, gen));
	if (doc != NULL)
		json_object_set_new(doc, "text", json_stringn(text, len));
	sk_api_ok(resp, doc);
	free(text);
}

static void
archive_export(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	char err[256] = "";
	void *blob;
	size_t len;
	uint64_t gen;
	int rc;

	if (archive_param(cp, req, resp, &gen) != 0)
		return;
	rc = sk_store_bundle_export(cp->store, gen, &blob, &len, err, sizeof(err));
	if (rc != 0) {
		sk_api_error(resp, 500, "internal", NULL, "%s", err);
		return;
	}
	resp->status = 200;
	resp->blob = blob;
	resp->blob_len = len;
	resp->content_type = "application/octet-stream";
}

/*
 * Without ?commit=1 the bundle is archived as it is (its own number when
 * free).  With it, the bundle is committed, which archives it once under the
 * new generation: importing does not leave two archives of one config.
 */
static void
archive_import(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	const char *q_commit = req->query ? req->query(req, "commit") : NULL;
	const char *q_repl = req->query ? req->query(req, "replaces") : NULL;
	int commit = q_commit != NULL && strcmp(q_commit, "1") == 0;
	size_t blen = req->body ? req->body_len : 0, tlen = 0;
	struct sk_store_commit_res res;
	struct sk_store_meta m;
	struct sk_cfg_diag diag;
	uint64_t replaces = cp->generation;
	unsigned int n_keys = 0;
	char err[512] = "", msg[640], src[64], *text = NULL;
	json_t *doc;
	int rc, forced = 0;

	if (cp->store == NULL) {
		sk_api_error(resp, 500, "internal", NULL, "no archive store");
		return;
	}
	if (q_repl != NULL && str_u64(q_repl, &replaces) != 0) {
		sk_api_error(resp, 400, "bad_request", NULL, "replaces is a generation");
		return;
	}
	/* Before the bundle is unpacked: that installs its keys already. */
	if (commit && sk_api_ha_commit_gate(cp, req, resp, &forced) != 0)
		return;
	sk_cfg_diag_init(&diag);
	if (!commit) {
		rc = sk_store_bundle_import(cp->store, req->body, blen, &diag, &m, &n_keys,
					    err, sizeof(err));
		if (rc == 0)
			sk_api_ok(resp, json_pack("{s:I, s:s, s:i, s:b}",
						  "archived", (json_int_t)m.generation,
						  "source", m.source, "keys", (int)n_keys,
						  "committed", 0));
		else
			fail(cp, resp, rc, &diag, err);
		goto out;
	}
	rc = sk_store_bundle_unpack(cp->store, req->body, blen, &diag, &text, &tlen, &m, &n_keys,
				    err, sizeof(err));
	if (rc != 0) {
		fail(cp, resp, rc, &diag, err);
		goto out;
	}
	snprintf(src, sizeof(src), "import:%" PRIu64 "%s", m.generation, forced ? FORCED : "");
	rc = sk_store_commit(cp, text, tlen, replaces, principal(req), src,
			     cp->dp ? dp_commit : NULL, cp->dp, &diag, &res, err, sizeof(err));
	if (rc != 0) {
		/* The keys are in place already: say so with the reason. */
		snprintf(msg, sizeof(msg), "keys installed, config not committed: %s", err);
		fail(cp, resp, rc, &diag, msg);
		goto out;
	}
	doc = commit_doc(&res);
	sk_api_confirm_after_commit(cp, 0, 0, principal(req), doc);
	if (doc != NULL) {
		json_object_set_new(doc, "source", json_string(src));
		json_object_set_new(doc, "keys", json_integer(n_keys));
		json_object_set_new(doc, "committed", json_true());
	}
	sk_api_ok(resp, doc);
out:
	free(text);
	sk_cfg_diag_free(&diag);
}

const struct sk_api_route sk_api_routes_config[] = {
	{ "GET", API "/config", config_get, "running config text and generation" },
	{ "POST", API "/config/validate", config_validate, "validate a config text" },
	{ "POST", API "/config/commit", config_commit,
	  "validate, commit and archive a config (confirm_within: roll back unless confirmed)" },
	{ "POST", API "/config/diff", config_diff, "unified diff of two configs" },
	{ "POST", API "/config/rollback", config_rollback,
	  "commit an archived generation again as a new one" },
	{ "GET", API "/config/archives", archives_list, "archived generations" },
	{ "GET", API "/config/archives/{gen}", archive_get, "one archive with its text" },
	{ "GET", API "/config/archives/{gen}/export", archive_export,
	  "bundle of an archive and the unit's keys" },
	{ "POST", API "/config/archives/import", archive_import,
	  "archive a bundle and install its keys (?commit=1 to commit it, ?force=1 on a standby)" },
	{ NULL, NULL, NULL, NULL },
};
