/*
 * network.h - networks from the kept edges, and what explains them
 * (internal to src/cib).
 *
 * network.c turns the kept edges into ranked networks (communities through
 * cluster.c, members, internal edges, score); explain.c fills each
 * network's evidence, period and top objects with one more scan per trace.
 */
#ifndef DW_CIB_NETWORK_H
#define DW_CIB_NETWORK_H

#include <stddef.h>
#include <stdint.h>

#include "cib/trace.h"
#include "darkwatch/cib.h"

/*
 * Communities of the edges (e[0..ne), a < b, in (a, b) order) and the
 * networks among them into res->net / res->nnet (members, edges, traces,
 * score, id).  0, DW_ENOMEM, DW_EINVAL (igraph refused).  On error
 * res->net may be partly filled: dw_cib_result_free frees it.
 */
int dw_cib_networks_build(const struct dw_cib_conf *conf,
			  const struct dw_cib_edge *e, size_t ne,
			  struct dw_cib_result *res);

/* One trace as explain sees it: its state after counting and its scanner
 * (tr NULL: the trace did not run). */
struct dw_cib_trace_in {
	struct dw_cib_tr *tr;
	dw_cib_scan_fn scan;
	void *sctx;
};

/*
 * Evidence, first_t / last_t and top objects of every network in res.
 * progress may be NULL.  0, DW_ENOMEM, or the scanner's error.
 */
int dw_cib_networks_explain(const struct dw_cib_conf *conf,
			    uint32_t naccounts,
			    const struct dw_cib_trace_in in[DW_CIB__NTRACE],
			    dw_cib_progress_fn progress, void *pctx,
			    struct dw_cib_result *res);

#endif
