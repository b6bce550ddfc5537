/*
 * addr.c - IP address and prefix text forms (see addr.h).
 *
 * Hand-rolled because `mrt dump` formats millions of addresses: a table of
 * octet strings beats inet_ntop + printf several times over.  IPv6 follows
 * RFC 5952 exactly as glibc's inet_ntop does (a single zero group is not
 * compressed; embedded IPv4 for ::ffff:0:0/96 and ::/96 compat forms).
 * Parsing delegates to inet_pton: it is not on a hot path.
 */
#include "darkwatch/addr.h"
#include "darkwatch/err.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

uint32_t dw_addr_v4(const struct dw_addr *a)
{
	return ((uint32_t)a->b[0] << 24) | ((uint32_t)a->b[1] << 16) |
	       ((uint32_t)a->b[2] << 8) | a->b[3];
}

void dw_addr_set_v4(struct dw_addr *a, uint32_t v)
{
	memset(a, 0, sizeof(*a));
	a->af = DW_AF_INET;
	a->b[0] = (uint8_t)(v >> 24);
	a->b[1] = (uint8_t)(v >> 16);
	a->b[2] = (uint8_t)(v >> 8);
	a->b[3] = (uint8_t)v;
}

size_t dw_u32_fmt(uint32_t v, char *buf)
{
	char tmp[10];
	size_t n = 0, i;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

static size_t fmt_octet(unsigned v, char *buf)
{
	if (v >= 100) {
		buf[0] = (char)('0' + v / 100);
		buf[1] = (char)('0' + v / 10 % 10);
		buf[2] = (char)('0' + v % 10);
		return 3;
	}
	if (v >= 10) {
		buf[0] = (char)('0' + v / 10);
		buf[1] = (char)('0' + v % 10);
		return 2;
	}
	buf[0] = (char)('0' + v);
	return 1;
}

size_t dw_ip4_fmt(const uint8_t b[4], char *buf)
{
	size_t n = fmt_octet(b[0], buf);
	for (int i = 1; i < 4; i++) {
		buf[n++] = '.';
		n += fmt_octet(b[i], buf + n);
	}
	return n;
}

static size_t fmt_hex16(unsigned v, char *buf)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	int started = 0;
	for (int shift = 12; shift >= 0; shift -= 4) {
		unsigned d = (v >> shift) & 15;
		if (d || started || shift == 0) {
			buf[n++] = hex[d];
			started = 1;
		}
	}
	return n;
}

size_t dw_ip6_fmt(const uint8_t b[16], char *buf)
{
	unsigned w[8];
	int best = -1, bestlen = 0, cur = -1, curlen = 0;
	size_t n = 0;

	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)(b[2 * i] << 8 | b[2 * i + 1]);
	for (int i = 0; i < 8; i++) {
		if (w[i] == 0) {
			if (cur < 0) {
				cur = i;
				curlen = 0;
			}
			curlen++;
			if (curlen > bestlen) {
				best = cur;
				bestlen = curlen;
			}
		} else {
			cur = -1;
		}
	}
	if (bestlen < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + bestlen) {
			if (i == best)
				buf[n++] = ':';
			continue;
		}
		if (i)
			buf[n++] = ':';
		/* Embedded IPv4, as inet_ntop: ::a.b.c.d and ::ffff:a.b.c.d */
		if (i == 6 && best == 0 &&
		    (bestlen == 6 || (bestlen == 5 && w[5] == 0xffff))) {
			n += dw_ip4_fmt(b + 12, buf + n);
			return n;
		}
		n += fmt_hex16(w[i], buf + n);
	}
	if (best >= 0 && best + bestlen == 8)
		buf[n++] = ':';
	return n;
}

size_t dw_addr_fmt(const struct dw_addr *a, char *buf)
{
	if (a->af == DW_AF_INET6)
		return dw_ip6_fmt(a->b, buf);
	return dw_ip4_fmt(a->b, buf);
}

size_t dw_prefix_fmt(const struct dw_prefix *p, char *buf)
{
	size_t n = dw_addr_fmt(&p->addr, buf);
	buf[n++] = '/';
	n += dw_u32_fmt(p->len, buf + n);
	return n;
}

void dw_prefix_mask(struct dw_prefix *p)
{
	unsigned max = p->addr.af == DW_AF_INET6 ? 128 : 32;
	unsigned len = p->len > max ? max : p->len;
	unsigned full = len / 8, rem = len % 8;
	if (full < 16 && rem) {
		p->addr.b[full] &= (uint8_t)(0xff << (8 - rem));
		full++;
	}
	if (full < 16)
		memset(p->addr.b + full, 0, 16 - full);
}

int dw_addr_parse(const char *s, struct dw_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->b) == 1) {
		out->af = DW_AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->b) == 1) {
		out->af = DW_AF_INET6;
		return 0;
	}
	return DW_EINVAL;
}

int dw_prefix_parse(const char *s, struct dw_prefix *out)
{
	char tmp[DW_PREFIX_STRLEN];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long len;
	char *end;

	if (alen >= sizeof(tmp))
		return DW_EINVAL;
	memcpy(tmp, s, alen);
	tmp[alen] = 0;
	if (dw_addr_parse(tmp, &out->addr))
		return DW_EINVAL;
	unsigned max = out->addr.af == DW_AF_INET6 ? 128 : 32;
	if (!slash) {
		out->len = (uint8_t)max;
		return 0;
	}
	len = strtoul(slash + 1, &end, 10);
	if (end == slash + 1 || *end || len > max)
		return DW_EINVAL;
	out->len = (uint8_t)len;
	dw_prefix_mask(out);
	return 0;
}
