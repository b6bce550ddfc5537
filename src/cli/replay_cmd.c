/*
 * replay_cmd.c - `darkwatch replay`: rebuild the BGP visibility signal of a
 * period from route-collector archives into the store.
 *
 * archive (dir or URL) -> files of each collector (last RIB dump at or
 * before --from, every update file through --until) -> bgpfeed (k-way merge
 * in time) -> vis (per-entity visible /24s) -> store, one transaction per
 * 300 s bin.  Each input's SHA-256 goes into the ingest log in the
 * transaction of the first bin closed after the file is finished, so a kill
 * loses no committed bin, and a run over inputs that are all logged already
 * does nothing.  Values are upserts: re-running gives the same database.
 */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "darkwatch/archive.h"
#include "darkwatch/bgpfeed.h"
#include "darkwatch/err.h"
#include "darkwatch/geo.h"
#include "darkwatch/hash.h"
#include "darkwatch/store.h"
#include "darkwatch/stream.h"
#include "darkwatch/timefmt.h"
#include "darkwatch/vis.h"

#define MAX_COLLECTORS 64
#define MAX_GEO 8

struct input {
	char *rel, *path;
	char sha[DW_SHA256_HEX_LEN + 1];
	int done, logged;
	int64_t first_t;
};

struct run {
	struct dw_store *db;
	struct dw_geo *geo;
	json_t *asnames;
	struct input *in;
	size_t nin;
	int64_t cur_t;        /* bin of the open transaction, -1 none */
	uint64_t points, bins;
	int err;
	struct dw_progress prog;
	double t0;
	size_t files_done, files_total;
	uint64_t records;
};

static double now_s(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static int geo_cb(void *ctx, uint32_t addr, struct dw_vis_geo *out)
{
	struct run *r = ctx;
	const struct dw_geo_result *g;
	if (!r->geo || dw_geo_lookup_v4(r->geo, addr, &g) <= 0)
		return 0;
	snprintf(out->country, sizeof(out->country), "%s", g->country);
	snprintf(out->region, sizeof(out->region), "%s", g->region);
	snprintf(out->region_name, sizeof(out->region_name), "%s", g->region_name);
	return 0;
}

static const char *as_name(struct run *r, uint32_t asn)
{
	char k[12];
	k[dw_u32_fmt(asn, k)] = 0;
	json_t *v = r->asnames ? json_object_get(r->asnames, k) : NULL;
	return v && json_is_string(v) ? json_string_value(v) : NULL;
}

/* Log the inputs read to their end (in the transaction being committed). */
static int log_inputs(struct run *r)
{
	for (size_t i = 0; i < r->nin; i++) {
		struct input *in = &r->in[i];
		if (!in->done || in->logged)
			continue;
		int rc = dw_store_ingest_done(r->db, in->rel, in->sha, "bgp",
					      in->first_t, in->first_t);
		if (rc < 0)
			return rc;
		in->logged = 1;
	}
	return 0;
}

static int bin_commit(struct run *r, int64_t next_t)
{
	int rc;
	if (r->cur_t >= 0) {
		if ((rc = log_inputs(r)) < 0 ||
		    (rc = dw_store_commit(r->db)) < 0)
			return rc;
		r->bins++;
	}
	r->cur_t = next_t;
	return next_t >= 0 ? dw_store_begin(r->db) : 0;
}

static int emit(void *ctx, const struct dw_vis_point *p)
{
	static const char *etypes[] = {"country", "region", "asn", "geoasn"};
	struct run *r = ctx;
	const char *name = NULL;
	char buf[256];
	int64_t eid, sid;
	int rc;

	/* AS series only at IODA's level, every level for geographic ones */
	if ((p->etype == DW_VE_ASN || p->etype == DW_VE_GEOASN) &&
	    p->level != DW_VIS_50)
		return 0;
	if (p->t != r->cur_t && (rc = bin_commit(r, p->t)) < 0)
		return rc;
	switch (p->etype) {
	case DW_VE_COUNTRY:
		name = dw_country_name(p->code);
		break;
	case DW_VE_REGION:
		name = p->name;
		break;
	case DW_VE_ASN:
		name = as_name(r, p->asn);
		break;
	default:
		if ((name = as_name(r, p->asn)) != NULL) {
			snprintf(buf, sizeof(buf), "%s (%s)", name, p->country);
			name = buf;
		}
	}
	if ((rc = dw_store_entity(r->db, etypes[p->etype], p->code, name, &eid)) < 0 ||
	    (rc = dw_store_series(r->db, "bgp", eid,
				  p->level == DW_VIS_50 ? "" : dw_vis_level_name(p->level),
				  300, &sid)) < 0 ||
	    (rc = dw_store_put(r->db, sid, p->t, (double)p->value)) < 0)
		return rc;
	r->points++;
	return 0;
}

static void on_file(void *ctx, const char *path, int rc, const struct dw_feed_stats *st)
{
	struct run *r = ctx;
	for (size_t i = 0; i < r->nin; i++)
		if (r->in[i].path && !strcmp(r->in[i].path, path) && !r->in[i].done) {
			r->in[i].done = 1;
			break;
		}
	if (rc < 0)
		fprintf(stderr, "\ndarkwatch replay: %s: cannot read: %s (skipped)\n",
			path, dw_strerror(rc));
	r->files_done++;
	r->records = st->records;
	if (r->prog.on) {
		double el = now_s() - r->t0;
		double left = r->files_done ? el / (double)r->files_done *
					(double)(r->files_total - r->files_done) : 0;
		fprintf(stderr, "\rreplay: %zu/%zu files, %.0f records/s, ~%.0f s left   ",
			r->files_done, r->files_total,
			el > 0 ? (double)st->records / el : 0.0, left);
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: darkwatch replay --db DB --archive URL_OR_DIR --collector NAME\n"
		"                        [--collector NAME...] --from T --until T\n"
		"                        [--geo FILE]... [--asnames FILE]\n"
		"                        [--full-feed-min-v4 N] [--cache DIR]\n\n"
		"Rebuild the BGP visibility signal (datasource `bgp`, 300 s bins) of\n"
		"[--from, --until) from route-collector archives: the last RIB dump at\n"
		"or before --from, then every update file through --until (later RIB\n"
		"dumps re-synchronise the tables), for each collector (RIPE RIS rrcNN\n"
		"or RouteViews route-views*).  T is epoch seconds or ISO 8601 UTC\n"
		"(2019-11-16T14:00:00Z).\n\n"
		"  --archive X         a local directory in the RIS/RouteViews layout,\n"
		"                      or an http(s) mirror (downloads are cached)\n"
		"  --geo FILE          geolocation database (mmdb or @ip-location-db\n"
		"                      CSV); several are looked up in order\n"
		"  --asnames FILE      AS names (pyasn asnames.json[.gz])\n"
		"  --full-feed-min-v4 N  a peer is full-feed above N IPv4 prefixes\n"
		"                      (default 400000; small test worlds need less)\n"
		"  --cache DIR         download cache (default ~/.cache/darkwatch)\n\n"
		"Series written per bin: country and region at levels \"\" (more than\n"
		"50%% of full-feed peers), any, 25, 75, 100; asn and geoasn at \"\".\n"
		"Re-running over the same inputs leaves the database identical.\n\n"
		"exit: 0 done, 1 usage, 2 some inputs missing or records skipped,\n"
		"      3 archive, store or database errors\n");
}

/* Read a (possibly gzip) JSON file of AS names. */
static json_t *load_asnames(const char *path)
{
	struct dw_stream_conf sc = {1};
	struct dw_stream *s;
	size_t cap = 1 << 20, n = 0;
	char *buf = NULL;
	json_t *j = NULL;
	if (dw_stream_open(path, &sc, &s) < 0)
		return NULL;
	for (;;) {
		if (n + 65536 > cap || !buf) {
			char *nb = malloc(cap * 2);
			if (!nb)
				goto out;
			if (buf)
				memcpy(nb, buf, n);
			free(buf);
			buf = nb;
			cap *= 2;
		}
		ssize_t k = dw_stream_read(s, buf + n, 65536);
		if (k < 0)
			goto out;
		if (!k)
			break;
		n += (size_t)k;
	}
	j = json_loadb(buf, n, 0, NULL);
	if (j && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
out:
	free(buf);
	dw_stream_free(s);
	return j;
}

struct opts {
	const char *db, *archive, *asnames, *cache;
	const char *collectors[MAX_COLLECTORS], *geo[MAX_GEO];
	int ncol, ngeo;
	int64_t from, until;
	uint32_t ffmin;
};

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"db", required_argument, 0, 'd'}, {"archive", required_argument, 0, 'a'},
		{"collector", required_argument, 0, 'c'}, {"from", required_argument, 0, 'f'},
		{"until", required_argument, 0, 'u'}, {"geo", required_argument, 0, 'g'},
		{"asnames", required_argument, 0, 'n'},
		{"full-feed-min-v4", required_argument, 0, 'F'},
		{"cache", required_argument, 0, 'C'}, {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	int c, have_from = 0, have_until = 0;
	char *end;
	memset(o, 0, sizeof(*o));
	o->ffmin = 400000;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'a': o->archive = optarg; break;
		case 'n': o->asnames = optarg; break;
		case 'C': o->cache = optarg; break;
		case 'c':
			if (o->ncol == MAX_COLLECTORS)
				return fprintf(stderr, "darkwatch replay: too many collectors\n"), -1;
			if (!dw_archive_layout_of(optarg))
				return fprintf(stderr, "darkwatch replay: unknown collector '%s' "
					       "(expected rrcNN or route-views...)\n", optarg), -1;
			o->collectors[o->ncol++] = optarg;
			break;
		case 'g':
			if (o->ngeo == MAX_GEO)
				return fprintf(stderr, "darkwatch replay: too many --geo\n"), -1;
			o->geo[o->ngeo++] = optarg;
			break;
		case 'f':
			if (dw_time_parse(optarg, &o->from) < 0)
				return fprintf(stderr, "darkwatch replay: bad --from '%s' (epoch "
					       "seconds or 2019-11-16T14:00:00Z)\n", optarg), -1;
			have_from = 1;
			break;
		case 'u':
			if (dw_time_parse(optarg, &o->until) < 0)
				return fprintf(stderr, "darkwatch replay: bad --until '%s'\n", optarg), -1;
			have_until = 1;
			break;
		case 'F': {
			unsigned long v = strtoul(optarg, &end, 10);
			if (!*optarg || *end || v > 0xFFFFFFFFul)
				return fprintf(stderr, "darkwatch replay: bad --full-feed-min-v4\n"), -1;
			o->ffmin = (uint32_t)v;
			break;
		}
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (!o->db || !o->archive || !o->ncol || !have_from || !have_until) {
		fprintf(stderr, "darkwatch replay: --db, --archive, --collector, --from "
				"and --until are required\n\n");
		usage(stderr);
		return -1;
	}
	if (o->until <= o->from) {
		fprintf(stderr, "darkwatch replay: --until must be after --from\n");
		return -1;
	}
	return 0;
}

static int add_input(struct run *r, size_t cap, const char *rel,
		     const char *local, int64_t t)
{
	if (r->nin == cap)
		return DW_ETOOBIG;
	struct input *in = &r->in[r->nin++];
	in->rel = strdup(rel);
	in->path = strdup(local);
	in->first_t = t;
	if (!in->rel || !in->path)
		return DW_ENOMEM;
	int rc = dw_sha256_file(in->path, in->sha);
	if (rc < 0)
		fprintf(stderr, "darkwatch replay: %s: %s\n", in->path, dw_strerror(rc));
	return rc;
}

/* One collector's files: its last RIB at or before --from, then updates. */
static int plan(struct dw_archive *a, const char *col, const struct opts *o,
		struct run *r, size_t cap, int *missing)
{
	int64_t rib_every, upd_every, rib_t = -1;
	char rel[512];
	const char *local = NULL;
	int rc;
	dw_archive_grid(dw_archive_layout_of(col), &rib_every, &upd_every);
	int64_t t0 = o->from - o->from % rib_every;
	for (int k = 0; k < 9 && rib_t < 0; k++) { /* up to 3 days back (RIS) */
		int64_t t = t0 - k * rib_every;
		dw_archive_path(col, 1, t, rel, sizeof(rel));
		if ((rc = dw_archive_get(a, rel, &local)) < 0) {
			fprintf(stderr, "darkwatch replay: %s\n", dw_archive_errmsg(a));
			return rc;
		}
		if (rc == 0)
			rib_t = t;
	}
	if (rib_t < 0) {
		fprintf(stderr, "darkwatch replay: %s: no RIB dump at or before "
				"--from in %s (looked back 9 dumps)\n", col, o->archive);
		return DW_EINVAL;
	}
	if ((rc = add_input(r, cap, rel, local, rib_t)) < 0)
		return rc;
	for (int64_t t = rib_t; t < o->until; t += upd_every) {
		/* later RIB dumps re-synchronise the tables (read just before the
		 * updates that start at the same time) */
		if (t > rib_t && t % rib_every == 0) {
			dw_archive_path(col, 1, t, rel, sizeof(rel));
			if ((rc = dw_archive_get(a, rel, &local)) < 0) {
				fprintf(stderr, "darkwatch replay: %s\n", dw_archive_errmsg(a));
				return rc;
			}
			if (rc == 0 && (rc = add_input(r, cap, rel, local, t)) < 0)
				return rc;
		}
		dw_archive_path(col, 0, t, rel, sizeof(rel));
		if ((rc = dw_archive_get(a, rel, &local)) < 0) {
			fprintf(stderr, "darkwatch replay: %s\n", dw_archive_errmsg(a));
			return rc;
		}
		if (rc == 1) {
			(*missing)++;
			continue;
		}
		if ((rc = add_input(r, cap, rel, local, t)) < 0)
			return rc;
	}
	return 0;
}

static int run_replay(const struct opts *o, struct run *r)
{
	struct dw_archive_conf ac = {o->archive, o->cache, 3, 300};
	struct dw_archive *a = NULL;
	struct dw_vis *v = NULL;
	struct dw_feed_source src[MAX_COLLECTORS];
	const char **files = NULL;
	char msg[256];
	int rc, missing = 0, ret = DW_EXIT_UNREADABLE;
	size_t cap = 1u << 20;

	if ((rc = dw_store_open(o->db, DW_STORE_RDWR, &r->db, msg, sizeof(msg))) < 0) {
		fprintf(stderr, "darkwatch replay: %s: %s\n", o->db, msg);
		return DW_EXIT_UNREADABLE;
	}
	if (o->ngeo && dw_geo_open(&r->geo) < 0)
		goto out;
	for (int i = 0; i < o->ngeo; i++)
		if ((rc = dw_geo_add_file(r->geo, o->geo[i])) < 0) {
			fprintf(stderr, "darkwatch replay: %s: cannot load geolocation: %s\n",
				o->geo[i], dw_strerror(rc));
			goto out;
		}
	if (o->asnames && !(r->asnames = load_asnames(o->asnames))) {
		fprintf(stderr, "darkwatch replay: %s: not a JSON object of AS names\n",
			o->asnames);
		goto out;
	}
	r->in = calloc(cap, sizeof(*r->in));
	files = calloc(cap, sizeof(*files));
	if (!r->in || !files || dw_archive_open(&ac, &a) < 0)
		goto out;
	for (int i = 0; i < o->ncol; i++) {
		size_t start = r->nin;
		if ((rc = plan(a, o->collectors[i], o, r, cap, &missing)) < 0)
			goto out;
		for (size_t k = start; k < r->nin; k++)
			files[k] = r->in[k].path;
		src[i] = (struct dw_feed_source){(uint32_t)i, files + start,
						 r->nin - start};
	}
	size_t seen = 0;
	for (size_t i = 0; i < r->nin; i++)
		seen += dw_store_ingest_seen(r->db, r->in[i].rel, r->in[i].sha) == 1;
	if (seen == r->nin) {
		printf("replay: all %zu input files are already in %s; nothing to do\n",
		       r->nin, o->db);
		ret = DW_EXIT_OK;
		goto out;
	}
	struct dw_vis_conf vc = {o->ffmin, 300};
	if ((rc = dw_vis_new(&vc, geo_cb, r, &v)) < 0)
		goto out;
	dw_progress_init(&r->prog, "replay");
	r->t0 = now_s();
	r->files_total = r->nin;
	r->cur_t = -1;
	struct dw_feed_conf fc = {(uint32_t)o->from, (uint32_t)o->until, emit, r,
				  on_file, r};
	struct dw_feed_stats st;
	rc = dw_feed_run(v, src, (size_t)o->ncol, &fc, &st);
	if (rc >= 0 && r->cur_t < 0)
		rc = dw_store_begin(r->db);
	if (rc >= 0 && (rc = log_inputs(r)) >= 0)
		rc = dw_store_commit(r->db);
	if (r->prog.on)
		fprintf(stderr, "\r\033[K");
	if (rc < 0) {
		fprintf(stderr, "darkwatch replay: failed: %s %s\n", dw_strerror(rc),
			dw_store_errmsg(r->db));
		dw_store_rollback(r->db);
		goto out;
	}
	struct dw_vis_stats vs;
	dw_vis_stats(v, &vs);
	printf("replay: %" PRIu64 " files, %" PRIu64 " records (%" PRIu64
	       " skipped), %" PRIu64 " bins, %" PRIu64 " points; %u peers "
	       "(%u full-feed), %" PRIu64 " /24s visible, %.1f s\n",
	       st.files, st.records, st.skipped, r->bins + 1, r->points, vs.peers,
	       vs.full_peers, vs.visible_any, now_s() - r->t0);
	if (missing)
		fprintf(stderr, "darkwatch replay: %d update files missing from the "
				"archive\n", missing);
	ret = (missing || st.skipped) ? DW_EXIT_SKIPPED : DW_EXIT_OK;
out:
	dw_vis_free(v);
	dw_archive_free(a);
	free(files);
	for (size_t i = 0; r->in && i < r->nin; i++) {
		free(r->in[i].rel);
		free(r->in[i].path);
	}
	free(r->in);
	json_decref(r->asnames);
	dw_geo_free(r->geo);
	dw_store_close(r->db);
	return ret;
}

int dw_cmd_replay(int argc, char **argv)
{
	struct opts o;
	struct run r;
	int rc = parse(argc, argv, &o);
	if (rc)
		return rc > 0 ? DW_EXIT_OK : DW_EXIT_USAGE;
	memset(&r, 0, sizeof(r));
	return run_replay(&o, &r);
}
