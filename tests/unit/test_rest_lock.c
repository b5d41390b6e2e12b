/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_rest_lock.c - REST reads do not queue behind cp->dp_lock (issue 13):
 * a real server over HTTPS with a struct sk_cp, the real GET /api/v1/status
 * route and a slow handler that holds dp_lock like a long commit.  Checks:
 * status is answered while the test holds dp_lock (as HA config sync's
 * applier or a commit does) and while a slow locked request is in
 * progress; a handler that needs the lock still waits for it.  Timings are
 * printed; the bounds are generous (the slow side lasts 2 s, a read must
 * come back within 1.5 s).
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

#include "cfg.h"
#include "cp.h"
#include "rest/rest.h"
#include "sk_test.h"

#define TOK "ops-token-0123456789"
#define TOK_SHA "d51a4891ede9d7c8a89088e5f255d5852a7154ab4b92ad562614e8d0824bfc2b"
#define SLOW_MS 2000
#define READ_BOUND_MS 1500

static char state_dir[64], cafile[128];
static uint16_t port;
static struct sk_cp cp;
static volatile int slow_entered;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A handler under dp_lock (no flag) that takes as long as a big commit. */
static void
h_slow(struct sk_cp *c, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	(void)c;
	(void)req;
	slow_entered = 1;
	usleep(SLOW_MS * 1000);
	sk_api_ok(resp, json_pack("{s:b}", "slow", 1));
}

static const struct sk_api_route slow_routes[] = {
	{ "POST", "/api/v1/slow", h_slow, "a long locked request" },
	{ NULL, NULL, NULL, NULL },
};
static const struct sk_api_route *const tables[] = { sk_api_routes_status, slow_routes,
						     NULL };

static size_t
sink(char *d, size_t sz, size_t nm, void *ud)
{
	(void)d;
	(void)ud;
	return sz * nm;
}

/* One request; the HTTP status (0 when it did not complete in timeout_ms). */
static long
req(const char *method, const char *path, long timeout_ms, double *took_ms)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Authorization: Bearer " TOK);
	char url[256];
	long status = 0;
	double t0 = now_ms();

	snprintf(url, sizeof(url), "https://127.0.0.1:%u%s", port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, cafile);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	*took_ms = now_ms() - t0;
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return status;
}

static void *
slow_thread(void *arg)
{
	double took;

	*(long *)arg = req("POST", "/api/v1/slow", 10000, &took);
	return NULL;
}

static struct sk_rest *
start(struct sk_cfg **cfg_out)
{
	char text[2048], err[256] = "";
	struct sk_cfg_diag d;
	struct sk_cfg *cfg;
	struct sk_cfg_mgmt m;
	struct sk_rest *r = NULL;
	int rc;

	snprintf(text, sizeof(text),
		 "zones = ( \"a\" );\n"
		 "interfaces = ( { name = \"a\"; device = \"net_null0\"; zone = \"a\"; } );\n"
		 "management = { listen = \"127.0.0.1:8443\"; admin_networks = [ \"127.0.0.0/8\" ];\n"
		 " tokens = ( { name = \"ops\"; sha256 = \"" TOK_SHA "\"; } );\n"
		 " state_dir = \"%s\"; };\n", state_dir);
	sk_cfg_diag_init(&d);
	cfg = sk_cfg_load_string(text, "t.conf", &d);
	if (cfg == NULL) {
		sk_cfg_diag_print(&d, stdout);
		sk_cfg_diag_free(&d);
		return NULL;
	}
	sk_cfg_diag_free(&d);
	m = *sk_cfg_mgmt(cfg);
	m.listen_port = 0;
	{
		struct sk_rest_conf conf = { .mgmt = &m, .unit = "unit-test", .tables = tables,
					     .cp = &cp };

		rc = sk_rest_create(&conf, &r, err, sizeof(err));
	}
	if (rc != 0) {
		printf("# sk_rest_create: %d %s\n", rc, err);
		sk_cfg_free(cfg);
		return NULL;
	}
	port = sk_rest_port(r);
	*cfg_out = cfg;
	return r;
}

static void
rm_rf(const char *path)
{
	struct dirent *e;
	DIR *dir = opendir(path);
	char sub[600];

	if (dir == NULL) {
		unlink(path);
		return;
	}
	while ((e = readdir(dir)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		rm_rf(sub);
	}
	closedir(dir);
	rmdir(path);
}

int
main(void)
{
	struct sk_cfg *cfg = NULL;
	struct sk_rest *r;
	pthread_t th;
	long st, slow_status = 0;
	double took;
	int i;

	snprintf(state_dir, sizeof(state_dir), "/tmp/sk_test_rlock.XXXXXX");
	if (mkdtemp(state_dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(cafile, sizeof(cafile), "%s/tls/cert.pem", state_dir);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	pthread_mutex_init(&cp.dp_lock, NULL);
	pthread_mutex_init(&cp.log_lock, NULL);
	cp.config_path = "t.conf";
	cp.started = time(NULL);
	cp.generation = 7;
	r = start(&cfg);
	SK_CHECK(r != NULL, "server starts with a cp");
	if (r == NULL)
		goto out;

	/* 1. dp_lock held (a commit / HA config sync apply in progress). */
	pthread_mutex_lock(&cp.dp_lock);
	st = req("GET", "/api/v1/status", READ_BOUND_MS, &took);
	printf("# status while dp_lock is held: %ld in %.1f ms\n", st, took);
	SK_CHECK(st == 200 && took < READ_BOUND_MS, "status answered while dp_lock is held");
	st = req("POST", "/api/v1/slow", 500, &took);
	printf("# locked handler while dp_lock is held: %ld after %.1f ms\n", st, took);
	SK_CHECK(st == 0, "a handler that needs dp_lock still waits for it");
	pthread_mutex_unlock(&cp.dp_lock);
	/* The abandoned slow request runs now that the lock is free: let it end. */
	usleep((SLOW_MS + 300) * 1000);

	/* 2. A slow locked request in progress on another connection. */
	slow_entered = 0;
	pthread_create(&th, NULL, slow_thread, &slow_status);
	for (i = 0; i < 500 && !slow_entered; i++)
		usleep(10000);
	SK_CHECK(slow_entered, "the slow request started");
	st = req("GET", "/api/v1/status", READ_BOUND_MS, &took);
	printf("# status during a %d ms locked request: %ld in %.1f ms\n", SLOW_MS, st, took);
	SK_CHECK(st == 200 && took < READ_BOUND_MS,
		 "status answered while a slow request holds dp_lock");
	pthread_join(th, NULL);
	SK_CHECK(slow_status == 200, "the slow request completes (%ld)", slow_status);

	sk_rest_free(r);
	sk_cfg_free(cfg);
out:
	curl_global_cleanup();
	rm_rf(state_dir);
	return SK_TEST_DONE();
}
