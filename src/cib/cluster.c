/*
 * cluster.c - Leiden communities of the account graph through igraph.
 *
 * Leiden (Traag, Waltman, van Eck 2019) rather than Louvain: it refines
 * each community before aggregating, so no community comes out
 * internally disconnected, which matters when a network is shown to an
 * investigator as "these accounts act together".  The objective is
 * modularity (node weights = weighted degrees, resolution scaled by
 * 1/(2W)), not CPM: modularity does not depend on the absolute scale of the
 * edge weights, which change with the number of traces fused, so one
 * default resolution (1.0) works on any input.
 *
 * igraph's default error handler aborts; it is replaced by the "ignore"
 * handler for the duration of the call (and restored), and every return
 * code is checked.  igraph's RNG is seeded before the call so that the
 * same input and seed give the same communities.
 */
#include <igraph/igraph.h>
#include <stdlib.h>

#include "cib/cluster.h"
#include "darkwatch/err.h"

int dw_cib_communities(size_t n, const uint32_t *u, const uint32_t *v,
		       const double *w, size_t m, double resolution,
		       uint64_t seed, uint32_t *membership)
{
	igraph_error_handler_t *old_err;
	igraph_warning_handler_t *old_warn;
	igraph_vector_int_t ev, memb;
	igraph_vector_t wv, nw;
	igraph_t g;
	igraph_integer_t nb = 0;
	igraph_real_t q = 0, total = 0;
	int have_ev = 0, have_wv = 0, have_nw = 0, have_memb = 0, have_g = 0;
	int rc = DW_ENOMEM;

	if (n == 0)
		return 0;
	old_err = igraph_set_error_handler(igraph_error_handler_ignore);
	old_warn = igraph_set_warning_handler(igraph_warning_handler_ignore);
	if (igraph_vector_int_init(&ev, (igraph_integer_t)(2 * m)))
		goto out;
	have_ev = 1;
	if (igraph_vector_init(&wv, (igraph_integer_t)m))
		goto out;
	have_wv = 1;
	if (igraph_vector_init(&nw, (igraph_integer_t)n))
		goto out;
	have_nw = 1;
	if (igraph_vector_int_init(&memb, (igraph_integer_t)n))
		goto out;
	have_memb = 1;
	for (size_t i = 0; i < m; i++) {
		VECTOR(ev)[2 * i] = u[i];
		VECTOR(ev)[2 * i + 1] = v[i];
		VECTOR(wv)[i] = w[i];
		VECTOR(nw)[u[i]] += w[i];
		VECTOR(nw)[v[i]] += w[i];
		total += w[i];
	}
	rc = DW_EINVAL;
	if (igraph_create(&g, &ev, (igraph_integer_t)n, IGRAPH_UNDIRECTED))
		goto out;
	have_g = 1;
	if (total <= 0) {
		for (size_t i = 0; i < n; i++)
			membership[i] = (uint32_t)i;
		rc = 0;
		goto out;
	}
	igraph_rng_seed(igraph_rng_default(), (igraph_uint_t)seed);
	if (igraph_community_leiden(&g, &wv, &nw, resolution / (2 * total),
				    0.01, 0, -1, &memb, &nb, &q))
		goto out;
	for (size_t i = 0; i < n; i++)
		membership[i] = (uint32_t)VECTOR(memb)[i];
	rc = 0;
out:
	if (have_g)
		igraph_destroy(&g);
	if (have_memb)
		igraph_vector_int_destroy(&memb);
	if (have_nw)
		igraph_vector_destroy(&nw);
	if (have_wv)
		igraph_vector_destroy(&wv);
	if (have_ev)
		igraph_vector_int_destroy(&ev);
	igraph_set_warning_handler(old_warn);
	igraph_set_error_handler(old_err);
	return rc;
}
