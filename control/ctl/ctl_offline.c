/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_offline.c - `sekishoctl --offline check|trace|lint|exposure`
 * (ctl_offline.h): a config file in, an answer out, no running
 * unit.  Trace compiles a generation with the dataplane's own builder, so it
 * brings EAL up privately: no hugepages (--no-huge cannot be combined with
 * --in-memory, so --no-shconf), no PCI, no telemetry, a file prefix of its
 * own whose runtime directory is removed on the way out.
 * Exit status: 0 answered, 1 the config is invalid (file:line errors on
 * stderr) or the tool could not run (EAL, memory), 2 usage errors
 * (including a packet that names an unknown zone or interface).
 */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>

#include "cfg.h"
#include "sk_trace_api.h"
#include "ctl_offline.h"
#include "verify/verify.h"

enum { EXIT_OK = 0, EXIT_INVALID = 1, EXIT_USAGE = 2 };

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: sekishoctl --offline [--json] check FILE\n"
		"       sekishoctl --offline [--json] trace -f FILE (--from ZONE | --in IFACE)\n"
		"                  --src ADDR --dst ADDR --proto P [--sport N] [--dport N]\n"
		"                  [--flags S|A|SA|...] [--icmp-type T] [--icmp-code C]\n"
		"                  [--ttl N] [--length BYTES] [--df] [--l2-broadcast]\n"
		"       sekishoctl --offline trace -f FILE --batch PACKETS.jsonl|-\n"
		"       sekishoctl --offline [--json] lint -f FILE\n"
		"       sekishoctl --offline [--json] exposure -f FILE\n"
		"exit status: 0 answered, 1 invalid config or internal error, 2 usage error\n");
}

static struct sk_cfg *
load(const char *path)
{
	struct sk_cfg_diag diag;
	struct sk_cfg *cfg;

	sk_cfg_diag_init(&diag);
	cfg = sk_cfg_load_file(path, &diag);
	if (cfg == NULL)
		sk_cfg_diag_print(&diag, stderr);
	sk_cfg_diag_free(&diag);
	return cfg;
}

static void
emit(const json_t *doc, int compact)
{
	char *s = json_dumps(doc, compact ? JSON_COMPACT : JSON_INDENT(2));

	if (s != NULL) {
		puts(s);
		free(s);
	}
}

static int
cmd_check(const char *path, int json)
{
	struct sk_cfg *cfg = load(path);
	struct sk_cfg_summary s;

	if (cfg == NULL) {
		if (json) {
			json_t *d = json_pack("{s:s,s:b}", "file", path, "valid", 0);

			emit(d, 0);
			json_decref(d);
		}
		return EXIT_INVALID;
	}
	sk_cfg_summarize(cfg, &s);
	if (json) {
		json_t *d = json_pack("{s:s,s:b,s:{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:I,s:I}}",
			"file", path, "valid", 1, "summary", "zones", s.zones, "interfaces", s.ifaces,
			"routes_connected", s.routes_connected, "routes_static", s.routes_static,
			"neighbors", s.neighs, "rules", s.rules, "zone_defaults", s.zone_defaults,
			"acl_rules4", (json_int_t)s.acl_rules4, "acl_rules6", (json_int_t)s.acl_rules6);

		emit(d, 0);
		json_decref(d);
	} else {
		printf("%s: ok: %u zones, %u interfaces, %u rules, %u zone defaults, "
		       "%u routes\n", path, s.zones, s.ifaces, s.rules, s.zone_defaults,
		       s.routes_connected + s.routes_static);
	}
	sk_cfg_free(cfg);
	return EXIT_OK;
}

/* Lint and exposure need only the image. */
static int
cmd_image(const char *path, int json, int lint)
{
	struct sk_cfg *cfg = load(path);
	char err[256];
	void *img = NULL;
	size_t len;
	json_t *doc;

	if (cfg == NULL)
		return EXIT_INVALID;
	img = sk_verify_image(cfg, 0, &len, err, sizeof(err));
	if (img == NULL) {
		fprintf(stderr, "%s: %s\n", path, err);
		sk_cfg_free(cfg);
		return EXIT_INVALID;
	}
	sk_cfg_free(cfg);
	doc = lint ? sk_verify_lint(img, err, sizeof(err)) : sk_verify_exposure(img, err, sizeof(err));
	free(img);
	if (doc == NULL) {
		fprintf(stderr, "%s: %s\n", path, err);
		return EXIT_INVALID;
	}
	if (json)
		emit(doc, 0);
	else if (lint)
		sk_verify_print_lint(stdout, doc);
	else
		sk_verify_print_exposure(stdout, doc);
	json_decref(doc);
	return EXIT_OK;
}

static char eal_dir[256];

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int
eal_up(void)
{
	char prefix[64], mem[] = "256", core[16] = "0";
	const char *base = getenv("XDG_RUNTIME_DIR");
	char *argv[] = { (char *)"sekishoctl", (char *)"--no-huge", (char *)"-m", mem,
		(char *)"--no-pci", (char *)"--no-shconf", (char *)"--no-telemetry", prefix,
		(char *)"--log-level=error", (char *)"-l", core, NULL };
	cpu_set_t cpus;
	int c;

	/* One lcore, on a CPU this process may run on (containers and
	 * taskset often exclude CPU 0). */
	if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0)
		for (c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &cpus)) {
				snprintf(core, sizeof(core), "%d", c);
				break;
			}
	snprintf(prefix, sizeof(prefix), "--file-prefix=skctl%d", (int)getpid());
	/* Where EAL puts its runtime files (eal_get_runtime_dir). */
	snprintf(eal_dir, sizeof(eal_dir), "%s/dpdk/skctl%d",
		 getuid() == 0 || base == NULL ? (getuid() == 0 ? "/var/run" : "/tmp") : base,
		 (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		fprintf(stderr, "trace: cannot start EAL (without hugepages) for the classifier\n");
		return -1;
	}
	return 0;
}

static void
eal_down(void)
{
	rte_eal_cleanup();
	nftw(eal_dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static int
trace_batch(const struct sk_gen *g, const char *path)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *line = NULL, err[256];
	size_t cap = 0;
	int bad = 0;

	if (in == NULL) {
		fprintf(stderr, "trace: %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	while (getline(&line, &cap, in) > 0) {
		json_error_t je;
		json_t *q = json_loads(line, 0, &je), *doc = NULL, *id;
		struct sk_verify_pkt p;

		if (q == NULL) {
			if (strspn(line, " \t\r\n") == strlen(line))
				continue;
			snprintf(err, sizeof(err), "bad JSON: %s", je.text);
		} else if (sk_verify_pkt_from_json(q, &p, err, sizeof(err)) == 0) {
			doc = sk_verify_trace(g, &p, err, sizeof(err));
		}
		if (doc == NULL) {
			doc = json_pack("{s:s}", "error", err);
			bad++;
		}
		/* The caller's id comes back unchanged, to pair answers with questions. */
		id = q != NULL ? json_object_get(q, "id") : NULL;
		if (id != NULL)
			json_object_set(doc, "id", id);
		emit(doc, 1);
		json_decref(doc);
		json_decref(q);
	}
	free(line);
	if (in != stdin)
		fclose(in);
	return bad ? EXIT_USAGE : EXIT_OK;
}

static int
cmd_trace(int argc, char **argv, int json)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' }, { "from", required_argument, NULL, 'z' },
		{ "in", required_argument, NULL, 'i' }, { "src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 'd' }, { "proto", required_argument, NULL, 'p' },
		{ "sport", required_argument, NULL, 'S' }, { "dport", required_argument, NULL, 'D' },
		{ "flags", required_argument, NULL, 'F' },
		{ "icmp-type", required_argument, NULL, 't' },
		{ "icmp-code", required_argument, NULL, 'c' }, { "ttl", required_argument, NULL, 'T' },
		{ "length", required_argument, NULL, 'l' }, { "df", no_argument, NULL, 'x' },
		{ "l2-broadcast", no_argument, NULL, 'b' }, { "batch", required_argument, NULL, 'B' },
		{ "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 },
	};
	static const char *const intkeys[] = { ['S'] = "sport", ['D'] = "dport",
		['t'] = "icmp_type", ['c'] = "icmp_code", ['T'] = "ttl", ['l'] = "length" };
	const char *file = NULL, *batch = NULL;
	json_t *q = json_object();
	struct sk_verify_pkt p;
	struct sk_cfg *cfg;
	struct sk_gen *g;
	char err[256], *end;
	int opt, rc = EXIT_OK;
	long v;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			file = optarg;
			break;
		case 'z':
			json_object_set_new(q, "from", json_string(optarg));
			break;
		case 'i':
			json_object_set_new(q, "in", json_string(optarg));
			break;
		case 's':
			json_object_set_new(q, "src", json_string(optarg));
			break;
		case 'd':
			json_object_set_new(q, "dst", json_string(optarg));
			break;
		case 'p':
			v = strtol(optarg, &end, 10);
			json_object_set_new(q, "proto", *end == '\0' && end != optarg ?
					    json_integer(v) : json_string(optarg));
			break;
		case 'F':
			json_object_set_new(q, "flags", json_string(optarg));
			break;
		case 'S': case 'D': case 't': case 'c': case 'T': case 'l':
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || end == optarg) {
				fprintf(stderr, "trace: --%s takes a number\n", intkeys[opt]);
				json_decref(q);
				return EXIT_USAGE;
			}
			json_object_set_new(q, intkeys[opt], json_integer(v));
			break;
		case 'x':
			json_object_set_new(q, "df", json_true());
			break;
		case 'b':
			json_object_set_new(q, "l2_broadcast", json_true());
			break;
		case 'B':
			batch = optarg;
			break;
		case 'j':
			json = 1;
			break;
		default:
			usage(stderr);
			json_decref(q);
			return EXIT_USAGE;
		}
	}
	if (file == NULL || optind != argc) {
		usage(stderr);
		json_decref(q);
		return EXIT_USAGE;
	}
	/* Check the question before paying for EAL and the build. */
	if (batch == NULL && sk_verify_pkt_from_json(q, &p, err, sizeof(err)) != 0) {
		fprintf(stderr, "trace: %s\n", err);
		json_decref(q);
		return EXIT_USAGE;
	}
	json_decref(q);
	cfg = load(file);
	if (cfg == NULL)
		return EXIT_INVALID;
	if (eal_up() != 0) {
		sk_cfg_free(cfg);
		return EXIT_INVALID;
	}
	g = sk_verify_gen_build(cfg, 0, err, sizeof(err));
	sk_cfg_free(cfg);
	if (g == NULL) {
		fprintf(stderr, "%s: %s\n", file, err);
		eal_down();
		return EXIT_INVALID;
	}
	if (batch != NULL) {
		rc = trace_batch(g, batch);
	} else {
		json_t *doc = sk_verify_trace(g, &p, err, sizeof(err));

		if (doc == NULL) {
			fprintf(stderr, "trace: %s\n", err);
			rc = EXIT_USAGE;
		} else {
			if (json)
				emit(doc, 0);
			else
				sk_verify_print_trace(stdout, doc);
			json_decref(doc);
		}
	}
	sk_trace_gen_free(g);
	eal_down();
	return rc;
}

/* -f FILE or a lone FILE, and --json, for check/lint/exposure. */
static const char *
file_arg(int argc, char **argv, int *json)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' }, { "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL;
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		if (opt == 'f')
			file = optarg;
		else if (opt == 'j')
			*json = 1;
		else
			return NULL;
	}
	if (file == NULL && optind == argc - 1)
		file = argv[optind++];
	return optind == argc ? file : NULL;
}

int
sk_ctl_offline(int argc, char **argv, int json)
{
	const char *file;

	if (argc < 1 || argv[0] == NULL) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[0], "trace") == 0)
		return cmd_trace(argc, argv, json);
	if (strcmp(argv[0], "check") == 0 || strcmp(argv[0], "lint") == 0 ||
	    strcmp(argv[0], "exposure") == 0) {
		file = file_arg(argc, argv, &json);
		if (file == NULL) {
			usage(stderr);
			return EXIT_USAGE;
		}
		if (argv[0][0] == 'c')
			return cmd_check(file, json);
		return cmd_image(file, json, argv[0][0] == 'l');
	}
	if (strcmp(argv[0], "help") == 0 || strcmp(argv[0], "--help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	fprintf(stderr, "unknown offline command '%s'\n", argv[0]);
	usage(stderr);
	return EXIT_USAGE;
}
