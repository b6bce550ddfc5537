/*
 * arena.h - per-record bump allocator.
 *
 * Decoders need small arrays whose size the input decides (AS path segments,
 * RIB entries).  Allocating them with malloc per record would dominate the
 * decode time, so they come from an arena that the reader resets after each
 * record.  Chunks are kept across resets; total size is capped so a hostile
 * input cannot make the arena grow without bound.
 */
#ifndef DW_COMMON_ARENA_H
#define DW_COMMON_ARENA_H

#include <stddef.h>

struct dw_arena;

/* New arena that never holds more than `cap` bytes.  NULL on ENOMEM. */
struct dw_arena *dw_arena_new(size_t cap);
/* Aligned (16) allocation; NULL when over the cap or out of memory. */
void *dw_arena_alloc(struct dw_arena *a, size_t n);
/* n * size with overflow check. */
void *dw_arena_calloc(struct dw_arena *a, size_t n, size_t size);
/* Forget every allocation; keeps the memory. */
void dw_arena_reset(struct dw_arena *a);
void dw_arena_free(struct dw_arena *a);

#endif
