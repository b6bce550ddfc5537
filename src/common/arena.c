/*
 * arena.c - per-record bump allocator (see arena.h).
 *
 * One growing block: when an allocation does not fit, the block doubles (up to
 * the cap) at the next reset, and the allocation that did not fit comes from an
 * overflow chunk kept in a list until the reset.  Simple, and after the first
 * few records no malloc happens at all.
 */
#include "common/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct chunk {
	struct chunk *next;
	max_align_t data[];
};

struct dw_arena {
	unsigned char *block;
	size_t size, used, cap, total, want;
	struct chunk *extra;
};

struct dw_arena *dw_arena_new(size_t cap)
{
	struct dw_arena *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->cap = cap;
	a->size = cap < 65536 ? cap : 65536;
	a->block = malloc(a->size);
	if (!a->block) {
		free(a);
		return NULL;
	}
	a->want = a->size;
	return a;
}

void *dw_arena_alloc(struct dw_arena *a, size_t n)
{
	size_t need = (n + 15) & ~(size_t)15;
	if (need < n || a->total + need > a->cap)
		return NULL;
	if (a->used + need <= a->size) {
		void *p = a->block + a->used;
		a->used += need;
		a->total += need;
		return p;
	}
	struct chunk *c = malloc(sizeof(*c) + need);
	if (!c)
		return NULL;
	c->next = a->extra;
	a->extra = c;
	a->total += need;
	if (a->want < a->total)
		a->want = a->total;
	return c->data;
}

void *dw_arena_calloc(struct dw_arena *a, size_t n, size_t size)
{
	size_t bytes;
	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	void *p = dw_arena_alloc(a, bytes);
	if (p)
		memset(p, 0, bytes);
	return p;
}

void dw_arena_reset(struct dw_arena *a)
{
	while (a->extra) {
		struct chunk *n = a->extra->next;
		free(a->extra);
		a->extra = n;
	}
	if (a->want > a->size) {
		size_t ns = a->size;
		while (ns < a->want && ns < a->cap)
			ns *= 2;
		if (ns > a->cap)
			ns = a->cap;
		unsigned char *nb = malloc(ns);
		if (nb) {
			free(a->block);
			a->block = nb;
			a->size = ns;
		}
	}
	a->used = 0;
	a->total = 0;
}

void dw_arena_free(struct dw_arena *a)
{
	if (!a)
		return;
	dw_arena_reset(a);
	free(a->block);
	free(a);
}
