/*
 * query.h - the read queries the API serves: alerts, events, per-entity
 * summaries, entity search, coverage, datasources, points by series id.
 *
 * Sits between the store (src/store/, the only place with SQL) and the HTTP
 * API (src/api/).  A separate header from store.h so the API's paging and
 * filters do not crowd the store's core interface.
 *
 * Key decisions:
 *  - One filter struct for every list: NULL fields mean "no filter", lists
 *    (entity codes, methods) are bound as one JSON array parameter and read
 *    back with json_each(), so each query is one constant statement whatever
 *    the number of codes.  User text reaches SQL only as bound parameters.
 *  - Lists are paged with LIMIT/OFFSET and report the number of matching
 *    rows before paging (*total) from a window count, so a client can page
 *    without a second request.
 *  - relatedTo is derived from entity codes, not from a stored relation:
 *    a region `CC-Name` belongs to country CC, a geoasn `ASN-CC` relates
 *    AS ASN and country CC (and so relates them to each other).
 *
 * Rows passed to callbacks are borrowed: valid only during the callback.
 * Callbacks return 0 to go on or a negative value to stop (returned as is).
 * Errors are those of store.h; DW_EINVAL for an invalid filter.
 */
#ifndef DARKWATCH_QUERY_H
#define DARKWATCH_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "darkwatch/store.h"

/* Most values in a list filter (entity codes, methods). */
#define DW_QUERY_LIST_MAX 256

struct dw_query_filter {
	int64_t from, until;         /* [from, until), epoch seconds */
	const char *entity_type;     /* NULL: any type */
	const char *const *codes;    /* entity codes (with entity_type) */
	size_t ncodes;               /* 0: any code */
	const char *related_type;    /* relatedTo type/code, or NULL */
	const char *related_code;
	const char *datasource;      /* NULL: any datasource */
	const char *subtype;         /* NULL: any subtype ("" is the main one) */
	const char *const *methods;  /* only these methods (nmethods > 0) */
	size_t nmethods;
	const char *const *ignore;   /* never these methods */
	size_t nignore;
	int64_t limit, offset;       /* paging; limit <= 0 means no limit */
};

struct dw_query_entity {
	int64_t id;
	const char *type, *code;
	const char *name;  /* NULL when the entity has none */
	const char *attrs; /* a JSON object text */
};

struct dw_query_alert {
	struct dw_query_entity e;
	const char *datasource, *subtype, *method, *condition;
	int64_t t;
	int level;          /* 0 normal, 1 warning, 2 critical */
	double value;
	double history;     /* meaningful only when has_history */
	int has_history;
};

struct dw_query_event {
	struct dw_query_entity e;
	int64_t id;
	const char *datasource, *subtype, *method;
	int64_t t_start, t_end; /* t_end meaningful only when !open */
	int open;
	double score, max_drop;
};

typedef int (*dw_query_alert_fn)(void *ctx, const struct dw_query_alert *a);
typedef int (*dw_query_event_fn)(void *ctx, const struct dw_query_event *ev);
typedef int (*dw_query_entity_fn)(void *ctx, const struct dw_query_entity *e);

/*
 * A number that changes whenever another connection commits to the store
 * (PRAGMA data_version).  Compare two values from the same connection only.
 */
int dw_query_data_version(struct dw_store *s, int64_t *v);

/*
 * Alerts with from <= t < until matching f, ordered by time, entity,
 * datasource and method.  *total (may be NULL) gets the number of matching
 * alerts before paging.  Returns the number of rows passed to fn or <0.
 */
int dw_query_alerts(struct dw_store *s, const struct dw_query_filter *f,
		    dw_query_alert_fn fn, void *ctx, int64_t *total);

enum dw_query_order {
	DW_QUERY_TIME_ASC, DW_QUERY_TIME_DESC,
	DW_QUERY_SCORE_ASC, DW_QUERY_SCORE_DESC,
};

/*
 * Events active in [from, until) that started at or after from - extend:
 * t_start < until, t_end > from or open.  overall 1 gives only the overall
 * events (datasource "overall"), 0 only per-datasource ones.
 */
int dw_query_events(struct dw_store *s, const struct dw_query_filter *f,
		    int64_t extend, int overall, enum dw_query_order order,
		    dw_query_event_fn fn, void *ctx, int64_t *total);

/*
 * The alerts of one event (its entity, datasource, subtype and method;
 * every datasource for an overall event) from its start to its end (or to
 * `until` while open), at most `limit`.
 */
int dw_query_event_alerts(struct dw_store *s, const struct dw_query_event *ev,
			  int64_t until, int64_t limit, dw_query_alert_fn fn,
			  void *ctx);

struct dw_query_score {
	struct dw_query_entity e;
	const char *datasource; /* "overall" for the overall events */
	double score;           /* sum of the events' scores */
	int64_t events;
};
typedef int (*dw_query_score_fn)(void *ctx, const struct dw_query_score *r);

/*
 * Per (entity, datasource): the sum of the scores and the number of events
 * of f's window (same window rule as dw_query_events with `extend`),
 * grouped by entity (rows of one entity are consecutive).  f's paging is
 * ignored.
 */
int dw_query_scores(struct dw_store *s, const struct dw_query_filter *f,
		    int64_t extend, dw_query_score_fn fn, void *ctx);

/*
 * The method the store's events mostly come from, preferring any method
 * over IODA's "median".  1 and the name in buf, or 0 when there are no
 * events.
 */
int dw_query_default_method(struct dw_store *s, char *buf, size_t len);

/*
 * Entities matching f's type, codes and relatedTo, and `search` (NULL: no
 * search; else a case-insensitive substring of the code or the name).
 * Ordered by exact match first, then type (continent, country, region,
 * asn, geoasn), then code.  f's times are ignored.
 */
int dw_query_entities(struct dw_store *s, const struct dw_query_filter *f,
		      const char *search, dw_query_entity_fn fn, void *ctx,
		      int64_t *total);

struct dw_query_coverage {
	const char *datasource, *entity_type;
	int64_t step, series;   /* series with at least one point */
	int64_t first_t, end_t; /* earliest point, end of the latest bin */
};
typedef int (*dw_query_coverage_fn)(void *ctx,
				    const struct dw_query_coverage *c);

/* Per (datasource, entity type, step), ordered by those. */
int dw_query_coverage(struct dw_store *s, dw_query_coverage_fn fn, void *ctx);

struct dw_query_datasource {
	const char *datasource;
	int64_t step;   /* the smallest step of its series */
	int64_t series;
};
typedef int (*dw_query_datasource_fn)(void *ctx,
				      const struct dw_query_datasource *d);

/* Every datasource that has a series, by name. */
int dw_query_datasources(struct dw_store *s, dw_query_datasource_fn fn,
			 void *ctx);

#endif
