/*
 * import.c - the CIB importers: CSV layouts through libcsv, JSON Lines
 * through jansson, rows normalised and handed to a callback or the store
 * (import.h; docs/CIB.md, Import formats).
 *
 * Every layout is a map from column (or key) names to roles, so the four
 * formats share one record path: collect the fields of a record, then
 * build one row from them (emit).  The CSV input is handed to libcsv one
 * line at a time so the parser always knows the line it is on: a record
 * ending on line L that held k newlines inside quotes started on line
 * L - k, the number a bad-row message gives.
 *
 * Longer than the usual file because the four layouts share everything
 * but their column tables and the two tokenisers (CSV, JSONL); splitting
 * them would expose the record builder (emit) to both halves.
 */
#include <csv.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "cib/import.h"
#include "cib/url.h"
#include "common/utf8.h"
#include "darkwatch/cib.h"
#include "darkwatch/cib_store.h"
#include "darkwatch/err.h"
#include "darkwatch/timefmt.h"

enum role {
	R_NONE, R_ACCOUNT, R_TIME, R_POST, R_SHARED, R_URL, R_DOMAIN,
	R_HASHTAG, R_IMAGE, R_TEXT, R_ISRT
};

struct colname {
	const char *name;
	int role;
};

static const struct colname generic_cols[] = {
	{"account", R_ACCOUNT}, {"time", R_TIME}, {"post", R_POST},
	{"shared", R_SHARED}, {"retweet", R_SHARED}, {"url", R_URL},
	{"urls", R_URL}, {"domain", R_DOMAIN}, {"domains", R_DOMAIN},
	{"hashtag", R_HASHTAG}, {"hashtags", R_HASHTAG}, {"image", R_IMAGE},
	{"images", R_IMAGE}, {"text", R_TEXT}, {NULL, 0}};
static const struct colname coortweet_cols[] = {
	{"object_id", R_SHARED}, {"account_id", R_ACCOUNT},
	{"content_id", R_POST}, {"timestamp_share", R_TIME}, {NULL, 0}};
static const struct colname twitter_cols[] = {
	{"tweetid", R_POST}, {"userid", R_ACCOUNT}, {"tweet_time", R_TIME},
	{"tweet_text", R_TEXT}, {"retweet_tweetid", R_SHARED},
	{"urls", R_URL}, {"hashtags", R_HASHTAG}, {"is_retweet", R_ISRT},
	{NULL, 0}};

static const char *const fmt_names[DW_CIB__NFMT] = {
	"generic", "jsonl", "coortweet", "twitter-io"};

int dw_cib_format_parse(const char *name)
{
	for (int i = 0; name && i < DW_CIB__NFMT; i++)
		if (!strcmp(name, fmt_names[i]))
			return i;
	return -1;
}

const char *dw_cib_format_name(int format)
{
	return format >= 0 && format < DW_CIB__NFMT ? fmt_names[format] : NULL;
}

struct field {
	int role, split;
	size_t off, len;
};

#define MAXCOLS 4096
#define ARENA_CAP (DW_CIB_ROW_MAXOBJ * (DW_CIB_KEY_MAX + 1))

struct dw_cib_parser {
	int fmt;
	dw_cib_row_fn row;
	dw_cib_bad_fn bad;
	void *ctx;
	int err, started;
	char msg[256];
	struct dw_cib_parse_stats st;
	uint64_t line; /* the line being read, 1-based */
	/* CSV */
	struct csv_parser csv;
	int csv_on, header_done;
	unsigned char *roles;
	size_t ncols, col, rec_nl;
	int rec_over;
	/* fields of the current record, bytes in fb */
	char *fb;
	size_t fbn, fbcap;
	struct field *fld;
	size_t nfld, fldcap;
	/* JSONL line */
	char *lb;
	size_t lbn, lbcap;
	int lb_over;
	uint64_t lb_line;
	/* the row being built */
	char *arena;
	size_t an;
	struct dw_cib_obj obj[DW_CIB_ROW_MAXOBJ];
	size_t nobj;
	char reason[160];
	char qbuf[64];
};

static const struct colname *cols_of(int fmt)
{
	switch (fmt) {
	case DW_CIB_FMT_COORTWEET: return coortweet_cols;
	case DW_CIB_FMT_TWITTER_IO: return twitter_cols;
	default: return generic_cols;
	}
}

static int is_sp(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	       c == '\v';
}

static void trim(const char **s, size_t *n)
{
	while (*n && is_sp((unsigned char)(*s)[0]))
		(*s)++, (*n)--;
	while (*n && is_sp((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

static int role_of(int fmt, const char *name, size_t n)
{
	if (n >= 3 && !memcmp(name, "\xef\xbb\xbf", 3))
		name += 3, n -= 3;
	trim(&name, &n);
	for (const struct colname *c = cols_of(fmt); c->name; c++)
		if (strlen(c->name) == n && !strncasecmp(c->name, name, n))
			return c->role;
	return R_NONE;
}

/* ------------------------------------------------------------- reasons */

/* The value v as a short printable quote for a message. */
static void quote(char *out, size_t cap, const char *v, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 4 < cap; i++) {
		unsigned char c = (unsigned char)v[i];
		out[o++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
		if (i == 40 && n > 44) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
	}
	out[o] = '\0';
}

/* v[0..n) quoted for a message (borrowed: until the next call). */
static const char *qv(struct dw_cib_parser *p, const char *v, size_t n)
{
	quote(p->qbuf, sizeof(p->qbuf), v, n);
	return p->qbuf;
}

__attribute__((format(printf, 3, 4))) static void
bad(struct dw_cib_parser *p, uint64_t line, const char *fmt, ...)
{
	va_list ap;

	p->st.bad++;
	if (!p->bad)
		return;
	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
	p->bad(p->ctx, line, p->reason);
}

/* ---------------------------------------------------------------- time */

int dw_cib_time_parse(const char *s, size_t n, int64_t *t)
{
	char buf[64];
	size_t i = 0, k = 0;

	trim(&s, &n);
	if (!n || n >= sizeof(buf))
		return DW_EINVAL;
	if (s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) {
		/* epoch seconds, maybe with a fraction, maybe milliseconds */
		int neg = s[0] == '-';
		uint64_t v = 0;
		i = neg;
		if (i == n)
			goto iso;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			if (v > 999999999999999ull)
				return DW_EINVAL;
			v = v * 10 + (uint64_t)(s[i] - '0');
		}
		if (i < n && s[i] == '.') {
			size_t j = i + 1;
			while (j < n && s[j] >= '0' && s[j] <= '9')
				j++;
			if (j != n || j == i + 1)
				goto iso;
		} else if (i != n) {
			goto iso;
		}
		if (v > 100000000000ull)
			v /= 1000; /* milliseconds */
		int64_t x = neg ? -(int64_t)v : (int64_t)v;
		if (neg && i < n)
			x -= 1; /* floor of a negative fraction */
		if (x < DW_TIME_MIN || x > DW_TIME_MAX)
			return DW_EINVAL;
		*t = x;
		return 0;
	}
iso:
	/* drop a fraction of a second: "14:05:09.123Z" -> "14:05:09Z" */
	for (i = 0; i < n; i++) {
		if (s[i] == '.' && i >= 2 && s[i - 1] >= '0' && s[i - 1] <= '9' &&
		    i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9' &&
		    memchr(s, ':', i)) {
			i++;
			while (i < n && s[i] >= '0' && s[i] <= '9')
				i++;
			i--;
			continue;
		}
		buf[k++] = s[i];
	}
	buf[k] = '\0';
	return dw_time_parse(buf, t);
}

/* ------------------------------------------------------------- row build */

/* Valid UTF-8 where tabs and line breaks are allowed (texts). */
static int text_ok(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && s[j] != '\n' && s[j] != '\r' && s[j] != '\t')
			j++;
		if (j > i && !dw_utf8_text_ok(s + i, j - i))
			return 0;
		i = j + 1;
	}
	return 1;
}

static void add_obj(struct dw_cib_parser *p, int trace, const char *k,
		    size_t n)
{
	if (!n || n > DW_CIB_KEY_MAX || !dw_utf8_text_ok(k, n)) {
		p->st.dropped++;
		return;
	}
	for (size_t i = 0; i < p->nobj; i++)
		if (p->obj[i].trace == trace && p->obj[i].len == n &&
		    !memcmp(p->obj[i].key, k, n))
			return;
	if (p->nobj == DW_CIB_ROW_MAXOBJ || p->an + n + 1 > ARENA_CAP) {
		p->st.dropped++;
		return;
	}
	char *d = p->arena + p->an;
	memcpy(d, k, n);
	d[n] = '\0';
	p->an += n + 1;
	p->obj[p->nobj++] = (struct dw_cib_obj){trace, d, n};
}

static void add_items(struct dw_cib_parser *p, const struct field *f,
		      int derive_domain)
{
	char buf[DW_CIB_KEY_MAX + 1];
	const char *s = p->fb + f->off, *end = s + f->len, *it, *h;
	size_t n, hl;
	int r;

	for (;;) {
		if (f->split) {
			if (!dw_cib_list_next(&s, end, &it, &n))
				return;
		} else {
			it = s;
			n = (size_t)(end - s);
			trim(&it, &n);
			if (!n)
				return;
			s = end;
		}
		switch (f->role) {
		case R_URL:
			r = dw_cib_url_norm(it, n, buf, sizeof(buf), &h, &hl);
			if (r < 0) {
				p->st.dropped++;
				break;
			}
			add_obj(p, DW_CIB_URL, buf, (size_t)r);
			if (derive_domain) {
				char d[1024];
				int dl = dw_cib_domain(h, hl, d, sizeof(d));
				if (dl > 0)
					add_obj(p, DW_CIB_DOMAIN, d, (size_t)dl);
			}
			break;
		case R_DOMAIN:
			r = dw_cib_domain(it, n, buf, sizeof(buf));
			if (r > 0)
				add_obj(p, DW_CIB_DOMAIN, buf, (size_t)r);
			else
				p->st.dropped++;
			break;
		case R_HASHTAG:
			r = dw_cib_hashtag_norm(it, n, buf, sizeof(buf));
			if (r > 0)
				add_obj(p, DW_CIB_HASHTAG, buf, (size_t)r);
			else
				p->st.dropped++;
			break;
		case R_SHARED:
			add_obj(p, DW_CIB_RETWEET, it, n);
			break;
		case R_IMAGE:
			add_obj(p, DW_CIB_IMAGE, it, n);
			break;
		default:
			return;
		}
		if (!f->split)
			return;
	}
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ull;
	}
	return h;
}

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* "h:" + 32 hex digits of the row's normalised content. */
static size_t content_key(const struct dw_cib_row *r, char out[40])
{
	uint64_t h1 = 1469598103934665603ull, h2 = 0x84222325cbf29ce4ull;
	char tb[24];
	int tl = snprintf(tb, sizeof(tb), "%" PRId64, r->t);

	for (int k = 0; k < 2; k++) {
		uint64_t h = k ? h2 : h1;
		h = fnv(h, r->account, r->account_len + 1);
		h = fnv(h, tb, (size_t)tl + 1);
		for (size_t i = 0; i < r->nobj; i++) {
			unsigned char tr = (unsigned char)r->obj[i].trace;
			h = fnv(h, &tr, 1);
			h = fnv(h, r->obj[i].key, r->obj[i].len + 1);
		}
		if (r->text)
			h = fnv(h, r->text, r->text_len);
		if (k)
			h2 = mix(h);
		else
			h1 = mix(h);
	}
	snprintf(out, 40, "h:%016" PRIx64 "%016" PRIx64, h1, h2);
	return 34;
}

static int truthy(const char *s, size_t n)
{
	trim(&s, &n);
	return (n == 4 && !strncasecmp(s, "true", 4)) || (n == 1 && s[0] == '1') ||
	       (n == 3 && !strncasecmp(s, "yes", 3));
}

/* Build and deliver the row of the collected fields. */
static int emit(struct dw_cib_parser *p, uint64_t line)
{
	struct dw_cib_row r = {.line = line};
	const char *acc = NULL, *tm = NULL, *post = NULL, *text = NULL;
	size_t accn = 0, tmn = 0, postn = 0, textn = 0;
	int isrt = 0, has_domain = 0;
	char hk[40];

	p->an = 0;
	p->nobj = 0;
	for (size_t i = 0; i < p->nfld; i++) {
		const struct field *f = &p->fld[i];
		const char *s = p->fb + f->off;
		size_t n = f->len;
		if (f->role != R_TEXT)
			trim(&s, &n);
		switch (f->role) {
		case R_ACCOUNT: acc = s, accn = n; break;
		case R_TIME: tm = s, tmn = n; break;
		case R_POST: post = s, postn = n; break;
		case R_TEXT: text = s, textn = n; break;
		case R_ISRT: isrt = truthy(s, n); break;
		case R_DOMAIN: has_domain |= n > 0; break;
		default: break;
		}
	}
	if (!acc || !accn) {
		bad(p, line, "no account");
		return 0;
	}
	if (accn > DW_CIB_NAME_MAX || !dw_utf8_text_ok(acc, accn)) {
		bad(p, line, "account '%s' is not UTF-8 text of 1..1024 bytes",
		    qv(p, acc, accn));
		return 0;
	}
	if (!tm || !tmn) {
		bad(p, line, "no time");
		return 0;
	}
	if (dw_cib_time_parse(tm, tmn, &r.t) < 0) {
		bad(p, line, "bad time '%s' (epoch seconds or ISO 8601 UTC)",
		    qv(p, tm, tmn));
		return 0;
	}
	if (post && postn &&
	    (postn > DW_CIB_KEY_MAX || !dw_utf8_text_ok(post, postn))) {
		bad(p, line, "post id '%s' is not UTF-8 text of 1..2048 bytes",
		    qv(p, post, postn));
		return 0;
	}
	for (size_t i = 0; i < p->nfld; i++)
		add_items(p, &p->fld[i], !has_domain);
	if (text && p->fmt == DW_CIB_FMT_TWITTER_IO && isrt)
		text = NULL; /* a retweet's text is the original's */
	if (text) {
		const char *ts = text;
		size_t tn = textn;
		trim(&ts, &tn);
		if (!tn) {
			text = NULL;
		} else if (!text_ok(text, textn)) {
			p->st.dropped++;
			text = NULL;
		}
	}
	r.account = acc;
	r.account_len = accn;
	r.text = text;
	r.text_len = text ? textn : 0;
	r.obj = p->obj;
	r.nobj = p->nobj;
	if (post && postn) {
		r.post = post;
		r.post_len = postn;
	} else {
		r.post_len = content_key(&r, hk);
		r.post = hk;
	}
	p->st.rows++;
	return p->row ? p->row(p->ctx, &r) : 0;
}

/* ----------------------------------------------------------------- CSV */

static int add_field(struct dw_cib_parser *p, int role, int split,
		     const char *s, size_t n)
{
	if (p->nfld == p->fldcap) {
		size_t nc = p->fldcap ? p->fldcap * 2 : 16;
		struct field *nf = realloc(p->fld, nc * sizeof(*nf));
		if (!nf)
			return DW_ENOMEM;
		p->fld = nf;
		p->fldcap = nc;
	}
	if (n + 1 > DW_CIB_RECORD_MAX - p->fbn) {
		p->rec_over = 1;
		return 0;
	}
	if (p->fbn + n + 1 > p->fbcap) {
		size_t nc = p->fbcap ? p->fbcap : 4096;
		while (nc < p->fbn + n + 1)
			nc *= 2;
		char *nb = realloc(p->fb, nc);
		if (!nb)
			return DW_ENOMEM;
		p->fb = nb;
		p->fbcap = nc;
	}
	if (n)
		memcpy(p->fb + p->fbn, s, n);
	p->fb[p->fbn + n] = '\0';
	p->fld[p->nfld++] = (struct field){role, split, p->fbn, n};
	p->fbn += n + 1;
	return 0;
}

static void rec_reset(struct dw_cib_parser *p)
{
	p->col = 0;
	p->rec_nl = 0;
	p->rec_over = 0;
	p->nfld = 0;
	p->fbn = 0;
}

static void csv_field(void *s, size_t n, void *ctx)
{
	struct dw_cib_parser *p = ctx;
	const char *f = s ? s : "";
	size_t col = p->col++;

	if (p->err)
		return;
	for (const char *c = f; (c = memchr(c, '\n', n - (size_t)(c - f)));
	     c++)
		p->rec_nl++;
	if (!s)
		n = 0;
	if (!p->header_done) {
		if (col >= MAXCOLS) {
			p->rec_over = 1;
			return;
		}
		if (col >= p->ncols) {
			unsigned char *nr = realloc(p->roles, col + 1);
			if (!nr) {
				p->err = DW_ENOMEM;
				return;
			}
			p->roles = nr;
			p->ncols = col + 1;
		}
		p->roles[col] = (unsigned char)role_of(p->fmt, f, n);
		return;
	}
	if (col >= p->ncols || p->roles[col] == R_NONE)
		return;
	int role = p->roles[col];
	int split = role == R_URL || role == R_DOMAIN || role == R_HASHTAG;
	if ((p->err = add_field(p, role, split, f, n)) < 0)
		return;
}

static int check_header(struct dw_cib_parser *p, uint64_t line)
{
	static const struct { int role; const char *what; } need[] = {
		{R_ACCOUNT, "account"}, {R_TIME, "time"}};
	int have[R_ISRT + 1] = {0};

	if (p->rec_over) {
		snprintf(p->msg, sizeof(p->msg), "line %" PRIu64 ": header of "
			 "more than %d columns", line, MAXCOLS);
		return DW_EFORMAT;
	}
	for (size_t i = 0; i < p->ncols; i++)
		have[p->roles[i]] = 1;
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if (have[need[i].role])
			continue;
		const char *col = need[i].what;
		for (const struct colname *c = cols_of(p->fmt); c->name; c++)
			if (c->role == need[i].role) {
				col = c->name;
				break;
			}
		snprintf(p->msg, sizeof(p->msg), "line %" PRIu64 ": the header "
			 "has no '%s' column (not a %s file?)", line, col,
			 fmt_names[p->fmt]);
		return DW_EFORMAT;
	}
	return 0;
}

static void csv_record(int term, void *ctx)
{
	struct dw_cib_parser *p = ctx;
	uint64_t line = p->line >= p->rec_nl ? p->line - p->rec_nl : 1;

	(void)term;
	if (p->err)
		goto out;
	if (!p->header_done) {
		p->header_done = 1;
		p->err = check_header(p, line);
		goto out;
	}
	if (p->rec_over)
		bad(p, line, "record longer than 64 MiB");
	else if (p->col != p->ncols) {
		bad(p, line, "%zu fields where the header has %zu", p->col,
		    p->ncols);
	} else {
		int rc = emit(p, line);
		if (rc < 0)
			p->err = rc;
	}
out:
	rec_reset(p);
}

/* libcsv grows its field buffer with this: capped, so one endless quoted
 * field cannot take all memory. */
static void *capped_realloc(void *ptr, size_t n)
{
	return n > DW_CIB_RECORD_MAX ? NULL : realloc(ptr, n);
}

static int csv_feed(struct dw_cib_parser *p, const char *s, size_t n)
{
	while (n && !p->err) {
		const char *nl = memchr(s, '\n', n);
		size_t k = nl ? (size_t)(nl - s) + 1 : n;
		if (csv_parse(&p->csv, s, k, csv_field, csv_record, p) != k) {
			snprintf(p->msg, sizeof(p->msg), "line %" PRIu64
				 ": a field longer than 64 MiB (unbalanced quote?)",
				 p->line - p->rec_nl);
			return p->err = DW_ETOOBIG;
		}
		if (nl) {
			p->line++;
			p->st.lines++;
		}
		s += k;
		n -= k;
	}
	return p->err;
}

/* --------------------------------------------------------------- JSONL */

static int json_field(struct dw_cib_parser *p, int role, int split,
		      json_t *v)
{
	char num[48];

	switch (json_typeof(v)) {
	case JSON_STRING:
		return add_field(p, role, split, json_string_value(v),
				 json_string_length(v));
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		return add_field(p, role, 0, num, strlen(num));
	case JSON_REAL:
		snprintf(num, sizeof(num), "%.3f", json_real_value(v));
		return add_field(p, role, 0, num, strlen(num));
	case JSON_TRUE:
		return add_field(p, role, 0, "true", 4);
	default:
		return 0;
	}
}

static int json_line(struct dw_cib_parser *p, const char *s, size_t n,
		     uint64_t line)
{
	const char *k;
	json_error_t je;
	json_t *root, *v;
	int rc = 0;

	rec_reset(p);
	trim(&s, &n);
	if (!n)
		return 0;
	if (!(root = json_loadb(s, n, 0, &je))) {
		bad(p, line, "not JSON: %s", je.text);
		return 0;
	}
	if (!json_is_object(root)) {
		bad(p, line, "not a JSON object");
		goto out;
	}
	json_object_foreach(root, k, v) {
		int role = role_of(DW_CIB_FMT_GENERIC, k, strlen(k));
		if (role == R_NONE)
			continue;
		if (json_is_array(v)) {
			size_t i;
			json_t *e;
			json_array_foreach(v, i, e)
				if ((rc = json_field(p, role, 0, e)) < 0)
					goto out;
		} else if ((rc = json_field(p, role, role == R_URL ||
					    role == R_DOMAIN || role == R_HASHTAG,
					    v)) < 0) {
			goto out;
		}
	}
	if (p->rec_over)
		bad(p, line, "record longer than 64 MiB");
	else
		rc = emit(p, line);
out:
	json_decref(root);
	return rc;
}

static int jsonl_feed(struct dw_cib_parser *p, const char *s, size_t n)
{
	while (n && !p->err) {
		const char *nl = memchr(s, '\n', n);
		size_t k = nl ? (size_t)(nl - s) : n;
		if (!p->lbn && !p->lb_over)
			p->lb_line = p->line;
		if (!p->lb_over && k > DW_CIB_RECORD_MAX - p->lbn) {
			p->lb_over = 1;
		} else if (!p->lb_over) {
			if (p->lbn + k > p->lbcap) {
				size_t nc = p->lbcap ? p->lbcap : 4096;
				while (nc < p->lbn + k)
					nc *= 2;
				char *nb = realloc(p->lb, nc);
				if (!nb)
					return p->err = DW_ENOMEM;
				p->lb = nb;
				p->lbcap = nc;
			}
			if (k)
				memcpy(p->lb + p->lbn, s, k);
			p->lbn += k;
		}
		if (nl) {
			int rc = 0;
			if (p->lb_over)
				bad(p, p->lb_line, "line longer than 64 MiB");
			else
				rc = json_line(p, p->lb, p->lbn, p->lb_line);
			p->lbn = 0;
			p->lb_over = 0;
			p->line++;
			p->st.lines++;
			if (rc < 0)
				return p->err = rc;
			k++;
		}
		s += k;
		n -= k;
	}
	return p->err;
}

/* -------------------------------------------------------------- parser */

int dw_cib_parser_new(int format, dw_cib_row_fn row, dw_cib_bad_fn badfn,
		      void *ctx, struct dw_cib_parser **out)
{
	struct dw_cib_parser *p;

	*out = NULL;
	if (format < 0 || format >= DW_CIB__NFMT)
		return DW_EINVAL;
	if (!(p = calloc(1, sizeof(*p))))
		return DW_ENOMEM;
	p->fmt = format;
	p->row = row;
	p->bad = badfn;
	p->ctx = ctx;
	p->line = 1;
	if (!(p->arena = malloc(ARENA_CAP))) {
		free(p);
		return DW_ENOMEM;
	}
	if (format != DW_CIB_FMT_JSONL) {
		if (csv_init(&p->csv, CSV_APPEND_NULL) != 0) {
			free(p->arena);
			free(p);
			return DW_ENOMEM;
		}
		csv_set_realloc_func(&p->csv, capped_realloc);
		csv_set_blk_size(&p->csv, 64u << 10);
		p->csv_on = 1;
	}
	*out = p;
	return 0;
}

int dw_cib_parser_feed(struct dw_cib_parser *p, const void *buf, size_t n)
{
	const char *s = buf;

	if (p->err)
		return p->err;
	if (!p->started && n) {
		p->started = 1;
		if (n >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
			s += 3, n -= 3;
	}
	return p->fmt == DW_CIB_FMT_JSONL ? jsonl_feed(p, s, n)
					  : csv_feed(p, s, n);
}

int dw_cib_parser_finish(struct dw_cib_parser *p)
{
	if (p->err)
		return p->err;
	if (p->fmt == DW_CIB_FMT_JSONL) {
		if (p->lbn || p->lb_over) {
			int rc = jsonl_feed(p, "\n", 1);
			p->st.lines--;
			if (rc < 0)
				return rc;
		}
	} else {
		csv_fini(&p->csv, csv_field, csv_record, p);
		if (!p->err && !p->header_done) {
			snprintf(p->msg, sizeof(p->msg), "no header line (empty "
				 "file?)");
			p->err = DW_EFORMAT;
		}
	}
	return p->err;
}

void dw_cib_parser_stats(const struct dw_cib_parser *p,
			 struct dw_cib_parse_stats *st)
{
	*st = p->st;
}

const char *dw_cib_parser_errmsg(const struct dw_cib_parser *p)
{
	return p->msg;
}

void dw_cib_parser_free(struct dw_cib_parser *p)
{
	if (!p)
		return;
	if (p->csv_on)
		csv_free(&p->csv);
	free(p->roles);
	free(p->fb);
	free(p->fld);
	free(p->lb);
	free(p->arena);
	free(p);
}

int dw_cib_parse_mem(int format, const void *buf, size_t n, dw_cib_row_fn row,
		     dw_cib_bad_fn badfn, void *ctx, struct dw_cib_parse_stats *st)
{
	struct dw_cib_parser *p = NULL;
	int rc;

	if ((rc = dw_cib_parser_new(format, row, badfn, ctx, &p)) < 0)
		return rc;
	if ((rc = dw_cib_parser_feed(p, buf, n)) == 0)
		rc = dw_cib_parser_finish(p);
	if (st)
		dw_cib_parser_stats(p, st);
	dw_cib_parser_free(p);
	return rc;
}

int dw_cib_parse_file(int format, const char *path, dw_cib_row_fn row,
		      dw_cib_bad_fn badfn, dw_cib_fprogress_fn progress,
		      void *ctx, struct dw_cib_parse_stats *st, char *msg,
		      size_t msglen)
{
	struct dw_cib_parser *p = NULL;
	struct stat sb;
	uint64_t total = 0;
	gzFile f = NULL;
	char *buf = NULL;
	int rc, n;

	if (st)
		memset(st, 0, sizeof(*st));
	snprintf(msg, msglen, "%s", "");
	if (!(f = gzopen(path, "rb"))) {
		rc = errno ? -errno : DW_ENOMEM;
		snprintf(msg, msglen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
		total = (uint64_t)sb.st_size;
	gzbuffer(f, 256u << 10);
	if (!(buf = malloc(256u << 10)) ||
	    (rc = dw_cib_parser_new(format, row, badfn, ctx, &p)) < 0) {
		rc = DW_ENOMEM;
		snprintf(msg, msglen, "%s: out of memory", path);
		goto out;
	}
	while ((n = gzread(f, buf, 256u << 10)) > 0) {
		if ((rc = dw_cib_parser_feed(p, buf, (size_t)n)) < 0)
			goto perr;
		if (progress)
			progress(ctx, (uint64_t)gzoffset(f), total, p->st.rows);
	}
	/* a truncated gzip stream ends with 0 and Z_BUF_ERROR, not -1 */
	int zerr;
	const char *zm = gzerror(f, &zerr);
	if (n < 0 || (zerr != Z_OK && zerr != Z_STREAM_END)) {
		rc = zerr == Z_ERRNO ? (errno ? -errno : DW_EIO) : DW_ECOMPRESS;
		/* zlib's message already starts with the path */
		if (zerr == Z_ERRNO)
			snprintf(msg, msglen, "%s: %s", path, strerror(-rc));
		else
			snprintf(msg, msglen, "%s (corrupt or truncated gzip)", zm);
		goto out; /* the cut last record is not a row */
	}
	if ((rc = dw_cib_parser_finish(p)) < 0)
		goto perr;
	goto out;
perr:
	if (dw_cib_parser_errmsg(p)[0])
		snprintf(msg, msglen, "%s: %s", path, dw_cib_parser_errmsg(p));
	else
		snprintf(msg, msglen, "%s: %s", path, dw_strerror(rc));
out:
	if (st && p)
		dw_cib_parser_stats(p, st);
	dw_cib_parser_free(p);
	free(buf);
	gzclose(f);
	return rc;
}

/* --------------------------------------------------------------- store */

int dw_cib_store_row(struct dw_cib_writer *w, const struct dw_cib_row *r)
{
	int64_t acc, post, obj, t = r->t;
	int rc, isnew;

	if ((rc = dw_cib_writer_account(w, r->account, r->account_len, &acc)) < 0)
		return rc;
	isnew = dw_cib_writer_post(w, r->post, r->post_len, &acc, &t, r->text,
				   r->text_len, &post);
	if (isnew < 0)
		return isnew;
	for (size_t i = 0; i < r->nobj; i++) {
		const struct dw_cib_obj *o = &r->obj[i];
		if ((rc = dw_cib_writer_object(w, o->trace, o->key, o->len,
					       &obj)) < 0 ||
		    (rc = dw_cib_writer_action(w, o->trace, obj, t, acc,
					       post)) < 0)
			return rc;
	}
	if ((rc = dw_cib_writer_end_post(w)) < 0)
		return rc;
	return isnew;
}
