/*
 * pkt.c - the telescope's packet decoder: link layer -> IPv4 -> TCP/UDP/ICMP.
 *
 * First step of the telescope stage (telescope.h): every captured frame
 * from a darknet passes through here.  Frames are untrusted bytes, so every
 * field is read through the bounded cursor (src/common/cursor.h); a frame
 * that contradicts itself is given a reason (enum dw_tel_bad) and skipped.
 *
 * Key decisions:
 *  - The IP packet is bounded by its total length (Ethernet pads short
 *    frames) and by the capture (snaplen may cut a packet: that is normal, so
 *    a total length beyond the capture but within the wire length is fine).
 *    A total length beyond the wire length is malformed.
 *  - Non-first fragments carry no transport header: they are decoded as IP
 *    only (the fragment filter removes them anyway).
 *  - Transport headers must be wholly captured (8 bytes UDP/ICMP, the data
 *    offset for TCP); filters need their ports and flags.
 */
#include "darkwatch/telescope.h"

#include <string.h>

#include "common/cursor.h"

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8
#define ETH_QINQ_OLD 0x9100
#define MAX_TAGS 4

static const char *const bad_names[DW_TEL_BAD__COUNT] = {
	"ok",		"not-ipv4",	 "bad-linktype",   "link-truncated",
	"ip-truncated", "ip-version",	 "bad-ihl",	   "bad-total-length",
	"l4-truncated", "bad-tcp-offset",
};

const char *dw_tel_bad_name(enum dw_tel_bad b)
{
	return (unsigned)b < DW_TEL_BAD__COUNT ? bad_names[b] : "unknown";
}

/* Ethernet: skip MAC addresses and up to MAX_TAGS VLAN tags. */
static enum dw_tel_bad eth(struct dw_cur *c, uint16_t *etype)
{
	if (dw_cur_skip(c, 12) < 0 || dw_cur_u16(c, etype) < 0)
		return DW_TEL_LINK_TRUNC;
	for (int i = 0; i < MAX_TAGS; i++) {
		if (*etype != ETH_VLAN && *etype != ETH_QINQ &&
		    *etype != ETH_QINQ_OLD)
			return DW_TEL_OK;
		if (dw_cur_skip(c, 2) < 0 || dw_cur_u16(c, etype) < 0)
			return DW_TEL_LINK_TRUNC;
	}
	return DW_TEL_OK;
}

/* Move c to the start of the network header; *etype its ethertype. */
static enum dw_tel_bad link(int linktype, struct dw_cur *c, uint16_t *etype)
{
	const uint8_t *b;
	uint32_t fam;

	switch (linktype) {
	case DW_TEL_DLT_EN10MB:
		return eth(c, etype);
	case DW_TEL_DLT_RAW:
	case DW_TEL_DLT_RAW14:
	case DW_TEL_LINKTYPE_RAW:
	case DW_TEL_DLT_IPV4:
		if (dw_cur_left(c) < 1)
			return DW_TEL_IP_TRUNC;
		*etype = (c->p[0] >> 4) == 6 ? ETH_IPV6 : ETH_IPV4;
		return DW_TEL_OK;
	case DW_TEL_DLT_SLL: /* type, arphrd, addr len, addr[8], protocol */
		if (dw_cur_skip(c, 14) < 0 || dw_cur_u16(c, etype) < 0)
			return DW_TEL_LINK_TRUNC;
		return DW_TEL_OK;
	case DW_TEL_DLT_SLL2: /* protocol, reserved, ifindex, ... (20) */
		if (dw_cur_u16(c, etype) < 0 || dw_cur_skip(c, 18) < 0)
			return DW_TEL_LINK_TRUNC;
		return DW_TEL_OK;
	case DW_TEL_DLT_NULL: /* family in the capturing host's order */
		if (dw_cur_bytes(c, 4, &b) < 0)
			return DW_TEL_LINK_TRUNC;
		memcpy(&fam, b, 4);
		*etype = (fam == 2 || fam == 0x02000000u) ? ETH_IPV4 : 0;
		return DW_TEL_OK;
	default:
		return DW_TEL_BAD_LINKTYPE;
	}
}

static enum dw_tel_bad transport(struct dw_cur *c, struct dw_tel_pkt *p)
{
	struct dw_cur h = *c;
	uint8_t off, flags;
	uint16_t u;

	switch (p->proto) {
	case 6:
		if (dw_cur_u16(&h, &p->sport) < 0 || dw_cur_u16(&h, &p->dport) < 0 ||
		    dw_cur_u32(&h, &p->tcp_seq) < 0 || dw_cur_skip(&h, 4) < 0 ||
		    dw_cur_u8(&h, &off) < 0 || dw_cur_u8(&h, &flags) < 0)
			return DW_TEL_L4_TRUNC;
		off = (uint8_t)(off >> 4);
		if (off < 5)
			return DW_TEL_BAD_TCPOFF;
		if (dw_cur_skip(c, (size_t)off * 4) < 0)
			return dw_cur_left(c) >= 20 ? DW_TEL_BAD_TCPOFF
						    : DW_TEL_L4_TRUNC;
		p->tcp_flags = flags;
		break;
	case 17:
		if (dw_cur_u16(c, &p->sport) < 0 || dw_cur_u16(c, &p->dport) < 0 ||
		    dw_cur_u16(c, &u) < 0 || dw_cur_u16(c, &u) < 0)
			return DW_TEL_L4_TRUNC;
		break;
	case 1:
		if (dw_cur_u8(c, &p->icmp_type) < 0 ||
		    dw_cur_u8(c, &p->icmp_code) < 0 || dw_cur_skip(c, 6) < 0)
			return DW_TEL_L4_TRUNC;
		break;
	default:
		return DW_TEL_OK;
	}
	p->has_l4 = 1;
	p->payload = c->p;
	p->payload_len = dw_cur_left(c);
	return DW_TEL_OK;
}

enum dw_tel_bad dw_tel_pkt_decode(int linktype, const uint8_t *data,
				  size_t caplen, size_t wirelen,
				  struct dw_tel_pkt *p)
{
	struct dw_cur c = dw_cur_make(data, caplen), ip;
	enum dw_tel_bad r;
	uint16_t etype = 0, frag;
	uint8_t vihl, tos;
	size_t linklen, hlen, wire_ip, cap_ip;

	memset(p, 0, sizeof(*p));
	if (wirelen < caplen)
		wirelen = caplen;
	if ((r = link(linktype, &c, &etype)) != DW_TEL_OK)
		return r;
	if (etype != ETH_IPV4)
		return DW_TEL_NOT_IPV4;
	linklen = caplen - dw_cur_left(&c);
	ip = c;
	if (dw_cur_u8(&ip, &vihl) < 0 || dw_cur_u8(&ip, &tos) < 0 ||
	    dw_cur_u16(&ip, &p->ip_len) < 0 || dw_cur_u16(&ip, &p->ip_id) < 0 ||
	    dw_cur_u16(&ip, &frag) < 0 || dw_cur_u8(&ip, &p->ttl) < 0 ||
	    dw_cur_u8(&ip, &p->proto) < 0 || dw_cur_skip(&ip, 2) < 0 ||
	    dw_cur_u32(&ip, &p->src) < 0 || dw_cur_u32(&ip, &p->dst) < 0)
		return DW_TEL_IP_TRUNC;
	if ((vihl >> 4) != 4)
		return DW_TEL_IP_VERSION;
	hlen = (size_t)(vihl & 15) * 4;
	wire_ip = wirelen - linklen;
	if (hlen < 20)
		return DW_TEL_BAD_IHL;
	if (p->ip_len < hlen || p->ip_len > wire_ip)
		return DW_TEL_BAD_TOTLEN;
	/* the packet as captured: at most ip_len bytes (drops padding) */
	cap_ip = dw_cur_left(&c) < p->ip_len ? dw_cur_left(&c) : p->ip_len;
	ip = dw_cur_make(c.p, cap_ip);
	if (dw_cur_skip(&ip, hlen) < 0)
		return DW_TEL_BAD_IHL;
	p->mf = (frag & 0x2000) != 0;
	p->frag_off = frag & 0x1fff;
	if (p->frag_off)
		return DW_TEL_OK;
	return transport(&ip, p);
}
