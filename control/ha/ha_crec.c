/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_crec.c - connection-sync records on the wire (ha_crec.h): a compact,
 * big-endian form that carries IPv4 addresses in 4 bytes and the backend
 * side only for NAT connections, and a decoder that checks every field a
 * dataplane would index with before anything reaches shared memory.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "ha_crec.h"
#include "sk_image.h"

/* The conn table's limits (dataplane/conn/conn.h): TCP states, not a contract
 * header, so restated here and checked again by the applying worker. */
#define TCP_STATES 9

static inline void
be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
be32(uint8_t *p, uint32_t v)
{
	be16(p, (uint16_t)(v >> 16));
	be16(p + 2, (uint16_t)v);
}

static inline void
be64(uint8_t *p, uint64_t v)
{
	be32(p, (uint32_t)(v >> 32));
	be32(p + 4, (uint32_t)v);
}

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) << 16 | rd16(p + 2);
}

static inline uint64_t
rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) << 32 | rd32(p + 4);
}

size_t
sk_ha_crec_size(const struct sk_sync_rec *rec)
{
	size_t alen = rec->family == 4 ? 4 : rec->family == 6 ? 16 : 0;

	if (alen == 0)
		return 0;
	/* a SYN-proxied connection (flags != 0) carries its sequence delta */
	return (rec->nat != 0 ? 36 + 4 * alen : 32 + 2 * alen) + (rec->flags != 0 ? 4 : 0);
}

size_t
sk_ha_crec_put(const struct sk_sync_rec *r, uint8_t *out)
{
	size_t alen = r->family == 4 ? 4 : 16, off;

	if (sk_ha_crec_size(r) == 0)
		return 0;
	out[0] = r->type;
	out[1] = r->family;
	out[2] = r->proto;
	out[3] = r->state;
	out[4] = r->fin_seen;
	out[5] = r->nat;
	out[6] = r->tmo_class;
	out[7] = r->flags;
	out[8] = r->in_iface;
	out[9] = r->out_iface;
	be16(out + 10, r->owner);
	be32(out + 12, r->rule_id);
	be32(out + 16, r->gen);
	be32(out + 20, r->idle_ms);
	be32(out + 24, r->svc_ident);
	be16(out + 28, r->sport);
	be16(out + 30, r->dport);
	off = 32;
	if (r->nat != 0) {
		be16(out + 32, r->xport);
		be16(out + 34, r->bport);
		off = 36;
	}
	memcpy(out + off, r->src, alen);
	memcpy(out + off + alen, r->dst, alen);
	off += 2 * alen;
	if (r->nat != 0) {
		memcpy(out + off, r->xsrc, alen);
		memcpy(out + off + alen, r->backend, alen);
		off += 2 * alen;
	}
	if (r->flags != 0) {
		be32(out + off, r->sp_delta);
		off += 4;
	}
	return off;
}

int
sk_ha_crec_get(const uint8_t *p, size_t len, unsigned int n_workers, struct sk_sync_rec *r)
{
	size_t alen, need, off;

	if (len < 32)
		return -EMSGSIZE;
	memset(r, 0, sizeof(*r));
	r->type = p[0];
	r->family = p[1];
	r->proto = p[2];
	r->state = p[3];
	r->fin_seen = p[4];
	r->nat = p[5];
	r->tmo_class = p[6];
	if (r->type == SK_SYNC_NONE || r->type >= SK_SYNC_TYPE__MAX ||
	    (r->family != 4 && r->family != 6) || r->nat > SK_SYNC_NAT_FULLNAT ||
	    p[7] > SK_SYNC_F_SP_MAX || (p[7] != 0 && r->proto != IPPROTO_TCP) ||
	    r->tmo_class >= SK_TMO__MAX || (r->fin_seen & ~0x07u) != 0 ||
	    (r->proto == IPPROTO_TCP ? r->state >= TCP_STATES : r->state > 1) ||
	    (r->nat != 0 && r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP))
		return -EINVAL;
	r->in_iface = p[8];
	r->out_iface = p[9];
	r->owner = rd16(p + 10);
	if (r->in_iface >= SK_MAX_IFACES || r->out_iface >= SK_MAX_IFACES ||
	    r->owner >= n_workers)
		return -EINVAL;
	r->rule_id = rd32(p + 12);
	r->gen = rd32(p + 16);
	r->idle_ms = rd32(p + 20);
	r->svc_ident = rd32(p + 24);
	if (r->nat == 0 && r->svc_ident != 0)
		return -EINVAL;
	r->sport = rd16(p + 28);
	r->dport = rd16(p + 30);
	alen = r->family == 4 ? 4 : 16;
	r->flags = p[7];
	need = (r->nat != 0 ? 36 + 4 * alen : 32 + 2 * alen) + (r->flags != 0 ? 4 : 0);
	if (len < need)
		return -EMSGSIZE;
	off = 32;
	if (r->nat != 0) {
		r->xport = rd16(p + 32);
		r->bport = rd16(p + 34);
		off = 36;
	}
	memcpy(r->src, p + off, alen);
	memcpy(r->dst, p + off + alen, alen);
	off += 2 * alen;
	if (r->nat != 0) {
		memcpy(r->xsrc, p + off, alen);
		memcpy(r->backend, p + off + alen, alen);
		off += 2 * alen;
	}
	if (r->flags != 0) {
		r->sp_delta = rd32(p + off);
		off += 4;
	}
	return (int)off;
}

void
sk_ha_cbatch_hdr_put(const struct sk_ha_cbatch_hdr *h, uint8_t out[SK_HA_CREC_HDR])
{
	out[0] = SK_HA_CREC_VERSION;
	out[1] = 0;
	be16(out + 2, h->count);
	be32(out + 4, 0);
	be64(out + 8, h->stream);
	be64(out + 16, h->seq);
}

int
sk_ha_cbatch_hdr_get(const uint8_t *p, size_t len, struct sk_ha_cbatch_hdr *h)
{
	if (len < SK_HA_CREC_HDR)
		return -EMSGSIZE;
	if (p[0] != SK_HA_CREC_VERSION || p[1] != 0 || rd32(p + 4) != 0)
		return -EINVAL;
	h->count = rd16(p + 2);
	h->stream = rd64(p + 8);
	h->seq = rd64(p + 16);
	return h->seq == 0 ? -EINVAL : 0;
}

void
sk_ha_cack_put(const struct sk_ha_cack *a, uint8_t out[SK_HA_CACK_LEN])
{
	be64(out, a->stream);
	be64(out + 8, a->seq);
	be32(out + 16, a->flags);
	be32(out + 20, 0);
}

int
sk_ha_cack_get(const uint8_t *p, size_t len, struct sk_ha_cack *a)
{
	if (len != SK_HA_CACK_LEN)
		return -EMSGSIZE;
	a->stream = rd64(p);
	a->seq = rd64(p + 8);
	a->flags = rd32(p + 16);
	return (a->flags & ~(uint32_t)(SK_HA_CACK_RESYNC | SK_HA_CACK_RESUME)) != 0 ||
	       rd32(p + 20) != 0 ? -EINVAL : 0;
}

void
sk_ha_cbulk_put(const struct sk_ha_cbulk *b, uint8_t out[SK_HA_CBULK_LEN])
{
	be64(out, b->stream);
	be64(out + 8, b->seq);
	be32(out + 16, b->id);
	be32(out + 20, b->records);
}

int
sk_ha_cbulk_get(const uint8_t *p, size_t len, struct sk_ha_cbulk *b)
{
	if (len != SK_HA_CBULK_LEN)
		return -EMSGSIZE;
	b->stream = rd64(p);
	b->seq = rd64(p + 8);
	b->id = rd32(p + 16);
	b->records = rd32(p + 20);
	return 0;
}
