/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_route.c - routing lookups (dataplane/route): connected vs static
 * routes, longest prefix wins, default routes, IPv6, misses, duplicate
 * prefixes, unique names.  Images are built in C and pass sk_image_verify.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_memory.h>
#include <rte_lcore.h>

#include "sk_test.h"
#include "sk_test_eal.h"
#include "sk_test_image.h"
#include "sk_image_api.h"
#include "route/route.h"

/* --- a minimal image: one zone, two interfaces, the given routes --- */

static void *
image_with_routes(const struct sk_img_route *routes, uint32_t n, size_t *lenp)
{
	struct sk_img_settings st;
	struct sk_img_zone zone = { .name = "inside" };
	struct sk_img_iface ifs[2];
	const void *data[SK_SEC__MAX] = { 0 };
	uint32_t cnt[SK_SEC__MAX] = { 0 };
	int i;

	sk_test_settings(&st);
	memset(ifs, 0, sizeof(ifs));
	for (i = 0; i < 2; i++) {
		snprintf(ifs[i].name, sizeof(ifs[i].name), "eth%d", i);
		ifs[i].zone = 1;
		ifs[i].mtu = 1500;
	}
	data[SK_SEC_SETTINGS] = &st; cnt[SK_SEC_SETTINGS] = 1;
	data[SK_SEC_ZONES] = &zone; cnt[SK_SEC_ZONES] = 1;
	data[SK_SEC_IFACES] = ifs; cnt[SK_SEC_IFACES] = 2;
	data[SK_SEC_ROUTES] = routes; cnt[SK_SEC_ROUTES] = n;
	return sk_test_image(data, cnt, lenp);
}

static struct sk_img_route
rt(const char *cidr, uint16_t iface, const char *gw)
{
	struct sk_img_route r;
	char a[64], *slash;

	memset(&r, 0, sizeof(r));
	snprintf(a, sizeof(a), "%s", cidr);
	slash = strchr(a, '/');
	*slash = '\0';
	r.dst.plen = (uint8_t)atoi(slash + 1);
	r.dst.family = strchr(a, ':') ? 6 : 4;
	inet_pton(r.dst.family == 4 ? AF_INET : AF_INET6, a, r.dst.addr);
	r.iface = iface;
	if (gw == NULL) {
		r.connected = 1;
	} else {
		r.has_gw = 1;
		inet_pton(r.dst.family == 4 ? AF_INET : AF_INET6, gw, r.gw);
	}
	return r;
}

static void
ip(const char *s, uint8_t out[16])
{
	memset(out, 0, 16);
	inet_pton(strchr(s, ':') ? AF_INET6 : AF_INET, s, out);
}

/* Look dst up; check iface, connected and nexthop (NULL: expect a miss). */
static int
expect(const struct sk_route *r, const char *dst, int iface, int connected, const char *nh)
{
	struct sk_route_result res;
	uint8_t d[16], want[16];
	uint8_t fam = strchr(dst, ':') ? 6 : 4;
	int rc;

	ip(dst, d);
	memset(&res, 0xa5, sizeof(res));
	rc = sk_route_lookup(r, fam, d, &res);
	if (nh == NULL)
		return rc == -ENOENT;
	ip(nh, want);
	return rc == 0 && res.iface == iface && res.connected == connected &&
	       memcmp(res.nexthop, want, fam == 4 ? 4 : 16) == 0 &&
	       (fam == 6 || memcmp(res.nexthop + 4, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) == 0);
}

static void
test_v4(void)
{
	struct sk_img_route routes[] = {
		rt("10.0.0.0/24", 0, NULL),             /* connected */
		rt("192.168.1.0/24", 1, NULL),          /* connected */
		rt("172.16.0.0/12", 1, "192.168.1.254"),/* static */
		rt("172.16.5.0/24", 0, "10.0.0.9"),     /* more specific static */
		rt("172.16.5.7/32", 1, "192.168.1.7"),  /* host route (tbl8) */
		rt("0.0.0.0/0", 0, "10.0.0.1"),         /* default */
		rt("10.0.0.0/24", 1, "192.168.1.99"),   /* duplicate: first wins */
	};
	char err[256] = "";
	size_t len;
	void *img = image_with_routes(routes, RTE_DIM(routes), &len);
	struct sk_route *r;

	SK_CHECK(img != NULL, "v4 image verifies");
	r = sk_route_build(img, "rt_v4", SOCKET_ID_ANY, err, sizeof(err));
	SK_CHECK(r != NULL, "v4 routes build (%s)", err);
	if (r == NULL) {
		free(img);
		return;
	}
	SK_CHECK(expect(r, "10.0.0.5", 0, 1, "10.0.0.5"), "connected: nexthop is the destination");
	SK_CHECK(expect(r, "10.0.0.255", 0, 1, "10.0.0.255"), "connected: last address of /24");
	SK_CHECK(expect(r, "192.168.1.20", 1, 1, "192.168.1.20"), "second connected net");
	SK_CHECK(expect(r, "172.16.0.1", 1, 0, "192.168.1.254"), "static: nexthop is the gateway");
	SK_CHECK(expect(r, "172.31.255.255", 1, 0, "192.168.1.254"), "static /12 upper edge");
	SK_CHECK(expect(r, "172.16.5.1", 0, 0, "10.0.0.9"), "longer /24 beats /12");
	SK_CHECK(expect(r, "172.16.5.7", 1, 0, "192.168.1.7"), "/32 beats /24");
	SK_CHECK(expect(r, "172.16.5.8", 0, 0, "10.0.0.9"), "/32 neighbour falls back to /24");
	SK_CHECK(expect(r, "172.32.0.0", 0, 0, "10.0.0.1"), "just above /12 takes the default");
	SK_CHECK(expect(r, "8.8.8.8", 0, 0, "10.0.0.1"), "default route");
	SK_CHECK(expect(r, "10.0.0.1", 0, 1, "10.0.0.1"), "duplicate prefix: first route wins");
	{
		uint8_t d[16];
		struct sk_route_result res;

		ip("2001:db8::1", d);
		SK_CHECK(sk_route_lookup(r, 6, d, &res) == -ENOENT, "no v6 routes: v6 misses");
		SK_CHECK(sk_route_lookup(r, 5, d, &res) == -EINVAL, "bad family refused");
	}
	{
		struct sk_route *dup = sk_route_build(img, "rt_v4", SOCKET_ID_ANY, err,
						      sizeof(err));

		SK_CHECK(dup == NULL, "same name refused while in use (%s)", err);
		sk_route_free(dup);
	}
	sk_route_free(r);
	r = sk_route_build(img, "rt_v4", SOCKET_ID_ANY, err, sizeof(err));
	SK_CHECK(r != NULL, "name free again after sk_route_free");
	sk_route_free(r);
	free(img);
}

static void
test_v6_and_miss(void)
{
	struct sk_img_route routes[] = {
		rt("2001:db8:1::/64", 0, NULL),
		rt("2001:db8::/32", 1, "fe80::1"),
		rt("2001:db8:1:0:abcd::/80", 1, "fe80::2"),
		rt("2001:db8:1::42/128", 0, "fe80::3"),
		rt("10.1.0.0/16", 1, NULL),
	};
	char err[256] = "";
	size_t len;
	void *img = image_with_routes(routes, RTE_DIM(routes), &len);
	struct sk_route *r;

	r = img ? sk_route_build(img, "rt_v6", SOCKET_ID_ANY, err, sizeof(err)) : NULL;
	SK_CHECK(r != NULL, "v6 routes build (%s)", err);
	if (r == NULL) {
		free(img);
		return;
	}
	SK_CHECK(expect(r, "2001:db8:1::5", 0, 1, "2001:db8:1::5"), "v6 connected");
	SK_CHECK(expect(r, "2001:db8:1:0:ffff:ffff:ffff:ffff", 0, 1,
			"2001:db8:1:0:ffff:ffff:ffff:ffff"), "v6 connected /64 upper edge");
	SK_CHECK(expect(r, "2001:db8:2::1", 1, 0, "fe80::1"), "v6 static /32");
	SK_CHECK(expect(r, "2001:db8:1:0:abcd::9", 1, 0, "fe80::2"), "v6 /80 beats /64");
	SK_CHECK(expect(r, "2001:db8:1::42", 0, 0, "fe80::3"), "v6 /128 host route");
	SK_CHECK(expect(r, "2001:db8:1::43", 0, 1, "2001:db8:1::43"), "v6 /128 neighbour");
	SK_CHECK(expect(r, "2001:db9::1", 0, 0, NULL), "v6 miss without default");
	SK_CHECK(expect(r, "10.1.255.255", 1, 1, "10.1.255.255"), "v4 beside v6");
	SK_CHECK(expect(r, "10.2.0.0", 0, 0, NULL), "v4 miss without default");
	sk_route_free(r);
	free(img);

	/* a default route alone (no table at all) and a v6 default */
	{
		struct sk_img_route d[] = {
			rt("::/0", 1, "fe80::99"),
			rt("0.0.0.0/0", 0, "10.0.0.1"),
			rt("::/0", 0, "fe80::98"),
		};

		img = image_with_routes(d, RTE_DIM(d), &len);
		r = img ? sk_route_build(img, "rt_def", SOCKET_ID_ANY, err, sizeof(err)) : NULL;
		SK_CHECK(r != NULL, "default-only tables build (%s)", err);
		if (r != NULL) {
			SK_CHECK(expect(r, "2001:db8::1", 1, 0, "fe80::99"),
				 "v6 default route, first of two wins");
			SK_CHECK(expect(r, "255.255.255.255", 0, 0, "10.0.0.1"),
				 "v4 default route alone");
		}
		sk_route_free(r);
		free(img);
	}

	/* empty table: everything misses */
	img = image_with_routes(NULL, 0, &len);
	r = img ? sk_route_build(img, "rt_none", SOCKET_ID_ANY, err, sizeof(err)) : NULL;
	SK_CHECK(r != NULL, "empty route table builds");
	if (r != NULL) {
		SK_CHECK(expect(r, "1.2.3.4", 0, 0, NULL), "empty: v4 miss");
		SK_CHECK(expect(r, "::1", 0, 0, NULL), "empty: v6 miss");
	}
	sk_route_free(r);
	sk_route_free(NULL);
	free(img);
}

int
main(int argc, char **argv)
{
	(void)argc;
	if (sk_test_eal_init(argv[0]) < 0) {
		printf("not ok 1 - EAL init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	test_v4();
	test_v6_and_miss();
	return SK_TEST_DONE();
}
