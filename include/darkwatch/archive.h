/*
 * archive.h - where route-collector archives keep their files, and getting
 * them (DOMAIN.md §2).
 *
 * Two layouts: RIPE RIS (`rrcNN/YYYY.MM/bview.YYYYMMDD.HHMM.gz` every 8 h,
 * `updates.YYYYMMDD.HHMM.gz` every 5 min) and RouteViews
 * (`<collector>/bgpdata/YYYY.MM/RIBS/rib.YYYYMMDD.HHMM.bz2` every 2 h,
 * `.../UPDATES/updates.YYYYMMDD.HHMM.bz2` every 15 min; route-views2 has no
 * collector folder).  The layout follows from the collector name.
 *
 * A base is a local directory or an http(s) URL.  Remote files are
 * downloaded once into a cache directory (libcurl, with retries and resume
 * of partial downloads); local ones are used in place.
 */
#ifndef DARKWATCH_ARCHIVE_H
#define DARKWATCH_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

enum dw_archive_layout { DW_LAYOUT_RIS = 1, DW_LAYOUT_ROUTEVIEWS = 2 };

/* Layout of a collector name ("rrc00", "route-views2", ...); 0 unknown. */
enum dw_archive_layout dw_archive_layout_of(const char *collector);

/* Relative path of the RIB dump or update file starting at t (t on the
 * layout's grid).  Returns 0 or DW_EINVAL (unknown layout / buffer). */
int dw_archive_path(const char *collector, int rib, int64_t t, char *buf,
		    size_t len);

/* Grid of the layout: RIB interval and update-file interval, seconds. */
void dw_archive_grid(enum dw_archive_layout l, int64_t *rib_every,
		     int64_t *upd_every);

struct dw_archive;

struct dw_archive_conf {
	const char *base;      /* directory or http(s):// URL */
	const char *cache_dir; /* for URLs; NULL: $XDG_CACHE_HOME/darkwatch or ~/.cache/darkwatch */
	int retries;           /* per file, default 3 */
	long timeout_s;        /* per transfer, default 300 */
};

int dw_archive_open(const struct dw_archive_conf *conf, struct dw_archive **out);
void dw_archive_free(struct dw_archive *a);

/*
 * Make a relative path available locally: *local (owned by the archive,
 * valid until free) is the file to read.  Returns 0, 1 when the file does not
 * exist in the archive (HTTP 404 or no such local file), or a negative error
 * (network, disk) with a message in dw_archive_errmsg().
 */
int dw_archive_get(struct dw_archive *a, const char *rel, const char **local);
const char *dw_archive_errmsg(const struct dw_archive *a);
/* Bytes downloaded so far (0 for local archives). */
uint64_t dw_archive_downloaded(const struct dw_archive *a);

#endif
