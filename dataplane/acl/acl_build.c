/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_build.c - compile the image's rules into two rte_acl contexts (IPv4,
 * IPv6).  Runs on the main lcore or in an offline tool, never per packet.
 *
 * Every image rule becomes the cross product of its lists
 * (src x dst x sport x dport) of rte_acl rules, all with userdata = index + 1
 * and the same priority, which falls with the index so that the first rule in
 * the image wins.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <inttypes.h>
#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "sk_image_api.h"
#include "sk_err.h"
#include "acl/acl.h"
#include "acl/acl_priv.h"

/* The rte_acl field definitions matching struct sk_acl_key4/6. */
static uint32_t
fill_defs(struct rte_acl_config *cfg, uint8_t family)
{
	struct rte_acl_field_def *d = cfg->defs;
	uint32_t nf = 0, naddr = family == 4 ? 1 : 4, i;
	size_t off_zone_in = family == 4 ? offsetof(struct sk_acl_key4, in_zone) :
		offsetof(struct sk_acl_key6, in_zone);
	size_t off_src = family == 4 ? offsetof(struct sk_acl_key4, src) :
		offsetof(struct sk_acl_key6, src);
	size_t off_dst = family == 4 ? offsetof(struct sk_acl_key4, dst) :
		offsetof(struct sk_acl_key6, dst);
	size_t off_sport = family == 4 ? offsetof(struct sk_acl_key4, sport) :
		offsetof(struct sk_acl_key6, sport);
	uint8_t input = 0;

	d[nf] = (struct rte_acl_field_def){ .type = RTE_ACL_FIELD_TYPE_BITMASK,
		.size = 1, .field_index = nf, .input_index = input++, .offset = 0 };
	nf++;
	/* in_zone and out_zone share one 4-byte input group */
	d[nf] = (struct rte_acl_field_def){ .type = RTE_ACL_FIELD_TYPE_RANGE,
		.size = 2, .field_index = nf, .input_index = input, .offset = off_zone_in };
	nf++;
	d[nf] = (struct rte_acl_field_def){ .type = RTE_ACL_FIELD_TYPE_RANGE,
		.size = 2, .field_index = nf, .input_index = input++,
		.offset = off_zone_in + 2 };
	nf++;
	for (i = 0; i < naddr; i++, nf++)
		d[nf] = (struct rte_acl_field_def){ .type = RTE_ACL_FIELD_TYPE_MASK,
			.size = 4, .field_index = nf, .input_index = input++,
			.offset = off_src + 4 * i };
	for (i = 0; i < naddr; i++, nf++)
		d[nf] = (struct rte_acl_field_def){ .type = RTE_ACL_FIELD_TYPE_MASK,
			.size = 4, .field_index = nf, .input_index = input++,
			.offset = off_dst + 4 * i };
	/* sport and dport share the last group */
	d[nf] = (struct rte_acl_field_def){ .type = RTE_ACL_FIELD_TYPE_RANGE,
		.size = 2, .field_index = nf, .input_index = input, .offset = off_sport };
	nf++;
	d[nf] = (struct rte_acl_field_def){ .type = RTE_ACL_FIELD_TYPE_RANGE,
		.size = 2, .field_index = nf, .input_index = input, .offset = off_sport + 2 };
	nf++;
	cfg->num_fields = nf;
	cfg->num_categories = 1;
	cfg->max_size = 0;
	return nf;
}

/*
 * How many entries of a list apply to this family: count 0 means "any" (one
 * wildcard entry); a list with no prefix of the family means the rule does
 * not apply to the family at all (0).
 */
static uint32_t
list_width(const struct sk_img_prefix *p, uint32_t first, uint32_t count, uint8_t family)
{
	uint32_t i, n = 0;

	if (count == 0)
		return 1;
	for (i = 0; i < count; i++)
		if (p[first + i].family == family)
			n++;
	return n;
}

static uint64_t
rule_width(const struct sk_img_rule *r, const struct sk_img_prefix *pfx, uint8_t family)
{
	uint64_t w;

	if (r->family != 0 && r->family != family)
		return 0;
	w = list_width(pfx, r->src_first, r->src_count, family);
	w *= list_width(pfx, r->dst_first, r->dst_count, family);
	if (!sk_acl_proto_is_icmp(r->proto)) {
		w *= r->sport_count ? r->sport_count : 1;
		w *= r->dport_count ? r->dport_count : 1;
	}
	return w;
}

static void
set_range(struct rte_acl_field *f, uint16_t lo, uint16_t hi)
{
	f->value.u16 = lo;
	f->mask_range.u16 = hi;
}

static void
set_zone(struct rte_acl_field *f, uint16_t zone)
{
	if (zone == SK_ZONE_ANY)
		set_range(f, 0, UINT16_MAX);
	else
		set_range(f, zone, zone);
}

static void
set_icmp(struct rte_acl_field *f, uint16_t v)
{
	if (v == SK_ICMP_ANY)
		set_range(f, 0, UINT16_MAX);
	else
		set_range(f, v, v);
}

/* Address fields: nw 32-bit MASK fields, host-order words, prefix split per word. */
static void
set_addr(struct rte_acl_field *f, uint32_t nw, const struct sk_img_prefix *p)
{
	uint32_t i;

	for (i = 0; i < nw; i++) {
		uint32_t word, bits;
		int left = p == NULL ? 0 : (int)p->plen - 32 * (int)i;

		bits = left <= 0 ? 0 : left >= 32 ? 32 : (uint32_t)left;
		if (bits == 0) {
			f[i].value.u32 = 0;
		} else {
			memcpy(&word, &p->addr[4 * i], 4);
			word = rte_be_to_cpu_32(word);
			f[i].value.u32 = word & (uint32_t)(UINT64_C(0xffffffff) << (32 - bits));
		}
		f[i].mask_range.u32 = bits;
	}
}

struct expand_ctx {
	uint8_t *buf;        /* rules, stride bytes each */
	size_t stride;
	uint32_t n;
	uint8_t family;
	uint32_t naddr;      /* 32-bit words per address */
};

static struct rte_acl_field *
rule_fields(struct expand_ctx *x, uint32_t i)
{
	return (struct rte_acl_field *)(x->buf + i * x->stride +
					offsetof(struct rte_acl_rule, field));
}

static struct rte_acl_rule_data *
rule_data(struct expand_ctx *x, uint32_t i)
{
	return (struct rte_acl_rule_data *)(x->buf + i * x->stride);
}

/* Emit the cross product of one image rule into x. */
static void
expand_rule(struct expand_ctx *x, uint32_t idx, const struct sk_img_rule *r,
	    const struct sk_img_prefix *pfx, const struct sk_img_portrange *ports)
{
	uint32_t ns = r->src_count ? r->src_count : 1;
	uint32_t nd = r->dst_count ? r->dst_count : 1;
	int icmp = sk_acl_proto_is_icmp(r->proto);
	uint32_t nsp = !icmp && r->sport_count ? r->sport_count : 1;
	uint32_t ndp = !icmp && r->dport_count ? r->dport_count : 1;
	uint32_t s, d, sp, dp;

	for (s = 0; s < ns; s++) {
		const struct sk_img_prefix *sp_pfx = r->src_count ? &pfx[r->src_first + s] : NULL;

		if (sp_pfx != NULL && sp_pfx->family != x->family)
			continue;
		for (d = 0; d < nd; d++) {
			const struct sk_img_prefix *dp_pfx =
				r->dst_count ? &pfx[r->dst_first + d] : NULL;

			if (dp_pfx != NULL && dp_pfx->family != x->family)
				continue;
			for (sp = 0; sp < nsp; sp++) {
				for (dp = 0; dp < ndp; dp++) {
					struct rte_acl_rule_data *rd = rule_data(x, x->n);
					struct rte_acl_field *f = rule_fields(x, x->n);
					uint32_t fi = SK_ACL_F_SRC;

					rd->category_mask = 1;
					rd->priority = (int32_t)(RTE_ACL_MAX_PRIORITY - idx);
					rd->userdata = idx + 1;
					f[SK_ACL_F_PROTO].value.u8 = r->proto;
					f[SK_ACL_F_PROTO].mask_range.u8 =
						r->proto == SK_PROTO_ANY ? 0 : 0xff;
					set_zone(&f[SK_ACL_F_IN_ZONE], r->from_zone);
					set_zone(&f[SK_ACL_F_OUT_ZONE], r->to_zone);
					set_addr(&f[fi], x->naddr, sp_pfx);
					fi += x->naddr;
					set_addr(&f[fi], x->naddr, dp_pfx);
					fi += x->naddr;
					if (icmp) {
						set_icmp(&f[fi], r->icmp_type);
						set_icmp(&f[fi + 1], r->icmp_code);
					} else {
						const struct sk_img_portrange *a = r->sport_count ?
							&ports[r->sport_first + sp] : NULL;
						const struct sk_img_portrange *b = r->dport_count ?
							&ports[r->dport_first + dp] : NULL;

						set_range(&f[fi], a ? a->lo : 0, a ? a->hi : UINT16_MAX);
						set_range(&f[fi + 1], b ? b->lo : 0,
							  b ? b->hi : UINT16_MAX);
					}
					x->n++;
				}
			}
		}
	}
}

/*
 * Build the context of one family.  *out stays NULL when no rule applies
 * (not an error).  Returns 0 or -errno with err set.
 */
static int
build_family(const struct sk_image_hdr *img, const char *name, uint8_t family, int socket,
	     struct rte_acl_ctx **out, uint32_t *nrules, char *err, size_t errlen)
{
	uint32_t nr, np, nport, i;
	const struct sk_img_rule *rules = sk_image_sec(img, SK_SEC_RULES, &nr);
	const struct sk_img_prefix *pfx = sk_image_sec(img, SK_SEC_PREFIXES, &np);
	const struct sk_img_portrange *ports = sk_image_sec(img, SK_SEC_PORTS, &nport);
	struct rte_acl_config cfg;
	struct rte_acl_param prm;
	struct expand_ctx x;
	struct rte_acl_ctx *ctx;
	char ctx_name[RTE_ACL_NAMESIZE];
	uint64_t total = 0;
	int rc;

	*out = NULL;
	*nrules = 0;
	for (i = 0; i < nr; i++) {
		const struct sk_img_rule *r = &rules[i];

		if (sk_acl_proto_is_icmp(r->proto) && (r->sport_count || r->dport_count)) {
			(void)sk_err_set(err, errlen, 0, "rule %u '%s' (line %u): port list on an ICMP rule",
				i, r->name, r->line);
			return -EINVAL;
		}
		total += rule_width(r, pfx, family);
		if (total > SK_ACL_MAX_EXPANDED) {
			(void)sk_err_set(err, errlen, 0,
				"rule %u '%s' (line %u): IPv%u rule set expands to more than %u "
				"classifier rules (src x dst x sport x dport per rule); "
				"use fewer or wider list entries",
				i, r->name, r->line, family, SK_ACL_MAX_EXPANDED);
			return -E2BIG;
		}
	}
	if (total == 0)
		return 0;

	memset(&cfg, 0, sizeof(cfg));
	fill_defs(&cfg, family);
	x.family = family;
	x.naddr = family == 4 ? 1 : 4;
	x.stride = RTE_ACL_RULE_SZ(cfg.num_fields);
	x.n = 0;
	x.buf = calloc(total, x.stride);
	if (x.buf == NULL) {
		(void)sk_err_set(err, errlen, 0, "out of memory for %" PRIu64 " IPv%u rules", total, family);
		return -ENOMEM;
	}
	for (i = 0; i < nr; i++)
		if (rule_width(&rules[i], pfx, family) != 0)
			expand_rule(&x, i, &rules[i], pfx, ports);

	snprintf(ctx_name, sizeof(ctx_name), "%s_%u", name, family);
	prm = (struct rte_acl_param){ .name = ctx_name, .socket_id = socket,
		.rule_size = (uint32_t)x.stride, .max_rule_num = x.n };
	ctx = rte_acl_create(&prm);
	if (ctx == NULL) {
		rc = -(rte_errno ? rte_errno : ENOMEM);
		(void)sk_err_set(err, errlen, 0, "rte_acl_create %s: %s", ctx_name, rte_strerror(-rc));
		goto out;
	}
	rc = rte_acl_add_rules(ctx, (const struct rte_acl_rule *)x.buf, x.n);
	if (rc != 0) {
		(void)sk_err_set(err, errlen, 0, "rte_acl_add_rules %s: %s", ctx_name, rte_strerror(-rc));
		rte_acl_free(ctx);
		goto out;
	}
	rc = rte_acl_build(ctx, &cfg);
	if (rc != 0) {
		(void)sk_err_set(err, errlen, 0, "rte_acl_build %s (%u rules): %s", ctx_name, x.n,
			rte_strerror(-rc));
		rte_acl_free(ctx);
		goto out;
	}
	/* The rules are compiled into the runtime tries; the copy is not needed. */
	rte_acl_reset_rules(ctx);
	*out = ctx;
	*nrules = x.n;
out:
	free(x.buf);
	return rc;
}

struct sk_acl *
sk_acl_build(const struct sk_image_hdr *img, const char *name, int socket,
	     char *err, size_t errlen)
{
	char probe[RTE_ACL_NAMESIZE];
	struct sk_acl *acl;
	int rc;

	if (img == NULL || name == NULL || strlen(name) + 3 > RTE_ACL_NAMESIZE - 1) {
		(void)sk_err_set(err, errlen, 0, "acl: bad arguments or name too long (max %d)",
			RTE_ACL_NAMESIZE - 4);
		rte_errno = EINVAL;
		return NULL;
	}
	/* rte_acl_create returns an existing context of the same name;
	 * refuse rather than share (and later free) another generation's. */
	snprintf(probe, sizeof(probe), "%s_4", name);
	if (rte_acl_find_existing(probe) != NULL) {
		(void)sk_err_set(err, errlen, 0, "acl: classifier '%s' already exists", name);
		rte_errno = EEXIST;
		return NULL;
	}
	snprintf(probe, sizeof(probe), "%s_6", name);
	if (rte_acl_find_existing(probe) != NULL) {
		(void)sk_err_set(err, errlen, 0, "acl: classifier '%s' already exists", name);
		rte_errno = EEXIST;
		return NULL;
	}
	acl = rte_zmalloc_socket("sk_acl", sizeof(*acl), 0, socket);
	if (acl == NULL) {
		(void)sk_err_set(err, errlen, 0, "acl: out of memory");
		rte_errno = ENOMEM;
		return NULL;
	}
	rc = build_family(img, name, 4, socket, &acl->ctx4, &acl->rules4, err, errlen);
	if (rc == 0)
		rc = build_family(img, name, 6, socket, &acl->ctx6, &acl->rules6, err, errlen);
	if (rc != 0) {
		sk_acl_free(acl);
		rte_errno = -rc;
		return NULL;
	}
	return acl;
}

void
sk_acl_free(struct sk_acl *acl)
{
	if (acl == NULL)
		return;
	rte_acl_free(acl->ctx4);
	rte_acl_free(acl->ctx6);
	rte_free(acl);
}

void
sk_acl_stats(const struct sk_acl *acl, uint32_t *rules4, uint32_t *rules6)
{
	if (rules4 != NULL)
		*rules4 = acl != NULL ? acl->rules4 : 0;
	if (rules6 != NULL)
		*rules6 = acl != NULL ? acl->rules6 : 0;
}
