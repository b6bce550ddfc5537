/*
 * vis.c - BGP visibility of /24 blocks (see vis.h for the definitions).
 *
 * State, all IPv4:
 *  - per peer: prefix -> live paths (u64map), /24 -> count of its prefixes
 *    longer than /24, prefixes per length, and for full-feed peers a 2 MiB
 *    bitmap of the /24s it covers;
 *  - global: cnt[/24] = full-feed peers covering it; prefix -> (peers, origin)
 *    over all peers; per /24 the length and origin of its most specific prefix;
 *  - per /24 its current contribution (levels, AS, geo-AS entity) to the
 *    per-entity counts, so a change of one /24 moves exactly its own share.
 *
 * Announcing a prefix sets only the bits the peer did not have (more
 * specifics already set theirs) unless a less specific already covers it;
 * withdrawing rechecks only the /24s of the prefix, and only when no less
 * specific remains.  RIB dumps fill tables in bulk and rebuild bitmaps once.
 * Big arrays come from calloc, so untouched /24 ranges cost no memory.
 */
#include "darkwatch/vis.h"

#include <stdlib.h>
#include <string.h>

#include "darkwatch/err.h"
#include "signal/u64map.h"

#define N24 (1u << 24)
#define WORDS (N24 / 64)
#define NONE32 0xFFFFFFFFu
#define BEST_NONE 0xFF

struct peer {
	uint32_t collector, asn;
	struct dw_addr addr;
	struct u64map pfx;      /* prefix key -> live paths */
	struct u64map paths;    /* ADD-PATH (prefix, path id) -> 1 */
	struct u64map sub24;    /* /24 -> prefixes longer than /24 inside */
	uint32_t nlen[33];      /* prefixes per length */
	uint64_t *cov;          /* covered /24s, full-feed peers only */
	uint64_t *old;          /* bulk mode: coverage before the dump */
	uint8_t full, bulk, was_full;
};

struct strtab { /* dense index <-> code (+ name, country) */
	char **code, **name, **cc;
	uint32_t *asn;
	size_t n, cap;
	struct u64map idx; /* hash of code -> index + 1 */
};

struct dw_vis {
	struct dw_vis_conf conf;
	dw_vis_geo_fn geo;
	void *geo_ctx;
	struct peer *peers;
	size_t npeers, cap_peers;
	struct u64map peer_idx;     /* hash(collector, addr, asn) -> id + 1 */
	uint32_t nfull;
	uint16_t *cnt;              /* full-feed peers covering each /24 */
	struct u64map g_refs;       /* prefix key -> peers having it */
	struct u64map g_origin;     /* prefix key -> origin */
	struct u64map g_sub;        /* /24 -> >24 prefixes (global) */
	struct u64map g_sub_origin; /* /24 -> origin of its latest >24 prefix */
	uint8_t *best;              /* /24 -> length of most specific, 25 = >24 */
	uint32_t *origin;           /* /24 -> origin of that prefix */
	uint32_t *geo_of;           /* /24 -> (country idx+1)<<16 | region idx+1; 0 unknown */
	uint8_t *cmask;             /* /24 -> levels contributed */
	uint32_t *casn, *cga;       /* /24 -> asn / geoasn index contributed */
	struct strtab ent[DW_VE__N];
	uint32_t *count[DW_VE__N][DW_VIS__N];
	uint8_t *ever[DW_VE__N][DW_VIS__N];
	size_t count_cap[DW_VE__N];
	uint32_t next_bin;
	int started;
	uint64_t ambiguous;
};

static uint64_t pkey(uint32_t addr, unsigned len)
{
	return (((uint64_t)addr << 8) | len) + 1;
}

static uint32_t mask(unsigned len)
{
	return len ? 0xFFFFFFFFu << (32 - len) : 0;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	while (*s)
		h = (h ^ (uint8_t)*s++) * 1099511628211ull;
	return h | 1;
}

/* ---- entity tables ---- */

static char *dupstr(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static int grow_counts(struct dw_vis *v, int et, size_t need)
{
	if (need <= v->count_cap[et])
		return 0;
	size_t ncap = v->count_cap[et] ? v->count_cap[et] * 2 : 256;
	while (ncap < need)
		ncap *= 2;
	for (int l = 0; l < DW_VIS__N; l++) {
		uint32_t *c = calloc(ncap, sizeof(*c));
		uint8_t *e = calloc(ncap, 1);
		if (!c || !e) {
			free(c);
			free(e);
			return DW_ENOMEM;
		}
		if (v->count[et][l]) {
			memcpy(c, v->count[et][l], v->count_cap[et] * sizeof(*c));
			memcpy(e, v->ever[et][l], v->count_cap[et]);
		}
		free(v->count[et][l]);
		free(v->ever[et][l]);
		v->count[et][l] = c;
		v->ever[et][l] = e;
	}
	v->count_cap[et] = ncap;
	return 0;
}

/* Index of an entity, created on first use; NONE32 on ENOMEM. */
static uint32_t entity(struct dw_vis *v, int et, const char *code,
		       const char *name, const char *cc, uint32_t asn)
{
	struct strtab *t = &v->ent[et];
	int added;
	uint32_t *slot = u64map_put(&t->idx, hash_str(code), &added);
	if (!slot)
		return NONE32;
	if (!added)
		return *slot - 1;
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 64;
		char **a = calloc(nc, sizeof(*a)), **b = calloc(nc, sizeof(*b));
		char **c = calloc(nc, sizeof(*c));
		uint32_t *d = calloc(nc, sizeof(*d));
		if (!a || !b || !c || !d) {
			free(a), free(b), free(c), free(d);
			u64map_del(&t->idx, hash_str(code));
			return NONE32;
		}
		if (t->n) {
			memcpy(a, t->code, t->n * sizeof(*a));
			memcpy(b, t->name, t->n * sizeof(*b));
			memcpy(c, t->cc, t->n * sizeof(*c));
			memcpy(d, t->asn, t->n * sizeof(*d));
		}
		free(t->code), free(t->name), free(t->cc), free(t->asn);
		t->code = a, t->name = b, t->cc = c, t->asn = d, t->cap = nc;
	}
	if (grow_counts(v, et, t->n + 1) < 0) {
		u64map_del(&t->idx, hash_str(code));
		return NONE32;
	}
	t->code[t->n] = dupstr(code);
	t->name[t->n] = name && *name ? dupstr(name) : NULL;
	t->cc[t->n] = cc && *cc ? dupstr(cc) : NULL;
	t->asn[t->n] = asn;
	*slot = (uint32_t)t->n + 1;
	return (uint32_t)t->n++;
}

static uint32_t asn_entity(struct dw_vis *v, uint32_t asn)
{
	char code[12];
	size_t n = dw_u32_fmt(asn, code);
	code[n] = 0;
	return entity(v, DW_VE_ASN, code, NULL, NULL, asn);
}

static uint32_t geoasn_entity(struct dw_vis *v, uint32_t asn, const char *cc)
{
	char code[16];
	size_t n = dw_u32_fmt(asn, code);
	code[n++] = '-';
	memcpy(code + n, cc, 2);
	code[n + 2] = 0;
	return entity(v, DW_VE_GEOASN, code, NULL, cc, asn);
}

/* Country and region of a /24 (cached after the first lookup). */
static uint32_t geo_of(struct dw_vis *v, uint32_t x)
{
	if (v->geo_of[x])
		return v->geo_of[x];
	struct dw_vis_geo g;
	uint32_t c = 0xFFFF, r = 0xFFFF;
	memset(&g, 0, sizeof(g));
	if (v->geo && v->geo(v->geo_ctx, x << 8, &g) >= 0 && g.country[0]) {
		c = entity(v, DW_VE_COUNTRY, g.country, NULL, NULL, 0);
		if (g.region[0])
			r = entity(v, DW_VE_REGION, g.region, g.region_name,
				   g.country, 0);
		if (c == NONE32)
			c = 0xFFFF;
		if (r == NONE32)
			r = 0xFFFF;
	}
	uint32_t val = ((c + 1) & 0xFFFF) << 16 | ((r + 1) & 0xFFFF);
	/* the answer holds for the whole range the database gave */
	uint32_t last = g.last > (x << 8) ? g.last >> 8 : x;
	for (uint32_t y = x; y <= last && y < N24; y++)
		if (!v->geo_of[y])
			v->geo_of[y] = val;
	v->geo_of[x] = val;
	return val;
}

/* ---- per-/24 contribution to entity counts ---- */

static unsigned levels(uint32_t c, uint32_t n)
{
	if (!c || !n)
		return 0;
	unsigned m = 1u << DW_VIS_ANY;
	if ((uint64_t)c * 4 > n)
		m |= 1u << DW_VIS_25;
	if ((uint64_t)c * 2 > n)
		m |= 1u << DW_VIS_50;
	if ((uint64_t)c * 4 > (uint64_t)n * 3)
		m |= 1u << DW_VIS_75;
	if (c >= n)
		m |= 1u << DW_VIS_100;
	return m;
}

static void apply(struct dw_vis *v, uint32_t x, unsigned m, uint32_t asn,
		  uint32_t ga, int sign)
{
	uint32_t g = v->geo_of[x];
	uint32_t c = (g >> 16) ? (g >> 16) - 1 : 0xFFFF;
	uint32_t r = (g & 0xFFFF) ? (g & 0xFFFF) - 1 : 0xFFFF;
	for (int l = 0; l < DW_VIS__N; l++) {
		if (!(m & (1u << l)))
			continue;
		if (c != 0xFFFF)
			v->count[DW_VE_COUNTRY][l][c] += (uint32_t)sign;
		if (r != 0xFFFF)
			v->count[DW_VE_REGION][l][r] += (uint32_t)sign;
		if (asn != NONE32)
			v->count[DW_VE_ASN][l][asn] += (uint32_t)sign;
		if (ga != NONE32)
			v->count[DW_VE_GEOASN][l][ga] += (uint32_t)sign;
	}
}

static void update24(struct dw_vis *v, uint32_t x)
{
	unsigned m = levels(v->cnt[x], v->nfull);
	uint32_t asn = NONE32, ga = NONE32;
	if (m) {
		uint32_t g = geo_of(v, x);
		uint32_t o = v->best[x] != BEST_NONE ? v->origin[x] : 0;
		if (o && o != DW_ASN_AMBIGUOUS) {
			asn = asn_entity(v, o);
			uint32_t c = g >> 16;
			if (c && c - 1 != 0xFFFF && asn != NONE32)
				ga = geoasn_entity(v, o, v->ent[DW_VE_COUNTRY].code[c - 1]);
		}
	}
	if (m == v->cmask[x] && asn == v->casn[x] && ga == v->cga[x])
		return;
	if (v->cmask[x])
		apply(v, x, v->cmask[x], v->casn[x], v->cga[x], -1);
	if (m)
		apply(v, x, m, asn, ga, +1);
	v->cmask[x] = (uint8_t)m;
	v->casn[x] = asn;
	v->cga[x] = ga;
}

/* Every /24 again (the number of full-feed peers changed). */
static void update_all(struct dw_vis *v)
{
	for (uint32_t x = 0; x < N24; x++)
		if (v->cnt[x] || v->cmask[x])
			update24(v, x);
}

/* ---- global prefix table and per-/24 origin ---- */

static uint32_t most_specific(struct dw_vis *v, uint32_t x, uint8_t *len)
{
	uint32_t *o = u64map_get(&v->g_sub_origin, (uint64_t)x + 1);
	if (o && u64map_get(&v->g_sub, (uint64_t)x + 1)) {
		*len = 25;
		return *o;
	}
	for (int l = 24; l >= 0; l--) {
		uint32_t a = (x << 8) & mask((unsigned)l);
		if (u64map_get(&v->g_refs, pkey(a, (unsigned)l))) {
			*len = (uint8_t)l;
			o = u64map_get(&v->g_origin, pkey(a, (unsigned)l));
			return o ? *o : 0;
		}
	}
	*len = BEST_NONE;
	return 0;
}

static void origin_range(struct dw_vis *v, uint32_t first, uint32_t n,
			 unsigned len, uint32_t origin, int removed)
{
	for (uint32_t x = first; x < first + n; x++) {
		uint8_t b = v->best[x];
		if (removed) {
			if (b != len)
				continue;
			uint8_t nl;
			v->origin[x] = most_specific(v, x, &nl);
			v->best[x] = nl;
		} else if (b == BEST_NONE || b <= len) {
			v->best[x] = (uint8_t)len;
			v->origin[x] = origin;
		} else {
			continue;
		}
		if (v->cnt[x] || v->cmask[x])
			update24(v, x);
	}
}

static int global_add(struct dw_vis *v, uint32_t addr, unsigned len,
		      uint32_t origin)
{
	int added;
	uint64_t k = pkey(addr, len);
	uint32_t *refs = u64map_put(&v->g_refs, k, &added);
	uint32_t *o = refs ? u64map_put(&v->g_origin, k, &added) : NULL;
	if (!refs || !o)
		return DW_ENOMEM;
	int changed = *refs == 0 || *o != origin;
	(*refs)++;
	*o = origin;
	if (!changed)
		return 0;
	if (len > 24) {
		uint64_t xk = (uint64_t)(addr >> 8) + 1;
		uint32_t *s = u64map_put(&v->g_sub, xk, &added);
		uint32_t *so = s ? u64map_put(&v->g_sub_origin, xk, &added) : NULL;
		if (!s || !so)
			return DW_ENOMEM;
		if (*refs == 1)
			(*s)++;
		*so = origin;
		origin_range(v, addr >> 8, 1, 25, origin, 0);
		return 0;
	}
	origin_range(v, addr >> 8, 1u << (24 - len), len, origin, 0);
	return 0;
}

/* A re-announcement: the prefix stays, its origin may change. */
static void global_touch(struct dw_vis *v, uint32_t addr, unsigned len,
			 uint32_t origin)
{
	uint64_t k = pkey(addr, len);
	uint32_t *o = u64map_get(&v->g_origin, k);
	if (!o || *o == origin)
		return;
	*o = origin;
	if (len > 24) {
		uint32_t *so = u64map_get(&v->g_sub_origin, (uint64_t)(addr >> 8) + 1);
		if (so)
			*so = origin;
		origin_range(v, addr >> 8, 1, 25, origin, 0);
	} else {
		origin_range(v, addr >> 8, 1u << (24 - len), len, origin, 0);
	}
}

static void global_del(struct dw_vis *v, uint32_t addr, unsigned len)
{
	uint64_t k = pkey(addr, len);
	uint32_t *refs = u64map_get(&v->g_refs, k);
	if (!refs || --(*refs))
		return;
	u64map_del(&v->g_refs, k);
	u64map_del(&v->g_origin, k);
	if (len > 24) {
		uint64_t xk = (uint64_t)(addr >> 8) + 1;
		uint32_t *s = u64map_get(&v->g_sub, xk);
		if (s && !--(*s)) {
			u64map_del(&v->g_sub, xk);
			u64map_del(&v->g_sub_origin, xk);
		}
		origin_range(v, addr >> 8, 1, 25, 0, 1);
		return;
	}
	origin_range(v, addr >> 8, 1u << (24 - len), len, 0, 1);
}

/* ---- per-peer coverage ---- */

static inline int bit(const uint64_t *b, uint32_t x)
{
	return (b[x >> 6] >> (x & 63)) & 1;
}

static void set_cov(struct dw_vis *v, struct peer *p, uint32_t x, int on)
{
	uint64_t m = (uint64_t)1 << (x & 63);
	if (on) {
		p->cov[x >> 6] |= m;
		v->cnt[x]++;
	} else {
		p->cov[x >> 6] &= ~m;
		v->cnt[x]--;
	}
	update24(v, x);
}

/* Does peer have a prefix of length < len containing addr? */
static int less_specific(const struct peer *p, uint32_t addr, unsigned len)
{
	for (unsigned l = 0; l < len && l <= 24; l++)
		if (p->nlen[l] && u64map_get(&p->pfx, pkey(addr & mask(l), l)))
			return 1;
	return 0;
}

/* Is /24 x covered by a prefix of length >= minlen (or a >24 inside)? */
static int covered_from(const struct peer *p, uint32_t x, unsigned minlen)
{
	if (u64map_get(&p->sub24, (uint64_t)x + 1))
		return 1;
	for (unsigned l = minlen; l <= 24; l++)
		if (p->nlen[l] && u64map_get(&p->pfx, pkey((x << 8) & mask(l), l)))
			return 1;
	return 0;
}

static void fill_bits(uint64_t *b, uint32_t first, uint32_t n)
{
	uint32_t x = first, end = first + n;
	while (x < end && (x & 63))
		b[x >> 6] |= (uint64_t)1 << (x & 63), x++;
	while (x + 64 <= end)
		b[x >> 6] = ~(uint64_t)0, x += 64;
	while (x < end)
		b[x >> 6] |= (uint64_t)1 << (x & 63), x++;
}

/* Coverage bitmap of a peer from its table (bulk). */
static uint64_t *build_cov(const struct peer *p)
{
	uint64_t *b = calloc(WORDS, sizeof(*b));
	if (!b)
		return NULL;
	for (size_t i = 0; i < p->pfx.cap; i++) {
		uint64_t k = p->pfx.keys[i];
		if (!k)
			continue;
		k--;
		unsigned len = (unsigned)(k & 0xff);
		uint32_t addr = (uint32_t)(k >> 8);
		if (len > 24)
			b[addr >> 14] |= (uint64_t)1 << ((addr >> 8) & 63);
		else
			fill_bits(b, addr >> 8, 1u << (24 - len));
	}
	return b;
}

/*
 * Apply the difference between two coverage bitmaps to cnt (NULL = empty).
 * Entity counts are left to the caller's update_all(): the number of
 * full-feed peers changes with it, so every /24's levels may change anyway.
 */
static void cov_diff(struct dw_vis *v, const uint64_t *old, const uint64_t *nw)
{
	for (uint32_t w = 0; w < WORDS; w++) {
		uint64_t o = old ? old[w] : 0, n = nw ? nw[w] : 0;
		uint64_t add = n & ~o, del = o & ~n;
		while (add) {
			uint32_t x = w * 64 + (uint32_t)__builtin_ctzll(add);
			add &= add - 1;
			v->cnt[x]++;
		}
		while (del) {
			uint32_t x = w * 64 + (uint32_t)__builtin_ctzll(del);
			del &= del - 1;
			v->cnt[x]--;
		}
	}
}

/* Take a peer out of the full-feed set (the caller runs update_all). */
static void leave_full(struct dw_vis *v, struct peer *p)
{
	cov_diff(v, p->cov, NULL);
	free(p->cov);
	p->cov = NULL;
	p->full = 0;
	v->nfull--;
}

/* Join or leave the full-feed set when the table size crosses the bar. */
static int check_full(struct dw_vis *v, struct peer *p)
{
	int want = p->pfx.n > v->conf.full_feed_min_v4;
	if (want == p->full)
		return 0;
	if (want) {
		p->cov = build_cov(p);
		if (!p->cov)
			return DW_ENOMEM;
		p->full = 1;
		v->nfull++;
		cov_diff(v, NULL, p->cov);
	} else {
		leave_full(v, p);
	}
	update_all(v);
	return 0;
}

static void len_count(struct peer *p, unsigned len, int d)
{
	p->nlen[len > 32 ? 32 : len] += (uint32_t)d;
}

/* Prefix now present in the peer's table (first path). */
static int peer_add(struct dw_vis *v, struct peer *p, uint32_t addr,
		    unsigned len)
{
	len_count(p, len, +1);
	if (len > 24) {
		int added;
		uint32_t *s = u64map_put(&p->sub24, (uint64_t)(addr >> 8) + 1, &added);
		if (!s)
			return DW_ENOMEM;
		(*s)++;
		if (p->cov && !p->bulk && !bit(p->cov, addr >> 8))
			set_cov(v, p, addr >> 8, 1);
		return 0;
	}
	if (!p->cov || p->bulk || less_specific(p, addr, len))
		return 0;
	uint32_t first = addr >> 8, n = 1u << (24 - len);
	for (uint32_t x = first; x < first + n; x++)
		if (!bit(p->cov, x))
			set_cov(v, p, x, 1);
	return 0;
}

/* Prefix gone from the peer's table (last path). */
static void peer_del(struct dw_vis *v, struct peer *p, uint32_t addr,
		     unsigned len)
{
	len_count(p, len, -1);
	if (len > 24) {
		uint64_t xk = (uint64_t)(addr >> 8) + 1;
		uint32_t *s = u64map_get(&p->sub24, xk);
		if (s && !--(*s))
			u64map_del(&p->sub24, xk);
		if (p->cov && !p->bulk && bit(p->cov, addr >> 8) &&
		    !covered_from(p, addr >> 8, 0))
			set_cov(v, p, addr >> 8, 0);
		return;
	}
	if (!p->cov || p->bulk || less_specific(p, addr, len))
		return;
	uint32_t first = addr >> 8, n = 1u << (24 - len);
	for (uint32_t x = first; x < first + n; x++)
		if (bit(p->cov, x) && !covered_from(p, x, len + 1))
			set_cov(v, p, x, 0);
}

static int v4(const struct dw_prefix *pf, uint32_t *addr)
{
	if (pf->addr.af != DW_AF_INET || pf->len > 32)
		return 0;
	*addr = dw_addr_v4(&pf->addr) & mask(pf->len);
	return 1;
}

static uint64_t path_key(uint64_t pk, uint32_t path_id)
{
	/* prefix key (40 bits) and the low 24 bits of the path id */
	return (pk << 24) ^ (path_id & 0xFFFFFF);
}

int dw_vis_announce(struct dw_vis *v, int peer, const struct dw_prefix *pf,
		    int addpath, uint32_t path_id, uint32_t origin)
{
	uint32_t addr;
	int added, rc;
	if (!v4(pf, &addr) || peer < 0 || (size_t)peer >= v->npeers)
		return 0;
	struct peer *p = &v->peers[peer];
	uint64_t k = pkey(addr, pf->len);
	if (addpath) {
		uint32_t *pp = u64map_put(&p->paths, path_key(k, path_id), &added);
		if (!pp)
			return DW_ENOMEM;
		if (!added) {
			global_touch(v, addr, pf->len, origin);
			return 0;
		}
	}
	uint32_t *n = u64map_put(&p->pfx, k, &added);
	if (!n)
		return DW_ENOMEM;
	/* the count is of live ADD-PATH paths; without ADD-PATH an
	 * announcement of a known prefix replaces its route (implicit
	 * withdraw), so it stays at 1 */
	if (added || addpath)
		(*n)++;
	if (!added) {
		/* re-announcement (or another path): only the origin may change */
		global_touch(v, addr, pf->len, origin);
		return 0;
	}
	if ((rc = global_add(v, addr, pf->len, origin)) < 0 ||
	    (rc = peer_add(v, p, addr, pf->len)) < 0)
		return rc;
	return p->bulk ? 0 : check_full(v, p);
}

void dw_vis_prefetch(const struct dw_vis *v, int peer, const struct dw_prefix *pf)
{
	uint32_t addr;
	if (!v4(pf, &addr) || peer < 0 || (size_t)peer >= v->npeers)
		return;
	u64map_prefetch(&v->peers[peer].pfx, pkey(addr, pf->len));
}

int dw_vis_withdraw(struct dw_vis *v, int peer, const struct dw_prefix *pf,
		    int addpath, uint32_t path_id)
{
	uint32_t addr;
	if (!v4(pf, &addr) || peer < 0 || (size_t)peer >= v->npeers)
		return 0;
	struct peer *p = &v->peers[peer];
	uint64_t k = pkey(addr, pf->len);
	if (addpath && !u64map_del(&p->paths, path_key(k, path_id)))
		return 0;
	uint32_t *n = u64map_get(&p->pfx, k);
	if (!n)
		return 0;
	if (--(*n))
		return 0;
	u64map_del(&p->pfx, k);
	peer_del(v, p, addr, pf->len);
	global_del(v, addr, pf->len);
	return p->bulk ? 0 : check_full(v, p);
}

/* Drop a peer's whole table; coverage handled by the caller. */
static void clear_table(struct dw_vis *v, struct peer *p)
{
	for (size_t i = 0; i < p->pfx.cap; i++) {
		uint64_t k = p->pfx.keys[i];
		if (!k)
			continue;
		k--;
		global_del(v, (uint32_t)(k >> 8), (unsigned)(k & 0xff));
	}
	u64map_clear(&p->pfx);
	u64map_clear(&p->paths);
	u64map_clear(&p->sub24);
	memset(p->nlen, 0, sizeof(p->nlen));
}

int dw_vis_peer_down(struct dw_vis *v, int peer)
{
	if (peer < 0 || (size_t)peer >= v->npeers)
		return 0;
	struct peer *p = &v->peers[peer];
	if (p->bulk)
		return 0;
	if (p->full) {
		leave_full(v, p);
		update_all(v);
	}
	clear_table(v, p);
	return 0;
}

int dw_vis_rib_begin(struct dw_vis *v, int peer)
{
	if (peer < 0 || (size_t)peer >= v->npeers)
		return 0;
	struct peer *p = &v->peers[peer];
	if (p->bulk)
		return 0;
	p->bulk = 1;
	p->was_full = p->full;
	p->old = p->cov; /* still counted in cnt until rib_end */
	p->cov = NULL;
	clear_table(v, p);
	return 0;
}

int dw_vis_rib_end(struct dw_vis *v)
{
	for (size_t i = 0; i < v->npeers; i++) {
		struct peer *p = &v->peers[i];
		if (!p->bulk)
			continue;
		p->bulk = 0;
		int want = p->pfx.n > v->conf.full_feed_min_v4;
		uint64_t *nw = want ? build_cov(p) : NULL;
		if (want && !nw)
			return DW_ENOMEM;
		cov_diff(v, p->old, nw);
		free(p->old);
		p->old = NULL;
		p->cov = nw;
		p->full = (uint8_t)want;
		if (want && !p->was_full)
			v->nfull++;
		if (!want && p->was_full)
			v->nfull--;
	}
	update_all(v);
	return 0;
}

/* ---- peers ---- */

int dw_vis_peer(struct dw_vis *v, uint32_t collector, const struct dw_addr *addr,
		uint32_t asn)
{
	uint64_t h = 1469598103934665603ull;
	uint8_t key[25];
	memcpy(key, &collector, 4);
	key[4] = addr->af;
	memcpy(key + 5, addr->b, 16);
	memcpy(key + 21, &asn, 4);
	for (int i = 0; i < 25; i++)
		h = (h ^ key[i]) * 1099511628211ull;
	h |= 1;
	int added;
	uint32_t *slot = u64map_put(&v->peer_idx, h, &added);
	if (!slot)
		return DW_ENOMEM;
	if (!added)
		return (int)*slot - 1;
	if (v->npeers == v->cap_peers) {
		size_t nc = v->cap_peers ? v->cap_peers * 2 : 64;
		struct peer *np = calloc(nc, sizeof(*np));
		if (!np) {
			u64map_del(&v->peer_idx, h);
			return DW_ENOMEM;
		}
		if (v->npeers)
			memcpy(np, v->peers, v->npeers * sizeof(*np));
		free(v->peers);
		v->peers = np;
		v->cap_peers = nc;
	}
	struct peer *p = &v->peers[v->npeers];
	memset(p, 0, sizeof(*p));
	p->collector = collector;
	p->addr = *addr;
	p->asn = asn;
	*slot = (uint32_t)v->npeers + 1;
	return (int)v->npeers++;
}

/* ---- bins ---- */

void dw_vis_set_start(struct dw_vis *v, uint32_t from)
{
	v->next_bin = from - from % v->conf.step;
	v->started = 1;
}

static int emit_bin(struct dw_vis *v, uint32_t t, dw_vis_emit_fn emit, void *ctx)
{
	for (int et = 0; et < DW_VE__N; et++) {
		struct strtab *tab = &v->ent[et];
		for (int l = 0; l < DW_VIS__N; l++) {
			for (size_t i = 0; i < tab->n; i++) {
				uint32_t c = v->count[et][l][i];
				if (c)
					v->ever[et][l][i] = 1;
				if (!v->ever[et][l][i])
					continue;
				struct dw_vis_point pt = {
					(enum dw_vis_etype)et, tab->code[i], tab->name[i],
					tab->cc[i], tab->asn[i], (enum dw_vis_level)l, t, c};
				int rc = emit(ctx, &pt);
				if (rc < 0)
					return rc;
			}
		}
	}
	return 0;
}

int dw_vis_advance(struct dw_vis *v, uint32_t now, dw_vis_emit_fn emit, void *ctx)
{
	if (!v->started)
		dw_vis_set_start(v, now);
	while (v->next_bin + v->conf.step <= now) {
		int rc = emit_bin(v, v->next_bin, emit, ctx);
		if (rc < 0)
			return rc;
		v->next_bin += v->conf.step;
	}
	return 0;
}

int dw_vis_flush(struct dw_vis *v, uint32_t until, dw_vis_emit_fn emit, void *ctx)
{
	return dw_vis_advance(v, until, emit, ctx);
}

/* ---- life cycle and queries ---- */

int dw_vis_new(const struct dw_vis_conf *conf, dw_vis_geo_fn geo, void *geo_ctx,
	       struct dw_vis **out)
{
	struct dw_vis *v = calloc(1, sizeof(*v));
	if (!v)
		return DW_ENOMEM;
	v->conf = conf ? *conf : (struct dw_vis_conf)DW_VIS_CONF_DEFAULT;
	if (!v->conf.step)
		v->conf.step = 300;
	v->geo = geo;
	v->geo_ctx = geo_ctx;
	v->cnt = calloc(N24, sizeof(*v->cnt));
	v->best = malloc(N24);
	v->origin = calloc(N24, sizeof(*v->origin));
	v->geo_of = calloc(N24, sizeof(*v->geo_of));
	v->cmask = calloc(N24, 1);
	v->casn = malloc(N24 * sizeof(*v->casn));
	v->cga = malloc(N24 * sizeof(*v->cga));
	if (!v->cnt || !v->best || !v->origin || !v->geo_of || !v->cmask ||
	    !v->casn || !v->cga) {
		dw_vis_free(v);
		return DW_ENOMEM;
	}
	memset(v->best, BEST_NONE, N24);
	memset(v->casn, 0xff, N24 * sizeof(*v->casn));
	memset(v->cga, 0xff, N24 * sizeof(*v->cga));
	*out = v;
	return 0;
}

void dw_vis_free(struct dw_vis *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->npeers; i++) {
		struct peer *p = &v->peers[i];
		u64map_free(&p->pfx);
		u64map_free(&p->paths);
		u64map_free(&p->sub24);
		free(p->cov);
		free(p->old);
	}
	free(v->peers);
	u64map_free(&v->peer_idx);
	u64map_free(&v->g_refs);
	u64map_free(&v->g_origin);
	u64map_free(&v->g_sub);
	u64map_free(&v->g_sub_origin);
	for (int et = 0; et < DW_VE__N; et++) {
		struct strtab *t = &v->ent[et];
		for (size_t i = 0; i < t->n; i++) {
			free(t->code[i]);
			free(t->name[i]);
			free(t->cc[i]);
		}
		free(t->code), free(t->name), free(t->cc), free(t->asn);
		u64map_free(&t->idx);
		for (int l = 0; l < DW_VIS__N; l++) {
			free(v->count[et][l]);
			free(v->ever[et][l]);
		}
	}
	free(v->cnt);
	free(v->best);
	free(v->origin);
	free(v->geo_of);
	free(v->cmask);
	free(v->casn);
	free(v->cga);
	free(v);
}

void dw_vis_stats(const struct dw_vis *v, struct dw_vis_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->peers = (uint32_t)v->npeers;
	s->full_peers = v->nfull;
	s->prefixes = v->g_refs.n;
	for (uint32_t x = 0; x < N24; x++) {
		if (!v->cnt[x])
			continue;
		s->visible_any++;
		if (v->best[x] != BEST_NONE && v->origin[x] == DW_ASN_AMBIGUOUS)
			s->ambiguous++;
	}
	s->next_bin = v->next_bin;
}

static uint32_t lookup(const struct dw_vis *v, int et, const char *code,
		       enum dw_vis_level l)
{
	const uint32_t *i = u64map_get(&v->ent[et].idx, hash_str(code));
	return i ? v->count[et][l][*i - 1] : 0;
}

uint32_t dw_vis_count_country(const struct dw_vis *v, const char *cc,
			      enum dw_vis_level l)
{
	return lookup(v, DW_VE_COUNTRY, cc, l);
}

uint32_t dw_vis_count_asn(const struct dw_vis *v, uint32_t asn,
			  enum dw_vis_level l)
{
	char code[12];
	code[dw_u32_fmt(asn, code)] = 0;
	return lookup(v, DW_VE_ASN, code, l);
}

const char *dw_vis_level_name(enum dw_vis_level l)
{
	static const char *names[] = {"any", "25", "50", "75", "100"};
	return (unsigned)l < DW_VIS__N ? names[l] : "?";
}
