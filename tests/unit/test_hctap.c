/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_hctap.c - the health-check tap (dataplane/hctap).
 *
 * Always: the health endpoint set built from compiled configs (the lab's
 * services and one with hc ports, port 0 backends, port ranges and type
 * none) and sk_hctap_is_reply on IPv4/IPv6 hits and every kind of miss.
 *
 * As root: the process moves into a network namespace of its own first
 * (unshare), so the tap it opens (net_tap, EAL --no-huge --no-pci) and the
 * addresses it sets vanish with it.  Checks the kernel interface's flags,
 * set_addrs against getifaddrs and /proc/net/ipv6_route, packets the kernel
 * sends out of the tap (connected and off-link, both families) and a packet
 * given to the kernel reaching a UDP socket.  Not root: those are skipped.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "cfg.h"
#include "sk_image_api.h"
#include "hctap/hctap.h"
#include "sk_test.h"
#include "sk_test_eal.h"

#define SK_SKIP(...) do { \
	sk_test_n++; \
	printf("ok %d - # SKIP ", sk_test_n); \
	printf(__VA_ARGS__); \
	printf("\n"); \
	fflush(stdout); \
} while (0)

#define TAP "skhctest0"

static uint16_t eph_lo = 1024, eph_hi = 65535;

static void
read_eph(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	unsigned int a, b;

	if (f != NULL && fscanf(f, "%u %u", &a, &b) == 2) {
		eph_lo = (uint16_t)a;
		eph_hi = (uint16_t)b;
	}
	if (f != NULL)
		fclose(f);
}

static struct sk_pkt_meta
meta(uint8_t family, uint8_t proto, const char *src, uint16_t sport, uint16_t dport)
{
	struct sk_pkt_meta pm;

	memset(&pm, 0, sizeof(pm));
	pm.kind = SK_PKT_IP;
	pm.family = family;
	pm.proto = proto;
	pm.sport = sport;
	pm.dport = dport;
	if (inet_pton(family == 4 ? AF_INET : AF_INET6, src, pm.src) != 1)
		printf("# bad test address %s\n", src);
	return pm;
}

static int
reply(const struct sk_hctap_set *s, uint8_t family, const char *src, uint16_t sport)
{
	struct sk_pkt_meta pm = meta(family, IPPROTO_TCP, src, sport, eph_lo);

	return sk_hctap_is_reply(s, &pm);
}

static void
test_lab_services(void)
{
	struct sk_cfg_diag d;
	struct sk_hctap_set *s;
	struct sk_pkt_meta pm;
	size_t len;
	void *img;

	sk_cfg_diag_init(&d);
	img = sk_cfg_compile_file("tests/config/good/lab-services.conf", &len, &d);
	sk_cfg_diag_print(&d, stdout);
	sk_cfg_diag_free(&d);
	SK_CHECK(img != NULL, "lab-services.conf compiles");
	if (img == NULL)
		return;
	s = sk_hctap_set_build(img, len, SOCKET_ID_ANY);
	SK_CHECK(s != NULL, "endpoint set of lab-services builds");
	if (s == NULL) {
		free(img);
		return;
	}
	SK_CHECK(sk_hctap_set_count(s) == 4, "4 endpoints (2 tcp, 2 http backends): %u",
		 sk_hctap_set_count(s));
	SK_CHECK(reply(s, 4, "10.10.0.11", 80) == 1, "v4 hit: web1:80");
	SK_CHECK(reply(s, 4, "10.10.0.12", 80) == 1, "v4 hit: web2:80");
	SK_CHECK(reply(s, 4, "10.10.0.13", 80) == 0, "v4 miss: not a backend");
	SK_CHECK(reply(s, 4, "10.10.0.11", 81) == 0, "v4 miss: other source port");
	SK_CHECK(reply(s, 6, "2001:db8:10::11", 80) == 1, "v6 hit: web1:80");
	SK_CHECK(reply(s, 6, "2001:db8:10::12", 80) == 1, "v6 hit: web2:80");
	SK_CHECK(reply(s, 6, "2001:db8:10::13", 80) == 0, "v6 miss: not a backend");
	SK_CHECK(reply(s, 6, "2001:db8:10::11", 443) == 0, "v6 miss: other source port");
	/* The IPv4 address's bytes read as IPv6 must not match. */
	SK_CHECK(reply(s, 6, "a0a:b::", 80) == 0, "family is part of the key");
	pm = meta(4, IPPROTO_UDP, "10.10.0.11", 80, eph_lo);
	SK_CHECK(sk_hctap_is_reply(s, &pm) == 0, "v4 miss: UDP from the endpoint");
	pm = meta(4, IPPROTO_TCP, "10.10.0.11", 80, eph_lo);
	pm.frag = SK_FRAG_LATER;
	SK_CHECK(sk_hctap_is_reply(s, &pm) == 0, "v4 miss: a later fragment has no ports");
	pm.frag = SK_FRAG_FIRST;
	SK_CHECK(sk_hctap_is_reply(s, &pm) == 1, "v4 hit: a first fragment has ports");
	if (eph_lo > 1) {
		pm = meta(4, IPPROTO_TCP, "10.10.0.11", 80, (uint16_t)(eph_lo - 1));
		SK_CHECK(sk_hctap_is_reply(s, &pm) == 0,
			 "v4 miss: destination port below the ephemeral range");
	}
	pm = meta(6, IPPROTO_TCP, "2001:db8:10::11", 80, eph_hi);
	SK_CHECK(sk_hctap_is_reply(s, &pm) == 1, "v6 hit at the top of the ephemeral range");
	if (eph_hi < 65535) {
		pm.dport = (uint16_t)(eph_hi + 1);
		SK_CHECK(sk_hctap_is_reply(s, &pm) == 0,
			 "v6 miss: destination port above the ephemeral range");
	}
	sk_hctap_set_free(s);
	free(img);
}

static const char ports_conf[] =
	"zones = ( \"net\", \"in\" );\n"
	"interfaces = (\n"
	"  { name = \"p0\"; device = \"net_null0\"; zone = \"net\"; ipv4 = [ \"192.0.2.1/24\" ];\n"
	"    ipv6 = [ \"2001:db8:1::1/64\" ]; },\n"
	"  { name = \"p1\"; device = \"net_null1\"; zone = \"in\"; ipv4 = [ \"10.1.0.1/24\" ];\n"
	"    ipv6 = [ \"2001:db8:2::1/64\" ]; }\n"
	");\n"
	"services = (\n"
	"  { name = \"hcport\"; vip = \"192.0.2.80\"; proto = \"tcp\"; port = \"80\";\n"
	"    backends = ( { name = \"a\"; address = \"10.1.0.11\"; port = 80; },\n"
	"                 { name = \"b\"; address = \"10.1.0.12\"; port = 80; } );\n"
	"    health = { type = \"http\"; port = 8081; path = \"/hc\"; }; },\n"
	"  { name = \"range\"; vip = \"192.0.2.81\"; proto = \"tcp\"; port = \"8000-8010\";\n"
	"    backends = ( { name = \"a\"; address = \"10.1.0.21\"; } );\n"
	"    health = { type = \"tcp\"; }; },\n"
	"  { name = \"unchecked\"; vip = \"192.0.2.82\"; proto = \"tcp\"; port = \"443\";\n"
	"    backends = ( { name = \"a\"; address = \"10.1.0.31\"; port = 443; } );\n"
	"    health = { type = \"none\"; }; },\n"
	"  { name = \"shared\"; vip = \"192.0.2.83\"; proto = \"tcp\"; port = \"80\";\n"
	"    backends = ( { name = \"a\"; address = \"10.1.0.11\"; port = 8081; } ); },\n"
	"  { name = \"v6\"; vip = \"2001:db8:1::80\"; proto = \"tcp\"; port = \"443\";\n"
	"    backends = ( { name = \"a\"; address = \"2001:db8:2::11\"; port = 443; } );\n"
	"    health = { type = \"https\"; port = 8443; }; }\n"
	");\n";

static void
test_ports(void)
{
	struct sk_cfg_diag d;
	struct sk_cfg *cfg;
	struct sk_hctap_set *s;
	char err[256];
	size_t len = 0;
	void *img = NULL;

	sk_cfg_diag_init(&d);
	cfg = sk_cfg_load_string(ports_conf, "ports.conf", &d);
	sk_cfg_diag_print(&d, stdout);
	sk_cfg_diag_free(&d);
	SK_CHECK(cfg != NULL, "health-port config loads");
	if (cfg == NULL)
		return;
	SK_CHECK(sk_cfg_image_build(cfg, &img, &len, err, sizeof(err)) == 0, "image: %s",
		 img ? "built" : err);
	sk_cfg_free(cfg);
	if (img == NULL)
		return;
	s = sk_hctap_set_build(img, len, SOCKET_ID_ANY);
	SK_CHECK(s != NULL, "endpoint set builds");
	if (s == NULL) {
		free(img);
		return;
	}
	/* 10.1.0.11:8081 twice (hc port, and a backend port 8081 of another
	 * service) is one endpoint: .11:8081 .12:8081 .21:8000 [v6]:8443. */
	SK_CHECK(sk_hctap_set_count(s) == 4, "4 distinct endpoints: %u", sk_hctap_set_count(s));
	SK_CHECK(reply(s, 4, "10.1.0.11", 8081) == 1, "hc port: 10.1.0.11:8081");
	SK_CHECK(reply(s, 4, "10.1.0.12", 8081) == 1, "hc port: 10.1.0.12:8081");
	SK_CHECK(reply(s, 4, "10.1.0.11", 80) == 0, "the service port is not probed when hc port is set");
	SK_CHECK(reply(s, 4, "10.1.0.21", 8000) == 1, "port 0 backend: the service's first port");
	SK_CHECK(reply(s, 4, "10.1.0.21", 8001) == 0, "... and only that one");
	SK_CHECK(reply(s, 4, "10.1.0.31", 443) == 0, "type none: not an endpoint");
	SK_CHECK(reply(s, 6, "2001:db8:2::11", 8443) == 1, "v6 hc port 8443");
	SK_CHECK(reply(s, 6, "2001:db8:2::11", 443) == 0, "v6 backend port is not probed");
	sk_hctap_set_free(s);
	sk_hctap_set_free(NULL);
	free(img);
}

/* ---- root only: a real tap in a namespace of our own ---- */

static struct sk_img_prefix
pfx(const char *a, uint8_t plen)
{
	struct sk_img_prefix p;

	memset(&p, 0, sizeof(p));
	p.family = strchr(a, ':') ? 6 : 4;
	p.plen = plen;
	inet_pton(p.family == 4 ? AF_INET : AF_INET6, a, p.addr);
	return p;
}

static int
plen_of(const struct sockaddr *mask)
{
	const uint8_t *b;
	int n, i, bits = 0;

	if (mask == NULL)
		return -1;
	if (mask->sa_family == AF_INET) {
		b = (const uint8_t *)&((const struct sockaddr_in *)(const void *)mask)->sin_addr;
		n = 4;
	} else {
		b = (const uint8_t *)&((const struct sockaddr_in6 *)(const void *)mask)->sin6_addr;
		n = 16;
	}
	for (i = 0; i < n; i++)
		bits += __builtin_popcount(b[i]);
	return bits;
}

/* The tap's addresses as the kernel reports them, "addr/plen" joined by ' ', sorted. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
tap_addrs(char *out, size_t cap)
{
	struct ifaddrs *ifa, *i;
	char *list[64];
	int n = 0, k;

	out[0] = '\0';
	if (getifaddrs(&ifa) != 0)
		return;
	for (i = ifa; i != NULL && n < 64; i = i->ifa_next) {
		char a[INET6_ADDRSTRLEN], buf[64];
		const void *p;

		if (strcmp(i->ifa_name, TAP) != 0 || i->ifa_addr == NULL ||
		    (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
			continue;
		p = i->ifa_addr->sa_family == AF_INET ?
			(const void *)&((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr :
			(const void *)&((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr;
		inet_ntop(i->ifa_addr->sa_family, p, a, sizeof(a));
		snprintf(buf, sizeof(buf), "%s/%d", a, plen_of(i->ifa_netmask));
		list[n++] = strdup(buf);
	}
	freeifaddrs(ifa);
	qsort(list, (size_t)n, sizeof(list[0]), cmp_str);
	for (k = 0; k < n; k++) {
		if (k > 0)
			strncat(out, " ", cap - strlen(out) - 1);
		strncat(out, list[k], cap - strlen(out) - 1);
		free(list[k]);
	}
}

/* Is "::/0 dev TAP metric SK_HCTAP_V6_METRIC" in the IPv6 routing table? */
static int
v6_default_route(void)
{
	FILE *f = fopen("/proc/net/ipv6_route", "r");
	char dst[40], src[40], nh[40], dev[32];
	unsigned int dlen, slen, metric, ref, use, flags;
	int found = 0;

	if (f == NULL)
		return -1;
	while (fscanf(f, "%32s %x %32s %x %32s %x %x %x %x %31s", dst, &dlen, src, &slen, nh,
		      &metric, &ref, &use, &flags, dev) == 10)
		if (dlen == 0 && strcmp(dev, TAP) == 0 && metric == SK_HCTAP_V6_METRIC &&
		    strcmp(dst, "00000000000000000000000000000000") == 0)
			found = 1;
	fclose(f);
	return found;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Have the kernel send a UDP datagram to dst (bound to the tap when bind_dev)
 * and wait up to a second for it to come out of the tap.  1 if it came, with
 * the expected source address; 0 if not; the source seen goes into got.
 */
static int
kernel_sends(uint16_t port, const char *dst, int bind_dev, const char *want_src,
	     char *got, size_t gotlen)
{
	int v6 = strchr(dst, ':') != NULL, fd, ok = 0;
	struct sockaddr_storage ss;
	socklen_t sl;
	double end;

	snprintf(got, gotlen, "nothing");
	memset(&ss, 0, sizeof(ss));
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(9);
		inet_pton(AF_INET6, dst, &s6->sin6_addr);
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(9);
		inet_pton(AF_INET, dst, &s4->sin_addr);
		sl = sizeof(*s4);
	}
	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return 0;
	if (bind_dev && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, TAP, sizeof(TAP)) != 0) {
		snprintf(got, gotlen, "SO_BINDTODEVICE: %s", strerror(errno));
		close(fd);
		return 0;
	}
	if (sendto(fd, "probe", 5, 0, (struct sockaddr *)&ss, sl) != 5) {
		snprintf(got, gotlen, "sendto: %s", strerror(errno));
		close(fd);
		return 0;
	}
	close(fd);
	end = now_s() + 1.0;
	while (!ok && now_s() < end) {
		struct rte_mbuf *pkts[32];
		uint16_t n = sk_hctap_from_kernel(port, pkts, 32), i;

		for (i = 0; i < n; i++) {
			const uint8_t *p = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
			uint8_t want[16] = { 0 }, wdst[16] = { 0 };
			const uint8_t *s, *d;
			char a[INET6_ADDRSTRLEN];

			if (!v6 && p[12] == 0x08 && p[13] == 0x00) {
				s = p + 14 + 12;
				d = p + 14 + 16;
				inet_pton(AF_INET, want_src, want);
				inet_pton(AF_INET, dst, wdst);
				if (memcmp(d, wdst, 4) == 0) {
					inet_ntop(AF_INET, s, a, sizeof(a));
					snprintf(got, gotlen, "%s", a);
					ok = memcmp(s, want, 4) == 0;
				}
			} else if (v6 && p[12] == 0x86 && p[13] == 0xdd) {
				s = p + 14 + 8;
				d = p + 14 + 24;
				inet_pton(AF_INET6, want_src, want);
				inet_pton(AF_INET6, dst, wdst);
				if (memcmp(d, wdst, 16) == 0) {
					inet_ntop(AF_INET6, s, a, sizeof(a));
					snprintf(got, gotlen, "%s", a);
					ok = memcmp(s, want, 16) == 0;
				}
			}
			rte_pktmbuf_free(pkts[i]);
		}
		if (!ok)
			usleep(5000);
	}
	return ok;
}

/* A UDP datagram from 10.99.0.5 to 10.99.0.1:uport behind a VLAN tag, as
 * a worker would hand it over. */
static struct rte_mbuf *
inbound_udp(struct rte_mempool *mp, uint16_t uport)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct sk_pkt_meta *pm;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	uint8_t *p;
	uint16_t len = 18 + 20 + 8 + 4;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(p, 0, len);
	memset(p, 0xaa, 6);                     /* somebody else's MAC */
	p[12] = 0x81; p[13] = 0x00; p[15] = 7;  /* VLAN 7 */
	p[16] = 0x08; p[17] = 0x00;
	ip = (struct rte_ipv4_hdr *)(p + 18);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(20 + 8 + 4);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	inet_pton(AF_INET, "10.99.0.5", &ip->src_addr);
	inet_pton(AF_INET, "10.99.0.1", &ip->dst_addr);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16(5555);
	udp->dst_port = rte_cpu_to_be_16(uport);
	udp->dgram_len = rte_cpu_to_be_16(8 + 4);
	memcpy(udp + 1, "pong", 4);
	pm = sk_pkt_meta(m);
	pm->kind = SK_PKT_IP;
	pm->family = 4;
	pm->proto = IPPROTO_UDP;
	pm->l2_len = 18;
	pm->frag = SK_FRAG_NONE;
	return m;
}

static void
test_tap(int in_netns)
{
	struct rte_mempool *mp;
	struct sk_img_prefix a1[3], a2[3];
	struct ifreq ifr;
	char err[256] = "", got[256];
	uint16_t port = 0;
	int rc, fd;

	if (!in_netns) {
		SK_SKIP("tap: needs root and a network namespace of its own");
		return;
	}
	mp = rte_pktmbuf_pool_create("hctap_test", 1023, 0, SK_PKT_PRIV_SIZE,
				     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	SK_CHECK(mp != NULL, "mbuf pool");
	if (mp == NULL)
		return;
	rc = sk_hctap_open("bad,name", mp, &port, err, sizeof(err));
	SK_CHECK(rc == -EINVAL, "a name with a comma is refused: %s", err);
	rc = sk_hctap_open(TAP, mp, &port, err, sizeof(err));
	if (rc != 0 && access("/dev/net/tun", R_OK | W_OK) != 0) {
		SK_SKIP("tap: no /dev/net/tun (%s)", err);
		rte_mempool_free(mp);
		return;
	}
	SK_CHECK(rc == 0, "open %s: %s", TAP, rc == 0 ? "ok" : err);
	if (rc != 0) {
		rte_mempool_free(mp);
		return;
	}
	SK_CHECK(if_nametoindex(TAP) != 0, "the kernel interface exists");
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", TAP);
	SK_CHECK(fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 &&
		 (ifr.ifr_flags & (IFF_UP | IFF_NOARP)) == (IFF_UP | IFF_NOARP),
		 "interface is up and NOARP (flags 0x%x)", (unsigned int)ifr.ifr_flags);
	if (fd >= 0)
		close(fd);

	a1[0] = pfx("10.99.0.1", 24);
	a1[1] = pfx("10.98.0.1", 16);
	a1[2] = pfx("2001:db8:99::1", 64);
	rc = sk_hctap_set_addrs(TAP, a1, 3, err, sizeof(err));
	SK_CHECK(rc == 0, "set 3 addresses: %s", rc == 0 ? "ok" : err);
	tap_addrs(got, sizeof(got));
	SK_CHECK(strcmp(got, "10.98.0.1/16 10.99.0.1/24 2001:db8:99::1/64") == 0,
		 "exactly the unit's addresses, no link-local: %s", got);
	SK_CHECK(v6_default_route() == 1, "IPv6 last-resort route via the tap");

	SK_CHECK(kernel_sends(port, "10.99.0.5", 0, "10.99.0.1", got, sizeof(got)),
		 "v4 connected subnet goes out of the tap from 10.99.0.1: %s", got);
	SK_CHECK(kernel_sends(port, "10.98.7.7", 0, "10.98.0.1", got, sizeof(got)),
		 "second v4 subnet from its own address 10.98.0.1: %s", got);
	SK_CHECK(kernel_sends(port, "2001:db8:99::5", 0, "2001:db8:99::1", got, sizeof(got)),
		 "v6 connected subnet from 2001:db8:99::1: %s", got);
	SK_CHECK(kernel_sends(port, "192.0.2.10", 1, "10.99.0.1", got, sizeof(got)) ||
		 kernel_sends(port, "192.0.2.10", 1, "10.98.0.1", got, sizeof(got)),
		 "v4 off-link, socket bound to the tap: from a unit address: %s", got);
	SK_CHECK(kernel_sends(port, "2001:db8:77::5", 1, "2001:db8:99::1", got, sizeof(got)),
		 "v6 off-link, socket bound to the tap: %s", got);

	/* A reply for the kernel: through a VLAN-tagged frame to another MAC. */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd >= 0) {
		struct sockaddr_in sa = { .sin_family = AF_INET };
		struct timeval tv = { .tv_sec = 2 };
		socklen_t sl = sizeof(sa);
		char buf[16] = "";
		ssize_t n = -1;
		struct rte_mbuf *m;

		inet_pton(AF_INET, "10.99.0.1", &sa.sin_addr);
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
		    getsockname(fd, (struct sockaddr *)&sa, &sl) == 0 &&
		    (m = inbound_udp(mp, ntohs(sa.sin_port))) != NULL) {
			sk_hctap_to_kernel(port, m);
			n = recv(fd, buf, sizeof(buf) - 1, 0);
		}
		SK_CHECK(n == 4 && memcmp(buf, "pong", 4) == 0,
			 "to_kernel: the datagram reaches a socket on 10.99.0.1 (%zd bytes)", n);
		close(fd);
	}
	SK_CHECK(sk_hctap_stats()->to_kernel == 1 && sk_hctap_stats()->to_kernel_failed == 0,
		 "to_kernel counted once");

	/* Change: one address gone, one with a new prefix length, one new;
	 * then no IPv6 at all. */
	a2[0] = pfx("10.99.0.1", 25);
	a2[1] = pfx("10.97.0.1", 24);
	a2[2] = pfx("10.97.0.1", 24);
	rc = sk_hctap_set_addrs(TAP, a2, 3, err, sizeof(err));
	SK_CHECK(rc == 0, "replace the addresses: %s", rc == 0 ? "ok" : err);
	tap_addrs(got, sizeof(got));
	SK_CHECK(strcmp(got, "10.97.0.1/24 10.99.0.1/25") == 0,
		 "replaced exactly (duplicates once, new prefix length): %s", got);
	SK_CHECK(v6_default_route() == 0, "no IPv6 address: no IPv6 route");
	rc = sk_hctap_set_addrs(TAP, a2, 0, err, sizeof(err));
	tap_addrs(got, sizeof(got));
	SK_CHECK(rc == 0 && got[0] == '\0', "no addresses: %s", got);
	rc = sk_hctap_set_addrs("skhc-none", a2, 1, err, sizeof(err));
	SK_CHECK(rc == -ENODEV, "unknown interface: %s", err);

	sk_hctap_close(port);
	SK_CHECK(if_nametoindex(TAP) == 0, "close removes the kernel interface");
	rte_mempool_free(mp);
}

int
main(int argc, char **argv)
{
	int in_netns = 0;

	(void)argc;
	/* Before EAL starts its threads, so they share the namespace. */
	if (geteuid() == 0 && unshare(CLONE_NEWNET) == 0)
		in_netns = 1;
	if (sk_test_eal_init(argv[0]) < 0) {
		printf("not ok 1 - EAL init\n");
		return 1;
	}
	read_eph();
	test_lab_services();
	test_ports();
	test_tap(in_netns);
	return SK_TEST_DONE();
}
