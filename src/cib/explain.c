/*
 * explain.c - what an investigator sees of each network: evidence rows,
 * active period, top objects.
 *
 * One more scan per trace, restricted to the members' accounts (a table
 * account -> network, so a non-member action costs one lookup).  Per
 * object: the members' action counts per network feed a bounded min-heap
 * of top objects per network; then, on non-popular objects only, every
 * pair of members of the same network within the window is a co-action,
 * kept once per (pair, object) with the closest times.  Co-actions move
 * the network's first/last time and feed a bounded min-heap of the most
 * recent max_evidence rows.  Heaps keep memory at networks x (max_evidence
 * + max_top) whatever the data; ties are broken on ids so that the output
 * does not depend on the scan's order beyond its sort.
 */
#include <stdlib.h>
#include <string.h>

#include "cib/network.h"
#include "darkwatch/err.h"
struct explain {
	const struct dw_cib_conf *conf;
	struct dw_cib_result *res;
	const uint32_t *net_of; /* account -> network index + 1 */
	struct dw_cib_tr *tr;
	int trace;
	struct dw_cib_evidence *ev; /* [nnet][max_evidence] heaps */
	size_t *nev;
	struct dw_cib_top *top;     /* [nnet][max_top] heaps, this trace */
	size_t *ntop;
	uint32_t *cnt;              /* per network, this object */
	uint32_t *touched;
	struct dw_cib_evidence *rows; /* this object's candidate rows */
	size_t nrows, rows_cap;
};

/* Evidence heap order: the root is the least recent (to be replaced). */
static int ev_less(const struct dw_cib_evidence *x,
		   const struct dw_cib_evidence *y)
{
	int64_t tx = x->ta > x->tb ? x->ta : x->tb;
	int64_t ty = y->ta > y->tb ? y->ta : y->tb;

	if (tx != ty)
		return tx < ty;
	if (x->trace != y->trace)
		return x->trace > y->trace;
	if (x->object != y->object)
		return x->object > y->object;
	if (x->a != y->a)
		return x->a > y->a;
	return x->b > y->b;
}

/* Top heap order: the root is the least shared (ties: larger object id). */
static int top_less(const struct dw_cib_top *x, const struct dw_cib_top *y)
{
	if (x->count != y->count)
		return x->count < y->count;
	return x->object > y->object;
}

static int ev_less_v(const void *x, const void *y)
{
	return ev_less(x, y);
}

static int top_less_v(const void *x, const void *y)
{
	return top_less(x, y);
}

/*
 * Push e (sz bytes) into the bounded min-heap h of *n elements (at most
 * cap) ordered by less: while there is room it is added; when full it
 * replaces the root if the root is less than it, else it is dropped.  So
 * the heap keeps the cap greatest elements seen.
 */
static void heap_push(void *h, size_t *n, size_t cap, size_t sz,
		      const void *e, int (*less)(const void *, const void *))
{
	unsigned char *b = h;
	size_t i;

	if (cap == 0)
		return;
	if (*n < cap) {
		i = (*n)++;
		while (i > 0 && less(e, b + (i - 1) / 2 * sz)) {
			memcpy(b + i * sz, b + (i - 1) / 2 * sz, sz);
			i = (i - 1) / 2;
		}
		memcpy(b + i * sz, e, sz);
		return;
	}
	if (!less(b, e))
		return;
	i = 0;
	for (;;) {
		size_t l = 2 * i + 1, m = l;
		if (l >= *n)
			break;
		if (l + 1 < *n && less(b + (l + 1) * sz, b + l * sz))
			m = l + 1;
		if (!less(b + m * sz, e))
			break;
		memcpy(b + i * sz, b + m * sz, sz);
		i = m;
	}
	memcpy(b + i * sz, e, sz);
}

static int cmp_row(const void *x, const void *y)
{
	const struct dw_cib_evidence *a = x, *b = y;
	int64_t da = llabs(a->ta - a->tb), db = llabs(b->ta - b->tb);

	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	if (a->b != b->b)
		return a->b < b->b ? -1 : 1;
	if (da != db)
		return da < db ? -1 : 1;
	return (a->ta > b->ta) - (a->ta < b->ta);
}

static int g_explain(void *ctx, const struct dw_cib_action *a, size_t n)
{
	struct explain *x = ctx;
	uint32_t o = a[0].object;
	size_t nt = 0, mt = (size_t)x->conf->max_top;
	size_t me = (size_t)x->conf->max_evidence;

	/* top objects: members' actions on o, per network */
	for (size_t i = 0; i < n; i++) {
		uint32_t k = x->net_of[a[i].account] - 1;
		if (x->cnt[k]++ == 0)
			x->touched[nt++] = k;
	}
	for (size_t i = 0; i < nt; i++) {
		uint32_t k = x->touched[i];
		struct dw_cib_top t = {o, x->trace, x->cnt[k]};
		heap_push(x->top + (size_t)k * mt, &x->ntop[k], mt, sizeof(t), &t,
			  top_less_v);
		x->cnt[k] = 0;
	}
	if (dw_cib_tr_popular(x->tr, o))
		return 0;
	/* co-actions of two members of one network in the window */
	x->nrows = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t k = x->net_of[a[i].account];
		for (size_t j = i + 1;
		     j < n && a[j].t - a[i].t <= x->conf->window; j++) {
			struct dw_cib_evidence *r;
			if (a[j].account == a[i].account ||
			    x->net_of[a[j].account] != k)
				continue;
			if (x->nrows == x->rows_cap) {
				size_t nc = x->rows_cap ? x->rows_cap * 2 : 64;
				r = realloc(x->rows, nc * sizeof(*r));
				if (!r)
					return DW_ENOMEM;
				x->rows = r;
				x->rows_cap = nc;
			}
			r = &x->rows[x->nrows++];
			r->object = o;
			r->trace = x->trace;
			if (a[i].account < a[j].account) {
				r->a = a[i].account;
				r->b = a[j].account;
				r->ta = a[i].t;
				r->tb = a[j].t;
			} else {
				r->a = a[j].account;
				r->b = a[i].account;
				r->ta = a[j].t;
				r->tb = a[i].t;
			}
		}
	}
	/* one row per (pair, object): the closest in time */
	if (x->nrows > 1)
		qsort(x->rows, x->nrows, sizeof(*x->rows), cmp_row);
	for (size_t i = 0; i < x->nrows; i++) {
		const struct dw_cib_evidence *r = &x->rows[i];
		struct dw_cib_network *net;
		uint32_t k;
		if (i && r->a == r[-1].a && r->b == r[-1].b)
			continue;
		k = x->net_of[r->a] - 1;
		net = &x->res->net[k];
		int64_t lo = r->ta < r->tb ? r->ta : r->tb;
		int64_t hi = r->ta < r->tb ? r->tb : r->ta;
		if (lo < net->first_t)
			net->first_t = lo;
		if (hi > net->last_t)
			net->last_t = hi;
		heap_push(x->ev + (size_t)k * me, &x->nev[k], me, sizeof(*r), r,
			  ev_less_v);
	}
	return 0;
}

static int cmp_top_out(const void *x, const void *y)
{
	const struct dw_cib_top *a = x, *b = y;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return (a->object > b->object) - (a->object < b->object);
}

static int cmp_ev_out(const void *x, const void *y)
{
	const struct dw_cib_evidence *a = x, *b = y;

	if (a->ta != b->ta)
		return a->ta < b->ta ? -1 : 1;
	if (a->tb != b->tb)
		return a->tb < b->tb ? -1 : 1;
	if (a->trace != b->trace)
		return a->trace < b->trace ? -1 : 1;
	if (a->object != b->object)
		return a->object < b->object ? -1 : 1;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return (a->b > b->b) - (a->b < b->b);
}

int dw_cib_networks_explain(const struct dw_cib_conf *conf,
			    uint32_t naccounts,
			    const struct dw_cib_trace_in in[DW_CIB__NTRACE],
			    dw_cib_progress_fn progress, void *pctx,
			    struct dw_cib_result *res)
{
	struct explain x;
	uint32_t *net_of = NULL;
	size_t nnet = res->nnet, mt = (size_t)conf->max_top;
	size_t me = (size_t)conf->max_evidence, ntr = 0;
	int rc = DW_ENOMEM;

	if (nnet == 0)
		return 0;
	memset(&x, 0, sizeof(x));
	net_of = calloc((size_t)naccounts + 1, sizeof(*net_of));
	x.ev = malloc((nnet * me + 1) * sizeof(*x.ev));
	x.nev = calloc(nnet, sizeof(*x.nev));
	x.top = malloc((nnet * mt + 1) * sizeof(*x.top));
	x.ntop = calloc(nnet, sizeof(*x.ntop));
	x.cnt = calloc(nnet, sizeof(*x.cnt));
	x.touched = malloc(nnet * sizeof(*x.touched));
	if (!net_of || !x.ev || !x.nev || !x.top || !x.ntop || !x.cnt ||
	    !x.touched)
		goto out;
	for (int t = 0; t < DW_CIB__NTRACE; t++)
		ntr += in[t].tr != NULL;
	for (size_t j = 0; j < nnet; j++) {
		struct dw_cib_network *n = &res->net[j];
		for (size_t i = 0; i < n->nmembers; i++)
			net_of[n->members[i].account] = (uint32_t)(j + 1);
		n->first_t = INT64_MAX;
		n->last_t = INT64_MIN;
		n->top = malloc((mt * ntr + 1) * sizeof(*n->top));
		if (!n->top)
			goto out;
	}
	x.conf = conf;
	x.res = res;
	x.net_of = net_of;
	for (int t = 0; t < DW_CIB__NTRACE; t++) {
		if (!in[t].tr)
			continue;
		if (progress)
			progress(pctx, "evidence", (double)t / DW_CIB__NTRACE);
		x.tr = in[t].tr;
		x.trace = t;
		memset(x.ntop, 0, nnet * sizeof(*x.ntop));
		rc = dw_cib_tr_groups(in[t].tr, in[t].scan, in[t].sctx, net_of,
				      g_explain, &x);
		if (rc)
			goto out;
		rc = DW_ENOMEM;
		for (size_t j = 0; j < nnet; j++) {
			struct dw_cib_network *n = &res->net[j];
			struct dw_cib_top *h = x.top + j * mt;
			qsort(h, x.ntop[j], sizeof(*h), cmp_top_out);
			memcpy(n->top + n->ntop, h, x.ntop[j] * sizeof(*h));
			n->ntop += x.ntop[j];
		}
	}
	for (size_t j = 0; j < nnet; j++) {
		struct dw_cib_network *n = &res->net[j];
		if (n->first_t == INT64_MAX)
			n->first_t = n->last_t = 0;
		n->evidence = malloc((x.nev[j] ? x.nev[j] : 1) *
				     sizeof(*n->evidence));
		if (!n->evidence)
			goto out;
		memcpy(n->evidence, x.ev + j * me,
		       x.nev[j] * sizeof(*n->evidence));
		n->nevidence = x.nev[j];
		qsort(n->evidence, n->nevidence, sizeof(*n->evidence),
		      cmp_ev_out);
	}
	if (progress)
		progress(pctx, "evidence", 1);
	rc = 0;
out:
	free(net_of);
	free(x.ev);
	free(x.nev);
	free(x.top);
	free(x.ntop);
	free(x.cnt);
	free(x.touched);
	free(x.rows);
	return rc;
}
