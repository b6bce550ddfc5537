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
 *    the actual values, each with its own level; a run starts only at a
 *    bin that is a drop for both, and goes on against the clean one.  An outage at the same hour a week later is the
 *    price (the actual-value profile is a median over up to 3 weeks).
 *  - Upward values above spike_ratio x forecast are inpainted for at most
 *    spike_max (a burst does not lift the level), then accepted.
 *  - A slow level (median of the last 6 deseasonalised hourly means) keeps
 *    a drop in stages from being absorbed stage by stage: once a daily
 *    profile exists, bins are judged against the higher of the two, and
 *    a level L below the slow level by more than k bins' noise is a
 *    warning even when no single bin is.
 *  - count_z: for counts, a drop must exceed count_z x sqrt(forecast).
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
#define SLOW_HOURS 6 /* slow level: median of this many past hours */

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
	int64_t slow_h;      /* hour the slow levels are for */
	double slow[2];      /* each model's slow level, NaN: none */
	double sl_acc[2];    /* this hour's sum of value / factor per model */
	double sl_ring[2][SLOW_HOURS]; /* the last hours' means; NaN: none */
	int64_t sl_pos;      /* next slot of sl_ring */
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
	for (int64_t k = s->hcur; k < h && k - s->hcur < SLOW_HOURS; k++) {
		for (int m = 0; m < 2; m++)
			s->sl_ring[m][s->sl_pos] = k == s->hcur && s->acc_n
				? s->sl_acc[m] / (double)s->acc_n : NAN;
		s->sl_pos = (s->sl_pos + 1) % SLOW_HOURS;
	}
	s->hcur = h;
	s->acc_sum = s->raw_sum = 0;
	s->sl_acc[0] = s->sl_acc[1] = 0;
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
	s->slow_h = INT64_MIN;
	s->slow[0] = s->slow[1] = NAN;
	for (int i = 0; i < 2 * SLOW_HOURS; i++)
		s->sl_ring[i / SLOW_HOURS][i % SLOW_HOURS] = NAN;
	reset_cache(s);
	d->impl = s;
	return 0;
}

void dw_sea_free(struct dw_detector *d)
{
	free(d->impl);
}

/* Model m's level: of the clean values (raw 0) or the actual ones. */
static double level(const struct sea *s, int m, int raw)
{
	double tmp[KMAX];
	memcpy(tmp, raw ? s->rw[m] : s->lv[m], (size_t)s->nlv * sizeof(double));
	return dw_detect_median(tmp, (size_t)s->nlv);
}

/*
 * The slow level of model m: the median of the last SLOW_HOURS hourly
 * means of value / factor (clean values for model 0, actual ones for
 * model 1; at least 3 known), NaN if fewer.  The level L follows a drop
 * within half a level window; a drop in stages, each below the
 * thresholds, is absorbed stage by stage, while this level still
 * remembers the hours before it.  Kept as a ring filled when an hour
 * ends: no factor is recomputed for it.
 */
static double slow_level(const struct sea *s, int m)
{
	double v[SLOW_HOURS];
	int n = 0;
	for (int k = 0; k < SLOW_HOURS; k++)
		if (!isnan(s->sl_ring[m][k]))
			v[n++] = s->sl_ring[m][k];
	return n >= 3 ? dw_detect_median(v, (size_t)n) : NAN;
}

/* The run is over and its level is the new normal: restart from actuals. */
static void accept_level(struct sea *s)
{
	memcpy(s->lv, s->rw, sizeof(s->lv));
	s->run_start = INT64_MIN;
	s->run_deep = 0;
}

/*
 * learning: a weekly datasource without a week of history yet.  f: the
 * forecast; with count_z a drop must also exceed count_z x sqrt(f), the
 * counting noise of a Poisson count (a series of a few sources per bin
 * cannot show an outage in one bin).
 */
static void judge(const struct dw_detect_params *p, double scale, double q,
		  double f, int learning, int prev_level, struct dw_alert *a)
{
	double tw = fmin(p->k_warn * 1.25 * scale, WARN_CAP);
	double tc = fmin(p->k_crit * 1.25 * scale, CRIT_CAP);
	double tz = p->count_z > 0 ? p->count_z / sqrt(fmax(f, 1e-9)) : 0;
	tw = fmax(tw, learning ? fmax(p->warn_drop, fmin(p->crit_drop, p->learn_drop))
				: p->warn_drop);
	tw = fmax(tw, tz);
	tc = fmax(fmax(tc, p->crit_drop), tz);
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
	f[0] = level(s, 0, 0) * fac[0];
	f[1] = level(s, 1, 0) * fac[1];
	if (s->slow_h != floordiv(t, 3600)) {
		s->slow_h = floordiv(t, 3600);
		s->slow[0] = slow_level(s, 0);
		s->slow[1] = slow_level(s, 1);
	}
	/* judged against the higher of the level and the slow level, once a
	 * daily profile exists (before, S = 1 and the slow level of the
	 * afternoon is not that of the evening) */
	int64_t full_days = floordiv(t, 86400) - floordiv(s->first_t + 86399, 86400);
	int slow_ok = full_days >= (p->min_days > 1 ? p->min_days : 1) &&
		      s->slow[0] > 0 && s->slow[1] > 0;
	double sf[2] = {0, 0}, fast[2] = {f[0], f[1]};
	for (int m = 0; m < 2 && slow_ok; m++) {
		sf[m] = s->slow[m] * fac[m];
		if (sf[m] > f[m])
			f[m] = sf[m];
	}
	if (!(f[0] > 0) || !(f[1] > 0)) {
		snprintf(a.condition, sizeof(a.condition), "no history");
		goto feed;
	}
	/*
	 * A drop must be one for both models (see the file comment) to
	 * start a run; a run goes on against the clean model, whose profile
	 * the run does not touch (the actual-value profile learns the
	 * outage's days: a dark AS's near-zero days make its factors noise).
	 */
	if (s->run_start != INT64_MIN)
		f[1] = f[0];
	double q = v / fmin(f[0], f[1]);
	a.history = fmin(f[0], f[1]);
	int learning = p->weekly && t - s->first_t < 7 * 86400;
	judge(p, s->scale, q, a.history, learning, (int)s->prev_level, &a);
	if (!a.level && (slow_ok || s->run_start != INT64_MIN)) {
		/*
		 * A sustained drop: the level (a median of k bins) below the
		 * forecast by more than the noise of k bins.  Outside a run the
		 * level L against the slow level: a drop of a small noisy count
		 * that no single bin shows.  In a run the level of the actual
		 * values, while the bin itself is below the forecast by
		 * warn_drop: the run goes on though a bin is within its count
		 * noise (a dark AS's count of 0..3 is one outage, not ten
		 * events), and ends at the first bin back near the forecast.
		 */
		int in_run = s->run_start != INT64_MIN;
		double l0 = in_run ? level(s, 0, 1) * fac[0] : fast[0];
		double l1 = in_run ? level(s, 1, 1) * fac[1] : fast[1];
		double dh = 1 - fmax(l0 / f[0], l1 / f[1]);
		double th = fmax(learning ? fmax(p->warn_drop,
						 fmin(p->crit_drop, p->learn_drop))
				       : p->warn_drop,
				 fmin(p->k_warn * 1.25 * s->scale, WARN_CAP));
		if (p->count_z > 0)
			th = fmax(th, p->count_z / sqrt(k * fmin(f[0], f[1])));
		/* in a run, a bin back near the forecast ends it at once */
		if (dh > th && (!in_run || 1 - q > p->warn_drop)) {
			a.level = DW_LEVEL_WARNING;
			snprintf(a.condition, sizeof(a.condition),
				 "level < %.3g * history", 1 - th);
		}
	}
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
	s->sl_acc[0] += (inpaint ? f[0] : v) / fac[0];
	s->sl_acc[1] += v / fac[1];
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
	    s->nlv < 0 || s->nlv > KMAX || s->lvpos < 0 || s->lvpos >= KMAX ||
	    s->sl_pos < 0 || s->sl_pos >= SLOW_HOURS)
		return DW_EFORMAT;
	reset_cache(s);
	return 0;
}
