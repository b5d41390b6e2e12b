/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cfg_priv.h - internals of the config pipeline: the model, the declarative
 * key tables (one per group, nginx-style) and the helpers the group parsers
 * share.  Not for use outside control/config.
 */
#ifndef SK_CFG_PRIV_H
#define SK_CFG_PRIV_H

#include <stdint.h>
#include <libconfig.h>

#include "cfg.h"
#include "sk_image.h"

/* A growable array of fixed-size records. */
struct sk_cfg_vec {
	void *data;
	uint32_t n, cap;
	size_t size;
};

static inline void *
sk_cfg_vec_at(const struct sk_cfg_vec *v, uint32_t i)
{
	return (uint8_t *)v->data + (size_t)i * v->size;
}

/* Append a zeroed record; NULL when out of memory. */
void *sk_cfg_vec_push(struct sk_cfg_vec *v);
void sk_cfg_vec_free(struct sk_cfg_vec *v);

/*
 * The validated model.  Records are already in image form so serialising is
 * a copy; the line vectors run parallel to the records and exist only so
 * later cross-checks can point at the right place in the file.
 */
struct sk_cfg {
	char source[128];
	struct sk_img_settings settings;
	struct sk_cfg_vec zones;      /* struct sk_img_zone, id = index + 1 */
	struct sk_cfg_vec ifaces;     /* struct sk_img_iface */
	struct sk_cfg_vec addrs;      /* struct sk_img_prefix, host bits kept */
	struct sk_cfg_vec addr_lines; /* uint32_t */
	struct sk_cfg_vec routes;     /* struct sk_img_route: connected, then static */
	struct sk_cfg_vec neighs;     /* struct sk_img_neigh */
	struct sk_cfg_vec rules;      /* struct sk_img_rule */
	struct sk_cfg_vec prefixes;   /* struct sk_img_prefix */
	struct sk_cfg_vec ports;      /* struct sk_img_portrange */
	struct sk_cfg_vec zonepols;   /* struct sk_img_zonepol */
	struct sk_cfg_vec services;   /* struct sk_img_service */
	struct sk_cfg_vec backends;   /* struct sk_img_backend, grouped per service */
	struct sk_cfg_vec snats;      /* struct sk_img_prefix, grouped per service */
	struct sk_cfg_vec ha;         /* struct sk_img_ha: 0 (standalone) or 1 */
	struct sk_cfg_vec addr_ha;    /* struct sk_img_addr_ha: 0, or parallel to addrs */
	uint32_t nconnected;
	struct sk_cfg_mgmt mgmt;      /* control plane only, never in the image */
	/* HA: each unit's management settings, mgmt with ha.units[N].management_listen
	 * as its listen where set (sk_cfg_mgmt_unit) */
	struct sk_cfg_mgmt mgmt_unit[2];
	char unit_listen[2][64];      /* "" where the unit has none */
	struct sk_cfg_logging logging; /* control plane only, not in the image */
};

struct sk_cfg_ctx {
	struct sk_cfg *cfg;
	struct sk_cfg_diag *diag;
	const char *name;   /* file name for settings libconfig has none for */
	char where[96];     /* "dataplane", "interface 'outside'", ... */
	int errors;
	int oom;
	int has_ha;         /* the root has an `ha` group (known before any group is parsed) */
	const config_setting_t *unit_listen_set[2]; /* ha.units[N].management_listen */
};

/* Report an error at setting s (NULL: no line). */
void sk_cfg_err(struct sk_cfg_ctx *c, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sort by (file, line, report order); called once a load is finished. */
void sk_cfg_diag_sort(struct sk_cfg_diag *d);
void sk_cfg_diag_add(struct sk_cfg_diag *d, const char *file, unsigned int line,
		     const char *msg);

/* Accepted libconfig kinds, as a mask (a key may accept several). */
#define SK_CFG_T_INT   0x01u
#define SK_CFG_T_BOOL  0x02u
#define SK_CFG_T_STR   0x04u
#define SK_CFG_T_GROUP 0x08u
#define SK_CFG_T_LIST  0x10u /* a list ( ) or an array [ ] */

#define SK_CFG_F_REQUIRED 0x01u
#define SK_CFG_F_RESTART  0x02u /* a change needs a dataplane restart */

struct sk_cfg_key;
/* Store setting s into obj; report problems with sk_cfg_err. */
typedef void (*sk_cfg_set_fn)(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
			      const struct sk_cfg_key *k);

struct sk_cfg_key {
	const char *name;
	unsigned int types;   /* SK_CFG_T_* */
	unsigned int flags;   /* SK_CFG_F_* */
	int64_t min, max;     /* integers: inclusive range */
	size_t off, size;     /* generic setters: field in obj */
	sk_cfg_set_fn set;    /* NULL: the caller reads the setting itself */
	const char *def;      /* default, as documented */
	const char *help;
};

struct sk_cfg_group {
	const char *name;
	const struct sk_cfg_key *keys;
	const size_t *nkeys;
};

#define SK_CFG_MAX_KEYS 32

/*
 * Walk group setting g against a key table: unknown keys, wrong types and
 * missing required keys are errors; known keys with a setter are stored into
 * obj.  found[i] is set to the setting of keys[i] (or NULL).
 */
void sk_cfg_walk(struct sk_cfg_ctx *c, const config_setting_t *g, const struct sk_cfg_key *keys,
		 size_t nkeys, void *obj, const config_setting_t **found);

/* Generic setters: unsigned integer of k->size bytes, bool (uint8_t), string buffer. */
void sk_cfg_set_uint(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
		     const struct sk_cfg_key *k);
void sk_cfg_set_bool(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
		     const struct sk_cfg_key *k);
void sk_cfg_set_str(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
		    const struct sk_cfg_key *k);
/* A string setting that must be one of names[0..n-1]: its index into *out,
 * or an error "<where>: <what> "<v>" must be <want>" and -1. */
int sk_cfg_choice(struct sk_cfg_ctx *c, const config_setting_t *s, const char *what,
		  const char *const *names, uint8_t n, const char *want, uint8_t *out);
/* A name (sk_cfg_name_ok) into a string buffer. */
void sk_cfg_set_name(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
		     const struct sk_cfg_key *k);

/* Is s a list/array?  If not, report "<key> must be a list". */
int sk_cfg_is_list(struct sk_cfg_ctx *c, const config_setting_t *s, const char *key);
/* Object names: 1..SK_NAME_MAX-1 chars of [A-Za-z0-9_.-]. */
int sk_cfg_name_ok(const char *s);

/* Key tables (defined next to their parsers) and the list of them. */
extern const struct sk_cfg_key sk_cfg_keys_top[], sk_cfg_keys_dataplane[],
	sk_cfg_keys_timeouts[], sk_cfg_keys_iface[], sk_cfg_keys_route[], sk_cfg_keys_neigh[],
	sk_cfg_keys_policy[], sk_cfg_keys_zonedef[], sk_cfg_keys_rule[], sk_cfg_keys_logging[];
extern const size_t sk_cfg_nkeys_top, sk_cfg_nkeys_dataplane, sk_cfg_nkeys_timeouts,
	sk_cfg_nkeys_iface, sk_cfg_nkeys_route, sk_cfg_nkeys_neigh, sk_cfg_nkeys_policy,
	sk_cfg_nkeys_zonedef, sk_cfg_nkeys_rule, sk_cfg_nkeys_logging;
extern const struct sk_cfg_key sk_cfg_keys_mgmt[], sk_cfg_keys_mgmt_token[],
	sk_cfg_keys_mgmt_tls[];
extern const size_t sk_cfg_nkeys_mgmt, sk_cfg_nkeys_mgmt_token, sk_cfg_nkeys_mgmt_tls;
extern const struct sk_cfg_key sk_cfg_keys_service[], sk_cfg_keys_backend[],
	sk_cfg_keys_health[];
extern const size_t sk_cfg_nkeys_service, sk_cfg_nkeys_backend, sk_cfg_nkeys_health;
extern const struct sk_cfg_key sk_cfg_keys_ha[], sk_cfg_keys_ha_unit[], sk_cfg_keys_ha_dphb[],
	sk_cfg_keys_ha_announce[], sk_cfg_keys_ha_hook[], sk_cfg_keys_iface_unit[];
extern const size_t sk_cfg_nkeys_ha, sk_cfg_nkeys_ha_unit, sk_cfg_nkeys_ha_dphb,
	sk_cfg_nkeys_ha_announce, sk_cfg_nkeys_ha_hook, sk_cfg_nkeys_iface_unit;
extern const struct sk_cfg_group sk_cfg_groups[];
extern const size_t sk_cfg_ngroups;

/* Group parsers, called in this order by the loader. */
void sk_cfg_parse_dataplane(struct sk_cfg_ctx *c, const config_setting_t *g);
void sk_cfg_parse_zones(struct sk_cfg_ctx *c, const config_setting_t *g);
void sk_cfg_parse_interfaces(struct sk_cfg_ctx *c, const config_setting_t *g);
void sk_cfg_parse_routes(struct sk_cfg_ctx *c, const config_setting_t *g);
void sk_cfg_parse_neighbors(struct sk_cfg_ctx *c, const config_setting_t *g);
void sk_cfg_parse_policy(struct sk_cfg_ctx *c, const config_setting_t *g);
void sk_cfg_parse_management(struct sk_cfg_ctx *c, const config_setting_t *g);
void sk_cfg_parse_logging(struct sk_cfg_ctx *c, const config_setting_t *g);
void sk_cfg_parse_services(struct sk_cfg_ctx *c, const config_setting_t *g);
/* After interfaces and services: they are checked against the pair (cfg_ha.c). */
void sk_cfg_parse_ha(struct sk_cfg_ctx *c, const config_setting_t *g);

/* Zone id by name: 1..n, or -1.  "local"/"any" are not looked up here. */
int sk_cfg_zone_id(const struct sk_cfg *cfg, const char *name);
/* Interface id by name, or -1. */
int sk_cfg_iface_id(const struct sk_cfg *cfg, const char *name);
/* Interface whose connected subnet holds addr, or -1. */
int sk_cfg_iface_on_link(const struct sk_cfg *cfg, uint8_t family, const uint8_t addr[16]);

/* Addresses and prefixes (cfg_net.c).  Addresses are in network order. */
int sk_cfg_parse_ip(const char *s, uint8_t *family, uint8_t addr[16]);
/* "a/len" or a bare address (had_len 0, host-length prefix). */
int sk_cfg_parse_cidr(const char *s, struct sk_img_prefix *p, int *had_len);
int sk_cfg_pfx_host_bits(const struct sk_img_prefix *p);
void sk_cfg_pfx_mask(struct sk_img_prefix *p);
int sk_cfg_pfx_contains(const struct sk_img_prefix *net, uint8_t family, const uint8_t addr[16]);
void sk_cfg_ip_str(uint8_t family, const uint8_t addr[16], char *buf, size_t len);
/* Parse a rule or route prefix: bad syntax or host bits set are reported at s. */
int sk_cfg_prefix_strict(struct sk_cfg_ctx *c, const config_setting_t *s, const char *key,
			 const char *v, struct sk_img_prefix *p);
int sk_cfg_parse_mac(const char *s, uint8_t mac[6]);
/* "ADDR:PORT" or "[V6]:PORT" -> family/addr/port; -1 if malformed. */
int sk_cfg_parse_listen(const char *v, uint8_t *family, uint8_t addr[16], uint16_t *port);
/* "80", "1000-2000" -> lo/hi; -EINVAL if malformed, -ERANGE if > 65535. */
int sk_cfg_parse_ports(const char *s, uint32_t *lo, uint32_t *hi);

#endif /* SK_CFG_PRIV_H */
