/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hctap_set.c - the health endpoints of a config image, so a worker can tell
 * a backend's answer to a health probe (which belongs to the kernel's TCP
 * stack behind the tap) from other traffic addressed to the unit.
 *
 * Built on the main lcore with each generation, immutable afterwards, read
 * lock-free by workers (rte_hash lookups need no lock without writers).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "sk_image_api.h"
#include "hctap.h"

struct hctap_key {
	uint8_t family;
	uint8_t pad;
	uint16_t port;     /* host order */
	uint8_t addr[16];
};

struct sk_hctap_set {
	struct rte_hash *h;    /* NULL when the image has no checked backend */
	uint32_t count;
	uint16_t eph_lo, eph_hi; /* the kernel's ephemeral ports: a probe's source port */
};

/*
 * The kernel picks a probe's source port from ip_local_port_range (IPv4 and
 * IPv6 alike).  If it cannot be read, accept any unprivileged port.
 */
static void
ephemeral_range(uint16_t *lo, uint16_t *hi)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");
	unsigned int a, b;

	*lo = 1024;
	*hi = 65535;
	if (f == NULL)
		return;
	if (fscanf(f, "%u %u", &a, &b) == 2 && a >= 1 && a <= b && b <= 65535) {
		*lo = (uint16_t)a;
		*hi = (uint16_t)b;
	}
	fclose(f);
}

/* The port probed: keep in step with control/health/health_image.c. */
static uint16_t
endpoint_port(const struct sk_img_service *s, const struct sk_img_backend *b)
{
	if (s->hc_port != 0)
		return s->hc_port;
	return b->port != 0 ? b->port : s->port_lo;
}

struct sk_hctap_set *
sk_hctap_set_build(const void *image, size_t len, int socket)
{
	static uint32_t seq; /* main lcore only: two generations' sets coexist */
	const struct sk_img_service *svc;
	const struct sk_img_backend *be;
	struct rte_hash_parameters hp;
	struct sk_hctap_set *s;
	char name[RTE_HASH_NAMESIZE];
	uint32_t n_svc, n_be, i, j, entries = 0;

	if (image == NULL || len < sizeof(struct sk_image_hdr)) {
		rte_errno = EINVAL;
		return NULL;
	}
	svc = sk_image_sec(image, SK_SEC_SERVICES, &n_svc);
	be = sk_image_sec(image, SK_SEC_BACKENDS, &n_be);
	for (i = 0; i < n_svc; i++)
		if (svc[i].hc_type != SK_LB_HC_NONE)
			entries += svc[i].backend_count;

	s = rte_zmalloc_socket("sk_hctap_set", sizeof(*s), 0, socket);
	if (s == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	ephemeral_range(&s->eph_lo, &s->eph_hi);
	if (entries == 0)
		return s;

	/* Names are shared by every process of the unit (sekisho-cp builds
	 * generations for traces): the pid keeps them apart. */
	snprintf(name, sizeof(name), "skhc%x.%u", (unsigned int)getpid(), seq++);
	memset(&hp, 0, sizeof(hp));
	hp.name = name;
	hp.entries = RTE_MAX(entries, 8u);
	hp.key_len = sizeof(struct hctap_key);
	hp.hash_func = rte_hash_crc;
	hp.socket_id = socket;
	s->h = rte_hash_create(&hp);
	if (s->h == NULL) {
		rte_free(s);
		rte_errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < n_svc; i++) {
		if (svc[i].hc_type == SK_LB_HC_NONE)
			continue;
		for (j = svc[i].backend_first; j < svc[i].backend_first + svc[i].backend_count;
		     j++) {
			struct hctap_key k;
			int rc;

			if (j >= n_be) /* a verified image never gets here */
				break;
			memset(&k, 0, sizeof(k));
			k.family = be[j].family;
			k.port = endpoint_port(&svc[i], &be[j]);
			memcpy(k.addr, be[j].addr, 16);
			/* Backends shared by services are one endpoint. */
			if (rte_hash_lookup(s->h, &k) >= 0)
				continue;
			rc = rte_hash_add_key(s->h, &k);
			if (rc < 0) {
				sk_hctap_set_free(s);
				rte_errno = -rc;
				return NULL;
			}
			s->count++;
		}
	}
	return s;
}

void
sk_hctap_set_free(struct sk_hctap_set *s)
{
	if (s == NULL)
		return;
	rte_hash_free(s->h);
	rte_free(s);
}

uint32_t
sk_hctap_set_count(const struct sk_hctap_set *s)
{
	return s != NULL ? s->count : 0;
}

int
sk_hctap_is_reply(const struct sk_hctap_set *s, const struct sk_pkt_meta *pm)
{
	struct hctap_key k;

	if (s == NULL || s->h == NULL || pm->proto != IPPROTO_TCP || pm->frag == SK_FRAG_LATER ||
	    pm->dport < s->eph_lo || pm->dport > s->eph_hi)
		return 0;
	k.family = pm->family;
	k.pad = 0;
	k.port = pm->sport;
	memcpy(k.addr, pm->src, 16);
	return rte_hash_lookup(s->h, &k) >= 0;
}

int
sk_hctap_kernel_port(const struct sk_hctap_set *s, uint16_t port)
{
	return s != NULL && port >= s->eph_lo && port <= s->eph_hi;
}
