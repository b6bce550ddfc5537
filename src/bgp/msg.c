/*
 * msg.c - BGP message framing: OPEN (with RFC 9072 extended parameters),
 * UPDATE, NOTIFICATION, KEEPALIVE, ROUTE-REFRESH.
 *
 * The header length must equal the bytes the container (an MRT record, or a
 * live session's read) holds for the message; up to 65,535 bytes are accepted
 * (RFC 8654 extended messages).  UPDATE decoding only splits the message into
 * its three fields and checks their framing; attributes are decoded by
 * dw_bgp_attrs_decode when the caller wants them.
 */
#include "darkwatch/bgp.h"

#include <string.h>

#include "common/cursor.h"

#define BGP_HEADER 19

static int fail(enum dw_reason *why, enum dw_reason r)
{
	*why = r;
	return DW_EMALFORMED;
}

int dw_bgp_update_decode(const uint8_t *p, size_t len,
			 const struct dw_bgp_opts *o, struct dw_bgp_update *u,
			 enum dw_reason *why)
{
	struct dw_cur c = dw_cur_make(p, len), w, a;
	uint16_t wlen, alen;

	memset(u, 0, sizeof(*u));
	if (dw_cur_u16(&c, &wlen) || dw_cur_sub(&c, wlen, &w))
		return fail(why, DW_R_WITHDRAWN_LENGTH);
	if (dw_cur_u16(&c, &alen) || dw_cur_sub(&c, alen, &a))
		return fail(why, DW_R_ATTR_TOTAL_LENGTH);
	u->withdrawn = (struct dw_nlri){DW_AFI_IPV4, DW_SAFI_UNICAST,
					o->addpath, {w.p, w.left}};
	u->attrs = (struct dw_bytes){a.p, a.left};
	u->nlri = (struct dw_nlri){DW_AFI_IPV4, DW_SAFI_UNICAST, o->addpath,
				   {c.p, c.left}};
	return 0;
}

/* Capabilities inside an OPEN capability parameter (RFC 5492). */
static int parse_caps(struct dw_cur c, struct dw_bgp_open *op)
{
	while (dw_cur_left(&c)) {
		uint8_t code, clen;
		struct dw_cur v;
		if (dw_cur_u8(&c, &code) || dw_cur_u8(&c, &clen) ||
		    dw_cur_sub(&c, clen, &v))
			return -1;
		if (code == 65 && clen == 4) {
			op->cap_as4 = 1;
			dw_cur_u32(&v, &op->as4);
		} else if (code == 69) {
			op->cap_addpath = 1;
		}
	}
	return 0;
}

static int decode_open(struct dw_cur c, struct dw_bgp_open *op,
		       enum dw_reason *why)
{
	uint8_t olen8, ptype;
	struct dw_cur params;

	memset(op, 0, sizeof(*op));
	if (dw_cur_u8(&c, &op->version) || dw_cur_u16(&c, &op->my_as) ||
	    dw_cur_u16(&c, &op->hold_time) || dw_cur_u32(&c, &op->bgp_id) ||
	    dw_cur_u8(&c, &olen8))
		return fail(why, DW_R_RECORD_TRUNCATED);
	op->as4 = op->my_as;
	op->opt_len = olen8;
	/* RFC 9072: length 255 and a first type of 255 mean 2-byte lengths */
	if (olen8 == 255 && dw_cur_left(&c) >= 1 && c.p[0] == 255) {
		dw_cur_skip(&c, 1);
		if (dw_cur_u16(&c, &op->opt_len))
			return fail(why, DW_R_OPEN_PARAMS);
		op->ext_params = 1;
	}
	if (dw_cur_sub(&c, op->opt_len, &params) || dw_cur_left(&c))
		return fail(why, DW_R_OPEN_PARAMS);
	op->params = (struct dw_bytes){params.p, params.left};
	while (dw_cur_left(&params)) {
		uint16_t plen;
		struct dw_cur v;
		if (dw_cur_u8(&params, &ptype))
			return fail(why, DW_R_OPEN_PARAMS);
		if (op->ext_params) {
			if (dw_cur_u16(&params, &plen))
				return fail(why, DW_R_OPEN_PARAMS);
		} else {
			uint8_t l8;
			if (dw_cur_u8(&params, &l8))
				return fail(why, DW_R_OPEN_PARAMS);
			plen = l8;
		}
		if (dw_cur_sub(&params, plen, &v))
			return fail(why, DW_R_OPEN_PARAMS);
		if (ptype == 2 && parse_caps(v, op) < 0)
			return fail(why, DW_R_OPEN_PARAMS);
	}
	return 0;
}

int dw_bgp_msg_decode(const uint8_t *p, size_t len,
		      const struct dw_bgp_opts *o, struct dw_bgp_msg *m,
		      enum dw_reason *why)
{
	static const uint8_t marker[16] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	struct dw_cur c = dw_cur_make(p, len);
	const uint8_t *mk;

	memset(m, 0, sizeof(*m));
	if (dw_cur_bytes(&c, 16, &mk) || dw_cur_u16(&c, &m->length) ||
	    dw_cur_u8(&c, &m->type))
		return fail(why, DW_R_BGP_LENGTH);
	if (memcmp(mk, marker, 16) != 0)
		return fail(why, DW_R_BGP_MARKER);
	if (m->length != len || m->length < BGP_HEADER)
		return fail(why, DW_R_BGP_LENGTH);
	switch (m->type) {
	case DW_BGP_OPEN:
		return decode_open(c, &m->u.open, why);
	case DW_BGP_UPDATE:
		return dw_bgp_update_decode(c.p, c.left, o, &m->u.update, why);
	case DW_BGP_NOTIFICATION:
		if (dw_cur_u8(&c, &m->u.notification.code) ||
		    dw_cur_u8(&c, &m->u.notification.subcode))
			return fail(why, DW_R_BGP_LENGTH);
		m->u.notification.data = (struct dw_bytes){c.p, c.left};
		return 0;
	case DW_BGP_KEEPALIVE:
		return c.left ? fail(why, DW_R_BGP_LENGTH) : 0;
	case DW_BGP_ROUTE_REFRESH:
		if (dw_cur_u16(&c, &m->u.refresh.afi) ||
		    dw_cur_u8(&c, &m->u.refresh.subtype) ||
		    dw_cur_u8(&c, &m->u.refresh.safi))
			return fail(why, DW_R_BGP_LENGTH);
		return 0;
	default:
		return fail(why, DW_R_BGP_TYPE);
	}
}
