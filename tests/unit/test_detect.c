/*
 * test_detect.c - the detectors against hand-computed values: IODA's median
 * (window, warm-up, inpainting and its cap), the event tracker's score,
 * the seasonal method's onset and level-shift retraction, and state
 * save/load giving the same alerts as an uninterrupted detector.
 *
 * Store-level properties (incremental == batch, idempotent reruns, the
 * overall product score) are in test_detect_store.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darkwatch/detect.h"
#include "darkwatch/err.h"
#include "detect/detect_int.h"
#include "testutil.h"

#define MAXA 4096

struct rec {
	struct dw_alert a[MAXA];
	int n;
	int64_t retracted[16];
	int nr;
};

static int on_alert(void *c, const struct dw_alert *a)
{
	struct rec *r = c;
	if (r->n < MAXA)
		r->a[r->n++] = *a;
	return 0;
}

static int on_retract(void *c, int64_t t)
{
	struct rec *r = c;
	if (r->nr < 16)
		r->retracted[r->nr++] = t;
	return 0;
}

/* The small IODA configuration the hand computation below uses. */
static struct dw_detect_params small_median(void)
{
	struct dw_detect_params p = DW_DETECT_PARAMS_DEFAULT;
	p.med_window = 1200; /* 4 bins of 300 s */
	p.med_warn = 0.9;
	p.med_crit = 0.5;
	p.med_low = 0.8;
	p.med_high = 2.0;
	p.med_inpaint_max = 900; /* 3 bins */
	p.med_warmup = 600;
	return p;
}

static void test_median(void)
{
	struct dw_detect_params p = small_median();
	struct dw_detector *d = NULL;
	struct rec *r = calloc(1, sizeof(*r));
	struct dw_detect_sink sink = {on_alert, on_retract, r};
	static const double v[] = {10, 10, 10, 10, 10, 4, 4, 4, 4, 4, 4, 4};
	/*
	 * t0,t1: warming up (t - first < 600).  t2..t4: history 10.
	 * t5 (4 < 5): critical; anomalous (0.4 < 0.8): 10 fed instead.
	 * t6, t7: the same.  t8: 900 s into the run, the cap: 4 is fed.
	 * t9: window {10,10,10,4} -> 10, critical.  t10: {10,10,4,4} -> 7,
	 * 4 < 6.3 warning.  t11: {10,4,4,4} -> 4, normal.
	 */
	static const int lvl[] = {0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 1, 0};
	static const double hist[] = {NAN, NAN, 10, 10, 10, 10,
				      10,  10,  10, 10, 7,  4};

	CHECK_EQ_INT(dw_detector_new(DW_DETECT_MEDIAN, &p, 300, &d), 0);
	for (int i = 0; i < 12; i++)
		CHECK_EQ_INT(dw_detector_push(d, i * 300, v[i], &sink), 0);
	CHECK_EQ_INT(r->n, 12);
	for (int i = 0; i < 12 && i < r->n; i++) {
		CHECK_EQ_INT(r->a[i].t, i * 300);
		CHECK_EQ_INT(r->a[i].level, lvl[i]);
		if (isnan(hist[i]))
			CHECK(isnan(r->a[i].history));
		else if (fabs(r->a[i].history - hist[i]) > 1e-9)
			dw_test_fail(__FILE__, __LINE__, "bin %d history %g want %g",
				     i, r->a[i].history, hist[i]);
	}
	CHECK_EQ_STR(r->a[5].condition, "< 0.5 * history");
	CHECK_EQ_STR(r->a[10].condition, "< 0.9 * history");
	CHECK_EQ_STR(r->a[11].condition, ">= 0.9 * history");
	/* times must increase; values must be finite */
	CHECK_EQ_INT(dw_detector_push(d, 300, 1, &sink), DW_EINVAL);
	CHECK_EQ_INT(dw_detector_push(d, 99999, NAN, &sink), DW_EINVAL);

	/* events: opens at t5, closes at t11; score by hand */
	struct dw_event_state e = {0};
	int opened = 0, closed = 0;
	for (int i = 0; i < 12; i++) {
		int k = dw_event_feed(&e, &r->a[i], 300);
		opened += k == 1;
		closed += k == 3;
		if (k == 3)
			CHECK_EQ_INT(r->a[i].t, 3300);
	}
	CHECK_EQ_INT(opened, 1);
	CHECK_EQ_INT(closed, 1);
	CHECK_EQ_INT(e.t_start, 1500);
	CHECK_EQ_INT(e.t_last, 3000);
	/* 5 bins of 60 % x 5 min + one of 3/7 = 42.857 % x 5 min */
	double want = 5 * 60.0 * 5 + 300.0 / 7 * 5;
	if (fabs(e.score - want) > 1e-6)
		dw_test_fail(__FILE__, __LINE__, "score %.9g want %.9g", e.score, want);
	CHECK(fabs(e.max_drop - 60) < 1e-9);
	dw_detector_free(d);
	free(r);
}

/* The inpainting cap is what lets IODA's median follow a lasting drop. */
static void test_median_cap(void)
{
	struct dw_detect_params p = small_median();
	struct dw_detector *d = NULL;
	struct rec *r = calloc(1, sizeof(*r));
	struct dw_detect_sink sink = {on_alert, NULL, r};

	p.med_inpaint_max = 7 * 86400;
	CHECK_EQ_INT(dw_detector_new(DW_DETECT_MEDIAN, &p, 300, &d), 0);
	for (int i = 0; i < 5; i++)
		dw_detector_push(d, i * 300, 10, &sink);
	/* a drop to 4 for a day: with a 7-day cap it never ends */
	for (int i = 5; i < 5 + 288; i++)
		dw_detector_push(d, i * 300, 4, &sink);
	CHECK_EQ_INT(r->a[r->n - 1].level, 2);
	CHECK(fabs(r->a[r->n - 1].history - 10) < 1e-9);
	dw_detector_free(d);
	free(r);
}

static void flat_then(struct dw_detector *d, struct rec *r, int n, double base,
		      int from, int until, double level)
{
	struct dw_detect_sink sink = {on_alert, on_retract, r};
	for (int i = 0; i < n; i++)
		dw_detector_push(d, (int64_t)i * 300,
				 i >= from && i < until ? level : base, &sink);
}

static void test_seasonal(void)
{
	struct dw_detect_params p = DW_DETECT_PARAMS_DEFAULT;
	struct dw_detector *d = NULL;
	struct rec *r = calloc(1, sizeof(*r));

	/* a 40 % drop for 2 h after a day: alerted from its first bin */
	CHECK_EQ_INT(dw_detector_new(DW_DETECT_SEASONAL, &p, 300, &d), 0);
	flat_then(d, r, 288 + 48, 1000, 288, 288 + 24, 600);
	CHECK_EQ_INT(r->a[287].level, 0);
	CHECK_EQ_INT(r->a[288].level, 1);
	CHECK(fabs(r->a[288].history - 1000) < 1e-6);
	CHECK_EQ_INT(r->a[288 + 23].level, 1);
	CHECK_EQ_INT(r->a[288 + 24].level, 0); /* back: the run closes */
	CHECK_EQ_INT(r->nr, 0);
	dw_detector_free(d);

	/* an 8 % drop that stays: retracted after shift_accept (6 h) */
	memset(r, 0, sizeof(*r));
	CHECK_EQ_INT(dw_detector_new(DW_DETECT_SEASONAL, &p, 300, &d), 0);
	flat_then(d, r, 288 + 120, 1000, 288, 100000, 920);
	CHECK_EQ_INT(r->a[288].level, 1);
	CHECK_EQ_INT(r->nr, 1);
	CHECK_EQ_INT(r->retracted[0], 288 * 300);
	CHECK_EQ_INT(r->a[288 + 72].level, 0); /* 6 h in: the new normal */
	CHECK_EQ_STR(r->a[288 + 72].condition, "level shift");
	CHECK_EQ_INT(r->a[288 + 119].level, 0);
	dw_detector_free(d);

	/* a 30 % drop that stays is held as an outage */
	memset(r, 0, sizeof(*r));
	CHECK_EQ_INT(dw_detector_new(DW_DETECT_SEASONAL, &p, 300, &d), 0);
	flat_then(d, r, 288 * 3, 1000, 288, 100000, 700);
	CHECK_EQ_INT(r->nr, 0);
	CHECK_EQ_INT(r->a[288 * 3 - 1].level, 1);
	dw_detector_free(d);

	/* an upward shift is never an alert and becomes the level */
	memset(r, 0, sizeof(*r));
	CHECK_EQ_INT(dw_detector_new(DW_DETECT_SEASONAL, &p, 300, &d), 0);
	flat_then(d, r, 288 * 2, 1000, 288, 100000, 1400);
	int any = 0;
	for (int i = 0; i < r->n; i++)
		any |= r->a[i].level != 0;
	CHECK_EQ_INT(any, 0);
	CHECK(fabs(r->a[r->n - 1].history - 1400) < 1e-6);
	dw_detector_free(d);
	free(r);
}

/* A daily-seasonal series with noise, an outage and a shift. */
static double wave(int i, int step)
{
	double x = (double)i * step / 86400.0;
	double v = 1000 * (1 + 0.4 * sin(2 * M_PI * x));
	v *= 1 + 0.01 * sin(i * 12.9898);
	if (i * step >= 4 * 86400 && i * step < 4 * 86400 + 7200)
		v *= 0.3;
	if (i * step >= 5 * 86400)
		v *= 1.2;
	return v;
}

/* Saving and restoring at any bin changes nothing. */
static void test_save_load(void)
{
	const int steps[] = {60, 300, 3600};
	for (int m = 0; m < DW_DETECT_NMETHODS; m++) {
		for (size_t s = 0; s < 3; s++) {
			struct dw_detect_params p = DW_DETECT_PARAMS_DEFAULT;
			int step = steps[s], n = 7 * 86400 / step;
			struct rec *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
			struct dw_detector *d1 = NULL, *d2 = NULL;
			struct dw_detect_sink sa = {on_alert, on_retract, a};
			struct dw_detect_sink sb = {on_alert, on_retract, b};
			int mismatch = 0;
			if (n > 3000)
				n = 3000;
			dw_detector_new(m, &p, step, &d1);
			for (int i = 0; i < n; i++)
				dw_detector_push(d1, (int64_t)i * step, wave(i, step), &sa);
			int cut = n / 3 + 7;
			dw_detector_new(m, &p, step, &d2);
			for (int i = 0; i < n; i++) {
				if (i == cut || i == 2 * cut) {
					unsigned char *buf;
					size_t len;
					CHECK_EQ_INT(dw_detector_save(d2, &buf, &len), 0);
					dw_detector_free(d2);
					dw_detector_new(m, &p, step, &d2);
					CHECK_EQ_INT(dw_detector_load(d2, buf, len), 0);
					/* a damaged blob is refused, never trusted */
					struct dw_detector *d3 = NULL;
					dw_detector_new(m, &p, step, &d3);
					CHECK_EQ_INT(dw_detector_load(d3, buf, len - 1), DW_EFORMAT);
					dw_detector_free(d3);
					free(buf);
				}
				dw_detector_push(d2, (int64_t)i * step, wave(i, step), &sb);
			}
			CHECK_EQ_INT(a->n, b->n);
			for (int i = 0; i < a->n && i < b->n; i++)
				if (a->a[i].level != b->a[i].level ||
				    memcmp(&a->a[i].history, &b->a[i].history, sizeof(double)))
					mismatch++;
			CHECK_EQ_INT(mismatch, 0);
			dw_detector_free(d1);
			dw_detector_free(d2);
			free(a);
			free(b);
		}
	}
	/* a state from other parameters is refused */
	struct dw_detect_params p = DW_DETECT_PARAMS_DEFAULT, q = p;
	struct dw_detector *d = NULL, *e = NULL;
	unsigned char *buf;
	size_t len;
	q.warn_drop = 0.2;
	dw_detector_new(DW_DETECT_SEASONAL, &p, 300, &d);
	dw_detector_new(DW_DETECT_SEASONAL, &q, 300, &e);
	dw_detector_save(d, &buf, &len);
	CHECK_EQ_INT(dw_detector_load(e, buf, len), DW_EFORMAT);
	free(buf);
	dw_detector_free(d);
	dw_detector_free(e);
}

/* The seasonal method learns a daily shape: no alert on a quiet week. */
static void test_diurnal_quiet(void)
{
	static const int steps[] = {60, 600, 3600};
	for (size_t k = 0; k < 3; k++) {
		int step = steps[k];
		struct dw_detect_params p = DW_DETECT_PARAMS_DEFAULT;
		struct dw_detector *d = NULL;
		struct rec *r = calloc(1, sizeof(*r));
		struct dw_detect_sink sink = {on_alert, on_retract, r};
		int alerts = 0, n = 7 * 86400 / step;
		p.warn_drop = 0.15;
		dw_detector_new(DW_DETECT_SEASONAL, &p, step, &d);
		for (int i = 0; i < n; i++) {
			double x = (double)i * step / 86400.0;
			double v = 1000 * (1 + 0.5 * sin(2 * M_PI * x)) *
				   (1 + 0.01 * sin(i * 12.9898));
			r->n = 0;
			dw_detector_push(d, (int64_t)i * step, v, &sink);
			alerts += r->a[0].level != 0;
		}
		if (alerts)
			dw_test_fail(__FILE__, __LINE__, "step %d: %d alerts on a quiet "
				     "diurnal week", step, alerts);
		dw_detector_free(d);
		free(r);
	}
}

static void test_conf(void)
{
	struct dw_detect_conf *c = NULL;
	struct dw_detect_params p;
	char msg[256], path[512];
	const char *base = getenv("DW_SCRATCH");
	FILE *f;

	CHECK_EQ_INT(dw_detect_conf_new(NULL, &c, msg, sizeof(msg)), 0);
	dw_detect_conf_get(c, "bgp", &p);
	CHECK_EQ_INT(p.med_window, 86400);
	CHECK(p.med_warn == 0.99 && p.med_crit == 0.5);
	dw_detect_conf_get(c, "ping-slash24", &p);
	CHECK_EQ_INT(p.med_window, 7 * 86400);
	CHECK(p.med_warn == 0.8 && p.med_crit == 0.5);
	dw_detect_conf_get(c, "ucsd-nt", &p);
	CHECK(p.med_warn == 0.25 && p.med_crit == 0.1);
	dw_detect_conf_get(c, "something-else", &p);
	CHECK_EQ_INT(p.med_window, 7 * 86400);
	CHECK_EQ_INT(p.direction, DW_DIRECTION_DOWN);
	/* loss and latency: not detected, by suffix */
	dw_detect_conf_get(c, "ping-slash24-loss", &p);
	CHECK_EQ_INT(p.direction, DW_DIRECTION_NONE);
	dw_detect_conf_get(c, "other-latency", &p);
	CHECK_EQ_INT(p.direction, DW_DIRECTION_NONE);
	dw_detect_conf_get(c, "telescope", &p);
	CHECK(p.count_z == 4 && p.warn_drop == 0.25 && p.k_warn == 3);
	dw_detect_conf_get(c, "gtr", &p);
	CHECK(p.count_z == 0 && p.learn_drop == 0.5);
	dw_detect_conf_free(c);

	snprintf(path, sizeof(path), "%s/detect-test.conf", base && *base ? base : "/tmp");
	f = fopen(path, "w");
	fprintf(f, "# test\n[bgp]\nmedian.window = 2h\nseasonal.warn_drop = 0.1\n"
		   "[mine]\nseasonal.shift_accept = 1d\n");
	fclose(f);
	CHECK_EQ_INT(dw_detect_conf_new(path, &c, msg, sizeof(msg)), 0);
	dw_detect_conf_get(c, "bgp", &p);
	CHECK_EQ_INT(p.med_window, 7200);
	CHECK(p.warn_drop == 0.1 && p.med_warn == 0.99);
	dw_detect_conf_get(c, "mine", &p);
	CHECK_EQ_INT(p.shift_accept, 86400);
	dw_detect_conf_free(c);

	/* a suffix section; a new section starts from its suffix row */
	f = fopen(path, "w");
	fprintf(f, "[*-loss]\nmedian.crit = 0.3\n[x-loss]\nmedian.warn = 0.9\n"
		   "[*-rtt]\ndirection = none\n[y]\ndirection = sideways\n");
	fclose(f);
	CHECK_EQ_INT(dw_detect_conf_new(path, &c, msg, sizeof(msg)), DW_EINVAL);
	CHECK(strstr(msg, ":8: direction: wants down or none") != NULL);
	f = fopen(path, "w");
	fprintf(f, "[*-loss]\nmedian.crit = 0.3\n[x-loss]\nmedian.warn = 0.9\n"
		   "[*-rtt]\ndirection = none\n");
	fclose(f);
	CHECK_EQ_INT(dw_detect_conf_new(path, &c, msg, sizeof(msg)), 0);
	dw_detect_conf_get(c, "x-loss", &p);
	CHECK(p.med_crit == 0.3 && p.med_warn == 0.9);
	CHECK_EQ_INT(p.direction, DW_DIRECTION_NONE);
	dw_detect_conf_get(c, "a.b-rtt", &p);
	CHECK_EQ_INT(p.direction, DW_DIRECTION_NONE);
	dw_detect_conf_get(c, "rtt", &p);
	CHECK_EQ_INT(p.direction, DW_DIRECTION_DOWN);
	dw_detect_conf_free(c);

	f = fopen(path, "w");
	fprintf(f, "[bgp]\nmedian.windw = 2h\n");
	fclose(f);
	CHECK_EQ_INT(dw_detect_conf_new(path, &c, msg, sizeof(msg)), DW_EINVAL);
	CHECK(strstr(msg, ":2: median.windw: unknown key") != NULL);
	f = fopen(path, "w");
	fprintf(f, "[bgp]\nmedian.warn = 1.5\n");
	fclose(f);
	CHECK_EQ_INT(dw_detect_conf_new(path, &c, msg, sizeof(msg)), DW_EINVAL);
	remove(path);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The quickselect median against sorting, with many ties. */
static void test_select_median(void)
{
	unsigned seed = 12345;
	int bad = 0;
	for (int round = 0; round < 2000; round++) {
		double a[70], b[70];
		size_t n = 1 + (size_t)(round % 64);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			a[i] = b[i] = (double)((seed >> 16) % (round % 3 ? 1000 : 4));
		}
		qsort(b, n, sizeof(double), cmp_d);
		double want = n % 2 ? b[n / 2] : (b[n / 2 - 1] + b[n / 2]) / 2;
		bad += dw_detect_median(a, n) != want;
	}
	CHECK_EQ_INT(bad, 0);
}

int main(void)
{
	test_select_median();
	test_median();
	test_median_cap();
	test_seasonal();
	test_save_load();
	test_diurnal_quiet();
	test_conf();
	return dw_test_finish();
}
