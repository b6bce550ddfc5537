/*
 * cib_query.c - the API's reads of the coordinated-account tables
 * (darkwatch/cib_query.h): runs, networks, members, edges, evidence, and
 * an account's networks.
 *
 * Part of the store (src/store/ is the only place with SQL); its reader is
 * the HTTP API (src/api/v2_cib.c).  The tables are written by cib.c
 * (`cib import`, `cib detect`); this file never writes.  Statements live
 * in the xst[DW_XST_CIBQ..] slots, prepared on first use (store_int.h).
 *
 * Key decisions:
 *  - One constant statement per query; optional filters are NULL-able
 *    bound parameters, and the trace list is one bound JSON array read
 *    with json_each(), as in query.c.
 *  - Totals for paging come from count(*) OVER (); a page past the end is
 *    run again as the first page (limit 1) to learn the total.
 *  - JSON columns written by other code are tested with json_valid()
 *    inside CASE (which SQLite evaluates lazily) before json functions
 *    read them, so a malformed row is "no indicators", not an SQL error.
 *  - Evidence of a text object (and of a retweet) carries a post's text
 *    when the store has it: the post behind the first member's action on
 *    that object at that time (else its earliest one there), else for a
 *    text cluster its representative post (cib.c keys a cluster
 *    "text:POSTKEY"), else the post whose key is the object's key (a
 *    retweeted post that is itself in the data).
 */
#include "darkwatch/cib_query.h"
#include "darkwatch/err.h"
#include "store_int.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

enum {
	C_RUNS = DW_XST_CIBQ,
	C_RUN_ID, C_RUN_LATEST, C_NETWORKS, C_NETWORK, C_MEMBERS, C_EDGES,
	C_EVIDENCE, C_ACCOUNT, C_MEMBERSHIPS,
	C__END
};
_Static_assert((int)C__END <= (int)DW_XST_MAX && (int)C__END <= DW_XST_CIBQ + 32,
	       "cib_query.c owns slots DW_XST_CIBQ..+31");

static const char SQL_RUNS[] =
	"SELECT id, started, finished, params, stats, count(*) OVER () "
	"FROM cib_run ORDER BY id DESC LIMIT ?1 OFFSET ?2";

static const char SQL_RUN_ID[] =
	"SELECT id, started, finished FROM cib_run WHERE id = ?1";

static const char SQL_RUN_LATEST[] =
	"SELECT id, started, finished FROM cib_run WHERE finished IS NOT NULL "
	"ORDER BY id DESC LIMIT 1";

#define NET_COLS                                                               \
	"n.run_id, n.id, n.size, n.score, n.first_t, n.last_t, n.traces, "     \
	"n.indicators, n.top"

/* Number of indicator matches; 0 when the column is not a JSON array. */
#define NET_NIND                                                               \
	"(CASE WHEN json_valid(n.indicators) THEN (CASE WHEN "                 \
	"json_type(n.indicators) = 'array' THEN "                              \
	"json_array_length(n.indicators) ELSE 0 END) ELSE 0 END)"

/* ?1 run, ?2 min size, ?3 traces (JSON array or NULL), ?4 indicator
 * (1, 0 or NULL), ?5 order, ?6 limit, ?7 offset. */
static const char SQL_NETWORKS[] =
	"SELECT " NET_COLS ", count(*) OVER () FROM cib_network n "
	"WHERE n.run_id = ?1 AND n.size >= ?2 "
	"AND (?3 IS NULL OR EXISTS (SELECT 1 FROM json_each(?3) j WHERE "
	"     instr(',' || n.traces || ',', ',' || j.value || ',') > 0)) "
	"AND (?4 IS NULL OR (" NET_NIND " > 0) = ?4) "
	"ORDER BY CASE WHEN ?5 = 0 THEN n.score END DESC, "
	"CASE WHEN ?5 = 1 THEN n.score END ASC, "
	"CASE WHEN ?5 = 2 THEN n.size END DESC, "
	"CASE WHEN ?5 = 3 THEN n.size END ASC, "
	"CASE WHEN ?5 = 4 THEN n.first_t END ASC, "
	"CASE WHEN ?5 = 5 THEN n.first_t END DESC, "
	"CASE WHEN ?5 = 6 THEN n.last_t END DESC, "
	"CASE WHEN ?5 = 7 THEN n.last_t END ASC, n.id "
	"LIMIT ?6 OFFSET ?7";

static const char SQL_NETWORK[] =
	"SELECT " NET_COLS " FROM cib_network n WHERE n.run_id = ?1 AND n.id = ?2";

static const char SQL_MEMBERS[] =
	"SELECT m.account_id, a.name, m.strength, count(*) OVER () "
	"FROM cib_member m LEFT JOIN cib_account a ON a.id = m.account_id "
	"WHERE m.run_id = ?1 AND m.network_id = ?2 "
	"ORDER BY m.strength DESC, m.account_id LIMIT ?3";

static const char SQL_EDGES[] =
	"SELECT e.a, e.b, aa.name, ab.name, e.weight, e.shared, e.traces, "
	"count(*) OVER () FROM cib_edge e "
	"LEFT JOIN cib_account aa ON aa.id = e.a "
	"LEFT JOIN cib_account ab ON ab.id = e.b "
	"WHERE e.run_id = ?1 AND e.network_id = ?2 "
	"ORDER BY e.weight DESC, e.a, e.b LIMIT ?3";

/* The page is chosen first (inner query, with its window count); post
 * texts are looked up for its rows only.  SQLite (3.40) refuses an outer
 * column in a subquery's ORDER BY, hence the exact-time lookup first and
 * the member's earliest post on the object second. */
static const char SQL_EVIDENCE[] =
	"SELECT y.object_id, y.trace, y.key, "
	"CASE WHEN y.trace IN (0, 5) THEN coalesce("
	" (SELECT p.text FROM cib_action ac JOIN cib_post p ON p.id = ac.post_id"
	"  WHERE ac.trace = y.trace AND ac.object_id = y.object_id"
	"  AND ac.account_id = y.a AND ac.t = y.ta AND p.text IS NOT NULL"
	"  ORDER BY p.id LIMIT 1),"
	" (SELECT p.text FROM cib_action ac JOIN cib_post p ON p.id = ac.post_id"
	"  WHERE ac.trace = y.trace AND ac.object_id = y.object_id"
	"  AND ac.account_id = y.a AND p.text IS NOT NULL"
	"  ORDER BY ac.t LIMIT 1),"
	" (SELECT p.text FROM cib_post p WHERE y.trace = 5"
	"  AND substr(y.key, 1, 5) = 'text:' AND p.key = substr(y.key, 6)),"
	" (SELECT p.text FROM cib_post p WHERE p.key = y.key)) END, "
	"y.a, y.b, y.an, y.bn, y.ta, y.tb, y.total FROM ("
	" SELECT ev.object_id, o.trace, o.key, ev.a, ev.b, aa.name AS an,"
	" ab.name AS bn, ev.ta, ev.tb, count(*) OVER () AS total"
	" FROM cib_evidence ev LEFT JOIN cib_object o ON o.id = ev.object_id"
	" LEFT JOIN cib_account aa ON aa.id = ev.a"
	" LEFT JOIN cib_account ab ON ab.id = ev.b"
	" WHERE ev.run_id = ?1 AND ev.network_id = ?2"
	" ORDER BY ev.ta, ev.tb, ev.object_id, ev.a, ev.b LIMIT ?3) y "
	"ORDER BY y.ta, y.tb, y.object_id, y.a, y.b";

static const char SQL_ACCOUNT[] = "SELECT id FROM cib_account WHERE name = ?1";

static const char SQL_MEMBERSHIPS[] =
	"SELECT n.id, n.size, n.score, m.strength, n.first_t, n.last_t, "
	"n.traces FROM cib_member m JOIN cib_network n "
	"ON n.run_id = m.run_id AND n.id = m.network_id "
	"WHERE m.run_id = ?1 AND m.account_id = ?2 ORDER BY n.score DESC, n.id";

static const char *col_text(sqlite3_stmt *q, int i)
{
	return (const char *)sqlite3_column_text(q, i);
}

static const char *col_text_or(sqlite3_stmt *q, int i, const char *def)
{
	const char *s = col_text(q, i);
	return s ? s : def;
}

static int64_t col_opt(sqlite3_stmt *q, int i, int *has)
{
	*has = sqlite3_column_type(q, i) != SQLITE_NULL;
	return *has ? sqlite3_column_int64(q, i) : 0;
}

/* ---- runs ---- */

static int bind_page(struct dw_store *s, sqlite3_stmt *q, const void *arg,
		      int64_t limit, int64_t offset)
{
	(void)s;
	(void)arg;
	sqlite3_bind_int64(q, 1, limit);
	sqlite3_bind_int64(q, 2, offset);
	return 0;
}

static int run_row(sqlite3_stmt *q, void *fn, void *ctx)
{
	struct dw_cibq_run r;

	r.id = sqlite3_column_int64(q, 0);
	r.started = sqlite3_column_int64(q, 1);
	r.finished = col_opt(q, 2, &r.done);
	r.params = col_text_or(q, 3, "{}");
	r.stats = col_text_or(q, 4, "{}");
	return ((dw_cibq_run_fn)fn)(ctx, &r);
}

int dw_cibq_runs(struct dw_store *s, int64_t limit, int64_t offset,
		 dw_cibq_run_fn fn, void *ctx, int64_t *total)
{
	return dw_store_i_run_list(s, C_RUNS, SQL_RUNS, bind_page, NULL, limit,
				   offset, run_row, (void *)fn, ctx, total,
				   "cannot read cib runs");
}

int dw_cibq_pick_run(struct dw_store *s, int64_t want, struct dw_cibq_run *out)
{
	sqlite3_stmt *q = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (want < 0)
		return 0;
	if ((rc = want ? dw_store_i_stmt(s, C_RUN_ID, SQL_RUN_ID, &q)
		       : dw_store_i_stmt(s, C_RUN_LATEST, SQL_RUN_LATEST, &q)) < 0)
		return rc;
	if (want)
		sqlite3_bind_int64(q, 1, want);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(q, 0);
		out->started = sqlite3_column_int64(q, 1);
		out->finished = col_opt(q, 2, &out->done);
		rc = 1;
	} else {
		rc = rc == SQLITE_DONE ? 0 : dw_store_i_fail(s, rc, "cannot read cib runs");
	}
	sqlite3_reset(q);
	return rc;
}

/* ---- networks ---- */

static int network_row(sqlite3_stmt *q, void *fn, void *ctx)
{
	struct dw_cibq_network n;

	n.run = sqlite3_column_int64(q, 0);
	n.id = sqlite3_column_int64(q, 1);
	n.size = sqlite3_column_int64(q, 2);
	n.score = sqlite3_column_double(q, 3);
	n.first_t = col_opt(q, 4, &n.has_first);
	n.last_t = col_opt(q, 5, &n.has_last);
	n.traces = col_text_or(q, 6, "");
	n.indicators = col_text_or(q, 7, "[]");
	n.top = col_text_or(q, 8, "{}");
	return ((dw_cibq_network_fn)fn)(ctx, &n);
}

struct net_args {
	const struct dw_cibq_filter *f;
	const char *traces; /* JSON array text or NULL */
};

static int bind_networks(struct dw_store *s, sqlite3_stmt *q, const void *arg,
			  int64_t limit, int64_t offset)
{
	const struct net_args *a = arg;

	(void)s;
	sqlite3_bind_int64(q, 1, a->f->run);
	sqlite3_bind_int64(q, 2, a->f->min_size);
	if (a->traces)
		sqlite3_bind_text(q, 3, a->traces, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(q, 3);
	if (a->f->indicator >= 0)
		sqlite3_bind_int(q, 4, a->f->indicator ? 1 : 0);
	else
		sqlite3_bind_null(q, 4);
	sqlite3_bind_int(q, 5, (int)a->f->order);
	sqlite3_bind_int64(q, 6, limit);
	sqlite3_bind_int64(q, 7, offset);
	return 0;
}

int dw_cibq_networks(struct dw_store *s, const struct dw_cibq_filter *f,
		     dw_cibq_network_fn fn, void *ctx, int64_t *total)
{
	struct net_args a = {f, NULL};
	char *traces = NULL;
	int rc;

	if ((int)f->order < DW_CIBQ_SCORE_DESC || (int)f->order > DW_CIBQ_LAST_ASC)
		return dw_store_i_msg(s, DW_EINVAL, "unknown network order");
	if ((rc = dw_store_i_json_list(s, f->traces, f->ntraces, &traces)) < 0)
		return rc;
	a.traces = traces;
	rc = dw_store_i_run_list(s, C_NETWORKS, SQL_NETWORKS, bind_networks, &a,
				 f->limit, f->offset, network_row, (void *)fn,
				 ctx, total, "cannot read cib networks");
	free(traces);
	return rc;
}

int dw_cibq_network(struct dw_store *s, int64_t run, int64_t id,
		    dw_cibq_network_fn fn, void *ctx)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if ((rc = dw_store_i_stmt(s, C_NETWORK, SQL_NETWORK, &q)) < 0)
		return rc;
	sqlite3_bind_int64(q, 1, run);
	sqlite3_bind_int64(q, 2, id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		rc = network_row(q, (void *)fn, ctx);
		if (rc >= 0)
			rc = 1;
	} else {
		rc = rc == SQLITE_DONE ? 0
				       : dw_store_i_fail(s, rc, "cannot read a cib network");
	}
	sqlite3_reset(q);
	return rc;
}

/* ---- one network's members, edges, evidence ---- */

struct net_key {
	int64_t run, id;
};

static int bind_net(struct dw_store *s, sqlite3_stmt *q, const void *arg,
		     int64_t limit, int64_t offset)
{
	const struct net_key *k = arg;

	(void)s;
	(void)offset;
	sqlite3_bind_int64(q, 1, k->run);
	sqlite3_bind_int64(q, 2, k->id);
	sqlite3_bind_int64(q, 3, limit);
	return 0;
}

static int member_row(sqlite3_stmt *q, void *fn, void *ctx)
{
	struct dw_cibq_member m;

	m.account = sqlite3_column_int64(q, 0);
	m.name = col_text_or(q, 1, "");
	m.strength = sqlite3_column_double(q, 2);
	return ((dw_cibq_member_fn)fn)(ctx, &m);
}

int dw_cibq_members(struct dw_store *s, int64_t run, int64_t id,
		    int64_t limit, dw_cibq_member_fn fn, void *ctx,
		    int64_t *total)
{
	struct net_key k = {run, id};
	return dw_store_i_run_list(s, C_MEMBERS, SQL_MEMBERS, bind_net, &k, limit,
				   0, member_row, (void *)fn, ctx, total,
				   "cannot read cib members");
}

static int edge_row(sqlite3_stmt *q, void *fn, void *ctx)
{
	struct dw_cibq_edge e;

	e.a = sqlite3_column_int64(q, 0);
	e.b = sqlite3_column_int64(q, 1);
	e.a_name = col_text_or(q, 2, "");
	e.b_name = col_text_or(q, 3, "");
	e.weight = sqlite3_column_double(q, 4);
	e.shared = sqlite3_column_int64(q, 5);
	e.traces = col_text_or(q, 6, "");
	return ((dw_cibq_edge_fn)fn)(ctx, &e);
}

int dw_cibq_edges(struct dw_store *s, int64_t run, int64_t id, int64_t limit,
		  dw_cibq_edge_fn fn, void *ctx, int64_t *total)
{
	struct net_key k = {run, id};
	return dw_store_i_run_list(s, C_EDGES, SQL_EDGES, bind_net, &k, limit, 0,
				   edge_row, (void *)fn, ctx, total,
				   "cannot read cib edges");
}

static int evidence_row(sqlite3_stmt *q, void *fn, void *ctx)
{
	struct dw_cibq_evidence e;

	e.object = sqlite3_column_int64(q, 0);
	e.trace = sqlite3_column_type(q, 1) == SQLITE_NULL ? -1
							   : sqlite3_column_int(q, 1);
	e.key = col_text_or(q, 2, "");
	e.text = col_text(q, 3);
	e.a = sqlite3_column_int64(q, 4);
	e.b = sqlite3_column_int64(q, 5);
	e.a_name = col_text_or(q, 6, "");
	e.b_name = col_text_or(q, 7, "");
	e.ta = sqlite3_column_int64(q, 8);
	e.tb = sqlite3_column_int64(q, 9);
	return ((dw_cibq_evidence_fn)fn)(ctx, &e);
}

int dw_cibq_evidence(struct dw_store *s, int64_t run, int64_t id,
		     int64_t limit, dw_cibq_evidence_fn fn, void *ctx,
		     int64_t *total)
{
	struct net_key k = {run, id};
	return dw_store_i_run_list(s, C_EVIDENCE, SQL_EVIDENCE, bind_net, &k,
				   limit, 0, evidence_row, (void *)fn, ctx,
				   total, "cannot read cib evidence");
}

/* ---- accounts ---- */

int dw_cibq_account(struct dw_store *s, const char *name, int64_t *account_id)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if ((rc = dw_store_i_stmt(s, C_ACCOUNT, SQL_ACCOUNT, &q)) < 0)
		return rc;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*account_id = sqlite3_column_int64(q, 0);
		rc = 1;
	} else {
		rc = rc == SQLITE_DONE ? 0
				       : dw_store_i_fail(s, rc, "cannot read cib accounts");
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return rc;
}

int dw_cibq_memberships(struct dw_store *s, int64_t run, int64_t account,
			dw_cibq_membership_fn fn, void *ctx)
{
	sqlite3_stmt *q = NULL;
	int rc, n = 0;

	if ((rc = dw_store_i_stmt(s, C_MEMBERSHIPS, SQL_MEMBERSHIPS, &q)) < 0)
		return rc;
	sqlite3_bind_int64(q, 1, run);
	sqlite3_bind_int64(q, 2, account);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct dw_cibq_membership m;
		m.network = sqlite3_column_int64(q, 0);
		m.size = sqlite3_column_int64(q, 1);
		m.score = sqlite3_column_double(q, 2);
		m.strength = sqlite3_column_double(q, 3);
		m.first_t = col_opt(q, 4, &m.has_first);
		m.last_t = col_opt(q, 5, &m.has_last);
		m.traces = col_text_or(q, 6, "");
		int cb = fn(ctx, &m);
		if (cb < 0) {
			rc = cb;
			goto out;
		}
		n++;
	}
	rc = rc == SQLITE_DONE ? n
			       : dw_store_i_fail(s, rc, "cannot read cib memberships");
out:
	sqlite3_reset(q);
	return rc;
}
