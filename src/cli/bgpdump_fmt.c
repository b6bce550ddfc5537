/*
 * bgpdump_fmt.c - `bgpdump -m` lines (see bgpdump_fmt.h).
 *
 * Speed: the part of a line that depends only on the message (type label,
 * time, peer) and the part that depends only on the attributes (AS path ...
 * aggregator) are built once; each prefix then costs two memcpy and one
 * prefix formatting.  No printf anywhere.
 *
 * Compatibility notes (bgpdump 1.6.2 behaviour mirrored on purpose): IPv6
 * text compresses the longest zero run even of length one; a missing ORIGIN
 * prints INCOMPLETE and a missing NEXT_HOP 255.255.255.255; for IPv4 NLRI in
 * MP_REACH the next hop is the first 4 bytes of the MP next hop and LOCAL_PREF
 * and MED print as signed; an aggregator address of 255.255.255.255 prints as
 * no aggregator.
 */
#include "cli/bgpdump_fmt.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "darkwatch/bgp.h"

#define SFX_CAP (1u << 20)

struct bd_fmt {
	struct dw_out *out;
	int human;
	char head[256];
	size_t head_len;
	char *sfx;         /* "aspath|origin|nh|lp|med|comm|AG|aggr|\n" */
	size_t sfx_len;
};

struct bd_fmt *bd_fmt_new(struct dw_out *out, int human)
{
	struct bd_fmt *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->out = out;
	f->human = human;
	f->sfx = malloc(SFX_CAP);
	if (!f->sfx) {
		free(f);
		return NULL;
	}
	return f;
}

void bd_fmt_free(struct bd_fmt *f)
{
	if (!f)
		return;
	free(f->sfx);
	free(f);
}

static size_t hex16(unsigned v, char *b)
{
	static const char hx[] = "0123456789abcdef";
	size_t n = 0;
	if (v >> 12)
		b[n++] = hx[v >> 12];
	if (v >> 8)
		b[n++] = hx[(v >> 8) & 15];
	if (v >> 4)
		b[n++] = hx[(v >> 4) & 15];
	b[n++] = hx[v & 15];
	return n;
}

/* bgpdump's fmt_ipv6: longest zero run (even a single group) becomes "::". */
static size_t bd_ip6(const uint8_t a[16], char *b)
{
	unsigned w[8];
	int best = -1, bestlen = 0;
	size_t n = 0;
	int zero12 = 1;

	for (int i = 0; i < 12; i++)
		zero12 &= a[i] == 0;
	if (zero12 || (!memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12))) {
		uint32_t last = ((uint32_t)a[12] << 24) | ((uint32_t)a[13] << 16) |
				((uint32_t)a[14] << 8) | a[15];
		if (!zero12 || last > 1) {
			memcpy(b, zero12 ? "::" : "::ffff:", zero12 ? 2 : 7);
			n = zero12 ? 2 : 7;
			return n + dw_ip4_fmt(a + 12, b + n);
		}
	}
	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)(a[2 * i] << 8 | a[2 * i + 1]);
	for (int i = 0; i < 8;) {
		if (w[i]) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && !w[j])
			j++;
		if (j - i > bestlen) {
			best = i;
			bestlen = j - i;
		}
		i = j;
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			if (i == 0)
				b[n++] = ':';
			b[n++] = ':';
			i += bestlen - 1;
			continue;
		}
		n += hex16(w[i], b + n);
		if (i != 7)
			b[n++] = ':';
	}
	return n;
}

static size_t bd_addr(const struct dw_addr *a, char *b)
{
	return a->af == DW_AF_INET6 ? bd_ip6(a->b, b) : dw_ip4_fmt(a->b, b);
}

static size_t bd_prefix(const struct dw_prefix *p, char *b)
{
	size_t n = bd_addr(&p->addr, b);
	b[n++] = '/';
	return n + dw_u32_fmt(p->len, b + n);
}

static size_t put_i32(int32_t v, char *b)
{
	if (v < 0) {
		b[0] = '-';
		return 1 + dw_u32_fmt((uint32_t)0 - (uint32_t)v, b + 1);
	}
	return dw_u32_fmt((uint32_t)v, b);
}

static size_t put_aspath(const struct dw_aspath *p, char *b)
{
	static const char open[] = " { ([", close[] = " } )]";
	size_t n = 0;
	for (unsigned s = 0; s < p->nseg; s++) {
		const struct dw_aspath_seg *g = &p->seg[s];
		int set = g->type == DW_AS_SET || g->type == DW_AS_CONFED_SET;
		if (s)
			b[n++] = ' ';
		if (g->type != DW_AS_SEQUENCE)
			b[n++] = open[g->type];
		for (unsigned i = 0; i < g->count; i++) {
			if (i)
				b[n++] = set ? ',' : ' ';
			n += dw_u32_fmt(g->asn[i], b + n);
		}
		if (g->type != DW_AS_SEQUENCE)
			b[n++] = close[g->type];
	}
	return n;
}

static size_t put_communities(const struct dw_bytes *c, char *b)
{
	size_t n = 0;
	for (size_t i = 0; i + 4 <= c->len; i += 4) {
		uint32_t v = ((uint32_t)c->p[i] << 24) | ((uint32_t)c->p[i + 1] << 16) |
			     ((uint32_t)c->p[i + 2] << 8) | c->p[i + 3];
		if (i)
			b[n++] = ' ';
		if (v == 0xFFFFFF01) {
			memcpy(b + n, "no-export", 9), n += 9;
		} else if (v == 0xFFFFFF02) {
			memcpy(b + n, "no-advertise", 12), n += 12;
		} else if (v == 0xFFFFFF03) {
			memcpy(b + n, "local-AS", 8), n += 8;
		} else {
			n += dw_u32_fmt(v >> 16, b + n);
			b[n++] = ':';
			n += dw_u32_fmt(v & 0xffff, b + n);
		}
	}
	return n;
}

enum nh_mode { NH_ATTR, NH_MP4, NH_MP6, NH_RIB };

/* Build "aspath|origin|nexthop|lp|med|comm|AG|aggr|\n" into f->sfx. */
static void build_suffix(struct bd_fmt *f, const struct dw_bgp_attrs *a,
			 enum nh_mode mode)
{
	static const char *origins[] = {"IGP", "EGP", "INCOMPLETE"};
	char *b = f->sfx;
	size_t n = 0;
	const uint8_t none[4] = {255, 255, 255, 255};

	if (dw_attrs_has(a, DW_ATTR_AS_PATH))
		n += put_aspath(&a->aspath, b);
	b[n++] = '|';
	const char *o = dw_attrs_has(a, DW_ATTR_ORIGIN) && a->origin < 2
				? origins[a->origin] : origins[2];
	memcpy(b + n, o, strlen(o)), n += strlen(o);
	if (f->human) { /* -M stops after the origin */
		b[n++] = '\n';
		f->sfx_len = n;
		return;
	}
	b[n++] = '|';
	int mp = dw_attrs_has(a, DW_ATTR_MP_REACH_NLRI) && !a->mp_reach.opaque;
	switch (mode) {
	case NH_MP4:
		n += dw_ip4_fmt(a->mp_reach.nexthop.b, b + n);
		break;
	case NH_MP6:
		n += bd_ip6(a->mp_reach.nexthop.b, b + n);
		break;
	case NH_RIB:
		if (mp && (a->mp_reach.abbreviated || (a->mp_reach.afi == DW_AFI_IPV6 &&
						       a->mp_reach.safi == DW_SAFI_UNICAST))) {
			n += a->mp_reach.nexthop.af == DW_AF_INET
				     ? dw_ip4_fmt(a->mp_reach.nexthop.b, b + n)
				     : bd_ip6(a->mp_reach.nexthop.b, b + n);
			break;
		}
		/* fall through */
	case NH_ATTR:
		n += dw_ip4_fmt(dw_attrs_has(a, DW_ATTR_NEXT_HOP) ? a->nexthop.b
								    : none, b + n);
		break;
	}
	b[n++] = '|';
	uint32_t lp = dw_attrs_has(a, DW_ATTR_LOCAL_PREF) ? a->local_pref : 0;
	uint32_t med = dw_attrs_has(a, DW_ATTR_MED) ? a->med : 0;
	if (mode == NH_MP4) {
		n += put_i32((int32_t)lp, b + n);
		b[n++] = '|';
		n += put_i32((int32_t)med, b + n);
	} else {
		n += dw_u32_fmt(lp, b + n);
		b[n++] = '|';
		n += dw_u32_fmt(med, b + n);
	}
	b[n++] = '|';
	if (dw_attrs_has(a, DW_ATTR_COMMUNITIES))
		n += put_communities(&a->communities, b + n);
	b[n++] = '|';
	memcpy(b + n, dw_attrs_has(a, DW_ATTR_ATOMIC_AGGREGATE) ? "AG" : "NAG",
	       dw_attrs_has(a, DW_ATTR_ATOMIC_AGGREGATE) ? 2 : 3);
	n += dw_attrs_has(a, DW_ATTR_ATOMIC_AGGREGATE) ? 2 : 3;
	b[n++] = '|';
	if (dw_attrs_has(a, DW_ATTR_AGGREGATOR) &&
	    memcmp(a->aggregator_addr.b, none, 4) != 0) {
		n += dw_u32_fmt(a->aggregator_as, b + n);
		b[n++] = ' ';
		n += dw_ip4_fmt(a->aggregator_addr.b, b + n);
	}
	b[n++] = '|';
	b[n++] = '\n';
	f->sfx_len = n;
}

/* "LABEL|time|T|peer|peer_as|" into f->head. */
static void build_head(struct bd_fmt *f, const char *label,
		       const struct dw_mrt_record *rec, const char *t,
		       const struct dw_addr *peer, int have_peer, uint32_t as)
{
	char *b = f->head;
	size_t n = strlen(label);
	memcpy(b, label, n);
	b[n++] = '|';
	if (f->human) { /* bgpdump's MM/DD/YY HH:MM:SS, UTC */
		time_t when = rec->timestamp;
		struct tm tm;
		int v[6];
		gmtime_r(&when, &tm);
		v[0] = tm.tm_mon + 1, v[1] = tm.tm_mday, v[2] = tm.tm_year % 100;
		v[3] = tm.tm_hour, v[4] = tm.tm_min, v[5] = tm.tm_sec;
		for (int i = 0; i < 6; i++) {
			b[n++] = (char)('0' + v[i] / 10);
			b[n++] = (char)('0' + v[i] % 10);
			b[n++] = i == 2 ? ' ' : i < 2 ? '/' : ':';
		}
		n--;
	} else {
		n += dw_u32_fmt(rec->timestamp, b + n);
	}
	if (rec->type == DW_MRT_BGP4MP_ET) {
		char us[12]; /* any uint32: bgpdump prints %06ld */
		size_t k = dw_u32_fmt(rec->usec, us);
		b[n++] = '.';
		for (size_t z = k; z < 6; z++)
			b[n++] = '0';
		memcpy(b + n, us, k), n += k;
	}
	b[n++] = '|';
	memcpy(b + n, t, strlen(t)), n += strlen(t);
	b[n++] = '|';
	if (have_peer)
		n += bd_addr(peer, b + n);
	b[n++] = '|';
	if (have_peer)
		n += dw_u32_fmt(as, b + n);
	b[n++] = '|';
	f->head_len = n;
}

/* One line: head + prefix [+ "|" path id] + ("|" suffix | "\n"). */
static void line(struct bd_fmt *f, const struct dw_prefix *p, int ap,
		 uint32_t path_id, int with_suffix)
{
	char *b = dw_out_reserve(f->out, f->head_len + DW_PREFIX_STRLEN + 16);
	size_t n = f->head_len;
	memcpy(b, f->head, n);
	n += bd_prefix(p, b + n);
	if (ap) {
		b[n++] = '|';
		n += dw_u32_fmt(path_id, b + n);
	}
	if (!with_suffix)
		b[n++] = '\n';
	else
		b[n++] = '|';
	f->out->n += n;
	if (with_suffix)
		dw_out_put(f->out, f->sfx, f->sfx_len);
}

static void nlri_lines(struct bd_fmt *f, const struct dw_nlri *nl, int ap,
		       int with_suffix)
{
	size_t off = 0;
	struct dw_prefix p;
	uint32_t id;
	enum dw_reason why;
	while (dw_nlri_next(nl, &off, &p, &id, &why) > 0)
		line(f, &p, ap, id, with_suffix);
}

static int known(uint16_t afi, uint8_t safi)
{
	return (afi == 1 || afi == 2) && safi >= 1 && safi <= 3;
}

static const char *bgp4mp_label(const struct dw_mrt_record *rec, int ap)
{
	int et = rec->type == DW_MRT_BGP4MP_ET;
	int local = rec->u.msg.local_dir;
	static const char *names[8] = {"BGP4MP", "BGP4MP_AP", "BGP4MP_LOCAL",
				       "BGP4MP_LOCAL_AP", "BGP4MP_ET",
				       "BGP4MP_ET_AP", "BGP4MP_ET_LOCAL",
				       "BGP4MP_ET_LOCAL_AP"};
	return names[et * 4 + local * 2 + ap];
}

static int warned(const struct dw_bgp_attrs *a, enum dw_reason *why)
{
	if (!a->nwarn)
		return 0;
	*why = a->warn[0];
	for (unsigned i = 0; i < a->nwarn; i++)
		if (dw_reason_is_loss(a->warn[i]))
			*why = a->warn[i];
	return 1;
}

static int update(struct bd_fmt *f, const struct dw_mrt_record *rec,
		  struct dw_arena *arena, enum dw_reason *why)
{
	const struct dw_mrt_message *m = &rec->u.msg;
	struct dw_bgp_opts o = {m->as4, m->addpath, 0, 0, 0};
	struct dw_bgp_msg msg;
	struct dw_bgp_update *u = &msg.u.update;
	struct dw_bgp_attrs a;
	int rc;

	if (m->header) {
		if ((rc = dw_bgp_msg_decode(m->msg.p, m->msg.len, &o, &msg, why)))
			return rc;
		if (msg.type != DW_BGP_UPDATE)
			return 0;
	} else {
		if (m->bgp_type != DW_BGP_UPDATE)
			return 0;
		if ((rc = dw_bgp_update_decode(m->msg.p, m->msg.len, &o, u, why)))
			return rc;
	}
	if ((rc = dw_bgp_attrs_decode(u->attrs.p, u->attrs.len, &o, arena, &a,
				      why)))
		return rc;
	if ((rc = dw_bgp_update_check(u, &a, why)))
		return rc;
	const char *label = rec->type == DW_MRT_BGP ? "BGP"
						    : bgp4mp_label(rec, m->addpath);
	int ap = rec->type != DW_MRT_BGP && m->addpath;
	int mpu = dw_attrs_has(&a, DW_ATTR_MP_UNREACH_NLRI) &&
		  !a.mp_unreach.opaque && known(a.mp_unreach.afi, a.mp_unreach.safi);
	int mpr = dw_attrs_has(&a, DW_ATTR_MP_REACH_NLRI) && !a.mp_reach.opaque &&
		  known(a.mp_reach.afi, a.mp_reach.safi);

	build_head(f, label, rec, "W", &m->peer, 1, m->peer_as);
	nlri_lines(f, &u->withdrawn, ap, 0);
	if (mpu && rec->type != DW_MRT_BGP)
		nlri_lines(f, &a.mp_unreach.nlri, ap, 0);
	if (u->nlri.raw.len || mpr) {
		build_head(f, label, rec, "A", &m->peer, 1, m->peer_as);
		if (u->nlri.raw.len) {
			build_suffix(f, &a, NH_ATTR);
			nlri_lines(f, &u->nlri, ap, 1);
		}
		if (mpr && rec->type != DW_MRT_BGP) {
			build_suffix(f, &a, a.mp_reach.afi == DW_AFI_IPV4 ? NH_MP4
									 : NH_MP6);
			nlri_lines(f, &a.mp_reach.nlri, ap, 1);
		}
	}
	return warned(&a, why);
}

static int state(struct bd_fmt *f, const struct dw_mrt_record *rec)
{
	const struct dw_mrt_state *s = &rec->u.state;
	const char *label = rec->type == DW_MRT_BGP ? "BGP"
			    : rec->type == DW_MRT_BGP4MP_ET ? "BGP4MP_ET"
							    : "BGP4MP";
	build_head(f, label, rec, "STATE", &s->peer, 1, s->peer_as);
	char *b = dw_out_reserve(f->out, sizeof(f->head) + 16);
	size_t n = f->head_len;
	memcpy(b, f->head, n);
	n += dw_u32_fmt(s->old_state, b + n);
	b[n++] = '|';
	n += dw_u32_fmt(s->new_state, b + n);
	b[n++] = '\n';
	f->out->n += n;
	return 0;
}

static int rib_attrs(const struct dw_bytes *raw, uint16_t afi, uint8_t safi,
		     int as4, struct dw_arena *arena, struct dw_bgp_attrs *a,
		     enum dw_reason *why)
{
	struct dw_bgp_opts o = {(uint8_t)as4, 0, 1, afi, safi};
	return dw_bgp_attrs_decode(raw->p, raw->len, &o, arena, a, why);
}

static int td1(struct bd_fmt *f, const struct dw_mrt_record *rec,
	       struct dw_arena *arena, enum dw_reason *why)
{
	const struct dw_mrt_td1 *t = &rec->u.td1;
	struct dw_bgp_attrs a;
	int v6 = rec->subtype == 2 || rec->subtype == 4;
	int rc = rib_attrs(&t->attrs, v6 ? 2 : 1, 1,
			   rec->subtype == 3 || rec->subtype == 4, arena, &a, why);
	if (rc)
		return rc;
	build_head(f, "TABLE_DUMP", rec, "B", &t->peer, 1, t->peer_as);
	build_suffix(f, &a, NH_RIB);
	line(f, &t->prefix, 0, 0, 1);
	return warned(&a, why);
}

static int rib(struct bd_fmt *f, const struct dw_mrt_record *rec,
	       struct dw_arena *arena, enum dw_reason *why)
{
	const struct dw_mrt_rib *r = &rec->u.rib;
	const char *label = r->addpath ? "TABLE_DUMP2_AP" : "TABLE_DUMP2";
	int rc, warn = 0;

	if (r->opaque)
		return 0;
	for (unsigned i = 0; i < r->count; i++) {
		const struct dw_mrt_rib_entry *e = &r->entries[i];
		struct dw_bgp_attrs a;
		enum dw_reason w;
		if ((rc = rib_attrs(&e->attrs, r->afi, r->safi, 1, arena, &a, &w))) {
			*why = w;
			warn = -1;
			continue;
		}
		if (warn == 0 && warned(&a, why))
			warn = 1;
		struct dw_addr none = {0};
		build_head(f, label, rec, "B", e->peer ? &e->peer->addr : &none,
			   e->peer != NULL, e->peer ? e->peer->asn : 0);
		build_suffix(f, &a, NH_RIB);
		line(f, &r->prefix, r->addpath, e->path_id, 1);
	}
	return warn < 0 ? DW_EMALFORMED : warn;
}

static int entry(struct bd_fmt *f, const struct dw_mrt_record *rec,
		 struct dw_arena *arena, enum dw_reason *why)
{
	const struct dw_mrt_entry *e = &rec->u.entry;
	struct dw_bgp_attrs a;
	int rc = rib_attrs(&e->attrs, e->rafi, e->rsafi, 0, arena, &a, why);
	if (rc)
		return rc;
	build_head(f, "BGP4MP_ENTRY", rec, "B", &e->peer, 1, e->peer_as);
	if (!dw_attrs_has(&a, DW_ATTR_NEXT_HOP) && !dw_attrs_has(&a, DW_ATTR_MP_REACH_NLRI)) {
		a.nexthop = e->nexthop;
		a.present[0] |= 1u << DW_ATTR_NEXT_HOP;
	}
	build_suffix(f, &a, NH_RIB);
	line(f, &e->prefix, 0, 0, 1);
	return warned(&a, why);
}

int bd_fmt_record(struct bd_fmt *f, const struct dw_mrt_record *rec,
		  struct dw_arena *arena, enum dw_reason *why)
{
	switch (rec->kind) {
	case DW_MRT_K_TD1:
		return td1(f, rec, arena, why);
	case DW_MRT_K_RIB:
		return rib(f, rec, arena, why);
	case DW_MRT_K_STATE:
		return state(f, rec);
	case DW_MRT_K_MESSAGE:
		return update(f, rec, arena, why);
	case DW_MRT_K_ENTRY:
		return entry(f, rec, arena, why);
	default:
		return 0;
	}
}
