/*
 * fuzz_bgp_attrs.c - libFuzzer target: a path-attribute block straight into
 * dw_bgp_attrs_decode (src/bgp/attr.c), as an UPDATE, a RIB entry or a
 * TABLE_DUMP route hands it over.
 *
 * Input: byte 0 holds options, the rest is the attribute block.
 *   bit 0  as4       bit 1  addpath      bit 2  rib (abbreviated MP_REACH)
 *   bit 3  rib_afi IPv6 (else IPv4)      bit 4  rib_safi multicast
 * After a successful decode every result is walked: each AS path (merged,
 * raw, AS4_PATH) ASN by ASN, the community views unit by unit, MP_REACH /
 * MP_UNREACH prefixes, unknown attributes.  Views point into the input, which
 * libFuzzer sizes exactly, so ASan catches a view that runs past it; the
 * documented shapes (segment types, nasn, unit multiples, next-hop family,
 * repaired NLRI) are checked and abort() with a message when broken.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "darkwatch/bgp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dw_arena *arena;
static volatile uint32_t sink;

static void die(const char *what)
{
	fprintf(stderr, "fuzz_bgp_attrs: invariant broken: %s\n", what);
	abort();
}

static void in_input(const struct dw_bytes *b, const uint8_t *p, size_t len,
		     const char *what)
{
	if (!b->len)
		return;
	if (b->p < p || b->len > len || b->p + b->len > p + len)
		die(what);
	sink ^= b->p[0] ^ b->p[b->len - 1];
}

static void walk_aspath(const struct dw_aspath *p)
{
	unsigned total = 0;
	if (p->nseg && !p->seg)
		die("AS path with segments but no array");
	for (unsigned s = 0; s < p->nseg; s++) {
		const struct dw_aspath_seg *g = &p->seg[s];
		if (g->type < DW_AS_SET || g->type > DW_AS_CONFED_SET)
			die("AS path segment type out of range");
		if (!g->count)
			die("empty AS path segment");
		for (unsigned i = 0; i < g->count; i++)
			sink ^= g->asn[i];
		total += g->count;
	}
	if (total != p->nasn)
		die("AS path nasn differs from the sum of segment counts");
}

static void walk_units(const struct dw_bytes *b, size_t unit, const char *what)
{
	if (b->len % unit)
		die(what);
	for (size_t i = 0; i + unit <= b->len; i += unit)
		sink ^= b->p[i] ^ b->p[i + unit - 1];
}

static void walk_nlri(const struct dw_nlri *n)
{
	size_t off = 0;
	struct dw_prefix p;
	uint32_t id;
	enum dw_reason why = DW_R_NONE;
	unsigned max = n->afi == DW_AFI_IPV6 ? 128 : 32;
	int rc;

	while ((rc = dw_nlri_next(n, &off, &p, &id, &why)) > 0) {
		if (p.len > max)
			die("prefix length over the family maximum");
		sink ^= id ^ p.addr.b[15];
	}
	if (rc < 0)
		die("MP NLRI still malformed after repair");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dw_bgp_opts o = {0, 0, 0, 0, 0};
	struct dw_bgp_attrs a;
	enum dw_reason why = DW_R_NONE;

	if (!arena && !(arena = dw_arena_new(64u << 20)))
		abort();
	if (size < 1)
		return 0;
	o.as4 = data[0] & 0x01 ? 1 : 0;
	o.addpath = data[0] & 0x02 ? 1 : 0;
	o.rib = data[0] & 0x04 ? 1 : 0;
	o.rib_afi = data[0] & 0x08 ? DW_AFI_IPV6 : DW_AFI_IPV4;
	o.rib_safi = data[0] & 0x10 ? DW_SAFI_MULTICAST : DW_SAFI_UNICAST;
	const uint8_t *p = data + 1;
	size_t len = size - 1;

	dw_arena_reset(arena);
	int rc = dw_bgp_attrs_decode(p, len, &o, arena, &a, &why);
	if (rc) {
		if (rc >= 0 || why <= DW_R_NONE || why >= DW_R__COUNT)
			die("failure without a negative code and a reason");
		sink ^= (uint32_t)strlen(dw_reason_name(why));
		return 0;
	}

	walk_aspath(&a.aspath);
	walk_aspath(&a.aspath_raw);
	walk_aspath(&a.as4path);
	if (!dw_attrs_has(&a, DW_ATTR_AS_PATH) && a.aspath_raw.nseg)
		die("AS path segments without AS_PATH");

	in_input(&a.communities, p, len, "communities outside input");
	in_input(&a.ext_communities, p, len, "ext communities outside input");
	in_input(&a.large_communities, p, len, "large communities outside input");
	in_input(&a.cluster_list, p, len, "cluster list outside input");
	walk_units(&a.communities, 4, "communities not a multiple of 4");
	walk_units(&a.ext_communities, 8, "ext communities not a multiple of 8");
	walk_units(&a.large_communities, 12,
		   "large communities not a multiple of 12");
	walk_units(&a.cluster_list, 4, "cluster list not a multiple of 4");

	if (dw_attrs_has(&a, DW_ATTR_MP_REACH_NLRI)) {
		const struct dw_mp_reach *m = &a.mp_reach;
		in_input(&m->nlri.raw, p, len, "MP_REACH NLRI outside input");
		if (!m->opaque) {
			if (m->nexthop.af != DW_AF_INET &&
			    m->nexthop.af != DW_AF_INET6)
				die("MP_REACH next hop without a family");
			if (!m->abbreviated)
				walk_nlri(&m->nlri);
		}
		sink ^= m->nexthop.b[15] ^ m->nexthop_local.b[15];
	}
	if (dw_attrs_has(&a, DW_ATTR_MP_UNREACH_NLRI)) {
		const struct dw_mp_unreach *m = &a.mp_unreach;
		in_input(&m->nlri.raw, p, len, "MP_UNREACH NLRI outside input");
		if (!m->opaque)
			walk_nlri(&m->nlri);
	}
	if (a.nunknown > DW_ATTRS_MAX_UNKNOWN || a.nwarn > DW_ATTRS_MAX_WARN)
		die("unknown/warn count over its array");
	for (unsigned i = 0; i < a.nunknown; i++)
		in_input(&a.unknown[i].value, p, len, "unknown attr outside input");
	for (unsigned i = 0; i < a.nwarn; i++)
		sink ^= (uint32_t)strlen(dw_reason_name(a.warn[i]));
	sink ^= a.origin ^ a.med ^ a.local_pref ^ a.aggregator_as ^
		a.originator_id ^ a.nexthop.b[3] ^ a.aggregator_addr.b[3];
	return 0;
}
