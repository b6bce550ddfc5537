/*
 * emit.h - turn the simulated routing state into MRT files (RIS layout).
 *
 * The output half of the archive generator (gen.c decides what happens,
 * this module writes it): it owns the per-collector MRT writers, knows the
 * RIS file names (DIR/archive/<collector>/YYYY.MM/{bview,updates}.
 * YYYYMMDD.HHMM.gz), builds each peer's AS paths and attributes, packs
 * prefixes into UPDATEs and writes TABLE_DUMP_V2 RIB dumps from the current
 * routing state.
 *
 * Key decisions:
 *  - A path is a function of (peer, origin AS, variant) through a stable
 *    hash: [peer AS, a tier-1 from `transit`, one of the origin's
 *    upstreams, the origin], sometimes with origin prepending.  Variant K
 *    (= path_variants) is the longer path a peer explores before a
 *    withdrawal (path hunting).  So every route of one origin with one
 *    variant shares its attributes, and UPDATEs pack like a router's.
 *  - With no updates file open (outside the output window) every emit call
 *    is a no-op, so the simulation runs identically and cheaply.
 */
#ifndef DW_SIM_EMIT_H
#define DW_SIM_EMIT_H

#include <stddef.h>
#include <stdint.h>

#include "sim/world.h"

/* One peer's view of one prefix; an array [peer * npfx + prefix]. */
struct dw_sim_route {
	uint8_t wd;   /* events withdrawing the prefix, as the peer sees it */
	uint8_t flap; /* a flap took it away */
	uint8_t present; /* announced to the collector now */
	uint8_t variant; /* path variant, <= path_variants (= hunting) */
	uint32_t since;  /* last announced (the RIB's "originated" time) */
};

struct dw_sim_out_stats {
	uint64_t files, bytes, records; /* complete files, on-disk bytes */
};

struct dw_sim_emit;

/*
 * An emitter for world w reading route state rt (both borrowed for its
 * life), writing under archive_dir, counting into *stats and writing error
 * messages into err (errlen bytes; borrowed).  0 or DW_ENOMEM.
 */
int dw_sim_emit_new(const struct dw_sim_world *w, const struct dw_sim_route *rt,
		    const char *archive_dir, struct dw_sim_out_stats *stats,
		    char *err, size_t errlen, struct dw_sim_emit **out);
void dw_sim_emit_free(struct dw_sim_emit *e);

/* Write every collector's bview for time t from the current state. */
int dw_sim_emit_ribs(struct dw_sim_emit *e, int64_t t);
/* Open every collector's updates file for the 5 minutes from t. */
int dw_sim_emit_open(struct dw_sim_emit *e, int64_t t);
/* Complete and close the open updates files (none open: no-op). */
int dw_sim_emit_close(struct dw_sim_emit *e);

/*
 * Messages from world peer `peer` stamped t.  Prefixes are world indexes;
 * announce uses each route's variant (variant path_variants is the longer
 * path of path hunting) and reorders idx to pack equal paths.  All return 0, -errno, DW_EIO,
 * DW_ECOMPRESS, DW_ENOMEM or an encoder's error, with a message in err.
 */
int dw_sim_emit_withdraw(struct dw_sim_emit *e, size_t peer, int64_t t,
			 const uint32_t *idx, size_t n);
int dw_sim_emit_announce(struct dw_sim_emit *e, size_t peer, int64_t t,
			 uint32_t *idx, size_t n);
/* BGP FSM state change (RFC 6396 §4.4.1 numbering). */
int dw_sim_emit_state(struct dw_sim_emit *e, size_t peer, int64_t t,
		      uint16_t from, uint16_t to);

#endif
