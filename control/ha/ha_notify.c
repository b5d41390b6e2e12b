/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_notify.c - what the HA module tells the world: every transition (and
 * path change, re-announcement, sync result) as a line on stdout and an
 * "ha" event in the log writer, and the takeover hook (ha_hook.h) run on
 * every change to or from ACTIVE with the new state and the addresses that
 * move (docs/ha.md "Clouds: the takeover hook").
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <jansson.h>

#include "cp.h"
#include "ha_hook.h"
#include "ha_priv.h"
#include "logw/logw.h"
#include "sk_image_api.h"

void
sk_ha_log(struct sk_ha *ha, const char *what, void *json_fields, const char *fmt, ...)
{
	json_t *fields = json_fields;
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printf("sekisho-cp: ha: %s\n", line);
	fflush(stdout);
	if (ha->cp->logw == NULL) {
		json_decref(fields);
		return;
	}
	if (fields == NULL)
		fields = json_object();
	if (fields == NULL)
		return;
	json_object_set_new(fields, "what", json_string(what));
	json_object_set_new(fields, "message", json_string(line));
	json_object_set_new(fields, "unit", json_integer(ha->unit));
	pthread_mutex_lock(&ha->cp->log_lock);
	(void)sk_logw_event(ha->cp->logw, "ha", fields);
	pthread_mutex_unlock(&ha->cp->log_lock);
}

static void
hook_log(void *ctx, const char *line)
{
	sk_ha_log(ctx, "hook", NULL, "hook: %s", line);
}

int
sk_ha_notify_init(struct sk_ha *ha, char *err, size_t errlen)
{
	struct sk_ha_hook_cfg hc = {
		.path = ha->cfg.hook, .timeout_ms = ha->cfg.hook_timeout_ms,
		.retries = ha->cfg.hook_retries, .log = hook_log, .ctx = ha,
	};
	int rc;

	ha->st.hook_last_rc = -2;
	snprintf(ha->st.hook_state, sizeof(ha->st.hook_state), "none");
	if (ha->cfg.hook[0] == '\0')
		return 0;
	rc = sk_ha_hook_create(&hc, &ha->hook);
	if (rc != 0)
		snprintf(err, errlen, "ha.hook.path %s: %s", ha->cfg.hook,
			 rc == -EINVAL ? "not an absolute path" : strerror(-rc));
	return rc;
}

void
sk_ha_notify_fini(struct sk_ha *ha)
{
	sk_ha_hook_free(&ha->hook);
}

static void
add_addr(json_t *arr, uint8_t family, const uint8_t *a, int plen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	size_t i, n;

	if (inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, buf, INET6_ADDRSTRLEN) == NULL)
		return;
	if (plen >= 0)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "/%d", plen);
	n = json_array_size(arr);
	for (i = 0; i < n; i++) /* two services on one VIP: once */
		if (strcmp(json_string_value(json_array_get(arr, i)), buf) == 0)
			return;
	json_array_append_new(arr, json_string(buf));
}

char *
sk_ha_hook_input(struct sk_ha *ha, uint32_t role, uint64_t term)
{
	json_t *doc, *fl = json_array(), *vips = json_array(), *snat = json_array();
	char *out;

	pthread_mutex_lock(&ha->lock);
	if (ha->sync.cur.img != NULL && ha->sync.cur.img_len >= sizeof(struct sk_image_hdr)) {
		const struct sk_image_hdr *h = ha->sync.cur.img;
		const struct sk_img_prefix *ad, *sn;
		const struct sk_img_addr_ha *ah;
		const struct sk_img_service *sv;
		uint32_t nad, nah, nsv, nsn, i;

		ad = sk_image_sec(h, SK_SEC_ADDRS, &nad);
		ah = sk_image_sec(h, SK_SEC_ADDR_HA, &nah);
		sv = sk_image_sec(h, SK_SEC_SERVICES, &nsv);
		sn = sk_image_sec(h, SK_SEC_SNAT, &nsn);
		for (i = 0; i < nad && i < nah; i++)
			if (ah[i].unit == 0 && (ah[i].flags & SK_ADDR_FLOATING))
				add_addr(fl, ad[i].family, ad[i].addr, -1);
		for (i = 0; i < nsv; i++)
			add_addr(vips, sv[i].family, sv[i].vip, -1);
		for (i = 0; i < nsn; i++)
			add_addr(snat, sn[i].family, sn[i].addr, sn[i].plen);
	}
	pthread_mutex_unlock(&ha->lock);
	doc = json_pack("{s:s, s:I, s:i, s:s, s:o, s:o, s:o}",
			"role", sk_ha_role_name(role), "term", (json_int_t)term,
			"unit", (int)ha->unit, "cluster", ha->cfg.cluster,
			"floating", fl, "vips", vips, "snat", snat);
	if (doc == NULL)
		return NULL;
	out = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return out;
}

void
sk_ha_notify_transition(struct sk_ha *ha, uint32_t from, uint64_t now)
{
	uint32_t to = ha->fsm.role;
	char *input;

	sk_ha_log(ha, "transition",
		  json_pack("{s:s, s:s, s:I, s:s}", "from", sk_ha_role_name(from),
			    "to", sk_ha_role_name(to), "term", (json_int_t)ha->fsm.term,
			    "reason", ha->fsm.reason),
		  "%s -> %s (term %" PRIu64 "): %s", sk_ha_role_name(from), sk_ha_role_name(to),
		  ha->fsm.term, ha->fsm.reason);
	pthread_mutex_lock(&ha->lock);
	if (from != to) {
		ha->st.transitions++;
		ha->st.last_from = from;
		ha->st.last_to = to;
		ha->st.last_unix_ms = sk_ha_unix_ms();
		snprintf(ha->st.last_reason, sizeof(ha->st.last_reason), "%s", ha->fsm.reason);
	}
	pthread_mutex_unlock(&ha->lock);
	if (ha->hook == NULL || (from == SK_HA_ROLE_ACTIVE) == (to == SK_HA_ROLE_ACTIVE))
		return;
	input = sk_ha_hook_input(ha, to, ha->fsm.term);
	if (input == NULL || sk_ha_hook_run(ha->hook, input, now) != 0)
		sk_ha_log(ha, "hook", NULL, "hook not run: out of memory");
	free(input);
}

void
sk_ha_notify_tick(struct sk_ha *ha, uint64_t now)
{
	struct sk_ha_hook_state hs;

	if (ha->hook == NULL)
		return;
	sk_ha_hook_poll(ha->hook, now);
	sk_ha_hook_state(ha->hook, &hs);
	pthread_mutex_lock(&ha->lock);
	ha->st.hook_runs = hs.runs;
	ha->st.hook_last_rc = hs.last_rc;
	snprintf(ha->st.hook_state, sizeof(ha->st.hook_state), "%s", hs.state);
	snprintf(ha->st.hook_output, sizeof(ha->st.hook_output), "%s", hs.output);
	pthread_mutex_unlock(&ha->lock);
}
