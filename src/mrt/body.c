/*
 * body.c - MRT record bodies: TABLE_DUMP, TABLE_DUMP_V2, BGP4MP(_ET) and the
 * deprecated type 5 (BGP) of 1999-2000 RIS files (RFC 6396, RFC 8050).
 *
 * Every field goes through the bounded cursor; a body that is too short for
 * its fields, or longer than them where the format fixes the size, is
 * malformed.  Attribute blocks and BGP messages are returned as views; the
 * consumer decodes them with src/bgp, because a statistics pass and a dump
 * want different depths.
 *
 * Historical damage handled here (see tests): Zebra's 8-byte state changes
 * and OPEN records whose interface index and AFI are the first 4 bytes of the
 * marker (RIS 2000), batched TABLE_DUMP entries (RIS 2000).
 */
#include "mrt/body.h"

#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/cursor.h"

static int fail(enum dw_reason *why, enum dw_reason r)
{
	*why = r;
	return DW_EMALFORMED;
}

static int get_addr(struct dw_cur *c, uint16_t afi, struct dw_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (afi == DW_AFI_IPV4) {
		a->af = DW_AF_INET;
		return dw_cur_copy(c, a->b, 4);
	}
	if (afi == DW_AFI_IPV6) {
		a->af = DW_AF_INET6;
		return dw_cur_copy(c, a->b, 16);
	}
	return -1;
}

static int get_asn(struct dw_cur *c, int as4, uint32_t *v)
{
	if (as4)
		return dw_cur_u32(c, v);
	uint16_t w;
	if (dw_cur_u16(c, &w))
		return -1;
	*v = w;
	return 0;
}

/* Prefix stored as length + (len+7)/8 bytes, checked against the AFI. */
static int get_prefix(struct dw_cur *c, uint16_t afi, struct dw_prefix *p,
		      enum dw_reason *why)
{
	uint8_t len;
	unsigned max = afi == DW_AFI_IPV6 ? 128 : 32;
	memset(p, 0, sizeof(*p));
	p->addr.af = afi == DW_AFI_IPV6 ? DW_AF_INET6 : DW_AF_INET;
	if (dw_cur_u8(c, &len))
		return fail(why, DW_R_RECORD_TRUNCATED);
	if (len > max)
		return fail(why, DW_R_PREFIX_LENGTH);
	if (dw_cur_copy(c, p->addr.b, (len + 7u) / 8u))
		return fail(why, DW_R_NLRI_OVERRUN);
	p->len = len;
	dw_prefix_mask(p);
	return 0;
}

/* One TABLE_DUMP route after view/sequence (shared with batched entries). */
int dw_mrt_td1_entry(struct dw_mrt_record *rec, struct dw_cur *c,
		     enum dw_reason *why)
{
	struct dw_mrt_td1 *t = &rec->u.td1;
	uint16_t afi = (rec->subtype == 2 || rec->subtype == 4) ? DW_AFI_IPV6
								: DW_AFI_IPV4;
	int as4 = rec->subtype == 3 || rec->subtype == 4;
	uint16_t alen;
	const uint8_t *attrs;

	if (!dw_cur_left(c))
		return 0;
	memset(&t->prefix, 0, sizeof(t->prefix));
	if (get_addr(c, afi, &t->prefix.addr) || dw_cur_u8(c, &t->prefix.len) ||
	    dw_cur_u8(c, &t->status) || dw_cur_u32(c, &t->originated) ||
	    get_addr(c, afi, &t->peer) || get_asn(c, as4, &t->peer_as) ||
	    dw_cur_u16(c, &alen))
		return fail(why, DW_R_RECORD_TRUNCATED);
	if (t->prefix.len > (afi == DW_AFI_IPV6 ? 128 : 32))
		return fail(why, DW_R_PREFIX_LENGTH);
	dw_prefix_mask(&t->prefix);
	if (dw_cur_bytes(c, alen, &attrs))
		return fail(why, DW_R_ATTR_TOTAL_LENGTH);
	t->attrs = (struct dw_bytes){attrs, alen};
	return 1;
}

static int td1(struct dw_mrt_record *rec, struct dw_cur *c, enum dw_reason *why)
{
	if (rec->subtype < 1 || rec->subtype > 4)
		return fail(why, DW_R_UNKNOWN_TYPE);
	if (dw_cur_u16(c, &rec->u.td1.view) || dw_cur_u16(c, &rec->u.td1.seq))
		return fail(why, DW_R_RECORD_TRUNCATED);
	int rc = dw_mrt_td1_entry(rec, c, why);
	if (rc == 0)
		return fail(why, DW_R_RECORD_TRUNCATED);
	rec->kind = DW_MRT_K_TD1;
	return rc < 0 ? rc : 0;
}

static int peer_table(struct dw_mrt_record *rec, struct dw_cur *c,
		      struct dw_mrt_peers_store *ps, enum dw_reason *why,
		      enum dw_reason *warn)
{
	uint32_t cid;
	uint16_t vlen, count;
	const uint8_t *view;
	struct dw_mrt_peer *np = NULL;
	uint8_t *nv = NULL;
	int rc = DW_ENOMEM;

	if (dw_cur_u32(c, &cid) || dw_cur_u16(c, &vlen) ||
	    dw_cur_bytes(c, vlen, &view) || dw_cur_u16(c, &count))
		return fail(why, DW_R_RECORD_TRUNCATED);
	/* decode into new arrays: a damaged table must not spoil the last one */
	np = calloc(count ? count : 1, sizeof(*np));
	nv = malloc(vlen ? vlen : 1);
	if (!np || !nv)
		goto out;
	for (unsigned i = 0; i < count; i++) {
		uint8_t ptype;
		struct dw_mrt_peer *p = &np[i];
		if (dw_cur_u8(c, &ptype) || dw_cur_u32(c, &p->bgp_id) ||
		    get_addr(c, (ptype & 1) ? DW_AFI_IPV6 : DW_AFI_IPV4,
			     &p->addr) ||
		    get_asn(c, ptype & 2, &p->asn)) {
			rc = fail(why, DW_R_RECORD_TRUNCATED);
			goto out;
		}
	}
	if (vlen)
		memcpy(nv, view, vlen);
	if (ps->have)
		*warn = DW_R_PEER_TABLE_DUP;
	free(ps->peers);
	free(ps->view);
	ps->peers = np;
	ps->cap = count;
	ps->view = nv;
	ps->view_cap = vlen;
	np = NULL;
	nv = NULL;
	ps->have = 1;
	ps->table.collector_id = cid;
	ps->table.view_name = (struct dw_bytes){ps->view, vlen};
	ps->table.count = count;
	ps->table.peers = ps->peers;
	rec->u.peers = ps->table;
	rec->kind = DW_MRT_K_PEER_TABLE;
	rc = 0;
out:
	free(np);
	free(nv);
	return rc;
}

static int rib_afi(uint16_t st, uint16_t *afi, uint8_t *safi, uint8_t *ap)
{
	*ap = st >= DW_TD2_RIB_IPV4_UNICAST_ADDPATH;
	switch (st) {
	case DW_TD2_RIB_IPV4_UNICAST:
	case DW_TD2_RIB_IPV4_UNICAST_ADDPATH:
		*afi = DW_AFI_IPV4, *safi = DW_SAFI_UNICAST;
		return 0;
	case DW_TD2_RIB_IPV4_MULTICAST:
	case DW_TD2_RIB_IPV4_MULTICAST_ADDPATH:
		*afi = DW_AFI_IPV4, *safi = DW_SAFI_MULTICAST;
		return 0;
	case DW_TD2_RIB_IPV6_UNICAST:
	case DW_TD2_RIB_IPV6_UNICAST_ADDPATH:
		*afi = DW_AFI_IPV6, *safi = DW_SAFI_UNICAST;
		return 0;
	case DW_TD2_RIB_IPV6_MULTICAST:
	case DW_TD2_RIB_IPV6_MULTICAST_ADDPATH:
		*afi = DW_AFI_IPV6, *safi = DW_SAFI_MULTICAST;
		return 0;
	case DW_TD2_RIB_GENERIC:
	case DW_TD2_RIB_GENERIC_ADDPATH:
		*afi = 0, *safi = 0;
		return 0;
	}
	return -1;
}

static int rib_entries(struct dw_mrt_rib *rib, struct dw_cur *c,
		       struct dw_arena *arena, struct dw_mrt_peers_store *ps,
		       enum dw_reason *why, enum dw_reason *warn)
{
	uint16_t count;
	if (dw_cur_u16(c, &count))
		return fail(why, DW_R_RECORD_TRUNCATED);
	/* Without a peer table the routes are still decodable: keep them
	 * with peer == NULL and say so (bgpdump prints nothing at all). */
	if (count && !ps->have)
		*warn = DW_R_NO_PEER_TABLE;
	struct dw_mrt_rib_entry *e = dw_arena_calloc(arena, count ? count : 1,
						     sizeof(*e));
	if (!e)
		return DW_ENOMEM;
	unsigned n = 0;
	for (unsigned i = 0; i < count; i++) {
		uint16_t alen;
		const uint8_t *attrs;
		struct dw_mrt_rib_entry *x = &e[n];
		if (dw_cur_u16(c, &x->peer_index) ||
		    dw_cur_u32(c, &x->originated) ||
		    (rib->addpath && dw_cur_u32(c, &x->path_id)) ||
		    dw_cur_u16(c, &alen))
			return fail(why, DW_R_RECORD_TRUNCATED);
		if (dw_cur_bytes(c, alen, &attrs))
			return fail(why, DW_R_ATTR_TOTAL_LENGTH);
		x->attrs = (struct dw_bytes){attrs, alen};
		if (!ps->have) {
			x->peer = NULL;
		} else if (x->peer_index >= ps->table.count) {
			*warn = DW_R_PEER_INDEX; /* entry dropped, counted */
			continue;
		} else {
			x->peer = &ps->table.peers[x->peer_index];
		}
		n++;
	}
	if (dw_cur_left(c))
		return fail(why, DW_R_TRAILING_BYTES);
	rib->count = (uint16_t)n;
	rib->entries = e;
	return 0;
}

static int td2(struct dw_mrt_record *rec, struct dw_cur *c,
	       struct dw_arena *arena, struct dw_mrt_peers_store *ps,
	       enum dw_reason *why, enum dw_reason *warn)
{
	struct dw_mrt_rib *rib = &rec->u.rib;
	int rc;

	if (rec->subtype == DW_TD2_PEER_INDEX_TABLE)
		return peer_table(rec, c, ps, why, warn);
	memset(rib, 0, sizeof(*rib));
	if (rib_afi(rec->subtype, &rib->afi, &rib->safi, &rib->addpath))
		return fail(why, DW_R_UNKNOWN_TYPE);
	if (dw_cur_u32(c, &rib->seq))
		return fail(why, DW_R_RECORD_TRUNCATED);
	if (rib->afi == 0) { /* RIB_GENERIC */
		uint8_t bits;
		const uint8_t *nl;
		if (dw_cur_u16(c, &rib->afi) || dw_cur_u8(c, &rib->safi))
			return fail(why, DW_R_RECORD_TRUNCATED);
		struct dw_cur save = *c;
		if (dw_cur_u8(c, &bits) || dw_cur_bytes(c, (bits + 7u) / 8u, &nl))
			return fail(why, DW_R_NLRI_OVERRUN);
		rib->nlri = (struct dw_bytes){save.p, (size_t)(c->p - save.p)};
		if ((rib->afi == DW_AFI_IPV4 || rib->afi == DW_AFI_IPV6) &&
		    (rib->safi == DW_SAFI_UNICAST ||
		     rib->safi == DW_SAFI_MULTICAST)) {
			*c = save;
			if ((rc = get_prefix(c, rib->afi, &rib->prefix, why)))
				return rc;
		} else {
			rib->opaque = 1;
		}
	} else if ((rc = get_prefix(c, rib->afi, &rib->prefix, why))) {
		return rc;
	}
	rec->kind = DW_MRT_K_RIB;
	return rib_entries(rib, c, arena, ps, why, warn);
}

static int bgp4mp_peer(struct dw_cur *c, int as4, int local, uint32_t *peer_as,
		       uint32_t *local_as, uint16_t *ifindex, uint16_t *afi)
{
	(void)local;
	return get_asn(c, as4, peer_as) || get_asn(c, as4, local_as) ||
	       dw_cur_u16(c, ifindex) || dw_cur_u16(c, afi);
}

static int bgp4mp_state(struct dw_mrt_record *rec, struct dw_cur *c,
			enum dw_reason *why)
{
	struct dw_mrt_state *s = &rec->u.state;
	int as4 = rec->subtype == DW_BGP4MP_STATE_CHANGE_AS4;

	memset(s, 0, sizeof(*s));
	rec->kind = DW_MRT_K_STATE;
	/* Zebra bug: 8-byte state change without ifindex, AFI and addresses */
	if (!as4 && dw_cur_left(c) == 8) {
		get_asn(c, 0, &s->peer_as);
		get_asn(c, 0, &s->local_as);
		dw_cur_u16(c, &s->old_state);
		dw_cur_u16(c, &s->new_state);
		s->afi = DW_AFI_IPV4;
		s->peer.af = s->local.af = DW_AF_INET;
		return 0;
	}
	if (bgp4mp_peer(c, as4, 0, &s->peer_as, &s->local_as, &s->ifindex,
			&s->afi))
		return fail(why, DW_R_RECORD_TRUNCATED);
	if (s->afi != DW_AFI_IPV4 && s->afi != DW_AFI_IPV6)
		return fail(why, DW_R_BAD_AFI);
	if (get_addr(c, s->afi, &s->peer) || get_addr(c, s->afi, &s->local) ||
	    dw_cur_u16(c, &s->old_state) || dw_cur_u16(c, &s->new_state))
		return fail(why, DW_R_RECORD_TRUNCATED);
	if (dw_cur_left(c))
		return fail(why, DW_R_TRAILING_BYTES);
	if (s->old_state > 8 || s->new_state > 8 || !s->old_state ||
	    !s->new_state)
		return fail(why, DW_R_BAD_STATE);
	return 0;
}

static int bgp4mp_message(struct dw_mrt_record *rec, struct dw_cur *c,
			  enum dw_reason *why)
{
	struct dw_mrt_message *m = &rec->u.msg;
	uint16_t st = rec->subtype;

	memset(m, 0, sizeof(*m));
	m->as4 = st == DW_BGP4MP_MESSAGE_AS4 || st == DW_BGP4MP_MESSAGE_AS4_LOCAL ||
		 st == DW_BGP4MP_MESSAGE_AS4_ADDPATH ||
		 st == DW_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH;
	m->local_dir = st == DW_BGP4MP_MESSAGE_LOCAL ||
		       st == DW_BGP4MP_MESSAGE_AS4_LOCAL ||
		       st == DW_BGP4MP_MESSAGE_LOCAL_ADDPATH ||
		       st == DW_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH;
	m->addpath = st >= DW_BGP4MP_MESSAGE_ADDPATH;
	m->header = 1;
	rec->kind = DW_MRT_K_MESSAGE;
	struct dw_cur start = *c;
	if (bgp4mp_peer(c, m->as4, m->local_dir, &m->peer_as, &m->local_as,
			&m->ifindex, &m->afi))
		return fail(why, DW_R_RECORD_TRUNCATED);
	if (m->ifindex == 0xffff && m->afi == 0xffff) {
		/* Zebra: no ifindex/AFI/addresses; those 4 bytes were marker */
		m->afi = DW_AFI_IPV4;
		m->ifindex = 0;
		m->peer.af = m->local.af = DW_AF_INET;
		size_t skip = (m->as4 ? 8 : 4);
		m->msg = (struct dw_bytes){start.p + skip, start.left - skip};
	} else {
		if (m->afi != DW_AFI_IPV4 && m->afi != DW_AFI_IPV6)
			return fail(why, DW_R_BAD_AFI);
		if (get_addr(c, m->afi, &m->peer) ||
		    get_addr(c, m->afi, &m->local))
			return fail(why, DW_R_RECORD_TRUNCATED);
		m->msg = (struct dw_bytes){c->p, c->left};
	}
	if (m->msg.len < 19)
		return fail(why, DW_R_BGP_LENGTH);
	m->bgp_type = m->msg.p[18];
	return 0;
}

static int bgp4mp_entry(struct dw_mrt_record *rec, struct dw_cur *c,
			enum dw_reason *why)
{
	struct dw_mrt_entry *e = &rec->u.entry;
	uint8_t nhl;
	uint16_t alen;
	const uint8_t *attrs;
	int rc;

	memset(e, 0, sizeof(*e));
	if (dw_cur_u16(c, &e->peer_as) || dw_cur_u16(c, &e->local_as) ||
	    dw_cur_u16(c, &e->ifindex) || dw_cur_u16(c, &e->afi))
		return fail(why, DW_R_RECORD_TRUNCATED);
	if (e->afi != DW_AFI_IPV4 && e->afi != DW_AFI_IPV6)
		return fail(why, DW_R_BAD_AFI);
	if (get_addr(c, e->afi, &e->peer) || get_addr(c, e->afi, &e->local) ||
	    dw_cur_u16(c, &e->view) || dw_cur_u16(c, &e->status) ||
	    dw_cur_u32(c, &e->originated) || dw_cur_u16(c, &e->rafi) ||
	    dw_cur_u8(c, &e->rsafi) || dw_cur_u8(c, &nhl))
		return fail(why, DW_R_RECORD_TRUNCATED);
	if (e->rafi != DW_AFI_IPV4 && e->rafi != DW_AFI_IPV6)
		return fail(why, DW_R_BAD_AFI);
	if ((nhl != 4 && nhl != 16) ||
	    get_addr(c, nhl == 4 ? DW_AFI_IPV4 : DW_AFI_IPV6, &e->nexthop))
		return fail(why, DW_R_MP_NEXTHOP_LEN);
	if ((rc = get_prefix(c, e->rafi, &e->prefix, why)))
		return rc;
	if (dw_cur_u16(c, &alen) || dw_cur_bytes(c, alen, &attrs))
		return fail(why, DW_R_ATTR_TOTAL_LENGTH);
	e->attrs = (struct dw_bytes){attrs, alen};
	rec->kind = DW_MRT_K_ENTRY;
	return 0;
}

static int bgp4mp(struct dw_mrt_record *rec, struct dw_cur *c,
		  enum dw_reason *why)
{
	switch (rec->subtype) {
	case DW_BGP4MP_STATE_CHANGE:
	case DW_BGP4MP_STATE_CHANGE_AS4:
		return bgp4mp_state(rec, c, why);
	case DW_BGP4MP_ENTRY:
		return bgp4mp_entry(rec, c, why);
	case DW_BGP4MP_SNAPSHOT:
		return fail(why, DW_R_UNKNOWN_TYPE);
	default:
		if (rec->subtype <= DW_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH)
			return bgp4mp_message(rec, c, why);
		return fail(why, DW_R_UNKNOWN_TYPE);
	}
}

/* Deprecated type 5: 2-byte ASNs, IPv4 only, UPDATE bodies without header. */
static int mrtbgp(struct dw_mrt_record *rec, struct dw_cur *c,
		  enum dw_reason *why)
{
	uint32_t as;
	switch (rec->subtype) {
	case DW_MRTBGP_STATE_CHANGE: {
		struct dw_mrt_state *s = &rec->u.state;
		memset(s, 0, sizeof(*s));
		s->afi = DW_AFI_IPV4;
		s->local.af = DW_AF_INET;
		if (get_asn(c, 0, &s->peer_as) ||
		    get_addr(c, DW_AFI_IPV4, &s->peer) ||
		    dw_cur_u16(c, &s->old_state) || dw_cur_u16(c, &s->new_state))
			return fail(why, DW_R_RECORD_TRUNCATED);
		rec->kind = DW_MRT_K_STATE;
		return 0;
	}
	case DW_MRTBGP_UPDATE:
	case DW_MRTBGP_OPEN:
	case DW_MRTBGP_NOTIFY:
	case DW_MRTBGP_KEEPALIVE: {
		struct dw_mrt_message *m = &rec->u.msg;
		memset(m, 0, sizeof(*m));
		m->afi = DW_AFI_IPV4;
		if (get_asn(c, 0, &m->peer_as) ||
		    get_addr(c, DW_AFI_IPV4, &m->peer) || get_asn(c, 0, &as) ||
		    get_addr(c, DW_AFI_IPV4, &m->local))
			return fail(why, DW_R_RECORD_TRUNCATED);
		m->local_as = as;
		m->header = 0;
		m->bgp_type = rec->subtype == DW_MRTBGP_UPDATE ? DW_BGP_UPDATE
			    : rec->subtype == DW_MRTBGP_OPEN  ? DW_BGP_OPEN
			    : rec->subtype == DW_MRTBGP_NOTIFY ? DW_BGP_NOTIFICATION
							       : DW_BGP_KEEPALIVE;
		m->msg = (struct dw_bytes){c->p, c->left};
		rec->kind = DW_MRT_K_MESSAGE;
		return 0;
	}
	default:
		rec->kind = DW_MRT_K_OTHER; /* NULL, PREF_UPDATE, SYNC */
		return 0;
	}
}

int dw_mrt_body_decode(struct dw_mrt_record *rec, struct dw_arena *arena,
		       struct dw_mrt_peers_store *ps, enum dw_reason *why,
		       enum dw_reason *warn, size_t *used)
{
	struct dw_cur c = dw_cur_make(rec->body.p, rec->body.len);
	int rc;

	*warn = DW_R_NONE;
	*used = rec->body.len;
	rec->kind = DW_MRT_K_OTHER;
	switch (rec->type) {
	case DW_MRT_BGP:
		return mrtbgp(rec, &c, why);
	case DW_MRT_TABLE_DUMP:
		rc = td1(rec, &c, why);
		*used = rec->body.len - dw_cur_left(&c);
		return rc;
	case DW_MRT_TABLE_DUMP_V2:
		return td2(rec, &c, arena, ps, why, warn);
	case DW_MRT_BGP4MP:
	case DW_MRT_BGP4MP_ET:
		return bgp4mp(rec, &c, why);
	default:
		return fail(why, DW_R_UNKNOWN_TYPE);
	}
}

void dw_mrt_peers_free(struct dw_mrt_peers_store *ps)
{
	free(ps->peers);
	free(ps->view);
	memset(ps, 0, sizeof(*ps));
}
