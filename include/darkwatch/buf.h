/*
 * buf.h - growable byte buffer with a hard cap, for building wire data.
 *
 * The encoding side of darkwatch (the MRT writer, the BGP encoders, later the
 * simulator) appends big-endian fields to a buffer and fills in length fields
 * once the bytes they cover are known.  The reading side has its bounded
 * cursor (common/cursor.h); this is its mirror image.
 *
 * Key decisions:
 *  - A hard cap fixed at init: an encoder that would produce more than `max`
 *    bytes fails with DW_ETOOBIG instead of eating memory.  Caps are what the
 *    formats allow (a BGP message is at most 65535 bytes), so a bug or a
 *    hostile spec is caught at the first byte too many.
 *  - A plain struct (a value type, like struct dw_prefix), so a buffer can live
 *    on the stack or inside another struct without a malloc of its own.  The
 *    fields may be read directly; only these functions should change them.
 *  - Appends are all-or-nothing: a failed put leaves the buffer unchanged.
 *  - The put functions are inline: encoders call them for every field of
 *    millions of records; only growth goes out of line.
 *
 * Ownership: `data` is owned by the buffer; it is NULL until the first byte is
 * stored, and may move on any put (do not keep pointers into it across puts;
 * keep offsets).  dw_buf_free() releases it; dw_buf_reset() keeps it.
 */
#ifndef DARKWATCH_BUF_H
#define DARKWATCH_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "darkwatch/err.h"

struct dw_buf {
	uint8_t *data; /* owned; NULL while nothing was ever stored */
	size_t len;    /* bytes in use */
	size_t alloc;  /* bytes allocated at data */
	size_t max;    /* hard cap on len */
};

/* An empty buffer that never holds more than `max` bytes.  Cannot fail. */
void dw_buf_init(struct dw_buf *b, size_t max);

/*
 * Make room for n more bytes.  Returns 0, DW_ETOOBIG (len + n > max) or
 * DW_ENOMEM; the contents are unchanged either way.
 */
int dw_buf_reserve(struct dw_buf *b, size_t n);

/* Forget the contents (len = 0), keep the memory for reuse. */
static inline void dw_buf_reset(struct dw_buf *b) { b->len = 0; }

/* Release the memory; the buffer is empty and usable again (same cap). */
void dw_buf_free(struct dw_buf *b);

/*
 * Cut the contents back to `len` bytes (no effect if len >= b->len).  Used
 * by encoders to undo a half-built structure after an error.
 */
static inline void dw_buf_truncate(struct dw_buf *b, size_t len)
{
	if (len < b->len)
		b->len = len;
}

/* Borrowed view of the contents, valid until the next put/free. */
static inline const uint8_t *dw_buf_data(const struct dw_buf *b)
{
	return b->data;
}
static inline size_t dw_buf_len(const struct dw_buf *b) { return b->len; }

static inline int dw_buf_room(struct dw_buf *b, size_t n)
{
	if (b->alloc - b->len >= n) /* alloc >= len always */
		return 0;
	return dw_buf_reserve(b, n);
}

/* Appenders (network byte order).  Return 0, DW_ETOOBIG or DW_ENOMEM. */
static inline int dw_buf_put_u8(struct dw_buf *b, uint8_t v)
{
	int rc = dw_buf_room(b, 1);
	if (rc)
		return rc;
	b->data[b->len++] = v;
	return 0;
}

static inline int dw_buf_put_u16(struct dw_buf *b, uint16_t v)
{
	int rc = dw_buf_room(b, 2);
	if (rc)
		return rc;
	b->data[b->len] = (uint8_t)(v >> 8);
	b->data[b->len + 1] = (uint8_t)v;
	b->len += 2;
	return 0;
}

static inline int dw_buf_put_u32(struct dw_buf *b, uint32_t v)
{
	int rc = dw_buf_room(b, 4);
	if (rc)
		return rc;
	b->data[b->len] = (uint8_t)(v >> 24);
	b->data[b->len + 1] = (uint8_t)(v >> 16);
	b->data[b->len + 2] = (uint8_t)(v >> 8);
	b->data[b->len + 3] = (uint8_t)v;
	b->len += 4;
	return 0;
}

/* Append n bytes from p (p may be NULL when n == 0). */
static inline int dw_buf_put_bytes(struct dw_buf *b, const void *p, size_t n)
{
	int rc;
	if (n == 0)
		return 0;
	rc = dw_buf_room(b, n);
	if (rc)
		return rc;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

/* Append n zero bytes (placeholders for lengths patched later). */
int dw_buf_put_zero(struct dw_buf *b, size_t n);

/*
 * Overwrite 2 or 4 bytes at `off` (network order), typically a length field
 * reserved earlier.  Returns 0, or DW_EINVAL when the field is not entirely
 * inside the current contents.
 */
int dw_buf_patch_u16(struct dw_buf *b, size_t off, uint16_t v);
int dw_buf_patch_u32(struct dw_buf *b, size_t off, uint32_t v);

#endif
