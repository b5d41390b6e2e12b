/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_link_make.c - making and freeing an HA link (listening socket, key
 * context, limits from the config) and reading its state and counters.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include "ha_link_priv.h"

int
sk_ha_link_addr(const char *ip, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (ip != NULL && inet_pton(AF_INET, ip, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		*len = sizeof(*a4);
		return 0;
	}
	if (ip != NULL && inet_pton(AF_INET6, ip, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		*len = sizeof(*a6);
		return 0;
	}
	return -EINVAL;
}

int
sk_ha_link_create(const struct sk_ha_link_cfg *cfg, struct sk_ha_link **out, char *err,
		  size_t errlen)
{
	struct sk_ha_link *l;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int one = 1, i, rc;

	*out = NULL;
	if (cfg == NULL || (cfg->unit != 1 && cfg->unit != 2) || cfg->on_msg == NULL ||
	    cfg->on_state == NULL || cfg->local_len == 0 || cfg->peer_len == 0 ||
	    cfg->local.ss_family != cfg->peer.ss_family ||
	    (cfg->max_frame != 0 && (cfg->max_frame < 1024 || cfg->max_frame > SK_HA_FRAME_MAX))) {
		snprintf(err, errlen, "ha link: bad configuration");
		return -EINVAL;
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL) {
		snprintf(err, errlen, "ha link: out of memory");
		return -ENOMEM;
	}
	l->cfg = *cfg;
	if (l->cfg.max_frame == 0)
		l->cfg.max_frame = SK_HA_FRAME_DEFAULT;
	if (l->cfg.max_msg == 0)
		l->cfg.max_msg = SK_HA_MSG_DEFAULT;
	if (l->cfg.max_msg > UINT32_MAX)
		l->cfg.max_msg = UINT32_MAX;  /* the header's total is 32-bit */
	if (l->cfg.dead_ms == 0)
		l->cfg.dead_ms = 200;
	l->q[SK_HA_PRIO_CTRL].max = l->cfg.ctrl_queue_max ? l->cfg.ctrl_queue_max : 1u << 20;
	l->q[SK_HA_PRIO_BULK].max = l->cfg.bulk_queue_max ? l->cfg.bulk_queue_max
							  : 2 * l->cfg.max_msg;
	l->hs_ms = l->cfg.dead_ms > 1000 ? l->cfg.dead_ms : 1000;
	l->idle_ms = l->cfg.idle_ms ? l->cfg.idle_ms
		   : (10 * l->cfg.dead_ms > 5000 ? 10 * l->cfg.dead_ms : 5000);
	if (l->cfg.stall_ms == 0)
		l->cfg.stall_ms = l->cfg.dead_ms;
	l->peer_unit = 3 - cfg->unit;
	l->active = -1;
	l->lfd = -1;
	l->backoff_ms = SK_HA_BACKOFF_MIN;
	l->state = SK_HA_LINK_DOWN;
	for (i = 0; i < SK_HA_CONN_MAX; i++)
		l->conn[i].fd = -1;
	l->ours.unit = (uint8_t)cfg->unit;
	l->ours.max_frame = l->cfg.max_frame;
	l->ours.hello = cfg->hello;
	l->ours.hello.version[sizeof(l->ours.hello.version) - 1] = 0;
	l->ours.hello.cluster[sizeof(l->ours.hello.cluster) - 1] = 0;
	if (RAND_bytes((unsigned char *)&l->boot, sizeof(l->boot)) != 1 ||
	    sk_ha_mac_init(&l->lmac, cfg->key) != 0) {
		snprintf(err, errlen, "ha link: OpenSSL initialisation failed");
		free(l);
		return -EIO;
	}
	l->lfd = socket(cfg->local.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->lfd < 0 ||
	    setsockopt(l->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(l->lfd, (const struct sockaddr *)&cfg->local, cfg->local_len) != 0 ||
	    listen(l->lfd, 8) != 0 ||
	    getsockname(l->lfd, (struct sockaddr *)&ss, &sl) != 0) {
		rc = -errno;
		snprintf(err, errlen, "ha link: listen on the HA address: %s", strerror(errno));
		sk_ha_link_free(&l);
		return rc;
	}
	l->lport = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
						 : ((struct sockaddr_in6 *)&ss)->sin6_port);
	*out = l;
	return 0;
}

void
sk_ha_link_free(struct sk_ha_link **lp)
{
	struct sk_ha_link *l = lp != NULL ? *lp : NULL;
	int i;

	if (l == NULL)
		return;
	for (i = 0; i < SK_HA_CONN_MAX; i++) {
		struct sk_ha_conn *c = &l->conn[i];

		if (c->st == SK_HA_CONN_FREE)
			continue;
		if (c->fd >= 0)
			close(c->fd);
		free(c->in);
		free(c->out);
		free(c->rs);
		if (c->session_keyed)
			sk_ha_mac_free(&c->smac);
	}
	if (l->lfd >= 0)
		close(l->lfd);
	sk_ha_queue_flush(l, &l->q[0]);
	sk_ha_queue_flush(l, &l->q[1]);
	sk_ha_mac_free(&l->lmac);
	OPENSSL_cleanse(l, sizeof(*l));
	free(l);
	*lp = NULL;
}

uint16_t
sk_ha_link_local_port(const struct sk_ha_link *l)
{
	return l->lport;
}

enum sk_ha_link_state
sk_ha_link_state(const struct sk_ha_link *l)
{
	return (enum sk_ha_link_state)l->state;
}

void
sk_ha_link_stats(const struct sk_ha_link *l, struct sk_ha_link_stats *out)
{
	*out = l->st;
	out->ctrl_queued = l->q[SK_HA_PRIO_CTRL].bytes;
	out->bulk_queued = l->q[SK_HA_PRIO_BULK].bytes;
	out->state = l->state;
}

int
sk_ha_link_peer(const struct sk_ha_link *l, struct sk_ha_link_peer *out)
{
	if (!l->have_peer)
		return -ENOENT;
	*out = l->peer;
	return 0;
}
