/*
 * detect.c - the detector object, state save/load, and the event tracker.
 *
 * Dispatches to the methods (median.c, seasonal.c) through a table, so a
 * caller handles every method alike.  Saved state is a small header (magic,
 * version, method, step, a hash of the parameters) followed by the
 * method's bytes: a state saved under other parameters or another step is
 * refused (DW_EFORMAT) and the caller recomputes from the series' start,
 * rather than continuing from a memory that means something else.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "darkwatch/err.h"
#include "detect/detect_int.h"

#define STATE_MAGIC 0x44545331u /* "DTS1" */

static const struct {
	const char *name;
	int (*mk)(struct dw_detector *);
	void (*fr)(struct dw_detector *);
	int (*push)(struct dw_detector *, int64_t, double,
		    const struct dw_detect_sink *);
	int (*save)(const struct dw_detector *, struct dw_bytes *);
	int (*load)(struct dw_detector *, struct dw_bytes *);
} methods[DW_DETECT_NMETHODS] = {
	{"median", dw_med_new, dw_med_free, dw_med_push, dw_med_save, dw_med_load},
	{"seasonal", dw_sea_new, dw_sea_free, dw_sea_push, dw_sea_save,
	 dw_sea_load},
};

const char *dw_detect_method_name(int method)
{
	return method >= 0 && method < DW_DETECT_NMETHODS ? methods[method].name
							  : NULL;
}

int dw_detect_method_find(const char *s)
{
	for (int i = 0; s && i < DW_DETECT_NMETHODS; i++)
		if (!strcmp(s, methods[i].name))
			return i;
	return -1;
}

int dw_bytes_put(struct dw_bytes *b, const void *src, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n)
			cap *= 2;
		unsigned char *p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
	return 0;
}

int dw_bytes_get(struct dw_bytes *b, void *dst, size_t n)
{
	if (b->len - b->pos < n)
		return -1;
	memcpy(dst, b->p + b->pos, n);
	b->pos += n;
	return 0;
}

static void swapd(double *a, double *b)
{
	double t = *a;
	*a = *b;
	*b = t;
}

/* Quickselect of the k-th smallest (0-based). */
static double select_k(double *a, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;
	while (lo < hi) {
		double pivot = a[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;
		while (i <= j) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i <= j) {
				swapd(&a[i], &a[j]);
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return a[k];
}

double dw_detect_median(double *a, size_t n)
{
	double hi = select_k(a, n, n / 2);
	if (n % 2)
		return hi;
	/* the lower middle is the largest of the lower half */
	double lo = a[0];
	for (size_t i = 1; i < n / 2; i++)
		if (a[i] > lo)
			lo = a[i];
	return (lo + hi) / 2;
}

int dw_detector_new(int method, const struct dw_detect_params *p,
		    int64_t step, struct dw_detector **out)
{
	struct dw_detector *d;
	int rc;

	*out = NULL;
	if (!dw_detect_method_name(method) || step < 1 || step > 86400 ||
	    p->med_window < step || p->level_window < 1 ||
	    p->med_window / step > (1 << 22))
		return DW_EINVAL;
	if (!(d = calloc(1, sizeof(*d))))
		return DW_ENOMEM;
	d->method = method;
	d->step = step;
	d->p = *p;
	d->last_t = INT64_MIN;
	if ((rc = methods[method].mk(d)) < 0) {
		dw_detector_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

void dw_detector_free(struct dw_detector *d)
{
	if (!d)
		return;
	methods[d->method].fr(d);
	free(d);
}

int dw_detector_push(struct dw_detector *d, int64_t t, double value,
		     const struct dw_detect_sink *sink)
{
	if (t <= d->last_t || !isfinite(value))
		return DW_EINVAL;
	d->last_t = t;
	return methods[d->method].push(d, t, value, sink);
}

int64_t dw_detector_last_t(const struct dw_detector *d)
{
	return d->last_t;
}

/* FNV-1a over the parameters, so a state is only reused under them. */
static uint64_t params_hash(const struct dw_detector *d)
{
	const unsigned char *b = (const unsigned char *)&d->p;
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < sizeof(d->p); i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h ^ (uint64_t)d->step ^ ((uint64_t)d->method << 40);
}

int dw_detector_save(const struct dw_detector *d, unsigned char **buf,
		     size_t *len)
{
	struct dw_bytes b = {0};
	uint32_t magic = STATE_MAGIC;
	uint64_t h = params_hash(d);
	int rc;

	*buf = NULL;
	*len = 0;
	if (dw_bytes_put(&b, &magic, 4) || dw_bytes_put(&b, &h, 8) ||
	    dw_bytes_put(&b, &d->last_t, 8)) {
		free(b.p);
		return DW_ENOMEM;
	}
	if ((rc = methods[d->method].save(d, &b)) < 0) {
		free(b.p);
		return rc;
	}
	*buf = b.p;
	*len = b.len;
	return 0;
}

int dw_detector_load(struct dw_detector *d, const unsigned char *buf,
		     size_t len)
{
	struct dw_bytes b = {(unsigned char *)buf, len, len, 0};
	uint32_t magic;
	uint64_t h;
	int64_t last;

	if (dw_bytes_get(&b, &magic, 4) || magic != STATE_MAGIC ||
	    dw_bytes_get(&b, &h, 8) || h != params_hash(d) ||
	    dw_bytes_get(&b, &last, 8))
		return DW_EFORMAT;
	if (methods[d->method].load(d, &b) < 0 || b.pos != b.len)
		return DW_EFORMAT;
	d->last_t = last;
	return 0;
}

double dw_alert_drop(const struct dw_alert *a)
{
	double h = a->history, v = a->value, m;
	if (!isfinite(h) || v >= h)
		return 0;
	m = fmax(h, v);
	return m > 0 ? fabs(h - v) / m * 100 : 0;
}

int dw_event_feed(struct dw_event_state *e, const struct dw_alert *a,
		  int64_t step)
{
	if (a->level == DW_LEVEL_NORMAL) {
		if (!e->open)
			return 0;
		e->open = 0;
		return 3;
	}
	double drop = dw_alert_drop(a);
	int r = 2;
	if (!e->open) {
		memset(e, 0, sizeof(*e));
		e->open = 1;
		e->t_start = a->t;
		r = 1;
	}
	e->t_last = a->t;
	e->score += drop * (double)step / 60.0;
	if (drop > e->max_drop)
		e->max_drop = drop;
	return r;
}
