/*
 * stream.h - a byte stream over a possibly compressed file.
 *
 * First stage of the data flow: MRT files arrive as gzip, bzip2, xz or plain
 * bytes.  The compression is detected from the first bytes (magic), never from
 * the file name.  Concatenated members (multi-member gzip, multi-stream bzip2 as
 * written by pbzip2/lbzip2) are read as one stream.
 *
 * Decompression runs ahead of the consumer on worker threads (bzip2: independent
 * blocks decoded in parallel; gzip/xz: one read-ahead thread), so decoding and
 * decompression overlap on a multi-core machine.  With conf.threads == 1 no
 * thread is started.
 *
 * Errors: bytes returned before an error are always good decompressed data.  A
 * truncated compressed stream returns all bytes up to the damage, then
 * DW_ETRUNC; corrupt data returns DW_ECOMPRESS.  Memory is bounded by
 * conf.threads * block size, whatever the file size.
 */
#ifndef DARKWATCH_STREAM_H
#define DARKWATCH_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum dw_compress {
	DW_COMP_NONE = 0,
	DW_COMP_GZIP,
	DW_COMP_BZIP2,
	DW_COMP_XZ,
};

struct dw_stream_conf {
	int threads; /* worker threads; 0 = number of online CPUs; 1 = none */
};
#define DW_STREAM_CONF_DEFAULT {0}

struct dw_stream;

/*
 * Open `path` ("-" for standard input).  On success *out is owned by the
 * caller (free with dw_stream_free).  Returns 0, -errno, or DW_EFORMAT.
 */
int dw_stream_open(const char *path, const struct dw_stream_conf *conf,
		   struct dw_stream **out);

/*
 * Open over a memory buffer (fuzzing, tests).  `buf` is borrowed and must
 * outlive the stream.
 */
int dw_stream_open_mem(const void *buf, size_t len,
		       const struct dw_stream_conf *conf, struct dw_stream **out);

/*
 * Copy up to n decompressed bytes into buf.  Returns the count (>0), 0 at the
 * clean end of the stream, or <0: DW_ETRUNC (compressed stream cut short),
 * DW_ECOMPRESS (corrupt), -errno.  After an error every later call returns the
 * same error.
 */
ssize_t dw_stream_read(struct dw_stream *s, void *buf, size_t n);

/* Compression detected at open. */
enum dw_compress dw_stream_compression(const struct dw_stream *s);

/* Name of a compression ("gzip", "bzip2", "xz", "none"). */
const char *dw_compress_name(enum dw_compress c);

/* Total size of the underlying file in bytes, or 0 if unknown (pipe). */
uint64_t dw_stream_file_size(const struct dw_stream *s);

/* Compressed bytes consumed so far (for progress output). */
uint64_t dw_stream_file_pos(const struct dw_stream *s);

/* Close and free; accepts NULL. */
void dw_stream_free(struct dw_stream *s);

#endif
