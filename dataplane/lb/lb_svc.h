/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb_svc.h - the virtual services of one generation, compiled for the
 * workers: VIP and SNAT address lookup, backend choice for a new connection
 * (scheduler, persistence, limits), per-backend counters, and the runtime
 * backend state (admin state, health, weight) that changes without a new
 * generation.
 *
 * Ownership and threads:
 *  - struct sk_lb is built by the main lcore with the generation
 *    (sk_lb_build) and freed with it after its RCU grace period.
 *  - A backend's runtime state lives in a per-service object that the main
 *    lcore replaces as a whole (sk_lb_set: new backend array + Maglev table,
 *    one atomic pointer store) and frees after an RCU grace period through
 *    the defer queue it is given; workers read it without locks.
 *  - Counters and per-worker scheduler state (WRR, persistence) are one row
 *    per worker, written only by that worker; readers sum the rows.
 *  - Functions marked "hot path" may be called per packet by a worker: no
 *    allocation, no locks, no syscalls, no logging.
 */
#ifndef SK_LB_SVC_H
#define SK_LB_SVC_H

#include <stdint.h>
#include <rte_rcu_qsbr.h>
#include "sk_image.h"
#include "sk_shm.h"
#include "sk_drop.h"
#include "sk_dp_types.h"    /* struct sk_lb_choice */
#include "sk_pkt_meta.h"

struct sk_lb;

/* Flags of an address: SK_LB_ADDR_* (sk_pkt_meta.h). */

/*
 * Compile the services of a verified image for n_workers workers.  prev is
 * the running generation's struct sk_lb (or NULL): runtime state (health,
 * and admin state/weight set at runtime) carries over to backends with the
 * same service and backend name whose configured state/weight this image
 * did not change.  generation is the id of the generation lb belongs to
 * (checked by sk_lb_set).  qs: the workers' QSBR variable, or NULL when no
 * worker runs (tests, offline trace).  Returns NULL with a message in err on
 * failure.  An image without services gives a valid, empty struct sk_lb.
 * Main lcore.
 */
struct sk_lb *sk_lb_build(const void *image, size_t len, uint64_t generation,
			  unsigned int n_workers, int socket, struct rte_rcu_qsbr *qs,
			  const struct sk_lb *prev, char *err, size_t errlen);
/* NULL is a no-op.  Only once no worker can see lb (RCU). */
void sk_lb_free(struct sk_lb *lb);

uint32_t sk_lb_n_services(const struct sk_lb *lb);

/* SK_LB_ADDR_* flags of addr (0 if neither).  Hot path. */
uint8_t sk_lb_addr_flags(const struct sk_lb *lb, uint8_t family, const uint8_t addr[16]);

/* Index of the service for pm's (family, proto, dst, dport), or -1.  Hot path. */
int sk_lb_svc_match(const struct sk_lb *lb, const struct sk_pkt_meta *pm);

/*
 * Choose a backend for pm (a new connection to service svc) on this worker:
 * persistence first (if the service has persist_s), then the scheduler,
 * then the limits.  SK_DROP_NONE, or the drop reason (SK_DROP_LB_NO_BACKEND,
 * SK_DROP_LB_CONN_LIMIT), which is also counted against the service.
 * Hot path.
 */
__attribute__((warn_unused_result))
enum sk_drop_reason sk_lb_select(struct sk_lb *lb, unsigned int worker, uint32_t svc,
				 const struct sk_pkt_meta *pm, uint32_t now_ms,
				 struct sk_lb_choice *out);

/*
 * Another backend for a new DNAT connection whose backend side is taken:
 * DNAT keeps the client's address and port, so (client, port) <-> (backend,
 * bport) is already a key when the same client talks to that backend
 * directly from the same port (clients reuse a local port towards different
 * destinations).  The next backend after cur->be, in service order, that
 * may take a new connection, stopping before `first` (the scheduler's
 * choice): SK_DROP_NONE with out filled, or SK_DROP_NAT_NO_PORT.  Hot path
 * (rare), bounded by the service's backend count.
 */
__attribute__((warn_unused_result))
enum sk_drop_reason sk_lb_select_next(const struct sk_lb *lb, const struct sk_lb_choice *cur,
				      uint32_t first, const struct sk_pkt_meta *pm,
				      struct sk_lb_choice *out);

/* Service of global backend gbe, its full-NAT sources (fullnat only). */
const struct sk_img_service *sk_lb_service(const struct sk_lb *lb, uint32_t svc);
const struct sk_img_prefix *sk_lb_snat(const struct sk_lb *lb, uint32_t svc, uint32_t *n);

/* Service index of global backend gbe, or -1 (HA sync: a connection's service). */
int64_t sk_lb_backend_svc(const struct sk_lb *lb, uint32_t gbe);

/*
 * Connection accounting, owner worker only.  open: a connection to gbe was
 * created (active and conns +1); close: it ended (active -1); count: one
 * packet of len bytes in dir (0 client->backend, 1 backend->client).  Hot path.
 */
void sk_lb_conn_open(struct sk_lb *lb, unsigned int worker, uint32_t gbe);
void sk_lb_conn_close(struct sk_lb *lb, unsigned int worker, uint32_t gbe);
void sk_lb_count(struct sk_lb *lb, unsigned int worker, uint32_t gbe, unsigned int dir,
		 uint32_t len);

/* 0 when connections pinned to gbe must be cut (backend disabled), else 1.  Hot path. */
int sk_lb_backend_alive(const struct sk_lb *lb, uint32_t gbe);

/*
 * Global index of the backend with this address and port in service svc,
 * or -1 (a connection admitted by an older generation finds its backend in
 * the new one; once per connection per commit).
 */
int64_t sk_lb_backend_find(const struct sk_lb *lb, uint32_t svc, const uint8_t addr[16],
			   uint16_t port);

/*
 * Runtime change of one backend (SK_SHM_OP_LB_SET, indices of this lb).
 * Rebuilds the service's backend array and Maglev table and publishes them;
 * the old ones are retired to lb's RCU defer queue (rte_rcu_qsbr_dq over the
 * qs given to sk_lb_build) and freed once no worker can see them; with qs
 * NULL (tests, offline tools: no concurrent reader) at once.
 * 0, -EINVAL (bad index/value), -ESTALE (req->generation is not lb's),
 * -ENOMEM.  Main lcore.
 */
int sk_lb_set(struct sk_lb *lb, const struct sk_shm_lb_set *req);
/* Free what sk_lb_set retired and no worker can see any more.  Main lcore, between tasks. */
void sk_lb_reclaim(struct sk_lb *lb);

/*
 * Every backend as it runs now, image order, counters summed over workers:
 * fills up to cap entries of out, returns the number of backends.
 * Main lcore or any reader.
 */
uint32_t sk_lb_status(const struct sk_lb *lb, struct sk_shm_lb_backend *out, uint32_t cap);

/*
 * Per-service counters summed over workers (JSON counters, telemetry):
 * new connections, refusals for want of a backend / over a limit.
 */
struct sk_lb_svc_stats {
	uint64_t conns;
	uint64_t no_backend;
	uint64_t over_limit;
	uint64_t active;
};
void sk_lb_svc_stats(const struct sk_lb *lb, uint32_t svc, struct sk_lb_svc_stats *st);

#endif /* SK_LB_SVC_H */
