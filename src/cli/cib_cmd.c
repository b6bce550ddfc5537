/*
 * cib_cmd.c - `darkwatch cib import|detect|networks`: coordinated account
 * networks in social-media activity exports.
 *
 * Thin verbs over src/cib/import.c (parse files), src/store/cib.c (write,
 * feed the engine, keep results), the engine (dw_cib_detect) and
 * src/cib/indicators.c.  docs/CIB.md documents formats, parameters and
 * outputs; darkwatch(1) the options and exit codes, which follow the other
 * verbs: 0 done, 1 usage, 2 rows skipped as bad, 3 an input or the store
 * could not be read or written.
 *
 * Longer than the usual file: three verbs and the four output formats of
 * `cib networks`, which nothing else uses; kept together so the verbs'
 * options, help texts and outputs can be read (and changed) in one place.
 */
#include <errno.h>
#include <getopt.h>
#include <igraph/igraph.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "cib/import.h"
#include "cib/indicators.h"
#include "cli/cli.h"
#include "darkwatch/cib.h"
#include "darkwatch/cib_store.h"
#include "darkwatch/err.h"
#include "darkwatch/hash.h"
#include "darkwatch/store.h"
#include "darkwatch/timefmt.h"

#define BAD_SHOWN 20 /* bad-row messages per file before just counting */

static double now_s(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static int parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	char *e;
	errno = 0;
	long long v = strtoll(s, &e, 10);
	if (errno || e == s || *e || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int parse_dbl(const char *s, double lo, double hi, double *out)
{
	char *e;
	errno = 0;
	double v = strtod(s, &e);
	if (errno || e == s || *e || !isfinite(v) || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* ============================================================== import */

static void import_usage(FILE *f)
{
	fprintf(f,
		"usage: darkwatch cib import --db DB --format FORMAT [--force]\n"
		"                            [--batch N] [-q] FILE...\n\n"
		"Import social-media activity (who shared what, when) into the store\n"
		"for `darkwatch cib detect`.  Files may be gzip-compressed.  A post is\n"
		"stored once per id, so importing a file again adds nothing; a file\n"
		"already in the ingestion log is skipped unless --force.  Bad rows are\n"
		"skipped and reported as FILE:LINE: reason.\n\n"
		"  --db DB          the store (created if missing)\n"
		"  --format F       generic   CSV with a header: account, time and any\n"
		"                             of post, shared (retweet), url(s),\n"
		"                             domain, hashtag(s), image, text\n"
		"                   jsonl     one JSON object per line, same keys\n"
		"                             (arrays allowed)\n"
		"                   coortweet object_id,account_id,content_id,\n"
		"                             timestamp_share (CooRTweet)\n"
		"                   twitter-io Twitter's information-operations\n"
		"                             archives (tweetid, userid, tweet_time,\n"
		"                             retweet_tweetid, urls, hashtags, ...)\n"
		"  --force          read files already in the ingestion log again\n"
		"  --batch N        posts per transaction (default %d): a crash\n"
		"                   loses at most the batch being written, and\n"
		"                   importing the file again restores it\n"
		"  -q, --quiet      no per-file summary\n"
		"  -h, --help       this text\n\n"
		"Times: epoch seconds or ISO 8601 / \"YYYY-MM-DD HH:MM[:SS]\", UTC.\n"
		"docs/CIB.md lists the normalisation of URLs, domains and hashtags.\n\n"
		"exit: 0 imported, 1 usage error, 2 some rows skipped as bad, 3 a file\n"
		"      or the store could not be read or written (committed batches\n"
		"      stay; run again)\n", DW_CIB_BATCH);
}

struct imp {
	const char *path;
	struct dw_cib_writer *w;
	struct dw_progress pr;
	uint64_t bad_shown, newp, dups;
	int64_t first_t, last_t;
	int store_err;
};

static int imp_row(void *ctx, const struct dw_cib_row *r)
{
	struct imp *im = ctx;
	int rc = dw_cib_store_row(im->w, r);

	if (rc < 0) {
		im->store_err = rc;
		return rc;
	}
	if (rc)
		im->newp++;
	else
		im->dups++;
	if (r->t < im->first_t)
		im->first_t = r->t;
	if (r->t > im->last_t)
		im->last_t = r->t;
	return 0;
}

static void imp_bad(void *ctx, uint64_t line, const char *reason)
{
	struct imp *im = ctx;
	if (im->bad_shown++ < BAD_SHOWN)
		fprintf(stderr, "darkwatch cib import: %s:%" PRIu64 ": %s\n",
			im->path, line, reason);
}

static void imp_progress(void *ctx, uint64_t pos, uint64_t total,
			 uint64_t rows)
{
	struct imp *im = ctx;
	dw_progress_update(&im->pr, pos, total, rows);
}

/* One file: DW_EXIT_OK, _SKIPPED or _UNREADABLE. */
static int import_file(struct dw_store *s, int fmt, const char *path,
		       size_t batch, int force, int quiet)
{
	struct imp im = {.path = path, .first_t = INT64_MAX,
			 .last_t = INT64_MIN};
	struct dw_cib_parse_stats st;
	char hex[DW_SHA256_HEX_LEN + 1], msg[512], label[300];
	const char *fname = dw_cib_format_name(fmt);
	double t0 = now_s();
	int rc;

	if ((rc = dw_sha256_file(path, hex)) < 0) {
		fprintf(stderr, "darkwatch cib import: %s: %s\n", path,
			dw_strerror(rc));
		return DW_EXIT_UNREADABLE;
	}
	if (!force && (rc = dw_store_ingest_seen(s, "cib", hex)) != 0) {
		if (rc < 0) {
			fprintf(stderr, "darkwatch cib import: %s\n",
				dw_store_errmsg(s));
			return DW_EXIT_UNREADABLE;
		}
		if (!quiet)
			printf("%s: already imported (--force reads it again)\n",
			       path);
		return DW_EXIT_OK;
	}
	if ((rc = dw_cib_writer_new(s, batch, &im.w)) < 0) {
		fprintf(stderr, "darkwatch cib import: %s\n", dw_store_errmsg(s));
		return DW_EXIT_UNREADABLE;
	}
	snprintf(label, sizeof(label), "cib import: %s", path);
	dw_progress_init(&im.pr, label);
	rc = dw_cib_parse_file(fmt, path, imp_row, imp_bad, imp_progress, &im,
			       &st, msg, sizeof(msg));
	dw_progress_done(&im.pr);
	if (im.store_err) {
		fprintf(stderr, "darkwatch cib import: %s: %s\n", path,
			dw_store_errmsg(s));
		dw_cib_writer_abort(im.w);
		return DW_EXIT_UNREADABLE;
	}
	if (rc == 0)
		rc = dw_store_ingest_done(s, "cib", hex, fname, im.first_t,
					  im.last_t);
	else
		fprintf(stderr, "darkwatch cib import: %s\n", msg);
	int wrc = dw_cib_writer_free(im.w);
	if (wrc < 0) {
		fprintf(stderr, "darkwatch cib import: %s: %s\n", path,
			dw_store_errmsg(s));
		return DW_EXIT_UNREADABLE;
	}
	if (st.bad > BAD_SHOWN)
		fprintf(stderr, "darkwatch cib import: %s: %" PRIu64 " more bad "
			"rows not shown\n", path, st.bad - BAD_SHOWN);
	double dt = now_s() - t0;
	if (!quiet)
		printf("%s: %" PRIu64 " rows, %" PRIu64 " posts new, %" PRIu64
		       " duplicates, %" PRIu64 " bad (%.1f s, %.0f rows/s)\n",
		       path, st.rows + st.bad, im.newp, im.dups, st.bad, dt,
		       dt > 0 ? (double)(st.rows + st.bad) / dt : 0.0);
	if (rc < 0)
		return DW_EXIT_UNREADABLE;
	return st.bad ? DW_EXIT_SKIPPED : DW_EXIT_OK;
}

static int cib_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'},
		{"format", required_argument, 0, 'f'},
		{"force", no_argument, 0, 'F'},
		{"batch", required_argument, 0, 'b'},
		{"quiet", no_argument, 0, 'q'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	struct dw_store *s = NULL;
	const char *db = NULL;
	char msg[600];
	int64_t batch = DW_CIB_BATCH;
	int c, fmt = -1, force = 0, quiet = 0, ret = DW_EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'f':
			if ((fmt = dw_cib_format_parse(optarg)) < 0) {
				fprintf(stderr, "darkwatch cib import: --format '%s': "
					"give generic, jsonl, coortweet or "
					"twitter-io\n", optarg);
				return DW_EXIT_USAGE;
			}
			break;
		case 'F': force = 1; break;
		case 'b':
			if (parse_i64(optarg, 1, 100000000, &batch) < 0) {
				fprintf(stderr, "darkwatch cib import: --batch '%s': "
					"give a number of posts\n", optarg);
				return DW_EXIT_USAGE;
			}
			break;
		case 'q': quiet = 1; break;
		case 'h': import_usage(stdout); return DW_EXIT_OK;
		default: import_usage(stderr); return DW_EXIT_USAGE;
		}
	}
	if (!db || fmt < 0 || optind >= argc) {
		fprintf(stderr, "darkwatch cib import: %s\n\n",
			!db ? "--db is required" : fmt < 0 ? "--format is required"
							   : "no input file");
		import_usage(stderr);
		return DW_EXIT_USAGE;
	}
	if (dw_store_open(db, DW_STORE_RDWR, &s, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "darkwatch cib import: %s\n", msg);
		return DW_EXIT_UNREADABLE;
	}
	for (int i = optind; i < argc; i++) {
		int r = import_file(s, fmt, argv[i], (size_t)batch, force, quiet);
		if (r > ret)
			ret = r;
	}
	dw_store_close(s);
	return ret;
}

/* ============================================================== detect */

static void detect_usage(FILE *f)
{
	struct dw_cib_conf d = DW_CIB_CONF_DEFAULT;
	fprintf(f,
		"usage: darkwatch cib detect --db DB [--window S] [--trace T]...\n"
		"           [--min-repeat N] [--min-weight W] [--quantile Q]\n"
		"           [--min-size N] [--resolution R] [--seed N]\n"
		"           [--max-chance P] [--mem-limit MB]\n"
		"           [--indicators FILE|DIR]... [-q]\n\n"
		"Find networks of accounts that share the same objects within a time\n"
		"window far more often than chance, and write them to the store as a\n"
		"new run (`darkwatch cib networks` shows the latest).  docs/CIB.md\n"
		"explains every parameter and the reason for its default.\n\n"
		"  --db DB            the store (read-write)\n"
		"  --window S         seconds between co-actions (default %" PRId64 ")\n"
		"  --trace T          retweet, url, domain, hashtag, image or text;\n"
		"                     repeat for several (default: all)\n"
		"  --min-repeat N     distinct objects a pair must co-share (%d)\n"
		"  --min-weight W     smallest normalised edge weight (%g)\n"
		"  --quantile Q       keep edges above this weight quantile, 0..1\n"
		"                     (%g: off)\n"
		"  --max-chance P     also keep an edge under the weight cut when\n"
		"                     its co-actions have a chance probability <= P\n"
		"                     given both accounts' activity (%g; 0: off)\n"
		"  --min-size N       smallest network reported (%d)\n"
		"  --resolution R     community detection resolution (%g)\n"
		"  --seed N           MinHash and community detection seed (%" PRIu64 ")\n"
		"  --mem-limit MB     pair table memory before spilling to disk\n"
		"                     (%zu)\n"
		"  --indicators P     mark networks sharing domains or handles of an\n"
		"                     indicator CSV file or directory (Meta layout)\n"
		"  -q, --quiet        no summary\n"
		"  -h, --help         this text\n\n"
		"exit: 0 done, 1 usage error or bad indicator file, 3 the store could\n"
		"      not be read or written\n",
		d.window, d.min_repeat, d.min_weight, d.quantile, d.max_chance,
		d.min_size,
		d.resolution, d.seed, d.mem_limit >> 20);
}

struct dprog {
	int on;
	double last;
};

static void on_stage(void *ctx, const char *stage, double frac)
{
	struct dprog *p = ctx;
	double t = now_s();
	if (!p->on || (t - p->last < 0.5 && frac < 1.0))
		return;
	p->last = t;
	fprintf(stderr, "\r\033[Kcib detect: %s %5.1f%%", stage ? stage : "",
		100.0 * frac);
}

static char *params_json(const struct dw_cib_conf *c, char **ind, int nind)
{
	json_t *o = json_object(), *tr = json_array(), *ia = json_array();
	char *out = NULL;

	if (!o || !tr || !ia)
		goto out;
	for (int t = 0; t < DW_CIB__NTRACE; t++)
		if (c->traces & (1u << t))
			json_array_append_new(tr, json_string(dw_cib_trace_name(t)));
	for (int i = 0; i < nind; i++)
		json_array_append_new(ia, json_string(ind[i]));
	json_object_set_new(o, "window", json_integer(c->window));
	json_object_set(o, "traces", tr);
	json_object_set_new(o, "min_repeat", json_integer(c->min_repeat));
	json_object_set_new(o, "min_weight", json_real(c->min_weight));
	json_object_set_new(o, "quantile", json_real(c->quantile));
	json_object_set_new(o, "min_size", json_integer(c->min_size));
	json_object_set_new(o, "popular_share", json_real(c->popular_share));
	json_object_set_new(o, "popular_min", json_integer(c->popular_min));
	json_object_set_new(o, "text_jaccard", json_real(c->text_jaccard));
	json_object_set_new(o, "text_min_len", json_integer(c->text_min_len));
	json_object_set_new(o, "resolution", json_real(c->resolution));
	json_object_set_new(o, "seed", json_integer((json_int_t)c->seed));
	json_object_set_new(o, "mem_limit", json_integer((json_int_t)c->mem_limit));
	json_object_set_new(o, "max_evidence", json_integer(c->max_evidence));
	json_object_set_new(o, "max_top", json_integer(c->max_top));
	json_object_set_new(o, "max_chance", json_real(c->max_chance));
	json_object_set(o, "indicators", ia);
	out = json_dumps(o, JSON_COMPACT);
out:
	json_decref(tr);
	json_decref(ia);
	json_decref(o);
	return out;
}

static char *stats_json(const struct dw_cib_result *r, double secs)
{
	const struct dw_cib_stats *st = &r->st;
	json_t *o = json_object(), *a = json_object();
	char *out = NULL;

	if (!o || !a)
		goto out;
	for (int t = 0; t < DW_CIB__NTRACE; t++)
		json_object_set_new(a, dw_cib_trace_name(t),
				    json_integer((json_int_t)st->actions[t]));
	json_object_set(o, "actions", a);
	json_object_set_new(o, "popular_objects", json_integer((json_int_t)st->popular_objects));
	json_object_set_new(o, "popular_actions", json_integer((json_int_t)st->popular_actions));
	json_object_set_new(o, "texts", json_integer((json_int_t)st->texts));
	json_object_set_new(o, "text_clusters", json_integer((json_int_t)st->text_clusters));
	json_object_set_new(o, "window_pairs", json_integer((json_int_t)st->window_pairs));
	json_object_set_new(o, "candidate_pairs", json_integer((json_int_t)st->candidate_pairs));
	json_object_set_new(o, "edges", json_integer((json_int_t)st->edges));
	json_object_set_new(o, "spilled_runs", json_integer((json_int_t)st->spilled_runs));
	json_object_set_new(o, "weight_cut", json_real(st->weight_cut));
	json_object_set_new(o, "chance_edges", json_integer((json_int_t)st->chance_edges));
	json_object_set_new(o, "peak_pair_bytes", json_integer((json_int_t)st->peak_pair_bytes));
	json_object_set_new(o, "networks", json_integer((json_int_t)r->nnet));
	json_object_set_new(o, "seconds", json_real(secs));
	out = json_dumps(o, JSON_COMPACT);
out:
	json_decref(a);
	json_decref(o);
	return out;
}

static void ind_list(const char *js, char *out, size_t cap);

static void print_summary(const struct dw_cib_result *r, int64_t run,
			  char **ind, double secs)
{
	uint64_t acts = 0, members = 0;
	for (int t = 0; t < DW_CIB__NTRACE; t++)
		acts += r->st.actions[t];
	for (size_t i = 0; i < r->nnet; i++)
		members += r->net[i].nmembers;
	printf("cib detect: run %" PRId64 ": %zu networks, %" PRIu64
	       " accounts; %" PRIu64 " actions, %" PRIu64 " candidate pairs, %"
	       PRIu64 " edges kept (weight >= %.3g); peak pair memory %.1f MiB;"
	       " %.1f s\n", run, r->nnet, members, acts, r->st.candidate_pairs,
	       r->st.edges, r->st.weight_cut,
	       (double)r->st.peak_pair_bytes / 1048576.0, secs);
	if (!r->nnet)
		return;
	printf("%6s %6s %8s  %-20s  %-20s  %s\n", "net", "size", "score",
	       "first", "last", "traces [indicators]");
	for (size_t i = 0; i < r->nnet && i < 20; i++) {
		const struct dw_cib_network *n = &r->net[i];
		char a[32], b[32], tr[96] = "";
		dw_time_fmt(n->first_t, a);
		dw_time_fmt(n->last_t, b);
		for (int t = 0; t < DW_CIB__NTRACE; t++)
			if (n->traces & (1u << t)) {
				size_t l = strlen(tr);
				snprintf(tr + l, sizeof(tr) - l, "%s%s", l ? "," : "",
					 dw_cib_trace_name(t));
			}
		char il[512] = "";
		if (ind && ind[i])
			ind_list(ind[i], il, sizeof(il));
		printf("%6u %6zu %8.3f  %-20s  %-20s  %s%s%s%s\n", n->id,
		       n->nmembers, n->score, a, b, tr, il[0] ? " [" : "", il,
		       il[0] ? "]" : "");
	}
	if (r->nnet > 20)
		printf("... %zu more (darkwatch cib networks)\n", r->nnet - 20);
}

static int detect_opt(struct dw_cib_conf *c, int opt, const char *arg,
		      int *traces_given)
{
	int64_t v;
	double d;
	int t;

	switch (opt) {
	case 'w':
		if (parse_i64(arg, 0, 86400LL * 366, &v) < 0)
			return -1;
		c->window = v;
		return 0;
	case 't':
		if ((t = dw_cib_trace_parse(arg)) < 0)
			return -1;
		if (!*traces_given)
			c->traces = 0;
		*traces_given = 1;
		c->traces |= 1u << t;
		return 0;
	case 'r':
		if (parse_i64(arg, 1, 1000000, &v) < 0)
			return -1;
		c->min_repeat = (int)v;
		return 0;
	case 'W': return parse_dbl(arg, 0, 1e12, &c->min_weight);
	case 'C': return parse_dbl(arg, 0, 1, &c->max_chance);
	case 'Q': return parse_dbl(arg, 0, 1, &c->quantile);
	case 'S':
		if (parse_i64(arg, 2, 100000000, &v) < 0)
			return -1;
		c->min_size = (int)v;
		return 0;
	case 'R':
		if (parse_dbl(arg, 0, 1e6, &d) < 0 || d <= 0)
			return -1;
		c->resolution = d;
		return 0;
	case 'e':
		if (parse_i64(arg, 0, INT64_MAX, &v) < 0)
			return -1;
		c->seed = (uint64_t)v;
		return 0;
	case 'M':
		if (parse_i64(arg, 1, 1 << 22, &v) < 0)
			return -1;
		c->mem_limit = (size_t)v << 20;
		return 0;
	default:
		return -1;
	}
}

/* Long for its options only: after them, each step is one call. */
static int cib_detect(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'},
		{"window", required_argument, 0, 'w'},
		{"trace", required_argument, 0, 't'},
		{"min-repeat", required_argument, 0, 'r'},
		{"min-weight", required_argument, 0, 'W'},
		{"quantile", required_argument, 0, 'Q'},
		{"min-size", required_argument, 0, 'S'},
		{"resolution", required_argument, 0, 'R'},
		{"seed", required_argument, 0, 'e'},
		{"mem-limit", required_argument, 0, 'M'},
		{"max-chance", required_argument, 0, 'C'},
		{"indicators", required_argument, 0, 'i'},
		{"quiet", no_argument, 0, 'q'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	struct dw_cib_conf conf = DW_CIB_CONF_DEFAULT;
	struct dw_cib_indicators *ind = NULL;
	struct dw_cib_result *res = NULL;
	struct dw_cib_source src;
	struct dw_store *s = NULL;
	struct dprog dp = {isatty(STDERR_FILENO), 0};
	char **indpaths = NULL, **indjson = NULL, *params = NULL, *stats = NULL;
	const char *db = NULL;
	char msg[600];
	int c, quiet = 0, tg = 0, nind = 0, ret = DW_EXIT_USAGE, rc, nmatched = 0;
	int64_t run = 0, started = (int64_t)time(NULL);
	double t0 = now_s();

	memset(&src, 0, sizeof(src));
	if (!(indpaths = calloc((size_t)argc + 1, sizeof(*indpaths))))
		return DW_EXIT_UNREADABLE;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'i': indpaths[nind++] = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': detect_usage(stdout); ret = DW_EXIT_OK; goto out;
		case '?': detect_usage(stderr); goto out;
		default:
			if (detect_opt(&conf, c, optarg, &tg) < 0) {
				fprintf(stderr, "darkwatch cib detect: bad value '%s' "
					"(see --help)\n", optarg);
				goto out;
			}
		}
	}
	if (!db || optind < argc) {
		fprintf(stderr, "darkwatch cib detect: %s\n\n",
			db ? "unexpected argument" : "--db is required");
		detect_usage(stderr);
		goto out;
	}
	if (nind) {
		if (dw_cib_ind_new(&ind) < 0) {
			ret = DW_EXIT_UNREADABLE;
			goto out;
		}
		for (int i = 0; i < nind; i++)
			if (dw_cib_ind_load(ind, indpaths[i], msg, sizeof(msg)) < 0) {
				fprintf(stderr, "darkwatch cib detect: %s\n", msg);
				goto out;
			}
	}
	ret = DW_EXIT_UNREADABLE;
	if (dw_store_open(db, DW_STORE_RDWR, &s, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "darkwatch cib detect: %s\n", msg);
		goto out;
	}
	if ((rc = dw_store_cib_source(s, &src)) < 0) {
		fprintf(stderr, "darkwatch cib detect: %s\n", dw_store_errmsg(s));
		goto out;
	}
	rc = dw_cib_detect(&conf, &src, on_stage, &dp, &res);
	if (dp.on && dp.last > 0)
		fprintf(stderr, "\r\033[K");
	if (rc < 0) {
		fprintf(stderr, "darkwatch cib detect: %s%s%s\n", dw_strerror(rc),
			dw_store_errmsg(s)[0] ? ": " : "", dw_store_errmsg(s));
		ret = rc == DW_EINVAL ? DW_EXIT_USAGE : DW_EXIT_UNREADABLE;
		goto out;
	}
	if (ind && (nmatched = dw_cib_ind_match(ind, s, &src, res, &indjson)) < 0) {
		rc = nmatched;
		fprintf(stderr, "darkwatch cib detect: indicators: %s\n",
			dw_strerror(rc));
		goto out;
	}
	double secs = now_s() - t0;
	if (!(params = params_json(&conf, indpaths, nind)) ||
	    !(stats = stats_json(res, secs))) {
		fprintf(stderr, "darkwatch cib detect: out of memory\n");
		goto out;
	}
	if ((rc = dw_store_cib_run_write(s, started, params, stats, res,
					 (const char *const *)indjson, &run)) < 0) {
		fprintf(stderr, "darkwatch cib detect: %s\n", dw_store_errmsg(s));
		goto out;
	}
	if (!quiet) {
		print_summary(res, run, indjson, now_s() - t0);
		if (ind)
			printf("indicators: %zu loaded, %d networks matched\n",
			       dw_cib_ind_count(ind), nmatched);
	}
	ret = DW_EXIT_OK;
out:
	if (indjson) {
		for (size_t i = 0; res && i < res->nnet; i++)
			free(indjson[i]);
		free(indjson);
	}
	free(params);
	free(stats);
	dw_cib_result_free(res);
	dw_store_cib_source_done(&src);
	dw_store_close(s);
	dw_cib_ind_free(ind);
	free(indpaths);
	return ret;
}

/* ============================================================ networks */

static void networks_usage(FILE *f)
{
	fprintf(f,
		"usage: darkwatch cib networks --db DB [--run N] [--network ID]\n"
		"                              [--format table|json|csv|graphml]\n\n"
		"Show the networks of the latest finished detection run (or run N).\n\n"
		"  --db DB         the store\n"
		"  --run N         this run instead of the latest finished one\n"
		"  --network ID    only this network\n"
		"  --format F      table (default); json: the run and every network\n"
		"                  with members, edges, evidence (object keys, seconds\n"
		"                  apart), top objects and indicator matches; csv: one\n"
		"                  line per network; graphml: the members and edges\n"
		"                  (weight, shared, traces) for graph tools\n"
		"  -h, --help      this text\n\n"
		"exit: 0 printed (maybe nothing), 1 usage error or no such run, 3 the\n"
		"      store could not be read or the output written\n");
}

enum { NF_TABLE, NF_JSON, NF_CSV, NF_GRAPHML };

struct netcopy {
	int64_t id, size, first_t, last_t;
	double score;
	char *traces, *indicators, *top;
};

struct runcopy {
	int64_t id, started, finished;
	char *params, *stats;
};

static int copy_run(void *ctx, const struct dw_cib_run_row *r)
{
	struct runcopy *c = ctx;
	c->id = r->id;
	c->started = r->started;
	c->finished = r->finished;
	c->params = strdup(r->params);
	c->stats = strdup(r->stats);
	return c->params && c->stats ? 0 : DW_ENOMEM;
}

struct netlist {
	struct netcopy *v;
	size_t n, cap;
};

static int copy_net(void *ctx, const struct dw_cib_net_row *r)
{
	struct netlist *l = ctx;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		struct netcopy *nv = realloc(l->v, nc * sizeof(*nv));
		if (!nv)
			return DW_ENOMEM;
		l->v = nv;
		l->cap = nc;
	}
	struct netcopy *c = &l->v[l->n];
	*c = (struct netcopy){r->id, r->size, r->first_t, r->last_t, r->score,
			      strdup(r->traces), strdup(r->indicators),
			      strdup(r->top)};
	l->n++;
	return c->traces && c->indicators && c->top ? 0 : DW_ENOMEM;
}

static json_t *traces_arr(const char *s)
{
	json_t *a = json_array();
	while (a && s && *s) {
		const char *e = strchr(s, ',');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n)
			json_array_append_new(a, json_stringn(s, n));
		s = e ? e + 1 : NULL;
	}
	return a;
}

static json_t *parsed(const char *text, int array)
{
	json_t *v = json_loads(text, 0, NULL);
	if (v && (array ? json_is_array(v) : json_is_object(v)))
		return v;
	json_decref(v);
	return array ? json_array() : json_object();
}

static json_t *time_str(int64_t t)
{
	char b[32];
	dw_time_fmt(t, b);
	return json_string(b);
}

static int j_member(void *ctx, const struct dw_cib_member_row *m)
{
	return json_array_append_new(ctx, json_pack("{s:s,s:I,s:f}", "account",
						    m->name, "id", (json_int_t)m->account,
						    "strength", m->strength));
}

static int j_edge(void *ctx, const struct dw_cib_edge_row *e)
{
	return json_array_append_new(ctx, json_pack("{s:s,s:s,s:f,s:I,s:o}", "a",
						    e->a_name, "b", e->b_name,
						    "weight", e->weight, "shared",
						    (json_int_t)e->shared, "traces",
						    traces_arr(e->traces)));
}

static int j_evidence(void *ctx, const struct dw_cib_evidence_row *e)
{
	const char *tn = dw_cib_trace_name(e->trace);
	int64_t d = e->tb > e->ta ? e->tb - e->ta : e->ta - e->tb;
	return json_array_append_new(
		ctx, json_pack("{s:s,s:I,s:s,s:s,s:s,s:I,s:I,s:I}", "trace",
			       tn ? tn : "?", "object", (json_int_t)e->object,
			       "key", e->key, "a", e->a_name, "b", e->b_name,
			       "ta", (json_int_t)e->ta, "tb", (json_int_t)e->tb,
			       "seconds", (json_int_t)d));
}

static json_t *net_json(struct dw_store *s, int64_t run,
			const struct netcopy *n, int *err)
{
	json_t *mem = json_array(), *edg = json_array(), *evi = json_array();
	json_t *o = NULL;
	int rc;

	if (!mem || !edg || !evi)
		rc = DW_ENOMEM;
	else if ((rc = dw_store_cib_members(s, run, n->id, j_member, mem)) >= 0 &&
		 (rc = dw_store_cib_edges(s, run, n->id, j_edge, edg)) >= 0)
		rc = dw_store_cib_evidence(s, run, n->id, j_evidence, evi);
	if (rc < 0) {
		*err = rc;
		json_decref(mem);
		json_decref(edg);
		json_decref(evi);
		return NULL;
	}
	o = json_pack("{s:I,s:I,s:f,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
		      "id", (json_int_t)n->id, "size", (json_int_t)n->size,
		      "score", n->score, "first_t", (json_int_t)n->first_t,
		      "last_t", (json_int_t)n->last_t, "first",
		      time_str(n->first_t), "last", time_str(n->last_t),
		      "traces", traces_arr(n->traces), "members", mem,
		      "edges", edg, "evidence", evi, "top", parsed(n->top, 0),
		      "indicators", parsed(n->indicators, 1));
	if (!o)
		*err = DW_ENOMEM;
	return o;
}

static int out_json(struct dw_store *s, const struct runcopy *run,
		    const struct netlist *l)
{
	json_t *r = json_pack("{s:I,s:I,s:o,s:o,s:o}", "id", (json_int_t)run->id,
			      "started", (json_int_t)run->started, "finished",
			      run->finished >= 0 ? json_integer(run->finished)
						 : json_null(),
			      "params", parsed(run->params, 0), "stats",
			      parsed(run->stats, 0));
	int err = 0;
	char *t;

	if (!r)
		return DW_ENOMEM;
	t = json_dumps(r, JSON_COMPACT);
	json_decref(r);
	if (!t)
		return DW_ENOMEM;
	printf("{\"run\":%s,\"networks\":[", t);
	free(t);
	for (size_t i = 0; i < l->n; i++) {
		json_t *n = net_json(s, run->id, &l->v[i], &err);
		if (!n)
			return err;
		t = json_dumps(n, JSON_COMPACT);
		json_decref(n);
		if (!t)
			return DW_ENOMEM;
		printf("%s%s\n", i ? "," : "", t);
		free(t);
	}
	printf("]}\n");
	return 0;
}

/* RFC 4180 field: quoted when it holds a comma, quote or line break. */
static void csv_put(const char *v, int last)
{
	if (strpbrk(v, ",\"\r\n")) {
		putchar('"');
		for (; *v; v++) {
			if (*v == '"')
				putchar('"');
			putchar(*v);
		}
		putchar('"');
	} else {
		fputs(v, stdout);
	}
	putchar(last ? '\n' : ',');
}

struct names {
	char *buf;
	size_t n, cap, count, max;
};

static int collect_name(void *ctx, const struct dw_cib_member_row *m)
{
	struct names *nm = ctx;
	size_t l = strlen(m->name);
	if (nm->max && nm->count >= nm->max)
		return 0;
	if (nm->n + l + 2 > nm->cap) {
		size_t nc = nm->cap ? nm->cap * 2 : 256;
		while (nc < nm->n + l + 2)
			nc *= 2;
		char *nb = realloc(nm->buf, nc);
		if (!nb)
			return DW_ENOMEM;
		nm->buf = nb;
		nm->cap = nc;
	}
	if (nm->n)
		nm->buf[nm->n++] = ' ';
	memcpy(nm->buf + nm->n, m->name, l + 1);
	nm->n += l;
	nm->count++;
	return 0;
}

/* Indicator texts of a stored JSON array, space-separated. */
static void ind_list(const char *js, char *out, size_t cap)
{
	json_t *a = parsed(js, 1), *e;
	size_t i, o = 0;
	out[0] = '\0';
	json_array_foreach(a, i, e) {
		const char *t = json_string_value(json_object_get(e, "indicator"));
		if (!t)
			continue;
		int k = snprintf(out + o, cap - o, "%s%s", o ? " " : "", t);
		if (k < 0 || (size_t)k >= cap - o)
			break;
		o += (size_t)k;
	}
	json_decref(a);
}

static int out_rows(struct dw_store *s, const struct runcopy *run,
		    const struct netlist *l, int csv)
{
	char a[32], b[32], ind[1024];
	int rc;

	if (csv)
		printf("run,network,size,score,first,last,traces,indicators,"
		       "members\n");
	else
		printf("run %" PRId64 ": %zu networks\n%6s %6s %8s  %-20s  %-20s  "
		       "%-26s %s\n", run->id, l->n, "net", "size", "score", "first",
		       "last", "traces", "members [indicators]");
	for (size_t i = 0; i < l->n; i++) {
		const struct netcopy *n = &l->v[i];
		struct names nm = {NULL, 0, 0, 0, csv ? 0 : 6};
		char num[64];
		if ((rc = dw_store_cib_members(s, run->id, n->id, collect_name,
					       &nm)) < 0) {
			free(nm.buf);
			return rc;
		}
		dw_time_fmt(n->first_t, a);
		dw_time_fmt(n->last_t, b);
		ind_list(n->indicators, ind, sizeof(ind));
		if (csv) {
			snprintf(num, sizeof(num), "%" PRId64, run->id);
			csv_put(num, 0);
			snprintf(num, sizeof(num), "%" PRId64, n->id);
			csv_put(num, 0);
			snprintf(num, sizeof(num), "%" PRId64, n->size);
			csv_put(num, 0);
			snprintf(num, sizeof(num), "%.6g", n->score);
			csv_put(num, 0);
			csv_put(a, 0);
			csv_put(b, 0);
			csv_put(n->traces, 0);
			csv_put(ind, 0);
			csv_put(nm.buf ? nm.buf : "", 1);
		} else {
			printf("%6" PRId64 " %6" PRId64 " %8.3f  %-20s  %-20s  %-26s "
			       "%s%s%s%s%s\n", n->id, n->size, n->score, a, b,
			       n->traces, nm.buf ? nm.buf : "",
			       n->size > 6 ? " ..." : "", ind[0] ? " [" : "", ind,
			       ind[0] ? "]" : "");
		}
		free(nm.buf);
	}
	return 0;
}

/* graphml: vertices are members, edges the network's edges. */
struct gml {
	int64_t *acc;     /* account id per vertex */
	char **name;
	double *strength;
	int64_t *net;
	size_t nv, cap;
	int64_t cur_net;
	igraph_vector_int_t ev;
	igraph_vector_t w, sh;
	char **etr;
	int64_t *enet;
	size_t ne, ecap;
};

static int g_member(void *ctx, const struct dw_cib_member_row *m)
{
	struct gml *g = ctx;
	for (size_t i = 0; i < g->nv; i++)
		if (g->acc[i] == m->account)
			return 0;
	if (g->nv == g->cap) {
		size_t nc = g->cap ? g->cap * 2 : 64;
		int64_t *na = realloc(g->acc, nc * sizeof(*na));
		if (na)
			g->acc = na;
		char **nn = realloc(g->name, nc * sizeof(*nn));
		if (nn)
			g->name = nn;
		double *ns = realloc(g->strength, nc * sizeof(*ns));
		if (ns)
			g->strength = ns;
		int64_t *nt = realloc(g->net, nc * sizeof(*nt));
		if (nt)
			g->net = nt;
		if (!na || !nn || !ns || !nt)
			return DW_ENOMEM;
		g->cap = nc;
	}
	g->acc[g->nv] = m->account;
	g->strength[g->nv] = m->strength;
	g->net[g->nv] = g->cur_net;
	if (!(g->name[g->nv] = strdup(m->name)))
		return DW_ENOMEM;
	g->nv++;
	return 0;
}

static igraph_integer_t g_vertex(const struct gml *g, int64_t acc)
{
	for (size_t i = 0; i < g->nv; i++)
		if (g->acc[i] == acc)
			return (igraph_integer_t)i;
	return -1;
}

static int g_edge(void *ctx, const struct dw_cib_edge_row *e)
{
	struct gml *g = ctx;
	igraph_integer_t a = g_vertex(g, e->a), b = g_vertex(g, e->b);
	if (a < 0 || b < 0)
		return 0;
	if (g->ne == g->ecap) {
		size_t nc = g->ecap ? g->ecap * 2 : 64;
		char **nt = realloc(g->etr, nc * sizeof(*nt));
		if (nt)
			g->etr = nt;
		int64_t *nn = realloc(g->enet, nc * sizeof(*nn));
		if (nn)
			g->enet = nn;
		if (!nt || !nn)
			return DW_ENOMEM;
		g->ecap = nc;
	}
	if (igraph_vector_int_push_back(&g->ev, a) ||
	    igraph_vector_int_push_back(&g->ev, b) ||
	    igraph_vector_push_back(&g->w, e->weight) ||
	    igraph_vector_push_back(&g->sh, (double)e->shared))
		return DW_ENOMEM;
	g->enet[g->ne] = g->cur_net;
	if (!(g->etr[g->ne++] = strdup(e->traces)))
		return DW_ENOMEM;
	return 0;
}

static int out_graphml(struct dw_store *s, const struct runcopy *run,
		       const struct netlist *l)
{
	struct gml g = {0};
	igraph_t gr;
	int rc = 0, have_g = 0;

	igraph_set_attribute_table(&igraph_cattribute_table);
	if (igraph_vector_int_init(&g.ev, 0) || igraph_vector_init(&g.w, 0) ||
	    igraph_vector_init(&g.sh, 0))
		return DW_ENOMEM;
	for (size_t i = 0; i < l->n && rc >= 0; i++) {
		g.cur_net = l->v[i].id;
		rc = dw_store_cib_members(s, run->id, l->v[i].id, g_member, &g);
	}
	for (size_t i = 0; i < l->n && rc >= 0; i++) {
		g.cur_net = l->v[i].id;
		rc = dw_store_cib_edges(s, run->id, l->v[i].id, g_edge, &g);
	}
	if (rc < 0)
		goto out;
	rc = DW_ENOMEM;
	if (igraph_empty(&gr, (igraph_integer_t)g.nv, IGRAPH_UNDIRECTED))
		goto out;
	have_g = 1;
	if (igraph_add_edges(&gr, &g.ev, NULL))
		goto out;
	for (size_t i = 0; i < g.nv; i++) {
		char id[32];
		snprintf(id, sizeof(id), "%" PRId64, g.acc[i]);
		if (SETVAS(&gr, "name", (igraph_integer_t)i, g.name[i]) ||
		    SETVAS(&gr, "account_id", (igraph_integer_t)i, id) ||
		    SETVAN(&gr, "network", (igraph_integer_t)i, (double)g.net[i]) ||
		    SETVAN(&gr, "strength", (igraph_integer_t)i, g.strength[i]))
			goto out;
	}
	for (size_t i = 0; i < g.ne; i++)
		if (SETEAN(&gr, "weight", (igraph_integer_t)i, VECTOR(g.w)[i]) ||
		    SETEAN(&gr, "shared", (igraph_integer_t)i, VECTOR(g.sh)[i]) ||
		    SETEAN(&gr, "network", (igraph_integer_t)i, (double)g.enet[i]) ||
		    SETEAS(&gr, "traces", (igraph_integer_t)i, g.etr[i]))
			goto out;
	rc = igraph_write_graph_graphml(&gr, stdout, 1) ? DW_EIO : 0;
out:
	if (have_g)
		igraph_destroy(&gr);
	for (size_t i = 0; i < g.nv; i++)
		free(g.name[i]);
	for (size_t i = 0; i < g.ne; i++)
		free(g.etr[i]);
	free(g.acc);
	free(g.name);
	free(g.strength);
	free(g.net);
	free(g.etr);
	free(g.enet);
	igraph_vector_int_destroy(&g.ev);
	igraph_vector_destroy(&g.w);
	igraph_vector_destroy(&g.sh);
	return rc;
}

/* Long for its options and error paths; the work is the out_* calls. */
static int cib_networks(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'},
		{"run", required_argument, 0, 'r'},
		{"network", required_argument, 0, 'n'},
		{"format", required_argument, 0, 'f'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	static const char *const fmts[] = {"table", "json", "csv", "graphml"};
	struct runcopy run = {0};
	struct netlist l = {0};
	struct dw_store *s = NULL;
	const char *db = NULL;
	int64_t want_run = 0, want_net = 0;
	char msg[600];
	int c, fmt = NF_TABLE, ret = DW_EXIT_USAGE, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'r':
		case 'n':
			if (parse_i64(optarg, 1, INT64_MAX,
				      c == 'r' ? &want_run : &want_net) < 0) {
				fprintf(stderr, "darkwatch cib networks: --%s '%s': "
					"give a positive number\n",
					c == 'r' ? "run" : "network", optarg);
				return DW_EXIT_USAGE;
			}
			break;
		case 'f':
			for (fmt = 0; fmt < 4 && strcmp(optarg, fmts[fmt]); fmt++)
				;
			if (fmt == 4) {
				fprintf(stderr, "darkwatch cib networks: --format '%s': "
					"give table, json, csv or graphml\n", optarg);
				return DW_EXIT_USAGE;
			}
			break;
		case 'h': networks_usage(stdout); return DW_EXIT_OK;
		default: networks_usage(stderr); return DW_EXIT_USAGE;
		}
	}
	if (!db || optind < argc) {
		fprintf(stderr, "darkwatch cib networks: %s\n\n",
			db ? "unexpected argument" : "--db is required");
		networks_usage(stderr);
		return DW_EXIT_USAGE;
	}
	if (dw_store_open(db, DW_STORE_RDONLY, &s, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "darkwatch cib networks: %s\n", msg);
		return DW_EXIT_UNREADABLE;
	}
	ret = DW_EXIT_UNREADABLE;
	if ((rc = dw_store_cib_run(s, want_run, copy_run, &run)) < 0)
		goto fail;
	if (rc == 0) {
		fprintf(stderr, "darkwatch cib networks: %s\n",
			want_run ? "no such run" : "no finished detection run "
			"(run `darkwatch cib detect` first)");
		ret = DW_EXIT_USAGE;
		goto out;
	}
	if ((rc = dw_store_cib_networks(s, run.id, want_net, copy_net, &l)) < 0)
		goto fail;
	if (want_net && !l.n) {
		fprintf(stderr, "darkwatch cib networks: run %" PRId64 " has no "
			"network %" PRId64 "\n", run.id, want_net);
		ret = DW_EXIT_USAGE;
		goto out;
	}
	switch (fmt) {
	case NF_JSON: rc = out_json(s, &run, &l); break;
	case NF_GRAPHML: rc = out_graphml(s, &run, &l); break;
	default: rc = out_rows(s, &run, &l, fmt == NF_CSV); break;
	}
	if (rc < 0)
		goto fail;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "darkwatch cib networks: write error\n");
		goto out;
	}
	ret = DW_EXIT_OK;
	goto out;
fail:
	fprintf(stderr, "darkwatch cib networks: %s\n",
		dw_store_errmsg(s)[0] ? dw_store_errmsg(s) : dw_strerror(rc));
out:
	for (size_t i = 0; i < l.n; i++) {
		free(l.v[i].traces);
		free(l.v[i].indicators);
		free(l.v[i].top);
	}
	free(l.v);
	free(run.params);
	free(run.stats);
	dw_store_close(s);
	return ret;
}

/* ================================================================= cib */

static void cib_usage(FILE *f)
{
	fprintf(f,
		"usage: darkwatch cib import|detect|networks [ARGS...]\n\n"
		"Coordinated account networks in social-media activity exports\n"
		"(docs/CIB.md):\n"
		"  import    read activity files (generic CSV, JSONL, CooRTweet,\n"
		"            Twitter information-operations archives) into the store\n"
		"  detect    find networks of accounts acting together; a new run\n"
		"  networks  show a run's networks (table, json, csv, graphml)\n\n"
		"`darkwatch cib VERB --help` describes each.\n");
}

int dw_cmd_cib(int argc, char **argv)
{
	if (argc < 2) {
		cib_usage(stderr);
		return DW_EXIT_USAGE;
	}
	if (dw_is_help(argv[1])) {
		cib_usage(stdout);
		return DW_EXIT_OK;
	}
	if (!strcmp(argv[1], "import"))
		return cib_import(argc - 1, argv + 1);
	if (!strcmp(argv[1], "detect"))
		return cib_detect(argc - 1, argv + 1);
	if (!strcmp(argv[1], "networks"))
		return cib_networks(argc - 1, argv + 1);
	fprintf(stderr, "darkwatch cib: unknown verb '%s' (try `darkwatch cib "
		"--help`)\n", argv[1]);
	return DW_EXIT_USAGE;
}
