/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cfg.h - the control plane's config pipeline: libconfig text -> validated
 * model -> binary image (dataplane/include/sk_image.h).
 *
 * Validation never stops at the first problem: every error found is collected
 * as "file:line: message" in a struct sk_cfg_diag, sorted by position, so an
 * operator fixes a file in one pass.  Nothing here needs EAL.
 * Thread safety: none of these functions share state; one model or diag per
 * thread.
 */
#ifndef SK_CFG_H
#define SK_CFG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Collected error messages, each "file:line: message" (or "file: message"). */
struct sk_cfg_diag_entry;
struct sk_cfg_diag {
	struct sk_cfg_diag_entry *ent;
	size_t n, cap;
	uint32_t seq;
};

void sk_cfg_diag_init(struct sk_cfg_diag *d);
void sk_cfg_diag_free(struct sk_cfg_diag *d);
size_t sk_cfg_diag_count(const struct sk_cfg_diag *d);
/* i-th message in file order (valid after a load returned). */
const char *sk_cfg_diag_msg(const struct sk_cfg_diag *d, size_t i);
/* Every message, one per line. */
void sk_cfg_diag_print(const struct sk_cfg_diag *d, FILE *out);

/* The validated model (opaque; serialise it with sk_cfg_image_build). */
struct sk_cfg;

/*
 * Parse and validate a config file.  Returns the model, or NULL when any
 * error was found; all errors are appended to diag.
 */
struct sk_cfg *sk_cfg_load_file(const char *path, struct sk_cfg_diag *diag);
/* Same for text in memory; name is used in messages in place of a file name. */
struct sk_cfg *sk_cfg_load_string(const char *text, const char *name,
				  struct sk_cfg_diag *diag);
void sk_cfg_free(struct sk_cfg *cfg);

/* What a config holds, for summaries. */
struct sk_cfg_summary {
	uint32_t zones, ifaces, addrs;
	uint32_t routes_connected, routes_static;
	uint32_t neighs, rules, zone_defaults;
	uint64_t acl_rules4, acl_rules6; /* rte_acl rules after list expansion */
	uint32_t services, backends;     /* virtual services and their backends */
};
void sk_cfg_summarize(const struct sk_cfg *cfg, struct sk_cfg_summary *s);

/*
 * Serialise a model into a malloc'd image (hdr.generation 0, crc set) that
 * passes sk_image_verify().  0, or -ENOMEM / -EINVAL (message in err).
 */
int sk_cfg_image_build(const struct sk_cfg *cfg, void **img, size_t *len,
		       char *err, size_t errlen) __attribute__((warn_unused_result));

/* Load + build in one call: NULL if the file has errors (in diag). */
void *sk_cfg_compile_file(const char *path, size_t *len, struct sk_cfg_diag *diag);

/*
 * Write an image atomically: a temporary file in the same directory, fsync,
 * rename over path.  Readers see the old image or the new one, never half.
 */
int sk_cfg_image_write(const void *img, size_t len, const char *path,
		       char *err, size_t errlen) __attribute__((warn_unused_result));

/*
 * The `management` group: the REST server's settings.  Control plane only:
 * none of it goes into the dataplane image.  Token secrets never appear in
 * the file, only their SHA-256 (lowercase hex).
 */
#define SK_CFG_MGMT_MAX_NETS   32
#define SK_CFG_MGMT_MAX_TOKENS 32
#define SK_CFG_MGMT_PATH_MAX   256

struct sk_cfg_mgmt_net {
	uint8_t family;                /* 4 or 6 */
	uint8_t plen;
	uint8_t addr[16];              /* network order, host bits clear */
};

struct sk_cfg_mgmt_token {
	char name[32];
	char sha256[65];               /* 64 lowercase hex digits */
};

struct sk_cfg_mgmt {
	char listen[64];               /* as written: "127.0.0.1:8443", "[::1]:8443" */
	uint8_t listen_family;         /* 4 or 6 */
	uint8_t listen_addr[16];       /* network order */
	uint16_t listen_port;
	uint32_t n_nets;               /* admin_networks (defaults: loopback) */
	struct sk_cfg_mgmt_net nets[SK_CFG_MGMT_MAX_NETS];
	uint32_t n_tokens;
	struct sk_cfg_mgmt_token tokens[SK_CFG_MGMT_MAX_TOKENS];
	char tls_cert[SK_CFG_MGMT_PATH_MAX]; /* both empty: self-signed in state_dir/tls */
	char tls_key[SK_CFG_MGMT_PATH_MAX];
	char state_dir[SK_CFG_MGMT_PATH_MAX];
};

/* The validated management settings of a model (defaults when the group is absent). */
const struct sk_cfg_mgmt *sk_cfg_mgmt(const struct sk_cfg *cfg);
/* The same for HA unit `unit` (1 or 2): listen is the unit's
 * ha.units[unit-1].management_listen where set; unit 0 (standalone) or no HA:
 * sk_cfg_mgmt(cfg).  Lives as long as the model. */
const struct sk_cfg_mgmt *sk_cfg_mgmt_unit(const struct sk_cfg *cfg, unsigned int unit);

/* The `ha` group (cfg_ha.c) as it goes into the image; NULL for a standalone unit. */
struct sk_img_ha;
const struct sk_img_ha *sk_cfg_ha(const struct sk_cfg *cfg);

/*
 * The `logging` group (cfg_logging.c): how sekisho-cp writes log lines.
 * Files are capped by construction: at most max_total_bytes across
 * sekisho.log and its rotations, never more.
 */
struct sk_cfg_logging {
	char dir[256];             /* absolute path of the log directory */
	uint64_t max_file_bytes;   /* one file, before it rotates */
	uint64_t max_total_bytes;  /* hard cap over all files, >= 2 * max_file_bytes */
	uint32_t rate_per_rule;    /* records per second per rule (token bucket) */
	uint32_t burst_per_rule;   /* bucket depth */
	uint32_t rate_total;       /* records per second over all rules */
	uint8_t file;              /* write files under dir */
	uint8_t syslog;            /* also send every line to syslog */
	char syslog_facility[16];  /* "local0" ... */
	int facility;              /* the same as a LOG_* facility value (syslog.h) */
};

/* The defaults, as documented (a unit with no `logging` group gets these). */
void sk_cfg_logging_defaults(struct sk_cfg_logging *lg);
/* The model's logging settings (defaults filled in). */
const struct sk_cfg_logging *sk_cfg_logging(const struct sk_cfg *cfg);

/* The key tables, as a reference (group, key, type, default, range, reload). */
void sk_cfg_keys_print(FILE *out);
/* Iterate the tables: 0 and fields set, or -ENOENT past the end. */
int sk_cfg_key_at(size_t i, const char **group, const char **key);

#endif /* SK_CFG_H */
