/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_hook.h - the takeover hook (docs/ha.md "Clouds: the takeover hook"):
 * an executable that sekisho-cp runs on every role change to or from
 * active, with the new state as JSON on its standard input, so that a cloud
 * deployment can move a secondary IP or a route through the provider's API.
 *
 * Asynchronous: sk_ha_hook_run() starts the process (posix_spawn, its own
 * process group, stdin a socket so a hook that never reads cannot raise
 * SIGPIPE here) and returns; sk_ha_hook_poll(), called from the owner's
 * loop, feeds stdin, collects the output, reaps, kills the whole process
 * group at the timeout and retries a failed run (non-zero exit, killed)
 * up to `retries` more times.  One run at a time: an input that arrives
 * while a run is going waits and replaces any older waiting input (only the
 * latest role matters to the cloud); it also cancels the older input's
 * remaining retries.
 *
 * Threads: one thread owns a hook (the HA thread); nothing here is locked.
 */
#ifndef SK_CP_HA_HOOK_H
#define SK_CP_HA_HOOK_H

#include <stddef.h>
#include <stdint.h>

struct sk_ha_hook;

#define SK_HA_HOOK_OUTPUT 256  /* output tail kept (as struct sk_ha_status) */

struct sk_ha_hook_cfg {
	const char *path;          /* absolute path of the executable */
	uint32_t timeout_ms;       /* killed (SIGKILL to its process group) after this; 0: 10 s */
	uint32_t retries;          /* further tries after a failure */
	uint32_t retry_delay_ms;   /* pause before a retry; 0: 500 ms */
	/* Each output line (stdout and stderr, merged) and each run's end
	 * ("exit 0", "exit 3, retry 1 of 2 in 500 ms", "killed after 200 ms"),
	 * for the log.  May be NULL. */
	void (*log)(void *ctx, const char *line);
	void *ctx;
};

struct sk_ha_hook_state {
	uint64_t runs;             /* processes started (retries included) */
	int32_t last_rc;           /* exit status of the last run that ended; -1 killed or
	                            * timed out (or could not start); -2 none ended yet */
	char state[16];            /* "none", "running" (also between retries), "ok", "failed" */
	char output[SK_HA_HOOK_OUTPUT]; /* tail of the current or last run's output */
};

/* 0, -EINVAL (path not absolute), -ENOMEM. */
int sk_ha_hook_create(const struct sk_ha_hook_cfg *cfg, struct sk_ha_hook **out)
	__attribute__((warn_unused_result));

/* Kill a running hook (its process group), reap it, free; *hook = NULL.
 * NULL is a no-op. */
void sk_ha_hook_free(struct sk_ha_hook **hook);

/* Run the hook with input on its stdin (copied), now or when the current
 * run ends.  0 or -ENOMEM. */
int sk_ha_hook_run(struct sk_ha_hook *hook, const char *input, uint64_t now_ms)
	__attribute__((warn_unused_result));

/* Drive it: stdin, output, reaping, timeout, retries, the next input.
 * Never blocks.  now_ms: a monotonic clock. */
void sk_ha_hook_poll(struct sk_ha_hook *hook, uint64_t now_ms);

/* 1 while a run is going or waiting (retry, queued input). */
int sk_ha_hook_busy(const struct sk_ha_hook *hook);

void sk_ha_hook_state(const struct sk_ha_hook *hook, struct sk_ha_hook_state *out);

#endif /* SK_CP_HA_HOOK_H */
