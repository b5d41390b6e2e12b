/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_parse.c - libFuzzer target "parse": one received frame through
 * sk_pkt_parse(), the first code that touches a packet from the wire.
 *
 * Input: byte 0 picks what the PMD would have said (checksum flags, a
 * stripped VLAN tag, the destination MAC check on or off); byte 1 where a
 * second segment starts (0: one segment); the rest is the frame.
 * Besides ASan/UBSan, the harness checks what the parser promises its
 * callers: the headers it describes lie inside the first segment, and the
 * meta of a packet it keeps is consistent.
 */
#include "fuzz_common.h"
#include <rte_ether.h>
#include <rte_ip.h>

#include "pkt/pkt_parse.h"
#include "sk_drop.h"

static struct rte_mempool *pool;
static const struct rte_ether_addr port_mac = { { 0x02, 0, 0, 0, 0, 0x01 } };

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	fuzz_eal_init((*argv)[0]);
	pool = rte_pktmbuf_pool_create("fz_parse", 64, 0, SK_PKT_PRIV_SIZE,
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL)
		abort();
	return 0;
}

static void
check(struct rte_mbuf *m, int kind)
{
	const struct sk_pkt_meta *pm = sk_pkt_meta(m);
	uint32_t seg0 = rte_pktmbuf_data_len(m);

	FUZZ_ASSERT(kind == pm->kind, "return %d, meta %u", kind, pm->kind);
	if (kind == SK_PKT_DROP) {
		FUZZ_ASSERT(pm->drop != 0 && pm->drop < SK_DROP__MAX, "drop reason %u", pm->drop);
		return;
	}
	FUZZ_ASSERT(kind == SK_PKT_IP || kind == SK_PKT_ARP, "kind %d", kind);
	if (kind == SK_PKT_ARP)
		return;
	FUZZ_ASSERT(pm->family == 4 || pm->family == 6, "family %u", pm->family);
	FUZZ_ASSERT((uint32_t)pm->l2_len + pm->l3_len <= seg0,
		    "l2 %u + l3 %u beyond the first segment (%u)", pm->l2_len, pm->l3_len, seg0);
	FUZZ_ASSERT(pm->l2_len + pm->l3_len <= pm->l2_len + (uint32_t)pm->ip_len,
		    "l3 %u beyond ip_len %u", pm->l3_len, pm->ip_len);
	FUZZ_ASSERT((uint32_t)pm->l2_len + pm->ip_len <= rte_pktmbuf_pkt_len(m),
		    "ip_len %u beyond the packet (%u)", pm->ip_len, rte_pktmbuf_pkt_len(m));
	if (pm->frag != SK_FRAG_LATER)
		FUZZ_ASSERT((uint32_t)pm->l2_len + pm->l3_len + pm->l4_len <= seg0 ||
			    pm->frag == SK_FRAG_FIRST,
			    "l4 %u beyond the first segment (%u)", pm->l4_len, seg0);
	FUZZ_ASSERT(m->l2_len == pm->l2_len && m->l3_len == pm->l3_len,
		    "mbuf l2/l3 %u/%u, meta %u/%u", (unsigned int)m->l2_len,
		    (unsigned int)m->l3_len, pm->l2_len, pm->l3_len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t cksum[4] = { 0, RTE_MBUF_F_RX_IP_CKSUM_GOOD,
		RTE_MBUF_F_RX_IP_CKSUM_BAD, RTE_MBUF_F_RX_IP_CKSUM_NONE };
	struct fuzz_in in = { data, size, 0 };
	uint8_t how = fuzz_u8(&in), split = fuzz_u8(&in);
	size_t len;
	const uint8_t *frame = fuzz_bytes(&in, RTE_MBUF_DEFAULT_DATAROOM, &len);
	struct rte_mbuf *m = fuzz_mbuf(pool, frame, len, split, 0);
	int kind;

	if (m == NULL)
		return 0;
	m->ol_flags = cksum[how & 3];
	if (how & 4) {
		m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
		m->vlan_tci = (uint16_t)(how >> 4);
	}
	kind = sk_pkt_parse(m, (how & 8) ? NULL : &port_mac);
	check(m, kind);
	/* The burst entry point must agree with the single-packet one. */
	sk_pkt_parse_burst(&m, 1, (how & 8) ? NULL : &port_mac);
	FUZZ_ASSERT(sk_pkt_meta(m)->kind == kind, "burst parse differs");
	rte_pktmbuf_free(m);
	return 0;
}
