/*
 * geo.h - IP address → country and region (subdivision) lookups.
 *
 * The visibility stage maps every routed /24 to the entities it counts
 * towards (country, region, continent; DOMAIN.md §1); this module answers
 * "where is this address" from one or more geolocation databases:
 *
 *  - MaxMind DB files (.mmdb) read through libmaxminddb, with either
 *    MaxMind's nested keys (country.iso_code, subdivisions.0.names.en,
 *    registered_country.iso_code as fallback) or the flat keys of the
 *    @ip-location-db packages (country_code, state1);
 *  - CSV range files in the @ip-location-db layouts (start,end,country_code
 *    and start,end,country_code,state1,state2,city,...), plain or gzipped,
 *    with addresses as text or as decimal integers.
 *
 * The file type is told from the bytes (gzip magic, the MaxMind metadata
 * marker), never from the name; the CSV layout from the number of columns.
 *
 * Key decisions (docs/GEO.md has the full rules and how to get databases):
 *  - Sources are asked in the order they were added; the first that knows
 *    the address answers, whole (its country and its region, even if empty).
 *  - Every IPv4 range, from CSV or from an mmdb's search tree, is loaded into
 *    one sorted array per source with a 65536-entry index on the top 16 bits,
 *    so an IPv4 lookup is a few compares and never touches libmaxminddb.
 *    IPv6 lookups binary-search the CSV ranges or ask libmaxminddb.
 *  - Regions get one stable, readable code whatever the source: "CC-Name"
 *    built from the subdivision's English name (dw_geo_region_code), so
 *    DB-IP's state1 "New York" and MaxMind's names.en "New York" both give
 *    "US-New_York".
 *  - Within one CSV file, overlapping rows are resolved by file order: where
 *    two rows cover the same address, the earlier row wins (the same rule as
 *    between sources).  Such rows are counted.
 *  - Lookups do not modify the object: several threads may look up at once.
 */
#ifndef DARKWATCH_GEO_H
#define DARKWATCH_GEO_H

#include <stddef.h>
#include <stdint.h>

#include "darkwatch/addr.h"

struct dw_geo;

#define DW_GEO_REGION_MAX 96 /* bytes, including the NUL */

/* What a lookup found.  Strings are NUL-terminated UTF-8. */
struct dw_geo_result {
	char country[3];                /* ISO 3166-1 alpha-2, upper case */
	char region[DW_GEO_REGION_MAX]; /* "IR-Tehran"; "" when unknown */
	char region_name[DW_GEO_REGION_MAX]; /* "Tehran"; "" when unknown */
};

enum dw_geo_format {
	DW_GEO_MMDB = 1,   /* MaxMind DB */
	DW_GEO_CSV = 2,    /* plain CSV */
	DW_GEO_CSV_GZ = 3, /* gzip-compressed CSV */
};

enum dw_geo_layout {
	DW_GEO_LAYOUT_COUNTRY = 1, /* CSV start,end,country_code */
	DW_GEO_LAYOUT_CITY = 2,    /* CSV start,end,country_code,state1,... */
	DW_GEO_LAYOUT_MMDB = 3,    /* keys chosen per record (nested or flat) */
};

/* What loading one file found.  Counts are of data rows (CSV lines that are
 * not blank, comments or the header) or, for mmdb, of data records reached
 * from the IPv4 part of the search tree. */
struct dw_geo_file_info {
	const char *path; /* borrowed: valid until dw_geo_free */
	enum dw_geo_format format;
	enum dw_geo_layout layout;
	uint64_t rows;           /* rows read */
	uint64_t bad_rows;       /* skipped as malformed (see first_bad_*) */
	uint64_t unknown_rows;   /* well formed but no country (empty, ZZ) */
	uint64_t overlap_rows;   /* overlapped a row starting at or before it */
	uint64_t first_bad_line; /* line of the first bad row; 0 if none */
	const char *first_bad_reason; /* static text; NULL if none */
	size_t v4_ranges;             /* IPv4 ranges kept after merging */
	size_t v6_ranges;             /* IPv6 ranges kept (CSV only; mmdb: 0) */
	size_t locations;             /* distinct (country, region) pairs */
	int mmdb_ip_version;          /* 4 or 6 for mmdb, 0 for CSV */
};

/* An empty lookup object (no source: every lookup misses).  Returns 0 or
 * DW_ENOMEM; free *out with dw_geo_free. */
int dw_geo_open(struct dw_geo **out);

/*
 * Load one database file and append it to the sources.  The type (mmdb,
 * CSV, gzip CSV) is detected from the content.  Returns 0 or:
 *   -errno        cannot open or read the file
 *   DW_EFORMAT    not a recognised database (empty, binary, no valid row)
 *   DW_EUNSUPP    a CSV whose column count is no geo layout (e.g. ASN CSV)
 *   DW_ECOMPRESS  corrupt or truncated gzip stream
 *   DW_EMALFORMED mmdb whose search tree or metadata is corrupt
 *   DW_ETOOBIG    more than 2^32 - 2 rows
 *   DW_ENOMEM
 * On failure g is unchanged.  Bad CSV rows are skipped and counted, not
 * fatal (dw_geo_file_info).
 */
int dw_geo_add_file(struct dw_geo *g, const char *path);

/* Number of sources loaded. */
size_t dw_geo_file_count(const struct dw_geo *g);

/* Statistics of source i (0-based, in the order added).  Returns 0 or
 * DW_EINVAL when i is out of range. */
int dw_geo_file_info(const struct dw_geo *g, size_t i,
		     struct dw_geo_file_info *out);

/*
 * Look up an address (IPv4, IPv6; an IPv4-mapped ::ffff:a.b.c.d is looked
 * up as IPv4).  Returns 1 and fills *out when a source knows the address, 0
 * when none does (*out is then cleared), or a negative code when an mmdb
 * turns out corrupt at lookup time (DW_EMALFORMED) or a is not an address
 * (DW_EINVAL).
 */
int dw_geo_lookup(const struct dw_geo *g, const struct dw_addr *a,
		  struct dw_geo_result *out);

/*
 * Fast path for IPv4 (host byte order).  Returns 1 and points *out at the
 * interned result (borrowed: valid until dw_geo_free; equal locations of one
 * source share one pointer), or 0 and sets *out to NULL.  Never fails.
 */
int dw_geo_lookup_v4(const struct dw_geo *g, uint32_t addr,
		     const struct dw_geo_result **out);

/* Free g and everything it loaded; accepts NULL. */
void dw_geo_free(struct dw_geo *g);

/*
 * The region code for a subdivision's English name in country cc:
 * "CC-" + the name with each run of separators (space, tab, '_', ',',
 * '/', Unicode spaces) turned into one '_' (none at either end), ASCII
 * letters, digits and '-' kept, Unicode dashes U+2010..2015 turned into
 * '-', other ASCII characters dropped ("d'Azur" → "dAzur"), non-ASCII
 * UTF-8 kept except Latin-1 punctuation and symbols (U+0080..00BF, ×, ÷),
 * the General Punctuation block (U+2000..206F: ’ is dropped like ') and
 * invalid bytes; cut at a character boundary to fit
 * DW_GEO_REGION_MAX - 1 bytes.  Case is kept.  Writes the NUL-terminated
 * code to out (outsz >= 4) and returns its length, or 0 (out = "") when cc
 * is not two ASCII letters or nothing of the name is left, or DW_EINVAL
 * when outsz < 4.
 */
int dw_geo_region_code(const char *cc, const char *name, size_t name_len,
		       char *out, size_t outsz);

/* --- countries (src/geo/countries.c, generated by scripts/gen_countries.sh) */

struct dw_country {
	char code[3];      /* ISO 3166-1 alpha-2 */
	char continent[3]; /* AF AN AS EU NA OC SA */
	const char *name;  /* English short name, UTF-8 ("Iran", "Türkiye") */
};

/* The country with code cc (case-insensitive), or NULL.  Static data. */
const struct dw_country *dw_country_get(const char *cc);
/* Its English name ("IR" → "Iran"), or NULL when unknown. */
const char *dw_country_name(const char *cc);
/* Its continent code ("IR" → "AS"), or NULL when unknown. */
const char *dw_country_continent(const char *cc);
/* The i-th country in code order, or NULL when i >= the count; for
 * listing every country entity. */
const struct dw_country *dw_country_at(size_t i);
/* "EU" → "Europe" for the seven continent codes, else NULL. */
const char *dw_continent_name(const char *code);

#endif
