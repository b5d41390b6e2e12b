/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_rest.c - the REST server end to end over real HTTPS: the
 * `management` config group, a server on 127.0.0.1 (ephemeral port) with a
 * self-signed certificate generated into a temporary state_dir and a route
 * table of its own, driven by libcurl verifying against that certificate.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <curl/curl.h>
#include <jansson.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cfg.h"
#include "rest/rest.h"
#include "rest/rest_ui.h"
#include "sk_test.h"

#define TOK_OPS "ops-token-0123456789"
#define TOK_OPS_SHA "d51a4891ede9d7c8a89088e5f255d5852a7154ab4b92ad562614e8d0824bfc2b"
#define TOK_CI "ci-token-abcdef"
#define TOK_CI_SHA "2E7171EF73A7F45DA9001C5E545488D9ADDCD5CDB5F5E89776A13C5424685211"

static const char base_conf[] =
	"zones = ( \"a\" );\n"
	"interfaces = ( { name = \"a\"; device = \"net_null0\"; zone = \"a\"; } );\n";

/* ---- the management group ---- */

static struct sk_cfg *
load(const char *mgmt, struct sk_cfg_diag *d)
{
	char text[4096];

	snprintf(text, sizeof(text), "%s%s", base_conf, mgmt);
	sk_cfg_diag_init(d);
	return sk_cfg_load_string(text, "t.conf", d);
}

/* Does loading fail with a message containing want (and "t.conf:line:")? */
static int
fails_with(const char *mgmt, const char *want, unsigned int line)
{
	struct sk_cfg_diag d;
	struct sk_cfg *cfg = load(mgmt, &d);
	char prefix[32];
	int ok = 0;
	size_t i;

	snprintf(prefix, sizeof(prefix), "t.conf:%u: ", line);
	for (i = 0; cfg == NULL && i < sk_cfg_diag_count(&d); i++)
		if (strstr(sk_cfg_diag_msg(&d, i), want) != NULL &&
		    strncmp(sk_cfg_diag_msg(&d, i), prefix, strlen(prefix)) == 0)
			ok = 1;
	if (!ok)
		sk_cfg_diag_print(&d, stdout);
	sk_cfg_free(cfg);
	sk_cfg_diag_free(&d);
	return ok;
}

static void
test_config(void)
{
	struct sk_cfg_diag d;
	struct sk_cfg *cfg;
	const struct sk_cfg_mgmt *m;

	cfg = load("", &d);
	SK_CHECK(cfg != NULL, "no management group is valid");
	m = cfg ? sk_cfg_mgmt(cfg) : NULL;
	SK_CHECK(m && strcmp(m->listen, "127.0.0.1:8443") == 0 && m->listen_family == 4 &&
		 m->listen_port == 8443 && m->listen_addr[0] == 127, "default listen");
	SK_CHECK(m && m->n_nets == 2 && m->nets[0].plen == 8 && m->nets[1].family == 6 &&
		 m->n_tokens == 0 && strcmp(m->state_dir, "/var/lib/sekisho") == 0 &&
		 m->tls_cert[0] == '\0', "defaults: loopback networks, no tokens, state_dir");
	sk_cfg_free(cfg);
	sk_cfg_diag_free(&d);

	cfg = load("management = {\n listen = \"[::1]:9443\";\n"
		   " admin_networks = [ \"198.51.100.0/24\", \"2001:db8:ad::/64\" ];\n"
		   " tokens = ( { name = \"ops\"; sha256 = \"" TOK_OPS_SHA "\"; },\n"
		   "            { name = \"ci\"; sha256 = \"" TOK_CI_SHA "\"; } );\n"
		   " tls = { cert = \"/etc/sekisho/c.pem\"; key = \"/etc/sekisho/k.pem\"; };\n"
		   " state_dir = \"/tmp/x\";\n};\n", &d);
	if (cfg == NULL)
		sk_cfg_diag_print(&d, stdout);
	m = cfg ? sk_cfg_mgmt(cfg) : NULL;
	SK_CHECK(m && m->listen_family == 6 && m->listen_port == 9443 && m->listen_addr[15] == 1,
		 "IPv6 listen in brackets");
	SK_CHECK(m && m->n_nets == 2 && m->nets[0].plen == 24 && m->nets[0].addr[0] == 198 &&
		 m->nets[1].family == 6 && m->nets[1].plen == 64, "admin_networks parsed");
	SK_CHECK(m && m->n_tokens == 2 && strcmp(m->tokens[1].name, "ci") == 0 &&
		 strncmp(m->tokens[1].sha256, "2e7171ef", 8) == 0,
		 "tokens parsed, hashes lowercased");
	SK_CHECK(m && strcmp(m->tls_key, "/etc/sekisho/k.pem") == 0 &&
		 strcmp(m->state_dir, "/tmp/x") == 0, "tls and state_dir");
	sk_cfg_free(cfg);
	sk_cfg_diag_free(&d);

	SK_CHECK(fails_with("management = {\n listen = \"0.0.0.0:8443\";\n};\n",
			    "admin_networks is required", 4), "public listen needs admin_networks");
	SK_CHECK(fails_with("management = {\n listen = \"::1:8443\";\n};\n", "ADDR:PORT", 4),
		 "bare IPv6 listen refused");
	SK_CHECK(fails_with("management = {\n listen = \"127.0.0.1:70000\";\n};\n", "ADDR:PORT",
			    4), "port out of range");
	SK_CHECK(fails_with("management = {\n tokens = ( { name = \"ops\"; sha256 = \"abc\"; } );"
			    "\n};\n", "64 hex digits", 4), "short sha256 refused");
	SK_CHECK(fails_with("management = {\n tokens = (\n { name = \"ops\"; token = \"s3cret\"; }"
			    " );\n};\n", "unknown key 'token'", 5), "plaintext token refused");
	SK_CHECK(fails_with("management = {\n tokens = (\n { name = \"ops\"; token = \"s3cret\"; }"
			    " );\n};\n", "missing required key 'sha256'", 5),
		 "a token needs its sha256");
	SK_CHECK(fails_with("management = {\n tokens = ( { name = \"a\"; sha256 = \"" TOK_OPS_SHA
			    "\"; },\n { name = \"a\"; sha256 = \"" TOK_CI_SHA "\"; } );\n};\n",
			    "used twice", 5), "duplicate token name");
	SK_CHECK(fails_with("management = {\n listen = \"192.0.2.1:443\";\n"
			    " admin_networks = [ \"10.0.0.1/8\" ];\n};\n", "host bits", 5),
		 "admin network with host bits");
	SK_CHECK(fails_with("management = {\n tls = { cert = \"/c.pem\"; };\n};\n",
			    "missing required key 'key'", 4), "tls needs cert and key");
	SK_CHECK(fails_with("management = {\n state_dir = \"var/lib\";\n};\n", "absolute", 4),
		 "relative state_dir refused");
	SK_CHECK(fails_with("management = {\n lisen = \"127.0.0.1:1\";\n};\n",
			    "did you mean 'listen'", 4), "misspelt key");
}

/* ---- the server ---- */

static void
h_echo(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	const char *q = req->query(req, "q");

	(void)cp;
	sk_api_ok(resp, json_pack("{s:s, s:s, s:I, s:O?, s:s, s:s, s:s?}", "method", req->method,
				  "path", req->path, "body_len", (json_int_t)req->body_len,
				  "json", req->json, "principal", req->principal, "peer",
				  req->peer, "q", q));
}

static void
h_params(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	json_t *a = json_array();
	unsigned int i;

	(void)cp;
	for (i = 0; i < req->n_params; i++)
		json_array_append_new(a, json_string(req->params[i]));
	sk_api_ok(resp, json_pack("{s:s, s:o}", "handler", "params", "params", a));
}

static void
h_literal(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	(void)cp;
	sk_api_ok(resp, json_pack("{s:s, s:s}", "handler", "literal", "name", req->params[0]));
}

static void
h_fail(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	(void)cp;
	(void)req;
	sk_api_error(resp, 409, "stale_generation", json_pack("{s:i}", "current", 7),
		     "commit replaces generation %d, the running one is %d", 6, 7);
}

static void
h_nothing(struct sk_cp *cp, const struct sk_api_req *req, struct sk_api_resp *resp)
{
	(void)cp;
	(void)req;
	(void)resp;
}

static const struct sk_api_route test_routes[] = {
	{ "POST", "/api/v1/echo", h_echo, "echo" },
	{ "GET", "/api/v1/items/{id}/sub/{name}", h_params, "params" },
	{ "GET", "/api/v1/items/special/sub/{name}", h_literal, "literal wins" },
	{ "DELETE", "/api/v1/items/{id}/sub/{name}", h_params, "params" },
	{ "GET", "/api/v1/fail", h_fail, "an error" },
	{ "GET", "/api/v1/nothing", h_nothing, "a buggy handler" },
	{ NULL, NULL, NULL, NULL },
};
static const struct sk_api_route *const test_tables[] = { test_routes, NULL };

static char state_dir[64], cafile[128], keyfile[128];
static int access_lines, access_ops_echo;

static void
on_access(void *ctx, const struct sk_rest_access *a, const char *line)
{
	(void)ctx;
	access_lines++;
	if (a->status == 200 && strstr(line, "127.0.0.1 ops \"POST /api/v1/echo\" 200") == line)
		access_ops_echo++;
}

struct buf {
	char *p;
	size_t n;
};

static size_t
on_data(char *d, size_t sz, size_t nm, void *ud)
{
	struct buf *b = ud;
	char *p = realloc(b->p, b->n + sz * nm + 1);

	if (p == NULL)
		return 0;
	memcpy(p + b->n, d, sz * nm);
	b->p = p;
	b->n += sz * nm;
	b->p[b->n] = '\0';
	return sz * nm;
}

struct reply {
	long status;
	CURLcode rc;
	struct buf body, hdrs;
	json_t *json;
};

static void
reply_free(struct reply *r)
{
	free(r->body.p);
	free(r->hdrs.p);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

/* Streams `left` bytes of 'x' with no Content-Length (chunked). */
static size_t
on_read(char *d, size_t sz, size_t nm, void *ud)
{
	size_t *left = ud, n = sz * nm < *left ? sz * nm : *left;

	memset(d, 'x', n);
	*left -= n;
	return n;
}

static uint16_t port;
static const char *extra_hdr;   /* one more request header, when set */

static void
http(struct reply *r, const char *method, const char *path, const char *token,
     const char *ctype, const char *body, size_t body_len, int chunked)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char url[512], hdr[256];
	size_t left = body_len;

	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "https://127.0.0.1:%u%s", port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, cafile);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->hdrs);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (token != NULL) {
		snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", token);
		h = curl_slist_append(h, hdr);
	}
	if (ctype != NULL) {
		snprintf(hdr, sizeof(hdr), "Content-Type: %s", ctype);
		h = curl_slist_append(h, hdr);
	}
	if (extra_hdr != NULL)
		h = curl_slist_append(h, extra_hdr);
	if (chunked) {
		h = curl_slist_append(h, "Transfer-Encoding: chunked");
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, &left);
	} else if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	r->rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->body.p != NULL)
		r->json = json_loadb(r->body.p, r->body.n, 0, NULL);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
}

#define GET(r, path, tok) http(r, "GET", path, tok, NULL, NULL, 0, 0)

static int
streq(const json_t *v, const char *want)
{
	return json_is_string(v) && strcmp(json_string_value(v), want) == 0;
}

/* The api.h error shape: exactly code, message, details (an object). */
static int
error_shape(const struct reply *r, const char *code)
{
	const json_t *j = r->json;

	return json_is_object(j) && json_object_size(j) == 3 &&
	       streq(json_object_get(j, "code"), code) &&
	       json_is_string(json_object_get(j, "message")) &&
	       json_string_length(json_object_get(j, "message")) > 0 &&
	       json_is_object(json_object_get(j, "details"));
}

static int
has_header(const struct reply *r, const char *h)
{
	return r->hdrs.p != NULL && strcasestr(r->hdrs.p, h) != NULL;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = NULL;
	size_t cap = 0;
	ssize_t n;

	if (f == NULL)
		return NULL;
	n = getdelim(&s, &cap, '\0', f);
	fclose(f);
	if (n < 0) {
		free(s);
		return NULL;
	}
	return s;
}

static struct sk_cfg_mgmt *
test_mgmt(const char *dir, const char *nets)
{
	char text[2048];
	struct sk_cfg_diag d;
	struct sk_cfg *cfg;
	struct sk_cfg_mgmt *m = calloc(1, sizeof(*m));

	snprintf(text, sizeof(text),
		 "management = { listen = \"127.0.0.1:8443\"; %s\n"
		 " tokens = ( { name = \"ops\"; sha256 = \"" TOK_OPS_SHA "\"; },\n"
		 "            { name = \"ci\"; sha256 = \"" TOK_CI_SHA "\"; } );\n"
		 " state_dir = \"%s\"; };\n", nets, dir);
	cfg = load(text, &d);
	if (cfg == NULL)
		sk_cfg_diag_print(&d, stdout);
	if (cfg != NULL && m != NULL)
		*m = *sk_cfg_mgmt(cfg);
	if (m != NULL)
		m->listen_port = 0; /* let the kernel pick a free port */
	sk_cfg_free(cfg);
	sk_cfg_diag_free(&d);
	return m;
}

static struct sk_rest *
start(const struct sk_cfg_mgmt *m, int *rc)
{
	struct sk_rest_conf conf = {
		.mgmt = m, .unit = "unit-test", .tables = test_tables,
		.access_log = on_access,
	};
	struct sk_rest *r = NULL;
	char err[256] = "";

	*rc = sk_rest_create(&conf, &r, err, sizeof(err));
	if (*rc != 0)
		printf("# sk_rest_create: %d %s\n", *rc, err);
	else
		port = sk_rest_port(r);
	return r;
}

static void
test_certificate(void)
{
	char *pem = slurp(cafile);
	BIO *b = pem ? BIO_new_mem_buf(pem, -1) : NULL;
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	EVP_PKEY *pk = x ? X509_get0_pubkey(x) : NULL;
	char cn[64] = "";
	struct stat st;
	int days = 0, secs = 0;

	SK_CHECK(stat(keyfile, &st) == 0 && (st.st_mode & 0777) == 0600, "key.pem mode 0600");
	SK_CHECK(x != NULL, "cert.pem is a certificate");
	if (x == NULL)
		goto out;
	X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn));
	SK_CHECK(strcmp(cn, "unit-test") == 0, "CN is the unit (%s)", cn);
	SK_CHECK(pk != NULL && EVP_PKEY_is_a(pk, "EC") && EVP_PKEY_get_bits(pk) == 256,
		 "EC P-256 key");
	SK_CHECK(X509_check_ip_asc(x, "127.0.0.1", 0) == 1, "SAN holds the listen address");
	ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), X509_get0_notAfter(x));
	SK_CHECK(days >= 3650 && days <= 3654, "valid for ten years (%d days)", days);
out:
	X509_free(x);
	BIO_free(b);
	free(pem);
}

/* Paths of api.h's resource list ("GET /status" -> "/api/v1/status"). */
static int
check_openapi_paths(const json_t *doc)
{
	FILE *f = fopen("control/api/api.h", "r");
	char line[512], method[16], path[256], full[300], lower[16];
	int n = 0, missing = 0;
	size_t i;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		const json_t *item;

		if (sscanf(line, " * %15[A-Z] %255s", method, path) != 2 || path[0] != '/' ||
		    (strcmp(method, "GET") && strcmp(method, "POST") && strcmp(method, "DELETE")))
			continue;
		snprintf(full, sizeof(full), "%s%s", strcmp(path, "/metrics") ? "/api/v1" : "",
			 path);
		for (i = 0; method[i] && i < sizeof(lower) - 1; i++)
			lower[i] = (char)(method[i] - 'A' + 'a');
		lower[i] = '\0';
		item = json_object_get(json_object_get(json_object_get(doc, "paths"), full), lower);
		n++;
		if (!json_is_object(json_object_get(item, "responses"))) {
			printf("# openapi.json lacks %s %s\n", method, full);
			missing++;
		}
	}
	fclose(f);
	return missing ? -missing : n;
}

/* The console's files (rest_ui.c): no token needed, the security headers,
 * only GET, only the embedded names, gzip and ETag revalidation. */
static void
test_ui(void)
{
	const struct sk_rest_ui_asset *a;
	struct reply x;
	char hdr[128];
	size_t n = 0;

	GET(&x, "/ui/", NULL);
	SK_CHECK(x.status == 200 && x.body.p && strncmp(x.body.p, "<!doctype html>", 15) == 0 &&
		 has_header(&x, "Content-Type: text/html"), "GET /ui/ without a token: index.html");
	SK_CHECK(has_header(&x, "Content-Security-Policy: default-src 'none'; script-src 'self';") &&
		 has_header(&x, "frame-ancestors 'none'") && has_header(&x, "X-Frame-Options: DENY") &&
		 has_header(&x, "X-Content-Type-Options: nosniff") &&
		 has_header(&x, "Referrer-Policy: no-referrer") && has_header(&x, "ETag: \""),
		 "strict headers: CSP self only, no framing, nosniff, no referrer, ETag");
	/* No inline script: every <script has a src (the CSP would block it). */
	{
		const char *p = x.body.p;
		int inline_js = 0;

		while (p && (p = strstr(p, "<script")) != NULL) {
			const char *end = strchr(p, '>');

			if (end == NULL || memmem(p, (size_t)(end - p), "src=", 4) == NULL)
				inline_js = 1;
			p = end;
		}
		SK_CHECK(x.body.p && !inline_js, "index.html has no inline script");
	}
	reply_free(&x);
	GET(&x, "/ui", NULL);
	SK_CHECK(x.status == 200 && x.body.p && strstr(x.body.p, "/ui/app.js") != NULL,
		 "/ui is index.html too");
	reply_free(&x);
	GET(&x, "/", NULL);
	SK_CHECK(x.status == 302 && has_header(&x, "Location: /ui/"), "/ redirects to /ui/");
	reply_free(&x);
	GET(&x, "/ui/app.js", NULL);
	SK_CHECK(x.status == 200 && has_header(&x, "Content-Type: text/javascript") &&
		 x.body.p && strstr(x.body.p, "import") != NULL, "app.js as JavaScript (a module)");
	reply_free(&x);
	GET(&x, "/ui/nope.js", NULL);
	SK_CHECK(x.status == 404 && error_shape(&x, "not_found"), "an unknown console file: 404");
	reply_free(&x);
	GET(&x, "/ui/%2e%2e/%2e%2e/etc/passwd", NULL);
	SK_CHECK(x.status == 404, "no way out of the table: 404 for ../ paths");
	reply_free(&x);
	http(&x, "POST", "/ui/", NULL, "text/plain", "x", 1, 0);
	SK_CHECK(x.status == 405 && has_header(&x, "Allow: GET, HEAD"), "POST /ui/: 405");
	reply_free(&x);

	a = sk_rest_ui_find("/ui/uplot.mjs");
	extra_hdr = "Accept-Encoding: gzip";
	GET(&x, "/ui/uplot.mjs", NULL);
	SK_CHECK(a && x.status == 200 && has_header(&x, "Content-Encoding: gzip") &&
		 x.body.n == a->gz_len && a->gz_len < a->len,
		 "gzip when accepted (%zu of %zu bytes)", a ? a->gz_len : 0, a ? a->len : 0);
	reply_free(&x);
	snprintf(hdr, sizeof(hdr), "If-None-Match: %s", a ? a->etag : "");
	extra_hdr = hdr;
	GET(&x, "/ui/uplot.mjs", NULL);
	SK_CHECK(x.status == 304 && x.body.n == 0, "unchanged (If-None-Match): 304");
	reply_free(&x);
	extra_hdr = NULL;
	GET(&x, "/api/v1/fail", NULL);
	SK_CHECK(x.status == 401 && has_header(&x, "frame-ancestors 'none'"),
		 "the API still wants its token, and carries the same headers");
	reply_free(&x);

	for (a = sk_rest_ui_assets; a->path != NULL; a++)
		n++;
	printf("# console: %zu files, %zu bytes gzipped in all\n", n, sk_rest_ui_total_gz);
	SK_CHECK(sk_rest_ui_total_gz < 100 * 1024, "the console is under 100 KiB gzipped (%zu)",
		 sk_rest_ui_total_gz);
}

static void
test_server(void)
{
	struct sk_cfg_mgmt *m = test_mgmt(state_dir, "");
	struct sk_cfg_mgmt *other;
	struct sk_rest *r;
	struct reply x;
	const json_t *j;
	char *big, *cert1, *cert2;
	size_t big_len = SK_REST_BODY_MAX + 1;
	int rc, npaths;

	r = start(m, &rc);
	SK_CHECK(r != NULL && port != 0, "server started on 127.0.0.1:%u", port);
	if (r == NULL)
		return;
	test_certificate();

	GET(&x, "/api/v1/fail", NULL);
	SK_CHECK(x.status == 401 && error_shape(&x, "unauthorized") &&
		 has_header(&x, "WWW-Authenticate: Bearer"), "no token: 401 + WWW-Authenticate");
	reply_free(&x);
	GET(&x, "/api/v1/fail", "not-the-token");
	SK_CHECK(x.status == 401 && error_shape(&x, "unauthorized") &&
		 has_header(&x, "invalid_token"), "wrong token: 401 invalid_token");
	reply_free(&x);
	GET(&x, "/api/v1/fail", TOK_OPS "x");
	SK_CHECK(x.status == 401, "token with a suffix: 401");
	reply_free(&x);

	http(&x, "POST", "/api/v1/echo?q=hello", TOK_OPS, "application/json",
	     "{\"a\": [1, 2]}", 13, 0);
	j = x.json;
	SK_CHECK(x.status == 200 && json_integer_value(json_object_get(j, "body_len")) == 13 &&
		 json_integer_value(json_array_get(json_object_get(json_object_get(j, "json"),
							      "a"), 1)) == 2,
		 "right token: 200, JSON body parsed");
	SK_CHECK(streq(json_object_get(j, "principal"), "ops") &&
		 streq(json_object_get(j, "peer"), "127.0.0.1") &&
		 streq(json_object_get(j, "q"), "hello"),
		 "principal, peer and query string reach the handler");
	SK_CHECK(has_header(&x, "Content-Type: application/json"), "JSON content type");
	reply_free(&x);

	http(&x, "POST", "/api/v1/echo", TOK_CI, NULL, "{\"b\": true}", 11, 0);
	SK_CHECK(x.status == 200 && json_is_true(json_object_get(json_object_get(x.json, "json"),
								  "b")) &&
		 streq(json_object_get(x.json, "principal"), "ci"),
		 "second token; curl -d style body read as JSON");
	reply_free(&x);
	http(&x, "POST", "/api/v1/echo", TOK_OPS, "text/plain", "zones = ( );", 12, 0);
	SK_CHECK(x.status == 200 && json_is_null(json_object_get(x.json, "json")) &&
		 json_integer_value(json_object_get(x.json, "body_len")) == 12,
		 "text body passed raw, not parsed");
	reply_free(&x);

	http(&x, "POST", "/api/v1/echo", TOK_OPS, "application/json", "{\n  \"a\": ,\n}", 12, 0);
	SK_CHECK(x.status == 400 && error_shape(&x, "bad_request") &&
		 json_integer_value(json_object_get(json_object_get(x.json, "details"), "line")) == 2
		 && json_integer_value(json_object_get(json_object_get(x.json, "details"),
						      "column")) > 0 &&
		 json_string_value(json_object_get(x.json, "message")) != NULL &&
		 strstr(json_string_value(json_object_get(x.json, "message")), "line 2") != NULL,
		 "bad JSON: 400 with line and column");
	reply_free(&x);

	GET(&x, "/api/v1/nope", TOK_OPS);
	SK_CHECK(x.status == 404 && error_shape(&x, "not_found"), "unknown path: 404");
	reply_free(&x);
	test_ui();
	memset(&x, 0, sizeof(x));
	reply_free(&x);
	GET(&x, "/api/v1/items/1/sub", TOK_OPS);
	SK_CHECK(x.status == 404, "too few segments: 404");
	reply_free(&x);
	GET(&x, "/api/v1/echo", TOK_OPS);
	SK_CHECK(x.status == 405 && error_shape(&x, "method_not_allowed") &&
		 has_header(&x, "Allow: POST"), "wrong method: 405 + Allow");
	reply_free(&x);

	GET(&x, "/api/v1/items/42/sub/abc", TOK_OPS);
	j = json_object_get(x.json, "params");
	SK_CHECK(x.status == 200 && json_array_size(j) == 2 &&
		 streq(json_array_get(j, 0), "42") && streq(json_array_get(j, 1), "abc"),
		 "path parameters");
	reply_free(&x);
	GET(&x, "/api/v1/items/special/sub/z", TOK_OPS);
	SK_CHECK(x.status == 200 && streq(json_object_get(x.json, "handler"), "literal"),
		 "a literal segment beats {id}");
	reply_free(&x);
	http(&x, "DELETE", "/api/v1/items/special/sub/z", TOK_OPS, NULL, NULL, 0, 0);
	SK_CHECK(x.status == 200 && streq(json_object_get(x.json, "handler"), "params"),
		 "same path, other method, other route");
	reply_free(&x);

	GET(&x, "/api/v1/fail", TOK_OPS);
	j = json_object_get(x.json, "details");
	SK_CHECK(x.status == 409 && error_shape(&x, "stale_generation") &&
		 json_integer_value(json_object_get(j, "current")) == 7,
		 "handler error: status, code, message, details");
	reply_free(&x);
	GET(&x, "/api/v1/nothing", TOK_OPS);
	SK_CHECK(x.status == 500 && error_shape(&x, "internal"), "silent handler: 500");
	reply_free(&x);

	big = malloc(big_len);
	if (big != NULL) {
		memset(big, 'x', big_len);
		http(&x, "POST", "/api/v1/echo", TOK_OPS, "text/plain", big, big_len, 0);
		SK_CHECK(x.status == 413 && error_shape(&x, "payload_too_large"),
			 "Content-Length over 16 MiB: 413");
		reply_free(&x);
		http(&x, "POST", "/api/v1/echo", TOK_OPS, "text/plain", big, big_len - 1, 0);
		SK_CHECK(x.status == 200 && json_integer_value(json_object_get(x.json, "body_len"))
			 == (json_int_t)SK_REST_BODY_MAX, "exactly 16 MiB: accepted whole");
		reply_free(&x);
		free(big);
	}
	http(&x, "POST", "/api/v1/echo", TOK_OPS, "text/plain", NULL, big_len, 1);
	SK_CHECK(x.status == 413 && error_shape(&x, "payload_too_large"),
		 "chunked body over 16 MiB: 413");
	reply_free(&x);

	GET(&x, "/api/v1/openapi.json", TOK_OPS);
	npaths = check_openapi_paths(x.json);
	SK_CHECK(x.status == 200 && json_is_object(x.json) &&
		 json_string_value(json_object_get(x.json, "openapi")) != NULL &&
		 strncmp(json_string_value(json_object_get(x.json, "openapi")), "3.0", 3) == 0,
		 "openapi.json served and parses");
	SK_CHECK(npaths >= 20, "every api.h resource is in openapi.json (%d)", npaths);
	SK_CHECK(json_is_object(json_object_get(json_object_get(json_object_get(x.json,
		"components"), "schemas"), "Error")), "openapi.json has the Error schema");
	reply_free(&x);
	GET(&x, "/api/v1/openapi.json", NULL);
	SK_CHECK(x.status == 401, "openapi.json needs the token too");
	reply_free(&x);

	/* Admin networks, changed live: 127.0.0.1 is then outside. */
	other = test_mgmt(state_dir, "admin_networks = [ \"10.0.0.0/8\", \"::1/128\" ];");
	SK_CHECK(other && sk_rest_set_access(r, other) == 0, "access list replaced");
	{
		uint64_t before = sk_rest_refused_peers(r);

		http(&x, "POST", "/api/v1/echo", TOK_OPS, "text/plain", "abc", 3, 0);
		SK_CHECK(x.rc != CURLE_OK && x.status == 0,
			 "outside admin networks: closed before TLS even with a good token (curl %d)",
			 (int)x.rc);
		reply_free(&x);
		http(&x, "POST", "/api/v1/echo", NULL, "text/plain", NULL, big_len, 1);
		SK_CHECK(x.rc != CURLE_OK && x.status == 0, "closed before auth and before the body");
		reply_free(&x);
		SK_CHECK(sk_rest_refused_peers(r) == before + 2,
			 "both refused connections counted (%" PRIu64 ")",
			 sk_rest_refused_peers(r) - before);
	}
	other->n_tokens = 0;
	SK_CHECK(sk_rest_set_access(r, other) == -ENOKEY, "no tokens: access list kept");
	SK_CHECK(sk_rest_set_access(r, m) == 0, "access list restored");
	GET(&x, "/api/v1/items/1/sub/2", TOK_OPS);
	SK_CHECK(x.status == 200, "back inside: 200");
	reply_free(&x);

	SK_CHECK(access_ops_echo >= 2 && access_lines >= 20,
		 "access log lines (%d, %d echo)", access_lines, access_ops_echo);

	/* Plain HTTP on the HTTPS port gets no answer. */
	{
		CURL *c = curl_easy_init();
		char url[64];
		long st = 0;

		snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/v1/fail", port);
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
		memset(&x, 0, sizeof(x));
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &x.body);
		curl_easy_perform(c);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
		SK_CHECK(st != 200 && st != 409, "plain HTTP refused (status %ld)", st);
		curl_easy_cleanup(c);
		reply_free(&x);
	}

	/* The port is taken: a second server says so. */
	{
		struct sk_cfg_mgmt *dup = test_mgmt(state_dir, "");
		struct sk_rest *r2;

		dup->listen_port = port;
		r2 = start(dup, &rc);
		SK_CHECK(r2 == NULL && rc != 0, "port in use: refused (%d)", rc);
		sk_rest_free(r2);
		port = sk_rest_port(r);
		free(dup);
	}

	/* Restart: the certificate on disk is reused, and served. */
	cert1 = slurp(cafile);
	sk_rest_free(r);
	r = start(m, &rc);
	cert2 = slurp(cafile);
	SK_CHECK(r != NULL && cert1 && cert2 && strcmp(cert1, cert2) == 0,
		 "restart reuses the certificate");
	GET(&x, "/api/v1/items/1/sub/2", TOK_OPS);
	SK_CHECK(x.status == 200 && x.rc == CURLE_OK, "restarted server verifies with it");
	reply_free(&x);
	sk_rest_free(r);
	free(cert1);
	free(cert2);

	/* Key readable by others: refused. */
	chmod(keyfile, 0644);
	r = start(m, &rc);
	SK_CHECK(r == NULL && rc == -EACCES, "key.pem mode 0644 refused");
	sk_rest_free(r);
	chmod(keyfile, 0600);

	m->n_tokens = 0;
	r = start(m, &rc);
	SK_CHECK(r == NULL && rc == -ENOKEY, "no tokens: the API stays off");
	sk_rest_free(r);
	free(other);
	free(m);
}

/* A configured tls.cert/tls.key must be a pair. */
static void
test_configured_tls(void)
{
	char dir2[96], cert2[128];
	struct sk_cfg_mgmt *m;
	struct sk_rest *r;
	int rc;

	snprintf(dir2, sizeof(dir2), "%s/second", state_dir);
	m = test_mgmt(dir2, "");
	r = start(m, &rc); /* generates a second pair */
	SK_CHECK(r != NULL, "second state_dir, second certificate");
	sk_rest_free(r);
	snprintf(cert2, sizeof(cert2), "%s/tls/cert.pem", dir2);
	snprintf(m->tls_cert, sizeof(m->tls_cert), "%s", cert2);
	snprintf(m->tls_key, sizeof(m->tls_key), "%s", keyfile);
	r = start(m, &rc);
	SK_CHECK(r == NULL && rc == -EINVAL, "configured cert with another key refused");
	sk_rest_free(r);
	snprintf(m->tls_cert, sizeof(m->tls_cert), "%s", cafile);
	r = start(m, &rc);
	SK_CHECK(r != NULL, "configured cert/key pair serves");
	if (r != NULL) {
		struct reply x;

		GET(&x, "/api/v1/items/1/sub/2", TOK_OPS);
		SK_CHECK(x.status == 200, "with the configured certificate");
		reply_free(&x);
	}
	sk_rest_free(r);
	free(m);
}

/* The same over IPv6 loopback, when the host has it. */
static void
test_ipv6(void)
{
	char dir6[96], ca6[128], url[128];
	struct sk_cfg_mgmt *m;
	struct sk_rest *r;
	struct buf body = { 0 };
	long st = 0;
	int rc;
	CURL *c;

	snprintf(dir6, sizeof(dir6), "%s/v6", state_dir);
	snprintf(ca6, sizeof(ca6), "%s/tls/cert.pem", dir6);
	m = test_mgmt(dir6, "");
	m->listen_family = 6;
	memset(m->listen_addr, 0, 16);
	m->listen_addr[15] = 1;
	r = start(m, &rc);
	if (r == NULL && rc == -EADDRNOTAVAIL) {
		printf("ok %d - # SKIP no IPv6 loopback\n", ++sk_test_n);
		free(m);
		return;
	}
	SK_CHECK(r != NULL, "server on [::1]");
	if (r != NULL) {
		c = curl_easy_init();
		snprintf(url, sizeof(url), "https://[::1]:%u/api/v1/items/6/sub/6", port);
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_CAINFO, ca6);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
		curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, TOK_OPS);
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
		curl_easy_perform(c);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
		SK_CHECK(st == 200, "IPv6 client, certificate with SAN ::1 (status %ld)", st);
		curl_easy_cleanup(c);
		free(body.p);
	}
	sk_rest_free(r);
	free(m);
}

static void
rm_rf(const char *path)
{
	struct dirent *e;
	DIR *d = opendir(path);
	char sub[600];

	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			rm_rf(sub);
		}
		closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

int
main(void)
{
	snprintf(state_dir, sizeof(state_dir), "/tmp/sk_test_rest.XXXXXX");
	if (mkdtemp(state_dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(cafile, sizeof(cafile), "%s/tls/cert.pem", state_dir);
	snprintf(keyfile, sizeof(keyfile), "%s/tls/key.pem", state_dir);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	test_config();
	test_server();
	test_configured_tls();
	test_ipv6();
	curl_global_cleanup();
	rm_rf(state_dir);
	return SK_TEST_DONE();
}
