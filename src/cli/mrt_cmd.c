/*
 * mrt_cmd.c - `darkwatch mrt dump` and `darkwatch mrt stats`.
 *
 * Both stream every file through the MRT reader.  Every skipped record is
 * reported on stderr with the file, the record's byte offset in the
 * decompressed stream, its type and the reason (first 20 per file, then a
 * count), and the exit code says whether anything was skipped.
 */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/bgpdump_fmt.h"
#include "cli/cli.h"
#include "common/arena.h"
#include "darkwatch/bgpfeed.h"
#include "darkwatch/mrt_stats.h"
#include "darkwatch/stream.h"

#define MAX_REPORTS 20

struct file_run {
	const char *path;
	unsigned reported;
	uint64_t problems;
};

static void report(struct file_run *fr, uint64_t off, uint16_t type,
		   uint16_t st, enum dw_reason why)
{
	char what[64];
	fr->problems++;
	if (fr->reported++ >= MAX_REPORTS)
		return;
	if (!strcmp(dw_mrt_subtype_name(type, st), "UNKNOWN"))
		snprintf(what, sizeof(what), "type %u/%u", type, st);
	else
		snprintf(what, sizeof(what), "%s/%s", dw_mrt_type_name(type),
			 dw_mrt_subtype_name(type, st));
	fprintf(stderr,
		"darkwatch: %s: record at offset %" PRIu64
		" (%s): skipped: %s: %s\n",
		fr->path, off, what, dw_reason_name(why), dw_reason_text(why));
}

static void report_end(struct file_run *fr)
{
	if (fr->reported > MAX_REPORTS)
		fprintf(stderr, "darkwatch: %s: %u more problems not shown\n",
			fr->path, fr->reported - MAX_REPORTS);
	if (fr->problems)
		fprintf(stderr,
			"darkwatch: %s: %" PRIu64 " records or entries skipped "
			"as malformed (see `darkwatch mrt stats`)\n",
			fr->path, fr->problems);
}

/*
 * Open a file, run `fn` on each record; returns the exit code contribution.
 */
typedef int (*record_fn)(void *ctx, const struct dw_mrt_record *rec,
			 enum dw_reason *why);

/* --threads of dump and stats: decompression threads, 0 = one per CPU */
static int mrt_threads;

static int parse_threads(const char *verb, const char *arg)
{
	char *end;
	long v = strtol(arg, &end, 10);
	if (*arg == '\0' || *end || v < 1 || v > 64) {
		fprintf(stderr, "darkwatch mrt %s: --threads wants 1..64, got "
			"'%s'\n", verb, arg);
		return -1;
	}
	mrt_threads = (int)v;
	return 0;
}

static int run_file(const char *path, record_fn fn, void *ctx,
		    struct dw_mrt_reader **keep)
{
	struct dw_mrt_reader_conf conf = DW_MRT_READER_CONF_DEFAULT;
	struct dw_mrt_reader *r;
	struct file_run fr = {path, 0, 0};
	conf.threads = mrt_threads;
	struct dw_progress prog;
	const struct dw_mrt_record *rec;
	int rc, ret = DW_EXIT_OK;

	if ((rc = dw_mrt_reader_open(path, &conf, &r)) < 0) {
		fprintf(stderr, "darkwatch: %s: cannot open: %s\n", path,
			dw_strerror(rc));
		return DW_EXIT_UNREADABLE;
	}
	dw_progress_init(&prog, path);
	struct dw_stream *s = dw_mrt_reader_stream(r);
	while ((rc = dw_mrt_reader_next(r, &rec)) != 0) {
		if (rc < 0) {
			const struct dw_mrt_error *e = dw_mrt_reader_error(r);
			if (rc == DW_ENOMEM) {
				fprintf(stderr, "darkwatch: %s: out of memory\n",
					path);
				ret = DW_EXIT_UNREADABLE;
				break;
			}
			report(&fr, e->offset, e->type, e->subtype, e->reason);
			continue;
		}
		enum dw_reason why = DW_R_NONE;
		if (dw_reason_is_loss(rec->warn)) /* counted by the reader */
			report(&fr, rec->offset, rec->type, rec->subtype, rec->warn);
		int frc = fn(ctx, rec, &why);
		if (frc < 0 || (frc > 0 && dw_reason_is_loss(why))) {
			dw_mrt_reader_count(r, why, 1);
			report(&fr, rec->offset, rec->type, rec->subtype, why);
		} else if (frc > 0) {
			dw_mrt_reader_count(r, why, 0);
		}
		dw_progress_update(&prog, dw_stream_file_pos(s),
				   dw_stream_file_size(s),
				   dw_mrt_reader_counts(r)->records);
	}
	dw_progress_done(&prog);
	report_end(&fr);
	if (fr.problems && ret == DW_EXIT_OK)
		ret = DW_EXIT_SKIPPED;
	if (keep)
		*keep = r;
	else
		dw_mrt_reader_free(r);
	return ret;
}

static int worse(int a, int b)
{
	return a > b ? a : b;
}

/* ---- dump ---- */

struct dump_ctx {
	struct bd_fmt *fmt;
	struct dw_arena *arena;
};

static int dump_record(void *vctx, const struct dw_mrt_record *rec,
		       enum dw_reason *why)
{
	struct dump_ctx *c = vctx;
	dw_arena_reset(c->arena);
	return bd_fmt_record(c->fmt, rec, c->arena, why);
}

static void dump_usage(FILE *f)
{
	fprintf(f,
		"usage: darkwatch mrt dump [-m|-M] [--threads N] FILE...\n\n"
		"Print one line per prefix, in the format of `bgpdump -m`:\n"
		"  TABLE_DUMP2|time|B|peer|peer_as|prefix|as_path|origin|next_hop|"
		"local_pref|med|communities|AG/NAG|aggregator|\n"
		"  BGP4MP|time|A|...  announcements, BGP4MP|time|W|peer|peer_as|prefix\n"
		"  BGP4MP|time|STATE|peer|peer_as|old_state|new_state\n"
		"Files may be gzip, bzip2, xz or plain (detected from content).\n\n"
		"  -m          one line per entry with epoch times (the default)\n"
		"  -M          as bgpdump -M: MM/DD/YY HH:MM:SS times, routes end\n"
		"              after the origin field\n"
		"  --threads N decompression threads (bzip2 blocks are decoded in\n"
		"              parallel; gzip/xz use one read-ahead thread); default:\n"
		"              one per CPU.  --threads 1 decodes inline, the better\n"
		"              choice when every core is busy.\n"
		"  -h, --help  this text\n\n"
		"exit: 0 all decoded, 2 some records skipped (listed on stderr),\n"
		"      3 an input could not be read, 1 usage error\n");
}

static int cmd_dump(int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, 0, 'h'},
					     {"threads", required_argument, 0, 't'},
					     {0, 0, 0, 0}};
	int c, ret = DW_EXIT_OK, human = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "mMh", opts, NULL)) != -1) {
		if (c == 'h') {
			dump_usage(stdout);
			return DW_EXIT_OK;
		}
		if (c == 't') {
			if (parse_threads("dump", optarg) < 0)
				return DW_EXIT_USAGE;
			continue;
		}
		if (c != 'm' && c != 'M') {
			dump_usage(stderr);
			return DW_EXIT_USAGE;
		}
		human = c == 'M';
	}
	if (optind >= argc) {
		fprintf(stderr, "darkwatch mrt dump: no FILE given\n\n");
		dump_usage(stderr);
		return DW_EXIT_USAGE;
	}
	static struct dw_out out;
	dw_out_init(&out, STDOUT_FILENO);
	struct dump_ctx ctx = {bd_fmt_new(&out, human), dw_arena_new(64u << 20)};
	if (!ctx.fmt || !ctx.arena) {
		fprintf(stderr, "darkwatch: out of memory\n");
		bd_fmt_free(ctx.fmt);
		dw_arena_free(ctx.arena);
		return DW_EXIT_UNREADABLE;
	}
	for (int i = optind; i < argc; i++) {
		ret = worse(ret, run_file(argv[i], dump_record, &ctx, NULL));
		if (dw_out_flush(&out) < 0) {
			fprintf(stderr, "darkwatch: write error: %s\n",
				dw_strerror(out.err));
			ret = DW_EXIT_UNREADABLE;
			break;
		}
	}
	bd_fmt_free(ctx.fmt);
	dw_arena_free(ctx.arena);
	return ret;
}

/* ---- stats ---- */

static int stats_record(void *ctx, const struct dw_mrt_record *rec,
			enum dw_reason *why)
{
	return dw_mrt_stats_add(ctx, rec, why);
}

static void fmt_time(uint32_t t, char *buf, size_t n)
{
	time_t tt = t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void stats_text(const char *path, const struct dw_mrt_stats_summary *s,
		       enum dw_compress comp)
{
	char a[32], b[32];
	fmt_time(s->first_ts, a, sizeof(a));
	fmt_time(s->last_ts, b, sizeof(b));
	printf("%s\n  compression  %s\n  records      %" PRIu64
	       "\n  skipped      %" PRIu64 "\n  time         %s .. %s\n",
	       path, dw_compress_name(comp), s->records, s->skipped, a, b);
	printf("  peers        %" PRIu64 "\n  prefixes     v4 %" PRIu64
	       " distinct, v6 %" PRIu64 " distinct\n",
	       s->peers, s->prefixes_v4, s->prefixes_v6);
	printf("  routes       %" PRIu64 " RIB entries, %" PRIu64
	       " announced, %" PRIu64 " withdrawn\n",
	       s->rib_entries, s->announced, s->withdrawn);
	printf("  types\n");
	for (size_t i = 0; i < s->ntypes; i++)
		printf("    %-14s %-28s %" PRIu64 "\n",
		       dw_mrt_type_name(s->types[i].type),
		       dw_mrt_subtype_name(s->types[i].type, s->types[i].subtype),
		       s->types[i].count);
	int any = 0;
	for (int r = 1; r < DW_R__COUNT; r++) {
		if (!s->reasons[r])
			continue;
		if (!any++)
			printf("  problems\n");
		printf("    %-18s %" PRIu64 "  (%s)\n", dw_reason_name(r),
		       s->reasons[r], dw_reason_text(r));
	}
}

static json_t *stats_json(const char *path, const struct dw_mrt_stats_summary *s,
			  enum dw_compress comp)
{
	json_t *types = json_array(), *reasons = json_object();
	for (size_t i = 0; i < s->ntypes; i++)
		json_array_append_new(types, json_pack("{s:s,s:s,s:i,s:i,s:I}",
			"type", dw_mrt_type_name(s->types[i].type),
			"subtype", dw_mrt_subtype_name(s->types[i].type,
						       s->types[i].subtype),
			"type_code", (int)s->types[i].type,
			"subtype_code", (int)s->types[i].subtype,
			"count", (json_int_t)s->types[i].count));
	for (int r = 1; r < DW_R__COUNT; r++)
		if (s->reasons[r])
			json_object_set_new(reasons, dw_reason_name(r),
					    json_integer((json_int_t)s->reasons[r]));
	return json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:{s:I,s:I},s:{s:I,s:I,s:I},s:o,s:o}",
		"file", path, "compression", dw_compress_name(comp),
		"records", (json_int_t)s->records,
		"skipped", (json_int_t)s->skipped,
		"first_time", (json_int_t)s->first_ts,
		"last_time", (json_int_t)s->last_ts,
		"peers", (json_int_t)s->peers,
		"prefixes", "v4", (json_int_t)s->prefixes_v4,
		"v6", (json_int_t)s->prefixes_v6,
		"routes", "rib_entries", (json_int_t)s->rib_entries,
		"announced", (json_int_t)s->announced,
		"withdrawn", (json_int_t)s->withdrawn,
		"types", types, "problems", reasons);
}

static void stats_usage(FILE *f)
{
	fprintf(f,
		"usage: darkwatch mrt stats [--json] [--threads N] FILE...\n\n"
		"Decode every record of each FILE fully and summarise it: records\n"
		"per type/subtype, distinct peers, distinct IPv4/IPv6 prefixes, the\n"
		"time range, and problems by reason (skipped or tolerated).\n\n"
		"  --json      one JSON document: {\"files\": [...]}\n"
		"  --threads N decompression threads (bzip2 blocks are decoded in\n"
		"              parallel; gzip/xz use one read-ahead thread); default:\n"
		"              one per CPU.  --threads 1 decodes inline, the better\n"
		"              choice when every core is busy.\n"
		"  -h, --help  this text\n\n"
		"exit: 0 all decoded, 2 some records skipped, 3 unreadable input\n");
}

static int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, 0, 'j'},
					     {"help", no_argument, 0, 'h'},
					     {"threads", required_argument, 0, 't'},
					     {0, 0, 0, 0}};
	int c, json = 0, ret = DW_EXIT_OK;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			stats_usage(stdout);
			return DW_EXIT_OK;
		}
		if (c == 't') {
			if (parse_threads("stats", optarg) < 0)
				return DW_EXIT_USAGE;
			continue;
		}
		if (c != 'j') {
			stats_usage(stderr);
			return DW_EXIT_USAGE;
		}
		json = 1;
	}
	if (optind >= argc) {
		fprintf(stderr, "darkwatch mrt stats: no FILE given\n\n");
		stats_usage(stderr);
		return DW_EXIT_USAGE;
	}
	json_t *files = json_array();
	for (int i = optind; i < argc; i++) {
		struct dw_mrt_stats *st;
		struct dw_mrt_reader *r = NULL;
		if (dw_mrt_stats_new(&st) < 0) {
			fprintf(stderr, "darkwatch: out of memory\n");
			return DW_EXIT_UNREADABLE;
		}
		int fr = run_file(argv[i], stats_record, st, &r);
		ret = worse(ret, fr);
		if (r) {
			dw_mrt_stats_add_reader(st, dw_mrt_reader_counts(r));
			enum dw_compress comp =
				dw_stream_compression(dw_mrt_reader_stream(r));
			const struct dw_mrt_stats_summary *s = dw_mrt_stats_summary(st);
			if (json)
				json_array_append_new(files,
						      stats_json(argv[i], s, comp));
			else
				stats_text(argv[i], s, comp);
			dw_mrt_reader_free(r);
		}
		dw_mrt_stats_free(st);
	}
	if (json) {
		json_t *doc = json_pack("{s:o}", "files", files);
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(doc);
	} else {
		json_decref(files);
	}
	return ret;
}

/* ---- pfx2as ---- */

#define MAX_ORIGINS 64

/* Origins seen for the prefix being aggregated (RIBs list a prefix's
 * entries together: one TABLE_DUMP_V2 record, or consecutive TABLE_DUMP). */
struct p2a {
	struct dw_prefix cur;
	int have;
	uint32_t asn[MAX_ORIGINS], n[MAX_ORIGINS];
	unsigned k;
	uint64_t ambiguous, prefixes;
	int all;
	struct dw_arena *arena;
	struct dw_out out;
};

static void p2a_flush(struct p2a *c)
{
	if (!c->have || !c->k)
		goto reset;
	unsigned best = 0;
	for (unsigned i = 1; i < c->k; i++)
		if (c->n[i] > c->n[best] ||
		    (c->n[i] == c->n[best] && c->asn[i] < c->asn[best]))
			best = i;
	char *b = dw_out_reserve(&c->out, 64 + 11 * MAX_ORIGINS);
	size_t n = dw_prefix_fmt(&c->cur, b);
	b[n++] = '\t';
	n += dw_u32_fmt(c->asn[best], b + n);
	if (c->all) {
		char sep = '\t';
		for (unsigned i = 0; i < c->k; i++) {
			if (i == best)
				continue;
			b[n++] = sep;
			sep = ',';
			n += dw_u32_fmt(c->asn[i], b + n);
		}
	}
	b[n++] = '\n';
	c->out.n += n;
	c->prefixes++;
reset:
	c->have = 0;
	c->k = 0;
}

static void p2a_add(struct p2a *c, const struct dw_prefix *p,
		    const struct dw_bytes *attrs, int as4)
{
	struct dw_bgp_opts o = {(uint8_t)as4, 0, 1,
				p->addr.af == DW_AF_INET6 ? DW_AFI_IPV6 : DW_AFI_IPV4,
				DW_SAFI_UNICAST};
	struct dw_bgp_attrs a;
	enum dw_reason why;
	if (!c->have || c->cur.len != p->len ||
	    memcmp(&c->cur.addr, &p->addr, sizeof(p->addr))) {
		p2a_flush(c);
		c->cur = *p;
		c->have = 1;
	}
	dw_arena_reset(c->arena);
	if (dw_bgp_attrs_decode(attrs->p, attrs->len, &o, c->arena, &a, &why) < 0)
		return;
	uint32_t asn = dw_aspath_origin(&a.aspath);
	if (asn == DW_ASN_AMBIGUOUS) {
		c->ambiguous++;
		return;
	}
	if (!asn)
		return;
	for (unsigned i = 0; i < c->k; i++)
		if (c->asn[i] == asn) {
			c->n[i]++;
			return;
		}
	if (c->k < MAX_ORIGINS) {
		c->asn[c->k] = asn;
		c->n[c->k++] = 1;
	}
}

static int p2a_record(void *ctx, const struct dw_mrt_record *rec,
		      enum dw_reason *why)
{
	struct p2a *c = ctx;
	(void)why;
	if (rec->kind == DW_MRT_K_TD1) {
		p2a_add(c, &rec->u.td1.prefix, &rec->u.td1.attrs, rec->subtype >= 3);
	} else if (rec->kind == DW_MRT_K_RIB && !rec->u.rib.opaque &&
		   rec->u.rib.safi == DW_SAFI_UNICAST) {
		for (unsigned i = 0; i < rec->u.rib.count; i++)
			p2a_add(c, &rec->u.rib.prefix, &rec->u.rib.entries[i].attrs, 1);
		p2a_flush(c);
	}
	return 0;
}

static int cmd_pfx2as(int argc, char **argv)
{
	static const struct option opts[] = {{"all-origins", no_argument, 0, 'a'},
					     {"help", no_argument, 0, 'h'},
					     {0, 0, 0, 0}};
	static struct p2a c;
	int o, ret = DW_EXIT_OK;
	memset(&c, 0, sizeof(c));
	optind = 1;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'a') {
			c.all = 1;
			continue;
		}
		FILE *f = o == 'h' ? stdout : stderr;
		fprintf(f, "usage: darkwatch mrt pfx2as [--all-origins] RIB...\n\n"
			   "Prefix-to-origin-AS table of RIB dumps, in pyasn's format\n"
			   "(prefix<TAB>asn): the origin (last AS of the path) that most\n"
			   "peers see; ties go to the lowest ASN.  AS_SET origins are\n"
			   "ambiguous and not guessed (counted on stderr).\n\n"
			   "  --all-origins  a third column lists the other origins seen\n");
		return o == 'h' ? DW_EXIT_OK : DW_EXIT_USAGE;
	}
	if (optind >= argc) {
		fprintf(stderr, "darkwatch mrt pfx2as: no RIB file given\n");
		return DW_EXIT_USAGE;
	}
	dw_out_init(&c.out, STDOUT_FILENO);
	if (!(c.arena = dw_arena_new(64u << 20)))
		return DW_EXIT_UNREADABLE;
	for (int i = optind; i < argc; i++) {
		ret = worse(ret, run_file(argv[i], p2a_record, &c, NULL));
		p2a_flush(&c);
	}
	dw_out_flush(&c.out);
	fprintf(stderr, "darkwatch mrt pfx2as: %" PRIu64 " prefixes, %" PRIu64
		" RIB entries with an AS_SET origin not counted\n",
		c.prefixes, c.ambiguous);
	dw_arena_free(c.arena);
	return ret;
}

static void mrt_usage(FILE *f)
{
	fprintf(f, "usage: darkwatch mrt COMMAND [ARGS...]\n\n"
		   "commands:\n"
		   "  dump [-m|-M] FILE...    bgpdump -m (or -M) compatible lines\n"
		   "  stats [--json] FILE...  what the files hold, problems by reason\n"
		   "  pfx2as RIB...           prefix-to-origin-AS table (pyasn format)\n\n"
		   "`darkwatch mrt COMMAND --help` for details.\n");
}

int dw_cmd_mrt(int argc, char **argv)
{
	if (argc < 2) {
		mrt_usage(stderr);
		return DW_EXIT_USAGE;
	}
	if (dw_is_help(argv[1])) {
		mrt_usage(stdout);
		return DW_EXIT_OK;
	}
	if (!strcmp(argv[1], "dump"))
		return cmd_dump(argc - 1, argv + 1);
	if (!strcmp(argv[1], "stats"))
		return cmd_stats(argc - 1, argv + 1);
	if (!strcmp(argv[1], "pfx2as"))
		return cmd_pfx2as(argc - 1, argv + 1);
	fprintf(stderr, "darkwatch mrt: unknown command '%s'\n\n", argv[1]);
	mrt_usage(stderr);
	return DW_EXIT_USAGE;
}
