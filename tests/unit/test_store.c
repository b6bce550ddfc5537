/*
 * test_store.c - the SQLite store (darkwatch/store.h) and the SHA-256
 * helper its ingestion log relies on (darkwatch/hash.h).
 *
 * Covers: create and reopen, entity and series upserts (ids stable, names
 * kept or replaced, a step conflict refused), put/overwrite idempotency,
 * query order and [from, until) bounds, the ingestion log, rollback leaving
 * nothing (and the caches forgetting rolled-back ids), read-only stores
 * refusing writes, WAL readers not blocked by a writer, the refusal of files
 * that are not darkwatch stores or have a newer schema, listings, stats and
 * the integrity check.  Each case uses its own database in a temporary
 * directory.
 */
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "darkwatch/err.h"
#include "darkwatch/hash.h"
#include "darkwatch/store.h"
#include "testutil.h"

static char dir[512];
static int ndb;

/* A fresh database path (the file does not exist yet). */
static const char *newdb(void)
{
	static char path[600];
	snprintf(path, sizeof(path), "%s/s%d.db", dir, ndb++);
	return path;
}

static struct dw_store *open_or_die(const char *path, int flags)
{
	struct dw_store *s = NULL;
	char msg[256];
	int rc = dw_store_open(path, flags, &s, msg, sizeof(msg));
	if (rc) {
		dw_test_fail(__FILE__, __LINE__, "open %s: %s (%s)", path, msg,
			     dw_strerror(rc));
		exit(dw_test_finish() | 1);
	}
	return s;
}

struct pts {
	int n;
	int64_t t[64];
	double v[64];
};

static int collect(void *ctx, int64_t t, double v)
{
	struct pts *p = ctx;
	if (p->n < 64) {
		p->t[p->n] = t;
		p->v[p->n] = v;
	}
	p->n++;
	return 0;
}

static int query(struct dw_store *s, const char *ds, const char *type,
		 const char *code, int64_t from, int64_t until, struct pts *p)
{
	memset(p, 0, sizeof(*p));
	return dw_store_query_points(s, ds, type, code, NULL, from, until,
				     collect, p);
}

static void test_entities(void)
{
	struct dw_store *s = open_or_die(newdb(), DW_STORE_RDWR);
	int64_t a, b, c, d, x = 0;

	CHECK_EQ_INT(dw_store_entity(s, "country", "IR", "Iran", &a), 0);
	CHECK_EQ_INT(dw_store_entity(s, "country", "IR", NULL, &b), 0);
	CHECK_EQ_INT(a, b);
	CHECK_EQ_INT(dw_store_entity(s, "asn", "12880", NULL, &c), 0);
	CHECK(c != a);
	/* same code, other type: another entity */
	CHECK_EQ_INT(dw_store_entity(s, "region", "IR", NULL, &d), 0);
	CHECK(d != a && d != c);
	CHECK_EQ_INT(dw_store_entity_find(s, "country", "IR", &x), 1);
	CHECK_EQ_INT(x, a);
	CHECK_EQ_INT(dw_store_entity_find(s, "country", "FR", &x), 0);

	CHECK_EQ_INT(dw_store_entity(s, "planet", "earth", NULL, &x), DW_EINVAL);
	CHECK(strstr(dw_store_errmsg(s), "continent") != NULL);
	CHECK_EQ_INT(dw_store_entity(s, "asn", "", NULL, &x), DW_EINVAL);
	CHECK_EQ_INT(dw_store_entity(s, "asn", "1\n2", NULL, &x), DW_EINVAL);
	CHECK_EQ_INT(dw_store_entity(s, "asn", "1", "bad\xff", &x), DW_EINVAL);
	CHECK_EQ_INT(dw_store_entity(s, "country", "DE", "Deutschland \xc3\xa4", &x), 0);
	CHECK_EQ_INT(dw_store_entity_type_valid("geoasn"), 1);
	CHECK_EQ_INT(dw_store_entity_type_valid("asns"), 0);
	CHECK_EQ_INT(dw_store_entity_type_valid(NULL), 0);
	dw_store_close(s);
}

struct names {
	int n;
	char buf[512];
};

static int entity_cb(void *ctx, const struct dw_store_entity_row *e)
{
	struct names *nm = ctx;
	size_t len = strlen(nm->buf);
	snprintf(nm->buf + len, sizeof(nm->buf) - len, "%s/%s=%s%s;", e->type,
		 e->code, e->name ? e->name : "(null)", e->attrs);
	nm->n++;
	return 0;
}

/* A name given replaces, NULL keeps; checked through a second connection
 * (no cache) and through the listing. */
static void test_entity_names(void)
{
	const char *path = newdb();
	struct dw_store *s = open_or_die(path, DW_STORE_RDWR);
	struct names nm = {0};
	int64_t id;

	CHECK_EQ_INT(dw_store_entity(s, "asn", "44244", NULL, &id), 0);
	CHECK_EQ_INT(dw_store_entity(s, "asn", "44244", "Irancell", &id), 0);
	CHECK_EQ_INT(dw_store_entity(s, "asn", "44244", NULL, &id), 0);
	CHECK_EQ_INT(dw_store_entity(s, "asn", "197207", "MCCI", &id), 0);
	CHECK_EQ_INT(dw_store_entity(s, "asn", "197207", "MCI", &id), 0);
	CHECK_EQ_INT(dw_store_entity(s, "country", "IR", NULL, &id), 0);
	dw_store_close(s);

	s = open_or_die(path, DW_STORE_RDWR);
	/* Not cached in this connection: the NULL must not erase it. */
	CHECK_EQ_INT(dw_store_entity(s, "asn", "197207", NULL, &id), 0);
	CHECK_EQ_INT(dw_store_entities(s, NULL, entity_cb, &nm), 3);
	CHECK_EQ_STR(nm.buf, "asn/197207=MCI{};asn/44244=Irancell{};"
			     "country/IR=(null){};");
	memset(&nm, 0, sizeof(nm));
	CHECK_EQ_INT(dw_store_entities(s, "country", entity_cb, &nm), 1);
	CHECK_EQ_STR(nm.buf, "country/IR=(null){};");
	dw_store_close(s);
}

static void test_series(void)
{
	struct dw_store *s = open_or_die(newdb(), DW_STORE_RDWR);
	int64_t e, a, b, c, d, st = 0, x;

	CHECK_EQ_INT(dw_store_entity(s, "country", "IR", NULL, &e), 0);
	CHECK_EQ_INT(dw_store_series(s, "bgp", e, NULL, 300, &a), 0);
	CHECK_EQ_INT(dw_store_series(s, "bgp", e, "", 300, &b), 0);
	CHECK_EQ_INT(a, b);
	CHECK_EQ_INT(dw_store_series(s, "bgp", e, "ipv6", 300, &c), 0);
	CHECK(c != a);
	CHECK_EQ_INT(dw_store_series(s, "ping-slash24", e, NULL, 600, &d), 0);
	CHECK(d != a && d != c);
	/* a step cannot change under stored points */
	CHECK_EQ_INT(dw_store_series(s, "bgp", e, NULL, 60, &x), DW_EINVAL);
	CHECK(strstr(dw_store_errmsg(s), "300") != NULL);
	CHECK_EQ_INT(dw_store_series_find(s, "bgp", e, NULL, &x, &st), 1);
	CHECK_EQ_INT(x, a);
	CHECK_EQ_INT(st, 300);
	CHECK_EQ_INT(dw_store_series_find(s, "merit-nt", e, NULL, &x, &st), 0);
	CHECK_EQ_INT(dw_store_series(s, "bad name", e, NULL, 300, &x), DW_EINVAL);
	CHECK_EQ_INT(dw_store_series(s, "", e, NULL, 300, &x), DW_EINVAL);
	CHECK_EQ_INT(dw_store_series(s, "bgp", e, "a/b", 300, &x), DW_EINVAL);
	CHECK_EQ_INT(dw_store_series(s, "bgp", e, NULL, 0, &x), DW_EINVAL);
	CHECK_EQ_INT(dw_store_series(s, "bgp", e, NULL, -300, &x), DW_EINVAL);
	CHECK_EQ_INT(dw_store_series(s, "bgp", 999999, NULL, 300, &x), -ENOENT);
	dw_store_close(s);
}

static void test_put_query(void)
{
	const char *path = newdb();
	struct dw_store *s = open_or_die(path, DW_STORE_RDWR);
	struct pts p;
	int64_t e, sid;
	/* out of order on purpose */
	static const int64_t ts[] = {1573913400, 1573912800, 1573914000,
				     1573913100, 1573913700};

	CHECK_EQ_INT(dw_store_entity(s, "country", "IR", "Iran", &e), 0);
	CHECK_EQ_INT(dw_store_series(s, "bgp", e, NULL, 300, &sid), 0);
	CHECK_EQ_INT(dw_store_begin(s), 0);
	for (int i = 0; i < 5; i++)
		CHECK_EQ_INT(dw_store_put(s, sid, ts[i], (double)(ts[i] % 10000)), 0);
	CHECK_EQ_INT(dw_store_commit(s), 0);

	/* whole range, ordered by t */
	CHECK_EQ_INT(query(s, "bgp", "country", "IR", 0, INT64_MAX, &p), 5);
	for (int i = 0; i < 5; i++) {
		CHECK_EQ_INT(p.t[i], 1573912800 + 300 * i);
		CHECK(p.v[i] == (double)(p.t[i] % 10000));
	}
	/* [from, until): from included, until excluded */
	CHECK_EQ_INT(query(s, "bgp", "country", "IR", 1573913100, 1573913700, &p), 2);
	CHECK_EQ_INT(p.t[0], 1573913100);
	CHECK_EQ_INT(p.t[1], 1573913400);
	CHECK_EQ_INT(query(s, "bgp", "country", "IR", 1573913101, 1573913400, &p), 0);
	CHECK_EQ_INT(query(s, "bgp", "country", "IR", 1573914000, 1573914000, &p), 0);
	CHECK_EQ_INT(query(s, "bgp", "country", "IR", 1573914000, 1573914001, &p), 1);

	/* overwrite: same key, new value, still one point */
	CHECK_EQ_INT(dw_store_put(s, sid, 1573912800, 17.5), 0);
	CHECK_EQ_INT(dw_store_put(s, sid, 1573912800, 17.5), 0);
	CHECK_EQ_INT(query(s, "bgp", "country", "IR", 0, INT64_MAX, &p), 5);
	CHECK(p.v[0] == 17.5);

	/* refused points */
	CHECK_EQ_INT(dw_store_put(s, sid, 1573912801, 1), DW_EINVAL);
	CHECK(strstr(dw_store_errmsg(s), "multiple") != NULL);
	CHECK_EQ_INT(dw_store_put(s, sid, 1573912800, NAN), DW_EINVAL);
	CHECK_EQ_INT(dw_store_put(s, sid, 1573912800, INFINITY), DW_EINVAL);
	CHECK_EQ_INT(dw_store_put(s, 424242, 1573912800, 1), -ENOENT);

	/* unknown entity / series */
	CHECK_EQ_INT(query(s, "bgp", "country", "FR", 0, INT64_MAX, &p), -ENOENT);
	CHECK_EQ_INT(query(s, "merit-nt", "country", "IR", 0, INT64_MAX, &p), -ENOENT);
	CHECK(strstr(dw_store_errmsg(s), "merit-nt") != NULL);

	/* a callback error stops the query and comes back */
	struct dw_store_stats st;
	CHECK_EQ_INT(dw_store_stats(s, &st), 0);
	CHECK_EQ_INT(st.points, 5);
	CHECK_EQ_INT(st.entities, 1);
	CHECK_EQ_INT(st.series, 1);
	CHECK_EQ_INT(dw_store_check(s), 0);
	dw_store_close(s);

	/* durable: a new connection sees the same */
	s = open_or_die(path, DW_STORE_RDONLY);
	CHECK_EQ_INT(query(s, "bgp", "country", "IR", 0, INT64_MAX, &p), 5);
	CHECK(p.v[0] == 17.5);
	dw_store_close(s);
}

static int stop_at_two(void *ctx, int64_t t, double v)
{
	(void)t;
	(void)v;
	return ++*(int *)ctx == 2 ? -12345 : 0;
}

static void test_callback_stop(void)
{
	struct dw_store *s = open_or_die(newdb(), DW_STORE_RDWR);
	int64_t e, sid;
	int n = 0;
	CHECK_EQ_INT(dw_store_entity(s, "asn", "1", NULL, &e), 0);
	CHECK_EQ_INT(dw_store_series(s, "x", e, NULL, 60, &sid), 0);
	for (int i = 0; i < 5; i++)
		CHECK_EQ_INT(dw_store_put(s, sid, 60 * i, i), 0);
	CHECK_EQ_INT(dw_store_query_points(s, "x", "asn", "1", NULL, 0, 1000,
					   stop_at_two, &n), -12345);
	CHECK_EQ_INT(n, 2);
	/* the statement was reset: the next query works */
	struct pts p;
	CHECK_EQ_INT(query(s, "x", "asn", "1", 0, 1000, &p), 5);
	dw_store_close(s);
}

static const char *sha_a = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char *sha_b = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

static void test_ingest(void)
{
	struct dw_store *s = open_or_die(newdb(), DW_STORE_RDWR);
	CHECK_EQ_INT(dw_store_ingest_seen(s, "bgp", sha_a), 0);
	CHECK_EQ_INT(dw_store_ingest_done(s, "bgp", sha_a, "csv", 0, 300), 0);
	CHECK_EQ_INT(dw_store_ingest_seen(s, "bgp", sha_a), 1);
	CHECK_EQ_INT(dw_store_ingest_seen(s, "merit-nt", sha_a), 0);
	CHECK_EQ_INT(dw_store_ingest_seen(s, "bgp", sha_b), 0);
	/* again: an update, not an error */
	CHECK_EQ_INT(dw_store_ingest_done(s, "bgp", sha_a, "csv", 0, 600), 0);
	/* no points: first > last */
	CHECK_EQ_INT(dw_store_ingest_done(s, "bgp", sha_b, "csv", 1, 0), 0);
	CHECK_EQ_INT(dw_store_ingest_seen(s, "bgp", sha_b), 1);
	CHECK_EQ_INT(dw_store_ingest_done(s, "bgp", "ABC", "csv", 0, 0), DW_EINVAL);
	CHECK_EQ_INT(dw_store_ingest_seen(s, "bgp", "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"),
		     DW_EINVAL);
	CHECK_EQ_INT(dw_store_ingest_done(s, "", sha_a, "csv", 0, 0), DW_EINVAL);
	CHECK_EQ_INT(dw_store_ingest_done(s, "bgp", sha_a, "c s v", 0, 0), DW_EINVAL);
	struct dw_store_stats st;
	CHECK_EQ_INT(dw_store_stats(s, &st), 0);
	CHECK_EQ_INT(st.inputs, 2);
	dw_store_close(s);
}

static void test_rollback(void)
{
	const char *path = newdb();
	struct dw_store *s = open_or_die(path, DW_STORE_RDWR);
	struct dw_store_stats st;
	struct pts p;
	int64_t e, e2, sid, sid2, x;

	CHECK_EQ_INT(dw_store_begin(s), 0);
	CHECK_EQ_INT(dw_store_begin(s), DW_EINVAL); /* no nesting */
	CHECK_EQ_INT(dw_store_entity(s, "country", "IR", "Iran", &e), 0);
	CHECK_EQ_INT(dw_store_series(s, "bgp", e, NULL, 300, &sid), 0);
	CHECK_EQ_INT(dw_store_put(s, sid, 1573912800, 1), 0);
	CHECK_EQ_INT(dw_store_ingest_done(s, "bgp", sha_a, "csv", 0, 0), 0);
	CHECK_EQ_INT(dw_store_rollback(s), 0);
	CHECK_EQ_INT(dw_store_rollback(s), 0); /* no-op */
	CHECK_EQ_INT(dw_store_commit(s), DW_EINVAL);

	CHECK_EQ_INT(dw_store_stats(s, &st), 0);
	CHECK_EQ_INT(st.entities + st.series + st.points + st.inputs, 0);
	CHECK_EQ_INT(dw_store_entity_find(s, "country", "IR", &x), 0);
	CHECK_EQ_INT(dw_store_ingest_seen(s, "bgp", sha_a), 0);

	/* The caches forgot the rolled-back ids: a series with another step
	 * at the same (reused) id must get that step, and its points fit. */
	CHECK_EQ_INT(dw_store_entity(s, "asn", "58224", NULL, &e2), 0);
	CHECK_EQ_INT(dw_store_series(s, "bgp", e2, NULL, 60, &sid2), 0);
	CHECK_EQ_INT(dw_store_put(s, sid2, 60, 2), 0);
	CHECK_EQ_INT(query(s, "bgp", "asn", "58224", 0, INT64_MAX, &p), 1);
	CHECK_EQ_INT(dw_store_series(s, "bgp", e2, NULL, 300, &x), DW_EINVAL);

	/* closing with an open transaction rolls it back */
	CHECK_EQ_INT(dw_store_begin(s), 0);
	CHECK_EQ_INT(dw_store_put(s, sid2, 120, 3), 0);
	dw_store_close(s);
	s = open_or_die(path, DW_STORE_RDONLY);
	CHECK_EQ_INT(query(s, "bgp", "asn", "58224", 0, INT64_MAX, &p), 1);
	dw_store_close(s);
}

static void test_readonly(void)
{
	const char *path = newdb();
	struct dw_store *s = NULL, *w = open_or_die(path, DW_STORE_RDWR);
	struct pts p;
	int64_t e, sid, x;
	char msg[256];

	CHECK_EQ_INT(dw_store_entity(w, "country", "IR", NULL, &e), 0);
	CHECK_EQ_INT(dw_store_series(w, "bgp", e, NULL, 300, &sid), 0);
	CHECK_EQ_INT(dw_store_put(w, sid, 0, 1), 0);

	s = open_or_die(path, DW_STORE_RDONLY);
	CHECK_EQ_INT(dw_store_entity(s, "country", "IR", NULL, &x), -EROFS);
	CHECK_EQ_INT(dw_store_entity(s, "country", "FR", NULL, &x), -EROFS);
	CHECK_EQ_INT(dw_store_series(s, "bgp", e, NULL, 300, &x), -EROFS);
	CHECK_EQ_INT(dw_store_put(s, sid, 300, 1), -EROFS);
	CHECK_EQ_INT(dw_store_ingest_done(s, "bgp", sha_a, "csv", 0, 0), -EROFS);
	CHECK(strstr(dw_store_errmsg(s), "read-only") != NULL);
	CHECK_EQ_INT(dw_store_entity_find(s, "country", "IR", &x), 1);

	/* WAL: a reader is not blocked by an open write transaction and sees
	 * the last committed state until the writer commits. */
	CHECK_EQ_INT(dw_store_begin(w), 0);
	CHECK_EQ_INT(dw_store_put(w, sid, 300, 2), 0);
	CHECK_EQ_INT(query(s, "bgp", "country", "IR", 0, INT64_MAX, &p), 1);
	CHECK_EQ_INT(dw_store_commit(w), 0);
	CHECK_EQ_INT(query(s, "bgp", "country", "IR", 0, INT64_MAX, &p), 2);
	/* a read transaction on a read-only store is allowed */
	CHECK_EQ_INT(dw_store_begin(s), 0);
	CHECK_EQ_INT(dw_store_commit(s), 0);
	dw_store_close(s);
	dw_store_close(w);

	/* no such file: read-only does not create it */
	const char *missing = newdb();
	CHECK_EQ_INT(dw_store_open(missing, DW_STORE_RDONLY, &s, msg, sizeof(msg)),
		     -ENOENT);
	CHECK(access(missing, F_OK) != 0);
	CHECK(strstr(msg, missing) != NULL);
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_EQ_INT(fwrite(p, 1, n, f), n);
	fclose(f);
}

static void raw_sql(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	CHECK_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_not_a_store(void)
{
	struct dw_store *s = NULL;
	char msg[256];
	const char *path;

	/* garbage */
	path = newdb();
	write_file(path, "this is not a database, just text that is long enough "
			 "to look like a header of some sort...........", 100);
	CHECK_EQ_INT(dw_store_open(path, DW_STORE_RDWR, &s, msg, sizeof(msg)),
		     DW_EFORMAT);
	CHECK(s == NULL);
	CHECK_EQ_INT(dw_store_open(path, DW_STORE_RDONLY, &s, msg, sizeof(msg)),
		     DW_EFORMAT);

	/* an empty file: read-write makes it a store, read-only refuses */
	path = newdb();
	write_file(path, "", 0);
	CHECK_EQ_INT(dw_store_open(path, DW_STORE_RDONLY, &s, msg, sizeof(msg)),
		     DW_EFORMAT);
	s = open_or_die(path, DW_STORE_RDWR);
	dw_store_close(s);
	s = open_or_die(path, DW_STORE_RDONLY);
	dw_store_close(s);

	/* some other application's SQLite database */
	path = newdb();
	raw_sql(path, "CREATE TABLE users(name TEXT);");
	CHECK_EQ_INT(dw_store_open(path, DW_STORE_RDWR, &s, msg, sizeof(msg)),
		     DW_EFORMAT);
	CHECK(strstr(msg, "not a darkwatch store") != NULL);

	/* a store from a newer darkwatch */
	path = newdb();
	s = open_or_die(path, DW_STORE_RDWR);
	dw_store_close(s);
	raw_sql(path, "UPDATE meta SET value = '99' WHERE key = 'schema_version';");
	CHECK_EQ_INT(dw_store_open(path, DW_STORE_RDWR, &s, msg, sizeof(msg)),
		     DW_EUNSUPP);
	CHECK(strstr(msg, "99") != NULL);
	CHECK_EQ_INT(dw_store_open(path, DW_STORE_RDONLY, &s, msg, sizeof(msg)),
		     DW_EUNSUPP);
}

struct lines {
	int n;
	char buf[1024];
};

static int series_cb(void *ctx, const struct dw_store_series_row *r)
{
	struct lines *l = ctx;
	size_t len = strlen(l->buf);
	snprintf(l->buf + len, sizeof(l->buf) - len, "%s/%s %s[%s] %lld: %lld %lld..%lld;",
		 r->entity_type, r->entity_code, r->datasource, r->subtype,
		 (long long)r->step, (long long)r->points, (long long)r->first_t,
		 (long long)r->last_t);
	l->n++;
	return 0;
}

static void test_listing(void)
{
	struct dw_store *s = open_or_die(newdb(), DW_STORE_RDWR);
	struct lines l = {0};
	int64_t ir, as, a, b, c;

	CHECK_EQ_INT(dw_store_entity(s, "country", "IR", NULL, &ir), 0);
	CHECK_EQ_INT(dw_store_entity(s, "asn", "12880", NULL, &as), 0);
	CHECK_EQ_INT(dw_store_series(s, "ping-slash24", ir, NULL, 600, &a), 0);
	CHECK_EQ_INT(dw_store_series(s, "bgp", ir, NULL, 300, &b), 0);
	CHECK_EQ_INT(dw_store_series(s, "bgp", as, "v6", 300, &c), 0);
	CHECK_EQ_INT(dw_store_put(s, b, 300, 1), 0);
	CHECK_EQ_INT(dw_store_put(s, b, 900, 1), 0);
	CHECK_EQ_INT(dw_store_series_list(s, ir, DW_STORE_COUNTS, series_cb, &l), 2);
	CHECK_EQ_STR(l.buf, "country/IR bgp[] 300: 2 300..900;"
			    "country/IR ping-slash24[] 600: 0 1..0;");
	memset(&l, 0, sizeof(l));
	CHECK_EQ_INT(dw_store_series_list(s, 0, 0, series_cb, &l), 3);
	CHECK_EQ_STR(l.buf, "asn/12880 bgp[v6] 300: 0 1..0;"
			    "country/IR bgp[] 300: 0 1..0;"
			    "country/IR ping-slash24[] 600: 0 1..0;");
	dw_store_close(s);
}

static void test_hash(void)
{
	struct dw_sha256 *h = NULL;
	char hex[65], path[600];

	CHECK_EQ_INT(dw_sha256_new(&h), 0);
	CHECK_EQ_INT(dw_sha256_update(h, "abc", 3), 0);
	CHECK_EQ_INT(dw_sha256_final(h, hex), 0);
	CHECK_EQ_STR(hex, sha_a);
	/* final restarts: the object hashes the next input from scratch */
	CHECK_EQ_INT(dw_sha256_update(h, "a", 1), 0);
	CHECK_EQ_INT(dw_sha256_update(h, NULL, 0), 0);
	CHECK_EQ_INT(dw_sha256_update(h, "bc", 2), 0);
	CHECK_EQ_INT(dw_sha256_final(h, hex), 0);
	CHECK_EQ_STR(hex, sha_a);
	dw_sha256_free(h);
	dw_sha256_free(NULL);

	snprintf(path, sizeof(path), "%s/empty", dir);
	write_file(path, "", 0);
	CHECK_EQ_INT(dw_sha256_file(path, hex), 0);
	CHECK_EQ_STR(hex, sha_b);
	/* a file over several read blocks: 1 MiB of 'a' */
	snprintf(path, sizeof(path), "%s/mib", dir);
	char *mib = malloc(1u << 20);
	CHECK(mib != NULL);
	if (mib) {
		memset(mib, 'a', 1u << 20);
		write_file(path, mib, 1u << 20);
		free(mib);
		CHECK_EQ_INT(dw_sha256_file(path, hex), 0);
		CHECK_EQ_STR(hex, "9bc1b2a288b26af7257a36277ae3816a7d4f16e89c1e7e77d0a5c48bad62b360");
	}
	snprintf(path, sizeof(path), "%s/nope", dir);
	CHECK_EQ_INT(dw_sha256_file(path, hex), -ENOENT);
	CHECK_EQ_INT(dw_sha256_hex_valid(sha_a), 1);
	CHECK_EQ_INT(dw_sha256_hex_valid("abc"), 0);
}

int main(void)
{
	const char *base = getenv("DW_SCRATCH");
	snprintf(dir, sizeof(dir), "%s/test_store.XXXXXX",
		 base && *base ? base : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_entities();
	test_entity_names();
	test_series();
	test_put_query();
	test_callback_stop();
	test_ingest();
	test_rollback();
	test_readonly();
	test_not_a_store();
	test_listing();
	test_hash();

	int rc = dw_test_finish();
	if (rc == 0) {
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return rc;
}
