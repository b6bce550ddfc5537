/*
 * store.h - the time-series store: entities, series, points, ingestion log.
 *
 * Every signal darkwatch computes or imports ends here, and the detectors,
 * the API and the export verbs read from here (DESIGN.md, Store).  Nothing
 * outside src/store/ writes SQL.  The store is one SQLite file in WAL mode
 * with synchronous=NORMAL: readers never block the writer, and a killed
 * process loses nothing it had committed.  docs/STORE.md documents the
 * schema, the time semantics and the durability rules.
 *
 * Model:
 *   entity  (type, code) -> id, with a display name and a JSON attrs object.
 *           Types: continent, country, region, asn, geoasn.
 *   series  (datasource, entity, subtype) -> id, with a step in seconds.
 *   point   (series, t) -> value.  A value at t describes [t, t+step), t a
 *           multiple of the step, UTC epoch seconds.  Writing a point that
 *           exists replaces its value, so re-ingesting an input is idempotent.
 *   ingest  (source, sha256) of every input done, written in the same
 *           transaction as the input's points: after a crash an input is
 *           either entirely present and logged, or absent and not logged.
 *
 * Key decisions:
 *  - One connection per struct dw_store, used by one thread at a time
 *    (SQLite's own mutexes are off).  Each server thread opens its own.
 *  - Write-path lookups (entity and series ids, a series' step) are cached
 *    in memory, so an importer writing millions of points runs one SQL
 *    statement per point.  Caches are dropped on rollback, which may undo
 *    the rows they point to.
 *  - Writes outside dw_store_begin/commit commit one statement at a time;
 *    importers should always wrap an input in one transaction.
 *
 * Errors: 0 / negative codes from darkwatch/err.h.  SQLite failures map to
 * -EBUSY (locked past the busy timeout), -EROFS (a write on a read-only
 * store), -ENOSPC, -ENOENT (no such store / entity / series), DW_EFORMAT (not
 * a darkwatch store, or corrupt), DW_EUNSUPP (schema newer than this
 * program), DW_EINVAL (bad argument, or a constraint the call would break),
 * DW_ENOMEM and DW_EIO.  After a failure dw_store_errmsg() says more.
 */
#ifndef DARKWATCH_STORE_H
#define DARKWATCH_STORE_H

#include <stddef.h>
#include <stdint.h>

struct dw_store;

/* Current schema version, recorded in meta.schema_version. */
#define DW_STORE_SCHEMA_VERSION 3

enum {
	DW_STORE_RDONLY = 0, /* an existing store; every write fails -EROFS */
	DW_STORE_RDWR = 1,   /* create the file if missing; migrate the schema */
};

/* Limits on text arguments (bytes); longer ones fail with DW_EINVAL. */
#define DW_STORE_NAME_MAX 64   /* datasource, subtype, entity type, kind */
#define DW_STORE_CODE_MAX 255  /* entity code, ingest source */
#define DW_STORE_TEXT_MAX 1024 /* entity name */
#define DW_STORE_STEP_MAX (366 * 86400) /* longest step (s): a leap year */

/*
 * Open the store at path.  DW_STORE_RDWR creates it if missing and brings an
 * older schema up to DW_STORE_SCHEMA_VERSION; DW_STORE_RDONLY requires an
 * existing store at exactly that version.  On success *out is owned: close it
 * with dw_store_close.  Returns 0, -ENOENT (RDONLY and no such file),
 * DW_EFORMAT (not a darkwatch store), DW_EUNSUPP (newer schema, or an older
 * one opened read-only), -EBUSY, -EACCES, DW_ENOMEM, DW_EIO.  On failure,
 * if msg is not NULL, a sentence for the user is written to msg (msglen
 * bytes, NUL-terminated).
 */
int dw_store_open(const char *path, int flags, struct dw_store **out,
		  char *msg, size_t msglen);

/* Roll back an open transaction, release everything.  NULL is fine. */
void dw_store_close(struct dw_store *s);

/*
 * Why the last failing call failed, in words ("" if none).  Borrowed: valid
 * until the next call on s.
 */
const char *dw_store_errmsg(const struct dw_store *s);

/*
 * Transactions.  begin takes the write lock at once on a read-write store
 * (BEGIN IMMEDIATE: no deadlock when two writers race) and opens a read
 * snapshot on a read-only one.  Nesting is DW_EINVAL.  If commit fails the
 * transaction stays open: call rollback.  rollback is a no-op when no
 * transaction is open, so error paths may call it unconditionally.
 */
int dw_store_begin(struct dw_store *s);
int dw_store_commit(struct dw_store *s);
int dw_store_rollback(struct dw_store *s);

/* 1 if type is one of continent, country, region, asn, geoasn; else 0. */
int dw_store_entity_type_valid(const char *type);

/* 1 if s is a valid datasource name (1..64 of [A-Za-z0-9._-]); else 0. */
int dw_store_datasource_valid(const char *s);
/* 1 if s is a valid subtype (0..64 of [A-Za-z0-9._-]; NULL is ""). */
int dw_store_subtype_valid(const char *s);

/*
 * Upsert the entity (type, code) and set *id.  name NULL keeps an existing
 * name (a new entity then has none); a non-NULL name replaces it.  Text:
 * valid UTF-8 without control characters, code 1..DW_STORE_CODE_MAX bytes,
 * name up to DW_STORE_TEXT_MAX.  Returns 0 or a negative code.
 */
int dw_store_entity(struct dw_store *s, const char *type, const char *code,
		    const char *name, int64_t *id);

/* Look the entity up without creating it: 1 found (*id set), 0 not, <0. */
int dw_store_entity_find(struct dw_store *s, const char *type,
			 const char *code, int64_t *id);

/*
 * Upsert the series (datasource, entity_id, subtype) with the given step
 * (seconds, > 0) and set *id.  subtype NULL means "".  datasource: 1..64
 * bytes of [A-Za-z0-9._-]; subtype: 0..64 of the same.  A series that
 * exists with another step is DW_EINVAL (errmsg says which step it has):
 * the step of stored points cannot change under them.
 */
int dw_store_series(struct dw_store *s, const char *datasource,
		    int64_t entity_id, const char *subtype, int64_t step,
		    int64_t *id);

/* Look a series up: 1 found (*id and *step set; either may be NULL), 0 not. */
int dw_store_series_find(struct dw_store *s, const char *datasource,
			 int64_t entity_id, const char *subtype, int64_t *id,
			 int64_t *step);

/*
 * Write value at t in a series, replacing any value there.  t must be a
 * multiple of the series' step (DW_EINVAL otherwise), value finite.
 * -ENOENT if the series does not exist.
 */
int dw_store_put(struct dw_store *s, int64_t series_id, int64_t t,
		 double value);

/*
 * Record that the input with this content hash is done for `source` (an
 * importer-defined namespace, e.g. the datasource a CSV went to; 1..255
 * bytes).  kind says what the input was ("csv", "rib", ...).  first_t and
 * last_t give the time range written; pass first_t > last_t for an input
 * that produced no points (stored as NULLs).  Call it inside the
 * transaction that wrote the input's points.  Recording the same (source,
 * sha256) again updates the row.
 */
int dw_store_ingest_done(struct dw_store *s, const char *source,
			 const char *sha256_hex, const char *kind,
			 int64_t first_t, int64_t last_t);

/* 1 if (source, sha256_hex) is in the ingestion log, 0 if not, <0 error. */
int dw_store_ingest_seen(struct dw_store *s, const char *source,
			 const char *sha256_hex);

/*
 * Read path.  Callbacks return 0 to go on; a negative value stops the
 * iteration, which then returns that value.  Callbacks must not call back
 * into the same store.  Strings in rows are borrowed: valid only during the
 * callback.
 */
typedef int (*dw_store_point_fn)(void *ctx, int64_t t, double value);

/*
 * Every point of one series with from <= t < until, in increasing t.
 * subtype NULL means "".  Returns the number of points passed to fn, or
 * -ENOENT when the entity or the series does not exist, or an error.
 */
int dw_store_query_points(struct dw_store *s, const char *datasource,
			  const char *entity_type, const char *entity_code,
			  const char *subtype, int64_t from, int64_t until,
			  dw_store_point_fn fn, void *ctx);

/* The same for a series known by id (from dw_store_series_find or a
 * series listing): the number of points passed to fn, or an error. */
int dw_store_series_points(struct dw_store *s, int64_t series_id,
			   int64_t from, int64_t until, dw_store_point_fn fn,
			   void *ctx);

struct dw_store_entity_row {
	int64_t id;
	const char *type, *code;
	const char *name; /* NULL when the entity has none */
	const char *attrs; /* a JSON object, "{}" by default */
};
typedef int (*dw_store_entity_fn)(void *ctx,
				  const struct dw_store_entity_row *e);

/* Every entity (of one type, or all when type is NULL), ordered by type
 * and code.  Returns the number of entities passed to fn, or an error. */
int dw_store_entities(struct dw_store *s, const char *type,
		      dw_store_entity_fn fn, void *ctx);

struct dw_store_series_row {
	int64_t id, entity_id, step;
	const char *datasource, *subtype;
	const char *entity_type, *entity_code;
	/* Filled only with DW_STORE_COUNTS (a scan of the series' points);
	 * first_t > last_t when the series has no point. */
	int64_t points, first_t, last_t;
};
typedef int (*dw_store_series_fn)(void *ctx,
				  const struct dw_store_series_row *r);

enum { DW_STORE_COUNTS = 1 };

/*
 * The series of one entity (entity_id > 0) or of every entity (0), ordered
 * by entity type, code, datasource and subtype.  flags: DW_STORE_COUNTS.
 * Returns the number of series passed to fn, or an error.
 */
int dw_store_series_list(struct dw_store *s, int64_t entity_id,
			 unsigned flags, dw_store_series_fn fn, void *ctx);

struct dw_store_stats {
	int schema_version;
	int64_t entities, series, points, inputs;
};

/* Row counts of the main tables (a full scan of point). */
int dw_store_stats(struct dw_store *s, struct dw_store_stats *st);

/*
 * PRAGMA integrity_check and foreign_key_check.  Returns 0 when both find
 * nothing, DW_EFORMAT with the first problem in dw_store_errmsg otherwise.
 */
int dw_store_check(struct dw_store *s);

/* ==================================================================
 * Detection: alerts, events and detector state (src/store/alert.c,
 * schema 2, docs/STORE.md).  Written by `darkwatch detect`, read by the
 * API and `darkwatch events`.  Methods are short names ("median",
 * "seasonal", 1..64 bytes of [A-Za-z0-9._-]).
 * ================================================================== */

/* Passed as t_end for an event still open (stored as NULL). */
#define DW_STORE_OPEN INT64_MIN

/*
 * Write the alert of (series, method) at t, replacing any there.  level
 * 0 normal, 1 warning, 2 critical; history NaN is stored as NULL (warm-up);
 * condition 1..63 bytes of text.
 */
int dw_store_alert_put(struct dw_store *s, int64_t series_id,
		       const char *method, int64_t t, int level, double value,
		       double history, const char *condition);

/* Delete the alerts of (series, method) with from <= t < until. */
int dw_store_alert_delete(struct dw_store *s, int64_t series_id,
			  const char *method, int64_t from, int64_t until);

/*
 * Upsert the event (entity, datasource, subtype, method, t_start): t_end
 * DW_STORE_OPEN while open, score and max_drop (percent) replace what is
 * there.  datasource "overall" (subtype "") is the merged per-entity event.
 */
int dw_store_event_put(struct dw_store *s, int64_t entity_id,
		       const char *datasource, const char *subtype,
		       const char *method, int64_t t_start, int64_t t_end,
		       double score, double max_drop);

/*
 * Delete the events of (entity, datasource, subtype, method) with
 * from <= t_start < until.  subtype NULL: every subtype.
 */
int dw_store_event_delete(struct dw_store *s, int64_t entity_id,
			  const char *datasource, const char *subtype,
			  const char *method, int64_t from, int64_t until);

/*
 * The saved detector state of (series, method): 1 found (*buf owned, free
 * it; *len its size; *last_t the last bin it has seen), 0 none, <0 error.
 */
int dw_store_state_get(struct dw_store *s, int64_t series_id,
		       const char *method, int64_t *last_t,
		       unsigned char **buf, size_t *len);
/* Replace the state of (series, method). */
int dw_store_state_put(struct dw_store *s, int64_t series_id,
		       const char *method, int64_t last_t,
		       const unsigned char *buf, size_t len);
/* Forget the state of (series, method) (batch recomputation). */
int dw_store_state_delete(struct dw_store *s, int64_t series_id,
			  const char *method);

/* Which events dw_store_events passes on; zero/NULL fields do not filter. */
struct dw_store_event_filter {
	int64_t entity_id;          /* > 0: this entity only */
	const char *entity_type, *entity_code;
	const char *datasource, *method;
	int64_t from, until;        /* events active in [from, until) */
	int exclude_overall;        /* 1: skip datasource "overall" */
};

struct dw_store_event_row {
	int64_t id, entity_id;
	const char *entity_type, *entity_code;
	const char *entity_name;    /* NULL when none */
	const char *datasource, *subtype, *method;
	int64_t t_start, t_end;     /* t_end DW_STORE_OPEN while open */
	double score, max_drop;
};
typedef int (*dw_store_event_fn)(void *ctx,
				 const struct dw_store_event_row *e);

/*
 * Events matching f, ordered by entity type, code, datasource, method and
 * start.  Returns the number passed to fn, or an error.
 */
int dw_store_events(struct dw_store *s, const struct dw_store_event_filter *f,
		    dw_store_event_fn fn, void *ctx);

#endif
