/*
 * detect_run.h - run the detectors over the store: points in, alerts,
 * events and saved state out.
 *
 * The glue between store.h and detect.h, kept in the library so the CLI,
 * a future daemon and the tests drive detection the same way.  Nothing is
 * printed; progress goes to an optional callback.
 *
 * Two modes (docs/DETECT.md):
 *  - incremental (batch = 0): each (series, method) continues from its
 *    saved state with the bins after it; a series without state (or with
 *    state saved under other parameters) is computed from its first point,
 *    its old rows replaced.
 *  - batch (batch = 1): every detector restarts from the series' first
 *    point; rows are rewritten only for bins in [from, until), after the
 *    old rows there are deleted, so re-running gives the same rows.
 * Rows and state are committed together every commit_rows written rows or
 * so, between entities (an entity's series and its overall events go in
 * one transaction), so a killed run loses only uncommitted entities and
 * the next run redoes exactly those.
 */
#ifndef DARKWATCH_DETECT_RUN_H
#define DARKWATCH_DETECT_RUN_H

#include <stdint.h>

#include "darkwatch/detect.h"
#include "darkwatch/store.h"

struct dw_detect_run_opts {
	int method;           /* DW_DETECT_MEDIAN / _SEASONAL, or -1: both */
	int batch;
	int64_t from, until;  /* batch: the range rewritten */
	const char *datasource; /* NULL: every datasource */
	int all_subtypes;     /* 0: each datasource's main series (subtype "")
			       * only; 1: every subtype too */
	int64_t commit_rows;  /* rows per transaction (0: 20000) */
	/* Called after each series (may be NULL). */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *ctx;
};

struct dw_detect_run_stats {
	uint64_t series, points, alerts, events, retracted, state_reset;
};

/*
 * Run detection on a read-write store with the parameters of conf.  On
 * failure the open transaction is rolled back (what was committed stays)
 * and dw_store_errmsg(s) or msg says why.  Returns 0 or a negative code.
 */
int dw_detect_run(struct dw_store *s, const struct dw_detect_conf *conf,
		  const struct dw_detect_run_opts *o,
		  struct dw_detect_run_stats *st, char *msg, size_t msglen);

#endif
