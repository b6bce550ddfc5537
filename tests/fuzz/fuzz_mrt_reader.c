/*
 * fuzz_mrt_reader.c - libFuzzer target: an MRT file in memory, through the
 * whole decode path of `darkwatch mrt stats` and `darkwatch mrt dump`.
 *
 * Data flow covered: stream (compression sniffing; plain bytes mostly) ->
 * reader.c framing (length fix-ups, resync) -> body.c -> src/bgp (messages,
 * attributes, NLRI) via dw_mrt_stats_add, and the bgpdump formatter.
 *
 * Key decisions:
 *   - The formatter (src/cli/bgpdump_fmt.c, src/cli/out.c) is not in lib dw
 *     and tests/CMakeLists.txt links fuzz targets to dw only, so the two files
 *     are compiled into this target by #include.  Both output styles (-m and
 *     -M) run on every record; the text goes to /dev/null (opened once).
 *   - Views returned by the reader point into the reader's own 1 MiB buffer,
 *     where ASan cannot see a view that runs past the data; so every view's
 *     first and last byte is read, and its length is checked against the
 *     record body it must lie in.  Broken invariants abort() with a message.
 *   - Each call to dw_mrt_reader_next must consume input or end it, so the
 *     number of calls is bounded by the input size: a reader that loops is
 *     reported here rather than as a timeout.
 *   - Per-process state (formatter, arena, output buffer, /dev/null fd) is
 *     static and reachable, so LeakSanitizer reports only real leaks.
 *   - Memory must stay bounded whatever the input declares: with a sanitizer
 *     runtime a malloc hook aborts on any single allocation over
 *     FZ_ALLOC_CAP, so replays catch it too, not only -malloc_limit_mb.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/bgpdump_fmt.h"
#include "common/arena.h"
#include "darkwatch/mrt.h"
#include "darkwatch/mrt_stats.h"
#include "darkwatch/stream.h"

/* Not in lib dw: compiled into this target (see the comment above). */
#include "cli/bgpdump_fmt.c"
#include "cli/out.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
/* Present only with a sanitizer runtime (ASan, also under libFuzzer). */
int __sanitizer_install_malloc_and_free_hooks(
	void (*malloc_hook)(const volatile void *, size_t),
	void (*free_hook)(const volatile void *)) __attribute__((weak));

/* No single allocation may exceed this, whatever the input declares: the
 * record cap is 16 MiB (buffer doubling: 32 MiB), an xz dictionary 64 MiB. */
#define FZ_ALLOC_CAP ((size_t)256 << 20)

static struct dw_out fz_out;
static struct bd_fmt *fz_fmt[2]; /* bgpdump -m and -M */
static struct dw_arena *fz_arena;
static volatile uint8_t fz_sink;

static void fz_die(const char *what, const struct dw_mrt_record *rec)
{
	fprintf(stderr, "fuzz_mrt_reader: invariant broken: %s", what);
	if (rec)
		fprintf(stderr, " (record at offset %llu, type %u/%u)",
			(unsigned long long)rec->offset, rec->type,
			rec->subtype);
	fprintf(stderr, "\n");
	abort();
}

static void fz_on_malloc(const volatile void *p, size_t n)
{
	(void)p;
	if (n > FZ_ALLOC_CAP) {
		fprintf(stderr,
			"fuzz_mrt_reader: invariant broken: allocation of %zu bytes\n",
			n);
		abort();
	}
}

static void fz_on_free(const volatile void *p)
{
	(void)p;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* both hooks must be given, or the runtime ignores the call */
	if (__sanitizer_install_malloc_and_free_hooks &&
	    !__sanitizer_install_malloc_and_free_hooks(fz_on_malloc,
						       fz_on_free)) {
		fprintf(stderr, "fuzz_mrt_reader: cannot install malloc hook\n");
		abort();
	}
	return 0;
}

static void fz_setup(void)
{
	if (fz_fmt[0])
		return;
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		perror("fuzz_mrt_reader: /dev/null");
		abort();
	}
	dw_out_init(&fz_out, fd);
	fz_fmt[0] = bd_fmt_new(&fz_out, 0);
	fz_fmt[1] = bd_fmt_new(&fz_out, 1);
	fz_arena = dw_arena_new(64u << 20);
	if (!fz_fmt[0] || !fz_fmt[1] || !fz_arena) {
		fprintf(stderr, "fuzz_mrt_reader: out of memory at setup\n");
		abort();
	}
}

/* Read both ends of a view that must lie inside the record body. */
static void fz_view(const struct dw_mrt_record *rec, const struct dw_bytes *v,
		    const char *what)
{
	if (!v->len)
		return;
	if (!v->p)
		fz_die(what, rec);
	if (rec->body.len && (v->p < rec->body.p ||
			      v->len > rec->body.len ||
			      v->p + v->len > rec->body.p + rec->body.len))
		fz_die(what, rec);
	fz_sink ^= v->p[0] ^ v->p[v->len - 1];
}

static void fz_record(const struct dw_mrt_record *rec,
		      const struct dw_mrt_reader *r)
{
	if (rec->body.len) {
		if (!rec->body.p)
			fz_die("record body NULL", rec);
		fz_sink ^= rec->body.p[0] ^ rec->body.p[rec->body.len - 1];
	}
	fz_sink ^= (uint8_t)strlen(dw_mrt_type_name(rec->type));
	fz_sink ^= (uint8_t)strlen(dw_mrt_subtype_name(rec->type, rec->subtype));
	switch (rec->kind) {
	case DW_MRT_K_TD1:
		fz_view(rec, &rec->u.td1.attrs, "TD1 attrs outside body");
		break;
	case DW_MRT_K_PEER_TABLE: {
		const struct dw_mrt_peer_table *pt = dw_mrt_reader_peers(r);
		if (!pt)
			fz_die("peer table record but no reader peer table", rec);
		for (unsigned i = 0; i < pt->count; i++)
			fz_sink ^= (uint8_t)pt->peers[i].asn;
		if (pt->view_name.len)
			fz_sink ^= pt->view_name.p[pt->view_name.len - 1];
		break;
	}
	case DW_MRT_K_RIB: {
		const struct dw_mrt_rib *rib = &rec->u.rib;
		fz_view(rec, &rib->nlri, "RIB_GENERIC nlri outside body");
		if (rib->count && !rib->entries)
			fz_die("RIB entries NULL", rec);
		for (unsigned i = 0; i < rib->count; i++) {
			const struct dw_mrt_rib_entry *e = &rib->entries[i];
			fz_view(rec, &e->attrs, "RIB entry attrs outside body");
			if (e->peer) /* must point into the live peer table */
				fz_sink ^= (uint8_t)(e->peer->asn ^
						     e->peer->addr.b[15]);
		}
		break;
	}
	case DW_MRT_K_MESSAGE:
		fz_view(rec, &rec->u.msg.msg, "message outside body");
		break;
	case DW_MRT_K_ENTRY:
		fz_view(rec, &rec->u.entry.attrs, "ENTRY attrs outside body");
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dw_mrt_reader_conf conf = DW_MRT_READER_CONF_DEFAULT;
	struct dw_mrt_reader *r = NULL;
	struct dw_mrt_stats *st = NULL;
	const struct dw_mrt_record *rec;
	uint64_t calls = 0, good = 0;
	int rc, stopped = 0;

	fz_setup();
	conf.threads = 1;
	if (dw_mrt_stats_new(&st) < 0)
		return 0;
	if (dw_mrt_reader_open_mem(data, size, &conf, &r) < 0)
		goto out;
	dw_out_init(&fz_out, fz_out.fd);
	int plain = dw_stream_compression(dw_mrt_reader_stream(r)) ==
		    DW_COMP_NONE;
	while ((rc = dw_mrt_reader_next(r, &rec)) != 0) {
		/* Plain input: every call consumes input (>= 1 byte) or ends
		 * it; a batched TABLE_DUMP entry error costs one extra call.
		 * Compressed input may expand a thousandfold: stop early
		 * rather than time out on a bomb. */
		if (++calls > 2 * (uint64_t)size + 16) {
			if (plain)
				fz_die("reader does not advance", NULL);
			stopped = 1;
			break;
		}
		if (rc < 0) {
			const struct dw_mrt_error *e = dw_mrt_reader_error(r);
			fz_sink ^= (uint8_t)strlen(dw_reason_name(e->reason));
			if (rec)
				fz_die("error return with a record", rec);
			if (rc == DW_ENOMEM) {
				stopped = 1;
				break;
			}
			continue;
		}
		if (!rec)
			fz_die("record return without a record", NULL);
		good++;
		fz_record(rec, r);

		enum dw_reason why = DW_R_NONE;
		int src = dw_mrt_stats_add(st, rec, &why);
		if (src != 0)
			dw_mrt_reader_count(r, why, src < 0 ||
							    dw_reason_is_loss(why));
		fz_sink ^= (uint8_t)strlen(dw_reason_name(why));

		for (int h = 0; h < 2; h++) {
			why = DW_R_NONE;
			dw_arena_reset(fz_arena);
			bd_fmt_record(fz_fmt[h], rec, fz_arena, &why);
			fz_sink ^= (uint8_t)strlen(dw_reason_name(why));
		}
	}
	/* after the end the reader stays at the end */
	if (!stopped && dw_mrt_reader_next(r, &rec) != 0)
		fz_die("next after end is not 0", NULL);
	if (dw_mrt_reader_counts(r)->records != good)
		fz_die("counts.records differs from records returned", NULL);
	dw_mrt_stats_add_reader(st, dw_mrt_reader_counts(r));
	const struct dw_mrt_stats_summary *sum = dw_mrt_stats_summary(st);
	if (sum->records != good)
		fz_die("stats records differs from records returned", NULL);
	for (size_t i = 0; i < sum->ntypes; i++)
		fz_sink ^= (uint8_t)sum->types[i].count;
	dw_out_flush(&fz_out);
out:
	dw_mrt_reader_free(r);
	dw_mrt_stats_free(st);
	return 0;
}
