/*
 * detect_cmd.c - `darkwatch detect` (run the detectors over the store) and
 * `darkwatch events` (list what they found).
 *
 * Thin verbs over dw_detect_run (src/detect/run.c) and dw_store_events:
 * parse options, open the store, report.  docs/DETECT.md documents the
 * methods, the parameters file and the event rules; darkwatch(1) the
 * options and exit codes.
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
#include "darkwatch/detect_run.h"
#include "darkwatch/err.h"
#include "darkwatch/store.h"
#include "darkwatch/timefmt.h"

static int bad_time(const char *verb, const char *opt, const char *arg)
{
	fprintf(stderr, "darkwatch %s: --%s '%s': give epoch seconds or ISO 8601 "
		"UTC such as 2019-11-16T14:00:00Z\n", verb, opt, arg);
	return DW_EXIT_USAGE;
}

static int bad_method(const char *verb, const char *arg)
{
	fprintf(stderr, "darkwatch %s: --method '%s': give median or seasonal\n",
		verb, arg);
	return DW_EXIT_USAGE;
}

/* ============================================================== detect */

static void detect_usage(FILE *f)
{
	fprintf(f,
		"usage: darkwatch detect --db DB [--from T] [--until T] [--method M]\n"
		"                        [--datasource DS] [--all-subtypes]\n"
		"                        [--config FILE] [-q]\n\n"
		"Run the outage detectors over every series of the store and write\n"
		"alerts, events (per series and an `overall` one per entity) and each\n"
		"detector's state.  Without --from/--until it is incremental: each\n"
		"series continues from its saved state with the new bins only.  With\n"
		"either, it is a batch over [FROM, UNTIL): the detectors replay each\n"
		"series from its first point and the range's rows are rewritten, so\n"
		"running it again gives the same rows.\n\n"
		"  --db DB            the store (read-write)\n"
		"  --from T, --until T  batch range; T is epoch seconds or ISO 8601\n"
		"                     UTC (2019-11-16T14:00Z)\n"
		"  --method M         median (IODA's) or seasonal (the default method);\n"
		"                     default: both\n"
		"  --datasource DS    only the series of this datasource\n"
		"  --all-subtypes     also each datasource's other subtypes (BGP's\n"
		"                     other visibility levels, probing vantages);\n"
		"                     default: the main series only, the one the API\n"
		"                     serves and the overall score combines\n"
		"  --config FILE      per-datasource parameters (etc/detect.conf shows\n"
		"                     the format and the built-in values)\n"
		"  --rebuild          batch over everything (same as --from 0)\n"
		"  -q, --quiet        no summary\n"
		"  -h, --help         this text\n\n"
		"exit: 0 done, 1 usage error or bad config file, 3 the store could not\n"
		"      be read or written (what was committed stays; run again)\n");
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	dw_progress_update(ctx, done, total, done);
}

int dw_cmd_detect(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'},
		{"from", required_argument, 0, 'F'},
		{"until", required_argument, 0, 'U'},
		{"method", required_argument, 0, 'm'},
		{"datasource", required_argument, 0, 's'},
		{"config", required_argument, 0, 'c'},
		{"rebuild", no_argument, 0, 'r'},
		{"all-subtypes", no_argument, 0, 'A'},
		{"quiet", no_argument, 0, 'q'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	struct dw_detect_run_opts o = {.method = -1, .from = INT64_MIN,
				       .until = INT64_MAX};
	struct dw_detect_run_stats st;
	struct dw_detect_conf *conf = NULL;
	struct dw_store *s = NULL;
	struct dw_progress pr;
	const char *db = NULL, *cfg = NULL;
	char msg[600];
	int c, quiet = 0, ret = DW_EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'F':
		case 'U':
			if (dw_time_parse(optarg, c == 'F' ? &o.from : &o.until) < 0)
				return bad_time("detect", c == 'F' ? "from" : "until", optarg);
			o.batch = 1;
			break;
		case 'm':
			if ((o.method = dw_detect_method_find(optarg)) < 0)
				return bad_method("detect", optarg);
			break;
		case 's':
			if (!dw_store_datasource_valid(optarg)) {
				fprintf(stderr, "darkwatch detect: --datasource '%s' is "
					"not a datasource name\n", optarg);
				return DW_EXIT_USAGE;
			}
			o.datasource = optarg;
			break;
		case 'c': cfg = optarg; break;
		case 'r': o.batch = 1; break;
		case 'A': o.all_subtypes = 1; break;
		case 'q': quiet = 1; break;
		case 'h': detect_usage(stdout); return DW_EXIT_OK;
		default: detect_usage(stderr); return DW_EXIT_USAGE;
		}
	}
	if (!db || optind < argc) {
		fprintf(stderr, "darkwatch detect: %s\n\n",
			optind < argc ? "unexpected argument" : "--db is required");
		detect_usage(stderr);
		return DW_EXIT_USAGE;
	}
	if (o.from >= o.until) {
		fprintf(stderr, "darkwatch detect: --from must be before --until\n");
		return DW_EXIT_USAGE;
	}
	if (dw_detect_conf_new(cfg, &conf, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "darkwatch detect: %s\n", msg);
		return DW_EXIT_USAGE;
	}
	if (dw_store_open(db, DW_STORE_RDWR, &s, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "darkwatch detect: %s\n", msg);
		ret = DW_EXIT_UNREADABLE;
		goto out;
	}
	dw_progress_init(&pr, "detect: series");
	o.progress = on_progress;
	o.ctx = &pr;
	int rc = dw_detect_run(s, conf, &o, &st, msg, sizeof(msg));
	dw_progress_done(&pr);
	if (rc < 0) {
		fprintf(stderr, "darkwatch detect: %s\n", msg);
		ret = DW_EXIT_UNREADABLE;
		goto out;
	}
	if (!quiet)
		printf("detect: %" PRIu64 " series, %" PRIu64 " bins, %" PRIu64
		       " alerts written, %" PRIu64 " runs retracted as level shifts, "
		       "%" PRIu64 " overall events\n",
		       st.series, st.points, st.alerts, st.retracted, st.events);
	ret = DW_EXIT_OK;
out:
	dw_store_close(s);
	dw_detect_conf_free(conf);
	return ret;
}

/* ============================================================== events */

static void events_usage(FILE *f)
{
	fprintf(f,
		"usage: darkwatch events --db DB [--entity TYPE/CODE] [--datasource DS]\n"
		"                        [--method M] [--from T] [--until T]\n"
		"                        [--format table|csv|json]\n\n"
		"List the detected outage events active in [FROM, UNTIL), ordered by\n"
		"entity, datasource, method and start.  `overall` is the per-entity\n"
		"event merging overlapping datasource events (score: their product).\n\n"
		"  --db DB             the store\n"
		"  --entity TYPE/CODE  e.g. country/IR, asn/44244\n"
		"  --datasource DS     e.g. bgp, overall\n"
		"  --method M          median or seasonal (default: both)\n"
		"  --from T, --until T the time range (default: everything)\n"
		"  --format F          table (default), csv, or json: an array of\n"
		"                      {entity_type, entity_code, entity_name,\n"
		"                      datasource, method, from, until, score,\n"
		"                      max_drop}; until is null while open\n"
		"  -h, --help          this text\n\n"
		"exit: 0 printed (maybe nothing), 1 usage error, 3 the store could\n"
		"      not be read or the output written\n");
}

enum fmt { F_TABLE, F_CSV, F_JSON };

struct evout {
	enum fmt fmt;
	uint64_t n;
};

static void json_str(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void csv_str(const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static int print_event(void *ctx, const struct dw_store_event_row *e)
{
	struct evout *o = ctx;
	char a[32], b[32] = "open", ds[140];
	const char *name = e->entity_name ? e->entity_name : "";

	snprintf(ds, sizeof(ds), "%s%s%s", e->datasource, *e->subtype ? "/" : "",
		 e->subtype);
	switch (o->fmt) {
	case F_JSON:
		printf("%s\n  {\"entity_type\":", o->n ? "," : "[");
		json_str(e->entity_type);
		printf(",\"entity_code\":");
		json_str(e->entity_code);
		printf(",\"entity_name\":");
		json_str(name);
		printf(",\"datasource\":");
		json_str(ds);
		printf(",\"method\":");
		json_str(e->method);
		printf(",\"from\":%" PRId64 ",\"until\":", e->t_start);
		if (e->t_end == DW_STORE_OPEN)
			printf("null");
		else
			printf("%" PRId64, e->t_end);
		printf(",\"score\":%.6g,\"max_drop\":%.4g}", e->score, e->max_drop);
		break;
	case F_CSV:
		if (!o->n)
			printf("entity_type,entity_code,entity_name,datasource,method,"
			       "from,until,score,max_drop\n");
		csv_str(e->entity_type);
		putchar(',');
		csv_str(e->entity_code);
		putchar(',');
		csv_str(name);
		putchar(',');
		csv_str(ds);
		printf(",%s,%" PRId64 ",", e->method, e->t_start);
		if (e->t_end != DW_STORE_OPEN)
			printf("%" PRId64, e->t_end);
		printf(",%.6g,%.4g\n", e->score, e->max_drop);
		break;
	case F_TABLE:
		if (!o->n)
			printf("%-22s %-12s %-9s %-17s %-17s %12s %6s  %s\n", "entity",
			       "datasource", "method", "from", "until", "score",
			       "drop%", "name");
		dw_time_fmt(e->t_start, a);
		if (e->t_end != DW_STORE_OPEN)
			dw_time_fmt(e->t_end, b);
		char ent[300];
		snprintf(ent, sizeof(ent), "%s/%s", e->entity_type, e->entity_code);
		printf("%-22s %-12s %-9s %-17.16s %-17.16s %12.4g %6.1f  %s\n", ent,
		       ds, e->method, a, b, e->score, e->max_drop, name);
		break;
	}
	o->n++;
	return 0;
}

int dw_cmd_events(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'},
		{"entity", required_argument, 0, 'e'},
		{"datasource", required_argument, 0, 's'},
		{"method", required_argument, 0, 'm'},
		{"from", required_argument, 0, 'F'},
		{"until", required_argument, 0, 'U'},
		{"format", required_argument, 0, 'o'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	struct dw_store_event_filter f = {.from = INT64_MIN, .until = INT64_MAX};
	struct evout out = {F_TABLE, 0};
	struct dw_store *s = NULL;
	const char *db = NULL, *ent = NULL;
	char type[DW_STORE_NAME_MAX + 1], msg[512];
	int c, rc, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'e': ent = optarg; break;
		case 's': f.datasource = optarg; break;
		case 'm':
			if (dw_detect_method_find(optarg) < 0)
				return bad_method("events", optarg);
			f.method = optarg;
			break;
		case 'F':
		case 'U':
			if (dw_time_parse(optarg, c == 'F' ? &f.from : &f.until) < 0)
				return bad_time("events", c == 'F' ? "from" : "until", optarg);
			break;
		case 'o':
			if (!strcmp(optarg, "table"))
				out.fmt = F_TABLE;
			else if (!strcmp(optarg, "csv"))
				out.fmt = F_CSV;
			else if (!strcmp(optarg, "json"))
				out.fmt = F_JSON;
			else {
				fprintf(stderr, "darkwatch events: --format is table, "
					"csv or json\n");
				return DW_EXIT_USAGE;
			}
			break;
		case 'h': events_usage(stdout); return DW_EXIT_OK;
		default: events_usage(stderr); return DW_EXIT_USAGE;
		}
	}
	if (!db || optind < argc) {
		fprintf(stderr, "darkwatch events: %s\n\n",
			optind < argc ? "unexpected argument" : "--db is required");
		events_usage(stderr);
		return DW_EXIT_USAGE;
	}
	if (ent) {
		const char *slash = strchr(ent, '/');
		if (!slash || slash == ent || !slash[1] ||
		    (size_t)(slash - ent) > DW_STORE_NAME_MAX) {
			fprintf(stderr, "darkwatch events: --entity '%s': write "
				"TYPE/CODE, e.g. country/IR or asn/44244\n", ent);
			return DW_EXIT_USAGE;
		}
		memcpy(type, ent, (size_t)(slash - ent));
		type[slash - ent] = 0;
		if (!dw_store_entity_type_valid(type)) {
			fprintf(stderr, "darkwatch events: entity type '%s' is not one "
				"of continent, country, region, asn, geoasn\n", type);
			return DW_EXIT_USAGE;
		}
		f.entity_type = type;
		f.entity_code = slash + 1;
	}
	if (dw_store_open(db, DW_STORE_RDONLY, &s, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "darkwatch events: %s\n", msg);
		return DW_EXIT_UNREADABLE;
	}
	rc = dw_store_events(s, &f, print_event, &out);
	if (out.fmt == F_JSON)
		printf("%s", out.n ? "\n]\n" : "[]\n");
	ret = DW_EXIT_OK;
	if (rc < 0) {
		fprintf(stderr, "darkwatch events: %s\n", dw_store_errmsg(s));
		ret = DW_EXIT_UNREADABLE;
	}
	dw_store_close(s);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "darkwatch events: cannot write the output: %s\n",
			strerror(errno));
		ret = DW_EXIT_UNREADABLE;
	}
	return ret;
}
