/*
 * geo_int.h - internals shared by the geolocation files (not installed).
 *
 * The geo module is split by input, around one data model:
 *   table.c   range tables (build from rows, resolve overlaps, look up),
 *             interned locations, region codes and name cleaning
 *   csvdb.c   CSV range files (plain or gzip) → rows
 *   mmdb.c    MaxMind DB files: IPv4 part of the search tree → rows,
 *             IPv6 lookups through libmaxminddb
 *   geo.c     the public object: sources in order, first hit wins
 *
 * Every loader produces rows (inclusive range of 128-bit keys, location
 * index, sequence number) and hands them to geo_table_build, which sorts
 * them, resolves overlaps (lower sequence wins), merges neighbours with the
 * same location and writes the compact per-family table.  IPv4 keys are the
 * address in the low 32 bits.
 */
#ifndef DW_GEO_GEO_INT_H
#define DW_GEO_GEO_INT_H

#include <stddef.h>
#include <stdint.h>

#include <maxminddb.h>

#include "darkwatch/geo.h"

struct geo_k128 {
	uint64_t hi, lo;
};

struct geo_row {
	struct geo_k128 s, e; /* inclusive */
	uint32_t loc;         /* index into the source's locations */
	uint32_t seq;         /* priority: lower wins on overlap */
};

struct geo_rowvec {
	struct geo_row *v;
	size_t n, cap;
};

/*
 * IPv4 table: a partition of the whole address space into entries (start,
 * location), the gaps included as entries with GEO_NOLOC, so a lookup needs
 * only the last entry whose start is <= the address, and that entry's
 * location sits in the same cache line as its start.  idx[b] is the first
 * entry whose start is >= b << 16, so the search for an address with top
 * bits b stays within entries [idx[b] - 1, idx[b + 1]).
 */
#define GEO_NOLOC UINT32_MAX

struct geo_v4_ent {
	uint32_t start;
	uint32_t loc;
};

struct geo_v4 {
	struct geo_v4_ent *e; /* e[0].start == 0 when n > 0 */
	size_t n;             /* entries, gaps included */
	size_t ranges;        /* entries with a location */
	uint32_t *idx;        /* 65537 entries, NULL when n == 0 */
};

struct geo_v6 {
	struct geo_k128 *start, *end;
	uint32_t *loc;
	size_t n;
};

/* Interned locations of one source; equal results share one index. */
struct geo_locs {
	struct dw_geo_result *v;
	size_t n, cap;
	uint32_t *slot; /* open addressing: index + 1, 0 = free */
	size_t nslot;
};

struct geo_source {
	char *path;
	struct dw_geo_file_info info;
	struct geo_locs locs;
	struct geo_v4 v4;
	struct geo_v6 v6;
	MMDB_s mmdb; /* valid when has_mmdb; must not move (entries point at it) */
	int has_mmdb;
};

/* --- table.c */
int geo_rowvec_push(struct geo_rowvec *rv, const struct geo_row *r);
void geo_rowvec_free(struct geo_rowvec *rv);

/*
 * Build t4 (family 4: keys must be < 2^32) or t6 from rv, which is consumed
 * (sorted in place, then freed).  *overlaps counts rows that start at or
 * before the end of an earlier-sorted row.  Returns 0 or DW_ENOMEM.
 */
int geo_table_build_v4(struct geo_rowvec *rv, struct geo_v4 *t4,
		       uint64_t *overlaps);
int geo_table_build_v6(struct geo_rowvec *rv, struct geo_v6 *t6,
		       uint64_t *overlaps);
void geo_v4_free(struct geo_v4 *t);
void geo_v6_free(struct geo_v6 *t);

/* Index into the locations, or -1 when a is not covered. */
static inline int64_t geo_v4_find(const struct geo_v4 *t, uint32_t a)
{
	size_t lo, hi, b;

	if (t->n == 0)
		return -1;
	b = a >> 16;
	lo = t->idx[b];
	hi = t->idx[b + 1];
	/* first index in [lo, hi) whose start is > a; e[0].start == 0, so
	 * the entry before it exists */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->e[mid].start <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (t->e[lo - 1].loc == GEO_NOLOC)
		return -1;
	return t->e[lo - 1].loc;
}

int64_t geo_v6_find(const struct geo_v6 *t, struct geo_k128 a);

/* Intern r (copied); *idx gets its index.  0 or DW_ENOMEM / DW_ETOOBIG. */
int geo_locs_intern(struct geo_locs *l, const struct dw_geo_result *r,
		    uint32_t *idx);
/* Drop the hash slots once loading is done (lookups use v[] only). */
void geo_locs_seal(struct geo_locs *l);
void geo_locs_free(struct geo_locs *l);

/*
 * Fill r from a country code and a subdivision English name (both raw
 * bytes from the database, not NUL-terminated).  Returns 1 when the country
 * is usable (two ASCII letters, not "ZZ"), 0 when it is empty or "ZZ" (no
 * data), -1 when it is malformed.
 */
int geo_result_make(const char *cc, size_t cc_len, const char *region,
		    size_t region_len, struct dw_geo_result *r);

/* --- csvdb.c: load a CSV (gz or not) into src; 0 or negative code. */
int geo_csv_load(struct geo_source *src, const char *path, int gz);

/* --- mmdb.c */
int geo_mmdb_load(struct geo_source *src, const char *path);
/* 1 found, 0 not, <0 error; b is a 16-byte IPv6 address. */
int geo_mmdb_lookup6(const struct geo_source *src, const uint8_t b[16],
		     struct dw_geo_result *out);
void geo_mmdb_close(struct geo_source *src);

#endif
