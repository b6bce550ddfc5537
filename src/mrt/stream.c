/*
 * stream.c - a byte stream over a gzip, bzip2, xz or plain file (stream.h).
 *
 * First stage of the data flow: everything darkwatch reads from MRT files
 * comes through dw_stream_read.  The layers, bottom up:
 *   src     - the input (file descriptor or memory), with a buffer used to
 *             peek at the magic bytes and as zlib/liblzma's input;
 *   codec   - one decompressor behind a static ops table (gzip, xz, plain);
 *   engine  - where the codec runs: inline on the caller's thread, or on a
 *             read-ahead thread filling a ring of 1 MiB chunks; bzip2 has its
 *             own engine, the parallel block decoder in bz2par.c;
 *   reader  - dw_stream_read copies out of the current chunk.
 *
 * Key decisions: the format comes from the magic bytes only; concatenated
 * gzip members and xz/bzip2 streams read as one; bytes are handed out before
 * any error that follows them, and the error then sticks.  Trailing bytes
 * that do not start another gzip member or bzip2 stream are ignored, as gzip
 * and bzip2 do.  gzip and xz check their CRC only at the end of a member /
 * block, so bytes just before DW_ECOMPRESS may be damaged (bzip2 blocks are
 * checked before release).  Throughput over latency: the read-ahead thread
 * publishes whole 1 MiB chunks, so on a slow pipe data arrives in 1 MiB steps.
 */
#include "darkwatch/stream.h"

#include "darkwatch/err.h"
#include "mrt/bz2par.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <lzma.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define SRC_BUF (1u << 20)   /* input buffer for fd sources */
#define CHUNK (1u << 20)     /* decompressed chunk size */
#define RING_SLOTS 4         /* chunks decoded ahead by the read-ahead thread */
#define VIEW_MAX (1u << 30)  /* zlib counts input in uInt */
#define MAX_THREADS 64
#define POLL_MS 100          /* how often a blocked pipe read checks for stop */

struct src {
	int fd; /* -1: memory */
	int close_fd;
	int regular;
	int eof;
	const uint8_t *p; /* unconsumed input: p[0, n) */
	size_t n;
	uint8_t *buf; /* fd sources: read buffer of SRC_BUF bytes */
	uint64_t size;
	_Atomic uint64_t pos;
	atomic_int stop;
};

struct codec {
	struct src *src;
	int status; /* 0 running, 1 clean end, <0 error (sticky) */
	int member; /* gzip: inside a member */
	int live;   /* library state initialised */
	union {
		z_stream z;
		lzma_stream x;
	} u;
};

/*
 * A decompressor.  step() produces up to n bytes into out (*got set even on
 * failure) and returns 0 to go on, 1 at the clean end, or <0.
 */
struct codec_ops {
	int (*init)(struct codec *c);
	int (*step)(struct codec *c, uint8_t *out, size_t n, size_t *got);
	void (*fini)(struct codec *c);
};

struct ring {
	pthread_t th;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv_free, cv_full;
	struct {
		uint8_t *data;
		size_t len;
		int status; /* len == 0: 0 end or <0 error */
	} slot[RING_SLOTS];
	unsigned head, tail; /* next slot to consume / to fill */
	int holding, stop, sync_ok;
};

struct dw_stream;

/* Where decompression runs.  next() returns the next chunk (borrowed until
 * the next call): its length, 0 at the end, or <0. */
struct engine_ops {
	int (*start)(struct dw_stream *s);
	ssize_t (*next)(struct dw_stream *s, const uint8_t **p);
	void (*stop)(struct dw_stream *s);
};

struct dw_stream {
	enum dw_compress comp;
	int threads;
	struct src src;
	struct codec codec;
	const struct codec_ops *cops;
	const struct engine_ops *eops;
	uint8_t *ibuf; /* inline engine's chunk */
	struct ring *ring;
	struct dw_bz2par *bz;
	const uint8_t *cp; /* current chunk: cp[0, cn) not yet returned */
	size_t cn;
	int finished;
	int final;
};

/* ---- src ----------------------------------------------------------------- */

/* read(2) that retries EINTR and, on pipes, wakes up to honour stop. */
static ssize_t fd_read(struct src *s, void *buf, size_t n)
{
	for (;;) {
		ssize_t r;
		if (!s->regular) {
			struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
			if (atomic_load(&s->stop))
				return -ECANCELED;
			r = poll(&pfd, 1, POLL_MS);
			if (r == 0 || (r < 0 && errno == EINTR))
				continue;
			if (r < 0)
				return -errno;
		}
		r = read(s->fd, buf, n);
		if (r >= 0)
			return r;
		if (errno != EINTR)
			return -errno;
	}
}

static void src_consume(struct src *s, size_t k)
{
	s->p += k;
	s->n -= k;
	atomic_fetch_add_explicit(&s->pos, k, memory_order_relaxed);
}

/* Make at least `want` (<= SRC_BUF) bytes available unless the input ends. */
static int src_fill(struct src *s, size_t want)
{
	while (s->n < want && !s->eof) {
		ssize_t r;
		if (s->p != s->buf) {
			memmove(s->buf, s->p, s->n);
			s->p = s->buf;
		}
		r = fd_read(s, s->buf + s->n, SRC_BUF - s->n);
		if (r < 0)
			return (int)r;
		if (r == 0)
			s->eof = 1;
		s->n += (size_t)r;
	}
	return 0;
}

/* Point *p at available input: its length, 0 at the end, or <0. */
static ssize_t src_view(struct src *s, const uint8_t **p)
{
	int rc = s->n ? 0 : src_fill(s, 1);

	if (rc < 0)
		return rc;
	*p = s->p;
	return (ssize_t)(s->n < VIEW_MAX ? s->n : VIEW_MAX);
}

/* Copy up to n input bytes; large reads bypass the buffer. */
static ssize_t src_read(struct src *s, void *buf, size_t n)
{
	ssize_t r;

	if (s->n == 0 && s->fd >= 0 && !s->eof) {
		r = fd_read(s, buf, n);
		if (r == 0)
			s->eof = 1;
		if (r > 0)
			atomic_fetch_add_explicit(&s->pos, (uint64_t)r,
						  memory_order_relaxed);
		return r;
	}
	if (n > s->n)
		n = s->n;
	if (n == 0)
		return 0; /* s->p may be NULL (empty memory input) */
	memcpy(buf, s->p, n);
	src_consume(s, n);
	return (ssize_t)n;
}

static ssize_t src_read_cb(void *ctx, void *buf, size_t n)
{
	return src_read(ctx, buf, n);
}

/* ---- codecs -------------------------------------------------------------- */

static int plain_init(struct codec *c)
{
	(void)c;
	return 0;
}

static int plain_step(struct codec *c, uint8_t *out, size_t n, size_t *got)
{
	ssize_t r = src_read(c->src, out, n);

	*got = r > 0 ? (size_t)r : 0;
	return r < 0 ? (int)r : r == 0;
}

static void plain_fini(struct codec *c) { (void)c; }

static int gz_init(struct codec *c)
{
	memset(&c->u.z, 0, sizeof c->u.z);
	/* 15 + 32: largest window, gzip or zlib header detected. */
	if (inflateInit2(&c->u.z, 15 + 32) != Z_OK)
		return DW_ENOMEM;
	c->live = 1;
	c->member = 1;
	return 0;
}

/* Between members: another one starts only with the gzip magic. */
static int gz_next_member(struct codec *c)
{
	int rc = src_fill(c->src, 2);

	if (rc < 0)
		return rc;
	if (c->src->n == 1 && c->src->p[0] == 0x1f)
		return DW_ETRUNC; /* a member cut after its first byte */
	if (c->src->n < 2 || c->src->p[0] != 0x1f || c->src->p[1] != 0x8b)
		return 1;
	if (inflateReset(&c->u.z) != Z_OK)
		return DW_ECOMPRESS;
	c->member = 1;
	return 0;
}

static int gz_step(struct codec *c, uint8_t *out, size_t n, size_t *got)
{
	z_stream *z = &c->u.z;
	const uint8_t *in;
	ssize_t avail;
	int rc;

	*got = 0;
	if (!c->member && (rc = gz_next_member(c)) != 0)
		return rc;
	avail = src_view(c->src, &in);
	if (avail <= 0)
		return avail < 0 ? (int)avail : DW_ETRUNC;
	z->next_in = (Bytef *)(uintptr_t)in;
	z->avail_in = (uInt)avail;
	z->next_out = out;
	z->avail_out = (uInt)(n < UINT_MAX ? n : UINT_MAX);
	rc = inflate(z, Z_NO_FLUSH);
	*got = (size_t)(z->next_out - out);
	src_consume(c->src, (size_t)avail - z->avail_in);
	switch (rc) {
	case Z_OK:
	case Z_BUF_ERROR:
		return 0;
	case Z_STREAM_END:
		c->member = 0;
		return 0;
	case Z_MEM_ERROR:
		return DW_ENOMEM;
	default:
		return DW_ECOMPRESS;
	}
}

static void gz_fini(struct codec *c)
{
	if (c->live)
		inflateEnd(&c->u.z);
	c->live = 0;
}

#define XZ_MEMLIMIT (256u << 20)

static int xz_init(struct codec *c)
{
	lzma_stream init = LZMA_STREAM_INIT;

	c->u.x = init;
	/* xz -9 needs 65 MiB to decode; a header asking for more is hostile
	 * (or not ours): refuse it rather than allocate gigabytes */
	if (lzma_stream_decoder(&c->u.x, XZ_MEMLIMIT, LZMA_CONCATENATED) !=
	    LZMA_OK)
		return DW_ENOMEM;
	c->live = 1;
	return 0;
}

static int xz_step(struct codec *c, uint8_t *out, size_t n, size_t *got)
{
	lzma_stream *x = &c->u.x;
	const uint8_t *in;
	ssize_t avail = src_view(c->src, &in);
	lzma_ret lr;

	*got = 0;
	if (avail < 0)
		return (int)avail;
	x->next_in = in;
	x->avail_in = (size_t)avail;
	x->next_out = out;
	x->avail_out = n;
	/* LZMA_FINISH at the end of input: liblzma then reports a cut stream
	 * (LZMA_BUF_ERROR) instead of waiting for more. */
	lr = lzma_code(x, avail ? LZMA_RUN : LZMA_FINISH);
	*got = (size_t)(x->next_out - out);
	src_consume(c->src, (size_t)avail - x->avail_in);
	switch (lr) {
	case LZMA_OK:
		return 0;
	case LZMA_STREAM_END:
		return 1;
	case LZMA_BUF_ERROR:
		return avail ? DW_ECOMPRESS : DW_ETRUNC;
	case LZMA_MEM_ERROR:
	case LZMA_MEMLIMIT_ERROR:
		return DW_ENOMEM;
	default:
		return DW_ECOMPRESS;
	}
}

static void xz_fini(struct codec *c)
{
	if (c->live)
		lzma_end(&c->u.x);
	c->live = 0;
}

static const struct codec_ops plain_ops = {plain_init, plain_step, plain_fini};
static const struct codec_ops gz_ops = {gz_init, gz_step, gz_fini};
static const struct codec_ops xz_ops = {xz_init, xz_step, xz_fini};

/* Fill out with up to n bytes: the count, or (once nothing is left) 0 / <0. */
static ssize_t codec_fill(struct dw_stream *s, uint8_t *out, size_t n)
{
	struct codec *c = &s->codec;
	size_t got = 0;

	while (got < n && !c->status) {
		size_t k = 0;
		int rc = s->cops->step(c, out + got, n - got, &k);
		got += k;
		if (rc)
			c->status = rc;
	}
	if (got)
		return (ssize_t)got;
	return c->status > 0 ? 0 : c->status;
}

/* ---- engines ------------------------------------------------------------- */

static int inline_start(struct dw_stream *s)
{
	s->ibuf = malloc(CHUNK);
	return s->ibuf ? 0 : DW_ENOMEM;
}

static ssize_t inline_next(struct dw_stream *s, const uint8_t **p)
{
	*p = s->ibuf;
	return codec_fill(s, s->ibuf, CHUNK);
}

static void inline_stop(struct dw_stream *s)
{
	free(s->ibuf);
	s->ibuf = NULL;
}

static void *ring_main(void *arg)
{
	struct dw_stream *s = arg;
	struct ring *r = s->ring;

	for (;;) {
		unsigned idx;
		ssize_t n;
		pthread_mutex_lock(&r->mu);
		while (!r->stop && r->tail - r->head == RING_SLOTS)
			pthread_cond_wait(&r->cv_free, &r->mu);
		if (r->stop) {
			pthread_mutex_unlock(&r->mu);
			return NULL;
		}
		idx = r->tail % RING_SLOTS;
		pthread_mutex_unlock(&r->mu);
		n = codec_fill(s, r->slot[idx].data, CHUNK);
		r->slot[idx].len = n > 0 ? (size_t)n : 0;
		r->slot[idx].status = n > 0 ? 0 : (int)n;
		pthread_mutex_lock(&r->mu);
		r->tail++;
		pthread_cond_signal(&r->cv_full);
		pthread_mutex_unlock(&r->mu);
		if (n <= 0)
			return NULL;
	}
}

static int ring_start(struct dw_stream *s)
{
	struct ring *r = calloc(1, sizeof *r);
	int rc;

	if (!r)
		return DW_ENOMEM;
	s->ring = r;
	for (int i = 0; i < RING_SLOTS; i++) {
		r->slot[i].data = malloc(CHUNK);
		if (!r->slot[i].data)
			return DW_ENOMEM;
	}
	if (pthread_mutex_init(&r->mu, NULL))
		return DW_ENOMEM;
	if (pthread_cond_init(&r->cv_free, NULL)) {
		pthread_mutex_destroy(&r->mu);
		return DW_ENOMEM;
	}
	if (pthread_cond_init(&r->cv_full, NULL)) {
		pthread_cond_destroy(&r->cv_free);
		pthread_mutex_destroy(&r->mu);
		return DW_ENOMEM;
	}
	r->sync_ok = 1;
	rc = pthread_create(&r->th, NULL, ring_main, s);
	if (rc)
		return -rc;
	r->started = 1;
	return 0;
}

static ssize_t ring_next(struct dw_stream *s, const uint8_t **p)
{
	struct ring *r = s->ring;
	unsigned idx;

	pthread_mutex_lock(&r->mu);
	if (r->holding) {
		r->head++;
		r->holding = 0;
		pthread_cond_signal(&r->cv_free);
	}
	while (r->head == r->tail)
		pthread_cond_wait(&r->cv_full, &r->mu);
	r->holding = 1;
	idx = r->head % RING_SLOTS;
	pthread_mutex_unlock(&r->mu);
	*p = r->slot[idx].data;
	return r->slot[idx].len ? (ssize_t)r->slot[idx].len
				: r->slot[idx].status;
}

static void ring_stop(struct dw_stream *s)
{
	struct ring *r = s->ring;

	if (!r)
		return;
	if (r->started) {
		pthread_mutex_lock(&r->mu);
		r->stop = 1;
		pthread_cond_broadcast(&r->cv_free);
		pthread_mutex_unlock(&r->mu);
		pthread_join(r->th, NULL);
	}
	if (r->sync_ok) {
		pthread_cond_destroy(&r->cv_full);
		pthread_cond_destroy(&r->cv_free);
		pthread_mutex_destroy(&r->mu);
	}
	for (int i = 0; i < RING_SLOTS; i++)
		free(r->slot[i].data);
	free(r);
	s->ring = NULL;
}

static int bz_start(struct dw_stream *s)
{
	return dw_bz2par_new(s->threads, src_read_cb, &s->src, &s->bz);
}

static ssize_t bz_next(struct dw_stream *s, const uint8_t **p)
{
	return dw_bz2par_next(s->bz, p);
}

static void bz_stop(struct dw_stream *s)
{
	dw_bz2par_free(s->bz);
	s->bz = NULL;
}

static const struct engine_ops inline_eng = {inline_start, inline_next,
					     inline_stop};
static const struct engine_ops ring_eng = {ring_start, ring_next, ring_stop};
static const struct engine_ops bz_eng = {bz_start, bz_next, bz_stop};

/* ---- open / read / close ------------------------------------------------- */

static int detect(struct src *s, enum dw_compress *comp)
{
	static const uint8_t xz_magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0};
	const uint8_t *p;
	int rc = s->fd >= 0 ? src_fill(s, 6) : 0;

	if (rc < 0)
		return rc;
	p = s->p;
	*comp = DW_COMP_NONE;
	if (s->n >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
		if (s->n >= 3 && p[2] != 8) /* only deflate is defined */
			return DW_EFORMAT;
		*comp = DW_COMP_GZIP;
	} else if (s->n >= 3 && !memcmp(p, "BZh", 3) &&
		   (s->n == 3 || (p[3] >= '1' && p[3] <= '9'))) {
		/* "BZh" + another byte is a plausible MRT timestamp (2005):
		 * without a level digit, treat the file as plain. */
		*comp = DW_COMP_BZIP2;
	} else if (s->n >= 6 && !memcmp(p, xz_magic, 6)) {
		*comp = DW_COMP_XZ;
	}
	return 0;
}

static int resolve_threads(const struct dw_stream_conf *conf, int *threads)
{
	int t = conf ? conf->threads : 0;

	if (t < 0)
		return DW_EINVAL;
	if (t == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		t = n > 0 ? (n < MAX_THREADS ? (int)n : MAX_THREADS) : 1;
	}
	*threads = t < MAX_THREADS ? t : MAX_THREADS;
	return 0;
}

static int stream_start(struct dw_stream *s)
{
	int rc = detect(&s->src, &s->comp);

	if (rc < 0)
		return rc;
	switch (s->comp) {
	case DW_COMP_BZIP2:
		s->eops = &bz_eng;
		break;
	case DW_COMP_GZIP:
		s->cops = &gz_ops;
		break;
	case DW_COMP_XZ:
		s->cops = &xz_ops;
		break;
	case DW_COMP_NONE:
		s->cops = &plain_ops;
		break;
	}
	if (s->cops) {
		s->codec.src = &s->src;
		rc = s->cops->init(&s->codec);
		if (rc < 0)
			return rc;
		s->eops = s->threads > 1 ? &ring_eng : &inline_eng;
	}
	return s->eops->start(s);
}

static struct dw_stream *stream_alloc(void)
{
	struct dw_stream *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->src.fd = -1;
	atomic_init(&s->src.pos, 0);
	atomic_init(&s->src.stop, 0);
	return s;
}

int dw_stream_open(const char *path, const struct dw_stream_conf *conf,
		   struct dw_stream **out)
{
	struct dw_stream *s = NULL;
	struct stat st;
	int rc;

	if (!path || !out)
		return DW_EINVAL;
	*out = NULL;
	s = stream_alloc();
	if (!s)
		return DW_ENOMEM;
	rc = resolve_threads(conf, &s->threads);
	if (rc < 0)
		goto fail;
	if (!strcmp(path, "-")) {
		s->src.fd = STDIN_FILENO;
	} else {
		s->src.fd = open(path, O_RDONLY | O_CLOEXEC);
		if (s->src.fd < 0) {
			rc = -errno;
			goto fail;
		}
		s->src.close_fd = 1;
	}
	if (fstat(s->src.fd, &st) < 0) {
		rc = -errno;
		goto fail;
	}
	if (S_ISREG(st.st_mode)) {
		s->src.regular = 1;
		s->src.size = (uint64_t)st.st_size;
	}
	s->src.buf = malloc(SRC_BUF);
	if (!s->src.buf) {
		rc = DW_ENOMEM;
		goto fail;
	}
	s->src.p = s->src.buf;
	rc = stream_start(s);
	if (rc < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	dw_stream_free(s);
	return rc;
}

int dw_stream_open_mem(const void *buf, size_t len,
		       const struct dw_stream_conf *conf, struct dw_stream **out)
{
	struct dw_stream *s;
	int rc;

	if ((!buf && len) || !out)
		return DW_EINVAL;
	*out = NULL;
	s = stream_alloc();
	if (!s)
		return DW_ENOMEM;
	rc = resolve_threads(conf, &s->threads);
	if (rc < 0)
		goto fail;
	s->src.p = buf;
	s->src.n = len;
	s->src.eof = 1;
	s->src.size = len;
	rc = stream_start(s);
	if (rc < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	dw_stream_free(s);
	return rc;
}

ssize_t dw_stream_read(struct dw_stream *s, void *buf, size_t n)
{
	uint8_t *dst = buf;
	size_t got = 0;

	if (!s || (!buf && n))
		return DW_EINVAL;
	if (n > SSIZE_MAX)
		n = SSIZE_MAX;
	while (got < n) {
		size_t k;
		if (s->cn == 0) {
			ssize_t r;
			if (s->finished)
				break;
			r = s->eops->next(s, &s->cp);
			if (r <= 0) {
				s->finished = 1;
				s->final = (int)r;
				break;
			}
			s->cn = (size_t)r;
		}
		k = s->cn < n - got ? s->cn : n - got;
		memcpy(dst + got, s->cp, k);
		s->cp += k;
		s->cn -= k;
		got += k;
	}
	if (got || !s->finished)
		return (ssize_t)got;
	return s->final;
}

enum dw_compress dw_stream_compression(const struct dw_stream *s)
{
	return s->comp;
}

const char *dw_compress_name(enum dw_compress c)
{
	switch (c) {
	case DW_COMP_NONE: return "none";
	case DW_COMP_GZIP: return "gzip";
	case DW_COMP_BZIP2: return "bzip2";
	case DW_COMP_XZ: return "xz";
	}
	return "unknown";
}

uint64_t dw_stream_file_size(const struct dw_stream *s) { return s->src.size; }

uint64_t dw_stream_file_pos(const struct dw_stream *s)
{
	return atomic_load_explicit(&s->src.pos, memory_order_relaxed);
}

void dw_stream_free(struct dw_stream *s)
{
	if (!s)
		return;
	atomic_store(&s->src.stop, 1); /* wakes a reader blocked on a pipe */
	if (s->eops)
		s->eops->stop(s);
	if (s->cops)
		s->cops->fini(&s->codec);
	if (s->src.close_fd)
		close(s->src.fd);
	free(s->src.buf);
	free(s);
}
