/*
 * trace.c - one trace: popular objects, account mass, co-actions in window.
 *
 * Three scans of the trace, all in (object, t, account) order, each object's
 * actions buffered as one group (the buffer grows to the largest group and
 * is reused):
 *
 *   1. n(o), the number of distinct accounts on o, and N, the accounts
 *      active in the trace.  Objects with n(o) > cut, cut = max(popular_min,
 *      popular_share * N), are too popular: viral objects say nothing about
 *      coordination and their pairs would swamp the table.  idf(o) =
 *      ln(1 + N / n(o)) down-weights the rest smoothly (the 1 + keeps it
 *      positive when popular_min >= N on small inputs).
 *   2. S(a) = sum of idf(o) over the distinct non-popular objects a acted
 *      on: the account's activity mass.  Stored as r(a) = 1/sqrt(S(a)).
 *   3. For each non-popular object, a sliding window over its time-sorted
 *      actions: every pair of distinct accounts at most `window` seconds
 *      apart adds idf(o) r(a) r(b) to the pair, once per (pair, object).
 *      Summed over objects this is at most 1 (a cosine between the two
 *      accounts' idf-weighted object sets), so hyperactive accounts that
 *      meet by chance score near 0 and accounts that share everything
 *      together score near 1.
 *
 * Pass 1 cannot compute S: the cut needs N, known only at the end.  The
 * third scan is the price of exact weights; the store's scan is sequential
 * and cheap next to the pair work.
 *
 * A (pair, object) is counted once: when an object's group has as many
 * actions as distinct accounts no pair can repeat and nothing is checked;
 * otherwise an object-local set of pair keys, cleared in O(1) by a
 * generation stamp, drops repeats.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cib/trace.h"
#include "darkwatch/err.h"

struct dw_cib_tr {
	struct dw_cib_conf conf;
	int trace;
	uint32_t naccounts, nobjects;
	uint32_t *nobj;   /* n(o), index o */
	uint8_t *popular; /* bitmap, index o */
	double *r;        /* 1/sqrt(S(a)), index a; 0 when S(a) = 0 */
	uint32_t *stamp;  /* per account: last object seen in a pass */
	uint32_t *deg;    /* per account: its co-actions (window pairs) */
	uint32_t *act;    /* per account: its distinct non-popular objects */
	uint64_t incid;   /* sum of act */
	double qw, qa;    /* 1 / 2W and 1 / 2 incid, see dw_cib_tr_chance */
	double n_active;
	struct dw_cib_tr_stats st;
	/* grouping */
	struct dw_cib_action *g;
	size_t gn, gcap;
	int gskip; /* the current object is skipped (popular) */
	uint64_t skipped; /* actions of skipped objects in this scan */
	uint32_t cur_o;
	int64_t cur_t;
	int started;
	const uint32_t *keep;
	dw_cib_group_fn gfn;
	void *gctx;
	int (*pre)(struct dw_cib_tr *tr, uint32_t o); /* 1: skip object */
	/* dedupe set of pair keys within one object */
	uint64_t *dk;
	uint32_t *dg;
	size_t dcap, dn;
	uint32_t gen;
	/* pass 3 */
	struct dw_cib_pairs *pairs;
	/* progress */
	dw_cib_progress_fn progress;
	void *pctx;
	const char *stage;
	uint64_t seen, total;
	double pbase, pspan;
};

int dw_cib_tr_new(const struct dw_cib_conf *conf, int trace,
		  uint32_t naccounts, uint32_t nobjects,
		  struct dw_cib_tr **out)
{
	struct dw_cib_tr *tr;

	*out = NULL;
	tr = calloc(1, sizeof(*tr));
	if (!tr)
		return DW_ENOMEM;
	tr->conf = *conf;
	tr->trace = trace;
	tr->naccounts = naccounts;
	tr->nobjects = nobjects;
	tr->nobj = calloc((size_t)nobjects + 1, sizeof(uint32_t));
	tr->popular = calloc((size_t)nobjects / 8 + 1, 1);
	tr->r = calloc((size_t)naccounts + 1, sizeof(double));
	tr->stamp = calloc((size_t)naccounts + 1, sizeof(uint32_t));
	tr->deg = calloc((size_t)naccounts + 1, sizeof(uint32_t));
	tr->act = calloc((size_t)naccounts + 1, sizeof(uint32_t));
	if (!tr->nobj || !tr->popular || !tr->r || !tr->stamp || !tr->deg ||
	    !tr->act) {
		dw_cib_tr_free(tr);
		return DW_ENOMEM;
	}
	*out = tr;
	return 0;
}

void dw_cib_tr_free(struct dw_cib_tr *tr)
{
	if (!tr)
		return;
	free(tr->nobj);
	free(tr->popular);
	free(tr->r);
	free(tr->stamp);
	free(tr->deg);
	free(tr->act);
	free(tr->g);
	free(tr->dk);
	free(tr->dg);
	free(tr);
}

int dw_cib_tr_popular(const struct dw_cib_tr *tr, uint32_t o)
{
	return o <= tr->nobjects && (tr->popular[o >> 3] >> (o & 7) & 1);
}

double dw_cib_tr_idf(const struct dw_cib_tr *tr, uint32_t o)
{
	if (o > tr->nobjects || !tr->nobj[o])
		return 0;
	return log(1.0 + tr->n_active / tr->nobj[o]);
}

double dw_cib_tr_chance(const struct dw_cib_tr *tr, uint32_t a, uint32_t b)
{
	if (a > tr->naccounts || b > tr->naccounts)
		return 0;
	double da = tr->deg[a], db = tr->deg[b];
	double by_meetings = da * db * tr->qw;
	double by_activity = (da * tr->act[b] + db * tr->act[a]) * tr->qa;

	return by_meetings > by_activity ? by_meetings : by_activity;
}

const struct dw_cib_tr_stats *dw_cib_tr_stats(const struct dw_cib_tr *tr)
{
	return &tr->st;
}

/* ---- grouping ---------------------------------------------------------- */

static int flush(struct dw_cib_tr *tr)
{
	int rc = 0;

	if (tr->started && !tr->gskip && tr->gn)
		rc = tr->gfn(tr->gctx, tr->g, tr->gn);
	tr->gn = 0;
	return rc;
}

static int on_action(void *ctx, const struct dw_cib_action *a)
{
	struct dw_cib_tr *tr = ctx;
	int rc;

	if (a->object == 0 || a->object > tr->nobjects || a->account == 0 ||
	    a->account > tr->naccounts)
		return DW_EMALFORMED;
	if (!tr->started || a->object != tr->cur_o) {
		if (tr->started && a->object < tr->cur_o)
			return DW_EMALFORMED;
		if ((rc = flush(tr)) != 0)
			return rc;
		tr->started = 1;
		tr->cur_o = a->object;
		tr->gskip = tr->pre ? tr->pre(tr, a->object) : 0;
	} else if (a->t < tr->cur_t) {
		return DW_EMALFORMED;
	}
	tr->cur_t = a->t;
	if (tr->progress && (++tr->seen & 0xfffff) == 0 && tr->total)
		tr->progress(tr->pctx, tr->stage,
			     tr->pbase + tr->pspan * ((double)tr->seen /
						      (double)tr->total));
	if (tr->gskip) {
		tr->skipped++;
		return 0;
	}
	if (tr->keep && !tr->keep[a->account])
		return 0;
	if (tr->gn == tr->gcap) {
		size_t nc = tr->gcap ? tr->gcap * 2 : 256;
		struct dw_cib_action *ng = realloc(tr->g, nc * sizeof(*ng));
		if (!ng)
			return DW_ENOMEM;
		tr->g = ng;
		tr->gcap = nc;
	}
	tr->g[tr->gn++] = *a;
	return 0;
}

static int run_groups(struct dw_cib_tr *tr, dw_cib_scan_fn scan, void *sctx)
{
	int rc;

	tr->started = 0;
	tr->gn = 0;
	tr->seen = 0;
	tr->skipped = 0;
	rc = scan(sctx, on_action, tr);
	if (rc == 0)
		rc = flush(tr);
	tr->gn = 0;
	return rc;
}

int dw_cib_tr_groups(struct dw_cib_tr *tr, dw_cib_scan_fn scan, void *sctx,
		     const uint32_t *keep, dw_cib_group_fn fn, void *ctx)
{
	int rc;

	tr->keep = keep;
	tr->gfn = fn;
	tr->gctx = ctx;
	tr->pre = NULL;
	tr->progress = NULL;
	rc = run_groups(tr, scan, sctx);
	tr->keep = NULL;
	return rc;
}

/* ---- pass 1: n(o), N ---------------------------------------------------- */

static int g_count(void *ctx, const struct dw_cib_action *a, size_t n)
{
	struct dw_cib_tr *tr = ctx;
	uint32_t o = a[0].object, d = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t *s = &tr->stamp[a[i].account];
		if (*s == 0)
			tr->st.active_accounts++;
		if (*s != o) {
			*s = o;
			d++;
		}
	}
	tr->nobj[o] = d;
	tr->st.actions += n;
	return 0;
}

/* ---- pass 2: S(a) -------------------------------------------------------- */

static int pre_popular(struct dw_cib_tr *tr, uint32_t o)
{
	return dw_cib_tr_popular(tr, o);
}

static int g_mass(void *ctx, const struct dw_cib_action *a, size_t n)
{
	struct dw_cib_tr *tr = ctx;
	uint32_t o = a[0].object;
	double idf = dw_cib_tr_idf(tr, o);

	for (size_t i = 0; i < n; i++) {
		uint32_t *s = &tr->stamp[a[i].account];
		if (*s != o) {
			*s = o;
			tr->r[a[i].account] += idf;
			tr->act[a[i].account]++;
			tr->incid++;
		}
	}
	return 0;
}

/* ---- pass 3: co-actions in window --------------------------------------- */

/* 1 if key was already in this object's set, else inserts it. */
static int dedupe_seen(struct dw_cib_tr *tr, uint64_t key, int *err)
{
	size_t s;

	if ((tr->dn + 1) * 2 > tr->dcap) {
		size_t nc = tr->dcap ? tr->dcap * 2 : 1024;
		uint64_t *nk = malloc(nc * sizeof(*nk));
		uint32_t *ng = calloc(nc, sizeof(*ng));
		if (!nk || !ng) {
			free(nk);
			free(ng);
			*err = DW_ENOMEM;
			return 0;
		}
		for (size_t i = 0; i < tr->dcap; i++) {
			if (tr->dg[i] != tr->gen)
				continue;
			size_t t = (size_t)((tr->dk[i] * 0x9e3779b97f4a7c15ULL) >>
					    17) & (nc - 1);
			while (ng[t] == tr->gen)
				t = (t + 1) & (nc - 1);
			nk[t] = tr->dk[i];
			ng[t] = tr->gen;
		}
		free(tr->dk);
		free(tr->dg);
		tr->dk = nk;
		tr->dg = ng;
		tr->dcap = nc;
	}
	s = (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 17) & (tr->dcap - 1);
	while (tr->dg[s] == tr->gen) {
		if (tr->dk[s] == key)
			return 1;
		s = (s + 1) & (tr->dcap - 1);
	}
	tr->dk[s] = key;
	tr->dg[s] = tr->gen;
	tr->dn++;
	return 0;
}

static void dedupe_clear(struct dw_cib_tr *tr)
{
	tr->dn = 0;
	if (++tr->gen == 0) {
		if (tr->dg)
			memset(tr->dg, 0, tr->dcap * sizeof(*tr->dg));
		tr->gen = 1;
	}
}

static int g_pairs(void *ctx, const struct dw_cib_action *a, size_t n)
{
	struct dw_cib_tr *tr = ctx;
	uint32_t o = a[0].object;
	uint32_t d = tr->nobj[o];
	double idf;
	int dedupe = n > d, rc = 0;
	int64_t win = tr->conf.window;

	if (d < 2)
		return 0;
	idf = dw_cib_tr_idf(tr, o) * DW_CIB_WSCALE;
	if (dedupe)
		dedupe_clear(tr);
	for (size_t i = 0; i < n; i++) {
		uint32_t x = a[i].account;
		double wx = idf * tr->r[x];
		for (size_t j = i + 1; j < n && a[j].t - a[i].t <= win; j++) {
			uint32_t y = a[j].account, lo, hi;
			uint64_t key;
			if (x == y)
				continue;
			lo = x < y ? x : y;
			hi = x < y ? y : x;
			key = (uint64_t)lo << 32 | hi;
			if (dedupe) {
				if (dedupe_seen(tr, key, &rc))
					continue;
				if (rc)
					return rc;
			}
			rc = dw_cib_pairs_add(tr->pairs, lo, hi,
					      (uint64_t)llround(wx * tr->r[y]),
					      tr->trace);
			if (rc)
				return rc;
			tr->st.window_pairs++;
			tr->deg[x]++;
			tr->deg[y]++;
		}
	}
	return 0;
}

int dw_cib_tr_count(struct dw_cib_tr *tr, dw_cib_scan_fn scan, void *sctx,
		    struct dw_cib_pairs *pairs, dw_cib_progress_fn progress,
		    void *pctx, const char *stage)
{
	double cut;
	int rc;

	if (!tr->stamp || !tr->r)
		return DW_EINVAL; /* counted already */
	tr->keep = NULL;
	tr->pre = NULL;
	tr->progress = progress;
	tr->pctx = pctx;
	tr->stage = stage;
	tr->total = 0;
	if (progress)
		progress(pctx, stage, 0);

	/* 1 */
	memset(tr->stamp, 0, ((size_t)tr->naccounts + 1) * sizeof(uint32_t));
	tr->gfn = g_count;
	tr->gctx = tr;
	if ((rc = run_groups(tr, scan, sctx)) != 0)
		return rc;
	tr->n_active = (double)tr->st.active_accounts;
	cut = tr->conf.popular_share * tr->n_active;
	if (cut < tr->conf.popular_min)
		cut = tr->conf.popular_min;
	tr->st.cut = cut >= 4294967295.0 ? UINT32_MAX : (uint32_t)cut;
	for (uint32_t o = 1; o <= tr->nobjects; o++)
		if (tr->nobj[o] > tr->st.cut) {
			tr->popular[o >> 3] |= (uint8_t)(1u << (o & 7));
			tr->st.popular_objects++;
		}
	tr->total = tr->st.actions * 2;

	/* 2 */
	memset(tr->stamp, 0, ((size_t)tr->naccounts + 1) * sizeof(uint32_t));
	tr->pbase = 0;
	tr->pspan = 0.3;
	tr->gfn = g_mass;
	tr->pre = pre_popular;
	if ((rc = run_groups(tr, scan, sctx)) != 0)
		return rc;
	tr->st.popular_actions = tr->skipped;
	for (uint32_t a = 1; a <= tr->naccounts; a++)
		tr->r[a] = tr->r[a] > 0 ? 1.0 / sqrt(tr->r[a]) : 0;
	if (progress)
		progress(pctx, stage, 0.3);

	/* 3 */
	tr->pbase = 0.3;
	tr->pspan = 0.7;
	tr->pairs = pairs;
	tr->gfn = g_pairs;
	rc = run_groups(tr, scan, sctx);
	tr->pairs = NULL;
	tr->pre = NULL;
	if (rc)
		return rc;
	if (tr->st.window_pairs)
		tr->qw = 1.0 / (2.0 * (double)tr->st.window_pairs);
	if (tr->incid)
		tr->qa = 1.0 / (2.0 * (double)tr->incid);
	/* only n(o), deg and the popular bits are needed from here on */
	free(tr->r);
	free(tr->stamp);
	free(tr->dk);
	free(tr->dg);
	tr->r = NULL;
	tr->stamp = NULL;
	tr->dk = NULL;
	tr->dg = NULL;
	tr->dcap = tr->dn = 0;
	if (progress)
		progress(pctx, stage, 1);
	return 0;
}
