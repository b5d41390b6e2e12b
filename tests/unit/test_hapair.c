/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_hapair.c - two HA modules (control/ha/ha.c) in one process, talking
 * over 127.0.0.1 with no dataplane (the dataplane path is down): election
 * at start (higher priority active, the other standby), the HEARTBEAT
 * contents reaching the peer, a handover (force_standby/release) and a
 * takeover with term + 1 when the active stops (the link is the only path
 * here, so its silence is the peer's death), the term persisted in
 * <state_dir>/ha-term, and commit_allowed on a standby.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "cp.h"
#include "ha/ha_link.h" /* and through it control/ha/ha.h (dataplane/ha/ha.h shadows "ha/ha.h" here) */
#include "sk_image_api.h"
#include "sk_test.h"

struct img {
	struct sk_image_hdr h;
	struct sk_img_settings set;
	struct sk_img_ha ha;
};

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

/* Wait up to ms for a unit's role. */
static int
wait_role(struct sk_ha *ha, uint32_t role, unsigned int ms)
{
	uint64_t end = ms_now() + ms;
	struct sk_ha_status st;

	do {
		sk_ha_status(ha, &st);
		if (st.role == role)
			return 1;
		sleep_ms(10);
	} while (ms_now() < end);
	return 0;
}

int
main(void)
{
	static struct img im;
	char dir[] = "/tmp/sk-hapair-XXXXXX", key[256], sd[2][300], err[256], path[400];
	struct sk_cp cp[2];
	struct sk_ha *ha[2] = { NULL, NULL };
	struct sk_ha_status st[2];
	uint16_t base = (uint16_t)(30000 + getpid() % 20000);
	uint64_t t0, term;
	FILE *fp;
	int i, fd;

	err[0] = '\0'; /* printed by the start checks when they pass */
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(key, sizeof(key), "%s/ha.key", dir);
	fd = open(key, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "0123456789abcdef0123456789abcdef\n", 33) != 33)
		return 1;
	close(fd);

	im.h.sec[SK_SEC_SETTINGS].offset = offsetof(struct img, set);
	im.h.sec[SK_SEC_SETTINGS].count = 1;
	im.h.sec[SK_SEC_HA].offset = offsetof(struct img, ha);
	im.h.sec[SK_SEC_HA].count = 1;
	im.set.workers = 2;
	snprintf(im.ha.cluster, sizeof(im.ha.cluster), "test-pair");
	memcpy(im.ha.psk_file, key, strlen(key) + 1); /* short: /tmp/sk-hapair-XXXXXX/ha.key */
	im.ha.hb_interval_ms = 20;
	im.ha.dead_ms = 300;
	im.ha.dp_iface = 0xffff;
	for (i = 0; i < 2; i++) {
		im.ha.unit[i].priority = i == 0 ? 100 : 200;  /* unit 2 preferred */
		im.ha.unit[i].ha_family = 4;
		im.ha.unit[i].ha_port = (uint16_t)(base + i);
		inet_pton(AF_INET, "127.0.0.1", im.ha.unit[i].ha_addr);
	}
	for (i = 0; i < 2; i++) {
		memset(&cp[i], 0, sizeof(cp[i]));
		snprintf(sd[i], sizeof(sd[i]), "%s/unit%d", dir, i + 1);
		mkdir(sd[i], 0700);
		cp[i].state_dir = sd[i];
		cp[i].running_img = &im;
		cp[i].running_img_len = sizeof(im);
		cp[i].generation = 7;
	}
	/* unit 1 has seen term 4 before (persisted): the election's term follows */
	snprintf(path, sizeof(path), "%s/ha-term", sd[0]);
	fp = fopen(path, "w");
	fprintf(fp, "4\n");
	fclose(fp);

	t0 = ms_now();
	for (i = 0; i < 2; i++)
		SK_CHECK(sk_ha_start(&cp[i], (unsigned int)i + 1, &ha[i], err, sizeof(err)) == 0,
			 "unit %d starts (%s)", i + 1, err);
	SK_CHECK(wait_role(ha[1], SK_HA_ROLE_ACTIVE, 3000), "unit 2 (priority 200) becomes active");
	SK_CHECK(wait_role(ha[0], SK_HA_ROLE_STANDBY, 3000), "unit 1 becomes standby");
	printf("# election took %llu ms\n", (unsigned long long)(ms_now() - t0));
	sleep_ms(100);
	sk_ha_status(ha[0], &st[0]);
	sk_ha_status(ha[1], &st[1]);
	SK_CHECK(st[1].term == 5, "the active's term is max(4, 0) + 1 = 5 (got %llu)",
		 (unsigned long long)st[1].term);
	SK_CHECK(st[0].term == 5 && st[0].peer_role == SK_HA_ROLE_ACTIVE &&
		 st[0].peer_priority == 200 && st[0].peer_generation == 7 && st[0].peer_alive &&
		 st[0].path[SK_HA_PATH_LINK].up && !st[0].path[SK_HA_PATH_DATA].up,
		 "the standby sees the active's heartbeat: role, term, priority, generation");
	SK_CHECK(st[0].path[SK_HA_PATH_LINK].hb_recv > 0 && st[1].path[SK_HA_PATH_LINK].hb_sent > 0,
		 "heartbeats counted (%llu sent, %llu received)",
		 (unsigned long long)st[1].path[SK_HA_PATH_LINK].hb_sent,
		 (unsigned long long)st[0].path[SK_HA_PATH_LINK].hb_recv);
	SK_CHECK(sk_ha_commit_allowed(ha[0], 0, err, sizeof(err)) == -EBUSY &&
		 strstr(err, "standby") != NULL, "commit refused on the standby: %s", err);
	SK_CHECK(sk_ha_commit_allowed(ha[0], 1, err, sizeof(err)) == 0, "forced commit allowed");
	SK_CHECK(sk_ha_commit_allowed(ha[1], 0, err, sizeof(err)) == 0, "commit allowed on the active");

	/* maintenance: unit 2 hands over to unit 1 */
	SK_CHECK(sk_ha_force_standby(ha[1], 2000, err, sizeof(err)) == 0, "handover (%s)", err);
	SK_CHECK(wait_role(ha[0], SK_HA_ROLE_ACTIVE, 1000), "unit 1 active after the handover");
	SK_CHECK(wait_role(ha[1], SK_HA_ROLE_FORCED_STANDBY, 1000), "unit 2 forced standby");
	sk_ha_status(ha[0], &st[0]);
	SK_CHECK(st[0].term == 6, "handover takes term 6 (got %llu)", (unsigned long long)st[0].term);
	SK_CHECK(sk_ha_release(ha[1], err, sizeof(err)) == 0 &&
		 wait_role(ha[1], SK_HA_ROLE_STANDBY, 1000), "released: unit 2 standby again");
	sleep_ms(500);
	SK_CHECK(wait_role(ha[0], SK_HA_ROLE_ACTIVE, 10), "no preemption: unit 1 stays active");

	/* unit 1 dies: unit 2 takes over after dead_ms with term + 1 */
	t0 = ms_now();
	sk_ha_stop(&ha[0]);
	SK_CHECK(wait_role(ha[1], SK_HA_ROLE_ACTIVE, 3000), "unit 2 takes over when unit 1 stops");
	printf("# takeover %llu ms after the stop (dead 300 ms)\n",
	       (unsigned long long)(ms_now() - t0));
	/* dead_ms counts from unit 1's last heartbeat, up to one interval (20 ms)
	 * before t0 */
	SK_CHECK(ms_now() - t0 >= 300 - 20 - 2, "not before the dead interval");
	sk_ha_status(ha[1], &st[1]);
	SK_CHECK(st[1].term == 7 && st[1].transitions >= 4 &&
		 strstr(st[1].last_reason, "silent") != NULL,
		 "term 7, reason \"%s\"", st[1].last_reason);
	sk_ha_stop(&ha[1]);
	snprintf(path, sizeof(path), "%s/ha-term", sd[1]);
	fp = fopen(path, "r");
	term = 0;
	if (fp != NULL) {
		if (fscanf(fp, "%llu", (unsigned long long *)&term) != 1)
			term = 0;
		fclose(fp);
	}
	SK_CHECK(term == 7, "term 7 persisted in %s", path);

	/* a greeting that differs (worker count): both units in fault, none active */
	{
		static struct img im2;

		im2 = im;
		im2.set.workers = 3;
		cp[1].running_img = &im2;
		SK_CHECK(sk_ha_start(&cp[0], 1, &ha[0], err, sizeof(err)) == 0 &&
			 sk_ha_start(&cp[1], 2, &ha[1], err, sizeof(err)) == 0, "restart both");
		SK_CHECK(wait_role(ha[0], SK_HA_ROLE_FAULT, 3000) &&
			 wait_role(ha[1], SK_HA_ROLE_FAULT, 3000), "workers 2 vs 3: both fault");
		sk_ha_status(ha[0], &st[0]);
		SK_CHECK(strstr(st[0].fault, "mismatch") != NULL, "fault says why: %s", st[0].fault);
		sk_ha_stop(&ha[0]);
		sk_ha_stop(&ha[1]);
		cp[1].running_img = &im;
	}

	/* a bad key file is a start error */
	chmod(key, 0644);
	SK_CHECK(sk_ha_start(&cp[0], 1, &ha[0], err, sizeof(err)) < 0 && ha[0] == NULL,
		 "key readable by others: refused (%s)", err);
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/ha-term", sd[i]);
		unlink(path);
		rmdir(sd[i]);
	}
	unlink(key);
	rmdir(dir);
	return SK_TEST_DONE();
}
