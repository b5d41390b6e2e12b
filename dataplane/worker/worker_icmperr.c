/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * worker_icmperr.c - ICMP errors related to the connection they quote
 * (wicmp.h): key and owner from the quote (by rule, by the ports' RSS, or
 * passed round the workers), the lookup, and the NAT translation of an
 * error (outer destination and source, the quoted header, checksums).
 */
#include <string.h>
#include <rte_ip.h>

#include "wicmp.h"
#include "wlb.h"
#include "lb/lb_svc.h"
#include "nat/nat.h"
#include "route/route.h"
#include "pkt/pkt_icmperr.h"

/* Who placed the connection an error quotes on its worker. */
enum place {
	PLACE_RULE,   /* sk_wlb_owner: a DNAT service, a full-NAT source port, a
		       * backend's UDP flow */
	PLACE_NIC,    /* the ports' RSS: plain, a full NAT's client side */
	PLACE_EITHER, /* TCP with a backend at one end: a DNAT connection (rule)
		       * or a plain one the backend's or its peer's SYN opened (NIC) */
};

/*
 * Where the connection error pm quotes (in) lives: how it was placed, the
 * worker the rule names (*rule_owner) and the one the NIC picks
 * (*nic_owner; this worker where the unit does not know the NIC's RSS),
 * from a packet of it going the error's way: the quoted tuple reversed,
 * classified afresh (a VIP's service, an SNAT address).
 */
static enum place
quote_place(const struct sk_worker *w, const struct sk_gen *g, const struct sk_pkt_meta *pm,
	    const struct sk_icmperr_inner *in, uint16_t *rule_owner, uint16_t *nic_owner)
{
	struct sk_pkt_meta t;
	uint8_t ends;
	int svc;

	*rule_owner = *nic_owner = w->idx;
	if (sk_dp.n_workers < 2)
		return PLACE_NIC;
	t = *pm;
	t.proto = in->proto;
	memcpy(t.src, in->dst, sizeof(t.src));
	memcpy(t.dst, in->src, sizeof(t.dst));
	t.sport = in->dport;
	t.dport = in->sport;
	t.tcp_flags = 0;
	t.lb_svc = 0;
	t.lb_addr = 0;
	t.handoff = 0;
	if (w->nat_rss != NULL)
		*nic_owner = (uint16_t)sk_nat_rss_worker(w->nat_rss, t.family, t.proto, t.src,
							 t.sport, t.dst, t.dport);
	if (g->n_services == 0)
		return PLACE_NIC;
	t.lb_addr = sk_lb_addr_flags(g->lb, t.family, t.dst);
	if ((t.lb_addr & SK_LB_ADDR_VIP) && (svc = sk_lb_svc_match(g->lb, &t)) >= 0)
		t.lb_svc = (uint16_t)(svc + 1);
	*rule_owner = sk_wlb_owner(w, g, &t);
	if (t.lb_svc != 0)
		return sk_lb_service(g->lb, t.lb_svc - 1u)->fwd == SK_LB_FWD_DNAT ? PLACE_RULE
										  : PLACE_NIC;
	if (t.lb_addr & SK_LB_ADDR_SNAT)
		return PLACE_RULE;
	ends = t.lb_addr | sk_lb_addr_flags(g->lb, t.family, t.src);
	if (!(ends & SK_LB_ADDR_BACKEND))
		return PLACE_NIC;
	return t.proto == IPPROTO_TCP ? PLACE_EITHER : PLACE_RULE;
}

/*
 * Error m: *k = the key of the connection it quotes, *src_is_a = the
 * error's own direction against that key, *place and the owners as
 * quote_place's.  SK_DROP_NONE, or the reason to drop m.
 */
static enum sk_drop_reason
quote_key(const struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m,
	  struct sk_conn_key *k, uint8_t *src_is_a, enum place *place, uint16_t *rule_owner,
	  uint16_t *nic_owner)
{
	const struct sk_pkt_meta *pm = sk_pkt_meta(m);
	struct sk_icmperr_inner in;
	enum sk_drop_reason rc;
	uint8_t inner_sia;

	rc = sk_icmperr_inner(m, pm, &in);
	if (rc != SK_DROP_NONE)
		return rc;
	sk_conn_key_from_tuple(pm->family, in.proto, in.src, in.sport, in.dst, in.dport, k,
			       &inner_sia);
	/* The error travels back towards the quoted packet's sender. */
	*src_is_a = !inner_sia;
	*place = quote_place(w, g, pm, &in, rule_owner, nic_owner);
	return SK_DROP_NONE;
}

/*
 * Error pm missed this worker's table: the next worker to look, or -1.
 * The NIC's worker after the rule's (PLACE_EITHER); where the NIC's RSS is
 * unknown, every worker in turn.  pm->icmp_missed counts the misses.
 */
static int
next_to_look(const struct sk_worker *w, struct sk_pkt_meta *pm, enum place place,
	     uint16_t nic_owner)
{
	if (place == PLACE_RULE || sk_dp.n_workers < 2)
		return -1;
	if (w->nat_rss != NULL) {
		if (place != PLACE_EITHER || pm->icmp_missed++ != 0 || nic_owner == w->idx)
			return -1;
		return nic_owner;
	}
	if (++pm->icmp_missed >= sk_dp.n_workers)
		return -1;
	return (int)((w->idx + 1u) % sk_dp.n_workers);
}

/* Does an error that matched no connection go on to policy (addressed to
 * the unit itself) rather than being dropped?  Admission left the route of
 * one to a VIP (pm->dst_late) to the lookup: out_zone is not yet set. */
static int
miss_is_local(const struct sk_gen *g, const struct sk_pkt_meta *pm)
{
	struct sk_route_result rr;

	if (pm->lb_addr & SK_LB_ADDR_SNAT)
		return 0;
	if (pm->dst_late)
		return sk_gen_dst(g, pm, &rr) == SK_GEN_DST_LOCAL;
	return pm->out_zone == SK_ZONE_LOCAL && pm->lb_svc == 0;
}

/* RFC 1624 eqn. 3: checksum *cs after the 16-bit words of old became new. */
static void
csum_adjust(uint8_t *cs, const uint8_t *old, const uint8_t *new, unsigned int len)
{
	uint32_t sum = (uint16_t)~((cs[0] << 8) | cs[1]);
	unsigned int i;

	for (i = 0; i + 1 < len; i += 2) {
		sum += (uint16_t)~((old[i] << 8) | old[i + 1]);
		sum += (uint16_t)((new[i] << 8) | new[i + 1]);
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = (uint16_t)~sum;
	cs[0] = (uint8_t)(sum >> 8);
	cs[1] = (uint8_t)sum;
}

static void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Ones' complement of the ones' complement sum of len bytes at p, folded. */
static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Rewrite the quote at in (offsets into frame p, quote ends at end): source
 * isrc:isport, destination idst:idport.  The quoted L4 checksum follows the
 * address and port change where the quote holds it (UDP always in 8 bytes,
 * TCP only in a longer quote); the quoted IPv4 header checksum is rebuilt.
 */
static void
rewrite_quote(uint8_t *p, uint32_t end, const struct sk_icmperr_inner *in, uint8_t family,
	      const uint8_t *isrc, uint16_t isport, const uint8_t *idst, uint16_t idport)
{
	uint8_t *ip = p + in->l3_off, *l4 = p + in->l4_off;
	unsigned int alen = family == 4 ? 4 : 16;
	uint8_t *sa = ip + (family == 4 ? 12 : 8), *da = ip + (family == 4 ? 16 : 24);
	uint8_t *cs = NULL;
	uint8_t old[4];

	if (in->proto == IPPROTO_UDP && (l4[6] | l4[7]) != 0)
		cs = l4 + 6;
	else if (in->proto == IPPROTO_TCP && in->l4_off + 18u <= end)
		cs = l4 + 16;
	if (cs != NULL) {
		csum_adjust(cs, sa, isrc, alen);
		csum_adjust(cs, da, idst, alen);
	}
	memcpy(sa, isrc, alen);
	memcpy(da, idst, alen);
	if (in->proto == IPPROTO_TCP || in->proto == IPPROTO_UDP) {
		memcpy(old, l4, 4);
		wr16(l4, isport);
		wr16(l4 + 2, idport);
		if (cs != NULL)
			csum_adjust(cs, old, l4, 4);
	}
	if (family == 4) {
		unsigned int ihl = (ip[0] & 0xfu) * 4u;

		ip[10] = ip[11] = 0;
		wr16(ip + 10, fold(__builtin_bswap16(rte_raw_cksum(ip, ihl))));
	}
}

/* Outer addresses (NULL: keep), IPv4 header checksum, ICMP checksum, pm. */
static void
rewrite_outer(uint8_t *p, struct sk_pkt_meta *pm, const uint8_t *src, const uint8_t *dst)
{
	uint8_t *ip = p + pm->l2_len, *icmp = ip + pm->l3_len;
	unsigned int alen = pm->family == 4 ? 4 : 16;
	uint32_t len = (uint32_t)pm->ip_len - pm->l3_len;
	uint32_t sum;

	if (src != NULL) {
		memcpy(ip + (pm->family == 4 ? 12 : 8), src, alen);
		memcpy(pm->src, src, alen);
	}
	if (dst != NULL) {
		memcpy(ip + (pm->family == 4 ? 16 : 24), dst, alen);
		memcpy(pm->dst, dst, alen);
	}
	icmp[2] = icmp[3] = 0;
	if (pm->family == 4) {
		ip[10] = ip[11] = 0;
		wr16(ip + 10, fold(__builtin_bswap16(rte_raw_cksum(ip, pm->l3_len))));
		wr16(icmp + 2, fold(__builtin_bswap16(rte_raw_cksum(icmp, len))));
		return;
	}
	/* ICMPv6: the pseudo-header (addresses, length, next header 58). */
	sum = __builtin_bswap16(rte_raw_cksum(ip + 8, 32));
	sum += (len >> 16) + (len & 0xffff) + IPPROTO_ICMPV6;
	sum += __builtin_bswap16(rte_raw_cksum(icmp, len));
	wr16(icmp + 2, fold(sum));
}

/*
 * Error m quotes connection c (a lookup hit, primary or NAT alias):
 * SK_DROP_NONE when m is ready to forward (translated and routed for a NAT
 * connection), or the reason to drop it.
 */
static enum sk_drop_reason
related(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m,
		 struct sk_conn *c, uint8_t src_is_a)
{
	struct sk_pkt_meta *pm = sk_pkt_meta(m);
	struct sk_icmperr_inner in;
	struct sk_wlb_ends e;
	enum sk_conn_dir dir;
	uint8_t *p;
	uint32_t end;
	int fullnat, on_alias;
	unsigned int alen = pm->family == 4 ? 4 : 16;
	enum sk_drop_reason rc;

	/* An earlier packet of this burst may have cut it. */
	if (unlikely(!(c->flags & SK_CONN_F_LIVE)))
		return SK_DROP_ICMP_ERR_NO_CONN;
	if (c->nat == 0)
		return SK_DROP_NONE; /* plain: routed by its own destination already */
	/* Translation rewrites the whole error: it must be in one segment. */
	end = (uint32_t)pm->l2_len + pm->ip_len;
	if (rte_pktmbuf_data_len(m) < end)
		return SK_DROP_ICMP_ERR_MALFORMED;
	rc = sk_icmperr_inner(m, pm, &in);
	if (rc != SK_DROP_NONE)
		return rc;
	p = rte_pktmbuf_mtod(m, uint8_t *);
	dir = sk_conn_dir(c, src_is_a);
	on_alias = (c->flags & SK_CONN_F_ALIAS) != 0;
	fullnat = c->nat == SK_LB_FWD_FULLNAT + 1;
	sk_wlb_ends(w->conns, c, &e);
	if (!on_alias && dir == SK_DIR_ORIG) {
		/* From the client's side about the VIP's answer (vip -> client):
		 * to the backend, about its own answer (backend -> xsrc). */
		const uint8_t *osrc = fullnat && memcmp(pm->src, e.client, alen) == 0 ? e.xsrc
										     : NULL;

		rewrite_quote(p, end, &in, pm->family, e.backend, e.backend_port, e.xsrc,
			      e.xsrc_port);
		rewrite_outer(p, pm, osrc, e.backend);
		return sk_wlb_route(g, pm);
	}
	if (on_alias && dir == SK_DIR_REPLY) {
		/* From the backend's side about what the unit sent it
		 * (xsrc -> backend): to the client, about its packet to the VIP. */
		const uint8_t *osrc = memcmp(pm->src, e.backend, alen) == 0 ? e.vip : NULL;

		rewrite_quote(p, end, &in, pm->family, e.client, e.client_port, e.vip,
			      e.vip_port);
		rewrite_outer(p, pm, osrc, fullnat ? e.client : NULL);
		return fullnat ? sk_wlb_route(g, pm) : SK_DROP_NONE;
	}
	return SK_DROP_NAT_UNEXPECTED;
}

enum sk_wicmp_verdict
sk_wicmp_relate(struct sk_worker *w, const struct sk_gen *g, struct rte_mbuf *m, uint16_t *to,
		enum sk_drop_reason *why)
{
	struct sk_pkt_meta *pm = sk_pkt_meta(m);
	uint16_t rule_owner, nic_owner;
	struct sk_conn_key k;
	struct sk_conn *c;
	enum place place;
	uint8_t src_is_a;
	int next;

	*why = quote_key(w, g, m, &k, &src_is_a, &place, &rule_owner, &nic_owner);
	if (*why != SK_DROP_NONE)
		return SK_WICMP_DROP;
	/* Arrived from the NIC: to the owner first (a handed-over error stays:
	 * its sender named this worker). */
	*to = place == PLACE_NIC ? nic_owner : rule_owner;
	if (!pm->handoff && *to != w->idx)
		return SK_WICMP_HANDOFF;
	c = sk_conn_lookup(w->conns, &k);
	if (c != NULL) {
		*why = related(w, g, m, c, src_is_a);
		return *why == SK_DROP_NONE ? SK_WICMP_FORWARD : SK_WICMP_DROP;
	}
	next = next_to_look(w, pm, place, nic_owner);
	if (next >= 0) {
		*to = (uint16_t)next;
		return SK_WICMP_HANDOFF;
	}
	if (miss_is_local(g, pm))
		return SK_WICMP_ORDINARY;
	*why = SK_DROP_ICMP_ERR_NO_CONN;
	return SK_WICMP_DROP;
}
