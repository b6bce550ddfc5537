/*
 * icmp.c - build echo probes and validate echo replies (see icmp.h).
 *
 * Parsing runs in the unprivileged prober, never in the sender: the process
 * holding CAP_NET_RAW forwards datagrams without reading them.
 */
#include <string.h>

#include "common/cursor.h"
#include "probe/icmp.h"
#include "probe/siphash.h"

static uint64_t mac_of(const uint64_t key[2], uint32_t addr, uint64_t t)
{
	uint8_t m[12];
	for (int i = 0; i < 4; i++)
		m[i] = (uint8_t)(addr >> (24 - 8 * i));
	for (int i = 0; i < 8; i++)
		m[4 + i] = (uint8_t)(t >> (56 - 8 * i));
	return dw_siphash24(key, m, sizeof(m));
}

uint16_t dw_icmp_cksum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

void dw_icmp_build(uint8_t out[DW_PROBE_PKT_LEN], const uint64_t key[2],
		   uint32_t dst, uint64_t t_ns)
{
	uint64_t mac = mac_of(key, dst, t_ns);
	out[0] = 8; /* echo request */
	out[1] = 0;
	out[2] = out[3] = 0;
	out[4] = (uint8_t)(mac >> 56);
	out[5] = (uint8_t)(mac >> 48);
	out[6] = (uint8_t)(mac >> 40);
	out[7] = (uint8_t)(mac >> 32);
	put64(out + 8, t_ns);
	put64(out + 16, mac);
	uint16_t c = dw_icmp_cksum(out, DW_PROBE_PKT_LEN);
	out[2] = (uint8_t)(c >> 8);
	out[3] = (uint8_t)c;
}

int dw_icmp_is_request(const uint8_t *pkt, size_t len)
{
	return len == DW_PROBE_PKT_LEN && pkt[0] == 8 && pkt[1] == 0 &&
	       dw_icmp_cksum(pkt, len) == 0;
}

enum dw_reply_kind dw_icmp_parse(const uint8_t *ip, size_t len,
				 const uint64_t key[2],
				 struct dw_icmp_reply *r)
{
	struct dw_cur c = dw_cur_make(ip, len), body;
	uint8_t vihl, proto, type, code, tos;
	uint16_t tot, u16;
	uint32_t src, dst, hi, lo, idseq, m1, m2;

	if (dw_cur_u8(&c, &vihl) < 0 || (vihl >> 4) != 4 || (vihl & 15) < 5)
		return DW_RK_MALFORMED;
	size_t ihl = (size_t)(vihl & 15) * 4;
	if (dw_cur_u8(&c, &tos) < 0 || dw_cur_u16(&c, &tot) < 0 ||
	    tot < ihl || tot > len)
		return DW_RK_MALFORMED;
	/* id, flags/fragment, ttl */
	if (dw_cur_skip(&c, 5) < 0 || dw_cur_u8(&c, &proto) < 0 ||
	    dw_cur_u16(&c, &u16) < 0 || dw_cur_u32(&c, &src) < 0 ||
	    dw_cur_u32(&c, &dst) < 0 || dw_cur_skip(&c, ihl - 20) < 0)
		return DW_RK_MALFORMED;
	if (proto != 1)
		return DW_RK_OTHER;
	/* the ICMP message is what the IP total length says, no more */
	if (dw_cur_sub(&c, tot - ihl, &body) < 0)
		return DW_RK_MALFORMED;
	const uint8_t *icmp = body.p;
	size_t ilen = dw_cur_left(&body);
	if (dw_cur_u8(&body, &type) < 0 || dw_cur_u8(&body, &code) < 0)
		return DW_RK_MALFORMED;
	if (type != 0)
		return DW_RK_OTHER;
	if (code != 0 || dw_icmp_cksum(icmp, ilen) != 0)
		return DW_RK_MALFORMED;
	if (dw_cur_skip(&body, 2) < 0 || dw_cur_u32(&body, &idseq) < 0)
		return DW_RK_MALFORMED;
	if (dw_cur_left(&body) != 16)
		return DW_RK_INVALID; /* not our payload size */
	if (dw_cur_u32(&body, &hi) < 0 || dw_cur_u32(&body, &lo) < 0 ||
	    dw_cur_u32(&body, &m1) < 0 || dw_cur_u32(&body, &m2) < 0)
		return DW_RK_MALFORMED;
	uint64_t t = (uint64_t)hi << 32 | lo;
	uint64_t mac = mac_of(key, src, t);
	if ((uint32_t)(mac >> 32) != idseq || m1 != (uint32_t)(mac >> 32) ||
	    m2 != (uint32_t)mac)
		return DW_RK_INVALID;
	r->src = src;
	r->t_ns = t;
	return DW_RK_OK;
}
