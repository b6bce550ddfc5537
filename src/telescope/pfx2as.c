/*
 * pfx2as.c - longest-prefix match of IPv4 addresses to their BGP origin AS.
 *
 * The telescope attributes each source to the AS that originates the most
 * specific routed prefix covering it (DOMAIN.md §1: the AS of an address is
 * its BGP origin).  The table comes from `darkwatch mrt pfx2as` (or pyasn's
 * ipasn files): `prefix<TAB>asn[<TAB>other origins]` per line.
 *
 * Key decision: a multibit trie with strides 16-8-8 (DIR-16-8-8), built
 * once after loading: a lookup is two to four array reads, where probing a
 * hash map per prefix length cost ~17 probes and was an eighth of the
 * telescope's time (millions of unique sources per run).  Loading still
 * goes through a hash map keyed by (masked address, length) so a prefix
 * listed twice keeps its last origin; the trie is filled from it shortest
 * prefixes first, so a longer prefix overwrites the range of a shorter one
 * and a chunk created for a longer prefix starts as a copy of its parent's
 * entry.  Memory: 256 KiB + 1 KiB per /16 holding a prefix longer than /16
 * (+ 1 KiB per /24 holding one longer than /24): ~20-30 MiB for a full
 * table.
 */
#include "darkwatch/telescope.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darkwatch/addr.h"
#include "darkwatch/err.h"
#include "darkwatch/stream.h"
#include "signal/u64map.h"

#define LINE_MAX_BYTES 4096
#define READ_BLOCK (64u << 10)
#define NO_AS 0xffffffffu /* stored for ambiguous origins */

#define CHILD 0x80000000u /* trie entry: index of a 256-entry chunk */
#define L1_SIZE 65536

/*
 * Trie entries: 0 no prefix, CHILD | i chunk i of the next level, else an
 * index into val (the origin, NO_AS for ambiguous ones).
 */
struct dw_pfx2as {
	struct u64map map; /* while loading: key() -> origin */
	uint32_t *l1;      /* [L1_SIZE] by the top 16 bits */
	uint32_t *l2, *l3; /* chunks of 256, by the next 8 bits */
	size_t n2, cap2, n3, cap3;
	uint32_t *val;
	size_t nval;
};

static uint64_t key(uint32_t addr, int len)
{
	uint32_t m = len ? 0xffffffffu << (32 - len) : 0;
	return (((uint64_t)(addr & m)) << 6 | (uint64_t)len) + 1;
}

/* Parse one line; 1 added, 0 skipped (comment, blank, v6), <0 bad. */
static int line(struct dw_pfx2as *t, char *s, struct dw_pfx2as_info *in)
{
	struct dw_prefix p;
	char *tab, *end;
	uint32_t asn = NO_AS;
	uint32_t *slot;
	int added;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s || *s == ';' || *s == '#')
		return 0;
	if (!(tab = strpbrk(s, "\t ")))
		return -1;
	*tab++ = 0;
	if (dw_prefix_parse(s, &p) < 0)
		return -1;
	if (p.addr.af != DW_AF_INET) {
		in->skipped_v6++;
		return 0;
	}
	while (*tab == ' ' || *tab == '\t')
		tab++;
	if (*tab >= '0' && *tab <= '9') {
		errno = 0;
		unsigned long v = strtoul(tab, &end, 10);
		if (errno || v >= NO_AS)
			return -1;
		if (*end && *end != '\t' && *end != ' ' && *end != '\r')
			in->multi_origin++; /* "a_b", "a,b": no single origin */
		else
			asn = (uint32_t)v;
	} else if (*tab == '{') {
		in->multi_origin++;
	} else {
		return -1;
	}
	if (!(slot = u64map_put(&t->map, key(dw_addr_v4(&p.addr), p.len),
				&added)))
		return DW_ENOMEM;
	*slot = asn;
	in->prefixes += (uint64_t)added;
	return 1;
}

/* A complete line of len bytes in ln: parse and count it. */
static int end_line(struct dw_pfx2as *t, char *ln, size_t len, int toolong,
		    struct dw_pfx2as_info *in)
{
	int rc;

	ln[len] = 0;
	if (len && ln[len - 1] == '\r')
		ln[len - 1] = 0;
	in->lines++;
	rc = toolong ? -1 : line(t, ln, in);
	if (rc == DW_ENOMEM)
		return rc;
	in->bad_lines += rc < 0;
	return 0;
}

/* A new chunk of *tab filled with e; its index in *idx. */
static int chunk(uint32_t **tab, size_t *n, size_t *cap, uint32_t e,
		 uint32_t *idx)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 256;
		uint32_t *nt;
		if (c >= CHILD || !(nt = realloc(*tab, c * 256 * sizeof(*nt))))
			return DW_ENOMEM;
		*tab = nt;
		*cap = c;
	}
	for (size_t i = 0; i < 256; i++)
		(*tab)[*n * 256 + i] = e;
	*idx = (uint32_t)(*n)++;
	return 0;
}

/* Fill the trie with prefix a/len -> value index v (shorter ones first). */
static int insert(struct dw_pfx2as *t, uint32_t a, int len, uint32_t v)
{
	uint32_t *e = &t->l1[a >> 16], c;
	int rc;

	if (len <= 16) {
		for (uint32_t i = 0; i < 1u << (16 - len); i++)
			e[i] = v;
		return 0;
	}
	if (!(*e & CHILD)) {
		if ((rc = chunk(&t->l2, &t->n2, &t->cap2, *e, &c)) < 0)
			return rc;
		*e = CHILD | c;
	}
	e = &t->l2[(size_t)(*e & ~CHILD) * 256 + (a >> 8 & 255)];
	if (len <= 24) {
		for (uint32_t i = 0; i < 1u << (24 - len); i++)
			e[i] = v;
		return 0;
	}
	if (!(*e & CHILD)) {
		if ((rc = chunk(&t->l3, &t->n3, &t->cap3, *e, &c)) < 0)
			return rc;
		*e = CHILD | c;
	}
	e = &t->l3[(size_t)(*e & ~CHILD) * 256 + (a & 255)];
	for (uint32_t i = 0; i < 1u << (32 - len); i++)
		e[i] = v;
	return 0;
}

/* Build the trie from the map (then freed), lengths 0..32 in order. */
static int build(struct dw_pfx2as *t)
{
	const struct u64map *m = &t->map;

	if (m->n >= CHILD)
		return DW_ENOMEM;
	if (!(t->l1 = calloc(L1_SIZE, sizeof(*t->l1))) ||
	    !(t->val = malloc((m->n + 1) * sizeof(*t->val))))
		return DW_ENOMEM;
	t->nval = 1;
	for (int len = 0; len <= 32; len++) {
		for (size_t i = 0; i < m->cap; i++) {
			uint64_t k = m->keys[i] - 1;
			int rc;
			if (!m->keys[i] || (int)(k & 63) != len)
				continue;
			t->val[t->nval] = m->vals[i];
			rc = insert(t, (uint32_t)(k >> 6), len, (uint32_t)t->nval++);
			if (rc < 0)
				return rc;
		}
	}
	u64map_free(&t->map);
	return 0;
}

int dw_pfx2as_load(const char *path, struct dw_pfx2as **out,
		   struct dw_pfx2as_info *info)
{
	struct dw_stream_conf sc = {1};
	struct dw_stream *s = NULL;
	struct dw_pfx2as *t = NULL;
	struct dw_pfx2as_info in;
	char *buf = NULL, *ln = NULL;
	size_t lnlen = 0;
	int rc, toolong = 0;

	*out = NULL;
	memset(&in, 0, sizeof(in));
	if (!(t = calloc(1, sizeof(*t))) || !(buf = malloc(READ_BLOCK)) ||
	    !(ln = malloc(LINE_MAX_BYTES + 1))) {
		rc = DW_ENOMEM;
		goto fail;
	}
	if ((rc = dw_stream_open(path, &sc, &s)) < 0)
		goto fail;
	for (;;) {
		ssize_t n = dw_stream_read(s, buf, READ_BLOCK);
		if (n < 0) {
			rc = (int)n;
			goto fail;
		}
		for (ssize_t i = 0; i <= n; i++) {
			if (i < n && buf[i] != '\n') {
				if (lnlen < LINE_MAX_BYTES)
					ln[lnlen++] = buf[i];
				else
					toolong = 1;
				continue;
			}
			if (i == n && (n > 0 || !lnlen))
				break; /* mid-line at a block's end, or done */
			if ((rc = end_line(t, ln, lnlen, toolong, &in)) < 0)
				goto fail;
			lnlen = 0;
			toolong = 0;
		}
		if (n == 0)
			break;
	}
	if (!in.prefixes) {
		rc = DW_EFORMAT;
		goto fail;
	}
	if ((rc = build(t)) < 0)
		goto fail;
	dw_stream_free(s);
	free(buf);
	free(ln);
	if (info)
		*info = in;
	*out = t;
	return 0;
fail:
	if (info)
		*info = in;
	dw_stream_free(s);
	free(buf);
	free(ln);
	dw_pfx2as_free(t);
	return rc;
}

int dw_pfx2as_lookup(const struct dw_pfx2as *t, uint32_t addr, uint32_t *asn)
{
	uint32_t e = t->l1[addr >> 16], v;

	if (e & CHILD) {
		e = t->l2[(size_t)(e & ~CHILD) * 256 + (addr >> 8 & 255)];
		if (e & CHILD)
			e = t->l3[(size_t)(e & ~CHILD) * 256 + (addr & 255)];
	}
	if (!e) {
		*asn = 0;
		return 0;
	}
	v = t->val[e];
	*asn = v == NO_AS ? 0 : v;
	return 1;
}

void dw_pfx2as_free(struct dw_pfx2as *t)
{
	if (!t)
		return;
	u64map_free(&t->map);
	free(t->l1);
	free(t->l2);
	free(t->l3);
	free(t->val);
	free(t);
}
