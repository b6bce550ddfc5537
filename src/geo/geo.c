/*
 * geo.c - the geolocation object: ordered sources, first hit wins.
 *
 * Entry point of the geo module (darkwatch/geo.h; internals in geo_int.h).
 * The visibility stage opens one dw_geo, adds the operator's database files
 * and maps each /24 through dw_geo_lookup_v4.
 *
 * Key decisions:
 *  - The file type comes from the bytes, never the name: gzip magic
 *    (1f 8b) means gzipped CSV; the MaxMind metadata marker
 *    ("\xab\xcd\xef" "MaxMind.com") within the last 128 KiB means mmdb (the
 *    spec puts the metadata there and has no leading magic); anything else
 *    is tried as CSV, which rejects binary junk (no valid row).
 *  - Sources are kept in the order added and asked in that order; a
 *    source answers only when it has a country for the address, so a
 *    country-only CSV placed first shadows a city database behind it.
 *  - A failed add leaves the object as it was: a source is appended only
 *    once fully loaded.
 */
#include "geo/geo_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "darkwatch/err.h"

#define MMDB_TAIL (128 * 1024) /* metadata lives in the last 128 KiB */

struct dw_geo {
	struct geo_source **src;
	size_t n, cap;
};

int dw_geo_open(struct dw_geo **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : DW_ENOMEM;
}

static void source_free(struct geo_source *s)
{
	if (!s)
		return;
	geo_mmdb_close(s);
	geo_v4_free(&s->v4);
	geo_v6_free(&s->v6);
	geo_locs_free(&s->locs);
	free(s->path);
	free(s);
}

void dw_geo_free(struct dw_geo *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++)
		source_free(g->src[i]);
	free(g->src);
	free(g);
}

/* Read exactly n bytes at off; 0 or negative code. */
static int pread_all(int fd, void *buf, size_t n, off_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r =
			pread(fd, (char *)buf + got, n - got, off + (off_t)got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return DW_EIO; /* file shrank under us */
		got += (size_t)r;
	}
	return 0;
}

/* Tell the format from the content: DW_GEO_* or a negative code. */
static int detect(const char *path)
{
	static const char marker[] = "\xab\xcd\xef"
				     "MaxMind.com";
	unsigned char head[2];
	unsigned char *tail = NULL;
	struct stat st;
	size_t tlen;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = -EISDIR;
		goto out;
	}
	if (st.st_size == 0) {
		rc = DW_EFORMAT;
		goto out;
	}
	rc = DW_GEO_CSV;
	if (st.st_size >= 2) {
		rc = pread_all(fd, head, 2, 0);
		if (rc)
			goto out;
		rc = DW_GEO_CSV;
		if (head[0] == 0x1f && head[1] == 0x8b) {
			rc = DW_GEO_CSV_GZ;
			goto out;
		}
	}
	tlen = st.st_size < MMDB_TAIL ? (size_t)st.st_size : MMDB_TAIL;
	tail = malloc(tlen);
	if (!tail) {
		rc = DW_ENOMEM;
		goto out;
	}
	rc = pread_all(fd, tail, tlen, st.st_size - (off_t)tlen);
	if (rc)
		goto out;
	rc = memmem(tail, tlen, marker, sizeof(marker) - 1) ? DW_GEO_MMDB
							    : DW_GEO_CSV;
out:
	free(tail);
	close(fd);
	return rc;
}

int dw_geo_add_file(struct dw_geo *g, const char *path)
{
	struct geo_source *s = NULL;
	int fmt, rc;

	if (!g || !path)
		return DW_EINVAL;
	fmt = detect(path);
	if (fmt < 0)
		return fmt;
	if (g->n == g->cap) {
		size_t ncap = g->cap ? g->cap * 2 : 4;
		struct geo_source **nv = realloc(g->src, ncap * sizeof(*nv));
		if (!nv)
			return DW_ENOMEM;
		g->src = nv;
		g->cap = ncap;
	}
	rc = DW_ENOMEM;
	s = calloc(1, sizeof(*s));
	if (!s)
		goto fail;
	s->path = strdup(path);
	if (!s->path)
		goto fail;
	if (fmt == DW_GEO_MMDB)
		rc = geo_mmdb_load(s, path);
	else
		rc = geo_csv_load(s, path, fmt == DW_GEO_CSV_GZ);
	if (rc)
		goto fail;
	geo_locs_seal(&s->locs);
	s->info.path = s->path;
	s->info.locations = s->locs.n;
	g->src[g->n++] = s;
	return 0;
fail:
	source_free(s);
	return rc;
}

size_t dw_geo_file_count(const struct dw_geo *g) { return g ? g->n : 0; }

int dw_geo_file_info(const struct dw_geo *g, size_t i,
		     struct dw_geo_file_info *out)
{
	if (!g || i >= g->n)
		return DW_EINVAL;
	*out = g->src[i]->info;
	return 0;
}

int dw_geo_lookup_v4(const struct dw_geo *g, uint32_t addr,
		     const struct dw_geo_result **out)
{
	for (size_t i = 0; i < g->n; i++) {
		const struct geo_source *s = g->src[i];
		int64_t k = geo_v4_find(&s->v4, addr);
		if (k >= 0) {
			*out = &s->locs.v[k];
			return 1;
		}
	}
	*out = NULL;
	return 0;
}

static int is_v4_mapped(const uint8_t b[16])
{
	static const uint8_t pfx[12] = {0, 0, 0, 0, 0,    0,
					0, 0, 0, 0, 0xff, 0xff};
	return memcmp(b, pfx, sizeof(pfx)) == 0;
}

int dw_geo_lookup(const struct dw_geo *g, const struct dw_addr *a,
		  struct dw_geo_result *out)
{
	const struct dw_geo_result *r;
	struct geo_k128 k = {0, 0};
	uint32_t v4;
	int i, rc;

	memset(out, 0, sizeof(*out));
	if (!g || !a)
		return DW_EINVAL;
	if (a->af == DW_AF_INET ||
	    (a->af == DW_AF_INET6 && is_v4_mapped(a->b))) {
		const uint8_t *p = a->af == DW_AF_INET ? a->b : a->b + 12;
		v4 = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		     (uint32_t)p[2] << 8 | p[3];
		if (!dw_geo_lookup_v4(g, v4, &r))
			return 0;
		*out = *r;
		return 1;
	}
	if (a->af != DW_AF_INET6)
		return DW_EINVAL;
	for (i = 0; i < 8; i++) {
		k.hi = k.hi << 8 | a->b[i];
		k.lo = k.lo << 8 | a->b[8 + i];
	}
	for (size_t j = 0; j < g->n; j++) {
		const struct geo_source *s = g->src[j];
		if (s->has_mmdb) {
			rc = geo_mmdb_lookup6(s, a->b, out);
			if (rc < 0)
				memset(out, 0, sizeof(*out));
			if (rc)
				return rc;
		} else {
			int64_t x = geo_v6_find(&s->v6, k);
			if (x >= 0) {
				*out = s->locs.v[x];
				return 1;
			}
		}
	}
	memset(out, 0, sizeof(*out));
	return 0;
}
