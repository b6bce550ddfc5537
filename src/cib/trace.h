/*
 * trace.h - one trace's passes over its actions (internal to src/cib).
 *
 * A trace's actions come from a scanner that delivers them in (object, t,
 * account) order: the store's scan() for the object traces, an in-memory
 * array for the text clusters.  trace.c groups them by object, checks ids
 * and order, and runs the passes of docs/CIB.md ## Detection: object
 * popularity n(o) and the popular cut, account mass S(a), then co-actions
 * in the window into the pair table.  The engine uses the same grouping for
 * its evidence scan.
 */
#ifndef DW_CIB_TRACE_H
#define DW_CIB_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "cib/pairs.h"
#include "darkwatch/cib.h"

/* Delivers every action of one trace to fn in (object, t, account) order. */
typedef int (*dw_cib_scan_fn)(void *sctx, dw_cib_action_fn fn, void *fctx);

/* One object's actions, sorted by (t, account). */
typedef int (*dw_cib_group_fn)(void *ctx, const struct dw_cib_action *a,
			       size_t n);

struct dw_cib_tr;

struct dw_cib_tr_stats {
	uint64_t actions, active_accounts;
	uint64_t popular_objects, popular_actions;
	uint64_t window_pairs;
	uint32_t cut; /* objects with more distinct accounts are popular */
};

/* State for one trace; 0 and *out (dw_cib_tr_free), DW_ENOMEM. */
int dw_cib_tr_new(const struct dw_cib_conf *conf, int trace,
		  uint32_t naccounts, uint32_t nobjects,
		  struct dw_cib_tr **out);
void dw_cib_tr_free(struct dw_cib_tr *tr);

/*
 * Passes 1 and 2 (two scans): n(o), the popular cut, S(a).  Then pass 3
 * (one scan): every (pair, object) co-action within the window added to
 * pairs.  progress may be NULL.  0, DW_EMALFORMED for an id out of range
 * or actions out of order, or the scanner's / pair table's error.  Once
 * only: the per-account arrays are freed at the end.
 */
int dw_cib_tr_count(struct dw_cib_tr *tr, dw_cib_scan_fn scan, void *sctx,
		    struct dw_cib_pairs *pairs, dw_cib_progress_fn progress,
		    void *pctx, const char *stage);

/* After dw_cib_tr_count: whether object o was cut as too popular. */
int dw_cib_tr_popular(const struct dw_cib_tr *tr, uint32_t o);
/* After dw_cib_tr_count: idf(o) = ln(1 + N / n(o)), 0 if o unseen. */
double dw_cib_tr_idf(const struct dw_cib_tr *tr, uint32_t o);
/*
 * After dw_cib_tr_count: the number of co-actions accounts a and b would
 * have by chance, the larger of two estimates: c(a) c(b) / 2W (c the
 * co-actions of an account with anyone, W the trace's co-actions: the
 * configuration model of the co-action graph, which knows how often each
 * account meets others, e.g. the busiest accounts on bursty objects) and
 * (c(a) n(b) + c(b) n(a)) / 2I (n an account's distinct non-popular
 * objects, I their sum: a's meetings spread over partners by their
 * activity, which a few dense coordinated groups cannot shrink by
 * inflating W).  Each alone lets through what the other catches.
 */
double dw_cib_tr_chance(const struct dw_cib_tr *tr, uint32_t a, uint32_t b);
const struct dw_cib_tr_stats *dw_cib_tr_stats(const struct dw_cib_tr *tr);

/*
 * One more scan, calling fn once per object with its actions (checked as
 * above).  keep (may be NULL) filters actions by account before grouping:
 * keep[account] != 0.
 */
int dw_cib_tr_groups(struct dw_cib_tr *tr, dw_cib_scan_fn scan, void *sctx,
		     const uint32_t *keep, dw_cib_group_fn fn, void *ctx);

#endif
