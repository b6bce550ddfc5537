/*
 * eval_cmd.c - `darkwatch eval`: score the detectors' events against a
 * ground-truth file (docs/SIM.md's truth.csv format), both methods side by
 * side: event-level precision, recall, onset and end delay.
 *
 * Matching (docs/DETECT.md, "Evaluation"), in short:
 *  - Truth outages are the truth rows with expected_change < 0 for an
 *    entity that has a series of the datasource; rows of one entity whose
 *    [start, end) overlap or touch merge into one truth event (the series
 *    sees one drop).  A truth event shallower than --min-drop (its largest
 *    summed change / the series' median over the day before) is "neutral":
 *    detections of it are neither right nor wrong, and missing it is no
 *    miss.
 *  - A detected event matches a truth event of the same entity when their
 *    time ranges overlap, the truth range widened to whole bins.  Precision
 *    = detections matching a counted truth event / detections not matching
 *    only neutral ones; recall = counted truth events matched / counted.
 *  - Onset delay: earliest matching detection start - truth start (floored
 *    to the bin), in bins; end delay: latest matching detection end - the
 *    truth end (rounded up to the bin); medians over matched events.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "darkwatch/detect.h"
#include "darkwatch/err.h"
#include "darkwatch/store.h"

struct trow {
	char type[32], code[128];
	int64_t start, end;
	double change;
};

struct tev {
	const struct trow *first;
	int64_t start, end, step;
	double depth;
	int neutral, matched, has_series;
	int64_t det_start, det_end; /* earliest start, latest end matched */
};

struct dev {
	char type[32], code[128];
	int64_t start, end;
};

struct devs {
	struct dev *v;
	size_t n, cap;
	const char *subtype; /* only events of this series subtype */
	const struct types *types; /* ... and of these entity types */
};

static int cmp_rows(const void *a, const void *b)
{
	const struct trow *x = a, *y = b;
	int c = strcmp(x->type, y->type);
	if (!c)
		c = strcmp(x->code, y->code);
	if (!c)
		c = (x->start > y->start) - (x->start < y->start);
	return c;
}

/* Entity types named anywhere in the truth file: only they are judged. */
struct types {
	char name[8][32];
	int n;
};

static void type_seen(struct types *t, const char *s)
{
	for (int i = 0; i < t->n; i++)
		if (!strcmp(t->name[i], s))
			return;
	if (t->n < 8 && strlen(s) < sizeof(t->name[0]))
		snprintf(t->name[t->n++], sizeof(t->name[0]), "%s", s);
}

static int type_judged(const struct types *t, const char *s)
{
	for (int i = 0; i < t->n; i++)
		if (!strcmp(t->name[i], s))
			return 1;
	return 0;
}

/* Parse truth.csv: the header names the columns; returns rows or NULL. */
static struct trow *read_truth(const char *path, size_t *n, struct types *ty,
			       char *msg, size_t msglen)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	int col[6] = {-1, -1, -1, -1, -1, -1};
	static const char *names[6] = {"entity_type", "entity_code", "kind",
				       "start", "end", "expected_change"};
	struct trow *v = NULL;
	size_t cap = 0, lineno = 0;

	*n = 0;
	if (!f) {
		snprintf(msg, msglen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		char *fld[16], *p = line;
		int nf = 0;
		lineno++;
		line[strcspn(line, "\r\n")] = 0;
		if (!*line)
			continue;
		while (nf < 16) {
			fld[nf++] = p;
			if (!(p = strchr(p, ',')))
				break;
			*p++ = 0;
		}
		if (lineno == 1) {
			for (int i = 0; i < nf; i++)
				for (int k = 0; k < 6; k++)
					if (!strcmp(fld[i], names[k]))
						col[k] = i;
			for (int k = 0; k < 6; k++)
				if (col[k] < 0 || col[k] >= nf) {
					snprintf(msg, msglen, "%s: the header lacks %s", path, names[k]);
					goto fail;
				}
			continue;
		}
		struct trow r = {0};
		char *e1, *e2, *e3;
		if (nf <= col[5] || nf <= col[4] || nf <= col[3] || nf <= col[1])
			goto bad;
		r.start = strtoll(fld[col[3]], &e1, 10);
		r.end = strtoll(fld[col[4]], &e2, 10);
		r.change = strtod(fld[col[5]], &e3);
		if (*e1 || *e2 || *e3 || r.end <= r.start ||
		    strlen(fld[col[0]]) >= sizeof(r.type) ||
		    strlen(fld[col[1]]) >= sizeof(r.code))
			goto bad;
		snprintf(r.type, sizeof(r.type), "%s", fld[col[0]]);
		snprintf(r.code, sizeof(r.code), "%s", fld[col[1]]);
		type_seen(ty, r.type);
		if (r.change >= 0 || !dw_store_entity_type_valid(r.type))
			continue; /* not a drop of an entity's series */
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			struct trow *nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				snprintf(msg, msglen, "out of memory");
				goto fail;
			}
			v = nv;
		}
		v[(*n)++] = r;
	}
	fclose(f);
	return v ? v : calloc(1, sizeof(*v));
bad:
	snprintf(msg, msglen, "%s:%zu: not a truth row", path, lineno);
fail:
	fclose(f);
	free(v);
	return NULL;
}

struct vals {
	double *v;
	size_t n, cap;
};

static int add_val(void *c, int64_t t, double x)
{
	struct vals *v = c;
	(void)t;
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 256;
		double *nv = realloc(v->v, cap * sizeof(*nv));
		if (!nv)
			return DW_ENOMEM;
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = x;
	return 0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Merge rows into truth events and measure each one's depth. */
static int build_truth(struct dw_store *s, const char *ds, const char *sub,
		       struct trow *r,
		       size_t n, double min_drop, struct tev **out, size_t *nout)
{
	struct tev *t = calloc(n ? n : 1, sizeof(*t));
	struct vals vals = {0};
	size_t k = 0;

	if (!t)
		return DW_ENOMEM;
	qsort(r, n, sizeof(*r), cmp_rows);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		int64_t end = r[i].end;
		while (j < n && !strcmp(r[j].type, r[i].type) &&
		       !strcmp(r[j].code, r[i].code) && r[j].start <= end) {
			if (r[j].end > end)
				end = r[j].end;
			j++;
		}
		struct tev *e = &t[k++];
		e->first = &r[i];
		e->start = r[i].start;
		e->end = end;
		/* depth: the largest sum of changes active at a row's start */
		double worst = 0;
		for (size_t a = i; a < j; a++) {
			double sum = 0;
			for (size_t b = i; b < j; b++)
				if (r[b].start <= r[a].start && r[a].start < r[b].end)
					sum += r[b].change;
			if (sum < worst)
				worst = sum;
		}
		int64_t eid, step = 300;
		int rc = dw_store_entity_find(s, r[i].type, r[i].code, &eid);
		if (rc > 0)
			rc = dw_store_series_find(s, ds, eid, sub, NULL, &step);
		if (rc < 0) {
			free(t);
			free(vals.v);
			return rc;
		}
		e->has_series = rc > 0;
		e->step = step;
		if (e->has_series) {
			vals.n = 0;
			rc = dw_store_query_points(s, ds, r[i].type, r[i].code, sub,
						   e->start - 86400, e->start,
						   add_val, &vals);
			if (rc < 0) {
				free(t);
				free(vals.v);
				return rc;
			}
			double base = 0;
			if (vals.n) {
				qsort(vals.v, vals.n, sizeof(double), cmp_d);
				base = vals.v[vals.n / 2];
			}
			e->depth = base > 0 ? -worst / base : 1;
			e->neutral = e->depth < min_drop;
		}
		i = j;
	}
	free(vals.v);
	*out = t;
	*nout = k;
	return 0;
}

static int add_det(void *c, const struct dw_store_event_row *e)
{
	struct devs *d = c;
	if (strcmp(e->subtype, d->subtype) || !type_judged(d->types, e->entity_type))
		return 0;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct dev *nv = realloc(d->v, cap * sizeof(*nv));
		if (!nv)
			return DW_ENOMEM;
		d->v = nv;
		d->cap = cap;
	}
	struct dev *v = &d->v[d->n++];
	snprintf(v->type, sizeof(v->type), "%s", e->entity_type);
	snprintf(v->code, sizeof(v->code), "%s", e->entity_code);
	v->start = e->t_start;
	v->end = e->t_end == DW_STORE_OPEN ? INT64_MAX : e->t_end;
	return 0;
}

static double median_of(double *v, size_t n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct result {
	size_t truth, neutral, detected, tp, fp, matched;
	double precision, recall, onset, end;
};

static void score(struct tev *t, size_t nt, const struct devs *d,
		  struct result *r)
{
	double *on = calloc(nt + 1, sizeof(double));
	double *en = calloc(nt + 1, sizeof(double));
	size_t non = 0, nen = 0;

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < nt; i++) {
		t[i].matched = 0;
		t[i].det_start = INT64_MAX;
		t[i].det_end = INT64_MIN;
		if (t[i].has_series && !t[i].neutral)
			r->truth++;
		else if (t[i].has_series)
			r->neutral++;
	}
	for (size_t k = 0; k < d->n; k++) {
		const struct dev *v = &d->v[k];
		int good = 0, neutral = 0;
		for (size_t i = 0; i < nt; i++) {
			struct tev *e = &t[i];
			int64_t a = e->start / e->step * e->step;
			int64_t b = (e->end + e->step - 1) / e->step * e->step;
			if (!e->has_series || strcmp(v->type, e->first->type) ||
			    strcmp(v->code, e->first->code) || v->start >= b || a >= v->end)
				continue;
			if (e->neutral) {
				neutral = 1;
				continue;
			}
			good = 1;
			e->matched = 1;
			if (v->start < e->det_start)
				e->det_start = v->start;
			if (v->end > e->det_end)
				e->det_end = v->end;
		}
		if (good)
			r->tp++;
		else if (!neutral)
			r->fp++;
		if (good || !neutral)
			r->detected++;
	}
	for (size_t i = 0; i < nt; i++) {
		struct tev *e = &t[i];
		if (!e->matched)
			continue;
		r->matched++;
		int64_t a = e->start / e->step * e->step;
		int64_t b = (e->end + e->step - 1) / e->step * e->step;
		on[non++] = (double)(e->det_start - a) / (double)e->step;
		if (e->det_end != INT64_MAX)
			en[nen++] = (double)(e->det_end - b) / (double)e->step;
	}
	r->precision = r->detected ? (double)r->tp / (double)r->detected : NAN;
	r->recall = r->truth ? (double)r->matched / (double)r->truth : NAN;
	r->onset = median_of(on, non);
	r->end = median_of(en, nen);
	free(on);
	free(en);
}

static void eval_usage(FILE *f)
{
	fprintf(f,
		"usage: darkwatch eval --db DB --truth FILE [--datasource DS]\n"
		"                      [--min-drop F] [--misses]\n\n"
		"Compare the detected events of each method with a ground-truth file\n"
		"(the simulator's truth.csv: entity_type,entity_code,kind,start,end,\n"
		"expected_change) and print event-level precision, recall and the\n"
		"median onset and end delays in bins.  Run `darkwatch detect` first.\n"
		"docs/DETECT.md defines the matching.\n\n"
		"  --db DB           the store\n"
		"  --truth FILE      the ground truth\n"
		"  --datasource DS   the datasource judged (default bgp)\n"
		"  --subtype S       the series subtype judged (default none: the\n"
		"                    main series, the one truth.csv describes)\n"
		"  --min-drop F      truth events shallower than this fraction of the\n"
		"                    series are neutral (default 0.05)\n"
		"  --misses          also list missed truth events and false positives\n"
		"  -h, --help        this text\n\n"
		"exit: 0 printed, 1 usage error or bad truth file, 3 the store could\n"
		"      not be read\n");
}

static void fmt_num(char *b, size_t n, double v, int prec)
{
	if (isnan(v))
		snprintf(b, n, "-");
	else
		snprintf(b, n, "%.*f", prec, v);
}

int dw_cmd_eval(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'},
		{"truth", required_argument, 0, 't'},
		{"datasource", required_argument, 0, 's'},
		{"min-drop", required_argument, 0, 'M'},
		{"misses", no_argument, 0, 'x'},
		{"subtype", required_argument, 0, 'u'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	const char *db = NULL, *truth = NULL, *ds = "bgp", *sub = "";
	double min_drop = 0.05;
	int c, misses = 0, ret = DW_EXIT_UNREADABLE;
	char msg[600];
	struct dw_store *s = NULL;
	struct trow *rows = NULL;
	struct tev *tev = NULL;
	size_t nrows = 0, ntev = 0;
	/* the types truth.csv describes (docs/SIM.md), plus any it names */
	struct types types = {{"country", "region", "asn"}, 3};

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 't': truth = optarg; break;
		case 's': ds = optarg; break;
		case 'M': {
			char *e;
			min_drop = strtod(optarg, &e);
			if (*e || !(min_drop >= 0 && min_drop <= 1)) {
				fprintf(stderr, "darkwatch eval: --min-drop is a fraction "
					"between 0 and 1\n");
				return DW_EXIT_USAGE;
			}
			break;
		}
		case 'x': misses = 1; break;
		case 'u': sub = optarg; break;
		case 'h': eval_usage(stdout); return DW_EXIT_OK;
		default: eval_usage(stderr); return DW_EXIT_USAGE;
		}
	}
	if (!db || !truth || optind < argc) {
		fprintf(stderr, "darkwatch eval: %s\n\n", optind < argc
			? "unexpected argument" : "--db and --truth are required");
		eval_usage(stderr);
		return DW_EXIT_USAGE;
	}
	if (!(rows = read_truth(truth, &nrows, &types, msg, sizeof(msg)))) {
		fprintf(stderr, "darkwatch eval: %s\n", msg);
		return DW_EXIT_USAGE;
	}
	if (dw_store_open(db, DW_STORE_RDONLY, &s, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "darkwatch eval: %s\n", msg);
		goto out;
	}
	if (build_truth(s, ds, sub, rows, nrows, min_drop, &tev, &ntev) < 0) {
		fprintf(stderr, "darkwatch eval: %s\n", dw_store_errmsg(s));
		goto out;
	}
	size_t noseries = 0;
	for (size_t i = 0; i < ntev; i++)
		noseries += !tev[i].has_series;
	printf("eval: %s, datasource %s: %zu truth drops -> %zu truth events",
	       truth, ds, nrows, ntev);
	if (noseries)
		printf(" (%zu on entities without a %s series, skipped)", noseries, ds);
	printf("\n%-9s %6s %7s %8s %4s %4s %9s %7s %11s %11s\n", "method",
	       "truth", "neutral", "detected", "tp", "fp", "precision", "recall",
	       "onset(bins)", "end(bins)");
	for (int m = 0; m < DW_DETECT_NMETHODS; m++) {
		struct devs d = {.subtype = sub, .types = &types};
		struct dw_store_event_filter f = {.datasource = ds,
						  .method = dw_detect_method_name(m),
						  .from = INT64_MIN, .until = INT64_MAX};
		struct result r;
		char p[16], rc[16], on[16], en[16];
		if (dw_store_events(s, &f, add_det, &d) < 0) {
			fprintf(stderr, "darkwatch eval: %s\n", dw_store_errmsg(s));
			free(d.v);
			goto out;
		}
		score(tev, ntev, &d, &r);
		fmt_num(p, sizeof(p), r.precision, 3);
		fmt_num(rc, sizeof(rc), r.recall, 3);
		fmt_num(on, sizeof(on), r.onset, 1);
		fmt_num(en, sizeof(en), r.end, 1);
		printf("%-9s %6zu %7zu %8zu %4zu %4zu %9s %7s %11s %11s\n",
		       dw_detect_method_name(m), r.truth, r.neutral, r.detected, r.tp,
		       r.fp, p, rc, on, en);
		if (misses) {
			for (size_t i = 0; i < ntev; i++)
				if (tev[i].has_series && !tev[i].neutral && !tev[i].matched)
					printf("  missed %s/%s %" PRId64 "-%" PRId64 " depth %.3f\n",
					       tev[i].first->type, tev[i].first->code,
					       tev[i].start, tev[i].end, tev[i].depth);
			for (size_t k = 0; k < d.n; k++) {
				int hit = 0;
				for (size_t i = 0; i < ntev && !hit; i++) {
					const struct tev *e = &tev[i];
					int64_t b = (e->end + e->step - 1) / e->step * e->step;
					hit = e->has_series && !strcmp(d.v[k].type, e->first->type) &&
					      !strcmp(d.v[k].code, e->first->code) &&
					      d.v[k].start < b &&
					      e->start / e->step * e->step < d.v[k].end;
				}
				if (!hit)
					printf("  false %s/%s %" PRId64 "-%" PRId64 "\n",
					       d.v[k].type, d.v[k].code, d.v[k].start,
					       d.v[k].end == INT64_MAX ? (int64_t)-1 : d.v[k].end);
			}
		}
		free(d.v);
	}
	ret = DW_EXIT_OK;
out:
	dw_store_close(s);
	free(rows);
	free(tev);
	return ret;
}
