/*
 * main.c - the `darkwatch` command: dispatch to verbs.
 *
 * One binary with verbs (git style) so a self-hosted deployment is one file.
 * Each verb has its own --help; `darkwatch help` lists them.
 */
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "cli/cli.h"

#define DW_VERSION "0.1.0"

static const struct dw_verb verbs[] = {
	{"mrt", "decode MRT route-collector archives (dump, stats)", dw_cmd_mrt},
	{"sim", "write a simulated world as archives (see docs/SIM.md)", dw_cmd_sim},
	{"replay", "build the BGP visibility signal from archives", dw_cmd_replay},
	{"signal", "import or export time series (CSV/JSON)", dw_cmd_signal},
	{"detect", "find outages in the stored signals (alerts, events)", dw_cmd_detect},
	{"events", "list detected outage events (table, CSV, JSON)", dw_cmd_events},
	{"eval", "score the detectors against a ground-truth file", dw_cmd_eval},
	{"serve", "serve the IODA-compatible API and the dashboard", dw_cmd_serve},
	{"probe", "probe /24 blocks with ICMP (Trinocular) into the store", dw_cmd_probe},
	{"telescope", "count darknet sources per entity (pcap, live) into the store", dw_cmd_telescope},
	{"cib", "find coordinated account networks in activity exports", dw_cmd_cib},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: darkwatch VERB [ARGS...]\n\n"
		   "darkwatch watches for Internet shutdowns: it decodes route-"
		   "collector archives\nand builds outage signals.\n\nverbs:\n");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-8s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f, "\n`darkwatch VERB --help` describes a verb; see also "
		   "darkwatch(1).\n");
}

int dw_is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help") ||
	       !strcmp(arg, "help");
}

static double now(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

void dw_progress_init(struct dw_progress *p, const char *label)
{
	p->on = isatty(STDERR_FILENO);
	p->last = 0;
	p->label = label;
}

void dw_progress_update(struct dw_progress *p, uint64_t pos, uint64_t total,
			uint64_t records)
{
	if (!p->on)
		return;
	double t = now();
	if (t - p->last < 0.5)
		return;
	p->last = t;
	if (total)
		fprintf(stderr, "\r%s: %5.1f%%  %llu records", p->label,
			100.0 * (double)pos / (double)total,
			(unsigned long long)records);
	else
		fprintf(stderr, "\r%s: %llu records", p->label,
			(unsigned long long)records);
}

void dw_progress_done(struct dw_progress *p)
{
	if (p->on && p->last > 0)
		fprintf(stderr, "\r\033[K");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return DW_EXIT_USAGE;
	}
	if (dw_is_help(argv[1])) {
		usage(stdout);
		return DW_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("darkwatch %s\n", DW_VERSION);
		return DW_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].run(argc - 1, argv + 1);
	fprintf(stderr, "darkwatch: unknown verb '%s' (try `darkwatch --help`)\n",
		argv[1]);
	return DW_EXIT_USAGE;
}
