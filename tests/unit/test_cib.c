/*
 * test_cib.c - the coordinated-account engine (src/cib: trace, pairs,
 * minhash, cluster, engine) against references and planted networks.
 *
 *   - co-actions in window vs a brute force over all pairs of each object
 *     (weights, shared counts, traces, popular cut, repeated accounts,
 *     boundaries), on many small random inputs with two traces fused;
 *   - the spilled path (tiny mem_limit) gives bit-for-bit the in-memory
 *     result;
 *   - MinHash/LSH: paraphrases cluster, unrelated texts do not;
 *   - end to end: a planted group amid random organic activity is found
 *     exactly, pure organic activity gives nothing, the same seed gives the
 *     same result, the text trace finds a copy-paste group;
 *   - the real Russian retweet set (DW_SHARED) runs with defaults.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cib/minhash.h"
#include "darkwatch/cib.h"
#include "darkwatch/err.h"
#include "testutil.h"

/* ---- a small PRNG ---------------------------------------------------- */

static uint64_t rng_s = 42;

static uint64_t rnd(void)
{
	uint64_t z = (rng_s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double unif(void)
{
	return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0);
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(unif() * n);
}

/* realloc or stop the test: there is nothing to check without memory. */
static void *xgrow(void *p, size_t n, size_t size)
{
	void *q = realloc(p, n * size);
	if (!q) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return q;
}

/* ---- an in-memory source --------------------------------------------- */

struct memsrc {
	struct dw_cib_action *a[DW_CIB__NTRACE];
	size_t n[DW_CIB__NTRACE], cap[DW_CIB__NTRACE];
	struct dw_cib_text *tx;
	char **txt;
	size_t ntx, txcap;
	uint32_t naccounts, nobjects;
	int scans;
};

static void ms_add(struct memsrc *m, int trace, uint32_t o, uint32_t acc,
		   int64_t t)
{
	if (m->n[trace] == m->cap[trace]) {
		m->cap[trace] = m->cap[trace] ? m->cap[trace] * 2 : 256;
		m->a[trace] = xgrow(m->a[trace], m->cap[trace],
				    sizeof(*m->a[trace]));
	}
	struct dw_cib_action *x = &m->a[trace][m->n[trace]];
	x->object = o;
	x->account = acc;
	x->t = t;
	x->post = (int64_t)(m->n[trace] + 1) + 1000000 * trace;
	m->n[trace]++;
	if (acc > m->naccounts)
		m->naccounts = acc;
	if (o > m->nobjects)
		m->nobjects = o;
}

static void ms_text(struct memsrc *m, uint32_t acc, int64_t t,
		    const char *s)
{
	if (m->ntx == m->txcap) {
		m->txcap = m->txcap ? m->txcap * 2 : 64;
		m->tx = xgrow(m->tx, m->txcap, sizeof(*m->tx));
		m->txt = xgrow(m->txt, m->txcap, sizeof(*m->txt));
	}
	m->txt[m->ntx] = strdup(s);
	m->tx[m->ntx].post = 5000000 + (int64_t)m->ntx;
	m->tx[m->ntx].account = acc;
	m->tx[m->ntx].t = t;
	m->tx[m->ntx].text = m->txt[m->ntx];
	m->tx[m->ntx].len = strlen(s);
	m->ntx++;
	if (acc > m->naccounts)
		m->naccounts = acc;
}

static int cmp_act(const void *x, const void *y)
{
	const struct dw_cib_action *a = x, *b = y;
	if (a->object != b->object)
		return a->object < b->object ? -1 : 1;
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return (a->account > b->account) - (a->account < b->account);
}

static void ms_sort(struct memsrc *m)
{
	for (int t = 0; t < DW_CIB__NTRACE; t++)
		if (m->n[t] > 1)
			qsort(m->a[t], m->n[t], sizeof(*m->a[t]), cmp_act);
}

static void ms_free(struct memsrc *m)
{
	for (int t = 0; t < DW_CIB__NTRACE; t++)
		free(m->a[t]);
	for (size_t i = 0; i < m->ntx; i++)
		free(m->txt[i]);
	free(m->tx);
	free(m->txt);
	memset(m, 0, sizeof(*m));
}

static int ms_scan(void *ctx, int trace, dw_cib_action_fn fn, void *fctx)
{
	struct memsrc *m = ctx;
	m->scans++;
	for (size_t i = 0; i < m->n[trace]; i++) {
		int rc = fn(fctx, &m->a[trace][i]);
		if (rc)
			return rc;
	}
	return 0;
}

static int ms_texts(void *ctx, dw_cib_text_fn fn, void *fctx)
{
	struct memsrc *m = ctx;
	for (size_t i = 0; i < m->ntx; i++) {
		int rc = fn(fctx, &m->tx[i]);
		if (rc)
			return rc;
	}
	return 0;
}

static struct dw_cib_source ms_source(struct memsrc *m)
{
	struct dw_cib_source s = {m, ms_scan, ms_texts, m->naccounts,
				  m->nobjects};
	return s;
}

/* ---- collected edges ---------------------------------------------------- */

struct elist {
	struct dw_cib_edge *e;
	size_t n, cap;
	int order_ok;
};

static int on_edge(void *ctx, const struct dw_cib_edge *e)
{
	struct elist *l = ctx;
	if (l->n && (l->e[l->n - 1].a > e->a ||
		     (l->e[l->n - 1].a == e->a && l->e[l->n - 1].b >= e->b)))
		l->order_ok = 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->e = xgrow(l->e, l->cap, sizeof(*l->e));
	}
	l->e[l->n++] = *e;
	return 0;
}

/* ---- brute force ------------------------------------------------------- */

/*
 * The documented definitions, computed the slow way: N = accounts active in
 * the trace, n(o) distinct accounts, popular if n(o) > max(popular_min,
 * popular_share N), idf = ln(1 + N/n), S(a) = sum idf over distinct
 * non-popular objects, and every pair of distinct accounts with some
 * |ta - tb| <= window on a non-popular object counted once with
 * idf / sqrt(S(a) S(b)).
 */
static void brute(const struct dw_cib_conf *c, const struct memsrc *m,
		  double *w, uint32_t *sh, unsigned *tr)
{
	uint32_t na = m->naccounts, no = m->nobjects;
	size_t np = (size_t)(na + 1) * (na + 1);

	memset(w, 0, np * sizeof(*w));
	memset(sh, 0, np * sizeof(*sh));
	memset(tr, 0, np * sizeof(*tr));
	for (int t = 0; t < DW_CIB__NTRACE; t++) {
		const struct dw_cib_action *a = m->a[t];
		size_t n = m->n[t];
		uint8_t *on = calloc((size_t)(na + 1) * (no + 1), 1);
		double *S = calloc(na + 1, sizeof(double));
		uint32_t *cnt = calloc(no + 1, sizeof(uint32_t));
		double N = 0, cut;
		if (!(c->traces >> t & 1) || n == 0)
			goto next;
		for (size_t i = 0; i < n; i++)
			on[(size_t)a[i].account * (no + 1) + a[i].object] = 1;
		for (uint32_t x = 1; x <= na; x++) {
			int act = 0;
			for (uint32_t o = 1; o <= no; o++)
				if (on[(size_t)x * (no + 1) + o]) {
					cnt[o]++;
					act = 1;
				}
			N += act;
		}
		cut = c->popular_share * N;
		if (cut < c->popular_min)
			cut = c->popular_min;
		for (uint32_t x = 1; x <= na; x++)
			for (uint32_t o = 1; o <= no; o++)
				if (on[(size_t)x * (no + 1) + o] &&
				    cnt[o] <= (uint32_t)cut)
					S[x] += log(1 + N / cnt[o]);
		for (uint32_t o = 1; o <= no; o++) {
			if (cnt[o] < 2 || cnt[o] > (uint32_t)cut)
				continue;
			double idf = log(1 + N / cnt[o]);
			for (uint32_t x = 1; x <= na; x++)
				for (uint32_t y = x + 1; y <= na; y++) {
					int hit = 0;
					for (size_t i = 0; i < n && !hit; i++) {
						if (a[i].object != o ||
						    a[i].account != x)
							continue;
						for (size_t j = 0; j < n; j++)
							if (a[j].object == o &&
							    a[j].account == y &&
							    llabs(a[i].t - a[j].t) <=
								    c->window) {
								hit = 1;
								break;
							}
					}
					if (!hit)
						continue;
					size_t k = (size_t)x * (na + 1) + y;
					w[k] += idf / sqrt(S[x] * S[y]);
					sh[k]++;
					tr[k] |= 1u << t;
				}
		}
	next:
		free(on);
		free(S);
		free(cnt);
	}
}

static void test_window_brute(void)
{
	int bad = 0;

	for (int it = 0; it < 300; it++) {
		struct memsrc m;
		struct dw_cib_conf c = DW_CIB_CONF_DEFAULT;
		struct elist got = {NULL, 0, 0, 1}, spill = {NULL, 0, 0, 1};
		uint32_t na = 2 + below(25), no = 1 + below(15);
		int nact = (int)below(160);
		int64_t span = 1 + below(120);
		static const int64_t wins[] = {0, 1, 5, 10, 30, 60};

		memset(&m, 0, sizeof(m));
		c.window = wins[below(6)];
		c.traces = 1u << DW_CIB_RETWEET | 1u << DW_CIB_URL;
		c.popular_min = 2 + (int)below(8);
		c.popular_share = 0.05 + unif() * 0.5;
		for (int t = 0; t < 2; t++)
			for (int i = 0; i < nact; i++) {
				uint32_t acc = 1 + below(na);
				uint32_t o = 1 + below(no);
				int64_t tt = (int64_t)below((uint32_t)span);
				ms_add(&m, t, o, acc, tt);
				/* the same account again, at the boundary */
				if (below(8) == 0)
					ms_add(&m, t, o, acc, tt + c.window);
				if (below(8) == 0)
					ms_add(&m, t, o, 1 + below(na),
					       tt + c.window);
				if (below(8) == 0)
					ms_add(&m, t, o, 1 + below(na),
					       tt + c.window + 1);
			}
		/* naccounts/nobjects may exceed the ids used */
		m.naccounts = na + 1;
		m.nobjects = no + 1;
		ms_sort(&m);
		struct dw_cib_source src = ms_source(&m);
		CHECK_EQ_INT(dw_cib_pairs_dump(&c, &src, on_edge, &got), 0);
		c.mem_limit = 16 * 24 * 3; /* a few entries: spills */
		CHECK_EQ_INT(dw_cib_pairs_dump(&c, &src, on_edge, &spill), 0);
		CHECK(got.order_ok);
		CHECK(spill.order_ok);
		CHECK_EQ_U64(spill.n, got.n);
		if (spill.n == got.n)
			CHECK_EQ_MEM(spill.e, got.e, got.n * sizeof(*got.e));

		uint32_t N = m.naccounts;
		size_t np = (size_t)(N + 1) * (N + 1), cnt = 0;
		double *w = malloc(np * sizeof(*w));
		uint32_t *sh = malloc(np * sizeof(*sh));
		unsigned *tr = malloc(np * sizeof(*tr));
		brute(&c, &m, w, sh, tr);
		for (size_t k = 0; k < np; k++)
			cnt += sh[k] != 0;
		if (cnt != got.n)
			bad++;
		for (size_t i = 0; i < got.n && cnt == got.n; i++) {
			const struct dw_cib_edge *e = &got.e[i];
			size_t k = (size_t)e->a * (N + 1) + e->b;
			if (e->a >= e->b || sh[k] != e->shared ||
			    tr[k] != e->traces ||
			    fabs(w[k] - e->weight) > 1e-9) {
				bad++;
				fprintf(stderr,
					"it %d pair %u-%u: got %u %.12f %x, "
					"want %u %.12f %x\n",
					it, e->a, e->b, e->shared, e->weight,
					e->traces, sh[k], w[k], tr[k]);
				break;
			}
			if (e->weight > 2 + 1e-9)
				bad++; /* at most 1 per trace */
		}
		free(w);
		free(sh);
		free(tr);
		free(got.e);
		free(spill.e);
		ms_free(&m);
	}
	CHECK_EQ_INT(bad, 0);
}

/* Out-of-order and out-of-range input is refused, not trusted. */
static void test_bad_input(void)
{
	struct memsrc m;
	struct dw_cib_conf c = DW_CIB_CONF_DEFAULT;
	struct dw_cib_result *r = NULL;
	struct dw_cib_source src;

	memset(&m, 0, sizeof(m));
	ms_add(&m, 0, 2, 1, 10);
	ms_add(&m, 0, 1, 2, 10); /* objects going backwards */
	src = ms_source(&m);
	CHECK_EQ_INT(dw_cib_detect(&c, &src, NULL, NULL, &r), DW_EMALFORMED);
	CHECK(r == NULL);
	src.naccounts = 1; /* account 2 out of range */
	CHECK_EQ_INT(dw_cib_detect(&c, &src, NULL, NULL, &r), DW_EMALFORMED);
	c.window = -1;
	CHECK_EQ_INT(dw_cib_detect(&c, &src, NULL, NULL, &r), DW_EINVAL);
	ms_free(&m);

	for (int t = 0; t < DW_CIB__NTRACE; t++)
		CHECK_EQ_INT(dw_cib_trace_parse(dw_cib_trace_name(t)), t);
	CHECK_EQ_STR(dw_cib_trace_name(DW_CIB_HASHTAG), "hashtag");
	CHECK(dw_cib_trace_name(DW_CIB__NTRACE) == NULL);
	CHECK_EQ_INT(dw_cib_trace_parse("bogus"), -1);
}

/* ---- MinHash/LSH -------------------------------------------------------- */

static void rand_word(char *w)
{
	int n = 3 + (int)below(6);
	for (int i = 0; i < n; i++)
		w[i] = (char)('a' + below(26));
	w[n] = 0;
}

static void make_text(char (*vocab)[16], int nv, int nw, char *out,
		      size_t cap, int *idx)
{
	size_t len = 0;
	for (int i = 0; i < nw; i++) {
		int k = idx ? idx[i] : (int)below((uint32_t)nv);
		len += (size_t)snprintf(out + len, cap - len, "%s%s",
					i ? " " : "", vocab[k]);
	}
}

static void test_minhash(void)
{
	static char vocab[400][16];
	struct dw_cib_conf c = DW_CIB_CONF_DEFAULT;
	struct dw_cib_mh *mh = NULL;
	enum { FAM = 30, PARA = 5, NOISE = 300, NW = 20 };
	char buf[1024];
	int idx[NW];
	uint32_t ncl = 0;
	size_t n;
	int64_t post = 1;

	for (int i = 0; i < 400; i++)
		rand_word(vocab[i]);
	CHECK_EQ_INT(dw_cib_mh_new(&c, &mh), 0);
	for (int f = 0; f < FAM; f++) {
		for (int i = 0; i < NW; i++)
			idx[i] = (int)below(400);
		for (int p = 0; p <= PARA; p++) {
			int save[NW];
			memcpy(save, idx, sizeof(idx));
			/* paraphrase: 2 words replaced */
			if (p)
				for (int k = 0; k < 2; k++)
					idx[below(NW)] = (int)below(400);
			make_text(vocab, 400, NW, buf, sizeof(buf), idx);
			if (p == 1) { /* decorations that normalise away */
				size_t l = strlen(buf);
				snprintf(buf + l, sizeof(buf) - l, "%s",
					 " https://t.co/xYz @someone!!");
			}
			struct dw_cib_text t = {f * 100 + p, (uint32_t)f + 1,
						1000 + p, buf, strlen(buf)};
			CHECK_EQ_INT(dw_cib_mh_add(mh, &t), 0);
			memcpy(idx, save, sizeof(idx));
		}
	}
	for (int i = 0; i < NOISE; i++) {
		make_text(vocab, 400, NW, buf, sizeof(buf), NULL);
		struct dw_cib_text t = {100000 + post++, 99, 5, buf,
					strlen(buf)};
		CHECK_EQ_INT(dw_cib_mh_add(mh, &t), 0);
	}
	CHECK_EQ_INT(dw_cib_mh_cluster(mh, &ncl), 0);
	CHECK_EQ_INT(ncl, FAM);
	const struct dw_cib_mh_item *it = dw_cib_mh_items(mh, &n);
	CHECK_EQ_U64(n, FAM * (PARA + 1) + NOISE);
	int split = 0, noise_in = 0;
	for (size_t i = 0; i < n; i++) {
		if (it[i].post >= 100000) {
			noise_in += it[i].cluster != 0;
			continue;
		}
		/* all of a family in the cluster of its first text */
		size_t f0 = i - (size_t)(it[i].post % 100);
		if (it[i].cluster == 0 || it[i].cluster != it[f0].cluster)
			split++;
	}
	CHECK_EQ_INT(split, 0);
	CHECK_EQ_INT(noise_in, 0);
	dw_cib_mh_free(mh);

	/* the estimate: identical 1, a 2-word paraphrase high, unrelated 0 */
	const char *x = "the quick brown fox jumps over the lazy dog near "
			"the river bank today";
	const char *y = "The quick BROWN fox jumped over the lazy dog near "
			"the river bank today!";
	const char *z = "completely different words make another sentence "
			"about nothing at all";
	CHECK(dw_cib_mh_similarity(&c, x, strlen(x), x, strlen(x)) == 1.0);
	double sxy = dw_cib_mh_similarity(&c, x, strlen(x), y, strlen(y));
	double sxz = dw_cib_mh_similarity(&c, x, strlen(x), z, strlen(z));
	fprintf(stderr, "minhash: paraphrase %.2f unrelated %.2f\n", sxy, sxz);
	CHECK(sxy >= 0.6);
	CHECK(sxz < 0.2);
}

/* ---- synthetic organic activity with planted groups --------------------- */

struct zipf {
	double *cdf;
	uint32_t n;
};

static void zipf_init(struct zipf *z, uint32_t n, double s)
{
	double acc = 0;
	z->n = n;
	z->cdf = malloc(n * sizeof(double));
	for (uint32_t i = 0; i < n; i++) {
		acc += 1.0 / pow(i + 1.0, s);
		z->cdf[i] = acc;
	}
	for (uint32_t i = 0; i < n; i++)
		z->cdf[i] /= acc;
}

static uint32_t zipf_draw(const struct zipf *z)
{
	double u = unif();
	uint32_t lo = 0, hi = z->n - 1;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (z->cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo + 1;
}

#define DAY 86400
#define T0 1700000000LL

/*
 * Organic: nposts actions by accounts drawn by Zipf activity (s = 0.9) over
 * naccounts, on objects drawn by Zipf popularity (s = 1.0) over nobjects,
 * each at the object's birth time (uniform over `days`) plus an exponential
 * delay of mean 4 h: bursts after an object appears, as on the platforms.
 */
static void organic(struct memsrc *m, int trace, uint32_t naccounts,
		    uint32_t nobjects, uint32_t nposts, int days,
		    uint32_t acc_off)
{
	struct zipf za, zo;
	int64_t *birth = malloc((nobjects + 1) * sizeof(int64_t));

	zipf_init(&za, naccounts, 0.9);
	zipf_init(&zo, nobjects, 1.0);
	for (uint32_t o = 1; o <= nobjects; o++)
		birth[o] = T0 + (int64_t)(unif() * days * DAY);
	for (uint32_t i = 0; i < nposts; i++) {
		/* shuffle ranks so account 1 is not always the top */
		uint32_t a = zipf_draw(&za);
		a = (uint32_t)((a * 2654435761u) % naccounts) + 1;
		uint32_t o = zipf_draw(&zo);
		int64_t t = birth[o] + (int64_t)(-log(1 - unif()) * 4 * 3600);
		ms_add(m, trace, o, a + acc_off, t);
	}
	free(birth);
	free(za.cdf);
	free(zo.cdf);
}

/* A group acting together on `events` new objects (ids from obj0). */
static void plant(struct memsrc *m, int trace, const uint32_t *mem, int n,
		  int events, uint32_t obj0, double part, int jitter,
		  int days)
{
	for (int e = 0; e < events; e++) {
		int64_t t0 = T0 + (int64_t)(unif() * days * DAY);
		int k = 0;
		for (int i = 0; i < n; i++)
			if (unif() < part) {
				ms_add(m, trace, obj0 + (uint32_t)e, mem[i],
				       t0 + below((uint32_t)jitter + 1));
				k++;
			}
		if (k == 0)
			ms_add(m, trace, obj0 + (uint32_t)e, mem[0], t0);
	}
}

static int has_member(const struct dw_cib_network *n, uint32_t a)
{
	for (size_t i = 0; i < n->nmembers; i++)
		if (n->members[i].account == a)
			return 1;
	return 0;
}

static void check_edges(const struct dw_cib_conf *c,
			const struct dw_cib_result *r)
{
	uint64_t under = 0;

	for (size_t j = 0; j < r->nnet; j++) {
		const struct dw_cib_network *n = &r->net[j];
		CHECK_EQ_INT(n->id, j + 1);
		CHECK(n->nmembers >= (size_t)c->min_size);
		if (j)
			CHECK(r->net[j - 1].score >= n->score);
		for (size_t i = 0; i < n->nedges; i++) {
			CHECK(n->edges[i].shared >= (uint32_t)c->min_repeat);
			/* under the cut: kept by the chance test */
			if (n->edges[i].weight < r->st.weight_cut)
				under++;
			CHECK(has_member(n, n->edges[i].a));
			CHECK(has_member(n, n->edges[i].b));
		}
		for (size_t i = 0; i < n->nevidence; i++) {
			const struct dw_cib_evidence *e = &n->evidence[i];
			CHECK(has_member(n, e->a) && has_member(n, e->b));
			CHECK(llabs(e->ta - e->tb) <= c->window);
			CHECK(e->ta >= n->first_t && e->tb <= n->last_t);
		}
		CHECK(n->nevidence <= (size_t)c->max_evidence);
	}
	CHECK(under <= r->st.chance_edges);
	if (c->max_chance == 0)
		CHECK_EQ_U64(under, 0);
}

static int same_result(const struct dw_cib_result *x,
		       const struct dw_cib_result *y)
{
	if (x->nnet != y->nnet || x->st.edges != y->st.edges ||
	    x->st.candidate_pairs != y->st.candidate_pairs)
		return 0;
	for (size_t j = 0; j < x->nnet; j++) {
		const struct dw_cib_network *a = &x->net[j], *b = &y->net[j];
		if (a->score != b->score || a->nmembers != b->nmembers ||
		    a->nedges != b->nedges || a->nevidence != b->nevidence ||
		    a->ntop != b->ntop || a->first_t != b->first_t ||
		    a->last_t != b->last_t ||
		    memcmp(a->members, b->members,
			   a->nmembers * sizeof(*a->members)) ||
		    memcmp(a->edges, b->edges, a->nedges * sizeof(*a->edges)) ||
		    memcmp(a->evidence, b->evidence,
			   a->nevidence * sizeof(*a->evidence)) ||
		    memcmp(a->top, b->top, a->ntop * sizeof(*a->top)))
			return 0;
	}
	return 1;
}

static void print_result(const char *what, const struct dw_cib_result *r,
			 double secs)
{
	printf("%s: %zu networks, %" PRIu64 " candidate pairs, %" PRIu64
	       " window pairs, %" PRIu64 " edges (cut %.3f, %" PRIu64
	       " by chance test), %" PRIu64 " popular objects, %.2f s; sizes:",
	       what, r->nnet, r->st.candidate_pairs, r->st.window_pairs,
	       r->st.edges, r->st.weight_cut, r->st.chance_edges,
	       r->st.popular_objects, secs);
	for (size_t j = 0; j < r->nnet; j++)
		printf(" %zu", r->net[j].nmembers);
	printf("\n");
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_planted(void)
{
	struct memsrc m;
	struct dw_cib_conf c = DW_CIB_CONF_DEFAULT;
	struct dw_cib_result *r = NULL, *r2 = NULL;
	struct dw_cib_source src;
	uint32_t mem[10];
	double t0;

	/* pure organic: nothing */
	memset(&m, 0, sizeof(m));
	rng_s = 7;
	organic(&m, DW_CIB_RETWEET, 2000, 3000, 40000, 30, 0);
	organic(&m, DW_CIB_HASHTAG, 2000, 500, 20000, 30, 0);
	ms_sort(&m);
	src = ms_source(&m);
	t0 = now();
	CHECK_EQ_INT(dw_cib_detect(&c, &src, NULL, NULL, &r), 0);
	if (r) {
		print_result("organic 2000 accounts", r, now() - t0);
		CHECK_EQ_U64(r->nnet, 0);
		dw_cib_result_free(r);
		r = NULL;
	}
	ms_free(&m);

	/* the same with a group of 10 on 20 objects, 70 % participation */
	memset(&m, 0, sizeof(m));
	rng_s = 7;
	organic(&m, DW_CIB_RETWEET, 2000, 3000, 40000, 30, 0);
	organic(&m, DW_CIB_HASHTAG, 2000, 500, 20000, 30, 0);
	for (int i = 0; i < 10; i++)
		mem[i] = 1 + (uint32_t)i * 137; /* organic accounts too */
	plant(&m, DW_CIB_RETWEET, mem, 10, 20, 3001, 0.7, 20, 30);
	ms_sort(&m);
	src = ms_source(&m);
	t0 = now();
	CHECK_EQ_INT(dw_cib_detect(&c, &src, NULL, NULL, &r), 0);
	CHECK_EQ_INT(dw_cib_detect(&c, &src, NULL, NULL, &r2), 0);
	if (r && r2) {
		print_result("planted 10 of 2000", r, now() - t0);
		CHECK_EQ_U64(r->nnet, 1);
		if (r->nnet >= 1) {
			CHECK_EQ_U64(r->net[0].nmembers, 10);
			for (int i = 0; i < 10; i++)
				CHECK(has_member(&r->net[0], mem[i]));
			CHECK(r->net[0].nevidence > 0);
			CHECK(r->net[0].ntop > 0);
			CHECK(r->net[0].traces & 1u << DW_CIB_RETWEET);
		}
		check_edges(&c, r);
		CHECK(same_result(r, r2));
	}
	dw_cib_result_free(r);
	dw_cib_result_free(r2);
	r = r2 = NULL;

	/*
	 * A weight quantile on top: a cut at least min_weight; half the
	 * group's own edges go, so it may split, but only planted accounts
	 * are flagged.
	 */
	c.quantile = 0.5;
	CHECK_EQ_INT(dw_cib_detect(&c, &src, NULL, NULL, &r), 0);
	if (r) {
		CHECK(r->st.weight_cut >= c.min_weight);
		CHECK(r->st.edges > 0);
		CHECK(r->nnet >= 1);
		for (size_t j = 0; j < r->nnet; j++)
			for (size_t i = 0; i < r->net[j].nmembers; i++) {
				int hit = 0;
				for (int k = 0; k < 10; k++)
					hit |= r->net[j].members[i].account ==
					       mem[k];
				CHECK(hit);
			}
		check_edges(&c, r);
	}
	dw_cib_result_free(r);
	r = NULL;
	c.quantile = 0;

	/* spilled: the same networks */
	size_t lim = c.mem_limit;
	c.mem_limit = 1; /* the minimum table: > 64 runs, compacted */
	CHECK_EQ_INT(dw_cib_detect(&c, &src, NULL, NULL, &r), 0);
	c.mem_limit = lim;
	CHECK_EQ_INT(dw_cib_detect(&c, &src, NULL, NULL, &r2), 0);
	if (r && r2) {
		printf("spilled: %" PRIu64 " runs, peak %zu bytes\n",
		       r->st.spilled_runs, r->st.peak_pair_bytes);
		CHECK(r->st.spilled_runs > 64);
		CHECK_EQ_U64(r2->st.spilled_runs, 0);
		CHECK(same_result(r, r2));
	}
	dw_cib_result_free(r);
	dw_cib_result_free(r2);
	ms_free(&m);
}

/*
 * Busy accounts that also act together: 12 accounts with 300 retweets
 * each of random objects at random times, and 25 events of their own at
 * 50 % participation within 5 s.  Their cosine weights are ~0.02, far
 * under min_weight: only the chance test (max_chance) finds them, and it
 * must not flag the organic accounts around them.
 */
static void test_busy_group(void)
{
	struct memsrc m;
	struct dw_cib_conf c = DW_CIB_CONF_DEFAULT;
	struct dw_cib_result *r = NULL;
	struct dw_cib_source src;
	uint32_t mem[12];

	memset(&m, 0, sizeof(m));
	rng_s = 21;
	/* enough organic co-actions that the group's own are a small part */
	organic(&m, DW_CIB_RETWEET, 5000, 20000, 300000, 30, 0);
	for (int i = 0; i < 12; i++) {
		mem[i] = 5001 + (uint32_t)i;
		for (int k = 0; k < 300; k++)
			ms_add(&m, DW_CIB_RETWEET, 1 + below(20000), mem[i],
			       T0 + (int64_t)(unif() * 30 * DAY));
	}
	plant(&m, DW_CIB_RETWEET, mem, 12, 25, 20001, 0.5, 5, 30);
	ms_sort(&m);
	src = ms_source(&m);
	CHECK_EQ_INT(dw_cib_detect(&c, &src, NULL, NULL, &r), 0);
	if (r) {
		size_t found = 0;
		print_result("busy group of 12", r, 0);
		CHECK(r->nnet >= 1);
		CHECK(r->st.chance_edges > 0);
		/* sparse edges: Leiden may split it, but only members are
		 * flagged, and nearly all of them */
		for (size_t j = 0; j < r->nnet; j++)
			for (size_t i = 0; i < r->net[j].nmembers; i++) {
				CHECK(r->net[j].members[i].account > 5000);
				found++;
			}
		CHECK(found >= 10);
		check_edges(&c, r);
	}
	dw_cib_result_free(r);
	r = NULL;
	c.max_chance = 0; /* the weight alone misses them */
	CHECK_EQ_INT(dw_cib_detect(&c, &src, NULL, NULL, &r), 0);
	if (r)
		CHECK_EQ_U64(r->nnet, 0);
	dw_cib_result_free(r);
	ms_free(&m);
}

/* A group posting paraphrases of the same texts, found by the text trace. */
static void test_text_group(void)
{
	static char vocab[400][16];
	struct memsrc m;
	struct dw_cib_conf c = DW_CIB_CONF_DEFAULT;
	struct dw_cib_result *r = NULL;
	struct dw_cib_source src;
	char buf[1024];
	int idx[20];

	memset(&m, 0, sizeof(m));
	rng_s = 11;
	for (int i = 0; i < 400; i++)
		rand_word(vocab[i]);
	organic(&m, DW_CIB_RETWEET, 1000, 2000, 20000, 30, 0);
	for (int i = 0; i < 3000; i++) {
		make_text(vocab, 400, 20, buf, sizeof(buf), NULL);
		ms_text(&m, 1 + below(1000),
			T0 + (int64_t)(unif() * 30 * DAY), buf);
	}
	for (int e = 0; e < 15; e++) {
		int64_t t0 = T0 + (int64_t)(unif() * 30 * DAY);
		for (int i = 0; i < 20; i++)
			idx[i] = (int)below(400);
		for (uint32_t a = 1001; a <= 1008; a++) {
			int save = idx[a % 20];
			if (unif() < 0.3)
				continue;
			idx[a % 20] = (int)below(400); /* a word changed */
			make_text(vocab, 400, 20, buf, sizeof(buf), idx);
			idx[a % 20] = save;
			ms_text(&m, a, t0 + below(30), buf);
		}
	}
	ms_sort(&m);
	src = ms_source(&m);
	CHECK_EQ_INT(dw_cib_detect(&c, &src, NULL, NULL, &r), 0);
	if (r) {
		print_result("text group of 8", r, 0);
		CHECK_EQ_U64(r->nnet, 1);
		CHECK(r->st.text_clusters >= 14);
		CHECK_EQ_U64(r->ntext_post, r->st.text_clusters + 1);
		if (r->nnet) {
			CHECK_EQ_U64(r->net[0].nmembers, 8);
			CHECK(r->net[0].traces == 1u << DW_CIB_TEXT);
			for (size_t i = 0; i < r->net[0].nevidence; i++) {
				uint32_t o = r->net[0].evidence[i].object;
				CHECK(o >= 1 && o < r->ntext_post);
				CHECK(r->text_post[o] >= 5000000);
			}
		}
		check_edges(&c, r);
	}
	dw_cib_result_free(r);
	ms_free(&m);
}

/* ---- the Russian retweet set -------------------------------------------- */

struct idmap {
	char (*k)[40];
	uint32_t *v;
	size_t cap, n;
};

static uint32_t idmap_get(struct idmap *m, const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (const char *p = s; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	size_t i = (size_t)h & (m->cap - 1);
	while (m->v[i]) {
		if (strcmp(m->k[i], s) == 0)
			return m->v[i];
		i = (i + 1) & (m->cap - 1);
	}
	snprintf(m->k[i], sizeof(m->k[i]), "%s", s);
	m->v[i] = (uint32_t)++m->n;
	return m->v[i];
}

static void test_russian(void)
{
	const char *dir = getenv("DW_SHARED");
	char path[4096], line[512];
	struct idmap acc = {0}, obj = {0};
	struct memsrc m;
	FILE *f;
	int rows = 0;

	if (!dir || !*dir) {
		printf("russian: DW_SHARED not set, skipped\n");
		return;
	}
	snprintf(path, sizeof(path),
		 "%s/data/cib/coortweet/russian_coord_tweets.csv", dir);
	f = fopen(path, "r");
	CHECK(f != NULL);
	if (!f)
		return;
	acc.cap = obj.cap = 1 << 17;
	acc.k = calloc(acc.cap, sizeof(*acc.k));
	acc.v = calloc(acc.cap, sizeof(*acc.v));
	obj.k = calloc(obj.cap, sizeof(*obj.k));
	obj.v = calloc(obj.cap, sizeof(*obj.v));
	memset(&m, 0, sizeof(m));
	while (fgets(line, sizeof(line), f)) {
		char *o, *a, *ts, *save = NULL;
		long long t;
		if (rows++ == 0)
			continue; /* header */
		o = strtok_r(line, ",\r\n", &save);
		a = strtok_r(NULL, ",\r\n", &save);
		(void)strtok_r(NULL, ",\r\n", &save);
		ts = strtok_r(NULL, ",\r\n", &save);
		if (!o || !a || !ts || sscanf(ts, "%lld", &t) != 1)
			continue;
		ms_add(&m, DW_CIB_RETWEET, idmap_get(&obj, o),
		       idmap_get(&acc, a), t);
	}
	fclose(f);
	CHECK_EQ_U64(m.n[DW_CIB_RETWEET], 35125);
	ms_sort(&m);

	struct dw_cib_conf c = DW_CIB_CONF_DEFAULT;
	struct dw_cib_result *r = NULL, *r2 = NULL;
	struct dw_cib_source src = ms_source(&m);
	double t0 = now();
	CHECK_EQ_INT(dw_cib_detect(&c, &src, NULL, NULL, &r), 0);
	double dt = now() - t0;
	CHECK_EQ_INT(dw_cib_detect(&c, &src, NULL, NULL, &r2), 0);
	if (r && r2) {
		printf("russian: %zu accounts, %zu objects\n", acc.n, obj.n);
		print_result("russian (defaults)", r, dt);
		CHECK(same_result(r, r2));
		check_edges(&c, r);
		for (size_t j = 0; j < r->nnet; j++)
			for (size_t i = 0; i < r->net[j].nmembers; i++)
				CHECK(r->net[j].members[i].account >= 1 &&
				      r->net[j].members[i].account <= acc.n);
		for (size_t j = 0; j < r->nnet && j < 5; j++)
			printf("  network %u: %zu members, %zu edges, score "
			       "%.3f, %zu evidence, period %lld..%lld\n",
			       r->net[j].id, r->net[j].nmembers,
			       r->net[j].nedges, r->net[j].score,
			       r->net[j].nevidence,
			       (long long)r->net[j].first_t,
			       (long long)r->net[j].last_t);
	}
	dw_cib_result_free(r);
	dw_cib_result_free(r2);

	/*
	 * The same data under looser settings, for the record: CooRTweet's
	 * vignette reads this set with a 60 s window and 2 repetitions; the
	 * engine's defaults ask for 3 (docs/CIB.md).
	 */
	static const struct {
		int64_t window;
		int repeat;
	} alt[] = {{60, 2}, {600, 3}, {3600, 3}};
	for (size_t i = 0; i < sizeof(alt) / sizeof(alt[0]); i++) {
		char what[64];
		c.window = alt[i].window;
		c.min_repeat = alt[i].repeat;
		snprintf(what, sizeof(what), "russian (window %lld, repeat %d)",
			 (long long)c.window, c.min_repeat);
		t0 = now();
		CHECK_EQ_INT(dw_cib_detect(&c, &src, NULL, NULL, &r), 0);
		if (r) {
			print_result(what, r, now() - t0);
			check_edges(&c, r);
		}
		dw_cib_result_free(r);
		r = NULL;
	}
	ms_free(&m);
	free(acc.k);
	free(acc.v);
	free(obj.k);
	free(obj.v);
}

static void on_progress(void *ctx, const char *stage, double frac)
{
	double *t0 = ctx;
	if (frac == 0 || frac == 1)
		printf("  %7.2f s  %s %.0f%%\n", now() - *t0, stage, frac * 100);
}

/*
 * Scale and null test, off unless DW_CIB_BIG=<posts> (e.g. 10000000):
 * organic activity in the lead's benchmark proportions (posts/10 accounts,
 * posts/5 objects for the retweet trace, 70 % of posts; 30 % hashtags on
 * 50k), with DW_CIB_PLANT=<networks> planted groups of 5..50 accounts, 25
 * events, participation 0.5..0.9, jitter 5..50 s.  Prints time, throughput
 * and membership precision / recall.
 */
static void test_big(void)
{
	const char *e = getenv("DW_CIB_BIG"), *pe = getenv("DW_CIB_PLANT");
	uint32_t posts = e ? (uint32_t)strtoul(e, NULL, 10) : 0;
	int nplant = pe ? (int)strtol(pe, NULL, 10) : 0;
	struct memsrc m;
	struct dw_cib_conf c = DW_CIB_CONF_DEFAULT;
	struct dw_cib_result *r = NULL;
	uint32_t na, no, *truth;
	double t0;

	if (!posts)
		return;
	if (getenv("DW_CIB_REPEAT"))
		c.min_repeat = (int)strtol(getenv("DW_CIB_REPEAT"), NULL, 10);
	if (getenv("DW_CIB_WEIGHT"))
		c.min_weight = strtod(getenv("DW_CIB_WEIGHT"), NULL);
	if (getenv("DW_CIB_MEM")) /* bytes: force spilling */
		c.mem_limit = (size_t)strtoull(getenv("DW_CIB_MEM"), NULL, 10);
	memset(&m, 0, sizeof(m));
	rng_s = 99;
	na = posts / 10;
	no = posts / 5;
	t0 = now();
	organic(&m, DW_CIB_RETWEET, na, no, posts / 10 * 7, 30, 0);
	organic(&m, DW_CIB_HASHTAG, na, 50000, posts / 10 * 3, 30, 0);
	truth = calloc(na + 1, sizeof(*truth));
	for (int k = 0; k < nplant; k++) {
		int n = 5 + (int)below(46);
		uint32_t mem[50];
		for (int i = 0; i < n; i++) {
			do
				mem[i] = 1 + below(na);
			while (truth[mem[i]]);
			truth[mem[i]] = (uint32_t)k + 1;
		}
		plant(&m, DW_CIB_RETWEET, mem, n, 25, no + 1 + (uint32_t)k * 25,
		      0.5 + 0.4 * unif(), 5 + (int)below(46), 30);
	}
	const char *te = getenv("DW_CIB_TEXTS");
	uint32_t ntexts = te ? (uint32_t)strtoul(te, NULL, 10) : 0;
	if (ntexts) {
		static char vocab[5000][16];
		char buf[1024];
		for (int i = 0; i < 5000; i++)
			rand_word(vocab[i]);
		for (uint32_t i = 0; i < ntexts; i++) {
			make_text(vocab, 5000, 12 + (int)below(20), buf,
				  sizeof(buf), NULL);
			ms_text(&m, 1 + below(na),
				T0 + (int64_t)(unif() * 30 * DAY), buf);
		}
	}
	m.naccounts = na;
	ms_sort(&m);
	printf("big: %zu actions generated in %.1f s\n",
	       m.n[0] + m.n[DW_CIB_HASHTAG], now() - t0);
	struct dw_cib_source src = ms_source(&m);
	t0 = now();
	CHECK_EQ_INT(dw_cib_detect(&c, &src, on_progress, &t0, &r), 0);
	double dt = now() - t0;
	if (r) {
		uint64_t acts = r->st.actions[0] + r->st.actions[3];
		print_result("big", r, dt);
		printf("big: %" PRIu64 " texts in %" PRIu64 " clusters\n",
		       r->st.texts, r->st.text_clusters);
		printf("big: %.2f M actions/s, %.2f M window pairs/s, peak pair "
		       "table %.1f MiB, %" PRIu64 " runs\n",
		       acts / dt / 1e6, r->st.window_pairs / dt / 1e6,
		       r->st.peak_pair_bytes / 1048576.0, r->st.spilled_runs);
		uint64_t tp = 0, fp = 0, planted = 0;
		for (uint32_t a = 1; a <= na; a++)
			planted += truth[a] != 0;
		for (size_t j = 0; j < r->nnet; j++) {
			const struct dw_cib_network *n = &r->net[j];
			int nf = 0;
			for (size_t i = 0; i < n->nmembers; i++) {
				if (truth[n->members[i].account])
					tp++;
				else
					nf++;
			}
			fp += (uint64_t)nf;
			for (size_t i = 0; nf && i < n->nedges; i++)
				printf("big: false network %u edge %u-%u (groups "
				       "%u %u) shared %u weight %.4f traces "
				       "%x\n",
				       n->id, n->edges[i].a, n->edges[i].b,
				       truth[n->edges[i].a],
				       truth[n->edges[i].b], n->edges[i].shared,
				       n->edges[i].weight, n->edges[i].traces);
		}
		printf("big: planted %" PRIu64 " accounts in %d groups; "
		       "flagged %" PRIu64 " true, %" PRIu64 " false; "
		       "precision %.3f recall %.3f\n",
		       planted, nplant, tp, fp,
		       tp + fp ? (double)tp / (tp + fp) : 1.0,
		       planted ? (double)tp / planted : 1.0);
		check_edges(&c, r);
	}
	dw_cib_result_free(r);
	free(truth);
	ms_free(&m);
}

int main(void)
{
	test_window_brute();
	test_bad_input();
	test_minhash();
	test_planted();
	test_busy_group();
	test_text_group();
	test_russian();
	test_big();
	return dw_test_finish();
}
