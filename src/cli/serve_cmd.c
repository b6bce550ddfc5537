/*
 * serve_cmd.c - `darkwatch serve`: the IODA-compatible API and the
 * dashboard over HTTP (darkwatch/api.h, docs/API.md).
 *
 * The CLI end of the data flow: parse options, find the dashboard files,
 * start the server, print the URL, wait for SIGINT/SIGTERM, stop cleanly.
 *
 * Key decisions:
 *  - Signals are blocked before the server's threads start (they inherit
 *    the mask) and taken with sigwait in the main thread: no handler runs
 *    inside libmicrohttpd or SQLite, and the stop is an ordinary return.
 *  - The dashboard directory defaults to the first of <exe>/../web/dist
 *    (a build tree under the source tree), <exe>/../share/darkwatch/web
 *    (an install) that holds an index.html; none found is not an error:
 *    the API still runs and `/` says where the dashboard should be.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "darkwatch/api.h"
#include "darkwatch/err.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: darkwatch serve --db DB [--listen HOST:PORT] [--web DIR]\n"
		"                       [--threads N] [--rate-limit R[:BURST]]\n\n"
		"Serve the IODA-compatible API under /v2/ and the dashboard at /.\n\n"
		"  --db DB             the store (read only)\n"
		"  --listen HOST:PORT  address to listen on (default 127.0.0.1:8080;\n"
		"                      port 0 picks a free port; [::1]:PORT for IPv6)\n"
		"  --web DIR           dashboard files (default: <exe>/../web/dist,\n"
		"                      else <exe>/../share/darkwatch/web)\n"
		"  --threads N         server threads, 1-64 (default 2)\n"
		"  --rate-limit R[:B]  /v2 requests per second per client, bursts of\n"
		"                      B (default 20:100); 0 turns the limit off\n"
		"  --cache-mb N        response cache size in MiB (default 64)\n\n"
		"Stops cleanly on SIGINT or SIGTERM.  See docs/API.md and "
		"darkwatch(1).\n");
}

static void log_line(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "darkwatch serve: %s\n", msg);
}

/* The first default dashboard directory holding an index.html, or NULL. */
static char *find_web(void)
{
	static const char *const rel[] = {"/../web/dist",
					  "/../share/darkwatch/web"};
	char exe[PATH_MAX], path[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return NULL;
	exe[n] = 0;
	char *slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = 0;
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(path, sizeof(path), "%s%s/index.html", exe, rel[i]);
		if (access(path, R_OK) == 0) {
			snprintf(path, sizeof(path), "%s%s", exe, rel[i]);
			return realpath(path, NULL);
		}
	}
	return NULL;
}

static int parse_rate(const char *s, double *rate, double *burst)
{
	char *end;
	double r = strtod(s, &end), b;

	if (end == s || !(r >= 0) || r > 1e6)
		return -1;
	if (*end == ':') {
		const char *bs = end + 1;
		b = strtod(bs, &end);
		if (end == bs || *end || !(b >= 1) || b > 1e7)
			return -1;
	} else if (*end) {
		return -1;
	} else {
		b = r * 5 < 1 ? 1 : r * 5;
	}
	*rate = r;
	*burst = b;
	return 0;
}

int dw_cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"listen", required_argument, NULL, 'l'},
		{"web", required_argument, NULL, 'w'},
		{"threads", required_argument, NULL, 't'},
		{"rate-limit", required_argument, NULL, 'r'},
		{"cache-mb", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct dw_api_conf conf = DW_API_CONF_DEFAULT;
	struct dw_api *api = NULL;
	char msg[512], *web = NULL, *end;
	sigset_t set;
	int c, sig = 0, rc;
	long v;

	conf.log = log_line;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': conf.db_path = optarg; break;
		case 'l': conf.listen = optarg; break;
		case 'w': conf.web_dir = optarg; break;
		case 't':
			v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v < 1 || v > 64) {
				fprintf(stderr, "darkwatch serve: --threads must be "
					"1 to 64\n");
				return DW_EXIT_USAGE;
			}
			conf.threads = (unsigned)v;
			break;
		case 'r':
			if (parse_rate(optarg, &conf.rate, &conf.burst) < 0) {
				fprintf(stderr, "darkwatch serve: --rate-limit "
					"takes RATE or RATE:BURST (requests per "
					"second, bucket size), 0 for none\n");
				return DW_EXIT_USAGE;
			}
			break;
		case 'c':
			v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v < 1 || v > 65536) {
				fprintf(stderr, "darkwatch serve: --cache-mb must "
					"be 1 to 65536\n");
				return DW_EXIT_USAGE;
			}
			conf.cache_bytes = (size_t)v << 20;
			break;
		case 'h': usage(stdout); return DW_EXIT_OK;
		default: usage(stderr); return DW_EXIT_USAGE;
		}
	}
	if (optind < argc || !conf.db_path) {
		if (!conf.db_path)
			fprintf(stderr, "darkwatch serve: --db is required\n");
		usage(stderr);
		return DW_EXIT_USAGE;
	}
	if (!conf.web_dir)
		conf.web_dir = web = find_web();

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((rc = dw_api_new(&conf, &api, msg, sizeof(msg))) < 0) {
		fprintf(stderr, "darkwatch serve: %s\n", msg);
		free(web);
		return rc == -EADDRINUSE || rc == DW_EINVAL ? DW_EXIT_USAGE
							    : DW_EXIT_UNREADABLE;
	}
	printf("darkwatch: serving %s on %s (API at %sv2/, dashboard %s%s)\n",
	       conf.db_path, dw_api_url(api), dw_api_url(api),
	       conf.web_dir ? "from " : "not found",
	       conf.web_dir ? conf.web_dir : "");
	fflush(stdout);
	while (sigwait(&set, &sig) != 0)
		;
	fprintf(stderr, "darkwatch serve: %s, stopping\n",
		sig == SIGINT ? "SIGINT" : "SIGTERM");
	dw_api_free(api);
	free(web);
	return DW_EXIT_OK;
}
