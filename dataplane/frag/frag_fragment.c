/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * frag_fragment.c - split a datagram that does not fit the egress MTU.
 * rte_ipv4/ipv6_fragment_packet work on a packet that starts at the IP
 * header and build bare fragments, so the L2 header is stripped first and
 * put back on every fragment, with the meta the later stages expect.
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_mbuf.h>
#include <rte_random.h>

#include "sk_pkt_meta.h"
#include "frag.h"

#define SK_FRAG_L2_MAX (RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN)

/* Meta of one output fragment: the datagram's, with what differs fixed. */
static void
frag_fix_meta(struct rte_mbuf *f, const struct rte_mbuf *m,
	      const struct sk_pkt_meta *meta, uint16_t l2_len, uint32_t id)
{
	struct sk_pkt_meta *fm = sk_pkt_meta(f);
	const uint8_t *ip = rte_pktmbuf_mtod_offset(f, const uint8_t *, l2_len);
	uint16_t l3_len;
	int first;

	*fm = *meta;
	if (meta->family == 4) {
		const struct rte_ipv4_hdr *h = (const struct rte_ipv4_hdr *)ip;
		l3_len = rte_ipv4_hdr_len(h);
		first = (rte_be_to_cpu_16(h->fragment_offset) &
			 RTE_IPV4_HDR_OFFSET_MASK) == 0;
	} else {
		const struct rte_ipv6_fragment_ext *fh =
			(const struct rte_ipv6_fragment_ext *)(ip + sizeof(struct rte_ipv6_hdr));
		first = (rte_be_to_cpu_16(fh->frag_data) & RTE_IPV6_EHDR_FO_MASK) == 0;
		/* The first fragment carries the datagram's extension
		 * headers after the fragment header; later ones carry none. */
		l3_len = sizeof(struct rte_ipv6_hdr) + sizeof(*fh);
		if (first)
			l3_len = (uint16_t)(meta->l3_len + sizeof(*fh));
	}
	fm->frag = first ? SK_FRAG_FIRST : SK_FRAG_LATER;
	fm->ip_len = (uint16_t)(f->pkt_len - l2_len);
	fm->l2_len = l2_len;
	fm->l3_len = l3_len;
	fm->frag_id = id;
	if (!first) {
		/* As the parser would see it: no L4 header in here. */
		fm->sport = 0;
		fm->dport = 0;
		fm->tcp_flags = 0;
		fm->icmp_type = 0;
		fm->icmp_code = 0;
		fm->l4_len = 0;
	}
	f->l2_len = l2_len;
	f->l3_len = l3_len;
	f->l4_len = fm->l4_len;
	f->port = m->port;
	f->vlan_tci = m->vlan_tci;
}

int
sk_frag_fragment(struct rte_mbuf *m, uint16_t mtu, struct rte_mbuf **out,
		 uint16_t max_out, struct rte_mempool *pool)
{
	uint8_t l2hdr[SK_FRAG_L2_MAX];
	const struct sk_pkt_meta *meta;
	uint32_t hdr, room, payload, need, id = 0;
	uint16_t l2_len, i;
	int32_t n;

	if (m == NULL || out == NULL || max_out == 0 || pool == NULL)
		return -EINVAL;
	meta = sk_pkt_meta(m);
	if (meta->kind != SK_PKT_IP || (meta->family != 4 && meta->family != 6))
		return -EINVAL;
	if (meta->ip_len <= mtu) {
		out[0] = m;
		return 1;
	}
	l2_len = meta->l2_len;
	if (l2_len > SK_FRAG_L2_MAX || m->data_len < l2_len + meta->l3_len)
		return -EINVAL;

	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, l2_len);
	if (meta->family == 4) {
		const struct rte_ipv4_hdr *h = (const struct rte_ipv4_hdr *)ip;
		if (rte_be_to_cpu_16(h->fragment_offset) & RTE_IPV4_HDR_DF_FLAG)
			return -EMSGSIZE;
		if (mtu < RTE_ETHER_MIN_MTU)
			return -EINVAL;
		hdr = rte_ipv4_hdr_len(h);
		room = RTE_ALIGN_FLOOR(mtu - hdr, RTE_IPV4_HDR_OFFSET_UNITS);
	} else {
		const struct rte_ipv6_hdr *h = (const struct rte_ipv6_hdr *)ip;
		/* The fragment header goes right after the fixed header, which
		 * is wrong when headers that every fragment must carry are
		 * there. */
		if (h->proto == IPPROTO_HOPOPTS || h->proto == IPPROTO_ROUTING ||
		    h->proto == IPPROTO_FRAGMENT)
			return -ENOTSUP;
		if (mtu < RTE_IPV6_MIN_MTU)
			return -EINVAL;
		hdr = sizeof(*h);
		room = RTE_ALIGN_FLOOR(mtu - hdr - sizeof(struct rte_ipv6_fragment_ext),
				       RTE_IPV6_EHDR_FO_ALIGN);
		/* Keep the id the datagram came with when it was reassembled
		 * here; otherwise a fresh one. */
		id = meta->frag_id != 0 ? meta->frag_id : (uint32_t)rte_rand();
	}
	payload = meta->ip_len - hdr;
	need = (payload + room - 1) / room;
	if (need > max_out)
		return -ENOSPC;

	/* rte_ip_frag takes the whole mbuf as the datagram: Ethernet padding
	 * would become payload. */
	if (m->pkt_len > l2_len + meta->ip_len &&
	    rte_pktmbuf_trim(m, m->pkt_len - l2_len - meta->ip_len) != 0)
		return -EINVAL;

	memcpy(l2hdr, rte_pktmbuf_mtod(m, const void *), l2_len);
	rte_pktmbuf_adj(m, l2_len);
	if (meta->family == 4)
		n = rte_ipv4_fragment_packet(m, out, max_out, mtu, pool, pool);
	else
		n = rte_ipv6_fragment_packet(m, out, max_out, mtu, pool, pool);
	if (n < 0) {
		rte_pktmbuf_prepend(m, l2_len);
		return n;
	}

	for (i = 0; i < n; i++) {
		struct rte_mbuf *f = out[i];
		uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(f, l2_len);

		if (p == NULL) {
			/* Fresh mbufs have RTE_PKTMBUF_HEADROOM; only a pool
			 * built without headroom ends here. */
			for (i = 0; i < n; i++)
				rte_pktmbuf_free(out[i]);
			rte_pktmbuf_prepend(m, l2_len);
			return -ENOMEM;
		}
		memcpy(p, l2hdr, l2_len);
		if (meta->family == 4) {
			struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)(p + l2_len);
			h->hdr_checksum = 0;
			h->hdr_checksum = rte_ipv4_cksum(h);
			id = rte_be_to_cpu_16(h->packet_id);
		} else {
			struct rte_ipv6_fragment_ext *fh = (struct rte_ipv6_fragment_ext *)
				(p + l2_len + sizeof(struct rte_ipv6_hdr));
			fh->id = rte_cpu_to_be_32(id);
		}
		frag_fix_meta(f, m, meta, l2_len, id);
	}
	rte_pktmbuf_free(m);
	return n;
}
