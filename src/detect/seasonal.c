/*
 * seasonal.c - darkwatch's default detector: level x daily/weekly profile.
 *
 * forecast(t) = L x S(t).  S is the seasonal factor of t's hour: the
 * median, over the last 28 days, of that hour's mean relative to its day's
 * mean (daily shape, once min_days days exist, else 1); with `weekly`, over
 * the same weekday 7, 14 and 21 days back relative to that week's typical
 * day, so weekends are learnt too.  L is the median of the last
 * level_window of values divided by S, so the forecast follows any level
 * within half a level window: sensible on short histories and deaf to
 * upward shifts.  A drop is a value below the forecast by more than the
 * larger of a fixed fraction and k x a robust residual scale (an
 * exponentially weighted mean absolute deviation of normal bins).
 *
 * Key decisions (docs/DETECT.md has the reasons):
 *  - Profiles live at hourly resolution in 28-day rings (672 floats) and
 *    are interpolated between hour centres: the state is the same size
 *    whatever the step (60 s .. 3600 s).
 *  - While a drop lasts, the forecast is fed instead of the value
 *    (inpainting), so an outage does not teach the detector that the
 *    outage is normal.  A run whose every bin stayed shallower than
 *    shift_max_drop and that lasts shift_accept is declared a level shift:
 *    its alerts are retracted and the level restarts from the actual
 *    values.  Deeper runs are held as outages for up to hold_max.
 *  - Inpainting has a trap: a regular dip seen for the first time (the
 *    first weekend) is flagged and inpainted, so the clean history never
 *    learns it and it is flagged every week.  Two models run side by
 *    side, one learning its profile from the clean history and one from
 *    the actual values, each with its own level; a bin is a drop only if
 *    it is one for both.  An outage at the same hour a week later is the
 *    price (the actual-value profile is a median over up to 3 weeks).
 *  - Upward values above spike_ratio x forecast are inpainted for at most
 *    spike_max (a burst does not lift the level), then accepted.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darkwatch/err.h"
#include "detect/detect_int.h"

#define NDAYS 28
#define NH (NDAYS * 24)
#define KMAX 64
#define ALPHA 0.02   /* residual scale: about the last 50 clean bins */
#define DEV_CLAMP 0.25
#define WARN_CAP 0.6 /* noise never pushes thresholds past these drops */
#define CRIT_CAP 0.9
#define LEARN_DROP 0.5 /* first week of a weekly datasource: drops only */

/* Everything here is saved as is (plain data, no pointer). */
struct sea {
	int64_t hcur;        /* hour (epoch/3600) being accumulated */
	double acc_sum;
	int64_t acc_n;
	float hist[NH];      /* hourly mean of clean values; NaN = none */
	float raw[NH];       /* hourly mean of actual values; NaN = none */
	double raw_sum;
	int64_t nlv, lvpos;  /* level rings: count (<= k), next slot */
	double lv[2][KMAX];  /* clean values / each model's factor */
	double rw[2][KMAX];  /* actual values / each model's factor */
	double scale;
	int64_t run_start, spike_start; /* INT64_MIN: none */
	int64_t run_deep;
	int64_t first_t;     /* first bin seen */
	int64_t nscale;      /* updates of scale so far */
	int64_t prev_level;  /* level of the previous bin */
	/* derived, not state: the factors of two hours, day means */
	int64_t c_hour[2][2], c_day[2][2]; /* [raw][hour parity] */
	double c_fac[2][2];
	int64_t dm_day[2][NDAYS + 8];
	double dm_val[2][NDAYS + 8];
};

static int64_t floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

static int level_k(const struct dw_detector *d)
{
	int64_t k = d->p.level_window / d->step;
	return (int)(k < 3 ? 3 : k > KMAX ? KMAX : k);
}

static size_t slot(int64_t h)
{
	return (size_t)(((h % NH) + NH) % NH);
}

/* The hourly history a factor is learnt from: clean, or actual (raw). */
static double hist_at(const struct sea *s, int64_t h, int raw)
{
	return raw ? s->raw[slot(h)] : s->hist[slot(h)];
}

/*
 * Mean of day D's hourly values, or NaN if fewer than 18 are known.
 * Only finished days are asked for, so their means are cached.
 */
static double day_mean(struct sea *s, int64_t day, int raw)
{
	size_t slot_d = (size_t)(((day % (NDAYS + 8)) + NDAYS + 8) % (NDAYS + 8));
	if (s->dm_day[raw][slot_d] == day)
		return s->dm_val[raw][slot_d];
	double sum = 0;
	int n = 0;
	for (int i = 0; i < 24; i++) {
		double v = hist_at(s, day * 24 + i, raw);
		if (!isnan(v)) {
			sum += v;
			n++;
		}
	}
	s->dm_day[raw][slot_d] = day;
	s->dm_val[raw][slot_d] = n >= 18 ? sum / n : NAN;
	return s->dm_val[raw][slot_d];
}

/*
 * The typical day of the week ending with day D: the median of its known
 * day means (at least 5).  A median, so the weekend's lower days and a
 * level shift on one or two days do not move it.
 */
static double week_level(struct sea *s, int64_t day, int raw)
{
	double m[7];
	int n = 0;
	for (int64_t d = day - 6; d <= day; d++) {
		double v = day_mean(s, d, raw);
		if (!isnan(v))
			m[n++] = v;
	}
	return n >= 5 ? dw_detect_median(m, (size_t)n) : NAN;
}

/*
 * Factor of absolute hour h, using only days before `today`.  With
 * `weekly` and a same-weekday reference (7, 14, 21 days back) the factor
 * is relative to that reference's typical day of its week, so it carries
 * the weekday's level (weekends) as well as the hour's shape; else it is
 * relative to the reference's own day (the hour's shape only).
 */
static double factor(struct sea *s, const struct dw_detect_params *p,
		     int64_t h, int64_t today, int raw)
{
	double all[NDAYS], wk[3];
	int na = 0, nw = 0;
	int par = (int)(((h % 2) + 2) % 2);

	if (s->c_hour[raw][par] == h && s->c_day[raw][par] == today)
		return s->c_fac[raw][par];
	for (int d = 1; d <= NDAYS; d++) {
		int64_t hr = h - 24 * (int64_t)d, day = floordiv(hr, 24);
		if (day >= today || today - day > NDAYS - 1)
			continue;
		double v = hist_at(s, hr, raw), m = day_mean(s, day, raw);
		if (isnan(v) || !(m > 0))
			continue;
		all[na++] = v / m;
		if (p->weekly && d % 7 == 0 && d <= 21 &&
		    (m = week_level(s, day, raw)) > 0)
			wk[nw++] = v / m;
	}
	double f = nw >= 1 ? dw_detect_median(wk, (size_t)nw)
		   : na >= p->min_days && na >= 1 ? dw_detect_median(all, (size_t)na)
						  : 1.0;
	if (!(f > 0))
		f = 1.0;
	s->c_hour[raw][par] = h;
	s->c_day[raw][par] = today;
	s->c_fac[raw][par] = f;
	return f;
}

/* Factor at the centre of bin t, interpolated between hour centres. */
static double factor_at(struct sea *s, const struct dw_detector *d, int64_t t,
			int raw)
{
	double x = ((double)t + (double)d->step / 2) / 3600.0 - 0.5;
	double h0 = floor(x), w = x - h0;
	int64_t today = floordiv(t, 86400), h = (int64_t)h0;
	double f0 = factor(s, &d->p, h, today, raw);
	if (w < 1e-9)
		return f0;
	double f1 = factor(s, &d->p, h + 1, today, raw);
	return (1 - w) * f0 + w * f1;
}

static void roll_hours(struct sea *s, int64_t h)
{
	if (s->hcur == INT64_MIN) {
		s->hcur = h;
		return;
	}
	if (h <= s->hcur)
		return;
	s->hist[slot(s->hcur)] =
		s->acc_n ? (float)(s->acc_sum / (double)s->acc_n) : NAN;
	s->raw[slot(s->hcur)] =
		s->acc_n ? (float)(s->raw_sum / (double)s->acc_n) : NAN;
	for (int64_t k = s->hcur + 1; k < h && k - s->hcur <= NH; k++)
		s->hist[slot(k)] = s->raw[slot(k)] = NAN;
	s->hcur = h;
	s->acc_sum = s->raw_sum = 0;
	s->acc_n = 0;
}

static void reset_cache(struct sea *s)
{
	for (int i = 0; i < 4; i++)
		s->c_hour[i / 2][i % 2] = INT64_MIN;
	for (int r = 0; r < 2; r++)
		for (int i = 0; i < NDAYS + 8; i++)
			s->dm_day[r][i] = INT64_MIN;
}

int dw_sea_new(struct dw_detector *d)
{
	struct sea *s = calloc(1, sizeof(*s));
	if (!s)
		return DW_ENOMEM;
	for (int i = 0; i < NH; i++)
		s->hist[i] = s->raw[i] = NAN;
	s->hcur = s->run_start = s->spike_start = s->first_t = INT64_MIN;
	reset_cache(s);
	d->impl = s;
	return 0;
}

void dw_sea_free(struct dw_detector *d)
{
	free(d->impl);
}

static double level(const struct sea *s, int m)
{
	double tmp[KMAX];
	memcpy(tmp, s->lv[m], (size_t)s->nlv * sizeof(double));
	return dw_detect_median(tmp, (size_t)s->nlv);
}

/* The run is over and its level is the new normal: restart from actuals. */
static void accept_level(struct sea *s)
{
	memcpy(s->lv, s->rw, sizeof(s->lv));
	s->run_start = INT64_MIN;
	s->run_deep = 0;
}

/* learning: a weekly datasource without a week of history yet */
static void judge(const struct dw_detect_params *p, double scale, double q,
		  int learning, int prev_level, struct dw_alert *a)
{
	double tw = fmin(p->k_warn * 1.25 * scale, WARN_CAP);
	double tc = fmin(p->k_crit * 1.25 * scale, CRIT_CAP);
	tw = fmax(tw, learning ? fmax(p->warn_drop, fmin(p->crit_drop, LEARN_DROP))
				: p->warn_drop);
	tc = fmax(tc, p->crit_drop);
	if (tc < tw)
		tc = tw;
	a->level = 1 - q > tc   ? DW_LEVEL_CRITICAL
		   : 1 - q > tw ? DW_LEVEL_WARNING
				: DW_LEVEL_NORMAL;
	if (a->level || prev_level) /* text only where it may be stored */
		snprintf(a->condition, sizeof(a->condition), "%s %.3g * history",
			 a->level ? "<" : ">=",
			 a->level == DW_LEVEL_CRITICAL ? 1 - tc : 1 - tw);
}

int dw_sea_push(struct dw_detector *d, int64_t t, double v,
		const struct dw_detect_sink *sink)
{
	const struct dw_detect_params *p = &d->p;
	struct sea *s = d->impl;
	struct dw_alert a = {.t = t, .value = v, .history = NAN};
	int k = level_k(d), rc, inpaint = 0;
	double fac[2], f[2] = {0, 0};

	if (s->first_t == INT64_MIN)
		s->first_t = t;
	roll_hours(s, floordiv(t, 3600));
	fac[0] = factor_at(s, d, t, 0);
	fac[1] = factor_at(s, d, t, 1);
	if (s->nlv < k) {
		snprintf(a.condition, sizeof(a.condition), "warming up");
		goto feed;
	}
	f[0] = level(s, 0) * fac[0];
	f[1] = level(s, 1) * fac[1];
	if (!(f[0] > 0) || !(f[1] > 0)) {
		snprintf(a.condition, sizeof(a.condition), "no history");
		goto feed;
	}
	/* a drop must be one for both models (see the file comment) */
	double q = v / fmin(f[0], f[1]);
	a.history = fmin(f[0], f[1]);
	judge(p, s->scale, q, p->weekly && t - s->first_t < 7 * 86400,
	      (int)s->prev_level, &a);
	if (a.level) {
		if (s->run_start == INT64_MIN) {
			s->run_start = t;
			s->run_deep = 0;
		}
		if (1 - q >= p->shift_max_drop)
			s->run_deep = 1;
		if (!s->run_deep && t - s->run_start >= p->shift_accept) {
			if (sink->retract &&
			    (rc = sink->retract(sink->ctx, s->run_start)) < 0)
				return rc;
			accept_level(s);
			a.level = DW_LEVEL_NORMAL;
			snprintf(a.condition, sizeof(a.condition), "level shift");
		} else if (s->run_deep && t - s->run_start >= p->hold_max) {
			accept_level(s);
			a.level = DW_LEVEL_NORMAL;
			snprintf(a.condition, sizeof(a.condition), "held %llds: new level",
				 (long long)p->hold_max);
		} else {
			inpaint = 1;
		}
		s->spike_start = INT64_MIN;
		goto feed;
	}
	s->run_start = INT64_MIN;
	/* normal: the history shown is the model closer to the value */
	double q0 = v / f[0], q1 = v / f[1];
	a.history = fabs(q0 - 1) <= fabs(q1 - 1) ? f[0] : f[1];
	if (fmin(q0, q1) > p->spike_ratio) {
		if (s->spike_start == INT64_MIN)
			s->spike_start = t;
		inpaint = t - s->spike_start < p->spike_max;
	} else {
		double dev = fmin(fmin(fabs(q0 - 1), fabs(q1 - 1)), DEV_CLAMP);
		s->spike_start = INT64_MIN;
		/* a plain mean at first, so a short history has a scale */
		s->nscale++;
		s->scale += fmax(ALPHA, 1.0 / (double)s->nscale) * (dev - s->scale);
	}
feed:
	for (int m = 0; m < 2; m++) {
		s->lv[m][s->lvpos] = (inpaint ? f[m] : v) / fac[m];
		s->rw[m][s->lvpos] = v / fac[m];
	}
	s->lvpos = (s->lvpos + 1) % k;
	if (s->nlv < k)
		s->nlv++;
	s->acc_sum += inpaint ? f[0] : v;
	s->raw_sum += v;
	s->acc_n++;
	s->prev_level = a.level;
	return sink->alert(sink->ctx, &a);
}

int dw_sea_save(const struct dw_detector *d, struct dw_bytes *b)
{
	return dw_bytes_put(b, d->impl, offsetof(struct sea, c_hour)) ? DW_ENOMEM
								      : 0;
}

int dw_sea_load(struct dw_detector *d, struct dw_bytes *b)
{
	struct sea *s = d->impl;
	if (dw_bytes_get(b, s, offsetof(struct sea, c_hour)) ||
	    s->nlv < 0 || s->nlv > KMAX || s->lvpos < 0 || s->lvpos >= KMAX)
		return DW_EFORMAT;
	reset_cache(s);
	return 0;
}
