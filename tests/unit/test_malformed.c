/*
 * test_malformed.c - the twenty classes of malformed MRT input, each as a
 * small crafted file built in memory.
 *
 * A case assembles its bytes here (hex strings for the hand-made damage, the
 * mrt_writer.h builders where a valid bulk structure is needed), reads them
 * through dw_mrt_reader_open_mem/next and decodes every record the way
 * `darkwatch mrt stats` does (dw_mrt_stats_add; malformed messages and lost
 * prefixes counted against the reader, tolerated oddities counted by the
 * stats).  It states the exact sequence of outcomes: which records come
 * back, which are skipped with which code, reason and record offset, that the
 * record after the damage is still returned, and the final counters.
 * UPDATE and OPEN cases are also decoded directly (dw_bgp_msg_decode,
 * dw_bgp_attrs_decode, dw_bgp_update_check, dw_nlri_next) and their values
 * checked where the input is a valid edge case.
 *
 * Each case runs in a child process under an alarm, so a crash or hang in one
 * (the decoder runs under ASan+UBSan in the sanitizer build) fails that case
 * and the others still run.  Longer than the house ~800 lines on purpose:
 * one table entry per class of damage keeps the checklist in one
 * place.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/arena.h"
#include "darkwatch/bgp.h"
#include "darkwatch/buf.h"
#include "darkwatch/mrt.h"
#include "darkwatch/mrt_stats.h"
#include "darkwatch/mrt_writer.h"
#include "testutil.h"

#define TS      1600000000u
#define MAXMARK 64
#define BUFCAP  (4u << 20)

/* ------------------------------------------------------------ bytes */

static struct dw_buf F;         /* the file being built */
static size_t mark_at[MAXMARK]; /* record offsets in the plain stream */
static int nmark;
static char tmpdir[512];

static void put(struct dw_buf *b, const void *p, size_t n)
{
	if (dw_buf_put_bytes(b, p, n))
		dw_test_fail(__FILE__, __LINE__, "buffer full");
}

static void u8_(struct dw_buf *b, unsigned v)
{
	uint8_t x = (uint8_t)v;
	put(b, &x, 1);
}

static void u16_(struct dw_buf *b, unsigned v)
{
	u8_(b, (v >> 8) & 0xff);
	u8_(b, v & 0xff);
}

static void u32_(struct dw_buf *b, uint32_t v)
{
	u16_(b, v >> 16);
	u16_(b, v & 0xffff);
}

/* Hex digits; spaces are ignored so tables can group fields. */
static void hx(struct dw_buf *b, const char *s)
{
	int hi = -1;
	for (; s && *s; s++) {
		int v;
		if (*s == ' ')
			continue;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else {
			dw_test_fail(__FILE__, __LINE__, "bad hex '%c'", *s);
			return;
		}
		if (hi < 0) {
			hi = v;
		} else {
			u8_(b, (unsigned)(hi << 4 | v));
			hi = -1;
		}
	}
	if (hi >= 0)
		dw_test_fail(__FILE__, __LINE__, "odd number of hex digits");
}

/* Remember where the next record (or the end) starts. */
static void mark(void)
{
	if (nmark < MAXMARK)
		mark_at[nmark++] = F.len;
}

/* A record with its true length; BGP4MP_ET gets usec 123456. */
static void rec(uint32_t ts, uint16_t type, uint16_t st, const void *body,
		size_t n)
{
	int et = type == DW_MRT_BGP4MP_ET;
	mark();
	u32_(&F, ts);
	u16_(&F, type);
	u16_(&F, st);
	u32_(&F, (uint32_t)n + (et ? 4u : 0u));
	if (et)
		u32_(&F, 123456);
	put(&F, body, n);
}

/* A record header with any length, then raw body bytes. */
static void rec_raw(uint32_t ts, uint16_t type, uint16_t st, uint32_t len,
		    const char *hex)
{
	mark();
	u32_(&F, ts);
	u16_(&F, type);
	u16_(&F, st);
	u32_(&F, len);
	hx(&F, hex);
}

static void rec_hex(uint32_t ts, uint16_t type, uint16_t st, const char *hex)
{
	struct dw_buf b;
	dw_buf_init(&b, BUFCAP);
	hx(&b, hex);
	rec(ts, type, st, b.data, b.len);
	dw_buf_free(&b);
}

static int st_as4(uint16_t st)
{
	return st == 4 || st == 7 || st == 9 || st == 11;
}

/* BGP4MP message record: AS65001 10.0.0.1 -> AS65000 10.0.0.2, then msg. */
static void bgp4mp_rec(uint32_t ts, uint16_t type, uint16_t st,
		       const struct dw_buf *msg)
{
	struct dw_buf b;
	dw_buf_init(&b, BUFCAP);
	hx(&b, st_as4(st) ? "0000fde9 0000fde8" : "fde9 fde8");
	hx(&b, "0000 0001 0a000001 0a000002");
	put(&b, msg->data, msg->len);
	rec(ts, type, st, b.data, b.len);
	dw_buf_free(&b);
}

/* BGP header (true length + delta, or len_abs) and body. */
static void bgp_msg(struct dw_buf *m, unsigned type, const struct dw_buf *body,
		    int len_delta, unsigned len_abs, int bad_marker)
{
	long n = 19 + (long)body->len + len_delta;
	hx(m, "ffffffffffffffffffffffffffffffff");
	if (bad_marker)
		m->data[m->len - 2] = 0xfe;
	u16_(m, len_abs ? len_abs : (unsigned)n);
	u8_(m, type);
	put(m, body->data, body->len);
}

typedef void (*gen_fn)(struct dw_buf *);

/* UPDATE body: withdrawn, attributes, NLRI, with lying lengths on demand. */
static void update_body(struct dw_buf *b, const char *w, const char *a,
			gen_fn afn, const char *n, gen_fn nfn, int wdelta,
			int adelta)
{
	struct dw_buf t;
	dw_buf_init(&t, BUFCAP);
	hx(&t, w);
	u16_(b, (unsigned)((long)t.len + wdelta));
	put(b, t.data, t.len);
	dw_buf_reset(&t);
	if (afn)
		afn(&t);
	else
		hx(&t, a);
	u16_(b, (unsigned)((long)t.len + adelta));
	put(b, t.data, t.len);
	dw_buf_reset(&t);
	if (nfn)
		nfn(&t);
	else
		hx(&t, n);
	put(b, t.data, t.len);
	dw_buf_free(&t);
}

/* Attributes (as4 session): ORIGIN IGP, AS_PATH 65001, NEXT_HOP 10.0.0.1 */
#define ORIGIN  "40010100 "
#define ASPATH  "40020602010000fde9 "
#define NEXTHOP "4003040a000001 "
#define STD     ORIGIN ASPATH NEXTHOP
#define NLRI_OK "18c63364" /* 198.51.100.0/24 */
/* MP_REACH_NLRI IPv6 unicast, next hop 2001:db8::1, then NLRI */
#define MP6(len, nlri) \
	"800e" len " 0002 01 10 20010db8000000000000000000000001 00 " nlri " "

static void upd(uint32_t ts, uint16_t type, uint16_t st, const char *w,
		const char *a, const char *n)
{
	struct dw_buf body, msg;
	dw_buf_init(&body, BUFCAP);
	dw_buf_init(&msg, BUFCAP);
	update_body(&body, w, a, NULL, n, NULL, 0, 0);
	bgp_msg(&msg, DW_BGP_UPDATE, &body, 0, 0, 0);
	bgp4mp_rec(ts, type, st, &msg);
	dw_buf_free(&body);
	dw_buf_free(&msg);
}

/* The clean record around every damage: announces 198.51.100.0/24. */
static void good(uint32_t ts)
{
	upd(ts, DW_MRT_BGP4MP, DW_BGP4MP_MESSAGE_AS4, "", STD, NLRI_OK);
}

static struct dw_addr v4(uint32_t host)
{
	struct dw_addr a;
	dw_addr_set_v4(&a, host);
	return a;
}

/* PEER_INDEX_TABLE of n IPv4 peers (ip[i], AS 65001+i); cut the body. */
static void pit(uint32_t ts, const uint32_t *ip, size_t n, size_t cut)
{
	struct dw_mrt_peer p[8];
	struct dw_buf b;
	dw_buf_init(&b, BUFCAP);
	for (size_t i = 0; i < n && i < 8; i++) {
		p[i].addr = v4(ip[i]);
		p[i].asn = 65001 + (uint32_t)i;
		p[i].bgp_id = ip[i];
	}
	CHECK_EQ_INT(dw_mrt_build_peer_index(&b, 0x0a000063, "", p, n), 0);
	rec(ts, DW_MRT_TABLE_DUMP_V2, DW_TD2_PEER_INDEX_TABLE, b.data,
	    cut ? cut : b.len);
	dw_buf_free(&b);
}

/* RIB record for `prefix`, one entry per idx[], each with ncomm communities */
static void rib(uint32_t ts, const char *prefix, const uint16_t *idx, size_t n,
		int addpath, uint32_t path_id, size_t ncomm)
{
	static uint32_t comm[4096];
	uint32_t path[1] = {65001};
	struct dw_bgp_attr_spec as;
	struct dw_mrt_rib_entry_spec e[64];
	struct dw_prefix p;
	struct dw_buf a, b;

	memset(&as, 0, sizeof(as));
	as.as4 = 1;
	as.path = path;
	as.path_len = 1;
	as.nexthop = v4(0x0a000001);
	for (size_t i = 0; i < ncomm && i < 4096; i++)
		comm[i] = 0xfde90000u + (uint32_t)i;
	as.communities = comm;
	as.ncommunities = ncomm;
	dw_buf_init(&a, BUFCAP);
	dw_buf_init(&b, BUFCAP);
	CHECK_EQ_INT(dw_bgp_build_attrs(&a, &as, DW_BGP_ATTRS_RIB), 0);
	for (size_t i = 0; i < n && i < 64; i++)
		e[i] = (struct dw_mrt_rib_entry_spec){idx[i], ts, path_id,
						      a.data, a.len};
	CHECK_EQ_INT(dw_prefix_parse(prefix, &p), 0);
	CHECK_EQ_INT(dw_mrt_build_rib(&b, 1, &p, e, n, addpath), 0);
	rec(ts, DW_MRT_TABLE_DUMP_V2, dw_mrt_rib_subtype(&p, addpath), b.data,
	    b.len);
	dw_buf_free(&a);
	dw_buf_free(&b);
}

/* ------------------------------------------------------ compression */

static uint32_t crc32_(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
	}
	return ~c;
}

static void le16(struct dw_buf *b, unsigned v)
{
	u8_(b, v & 0xff);
	u8_(b, (v >> 8) & 0xff);
}

static void le32(struct dw_buf *b, uint32_t v)
{
	le16(b, v & 0xffff);
	le16(b, v >> 16);
}

/*
 * gzip member of two stored deflate blocks split at `split`: a format where
 * the place of any damage is exact.  *blk2 = offset of the second block.
 */
static void gz_stored(struct dw_buf *out, const uint8_t *p, size_t n,
		      size_t split, size_t *blk2)
{
	hx(out, "1f8b 08 00 00000000 00 ff");
	u8_(out, 0);
	le16(out, (unsigned)split);
	le16(out, (unsigned)~split & 0xffff);
	put(out, p, split);
	*blk2 = out->len;
	u8_(out, 1);
	le16(out, (unsigned)(n - split));
	le16(out, (unsigned)~(n - split) & 0xffff);
	put(out, p + split, n - split);
	le32(out, crc32_(p, n));
	le32(out, (uint32_t)n);
}

/* Compress with the MRT writer (through a file, the writer's only sink). */
static void wcompress(struct dw_buf *out, enum dw_compress comp,
		      const uint8_t *p, size_t n)
{
	char path[600];
	struct dw_mrt_writer *w;
	uint8_t chunk[4096];
	size_t k;
	FILE *f;

	snprintf(path, sizeof(path), "%s/w%d.tmp", tmpdir, (int)getpid());
	CHECK_EQ_INT(dw_mrt_writer_open(path, comp, 1, &w), 0);
	CHECK_EQ_INT(dw_mrt_writer_raw(w, p, n), 0);
	CHECK_EQ_INT(dw_mrt_writer_close(w), 0);
	dw_mrt_writer_free(w);
	f = fopen(path, "rb");
	CHECK(f != NULL);
	while (f && (k = fread(chunk, 1, sizeof(chunk), f)) > 0)
		put(out, chunk, k);
	if (f)
		fclose(f);
	unlink(path);
}

/* F := compress(F[0, split)) + compress(F[split, end)), two members. */
static void two_members(enum dw_compress comp, size_t split, struct dw_buf *m2)
{
	struct dw_buf out;
	dw_buf_init(&out, BUFCAP);
	wcompress(&out, comp, F.data, split);
	wcompress(m2, comp, F.data + split, F.len - split);
	dw_buf_reset(&F);
	put(&F, out.data, out.len);
	dw_buf_free(&out);
}

/* ------------------------------------------------------------ runner */

enum { EV_END = 0, EV_REC, EV_ERR };
enum { O_OK = 0, O_WARN, O_LOSS, O_BAD };

/* One outcome of dw_mrt_reader_next (+ dw_mrt_stats_add for a record). */
struct ev {
	int kind;
	/* EV_REC: 0 ok, 1 prefixes lost, or DW_EMALFORMED;
	 * EV_ERR: what dw_mrt_reader_next() returned */
	int code;
	enum dw_reason why;
	unsigned at; /* expected outcomes: index into mark_at */
};

/* clang-format off */
#define OK(i)        {EV_REC, 0, DW_R_NONE, i}
#define LOSS(i, r)   {EV_REC, 1, r, i}
#define BAD(i, r)    {EV_REC, DW_EMALFORMED, r, i}
#define ERR(i, c, r) {EV_ERR, c, r, i}
/* clang-format on */

struct cnt {
	enum dw_reason r;
	uint64_t n;
};

struct expect {
	struct ev ev[8];
	uint64_t records, skipped;
	struct cnt why[4]; /* every other reason must stay 0 */
};

typedef void (*rec_check)(int i, const struct dw_mrt_record *rec);

static void ev_str(const struct ev *e, uint64_t off, char *b, size_t n)
{
	size_t k = strlen(b);
	const char *sep = k ? " | " : "";
	if (e->kind == EV_REC && e->code == 0)
		snprintf(b + k, n - k, "%srecord@%llu ok", sep,
			 (unsigned long long)off);
	else if (e->kind == EV_REC)
		snprintf(b + k, n - k, "%srecord@%llu %s %s", sep,
			 (unsigned long long)off,
			 e->code == 1 ? "loss" : "malformed",
			 dw_reason_name(e->why));
	else
		snprintf(b + k, n - k, "%serror@%llu (%s) %s", sep,
			 (unsigned long long)off, dw_strerror(e->code),
			 dw_reason_name(e->why));
}

static void counts_str(uint64_t records, uint64_t skipped,
		       const uint64_t *reasons, char *b, size_t n)
{
	size_t k = (size_t)snprintf(b, n, "records=%llu skipped=%llu",
				    (unsigned long long)records,
				    (unsigned long long)skipped);
	for (int r = 1; r < DW_R__COUNT && k < n; r++)
		if (reasons[r])
			k += (size_t)snprintf(b + k, n - k, " %s=%llu",
					      dw_reason_name((enum dw_reason)r),
					      (unsigned long long)reasons[r]);
}

/*
 * Read p[0, n) to the end like `darkwatch mrt stats` and compare the
 * outcomes and the counters with *x.  `check` sees every returned record.
 */
static void run(const uint8_t *p, size_t n, int threads, uint32_t max_record,
		const struct expect *x, rec_check check)
{
	struct dw_mrt_reader_conf conf = DW_MRT_READER_CONF_DEFAULT;
	struct dw_mrt_reader *r = NULL;
	struct dw_mrt_stats *st = NULL;
	char got[1024] = "", want[1024] = "";
	int nrec = 0;

	conf.threads = threads ? threads : 1;
	if (max_record)
		conf.max_record = max_record;
	CHECK_EQ_INT(dw_mrt_reader_open_mem(p, n, &conf, &r), 0);
	CHECK_EQ_INT(dw_mrt_stats_new(&st), 0);
	if (!r || !st)
		goto out;
	for (int guard = 0;; guard++) {
		const struct dw_mrt_record *rec;
		struct ev e = {EV_REC, 0, DW_R_NONE, 0};
		uint64_t off;
		if (guard > 1000) {
			dw_test_fail(__FILE__, __LINE__, "reader does not end");
			break;
		}
		int rc = dw_mrt_reader_next(r, &rec);
		if (rc == 0)
			break;
		if (rc < 0) {
			const struct dw_mrt_error *err = dw_mrt_reader_error(r);
			e = (struct ev){EV_ERR, rc, err->reason, 0};
			off = err->offset;
		} else {
			enum dw_reason why = DW_R_NONE;
			int src = dw_mrt_stats_add(st, rec, &why);
			int loss = src > 0 && dw_reason_is_loss(why);
			off = rec->offset;
			if (src < 0 || loss) {
				dw_mrt_reader_count(r, why, 1);
				e.code = src < 0 ? DW_EMALFORMED : 1;
				e.why = why;
			} else if (src > 0) {
				dw_mrt_reader_count(r, why, 0);
			}
			if (check)
				check(nrec, rec);
			nrec++;
		}
		ev_str(&e, off, got, sizeof(got));
		if (rc == DW_ENOMEM)
			break;
	}
	for (int i = 0; i < 8 && x->ev[i].kind != EV_END; i++)
		ev_str(&x->ev[i], mark_at[x->ev[i].at], want, sizeof(want));
	CHECK_EQ_STR(got, want);

	uint64_t wr[DW_R__COUNT] = {0};
	for (int i = 0; i < 4; i++)
		if (x->why[i].r != DW_R_NONE)
			wr[x->why[i].r] = x->why[i].n;
	dw_mrt_stats_add_reader(st, dw_mrt_reader_counts(r));
	const struct dw_mrt_stats_summary *s = dw_mrt_stats_summary(st);
	counts_str(s->records, s->skipped, s->reasons, got, sizeof(got));
	counts_str(x->records, x->skipped, wr, want, sizeof(want));
	CHECK_EQ_STR(got, want);
out:
	dw_mrt_stats_free(st);
	dw_mrt_reader_free(r);
}

/* ------------------------------------------------------ value checks */

static const char *pfx_str(const struct dw_prefix *p, char *b)
{
	b[dw_prefix_fmt(p, b)] = 0;
	return b;
}

static const char *addr_str(const struct dw_addr *a, char *b)
{
	b[dw_addr_fmt(a, b)] = 0;
	return b;
}

/* The i-th prefix of an NLRI field ("" if absent); *n = the count. */
static const char *nth_prefix(const struct dw_nlri *nl, int i, int *n,
			      uint32_t *id, char *b)
{
	size_t off = 0;
	struct dw_prefix p;
	uint32_t pid;
	enum dw_reason why;
	int rc, k = 0;
	b[0] = 0;
	while ((rc = dw_nlri_next(nl, &off, &p, &pid, &why)) > 0) {
		if (k == i) {
			pfx_str(&p, b);
			if (id)
				*id = pid;
		}
		k++;
	}
	if (rc < 0)
		dw_test_fail(__FILE__, __LINE__,
			     "NLRI still bad after repair: %s",
			     dw_reason_name(why));
	if (n)
		*n = k;
	return b;
}

static int nlri_count(const struct dw_nlri *nl)
{
	char b[DW_PREFIX_STRLEN + 1];
	int n = 0;
	nth_prefix(nl, 0, &n, NULL, b);
	return n;
}

typedef void (*msg_check)(const struct dw_bgp_msg *m,
			  const struct dw_bgp_attrs *a);

static void c_default_route(const struct dw_bgp_msg *m,
			    const struct dw_bgp_attrs *a)
{
	char b[64];
	uint32_t id = 77;
	(void)a;
	CHECK_EQ_INT(m->u.update.nlri.addpath, 0);
	CHECK_EQ_STR(nth_prefix(&m->u.update.nlri, 0, NULL, &id, b),
		     "0.0.0.0/0");
	CHECK_EQ_U64(id, 0);
}

static void c_path_id_0(const struct dw_bgp_msg *m,
			const struct dw_bgp_attrs *a)
{
	char b[64];
	uint32_t id = 77;
	(void)a;
	CHECK_EQ_INT(m->u.update.nlri.addpath, 1);
	CHECK_EQ_STR(nth_prefix(&m->u.update.nlri, 0, NULL, &id, b),
		     "10.1.2.0/24");
	CHECK_EQ_U64(id, 0);
}

static void c_path_id_0_default(const struct dw_bgp_msg *m,
				const struct dw_bgp_attrs *a)
{
	char b[64];
	uint32_t id = 77;
	(void)a;
	CHECK_EQ_INT(m->u.update.nlri.addpath, 1);
	CHECK_EQ_STR(nth_prefix(&m->u.update.nlri, 0, NULL, &id, b),
		     "0.0.0.0/0");
	CHECK_EQ_U64(id, 0);
}

static void c_addpath_208(const struct dw_bgp_msg *m,
			  const struct dw_bgp_attrs *a)
{
	char b[64];
	uint32_t id = 0;
	(void)a;
	CHECK_EQ_INT(m->u.update.nlri.addpath, 1); /* switched by the repair */
	CHECK_EQ_STR(nth_prefix(&m->u.update.nlri, 0, NULL, &id, b),
		     "10.1.2.0/24");
	CHECK_EQ_U64(id, 0xd0000001u);
}

static void c_plain_in_addpath(const struct dw_bgp_msg *m,
			       const struct dw_bgp_attrs *a)
{
	char b[64];
	(void)a;
	CHECK_EQ_INT(m->u.update.nlri.addpath, 0);
	CHECK_EQ_STR(nth_prefix(&m->u.update.nlri, 0, NULL, NULL, b),
		     "10.1.2.0/24");
}

static void c_kept_before_damage(const struct dw_bgp_msg *m,
				 const struct dw_bgp_attrs *a)
{
	char b[64];
	(void)a;
	CHECK_EQ_STR(nth_prefix(&m->u.update.nlri, 0, NULL, NULL, b),
		     "10.1.0.0/16");
}

static void c_v6_kept(const struct dw_bgp_msg *m, const struct dw_bgp_attrs *a)
{
	char b[64];
	(void)m;
	CHECK_EQ_STR(nth_prefix(&a->mp_reach.nlri, 0, NULL, NULL, b),
		     "2001:db8::/32");
}

static void c_v6_default(const struct dw_bgp_msg *m,
			 const struct dw_bgp_attrs *a)
{
	char b[64];
	(void)m;
	CHECK_EQ_STR(nth_prefix(&a->mp_reach.nlri, 0, NULL, NULL, b), "::/0");
}

static void c_nh32(const struct dw_bgp_msg *m, const struct dw_bgp_attrs *a)
{
	char b[64];
	(void)m;
	CHECK_EQ_INT(a->mp_reach.nh_len, 32);
	CHECK_EQ_STR(addr_str(&a->mp_reach.nexthop, b), "2001:db8::1");
	CHECK_EQ_STR(addr_str(&a->mp_reach.nexthop_local, b), "fe80::1");
}

static void c_mp_opaque(const struct dw_bgp_msg *m,
			const struct dw_bgp_attrs *a)
{
	(void)m;
	CHECK_EQ_INT(a->mp_reach.opaque, 1);
	CHECK_EQ_INT(a->mp_reach.afi, 25);
	CHECK_EQ_INT(a->mp_reach.safi, 65);
}

static void c_unknown_kept(const struct dw_bgp_msg *m,
			   const struct dw_bgp_attrs *a)
{
	(void)m;
	CHECK_EQ_INT(a->nunknown, 1);
	CHECK_EQ_INT(a->unknown[0].type, 99);
	CHECK_EQ_INT(a->unknown[0].flags, 0xc0);
	CHECK_EQ_INT(a->unknown[0].value.len, 3);
	CHECK_EQ_MEM(a->unknown[0].value.p, "\xff\xff\xff", 3);
	CHECK_EQ_INT(a->aspath.nasn, 1);
}

static void c_2048(const struct dw_bgp_msg *m, const struct dw_bgp_attrs *a)
{
	(void)m;
	CHECK_EQ_INT(a->aspath.nasn, 2048);
	CHECK_EQ_INT(a->aspath.nseg, 9);
	CHECK_EQ_U64(a->aspath.seg[8].asn[7], 100000u + 2047u);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void c_comm3000(const struct dw_bgp_msg *m, const struct dw_bgp_attrs *a)
{
	CHECK(m->length > 4096);
	CHECK_EQ_INT(a->communities.len / 4, 3000);
	CHECK_EQ_U64(be32(a->communities.p), 0xfde90001u);
	CHECK_EQ_U64(be32(a->communities.p + 11996), 0xfde90000u + 3000u);
}

static void c_1200(const struct dw_bgp_msg *m, const struct dw_bgp_attrs *a)
{
	char b[64];
	(void)a;
	CHECK(m->length > 4096);
	CHECK_EQ_STR(nth_prefix(&m->u.update.nlri, 1199, NULL, NULL, b),
		     "10.4.175.0/24");
}

static void c_open(const struct dw_bgp_msg *m, const struct dw_bgp_attrs *a)
{
	(void)a;
	CHECK_EQ_INT(m->type, DW_BGP_OPEN);
	CHECK_EQ_INT(m->u.open.ext_params, 0);
	CHECK_EQ_INT(m->u.open.opt_len, 8);
	CHECK_EQ_INT(m->u.open.cap_as4, 1);
	CHECK_EQ_U64(m->u.open.as4, 65001);
}

static void c_open_9072(const struct dw_bgp_msg *m,
			const struct dw_bgp_attrs *a)
{
	(void)a;
	CHECK_EQ_INT(m->type, DW_BGP_OPEN);
	CHECK_EQ_INT(m->u.open.ext_params, 1);
	CHECK_EQ_INT(m->u.open.opt_len, 9);
	CHECK_EQ_INT(m->u.open.params.len, 9);
	CHECK_EQ_INT(m->u.open.my_as, 23456);
	CHECK_EQ_INT(m->u.open.cap_as4, 1);
	CHECK_EQ_U64(m->u.open.as4, 65001);
}

/* ------------------------------------------------ generated attributes */

static void aspath_n(struct dw_buf *b, unsigned nasn)
{
	size_t at;
	hx(b, ORIGIN "5002 0000");
	at = b->len;
	for (unsigned k = 0; k < nasn;) {
		unsigned c = nasn - k > 255 ? 255 : nasn - k;
		u8_(b, DW_AS_SEQUENCE);
		u8_(b, c);
		for (unsigned i = 0; i < c; i++, k++)
			u32_(b, 100000u + k);
	}
	CHECK_EQ_INT(dw_buf_patch_u16(b, at - 2, (uint16_t)(b->len - at)), 0);
	hx(b, NEXTHOP);
}

static void aspath_2048(struct dw_buf *b) { aspath_n(b, 2048); }
static void aspath_2049(struct dw_buf *b) { aspath_n(b, 2049); }

static void comm3000(struct dw_buf *b)
{
	hx(b, STD "d008");
	u16_(b, 12000);
	for (uint32_t i = 1; i <= 3000; i++)
		u32_(b, 0xfde90000u + i);
}

static void nlri1200(struct dw_buf *b)
{
	for (unsigned i = 0; i < 1200; i++) {
		u8_(b, 24);
		u8_(b, 10);
		u8_(b, i >> 8);
		u8_(b, i & 0xff);
	}
}

/* ------------------------------------------------- message-level cases */

struct ucase {
	const char *name;
	uint16_t st;           /* BGP4MP subtype; 0 = MESSAGE_AS4 */
	unsigned type;         /* BGP type; 0 = UPDATE from w/a/n */
	const char *w, *a, *n; /* withdrawn, attributes (or body), NLRI */
	gen_fn afn, nfn;       /* generated attributes / NLRI */
	int len_delta;         /* added to the BGP header length */
	unsigned len_abs;      /* BGP header length, when not 0 */
	int wdelta, adelta;    /* added to withdrawn / attribute lengths */
	int bad_marker;
	int out; /* O_OK, O_WARN, O_LOSS, O_BAD */
	enum dw_reason why;
	int nv4, nmp; /* prefixes left after dw_bgp_update_check */
	msg_check check;
};

/* clang-format off */
static const struct ucase ucases[] = {
	/* 3: BGP length vs the bytes in the record */
	{.name = "3 BGP length 5 over the record", .a = STD, .n = NLRI_OK,
	 .len_delta = 5, .out = O_BAD, .why = DW_R_BGP_LENGTH},
	{.name = "3 BGP length 3 under the record", .a = STD, .n = NLRI_OK,
	 .len_delta = -3, .out = O_BAD, .why = DW_R_BGP_LENGTH},
	{.name = "3 BGP length 18 (< header)", .a = STD, .n = NLRI_OK,
	 .len_abs = 18, .out = O_BAD, .why = DW_R_BGP_LENGTH},
	{.name = "3 KEEPALIVE with a body byte", .type = DW_BGP_KEEPALIVE,
	 .a = "00", .out = O_BAD, .why = DW_R_BGP_LENGTH},
	{.name = "3 marker not all ones", .a = STD, .n = NLRI_OK,
	 .bad_marker = 1, .out = O_BAD, .why = DW_R_BGP_MARKER},
	/* 4: total path attribute length */
	{.name = "4 total attr length past the message", .a = STD,
	 .n = NLRI_OK, .adelta = 10, .out = O_BAD,
	 .why = DW_R_ATTR_TOTAL_LENGTH},
	{.name = "4 total attr length cuts NEXT_HOP", .a = STD, .n = NLRI_OK,
	 .adelta = -2, .out = O_BAD, .why = DW_R_ATTR_LENGTH},
	{.name = "4 withdrawn length past the message", .w = "180a0102",
	 .wdelta = 50, .out = O_BAD, .why = DW_R_WITHDRAWN_LENGTH},
	/* 5: attribute length over the bytes left */
	{.name = "5 attr length over the block", .a = STD "c0080800010002",
	 .n = NLRI_OK, .out = O_BAD, .why = DW_R_ATTR_LENGTH},
	{.name = "5 extended attr length over the block",
	 .a = STD "d008 0100 00010002", .n = NLRI_OK, .out = O_BAD,
	 .why = DW_R_ATTR_LENGTH},
	{.name = "5 extended length field cut", .a = STD "d00801",
	 .n = NLRI_OK, .out = O_BAD, .why = DW_R_ATTR_TRAILING},
	/* 6: stray bytes after the last attribute */
	{.name = "6 one stray byte", .a = STD "00", .n = NLRI_OK,
	 .out = O_BAD, .why = DW_R_ATTR_TRAILING},
	{.name = "6 two stray bytes", .a = STD "0000", .n = NLRI_OK,
	 .out = O_BAD, .why = DW_R_ATTR_TRAILING},
	{.name = "6 three stray zero bytes", .a = STD "000000", .n = NLRI_OK,
	 .out = O_BAD, .why = DW_R_ATTR_TRAILING},
	/* 7: AS_PATH */
	{.name = "7 segment count 2, one ASN",
	 .a = ORIGIN "40020602020000fde9" NEXTHOP, .n = NLRI_OK,
	 .out = O_BAD, .why = DW_R_ASPATH_SEGMENT},
	{.name = "7 segment count 1, two ASNs",
	 .a = ORIGIN "40020a02010000fde90000fdea" NEXTHOP, .n = NLRI_OK,
	 .out = O_BAD, .why = DW_R_ASPATH_SEGMENT},
	{.name = "7 segment type 5", .a = ORIGIN "40020605010000fde9" NEXTHOP,
	 .n = NLRI_OK, .out = O_BAD, .why = DW_R_ASPATH_SEGMENT},
	{.name = "7 segment type 0", .a = ORIGIN "40020600010000fde9" NEXTHOP,
	 .n = NLRI_OK, .out = O_BAD, .why = DW_R_ASPATH_SEGMENT},
	{.name = "7 zero-length segment after a good one",
	 .a = ORIGIN "40020802010000fde90200" NEXTHOP, .n = NLRI_OK,
	 .out = O_BAD, .why = DW_R_ASPATH_SEGMENT},
	{.name = "7 zero-length segment alone", .a = ORIGIN "4002020200" NEXTHOP,
	 .n = NLRI_OK, .out = O_BAD, .why = DW_R_ASPATH_SEGMENT},
	{.name = "7 2-byte session, count 2 with one ASN",
	 .st = DW_BGP4MP_MESSAGE, .a = ORIGIN "4002040202fde9" NEXTHOP,
	 .n = NLRI_OK, .out = O_BAD, .why = DW_R_ASPATH_SEGMENT},
	{.name = "7 2049 ASNs", .afn = aspath_2049, .n = NLRI_OK,
	 .out = O_BAD, .why = DW_R_ASPATH_TOO_LONG},
	{.name = "7 2048 ASNs decode", .afn = aspath_2048, .n = NLRI_OK,
	 .nv4 = 1, .check = c_2048},
	{.name = "7 empty AS_PATH is valid", .a = ORIGIN "400200" NEXTHOP,
	 .n = NLRI_OK, .nv4 = 1},
	/* 8: prefix lengths and bytes */
	{.name = "8 IPv4 /33 after a good /16", .a = STD,
	 .n = "100a01 210a01020304", .out = O_LOSS, .why = DW_R_PREFIX_LENGTH,
	 .nv4 = 1, .check = c_kept_before_damage},
	{.name = "8 IPv6 /129 after a good /32",
	 .a = ORIGIN ASPATH MP6("1c", "2020010db8 8100"), .out = O_LOSS,
	 .why = DW_R_PREFIX_LENGTH, .nmp = 1, .check = c_v6_kept},
	{.name = "8 IPv4 prefix bytes past the NLRI", .a = STD,
	 .n = "100a01 180a02", .out = O_LOSS, .why = DW_R_NLRI_OVERRUN,
	 .nv4 = 1, .check = c_kept_before_damage},
	{.name = "8 IPv6 prefix bytes past MP_REACH",
	 .a = ORIGIN ASPATH MP6("1e", "2020010db8 4020010d"), .out = O_LOSS,
	 .why = DW_R_NLRI_OVERRUN, .nmp = 1, .check = c_v6_kept},
	{.name = "8 withdrawn prefix bytes past the field", .w = "180a02",
	 .out = O_LOSS, .why = DW_R_NLRI_OVERRUN},
	/* 9: /0 and path id 0 */
	{.name = "9 0.0.0.0/0 in a plain record", .a = STD, .n = "00", .nv4 = 1,
	 .check = c_default_route},
	{.name = "9 /0 then /24 in a plain record", .a = STD,
	 .n = "00 180a0102", .nv4 = 2},
	{.name = "9 ADD-PATH path id 0", .st = DW_BGP4MP_MESSAGE_AS4_ADDPATH,
	 .a = STD, .n = "00000000 180a0102", .nv4 = 1, .check = c_path_id_0},
	{.name = "9 ADD-PATH path id 0 with /0",
	 .st = DW_BGP4MP_MESSAGE_AS4_ADDPATH, .a = STD, .n = "00000000 00",
	 .nv4 = 1, .check = c_path_id_0_default},
	{.name = "9 ::/0 in MP_REACH", .a = ORIGIN ASPATH MP6("16", "00"),
	 .nmp = 1, .check = c_v6_default},
	/* 10: ADD-PATH framing in the wrong subtype */
	{.name = "10 ADD-PATH NLRI in a plain subtype (/208)", .a = STD,
	 .n = "d0000001 180a0102", .out = O_WARN,
	 .why = DW_R_ADDPATH_MISMATCH, .nv4 = 1, .check = c_addpath_208},
	{.name = "10 plain NLRI in an ADD-PATH subtype",
	 .st = DW_BGP4MP_MESSAGE_AS4_ADDPATH, .a = STD, .n = "180a0102",
	 .out = O_WARN, .why = DW_R_ADDPATH_MISMATCH, .nv4 = 1,
	 .check = c_plain_in_addpath},
	{.name = "10 ADD-PATH withdrawn in a plain subtype",
	 .w = "d0000001 180a0102", .out = O_WARN,
	 .why = DW_R_ADDPATH_MISMATCH},
	{.name = "10 neither framing parses", .a = STD, .n = "d0000001 180a01",
	 .out = O_LOSS, .why = DW_R_PREFIX_LENGTH},
	/* 11: MP_REACH AFI/SAFI and next-hop length */
	{.name = "11 MP_REACH AFI 25 SAFI 65 kept opaque",
	 .a = ORIGIN ASPATH "800e0d 0019 41 04 0a000001 00 03010203",
	 .out = O_WARN, .why = DW_R_MP_AFI_SAFI, .check = c_mp_opaque},
	{.name = "11 MP_UNREACH AFI 1 SAFI 128 kept opaque",
	 .a = "800f07 0001 80 0a000001", .out = O_WARN,
	 .why = DW_R_MP_AFI_SAFI},
	{.name = "11 next-hop length 20",
	 .a = ORIGIN ASPATH "800e1e 0002 01 14 20010db8000000000000000000000001"
			   "00000000 00 2020010db8",
	 .out = O_BAD, .why = DW_R_MP_NEXTHOP_LEN},
	{.name = "11 next-hop length 0",
	 .a = ORIGIN ASPATH "800e0a 0002 01 00 00 2020010db8", .out = O_BAD,
	 .why = DW_R_MP_NEXTHOP_LEN},
	{.name = "11 next hop past the attribute",
	 .a = ORIGIN ASPATH "800e0e 0002 01 10 20010db8000000000000",
	 .out = O_BAD, .why = DW_R_ATTR_VALUE},
	{.name = "11 next-hop length 32 (global + link-local)",
	 .a = ORIGIN ASPATH "800e2a 0002 01 20 20010db8000000000000000000000001"
			   "fe800000000000000000000000000001 00 2020010db8",
	 .nmp = 1, .check = c_nh32},
	/* 12: corrupted unknown optional attributes stay opaque */
	{.name = "12 unknown optional transitive with junk",
	 .a = STD "c06303ffffff", .n = NLRI_OK, .nv4 = 1,
	 .check = c_unknown_kept},
	{.name = "12 unknown optional transitive partial, ext length",
	 .a = STD "f0630004deadbeef", .n = NLRI_OK, .nv4 = 1},
	{.name = "12 unknown optional non-transitive", .a = STD "80c802ffff",
	 .n = NLRI_OK, .nv4 = 1},
	/* 13: duplicates */
	{.name = "13 ORIGIN twice", .a = STD ORIGIN, .n = NLRI_OK,
	 .out = O_BAD, .why = DW_R_ATTR_DUPLICATE},
	{.name = "13 unknown attribute twice", .a = STD "c06301ff c06301ff",
	 .n = NLRI_OK, .out = O_BAD, .why = DW_R_ATTR_DUPLICATE},
	{.name = "13 MP_REACH twice",
	 .a = ORIGIN ASPATH MP6("1a", "2020010db8") MP6("1a", "2020010db8"),
	 .out = O_BAD, .why = DW_R_ATTR_DUPLICATE},
	/* 14: mandatory attributes with NLRI */
	{.name = "14 no NEXT_HOP", .a = ORIGIN ASPATH, .n = NLRI_OK,
	 .out = O_BAD, .why = DW_R_ATTR_MISSING},
	{.name = "14 no ORIGIN", .a = ASPATH NEXTHOP, .n = NLRI_OK,
	 .out = O_BAD, .why = DW_R_ATTR_MISSING},
	{.name = "14 no AS_PATH", .a = ORIGIN NEXTHOP, .n = NLRI_OK,
	 .out = O_BAD, .why = DW_R_ATTR_MISSING},
	{.name = "14 MP_REACH NLRI without AS_PATH",
	 .a = ORIGIN MP6("1a", "2020010db8"), .out = O_BAD,
	 .why = DW_R_ATTR_MISSING},
	{.name = "14 NLRI without any attribute", .n = NLRI_OK, .out = O_BAD,
	 .why = DW_R_ATTR_MISSING},
	{.name = "14 withdrawal needs no attribute", .w = "180a0102"},
	{.name = "14 MP_REACH needs no NEXT_HOP",
	 .a = ORIGIN ASPATH MP6("1a", "2020010db8"), .nmp = 1,
	 .check = c_v6_kept},
	/* 15: reserved flag bits */
	{.name = "15 reserved flag bits on ORIGIN", .a = "4f010100" ASPATH NEXTHOP,
	 .n = NLRI_OK, .out = O_WARN, .why = DW_R_ATTR_FLAGS, .nv4 = 1},
	{.name = "15 reserved bits with extended length",
	 .a = STD "d708 0004 fde90001", .n = NLRI_OK, .out = O_WARN,
	 .why = DW_R_ATTR_FLAGS, .nv4 = 1},
	/* 17: OPEN optional parameters */
	{.name = "17 OPEN with a capability", .type = DW_BGP_OPEN,
	 .a = "04 fde9 00b4 0a000001 08 0206 4104 0000fde9", .check = c_open},
	{.name = "17 OPEN RFC 9072 extended parameters", .type = DW_BGP_OPEN,
	 .a = "04 5ba0 00b4 0a000001 ff ff 0009 02 0006 4104 0000fde9",
	 .check = c_open_9072},
	{.name = "17 RFC 9072 parameter length over the block",
	 .type = DW_BGP_OPEN,
	 .a = "04 5ba0 00b4 0a000001 ff ff 0009 02 0007 4104 0000fde9",
	 .out = O_BAD, .why = DW_R_OPEN_PARAMS},
	{.name = "17 RFC 9072 length past the message", .type = DW_BGP_OPEN,
	 .a = "04 5ba0 00b4 0a000001 ff ff 0010 02 0006 4104 0000fde9",
	 .out = O_BAD, .why = DW_R_OPEN_PARAMS},
	{.name = "17 RFC 9072 length field cut", .type = DW_BGP_OPEN,
	 .a = "04 5ba0 00b4 0a000001 ff ff 00", .out = O_BAD,
	 .why = DW_R_OPEN_PARAMS},
	{.name = "17 opt length past the message", .type = DW_BGP_OPEN,
	 .a = "04 fde9 00b4 0a000001 0a 0206 4104 0000fde9", .out = O_BAD,
	 .why = DW_R_OPEN_PARAMS},
	{.name = "17 opt length short of the message", .type = DW_BGP_OPEN,
	 .a = "04 fde9 00b4 0a000001 06 0206 4104 0000fde9", .out = O_BAD,
	 .why = DW_R_OPEN_PARAMS},
	{.name = "17 parameter length over opt length", .type = DW_BGP_OPEN,
	 .a = "04 fde9 00b4 0a000001 08 0207 4104 0000fde9", .out = O_BAD,
	 .why = DW_R_OPEN_PARAMS},
	{.name = "17 capability length over the parameter",
	 .type = DW_BGP_OPEN,
	 .a = "04 fde9 00b4 0a000001 08 0206 4105 0000fde9", .out = O_BAD,
	 .why = DW_R_OPEN_PARAMS},
	/* 18: extended messages and long community lists */
	{.name = "18 3000 communities (12 kB UPDATE)", .afn = comm3000,
	 .n = NLRI_OK, .nv4 = 1, .check = c_comm3000},
	{.name = "18 1200 prefixes (4.8 kB UPDATE)", .a = STD, .nfn = nlri1200,
	 .nv4 = 1200, .check = c_1200},
	{.name = "18 communities not a multiple of 4",
	 .a = STD "c00806 0001fde90002", .n = NLRI_OK, .out = O_BAD,
	 .why = DW_R_ATTR_VALUE},
};
/* clang-format on */

static const struct ucase *cur_u;

static const char *out_name(int out)
{
	static const char *names[] = {"ok", "tolerated", "loss", "malformed"};
	return names[out & 3];
}

/* Decode the damaged message directly and compare with the case. */
static void ucheck(int i, const struct dw_mrt_record *rec)
{
	const struct ucase *c = cur_u;
	const struct dw_mrt_message *mm = &rec->u.msg;
	struct dw_bgp_opts o = {mm->as4, mm->addpath, 0, 0, 0};
	struct dw_arena *ar;
	struct dw_bgp_msg m;
	struct dw_bgp_attrs a;
	enum dw_reason why = DW_R_NONE, w = DW_R_NONE;
	char got[128], want[128];
	int rc, out = O_OK;

	if (i != 1)
		return;
	CHECK_EQ_INT(rec->kind, DW_MRT_K_MESSAGE);
	if (rec->kind != DW_MRT_K_MESSAGE)
		return;
	ar = dw_arena_new(64u << 20);
	memset(&a, 0, sizeof(a));
	rc = dw_bgp_msg_decode(mm->msg.p, mm->msg.len, &o, &m, &why);
	if (!rc && m.type == DW_BGP_UPDATE) {
		rc = dw_bgp_attrs_decode(m.u.update.attrs.p,
					 m.u.update.attrs.len, &o, ar, &a,
					 &why);
		if (!rc)
			rc = dw_bgp_update_check(&m.u.update, &a, &why);
	}
	if (rc < 0) {
		out = O_BAD;
		w = why;
	} else if (a.nwarn) {
		out = O_WARN;
		w = a.warn[0];
		for (unsigned k = 0; k < a.nwarn; k++)
			if (dw_reason_is_loss(a.warn[k])) {
				out = O_LOSS;
				w = a.warn[k];
			}
		CHECK_EQ_INT(a.nwarn, 1);
	}
	snprintf(got, sizeof(got), "%s %s", out_name(out), dw_reason_name(w));
	snprintf(want, sizeof(want), "%s %s", out_name(c->out),
		 dw_reason_name(c->why));
	CHECK_EQ_STR(got, want);
	if (rc == 0 && m.type == DW_BGP_UPDATE) {
		int nmp = 0;
		if (dw_attrs_has(&a, DW_ATTR_MP_REACH_NLRI) &&
		    !a.mp_reach.opaque)
			nmp = nlri_count(&a.mp_reach.nlri);
		CHECK_EQ_INT(nlri_count(&m.u.update.nlri), c->nv4);
		CHECK_EQ_INT(nmp, c->nmp);
	}
	if (rc == 0 && c->check)
		c->check(&m, &a);
	dw_arena_free(ar);
}

/* [good][the case][good]: the damage is counted, both neighbours decode. */
static void run_ucase(const void *arg)
{
	const struct ucase *c = arg;
	uint16_t st = c->st ? c->st : DW_BGP4MP_MESSAGE_AS4;
	struct dw_buf body, msg;
	struct expect x = {{OK(0), OK(1), OK(2)}, 3, 0, {{DW_R_NONE, 0}}};

	cur_u = c;
	dw_buf_init(&F, BUFCAP);
	dw_buf_init(&body, BUFCAP);
	dw_buf_init(&msg, BUFCAP);
	if (!c->type)
		update_body(&body, c->w, c->a, c->afn, c->n, c->nfn, c->wdelta,
			    c->adelta);
	else
		hx(&body, c->a);
	bgp_msg(&msg, c->type ? c->type : DW_BGP_UPDATE, &body, c->len_delta,
		c->len_abs, c->bad_marker);
	good(TS);
	bgp4mp_rec(TS + 1, DW_MRT_BGP4MP, st, &msg);
	good(TS + 2);
	if (c->out == O_LOSS || c->out == O_BAD) {
		x.ev[1] = (struct ev){EV_REC,
				      c->out == O_LOSS ? 1 : DW_EMALFORMED,
				      c->why, 1};
		x.skipped = 1;
	}
	if (c->out != O_OK)
		x.why[0] = (struct cnt){c->why, 1};
	run(F.data, F.len, 1, 0, &x, ucheck);
	dw_buf_free(&body);
	dw_buf_free(&msg);
	dw_buf_free(&F);
}

/* ----------------------------------------------------- file-level cases */

static const uint32_t peers1[] = {0x0a000001};
static const uint32_t peers2[] = {0x0a090909, 0x0a09090a};
static const uint32_t peers3[] = {0x0a000001, 0x0a000002, 0x0a000003};
static const uint16_t idx0[] = {0}, idx071[] = {0, 7, 1}, idx1[] = {1};
static const uint16_t idx40[40];

/* 1 */
static void b_cut_body(void)
{
	good(TS);
	good(TS + 1);
	F.len -= 10;
}

static void b_cut_header(void)
{
	good(TS);
	good(TS + 1);
	F.len = mark_at[1] + 7;
}

static size_t blk2;

static void b_gz_cut(void)
{
	struct dw_buf z;
	good(TS);
	good(TS + 1);
	good(TS + 2);
	dw_buf_init(&z, BUFCAP);
	gz_stored(&z, F.data, F.len, mark_at[1] + 10, &blk2);
	z.len = blk2 + 5 + 20; /* 20 bytes into the second block */
	dw_buf_reset(&F);
	put(&F, z.data, z.len);
	dw_buf_free(&z);
}

static void b_gz_no_trailer(void)
{
	struct dw_buf z;
	good(TS);
	good(TS + 1);
	good(TS + 2);
	mark();
	dw_buf_init(&z, BUFCAP);
	gz_stored(&z, F.data, F.len, mark_at[1] + 10, &blk2);
	z.len -= 4; /* ISIZE missing */
	dw_buf_reset(&F);
	put(&F, z.data, z.len);
	dw_buf_free(&z);
}

static void b_members_cut(enum dw_compress comp, size_t keep)
{
	struct dw_buf m2;
	good(TS);
	good(TS + 1);
	good(TS + 2);
	good(TS + 3);
	dw_buf_init(&m2, BUFCAP);
	two_members(comp, mark_at[2], &m2);
	put(&F, m2.data, keep < m2.len ? keep : m2.len);
	dw_buf_free(&m2);
}

static void b_gzw_cut(void) { b_members_cut(DW_COMP_GZIP, 10); }
static void b_bz2_cut(void) { b_members_cut(DW_COMP_BZIP2, 30); }

/* 2 */
static void b_big_rib(void)
{
	pit(TS, peers1, 1, 0);
	rib(TS + 1, "10.0.0.0/8", idx40, 40, 0, 0, 500);
	good(TS + 2);
}

static void c_big_rib(int i, const struct dw_mrt_record *rec)
{
	if (i != 1)
		return;
	CHECK(rec->body.len > 65536);
	CHECK_EQ_INT(rec->kind, DW_MRT_K_RIB);
	CHECK_EQ_INT(rec->u.rib.count, 40);
	struct dw_arena *ar = dw_arena_new(1u << 20);
	for (unsigned k = 0; k < rec->u.rib.count; k++) {
		struct dw_bgp_opts o = {1, 0, 1, DW_AFI_IPV4, DW_SAFI_UNICAST};
		struct dw_bgp_attrs a;
		enum dw_reason why;
		const struct dw_bytes *b = &rec->u.rib.entries[k].attrs;
		CHECK_EQ_INT(
			dw_bgp_attrs_decode(b->p, b->len, &o, ar, &a, &why), 0);
		CHECK_EQ_INT(a.communities.len, 2000);
	}
	dw_arena_free(ar);
}

static void b_max_update(void)
{
	static uint32_t comm[16371];
	uint32_t path[1] = {65001};
	struct dw_bgp_attr_spec as;
	struct dw_bgp_update_spec u;
	struct dw_prefix p;
	struct dw_buf msg;

	memset(&as, 0, sizeof(as));
	memset(&u, 0, sizeof(u));
	as.as4 = 1;
	as.path = path;
	as.path_len = 1;
	as.nexthop = v4(0x0a000001);
	for (uint32_t i = 0; i < 16371; i++)
		comm[i] = 0xfde90000u + (i & 0xffff);
	as.communities = comm;
	as.ncommunities = 16371;
	dw_prefix_parse("198.51.100.0/24", &p);
	u.attrs = &as;
	u.announce = &p;
	u.nannounce = 1;
	dw_buf_init(&msg, BUFCAP);
	CHECK_EQ_INT(dw_bgp_build_update(&msg, &u), 0);
	CHECK_EQ_INT(msg.len, 65535);
	bgp4mp_rec(TS, DW_MRT_BGP4MP, DW_BGP4MP_MESSAGE_AS4, &msg);
	good(TS + 1);
	dw_buf_free(&msg);
}

static void c_max_update(int i, const struct dw_mrt_record *rec)
{
	struct dw_bgp_opts o = {1, 0, 0, 0, 0};
	struct dw_bgp_msg m;
	struct dw_bgp_attrs a;
	enum dw_reason why = DW_R_NONE;
	struct dw_arena *ar;

	if (i != 0)
		return;
	CHECK_EQ_INT(rec->body.len, 65555);
	CHECK_EQ_INT(rec->u.msg.msg.len, 65535);
	ar = dw_arena_new(1u << 20);
	CHECK_EQ_INT(dw_bgp_msg_decode(rec->u.msg.msg.p, rec->u.msg.msg.len, &o,
				       &m, &why),
		     0);
	CHECK_EQ_INT(m.length, 65535);
	CHECK_EQ_INT(dw_bgp_attrs_decode(m.u.update.attrs.p,
					 m.u.update.attrs.len, &o, ar, &a,
					 &why),
		     0);
	CHECK_EQ_INT(dw_bgp_update_check(&m.u.update, &a, &why), 0);
	CHECK_EQ_INT(a.communities.len / 4, 16371);
	CHECK_EQ_INT(nlri_count(&m.u.update.nlri), 1);
	dw_arena_free(ar);
}

static void b_len_past_file(void)
{
	good(TS);
	rec_raw(TS + 1, DW_MRT_BGP4MP, 4, 100000,
		"0000fde90000fde8000000010a000001");
}

static void b_len_4g(void)
{
	good(TS);
	rec_raw(TS + 1, DW_MRT_BGP4MP, 4, 0xffffffffu,
		"0000fde90000fde8000000010a000001");
}

static void b_too_big(void)
{
	struct dw_buf junk;
	good(TS);
	dw_buf_init(&junk, BUFCAP);
	for (int k = 0; k < 5000; k++)
		u8_(&junk, 0xab);
	rec(TS + 1, DW_MRT_BGP4MP, 4, junk.data, junk.len);
	good(TS + 2);
	dw_buf_free(&junk);
}

/* 3 */
static void b_short_bgp(void)
{
	good(TS);
	rec_hex(TS + 1, DW_MRT_BGP4MP, 4,
		"0000fde9 0000fde8 0000 0001 0a000001 0a000002 ffffffffffff");
	good(TS + 2);
}

/* 4, 8: RIB records */
static void b_rib_attr_len(void)
{
	pit(TS, peers1, 1, 0);
	rec_hex(TS + 1, DW_MRT_TABLE_DUMP_V2, 2,
		"00000001 08 0a 0001 0000 5f5e1000 0020 40010100");
	rib(TS + 2, "10.0.0.0/8", idx0, 1, 0, 0, 0);
}

static void b_rib_33(void)
{
	pit(TS, peers1, 1, 0);
	rec_hex(TS + 1, DW_MRT_TABLE_DUMP_V2, 2,
		"00000001 21 0a000000 00 0000");
	rib(TS + 2, "10.0.0.0/8", idx0, 1, 0, 0, 0);
}

static void b_rib_129(void)
{
	pit(TS, peers1, 1, 0);
	rec_hex(TS + 1, DW_MRT_TABLE_DUMP_V2, 4,
		"00000001 81 20010db8000000000000000000000000 00 0000");
	rib(TS + 2, "10.0.0.0/8", idx0, 1, 0, 0, 0);
}

static void b_rib_overrun(void)
{
	pit(TS, peers1, 1, 0);
	rec_hex(TS + 1, DW_MRT_TABLE_DUMP_V2, 2, "00000001 18 0a01");
	rib(TS + 2, "10.0.0.0/8", idx0, 1, 0, 0, 0);
}

/* 9 */
static void b_rib_zero(void)
{
	pit(TS, peers1, 1, 0);
	rib(TS + 1, "0.0.0.0/0", idx0, 1, 0, 0, 0);
	rib(TS + 2, "10.1.2.0/24", idx0, 1, 1, 0, 0);
}

static void c_rib_zero(int i, const struct dw_mrt_record *rec)
{
	char b[64];
	if (i == 0)
		return;
	CHECK_EQ_INT(rec->kind, DW_MRT_K_RIB);
	CHECK_EQ_INT(rec->u.rib.count, 1);
	CHECK_EQ_STR(pfx_str(&rec->u.rib.prefix, b),
		     i == 1 ? "0.0.0.0/0" : "10.1.2.0/24");
	CHECK_EQ_INT(rec->u.rib.addpath, i == 2);
	if (rec->u.rib.count)
		CHECK_EQ_U64(rec->u.rib.entries[0].path_id, 0);
}

/* 16 */
static void b_peer_index(void)
{
	pit(TS, peers2, 2, 0);
	rib(TS + 1, "10.0.0.0/8", idx071, 3, 0, 0, 0);
	good(TS + 2);
}

static void c_peer_index(int i, const struct dw_mrt_record *rec)
{
	char b[64];
	if (i != 1)
		return;
	CHECK_EQ_INT(rec->u.rib.count, 2);
	if (rec->u.rib.count != 2)
		return;
	CHECK_EQ_INT(rec->u.rib.entries[0].peer_index, 0);
	CHECK_EQ_INT(rec->u.rib.entries[1].peer_index, 1);
	CHECK(rec->u.rib.entries[1].peer != NULL);
	if (rec->u.rib.entries[1].peer)
		CHECK_EQ_STR(addr_str(&rec->u.rib.entries[1].peer->addr, b),
			     "10.9.9.10");
}

static void b_no_pit(void)
{
	rib(TS, "10.0.0.0/8", idx0, 1, 0, 0, 0);
	good(TS + 1);
}

static void c_no_pit(int i, const struct dw_mrt_record *rec)
{
	if (i != 0)
		return;
	CHECK_EQ_INT(rec->u.rib.count, 1);
	if (rec->u.rib.count)
		CHECK(rec->u.rib.entries[0].peer == NULL);
}

static void b_pit_dup(void)
{
	pit(TS, peers1, 1, 0);
	pit(TS + 1, peers2, 2, 0);
	rib(TS + 2, "10.0.0.0/8", idx1, 1, 0, 0, 0);
}

static void c_pit_dup(int i, const struct dw_mrt_record *rec)
{
	char b[64];
	if (i != 2)
		return;
	CHECK_EQ_INT(rec->u.rib.count, 1);
	if (rec->u.rib.count && rec->u.rib.entries[0].peer) {
		CHECK_EQ_STR(addr_str(&rec->u.rib.entries[0].peer->addr, b),
			     "10.9.9.10");
		CHECK_EQ_U64(rec->u.rib.entries[0].peer->asn, 65002);
	} else {
		CHECK(!"entry with its peer");
	}
}

/* A second table announcing 3 peers, cut inside the second one. */
static void b_pit_cut(void)
{
	pit(TS, peers1, 1, 0);
	pit(TS + 1, peers3, 3, 8 + 13 + 5);
	rib(TS + 2, "10.0.0.0/8", idx0, 1, 0, 0, 0);
}

static void c_pit_cut(int i, const struct dw_mrt_record *rec)
{
	char b[64];
	if (i != 1)
		return;
	CHECK_EQ_INT(rec->u.rib.count, 1);
	if (rec->u.rib.count && rec->u.rib.entries[0].peer) {
		/* the damaged table must not replace (or free) the first */
		CHECK_EQ_STR(addr_str(&rec->u.rib.entries[0].peer->addr, b),
			     "10.0.0.1");
		CHECK_EQ_U64(rec->u.rib.entries[0].peer->asn, 65001);
	} else {
		CHECK(!"entry with its peer");
	}
}

/* Same, the second table smaller than the first: no reallocation. */
static void b_pit_cut_small(void)
{
	pit(TS, peers3, 3, 0);
	pit(TS + 1, peers2, 2, 8 + 13 + 5);
	rib(TS + 2, "10.0.0.0/8", idx0, 1, 0, 0, 0);
}

/* 5 in a RIB entry: the first entry's attribute runs past its block */
static void b_rib_entry_attr(void)
{
	pit(TS, peers1, 1, 0);
	rec_hex(TS + 1, DW_MRT_TABLE_DUMP_V2, 2,
		"00000001 08 0a 0002"
		" 0000 5f5e1000 0007 40010100 400209"
		" 0000 5f5e1000 0014 " STD);
	good(TS + 2);
}

/* 19 */
static void b_et(void)
{
	upd(TS, DW_MRT_BGP4MP_ET, 4, "", STD, NLRI_OK);
	good(TS + 1);
}

static void c_et(int i, const struct dw_mrt_record *rec)
{
	CHECK_EQ_INT(rec->type, i == 0 ? DW_MRT_BGP4MP_ET : DW_MRT_BGP4MP);
	CHECK_EQ_U64(rec->timestamp, TS + (unsigned)i);
	CHECK_EQ_U64(rec->usec, i == 0 ? 123456 : 0);
	/* the body after the microseconds: 20-byte peer header + 47 bytes */
	CHECK_EQ_INT(rec->body.len, 67);
	CHECK_EQ_INT(rec->u.msg.msg.len, 47);
}

static void b_backwards(void)
{
	good(TS);
	good(TS - 100);
	good(TS);
}

/* One record 40 days back between two of the same time: framing sound. */
static void b_back40(void)
{
	good(TS);
	good(TS - 40u * 86400u);
	good(TS);
}

static void b_et_len(uint32_t len, const char *body)
{
	good(TS);
	rec_raw(TS + 1, DW_MRT_BGP4MP_ET, 4, len, body);
	good(TS + 2);
}

static void b_et_len0(void) { b_et_len(0, ""); }
static void b_et_len2(void) { b_et_len(2, "0000"); }

/* SNAPSHOT is passed on undecoded: the bogus length would reach the caller */
static void b_et_snapshot0(void)
{
	good(TS);
	rec_raw(TS + 1, DW_MRT_BGP4MP_ET, DW_BGP4MP_SNAPSHOT, 0, "");
	good(TS + 2);
}

static void c_body_inside_file(int i, const struct dw_mrt_record *rec)
{
	(void)i;
	CHECK(rec->body.len <= F.len);
	CHECK(rec->length <= F.len);
}

/* 20 */
static void b_gz_corrupt(void)
{
	struct dw_buf z;
	good(TS);
	good(TS + 1);
	good(TS + 2);
	dw_buf_init(&z, BUFCAP);
	gz_stored(&z, F.data, F.len, mark_at[1] + 10, &blk2);
	z.data[blk2 + 3] ^= 0x01; /* NLEN no longer ~LEN */
	dw_buf_reset(&F);
	put(&F, z.data, z.len);
	dw_buf_free(&z);
}

static void b_gzw_bad_block(void)
{
	struct dw_buf m2;
	good(TS);
	good(TS + 1);
	good(TS + 2);
	good(TS + 3);
	dw_buf_init(&m2, BUFCAP);
	two_members(DW_COMP_GZIP, mark_at[2], &m2);
	CHECK_EQ_INT(m2.data[3], 0); /* no optional header fields */
	m2.data[10] = 0xff;          /* first block: BTYPE 11 (reserved) */
	put(&F, m2.data, m2.len);
	dw_buf_free(&m2);
}

static void b_bz2_bad_block(void)
{
	struct dw_buf m2;
	good(TS);
	good(TS + 1);
	good(TS + 2);
	good(TS + 3);
	dw_buf_init(&m2, BUFCAP);
	two_members(DW_COMP_BZIP2, mark_at[2], &m2);
	m2.data[m2.len / 2] ^= 0x55;
	put(&F, m2.data, m2.len);
	dw_buf_free(&m2);
}

/* framing beyond the list: an unknown type, garbage between records */
static void b_unknown_type(void)
{
	good(TS);
	rec_hex(TS + 1, 99, 1, "0102030405");
	good(TS + 2);
}

static void b_garbage(void)
{
	good(TS);
	mark();
	hx(&F, "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
	good(TS + 1);
	good(TS + 2);
}

struct fcase {
	const char *name;
	void (*build)(void);
	int threads;
	uint32_t max_record;
	struct expect x;
	rec_check check;
};

#define TRUNC   DW_ETRUNC
#define MALF    DW_EMALFORMED
#define CORRUPT DW_ECOMPRESS

/* clang-format off */
static const struct fcase fcases[] = {
	{"1 plain file cut inside a record", b_cut_body, 0, 0,
	 {{OK(0), ERR(1, TRUNC, DW_R_TRUNCATED_FILE)}, 1, 1,
	  {{DW_R_TRUNCATED_FILE, 1}}}, NULL},
	{"1 plain file cut inside a header", b_cut_header, 0, 0,
	 {{OK(0), ERR(1, TRUNC, DW_R_TRUNCATED_FILE)}, 1, 1,
	  {{DW_R_TRUNCATED_FILE, 1}}}, NULL},
	{"1 gzip cut inside a record", b_gz_cut, 0, 0,
	 {{OK(0), ERR(1, TRUNC, DW_R_TRUNCATED_FILE)}, 1, 1,
	  {{DW_R_TRUNCATED_FILE, 1}}}, NULL},
	{"1 gzip cut in its trailer (all records whole)", b_gz_no_trailer, 0,
	 0, {{OK(0), OK(1), OK(2), ERR(3, TRUNC, DW_R_TRUNCATED_FILE)}, 3, 0,
	     {{DW_R_TRUNCATED_FILE, 1}}}, NULL},
	{"1 gzip (writer) second member cut", b_gzw_cut, 0, 0,
	 {{OK(0), OK(1), ERR(2, TRUNC, DW_R_TRUNCATED_FILE)}, 2, 0,
	  {{DW_R_TRUNCATED_FILE, 1}}}, NULL},
	{"1 bzip2 (writer) second stream cut", b_bz2_cut, 0, 0,
	 {{OK(0), OK(1), ERR(2, TRUNC, DW_R_TRUNCATED_FILE)}, 2, 0,
	  {{DW_R_TRUNCATED_FILE, 1}}}, NULL},
	{"1 bzip2 second stream cut, 2 threads", b_bz2_cut, 2, 0,
	 {{OK(0), OK(1), ERR(2, TRUNC, DW_R_TRUNCATED_FILE)}, 2, 0,
	  {{DW_R_TRUNCATED_FILE, 1}}}, NULL},
	{"2 RIB record of 81 kB decodes", b_big_rib, 0, 0,
	 {{OK(0), OK(1), OK(2)}, 3, 0, {{DW_R_NONE, 0}}}, c_big_rib},
	{"2 BGP4MP record of 65555 bytes (65535-byte UPDATE)", b_max_update,
	 0, 0, {{OK(0), OK(1)}, 2, 0, {{DW_R_NONE, 0}}}, c_max_update},
	{"2 record length past the end of the file", b_len_past_file, 0, 0,
	 {{OK(0), ERR(1, TRUNC, DW_R_TRUNCATED_FILE)}, 1, 1,
	  {{DW_R_TRUNCATED_FILE, 1}}}, NULL},
	{"2 record length 0xffffffff", b_len_4g, 0, 0,
	 {{OK(0), ERR(1, MALF, DW_R_RECORD_TOO_BIG)}, 1, 1,
	  {{DW_R_RECORD_TOO_BIG, 1}}}, NULL},
	{"2 record over max_record, next one kept", b_too_big, 0, 4096,
	 {{OK(0), ERR(1, MALF, DW_R_RECORD_TOO_BIG), OK(2)}, 2, 1,
	  {{DW_R_RECORD_TOO_BIG, 1}}}, NULL},
	{"3 BGP4MP body shorter than a BGP header", b_short_bgp, 0, 0,
	 {{OK(0), ERR(1, MALF, DW_R_BGP_LENGTH), OK(2)}, 2, 1,
	  {{DW_R_BGP_LENGTH, 1}}}, NULL},
	{"4 RIB entry attribute length past the record", b_rib_attr_len, 0,
	 0, {{OK(0), ERR(1, MALF, DW_R_ATTR_TOTAL_LENGTH), OK(2)}, 2, 1,
	     {{DW_R_ATTR_TOTAL_LENGTH, 1}}}, NULL},
	{"5 RIB entry attribute over its block", b_rib_entry_attr, 0, 0,
	 {{OK(0), BAD(1, DW_R_ATTR_LENGTH), OK(2)}, 3, 1,
	  {{DW_R_ATTR_LENGTH, 1}}}, NULL},
	{"8 RIB prefix /33", b_rib_33, 0, 0,
	 {{OK(0), ERR(1, MALF, DW_R_PREFIX_LENGTH), OK(2)}, 2, 1,
	  {{DW_R_PREFIX_LENGTH, 1}}}, NULL},
	{"8 RIB prefix /129", b_rib_129, 0, 0,
	 {{OK(0), ERR(1, MALF, DW_R_PREFIX_LENGTH), OK(2)}, 2, 1,
	  {{DW_R_PREFIX_LENGTH, 1}}}, NULL},
	{"8 RIB prefix bytes past the record", b_rib_overrun, 0, 0,
	 {{OK(0), ERR(1, MALF, DW_R_NLRI_OVERRUN), OK(2)}, 2, 1,
	  {{DW_R_NLRI_OVERRUN, 1}}}, NULL},
	{"9 RIB 0.0.0.0/0 and ADD-PATH path id 0", b_rib_zero, 0, 0,
	 {{OK(0), OK(1), OK(2)}, 3, 0, {{DW_R_NONE, 0}}}, c_rib_zero},
	{"16 peer index out of range drops one entry", b_peer_index, 0, 0,
	 {{OK(0), OK(1), OK(2)}, 3, 1, {{DW_R_PEER_INDEX, 1}}}, c_peer_index},
	{"16 RIB without PEER_INDEX_TABLE", b_no_pit, 0, 0,
	 {{OK(0), OK(1)}, 2, 0, {{DW_R_NO_PEER_TABLE, 1}}}, c_no_pit},
	{"16 second PEER_INDEX_TABLE replaces the first", b_pit_dup, 0, 0,
	 {{OK(0), OK(1), OK(2)}, 3, 0, {{DW_R_PEER_TABLE_DUP, 1}}}, c_pit_dup},
	{"16 cut second PEER_INDEX_TABLE keeps the first", b_pit_cut, 0, 0,
	 {{OK(0), ERR(1, MALF, DW_R_RECORD_TRUNCATED), OK(2)}, 2, 1,
	  {{DW_R_RECORD_TRUNCATED, 1}}}, c_pit_cut},
	{"16 cut smaller second PEER_INDEX_TABLE keeps the first",
	 b_pit_cut_small, 0, 0,
	 {{OK(0), ERR(1, MALF, DW_R_RECORD_TRUNCATED), OK(2)}, 2, 1,
	  {{DW_R_RECORD_TRUNCATED, 1}}}, c_pit_cut},
	{"19 BGP4MP_ET microseconds", b_et, 0, 0,
	 {{OK(0), OK(1)}, 2, 0, {{DW_R_NONE, 0}}}, c_et},
	{"19 time going backwards", b_backwards, 0, 0,
	 {{OK(0), OK(1), OK(2)}, 3, 0, {{DW_R_TIME_BACKWARDS, 1}}}, NULL},
	{"19 one record 40 days back", b_back40, 0, 0,
	 {{OK(0), OK(1), OK(2)}, 3, 0, {{DW_R_TIME_BACKWARDS, 1}}}, NULL},
	{"19 BGP4MP_ET length 0 (no room for usec)", b_et_len0, 0, 0,
	 {{OK(0), ERR(1, MALF, DW_R_RECORD_TRUNCATED), OK(2)}, 2, 1,
	  {{DW_R_RECORD_TRUNCATED, 1}}}, c_body_inside_file},
	{"19 BGP4MP_ET length 2 (no room for usec)", b_et_len2, 0, 0,
	 {{OK(0), ERR(1, MALF, DW_R_RECORD_TRUNCATED), OK(2)}, 2, 1,
	  {{DW_R_RECORD_TRUNCATED, 1}}}, c_body_inside_file},
	{"19 BGP4MP_ET SNAPSHOT length 0", b_et_snapshot0, 0, 0,
	 {{OK(0), ERR(1, MALF, DW_R_RECORD_TRUNCATED), OK(2)}, 2, 1,
	  {{DW_R_RECORD_TRUNCATED, 1}}}, c_body_inside_file},
	{"20 gzip corrupt inside a record", b_gz_corrupt, 0, 0,
	 {{OK(0), ERR(1, CORRUPT, DW_R_COMPRESS_ERROR)}, 1, 1,
	  {{DW_R_COMPRESS_ERROR, 1}}}, NULL},
	{"20 gzip corrupt, read-ahead thread", b_gz_corrupt, 2, 0,
	 {{OK(0), ERR(1, CORRUPT, DW_R_COMPRESS_ERROR)}, 1, 1,
	  {{DW_R_COMPRESS_ERROR, 1}}}, NULL},
	{"20 gzip (writer) bad block in second member", b_gzw_bad_block, 0, 0,
	 {{OK(0), OK(1), ERR(2, CORRUPT, DW_R_COMPRESS_ERROR)}, 2, 0,
	  {{DW_R_COMPRESS_ERROR, 1}}}, NULL},
	{"20 bzip2 (writer) corrupt second stream", b_bz2_bad_block, 0, 0,
	 {{OK(0), OK(1), ERR(2, CORRUPT, DW_R_COMPRESS_ERROR)}, 2, 0,
	  {{DW_R_COMPRESS_ERROR, 1}}}, NULL},
	{"unknown MRT type passed on, counted", b_unknown_type, 0, 0,
	 {{OK(0), OK(1), OK(2)}, 3, 0, {{DW_R_UNKNOWN_TYPE, 1}}}, NULL},
	{"garbage between records: resync", b_garbage, 0, 0,
	 {{OK(0), ERR(1, MALF, DW_R_FRAMING_LOST), OK(2), OK(3)}, 3, 1,
	  {{DW_R_FRAMING_LOST, 1}}}, NULL},
};
/* clang-format on */

static void run_fcase(const void *arg)
{
	const struct fcase *c = arg;
	dw_buf_init(&F, 64u << 20);
	nmark = 0;
	c->build();
	run(F.data, F.len, c->threads, c->max_record, &c->x, c->check);
	dw_buf_free(&F);
}

/* ------------------------------------------------------------- main */

/* Run fn(arg) in a child: a crash or hang fails this case only. */
static void isolated(const char *name, void (*fn)(const void *),
		     const void *arg)
{
	int status = 0;
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		dw_test_fail(__FILE__, __LINE__, "fork failed");
		return;
	}
	if (pid == 0) {
		dw_test_checks = dw_test_failures = 0;
		nmark = 0;
		alarm(120);
		fn(arg);
		fprintf(stderr, "%s %s (%d checks)\n",
			dw_test_failures ? "FAIL" : "ok  ", name,
			dw_test_checks);
		exit(dw_test_failures ? 1 : 0);
	}
	dw_test_checks++;
	if (waitpid(pid, &status, 0) < 0)
		dw_test_fail(__FILE__, __LINE__, "%s: waitpid failed", name);
	else if (WIFSIGNALED(status))
		dw_test_fail(__FILE__, __LINE__, "%s: killed by signal %d%s",
			     name, WTERMSIG(status),
			     WTERMSIG(status) == SIGALRM ? " (hang)" : "");
	else if (WEXITSTATUS(status))
		dw_test_fail(__FILE__, __LINE__, "%s: failed (exit %d)", name,
			     WEXITSTATUS(status));
}

int main(void)
{
	const char *base = getenv("DW_SCRATCH");
	snprintf(tmpdir, sizeof(tmpdir), "%s/malformed.XXXXXX",
		 base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror(tmpdir);
		return 1;
	}
	for (size_t i = 0; i < sizeof(ucases) / sizeof(ucases[0]); i++)
		isolated(ucases[i].name, run_ucase, &ucases[i]);
	for (size_t i = 0; i < sizeof(fcases) / sizeof(fcases[0]); i++)
		isolated(fcases[i].name, run_fcase, &fcases[i]);
	rmdir(tmpdir);
	return dw_test_finish();
}
