/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_rest.c - libFuzzer target "rest": request bodies through every REST
 * handler that reads one, exactly as control/rest hands them over: the raw
 * body, and its JSON parse when the body looks like JSON (rest_server.c's
 * rule), to the handler found in the daemon's route tables.  Every POST
 * route of the config, verify (trace), services and HA tables is taken
 * from the tables themselves, so a route added later is fuzzed too.
 *
 * The daemon state is real: an archive store in a fresh temporary state
 * dir holding archive 1, the running config of fuzz_unit_conf.h (model and
 * image), no dataplane attached (commits end at -ENOTCONN, 503) and no HA
 * pair, which is what sekisho-cp serves before its dataplane comes up.
 *
 * Input: byte 0 picks the route (modulo the number of POST routes), byte 1
 * the query parameters present (bit 0 commit=1, bit 1 replaces=1, bit 2
 * force=true, bit 3 timeout_ms=100), the rest is the body.
 */
#include "fuzz_common.h"
#include <pthread.h>
#include <sys/stat.h>
#include <jansson.h>

#include "api/api.h"
#include "api/ha_api.h"
#include "api/services_api.h"
#include "cfg.h"
#include "cp.h"
#include "store/store.h"
#include "fuzz_unit_conf.h"

#define MAX_ROUTES 32

static struct sk_cp cp;
static const struct sk_api_route *routes[MAX_ROUTES];
static unsigned int n_routes;
static char state_dir[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
rm_state_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz: could not remove %s\n", state_dir);
}

static void
add_routes(const struct sk_api_route *t)
{
	for (; t->method != NULL; t++)
		if (strcmp(t->method, "GET") != 0 && n_routes < MAX_ROUTES)
			routes[n_routes++] = t;
}

static void
running_config(void)
{
	struct sk_store_meta want;
	struct sk_cfg_diag diag;
	char err[512];

	sk_cfg_diag_init(&diag);
	cp.running = sk_cfg_load_string(fuzz_unit_conf, "fuzz-rest", &diag);
	sk_cfg_diag_free(&diag);
	if (cp.running == NULL ||
	    sk_cfg_image_build(cp.running, &cp.running_img, &cp.running_img_len, err,
			       sizeof(err)) != 0)
		abort();
	cp.running_text = strdup(fuzz_unit_conf);
	memset(&want, 0, sizeof(want));
	want.generation = 1;
	want.dp_generation = 1;
	snprintf(want.principal, sizeof(want.principal), "fuzz");
	snprintf(want.source, sizeof(want.source), "boot");
	if (cp.running_text == NULL ||
	    sk_store_put(cp.store, &want, cp.running_text, strlen(cp.running_text),
			 cp.running_img, cp.running_img_len, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz: archive 1: %s\n", err);
		abort();
	}
	sk_store_set_running(cp.store, 1);
	cp.generation = 1;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];

	(void)argc;
	fuzz_eal_init((*argv)[0]); /* the trace handler compiles a generation */
	/* Named by pid: an aborted run (a crash, a fork-mode job stopped) skips
	 * atexit, and sk_fuzz_reap (scripts/lib/common.sh) removes the dirs of
	 * pids that are gone. */
	snprintf(state_dir, sizeof(state_dir), "/tmp/skfuzz-rest.%d", (int)getpid());
	rm_state_dir();
	if (mkdir(state_dir, 0700) != 0)
		abort();
	atexit(rm_state_dir);
	cp.state_dir = state_dir;
	cp.started = time(NULL);
	pthread_mutex_init(&cp.log_lock, NULL);
	pthread_mutex_init(&cp.dp_lock, NULL);
	/* keep 4: imports of valid bundles must not fill the disk */
	if (sk_store_open(state_dir, 4, &cp.store, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz: store: %s\n", err);
		abort();
	}
	running_config();
	add_routes(sk_api_routes_config);
	add_routes(sk_api_routes_verify);
	add_routes(sk_api_routes_services);
	add_routes(sk_api_routes_ha);
	add_routes(sk_api_routes_status);
	return 0;
}

struct query {
	uint8_t flags;
};

static const char *
query(const struct sk_api_req *req, const char *key)
{
	const struct query *q = req->query_ctx;

	if (strcmp(key, "commit") == 0)
		return (q->flags & 1) ? "1" : NULL;
	if (strcmp(key, "replaces") == 0)
		return (q->flags & 2) ? "1" : NULL;
	if (strcmp(key, "force") == 0)
		return (q->flags & 4) ? "true" : NULL;
	if (strcmp(key, "timeout_ms") == 0)
		return (q->flags & 8) ? "100" : NULL;
	return NULL;
}

/* rest_server.c: a body is parsed as JSON when it starts (after blanks)
 * with { or [. */
static int
looks_json(const char *b, size_t len)
{
	size_t i = 0;

	while (i < len && strchr(" \t\r\n", b[i]) != NULL && b[i] != '\0')
		i++;
	return i < len && (b[i] == '{' || b[i] == '[');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size, 0 };
	const struct sk_api_route *r = routes[fuzz_u8(&in) % n_routes];
	struct query q = { fuzz_u8(&in) };
	struct sk_api_resp resp;
	struct sk_api_req req;
	json_error_t jerr;
	size_t len = fuzz_left(&in);
	char *body = malloc(len + 1);

	if (body == NULL)
		return 0;
	/* NUL-terminated as rest_server.c leaves it; body_len is the truth. */
	memcpy(body, data + in.off, len);
	body[len] = '\0';
	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	req.method = r->method;
	req.path = r->pattern;
	req.params[0] = "web";
	req.params[1] = "web1";
	req.params[2] = "1";
	req.n_params = 3;
	req.query = query;
	req.query_ctx = &q;
	req.body = len != 0 ? body : NULL;
	req.body_len = len;
	req.json = len != 0 && looks_json(body, len) ? json_loadb(body, len, 0, &jerr) : NULL;
	req.principal = "fuzz";
	req.peer = "127.0.0.1";
	r->fn(&cp, &req, &resp);
	FUZZ_ASSERT(resp.status >= 200 && resp.status < 600, "%s %s answered status %d",
		    r->method, r->pattern, resp.status);
	FUZZ_ASSERT(cp.generation == 1, "%s %s changed the generation without a dataplane",
		    r->method, r->pattern);
	json_decref(resp.json);
	free(resp.blob);
	json_decref(req.json);
	free(body);
	return 0;
}
