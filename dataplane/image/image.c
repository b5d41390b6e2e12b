/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * image.c - the image loader: verification of config images, and reading
 * an image file (the contract: sk_image_api.h).  An image is input: it may be
 * truncated, stale, or hostile, so nothing in it is used before every offset,
 * count and cross reference has been checked here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rte_hash_crc.h>

#include "sk_image_api.h"
#include "sk_err.h"
#include "sk_prime.h"

uint32_t
sk_image_crc(const void *img, size_t len)
{
	const struct sk_image_hdr *h = img;

	return rte_hash_crc((const uint8_t *)img + h->hdr_len, len - h->hdr_len, 0);
}

static int
str_ok(const char *s, size_t max)
{
	return memchr(s, '\0', max) != NULL;
}

static const size_t sec_elem[SK_SEC__MAX] = {
	[SK_SEC_SETTINGS] = sizeof(struct sk_img_settings),
	[SK_SEC_ZONES] = sizeof(struct sk_img_zone),
	[SK_SEC_IFACES] = sizeof(struct sk_img_iface),
	[SK_SEC_ADDRS] = sizeof(struct sk_img_prefix),
	[SK_SEC_ROUTES] = sizeof(struct sk_img_route),
	[SK_SEC_NEIGHS] = sizeof(struct sk_img_neigh),
	[SK_SEC_RULES] = sizeof(struct sk_img_rule),
	[SK_SEC_PREFIXES] = sizeof(struct sk_img_prefix),
	[SK_SEC_PORTS] = sizeof(struct sk_img_portrange),
	[SK_SEC_ZONEPOL] = sizeof(struct sk_img_zonepol),
	[SK_SEC_SERVICES] = sizeof(struct sk_img_service),
	[SK_SEC_BACKENDS] = sizeof(struct sk_img_backend),
	[SK_SEC_SNAT] = sizeof(struct sk_img_prefix),
	[SK_SEC_HA] = sizeof(struct sk_img_ha),
	[SK_SEC_ADDR_HA] = sizeof(struct sk_img_addr_ha),
};

static int
prefix_ok(const struct sk_img_prefix *p)
{
	return (p->family == 4 && p->plen <= 32) || (p->family == 6 && p->plen <= 128);
}

static int
range_ok(uint32_t first, uint32_t count, uint32_t total)
{
	return first <= total && count <= total - first;
}

/* IPv4 lives in the first four bytes; the rest must be zero so memcmp compares. */
static int
addr_ok(uint8_t family, const uint8_t a[16])
{
	static const uint8_t zero[12];

	return family == 6 || (family == 4 && memcmp(a + 4, zero, sizeof(zero)) == 0);
}

static int
verify_service_fields(const struct sk_img_service *s, uint32_t i, char *err, size_t errlen)
{
	if (!str_ok(s->name, sizeof(s->name)) || !str_ok(s->hc_path, sizeof(s->hc_path)))
		return sk_err_set(err, errlen, -EINVAL, "service %u: string not terminated", i);
	if (s->id != i + 1)
		return sk_err_set(err, errlen, -EINVAL, "service %u: id %u, expected %u", i, s->id, i + 1);
	if ((s->family != 4 && s->family != 6) || !addr_ok(s->family, s->vip))
		return sk_err_set(err, errlen, -EINVAL, "service %u: bad family or VIP", i);
	if ((s->proto != 6 && s->proto != 17) || s->sched >= SK_LB_SCHED__MAX ||
	    s->fwd >= SK_LB_FWD__MAX)
		return sk_err_set(err, errlen, -EINVAL, "service %u: bad proto/scheduler/forward", i);
	if (s->port_lo == 0 || s->port_lo > s->port_hi)
		return sk_err_set(err, errlen, -EINVAL, "service %u: bad port range", i);
	if (s->persist_s > SK_LB_PERSIST_MAX || s->conn_limit > SK_LB_CONN_LIMIT_MAX)
		return sk_err_set(err, errlen, -EINVAL, "service %u: persist/conn_limit out of range", i);
	if (s->synproxy > 1 || (s->synproxy && s->proto != 6))
		return sk_err_set(err, errlen, -EINVAL, "service %u: synproxy needs proto tcp", i);
	if (s->backend_count == 0 || s->backend_count > SK_LB_MAX_BACKENDS)
		return sk_err_set(err, errlen, -EINVAL, "service %u: backend count %u out of range", i,
			    s->backend_count);
	if (s->sched == SK_LB_SCHED_MAGLEV ?
	    (s->maglev_size > SK_LB_MAGLEV_MAX || s->maglev_size <= s->backend_count ||
	     !sk_is_prime(s->maglev_size)) : s->maglev_size != 0)
		return sk_err_set(err, errlen, -EINVAL, "service %u: bad maglev_size %u", i, s->maglev_size);
	if (s->snat_count > SK_LB_MAX_SNAT ||
	    (s->fwd == SK_LB_FWD_FULLNAT) != (s->snat_count > 0))
		return sk_err_set(err, errlen, -EINVAL, "service %u: snat count %u does not fit forward mode", i,
			    s->snat_count);
	if (s->hc_type >= SK_LB_HC__MAX || s->hc_path[0] != '/' ||
	    s->hc_status < 100 || s->hc_status > 599 ||
	    s->hc_rise < 1 || s->hc_rise > 100 || s->hc_fall < 1 || s->hc_fall > 100 ||
	    s->hc_interval_ms < 100 || s->hc_interval_ms > 3600000 ||
	    s->hc_timeout_ms < 10 || s->hc_timeout_ms >= s->hc_interval_ms)
		return sk_err_set(err, errlen, -EINVAL, "service %u: health check out of range", i);
	return 0;
}

/*
 * Services, their backends and SNAT sources.  The per-service ranges must
 * partition their sections in order, so a reader may walk either side
 * (service -> backends, backend -> service) without further checks.
 */
static int
verify_services(const struct sk_image_hdr *h, uint32_t nif, char *err, size_t errlen)
{
	uint32_t ns, nb, nsn, i, j, next_b = 0, next_s = 0;
	const struct sk_img_service *s = sk_image_sec(h, SK_SEC_SERVICES, &ns);
	const struct sk_img_backend *b = sk_image_sec(h, SK_SEC_BACKENDS, &nb);
	const struct sk_img_prefix *sn = sk_image_sec(h, SK_SEC_SNAT, &nsn);
	int rc;

	if (ns > SK_LB_MAX_SERVICES)
		return sk_err_set(err, errlen, -EINVAL, "too many services (%u)", ns);
	for (i = 0; i < ns; i++) {
		rc = verify_service_fields(&s[i], i, err, errlen);
		if (rc != 0)
			return rc;
		if (s[i].backend_first != next_b || !range_ok(next_b, s[i].backend_count, nb))
			return sk_err_set(err, errlen, -EINVAL, "service %u: backend index out of range", i);
		if (s[i].snat_first != next_s || !range_ok(next_s, s[i].snat_count, nsn))
			return sk_err_set(err, errlen, -EINVAL, "service %u: snat index out of range", i);
		next_b += s[i].backend_count;
		next_s += s[i].snat_count;
		for (j = s[i].backend_first; j < next_b; j++) {
			if (!str_ok(b[j].name, sizeof(b[j].name)) || b[j].service != i ||
			    b[j].family != s[i].family || !addr_ok(b[j].family, b[j].addr) ||
			    b[j].state >= SK_LB_BE__MAX || b[j].conn_limit > SK_LB_CONN_LIMIT_MAX)
				return sk_err_set(err, errlen, -EINVAL, "backend %u of service %u invalid", j, i);
		}
		for (j = s[i].snat_first; j < next_s; j++) {
			if (sn[j].family != s[i].family || !addr_ok(sn[j].family, sn[j].addr) ||
			    sn[j].plen != (sn[j].family == 4 ? 32 : 128) || sn[j].iface >= nif)
				return sk_err_set(err, errlen, -EINVAL, "snat source %u of service %u invalid", j, i);
		}
		/* One packet must map to at most one service. */
		for (j = 0; j < i; j++)
			if (s[j].family == s[i].family && s[j].proto == s[i].proto &&
			    memcmp(s[j].vip, s[i].vip, 16) == 0 &&
			    s[j].port_lo <= s[i].port_hi && s[i].port_lo <= s[j].port_hi)
				return sk_err_set(err, errlen, -EINVAL, "service %u overlaps service %u", i, j);
	}
	if (next_b != nb || next_s != nsn)
		return sk_err_set(err, errlen, -EINVAL, "backends or snat sources owned by no service");
	return 0;
}

static int
verify_rules(const struct sk_image_hdr *h, uint32_t nzones, char *err, size_t errlen)
{
	uint32_t nr, np, nport, i, j;
	const struct sk_img_rule *r = sk_image_sec(h, SK_SEC_RULES, &nr);
	const struct sk_img_prefix *p = sk_image_sec(h, SK_SEC_PREFIXES, &np);

	sk_image_sec(h, SK_SEC_PORTS, &nport);
	for (i = 0; i < nr; i++, r++) {
		if (!str_ok(r->name, sizeof(r->name)))
			return sk_err_set(err, errlen, -EINVAL, "rule %u: name not terminated", i);
		if ((r->from_zone != SK_ZONE_ANY && (r->from_zone == 0 || r->from_zone > nzones)) ||
		    (r->to_zone != SK_ZONE_ANY && r->to_zone > nzones))
			return sk_err_set(err, errlen, -EINVAL, "rule %u: zone out of range", i);
		if (r->action > SK_ACT_REJECT)
			return sk_err_set(err, errlen, -EINVAL, "rule %u: bad action %u", i, r->action);
		if (r->family != 0 && r->family != 4 && r->family != 6)
			return sk_err_set(err, errlen, -EINVAL, "rule %u: bad family %u", i, r->family);
		if ((r->icmp_type != SK_ICMP_ANY && r->icmp_type > 255) ||
		    (r->icmp_code != SK_ICMP_ANY && r->icmp_code > 255))
			return sk_err_set(err, errlen, -EINVAL, "rule %u: bad icmp type/code", i);
		if (r->src_rate > SK_SRC_RATE_MAX || r->src_burst > SK_SRC_RATE_MAX ||
		    r->src_conn_max > SK_SRC_CONN_MAX ||
		    (r->src_burst != 0 && r->src_rate == 0) ||
		    ((r->src_rate != 0 || r->src_conn_max != 0) && r->action != SK_ACT_ACCEPT))
			return sk_err_set(err, errlen, -EINVAL, "rule %u: bad src_* limits", i);
		if (r->synproxy > 1 || (r->synproxy && r->action != SK_ACT_ACCEPT))
			return sk_err_set(err, errlen, -EINVAL, "rule %u: bad synproxy", i);
		if (!range_ok(r->src_first, r->src_count, np) ||
		    !range_ok(r->dst_first, r->dst_count, np) ||
		    !range_ok(r->sport_first, r->sport_count, nport) ||
		    !range_ok(r->dport_first, r->dport_count, nport))
			return sk_err_set(err, errlen, -EINVAL, "rule %u: list index out of range", i);
		for (j = 0; j < r->src_count; j++)
			if (!prefix_ok(&p[r->src_first + j]) ||
			    (r->family != 0 && p[r->src_first + j].family != r->family))
				return sk_err_set(err, errlen, -EINVAL, "rule %u: bad source prefix", i);
		for (j = 0; j < r->dst_count; j++)
			if (!prefix_ok(&p[r->dst_first + j]) ||
			    (r->family != 0 && p[r->dst_first + j].family != r->family))
				return sk_err_set(err, errlen, -EINVAL, "rule %u: bad destination prefix", i);
	}
	return 0;
}

/* The HA section and the per-address HA records (sk_image.h invariants). */
static int
verify_ha(const struct sk_image_hdr *h, uint32_t nif, uint32_t naddr, char *err, size_t errlen)
{
	uint32_t nha, nah, i;
	const struct sk_img_ha *ha = sk_image_sec(h, SK_SEC_HA, &nha);
	const struct sk_img_addr_ha *ah = sk_image_sec(h, SK_SEC_ADDR_HA, &nah);

	if (nha > 1)
		return sk_err_set(err, errlen, -EINVAL, "HA section holds %u records", nha);
	if (nah != (nha == 1 ? naddr : 0))
		return sk_err_set(err, errlen, -EINVAL, "HA address records: %u for %u addresses",
				  nah, naddr);
	for (i = 0; i < nah; i++)
		if (ah[i].unit > SK_HA_UNITS ||
		    (ah[i].unit == 0) != ((ah[i].flags & SK_ADDR_FLOATING) != 0))
			return sk_err_set(err, errlen, -EINVAL, "HA address record %u invalid", i);
	if (nha == 0)
		return 0;
	if (!str_ok(ha->cluster, sizeof(ha->cluster)) || !str_ok(ha->psk_file, sizeof(ha->psk_file)) ||
	    !str_ok(ha->hook, sizeof(ha->hook)))
		return sk_err_set(err, errlen, -EINVAL, "HA: string not terminated");
	if (ha->dp_iface != SK_HA_NO_IFACE && ha->dp_iface >= nif)
		return sk_err_set(err, errlen, -EINVAL, "HA: heartbeat interface out of range");
	if (ha->sync_sweep_ms != 0 && (ha->sync_sweep_ms < 500 || ha->sync_sweep_ms > 600000))
		return sk_err_set(err, errlen, -EINVAL, "ha: sync_sweep_ms %u out of range",
				  ha->sync_sweep_ms);
	if (ha->hb_interval_ms == 0 || ha->dead_ms <= ha->hb_interval_ms)
		return sk_err_set(err, errlen, -EINVAL, "HA: dead interval must exceed the heartbeat");
	for (i = 0; i < SK_HA_UNITS; i++) {
		const struct sk_img_ha_unit *u = &ha->unit[i];

		if ((u->ha_family != 4 && u->ha_family != 6) ||
		    (u->dp_family != 0 && u->dp_family != 4 && u->dp_family != 6) ||
		    u->priority == 0 || u->priority > SK_HA_PRIO_MAX ||
		    !str_ok(u->lcores, sizeof(u->lcores)) ||
		    !str_ok(u->file_prefix, sizeof(u->file_prefix)))
			return sk_err_set(err, errlen, -EINVAL, "HA unit %u invalid", i + 1);
	}
	return 0;
}

int
sk_image_verify(const void *img, size_t len, char *err, size_t errlen)
{
	const struct sk_image_hdr *h = img;
	uint32_t i, n, nz, nif, naddr;

	if (img == NULL || len < sizeof(*h))
		return sk_err_set(err, errlen, -EINVAL, "image truncated (%zu bytes)", len);
	if (h->magic != SK_IMAGE_MAGIC)
		return sk_err_set(err, errlen, -EINVAL, "not a config image (bad magic)");
	if (h->byte_order != SK_IMAGE_BYTE_ORDER)
		return sk_err_set(err, errlen, -EINVAL, "image made on a machine of the other byte order");
	if (h->version != SK_IMAGE_VERSION)
		return sk_err_set(err, errlen, -EINVAL, "image version %u, this build reads %u",
			    h->version, SK_IMAGE_VERSION);
	if (h->hdr_len != sizeof(*h))
		return sk_err_set(err, errlen, -EINVAL, "header length %u, expected %zu", h->hdr_len, sizeof(*h));
	if (h->total_len != len || len > SK_IMAGE_MAX_LEN)
		return sk_err_set(err, errlen, -EINVAL, "image length %zu, header says %u", len, h->total_len);
	if (sk_image_crc(img, len) != h->crc)
		return sk_err_set(err, errlen, -EINVAL, "image checksum mismatch");
	if (!str_ok(h->source, sizeof(h->source)))
		return sk_err_set(err, errlen, -EINVAL, "source name not terminated");

	for (i = 0; i < SK_SEC__MAX; i++) {
		const struct sk_img_sec *s = &h->sec[i];

		if (s->elem_size != sec_elem[i])
			return sk_err_set(err, errlen, -EINVAL, "section %u: record size %u, expected %zu",
				    i, s->elem_size, sec_elem[i]);
		if (s->offset < h->hdr_len || s->offset > len ||
		    (uint64_t)s->count * s->elem_size > len - s->offset)
			return sk_err_set(err, errlen, -EINVAL, "section %u out of bounds", i);
		if (s->offset % 4 != 0)
			return sk_err_set(err, errlen, -EINVAL, "section %u misaligned", i);
	}
	if (h->sec[SK_SEC_SETTINGS].count != 1)
		return sk_err_set(err, errlen, -EINVAL, "settings section must hold one record");

	const struct sk_img_settings *st = sk_image_settings(h);
	if (!str_ok(st->lcores, sizeof(st->lcores)) ||
	    !str_ok(st->file_prefix, sizeof(st->file_prefix)) ||
	    !str_ok(st->health_tap, sizeof(st->health_tap)))
		return sk_err_set(err, errlen, -EINVAL, "settings: string not terminated");
	if (st->workers == 0 || st->workers > 64 || st->burst == 0 || st->burst > 64 ||
	    st->conn_max == 0 || st->neigh_max == 0 || st->mbufs < 1024 ||
	    st->rx_desc == 0 || st->tx_desc == 0 || st->default_action > SK_ACT_REJECT)
		return sk_err_set(err, errlen, -EINVAL, "settings out of range");
	if (st->halfopen_max > st->conn_max || st->src_slots > (1u << 22))
		return sk_err_set(err, errlen, -EINVAL, "settings: halfopen_max or src_slots out of range");
	if (st->synproxy_wscale > 14)
		return sk_err_set(err, errlen, -EINVAL, "settings: synproxy_wscale above 14");

	const struct sk_img_zone *z = sk_image_sec(h, SK_SEC_ZONES, &nz);
	if (nz + 1 > SK_MAX_ZONES)
		return sk_err_set(err, errlen, -EINVAL, "too many zones (%u)", nz);
	for (i = 0; i < nz; i++)
		if (!str_ok(z[i].name, sizeof(z[i].name)))
			return sk_err_set(err, errlen, -EINVAL, "zone %u: name not terminated", i);

	const struct sk_img_prefix *a = sk_image_sec(h, SK_SEC_ADDRS, &naddr);
	const struct sk_img_iface *f = sk_image_sec(h, SK_SEC_IFACES, &nif);
	if (nif == 0 || nif > SK_MAX_IFACES)
		return sk_err_set(err, errlen, -EINVAL, "interface count %u out of range", nif);
	for (i = 0; i < nif; i++) {
		if (!str_ok(f[i].name, sizeof(f[i].name)) ||
		    !str_ok(f[i].device, sizeof(f[i].device)))
			return sk_err_set(err, errlen, -EINVAL, "interface %u: string not terminated", i);
		if (f[i].zone == 0 || f[i].zone > nz)
			return sk_err_set(err, errlen, -EINVAL, "interface %u: zone out of range", i);
		if (f[i].mtu < 68 || f[i].mtu > 9000)
			return sk_err_set(err, errlen, -EINVAL, "interface %u: mtu out of range", i);
		/* Workers neither tag on TX nor keep VLANs apart (docs/config.md). */
		if (f[i].vlan != 0)
			return sk_err_set(err, errlen, -ENOTSUP, "interface %u: VLAN %u: 802.1Q "
					  "subinterfaces are not supported", i, f[i].vlan);
		if (f[i].rpf > SK_RPF_LOOSE || f[i].ip_opts > SK_IPOPTS_DROP)
			return sk_err_set(err, errlen, -EINVAL, "interface %u: rpf %u or ip_options %u "
					  "out of range", i, f[i].rpf, f[i].ip_opts);
		if (!range_ok(f[i].addr_first, f[i].addr_count, naddr))
			return sk_err_set(err, errlen, -EINVAL, "interface %u: address index out of range", i);
	}
	for (i = 0; i < naddr; i++)
		if (!prefix_ok(&a[i]) || a[i].iface >= nif)
			return sk_err_set(err, errlen, -EINVAL, "address %u invalid", i);

	const struct sk_img_route *rt = sk_image_sec(h, SK_SEC_ROUTES, &n);
	for (i = 0; i < n; i++)
		if (!prefix_ok(&rt[i].dst) || rt[i].iface >= nif)
			return sk_err_set(err, errlen, -EINVAL, "route %u invalid", i);

	const struct sk_img_neigh *ne = sk_image_sec(h, SK_SEC_NEIGHS, &n);
	for (i = 0; i < n; i++)
		if ((ne[i].family != 4 && ne[i].family != 6) || ne[i].iface >= nif)
			return sk_err_set(err, errlen, -EINVAL, "static neighbour %u invalid", i);

	const struct sk_img_zonepol *zp = sk_image_sec(h, SK_SEC_ZONEPOL, &n);
	for (i = 0; i < n; i++)
		if (zp[i].from_zone == 0 || zp[i].from_zone > nz || zp[i].to_zone > nz ||
		    zp[i].action > SK_ACT_REJECT)
			return sk_err_set(err, errlen, -EINVAL, "zone default %u invalid", i);

	const struct sk_img_portrange *pr = sk_image_sec(h, SK_SEC_PORTS, &n);
	for (i = 0; i < n; i++)
		if (pr[i].lo > pr[i].hi)
			return sk_err_set(err, errlen, -EINVAL, "port range %u inverted", i);

	int rc = verify_ha(h, nif, naddr, err, errlen);

	if (rc != 0)
		return rc;
	rc = verify_rules(h, nz, err, errlen);

	return rc != 0 ? rc : verify_services(h, nif, err, errlen);
}

void *
sk_image_load_file(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	void *buf = NULL;
	long sz;

	if (fp == NULL) {
		sk_err_set(err, errlen, -EINVAL, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(fp, 0, SEEK_END) != 0 || (sz = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
		sk_err_set(err, errlen, -EINVAL, "%s: cannot size file", path);
		goto out;
	}
	if ((size_t)sz < sizeof(struct sk_image_hdr) || (size_t)sz > SK_IMAGE_MAX_LEN) {
		sk_err_set(err, errlen, -EINVAL, "%s: %ld bytes is not a config image", path, sz);
		goto out;
	}
	buf = malloc((size_t)sz);
	if (buf == NULL || fread(buf, 1, (size_t)sz, fp) != (size_t)sz) {
		sk_err_set(err, errlen, -EINVAL, "%s: read failed", path);
		free(buf);
		buf = NULL;
		goto out;
	}
	char msg[256];
	if (sk_image_verify(buf, (size_t)sz, msg, sizeof(msg)) != 0) {
		sk_err_set(err, errlen, -EINVAL, "%s: %s", path, msg);
		free(buf);
		buf = NULL;
		goto out;
	}
	*len = (size_t)sz;
out:
	fclose(fp);
	return buf;
}
