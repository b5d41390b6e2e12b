/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ha_crec.h - the wire form of connection-sync records and the messages
 * that carry them on the HA link (docs/ha-sync.md).  Pure codec: no state,
 * no allocation; tested on its own (tests/unit/test_hacrec.c).
 *
 * CONN_RECORDS payload (integers big-endian):
 *   0  u8  version (1)      1 u8 flags (0)     2 u16 count
 *   4  u32 reserved (0)
 *   8  u64 stream           the sender's stream id (random per sekisho-cp start)
 *   16 u64 seq              batch sequence number in the stream, from 1
 *   24 count records, each:
 *      0 type  1 family  2 proto  3 state  4 fin_seen  5 nat  6 tmo_class  7 flags (SYN proxy state 0..2)
 *      8 in_iface  9 out_iface  10 u16 owner  12 u32 rule_id  16 u32 gen
 *      20 u32 idle_ms  24 u32 svc_ident  28 u16 sport  30 u16 dport
 *      [nat != 0: 32 u16 xport  34 u16 bport]
 *      then src, dst [, xsrc, backend]: 4 bytes each for IPv4, 16 for IPv6,
 *      [flags != 0: u32 sp_delta, the SYN proxy's sequence delta].
 *   A plain IPv4 record is 40 bytes, full NAT IPv4 52, full NAT IPv6 100
 *   (104 when SYN-proxied).
 * ACK payload (24 bytes): u64 stream, u64 seq (highest batch applied in
 *   order), u32 flags (SK_HA_CACK_RESYNC: a gap or a lost record, send the
 *   table again; SK_HA_CACK_RESUME: the first ACK of a new link session,
 *   send again what follows seq), u32 reserved.  An empty batch (count 0)
 *   after the batches resent tells the standby the resume is complete.
 * BULK_BEGIN / BULK_END payload (24 bytes): u64 stream, u64 seq (the last
 *   batch before the begin / of the bulk), u32 bulk id, u32 records (END).
 */
#ifndef SK_CP_HA_CREC_H
#define SK_CP_HA_CREC_H

#include <stddef.h>
#include <stdint.h>
#include "sk_sync.h"

#define SK_HA_CREC_VERSION 1
#define SK_HA_CREC_HDR 24
#define SK_HA_CREC_MAX 104          /* largest encoded record */
#define SK_HA_CACK_LEN 24
#define SK_HA_CACK_RESYNC 0x1
#define SK_HA_CACK_RESUME 0x2   /* a new session: continue after seq (standby -> active) */
#define SK_HA_CBULK_LEN 24

struct sk_ha_cbatch_hdr {
	uint16_t count;
	uint64_t stream;
	uint64_t seq;
};

struct sk_ha_cack {
	uint64_t stream;
	uint64_t seq;
	uint32_t flags;
};

struct sk_ha_cbulk {
	uint64_t stream;
	uint64_t seq;
	uint32_t id;
	uint32_t records;
};

/* Encoded size of rec (0: unencodable: bad family). */
size_t sk_ha_crec_size(const struct sk_sync_rec *rec);
/* Encode rec at out (room for SK_HA_CREC_MAX): bytes written, 0 if unencodable. */
size_t sk_ha_crec_put(const struct sk_sync_rec *rec, uint8_t *out);
/*
 * Decode one record from buf[0..len): bytes consumed, or -EINVAL (unknown
 * type, family, NAT mode, class, state; reserved bits set; owner >=
 * n_workers) or -EMSGSIZE (truncated).  rec is fully written on success.
 */
int sk_ha_crec_get(const uint8_t *buf, size_t len, unsigned int n_workers,
		   struct sk_sync_rec *rec) __attribute__((warn_unused_result));

void sk_ha_cbatch_hdr_put(const struct sk_ha_cbatch_hdr *h, uint8_t out[SK_HA_CREC_HDR]);
/* 0 or -EINVAL (version, flags, reserved) / -EMSGSIZE (shorter than the header). */
int sk_ha_cbatch_hdr_get(const uint8_t *buf, size_t len, struct sk_ha_cbatch_hdr *h)
	__attribute__((warn_unused_result));

void sk_ha_cack_put(const struct sk_ha_cack *a, uint8_t out[SK_HA_CACK_LEN]);
int sk_ha_cack_get(const uint8_t *buf, size_t len, struct sk_ha_cack *a)
	__attribute__((warn_unused_result));
void sk_ha_cbulk_put(const struct sk_ha_cbulk *b, uint8_t out[SK_HA_CBULK_LEN]);
int sk_ha_cbulk_get(const uint8_t *buf, size_t len, struct sk_ha_cbulk *b)
	__attribute__((warn_unused_result));

#endif /* SK_CP_HA_CREC_H */
