/*
 * fuzz_bgp_update.c - libFuzzer target: one BGP message (as a BGP4MP record
 * or a live session would hand it over) through src/bgp.
 *
 * Input: byte 0 holds options, the rest is the message.
 *   bit 0  as4      (4-byte ASNs in AS_PATH/AGGREGATOR)
 *   bit 1  addpath  (path ids before each prefix)
 *   bit 2  fix the 19-byte header (marker all ones, length = bytes given) in a
 *          copy, so mutations spend their time on the body rather than on
 *          guessing the length; with the bit clear the header checks get
 *          fuzzed themselves.
 * Path: dw_bgp_msg_decode; for an UPDATE dw_bgp_attrs_decode,
 * dw_bgp_update_check and every prefix of withdrawn, NLRI, MP_REACH and
 * MP_UNREACH through dw_nlri_next.  The bytes after the option byte are also
 * decoded as a type 5 (1999 RIS) UPDATE body, without the header.
 *
 * Documented contracts are checked and abort() with a message: prefix length
 * within the family, host bits cleared, and every NLRI field usable (it
 * validates) once dw_bgp_update_check has repaired it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "darkwatch/bgp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OPT_AS4 0x01
#define OPT_ADDPATH 0x02
#define OPT_FIXHDR 0x04

static struct dw_arena *arena;
static volatile uint32_t sink;

static void die(const char *what)
{
	fprintf(stderr, "fuzz_bgp_update: invariant broken: %s\n", what);
	abort();
}

static void touch(const struct dw_bytes *b)
{
	if (b->len)
		sink ^= b->p[0] ^ b->p[b->len - 1];
}

static void walk_aspath(const struct dw_aspath *p)
{
	unsigned total = 0;
	for (unsigned s = 0; s < p->nseg; s++) {
		const struct dw_aspath_seg *g = &p->seg[s];
		if (g->type < DW_AS_SET || g->type > DW_AS_CONFED_SET)
			die("AS path segment type out of range");
		for (unsigned i = 0; i < g->count; i++)
			sink ^= g->asn[i];
		total += g->count;
	}
	if (total != p->nasn)
		die("AS path nasn differs from the sum of segment counts");
}

/* Every prefix of a field; `repaired`: the field must validate cleanly. */
static void walk_nlri(const struct dw_nlri *n, int repaired)
{
	size_t off = 0, prev = 0;
	struct dw_prefix p;
	uint32_t id;
	enum dw_reason why = DW_R_NONE;
	int rc;
	unsigned max = n->afi == DW_AFI_IPV6 ? 128 : 32;

	touch(&n->raw);
	while ((rc = dw_nlri_next(n, &off, &p, &id, &why)) > 0) {
		if (off <= prev || off > n->raw.len)
			die("dw_nlri_next offset does not advance within the field");
		prev = off;
		if (p.len > max)
			die("prefix length over the family maximum");
		for (unsigned bit = p.len; bit < max; bit++)
			if (p.addr.b[bit / 8] & (0x80 >> (bit % 8)))
				die("host bits not cleared");
		sink ^= id ^ p.addr.b[0];
	}
	if (rc < 0 && repaired)
		die("NLRI field still malformed after repair");
	sink ^= (uint32_t)dw_nlri_validate(n, &why);
	sink ^= (uint32_t)dw_nlri_guess_addpath(n->afi, &n->raw);
}

static void update(struct dw_bgp_update *u, const struct dw_bgp_opts *o)
{
	struct dw_bgp_attrs a;
	enum dw_reason why = DW_R_NONE;

	touch(&u->attrs);
	walk_nlri(&u->withdrawn, 0);
	walk_nlri(&u->nlri, 0);
	dw_arena_reset(arena);
	if (dw_bgp_attrs_decode(u->attrs.p, u->attrs.len, o, arena, &a, &why)) {
		sink ^= (uint32_t)strlen(dw_reason_name(why));
		return;
	}
	walk_aspath(&a.aspath);
	walk_aspath(&a.aspath_raw);
	walk_aspath(&a.as4path);
	if (dw_attrs_has(&a, DW_ATTR_MP_REACH_NLRI) && !a.mp_reach.opaque)
		walk_nlri(&a.mp_reach.nlri, 1);
	if (dw_attrs_has(&a, DW_ATTR_MP_UNREACH_NLRI) && !a.mp_unreach.opaque)
		walk_nlri(&a.mp_unreach.nlri, 1);
	for (unsigned i = 0; i < a.nwarn; i++)
		sink ^= (uint32_t)strlen(dw_reason_name(a.warn[i]));
	int rc = dw_bgp_update_check(u, &a, &why);
	sink ^= (uint32_t)rc;
	/* repaired in place whatever the verdict on mandatory attributes */
	walk_nlri(&u->withdrawn, 1);
	walk_nlri(&u->nlri, 1);
}

static void message(const uint8_t *p, size_t len, const struct dw_bgp_opts *o)
{
	struct dw_bgp_msg m;
	enum dw_reason why = DW_R_NONE;

	if (dw_bgp_msg_decode(p, len, o, &m, &why) != 0) {
		sink ^= (uint32_t)strlen(dw_reason_name(why));
		return;
	}
	if (m.length != len)
		die("decoded message length differs from the bytes given");
	switch (m.type) {
	case DW_BGP_UPDATE:
		update(&m.u.update, o);
		break;
	case DW_BGP_OPEN:
		touch(&m.u.open.params);
		break;
	case DW_BGP_NOTIFICATION:
		touch(&m.u.notification.data);
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dw_bgp_opts o = {0, 0, 0, 0, 0};
	struct dw_bgp_update u5;
	enum dw_reason why = DW_R_NONE;

	if (!arena && !(arena = dw_arena_new(64u << 20)))
		abort();
	if (size < 1)
		return 0;
	o.as4 = data[0] & OPT_AS4 ? 1 : 0;
	o.addpath = data[0] & OPT_ADDPATH ? 1 : 0;
	const uint8_t *msg = data + 1;
	size_t len = size - 1;

	/* type 5 form: an UPDATE body without the header */
	if (dw_bgp_update_decode(msg, len, &o, &u5, &why) == 0)
		update(&u5, &o);
	else
		sink ^= (uint32_t)strlen(dw_reason_name(why));

	if ((data[0] & OPT_FIXHDR) && len >= 19 && len <= DW_BGP_MAX_MSG) {
		/* exact-size heap copy so ASan sees reads past the end */
		uint8_t *h = malloc(len);
		if (!h)
			return 0;
		memcpy(h, msg, len);
		memset(h, 0xff, 16);
		h[16] = (uint8_t)(len >> 8);
		h[17] = (uint8_t)len;
		message(h, len, &o);
		free(h);
	} else {
		message(msg, len, &o);
	}
	return 0;
}
