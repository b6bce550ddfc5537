/*
 * vis.h - BGP visibility of IPv4 /24 blocks, per entity, in time bins.
 *
 * The routing-state stage of the BGP signal (DOMAIN.md §1, DESIGN.md "BGP
 * visibility"): per-peer IPv4 tables fed by RIB dumps and updates, a global
 * count per /24 of the full-feed peers that cover it, and per-entity counts of
 * the /24s visible at five thresholds, kept up to date incrementally so that
 * closing a 300 s bin costs a walk over entities, not over 16M /24s.
 *
 * Definitions (documented in docs/SIGNALS.md):
 *  - a peer covers a /24 when one of its prefixes contains it, or when one of
 *    its prefixes longer than /24 falls inside it; ADD-PATH: while any path
 *    of the prefix lives;
 *  - full-feed peer: more than conf.full_feed_min_v4 distinct IPv4 prefixes;
 *  - levels: any (>= 1 full-feed peer), 25, 50, 75 (more than that % of the
 *    full-feed peers) and 100 (all of them); 50 is IODA's `bgp` value;
 *  - a /24 counts once per entity; its country/region come from the geo
 *    callback (looked up once per /24), its AS from the origin of the most
 *    specific prefix covering it in any peer's table (last announcement wins
 *    on disagreement; AS_SET origins are ambiguous and count for no AS);
 *  - bin [t, t+step) holds the state after every event stamped before t+step.
 */
#ifndef DARKWATCH_VIS_H
#define DARKWATCH_VIS_H

#include <stdint.h>

#include "darkwatch/addr.h"

#define DW_ASN_AMBIGUOUS 0xFFFFFFFFu /* origin was an AS_SET */

enum dw_vis_level {
	DW_VIS_ANY = 0,
	DW_VIS_25,
	DW_VIS_50,
	DW_VIS_75,
	DW_VIS_100,
	DW_VIS__N
};

enum dw_vis_etype { DW_VE_COUNTRY, DW_VE_REGION, DW_VE_ASN, DW_VE_GEOASN, DW_VE__N };

struct dw_vis_conf {
	uint32_t full_feed_min_v4; /* default 400000 */
	uint32_t step;             /* bin length, seconds; default 300 */
};
#define DW_VIS_CONF_DEFAULT {400000u, 300u}

/* Geolocation of a /24 (its first address); strings copied by the caller. */
struct dw_vis_geo {
	char country[3];   /* "" when unknown */
	char region[96];   /* "" when unknown, e.g. "IR-Tehran" */
	char region_name[96];
	uint32_t last;     /* last address (host order) with this same answer,
			    * or 0 if only this one is known */
};
/* Returns 0 (found or not: empty fields) or negative on error. */
typedef int (*dw_vis_geo_fn)(void *ctx, uint32_t addr, struct dw_vis_geo *out);

struct dw_vis_point {
	enum dw_vis_etype etype;
	const char *code;      /* "IR", "IR-Tehran", "44244", "44244-IR" */
	const char *name;      /* region name, or NULL */
	const char *country;   /* for region and geoasn: the country code */
	uint32_t asn;          /* for asn and geoasn */
	enum dw_vis_level level;
	uint32_t t;            /* bin start */
	uint32_t value;        /* visible /24s */
};
/* Return 0 to go on, negative to stop (the error is returned). */
typedef int (*dw_vis_emit_fn)(void *ctx, const struct dw_vis_point *p);

struct dw_vis;

int dw_vis_new(const struct dw_vis_conf *conf, dw_vis_geo_fn geo, void *geo_ctx,
	       struct dw_vis **out);
void dw_vis_free(struct dw_vis *v);

/* Peer id for (collector, address, AS); created on first use.  >= 0 or <0. */
int dw_vis_peer(struct dw_vis *v, uint32_t collector, const struct dw_addr *addr,
		uint32_t asn);

/*
 * Route events.  IPv4 only (others are ignored and return 0).  path_id is
 * used when addpath is set.  origin: last AS of the path, DW_ASN_AMBIGUOUS
 * for an AS_SET, 0 when the path is empty (iBGP/local: no AS).
 */
int dw_vis_announce(struct dw_vis *v, int peer, const struct dw_prefix *p,
		    int addpath, uint32_t path_id, uint32_t origin);
/* Hint: an announcement of p by peer follows soon (RIB loading issues one
 * per entry of a record first, so the 30-odd cache misses overlap). */
void dw_vis_prefetch(const struct dw_vis *v, int peer, const struct dw_prefix *p);
int dw_vis_withdraw(struct dw_vis *v, int peer, const struct dw_prefix *p,
		    int addpath, uint32_t path_id);
/* Session left Established: every route of the peer is gone. */
int dw_vis_peer_down(struct dw_vis *v, int peer);

/*
 * RIB dump: dw_vis_rib_begin(peer) empties the peer's table and puts it in
 * bulk mode (announcements only fill the table); dw_vis_rib_end() rebuilds
 * coverage for every peer in bulk mode at once.  A later dump re-synchronises.
 */
int dw_vis_rib_begin(struct dw_vis *v, int peer);
int dw_vis_rib_end(struct dw_vis *v);

/*
 * Time: close every bin that ends at or before `now` (emitting one point per
 * entity and level that ever had a visible /24, zero included).  Call before
 * applying an event stamped `now`, and dw_vis_flush() at the end.
 * `from`: no bin starts before it (0: from the first event).
 */
int dw_vis_advance(struct dw_vis *v, uint32_t now, dw_vis_emit_fn emit, void *ctx);
int dw_vis_flush(struct dw_vis *v, uint32_t until, dw_vis_emit_fn emit, void *ctx);
void dw_vis_set_start(struct dw_vis *v, uint32_t from);

/* Figures for progress and tests. */
struct dw_vis_stats {
	uint32_t peers, full_peers;
	uint64_t prefixes;        /* distinct IPv4 prefixes over all peers */
	uint64_t visible_any;     /* /24s covered by >= 1 full-feed peer */
	uint64_t ambiguous;       /* visible /24s whose origin is an AS_SET */
	uint32_t next_bin;        /* start of the next bin to close */
};
void dw_vis_stats(const struct dw_vis *v, struct dw_vis_stats *out);

/* Current level-50 count of one country/ASN (tests). */
uint32_t dw_vis_count_country(const struct dw_vis *v, const char *cc,
			      enum dw_vis_level l);
uint32_t dw_vis_count_asn(const struct dw_vis *v, uint32_t asn,
			  enum dw_vis_level l);

/* "any", "25", "50", "75", "100" */
const char *dw_vis_level_name(enum dw_vis_level l);

#endif
