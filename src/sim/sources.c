/*
 * sources.c - read pyasn's prefix table and AS-name JSON (see
 * sim/sources.h).
 *
 * Input side of the simulator's world building.  Both files come from
 * outside, so both are parsed defensively: lines and strings are bounded,
 * malformed pyasn lines are skipped (AS_SET origins "{1,2}" are real and
 * not wanted), and the JSON reader accepts exactly one flat object of
 * strings (all pyasn writes) with every escape JSON allows, \uXXXX surrogate
 * pairs included, decoded to UTF-8.
 */
#include "sim/sources.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "darkwatch/err.h"

#define NAMES_MAX (256u << 20) /* cap on the JSON text */

static int wanted(const uint32_t *asns, size_t n, uint32_t asn)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (asns[mid] == asn)
			return (int)mid;
		if (asns[mid] < asn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* "prefix<ws>asn": 0 and the parsed row, or -1. */
static int parse_line(char *line, struct dw_sim_pfx2as_row *row)
{
	char *p = line, *asn_s, *end;
	struct dw_prefix pfx;
	unsigned long v;

	while (*p && *p != '\t' && *p != ' ')
		p++;
	if (!*p)
		return -1;
	*p++ = 0;
	while (*p == '\t' || *p == ' ')
		p++;
	asn_s = p;
	if (*asn_s < '0' || *asn_s > '9')
		return -1;
	errno = 0;
	v = strtoul(asn_s, &end, 10);
	while (*end == '\r' || *end == '\n' || *end == ' ' || *end == '\t')
		end++;
	if (errno || *end || v > UINT32_MAX)
		return -1;
	if (dw_prefix_parse(line, &pfx) < 0 || pfx.addr.af != DW_AF_INET)
		return -1;
	row->addr = dw_addr_v4(&pfx.addr);
	row->len = pfx.len;
	row->asn = (uint32_t)v;
	return 0;
}

int dw_sim_pfx2as_read(const char *path, const uint32_t *asns, size_t n,
		       struct dw_sim_pfx2as_row **rows, size_t *nrows,
		       char *err, size_t errlen)
{
	struct dw_sim_pfx2as_row *v = NULL, row;
	size_t len = 0, alloc = 0;
	uint64_t good = 0, lines = 0;
	char line[512];
	gzFile f;
	int rc = 0;

	*rows = NULL;
	*nrows = 0;
	errno = 0;
	f = gzopen(path, "rb");
	if (!f) {
		rc = errno ? -errno : DW_ENOMEM;
		snprintf(err, errlen, "%s: %s", path, dw_strerror(rc));
		return rc;
	}
	while (gzgets(f, line, sizeof(line))) {
		lines++;
		if (line[0] == ';' || line[0] == '#' || line[0] == '\n' ||
		    line[0] == '\r')
			continue;
		if (!strchr(line, '\n') && !gzeof(f)) { /* overlong: skip it */
			int c;
			while ((c = gzgetc(f)) != -1 && c != '\n')
				;
			continue;
		}
		if (parse_line(line, &row) < 0)
			continue;
		good++;
		if (wanted(asns, n, row.asn) < 0)
			continue;
		if (len == alloc) {
			size_t na = alloc ? alloc * 2 : 1024;
			struct dw_sim_pfx2as_row *nv =
				realloc(v, na * sizeof(*v));
			if (!nv) {
				rc = DW_ENOMEM;
				goto fail;
			}
			v = nv;
			alloc = na;
		}
		v[len++] = row;
	}
	{
		int zerr;
		gzerror(f, &zerr);
		if (zerr != Z_OK && zerr != Z_STREAM_END) {
			rc = DW_ECOMPRESS;
			goto fail;
		}
	}
	if (!good) {
		rc = DW_EFORMAT;
		snprintf(err, errlen,
			 "%s: no 'prefix<TAB>asn' line in %llu lines: not a "
			 "pyasn table",
			 path, (unsigned long long)lines);
		goto fail;
	}
	*rows = v;
	*nrows = len;
	v = NULL;
fail:
	if (rc && rc != DW_EFORMAT)
		snprintf(err, errlen, "%s: %s", path, dw_strerror(rc));
	gzclose(f);
	free(v);
	return rc;
}

/* ------------------------------------------------------------- JSON */

struct js {
	const char *p, *end;
};

static void ws(struct js *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
				 *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * A JSON string at j->p, decoded into out (cap bytes, NUL-terminated;
 * longer strings are cut at a character boundary).  0 or -1.
 */
static int jstring(struct js *j, char *out, size_t cap)
{
	size_t o = 0;

	if (j->p >= j->end || *j->p != '"')
		return -1;
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		char tmp[4];
		size_t n = 1;
		unsigned cp;
		unsigned char c = (unsigned char)*j->p;

		if (c < 0x20)
			return -1;
		if (c != '\\') {
			tmp[0] = (char)c;
			j->p++;
		} else {
			if (j->end - j->p < 2)
				return -1;
			c = (unsigned char)j->p[1];
			j->p += 2;
			switch (c) {
			case '"':
			case '\\':
			case '/': tmp[0] = (char)c; break;
			case 'b': tmp[0] = '\b'; break;
			case 'f': tmp[0] = '\f'; break;
			case 'n': tmp[0] = '\n'; break;
			case 'r': tmp[0] = '\r'; break;
			case 't': tmp[0] = '\t'; break;
			case 'u':
				if (j->end - j->p < 4 || hex4(j->p, &cp) < 0)
					return -1;
				j->p += 4;
				if (cp >= 0xd800 && cp < 0xdc00) {
					unsigned lo;
					if (j->end - j->p < 6 ||
					    j->p[0] != '\\' || j->p[1] != 'u' ||
					    hex4(j->p + 2, &lo) < 0 ||
					    lo < 0xdc00 || lo >= 0xe000)
						return -1;
					j->p += 6;
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					     (lo - 0xdc00);
				} else if (cp >= 0xdc00 && cp < 0xe000) {
					return -1;
				}
				n = put_utf8(tmp, cp);
				break;
			default: return -1;
			}
		}
		if (o + n < cap) {
			memcpy(out + o, tmp, n);
			o += n;
		}
	}
	if (j->p >= j->end)
		return -1;
	j->p++;
	out[o] = 0;
	return 0;
}

static int read_all(const char *path, char **out, size_t *len)
{
	size_t alloc = 1u << 20, n = 0;
	char *buf = malloc(alloc), *nb;
	gzFile f;
	int got, rc = 0;

	if (!buf)
		return DW_ENOMEM;
	errno = 0;
	f = gzopen(path, "rb");
	if (!f) {
		free(buf);
		return errno ? -errno : DW_ENOMEM;
	}
	for (;;) {
		if (alloc - n < 65536) {
			if (alloc >= NAMES_MAX) {
				rc = DW_ETOOBIG;
				break;
			}
			nb = realloc(buf, alloc * 2);
			if (!nb) {
				rc = DW_ENOMEM;
				break;
			}
			buf = nb;
			alloc *= 2;
		}
		got = gzread(f, buf + n, 65536);
		if (got < 0) {
			rc = DW_ECOMPRESS;
			break;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	gzclose(f);
	if (rc) {
		free(buf);
		return rc;
	}
	*out = buf;
	*len = n;
	return 0;
}

int dw_sim_asnames_read(const char *path, const uint32_t *asns, size_t n,
			char **names, char *err, size_t errlen)
{
	char *text = NULL, key[32], val[1024];
	size_t len;
	struct js j;
	int rc;

	for (size_t i = 0; i < n; i++)
		names[i] = NULL;
	if ((rc = read_all(path, &text, &len))) {
		snprintf(err, errlen, "%s: %s", path, dw_strerror(rc));
		return rc;
	}
	j.p = text;
	j.end = text + len;
	ws(&j);
	if (j.p >= j.end || *j.p++ != '{')
		goto bad;
	ws(&j);
	if (j.p < j.end && *j.p == '}')
		goto done;
	for (;;) {
		char *e;
		unsigned long asn;
		int k;

		ws(&j);
		if (jstring(&j, key, sizeof(key)) < 0)
			goto bad;
		ws(&j);
		if (j.p >= j.end || *j.p++ != ':')
			goto bad;
		ws(&j);
		if (jstring(&j, val, sizeof(val)) < 0)
			goto bad;
		errno = 0;
		asn = strtoul(key, &e, 10);
		if (!errno && !*e && key[0] >= '0' && key[0] <= '9' &&
		    asn <= UINT32_MAX &&
		    (k = wanted(asns, n, (uint32_t)asn)) >= 0 && !names[k]) {
			names[k] = strdup(val);
			if (!names[k]) {
				rc = DW_ENOMEM;
				snprintf(err, errlen, "%s: out of memory",
					 path);
				goto fail;
			}
		}
		ws(&j);
		if (j.p >= j.end)
			goto bad;
		if (*j.p == '}')
			break;
		if (*j.p++ != ',')
			goto bad;
	}
done:
	free(text);
	return 0;
bad:
	rc = DW_EFORMAT;
	snprintf(err, errlen,
		 "%s: not a pyasn AS-name table (a JSON object of strings) "
		 "near byte %zu",
		 path, (size_t)(j.p - text));
fail:
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
		names[i] = NULL;
	}
	free(text);
	return rc;
}
