/*
 * engine.c - dw_cib_detect: from actions to networks of coordinated accounts.
 *
 * The stages (docs/CIB.md ## Detection gives the reasons and defaults):
 *
 *   texts   near-duplicate texts -> clusters (minhash.c); each cluster is
 *           an object of the DW_CIB_TEXT trace, its actions held in memory
 *           in (cluster, t, account) order
 *   pairs   per trace, co-actions in the window -> one bounded pair table
 *           shared by all traces, so the fused weight is a plain sum
 *           (trace.c, pairs.c)
 *   fuse    the merged pairs in (a, b) order -> candidate edges (shared >=
 *           min_repeat) -> kept edges (weight >= max(min_weight, quantile),
 *           or too many co-actions for chance: the max_chance test)
 *   groups  Leiden communities of the kept edges (cluster.c); communities
 *           of >= min_size accounts are the networks, ranked by score
 *           (network.c)
 *   explain one more scan per trace restricted to the members' accounts:
 *           evidence rows, active period, top objects (explain.c)
 *
 * Everything is in memory except the pair table's spilled runs; what grows
 * with the input is bounded by the pair table's limit (pairs), the largest
 * object (one group buffer), the per-id arrays (a few bytes per account and
 * per object and trace), the text signatures (text trace only) and the
 * candidate edges (pairs with shared >= min_repeat).
 *
 * The same front (texts, pairs) serves dw_cib_pairs_dump, so the pairs the
 * benchmark checks against a brute force are those detection uses.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cib/minhash.h"
#include "cib/network.h"
#include "cib/pairs.h"
#include "cib/trace.h"
#include "darkwatch/cib.h"
#include "darkwatch/err.h"

static const char *const trace_names[DW_CIB__NTRACE] = {
	"retweet", "url", "domain", "hashtag", "image", "text"};

const char *dw_cib_trace_name(int trace)
{
	if (trace < 0 || trace >= DW_CIB__NTRACE)
		return NULL;
	return trace_names[trace];
}

int dw_cib_trace_parse(const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i < DW_CIB__NTRACE; i++)
		if (strcmp(s, trace_names[i]) == 0)
			return i;
	return -1;
}

static int conf_ok(const struct dw_cib_conf *c)
{
	return c->window >= 0 && (c->traces & ~0x3fu) == 0 &&
	       c->min_repeat >= 1 && c->min_weight >= 0 &&
	       c->quantile >= 0 && c->quantile < 1 && c->min_size >= 2 &&
	       c->popular_share > 0 && c->popular_share <= 1 &&
	       c->popular_min >= 1 && c->text_jaccard > 0 &&
	       c->text_jaccard <= 1 && c->text_min_len >= 0 &&
	       c->resolution > 0 && c->max_evidence >= 0 && c->max_top >= 0 &&
	       c->max_chance >= 0 && c->max_chance < 1;
}

/* ---- scanners ------------------------------------------------------------ */

struct src_scan {
	const struct dw_cib_source *src;
	int trace;
};

static int scan_src(void *sctx, dw_cib_action_fn fn, void *fctx)
{
	struct src_scan *s = sctx;
	return s->src->scan(s->src->ctx, s->trace, fn, fctx);
}

struct mem_scan {
	const struct dw_cib_action *a;
	size_t n;
};

static int scan_mem(void *sctx, dw_cib_action_fn fn, void *fctx)
{
	struct mem_scan *s = sctx;

	for (size_t i = 0; i < s->n; i++) {
		int rc = fn(fctx, &s->a[i]);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- the shared front: texts and pairs --------------------------------- */

struct front {
	const struct dw_cib_conf *conf;
	const struct dw_cib_source *src;
	dw_cib_progress_fn progress;
	void *pctx;
	struct dw_cib_tr *tr[DW_CIB__NTRACE];
	struct src_scan ss[DW_CIB__NTRACE];
	struct dw_cib_mh *mh;
	struct dw_cib_action *tact; /* text actions, (cluster, t, account) */
	size_t ntact;
	struct mem_scan ms;
	uint32_t nclusters;
	int64_t *text_post; /* [nclusters + 1] */
	struct dw_cib_pairs *pairs;
	struct dw_cib_stats st;
};

static void front_free(struct front *f)
{
	for (int t = 0; t < DW_CIB__NTRACE; t++)
		dw_cib_tr_free(f->tr[t]);
	dw_cib_mh_free(f->mh);
	free(f->tact);
	free(f->text_post);
	dw_cib_pairs_free(f->pairs);
}

static int on_text(void *ctx, const struct dw_cib_text *p)
{
	return dw_cib_mh_add(ctx, p);
}

static int cmp_tact(const void *x, const void *y)
{
	const struct dw_cib_action *a = x, *b = y;

	if (a->object != b->object)
		return a->object < b->object ? -1 : 1;
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	if (a->account != b->account)
		return a->account < b->account ? -1 : 1;
	return (a->post > b->post) - (a->post < b->post);
}

static int build_text(struct front *f)
{
	const struct dw_cib_mh_item *it;
	size_t n, k = 0;
	int rc;

	if (f->progress)
		f->progress(f->pctx, "text", 0);
	if ((rc = dw_cib_mh_new(f->conf, &f->mh)) != 0)
		return rc;
	if ((rc = f->src->texts(f->src->ctx, on_text, f->mh)) != 0)
		return rc;
	if ((rc = dw_cib_mh_cluster(f->mh, &f->nclusters)) != 0)
		return rc;
	it = dw_cib_mh_items(f->mh, &n);
	for (size_t i = 0; i < n; i++)
		k += it[i].cluster != 0;
	f->tact = malloc((k ? k : 1) * sizeof(*f->tact));
	f->text_post = calloc((size_t)f->nclusters + 1, sizeof(int64_t));
	if (!f->tact || !f->text_post)
		return DW_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (!it[i].cluster)
			continue;
		f->tact[f->ntact].object = it[i].cluster;
		f->tact[f->ntact].account = it[i].account;
		f->tact[f->ntact].t = it[i].t;
		f->tact[f->ntact].post = it[i].post;
		f->ntact++;
	}
	if (f->ntact > 1)
		qsort(f->tact, f->ntact, sizeof(*f->tact), cmp_tact);
	for (size_t i = f->ntact; i-- > 0;)
		f->text_post[f->tact[i].object] = f->tact[i].post;
	f->st.texts = f->ntact;
	f->st.text_clusters = f->nclusters;
	dw_cib_mh_free(f->mh);
	f->mh = NULL;
	f->ms.a = f->tact;
	f->ms.n = f->ntact;
	if (f->progress)
		f->progress(f->pctx, "text", 1);
	return 0;
}

/* The scanner of trace t, or NULL when the source cannot give it. */
static dw_cib_scan_fn scanner(struct front *f, int t, void **sctx)
{
	if (t == DW_CIB_TEXT) {
		*sctx = &f->ms;
		return f->text_post ? scan_mem : NULL;
	}
	if (!f->src->scan)
		return NULL;
	f->ss[t].src = f->src;
	f->ss[t].trace = t;
	*sctx = &f->ss[t];
	return scan_src;
}

static int front_run(struct front *f)
{
	static const char *const stage[DW_CIB__NTRACE] = {
		"pairs retweet", "pairs url",   "pairs domain",
		"pairs hashtag", "pairs image", "pairs text"};
	int rc;

	if ((rc = dw_cib_pairs_new(f->conf->mem_limit, &f->pairs)) != 0)
		return rc;
	if ((f->conf->traces >> DW_CIB_TEXT & 1) && f->src->texts &&
	    (rc = build_text(f)) != 0)
		return rc;
	for (int t = 0; t < DW_CIB__NTRACE; t++) {
		const struct dw_cib_tr_stats *ts;
		uint32_t nobj;
		dw_cib_scan_fn scan;
		void *sctx;

		if (!(f->conf->traces >> t & 1))
			continue;
		if (!(scan = scanner(f, t, &sctx)))
			continue;
		nobj = t == DW_CIB_TEXT ? f->nclusters : f->src->nobjects;
		rc = dw_cib_tr_new(f->conf, t, f->src->naccounts, nobj,
				   &f->tr[t]);
		if (rc)
			return rc;
		rc = dw_cib_tr_count(f->tr[t], scan, sctx, f->pairs,
				     f->progress, f->pctx, stage[t]);
		if (rc)
			return rc;
		ts = dw_cib_tr_stats(f->tr[t]);
		f->st.actions[t] = ts->actions;
		f->st.popular_objects += ts->popular_objects;
		f->st.popular_actions += ts->popular_actions;
		f->st.window_pairs += ts->window_pairs;
	}
	return 0;
}

static int front_init(struct front *f, const struct dw_cib_conf *conf,
		      const struct dw_cib_source *src,
		      dw_cib_progress_fn progress, void *pctx)
{
	memset(f, 0, sizeof(*f));
	f->conf = conf;
	f->src = src;
	f->progress = progress;
	f->pctx = pctx;
	if (!conf || !src || !conf_ok(conf))
		return DW_EINVAL;
	return 0;
}

struct dump {
	int (*fn)(void *ctx, const struct dw_cib_edge *e);
	void *ctx;
};

static int on_dump(void *ctx, const struct dw_cib_edge *e,
		   const uint16_t *cnt)
{
	struct dump *d = ctx;

	(void)cnt;
	return d->fn(d->ctx, e);
}

int dw_cib_pairs_dump(const struct dw_cib_conf *conf,
		      const struct dw_cib_source *src,
		      int (*fn)(void *ctx, const struct dw_cib_edge *e),
		      void *ctx)
{
	struct front f;
	int rc;

	if ((rc = front_init(&f, conf, src, NULL, NULL)) != 0)
		return rc;
	if ((rc = front_run(&f)) == 0) {
		struct dump d = {fn, ctx};
		uint64_t distinct;
		rc = dw_cib_pairs_finish(f.pairs, 0, &distinct, on_dump, &d);
	}
	front_free(&f);
	return rc;
}

/* ---- fuse and threshold -------------------------------------------------- */

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

/* P(X >= k), X ~ Poisson(lambda); only precise when small. */
static double pois_tail(uint32_t k, double lambda)
{
	double sum = 0;

	if (k == 0)
		return 1;
	if (lambda <= 0)
		return 0;
	if (lambda >= k)
		return 1; /* nothing unusual: no need for the value */
	for (uint32_t i = k; i < k + 1000; i++) {
		double term = exp(-lambda + i * log(lambda) - lgamma(i + 1.0));
		sum += term;
		if (term < sum * 1e-12)
			break;
	}
	return sum;
}

/*
 * Whether a pair has, in some one trace, at least min_repeat co-actions
 * and too many for chance given both accounts' co-actions with anyone
 * (dw_cib_tr_chance).  One trace at a time: the same event seen through a
 * retweet, its URL and its domain is not three repetitions.
 */
static int unlikely(const struct front *f, const struct dw_cib_edge *e,
		    const uint16_t *cnt)
{
	if (f->conf->max_chance <= 0)
		return 0;
	for (int t = 0; t < DW_CIB__NTRACE; t++) {
		if (!f->tr[t] || cnt[t] < f->conf->min_repeat)
			continue;
		if (pois_tail(cnt[t], dw_cib_tr_chance(f->tr[t], e->a, e->b)) <=
		    f->conf->max_chance)
			return 1;
	}
	return 0;
}

struct edges {
	const struct front *f;
	struct dw_cib_edge *e;
	uint8_t *chance; /* 1: kept under the cut by the chance test */
	size_t n, cap;
};

/* A candidate (pairs_finish already asks for min_repeat in one trace). */
static int on_pair(void *ctx, const struct dw_cib_edge *e,
		   const uint16_t *cnt)
{
	struct edges *es = ctx;

	if (es->n == es->cap) {
		size_t nc = es->cap ? es->cap * 2 : 1024;
		struct dw_cib_edge *ne = realloc(es->e, nc * sizeof(*ne));
		uint8_t *nch;
		if (!ne)
			return DW_ENOMEM;
		es->e = ne;
		nch = realloc(es->chance, nc);
		if (!nch)
			return DW_ENOMEM;
		es->chance = nch;
		es->cap = nc;
	}
	es->chance[es->n] = (uint8_t)unlikely(es->f, e, cnt);
	es->e[es->n++] = *e;
	return 0;
}

/* Keep the candidates at or above the cut (or unlikely by chance). */
static int threshold(const struct front *f, struct edges *es,
		     struct dw_cib_stats *st)
{
	const struct dw_cib_conf *conf = f->conf;
	double cut = conf->min_weight;
	size_t k = 0;

	if (conf->quantile > 0 && es->n) {
		double *w = malloc(es->n * sizeof(*w));
		if (!w)
			return DW_ENOMEM;
		for (size_t i = 0; i < es->n; i++)
			w[i] = es->e[i].weight;
		qsort(w, es->n, sizeof(*w), cmp_double);
		double q = w[(size_t)floor(conf->quantile *
					   (double)(es->n - 1))];
		free(w);
		if (q > cut)
			cut = q;
	}
	for (size_t i = 0; i < es->n; i++) {
		if (es->e[i].weight >= cut) {
			es->e[k++] = es->e[i];
		} else if (es->chance[i]) {
			es->e[k++] = es->e[i];
			st->chance_edges++;
		}
	}
	es->n = k;
	st->weight_cut = cut;
	return 0;
}

/* ---- the whole ---------------------------------------------------------- */

int dw_cib_detect(const struct dw_cib_conf *conf,
		  const struct dw_cib_source *src, dw_cib_progress_fn progress,
		  void *pctx, struct dw_cib_result **out)
{
	struct dw_cib_trace_in in[DW_CIB__NTRACE];
	struct dw_cib_result *res = NULL;
	struct edges es;
	struct front f;
	int rc;

	if (out)
		*out = NULL;
	memset(&es, 0, sizeof(es));
	if (!out)
		return DW_EINVAL;
	if ((rc = front_init(&f, conf, src, progress, pctx)) != 0)
		return rc;
	res = calloc(1, sizeof(*res));
	if (!res) {
		rc = DW_ENOMEM;
		goto out;
	}
	if ((rc = front_run(&f)) != 0)
		goto out;
	if (progress)
		progress(pctx, "fuse", 0);
	es.f = &f;
	rc = dw_cib_pairs_finish(f.pairs, (uint32_t)conf->min_repeat,
				 &f.st.candidate_pairs, on_pair, &es);
	if (rc)
		goto out;
	f.st.spilled_runs = dw_cib_pairs_runs(f.pairs);
	f.st.peak_pair_bytes = dw_cib_pairs_peak(f.pairs);
	dw_cib_pairs_free(f.pairs);
	f.pairs = NULL;
	if ((rc = threshold(&f, &es, &f.st)) != 0)
		goto out;
	f.st.edges = es.n;
	if (progress)
		progress(pctx, "communities", 0);
	if ((rc = dw_cib_networks_build(conf, es.e, es.n, res)) != 0)
		goto out;
	free(es.e);
	free(es.chance);
	es.e = NULL;
	es.chance = NULL;
	for (int t = 0; t < DW_CIB__NTRACE; t++) {
		in[t].tr = f.tr[t];
		in[t].scan = f.tr[t] ? scanner(&f, t, &in[t].sctx) : NULL;
		if (!in[t].scan)
			in[t].tr = NULL;
	}
	rc = dw_cib_networks_explain(conf, src->naccounts, in, progress, pctx,
				     res);
	if (rc)
		goto out;
	res->st = f.st;
	res->text_post = f.text_post;
	res->ntext_post = f.text_post ? (size_t)f.nclusters + 1 : 0;
	f.text_post = NULL;
	*out = res;
	res = NULL;
	if (progress)
		progress(pctx, "done", 1);
out:
	free(es.e);
	free(es.chance);
	front_free(&f);
	dw_cib_result_free(res);
	return rc;
}

void dw_cib_result_free(struct dw_cib_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nnet; i++) {
		free(r->net[i].members);
		free(r->net[i].edges);
		free(r->net[i].evidence);
		free(r->net[i].top);
	}
	free(r->net);
	free(r->text_post);
	free(r);
}
