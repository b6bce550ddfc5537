/*
 * cib_store.h - the store side of the coordinated-account engine: writing
 * imported activity, feeding the engine, keeping its results and reading
 * them back for `darkwatch cib networks`.
 *
 * Sits between the importers (src/cib/import.c), the engine (cib.h) and
 * the CLI (src/cli/cib_cmd.c); src/store/cib.c is the only place with this
 * SQL (schema 3, docs/CIB.md, Outputs).  The API's paged reads are in
 * cib_query.h.
 *
 * Key decisions:
 *  - Imports go through a writer that batches rows into transactions of
 *    DW_CIB_BATCH posts.  Large, because each commit writes every page the
 *    batch touched and random-key indexes touch the same pages again and
 *    again (200,000 posts import 1.8x faster than 50,000).  A killed
 *    import keeps every committed batch, and since a post is inserted once
 *    per key (INSERT OR IGNORE) and an action's primary key is all its
 *    columns, importing the same file again afterwards adds exactly what
 *    was lost and gives the tables a clean import gives.
 *  - Account and object ids are cached in memory (bounded: a full cache is
 *    emptied and refilled), so a row costs no SELECT when the id is known.
 *  - A detection run is written in one transaction and marked finished in
 *    it: readers never see half a run.
 *
 * Errors: 0 / negative codes of store.h.  Strings passed to callbacks are
 * borrowed (valid during the callback only).
 */
#ifndef DARKWATCH_CIB_STORE_H
#define DARKWATCH_CIB_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "darkwatch/cib.h"
#include "darkwatch/store.h"

#define DW_CIB_BATCH 200000    /* default posts per import transaction */
#define DW_CIB_NAME_MAX 1024   /* account name (bytes) */
#define DW_CIB_KEY_MAX 2048    /* object and post keys (bytes) */

/* ---------------------------------------------------------------- import */

struct dw_cib_writer;

/*
 * A writer on the read-write store s (which must outlive it) committing
 * every batch posts (0: DW_CIB_BATCH).  Opens the first transaction.  0
 * and *out (owned: dw_cib_writer_free), or an error.
 */
int dw_cib_writer_new(struct dw_store *s, size_t batch,
		      struct dw_cib_writer **out);

/*
 * The id of the account called name (1..DW_CIB_NAME_MAX bytes of UTF-8
 * text), created if new.
 */
int dw_cib_writer_account(struct dw_cib_writer *w, const char *name,
			  size_t len, int64_t *id);

/* The id of object (trace, key), created if new; key 1..DW_CIB_KEY_MAX. */
int dw_cib_writer_object(struct dw_cib_writer *w, int trace, const char *key,
			 size_t len, int64_t *id);

/*
 * Insert the post key (1..DW_CIB_KEY_MAX bytes) with *account and *t
 * unless it exists.  text may be NULL.  Returns 1 and *id when new; 0
 * when the key was already stored, with *id, *account and *t set to the
 * stored post's (its actions are written with those: the long layouts
 * give one row per object of a post, and a re-import adds nothing since
 * an action's key is all its columns); or an error.
 */
int dw_cib_writer_post(struct dw_cib_writer *w, const char *key, size_t klen,
		       int64_t *account, int64_t *t, const char *text,
		       size_t tlen, int64_t *id);

/* Mark the end of a post and its actions (a batch may commit here). */
int dw_cib_writer_end_post(struct dw_cib_writer *w);

/* One action of a post (a repeat of an action is ignored).  Call
 * dw_cib_writer_end_post after a post's actions. */
int dw_cib_writer_action(struct dw_cib_writer *w, int trace, int64_t object,
			 int64_t t, int64_t account, int64_t post);

/* Commit what is pending (the writer stays usable: a new transaction). */
int dw_cib_writer_flush(struct dw_cib_writer *w);

/* Commit what is pending and free.  NULL is fine.  Returns 0 or the
 * commit's error (everything still pending is then rolled back). */
int dw_cib_writer_free(struct dw_cib_writer *w);

/* Roll back what is pending and free (error paths).  NULL is fine. */
void dw_cib_writer_abort(struct dw_cib_writer *w);

struct dw_cib_counts {
	int64_t accounts, objects, posts, actions, runs;
};
/* Row counts of the import tables and of finished runs. */
int dw_store_cib_counts(struct dw_store *s, struct dw_cib_counts *c);

/* ---------------------------------------------------------------- engine */

/*
 * Fill *src with a source reading s (which must outlive it and not be
 * used for anything else while the engine runs).  naccounts/nobjects are
 * the highest ids now.  Release with dw_store_cib_source_done.
 */
int dw_store_cib_source(struct dw_store *s, struct dw_cib_source *src);
void dw_store_cib_source_done(struct dw_cib_source *src);

/*
 * Write a detection run in one transaction: the cib_run row (params and
 * stats: JSON object texts; started: epoch seconds) and every network with
 * its members, edges, evidence and top objects (as {trace: [{key, count}]}).
 * Text clusters of the result become cib_object rows (trace DW_CIB_TEXT,
 * key "text:" + the representative post's key).  indicators[i] is the JSON
 * array text for net[i] (NULL or indicators NULL: "[]").  *run_id is set.
 */
int dw_store_cib_run_write(struct dw_store *s, int64_t started,
			   const char *params, const char *stats,
			   const struct dw_cib_result *r,
			   const char *const *indicators, int64_t *run_id);

/* ------------------------------------------------------------ lookups */

/* The name of account id into buf (NUL-terminated, truncated to cap):
 * 1 found, 0 not. */
int dw_store_cib_account_name(struct dw_store *s, int64_t id, char *buf,
			      size_t cap);
/* The trace and key of object id: 1 found, 0 not. */
int dw_store_cib_object_key(struct dw_store *s, int64_t id, int *trace,
			    char *buf, size_t cap);

/* --------------------------------------------------------------- reads */

struct dw_cib_run_row {
	int64_t id, started, finished; /* finished < 0: not finished */
	const char *params, *stats;
};
/* The run id (> 0) or the latest finished run (0): 1 and *r, 0 none. */
typedef int (*dw_cib_run_fn)(void *ctx, const struct dw_cib_run_row *r);
int dw_store_cib_run(struct dw_store *s, int64_t id, dw_cib_run_fn fn,
		     void *ctx);

struct dw_cib_net_row {
	int64_t id, size;
	double score;
	int64_t first_t, last_t;
	const char *traces;     /* comma-separated trace names */
	const char *indicators; /* JSON array */
	const char *top;        /* JSON object */
};
typedef int (*dw_cib_net_fn)(void *ctx, const struct dw_cib_net_row *n);
/* Networks of run (all when net == 0), by id.  Returns the number. */
int dw_store_cib_networks(struct dw_store *s, int64_t run, int64_t net,
			  dw_cib_net_fn fn, void *ctx);

struct dw_cib_member_row {
	int64_t account;
	const char *name;
	double strength;
};
typedef int (*dw_cib_member_fn)(void *ctx, const struct dw_cib_member_row *m);
/* Members of (run, net) by strength, descending. */
int dw_store_cib_members(struct dw_store *s, int64_t run, int64_t net,
			 dw_cib_member_fn fn, void *ctx);

struct dw_cib_edge_row {
	int64_t a, b;
	const char *a_name, *b_name;
	double weight;
	int64_t shared;
	const char *traces;
};
typedef int (*dw_cib_edge_fn)(void *ctx, const struct dw_cib_edge_row *e);
/* Edges of (run, net) by weight, descending. */
int dw_store_cib_edges(struct dw_store *s, int64_t run, int64_t net,
		       dw_cib_edge_fn fn, void *ctx);

struct dw_cib_evidence_row {
	int64_t object;
	int trace;
	const char *key;
	const char *a_name, *b_name;
	int64_t ta, tb;
};
typedef int (*dw_cib_evidence_fn)(void *ctx,
				  const struct dw_cib_evidence_row *e);
/* Evidence of (run, net) by time (ta, tb). */
int dw_store_cib_evidence(struct dw_store *s, int64_t run, int64_t net,
			  dw_cib_evidence_fn fn, void *ctx);

#endif
