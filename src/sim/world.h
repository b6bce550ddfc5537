/*
 * world.h - the simulated Internet: prefixes, origins, locations, peers.
 *
 * Second stage of `darkwatch sim`: world.c cuts a small world out of the
 * real pyasn table as the scenario says (which ASes, how many prefixes
 * each, which country and region), then the timeline (timeline.c) and the
 * archive generator (gen.c) read it.  It also writes the two files that
 * describe the world rather than its routing: geo.csv and asnames.json.gz
 * (meta.c).
 *
 * Key decisions:
 *  - Selection is a pure function of the scenario (stable hashes, see
 *    rng.h): capped ASes keep the same prefixes whatever the seed, so the
 *    prefix count (hence full_feed_min_v4) and truth.csv are seed-free.
 *  - A prefix belongs to one AS (no MOAS: the first AS in the scenario to
 *    claim a prefix keeps it) and sits in one region; a /24 is located by
 *    the most specific world prefix that covers it or falls inside it, the
 *    rule the visibility signal uses for origins, so geo.csv and the
 *    signal agree on every /24.  At most one prefix longer than /24 per /24.
 */
#ifndef DW_SIM_WORLD_H
#define DW_SIM_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include "sim/scenario.h"

struct dw_sim_wpfx {
	uint32_t addr; /* host order */
	uint8_t len;
	uint16_t as;     /* index into sc->ases */
	uint16_t region; /* global region index */
};

/* A peer of a collector, numbered across collectors. */
struct dw_sim_wpeer {
	int collector;               /* index into sc->collectors */
	const struct dw_sim_peer *p; /* borrowed from the scenario */
	uint16_t index;              /* in its collector's PEER_INDEX_TABLE */
	uint32_t ncarry;             /* prefixes it carries */
};

struct dw_sim_world {
	const struct dw_sim_scenario *sc; /* borrowed; outlives the world */
	struct dw_sim_wpfx *pfx;          /* sorted by (addr, len) */
	size_t npfx;
	struct dw_sim_wpeer *peers;
	size_t npeers, nfull;
	uint8_t *carry;     /* [peer * npfx + prefix]: carried */
	uint16_t *loc24;    /* [addr >> 8]: region + 1, 0 = none */
	uint64_t n24;       /* /24s with a location */
	uint32_t *name_asn; /* every AS the world names, sorted */
	char **name;        /* parallel: never NULL */
	size_t nnames;
};

/*
 * Build the world of `sc` (borrowed for the world's life).  *out owned
 * (dw_sim_world_free).  Returns 0, DW_EINVAL (e.g. an AS without any
 * prefix in the table), DW_EFORMAT, -errno, DW_ENOMEM; message in err.
 */
int dw_sim_world_build(const struct dw_sim_scenario *sc,
		       struct dw_sim_world **out, char *err, size_t errlen);
void dw_sim_world_free(struct dw_sim_world *w);

/* Index of prefix (addr, len) in w->pfx, or -1. */
int dw_sim_world_find(const struct dw_sim_world *w, uint32_t addr, uint8_t len);
/* Index of the first prefix not before (addr, len) in sort order. */
size_t dw_sim_world_lower(const struct dw_sim_world *w, uint32_t addr,
			  uint8_t len);
/* Name of an AS the world uses ("AS<n>" if unknown); borrowed. */
const char *dw_sim_world_as_name(const struct dw_sim_world *w, uint32_t asn);

#endif
