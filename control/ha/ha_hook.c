/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_hook.c - the takeover hook runner (ha_hook.h): one child process at a
 * time, driven from the owner's poll loop without ever blocking it.
 *
 * Why a process group: a hook is usually a shell script that runs a cloud
 * CLI; killing only the shell at the timeout would leave the CLI running
 * (and holding the output pipe open).  Why a socket for stdin: a hook that
 * exits without reading its input must not kill sekisho-cp with SIGPIPE
 * (send() with MSG_NOSIGNAL; a pipe has no such flag).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "ha_hook.h"

#define TIMEOUT_DEFAULT_MS 10000
#define RETRY_DELAY_DEFAULT_MS 500
#define LINE_MAX_LEN 200

extern char **environ;

struct sk_ha_hook {
	struct sk_ha_hook_cfg cfg;  /* path is our own copy */
	pid_t pid;                  /* running child, 0 none */
	int in_fd, out_fd;          /* our ends, -1 when closed */
	char *input;                /* the current input (for retries) */
	size_t in_len, in_off;
	char *pending;              /* the next input, NULL none */
	uint32_t attempt;           /* 0 = first try of the current input */
	uint64_t started_ms;
	uint8_t killed;
	uint8_t waiting_retry;
	uint64_t retry_at_ms;
	char line[LINE_MAX_LEN + 1];
	size_t line_len;
	struct sk_ha_hook_state st;
};

static void
logf_(struct sk_ha_hook *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
logf_(struct sk_ha_hook *h, const char *fmt, ...)
{
	char buf[320];
	va_list ap;

	if (h->cfg.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	h->cfg.log(h->cfg.ctx, buf);
}

int
sk_ha_hook_create(const struct sk_ha_hook_cfg *cfg, struct sk_ha_hook **out)
{
	struct sk_ha_hook *h;

	*out = NULL;
	if (cfg->path == NULL || cfg->path[0] != '/')
		return -EINVAL;
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	h->cfg = *cfg;
	h->cfg.path = strdup(cfg->path);
	if (h->cfg.path == NULL) {
		free(h);
		return -ENOMEM;
	}
	if (h->cfg.timeout_ms == 0)
		h->cfg.timeout_ms = TIMEOUT_DEFAULT_MS;
	if (h->cfg.retry_delay_ms == 0)
		h->cfg.retry_delay_ms = RETRY_DELAY_DEFAULT_MS;
	h->in_fd = h->out_fd = -1;
	h->st.last_rc = -2;
	snprintf(h->st.state, sizeof(h->st.state), "none");
	*out = h;
	return 0;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Keep the last bytes of the output; hand whole lines to the log. */
static void
take_output(struct sk_ha_hook *h, const char *buf, size_t n)
{
	size_t have = strlen(h->st.output), cap = sizeof(h->st.output) - 1, i;

	if (n >= cap) {
		memcpy(h->st.output, buf + n - cap, cap);
		h->st.output[cap] = '\0';
	} else {
		if (have + n > cap) {
			memmove(h->st.output, h->st.output + (have + n - cap), cap - n);
			have = cap - n;
		}
		memcpy(h->st.output + have, buf, n);
		h->st.output[have + n] = '\0';
	}
	for (i = 0; i < n; i++) {
		char c = buf[i];

		if (c == '\n' || h->line_len == LINE_MAX_LEN) {
			h->line[h->line_len] = '\0';
			logf_(h, "%s", h->line);
			h->line_len = 0;
			if (c == '\n')
				continue;
		}
		h->line[h->line_len++] = (c >= 0x20 && c < 0x7f) || c == '\t' ? c : '?';
	}
}

static void
read_output(struct sk_ha_hook *h)
{
	char buf[4096];
	ssize_t n;

	while (h->out_fd >= 0) {
		n = read(h->out_fd, buf, sizeof(buf));
		if (n > 0) {
			take_output(h, buf, (size_t)n);
			continue;
		}
		if (n < 0 && (errno == EINTR))
			continue;
		if (n == 0 || errno != EAGAIN)
			close_fd(&h->out_fd); /* EOF: every writer has gone */
		break;
	}
}

static void
feed_input(struct sk_ha_hook *h)
{
	while (h->in_fd >= 0 && h->in_off < h->in_len) {
		ssize_t n = send(h->in_fd, h->input + h->in_off, h->in_len - h->in_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			h->in_off += (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && errno == EAGAIN) {
			return;
		} else {
			break; /* the hook closed its stdin: it does not want the rest */
		}
	}
	close_fd(&h->in_fd); /* all of it sent: EOF for the hook */
}

static void finish(struct sk_ha_hook *h, int rc, uint64_t now_ms);

static void
start(struct sk_ha_hook *h, uint64_t now_ms)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dflt;
	char *argv[] = { (char *)h->cfg.path, NULL };
	int sv[2] = { -1, -1 }, po[2] = { -1, -1 }, rc;
	pid_t pid;

	h->st.runs++;
	h->st.output[0] = '\0';
	h->line_len = 0;
	h->killed = 0;
	h->in_off = 0;
	h->started_ms = now_ms;
	snprintf(h->st.state, sizeof(h->st.state), "running");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 ||
	    pipe2(po, O_CLOEXEC) != 0) {
		rc = errno;
		close_fd(&sv[0]);
		close_fd(&sv[1]);
		logf_(h, "cannot run %s: %s", h->cfg.path, strerror(rc));
		finish(h, -1, now_ms);
		return;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, po[1], 2);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&dflt);
	/* sekisho-cp ignores SIGPIPE and handles INT/TERM: the hook must not
	 * inherit that (an ignored signal stays ignored across exec). */
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGTERM);
	sigaddset(&dflt, SIGHUP);
	sigaddset(&dflt, SIGCHLD);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dflt);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
				      POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&pid, h->cfg.path, &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(sv[1]);
	close(po[1]);
	if (rc != 0) {
		close(sv[0]);
		close(po[0]);
		logf_(h, "cannot run %s: %s", h->cfg.path, strerror(rc));
		finish(h, -1, now_ms);
		return;
	}
	h->pid = pid;
	h->in_fd = sv[0];
	h->out_fd = po[0];
	fcntl(h->out_fd, F_SETFL, fcntl(h->out_fd, F_GETFL) | O_NONBLOCK);
	feed_input(h);
}

/* A run ended (rc: exit status, -1 killed or not started). */
static void
finish(struct sk_ha_hook *h, int rc, uint64_t now_ms)
{
	h->pid = 0;
	close_fd(&h->in_fd);
	close_fd(&h->out_fd);
	if (h->line_len > 0) {
		h->line[h->line_len] = '\0';
		logf_(h, "%s", h->line);
		h->line_len = 0;
	}
	h->st.last_rc = rc;
	if (rc == 0) {
		logf_(h, "exit 0 after %" PRIu64 " ms", now_ms - h->started_ms);
		snprintf(h->st.state, sizeof(h->st.state), "ok");
	} else if (h->pending == NULL && h->attempt < h->cfg.retries) {
		h->attempt++;
		h->waiting_retry = 1;
		h->retry_at_ms = now_ms + h->cfg.retry_delay_ms;
		logf_(h, "%s%d, retry %u of %u in %u ms", rc < 0 ? "failed: " : "exit ", rc,
		      h->attempt, h->cfg.retries, h->cfg.retry_delay_ms);
		return; /* state stays "running": the job is not over */
	} else {
		logf_(h, "%s%d%s", rc < 0 ? "failed: " : "exit ", rc,
		      h->pending != NULL ? " (a newer input replaces it)" : ", no retries left");
		snprintf(h->st.state, sizeof(h->st.state), "failed");
	}
	free(h->input);
	h->input = NULL;
}

void
sk_ha_hook_poll(struct sk_ha_hook *h, uint64_t now_ms)
{
	int status;
	pid_t r;

	if (h == NULL)
		return;
	if (h->pid != 0) {
		feed_input(h);
		read_output(h);
		r = waitpid(h->pid, &status, WNOHANG);
		if (r == h->pid || (r < 0 && errno == ECHILD)) {
			read_output(h); /* what it wrote just before it ended */
			finish(h, r == h->pid && WIFEXITED(status) && !h->killed ?
				  WEXITSTATUS(status) : -1, now_ms);
		} else if (!h->killed && now_ms - h->started_ms >= h->cfg.timeout_ms) {
			kill(-h->pid, SIGKILL);
			h->killed = 1;
			logf_(h, "killed: still running after %u ms", h->cfg.timeout_ms);
		}
		if (h->pid != 0)
			return;
	}
	if (h->waiting_retry && h->pending == NULL) {
		if ((int64_t)(now_ms - h->retry_at_ms) < 0)
			return;
		h->waiting_retry = 0;
		start(h, now_ms);
		return;
	}
	h->waiting_retry = 0;
	if (h->pending != NULL) {
		free(h->input);
		h->input = h->pending;
		h->in_len = strlen(h->input);
		h->pending = NULL;
		h->attempt = 0;
		start(h, now_ms);
	}
}

int
sk_ha_hook_run(struct sk_ha_hook *h, const char *input, uint64_t now_ms)
{
	char *copy = strdup(input);

	if (copy == NULL)
		return -ENOMEM;
	free(h->pending);
	h->pending = copy;
	if (h->pid == 0)
		sk_ha_hook_poll(h, now_ms);
	return 0;
}

int
sk_ha_hook_busy(const struct sk_ha_hook *h)
{
	return h != NULL && (h->pid != 0 || h->waiting_retry || h->pending != NULL);
}

void
sk_ha_hook_state(const struct sk_ha_hook *h, struct sk_ha_hook_state *out)
{
	*out = h->st;
}

void
sk_ha_hook_free(struct sk_ha_hook **hp)
{
	struct sk_ha_hook *h = hp != NULL ? *hp : NULL;

	if (h == NULL)
		return;
	if (h->pid != 0) {
		kill(-h->pid, SIGKILL);
		while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	close_fd(&h->in_fd);
	close_fd(&h->out_fd);
	free(h->input);
	free(h->pending);
	free((char *)h->cfg.path);
	free(h);
	*hp = NULL;
}
