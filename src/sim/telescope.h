/*
 * telescope.h - the simulator's darknet: background radiation as pcap files.
 *
 * An optional last stage of `darkwatch sim` (after the world and the
 * timeline; docs/SIM.md "Telescope captures"): what a network telescope
 * would capture from the simulated world, so that `darkwatch telescope`
 * has input that goes dark with the scenario's outages.  Read by nothing
 * else in the simulator; enabled by `darkwatch sim --telescope`.
 */
#ifndef DW_SIM_TELESCOPE_H
#define DW_SIM_TELESCOPE_H

#include <stdint.h>

#include "sim/timeline.h"
#include "sim/world.h"

struct dw_sim_tel_conf {
	const char *dir;   /* captures go to dir/telescope.YYYYMMDD.pcap.gz */
	uint64_t seed;
	int64_t from, until; /* minutes written: [from, until) */
	double per_minute;   /* mean unique sources a minute of the busiest AS
				(0: 12) */
};

/*
 * Write one gzip pcap (LINKTYPE_RAW) per UTC day.  *packets gets the count
 * written, *files the files.  Returns 0, -errno, DW_EIO or DW_ENOMEM with
 * a message in err.
 */
int dw_sim_telescope_write(const struct dw_sim_world *w,
			   const struct dw_sim_timeline *t,
			   const struct dw_sim_tel_conf *c, uint64_t *packets,
			   uint64_t *files, char *err, size_t errlen);

#endif
