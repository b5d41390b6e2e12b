/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp_daemon.c - `sekisho-cp --serve FILE`: the control-plane daemon.
 *
 * Attaches to the running sekisho-dp (DPDK secondary process), adopts the
 * running generation (its archive, or the boot config archived as "boot"),
 * serves the REST API, and moves dataplane log records to the log writer.
 * The dataplane never depends on it: killing this process changes nothing
 * in forwarding, and a restarted one attaches again.  If the dataplane goes
 * away, this process exits (a secondary cannot outlive its primary's memory)
 * and its supervisor starts it again.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <rte_common.h>

#include "cfg.h"
#include "cp.h"
#include "cp_health.h"
#include "api/ha_api.h"
#include "api/services_api.h"
#include "api/top_api.h"
#include "cp_daemon.h"
#include "sk_image_api.h"
#include "api/api.h"
#include "dplink/dplink.h"
#include "ha/ha.h"
#include "rest/rest.h"
#include "store/store.h"
#include "store/store_confirm.h"
#include "logw/logw.h"

#define ATTACH_WAIT_S 60
#define LOOP_MS 100

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static char *
read_text(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, fp) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(fp);
	return buf;
}

static int
mkdir_p(const char *dir)
{
	char tmp[4096];
	char *p;

	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (p = tmp + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Wait for the dataplane's EAL runtime to exist, then attach. */
static int
attach(const char *prefix, struct sk_dplink **l)
{
	char path[512], err[512];
	int i;

	snprintf(path, sizeof(path), "/var/run/dpdk/%s/mp_socket", prefix);
	for (i = 0; i < ATTACH_WAIT_S * 10 && !quit && access(path, F_OK) != 0; i++)
		usleep(100000);
	if (quit)
		return -EINTR;
	if (sk_dplink_attach(prefix, l, err, sizeof(err)) != 0) {
		fprintf(stderr, "sekisho-cp: %s\n", err);
		return -ENOTCONN;
	}
	return 0;
}

/* Find the archive of the dataplane's generation, or archive the boot config. */
static int
adopt(struct sk_cp *cp, const char *text, size_t tlen, void *img, size_t ilen)
{
	struct sk_store_meta want, got;
	char err[512];
	const struct sk_store_entry *ents;
	size_t i, n = sk_store_list(cp->store, &ents);

	for (i = 0; i < n; i++) {
		const struct sk_store_entry *e = &ents[i];

		if (e->corrupt) {
			fprintf(stderr, "sekisho-cp: archive %" PRIu64 " is corrupt: %s\n",
				e->meta.generation, e->problem);
			continue;
		}
		if (e->meta.dp_generation == cp->generation) {
			char *atext = NULL;
			void *aimg = NULL;
			size_t al = 0, il = 0;

			if (sk_store_get(cp->store, e->meta.generation, &atext, &al, &aimg, &il, NULL,
					 err, sizeof(err)) != 0)
				continue;
			struct sk_cfg_diag d;
			struct sk_cfg *cfg;

			sk_cfg_diag_init(&d);
			cfg = sk_cfg_load_string(atext, "running", &d);
			sk_cfg_diag_free(&d);
			if (cfg == NULL) {
				free(atext);
				free(aimg);
				continue;
			}
			sk_store_set_running(cp->store, e->meta.generation);
			cp->running = cfg;
			cp->running_text = atext;
			cp->running_img = aimg;
			cp->running_img_len = il;
			free(img);
			return 0;
		}
	}
	memset(&want, 0, sizeof(want));
	want.generation = cp->generation;
	want.dp_generation = cp->generation;
	snprintf(want.principal, sizeof(want.principal), "console");
	snprintf(want.source, sizeof(want.source), "boot");
	if (sk_store_put(cp->store, &want, text, tlen, img, ilen, &got, err, sizeof(err)) != 0) {
		fprintf(stderr, "sekisho-cp: archiving the boot config: %s\n", err);
		return -EIO;
	}
	sk_store_set_running(cp->store, got.generation);
	cp->running_text = strdup(text);
	cp->running_img = img;
	cp->running_img_len = ilen;
	return 0;
}

/*
 * Names for log records, from a copy of the running image that only the
 * log writer's users touch (under cp->log_lock): records of an older
 * generation print ids, never a name that meant something else then.
 */
static struct {
	void *img;
	uint64_t gen;
} names;

static const char *
name_of(void *ctx, enum sk_logw_name_kind what, uint32_t generation, uint32_t id)
{
	const struct sk_image_hdr *h = names.img;
	uint32_t n;

	(void)ctx;
	if (h == NULL || generation != (uint32_t)names.gen)
		return NULL;
	switch (what) {
	case SK_LOGW_NAME_RULE: {
		const struct sk_img_rule *r = sk_image_sec(h, SK_SEC_RULES, &n);
		return id >= 1 && id <= n ? r[id - 1].name : NULL;
	}
	case SK_LOGW_NAME_IFACE: {
		const struct sk_img_iface *f = sk_image_sec(h, SK_SEC_IFACES, &n);
		return id < n ? f[id].name : NULL;
	}
	case SK_LOGW_NAME_ZONE: {
		const struct sk_img_zone *z = sk_image_sec(h, SK_SEC_ZONES, &n);
		return id == SK_ZONE_LOCAL ? "local" : id <= n ? z[id - 1].name : NULL;
	}
	}
	return NULL;
}

/* Caller holds cp->log_lock. */
static void
names_update(const struct sk_cp *cp)
{
	free(names.img);
	names.img = NULL;
	if (cp->running_img != NULL && (names.img = malloc(cp->running_img_len)) != NULL)
		memcpy(names.img, cp->running_img, cp->running_img_len);
	names.gen = cp->generation;
}

static void
on_committed(struct sk_cp *cp, const char *principal, const char *source)
{
	if (cp->rest != NULL)
		(void)sk_rest_set_access(cp->rest, sk_cfg_mgmt_unit(cp->running, cp->unit));
	pthread_mutex_lock(&cp->log_lock);
	names_update(cp);
	if (cp->logw != NULL) {
		(void)sk_logw_reconfigure(cp->logw, sk_cfg_logging(cp->running));
		(void)sk_logw_event(cp->logw, "commit", json_pack("{s:I,s:s,s:s}",
			"generation", (json_int_t)cp->generation,
			"principal", principal != NULL ? principal : "-",
			"source", source != NULL ? source : "commit"));
	}
	pthread_mutex_unlock(&cp->log_lock);
	if (sk_cp_health_targets(cp) != 0)
		fprintf(stderr, "sekisho-cp: health checks: targets of the new generation not set\n");
	printf("sekisho-cp: generation %" PRIu64 " committed by %s (%s)\n", cp->generation,
	       principal != NULL ? principal : "-", source != NULL ? source : "commit");
	fflush(stdout);
	/* HA: the peer gets this generation (pushed if this unit is active;
	 * kept for the peer's pull otherwise).  Never blocks. */
	if (cp->running_text != NULL)
		sk_ha_committed(cp->ha, cp->generation, cp->running_img, cp->running_img_len,
				cp->running_text, strlen(cp->running_text));
}

/* Every request on stdout; the ones that change something also as an
 * "admin" event in the log files (who did what, from where). */
static void
access_log(void *ctx, const struct sk_rest_access *a, const char *line)
{
	struct sk_cp *cp = ctx;

	printf("%s\n", line);
	fflush(stdout);
	if (strcmp(a->method, "GET") == 0 || cp->logw == NULL)
		return;
	pthread_mutex_lock(&cp->log_lock);
	(void)sk_logw_event(cp->logw, "admin", json_pack("{s:s,s:s,s:s,s:s,s:i}",
		"peer", a->peer, "principal", a->principal, "method", a->method,
		"path", a->path, "status", a->status));
	pthread_mutex_unlock(&cp->log_lock);
}

/* The EAL file prefix to attach with: an HA unit's own override (two units
 * on one host), as sekisho-dp chooses it.  NULL with a message on error. */
static const char *
attach_prefix(const void *img, int *unit)
{
	const struct sk_img_ha *ha;
	uint32_t n = 0;

	ha = sk_image_sec(img, SK_SEC_HA, &n);
	if (n == 0) {
		*unit = 0;
		return sk_image_settings(img)->file_prefix;
	}
	if (*unit == 0)
		*unit = sk_ha_unit_from_file();
	if (*unit != 1 && *unit != 2) {
		fprintf(stderr, "sekisho-cp: the config is an HA config (cluster \"%s\"): this "
			"unit's id is needed: --unit 1|2 or %s %s\n", ha->cluster, SK_HA_UNIT_FILE,
			*unit < 0 ? "(holds no 1 or 2)" : "(absent)");
		return NULL;
	}
	if (ha->unit[*unit - 1].file_prefix[0] != '\0')
		return ha->unit[*unit - 1].file_prefix;
	return sk_image_settings(img)->file_prefix;
}

int
sk_cp_daemon(const char *config_path)
{
	return sk_cp_daemon_unit(config_path, 0);
}

int
sk_cp_daemon_unit(const char *config_path, int unit)
{
	const char *prefix;
	static const struct sk_api_route *const tables[] = {
		sk_api_routes_status, sk_api_routes_services, sk_api_routes_config,
		sk_api_routes_confirm,
		sk_api_routes_verify, sk_api_routes_ha,
		sk_api_routes_logs, sk_rest_routes_metrics, sk_api_routes_top, NULL,
	};
	struct sk_cp cp;
	struct sk_confirm confirm;
	struct sk_cfg_diag diag;
	struct sk_cfg *cfg;
	struct sk_rest_conf rc;
	char err[512], *text, *state_dir;
	void *img = NULL;
	size_t tlen = 0, ilen = 0;
	int rc_exit = 0, rest_rc;

	memset(&cp, 0, sizeof(cp));
	cp.started = time(NULL);
	cp.config_path = config_path;
	text = read_text(config_path, &tlen);
	if (text == NULL) {
		fprintf(stderr, "%s: %s\n", config_path, strerror(errno));
		return 1;
	}
	sk_cfg_diag_init(&diag);
	cfg = sk_cfg_load_string(text, config_path, &diag);
	if (cfg == NULL) {
		sk_cfg_diag_print(&diag, stderr);
		sk_cfg_diag_free(&diag);
		free(text);
		return 1;
	}
	sk_cfg_diag_free(&diag);
	if (sk_cfg_image_build(cfg, &img, &ilen, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", config_path, err);
		return 1;
	}
	/* A copy: cfg is freed below when an archived generation is adopted,
	 * and the state directory outlives it. */
	state_dir = strdup(sk_cfg_mgmt(cfg)->state_dir);
	if (state_dir == NULL) {
		fprintf(stderr, "sekisho-cp: out of memory\n");
		return 1;
	}
	cp.state_dir = state_dir;
	if (mkdir_p(cp.state_dir) != 0 ||
	    sk_store_open(cp.state_dir, 0, &cp.store, err, sizeof(err)) != 0) {
		fprintf(stderr, "sekisho-cp: state dir %s: %s\n", cp.state_dir, err);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	prefix = attach_prefix(img, &unit);
	if (prefix == NULL)
		return 1;
	cp.unit = (unsigned int)unit;
	if (attach(prefix, &cp.dp) != 0)
		return 3;
	cp.generation = sk_dplink_generation(cp.dp);
	if (adopt(&cp, text, tlen, img, ilen) != 0)
		return 1;
	if (cp.running == NULL)
		cp.running = cfg;
	else
		sk_cfg_free(cfg);
	free(text);
	/* A commit awaiting confirmation when the last sekisho-cp stopped:
	 * its deadline still holds (the loop rolls back once it passed). */
	cp.confirm = &confirm;
	if (sk_confirm_load(cp.state_dir, &confirm, err, sizeof(err)) != 0)
		fprintf(stderr, "sekisho-cp: %s\n", err);
	else if (confirm.generation != 0)
		printf("sekisho-cp: generation %" PRIu64 " awaits confirmation until %" PRId64
		       " (%" PRId64 " s from now), else rolls back to archive %" PRIu64 "\n",
		       confirm.generation, confirm.deadline, confirm.deadline - (int64_t)time(NULL),
		       confirm.rollback_to);
	cp.committed = on_committed;
	pthread_mutex_init(&cp.log_lock, NULL);
	pthread_mutex_init(&cp.dp_lock, NULL);
	{
		struct sk_logw_opts lo = { .name = name_of };

		cp.logw = sk_logw_create(sk_cfg_logging(cp.running), &lo);
		if (cp.logw == NULL)
			fprintf(stderr, "sekisho-cp: log writer: %s (logging off)\n", strerror(errno));
	}
	names_update(&cp);
	{
		const struct sk_img_settings *st = sk_image_settings(cp.running_img != NULL ?
								     cp.running_img : img);
		int hrc = sk_cp_health_start(&cp, st->health_tap);

		if (hrc != 0)
			fprintf(stderr, "sekisho-cp: health checks not running: %s\n",
				strerror(-hrc));
	}

	if (cp.unit != 0) {
		uint32_t nha = 0;

		(void)sk_image_sec(cp.running_img, SK_SEC_HA, &nha);
		if (nha == 1 && sk_ha_start(&cp, cp.unit, &cp.ha, err, sizeof(err)) != 0)
			fprintf(stderr, "sekisho-cp: HA not running (the dataplane owns nothing "
				"until it does): %s\n", err);
	}

	memset(&rc, 0, sizeof(rc));
	rc.mgmt = sk_cfg_mgmt_unit(cp.running, cp.unit);
	rc.tables = tables;
	rc.cp = &cp;
	rc.access_log = access_log;
	rc.log_ctx = &cp;
	/* under dp_lock: HA config sync's on_committed may read cp.rest */
	pthread_mutex_lock(&cp.dp_lock);
	rest_rc = sk_rest_create(&rc, &cp.rest, err, sizeof(err));
	pthread_mutex_unlock(&cp.dp_lock);
	if (rest_rc != 0) {
		fprintf(stderr, "sekisho-cp: REST API: %s\n", err);
		rc_exit = 1;
		goto out;
	}
	printf("sekisho-cp: serving https://%s (generation %" PRIu64 ", state %s)\n",
	       sk_cfg_mgmt_unit(cp.running, cp.unit)->listen, cp.generation, cp.state_dir);
	fflush(stdout);

	if (cp.logw != NULL)
		(void)sk_logw_event(cp.logw, "start", json_pack("{s:I}", "generation",
								(json_int_t)cp.generation));
	while (!quit) {
		struct timespec ts = { 0, LOOP_MS * 1000000L };
		struct sk_logrec recs[256];
		unsigned int n;

		nanosleep(&ts, NULL);
		/* Drain the dataplane's log ring; the writer's rate limits and caps
		 * decide what reaches the disk. */
		do {
			n = sk_dplink_log_read(cp.dp, recs, RTE_DIM(recs));
			pthread_mutex_lock(&cp.log_lock);
			if (cp.logw != NULL) {
				if (n > 0)
					sk_logw_records(cp.logw, recs, n);
				sk_logw_tick(cp.logw);
			}
			pthread_mutex_unlock(&cp.log_lock);
		} while (n == RTE_DIM(recs) && !quit);
		sk_cp_health_tick(&cp);
		sk_api_confirm_tick(&cp);
		sk_top_log_tick(&cp);
		if (!sk_dplink_pid_alive(sk_dplink_pid(cp.dp))) {
			fprintf(stderr, "sekisho-cp: the dataplane has gone; exiting to be restarted\n");
			rc_exit = 3;
			break;
		}
	}
out:
	{
		/* The HA module's config sync may run on_committed (which reads
		 * cp.rest) on its own thread, under dp_lock: hide the server from
		 * it first. */
		struct sk_rest *rest;

		pthread_mutex_lock(&cp.dp_lock);
		rest = cp.rest;
		cp.rest = NULL;
		pthread_mutex_unlock(&cp.dp_lock);
		sk_rest_free(rest);
	}
	sk_ha_stop(&cp.ha);
	sk_cp_health_stop(&cp);
	if (cp.logw != NULL)
		(void)sk_logw_event(cp.logw, "stop", NULL);
	sk_logw_free(cp.logw);
	free(names.img);
	sk_dplink_detach(cp.dp);
	sk_store_close(cp.store);
	sk_cfg_free(cp.running);
	free(cp.running_text);
	free(cp.running_img);
	free(state_dir);
	printf("sekisho-cp: stopped\n");
	return rc_exit;
}
