/*
 * input.c - packet sources for the telescope: capture files and interfaces.
 *
 * First step of the telescope stage (telescope.h).  libpcap reads pcap and
 * pcapng and captures live; this file adds compressed captures: the
 * project's stream (darkwatch/stream.h: gzip, bzip2, xz, told from the magic
 * bytes) is handed to libpcap as a FILE through fopencookie, so nothing is
 * decompressed to disk.
 *
 * Plain pcap files (the bulk of darknet archives) bypass libpcap's per-packet
 * read path: libpcap opens the file once to validate the header and map the
 * link type, then the records are read from a read-only mmap of the file
 * through the bounds-checked cursor (no fread copy, no per-packet call into
 * libpcap), and the file's SHA-256 for the store's ingest log is computed
 * over the same mapped bytes, 1 MiB behind the reader while they are still
 * cached, instead of in a separate pass before (dw_tel_input_sha256).
 * With two or more CPUs the hashing runs on a second thread over the same
 * mapping, at most LEAD bytes ahead of the reader (so the mapped pages
 * resident stay bounded), taking SHA-256 (~15 % of the CPU time of a run)
 * off the reading thread; the total CPU time is the same.
 * pcapng, compressed files, standard input and live capture keep libpcap.
 * A file truncated by another process while mapped raises SIGBUS; capture
 * archives are written once, so this is accepted for the speed.
 */
#include "darkwatch/telescope.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cursor.h"
#include "darkwatch/err.h"
#include "darkwatch/hash.h"
#include "darkwatch/stream.h"

#define HASH_STEP ((size_t)1 << 20)
#define LEAD ((size_t)64 << 20) /* hashing thread ahead of the reader */
#define DROP_STEP ((size_t)16 << 20)
#define AHEAD ((size_t)4 << 20) /* populated ahead of the reader */
#define MAX_CAPLEN 262144u /* libpcap's cap on a record (MAXIMUM_SNAPLEN) */

struct dw_tel_input {
	pcap_t *pc; /* NULL for a mapped file */
	int linktype;
	/* mapped plain pcap */
	const uint8_t *map;
	size_t size, hashed;
	struct dw_cur cur;
	uint32_t snaplen;
	int le, hash_rc, ended;
	struct dw_sha256 *sha;
	char err[160];
	/* hashing thread (th_on): progress of each side, published */
	pthread_t th;
	int th_on, th_rc;
	size_t dropped;
	atomic_size_t th_pos, rd_pos;
	atomic_int th_stop;
};

static ssize_t cookie_read(void *c, char *buf, size_t n)
{
	ssize_t r = dw_stream_read(c, buf, n);
	if (r < 0) {
		errno = EIO;
		return -1;
	}
	return r;
}

static int cookie_close(void *c)
{
	dw_stream_free(c);
	return 0;
}

/* A field of a record header whose 16 bytes the cursor vouched for. */
static inline uint32_t hdr32(const uint8_t *p, int le)
{
	uint32_t v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		     (uint32_t)p[2] << 8 | p[3];
	return le ? __builtin_bswap32(v) : v;
}

/*
 * Fault in [from, from + n) of the map in one call (clipped to the file):
 * page faults on the mapped file cost ~5 % when taken one fault-around
 * window at a time.  Best effort (Linux >= 5.14).
 */
static void populate(struct dw_tel_input *in, size_t from, size_t n)
{
#ifdef MADV_POPULATE_READ
	from &= ~(size_t)4095;
	if (from >= in->size)
		return;
	if (n > in->size - from)
		n = in->size - from;
	(void)madvise((void *)(uintptr_t)(in->map + from), n,
		      MADV_POPULATE_READ);
#else
	(void)in;
	(void)from;
	(void)n;
#endif
}

static void *hasher(void *arg)
{
	struct dw_tel_input *in = arg;
	size_t pos = 0;
	int rc = 0;

	while (pos < in->size && !rc && !atomic_load(&in->th_stop)) {
		size_t n = in->size - pos < HASH_STEP ? in->size - pos : HASH_STEP;
		if (pos > atomic_load(&in->rd_pos) + LEAD) {
			struct timespec ts = {0, 200000};
			nanosleep(&ts, NULL);
			continue;
		}
		populate(in, pos, n); /* faults in one call, ahead of the reader */
		rc = dw_sha256_update(in->sha, in->map + pos, n);
		pos += n;
		atomic_store(&in->th_pos, pos);
	}
	in->th_rc = rc;
	return NULL;
}

/* Drop [in->dropped, upto) of the map from our RSS (page cache keeps it). */
static void drop(struct dw_tel_input *in, size_t upto)
{
	size_t lo = in->dropped & ~(size_t)4095, hi = upto & ~(size_t)4095;

	if (hi > lo) {
		(void)madvise((void *)(uintptr_t)(in->map + lo), hi - lo,
			      MADV_DONTNEED);
		in->dropped = hi;
	}
}

/* Hash the mapped bytes up to end (already read by the parser). */
static void hash_upto(struct dw_tel_input *in, size_t end)
{
	if (in->th_on) {
		size_t th = atomic_load(&in->th_pos), both = th < end ? th : end;
		atomic_store(&in->rd_pos, end);
		/* in big steps: each madvise interrupts the hashing CPU too */
		if (both - in->dropped >= DROP_STEP)
			drop(in, both);
		in->hashed = end;
		if (end == in->size) { /* the end: wait for the hash */
			pthread_join(in->th, NULL);
			in->th_on = 0;
			in->hash_rc = in->th_rc;
		}
		return;
	}
	if (end > in->hashed && in->hash_rc == 0) {
		size_t pg = 4096, lo = in->hashed & ~(pg - 1);
		size_t hi = end & ~(pg - 1);

		in->hash_rc = dw_sha256_update(in->sha, in->map + in->hashed,
					       end - in->hashed);
		in->hashed = end;
		/* read and hashed: drop from our RSS (the page cache keeps it) */
		if (hi > lo)
			(void)madvise((void *)(uintptr_t)(in->map + lo), hi - lo,
				      MADV_DONTNEED);
		populate(in, end + AHEAD, HASH_STEP);
	}
}

/*
 * Map a plain pcap file (magic checked here; header validated by libpcap,
 * whose handle pc gives the link type and snaplen and is closed).  Returns
 * 1 mapped (*out set), 0 not a plain pcap (use libpcap), <0 error.
 */
static int try_map(const char *path, pcap_t *pc, struct dw_tel_input **out)
{
	struct dw_tel_input *in = NULL;
	struct stat st;
	uint32_t magic = 0;
	struct dw_cur mc;
	void *m;
	int fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 24)
		goto out;
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		goto out;
	mc = dw_cur_make(m, 24);
	(void)dw_cur_u32(&mc, &magic);
	if (magic != 0xa1b2c3d4u && magic != 0xa1b23c4du &&
	    magic != 0xd4c3b2a1u && magic != 0x4d3cb2a1u) {
		munmap(m, (size_t)st.st_size);
		goto out;
	}
	if (!(in = calloc(1, sizeof(*in))) || dw_sha256_new(&in->sha) < 0) {
		if (in)
			free(in);
		munmap(m, (size_t)st.st_size);
		rc = DW_ENOMEM;
		goto out;
	}
	(void)madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
	(void)madvise(m, (size_t)st.st_size, MADV_WILLNEED);
	in->map = m;
	in->size = (size_t)st.st_size;
	in->cur = dw_cur_make(in->map + 24, in->size - 24);
	populate(in, 0, AHEAD + HASH_STEP);
	if (sysconf(_SC_NPROCESSORS_ONLN) >= 2 &&
	    pthread_create(&in->th, NULL, hasher, in) == 0)
		in->th_on = 1;
	/* read big-endian, a1b2... is a big-endian file */
	in->le = magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u;
	in->linktype = pcap_datalink(pc);
	in->snaplen = (uint32_t)pcap_snapshot(pc);
	pcap_close(pc);
	*out = in;
	rc = 1;
out:
	close(fd);
	return rc;
}

/* Next record of a mapped file, as libpcap's sf-pcap.c would give it. */
static int map_next(struct dw_tel_input *in, struct dw_tel_frame *f)
{
	struct dw_cur c = in->cur;
	uint32_t sec, caplen, len;
	const uint8_t *d, *h;
	size_t off = (size_t)(in->cur.p - in->map);

	if (off - in->hashed >= HASH_STEP)
		hash_upto(in, off);
	if (dw_cur_left(&c) == 0)
		goto end;
	if (dw_cur_bytes(&c, 16, &h) < 0) {
		snprintf(in->err, sizeof(in->err), "truncated dump file; tried "
			 "to read 16 header bytes, only got %zu",
			 dw_cur_left(&c));
		goto trunc;
	}
	sec = hdr32(h, in->le);
	caplen = hdr32(h + 8, in->le);
	len = hdr32(h + 12, in->le);
	if (caplen > MAX_CAPLEN) {
		snprintf(in->err, sizeof(in->err), "invalid packet capture "
			 "length %u, bigger than maximum of %u", caplen,
			 MAX_CAPLEN);
		in->ended = 1;
		hash_upto(in, in->size);
		return DW_EIO;
	}
	if (dw_cur_bytes(&c, caplen, &d) < 0) {
		snprintf(in->err, sizeof(in->err), "truncated dump file; tried "
			 "to read %u captured bytes, only got %zu", caplen,
			 dw_cur_left(&c));
		goto trunc;
	}
	in->cur = c;
	f->ts = (int64_t)sec;
	f->data = d;
	/* libpcap keeps at most snaplen bytes of a longer record */
	f->caplen = in->snaplen && caplen > in->snaplen ? in->snaplen : caplen;
	f->wirelen = len;
	return 1;
end:
	in->ended = 1;
	hash_upto(in, in->size);
	return 0;
trunc:
	in->ended = 1;
	hash_upto(in, in->size);
	return DW_ETRUNC;
}

static int wrap(pcap_t *pc, struct dw_tel_input **out)
{
	struct dw_tel_input *in = calloc(1, sizeof(*in));
	if (!in) {
		pcap_close(pc);
		return DW_ENOMEM;
	}
	in->pc = pc;
	in->linktype = pcap_datalink(pc);
	*out = in;
	return 0;
}

int dw_tel_input_file(const char *path, struct dw_tel_input **out, char *msg,
		      size_t msglen)
{
	static const cookie_io_functions_t io = {cookie_read, NULL, NULL,
						 cookie_close};
	struct dw_stream_conf sc = {1};
	struct dw_stream *s = NULL;
	char eb[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc;
	FILE *f;
	int rc;

	*out = NULL;
	if (msglen)
		msg[0] = 0;
	if (strcmp(path, "-")) {
		if ((rc = dw_stream_open(path, &sc, &s)) < 0) {
			snprintf(msg, msglen, "%s", dw_strerror(rc));
			return rc;
		}
		if (dw_stream_compression(s) == DW_COMP_NONE) {
			dw_stream_free(s);
			if (!(pc = pcap_open_offline(path, eb))) {
				snprintf(msg, msglen, "%s", eb);
				return DW_EFORMAT;
			}
			if ((rc = try_map(path, pc, out)) != 0) {
				if (rc < 0) {
					pcap_close(pc);
					snprintf(msg, msglen, "%s", dw_strerror(rc));
				}
				return rc < 0 ? rc : 0;
			}
			return wrap(pc, out);
		}
	} else if ((rc = dw_stream_open(path, &sc, &s)) < 0) {
		snprintf(msg, msglen, "%s", dw_strerror(rc));
		return rc;
	}
	if (!(f = fopencookie(s, "r", io))) {
		rc = -errno;
		dw_stream_free(s);
		snprintf(msg, msglen, "%s", strerror(-rc));
		return rc;
	}
	if (!(pc = pcap_fopen_offline(f, eb))) {
		fclose(f); /* frees the stream */
		snprintf(msg, msglen, "%s", eb);
		return DW_EFORMAT;
	}
	return wrap(pc, out);
}

int dw_tel_input_live(const char *ifname, struct dw_tel_input **out,
		      char *msg, size_t msglen)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc;

	*out = NULL;
	if (!(pc = pcap_create(ifname, eb))) {
		snprintf(msg, msglen, "%s", eb);
		return DW_EIO;
	}
	if (pcap_set_snaplen(pc, 256) || pcap_set_promisc(pc, 1) ||
	    pcap_set_timeout(pc, 200) || pcap_set_immediate_mode(pc, 1) ||
	    pcap_set_buffer_size(pc, 32 << 20) || pcap_activate(pc) < 0) {
		snprintf(msg, msglen, "%s", pcap_geterr(pc));
		pcap_close(pc);
		return DW_EIO;
	}
	return wrap(pc, out);
}

int dw_tel_input_linktype(const struct dw_tel_input *in)
{
	return in->linktype;
}

int dw_tel_input_next(struct dw_tel_input *in, struct dw_tel_frame *f)
{
	struct pcap_pkthdr *h;
	const u_char *d;

	if (!in->pc)
		return map_next(in, f);
	switch (pcap_next_ex(in->pc, &h, &d)) {
	case 1:
		f->ts = (int64_t)h->ts.tv_sec;
		f->data = d;
		f->caplen = h->caplen;
		f->wirelen = h->len;
		return 1;
	case 0:
	case PCAP_ERROR_BREAK:
		return 0;
	default:
		return strstr(pcap_geterr(in->pc), "truncated") ? DW_ETRUNC
								 : DW_EIO;
	}
}

int dw_tel_input_sha256(struct dw_tel_input *in,
			char hex[DW_SHA256_HEX_LEN + 1])
{
	if (in->pc)
		return DW_EUNSUPP;
	if (!in->ended)
		return DW_EINVAL;
	if (in->hash_rc < 0)
		return in->hash_rc;
	return dw_sha256_final(in->sha, hex);
}

const char *dw_tel_input_error(const struct dw_tel_input *in)
{
	return in->pc ? pcap_geterr(in->pc) : in->err;
}

void dw_tel_input_break(struct dw_tel_input *in)
{
	if (in->pc)
		pcap_breakloop(in->pc);
}

void dw_tel_input_free(struct dw_tel_input *in)
{
	if (!in)
		return;
	if (in->pc)
		pcap_close(in->pc);
	if (in->th_on) {
		atomic_store(&in->th_stop, 1);
		pthread_join(in->th, NULL);
	}
	if (in->map)
		munmap((void *)(uintptr_t)in->map, in->size);
	dw_sha256_free(in->sha);
	free(in);
}
