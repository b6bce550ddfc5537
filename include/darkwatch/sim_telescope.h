/*
 * sim_telescope.h - `darkwatch sim --telescope`: darknet captures of the
 * simulated world (src/sim/telescope.c; docs/SIM.md "Telescope captures").
 *
 * Kept out of sim.h so the simulator's main header stays about the BGP
 * archives; the function lives in sim.c because it needs the simulation's
 * world and timeline.
 */
#ifndef DARKWATCH_SIM_TELESCOPE_H
#define DARKWATCH_SIM_TELESCOPE_H

#include <stddef.h>
#include <stdint.h>

struct dw_sim;

/*
 * After dw_sim_run: write out_dir/telescope/telescope.YYYYMMDD.pcap.gz (one
 * gzip pcap per UTC day of the output period, raw IPv4) with the background
 * radiation of every AS, silent where events withdraw routes or block the
 * data plane.  per_minute: mean unique sources a minute of the busiest AS
 * (0: 12).  *packets and *files get what was written.  Returns 0 or a
 * negative code with a message in err.
 */
int dw_sim_telescope(struct dw_sim *s, double per_minute, uint64_t *packets,
		     uint64_t *files, char *err, size_t errlen);

#endif
