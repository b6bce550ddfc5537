/*
 * test_detect_store.c - detection through the store: incremental runs over
 * growing data give exactly the rows of one batch run; a batch rerun gives
 * the same rows; a range batch rewrites only its range; overall events
 * merge datasources with the product of their scores (hand-computed).
 */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "darkwatch/detect.h"
#include "darkwatch/detect_run.h"
#include "darkwatch/err.h"
#include "darkwatch/store.h"
#include "testutil.h"

static char dir[400];

static void path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static struct dw_store *fresh(const char *name)
{
	char p[512], w[520];
	struct dw_store *s = NULL;
	path_of(p, sizeof(p), name);
	remove(p);
	snprintf(w, sizeof(w), "%s-wal", p);
	remove(w);
	snprintf(w, sizeof(w), "%s-shm", p);
	remove(w);
	CHECK_EQ_INT(dw_store_open(p, DW_STORE_RDWR, &s, NULL, 0), 0);
	return s;
}

/* Every alert and event row, as text, in key order. */
static char *dump(const char *name)
{
	char p[512];
	sqlite3 *db;
	sqlite3_stmt *q;
	size_t cap = 1 << 20, len = 0;
	char *out = malloc(cap);
	static const char *const sql[] = {
		"SELECT series_id, method, t, level, quote(value), quote(history),"
		" condition FROM alert ORDER BY 1, 2, 3",
		"SELECT entity_id, datasource, subtype, method, t_start, quote(t_end),"
		" quote(score), quote(max_drop) FROM event ORDER BY 1, 2, 3, 4, 5"};
	path_of(p, sizeof(p), name);
	out[0] = 0;
	if (sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return out;
	for (int k = 0; k < 2; k++) {
		sqlite3_prepare_v2(db, sql[k], -1, &q, NULL);
		while (sqlite3_step(q) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(q); c++) {
				const char *t = (const char *)sqlite3_column_text(q, c);
				size_t n = strlen(t ? t : "");
				while (len + n + 4 > cap) {
					char *nb = realloc(out, cap * 2);
					if (!nb)
						abort();
					out = nb;
					cap *= 2;
				}
				memcpy(out + len, t ? t : "", n);
				len += n;
				out[len++] = c + 1 < sqlite3_column_count(q) ? '|' : '\n';
			}
		}
		sqlite3_finalize(q);
	}
	out[len] = 0;
	sqlite3_close(db);
	return out;
}

/* Seasonal-ish series with an outage, a shallow lasting shift, a gap. */
static double val(int i, int which)
{
	int64_t t = (int64_t)i * 300;
	double v = 1000 * (1 + 0.3 * sin(2 * M_PI * (double)t / 86400 + which));
	if (t >= 3 * 86400 && t < 3 * 86400 + 3 * 3600)
		v *= 0.4;
	if (t >= 4 * 86400 + 3600)
		v *= 0.92;
	return floor(v);
}

static void put_range(struct dw_store *s, int64_t sid[2], int from, int until)
{
	dw_store_begin(s);
	for (int i = from; i < until; i++) {
		if (i % 500 == 17)
			continue; /* a missing bin */
		for (int k = 0; k < 2; k++)
			dw_store_put(s, sid[k], (int64_t)i * 300, val(i, k));
	}
	CHECK_EQ_INT(dw_store_commit(s), 0);
}

static void make_series(struct dw_store *s, int64_t sid[2])
{
	int64_t e;
	CHECK_EQ_INT(dw_store_entity(s, "country", "XX", "Testland", &e), 0);
	CHECK_EQ_INT(dw_store_series(s, "bgp", e, "", 300, &sid[0]), 0);
	CHECK_EQ_INT(dw_store_series(s, "ping-slash24", e, "", 300, &sid[1]), 0);
}

static int run(struct dw_store *s, const struct dw_detect_conf *c, int batch,
	       int64_t from, int64_t until)
{
	struct dw_detect_run_opts o = {.method = -1, .batch = batch, .from = from,
				       .until = until, .commit_rows = 50};
	struct dw_detect_run_stats st;
	char msg[300];
	int rc = dw_detect_run(s, c, &o, &st, msg, sizeof(msg));
	if (rc < 0)
		fprintf(stderr, "detect: %s\n", msg);
	return rc;
}

static void test_incremental_equals_batch(void)
{
	struct dw_detect_conf *c = NULL;
	struct dw_store *a = fresh("batch.db"), *b = fresh("incr.db");
	int64_t sa[2], sb[2];
	const int n = 6 * 288;
	static const int cuts[] = {100, 101, 288, 900, 1000, 1210, 1500, n};

	dw_detect_conf_new(NULL, &c, NULL, 0);
	make_series(a, sa);
	make_series(b, sb);
	put_range(a, sa, 0, n);
	CHECK_EQ_INT(run(a, c, 1, INT64_MIN, INT64_MAX), 0);
	for (int k = 0, from = 0; k < 8; from = cuts[k++]) {
		put_range(b, sb, from, cuts[k]);
		CHECK_EQ_INT(run(b, c, 0, INT64_MIN, INT64_MAX), 0);
	}
	dw_store_close(a);
	dw_store_close(b);
	char *da = dump("batch.db"), *db = dump("incr.db");
	CHECK(strlen(da) > 1000);
	CHECK(strstr(da, "|overall|") != NULL);
	CHECK(strstr(da, "level shift") != NULL || strstr(da, "|seasonal|") != NULL);
	if (strcmp(da, db)) {
		size_t i = 0;
		while (da[i] == db[i])
			i++;
		dw_test_fail(__FILE__, __LINE__, "incremental != batch near: "
			     "%.120s\n  vs %.120s", da + (i > 60 ? i - 60 : 0),
			     db + (i > 60 ? i - 60 : 0));
	}

	/* rerun: the same rows; a range batch: the same rows too */
	a = NULL;
	char p[512];
	path_of(p, sizeof(p), "batch.db");
	CHECK_EQ_INT(dw_store_open(p, DW_STORE_RDWR, &a, NULL, 0), 0);
	CHECK_EQ_INT(run(a, c, 1, INT64_MIN, INT64_MAX), 0);
	CHECK_EQ_INT(run(a, c, 1, 2 * 86400, 4 * 86400 + 7200), 0);
	CHECK_EQ_INT(run(a, c, 0, INT64_MIN, INT64_MAX), 0); /* nothing new */
	dw_store_close(a);
	char *d2 = dump("batch.db");
	CHECK(!strcmp(da, d2));
	free(da);
	free(db);
	free(d2);
	dw_detect_conf_free(c);
}

struct got {
	int n;
	struct dw_store_event_row e[8];
	char ds[8][32];
};

static int keep(void *ctx, const struct dw_store_event_row *e)
{
	struct got *g = ctx;
	if (g->n < 8) {
		g->e[g->n] = *e;
		snprintf(g->ds[g->n], sizeof(g->ds[0]), "%s", e->datasource);
		g->n++;
	}
	return 0;
}

/* test_detect.c's hand-computed series, in two datasources: overall = product */
static void test_overall(void)
{
	static const double v[] = {10, 10, 10, 10, 10, 4, 4, 4, 4, 4, 4, 4};
	struct dw_detect_conf *c = NULL;
	struct dw_store *s = fresh("overall.db");
	char conf[512], msg[256];
	int64_t e, sid[2];
	FILE *f;

	path_of(conf, sizeof(conf), "overall.conf");
	f = fopen(conf, "w");
	for (int k = 0; k < 2; k++)
		fprintf(f, "[%s]\nmedian.window = 1200\nmedian.warn = 0.9\n"
			   "median.crit = 0.5\nmedian.inpaint_max = 900\n"
			   "median.warmup = 600\n", k ? "ping-slash24" : "bgp");
	fclose(f);
	CHECK_EQ_INT(dw_detect_conf_new(conf, &c, msg, sizeof(msg)), 0);
	dw_store_entity(s, "asn", "64500", NULL, &e);
	dw_store_series(s, "bgp", e, "", 300, &sid[0]);
	dw_store_series(s, "ping-slash24", e, "", 300, &sid[1]);
	for (int i = 0; i < 12; i++) {
		dw_store_put(s, sid[0], i * 300, v[i]);
		dw_store_put(s, sid[1], i * 300, v[i]);
	}
	struct dw_detect_run_opts o = {.method = DW_DETECT_MEDIAN, .from = INT64_MIN,
				       .until = INT64_MAX};
	struct dw_detect_run_stats st;
	CHECK_EQ_INT(dw_detect_run(s, c, &o, &st, msg, sizeof(msg)), 0);
	struct got g = {0};
	struct dw_store_event_filter flt = {.method = "median", .from = INT64_MIN,
					    .until = INT64_MAX};
	CHECK_EQ_INT(dw_store_events(s, &flt, keep, &g), 3);
	double one = 5 * 60.0 * 5 + 300.0 / 7 * 5;
	for (int i = 0; i < g.n; i++) {
		double want = strcmp(g.ds[i], "overall") ? one : one * one;
		CHECK_EQ_INT(g.e[i].t_start, 1500);
		CHECK_EQ_INT(g.e[i].t_end, 3300);
		if (fabs(g.e[i].score - want) > 1e-6 * want)
			dw_test_fail(__FILE__, __LINE__, "%s score %.9g want %.9g",
				     g.ds[i], g.e[i].score, want);
		CHECK(fabs(g.e[i].max_drop - 60) < 1e-9);
	}
	/* the alerts: every non-normal one plus the normal one closing it */
	sqlite3 *db;
	sqlite3_stmt *q;
	char p[512];
	dw_store_close(s);
	path_of(p, sizeof(p), "overall.db");
	sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL);
	sqlite3_prepare_v2(db, "SELECT group_concat(t || ':' || level, ' ') FROM "
			   "(SELECT t, level FROM alert WHERE series_id = 1 ORDER BY t)",
			   -1, &q, NULL);
	sqlite3_step(q);
	CHECK_EQ_STR((const char *)sqlite3_column_text(q, 0),
		     "1500:2 1800:2 2100:2 2400:2 2700:2 3000:1 3300:0");
	sqlite3_finalize(q);
	sqlite3_close(db);
	dw_detect_conf_free(c);
}

int main(void)
{
	const char *base = getenv("DW_SCRATCH");
	snprintf(dir, sizeof(dir), "%s", base && *base ? base : "/tmp");
	test_incremental_equals_batch();
	test_overall();
	return dw_test_finish();
}
