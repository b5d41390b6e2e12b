/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_logemit.c - the dataplane's log records (dataplane/log): the ring's
 * shape, field fidelity of emitted records (IPv4 and IPv6), behaviour when
 * the ring is full (never blocks, -ENOBUFS, nothing overwritten), and many
 * producers at once against one consumer.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <rte_errno.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "log/log.h"
#include "sk_test.h"
#include "sk_test_eal.h"

static void
meta_v4(struct sk_pkt_meta *pm)
{
	memset(pm, 0, sizeof(*pm));
	pm->kind = SK_PKT_IP;
	pm->family = 4;
	pm->proto = IPPROTO_TCP;
	pm->tcp_flags = 0x12;
	pm->sport = 40000;
	pm->dport = 22;
	inet_pton(AF_INET, "198.51.100.7", pm->src);
	inet_pton(AF_INET, "10.1.2.3", pm->dst);
	pm->in_iface = 1;
	pm->out_iface = 2;
	pm->in_zone = 3;
	pm->out_zone = 4;
	pm->icmp_type = 0;
	pm->icmp_code = 0;
}

static void
meta_v6(struct sk_pkt_meta *pm)
{
	memset(pm, 0, sizeof(*pm));
	pm->kind = SK_PKT_IP;
	pm->family = 6;
	pm->proto = IPPROTO_ICMPV6;
	pm->icmp_type = 128;
	pm->icmp_code = 0;
	pm->sport = 0x1234; /* echo identifier */
	pm->dport = 0x1234;
	inet_pton(AF_INET6, "2001:db8:ffff:1::abcd", pm->src);
	inet_pton(AF_INET6, "fe80::1:2:3:4", pm->dst);
	pm->in_iface = 31;
	pm->out_iface = 0;
	pm->in_zone = 63;
	pm->out_zone = 0; /* SK_ZONE_LOCAL */
}

static int
same_as_meta(const struct sk_logrec *r, const struct sk_pkt_meta *pm)
{
	return r->in_iface == pm->in_iface && r->out_iface == pm->out_iface &&
	       r->in_zone == pm->in_zone && r->out_zone == pm->out_zone &&
	       r->sport == pm->sport && r->dport == pm->dport && r->family == pm->family &&
	       r->proto == pm->proto && r->tcp_flags == pm->tcp_flags &&
	       r->icmp_type == pm->icmp_type && r->icmp_code == pm->icmp_code &&
	       memcmp(r->src, pm->src, 16) == 0 && memcmp(r->dst, pm->dst, 16) == 0;
}

static void
test_ring_shape(struct rte_ring *ring)
{
	struct rte_ring *again;

	SK_CHECK(rte_ring_lookup(SK_LOG_RING_NAME) == ring, "ring found by name %s",
		 SK_LOG_RING_NAME);
	SK_CHECK(rte_ring_get_capacity(ring) == SK_LOG_RING_SIZE - 1,
		 "capacity %u = SK_LOG_RING_SIZE - 1", rte_ring_get_capacity(ring));
	SK_CHECK(ring->flags & RING_F_SC_DEQ, "single-consumer dequeue");
	SK_CHECK(!(ring->flags & RING_F_SP_ENQ), "multi-producer enqueue");
	/* Classic MP lets one preempted producer stall the others (the
	 * producers test below then ran for minutes on two shared CPUs). */
	SK_CHECK(rte_ring_get_prod_sync_type(ring) == RTE_RING_SYNC_MT_RTS,
		 "producers in RTS (relaxed tail) mode");
	again = sk_log_ring_create(SOCKET_ID_ANY);
	SK_CHECK(again == NULL && rte_errno == EEXIST, "a second ring of that name: EEXIST");
	SK_CHECK(sizeof(struct sk_logrec) % 8 == 0, "record is %zu bytes (8-byte multiple)",
		 sizeof(struct sk_logrec));
}

static void
test_fidelity(struct rte_ring *ring)
{
	struct sk_pkt_meta pm4, pm6;
	struct sk_logrec r;

	meta_v4(&pm4);
	meta_v6(&pm6);
	SK_CHECK(sk_log_emit(ring, &pm4, SK_LOG_DROP, 7, 42, 60, 0x1122334455667788ull) == 0,
		 "emit v4");
	SK_CHECK(sk_log_emit(ring, &pm6, SK_LOG_ACCEPT, 0xfffffffe, 0xdeadbeef, 65535, 1) == 0,
		 "emit v6");
	SK_CHECK(rte_ring_count(ring) == 2, "two records queued");

	memset(&r, 0xee, sizeof(r));
	SK_CHECK(rte_ring_sc_dequeue_elem(ring, &r, sizeof(r)) == 0, "dequeue v4");
	SK_CHECK(same_as_meta(&r, &pm4), "v4 fields copied from the descriptor");
	SK_CHECK(r.kind == SK_LOG_DROP && r.rule_id == 7 && r.generation == 42 && r.len == 60 &&
		 r.ts == 0x1122334455667788ull, "v4 kind/rule/generation/len/tsc");
	SK_CHECK(memcmp(r.src + 4, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) == 0,
		 "v4 address tail is zero, not stale memory");

	memset(&r, 0xee, sizeof(r));
	SK_CHECK(rte_ring_sc_dequeue_elem(ring, &r, sizeof(r)) == 0, "dequeue v6");
	SK_CHECK(same_as_meta(&r, &pm6), "v6 fields copied (all 16 address bytes)");
	SK_CHECK(r.kind == SK_LOG_ACCEPT && r.rule_id == 0xfffffffe &&
		 r.generation == 0xdeadbeef && r.len == 65535 && r.ts == 1,
		 "v6 kind/rule/generation/len/tsc at their limits");
	SK_CHECK(r.icmp_type == 128 && r.out_zone == 0, "icmpv6 type and local zone kept");
	SK_CHECK(rte_ring_count(ring) == 0, "ring empty again");
}

static void
test_full(struct rte_ring *ring)
{
	unsigned int cap = rte_ring_get_capacity(ring), i, ok = 0, order = 1;
	struct sk_pkt_meta pm;
	struct sk_logrec r;
	int rc = 0;

	meta_v4(&pm);
	for (i = 0; i < cap + 100; i++) {
		rc = sk_log_emit(ring, &pm, SK_LOG_DROP, 1, 1, 64, i);
		if (rc == 0)
			ok++;
		else if (rc != -ENOBUFS)
			break;
	}
	SK_CHECK(ok == cap, "%u of %u records fit (capacity %u)", ok, cap + 100, cap);
	SK_CHECK(rc == -ENOBUFS, "a full ring answers -ENOBUFS at once");
	SK_CHECK(rte_ring_count(ring) == cap, "full ring holds exactly its capacity");
	/* The oldest records were kept, not overwritten by the refused ones. */
	SK_CHECK(rte_ring_sc_dequeue_elem(ring, &r, sizeof(r)) == 0 && r.ts == 0,
		 "oldest record still first after overflow");
	SK_CHECK(sk_log_emit(ring, &pm, SK_LOG_DROP, 1, 1, 64, 999999) == 0,
		 "room for one after one dequeue");
	SK_CHECK(sk_log_emit(ring, &pm, SK_LOG_DROP, 1, 1, 64, 999999) == -ENOBUFS,
		 "and then full again");
	for (i = 1; rte_ring_sc_dequeue_elem(ring, &r, sizeof(r)) == 0; i++)
		if (r.ts != (i < cap ? i : 999999))
			order = 0;
	SK_CHECK(order && i == cap + 1, "FIFO order kept through the full ring (%u)", i);
}

#define PRODUCERS 3
#define PER_PRODUCER 50000u

struct producer {
	struct rte_ring *ring;
	uint32_t id;
	uint64_t sent, refused;
};

static void *
produce(void *arg)
{
	struct producer *p = arg;
	struct sk_pkt_meta pm;
	uint64_t i;

	meta_v4(&pm);
	for (i = 0; i < PER_PRODUCER; i++) {
		/* sport carries the producer's sequence so the consumer can check
		 * each producer's records arrive whole and in order. */
		pm.sport = (uint16_t)p->sent;
		if (sk_log_emit(p->ring, &pm, SK_LOG_REJECT, p->id, p->id, 100, p->sent) == 0)
			p->sent++;
		else
			p->refused++;
	}
	return NULL;
}

static void
test_producers(struct rte_ring *ring)
{
	struct producer p[PRODUCERS];
	pthread_t th[PRODUCERS];
	uint64_t got[PRODUCERS] = { 0 }, total = 0, sent = 0, refused = 0;
	int bad = 0, running = PRODUCERS, joined[PRODUCERS] = { 0 }, i;

	for (i = 0; i < PRODUCERS; i++) {
		p[i] = (struct producer){ .ring = ring, .id = (uint32_t)i + 1 };
		pthread_create(&th[i], NULL, produce, &p[i]);
	}
	/* Consume while they produce; keep going until they are done and the
	 * ring is empty. */
	while (running > 0 || rte_ring_count(ring) > 0) {
		struct sk_logrec r[64];
		unsigned int n = rte_ring_sc_dequeue_burst_elem(ring, r, sizeof(r[0]), 64, NULL);
		unsigned int k;

		for (k = 0; k < n; k++) {
			uint32_t id = r[k].rule_id;

			if (id < 1 || id > PRODUCERS || r[k].generation != id ||
			    r[k].ts != got[id - 1] || r[k].sport != (uint16_t)r[k].ts ||
			    r[k].kind != SK_LOG_REJECT || r[k].len != 100) {
				bad++;
				continue;
			}
			got[id - 1]++;
			total++;
		}
		if (n == 0 && running > 0) {
			running = 0;
			for (i = 0; i < PRODUCERS; i++) {
				if (!joined[i])
					joined[i] = pthread_tryjoin_np(th[i], NULL) == 0;
				running += !joined[i];
			}
		}
	}
	for (i = 0; i < PRODUCERS; i++) {
		sent += p[i].sent;
		refused += p[i].refused;
	}
	SK_CHECK(bad == 0, "every record whole, per-producer order kept (%d bad)", bad);
	SK_CHECK(total == sent, "consumer got every accepted record: %llu of %llu",
		 (unsigned long long)total, (unsigned long long)sent);
	SK_CHECK(sent + refused == (uint64_t)PRODUCERS * PER_PRODUCER,
		 "accepted %llu + refused %llu = offered", (unsigned long long)sent,
		 (unsigned long long)refused);
}

int
main(int argc, char **argv)
{
	struct rte_ring *ring;

	(void)argc;
	if (sk_test_eal_init(argv[0]) < 0) {
		printf("not ok 1 - EAL init\n");
		return 1;
	}
	ring = sk_log_ring_create(SOCKET_ID_ANY);
	SK_CHECK(ring != NULL, "log ring created");
	if (ring == NULL)
		return SK_TEST_DONE();
	test_ring_shape(ring);
	test_fidelity(ring);
	test_full(ring);
	test_producers(ring);
	sk_log_ring_free(ring);
	sk_log_ring_free(NULL);
	SK_CHECK(rte_ring_lookup(SK_LOG_RING_NAME) == NULL, "ring gone after free");
	return SK_TEST_DONE();
}
