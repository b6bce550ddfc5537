/*
 * out.h - buffered output for the CLI.
 *
 * `mrt dump` writes hundreds of megabytes of text; stdio's per-call locking
 * and printf parsing cost more than decoding.  This buffer takes raw bytes
 * and decimal numbers and hands 256 KiB blocks to write(2).
 */
#ifndef DW_CLI_OUT_H
#define DW_CLI_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "darkwatch/addr.h"

#define DW_OUT_CAP (256u << 10)

struct dw_out {
	int fd;
	int err;          /* first write error (-errno), sticky */
	size_t n;
	char buf[DW_OUT_CAP];
};

void dw_out_init(struct dw_out *o, int fd);
/* Flush the buffer; returns 0 or the sticky error. */
int dw_out_flush(struct dw_out *o);

/* Room for at least n more bytes (flushes when needed; n <= 4096). */
static inline char *dw_out_reserve(struct dw_out *o, size_t n)
{
	if (o->n + n > DW_OUT_CAP)
		dw_out_flush(o);
	return o->buf + o->n;
}

static inline void dw_out_put(struct dw_out *o, const char *s, size_t n)
{
	if (n > DW_OUT_CAP / 2) {
		dw_out_flush(o);
		size_t done = 0;
		while (done < n) {
			size_t k = n - done < DW_OUT_CAP ? n - done : DW_OUT_CAP;
			memcpy(o->buf, s + done, k);
			o->n = k;
			dw_out_flush(o);
			done += k;
		}
		return;
	}
	memcpy(dw_out_reserve(o, n), s, n);
	o->n += n;
}

static inline void dw_out_str(struct dw_out *o, const char *s)
{
	dw_out_put(o, s, strlen(s));
}

static inline void dw_out_ch(struct dw_out *o, char c)
{
	*dw_out_reserve(o, 1) = c;
	o->n++;
}

static inline void dw_out_u32(struct dw_out *o, uint32_t v)
{
	o->n += dw_u32_fmt(v, dw_out_reserve(o, 10));
}

#endif
