/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp_main.c - sekisho-cp.  `--check FILE` validates a config and
 * `--compile FILE -o OUT` writes the binary image the dataplane loads (no
 * EAL, no running dataplane: they work on a build host and in CI);
 * `--serve FILE` runs the control-plane daemon (cp_daemon.c) and
 * `--commit FILE` commits from the console (cp_console.c).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cfg.h"
#include "cp_console.h"
#include "cp_daemon.h"
#include "sk_image_api.h"

enum { EXIT_INVALID = 1, EXIT_USAGE = 2 };

static void
usage(FILE *out, const char *prog)
{
	fprintf(out,
		"usage: %s --check FILE\n"
		"       %s --compile FILE -o OUT\n"
		"       %s --keys\n"
		"       %s --commit FILE [--replaces GEN]\n"
		"       %s --serve FILE [--unit N]\n"
		"\n"
		"  -c, --check FILE     validate FILE; errors go to stderr as file:line: message\n"
		"  -C, --compile FILE   validate FILE and write its binary image to OUT\n"
		"  -o, --output OUT     image file, replaced atomically\n"
		"  -k, --keys           print every config key with type, default and range\n"
		"  -m, --commit FILE    validate FILE and commit it to the running dataplane\n"
		"                       (console path; the REST API is the usual one)\n"
		"  -r, --replaces GEN   the generation the commit replaces (default: running)\n"
		"  -s, --serve FILE     run the control-plane daemon (REST API, archives, logs)\n"
		"  -u, --unit N         HA unit id, 1 or 2 (default: /etc/sekisho/unit; only\n"
		"                       an HA config needs it)\n"
		"  -h, --help           this text\n"
		"\n"
		"exit status: 0 ok, 1 the config has errors, 2 usage error\n",
		prog, prog, prog, prog, prog);
}

static void
print_summary(const char *path, const struct sk_cfg *cfg)
{
	struct sk_cfg_summary s;

	sk_cfg_summarize(cfg, &s);
	printf("%s: ok\n", path);
	printf("  zones %u, interfaces %u (addresses %u)\n", s.zones, s.ifaces, s.addrs);
	printf("  routes %u (connected %u, static %u), static neighbours %u\n",
	       s.routes_connected + s.routes_static, s.routes_connected, s.routes_static,
	       s.neighs);
	printf("  services %u (backends %u)\n", s.services, s.backends);
	printf("  rules %u, zone defaults %u, ACL entries after expansion: "
	       "%" PRIu64 " IPv4, %" PRIu64 " IPv6\n",
	       s.rules, s.zone_defaults, s.acl_rules4, s.acl_rules6);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "check", required_argument, NULL, 'c' },
		{ "compile", required_argument, NULL, 'C' },
		{ "output", required_argument, NULL, 'o' },
		{ "keys", no_argument, NULL, 'k' },
		{ "commit", required_argument, NULL, 'm' },
		{ "serve", required_argument, NULL, 's' },
		{ "replaces", required_argument, NULL, 'r' },
		{ "unit", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *check = NULL, *compile = NULL, *out = NULL, *commit = NULL, *serve = NULL;
	long long replaces = -1;
	struct sk_cfg_diag diag;
	struct sk_cfg *cfg;
	int opt, keys = 0, rc, unit = 0;

	while ((opt = getopt_long(argc, argv, "c:C:o:khm:r:s:u:", opts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			commit = optarg;
			break;
		case 's':
			serve = optarg;
			break;
		case 'u':
			if ((optarg[0] != '1' && optarg[0] != '2') || optarg[1] != '\0') {
				fprintf(stderr, "%s: --unit must be 1 or 2\n", argv[0]);
				return EXIT_USAGE;
			}
			unit = optarg[0] - '0';
			break;
		case 'r':
			replaces = atoll(optarg);
			break;
		case 'c':
			check = optarg;
			break;
		case 'C':
			compile = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'k':
			keys = 1;
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 0;
		default:
			usage(stderr, argv[0]);
			return EXIT_USAGE;
		}
	}
	if (optind != argc || (!!check + !!compile + !!commit + !!serve + keys) != 1 || (compile && !out) ||
	    (!compile && out)) {
		usage(stderr, argv[0]);
		return EXIT_USAGE;
	}
	if (keys) {
		sk_cfg_keys_print(stdout);
		return 0;
	}

	sk_cfg_diag_init(&diag);
	if (commit != NULL)
		return sk_cp_console_commit(commit, replaces);
	if (serve != NULL)
		return sk_cp_daemon_unit(serve, unit);
	cfg = sk_cfg_load_file(check ? check : compile, &diag);
	if (cfg == NULL) {
		sk_cfg_diag_print(&diag, stderr);
		sk_cfg_diag_free(&diag);
		return EXIT_INVALID;
	}
	sk_cfg_diag_free(&diag);
	rc = 0;
	if (check) {
		print_summary(check, cfg);
	} else {
		char err[512];
		void *img = NULL;
		size_t len = 0;

		if (sk_cfg_image_build(cfg, &img, &len, err, sizeof(err)) != 0 ||
		    sk_cfg_image_write(img, len, out, err, sizeof(err)) != 0) {
			fprintf(stderr, "%s: %s\n", compile, err);
			rc = EXIT_INVALID;
		} else {
			printf("%s: wrote %s (%zu bytes)\n", compile, out, len);
		}
		free(img);
	}
	sk_cfg_free(cfg);
	return rc;
}
