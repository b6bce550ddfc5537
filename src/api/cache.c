/*
 * cache.c - the API's response cache (see cache.h): an open-addressing
 * hash table of owned keys and reference-counted blobs behind one mutex.
 */
#include "api/cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "darkwatch/err.h"

struct entry {
	char *key; /* owned; NULL: empty */
	size_t klen;
	uint64_t h;
	struct dw_api_blob *blob;
};

struct dw_api_cache {
	pthread_mutex_t mu;
	struct entry *tab;
	size_t cap;   /* power of two, >= 2 * max_entries */
	size_t n, bytes, max_entries, max_bytes;
	uint64_t gen;
};

struct dw_api_blob *dw_api_blob_new(const void *data, size_t len)
{
	struct dw_api_blob *b;

	if (len > ((size_t)1 << 40) || !(b = malloc(sizeof(*b) + len + 1)))
		return NULL;
	atomic_init(&b->ref, 1);
	b->len = len;
	b->status = 200;
	b->csv = 0;
	b->total = -1;
	b->type[0] = 0;
	if (len)
		memcpy(b->data, data, len);
	b->data[len] = 0;
	return b;
}

void dw_api_blob_ref(struct dw_api_blob *b)
{
	atomic_fetch_add(&b->ref, 1);
}

void dw_api_blob_unref(struct dw_api_blob *b)
{
	if (b && atomic_fetch_sub(&b->ref, 1) == 1)
		free(b);
}

static uint64_t hash(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	while (n--) {
		h ^= (unsigned char)*p++;
		h *= 0x100000001b3ull;
	}
	return h;
}

int dw_api_cache_new(size_t max_bytes, size_t max_entries,
		     struct dw_api_cache **out)
{
	struct dw_api_cache *c = calloc(1, sizeof(*c));
	size_t cap = 16;

	*out = NULL;
	if (!c)
		return DW_ENOMEM;
	if (max_entries < 1)
		max_entries = 1;
	while (cap < 2 * max_entries)
		cap *= 2;
	if (!(c->tab = calloc(cap, sizeof(*c->tab)))) {
		free(c);
		return DW_ENOMEM;
	}
	pthread_mutex_init(&c->mu, NULL);
	c->cap = cap;
	c->max_entries = max_entries;
	c->max_bytes = max_bytes;
	*out = c;
	return 0;
}

static void clear(struct dw_api_cache *c)
{
	for (size_t i = 0; i < c->cap; i++) {
		if (!c->tab[i].key)
			continue;
		free(c->tab[i].key);
		dw_api_blob_unref(c->tab[i].blob);
		c->tab[i] = (struct entry){0};
	}
	c->n = 0;
	c->bytes = 0;
}

void dw_api_cache_free(struct dw_api_cache *c)
{
	if (!c)
		return;
	clear(c);
	free(c->tab);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

static struct entry *find(struct dw_api_cache *c, const char *key, size_t klen,
			  uint64_t h)
{
	for (size_t i = h & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
		struct entry *e = &c->tab[i];
		if (!e->key || (e->h == h && e->klen == klen &&
				!memcmp(e->key, key, klen)))
			return e;
	}
}

/* Called with the lock held: a newer generation empties the cache. */
static void set_gen(struct dw_api_cache *c, uint64_t gen)
{
	if (gen != c->gen) {
		clear(c);
		c->gen = gen;
	}
}

struct dw_api_blob *dw_api_cache_get(struct dw_api_cache *c, const char *key,
				     size_t klen, uint64_t gen)
{
	struct dw_api_blob *b = NULL;
	uint64_t h = hash(key, klen);

	pthread_mutex_lock(&c->mu);
	if (gen >= c->gen) {
		set_gen(c, gen);
		struct entry *e = find(c, key, klen, h);
		if (e->key) {
			b = e->blob;
			dw_api_blob_ref(b);
		}
	}
	pthread_mutex_unlock(&c->mu);
	return b;
}

void dw_api_cache_put(struct dw_api_cache *c, const char *key, size_t klen,
		      uint64_t gen, struct dw_api_blob *b)
{
	uint64_t h = hash(key, klen);
	char *k;

	if (b->len > c->max_bytes / 4 || !(k = malloc(klen)))
		return;
	memcpy(k, key, klen);
	pthread_mutex_lock(&c->mu);
	if (gen < c->gen) { /* computed before a newer commit: useless */
		pthread_mutex_unlock(&c->mu);
		free(k);
		return;
	}
	set_gen(c, gen);
	if (c->n + 1 > c->max_entries || c->bytes + b->len > c->max_bytes)
		clear(c);
	struct entry *e = find(c, key, klen, h);
	if (e->key) { /* another thread filled it meanwhile: keep theirs */
		free(k);
	} else {
		dw_api_blob_ref(b);
		*e = (struct entry){k, klen, h, b};
		c->n++;
		c->bytes += b->len;
	}
	pthread_mutex_unlock(&c->mu);
}
