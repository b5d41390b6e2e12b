/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_confirm_api.c - the REST handlers of commit with confirmation
 * (control/store/confirm_api.c, config_api.c's confirm_within), called the
 * way the REST server calls them, on a unit without a dataplane: what they
 * accept and refuse, and confirming a pending commit (memory and file).
 * The rollback itself: test_store.c; in real time: tests/console/run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "sk_test.h"
#include "cp.h"
#include "api/api.h"
#include "store/store.h"
#include "store/store_confirm.h"

static const char *
no_query(const struct sk_api_req *req, const char *key)
{
	(void)req;
	(void)key;
	return NULL;
}

/* Call route method+pattern of table with body; the status, resp kept. */
static int
call(const struct sk_api_route *table, struct sk_cp *cp, const char *method,
     const char *pattern, const char *body, struct sk_api_resp *resp)
{
	const struct sk_api_route *r;
	struct sk_api_req req;

	memset(resp, 0, sizeof(*resp));
	for (r = table; r->method != NULL; r++)
		if (strcmp(r->method, method) == 0 && strcmp(r->pattern, pattern) == 0)
			break;
	if (r->method == NULL)
		return -1;
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = pattern;
	req.query = no_query;
	req.principal = "alice";
	req.peer = "127.0.0.1";
	if (body != NULL) {
		req.body = body;
		req.body_len = strlen(body);
		req.json = json_loads(body, JSON_DECODE_ANY, NULL);
	}
	r->fn(cp, &req, resp);
	json_decref(req.json);
	return resp->status;
}

static const char *
code(const struct sk_api_resp *r)
{
	const char *c = json_string_value(json_object_get(r->json, "code"));

	return c ? c : "";
}

int
main(void)
{
	char tmpl[] = "/tmp/sk-confirm-api-XXXXXX", path[128], err[256];
	struct sk_api_resp r;
	struct sk_confirm c, disk;
	struct sk_cp cp;
	int st;

	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/%s", tmpl, SK_CONFIRM_FILE);
	memset(&cp, 0, sizeof(cp));
	memset(&c, 0, sizeof(c));
	pthread_mutex_init(&cp.log_lock, NULL);
	cp.state_dir = tmpl;
	cp.generation = 7;

	/* confirm_within is checked before anything is committed. */
	st = call(sk_api_routes_config, &cp, "POST", "/api/v1/config/commit",
		  "{\"text\": \"zones = ();\", \"replaces\": 7, \"confirm_within\": 86401}", &r);
	SK_CHECK(st == 400 && strcmp(code(&r), "bad_request") == 0 &&
		 strstr(json_string_value(json_object_get(r.json, "message")), "confirm_within"),
		 "confirm_within over a day: 400 naming it");
	json_decref(r.json);
	st = call(sk_api_routes_config, &cp, "POST", "/api/v1/config/commit",
		  "{\"text\": \"zones = ();\", \"replaces\": 7, \"confirm_within\": \"60\"}", &r);
	SK_CHECK(st == 400, "confirm_within as a string: 400");
	json_decref(r.json);
	st = call(sk_api_routes_config, &cp, "POST", "/api/v1/config/commit",
		  "{\"text\": \"zones = ();\", \"replaces\": 7, \"confirm_within\": 60}", &r);
	SK_CHECK(st == 409 && strcmp(code(&r), "confirm_unavailable") == 0,
		 "a server that tracks no confirmations refuses one: 409 confirm_unavailable");
	json_decref(r.json);

	cp.confirm = &c;
	st = call(sk_api_routes_config, &cp, "POST", "/api/v1/config/commit",
		  "{\"text\": \"zones = ();\", \"replaces\": 7, \"confirm_within\": 60}", &r);
	SK_CHECK(st == 503 && c.generation == 0,
		 "valid request, no dataplane: 503 and nothing armed (%d %s)", st, code(&r));
	json_decref(r.json);

	st = call(sk_api_routes_confirm, &cp, "GET", "/api/v1/config/confirm", NULL, &r);
	SK_CHECK(st == 200 && json_is_false(json_object_get(r.json, "pending")),
		 "GET /config/confirm with nothing pending: {\"pending\": false}");
	json_decref(r.json);
	st = call(sk_api_routes_confirm, &cp, "POST", "/api/v1/config/confirm", NULL, &r);
	SK_CHECK(st == 409 && strcmp(code(&r), "not_pending") == 0,
		 "POST /config/confirm with nothing pending: 409 not_pending");
	json_decref(r.json);

	/* A commit armed one (as config_commit does after the dataplane took it). */
	SK_CHECK(sk_confirm_arm(tmpl, &c, 7, 6, 60, "bob", (int64_t)time(NULL), err,
				sizeof(err)) == 0 && access(path, F_OK) == 0, "armed: 7 returns to 6");
	st = call(sk_api_routes_confirm, &cp, "GET", "/api/v1/config/confirm", NULL, &r);
	SK_CHECK(st == 200 && json_is_true(json_object_get(r.json, "pending")) &&
		 json_integer_value(json_object_get(r.json, "generation")) == 7 &&
		 json_integer_value(json_object_get(r.json, "rollback_to")) == 6 &&
		 json_integer_value(json_object_get(r.json, "remaining_s")) >= 59 &&
		 strcmp(json_string_value(json_object_get(r.json, "principal")), "bob") == 0,
		 "GET shows it: generation, target, time left, who");
	json_decref(r.json);
	st = call(sk_api_routes_confirm, &cp, "POST", "/api/v1/config/confirm",
		  "{\"generation\": 8}", &r);
	SK_CHECK(st == 409 && strcmp(code(&r), "stale_generation") == 0 &&
		 json_integer_value(json_object_get(json_object_get(r.json, "details"), "pending")) == 7
		 && c.generation == 7, "confirming another generation: 409, still pending");
	json_decref(r.json);
	st = call(sk_api_routes_confirm, &cp, "POST", "/api/v1/config/confirm",
		  "{\"generation\": \"7\"}", &r);
	SK_CHECK(st == 400 && c.generation == 7, "generation not a number: 400");
	json_decref(r.json);
	st = call(sk_api_routes_confirm, &cp, "POST", "/api/v1/config/confirm",
		  "{\"generation\": 7}", &r);
	SK_CHECK(st == 200 && json_integer_value(json_object_get(r.json, "confirmed")) == 7 &&
		 strcmp(json_string_value(json_object_get(r.json, "principal")), "alice") == 0 &&
		 c.generation == 0 && access(path, F_OK) != 0,
		 "confirmed by alice: 200, forgotten in memory and on disk");
	json_decref(r.json);
	SK_CHECK(sk_confirm_load(tmpl, &disk, err, sizeof(err)) == 0 && disk.generation == 0,
		 "a restart finds nothing pending");

	/* After a later plain commit: settled, and the answer says so. */
	SK_CHECK(sk_confirm_arm(tmpl, &c, 7, 6, 60, "bob", (int64_t)time(NULL), err,
				sizeof(err)) == 0, "armed again");
	{
		json_t *doc = json_object();

		sk_api_confirm_after_commit(&cp, 0, 7, "carol", doc);
		SK_CHECK(json_integer_value(json_object_get(doc, "confirmed")) == 7 &&
			 c.generation == 0 && access(path, F_OK) != 0,
			 "a plain commit settles the pending one (\"confirmed\": 7)");
		json_decref(doc);
		doc = json_object();
		cp.generation = 8;
		sk_api_confirm_after_commit(&cp, 30, 7, "carol", doc);
		SK_CHECK(json_is_object(json_object_get(doc, "confirm")) && c.generation == 8 &&
			 c.rollback_to == 7 && c.within == 30 && access(path, F_OK) == 0,
			 "a confirmed commit arms: \"confirm\" in the answer, file written");
		json_decref(doc);
		(void)sk_confirm_clear(tmpl, &c);
	}
	rmdir(tmpl);
	return SK_TEST_DONE();
}
