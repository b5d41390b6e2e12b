/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ctl.c - sekishoctl without a server: argument parsing of every
 * command, the environment, query-string encoding, exit-status mapping,
 * error reporting, human units, and every table rendered from JSON fixtures
 * shaped like the API's answers (control/api/api.h, docs/sekishoctl.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <curl/curl.h>

#include "sk_test.h"
#include "ctl.h"
#include "ctl_capture.h"
#include "ctl_http.h"
#include "ctl_query.h"
#include "ctl_table.h"
#include "ctl_view.h"

/* ---- helpers ---- */

#define MAX_ARGV 32

/* Parse a command line given as one string (split on spaces). */
static int
parse(const char *line, struct sk_ctl_args *a, char *err, size_t errlen)
{
	static char buf[1024];
	static char *argv[MAX_ARGV + 1];
	int argc = 0;
	char *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "sekishoctl %s", line);
	for (tok = strtok_r(buf, " ", &save); tok != NULL && argc < MAX_ARGV;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	return sk_ctl_args_parse(argc, argv, a, err, errlen);
}

static int
parses_as(const char *line, enum sk_ctl_cmd cmd, struct sk_ctl_args *a)
{
	char err[256];
	int rc = parse(line, a, err, sizeof(err));

	if (rc != 0)
		printf("# '%s': %s\n", line, err);
	return rc == 0 && a->cmd == cmd;
}

static int
usage_error(const char *line, const char *expect_in_msg)
{
	struct sk_ctl_args a;
	char err[256];
	int rc = parse(line, &a, err, sizeof(err));

	if (rc != SK_CTL_EXIT_USAGE || strstr(err, expect_in_msg) == NULL) {
		printf("# '%s': rc %d, err '%s'\n", line, rc, err);
		return 0;
	}
	return 1;
}

static json_t *
fixture(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &e);

	if (j == NULL)
		printf("# fixture: %s at line %d\n", e.text, e.line);
	return j;
}

static int
same(const char *got, const char *want, const char *what)
{
	if (got != NULL && strcmp(got, want) == 0)
		return 1;
	printf("# %s: got:\n%s# want:\n%s", what, got != NULL ? got : "(null)\n", want);
	return 0;
}

/* ---- argument parsing ---- */

static void
test_parse_commands(void)
{
	struct sk_ctl_args a;

	SK_CHECK(parses_as("status", SK_CTL_CMD_STATUS, &a) && a.n_pos == 0, "status");
	SK_CHECK(parses_as("config show", SK_CTL_CMD_CONFIG_SHOW, &a), "config show");
	SK_CHECK(parses_as("config check a.conf", SK_CTL_CMD_CONFIG_CHECK, &a) &&
		 strcmp(a.pos[0], "a.conf") == 0, "config check FILE");
	SK_CHECK(parses_as("config commit a.conf", SK_CTL_CMD_CONFIG_COMMIT, &a) &&
		 !(a.given & SK_CTL_O_REPLACES), "config commit FILE (replaces defaults to current)");
	SK_CHECK(parses_as("config commit a.conf --replaces 41", SK_CTL_CMD_CONFIG_COMMIT, &a) &&
		 (a.given & SK_CTL_O_REPLACES) && a.replaces == 41, "config commit --replaces GEN");
	SK_CHECK(parses_as("config commit --replaces=7 a.conf", SK_CTL_CMD_CONFIG_COMMIT, &a) &&
		 a.replaces == 7 && strcmp(a.pos[0], "a.conf") == 0, "--opt=value before the operand");
	SK_CHECK(parses_as("config commit a.conf --confirm 60", SK_CTL_CMD_CONFIG_COMMIT, &a) &&
		 a.confirm_s == 60 && (a.given & SK_CTL_O_CONFIRM), "config commit --confirm 60");
	SK_CHECK(parses_as("config confirm", SK_CTL_CMD_CONFIG_CONFIRM, &a) && a.gen == 0 &&
		 parses_as("config confirm 12", SK_CTL_CMD_CONFIG_CONFIRM, &a) && a.gen == 12,
		 "config confirm [GEN]");
	SK_CHECK(parses_as("config diff a.conf", SK_CTL_CMD_CONFIG_DIFF, &a), "config diff FILE");
	SK_CHECK(parses_as("config rollback 12", SK_CTL_CMD_CONFIG_ROLLBACK, &a) && a.gen == 12,
		 "config rollback GEN");
	SK_CHECK(parses_as("archives", SK_CTL_CMD_ARCHIVES, &a), "archives");
	SK_CHECK(parses_as("archive show 3", SK_CTL_CMD_ARCHIVE_SHOW, &a) && a.gen == 3,
		 "archive show GEN");
	SK_CHECK(parses_as("archive export 3 -o /tmp/x.skb", SK_CTL_CMD_ARCHIVE_EXPORT, &a) &&
		 a.gen == 3 && strcmp(a.output, "/tmp/x.skb") == 0, "archive export GEN -o FILE");
	SK_CHECK(parses_as("archive import x.skb --commit", SK_CTL_CMD_ARCHIVE_IMPORT, &a) &&
		 a.commit == 1 && strcmp(a.pos[0], "x.skb") == 0, "archive import FILE --commit");
	SK_CHECK(parses_as("archive import x.skb", SK_CTL_CMD_ARCHIVE_IMPORT, &a) && a.commit == 0,
		 "archive import without --commit");
	SK_CHECK(parses_as("zones", SK_CTL_CMD_ZONES, &a), "zones");
	SK_CHECK(parses_as("rules", SK_CTL_CMD_RULES, &a), "rules");
	SK_CHECK(parses_as("conns --src 10.0.0.0/8 --dst 2001:db8::/32 --proto tcp --port 443 --limit 50",
			   SK_CTL_CMD_CONNS, &a) &&
		 strcmp(a.filter.src, "10.0.0.0/8") == 0 && strcmp(a.filter.dst, "2001:db8::/32") == 0 &&
		 strcmp(a.filter.proto, "tcp") == 0 && a.filter.port == 443 && a.filter.limit == 50,
		 "conns with every filter");
	SK_CHECK(parses_as("conns count --proto 17", SK_CTL_CMD_CONNS_COUNT, &a) &&
		 strcmp(a.filter.proto, "17") == 0, "conns count with a protocol number");
	SK_CHECK(parses_as("conns kill --dst 192.0.2.7 --yes", SK_CTL_CMD_CONNS_KILL, &a) && a.yes,
		 "conns kill --yes");
	SK_CHECK(parses_as("conns kill -y", SK_CTL_CMD_CONNS_KILL, &a) && a.yes, "conns kill -y");
	SK_CHECK(parses_as("counters", SK_CTL_CMD_COUNTERS, &a), "counters");
	SK_CHECK(parses_as("trace --from outside --src 203.0.113.10 --dst 198.51.100.80 --proto tcp "
			   "--sport 40000 --dport 80 --flags S", SK_CTL_CMD_TRACE, &a) &&
		 strcmp(a.from, "outside") == 0 && a.in == NULL && a.sport == 40000 &&
		 a.dport == 80 && strcmp(a.flags, "S") == 0, "trace tcp");
	SK_CHECK(parses_as("trace --in eth1 --src 2001:db8::1 --dst 2001:db8::2 --proto icmpv6 "
			   "--icmp-type 128 --icmp-code 0", SK_CTL_CMD_TRACE, &a) &&
		 strcmp(a.in, "eth1") == 0 && a.icmp_type == 128 &&
		 (a.given & SK_CTL_O_ICMP_CODE), "trace icmpv6 --in");
	SK_CHECK(parses_as("lint", SK_CTL_CMD_LINT, &a), "lint");
	SK_CHECK(parses_as("exposure", SK_CTL_CMD_EXPOSURE, &a), "exposure");
	SK_CHECK(parses_as("logs --since 100 --limit 20 --follow", SK_CTL_CMD_LOGS, &a) &&
		 a.since == 100 && a.filter.limit == 20 && a.follow, "logs --since --limit --follow");
	SK_CHECK(parses_as("logs -f", SK_CTL_CMD_LOGS, &a) && a.follow, "logs -f");
	SK_CHECK(parses_as("help", SK_CTL_CMD_HELP, &a), "help");
	SK_CHECK(parses_as("--help", SK_CTL_CMD_HELP, &a), "--help");
	SK_CHECK(parses_as("rules -h", SK_CTL_CMD_HELP, &a), "COMMAND -h is help");
	SK_CHECK(parses_as("config check -", SK_CTL_CMD_CONFIG_CHECK, &a) &&
		 strcmp(a.pos[0], "-") == 0, "'-' is stdin");
}

static void
test_parse_globals(void)
{
	struct sk_ctl_args a;

	SK_CHECK(parses_as("--url https://10.0.0.1:8443 --token-file /run/t --cacert /c.pem "
			   "--json --timeout 5 status", SK_CTL_CMD_STATUS, &a) &&
		 strcmp(a.url, "https://10.0.0.1:8443") == 0 && strcmp(a.token_file, "/run/t") == 0 &&
		 strcmp(a.cacert, "/c.pem") == 0 && a.json && a.timeout_s == 5,
		 "global options before the command");
	SK_CHECK(parses_as("rules --json --insecure --token abc", SK_CTL_CMD_RULES, &a) &&
		 a.json && a.insecure && strcmp(a.token, "abc") == 0,
		 "global options after the command");
	SK_CHECK(parses_as("status --url=https://u:1", SK_CTL_CMD_STATUS, &a) &&
		 strcmp(a.url, "https://u:1") == 0, "--url=VALUE");
	SK_CHECK(parses_as("config check -- -odd-name.conf", SK_CTL_CMD_CONFIG_CHECK, &a) &&
		 strcmp(a.pos[0], "-odd-name.conf") == 0, "'--' ends options");
}

static void
test_parse_errors(void)
{
	SK_CHECK(usage_error("", "no command"), "no command");
	SK_CHECK(usage_error("stauts", "unknown command 'stauts'"), "unknown command");
	SK_CHECK(usage_error("config", "which one"), "config without a subcommand");
	SK_CHECK(usage_error("config frobnicate", "which one"), "unknown config subcommand");
	SK_CHECK(usage_error("rules --bogus", "unknown option '--bogus'"), "unknown option");
	SK_CHECK(usage_error("rules --port 80", "--port does not apply"), "option of another command");
	SK_CHECK(usage_error("conns count --limit 5", "--limit does not apply"), "count takes no --limit");
	SK_CHECK(usage_error("conns --yes", "--yes does not apply"), "--yes only for kill");
	SK_CHECK(usage_error("config check", "missing FILE"), "missing FILE");
	SK_CHECK(usage_error("config check a b", "unexpected argument 'b'"), "extra operand");
	SK_CHECK(usage_error("status now", "unexpected argument 'now'"), "operand to status");
	SK_CHECK(usage_error("config rollback latest", "generation number"), "GEN not a number");
	SK_CHECK(usage_error("config rollback -1", "unknown option"), "negative GEN");
	SK_CHECK(usage_error("config commit a --replaces x", "--replaces"), "bad --replaces");
	SK_CHECK(usage_error("config commit a --confirm 0", "--confirm") &&
		 usage_error("config commit a --confirm 86401", "--confirm") &&
		 usage_error("config rollback 3 --confirm 60", "--confirm") &&
		 usage_error("config confirm x", "GEN"), "bad --confirm / confirm GEN");
	SK_CHECK(usage_error("archive export 3", "-o FILE is required"), "export without -o");
	SK_CHECK(usage_error("conns --src 10.0.0.0/33", "--src"), "prefix too long");
	SK_CHECK(usage_error("conns --dst 10.1", "--dst"), "not an address");
	SK_CHECK(usage_error("conns --dst 2001:db8::/129", "--dst"), "IPv6 prefix too long");
	SK_CHECK(usage_error("conns --port 0", "--port"), "port 0");
	SK_CHECK(usage_error("conns --port 65536", "--port"), "port too big");
	SK_CHECK(usage_error("conns --port 80x", "--port"), "port with junk");
	SK_CHECK(usage_error("conns --proto quic", "--proto"), "unknown protocol");
	SK_CHECK(usage_error("conns --limit 0", "--limit"), "limit 0");
	SK_CHECK(usage_error("conns --src", "--src needs a value"), "missing value");
	SK_CHECK(usage_error("status --json=1", "takes no value"), "flag with a value");
	SK_CHECK(usage_error("status --timeout 0", "--timeout"), "timeout 0");
	SK_CHECK(usage_error("status --token a --token-file b", "not both"), "token and token-file");
	SK_CHECK(usage_error("status --cacert c --insecure", "not both"), "cacert and insecure");
	SK_CHECK(usage_error("trace --src 1.1.1.1 --dst 2.2.2.2 --proto tcp", "exactly one"),
		 "trace without --from/--in");
	SK_CHECK(usage_error("trace --from a --in b --src 1.1.1.1 --dst 2.2.2.2 --proto tcp", "exactly one"),
		 "trace with both --from and --in");
	SK_CHECK(usage_error("trace --from a --src 1.1.1.1 --proto tcp", "required"), "trace without --dst");
	SK_CHECK(usage_error("trace --from a --src 1.1.1.0/24 --dst 2.2.2.2 --proto tcp", "not prefixes"),
		 "trace with a prefix");
	SK_CHECK(usage_error("trace --from a --src 1.1.1.1 --dst 2.2.2.2 --proto icmp --dport 80", "--sport/--dport"),
		 "trace ports with icmp");
	SK_CHECK(usage_error("trace --from a --src 1.1.1.1 --dst 2.2.2.2 --proto udp --flags S", "--flags needs"),
		 "trace flags with udp");
	SK_CHECK(usage_error("trace --from a --src 1.1.1.1 --dst 2.2.2.2 --proto tcp --flags SX", "--flags"),
		 "bad TCP flag letter");
	SK_CHECK(usage_error("trace --from a --src 1.1.1.1 --dst 2.2.2.2 --proto tcp --icmp-type 8", "--icmp-type"),
		 "icmp type with tcp");
	SK_CHECK(usage_error("trace --from a --src 1.1.1.1 --dst 2.2.2.2 --proto icmp --icmp-type 256", "--icmp-type"),
		 "icmp type out of range");
	SK_CHECK(usage_error("logs --since -3", "--since"), "negative --since");
	SK_CHECK(usage_error("--offline", "missing subcommand"), "--offline alone");
	SK_CHECK(usage_error("status --offline", "before the subcommand"), "--offline after the command");
}

static void
test_parse_offline(void)
{
	char *argv[] = { "sekishoctl", "--url", "https://x", "--offline", "trace", "-f", "lab.conf",
			 "--json", "--from", "outside", NULL };
	struct sk_ctl_args a;
	char err[128];
	int rc = sk_ctl_args_parse(10, argv, &a, err, sizeof(err));

	SK_CHECK(rc == 0 && a.cmd == SK_CTL_CMD_OFFLINE && a.json == 1 && a.off_argc == 5 &&
		 strcmp(a.off_argv[0], "trace") == 0 && strcmp(a.off_argv[1], "-f") == 0 &&
		 strcmp(a.off_argv[3], "--from") == 0 && a.off_argv[5] == NULL,
		 "--offline: subcommand and its options handed on, --json taken out");
}

static const char *
fake_env(const char *name)
{
	if (strcmp(name, "SEKISHO_URL") == 0)
		return "https://env:8443";
	if (strcmp(name, "SEKISHO_TOKEN") == 0)
		return "envtoken";
	if (strcmp(name, "SEKISHO_CACERT") == 0)
		return "/env/cert.pem";
	return NULL;
}

static const char *
no_env(const char *name)
{
	(void)name;
	return NULL;
}

static void
test_env(void)
{
	struct sk_ctl_args a;

	parses_as("status", SK_CTL_CMD_STATUS, &a);
	sk_ctl_args_env(&a, fake_env);
	SK_CHECK(strcmp(a.url, "https://env:8443") == 0 && strcmp(a.token, "envtoken") == 0 &&
		 strcmp(a.cacert, "/env/cert.pem") == 0 && a.timeout_s == SK_CTL_DEFAULT_TIMEOUT_S,
		 "environment fills what the command line left unset");
	parses_as("status --url https://cli --token-file /t --insecure --timeout 3", SK_CTL_CMD_STATUS, &a);
	sk_ctl_args_env(&a, fake_env);
	SK_CHECK(strcmp(a.url, "https://cli") == 0 && a.token == NULL && a.cacert == NULL &&
		 a.timeout_s == 3, "command line wins; --token-file and --insecure keep env out");
	parses_as("status", SK_CTL_CMD_STATUS, &a);
	sk_ctl_args_env(&a, no_env);
	SK_CHECK(strcmp(a.url, SK_CTL_DEFAULT_URL) == 0 && a.token == NULL && a.cacert == NULL,
		 "defaults without environment");
}

/* ---- query strings, URLs, exit statuses ---- */

static void
test_query(void)
{
	struct sk_ctl_filter f = { .src = "10.0.0.0/8", .dst = "2001:db8::/32", .proto = "tcp",
				   .port = 443, .limit = 10 };
	struct sk_ctl_filter none = { 0 };
	char q[256], small[24];
	int rc;

	rc = sk_ctl_query_filter(q, sizeof(q), &f);
	SK_CHECK(rc == 0 && strcmp(q, "?src=10.0.0.0%2F8&dst=2001%3Adb8%3A%3A%2F32&proto=tcp&port=443&limit=10") == 0,
		 "filter encoded, '/' and ':' escaped (%s)", q);
	rc = sk_ctl_query_filter(q, sizeof(q), &none);
	SK_CHECK(rc == 0 && q[0] == '\0', "empty filter, empty query");
	q[0] = '\0';
	rc = sk_ctl_query_add(q, sizeof(q), "a b", "x&y=z?%~._-");
	SK_CHECK(rc == 0 && strcmp(q, "?a%20b=x%26y%3Dz%3F%25~._-") == 0,
		 "reserved characters escaped, unreserved kept (%s)", q);
	rc = sk_ctl_query_add(q, sizeof(q), "n", "\xc3\xa9");
	SK_CHECK(rc == 0 && strstr(q, "&n=%C3%A9") != NULL, "UTF-8 bytes escaped");
	strcpy(small, "?since=1");
	rc = sk_ctl_query_add(small, sizeof(small), "limit", "123456789012");
	SK_CHECK(rc == -ENAMETOOLONG && strcmp(small, "?since=1") == 0,
		 "overflow refused, buffer unchanged");
	rc = sk_ctl_query_filter(small, sizeof(small), &f);
	SK_CHECK(rc == -ENAMETOOLONG && small[0] == '\0', "filter overflow leaves nothing half-built");
}

static void
test_url(void)
{
	char u[256];

	SK_CHECK(sk_ctl_url_build(u, sizeof(u), "https://h:8443", "/status", "") == 0 &&
		 strcmp(u, "https://h:8443/api/v1/status") == 0, "URL from base and path");
	SK_CHECK(sk_ctl_url_build(u, sizeof(u), "https://h:8443/api/v1/", "/logs", "?since=3") == 0 &&
		 strcmp(u, "https://h:8443/api/v1/logs?since=3") == 0, "base with /api/v1/ tolerated");
	SK_CHECK(sk_ctl_url_build(u, 20, "https://h:8443", "/status", "") == -ENAMETOOLONG,
		 "URL overflow");
	SK_CHECK(sk_ctl_url_safe("https://10.0.0.1:8443") && sk_ctl_url_safe("HTTPS://x") &&
		 sk_ctl_url_safe("http://127.0.0.1:8080") && sk_ctl_url_safe("http://[::1]:80") &&
		 sk_ctl_url_safe("http://localhost/"), "https anywhere, http to loopback");
	SK_CHECK(!sk_ctl_url_safe("http://10.0.0.1:8443") && !sk_ctl_url_safe("http://localhost.evil.com") &&
		 !sk_ctl_url_safe("http://[::1]x") && !sk_ctl_url_safe("ftp://x") && !sk_ctl_url_safe("10.0.0.1"),
		 "plain http across a network refused");
}

static void
test_exit_codes(void)
{
	SK_CHECK(sk_ctl_exit_for_curl(CURLE_OK) == SK_CTL_EXIT_OK, "curl ok -> 0");
	SK_CHECK(sk_ctl_exit_for_curl(CURLE_COULDNT_CONNECT) == SK_CTL_EXIT_UNREACHABLE &&
		 sk_ctl_exit_for_curl(CURLE_COULDNT_RESOLVE_HOST) == SK_CTL_EXIT_UNREACHABLE &&
		 sk_ctl_exit_for_curl(CURLE_OPERATION_TIMEDOUT) == SK_CTL_EXIT_UNREACHABLE &&
		 sk_ctl_exit_for_curl(CURLE_PEER_FAILED_VERIFICATION) == SK_CTL_EXIT_UNREACHABLE &&
		 sk_ctl_exit_for_curl(CURLE_SSL_CONNECT_ERROR) == SK_CTL_EXIT_UNREACHABLE &&
		 sk_ctl_exit_for_curl(CURLE_RECV_ERROR) == SK_CTL_EXIT_UNREACHABLE,
		 "connect/resolve/timeout/TLS -> 3");
	SK_CHECK(sk_ctl_exit_for_curl(CURLE_URL_MALFORMAT) == SK_CTL_EXIT_USAGE &&
		 sk_ctl_exit_for_curl(CURLE_UNSUPPORTED_PROTOCOL) == SK_CTL_EXIT_USAGE,
		 "bad URL -> 2");
	SK_CHECK(sk_ctl_exit_for_status(200) == 0 && sk_ctl_exit_for_status(201) == 0 &&
		 sk_ctl_exit_for_status(204) == 0, "2xx -> 0");
	SK_CHECK(sk_ctl_exit_for_status(400) == 1 && sk_ctl_exit_for_status(401) == 1 &&
		 sk_ctl_exit_for_status(403) == 1 && sk_ctl_exit_for_status(404) == 1 &&
		 sk_ctl_exit_for_status(409) == 1 && sk_ctl_exit_for_status(422) == 1 &&
		 sk_ctl_exit_for_status(500) == 1 && sk_ctl_exit_for_status(503) == 1 &&
		 sk_ctl_exit_for_status(302) == 1, "4xx/5xx (and redirects) -> 1");
}

static void
test_api_errors(void)
{
	json_t *doc = fixture("{\"code\":\"invalid_config\",\"message\":\"2 errors\",\"details\":{\"errors\":["
			      "{\"file\":\"/etc/sekisho/inc.conf\",\"line\":12,\"message\":\"unknown key 'zonez'\"},"
			      "{\"line\":40,\"message\":\"rule 'web': zone 'dmz' is not defined\"}]}}");
	json_t *stale = fixture("{\"code\":\"stale_generation\",\"message\":\"replaces 4, running is 5\"}");
	FILE *fp;
	size_t len;
	char *s;

	fp = open_memstream(&s, &len);
	sk_ctl_print_api_error(fp, 422, doc, NULL, 0, "new.conf");
	fclose(fp);
	SK_CHECK(same(s, "sekishoctl: HTTP 422 invalid_config: 2 errors\n"
		      "/etc/sekisho/inc.conf:12: unknown key 'zonez'\n"
		      "new.conf:40: rule 'web': zone 'dmz' is not defined\n", "422"),
		 "422: code, message and every file:line error (local file when none given)");
	free(s);
	fp = open_memstream(&s, &len);
	sk_ctl_print_api_error(fp, 409, stale, NULL, 0, NULL);
	fclose(fp);
	SK_CHECK(s != NULL && strstr(s, "sekishoctl: HTTP 409 stale_generation: replaces 4, running is 5\n") == s &&
		 strstr(s, "another commit") != NULL,
		 "409: code, message and a hint");
	free(s);
	fp = open_memstream(&s, &len);
	sk_ctl_print_api_error(fp, 502, NULL, "<html>Bad Gateway</html>\n", 25, NULL);
	fclose(fp);
	SK_CHECK(same(s, "sekishoctl: HTTP 502: <html>Bad Gateway</html>\n", "502"),
		 "an answer not in the error shape is shown as it came");
	free(s);
	json_decref(doc);
	json_decref(stale);
}

static void
test_token_and_files(void)
{
	char path[] = "/tmp/sk_test_ctl_XXXXXX", tok[64], *buf = NULL;
	struct stat st;
	size_t len = 0;
	FILE *fp;
	int fd = mkstemp(path), rc;

	SK_CHECK(fd >= 0, "temp file");
	if (fd < 0)
		return;
	close(fd);
	fp = fopen(path, "w");
	fputs("  s3cr3t-token \n# second line ignored\n", fp);
	fclose(fp);
	SK_CHECK(sk_ctl_token_read(path, tok, sizeof(tok)) == 0 && strcmp(tok, "s3cr3t-token") == 0,
		 "token file: first line, trimmed");
	SK_CHECK(sk_ctl_token_read(path, tok, 8) == -ENAMETOOLONG, "token longer than the buffer refused");
	fp = fopen(path, "w");
	fputs(" \n", fp);
	fclose(fp);
	SK_CHECK(sk_ctl_token_read(path, tok, sizeof(tok)) == -ENODATA, "blank token file refused");
	SK_CHECK(sk_ctl_token_read("/nonexistent/token", tok, sizeof(tok)) == -ENOENT, "missing token file");
	/* "-": standard input as inherited (a file this process could not open) */
	fp = fopen(path, "w");
	fputs("stdin-token\n", fp);
	fclose(fp);
	fp = freopen(path, "r", stdin);
	SK_CHECK(fp != NULL && sk_ctl_token_read("-", tok, sizeof(tok)) == 0 &&
		 strcmp(tok, "stdin-token") == 0, "--token-file - reads standard input");
	SK_CHECK(fp != NULL && fcntl(STDIN_FILENO, F_GETFD) != -1, "standard input left open");

	unlink(path);
	rc = sk_ctl_file_write(path, "bundle\0bytes", 12);
	SK_CHECK(rc == 0 && stat(path, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size == 12,
		 "export written 0600 with all bytes");
	rc = sk_ctl_file_read(path, 1024, &buf, &len);
	SK_CHECK(rc == 0 && len == 12 && memcmp(buf, "bundle\0bytes", 12) == 0, "read back whole");
	free(buf);
	SK_CHECK(sk_ctl_file_read(path, 4, &buf, &len) == -EFBIG && buf == NULL, "size cap");
	unlink(path);
}

/* ---- human units ---- */

static void
test_units(void)
{
	char b[64];

	sk_ctl_fmt_bytes(b, sizeof(b), 0);
	SK_CHECK(strcmp(b, "0 B") == 0, "0 B");
	sk_ctl_fmt_bytes(b, sizeof(b), 1023);
	SK_CHECK(strcmp(b, "1023 B") == 0, "1023 B");
	sk_ctl_fmt_bytes(b, sizeof(b), 1536);
	SK_CHECK(strcmp(b, "1.5 KiB") == 0, "1.5 KiB (%s)", b);
	sk_ctl_fmt_bytes(b, sizeof(b), 1048575);
	SK_CHECK(strcmp(b, "1.0 MiB") == 0, "just under 1 MiB rounds into MiB (%s)", b);
	sk_ctl_fmt_bytes(b, sizeof(b), 3ull << 30);
	SK_CHECK(strcmp(b, "3.0 GiB") == 0, "3.0 GiB (%s)", b);
	sk_ctl_fmt_duration(b, sizeof(b), 45);
	SK_CHECK(strcmp(b, "45s") == 0, "45s");
	sk_ctl_fmt_duration(b, sizeof(b), 192);
	SK_CHECK(strcmp(b, "3m12s") == 0, "3m12s (%s)", b);
	sk_ctl_fmt_duration(b, sizeof(b), 7500);
	SK_CHECK(strcmp(b, "2h05m") == 0, "2h05m (%s)", b);
	sk_ctl_fmt_duration(b, sizeof(b), 4 * 86400 + 3 * 3600 + 59);
	SK_CHECK(strcmp(b, "4d03h") == 0, "4d03h (%s)", b);
	sk_ctl_fmt_time_s(b, sizeof(b), 1700000000);
	SK_CHECK(strcmp(b, "2023-11-14 22:13:20 UTC") == 0, "Unix seconds (%s)", b);
	sk_ctl_fmt_time_ns(b, sizeof(b), 1700000000123456789ull);
	SK_CHECK(strcmp(b, "2023-11-14 22:13:20.123 UTC") == 0, "Unix ns with ms (%s)", b);
}

/* ---- tables from fixtures ---- */

typedef int (*view_fn)(FILE *out, const json_t *doc);

static char *
render(view_fn fn, const char *json, int *rc)
{
	json_t *doc = fixture(json);
	size_t len;
	char *s = NULL;
	FILE *fp = open_memstream(&s, &len);

	*rc = fn(fp, doc);
	fclose(fp);
	json_decref(doc);
	return s;
}

static void
test_table_printer(void)
{
	struct sk_ctl_table *t = sk_ctl_table_new(3);
	const char *r1[] = { "web-in", "12", "1.5 KiB" };
	const char *r2[] = { "µs-rule", "1234567", NULL };
	size_t len;
	FILE *fp;
	char *s;

	sk_ctl_table_col(t, 0, "NAME", 0);
	sk_ctl_table_col(t, 1, "PKTS", 1);
	sk_ctl_table_col(t, 2, "NOTE", 0);
	sk_ctl_table_add(t, r1);
	sk_ctl_table_add(t, r2);
	fp = open_memstream(&s, &len);
	sk_ctl_table_print(fp, t);
	fclose(fp);
	SK_CHECK(same(s, "NAME        PKTS  NOTE\n"
		      "web-in        12  1.5 KiB\n"
		      "µs-rule  1234567  -\n", "table"),
		 "aligned by characters, numbers right, NULL as '-', no trailing blanks");
	free(s);
	sk_ctl_table_free(t);
	sk_ctl_table_free(NULL);
	SK_CHECK(sk_ctl_table_new(0) == NULL && sk_ctl_table_new(SK_CTL_TABLE_MAX_COLS + 1) == NULL,
		 "column count checked");
}

static void
test_view_rules(void)
{
	int rc;
	char *s = render(sk_ctl_view_rules,
		"{\"generation\":5,\"rules\":["
		"{\"id\":1,\"name\":\"web-in\",\"from\":\"outside\",\"to\":\"dmz\",\"proto\":\"tcp\","
		" \"dst\":[\"198.51.100.80\"],\"dport\":[80,443],\"action\":\"accept\",\"log\":false,"
		" \"pkts\":123456,\"bytes\":98765432,\"conns\":321},"
		"{\"id\":2,\"name\":\"dns-out\",\"from\":\"inside\",\"to\":\"outside\",\"proto\":\"udp\","
		" \"dst\":[\"203.0.113.53\"],\"dport\":[53],\"action\":\"accept\",\"log\":true,"
		" \"pkts\":7,\"bytes\":512,\"conns\":7},"
		"{\"id\":3,\"name\":\"deny-rest\",\"from\":\"any\",\"to\":\"any\",\"action\":\"drop\","
		" \"log\":true,\"pkts\":0,\"bytes\":0}]}", &rc);

	SK_CHECK(rc == 0 && same(s,
		"ID  NAME       FROM     TO       PROTO  DST            DPORT   ACTION  LOG    PKTS     BYTES  CONNS\n"
		" 1  web-in     outside  dmz      tcp    198.51.100.80  80,443  accept  no   123456  94.2 MiB    321\n"
		" 2  dns-out    inside   outside  udp    203.0.113.53   53      accept  yes       7     512 B      7\n"
		" 3  deny-rest  any      any      -      -              -       drop    yes       0       0 B      -\n",
		"rules"), "rules table with counters; absent columns (SRC) left out");
	free(s);
	s = render(sk_ctl_view_rules, "{\"rules\":[]}", &rc);
	SK_CHECK(rc == 0 && same(s, "no rules\n", "no rules"), "empty rule set");
	free(s);
	s = render(sk_ctl_view_rules, "\"nonsense\"", &rc);
	SK_CHECK(rc == SK_CTL_EXIT_API, "an answer without rules is an error");
	free(s);
}

static void
test_view_counters(void)
{
	int rc;
	char *s = render(sk_ctl_view_counters,
		"{\"generation\":3,\"forwarded\":1000,\"consumed\":20,"
		" \"drops\":{\"no_route\":0,\"policy_default_drop\":40,\"ip4_bad_checksum\":2,\"tx_full\":0},"
		" \"local\":{\"arp_replies\":5},"
		" \"ports\":{\"outside\":{\"port\":0,\"rx_pkts\":1062,\"rx_bytes\":2048,\"tx_pkts\":1000,"
		"  \"tx_bytes\":1048576,\"rx_missed\":0,\"tx_errors\":0}},"
		" \"rules\":{\"web\":{\"id\":1,\"pkts\":9,\"bytes\":9}},"
		" \"conns\":{\"active\":12,\"capacity\":65536}}", &rc);

	SK_CHECK(rc == 0 && same(s,
		"totals\n"
		"generation:  3\n"
		"forwarded:   1000\n"
		"consumed:    20\n"
		"\n"
		"connections\n"
		"active:    12\n"
		"capacity:  65536\n"
		"\n"
		"DROP REASON          PACKETS  MEANING\n"
		"policy_default_drop       40  no rule matched and the zone pair default is drop\n"
		"ip4_bad_checksum           2  IPv4 header checksum wrong\n"
		"no_route                   0  no route to the destination\n"
		"tx_full                    0  transmit queue full\n"
		"\n"
		"PORT     ID  RX PKTS  RX BYTES  TX PKTS  TX BYTES  RX MISSED  TX ERRORS\n"
		"outside   0     1062   2.0 KiB     1000   1.0 MiB          0          0\n"
		"\n"
		"local (generated or taken by the unit)\n"
		"arp_replies:  5\n", "counters"),
		"counters: totals, drops non-zero first (largest first) with meaning, ports, local");
	free(s);
}

static void
test_view_status_zones(void)
{
	int rc;
	char *s = render(sk_ctl_view_status,
		"{\"unit\":\"fw-a\",\"version\":\"0.1.0\",\"generation\":7,\"uptime\":93784,"
		" \"dataplane\":{\"attached\":true,\"generation\":7}}", &rc);

	SK_CHECK(rc == 0 && same(s,
		"unit:                  fw-a\n"
		"version:               0.1.0\n"
		"generation:            7\n"
		"uptime:                1d02h\n"
		"dataplane.attached:    yes\n"
		"dataplane.generation:  7\n", "status"),
		"status: nested keys flattened, uptime in human units");
	free(s);
	s = render(sk_ctl_view_zones,
		"{\"zones\":[{\"name\":\"outside\",\"id\":1,\"interfaces\":[{\"name\":\"eth0\","
		" \"device\":\"net_tap0\",\"mtu\":1500,\"addresses\":[\"203.0.113.1/24\",\"2001:db8::1/64\"]}]},"
		" {\"name\":\"inside\",\"id\":2,\"interfaces\":[]}]}", &rc);
	SK_CHECK(rc == 0 && same(s,
		"ZONE     ID  INTERFACES\n"
		"outside   1  eth0\n"
		"inside    2  -\n"
		"\n"
		"INTERFACE  ZONE     DEVICE     MTU  ADDRESSES\n"
		"eth0       outside  net_tap0  1500  203.0.113.1/24,2001:db8::1/64\n", "zones"),
		"zones and their interfaces");
	free(s);
}

static int
view_conns_at(FILE *out, const json_t *doc)
{
	return sk_ctl_view_conns(out, doc, 1700000100);
}

static int
view_archives_at(FILE *out, const json_t *doc)
{
	return sk_ctl_view_archives(out, doc, 1700003600);
}

static void
test_view_conns_archives(void)
{
	int rc;
	char *s = render(view_conns_at,
		"{\"connections\":[{\"proto\":\"tcp\",\"src\":\"203.0.113.10\",\"sport\":40000,"
		" \"dst\":\"10.10.0.11\",\"dport\":80,\"state\":\"established\",\"rule\":\"web-in\","
		" \"created\":1700000000,\"idle\":3,\"pkts\":10,\"bytes\":4096},"
		" {\"proto\":\"udp\",\"src\":\"2001:db8:10::11\",\"sport\":5353,\"dst\":\"2001:db8::53\","
		" \"dport\":53,\"rule\":\"dns-out\",\"created\":1700000090,\"idle\":10,\"pkts\":2,\"bytes\":180}],"
		" \"truncated\":false}", &rc);

	SK_CHECK(rc == 0 && same(s,
		"PROTO  SRC              SPORT  DST           DPORT  STATE        RULE       AGE  IDLE  PKTS    BYTES\n"
		"tcp    203.0.113.10     40000  10.10.0.11       80  established  web-in   1m40s    3s    10  4.0 KiB\n"
		"udp    2001:db8:10::11   5353  2001:db8::53     53  -            dns-out    10s   10s     2    180 B\n",
		"conns"), "connections table: ports right-aligned, age from created, human bytes");
	free(s);
	s = render(view_conns_at, "{\"connections\":[]}", &rc);
	SK_CHECK(rc == 0 && same(s, "no connections\n", "no conns"), "no connections");
	free(s);
	s = render(view_archives_at,
		"{\"archives\":[{\"generation\":6,\"time\":1700000000,\"principal\":\"ops\","
		" \"size\":2300,\"checksum\":\"1a2b3c4d\"},"
		" {\"generation\":7,\"time\":1700003000,\"principal\":\"ops\",\"size\":2400,"
		" \"checksum\":\"5e6f7a8b\",\"running\":true}]}", &rc);
	SK_CHECK(rc == 0 && same(s,
		"GEN  COMMITTED                   AGE  BY      SIZE  CHECKSUM  RUNNING\n"
		"  6  2023-11-14 22:13:20 UTC   1h00m  ops  2.2 KiB  1a2b3c4d  -\n"
		"  7  2023-11-14 23:03:20 UTC  10m00s  ops  2.3 KiB  5e6f7a8b  yes\n",
		"archives"), "archives table");
	free(s);
}

static void
test_view_verify(void)
{
	int rc;
	char *s = render(sk_ctl_view_trace,
		"{\"verdict\":\"accept\",\"rule\":{\"id\":1,\"name\":\"web-in\"},\"from\":\"outside\","
		" \"to\":\"dmz\",\"steps\":[\"parse ok\",{\"stage\":\"route\",\"result\":\"eth1 via 10.10.0.11\"},"
		" {\"stage\":\"policy\",\"result\":\"rule web-in\"}]}", &rc);

	SK_CHECK(rc == 0 && same(s,
		"verdict: accept (rule web-in)\n"
		"\n"
		"rule.id:    1\n"
		"rule.name:  web-in\n"
		"from:       outside\n"
		"to:         dmz\n"
		"\n"
		"steps:\n"
		"   1. parse ok\n"
		"   2. route: eth1 via 10.10.0.11\n"
		"   3. policy: rule web-in\n", "trace"),
		"trace: verdict first, details, numbered steps");
	free(s);
	s = render(sk_ctl_view_lint,
		"{\"findings\":[{\"severity\":\"warning\",\"check\":\"shadowed\",\"rule\":\"ssh-any\","
		" \"line\":41,\"message\":\"never matches: rule 'deny-all' (line 30) matches first\"}]}", &rc);
	SK_CHECK(rc == 0 && same(s,
		"SEVERITY  CHECK     RULE     LINE  MESSAGE\n"
		"warning   shadowed  ssh-any    41  never matches: rule 'deny-all' (line 30) matches first\n",
		"lint"), "lint findings");
	free(s);
	s = render(sk_ctl_view_lint, "{\"findings\":[]}", &rc);
	SK_CHECK(rc == 0 && same(s, "no findings\n", "lint empty"), "no findings");
	free(s);
	s = render(sk_ctl_view_exposure,
		"{\"exposure\":[{\"from\":\"outside\",\"to\":\"dmz\",\"dst\":[\"198.51.100.80\"],"
		" \"proto\":\"tcp\",\"ports\":[80,443],\"rule\":\"web-in\"}]}", &rc);
	SK_CHECK(rc == 0 && same(s,
		"FROM     TO   DST            PROTO  PORTS   RULE\n"
		"outside  dmz  198.51.100.80  tcp    80,443  web-in\n", "exposure"), "exposure table");
	free(s);
	s = render(sk_ctl_view_exposure, "{\"reach\":[{\"zone_a\":\"x\",\"n\":2}]}", &rc);
	SK_CHECK(rc == 0 && same(s, "zone_a  n\nx       2\n", "own keys"),
		 "unknown row shape: the rows' own keys become the columns");
	free(s);
}

static void
test_trace_body(void)
{
	struct sk_ctl_args a;
	json_t *b;
	char *s;

	parses_as("trace --from outside --src 203.0.113.10 --dst 198.51.100.80 --proto tcp --dport 443 "
		  "--flags S", SK_CTL_CMD_TRACE, &a);
	b = sk_ctl_trace_body(&a);
	s = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS);
	SK_CHECK(s != NULL && strcmp(s, "{\"dport\":443,\"dst\":\"198.51.100.80\",\"flags\":\"S\","
		 "\"from\":\"outside\",\"proto\":\"tcp\",\"src\":\"203.0.113.10\"}") == 0,
		 "trace body: only what was given (%s)", s);
	free(s);
	json_decref(b);
	b = sk_ctl_commit_body("zones = ();\n", 9);
	s = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS);
	SK_CHECK(s != NULL && strcmp(s, "{\"replaces\":9,\"text\":\"zones = ();\\n\"}") == 0,
		 "commit body names the generation it replaces");
	free(s);
	json_decref(b);
}

static void
test_view_check_commit(void)
{
	json_t *ok = fixture("{\"valid\":true,\"summary\":{\"zones\":3,\"rules\":12}}");
	json_t *bad = fixture("{\"valid\":false,\"errors\":[{\"line\":3,\"message\":\"bad\"}]}");
	json_t *cm = fixture("{\"generation\":8,\"build_ms\":12}");
	FILE *fp, *fe;
	size_t l1, l2;
	char *s, *e;
	int rc;

	fp = open_memstream(&s, &l1);
	fe = open_memstream(&e, &l2);
	rc = sk_ctl_view_check(fp, fe, ok, "a.conf");
	fclose(fp);
	fclose(fe);
	SK_CHECK(rc == 0 && same(s, "a.conf: ok\nzones:  3\nrules:  12\n", "check ok") && e[0] == '\0',
		 "check: ok and summary");
	free(s);
	free(e);
	fp = open_memstream(&s, &l1);
	fe = open_memstream(&e, &l2);
	rc = sk_ctl_view_check(fp, fe, bad, "a.conf");
	fclose(fp);
	fclose(fe);
	SK_CHECK(rc == SK_CTL_EXIT_API && s[0] == '\0' &&
		 same(e, "a.conf:3: bad\na.conf: invalid (1 errors)\n", "check bad"),
		 "check: a 200 that says invalid fails with file:line errors");
	free(s);
	free(e);
	fp = open_memstream(&s, &l1);
	rc = sk_ctl_view_commit(fp, cm, 7);
	fclose(fp);
	SK_CHECK(rc == 0 && same(s, "running generation 8 (replaced 7), built in 12 ms\n", "commit"),
		 "commit result");
	free(s);
	json_decref(ok);
	json_decref(bad);
	json_decref(cm);
}

static void
test_logs(void)
{
	json_t *doc = fixture(
		"{\"records\":[{\"seq\":11,\"ts\":1700000000250000000,\"kind\":\"drop\",\"rule\":\"deny-ssdp\","
		" \"in_iface\":\"eth0\",\"proto\":\"udp\",\"src\":\"203.0.113.9\",\"sport\":1900,"
		" \"dst\":\"239.255.255.250\",\"dport\":1900,\"len\":120},"
		" {\"seq\":12,\"ts\":1700000001000000000,\"kind\":\"reject\",\"rule\":\"no-ssh\","
		" \"in_iface\":\"eth0\",\"proto\":\"tcp\",\"src\":\"2001:db8::9\",\"sport\":5555,"
		" \"dst\":\"2001:db8::1\",\"dport\":22,\"len\":80}]}");
	json_t *with_next = fixture("{\"records\":[],\"next\":40}");
	uint64_t next;
	unsigned int n;
	size_t len;
	FILE *fp;
	char *s;

	fp = open_memstream(&s, &len);
	SK_CHECK(sk_ctl_view_logs(fp, doc, 1) == 0, "follow lines rendered");
	fclose(fp);
	SK_CHECK(same(s,
		"2023-11-14 22:13:20.250 UTC drop rule=deny-ssdp in=eth0 udp 203.0.113.9:1900 -> 239.255.255.250:1900 len=120\n"
		"2023-11-14 22:13:21.000 UTC reject rule=no-ssh in=eth0 tcp [2001:db8::9]:5555 -> [2001:db8::1]:22 len=80\n",
		"log lines"), "log lines, IPv6 endpoints bracketed");
	free(s);
	SK_CHECK(sk_ctl_logs_next(doc, 11, &next, &n) == 0 && next == 13 && n == 2,
		 "next poll starts past the highest seq");
	SK_CHECK(sk_ctl_logs_next(with_next, 7, &next, &n) == 0 && next == 40 && n == 0,
		 "the API's next wins");
	SK_CHECK(sk_ctl_logs_next(NULL, 7, &next, &n) == SK_CTL_EXIT_API && next == 7,
		 "no records list is an error");
	json_decref(doc);
	json_decref(with_next);
}

static void
test_filter_describe(void)
{
	struct sk_ctl_filter f = { .src = "10.0.0.0/8", .proto = "tcp", .port = 22 };
	struct sk_ctl_filter none = { 0 };
	char b[128];

	sk_ctl_filter_describe(b, sizeof(b), &f);
	SK_CHECK(strcmp(b, "src=10.0.0.0/8 proto=tcp port=22") == 0, "filter described (%s)", b);
	sk_ctl_filter_describe(b, sizeof(b), &none);
	SK_CHECK(strcmp(b, "all connections") == 0, "no filter: all connections");
}

/* sekishoctl capture: options, bounds always present, the dumpcap command
 * line, and the port found by name or id in a /counters answer. */
static void
test_capture(void)
{
	struct sk_ctl_args a;
	struct sk_ctl_capture_argv av;
	char err[256], joined[1024] = "";
	char *argv[] = { "sekishoctl", "capture", "outside", "--filter", "tcp port 80 or icmp",
			 "-c", "50", "-w", "/tmp/o.pcapng", NULL };
	json_t *ctr;
	uint16_t id = 0;
	size_t i;

	SK_CHECK(parses_as("capture inside -w /tmp/x.pcapng", SK_CTL_CMD_CAPTURE, &a) &&
		 strcmp(a.capture.port, "inside") == 0 &&
		 a.capture.duration_s == SK_CTL_CAPTURE_DUR_DEF_S &&
		 a.capture.max_size_mb == SK_CTL_CAPTURE_SIZE_DEF_MB && a.capture.count == 0,
		 "capture: default bounds %u s, %u MB", a.capture.duration_s, a.capture.max_size_mb);
	SK_CHECK(parses_as("capture 2 --count 10 --duration 5 --max-size 3 --snaplen 128 "
			   "--file-prefix sekisho-lab --write=/tmp/y", SK_CTL_CMD_CAPTURE, &a) &&
		 a.capture.count == 10 && a.capture.duration_s == 5 && a.capture.max_size_mb == 3 &&
		 a.capture.snaplen == 128 && strcmp(a.capture.file_prefix, "sekisho-lab") == 0 &&
		 strcmp(a.capture.file, "/tmp/y") == 0, "capture: every option");
	SK_CHECK(usage_error("capture outside", "-w FILE is required"), "capture without -w");
	SK_CHECK(usage_error("capture -w /tmp/x", "missing PORT"), "capture without PORT");
	SK_CHECK(usage_error("capture a -w x --max-size 1025", "--max-size"), "size over the hard cap");
	SK_CHECK(usage_error("capture a -w x --max-size 0", "--max-size"), "size 0");
	SK_CHECK(usage_error("capture a -w x --duration 3601", "--duration"), "duration over the cap");
	SK_CHECK(usage_error("capture a -w x --count 0", "--count"), "count 0");
	SK_CHECK(usage_error("capture a -w x --file-prefix ../x", "--file-prefix"), "prefix with /");
	SK_CHECK(usage_error("status --filter x", "does not apply"), "--filter only for capture");

	SK_CHECK(sk_ctl_args_parse(9, argv, &a, err, sizeof(err)) == 0, "capture argv: %s", err);
	SK_CHECK(sk_ctl_capture_argv(&a.capture, "dpdk-dumpcap", "sekisho-lab", 0, &av) == 0,
		 "dumpcap command line built");
	for (i = 0; av.argv[i] != NULL; i++) {
		strcat(joined, i ? "|" : "");
		strcat(joined, av.argv[i]);
	}
	printf("# %s\n", joined);
	SK_CHECK(strcmp(joined, "dpdk-dumpcap|--file-prefix=sekisho-lab|-i|0|-p|-n|-w|/tmp/o.pcapng|"
			"-a|filesize:65536|-a|duration:60|-c|50|-f|tcp port 80 or icmp") == 0,
		 "dumpcap: prefix, port, no promiscuous, pcapng, size and time bounds, count, filter");
	a.capture.max_size_mb = SK_CTL_CAPTURE_SIZE_MAX_MB + 1;
	SK_CHECK(sk_ctl_capture_argv(&a.capture, "dpdk-dumpcap", "p", 0, &av) == -EINVAL,
		 "no command line past the hard size cap");
	a.capture.max_size_mb = 1;
	a.capture.duration_s = 0;
	SK_CHECK(sk_ctl_capture_argv(&a.capture, "dpdk-dumpcap", "p", 0, &av) == -EINVAL,
		 "no command line without a time bound");

	ctr = fixture("{\"ports\": {\"outside\": {\"port\": 0}, \"inside\": {\"port\": 2}}}");
	SK_CHECK(sk_ctl_capture_port(ctr, "inside", &id) == 0 && id == 2, "port by name");
	SK_CHECK(sk_ctl_capture_port(ctr, "0", &id) == 0 && id == 0, "port by id");
	SK_CHECK(sk_ctl_capture_port(ctr, "1", &id) == -ENOENT, "a port id the unit does not use");
	SK_CHECK(sk_ctl_capture_port(ctr, "dmz", &id) == -ENOENT, "an unknown name");
	json_decref(ctr);
}

int
main(void)
{
	test_parse_commands();
	test_parse_globals();
	test_parse_errors();
	test_parse_offline();
	test_env();
	test_query();
	test_url();
	test_exit_codes();
	test_api_errors();
	test_token_and_files();
	test_units();
	test_table_printer();
	test_view_rules();
	test_view_counters();
	test_view_status_zones();
	test_view_conns_archives();
	test_view_verify();
	test_trace_body();
	test_view_check_commit();
	test_logs();
	test_filter_describe();
	test_capture();
	return SK_TEST_DONE();
}
