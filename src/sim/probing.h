/*
 * probing.h - the simulated world's active-probing signal (`sim --probing`).
 *
 * Last, optional stage of `darkwatch sim`, beside the archive generator: it
 * runs the real Trinocular engine (darkwatch/probe.h: engine.c, belief.c)
 * round by round on a simulated clock against a responder model of the same
 * world and timeline instead of a network, and writes the per-entity series
 * as CSV files `darkwatch signal import` reads, plus their ground truth.
 * No packet is sent: the responder turns each probe into the echo reply a
 * host would send, or into silence.  docs/SIM.md ("Probing") has the model.
 */
#ifndef DW_SIM_PROBING_H
#define DW_SIM_PROBING_H

#include <stddef.h>
#include <stdint.h>

#include "darkwatch/sim.h"
#include "sim/timeline.h"
#include "sim/world.h"

struct dw_sim_probing_conf {
	const char *dir;        /* series: DIR/<datasource>.csv (created) */
	const char *truth_path; /* the probing truth (truth.csv's columns) */
	uint64_t seed;          /* loss and RTT draws, the engine's order */
	int64_t from, until;    /* rounds written: t in [from, until) */
	dw_sim_progress_fn progress; /* may be NULL */
	void *progress_ctx;
};

/*
 * Simulate the probing of w (events as resolved in t) from the scenario's
 * first round to conf->until, always from the start so a shortened run
 * writes the same rows as the full one.  Returns 0, -errno / DW_EIO (a
 * file, named in err), DW_ENOMEM.
 */
int dw_sim_probing_run(const struct dw_sim_world *w,
		       const struct dw_sim_timeline *t,
		       const struct dw_sim_probing_conf *conf,
		       struct dw_sim_probing_info *st, char *err,
		       size_t errlen);

#endif
