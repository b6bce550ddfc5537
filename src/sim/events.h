/*
 * events.h - parse the `events` and `churn` parts of a scenario.
 *
 * Called by the scenario parser (scenario.c) once countries, ASes and
 * collectors are known, since events name them.  Keys per event kind are
 * documented in docs/SIM.md.
 */
#ifndef DW_SIM_EVENTS_H
#define DW_SIM_EVENTS_H

#include "sim/scenario.h"
#include "sim/yamlx.h"

/*
 * Fill sc->events from the list node (events in file order) / sc->churn
 * from the mapping node.  Return 0, DW_EINVAL with a message in x, or
 * DW_ENOMEM.
 */
int dw_sim_parse_events(struct dw_yx *x, struct dw_sim_scenario *sc,
			const yaml_node_t *list);
int dw_sim_parse_churn(struct dw_yx *x, struct dw_sim_scenario *sc,
		       const yaml_node_t *n);

/*
 * Resolve a scalar naming a country of sc (by code) / a region of country
 * (by name) to its index in *out.  Return 0, or DW_EINVAL with a message
 * in x naming the node when there is no such country or region.
 */
int dw_sim_country_ref(struct dw_yx *x, const struct dw_sim_scenario *sc,
		       const yaml_node_t *n, int *out);
int dw_sim_region_ref(struct dw_yx *x, const struct dw_sim_scenario *sc,
		      int country, const yaml_node_t *n, int *out);

#endif
