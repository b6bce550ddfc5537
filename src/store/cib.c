/*
 * cib.c - the coordinated-account engine's tables (schema 3): the import
 * writer, the engine's source, a detection run's results, and the reads
 * of `darkwatch cib networks` (cib_store.h, docs/CIB.md).
 *
 * Import speed comes from four things: prepared statements, batches of
 * DW_CIB_BATCH posts per transaction, in-memory caches of account and
 * object ids so a known key costs no SELECT, and a batch's actions
 * inserted sorted by cib_action's key (one pass over its leaves).  The caches are bounded (a
 * full cache is emptied: a miss only costs a SELECT), so a file with tens
 * of millions of distinct URLs imports in bounded memory.  Idempotence
 * comes from the schema: cib_post.key is UNIQUE (INSERT OR IGNORE) and an
 * action's primary key is all of its columns, so writing a row again adds
 * nothing.  Statements live in xst[DW_XST_CIB..+63].  Longer than the
 * usual file: the writer, the engine's source, the run writer and the
 * reads share one statement range and the id caches.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "darkwatch/cib_store.h"
#include "darkwatch/err.h"
#include "store/store_int.h"

enum {
	W_ACC_INS = DW_XST_CIB, W_ACC_GET, W_OBJ_INS, W_OBJ_GET, W_POST_INS,
	W_ACT_INS, W_POST_GET, C_COUNTS, S_MAX, S_SCAN, S_TEXTS, R_RUN_INS, R_RUN_FIN,
	R_POSTKEY, R_NET_INS, R_MEM_INS, R_EDGE_INS, R_EVI_INS, L_ACC_NAME,
	L_OBJ_KEY, Q_RUN_ID, Q_RUN_LAST, Q_NETS, Q_MEMBERS, Q_EDGES, Q_EVI,
	X__END
};
_Static_assert(X__END <= DW_XST_CIB + 64, "cib.c owns 64 slots");

#define X(n) [(n) - DW_XST_CIB]
static const char *const sql_text[] = {
	X(W_ACC_INS) = "INSERT OR IGNORE INTO cib_account(name) VALUES(?1)",
	X(W_ACC_GET) = "SELECT id FROM cib_account WHERE name = ?1",
	X(W_OBJ_INS) = "INSERT OR IGNORE INTO cib_object(trace, key) VALUES(?1, ?2)",
	X(W_OBJ_GET) = "SELECT id FROM cib_object WHERE trace = ?1 AND key = ?2",
	X(W_POST_INS) = "INSERT OR IGNORE INTO cib_post(key, account_id, t, text)"
			" VALUES(?1, ?2, ?3, ?4)",
	X(W_ACT_INS) = "INSERT OR IGNORE INTO cib_action(trace, object_id, t,"
		       " account_id, post_id) VALUES(?1, ?2, ?3, ?4, ?5)",
	X(W_POST_GET) = "SELECT id, account_id, t FROM cib_post WHERE key = ?1",
	X(C_COUNTS) = "SELECT (SELECT count(*) FROM cib_account),"
		      " (SELECT count(*) FROM cib_object),"
		      " (SELECT count(*) FROM cib_post),"
		      " (SELECT count(*) FROM cib_action),"
		      " (SELECT count(*) FROM cib_run WHERE finished IS NOT NULL)",
	X(S_MAX) = "SELECT (SELECT coalesce(max(id), 0) FROM cib_account),"
		   " (SELECT coalesce(max(id), 0) FROM cib_object)",
	/* the primary key's order: no sort */
	X(S_SCAN) = "SELECT object_id, t, account_id, post_id FROM cib_action"
		    " WHERE trace = ?1 ORDER BY object_id, t, account_id",
	X(S_TEXTS) = "SELECT id, account_id, t, text FROM cib_post"
		     " WHERE text IS NOT NULL",
	X(R_RUN_INS) = "INSERT INTO cib_run(started, params, stats)"
		       " VALUES(?1, ?2, ?3)",
	X(R_RUN_FIN) = "UPDATE cib_run SET finished = ?2 WHERE id = ?1",
	X(R_POSTKEY) = "SELECT key FROM cib_post WHERE id = ?1",
	X(R_NET_INS) = "INSERT INTO cib_network(run_id, id, size, score, first_t,"
		       " last_t, traces, indicators, top)"
		       " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	X(R_MEM_INS) = "INSERT OR IGNORE INTO cib_member(run_id, network_id,"
		       " account_id, strength) VALUES(?1, ?2, ?3, ?4)",
	X(R_EDGE_INS) = "INSERT OR IGNORE INTO cib_edge(run_id, network_id, a, b,"
			" weight, shared, traces) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	X(R_EVI_INS) = "INSERT OR IGNORE INTO cib_evidence(run_id, network_id,"
		       " object_id, a, b, ta, tb) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	X(L_ACC_NAME) = "SELECT name FROM cib_account WHERE id = ?1",
	X(L_OBJ_KEY) = "SELECT trace, key FROM cib_object WHERE id = ?1",
	X(Q_RUN_ID) = "SELECT id, started, finished, params, stats FROM cib_run"
		      " WHERE id = ?1",
	X(Q_RUN_LAST) = "SELECT id, started, finished, params, stats FROM cib_run"
			" WHERE finished IS NOT NULL ORDER BY id DESC LIMIT 1",
	X(Q_NETS) = "SELECT id, size, score, first_t, last_t, traces, indicators,"
		    " top FROM cib_network WHERE run_id = ?1"
		    " AND (?2 = 0 OR id = ?2) ORDER BY id",
	X(Q_MEMBERS) = "SELECT m.account_id, a.name, m.strength FROM cib_member m"
		       " JOIN cib_account a ON a.id = m.account_id"
		       " WHERE m.run_id = ?1 AND m.network_id = ?2"
		       " ORDER BY m.strength DESC, a.name",
	X(Q_EDGES) = "SELECT e.a, e.b, x.name, y.name, e.weight, e.shared, e.traces"
		     " FROM cib_edge e JOIN cib_account x ON x.id = e.a"
		     " JOIN cib_account y ON y.id = e.b"
		     " WHERE e.run_id = ?1 AND e.network_id = ?2"
		     " ORDER BY e.weight DESC, e.a, e.b",
	X(Q_EVI) = "SELECT v.object_id, o.trace, o.key, x.name, y.name, v.ta, v.tb"
		   " FROM cib_evidence v JOIN cib_object o ON o.id = v.object_id"
		   " JOIN cib_account x ON x.id = v.a JOIN cib_account y ON y.id = v.b"
		   " WHERE v.run_id = ?1 AND v.network_id = ?2"
		   " ORDER BY v.ta, v.tb, v.object_id",
};
#undef X

static int get(struct dw_store *s, int which, sqlite3_stmt **q)
{
	return dw_store_i_stmt(s, which, sql_text[which - DW_XST_CIB], q);
}

/* ============================================================ id caches */

/* Open addressing over (hash, key) -> id; keys copied into one slab.  At
 * most CACHE_MAX_SLOTS / 2 keys and CACHE_MAX_KEYS bytes: beyond, the
 * cache is emptied (a miss costs one SELECT, never a wrong id). */
#define DW_CIB_CACHE_KIB "1048576" /* page cache while importing: 1 GiB */
#define CACHE_MAX_SLOTS ((size_t)1 << 23)
#define CACHE_MAX_KEYS ((size_t)256 << 20)

struct kslot {
	uint64_t h;
	int64_t id; /* 0: empty */
	uint32_t off, len;
};

struct kcache {
	struct kslot *slot;
	size_t cap, n;
	char *keys;
	size_t klen, kcap;
};

static uint64_t khash(int trace, const char *k, size_t n)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)(trace + 1);
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)k[i];
		h *= 1099511628211ull;
	}
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull; /* low bits index slots */
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

static void kc_free(struct kcache *c)
{
	free(c->slot);
	free(c->keys);
	memset(c, 0, sizeof(*c));
}

static void kc_clear(struct kcache *c)
{
	if (c->slot)
		memset(c->slot, 0, c->cap * sizeof(*c->slot));
	c->n = 0;
	c->klen = 0;
}

/* 1 found (*id), 0 not. */
static int kc_get(const struct kcache *c, uint64_t h, const char *k, size_t n,
		  int64_t *id)
{
	if (!c->cap)
		return 0;
	for (size_t i = h & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
		const struct kslot *sl = &c->slot[i];
		if (!sl->id)
			return 0;
		if (sl->h == h && sl->len == n && !memcmp(c->keys + sl->off, k, n)) {
			*id = sl->id;
			return 1;
		}
	}
}

static int kc_grow(struct kcache *c)
{
	size_t ncap = c->cap ? c->cap * 2 : 4096;
	struct kslot *ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return DW_ENOMEM;
	for (size_t i = 0; i < c->cap; i++) {
		if (!c->slot[i].id)
			continue;
		size_t j = c->slot[i].h & (ncap - 1);
		while (ns[j].id)
			j = (j + 1) & (ncap - 1);
		ns[j] = c->slot[i];
	}
	free(c->slot);
	c->slot = ns;
	c->cap = ncap;
	return 0;
}

/* Remember (k -> id); on allocation failure or a full cache, forget. */
static void kc_put(struct kcache *c, uint64_t h, const char *k, size_t n,
		   int64_t id)
{
	if ((c->n + 1) * 2 > c->cap) {
		if (c->cap >= CACHE_MAX_SLOTS || kc_grow(c) < 0) {
			kc_clear(c);
			if (!c->cap)
				return;
		}
	}
	if (c->klen + n > c->kcap) {
		size_t ncap = c->kcap ? c->kcap * 2 : (size_t)1 << 16;
		while (ncap < c->klen + n)
			ncap *= 2;
		if (ncap > CACHE_MAX_KEYS) {
			kc_clear(c);
			if (n > c->kcap)
				return;
		} else {
			char *nk = realloc(c->keys, ncap);
			if (!nk) {
				kc_clear(c);
				return;
			}
			c->keys = nk;
			c->kcap = ncap;
		}
	}
	memcpy(c->keys + c->klen, k, n);
	size_t i = h & (c->cap - 1);
	while (c->slot[i].id)
		i = (i + 1) & (c->cap - 1);
	c->slot[i] = (struct kslot){h, id, (uint32_t)c->klen, (uint32_t)n};
	c->klen += n;
	c->n++;
}

/* ============================================================== writer */

/* An action waiting for the batch's sorted insert. */
struct act {
	int64_t object, t, account, post;
	int trace;
};
#define ACT_MAX ((size_t)1 << 20) /* buffered actions (40 MiB) at most */

struct dw_cib_writer {
	struct dw_store *s;
	struct act *act;
	size_t nact, actcap;
	size_t batch;
	struct kcache acc, obj;
	size_t pending;
	/* the last post seen: a long layout's next row of it costs nothing */
	int64_t last_id, last_acc, last_t;
	size_t last_len;
	char last_key[DW_CIB_KEY_MAX];
};

int dw_cib_writer_new(struct dw_store *s, size_t batch,
		      struct dw_cib_writer **out)
{
	struct dw_cib_writer *w;
	int rc;

	*out = NULL;
	if ((rc = dw_store_i_writable(s)) < 0)
		return rc;
	if (!(w = calloc(1, sizeof(*w))))
		return DW_ENOMEM;
	w->s = s;
	w->batch = batch ? batch : DW_CIB_BATCH;
	/* The import's B-trees (post keys, object keys, actions) take random
	 * inserts: with SQLite's default 2 MB page cache every insert reads
	 * pages back.  A larger cache for this connection keeps them hot. */
	sqlite3_exec(s->db, "PRAGMA cache_size = -" DW_CIB_CACHE_KIB, NULL, NULL,
		     NULL);
	/* Every id the writer binds comes from this store in this transaction
	 * or a committed one, so the foreign-key checks (three parent lookups
	 * per action) prove nothing: off while importing, on again after. */
	sqlite3_exec(s->db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL);
	if ((rc = dw_store_begin(s)) < 0) {
		free(w);
		return rc;
	}
	*out = w;
	return 0;
}

/* Insert-or-get by a text key (accounts: trace < 0, no trace bound). */
static int id_of(struct dw_store *s, int ins, int sel, int trace,
		 const char *k, size_t n, int64_t *id)
{
	sqlite3_stmt *q = NULL;
	int rc, b = trace >= 0 ? 2 : 1;

	if ((rc = get(s, ins, &q)) < 0)
		return rc;
	if (trace >= 0)
		sqlite3_bind_int(q, 1, trace);
	sqlite3_bind_text(q, b, k, (int)n, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (rc != SQLITE_DONE)
		return dw_store_i_fail(s, rc, "cannot insert a cib key");
	if (sqlite3_changes(s->db) == 1) {
		*id = sqlite3_last_insert_rowid(s->db);
		return 0;
	}
	if ((rc = get(s, sel, &q)) < 0)
		return rc;
	if (trace >= 0)
		sqlite3_bind_int(q, 1, trace);
	sqlite3_bind_text(q, b, k, (int)n, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (rc != SQLITE_ROW)
		return dw_store_i_fail(s, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc,
				       "cannot find a cib key");
	return 0;
}

static int key_ok(struct dw_store *s, const char *k, size_t n, size_t max)
{
	if (!k || n < 1 || n > max || n > INT32_MAX)
		return dw_store_i_msg(s, DW_EINVAL, "cib key of %zu bytes", n);
	return 0;
}

int dw_cib_writer_account(struct dw_cib_writer *w, const char *name,
			  size_t len, int64_t *id)
{
	int rc;
	uint64_t h;

	if ((rc = key_ok(w->s, name, len, DW_CIB_NAME_MAX)) < 0)
		return rc;
	h = khash(-1, name, len);
	if (kc_get(&w->acc, h, name, len, id))
		return 0;
	if ((rc = id_of(w->s, W_ACC_INS, W_ACC_GET, -1, name, len, id)) < 0)
		return rc;
	kc_put(&w->acc, h, name, len, *id);
	return 0;
}

int dw_cib_writer_object(struct dw_cib_writer *w, int trace, const char *key,
			 size_t len, int64_t *id)
{
	int rc;
	uint64_t h;

	if (trace < 0 || trace >= DW_CIB__NTRACE)
		return dw_store_i_msg(w->s, DW_EINVAL, "bad trace %d", trace);
	if ((rc = key_ok(w->s, key, len, DW_CIB_KEY_MAX)) < 0)
		return rc;
	h = khash(trace, key, len);
	if (kc_get(&w->obj, h, key, len, id))
		return 0;
	if ((rc = id_of(w->s, W_OBJ_INS, W_OBJ_GET, trace, key, len, id)) < 0)
		return rc;
	kc_put(&w->obj, h, key, len, *id);
	return 0;
}

int dw_cib_writer_post(struct dw_cib_writer *w, const char *key, size_t klen,
		       int64_t *account, int64_t *t, const char *text,
		       size_t tlen, int64_t *id)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if ((rc = key_ok(w->s, key, klen, DW_CIB_KEY_MAX)) < 0)
		return rc;
	if (text && tlen > INT32_MAX)
		return dw_store_i_msg(w->s, DW_EINVAL, "text too long");
	/* the long layouts give a post's objects on consecutive rows */
	if (w->last_id && w->last_len == klen && !memcmp(w->last_key, key, klen)) {
		*id = w->last_id;
		*account = w->last_acc;
		*t = w->last_t;
		return 0;
	}
	if ((rc = get(w->s, W_POST_INS, &q)) < 0)
		return rc;
	sqlite3_bind_text(q, 1, key, (int)klen, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, *account);
	sqlite3_bind_int64(q, 3, *t);
	if (text)
		sqlite3_bind_text(q, 4, text, (int)tlen, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, 4);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (rc != SQLITE_DONE)
		return dw_store_i_fail(w->s, rc, "cannot insert a post");
	if (sqlite3_changes(w->s->db) == 1) {
		*id = sqlite3_last_insert_rowid(w->s->db);
		rc = 1;
	} else {
		if ((rc = get(w->s, W_POST_GET, &q)) < 0)
			return rc;
		sqlite3_bind_text(q, 1, key, (int)klen, SQLITE_STATIC);
		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW) {
			*id = sqlite3_column_int64(q, 0);
			*account = sqlite3_column_int64(q, 1);
			*t = sqlite3_column_int64(q, 2);
		}
		sqlite3_reset(q);
		sqlite3_clear_bindings(q);
		if (rc != SQLITE_ROW)
			return dw_store_i_fail(w->s, rc == SQLITE_DONE ? SQLITE_CORRUPT
								    : rc,
					       "cannot find a post");
		rc = 0;
	}
	w->last_id = *id;
	w->last_acc = *account;
	w->last_t = *t;
	w->last_len = klen;
	memcpy(w->last_key, key, klen);
	return rc;
}

static int act_cmp(const void *x, const void *y)
{
	const struct act *a = x, *b = y;
	if (a->trace != b->trace)
		return a->trace < b->trace ? -1 : 1;
	if (a->object != b->object)
		return a->object < b->object ? -1 : 1;
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	if (a->account != b->account)
		return a->account < b->account ? -1 : 1;
	return a->post < b->post ? -1 : a->post > b->post;
}

/* Insert the buffered actions in primary-key order: each leaf page of
 * cib_action is then visited once per batch, not once per action. */
static int flush_actions(struct dw_cib_writer *w)
{
	sqlite3_stmt *q = NULL;
	int rc = 0;

	if (!w->nact)
		return 0;
	qsort(w->act, w->nact, sizeof(*w->act), act_cmp);
	if ((rc = get(w->s, W_ACT_INS, &q)) < 0)
		return rc;
	for (size_t i = 0; i < w->nact; i++) {
		const struct act *a = &w->act[i];
		sqlite3_bind_int(q, 1, a->trace);
		sqlite3_bind_int64(q, 2, a->object);
		sqlite3_bind_int64(q, 3, a->t);
		sqlite3_bind_int64(q, 4, a->account);
		sqlite3_bind_int64(q, 5, a->post);
		if ((rc = dw_store_i_run(w->s, q, "cannot insert an action")) < 0)
			break;
	}
	w->nact = 0;
	return rc;
}

int dw_cib_writer_action(struct dw_cib_writer *w, int trace, int64_t object,
			 int64_t t, int64_t account, int64_t post)
{
	int rc;

	if (w->nact == w->actcap) {
		if (w->actcap >= ACT_MAX) {
			if ((rc = flush_actions(w)) < 0)
				return rc;
		} else {
			size_t nc = w->actcap ? w->actcap * 2 : 4096;
			struct act *na = realloc(w->act, nc * sizeof(*na));
			if (!na)
				return DW_ENOMEM;
			w->act = na;
			w->actcap = nc;
		}
	}
	w->act[w->nact++] = (struct act){object, t, account, post, trace};
	return 0;
}

int dw_cib_writer_flush(struct dw_cib_writer *w)
{
	int rc;

	if ((rc = flush_actions(w)) < 0 || (rc = dw_store_commit(w->s)) < 0)
		return rc;
	w->pending = 0;
	return dw_store_begin(w->s);
}

int dw_cib_writer_end_post(struct dw_cib_writer *w)
{
	if (++w->pending < w->batch)
		return 0;
	return dw_cib_writer_flush(w);
}

/* The connection's settings as dw_store_open left them. */
static void writer_done(struct dw_store *s)
{
	sqlite3_exec(s->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	sqlite3_exec(s->db, "PRAGMA cache_size = -2000", NULL, NULL, NULL);
}

int dw_cib_writer_free(struct dw_cib_writer *w)
{
	int rc = 0;

	if (!w)
		return 0;
	if ((rc = flush_actions(w)) < 0 || (rc = dw_store_commit(w->s)) < 0)
		dw_store_rollback(w->s);
	writer_done(w->s);
	kc_free(&w->acc);
	kc_free(&w->obj);
	free(w->act);
	free(w);
	return rc;
}

void dw_cib_writer_abort(struct dw_cib_writer *w)
{
	if (!w)
		return;
	dw_store_rollback(w->s);
	writer_done(w->s);
	kc_free(&w->acc);
	kc_free(&w->obj);
	free(w->act);
	free(w);
}

int dw_store_cib_counts(struct dw_store *s, struct dw_cib_counts *c)
{
	sqlite3_stmt *q = NULL;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = get(s, C_COUNTS, &q)) < 0)
		return rc;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		c->accounts = sqlite3_column_int64(q, 0);
		c->objects = sqlite3_column_int64(q, 1);
		c->posts = sqlite3_column_int64(q, 2);
		c->actions = sqlite3_column_int64(q, 3);
		c->runs = sqlite3_column_int64(q, 4);
	}
	sqlite3_reset(q);
	return rc == SQLITE_ROW ? 0 : dw_store_i_fail(s, rc, "cannot count");
}

/* ============================================================== source */

static int src_scan(void *ctx, int trace, dw_cib_action_fn fn, void *fctx)
{
	struct dw_store *s = ctx;
	sqlite3_stmt *q = NULL;
	struct dw_cib_action a;
	int rc;

	if (trace < 0 || trace >= DW_CIB_TEXT)
		return DW_EINVAL;
	if ((rc = get(s, S_SCAN, &q)) < 0)
		return rc;
	sqlite3_bind_int(q, 1, trace);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t o = sqlite3_column_int64(q, 0);
		int64_t acc = sqlite3_column_int64(q, 2);
		if (o < 1 || o > UINT32_MAX || acc < 1 || acc > UINT32_MAX) {
			rc = dw_store_i_msg(s, DW_EFORMAT, "cib id out of range");
			goto out;
		}
		a.object = (uint32_t)o;
		a.t = sqlite3_column_int64(q, 1);
		a.account = (uint32_t)acc;
		a.post = sqlite3_column_int64(q, 3);
		if ((rc = fn(fctx, &a)) < 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : dw_store_i_fail(s, rc, "cannot scan actions");
out:
	sqlite3_reset(q);
	return rc;
}

static int src_texts(void *ctx, dw_cib_text_fn fn, void *fctx)
{
	struct dw_store *s = ctx;
	sqlite3_stmt *q = NULL;
	struct dw_cib_text p;
	int rc;

	if ((rc = get(s, S_TEXTS, &q)) < 0)
		return rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t acc = sqlite3_column_int64(q, 1);
		if (acc < 1 || acc > UINT32_MAX) {
			rc = dw_store_i_msg(s, DW_EFORMAT, "cib id out of range");
			goto out;
		}
		p.post = sqlite3_column_int64(q, 0);
		p.account = (uint32_t)acc;
		p.t = sqlite3_column_int64(q, 2);
		p.text = (const char *)sqlite3_column_text(q, 3);
		p.len = (size_t)sqlite3_column_bytes(q, 3);
		if (!p.text)
			continue;
		if ((rc = fn(fctx, &p)) < 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : dw_store_i_fail(s, rc, "cannot scan texts");
out:
	sqlite3_reset(q);
	return rc;
}

int dw_store_cib_source(struct dw_store *s, struct dw_cib_source *src)
{
	sqlite3_stmt *q = NULL;
	int rc;

	memset(src, 0, sizeof(*src));
	if ((rc = get(s, S_MAX, &q)) < 0)
		return rc;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		int64_t na = sqlite3_column_int64(q, 0);
		int64_t no = sqlite3_column_int64(q, 1);
		if (na > UINT32_MAX || no > UINT32_MAX)
			rc = SQLITE_TOOBIG;
		src->naccounts = (uint32_t)na;
		src->nobjects = (uint32_t)no;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_ROW)
		return dw_store_i_fail(s, rc, "cannot size the cib tables");
	src->ctx = s;
	src->scan = src_scan;
	src->texts = src_texts;
	return 0;
}

void dw_store_cib_source_done(struct dw_cib_source *src)
{
	if (src)
		memset(src, 0, sizeof(*src));
}

/* ============================================================ lookups */

static int lookup_text(struct dw_store *s, int which, int64_t id, int col,
		       int *icol0, char *buf, size_t cap)
{
	sqlite3_stmt *q = NULL;
	int rc, found = 0;

	if ((rc = get(s, which, &q)) < 0)
		return rc;
	sqlite3_bind_int64(q, 1, id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(q, col);
		size_t n = (size_t)sqlite3_column_bytes(q, col);
		if (icol0)
			*icol0 = sqlite3_column_int(q, 0);
		if (cap) {
			if (n >= cap)
				n = cap - 1;
			if (t)
				memcpy(buf, t, n);
			buf[t ? n : 0] = '\0';
		}
		found = 1;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return dw_store_i_fail(s, rc, "cannot look a cib row up");
	return found;
}

int dw_store_cib_account_name(struct dw_store *s, int64_t id, char *buf,
			      size_t cap)
{
	return lookup_text(s, L_ACC_NAME, id, 0, NULL, buf, cap);
}

int dw_store_cib_object_key(struct dw_store *s, int64_t id, int *trace,
			    char *buf, size_t cap)
{
	return lookup_text(s, L_OBJ_KEY, id, 1, trace, buf, cap);
}

/* ============================================================ run write */

static void traces_str(unsigned bits, char *buf, size_t cap)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int t = 0; t < DW_CIB__NTRACE; t++) {
		const char *nm = dw_cib_trace_name(t);
		if (!(bits & (1u << t)) || !nm)
			continue;
		int k = snprintf(buf + n, cap - n, "%s%s", n ? "," : "", nm);
		if (k < 0 || (size_t)k >= cap - n)
			break;
		n += (size_t)k;
	}
}

struct runw {
	struct dw_store *s;
	const struct dw_cib_result *r;
	int64_t *textobj; /* text cluster -> cib_object id, 0 unknown */
};

/* The store's object id of a result object (text clusters get a row). */
static int obj_id(struct runw *w, int trace, uint32_t object, int64_t *id)
{
	char key[DW_CIB_KEY_MAX + 8];
	int rc;

	if (trace != DW_CIB_TEXT) {
		*id = object;
		return 0;
	}
	if (!w->textobj || object >= w->r->ntext_post || object == 0)
		return dw_store_i_msg(w->s, DW_EINVAL, "text cluster %u unknown",
				      object);
	if (w->textobj[object]) {
		*id = w->textobj[object];
		return 0;
	}
	memcpy(key, "text:", 5);
	rc = lookup_text(w->s, R_POSTKEY, w->r->text_post[object], 0, NULL,
			 key + 5, sizeof(key) - 5);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return dw_store_i_msg(w->s, DW_EINVAL, "post %lld unknown",
				      (long long)w->r->text_post[object]);
	if ((rc = id_of(w->s, W_OBJ_INS, W_OBJ_GET, DW_CIB_TEXT, key,
			strlen(key), id)) < 0)
		return rc;
	w->textobj[object] = *id;
	return 0;
}

/* {trace name: [{key, count}, ...]} of a network's top objects. */
static int top_json(struct runw *w, const struct dw_cib_network *n,
		    char **out)
{
	char key[DW_CIB_KEY_MAX + 8];
	json_t *o = json_object();
	int rc = 0, tr;

	*out = NULL;
	if (!o)
		return DW_ENOMEM;
	for (size_t i = 0; i < n->ntop; i++) {
		const struct dw_cib_top *t = &n->top[i];
		const char *nm = dw_cib_trace_name(t->trace);
		int64_t id;
		if (!nm)
			continue;
		if ((rc = obj_id(w, t->trace, t->object, &id)) < 0)
			goto out;
		if ((rc = dw_store_cib_object_key(w->s, id, &tr, key,
						  sizeof(key))) < 0)
			goto out;
		if (rc == 0)
			continue;
		json_t *arr = json_object_get(o, nm);
		if (!arr) {
			arr = json_array();
			if (!arr || json_object_set_new(o, nm, arr) < 0) {
				rc = DW_ENOMEM;
				goto out;
			}
		}
		json_array_append_new(arr, json_pack("{s:s,s:I,s:I}", "key", key,
						     "object", (json_int_t)id,
						     "count", (json_int_t)t->count));
	}
	rc = (*out = json_dumps(o, JSON_COMPACT)) ? 0 : DW_ENOMEM;
out:
	json_decref(o);
	return rc;
}

static int write_net(struct runw *w, int64_t run, const struct dw_cib_network *n,
		     const char *ind)
{
	struct dw_store *s = w->s;
	sqlite3_stmt *q = NULL;
	char tr[128];
	char *top = NULL;
	int rc;

	if ((rc = top_json(w, n, &top)) < 0)
		return rc;
	if ((rc = get(s, R_NET_INS, &q)) < 0)
		goto out;
	traces_str(n->traces, tr, sizeof(tr));
	sqlite3_bind_int64(q, 1, run);
	sqlite3_bind_int64(q, 2, n->id);
	sqlite3_bind_int64(q, 3, (int64_t)n->nmembers);
	sqlite3_bind_double(q, 4, n->score);
	sqlite3_bind_int64(q, 5, n->first_t);
	sqlite3_bind_int64(q, 6, n->last_t);
	sqlite3_bind_text(q, 7, tr, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 8, ind ? ind : "[]", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 9, top, -1, SQLITE_TRANSIENT);
	if ((rc = dw_store_i_run(s, q, "cannot write a network")) < 0)
		goto out;
	for (size_t i = 0; i < n->nmembers; i++) {
		if ((rc = get(s, R_MEM_INS, &q)) < 0)
			goto out;
		sqlite3_bind_int64(q, 1, run);
		sqlite3_bind_int64(q, 2, n->id);
		sqlite3_bind_int64(q, 3, n->members[i].account);
		sqlite3_bind_double(q, 4, n->members[i].strength);
		if ((rc = dw_store_i_run(s, q, "cannot write a member")) < 0)
			goto out;
	}
	for (size_t i = 0; i < n->nedges; i++) {
		const struct dw_cib_edge *e = &n->edges[i];
		if ((rc = get(s, R_EDGE_INS, &q)) < 0)
			goto out;
		traces_str(e->traces, tr, sizeof(tr));
		sqlite3_bind_int64(q, 1, run);
		sqlite3_bind_int64(q, 2, n->id);
		sqlite3_bind_int64(q, 3, e->a);
		sqlite3_bind_int64(q, 4, e->b);
		sqlite3_bind_double(q, 5, e->weight);
		sqlite3_bind_int64(q, 6, e->shared);
		sqlite3_bind_text(q, 7, tr, -1, SQLITE_TRANSIENT);
		if ((rc = dw_store_i_run(s, q, "cannot write an edge")) < 0)
			goto out;
	}
	for (size_t i = 0; i < n->nevidence; i++) {
		const struct dw_cib_evidence *e = &n->evidence[i];
		int64_t oid;
		if ((rc = obj_id(w, e->trace, e->object, &oid)) < 0 ||
		    (rc = get(s, R_EVI_INS, &q)) < 0)
			goto out;
		sqlite3_bind_int64(q, 1, run);
		sqlite3_bind_int64(q, 2, n->id);
		sqlite3_bind_int64(q, 3, oid);
		sqlite3_bind_int64(q, 4, e->a);
		sqlite3_bind_int64(q, 5, e->b);
		sqlite3_bind_int64(q, 6, e->ta);
		sqlite3_bind_int64(q, 7, e->tb);
		if ((rc = dw_store_i_run(s, q, "cannot write evidence")) < 0)
			goto out;
	}
out:
	free(top);
	return rc;
}

int dw_store_cib_run_write(struct dw_store *s, int64_t started,
			   const char *params, const char *stats,
			   const struct dw_cib_result *r,
			   const char *const *indicators, int64_t *run_id)
{
	struct runw w = {s, r, NULL};
	sqlite3_stmt *q = NULL;
	int64_t run = 0;
	int rc;

	if ((rc = dw_store_i_writable(s)) < 0)
		return rc;
	if (r->ntext_post &&
	    !(w.textobj = calloc(r->ntext_post, sizeof(*w.textobj))))
		return DW_ENOMEM;
	if ((rc = dw_store_begin(s)) < 0)
		goto out;
	if ((rc = get(s, R_RUN_INS, &q)) < 0)
		goto fail;
	sqlite3_bind_int64(q, 1, started);
	sqlite3_bind_text(q, 2, params ? params : "{}", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 3, stats ? stats : "{}", -1, SQLITE_TRANSIENT);
	if ((rc = dw_store_i_run(s, q, "cannot write a run")) < 0)
		goto fail;
	run = sqlite3_last_insert_rowid(s->db);
	for (size_t i = 0; i < r->nnet; i++)
		if ((rc = write_net(&w, run, &r->net[i],
				    indicators ? indicators[i] : NULL)) < 0)
			goto fail;
	if ((rc = get(s, R_RUN_FIN, &q)) < 0)
		goto fail;
	sqlite3_bind_int64(q, 1, run);
	sqlite3_bind_int64(q, 2, (int64_t)time(NULL));
	if ((rc = dw_store_i_run(s, q, "cannot finish a run")) < 0 ||
	    (rc = dw_store_commit(s)) < 0)
		goto fail;
	*run_id = run;
	goto out;
fail:
	dw_store_rollback(s);
out:
	free(w.textobj);
	return rc;
}

/* ================================================================ reads */

static const char *col_text(sqlite3_stmt *q, int i)
{
	const char *t = (const char *)sqlite3_column_text(q, i);
	return t ? t : "";
}

int dw_store_cib_run(struct dw_store *s, int64_t id, dw_cib_run_fn fn,
		     void *ctx)
{
	sqlite3_stmt *q = NULL;
	struct dw_cib_run_row r;
	int rc, found = 0;

	if ((rc = get(s, id > 0 ? Q_RUN_ID : Q_RUN_LAST, &q)) < 0)
		return rc;
	if (id > 0)
		sqlite3_bind_int64(q, 1, id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		r.id = sqlite3_column_int64(q, 0);
		r.started = sqlite3_column_int64(q, 1);
		r.finished = sqlite3_column_type(q, 2) == SQLITE_NULL
				     ? -1 : sqlite3_column_int64(q, 2);
		r.params = col_text(q, 3);
		r.stats = col_text(q, 4);
		found = 1;
		rc = fn(ctx, &r);
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = dw_store_i_fail(s, rc, "cannot read a run");
	}
	sqlite3_reset(q);
	return rc < 0 ? rc : found;
}

/* Step q (bound to run, net), calling row(q) per row. */
static int each(struct dw_store *s, sqlite3_stmt *q, int64_t run, int64_t net,
		int (*row)(sqlite3_stmt *q, void *fn, void *ctx), void *fn,
		void *ctx)
{
	int rc, n = 0;

	sqlite3_bind_int64(q, 1, run);
	sqlite3_bind_int64(q, 2, net);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if ((rc = row(q, fn, ctx)) < 0)
			goto out;
		n++;
	}
	rc = rc == SQLITE_DONE ? n : dw_store_i_fail(s, rc, "cannot read cib");
out:
	sqlite3_reset(q);
	return rc;
}

static int net_row(sqlite3_stmt *q, void *fn, void *ctx)
{
	struct dw_cib_net_row n = {
		sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1),
		sqlite3_column_double(q, 2), sqlite3_column_int64(q, 3),
		sqlite3_column_int64(q, 4), col_text(q, 5), col_text(q, 6),
		col_text(q, 7)};
	return ((dw_cib_net_fn)fn)(ctx, &n);
}

static int member_row(sqlite3_stmt *q, void *fn, void *ctx)
{
	struct dw_cib_member_row m = {sqlite3_column_int64(q, 0),
				      col_text(q, 1),
				      sqlite3_column_double(q, 2)};
	return ((dw_cib_member_fn)fn)(ctx, &m);
}

static int edge_row(sqlite3_stmt *q, void *fn, void *ctx)
{
	struct dw_cib_edge_row e = {
		sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1),
		col_text(q, 2), col_text(q, 3), sqlite3_column_double(q, 4),
		sqlite3_column_int64(q, 5), col_text(q, 6)};
	return ((dw_cib_edge_fn)fn)(ctx, &e);
}

static int evi_row(sqlite3_stmt *q, void *fn, void *ctx)
{
	struct dw_cib_evidence_row e = {
		sqlite3_column_int64(q, 0), sqlite3_column_int(q, 1),
		col_text(q, 2), col_text(q, 3), col_text(q, 4),
		sqlite3_column_int64(q, 5), sqlite3_column_int64(q, 6)};
	return ((dw_cib_evidence_fn)fn)(ctx, &e);
}

int dw_store_cib_networks(struct dw_store *s, int64_t run, int64_t net,
			  dw_cib_net_fn fn, void *ctx)
{
	sqlite3_stmt *q = NULL;
	int rc = get(s, Q_NETS, &q);
	return rc < 0 ? rc : each(s, q, run, net, net_row, (void *)fn, ctx);
}

int dw_store_cib_members(struct dw_store *s, int64_t run, int64_t net,
			 dw_cib_member_fn fn, void *ctx)
{
	sqlite3_stmt *q = NULL;
	int rc = get(s, Q_MEMBERS, &q);
	return rc < 0 ? rc : each(s, q, run, net, member_row, (void *)fn, ctx);
}

int dw_store_cib_edges(struct dw_store *s, int64_t run, int64_t net,
		       dw_cib_edge_fn fn, void *ctx)
{
	sqlite3_stmt *q = NULL;
	int rc = get(s, Q_EDGES, &q);
	return rc < 0 ? rc : each(s, q, run, net, edge_row, (void *)fn, ctx);
}

int dw_store_cib_evidence(struct dw_store *s, int64_t run, int64_t net,
			  dw_cib_evidence_fn fn, void *ctx)
{
	sqlite3_stmt *q = NULL;
	int rc = get(s, Q_EVI, &q);
	return rc < 0 ? rc : each(s, q, run, net, evi_row, (void *)fn, ctx);
}
