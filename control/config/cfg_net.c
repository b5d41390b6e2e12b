/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cfg_net.c - the small parsers every group needs: IP addresses, prefixes,
 * MAC addresses and port ranges.  Strict on purpose: "10.0.0.1/24 " or
 * "80-" is an error, not something to guess at.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_priv.h"

int
sk_cfg_parse_ip(const char *s, uint8_t *family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (strchr(s, ':') != NULL) {
		if (inet_pton(AF_INET6, s, addr) != 1)
			return -EINVAL;
		*family = 6;
		return 0;
	}
	if (inet_pton(AF_INET, s, addr) != 1)
		return -EINVAL;
	*family = 4;
	return 0;
}

static int
parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9' || strlen(s) > 6)
		return -EINVAL;
	errno = 0;
	*v = strtoul(s, &end, 10);
	if (*end != '\0' || errno != 0)
		return -EINVAL;
	return *v > max ? -ERANGE : 0;
}

int
sk_cfg_parse_cidr(const char *s, struct sk_img_prefix *p, int *had_len)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	unsigned long plen;
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	memset(p, 0, sizeof(*p));
	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (sk_cfg_parse_ip(buf, &p->family, p->addr) != 0)
		return -EINVAL;
	*had_len = slash != NULL;
	if (slash == NULL) {
		p->plen = p->family == 4 ? 32 : 128;
		return 0;
	}
	if (parse_uint(slash + 1, p->family == 4 ? 32 : 128, &plen) != 0)
		return -EINVAL;
	p->plen = (uint8_t)plen;
	return 0;
}

int
sk_cfg_pfx_host_bits(const struct sk_img_prefix *p)
{
	struct sk_img_prefix m = *p;

	sk_cfg_pfx_mask(&m);
	return memcmp(m.addr, p->addr, 16) != 0;
}

void
sk_cfg_pfx_mask(struct sk_img_prefix *p)
{
	unsigned int bits = p->family == 4 ? 32 : 128, i;

	for (i = p->plen; i < bits; i++)
		p->addr[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	for (i = bits / 8; i < 16; i++)
		p->addr[i] = 0;
}

int
sk_cfg_pfx_contains(const struct sk_img_prefix *net, uint8_t family, const uint8_t addr[16])
{
	unsigned int i;

	if (net->family != family)
		return 0;
	for (i = 0; i < net->plen; i++) {
		uint8_t m = (uint8_t)(0x80u >> (i % 8));

		if ((net->addr[i / 8] & m) != (addr[i / 8] & m))
			return 0;
	}
	return 1;
}

void
sk_cfg_ip_str(uint8_t family, const uint8_t addr[16], char *buf, size_t len)
{
	if (inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int
sk_cfg_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int i;

	if (strlen(s) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		int hi = hexval(s[i * 3]), lo = hexval(s[i * 3 + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != ':'))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int
sk_cfg_parse_ports(const char *s, uint32_t *lo, uint32_t *hi)
{
	char buf[16];
	const char *dash = strchr(s, '-');
	unsigned long a, b;
	int rc;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	if (dash == NULL) {
		rc = parse_uint(s, 65535, &a);
		if (rc != 0)
			return rc;
		*lo = *hi = (uint32_t)a;
		return 0;
	}
	memcpy(buf, s, (size_t)(dash - s));
	buf[dash - s] = '\0';
	rc = parse_uint(buf, 65535, &a);
	if (rc == 0)
		rc = parse_uint(dash + 1, 65535, &b);
	if (rc != 0)
		return rc;
	*lo = (uint32_t)a;
	*hi = (uint32_t)b;
	return 0;
}

int
sk_cfg_prefix_strict(struct sk_cfg_ctx *c, const config_setting_t *s, const char *key,
		     const char *v, struct sk_img_prefix *p)
{
	char net[64], host[64];
	struct sk_img_prefix m;
	int had_len;

	if (v == NULL || sk_cfg_parse_cidr(v, p, &had_len) != 0) {
		sk_cfg_err(c, s, "%s: %s: bad prefix \"%s\" (want \"192.0.2.0/24\", "
			   "\"2001:db8::/32\" or an address)", c->where, key, v ? v : "?");
		return -EINVAL;
	}
	if (!sk_cfg_pfx_host_bits(p))
		return 0;
	/* Both readings are plausible; say both rather than guess. */
	m = *p;
	sk_cfg_pfx_mask(&m);
	sk_cfg_ip_str(m.family, m.addr, net, sizeof(net));
	sk_cfg_ip_str(p->family, p->addr, host, sizeof(host));
	sk_cfg_err(c, s, "%s: %s: \"%s\" has host bits set: did you mean %s/%u (the network) "
		   "or %s/%u (the host)?", c->where, key, v, net, p->plen, host,
		   p->family == 4 ? 32 : 128);
	return -EINVAL;
}
