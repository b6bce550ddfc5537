/*
 * table.c - range tables, interned locations and region codes for geo.
 *
 * Every geo loader (csvdb.c, mmdb.c) turns its input into rows: an inclusive
 * range of 128-bit keys, a location index and a sequence number.  This file
 * turns rows into the compact tables that lookups search, and owns the
 * rules that make results comparable across sources.
 *
 * Key decisions:
 *  - Overlaps: real databases have none, but a hand-made or concatenated CSV
 *    can.  Where rows overlap, the row with the lower sequence number (the
 *    earlier line of the file) wins for the addresses they share; the rest
 *    of the later row still counts.  This is a sweep over range boundaries
 *    with a min-heap of the active rows, run only when the sorted rows do
 *    overlap, so the common case costs one sort and one pass.
 *  - Neighbouring ranges with the same location are merged: city databases
 *    split a state into thousands of ranges (one per city) that all map to
 *    the same (country, region), so the IPv4 table shrinks several-fold and
 *    lookups touch less memory.
 *  - IPv4 tables partition the address space (gaps are entries too) into
 *    (start, location) pairs with an index on the top 16 bits, so a lookup
 *    is one index read and a short binary search within a /16, touching
 *    two or three cache lines (geo_v4_find in geo_int.h).
 *  - Locations are interned per source (equal results share one index), so
 *    callers may compare result pointers and a table entry is 8 bytes.
 *  - Region codes are built from the English subdivision name by one
 *    function (dw_geo_region_code) for every source: see docs/GEO.md.
 */
#include "geo/geo_int.h"

#include <stdlib.h>
#include <string.h>

#include "darkwatch/err.h"

/* --- 128-bit keys */

static int k_cmp(struct geo_k128 a, struct geo_k128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

static int k_is_max(struct geo_k128 a)
{
	return a.hi == UINT64_MAX && a.lo == UINT64_MAX;
}

static struct geo_k128 k_inc(struct geo_k128 a)
{
	a.lo++;
	if (a.lo == 0)
		a.hi++;
	return a;
}

static struct geo_k128 k_dec(struct geo_k128 a)
{
	if (a.lo == 0)
		a.hi--;
	a.lo--;
	return a;
}

/* --- row vectors */

int geo_rowvec_push(struct geo_rowvec *rv, const struct geo_row *r)
{
	if (rv->n == rv->cap) {
		size_t ncap = rv->cap ? rv->cap * 2 : 1024;
		size_t bytes;
		struct geo_row *nv;
		if (__builtin_mul_overflow(ncap, sizeof(*nv), &bytes))
			return DW_ENOMEM;
		nv = realloc(rv->v, bytes);
		if (!nv)
			return DW_ENOMEM;
		rv->v = nv;
		rv->cap = ncap;
	}
	rv->v[rv->n++] = *r;
	return 0;
}

void geo_rowvec_free(struct geo_rowvec *rv)
{
	free(rv->v);
	rv->v = NULL;
	rv->n = rv->cap = 0;
}

static int row_cmp(const void *pa, const void *pb)
{
	const struct geo_row *a = pa, *b = pb;
	int c = k_cmp(a->s, b->s);
	if (c)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* --- overlap resolution */

struct event {
	struct geo_k128 pos; /* first key at which the row is (add) / is no
				longer (remove) active */
	uint32_t row;
	uint8_t add;
};

static int event_cmp(const void *pa, const void *pb)
{
	const struct event *a = pa, *b = pb;
	return k_cmp(a->pos, b->pos);
}

/* Min-heap of row indices ordered by (seq, index). */
struct heap {
	uint32_t *v;
	size_t n;
	const struct geo_row *rows;
};

static int heap_less(const struct heap *h, uint32_t a, uint32_t b)
{
	if (h->rows[a].seq != h->rows[b].seq)
		return h->rows[a].seq < h->rows[b].seq;
	return a < b;
}

static void heap_push(struct heap *h, uint32_t x)
{
	size_t i = h->n++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!heap_less(h, x, h->v[p]))
			break;
		h->v[i] = h->v[p];
		i = p;
	}
	h->v[i] = x;
}

static void heap_pop(struct heap *h)
{
	uint32_t x = h->v[--h->n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && heap_less(h, h->v[c + 1], h->v[c]))
			c++;
		if (!heap_less(h, h->v[c], x))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = x;
}

/* Append [s, e] → loc to out, merging with the last segment when they touch
 * and share the location. */
static int emit(struct geo_rowvec *out, struct geo_k128 s, struct geo_k128 e,
		uint32_t loc, uint32_t seq)
{
	struct geo_row r;
	if (out->n) {
		struct geo_row *last = &out->v[out->n - 1];
		if (last->loc == loc && !k_is_max(last->e) &&
		    k_cmp(k_inc(last->e), s) == 0) {
			last->e = e;
			return 0;
		}
	}
	r.s = s;
	r.e = e;
	r.loc = loc;
	r.seq = seq;
	return geo_rowvec_push(out, &r);
}

/*
 * Paint rv (sorted, overlapping) into disjoint segments in out: each key
 * goes to the active row with the lowest sequence number.
 */
static int sweep(const struct geo_rowvec *rv, struct geo_rowvec *out)
{
	struct event *ev = NULL;
	uint8_t *dead = NULL;
	struct heap h = {NULL, 0, rv->v};
	size_t nev = 0, i;
	int rc = DW_ENOMEM;

	if (rv->n > UINT32_MAX)
		return DW_ETOOBIG;
	ev = calloc(rv->n, 2 * sizeof(*ev));
	dead = calloc(rv->n, 1);
	h.v = calloc(rv->n, sizeof(*h.v));
	if (!ev || !dead || !h.v)
		goto out;
	for (i = 0; i < rv->n; i++) {
		ev[nev].pos = rv->v[i].s;
		ev[nev].row = (uint32_t)i;
		ev[nev++].add = 1;
		if (!k_is_max(
			    rv->v[i].e)) { /* else active up to the last key */
			ev[nev].pos = k_inc(rv->v[i].e);
			ev[nev].row = (uint32_t)i;
			ev[nev++].add = 0;
		}
	}
	qsort(ev, nev, sizeof(*ev), event_cmp);
	for (i = 0; i < nev;) {
		struct geo_k128 pos = ev[i].pos, end;
		for (; i < nev && k_cmp(ev[i].pos, pos) == 0; i++) {
			if (ev[i].add)
				heap_push(&h, ev[i].row);
			else
				dead[ev[i].row] = 1;
		}
		while (h.n && dead[h.v[0]])
			heap_pop(&h);
		if (!h.n)
			continue;
		if (i < nev)
			end = k_dec(ev[i].pos);
		else
			end = (struct geo_k128){UINT64_MAX, UINT64_MAX};
		rc = emit(out, pos, end, rv->v[h.v[0]].loc, rv->v[h.v[0]].seq);
		if (rc)
			goto out;
	}
	rc = 0;
out:
	free(h.v);
	free(dead);
	free(ev);
	return rc;
}

/*
 * Sort rv, count overlaps, and leave disjoint merged segments in rv.
 */
static int resolve(struct geo_rowvec *rv, uint64_t *overlaps)
{
	struct geo_rowvec out = {0};
	struct geo_k128 maxend;
	uint64_t ov = 0;
	size_t i, n;
	int rc, sorted = 1;

	for (i = 1; i < rv->n && sorted; i++)
		sorted = row_cmp(&rv->v[i - 1], &rv->v[i]) < 0;
	if (!sorted)
		qsort(rv->v, rv->n, sizeof(*rv->v), row_cmp);
	for (i = 0; i < rv->n; i++) {
		if (i && k_cmp(rv->v[i].s, maxend) <= 0)
			ov++;
		if (!i || k_cmp(rv->v[i].e, maxend) > 0)
			maxend = rv->v[i].e;
	}
	*overlaps = ov;
	if (ov) {
		rc = sweep(rv, &out);
		if (rc) {
			geo_rowvec_free(&out);
			return rc;
		}
		geo_rowvec_free(rv);
		*rv = out;
		return 0;
	}
	/* Disjoint already: merge neighbours in place. */
	n = 0;
	for (i = 0; i < rv->n; i++) {
		struct geo_row *r = &rv->v[i];
		if (n) {
			struct geo_row *last = &rv->v[n - 1];
			if (last->loc == r->loc && !k_is_max(last->e) &&
			    k_cmp(k_inc(last->e), r->s) == 0) {
				last->e = r->e;
				continue;
			}
		}
		rv->v[n++] = *r;
	}
	rv->n = n;
	return 0;
}

/* Append an entry to the partition being built. */
static void part_add(struct geo_v4 *t, uint32_t start, uint32_t loc)
{
	t->e[t->n].start = start;
	t->e[t->n++].loc = loc;
}

int geo_table_build_v4(struct geo_rowvec *rv, struct geo_v4 *t,
		       uint64_t *overlaps)
{
	uint64_t next = 0; /* first address not yet covered */
	size_t i, b;
	int rc;

	memset(t, 0, sizeof(*t));
	rc = resolve(rv, overlaps);
	if (rc)
		goto fail;
	if (rv->n == 0)
		goto done;
	rc = DW_ENOMEM;
	/* at most one gap before each range, plus one after the last */
	t->e = malloc((2 * rv->n + 1) * sizeof(*t->e));
	t->idx = malloc(65537 * sizeof(*t->idx));
	if (!t->e || !t->idx)
		goto fail;
	for (i = 0; i < rv->n; i++) {
		uint32_t s = (uint32_t)rv->v[i].s.lo;
		if (s > next)
			part_add(t, (uint32_t)next, GEO_NOLOC);
		part_add(t, s, rv->v[i].loc);
		next = rv->v[i].e.lo + 1;
	}
	if (next <= UINT32_MAX)
		part_add(t, (uint32_t)next, GEO_NOLOC);
	t->ranges = rv->n;
	for (b = 0, i = 0; b <= 65536; b++) {
		uint64_t lim = (uint64_t)b << 16;
		while (i < t->n && t->e[i].start < lim)
			i++;
		t->idx[b] = (uint32_t)i;
	}
done:
	geo_rowvec_free(rv);
	return 0;
fail:
	geo_v4_free(t);
	geo_rowvec_free(rv);
	return rc;
}

int geo_table_build_v6(struct geo_rowvec *rv, struct geo_v6 *t,
		       uint64_t *overlaps)
{
	size_t i;
	int rc;

	memset(t, 0, sizeof(*t));
	rc = resolve(rv, overlaps);
	if (rc)
		goto fail;
	if (rv->n == 0)
		goto done;
	rc = DW_ENOMEM;
	t->start = malloc(rv->n * sizeof(*t->start));
	t->end = malloc(rv->n * sizeof(*t->end));
	t->loc = malloc(rv->n * sizeof(*t->loc));
	if (!t->start || !t->end || !t->loc)
		goto fail;
	for (i = 0; i < rv->n; i++) {
		t->start[i] = rv->v[i].s;
		t->end[i] = rv->v[i].e;
		t->loc[i] = rv->v[i].loc;
	}
	t->n = rv->n;
done:
	geo_rowvec_free(rv);
	return 0;
fail:
	geo_v6_free(t);
	geo_rowvec_free(rv);
	return rc;
}

void geo_v4_free(struct geo_v4 *t)
{
	free(t->e);
	free(t->idx);
	memset(t, 0, sizeof(*t));
}

void geo_v6_free(struct geo_v6 *t)
{
	free(t->start);
	free(t->end);
	free(t->loc);
	memset(t, 0, sizeof(*t));
}

int64_t geo_v6_find(const struct geo_v6 *t, struct geo_k128 a)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (k_cmp(t->start[mid], a) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || k_cmp(t->end[lo - 1], a) < 0)
		return -1;
	return t->loc[lo - 1];
}

/* --- interned locations */

static uint64_t loc_hash(const struct dw_geo_result *r)
{
	const unsigned char *p = (const unsigned char *)r;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < sizeof(*r); i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static int locs_rehash(struct geo_locs *l, size_t nslot)
{
	uint32_t *ns = calloc(nslot, sizeof(*ns));
	if (!ns)
		return DW_ENOMEM;
	for (size_t i = 0; i < l->n; i++) {
		size_t j = (size_t)loc_hash(&l->v[i]) & (nslot - 1);
		while (ns[j])
			j = (j + 1) & (nslot - 1);
		ns[j] = (uint32_t)(i + 1);
	}
	free(l->slot);
	l->slot = ns;
	l->nslot = nslot;
	return 0;
}

int geo_locs_intern(struct geo_locs *l, const struct dw_geo_result *r,
		    uint32_t *idx)
{
	size_t j;
	int rc;

	if (!l->slot || (l->n + 1) * 2 > l->nslot) {
		rc = locs_rehash(l, l->nslot ? l->nslot * 2 : 256);
		if (rc)
			return rc;
	}
	j = (size_t)loc_hash(r) & (l->nslot - 1);
	while (l->slot[j]) {
		uint32_t k = l->slot[j] - 1;
		if (memcmp(&l->v[k], r, sizeof(*r)) == 0) {
			*idx = k;
			return 0;
		}
		j = (j + 1) & (l->nslot - 1);
	}
	if (l->n >= UINT32_MAX - 1)
		return DW_ETOOBIG;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 64;
		struct dw_geo_result *nv = realloc(l->v, ncap * sizeof(*nv));
		if (!nv)
			return DW_ENOMEM;
		l->v = nv;
		l->cap = ncap;
	}
	l->v[l->n] = *r;
	l->slot[j] = (uint32_t)(l->n + 1);
	*idx = (uint32_t)l->n++;
	return 0;
}

void geo_locs_seal(struct geo_locs *l)
{
	free(l->slot);
	l->slot = NULL;
	l->nslot = 0;
}

void geo_locs_free(struct geo_locs *l)
{
	geo_locs_seal(l);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* --- region codes and names */

/*
 * Decode one UTF-8 character at s[0..n): returns its length and sets *cp,
 * or 0 for an invalid sequence (overlong, surrogate, > U+10FFFF, cut).
 */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		len = 2;
		c &= 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		c &= 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

enum cclass { C_DROP, C_KEEP, C_SPACE, C_DASH };

static enum cclass classify(uint32_t c)
{
	if (c < 0x80) {
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-')
			return C_KEEP;
		if (c == ' ' || c == '_' || c == '\t' || c == ',' || c == '/')
			return C_SPACE;
		return C_DROP;
	}
	if (c == 0xa0 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 ||
	    c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000)
		return C_SPACE;
	if (c >= 0x2010 && c <= 0x2015)
		return C_DASH;
	if (c < 0xc0 || c == 0xd7 || c == 0xf7 ||
	    (c >= 0x200b && c <= 0x206f) || c == 0xfeff)
		return C_DROP;
	return C_KEEP;
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char to_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

int dw_geo_region_code(const char *cc, const char *name, size_t name_len,
		       char *out, size_t outsz)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t cap, n, i, base;
	int pend = 0;

	if (!out || outsz < 4)
		return DW_EINVAL;
	out[0] = 0;
	if (!cc || !is_alpha(cc[0]) || !is_alpha(cc[1]) || cc[2] || !name)
		return 0;
	cap = (outsz < DW_GEO_REGION_MAX ? outsz : DW_GEO_REGION_MAX) - 1;
	out[0] = to_upper(cc[0]);
	out[1] = to_upper(cc[1]);
	out[2] = '-';
	n = base = 3;
	for (i = 0; i < name_len;) {
		uint32_t cp;
		size_t len = utf8_next(s + i, name_len - i, &cp);
		enum cclass k;
		if (!len) {
			i++;
			continue;
		}
		k = classify(cp);
		if (k == C_SPACE && n > base)
			pend = 1;
		if (k == C_KEEP || k == C_DASH) {
			size_t need = (size_t)pend + (k == C_DASH ? 1 : len);
			if (n + need > cap)
				break;
			if (pend)
				out[n++] = '_';
			pend = 0;
			if (k == C_DASH) {
				out[n++] = '-';
			} else {
				memcpy(out + n, s + i, len);
				n += len;
			}
		}
		i += len;
	}
	if (n == base) {
		out[0] = 0;
		return 0;
	}
	out[n] = 0;
	return (int)n;
}

/* Copy a display name: valid UTF-8 without control characters, spaces
 * trimmed at both ends, cut at a character boundary. */
static void clean_name(const char *name, size_t len, char *out, size_t outsz)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t n = 0, keep = 0, i;

	for (i = 0; i < len;) {
		uint32_t cp;
		size_t l = utf8_next(s + i, len - i, &cp);
		if (!l) {
			i++;
			continue;
		}
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
		    (cp == ' ' && n == 0)) {
			i += l;
			continue;
		}
		if (n + l > outsz - 1)
			break;
		memcpy(out + n, s + i, l);
		n += l;
		if (cp != ' ')
			keep = n;
		i += l;
	}
	out[keep] = 0;
}

int geo_result_make(const char *cc, size_t cc_len, const char *region,
		    size_t region_len, struct dw_geo_result *r)
{
	memset(r, 0, sizeof(*r));
	if (cc_len == 0 || (cc_len == 2 && cc[0] == '-' && cc[1] == '-'))
		return 0;
	if (cc_len != 2 || !is_alpha(cc[0]) || !is_alpha(cc[1]))
		return -1;
	r->country[0] = to_upper(cc[0]);
	r->country[1] = to_upper(cc[1]);
	if (r->country[0] == 'Z' && r->country[1] == 'Z') {
		r->country[0] = r->country[1] = 0;
		return 0;
	}
	if (region_len && dw_geo_region_code(r->country, region, region_len,
					     r->region, sizeof(r->region)) > 0)
		clean_name(region, region_len, r->region_name,
			   sizeof(r->region_name));
	return 1;
}
