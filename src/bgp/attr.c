/*
 * attr.c - BGP path-attribute decoding (RFC 4271, 4760, 6793, 1997, 4360,
 * 8092, 4456) shared by MRT decoding and live sessions.
 *
 * One pass over the attribute block through a bounded cursor; each attribute
 * gets a sub-cursor of exactly its declared length, so a lying length cannot
 * reach a neighbour's bytes.  Values are views into the input; only AS paths
 * are decoded into arrays (from the caller's per-record arena) because every
 * consumer needs them as numbers and the AS4_PATH merge rewrites them.
 *
 * What is an error and what is tolerated follows RFC 7606 in spirit: lengths
 * that break the framing, duplicates and impossible values make the block
 * malformed (the caller skips the route and counts why); reserved flag bits and
 * AFI/SAFI we do not decode are kept and reported as warnings.
 */
#include "darkwatch/bgp.h"

#include <stddef.h>
#include <string.h>

#include "common/arena.h"
#include "common/cursor.h"

#define AS_TRANS 23456

#define FLAG_OPTIONAL 0x80
#define FLAG_TRANSITIVE 0x40
#define FLAG_PARTIAL 0x20
#define FLAG_EXTLEN 0x10

static void set_present(struct dw_bgp_attrs *a, unsigned type)
{
	a->present[(type >> 6) & 3] |= (uint64_t)1 << (type & 63);
}

static void warn(struct dw_bgp_attrs *a, enum dw_reason r)
{
	for (unsigned i = 0; i < a->nwarn; i++)
		if (a->warn[i] == r)
			return;
	if (a->nwarn < DW_ATTRS_MAX_WARN)
		a->warn[a->nwarn++] = r;
}

/* Decode an AS_PATH/AS4_PATH value into arena arrays. */
static int decode_aspath(struct dw_cur c, unsigned asn_size,
			 struct dw_arena *arena, struct dw_aspath *out,
			 enum dw_reason *why)
{
	/* first pass: validate and count */
	struct dw_cur scan = c;
	unsigned nseg = 0, nasn = 0;
	while (dw_cur_left(&scan)) {
		uint8_t type, count;
		if (dw_cur_u8(&scan, &type) || dw_cur_u8(&scan, &count))
			goto bad_segment;
		if (type < DW_AS_SET || type > DW_AS_CONFED_SET || count == 0)
			goto bad_segment;
		if (dw_cur_skip(&scan, (size_t)count * asn_size))
			goto bad_segment;
		nseg++;
		nasn += count;
		if (nasn > DW_ASPATH_MAX_ASNS) {
			*why = DW_R_ASPATH_TOO_LONG;
			return DW_EMALFORMED;
		}
	}
	out->nseg = (uint16_t)nseg;
	out->nasn = (uint16_t)nasn;
	out->seg = NULL;
	if (!nseg)
		return 0;
	struct dw_aspath_seg *seg = dw_arena_calloc(arena, nseg, sizeof(*seg));
	uint32_t *asn = dw_arena_calloc(arena, nasn, sizeof(*asn));
	if (!seg || !asn) {
		*why = DW_R_ASPATH_TOO_LONG;
		return DW_ENOMEM;
	}
	for (unsigned s = 0, k = 0; s < nseg; s++) {
		uint8_t type = 0, count = 0;
		dw_cur_u8(&c, &type);
		dw_cur_u8(&c, &count);
		seg[s].type = type;
		seg[s].count = count;
		seg[s].asn = asn + k;
		for (unsigned i = 0; i < count; i++, k++) {
			if (asn_size == 4) {
				dw_cur_u32(&c, &asn[k]);
			} else {
				uint16_t v = 0;
				dw_cur_u16(&c, &v);
				asn[k] = v;
			}
		}
	}
	out->seg = seg;
	return 0;

bad_segment:
	*why = DW_R_ASPATH_SEGMENT;
	return DW_EMALFORMED;
}

/* Path length as RFC 6793 / bgpdump count it: a set counts as one. */
static unsigned path_count(const struct dw_aspath *p)
{
	unsigned n = 0;
	for (unsigned i = 0; i < p->nseg; i++)
		n += (p->seg[i].type == DW_AS_SET ||
		      p->seg[i].type == DW_AS_CONFED_SET) ? 1 : p->seg[i].count;
	return n;
}

/*
 * RFC 6793 §4.2.3: keep the leading (count(AS_PATH) - count(AS4_PATH)) ASNs
 * of AS_PATH and append AS4_PATH.
 */
static int merge_as4(struct dw_bgp_attrs *a, struct dw_arena *arena)
{
	unsigned have = path_count(&a->aspath_raw);
	unsigned want4 = path_count(&a->as4path);
	if (have < want4)
		return 0; /* AS4_PATH ignored, as the RFC says */
	unsigned keep = have - want4;
	unsigned nseg = a->aspath_raw.nseg + a->as4path.nseg;
	unsigned nasn = a->aspath_raw.nasn + a->as4path.nasn;
	struct dw_aspath_seg *seg = dw_arena_calloc(arena, nseg, sizeof(*seg));
	if (!seg)
		return DW_ENOMEM;
	unsigned s = 0, counted = 0, total = 0;
	for (unsigned i = 0; i < a->aspath_raw.nseg && counted < keep; i++) {
		struct dw_aspath_seg g = a->aspath_raw.seg[i];
		if (g.type == DW_AS_SET || g.type == DW_AS_CONFED_SET) {
			counted++;
		} else {
			if (counted + g.count > keep)
				g.count = (uint16_t)(keep - counted);
			counted += g.count;
		}
		seg[s++] = g;
		total += g.count;
	}
	for (unsigned i = 0; i < a->as4path.nseg; i++) {
		seg[s++] = a->as4path.seg[i];
		total += a->as4path.seg[i].count;
	}
	(void)nasn;
	a->aspath.seg = seg;
	a->aspath.nseg = (uint16_t)s;
	a->aspath.nasn = (uint16_t)total;
	return 0;
}

static int decode_nexthop(struct dw_cur *c, struct dw_mp_reach *mp,
			  enum dw_reason *why)
{
	uint8_t nhl;
	const uint8_t *nh;

	if (dw_cur_u8(c, &nhl))
		goto trunc;
	mp->nh_len = nhl;
	if (nhl != 4 && nhl != 12 && nhl != 16 && nhl != 24 && nhl != 32) {
		*why = DW_R_MP_NEXTHOP_LEN;
		return DW_EMALFORMED;
	}
	if (dw_cur_bytes(c, nhl, &nh))
		goto trunc;
	memset(&mp->nexthop, 0, sizeof(mp->nexthop));
	memset(&mp->nexthop_local, 0, sizeof(mp->nexthop_local));
	switch (nhl) {
	case 4:
		mp->nexthop.af = DW_AF_INET;
		memcpy(mp->nexthop.b, nh, 4);
		break;
	case 12: /* route distinguisher + IPv4 (VPN) */
		mp->nexthop.af = DW_AF_INET;
		memcpy(mp->nexthop.b, nh + 8, 4);
		break;
	case 24: /* route distinguisher + IPv6 */
		mp->nexthop.af = DW_AF_INET6;
		memcpy(mp->nexthop.b, nh + 8, 16);
		break;
	case 32:
		mp->nexthop_local.af = DW_AF_INET6;
		memcpy(mp->nexthop_local.b, nh + 16, 16);
		/* fall through */
	case 16:
		mp->nexthop.af = DW_AF_INET6;
		memcpy(mp->nexthop.b, nh, 16);
		break;
	}
	return 0;
trunc:
	*why = DW_R_ATTR_VALUE;
	return DW_EMALFORMED;
}

static int known_afi_safi(uint16_t afi, uint8_t safi)
{
	return (afi == DW_AFI_IPV4 || afi == DW_AFI_IPV6) &&
	       safi >= DW_SAFI_UNICAST && safi <= DW_SAFI_BOTH;
}

static int decode_mp_reach(struct dw_cur c, const struct dw_bgp_opts *o,
			   struct dw_bgp_attrs *a, enum dw_reason *why)
{
	struct dw_mp_reach *mp = &a->mp_reach;
	uint8_t first;
	int rc;

	memset(mp, 0, sizeof(*mp));
	/* RFC 6396 §4.3.4: in RIB entries only length + next hop remain. */
	if (o->rib && dw_cur_left(&c) >= 1 && (first = c.p[0]) != 0 &&
	    (size_t)first + 1 == dw_cur_left(&c)) {
		mp->abbreviated = 1;
		mp->afi = o->rib_afi;
		mp->safi = o->rib_safi;
		return decode_nexthop(&c, mp, why);
	}
	uint8_t reserved;
	if (dw_cur_u16(&c, &mp->afi) || dw_cur_u8(&c, &mp->safi))
		goto bad;
	if (!known_afi_safi(mp->afi, mp->safi)) {
		mp->opaque = 1;
		mp->nlri.raw.p = c.p;
		mp->nlri.raw.len = dw_cur_left(&c);
		warn(a, DW_R_MP_AFI_SAFI);
		return 0;
	}
	if ((rc = decode_nexthop(&c, mp, why)) < 0)
		return rc;
	if (dw_cur_u8(&c, &reserved))
		goto bad;
	/* RFC 2858 SNPAs: count, then (len in semi-octets, bytes) each */
	for (unsigned i = 0; i < reserved; i++) {
		uint8_t l;
		if (dw_cur_u8(&c, &l) || dw_cur_skip(&c, (l + 1u) / 2u))
			goto bad;
	}
	mp->nlri.afi = mp->afi;
	mp->nlri.safi = mp->safi;
	mp->nlri.addpath = o->addpath;
	mp->nlri.raw.p = c.p;
	mp->nlri.raw.len = dw_cur_left(&c);
	dw_nlri_repair(&mp->nlri, a);
	return 0;
bad:
	*why = DW_R_ATTR_VALUE;
	return DW_EMALFORMED;
}

static int decode_mp_unreach(struct dw_cur c, const struct dw_bgp_opts *o,
			     struct dw_bgp_attrs *a, enum dw_reason *why)
{
	struct dw_mp_unreach *mp = &a->mp_unreach;

	memset(mp, 0, sizeof(*mp));
	if (dw_cur_u16(&c, &mp->afi) || dw_cur_u8(&c, &mp->safi)) {
		*why = DW_R_ATTR_VALUE;
		return DW_EMALFORMED;
	}
	mp->nlri.afi = mp->afi;
	mp->nlri.safi = mp->safi;
	mp->nlri.addpath = o->addpath;
	mp->nlri.raw.p = c.p;
	mp->nlri.raw.len = dw_cur_left(&c);
	if (!known_afi_safi(mp->afi, mp->safi)) {
		mp->opaque = 1;
		warn(a, DW_R_MP_AFI_SAFI);
		return 0;
	}
	dw_nlri_repair(&mp->nlri, a);
	return 0;
}

static int want_len(size_t have, size_t want, enum dw_reason *why)
{
	if (have == want)
		return 0;
	*why = DW_R_ATTR_VALUE;
	return DW_EMALFORMED;
}

static int want_multiple(size_t have, size_t unit, enum dw_reason *why)
{
	if (have % unit == 0)
		return 0;
	*why = DW_R_ATTR_VALUE;
	return DW_EMALFORMED;
}

static int decode_one(uint8_t flags, uint8_t type, struct dw_cur v,
		      const struct dw_bgp_opts *o, struct dw_arena *arena,
		      struct dw_bgp_attrs *a, enum dw_reason *why)
{
	size_t len = dw_cur_left(&v);
	struct dw_bytes view = {v.p, len};
	uint32_t u;
	uint16_t w;

	switch (type) {
	case DW_ATTR_ORIGIN:
		if (want_len(len, 1, why))
			return DW_EMALFORMED;
		a->origin = v.p[0];
		if (a->origin > 2) {
			*why = DW_R_ATTR_VALUE;
			return DW_EMALFORMED;
		}
		return 0;
	case DW_ATTR_AS_PATH:
		return decode_aspath(v, o->as4 ? 4 : 2, arena, &a->aspath_raw,
				     why);
	case DW_ATTR_NEXT_HOP:
		if (want_len(len, 4, why))
			return DW_EMALFORMED;
		a->nexthop.af = DW_AF_INET;
		memcpy(a->nexthop.b, v.p, 4);
		return 0;
	case DW_ATTR_MED:
		if (want_len(len, 4, why))
			return DW_EMALFORMED;
		dw_cur_u32(&v, &a->med);
		return 0;
	case DW_ATTR_LOCAL_PREF:
		if (want_len(len, 4, why))
			return DW_EMALFORMED;
		dw_cur_u32(&v, &a->local_pref);
		return 0;
	case DW_ATTR_ATOMIC_AGGREGATE:
		return want_len(len, 0, why);
	case DW_ATTR_AGGREGATOR:
		/* the length tells the ASN size, whatever the session said */
		if (len == 6) {
			dw_cur_u16(&v, &w);
			a->aggregator_as = w;
		} else if (len == 8) {
			dw_cur_u32(&v, &a->aggregator_as);
		} else {
			*why = DW_R_ATTR_VALUE;
			return DW_EMALFORMED;
		}
		a->aggregator_addr.af = DW_AF_INET;
		memcpy(a->aggregator_addr.b, v.p, 4);
		return 0;
	case DW_ATTR_COMMUNITIES:
		a->communities = view;
		return want_multiple(len, 4, why);
	case DW_ATTR_ORIGINATOR_ID:
		if (want_len(len, 4, why))
			return DW_EMALFORMED;
		dw_cur_u32(&v, &a->originator_id);
		return 0;
	case DW_ATTR_CLUSTER_LIST:
		a->cluster_list = view;
		return want_multiple(len, 4, why);
	case DW_ATTR_MP_REACH_NLRI:
		return decode_mp_reach(v, o, a, why);
	case DW_ATTR_MP_UNREACH_NLRI:
		return decode_mp_unreach(v, o, a, why);
	case DW_ATTR_EXT_COMMUNITIES:
		a->ext_communities = view;
		return want_multiple(len, 8, why);
	case DW_ATTR_AS4_PATH:
		return decode_aspath(v, 4, arena, &a->as4path, why);
	case DW_ATTR_AS4_AGGREGATOR:
		if (want_len(len, 8, why))
			return DW_EMALFORMED;
		dw_cur_u32(&v, &u);
		(void)u; /* merged after the loop, see merge_aggregator */
		return 0;
	case DW_ATTR_LARGE_COMMUNITIES:
		a->large_communities = view;
		return want_multiple(len, 12, why);
	default:
		if (a->nunknown < DW_ATTRS_MAX_UNKNOWN) {
			struct dw_attr_raw *r = &a->unknown[a->nunknown++];
			r->flags = flags;
			r->type = type;
			r->value = view;
		}
		return 0;
	}
}

/*
 * AS4_AGGREGATOR replaces AGGREGATOR only when AGGREGATOR carries AS_TRANS;
 * otherwise both AS4 attributes are ignored (RFC 6793 §4.2.3).  Returns 1 when
 * AS4_PATH may be merged.
 */
static int merge_aggregator(struct dw_bgp_attrs *a, const uint8_t *as4agg)
{
	if (!dw_attrs_has(a, DW_ATTR_AS4_AGGREGATOR))
		return 1;
	if (dw_attrs_has(a, DW_ATTR_AGGREGATOR) && a->aggregator_as != AS_TRANS)
		return 0;
	if (dw_attrs_has(a, DW_ATTR_AGGREGATOR)) {
		a->aggregator_as = ((uint32_t)as4agg[0] << 24) |
				   ((uint32_t)as4agg[1] << 16) |
				   ((uint32_t)as4agg[2] << 8) | as4agg[3];
		memcpy(a->aggregator_addr.b, as4agg + 4, 4);
	}
	return 1;
}

int dw_bgp_attrs_decode(const uint8_t *p, size_t len,
			const struct dw_bgp_opts *o, struct dw_arena *arena,
			struct dw_bgp_attrs *a, enum dw_reason *why)
{
	struct dw_cur c = dw_cur_make(p, len);
	const uint8_t *as4agg = NULL;
	int rc;

	memset(a, 0, offsetof(struct dw_bgp_attrs, unknown));
	a->nwarn = 0;
	while (dw_cur_left(&c)) {
		uint8_t flags, type;
		uint16_t alen;
		struct dw_cur v;

		if (dw_cur_left(&c) < 3) {
			*why = DW_R_ATTR_TRAILING;
			return DW_EMALFORMED;
		}
		dw_cur_u8(&c, &flags);
		dw_cur_u8(&c, &type);
		if (!flags && !type) {
			/* type 0 is reserved: zero bytes padding the block */
			*why = DW_R_ATTR_TRAILING;
			return DW_EMALFORMED;
		}
		if (flags & FLAG_EXTLEN) {
			if (dw_cur_u16(&c, &alen)) {
				*why = DW_R_ATTR_TRAILING;
				return DW_EMALFORMED;
			}
		} else {
			uint8_t l8;
			dw_cur_u8(&c, &l8);
			alen = l8;
		}
		if (dw_cur_sub(&c, alen, &v)) {
			*why = DW_R_ATTR_LENGTH;
			return DW_EMALFORMED;
		}
		if (flags & 0x0f)
			warn(a, DW_R_ATTR_FLAGS);
		if (dw_attrs_has(a, type)) {
			*why = DW_R_ATTR_DUPLICATE;
			return DW_EMALFORMED;
		}
		set_present(a, type);
		if (type == DW_ATTR_AS4_AGGREGATOR)
			as4agg = v.p;
		if ((rc = decode_one(flags, type, v, o, arena, a, why)) < 0)
			return rc;
	}
	a->aspath = a->aspath_raw;
	if (!o->as4 && merge_aggregator(a, as4agg) &&
	    dw_attrs_has(a, DW_ATTR_AS4_PATH) &&
	    dw_attrs_has(a, DW_ATTR_AS_PATH)) {
		if ((rc = merge_as4(a, arena)) < 0) {
			*why = DW_R_ASPATH_TOO_LONG;
			return rc;
		}
	}
	return 0;
}
