/*
 * world.c - cut the simulated world out of the real pyasn table (see
 * sim/world.h).
 *
 * Steps: read the table once for every ASN the scenario draws prefixes
 * from; for each scenario AS, in file order, order its candidates by a
 * stable hash and keep them while the caps allow (max_prefixes,
 * max_slash24), skipping prefixes another AS already has; give each a
 * region; sort; decide which peers carry which prefixes; paint the /24
 * location map.  Reserved space (0/8, 10/8, 127/8, 224/3, ...) and prefixes
 * shorter than /8 or longer than /28 are never used.
 */
#include "sim/world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darkwatch/err.h"
#include "sim/rng.h"
#include "sim/sources.h"

#define N24 (1u << 24)

/* --------------------------------------------------- small uint64 set */

struct set {
	uint64_t *k; /* 0 = empty; keys stored + 1 */
	size_t cap, n;
};

static int set_init(struct set *s, size_t want)
{
	s->cap = 64;
	while (s->cap < want * 2)
		s->cap *= 2;
	s->n = 0;
	s->k = calloc(s->cap, sizeof(*s->k));
	return s->k ? 0 : DW_ENOMEM;
}

/* 1 if key was added, 0 if present. The set never fills (cap >= 2n). */
static int set_add(struct set *s, uint64_t key)
{
	size_t i = dw_sim_mix(key) & (s->cap - 1);
	while (s->k[i]) {
		if (s->k[i] == key + 1)
			return 0;
		i = (i + 1) & (s->cap - 1);
	}
	s->k[i] = key + 1;
	s->n++;
	return 1;
}

static int set_has(const struct set *s, uint64_t key)
{
	size_t i = dw_sim_mix(key) & (s->cap - 1);
	while (s->k[i]) {
		if (s->k[i] == key + 1)
			return 1;
		i = (i + 1) & (s->cap - 1);
	}
	return 0;
}

/* ------------------------------------------------------------ helpers */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static size_t uniq_u32(uint32_t *v, size_t n)
{
	size_t o = 0;
	qsort(v, n, sizeof(*v), cmp_u32);
	for (size_t i = 0; i < n; i++)
		if (!o || v[o - 1] != v[i])
			v[o++] = v[i];
	return o;
}

static int cmp_pfx(const void *a, const void *b)
{
	const struct dw_sim_wpfx *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return (int)x->len - (int)y->len;
}

static int reserved(uint32_t a)
{
	uint8_t o = (uint8_t)(a >> 24);
	return o == 0 || o == 10 || o == 127 || o >= 224 ||
	       (a & 0xffff0000u) == 0xc0a80000u || /* 192.168/16 */
	       (a & 0xfff00000u) == 0xac100000u || /* 172.16/12 */
	       (a & 0xffc00000u) == 0x64400000u || /* 100.64/10 */
	       (a & 0xffff0000u) == 0xa9fe0000u;   /* 169.254/16 */
}

static uint64_t slash24s(uint8_t len)
{
	return len <= 24 ? 1ull << (24 - len) : 1;
}

static uint64_t pkey(uint32_t addr, uint8_t len)
{
	return (uint64_t)addr << 8 | len;
}

/* Region of a prefix: fixed by its source, else drawn by weight. */
static int pick_region(const struct dw_sim_scenario *sc,
		       const struct dw_sim_as *a, int src_region, uint64_t h)
{
	const struct dw_sim_country *c = &sc->countries[a->country];
	double total = 0, x;

	if (src_region >= 0)
		return src_region;
	for (size_t i = 0; i < c->nregions; i++)
		total += a->region_w ? a->region_w[i]
				     : sc->regions[c->first_region + i].weight;
	x = dw_sim_unit(h) * total;
	for (size_t i = 0; i < c->nregions; i++) {
		double w = a->region_w
				   ? a->region_w[i]
				   : sc->regions[c->first_region + i].weight;
		if (x < w)
			return (int)(c->first_region + i);
		x -= w;
	}
	for (size_t i = c->nregions; i-- > 0;) /* rounding: last weighted */
		if (!a->region_w || a->region_w[i] > 0)
			return (int)(c->first_region + i);
	return (int)c->first_region;
}

/* ---------------------------------------------------------- selection */

struct cand {
	uint64_t h;
	uint32_t addr;
	uint8_t len;
	int region;
};

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	return x->h < y->h ? -1 : x->h > y->h;
}

/* Choose the prefixes of AS number `ai` and append them to w->pfx. */
static int select_as(struct dw_sim_world *w, size_t ai,
		     const struct dw_sim_pfx2as_row *rows, size_t nrows,
		     struct set *taken, struct set *long24, char *err,
		     size_t errlen)
{
	const struct dw_sim_scenario *sc = w->sc;
	const struct dw_sim_as *a = &sc->ases[ai];
	struct cand *c = NULL;
	size_t nc = 0, kept = 0;
	uint64_t n24 = 0;
	int rc = 0;

	c = malloc((nrows ? nrows : 1) * sizeof(*c));
	if (!c)
		return DW_ENOMEM;
	for (size_t i = 0; i < nrows; i++) {
		const struct dw_sim_pfx2as_row *r = &rows[i];
		int region = -2;
		for (size_t s = 0; s < a->nsources; s++)
			if (a->sources[s].asn == r->asn)
				region = a->sources[s].region;
		if (region == -2 || r->len < 8 || r->len > 28 ||
		    reserved(r->addr))
			continue;
		c[nc].h = dw_sim_hash3(a->asn, r->addr, r->len);
		c[nc].addr = r->addr;
		c[nc].len = r->len;
		c[nc].region = region;
		nc++;
	}
	qsort(c, nc, sizeof(*c), cmp_cand);
	for (size_t i = 0; i < nc; i++) {
		uint64_t k = pkey(c[i].addr, c[i].len);
		if (a->max_prefixes && kept >= a->max_prefixes)
			break;
		if (a->max_slash24 && n24 + slash24s(c[i].len) > a->max_slash24)
			continue;
		if (set_has(taken, k))
			continue;
		if (c[i].len > 24 && set_has(long24, c[i].addr >> 8))
			continue;
		set_add(taken, k);
		if (c[i].len > 24)
			set_add(long24, c[i].addr >> 8);
		struct dw_sim_wpfx *p = &w->pfx[w->npfx++];
		p->addr = c[i].addr;
		p->len = c[i].len;
		p->as = (uint16_t)ai;
		p->region = (uint16_t)pick_region(sc, a, c[i].region, c[i].h);
		kept++;
		n24 += slash24s(c[i].len);
	}
	if (!kept) {
		rc = DW_EINVAL;
		snprintf(err, errlen,
			 "%s:%d: AS%u: no usable prefix in %s (check the ASN "
			 "or set prefixes_of)",
			 sc->path, a->line, a->asn, sc->pfx2as);
	}
	free(c);
	return rc;
}

static int build_prefixes(struct dw_sim_world *w, char *err, size_t errlen)
{
	const struct dw_sim_scenario *sc = w->sc;
	struct dw_sim_pfx2as_row *rows = NULL;
	size_t nsrc = 0, nrows = 0;
	uint32_t *src = NULL;
	struct set taken = {0}, long24 = {0};
	int rc;

	for (size_t i = 0; i < sc->nases; i++)
		nsrc += sc->ases[i].nsources;
	src = malloc(nsrc * sizeof(*src));
	if (!src)
		return DW_ENOMEM;
	nsrc = 0;
	for (size_t i = 0; i < sc->nases; i++)
		for (size_t s = 0; s < sc->ases[i].nsources; s++)
			src[nsrc++] = sc->ases[i].sources[s].asn;
	nsrc = uniq_u32(src, nsrc);
	rc = dw_sim_pfx2as_read(sc->pfx2as, src, nsrc, &rows, &nrows, err,
				errlen);
	if (rc)
		goto fail;
	w->pfx = calloc(nrows ? nrows : 1, sizeof(*w->pfx));
	if (!w->pfx || set_init(&taken, nrows) || set_init(&long24, nrows)) {
		rc = DW_ENOMEM;
		goto fail;
	}
	if (sc->nases > UINT16_MAX || sc->nregions > UINT16_MAX - 1) {
		rc = DW_EINVAL;
		snprintf(err, errlen, "%s: too many ASes or regions", sc->path);
		goto fail;
	}
	for (size_t i = 0; i < sc->nases; i++)
		if ((rc = select_as(w, i, rows, nrows, &taken, &long24, err,
				    errlen)))
			goto fail;
	qsort(w->pfx, w->npfx, sizeof(*w->pfx), cmp_pfx);
fail:
	free(taken.k);
	free(long24.k);
	free(rows);
	free(src);
	return rc;
}

/* ---------------------------------------------------- peers, geo, names */

static int build_peers(struct dw_sim_world *w)
{
	const struct dw_sim_scenario *sc = w->sc;
	size_t n = 0, k = 0;

	for (size_t c = 0; c < sc->ncollectors; c++)
		n += sc->collectors[c].npeers;
	w->peers = calloc(n, sizeof(*w->peers));
	w->carry = calloc(n * (w->npfx ? w->npfx : 1), 1);
	if (!w->peers || !w->carry)
		return DW_ENOMEM;
	w->npeers = n;
	for (size_t c = 0; c < sc->ncollectors; c++) {
		const struct dw_sim_collector *co = &sc->collectors[c];
		for (size_t i = 0; i < co->npeers; i++, k++) {
			struct dw_sim_wpeer *p = &w->peers[k];
			uint32_t pa = dw_addr_v4(&co->peers[i].addr);
			p->collector = (int)c;
			p->p = &co->peers[i];
			p->index = (uint16_t)i;
			if (p->p->feed == DW_SIM_FULL)
				w->nfull++;
			for (size_t j = 0; j < w->npfx; j++) {
				const struct dw_sim_wpfx *x = &w->pfx[j];
				int on = p->p->feed == DW_SIM_FULL ||
					 dw_sim_unit(dw_sim_hash3(pa, x->addr,
								  x->len)) <
						 p->p->share;
				w->carry[k * w->npfx + j] = (uint8_t)on;
				p->ncarry += (uint32_t)on;
			}
		}
	}
	return 0;
}

static int cmp_len(const void *a, const void *b, void *ctx)
{
	const struct dw_sim_wpfx *p = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	if (p[x].len != p[y].len)
		return (int)p[x].len - (int)p[y].len;
	return x < y ? -1 : x > y;
}

/* Paint /24 locations, shortest prefixes first: the most specific wins. */
static int build_geo(struct dw_sim_world *w)
{
	uint32_t *order = malloc((w->npfx ? w->npfx : 1) * sizeof(*order));

	w->loc24 = calloc(N24, sizeof(*w->loc24));
	if (!order || !w->loc24) {
		free(order);
		return DW_ENOMEM;
	}
	for (size_t i = 0; i < w->npfx; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, w->npfx, sizeof(*order), cmp_len, w->pfx);
	for (size_t i = 0; i < w->npfx; i++) {
		const struct dw_sim_wpfx *p = &w->pfx[order[i]];
		uint32_t first = p->addr >> 8;
		uint64_t n = slash24s(p->len);
		for (uint64_t j = 0; j < n; j++)
			w->loc24[first + j] = (uint16_t)(p->region + 1);
	}
	for (size_t i = 0; i < N24; i++)
		w->n24 += w->loc24[i] != 0;
	free(order);
	return 0;
}

static int build_names(struct dw_sim_world *w, char *err, size_t errlen)
{
	const struct dw_sim_scenario *sc = w->sc;
	size_t n = sc->ntransit;
	uint32_t *v;
	int rc = 0;

	for (size_t i = 0; i < sc->nases; i++)
		n += 1 + sc->ases[i].nupstreams;
	for (size_t c = 0; c < sc->ncollectors; c++)
		n += sc->collectors[c].npeers;
	v = malloc(n * sizeof(*v));
	if (!v)
		return DW_ENOMEM;
	n = 0;
	for (size_t i = 0; i < sc->ntransit; i++)
		v[n++] = sc->transit[i];
	for (size_t i = 0; i < sc->nases; i++) {
		v[n++] = sc->ases[i].asn;
		for (size_t u = 0; u < sc->ases[i].nupstreams; u++)
			v[n++] = sc->ases[i].upstreams[u];
	}
	for (size_t c = 0; c < sc->ncollectors; c++)
		for (size_t i = 0; i < sc->collectors[c].npeers; i++)
			v[n++] = sc->collectors[c].peers[i].asn;
	n = uniq_u32(v, n);
	w->name_asn = v;
	w->nnames = n;
	w->name = calloc(n, sizeof(*w->name));
	if (!w->name)
		return DW_ENOMEM;
	if (sc->asnames &&
	    (rc = dw_sim_asnames_read(sc->asnames, v, n, w->name, err, errlen)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		int ai = dw_sim_scenario_as(sc, v[i]);
		char buf[32];
		if (ai >= 0 && sc->ases[ai].name) {
			free(w->name[i]);
			w->name[i] = strdup(sc->ases[ai].name);
		} else if (!w->name[i]) {
			snprintf(buf, sizeof(buf), "AS%u", v[i]);
			w->name[i] = strdup(buf);
		}
		if (!w->name[i])
			return DW_ENOMEM;
	}
	return 0;
}

int dw_sim_world_build(const struct dw_sim_scenario *sc,
		       struct dw_sim_world **out, char *err, size_t errlen)
{
	struct dw_sim_world *w = calloc(1, sizeof(*w));
	int rc;

	*out = NULL;
	if (!w)
		return DW_ENOMEM;
	w->sc = sc;
	if ((rc = build_prefixes(w, err, errlen)) ||
	    (rc = build_names(w, err, errlen)) || (rc = build_peers(w)) ||
	    (rc = build_geo(w))) {
		if (rc == DW_ENOMEM)
			snprintf(err, errlen,
				 "out of memory building the world");
		dw_sim_world_free(w);
		return rc;
	}
	*out = w;
	return 0;
}

void dw_sim_world_free(struct dw_sim_world *w)
{
	if (!w)
		return;
	for (size_t i = 0; w->name && i < w->nnames; i++)
		free(w->name[i]);
	free(w->name);
	free(w->name_asn);
	free(w->loc24);
	free(w->carry);
	free(w->peers);
	free(w->pfx);
	free(w);
}

size_t dw_sim_world_lower(const struct dw_sim_world *w, uint32_t addr,
			  uint8_t len)
{
	size_t lo = 0, hi = w->npfx;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct dw_sim_wpfx *p = &w->pfx[mid];
		if (p->addr < addr || (p->addr == addr && p->len < len))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int dw_sim_world_find(const struct dw_sim_world *w, uint32_t addr, uint8_t len)
{
	size_t i = dw_sim_world_lower(w, addr, len);
	if (i < w->npfx && w->pfx[i].addr == addr && w->pfx[i].len == len)
		return (int)i;
	return -1;
}

const char *dw_sim_world_as_name(const struct dw_sim_world *w, uint32_t asn)
{
	size_t lo = 0, hi = w->nnames;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->name_asn[mid] == asn)
			return w->name[mid];
		if (w->name_asn[mid] < asn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return "";
}
