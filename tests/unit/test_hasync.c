/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_hasync.c - two HA modules (control/ha) in one process over
 * 127.0.0.1/127.0.0.2 with real configs, archives and a stand-in dataplane
 * per unit: config sync (a commit on the active runs on the standby as the
 * same generation with the same image, archived there, lag measured; a
 * dataplane that refuses is reported on both sides and retried; a standby
 * that joins late takes the active's config and becomes ready; a standby
 * that is ahead is not overwritten), and the takeover hook (run on the
 * changes to and from active with role, term, unit, cluster and the
 * floating addresses on its stdin, its result in the status).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "cp.h"
#include "ha/ha_link.h" /* and through it control/ha/ha.h */
#include "ha/ha_priv.h"
#include "sk_image_api.h"
#include "store/store.h"
#include "sk_test.h"

struct fake_dp {
	uint64_t gen;
	int fail;
	unsigned int calls;
};

/* Numbers a generation as dataplane/mbox does: the header's, if set. */
static int
fake_commit(void *ctx, const void *img, size_t len, uint64_t replaces, uint64_t *gen,
	    uint64_t *build_us, char *err, size_t errlen)
{
	struct fake_dp *dp = ctx;
	uint64_t id = ((const struct sk_image_hdr *)img)->generation;

	__atomic_add_fetch(&dp->calls, 1, __ATOMIC_RELAXED);
	if (__atomic_load_n(&dp->fail, __ATOMIC_RELAXED)) {
		snprintf(err, errlen, "refused by the stand-in dataplane");
		return -EINVAL;
	}
	if (replaces != dp->gen)
		return -ESTALE;
	if (sk_image_verify(img, len, err, errlen) != 0)
		return -EINVAL;
	id = id != 0 ? id : dp->gen + 1;
	if (id <= dp->gen)
		return -EINVAL;
	*gen = dp->gen = id;
	*build_us = 1;
	return 0;
}

static char dir[] = "/tmp/sk-hasync-XXXXXX";
static char key[128], hook[128], hooklog[128];
static uint16_t base;
static struct sk_cp cp[2];
static struct fake_dp dp[2];
static struct sk_ha *ha[2];

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static uint64_t
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The config both units run; mtu varies between generations. */
static char *
text(unsigned int mtu)
{
	char *t;

	if (asprintf(&t,
		 "zones = ( \"out\", \"in\" );\n"
		 "interfaces = (\n"
		 "  { name = \"out\"; device = \"0000:00:06.0\"; zone = \"out\"; mtu = %u;\n"
		 "    units = ( { ipv4 = [ \"203.0.113.2/24\" ]; }, { ipv4 = [ \"203.0.113.3/24\" ]; } );\n"
		 "    floating_ipv4 = [ \"203.0.113.1/24\" ]; },\n"
		 "  { name = \"in\"; device = \"0000:00:07.0\"; zone = \"in\";\n"
		 "    units = ( { ipv6 = [ \"2001:db8:10::2/64\" ]; }, { ipv6 = [ \"2001:db8:10::3/64\" ]; } );\n"
		 "    floating_ipv6 = [ \"2001:db8:10::1/64\" ]; }\n"
		 ");\n"
		 "ha = {\n  cluster = \"sync-test\";\n  psk_file = \"%s\";\n"
		 "  heartbeat_ms = 20; dead_ms = 300;\n"
		 "  units = ( { priority = 200; ha_address = \"127.0.0.1\"; ha_port = %u; },\n"
		 "            { priority = 100; ha_address = \"127.0.0.2\"; ha_port = %u; } );\n"
		 "  hook = { path = \"%s\"; timeout_ms = 2000; retries = 1; };\n"
		 "};\n", mtu, key, base, base + 1, hook) < 0)
		return NULL;
	return t;
}

static void
on_committed(struct sk_cp *c, const char *principal, const char *source)
{
	(void)principal;
	(void)source;
	sk_ha_committed(c->ha, c->generation, c->running_img, c->running_img_len,
			c->running_text, strlen(c->running_text));
}

/* A unit that has run generation 1 (text t) since its boot. */
static int
unit_boot(int i, const char *t)
{
	struct sk_cfg_diag d;
	char err[256], sd[200];
	struct sk_cfg *cfg;
	void *img = NULL;
	size_t len = 0;

	memset(&cp[i], 0, sizeof(cp[i]));
	snprintf(sd, sizeof(sd), "%s/unit%d", dir, i + 1);
	mkdir(sd, 0700);
	cp[i].state_dir = strdup(sd);
	if (sk_store_open(cp[i].state_dir, 0, &cp[i].store, err, sizeof(err)) != 0)
		return -1;
	sk_cfg_diag_init(&d);
	cfg = sk_cfg_load_string(t, "test", &d);
	if (cfg == NULL || sk_cfg_image_build(cfg, &img, &len, err, sizeof(err)) != 0) {
		printf("# config: %s\n", cfg == NULL ? sk_cfg_diag_msg(&d, 0) : err);
		sk_cfg_diag_free(&d);
		return -1;
	}
	sk_cfg_diag_free(&d);
	((struct sk_image_hdr *)img)->generation = 1;
	cp[i].running = cfg;
	cp[i].running_text = strdup(t);
	cp[i].running_img = img;
	cp[i].running_img_len = len;
	cp[i].generation = 1;
	cp[i].committed = on_committed;
	pthread_mutex_init(&cp[i].dp_lock, NULL);
	pthread_mutex_init(&cp[i].log_lock, NULL);
	dp[i].gen = 1;
	dp[i].fail = 0;
	return 0;
}

static int
unit_start(int i)
{
	char err[256];

	if (sk_ha_start(&cp[i], (unsigned int)i + 1, &ha[i], err, sizeof(err)) != 0) {
		printf("# unit %d: %s\n", i + 1, err);
		return -1;
	}
	sk_ha_set_commit_fn(ha[i], fake_commit, &dp[i]);
	cp[i].ha = ha[i];
	return 0;
}

static void
unit_free(int i)
{
	sk_ha_stop(&ha[i]);
	cp[i].ha = NULL;
	sk_store_close(cp[i].store);
	sk_cfg_free(cp[i].running);
	free(cp[i].running_text);
	free(cp[i].running_img);
	free((char *)cp[i].state_dir);
	memset(&cp[i], 0, sizeof(cp[i]));
}

static int
wait_for(int i, uint32_t role, uint64_t gen, int ready, unsigned int ms, struct sk_ha_status *st)
{
	uint64_t end = ms_now() + ms;

	do {
		sk_ha_status(ha[i], st);
		if ((role == SK_HA_ROLE__MAX || st->role == role) && (gen == 0 || st->generation == gen) &&
		    (ready < 0 || st->ready == ready))
			return 1;
		sleep_ms(10);
	} while (ms_now() < end);
	return 0;
}

/* Commit a text on unit i as REST does (under its dp_lock). */
static int
commit(int i, const char *t)
{
	struct sk_store_commit_res res;
	struct sk_cfg_diag d;
	char err[256];
	int rc;

	sk_cfg_diag_init(&d);
	pthread_mutex_lock(&cp[i].dp_lock);
	rc = sk_store_commit(&cp[i], t, strlen(t), cp[i].generation, "test", NULL, fake_commit,
			     &dp[i], &d, &res, err, sizeof(err));
	pthread_mutex_unlock(&cp[i].dp_lock);
	sk_cfg_diag_free(&d);
	if (rc != 0)
		printf("# commit on unit %d: %s\n", i + 1, err);
	return rc;
}

static int
same_archive(uint64_t gen)
{
	void *a = NULL, *b = NULL;
	char *ta = NULL, *tb = NULL, err[256];
	size_t la = 0, lb = 0, tla = 0, tlb = 0;
	int same;

	same = sk_store_get(cp[0].store, gen, &ta, &tla, &a, &la, NULL, err, sizeof(err)) == 0 &&
	       sk_store_get(cp[1].store, gen, &tb, &tlb, &b, &lb, NULL, err, sizeof(err)) == 0 &&
	       la == lb && memcmp(a, b, la) == 0 && tla == tlb && memcmp(ta, tb, tla) == 0;
	free(a);
	free(b);
	free(ta);
	free(tb);
	return same;
}

static int
hook_saw(const char *needle, unsigned int ms)
{
	uint64_t end = ms_now() + ms;
	char buf[8192];

	do {
		FILE *fp = fopen(hooklog, "r");
		size_t n = 0;

		if (fp != NULL) {
			n = fread(buf, 1, sizeof(buf) - 1, fp);
			fclose(fp);
		}
		buf[n] = '\0';
		if (strstr(buf, needle) != NULL)
			return 1;
		sleep_ms(20);
	} while (ms_now() < end);
	printf("# hook log: %s\n", buf);
	return 0;
}

int
main(void)
{
	struct sk_ha_status st[2];
	char *t1, *t2, *t3, *t4, *t5, err[256];
	unsigned int calls;
	FILE *fp;
	uint64_t t0;
	int fd;

	if (mkdtemp(dir) == NULL)
		return 1;
	base = (uint16_t)(20000 + getpid() % 20000);
	snprintf(key, sizeof(key), "%s/ha.key", dir);
	snprintf(hook, sizeof(hook), "%s/hook.sh", dir);
	snprintf(hooklog, sizeof(hooklog), "%s/hook.log", dir);
	fd = open(key, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "sync-test-key-0123456789\n", 25) != 25)
		return 1;
	close(fd);
	fp = fopen(hook, "w");
	fprintf(fp, "#!/bin/sh\ncat >> %s\necho >> %s\necho hook ran\n", hooklog, hooklog);
	fclose(fp);
	chmod(hook, 0755);
	t1 = text(1500);
	t2 = text(1400);
	t3 = text(1300);
	t4 = text(1200);
	t5 = text(1100);

	SK_CHECK(unit_boot(0, t1) == 0 && unit_boot(1, t1) == 0, "both units boot generation 1");
	SK_CHECK(unit_start(0) == 0 && unit_start(1) == 0, "both HA modules start");
	SK_CHECK(wait_for(0, SK_HA_ROLE_ACTIVE, 1, 1, 3000, &st[0]) &&
		 wait_for(1, SK_HA_ROLE_STANDBY, 1, 1, 3000, &st[1]),
		 "unit 1 (priority 200) active, unit 2 standby, both ready at generation 1");

	/* the hook: unit 1 became active */
	SK_CHECK(hook_saw("\"role\":\"active\",\"term\":1,\"unit\":1,\"cluster\":\"sync-test\","
			  "\"floating\":[\"203.0.113.1\",\"2001:db8:10::1\"],\"vips\":[],"
			  "\"snat\":[]", 3000),
		 "the hook got role, term, unit, cluster and the floating addresses");
	sleep_ms(100);
	sk_ha_status(ha[0], &st[0]);
	sk_ha_status(ha[1], &st[1]);
	SK_CHECK(st[0].hook_runs == 1 && st[0].hook_last_rc == 0 &&
		 strcmp(st[0].hook_state, "ok") == 0 && strstr(st[0].hook_output, "hook ran"),
		 "the hook's result in the active's status (%s, rc %d)", st[0].hook_state,
		 st[0].hook_last_rc);
	SK_CHECK(st[1].hook_runs == 0 && strcmp(st[1].hook_state, "none") == 0,
		 "init -> standby runs no hook");

	/* a commit on the active reaches the standby as the same generation */
	t0 = ms_now();
	SK_CHECK(commit(0, t2) == 0 && cp[0].generation == 2, "commit generation 2 on the active");
	SK_CHECK(wait_for(1, SK_HA_ROLE_STANDBY, 2, 1, 1000, &st[1]),
		 "the standby runs generation 2 within 1 s (%llu ms)",
		 (unsigned long long)(ms_now() - t0));
	pthread_mutex_lock(&cp[1].dp_lock);
	SK_CHECK(cp[1].generation == 2 && dp[1].gen == 2 && strcmp(cp[1].running_text, t2) == 0 &&
		 cp[1].running_img_len == cp[0].running_img_len &&
		 memcmp(cp[1].running_img, cp[0].running_img, cp[0].running_img_len) == 0,
		 "the same text and the same image bytes run there");
	pthread_mutex_unlock(&cp[1].dp_lock);
	SK_CHECK(same_archive(2), "archive 2 is the same on both units");
	SK_CHECK(wait_for(0, SK_HA_ROLE_ACTIVE, 2, 1, 1000, &st[0]) && st[0].sync_pushed >= 1 &&
		 st[0].peer_generation == 2 && st[0].sync_lag_ms < 1000,
		 "the active: pushed %llu, peer at generation %llu, lag %llu ms",
		 (unsigned long long)st[0].sync_pushed, (unsigned long long)st[0].peer_generation,
		 (unsigned long long)st[0].sync_lag_ms);
	sk_ha_status(ha[1], &st[1]);
	SK_CHECK(st[1].sync_applied == 1 && st[1].sync_failed == 0, "the standby: 1 applied");
	SK_CHECK(sk_ha_commit_allowed(ha[1], 0, err, sizeof(err)) == -EBUSY,
		 "a direct commit on the standby is refused: %s", err);

	/* the standby's dataplane refuses: reported on both sides, retried */
	__atomic_store_n(&dp[1].fail, 1, __ATOMIC_RELAXED);
	SK_CHECK(commit(0, t3) == 0 && cp[0].generation == 3, "commit generation 3 on the active");
	t0 = ms_now();
	/* both sides' HA threads report on their own ticks: wait for both */
	while (ms_now() - t0 < 2000) {
		sk_ha_status(ha[0], &st[0]);
		sk_ha_status(ha[1], &st[1]);
		if (st[0].sync_failed >= 1 && st[1].sync_failed >= 1 && !st[1].ready)
			break;
		sleep_ms(10);
	}
	SK_CHECK(st[0].sync_failed >= 1 && st[1].sync_failed >= 1 && st[1].generation == 2 &&
		 !st[1].ready, "refused: failure counted on both, the standby not ready");
	__atomic_store_n(&dp[1].fail, 0, __ATOMIC_RELAXED);
	t0 = ms_now();
	SK_CHECK(wait_for(1, SK_HA_ROLE_STANDBY, 3, 1, 8000, &st[1]),
		 "retried: generation 3 on the standby %llu ms after its dataplane took it again",
		 (unsigned long long)(ms_now() - t0));
	SK_CHECK(same_archive(3), "archive 3 is the same on both units");

	/* a standby that joins late takes the active's config before it is ready */
	unit_free(1);
	SK_CHECK(commit(0, t4) == 0 && cp[0].generation == 4, "unit 2 away: commit 4");
	SK_CHECK(unit_boot(1, t1) == 0 && unit_start(1) == 0, "unit 2 boots again at generation 1");
	t0 = ms_now();
	SK_CHECK(wait_for(1, SK_HA_ROLE_STANDBY, 4, 1, 3000, &st[1]),
		 "it joins as standby and runs generation 4, ready, in %llu ms",
		 (unsigned long long)(ms_now() - t0));
	SK_CHECK(same_archive(4), "archive 4 is the same on both units");

	/* a standby ahead of the active (forced commit) is not overwritten */
	calls = dp[1].calls;
	SK_CHECK(commit(1, t5) == 0 && cp[1].generation == 5, "forced commit of 5 on the standby");
	sleep_ms(500);
	sk_ha_status(ha[1], &st[1]);
	SK_CHECK(cp[1].generation == 5 && dp[1].calls == calls + 1 && !st[1].ready,
		 "the active does not push its older generation over it; not ready");

	/* the active goes: unit 2 takes over, its hook says so */
	unit_free(0);
	SK_CHECK(wait_for(1, SK_HA_ROLE_ACTIVE, 0, -1, 3000, &st[1]), "unit 2 takes over");
	SK_CHECK(hook_saw("\"role\":\"active\",\"term\":2,\"unit\":2", 3000),
		 "unit 2's hook ran with role active, term 2");
	unit_free(1);

	free(t1);
	free(t2);
	free(t3);
	free(t4);
	free(t5);
	{
		char cmd[200];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			printf("# %s not removed\n", dir);
	}
	return SK_TEST_DONE();
}
