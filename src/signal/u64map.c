/*
 * u64map.c - open-addressing hash map (see u64map.h).
 *
 * Linear probing at a load factor of at most 1/2 with a strong 64-bit mixer;
 * deletion shifts the following cluster back instead of leaving tombstones.
 */
#include "signal/u64map.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE (2u << 20)

/* Zeroed array; 2 MiB pages for big ones (fewer TLB misses on random probes). */
static void *zalloc(size_t bytes)
{
	if (bytes < 2 * HUGE)
		return calloc(1, bytes);
	size_t r = (bytes + HUGE - 1) & ~(size_t)(HUGE - 1);
	void *p = aligned_alloc(HUGE, r);
	if (!p)
		return NULL;
	madvise(p, r, MADV_HUGEPAGE);
	memset(p, 0, bytes);
	return p;
}


static inline size_t slot(uint64_t k, size_t cap)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ull;
	k ^= k >> 33;
	return (size_t)k & (cap - 1);
}

uint32_t *u64map_get(const struct u64map *m, uint64_t key)
{
	if (!m->cap)
		return NULL;
	for (size_t i = slot(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == key)
			return &m->vals[i];
		if (!m->keys[i])
			return NULL;
	}
}

static int grow(struct u64map *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64;
	uint64_t *nk = zalloc(ncap * sizeof(*nk));
	uint32_t *nv = zalloc(ncap * sizeof(*nv));
	if (!nk || !nv) {
		free(nk);
		free(nv);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		size_t j = slot(m->keys[i], ncap);
		while (nk[j])
			j = (j + 1) & (ncap - 1);
		nk[j] = m->keys[i];
		nv[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = nk;
	m->vals = nv;
	m->cap = ncap;
	return 0;
}

uint32_t *u64map_put(struct u64map *m, uint64_t key, int *added)
{
	*added = 0;
	if ((m->n + 1) * 2 > m->cap && grow(m))
		return NULL;
	size_t i = slot(key, m->cap);
	while (m->keys[i]) {
		if (m->keys[i] == key)
			return &m->vals[i];
		i = (i + 1) & (m->cap - 1);
	}
	m->keys[i] = key;
	m->vals[i] = 0;
	m->n++;
	*added = 1;
	return &m->vals[i];
}

int u64map_del(struct u64map *m, uint64_t key)
{
	if (!m->cap)
		return 0;
	size_t mask = m->cap - 1, i = slot(key, m->cap);
	while (m->keys[i] != key) {
		if (!m->keys[i])
			return 0;
		i = (i + 1) & mask;
	}
	/* backward shift: move later members of the cluster into the hole */
	size_t j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (!m->keys[j])
			break;
		size_t home = slot(m->keys[j], m->cap);
		/* can the entry at j move to i? only if home is not in (i, j] */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			m->keys[i] = m->keys[j];
			m->vals[i] = m->vals[j];
			i = j;
		}
	}
	m->keys[i] = 0;
	m->n--;
	return 1;
}

void u64map_clear(struct u64map *m)
{
	if (m->cap)
		memset(m->keys, 0, m->cap * sizeof(*m->keys));
	m->n = 0;
}

void u64map_free(struct u64map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

void u64map_prefetch(const struct u64map *m, uint64_t key)
{
	if (!m->cap)
		return;
	size_t i = slot(key, m->cap);
	__builtin_prefetch(&m->keys[i], 1);
	__builtin_prefetch(&m->vals[i], 1);
}
