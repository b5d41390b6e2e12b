/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sk_test_pkt.h - build test frames from a short description (Ethernet,
 * VLAN, IPv4 with options / IPv6 with an extension chain, TCP/UDP/ICMP), so
 * that the parser and fragment tests state cases as data, not as byte dumps.
 * Test-only; lengths and checksums come out right unless a case breaks them
 * on purpose afterwards.
 */
#ifndef SK_PKT_BUILD_H
#define SK_PKT_BUILD_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#define PB_MAX 9000

static const uint8_t pb_port_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t pb_peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const uint8_t pb_other_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x09 };

struct pb_ext {
	uint8_t type;      /* 0 hop-by-hop, 43 routing, 44 fragment, 51 AH, 60 dest opts */
	uint16_t len;      /* bytes (multiple of 8; AH multiple of 4; fragment 8) */
	uint8_t rtype;     /* routing type */
	uint16_t fd;       /* fragment: offset (bytes) | M */
	uint32_t id;       /* fragment id */
};

struct pb_spec {
	int vlan;               /* >0: one 802.1Q tag */
	uint16_t outer_tpid;    /* !=0: an extra outer tag with this TPID */
	const uint8_t *dmac;    /* default pb_port_mac */
	uint16_t ethertype;     /* override (else from family) */
	int family;             /* 4, 6, or 0 for ARP */
	/* IPv4 */
	const char *src, *dst;  /* default 192.0.2.1 -> 198.51.100.2 / 2001:db8::1 -> 2001:db8::2 */
	const uint8_t *opts;
	uint8_t optlen;         /* multiple of 4 */
	uint16_t v4frag;        /* flags|offset field, host order */
	uint16_t v4id;
	/* IPv6 */
	struct pb_ext ext[12];
	int n_ext;
	/* L4 */
	uint8_t proto;
	uint8_t tcp_flags;
	uint8_t tcp_doff;       /* 32-bit words, 0 = 5 */
	uint16_t sport, dport;
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id;
	uint16_t payload;       /* L4 payload bytes (pattern) */
	uint16_t pad;           /* Ethernet padding after the IP datagram */
};

struct pb_pkt {
	uint8_t b[PB_MAX];
	uint16_t len;   /* frame */
	uint16_t l3;    /* offset of the IP (or ARP) header */
	uint16_t l4;    /* offset of the L4 header */
	uint16_t ipend; /* offset just past the IP datagram */
};

static inline void
pb_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
pb_fix4(struct pb_pkt *p)
{
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)(p->b + p->l3);
	h->hdr_checksum = 0;
	h->hdr_checksum = rte_ipv4_cksum(h);
}

static inline void
pb_build(const struct pb_spec *s, struct pb_pkt *p)
{
	uint8_t *b = p->b;
	uint16_t o = 12, l4len = 0;
	int i;

	memset(p, 0, sizeof(*p));
	memcpy(b, s->dmac ? s->dmac : pb_port_mac, 6);
	memcpy(b + 6, pb_peer_mac, 6);
	if (s->outer_tpid) {
		pb_wr16(b + o, s->outer_tpid);
		pb_wr16(b + o + 2, 7);
		o += 4;
	}
	if (s->vlan > 0) {
		pb_wr16(b + o, 0x8100);
		pb_wr16(b + o + 2, (uint16_t)s->vlan);
		o += 4;
	}
	pb_wr16(b + o, s->ethertype ? s->ethertype :
		s->family == 4 ? 0x0800 : s->family == 6 ? 0x86dd : 0x0806);
	o += 2;
	p->l3 = o;

	if (s->family == 0) {
		uint8_t *a = b + o;
		pb_wr16(a, 1);
		pb_wr16(a + 2, 0x0800);
		a[4] = 6;
		a[5] = 4;
		pb_wr16(a + 6, 1);
		memcpy(a + 8, pb_peer_mac, 6);
		inet_pton(AF_INET, "192.0.2.1", a + 14);
		inet_pton(AF_INET, "192.0.2.254", a + 24);
		p->len = p->ipend = p->l4 = (uint16_t)(o + 28);
		return;
	}

	uint16_t hl;
	uint8_t *ip = b + o;
	if (s->family == 4) {
		hl = (uint16_t)(20 + s->optlen);
		ip[0] = (uint8_t)(0x40 | (hl / 4));
		pb_wr16(ip + 4, s->v4id);
		pb_wr16(ip + 6, s->v4frag);
		ip[8] = 64;
		ip[9] = s->proto;
		inet_pton(AF_INET, s->src ? s->src : "192.0.2.1", ip + 12);
		inet_pton(AF_INET, s->dst ? s->dst : "198.51.100.2", ip + 16);
		if (s->optlen)
			memcpy(ip + 20, s->opts, s->optlen);
	} else {
		ip[0] = 0x60;
		ip[7] = 64;
		inet_pton(AF_INET6, s->src ? s->src : "2001:db8::1", ip + 8);
		inet_pton(AF_INET6, s->dst ? s->dst : "2001:db8::2", ip + 24);
		hl = 40;
		ip[6] = s->n_ext > 0 ? s->ext[0].type : s->proto;
		for (i = 0; i < s->n_ext; i++) {
			const struct pb_ext *e = &s->ext[i];
			uint8_t *x = ip + hl;
			x[0] = i + 1 < s->n_ext ? s->ext[i + 1].type : s->proto;
			if (e->type == 44) {
				pb_wr16(x + 2, e->fd);
				x[4] = (uint8_t)(e->id >> 24);
				x[5] = (uint8_t)(e->id >> 16);
				x[6] = (uint8_t)(e->id >> 8);
				x[7] = (uint8_t)e->id;
			} else if (e->type == 51) {
				x[1] = (uint8_t)(e->len / 4 - 2);
			} else {
				x[1] = (uint8_t)(e->len / 8 - 1);
				if (e->type == 43) {
					x[2] = e->rtype;
				} else {
					x[2] = 1; /* PadN filling the header */
					x[3] = (uint8_t)(e->len - 4);
				}
			}
			hl = (uint16_t)(hl + e->len);
		}
	}
	uint8_t *l4 = ip + hl;
	p->l4 = (uint16_t)(o + hl);
	switch (s->proto) {
	case 6:
		l4len = (uint16_t)((s->tcp_doff ? s->tcp_doff : 5) * 4);
		pb_wr16(l4, s->sport);
		pb_wr16(l4 + 2, s->dport);
		l4[12] = (uint8_t)((s->tcp_doff ? s->tcp_doff : 5) << 4);
		l4[13] = s->tcp_flags;
		pb_wr16(l4 + 14, 65535);
		for (i = 20; i + 1 < l4len; i++)
			l4[i] = 1; /* NOP options */
		break;
	case 17:
		l4len = 8;
		pb_wr16(l4, s->sport);
		pb_wr16(l4 + 2, s->dport);
		pb_wr16(l4 + 4, (uint16_t)(8 + s->payload));
		break;
	case 1:
	case 58:
		l4len = 8;
		l4[0] = s->icmp_type;
		l4[1] = s->icmp_code;
		pb_wr16(l4 + 4, s->icmp_id);
		pb_wr16(l4 + 6, 1);
		break;
	default:
		break;
	}
	for (i = 0; i < s->payload; i++)
		l4[l4len + i] = (uint8_t)(i * 7 + 3);
	uint16_t total = (uint16_t)(hl + l4len + s->payload);
	if (s->family == 4) {
		pb_wr16(ip + 2, total);
	} else {
		pb_wr16(ip + 4, (uint16_t)(total - 40));
	}
	p->ipend = (uint16_t)(o + total);
	p->len = (uint16_t)(p->ipend + s->pad);
	if (s->family == 4)
		pb_fix4(p);
}

/* Copy a built frame into a fresh single-segment mbuf. */
static inline struct rte_mbuf *
pb_mbuf(struct rte_mempool *mp, const uint8_t *b, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	if (m == NULL)
		return NULL;
	char *d = rte_pktmbuf_append(m, len);
	if (d == NULL && len != 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	if (len)
		memcpy(d, b, len);
	return m;
}

#endif /* SK_PKT_BUILD_H */
