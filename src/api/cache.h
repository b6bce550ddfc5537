/*
 * cache.h - the API's response cache: (request key, data generation) ->
 * an immutable, reference-counted response body.
 *
 * Used by server.c only.  A body is shared by every response that sends
 * it (no copy per request: libmicrohttpd sends it from an iovec and drops
 * the reference when done), so a hit costs a hash lookup under a mutex.
 *
 * Key decisions:
 *  - Entries belong to one generation; a put or get with a newer
 *    generation empties the cache first, so a commit to the store
 *    invalidates everything at once (per-table invalidation is not worth
 *    its bugs at this scale).
 *  - Bounded by bytes and entries; when a put would pass a bound the cache
 *    is emptied (bodies still being sent live on through their references).
 */
#ifndef DW_API_CACHE_H
#define DW_API_CACHE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct dw_api_cache;

struct dw_api_blob {
	atomic_long ref;
	size_t len;
	int status;          /* HTTP status of the cached response */
	int csv;             /* 1: text/csv, sent as is; 0: JSON envelope tail */
	int64_t total;       /* X-Total-Count, or -1 */
	char type[24];       /* envelope type */
	char data[];         /* len bytes (plus a NUL) */
};

/* A blob holding a copy of len bytes, ref 1; NULL when out of memory. */
struct dw_api_blob *dw_api_blob_new(const void *data, size_t len);
void dw_api_blob_ref(struct dw_api_blob *b);
/* Drop a reference; frees at zero.  NULL is fine. */
void dw_api_blob_unref(struct dw_api_blob *b);

/* max_bytes of bodies, max_entries entries.  0 / DW_ENOMEM. */
int dw_api_cache_new(size_t max_bytes, size_t max_entries,
		     struct dw_api_cache **out);
void dw_api_cache_free(struct dw_api_cache *c);

/* The blob for key at gen with a new reference (unref it), or NULL. */
struct dw_api_blob *dw_api_cache_get(struct dw_api_cache *c, const char *key,
				     size_t klen, uint64_t gen);

/* Keep b (takes a new reference) for key at gen; silently skipped when b
 * alone is over budget or memory is short. */
void dw_api_cache_put(struct dw_api_cache *c, const char *key, size_t klen,
		      uint64_t gen, struct dw_api_blob *b);

#endif
