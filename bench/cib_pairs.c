/*
 * cib_pairs.c - every candidate account pair of a store's activity, as the
 * coordinated-account engine counts them, for the brute-force agreement
 * check of bench/cib_bench.sh (bench/cib_brute.py recomputes the same
 * pairs from the store's tables with all-pairs loops).
 *
 *   cib_pairs DB [WINDOW] [TRACE_MASK]
 *
 * Prints `a,b,shared,weight,traces` (store account ids, a < b, in (a, b)
 * order; weight with 9 decimals) for each pair that co-acted within the
 * window at least once, before any threshold (dw_cib_pairs_dump).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "darkwatch/cib.h"
#include "darkwatch/cib_store.h"
#include "darkwatch/err.h"
#include "darkwatch/store.h"

static int emit(void *ctx, const struct dw_cib_edge *e)
{
	(void)ctx;
	printf("%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%.9f,%u\n", e->a, e->b,
	       e->shared, e->weight, e->traces);
	return 0;
}

int main(int argc, char **argv)
{
	struct dw_cib_conf conf = DW_CIB_CONF_DEFAULT;
	struct dw_store *s = NULL;
	struct dw_cib_source src;
	int rc;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: cib_pairs DB [WINDOW] [TRACE_MASK]\n");
		return 1;
	}
	if (argc > 2)
		conf.window = strtoll(argv[2], NULL, 10);
	if (argc > 3)
		conf.traces = (unsigned)strtoul(argv[3], NULL, 0);
	if ((rc = dw_store_open(argv[1], DW_STORE_RDONLY, &s, NULL, 0)) < 0) {
		fprintf(stderr, "cib_pairs: %s: %s\n", argv[1], dw_strerror(rc));
		return 1;
	}
	if ((rc = dw_store_cib_source(s, &src)) < 0) {
		fprintf(stderr, "cib_pairs: source: %s\n", dw_strerror(rc));
		dw_store_close(s);
		return 1;
	}
	printf("a,b,shared,weight,traces\n");
	rc = dw_cib_pairs_dump(&conf, &src, emit, NULL);
	dw_store_cib_source_done(&src);
	dw_store_close(s);
	if (rc < 0) {
		fprintf(stderr, "cib_pairs: %s\n", dw_strerror(rc));
		return 1;
	}
	return 0;
}
