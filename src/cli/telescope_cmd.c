/*
 * telescope_cmd.c - `darkwatch telescope`: the telescope signal (unique
 * sources of unsolicited traffic per entity) from darknet captures into the
 * store.
 *
 * capture files (pcap, pcapng, compressed) or a live interface -> the
 * telescope stage (darkwatch/telescope.h: decode, filter, count) -> store,
 * datasource `telescope` (or --name), one series per entity with the bin as
 * its step, one transaction per bin.  Like `replay`, each input's SHA-256
 * goes into the ingest log in the transaction of the first bin closed after
 * the file ends, and inputs already logged are skipped (--force reads them
 * again), so re-running gives the same database.
 *
 * Plain pcap files are hashed while they are read (input.c hashes the mapped
 * bytes it parses), not in a pass before, so whether such a file is already
 * logged is known only at its end: it is counted speculatively, no bin is
 * committed while it is being read (its bins share one transaction), and if
 * its hash turns out logged the transaction is rolled back and the run
 * restarts from the first input with that file skipped (bins rewritten with
 * the same values).  That rare case costs one extra read of the inputs up to
 * that file.  Other inputs (pcapng, compressed, stdin) are hashed first.  The run's counts (packets
 * skipped per reason, removed per filter) are printed as text or JSON.
 */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "cli/cli.h"
#include "darkwatch/err.h"
#include "darkwatch/geo.h"
#include "darkwatch/hash.h"
#include "darkwatch/store.h"
#include "darkwatch/telescope.h"

#define MAX_GEO 8
#define MAX_IN 65536

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

struct topts {
	const char *db, *name, *pfx2as, *iface;
	const char *geo[MAX_GEO];
	int ngeo, json, force, quiet;
	double duration;
	struct dw_tel_conf tc;
};

struct input {
	const char *path;
	char sha[DW_SHA256_HEX_LEN + 1];
	int done, logged, skip;
	int deferred; /* hashed while read (plain pcap); sha[0] set at its end */
};

struct run {
	const struct topts *o;
	struct dw_store *db;
	struct input *in;
	size_t nin;
	int64_t cur_t; /* bin of the open transaction, INT64_MIN none */
	int64_t first_t, last_t;
	uint64_t points;
	int truncated, unreadable;
	int speculative; /* reading a file whose hash is not known yet */
	size_t seen;	 /* inputs skipped as already logged */
};

static double now_s(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: darkwatch telescope --db DB [--name NAME] [--geo FILE]...\n"
		"                           [--pfx2as FILE] [--bin SECONDS]\n"
		"                           [--no-filter NAME]... [--filter NAME]...\n"
		"                           [--json] [--force] [-q] PCAP...\n"
		"       darkwatch telescope --db DB --interface IF [--duration S] ...\n\n"
		"Count the unique IPv4 sources of unsolicited traffic a network telescope\n"
		"(darknet) receives, per bin and per country, region, origin AS and geoasn,\n"
		"after the noise filters of docs/TELESCOPE.md, into the store (datasource\n"
		"NAME, default `telescope`, step = the bin).  PCAP files are pcap or pcapng,\n"
		"plain or gzip/bzip2/xz; link types Ethernet (802.1Q, QinQ), Linux cooked\n"
		"(SLL, SLL2), raw IP, BSD loopback.\n\n"
		"  --db DB            the store (created if missing)\n"
		"  --name NAME        datasource (default telescope)\n"
		"  --geo FILE         geolocation database (mmdb or CSV); repeatable\n"
		"  --pfx2as FILE      prefix-to-AS table (`darkwatch mrt pfx2as` output,\n"
		"                     pyasn format) for asn and geoasn series\n"
		"  --bin SECONDS      bin length (default 60; IODA serves 300 s: the API's\n"
		"                     maxPoints averages bins)\n"
		"  --no-filter NAME   turn a filter off (`all`: every filter); repeatable\n"
		"  --filter NAME      turn a filter on (after --no-filter all)\n"
		"  --list-filters     print the filters and exit\n"
		"  --interface IF     capture live on IF instead of reading files\n"
		"  --duration S       stop a live capture after S seconds (default: at\n"
		"                     SIGINT/SIGTERM)\n"
		"  --json             print the run's counts as JSON on stdout\n"
		"  --force            read inputs already in the ingest log again\n"
		"  -q, --quiet        no summary\n\n"
		"exit: 0 done, 1 usage, 2 malformed packets skipped or a capture cut\n"
		"      short, 3 an input or the store could not be read or written\n");
}

static void list_filters(void)
{
	for (int f = 0; f < DW_TF__COUNT; f++)
		printf("%-18s %s\n", dw_tel_filter_name(f), dw_tel_filter_text(f));
}

static int set_filter(struct topts *o, const char *name, int on)
{
	int f = dw_tel_filter_find(name);
	uint32_t m = f >= 0 ? 1u << f : !strcmp(name, "all") ? DW_TF_ALL : 0;
	if (!m) {
		fprintf(stderr, "darkwatch telescope: no filter '%s' "
				"(--list-filters shows them)\n", name);
		return -1;
	}
	o->tc.filters = on ? o->tc.filters | m : o->tc.filters & ~m;
	return 0;
}

/* 0 go on, 1 exit 0 (help), -1 usage error. */
static int parse(int argc, char **argv, struct topts *o)
{
	static const struct option lo[] = {
		{"db", required_argument, 0, 'd'}, {"name", required_argument, 0, 'n'},
		{"geo", required_argument, 0, 'g'}, {"pfx2as", required_argument, 0, 'p'},
		{"bin", required_argument, 0, 'b'}, {"no-filter", required_argument, 0, 'N'},
		{"filter", required_argument, 0, 'F'}, {"list-filters", no_argument, 0, 'L'},
		{"interface", required_argument, 0, 'i'},
		{"duration", required_argument, 0, 'D'}, {"json", no_argument, 0, 'j'},
		{"force", no_argument, 0, 'f'}, {"quiet", no_argument, 0, 'q'},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	struct dw_tel_conf def = DW_TEL_CONF_DEFAULT;
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->name = "telescope";
	o->tc = def;
	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", lo, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'n': o->name = optarg; break;
		case 'p': o->pfx2as = optarg; break;
		case 'i': o->iface = optarg; break;
		case 'j': o->json = 1; break;
		case 'f': o->force = 1; break;
		case 'q': o->quiet = 1; break;
		case 'g':
			if (o->ngeo == MAX_GEO)
				return fprintf(stderr, "darkwatch telescope: at most "
					       "%d --geo\n", MAX_GEO), -1;
			o->geo[o->ngeo++] = optarg;
			break;
		case 'b': {
			unsigned long v = strtoul(optarg, &end, 10);
			if (!*optarg || *end || v < 1 || v > 86400)
				return fprintf(stderr, "darkwatch telescope: --bin "
					       "is 1..86400 seconds\n"), -1;
			o->tc.bin = (uint32_t)v;
			break;
		}
		case 'D':
			o->duration = strtod(optarg, &end);
			if (!*optarg || *end || !(o->duration > 0))
				return fprintf(stderr, "darkwatch telescope: bad "
					       "--duration\n"), -1;
			break;
		case 'N':
		case 'F':
			if (set_filter(o, optarg, c == 'F') < 0)
				return -1;
			break;
		case 'L': list_filters(); return 1;
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return -1;
		}
	}
	if (!o->db || (!o->iface && optind >= argc) || (o->iface && optind < argc)) {
		fprintf(stderr, "darkwatch telescope: --db and either capture files "
				"or --interface are required\n\n");
		usage(stderr);
		return -1;
	}
	if (!dw_store_datasource_valid(o->name)) {
		fprintf(stderr, "darkwatch telescope: --name '%s' is not a datasource "
				"name ([A-Za-z0-9._-], 1..64)\n", o->name);
		return -1;
	}
	return 0;
}

/* ---- store writing ---- */

static int log_inputs(struct run *r)
{
	for (size_t i = 0; i < r->nin; i++) {
		struct input *in = &r->in[i];
		if (!in->done || in->logged || in->skip)
			continue;
		int rc = dw_store_ingest_done(r->db, r->o->name, in->sha, "pcap",
					      r->first_t, r->last_t);
		if (rc < 0)
			return rc;
		in->logged = 1;
	}
	return 0;
}

static int bin_commit(struct run *r, int64_t next_t)
{
	int rc;
	if (r->cur_t != INT64_MIN && r->speculative) {
		r->cur_t = next_t; /* the open transaction goes on (see top) */
		return 0;
	}
	if (r->cur_t != INT64_MIN) {
		if ((rc = log_inputs(r)) < 0 || (rc = dw_store_commit(r->db)) < 0)
			return rc;
	}
	r->cur_t = next_t;
	return next_t != INT64_MIN ? dw_store_begin(r->db) : 0;
}

static int emit(void *ctx, const struct dw_tel_point *p)
{
	static const char *const etypes[] = {"country", "region", "asn", "geoasn"};
	struct run *r = ctx;
	const char *name = NULL;
	int64_t eid, sid;
	int rc;

	if (p->t != r->cur_t && (rc = bin_commit(r, p->t)) < 0)
		return rc;
	if (r->first_t > p->t)
		r->first_t = p->t;
	if (r->last_t < p->t)
		r->last_t = p->t;
	if (!p->code)
		return 0; /* end of the bin */
	if (p->etype == DW_TE_COUNTRY)
		name = dw_country_name(p->code);
	else if (p->etype == DW_TE_REGION)
		name = p->name;
	if ((rc = dw_store_entity(r->db, etypes[p->etype], p->code, name, &eid)) < 0 ||
	    (rc = dw_store_series(r->db, r->o->name, eid, "", r->o->tc.bin, &sid)) < 0 ||
	    (rc = dw_store_put(r->db, sid, p->t, (double)p->value)) < 0)
		return rc;
	r->points++;
	return 0;
}

/* ---- reading ---- */

/* Feed one input to the counter; 0, or <0 (a counter/store error). */
static int feed(struct run *r, struct dw_tel *t, struct dw_tel_input *in,
		double deadline)
{
	struct dw_tel_frame f;
	int lt = dw_tel_input_linktype(in), rc;

	while (!stop_flag) {
		if ((rc = dw_tel_input_next(in, &f)) < 0)
			return rc;
		if (rc == 0) {
			if (!r->o->iface)
				return 0;
			if (deadline > 0 && now_s() >= deadline)
				return 0;
			continue;
		}
		if ((rc = dw_tel_packet(t, lt, f.ts, f.data, f.caplen, f.wirelen)) < 0)
			return rc;
		if (r->o->iface && deadline > 0 && now_s() >= deadline)
			return 0;
	}
	return 0;
}

/*
 * After a deferred input is read: take its hash from the reader (or hash the
 * file if it was not mapped after all) and check the ingest log.  Returns 0
 * new, 1 already logged (restart), <0 error.
 */
static int verify(struct run *r, struct input *ip, struct dw_tel_input *in)
{
	int rc = dw_tel_input_sha256(in, ip->sha);

	if (rc == DW_EUNSUPP)
		rc = dw_sha256_file(ip->path, ip->sha);
	if (rc < 0) {
		ip->sha[0] = 0;
		return rc;
	}
	ip->deferred = 0;
	if (!r->o->force && dw_store_ingest_seen(r->db, r->o->name, ip->sha) == 1) {
		ip->skip = 1;
		r->seen++;
		return 1;
	}
	return 0;
}

/* Returns 0, 1 restart (an input turned out logged), or <0. */
static int read_inputs(struct run *r, struct dw_tel *t)
{
	const struct topts *o = r->o;
	struct dw_tel_input *in = NULL;
	char msg[512];
	int rc;

	if (o->iface) {
		if ((rc = dw_tel_input_live(o->iface, &in, msg, sizeof(msg))) < 0) {
			fprintf(stderr, "darkwatch telescope: %s: %s\n", o->iface, msg);
			return rc;
		}
		rc = feed(r, t, in, o->duration > 0 ? now_s() + o->duration : 0);
		dw_tel_input_free(in);
		return rc;
	}
	for (size_t i = 0; i < r->nin && !stop_flag; i++) {
		if (r->in[i].skip)
			continue;
		if ((rc = dw_tel_input_file(r->in[i].path, &in, msg, sizeof(msg))) < 0) {
			fprintf(stderr, "darkwatch telescope: %s: %s\n",
				r->in[i].path, msg);
			r->unreadable = 1;
			continue;
		}
		r->speculative = r->in[i].deferred;
		rc = feed(r, t, in, 0);
		if (rc == DW_ETRUNC || rc == DW_EIO) {
			fprintf(stderr, "darkwatch telescope: %s: %s (the packets "
				"before it are counted)\n", r->in[i].path,
				dw_tel_input_error(in));
			r->truncated = 1;
			rc = 0;
		}
		if (rc >= 0 && stop_flag) {
			dw_tel_input_free(in); /* stopped mid-file: not logged */
			r->speculative = 0;
			return 0;
		}
		if (rc >= 0 && r->in[i].deferred) {
			int v = verify(r, &r->in[i], in);
			if (v != 0) {
				dw_tel_input_free(in);
				return v;
			}
			r->speculative = 0;
		}
		dw_tel_input_free(in);
		in = NULL;
		if (rc < 0)
			return rc;
		r->in[i].done = 1;
	}
	return 0;
}

/* ---- summary ---- */

static uint64_t bad_total(const struct dw_tel_stats *s)
{
	uint64_t n = 0;
	for (int i = DW_TEL_BAD_LINKTYPE; i < DW_TEL_BAD__COUNT; i++)
		n += s->bad[i];
	return n;
}

static void print_json(const struct run *r, const struct dw_tel_stats *s,
		       double secs)
{
	json_t *o = json_object(), *bad = json_object(), *flt = json_object();
	char *txt;

	for (int i = 1; i < DW_TEL_BAD__COUNT; i++)
		json_object_set_new(bad, dw_tel_bad_name(i), json_integer((json_int_t)s->bad[i]));
	for (int i = 0; i < DW_TF__COUNT; i++) {
		json_t *f = json_object();
		json_object_set_new(f, "enabled",
				    json_boolean(r->o->tc.filters & (1u << i)));
		json_object_set_new(f, "removed", json_integer((json_int_t)s->filtered[i]));
		json_object_set_new(flt, dw_tel_filter_name(i), f);
	}
	json_object_set_new(o, "datasource", json_string(r->o->name));
	json_object_set_new(o, "bin", json_integer(r->o->tc.bin));
	json_object_set_new(o, "packets", json_integer((json_int_t)s->packets));
	json_object_set_new(o, "ipv4", json_integer((json_int_t)s->ipv4));
	json_object_set_new(o, "malformed", json_integer((json_int_t)bad_total(s)));
	json_object_set_new(o, "skipped", bad);
	json_object_set_new(o, "filters", flt);
	json_object_set_new(o, "late", json_integer((json_int_t)s->late));
	json_object_set_new(o, "counted", json_integer((json_int_t)s->counted));
	json_object_set_new(o, "bins", json_integer((json_int_t)s->bins));
	json_object_set_new(o, "sources", json_integer((json_int_t)s->sources));
	json_object_set_new(o, "unlocated", json_integer((json_int_t)s->unlocated));
	json_object_set_new(o, "entities", json_integer((json_int_t)s->entities));
	json_object_set_new(o, "points", json_integer((json_int_t)r->points));
	json_object_set_new(o, "peak_blocks", json_integer((json_int_t)s->peak_blocks));
	json_object_set_new(o, "seconds", json_real(secs));
	if ((txt = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER))) {
		printf("%s\n", txt);
		free(txt);
	}
	json_decref(o);
}

static void print_text(const struct run *r, const struct dw_tel_stats *s,
		       double secs)
{
	printf("telescope: %" PRIu64 " packets (%" PRIu64 " IPv4, %" PRIu64
	       " counted), %" PRIu64 " bins of %u s, %" PRIu64 " sources "
	       "(summed over bins), %" PRIu64 " entities, %" PRIu64
	       " points, %.1f s (%.0f packets/s)\n", s->packets, s->ipv4,
	       s->counted, s->bins, r->o->tc.bin, s->sources, s->entities,
	       r->points, secs, secs > 0 ? (double)s->packets / secs : 0.0);
	printf("skipped:");
	for (int i = 1; i < DW_TEL_BAD__COUNT; i++)
		printf(" %s %" PRIu64, dw_tel_bad_name(i), s->bad[i]);
	printf("; late %" PRIu64 "\nfiltered:", s->late);
	for (int i = 0; i < DW_TF__COUNT; i++)
		printf(" %s %" PRIu64 "%s", dw_tel_filter_name(i), s->filtered[i],
		       r->o->tc.filters & (1u << i) ? "" : " (off)");
	printf("\n");
}

/* ---- the verb ---- */

/* A plain pcap file (magic bytes), hashed while read by input.c? */
static int plain_pcap(const char *path)
{
	unsigned char m[4];
	FILE *f;
	int ok = 0;

	if (!strcmp(path, "-") || !(f = fopen(path, "rb")))
		return 0;
	if (fread(m, 1, 4, f) == 4)
		ok = (m[0] == 0xa1 && m[1] == 0xb2) || (m[0] == 0xd4 && m[1] == 0xc3) ||
		     (m[0] == 0x4d && m[1] == 0x3c);
	fclose(f);
	return ok;
}

static int prepare_inputs(struct run *r, int argc, char **argv)
{
	int rc;

	r->nin = (size_t)(argc - optind);
	if (r->nin > MAX_IN || !(r->in = calloc(r->nin ? r->nin : 1, sizeof(*r->in))))
		return DW_ENOMEM;
	for (size_t i = 0; i < r->nin; i++) {
		struct input *in = &r->in[i];
		in->path = argv[optind + (int)i];
		if (plain_pcap(in->path)) {
			in->deferred = 1;
			continue;
		}
		if ((rc = dw_sha256_file(in->path, in->sha)) < 0) {
			fprintf(stderr, "darkwatch telescope: %s: %s\n", in->path,
				dw_strerror(rc));
			in->skip = 1;
			r->unreadable = 1;
			continue;
		}
		if (!r->o->force &&
		    dw_store_ingest_seen(r->db, r->o->name, in->sha) == 1) {
			in->skip = 1;
			r->seen++;
		}
	}
	return 0;
}

int dw_cmd_telescope(int argc, char **argv)
{
	struct topts o;
	struct run r;
	struct dw_geo *geo = NULL;
	struct dw_pfx2as *p2a = NULL;
	struct dw_tel *t = NULL;
	struct dw_tel_stats st;
	char msg[512];
	int rc, ret = DW_EXIT_UNREADABLE;
	double t0 = now_s();

	if ((rc = parse(argc, argv, &o)))
		return rc > 0 ? DW_EXIT_OK : DW_EXIT_USAGE;
	memset(&r, 0, sizeof(r));
	r.o = &o;
	r.cur_t = INT64_MIN;
	r.first_t = INT64_MAX;
	r.last_t = INT64_MIN;
	if (o.ngeo && dw_geo_open(&geo) < 0)
		goto out;
	for (int i = 0; i < o.ngeo; i++)
		if ((rc = dw_geo_add_file(geo, o.geo[i])) < 0) {
			fprintf(stderr, "darkwatch telescope: %s: cannot load "
				"geolocation: %s\n", o.geo[i], dw_strerror(rc));
			goto out;
		}
	if (o.pfx2as && (rc = dw_pfx2as_load(o.pfx2as, &p2a, NULL)) < 0) {
		fprintf(stderr, "darkwatch telescope: %s: cannot load the "
			"prefix-to-AS table: %s\n", o.pfx2as, dw_strerror(rc));
		goto out;
	}
	if ((rc = dw_store_open(o.db, DW_STORE_RDWR, &r.db, msg, sizeof(msg))) < 0) {
		fprintf(stderr, "darkwatch telescope: %s: %s\n", o.db, msg);
		goto out;
	}
	if (!o.iface && prepare_inputs(&r, argc, argv) < 0)
		goto out;
	if ((rc = dw_tel_new(&o.tc, geo, p2a, emit, &r, &t)) < 0)
		goto out;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while ((rc = read_inputs(&r, t)) == 1) {
		/* an input hashed while read was logged already: undo, restart */
		if (r.cur_t != INT64_MIN)
			dw_store_rollback(r.db);
		dw_tel_free(t);
		t = NULL;
		r.cur_t = INT64_MIN;
		r.first_t = INT64_MAX;
		r.last_t = INT64_MIN;
		r.points = 0;
		r.speculative = 0;
		for (size_t i = 0; i < r.nin; i++)
			r.in[i].done = 0;
		if ((rc = dw_tel_new(&o.tc, geo, p2a, emit, &r, &t)) < 0)
			goto out;
	}
	if (r.seen && !o.quiet)
		fprintf(stderr, "darkwatch telescope: %zu of %zu inputs already in "
			"%s (skipped; --force reads them again)\n", r.seen, r.nin,
			o.db);
	if (rc >= 0)
		rc = dw_tel_flush(t);
	if (rc >= 0 && r.cur_t == INT64_MIN)
		rc = dw_store_begin(r.db);
	if (rc >= 0 && (rc = log_inputs(&r)) >= 0)
		rc = dw_store_commit(r.db);
	if (rc < 0) {
		fprintf(stderr, "darkwatch telescope: failed: %s %s\n",
			dw_strerror(rc), dw_store_errmsg(r.db));
		dw_store_rollback(r.db);
		goto out;
	}
	dw_tel_stats(t, &st);
	if (o.json)
		print_json(&r, &st, now_s() - t0);
	else if (!o.quiet)
		print_text(&r, &st, now_s() - t0);
	ret = r.unreadable ? DW_EXIT_UNREADABLE
	      : (r.truncated || bad_total(&st)) ? DW_EXIT_SKIPPED : DW_EXIT_OK;
out:
	dw_tel_free(t);
	dw_store_close(r.db);
	dw_pfx2as_free(p2a);
	dw_geo_free(geo);
	free(r.in);
	return ret;
}
