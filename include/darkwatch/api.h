/*
 * api.h - the HTTP server: darkwatch's IODA-compatible API (/v2/...) and
 * the dashboard's static files, in one process (`darkwatch serve`).
 *
 * The last stage of the data flow: it only reads the store that `replay`,
 * `signal import` and `detect` write.  docs/API.md documents the endpoints,
 * parameters, limits and deviations from IODA; src/api/openapi.json is the
 * machine-readable version, served at /v2/openapi.json.
 *
 * Key decisions:
 *  - libmicrohttpd with its own thread pool; each server thread opens its
 *    own read-only store connection on first use (SQLite connections are
 *    used by one thread at a time), closed when the server stops.
 *  - Successful /v2 responses are cached per (endpoint, known parameters,
 *    data generation).  Each thread reads PRAGMA data_version before a
 *    request; a change (a commit by `detect` or `replay`) moves the shared
 *    generation on, which empties the cache.  The per-request envelope
 *    fields (metadata times) are written around the cached body.
 *  - The listening socket is made here (bind errors are reported before
 *    any thread starts); port 0 picks a free port, dw_api_port says which.
 *  - The library never prints: dw_api_new reports failures in msg, and
 *    unexpected store errors while serving go to the optional log callback.
 */
#ifndef DARKWATCH_API_H
#define DARKWATCH_API_H

#include <stddef.h>
#include <stdint.h>

struct dw_api;

typedef void (*dw_api_log_fn)(void *ctx, const char *msg);

struct dw_api_conf {
	const char *db_path;   /* the store (required) */
	const char *listen;    /* "HOST:PORT", "[V6]:PORT" or ":PORT" */
	const char *web_dir;   /* dashboard files, or NULL: none served */
	unsigned threads;      /* server threads (1..64) */
	double rate;           /* /v2 requests per second per client; 0 off */
	double burst;          /* bucket size (requests) */
	size_t cache_bytes;    /* response cache budget */
	unsigned conn_limit;   /* concurrent connections */
	dw_api_log_fn log;     /* may be NULL */
	void *log_ctx;
};

#define DW_API_CONF_DEFAULT                                                    \
	{ NULL, "127.0.0.1:8080", NULL, 2, 20.0, 100.0, 64u << 20, 1024, NULL, NULL }

/* Longest signals range (until - from) and most values per response. */
#define DW_API_RANGE_MAX (100 * 86400)
#define DW_API_VALUES_MAX 500000
/* Page sizes: default and largest `limit`. */
#define DW_API_EVENTS_LIMIT 500
#define DW_API_LIMIT_MAX 10000
/* Longest request line plus headers MHD accepts (bytes). */
#define DW_API_REQUEST_MAX (32u << 10)

/*
 * Check the store (opened read-only once), bind conf->listen and start
 * serving.  On success *out is owned: stop with dw_api_free.  Returns 0,
 * -ENOENT (no store), DW_EFORMAT/DW_EUNSUPP (not a usable store),
 * -EADDRINUSE, -EACCES, DW_EINVAL (bad listen address or options), or
 * another negative code; msg (msglen bytes) then says why, for the user.
 */
int dw_api_new(const struct dw_api_conf *conf, struct dw_api **out,
	       char *msg, size_t msglen);

/* The port actually bound (useful with port 0). */
unsigned dw_api_port(const struct dw_api *a);

/* "http://HOST:PORT/" of the listening socket.  Borrowed: valid until
 * dw_api_free. */
const char *dw_api_url(const struct dw_api *a);

/* Stop serving (waits for the threads), close every store connection,
 * release everything.  NULL is fine. */
void dw_api_free(struct dw_api *a);

#endif
