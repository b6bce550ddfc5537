/*
 * hitlist.c - the prober's targets: per /24, its ever-responsive addresses
 * E(b) and their mean historical response rate A(E(b)).
 *
 * Two layouts, told from the content (docs/PROBE.md has both):
 *   CSV   address,rate[,asn]   one ever-responsive address per row, its
 *                              response rate in [0, 1], optionally the
 *                              origin AS of its block; '#' comments, an
 *                              optional header row.
 *   ISI   "#fsdb -F t hex_ip history score ..." (USC/ISI IPv4 response
 *         history): an address is ever-responsive when its history bitmap
 *         has a 1; its rate is the share of 1s in the last 16 censuses (the
 *         window ISI's own score uses).
 * Rows are collected, sorted and grouped, so the file may be in any order;
 * an address given twice keeps its first row (the rest are counted).
 * Malformed rows are skipped and counted with the first one's line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "darkwatch/addr.h"
#include "darkwatch/err.h"
#include "darkwatch/probe.h"

#define MAX_ROWS (1u << 28)
#define LINE_MAX_LEN 1024

struct row {
	uint32_t addr, asn;
	float rate;
	uint32_t seq; /* file order, so the first of duplicates wins */
};

struct dw_hitlist {
	struct dw_hitlist_block *b;
	size_t n;
	uint8_t *octets;
};

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->addr != y->addr)
		return (x->addr > y->addr) - (x->addr < y->addr);
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Split s at separators into at most max fields (in place). */
static int split(char *s, const char *seps, char **f, int max)
{
	int n = 0;
	char *save = NULL;
	for (char *t = strtok_r(s, seps, &save); t && n < max;
	     t = strtok_r(NULL, seps, &save))
		f[n++] = t;
	return n;
}

static int parse_hex32(const char *s, uint32_t *out)
{
	char *end;
	size_t n = strlen(s);
	if (n == 0 || n > 8)
		return -1;
	errno = 0;
	unsigned long v = strtoul(s, &end, 16);
	if (*end || errno)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* ISI history: 1 and *rate when ever responsive, 0 when never, -1 bad. */
static int parse_history(const char *s, float *rate)
{
	size_t n = strlen(s);
	int any = 0, ones = 0;
	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int v = c >= '0' && c <= '9' ? c - '0'
		      : c >= 'a' && c <= 'f' ? c - 'a' + 10
		      : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (v < 0)
			return -1;
		any |= v;
		if (i + 4 >= n) /* the last four digits: 16 censuses */
			ones += __builtin_popcount((unsigned)v);
	}
	*rate = (float)ones / 16.0f;
	return any ? 1 : 0;
}

static int parse_rate(const char *s, float *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno || !(v >= 0 && v <= 1))
		return -1;
	*out = (float)v;
	return 0;
}

static int parse_asn(const char *s, uint32_t *out)
{
	char *end;
	if (!strncasecmp(s, "AS", 2))
		s += 2;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end || errno || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static void trim(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' ||
		     s[n - 1] == '\t'))
		s[--n] = 0;
}

struct loader {
	struct row *rows;
	size_t n, cap;
	struct dw_hitlist_info in;
	int col_ip, col_hist; /* ISI columns */
};

static void bad(struct loader *L, const char *why)
{
	L->in.bad_rows++;
	if (!L->in.first_bad_line) {
		L->in.first_bad_line = L->in.lines;
		L->in.first_bad_reason = why;
	}
}

static int push(struct loader *L, uint32_t addr, float rate, uint32_t asn)
{
	if (L->n == L->cap) {
		if (L->cap >= MAX_ROWS)
			return DW_ETOOBIG;
		size_t nc = L->cap ? L->cap * 2 : 1024;
		struct row *r = realloc(L->rows, nc * sizeof(*r));
		if (!r)
			return DW_ENOMEM;
		L->rows = r;
		L->cap = nc;
	}
	L->rows[L->n].addr = addr;
	L->rows[L->n].rate = rate;
	L->rows[L->n].asn = asn;
	L->rows[L->n].seq = (uint32_t)L->n;
	L->n++;
	L->in.rows++;
	return 0;
}

/* "#fsdb -F t hex_ip history score": find the two columns we need. */
static int isi_header(struct loader *L, char *line)
{
	char *f[64];
	int n = split(line, " \t", f, 64), col = 0;
	L->col_ip = L->col_hist = -1;
	for (int i = 1; i < n; i++) {
		if (f[i][0] == '-') { /* an option and its argument */
			i++;
			continue;
		}
		if (!strcmp(f[i], "hex_ip"))
			L->col_ip = col;
		else if (!strcmp(f[i], "history"))
			L->col_hist = col;
		col++;
	}
	return L->col_ip >= 0 && L->col_hist >= 0;
}

static int isi_row(struct loader *L, char *line)
{
	char *f[64];
	int n = split(line, " \t", f, 64);
	uint32_t addr;
	float rate;
	if (n <= L->col_ip || n <= L->col_hist)
		return bad(L, "fewer columns than the header"), 0;
	if (parse_hex32(f[L->col_ip], &addr) < 0)
		return bad(L, "hex_ip is not 1-8 hex digits"), 0;
	int r = parse_history(f[L->col_hist], &rate);
	if (r < 0)
		return bad(L, "history is not hexadecimal"), 0;
	return r ? push(L, addr, rate, 0) : 0;
}

static int csv_row(struct loader *L, char *line)
{
	char *f[4];
	struct dw_addr a;
	float rate;
	uint32_t asn = 0;
	int n = split(line, ", \t", f, 4);
	if (n < 2 || n > 3)
		return bad(L, "not address,rate[,asn]"), 0;
	if (dw_addr_parse(f[0], &a) < 0 || a.af != DW_AF_INET) {
		if (L->in.rows == 0 && L->in.bad_rows == 0 &&
		    !strcasecmp(f[0], "address"))
			return 0; /* header */
		return bad(L, "not an IPv4 address"), 0;
	}
	if (parse_rate(f[1], &rate) < 0)
		return bad(L, "rate is not a number in [0, 1]"), 0;
	if (n == 3 && parse_asn(f[2], &asn) < 0)
		return bad(L, "asn is not a number"), 0;
	return push(L, dw_addr_v4(&a), rate, asn);
}

static int group(struct loader *L, struct dw_hitlist *h)
{
	qsort(L->rows, L->n, sizeof(*L->rows), cmp_row);
	size_t w = 0;
	for (size_t i = 0; i < L->n; i++) {
		if (w && L->rows[w - 1].addr == L->rows[i].addr) {
			L->in.dup_rows++;
			continue;
		}
		L->rows[w++] = L->rows[i];
	}
	L->n = w;
	if (!(h->octets = malloc(w ? w : 1)))
		return DW_ENOMEM;
	size_t nb = 0;
	for (size_t i = 0; i < w; i++)
		nb += i == 0 || (L->rows[i].addr >> 8) != (L->rows[i - 1].addr >> 8);
	if (!(h->b = calloc(nb ? nb : 1, sizeof(*h->b))))
		return DW_ENOMEM;
	struct dw_hitlist_block *cur = NULL;
	double sum = 0;
	for (size_t i = 0; i < w; i++) {
		const struct row *r = &L->rows[i];
		if (!cur || cur->base != (r->addr & ~0xffu)) {
			if (cur)
				cur->a = sum / cur->naddr;
			cur = &h->b[h->n++];
			cur->base = r->addr & ~0xffu;
			cur->octets = h->octets + i;
			sum = 0;
		}
		h->octets[i] = (uint8_t)(r->addr & 0xff);
		cur->naddr++;
		sum += r->rate;
		if (!cur->asn)
			cur->asn = r->asn;
	}
	if (cur)
		cur->a = sum / cur->naddr;
	L->in.blocks = h->n;
	for (size_t i = 0; i < h->n; i++)
		L->in.eligible += (size_t)dw_hitlist_eligible(&h->b[i]);
	return 0;
}

/* The rows read, grouped into a hitlist in *out; DW_EFORMAT when none. */
static int finish(struct loader *L, struct dw_hitlist **out)
{
	struct dw_hitlist *h;
	int rc;

	if (L->n == 0)
		return DW_EFORMAT;
	if (!(h = calloc(1, sizeof(*h))))
		return DW_ENOMEM;
	if ((rc = group(L, h)) < 0) {
		dw_hitlist_free(h);
		return rc;
	}
	*out = h;
	return 0;
}

int dw_hitlist_load(const char *path, struct dw_hitlist **out,
		    struct dw_hitlist_info *info)
{
	struct loader L;
	char line[LINE_MAX_LEN];
	int rc = 0, long_line = 0;
	FILE *f = fopen(path, "r");

	memset(&L, 0, sizeof(L));
	L.in.layout = DW_HL_CSV;
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		int whole = len && line[len - 1] == '\n';
		if (long_line) { /* the rest of a line too long to read */
			long_line = !whole;
			continue;
		}
		L.in.lines++;
		if (!whole && !feof(f)) {
			long_line = 1;
			bad(&L, "line longer than 1024 bytes");
			continue;
		}
		trim(line);
		if (L.in.lines == 1 && !strncmp(line, "#fsdb", 5)) {
			if (!isi_header(&L, line)) {
				rc = DW_EFORMAT;
				goto out;
			}
			L.in.layout = DW_HL_ISI;
			continue;
		}
		if (!line[0] || line[0] == '#')
			continue;
		rc = L.in.layout == DW_HL_ISI ? isi_row(&L, line)
					      : csv_row(&L, line);
		if (rc < 0)
			goto out;
	}
	if (ferror(f)) {
		rc = DW_EIO;
		goto out;
	}
	rc = finish(&L, out);
out:
	if (info)
		*info = L.in;
	free(L.rows);
	fclose(f);
	return rc;
}

int dw_hitlist_from_rows(const struct dw_hitlist_row *rows, size_t n,
			 struct dw_hitlist **out, struct dw_hitlist_info *info)
{
	struct loader L;
	int rc = DW_ENOMEM;

	memset(&L, 0, sizeof(L));
	L.in.layout = DW_HL_CSV;
	if (n > MAX_ROWS) {
		rc = DW_ETOOBIG;
		goto out;
	}
	if (!(L.rows = malloc((n ? n : 1) * sizeof(*L.rows))))
		goto out;
	L.cap = n;
	for (size_t i = 0; i < n; i++) {
		L.in.lines++;
		if (!(rows[i].rate >= 0 && rows[i].rate <= 1)) {
			bad(&L, "rate is not a number in [0, 1]");
			continue;
		}
		if ((rc = push(&L, rows[i].addr, rows[i].rate, rows[i].asn)) < 0)
			goto out;
	}
	rc = finish(&L, out);
out:
	if (info)
		*info = L.in;
	free(L.rows);
	return rc;
}

size_t dw_hitlist_count(const struct dw_hitlist *h)
{
	return h->n;
}

const struct dw_hitlist_block *dw_hitlist_block(const struct dw_hitlist *h,
						size_t i)
{
	return i < h->n ? &h->b[i] : NULL;
}

int dw_hitlist_eligible(const struct dw_hitlist_block *b)
{
	return b->naddr >= DW_PROBE_MIN_ADDRS && b->a >= DW_PROBE_MIN_A;
}

void dw_hitlist_free(struct dw_hitlist *h)
{
	if (!h)
		return;
	free(h->b);
	free(h->octets);
	free(h);
}
