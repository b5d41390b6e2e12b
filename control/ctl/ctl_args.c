/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_args.c - sekishoctl's command line: one table of options, one table of
 * commands, and the checks that turn a typo into exit status 2 before any
 * request is sent (a mistyped CIDR must not become "kill everything").
 *
 * Global options may appear anywhere; command options only with the
 * commands that take them.  "--opt value" and "--opt=value" both work.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl.h"

struct cmd_def {
	enum sk_ctl_cmd cmd;
	const char *words;
	unsigned int pmin, pmax;
	const char *synopsis;
};

static const struct cmd_def cmd_defs[] = {
#define SK_CTL_CMD_DEF(e, w, pmin, pmax, syn) { SK_CTL_CMD_##e, w, pmin, pmax, syn },
	SK_CTL_CMD_LIST(SK_CTL_CMD_DEF)
#undef SK_CTL_CMD_DEF
};

#define N_CMDS (sizeof(cmd_defs) / sizeof(cmd_defs[0]))
#define FILTER_OPTS (SK_CTL_O_SRC | SK_CTL_O_DST | SK_CTL_O_PROTO | SK_CTL_O_PORT)

/* Which command options each command accepts. */
static uint32_t
cmd_opts(enum sk_ctl_cmd cmd)
{
	switch (cmd) {
	case SK_CTL_CMD_CONFIG_COMMIT:
		return SK_CTL_O_REPLACES | SK_CTL_O_FORCE | SK_CTL_O_CONFIRM;
	case SK_CTL_CMD_CONFIG_ROLLBACK:
		return SK_CTL_O_REPLACES | SK_CTL_O_FORCE;
	case SK_CTL_CMD_ARCHIVE_EXPORT:
		return SK_CTL_O_OUTPUT;
	case SK_CTL_CMD_ARCHIVE_IMPORT:
		return SK_CTL_O_COMMIT | SK_CTL_O_FORCE;
	case SK_CTL_CMD_CONNS:
		return FILTER_OPTS | SK_CTL_O_LIMIT;
	case SK_CTL_CMD_CONNS_COUNT:
		return FILTER_OPTS;
	case SK_CTL_CMD_CONNS_KILL:
		return FILTER_OPTS | SK_CTL_O_YES;
	case SK_CTL_CMD_TRACE:
		return SK_CTL_O_FROM | SK_CTL_O_IN | SK_CTL_O_SRC | SK_CTL_O_DST | SK_CTL_O_PROTO |
		       SK_CTL_O_SPORT | SK_CTL_O_DPORT | SK_CTL_O_FLAGS | SK_CTL_O_ICMP_TYPE |
		       SK_CTL_O_ICMP_CODE;
	case SK_CTL_CMD_LOGS:
		return SK_CTL_O_SINCE | SK_CTL_O_LIMIT | SK_CTL_O_FOLLOW;
	case SK_CTL_CMD_TOP:
		return SK_CTL_O_LIMIT;
	case SK_CTL_CMD_CAPTURE:
		return SK_CTL_O_FILTER | SK_CTL_O_COUNT | SK_CTL_O_DURATION | SK_CTL_O_MAX_SIZE |
		       SK_CTL_O_WRITE | SK_CTL_O_FILE_PREFIX | SK_CTL_O_SNAPLEN;
	default:
		return 0;
	}
}

enum opt_id {
	OPT_URL, OPT_TOKEN, OPT_TOKEN_FILE, OPT_CACERT, OPT_INSECURE, OPT_JSON, OPT_TIMEOUT,
	OPT_OFFLINE, OPT_HELP,
	OPT_REPLACES, OPT_OUTPUT, OPT_COMMIT, OPT_SRC, OPT_DST, OPT_PROTO, OPT_PORT, OPT_LIMIT,
	OPT_YES, OPT_FROM, OPT_IN, OPT_SPORT, OPT_DPORT, OPT_FLAGS, OPT_ICMP_TYPE, OPT_ICMP_CODE,
	OPT_SINCE, OPT_FOLLOW, OPT_FORCE, OPT_CONFIRM,
	OPT_FILTER, OPT_COUNT, OPT_DURATION, OPT_MAX_SIZE, OPT_WRITE, OPT_FILE_PREFIX, OPT_SNAPLEN,
};

struct opt_def {
	const char *name;
	char short_name;
	int has_arg;
	uint32_t bit;                /* 0: global option */
	enum opt_id id;
};

static const struct opt_def opt_defs[] = {
	{ "url", 0, 1, 0, OPT_URL },
	{ "token", 0, 1, 0, OPT_TOKEN },
	{ "token-file", 0, 1, 0, OPT_TOKEN_FILE },
	{ "cacert", 0, 1, 0, OPT_CACERT },
	{ "insecure", 0, 0, 0, OPT_INSECURE },
	{ "json", 0, 0, 0, OPT_JSON },
	{ "timeout", 0, 1, 0, OPT_TIMEOUT },
	{ "offline", 0, 0, 0, OPT_OFFLINE },
	{ "help", 'h', 0, 0, OPT_HELP },
	{ "replaces", 0, 1, SK_CTL_O_REPLACES, OPT_REPLACES },
	{ "output", 'o', 1, SK_CTL_O_OUTPUT, OPT_OUTPUT },
	{ "commit", 0, 0, SK_CTL_O_COMMIT, OPT_COMMIT },
	{ "src", 0, 1, SK_CTL_O_SRC, OPT_SRC },
	{ "dst", 0, 1, SK_CTL_O_DST, OPT_DST },
	{ "proto", 0, 1, SK_CTL_O_PROTO, OPT_PROTO },
	{ "port", 0, 1, SK_CTL_O_PORT, OPT_PORT },
	{ "limit", 0, 1, SK_CTL_O_LIMIT, OPT_LIMIT },
	{ "yes", 'y', 0, SK_CTL_O_YES, OPT_YES },
	{ "from", 0, 1, SK_CTL_O_FROM, OPT_FROM },
	{ "in", 0, 1, SK_CTL_O_IN, OPT_IN },
	{ "sport", 0, 1, SK_CTL_O_SPORT, OPT_SPORT },
	{ "dport", 0, 1, SK_CTL_O_DPORT, OPT_DPORT },
	{ "flags", 0, 1, SK_CTL_O_FLAGS, OPT_FLAGS },
	{ "icmp-type", 0, 1, SK_CTL_O_ICMP_TYPE, OPT_ICMP_TYPE },
	{ "icmp-code", 0, 1, SK_CTL_O_ICMP_CODE, OPT_ICMP_CODE },
	{ "since", 0, 1, SK_CTL_O_SINCE, OPT_SINCE },
	{ "follow", 'f', 0, SK_CTL_O_FOLLOW, OPT_FOLLOW },
	{ "force", 0, 0, SK_CTL_O_FORCE, OPT_FORCE },
	{ "confirm", 0, 1, SK_CTL_O_CONFIRM, OPT_CONFIRM },
	{ "filter", 0, 1, SK_CTL_O_FILTER, OPT_FILTER },
	{ "count", 'c', 1, SK_CTL_O_COUNT, OPT_COUNT },
	{ "duration", 0, 1, SK_CTL_O_DURATION, OPT_DURATION },
	{ "max-size", 0, 1, SK_CTL_O_MAX_SIZE, OPT_MAX_SIZE },
	{ "write", 'w', 1, SK_CTL_O_WRITE, OPT_WRITE },
	{ "file-prefix", 0, 1, SK_CTL_O_FILE_PREFIX, OPT_FILE_PREFIX },
	{ "snaplen", 's', 1, SK_CTL_O_SNAPLEN, OPT_SNAPLEN },
};

#define N_OPTS (sizeof(opt_defs) / sizeof(opt_defs[0]))
#define MAX_WORDS 8

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return SK_CTL_EXIT_USAGE;
}

/* Strict unsigned decimal in [min, max]. */
static int
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static int
parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int rc = parse_u64(s, min, max, &v);

	if (rc == 0)
		*out = (uint32_t)v;
	return rc;
}

/* Protocol name or number -> IP protocol number, -1 when unknown. */
static int
proto_number(const char *p)
{
	static const struct { const char *name; int num; } names[] = {
		{ "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "icmpv6", 58 }, { "icmp6", 58 },
		{ "ipv6-icmp", 58 }, { "sctp", 132 }, { "gre", 47 }, { "esp", 50 }, { "ah", 51 },
	};
	uint32_t n;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(p, names[i].name) == 0)
			return names[i].num;
	if (parse_u32(p, 0, 255, &n) == 0)
		return (int)n;
	return -1;
}

/* ADDR or ADDR/PLEN, IPv4 or IPv6. */
static int
check_addr(const char *s, int allow_prefix)
{
	char buf[INET6_ADDRSTRLEN + 8];
	unsigned char bin[16];
	const char *slash = strchr(s, '/');
	size_t len = slash != NULL ? (size_t)(slash - s) : strlen(s);
	uint32_t plen;
	int fam;

	if (len == 0 || len >= INET6_ADDRSTRLEN)
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, bin) == 1)
		fam = 4;
	else if (inet_pton(AF_INET6, buf, bin) == 1)
		fam = 6;
	else
		return -EINVAL;
	if (slash == NULL)
		return 0;
	if (!allow_prefix)
		return -EINVAL;
	return parse_u32(slash + 1, 0, fam == 4 ? 32 : 128, &plen);
}

static int
check_flags(const char *f)
{
	if (*f == '\0')
		return -EINVAL;
	for (; *f != '\0'; f++)
		if (strchr("FSRPAUECfsrpauec", *f) == NULL)
			return -EINVAL;
	return 0;
}

static const struct opt_def *
find_opt(const char *arg, const char **inline_val)
{
	size_t i, len;

	*inline_val = NULL;
	if (arg[1] != '-') {
		if (arg[2] != '\0')
			return NULL;
		for (i = 0; i < N_OPTS; i++)
			if (opt_defs[i].short_name != 0 && opt_defs[i].short_name == arg[1])
				return &opt_defs[i];
		return NULL;
	}
	arg += 2;
	len = strcspn(arg, "=");
	for (i = 0; i < N_OPTS; i++) {
		if (strlen(opt_defs[i].name) == len && strncmp(opt_defs[i].name, arg, len) == 0) {
			if (arg[len] == '=')
				*inline_val = arg + len + 1;
			return &opt_defs[i];
		}
	}
	return NULL;
}

/* Store one option's value in a; returns 0 or a usage error. */
static int
set_opt(struct sk_ctl_args *a, const struct opt_def *o, const char *v, char *err, size_t errlen)
{
	switch (o->id) {
	case OPT_URL: a->url = v; break;
	case OPT_TOKEN: a->token = v; break;
	case OPT_TOKEN_FILE: a->token_file = v; break;
	case OPT_CACERT: a->cacert = v; break;
	case OPT_INSECURE: a->insecure = 1; break;
	case OPT_JSON: a->json = 1; break;
	case OPT_TIMEOUT:
		if (parse_u32(v, 1, 86400, &a->timeout_s) != 0)
			return fail(err, errlen, "--timeout: seconds from 1 to 86400, not '%s'", v);
		break;
	case OPT_OFFLINE: break;
	case OPT_HELP: break;
	case OPT_REPLACES:
		if (parse_u64(v, 0, UINT64_MAX, &a->replaces) != 0)
			return fail(err, errlen, "--replaces: a generation number, not '%s'", v);
		break;
	case OPT_OUTPUT: a->output = v; break;
	case OPT_COMMIT: a->commit = 1; break;
	case OPT_SRC:
	case OPT_DST:
		/* trace takes addresses, conns CIDRs: the command decides later */
		if (check_addr(v, 1) != 0)
			return fail(err, errlen, "--%s: an IPv4/IPv6 address or CIDR, not '%s'", o->name, v);
		if (o->id == OPT_SRC)
			a->filter.src = v;
		else
			a->filter.dst = v;
		break;
	case OPT_PROTO:
		if (proto_number(v) < 0)
			return fail(err, errlen, "--proto: tcp, udp, icmp, icmpv6 or a number 0-255, not '%s'", v);
		a->filter.proto = v;
		break;
	case OPT_PORT:
		if (parse_u32(v, 1, 65535, &a->filter.port) != 0)
			return fail(err, errlen, "--port: 1 to 65535, not '%s'", v);
		break;
	case OPT_LIMIT:
		if (parse_u32(v, 1, 1000000, &a->filter.limit) != 0)
			return fail(err, errlen, "--limit: 1 to 1000000, not '%s'", v);
		break;
	case OPT_YES: a->yes = 1; break;
	case OPT_FROM: a->from = v; break;
	case OPT_IN: a->in = v; break;
	case OPT_SPORT:
	case OPT_DPORT:
		if (parse_u32(v, 0, 65535, o->id == OPT_SPORT ? &a->sport : &a->dport) != 0)
			return fail(err, errlen, "--%s: 0 to 65535, not '%s'", o->name, v);
		break;
	case OPT_FLAGS:
		if (check_flags(v) != 0)
			return fail(err, errlen, "--flags: TCP flag letters from FSRPAUEC (e.g. S, SA), not '%s'", v);
		a->flags = v;
		break;
	case OPT_ICMP_TYPE:
	case OPT_ICMP_CODE:
		if (parse_u32(v, 0, 255, o->id == OPT_ICMP_TYPE ? &a->icmp_type : &a->icmp_code) != 0)
			return fail(err, errlen, "--%s: 0 to 255, not '%s'", o->name, v);
		break;
	case OPT_SINCE:
		if (parse_u64(v, 0, UINT64_MAX, &a->since) != 0)
			return fail(err, errlen, "--since: a log sequence number, not '%s'", v);
		break;
	case OPT_FOLLOW: a->follow = 1; break;
	case OPT_FORCE: a->force = 1; break;
	case OPT_CONFIRM:
		if (parse_u32(v, 1, 86400, &a->confirm_s) != 0)
			return fail(err, errlen, "--confirm: seconds from 1 to 86400, not '%s'", v);
		break;
	case OPT_FILTER:
		/* dumpcap compiles it (libpcap); only an empty one is caught here */
		if (*v == '\0')
			return fail(err, errlen, "--filter: a libpcap filter expression, not empty");
		a->capture.filter = v;
		break;
	case OPT_COUNT:
		if (parse_u64(v, 1, UINT32_MAX, &a->capture.count) != 0)
			return fail(err, errlen, "--count: 1 to %u packets, not '%s'", UINT32_MAX, v);
		break;
	case OPT_DURATION:
		if (parse_u32(v, 1, SK_CTL_CAPTURE_DUR_MAX_S, &a->capture.duration_s) != 0)
			return fail(err, errlen, "--duration: 1 to %u seconds, not '%s'",
				    SK_CTL_CAPTURE_DUR_MAX_S, v);
		break;
	case OPT_MAX_SIZE:
		if (parse_u32(v, 1, SK_CTL_CAPTURE_SIZE_MAX_MB, &a->capture.max_size_mb) != 0)
			return fail(err, errlen, "--max-size: 1 to %u MB, not '%s'",
				    SK_CTL_CAPTURE_SIZE_MAX_MB, v);
		break;
	case OPT_WRITE:
		if (*v == '\0')
			return fail(err, errlen, "-w: a file name, not empty");
		a->capture.file = v;
		break;
	case OPT_FILE_PREFIX:
		/* it becomes a path under /var/run/dpdk: no separators */
		if (*v == '\0' || strchr(v, '/') != NULL || strlen(v) >= 64)
			return fail(err, errlen, "--file-prefix: an EAL file prefix (no '/'), not '%s'", v);
		a->capture.file_prefix = v;
		break;
	case OPT_SNAPLEN:
		if (parse_u32(v, 64, 65535, &a->capture.snaplen) != 0)
			return fail(err, errlen, "--snaplen: 64 to 65535 bytes, not '%s'", v);
		break;
	}
	return 0;
}

/* The longest command whose words start the positional words. */
static const struct cmd_def *
match_cmd(char **words, unsigned int n, unsigned int *used)
{
	const struct cmd_def *best = NULL;
	unsigned int best_n = 0, i, k;

	for (i = 0; i < N_CMDS; i++) {
		const char *w = cmd_defs[i].words;

		for (k = 0; k < n; k++) {
			size_t len = strcspn(w, " ");

			if (strlen(words[k]) != len || strncmp(words[k], w, len) != 0)
				break;
			w += len;
			if (*w == '\0') {
				k++;
				if (k > best_n) {
					best = &cmd_defs[i];
					best_n = k;
				}
				break;
			}
			w++;
		}
	}
	*used = best_n;
	return best;
}

/* Command-specific checks once everything is parsed. */
static int
check_cmd(struct sk_ctl_args *a, const struct cmd_def *d, char *err, size_t errlen)
{
	const char *name = d->words;
	uint64_t gen;
	int proto;

	if (a->n_pos < d->pmin)
		return fail(err, errlen, "%s: missing %s", name, d->synopsis);
	if (a->n_pos > d->pmax)
		return fail(err, errlen, "%s: unexpected argument '%s'", name, a->pos[d->pmax]);
	switch (a->cmd) {
	case SK_CTL_CMD_CONFIG_CONFIRM:
		if (a->n_pos == 1 && parse_u64(a->pos[0], 1, UINT64_MAX, &a->gen) != 0)
			return fail(err, errlen, "%s: GEN is a generation number, not '%s'", name, a->pos[0]);
		break;
	case SK_CTL_CMD_CONFIG_ROLLBACK:
	case SK_CTL_CMD_ARCHIVE_SHOW:
	case SK_CTL_CMD_ARCHIVE_EXPORT:
		if (parse_u64(a->pos[0], 0, UINT64_MAX, &gen) != 0)
			return fail(err, errlen, "%s: GEN is a generation number, not '%s'", name, a->pos[0]);
		a->gen = gen;
		if (a->cmd == SK_CTL_CMD_ARCHIVE_EXPORT && a->output == NULL)
			return fail(err, errlen, "%s: -o FILE is required", name);
		break;
	case SK_CTL_CMD_ARCHIVE_IMPORT:
		/* an import without --commit changes nothing that runs */
		if (a->force && !a->commit)
			return fail(err, errlen, "%s: --force goes with --commit", name);
		break;
	case SK_CTL_CMD_BACKEND:
		a->lb_action = a->pos[2];
		if (strcmp(a->pos[2], "weight") == 0) {
			if (a->n_pos != 4)
				return fail(err, errlen, "backend: weight needs a number N (0 to 65535)");
			if (parse_u32(a->pos[3], 0, 65535, &a->lb_weight) != 0)
				return fail(err, errlen, "backend: weight is 0 to 65535, not '%s'", a->pos[3]);
		} else if (strcmp(a->pos[2], "enable") == 0 || strcmp(a->pos[2], "drain") == 0 ||
			   strcmp(a->pos[2], "disable") == 0) {
			if (a->n_pos != 3)
				return fail(err, errlen, "backend: unexpected argument '%s'", a->pos[3]);
		} else {
			return fail(err, errlen, "backend: enable, drain, disable or weight N, not '%s'",
				    a->pos[2]);
		}
		break;
	case SK_CTL_CMD_TRACE:
		if ((a->from == NULL) == (a->in == NULL))
			return fail(err, errlen, "trace: give exactly one of --from ZONE and --in IFACE");
		if (a->filter.src == NULL || a->filter.dst == NULL || a->filter.proto == NULL)
			return fail(err, errlen, "trace: --src, --dst and --proto are required");
		if (strchr(a->filter.src, '/') != NULL || strchr(a->filter.dst, '/') != NULL)
			return fail(err, errlen, "trace: --src and --dst are addresses, not prefixes");
		proto = proto_number(a->filter.proto);
		if ((a->given & (SK_CTL_O_SPORT | SK_CTL_O_DPORT)) && proto != 6 && proto != 17 &&
		    proto != 132)
			return fail(err, errlen, "trace: --sport/--dport need --proto tcp, udp or sctp");
		if ((a->given & SK_CTL_O_FLAGS) && proto != 6)
			return fail(err, errlen, "trace: --flags needs --proto tcp");
		if ((a->given & (SK_CTL_O_ICMP_TYPE | SK_CTL_O_ICMP_CODE)) && proto != 1 && proto != 58)
			return fail(err, errlen, "trace: --icmp-type/--icmp-code need --proto icmp or icmpv6");
		break;
	case SK_CTL_CMD_CAPTURE:
		if (a->capture.file == NULL)
			return fail(err, errlen, "capture: -w FILE is required");
		a->capture.port = a->pos[0];
		if (a->capture.duration_s == 0)
			a->capture.duration_s = SK_CTL_CAPTURE_DUR_DEF_S;
		if (a->capture.max_size_mb == 0)
			a->capture.max_size_mb = SK_CTL_CAPTURE_SIZE_DEF_MB;
		break;
	default:
		break;
	}
	return 0;
}

int
sk_ctl_args_parse(int argc, char **argv, struct sk_ctl_args *a, char *err, size_t errlen)
{
	char *words[MAX_WORDS];
	unsigned int n_words = 0, used, k;
	const struct cmd_def *d;
	int i, opts_done = 0, offline = 0, help = 0, rc;

	memset(a, 0, sizeof(*a));
	err[0] = '\0';
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *val;
		const struct opt_def *o;

		if (offline && n_words == 0 && (opts_done || arg[0] != '-' || arg[1] == '\0')) {
			/* the offline subcommand: the rest belongs to sk_ctl_offline,
			 * except --json, which is ours to pass as a flag */
			int j, kk = i;

			for (j = i; j < argc; j++) {
				if (strcmp(argv[j], "--json") == 0)
					a->json = 1;
				else
					argv[kk++] = argv[j];
			}
			argv[kk] = NULL;
			a->off_argv = &argv[i];
			a->off_argc = kk - i;
			a->cmd = SK_CTL_CMD_OFFLINE;
			return 0;
		}
		if (!opts_done && strcmp(arg, "--") == 0) {
			opts_done = 1;
			continue;
		}
		if (opts_done || arg[0] != '-' || arg[1] == '\0') {
			if (n_words == MAX_WORDS)
				return fail(err, errlen, "too many arguments");
			words[n_words++] = argv[i];
			continue;
		}
		o = find_opt(arg, &val);
		if (o == NULL)
			return fail(err, errlen, "unknown option '%s'", arg);
		if (val != NULL && !o->has_arg)
			return fail(err, errlen, "--%s takes no value", o->name);
		if (o->has_arg && val == NULL) {
			if (i + 1 >= argc)
				return fail(err, errlen, "--%s needs a value", o->name);
			val = argv[++i];
		}
		if (o->id == OPT_OFFLINE) {
			if (n_words > 0)
				return fail(err, errlen, "--offline goes before the subcommand");
			offline = 1;
		}
		if (o->id == OPT_HELP)
			help = 1;
		a->given |= o->bit;
		rc = set_opt(a, o, val, err, errlen);
		if (rc != 0)
			return rc;
	}
	if (offline)
		return fail(err, errlen, "--offline: missing subcommand (check, trace, lint, exposure)");
	if (a->token != NULL && a->token_file != NULL)
		return fail(err, errlen, "give --token or --token-file, not both");
	if (a->insecure && a->cacert != NULL)
		return fail(err, errlen, "give --cacert or --insecure, not both");
	if (n_words == 0) {
		if (help) {
			a->cmd = SK_CTL_CMD_HELP;
			return 0;
		}
		return fail(err, errlen, "no command given (try 'sekishoctl help')");
	}
	d = match_cmd(words, n_words, &used);
	if (d == NULL) {
		if (n_words >= 1 && (strcmp(words[0], "config") == 0 || strcmp(words[0], "archive") == 0))
			return fail(err, errlen, "%s: which one? (try 'sekishoctl help')", words[0]);
		return fail(err, errlen, "unknown command '%s'", words[0]);
	}
	a->cmd = help ? SK_CTL_CMD_HELP : d->cmd;
	if (help)
		return 0;
	for (k = used; k < n_words; k++) {
		if (a->n_pos == sizeof(a->pos) / sizeof(a->pos[0]))
			return fail(err, errlen, "%s: unexpected argument '%s'", d->words, words[k]);
		a->pos[a->n_pos++] = words[k];
	}
	if (a->given & ~cmd_opts(d->cmd)) {
		for (k = 0; k < N_OPTS; k++)
			if (opt_defs[k].bit & a->given & ~cmd_opts(d->cmd))
				return fail(err, errlen, "%s: --%s does not apply", d->words, opt_defs[k].name);
	}
	return check_cmd(a, d, err, errlen);
}

void
sk_ctl_args_env(struct sk_ctl_args *a, const char *(*getenv_fn)(const char *name))
{
	const char *v;

	if (a->url == NULL) {
		v = getenv_fn("SEKISHO_URL");
		a->url = v != NULL && *v != '\0' ? v : SK_CTL_DEFAULT_URL;
	}
	if (a->token == NULL && a->token_file == NULL) {
		v = getenv_fn("SEKISHO_TOKEN");
		if (v != NULL && *v != '\0')
			a->token = v;
	}
	if (a->cacert == NULL && !a->insecure) {
		v = getenv_fn("SEKISHO_CACERT");
		if (v != NULL && *v != '\0')
			a->cacert = v;
	}
	if (a->timeout_s == 0)
		a->timeout_s = SK_CTL_DEFAULT_TIMEOUT_S;
}

void
sk_ctl_usage(void *fp)
{
	FILE *out = fp;
	size_t i;

	fprintf(out, "usage: sekishoctl [global options] COMMAND [options]\n\ncommands:\n");
	for (i = 0; i < N_CMDS; i++)
		fprintf(out, "  %s%s%s\n", cmd_defs[i].words, cmd_defs[i].synopsis[0] ? " " : "",
			cmd_defs[i].synopsis);
	fprintf(out,
		"  --offline check FILE | trace -f FILE ... | lint -f FILE | exposure -f FILE\n"
		"\nglobal options:\n"
		"  --url URL          the unit's REST API (env SEKISHO_URL, default %s)\n"
		"  --token TOKEN      bearer token (env SEKISHO_TOKEN); prefer --token-file\n"
		"  --token-file FILE  read the token from FILE (- for standard input)\n"
		"  --cacert FILE      trust this certificate (env SEKISHO_CACERT),\n"
		"                     e.g. /var/lib/sekisho/tls/cert.pem\n"
		"  --insecure         do not verify the unit's certificate (warns)\n"
		"  --json             print the API's JSON unchanged\n"
		"  --timeout S        give up on a request after S seconds (default %u)\n"
		"\nexit status: 0 ok, 1 the API said no, 2 usage error, 3 cannot reach the unit\n",
		SK_CTL_DEFAULT_URL, SK_CTL_DEFAULT_TIMEOUT_S);
}
