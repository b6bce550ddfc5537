/*
 * store.c - the SQLite time-series store (see darkwatch/store.h and
 * docs/STORE.md).
 *
 * Sits at the end of every data path: signal aggregation and the CSV
 * importer write here, detectors, the API and exports read from here.
 *
 * Key decisions:
 *  - SQL text lives only in src/store/, as constants: here statements[]
 *    for the prepared statements (prepared lazily, kept for the
 *    connection's life) and migrations[] for the schema; alert.c and
 *    query.c hold the detectors' and the API's statements (store_int.h).  Values from users or files reach SQL
 *    only as bound parameters.
 *  - The schema is versioned in meta.schema_version; migrations[v] takes a
 *    store from version v to v + 1 and runs inside one BEGIN IMMEDIATE
 *    transaction, so concurrent openers cannot both migrate and a crash
 *    mid-migration leaves the old version intact.
 *  - The hot write path (dw_store_put) must not look anything up in SQL:
 *    entity ids, series ids and series steps come from small in-memory
 *    caches (an open-addressing hash table for the names, an array indexed
 *    by series id for steps).  Rows are never deleted, so a cached id stays
 *    right for the life of the connection, except after a rollback, which may
 *    undo rows created in the transaction: rollback drops every cache.
 *  - Longer than the house ~800 lines on purpose: the schema, its
 *    migrations and the write path belong together, so a reviewer checks
 *    every table, its statements and its transactions in one place.
 */
#include "darkwatch/store.h"
#include "darkwatch/err.h"
#include "store_int.h"
#include "common/utf8.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define APP_ID 0x64776b31       /* "dwk1" in the SQLite header: ours */
#define BUSY_MS 10000           /* wait this long for another writer */
#define CACHE_MAX_SLOTS (1u << 17)
#define STEPS_MAX (1u << 22)    /* series ids cached in the step array */
#define KEY_MAX 512

/*
 * migrations[v] brings the schema from version v to v + 1.  Append only;
 * never edit a released entry (stores in the field ran it already).
 */
static const char *const migrations[] = {
	/* 0 -> 1: the initial schema. */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
	"CREATE TABLE entity("
	"  id INTEGER PRIMARY KEY,"
	"  type TEXT NOT NULL,"
	"  code TEXT NOT NULL,"
	"  name TEXT,"
	"  attrs TEXT NOT NULL DEFAULT '{}',"
	"  UNIQUE(type, code));"
	"CREATE TABLE series("
	"  id INTEGER PRIMARY KEY,"
	"  datasource TEXT NOT NULL,"
	"  entity_id INTEGER NOT NULL REFERENCES entity(id),"
	"  subtype TEXT NOT NULL DEFAULT '',"
	"  step INTEGER NOT NULL CHECK (step > 0),"
	"  UNIQUE(datasource, entity_id, subtype));"
	"CREATE INDEX series_entity ON series(entity_id);"
	"CREATE TABLE point("
	"  series_id INTEGER NOT NULL REFERENCES series(id),"
	"  t INTEGER NOT NULL,"
	"  value REAL NOT NULL,"
	"  PRIMARY KEY(series_id, t)) WITHOUT ROWID;"
	"CREATE TABLE ingest("
	"  source TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  first_t INTEGER,"
	"  last_t INTEGER,"
	"  done_at INTEGER NOT NULL,"
	"  PRIMARY KEY(source, sha256));",
	/* 1 -> 2: the detectors' tables (alert.c, docs/STORE.md). */
	"CREATE TABLE alert("
	"  series_id INTEGER NOT NULL REFERENCES series(id),"
	"  method TEXT NOT NULL,"
	"  t INTEGER NOT NULL,"
	"  level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 2),"
	"  value REAL NOT NULL,"
	"  history REAL,"
	"  condition TEXT NOT NULL,"
	"  PRIMARY KEY(series_id, method, t)) WITHOUT ROWID;"
	"CREATE INDEX alert_time ON alert(t);"
	"CREATE TABLE event("
	"  id INTEGER PRIMARY KEY,"
	"  entity_id INTEGER NOT NULL REFERENCES entity(id),"
	"  datasource TEXT NOT NULL,"
	"  subtype TEXT NOT NULL DEFAULT '',"
	"  method TEXT NOT NULL,"
	"  t_start INTEGER NOT NULL,"
	"  t_end INTEGER,"
	"  score REAL NOT NULL,"
	"  max_drop REAL NOT NULL,"
	"  UNIQUE(entity_id, datasource, subtype, method, t_start));"
	"CREATE INDEX event_time ON event(t_start);"
	"CREATE TABLE detect_state("
	"  series_id INTEGER NOT NULL REFERENCES series(id),"
	"  method TEXT NOT NULL,"
	"  last_t INTEGER NOT NULL,"
	"  state BLOB NOT NULL,"
	"  PRIMARY KEY(series_id, method)) WITHOUT ROWID;",
	/* 2 -> 3: the coordinated-account engine (cib.c, docs/CIB.md).
	 * trace: 0 retweet, 1 url, 2 domain, 3 hashtag, 4 image, 5 text
	 * (enum dw_cib_trace).  Times are epoch seconds.  A post's key is the
	 * platform's post id (or a hash of the row when the export has none),
	 * so re-importing a file adds nothing.  Results are per run; the API
	 * and `cib networks` show the latest finished run unless told. */
	"CREATE TABLE cib_account("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE);"
	"CREATE TABLE cib_object("
	"  id INTEGER PRIMARY KEY,"
	"  trace INTEGER NOT NULL,"
	"  key TEXT NOT NULL,"
	"  UNIQUE(trace, key));"
	"CREATE TABLE cib_post("
	"  id INTEGER PRIMARY KEY,"
	"  key TEXT NOT NULL UNIQUE,"
	"  account_id INTEGER NOT NULL REFERENCES cib_account(id),"
	"  t INTEGER NOT NULL,"
	"  text TEXT);"
	"CREATE TABLE cib_action("
	"  trace INTEGER NOT NULL,"
	"  object_id INTEGER NOT NULL REFERENCES cib_object(id),"
	"  t INTEGER NOT NULL,"
	"  account_id INTEGER NOT NULL REFERENCES cib_account(id),"
	"  post_id INTEGER NOT NULL REFERENCES cib_post(id),"
	"  PRIMARY KEY(trace, object_id, t, account_id, post_id)) WITHOUT ROWID;"
	"CREATE TABLE cib_run("
	"  id INTEGER PRIMARY KEY,"
	"  started INTEGER NOT NULL,"
	"  finished INTEGER,"
	"  params TEXT NOT NULL,"
	"  stats TEXT NOT NULL DEFAULT '{}');"
	"CREATE TABLE cib_network("
	"  run_id INTEGER NOT NULL REFERENCES cib_run(id),"
	"  id INTEGER NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  score REAL NOT NULL,"
	"  first_t INTEGER,"
	"  last_t INTEGER,"
	"  traces TEXT NOT NULL,"
	"  indicators TEXT NOT NULL DEFAULT '[]',"
	"  top TEXT NOT NULL DEFAULT '{}',"
	"  PRIMARY KEY(run_id, id)) WITHOUT ROWID;"
	"CREATE TABLE cib_member("
	"  run_id INTEGER NOT NULL,"
	"  network_id INTEGER NOT NULL,"
	"  account_id INTEGER NOT NULL REFERENCES cib_account(id),"
	"  strength REAL NOT NULL,"
	"  PRIMARY KEY(run_id, network_id, account_id)) WITHOUT ROWID;"
	"CREATE TABLE cib_edge("
	"  run_id INTEGER NOT NULL,"
	"  network_id INTEGER NOT NULL,"
	"  a INTEGER NOT NULL REFERENCES cib_account(id),"
	"  b INTEGER NOT NULL REFERENCES cib_account(id),"
	"  weight REAL NOT NULL,"
	"  shared INTEGER NOT NULL,"
	"  traces TEXT NOT NULL,"
	"  PRIMARY KEY(run_id, network_id, a, b)) WITHOUT ROWID;"
	"CREATE TABLE cib_evidence("
	"  run_id INTEGER NOT NULL,"
	"  network_id INTEGER NOT NULL,"
	"  object_id INTEGER NOT NULL REFERENCES cib_object(id),"
	"  a INTEGER NOT NULL,"
	"  b INTEGER NOT NULL,"
	"  ta INTEGER NOT NULL,"
	"  tb INTEGER NOT NULL,"
	"  PRIMARY KEY(run_id, network_id, object_id, a, b)) WITHOUT ROWID;",
};
#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))
_Static_assert(NMIGRATIONS == DW_STORE_SCHEMA_VERSION,
	       "one migration per schema version");

enum st {
	ST_BEGIN_RW, ST_BEGIN_RO, ST_COMMIT, ST_ROLLBACK,
	ST_ENT_GET, ST_ENT_INS, ST_ENT_NAME,
	ST_SER_GET, ST_SER_INS, ST_SER_STEP,
	ST_PUT, ST_ING_DONE, ST_ING_SEEN,
	ST_POINTS, ST_ENTS_ALL, ST_ENTS_TYPE, ST_SERIES_ALL, ST_SERIES_ENT,
	ST_SER_COUNT,
	ST__COUNT
};
_Static_assert(ST__COUNT <= DW_STORE_I_NST, "raise DW_STORE_I_NST");

#define SERIES_COLS                                                    \
	"SELECT s.id, s.entity_id, s.step, s.datasource, s.subtype, "  \
	"e.type, e.code FROM series s JOIN entity e ON e.id = s.entity_id "
#define SERIES_ORDER " ORDER BY e.type, e.code, s.datasource, s.subtype"

static const char *const statements[ST__COUNT] = {
	[ST_BEGIN_RW] = "BEGIN IMMEDIATE",
	[ST_BEGIN_RO] = "BEGIN",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_ENT_GET] = "SELECT id, name FROM entity WHERE type = ?1 AND code = ?2",
	[ST_ENT_INS] = "INSERT INTO entity(type, code, name) VALUES(?1, ?2, ?3)",
	[ST_ENT_NAME] = "UPDATE entity SET name = ?2 WHERE id = ?1",
	[ST_SER_GET] = "SELECT id, step FROM series WHERE datasource = ?1 AND "
		       "entity_id = ?2 AND subtype = ?3",
	[ST_SER_INS] = "INSERT INTO series(datasource, entity_id, subtype, step) "
		       "VALUES(?1, ?2, ?3, ?4)",
	[ST_SER_STEP] = "SELECT step FROM series WHERE id = ?1",
	[ST_PUT] = "INSERT INTO point(series_id, t, value) VALUES(?1, ?2, ?3) "
		   "ON CONFLICT(series_id, t) DO UPDATE SET value = excluded.value",
	[ST_ING_DONE] = "INSERT INTO ingest(source, sha256, kind, first_t, "
			"last_t, done_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6) "
			"ON CONFLICT(source, sha256) DO UPDATE SET "
			"kind = excluded.kind, first_t = excluded.first_t, "
			"last_t = excluded.last_t, done_at = excluded.done_at",
	[ST_ING_SEEN] = "SELECT 1 FROM ingest WHERE source = ?1 AND sha256 = ?2",
	[ST_POINTS] = "SELECT t, value FROM point WHERE series_id = ?1 AND "
		      "t >= ?2 AND t < ?3 ORDER BY t",
	[ST_ENTS_ALL] = "SELECT id, type, code, name, attrs FROM entity "
			"ORDER BY type, code",
	[ST_ENTS_TYPE] = "SELECT id, type, code, name, attrs FROM entity "
			 "WHERE type = ?1 ORDER BY code",
	[ST_SERIES_ALL] = SERIES_COLS SERIES_ORDER,
	[ST_SERIES_ENT] = SERIES_COLS "WHERE s.entity_id = ?1" SERIES_ORDER,
	[ST_SER_COUNT] = "SELECT count(*), min(t), max(t) FROM point "
			 "WHERE series_id = ?1",
};

static const char *const entity_types[] = {"continent", "country", "region",
					   "asn", "geoasn"};

/* ---- cache: (key bytes) -> id, aux, name (structs in store_int.h) ---- */

static uint64_t hash(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ull;
	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ull;
	}
	return h;
}

static struct slot *cache_get(const struct cache *c, const char *key,
			      size_t klen, uint64_t h)
{
	if (!c->cap)
		return NULL;
	for (size_t i = h & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
		struct slot *e = &c->slot[i];
		if (!e->key)
			return NULL;
		if (e->h == h && e->klen == klen && !memcmp(e->key, key, klen))
			return e;
	}
}

static void cache_clear(struct cache *c)
{
	for (size_t i = 0; i < c->cap; i++) {
		free(c->slot[i].key);
		free(c->slot[i].name);
		memset(&c->slot[i], 0, sizeof(c->slot[i]));
	}
	c->n = 0;
}

static void cache_free(struct cache *c)
{
	cache_clear(c);
	free(c->slot);
	c->slot = NULL;
	c->cap = 0;
}

static struct slot *probe_empty(struct slot *tab, size_t cap, uint64_t h)
{
	size_t i = h & (cap - 1);
	while (tab[i].key)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

/* Double the table; at the size cap, forget everything instead. */
static int cache_grow(struct cache *c)
{
	size_t ncap = c->cap ? c->cap * 2 : 256;
	struct slot *tab;

	if (ncap > CACHE_MAX_SLOTS) {
		cache_clear(c);
		return 0;
	}
	if (!(tab = calloc(ncap, sizeof(*tab))))
		return DW_ENOMEM;
	for (size_t i = 0; i < c->cap; i++)
		if (c->slot[i].key)
			*probe_empty(tab, ncap, c->slot[i].h) = c->slot[i];
	free(c->slot);
	c->slot = tab;
	c->cap = ncap;
	return 0;
}

/* Add a key known to be absent.  NULL only means "not cached". */
static struct slot *cache_add(struct cache *c, const char *key, size_t klen,
			      uint64_t h, int64_t id, int64_t aux,
			      const char *name)
{
	struct slot *e;
	char *k, *nm = NULL;

	if ((c->n + 1) * 2 > c->cap && cache_grow(c) < 0)
		return NULL;
	if (!(k = malloc(klen)) || (name && !(nm = strdup(name)))) {
		free(k);
		return NULL;
	}
	memcpy(k, key, klen);
	e = probe_empty(c->slot, c->cap, h);
	*e = (struct slot){k, klen, h, id, aux, nm};
	c->n++;
	return e;
}

static void drop_caches(struct dw_store *s)
{
	cache_clear(&s->ents);
	cache_clear(&s->series);
	if (s->steps)
		memset(s->steps, 0, s->nsteps * sizeof(*s->steps));
}

static void steps_set(struct dw_store *s, int64_t id, int64_t step)
{
	if (id <= 0 || id >= (int64_t)STEPS_MAX)
		return;
	if ((size_t)id >= s->nsteps) {
		size_t n = s->nsteps ? s->nsteps : 1024;
		while (n <= (size_t)id)
			n *= 2;
		int64_t *p = realloc(s->steps, n * sizeof(*p));
		if (!p)
			return; /* not cached: looked up again next time */
		memset(p + s->nsteps, 0, (n - s->nsteps) * sizeof(*p));
		s->steps = p;
		s->nsteps = n;
	}
	s->steps[id] = step;
}

/* ---- errors ---- */

int dw_store_i_msg(struct dw_store *s, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->msg, sizeof(s->msg), fmt, ap);
	va_end(ap);
	return err;
}

static int map_rc(sqlite3 *db, int rc)
{
	int sys = db ? sqlite3_system_errno(db) : 0;

	switch (rc & 0xff) {
	case SQLITE_NOMEM: return DW_ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return -EBUSY;
	case SQLITE_READONLY: return -EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH: return -EACCES;
	case SQLITE_FULL: return -ENOSPC;
	case SQLITE_CANTOPEN: return sys > 0 ? -sys : -ENOENT;
	case SQLITE_IOERR: return sys > 0 ? -sys : DW_EIO;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB: return DW_EFORMAT;
	case SQLITE_TOOBIG: return DW_ETOOBIG;
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
	case SQLITE_RANGE: return DW_EINVAL;
	}
	return DW_EIO;
}

/*
 * Turn an SQLite failure into our code and message.  Some failures (disk
 * full, I/O error, out of memory) make SQLite roll the transaction back by
 * itself: notice it, so the caches and in_tx stay true.
 */
int dw_store_i_fail(struct dw_store *s, int rc, const char *what)
{
	int err = map_rc(s->db, rc);
	dw_store_i_msg(s, err, "%s: %s", what, s->db ? sqlite3_errmsg(s->db)
					     : sqlite3_errstr(rc));
	if (s->in_tx && s->db && sqlite3_get_autocommit(s->db)) {
		s->in_tx = 0;
		drop_caches(s);
	}
	return err;
}

int dw_store_i_writable(struct dw_store *s)
{
	if (s->rdonly)
		return dw_store_i_msg(s, -EROFS, "the store was opened read-only");
	return 0;
}

/* ---- validation of text arguments ---- */

int dw_store_i_text_ok(const char *s, size_t min, size_t max)
{
	size_t n;
	if (!s)
		return 0;
	n = strnlen(s, max + 1);
	return n >= min && n <= max && dw_utf8_text_ok(s, n);
}

/* [A-Za-z0-9._-]{min,max} */
int dw_store_i_ident_ok(const char *s, size_t min, size_t max)
{
	size_t n = 0;
	if (!s)
		return 0;
	for (; s[n]; n++) {
		char c = s[n];
		if (n >= max || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				  (c >= '0' && c <= '9') || c == '.' || c == '_' ||
				  c == '-'))
			return 0;
	}
	return n >= min;
}

int dw_store_entity_type_valid(const char *type)
{
	for (size_t i = 0; type && i < sizeof(entity_types) / sizeof(*entity_types); i++)
		if (!strcmp(type, entity_types[i]))
			return 1;
	return 0;
}

int dw_store_datasource_valid(const char *s)
{
	return dw_store_i_ident_ok(s, 1, DW_STORE_NAME_MAX);
}

int dw_store_subtype_valid(const char *s)
{
	return !s || dw_store_i_ident_ok(s, 0, DW_STORE_NAME_MAX);
}

int dw_store_i_check_entity(struct dw_store *s, const char *type, const char *code)
{
	if (!dw_store_entity_type_valid(type))
		return dw_store_i_msg(s, DW_EINVAL,
			      "unknown entity type '%.64s' (use continent, "
			      "country, region, asn or geoasn)",
			      type ? type : "(null)");
	if (!dw_store_i_text_ok(code, 1, DW_STORE_CODE_MAX))
		return dw_store_i_msg(s, DW_EINVAL,
			      "entity code must be 1 to %d bytes of UTF-8 "
			      "text without control characters",
			      DW_STORE_CODE_MAX);
	return 0;
}

static int check_series(struct dw_store *s, const char *ds,
			const char *subtype)
{
	if (!dw_store_i_ident_ok(ds, 1, DW_STORE_NAME_MAX))
		return dw_store_i_msg(s, DW_EINVAL,
			      "datasource must be 1 to %d characters of "
			      "A-Z a-z 0-9 . _ -", DW_STORE_NAME_MAX);
	if (!dw_store_i_ident_ok(subtype, 0, DW_STORE_NAME_MAX))
		return dw_store_i_msg(s, DW_EINVAL,
			      "subtype must be at most %d characters of "
			      "A-Z a-z 0-9 . _ -", DW_STORE_NAME_MAX);
	return 0;
}

/* type NUL code */
static size_t entity_key(char *key, const char *type, const char *code)
{
	size_t a = strlen(type), b = strlen(code);
	memcpy(key, type, a + 1);
	memcpy(key + a + 1, code, b);
	return a + 1 + b;
}

/* entity_id(8 bytes) datasource NUL subtype */
static size_t series_key(char *key, int64_t eid, const char *ds,
			 const char *sub)
{
	size_t a = strlen(ds), b = strlen(sub);
	memcpy(key, &eid, 8);
	memcpy(key + 8, ds, a + 1);
	memcpy(key + 9 + a, sub, b);
	return 9 + a + b;
}

/* ---- statements ---- */

static int stmt(struct dw_store *s, enum st which, sqlite3_stmt **out)
{
	if (!s->st[which]) {
		int rc = sqlite3_prepare_v3(s->db, statements[which], -1,
					    SQLITE_PREPARE_PERSISTENT,
					    &s->st[which], NULL);
		if (rc != SQLITE_OK)
			return dw_store_i_fail(s, rc, "cannot prepare a statement");
	}
	*out = s->st[which];
	return 0;
}

/* Step a statement to its end (no rows expected), then reset it. */
int dw_store_i_stmt(struct dw_store *s, int slot, const char *sql,
		    sqlite3_stmt **out)
{
	if (slot < 0 || slot >= DW_XST_MAX)
		return dw_store_i_msg(s, DW_EINVAL, "statement slot %d out of range",
				      slot);
	if (!s->xst[slot]) {
		int rc = sqlite3_prepare_v3(s->db, sql, -1,
					    SQLITE_PREPARE_PERSISTENT,
					    &s->xst[slot], NULL);
		if (rc != SQLITE_OK)
			return dw_store_i_fail(s, rc, "cannot prepare a statement");
	}
	*out = s->xst[slot];
	return 0;
}

int dw_store_i_run(struct dw_store *s, sqlite3_stmt *q, const char *what)
{
	int rc = sqlite3_step(q);
	int err = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : dw_store_i_fail(s, rc, what);
	sqlite3_reset(q);
	return err;
}

static int run_st(struct dw_store *s, enum st which, const char *what)
{
	sqlite3_stmt *q = NULL;
	int rc = stmt(s, which, &q);
	return rc < 0 ? rc : dw_store_i_run(s, q, what);
}

/* Constant SQL only (schema, pragmas): never anything from a user. */
static int exec_const(struct dw_store *s, const char *sql, const char *what)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : dw_store_i_fail(s, rc, what);
}

/* One integer from a constant query (0 when it yields no row or NULL). */
static int query_int(struct dw_store *s, const char *sql, int64_t *out)
{
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);
	if (rc != SQLITE_OK) {
		rc = dw_store_i_fail(s, rc, "cannot read the store");
		goto out;
	}
	*out = 0;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(q, 0);
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0
						    : dw_store_i_fail(s, rc, "cannot read the store");
out:
	sqlite3_finalize(q);
	return rc;
}

/* ---- open, schema ---- */

/* The store's schema version: 0 for an empty file, <0 if not ours. */
static int identify(struct dw_store *s, const char *path, int *version)
{
	int64_t appid, ntables, hasmeta, v;
	int rc;

	if ((rc = query_int(s, "PRAGMA application_id", &appid)) < 0 ||
	    (rc = query_int(s, "SELECT count(*) FROM sqlite_master", &ntables)) < 0 ||
	    (rc = query_int(s, "SELECT count(*) FROM sqlite_master WHERE "
			       "type = 'table' AND name = 'meta'", &hasmeta)) < 0)
		return rc == DW_EFORMAT
			       ? dw_store_i_msg(s, rc, "%s is not a darkwatch store "
					"(not an SQLite database, or corrupt)", path)
			       : rc;
	if ((appid != 0 && appid != APP_ID) || (!hasmeta && ntables > 0))
		return dw_store_i_msg(s, DW_EFORMAT,
			      "%s is an SQLite database but not a darkwatch "
			      "store; give another --db path", path);
	*version = 0;
	if (!hasmeta)
		return 0;
	if ((rc = query_int(s, "SELECT value FROM meta WHERE key = "
			       "'schema_version'", &v)) < 0)
		return rc;
	if (v <= 0 || v > 1000000)
		return dw_store_i_msg(s, DW_EFORMAT, "%s: no valid schema_version in "
			      "table meta", path);
	*version = (int)v;
	return 0;
}

static int migrate(struct dw_store *s, const char *path)
{
	sqlite3_stmt *q = NULL;
	int rc, version;

	if ((rc = exec_const(s, "BEGIN IMMEDIATE", "cannot lock the store")) < 0)
		return rc;
	/* Read again under the lock: another process may have migrated. */
	if ((rc = identify(s, path, &version)) < 0)
		goto fail;
	if (version > DW_STORE_SCHEMA_VERSION) {
		rc = dw_store_i_msg(s, DW_EUNSUPP, "%s has schema version %d, newer than "
			    "this darkwatch knows (%d): use a newer darkwatch",
			    path, version, DW_STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (version == DW_STORE_SCHEMA_VERSION)
		return exec_const(s, "COMMIT", "cannot read the store");
	for (int v = version; v < DW_STORE_SCHEMA_VERSION; v++)
		if ((rc = exec_const(s, migrations[v], "cannot create the schema")) < 0)
			goto fail;
	rc = sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO meta(key, value) "
				"VALUES('schema_version', ?1)", -1, &q, NULL);
	if (rc != SQLITE_OK) {
		rc = dw_store_i_fail(s, rc, "cannot create the schema");
		goto fail;
	}
	sqlite3_bind_int(q, 1, DW_STORE_SCHEMA_VERSION);
	if ((rc = dw_store_i_run(s, q, "cannot create the schema")) < 0)
		goto fail;
	/* APP_ID is a constant: no user text in this statement. */
	if ((rc = exec_const(s, "PRAGMA application_id = 1685547825",
			     "cannot create the schema")) < 0)
		goto fail;
	_Static_assert(APP_ID == 1685547825, "keep the pragma in sync");
	sqlite3_finalize(q);
	return exec_const(s, "COMMIT", "cannot create the schema");
fail:
	sqlite3_finalize(q);
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int set_wal(struct dw_store *s)
{
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &q,
				    NULL);
	if (rc != SQLITE_OK)
		goto db_fail;
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW)
		goto db_fail;
	const char *mode = (const char *)sqlite3_column_text(q, 0);
	if (!mode || (strcmp(mode, "wal") && strcmp(mode, "memory"))) {
		rc = dw_store_i_msg(s, DW_EUNSUPP, "cannot switch the store to WAL mode "
			    "(journal mode stays '%s'); is it on a network "
			    "filesystem?", mode ? mode : "?");
		goto out;
	}
	rc = 0;
	goto out;
db_fail:
	rc = dw_store_i_fail(s, rc, "cannot set WAL mode");
out:
	sqlite3_finalize(q);
	return rc;
}

int dw_store_open(const char *path, int flags, struct dw_store **out,
		  char *msg, size_t msglen)
{
	struct dw_store *s = NULL;
	int rc, version = 0, oflags;
	struct stat sb;

	if (msg && msglen)
		msg[0] = 0;
	if (!path || !out || (flags != DW_STORE_RDONLY && flags != DW_STORE_RDWR)) {
		rc = DW_EINVAL;
		goto fail;
	}
	*out = NULL;
	if (!(s = calloc(1, sizeof(*s)))) {
		rc = DW_ENOMEM;
		goto fail;
	}
	s->rdonly = flags == DW_STORE_RDONLY;
	if (s->rdonly && stat(path, &sb) < 0) {
		rc = dw_store_i_msg(s, -errno, "cannot open %s: %s", path, strerror(errno));
		goto fail;
	}
	oflags = SQLITE_OPEN_NOMUTEX |
		 (s->rdonly ? SQLITE_OPEN_READONLY
			    : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	if ((rc = sqlite3_open_v2(path, &s->db, oflags, NULL)) != SQLITE_OK) {
		rc = s->db ? dw_store_i_fail(s, rc, "cannot open the store") : DW_ENOMEM;
		if (s->db)
			dw_store_i_msg(s, rc, "cannot open %s: %s", path,
			       rc < 0 && rc > -4096 ? strerror(-rc)
						: sqlite3_errmsg(s->db));
		goto fail;
	}
	sqlite3_busy_timeout(s->db, BUSY_MS);
	if ((rc = exec_const(s, "PRAGMA foreign_keys = ON", "cannot open the store")) < 0 ||
	    (rc = identify(s, path, &version)) < 0)
		goto fail;
	if (!s->rdonly) {
		if ((rc = set_wal(s)) < 0 ||
		    (rc = exec_const(s, "PRAGMA synchronous = NORMAL",
				     "cannot open the store")) < 0 ||
		    (rc = migrate(s, path)) < 0)
			goto fail;
	} else if (version == 0) {
		rc = dw_store_i_msg(s, DW_EFORMAT, "%s is empty, not a darkwatch store "
			    "(create one with `darkwatch signal import`)", path);
		goto fail;
	} else if (version != DW_STORE_SCHEMA_VERSION) {
		rc = dw_store_i_msg(s, DW_EUNSUPP, "%s has schema version %d; this "
			    "darkwatch reads only version %d%s", path, version,
			    DW_STORE_SCHEMA_VERSION,
			    version < DW_STORE_SCHEMA_VERSION
				    ? " (open it read-write once, e.g. with an "
				      "import, to upgrade it)"
				    : " (use a newer darkwatch)");
		goto fail;
	}
	*out = s;
	return 0;
fail:
	if (msg && msglen)
		snprintf(msg, msglen, "%s", s && s->msg[0] ? s->msg : dw_strerror(rc));
	dw_store_close(s);
	return rc;
}

void dw_store_close(struct dw_store *s)
{
	if (!s)
		return;
	if (s->db) {
		if (s->in_tx)
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		for (int i = 0; i < ST__COUNT; i++)
			sqlite3_finalize(s->st[i]);
		for (int i = 0; i < DW_XST_MAX; i++)
			sqlite3_finalize(s->xst[i]);
		if (!s->rdonly)
			sqlite3_exec(s->db, "PRAGMA optimize", NULL, NULL, NULL);
		sqlite3_close_v2(s->db);
	}
	cache_free(&s->ents);
	cache_free(&s->series);
	free(s->steps);
	free(s);
}

const char *dw_store_errmsg(const struct dw_store *s)
{
	return s ? s->msg : "";
}

/* ---- transactions ---- */

int dw_store_begin(struct dw_store *s)
{
	int rc;
	if (s->in_tx)
		return dw_store_i_msg(s, DW_EINVAL, "a transaction is already open");
	rc = run_st(s, s->rdonly ? ST_BEGIN_RO : ST_BEGIN_RW,
		    "cannot start a transaction");
	if (rc == 0)
		s->in_tx = 1;
	return rc;
}

int dw_store_commit(struct dw_store *s)
{
	int rc;
	if (!s->in_tx)
		return dw_store_i_msg(s, DW_EINVAL, "no transaction to commit");
	rc = run_st(s, ST_COMMIT, "cannot commit");
	if (rc == 0)
		s->in_tx = 0;
	return rc;
}

int dw_store_rollback(struct dw_store *s)
{
	int rc;
	if (!s->in_tx)
		return 0;
	rc = run_st(s, ST_ROLLBACK, "cannot roll back");
	s->in_tx = 0;
	drop_caches(s);
	return rc;
}

/* ---- entities ---- */

/* SELECT id, name: 1 found (*name a malloc'd copy or NULL), 0 not found. */
static int entity_get(struct dw_store *s, const char *type, const char *code,
		      int64_t *id, char **name)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if ((rc = stmt(s, ST_ENT_GET, &q)) < 0)
		return rc;
	sqlite3_bind_text(q, 1, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		const char *nm = (const char *)sqlite3_column_text(q, 1);
		*id = sqlite3_column_int64(q, 0);
		*name = NULL;
		if (nm && !(*name = strdup(nm)))
			rc = DW_ENOMEM;
		else
			rc = 1;
	} else {
		rc = rc == SQLITE_DONE ? 0 : dw_store_i_fail(s, rc, "cannot look up an entity");
	}
	sqlite3_reset(q);
	return rc;
}

static int entity_set_name(struct dw_store *s, int64_t id, const char *name)
{
	sqlite3_stmt *q = NULL;
	int rc = stmt(s, ST_ENT_NAME, &q);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
	return dw_store_i_run(s, q, "cannot rename an entity");
}

static int entity_insert(struct dw_store *s, const char *type,
			 const char *code, const char *name, int64_t *id)
{
	sqlite3_stmt *q = NULL;
	int rc = stmt(s, ST_ENT_INS, &q);
	if (rc < 0)
		return rc;
	sqlite3_bind_text(q, 1, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, code, -1, SQLITE_STATIC);
	if (name)
		sqlite3_bind_text(q, 3, name, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, 3);
	if ((rc = dw_store_i_run(s, q, "cannot add an entity")) == 0)
		*id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

int dw_store_entity(struct dw_store *s, const char *type, const char *code,
		    const char *name, int64_t *id)
{
	char key[KEY_MAX], *old = NULL;
	size_t klen;
	uint64_t h;
	struct slot *e;
	int64_t eid = 0;
	int rc;

	if ((rc = dw_store_i_writable(s)) < 0 || (rc = dw_store_i_check_entity(s, type, code)) < 0)
		return rc;
	if (name && !dw_store_i_text_ok(name, 0, DW_STORE_TEXT_MAX))
		return dw_store_i_msg(s, DW_EINVAL, "entity name must be UTF-8 text "
			      "without control characters, at most %d bytes",
			      DW_STORE_TEXT_MAX);
	klen = entity_key(key, type, code);
	h = hash(key, klen);
	if ((e = cache_get(&s->ents, key, klen, h))) {
		if (name && (!e->name || strcmp(e->name, name))) {
			/* On failure the caches may be gone: e is dead. */
			if ((rc = entity_set_name(s, e->id, name)) < 0)
				return rc;
			free(e->name);
			e->name = strdup(name); /* NULL only means "not known" */
		}
		*id = e->id;
		return 0;
	}
	if ((rc = entity_get(s, type, code, &eid, &old)) < 0)
		goto out;
	if (rc == 0)
		rc = entity_insert(s, type, code, name, &eid);
	else if (name && (!old || strcmp(old, name)))
		rc = entity_set_name(s, eid, name);
	else
		rc = 0;
	if (rc < 0)
		goto out;
	cache_add(&s->ents, key, klen, h, eid, 0, name ? name : old);
	*id = eid;
out:
	free(old);
	return rc;
}

int dw_store_entity_find(struct dw_store *s, const char *type,
			 const char *code, int64_t *id)
{
	char key[KEY_MAX], *name = NULL;
	size_t klen;
	uint64_t h;
	struct slot *e;
	int64_t eid;
	int rc;

	if ((rc = dw_store_i_check_entity(s, type, code)) < 0)
		return rc;
	klen = entity_key(key, type, code);
	h = hash(key, klen);
	if ((e = cache_get(&s->ents, key, klen, h))) {
		*id = e->id;
		return 1;
	}
	if ((rc = entity_get(s, type, code, &eid, &name)) == 1) {
		cache_add(&s->ents, key, klen, h, eid, 0, name);
		*id = eid;
	}
	free(name);
	return rc;
}

/* ---- series ---- */

static int series_get(struct dw_store *s, const char *ds, int64_t eid,
		      const char *sub, int64_t *id, int64_t *step)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if ((rc = stmt(s, ST_SER_GET, &q)) < 0)
		return rc;
	sqlite3_bind_text(q, 1, ds, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, eid);
	sqlite3_bind_text(q, 3, sub, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(q, 0);
		*step = sqlite3_column_int64(q, 1);
		rc = 1;
	} else {
		rc = rc == SQLITE_DONE ? 0 : dw_store_i_fail(s, rc, "cannot look up a series");
	}
	sqlite3_reset(q);
	return rc;
}

static int series_insert(struct dw_store *s, const char *ds, int64_t eid,
			 const char *sub, int64_t step, int64_t *id)
{
	sqlite3_stmt *q = NULL;
	int rc = stmt(s, ST_SER_INS, &q);
	if (rc < 0)
		return rc;
	sqlite3_bind_text(q, 1, ds, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, eid);
	sqlite3_bind_text(q, 3, sub, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, step);
	rc = sqlite3_step(q);
	if (rc == SQLITE_DONE) {
		*id = sqlite3_last_insert_rowid(s->db);
		rc = 0;
	} else if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_FOREIGNKEY) {
		rc = dw_store_i_msg(s, -ENOENT, "no entity with id %lld", (long long)eid);
	} else {
		rc = dw_store_i_fail(s, rc, "cannot add a series");
	}
	sqlite3_reset(q);
	return rc;
}

static int step_conflict(struct dw_store *s, const char *ds, const char *sub,
			 int64_t have, int64_t want)
{
	return dw_store_i_msg(s, DW_EINVAL,
		      "series %s%s%s already exists with step %lld s, not %lld s",
		      ds, *sub ? "/" : "", sub, (long long)have, (long long)want);
}

int dw_store_series(struct dw_store *s, const char *datasource,
		    int64_t entity_id, const char *subtype, int64_t step,
		    int64_t *id)
{
	const char *sub = subtype ? subtype : "";
	char key[KEY_MAX];
	size_t klen;
	uint64_t h;
	struct slot *e;
	int64_t sid, have;
	int rc;

	if ((rc = dw_store_i_writable(s)) < 0 || (rc = check_series(s, datasource, sub)) < 0)
		return rc;
	if (entity_id <= 0 || step <= 0 || step > DW_STORE_STEP_MAX)
		return dw_store_i_msg(s, DW_EINVAL, "bad entity id or step (1 to %d s)",
			      DW_STORE_STEP_MAX);
	klen = series_key(key, entity_id, datasource, sub);
	h = hash(key, klen);
	if ((e = cache_get(&s->series, key, klen, h))) {
		if (e->aux != step)
			return step_conflict(s, datasource, sub, e->aux, step);
		*id = e->id;
		return 0;
	}
	if ((rc = series_get(s, datasource, entity_id, sub, &sid, &have)) < 0)
		return rc;
	if (rc == 1 && have != step)
		return step_conflict(s, datasource, sub, have, step);
	if (rc == 0 && (rc = series_insert(s, datasource, entity_id, sub, step,
					   &sid)) < 0)
		return rc;
	cache_add(&s->series, key, klen, h, sid, step, NULL);
	steps_set(s, sid, step);
	*id = sid;
	return 0;
}

int dw_store_series_find(struct dw_store *s, const char *datasource,
			 int64_t entity_id, const char *subtype, int64_t *id,
			 int64_t *step)
{
	const char *sub = subtype ? subtype : "";
	int64_t sid = 0, st = 0;
	int rc;

	if ((rc = check_series(s, datasource, sub)) < 0)
		return rc;
	rc = series_get(s, datasource, entity_id, sub, &sid, &st);
	if (rc == 1) {
		steps_set(s, sid, st);
		if (id)
			*id = sid;
		if (step)
			*step = st;
	}
	return rc;
}

/* The step of a series: from the array, else from SQL.  1, 0 or <0. */
static int series_step(struct dw_store *s, int64_t id, int64_t *step)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if (id > 0 && (uint64_t)id < s->nsteps && s->steps[id]) {
		*step = s->steps[id];
		return 1;
	}
	if ((rc = stmt(s, ST_SER_STEP, &q)) < 0)
		return rc;
	sqlite3_bind_int64(q, 1, id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*step = sqlite3_column_int64(q, 0);
		rc = *step > 0 ? 1 : dw_store_i_msg(s, DW_EFORMAT, "series %lld has "
					     "step %lld", (long long)id,
					     (long long)*step);
	} else {
		rc = rc == SQLITE_DONE ? 0 : dw_store_i_fail(s, rc, "cannot look up a series");
	}
	sqlite3_reset(q);
	if (rc == 1)
		steps_set(s, id, *step);
	return rc;
}

/* ---- points ---- */

int dw_store_put(struct dw_store *s, int64_t series_id, int64_t t,
		 double value)
{
	sqlite3_stmt *q = NULL;
	int64_t step = 0;
	int rc;

	if ((rc = dw_store_i_writable(s)) < 0)
		return rc;
	if (!isfinite(value))
		return dw_store_i_msg(s, DW_EINVAL, "value is not a finite number");
	if ((rc = series_step(s, series_id, &step)) <= 0)
		return rc < 0 ? rc : dw_store_i_msg(s, -ENOENT, "no series with id %lld",
					    (long long)series_id);
	if (t % step)
		return dw_store_i_msg(s, DW_EINVAL, "time %lld is not a multiple of the "
			      "series' step (%lld s)", (long long)t,
			      (long long)step);
	if ((rc = stmt(s, ST_PUT, &q)) < 0)
		return rc;
	sqlite3_bind_int64(q, 1, series_id);
	sqlite3_bind_int64(q, 2, t);
	sqlite3_bind_double(q, 3, value);
	return dw_store_i_run(s, q, "cannot write a point");
}

/* ---- ingestion log ---- */

static int check_ingest(struct dw_store *s, const char *source,
			const char *sha)
{
	if (!dw_store_i_text_ok(source, 1, DW_STORE_CODE_MAX))
		return dw_store_i_msg(s, DW_EINVAL, "ingest source must be 1 to %d bytes "
			      "of UTF-8 text", DW_STORE_CODE_MAX);
	for (size_t i = 0; i < 64; i++)
		if (!sha || !((sha[i] >= '0' && sha[i] <= '9') ||
			      (sha[i] >= 'a' && sha[i] <= 'f')))
			return dw_store_i_msg(s, DW_EINVAL, "sha256 must be 64 lowercase "
				      "hex digits");
	if (sha[64])
		return dw_store_i_msg(s, DW_EINVAL, "sha256 must be 64 lowercase hex digits");
	return 0;
}

int dw_store_ingest_done(struct dw_store *s, const char *source,
			 const char *sha256_hex, const char *kind,
			 int64_t first_t, int64_t last_t)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if ((rc = dw_store_i_writable(s)) < 0 || (rc = check_ingest(s, source, sha256_hex)) < 0)
		return rc;
	if (!dw_store_i_ident_ok(kind, 1, DW_STORE_NAME_MAX))
		return dw_store_i_msg(s, DW_EINVAL, "ingest kind must be 1 to %d "
			      "characters of A-Z a-z 0-9 . _ -", DW_STORE_NAME_MAX);
	if ((rc = stmt(s, ST_ING_DONE, &q)) < 0)
		return rc;
	sqlite3_bind_text(q, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, sha256_hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, kind, -1, SQLITE_STATIC);
	if (first_t <= last_t) {
		sqlite3_bind_int64(q, 4, first_t);
		sqlite3_bind_int64(q, 5, last_t);
	} else {
		sqlite3_bind_null(q, 4);
		sqlite3_bind_null(q, 5);
	}
	sqlite3_bind_int64(q, 6, (int64_t)time(NULL));
	return dw_store_i_run(s, q, "cannot record the input in the ingestion log");
}

int dw_store_ingest_seen(struct dw_store *s, const char *source,
			 const char *sha256_hex)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if ((rc = check_ingest(s, source, sha256_hex)) < 0 ||
	    (rc = stmt(s, ST_ING_SEEN, &q)) < 0)
		return rc;
	sqlite3_bind_text(q, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, sha256_hex, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	rc = rc == SQLITE_ROW ? 1
	     : rc == SQLITE_DONE ? 0
				 : dw_store_i_fail(s, rc, "cannot read the ingestion log");
	sqlite3_reset(q);
	return rc;
}

/* ---- read path ---- */

int dw_store_query_points(struct dw_store *s, const char *datasource,
			  const char *entity_type, const char *entity_code,
			  const char *subtype, int64_t from, int64_t until,
			  dw_store_point_fn fn, void *ctx)
{
	const char *sub = subtype ? subtype : "";
	int64_t eid, sid;
	int rc;

	if ((rc = dw_store_entity_find(s, entity_type, entity_code, &eid)) <= 0)
		return rc < 0 ? rc : dw_store_i_msg(s, -ENOENT, "no entity %s/%s",
					    entity_type, entity_code);
	if ((rc = dw_store_series_find(s, datasource, eid, sub, &sid, NULL)) <= 0)
		return rc < 0 ? rc : dw_store_i_msg(s, -ENOENT, "entity %s/%s has no "
					    "series %s%s%s", entity_type,
					    entity_code, datasource,
					    *sub ? "/" : "", sub);
	return dw_store_series_points(s, sid, from, until, fn, ctx);
}

int dw_store_series_points(struct dw_store *s, int64_t series_id,
			   int64_t from, int64_t until, dw_store_point_fn fn,
			   void *ctx)
{
	sqlite3_stmt *q = NULL;
	int64_t n = 0;
	int rc;

	if ((rc = stmt(s, ST_POINTS, &q)) < 0)
		return rc;
	sqlite3_bind_int64(q, 1, series_id);
	sqlite3_bind_int64(q, 2, from);
	sqlite3_bind_int64(q, 3, until);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int cb = fn(ctx, sqlite3_column_int64(q, 0),
			    sqlite3_column_double(q, 1));
		if (cb < 0) {
			sqlite3_reset(q);
			return cb;
		}
		n++;
	}
	rc = rc == SQLITE_DONE ? 0 : dw_store_i_fail(s, rc, "cannot read points");
	sqlite3_reset(q);
	return rc < 0 ? rc : (int)(n > INT32_MAX ? INT32_MAX : n);
}

int dw_store_entities(struct dw_store *s, const char *type,
		      dw_store_entity_fn fn, void *ctx)
{
	sqlite3_stmt *q = NULL;
	int rc, n = 0;

	if ((rc = stmt(s, type ? ST_ENTS_TYPE : ST_ENTS_ALL, &q)) < 0)
		return rc;
	if (type)
		sqlite3_bind_text(q, 1, type, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct dw_store_entity_row r = {
			sqlite3_column_int64(q, 0),
			(const char *)sqlite3_column_text(q, 1),
			(const char *)sqlite3_column_text(q, 2),
			(const char *)sqlite3_column_text(q, 3),
			(const char *)sqlite3_column_text(q, 4),
		};
		int cb = fn(ctx, &r);
		if (cb < 0) {
			sqlite3_reset(q);
			return cb;
		}
		n++;
	}
	rc = rc == SQLITE_DONE ? n : dw_store_i_fail(s, rc, "cannot list entities");
	sqlite3_reset(q);
	return rc;
}

static int series_counts(struct dw_store *s, struct dw_store_series_row *r)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if ((rc = stmt(s, ST_SER_COUNT, &q)) < 0)
		return rc;
	sqlite3_bind_int64(q, 1, r->id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		r->points = sqlite3_column_int64(q, 0);
		r->first_t = r->points ? sqlite3_column_int64(q, 1) : 1;
		r->last_t = r->points ? sqlite3_column_int64(q, 2) : 0;
		rc = 0;
	} else {
		rc = dw_store_i_fail(s, rc, "cannot count points");
	}
	sqlite3_reset(q);
	return rc;
}

int dw_store_series_list(struct dw_store *s, int64_t entity_id,
			 unsigned flags, dw_store_series_fn fn, void *ctx)
{
	sqlite3_stmt *q = NULL;
	int rc, n = 0;

	if ((rc = stmt(s, entity_id > 0 ? ST_SERIES_ENT : ST_SERIES_ALL, &q)) < 0)
		return rc;
	if (entity_id > 0)
		sqlite3_bind_int64(q, 1, entity_id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct dw_store_series_row r = {
			.id = sqlite3_column_int64(q, 0),
			.entity_id = sqlite3_column_int64(q, 1),
			.step = sqlite3_column_int64(q, 2),
			.datasource = (const char *)sqlite3_column_text(q, 3),
			.subtype = (const char *)sqlite3_column_text(q, 4),
			.entity_type = (const char *)sqlite3_column_text(q, 5),
			.entity_code = (const char *)sqlite3_column_text(q, 6),
			.first_t = 1,
		};
		int cb = (flags & DW_STORE_COUNTS) ? series_counts(s, &r) : 0;
		if (cb == 0)
			cb = fn(ctx, &r);
		if (cb < 0) {
			sqlite3_reset(q);
			return cb;
		}
		n++;
	}
	rc = rc == SQLITE_DONE ? n : dw_store_i_fail(s, rc, "cannot list series");
	sqlite3_reset(q);
	return rc;
}

int dw_store_stats(struct dw_store *s, struct dw_store_stats *st)
{
	int rc;
	memset(st, 0, sizeof(*st));
	st->schema_version = DW_STORE_SCHEMA_VERSION;
	if ((rc = query_int(s, "SELECT count(*) FROM entity", &st->entities)) < 0 ||
	    (rc = query_int(s, "SELECT count(*) FROM series", &st->series)) < 0 ||
	    (rc = query_int(s, "SELECT count(*) FROM point", &st->points)) < 0 ||
	    (rc = query_int(s, "SELECT count(*) FROM ingest", &st->inputs)) < 0)
		return rc;
	return 0;
}

int dw_store_check(struct dw_store *s)
{
	sqlite3_stmt *q = NULL;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &q, NULL);
	if (rc != SQLITE_OK || (rc = sqlite3_step(q)) != SQLITE_ROW) {
		rc = dw_store_i_fail(s, rc, "integrity check failed");
		goto out;
	}
	const char *res = (const char *)sqlite3_column_text(q, 0);
	if (!res || strcmp(res, "ok")) {
		rc = dw_store_i_msg(s, DW_EFORMAT, "integrity check: %s", res ? res : "?");
		goto out;
	}
	sqlite3_finalize(q);
	q = NULL;
	rc = sqlite3_prepare_v2(s->db, "PRAGMA foreign_key_check", -1, &q, NULL);
	if (rc != SQLITE_OK) {
		rc = dw_store_i_fail(s, rc, "foreign key check failed");
		goto out;
	}
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		rc = dw_store_i_msg(s, DW_EFORMAT, "foreign key check: a row of table "
			    "%s refers to a missing row of %s",
			    (const char *)sqlite3_column_text(q, 0),
			    (const char *)sqlite3_column_text(q, 2));
	else
		rc = rc == SQLITE_DONE ? 0 : dw_store_i_fail(s, rc, "foreign key check failed");
out:
	sqlite3_finalize(q);
	return rc;
}
