/*
 * blocklist.c - addresses no probe may ever reach.
 *
 * The sender process checks every packet against this list right before
 * sendto() (src/probe/sender.c), so the guarantee does not depend on the
 * scheduler or the hitlist being right.  Two sorted, merged range arrays:
 * the built-in special-purpose ranges and the user's.  The test-only
 * loopback mode (dw_blocklist_loopback_only) replaces "not in the built-in
 * ranges" by "inside 127.0.0.0/8": it opens 127/8 and closes everything
 * else, so a test can probe loopback blocks in its network namespace and
 * nothing beyond.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darkwatch/addr.h"
#include "darkwatch/err.h"
#include "darkwatch/probe.h"

struct range {
	uint32_t lo, hi;
};

struct rset {
	struct range *r;
	size_t n, cap;
};

struct dw_blocklist {
	struct rset def, user;
	int loopback_only;
};

static const struct {
	const char *pfx;
} builtin[] = {
	{"0.0.0.0/8"},       {"10.0.0.0/8"},      {"100.64.0.0/10"},
	{"127.0.0.0/8"},     {"169.254.0.0/16"},  {"172.16.0.0/12"},
	{"192.0.0.0/24"},    {"192.0.2.0/24"},    {"192.31.196.0/24"},
	{"192.52.193.0/24"}, {"192.88.99.0/24"},  {"192.168.0.0/16"},
	{"192.175.48.0/24"}, {"198.18.0.0/15"},   {"198.51.100.0/24"},
	{"203.0.113.0/24"},  {"224.0.0.0/4"},     {"240.0.0.0/4"},
	{"255.255.255.255/32"},
};

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	return (x->lo > y->lo) - (x->lo < y->lo);
}

static int rset_add(struct rset *s, uint32_t lo, uint32_t hi)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 32;
		struct range *r = realloc(s->r, nc * sizeof(*r));
		if (!r)
			return DW_ENOMEM;
		s->r = r;
		s->cap = nc;
	}
	s->r[s->n].lo = lo;
	s->r[s->n].hi = hi;
	s->n++;
	/* keep sorted and merged: lists are small, adds are rare */
	qsort(s->r, s->n, sizeof(*s->r), cmp_range);
	size_t w = 0;
	for (size_t i = 1; i < s->n; i++) {
		if (s->r[i].lo <= s->r[w].hi ||
		    (s->r[w].hi != UINT32_MAX && s->r[i].lo == s->r[w].hi + 1)) {
			if (s->r[i].hi > s->r[w].hi)
				s->r[w].hi = s->r[i].hi;
		} else {
			s->r[++w] = s->r[i];
		}
	}
	s->n = w + 1;
	return 0;
}

static int rset_has(const struct rset *s, uint32_t a)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->r[mid].hi < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->r[lo].lo <= a && a <= s->r[lo].hi;
}

static void span(uint32_t addr, int len, uint32_t *lo, uint32_t *hi)
{
	uint32_t mask = len == 0 ? 0 : ~0u << (32 - len);
	*lo = addr & mask;
	*hi = *lo | ~mask;
}

int dw_blocklist_new(struct dw_blocklist **out)
{
	int rc = DW_ENOMEM;
	struct dw_blocklist *bl = calloc(1, sizeof(*bl));
	if (!bl)
		goto fail;
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
		struct dw_prefix p;
		uint32_t lo, hi;
		if (dw_prefix_parse(builtin[i].pfx, &p) < 0) {
			rc = DW_EINVAL;
			goto fail;
		}
		span(dw_addr_v4(&p.addr), p.len, &lo, &hi);
		if ((rc = rset_add(&bl->def, lo, hi)) < 0)
			goto fail;
	}
	*out = bl;
	return 0;
fail:
	dw_blocklist_free(bl);
	return rc;
}

int dw_blocklist_add(struct dw_blocklist *bl, uint32_t addr, int len)
{
	uint32_t lo, hi;
	if (len < 0 || len > 32)
		return DW_EINVAL;
	span(addr, len, &lo, &hi);
	return rset_add(&bl->user, lo, hi);
}

int dw_blocklist_load(struct dw_blocklist *bl, const char *path,
		      uint64_t *bad_line)
{
	char line[512];
	uint64_t ln = 0;
	int rc = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		ln++;
		char *p = line, *e;
		if ((e = strchr(p, '#')))
			*e = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strlen(p);
		while (e > p && (e[-1] == '\n' || e[-1] == '\r' ||
				 e[-1] == ' ' || e[-1] == '\t'))
			*--e = 0;
		if (!*p)
			continue;
		struct dw_prefix px;
		if (!strchr(p, '/')) {
			if (dw_addr_parse(p, &px.addr) < 0)
				goto bad;
			px.len = 32;
		} else if (dw_prefix_parse(p, &px) < 0) {
			goto bad;
		}
		if (px.addr.af != DW_AF_INET)
			goto bad;
		if ((rc = dw_blocklist_add(bl, dw_addr_v4(&px.addr), px.len)) < 0)
			goto out;
	}
	if (ferror(f))
		rc = DW_EIO;
	goto out;
bad:
	if (bad_line)
		*bad_line = ln;
	rc = DW_EMALFORMED;
out:
	fclose(f);
	return rc;
}

void dw_blocklist_loopback_only(struct dw_blocklist *bl)
{
	bl->loopback_only = 1;
}

int dw_blocklist_is_loopback_only(const struct dw_blocklist *bl)
{
	return bl->loopback_only;
}

int dw_blocklist_blocked(const struct dw_blocklist *bl, uint32_t a)
{
	if (rset_has(&bl->user, a))
		return 1;
	if (bl->loopback_only)
		return (a >> 24) != 127;
	return rset_has(&bl->def, a);
}

void dw_blocklist_free(struct dw_blocklist *bl)
{
	if (!bl)
		return;
	free(bl->def.r);
	free(bl->user.r);
	free(bl);
}
