/*
 * meta.h - write the simulated world's geo.csv and asnames.json.gz.
 *
 * The files beside the archives that darkwatch's geolocation and AS-name
 * lookups read when they replay a simulation (formats in meta.c and
 * docs/SIM.md).
 */
#ifndef DW_SIM_META_H
#define DW_SIM_META_H

#include <stddef.h>

#include "sim/world.h"

/*
 * Write the file at `path` (via a temporary name, renamed when complete).
 * Return 0, -errno, DW_EIO or DW_ENOMEM, with a message in err.
 */
int dw_sim_write_geo(const struct dw_sim_world *w, const char *path, char *err,
		     size_t errlen);
int dw_sim_write_asnames(const struct dw_sim_world *w, const char *path,
			 char *err, size_t errlen);

#endif
