/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb_svc.c - compiling the virtual services of an image into a struct sk_lb
 * (sk_lb_build / sk_lb_free) and the read-only lookups the workers make on
 * it: the service of a destination (VIP + protocol, then the port range),
 * the SK_LB_ADDR_* flags of an address, a backend by address and port.
 *
 * Lookup tables are rte_hash tables written once here and only read
 * afterwards, so workers look them up concurrently without a lock.  The
 * runtime part (backend states, Maglev tables) is in lb_svc_rt.c, the
 * per-connection choice in lb_svc_select.c, the counters in lb_svc_stats.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "sk_image_api.h"
#include "lb_svc_priv.h"

/* Names of DPDK objects (hashes, the defer queue's ring) must be unique
 * process-wide, and two struct sk_lb of one generation id may exist (a
 * failed commit, tests): every sk_lb takes a number of its own. */
static uint32_t lb_seq;

static struct rte_hash *
lb_hash(const struct sk_lb *lb, const char *what, uint32_t entries, uint32_t key_len,
	uint8_t flags)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters p = {
		.name = name,
		.entries = entries < 64 ? 64 : entries,
		.key_len = key_len,
		.socket_id = lb->socket,
		.extra_flag = flags,
	};

	/* DPDK object names are shared by every process of the unit: sekisho-cp
	 * builds generations too (trace), so the pid keeps them apart. */
	snprintf(name, sizeof(name), "sklb%x.%" PRIu32 "%s", (unsigned int)getpid(), lb->id, what);
	return rte_hash_create(&p);
}

/* Copy n records of sz bytes into rte_malloc'd memory (NULL for n == 0). */
static void *
lb_copy(const struct sk_lb *lb, const void *src, uint32_t n, size_t sz, int *fail)
{
	void *p;

	if (n == 0)
		return NULL;
	p = rte_malloc_socket("sk_lb_copy", sz * n, RTE_CACHE_LINE_SIZE, lb->socket);
	if (p == NULL)
		*fail = 1;
	else
		memcpy(p, src, sz * n);
	return p;
}

/* VIP groups: services sharing (family, proto, vip), each a short list
 * checked linearly for the port (the verifier forbids overlaps). */
static int
lb_build_vips(struct sk_lb *lb, char *err, size_t errlen)
{
	uint32_t i, ng = 0, *fill;
	int32_t pos;
	void *d;

	lb->vip = lb_hash(lb, "v", lb->n_svc * 2, sizeof(struct lb_vip_key),
			  RTE_HASH_EXTRA_FLAGS_EXT_TABLE);
	lb->vip_grp = rte_zmalloc_socket("sk_lb_vip", sizeof(*lb->vip_grp) * lb->n_svc,
					 RTE_CACHE_LINE_SIZE, lb->socket);
	lb->vip_svc = rte_zmalloc_socket("sk_lb_vip", sizeof(*lb->vip_svc) * lb->n_svc,
					 RTE_CACHE_LINE_SIZE, lb->socket);
	fill = calloc(lb->n_svc, sizeof(*fill));
	if (lb->vip == NULL || lb->vip_grp == NULL || lb->vip_svc == NULL || fill == NULL) {
		free(fill);
		snprintf(err, errlen, "load balancer: out of memory for the VIP table");
		return -ENOMEM;
	}
	for (i = 0; i < lb->n_svc; i++) {
		const struct sk_img_service *s = &lb->svc[i].img;
		struct lb_vip_key k;

		memset(&k, 0, sizeof(k));
		k.family = s->family;
		k.proto = s->proto;
		memcpy(k.vip, s->vip, 16);
		if (rte_hash_lookup_data(lb->vip, &k, &d) >= 0) {
			lb->vip_grp[(uintptr_t)d].n++;
			continue;
		}
		pos = rte_hash_add_key_data(lb->vip, &k, (void *)(uintptr_t)ng);
		if (pos < 0) {
			free(fill);
			snprintf(err, errlen, "load balancer: VIP table: %s", strerror(-pos));
			return pos;
		}
		lb->vip_grp[ng++].n = 1;
	}
	for (i = 1; i < ng; i++)
		lb->vip_grp[i].first = lb->vip_grp[i - 1].first + lb->vip_grp[i - 1].n;
	for (i = 0; i < lb->n_svc; i++) {
		const struct sk_img_service *s = &lb->svc[i].img;
		struct lb_vip_key k;
		uint32_t g;

		memset(&k, 0, sizeof(k));
		k.family = s->family;
		k.proto = s->proto;
		memcpy(k.vip, s->vip, 16);
		(void)rte_hash_lookup_data(lb->vip, &k, &d);
		g = (uint32_t)(uintptr_t)d;
		lb->vip_svc[lb->vip_grp[g].first + fill[g]++] = i;
	}
	free(fill);
	return 0;
}

static int
lb_addr_or(struct sk_lb *lb, uint8_t family, const uint8_t addr[16], uint8_t flag)
{
	struct lb_addr_key k;
	void *d = NULL;
	int32_t pos;

	memset(&k, 0, sizeof(k));
	k.family = family;
	memcpy(k.addr, addr, family == 4 ? 4 : 16);
	if (rte_hash_lookup_data(lb->addr, &k, &d) < 0)
		d = NULL;
	pos = rte_hash_add_key_data(lb->addr, &k, (void *)((uintptr_t)d | flag));
	if (pos >= 0) {
		uint32_t bit = lb_addr_bit(family, addr);

		lb->addr_filter[bit / 64] |= 1ull << (bit % 64);
	}
	return pos < 0 ? pos : 0;
}

/* Address flags and the (service, address, port) -> backend index. */
static int
lb_build_addrs(struct sk_lb *lb, char *err, size_t errlen)
{
	uint32_t i, j;
	int rc = 0;

	lb->addr = lb_hash(lb, "a", (lb->n_svc + lb->n_snat + lb->n_gbe) * 2,
			   sizeof(struct lb_addr_key),
			   RTE_HASH_EXTRA_FLAGS_EXT_TABLE);
	lb->befind = lb_hash(lb, "b", lb->n_gbe * 2, sizeof(struct lb_befind_key),
			     RTE_HASH_EXTRA_FLAGS_EXT_TABLE);
	if (lb->addr == NULL || lb->befind == NULL) {
		snprintf(err, errlen, "load balancer: out of memory for the address tables");
		return -ENOMEM;
	}
	for (i = 0; i < lb->n_svc && rc == 0; i++) {
		const struct sk_img_service *s = &lb->svc[i].img;

		rc = lb_addr_or(lb, s->family, s->vip, SK_LB_ADDR_VIP);
		for (j = 0; j < s->snat_count && rc == 0; j++) {
			const struct sk_img_prefix *p = &lb->snat[s->snat_first + j];

			rc = lb_addr_or(lb, p->family, p->addr, SK_LB_ADDR_SNAT);
		}
		/* DNAT replies come from these: wlb.h finds their owner by them. */
		for (j = 0; s->fwd == SK_LB_FWD_DNAT && j < s->backend_count && rc == 0; j++) {
			const struct sk_img_backend *b = &lb->bimg[s->backend_first + j];

			rc = lb_addr_or(lb, b->family, b->addr, SK_LB_ADDR_BACKEND);
		}
	}
	for (i = 0; i < lb->n_gbe && rc == 0; i++) {
		const struct sk_img_backend *b = &lb->bimg[i];
		struct lb_befind_key k;
		int32_t pos;

		memset(&k, 0, sizeof(k));
		k.svc = lb->gbe_svc[i];
		k.port = b->port;
		memcpy(k.addr, b->addr, 16);
		/* The same address and port twice in a service: the first wins. */
		if (rte_hash_lookup(lb->befind, &k) >= 0)
			continue;
		pos = rte_hash_add_key_data(lb->befind, &k, (void *)(uintptr_t)i);
		rc = pos < 0 ? pos : 0;
	}
	if (rc != 0)
		snprintf(err, errlen, "load balancer: address table: %s", strerror(-rc));
	return rc;
}

static int
lb_build_worker(struct sk_lb *lb, struct lb_worker *w, unsigned int wi, uint32_t n_persist)
{
	uint32_t i;

	w->be = rte_zmalloc_socket("sk_lb_row", sizeof(*w->be) * (lb->n_gbe ? lb->n_gbe : 1),
				   RTE_CACHE_LINE_SIZE, lb->socket);
	w->svc = rte_zmalloc_socket("sk_lb_row", sizeof(*w->svc) * (lb->n_svc ? lb->n_svc : 1),
				    RTE_CACHE_LINE_SIZE, lb->socket);
	w->wrr = rte_zmalloc_socket("sk_lb_row", sizeof(*w->wrr) * (lb->n_svc ? lb->n_svc : 1),
				    RTE_CACHE_LINE_SIZE, lb->socket);
	if (w->be == NULL || w->svc == NULL || w->wrr == NULL)
		return -ENOMEM;
	if (lb->max_be > 0) {
		w->scratch_conns = rte_zmalloc_socket("sk_lb_scratch",
			sizeof(*w->scratch_conns) * lb->max_be, RTE_CACHE_LINE_SIZE, lb->socket);
		w->scratch_be = rte_zmalloc_socket("sk_lb_scratch",
			sizeof(*w->scratch_be) * lb->max_be, RTE_CACHE_LINE_SIZE, lb->socket);
		if (w->scratch_conns == NULL || w->scratch_be == NULL)
			return -ENOMEM;
	}
	for (i = 0; i < lb->n_svc; i++) {
		if (lb->svc[i].img.sched != SK_LB_SCHED_WRR)
			continue;
		w->wrr[i] = sk_lb_wrr_create(lb->svc[i].n_be, lb->socket);
		if (w->wrr[i] == NULL)
			return -ENOMEM;
	}
	if (n_persist > 0) {
		uint64_t entries = (uint64_t)LB_PERSIST_PER_SVC * n_persist;
		char what[16];

		snprintf(what, sizeof(what), "p%u", wi);
		w->persist = lb_hash(lb, what, entries > LB_PERSIST_MAX ? LB_PERSIST_MAX :
				     (uint32_t)entries, sizeof(struct lb_persist_key),
				     RTE_HASH_EXTRA_FLAGS_EXT_TABLE);
		if (w->persist == NULL)
			return -ENOMEM;
	}
	return 0;
}

static void
lb_free_worker(struct lb_worker *w, uint32_t n_svc)
{
	uint32_t i;

	if (w->wrr != NULL)
		for (i = 0; i < n_svc; i++)
			sk_lb_wrr_free(w->wrr[i]);
	rte_free(w->wrr);
	rte_free(w->be);
	rte_free(w->svc);
	rte_free(w->scratch_conns);
	rte_free(w->scratch_be);
	rte_hash_free(w->persist);
	memset(w, 0, sizeof(*w));
}

/* Free a retired runtime object (the defer queue's callback). */
static void
lb_dq_free(void *p, void *e, unsigned int n)
{
	struct lb_rt *rt;
	unsigned int i;

	RTE_SET_USED(p);
	for (i = 0; i < n; i++) {
		memcpy(&rt, (uint8_t *)e + i * sizeof(rt), sizeof(rt));
		lb_rt_free(rt);
	}
}

static int
lb_build_dq(struct sk_lb *lb, char *err, size_t errlen)
{
	char name[RTE_RCU_QSBR_DQ_NAMESIZE];
	struct rte_rcu_qsbr_dq_parameters p = {
		.name = name,
		/* Only the main lcore enqueues and reclaims. */
		.flags = RTE_RCU_QSBR_DQ_MT_UNSAFE,
		.size = LB_DQ_SIZE,
		.esize = sizeof(struct lb_rt *),
		.trigger_reclaim_limit = 1,
		.max_reclaim_size = LB_DQ_SIZE,
		.free_fn = lb_dq_free,
		.v = lb->qs,
	};

	snprintf(name, sizeof(name), "sklb%x.%" PRIu32, (unsigned int)getpid(), lb->id);
	lb->dq = rte_rcu_qsbr_dq_create(&p);
	if (lb->dq == NULL) {
		snprintf(err, errlen, "load balancer: defer queue: %s", rte_strerror(rte_errno));
		return -rte_errno;
	}
	return 0;
}

struct sk_lb *
sk_lb_build(const void *image, size_t len, uint64_t generation, unsigned int n_workers,
	    int socket, struct rte_rcu_qsbr *qs, const struct sk_lb *prev, char *err,
	    size_t errlen)
{
	const struct sk_image_hdr *h = image;
	const struct sk_img_service *svcs;
	const struct sk_img_backend *bes;
	const struct sk_img_prefix *snat;
	uint32_t i, n_persist = 0;
	struct sk_lb *lb;
	int fail = 0;

	if (sk_image_verify(image, len, err, errlen) != 0)
		return NULL;
	if (n_workers == 0 || n_workers > RTE_MAX_LCORE) {
		snprintf(err, errlen, "load balancer: %u workers (want 1..%u)", n_workers,
			 RTE_MAX_LCORE);
		return NULL;
	}
	lb = rte_zmalloc_socket("sk_lb", sizeof(*lb), RTE_CACHE_LINE_SIZE, socket);
	if (lb == NULL) {
		snprintf(err, errlen, "load balancer: out of memory");
		return NULL;
	}
	lb->generation = generation;
	lb->n_workers = n_workers;
	lb->socket = socket;
	lb->qs = qs;
	lb->id = __atomic_fetch_add(&lb_seq, 1, __ATOMIC_RELAXED);
	svcs = sk_image_sec(h, SK_SEC_SERVICES, &lb->n_svc);
	bes = sk_image_sec(h, SK_SEC_BACKENDS, &lb->n_gbe);
	snat = sk_image_sec(h, SK_SEC_SNAT, &lb->n_snat);

	lb->bimg = lb_copy(lb, bes, lb->n_gbe, sizeof(*bes), &fail);
	lb->snat = lb_copy(lb, snat, lb->n_snat, sizeof(*snat), &fail);
	if (lb->n_svc > 0) {
		lb->svc = rte_zmalloc_socket("sk_lb_svc", sizeof(*lb->svc) * lb->n_svc,
					     RTE_CACHE_LINE_SIZE, lb->socket);
		lb->gbe_svc = rte_zmalloc_socket("sk_lb_svc", sizeof(*lb->gbe_svc) * lb->n_gbe,
						 RTE_CACHE_LINE_SIZE, lb->socket);
		fail |= lb->svc == NULL || lb->gbe_svc == NULL;
	}
	lb->w = rte_zmalloc_socket("sk_lb_rows", sizeof(*lb->w) * n_workers,
				   RTE_CACHE_LINE_SIZE, lb->socket);
	if (fail || lb->w == NULL) {
		snprintf(err, errlen, "load balancer: out of memory");
		goto fail;
	}
	for (i = 0; i < lb->n_svc; i++) {
		struct lb_svc *s = &lb->svc[i];
		uint32_t j;

		s->img = svcs[i];
		s->gbe0 = s->img.backend_first;
		s->n_be = s->img.backend_count;
		s->af = lb_af(s->img.family);
		for (j = 0; j < s->n_be; j++) {
			lb->gbe_svc[s->gbe0 + j] = i;
			s->has_be_limit |= lb->bimg[s->gbe0 + j].conn_limit != 0;
		}
		if (s->n_be > lb->max_be)
			lb->max_be = s->n_be;
		n_persist += s->img.persist_s != 0;
	}
	if (lb->n_svc > 0 && (lb_build_vips(lb, err, errlen) != 0 ||
			      lb_build_addrs(lb, err, errlen) != 0))
		goto fail;
	for (i = 0; i < n_workers; i++)
		if (lb_build_worker(lb, &lb->w[i], i, n_persist) != 0) {
			snprintf(err, errlen, "load balancer: out of memory for worker %u's "
				 "counters and scheduler state", i);
			goto fail;
		}
	if (lb_rt_carry(lb, prev, err, errlen) != 0)
		goto fail;
	if (qs != NULL && lb_build_dq(lb, err, errlen) != 0)
		goto fail;
	return lb;
fail:
	sk_lb_free(lb);
	return NULL;
}

void
sk_lb_free(struct sk_lb *lb)
{
	uint32_t i;

	if (lb == NULL)
		return;
	/* The caller guarantees no worker sees lb any more, hence none sees
	 * what lb retired before; should a token still be unacknowledged
	 * (a worker offline since), wait for one grace period and retry. */
	if (lb->dq != NULL && rte_rcu_qsbr_dq_delete(lb->dq) != 0) {
		rte_rcu_qsbr_synchronize(lb->qs, RTE_QSBR_THRID_INVALID);
		(void)rte_rcu_qsbr_dq_delete(lb->dq);
	}
	lb->dq = NULL;
	if (lb->svc != NULL)
		for (i = 0; i < lb->n_svc; i++)
			lb_rt_free(lb->svc[i].rt);
	if (lb->w != NULL)
		for (i = 0; i < lb->n_workers; i++)
			lb_free_worker(&lb->w[i], lb->n_svc);
	rte_hash_free(lb->vip);
	rte_hash_free(lb->addr);
	rte_hash_free(lb->befind);
	rte_free(lb->vip_grp);
	rte_free(lb->vip_svc);
	rte_free(lb->w);
	rte_free(lb->svc);
	rte_free(lb->gbe_svc);
	rte_free(lb->bimg);
	rte_free(lb->snat);
	rte_free(lb);
}

uint32_t
sk_lb_n_services(const struct sk_lb *lb)
{
	return lb == NULL ? 0 : lb->n_svc;
}

uint8_t
sk_lb_addr_flags(const struct sk_lb *lb, uint8_t family, const uint8_t addr[16])
{
	struct lb_addr_key k;
	void *d;

	uint32_t bit;

	if (lb->addr == NULL)
		return 0;
	bit = lb_addr_bit(family, addr);
	if (!(lb->addr_filter[bit / 64] & (1ull << (bit % 64))))
		return 0;
	memset(&k, 0, sizeof(k));
	k.family = family;
	memcpy(k.addr, addr, family == 4 ? 4 : 16);
	if (rte_hash_lookup_data(lb->addr, &k, &d) < 0)
		return 0;
	return (uint8_t)(uintptr_t)d;
}

int
sk_lb_svc_match(const struct sk_lb *lb, const struct sk_pkt_meta *pm)
{
	const struct lb_vip_grp *g;
	struct lb_vip_key k;
	uint32_t i;
	void *d;

	if (lb->vip == NULL)
		return -1;
	memset(&k, 0, sizeof(k));
	k.family = pm->family;
	k.proto = pm->proto;
	memcpy(k.vip, pm->dst, pm->family == 4 ? 4 : 16);
	if (rte_hash_lookup_data(lb->vip, &k, &d) < 0)
		return -1;
	g = &lb->vip_grp[(uintptr_t)d];
	for (i = 0; i < g->n; i++) {
		uint32_t si = lb->vip_svc[g->first + i];
		const struct sk_img_service *s = &lb->svc[si].img;

		if (pm->dport >= s->port_lo && pm->dport <= s->port_hi)
			return (int)si;
	}
	return -1;
}

const struct sk_img_service *
sk_lb_service(const struct sk_lb *lb, uint32_t svc)
{
	return svc < lb->n_svc ? &lb->svc[svc].img : NULL;
}

int64_t
sk_lb_backend_svc(const struct sk_lb *lb, uint32_t gbe)
{
	return gbe < lb->n_gbe ? (int64_t)lb->gbe_svc[gbe] : -1;
}

const struct sk_img_prefix *
sk_lb_snat(const struct sk_lb *lb, uint32_t svc, uint32_t *n)
{
	const struct sk_img_service *s = sk_lb_service(lb, svc);

	if (s == NULL || s->snat_count == 0) {
		if (n != NULL)
			*n = 0;
		return NULL;
	}
	if (n != NULL)
		*n = s->snat_count;
	return &lb->snat[s->snat_first];
}

int64_t
sk_lb_backend_find(const struct sk_lb *lb, uint32_t svc, const uint8_t addr[16], uint16_t port)
{
	const struct sk_img_service *s = sk_lb_service(lb, svc);
	struct lb_befind_key k;
	void *d;

	if (s == NULL || lb->befind == NULL)
		return -1;
	memset(&k, 0, sizeof(k));
	k.svc = svc;
	k.port = port;
	memcpy(k.addr, addr, s->family == 4 ? 4 : 16);
	if (rte_hash_lookup_data(lb->befind, &k, &d) >= 0)
		return (int64_t)(uintptr_t)d;
	/* A backend configured with port 0 takes the client's port: any. */
	k.port = 0;
	if (rte_hash_lookup_data(lb->befind, &k, &d) >= 0)
		return (int64_t)(uintptr_t)d;
	return -1;
}
