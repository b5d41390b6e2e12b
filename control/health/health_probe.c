/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * health_probe.c - one probe as a curl easy handle, and what its outcome
 * means.  tcp: CURLOPT_CONNECT_ONLY (the connect is the check); http/https:
 * GET path, the status line compared with the expected status (the body is
 * never read: the first body byte aborts the transfer); https does not check
 * the certificate (backends commonly have self-signed ones, and the check is
 * about liveness, not identity).  Every probe is a fresh connection, never a
 * proxy, bound to the health tap when one is configured.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health_priv.h"

/* The first body byte: the status is known, the rest is of no interest. */
static size_t
cut_body(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct hc_probe *p = arg;

	(void)ptr;
	(void)size;
	(void)nmemb;
	p->body_cut = 1;
	return 0; /* CURLE_WRITE_ERROR, recognised by body_cut */
}

static void
make_url(struct hc_probe *p, const struct sk_health_target *t)
{
	char a[INET6_ADDRSTRLEN];
	const char *scheme = t->type == SK_HEALTH_HTTPS ? "https" : "http";

	inet_ntop(t->family == 4 ? AF_INET : AF_INET6, t->addr, a, sizeof(a));
	snprintf(p->url, sizeof(p->url), t->family == 4 ? "%s://%s:%u%s" : "%s://[%s]:%u%s",
		 scheme, a, t->port, t->type == SK_HEALTH_TCP ? "/" : t->path);
}

struct hc_probe *
sk_health_probe_new(const struct sk_health *h, const struct hc_target *x)
{
	const struct sk_health_target *t = &x->t;
	struct hc_probe *p = calloc(1, sizeof(*p));
	char ifopt[32];
	CURL *e;
	int bad = 0;

	if (p == NULL)
		return NULL;
	e = curl_easy_init();
	if (e == NULL) {
		free(p);
		return NULL;
	}
	p->easy = e;
	p->target_id = x->id;
	p->type = t->type;
	p->status = t->status;
	p->timeout_ms = t->timeout_ms;
	make_url(p, t);
#define SET(opt, val) (bad |= curl_easy_setopt(e, opt, val) != CURLE_OK)
	SET(CURLOPT_URL, p->url);
	SET(CURLOPT_PRIVATE, p);
	SET(CURLOPT_ERRORBUFFER, p->errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_TIMEOUT_MS, (long)t->timeout_ms);
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)t->timeout_ms);
	/* Each probe proves a new connection works; nothing pooled. */
	SET(CURLOPT_FRESH_CONNECT, 1L);
	SET(CURLOPT_FORBID_REUSE, 1L);
	/* Never through a proxy from the environment (http_proxy=...). */
	SET(CURLOPT_PROXY, "");
	SET(CURLOPT_NOPROXY, "*");
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_PATH_AS_IS, 1L);
	SET(CURLOPT_USERAGENT, "sekisho-health/" SK_VERSION);
	if (h->cfg.tap[0] != '\0') {
		snprintf(ifopt, sizeof(ifopt), "if!%s", h->cfg.tap);
		SET(CURLOPT_INTERFACE, ifopt);
	}
	if (t->type == SK_HEALTH_TCP) {
		SET(CURLOPT_CONNECT_ONLY, 1L);
	} else {
		SET(CURLOPT_HTTPGET, 1L);
		SET(CURLOPT_WRITEFUNCTION, cut_body);
		SET(CURLOPT_WRITEDATA, p);
		if (t->type == SK_HEALTH_HTTPS) {
			SET(CURLOPT_SSL_VERIFYPEER, 0L);
			SET(CURLOPT_SSL_VERIFYHOST, 0L);
		}
	}
#undef SET
	if (bad) {
		sk_health_probe_free(p);
		return NULL;
	}
	return p;
}

void
sk_health_probe_free(struct hc_probe *p)
{
	if (p == NULL)
		return;
	curl_easy_cleanup(p->easy);
	free(p);
}

int
sk_health_probe_result(struct hc_probe *p, CURLcode rc, char *why, size_t whylen)
{
	const char *what = p->type == SK_HEALTH_TCP ? "tcp" :
			   p->type == SK_HEALTH_HTTP ? "http" : "https";
	long code = 0;

	if (rc == CURLE_OPERATION_TIMEDOUT) {
		snprintf(why, whylen, "%s: no answer within %u ms", what, p->timeout_ms);
		return 0;
	}
	if (p->type == SK_HEALTH_TCP) {
		if (rc == CURLE_OK) {
			snprintf(why, whylen, "tcp: connected");
			return 1;
		}
		snprintf(why, whylen, "tcp: %s", p->errbuf[0] ? p->errbuf : curl_easy_strerror(rc));
		return 0;
	}
	if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && p->body_cut)) {
		snprintf(why, whylen, "%s: %s", what, p->errbuf[0] ? p->errbuf :
			 curl_easy_strerror(rc));
		return 0;
	}
	curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &code);
	if (code != p->status) {
		snprintf(why, whylen, "%s: status %ld, expected %u", what, code, p->status);
		return 0;
	}
	snprintf(why, whylen, "%s: status %ld", what, code);
	return 1;
}
