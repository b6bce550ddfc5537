/*
 * test_stream.c - unit tests for the decompression stream (stream.h).
 *
 * The stream is the first stage of every MRT job, so its contract is tested
 * against independent decoders: inputs are compressed in-process with zlib,
 * libbz2 and liblzma, and expected outputs come from the generated data, from
 * a plain sequential libbz2/zlib decode, or from the `gzip`/`bzip2` tools run
 * on the shared sample files ($DW_SHARED, default ../shared).  Every case runs
 * with threads = 1 (inline) and with worker threads, which must agree byte for
 * byte, including how much is delivered before DW_ETRUNC / DW_ECOMPRESS.
 *
 * Exit status 0 when every check passes; each failed check prints both sides.
 * Longer than the house ~800 lines: one test file per module, and the
 * compressors and reference decoders at the top serve every case.
 */
#include "darkwatch/err.h"
#include "darkwatch/stream.h"

#include <bzlib.h>
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

struct buf {
	uint8_t *p;
	size_t len, cap;
};

struct result {
	struct buf out;
	int err; /* 0 clean end or the stream's error */
};

static int failures;
static char tmpdir[64];

#define CHECK_INT(a, b) check_int(__FILE__, __LINE__, #a, #b, (long long)(a), (long long)(b))
#define CHECK(c) check_int(__FILE__, __LINE__, #c, "true", !!(c), 1)

static int check_int(const char *file, int line, const char *ea, const char *eb,
		     long long a, long long b)
{
	if (a == b)
		return 1;
	failures++;
	fprintf(stderr, "%s:%d: CHECK %s == %s failed: %lld != %lld\n", file,
		line, ea, eb, a, b);
	return 0;
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* ---- helpers ------------------------------------------------------------- */

static void buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *np;
		while (cap < b->len + n)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np) {
			perror("realloc");
			exit(2);
		}
		b->p = np;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* MRT-like bytes: records of random fields, repeated prefixes, runs, text. */
static void gen_data(struct buf *b, size_t n, uint64_t seed)
{
	static const char text[] = "AS_PATH 3356 1299 2914 NEXT_HOP 192.0.2.1 ";
	uint64_t s = seed | 1;
	uint8_t rec[512];

	while (b->len < n) {
		uint64_t r = rnd(&s);
		size_t len = 16 + r % 300, i;
		for (i = 0; i < len; i++) {
			uint64_t kind = (r >> 20) % 4;
			if (kind == 0)
				rec[i] = (uint8_t)rnd(&s);
			else if (kind == 1)
				rec[i] = (uint8_t)text[i % (sizeof text - 1)];
			else if (kind == 2)
				rec[i] = i < 40 ? 0xff : (uint8_t)(i * 7);
			else
				rec[i] = (uint8_t)(i % 64 < 50 ? 0 : rnd(&s) % 4);
		}
		buf_add(b, rec, len < n - b->len ? len : n - b->len);
	}
}

static void gz_compress(const uint8_t *in, size_t n, struct buf *out)
{
	z_stream z = {0};
	uint8_t tmp[65536];
	int rc;

	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		exit(2);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	do {
		z.next_out = tmp;
		z.avail_out = sizeof tmp;
		rc = deflate(&z, Z_FINISH);
		buf_add(out, tmp, sizeof tmp - z.avail_out);
	} while (rc == Z_OK);
	deflateEnd(&z);
	if (rc != Z_STREAM_END)
		exit(2);
}

static void bz_compress(const uint8_t *in, size_t n, int level, struct buf *out)
{
	unsigned int dlen = (unsigned int)(n + n / 50 + 1024);
	uint8_t *d = malloc(dlen);

	if (!d || BZ2_bzBuffToBuffCompress((char *)d, &dlen,
					   (char *)(uintptr_t)in, (unsigned)n,
					   level, 0, 0) != BZ_OK)
		exit(2);
	buf_add(out, d, dlen);
	free(d);
}

static void xz_compress(const uint8_t *in, size_t n, struct buf *out)
{
	size_t cap = lzma_stream_buffer_bound(n), pos = 0;
	uint8_t *d = malloc(cap);

	if (!d || lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, in, n, d,
					  &pos, cap) != LZMA_OK)
		exit(2);
	buf_add(out, d, pos);
	free(d);
}

/* Plain sequential libbz2 decode, multi-stream; stops at the first error. */
static void bz_seq(const uint8_t *in, size_t n, struct buf *out)
{
	bz_stream bz;
	uint8_t tmp[65536];
	size_t off = 0;

	while (off + 4 <= n && !memcmp(in + off, "BZh", 3)) {
		int rc;
		memset(&bz, 0, sizeof bz);
		BZ2_bzDecompressInit(&bz, 0, 0);
		bz.next_in = (char *)(uintptr_t)(in + off);
		bz.avail_in = (unsigned)(n - off);
		do {
			bz.next_out = (char *)tmp;
			bz.avail_out = sizeof tmp;
			rc = BZ2_bzDecompress(&bz);
			buf_add(out, tmp, sizeof tmp - bz.avail_out);
		} while (rc == BZ_OK && (bz.avail_in || !bz.avail_out));
		off = n - bz.avail_in;
		BZ2_bzDecompressEnd(&bz);
		if (rc != BZ_STREAM_END)
			return;
	}
}

static int read_stream(struct dw_stream *s, size_t chunk, struct result *r)
{
	uint8_t *b = malloc(chunk);
	ssize_t n;

	if (!b)
		exit(2);
	while ((n = dw_stream_read(s, b, chunk)) > 0)
		buf_add(&r->out, b, (size_t)n);
	r->err = (int)n;
	/* Errors and the end stick. */
	CHECK_INT(dw_stream_read(s, b, chunk), n);
	free(b);
	return r->err;
}

static int decode_mem(const struct buf *in, int threads, size_t chunk,
		      struct result *r)
{
	struct dw_stream_conf conf = {.threads = threads};
	struct dw_stream *s;
	int rc = dw_stream_open_mem(in->p, in->len, &conf, &s);

	memset(r, 0, sizeof *r);
	if (!CHECK_INT(rc, 0))
		return rc;
	read_stream(s, chunk, r);
	dw_stream_free(s);
	return r->err;
}

static int decode_path(const char *path, int threads, size_t chunk,
		       struct result *r, enum dw_compress *comp)
{
	struct dw_stream_conf conf = {.threads = threads};
	struct dw_stream *s;
	int rc = dw_stream_open(path, &conf, &s);

	memset(r, 0, sizeof *r);
	if (!CHECK_INT(rc, 0))
		return rc;
	if (comp)
		*comp = dw_stream_compression(s);
	read_stream(s, chunk, r);
	if (r->err == 0 && dw_stream_file_size(s))
		CHECK_INT(dw_stream_file_pos(s), dw_stream_file_size(s));
	dw_stream_free(s);
	return r->err;
}

static void write_file(const char *path, const struct buf *b)
{
	FILE *f = fopen(path, "wb");

	if (!f || (b->len && fwrite(b->p, 1, b->len, f) != b->len) || fclose(f)) {
		perror(path);
		exit(2);
	}
}

static void tmp_path(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", tmpdir, name);
}

/* Checks that got == want byte for byte; prints where they part. */
static int same_bytes(const char *what, const struct buf *got,
		      const struct buf *want)
{
	size_t i, n = got->len < want->len ? got->len : want->len;

	for (i = 0; i < n && got->p[i] == want->p[i]; i++)
		;
	if (i == n && got->len == want->len)
		return 1;
	failures++;
	fprintf(stderr, "%s: output differs at byte %zu (got %zu bytes, want %zu)\n",
		what, i, got->len, want->len);
	return 0;
}

/* got must be a prefix of want. */
static int is_prefix(const char *what, const struct buf *got,
		     const struct buf *want)
{
	struct buf head = *want;

	if (got->len > want->len) {
		failures++;
		fprintf(stderr, "%s: got %zu bytes, more than the %zu expected\n",
			what, got->len, want->len);
		return 0;
	}
	head.len = got->len;
	return same_bytes(what, got, &head);
}

static const int thread_cases[] = {1, 2, 4};
#define NTHREADS (sizeof thread_cases / sizeof thread_cases[0])

/* ---- tests --------------------------------------------------------------- */

static void test_formats(void)
{
	struct buf data = {0}, gz = {0}, bz = {0}, xz = {0};
	struct {
		const char *name;
		const struct buf *in;
		enum dw_compress comp;
	} cases[] = {
		{"plain", &data, DW_COMP_NONE},
		{"gzip", &gz, DW_COMP_GZIP},
		{"bzip2", &bz, DW_COMP_BZIP2},
		{"xz", &xz, DW_COMP_XZ},
	};
	static const size_t chunks[] = {7, 65536, 3u << 20};

	gen_data(&data, 2500000, 1);
	gz_compress(data.p, data.len, &gz);
	bz_compress(data.p, data.len, 1, &bz);
	xz_compress(data.p, data.len, &xz);
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		char path[128], what[128];
		tmp_path(path, sizeof path, cases[c].name);
		write_file(path, cases[c].in);
		for (size_t t = 0; t < NTHREADS; t++) {
			struct result r;
			enum dw_compress comp = DW_COMP_NONE;
			size_t chunk = chunks[(c + t) % 3];
			snprintf(what, sizeof what, "%s threads=%d chunk=%zu",
				 cases[c].name, thread_cases[t], chunk);
			CHECK_INT(decode_path(path, thread_cases[t], chunk, &r, &comp), 0);
			CHECK_INT(comp, cases[c].comp);
			same_bytes(what, &r.out, &data);
			buf_free(&r.out);
			CHECK_INT(decode_mem(cases[c].in, thread_cases[t], chunk, &r), 0);
			same_bytes(what, &r.out, &data);
			buf_free(&r.out);
		}
	}
	buf_free(&data);
	buf_free(&gz);
	buf_free(&bz);
	buf_free(&xz);
}

/* Concatenated members / streams read as one; trailing junk is ignored. */
static void test_concat(void)
{
	struct buf a = {0}, b = {0}, ab = {0}, gz = {0}, bz = {0}, xz = {0};
	struct result r;

	gen_data(&a, 300000, 2);
	gen_data(&b, 700000, 3);
	buf_add(&ab, a.p, a.len);
	buf_add(&ab, b.p, b.len);
	gz_compress(a.p, a.len, &gz);
	gz_compress(b.p, b.len, &gz);
	buf_add(&gz, "\0\0\0\0", 4); /* tape padding, as gzip accepts */
	bz_compress(a.p, a.len, 9, &bz);
	bz_compress(a.p, 0, 9, &bz); /* an empty stream in between */
	bz_compress(b.p, b.len, 1, &bz);
	xz_compress(a.p, a.len, &xz);
	xz_compress(b.p, b.len, &xz);
	for (size_t t = 0; t < NTHREADS; t++) {
		CHECK_INT(decode_mem(&gz, thread_cases[t], 4096, &r), 0);
		same_bytes("multi-member gzip", &r.out, &ab);
		buf_free(&r.out);
		CHECK_INT(decode_mem(&bz, thread_cases[t], 4096, &r), 0);
		same_bytes("multi-stream bzip2", &r.out, &ab);
		buf_free(&r.out);
		CHECK_INT(decode_mem(&xz, thread_cases[t], 4096, &r), 0);
		same_bytes("multi-stream xz", &r.out, &ab);
		buf_free(&r.out);
	}
	/* pbzip2 style: many small streams. */
	buf_free(&bz);
	for (size_t off = 0; off < ab.len; off += 40000)
		bz_compress(ab.p + off, ab.len - off < 40000 ? ab.len - off : 40000,
			    9, &bz);
	CHECK_INT(decode_mem(&bz, 4, 65536, &r), 0);
	same_bytes("40 kB bzip2 streams", &r.out, &ab);
	buf_free(&r.out);
	buf_free(&a);
	buf_free(&b);
	buf_free(&ab);
	buf_free(&gz);
	buf_free(&bz);
	buf_free(&xz);
}

/* A cut file yields a prefix of the data, then DW_ETRUNC. */
static void test_truncated(void)
{
	struct buf data = {0}, gz = {0}, bz = {0}, xz = {0};
	const struct buf *ins[] = {&gz, &bz, &xz};
	static const char *names[] = {"gzip", "bzip2", "xz"};

	gen_data(&data, 1500000, 4);
	gz_compress(data.p, data.len, &gz);
	bz_compress(data.p, data.len, 1, &bz);
	xz_compress(data.p, data.len, &xz);
	for (size_t f = 0; f < 3; f++) {
		size_t full = ins[f]->len;
		/* 3 bytes: gzip/bzip2 magic; xz's is 6 bytes (shorter = plain). */
		size_t cuts[] = {full / 10, full / 2, full - 100, full - 5, full - 1,
				 f == 2 ? 8 : 3};
		for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
			struct buf cut = *ins[f], seq = {0};
			struct result r1, r4;
			char what[96];
			cut.len = cuts[c];
			snprintf(what, sizeof what, "%s cut at %zu/%zu", names[f],
				 cut.len, full);
			CHECK_INT(decode_mem(&cut, 1, 65536, &r1), DW_ETRUNC);
			CHECK_INT(decode_mem(&cut, 4, 65536, &r4), DW_ETRUNC);
			is_prefix(what, &r1.out, &data);
			same_bytes(what, &r4.out, &r1.out);
			if (f == 1) { /* as much as sequential libbz2 delivers */
				bz_seq(cut.p, cut.len, &seq);
				same_bytes(what, &r1.out, &seq);
			}
			if (c == 1 && f != 1) /* gzip/xz stream data out */
				CHECK(r1.out.len > data.len / 4);
			buf_free(&seq);
			buf_free(&r1.out);
			buf_free(&r4.out);
		}
	}
	buf_free(&data);
	buf_free(&gz);
	buf_free(&bz);
	buf_free(&xz);
}

/* A damaged byte: good data first, then DW_ECOMPRESS. */
static void test_corrupt(void)
{
	struct buf data = {0}, gz = {0}, bz = {0}, xz = {0};
	struct result r1, r4;

	gen_data(&data, 3000000, 5);
	bz_compress(data.p, data.len, 1, &bz);
	/* Several places: block data, and near block boundaries. */
	for (size_t at = bz.len / 3; at < bz.len * 2 / 3; at += bz.len / 17) {
		struct buf bad = {0}, seq = {0}, cut;
		char what[64];
		buf_add(&bad, bz.p, bz.len);
		bad.p[at] ^= 0x55;
		snprintf(what, sizeof what, "bzip2 damaged at %zu", at);
		CHECK_INT(decode_mem(&bad, 1, 65536, &r1), DW_ECOMPRESS);
		CHECK_INT(decode_mem(&bad, 4, 65536, &r4), DW_ECOMPRESS);
		/* Exactly the blocks before the damage: what a sequential
		 * decoder gives for the file cut just before it. */
		cut = bad;
		cut.len = at;
		bz_seq(cut.p, cut.len, &seq);
		same_bytes(what, &r1.out, &seq);
		same_bytes(what, &r4.out, &r1.out);
		CHECK(r1.out.len > 0 && r1.out.len < data.len);
		buf_free(&seq);
		buf_free(&bad);
		buf_free(&r1.out);
		buf_free(&r4.out);
	}
	gz_compress(data.p, data.len, &gz);
	gz.p[gz.len / 2] ^= 0x55;
	xz_compress(data.p, data.len, &xz);
	xz.p[xz.len / 2] ^= 0x55;
	CHECK_INT(decode_mem(&gz, 1, 65536, &r1), DW_ECOMPRESS);
	CHECK_INT(decode_mem(&gz, 2, 65536, &r4), DW_ECOMPRESS);
	same_bytes("damaged gzip t1/t2", &r4.out, &r1.out);
	CHECK(r1.out.len > 1000 && !memcmp(r1.out.p, data.p, 1000));
	buf_free(&r1.out);
	buf_free(&r4.out);
	CHECK_INT(decode_mem(&xz, 1, 65536, &r1), DW_ECOMPRESS);
	CHECK_INT(decode_mem(&xz, 2, 65536, &r4), DW_ECOMPRESS);
	same_bytes("damaged xz t1/t2", &r4.out, &r1.out);
	/* gzip and xz stream data out before their checks can fail: only the
	 * part before the damage is known good. */
	CHECK(r1.out.len > 1000 && !memcmp(r1.out.p, data.p, 1000));
	buf_free(&r1.out);
	buf_free(&r4.out);
	buf_free(&data);
	buf_free(&gz);
	buf_free(&bz);
	buf_free(&xz);
}

/* Many blocks decoded in parallel equal the sequential decode. */
static void test_many_blocks(void)
{
	struct buf data = {0}, bz = {0}, seq = {0};
	struct result r;
	char path[128];

	gen_data(&data, 12u << 20, 6);
	for (int level = 1; level <= 9; level += 8) {
		bz.len = 0;
		seq.len = 0;
		bz_compress(data.p, data.len, level, &bz);
		bz_seq(bz.p, bz.len, &seq);
		same_bytes("libbz2 sequential", &seq, &data);
		tmp_path(path, sizeof path, "many.bz2");
		write_file(path, &bz);
		for (size_t t = 0; t < NTHREADS; t++) {
			CHECK_INT(decode_path(path, thread_cases[t], 1 << 20, &r, NULL), 0);
			same_bytes("many blocks", &r.out, &seq);
			buf_free(&r.out);
		}
	}
	buf_free(&data);
	buf_free(&bz);
	buf_free(&seq);
}

/* Long runs expand past the per-block output cap: streamed, still right. */
static void test_runs(void)
{
	struct buf data = {0}, bz = {0};
	struct result r;
	uint8_t zeros[65536] = {0};

	for (int i = 0; i < 400; i++) /* 26 MB of zeros */
		buf_add(&data, zeros, sizeof zeros);
	buf_add(&data, "end", 3);
	bz_compress(data.p, data.len, 9, &bz);
	for (size_t t = 0; t < NTHREADS; t++) {
		CHECK_INT(decode_mem(&bz, thread_cases[t], 1 << 20, &r), 0);
		same_bytes("long runs", &r.out, &data);
		buf_free(&r.out);
	}
	buf_free(&data);
	buf_free(&bz);
}

/* Read an xz/LZMA2 multibyte integer at *off; -1 if malformed. */
static long long xz_varint(const struct buf *b, size_t *off)
{
	long long v = 0;

	for (int shift = 0; shift < 63 && *off < b->len; shift += 7) {
		uint8_t c = b->p[(*off)++];
		v |= (long long)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
	}
	return -1;
}

/* An xz header asking for a 4 GiB dictionary is refused, not allocated. */
static void test_xz_memlimit(void)
{
	struct buf data = {0}, xz = {0};
	struct result r;
	size_t off = 14, hsize;
	uint32_t crc;

	gen_data(&data, 100000, 9);
	xz_compress(data.p, data.len, &xz);
	/* Block header after the 12-byte stream header: size, flags, optional
	 * sizes, then the LZMA2 filter (id 0x21, 1 property byte). */
	hsize = ((size_t)xz.p[12] + 1) * 4;
	if (xz.p[13] & 0x40)
		xz_varint(&xz, &off);
	if (xz.p[13] & 0x80)
		xz_varint(&xz, &off);
	CHECK_INT(xz_varint(&xz, &off), 0x21);
	CHECK_INT(xz_varint(&xz, &off), 1);
	xz.p[off] = 40; /* dictionary size 4 GiB - 1 */
	crc = (uint32_t)crc32(0, xz.p + 12, (uInt)(hsize - 4));
	for (int i = 0; i < 4; i++)
		xz.p[12 + hsize - 4 + i] = (uint8_t)(crc >> (8 * i));
	CHECK_INT(decode_mem(&xz, 1, 4096, &r), DW_ENOMEM);
	CHECK_INT(r.out.len, 0);
	buf_free(&r.out);
	CHECK_INT(decode_mem(&xz, 2, 4096, &r), DW_ENOMEM);
	buf_free(&r.out);
	buf_free(&data);
	buf_free(&xz);
}

/* Run argv[0] with argv, collecting its stdout; returns its exit status. */
static int run_tool(char *const argv[], struct buf *out)
{
	int fds[2], status;
	uint8_t tmp[65536];
	ssize_t n;
	pid_t pid;

	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		dup2(fds[1], STDOUT_FILENO);
		if (devnull >= 0)
			dup2(devnull, STDERR_FILENO);
		close(fds[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], tmp, sizeof tmp)) > 0)
		buf_add(out, tmp, (size_t)n);
	close(fds[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void test_shared_file(const char *shared, const char *rel, int cut)
{
	char path[512];
	struct buf tool = {0}, raw = {0}, seq = {0};
	char *argv[] = {NULL, "-dc", path, NULL};
	int st, bzip = strstr(rel, ".bz2") != NULL;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", shared, rel);
	f = fopen(path, "rb");
	if (!f) {
		note("skip: %s not found\n", path);
		return;
	}
	for (int c; (c = fgetc(f)) != EOF;) {
		uint8_t byte = (uint8_t)c;
		buf_add(&raw, &byte, 1);
	}
	fclose(f);
	argv[0] = bzip ? "bzip2" : "gzip";
	st = run_tool(argv, &tool);
	if (st == 127 || st < 0) {
		note("skip: %s not runnable\n", argv[0]);
		goto out;
	}
	for (int t = 0; t <= 2; t++) {
		struct result r;
		CHECK_INT(decode_path(path, t, 65536, &r, NULL), cut ? DW_ETRUNC : 0);
		if (cut) { /* bzip2 writes in 5000-byte pieces: a prefix */
			is_prefix(rel, &tool, &r.out);
			bz_seq(raw.p, raw.len, &seq);
			same_bytes(rel, &r.out, &seq);
			seq.len = 0;
		} else {
			CHECK_INT(st, 0);
			same_bytes(rel, &r.out, &tool);
		}
		buf_free(&r.out);
	}
out:
	buf_free(&tool);
	buf_free(&raw);
	buf_free(&seq);
}

static void test_shared(void)
{
	const char *shared = getenv("DW_SHARED");
	char dir[512];

	if (!shared)
		shared = "../shared";
	snprintf(dir, sizeof dir, "%s/data/mrt", shared);
	test_shared_file(dir, "pyasn/rib.20140523.0600_firstMB.bz2", 1);
	test_shared_file(dir, "pyasn/rib6.20151101.0600_firstMB.bz2", 1);
	test_shared_file(dir, "pyasn/bview.20140112.1600_3samples.bz2", 0);
	test_shared_file(dir, "libbgpstream/routeviews.route-views.jinx.updates.1427846400.bz2", 0);
	test_shared_file(dir, "bgpdump/updates.20070211.0141.gz", 0);
	test_shared_file(dir, "bgpdump/bview.20020722.2337.gz", 0);
}

/* Standard input through a pipe (no size, polled reads). */
static void test_stdin(void)
{
	struct buf data = {0}, bz = {0};
	struct result r = {0};
	int fds[2], saved = dup(STDIN_FILENO);
	pid_t pid;

	gen_data(&data, 400000, 7);
	bz_compress(data.p, data.len, 1, &bz);
	if (saved < 0 || pipe(fds) < 0)
		exit(2);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		for (size_t off = 0; off < bz.len;) {
			ssize_t n = write(fds[1], bz.p + off, bz.len - off);
			if (n <= 0)
				_exit(1);
			off += (size_t)n;
		}
		_exit(0);
	}
	close(fds[1]);
	dup2(fds[0], STDIN_FILENO);
	close(fds[0]);
	{
		struct dw_stream_conf conf = {.threads = 2};
		struct dw_stream *s;
		if (CHECK_INT(dw_stream_open("-", &conf, &s), 0)) {
			CHECK_INT(dw_stream_file_size(s), 0);
			CHECK_INT(read_stream(s, 10000, &r), 0);
			same_bytes("stdin", &r.out, &data);
			CHECK_INT(dw_stream_file_pos(s), bz.len);
			dw_stream_free(s);
		}
	}
	waitpid(pid, NULL, 0);
	dup2(saved, STDIN_FILENO);
	close(saved);
	buf_free(&r.out);
	buf_free(&data);
	buf_free(&bz);
}

/* Freed early, or while a worker waits on a silent pipe: no hang, no leak. */
static void test_early_free(void)
{
	struct buf data = {0}, bz = {0}, gz = {0};
	struct dw_stream_conf conf = {.threads = 4};
	struct dw_stream *s;
	uint8_t b[1000];
	int fds[2], saved = dup(STDIN_FILENO);

	gen_data(&data, 5000000, 8);
	bz_compress(data.p, data.len, 1, &bz);
	gz_compress(data.p, data.len, &gz);
	if (CHECK_INT(dw_stream_open_mem(bz.p, bz.len, &conf, &s), 0)) {
		CHECK_INT(dw_stream_read(s, b, sizeof b), sizeof b);
		dw_stream_free(s);
	}
	if (CHECK_INT(dw_stream_open_mem(gz.p, gz.len, &conf, &s), 0)) {
		CHECK_INT(dw_stream_read(s, b, sizeof b), sizeof b);
		dw_stream_free(s);
	}
	if (saved < 0 || pipe(fds) < 0)
		exit(2);
	CHECK_INT(write(fds[1], gz.p, 64), 64); /* the rest never comes */
	dup2(fds[0], STDIN_FILENO);
	if (CHECK_INT(dw_stream_open("-", &conf, &s), 0)) {
		CHECK_INT(dw_stream_compression(s), DW_COMP_GZIP);
		dw_stream_free(s);
	}
	dup2(saved, STDIN_FILENO);
	close(saved);
	close(fds[0]);
	close(fds[1]);
	buf_free(&data);
	buf_free(&bz);
	buf_free(&gz);
}

static void test_api(void)
{
	struct dw_stream_conf bad = {.threads = -1};
	struct dw_stream *s = (struct dw_stream *)(uintptr_t)1;
	struct buf b = {0};
	struct result r;
	char path[128];
	uint8_t one;

	dw_stream_free(NULL);
	CHECK_INT(dw_stream_open("/nonexistent/x.bz2", NULL, &s), -ENOENT);
	CHECK(s == NULL);
	CHECK_INT(dw_stream_open_mem("", 0, &bad, &s), DW_EINVAL);
	CHECK(!strcmp(dw_compress_name(DW_COMP_NONE), "none"));
	CHECK(!strcmp(dw_compress_name(DW_COMP_GZIP), "gzip"));
	CHECK(!strcmp(dw_compress_name(DW_COMP_BZIP2), "bzip2"));
	CHECK(!strcmp(dw_compress_name(DW_COMP_XZ), "xz"));
	/* Empty input: plain, clean end at once. */
	CHECK_INT(dw_stream_open_mem(NULL, 0, NULL, &s), 0);
	CHECK_INT(dw_stream_read(s, &one, 1), 0);
	CHECK_INT(dw_stream_read(s, &one, 1), 0);
	dw_stream_free(s);
	tmp_path(path, sizeof path, "empty");
	write_file(path, &b);
	CHECK_INT(decode_path(path, 2, 10, &r, NULL), 0);
	CHECK_INT(r.out.len, 0);
	buf_free(&r.out);
	/* gzip magic with a method other than deflate. */
	buf_add(&b, "\x1f\x8b\x07\x00", 4);
	CHECK_INT(dw_stream_open_mem(b.p, b.len, NULL, &s), DW_EFORMAT);
	/* "BZh" then no level digit: plain (could be a 2005 MRT timestamp). */
	b.len = 0;
	buf_add(&b, "BZhx0123456789", 14);
	CHECK_INT(decode_mem(&b, 1, 64, &r), 0);
	same_bytes("BZh plain", &r.out, &b);
	buf_free(&r.out);
	/* Magic alone: compressed but cut. */
	b.len = 0;
	buf_add(&b, "BZh9", 4);
	CHECK_INT(decode_mem(&b, 1, 64, &r), DW_ETRUNC);
	buf_free(&r.out);
	CHECK_INT(decode_mem(&b, 3, 64, &r), DW_ETRUNC);
	buf_free(&r.out);
	b.len = 2;
	memcpy(b.p, "\x1f\x8b", 2);
	CHECK_INT(decode_mem(&b, 1, 64, &r), DW_ETRUNC);
	buf_free(&r.out);
	/* Garbage where a bzip2 block should be. */
	b.len = 0;
	buf_add(&b, "BZh91AY&SX0000000000000000000000", 32);
	CHECK_INT(decode_mem(&b, 2, 64, &r), DW_ECOMPRESS);
	buf_free(&r.out);
	buf_free(&b);
}

static void cleanup_tmp(void)
{
	static const char *names[] = {"plain", "gzip", "bzip2", "xz", "many.bz2", "empty"};
	char path[128];

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		tmp_path(path, sizeof path, names[i]);
		unlink(path);
	}
	rmdir(tmpdir);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/dw_test_stream.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	test_api();
	test_formats();
	test_concat();
	test_truncated();
	test_corrupt();
	test_many_blocks();
	test_runs();
	test_xz_memlimit();
	test_shared();
	test_stdin();
	test_early_free();
	cleanup_tmp();
	if (failures) {
		fprintf(stderr, "test_stream: %d check(s) failed\n", failures);
		return 1;
	}
	fprintf(stderr, "test_stream: all checks passed\n");
	return 0;
}
