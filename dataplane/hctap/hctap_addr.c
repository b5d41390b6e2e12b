/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hctap_addr.c - give the tap's kernel side the unit's interface addresses
 * (and the IPv6 last-resort route) with plain rtnetlink requests.
 *
 * SIOCSIFADDR holds one IPv4 address per interface and knows no IPv6, so
 * this speaks RTM_GETADDR / RTM_NEWADDR / RTM_DELADDR / RTM_NEWROUTE /
 * RTM_DELROUTE on an AF_NETLINK socket, one request at a time, each with an
 * acknowledgement.  A sync: dump what the interface has, delete what is not
 * wanted, add what is missing.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "sk_err.h"
#include "hctap.h"

#define NL_BUF 16384
#define HAVE_MAX 1024 /* addresses of the tap we can hold in one dump */

struct nl {
	int fd;
	uint32_t seq;
	char buf[NL_BUF];
};

struct have {
	uint8_t family, plen;
	uint8_t addr[16];
};

static int
nl_open(struct nl *nl)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return -errno;
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int rc = -errno;

		close(nl->fd);
		return rc;
	}
	nl->seq = 1;
	return 0;
}

/* A request under construction: header, family message, attributes. */
union nl_req {
	struct nlmsghdr h;
	char buf[256];
};

static void
nl_attr(union nl_req *req, uint16_t type, const void *data, uint16_t len)
{
	struct nlmsghdr *h = &req->h;
	struct rtattr *rta = (struct rtattr *)(req->buf + NLMSG_ALIGN(h->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* Send h and wait for its acknowledgement: 0 or the kernel's -errno. */
static int
nl_request(struct nl *nl, struct nlmsghdr *h)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	ssize_t len;

	h->nlmsg_seq = ++nl->seq;
	h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (sendto(nl->fd, h, h->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	for (;;) {
		struct nlmsghdr *r;

		len = recv(nl->fd, nl->buf, sizeof(nl->buf), 0);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (r = (struct nlmsghdr *)nl->buf; NLMSG_OK(r, (size_t)len);
		     r = NLMSG_NEXT(r, len)) {
			if (r->nlmsg_seq != nl->seq || r->nlmsg_type != NLMSG_ERROR)
				continue;
			return ((struct nlmsgerr *)NLMSG_DATA(r))->error;
		}
	}
}

/* Every address of interface idx (both families). */
static int
dump_addrs(struct nl *nl, int idx, struct have *have, uint32_t *n_have)
{
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg ifa;
	} req;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	ssize_t len;

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifa));
	req.h.nlmsg_type = RTM_GETADDR;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = ++nl->seq;
	req.ifa.ifa_family = AF_UNSPEC;
	if (sendto(nl->fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	*n_have = 0;
	for (;;) {
		struct nlmsghdr *r;

		len = recv(nl->fd, nl->buf, sizeof(nl->buf), 0);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (r = (struct nlmsghdr *)nl->buf; NLMSG_OK(r, (size_t)len);
		     r = NLMSG_NEXT(r, len)) {
			struct ifaddrmsg *ifa = NLMSG_DATA(r);
			struct rtattr *rta;
			int alen;

			if (r->nlmsg_seq != nl->seq)
				continue;
			if (r->nlmsg_type == NLMSG_DONE)
				return 0;
			if (r->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(r))->error;
			if (r->nlmsg_type != RTM_NEWADDR || (int)ifa->ifa_index != idx ||
			    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
				continue;
			alen = (int)IFA_PAYLOAD(r);
			/* IFA_LOCAL is the address itself (IFA_ADDRESS is the peer
			 * on point-to-point links); IPv6 has only IFA_ADDRESS. */
			for (rta = IFA_RTA(ifa); RTA_OK(rta, alen); rta = RTA_NEXT(rta, alen)) {
				struct have *hv;

				if (rta->rta_type != (ifa->ifa_family == AF_INET ? IFA_LOCAL :
						      IFA_ADDRESS))
					continue;
				if (*n_have == HAVE_MAX)
					return -E2BIG;
				hv = &have[(*n_have)++];
				memset(hv, 0, sizeof(*hv));
				hv->family = ifa->ifa_family == AF_INET ? 4 : 6;
				hv->plen = ifa->ifa_prefixlen;
				memcpy(hv->addr, RTA_DATA(rta), hv->family == 4 ? 4 : 16);
			}
		}
	}
}

static int
addr_msg(struct nl *nl, int idx, uint16_t type, uint8_t family, uint8_t plen,
	 const uint8_t *addr)
{
	union nl_req req;
	struct ifaddrmsg *ifa = NLMSG_DATA(&req.h);
	uint16_t alen = family == 4 ? 4 : 16;
	uint32_t flags = IFA_F_NODAD;

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(*ifa));
	req.h.nlmsg_type = type;
	req.h.nlmsg_flags = type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_REPLACE : 0;
	ifa->ifa_family = family == 4 ? AF_INET : AF_INET6;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)idx;
	nl_attr(&req, IFA_LOCAL, addr, alen);
	nl_attr(&req, IFA_ADDRESS, addr, alen);
	if (family == 6 && type == RTM_NEWADDR) {
		/* No duplicate address detection: the tap is not a shared link,
		 * and a tentative address could not be a probe's source. */
		ifa->ifa_flags = IFA_F_NODAD;
		nl_attr(&req, IFA_FLAGS, &flags, sizeof(flags));
	}
	return nl_request(nl, &req.h);
}

/* ::/0 dev idx metric SK_HCTAP_V6_METRIC, added or removed. */
static int
v6_default(struct nl *nl, int idx, int add)
{
	union nl_req req;
	struct rtmsg *rt = NLMSG_DATA(&req.h);
	uint32_t oif = (uint32_t)idx, metric = SK_HCTAP_V6_METRIC;

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(*rt));
	req.h.nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	req.h.nlmsg_flags = add ? NLM_F_CREATE | NLM_F_REPLACE : 0;
	rt->rtm_family = AF_INET6;
	rt->rtm_dst_len = 0;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_STATIC;
	rt->rtm_scope = RT_SCOPE_UNIVERSE;
	rt->rtm_type = RTN_UNICAST;
	nl_attr(&req, RTA_OIF, &oif, sizeof(oif));
	nl_attr(&req, RTA_PRIORITY, &metric, sizeof(metric));
	return nl_request(nl, &req.h);
}

static int
same(uint8_t fa, uint8_t pa, const uint8_t *a, uint8_t fb, uint8_t pb, const uint8_t *b)
{
	return fa == fb && pa == pb && memcmp(a, b, fa == 4 ? 4 : 16) == 0;
}

int
sk_hctap_set_addrs(const char *ifname, const struct sk_img_prefix *addrs, uint32_t n,
		   char *err, size_t errlen)
{
	struct have *have = NULL;
	struct nl *nl;
	uint32_t n_have = 0, i, j, deleted = 0;
	int idx, rc, v6 = 0;

	idx = (int)if_nametoindex(ifname);
	if (idx == 0)
		return sk_err_set(err, errlen, -errno, "health tap %s: %s", ifname,
				  strerror(errno));
	for (i = 0; i < n; i++)
		if ((addrs[i].family != 4 && addrs[i].family != 6) ||
		    addrs[i].plen > (addrs[i].family == 4 ? 32 : 128))
			return sk_err_set(err, errlen, -EINVAL,
					  "health tap %s: address %u is malformed", ifname, i);
	nl = malloc(sizeof(*nl));
	have = calloc(HAVE_MAX, sizeof(*have));
	if (nl == NULL || have == NULL) {
		rc = sk_err_set(err, errlen, -ENOMEM, "health tap %s: out of memory", ifname);
		goto out_free;
	}
	rc = nl_open(nl);
	if (rc != 0) {
		sk_err_set(err, errlen, rc, "health tap %s: netlink: %s", ifname, strerror(-rc));
		goto out_free;
	}
	rc = dump_addrs(nl, idx, have, &n_have);
	if (rc != 0) {
		sk_err_set(err, errlen, rc, "health tap %s: listing addresses: %s", ifname,
			   strerror(-rc));
		goto out;
	}
	/* Delete first, so an address that moves to another prefix length
	 * is re-added with the new one. */
	for (j = 0; j < n_have; j++) {
		for (i = 0; i < n; i++)
			if (same(have[j].family, have[j].plen, have[j].addr, addrs[i].family,
				 addrs[i].plen, addrs[i].addr))
				break;
		if (i < n)
			continue;
		rc = addr_msg(nl, idx, RTM_DELADDR, have[j].family, have[j].plen, have[j].addr);
		if (rc != 0 && rc != -EADDRNOTAVAIL) {
			sk_err_set(err, errlen, rc, "health tap %s: removing an address: %s",
				   ifname, strerror(-rc));
			goto out;
		}
		deleted++;
	}
	/* Removing a primary IPv4 address takes its subnet's secondaries with
	 * it (unless promote_secondaries is set): look again. */
	if (deleted != 0 && (rc = dump_addrs(nl, idx, have, &n_have)) != 0) {
		sk_err_set(err, errlen, rc, "health tap %s: listing addresses: %s", ifname,
			   strerror(-rc));
		goto out;
	}
	for (i = 0; i < n; i++) {
		v6 |= addrs[i].family == 6;
		for (j = 0; j < n_have; j++)
			if (same(have[j].family, have[j].plen, have[j].addr, addrs[i].family,
				 addrs[i].plen, addrs[i].addr))
				break;
		if (j < n_have)
			continue;
		rc = addr_msg(nl, idx, RTM_NEWADDR, addrs[i].family, addrs[i].plen,
			      addrs[i].addr);
		if (rc != 0) {
			sk_err_set(err, errlen, rc, "health tap %s: adding address %u: %s",
				   ifname, i, strerror(-rc));
			goto out;
		}
	}
	rc = v6_default(nl, idx, v6);
	if (rc == -ESRCH || rc == -ENOENT) /* removing a route that is not there */
		rc = 0;
	else if (rc != 0)
		sk_err_set(err, errlen, rc, "health tap %s: IPv6 route: %s", ifname,
			   strerror(-rc));
out:
	close(nl->fd);
out_free:
	free(have);
	free(nl);
	return rc;
}
