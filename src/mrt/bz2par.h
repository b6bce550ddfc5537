/*
 * bz2par.h - bzip2 decoding by independent blocks, in parallel.
 *
 * Internal to src/mrt: dw_stream (stream.c) uses it for bzip2 input.  bzip2 is
 * the slowest format darkwatch reads (about 30 MB/s of output on one core), but
 * its blocks are independent: each holds at most 900 kB of data, is located by
 * a 48-bit magic at an arbitrary bit offset and carries its own CRC.  A scanner
 * finds the blocks, wraps each one in a tiny standalone bzip2 stream, and worker
 * threads decode them with libbz2 while the caller consumes earlier output, in
 * file order.  Every byte handed out has passed its block CRC.
 *
 * Key decisions:
 *   - A block's output is delivered only after libbz2 has checked its CRC, so a
 *     corrupt block yields nothing: the output stops at the last good block.
 *   - The block magic can occur by chance inside compressed data.  A false split
 *     makes both halves fail to decode; the consumer then merges the failed piece
 *     with the next one (in order) and decodes again, so the result is the same
 *     as a sequential decoder's.
 *   - Memory is bounded: a fixed ring of 2 * threads + 2 jobs, each holding one
 *     block (<= ~2.3 MB compressed worst case) and up to 8 MiB of its output;
 *     larger outputs (long runs) are streamed through the same buffer.
 */
#ifndef DW_MRT_BZ2PAR_H
#define DW_MRT_BZ2PAR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Reads compressed input: up to n bytes into buf.  Returns the count (>0), 0 at
 * end of input, or -errno.  Called from one thread at a time (the scanner).
 */
typedef ssize_t (*dw_bz2par_read_fn)(void *ctx, void *buf, size_t n);

struct dw_bz2par;

/*
 * Start a decoder over the input delivered by `read(ctx, ...)`, which must
 * begin with a bzip2 stream header ("BZh1".."BZh9").  `threads` >= 2 starts a
 * scanner thread and `threads` decoding threads; 1 decodes on the caller's
 * thread inside dw_bz2par_next.  On success *out is owned by the caller (free
 * with dw_bz2par_free).  Returns 0, DW_EINVAL, DW_ENOMEM or -errno.
 */
int dw_bz2par_new(int threads, dw_bz2par_read_fn read, void *ctx,
		  struct dw_bz2par **out);

/*
 * Next piece of decompressed output, in order.  *p is borrowed until the next
 * call or dw_bz2par_free.  Returns its length (>0), 0 at the clean end of the
 * input, DW_ETRUNC if the input ends inside a stream, DW_ECOMPRESS for corrupt
 * data, DW_ENOMEM or -errno.  After 0 or an error, returns the same again.
 */
ssize_t dw_bz2par_next(struct dw_bz2par *bp, const uint8_t **p);

/* Stop the threads (waiting for a read in progress) and free; accepts NULL. */
void dw_bz2par_free(struct dw_bz2par *bp);

#endif
