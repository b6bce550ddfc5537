/*
 * timeline.h - scheduled events resolved against the world, and the truth.
 *
 * Third stage of `darkwatch sim`, between the world (world.h) and the
 * archive generator (gen.h): decides which prefixes each scheduled event
 * withdraws, computes what that does to the BGP visibility signal at the
 * 50% level for every entity it touches (the rows of truth.csv), and checks
 * that the scenario's full-feed threshold separates full-feed from partial
 * peers for the whole period.
 *
 * Key decision: expected changes are computed from the origin-level routing
 * state alone, /24 by /24, with the rules of the visibility signal (a /24 is
 * visible while a world prefix covering it, or a longer one inside it, is
 * announced; its AS is the origin of the most specific such prefix; its
 * country and region come from geo.csv).  That is exact for the archives
 * because the generator's churn never changes 50% visibility (see gen.h).
 */
#ifndef DW_SIM_TIMELINE_H
#define DW_SIM_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/world.h"

struct dw_sim_tevent {
	const struct dw_sim_event *ev; /* borrowed from the scenario */
	uint32_t *pfx;                 /* world prefixes it withdraws */
	size_t npfx;
};

struct dw_sim_truth_row {
	char etype[8];  /* asn, region, country, peer */
	char code[112]; /* 44244, IR-Tehran, IR, rrc00:80.249.208.34 */
	enum dw_sim_kind kind;
	int64_t start, end;
	int64_t change; /* visible /24s at the 50% level; drops < 0 */
	size_t event;   /* index into the scenario's events */
	int primary;    /* the event's own entity (else one whose count it moves) */
};

struct dw_sim_timeline {
	struct dw_sim_tevent *ev; /* parallel to sc->events */
	size_t nev;
	struct dw_sim_truth_row *rows; /* by start time, then scenario order */
	size_t nrows;
	uint32_t max_withdrawn;    /* most prefixes withdrawn at once */
	uint32_t full_feed_min_v4; /* the scenario's, or half the world */
};

/*
 * Resolve the events of w->sc and compute the truth.  *out owned
 * (dw_sim_timeline_free).  Returns 0, DW_EINVAL (an event with no prefix to
 * withdraw, or a threshold that does not separate the peers) with a
 * message in err, or DW_ENOMEM.
 */
int dw_sim_timeline_build(const struct dw_sim_world *w,
			  struct dw_sim_timeline **out, char *err,
			  size_t errlen);
void dw_sim_timeline_free(struct dw_sim_timeline *t);

/*
 * Write truth.csv: a header, then every row of an event active in
 * [from, until).  *written gets the row count.  0, -errno or DW_EIO.
 */
int dw_sim_truth_write(const struct dw_sim_timeline *t, const char *path,
		       int64_t from, int64_t until, size_t *written, char *err,
		       size_t errlen);

/*
 * The world prefix that makes /24 x (address >> 8) visible when owd[i] > 0
 * marks prefix i withdrawn (the most specific announced one covering x or
 * inside it), or -1.  The rule of the visibility signal; the probing
 * responder (probing.c) uses it for "routed".
 */
int dw_sim_visible_prefix(const struct dw_sim_world *w, const uint16_t *owd,
			  uint32_t x);

/* Region r's entity code, "IR-Razavi_Khorasan", into buf (n bytes). */
void dw_sim_region_code(const struct dw_sim_scenario *sc, int r, char *buf,
			size_t n);

#endif
