/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp.h - the control-plane daemon's state, shared by the API handlers.
 *
 * One thread owns it: the REST server calls handlers one at a time on the
 * daemon thread (libmicrohttpd's internal select thread), so handlers need
 * no locks among themselves.  The dataplane link may be NULL: the control
 * plane still answers what needs no dataplane (validate, lint, offline
 * trace, archives) and says 503 for the rest.
 */
#ifndef SK_CP_H
#define SK_CP_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

struct sk_cfg;
struct sk_dplink;
struct sk_store;
struct sk_logw;
struct sk_rest;
struct sk_ha;
struct sk_confirm;

struct sk_cp {
	const char *state_dir;      /* archives, committed image, keys: /var/lib/sekisho */
	const char *config_path;    /* the config file the unit started from */
	struct sk_dplink *dp;       /* NULL when not attached */
	struct sk_store *store;     /* archives (control/store) */
	struct sk_logw *logw;       /* log writer (control/logw) */
	/* The log writer is single-threaded: the daemon loop (records, ticks)
	 * and the REST thread (queries, events) both hold this around it. */
	pthread_mutex_t log_lock;
	struct sk_rest *rest;       /* the REST server (control/rest) */
	/* Called after every successful commit (commit, rollback, import):
	 * the daemon refreshes REST access lists and logs the event. */
	void (*committed)(struct sk_cp *cp, const char *principal, const char *source);
	char *running_text;         /* text of the running generation (malloc'd) */
	struct sk_cfg *running;     /* its validated model */
	void *running_img;          /* its compiled image (malloc'd): names for counters */
	size_t running_img_len;
	uint64_t generation;        /* the running generation */
	time_t started;
	/* The running config and what follows from it, changed by one thread
	 * at a time: REST handlers that read or change the running config
	 * (every route not flagged SK_API_F_NO_DP_LOCK, api.h), HA config
	 * sync's applier, the confirm tick and the health checker's pushes.
	 * The mailbox itself no longer needs it (the dplink serialises its own
	 * exchanges), so status and counter reads do not queue behind it. */
	pthread_mutex_t dp_lock;
	struct sk_cp_health *health; /* health checks (cp_health.c), NULL = none */
	struct sk_ha *ha;           /* the HA pair (control/ha/ha.h), NULL = standalone */
	unsigned int unit;          /* HA unit id, 1 or 2 (0 standalone) */
	/* A commit awaiting confirmation (store/store_confirm.h); NULL: the
	 * unit takes no confirmed commits (409). */
	struct sk_confirm *confirm;
};

#endif /* SK_CP_H */
