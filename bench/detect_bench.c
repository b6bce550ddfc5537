/*
 * detect_bench.c - detection throughput: bins per second.
 *
 * The load: a full week of 5-min bins (2016 per series) for 250
 * countries, 5,000 regions and 60,000 ASes (65,250 series, 131.5 M bins
 * per method).  Two measurements:
 *
 *   core   the detectors alone (detect.h), series after series, values
 *          generated in memory (flat-ish BGP-like counts with jitter, one
 *          outage in every 50th series): what a streaming detector costs.
 *   store  the same through the store (detect_run.h): points written to a
 *          fresh SQLite file first (timed separately), then `detect` as the
 *          CLI runs it (read points, run both methods, write alerts,
 *          events and state, commit).  The full load would be a 3-4 GB
 *          store, so this runs on --store-series series (default 2,000)
 *          and reports the rate; the rate is per bin, so it extrapolates.
 *
 * Output: one line per measurement with bins/s, and the ratio of each
 * method to the median's core rate (the reference run in the same process).
 * Core rates are per CPU second (the machine may be shared); store lines
 * give wall and CPU time, since SQLite's I/O is part of that cost.
 *
 * usage: detect_bench [--series N] [--bins B] [--store-series N] [--dir D]
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "darkwatch/detect.h"
#include "darkwatch/detect_run.h"
#include "darkwatch/store.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of this process: on a shared machine the honest cost. */
static double cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_state = 88172645463325252ull;
static double rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (double)(rng_state >> 11) / 9007199254740992.0;
}

static void gen(double *v, int bins, int series_no)
{
	double base = 50 + 5000 * rnd();
	int out0 = -1, out1 = -1;
	if (series_no % 50 == 7) {
		out0 = 1000 + (int)(rnd() * 500);
		out1 = out0 + 12 + (int)(rnd() * 200);
	}
	for (int i = 0; i < bins; i++) {
		double x = base;
		if (rnd() < 0.02)
			x -= 1 + (int)(rnd() * 3);
		if (i >= out0 && i < out1)
			x *= 0.3;
		v[i] = floor(x);
	}
}

struct counter {
	uint64_t alerts;
};

static int count(void *c, const struct dw_alert *a)
{
	((struct counter *)c)->alerts += a->level != 0;
	return 0;
}

static double core(int method, int nseries, int bins, uint64_t *alerts)
{
	struct dw_detect_conf *conf = NULL;
	struct dw_detect_params p;
	struct counter c = {0};
	struct dw_detect_sink sink = {count, NULL, &c};
	double *v = malloc((size_t)bins * sizeof(double)), gen_s = 0;
	double t0 = cpu();

	dw_detect_conf_new(NULL, &conf, NULL, 0);
	dw_detect_conf_get(conf, "bgp", &p);
	rng_state = 88172645463325252ull;
	for (int s = 0; s < nseries; s++) {
		struct dw_detector *d = NULL;
		double g = cpu();
		gen(v, bins, s);
		gen_s += cpu() - g;
		dw_detector_new(method, &p, 300, &d);
		for (int i = 0; i < bins; i++)
			dw_detector_push(d, 1573776000 + (int64_t)i * 300, v[i], &sink);
		dw_detector_free(d);
	}
	double el = cpu() - t0 - gen_s;
	free(v);
	dw_detect_conf_free(conf);
	*alerts = c.alerts;
	return (double)nseries * bins / el;
}

static int store_bench(const char *dir, int nseries, int bins)
{
	char path[600], msg[300];
	struct dw_store *s = NULL;
	struct dw_detect_conf *conf = NULL;
	double *v = malloc((size_t)bins * sizeof(double));

	snprintf(path, sizeof(path), "%s/detect_bench.db", dir);
	unlink(path);
	if (dw_store_open(path, DW_STORE_RDWR, &s, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "detect_bench: %s\n", msg);
		free(v);
		return 1;
	}
	double t0 = now();
	rng_state = 88172645463325252ull;
	dw_store_begin(s);
	for (int k = 0; k < nseries; k++) {
		char code[32];
		int64_t e, sid;
		snprintf(code, sizeof(code), "%d", 64512 + k);
		dw_store_entity(s, "asn", code, NULL, &e);
		dw_store_series(s, "bgp", e, "", 300, &sid);
		gen(v, bins, k);
		for (int i = 0; i < bins; i++)
			dw_store_put(s, sid, 1573776000 + (int64_t)i * 300, v[i]);
	}
	dw_store_commit(s);
	double tw = now() - t0;
	fflush(stdout);
	printf("store  write points          %9.0f points/s  (%d series x %d bins, %.1f s)\n",
	       (double)nseries * bins / tw, nseries, bins, tw);

	dw_detect_conf_new(NULL, &conf, NULL, 0);
	for (int m = -1; m < DW_DETECT_NMETHODS; m++) {
		struct dw_detect_run_opts o = {.method = m, .batch = 1,
					       .from = INT64_MIN, .until = INT64_MAX};
		struct dw_detect_run_stats st;
		t0 = now();
		double c0 = cpu();
		if (dw_detect_run(s, conf, &o, &st, msg, sizeof(msg)) < 0) {
			fprintf(stderr, "detect_bench: %s\n", msg);
			break;
		}
		double el = now() - t0, ce = cpu() - c0;
		printf("store  detect %-14s %9.0f bins/s    (%" PRIu64 " bins, %" PRIu64
		       " alerts written, %.1f s wall, %.1f s CPU)\n",
		       m < 0 ? "both" : dw_detect_method_name(m),
		       (double)st.points / el, st.points, st.alerts, el, ce);
	}
	/* incremental: one more bin per series, as a live deployment does */
	dw_store_begin(s);
	for (int k = 0; k < nseries; k++)
		dw_store_put(s, k + 1, 1573776000 + (int64_t)bins * 300, 1000);
	dw_store_commit(s);
	struct dw_detect_run_opts o = {.method = -1, .from = INT64_MIN, .until = INT64_MAX};
	struct dw_detect_run_stats st;
	t0 = now();
	double c0 = cpu();
	dw_detect_run(s, conf, &o, &st, msg, sizeof(msg));
	double el = now() - t0, ce = cpu() - c0;
	printf("store  incremental +1 bin    %9.0f series/s  (%d series, %.2f s wall, "
	       "%.2f s CPU)\n", nseries / el, nseries, el, ce);
	dw_detect_conf_free(conf);
	dw_store_close(s);
	unlink(path);
	free(v);
	return 0;
}

int main(int argc, char **argv)
{
	int nseries = 250 + 5000 + 60000, bins = 7 * 288, store_series = 2000;
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *dir = "/tmp";
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--series"))
			nseries = (int)strtol(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--bins"))
			bins = (int)strtol(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--store-series"))
			store_series = (int)strtol(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--dir"))
			dir = argv[i + 1];
	}
	printf("detect_bench: %d series x %d bins of 300 s = %.1f M bins per method\n",
	       nseries, bins, (double)nseries * bins / 1e6);
	double ref = 0;
	for (int m = 0; m < DW_DETECT_NMETHODS; m++) {
		uint64_t alerts;
		double r = core(m, nseries, bins, &alerts);
		if (m == 0)
			ref = r;
		fflush(stdout);
		printf("core   %-22s %9.0f bins/s    (x%.2f of median; %" PRIu64
		       " non-normal alerts)\n", dw_detect_method_name(m), r, r / ref, alerts);
	}
	return store_series > 0 ? store_bench(dir, store_series, bins) : 0;
}
