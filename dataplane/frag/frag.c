/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * frag.c - per-worker reassembly of IPv4/IPv6 fragments on top of
 * rte_ip_frag, so that policy and connection tracking only ever see whole
 * datagrams.  rte_ip_frag does the bookkeeping; this file adds the checks it
 * leaves out in DPDK 22.11 (zero-length, misaligned and oversized
 * fragments, IPv6 headers before the fragment header), decides which drop
 * reason applies, and re-parses the result.
 */
#include <errno.h>
#include <stdlib.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "sk_drop.h"
#include "sk_pkt_meta.h"
#include "pkt/pkt_parse.h"
#include "frag.h"

/* Entries per hash bucket; rte_ip_frag looks in two buckets per key. */
#define SK_FRAG_BUCKET_ENTRIES 4

struct sk_frag {
	struct rte_ip_frag_tbl *tbl;
	/* Fragments freed by us but not reported through *drop: summed up
	 * for the next sk_frag_expire(). */
	uint32_t unreported;
	/* Written only by the owning worker. */
	struct rte_ip_frag_death_row dr;
};

struct sk_frag *
sk_frag_create(uint32_t max_flows, uint32_t timeout_ms, int socket)
{
	struct sk_frag *f;
	uint64_t cycles;
	uint32_t buckets;

	if (max_flows == 0 || timeout_ms == 0 || max_flows > (1u << 24)) {
		rte_errno = EINVAL;
		return NULL;
	}
	f = rte_zmalloc_socket("sk_frag", sizeof(*f), RTE_CACHE_LINE_SIZE, socket);
	if (f == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	/* Round up: a timeout shorter than asked would drop datagrams that
	 * the operator expects to be reassembled. */
	cycles = (rte_get_tsc_hz() * timeout_ms + 999) / 1000;
	/* Twice as many slots as flows (two buckets per key) keeps the
	 * bucket-collision failures rare. */
	buckets = (max_flows + SK_FRAG_BUCKET_ENTRIES - 1) / SK_FRAG_BUCKET_ENTRIES;
	f->tbl = rte_ip_frag_table_create(buckets, SK_FRAG_BUCKET_ENTRIES,
					  max_flows, cycles, socket);
	if (f->tbl == NULL) {
		rte_free(f);
		rte_errno = ENOMEM;
		return NULL;
	}
	return f;
}

void
sk_frag_free(struct sk_frag *f)
{
	if (f == NULL)
		return;
	rte_ip_frag_free_death_row(&f->dr, 0);
	rte_ip_frag_table_destroy(f->tbl);
	rte_free(f);
}

/* Drop m ourselves, before rte_ip_frag saw it. */
static struct rte_mbuf *
frag_reject(struct rte_mbuf *m, uint8_t *drop, enum sk_drop_reason why)
{
	rte_pktmbuf_free(m);
	*drop = (uint8_t)why;
	return NULL;
}

/*
 * Free the death row now (it holds at most one call's worth, so it can
 * never overflow) and tell whether m was among what rte_ip_frag threw away.
 * m may sit inside a partly built chain when a datagram with a hole is
 * discarded, hence the walk along each chain.
 */
static int
frag_flush(struct sk_frag *f, const struct rte_mbuf *m, uint32_t *entries)
{
	int found = 0;
	uint32_t i;

	for (i = 0; i < f->dr.cnt; i++) {
		const struct rte_mbuf *s;
		for (s = f->dr.row[i]; s != NULL; s = s->next)
			if (s == m)
				found = 1;
	}
	*entries = f->dr.cnt;
	rte_ip_frag_free_death_row(&f->dr, 0);
	return found;
}

struct rte_mbuf *
sk_frag_reassemble(struct sk_frag *f, struct rte_mbuf *m, uint64_t tsc,
		   uint8_t *drop)
{
	struct sk_pkt_meta *meta = sk_pkt_meta(m);
	struct rte_mbuf *r;
	uint32_t len, ofs, more, v6_id = 0, n;
	uint16_t l3_len = meta->l3_len;

	if (meta->kind != SK_PKT_IP || meta->frag == SK_FRAG_NONE)
		return m;

	uint8_t *ip = rte_pktmbuf_mtod_offset(m, uint8_t *, meta->l2_len);

	if (meta->family == 4) {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;
		uint16_t fo = rte_be_to_cpu_16(h->fragment_offset);

		len = meta->ip_len - l3_len;
		ofs = (uint32_t)(fo & RTE_IPV4_HDR_OFFSET_MASK) * RTE_IPV4_HDR_OFFSET_UNITS;
		more = fo & RTE_IPV4_HDR_MF_FLAG;
	} else {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)ip;
		struct rte_ipv6_fragment_ext *fh;

		/* rte_ip_frag removes the fragment header assuming it follows
		 * the fixed header, and takes l3_len as everything up to the
		 * fragmentable part. */
		if (h->proto != IPPROTO_FRAGMENT)
			return frag_reject(m, drop, SK_DROP_FRAG_MALFORMED);
		fh = (struct rte_ipv6_fragment_ext *)(h + 1);
		l3_len = sizeof(*h) + sizeof(*fh);
		uint16_t fd = rte_be_to_cpu_16(fh->frag_data);
		len = meta->ip_len - l3_len;
		ofs = fd & RTE_IPV6_EHDR_FO_MASK;
		more = fd & RTE_IPV6_EHDR_MF_MASK;
		v6_id = meta->frag_id;
	}
	/* Empty fragments, non-final ones not a multiple of 8 (they could
	 * never line up) and ones reaching past 64 KiB (the reassembled length
	 * field would wrap) are attacks or garbage. */
	if (len == 0 || (more && (len & 7) != 0) || ofs + len > UINT16_MAX)
		return frag_reject(m, drop, SK_DROP_FRAG_MALFORMED);

	m->l2_len = meta->l2_len;
	m->l3_len = l3_len;
	if (meta->family == 4)
		r = rte_ipv4_frag_reassemble_packet(f->tbl, &f->dr, m, tsc,
						    (struct rte_ipv4_hdr *)ip);
	else
		r = rte_ipv6_frag_reassemble_packet(f->tbl, &f->dr, m, tsc,
				(struct rte_ipv6_hdr *)ip,
				(struct rte_ipv6_fragment_ext *)(ip + sizeof(struct rte_ipv6_hdr)));

	if (f->dr.cnt != 0) {
		int found = frag_flush(f, m, &n);
		if (found) {
			/* Alone on the death row: no slot for a new
			 * datagram.  With company: its datagram was bad. */
			*drop = n == 1 ? SK_DROP_FRAG_TABLE_FULL : SK_DROP_FRAG_MALFORMED;
			f->unreported += n - 1;
			return NULL;
		}
		f->unreported += n;
	}
	if (r == NULL) {
		*drop = SK_FRAG_KEPT;
		return NULL;
	}

	struct sk_pkt_meta *rm = sk_pkt_meta(r);
	uint8_t *rip = rte_pktmbuf_mtod_offset(r, uint8_t *, r->l2_len);
	uint32_t iplen;

	if (rm->family == 4) {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)rip;
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
		r->ol_flags = (r->ol_flags & ~RTE_MBUF_F_RX_IP_CKSUM_MASK) |
			RTE_MBUF_F_RX_IP_CKSUM_GOOD;
		iplen = rte_be_to_cpu_16(h->total_length);
	} else {
		iplen = sizeof(struct rte_ipv6_hdr) +
			rte_be_to_cpu_16(((struct rte_ipv6_hdr *)rip)->payload_len);
	}
	/* rte_ip_frag writes the new length into 16 bits; a datagram whose
	 * first fragment had a longer header than the length check assumed
	 * would wrap.  The bytes and the header must agree. */
	if (r->pkt_len != r->l2_len + iplen) {
		rte_pktmbuf_free(r);
		*drop = SK_DROP_FRAG_MALFORMED;
		return NULL;
	}
	if (sk_pkt_parse(r, NULL) != SK_PKT_IP) {
		*drop = rm->drop;
		rte_pktmbuf_free(r);
		return NULL;
	}
	if (rm->family == 6)
		rm->frag_id = v6_id;
	return r;
}

uint32_t
sk_frag_expire(struct sk_frag *f)
{
	uint32_t n = f->unreported;

	f->unreported = 0;
	rte_ip_frag_table_del_expired_entries(f->tbl, &f->dr, rte_rdtsc());
	n += f->dr.cnt;
	rte_ip_frag_free_death_row(&f->dr, 0);
	return n;
}

uint32_t
sk_frag_flush(struct sk_frag *f)
{
	uint32_t n = f->unreported, got;

	f->unreported = 0;
	/* Everything is "expired" at the end of time; the death row takes a
	 * bounded number of datagrams per call, so repeat until it comes back
	 * empty. */
	do {
		rte_ip_frag_table_del_expired_entries(f->tbl, &f->dr, UINT64_MAX);
		got = f->dr.cnt;
		n += got;
		rte_ip_frag_free_death_row(&f->dr, 0);
	} while (got != 0);
	return n;
}
