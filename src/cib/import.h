/*
 * import.h - parsers of social-media activity exports for `darkwatch cib
 * import`: rows of (account, post, time, shared objects, text).
 *
 * First stage of the coordinated-account engine: bytes (a file, gzip or
 * not, or memory) -> normalised rows -> the store (cib_store.h).  Four
 * layouts (docs/CIB.md, Import formats): generic CSV with named columns,
 * JSON Lines with the same keys, CooRTweet's long layout and Twitter's
 * information-operations archives.
 *
 * Key decisions:
 *  - Streaming: the parser is fed blocks of any size and keeps one record
 *    at a time (memory is bounded by DW_CIB_RECORD_MAX), so a file of any
 *    length imports in constant memory.  All CSV goes through libcsv (RFC
 *    4180: quoted fields with commas and newlines are common in tweets).
 *  - A bad row never stops the file: it is reported through the bad
 *    callback with the line it starts on and counted.  Only a header
 *    without the required columns or a record over DW_CIB_RECORD_MAX
 *    stops a file (DW_EFORMAT / DW_ETOOBIG).
 *  - Rows carry normalised keys (url.h) so the store writes them as they
 *    are; a row without a post id gets "h:" + a 128-bit hash of its
 *    normalised content, so re-importing it finds the same post.
 */
#ifndef DW_CIB_IMPORT_H
#define DW_CIB_IMPORT_H

#include <stddef.h>
#include <stdint.h>

struct dw_cib_writer;

enum dw_cib_format {
	DW_CIB_FMT_GENERIC = 0,
	DW_CIB_FMT_JSONL,
	DW_CIB_FMT_COORTWEET,
	DW_CIB_FMT_TWITTER_IO,
	DW_CIB__NFMT
};

/* "generic", "jsonl", "coortweet", "twitter-io" -> the format, or -1. */
int dw_cib_format_parse(const char *name);
const char *dw_cib_format_name(int format);

#define DW_CIB_ROW_MAXOBJ 256          /* objects kept per row */
#define DW_CIB_RECORD_MAX (64u << 20) /* bytes of one CSV record / line */

struct dw_cib_obj {
	int trace;       /* enum dw_cib_trace */
	const char *key; /* normalised, NUL-terminated */
	size_t len;
};

/* One normalised row.  Every pointer is borrowed: valid during the row
 * callback only. */
struct dw_cib_row {
	uint64_t line;             /* where the record starts (1-based) */
	const char *account;       /* UTF-8 text, 1..DW_CIB_NAME_MAX bytes */
	size_t account_len;
	const char *post;          /* the post's key */
	size_t post_len;
	int64_t t;                 /* epoch seconds */
	const char *text;          /* NULL when none */
	size_t text_len;
	const struct dw_cib_obj *obj;
	size_t nobj;
	unsigned dropped;          /* items not usable as keys (bad URLs...) */
};

/* Return 0 to go on, < 0 to stop the parse with that value. */
typedef int (*dw_cib_row_fn)(void *ctx, const struct dw_cib_row *r);
/* A skipped record: its first line and why (borrowed text). */
typedef void (*dw_cib_bad_fn)(void *ctx, uint64_t line, const char *reason);

struct dw_cib_parse_stats {
	uint64_t rows;  /* rows passed to the row callback */
	uint64_t bad;   /* records skipped */
	uint64_t lines; /* lines read */
	uint64_t dropped; /* list items dropped (bad URL, empty hashtag...) */
};

struct dw_cib_parser;

/* 0 and *out (owned: dw_cib_parser_free), DW_EINVAL, DW_ENOMEM.  bad may
 * be NULL. */
int dw_cib_parser_new(int format, dw_cib_row_fn row, dw_cib_bad_fn bad,
		      void *ctx, struct dw_cib_parser **out);
/*
 * Feed the next n bytes.  Returns 0, what the row callback returned (< 0),
 * DW_EFORMAT (the header lacks a required column: dw_cib_parser_errmsg
 * says which), DW_ETOOBIG or DW_ENOMEM.  After an error the parser only
 * fails.
 */
int dw_cib_parser_feed(struct dw_cib_parser *p, const void *buf, size_t n);
/* The end of the input (a last line without newline is a record). */
int dw_cib_parser_finish(struct dw_cib_parser *p);
void dw_cib_parser_stats(const struct dw_cib_parser *p,
			 struct dw_cib_parse_stats *st);
/* Why the parse stopped ("" if it did not); borrowed. */
const char *dw_cib_parser_errmsg(const struct dw_cib_parser *p);
void dw_cib_parser_free(struct dw_cib_parser *p);

/* Parse a whole buffer (the fuzz target's entry point): new, feed,
 * finish, free.  st may be NULL. */
int dw_cib_parse_mem(int format, const void *buf, size_t n, dw_cib_row_fn row,
		     dw_cib_bad_fn bad, void *ctx, struct dw_cib_parse_stats *st);

/* Progress: bytes of the file read so far (compressed bytes for gzip)
 * out of total (0 if unknown). */
typedef void (*dw_cib_fprogress_fn)(void *ctx, uint64_t pos, uint64_t total,
				    uint64_t rows);

/*
 * Parse the file at path (gzip detected by its magic).  Returns 0, -errno
 * when it cannot be opened or read, DW_ECOMPRESS for a corrupt or
 * truncated gzip stream (rows before the damage were delivered), or a
 * dw_cib_parser_feed error; msg (msglen bytes) then says what happened.
 */
int dw_cib_parse_file(int format, const char *path, dw_cib_row_fn row,
		      dw_cib_bad_fn bad, dw_cib_fprogress_fn progress,
		      void *ctx, struct dw_cib_parse_stats *st, char *msg,
		      size_t msglen);

/*
 * Write one row with w: account, post, objects and actions.  Returns 1
 * when the post was new, 0 when its key was already stored (its actions
 * are then added with the stored post's account and time: a long layout's
 * further rows of a post, or a re-import, which adds nothing), or a store
 * error.
 */
int dw_cib_store_row(struct dw_cib_writer *w, const struct dw_cib_row *r);

/*
 * Time as exports write it: epoch seconds (a fraction is dropped; values
 * above 1e11 are taken as milliseconds), or what dw_time_parse accepts
 * (ISO 8601, "YYYY-MM-DD HH:MM[:SS]", UTC) with any fraction of a second
 * dropped.  Surrounding spaces are ignored.  0 and *t, or DW_EINVAL.
 */
int dw_cib_time_parse(const char *s, size_t n, int64_t *t);

#endif
