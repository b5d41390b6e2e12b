/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * logw_syslog.c - lines to the local syslog daemon over its datagram socket
 * (/dev/log), in the classic format syslog(3) sends:
 *   <PRI>Mmm dd hh:mm:ss sekisho-cp[pid]: message
 *
 * Not syslog(3) itself, on purpose: glibc's syslog() sends on a blocking
 * socket, so a stuck or slow syslog daemon would stop sekisho-cp (and its
 * REST API) in the middle of an attack.  Here the socket is non-blocking: a
 * full queue costs the line, which the caller counts, never a wait.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "logw_priv.h"

#define SYSLOG_MSG_MAX (SK_LOGW_LINE_MAX + 128)

static int
sys_connect(struct sk_logw_syslog *s)
{
	struct sockaddr_un sa;

	if (s->fd >= 0)
		return 0;
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", s->path);
	if (connect(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int rc = -errno;

		close(s->fd);
		s->fd = -1;
		return rc;
	}
	return 0;
}

void
sk_logw_syslog_open(struct sk_logw_syslog *s, const char *path, int facility)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->facility = facility;
	snprintf(s->path, sizeof(s->path), "%s", path != NULL ? path : "/dev/log");
	(void)sys_connect(s); /* retried on send */
}

void
sk_logw_syslog_close(struct sk_logw_syslog *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

int
sk_logw_syslog_send(struct sk_logw_syslog *s, int severity, const char *msg, size_t len,
		    uint64_t real_ns, uint64_t now)
{
	char buf[SYSLOG_MSG_MAX], stamp[32];
	time_t sec = (time_t)(real_ns / SK_LOGW_NS);
	struct tm tm;
	int hdr, rc;

	if (s->fd < 0) {
		if (now < s->retry_ns)
			return -ENOTCONN;
		rc = sys_connect(s);
		if (rc < 0) {
			s->retry_ns = now + SK_LOGW_RETRY_NS;
			return rc;
		}
	}
	if (len > 0 && msg[len - 1] == '\n')
		len--;
	localtime_r(&sec, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	hdr = snprintf(buf, sizeof(buf), "<%d>%s sekisho-cp[%d]: ", s->facility | severity, stamp,
		       (int)getpid());
	if (hdr < 0 || (size_t)hdr >= sizeof(buf))
		return -EINVAL;
	if (len > sizeof(buf) - (size_t)hdr)
		len = sizeof(buf) - (size_t)hdr;
	memcpy(buf + hdr, msg, len);
	if (send(s->fd, buf, (size_t)hdr + len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		rc = -errno;
		if (rc != -EAGAIN && rc != -ENOBUFS) {
			/* The daemon restarted (ECONNREFUSED...): reconnect later. */
			close(s->fd);
			s->fd = -1;
			s->retry_ns = now + SK_LOGW_RETRY_NS;
		}
		return rc;
	}
	return 0;
}
