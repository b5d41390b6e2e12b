/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synproxy_tcp.c - TCP option parsing/writing and seq/ack shifting for the
 * SYN proxy (see synproxy_tcp.h).  Byte-wise big-endian access: no
 * alignment assumptions about the option area or the header.
 */
#include <errno.h>

#include "synproxy_tcp.h"

enum { OPT_EOL = 0, OPT_NOP = 1, OPT_MSS = 2, OPT_WS = 3, OPT_SACKPERM = 4 };

int sk_synproxy_syn_opts(const uint8_t *opt, size_t len, struct sk_syncookie_opts *o)
{
	size_t i = 0;

	o->mss = 0;
	o->wscale = SK_SYNCOOKIE_NO_WSCALE;
	o->sack = false;
	while (i < len) {
		uint8_t kind = opt[i], olen;

		if (kind == OPT_EOL)
			break;
		if (kind == OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -EINVAL;
		olen = opt[i + 1];
		if (olen < 2 || i + olen > len)
			return -EINVAL;
		if (kind == OPT_MSS && olen == 4)
			o->mss = (uint16_t)(opt[i + 2] << 8 | opt[i + 3]);
		else if (kind == OPT_WS && olen == 3)
			/* RFC 7323 s2.3: a shift above 14 is used as 14. */
			o->wscale = opt[i + 2] > 14 ? 14 : opt[i + 2];
		else if (kind == OPT_SACKPERM && olen == 2)
			o->sack = true;
		i += olen;
	}
	return 0;
}

size_t sk_synproxy_synack_opts(uint8_t *buf, const struct sk_syncookie_opts *enc,
	uint8_t our_wscale)
{
	size_t n = 0;

	buf[n++] = OPT_MSS;
	buf[n++] = 4;
	buf[n++] = (uint8_t)(enc->mss >> 8);
	buf[n++] = (uint8_t)enc->mss;
	if (enc->sack) {
		buf[n++] = OPT_NOP;
		buf[n++] = OPT_NOP;
		buf[n++] = OPT_SACKPERM;
		buf[n++] = 2;
	}
	if (enc->wscale != SK_SYNCOOKIE_NO_WSCALE) {
		buf[n++] = OPT_NOP;
		buf[n++] = OPT_WS;
		buf[n++] = 3;
		buf[n++] = our_wscale > 14 ? 14 : our_wscale;
	}
	return n;
}

static uint32_t fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	return (s & 0xffff) + (s >> 16);
}

uint16_t sk_synproxy_csum_adj32(uint16_t csum, uint32_t old, uint32_t new_)
{
	/* RFC 1624 eqn 3: HC' = ~(~HC + ~m + m'), per 16-bit word. */
	uint32_t s = (uint16_t)~csum;

	s += (uint16_t)~(old >> 16) + (uint16_t)~(old & 0xffff);
	s += (new_ >> 16) + (new_ & 0xffff);
	return (uint16_t)~fold(s);
}

void sk_synproxy_shift(uint8_t *field, uint8_t *csum, uint32_t delta)
{
	uint32_t old = (uint32_t)field[0] << 24 | (uint32_t)field[1] << 16 |
		(uint32_t)field[2] << 8 | field[3];
	uint32_t nv = old + delta;
	uint16_t c;

	field[0] = (uint8_t)(nv >> 24);
	field[1] = (uint8_t)(nv >> 16);
	field[2] = (uint8_t)(nv >> 8);
	field[3] = (uint8_t)nv;
	c = (uint16_t)(csum[0] << 8 | csum[1]);
	c = sk_synproxy_csum_adj32(c, old, nv);
	csum[0] = (uint8_t)(c >> 8);
	csum[1] = (uint8_t)c;
}
