/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * log.c - log records from the workers into the shared log ring (see log.h).
 * The ring stores records by value (rte_ring_*_elem), so there is no mempool
 * of records to size, leak or exhaust separately from the ring itself.
 */
#include <errno.h>
#include <string.h>
#include <rte_errno.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "log/log.h"

/* rte_ring_*_elem wants the element size in multiples of 4 bytes. */
_Static_assert(sizeof(struct sk_logrec) % 4 == 0, "sk_logrec size must be a multiple of 4");
_Static_assert((SK_LOG_RING_SIZE & (SK_LOG_RING_SIZE - 1)) == 0,
	       "SK_LOG_RING_SIZE must be a power of two");

struct rte_ring *
sk_log_ring_create(int socket_id)
{
	/*
	 * Producers use RTS sync (relaxed tail): in the classic MP mode each
	 * producer waits for the earlier ones to publish, so one producer
	 * preempted mid-enqueue (a hypervisor's vCPU, lcores sharing a CPU)
	 * stalls every other worker behind it; found as a 300 s convoy of the
	 * unit test's three producers on two CPUs.
	 */
	return rte_ring_create_elem(SK_LOG_RING_NAME, sizeof(struct sk_logrec),
				    SK_LOG_RING_SIZE, socket_id, RING_F_MP_RTS_ENQ | RING_F_SC_DEQ);
}

void
sk_log_ring_free(struct rte_ring *ring)
{
	rte_ring_free(ring); /* NULL-safe */
}

void
sk_log_fill(struct sk_logrec *rec, const struct sk_pkt_meta *pm, uint8_t kind,
	    uint32_t rule_id, uint32_t generation, uint16_t len, uint64_t tsc)
{
	rec->ts = tsc;
	rec->rule_id = rule_id;
	rec->generation = generation;
	rec->in_iface = pm->in_iface;
	rec->out_iface = pm->out_iface;
	rec->in_zone = pm->in_zone;
	rec->out_zone = pm->out_zone;
	rec->sport = pm->sport;
	rec->dport = pm->dport;
	rec->len = len;
	rec->kind = kind;
	rec->family = pm->family;
	rec->proto = pm->proto;
	rec->tcp_flags = pm->tcp_flags;
	rec->icmp_type = pm->icmp_type;
	rec->icmp_code = pm->icmp_code;
	/* Both addresses are always 16 bytes (IPv4 in the first 4, rest 0). */
	memcpy(rec->src, pm->src, sizeof(rec->src));
	memcpy(rec->dst, pm->dst, sizeof(rec->dst));
}

int
sk_log_emit(struct rte_ring *ring, const struct sk_pkt_meta *pm, uint8_t kind,
	    uint32_t rule_id, uint32_t generation, uint16_t len, uint64_t tsc)
{
	struct sk_logrec rec;

	sk_log_fill(&rec, pm, kind, rule_id, generation, len, tsc);
	/* Returns 0 or -ENOBUFS; never spins waiting for room. */
	return rte_ring_enqueue_elem(ring, &rec, sizeof(rec)); /* the ring's RTS mode */
}
