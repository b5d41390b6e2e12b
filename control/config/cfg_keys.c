/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cfg_keys.c - the declarative key tables at work: walking a group against
 * its table (unknown keys, wrong types, missing required keys), the generic
 * setters, and the key reference printed by `sekisho-cp --keys`.
 *
 * Unknown keys are errors, never warnings: a misspelt key silently ignored is
 * how a firewall ends up allowing everything.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_priv.h"

void *
sk_cfg_vec_push(struct sk_cfg_vec *v)
{
	void *e;

	if (v->n == v->cap) {
		uint32_t cap = v->cap ? v->cap * 2 : 8;
		void *p = realloc(v->data, (size_t)cap * v->size);

		if (p == NULL)
			return NULL;
		v->data = p;
		v->cap = cap;
	}
	e = sk_cfg_vec_at(v, v->n++);
	memset(e, 0, v->size);
	return e;
}

void
sk_cfg_vec_free(struct sk_cfg_vec *v)
{
	free(v->data);
	v->data = NULL;
	v->n = v->cap = 0;
}

int
sk_cfg_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= SK_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.'))
			return 0;
	}
	return 1;
}

static const char *
kind_of(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a float";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_GROUP:
		return "a group";
	default:
		return "a list";
	}
}

static unsigned int
kind_mask(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return SK_CFG_T_INT;
	case CONFIG_TYPE_STRING:
		return SK_CFG_T_STR;
	case CONFIG_TYPE_BOOL:
		return SK_CFG_T_BOOL;
	case CONFIG_TYPE_GROUP:
		return SK_CFG_T_GROUP;
	case CONFIG_TYPE_LIST:
	case CONFIG_TYPE_ARRAY:
		return SK_CFG_T_LIST;
	default:
		return 0;
	}
}

static void
types_desc(unsigned int types, char *buf, size_t len)
{
	static const struct { unsigned int t; const char *s; } names[] = {
		{ SK_CFG_T_INT, "an integer" }, { SK_CFG_T_BOOL, "true or false" },
		{ SK_CFG_T_STR, "a string" }, { SK_CFG_T_GROUP, "a group { ... }" },
		{ SK_CFG_T_LIST, "a list [ ... ]" },
	};
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(types & names[i].t))
			continue;
		o += snprintf(buf + o, o < len ? len - o : 0, "%s%s", o ? " or " : "",
			      names[i].s);
	}
}

/* Edit distance, to suggest the key that was probably meant. */
static unsigned int
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	unsigned int row[64], prev, tmp;

	if (la >= 64 || lb >= 64)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = (unsigned int)j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = (unsigned int)i;
		for (j = 1; j <= lb; j++) {
			unsigned int best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

void
sk_cfg_walk(struct sk_cfg_ctx *c, const config_setting_t *g, const struct sk_cfg_key *keys,
	    size_t nkeys, void *obj, const config_setting_t **found)
{
	const config_setting_t *seen[SK_CFG_MAX_KEYS] = { NULL };
	char want[96];
	int i, n;
	size_t j;

	if (found != NULL)
		memset(found, 0, nkeys * sizeof(*found));
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		sk_cfg_err(c, g, "%s must be a group { ... }, not %s", c->where, kind_of(g));
		return;
	}
	n = config_setting_length(g);
	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned int)i);
		const char *name = config_setting_name(s);
		const char *hint = NULL;

		for (j = 0; j < nkeys; j++)
			if (strcmp(keys[j].name, name) == 0)
				break;
		if (j == nkeys) {
			unsigned int best = 3;
			size_t h;

			for (h = 0; h < nkeys; h++) {
				unsigned int d = edit_distance(name, keys[h].name);

				if (d < best && d < strlen(keys[h].name)) {
					best = d;
					hint = keys[h].name;
				}
			}
			if (hint != NULL)
				sk_cfg_err(c, s, "%s: unknown key '%s' (did you mean '%s'?)",
					   c->where, name, hint);
			else
				sk_cfg_err(c, s, "%s: unknown key '%s'", c->where, name);
			continue;
		}
		if (!(kind_mask(s) & keys[j].types)) {
			types_desc(keys[j].types, want, sizeof(want));
			sk_cfg_err(c, s, "%s: %s must be %s, not %s", c->where, name, want,
				   kind_of(s));
			continue;
		}
		seen[j] = s;
		if (keys[j].set != NULL)
			keys[j].set(c, s, obj, &keys[j]);
	}
	for (j = 0; j < nkeys; j++)
		if ((keys[j].flags & SK_CFG_F_REQUIRED) && seen[j] == NULL)
			sk_cfg_err(c, g, "%s: missing required key '%s'", c->where, keys[j].name);
	if (found != NULL)
		memcpy(found, seen, nkeys * sizeof(*found));
}

void
sk_cfg_set_uint(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
		const struct sk_cfg_key *k)
{
	long long v = config_setting_get_int64(s);
	uint8_t *p = (uint8_t *)obj + k->off;

	if (v < k->min || v > k->max) {
		sk_cfg_err(c, s, "%s: %s = %lld is out of range %lld..%lld", c->where, k->name,
			   v, (long long)k->min, (long long)k->max);
		return;
	}
	switch (k->size) {
	case 1:
		*p = (uint8_t)v;
		break;
	case 2:
		*(uint16_t *)(void *)p = (uint16_t)v;
		break;
	case 4:
		*(uint32_t *)(void *)p = (uint32_t)v;
		break;
	default:
		*(uint64_t *)(void *)p = (uint64_t)v;
		break;
	}
}

int
sk_cfg_choice(struct sk_cfg_ctx *c, const config_setting_t *s, const char *what,
	      const char *const *names, uint8_t n, const char *want, uint8_t *out)
{
	const char *v = config_setting_get_string(s);
	uint8_t i;

	for (i = 0; v != NULL && i < n; i++)
		if (strcmp(v, names[i]) == 0) {
			*out = i;
			return 0;
		}
	sk_cfg_err(c, s, "%s: %s \"%s\" must be %s", c->where, what, v ? v : "", want);
	return -1;
}

void
sk_cfg_set_bool(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
		const struct sk_cfg_key *k)
{
	(void)c;
	*((uint8_t *)obj + k->off) = config_setting_get_bool(s) ? 1 : 0;
}

void
sk_cfg_set_str(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
	       const struct sk_cfg_key *k)
{
	const char *v = config_setting_get_string(s);
	char *dst = (char *)obj + k->off;

	if (strlen(v) >= k->size) {
		sk_cfg_err(c, s, "%s: %s is too long (at most %zu characters)", c->where, k->name,
			   k->size - 1);
		return;
	}
	strcpy(dst, v);
}

void
sk_cfg_set_name(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
		const struct sk_cfg_key *k)
{
	const char *v = config_setting_get_string(s);

	if (!sk_cfg_name_ok(v)) {
		sk_cfg_err(c, s, "%s: bad name \"%s\" (1-%d of A-Z a-z 0-9 _ . -)", c->where, v,
			   SK_NAME_MAX - 1);
		return;
	}
	sk_cfg_set_str(c, s, obj, k);
}

int
sk_cfg_is_list(struct sk_cfg_ctx *c, const config_setting_t *s, const char *key)
{
	if (config_setting_is_aggregate(s) && config_setting_type(s) != CONFIG_TYPE_GROUP)
		return 1;
	sk_cfg_err(c, s, "%s: %s must be a list [ ... ], not %s", c->where, key, kind_of(s));
	return 0;
}

int
sk_cfg_key_at(size_t i, const char **group, const char **key)
{
	size_t g;

	for (g = 0; g < sk_cfg_ngroups; g++) {
		if (i < *sk_cfg_groups[g].nkeys) {
			*group = sk_cfg_groups[g].name;
			*key = sk_cfg_groups[g].keys[i].name;
			return 0;
		}
		i -= *sk_cfg_groups[g].nkeys;
	}
	return -ENOENT;
}

void
sk_cfg_keys_print(FILE *out)
{
	char want[96], range[64];
	size_t g, i;

	for (g = 0; g < sk_cfg_ngroups; g++) {
		const struct sk_cfg_group *gr = &sk_cfg_groups[g];

		fprintf(out, "%s\n", gr->name);
		for (i = 0; i < *gr->nkeys; i++) {
			const struct sk_cfg_key *k = &gr->keys[i];

			types_desc(k->types, want, sizeof(want));
			range[0] = '\0';
			if ((k->types & SK_CFG_T_INT) && k->max > k->min)
				snprintf(range, sizeof(range), " %lld..%lld", (long long)k->min,
					 (long long)k->max);
			fprintf(out, "  %-18s %s%s; %s%s; %s; %s\n", k->name, want, range,
				(k->flags & SK_CFG_F_REQUIRED) ? "required" : "default ",
				(k->flags & SK_CFG_F_REQUIRED) ? "" : (k->def ? k->def : "none"),
				(k->flags & SK_CFG_F_RESTART) ? "restart" : "live",
				k->help ? k->help : "");
		}
	}
}
