/*
 * csvdb.c - load @ip-location-db style CSV range files into geo tables.
 *
 * Part of the geo module (geo_int.h): geo.c calls geo_csv_load once it has
 * seen, from the first bytes, that a file is CSV (plain or gzip).  Rows
 * become geo rows; table.c sorts, resolves overlaps and builds the tables.
 *
 * Layouts (no header in the packages; a header line is skipped):
 *   country: start,end,country_code
 *   city:    start,end,country_code,state1,state2,city,postcode,lat,lon,tz
 * The layout is the column count of the first row whose start and end
 * parse: 3 columns is country, 6 to 10 is city (region = state1); any other
 * count (the ASN files have 4) fails with DW_EUNSUPP.  Later rows with
 * another count are bad rows.
 *
 * Key decisions:
 *  - start/end are IPv4 dotted quads, IPv6 text or decimal integers (the
 *    -num files).  A decimal value has no family of its own, so the file
 *    decides: its decimal rows are IPv6 if any decimal value in the file
 *    exceeds 2^32 - 1, else IPv4.  (The -ipv6-num files start at 2000::, so
 *    they always have such values.)
 *  - A malformed row is skipped and counted with the reason of the first
 *    one; the file goes on.  A file with no usable row at all is not a geo
 *    CSV (DW_EFORMAT).  Rows with an empty, "ZZ" or "--" country are known
 *    gaps, counted apart.
 *  - Reading goes through zlib's gzread, which also reads plain files, so
 *    one loop serves both; a corrupt or truncated gzip stream fails the
 *    load (DW_ECOMPRESS) rather than leaving a silently partial database.
 *  - Quoted fields (RFC 4180, "" inside quotes) are accepted: city names
 *    contain commas.  A quoted field cannot span lines.
 */
#include "geo/geo_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "darkwatch/err.h"

#define CSV_BUF         (1u << 20) /* read buffer */
#define CSV_LINE_MAX    65536      /* a longer line is a bad row */
#define CSV_FIELDS      16         /* more columns is a bad row */
#define CSV_STATE_CACHE 256        /* bytes of state1 remembered for reuse */

enum fam { FAM_NUM = 0, FAM_V4 = 4, FAM_V6 = 6 };

struct field {
	char *p;
	size_t len;
};

struct csv {
	struct geo_source *src;
	struct geo_rowvec v4, v6, num;
	int num_wide;  /* a decimal value above 2^32 - 1 was seen */
	int layout;    /* 0 until the first parsable row */
	int seen_line; /* a non-blank line was seen (header rule) */
	uint64_t line;
	uint64_t kept; /* rows pushed */
	/* the last (country, state1) seen and its location */
	char last_cc[2];
	char last_state[CSV_STATE_CACHE];
	size_t last_state_len;
	int64_t last_loc; /* -1 none, else index */
};

static void bad(struct csv *c, const char *why)
{
	struct dw_geo_file_info *in = &c->src->info;
	in->bad_rows++;
	if (!in->first_bad_line) {
		in->first_bad_line = c->line;
		in->first_bad_reason = why;
	}
}

/* Split line[0..len) into fields, unquoting in place.  Returns the count,
 * CSV_FIELDS + 1 for too many, or -1 for bad quoting. */
static int split(char *line, size_t len, struct field *f)
{
	size_t i = 0;
	int nf = 0;

	for (;;) {
		char *out;
		size_t start;
		if (nf == CSV_FIELDS)
			return CSV_FIELDS + 1;
		while (i < len && line[i] == ' ')
			i++;
		if (i < len && line[i] == '"') {
			out = line + i;
			f[nf].p = out;
			i++;
			for (;;) {
				if (i >= len)
					return -1;
				if (line[i] == '"') {
					if (i + 1 < len && line[i + 1] == '"') {
						*out++ = '"';
						i += 2;
						continue;
					}
					i++;
					break;
				}
				*out++ = line[i++];
			}
			f[nf].len = (size_t)(out - f[nf].p);
			while (i < len && line[i] == ' ')
				i++;
			if (i < len && line[i] != ',')
				return -1;
		} else {
			start = i;
			while (i < len && line[i] != ',')
				i++;
			f[nf].p = line + start;
			f[nf].len = i - start;
			while (f[nf].len && f[nf].p[f[nf].len - 1] == ' ')
				f[nf].len--;
		}
		nf++;
		if (i >= len)
			return nf;
		i++; /* the comma */
	}
}

/* Decimal digits to a 128-bit value (four 32-bit limbs, most significant
 * first).  Returns 0, or -1 on a non-digit or overflow. */
static int parse_dec(const char *p, size_t len, struct geo_k128 *k)
{
	uint32_t limb[4] = {0, 0, 0, 0};

	if (len == 0 || len > 39)
		return -1;
	for (size_t i = 0; i < len; i++) {
		uint64_t carry;
		if (p[i] < '0' || p[i] > '9')
			return -1;
		carry = (uint64_t)(p[i] - '0');
		for (int j = 3; j >= 0; j--) {
			uint64_t v = (uint64_t)limb[j] * 10 + carry;
			limb[j] = (uint32_t)v;
			carry = v >> 32;
		}
		if (carry)
			return -1;
	}
	k->hi = (uint64_t)limb[0] << 32 | limb[1];
	k->lo = (uint64_t)limb[2] << 32 | limb[3];
	return 0;
}

/* One address field → key and family.  0 or -1. */
static int parse_key(const struct field *f, struct geo_k128 *k, int *fam)
{
	char tmp[64];
	uint8_t b[16];

	if (f->len == 0 || f->len >= sizeof(tmp))
		return -1;
	if (!memchr(f->p, '.', f->len) && !memchr(f->p, ':', f->len)) {
		*fam = FAM_NUM;
		return parse_dec(f->p, f->len, k);
	}
	memcpy(tmp, f->p, f->len);
	tmp[f->len] = 0;
	if (inet_pton(AF_INET, tmp, b) == 1) {
		*fam = FAM_V4;
		k->hi = 0;
		k->lo = (uint64_t)b[0] << 24 | (uint64_t)b[1] << 16 |
			(uint64_t)b[2] << 8 | b[3];
		return 0;
	}
	if (inet_pton(AF_INET6, tmp, b) == 1) {
		*fam = FAM_V6;
		k->hi = k->lo = 0;
		for (int i = 0; i < 8; i++) {
			k->hi = k->hi << 8 | b[i];
			k->lo = k->lo << 8 | b[8 + i];
		}
		return 0;
	}
	return -1;
}

/* Location index for (cc, state1), reusing the previous row's when equal.
 * 1 ok, 0 no country, -1 bad country, <-1 error. */
static int row_loc(struct csv *c, const struct field *cc,
		   const struct field *st, uint32_t *loc)
{
	struct dw_geo_result r;
	size_t stlen = st ? st->len : 0;
	int rc;

	if (c->last_loc >= 0 && cc->len == 2 && stlen <= CSV_STATE_CACHE &&
	    memcmp(cc->p, c->last_cc, 2) == 0 && stlen == c->last_state_len &&
	    (stlen == 0 || memcmp(st->p, c->last_state, stlen) == 0)) {
		*loc = (uint32_t)c->last_loc;
		return 1;
	}
	rc = geo_result_make(cc->p, cc->len, st ? st->p : NULL, stlen, &r);
	if (rc <= 0)
		return rc;
	rc = geo_locs_intern(&c->src->locs, &r, loc);
	if (rc)
		return rc;
	if (cc->len == 2 && stlen <= CSV_STATE_CACHE) {
		memcpy(c->last_cc, cc->p, 2);
		if (stlen)
			memcpy(c->last_state, st->p, stlen);
		c->last_state_len = stlen;
		c->last_loc = *loc;
	}
	return 1;
}

/* A first line whose first field is no address but has a letter beyond
 * the hex digits ("ip_range_start") is a header, not a bad row. */
static int is_header(const struct field *f)
{
	for (size_t j = 0; j < f->len; j++) {
		int ch = f->p[j] | 0x20;
		if (ch >= 'g' && ch <= 'z')
			return 1;
	}
	return 0;
}

/* One line without its terminator.  0, or a fatal negative code. */
static int do_line(struct csv *c, char *line, size_t len)
{
	struct field f[CSV_FIELDS];
	struct geo_row row;
	struct geo_rowvec *vec;
	int nf, fs, fe, rc, first;
	uint32_t loc;

	c->line++;
	if (c->line == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		line += 3;
		len -= 3;
	}
	if (len && line[len - 1] == '\r')
		len--;
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	if (len == 0 || line[0] == '#')
		return 0;
	first = !c->seen_line;
	c->seen_line = 1;
	if (memchr(line, 0, len)) {
		c->src->info.rows++;
		bad(c, "NUL byte in line");
		return 0;
	}
	nf = split(line, len, f);
	if (nf < 0 || nf > CSV_FIELDS) {
		c->src->info.rows++;
		bad(c, nf < 0 ? "bad quoting" : "too many columns");
		return 0;
	}
	if (nf < 3 || parse_key(&f[0], &row.s, &fs) ||
	    parse_key(&f[1], &row.e, &fe)) {
		if (first && is_header(&f[0]))
			return 0;
		c->src->info.rows++;
		bad(c, nf < 3 ? "too few columns" : "bad address");
		return 0;
	}
	c->src->info.rows++;
	if (!c->layout) {
		if (nf == 3)
			c->layout = DW_GEO_LAYOUT_COUNTRY;
		else if (nf >= 6 && nf <= 10)
			c->layout = DW_GEO_LAYOUT_CITY;
		else
			return DW_EUNSUPP;
	}
	if (c->layout == DW_GEO_LAYOUT_COUNTRY ? nf != 3 : nf < 6 || nf > 10) {
		bad(c, "wrong column count for the layout");
		return 0;
	}
	if (fs != fe) {
		bad(c, "start and end of different families");
		return 0;
	}
	if (row.s.hi > row.e.hi ||
	    (row.s.hi == row.e.hi && row.s.lo > row.e.lo)) {
		bad(c, "start after end");
		return 0;
	}
	rc = row_loc(c, &f[2], c->layout == DW_GEO_LAYOUT_CITY ? &f[3] : NULL,
		     &loc);
	if (rc == 0) {
		c->src->info.unknown_rows++;
		return 0;
	}
	if (rc == -1) {
		bad(c, "bad country code");
		return 0;
	}
	if (rc < 0)
		return rc;
	if (c->kept >= UINT32_MAX - 1)
		return DW_ETOOBIG;
	row.loc = loc;
	row.seq = (uint32_t)c->kept++;
	if (fs == FAM_NUM) {
		vec = &c->num;
		if (row.e.hi || row.e.lo > UINT32_MAX)
			c->num_wide = 1;
	} else {
		vec = fs == FAM_V4 ? &c->v4 : &c->v6;
	}
	return geo_rowvec_push(vec, &row);
}

static int gz_fail(gzFile z)
{
	int errnum = 0;
	gzerror(z, &errnum);
	if (errnum == Z_ERRNO)
		return errno ? -errno : DW_EIO;
	if (errnum == Z_MEM_ERROR)
		return DW_ENOMEM;
	return DW_ECOMPRESS;
}

/* Read the whole file, calling do_line per line. */
static int read_lines(struct csv *c, gzFile z)
{
	char *buf = malloc(CSV_BUF + 1);
	size_t have = 0;
	int skipping = 0, rc = 0;

	if (!buf)
		return DW_ENOMEM;
	for (;;) {
		int got = gzread(z, buf + have, (unsigned)(CSV_BUF - have));
		size_t pos = 0;
		char *nl;
		if (got < 0) {
			rc = gz_fail(z);
			goto out;
		}
		if (got == 0) {
			/* zlib reports a truncated stream as a non-fatal
			 * Z_BUF_ERROR ("unexpected end of file") and just
			 * returns 0 */
			int errnum = Z_OK;
			gzerror(z, &errnum);
			if (errnum != Z_OK) {
				rc = gz_fail(z);
				goto out;
			}
		}
		have += (size_t)got;
		if (got == 0 && have && !memchr(buf, '\n', have)) {
			buf[have++] = '\n'; /* last line without newline */
		}
		while ((nl = memchr(buf + pos, '\n', have - pos))) {
			size_t len = (size_t)(nl - (buf + pos));
			if (skipping) {
				skipping = 0;
			} else if (len > CSV_LINE_MAX) {
				c->line++;
				c->src->info.rows++;
				bad(c, "line too long");
			} else {
				rc = do_line(c, buf + pos, len);
				if (rc)
					goto out;
			}
			pos += len + 1;
		}
		memmove(buf, buf + pos, have - pos);
		have -= pos;
		if (have > CSV_LINE_MAX) {
			if (!skipping) {
				c->line++;
				c->src->info.rows++;
				bad(c, "line too long");
			}
			skipping = 1;
			have = 0;
		}
		if (got == 0 && have == 0)
			break;
	}
out:
	free(buf);
	return rc;
}

int geo_csv_load(struct geo_source *src, const char *path, int gz)
{
	struct csv c;
	gzFile z;
	uint64_t ov4 = 0, ov6 = 0;
	size_t i;
	int rc;

	memset(&c, 0, sizeof(c));
	c.src = src;
	c.last_loc = -1;
	src->info.format = gz ? DW_GEO_CSV_GZ : DW_GEO_CSV;
	errno = 0;
	z = gzopen(path, "rb");
	if (!z)
		return errno ? -errno : DW_ENOMEM;
	gzbuffer(z, 256 * 1024);
	rc = read_lines(&c, z);
	gzclose(z);
	if (rc)
		goto out;
	if (c.kept == 0 && src->info.unknown_rows == 0) {
		rc = DW_EFORMAT;
		goto out;
	}
	src->info.layout = c.layout;
	for (i = 0; i < c.num.n; i++) {
		rc = geo_rowvec_push(c.num_wide ? &c.v6 : &c.v4, &c.num.v[i]);
		if (rc)
			goto out;
	}
	geo_rowvec_free(&c.num);
	rc = geo_table_build_v4(&c.v4, &src->v4, &ov4);
	if (rc)
		goto out;
	rc = geo_table_build_v6(&c.v6, &src->v6, &ov6);
	if (rc)
		goto out;
	src->info.overlap_rows = ov4 + ov6;
	src->info.v4_ranges = src->v4.ranges;
	src->info.v6_ranges = src->v6.n;
out:
	geo_rowvec_free(&c.v4);
	geo_rowvec_free(&c.v6);
	geo_rowvec_free(&c.num);
	return rc;
}
