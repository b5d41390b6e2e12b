/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_util.c - small pieces of the HA module (ha.h): link error names (role
 * names are sk_ha.h's), the heartbeat message's codec and the persisted term
 * (<state_dir>/ha-term, written atomically so a restart never goes back).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ha_priv.h"

const char *
sk_ha_linkerr_name(unsigned int kind)
{
	static const char *const names[] = {
#define SK_HA_LINKERR_NAME(e, w) #w,
		SK_HA_LINKERR_LIST(SK_HA_LINKERR_NAME)
#undef SK_HA_LINKERR_NAME
	};
	return kind < SK_HA_LINKERR__MAX ? names[kind] : "?";
}

static void
put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

void
sk_ha_hbmsg_put(const struct sk_ha_hbmsg *m, uint8_t out[SK_HA_HBMSG_LEN])
{
	memset(out, 0, SK_HA_HBMSG_LEN);
	out[0] = SK_HA_HBMSG_VERSION;
	out[1] = m->unit;
	out[2] = (uint8_t)m->role;
	out[3] = m->priority;
	out[4] = m->ready;
	out[5] = m->forced;
	put64(out + 8, m->term);
	put64(out + 16, m->generation);
}

int
sk_ha_hbmsg_get(const void *buf, size_t len, struct sk_ha_hbmsg *m)
{
	const uint8_t *p = buf;

	if (len < SK_HA_HBMSG_LEN || p[0] != SK_HA_HBMSG_VERSION || p[2] >= SK_HA_ROLE__MAX)
		return -EINVAL;
	m->unit = p[1];
	m->role = p[2];
	m->priority = p[3];
	m->ready = p[4];
	m->forced = p[5];
	m->term = get64(p + 8);
	m->generation = get64(p + 16);
	return 0;
}

uint64_t
sk_ha_term_load(const char *state_dir)
{
	char path[4096];
	unsigned long long t = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/ha-term", state_dir);
	fp = fopen(path, "r");
	if (fp == NULL)
		return 0;
	if (fscanf(fp, "%llu", &t) != 1)
		t = 0;
	fclose(fp);
	return t;
}

int
sk_ha_term_save(const char *state_dir, uint64_t term)
{
	char path[4096], tmp[4200], buf[32];
	int fd, n, rc = 0;

	snprintf(path, sizeof(path), "%s/ha-term", state_dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", term);
	if (write(fd, buf, (size_t)n) != n)
		rc = -EIO;
	if (rc == 0 && fsync(fd) != 0)
		rc = -errno;
	close(fd);
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0)
		unlink(tmp);
	return rc;
}
