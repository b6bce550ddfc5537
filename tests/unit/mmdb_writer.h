/*
 * mmdb_writer.h - a minimal MaxMind DB writer for tests (header only).
 *
 * libmaxminddb only reads, Debian's writer is a Perl module
 * (libmaxmind-db-writer-perl) that the build should not depend on, and
 * tests have no network, so test_geo.c builds its databases with this:
 * MaxMind DB format 2.0 (https://maxmind.github.io/MaxMind-DB/) - a binary
 * search tree of 24, 28 or 32-bit records, 16 zero bytes, the data section,
 * then the metadata marker "\xab\xcd\xefMaxMind.com" and the metadata map.
 *
 * Values are encoded by the caller with the mmw_* data functions into a
 * struct mmw_buf, added once with mmw_add_data (which returns its data
 * section offset) and attached to networks with mmw_insert.  Inserting a
 * prefix inside one already holding data splits it (the rest keeps the old
 * data); inserting a shorter prefix over a subtree replaces the subtree.
 * IPv4 prefixes in an IPv6 tree go under ::/96, as MaxMind's do.  No
 * pointers, no aliases (::ffff:0:0/96), no data deduplication: not needed
 * by the tests.  Allocation failure aborts: this is test code.
 */
#ifndef DW_TESTS_MMDB_WRITER_H
#define DW_TESTS_MMDB_WRITER_H

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mmw_buf {
	uint8_t *p;
	size_t n, cap;
};

static void mmw_put(struct mmw_buf *b, const void *d, size_t n)
{
	if (b->n + n > b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 256;
		uint8_t *np;
		while (ncap < b->n + n)
			ncap *= 2;
		np = realloc(b->p, ncap);
		if (!np)
			abort();
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->n, d, n);
	b->n += n;
}

static void mmw_put8(struct mmw_buf *b, unsigned v)
{
	uint8_t c = (uint8_t)v;
	mmw_put(b, &c, 1);
}

static void mmw_buf_free(struct mmw_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* Control byte(s) for a value of the given type (1..15) and size. */
static void mmw_ctrl(struct mmw_buf *b, unsigned type, size_t size)
{
	unsigned first = (type > 7 ? 0 : type) << 5;
	if (size < 29)
		first |= (unsigned)size;
	else if (size < 285)
		first |= 29;
	else if (size < 65821)
		first |= 30;
	else
		first |= 31;
	mmw_put8(b, first);
	if (type > 7)
		mmw_put8(b, type - 7);
	if (size >= 65821) {
		size -= 65821;
		mmw_put8(b, (unsigned)(size >> 16));
		mmw_put8(b, (unsigned)(size >> 8));
		mmw_put8(b, (unsigned)size);
	} else if (size >= 285) {
		size -= 285;
		mmw_put8(b, (unsigned)(size >> 8));
		mmw_put8(b, (unsigned)size);
	} else if (size >= 29) {
		mmw_put8(b, (unsigned)(size - 29));
	}
}

static void mmw_str(struct mmw_buf *b, const char *s)
{
	size_t n = strlen(s);
	mmw_ctrl(b, 2, n);
	mmw_put(b, s, n);
}

static void mmw_map(struct mmw_buf *b, size_t npairs)
{
	mmw_ctrl(b, 7, npairs);
}
static void mmw_array(struct mmw_buf *b, size_t n) { mmw_ctrl(b, 11, n); }

/* Unsigned integer of type 5 (uint16), 6 (uint32) or 9 (uint64). */
static void mmw_uint(struct mmw_buf *b, unsigned type, uint64_t v)
{
	uint8_t be[8];
	size_t n = 0;
	for (uint64_t x = v; x; x >>= 8)
		n++;
	for (size_t i = 0; i < n; i++)
		be[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	mmw_ctrl(b, type, n);
	mmw_put(b, be, n);
}

static void mmw_double(struct mmw_buf *b, double d)
{
	uint64_t u;
	uint8_t be[8];
	memcpy(&u, &d, 8);
	for (int i = 0; i < 8; i++)
		be[i] = (uint8_t)(u >> (56 - 8 * i));
	mmw_ctrl(b, 3, 8);
	mmw_put(b, be, 8);
}

enum { MMW_EMPTY, MMW_NODE, MMW_DATA };

struct mmw_node {
	uint32_t rec[2];
	uint8_t kind[2];
};

struct mmw {
	int ip_version, record_size;
	struct mmw_node *nodes;
	size_t n, cap;
	struct mmw_buf data;
};

static uint32_t mmw_new_node(struct mmw *w)
{
	if (w->n == w->cap) {
		size_t ncap = w->cap ? w->cap * 2 : 64;
		struct mmw_node *nn = realloc(w->nodes, ncap * sizeof(*nn));
		if (!nn)
			abort();
		w->nodes = nn;
		w->cap = ncap;
	}
	memset(&w->nodes[w->n], 0, sizeof(w->nodes[0]));
	return (uint32_t)w->n++;
}

static struct mmw *mmw_new(int ip_version, int record_size)
{
	struct mmw *w = calloc(1, sizeof(*w));
	if (!w)
		abort();
	w->ip_version = ip_version;
	w->record_size = record_size;
	mmw_new_node(w); /* root */
	return w;
}

static void mmw_free(struct mmw *w)
{
	if (!w)
		return;
	free(w->nodes);
	mmw_buf_free(&w->data);
	free(w);
}

/* Append an encoded value to the data section; returns its offset. */
static uint32_t mmw_add_data(struct mmw *w, const struct mmw_buf *v)
{
	uint32_t off = (uint32_t)w->data.n;
	mmw_put(&w->data, v->p, v->n);
	return off;
}

/* Attach data at offset off to addr/plen (addr: 16 bytes, plen 1..128
 * counted in the tree's own bits).  Returns 0 or -1. */
static int mmw_insert_bits(struct mmw *w, const uint8_t *addr, int plen,
			   uint32_t off)
{
	uint32_t cur = 0;
	int bits = w->ip_version == 4 ? 32 : 128;

	if (plen < 1 || plen > bits)
		return -1;
	for (int i = 0; i < plen; i++) {
		int side = (addr[i / 8] >> (7 - i % 8)) & 1;
		struct mmw_node *nd = &w->nodes[cur];
		uint32_t nn;
		if (i == plen - 1) {
			nd->kind[side] = MMW_DATA;
			nd->rec[side] = off;
			return 0;
		}
		if (nd->kind[side] == MMW_NODE) {
			cur = nd->rec[side];
			continue;
		}
		nn = mmw_new_node(w);
		nd = &w->nodes[cur]; /* may have moved */
		if (nd->kind[side] == MMW_DATA) {
			w->nodes[nn].kind[0] = w->nodes[nn].kind[1] = MMW_DATA;
			w->nodes[nn].rec[0] = w->nodes[nn].rec[1] =
				nd->rec[side];
		}
		nd->kind[side] = MMW_NODE;
		nd->rec[side] = nn;
		cur = nn;
	}
	return -1;
}

/* "a.b.c.d/len" or "x::/len"; IPv4 in an IPv6 tree goes under ::/96. */
static int mmw_insert(struct mmw *w, const char *prefix, uint32_t off)
{
	char tmp[64];
	uint8_t a[16];
	const char *slash = strchr(prefix, '/');
	size_t alen;
	int plen;

	if (!slash || (alen = (size_t)(slash - prefix)) >= sizeof(tmp))
		return -1;
	memcpy(tmp, prefix, alen);
	tmp[alen] = 0;
	plen = (int)strtol(slash + 1, NULL, 10);
	memset(a, 0, sizeof(a));
	if (inet_pton(AF_INET, tmp, a) == 1) {
		if (w->ip_version == 6) {
			memmove(a + 12, a, 4);
			memset(a, 0, 12);
			plen += 96;
		}
		return mmw_insert_bits(w, a, plen, off);
	}
	if (w->ip_version == 6 && inet_pton(AF_INET6, tmp, a) == 1)
		return mmw_insert_bits(w, a, plen, off);
	return -1;
}

static uint64_t mmw_record(const struct mmw *w, const struct mmw_node *nd,
			   int side)
{
	if (nd->kind[side] == MMW_NODE)
		return nd->rec[side];
	if (nd->kind[side] == MMW_DATA)
		return (uint64_t)w->n + 16 + nd->rec[side];
	return w->n;
}

/* Serialize to path.  Returns 0 or -1. */
static int mmw_write(const struct mmw *w, const char *path, const char *db_type)
{
	struct mmw_buf out = {0}, meta = {0};
	uint64_t limit = 1ULL << w->record_size;
	FILE *f;
	int rc = -1;

	for (size_t i = 0; i < w->n; i++) {
		const struct mmw_node *nd = &w->nodes[i];
		uint64_t l = mmw_record(w, nd, 0), r = mmw_record(w, nd, 1);
		if (l >= limit || r >= limit)
			goto out;
		if (w->record_size == 24) {
			uint8_t b[6] = {(uint8_t)(l >> 16), (uint8_t)(l >> 8),
					(uint8_t)l,         (uint8_t)(r >> 16),
					(uint8_t)(r >> 8),  (uint8_t)r};
			mmw_put(&out, b, 6);
		} else if (w->record_size == 28) {
			uint8_t b[7] = {
				(uint8_t)(l >> 16),
				(uint8_t)(l >> 8),
				(uint8_t)l,
				(uint8_t)(((l >> 24) & 0x0f) << 4 | ((r >> 24) & 0x0f)),
				(uint8_t)(r >> 16),
				(uint8_t)(r >> 8),
				(uint8_t)r};
			mmw_put(&out, b, 7);
		} else if (w->record_size == 32) {
			uint8_t b[8] = {(uint8_t)(l >> 24), (uint8_t)(l >> 16),
					(uint8_t)(l >> 8),  (uint8_t)l,
					(uint8_t)(r >> 24), (uint8_t)(r >> 16),
					(uint8_t)(r >> 8),  (uint8_t)r};
			mmw_put(&out, b, 8);
		} else {
			goto out;
		}
	}
	{
		static const uint8_t zero[16];
		mmw_put(&out, zero, 16);
	}
	mmw_put(&out, w->data.p ? w->data.p : (const uint8_t *)"", w->data.n);
	mmw_put(&out,
		"\xab\xcd\xef"
		"MaxMind.com",
		14);
	mmw_map(&meta, 9);
	mmw_str(&meta, "binary_format_major_version");
	mmw_uint(&meta, 5, 2);
	mmw_str(&meta, "binary_format_minor_version");
	mmw_uint(&meta, 5, 0);
	mmw_str(&meta, "build_epoch");
	mmw_uint(&meta, 9, 1700000000);
	mmw_str(&meta, "database_type");
	mmw_str(&meta, db_type);
	mmw_str(&meta, "description");
	mmw_map(&meta, 1);
	mmw_str(&meta, "en");
	mmw_str(&meta, "darkwatch test database");
	mmw_str(&meta, "ip_version");
	mmw_uint(&meta, 5, (uint64_t)w->ip_version);
	mmw_str(&meta, "languages");
	mmw_array(&meta, 1);
	mmw_str(&meta, "en");
	mmw_str(&meta, "node_count");
	mmw_uint(&meta, 6, w->n);
	mmw_str(&meta, "record_size");
	mmw_uint(&meta, 5, (uint64_t)w->record_size);
	mmw_put(&out, meta.p, meta.n);
	f = fopen(path, "wb");
	if (!f)
		goto out;
	if (fwrite(out.p, 1, out.n, f) == out.n)
		rc = 0;
	if (fclose(f) != 0)
		rc = -1;
out:
	mmw_buf_free(&out);
	mmw_buf_free(&meta);
	return rc;
}

#endif
