/*
 * cursor.h - bounded reader over untrusted bytes.
 *
 * Every wire field in darkwatch is read through a cursor: each read checks the
 * bytes left *before* touching memory and advances only on success, so a
 * decoder cannot read out of bounds whatever the input says.  Nested fields get
 * their own sub-cursor (dw_cur_sub), so an inner length can never walk past
 * its container.  All functions are static inline: they sit on the hottest
 * path of MRT decoding.
 */
#ifndef DW_COMMON_CURSOR_H
#define DW_COMMON_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct dw_cur {
	const uint8_t *p;
	size_t left;
};

static inline struct dw_cur dw_cur_make(const uint8_t *p, size_t len)
{
	struct dw_cur c = {p, len};
	return c;
}

static inline size_t dw_cur_left(const struct dw_cur *c) { return c->left; }

static inline int dw_cur_u8(struct dw_cur *c, uint8_t *v)
{
	if (c->left < 1)
		return -1;
	*v = c->p[0];
	c->p++;
	c->left--;
	return 0;
}

static inline int dw_cur_u16(struct dw_cur *c, uint16_t *v)
{
	if (c->left < 2)
		return -1;
	*v = (uint16_t)((c->p[0] << 8) | c->p[1]);
	c->p += 2;
	c->left -= 2;
	return 0;
}

static inline int dw_cur_u32(struct dw_cur *c, uint32_t *v)
{
	if (c->left < 4)
		return -1;
	*v = ((uint32_t)c->p[0] << 24) | ((uint32_t)c->p[1] << 16) |
	     ((uint32_t)c->p[2] << 8) | c->p[3];
	c->p += 4;
	c->left -= 4;
	return 0;
}

/* Copy n bytes out. */
static inline int dw_cur_copy(struct dw_cur *c, void *dst, size_t n)
{
	if (c->left < n)
		return -1;
	if (n)
		memcpy(dst, c->p, n);
	c->p += n;
	c->left -= n;
	return 0;
}

/* Borrow n bytes (a view into the buffer). */
static inline int dw_cur_bytes(struct dw_cur *c, size_t n, const uint8_t **out)
{
	if (c->left < n)
		return -1;
	*out = c->p;
	c->p += n;
	c->left -= n;
	return 0;
}

/* Split off the next n bytes as their own cursor. */
static inline int dw_cur_sub(struct dw_cur *c, size_t n, struct dw_cur *sub)
{
	if (c->left < n)
		return -1;
	sub->p = c->p;
	sub->left = n;
	c->p += n;
	c->left -= n;
	return 0;
}

static inline int dw_cur_skip(struct dw_cur *c, size_t n)
{
	if (c->left < n)
		return -1;
	c->p += n;
	c->left -= n;
	return 0;
}

#endif
