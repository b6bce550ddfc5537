/*
 * u64map.h - open-addressing hash map from 64-bit keys to 32-bit values.
 *
 * The routing state keeps one per peer (prefix -> live paths) plus a few
 * global ones, each with up to a million entries that change all the time, so
 * it must be small (12 bytes a slot), never allocate per entry, and delete
 * without tombstones (backward-shift deletion keeps lookups short after heavy
 * churn).  Key 0 is reserved as "empty": callers offset their keys.
 */
#ifndef DW_SIGNAL_U64MAP_H
#define DW_SIGNAL_U64MAP_H

#include <stddef.h>
#include <stdint.h>

struct u64map {
	uint64_t *keys;
	uint32_t *vals;
	size_t cap, n;   /* cap is a power of two (or 0) */
};

/* Value of key, or NULL when absent. */
uint32_t *u64map_get(const struct u64map *m, uint64_t key);
/* Slot for key, inserted with value 0 when absent (*added = 1); NULL on ENOMEM. */
uint32_t *u64map_put(struct u64map *m, uint64_t key, int *added);
/* Remove key; returns 1 if it was there. */
int u64map_del(struct u64map *m, uint64_t key);
void u64map_clear(struct u64map *m);
void u64map_prefetch(const struct u64map *m, uint64_t key);
void u64map_free(struct u64map *m);

/* Iterate: for (size_t i = 0; i < m->cap; i++) if (m->keys[i]) ... */

#endif
