/*
 * median.c - IODA's detector: moving median, fixed fractions, inpainting.
 *
 * The baseline darkwatch is measured against (DOMAIN.md §3), reproduced
 * exactly: history = median of the values fed in [t - window, t); an alert
 * is critical below crit x history, warning below warn x history; while
 * value/history is below `low` or above `high` the history is fed the
 * prediction instead of the value, for at most inpaint_max seconds of a
 * run; nothing is said before warmup seconds of data.
 *
 * Key decision: the window is a ring of (t, fed value) plus a sorted copy
 * kept by insertion (memmove), O(window) per bin.  At IODA's windows (288
 * bins of 5 min for BGP, 2016 for 7 days) that is a few hundred
 * nanoseconds and needs no balanced tree; only the ring is saved, the
 * sorted copy is rebuilt on load.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darkwatch/err.h"
#include "detect/detect_int.h"

struct med {
	int64_t first_t, anom_since; /* INT64_MIN: none */
	int64_t prev_level;
	size_t cap, head, n;         /* ring: n entries from head */
	int64_t *rt;
	double *rv, *sorted;
};

static size_t lower(const double *a, size_t n, double v)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void sorted_add(struct med *m, double v)
{
	size_t i = lower(m->sorted, m->n, v);
	memmove(m->sorted + i + 1, m->sorted + i, (m->n - i) * sizeof(double));
	m->sorted[i] = v;
}

static void sorted_del(struct med *m, double v)
{
	size_t i = lower(m->sorted, m->n, v);
	/* v is present: it was added with the same bits */
	memmove(m->sorted + i, m->sorted + i + 1, (m->n - i - 1) * sizeof(double));
}

static void ring_push(struct med *m, int64_t t, double v)
{
	size_t i = (m->head + m->n) % m->cap;
	if (m->n == m->cap) { /* cannot happen with cap > window/step */
		sorted_del(m, m->rv[m->head]);
		m->n--;
		m->head = (m->head + 1) % m->cap;
		i = (m->head + m->n) % m->cap;
	}
	sorted_add(m, v);
	m->rt[i] = t;
	m->rv[i] = v;
	m->n++;
}

static double median(const struct med *m)
{
	if (m->n % 2)
		return m->sorted[m->n / 2];
	return (m->sorted[m->n / 2 - 1] + m->sorted[m->n / 2]) / 2;
}

int dw_med_new(struct dw_detector *d)
{
	struct med *m = calloc(1, sizeof(*m));
	if (!m)
		return DW_ENOMEM;
	m->cap = (size_t)(d->p.med_window / d->step) + 2;
	m->rt = malloc(m->cap * sizeof(int64_t));
	m->rv = malloc(m->cap * sizeof(double));
	m->sorted = malloc(m->cap * sizeof(double));
	m->first_t = m->anom_since = INT64_MIN;
	d->impl = m;
	if (!m->rt || !m->rv || !m->sorted)
		return DW_ENOMEM;
	return 0;
}

void dw_med_free(struct dw_detector *d)
{
	struct med *m = d->impl;
	if (!m)
		return;
	free(m->rt);
	free(m->rv);
	free(m->sorted);
	free(m);
}

int dw_med_push(struct dw_detector *d, int64_t t, double v,
		const struct dw_detect_sink *sink)
{
	const struct dw_detect_params *p = &d->p;
	struct med *m = d->impl;
	struct dw_alert a = {.t = t, .level = DW_LEVEL_NORMAL, .value = v,
			     .history = NAN};
	double fed = v;

	while (m->n && m->rt[m->head] < t - p->med_window) {
		sorted_del(m, m->rv[m->head]);
		m->head = (m->head + 1) % m->cap;
		m->n--;
	}
	if (m->first_t == INT64_MIN)
		m->first_t = t;
	if (m->n && t - m->first_t >= p->med_warmup) {
		double h = median(m);
		a.history = h;
		if (v < p->med_crit * h)
			a.level = DW_LEVEL_CRITICAL;
		else if (v < p->med_warn * h)
			a.level = DW_LEVEL_WARNING;
		if (h > 0 && (v / h < p->med_low || v / h > p->med_high)) {
			if (m->anom_since == INT64_MIN)
				m->anom_since = t;
			if (t - m->anom_since < p->med_inpaint_max)
				fed = h;
		} else {
			m->anom_since = INT64_MIN;
		}
	}
	if (a.level || m->prev_level) /* text only where it may be stored */
		snprintf(a.condition, sizeof(a.condition), "%s %.4g * history",
			 a.level ? "<" : ">=",
			 a.level == DW_LEVEL_CRITICAL ? p->med_crit : p->med_warn);
	m->prev_level = a.level;
	ring_push(m, t, fed);
	return sink->alert(sink->ctx, &a);
}

/* Saved: first_t, anom_since, prev_level, n, then n (t, value) pairs. */
int dw_med_save(const struct dw_detector *d, struct dw_bytes *b)
{
	const struct med *m = d->impl;
	int rc = 0;
	uint64_t n = m->n;
	rc |= dw_bytes_put(b, &m->first_t, 8);
	rc |= dw_bytes_put(b, &m->anom_since, 8);
	rc |= dw_bytes_put(b, &m->prev_level, 8);
	rc |= dw_bytes_put(b, &n, 8);
	for (size_t k = 0; k < m->n; k++) {
		size_t i = (m->head + k) % m->cap;
		rc |= dw_bytes_put(b, &m->rt[i], 8);
		rc |= dw_bytes_put(b, &m->rv[i], 8);
	}
	return rc ? DW_ENOMEM : 0;
}

int dw_med_load(struct dw_detector *d, struct dw_bytes *b)
{
	struct med *m = d->impl;
	uint64_t n;
	if (dw_bytes_get(b, &m->first_t, 8) || dw_bytes_get(b, &m->anom_since, 8) ||
	    dw_bytes_get(b, &m->prev_level, 8) || dw_bytes_get(b, &n, 8) ||
	    n > m->cap)
		return DW_EFORMAT;
	m->head = m->n = 0;
	for (uint64_t k = 0; k < n; k++) {
		int64_t t;
		double v;
		if (dw_bytes_get(b, &t, 8) || dw_bytes_get(b, &v, 8) || !isfinite(v))
			return DW_EFORMAT;
		ring_push(m, t, v);
	}
	return 0;
}
