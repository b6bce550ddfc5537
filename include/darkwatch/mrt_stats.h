/*
 * mrt_stats.h - what an MRT file holds: records per type/subtype, peers,
 * distinct prefixes per family, time range, and problems by reason.
 *
 * Decodes every record fully (BGP messages, attributes, NLRI), so it doubles
 * as the "decode without text output" path measured by bench/.  Memory grows
 * with the number of distinct prefixes and peers (a full table is ~1M
 * prefixes, ~40 MB), never with the file size.
 */
#ifndef DARKWATCH_MRT_STATS_H
#define DARKWATCH_MRT_STATS_H

#include <stdint.h>

#include "darkwatch/mrt.h"

struct dw_mrt_stats;

struct dw_mrt_stats_type {
	uint16_t type, subtype;
	uint64_t count;
};

struct dw_mrt_stats_summary {
	uint64_t records;
	uint64_t skipped;
	uint32_t first_ts, last_ts;     /* 0 when no record */
	uint64_t peers;                 /* distinct (address, AS) */
	uint64_t prefixes_v4, prefixes_v6;   /* distinct */
	uint64_t announced, withdrawn, rib_entries; /* prefix occurrences */
	uint64_t messages[6];           /* BGP messages by type (1..5) */
	size_t ntypes;
	const struct dw_mrt_stats_type *types; /* sorted by type, subtype */
	uint64_t reasons[DW_R__COUNT];
};

/* New accumulator; *out owned (dw_mrt_stats_free). */
int dw_mrt_stats_new(struct dw_mrt_stats **out);
/*
 * Account for one record.  Returns 0, or DW_EMALFORMED with *why when its BGP
 * content was malformed (counted as skipped here; the caller may report it).
 */
int dw_mrt_stats_add(struct dw_mrt_stats *s, const struct dw_mrt_record *rec,
		     enum dw_reason *why);
/* Merge the reader's own counters (framing problems, skipped records). */
void dw_mrt_stats_add_reader(struct dw_mrt_stats *s,
			     const struct dw_mrt_counts *c);
/* Borrowed view, valid until the next add or free. */
const struct dw_mrt_stats_summary *dw_mrt_stats_summary(struct dw_mrt_stats *s);
void dw_mrt_stats_free(struct dw_mrt_stats *s);

#endif
