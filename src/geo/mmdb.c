/*
 * mmdb.c - MaxMind DB files as geo sources, through libmaxminddb.
 *
 * Part of the geo module (geo_int.h): geo.c calls geo_mmdb_load once it has
 * found the MaxMind metadata marker in a file.
 *
 * Key decisions:
 *  - At load, the IPv4 part of the search tree (the whole tree of an IPv4
 *    database, the ::/96 subtree of an IPv6 one) is walked once with
 *    MMDB_read_node and every data record reached becomes a row, so IPv4
 *    lookups use the same flat table as CSV sources (tens of millions of
 *    lookups a second instead of about two million through the tree and
 *    MMDB_get_value).  Each distinct data record is decoded once.  The
 *    walk visits at most node_count nodes, so a tree with cycles fails
 *    (DW_EMALFORMED) instead of looping.
 *  - IPv6 lookups go to libmaxminddb as they come (not a hot path).
 *  - Keys are tried per record, so one reader serves both families of
 *    files: country from country_code (@ip-location-db), else
 *    country.iso_code (MaxMind), else registered_country.iso_code (MaxMind
 *    records of anonymous or satellite networks carry only that); region
 *    from state1 for the first, subdivisions.0.names.en for the others.
 *    The region code comes from the English name in both cases
 *    (dw_geo_region_code), so both vendors' files give the same codes.
 *  - A record with a malformed country code is counted as a bad row and
 *    treated as having no country; but a record libmaxminddb cannot decode
 *    fails the load (DW_EMALFORMED): unlike a bad CSV line, that means a
 *    damaged file, and running on with holes in the map would show up as
 *    outages of whole regions.
 */
#include "geo/geo_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "darkwatch/err.h"

static const char *const P_CC[] = {"country_code", NULL};
static const char *const P_COUNTRY[] = {"country", "iso_code", NULL};
static const char *const P_REGCOUNTRY[] = {"registered_country", "iso_code",
					   NULL};
static const char *const P_SUBDIV[] = {"subdivisions", "0", "names", "en",
				       NULL};
static const char *const P_STATE1[] = {"state1", NULL};

/* One string at path: 1 found, 0 absent (or not a string), <0 error. */
static int get_str(MMDB_entry_s *e, const char *const *path, const char **s,
		   size_t *len)
{
	MMDB_entry_data_s d;
	int st = MMDB_aget_value(e, &d, path);

	if (st == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR ||
	    st == MMDB_INVALID_LOOKUP_PATH_ERROR)
		return 0;
	if (st == MMDB_OUT_OF_MEMORY_ERROR)
		return DW_ENOMEM;
	if (st != MMDB_SUCCESS)
		return DW_EMALFORMED;
	if (!d.has_data || d.type != MMDB_DATA_TYPE_UTF8_STRING)
		return 0;
	*s = d.utf8_string;
	*len = d.data_size;
	return 1;
}

/*
 * Decode one data record: 1 country known, 0 none, -1 malformed country,
 * <-1 error.  Where the country was found decides where the region is
 * read: the flat country_code goes with state1, MaxMind's nested
 * country (or registered_country) with subdivisions.  The flat key is
 * tried first: it is one map probe for @ip-location-db files, where a
 * missing nested key would cost two.
 */
static int decode(MMDB_entry_s *e, struct dw_geo_result *r)
{
	const char *cc = NULL, *reg = NULL;
	size_t cclen = 0, reglen = 0;
	int rc, flat = 1;

	rc = get_str(e, P_CC, &cc, &cclen);
	if (rc == 0 || (rc == 1 && cclen == 0)) {
		flat = 0;
		rc = get_str(e, P_COUNTRY, &cc, &cclen);
		if (rc == 0 || (rc == 1 && cclen == 0))
			rc = get_str(e, P_REGCOUNTRY, &cc, &cclen);
	}
	if (rc < 0)
		return rc;
	if (rc == 0 || cclen == 0) {
		memset(r, 0, sizeof(*r));
		return 0;
	}
	rc = get_str(e, flat ? P_STATE1 : P_SUBDIV, &reg, &reglen);
	if (rc < 0)
		return rc;
	if (rc == 0)
		reglen = 0;
	return geo_result_make(cc, cclen, reg, reglen, r);
}

/* data offset → location index (or -1 for "no country"), open addressing */
struct offmap {
	uint64_t *key; /* offset + 1; 0 = free */
	int64_t *val;
	size_t n, cap;
};

static int64_t *offmap_slot(struct offmap *m, uint32_t off, int *found)
{
	uint64_t k = (uint64_t)off + 1;
	size_t j = (size_t)((k * 0x9e3779b97f4a7c15ULL) >> 20) & (m->cap - 1);
	while (m->key[j] && m->key[j] != k)
		j = (j + 1) & (m->cap - 1);
	*found = m->key[j] == k;
	if (!*found) {
		m->key[j] = k;
		m->n++;
	}
	return &m->val[j];
}

static int offmap_grow(struct offmap *m)
{
	struct offmap nm;
	size_t i;
	int found;

	nm.cap = m->cap ? m->cap * 2 : 4096;
	nm.n = 0;
	nm.key = calloc(nm.cap, sizeof(*nm.key));
	nm.val = calloc(nm.cap, sizeof(*nm.val));
	if (!nm.key || !nm.val) {
		free(nm.key);
		free(nm.val);
		return DW_ENOMEM;
	}
	for (i = 0; i < m->cap; i++)
		if (m->key[i])
			*offmap_slot(&nm, (uint32_t)(m->key[i] - 1), &found) =
				m->val[i];
	free(m->key);
	free(m->val);
	*m = nm;
	return 0;
}

struct walk {
	struct geo_source *src;
	struct geo_rowvec rows;
	struct offmap map;
	uint32_t last_off;
	int64_t last_loc; /* -2: no last */
};

/* Location of the data record at entry (decoded once). */
static int entry_loc(struct walk *w, MMDB_entry_s *entry, int64_t *loc)
{
	struct dw_geo_result r;
	int64_t *slot;
	uint32_t idx;
	int found, rc;

	if (w->last_loc != -2 && entry->offset == w->last_off) {
		*loc = w->last_loc;
		return 0;
	}
	if ((w->map.n + 1) * 2 > w->map.cap) {
		rc = offmap_grow(&w->map);
		if (rc)
			return rc;
	}
	slot = offmap_slot(&w->map, entry->offset, &found);
	if (!found) {
		rc = decode(entry, &r);
		if (rc < -1)
			return rc;
		*slot = -1;
		if (rc == -1)
			w->src->info.bad_rows++;
		if (rc == 1) {
			rc = geo_locs_intern(&w->src->locs, &r, &idx);
			if (rc)
				return rc;
			*slot = idx;
		}
	}
	w->last_off = entry->offset;
	w->last_loc = *slot;
	*loc = *slot;
	return 0;
}

struct item {
	uint8_t type;    /* MMDB_RECORD_TYPE_* */
	uint8_t depth;   /* prefix length of the record's network */
	uint32_t prefix; /* network address */
	uint64_t record;
	MMDB_entry_s entry;
};

static int leaf(struct walk *w, const struct item *it)
{
	MMDB_entry_s entry = it->entry;
	struct geo_row row;
	int64_t loc;
	int rc;

	w->src->info.rows++;
	rc = entry_loc(w, &entry, &loc);
	if (rc)
		return rc;
	if (loc < 0) {
		w->src->info.unknown_rows++;
		return 0;
	}
	row.s.hi = row.e.hi = 0;
	row.s.lo = it->prefix;
	row.e.lo = it->prefix |
		   (it->depth == 0
			    ? 0xffffffffu
			    : (uint32_t)((1ULL << (32 - it->depth)) - 1));
	row.loc = (uint32_t)loc;
	/* Leaves come in address order: extend the last row when this one
	 * continues it with the same location (most neighbours in a city
	 * database differ only in city), which keeps the row vector small. */
	if (w->rows.n) {
		struct geo_row *last = &w->rows.v[w->rows.n - 1];
		if (last->loc == row.loc && last->e.lo + 1 == row.s.lo) {
			last->e = row.e;
			return 0;
		}
	}
	if (w->rows.n >= UINT32_MAX - 1)
		return DW_ETOOBIG;
	row.seq = (uint32_t)w->rows.n;
	return geo_rowvec_push(&w->rows, &row);
}

/*
 * Find the record that covers ::/96 in an IPv6 tree (96 left turns), or
 * the root node of an IPv4 tree, as a stack item of depth 0.
 */
static int v4_root(const MMDB_s *m, struct item *root)
{
	MMDB_search_node_s node;
	uint32_t n = 0;

	memset(root, 0, sizeof(*root));
	root->type = MMDB_RECORD_TYPE_SEARCH_NODE;
	if (m->metadata.node_count == 0) {
		root->type = MMDB_RECORD_TYPE_EMPTY;
		return 0;
	}
	if (m->metadata.ip_version == 4)
		return 0;
	if (m->metadata.ip_version != 6)
		return DW_EUNSUPP;
	for (int i = 0; i < 96; i++) {
		if (MMDB_read_node(m, n, &node) != MMDB_SUCCESS)
			return DW_EMALFORMED;
		root->type = node.left_record_type;
		root->entry = node.left_record_entry;
		if (node.left_record_type != MMDB_RECORD_TYPE_SEARCH_NODE)
			return 0; /* data or empty above /96 covers all IPv4 */
		n = (uint32_t)node.left_record;
	}
	root->record = n;
	return 0;
}

/* Depth-first, left before right, so rows come out sorted. */
static int walk_v4(struct walk *w)
{
	const MMDB_s *m = &w->src->mmdb;
	struct item stack[80];
	size_t sp = 0;
	uint64_t visits = 0;
	int rc;

	rc = v4_root(m, &stack[0]);
	if (rc)
		return rc;
	sp = 1;
	while (sp) {
		struct item it = stack[--sp];
		MMDB_search_node_s node;
		if (it.type == MMDB_RECORD_TYPE_EMPTY)
			continue;
		if (it.type == MMDB_RECORD_TYPE_DATA) {
			rc = leaf(w, &it);
			if (rc)
				return rc;
			continue;
		}
		if (it.type != MMDB_RECORD_TYPE_SEARCH_NODE || it.depth >= 32 ||
		    ++visits > m->metadata.node_count ||
		    it.record >= m->metadata.node_count)
			return DW_EMALFORMED;
		if (MMDB_read_node(m, (uint32_t)it.record, &node) !=
		    MMDB_SUCCESS)
			return DW_EMALFORMED;
		/* right first: the stack pops left first */
		stack[sp].type = node.right_record_type;
		stack[sp].depth = (uint8_t)(it.depth + 1);
		stack[sp].prefix = it.prefix | (1u << (31 - it.depth));
		stack[sp].record = node.right_record;
		stack[sp++].entry = node.right_record_entry;
		stack[sp].type = node.left_record_type;
		stack[sp].depth = (uint8_t)(it.depth + 1);
		stack[sp].prefix = it.prefix;
		stack[sp].record = node.left_record;
		stack[sp++].entry = node.left_record_entry;
	}
	return 0;
}

static int open_err(int st)
{
	switch (st) {
	case MMDB_FILE_OPEN_ERROR: return errno ? -errno : DW_EIO;
	case MMDB_IO_ERROR: return DW_EIO;
	case MMDB_OUT_OF_MEMORY_ERROR: return DW_ENOMEM;
	case MMDB_UNKNOWN_DATABASE_FORMAT_ERROR: return DW_EUNSUPP;
	default: return DW_EMALFORMED;
	}
}

int geo_mmdb_load(struct geo_source *src, const char *path)
{
	struct walk w;
	uint64_t ov = 0;
	int st, rc;

	memset(&w, 0, sizeof(w));
	w.src = src;
	w.last_loc = -2;
	src->info.format = DW_GEO_MMDB;
	src->info.layout = DW_GEO_LAYOUT_MMDB;
	errno = 0;
	st = MMDB_open(path, MMDB_MODE_MMAP, &src->mmdb);
	if (st != MMDB_SUCCESS)
		return open_err(st);
	src->has_mmdb = 1;
	src->info.mmdb_ip_version = src->mmdb.metadata.ip_version;
	rc = walk_v4(&w);
	if (rc)
		goto fail;
	rc = geo_table_build_v4(&w.rows, &src->v4, &ov);
	if (rc)
		goto fail;
	src->info.overlap_rows = ov;
	src->info.v4_ranges = src->v4.ranges;
	free(w.map.key);
	free(w.map.val);
	return 0;
fail:
	free(w.map.key);
	free(w.map.val);
	geo_rowvec_free(&w.rows);
	geo_mmdb_close(src);
	return rc;
}

int geo_mmdb_lookup6(const struct geo_source *src, const uint8_t b[16],
		     struct dw_geo_result *out)
{
	struct sockaddr_in6 sa;
	MMDB_lookup_result_s res;
	MMDB_entry_s entry;
	int err = 0, rc;

	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;
	memcpy(&sa.sin6_addr, b, 16);
	res = MMDB_lookup_sockaddr(&src->mmdb, (const struct sockaddr *)&sa,
				   &err);
	if (err == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR)
		return 0;
	if (err != MMDB_SUCCESS)
		return err == MMDB_OUT_OF_MEMORY_ERROR ? DW_ENOMEM
						       : DW_EMALFORMED;
	if (!res.found_entry)
		return 0;
	entry = res.entry;
	rc = decode(&entry, out);
	if (rc == -1) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	return rc;
}

void geo_mmdb_close(struct geo_source *src)
{
	if (src->has_mmdb)
		MMDB_close(&src->mmdb);
	src->has_mmdb = 0;
}
