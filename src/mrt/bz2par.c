/*
 * bz2par.c - parallel bzip2 block decoder (design notes in bz2par.h).
 *
 * Inside: scanner (one thread) -> ring of jobs -> decoders (N threads) ->
 * consumer (the caller of dw_bz2par_next), which takes jobs strictly in order.
 * With threads == 1 the consumer runs the scanner and the decoder itself.
 *
 * The scanner reads the input into a window and looks for the block magic
 * 0x314159265359 and the end-of-stream magic 0x177245385090 at every bit
 * offset.  For a magic starting at bit k of byte i, bytes i+1 and i+2 are
 * wholly inside it and fixed by k, so one table lookup on those 16 bits says
 * which (rare) shifts need a full 48-bit check: the search runs at memory speed.
 *
 * A job is one block re-framed as a standalone stream: "BZh<level>", the
 * block's bits shifted to a byte boundary, the end-of-stream magic and, as the
 * combined CRC, the block's own CRC (for one block they are equal).
 *
 * Checks that keep the output identical to a sequential decoder's:
 *   - each block's CRC (libbz2) before its output is released;
 *   - each stream's combined CRC, recomputed by the consumer from the blocks it
 *     accepted, so a lost or duplicated block cannot pass;
 *   - a failed block followed by a failed block is retried as one (the split
 *     between them was a chance magic inside compressed data);
 *   - a block whose output matches its CRC is delivered even if libbz2 then
 *     fails on what follows (a cut or damaged next header), then the error is
 *     reported, as a sequential decoder does.
 *
 * The file is longer than the house ~800 lines because the scanner, the job
 * ring and the consumer share the job record and its invariants; split, they
 * would need a header exposing them all, for no other user.
 */
#include "mrt/bz2par.h"

#include "darkwatch/err.h"

#include <bzlib.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_MAGIC 0x314159265359ULL
#define EOS_MAGIC 0x177245385090ULL
#define MASK48 0xffffffffffffULL
#define WIN_PAD 32     /* zero bytes after the window data: lookahead loads */
#define LOOKAHEAD 24   /* bytes past a candidate: its CRC and a next header */
#define TAIL_BYTES 12  /* room for eos magic + CRC + padding after a job */
#define OUT_FIRST (1u << 20)
#define OUT_CAP (8u << 20) /* past this a job's output is streamed */
#define MAX_THREADS 64
/* Largest level-9 block (20-bit codes, see max_block_bits) plus read room. */
#define WIN_CAP ((size_t)9 * 100000 * 20 / 8 + 65536 + (2u << 20))

enum job_kind { JOB_BLOCK, JOB_STREAM_END, JOB_FINAL };
enum job_state { JOB_FREE, JOB_READY, JOB_BUSY, JOB_DONE };

struct job {
	enum job_kind kind;
	enum job_state state;
	uint8_t *in; /* "BZh<level>" + block bits + eos magic + CRC */
	size_t in_len, in_cap;
	uint64_t nbits; /* block bits in `in`, from byte 4 */
	int level;
	int at_eof;   /* the block runs to the end of the input (cut) */
	uint32_t crc; /* block CRC; for JOB_STREAM_END the stored one */
	int err;      /* JOB_FINAL: 0 (clean end) or an error code */
	int result;   /* 0 decoded, 1 more output to pump, <0 failed */
	int tail_err; /* error to report right after this block's output */
	uint8_t *out;
	size_t out_len, out_cap;
	bz_stream bz;
	int bz_live;
};

struct scan {
	dw_bz2par_read_fn read;
	void *ctx;
	uint8_t *win; /* [0, len) input, then WIN_PAD zero bytes */
	size_t len;
	int eof;
	size_t next;  /* next window byte to test for a magic */
	uint64_t pos; /* window bit where the search resumes */
	uint64_t blk; /* window bit of the open block's magic */
	int has_blk, in_stream, level, nstreams;
	uint32_t comb; /* combined CRC of candidate blocks (see scan_eos) */
	int pend_set, pend_err;
	enum job_kind pend_kind;
	uint32_t pend_crc;
	uint16_t tab[65536]; /* bit k: block magic at shift k; 8+k: eos */
};

struct dw_bz2par {
	pthread_mutex_t mu;
	pthread_cond_t cv_space, cv_work, cv_done;
	int sync_ok, stop, scan_exited;
	uint64_t seq_scan, seq_work, seq_use; /* job sequence numbers */
	struct job *jobs;
	unsigned njobs;
	int nworkers; /* 0: everything inline in dw_bz2par_next */
	int scan_started, nstarted;
	pthread_t scan_th;
	pthread_t *work_th;
	struct scan *sc;
	uint32_t crctab[256];
	/* consumer side: touched only by the caller's thread */
	int holding, finished;
	ssize_t final;
	size_t out_pos;
	uint32_t comb;
	uint8_t *mbuf; /* spare input buffer for merging two jobs */
	size_t mcap;
};

/* ---- bits ---------------------------------------------------------------- */

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static uint32_t rotl1(uint32_t v) { return v << 1 | v >> 31; }

/*
 * Append nbits bits of src (from bit sbit) at bit dbit of dst.  The unused low
 * bits of dst's byte at dbit must be clear; the unused low bits of the last
 * byte written are cleared.  Reads src up to byte (sbit + nbits) / 8 + 1 and
 * writes dst up to byte (dbit + nbits) / 8 + 1.
 */
static void bits_cat(uint8_t *dst, uint64_t dbit, const uint8_t *src,
		     uint64_t sbit, uint64_t nbits)
{
	const uint8_t *s = src + sbit / 8;
	uint8_t *d = dst + dbit / 8;
	unsigned k = (unsigned)(sbit % 8), r = (unsigned)(dbit % 8);
	size_t nb = (size_t)((nbits + 7) / 8), i;
	uint8_t mask = nbits % 8 ? (uint8_t)(0xff << (8 - nbits % 8)) : 0xff;

	if (nb == 0)
		return;
	if (r == 0) {
		if (k == 0)
			memcpy(d, s, nb);
		else
			for (i = 0; i < nb; i++)
				d[i] = (uint8_t)(s[i] << k | s[i + 1] >> (8 - k));
		d[nb - 1] &= mask;
		return;
	}
	for (i = 0; i < nb; i++) {
		uint8_t t = k ? (uint8_t)(s[i] << k | s[i + 1] >> (8 - k)) : s[i];
		if (i + 1 == nb)
			t &= mask;
		d[i] |= (uint8_t)(t >> r);
		d[i + 1] = (uint8_t)(t << (8 - r));
	}
}

/* OR the low n bits of v, most significant first, into buf at bit `bit`. */
static void put_bits(uint8_t *buf, uint64_t bit, uint64_t v, unsigned n)
{
	while (n--) {
		if (v >> n & 1)
			buf[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
		bit++;
	}
}

/* bzip2's CRC: CRC-32 (poly 0x04c11db7), most significant bit first. */
static void crc_init(uint32_t *tab)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i << 24;
		for (int k = 0; k < 8; k++)
			c = c & 0x80000000u ? c << 1 ^ 0x04c11db7u : c << 1;
		tab[i] = c;
	}
}

static uint32_t crc_block(const uint32_t *tab, const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	while (n--)
		c = c << 8 ^ tab[(c >> 24 ^ *p++) & 0xff];
	return ~c;
}

/* Bits a level's block can take at most: 100k*level symbols of <= 20 bits. */
static uint64_t max_block_bits(int level)
{
	return (uint64_t)level * 100000 * 20 + 65536 * 8;
}

/* Grow *buf to at least need bytes (contents kept). */
static int buf_reserve(uint8_t **buf, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 4096;
	uint8_t *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*buf, n);
	if (!p)
		return DW_ENOMEM;
	*buf = p;
	*cap = n;
	return 0;
}

/* ---- jobs: building and decoding ----------------------------------------- */

/* Close j's payload: eos magic and `crc` after its nbits block bits. */
static void job_seal(struct job *j, uint64_t nbits, uint32_t crc)
{
	uint64_t bit = 32 + nbits;

	memset(j->in + (bit + 7) / 8, 0, TAIL_BYTES);
	put_bits(j->in, bit, EOS_MAGIC, 48);
	put_bits(j->in, bit + 48, crc, 32);
	j->in_len = (size_t)((bit + 80 + 7) / 8);
	j->nbits = nbits;
	j->crc = crc;
}

static void job_end(struct job *j)
{
	if (j->bz_live)
		BZ2_bzDecompressEnd(&j->bz);
	j->bz_live = 0;
}

/*
 * Decode more of j into j->out after out_len.  Returns 0 when the block is
 * complete, 1 when the output reached OUT_CAP (the caller drains it and calls
 * again), <0 when decoding failed.
 */
static int job_pump(struct job *j)
{
	bz_stream *bz = &j->bz;
	int rc;

	for (;;) {
		if (j->out_len == j->out_cap) {
			size_t want = j->out_cap ? j->out_cap * 2 : OUT_FIRST;
			if (j->out_cap >= OUT_CAP)
				return 1;
			rc = buf_reserve(&j->out, &j->out_cap, want);
			if (rc < 0)
				goto fail;
		}
		bz->next_out = (char *)j->out + j->out_len;
		bz->avail_out = (unsigned)(j->out_cap - j->out_len);
		rc = BZ2_bzDecompress(bz);
		j->out_len = j->out_cap - bz->avail_out;
		if (rc == BZ_STREAM_END) {
			job_end(j);
			return 0;
		}
		if (rc != BZ_OK) {
			rc = rc == BZ_MEM_ERROR ? DW_ENOMEM : DW_ECOMPRESS;
			goto fail;
		}
		/* Wants input past the block's end: its bits are not a block. */
		if (bz->avail_in == 0 && bz->avail_out > 0) {
			rc = DW_ECOMPRESS;
			goto fail;
		}
	}
fail:
	job_end(j);
	return rc;
}

/* Decode job j from the start and set j->result. */
static void job_run(const struct dw_bz2par *bp, struct job *j)
{
	int rc;

	memset(&j->bz, 0, sizeof j->bz);
	j->out_len = 0;
	if (BZ2_bzDecompressInit(&j->bz, 0, 0) != BZ_OK) {
		j->result = DW_ENOMEM;
		return;
	}
	j->bz_live = 1;
	j->bz.next_in = (char *)j->in;
	j->bz.avail_in = (unsigned)j->in_len;
	j->tail_err = 0;
	rc = job_pump(j);
	/* libbz2 releases a block's data once its CRC matched, then reads the
	 * next header.  If that is cut or damaged (what follows is not a
	 * block), the job fails after the whole block: the CRC of the output
	 * tells, and the block is delivered before the error, as a sequential
	 * decoder would. */
	if (rc < 0 && rc != DW_ENOMEM && j->out_len > 0 &&
	    crc_block(bp->crctab, j->out, j->out_len) == j->crc) {
		j->tail_err = j->at_eof ? DW_ETRUNC : DW_ECOMPRESS;
		rc = 0;
	}
	j->result = rc;
}

/* ---- scanner ------------------------------------------------------------- */

static void scan_tab(uint16_t *tab)
{
	memset(tab, 0, 65536 * sizeof *tab);
	for (unsigned k = 0; k < 8; k++) {
		tab[(BLOCK_MAGIC >> (24 + k)) & 0xffff] |= (uint16_t)(1u << k);
		tab[(EOS_MAGIC >> (24 + k)) & 0xffff] |= (uint16_t)(1u << (8 + k));
	}
}

/* n (<= 32) bits at window bit `bit`, or -1 if they run past the data. */
static int64_t win_bits(const struct scan *sc, uint64_t bit, unsigned n)
{
	if (bit + n > (uint64_t)sc->len * 8)
		return -1;
	return (int64_t)((be64(sc->win + bit / 8) << (bit % 8)) >> (64 - n));
}

/* Drop window bytes no longer needed and read more input. */
static int scan_refill(struct scan *sc)
{
	size_t keep = (size_t)((sc->has_blk ? sc->blk : sc->pos) / 8);
	ssize_t n;

	if (keep > sc->next)
		keep = sc->next;
	memmove(sc->win, sc->win + keep, sc->len - keep);
	sc->len -= keep;
	sc->next -= keep;
	sc->pos -= (uint64_t)keep * 8;
	if (sc->has_blk)
		sc->blk -= (uint64_t)keep * 8;
	if (sc->len == WIN_CAP)
		return DW_ECOMPRESS; /* cannot happen: scan_find caps blocks */
	n = sc->read(sc->ctx, sc->win + sc->len, WIN_CAP - sc->len);
	if (n < 0)
		return (int)n;
	if (n == 0)
		sc->eof = 1;
	sc->len += (size_t)n;
	memset(sc->win + sc->len, 0, WIN_PAD);
	return 0;
}

/* Verify the shifts flagged in m at byte i; first match at a bit >= pos. */
static int scan_check(const struct scan *sc, size_t i, unsigned m,
		      uint64_t *bit, int *eos)
{
	uint64_t w = be64(sc->win + i);

	for (unsigned k = 0; k < 8; k++) {
		uint64_t b = (uint64_t)i * 8 + k, v;
		unsigned hit = m >> k & 0x101;
		if (!hit || b < sc->pos || b + 48 > (uint64_t)sc->len * 8)
			continue;
		v = (w >> (16 - k)) & MASK48;
		if (((hit & 1) && v == BLOCK_MAGIC) ||
		    ((hit & 0x100) && v == EOS_MAGIC)) {
			*bit = b;
			*eos = v == EOS_MAGIC;
			return 1;
		}
	}
	return 0;
}

/*
 * Find the next magic at a bit >= sc->pos, reading as needed.  Returns 1 (sets
 * *bit, *eos), 0 at the end of the input, or <0 (read error; DW_ECOMPRESS when
 * the open block grows past any valid block's size).
 */
static int scan_find(struct scan *sc, uint64_t *bit, int *eos)
{
	for (;;) {
		const uint8_t *w = sc->win;
		size_t lim = sc->len, i;
		int rc;

		if (!sc->eof)
			lim = sc->len > LOOKAHEAD ? sc->len - LOOKAHEAD : 0;
		for (i = sc->next; i < lim; i++) {
			unsigned m = sc->tab[(unsigned)w[i + 1] << 8 | w[i + 2]];
			if (m && scan_check(sc, i, m, bit, eos)) {
				sc->next = i;
				return 1;
			}
		}
		if (lim > sc->next)
			sc->next = lim;
		/* A stream's first magic follows its header directly. */
		if (!sc->has_blk && sc->next >= sc->pos / 8 + 8)
			return DW_ECOMPRESS;
		if (sc->eof)
			return 0;
		if (sc->has_blk && (uint64_t)sc->len * 8 - sc->blk >
					   max_block_bits(sc->level))
			return DW_ECOMPRESS;
		rc = scan_refill(sc);
		if (rc < 0)
			return rc;
	}
}

static void job_final(struct job *j, int err)
{
	j->kind = JOB_FINAL;
	j->err = err;
}

/* Fill j with the block at window bits [from, to). */
static void job_block(struct job *j, const struct scan *sc, uint64_t from,
		      uint64_t to, int at_eof)
{
	uint64_t nbits = to - from;
	int64_t crc = win_bits(sc, from + 48, 32);
	int rc = buf_reserve(&j->in, &j->in_cap,
			     4 + (size_t)((nbits + 7) / 8) + TAIL_BYTES);

	if (rc < 0) {
		job_final(j, rc);
		return;
	}
	j->kind = JOB_BLOCK;
	j->level = sc->level;
	j->at_eof = at_eof;
	memcpy(j->in, "BZh", 3);
	j->in[3] = (uint8_t)('0' + sc->level);
	bits_cat(j->in, 32, sc->win, from, nbits);
	job_seal(j, nbits, crc < 0 ? 0 : (uint32_t)crc);
}

/*
 * The open block (if any) ends at window bit `end`: emit it into j and queue
 * the marker (kind, crc, err) for the next step, or emit the marker now.
 */
static void scan_close(struct scan *sc, struct job *j, uint64_t end,
		       int at_eof, enum job_kind kind, uint32_t crc, int err)
{
	if (sc->has_blk) {
		job_block(j, sc, sc->blk, end, at_eof);
		sc->pend_set = j->kind != JOB_FINAL;
		sc->pend_kind = kind;
		sc->pend_crc = crc;
		sc->pend_err = err;
	} else {
		j->kind = kind;
		j->crc = crc;
		j->err = err;
	}
	sc->has_blk = 0;
}

/* Expect "BZh1".."BZh9" at the byte sc->pos.  Returns 1 if j was filled. */
static int scan_header(struct scan *sc, struct job *j)
{
	size_t b = (size_t)(sc->pos / 8), avail;
	const uint8_t *p;

	while (!sc->eof && sc->len - b < 10) {
		int rc = scan_refill(sc);
		if (rc < 0) {
			job_final(j, rc);
			return 1;
		}
		b = (size_t)(sc->pos / 8);
	}
	avail = sc->len - b;
	p = sc->win + b;
	if (avail >= 4 && !memcmp(p, "BZh", 3) && p[3] >= '1' && p[3] <= '9') {
		sc->level = p[3] - '0';
		sc->pos = (uint64_t)(b + 4) * 8;
		sc->next = b + 4;
		sc->in_stream = 1;
		sc->has_blk = 0;
		sc->comb = 0;
		sc->nstreams++;
		return 0;
	}
	if (avail == 0)
		job_final(j, sc->nstreams ? 0 : DW_ETRUNC);
	else if (avail < 4 && !memcmp(p, "BZh", avail))
		job_final(j, DW_ETRUNC);
	else /* trailing garbage after a stream is ignored, as bzip2 does */
		job_final(j, sc->nstreams ? 0 : DW_ECOMPRESS);
	return 1;
}

/* Whether the bytes after a stream trailer are the end or another stream. */
static int eos_next_ok(const struct scan *sc, size_t end)
{
	const uint8_t *p = sc->win + end;
	uint64_t m;

	if (sc->eof && end == sc->len)
		return 1;
	if (end + 10 > sc->len || memcmp(p, "BZh", 3) || p[3] < '1' || p[3] > '9')
		return 0;
	m = be64(p + 4) >> 16;
	return m == BLOCK_MAGIC || m == EOS_MAGIC;
}

/*
 * End-of-stream magic at `bit`.  It is real if the stored combined CRC
 * matches the blocks seen, or if the input ends or a stream starts after it;
 * otherwise it was a chance match inside a block and the search goes on.
 * Returns 1 if j was filled.
 */
static int scan_eos(struct scan *sc, struct job *j, uint64_t bit)
{
	int64_t crc = win_bits(sc, bit + 48, 32);
	size_t end = (size_t)((bit + 80 + 7) / 8);

	if (crc < 0) { /* cut inside the trailer: the blocks are whole */
		scan_close(sc, j, bit, 0, JOB_FINAL, 0, DW_ETRUNC);
		return 1;
	}
	if ((uint32_t)crc != sc->comb && !eos_next_ok(sc, end)) {
		sc->pos = bit + 1;
		return 0;
	}
	scan_close(sc, j, bit, 0, JOB_STREAM_END, (uint32_t)crc, 0);
	sc->in_stream = 0;
	sc->pos = (uint64_t)end * 8;
	sc->next = end;
	return 1;
}

/* Block magic at `bit`: closes the open block.  Returns 1 if j was filled. */
static int scan_block(struct scan *sc, struct job *j, uint64_t bit)
{
	int64_t crc = win_bits(sc, bit + 48, 32);
	int filled = sc->has_blk;

	sc->comb = rotl1(sc->comb) ^ (crc < 0 ? 0 : (uint32_t)crc);
	if (filled)
		job_block(j, sc, sc->blk, bit, 0);
	sc->has_blk = 1;
	sc->blk = bit;
	/* Resume at the next bit, not after the magic: a chance match can
	 * overlap the real magic that follows (the patterns self-overlap). */
	sc->pos = bit + 1;
	return filled;
}

/* Produce the next job (a block or a marker) into the free job j. */
static void scan_step(struct scan *sc, struct job *j)
{
	uint64_t bit;
	int eos, rc;

	j->at_eof = 0;
	if (sc->pend_set) {
		sc->pend_set = 0;
		j->kind = sc->pend_kind;
		j->crc = sc->pend_crc;
		j->err = sc->pend_err;
		return;
	}
	for (;;) {
		if (!sc->in_stream) {
			if (scan_header(sc, j))
				return;
			continue;
		}
		rc = scan_find(sc, &bit, &eos);
		if (rc < 0) {
			job_final(j, rc);
			return;
		}
		if (rc == 0) {
			/* After a header, room for a magic but none: junk. */
			if (!sc->has_blk && (uint64_t)sc->len * 8 >= sc->pos + 48)
				job_final(j, DW_ECOMPRESS);
			else
				scan_close(sc, j, (uint64_t)sc->len * 8, 1,
					   JOB_FINAL, 0, DW_ETRUNC);
			return;
		}
		if (!sc->has_blk && bit != sc->pos) {
			job_final(j, DW_ECOMPRESS); /* junk before the first block */
			return;
		}
		if (eos ? scan_eos(sc, j, bit) : scan_block(sc, j, bit))
			return;
	}
}

/* ---- threads and the job ring -------------------------------------------- */

static struct job *slot(const struct dw_bz2par *bp, uint64_t seq)
{
	return &bp->jobs[seq % bp->njobs];
}

/* Make the job just filled by the scanner visible.  mu held if threaded. */
static void publish(struct dw_bz2par *bp, struct job *j)
{
	j->state = j->kind == JOB_BLOCK ? JOB_READY : JOB_DONE;
	bp->seq_scan++;
	if (!bp->nworkers)
		return;
	if (j->kind == JOB_BLOCK)
		pthread_cond_signal(&bp->cv_work);
	else
		pthread_cond_signal(&bp->cv_done);
}

static void *scan_main(void *arg)
{
	struct dw_bz2par *bp = arg;
	int last = 0;

	while (!last) {
		struct job *j;
		pthread_mutex_lock(&bp->mu);
		while (!bp->stop && bp->seq_scan - bp->seq_use >= bp->njobs)
			pthread_cond_wait(&bp->cv_space, &bp->mu);
		if (bp->stop) {
			pthread_mutex_unlock(&bp->mu);
			break;
		}
		j = slot(bp, bp->seq_scan);
		pthread_mutex_unlock(&bp->mu);
		scan_step(bp->sc, j); /* j is free: no one else touches it */
		last = j->kind == JOB_FINAL;
		pthread_mutex_lock(&bp->mu);
		publish(bp, j);
		pthread_mutex_unlock(&bp->mu);
	}
	pthread_mutex_lock(&bp->mu);
	bp->scan_exited = 1;
	pthread_cond_broadcast(&bp->cv_work);
	pthread_mutex_unlock(&bp->mu);
	return NULL;
}

static void *work_main(void *arg)
{
	struct dw_bz2par *bp = arg;

	pthread_mutex_lock(&bp->mu);
	for (;;) {
		struct job *j;
		/* Markers need no decoding and may be consumed before we get
		 * to them; never look at a slot the consumer has released. */
		if (bp->seq_work < bp->seq_use)
			bp->seq_work = bp->seq_use;
		if (bp->stop || (bp->seq_work == bp->seq_scan && bp->scan_exited))
			break;
		if (bp->seq_work == bp->seq_scan) {
			pthread_cond_wait(&bp->cv_work, &bp->mu);
			continue;
		}
		j = slot(bp, bp->seq_work++);
		if (j->kind != JOB_BLOCK)
			continue;
		j->state = JOB_BUSY;
		pthread_mutex_unlock(&bp->mu);
		job_run(bp, j);
		pthread_mutex_lock(&bp->mu);
		j->state = JOB_DONE;
		pthread_cond_signal(&bp->cv_done);
	}
	pthread_mutex_unlock(&bp->mu);
	return NULL;
}

/* Wait for (inline: produce and decode) the job with sequence number seq. */
static struct job *job_wait(struct dw_bz2par *bp, uint64_t seq)
{
	struct job *j = slot(bp, seq);

	if (!bp->nworkers) {
		while (bp->seq_scan <= seq) {
			struct job *n = slot(bp, bp->seq_scan);
			scan_step(bp->sc, n);
			publish(bp, n);
		}
		if (j->state == JOB_READY) {
			job_run(bp, j);
			j->state = JOB_DONE;
		}
		return j;
	}
	pthread_mutex_lock(&bp->mu);
	while (j->state != JOB_DONE)
		pthread_cond_wait(&bp->cv_done, &bp->mu);
	pthread_mutex_unlock(&bp->mu);
	return j;
}

/* Hand the consumer's current job back to the scanner. */
static void job_release(struct dw_bz2par *bp)
{
	struct job *j = slot(bp, bp->seq_use);

	job_end(j);
	pthread_mutex_lock(&bp->mu);
	j->state = JOB_FREE;
	bp->seq_use++;
	pthread_cond_signal(&bp->cv_space);
	pthread_mutex_unlock(&bp->mu);
}

/* ---- consumer ------------------------------------------------------------ */

/* Replace b's payload by a's bits followed by b's, with a's CRC. */
static int merge_into(struct dw_bz2par *bp, const struct job *a, struct job *b)
{
	uint64_t nbits = a->nbits + b->nbits;
	uint8_t *tmp;
	size_t tcap;
	int rc = buf_reserve(&bp->mbuf, &bp->mcap,
			     4 + (size_t)((nbits + 7) / 8) + TAIL_BYTES);

	if (rc < 0)
		return rc;
	memcpy(bp->mbuf, a->in, 4);
	bits_cat(bp->mbuf, 32, a->in, 32, a->nbits);
	bits_cat(bp->mbuf, 32 + a->nbits, b->in, 32, b->nbits);
	tmp = b->in;
	tcap = b->in_cap;
	b->in = bp->mbuf;
	b->in_cap = bp->mcap;
	bp->mbuf = tmp;
	bp->mcap = tcap;
	job_seal(b, nbits, a->crc);
	return 0;
}

/*
 * The current block failed.  If the next one failed too, the split between
 * them may be a chance magic: decode them as one, repeatedly.  Returns 0 with
 * a decoded job current, or the error to report.
 */
static int recover(struct dw_bz2par *bp)
{
	for (;;) {
		struct job *a = slot(bp, bp->seq_use), *b;
		int rc;

		if (a->result == DW_ENOMEM)
			return DW_ENOMEM;
		if (a->at_eof)
			return DW_ETRUNC;
		b = job_wait(bp, bp->seq_use + 1);
		if (b->kind != JOB_BLOCK || b->result >= 0 ||
		    a->nbits + b->nbits > max_block_bits(a->level))
			return DW_ECOMPRESS;
		rc = merge_into(bp, a, b);
		if (rc < 0)
			return rc;
		job_release(bp);
		job_run(bp, b);
		if (b->result >= 0)
			return 0;
	}
}

static void finish(struct dw_bz2par *bp, int code)
{
	bp->finished = 1;
	bp->final = code;
}

/* Take the next job in order: a marker is checked, a block becomes current. */
static void take_next(struct dw_bz2par *bp)
{
	struct job *j = job_wait(bp, bp->seq_use);
	int rc;

	switch (j->kind) {
	case JOB_FINAL:
		finish(bp, j->err);
		return;
	case JOB_STREAM_END:
		if (j->crc != bp->comb) {
			finish(bp, DW_ECOMPRESS);
			return;
		}
		bp->comb = 0;
		job_release(bp);
		return;
	case JOB_BLOCK:
		if (j->result < 0) {
			rc = recover(bp);
			if (rc < 0) {
				finish(bp, rc);
				return;
			}
			j = slot(bp, bp->seq_use);
		}
		bp->comb = rotl1(bp->comb) ^ j->crc;
		bp->holding = 1;
		bp->out_pos = 0;
		return;
	}
}

ssize_t dw_bz2par_next(struct dw_bz2par *bp, const uint8_t **p)
{
	while (!bp->finished) {
		struct job *j = slot(bp, bp->seq_use);
		size_t n;
		int rc;

		if (!bp->holding) {
			take_next(bp);
			continue;
		}
		if (bp->out_pos < j->out_len) {
			*p = j->out + bp->out_pos;
			n = j->out_len - bp->out_pos;
			bp->out_pos = j->out_len;
			return (ssize_t)n;
		}
		if (j->tail_err) {
			finish(bp, j->tail_err);
			continue;
		}
		if (j->bz_live) { /* a block with a huge output: stream it */
			j->out_len = 0;
			bp->out_pos = 0;
			rc = job_pump(j);
			if (rc < 0)
				finish(bp, j->at_eof && rc != DW_ENOMEM ? DW_ETRUNC
									 : rc);
			continue;
		}
		bp->holding = 0;
		job_release(bp);
	}
	return bp->final;
}

/* ---- life cycle ---------------------------------------------------------- */

static void stop_threads(struct dw_bz2par *bp)
{
	if (!bp->sync_ok)
		return;
	pthread_mutex_lock(&bp->mu);
	bp->stop = 1;
	pthread_cond_broadcast(&bp->cv_space);
	pthread_cond_broadcast(&bp->cv_work);
	pthread_cond_broadcast(&bp->cv_done);
	pthread_mutex_unlock(&bp->mu);
	if (bp->scan_started)
		pthread_join(bp->scan_th, NULL);
	for (int i = 0; i < bp->nstarted; i++)
		pthread_join(bp->work_th[i], NULL);
	bp->scan_started = 0;
	bp->nstarted = 0;
}

static int init_sync(struct dw_bz2par *bp)
{
	if (pthread_mutex_init(&bp->mu, NULL))
		return DW_ENOMEM;
	if (pthread_cond_init(&bp->cv_space, NULL))
		goto fail_mu;
	if (pthread_cond_init(&bp->cv_work, NULL))
		goto fail_space;
	if (pthread_cond_init(&bp->cv_done, NULL))
		goto fail_work;
	bp->sync_ok = 1;
	return 0;
fail_work:
	pthread_cond_destroy(&bp->cv_work);
fail_space:
	pthread_cond_destroy(&bp->cv_space);
fail_mu:
	pthread_mutex_destroy(&bp->mu);
	return DW_ENOMEM;
}

static int start_threads(struct dw_bz2par *bp)
{
	int rc;

	bp->work_th = calloc((size_t)bp->nworkers, sizeof *bp->work_th);
	if (!bp->work_th)
		return DW_ENOMEM;
	rc = pthread_create(&bp->scan_th, NULL, scan_main, bp);
	if (rc)
		return -rc;
	bp->scan_started = 1;
	for (int i = 0; i < bp->nworkers; i++) {
		rc = pthread_create(&bp->work_th[i], NULL, work_main, bp);
		if (rc)
			return -rc;
		bp->nstarted++;
	}
	return 0;
}

int dw_bz2par_new(int threads, dw_bz2par_read_fn read, void *ctx,
		  struct dw_bz2par **out)
{
	struct dw_bz2par *bp;
	int rc = DW_ENOMEM;

	if (!read || !out || threads < 1)
		return DW_EINVAL;
	*out = NULL;
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	bp = calloc(1, sizeof *bp);
	if (!bp)
		return DW_ENOMEM;
	bp->nworkers = threads > 1 ? threads : 0;
	bp->njobs = threads > 1 ? 2 * (unsigned)threads + 2 : 2;
	bp->jobs = calloc(bp->njobs, sizeof *bp->jobs);
	bp->sc = calloc(1, sizeof *bp->sc);
	if (!bp->jobs || !bp->sc)
		goto fail;
	bp->sc->win = malloc(WIN_CAP + WIN_PAD);
	if (!bp->sc->win)
		goto fail;
	memset(bp->sc->win, 0, WIN_PAD);
	bp->sc->read = read;
	bp->sc->ctx = ctx;
	scan_tab(bp->sc->tab);
	crc_init(bp->crctab);
	rc = init_sync(bp);
	if (rc < 0)
		goto fail;
	if (bp->nworkers) {
		rc = start_threads(bp);
		if (rc < 0)
			goto fail;
	}
	*out = bp;
	return 0;
fail:
	dw_bz2par_free(bp);
	return rc;
}

void dw_bz2par_free(struct dw_bz2par *bp)
{
	if (!bp)
		return;
	stop_threads(bp);
	for (unsigned i = 0; bp->jobs && i < bp->njobs; i++) {
		job_end(&bp->jobs[i]);
		free(bp->jobs[i].in);
		free(bp->jobs[i].out);
	}
	if (bp->sync_ok) {
		pthread_cond_destroy(&bp->cv_done);
		pthread_cond_destroy(&bp->cv_work);
		pthread_cond_destroy(&bp->cv_space);
		pthread_mutex_destroy(&bp->mu);
	}
	if (bp->sc)
		free(bp->sc->win);
	free(bp->sc);
	free(bp->mbuf);
	free(bp->work_th);
	free(bp->jobs);
	free(bp);
}
