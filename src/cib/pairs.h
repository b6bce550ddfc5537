/*
 * pairs.h - the account-pair accumulator of the coordination engine.
 *
 * Every co-action (two accounts, one object, within the window) adds a
 * weight to the pair (a, b).  The number of distinct pairs is the cost of
 * the whole engine, so the accumulator is an open-addressing table of
 * 32-byte entries (key, weight, a count per trace, the total) keyed by (a << 32 | b), never a malloc per pair, capped at
 * mem_limit bytes: when it is full its entries are sorted and written as a
 * run to a temporary file and the table starts again empty.  The end is a
 * k-way merge of the runs (and what is left in memory) that sums the
 * duplicates and yields every pair once, in (a, b) order.
 *
 * Weights are fixed point (units of 2^-48) so that sums are exact and do not
 * depend on the order of additions: the spilled path gives bit-for-bit the
 * result of the in-memory path.
 */
#ifndef DW_CIB_PAIRS_H
#define DW_CIB_PAIRS_H

#include <stddef.h>
#include <stdint.h>

#include "darkwatch/cib.h"

/* One unit of weight in the fixed-point sums. */
#define DW_CIB_WSCALE 281474976710656.0 /* 2^48 */

struct dw_cib_pairs;

/* A table that never uses more than mem_limit bytes (at least a small
 * minimum).  0 and *out (free with dw_cib_pairs_free), or DW_ENOMEM. */
int dw_cib_pairs_new(size_t mem_limit, struct dw_cib_pairs **out);
void dw_cib_pairs_free(struct dw_cib_pairs *p);

/*
 * Add one co-action to the pair (a, b), a < b, in trace: weight w (fixed
 * point, see DW_CIB_WSCALE), one more shared object in that trace.  0, or
 * -errno / DW_EIO when a spill to a temporary file fails.
 */
int dw_cib_pairs_add(struct dw_cib_pairs *p, uint32_t a, uint32_t b,
		     uint64_t w, int trace);

/* One merged pair: the edge (shared = all traces) and the per-trace counts
 * cnt[DW_CIB__NTRACE] (saturating at 65535). */
typedef int (*dw_cib_pair_fn)(void *ctx, const struct dw_cib_edge *e,
			      const uint16_t *cnt);

/*
 * Emit every pair co-sharing >= min_shared objects in some one trace, once,
 * in (a, b) order, with the summed weight (as a double: fixed point /
 * DW_CIB_WSCALE), shared count, trace bits and per-trace counts; *distinct
 * gets the number of distinct pairs (all of them).  fn's non-zero return
 * stops and is returned.  Ends the table's life: only dw_cib_pairs_free may
 * follow.  0, fn's value, or -errno / DW_EIO.
 */
int dw_cib_pairs_finish(struct dw_cib_pairs *p, uint32_t min_shared,
			uint64_t *distinct, dw_cib_pair_fn fn, void *ctx);

/* Runs written to temporary files so far, and the table's peak bytes. */
uint64_t dw_cib_pairs_runs(const struct dw_cib_pairs *p);
size_t dw_cib_pairs_peak(const struct dw_cib_pairs *p);

#endif
