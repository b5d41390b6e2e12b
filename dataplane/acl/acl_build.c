/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_build.c - compile the image's rules into rte_acl contexts: one per
 * family (IPv4, IPv6), or for a large family several, each from a
 * contiguous slice of its rules, built in parallel (acl_par.c).  Runs on the
 * main lcore or in an offline tool, never per packet.
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
 * Check a family's rules and count what they expand to (0: no rule applies
 * to the family, not an error).  Returns 0 or -errno with err set.
 */
static int
fam_count(const struct sk_image_hdr *img, uint8_t family, uint32_t *total_out,
	  char *err, size_t errlen)
{
	uint32_t nr, np, i;
	const struct sk_img_rule *rules = sk_image_sec(img, SK_SEC_RULES, &nr);
	const struct sk_img_prefix *pfx = sk_image_sec(img, SK_SEC_PREFIXES, &np);
	uint64_t total = 0;

	*total_out = 0;
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
	*total_out = (uint32_t)total;
	return 0;
}

/* "<name>_4" for the first part, "<name>_4<p>" for the others. */
static void
ctx_name_of(char *buf, size_t len, const char *name, uint8_t family, uint32_t part)
{
	if (part == 0)
		snprintf(buf, len, "%s_%u", name, family);
	else
		snprintf(buf, len, "%s_%u%u", name, family, part);
}

/*
 * Expand a family's rules (total of them, counted by fam_count) and load
 * them into fam->nparts contexts, part p taking the p-th contiguous slice in
 * rule order.  The contexts are created here, serially, and recorded in fam
 * as they are, so that sk_acl_free releases them on any later failure; they
 * are built by the caller.  Returns 0 or -errno with err set.
 */
static int
fam_load(const struct sk_image_hdr *img, const char *name, uint8_t family, int socket,
	 uint32_t total, uint32_t nparts, struct rte_acl_config *cfg,
	 struct sk_acl_fam *fam, char *err, size_t errlen)
{
	uint32_t nr, np, nport, i, p;
	const struct sk_img_rule *rules = sk_image_sec(img, SK_SEC_RULES, &nr);
	const struct sk_img_prefix *pfx = sk_image_sec(img, SK_SEC_PREFIXES, &np);
	const struct sk_img_portrange *ports = sk_image_sec(img, SK_SEC_PORTS, &nport);
	struct expand_ctx x;
	int rc = 0;

	memset(cfg, 0, sizeof(*cfg));
	fill_defs(cfg, family);
	x.family = family;
	x.naddr = family == 4 ? 1 : 4;
	x.stride = RTE_ACL_RULE_SZ(cfg->num_fields);
	x.n = 0;
	x.buf = calloc(total, x.stride);
	if (x.buf == NULL) {
		(void)sk_err_set(err, errlen, 0, "out of memory for %u IPv%u rules", total, family);
		return -ENOMEM;
	}
	for (i = 0; i < nr; i++)
		if (rule_width(&rules[i], pfx, family) != 0)
			expand_rule(&x, i, &rules[i], pfx, ports);

	for (p = 0; p < nparts; p++) {
		/* Even slices; one image rule may straddle two parts, which is
		 * harmless: both halves carry the same userdata. */
		uint32_t lo = (uint32_t)((uint64_t)x.n * p / nparts);
		uint32_t hi = (uint32_t)((uint64_t)x.n * (p + 1) / nparts);
		char ctx_name[RTE_ACL_NAMESIZE];
		struct rte_acl_param prm;
		struct rte_acl_ctx *ctx;

		ctx_name_of(ctx_name, sizeof(ctx_name), name, family, p);
		/* rte_acl_create hands back an existing context of the same
		 * name: never share (and later free) another classifier's. */
		if (rte_acl_find_existing(ctx_name) != NULL) {
			(void)sk_err_set(err, errlen, 0, "acl: context '%s' already exists", ctx_name);
			rc = -EEXIST;
			break;
		}
		prm = (struct rte_acl_param){ .name = ctx_name, .socket_id = socket,
			.rule_size = (uint32_t)x.stride, .max_rule_num = hi - lo };
		ctx = rte_acl_create(&prm);
		if (ctx == NULL) {
			rc = -(rte_errno ? rte_errno : ENOMEM);
			(void)sk_err_set(err, errlen, 0, "rte_acl_create %s: %s", ctx_name,
				rte_strerror(-rc));
			break;
		}
		fam->ctx[p] = ctx;
		fam->part_rules[p] = hi - lo;
		fam->nparts = p + 1;
		rc = rte_acl_add_rules(ctx, (const struct rte_acl_rule *)(x.buf + lo * x.stride),
				       hi - lo);
		if (rc != 0) {
			(void)sk_err_set(err, errlen, 0, "rte_acl_add_rules %s: %s", ctx_name,
				rte_strerror(-rc));
			break;
		}
	}
	if (rc == 0)
		fam->rules = x.n;
	/* rte_acl_add_rules copied the rules into the contexts. */
	free(x.buf);
	return rc;
}

/* Parts for a family of n expanded rules when the build may use cpus CPUs. */
static uint32_t
fam_parts(uint32_t n, uint32_t cpus, const struct sk_acl_build_opts *o)
{
	uint32_t want;

	if (n == 0)
		return 0;
	if (n <= o->split_min || cpus <= 1)
		return 1;
	want = (uint32_t)(((uint64_t)n + o->split_min - 1) / o->split_min);
	want = RTE_MIN(want, cpus);
	want = RTE_MIN(want, o->max_parts);
	return RTE_MAX(want, 1u);
}

void
sk_acl_build_opts_default(struct sk_acl_build_opts *o)
{
	*o = (struct sk_acl_build_opts){ .split_min = SK_ACL_SPLIT_MIN,
		.max_parts = SK_ACL_MAX_PARTS, .par_min = SK_ACL_PAR_MIN, .cpus = 0,
		.fail_ctx = -1 };
}

/* Build every loaded context (in parallel where it pays); 0 or -errno. */
static int
build_all(struct sk_acl *acl, const char *name, const struct rte_acl_config cfg[2],
	  uint32_t threads, const struct sk_acl_build_opts *o, char *err, size_t errlen)
{
	struct sk_acl_job jobs[2 * SK_ACL_MAX_PARTS], t;
	struct sk_acl_fam *fams[2] = { &acl->f4, &acl->f6 };
	static const uint8_t family[2] = { 4, 6 };
	uint32_t f, p, n = 0, i, j;

	for (f = 0; f < 2; f++)
		for (p = 0; p < fams[f]->nparts; p++) {
			jobs[n] = (struct sk_acl_job){ .ctx = fams[f]->ctx[p], .cfg = &cfg[f],
				.rules = fams[f]->part_rules[p], .nparts = fams[f]->nparts,
				.part = p,
				/* 64 bytes: no trie fits, rte_acl_build fails
				 * with ERANGE (the test's failing part) */
				.max_size = o->fail_ctx == (int32_t)n ? 64 : 0 };
			ctx_name_of(jobs[n].name, sizeof(jobs[n].name), name, family[f], p);
			n++;
		}
	if (n == 0)
		return 0;
	/* Largest first, so that the last job to start is a small one. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && jobs[j].rules > jobs[j - 1].rules; j--) {
			t = jobs[j];
			jobs[j] = jobs[j - 1];
			jobs[j - 1] = t;
		}
	acl->threads = sk_acl_par_build(jobs, n, threads);
	/* Every job has finished; report the first failure, the caller frees
	 * every context (built or not). */
	for (i = 0; i < n; i++)
		if (jobs[i].rc != 0) {
			(void)sk_err_set(err, errlen, 0,
				"rte_acl_build %s (%u rules, part %u of %u): %s", jobs[i].name,
				jobs[i].rules, jobs[i].part + 1, jobs[i].nparts,
				rte_strerror(-jobs[i].rc));
			return jobs[i].rc;
		}
	/* The rules are compiled into the runtime tries; the copies are not needed. */
	for (i = 0; i < n; i++)
		rte_acl_reset_rules(jobs[i].ctx);
	return 0;
}

struct sk_acl *
sk_acl_build_opts(const struct sk_image_hdr *img, const char *name, int socket,
		  const struct sk_acl_build_opts *o, char *err, size_t errlen)
{
	struct rte_acl_config cfg[2];
	char probe[RTE_ACL_NAMESIZE];
	uint32_t total4 = 0, total6 = 0, cpus = 1, threads;
	struct sk_acl *acl;
	int rc;

	if (img == NULL || name == NULL || o == NULL ||
	    strlen(name) + 3 > RTE_ACL_NAMESIZE - 1 || o->split_min == 0 ||
	    o->max_parts == 0 || o->max_parts > SK_ACL_MAX_PARTS) {
		(void)sk_err_set(err, errlen, 0, "acl: bad arguments or name too long (max %d)",
			RTE_ACL_NAMESIZE - 4);
		rte_errno = EINVAL;
		return NULL;
	}
	/* rte_acl_create returns an existing context of the same name;
	 * refuse rather than share (and later free) another generation's.
	 * (fam_load checks every part's name again.) */
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
	rc = fam_count(img, 4, &total4, err, errlen);
	if (rc == 0)
		rc = fam_count(img, 6, &total6, err, errlen);
	if (rc != 0) {
		rte_errno = -rc;
		return NULL;
	}
	/* Threads only when there are two big contexts to build (a family to
	 * split, or two families of par_min rules or more; a tiny second job
	 * saves nothing), and only as many as there are CPUs outside the
	 * workers' (control cpuset + caller). */
	if (total4 > o->split_min || total6 > o->split_min ||
	    (total4 >= o->par_min && total6 >= o->par_min))
		cpus = o->cpus != 0 ? o->cpus : sk_acl_par_cpus();
	threads = RTE_MIN(cpus, (uint32_t)SK_ACL_MAX_PARTS);

	acl = rte_zmalloc_socket("sk_acl", sizeof(*acl), 0, socket);
	if (acl == NULL) {
		(void)sk_err_set(err, errlen, 0, "acl: out of memory");
		rte_errno = ENOMEM;
		return NULL;
	}
	acl->threads = 1;
	rc = 0;
	if (total4 != 0)
		rc = fam_load(img, name, 4, socket, total4, fam_parts(total4, threads, o),
			      &cfg[0], &acl->f4, err, errlen);
	if (rc == 0 && total6 != 0)
		rc = fam_load(img, name, 6, socket, total6, fam_parts(total6, threads, o),
			      &cfg[1], &acl->f6, err, errlen);
	if (rc == 0)
		rc = build_all(acl, name, cfg, threads, o, err, errlen);
	if (rc != 0) {
		sk_acl_free(acl);
		rte_errno = -rc;
		return NULL;
	}
	return acl;
}

struct sk_acl *
sk_acl_build(const struct sk_image_hdr *img, const char *name, int socket,
	     char *err, size_t errlen)
{
	struct sk_acl_build_opts o;

	sk_acl_build_opts_default(&o);
	return sk_acl_build_opts(img, name, socket, &o, err, errlen);
}

void
sk_acl_free(struct sk_acl *acl)
{
	uint32_t p;

	if (acl == NULL)
		return;
	for (p = 0; p < acl->f4.nparts; p++)
		rte_acl_free(acl->f4.ctx[p]);
	for (p = 0; p < acl->f6.nparts; p++)
		rte_acl_free(acl->f6.ctx[p]);
	rte_free(acl);
}

void
sk_acl_stats(const struct sk_acl *acl, uint32_t *rules4, uint32_t *rules6)
{
	if (rules4 != NULL)
		*rules4 = acl != NULL ? acl->f4.rules : 0;
	if (rules6 != NULL)
		*rules6 = acl != NULL ? acl->f6.rules : 0;
}

void
sk_acl_layout(const struct sk_acl *acl, uint32_t *parts4, uint32_t *parts6, uint32_t *threads)
{
	if (parts4 != NULL)
		*parts4 = acl != NULL ? acl->f4.nparts : 0;
	if (parts6 != NULL)
		*parts6 = acl != NULL ? acl->f6.nparts : 0;
	if (threads != NULL)
		*threads = acl != NULL ? acl->threads : 0;
}
