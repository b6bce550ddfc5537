/*
 * reader.c - MRT framing: the pull API of mrt.h over a dw_stream.
 *
 * One buffer holds the current record contiguously (grown up to max_record);
 * bytes come from the stream in large reads and are compacted with memmove,
 * so memory stays constant whatever the file size.  Record bodies are decoded
 * by body.c into views of this buffer, valid until the next call.
 *
 * Framing damage in real archives is repaired where it can be told apart:
 *  - early RIS TABLE_DUMP records declare a length 4 bytes short and batch
 *    many entries: when the header after `length` is implausible but the one
 *    after `length + 4` is fine, the record is taken as 4 bytes longer and its
 *    entries are returned one by one (counted as length-fixup);
 *  - an implausible header (unknown type with an absurd length, timestamp far
 *    from its neighbours) starts a bounded forward scan for the next offset
 *    where two plausible records follow each other (counted as framing-lost).
 */
#include "darkwatch/mrt.h"

#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/cursor.h"
#include "darkwatch/stream.h"
#include "mrt/body.h"

#define HDR 12
#define READ_CHUNK (256u << 10)
#define RESYNC_WINDOW (1u << 20)
#define TS_SLACK (30u * 86400u)

struct dw_mrt_reader {
	struct dw_stream *s;
	struct dw_mrt_reader_conf conf;
	uint8_t *buf;
	size_t cap, start, end;
	uint64_t buf_off;          /* stream offset of buf[0] */
	int eof;                   /* stream returned 0 or an error */
	int serr;                  /* the stream's error, if any */
	int done;
	struct dw_arena *arena;
	struct dw_mrt_record rec;
	struct dw_mrt_peers_store ps;
	struct dw_mrt_error err;
	struct dw_mrt_counts counts;
	uint32_t last_ts;
	int have_ts;
	struct dw_cur batch;       /* remaining batched TABLE_DUMP entries */
	int in_batch;
};

/* Double the buffer, but not past what `need` calls for. */
static int grow(struct dw_mrt_reader *r, size_t need)
{
	size_t ncap = r->cap * 2 < need ? r->cap * 2 : need;
	uint8_t *nb = malloc(ncap);
	if (!nb)
		return DW_ENOMEM;
	memcpy(nb, r->buf, r->end);
	free(r->buf);
	r->buf = nb;
	r->cap = ncap;
	return 0;
}

/*
 * Make at least `need` bytes available from start; 0 ok, 1 short (EOF).
 * The buffer grows only as bytes arrive, so a header declaring a huge
 * length in a short (damaged) stream costs the bytes that exist, not the
 * length it declares.
 */
static int fill(struct dw_mrt_reader *r, size_t need)
{
	if (r->end - r->start >= need)
		return 0;
	if (r->start) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->buf_off += r->start;
		r->end -= r->start;
		r->start = 0;
	}
	while (r->end < need && !r->eof) {
		if (r->end == r->cap) {
			int rc = grow(r, need);
			if (rc < 0)
				return rc;
		}
		ssize_t n = dw_stream_read(r->s, r->buf + r->end, r->cap - r->end);
		if (n > 0) {
			r->end += (size_t)n;
		} else {
			r->eof = 1;
			r->serr = n < 0 ? (int)n : 0;
		}
	}
	return r->end - r->start >= need ? 0 : 1;
}

static int known_subtype(uint16_t type, uint16_t st)
{
	switch (type) {
	case DW_MRT_BGP: return st <= 7;
	case DW_MRT_TABLE_DUMP: return st >= 1 && st <= 4;
	case DW_MRT_TABLE_DUMP_V2: return st >= 1 && st <= 12 && st != 7;
	case DW_MRT_BGP4MP:
	case DW_MRT_BGP4MP_ET: return st <= 11;
	}
	return 0;
}

static uint32_t rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* A header that looks like a record of a known type, near in time. */
static int plausible(const struct dw_mrt_reader *r, const uint8_t *h,
		     uint32_t ref_ts)
{
	uint32_t ts = rd32(h), len = rd32(h + 8);
	uint16_t type = rd16(h + 4), st = rd16(h + 6);
	if (!known_subtype(type, st) || len > r->conf.max_record)
		return 0;
	if (type == DW_MRT_BGP4MP_ET && len < 4)
		return 0;
	if (ref_ts && (ts + TS_SLACK < ref_ts || ts > ref_ts + TS_SLACK))
		return 0;
	return 1;
}

/* Is there a plausible record boundary (or a clean end) at offset `at`? */
static int boundary_ok(struct dw_mrt_reader *r, size_t at, uint32_t ref_ts)
{
	int rc = fill(r, at + HDR);
	if (rc < 0)
		return 0;
	if (rc == 1)
		return r->end - r->start == at && !r->serr; /* exact EOF */
	return plausible(r, r->buf + r->start + at, ref_ts);
}

static void set_err(struct dw_mrt_reader *r, int code, enum dw_reason why,
		    uint64_t off, uint16_t type, uint16_t st)
{
	r->err.code = code;
	r->err.reason = why;
	r->err.offset = off;
	r->err.type = type;
	r->err.subtype = st;
	r->counts.reasons[why]++;
}

/* End of input inside a record, or a stream error: report once, then stop. */
static int end_of_input(struct dw_mrt_reader *r, size_t have)
{
	uint64_t off = r->buf_off + r->start;
	const uint8_t *h = r->buf + r->start;
	uint16_t type = have >= 8 ? rd16(h + 4) : 0;
	uint16_t st = have >= 8 ? rd16(h + 6) : 0;
	r->done = 1;
	if (r->serr && r->serr != DW_ETRUNC) {
		set_err(r, DW_ECOMPRESS, DW_R_COMPRESS_ERROR, off, type, st);
		r->counts.skipped += have ? 1 : 0;
		return DW_ECOMPRESS;
	}
	if (!have && !r->serr)
		return 0;
	set_err(r, DW_ETRUNC, DW_R_TRUNCATED_FILE, off, type, st);
	if (have)
		r->counts.skipped++;
	return DW_ETRUNC;
}

/* Scan forward for two plausible records in a row; skip what lies before. */
static int resync(struct dw_mrt_reader *r, uint16_t type, uint16_t st)
{
	uint64_t off = r->buf_off + r->start;
	uint32_t ref = r->have_ts ? r->last_ts : 0;
	for (size_t at = 1; at < RESYNC_WINDOW; at++) {
		int rc = fill(r, at + HDR);
		if (rc)
			break;
		const uint8_t *h = r->buf + r->start + at;
		if (!plausible(r, h, ref))
			continue;
		uint32_t len = rd32(h + 8);
		if (boundary_ok(r, at + HDR + len, rd32(h))) {
			r->start += at;
			set_err(r, DW_EMALFORMED, DW_R_FRAMING_LOST, off, type, st);
			r->counts.skipped++;
			return DW_EMALFORMED;
		}
	}
	/* nothing found: drop the rest of the input */
	set_err(r, DW_EMALFORMED, DW_R_FRAMING_LOST, off, type, st);
	r->counts.skipped++;
	r->done = 1;
	return DW_EMALFORMED;
}

/* Skip a body too big to buffer without holding it. */
static int skip_big(struct dw_mrt_reader *r, uint64_t len)
{
	while (len) {
		size_t avail = r->end - r->start;
		if (!avail) {
			if (fill(r, 1))
				return 1;
			avail = r->end - r->start;
		}
		size_t n = avail < len ? avail : (size_t)len;
		r->start += n;
		len -= n;
	}
	return 0;
}

static int next_batched(struct dw_mrt_reader *r, const struct dw_mrt_record **out)
{
	enum dw_reason why = DW_R_NONE;
	int rc = dw_mrt_td1_entry(&r->rec, &r->batch, &why);
	if (rc > 0) {
		r->counts.records++;
		*out = &r->rec;
		return 1;
	}
	r->in_batch = 0;
	if (rc < 0) {
		set_err(r, DW_EMALFORMED, why, r->rec.offset, r->rec.type,
			r->rec.subtype);
		r->counts.skipped++;
		return DW_EMALFORMED;
	}
	return 2; /* batch exhausted: go on with the next record */
}

/* Early RIS TABLE_DUMP: declared length 4 short (see file comment). */
static uint32_t td1_fixup(struct dw_mrt_reader *r, uint32_t len, uint32_t ts)
{
	if (boundary_ok(r, HDR + len, ts))
		return len;
	if (fill(r, HDR + len + 4) <= 1 && boundary_ok(r, HDR + len + 4, ts)) {
		r->counts.reasons[DW_R_LENGTH_FIXUP]++;
		return len + 4;
	}
	return len;
}

static int decode_current(struct dw_mrt_reader *r, uint32_t hdr, uint32_t len,
			  const struct dw_mrt_record **out)
{
	struct dw_mrt_record *rec = &r->rec;
	enum dw_reason why = DW_R_NONE, warn;
	size_t used;
	const uint8_t *body = r->buf + r->start + hdr;

	rec->body = (struct dw_bytes){body, len};
	r->start += hdr + len;
	int rc = dw_mrt_body_decode(rec, r->arena, &r->ps, &why, &warn, &used);
	if (rc < 0 && why == DW_R_UNKNOWN_TYPE) {
		/* a valid record of a kind we do not decode: counted, passed on */
		rec->kind = DW_MRT_K_OTHER;
		warn = DW_R_UNKNOWN_TYPE;
		rc = 0;
	}
	rec->warn = warn;
	if (warn != DW_R_NONE) {
		r->counts.reasons[warn]++;
		if (warn == DW_R_PEER_INDEX)
			r->counts.skipped++;
	}
	if (rc < 0) {
		set_err(r, rc, why, rec->offset, rec->type, rec->subtype);
		r->counts.skipped++;
		return rc == DW_ENOMEM ? DW_ENOMEM : DW_EMALFORMED;
	}
	if (rec->type == DW_MRT_TABLE_DUMP && used < len) {
		r->batch = dw_cur_make(body + used, len - used);
		r->in_batch = 1;
	}
	if (r->have_ts && rec->timestamp < r->last_ts)
		r->counts.reasons[DW_R_TIME_BACKWARDS]++;
	r->last_ts = rec->timestamp;
	r->have_ts = 1;
	r->counts.records++;
	*out = rec;
	return 1;
}

int dw_mrt_reader_next(struct dw_mrt_reader *r, const struct dw_mrt_record **out)
{
	int rc;

	*out = NULL;
	if (r->in_batch && (rc = next_batched(r, out)) != 2)
		return rc;
	if (r->done)
		return 0;
	dw_arena_reset(r->arena);
	rc = fill(r, HDR);
	if (rc < 0)
		return rc;
	if (rc)
		return end_of_input(r, r->end - r->start);

	const uint8_t *h = r->buf + r->start;
	struct dw_mrt_record *rec = &r->rec;
	memset(rec, 0, sizeof(*rec));
	rec->offset = r->buf_off + r->start;
	rec->timestamp = rd32(h);
	rec->type = rd16(h + 4);
	rec->subtype = rd16(h + 6);
	uint32_t len = rd32(h + 8), hdr = HDR;

	if (!plausible(r, h, r->have_ts ? r->last_ts : 0)) {
		int known = known_subtype(rec->type, rec->subtype);
		if (len > r->conf.max_record && known) {
			set_err(r, DW_ETOOBIG, DW_R_RECORD_TOO_BIG, rec->offset,
				rec->type, rec->subtype);
			r->counts.skipped++;
			r->start += HDR;
			if (skip_big(r, len))
				r->done = 1;
			return DW_EMALFORMED;
		}
		/* sound framing (odd time, unknown type, or too short for its
		 * type): keep going.  The next header is judged on its own, not
		 * against this record's (maybe odd) time. */
		if (len > r->conf.max_record || !boundary_ok(r, HDR + len, 0))
			return resync(r, rec->type, rec->subtype);
		if (known && rec->type == DW_MRT_BGP4MP_ET && len < 4) {
			r->start += HDR + len;
			set_err(r, DW_EMALFORMED, DW_R_RECORD_TRUNCATED, rec->offset,
				rec->type, rec->subtype);
			r->counts.skipped++;
			return DW_EMALFORMED;
		}
		if (!known) {
			if (fill(r, HDR + len))
				return end_of_input(r, r->end - r->start);
			rec->length = len;
			rec->body = (struct dw_bytes){r->buf + r->start + HDR, len};
			r->start += HDR + len;
			r->counts.reasons[DW_R_UNKNOWN_TYPE]++;
			r->counts.records++;
			*out = rec;
			return 1;
		}
	}
	if (rec->type == DW_MRT_BGP4MP_ET) {
		if (fill(r, HDR + 4))
			return end_of_input(r, r->end - r->start);
		rec->usec = rd32(r->buf + r->start + HDR);
		hdr += 4;
		len -= 4;
	}
	if (fill(r, hdr + len) < 0)
		return DW_ENOMEM;
	if (r->end - r->start < hdr + len)
		return end_of_input(r, r->end - r->start);
	if (rec->type == DW_MRT_TABLE_DUMP)
		len = td1_fixup(r, len, rec->timestamp);
	rec->length = len;
	return decode_current(r, hdr, len, out);
}

static int reader_init(struct dw_stream *s, const struct dw_mrt_reader_conf *conf,
		       size_t bufsize, struct dw_mrt_reader **out)
{
	struct dw_mrt_reader *r = calloc(1, sizeof(*r));
	if (!r)
		goto fail;
	r->s = s;
	if (conf)
		r->conf = *conf;
	else
		r->conf = (struct dw_mrt_reader_conf)DW_MRT_READER_CONF_DEFAULT;
	if (!r->conf.max_record)
		r->conf.max_record = 16u << 20;
	r->cap = bufsize; /* grows to the largest record, up to max_record */
	r->buf = malloc(r->cap);
	r->arena = dw_arena_new(64u << 20);
	if (!r->buf || !r->arena)
		goto fail;
	*out = r;
	return 0;
fail:
	if (r) {
		free(r->buf);
		dw_arena_free(r->arena);
		free(r);
	}
	dw_stream_free(s);
	return DW_ENOMEM;
}

int dw_mrt_reader_open(const char *path, const struct dw_mrt_reader_conf *conf,
		       struct dw_mrt_reader **out)
{
	struct dw_stream_conf sc = DW_STREAM_CONF_DEFAULT;
	struct dw_stream *s;
	if (conf)
		sc.threads = conf->threads;
	int rc = dw_stream_open(path, &sc, &s);
	if (rc < 0)
		return rc;
	return reader_init(s, conf, 1u << 20, out);
}

int dw_mrt_reader_open_mem(const void *buf, size_t len,
			   const struct dw_mrt_reader_conf *conf,
			   struct dw_mrt_reader **out)
{
	struct dw_stream_conf sc = DW_STREAM_CONF_DEFAULT;
	struct dw_stream *s;
	sc.threads = conf ? conf->threads : 1;
	int rc = dw_stream_open_mem(buf, len, &sc, &s);
	if (rc < 0)
		return rc;
	/* memory inputs are small (tests, fuzzing): start with a small buffer */
	return reader_init(s, conf, 64u << 10, out);
}

const struct dw_mrt_error *dw_mrt_reader_error(const struct dw_mrt_reader *r)
{
	return &r->err;
}

const struct dw_mrt_counts *dw_mrt_reader_counts(const struct dw_mrt_reader *r)
{
	return &r->counts;
}

const struct dw_mrt_peer_table *dw_mrt_reader_peers(const struct dw_mrt_reader *r)
{
	return r->ps.have ? &r->ps.table : NULL;
}

struct dw_stream *dw_mrt_reader_stream(struct dw_mrt_reader *r) { return r->s; }

void dw_mrt_reader_count(struct dw_mrt_reader *r, enum dw_reason why, int skipped)
{
	if ((unsigned)why < DW_R__COUNT)
		r->counts.reasons[why]++;
	if (skipped)
		r->counts.skipped++;
}

void dw_mrt_reader_free(struct dw_mrt_reader *r)
{
	if (!r)
		return;
	dw_stream_free(r->s);
	dw_mrt_peers_free(&r->ps);
	dw_arena_free(r->arena);
	free(r->buf);
	free(r);
}
