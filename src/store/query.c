/*
 * query.c - the API's read queries (darkwatch/query.h): alerts, events,
 * scores, entity search, coverage, datasources, points by series id.
 *
 * Part of the store (src/store/ is the only place with SQL); its readers
 * are the HTTP API's handlers (src/api/).  Statements live in the
 * xst[DW_XST_QUERY..] slots, prepared on first use (store_int.h).
 *
 * Key decisions:
 *  - Every list statement shares one parameter layout (?1 from, ?2 until,
 *    ?3 extendWindow, ?4 entity type, ?5 codes, ?6/?7 relatedTo, ?8
 *    datasource, ?9 methods, ?10 ignored methods, ?11 limit, ?12 offset,
 *    ?15 subtype; ?13 and ?14 are each statement's own);
 *    a NULL parameter disables its filter, and lists are bound as one JSON
 *    array read back with json_each().  So there is one constant statement
 *    per list, user text is only ever bound, and bind_filter() is the one
 *    place that turns a filter into bindings.
 *  - Totals for paging come from count(*) OVER (), computed before LIMIT:
 *    one statement per page.  A page past the end has no row to carry the
 *    count, so only then is the first page's count read again.
 *  - relatedTo follows the entity codes (region CC-Name in country CC,
 *    geoasn ASN-CC joining AS ASN and country CC): the REL_CTE below.
 */
#include "darkwatch/query.h"
#include "darkwatch/err.h"
#include "store_int.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

enum {
	Q_VERSION = DW_XST_QUERY,
	Q_ALERTS, Q_EVENTS, Q_EVENT_ALERTS, Q_SCORES, Q_DEFAULT_METHOD,
	Q_ENTITIES, Q_COVERAGE, Q_DATASOURCES,
	Q__END
};
_Static_assert((int)Q__END <= (int)DW_XST_MAX, "query.c has slots up to DW_XST_MAX");

/* Entities related to (?6 type, ?7 code); see the file comment. */
#define REL_CTE                                                                \
	"WITH rel(id) AS ("                                                    \
	" SELECT e.id FROM entity e WHERE ?6 = 'country' AND ("                \
	"  (e.type = 'region' AND substr(e.code, 1, length(?7) + 1) = ?7 || '-')" \
	"  OR (e.type = 'geoasn' AND substr(e.code, instr(e.code, '-') + 1) = ?7)" \
	"  OR (e.type = 'asn' AND EXISTS (SELECT 1 FROM entity g WHERE "       \
	"      g.type = 'geoasn' AND g.code = e.code || '-' || ?7)))"          \
	" UNION SELECT e.id FROM entity e WHERE ?6 = 'asn' AND ("              \
	"  (e.type = 'geoasn' AND substr(e.code, 1, length(?7) + 1) = ?7 || '-')" \
	"  OR (e.type = 'country' AND EXISTS (SELECT 1 FROM entity g WHERE "   \
	"      g.type = 'geoasn' AND g.code = ?7 || '-' || e.code)))"          \
	" UNION SELECT e.id FROM entity e WHERE ?6 = 'region' AND "            \
	"  e.type = 'country' AND instr(?7, '-') > 0 AND "                     \
	"  e.code = substr(?7, 1, instr(?7, '-') - 1)"                         \
	" UNION SELECT e.id FROM entity e WHERE ?6 = 'geoasn' AND "            \
	"  instr(?7, '-') > 0 AND ("                                           \
	"  (e.type = 'country' AND e.code = substr(?7, instr(?7, '-') + 1))"   \
	"  OR (e.type = 'asn' AND e.code = substr(?7, 1, instr(?7, '-') - 1)))" \
	" UNION SELECT e.id FROM entity e WHERE ?6 = 'continent' AND "         \
	"  e.type = 'country' AND json_valid(e.attrs) AND "                    \
	"  json_extract(e.attrs, '$.continent') = ?7) "

#define ENT_FILTER                                                             \
	" (?4 IS NULL OR e.type = ?4)"                                         \
	" AND (?5 IS NULL OR e.code IN (SELECT value FROM json_each(?5)))"     \
	" AND (?6 IS NULL OR e.id IN (SELECT id FROM rel)) "

#define METHOD_FILTER(col)                                                     \
	" AND (?9 IS NULL OR " col " IN (SELECT value FROM json_each(?9)))"    \
	" AND (?10 IS NULL OR " col " NOT IN (SELECT value FROM json_each(?10))) "

#define ENT_COLS "e.id, e.type, e.code, e.name, e.attrs"

/* Events active in the window (see dw_query_events); ?13 = overall. */
#define EVENT_WINDOW                                                           \
	" ev.t_start >= ?1 - ?3 AND ev.t_start < ?2"                           \
	" AND (ev.t_end IS NULL OR ev.t_end > ?1)"                             \
	" AND ((?13 = 1 AND ev.datasource = 'overall') OR"                     \
	"      (?13 = 0 AND ev.datasource <> 'overall'))"                      \
	" AND (?8 IS NULL OR ev.datasource = ?8)"                              \
	" AND (?15 IS NULL OR ev.subtype = ?15) AND "

static const char SQL_VERSION[] = "PRAGMA data_version";

static const char SQL_ALERTS[] =
	REL_CTE
	"SELECT " ENT_COLS ", s.datasource, s.subtype, a.method, a.condition, "
	"a.t, a.level, a.value, a.history, count(*) OVER () "
	"FROM alert a JOIN series s ON s.id = a.series_id "
	"JOIN entity e ON e.id = s.entity_id "
	"WHERE a.t >= ?1 AND a.t < ?2 AND (?8 IS NULL OR s.datasource = ?8) "
	"AND (?15 IS NULL OR s.subtype = ?15) AND"
	ENT_FILTER METHOD_FILTER("a.method")
	"ORDER BY a.t, e.type, e.code, s.datasource, s.subtype, a.method "
	"LIMIT ?11 OFFSET ?12";

static const char SQL_EVENTS[] =
	REL_CTE
	"SELECT " ENT_COLS ", ev.id, ev.datasource, ev.subtype, ev.method, "
	"ev.t_start, ev.t_end, ev.score, ev.max_drop, count(*) OVER () "
	"FROM event ev JOIN entity e ON e.id = ev.entity_id WHERE"
	EVENT_WINDOW ENT_FILTER METHOD_FILTER("ev.method")
	"ORDER BY CASE WHEN ?14 = 0 THEN ev.t_start END ASC, "
	"CASE WHEN ?14 = 1 THEN ev.t_start END DESC, "
	"CASE WHEN ?14 = 2 THEN ev.score END ASC, "
	"CASE WHEN ?14 = 3 THEN ev.score END DESC, "
	"ev.t_start, e.type, e.code, ev.datasource, ev.subtype, ev.method "
	"LIMIT ?11 OFFSET ?12";

static const char SQL_EVENT_ALERTS[] =
	"SELECT s.datasource, s.subtype, a.method, a.condition, a.t, a.level, "
	"a.value, a.history FROM alert a JOIN series s ON s.id = a.series_id "
	"WHERE s.entity_id = ?1 AND (?2 = 'overall' OR (s.datasource = ?2 AND "
	"s.subtype = ?3)) AND a.method = ?4 AND a.t >= ?5 AND a.t <= ?6 "
	"ORDER BY a.t, s.datasource, s.subtype LIMIT ?7";

static const char SQL_SCORES[] =
	REL_CTE
	"SELECT " ENT_COLS ", ev.datasource, sum(ev.score), count(*) "
	"FROM event ev JOIN entity e ON e.id = ev.entity_id WHERE"
	" ev.t_start >= ?1 - ?3 AND ev.t_start < ?2"
	" AND (ev.t_end IS NULL OR ev.t_end > ?1)"
	" AND (?8 IS NULL OR ev.datasource = ?8 OR ev.datasource = 'overall')"
	" AND (?15 IS NULL OR ev.subtype = ?15) AND"
	ENT_FILTER METHOD_FILTER("ev.method")
	"GROUP BY e.id, ev.datasource ORDER BY e.id, ev.datasource "
	"LIMIT ?11 OFFSET ?12";

static const char SQL_DEFAULT_METHOD[] =
	"SELECT method FROM event GROUP BY method "
	"ORDER BY method = 'median', count(*) DESC, method LIMIT 1";

static const char SQL_ENTITIES[] =
	REL_CTE
	"SELECT " ENT_COLS ", count(*) OVER () FROM entity e WHERE"
	ENT_FILTER
	"AND (?13 IS NULL OR e.code LIKE ?13 ESCAPE '\\' OR "
	"     e.name LIKE ?13 ESCAPE '\\') "
	"ORDER BY (?14 IS NOT NULL AND (lower(e.code) = lower(?14) OR "
	"          lower(e.name) = lower(?14))) DESC, "
	"CASE e.type WHEN 'continent' THEN 0 WHEN 'country' THEN 1 "
	"WHEN 'region' THEN 2 WHEN 'asn' THEN 3 WHEN 'geoasn' THEN 4 "
	"ELSE 5 END, e.code "
	"LIMIT ?11 OFFSET ?12";

static const char SQL_COVERAGE[] =
	"SELECT x.datasource, e.type, x.step, count(*), min(x.f), "
	"max(x.l + x.step) FROM (SELECT s.entity_id, s.datasource, s.step, "
	"(SELECT min(t) FROM point p WHERE p.series_id = s.id) AS f, "
	"(SELECT max(t) FROM point p WHERE p.series_id = s.id) AS l "
	"FROM series s) x JOIN entity e ON e.id = x.entity_id "
	"WHERE x.f IS NOT NULL GROUP BY x.datasource, e.type, x.step "
	"ORDER BY x.datasource, e.type, x.step";

static const char SQL_DATASOURCES[] =
	"SELECT datasource, min(step), count(*) FROM series "
	"GROUP BY datasource ORDER BY datasource";

static const char *col_text(sqlite3_stmt *q, int i)
{
	return (const char *)sqlite3_column_text(q, i);
}

static void read_entity(sqlite3_stmt *q, struct dw_query_entity *e)
{
	e->id = sqlite3_column_int64(q, 0);
	e->type = col_text(q, 1);
	e->code = col_text(q, 2);
	e->name = col_text(q, 3);
	e->attrs = col_text(q, 4);
	if (!e->attrs)
		e->attrs = "{}";
}

int dw_store_i_json_list(struct dw_store *s, const char *const *v, size_t n,
			 char **out)
{
	json_t *a = NULL;
	int rc = 0;

	*out = NULL;
	if (!n)
		return 0;
	if (n > DW_QUERY_LIST_MAX)
		return dw_store_i_msg(s, DW_EINVAL, "more than %d values in a list",
				      DW_QUERY_LIST_MAX);
	if (!(a = json_array())) {
		rc = DW_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (!dw_store_i_text_ok(v[i], 1, DW_STORE_CODE_MAX)) {
			rc = dw_store_i_msg(s, DW_EINVAL, "a list value is not "
					    "1 to %d bytes of UTF-8 text",
					    DW_STORE_CODE_MAX);
			goto out;
		}
		if (json_array_append_new(a, json_string(v[i])) < 0) {
			rc = DW_ENOMEM;
			goto out;
		}
	}
	if (!(*out = json_dumps(a, JSON_COMPACT)))
		rc = DW_ENOMEM;
out:
	json_decref(a);
	return rc;
}

static void bind_opt_text(sqlite3_stmt *q, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(q, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(q, i);
}

/* Bind ?1..?12 (the shared layout) from f, with this page. */
static int bind_filter(struct dw_store *s, sqlite3_stmt *q,
		       const struct dw_query_filter *f, int64_t extend,
		       int64_t limit, int64_t offset)
{
	char *codes = NULL, *methods = NULL, *ignore = NULL;
	int rc;

	if ((rc = dw_store_i_json_list(s, f->codes, f->ncodes, &codes)) < 0 ||
	    (rc = dw_store_i_json_list(s, f->methods, f->nmethods, &methods)) < 0 ||
	    (rc = dw_store_i_json_list(s, f->ignore, f->nignore, &ignore)) < 0)
		goto out;
	sqlite3_bind_int64(q, 1, f->from);
	sqlite3_bind_int64(q, 2, f->until);
	sqlite3_bind_int64(q, 3, extend);
	bind_opt_text(q, 4, f->entity_type);
	bind_opt_text(q, 5, codes);
	bind_opt_text(q, 6, f->related_type ? f->related_type : NULL);
	bind_opt_text(q, 7, f->related_type ? f->related_code : NULL);
	bind_opt_text(q, 8, f->datasource);
	bind_opt_text(q, 9, methods);
	bind_opt_text(q, 10, ignore);
	sqlite3_bind_int64(q, 11, limit > 0 ? limit : -1);
	sqlite3_bind_int64(q, 12, offset > 0 ? offset : 0);
	if (sqlite3_bind_parameter_count(q) >= 15)
		bind_opt_text(q, 15, f->subtype);
out:
	free(codes);
	free(methods);
	free(ignore);
	return rc;
}

int dw_query_data_version(struct dw_store *s, int64_t *v)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if ((rc = dw_store_i_stmt(s, Q_VERSION, SQL_VERSION, &q)) < 0)
		return rc;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int64(q, 0);
		rc = 0;
	} else {
		rc = dw_store_i_fail(s, rc, "cannot read the data version");
	}
	sqlite3_reset(q);
	return rc;
}

/* ?13 and ?14 of a statement: text (NULL when t is) if text, else the
 * integers. */
struct extra {
	int64_t i13, i14;
	const char *t13, *t14;
	int text;
};

static void bind_extra(sqlite3_stmt *q, int i, int64_t v, const char *t,
		       int text)
{
	if (sqlite3_bind_parameter_count(q) < i)
		return;
	if (text)
		bind_opt_text(q, i, t);
	else
		sqlite3_bind_int64(q, i, v);
}

int dw_store_i_run_list(struct dw_store *s, int slot, const char *sql,
			dw_store_i_bind_fn bf, const void *arg, int64_t limit,
			int64_t offset, dw_store_i_row_fn rf, void *fn,
			void *ctx, int64_t *total, const char *what)
{
	sqlite3_stmt *q = NULL;
	int rc, n = 0, again = 0, ncol;

	if (total)
		*total = 0;
	if ((rc = dw_store_i_stmt(s, slot, sql, &q)) < 0)
		return rc;
	ncol = sqlite3_column_count(q);
restart:
	if ((rc = bf(s, q, arg, again ? 1 : limit, again ? 0 : offset)) < 0)
		goto out;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (total)
			*total = sqlite3_column_int64(q, ncol - 1);
		if (again)
			continue;
		int cb = rf(q, fn, ctx);
		if (cb < 0) {
			rc = cb;
			goto out;
		}
		n++;
	}
	if (rc != SQLITE_DONE) {
		rc = dw_store_i_fail(s, rc, what);
		goto out;
	}
	if (!n && !again && offset > 0 && total) {
		sqlite3_reset(q);
		again = 1;
		goto restart;
	}
	rc = n;
out:
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return rc;
}

/* A filtered list: the filter's ?1..?12, then ?13 and ?14 of extra. */
struct list_args {
	const struct dw_query_filter *f;
	int64_t extend;
	const struct extra *x;
};

static int bind_list(struct dw_store *s, sqlite3_stmt *q, const void *arg,
		     int64_t limit, int64_t offset)
{
	const struct list_args *a = arg;
	int rc = bind_filter(s, q, a->f, a->extend, limit, offset);

	if (rc < 0)
		return rc;
	bind_extra(q, 13, a->x->i13, a->x->t13, a->x->text);
	bind_extra(q, 14, a->x->i14, a->x->t14, a->x->text);
	return 0;
}

static int run_list(struct dw_store *s, int slot, const char *sql,
		    const struct dw_query_filter *f, int64_t extend,
		    const struct extra *x, dw_store_i_row_fn rf, void *fn,
		    void *ctx, int64_t *total, const char *what)
{
	struct list_args a = {f, extend, x};

	return dw_store_i_run_list(s, slot, sql, bind_list, &a, f->limit,
				   f->offset, rf, fn, ctx, total, what);
}

static void read_alert(sqlite3_stmt *q, int c, struct dw_query_alert *a)
{
	a->datasource = col_text(q, c);
	a->subtype = col_text(q, c + 1);
	a->method = col_text(q, c + 2);
	a->condition = col_text(q, c + 3);
	a->t = sqlite3_column_int64(q, c + 4);
	a->level = sqlite3_column_int(q, c + 5);
	a->value = sqlite3_column_double(q, c + 6);
	a->has_history = sqlite3_column_type(q, c + 7) != SQLITE_NULL;
	a->history = a->has_history ? sqlite3_column_double(q, c + 7) : 0;
	if (!a->condition)
		a->condition = "";
}

static int alert_row(sqlite3_stmt *q, void *fn, void *ctx)
{
	struct dw_query_alert a;
	dw_query_alert_fn f = (dw_query_alert_fn)fn;

	read_entity(q, &a.e);
	read_alert(q, 5, &a);
	return f(ctx, &a);
}

int dw_query_alerts(struct dw_store *s, const struct dw_query_filter *f,
		    dw_query_alert_fn fn, void *ctx, int64_t *total)
{
	struct extra x = {0};
	return run_list(s, Q_ALERTS, SQL_ALERTS, f, 0, &x, alert_row,
			(void *)fn, ctx, total, "cannot read alerts");
}

static int event_row(sqlite3_stmt *q, void *fn, void *ctx)
{
	struct dw_query_event ev;
	dw_query_event_fn f = (dw_query_event_fn)fn;

	read_entity(q, &ev.e);
	ev.id = sqlite3_column_int64(q, 5);
	ev.datasource = col_text(q, 6);
	ev.subtype = col_text(q, 7);
	ev.method = col_text(q, 8);
	ev.t_start = sqlite3_column_int64(q, 9);
	ev.open = sqlite3_column_type(q, 10) == SQLITE_NULL;
	ev.t_end = ev.open ? 0 : sqlite3_column_int64(q, 10);
	ev.score = sqlite3_column_double(q, 11);
	ev.max_drop = sqlite3_column_double(q, 12);
	if (!ev.subtype)
		ev.subtype = "";
	return f(ctx, &ev);
}

int dw_query_events(struct dw_store *s, const struct dw_query_filter *f,
		    int64_t extend, int overall, enum dw_query_order order,
		    dw_query_event_fn fn, void *ctx, int64_t *total)
{
	struct extra x = {overall ? 1 : 0, (int64_t)order, NULL, NULL, 0};
	return run_list(s, Q_EVENTS, SQL_EVENTS, f, extend, &x, event_row,
			(void *)fn, ctx, total,
			"cannot read events");
}

int dw_query_event_alerts(struct dw_store *s, const struct dw_query_event *ev,
			  int64_t until, int64_t limit, dw_query_alert_fn fn,
			  void *ctx)
{
	sqlite3_stmt *q = NULL;
	int rc, n = 0;

	if ((rc = dw_store_i_stmt(s, Q_EVENT_ALERTS, SQL_EVENT_ALERTS, &q)) < 0)
		return rc;
	sqlite3_bind_int64(q, 1, ev->e.id);
	sqlite3_bind_text(q, 2, ev->datasource, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 3, ev->subtype, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 4, ev->method, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 5, ev->t_start);
	sqlite3_bind_int64(q, 6, ev->open ? until : ev->t_end);
	sqlite3_bind_int64(q, 7, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct dw_query_alert a = {.e = ev->e};
		read_alert(q, 0, &a);
		int cb = fn(ctx, &a);
		if (cb < 0) {
			rc = cb;
			goto out;
		}
		n++;
	}
	rc = rc == SQLITE_DONE ? n : dw_store_i_fail(s, rc, "cannot read alerts");
out:
	sqlite3_reset(q);
	return rc;
}

static int score_row(sqlite3_stmt *q, void *fn, void *ctx)
{
	struct dw_query_score r;
	dw_query_score_fn f = (dw_query_score_fn)fn;

	read_entity(q, &r.e);
	r.datasource = col_text(q, 5);
	r.score = sqlite3_column_double(q, 6);
	r.events = sqlite3_column_int64(q, 7);
	return f(ctx, &r);
}

int dw_query_scores(struct dw_store *s, const struct dw_query_filter *f,
		    int64_t extend, dw_query_score_fn fn, void *ctx)
{
	struct dw_query_filter all = *f;
	struct extra x = {0};
	all.limit = 0;
	all.offset = 0;
	return run_list(s, Q_SCORES, SQL_SCORES, &all, extend, &x, score_row,
			(void *)fn, ctx, NULL, "cannot read event scores");
}

int dw_query_default_method(struct dw_store *s, char *buf, size_t len)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if ((rc = dw_store_i_stmt(s, Q_DEFAULT_METHOD, SQL_DEFAULT_METHOD, &q)) < 0)
		return rc;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		const char *m = col_text(q, 0);
		size_t n = m ? strlen(m) : 0;
		if (!len || n >= len) {
			rc = dw_store_i_msg(s, DW_EINVAL, "method name too long");
		} else {
			memcpy(buf, m ? m : "", n + 1);
			rc = 1;
		}
	} else {
		rc = rc == SQLITE_DONE ? 0
				       : dw_store_i_fail(s, rc, "cannot read events");
	}
	sqlite3_reset(q);
	return rc;
}

static int entity_row(sqlite3_stmt *q, void *fn, void *ctx)
{
	struct dw_query_entity e;
	dw_query_entity_fn f = (dw_query_entity_fn)fn;

	read_entity(q, &e);
	return f(ctx, &e);
}

/* "%" + search with \ % _ escaped + "%" (free with free()). */
static char *like_pattern(const char *search)
{
	size_t n = strlen(search);
	char *p = malloc(2 * n + 3), *w = p;

	if (!p)
		return NULL;
	*w++ = '%';
	for (const char *c = search; *c; c++) {
		if (*c == '\\' || *c == '%' || *c == '_')
			*w++ = '\\';
		*w++ = *c;
	}
	*w++ = '%';
	*w = 0;
	return p;
}

int dw_query_entities(struct dw_store *s, const struct dw_query_filter *f,
		      const char *search, dw_query_entity_fn fn, void *ctx,
		      int64_t *total)
{
	struct extra x = {.text = 1};
	char *pat = NULL;
	int rc;

	if (search) {
		if (!dw_store_i_text_ok(search, 1, DW_STORE_TEXT_MAX))
			return dw_store_i_msg(s, DW_EINVAL, "search must be 1 to "
					      "%d bytes of UTF-8 text",
					      DW_STORE_TEXT_MAX);
		if (!(pat = like_pattern(search)))
			return DW_ENOMEM;
		x.t13 = pat;
		x.t14 = search;
	}
	rc = run_list(s, Q_ENTITIES, SQL_ENTITIES, f, 0, &x, entity_row,
		      (void *)fn, ctx, total, "cannot list entities");
	free(pat);
	return rc;
}

int dw_query_coverage(struct dw_store *s, dw_query_coverage_fn fn, void *ctx)
{
	sqlite3_stmt *q = NULL;
	int rc, n = 0;

	if ((rc = dw_store_i_stmt(s, Q_COVERAGE, SQL_COVERAGE, &q)) < 0)
		return rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct dw_query_coverage c = {
			col_text(q, 0), col_text(q, 1),
			sqlite3_column_int64(q, 2), sqlite3_column_int64(q, 3),
			sqlite3_column_int64(q, 4), sqlite3_column_int64(q, 5),
		};
		int cb = fn(ctx, &c);
		if (cb < 0) {
			rc = cb;
			goto out;
		}
		n++;
	}
	rc = rc == SQLITE_DONE ? n : dw_store_i_fail(s, rc, "cannot read coverage");
out:
	sqlite3_reset(q);
	return rc;
}

int dw_query_datasources(struct dw_store *s, dw_query_datasource_fn fn,
			 void *ctx)
{
	sqlite3_stmt *q = NULL;
	int rc, n = 0;

	if ((rc = dw_store_i_stmt(s, Q_DATASOURCES, SQL_DATASOURCES, &q)) < 0)
		return rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct dw_query_datasource d = {
			col_text(q, 0), sqlite3_column_int64(q, 1),
			sqlite3_column_int64(q, 2),
		};
		int cb = fn(ctx, &d);
		if (cb < 0) {
			rc = cb;
			goto out;
		}
		n++;
	}
	rc = rc == SQLITE_DONE ? n
			       : dw_store_i_fail(s, rc, "cannot list datasources");
out:
	sqlite3_reset(q);
	return rc;
}
