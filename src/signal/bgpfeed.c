/*
 * bgpfeed.c - MRT archives into the visibility state (see bgpfeed.h).
 *
 * Each source keeps one open reader; the record with the smallest timestamp
 * over all sources is applied next, after closing the bins it ends.  A
 * record returned by a reader stays valid until that same reader's next call,
 * so holding one current record per source is safe.
 *
 * RIB files are recognised by content (TABLE_DUMP / TABLE_DUMP_V2 records):
 * every peer they list is reloaded in bulk and the coverage rebuilt once at
 * the end of the file.
 */
#include "darkwatch/bgpfeed.h"

#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "darkwatch/bgp.h"
#include "darkwatch/mrt.h"
#include "darkwatch/stream.h"
#include "signal/u64map.h"

#define ESTABLISHED 6

struct src {
	const struct dw_feed_source *def;
	size_t next_file;
	struct dw_mrt_reader *r;
	const char *path;
	const struct dw_mrt_record *rec;   /* current, or NULL when done */
	int in_rib;
	int *peer_map;                     /* TD2 peer index -> vis peer */
	size_t npeer_map;
	struct u64map rib_peers;           /* vis peers reloaded by this RIB */
};

uint32_t dw_aspath_origin(const struct dw_aspath *p)
{
	for (int s = (int)p->nseg - 1; s >= 0; s--) {
		const struct dw_aspath_seg *g = &p->seg[s];
		if (g->type == DW_AS_CONFED_SEQUENCE || g->type == DW_AS_CONFED_SET)
			continue;
		if (!g->count)
			continue;
		if (g->type == DW_AS_SET)
			return g->count == 1 ? g->asn[0] : DW_ASN_AMBIGUOUS;
		return g->asn[g->count - 1];
	}
	return 0;
}

static int begin_peer(struct dw_vis *v, struct src *s, int peer)
{
	int added;
	if (!u64map_put(&s->rib_peers, (uint64_t)peer + 1, &added))
		return DW_ENOMEM;
	return added ? dw_vis_rib_begin(v, peer) : 0;
}

static int rib_entry(struct dw_vis *v, struct src *s, int peer,
		     const struct dw_prefix *pf, const struct dw_bytes *attrs,
		     int as4, int addpath, uint32_t path_id,
		     struct dw_arena *arena, struct dw_feed_stats *st)
{
	struct dw_bgp_opts o = {(uint8_t)as4, 0, 1, DW_AFI_IPV4, DW_SAFI_UNICAST};
	struct dw_bgp_attrs a;
	enum dw_reason why;
	int rc;
	if (peer < 0)
		return peer;
	if ((rc = begin_peer(v, s, peer)) < 0)
		return rc;
	if (dw_bgp_attrs_decode(attrs->p, attrs->len, &o, arena, &a, &why) < 0) {
		st->skipped++;
		return 0;
	}
	st->rib_entries++;
	return dw_vis_announce(v, peer, pf, addpath, path_id,
			       dw_aspath_origin(&a.aspath));
}

static int apply_rib(struct dw_vis *v, struct src *s,
		     const struct dw_mrt_record *rec, struct dw_arena *arena,
		     struct dw_feed_stats *st)
{
	uint32_t col = s->def->collector;
	int rc = 0;
	if (rec->kind == DW_MRT_K_TD1) {
		const struct dw_mrt_td1 *t = &rec->u.td1;
		int peer = dw_vis_peer(v, col, &t->peer, t->peer_as);
		return rib_entry(v, s, peer, &t->prefix, &t->attrs,
				 rec->subtype >= 3, 0, 0, arena, st);
	}
	if (rec->kind == DW_MRT_K_PEER_TABLE) {
		const struct dw_mrt_peer_table *pt = &rec->u.peers;
		free(s->peer_map);
		s->peer_map = calloc(pt->count ? pt->count : 1, sizeof(int));
		if (!s->peer_map)
			return DW_ENOMEM;
		s->npeer_map = pt->count;
		for (unsigned i = 0; i < pt->count; i++)
			s->peer_map[i] = dw_vis_peer(v, col, &pt->peers[i].addr,
						     pt->peers[i].asn);
		return 0;
	}
	if (rec->kind != DW_MRT_K_RIB || rec->u.rib.opaque ||
	    rec->u.rib.afi != DW_AFI_IPV4 || rec->u.rib.safi != DW_SAFI_UNICAST)
		return 0;
	const struct dw_mrt_rib *rib = &rec->u.rib;
	for (unsigned i = 0; i < rib->count; i++) {
		const struct dw_mrt_rib_entry *e = &rib->entries[i];
		if (e->peer && e->peer_index < s->npeer_map)
			dw_vis_prefetch(v, s->peer_map[e->peer_index], &rib->prefix);
	}
	for (unsigned i = 0; i < rib->count && rc >= 0; i++) {
		const struct dw_mrt_rib_entry *e = &rib->entries[i];
		if (!e->peer || e->peer_index >= s->npeer_map)
			continue; /* no peer table: nobody to credit */
		rc = rib_entry(v, s, s->peer_map[e->peer_index], &rib->prefix,
			       &e->attrs, 1, rib->addpath, e->path_id, arena, st);
	}
	return rc;
}

static int each_prefix(struct dw_vis *v, int peer, const struct dw_nlri *n,
		       int announce, uint32_t origin, struct dw_feed_stats *st)
{
	size_t off = 0;
	struct dw_prefix p;
	uint32_t id;
	enum dw_reason why;
	int rc = 0;
	if (n->afi != DW_AFI_IPV4 || n->safi != DW_SAFI_UNICAST)
		return 0;
	while (rc >= 0 && dw_nlri_next(n, &off, &p, &id, &why) > 0) {
		if (announce) {
			st->announcements++;
			rc = dw_vis_announce(v, peer, &p, n->addpath, id, origin);
		} else {
			st->withdrawals++;
			rc = dw_vis_withdraw(v, peer, &p, n->addpath, id);
		}
	}
	return rc;
}

static int apply_update(struct dw_vis *v, struct src *s,
			const struct dw_mrt_record *rec, struct dw_arena *arena,
			struct dw_feed_stats *st)
{
	const struct dw_mrt_message *m = &rec->u.msg;
	struct dw_bgp_opts o = {m->as4, m->addpath, 0, 0, 0};
	struct dw_bgp_msg msg;
	struct dw_bgp_update *u = &msg.u.update;
	struct dw_bgp_attrs a;
	enum dw_reason why;
	int rc;

	if (m->bgp_type != DW_BGP_UPDATE)
		return 0;
	if (m->header) {
		if (dw_bgp_msg_decode(m->msg.p, m->msg.len, &o, &msg, &why) < 0)
			goto bad;
	} else if (dw_bgp_update_decode(m->msg.p, m->msg.len, &o, u, &why) < 0) {
		goto bad;
	}
	if (dw_bgp_attrs_decode(u->attrs.p, u->attrs.len, &o, arena, &a, &why) < 0 ||
	    dw_bgp_update_check(u, &a, &why) < 0)
		goto bad;
	int peer = dw_vis_peer(v, s->def->collector, &m->peer, m->peer_as);
	if (peer < 0)
		return peer;
	uint32_t origin = dw_aspath_origin(&a.aspath);
	if ((rc = each_prefix(v, peer, &u->withdrawn, 0, 0, st)) < 0 ||
	    (rc = each_prefix(v, peer, &u->nlri, 1, origin, st)) < 0)
		return rc;
	if (dw_attrs_has(&a, DW_ATTR_MP_UNREACH_NLRI) && !a.mp_unreach.opaque &&
	    (rc = each_prefix(v, peer, &a.mp_unreach.nlri, 0, 0, st)) < 0)
		return rc;
	if (dw_attrs_has(&a, DW_ATTR_MP_REACH_NLRI) && !a.mp_reach.opaque &&
	    (rc = each_prefix(v, peer, &a.mp_reach.nlri, 1, origin, st)) < 0)
		return rc;
	return 0;
bad:
	st->skipped++;
	return 0;
}

static int apply(struct dw_vis *v, struct src *s, const struct dw_mrt_record *rec,
		 struct dw_arena *arena, struct dw_feed_stats *st)
{
	dw_arena_reset(arena);
	st->records++;
	if (s->in_rib)
		return apply_rib(v, s, rec, arena, st);
	if (rec->kind == DW_MRT_K_MESSAGE)
		return apply_update(v, s, rec, arena, st);
	if (rec->kind == DW_MRT_K_STATE) {
		const struct dw_mrt_state *x = &rec->u.state;
		if (x->old_state == ESTABLISHED && x->new_state != ESTABLISHED) {
			int peer = dw_vis_peer(v, s->def->collector, &x->peer,
					       x->peer_as);
			st->state_downs++;
			return peer < 0 ? peer : dw_vis_peer_down(v, peer);
		}
	}
	return 0;
}

/* Close the current file of a source (ending a RIB reload). */
static int close_file(struct dw_vis *v, struct src *s, const struct dw_feed_conf *c,
		      struct dw_feed_stats *st)
{
	int rc = 0;
	if (!s->r)
		return 0;
	st->bytes_done += dw_stream_file_pos(dw_mrt_reader_stream(s->r));
	st->skipped += dw_mrt_reader_counts(s->r)->skipped;
	dw_mrt_reader_free(s->r);
	s->r = NULL;
	if (s->in_rib) {
		rc = dw_vis_rib_end(v);
		u64map_clear(&s->rib_peers);
		s->in_rib = 0;
	}
	st->files++;
	if (c->on_file)
		c->on_file(c->file_ctx, s->path, 0, st);
	return rc;
}

/* Move a source to its next record (opening files as needed). */
static int advance(struct dw_vis *v, struct src *s, const struct dw_feed_conf *c,
		   struct dw_feed_stats *st)
{
	for (;;) {
		if (!s->r) {
			if (s->next_file >= s->def->nfiles) {
				s->rec = NULL;
				return 0;
			}
			s->path = s->def->files[s->next_file++];
			struct dw_mrt_reader_conf rc = DW_MRT_READER_CONF_DEFAULT;
			int e = dw_mrt_reader_open(s->path, &rc, &s->r);
			if (e < 0) {
				s->r = NULL;
				if (c->on_file)
					c->on_file(c->file_ctx, s->path, e, st);
				continue;
			}
			s->in_rib = -1; /* decided by the first record */
		}
		int rc = dw_mrt_reader_next(s->r, &s->rec);
		if (rc > 0) {
			if (s->rec->timestamp > c->until && c->until) {
				int e = close_file(v, s, c, st);
				if (e < 0)
					return e;
				s->next_file = s->def->nfiles; /* past the window */
				continue;
			}
			if (s->in_rib < 0)
				s->in_rib = s->rec->type == DW_MRT_TABLE_DUMP ||
					    s->rec->type == DW_MRT_TABLE_DUMP_V2;
			return 1;
		}
		if (rc < 0 && rc != DW_ETRUNC && rc != DW_ECOMPRESS &&
		    rc != DW_EMALFORMED && rc != DW_ETOOBIG)
			return rc;
		if (rc < 0)
			continue; /* counted by the reader; go on */
		int e = close_file(v, s, c, st);
		if (e < 0)
			return e;
	}
}

int dw_feed_run(struct dw_vis *v, const struct dw_feed_source *defs, size_t n,
		const struct dw_feed_conf *c, struct dw_feed_stats *st)
{
	struct src *s = calloc(n ? n : 1, sizeof(*s));
	struct dw_arena *arena = dw_arena_new(64u << 20);
	int rc = 0;

	memset(st, 0, sizeof(*st));
	if (!s || !arena) {
		rc = DW_ENOMEM;
		goto out;
	}
	if (c->from)
		dw_vis_set_start(v, c->from);
	for (size_t i = 0; i < n && rc >= 0; i++) {
		s[i].def = &defs[i];
		rc = advance(v, &s[i], c, st);
	}
	while (rc >= 0) {
		struct src *best = NULL;
		for (size_t i = 0; i < n; i++)
			if (s[i].rec && (!best || s[i].rec->timestamp < best->rec->timestamp))
				best = &s[i];
		if (!best)
			break;
		uint32_t ts = best->rec->timestamp;
		if (!best->in_rib && (rc = dw_vis_advance(v, ts, c->emit, c->emit_ctx)) < 0)
			break;
		if ((rc = apply(v, best, best->rec, arena, st)) < 0)
			break;
		rc = advance(v, best, c, st);
	}
	if (rc >= 0 && c->until)
		rc = dw_vis_flush(v, c->until, c->emit, c->emit_ctx);
out:
	for (size_t i = 0; s && i < n; i++) {
		dw_mrt_reader_free(s[i].r);
		free(s[i].peer_map);
		u64map_free(&s[i].rib_peers);
	}
	free(s);
	dw_arena_free(arena);
	return rc < 0 ? rc : 0;
}
