/*
 * fuzz_stream.c - libFuzzer target: the decompression stream (src/mrt/
 * stream.c, bz2par.c) over a memory buffer, first stage of the data flow.
 *
 * Each input is read to its end twice: with threads = 1 (inline engine; bzip2
 * decoded on the caller's thread) and threads = 2 (read-ahead ring; bzip2
 * scanner + two block decoders), with read sizes taken from the last byte so
 * chunk boundaries move (tiny reads only for the first MiB, to stay fast).
 * The two runs must return the same bytes and the same final code (stream.h
 * promises the same output whatever the threads), the end code must stick,
 * and every error code must be one stream.h documents.  The output is
 * checksummed (every byte, CRC-32), not kept.
 *
 * Key decisions: a small input can expand a thousandfold (a gzip bomb is valid
 * input), so reading stops after exactly 1 MiB, or 9 MiB when bit 6 of the
 * last byte is set (enough to reach bz2par's streaming of outputs over 8 MiB);
 * the comparison covers the bytes read.  Without a cap the fuzzer reports
 * slow inputs, not bugs, and spends its time inflating.  Memory must stay bounded whatever the input declares (an xz header
 * can ask for a 4 GiB dictionary): with a sanitizer runtime a malloc hook
 * aborts on any single allocation over ALLOC_CAP, so the replay test catches
 * it too, not only libFuzzer's -malloc_limit_mb.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "darkwatch/err.h"
#include "darkwatch/stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
/* Present only with a sanitizer runtime (ASan, also under libFuzzer). */
int __sanitizer_install_malloc_and_free_hooks(
	void (*malloc_hook)(const volatile void *, size_t),
	void (*free_hook)(const volatile void *)) __attribute__((weak));

#define READ_CAP_BIG (9u << 20) /* past bz2par's 8 MiB per-job output */
#define READ_CAP_SMALL (1u << 20)
#define BUF_MAX 65536
/* No single allocation of the stream may exceed this, whatever the input
 * says (STYLE.md: sizes from the wire are capped before allocation). */
#define ALLOC_CAP ((size_t)256 << 20)

struct run {
	uint64_t total;
	uLong crc; /* zlib's crc32: fast, and chainable across read sizes */
	ssize_t final; /* 0, an error, or 1 when stopped at the cap */
	enum dw_compress comp;
	int opened;
};

static uint8_t buf[BUF_MAX];

static void die(const char *what, ssize_t code)
{
	fprintf(stderr, "fuzz_stream: invariant broken: %s (%zd)\n", what, code);
	abort();
}

static void on_malloc(const volatile void *p, size_t n)
{
	(void)p;
	if (n > ALLOC_CAP) {
		fprintf(stderr,
			"fuzz_stream: invariant broken: allocation of %zu bytes\n",
			n);
		abort();
	}
}

static void on_free(const volatile void *p)
{
	(void)p;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* both hooks must be given, or the runtime ignores the call */
	if (__sanitizer_install_malloc_and_free_hooks &&
	    !__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free)) {
		fprintf(stderr, "fuzz_stream: cannot install the malloc hook\n");
		abort();
	}
	return 0;
}

static int documented(ssize_t rc)
{
	return rc == DW_ETRUNC || rc == DW_ECOMPRESS || rc == DW_ENOMEM ||
	       rc == DW_EFORMAT || (rc < 0 && rc > -4096);
}

static void one(const uint8_t *data, size_t size, int threads, size_t chunk,
		uint64_t cap, struct run *out)
{
	struct dw_stream_conf conf = DW_STREAM_CONF_DEFAULT;
	struct dw_stream *s;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	out->crc = crc32(0L, Z_NULL, 0);
	conf.threads = threads;
	n = dw_stream_open_mem(data, size, &conf, &s);
	if (n < 0) {
		if (!documented(n))
			die("open returned an undocumented code", n);
		out->final = n;
		return;
	}
	out->opened = 1;
	out->comp = dw_stream_compression(s);
	if (dw_stream_file_size(s) != size)
		die("file size differs from the buffer size", 0);
	for (;;) {
		size_t want = out->total < (1u << 20) || chunk > 4096 ? chunk
								    : 4096;
		if (out->total >= cap) {
			out->final = 1;
			break;
		}
		if (want > cap - out->total)
			want = (size_t)(cap - out->total);
		n = dw_stream_read(s, buf, want);
		if (n <= 0) {
			out->final = n;
			break;
		}
		if ((size_t)n > want)
			die("read returned more than asked", n);
		out->total += (uint64_t)n;
		out->crc = crc32(out->crc, buf, (uInt)n);
	}
	if (out->final <= 0) {
		if (out->final < 0 && !documented(out->final))
			die("read returned an undocumented code", out->final);
		/* the end, clean or not, sticks */
		ssize_t again = dw_stream_read(s, buf, chunk);
		if (again != out->final)
			die("read after the end returned something else", again);
	}
	if (dw_stream_file_pos(s) > size)
		die("position past the end of the input", 0);
	dw_stream_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t chunks[8] = {1, 7, 12, 4096, 65536, 300, 19, 1000};
	struct run a, b;
	unsigned k = size ? data[size - 1] : 0;

	uint64_t cap = k & 0x40 ? READ_CAP_BIG : READ_CAP_SMALL;

	one(data, size, 1, chunks[k & 7], cap, &a);
	one(data, size, 2, chunks[(k >> 3) & 7], cap, &b);
	if (a.opened != b.opened || a.comp != b.comp)
		die("threads 1 and 2 disagree on opening", a.final);
	if (a.total != b.total || a.crc != b.crc)
		die("threads 1 and 2 return different bytes",
		    (ssize_t)(a.total - b.total));
	if (a.final != b.final)
		die("threads 1 and 2 end with different codes",
		    a.final * 10000 + b.final);
	return 0;
}
