/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * verify_expo.c - exposure: for every (from zone, to zone or local) pair,
 * the exact set of keys for which a new connection is accepted, in
 * first-match order: each rule takes what is left of the pair's space
 * (accept rules add their part, drop/reject rules only remove theirs), and
 * the zone pair's default decides the remainder.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sk_image_api.h"
#include "verify.h"
#include "verify_priv.h"

static int
pair_space(const struct sk_vmodel *m, uint8_t f, uint16_t from, uint16_t to,
	   struct sk_vspace *rem)
{
	struct sk_vspace u = { 0 };
	struct sk_vbox pb = { 0 };
	int rc;

	rc = sk_vmodel_universe(m, f, &u);
	if (rc == 0)
		rc = sk_vbox_full(&pb, f);
	if (rc == 0) {
		pb.d[SK_VD_IN].n = 0;
		pb.d[SK_VD_OUT].n = 0;
		rc = sk_vset_add(&pb.d[SK_VD_IN], from, from);
	}
	if (rc == 0)
		rc = sk_vset_add(&pb.d[SK_VD_OUT], to, to);
	/* Martian sources never reach policy (pkt_parse.c); they are left in the
	 * source sets so that those read "any" rather than "any but 127/8...". */
	if (rc == 0)
		rc = sk_vmodel_dst_reach(m, f, to, &pb.d[SK_VD_DST]);
	if (rc == 0)
		rc = sk_vspace_inter_into(rem, &u, &pb, 0);
	sk_vspace_free(&u);
	sk_vbox_free(&pb);
	return rc;
}

int
sk_vexpo_pair(const struct sk_vmodel *m, uint8_t f, uint16_t from, uint16_t to,
	      struct sk_vspace *acc)
{
	struct sk_vspace rem = { 0 };
	struct sk_vbox rb = { 0 };
	uint32_t i, k;
	int rc;

	rc = pair_space(m, f, from, to, &rem);
	for (i = 0; rc == 0 && i < m->n_rules && rem.n != 0; i++) {
		rc = sk_vmodel_rule_box(m, i, f, &rb);
		if (rc != 0 || sk_vbox_empty(&rb))
			continue;
		if (m->rules[i].action == SK_ACT_ACCEPT)
			rc = sk_vspace_inter_into(acc, &rem, &rb, i + 1);
		if (rc == 0)
			rc = sk_vspace_sub(&rem, &rb, SK_VERIFY_BOX_CAP);
	}
	if (rc == 0 && m->defaults[from][to] == SK_ACT_ACCEPT) {
		for (k = 0; rc == 0 && k < rem.n; k++) {
			rem.b[k].tag = 0;
			rc = sk_vspace_add(acc, &rem.b[k]);
		}
	}
	if (rc == 0)
		rc = sk_vspace_coalesce(acc);
	sk_vbox_free(&rb);
	sk_vspace_free(&rem);
	return rc;
}

static int
set_within(const struct sk_vset *s, uint32_t lo, uint32_t hi)
{
	return s->n != 0 && s->r[0].lo >= lo && s->r[s->n - 1].hi <= hi;
}

json_t *
sk_vexpo_box_json(const struct sk_vmodel *m, uint8_t f, const struct sk_vbox *b)
{
	const struct sk_vset *pr = &b->d[SK_VD_PROTO];
	uint8_t icmp = f == 4 ? 1 : 58;
	json_t *j = json_object();
	int ports = 1;
	uint32_t i;

	/* The universe splits protocols into TCP/UDP (ports), the family's
	 * ICMP (type/code) and the rest (no ports), so one box never mixes. */
	for (i = 0; i < pr->n; i++)
		if (pr->r[i].lo != pr->r[i].hi || (pr->r[i].lo != 6 && pr->r[i].lo != 17))
			ports = 0;
	json_object_set_new(j, "family", json_integer(f));
	json_object_set_new(j, "by", json_string(b->tag ? "rule" : "default"));
	json_object_set_new(j, "rule", b->tag ? sk_verify_fmt_rule(m, b->tag - 1) : json_null());
	json_object_set_new(j, "proto", sk_verify_fmt_protos(pr));
	json_object_set_new(j, "src", sk_verify_fmt_addrs(f, &b->d[SK_VD_SRC]));
	json_object_set_new(j, "dst", sk_verify_fmt_addrs(f, &b->d[SK_VD_DST]));
	if (ports) {
		json_object_set_new(j, "sport", sk_verify_fmt_ranges(&b->d[SK_VD_K1], 65535));
		json_object_set_new(j, "dport", sk_verify_fmt_ranges(&b->d[SK_VD_K2], 65535));
	} else if (set_within(pr, icmp, icmp)) {
		json_object_set_new(j, "icmp_type", sk_verify_fmt_ranges(&b->d[SK_VD_K1], 255));
		json_object_set_new(j, "icmp_code", sk_verify_fmt_ranges(&b->d[SK_VD_K2], 255));
	}
	return j;
}

json_t *
sk_verify_exposure(const struct sk_image_hdr *img, char *err, size_t errlen)
{
	struct sk_vmodel m;
	json_t *doc, *pairs, *untrusted;
	uint16_t from, to;
	uint8_t f;
	uint32_t k;

	sk_vmodel_init(&m, img);
	doc = json_object();
	pairs = json_array();
	untrusted = json_array();
	if (doc == NULL || pairs == NULL || untrusted == NULL)
		goto nomem;
	for (from = 1; from <= m.n_zones; from++)
		if (m.untrusted[from])
			json_array_append_new(untrusted,
					      json_string(sk_vmodel_zone_name(&m, from)));
	json_object_set_new(doc, "generation", json_integer((json_int_t)img->generation));
	json_object_set_new(doc, "untrusted_zones", untrusted);
	untrusted = NULL;
	for (from = 1; from <= m.n_zones; from++) {
		for (to = 0; to <= m.n_zones; to++) {
			json_t *p = json_object(), *acc = json_array();
			int complete = 1;

			json_object_set_new(p, "from", json_string(sk_vmodel_zone_name(&m, from)));
			json_object_set_new(p, "to", json_string(sk_vmodel_zone_name(&m, to)));
			json_object_set_new(p, "untrusted_from", json_boolean(m.untrusted[from]));
			json_object_set_new(p, "default", json_string(
				sk_verify_action_name(m.defaults[from][to])));
			json_object_set_new(p, "default_explicit",
					    json_boolean(m.explicit_def[from][to]));
			for (f = 4; f <= 6; f += 2) {
				struct sk_vspace s = { 0 };
				int rc = sk_vexpo_pair(&m, f, from, to, &s);

				if (rc == -ENOMEM) {
					sk_vspace_free(&s);
					json_decref(p);
					json_decref(acc);
					goto nomem;
				}
				if (rc != 0)
					complete = 0;
				for (k = 0; rc == 0 && k < s.n; k++)
					json_array_append_new(acc, sk_vexpo_box_json(&m, f, &s.b[k]));
				sk_vspace_free(&s);
			}
			json_object_set_new(p, "complete", json_boolean(complete));
			json_object_set_new(p, "accepted", acc);
			json_array_append_new(pairs, p);
		}
	}
	json_object_set_new(doc, "pairs", pairs);
	return doc;
nomem:
	snprintf(err, errlen, "out of memory");
	json_decref(doc);
	json_decref(pairs);
	json_decref(untrusted);
	return NULL;
}
