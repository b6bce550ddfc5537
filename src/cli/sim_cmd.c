/*
 * sim_cmd.c - `darkwatch sim`: write a simulated world as real archives.
 *
 * Thin verb over darkwatch/sim.h: options, a progress line on stderr when
 * it is a terminal, and a summary that tells the user the one number they
 * need to replay the output (--full-feed-min-v4).  Scenario keys and output
 * formats are in docs/SIM.md.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "darkwatch/err.h"
#include "darkwatch/sim.h"
#include "darkwatch/sim_telescope.h"
#include "darkwatch/timefmt.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: darkwatch sim --scenario FILE --out DIR [--seed N]\n"
		"                     [--from TIME] [--until TIME] [--data DIR] "
		"[-q]\n\n"
		"Simulate the world a scenario describes and write it as real "
		"archives:\n"
		"  DIR/archive/rrcNN/YYYY.MM/bview.YYYYMMDD.HHMM.gz    every 8 h "
		"(TABLE_DUMP_V2)\n"
		"  DIR/archive/rrcNN/YYYY.MM/updates.YYYYMMDD.HHMM.gz  every 5 "
		"min (BGP4MP)\n"
		"  DIR/geo.csv          geolocation (ip-location-db city "
		"layout)\n"
		"  DIR/asnames.json.gz  AS names (pyasn format)\n"
		"  DIR/truth.csv        scheduled events and the change each "
		"must cause\n"
		"  DIR/probing/         with --probing: ping-slash24*.csv to "
		"import, truth.csv\n\n"
		"  -s, --scenario FILE  the scenario (YAML; see docs/SIM.md and "
		"scenarios/)\n"
		"  -o, --out DIR        output directory (created; files in it "
		"are replaced)\n"
		"      --seed N         seed for churn, delays and paths "
		"(default: the\n"
		"                       scenario's); the world and truth do not "
		"depend on it\n"
		"      --from TIME      write files from the RIB dump at or "
		"before TIME\n"
		"      --until TIME     write no file starting at or after TIME\n"
		"                       (both within the scenario's period; "
		"files written\n"
		"                       are identical to those of a full run)\n"
		"      --data DIR       base of relative data paths in the "
		"scenario\n"
		"                       (default: $DW_SHARED, else the "
		"scenario's directory)\n"
		"      --probing        also simulate active probing (the real "
		"Trinocular\n"
		"                       engine against a model of the world; "
		"docs/SIM.md)\n"
		"      --telescope      also write darknet captures: "
		"DIR/telescope/*.pcap.gz\n"
		"                       for `darkwatch telescope` (docs/SIM.md)\n"
		"  -q, --quiet          no summary\n"
		"  -h, --help           this text\n\n"
		"TIME is 2019-11-16T14:00Z or epoch seconds (UTC).\n"
		"exit: 0 written, 1 bad command line or scenario, 3 a file "
		"could not be read\n"
		"      or written\n");
}

struct prog {
	int on;
	double last;
};

static double now(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static void progress(void *ctx, uint64_t done, uint64_t total)
{
	struct prog *p = ctx;
	double t = now();

	if (!p->on || (t - p->last < 0.5 && done < total))
		return;
	p->last = t;
	fprintf(stderr,
		"\rsim: %5.1f%%  %" PRIu64 " of %" PRIu64 " 5-min slots",
		total ? 100.0 * (double)done / (double)total : 100.0, done,
		total);
}

static int parse_time(const char *opt, const char *s, int64_t *out)
{
	if (dw_time_parse(s, out) < 0 || *out <= 0) {
		fprintf(stderr, "darkwatch sim: %s: '%s' is not a UTC time\n",
			opt, s);
		return -1;
	}
	return 0;
}

static int exit_code(int rc)
{
	return rc == DW_EINVAL ? DW_EXIT_USAGE : DW_EXIT_UNREADABLE;
}

static void summary(const struct dw_sim_info *i, const char *out, double secs)
{
	char a[32], b[32], c[32], d[32];

	dw_time_fmt(i->start, a);
	dw_time_fmt(i->end, b);
	dw_time_fmt(i->out_from, c);
	dw_time_fmt(i->out_until, d);
	printf("scenario    %s (seed %" PRIu64 ")\n"
	       "period      %s .. %s\n"
	       "files for   %s .. %s\n"
	       "world       %u prefixes, %" PRIu64 " /24s, %u ASes, "
	       "%u countries\n"
	       "collectors  %u with %u peers (%u full-feed)\n"
	       "threshold   replay with --full-feed-min-v4 %u\n"
	       "events      %u scheduled, %u rows in truth.csv\n"
	       "wrote       %" PRIu64 " archive files, %.1f MB, %" PRIu64
	       " MRT records in %.1f s to %s\n",
	       i->name, i->seed, a, b, c, d, i->prefixes, i->slash24, i->ases,
	       i->countries, i->collectors, i->peers, i->full_peers,
	       i->full_feed_min_v4, i->events, i->truth_rows, i->files,
	       (double)i->bytes / 1e6, i->records, secs, out);
}

int dw_cmd_sim(int argc, char **argv)
{
	static const struct option opts[] = {
		{"scenario", required_argument, 0, 's'},
		{"out", required_argument, 0, 'o'},
		{"seed", required_argument, 0, 'S'},
		{"from", required_argument, 0, 'F'},
		{"until", required_argument, 0, 'U'},
		{"data", required_argument, 0, 'D'},
		{"quiet", no_argument, 0, 'q'},
		{"probing", no_argument, 0, 'P'},
		{"telescope", no_argument, 0, 'T'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	struct dw_sim_conf conf = DW_SIM_CONF_DEFAULT;
	struct dw_sim_info info;
	struct dw_sim *sim = NULL;
	struct prog prog = {isatty(STDERR_FILENO), 0};
	char err[512];
	int c, quiet = 0, probing = 0, telescope = 0, rc;
	uint64_t tel_packets = 0, tel_files = 0;
	struct dw_sim_probing_info pinfo;
	double t0 = now();

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 's': conf.scenario = optarg; break;
		case 'o': conf.out_dir = optarg; break;
		case 'S': {
			char *end;
			if (optarg[0] < '0' || optarg[0] > '9') {
				fprintf(stderr, "darkwatch sim: --seed: not a "
						"number\n");
				return DW_EXIT_USAGE;
			}
			conf.seed = strtoull(optarg, &end, 10);
			if (*end) {
				fprintf(stderr, "darkwatch sim: --seed: not a "
						"number\n");
				return DW_EXIT_USAGE;
			}
			conf.has_seed = 1;
			break;
		}
		case 'F':
			if (parse_time("--from", optarg, &conf.from) < 0)
				return DW_EXIT_USAGE;
			break;
		case 'U':
			if (parse_time("--until", optarg, &conf.until) < 0)
				return DW_EXIT_USAGE;
			break;
		case 'D': conf.data_dir = optarg; break;
		case 'q': quiet = 1; break;
		case 'P': probing = 1; break;
		case 'T': telescope = 1; break;
		case 'h': usage(stdout); return DW_EXIT_OK;
		default: usage(stderr); return DW_EXIT_USAGE;
		}
	}
	if (optind < argc || !conf.scenario || !conf.out_dir) {
		fprintf(stderr, "darkwatch sim: --scenario and --out are "
				"required\n\n");
		usage(stderr);
		return DW_EXIT_USAGE;
	}
	if (!conf.data_dir && getenv("DW_SHARED") && *getenv("DW_SHARED"))
		conf.data_dir = getenv("DW_SHARED");
	conf.progress = progress;
	conf.progress_ctx = &prog;
	if ((rc = dw_sim_new(&conf, &sim, err, sizeof(err)))) {
		fprintf(stderr, "darkwatch sim: %s\n", err);
		if (rc != DW_EINVAL && !conf.data_dir)
			fprintf(stderr, "darkwatch sim: (relative data paths "
					"are resolved with --data DIR or "
					"$DW_SHARED)\n");
		return exit_code(rc);
	}
	rc = dw_sim_run(sim, err, sizeof(err));
	if (!rc && probing)
		rc = dw_sim_probing(sim, &pinfo, err, sizeof(err));
	if (!rc && telescope)
		rc = dw_sim_telescope(sim, 0, &tel_packets, &tel_files, err,
				      sizeof(err));
	if (prog.on && prog.last > 0)
		fprintf(stderr, "\r\033[K");
	if (rc) {
		fprintf(stderr, "darkwatch sim: %s\n", err);
		dw_sim_free(sim);
		return exit_code(rc);
	}
	dw_sim_info(sim, &info);
	if (!quiet)
		summary(&info, conf.out_dir, now() - t0);
	if (!quiet && probing)
		printf("probing     %" PRIu64 " of %" PRIu64 " /24s probed, "
		       "%" PRIu64 " rounds (%" PRIu64 " written), %" PRIu64
		       " probes, %zu rows in probing/truth.csv\n",
		       pinfo.eligible, pinfo.blocks, pinfo.rounds, pinfo.written,
		       pinfo.probes, pinfo.truth_rows);
	if (!quiet && telescope)
		printf("telescope   %" PRIu64 " packets in %" PRIu64 " captures "
		       "in %s/telescope\n", tel_packets, tel_files, conf.out_dir);
	dw_sim_free(sim);
	return DW_EXIT_OK;
}
