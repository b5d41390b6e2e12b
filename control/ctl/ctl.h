/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl.h - sekishoctl, the operator CLI: the parsed command line and the
 * entry points shared by its files (argument parser, command groups).
 *
 * sekishoctl only speaks the REST API of control/api/api.h; --offline hands
 * the command to sk_ctl_offline() (control/ctl/ctl_offline.h).  Exit status:
 * 0 ok, 1 the API said no, 2 usage, 3 the unit cannot be reached.
 */
#ifndef SK_CTL_H
#define SK_CTL_H

#include <stddef.h>
#include <stdint.h>

enum sk_ctl_exit {
	SK_CTL_EXIT_OK = 0,
	SK_CTL_EXIT_API = 1,         /* HTTP 4xx/5xx (or an unusable answer) */
	SK_CTL_EXIT_USAGE = 2,
	SK_CTL_EXIT_UNREACHABLE = 3, /* connect, resolve, TLS, timeout */
};

#define SK_CTL_DEFAULT_URL "https://127.0.0.1:8443"
#define SK_CTL_DEFAULT_TIMEOUT_S 30u

/* Every command, in the order of the usage text. */
#define SK_CTL_CMD_LIST(X) \
	X(STATUS,         "status",         0, 0, "") \
	X(CONFIG_SHOW,    "config show",    0, 0, "") \
	X(CONFIG_CHECK,   "config check",   1, 1, "FILE") \
	X(CONFIG_COMMIT,  "config commit",  1, 1, "FILE [--replaces GEN] [--confirm SECONDS] [--force]") \
	X(CONFIG_CONFIRM, "config confirm", 0, 1, "[GEN]") \
	X(CONFIG_DIFF,    "config diff",    1, 1, "FILE") \
	X(CONFIG_ROLLBACK, "config rollback", 1, 1, "GEN [--replaces GEN] [--force]") \
	X(ARCHIVES,       "archives",       0, 0, "") \
	X(ARCHIVE_SHOW,   "archive show",   1, 1, "GEN") \
	X(ARCHIVE_EXPORT, "archive export", 1, 1, "GEN -o FILE") \
	X(ARCHIVE_IMPORT, "archive import", 1, 1, "FILE [--commit [--force]]") \
	X(ZONES,          "zones",          0, 0, "") \
	X(RULES,          "rules",          0, 0, "") \
	X(CONNS,          "conns",          0, 0, "[--src CIDR] [--dst CIDR] [--proto P] [--port N] [--limit N]") \
	X(CONNS_COUNT,    "conns count",    0, 0, "[filters]") \
	X(CONNS_KILL,     "conns kill",     0, 0, "[filters] [--yes]") \
	X(COUNTERS,       "counters",       0, 0, "") \
	X(SERVICES,       "services",       0, 1, "[NAME]") \
	X(BACKEND,        "backend",        3, 4, "SERVICE BACKEND enable|drain|disable|weight N") \
	X(TRACE,          "trace",          0, 0, "--from ZONE|--in IFACE --src A --dst B --proto P " \
	                                          "[--sport N] [--dport N] [--flags F] [--icmp-type T] [--icmp-code C]") \
	X(LINT,           "lint",           0, 0, "") \
	X(EXPOSURE,       "exposure",       0, 0, "") \
	X(LOGS,           "logs",           0, 0, "[--since SEQ] [--limit N] [--follow]") \
	X(TOP,            "top",            0, 0, "[--limit N]  (top N sources, 1..64, default 10)") \
	X(HA,             "ha",             0, 0, "") \
	X(HA_STANDBY,     "ha standby",     0, 0, "") \
	X(HA_RELEASE,     "ha release",     0, 0, "") \
	X(CAPTURE,        "capture",        1, 1, "PORT [--filter EXPR] [--count N] [--duration S] " \
	                                          "[--max-size MB] [--snaplen N] [--file-prefix P] -w FILE") \
	X(HELP,           "help",           0, 0, "")

enum sk_ctl_cmd {
	SK_CTL_CMD_NONE = 0,
#define SK_CTL_CMD_ENUM(e, words, pmin, pmax, syn) SK_CTL_CMD_##e,
	SK_CTL_CMD_LIST(SK_CTL_CMD_ENUM)
#undef SK_CTL_CMD_ENUM
	SK_CTL_CMD_OFFLINE,          /* --offline: argv handed to sk_ctl_offline */
	SK_CTL_CMD__MAX
};

/* Command options: a bit each, so the parser can tell which command takes
 * which option from one table. */
enum sk_ctl_opt_bit {
	SK_CTL_O_REPLACES = 1u << 0,
	SK_CTL_O_OUTPUT = 1u << 1,
	SK_CTL_O_COMMIT = 1u << 2,
	SK_CTL_O_SRC = 1u << 3,
	SK_CTL_O_DST = 1u << 4,
	SK_CTL_O_PROTO = 1u << 5,
	SK_CTL_O_PORT = 1u << 6,
	SK_CTL_O_LIMIT = 1u << 7,
	SK_CTL_O_YES = 1u << 8,
	SK_CTL_O_FROM = 1u << 9,
	SK_CTL_O_IN = 1u << 10,
	SK_CTL_O_SPORT = 1u << 11,
	SK_CTL_O_DPORT = 1u << 12,
	SK_CTL_O_FLAGS = 1u << 13,
	SK_CTL_O_ICMP_TYPE = 1u << 14,
	SK_CTL_O_ICMP_CODE = 1u << 15,
	SK_CTL_O_SINCE = 1u << 16,
	SK_CTL_O_FOLLOW = 1u << 17,
	SK_CTL_O_FORCE = 1u << 18,
	SK_CTL_O_CONFIRM = 1u << 19,
	SK_CTL_O_FILTER = 1u << 20,
	SK_CTL_O_COUNT = 1u << 21,
	SK_CTL_O_DURATION = 1u << 22,
	SK_CTL_O_MAX_SIZE = 1u << 23,
	SK_CTL_O_WRITE = 1u << 24,
	SK_CTL_O_FILE_PREFIX = 1u << 25,
	SK_CTL_O_SNAPLEN = 1u << 26,
};

/*
 * Capture limits (sekishoctl capture, ctl_capture.h): a capture always
 * stops, by size and by time, whatever the operator typed, so that it can
 * never fill the unit's disk or run forgotten.
 */
#define SK_CTL_CAPTURE_SIZE_DEF_MB 64u     /* --max-size default */
#define SK_CTL_CAPTURE_SIZE_MAX_MB 1024u   /* --max-size hard cap */
#define SK_CTL_CAPTURE_DUR_DEF_S 60u       /* --duration default */
#define SK_CTL_CAPTURE_DUR_MAX_S 3600u     /* --duration hard cap */

/* sekishoctl capture's settings as the operator typed them (checked). */
struct sk_ctl_capture {
	const char *port;            /* interface name or DPDK port id */
	const char *filter;          /* libpcap filter expression, NULL = all */
	const char *file;            /* -w FILE (pcapng) */
	const char *file_prefix;     /* NULL: ask the unit (GET /status) */
	uint64_t count;              /* 0 = no packet limit */
	uint32_t duration_s;         /* always set: default or given */
	uint32_t max_size_mb;        /* always set: default or given */
	uint32_t snaplen;            /* 0 = dumpcap's default */
};

/* Connection filter as the operator typed it (already checked). */
struct sk_ctl_filter {
	const char *src, *dst;       /* address or CIDR, NULL = any */
	const char *proto;           /* name or number, NULL = any */
	uint32_t port;               /* 0 = any */
	uint32_t limit;              /* 0 = server default */
};

struct sk_ctl_args {
	/* global options (after sk_ctl_args_env: environment applied) */
	const char *url;
	const char *token;           /* never printed */
	const char *token_file;
	const char *cacert;
	int insecure;
	int json;
	unsigned int timeout_s;

	enum sk_ctl_cmd cmd;
	uint32_t given;              /* SK_CTL_O_* seen on the command line */
	const char *pos[4];          /* FILE / GEN / SERVICE BACKEND ACTION [N] operands */
	unsigned int n_pos;

	struct sk_ctl_filter filter; /* conns, and src/dst/proto of trace */
	uint64_t replaces, gen, since;
	const char *output;
	int commit, yes, follow;
	int force;                   /* commit on a standby unit of an HA pair anyway */
	uint32_t confirm_s;          /* config commit --confirm: roll back unless confirmed */
	const char *from, *in, *flags;
	uint32_t sport, dport, icmp_type, icmp_code;
	/* backend: "enable", "drain", "disable" or "weight" (then weight) */
	const char *lb_action;
	uint32_t lb_weight;
	struct sk_ctl_capture capture;

	/* --offline: the subcommand and its arguments (argv compacted in place,
	 * --json removed) */
	int off_argc;
	char **off_argv;
};

/*
 * Parse argv (argv[0] is the program).  Fills a (zeroed first) and returns
 * 0, or SK_CTL_EXIT_USAGE with a one-line reason in err.  For --offline the
 * tail of argv is compacted in place.  Pointers in a point into argv.
 */
int sk_ctl_args_parse(int argc, char **argv, struct sk_ctl_args *a, char *err, size_t errlen);

/* Fill what the command line left unset from the environment (SEKISHO_URL,
 * SEKISHO_TOKEN, SEKISHO_CACERT) and the defaults; getenv_fn is getenv
 * except in tests. */
void sk_ctl_args_env(struct sk_ctl_args *a, const char *(*getenv_fn)(const char *name));

/* Usage text. */
void sk_ctl_usage(void *fp);

struct sk_ctl_http;

/* Command groups: each returns an exit status (enum sk_ctl_exit). */
int sk_ctl_cmd_status(struct sk_ctl_http *h, const struct sk_ctl_args *a);   /* status zones rules counters */
int sk_ctl_cmd_config(struct sk_ctl_http *h, const struct sk_ctl_args *a);   /* config ... */
int sk_ctl_cmd_archive(struct sk_ctl_http *h, const struct sk_ctl_args *a);  /* archives, archive ... */
int sk_ctl_cmd_conns(struct sk_ctl_http *h, const struct sk_ctl_args *a);    /* conns ... */
int sk_ctl_cmd_verify(struct sk_ctl_http *h, const struct sk_ctl_args *a);   /* trace lint exposure */
int sk_ctl_cmd_logs(struct sk_ctl_http *h, const struct sk_ctl_args *a);     /* logs */
int sk_ctl_cmd_top(struct sk_ctl_http *h, const struct sk_ctl_args *a);      /* top */
int sk_ctl_cmd_services(struct sk_ctl_http *h, const struct sk_ctl_args *a); /* services, backend */
int sk_ctl_cmd_ha(struct sk_ctl_http *h, const struct sk_ctl_args *a);       /* ha, ha standby|release */
int sk_ctl_cmd_capture(struct sk_ctl_http *h, const struct sk_ctl_args *a);  /* capture */

#endif /* SK_CTL_H */
