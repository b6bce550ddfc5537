/*
 * nlri.c - prefix lists of BGP UPDATEs and MP_(UN)REACH_NLRI.
 *
 * NLRI fields are iterated lazily from the wire bytes, so decoding a 4,096-
 * prefix withdrawal allocates nothing.  Each prefix length is checked against
 * the address family before its bytes are read, and host bits beyond the
 * length are cleared (bgpdump does not; see docs/ARCHITECTURE.md).
 *
 * ADD-PATH (RFC 7911) puts a 4-byte path id before each prefix, and nothing in
 * the NLRI says whether it is there: real archives contain ADD-PATH NLRI in
 * non-ADD-PATH records (which then show impossible lengths like /208) and the
 * reverse.  dw_nlri_guess_addpath() tells which framing parses cleanly.
 */
#include "darkwatch/bgp.h"

#include <string.h>

#include "common/cursor.h"

int dw_nlri_next(const struct dw_nlri *nlri, size_t *off, struct dw_prefix *pfx,
		 uint32_t *path_id, enum dw_reason *why)
{
	struct dw_cur c;
	uint8_t len;
	const uint8_t *bytes;
	unsigned max = nlri->afi == DW_AFI_IPV6 ? 128 : 32;

	if (*off >= nlri->raw.len)
		return 0;
	c = dw_cur_make(nlri->raw.p + *off, nlri->raw.len - *off);
	if (nlri->addpath) {
		uint32_t id;
		if (dw_cur_u32(&c, &id)) {
			*why = DW_R_NLRI_OVERRUN;
			return DW_EMALFORMED;
		}
		if (path_id)
			*path_id = id;
	} else if (path_id) {
		*path_id = 0;
	}
	if (dw_cur_u8(&c, &len)) {
		*why = DW_R_NLRI_OVERRUN;
		return DW_EMALFORMED;
	}
	if (len > max) {
		*why = DW_R_PREFIX_LENGTH;
		return DW_EMALFORMED;
	}
	if (dw_cur_bytes(&c, (len + 7u) / 8u, &bytes)) {
		*why = DW_R_NLRI_OVERRUN;
		return DW_EMALFORMED;
	}
	memset(&pfx->addr, 0, sizeof(pfx->addr));
	pfx->addr.af = nlri->afi == DW_AFI_IPV6 ? DW_AF_INET6 : DW_AF_INET;
	if (len)
		memcpy(pfx->addr.b, bytes, (len + 7u) / 8u);
	pfx->len = len;
	if (len % 8)
		pfx->addr.b[len / 8] &= (uint8_t)(0xff << (8 - len % 8));
	*off = nlri->raw.len - dw_cur_left(&c);
	return 1;
}

int dw_nlri_validate(const struct dw_nlri *nlri, enum dw_reason *why)
{
	size_t off = 0;
	struct dw_prefix p;
	int n = 0, rc;

	while ((rc = dw_nlri_next(nlri, &off, &p, NULL, why)) > 0)
		n++;
	return rc < 0 ? rc : n;
}

int dw_nlri_guess_addpath(uint16_t afi, const struct dw_bytes *raw)
{
	struct dw_nlri n = {afi, DW_SAFI_UNICAST, 0, *raw};
	enum dw_reason why;
	int plain, ap;

	plain = dw_nlri_validate(&n, &why) >= 0;
	n.addpath = 1;
	ap = dw_nlri_validate(&n, &why) >= 0;
	if (plain)
		return 0;
	return ap ? 1 : -1;
}

static void add_warn(struct dw_bgp_attrs *a, enum dw_reason r)
{
	for (unsigned i = 0; i < a->nwarn; i++)
		if (a->warn[i] == r)
			return;
	if (a->nwarn < DW_ATTRS_MAX_WARN)
		a->warn[a->nwarn++] = r;
}

void dw_nlri_repair(struct dw_nlri *n, struct dw_bgp_attrs *a)
{
	enum dw_reason why, w2;
	if (dw_nlri_validate(n, &why) >= 0)
		return;
	struct dw_nlri other = *n;
	other.addpath = !n->addpath;
	if (dw_nlri_validate(&other, &w2) >= 0) {
		n->addpath = other.addpath;
		add_warn(a, DW_R_ADDPATH_MISMATCH);
		return;
	}
	/* keep the prefixes before the damage */
	size_t off = 0, good = 0;
	struct dw_prefix p;
	while (dw_nlri_next(n, &off, &p, NULL, &why) > 0)
		good = off;
	n->raw.len = good;
	add_warn(a, why);
}

int dw_bgp_update_check(struct dw_bgp_update *u, struct dw_bgp_attrs *a,
			enum dw_reason *why)
{
	dw_nlri_repair(&u->withdrawn, a);
	dw_nlri_repair(&u->nlri, a);
	int v4 = u->nlri.raw.len > 0;
	int mp = dw_attrs_has(a, DW_ATTR_MP_REACH_NLRI) && !a->mp_reach.opaque &&
		 a->mp_reach.nlri.raw.len > 0;
	if ((v4 || mp) && (!dw_attrs_has(a, DW_ATTR_ORIGIN) ||
			   !dw_attrs_has(a, DW_ATTR_AS_PATH) ||
			   (v4 && !dw_attrs_has(a, DW_ATTR_NEXT_HOP)))) {
		*why = DW_R_ATTR_MISSING;
		return DW_EMALFORMED;
	}
	return 0;
}
