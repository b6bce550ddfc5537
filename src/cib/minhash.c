/*
 * minhash.c - text normalisation, word shingles, MinHash signatures, LSH.
 *
 * Normalisation: raw tokens are split at ASCII white space; URLs (http://,
 * https://, www.), @mentions and a leading "RT" are dropped; what is left is
 * split into words at ASCII punctuation (so '#' goes and the hashtag's word
 * stays), ASCII is lower-cased and other bytes (UTF-8) are kept as they are.
 * Shingles are pairs of consecutive words (one word alone if the text has
 * only one): word order matters, so two unrelated texts made of common
 * words rarely look alike, while a paraphrase that changes 2 words of 20
 * keeps a Jaccard of about 0.65-0.8.
 *
 * Signatures: one-permutation hashing (Li, Owen, Zhang 2012) with optimal
 * densification (Shrivastava 2017): every shingle is hashed once (seeded),
 * the hash picks one of K bins and the bin keeps its least value; an empty
 * bin takes the value of the first full bin in a probe sequence of its own
 * (the same for every text).  Rotation densification (borrowing from the
 * next bin to the right) was tried first: with ~20 shingles in 96 bins most
 * bins are empty, so one shared shingle made whole bands equal and
 * unrelated texts collided by the thousand.  Cost O(shingles + K x K /
 * full bins) per text instead of K per shingle.  Only 16 bits of each value are kept (a false match costs 1 in
 * 65536).  The signature serves only to find candidates: for tweet-sized
 * texts (~20 shingles in 96 bins) its Jaccard estimate is too noisy (sd
 * ~0.1) to decide on.
 *
 * Verification: each text also keeps its least SHMAX (64) distinct shingle
 * hashes (32 bits), a bottom-k sketch: the Jaccard of two texts is exact
 * when both have at most 64 shingles (every tweet), and the bottom-k
 * estimate beyond.  A text thus costs 2K + 4 min(shingles, 64) bytes.
 *
 * LSH: BANDS bands of ROWS values; texts whose band values are equal share
 * a bucket.  A bucket is not expanded into all its pairs: each new member
 * is compared with the bucket's first and last members only, and joined
 * (union-find) when the Jaccard reaches text_jaccard.  Near-duplicates thus
 * chain into one cluster in O(texts x BANDS) time even when thousands of
 * texts are identical.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cib/minhash.h"
#include "darkwatch/err.h"

/* Densification probes kept in a table (more are computed). */
#define NPROBE 32

struct item {
	int64_t post, t;
	uint32_t account;
	uint32_t row; /* signature row */
	size_t sh;    /* first shingle hash in the pool */
	uint8_t nsh;  /* shingle hashes kept (the least SHMAX) */
	uint8_t cut;  /* more shingles than SHMAX */
};

/* Shingle hashes kept per text for verification (bottom-k sketch). */
#define SHMAX 64

struct dw_cib_mh {
	struct dw_cib_conf conf;
	struct item *it;
	uint16_t *band[DW_CIB_MH_BANDS]; /* band-major: ROWS values a text */
	size_t n, cap;
	uint32_t *pool; /* kept shingle hashes, sorted per text */
	size_t npool, pool_cap;
	struct dw_cib_mh_item *out;
	uint8_t probe[DW_CIB_MH_K][NPROBE]; /* probe_bin(), precomputed */
	uint32_t *tmp; /* one text's shingle hashes */
	size_t ntmp, tmp_cap;
	int oom;
};

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

static int is_word(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static int prefix_ci(const char *s, size_t n, const char *p)
{
	size_t i;

	for (i = 0; p[i]; i++) {
		unsigned char c;
		if (i >= n)
			return 0;
		c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (c != (unsigned char)p[i])
			return 0;
	}
	return 1;
}

struct signer {
	struct dw_cib_mh *m; /* where shingle hashes go (may be NULL) */
	uint64_t seed;
	uint32_t mins[DW_CIB_MH_K];
	uint8_t full[DW_CIB_MH_K];
	uint64_t prev;
	size_t words, shingles;
};

static void put_shingle(struct signer *s, uint64_t sh)
{
	uint64_t h = mix64(sh ^ s->seed);
	uint32_t bin = (uint32_t)(((h >> 32) * DW_CIB_MH_K) >> 32);
	uint32_t v = (uint32_t)h;

	if (!s->full[bin] || v < s->mins[bin]) {
		s->mins[bin] = v;
		s->full[bin] = 1;
	}
	s->shingles++;
	if (s->m) {
		struct dw_cib_mh *m = s->m;
		if (m->ntmp == m->tmp_cap) {
			size_t nc = m->tmp_cap ? m->tmp_cap * 2 : 256;
			uint32_t *nt = realloc(m->tmp, nc * sizeof(*nt));
			if (!nt) {
				m->oom = 1;
				return;
			}
			m->tmp = nt;
			m->tmp_cap = nc;
		}
		m->tmp[m->ntmp++] = (uint32_t)(h >> 16);
	}
}

static void put_word(struct signer *s, uint64_t w)
{
	if (s->words)
		put_shingle(s, mix64(s->prev * 0x9e3779b97f4a7c15ULL + w));
	s->prev = w;
	s->words++;
}

/* The a-th bin probed by empty bin k. */
static uint8_t probe_bin(uint64_t seed, uint32_t k, uint32_t a)
{
	uint64_t h = mix64(seed ^ ((uint64_t)k * 0x9e3779b97f4a7c15ULL + a + 1));
	return (uint8_t)(((h >> 32) * DW_CIB_MH_K) >> 32);
}

/*
 * Sign text into sig[K]; 0 if it has no word.  With m, its shingle hashes
 * are also left in m->tmp.
 */
static int sign(struct dw_cib_mh *m, uint64_t seed, const char *txt,
		size_t len, uint16_t *sig)
{
	struct signer s;
	size_t i = 0;
	int first = 1;

	memset(&s, 0, sizeof(s));
	s.m = m;
	if (m)
		m->ntmp = 0;
	s.seed = mix64(seed ^ 0x5bd1e9955bd1e995ULL);
	while (i < len) {
		size_t b, e;
		while (i < len && is_space((unsigned char)txt[i]))
			i++;
		b = i;
		while (i < len && !is_space((unsigned char)txt[i]))
			i++;
		e = i;
		if (b == e)
			break;
		if (txt[b] == '@' || prefix_ci(txt + b, e - b, "http://") ||
		    prefix_ci(txt + b, e - b, "https://") ||
		    prefix_ci(txt + b, e - b, "www."))
			continue;
		if (first && (e - b == 2 || (e - b == 3 && txt[b + 2] == ':')) &&
		    prefix_ci(txt + b, e - b, "rt")) {
			first = 0;
			continue;
		}
		first = 0;
		for (size_t j = b; j < e;) {
			uint64_t h = 0xcbf29ce484222325ULL;
			if (!is_word((unsigned char)txt[j])) {
				j++;
				continue;
			}
			while (j < e && is_word((unsigned char)txt[j])) {
				unsigned char c = (unsigned char)txt[j++];
				if (c >= 'A' && c <= 'Z')
					c = (unsigned char)(c - 'A' + 'a');
				h = (h ^ c) * 0x100000001b3ULL;
			}
			put_word(&s, h);
		}
	}
	if (s.words == 0)
		return 0;
	if (s.words == 1)
		put_shingle(&s, mix64(s.prev));
	for (uint32_t k = 0; k < DW_CIB_MH_K; k++) {
		uint32_t j = k, a = 0;
		/* an empty bin probes bins in a sequence of its own, the same
		 * for every text, until it finds a full one */
		while (!s.full[j]) {
			j = a < NPROBE ? m->probe[k][a]
				       : probe_bin(s.seed, k, a);
			a++;
		}
		sig[k] = (uint16_t)(mix64(s.mins[j]) >> 48);
	}
	return 1;
}

int dw_cib_mh_new(const struct dw_cib_conf *conf, struct dw_cib_mh **out)
{
	struct dw_cib_mh *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (!m)
		return DW_ENOMEM;
	m->conf = *conf;
	for (uint32_t k = 0; k < DW_CIB_MH_K; k++)
		for (uint32_t a = 0; a < NPROBE; a++)
			m->probe[k][a] = probe_bin(
				mix64(conf->seed ^ 0x5bd1e9955bd1e995ULL), k, a);
	*out = m;
	return 0;
}

void dw_cib_mh_free(struct dw_cib_mh *m)
{
	if (!m)
		return;
	free(m->it);
	for (int b = 0; b < DW_CIB_MH_BANDS; b++)
		free(m->band[b]);
	free(m->out);
	free(m->pool);
	free(m->tmp);
	free(m);
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return (a > b) - (a < b);
}

/* Keep the least SHMAX distinct shingle hashes of m->tmp in the pool. */
static int keep_shingles(struct dw_cib_mh *m, struct item *it)
{
	size_t k = 0;

	if (m->ntmp > 48) {
		qsort(m->tmp, m->ntmp, sizeof(*m->tmp), cmp_u32);
	} else { /* a tweet: insertion sort, no allocation */
		for (size_t i = 1; i < m->ntmp; i++) {
			uint32_t v = m->tmp[i];
			size_t j = i;
			while (j > 0 && m->tmp[j - 1] > v) {
				m->tmp[j] = m->tmp[j - 1];
				j--;
			}
			m->tmp[j] = v;
		}
	}
	for (size_t i = 0; i < m->ntmp; i++)
		if (k == 0 || m->tmp[k - 1] != m->tmp[i])
			m->tmp[k++] = m->tmp[i];
	it->cut = k > SHMAX;
	if (k > SHMAX)
		k = SHMAX;
	if (m->npool + k > m->pool_cap) {
		size_t nc = m->pool_cap ? m->pool_cap * 2 : 4096;
		while (nc < m->npool + k)
			nc *= 2;
		uint32_t *np = realloc(m->pool, nc * sizeof(*np));
		if (!np)
			return DW_ENOMEM;
		m->pool = np;
		m->pool_cap = nc;
	}
	memcpy(m->pool + m->npool, m->tmp, k * sizeof(*m->tmp));
	it->sh = m->npool;
	it->nsh = (uint8_t)k;
	m->npool += k;
	return 0;
}

int dw_cib_mh_add(struct dw_cib_mh *m, const struct dw_cib_text *p)
{
	uint16_t sig[DW_CIB_MH_K];

	if (!p->text || p->len < (size_t)(m->conf.text_min_len > 0
						  ? m->conf.text_min_len
						  : 0))
		return 0;
	if (m->n == m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 1024;
		struct item *ni = realloc(m->it, nc * sizeof(*ni));
		if (!ni)
			return DW_ENOMEM;
		m->it = ni;
		for (int b = 0; b < DW_CIB_MH_BANDS; b++) {
			uint16_t *nb = realloc(m->band[b], nc * DW_CIB_MH_ROWS *
							   sizeof(*nb));
			if (!nb)
				return DW_ENOMEM;
			m->band[b] = nb;
		}
		m->cap = nc;
	}
	m->oom = 0;
	if (!sign(m, m->conf.seed, p->text, p->len, sig))
		return 0;
	if (m->oom || keep_shingles(m, &m->it[m->n]) != 0)
		return DW_ENOMEM;
	m->it[m->n].post = p->post;
	m->it[m->n].t = p->t;
	m->it[m->n].account = p->account;
	m->it[m->n].row = (uint32_t)m->n;
	for (int b = 0; b < DW_CIB_MH_BANDS; b++)
		memcpy(m->band[b] + m->n * DW_CIB_MH_ROWS,
		       sig + b * DW_CIB_MH_ROWS, sizeof(uint16_t) * DW_CIB_MH_ROWS);
	m->n++;
	return 0;
}

/*
 * Jaccard of two texts from their kept shingle hashes (sorted): exact when
 * neither was cut, else the bottom-k estimate (the least k hashes of the
 * union, k the smaller sketch, and the share of them in both).
 */
static double jaccard(const uint32_t *x, size_t nx, int xcut,
		      const uint32_t *y, size_t ny, int ycut)
{
	size_t i = 0, j = 0, both = 0, uni = 0, k = SIZE_MAX;

	if (xcut || ycut)
		k = nx < ny ? nx : ny;
	while ((i < nx || j < ny) && uni < k) {
		if (j == ny || (i < nx && x[i] < y[j])) {
			i++;
		} else if (i == nx || y[j] < x[i]) {
			j++;
		} else {
			i++;
			j++;
			both++;
		}
		uni++;
	}
	return uni ? (double)both / (double)uni : 0;
}

static double est(const struct dw_cib_mh *m, const struct item *a,
		  const struct item *b)
{
	return jaccard(m->pool + a->sh, a->nsh, a->cut, m->pool + b->sh,
		       b->nsh, b->cut);
}

double dw_cib_mh_similarity(const struct dw_cib_conf *conf, const char *x,
			    size_t xlen, const char *y, size_t ylen)
{
	struct dw_cib_mh *m = NULL;
	struct dw_cib_text tx = {1, 1, 0, x, xlen}, ty = {2, 1, 0, y, ylen};
	struct dw_cib_conf c = *conf;
	double r = 0;

	c.text_min_len = 0;
	if (dw_cib_mh_new(&c, &m) == 0 && dw_cib_mh_add(m, &tx) == 0 &&
	    dw_cib_mh_add(m, &ty) == 0 && m->n == 2)
		r = est(m, &m->it[0], &m->it[1]);
	dw_cib_mh_free(m);
	return r;
}

static int cmp_post(const void *x, const void *y)
{
	const struct item *a = x, *b = y;

	if (a->post != b->post)
		return a->post < b->post ? -1 : 1;
	return (a->row > b->row) - (a->row < b->row);
}

static uint32_t find(uint32_t *up, uint32_t x)
{
	while (up[x] != x) {
		up[x] = up[up[x]];
		x = up[x];
	}
	return x;
}

#define PREFETCH 8

/*
 * Band b of text i: its ROWS values, read from the band's own array (a
 * band pass reads 6 bytes a text from a small array, not one cache line a
 * text from the whole signature store).
 */
static inline uint64_t band_key(const struct dw_cib_mh *m, uint32_t i, int b)
{
	const uint16_t *v = m->band[b] + (size_t)m->it[i].row * DW_CIB_MH_ROWS;
	uint64_t key = (uint64_t)b;

	for (int r = 0; r < DW_CIB_MH_ROWS; r++)
		key = key << 16 | v[r];
	return key;
}

struct bucket {
	uint64_t key;
	uint32_t first, last; /* first == UINT32_MAX: empty */
};

/* Join i with j if their signatures agree enough. */
static void try_join(const struct dw_cib_mh *m, uint32_t *up, uint32_t i,
		     uint32_t j)
{
	uint32_t ri = find(up, i), rj = find(up, j);

	if (ri == rj)
		return;
	if (est(m, &m->it[i], &m->it[j]) < m->conf.text_jaccard)
		return;
	if (ri < rj)
		up[rj] = ri;
	else
		up[ri] = rj;
}

int dw_cib_mh_cluster(struct dw_cib_mh *m, uint32_t *nclusters)
{
	uint32_t *up = NULL, *size = NULL, *id = NULL, next = 0;
	struct bucket *bk = NULL;
	size_t bcap = 16;
	int rc = DW_ENOMEM;

	*nclusters = 0;
	free(m->out);
	m->out = NULL;
	if (m->n > 1)
		qsort(m->it, m->n, sizeof(*m->it), cmp_post);
	while (bcap < m->n * 2)
		bcap *= 2;
	up = malloc((m->n + 1) * sizeof(*up));
	size = calloc(m->n + 1, sizeof(*size));
	id = calloc(m->n + 1, sizeof(*id));
	bk = malloc(bcap * sizeof(*bk));
	m->out = malloc((m->n + 1) * sizeof(*m->out));
	if (!up || !size || !id || !bk || !m->out)
		goto out;
	for (uint32_t i = 0; i < m->n; i++)
		up[i] = i;
	for (int b = 0; b < DW_CIB_MH_BANDS; b++) {
		for (size_t s = 0; s < bcap; s++)
			bk[s].first = UINT32_MAX;
		for (uint32_t i = 0; i < m->n; i++) {
			uint64_t key = band_key(m, i, b);
			size_t s;
			/* the table is far larger than the cache: ask early */
			if (i + PREFETCH < m->n)
				__builtin_prefetch(
					&bk[(size_t)mix64(band_key(m, i + PREFETCH,
								   b)) &
					    (bcap - 1)]);
			s = (size_t)mix64(key) & (bcap - 1);
			while (bk[s].first != UINT32_MAX && bk[s].key != key)
				s = (s + 1) & (bcap - 1);
			if (bk[s].first == UINT32_MAX) {
				bk[s].key = key;
				bk[s].first = bk[s].last = i;
				continue;
			}
			try_join(m, up, i, bk[s].first);
			if (bk[s].last != bk[s].first)
				try_join(m, up, i, bk[s].last);
			bk[s].last = i;
		}
	}
	for (uint32_t i = 0; i < m->n; i++)
		size[find(up, i)]++;
	for (uint32_t i = 0; i < m->n; i++) {
		uint32_t r = find(up, i);
		m->out[i].post = m->it[i].post;
		m->out[i].t = m->it[i].t;
		m->out[i].account = m->it[i].account;
		m->out[i].cluster = 0;
		if (size[r] < 2)
			continue;
		if (!id[r])
			id[r] = ++next;
		m->out[i].cluster = id[r];
	}
	*nclusters = next;
	rc = 0;
out:
	free(up);
	free(size);
	free(id);
	free(bk);
	return rc;
}

const struct dw_cib_mh_item *dw_cib_mh_items(const struct dw_cib_mh *m,
					     size_t *n)
{
	*n = m->out ? m->n : 0;
	return m->out;
}
