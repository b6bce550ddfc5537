/*
 * static.h - the dashboard's files: URL path -> an open file under the web
 * directory, with its Content-Type, ETag and caching policy.
 *
 * Used by server.c for every path outside /v2.  Kept free of HTTP library
 * types so the path rules are testable alone.
 *
 * Key decisions:
 *  - No path traversal: a path with a "..", a hidden segment (".x"), a
 *    backslash or a control byte is refused, and the file finally opened
 *    must resolve (realpath, symlinks followed) inside the web directory.
 *  - Single-page app: a missing path whose last segment has no extension
 *    ("/entity/country/IR") gets index.html; a missing "/x.js" is a 404,
 *    so a broken build shows as such instead of as HTML parsed as script.
 *  - index.html is sent with Cache-Control: no-cache (revalidated each
 *    time, so a new build shows at once), other files may be kept 5
 *    minutes; every file carries an ETag (size and mtime) for 304s.
 */
#ifndef DW_API_STATIC_H
#define DW_API_STATIC_H

#include <stdint.h>

struct dw_api_static;

struct dw_api_file {
	int fd;            /* owned by the caller: close it */
	uint64_t size;
	char etag[64];
	const char *ctype; /* static strings */
	const char *cache_control;
};

/* dir must be a directory.  0, or -errno / DW_ENOMEM. */
int dw_api_static_new(const char *dir, struct dw_api_static **out);
void dw_api_static_free(struct dw_api_static *st);

/* The resolved web directory.  Borrowed. */
const char *dw_api_static_dir(const struct dw_api_static *st);

/*
 * Open the file for the decoded URL path (starting with '/').  Returns 0
 * with *f filled, -ENOENT (404: missing or refused path), or another
 * negative code.
 */
int dw_api_static_open(const struct dw_api_static *st, const char *path,
		       struct dw_api_file *f);

/* The Content-Type for a file name, by extension. */
const char *dw_api_static_ctype(const char *name);

#endif
