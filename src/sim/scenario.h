/*
 * scenario.h - a simulation scenario as plain data (parsed from YAML).
 *
 * First stage of `darkwatch sim`: scenario.c turns the YAML file into these
 * structs, checking every key and value (unknown keys are errors, so a typo
 * never silently falls back to a default); world.c, timeline.c and gen.c
 * only read them.  docs/SIM.md documents each key.
 *
 * Indexes (country, region, AS, collector, peer) refer to the arrays here;
 * regions are numbered globally across countries so that one small integer
 * names a location.
 */
#ifndef DW_SIM_SCENARIO_H
#define DW_SIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "darkwatch/addr.h"

struct dw_sim_region {
	char *name;     /* state1 in geo.csv, e.g. "Razavi Khorasan" */
	char *city;     /* may be "" */
	char *postcode; /* may be "" */
	char *timezone; /* "" = the country's */
	double lat, lon;
	double weight; /* share of the country's prefixes (relative) */
	int country;   /* index into countries */
};

struct dw_sim_country {
	char code[3];
	char *timezone;                /* may be "" */
	size_t first_region, nregions; /* slice of scenario regions */
};

/* Where an AS takes its real prefixes from (default: its own ASN). */
struct dw_sim_source {
	uint32_t asn; /* origin in the pfx2as table */
	int region;   /* global region index for all of them; -1 = weights */
};

struct dw_sim_as {
	uint32_t asn;
	char *name; /* NULL: from the asnames table */
	int country;
	uint32_t *upstreams; /* transit between the tier-1s and this AS */
	size_t nupstreams;
	struct dw_sim_source *sources;
	size_t nsources;
	double *region_w; /* per region of its country; NULL: the country's */
	uint32_t max_prefixes, max_slash24; /* 0 = no cap */
	int line;
};

enum dw_sim_feed { DW_SIM_FULL = 1, DW_SIM_PARTIAL = 2 };

struct dw_sim_peer {
	struct dw_addr addr;
	uint32_t asn;
	enum dw_sim_feed feed;
	double share; /* partial peers: fraction of the world they carry */
};

struct dw_sim_collector {
	char name[16]; /* "rrc00" */
	struct dw_addr addr;
	uint32_t asn;
	struct dw_sim_peer *peers;
	size_t npeers;
};

enum dw_sim_kind {
	DW_SIM_WITHDRAW = 0,
	DW_SIM_PARTIAL_WITHDRAW,
	DW_SIM_REGION_WITHDRAW,
	DW_SIM_COUNTRY_WITHDRAW,
	DW_SIM_PEER_RESET,
	DW_SIM_DATAPLANE_BLOCK,
	DW_SIM_KIND__N
};

struct dw_sim_event {
	enum dw_sim_kind kind;
	int64_t start, end;  /* end: recovery (peer reset: re-established) */
	uint32_t asn;        /* withdraw, partial_withdraw, dataplane_block */
	int as_idx;          /* index into ases, or -1 */
	int country, region; /* region/country events (-1 when unused) */
	double fraction;     /* share of the target's prefixes, (0, 1] */
	int collector, peer; /* peer_reset */
	int line;
};

struct dw_sim_churn {
	double flaps_per_hour;        /* per peer */
	uint32_t flap_min, flap_max;  /* seconds a flapped route stays away */
	double path_changes_per_hour; /* per peer, one prefix each */
	double path_bursts_per_day;   /* per peer, all prefixes of one AS */
	double path_hunting;          /* chance a peer explores before a
					 withdrawal */
	uint32_t propagation;         /* seconds an event takes to reach
					 every peer */
	unsigned variants;            /* alternative paths per peer and AS */
};

struct dw_sim_scenario {
	char *path; /* the file, as given */
	char *name, *description;
	uint64_t seed;
	int64_t start, end;
	uint32_t full_feed_min_v4;          /* 0: computed (half the world) */
	char *pfx2as, *asnames;             /* data paths, resolved */
	uint32_t max_prefixes, max_slash24; /* defaults for ASes */
	int gzip_level;
	uint32_t *transit;
	size_t ntransit;
	struct dw_sim_churn churn;
	struct dw_sim_region *regions;
	size_t nregions;
	struct dw_sim_country *countries;
	size_t ncountries;
	struct dw_sim_as *ases;
	size_t nases;
	struct dw_sim_collector *collectors;
	size_t ncollectors;
	struct dw_sim_event *events;
	size_t nevents;
};

/*
 * Parse `path`.  Relative data paths are resolved against data_dir (NULL:
 * the scenario's directory).  On success *out is owned (free with
 * dw_sim_scenario_free).  On error writes "path:line: message" to err and
 * returns DW_EINVAL, -errno or DW_ENOMEM.
 */
int dw_sim_scenario_load(const char *path, const char *data_dir,
			 struct dw_sim_scenario **out, char *err,
			 size_t errlen);
void dw_sim_scenario_free(struct dw_sim_scenario *sc);

/* "withdraw", "peer_reset", ... (the YAML and truth.csv spelling). */
const char *dw_sim_kind_name(enum dw_sim_kind k);

/* Index of `asn` among sc->ases, or -1. */
int dw_sim_scenario_as(const struct dw_sim_scenario *sc, uint32_t asn);
/* Index of country `code`, or -1. */
int dw_sim_scenario_country(const struct dw_sim_scenario *sc, const char *code);
/* Global index of region `name` of country index `country`, or -1. */
int dw_sim_scenario_region(const struct dw_sim_scenario *sc, int country,
			   const char *name);

#endif
