/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_classify.c - the per-burst policy lookup: keys built from the packet
 * descriptors on the stack, split by family, one rte_acl_classify call per
 * family (per part of a split family).  Hot path: no allocation, no locks,
 * no logging.
 */
#include <string.h>
#include <rte_byteorder.h>
#include <rte_common.h>

#include "acl/acl.h"
#include "acl/acl_priv.h"

/* Keys built per call; a longer burst is classified in chunks of this. */
#define SK_ACL_CHUNK 64

static inline void
key_ports(const struct sk_pkt_meta *m, uint16_t *sport, uint16_t *dport)
{
	if (sk_acl_proto_is_icmp(m->proto)) {
		*sport = rte_cpu_to_be_16(m->icmp_type);
		*dport = rte_cpu_to_be_16(m->icmp_code);
	} else {
		*sport = rte_cpu_to_be_16(m->sport);
		*dport = rte_cpu_to_be_16(m->dport);
	}
}

static inline void
key4_fill(struct sk_acl_key4 *k, const struct sk_pkt_meta *m)
{
	k->proto = m->proto;
	k->pad[0] = k->pad[1] = k->pad[2] = 0;
	k->in_zone = rte_cpu_to_be_16(m->in_zone);
	k->out_zone = rte_cpu_to_be_16(m->out_zone);
	memcpy(k->src, m->src, 4);
	memcpy(k->dst, m->dst, 4);
	key_ports(m, &k->sport, &k->dport);
}

static inline void
key6_fill(struct sk_acl_key6 *k, const struct sk_pkt_meta *m)
{
	k->proto = m->proto;
	k->pad[0] = k->pad[1] = k->pad[2] = 0;
	k->in_zone = rte_cpu_to_be_16(m->in_zone);
	k->out_zone = rte_cpu_to_be_16(m->out_zone);
	memcpy(k->src, m->src, 16);
	memcpy(k->dst, m->dst, 16);
	key_ports(m, &k->sport, &k->dport);
}

/*
 * Classify n keys of one family: results r[i] = first matching rule + 1, or 0.
 * A split family's part p holds only rules with lower indices than part
 * p + 1, so a packet's answer is the first part that matches it: each later
 * part classifies only the packets still unmatched (none left: done).  The
 * common case, one part, is one rte_acl_classify as before.
 * rte_acl_classify only fails on bad arguments, which cannot happen here
 * (built contexts, one category); results stay 0 if it did.
 */
static inline void
classify_family(const struct sk_acl_fam *f, const uint8_t *d[], uint32_t r[], uint16_t n)
{
	const uint8_t *dm[SK_ACL_CHUNK];
	uint32_t rm[SK_ACL_CHUNK];
	uint16_t im[SK_ACL_CHUNK], m, i;
	uint32_t p;

	if (rte_acl_classify(f->ctx[0], d, r, n, 1) != 0)
		memset(r, 0, sizeof(r[0]) * n);
	for (p = 1; p < f->nparts; p++) {
		for (i = 0, m = 0; i < n; i++)
			if (r[i] == 0) {
				dm[m] = d[i];
				im[m++] = i;
			}
		if (m == 0)
			break;
		if (rte_acl_classify(f->ctx[p], dm, rm, m, 1) == 0)
			for (i = 0; i < m; i++)
				r[im[i]] = rm[i];
	}
}

static void
classify_chunk(const struct sk_acl *acl, struct sk_pkt_meta *const metas[], uint16_t n,
	       uint32_t results[])
{
	struct sk_acl_key4 k4[SK_ACL_CHUNK];
	struct sk_acl_key6 k6[SK_ACL_CHUNK];
	const uint8_t *d4[SK_ACL_CHUNK], *d6[SK_ACL_CHUNK];
	uint32_t r4[SK_ACL_CHUNK], r6[SK_ACL_CHUNK];
	uint16_t i4[SK_ACL_CHUNK], i6[SK_ACL_CHUNK];
	uint16_t n4 = 0, n6 = 0, i;

	for (i = 0; i < n; i++) {
		const struct sk_pkt_meta *m = metas[i];

		results[i] = 0;
		if (m->kind != SK_PKT_IP)
			continue;
		if (m->family == 4 && acl->f4.nparts != 0) {
			key4_fill(&k4[n4], m);
			d4[n4] = (const uint8_t *)&k4[n4];
			i4[n4++] = i;
		} else if (m->family == 6 && acl->f6.nparts != 0) {
			key6_fill(&k6[n6], m);
			d6[n6] = (const uint8_t *)&k6[n6];
			i6[n6++] = i;
		}
	}
	if (n4 != 0) {
		classify_family(&acl->f4, d4, r4, n4);
		for (i = 0; i < n4; i++)
			results[i4[i]] = r4[i];
	}
	if (n6 != 0) {
		classify_family(&acl->f6, d6, r6, n6);
		for (i = 0; i < n6; i++)
			results[i6[i]] = r6[i];
	}
}

void
sk_acl_classify_burst(const struct sk_acl *acl, struct sk_pkt_meta *const metas[],
		      uint16_t n, uint32_t results[])
{
	uint16_t done = 0;

	while (done < n) {
		uint16_t c = RTE_MIN((uint16_t)(n - done), (uint16_t)SK_ACL_CHUNK);

		classify_chunk(acl, metas + done, c, results + done);
		done += c;
	}
}

uint32_t
sk_acl_classify_one(const struct sk_acl *acl, const struct sk_pkt_meta *meta)
{
	struct sk_pkt_meta *const one[1] = { (struct sk_pkt_meta *)(uintptr_t)meta };
	uint32_t res = 0;

	sk_acl_classify_burst(acl, one, 1, &res);
	return res;
}
