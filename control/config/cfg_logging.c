/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cfg_logging.c - the `logging` group: where sekisho-cp writes log lines, how
 * much disk they may take and how fast they may come.  Read by the control
 * plane only (not part of the dataplane image); a change applies live.
 *
 * The caps are validated here so that a unit can never be configured into
 * filling its disk: max_total_bytes is a hard cap and must leave room for at
 * least two files (the one being written and the one before it).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "cfg_priv.h"

#define LG(f) offsetof(struct sk_cfg_logging, f), sizeof(((struct sk_cfg_logging *)0)->f)

#define KIB 1024LL
#define MIB (1024LL * KIB)
#define GIB (1024LL * MIB)
#define TIB (1024LL * GIB)

static void set_dir(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
		    const struct sk_cfg_key *k);
static void set_size(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
		     const struct sk_cfg_key *k);
static void set_facility(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
			 const struct sk_cfg_key *k);

/* Keep the order: sk_cfg_parse_logging indexes found[] with these. */
enum { K_DIR, K_FILE_BYTES, K_TOTAL_BYTES, K_RATE, K_BURST, K_RATE_TOTAL, K_FILE, K_SYSLOG,
       K_FACILITY };

const struct sk_cfg_key sk_cfg_keys_logging[] = {
	{ "dir", SK_CFG_T_STR, 0, 0, 0, LG(dir), set_dir, "\"/var/log/sekisho\"",
	  "log directory, an absolute path" },
	{ "max_file_bytes", SK_CFG_T_INT | SK_CFG_T_STR, 0, 64 * KIB, 1 * GIB, LG(max_file_bytes),
	  set_size, "10485760 (\"10M\")", "size at which sekisho.log rotates" },
	{ "max_total_bytes", SK_CFG_T_INT | SK_CFG_T_STR, 0, 128 * KIB, 1 * TIB,
	  LG(max_total_bytes), set_size, "104857600 (\"100M\")",
	  "hard cap over all log files; >= 2 * max_file_bytes" },
	{ "rate_per_rule", SK_CFG_T_INT, 0, 1, 1000000, LG(rate_per_rule), sk_cfg_set_uint, "10",
	  "records per second per rule, then suppressed and counted" },
	{ "burst_per_rule", SK_CFG_T_INT, 0, 1, 1000000, LG(burst_per_rule), sk_cfg_set_uint,
	  "20", "records a rule may log at once before its rate applies" },
	{ "rate_total", SK_CFG_T_INT, 0, 1, 1000000, LG(rate_total), sk_cfg_set_uint, "1000",
	  "records per second over all rules" },
	{ "file", SK_CFG_T_BOOL, 0, 0, 0, LG(file), sk_cfg_set_bool, "true",
	  "write log files under dir" },
	{ "syslog", SK_CFG_T_BOOL, 0, 0, 0, LG(syslog), sk_cfg_set_bool, "false",
	  "also send every line to syslog" },
	{ "syslog_facility", SK_CFG_T_STR, 0, 0, 0, LG(syslog_facility), set_facility,
	  "\"local0\"", "local0..local7, daemon, user, auth, authpriv, syslog" },
};
const size_t sk_cfg_nkeys_logging = sizeof(sk_cfg_keys_logging) / sizeof(sk_cfg_keys_logging[0]);

static const struct {
	const char *name;
	int facility;
} facilities[] = {
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 }, { "daemon", LOG_DAEMON },
	{ "user", LOG_USER }, { "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV },
	{ "syslog", LOG_SYSLOG },
};

static int
facility_of(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (strcmp(facilities[i].name, name) == 0)
			return facilities[i].facility;
	return -1;
}

void
sk_cfg_logging_defaults(struct sk_cfg_logging *lg)
{
	memset(lg, 0, sizeof(*lg));
	snprintf(lg->dir, sizeof(lg->dir), "/var/log/sekisho");
	lg->max_file_bytes = 10 * MIB;
	lg->max_total_bytes = 100 * MIB;
	lg->rate_per_rule = 10;
	lg->burst_per_rule = 20;
	lg->rate_total = 1000;
	lg->file = 1;
	lg->syslog = 0;
	snprintf(lg->syslog_facility, sizeof(lg->syslog_facility), "local0");
	lg->facility = LOG_LOCAL0;
}

const struct sk_cfg_logging *
sk_cfg_logging(const struct sk_cfg *cfg)
{
	return &cfg->logging;
}

static void
set_dir(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	const char *v = config_setting_get_string(s);

	/* Relative paths would depend on the daemon's working directory. */
	if (v[0] != '/') {
		sk_cfg_err(c, s, "logging: dir \"%s\" must be an absolute path", v);
		return;
	}
	if (strstr(v, "/../") != NULL || (strlen(v) >= 3 && strcmp(v + strlen(v) - 3, "/..") == 0)) {
		sk_cfg_err(c, s, "logging: dir \"%s\" must not contain '..'", v);
		return;
	}
	sk_cfg_set_str(c, s, obj, k);
}

/*
 * A byte count: an integer, or a string "N", "NK", "NM", "NG", "NT" (binary
 * units).  Strings exist because libconfig 1.5 silently truncates bare
 * integers above 2^31 unless they carry an L suffix.
 */
static void
set_size(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj, const struct sk_cfg_key *k)
{
	long long v;

	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		const char *str = config_setting_get_string(s);
		unsigned long long n, mul = 1;
		char *end;

		if (str[0] < '0' || str[0] > '9') {
			sk_cfg_err(c, s, "logging: %s \"%s\" is not a size like 10485760 or \"10M\"",
				   k->name, str);
			return;
		}
		n = strtoull(str, &end, 10);
		switch (*end) {
		case 'K': case 'k':
			mul = KIB;
			end++;
			break;
		case 'M': case 'm':
			mul = MIB;
			end++;
			break;
		case 'G': case 'g':
			mul = GIB;
			end++;
			break;
		case 'T': case 't':
			mul = TIB;
			end++;
			break;
		default:
			break;
		}
		if (*end != '\0') {
			sk_cfg_err(c, s, "logging: %s \"%s\" is not a size like 10485760 or \"10M\"",
				   k->name, str);
			return;
		}
		v = n > (unsigned long long)k->max / mul ? k->max + 1 : (long long)(n * mul);
	} else {
		v = config_setting_get_int64(s);
	}
	if (v < k->min || v > k->max) {
		sk_cfg_err(c, s, "logging: %s = %lld is out of range %lld..%lld", k->name, v,
			   (long long)k->min, (long long)k->max);
		return;
	}
	*(uint64_t *)(void *)((uint8_t *)obj + k->off) = (uint64_t)v;
}

static void
set_facility(struct sk_cfg_ctx *c, const config_setting_t *s, void *obj,
	     const struct sk_cfg_key *k)
{
	const char *v = config_setting_get_string(s);
	int f = facility_of(v);

	if (f < 0) {
		sk_cfg_err(c, s, "logging: syslog_facility \"%s\" is not one of local0..local7, "
			   "daemon, user, auth, authpriv, syslog", v);
		return;
	}
	sk_cfg_set_str(c, s, obj, k);
	((struct sk_cfg_logging *)obj)->facility = f;
}

void
sk_cfg_parse_logging(struct sk_cfg_ctx *c, const config_setting_t *g)
{
	const config_setting_t *found[SK_CFG_MAX_KEYS];
	struct sk_cfg_logging *lg = &c->cfg->logging;

	sk_cfg_logging_defaults(lg);
	if (g == NULL)
		return;
	snprintf(c->where, sizeof(c->where), "logging");
	sk_cfg_walk(c, g, sk_cfg_keys_logging, sk_cfg_nkeys_logging, lg, found);
	/* Two files at least: rotation deletes the oldest only after a new one started. */
	if (lg->max_total_bytes < 2 * lg->max_file_bytes) {
		const config_setting_t *at = found[K_TOTAL_BYTES] ? found[K_TOTAL_BYTES] :
					     found[K_FILE_BYTES] ? found[K_FILE_BYTES] : g;

		sk_cfg_err(c, at, "logging: max_total_bytes = %llu must be at least 2 * "
			   "max_file_bytes = %llu", (unsigned long long)lg->max_total_bytes,
			   2ULL * (unsigned long long)lg->max_file_bytes);
	}
}
