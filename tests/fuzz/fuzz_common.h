/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_common.h - what the libFuzzer harnesses share: EAL without hugepages,
 * PCI or shared files (so a run leaves nothing behind and several targets
 * can run at once), a byte cursor that slices one input into the records a
 * harness wants, and mbufs made from bytes.
 *
 * A harness must behave the same for the same input: state that outlives
 * one input (tables, generations) is either rebuilt per input or reset.
 */
#ifndef SK_FUZZ_COMMON_H
#define SK_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sanitizer/lsan_interface.h>
#include <rte_eal.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_memory.h>

#include "sk_pkt_meta.h"

/* A crash the harness itself detects (an invariant of the code under test). */
#define FUZZ_ASSERT(cond, ...)                                                     \
	do {                                                                       \
		if (!(cond)) {                                                     \
			fprintf(stderr, "fuzz: invariant broken: %s: ", #cond);    \
			fprintf(stderr, __VA_ARGS__);                              \
			fprintf(stderr, "\n");                                     \
			abort();                                                   \
		}                                                                  \
	} while (0)

/* Only the runtime directory: rte_eal_cleanup() would unmap the heap that
 * LeakSanitizer scans at exit (fuzz_lsan_root), after this handler. */
static void
fuzz_eal_cleanup(void)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf /var/run/dpdk/skfuzz%d", (int)getpid());
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz: could not remove the EAL runtime dir\n");
}

/* DPDK's heap is mmap'd memory that LeakSanitizer does not scan: malloc'd
 * memory referenced only from there (a generation's image copy, held by an
 * rte_zmalloc'd struct sk_gen) would be reported as leaked.  Scanning the
 * memseg lists as roots makes LSan see what the program sees. */
static int
fuzz_lsan_root(const struct rte_memseg_list *msl, void *arg)
{
	(void)arg;
	__lsan_register_root_region(msl->base_va, msl->len);
	return 0;
}

/* EAL on 4 KiB pages (256 MB: LSan scans all of it at every leak check),
 * one lcore, nothing shared.  Exits on failure: a
 * harness without EAL would only report noise. */
static inline void
fuzz_eal_init(const char *prog)
{
	char prefix[64];
	char *argv[] = { (char *)prog, "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
		"--no-telemetry", prefix, "--log-level=crit", "-l", "0", NULL };
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;

	snprintf(prefix, sizeof(prefix), "--file-prefix=skfuzz%d", (int)getpid());
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "fuzz: EAL init failed\n");
		exit(1);
	}
	atexit(fuzz_eal_cleanup);
	rte_memseg_list_walk(fuzz_lsan_root, NULL);
}

/* Reads an input front to back; past the end every read gives zeros. */
struct fuzz_in {
	const uint8_t *p;
	size_t len;
	size_t off;
};

static inline size_t
fuzz_left(const struct fuzz_in *in)
{
	return in->len - in->off;
}

static inline uint8_t
fuzz_u8(struct fuzz_in *in)
{
	return in->off < in->len ? in->p[in->off++] : 0;
}

static inline uint16_t
fuzz_u16(struct fuzz_in *in)
{
	uint16_t v = fuzz_u8(in);

	return (uint16_t)(v << 8 | fuzz_u8(in));
}

static inline uint32_t
fuzz_u32(struct fuzz_in *in)
{
	uint32_t v = fuzz_u16(in);

	return v << 16 | fuzz_u16(in);
}

/* Up to want bytes (fewer at the end); *n says how many. */
static inline const uint8_t *
fuzz_bytes(struct fuzz_in *in, size_t want, size_t *n)
{
	const uint8_t *p = in->p + in->off;

	*n = want < fuzz_left(in) ? want : fuzz_left(in);
	in->off += *n;
	return p;
}

/*
 * An mbuf holding len bytes as a received frame.  split (1..len-1) puts the
 * bytes from split on into a second segment, as a PMD with scattered RX
 * does; 0 keeps one segment.  NULL when the pool is empty or len does not fit.
 */
static inline struct rte_mbuf *
fuzz_mbuf(struct rte_mempool *mp, const uint8_t *p, size_t len, size_t split, uint16_t port)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp), *s;
	size_t first = split != 0 && split < len ? split : len;
	char *d;

	if (m == NULL)
		return NULL;
	memset(sk_pkt_meta(m), 0, sizeof(struct sk_pkt_meta));
	m->port = port;
	d = rte_pktmbuf_append(m, (uint16_t)first);
	if (len > UINT16_MAX || (d == NULL && first != 0)) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(d, p, first);
	if (first == len)
		return m;
	s = rte_pktmbuf_alloc(mp);
	d = s != NULL ? rte_pktmbuf_append(s, (uint16_t)(len - first)) : NULL;
	if (d == NULL) {
		rte_pktmbuf_free(s);
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(d, p + first, len - first);
	if (rte_pktmbuf_chain(m, s) != 0) {
		rte_pktmbuf_free(s);
		rte_pktmbuf_free(m);
		return NULL;
	}
	return m;
}

#endif /* SK_FUZZ_COMMON_H */
