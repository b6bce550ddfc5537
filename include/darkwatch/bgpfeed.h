/*
 * bgpfeed.h - drive the visibility state (vis.h) from MRT archives.
 *
 * Between the MRT reader and the routing state: several collectors' files
 * are read at once and their records applied in timestamp order (a k-way
 * merge), RIB dumps reload the peers they list, updates announce and
 * withdraw, a session leaving Established clears the peer, and bins are
 * closed as time passes.  Each source is one collector: its files in time
 * order (a RIB dump, then update files; a later dump re-synchronises).
 */
#ifndef DARKWATCH_BGPFEED_H
#define DARKWATCH_BGPFEED_H

#include <stdint.h>

#include "darkwatch/vis.h"

struct dw_feed_source {
	uint32_t collector;      /* any id unique per collector */
	const char *const *files; /* in time order; borrowed */
	size_t nfiles;
};

struct dw_feed_stats {
	uint64_t files, records, skipped, announcements, withdrawals;
	uint64_t state_downs, rib_entries;
	uint64_t bytes_done;     /* compressed bytes of finished files */
};

/* Called when a file is finished (rc < 0: it could not be read). */
typedef void (*dw_feed_file_fn)(void *ctx, const char *path, int rc,
				const struct dw_feed_stats *st);

struct dw_feed_conf {
	uint32_t from, until;    /* bins [from, until); records after until ignored */
	dw_vis_emit_fn emit;
	void *emit_ctx;
	dw_feed_file_fn on_file; /* optional */
	void *file_ctx;
};

/*
 * Run every source to its end.  Returns 0, or the first negative error of
 * the emit callback or of memory; unreadable files are reported through
 * on_file and skipped (counted), they do not stop the run.
 */
int dw_feed_run(struct dw_vis *v, const struct dw_feed_source *src, size_t nsrc,
		const struct dw_feed_conf *conf, struct dw_feed_stats *st);

/* Origin AS of a path: last ASN, DW_ASN_AMBIGUOUS for a multi-AS set, 0 if none. */
struct dw_aspath;
uint32_t dw_aspath_origin(const struct dw_aspath *p);

#endif
