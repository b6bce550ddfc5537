/*
 * signal_cmd.c - `darkwatch signal import|export|list|check`: time series in
 * and out of the store as CSV or JSON.
 *
 * The door for signals computed elsewhere ("CSV from elsewhere" in
 * DESIGN.md's data flow) and the simplest way to get a series back out.
 *
 * Key decisions:
 *  - An import is all or nothing.  The whole CSV is parsed and checked in
 *    memory first (about 24 bytes per row), then written in ONE transaction
 *    together with the file's SHA-256 in the ingestion log.  Any bad row
 *    rolls everything back and exits 2; a kill at any moment leaves the file
 *    either entirely imported and logged, or absent.  The SHA-256 is taken
 *    over the very bytes parsed, so the log never vouches for other content.
 *  - Every problem is reported with its line number (the first 50 by line,
 *    then a count), so one run shows what to fix.
 *  - The step of a series comes, in this order, from the `step` column,
 *    --step, the series already in the store, or the most common gap
 *    between consecutive times (300 s for a single point).  Times must be
 *    multiples of it: a value at t covers [t, t+step).
 *  - The CSV reader (RFC 4180: quoted fields with commas, doubled quotes and
 *    line breaks; CRLF; a UTF-8 BOM) lives here because this verb is its
 *    only user; it moves to src/common when a second one appears.  That, and
 *    the four verbs' help texts, make this file longer than the house ~800
 *    lines.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <search.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "darkwatch/err.h"
#include "darkwatch/hash.h"
#include "darkwatch/store.h"
#include "darkwatch/timefmt.h"

#define MAX_SHOWN 50           /* problems printed per import */
#define MAX_RECORD (1u << 20)  /* bytes in one CSV record */
#define MAX_FIELDS 32
#define READ_BLOCK (256u << 10)
#define DEFAULT_STEP 300

/* ================================================================ CSV */

enum cstate { C_START, C_PLAIN, C_QUOTED, C_QUOTE, C_AFTER };

struct csv {
	FILE *f;
	struct dw_sha256 *sha;
	unsigned char *blk;
	size_t blen, bpos;
	uint64_t bytes; /* read so far, for progress */
	int started, eof, saw_cr;
	uint64_t line; /* physical line of the next byte */
	/* the current record: fields NUL-terminated one after another */
	char *rec;
	size_t rlen, rcap;
	size_t foff[MAX_FIELDS + 1]; /* foff[i]: start of field i */
	int nf, too_many, too_long;  /* nf: fields completed */
	enum cstate st;
	uint64_t rec_line, quote_line;
	const char *err; /* first problem of the record, or NULL */
};

static int csv_open(struct csv *c, const char *path)
{
	int rc;
	memset(c, 0, sizeof(*c));
	c->line = 1;
	if (!(c->f = fopen(path, "rb")))
		return -errno;
	if ((rc = dw_sha256_new(&c->sha)) < 0)
		return rc;
	if (!(c->blk = malloc(READ_BLOCK)) || !(c->rec = malloc(4096)))
		return DW_ENOMEM;
	c->rcap = 4096;
	return 0;
}

static void csv_close(struct csv *c)
{
	if (c->f)
		fclose(c->f);
	dw_sha256_free(c->sha);
	free(c->blk);
	free(c->rec);
}

static void rec_err(struct csv *c, const char *why)
{
	if (!c->err)
		c->err = why;
}

static int rec_put(struct csv *c, char ch)
{
	if (c->rlen + 1 >= c->rcap) {
		if (c->rcap >= MAX_RECORD) {
			c->too_long = 1;
			return 0;
		}
		char *p = realloc(c->rec, c->rcap * 2);
		if (!p)
			return DW_ENOMEM;
		c->rec = p;
		c->rcap *= 2;
	}
	c->rec[c->rlen++] = ch;
	return 0;
}

static int field_end(struct csv *c)
{
	int rc = rec_put(c, 0);
	if (++c->nf <= MAX_FIELDS)
		c->foff[c->nf] = c->rlen; /* start of the next field */
	else
		c->too_many = 1;
	c->st = C_START;
	return rc;
}

static void rec_reset(struct csv *c)
{
	c->rlen = 0;
	c->nf = 0;
	c->foff[0] = 0;
	c->too_many = c->too_long = 0;
	c->err = NULL;
	c->st = C_START;
	c->rec_line = c->line;
}

/* A record made of one empty (or blank) field is a blank line: skipped. */
static int rec_blank(const struct csv *c)
{
	if (c->nf != 1)
		return 0;
	for (size_t i = 0; i + 1 < c->rlen; i++)
		if (c->rec[i] != ' ' && c->rec[i] != '\t')
			return 0;
	return 1;
}

/* Finish a record; 1 if it is one to return. */
static int rec_end(struct csv *c)
{
	int rc = field_end(c);
	if (rc < 0)
		return rc;
	if (c->too_many)
		rec_err(c, "more than 32 fields");
	if (c->too_long)
		rec_err(c, "record longer than 1 MiB");
	return !rec_blank(c) || c->err;
}

/* Refill the block (hashing it); skip a BOM at the start of the file. */
static int csv_fill(struct csv *c)
{
	c->blen = fread(c->blk, 1, READ_BLOCK, c->f);
	c->bpos = 0;
	if (c->blen < READ_BLOCK) {
		if (ferror(c->f))
			return DW_EIO;
		c->eof = 1;
	}
	c->bytes += c->blen;
	if (!c->started) {
		c->started = 1;
		if (c->blen >= 3 && !memcmp(c->blk, "\xef\xbb\xbf", 3))
			c->bpos = 3;
	}
	return dw_sha256_update(c->sha, c->blk, c->blen);
}

/* One byte that is not a line end outside quotes: the field automaton. */
static int csv_byte(struct csv *c, char ch)
{
	switch (c->st) {
	case C_START:
		if (ch == '"') {
			/* spaces before an opening quote do not count */
			c->rlen = c->foff[c->nf <= MAX_FIELDS ? c->nf : MAX_FIELDS];
			c->st = C_QUOTED;
			c->quote_line = c->line;
			return 0;
		}
		if (ch == ',')
			return field_end(c);
		if (ch != ' ' && ch != '\t')
			c->st = C_PLAIN;
		return rec_put(c, ch);
	case C_PLAIN:
		if (ch == ',')
			return field_end(c);
		if (ch == '"')
			rec_err(c, "quote inside an unquoted field (quote the "
				   "whole field and double the quotes in it)");
		return rec_put(c, ch);
	case C_QUOTED:
		if (ch == '"') {
			c->st = C_QUOTE;
			return 0;
		}
		if (ch == '\n')
			c->line++;
		return rec_put(c, ch);
	case C_QUOTE: /* a quote inside quotes: doubled, or the end */
		if (ch == '"') {
			c->st = C_QUOTED;
			return rec_put(c, ch);
		}
		if (ch == ',')
			return field_end(c);
		if (ch == ' ' || ch == '\t') {
			c->st = C_AFTER;
			return 0;
		}
		rec_err(c, "characters after a closing quote");
		c->st = C_PLAIN;
		return rec_put(c, ch);
	case C_AFTER:
		if (ch == ',')
			return field_end(c);
		if (ch != ' ' && ch != '\t')
			rec_err(c, "characters after a closing quote");
		return 0;
	}
	return 0;
}

/*
 * Next record: 1 (fields in c->rec at c->foff[0..nf-1]), 0 at end of
 * file, <0 on a read error.  A malformed record is returned with c->err set.
 * Line ends (LF, CRLF or CR) outside quotes end a record; c->rec_line is
 * the physical line where the record starts.
 */
static int csv_next(struct csv *c)
{
	int rc;

	rec_reset(c);
	for (;;) {
		if (c->bpos == c->blen) {
			if (c->eof)
				break;
			if ((rc = csv_fill(c)) < 0)
				return rc;
			continue;
		}
		char ch = (char)c->blk[c->bpos++];
		if (ch == '\n' && c->saw_cr) { /* second half of CRLF */
			c->saw_cr = 0;
			continue;
		}
		c->saw_cr = 0;
		if (ch == 0)
			rec_err(c, "NUL byte in the line");
		if (c->st == C_QUOTED || (ch != '\n' && ch != '\r')) {
			if ((rc = csv_byte(c, ch)) < 0)
				return rc;
			continue;
		}
		c->line++;
		c->saw_cr = ch == '\r';
		if (c->st == C_START && c->nf == 0 && c->rlen == 0) {
			c->rec_line = c->line; /* empty line */
			continue;
		}
		if ((rc = rec_end(c)) != 0)
			return rc;
		rec_reset(c);
	}
	/* end of file */
	if (c->st == C_QUOTED) {
		rec_err(c, "quoted field never closed (its opening quote is on "
			   "the line shown)");
		c->rec_line = c->quote_line;
	}
	if (c->st == C_START && c->nf == 0 && c->rlen == 0 && !c->err)
		return 0;
	return rec_end(c);
}

/* Field i, trimmed of spaces and tabs, NUL-terminated; *len set. */
static char *field(struct csv *c, int i, size_t *len)
{
	char *p = c->rec + c->foff[i];
	size_t n = strlen(p);
	while (n && (*p == ' ' || *p == '\t'))
		p++, n--;
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		p[--n] = 0;
	*len = n;
	return p;
}

/* ============================================================ problems */

struct problem {
	uint64_t line;
	char msg[240];
};

/* Keeps the MAX_SHOWN problems with the lowest line numbers, counts all. */
struct report {
	struct problem p[MAX_SHOWN];
	int n;
	uint64_t total;
};

__attribute__((format(printf, 3, 4))) static void
problem(struct report *r, uint64_t line, const char *fmt, ...)
{
	struct problem *slot = NULL;
	va_list ap;

	r->total++;
	if (r->n < MAX_SHOWN) {
		slot = &r->p[r->n++];
	} else {
		for (int i = 0; i < MAX_SHOWN; i++)
			if (!slot || r->p[i].line > slot->line)
				slot = &r->p[i];
		if (slot->line <= line)
			return;
	}
	slot->line = line;
	va_start(ap, fmt);
	vsnprintf(slot->msg, sizeof(slot->msg), fmt, ap);
	va_end(ap);
	/* The message quotes the file: no control bytes to the terminal. */
	for (char *p = slot->msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

static int by_line(const void *a, const void *b)
{
	const struct problem *x = a, *y = b;
	return (x->line > y->line) - (x->line < y->line);
}

static void report_print(struct report *r, const char *path)
{
	qsort(r->p, (size_t)r->n, sizeof(r->p[0]), by_line);
	for (int i = 0; i < r->n; i++)
		fprintf(stderr, "darkwatch signal import: %s:%" PRIu64 ": %s\n",
			path, r->p[i].line, r->p[i].msg);
	if (r->total > (uint64_t)r->n)
		fprintf(stderr, "darkwatch signal import: ... and %" PRIu64
			" more problems not shown\n", r->total - (uint64_t)r->n);
	fprintf(stderr, "darkwatch signal import: %s: %" PRIu64 " problem%s; "
		"nothing was imported (fix the lines above and run again)\n",
		path, r->total, r->total == 1 ? "" : "s");
}

/* ============================================================= import */

struct pt {
	int64_t t;
	double v;
	uint64_t line;
};

/* One series of the file (one entity: the file has one datasource). */
struct ser {
	char *type, *code, *name; /* owned; name NULL if none given */
	uint64_t line, name_line, step_line;
	int64_t step; /* from the step column, 0 if none */
	struct pt *p;
	size_t n, cap;
};

struct import {
	const char *path, *ds, *subtype;
	char source[2 * DW_STORE_NAME_MAX + 2]; /* ingest log: ds[/subtype] */
	int64_t opt_step; /* --step, 0 if none */
	struct report rep;
	int col_type, col_code, col_time, col_value, col_name, col_step, ncol;
	void *tree;
	struct ser **all, *last;
	size_t nall, cap_all;
	uint64_t rows, missing, points;
};

static int ser_cmp(const void *a, const void *b)
{
	const struct ser *x = a, *y = b;
	int d = strcmp(x->type, y->type);
	return d ? d : strcmp(x->code, y->code);
}

static void ser_free(struct ser *s)
{
	if (!s)
		return;
	free(s->type);
	free(s->code);
	free(s->name);
	free(s->p);
	free(s);
}

static void nofree(void *p)
{
	(void)p;
}

static void import_free(struct import *im)
{
	tdestroy(im->tree, nofree);
	for (size_t i = 0; i < im->nall; i++)
		ser_free(im->all[i]);
	free(im->all);
}

/* The series for (type, code), created on first sight. NULL: no memory. */
static struct ser *ser_get(struct import *im, char *type, char *code,
			   uint64_t line)
{
	struct ser key = {.type = type, .code = code}, *s, **found;

	if (im->last && !ser_cmp(&key, im->last))
		return im->last;
	if ((found = tfind(&key, &im->tree, ser_cmp)))
		return im->last = *found;
	if (im->nall == im->cap_all) {
		size_t n = im->cap_all ? im->cap_all * 2 : 64;
		struct ser **p = realloc(im->all, n * sizeof(*p));
		if (!p)
			return NULL;
		im->all = p;
		im->cap_all = n;
	}
	if (!(s = calloc(1, sizeof(*s))) || !(s->type = strdup(type)) ||
	    !(s->code = strdup(code)) || !tsearch(s, &im->tree, ser_cmp)) {
		ser_free(s);
		return NULL;
	}
	s->line = line;
	im->all[im->nall++] = s;
	return im->last = s;
}

static int pt_add(struct ser *s, int64_t t, double v, uint64_t line)
{
	if (s->n == s->cap) {
		size_t n = s->cap ? s->cap * 2 : 16;
		struct pt *p = realloc(s->p, n * sizeof(*p));
		if (!p)
			return DW_ENOMEM;
		s->p = p;
		s->cap = n;
	}
	s->p[s->n++] = (struct pt){t, v, line};
	return 0;
}

/* Strict decimal: [+-]digits[.digits][e[+-]digits]; no hex, inf, nan. */
static int parse_value(const char *s, double *out)
{
	const char *p = s;
	char *end;
	int digits = 0;

	if (*p == '+' || *p == '-')
		p++;
	for (; *p >= '0' && *p <= '9'; p++)
		digits++;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			digits++;
	if (!digits)
		return DW_EINVAL;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return DW_EINVAL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p)
		return DW_EINVAL;
	errno = 0;
	*out = strtod(s, &end);
	return *end || !isfinite(*out) ? DW_EINVAL : 0;
}

static int parse_step(const char *s, int64_t *out)
{
	int64_t v = 0;
	if (!*s)
		return DW_EINVAL;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9' || v > DW_STORE_STEP_MAX)
			return DW_EINVAL;
		v = v * 10 + (*p - '0');
	}
	if (v < 1 || v > DW_STORE_STEP_MAX)
		return DW_EINVAL;
	*out = v;
	return 0;
}

static int asn_ok(const char *s, size_t n)
{
	uint64_t v = 0;
	if (n == 0 || n > 10)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	return v <= 0xffffffffu;
}

static const char *const columns[] = {"entity_type", "entity_code", "time",
				      "value", "entity_name", "step"};

static int header(struct import *im, struct csv *c)
{
	int *col[] = {&im->col_type, &im->col_code, &im->col_time,
		      &im->col_value, &im->col_name, &im->col_step};
	size_t len;

	for (int k = 0; k < 6; k++)
		*col[k] = -1;
	if (c->err) {
		problem(&im->rep, c->rec_line, "header: %s", c->err);
		return -1;
	}
	im->ncol = c->nf;
	for (int i = 0; i < c->nf; i++) {
		const char *name = field(c, i, &len);
		int k = 0;
		while (k < 6 && strcasecmp(name, columns[k]))
			k++;
		if (k == 6) {
			problem(&im->rep, c->rec_line, "header: unknown column "
				"'%.40s' (columns are entity_type, entity_code, "
				"time, value and optionally entity_name, step)",
				name);
			return -1;
		}
		if (*col[k] >= 0) {
			problem(&im->rep, c->rec_line, "header: column %s "
				"appears twice", columns[k]);
			return -1;
		}
		*col[k] = i;
	}
	for (int k = 0; k < 4; k++)
		if (*col[k] < 0) {
			problem(&im->rep, c->rec_line, "header: no %s column; "
				"the first line must name the columns, e.g. "
				"entity_type,entity_code,time,value", columns[k]);
			return -1;
		}
	return 0;
}

/* A data row's fields, parsed (strings point into the CSV record). */
struct rowv {
	char *type, *code, *name; /* name NULL when empty or no column */
	int64_t t, step;          /* step 0 when empty or no column */
	double v;
	int has_v;
};

/* Parse and check the fields of a row: 0, or 1 after reporting it. */
static int row_parse(struct import *im, struct csv *c, struct rowv *r)
{
	uint64_t line = c->rec_line;
	size_t cl, tl, vl, nl = 0, sl = 0;
	char *ts, *vs, *ss = NULL;

	if (c->err) {
		problem(&im->rep, line, "%s", c->err);
		return 1;
	}
	if (c->nf != im->ncol) {
		problem(&im->rep, line, "%d fields, but the header has %d",
			c->nf, im->ncol);
		return 1;
	}
	r->type = field(c, im->col_type, &tl);
	r->code = field(c, im->col_code, &cl);
	ts = field(c, im->col_time, &tl);
	vs = field(c, im->col_value, &vl);
	r->name = im->col_name >= 0 ? field(c, im->col_name, &nl) : NULL;
	if (!nl)
		r->name = NULL;
	if (im->col_step >= 0)
		ss = field(c, im->col_step, &sl);
	r->step = 0;
	r->has_v = vl > 0;

	if (!dw_store_entity_type_valid(r->type))
		problem(&im->rep, line, "entity_type '%.40s' is not one of "
			"continent, country, region, asn, geoasn", r->type);
	else if (cl == 0 || cl > DW_STORE_CODE_MAX)
		problem(&im->rep, line, "entity_code is %s",
			cl ? "too long" : "empty");
	else if (!strcmp(r->type, "asn") && !asn_ok(r->code, cl))
		problem(&im->rep, line, "asn code '%.40s' is not an AS number "
			"(write 12880, not AS12880)", r->code);
	else if (dw_time_parse_n(ts, tl, &r->t) < 0)
		problem(&im->rep, line, "time '%.40s' is neither epoch seconds "
			"nor ISO 8601 UTC such as 2019-11-16T14:00:00Z", ts);
	else if (vl && parse_value(vs, &r->v) < 0)
		problem(&im->rep, line, "value '%.40s' is not a decimal number "
			"(leave it empty for a missing value)", vs);
	else if (sl && parse_step(ss, &r->step) < 0)
		problem(&im->rep, line, "step '%.40s' is not a number of "
			"seconds from 1 to %d", ss, DW_STORE_STEP_MAX);
	else
		return 0;
	return 1;
}

/* One data row.  Returns <0 only for out-of-memory. */
static int row(struct import *im, struct csv *c)
{
	uint64_t line = c->rec_line;
	struct rowv r;
	struct ser *s;

	im->rows++;
	if (row_parse(im, c, &r))
		return 0;
	if (!(s = ser_get(im, r.type, r.code, line)))
		return DW_ENOMEM;
	if (r.step && s->step && r.step != s->step) {
		problem(&im->rep, line, "step %" PRId64 " differs from the step "
			"%" PRId64 " given for %s/%s on line %" PRIu64, r.step,
			s->step, r.type, r.code, s->step_line);
		return 0;
	}
	if (r.step && !s->step) {
		s->step = r.step;
		s->step_line = line;
	}
	if (r.name && s->name && strcmp(s->name, r.name)) {
		problem(&im->rep, line, "entity_name '%.40s' differs from "
			"'%.40s' given for %s/%s on line %" PRIu64, r.name,
			s->name, r.type, r.code, s->name_line);
		return 0;
	}
	if (r.name && !s->name) {
		if (!(s->name = strdup(r.name)))
			return DW_ENOMEM;
		s->name_line = line;
	}
	if (!r.has_v) {
		im->missing++;
		return 0;
	}
	return pt_add(s, r.t, r.v, line);
}

static int by_t(const void *a, const void *b)
{
	const struct pt *x = a, *y = b;
	if (x->t != y->t)
		return (x->t > y->t) - (x->t < y->t);
	return (x->line > y->line) - (x->line < y->line);
}

static int by_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The most common gap between consecutive (sorted, distinct) times;
 * the smallest such gap on a tie; DEFAULT_STEP with fewer than 2 times. */
static int infer_step(const struct ser *s, int64_t *out)
{
	size_t n = 0, best_n = 0;
	int64_t *d, best = DEFAULT_STEP;

	if (s->n < 2) {
		*out = DEFAULT_STEP;
		return 0;
	}
	if (!(d = malloc((s->n - 1) * sizeof(*d))))
		return DW_ENOMEM;
	for (size_t i = 1; i < s->n; i++)
		if (s->p[i].t > s->p[i - 1].t)
			d[n++] = s->p[i].t - s->p[i - 1].t;
	qsort(d, n, sizeof(*d), by_i64);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i; j < n && d[j] == d[i]; j++)
			;
		if (j - i > best_n) {
			best_n = j - i;
			best = d[i];
		}
	}
	free(d);
	*out = best > DW_STORE_STEP_MAX ? DW_STORE_STEP_MAX : best;
	return 0;
}

/*
 * Inside the transaction: create the entity and series of s, decide its
 * step, check every point against it.  Problems go to the report; only
 * store failures other than a refused value are returned.
 */
static int prepare_series(struct import *im, struct dw_store *st,
			  struct ser *s, int64_t *sid)
{
	int64_t eid, step = 0, have = 0;
	const char *from;
	char when[32];
	int rc;

	*sid = 0;
	if ((rc = dw_store_entity(st, s->type, s->code, s->name, &eid)) < 0) {
		if (rc != DW_EINVAL)
			return rc;
		problem(&im->rep, s->name_line ? s->name_line : s->line,
			"%s/%.40s: %s", s->type, s->code, dw_store_errmsg(st));
		return 0;
	}
	qsort(s->p, s->n, sizeof(*s->p), by_t);
	if ((rc = dw_store_series_find(st, im->ds, eid, im->subtype, NULL,
				       &have)) < 0)
		return rc;
	if (s->step) {
		step = s->step;
		from = "from the step column";
	} else if (im->opt_step) {
		step = im->opt_step;
		from = "from --step";
	} else if (rc == 1) {
		step = have;
		from = "the stored series' step";
	} else {
		if ((rc = infer_step(s, &step)) < 0)
			return rc;
		from = "inferred from the gaps between times";
	}
	if (have && have != step) {
		problem(&im->rep, s->step_line ? s->step_line : s->line,
			"%s/%.40s: the store already has this series with step "
			"%" PRId64 " s, but this file gives %" PRId64 " s (%s)",
			s->type, s->code, have, step, from);
		return 0;
	}
	for (size_t i = 0; i < s->n; i++) {
		const struct pt *p = &s->p[i];
		if (p->t % step) {
			dw_time_fmt(p->t, when);
			problem(&im->rep, p->line, "time %s is not a multiple of "
				"the step of %s/%.40s (%" PRId64 " s, %s): a value "
				"at t covers [t, t+step); round the time down or "
				"give the step", when, s->type, s->code, step, from);
		} else if (i && p->t == s->p[i - 1].t) {
			dw_time_fmt(p->t, when);
			problem(&im->rep, p->line, "%s/%.40s has a value at %s "
				"already (line %" PRIu64 ")", s->type, s->code,
				when, s->p[i - 1].line);
		}
	}
	if ((rc = dw_store_series(st, im->ds, eid, im->subtype, step, sid)) < 0) {
		if (rc != DW_EINVAL)
			return rc;
		problem(&im->rep, s->line, "%s/%.40s: %s", s->type, s->code,
			dw_store_errmsg(st));
	}
	return 0;
}

static int read_csv(struct import *im, char hex[65])
{
	struct csv c;
	struct dw_progress prog;
	struct stat sb;
	int rc, have_header = 0;

	uint64_t size = stat(im->path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
	if ((rc = csv_open(&c, im->path)) < 0)
		goto out;
	dw_progress_init(&prog, im->path);
	while ((rc = csv_next(&c)) > 0) {
		if (!have_header) {
			have_header = 1;
			if (header(im, &c) < 0) {
				rc = 0;
				goto out;
			}
			continue;
		}
		if ((rc = row(im, &c)) < 0)
			goto out;
		if ((im->rows & 0xffff) == 0)
			dw_progress_update(&prog, c.bytes, size, im->rows);
	}
	dw_progress_done(&prog);
	if (rc < 0)
		goto out;
	if (!have_header)
		problem(&im->rep, 1, "the file is empty: the first line must "
			"name the columns (entity_type,entity_code,time,value)");
	rc = dw_sha256_final(c.sha, hex);
out:
	csv_close(&c);
	return rc;
}

static void import_usage(FILE *f)
{
	fprintf(f,
		"usage: darkwatch signal import --db DB --datasource NAME --csv FILE\n"
		"                               [--step S] [--subtype S] [--force]\n\n"
		"Import time series from a CSV file into the store DB (created if\n"
		"missing).  The first line names the columns, in any order, any case:\n"
		"  entity_type   continent, country, region, asn or geoasn\n"
		"  entity_code   e.g. IR, 12880 (an AS number, without \"AS\")\n"
		"  time          epoch seconds or ISO 8601 UTC: 2019-11-16T14:00:00Z,\n"
		"                2019-11-16T14:00Z, 2019-11-16 14:00:00, 2019-11-16\n"
		"  value         a decimal number; empty = missing (no point stored)\n"
		"  entity_name   optional display name\n"
		"  step          optional, seconds; a value at t covers [t, t+step)\n"
		"Quoted fields, CRLF line ends and a UTF-8 BOM are fine.\n\n"
		"  --db DB             the store (SQLite file)\n"
		"  --datasource NAME   e.g. bgp, ping-slash24, merit-nt\n"
		"  --csv FILE          the CSV to import\n"
		"  --step S            step for series without a step column; else the\n"
		"                      stored series' step, else the most common gap\n"
		"                      between times (300 s for a single point)\n"
		"  --subtype S         series subtype (default none)\n"
		"  --force             import again a file already imported\n"
		"  -h, --help          this text\n\n"
		"All or nothing: the file is checked whole, then written in one\n"
		"transaction with its SHA-256; if any line is bad nothing is imported\n"
		"and every problem is listed with its line number (first 50).  Times\n"
		"must be multiples of the step.  Importing the same file again does\n"
		"nothing and says so.\n\n"
		"exit: 0 imported (or already imported), 1 usage error, 2 bad lines\n"
		"      (nothing imported), 3 the CSV or the store could not be read or\n"
		"      written\n");
}

static int write_all(struct import *im, struct dw_store *st, const char *hex,
		     int64_t *first, int64_t *last, size_t *nser)
{
	int64_t *sids = NULL, sid;
	int rc;

	*first = INT64_MAX;
	*last = INT64_MIN;
	*nser = 0;
	if (!(sids = calloc(im->nall + 1, sizeof(*sids))))
		return DW_ENOMEM;
	if ((rc = dw_store_begin(st)) < 0)
		goto out;
	for (size_t i = 0; i < im->nall; i++) {
		if (!im->all[i]->n) /* only empty values: nothing to store */
			continue;
		if ((rc = prepare_series(im, st, im->all[i], &sid)) < 0)
			goto out;
		sids[i] = sid;
	}
	if (im->rep.total) {
		rc = 0;
		goto out;
	}
	for (size_t i = 0; i < im->nall; i++) {
		struct ser *s = im->all[i];
		if (!s->n)
			continue;
		(*nser)++;
		for (size_t k = 0; k < s->n; k++)
			if ((rc = dw_store_put(st, sids[i], s->p[k].t, s->p[k].v)) < 0)
				goto out;
		im->points += s->n;
		if (s->p[0].t < *first)
			*first = s->p[0].t;
		if (s->p[s->n - 1].t > *last)
			*last = s->p[s->n - 1].t;
	}
	rc = dw_store_ingest_done(st, im->source, hex, "csv", *first, *last);
	if (rc == 0)
		rc = dw_store_commit(st);
out:
	if (rc < 0 || im->rep.total)
		dw_store_rollback(st);
	free(sids);
	return rc;
}

/* Options into im; -1 to go on, else the exit code. */
static int import_args(struct import *im, int argc, char **argv,
		       const char **db, int *force)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'},
		{"datasource", required_argument, 0, 's'},
		{"csv", required_argument, 0, 'c'},
		{"step", required_argument, 0, 'S'},
		{"subtype", required_argument, 0, 'u'},
		{"force", no_argument, 0, 'f'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': *db = optarg; break;
		case 's': im->ds = optarg; break;
		case 'c': im->path = optarg; break;
		case 'u': im->subtype = optarg; break;
		case 'f': *force = 1; break;
		case 'S':
			if (parse_step(optarg, &im->opt_step) < 0) {
				fprintf(stderr, "darkwatch signal import: --step "
					"'%s': give seconds, 1 to %d\n", optarg,
					DW_STORE_STEP_MAX);
				return DW_EXIT_USAGE;
			}
			break;
		case 'h':
			import_usage(stdout);
			return DW_EXIT_OK;
		default:
			import_usage(stderr);
			return DW_EXIT_USAGE;
		}
	}
	if (!*db || !im->ds || !im->path || optind < argc) {
		fprintf(stderr, "darkwatch signal import: %s\n\n",
			optind < argc ? "unexpected argument"
				      : "--db, --datasource and --csv are required");
		import_usage(stderr);
		return DW_EXIT_USAGE;
	}
	if (!dw_store_datasource_valid(im->ds) ||
	    !dw_store_subtype_valid(im->subtype)) {
		fprintf(stderr, "darkwatch signal import: datasource and subtype "
			"names are up to %d characters of A-Z a-z 0-9 . _ - "
			"(e.g. bgp, ping-slash24)\n", DW_STORE_NAME_MAX);
		return DW_EXIT_USAGE;
	}
	snprintf(im->source, sizeof(im->source), "%s%s%s", im->ds,
		 *im->subtype ? "/" : "", im->subtype);
	return -1;
}

static void import_summary(const struct import *im, size_t nser,
			   int64_t first, int64_t last)
{
	char a[32], b[32];

	printf("%s: imported %" PRIu64 " points into %zu series of datasource "
	       "%s", im->path, im->points, nser, im->source);
	if (im->points) {
		dw_time_fmt(first, a);
		dw_time_fmt(last, b);
		printf(", %s .. %s", a, b);
	}
	if (im->missing)
		printf("; %" PRIu64 " empty values skipped", im->missing);
	printf("\n");
}

static int cmd_import(int argc, char **argv)
{
	const char *db = NULL;
	struct import *im = calloc(1, sizeof(*im));
	struct dw_store *st = NULL;
	char msg[512], hex0[65], hex[65] = "";
	int rc, force = 0, ret;
	int64_t first = 0, last = 0;
	size_t nser = 0;

	if (!im) {
		fprintf(stderr, "darkwatch signal import: out of memory\n");
		return DW_EXIT_UNREADABLE;
	}
	im->subtype = "";
	if ((ret = import_args(im, argc, argv, &db, &force)) >= 0)
		goto out;
	ret = DW_EXIT_UNREADABLE;
	if ((rc = dw_sha256_file(im->path, hex0)) < 0) {
		fprintf(stderr, "darkwatch signal import: cannot read %s: %s\n",
			im->path, dw_strerror(rc));
		goto out;
	}
	if ((rc = dw_store_open(db, DW_STORE_RDWR, &st, msg, sizeof(msg))) < 0) {
		fprintf(stderr, "darkwatch signal import: %s\n", msg);
		goto out;
	}
	if (!force && (rc = dw_store_ingest_seen(st, im->source, hex0)) != 0) {
		if (rc < 0) {
			fprintf(stderr, "darkwatch signal import: %s\n",
				dw_store_errmsg(st));
			goto out;
		}
		printf("%s: already imported into %s (sha256 %.16s...); "
		       "nothing to do (--force imports it again)\n", im->path,
		       im->source, hex0);
		ret = DW_EXIT_OK;
		goto out;
	}
	if ((rc = read_csv(im, hex)) < 0) {
		fprintf(stderr, "darkwatch signal import: cannot read %s: %s\n",
			im->path, dw_strerror(rc));
		goto out;
	}
	/* Even with bad rows: checking each series against its step and the
	 * store finds the remaining problems (then rolls back). */
	if ((rc = write_all(im, st, hex, &first, &last, &nser)) < 0) {
		fprintf(stderr, "darkwatch signal import: %s: cannot write to %s: "
			"%s; nothing was imported\n", im->path, db,
			rc == DW_ENOMEM ? "out of memory" : dw_store_errmsg(st));
		goto out;
	}
	if (im->rep.total) {
		report_print(&im->rep, im->path);
		ret = DW_EXIT_SKIPPED;
		goto out;
	}
	import_summary(im, nser, first, last);
	ret = DW_EXIT_OK;
out:
	dw_store_close(st);
	import_free(im);
	free(im);
	return ret;
}

/* ============================================================= export */

/* Shortest text that reads back as the same double; integers plainly. */
static int value_prec(double v)
{
	char buf[40];
	for (int prec = 15; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return prec;
	}
	return 17;
}

static int integral(double v)
{
	return v == floor(v) && fabs(v) < 9007199254740992.0;
}

struct export {
	int json, n;
	FILE *out;
};

static int export_point(void *ctx, int64_t t, double v)
{
	struct export *e = ctx;

	if (!e->json) {
		if (integral(v))
			fprintf(e->out, "%" PRId64 ",%.0f\n", t, v == 0 ? 0.0 : v);
		else
			fprintf(e->out, "%" PRId64 ",%.*g\n", t, value_prec(v), v);
		e->n++;
		return 0;
	}
	json_t *o = json_object();
	json_t *jv = integral(v) ? json_integer((json_int_t)v) : json_real(v);
	char *s = NULL;
	if (o && jv && !json_object_set_new(o, "time", json_integer(t)) &&
	    !json_object_set(o, "value", jv))
		s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(value_prec(v)));
	json_decref(jv);
	json_decref(o);
	if (!s)
		return DW_ENOMEM;
	fprintf(e->out, "%s%s", e->n++ ? ",\n" : "[\n", s);
	free(s);
	return 0;
}

/* ---- what exists, for error messages ---- */

struct listing {
	FILE *f;
	int n;
	char prev[DW_STORE_NAME_MAX + 1];
};

static int list_entity(void *ctx, const struct dw_store_entity_row *e)
{
	struct listing *l = ctx;
	if (l->n++ < 20)
		fprintf(l->f, "%s%s", l->n > 1 ? ", " : "", e->code);
	return 0;
}

static int count_type(void *ctx, const struct dw_store_entity_row *e)
{
	struct listing *l = ctx;
	/* ordered by type: print each type once */
	if (strcmp(l->prev, e->type)) {
		fprintf(l->f, "%s%s", l->n++ ? ", " : "", e->type);
		snprintf(l->prev, sizeof(l->prev), "%s", e->type);
	}
	return 0;
}

static int list_series(void *ctx, const struct dw_store_series_row *r)
{
	struct listing *l = ctx;
	fprintf(l->f, "%s%s%s%s", l->n++ ? ", " : "", r->datasource,
		*r->subtype ? " --subtype " : "", r->subtype);
	return 0;
}

static void explain_entity(struct dw_store *st, const char *type,
			   const char *code, const char *db)
{
	struct listing l = {stderr, 0, ""};

	fprintf(stderr, "darkwatch signal export: %s has no entity %s/%s; ", db,
		type, code);
	if (dw_store_entity_type_valid(type)) {
		fprintf(stderr, "entities of type %s: ", type);
		dw_store_entities(st, type, list_entity, &l);
		if (l.n > 20)
			fprintf(stderr, " ... (%d in all)", l.n);
		if (l.n) {
			fprintf(stderr, "\n");
			return;
		}
		fprintf(stderr, "none; ");
	}
	fprintf(stderr, "entity types present: ");
	l.n = 0;
	l.prev[0] = 0;
	dw_store_entities(st, NULL, count_type, &l);
	fprintf(stderr, "%s\n", l.n ? "" : "none (the store is empty)");
}

static void export_usage(FILE *f)
{
	fprintf(f,
		"usage: darkwatch signal export --db DB --datasource NAME --entity TYPE/CODE\n"
		"                               [--subtype S] [--from T] [--until T]\n"
		"                               [--format csv|json]\n\n"
		"Print one series, ordered by time: the points with FROM <= time < UNTIL.\n"
		"A value at time t covers [t, t+step).  Times are printed as epoch\n"
		"seconds; T may be epoch seconds or ISO 8601 UTC (2019-11-16T14:00Z).\n\n"
		"  --db DB             the store\n"
		"  --datasource NAME   e.g. bgp\n"
		"  --entity TYPE/CODE  e.g. country/IR, asn/12880\n"
		"  --subtype S         series subtype (default none)\n"
		"  --from T, --until T the time range (default: everything)\n"
		"  --format csv        `time,value` header, then one line per point\n"
		"                      (the default)\n"
		"  --format json       [{\"time\":...,\"value\":...}, ...]\n"
		"  -h, --help          this text\n\n"
		"exit: 0 printed (maybe no point in the range), 1 usage error or no such\n"
		"      entity or datasource (the message lists what exists), 3 the store\n"
		"      could not be read or the output written\n");
}

struct export_opts {
	const char *db, *ds, *sub, *code;
	char type[DW_STORE_NAME_MAX + 1];
	int64_t from, until;
	int json;
};

/* Options into o; -1 to go on, else the exit code. */
static int export_args(struct export_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'},
		{"datasource", required_argument, 0, 's'},
		{"entity", required_argument, 0, 'e'},
		{"subtype", required_argument, 0, 'u'},
		{"from", required_argument, 0, 'F'},
		{"until", required_argument, 0, 'U'},
		{"format", required_argument, 0, 'o'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	const char *ent = NULL, *slash;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 's': o->ds = optarg; break;
		case 'e': ent = optarg; break;
		case 'u': o->sub = optarg; break;
		case 'F':
		case 'U':
			if (dw_time_parse(optarg, c == 'F' ? &o->from : &o->until) < 0) {
				fprintf(stderr, "darkwatch signal export: --%s '%s': "
					"give epoch seconds or ISO 8601 UTC such as "
					"2019-11-16T14:00:00Z\n",
					c == 'F' ? "from" : "until", optarg);
				return DW_EXIT_USAGE;
			}
			break;
		case 'o':
			if (strcmp(optarg, "csv") && strcmp(optarg, "json")) {
				fprintf(stderr, "darkwatch signal export: --format "
					"is csv or json\n");
				return DW_EXIT_USAGE;
			}
			o->json = !strcmp(optarg, "json");
			break;
		case 'h':
			export_usage(stdout);
			return DW_EXIT_OK;
		default:
			export_usage(stderr);
			return DW_EXIT_USAGE;
		}
	}
	if (!o->db || !o->ds || !ent || optind < argc) {
		fprintf(stderr, "darkwatch signal export: %s\n\n",
			optind < argc ? "unexpected argument"
				      : "--db, --datasource and --entity are required");
		export_usage(stderr);
		return DW_EXIT_USAGE;
	}
	slash = strchr(ent, '/');
	if (!slash || slash == ent || !slash[1] ||
	    (size_t)(slash - ent) > DW_STORE_NAME_MAX) {
		fprintf(stderr, "darkwatch signal export: --entity '%s': write "
			"TYPE/CODE, e.g. country/IR or asn/12880\n", ent);
		return DW_EXIT_USAGE;
	}
	memcpy(o->type, ent, (size_t)(slash - ent));
	o->type[slash - ent] = 0;
	o->code = slash + 1;
	if (!dw_store_entity_type_valid(o->type)) {
		fprintf(stderr, "darkwatch signal export: entity type '%s' is not "
			"one of continent, country, region, asn, geoasn\n", o->type);
		return DW_EXIT_USAGE;
	}
	return -1;
}

/* The entity and series exist?  -1 if so, else the exit code (said why). */
static int export_find(const struct export_opts *o, struct dw_store *st)
{
	struct listing l = {stderr, 0, ""};
	int64_t eid;
	int rc;

	if ((rc = dw_store_entity_find(st, o->type, o->code, &eid)) <= 0) {
		if (rc < 0)
			fprintf(stderr, "darkwatch signal export: %s\n",
				dw_store_errmsg(st));
		else
			explain_entity(st, o->type, o->code, o->db);
		return rc < 0 && rc != DW_EINVAL ? DW_EXIT_UNREADABLE
						 : DW_EXIT_USAGE;
	}
	if ((rc = dw_store_series_find(st, o->ds, eid, o->sub, NULL, NULL)) < 0) {
		fprintf(stderr, "darkwatch signal export: %s\n",
			dw_store_errmsg(st));
		return rc == DW_EINVAL ? DW_EXIT_USAGE : DW_EXIT_UNREADABLE;
	}
	if (rc == 0) {
		fprintf(stderr, "darkwatch signal export: %s/%s has no datasource "
			"%s%s%s; it has: ", o->type, o->code, o->ds,
			*o->sub ? " --subtype " : "", o->sub);
		dw_store_series_list(st, eid, 0, list_series, &l);
		fprintf(stderr, "%s\n", l.n ? "" : "nothing");
		return DW_EXIT_USAGE;
	}
	return -1;
}

static int cmd_export(int argc, char **argv)
{
	struct export_opts o = {.sub = "", .from = INT64_MIN, .until = INT64_MAX};
	struct export ex = {0, 0, stdout};
	struct dw_store *st = NULL;
	char msg[512];
	int rc, ret;

	if ((ret = export_args(&o, argc, argv)) >= 0)
		return ret;
	if (dw_store_open(o.db, DW_STORE_RDONLY, &st, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "darkwatch signal export: %s\n", msg);
		return DW_EXIT_UNREADABLE;
	}
	if ((ret = export_find(&o, st)) >= 0)
		goto out;
	ex.json = o.json;
	if (!ex.json)
		fprintf(ex.out, "time,value\n");
	rc = dw_store_query_points(st, o.ds, o.type, o.code, o.sub, o.from,
				   o.until, export_point, &ex);
	if (ex.json)
		fprintf(ex.out, "%s", ex.n ? "\n]\n" : "[]\n");
	ret = DW_EXIT_OK;
	if (rc < 0) {
		fprintf(stderr, "darkwatch signal export: %s\n",
			rc == DW_ENOMEM ? "out of memory" : dw_store_errmsg(st));
		ret = DW_EXIT_UNREADABLE;
	}
out:
	dw_store_close(st);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "darkwatch signal export: cannot write the output: "
			"%s\n", strerror(errno));
		ret = DW_EXIT_UNREADABLE;
	}
	return ret;
}

/* ======================================================== list, check */

static int print_series(void *ctx, const struct dw_store_series_row *r)
{
	char a[32] = "-", b[32] = "-", ent[300];
	(void)ctx;
	if (r->points) {
		dw_time_fmt(r->first_t, a);
		dw_time_fmt(r->last_t, b);
	}
	snprintf(ent, sizeof(ent), "%s/%s", r->entity_type, r->entity_code);
	printf("%-20s %-16s %-8s %7" PRId64 " %10" PRId64 "  %s  %s\n", ent,
	       r->datasource, *r->subtype ? r->subtype : "-", r->step,
	       r->points, a, b);
	return 0;
}

static int open_ro(const char *verb, int argc, char **argv, const char *help,
		   struct dw_store **st, const char **db)
{
	static const struct option opts[] = {{"db", required_argument, 0, 'd'},
					     {"help", no_argument, 0, 'h'},
					     {0, 0, 0, 0}};
	char msg[512];
	int c;

	*db = NULL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("%s", help);
			return DW_EXIT_OK;
		}
		if (c != 'd') {
			fprintf(stderr, "%s", help);
			return DW_EXIT_USAGE;
		}
		*db = optarg;
	}
	if (!*db || optind < argc) {
		fprintf(stderr, "darkwatch signal %s: --db DB is required%s\n\n%s",
			verb, optind < argc ? " (and nothing else)" : "", help);
		return DW_EXIT_USAGE;
	}
	if (dw_store_open(*db, DW_STORE_RDONLY, st, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "darkwatch signal %s: %s\n", verb, msg);
		return DW_EXIT_UNREADABLE;
	}
	return -1;
}

static const char list_help[] =
	"usage: darkwatch signal list --db DB\n\n"
	"One line per series: entity, datasource, subtype, step (s), number of\n"
	"points, first and last time.\n\n"
	"exit: 0 listed, 1 usage error, 3 the store could not be read\n";

static int cmd_list(int argc, char **argv)
{
	struct dw_store *st = NULL;
	const char *db;
	int rc = open_ro("list", argc, argv, list_help, &st, &db);

	if (rc >= 0)
		return rc;
	printf("%-20s %-16s %-8s %7s %10s  %-20s  %s\n", "entity", "datasource",
	       "subtype", "step", "points", "first", "last");
	rc = dw_store_series_list(st, 0, DW_STORE_COUNTS, print_series, NULL);
	if (rc < 0)
		fprintf(stderr, "darkwatch signal list: %s\n", dw_store_errmsg(st));
	dw_store_close(st);
	return rc < 0 ? DW_EXIT_UNREADABLE : DW_EXIT_OK;
}

static const char check_help[] =
	"usage: darkwatch signal check --db DB\n\n"
	"Check the store: SQLite's integrity_check and foreign_key_check, then\n"
	"count entities, series, points and imported inputs.\n\n"
	"exit: 0 sound, 1 usage error, 2 damage found (message on stderr), 3 the\n"
	"      store could not be opened\n";

static int cmd_check(int argc, char **argv)
{
	struct dw_store *st = NULL;
	struct dw_store_stats s;
	const char *db;
	int rc = open_ro("check", argc, argv, check_help, &st, &db);

	if (rc >= 0)
		return rc;
	if ((rc = dw_store_check(st)) < 0) {
		fprintf(stderr, "darkwatch signal check: %s: %s\n", db,
			dw_store_errmsg(st));
		dw_store_close(st);
		return rc == DW_EFORMAT ? DW_EXIT_SKIPPED : DW_EXIT_UNREADABLE;
	}
	if ((rc = dw_store_stats(st, &s)) < 0) {
		fprintf(stderr, "darkwatch signal check: %s: %s\n", db,
			dw_store_errmsg(st));
		dw_store_close(st);
		return DW_EXIT_UNREADABLE;
	}
	printf("%s: ok: schema %d, %" PRId64 " entities, %" PRId64 " series, %"
	       PRId64 " points, %" PRId64 " inputs imported\n", db,
	       s.schema_version, s.entities, s.series, s.points, s.inputs);
	dw_store_close(st);
	return DW_EXIT_OK;
}

/* ============================================================== verb */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: darkwatch signal import|export|list|check [ARGS...]\n\n"
		"  import   CSV -> store (all or nothing; re-importing is a no-op)\n"
		"  export   one series -> CSV or JSON\n"
		"  list     the series in a store\n"
		"  check    integrity check and counts\n\n"
		"`darkwatch signal SUBCOMMAND --help` describes each.\n");
}

int dw_cmd_signal(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return DW_EXIT_USAGE;
	}
	if (dw_is_help(argv[1])) {
		usage(stdout);
		return DW_EXIT_OK;
	}
	if (!strcmp(argv[1], "import"))
		return cmd_import(argc - 1, argv + 1);
	if (!strcmp(argv[1], "export"))
		return cmd_export(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return cmd_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "check"))
		return cmd_check(argc - 1, argv + 1);
	fprintf(stderr, "darkwatch signal: unknown subcommand '%s'\n\n", argv[1]);
	usage(stderr);
	return DW_EXIT_USAGE;
}
