/*
 * count.c - unique sources per time bin and per entity: the telescope signal.
 *
 * Last step of the telescope stage (telescope.h): packets that passed the
 * filters set one bit per source address in the open bin; when the bin ends
 * every source is attributed once to its country, region, origin AS and
 * geoasn, and one point per entity goes to the emit callback (then to the
 * store, src/cli/telescope_cmd.c).
 *
 * Key decisions:
 *  - Exact sets as one bitmap of the whole IPv4 space: 2^32 bits, a 512 MiB
 *    *virtual* mapping (MAP_NORESERVE) of which only the 8 KiB blocks of the
 *    /16s that sent anything are ever touched (made resident by the
 *    kernel).  A packet's bit is at a fixed address (no pointer to chase);
 *    memory is bounded by 512 MiB whatever the traffic (every /16 active)
 *    and is 8 KiB per active /16 in practice.  Blocks are zeroed while read
 *    at the bin's end and stay resident for the next bin; a block the next
 *    bin does not use goes back to the kernel (MADV_DONTNEED), so resident
 *    memory follows the active /16s of the last two bins.
 *  - Memory latency, not work, is the cost of a packet when sources are
 *    spread over tens of thousands of /16s (hundreds of MiB of bitmaps):
 *    setting bits in packet order costs a cache and TLB miss each.  So a
 *    small table of recent sources drops repeats, and new sources are
 *    buffered (up to BATCH) and set in /16 order, each block's pages visited
 *    once per batch.  The buffer is applied before a bin is read, so counts
 *    stay exact; memory adds 2 x 16 MiB at most.
 *  - Lookups (geo, prefix-to-AS) run per source per bin, not per packet;
 *    sources are walked in address order, so consecutive sources mostly
 *    share their AS and country: the last entity of each kind is cached.
 *  - Entities live in one open-addressing table keyed by "type:code"; their
 *    list only grows, so an entity that went dark still gets its 0.
 */
#include "darkwatch/telescope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "darkwatch/err.h"
#include "darkwatch/geo.h"

#define NBLK 65536
#define BLK_WORDS 1024 /* 65536 bits: one /16 */
#define BLK_BYTES (BLK_WORDS * sizeof(uint64_t))
#define SPACE_BYTES ((size_t)NBLK * BLK_BYTES) /* 512 MiB, virtual */
#define BATCH (1u << 22) /* sources buffered before they are set (16 MiB) */
#define AHEAD 16 /* bits prefetched ahead while a batch is set */
#define SEEN_BITS 16 /* recent sources of the bin: 2^16 x 4 bytes (L2) */
#define SMALL 4096 /* a batch this small is set in arrival order */
#define NO_BIN INT64_MIN
#define KEY_MAX 128

/* Block states (struct dw_tel.state). */
enum { BLK_FREE = 0, BLK_USED, BLK_KEPT };

/* The last entity of one kind found by bump(): key and index. */
struct ecache {
	uint32_t asn;
	char code[KEY_MAX]; /* country or region code; "" for asn */
	size_t idx;         /* entity index + 1, 0 none */
};

struct entity {
	enum dw_tel_etype etype;
	uint32_t asn;
	char *key;  /* "t:code" (owned); code = key + 2 */
	char *name; /* owned or NULL */
	uint64_t count;
};

struct dw_tel {
	struct dw_tel_conf conf;
	const struct dw_geo *geo;
	const struct dw_pfx2as *p2a;
	dw_tel_emit_fn emit;
	void *ctx;
	int64_t cur; /* open bin, NO_BIN before the first packet */
	int64_t end; /* cur + bin */
	int any;     /* the open bin received a frame */
	uint64_t *bits;  /* SPACE_BYTES mapping: bit a = source a */
	uint8_t *state;  /* [NBLK] BLK_* */
	uint16_t *used;  /* /16s used in this bin (BLK_USED) */
	size_t nused;
	uint16_t *kept;  /* /16s used in the last bin (resident) */
	size_t nkept;
	uint32_t *batch, *sorted; /* [capbatch] sources not yet set; scratch */
	size_t nbatch, capbatch; /* capbatch grows to BATCH */
	int dirty; /* seen holds sources of this bin */
	uint32_t *hist; /* [NBLK] */
	uint32_t *seen; /* [1 << SEEN_BITS] a source set in this bin, by hash */
	struct ecache cache[DW_TE__COUNT];
	struct entity *ent;
	size_t nent, capent;
	uint32_t *slot; /* entity index + 1, 0 empty; power-of-two size */
	size_t nslot;
	struct dw_tel_stats st;
};

int dw_tel_new(const struct dw_tel_conf *conf, const struct dw_geo *geo,
	       const struct dw_pfx2as *p2a, dw_tel_emit_fn emit, void *ctx,
	       struct dw_tel **out)
{
	struct dw_tel *t;

	*out = NULL;
	if (!conf || !conf->bin || !emit)
		return DW_EINVAL;
	if (!(t = calloc(1, sizeof(*t))))
		return DW_ENOMEM;
	t->conf = *conf;
	t->geo = geo;
	t->p2a = p2a;
	t->emit = emit;
	t->ctx = ctx;
	t->cur = NO_BIN;
	t->end = NO_BIN;
	t->nslot = 1024;

	t->bits = mmap(NULL, SPACE_BYTES, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (t->bits == MAP_FAILED)
		t->bits = NULL;
	if (!t->bits || !(t->state = calloc(NBLK, sizeof(*t->state))) ||
	    !(t->used = malloc(NBLK * sizeof(*t->used))) ||
	    !(t->kept = malloc(NBLK * sizeof(*t->kept))) ||
	    !(t->seen = calloc((size_t)1 << SEEN_BITS, sizeof(*t->seen))) ||
	    !(t->hist = malloc(NBLK * sizeof(*t->hist))) ||
	    !(t->slot = calloc(t->nslot, sizeof(*t->slot)))) {
		dw_tel_free(t);
		return DW_ENOMEM;
	}
	*out = t;
	return 0;
}

void dw_tel_free(struct dw_tel *t)
{
	if (!t)
		return;
	if (t->bits)
		munmap(t->bits, SPACE_BYTES);
	for (size_t i = 0; i < t->nent; i++) {
		free(t->ent[i].key);
		free(t->ent[i].name);
	}
	free(t->ent);
	free(t->slot);
	free(t->hist);
	free(t->sorted);
	free(t->batch);
	free(t->seen);
	free(t->kept);
	free(t->used);
	free(t->state);
	free(t);
}

void dw_tel_stats(const struct dw_tel *t, struct dw_tel_stats *out)
{
	*out = t->st;
	out->entities = t->nent;
}

/* ---- entities ---- */

static uint32_t fnv(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static int rehash(struct dw_tel *t)
{
	size_t n = t->nslot * 2;
	uint32_t *s = calloc(n, sizeof(*s));
	if (!s)
		return DW_ENOMEM;
	for (size_t i = 0; i < t->nent; i++) {
		size_t j = fnv(t->ent[i].key) & (n - 1);
		while (s[j])
			j = (j + 1) & (n - 1);
		s[j] = (uint32_t)i + 1;
	}
	free(t->slot);
	t->slot = s;
	t->nslot = n;
	return 0;
}

/*
 * The entity (etype, key) has one more source (created if new).  key is the
 * country or region code (asn and geoasn: the country, or "" for asn); the
 * entity code is built from it and asn.  The last entity of each type is
 * cached, so a run of sources in one AS or country costs no hashing.
 */
static int bump(struct dw_tel *t, enum dw_tel_etype et, const char *ck,
		const char *name, uint32_t asn)
{
	struct ecache *c = &t->cache[et];
	char key[KEY_MAX];
	struct entity *e;
	size_t j;
	int n;

	if (c->idx) {
		e = &t->ent[c->idx - 1];
		if (e->asn == asn && !strcmp(c->code, ck)) {
			e->count++;
			return 0;
		}
	}
	if (et == DW_TE_ASN)
		n = snprintf(key, sizeof(key), "%c:%u", '0' + et, asn);
	else if (et == DW_TE_GEOASN)
		n = snprintf(key, sizeof(key), "%c:%u-%s", '0' + et, asn, ck);
	else
		n = snprintf(key, sizeof(key), "%c:%s", '0' + et, ck);
	if (n < 0 || (size_t)n >= sizeof(key) || strlen(ck) >= sizeof(c->code))
		return 0; /* geo codes are < 96 bytes: cannot happen */
	for (j = fnv(key) & (t->nslot - 1); t->slot[j];
	     j = (j + 1) & (t->nslot - 1)) {
		e = &t->ent[t->slot[j] - 1];
		if (!strcmp(e->key, key)) {
			e->count++;
			c->idx = t->slot[j];
			c->asn = asn;
			memcpy(c->code, ck, strlen(ck) + 1);
			return 0;
		}
	}
	if (t->nent == t->capent) {
		size_t cap = t->capent ? t->capent * 2 : 64;
		struct entity *ne = realloc(t->ent, cap * sizeof(*ne));
		if (!ne)
			return DW_ENOMEM;
		t->ent = ne;
		t->capent = cap;
	}
	e = &t->ent[t->nent];
	memset(e, 0, sizeof(*e));
	e->etype = et;
	e->asn = asn;
	e->count = 1;
	if (!(e->key = strdup(key)) || (name && *name && !(e->name = strdup(name)))) {
		free(e->key);
		return DW_ENOMEM;
	}
	t->slot[j] = (uint32_t)++t->nent;
	c->idx = t->nent;
	c->asn = asn;
	memcpy(c->code, ck, strlen(ck) + 1);
	if (t->nent * 2 > t->nslot)
		return rehash(t);
	return 0;
}

/* Count one source of the closing bin towards its entities. */
static int attribute(struct dw_tel *t, uint32_t src)
{
	const struct dw_geo_result *g = NULL;
	uint32_t asn = 0;
	int routed = 0, rc = 0;

	if (t->p2a) {
		routed = dw_pfx2as_lookup(t->p2a, src, &asn);
		if (!routed && (t->conf.filters & (1u << DW_TF_UNROUTED))) {
			t->st.filtered[DW_TF_UNROUTED]++;
			return 0;
		}
	}
	t->st.sources++;
	if (t->geo && dw_geo_lookup_v4(t->geo, src, &g) > 0 && g->country[0]) {
		rc = bump(t, DW_TE_COUNTRY, g->country, NULL, 0);
		if (!rc && g->region[0])
			rc = bump(t, DW_TE_REGION, g->region, g->region_name, 0);
	} else {
		g = NULL;
		t->st.unlocated++;
	}
	if (rc || !asn)
		return rc;
	if ((rc = bump(t, DW_TE_ASN, "", NULL, asn)) < 0 || !g)
		return rc;
	return bump(t, DW_TE_GEOASN, g->country, NULL, asn);
}

/* ---- bins ---- */

/*
 * Set the bits of the buffered sources, in /16 order: one counting-sort
 * pass by /16, then every block is visited once, its bits set while its
 * two pages are in the TLB and cache.
 */
/* Set source a's bit now (its /16 marked used). */
static void set_bit(struct dw_tel *t, uint32_t a)
{
	uint16_t hi = (uint16_t)(a >> 16);

	if (t->state[hi] != BLK_USED) {
		t->state[hi] = BLK_USED;
		t->used[t->nused++] = hi;
	}
	t->bits[a >> 6] |= 1ull << (a & 63);
}

/*
 * Make blocks [lo, hi) resident in one call: the first touch of a block
 * otherwise costs a page fault per 4 KiB page (9 % of a 50 M-packet run with
 * every /16 active, most of it in the first bin).  Best effort: a kernel
 * without MADV_POPULATE_WRITE (Linux < 5.14) faults the pages in as before.
 */
static void populate(struct dw_tel *t, uint32_t lo, uint32_t hi)
{
#ifdef MADV_POPULATE_WRITE
	if (hi > lo)
		(void)madvise(t->bits + (size_t)lo * BLK_WORDS,
			      (size_t)(hi - lo) * BLK_BYTES, MADV_POPULATE_WRITE);
#else
	(void)t;
	(void)lo;
	(void)hi;
#endif
}

static void apply(struct dw_tel *t)
{
	uint32_t sum = 0, run = 0, nrun = 0;

	if (t->nbatch < SMALL) {
		for (size_t i = 0; i < t->nbatch; i++)
			set_bit(t, t->batch[i]);
		t->nbatch = 0;
		return;
	}
	memset(t->hist, 0, NBLK * sizeof(*t->hist));
	for (size_t i = 0; i < t->nbatch; i++)
		t->hist[t->batch[i] >> 16]++;
	for (uint32_t hi = 0; hi < NBLK; hi++) {
		uint32_t n = t->hist[hi];
		if (!n)
			continue;
		if (t->state[hi] == BLK_FREE) { /* not resident: grow the run */
			if (!nrun || run + nrun != hi) {
				populate(t, run, run + nrun);
				run = hi;
				nrun = 0;
			}
			nrun++;
		}
		if (t->state[hi] != BLK_USED) {
			t->state[hi] = BLK_USED;
			t->used[t->nused++] = (uint16_t)hi;
		}
		t->hist[hi] = sum;
		sum += n;
	}
	populate(t, run, run + nrun);
	for (size_t i = 0; i < t->nbatch; i++)
		t->sorted[t->hist[t->batch[i] >> 16]++] = t->batch[i];
	for (size_t i = 0; i < t->nbatch; i++) {
		uint32_t a = t->sorted[i];
		if (i + AHEAD < t->nbatch)
			__builtin_prefetch(t->bits + (t->sorted[i + AHEAD] >> 6), 1);
		t->bits[a >> 6] |= 1ull << (a & 63);
	}
	t->nbatch = 0;
}

/* Read and zero the block of /16 hi, attributing every source in it. */
static int walk(struct dw_tel *t, uint16_t hi)
{
	uint64_t *b = t->bits + (size_t)hi * BLK_WORDS;
	int rc = 0;

	for (uint32_t w = 0; w < BLK_WORDS; w++) {
		uint64_t x = b[w];
		if (!x)
			continue;
		b[w] = 0;
		while (x && !rc) {
			uint32_t bit = (uint32_t)__builtin_ctzll(x);
			x &= x - 1;
			rc = attribute(t, (uint32_t)hi << 16 | w << 6 | bit);
		}
	}
	return rc;
}

/*
 * Blocks kept from the last bin that this bin did not use go back to the
 * kernel (they read as zeros when touched again); this bin's blocks are
 * kept.  A failed madvise only leaves a zeroed block resident.
 */
static void trim(struct dw_tel *t)
{
	uint16_t *u;

	for (size_t i = 0; i < t->nkept; i++) {
		uint16_t hi = t->kept[i];
		if (t->state[hi] != BLK_KEPT)
			continue;
		(void)madvise(t->bits + (size_t)hi * BLK_WORDS, BLK_BYTES,
			      MADV_DONTNEED);
		t->state[hi] = BLK_FREE;
	}
	for (size_t i = 0; i < t->nused; i++)
		t->state[t->used[i]] = BLK_KEPT;
	u = t->kept;
	t->kept = t->used;
	t->used = u;
	t->nkept = t->nused;
	t->nused = 0;
}

/* Walk (and zero) the open bin's sets, then emit every entity. */
static int close_bin(struct dw_tel *t)
{
	struct dw_tel_point pt;
	uint64_t before = t->st.sources;
	int rc = 0, r;

	apply(t);
	if (t->dirty)
		memset(t->seen, 0, sizeof(*t->seen) << SEEN_BITS);
	t->dirty = 0;
	if (t->nused > t->st.peak_blocks)
		t->st.peak_blocks = t->nused;
	for (size_t i = 0; i < t->nused; i++)
		if ((r = walk(t, t->used[i])) && !rc)
			rc = r;
	trim(t);
	if (rc < 0 || !t->any)
		goto out;
	t->st.bins++;
	for (size_t i = 0; i < t->nent && !rc; i++) {
		struct entity *e = &t->ent[i];
		pt = (struct dw_tel_point){t->cur, e->etype, e->key + 2, e->name,
					   e->asn, e->count};
		rc = t->emit(t->ctx, &pt);
	}
	if (!rc) {
		pt = (struct dw_tel_point){t->cur, DW_TE_COUNTRY, NULL, NULL, 0,
					   t->st.sources - before};
		rc = t->emit(t->ctx, &pt);
	}
out:
	for (size_t i = 0; i < t->nent; i++)
		t->ent[i].count = 0;
	t->any = 0;
	return rc;
}

static int64_t bin_of(const struct dw_tel *t, int64_t ts)
{
	int64_t b = (int64_t)t->conf.bin;
	int64_t q = ts / b;
	if (ts % b < 0)
		q--;
	return q * b;
}

/*
 * Double the batch (small first: most counters see few sources per bin);
 * -1 at BATCH or out of memory, then the batch is applied when full.
 */
static int grow(struct dw_tel *t)
{
	size_t c = t->capbatch ? t->capbatch * 2 : SMALL;
	uint32_t *b, *s;

	if (t->capbatch >= BATCH)
		return -1;
	if (!(b = realloc(t->batch, c * sizeof(*b))))
		return -1;
	t->batch = b;
	if (!(s = realloc(t->sorted, c * sizeof(*s))))
		return -1;
	t->sorted = s;
	t->capbatch = c;
	return 0;
}

/*
 * Source src is in the open bin.  A source seen recently in the bin is
 * found in `seen` (its bit is set or buffered): nothing to do.  Otherwise
 * it is buffered; bits are set a batch at a time (apply()), in address
 * order, because setting them in packet order costs a cache and TLB miss
 * each once the bin's sources span hundreds of MiB of bitmaps.
 */
static inline void add_source(struct dw_tel *t, uint32_t src)
{
	uint32_t *s = &t->seen[(src * 0x9e3779b1u) >> (32 - SEEN_BITS)];

	if (*s == src && src)
		return;
	*s = src;
	t->dirty = 1;
	if (t->nbatch == t->capbatch && grow(t) < 0) {
		apply(t);
		if (!t->capbatch) {
			set_bit(t, src);
			return;
		}
	}
	t->batch[t->nbatch++] = src;
}

/* Open the bin of ts (closing the open one): 0, 1 late, <0 error. */
static int next_bin(struct dw_tel *t, int64_t ts)
{
	int64_t b = bin_of(t, ts);
	int rc;

	if (t->cur != NO_BIN && b < t->cur) {
		t->st.late++;
		return 1;
	}
	if (t->cur != NO_BIN && (rc = close_bin(t)) < 0)
		return rc;
	t->cur = b;
	if (__builtin_add_overflow(b, (int64_t)t->conf.bin, &t->end))
		t->end = INT64_MAX;
	return 0;
}

int dw_tel_packet(struct dw_tel *t, int linktype, int64_t ts,
		  const uint8_t *data, size_t caplen, size_t wirelen)
{
	struct dw_tel_pkt p;
	enum dw_tel_bad r;
	int rc, f;

	t->st.packets++;
	if ((ts < t->cur || ts >= t->end) && (rc = next_bin(t, ts)) != 0)
		return rc > 0 ? 0 : rc;
	t->any = 1;
	if ((r = dw_tel_pkt_decode(linktype, data, caplen, wirelen, &p))) {
		t->st.bad[r]++;
		return 0;
	}
	t->st.ipv4++;
	if ((f = dw_tel_filter_match(&p, t->conf.filters)) >= 0) {
		t->st.filtered[f]++;
		return 0;
	}
	t->st.counted++;
	add_source(t, p.src);
	return 0;
}

int dw_tel_flush(struct dw_tel *t)
{
	int rc = 0;
	if (t->cur != NO_BIN)
		rc = close_bin(t);
	t->cur = NO_BIN;
	t->end = NO_BIN;
	return rc;
}
