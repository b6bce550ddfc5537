/*
 * cli.h - what the verbs of the `darkwatch` command share.
 *
 * The CLI is the only part of darkwatch that prints to the user or exits;
 * verbs are thin: parse options, call the library, report.  Exit codes are
 * documented in darkwatch(1) and the README and never change meaning.
 */
#ifndef DW_CLI_CLI_H
#define DW_CLI_CLI_H

#include <stdint.h>
#include <stdio.h>

enum {
	DW_EXIT_OK = 0,        /* everything decoded */
	DW_EXIT_USAGE = 1,     /* bad command line */
	DW_EXIT_SKIPPED = 2,   /* some records skipped as malformed */
	DW_EXIT_UNREADABLE = 3 /* an input could not be opened or read */
};

struct dw_verb {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

int dw_cmd_mrt(int argc, char **argv);
int dw_cmd_sim(int argc, char **argv);
int dw_cmd_replay(int argc, char **argv);
int dw_cmd_signal(int argc, char **argv);
int dw_cmd_detect(int argc, char **argv);  /* detect_cmd.c */
int dw_cmd_events(int argc, char **argv);  /* detect_cmd.c */
int dw_cmd_eval(int argc, char **argv);    /* eval_cmd.c */
int dw_cmd_serve(int argc, char **argv);   /* serve_cmd.c */
int dw_cmd_probe(int argc, char **argv);   /* probe_cmd.c */
int dw_cmd_telescope(int argc, char **argv); /* telescope_cmd.c */
int dw_cmd_cib(int argc, char **argv);     /* cib_cmd.c */

/* Progress line on stderr when it is a terminal (rate-limited). */
struct dw_progress {
	int on;
	double last;
	const char *label;
};
void dw_progress_init(struct dw_progress *p, const char *label);
void dw_progress_update(struct dw_progress *p, uint64_t pos, uint64_t total,
			uint64_t records);
void dw_progress_done(struct dw_progress *p);

/* 1 if arg is -h or --help */
int dw_is_help(const char *arg);

#endif
