/*
 * store_int.h - what the files of src/store/ share, and nothing else sees.
 *
 * The store is split by what it holds: store.c has the connection, the
 * schema and its migrations, entities, series and points; alert.c the
 * detectors' tables (alert, event, detect_state); query.c the API's read
 * queries (paging, filters, coverage); cib.c the coordinated-account
 * engine's tables (import, detection I/O, `cib networks`); cib_query.c the
 * API's reads of them.  SQL text lives only in these files,
 * as constants; values from users or files reach SQL only as bound
 * parameters.  Each file keeps its statements in a range of xst[] slots and
 * prepares them lazily through dw_store_i_stmt.
 */
#ifndef DW_STORE_INT_H
#define DW_STORE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct slot {
	char *key; /* owned; NULL marks an empty slot */
	size_t klen;
	uint64_t h;
	int64_t id, aux; /* aux: a series' step */
	char *name;      /* owned copy of an entity's name, or NULL */
};

struct cache {
	struct slot *slot;
	size_t cap, n; /* cap: a power of two, or 0 */
};

#define DW_STORE_I_NST 32 /* store.c's own statements */

/* Statement slots of the other files: each owns a range. */
enum {
	DW_XST_ALERT = 0,  /* alert.c: 0..31 */
	DW_XST_QUERY = 32, /* query.c: 32..95 */
	DW_XST_CIB = 96,   /* cib.c (import, detect I/O, networks): 96..159 */
	DW_XST_CIBQ = 160, /* cib_query.c (the API's CIB reads): 160..191 */
	DW_XST_MAX = 192
};

struct dw_store {
	sqlite3 *db;
	int rdonly, in_tx;
	sqlite3_stmt *st[DW_STORE_I_NST];
	sqlite3_stmt *xst[DW_XST_MAX];
	struct cache ents, series;
	int64_t *steps; /* steps[series id], 0 = not known */
	size_t nsteps;
	char msg[256];
};

/* Set the message for dw_store_errmsg; returns err. */
__attribute__((format(printf, 3, 4))) int
dw_store_i_msg(struct dw_store *s, int err, const char *fmt, ...);

/* An SQLite failure rc as our code, with "what: sqlite's words". */
int dw_store_i_fail(struct dw_store *s, int rc, const char *what);

/* 0 on a read-write store, -EROFS (with a message) otherwise. */
int dw_store_i_writable(struct dw_store *s);

/* UTF-8 text without control characters, min..max bytes: 1 ok, 0 not. */
int dw_store_i_text_ok(const char *s, size_t min, size_t max);
/* [A-Za-z0-9._-]{min,max}: 1 ok, 0 not. */
int dw_store_i_ident_ok(const char *s, size_t min, size_t max);
/* A known entity type and a valid code: 0, or DW_EINVAL with a message. */
int dw_store_i_check_entity(struct dw_store *s, const char *type,
			    const char *code);

/*
 * The prepared statement in xst[slot] for the constant sql (prepared on
 * first use, finalized by dw_store_close).  Returns 0 or an error.
 */
int dw_store_i_stmt(struct dw_store *s, int slot, const char *sql,
		    sqlite3_stmt **out);

/*
 * The n strings of v (each 1..DW_STORE_CODE_MAX bytes of UTF-8 text, at
 * most DW_QUERY_LIST_MAX) as a JSON array text to bind, for `IN (SELECT
 * value FROM json_each(?))` filters; *out NULL when n is 0, else free()
 * it.  0 or an error with a message (query.c).
 */
int dw_store_i_json_list(struct dw_store *s, const char *const *v, size_t n,
			 char **out);

/* Binds a list statement's parameters (limit and offset among them) before
 * each run: 0 or an error with a message. */
typedef int (*dw_store_i_bind_fn)(struct dw_store *s, sqlite3_stmt *q,
				  const void *arg, int64_t limit,
				  int64_t offset);
/* Turns one row into a call of the caller's callback fn. */
typedef int (*dw_store_i_row_fn)(sqlite3_stmt *q, void *fn, void *ctx);

/*
 * Run the list statement sql (in slot) whose last column is count(*) OVER
 * (): bf binds it, each row goes to rf, *total (if not NULL) gets the
 * count.  A page past the end (offset > 0, no row) is run again as the
 * first page with limit 1 to learn the total.  Returns the rows passed to
 * rf, rf's negative value, or an error (what names the query).  (query.c)
 */
int dw_store_i_run_list(struct dw_store *s, int slot, const char *sql,
			dw_store_i_bind_fn bf, const void *arg, int64_t limit,
			int64_t offset, dw_store_i_row_fn rf, void *fn,
			void *ctx, int64_t *total, const char *what);

/* Step q to its end (no rows expected), then reset it. */
int dw_store_i_run(struct dw_store *s, sqlite3_stmt *q, const char *what);

#endif
