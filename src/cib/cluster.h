/*
 * cluster.h - communities of the fused account graph, with igraph
 * (internal to src/cib).
 *
 * The only file of the engine that talks to igraph, so the rest keeps its
 * own types and error codes.  docs/CIB.md ## Detection explains the choice
 * of Leiden with the modularity objective.
 */
#ifndef DW_CIB_CLUSTER_H
#define DW_CIB_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Communities of the undirected weighted graph on nodes 0..n-1 with m
 * edges (u[i], v[i], w[i] > 0).  Fills membership[n] with community numbers
 * 0.. (every node gets one).  Deterministic for a given seed.  0, DW_ENOMEM
 * or DW_EINVAL (igraph refused the graph); never aborts.
 */
int dw_cib_communities(size_t n, const uint32_t *u, const uint32_t *v,
		       const double *w, size_t m, double resolution,
		       uint64_t seed, uint32_t *membership);

#endif
