/*
 * pairs.c - bounded-memory accumulation of account pairs (see pairs.h).
 *
 * The table is a power-of-two array of entries, linear probing, key 0 free
 * (account ids start at 1, so no real key is 0), at most 70 % full.  It
 * doubles while the old and the new array together fit in mem_limit; past
 * that it spills: the used entries are packed to the front, sorted by key
 * and written with fwrite to a tmpfile() as one sorted run, and the table is
 * zeroed.  After MAX_RUNS runs they are merged into one (so open files and
 * merge buffers stay bounded whatever the input).  finish() emits straight
 * from the sorted table when nothing was spilled; otherwise it spills the
 * rest too, frees the table and merges the runs through a binary heap of
 * read cursors whose buffers share the same memory budget.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>

#include "cib/pairs.h"
#include "darkwatch/err.h"

struct ent {
	uint64_t key;
	uint64_t w;
	uint16_t cnt[DW_CIB__NTRACE]; /* objects co-shared, per trace
					 (saturating) */
	uint32_t shared;              /* all traces (saturating) */
};

#define MIN_CAP 16u
#define MAX_RUNS 64 /* then they are merged into one */

struct run {
	FILE *f;
	uint64_t n; /* entries in the file */
};

struct dw_cib_pairs {
	struct ent *t;
	size_t cap, n, mask;
	size_t mem_limit, peak;
	struct run *runs;
	size_t nruns, runs_cap;
	uint64_t written; /* runs ever written (before compaction) */
	int done;
};

/*
 * The table's memory: mmap'd and marked for transparent huge pages, since
 * every insert lands on a random cache line of a table of up to hundreds
 * of MiB (with 4 KiB pages nearly every insert is also a TLB miss).
 * Zero-filled, like calloc.  NULL on failure.
 */
#define TAB_MMAP ((size_t)4 << 20) /* smaller tables come from calloc */

static struct ent *tab_alloc(size_t n)
{
	size_t bytes;
	void *m;

	if (__builtin_mul_overflow(n, sizeof(struct ent), &bytes))
		return NULL;
	if (bytes < TAB_MMAP)
		return calloc(n, sizeof(struct ent));
	m = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(m, bytes, MADV_HUGEPAGE);
#endif
	return m;
}

static void tab_free(struct ent *t, size_t n)
{
	if (!t)
		return;
	if (n * sizeof(struct ent) < TAB_MMAP)
		free(t);
	else
		munmap(t, n * sizeof(struct ent));
}

static inline size_t slot(uint64_t k, size_t mask)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return (size_t)k & mask;
}

int dw_cib_pairs_new(size_t mem_limit, struct dw_cib_pairs **out)
{
	struct dw_cib_pairs *p;
	size_t cap = MIN_CAP;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return DW_ENOMEM;
	/* Start at 4 Ki entries (96 KiB) or what the limit allows. */
	while (cap < ((size_t)1 << 12) &&
	       cap * 2 * sizeof(struct ent) <= mem_limit)
		cap *= 2;
	p->t = tab_alloc(cap);
	if (!p->t) {
		free(p);
		return DW_ENOMEM;
	}
	p->cap = cap;
	p->mask = cap - 1;
	p->mem_limit = mem_limit;
	p->peak = cap * sizeof(struct ent);
	*out = p;
	return 0;
}

void dw_cib_pairs_free(struct dw_cib_pairs *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nruns; i++)
		if (p->runs[i].f)
			fclose(p->runs[i].f);
	free(p->runs);
	tab_free(p->t, p->cap);
	free(p);
}

uint64_t dw_cib_pairs_runs(const struct dw_cib_pairs *p)
{
	return p->written;
}

size_t dw_cib_pairs_peak(const struct dw_cib_pairs *p)
{
	return p->peak;
}

/*
 * In-place sort by key.  Not qsort(): glibc's qsort is a merge sort that
 * mallocs a copy of the array, which would double the memory the limit is
 * about.  Quicksort (median of three, the smaller side first by recursion)
 * with insertion sort below 16 and heapsort past a depth of 2 log2(n), so
 * O(n log n) whatever the keys.
 */
static void swap_ent(struct ent *a, struct ent *b)
{
	struct ent t = *a;
	*a = *b;
	*b = t;
}

static void heap_down(struct ent *a, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < n && a[l].key > a[m].key)
			m = l;
		if (l + 1 < n && a[l + 1].key > a[m].key)
			m = l + 1;
		if (m == i)
			return;
		swap_ent(&a[i], &a[m]);
		i = m;
	}
}

static void sort_ents(struct ent *a, size_t n, int depth)
{
	while (n > 16) {
		size_t i, j, mid = n / 2;
		uint64_t pv;
		if (depth-- == 0) {
			for (i = n / 2; i-- > 0;)
				heap_down(a, n, i);
			for (i = n; i-- > 1;) {
				swap_ent(&a[0], &a[i]);
				heap_down(a, i, 0);
			}
			return;
		}
		if (a[mid].key < a[0].key)
			swap_ent(&a[mid], &a[0]);
		if (a[n - 1].key < a[0].key)
			swap_ent(&a[n - 1], &a[0]);
		if (a[n - 1].key < a[mid].key)
			swap_ent(&a[n - 1], &a[mid]);
		pv = a[mid].key;
		i = 0;
		j = n - 1;
		for (;;) { /* Hoare partition */
			while (a[i].key < pv)
				i++;
			while (a[j].key > pv)
				j--;
			if (i >= j)
				break;
			swap_ent(&a[i], &a[j]);
			i++;
			j--;
		}
		/* [0, j] <= pv <= [j + 1, n) */
		if (j + 1 < n - j - 1) {
			sort_ents(a, j + 1, depth);
			a += j + 1;
			n -= j + 1;
		} else {
			sort_ents(a + j + 1, n - j - 1, depth);
			n = j + 1;
		}
	}
	for (size_t i = 1; i < n; i++) {
		struct ent t = a[i];
		size_t j = i;
		while (j > 0 && a[j - 1].key > t.key) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = t;
	}
}

/*
 * Pack the used entries with shared >= min_shared to the front and sort
 * them; returns their number.
 */
static uint32_t max_cnt(const struct ent *e)
{
	uint32_t m = 0;

	for (int t = 0; t < DW_CIB__NTRACE; t++)
		if (e->cnt[t] > m)
			m = e->cnt[t];
	return m;
}

static size_t pack_sort(struct dw_cib_pairs *p, uint32_t min_shared)
{
	size_t n = 0;
	int depth = 0;

	for (size_t i = 0; i < p->cap; i++)
		if (p->t[i].key && max_cnt(&p->t[i]) >= min_shared)
			p->t[n++] = p->t[i];
	for (size_t k = n; k > 1; k >>= 1)
		depth += 2;
	sort_ents(p->t, n, depth);
	return n;
}

static int compact(struct dw_cib_pairs *p);

static int spill(struct dw_cib_pairs *p)
{
	struct run *r;
	size_t n;
	FILE *f;

	if (p->nruns == p->runs_cap) {
		size_t nc = p->runs_cap ? p->runs_cap * 2 : 8;
		struct run *nr = realloc(p->runs, nc * sizeof(*nr));
		if (!nr)
			return DW_ENOMEM;
		p->runs = nr;
		p->runs_cap = nc;
	}
	f = tmpfile();
	if (!f)
		return errno ? -errno : DW_EIO;
	n = pack_sort(p, 0);
	if (fwrite(p->t, sizeof(struct ent), n, f) != n || fflush(f) != 0) {
		int e = errno ? -errno : DW_EIO;
		fclose(f);
		return e;
	}
	rewind(f);
	r = &p->runs[p->nruns++];
	p->written++;
	r->f = f;
	r->n = n;
	memset(p->t, 0, p->cap * sizeof(struct ent));
	p->n = 0;
	return p->nruns >= MAX_RUNS ? compact(p) : 0;
}

/* Double the table if old + new fit the limit; 1 if grown, 0 if not. */
static int grow(struct dw_cib_pairs *p)
{
	size_t nc = p->cap * 2, bytes;
	struct ent *nt;

	if (__builtin_mul_overflow(nc, sizeof(struct ent), &bytes) ||
	    bytes + p->cap * sizeof(struct ent) > p->mem_limit)
		return 0;
	nt = tab_alloc(nc);
	if (!nt)
		return 0; /* spilling is the fallback */
	for (size_t i = 0; i < p->cap; i++) {
		size_t s;
		if (!p->t[i].key)
			continue;
		s = slot(p->t[i].key, nc - 1);
		while (nt[s].key)
			s = (s + 1) & (nc - 1);
		nt[s] = p->t[i];
	}
	if (bytes + p->cap * sizeof(struct ent) > p->peak)
		p->peak = bytes + p->cap * sizeof(struct ent);
	tab_free(p->t, p->cap);
	p->t = nt;
	p->cap = nc;
	p->mask = nc - 1;
	return 1;
}

int dw_cib_pairs_add(struct dw_cib_pairs *p, uint32_t a, uint32_t b,
		     uint64_t w, int trace)
{
	uint64_t key = (uint64_t)a << 32 | b;
	size_t s = slot(key, p->mask);

	for (;;) {
		struct ent *e = &p->t[s];
		if (e->key == key) {
			e->w += w;
			if (e->shared != UINT32_MAX)
				e->shared++;
			if (e->cnt[trace] != UINT16_MAX)
				e->cnt[trace]++;
			return 0;
		}
		if (!e->key)
			break;
		s = (s + 1) & p->mask;
	}
	if ((p->n + 1) * 10 > p->cap * 7) {
		if (!grow(p)) {
			int rc = spill(p);
			if (rc < 0)
				return rc;
		}
		s = slot(key, p->mask);
		while (p->t[s].key)
			s = (s + 1) & p->mask;
	}
	p->t[s].key = key;
	p->t[s].w = w;
	memset(p->t[s].cnt, 0, sizeof(p->t[s].cnt));
	p->t[s].cnt[trace] = 1;
	p->t[s].shared = 1;
	p->n++;
	return 0;
}

static int emit(const struct ent *e, uint32_t min_shared,
		dw_cib_pair_fn fn, void *ctx)
{
	struct dw_cib_edge ed;

	if (max_cnt(e) < min_shared)
		return 0;
	ed.a = (uint32_t)(e->key >> 32);
	ed.b = (uint32_t)e->key;
	ed.weight = (double)e->w / DW_CIB_WSCALE;
	ed.shared = e->shared;
	ed.traces = 0;
	for (int t = 0; t < DW_CIB__NTRACE; t++)
		if (e->cnt[t])
			ed.traces |= 1u << t;
	return fn(ctx, &ed, e->cnt);
}

/* A read cursor over one run. */
struct cur {
	FILE *f;
	uint64_t left; /* entries not yet read from the file */
	struct ent *buf;
	size_t pos, len;
};

static int cur_fill(struct cur *c, size_t cap)
{
	size_t want = c->left < cap ? (size_t)c->left : cap;

	c->pos = 0;
	c->len = 0;
	if (!want)
		return 0;
	if (fread(c->buf, sizeof(struct ent), want, c->f) != want)
		return ferror(c->f) && errno ? -errno : DW_EIO;
	c->len = want;
	c->left -= want;
	return 0;
}

static inline uint64_t cur_key(const struct cur *c)
{
	return c->buf[c->pos].key;
}

static void sift(struct cur **h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < n && cur_key(h[l]) < cur_key(h[m]))
			m = l;
		if (l + 1 < n && cur_key(h[l + 1]) < cur_key(h[m]))
			m = l + 1;
		if (m == i)
			return;
		struct cur *t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/*
 * Merge every run so far, summing equal keys, into out() in key order.
 * Each run gets a read buffer of bufn entries.
 */
static int merge(struct dw_cib_pairs *p, size_t bufn,
		 int (*out)(void *octx, const struct ent *e), void *octx)
{
	size_t k = p->nruns, nh = 0;
	struct cur *cs = NULL, **h = NULL;
	struct ent acc;
	int have = 0, rc = 0;

	cs = calloc(k, sizeof(*cs));
	h = calloc(k, sizeof(*h));
	if (!cs || !h) {
		rc = DW_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < k; i++) {
		cs[i].f = p->runs[i].f;
		cs[i].left = p->runs[i].n;
		rewind(cs[i].f);
		cs[i].buf = malloc(bufn * sizeof(struct ent));
		if (!cs[i].buf) {
			rc = DW_ENOMEM;
			goto out;
		}
		if ((rc = cur_fill(&cs[i], bufn)) < 0)
			goto out;
		if (cs[i].len)
			h[nh++] = &cs[i];
	}
	/* the table (while compacting) and the buffers */
	size_t bytes = (p->t ? p->cap * sizeof(struct ent) : 0) +
		       bufn * sizeof(struct ent) * k;
	if (bytes > p->peak)
		p->peak = bytes;
	for (size_t i = nh / 2; i-- > 0;)
		sift(h, nh, i);
	while (nh) {
		struct cur *c = h[0];
		const struct ent *e = &c->buf[c->pos];
		if (have && acc.key == e->key) {
			acc.w += e->w;
			acc.shared = acc.shared + e->shared < acc.shared
					     ? UINT32_MAX
					     : acc.shared + e->shared;
			for (int t = 0; t < DW_CIB__NTRACE; t++)
				acc.cnt[t] = acc.cnt[t] + e->cnt[t] > UINT16_MAX
						     ? UINT16_MAX
						     : (uint16_t)(acc.cnt[t] +
								  e->cnt[t]);
		} else {
			if (have && (rc = out(octx, &acc)) != 0)
				goto out;
			acc = *e;
			have = 1;
		}
		if (++c->pos == c->len) {
			if ((rc = cur_fill(c, bufn)) < 0)
				goto out;
			if (!c->len)
				h[0] = h[--nh];
		}
		sift(h, nh, 0);
	}
	if (have)
		rc = out(octx, &acc);
out:
	if (cs)
		for (size_t i = 0; i < k; i++)
			free(cs[i].buf);
	free(cs);
	free(h);
	return rc;
}

static int out_file(void *octx, const struct ent *e)
{
	struct run *r = octx;

	if (fwrite(e, sizeof(*e), 1, r->f) != 1)
		return errno ? -errno : DW_EIO;
	r->n++;
	return 0;
}

/*
 * Too many runs would mean too many open files and merge buffers: merge
 * the ones so far into one (small buffers, as the table is still in use).
 */
static int compact(struct dw_cib_pairs *p)
{
	struct run r = {tmpfile(), 0};
	int rc;

	if (!r.f)
		return errno ? -errno : DW_EIO;
	rc = merge(p, 1024, out_file, &r);
	if (rc == 0 && fflush(r.f) != 0)
		rc = errno ? -errno : DW_EIO;
	if (rc) {
		fclose(r.f);
		return rc;
	}
	for (size_t i = 0; i < p->nruns; i++)
		fclose(p->runs[i].f);
	p->runs[0] = r;
	p->nruns = 1;
	return 0;
}

struct out_edges {
	uint32_t min_shared;
	uint64_t *distinct;
	dw_cib_pair_fn fn;
	void *ctx;
};

static int out_edge(void *octx, const struct ent *e)
{
	struct out_edges *o = octx;

	++*o->distinct;
	return emit(e, o->min_shared, o->fn, o->ctx);
}

int dw_cib_pairs_finish(struct dw_cib_pairs *p, uint32_t min_shared,
			uint64_t *distinct, dw_cib_pair_fn fn, void *ctx)
{
	struct out_edges o = {min_shared, distinct, fn, ctx};
	size_t bufn;
	int rc;

	*distinct = 0;
	if (p->done)
		return DW_EINVAL;
	p->done = 1;
	if (p->nruns == 0) {
		size_t n;
		*distinct = p->n;
		n = pack_sort(p, min_shared);
		for (size_t i = 0; i < n; i++)
			if ((rc = emit(&p->t[i], 0, fn, ctx)) != 0)
				return rc;
		return 0;
	}
	if (p->n && (rc = spill(p)) < 0)
		return rc;
	tab_free(p->t, p->cap);
	p->t = NULL;
	p->cap = 0;
	bufn = p->mem_limit / (sizeof(struct ent) * (p->nruns + 1));
	if (bufn < 64)
		bufn = 64;
	if (bufn > 8192)
		bufn = 8192;
	return merge(p, bufn, out_edge, &o);
}
