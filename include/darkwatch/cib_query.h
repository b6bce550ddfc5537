/*
 * cib_query.h - the read queries the API serves about coordinated account
 * networks: detection runs, the networks of a run, one network's members,
 * edges and evidence, and the networks an account belongs to.
 *
 * Sits between the store (src/store/cib_query.c, the only place with this
 * SQL) and the HTTP API (src/api/v2_cib.c).  Separate from cib.c (import,
 * detection I/O, `cib networks`) so the API's paging and filters have their
 * own statements and the two can change independently.
 *
 * Key decisions:
 *  - Reads only; every value from a user is a bound parameter (a list of
 *    trace names is bound as one JSON array read with json_each()).
 *  - "The latest run" is the latest *finished* run (cib_run.finished not
 *    NULL): a run still writing (or killed) is never shown by default.
 *  - JSON columns (params, stats, indicators, top) are passed through as
 *    stored text; the caller parses them and falls back to an empty value
 *    when a row holds something else, so a bad row never fails a request.
 *  - Lists are paged with LIMIT/OFFSET and report the number of matching
 *    rows before paging (*total) from count(*) OVER ().
 *
 * Rows passed to callbacks are borrowed: valid only during the callback.
 * Callbacks return 0 to go on or a negative value to stop (returned as is).
 * Functions return the number of rows passed (or 1/0 found/not found where
 * said) or a negative code (store.h's errors; DW_EINVAL for a bad filter).
 */
#ifndef DARKWATCH_CIB_QUERY_H
#define DARKWATCH_CIB_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "darkwatch/store.h"

struct dw_cibq_run {
	int64_t id, started;
	int64_t finished;   /* meaningful only when done */
	int done;           /* finished is not NULL */
	const char *params; /* JSON text as stored */
	const char *stats;
};
typedef int (*dw_cibq_run_fn)(void *ctx, const struct dw_cibq_run *r);

/* Runs, newest first; *total (may be NULL) = all runs. */
int dw_cibq_runs(struct dw_store *s, int64_t limit, int64_t offset,
		 dw_cibq_run_fn fn, void *ctx, int64_t *total);

/*
 * The run to show: `want` > 0 that run, 0 the latest finished run.
 * 1 and *out filled (out->done says whether it finished), 0 when there is
 * no such run (or, for 0, no finished run).  out's strings are not set.
 */
int dw_cibq_pick_run(struct dw_store *s, int64_t want, struct dw_cibq_run *out);

enum dw_cibq_order {
	DW_CIBQ_SCORE_DESC, DW_CIBQ_SCORE_ASC,
	DW_CIBQ_SIZE_DESC, DW_CIBQ_SIZE_ASC,
	DW_CIBQ_FIRST_ASC, DW_CIBQ_FIRST_DESC,
	DW_CIBQ_LAST_DESC, DW_CIBQ_LAST_ASC,
};

struct dw_cibq_filter {
	int64_t run;                 /* the run (see dw_cibq_pick_run) */
	enum dw_cibq_order order;
	int64_t min_size;            /* 0: any */
	const char *const *traces;   /* networks with any of these traces */
	size_t ntraces;              /* 0: any */
	int indicator;               /* -1 any, 1 with indicator matches, 0 without */
	int64_t limit, offset;       /* limit <= 0: no limit */
};

struct dw_cibq_network {
	int64_t run, id, size;
	double score;
	int64_t first_t, last_t;
	int has_first, has_last;
	const char *traces;     /* comma-separated trace names */
	const char *indicators; /* JSON array text as stored */
	const char *top;        /* JSON object text as stored */
};
typedef int (*dw_cibq_network_fn)(void *ctx, const struct dw_cibq_network *n);

/* Networks of f->run matching f, in f->order (ties by id). */
int dw_cibq_networks(struct dw_store *s, const struct dw_cibq_filter *f,
		     dw_cibq_network_fn fn, void *ctx, int64_t *total);

/* One network: 1 and fn called once, or 0 when (run, id) is unknown. */
int dw_cibq_network(struct dw_store *s, int64_t run, int64_t id,
		    dw_cibq_network_fn fn, void *ctx);

struct dw_cibq_member {
	int64_t account;
	const char *name;
	double strength;
};
typedef int (*dw_cibq_member_fn)(void *ctx, const struct dw_cibq_member *m);

/* Members by strength (descending), at most limit (<= 0: all); *total
 * (may be NULL) = all members. */
int dw_cibq_members(struct dw_store *s, int64_t run, int64_t id,
		    int64_t limit, dw_cibq_member_fn fn, void *ctx,
		    int64_t *total);

struct dw_cibq_edge {
	int64_t a, b;
	const char *a_name, *b_name;
	double weight;
	int64_t shared;
	const char *traces; /* as stored: comma-separated names */
};
typedef int (*dw_cibq_edge_fn)(void *ctx, const struct dw_cibq_edge *e);

/* Edges by weight (descending), at most limit; *total as above. */
int dw_cibq_edges(struct dw_store *s, int64_t run, int64_t id, int64_t limit,
		  dw_cibq_edge_fn fn, void *ctx, int64_t *total);

struct dw_cibq_evidence {
	int64_t object;
	int trace;             /* enum dw_cib_trace */
	const char *key;       /* the object's key */
	const char *text;      /* text objects: a post's text, or NULL */
	int64_t a, b;
	const char *a_name, *b_name;
	int64_t ta, tb;
};
typedef int (*dw_cibq_evidence_fn)(void *ctx, const struct dw_cibq_evidence *e);

/* Evidence by time (ta, then tb, object), at most limit; *total as above. */
int dw_cibq_evidence(struct dw_store *s, int64_t run, int64_t id,
		     int64_t limit, dw_cibq_evidence_fn fn, void *ctx,
		     int64_t *total);

struct dw_cibq_membership {
	int64_t network, size;
	double score, strength;
	int64_t first_t, last_t;
	int has_first, has_last;
	const char *traces;
};
typedef int (*dw_cibq_membership_fn)(void *ctx,
				     const struct dw_cibq_membership *m);

/*
 * The account called name: 1 and *account_id, or 0 when unknown.
 */
int dw_cibq_account(struct dw_store *s, const char *name, int64_t *account_id);

/* The networks of run that account belongs to, by score (descending). */
int dw_cibq_memberships(struct dw_store *s, int64_t run, int64_t account,
			dw_cibq_membership_fn fn, void *ctx);

#endif
