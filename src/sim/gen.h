/*
 * gen.h - simulate the world's routing and write it as RIS-layout archives.
 *
 * Last stage of `darkwatch sim`: a discrete-event simulation of every
 * collector peer's routing table from the scenario's start, written by the
 * emitter (emit.h, over mrt_writer.h) as DIR/archive/<collector>/YYYY.MM/
 * bview.YYYYMMDD.HHMM.gz every 8 h (TABLE_DUMP_V2) and
 * updates.YYYYMMDD.HHMM.gz every 5 min (BGP4MP_MESSAGE_AS4 UPDATEs,
 * BGP4MP_STATE_CHANGE_AS4).  An updates file holds the messages stamped in
 * its 5 minutes; a bview holds the tables as they are at its time.
 *
 * Key decisions:
 *  - Actions (event withdrawals seen by each peer after its own delay,
 *    flaps, path changes, session resets) sit in one time-ordered heap and
 *    are applied in (time, insertion) order; all randomness is drawn in
 *    that order, so the output is a function of the scenario and the seed.
 *  - Churn is per peer and never changes visibility at the 50% level: a
 *    flap takes a prefix from one peer at a time, path changes keep the
 *    route, and no flap starts near a session reset.  Events are seen by
 *    every peer that carries the prefix, within the scenario's
 *    `propagation` (plus up to 25 s of path hunting).
 *  - Outside the output window the simulation still runs (so a shortened
 *    run writes identical files) but builds no messages.
 */
#ifndef DW_SIM_GEN_H
#define DW_SIM_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "darkwatch/sim.h"
#include "sim/emit.h"
#include "sim/timeline.h"
#include "sim/world.h"

struct dw_sim_gen_conf {
	const char *archive_dir; /* DIR/archive */
	uint64_t seed;
	int64_t out_from;            /* first file time (a RIB time) */
	int64_t out_until;           /* no file starts at or after it */
	dw_sim_progress_fn progress; /* may be NULL */
	void *progress_ctx;
};

/*
 * Run the simulation and write the archives.  Returns 0, -errno, DW_EIO,
 * DW_ECOMPRESS or DW_ENOMEM, with a message naming the file in err.
 */
int dw_sim_gen_run(const struct dw_sim_world *w,
		   const struct dw_sim_timeline *t,
		   const struct dw_sim_gen_conf *conf,
		   struct dw_sim_out_stats *stats, char *err, size_t errlen);

#endif
