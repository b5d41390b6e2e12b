/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb_svc_priv.h - the layout of struct sk_lb, shared by the lb_svc*.c files
 * (build, runtime state, selection, statistics).  Not for other modules.
 *
 * Who writes what:
 *  - everything reached from struct sk_lb except the items below is written
 *    by sk_lb_build and read-only afterwards;
 *  - lb_svc.rt (the runtime object) is replaced whole by sk_lb_set on the
 *    main lcore (release store); workers load it with acquire and never
 *    write it;
 *  - struct lb_worker w[i] and everything it points to is written only by
 *    worker i (counters, WRR, persistence, scratch); other threads read the
 *    counters (relaxed, summed), nothing else.
 */
#ifndef SK_LB_SVC_PRIV_H
#define SK_LB_SVC_PRIV_H

#include <stdint.h>
#include <sys/socket.h>
#include <rte_common.h>
#include <rte_hash.h>
#include <rte_rcu_qsbr.h>

#include <string.h>
#include <rte_hash_crc.h>

#include "lb_svc.h"

#include "lb.h"

/* Bits of the address pre-filter (16 KiB). */
#define LB_ADDR_FILTER_BITS (1u << 17)

/* Maglev / source hash: slots walked past a backend over its conn_limit. */
#define LB_WALK_MAX 8
/* Persistence entries per worker per persistent service. */
#define LB_PERSIST_PER_SVC 65536u
#define LB_PERSIST_MAX (1u << 20)
/* Entries examined for expiry when a full persistence table refuses an add. */
#define LB_PERSIST_EVICT_SCAN 32
/* Retired runtime objects awaiting their grace period. */
#define LB_DQ_SIZE 1024

/* Runtime object of one service: replaced whole by sk_lb_set. */
struct lb_rt {
	uint32_t n;                 /* backends */
	struct sk_lb_maglev *mg;    /* maglev and sh only, else NULL */
	uint8_t *admin;             /* [n] runtime admin state, SK_LB_BE_* of sk_image.h */
	uint8_t *health;            /* [n] 1 healthy, 0 down */
	struct sk_lb_backend be[];  /* [n] effective state and weight (lb.h) */
};

/* A service as the workers see it. */
struct lb_svc {
	struct sk_img_service img;  /* copy of the image's record */
	uint32_t gbe0;              /* global index of backend 0 (= img.backend_first) */
	uint32_t n_be;
	uint8_t has_be_limit;       /* some backend has a conn_limit */
	uint8_t af;                 /* AF_INET / AF_INET6 */
	struct lb_rt *rt;           /* __atomic_load_n(ACQUIRE) */
};

/* Backend counters of one worker: one row of these per worker. */
struct lb_be_ctr {
	int64_t active;             /* may go negative in one row; readers sum */
	uint64_t conns;
	uint64_t pkts[2];
	uint64_t bytes[2];
};

struct lb_svc_ctr {
	int64_t active;
	uint64_t conns;
	uint64_t no_backend;
	uint64_t over_limit;
};

/* Persistence key: the client of one service. */
struct lb_persist_key {
	uint32_t svc;
	uint8_t family;             /* 4 / 6 */
	uint8_t pad[3];
	uint8_t addr[16];
};

/* One worker's row: written by that worker only. */
struct lb_worker {
	struct lb_be_ctr *be;       /* [n_gbe] */
	struct lb_svc_ctr *svc;     /* [n_svc] */
	struct sk_lb_wrr **wrr;     /* [n_svc], NULL unless the service is wrr */
	uint32_t *scratch_conns;    /* [max_be]: WLC's summed counts */
	struct sk_lb_backend *scratch_be; /* [max_be]: the array minus backends over limit */
	struct rte_hash *persist;   /* NULL without persistent services */
	uint32_t evict_next;        /* rte_hash_iterate cursor of the expiry scan */
	uint64_t persist_hit;
	uint64_t persist_full;      /* table full: a connection went without persistence */
} __rte_cache_aligned;

struct sk_lb {
	uint64_t generation;
	unsigned int n_workers;
	int socket;
	uint32_t id;                /* unique per sk_lb: names of DPDK objects */
	uint32_t n_svc, n_gbe, max_be;
	struct lb_svc *svc;                  /* [n_svc] */
	struct sk_img_backend *bimg;         /* [n_gbe] copy of the backend section */
	uint32_t *gbe_svc;                   /* [n_gbe] service of each backend */
	struct sk_img_prefix *snat;          /* [n_snat] copy of the SNAT section */
	uint32_t n_snat;
	struct rte_hash *vip;                /* lb_vip_key -> index into vip_grp */
	struct lb_vip_grp { uint32_t first, n; } *vip_grp;
	uint32_t *vip_svc;                   /* services grouped per VIP */
	struct rte_hash *addr;
	/* One bit per hash of every address in addr: most packets (plain
	 * firewall traffic) are answered "no flags" by one bit test instead
	 * of a hash lookup. */
	uint64_t addr_filter[LB_ADDR_FILTER_BITS / 64];               /* lb_addr_key -> SK_LB_ADDR_* flags */
	struct rte_hash *befind;             /* lb_befind_key -> gbe */
	struct rte_rcu_qsbr *qs;
	struct rte_rcu_qsbr_dq *dq;          /* retired struct lb_rt, NULL when qs is */
	struct lb_worker *w;                 /* [n_workers] */
};

struct lb_vip_key {
	uint8_t family;
	uint8_t proto;
	uint8_t pad[2];
	uint8_t vip[16];
};

/* The pre-filter's bit of an address (4 or 16 bytes by family). */
static inline uint32_t
lb_addr_bit(uint8_t family, const uint8_t *addr)
{
	uint64_t w[2];
	uint32_t v4;

	if (family == 4) {
		memcpy(&v4, addr, 4);
		return rte_hash_crc_4byte(v4, 4) & (LB_ADDR_FILTER_BITS - 1);
	}
	memcpy(w, addr, 16);
	return rte_hash_crc_8byte(w[1], rte_hash_crc_8byte(w[0], 6)) & (LB_ADDR_FILTER_BITS - 1);
}

struct lb_addr_key {
	uint8_t family;
	uint8_t pad[3];
	uint8_t addr[16];
};

struct lb_befind_key {
	uint32_t svc;
	uint16_t port;
	uint8_t pad[2];
	uint8_t addr[16];
};

static inline uint8_t
lb_af(uint8_t family)
{
	return family == 6 ? AF_INET6 : AF_INET;
}

/* lb_svc_rt.c: runtime objects (main lcore). */
struct lb_rt *lb_rt_create(const struct sk_lb *lb, const struct lb_svc *s,
			   const uint8_t *admin, const uint8_t *health, const uint16_t *weight);
void lb_rt_free(struct lb_rt *rt);
int lb_rt_carry(struct sk_lb *lb, const struct sk_lb *prev, char *err, size_t errlen);

#endif /* SK_LB_SVC_PRIV_H */
