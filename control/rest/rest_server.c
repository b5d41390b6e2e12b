/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rest_server.c - the libmicrohttpd server: a pool of SK_REST_THREADS
 * internal polling threads (a request that waits for a commit or a slow
 * mailbox exchange holds up only its own thread), TLS only, bound to the configured address.  A client outside the
 * admin networks is closed at accept, before the TLS handshake (nothing of
 * the unit, not even its certificate, is shown to it; counted).  A request
 * then goes through the gates in this order, each answered before the
 * body is read:
 *   admin network (403: the list changed since accept) -> bearer token
 *   (401) -> route (404/405) -> Content-Length (413)
 * then the body is accumulated (413 past the limit), parsed as JSON when
 * it is JSON (400 with line/column), and the handler runs on this thread,
 * under cp->dp_lock unless its route says it needs none (api.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <pthread.h>
#include <microhttpd.h>

#include "cp.h"
#include <openssl/crypto.h>

#include "rest_priv.h"
#include "rest_ui.h"

#define SK_REST_MAX_TABLES 16
#define SK_REST_THREADS 4        /* MHD thread pool (requests served at once) */

struct sk_rest {
	struct MHD_Daemon *mhd;
	struct sk_rest_access_list acl;
	const struct sk_api_route *tables[SK_REST_MAX_TABLES + 2];
	struct sk_cp *cp;
	sk_rest_access_fn access_log;
	sk_rest_error_fn error_log;
	void *log_ctx;
	size_t body_max;
	uint16_t port;
	char *cert_pem, *key_pem;   /* MHD keeps pointers to these */
	uint64_t refused_peers;     /* connections closed at accept (MHD threads add atomically) */
};

/* Per request: lives from the first call of the access handler to the
 * completion callback. */
struct req {
	struct timespec t0;
	char method[16];
	char path[SK_REST_PATH_MAX];
	char peer[INET6_ADDRSTRLEN];
	char principal[32];
	struct sk_rest_match match;
	char *body;
	size_t body_len, body_cap;
	size_t discarded;           /* bytes past the limit, thrown away */
	int too_big;
	int status;                 /* sent; 0 until then */
	uint64_t bytes;
};

static void
log_error(struct sk_rest *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
log_error(struct sk_rest *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->error_log != NULL)
		r->error_log(r->log_ctx, msg);
	else
		fprintf(stderr, "sekisho-cp: rest: %s\n", msg);
}

/* fmt is libmicrohttpd's own format: the attribute tells the compiler so
 * (clang's -Wformat-nonliteral otherwise refuses the vsnprintf). */
static void __attribute__((format(printf, 2, 0)))
mhd_logger(void *cls, const char *fmt, va_list ap)
{
	struct sk_rest *r = cls;
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_error(r, "%s", msg);
}

/* Send resp (consumed) with the headers every answer carries. */
static enum MHD_Result
send_resp(struct MHD_Connection *conn, struct req *q, struct sk_api_resp *resp,
	  const char *www_auth, const char *allow)
{
	struct MHD_Response *mr;
	const char *type = resp->content_type;
	enum MHD_Result ret;
	char *text = NULL;
	size_t len = 0;

	if (resp->status < 100 || resp->status > 599 ||
	    (resp->json == NULL && resp->blob == NULL && resp->status != 204)) {
		/* A handler that answered nothing is a bug, not a 200. */
		int was = resp->status;

		sk_api_error(resp, 500, "internal", NULL, "the handler gave no answer (status %d)",
			     was);
	}
	if (resp->json != NULL) {
		text = json_dumps(resp->json, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (text == NULL) {
			static const char oom[] =
				"{\"code\": \"internal\", \"message\": \"out of memory\", "
				"\"details\": {}}";

			resp->status = 500;
			text = strdup(oom);
		} else {
			size_t n = strlen(text);
			char *t = realloc(text, n + 2);

			if (t != NULL) {
				text = t;
				memcpy(text + n, "\n", 2);
			}
		}
		len = text ? strlen(text) : 0;
		if (type == NULL)
			type = "application/json";
	} else if (resp->blob != NULL) {
		text = resp->blob;
		len = resp->blob_len;
		resp->blob = NULL;
		if (type == NULL)
			type = "application/octet-stream";
	}
	mr = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (mr == NULL) {
		free(text);
		json_decref(resp->json);
		resp->json = NULL;
		return MHD_NO;
	}
	if (type != NULL)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(mr, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	sk_rest_ui_security_headers(mr);
	if (www_auth != NULL)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_WWW_AUTHENTICATE, www_auth);
	if (allow != NULL)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_ALLOW, allow);
	q->status = resp->status;
	q->bytes = len;
	ret = MHD_queue_response(conn, (unsigned int)resp->status, mr);
	MHD_destroy_response(mr);
	json_decref(resp->json);
	resp->json = NULL;
	return ret;
}

static enum MHD_Result
send_error(struct MHD_Connection *conn, struct req *q, int status, const char *code,
	   json_t *details, const char *www_auth, const char *allow, const char *msg)
{
	struct sk_api_resp resp = { 0 };

	sk_api_error(&resp, status, code, details, "%s", msg);
	return send_resp(conn, q, &resp, www_auth, allow);
}

/* Accept policy: runs on MHD's thread for every new TCP connection,
 * before TLS; a peer outside the admin networks gets a closed socket. */
static enum MHD_Result
on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	struct sk_rest *r = cls;
	char peer[INET6_ADDRSTRLEN];

	(void)addrlen;
	if (sk_rest_access_peer_ok(&r->acl, addr, peer, sizeof(peer)))
		return MHD_YES;
	__atomic_fetch_add(&r->refused_peers, 1, __ATOMIC_RELAXED);
	return MHD_NO;
}

uint64_t
sk_rest_refused_peers(const struct sk_rest *r)
{
	return r != NULL ? __atomic_load_n(&r->refused_peers, __ATOMIC_RELAXED) : 0;
}

/* The console's files (rest_ui.h): no token (the page that asks for it
 * must load first; the files hold no data), the admin networks as for
 * everything else. */
static enum MHD_Result
serve_ui(struct sk_rest *r, struct MHD_Connection *conn, struct req *q)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct MHD_Response *mr;
	enum MHD_Result ret;
	char msg[SK_REST_PATH_MAX + 32];
	int status;

	if (!sk_rest_access_peer_ok(&r->acl, ci ? ci->client_addr : NULL, q->peer,
				    sizeof(q->peer)))
		return send_error(conn, q, 403, "forbidden", NULL, NULL, NULL,
				  "this address is not in the unit's admin networks");
	if (strcmp(q->method, "GET") != 0 && strcmp(q->method, "HEAD") != 0)
		return send_error(conn, q, 405, "method_not_allowed",
				  json_pack("{s:s}", "allow", "GET, HEAD"), NULL, "GET, HEAD",
				  "the console's files are read with GET");
	mr = sk_rest_ui_response(q->path,
		MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING),
		MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH),
		&status, &q->bytes);
	if (mr == NULL && status == 404) {
		snprintf(msg, sizeof(msg), "no console file %s", q->path);
		return send_error(conn, q, 404, "not_found", NULL, NULL, NULL, msg);
	}
	if (mr == NULL)
		return MHD_NO;
	q->status = status;
	ret = MHD_queue_response(conn, (unsigned int)status, mr);
	MHD_destroy_response(mr);
	return ret;
}

/* The checks made as soon as the headers are in, before any body byte. */
static enum MHD_Result
begin(struct sk_rest *r, struct MHD_Connection *conn, struct req *q)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const char *auth, *clen, *method = q->method;
	char msg[SK_REST_PATH_MAX + 160];
	int rc;

	if (!sk_rest_access_peer_ok(&r->acl, ci ? ci->client_addr : NULL, q->peer,
				    sizeof(q->peer)))
		return send_error(conn, q, 403, "forbidden", NULL, NULL, NULL,
				  "this address is not in the unit's admin networks");
	auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	rc = sk_rest_access_token(&r->acl, auth, q->principal, sizeof(q->principal));
	if (rc == -ENOENT)
		return send_error(conn, q, 401, "unauthorized", NULL,
				  "Bearer realm=\"sekisho\"", NULL,
				  "a bearer token is required (Authorization: Bearer TOKEN)");
	if (rc != 0)
		return send_error(conn, q, 401, "unauthorized", NULL,
				  "Bearer realm=\"sekisho\", error=\"invalid_token\"", NULL,
				  "the token is not valid");
	if (strcmp(method, "HEAD") == 0)
		method = "GET"; /* MHD sends the headers of the GET answer */
	rc = sk_rest_route_find((const struct sk_api_route *const *)r->tables, method, q->path,
				&q->match);
	if (rc == -EPERM) {
		snprintf(msg, sizeof(msg), "%s is not allowed on %s (allowed: %s)", q->method,
			 q->path, q->match.allow);
		return send_error(conn, q, 405, "method_not_allowed",
				  json_pack("{s:s}", "allow", q->match.allow), NULL,
				  q->match.allow, msg);
	}
	if (rc != 0) {
		snprintf(msg, sizeof(msg), "no resource %s", q->path);
		return send_error(conn, q, 404, "not_found", NULL, NULL, NULL, msg);
	}
	clen = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (clen != NULL && strtoull(clen, NULL, 10) > r->body_max) {
		snprintf(msg, sizeof(msg), "request body of %s bytes is over the limit of %zu",
			 clen, r->body_max);
		return send_error(conn, q, 413, "payload_too_large",
				  json_pack("{s:I}", "limit", (json_int_t)r->body_max), NULL, NULL,
				  msg);
	}
	return MHD_YES;
}

static enum MHD_Result
take_body(struct sk_rest *r, struct req *q, const char *data, size_t n)
{
	if (!q->too_big && q->body_len + n > r->body_max) {
		/* Chunked uploads have no Content-Length to refuse up front:
		 * drop what came, answer 413 when the client is done. */
		q->too_big = 1;
		free(q->body);
		q->body = NULL;
		q->body_len = q->body_cap = 0;
	}
	if (q->too_big) {
		q->discarded += n;
		/* Past four times the limit the client is not going to stop. */
		return q->discarded > 4 * r->body_max ? MHD_NO : MHD_YES;
	}
	if (q->body_len + n > q->body_cap) {
		size_t cap = q->body_cap ? q->body_cap : 4096;
		char *b;

		while (cap < q->body_len + n)
			cap *= 2;
		if (cap > r->body_max)
			cap = r->body_max;
		b = realloc(q->body, cap + 1);
		if (b == NULL)
			return MHD_NO;
		q->body = b;
		q->body_cap = cap;
	}
	memcpy(q->body + q->body_len, data, n);
	q->body_len += n;
	return MHD_YES;
}

/* Is the body JSON?  Declared so, or (curl -d sends form encoding by
 * default) undeclared/form-encoded and shaped like a JSON document. */
static int
body_is_json(struct MHD_Connection *conn, const struct req *q)
{
	const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_TYPE);
	size_t i = 0;

	if (q->body_len == 0)
		return 0;
	if (ct != NULL && (strncasecmp(ct, "application/json", 16) == 0 ||
			   strstr(ct, "+json") != NULL))
		return 1;
	if (ct != NULL && strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0)
		return 0;
	while (i < q->body_len && strchr(" \t\r\n", q->body[i]) != NULL)
		i++;
	return i < q->body_len && (q->body[i] == '{' || q->body[i] == '[');
}

static const char *
query_value(const struct sk_api_req *req, const char *key)
{
	return MHD_lookup_connection_value(req->query_ctx, MHD_GET_ARGUMENT_KIND, key);
}

static enum MHD_Result
finish(struct sk_rest *r, struct MHD_Connection *conn, struct req *q)
{
	struct sk_api_req req = { 0 };
	struct sk_api_resp resp = { 0 };
	enum MHD_Result ret;
	json_error_t jerr;
	char msg[256];
	unsigned int i;
	int locked;

	if (q->too_big) {
		snprintf(msg, sizeof(msg), "request body is over the limit of %zu bytes",
			 r->body_max);
		return send_error(conn, q, 413, "payload_too_large",
				  json_pack("{s:I}", "limit", (json_int_t)r->body_max), NULL, NULL,
				  msg);
	}
	if (q->body != NULL)
		q->body[q->body_len] = '\0'; /* a convenience; body_len is the truth */
	if (body_is_json(conn, q)) {
		req.json = json_loadb(q->body, q->body_len, 0, &jerr);
		if (req.json == NULL) {
			snprintf(msg, sizeof(msg), "invalid JSON at line %d, column %d: %s",
				 jerr.line, jerr.column, jerr.text);
			return send_error(conn, q, 400, "bad_request",
					  json_pack("{s:i, s:i, s:i}", "line", jerr.line,
						    "column", jerr.column, "position",
						    jerr.position), NULL, NULL, msg);
		}
	}
	req.method = q->method;
	req.path = q->path;
	for (i = 0; i < q->match.n_params; i++)
		req.params[i] = q->match.params[i];
	req.n_params = q->match.n_params;
	req.query = query_value;
	req.query_ctx = conn;
	req.body = q->body;
	req.body_len = q->body_len;
	req.principal = q->principal;
	req.peer = q->peer;
	/* Handlers that read or change the running config run under cp.h's
	 * dp_lock (serialised with commits, HA config sync and the health
	 * checker); those flagged SK_API_F_NO_DP_LOCK (api.h) do not queue
	 * behind them.  Tests run without a cp. */
	locked = r->cp != NULL && !(q->match.route->flags & SK_API_F_NO_DP_LOCK);
	if (locked)
		pthread_mutex_lock(&r->cp->dp_lock);
	q->match.route->fn(r->cp, &req, &resp);
	if (locked)
		pthread_mutex_unlock(&r->cp->dp_lock);
	json_decref(req.json);
	ret = send_resp(conn, q, &resp, NULL, NULL);
	free(resp.blob);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	   const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct sk_rest *r = cls;
	struct req *q = *con_cls;

	(void)version;
	if (q == NULL) {
		q = calloc(1, sizeof(*q));
		if (q == NULL)
			return MHD_NO;
		*con_cls = q;
		clock_gettime(CLOCK_MONOTONIC, &q->t0);
		snprintf(q->method, sizeof(q->method), "%s", method);
		snprintf(q->path, sizeof(q->path), "%s", url);
		snprintf(q->principal, sizeof(q->principal), "-");
		if (sk_rest_ui_path(q->path))
			return serve_ui(r, conn, q);
		return begin(r, conn, q);
	}
	if (q->status != 0) {
		/* Already answered (an early error): nothing more to read. */
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		enum MHD_Result ret = take_body(r, q, upload, *upload_size);

		*upload_size = 0;
		return ret;
	}
	return finish(r, conn, q);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
	     enum MHD_RequestTerminationCode toe)
{
	struct sk_rest *r = cls;
	struct req *q = *con_cls;
	struct sk_rest_access a;
	struct timespec t1;
	char line[SK_REST_PATH_MAX + 256];

	(void)conn;
	(void)toe;
	if (q == NULL)
		return;
	*con_cls = NULL;
	if (r->access_log != NULL) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		a.peer = q->peer[0] ? q->peer : "?";
		a.principal = q->principal;
		a.method = q->method;
		a.path = q->path;
		a.status = q->status;
		a.bytes = q->bytes;
		a.usec = (uint64_t)(t1.tv_sec - q->t0.tv_sec) * 1000000u +
			 (uint64_t)((t1.tv_nsec - q->t0.tv_nsec) / 1000);
		snprintf(line, sizeof(line), "%s %s \"%s %s\" %d %llu %llu.%03llums", a.peer,
			 a.principal, a.method, a.path, a.status, (unsigned long long)a.bytes,
			 (unsigned long long)(a.usec / 1000), (unsigned long long)(a.usec % 1000));
		r->access_log(r->log_ctx, &a, line);
	}
	free(q->body);
	free(q);
}

static int
bind_addr(const struct sk_cfg_mgmt *m, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (m->listen_family == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(m->listen_port);
		memcpy(&s4->sin_addr, m->listen_addr, 4);
		return 0;
	}
	if (m->listen_family == 6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(m->listen_port);
		memcpy(&s6->sin6_addr, m->listen_addr, 16);
		return 0;
	}
	return -EINVAL;
}

void
sk_rest_free(struct sk_rest *r)
{
	if (r == NULL)
		return;
	if (r->mhd != NULL)
		MHD_stop_daemon(r->mhd);
	if (r->key_pem != NULL)
		OPENSSL_cleanse(r->key_pem, strlen(r->key_pem));
	free(r->key_pem);
	free(r->cert_pem);
	pthread_mutex_destroy(&r->acl.lock);
	OPENSSL_cleanse(&r->acl, sizeof(r->acl));
	free(r);
}

int
sk_rest_create(const struct sk_rest_conf *conf, struct sk_rest **out, char *err, size_t errlen)
{
	const struct sk_cfg_mgmt *m = conf->mgmt;
	struct sockaddr_storage ss;
	struct sk_rest *r;
	unsigned int flags;
	size_t i, t = 0;
	int rc;

	*out = NULL;
	if (m == NULL || conf->tables == NULL) {
		snprintf(err, errlen, "no management settings or no routes");
		return -EINVAL;
	}
	if (m->n_tokens == 0) {
		snprintf(err, errlen, "management: no tokens configured; the REST API stays off");
		return -ENOKEY;
	}
	if (bind_addr(m, &ss) != 0) {
		snprintf(err, errlen, "management: bad listen address");
		return -EINVAL;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	pthread_mutex_init(&r->acl.lock, NULL);
	(void)sk_rest_access_set(&r->acl, m);
	for (i = 0; conf->tables[i] != NULL; i++) {
		if (t == SK_REST_MAX_TABLES) {
			snprintf(err, errlen, "more than %d route tables", SK_REST_MAX_TABLES);
			sk_rest_free(r);
			return -EINVAL;
		}
		r->tables[t++] = conf->tables[i];
	}
	r->tables[t++] = sk_rest_routes_builtin;
	r->tables[t] = NULL;
	r->cp = conf->cp;
	r->access_log = conf->access_log;
	r->error_log = conf->error_log;
	r->log_ctx = conf->log_ctx;
	r->body_max = conf->body_max ? conf->body_max : SK_REST_BODY_MAX;
	rc = sk_rest_tls_material(m, conf->unit, &r->cert_pem, &r->key_pem, err, errlen);
	if (rc != 0) {
		sk_rest_free(r);
		return rc;
	}
	/* One internal thread and no thread pool: handlers run one at a time. */
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS | MHD_USE_POLL | MHD_USE_ERROR_LOG;
	if (m->listen_family == 6)
		flags |= MHD_USE_IPv6;
	errno = 0;
	r->mhd = MHD_start_daemon(flags, m->listen_port, on_accept, r, on_request, r,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, r,
		MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&ss,
		MHD_OPTION_HTTPS_MEM_CERT, r->cert_pem,
		MHD_OPTION_HTTPS_MEM_KEY, r->key_pem,
		MHD_OPTION_HTTPS_PRIORITIES, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, r,
		/* Several threads: a request that waits (a commit, a slow
		 * mailbox request) does not hold up the others. */
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)SK_REST_THREADS,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)64,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)16,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
		MHD_OPTION_END);
	if (r->mhd == NULL) {
		char ip[INET6_ADDRSTRLEN] = "?";

		rc = errno ? -errno : -EIO;
		inet_ntop(m->listen_family == 4 ? AF_INET : AF_INET6, m->listen_addr, ip,
			  sizeof(ip));
		snprintf(err, errlen, "cannot serve on %s%s%s:%u: %s", m->listen_family == 6 ? "[" : "",
			 ip, m->listen_family == 6 ? "]" : "", m->listen_port,
			 errno ? strerror(errno) : "libmicrohttpd failed to start (TLS?)");
		sk_rest_free(r);
		return rc;
	}
	{
		const union MHD_DaemonInfo *di = MHD_get_daemon_info(r->mhd,
								     MHD_DAEMON_INFO_BIND_PORT);

		r->port = di != NULL && di->port != 0 ? di->port : m->listen_port;
	}
	*out = r;
	return 0;
}

uint16_t
sk_rest_port(const struct sk_rest *r)
{
	return r->port;
}

int
sk_rest_set_access(struct sk_rest *r, const struct sk_cfg_mgmt *mgmt)
{
	return sk_rest_access_set(&r->acl, mgmt);
}
