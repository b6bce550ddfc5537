/*
 * alert.c - the detectors' tables: alert, event, detect_state (schema 2).
 *
 * Written by `darkwatch detect` (src/cli/detect_cmd.c), read by `darkwatch
 * events`/`eval` and the API.  Every write is an upsert keyed by the
 * table's natural key, so recomputing a range writes the same rows again
 * (idempotent), and deletes are by range so a batch run can clear exactly
 * what it is about to rewrite.  Statements live in xst[DW_XST_ALERT..+31].
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "darkwatch/err.h"
#include "darkwatch/store.h"
#include "store/store_int.h"

enum {
	A_PUT = DW_XST_ALERT, A_DEL, E_PUT, E_DEL, E_DEL_ALL, S_GET, S_PUT, S_DEL,
	E_LIST, E_LIST_ENT,
};

static const char *const sql_text[] = {
	[A_PUT - DW_XST_ALERT] =
		"INSERT INTO alert(series_id, method, t, level, value, history, condition)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"
		" ON CONFLICT(series_id, method, t) DO UPDATE SET level = ?4,"
		" value = ?5, history = ?6, condition = ?7",
	[A_DEL - DW_XST_ALERT] =
		"DELETE FROM alert WHERE series_id = ?1 AND method = ?2"
		" AND t >= ?3 AND t < ?4",
	[E_PUT - DW_XST_ALERT] =
		"INSERT INTO event(entity_id, datasource, subtype, method, t_start,"
		" t_end, score, max_drop) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
		" ON CONFLICT(entity_id, datasource, subtype, method, t_start)"
		" DO UPDATE SET t_end = ?6, score = ?7, max_drop = ?8",
	[E_DEL - DW_XST_ALERT] =
		"DELETE FROM event WHERE entity_id = ?1 AND datasource = ?2"
		" AND subtype = ?3 AND method = ?4 AND t_start >= ?5 AND t_start < ?6",
	[E_DEL_ALL - DW_XST_ALERT] =
		"DELETE FROM event WHERE entity_id = ?1 AND datasource = ?2"
		" AND method = ?4 AND t_start >= ?5 AND t_start < ?6",
	[S_GET - DW_XST_ALERT] =
		"SELECT last_t, state FROM detect_state WHERE series_id = ?1"
		" AND method = ?2",
	[S_PUT - DW_XST_ALERT] =
		"INSERT INTO detect_state(series_id, method, last_t, state)"
		" VALUES(?1, ?2, ?3, ?4) ON CONFLICT(series_id, method)"
		" DO UPDATE SET last_t = ?3, state = ?4",
	[S_DEL - DW_XST_ALERT] =
		"DELETE FROM detect_state WHERE series_id = ?1 AND method = ?2",
	[E_LIST - DW_XST_ALERT] =
		"SELECT ev.id, ev.entity_id, en.type, en.code, en.name, ev.datasource,"
		" ev.subtype, ev.method, ev.t_start, ev.t_end, ev.score, ev.max_drop"
		" FROM event ev JOIN entity en ON en.id = ev.entity_id"
		" WHERE (?1 = 0 OR ev.entity_id = ?1)"
		" AND (?2 IS NULL OR en.type = ?2) AND (?3 IS NULL OR en.code = ?3)"
		" AND (?4 IS NULL OR ev.datasource = ?4)"
		" AND (?5 IS NULL OR ev.method = ?5)"
		" AND ev.t_start < ?7 AND (ev.t_end IS NULL OR ev.t_end > ?6)"
		" AND (?8 = 0 OR ev.datasource <> 'overall')"
		" ORDER BY en.type, en.code, ev.datasource, ev.subtype, ev.method,"
		" ev.t_start",
	/* one entity: the unique index's first column, no scan */
	[E_LIST_ENT - DW_XST_ALERT] =
		"SELECT ev.id, ev.entity_id, en.type, en.code, en.name, ev.datasource,"
		" ev.subtype, ev.method, ev.t_start, ev.t_end, ev.score, ev.max_drop"
		" FROM event ev JOIN entity en ON en.id = ev.entity_id"
		" WHERE ev.entity_id = ?1"
		" AND (?2 IS NULL OR en.type = ?2) AND (?3 IS NULL OR en.code = ?3)"
		" AND (?4 IS NULL OR ev.datasource = ?4)"
		" AND (?5 IS NULL OR ev.method = ?5)"
		" AND ev.t_start < ?7 AND (ev.t_end IS NULL OR ev.t_end > ?6)"
		" AND (?8 = 0 OR ev.datasource <> 'overall')"
		" ORDER BY ev.datasource, ev.subtype, ev.method, ev.t_start",
};

static int get(struct dw_store *s, int which, sqlite3_stmt **q)
{
	return dw_store_i_stmt(s, which, sql_text[which - DW_XST_ALERT], q);
}

static int check_method(struct dw_store *s, const char *m)
{
	return m && dw_store_i_ident_ok(m, 1, DW_STORE_NAME_MAX)
		       ? 0
		       : dw_store_i_msg(s, DW_EINVAL, "method must be 1 to %d "
					"characters of A-Z a-z 0-9 . _ -",
					DW_STORE_NAME_MAX);
}

static int writable(struct dw_store *s, const char *method)
{
	int rc = dw_store_i_writable(s);
	return rc < 0 ? rc : check_method(s, method);
}

static void bind_text(sqlite3_stmt *q, int i, const char *t)
{
	if (t)
		sqlite3_bind_text(q, i, t, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, i);
}

int dw_store_alert_put(struct dw_store *s, int64_t series_id,
		       const char *method, int64_t t, int level, double value,
		       double history, const char *condition)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if ((rc = writable(s, method)) < 0)
		return rc;
	if (level < 0 || level > 2 || !isfinite(value) || isinf(history) ||
	    !condition || !dw_store_i_text_ok(condition, 1, 63))
		return dw_store_i_msg(s, DW_EINVAL, "bad alert (level %d)", level);
	if ((rc = get(s, A_PUT, &q)) < 0)
		return rc;
	sqlite3_bind_int64(q, 1, series_id);
	sqlite3_bind_text(q, 2, method, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, t);
	sqlite3_bind_int(q, 4, level);
	sqlite3_bind_double(q, 5, value);
	if (isnan(history))
		sqlite3_bind_null(q, 6);
	else
		sqlite3_bind_double(q, 6, history);
	sqlite3_bind_text(q, 7, condition, -1, SQLITE_STATIC);
	return dw_store_i_run(s, q, "cannot write an alert");
}

int dw_store_alert_delete(struct dw_store *s, int64_t series_id,
			  const char *method, int64_t from, int64_t until)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if ((rc = writable(s, method)) < 0 || (rc = get(s, A_DEL, &q)) < 0)
		return rc;
	sqlite3_bind_int64(q, 1, series_id);
	sqlite3_bind_text(q, 2, method, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, from);
	sqlite3_bind_int64(q, 4, until);
	return dw_store_i_run(s, q, "cannot delete alerts");
}

int dw_store_event_put(struct dw_store *s, int64_t entity_id,
		       const char *datasource, const char *subtype,
		       const char *method, int64_t t_start, int64_t t_end,
		       double score, double max_drop)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if ((rc = writable(s, method)) < 0)
		return rc;
	if (!dw_store_datasource_valid(datasource) ||
	    !dw_store_subtype_valid(subtype) || !isfinite(score) ||
	    !isfinite(max_drop) || (t_end != DW_STORE_OPEN && t_end <= t_start))
		return dw_store_i_msg(s, DW_EINVAL, "bad event");
	if ((rc = get(s, E_PUT, &q)) < 0)
		return rc;
	sqlite3_bind_int64(q, 1, entity_id);
	sqlite3_bind_text(q, 2, datasource, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, subtype ? subtype : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, method, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, t_start);
	if (t_end == DW_STORE_OPEN)
		sqlite3_bind_null(q, 6);
	else
		sqlite3_bind_int64(q, 6, t_end);
	sqlite3_bind_double(q, 7, score);
	sqlite3_bind_double(q, 8, max_drop);
	return dw_store_i_run(s, q, "cannot write an event");
}

int dw_store_event_delete(struct dw_store *s, int64_t entity_id,
			  const char *datasource, const char *subtype,
			  const char *method, int64_t from, int64_t until)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if ((rc = writable(s, method)) < 0 ||
	    (rc = get(s, subtype ? E_DEL : E_DEL_ALL, &q)) < 0)
		return rc;
	sqlite3_bind_int64(q, 1, entity_id);
	bind_text(q, 2, datasource);
	if (subtype)
		sqlite3_bind_text(q, 3, subtype, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, method, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, from);
	sqlite3_bind_int64(q, 6, until);
	return dw_store_i_run(s, q, "cannot delete events");
}

int dw_store_state_get(struct dw_store *s, int64_t series_id,
		       const char *method, int64_t *last_t,
		       unsigned char **buf, size_t *len)
{
	sqlite3_stmt *q = NULL;
	int rc;

	*buf = NULL;
	*len = 0;
	if ((rc = check_method(s, method)) < 0 || (rc = get(s, S_GET, &q)) < 0)
		return rc;
	sqlite3_bind_int64(q, 1, series_id);
	sqlite3_bind_text(q, 2, method, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		const void *b = sqlite3_column_blob(q, 1);
		int n = sqlite3_column_bytes(q, 1);
		*last_t = sqlite3_column_int64(q, 0);
		if (!(*buf = malloc(n > 0 ? (size_t)n : 1))) {
			rc = DW_ENOMEM;
		} else {
			if (n > 0)
				memcpy(*buf, b, (size_t)n);
			*len = (size_t)n;
			rc = 1;
		}
	} else {
		rc = rc == SQLITE_DONE ? 0 : dw_store_i_fail(s, rc, "cannot read detector state");
	}
	sqlite3_reset(q);
	return rc;
}

int dw_store_state_put(struct dw_store *s, int64_t series_id,
		       const char *method, int64_t last_t,
		       const unsigned char *buf, size_t len)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if ((rc = writable(s, method)) < 0 || (rc = get(s, S_PUT, &q)) < 0)
		return rc;
	if (len > (1u << 30))
		return dw_store_i_msg(s, DW_ETOOBIG, "detector state too big");
	sqlite3_bind_int64(q, 1, series_id);
	sqlite3_bind_text(q, 2, method, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, last_t);
	sqlite3_bind_blob(q, 4, buf, (int)len, SQLITE_STATIC);
	return dw_store_i_run(s, q, "cannot write detector state");
}

int dw_store_state_delete(struct dw_store *s, int64_t series_id,
			  const char *method)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if ((rc = writable(s, method)) < 0 || (rc = get(s, S_DEL, &q)) < 0)
		return rc;
	sqlite3_bind_int64(q, 1, series_id);
	sqlite3_bind_text(q, 2, method, -1, SQLITE_STATIC);
	return dw_store_i_run(s, q, "cannot delete detector state");
}

int dw_store_events(struct dw_store *s, const struct dw_store_event_filter *f,
		    dw_store_event_fn fn, void *ctx)
{
	sqlite3_stmt *q = NULL;
	int rc, n = 0;

	if ((rc = get(s, f->entity_id > 0 ? E_LIST_ENT : E_LIST, &q)) < 0)
		return rc;
	sqlite3_bind_int64(q, 1, f->entity_id > 0 ? f->entity_id : 0);
	bind_text(q, 2, f->entity_type);
	bind_text(q, 3, f->entity_code);
	bind_text(q, 4, f->datasource);
	bind_text(q, 5, f->method);
	sqlite3_bind_int64(q, 6, f->from);
	sqlite3_bind_int64(q, 7, f->until);
	sqlite3_bind_int(q, 8, f->exclude_overall);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct dw_store_event_row e = {
			.id = sqlite3_column_int64(q, 0),
			.entity_id = sqlite3_column_int64(q, 1),
			.entity_type = (const char *)sqlite3_column_text(q, 2),
			.entity_code = (const char *)sqlite3_column_text(q, 3),
			.entity_name = (const char *)sqlite3_column_text(q, 4),
			.datasource = (const char *)sqlite3_column_text(q, 5),
			.subtype = (const char *)sqlite3_column_text(q, 6),
			.method = (const char *)sqlite3_column_text(q, 7),
			.t_start = sqlite3_column_int64(q, 8),
			.t_end = sqlite3_column_type(q, 9) == SQLITE_NULL
					 ? DW_STORE_OPEN
					 : sqlite3_column_int64(q, 9),
			.score = sqlite3_column_double(q, 10),
			.max_drop = sqlite3_column_double(q, 11),
		};
		int r = fn(ctx, &e);
		if (r < 0) {
			sqlite3_reset(q);
			return r;
		}
		n++;
	}
	rc = rc == SQLITE_DONE ? n : dw_store_i_fail(s, rc, "cannot list events");
	sqlite3_reset(q);
	return rc;
}
