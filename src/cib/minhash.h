/*
 * minhash.h - near-duplicate texts clustered with MinHash and LSH
 * (internal to src/cib).
 *
 * Texts are added one by one (normalised, shingled and signed at once, so
 * only the fixed-size signature is kept), then clustered: LSH buckets give
 * candidate pairs, a candidate is accepted when its estimated Jaccard
 * similarity is >= text_jaccard, and accepted pairs are joined with
 * union-find.  Clusters of >= 2 texts are numbered 1.. in the order of
 * their earliest post id; the engine turns each into an object of the
 * DW_CIB_TEXT trace.  docs/CIB.md ## Detection gives k, bands and rows.
 */
#ifndef DW_CIB_MINHASH_H
#define DW_CIB_MINHASH_H

#include <stddef.h>
#include <stdint.h>

#include "darkwatch/cib.h"

#define DW_CIB_MH_K 96    /* hashes per signature */
#define DW_CIB_MH_BANDS 32
#define DW_CIB_MH_ROWS 3  /* BANDS * ROWS == K */

struct dw_cib_mh;

/* One text after clustering. */
struct dw_cib_mh_item {
	int64_t post;
	int64_t t;
	uint32_t account;
	uint32_t cluster; /* 1.., 0 = in no cluster of >= 2 texts */
};

int dw_cib_mh_new(const struct dw_cib_conf *conf, struct dw_cib_mh **out);
void dw_cib_mh_free(struct dw_cib_mh *m);

/*
 * Normalise and sign one text (copied as a signature; p->text is not
 * kept).  Texts under text_min_len bytes or with no word are skipped.
 * 0, or DW_ENOMEM.
 */
int dw_cib_mh_add(struct dw_cib_mh *m, const struct dw_cib_text *p);

/*
 * Cluster the texts added.  0 and *nclusters, or DW_ENOMEM.  Afterwards
 * dw_cib_mh_items() gives every kept text sorted by post id (borrowed,
 * valid until dw_cib_mh_free).
 */
int dw_cib_mh_cluster(struct dw_cib_mh *m, uint32_t *nclusters);
const struct dw_cib_mh_item *dw_cib_mh_items(const struct dw_cib_mh *m,
					     size_t *n);

/*
 * The estimated Jaccard similarity of two texts' word shingles (for
 * tests): both texts are normalised and signed with conf's seed.
 */
double dw_cib_mh_similarity(const struct dw_cib_conf *conf, const char *x,
			    size_t xlen, const char *y, size_t ylen);

#endif
