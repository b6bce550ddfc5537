/*
 * indicators.h - known-operation indicator lists (domains, links, account
 * handles) and the networks that touch them, for `darkwatch cib detect
 * --indicators`.
 *
 * After detection, before the run is written: a network whose members
 * shared a link or domain whose registrable domain is an indicator domain,
 * or one of whose members is called like an indicator handle, is marked
 * with that indicator (cib_network.indicators, docs/CIB.md, Outputs).
 * Input files have the layout of Meta's threat-research indicator CSVs
 * (a column "Indicator" or "indicator_value"; values defanged as
 * example[.]com and name[at]example[.]com; prose and counts such as
 * "67 accounts" are ignored).
 */
#ifndef DW_CIB_INDICATORS_H
#define DW_CIB_INDICATORS_H

#include <stddef.h>

#include "darkwatch/cib.h"
#include "darkwatch/store.h"

struct dw_cib_indicators;

enum dw_cib_ind_kind { DW_IND_DOMAIN, DW_IND_URL, DW_IND_HANDLE, DW_IND_EMAIL };

/* An empty set: 0 and *out (owned: dw_cib_ind_free) or DW_ENOMEM. */
int dw_cib_ind_new(struct dw_cib_indicators **out);
void dw_cib_ind_free(struct dw_cib_indicators *ind);

/*
 * Load a CSV file, or every *.csv file of a directory (in name order).
 * Returns the number of indicators added, or -errno / DW_EFORMAT (no
 * indicator column) with a sentence in msg.
 */
int dw_cib_ind_load(struct dw_cib_indicators *ind, const char *path,
		    char *msg, size_t msglen);

/*
 * Add the indicators of one CSV document in memory (source: the file name
 * recorded with each match).  Returns the number added or DW_EFORMAT.
 */
int dw_cib_ind_load_mem(struct dw_cib_indicators *ind, const char *source,
			const char *buf, size_t n);

size_t dw_cib_ind_count(const struct dw_cib_indicators *ind);

/*
 * One defanged cell value -> its kind and match key (a registrable domain;
 * for a link to a page below a site's root, the normalised link without
 * scheme and "www."; or a lower-case handle).  Returns 1 and fills kind/key (NUL-terminated),
 * or 0 when the text is not an indicator darkwatch can match.
 */
int dw_cib_ind_classify(const char *text, size_t n, int *kind, char *key,
			size_t cap);

/*
 * Match the networks of r against ind, reading the members' shared URLs
 * and domains through src and their names from s.  *out (owned: free each
 * string and the array) gets r->nnet JSON array texts
 * [{indicator, kind, source_file, matched: [...]}, ...].  Returns the
 * number of networks with a match, or an error.
 */
int dw_cib_ind_match(const struct dw_cib_indicators *ind, struct dw_store *s,
		     const struct dw_cib_source *src,
		     const struct dw_cib_result *r, char ***out);

#endif
