/*
 * sim.h - the world simulator: a scenario file in, real archives out.
 *
 * `darkwatch sim` writes a synthetic but realistic Internet as the files the
 * rest of darkwatch ingests: RIPE RIS-layout MRT archives (bview every 8 h,
 * updates every 5 min), a city-layout geolocation CSV, a pyasn AS-name table,
 * and truth.csv, the list of scheduled events with the change each one must
 * cause in the BGP visibility signal.  It sits *before* the data flow: end-to-
 * end tests and the demo replay its output exactly as they would replay
 * data.ris.ripe.net.  docs/SIM.md documents the scenario keys and the files.
 *
 * Key decisions:
 *  - The world is made of REAL prefixes and ASNs (a pyasn table read at run
 *    time), so geolocation, more-specifics and AS numbers look like the
 *    Internet, but it is small (a few thousand prefixes) so that archives of
 *    a week stay in tens of megabytes.  Full-feed detection then needs a low
 *    threshold, which the scenario states (`full_feed_min_v4`) and the
 *    simulator checks: every full-feed peer stays above it and every partial
 *    peer stays at or below it for the whole period.
 *  - The world and the truth depend only on the scenario; the seed drives
 *    churn, propagation delays and paths.  Two seeds give different archives
 *    with the same truth.
 *  - One simulation from the scenario's start: --from/--until only choose
 *    which files are written, so a shortened run writes byte-identical copies
 *    of the full run's files.
 *  - Churn never changes the 50% visibility of anything: flaps and path
 *    changes are per peer, at most one peer misses a prefix at a time, and no
 *    flap runs while a peer is being reset.  Only scheduled events move the
 *    signal, so truth.csv is exact.
 */
#ifndef DARKWATCH_SIM_H
#define DARKWATCH_SIM_H

#include <stddef.h>
#include <stdint.h>

/* Called now and then during dw_sim_run: `done` of `total` 5-min slots. */
typedef void (*dw_sim_progress_fn)(void *ctx, uint64_t done, uint64_t total);

struct dw_sim_conf {
	const char *scenario; /* path of the YAML scenario (required) */
	const char *out_dir;  /* created if missing (required) */
	const char *data_dir; /* base of relative data paths in the scenario;
				  NULL: the scenario file's directory */
	int has_seed;         /* seed below overrides the scenario's */
	uint64_t seed;
	int64_t from, until; /* epoch seconds; 0 = the scenario's period.
				  Files are written for [from's 8-h RIB, until) */
	dw_sim_progress_fn progress; /* may be NULL */
	void *progress_ctx;
};
#define DW_SIM_CONF_DEFAULT                              \
	{                                                \
		NULL, NULL, NULL, 0, 0, 0, 0, NULL, NULL \
	}

/* What a simulation is made of and what it wrote (dw_sim_info). */
struct dw_sim_info {
	const char *name; /* scenario name (borrowed) */
	uint64_t seed;
	int64_t start, end;          /* scenario period */
	int64_t out_from, out_until; /* what the files cover */
	uint32_t prefixes;           /* world IPv4 prefixes */
	uint64_t slash24;            /* /24s they cover */
	uint32_t ases, countries, collectors, peers, full_peers;
	uint32_t full_feed_min_v4; /* threshold to run darkwatch with */
	uint32_t events, truth_rows;
	uint64_t files, bytes; /* archive files written, compressed bytes */
	uint64_t records;      /* MRT records written */
};

struct dw_sim;

/*
 * Read the scenario and the data it names, build the world and its truth.
 * On success *out is owned by the caller (dw_sim_free).  On failure a
 * message fit for the user ("FILE:LINE: ...") is written to err (errlen
 * bytes, always NUL-terminated when errlen > 0).  Returns 0, DW_EINVAL (bad
 * scenario or conf), DW_EFORMAT (a data file is not what it should be),
 * -errno, or DW_ENOMEM.
 */
int dw_sim_new(const struct dw_sim_conf *conf, struct dw_sim **out, char *err,
	       size_t errlen);

/*
 * Write everything under conf->out_dir: archive/, geo.csv,
 * asnames.json.gz, truth.csv.  Same error convention as dw_sim_new (the
 * message names the file that failed).  Call once.
 */
int dw_sim_run(struct dw_sim *s, char *err, size_t errlen);

/* What dw_sim_probing simulated and wrote. */
struct dw_sim_probing_info {
	uint64_t blocks, eligible; /* world /24s, those Trinocular probes */
	uint64_t rounds, written;  /* 600-s rounds run, rounds written */
	uint64_t probes, replies;  /* over all rounds run */
	size_t truth_rows;
};

/*
 * The active-probing signal of the simulated world (docs/SIM.md,
 * "Probing"): the real Trinocular engine (darkwatch/probe.h) run round by
 * round against a responder model of the world and its events, no packet
 * sent.  Writes, under conf->out_dir/probing/, ping-slash24.csv,
 * ping-slash24-loss.csv and ping-slash24-latency.csv in the layout of
 * `darkwatch signal import`, and truth.csv (truth.csv's columns; the
 * change is in probed /24s that are up).  Rounds are written for the
 * period dw_sim_run writes; the engine always starts at the scenario's
 * start, so a shortened run writes the full run's rows.  Call after
 * dw_sim_new (dw_sim_run is not needed); info may be NULL.  Same error
 * convention as dw_sim_run.
 */
int dw_sim_probing(struct dw_sim *s, struct dw_sim_probing_info *info,
		   char *err, size_t errlen);

/* Figures (valid after dw_sim_new; file counts after dw_sim_run). */
void dw_sim_info(const struct dw_sim *s, struct dw_sim_info *out);

/* Release; accepts NULL. */
void dw_sim_free(struct dw_sim *s);

#endif
