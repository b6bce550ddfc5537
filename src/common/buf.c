/*
 * buf.c - growable capped byte buffer (see darkwatch/buf.h).
 *
 * Only the slow paths live here: growth and the range-checked patches.  Growth
 * doubles (amortised O(1) appends) but never allocates past the cap, so a
 * buffer capped at 64 KiB never holds a 128 KiB block.
 */
#include "darkwatch/buf.h"

#include <stdlib.h>

#define MIN_ALLOC 256

void dw_buf_init(struct dw_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->max = max;
}

int dw_buf_reserve(struct dw_buf *b, size_t n)
{
	size_t need, want;
	uint8_t *p;

	if (__builtin_add_overflow(b->len, n, &need) || need > b->max)
		return DW_ETOOBIG;
	if (need <= b->alloc)
		return 0;
	if (__builtin_mul_overflow(b->alloc, (size_t)2, &want))
		want = b->max;
	if (want < MIN_ALLOC)
		want = MIN_ALLOC;
	if (want < need)
		want = need;
	if (want > b->max)
		want = b->max;
	p = realloc(b->data, want);
	if (!p)
		return DW_ENOMEM;
	b->data = p;
	b->alloc = want;
	return 0;
}

void dw_buf_free(struct dw_buf *b)
{
	free(b->data);
	dw_buf_init(b, b->max);
}

int dw_buf_put_zero(struct dw_buf *b, size_t n)
{
	int rc;

	if (n == 0)
		return 0;
	rc = dw_buf_room(b, n);
	if (rc)
		return rc;
	memset(b->data + b->len, 0, n);
	b->len += n;
	return 0;
}

static int span_ok(const struct dw_buf *b, size_t off, size_t n)
{
	size_t end;

	return !__builtin_add_overflow(off, n, &end) && end <= b->len;
}

int dw_buf_patch_u16(struct dw_buf *b, size_t off, uint16_t v)
{
	if (!span_ok(b, off, 2))
		return DW_EINVAL;
	b->data[off] = (uint8_t)(v >> 8);
	b->data[off + 1] = (uint8_t)v;
	return 0;
}

int dw_buf_patch_u32(struct dw_buf *b, size_t off, uint32_t v)
{
	if (!span_ok(b, off, 4))
		return DW_EINVAL;
	b->data[off] = (uint8_t)(v >> 24);
	b->data[off + 1] = (uint8_t)(v >> 16);
	b->data[off + 2] = (uint8_t)(v >> 8);
	b->data[off + 3] = (uint8_t)v;
	return 0;
}
