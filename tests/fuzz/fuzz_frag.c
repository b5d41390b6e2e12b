/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_frag.c - libFuzzer target "frag": a stream of frames through the
 * parser and fragment reassembly (sk_frag_reassemble), and every datagram
 * that comes out (or that was whole to begin with) split again by
 * sk_frag_fragment() at an MTU the input picks, as the worker does when a
 * reassembled datagram leaves through a smaller link.
 *
 * Input: records of [ctl u8][mtu u16][len u16][frame]; ctl's low 5 bits
 * advance the reassembly clock in 16 ms steps (the table times out after
 * 100 ms), bit 5 runs sk_frag_expire() after the record, bit 6 picks a
 * second segment at half the frame.  A fresh table per input: an input
 * replays alone.  ASan's leak check at exit, and the pool count after each
 * input, catch an mbuf the code loses.
 */
#include "fuzz_common.h"
#include <rte_cycles.h>

#include "pkt/pkt_parse.h"
#include "frag/frag.h"
#include "sk_drop.h"

#define POOL_N 4096
#define MAX_RECORDS 64

static struct rte_mempool *pool;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	fuzz_eal_init((*argv)[0]);
	pool = rte_pktmbuf_pool_create("fz_frag", POOL_N, 0, SK_PKT_PRIV_SIZE,
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL)
		abort();
	return 0;
}

static void
split_and_free(struct rte_mbuf *m, uint16_t mtu)
{
	struct rte_mbuf *out[16];
	int n, i;

	n = sk_frag_fragment(m, mtu, out, RTE_DIM(out), pool);
	if (n < 0) {
		rte_pktmbuf_free(m);
		return;
	}
	FUZZ_ASSERT(n >= 1 && n <= (int)RTE_DIM(out), "%d fragments", n);
	for (i = 0; i < n; i++) {
		const struct sk_pkt_meta *pm = sk_pkt_meta(out[i]);

		/* Every piece must parse as what its meta says it is. */
		FUZZ_ASSERT(pm->ip_len <= mtu || n == 1, "piece %d: ip_len %u > mtu %u", i,
			    pm->ip_len, mtu);
		/* A datagram that fits comes back as it came, Ethernet padding
		 * (or trailing bytes) included; pieces are exact. */
		FUZZ_ASSERT(n == 1 || rte_pktmbuf_pkt_len(out[i]) == (uint32_t)pm->l2_len + pm->ip_len,
			    "piece %d: %u bytes, meta says %u + %u", i,
			    rte_pktmbuf_pkt_len(out[i]), pm->l2_len, pm->ip_len);
		rte_pktmbuf_free(out[i]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size, 0 };
	struct sk_frag *f = sk_frag_create(8, 100, SOCKET_ID_ANY);
	uint64_t ms_cycles = rte_get_tsc_hz() / 1000, tsc = rte_rdtsc();
	unsigned int rec;

	if (f == NULL)
		abort();
	for (rec = 0; rec < MAX_RECORDS && fuzz_left(&in) > 0; rec++) {
		uint8_t ctl = fuzz_u8(&in), drop = 0;
		uint16_t mtu = fuzz_u16(&in), want = fuzz_u16(&in);
		size_t len;
		const uint8_t *frame = fuzz_bytes(&in, RTE_MIN(want, RTE_MBUF_DEFAULT_DATAROOM),
						  &len);
		struct rte_mbuf *m = fuzz_mbuf(pool, frame, len, (ctl & 0x40) ? len / 2 : 0, 0);
		struct rte_mbuf *r;

		tsc += (uint64_t)(ctl & 0x1f) * 16 * ms_cycles;
		if (m == NULL)
			continue;
		if (sk_pkt_parse(m, NULL) != SK_PKT_IP) {
			rte_pktmbuf_free(m);
			continue;
		}
		r = sk_frag_reassemble(f, m, tsc, &drop);
		if (r != NULL) {
			FUZZ_ASSERT(sk_pkt_meta(r)->kind == SK_PKT_IP &&
				    sk_pkt_meta(r)->frag == SK_FRAG_NONE,
				    "reassembled: kind %u frag %u", sk_pkt_meta(r)->kind,
				    sk_pkt_meta(r)->frag);
			sk_pkt_meta(r)->reassembled = r != m;
			split_and_free(r, mtu);
		} else {
			FUZZ_ASSERT(drop < SK_DROP__MAX, "drop %u", drop);
		}
		if (ctl & 0x20)
			(void)sk_frag_expire(f);
	}
	sk_frag_free(f);
	FUZZ_ASSERT(rte_mempool_avail_count(pool) == POOL_N, "%u of %u mbufs back in the pool",
		    rte_mempool_avail_count(pool), POOL_N);
	return 0;
}
