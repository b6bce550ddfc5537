/*
 * timeline.c - resolve scheduled events and compute truth.csv (see
 * sim/timeline.h).
 *
 * Walks event starts and ends in time order over an origin-level
 * "withdrawn by how many events" count per prefix.  At each start it picks
 * the prefixes (all of the target's that are still announced, or a
 * fraction of the target's address space chosen by a stable hash among
 * those still announced, so that three partial drops of one AS take
 * disjoint parts; see choose()), then compares every
 * /24 they touch before and after: visible or not, and which AS it counts
 * for.  Entities whose count moves get a row.
 */
#include "sim/timeline.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darkwatch/err.h"
#include "sim/rng.h"

struct point {
	int64_t t;
	int end; /* ends sort before starts at the same second */
	size_t ev;
};

static int cmp_point(const void *a, const void *b)
{
	const struct point *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->end != y->end)
		return x->end ? -1 : 1;
	return x->ev < y->ev ? -1 : x->ev > y->ev;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Scratch for one run over the events. */
struct run {
	const struct dw_sim_world *w;
	struct dw_sim_timeline *t;
	uint16_t *owd; /* per prefix: events withdrawing it now */
	int64_t *as_d, *region_d, *country_d;
	uint32_t withdrawn; /* prefixes with owd > 0 */
	size_t rows_alloc;
	char *err;
	size_t errlen;
};

static int is_origin_event(enum dw_sim_kind k)
{
	return k == DW_SIM_WITHDRAW || k == DW_SIM_PARTIAL_WITHDRAW ||
	       k == DW_SIM_REGION_WITHDRAW || k == DW_SIM_COUNTRY_WITHDRAW;
}

static int targets(const struct dw_sim_world *w, const struct dw_sim_event *e,
		   const struct dw_sim_wpfx *p)
{
	switch (e->kind) {
	case DW_SIM_WITHDRAW:
	case DW_SIM_PARTIAL_WITHDRAW: return p->as == e->as_idx;
	case DW_SIM_REGION_WITHDRAW: return p->region == e->region;
	case DW_SIM_COUNTRY_WITHDRAW:
		return w->sc->regions[p->region].country == e->country;
	default: return 0;
	}
}

/*
 * The prefix that makes /24 x visible (the most specific announced one
 * covering it or inside it), or -1.
 */
static int best(const struct dw_sim_world *w, const uint16_t *owd, uint32_t x)
{
	uint32_t base = x << 8;
	size_t i = dw_sim_world_lower(w, base, 25);

	for (; i < w->npfx && w->pfx[i].addr <= (base | 255); i++)
		if (w->pfx[i].len > 24 && !owd[i])
			return (int)i;
	for (int len = 24; len >= 8; len--) {
		uint32_t a = base & (uint32_t)(0xffffffffu << (32 - len));
		int j = dw_sim_world_find(w, a, (uint8_t)len);
		if (j >= 0 && !owd[j])
			return j;
	}
	return -1;
}

static int add_row(struct run *r, size_t ev, const char *etype,
		   const char *code, int64_t change, int primary)
{
	struct dw_sim_timeline *t = r->t;
	const struct dw_sim_event *e = &r->w->sc->events[ev];
	struct dw_sim_truth_row *row;

	if (t->nrows == r->rows_alloc) {
		size_t na = r->rows_alloc ? r->rows_alloc * 2 : 32;
		struct dw_sim_truth_row *nr =
			realloc(t->rows, na * sizeof(*nr));
		if (!nr)
			return DW_ENOMEM;
		t->rows = nr;
		r->rows_alloc = na;
	}
	row = &t->rows[t->nrows++];
	memset(row, 0, sizeof(*row));
	snprintf(row->etype, sizeof(row->etype), "%s", etype);
	snprintf(row->code, sizeof(row->code), "%s", code);
	row->kind = e->kind;
	row->start = e->start;
	row->end = e->end;
	row->change = change;
	row->event = ev;
	row->primary = primary;
	return 0;
}

/* "IR-Razavi_Khorasan": the region code darkwatch derives from geo.csv. */
static void region_code(const struct dw_sim_scenario *sc, int r, char *buf,
			size_t n)
{
	const struct dw_sim_region *reg = &sc->regions[r];
	size_t o = (size_t)snprintf(buf, n, "%s-",
				    sc->countries[reg->country].code);
	for (const char *p = reg->name; *p && o + 1 < n; p++)
		buf[o++] = *p == ' ' ? '_' : *p;
	buf[o < n ? o : n - 1] = 0;
}

static uint64_t size24(uint8_t len)
{
	return len <= 24 ? 1ull << (24 - len) : 1;
}

static uint32_t last_addr(const struct dw_sim_wpfx *p)
{
	return p->addr | (p->len ? (uint32_t)(0xffffffffu >> p->len) : ~0u);
}

/* A prefix of the target and every prefix of the target inside it. */
struct family {
	uint64_t h;
	size_t first, n; /* slice of the candidate list */
	uint64_t n24;
};

/* Largest first (a greedy fill then lands close to the target). */
static int cmp_family(const void *a, const void *b)
{
	const struct family *x = a, *y = b;
	if (x->n24 != y->n24)
		return x->n24 > y->n24 ? -1 : 1;
	return x->h < y->h ? -1 : x->h > y->h;
}

static double dist(double a, double b) { return a > b ? a - b : b - a; }

/*
 * Choose the prefixes event `ev` withdraws.  Prefixes of the target that
 * are still announced are grouped into families (a prefix with its more-
 * specifics: withdrawing a more-specific under an announced aggregate
 * changes nothing); families are taken largest first (ties in a stable
 * pseudo-random order) when that brings the withdrawn /24s closer to
 * fraction x the target's address space; at least one is taken.  A
 * fraction of 1 takes them all.
 */
static int choose(struct run *r, size_t ev)
{
	const struct dw_sim_world *w = r->w;
	const struct dw_sim_event *e = &w->sc->events[ev];
	struct dw_sim_tevent *te = &r->t->ev[ev];
	uint32_t *cand = malloc((w->npfx ? w->npfx : 1) * sizeof(*cand));
	struct family *fam = malloc((w->npfx ? w->npfx : 1) * sizeof(*fam));
	size_t nc = 0, nf = 0, n = 0;
	uint64_t total24 = 0, got24 = 0;
	double want24;
	uint32_t top_end = 0;
	int have_top = 0, rc = 0;

	if (!cand || !fam) {
		rc = DW_ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < w->npfx; i++) { /* address order */
		const struct dw_sim_wpfx *p = &w->pfx[i];
		if (!targets(w, e, p))
			continue;
		if (!have_top || p->addr > top_end) {
			total24 += size24(p->len);
			top_end = last_addr(p);
			have_top = 1;
		}
		if (r->owd[i])
			continue;
		if (!nf ||
		    p->addr > last_addr(&w->pfx[cand[fam[nf - 1].first]])) {
			fam[nf].h = dw_sim_hash3(ev + 1, p->addr, p->len);
			fam[nf].first = nc;
			fam[nf].n = 0;
			fam[nf].n24 = size24(p->len);
			nf++;
		}
		fam[nf - 1].n++;
		cand[nc++] = (uint32_t)i;
	}
	if (!nc) {
		rc = DW_EINVAL;
		snprintf(r->err, r->errlen,
			 "%s:%d: %s: nothing to withdraw (no prefix of the "
			 "target in the world, or all already withdrawn)",
			 w->sc->path, e->line, dw_sim_kind_name(e->kind));
		goto fail;
	}
	qsort(fam, nf, sizeof(*fam), cmp_family);
	te->pfx = malloc(nc * sizeof(*te->pfx));
	if (!te->pfx) {
		rc = DW_ENOMEM;
		goto fail;
	}
	want24 = e->fraction * (double)total24;
	for (size_t f = 0; f < nf; f++) {
		int last = f + 1 == nf && !n; /* at least one family */
		if (e->fraction < 1 && !last &&
		    dist((double)(got24 + fam[f].n24), want24) >=
			    dist((double)got24, want24))
			continue;
		got24 += fam[f].n24;
		for (size_t j = 0; j < fam[f].n; j++)
			te->pfx[n++] = cand[fam[f].first + j];
	}
	te->npfx = n;
	qsort(te->pfx, n, sizeof(*te->pfx), cmp_u32);
fail:
	free(fam);
	free(cand);
	return rc;
}

/* Apply a start: withdraw, measure every touched /24, write the rows. */
static int start_event(struct run *r, size_t ev)
{
	const struct dw_sim_world *w = r->w;
	const struct dw_sim_scenario *sc = w->sc;
	const struct dw_sim_event *e = &sc->events[ev];
	struct dw_sim_tevent *te = &r->t->ev[ev];
	uint32_t *x24 = NULL;
	int *before = NULL;
	size_t n24 = 0, k = 0;
	char code[112];
	int rc;

	if ((rc = choose(r, ev)))
		return rc;
	for (size_t i = 0; i < te->npfx; i++) {
		n24 += (size_t)size24(w->pfx[te->pfx[i]].len);
	}
	x24 = malloc(n24 * sizeof(*x24));
	before = malloc(n24 * sizeof(*before));
	if (!x24 || !before) {
		rc = DW_ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < te->npfx; i++) {
		const struct dw_sim_wpfx *p = &w->pfx[te->pfx[i]];
		size_t n = (size_t)size24(p->len);
		for (size_t j = 0; j < n; j++)
			x24[k++] = (p->addr >> 8) + (uint32_t)j;
	}
	qsort(x24, n24, sizeof(*x24), cmp_u32);
	k = 0;
	for (size_t i = 0; i < n24; i++)
		if (!k || x24[k - 1] != x24[i])
			x24[k++] = x24[i];
	n24 = k;
	for (size_t i = 0; i < n24; i++)
		before[i] = best(w, r->owd, x24[i]);
	for (size_t i = 0; i < te->npfx; i++)
		if (!r->owd[te->pfx[i]]++)
			r->withdrawn++;
	if (r->withdrawn > r->t->max_withdrawn)
		r->t->max_withdrawn = r->withdrawn;
	memset(r->as_d, 0, sc->nases * sizeof(*r->as_d));
	memset(r->region_d, 0, sc->nregions * sizeof(*r->region_d));
	memset(r->country_d, 0, sc->ncountries * sizeof(*r->country_d));
	for (size_t i = 0; i < n24; i++) {
		int after = best(w, r->owd, x24[i]);
		uint16_t loc = w->loc24[x24[i]];
		if (before[i] >= 0)
			r->as_d[w->pfx[before[i]].as]--;
		if (after >= 0)
			r->as_d[w->pfx[after].as]++;
		if (loc && (before[i] >= 0) != (after >= 0)) {
			int d = after >= 0 ? 1 : -1;
			r->region_d[loc - 1] += d;
			r->country_d[sc->regions[loc - 1].country] += d;
		}
	}
	switch (e->kind) {
	case DW_SIM_WITHDRAW:
	case DW_SIM_PARTIAL_WITHDRAW:
		snprintf(code, sizeof(code), "%u", e->asn);
		rc = add_row(r, ev, "asn", code, r->as_d[e->as_idx], 1);
		break;
	case DW_SIM_REGION_WITHDRAW:
		region_code(sc, e->region, code, sizeof(code));
		rc = add_row(r, ev, "region", code, r->region_d[e->region], 1);
		break;
	default:
		rc = add_row(r, ev, "country", sc->countries[e->country].code,
			     r->country_d[e->country], 1);
		break;
	}
	for (size_t c = 0; !rc && c < sc->ncountries; c++)
		if (r->country_d[c] && !(e->kind == DW_SIM_COUNTRY_WITHDRAW &&
					 (int)c == e->country))
			rc = add_row(r, ev, "country", sc->countries[c].code,
				     r->country_d[c], 0);
	for (size_t g = 0; !rc && g < sc->nregions; g++) {
		if (!r->region_d[g] ||
		    (e->kind == DW_SIM_REGION_WITHDRAW && (int)g == e->region))
			continue;
		region_code(sc, (int)g, code, sizeof(code));
		rc = add_row(r, ev, "region", code, r->region_d[g], 0);
	}
	for (size_t a = 0; !rc && a < sc->nases; a++) {
		if (!r->as_d[a] || (int)a == e->as_idx)
			continue;
		snprintf(code, sizeof(code), "%u", sc->ases[a].asn);
		rc = add_row(r, ev, "asn", code, r->as_d[a], 0);
	}
fail:
	free(before);
	free(x24);
	return rc;
}

static int note_event(struct run *r, size_t ev)
{
	const struct dw_sim_scenario *sc = r->w->sc;
	const struct dw_sim_event *e = &sc->events[ev];
	char code[112];

	if (e->kind == DW_SIM_PEER_RESET) {
		const struct dw_sim_collector *c =
			&sc->collectors[e->collector];
		char a[DW_ADDR_STRLEN + 1];
		a[dw_addr_fmt(&c->peers[e->peer].addr, a)] = 0;
		snprintf(code, sizeof(code), "%s:%s", c->name, a);
		return add_row(r, ev, "peer", code, 0, 1);
	}
	snprintf(code, sizeof(code), "%u", e->asn);
	return add_row(r, ev, "asn", code, 0, 1);
}

static int check_threshold(struct run *r)
{
	const struct dw_sim_world *w = r->w;
	const struct dw_sim_scenario *sc = w->sc;
	struct dw_sim_timeline *t = r->t;
	uint32_t n = sc->full_feed_min_v4 ? sc->full_feed_min_v4
					  : (uint32_t)(w->npfx / 2);
	uint32_t max_part = 0, min_full = UINT32_MAX;
	/* Routes a full-feed peer may miss to flaps at any moment, with
	 * a wide margin: rate x longest flap, tripled, plus a few. */
	uint32_t margin = (uint32_t)(sc->churn.flaps_per_hour *
				     sc->churn.flap_max / 3600.0 * 3) +
			  5;

	for (size_t i = 0; i < w->npeers; i++) {
		const struct dw_sim_wpeer *p = &w->peers[i];
		if (p->p->feed == DW_SIM_PARTIAL) {
			if (p->ncarry > max_part)
				max_part = p->ncarry;
		} else if (p->ncarry < min_full) {
			min_full = p->ncarry;
		}
	}
	t->full_feed_min_v4 = n;
	if (!w->nfull) {
		snprintf(r->err, r->errlen, "%s: no full-feed peer", sc->path);
		return DW_EINVAL;
	}
	for (size_t c = 0; c < sc->ncollectors; c++) {
		size_t full = 0;
		for (size_t i = 0; i < w->npeers; i++)
			full += w->peers[i].collector == (int)c &&
				w->peers[i].p->feed == DW_SIM_FULL;
		/* One peer missing a route must leave more than half. */
		if (full < 3 && sc->churn.flaps_per_hour > 0) {
			snprintf(r->err, r->errlen,
				 "%s: collector %s has %zu full-feed peers: "
				 "with flaps it needs at least 3 (a flap on "
				 "one of 2 is not 'more than 50%%'), or set "
				 "churn: {flaps_per_hour: 0}",
				 sc->path, sc->collectors[c].name, full);
			return DW_EINVAL;
		}
	}
	if (max_part > n || (uint64_t)t->max_withdrawn + margin >= min_full ||
	    min_full - t->max_withdrawn - margin <= n) {
		snprintf(r->err, r->errlen,
			 "%s: full_feed_min_v4 %u does not separate the peers: "
			 "partial peers carry up to %u prefixes, full-feed "
			 "peers %u of which events withdraw up to %u at once "
			 "(and flaps ~%u); pick N with %u <= N < %u",
			 sc->path, n, max_part, min_full, t->max_withdrawn,
			 margin, max_part,
			 min_full > t->max_withdrawn + margin
				 ? min_full - t->max_withdrawn - margin
				 : 0);
		return DW_EINVAL;
	}
	return 0;
}

int dw_sim_timeline_build(const struct dw_sim_world *w,
			  struct dw_sim_timeline **out, char *err,
			  size_t errlen)
{
	const struct dw_sim_scenario *sc = w->sc;
	struct dw_sim_timeline *t = calloc(1, sizeof(*t));
	struct point *pts = NULL;
	struct run r = {w, t, NULL, NULL, NULL, NULL, 0, 0, err, errlen};
	size_t np = 0;
	int rc = DW_ENOMEM;

	*out = NULL;
	if (!t)
		goto fail;
	t->nev = sc->nevents;
	t->ev = calloc(sc->nevents ? sc->nevents : 1, sizeof(*t->ev));
	pts = malloc((2 * sc->nevents + 1) * sizeof(*pts));
	r.owd = calloc(w->npfx ? w->npfx : 1, sizeof(*r.owd));
	r.as_d = calloc(sc->nases, sizeof(*r.as_d));
	r.region_d = calloc(sc->nregions, sizeof(*r.region_d));
	r.country_d = calloc(sc->ncountries, sizeof(*r.country_d));
	if (!t->ev || !pts || !r.owd || !r.as_d || !r.region_d || !r.country_d)
		goto fail;
	for (size_t i = 0; i < sc->nevents; i++) {
		t->ev[i].ev = &sc->events[i];
		pts[np++] = (struct point){sc->events[i].start, 0, i};
		if (is_origin_event(sc->events[i].kind))
			pts[np++] = (struct point){sc->events[i].end, 1, i};
	}
	qsort(pts, np, sizeof(*pts), cmp_point);
	for (size_t i = 0; i < np; i++) {
		const struct dw_sim_event *e = &sc->events[pts[i].ev];
		struct dw_sim_tevent *te = &t->ev[pts[i].ev];
		rc = 0;
		if (!is_origin_event(e->kind)) {
			rc = note_event(&r, pts[i].ev);
		} else if (!pts[i].end) {
			rc = start_event(&r, pts[i].ev);
		} else {
			for (size_t j = 0; j < te->npfx; j++)
				if (!--r.owd[te->pfx[j]])
					r.withdrawn--;
		}
		if (rc)
			goto fail;
	}
	if ((rc = check_threshold(&r)))
		goto fail;
	*out = t;
	t = NULL;
fail:
	if (rc == DW_ENOMEM)
		snprintf(err, errlen, "out of memory computing the truth");
	free(r.country_d);
	free(r.region_d);
	free(r.as_d);
	free(r.owd);
	free(pts);
	dw_sim_timeline_free(t);
	return rc;
}

void dw_sim_timeline_free(struct dw_sim_timeline *t)
{
	if (!t)
		return;
	for (size_t i = 0; t->ev && i < t->nev; i++)
		free(t->ev[i].pfx);
	free(t->ev);
	free(t->rows);
	free(t);
}

int dw_sim_truth_write(const struct dw_sim_timeline *t, const char *path,
		       int64_t from, int64_t until, size_t *written, char *err,
		       size_t errlen)
{
	FILE *f;
	size_t n = 0;
	int rc = 0;

	*written = 0;
	f = fopen(path, "w");
	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, dw_strerror(rc));
		return rc;
	}
	if (fputs("entity_type,entity_code,kind,start,end,expected_change\n",
		  f) < 0)
		rc = DW_EIO;
	for (size_t i = 0; !rc && i < t->nrows; i++) {
		const struct dw_sim_truth_row *row = &t->rows[i];
		if (row->start >= until || row->end <= from)
			continue;
		if (fprintf(f, "%s,%s,%s,%" PRId64 ",%" PRId64 ",%" PRId64 "\n",
			    row->etype, row->code, dw_sim_kind_name(row->kind),
			    row->start, row->end, row->change) < 0)
			rc = DW_EIO;
		n++;
	}
	if (fclose(f) != 0 && !rc)
		rc = -errno;
	if (rc)
		snprintf(err, errlen, "%s: %s", path, dw_strerror(rc));
	*written = n;
	return rc;
}

int dw_sim_visible_prefix(const struct dw_sim_world *w, const uint16_t *owd,
			  uint32_t x)
{
	return best(w, owd, x);
}

void dw_sim_region_code(const struct dw_sim_scenario *sc, int r, char *buf,
			size_t n)
{
	region_code(sc, r, buf, n);
}
