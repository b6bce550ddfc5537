/*
 * emit.c - MRT output of the simulated routing (see sim/emit.h).
 *
 * Everything here goes through the MRT writer and the BGP encoders of
 * mrt_writer.h: UPDATEs in BGP4MP_MESSAGE_AS4 records (4-byte AS paths, as
 * RIS collectors write them), state changes in BGP4MP_STATE_CHANGE_AS4,
 * and RIB dumps as a PEER_INDEX_TABLE followed by one RIB_IPV4_UNICAST
 * record per prefix in address order, each with one entry per peer that
 * announces it.  MED and communities vary by peer so the attributes look
 * like a real feed.  Files are gzip, as RIS publishes them.
 */
#include "sim/emit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "darkwatch/err.h"
#include "darkwatch/mrt_writer.h"
#include "sim/rng.h"
#include "common/try.h"

#define MAX_WITHDRAW 500 /* prefixes per UPDATE: stays under 4096 bytes */
#define MAX_ANNOUNCE 400
#define MAX_PATH     12
#define PATH_MAX_LEN 4096

struct dw_sim_emit {
	const struct dw_sim_world *w;
	const struct dw_sim_scenario *sc;
	const struct dw_sim_route *rt;
	const char *dir;
	struct dw_mrt_writer **wr; /* per collector; NULL when none open */
	char **path;               /* per collector: its current file */
	size_t *first_peer;        /* per collector: its first world peer */
	struct dw_buf msg, body, attrs;
	struct dw_prefix *pfx; /* scratch, MAX_WITHDRAW */
	struct dw_sim_out_stats *st;
	char *err;
	size_t errlen;
};

static const struct dw_sim_route *route(const struct dw_sim_emit *e,
					size_t peer, size_t pfx)
{
	return &e->rt[peer * e->w->npfx + pfx];
}

static int fail_file(struct dw_sim_emit *e, const char *path, int rc)
{
	snprintf(e->err, e->errlen, "%s: %s", path, dw_strerror(rc));
	return rc;
}

/* -------------------------------------------------------------- paths */

static int in_path(const uint32_t *p, size_t n, uint32_t asn)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == asn)
			return 1;
	return 0;
}

/* Path from peer to the origin of AS index `as`; variant >= K: hunting. */
static size_t make_path(const struct dw_sim_emit *e, size_t peer, size_t as,
			unsigned variant, uint32_t *path)
{
	const struct dw_sim_scenario *sc = e->sc;
	const struct dw_sim_as *a = &sc->ases[as];
	uint32_t pas = e->w->peers[peer].p->asn, o = a->asn;
	uint64_t h = dw_sim_hash3(pas, o, variant);
	int hunt = variant >= sc->churn.variants;
	size_t n = 0;

	path[n++] = pas;
	if (o == pas)
		return n;
	/* a tier-1 peer often reaches the origin's upstream directly */
	if (!in_path(sc->transit, sc->ntransit, pas) || (h & 1) || hunt) {
		for (size_t i = 0; i < sc->ntransit; i++) {
			uint32_t t1 =
				sc->transit[((h >> 8) + i) % sc->ntransit];
			if (t1 != o && !in_path(path, n, t1)) {
				path[n++] = t1;
				break;
			}
		}
	}
	if (hunt) { /* one more hop */
		for (size_t i = 0; i < sc->ntransit; i++) {
			uint32_t t2 =
				sc->transit[((h >> 20) + i) % sc->ntransit];
			if (t2 != o && !in_path(path, n, t2)) {
				path[n++] = t2;
				break;
			}
		}
	}
	if (a->nupstreams) {
		uint32_t u = a->upstreams[(h >> 32) % a->nupstreams];
		if (u != o && !in_path(path, n, u))
			path[n++] = u;
	}
	path[n++] = o;
	if ((h >> 40) % 6 == 0 || hunt)
		path[n++] = o; /* origin prepending */
	return n;
}

static void attr_spec(const struct dw_sim_emit *e, size_t peer, size_t as,
		      unsigned variant, uint32_t *path, uint32_t *comm,
		      struct dw_bgp_attr_spec *s)
{
	const struct dw_sim_wpeer *p = &e->w->peers[peer];
	uint32_t pas = p->p->asn, o = e->sc->ases[as].asn;

	memset(s, 0, sizeof(*s));
	s->origin = dw_sim_hash2(o, 7) % 9 == 0 ? DW_ORIGIN_INCOMPLETE
						: DW_ORIGIN_IGP;
	s->as4 = 1;
	s->path = path;
	s->path_len = make_path(e, peer, as, variant, path);
	s->nexthop = p->p->addr;
	if (p->index % 2) {
		s->has_med = 1;
		s->med = variant * 10;
	}
	if (pas <= 0xffff) {
		comm[0] = pas << 16 | (1000 + variant);
		comm[1] = pas << 16 |
			  (2000 + (uint32_t)e->sc->ases[as].country);
		s->communities = comm;
		s->ncommunities = 2;
	}
}

static void to_prefix(const struct dw_sim_wpfx *w, struct dw_prefix *p)
{
	memset(p, 0, sizeof(*p));
	dw_addr_set_v4(&p->addr, w->addr);
	p->len = w->len;
}

/* ------------------------------------------------------------ records */

static struct dw_mrt_bgp4mp_hdr bgp4mp_hdr(const struct dw_sim_emit *e,
					   size_t peer)
{
	const struct dw_sim_wpeer *p = &e->w->peers[peer];
	const struct dw_sim_collector *c = &e->sc->collectors[p->collector];
	struct dw_mrt_bgp4mp_hdr h;

	memset(&h, 0, sizeof(h));
	h.peer_as = p->p->asn;
	h.local_as = c->asn;
	h.peer = p->p->addr;
	h.local = c->addr;
	h.as4 = 1;
	return h;
}

static int write_rec(struct dw_sim_emit *e, int collector, int64_t t,
		     uint16_t type, uint16_t subtype, const struct dw_buf *b)
{
	int rc = dw_mrt_writer_record(e->wr[collector], (uint32_t)t, 0, type,
				      subtype, dw_buf_data(b), dw_buf_len(b));
	if (rc)
		return fail_file(e, e->path[collector], rc);
	e->st->records++;
	return 0;
}

static int send_update(struct dw_sim_emit *e, size_t peer, int64_t t,
		       const struct dw_bgp_update_spec *u)
{
	struct dw_mrt_bgp4mp_hdr h = bgp4mp_hdr(e, peer);
	int rc;

	dw_buf_reset(&e->msg);
	dw_buf_reset(&e->body);
	if ((rc = dw_bgp_build_update(&e->msg, u)) ||
	    (rc = dw_mrt_build_bgp4mp_msg(&e->body, &h, dw_buf_data(&e->msg),
					  dw_buf_len(&e->msg)))) {
		snprintf(e->err, e->errlen, "building an UPDATE: %s",
			 dw_strerror(rc));
		return rc;
	}
	return write_rec(e, e->w->peers[peer].collector, t, DW_MRT_BGP4MP,
			 dw_mrt_bgp4mp_msg_subtype(1, 0, 0), &e->body);
}

int dw_sim_emit_withdraw(struct dw_sim_emit *e, size_t peer, int64_t t,
			 const uint32_t *idx, size_t n)
{
	struct dw_bgp_update_spec u;
	int rc = 0;

	if (!e->wr[e->w->peers[peer].collector])
		return 0;
	for (size_t i = 0; i < n && !rc; i += MAX_WITHDRAW) {
		size_t k = n - i < MAX_WITHDRAW ? n - i : MAX_WITHDRAW;
		for (size_t j = 0; j < k; j++)
			to_prefix(&e->w->pfx[idx[i + j]], &e->pfx[j]);
		memset(&u, 0, sizeof(u));
		u.withdraw = e->pfx;
		u.nwithdraw = k;
		rc = send_update(e, peer, t, &u);
	}
	return rc;
}

struct sort_ctx {
	const struct dw_sim_emit *e;
	size_t peer;
};

/* Origin AS, then variant, then address: equal paths end up adjacent. */
static int cmp_route(const void *a, const void *b, void *vctx)
{
	const struct sort_ctx *c = vctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	const struct dw_sim_wpfx *px = &c->e->w->pfx[x], *py = &c->e->w->pfx[y];
	const struct dw_sim_route *rx = route(c->e, c->peer, x);
	const struct dw_sim_route *ry = route(c->e, c->peer, y);

	if (px->as != py->as)
		return (int)px->as - (int)py->as;
	if (rx->variant != ry->variant)
		return (int)rx->variant - (int)ry->variant;
	return x < y ? -1 : x > y;
}

int dw_sim_emit_announce(struct dw_sim_emit *e, size_t peer, int64_t t,
			 uint32_t *idx, size_t n)
{
	struct sort_ctx ctx = {e, peer};
	struct dw_bgp_update_spec u;
	struct dw_bgp_attr_spec a;
	uint32_t path[MAX_PATH], comm[2];
	size_t i = 0;
	int rc = 0;

	if (!e->wr[e->w->peers[peer].collector] || !n)
		return 0;
	qsort_r(idx, n, sizeof(*idx), cmp_route, &ctx);
	while (i < n && !rc) {
		const struct dw_sim_wpfx *first = &e->w->pfx[idx[i]];
		unsigned v = route(e, peer, idx[i])->variant;
		size_t k = 0;
		while (i + k < n && k < MAX_ANNOUNCE &&
		       e->w->pfx[idx[i + k]].as == first->as &&
		       route(e, peer, idx[i + k])->variant == v) {
			to_prefix(&e->w->pfx[idx[i + k]], &e->pfx[k]);
			k++;
		}
		attr_spec(e, peer, first->as, v, path, comm, &a);
		memset(&u, 0, sizeof(u));
		u.attrs = &a;
		u.announce = e->pfx;
		u.nannounce = k;
		rc = send_update(e, peer, t, &u);
		i += k;
	}
	return rc;
}

int dw_sim_emit_state(struct dw_sim_emit *e, size_t peer, int64_t t,
		      uint16_t from, uint16_t to)
{
	struct dw_mrt_bgp4mp_hdr h = bgp4mp_hdr(e, peer);
	int c = e->w->peers[peer].collector, rc;

	if (!e->wr[c])
		return 0;
	dw_buf_reset(&e->body);
	if ((rc = dw_mrt_build_bgp4mp_state(&e->body, &h, from, to))) {
		snprintf(e->err, e->errlen, "building a state change: %s",
			 dw_strerror(rc));
		return rc;
	}
	return write_rec(e, c, t, DW_MRT_BGP4MP, dw_mrt_bgp4mp_state_subtype(1),
			 &e->body);
}

/* -------------------------------------------------------------- files */

static int mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		int r = mkdir(path, 0755);
		*p = '/';
		if (r < 0 && errno != EEXIST)
			return -errno;
	}
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Open DIR/<collector>/YYYY.MM/<kind>.YYYYMMDD.HHMM.gz (dirs made). */
static int open_file(struct dw_sim_emit *e, int c, const char *kind, int64_t t)
{
	char *buf = e->path[c];
	time_t tt = (time_t)t;
	struct tm tm;
	int len, rc;

	gmtime_r(&tt, &tm);
	len = snprintf(buf, PATH_MAX_LEN, "%s/%s/%04d.%02d", e->dir,
		       e->sc->collectors[c].name, tm.tm_year + 1900,
		       tm.tm_mon + 1);
	if (len < 0 || len >= PATH_MAX_LEN - 40)
		return fail_file(e, e->dir, DW_EINVAL);
	if ((rc = mkdirs(buf)))
		return fail_file(e, buf, rc);
	snprintf(buf + len, (size_t)(PATH_MAX_LEN - len),
		 "/%s.%04d%02d%02d.%02d%02d.gz", kind, tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
	rc = dw_mrt_writer_open(buf, DW_COMP_GZIP, e->sc->gzip_level,
				&e->wr[c]);
	if (rc)
		return fail_file(e, buf, rc);
	return 0;
}

static int close_file(struct dw_sim_emit *e, int c)
{
	struct stat sb;
	int rc;

	if (!e->wr[c])
		return 0;
	rc = dw_mrt_writer_close(e->wr[c]);
	dw_mrt_writer_free(e->wr[c]);
	e->wr[c] = NULL;
	if (rc)
		return fail_file(e, e->path[c], rc);
	e->st->files++;
	if (stat(e->path[c], &sb) == 0)
		e->st->bytes += (uint64_t)sb.st_size;
	return 0;
}

int dw_sim_emit_open(struct dw_sim_emit *e, int64_t t)
{
	int rc = 0;
	for (size_t c = 0; c < e->sc->ncollectors && !rc; c++)
		rc = open_file(e, (int)c, "updates", t);
	return rc;
}

int dw_sim_emit_close(struct dw_sim_emit *e)
{
	int rc = 0;
	for (size_t c = 0; c < e->sc->ncollectors; c++) {
		int r = close_file(e, (int)c);
		if (!rc)
			rc = r;
	}
	return rc;
}

/* The RIB entries of prefix i at collector c: attrs built into e->attrs. */
static int rib_entries(struct dw_sim_emit *e, int c, size_t i,
		       struct dw_mrt_rib_entry_spec *ent, size_t *n)
{
	const struct dw_sim_collector *co = &e->sc->collectors[c];
	uint32_t path[MAX_PATH], comm[2];
	size_t off[1000], first = e->first_peer[c];
	int rc = 0;

	*n = 0;
	dw_buf_reset(&e->attrs);
	for (size_t k = 0; k < co->npeers; k++) {
		const struct dw_sim_route *r = route(e, first + k, i);
		struct dw_bgp_attr_spec a;
		if (!r->present)
			continue;
		attr_spec(e, first + k, e->w->pfx[i].as, r->variant, path, comm,
			  &a);
		off[*n] = dw_buf_len(&e->attrs);
		TRY(dw_bgp_build_attrs(&e->attrs, &a, DW_BGP_ATTRS_RIB));
		ent[*n].peer_index = (uint16_t)k;
		ent[*n].originated = r->since;
		ent[*n].path_id = 0;
		ent[*n].attrs_len = dw_buf_len(&e->attrs) - off[*n];
		(*n)++;
	}
	for (size_t k = 0; k < *n; k++) /* the buffer has stopped moving */
		ent[k].attrs = dw_buf_data(&e->attrs) + off[k];
fail:
	return rc;
}

static int write_rib(struct dw_sim_emit *e, int c, int64_t t)
{
	const struct dw_sim_collector *co = &e->sc->collectors[c];
	struct dw_mrt_rib_entry_spec ent[1000];
	struct dw_mrt_peer *peers = NULL;
	uint32_t seq = 0;
	int rc;

	TRY(open_file(e, c, "bview", t));
	peers = calloc(co->npeers, sizeof(*peers));
	if (!peers) {
		rc = DW_ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < co->npeers; i++) {
		peers[i].addr = co->peers[i].addr;
		peers[i].asn = co->peers[i].asn;
		peers[i].bgp_id = dw_addr_v4(&co->peers[i].addr);
	}
	dw_buf_reset(&e->body);
	TRY(dw_mrt_build_peer_index(&e->body, dw_addr_v4(&co->addr), NULL,
				    peers, co->npeers));
	TRY(write_rec(e, c, t, DW_MRT_TABLE_DUMP_V2, DW_TD2_PEER_INDEX_TABLE,
		      &e->body));
	for (size_t i = 0; i < e->w->npfx; i++) {
		struct dw_prefix p;
		size_t n;
		TRY(rib_entries(e, c, i, ent, &n));
		if (!n)
			continue;
		to_prefix(&e->w->pfx[i], &p);
		dw_buf_reset(&e->body);
		TRY(dw_mrt_build_rib(&e->body, seq++, &p, ent, n, 0));
		TRY(write_rec(e, c, t, DW_MRT_TABLE_DUMP_V2,
			      dw_mrt_rib_subtype(&p, 0), &e->body));
	}
	free(peers);
	return close_file(e, c);
fail:
	free(peers);
	if (e->errlen && !e->err[0])
		fail_file(e, e->path[c], rc);
	return rc;
}

int dw_sim_emit_ribs(struct dw_sim_emit *e, int64_t t)
{
	int rc = 0;
	for (size_t c = 0; c < e->sc->ncollectors && !rc; c++)
		rc = write_rib(e, (int)c, t);
	return rc;
}

/* ---------------------------------------------------------- lifecycle */

int dw_sim_emit_new(const struct dw_sim_world *w, const struct dw_sim_route *rt,
		    const char *archive_dir, struct dw_sim_out_stats *stats,
		    char *err, size_t errlen, struct dw_sim_emit **out)
{
	const struct dw_sim_scenario *sc = w->sc;
	struct dw_sim_emit *e = calloc(1, sizeof(*e));
	size_t k = 0;

	*out = NULL;
	if (!e)
		return DW_ENOMEM;
	e->w = w;
	e->sc = sc;
	e->rt = rt;
	e->dir = archive_dir;
	e->st = stats;
	e->err = err;
	e->errlen = errlen;
	dw_buf_init(&e->msg, 65535);
	dw_buf_init(&e->body, 1u << 24);
	dw_buf_init(&e->attrs, 1u << 24);
	e->wr = calloc(sc->ncollectors, sizeof(*e->wr));
	e->path = calloc(sc->ncollectors, sizeof(*e->path));
	e->first_peer = calloc(sc->ncollectors, sizeof(*e->first_peer));
	e->pfx = calloc(MAX_WITHDRAW, sizeof(*e->pfx));
	if (!e->wr || !e->path || !e->first_peer || !e->pfx)
		goto nomem;
	for (size_t c = 0; c < sc->ncollectors; c++) {
		if (!(e->path[c] = calloc(1, PATH_MAX_LEN)))
			goto nomem;
		e->first_peer[c] = k;
		k += sc->collectors[c].npeers;
	}
	*out = e;
	return 0;
nomem:
	dw_sim_emit_free(e);
	return DW_ENOMEM;
}

void dw_sim_emit_free(struct dw_sim_emit *e)
{
	if (!e)
		return;
	for (size_t c = 0; c < e->sc->ncollectors; c++) {
		if (e->wr)
			dw_mrt_writer_free(e->wr[c]);
		if (e->path)
			free(e->path[c]);
	}
	dw_buf_free(&e->msg);
	dw_buf_free(&e->body);
	dw_buf_free(&e->attrs);
	free(e->pfx);
	free(e->first_peer);
	free(e->path);
	free(e->wr);
	free(e);
}
