/*
 * test_writer.c - the MRT writer, body builders and BGP encoders, checked by
 * an independent decoder.
 *
 * Each case builds records with darkwatch/mrt_writer.h, writes them to a file
 * in a temporary directory, runs the system's `bgpdump -m` on it (Debian
 * package bgpdump) and compares every output line.  bgpdump is the reference
 * researchers trust, so passing here proves the writer emits real MRT, not
 * merely bytes our own reader (written in parallel) happens to agree with.
 * A few byte-exact checks pin the parts bgpdump does not show (attribute
 * flags, the extended-length form), and the dw_buf cases cover the cap.
 *
 * Without bgpdump on PATH the bgpdump cases are skipped (the test still runs
 * the byte-level checks); the compressed files are also checked by piping
 * them through gzip/bzip2/xz -dc and comparing with the plain file.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "darkwatch/buf.h"
#include "darkwatch/mrt_writer.h"
#include "testutil.h"

#define TS 1573905600u

static char dir[512];
static int have_bgpdump;

static struct dw_addr addr(const char *s)
{
	struct dw_addr a;
	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, s, a.b) == 1)
		a.af = DW_AF_INET;
	else if (inet_pton(AF_INET6, s, a.b) == 1)
		a.af = DW_AF_INET6;
	else
		dw_test_fail(__FILE__, __LINE__, "bad address %s", s);
	return a;
}

static struct dw_prefix pfx(const char *s)
{
	char tmp[64];
	struct dw_prefix p;
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : 0;

	memset(&p, 0, sizeof(p));
	if (!slash || n >= sizeof(tmp)) {
		dw_test_fail(__FILE__, __LINE__, "bad prefix %s", s);
		return p;
	}
	memcpy(tmp, s, n);
	tmp[n] = 0;
	p.addr = addr(tmp);
	p.len = (uint8_t)strtoul(slash + 1, NULL, 10);
	return p;
}

static void path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

/* Run a shell command, return its stdout (malloc'ed, NUL-terminated). */
static char *capture(const char *cmd)
{
	struct dw_buf b;
	char chunk[4096];
	size_t k;
	FILE *f = popen(cmd, "r");

	dw_buf_init(&b, 64u << 20);
	if (!f)
		return NULL;
	while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (dw_buf_put_bytes(&b, chunk, k))
			break;
	pclose(f);
	if (dw_buf_put_u8(&b, 0)) {
		dw_buf_free(&b);
		return NULL;
	}
	return (char *)b.data;
}

/* bgpdump -m on a file of the temp dir must print exactly `want`. */
static void check_bgpdump(const char *name, const char *want, int line)
{
	char path[600], cmd[700];
	char *got;

	if (!have_bgpdump)
		return;
	path_of(path, sizeof(path), name);
	snprintf(cmd, sizeof(cmd), "bgpdump -m '%s' 2>/dev/null", path);
	got = capture(cmd);
	dw_test_checks++;
	if (!got || strcmp(got, want) != 0)
		dw_test_fail(__FILE__, line, "bgpdump -m %s:\n--- got\n%s--- want\n%s",
			     name, got ? got : "(nothing)\n", want);
	free(got);
}

/* Writes records of one file; each add() takes the body in `body`. */
struct file {
	struct dw_mrt_writer *w;
	struct dw_buf body;
};

static void file_open(struct file *f, const char *name, enum dw_compress c)
{
	char path[600];

	path_of(path, sizeof(path), name);
	CHECK_EQ_INT(dw_mrt_writer_open(path, c, 0, &f->w), 0);
	dw_buf_init(&f->body, 1u << 20);
}

static void add(struct file *f, uint32_t ts, uint32_t usec, uint16_t type,
		uint16_t subtype)
{
	if (f->w)
		CHECK_EQ_INT(dw_mrt_writer_record(f->w, ts, usec, type, subtype,
						  f->body.data, f->body.len),
			     0);
	dw_buf_reset(&f->body);
}

static void file_close(struct file *f)
{
	if (f->w)
		CHECK_EQ_INT(dw_mrt_writer_close(f->w), 0);
	dw_mrt_writer_free(f->w);
	dw_buf_free(&f->body);
}

/* ------------------------------------------------------------ dw_buf */

static void test_buf(void)
{
	struct dw_buf b;
	static const uint8_t want[] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x2a,
				       0x01, 0x02, 0x03, 0x07};

	dw_buf_init(&b, 10);
	CHECK(b.data == NULL && b.len == 0);
	CHECK_EQ_INT(dw_buf_put_u32(&b, 0), 0);
	CHECK_EQ_INT(dw_buf_put_u16(&b, 42), 0);
	CHECK_EQ_INT(dw_buf_put_bytes(&b, "\x01\x02\x03", 3), 0);
	CHECK_EQ_INT(dw_buf_put_u32(&b, 1), DW_ETOOBIG); /* 13 > 10 */
	CHECK_EQ_INT(b.len, 9);                           /* unchanged */
	CHECK_EQ_INT(dw_buf_put_u8(&b, 7), 0);
	CHECK_EQ_INT(dw_buf_put_u8(&b, 8), DW_ETOOBIG);
	CHECK_EQ_INT(dw_buf_patch_u32(&b, 0, 0xdeadbeef), 0);
	CHECK_EQ_INT(dw_buf_patch_u16(&b, 9, 1), DW_EINVAL);
	CHECK_EQ_INT(dw_buf_patch_u32(&b, (size_t)-2, 1), DW_EINVAL);
	CHECK_EQ_INT(b.len, sizeof(want));
	CHECK_EQ_MEM(b.data, want, sizeof(want));
	dw_buf_reset(&b);
	CHECK_EQ_INT(b.len, 0);
	CHECK_EQ_INT(dw_buf_put_zero(&b, 10), 0);
	CHECK_EQ_INT(dw_buf_put_zero(&b, 1), DW_ETOOBIG);
	CHECK_EQ_INT(dw_buf_reserve(&b, (size_t)-1), DW_ETOOBIG);
	dw_buf_free(&b);
	CHECK(b.data == NULL && b.len == 0 && b.max == 10);
	dw_buf_free(&b); /* twice is fine */

	/* growth past the first allocation keeps the contents */
	dw_buf_init(&b, 1u << 20);
	for (uint32_t i = 0; i < 100000; i++)
		if (dw_buf_put_u32(&b, i))
			break;
	CHECK_EQ_INT(b.len, 400000);
	CHECK(b.data && b.data[399999] == (99999 & 0xff));
	dw_buf_free(&b);
}

/* ------------------------------------------------------ byte-exact checks */

static void test_bytes(void)
{
	static const uint8_t want[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x2d, 0x02, /* hdr */
		0x00, 0x00,                                   /* no withdrawn */
		0x00, 0x14,                                   /* attrs: 20 */
		0x40, 0x01, 0x01, 0x00,                       /* ORIGIN IGP */
		0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfb, 0xf4,
		0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01,     /* NEXT_HOP */
		0x08, 0x0a};                                  /* 10.0.0.0/8 */
	uint32_t path[] = {64500};
	uint32_t comms[70];
	struct dw_bgp_attr_spec a = {0};
	struct dw_prefix p = pfx("10.0.0.0/8");
	struct dw_bgp_update_spec u = {0};
	struct dw_buf b;

	dw_buf_init(&b, 1u << 20);
	a.as4 = 1;
	a.path = path;
	a.path_len = 1;
	a.nexthop = addr("192.0.2.1");
	u.attrs = &a;
	u.announce = &p;
	u.nannounce = 1;
	CHECK_EQ_INT(dw_bgp_build_update(&b, &u), 0);
	CHECK_EQ_INT(b.len, sizeof(want));
	CHECK_EQ_MEM(b.data, want, sizeof(want));

	/* 70 communities = 280 bytes: extended length, flags 0xd0 */
	for (int i = 0; i < 70; i++)
		comms[i] = 0xfde80000u + (uint32_t)i;
	a.communities = comms;
	a.ncommunities = 70;
	dw_buf_reset(&b);
	CHECK_EQ_INT(dw_bgp_build_attrs(&b, &a, 0), 0);
	/* ORIGIN 4 + AS_PATH 9 + NEXT_HOP 7, then the communities */
	CHECK_EQ_INT(b.len, 20 + 4 + 280);
	if (b.len >= 28) {
		CHECK_EQ_INT(b.data[20], 0xd0);
		CHECK_EQ_INT(b.data[21], 8);
		CHECK_EQ_INT((b.data[22] << 8) | b.data[23], 280);
		CHECK_EQ_INT(b.data[24], 0xfd);
		CHECK_EQ_INT(b.data[27], 0);
	}

	/* large communities last (type 32), optional transitive */
	{
		static const uint8_t lc_want[] = {
			0xc0, 0x20, 0x0c, 0xfa, 0x56, 0xea, 0x01, 0x00, 0x00,
			0x00, 0x01, 0x00, 0x00, 0x00, 0x02};
		uint32_t lc[] = {4200000001u, 1, 2};
		struct dw_bgp_attr_spec l = {0};
		l.large = lc;
		l.nlarge = 1;
		dw_buf_reset(&b);
		CHECK_EQ_INT(dw_bgp_build_attrs(&b, &l, 0), 0);
		/* ORIGIN 4 + empty AS_PATH 3, then LARGE_COMMUNITY */
		CHECK_EQ_INT(b.len, 7 + sizeof(lc_want));
		if (b.len == 7 + sizeof(lc_want))
			CHECK_EQ_MEM(b.data + 7, lc_want, sizeof(lc_want));
	}

	/* errors leave the buffer as it was */
	dw_buf_reset(&b);
	CHECK_EQ_INT(dw_buf_put_u8(&b, 0x55), 0);
	p.len = 33;
	CHECK_EQ_INT(dw_bgp_build_update(&b, &u), DW_EINVAL);
	CHECK_EQ_INT(b.len, 1);
	p.len = 8;
	{
		struct dw_prefix many[14000];
		for (size_t i = 0; i < 14000; i++) {
			many[i] = pfx("10.0.0.0/32");
			many[i].addr.b[2] = (uint8_t)(i >> 8);
			many[i].addr.b[3] = (uint8_t)i;
		}
		u.announce = many;
		u.nannounce = 14000; /* 70000 bytes of NLRI */
		CHECK_EQ_INT(dw_bgp_build_update(&b, &u), DW_ETOOBIG);
		CHECK_EQ_INT(b.len, 1);
		u.announce = &p;
		u.nannounce = 1;
	}
	{
		struct dw_mrt_bgp4mp_hdr h = {0};
		h.peer_as = 70000;
		h.peer = addr("192.0.2.1");
		h.local = addr("192.0.2.2");
		CHECK_EQ_INT(dw_mrt_build_bgp4mp_state(&b, &h, 1, 2), DW_EINVAL);
		h.local = addr("2001:db8::2");
		h.as4 = 1;
		CHECK_EQ_INT(dw_mrt_build_bgp4mp_state(&b, &h, 1, 2), DW_EINVAL);
		CHECK_EQ_INT(b.len, 1);
	}
	{
		struct dw_bgp_attr_spec v6 = {0};
		struct dw_prefix q = pfx("2001:db8::/32");
		struct dw_bgp_update_spec u6 = {0};
		u6.attrs = &v6;
		u6.announce = &q;
		u6.nannounce = 1; /* IPv6 without an MP next hop */
		CHECK_EQ_INT(dw_bgp_build_update(&b, &u6), DW_EINVAL);
		CHECK_EQ_INT(b.len, 1);
	}
	CHECK_EQ_INT(dw_mrt_bgp4mp_msg_subtype(1, 0, 0), DW_BGP4MP_MESSAGE_AS4);
	CHECK_EQ_INT(dw_mrt_bgp4mp_msg_subtype(0, 1, 1),
		     DW_BGP4MP_MESSAGE_LOCAL_ADDPATH);
	CHECK_EQ_INT(dw_mrt_bgp4mp_msg_subtype(1, 1, 1),
		     DW_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH);
	dw_buf_free(&b);
}

/* ------------------------------------------------- TABLE_DUMP_V2 via bgpdump */

static void rib(struct file *f, uint32_t seq, const char *prefix,
		const struct dw_mrt_rib_entry_spec *e, size_t n, int addpath)
{
	struct dw_prefix p = pfx(prefix);
	CHECK_EQ_INT(dw_mrt_build_rib(&f->body, seq, &p, e, n, addpath), 0);
	add(f, TS, 0, DW_MRT_TABLE_DUMP_V2, dw_mrt_rib_subtype(&p, addpath));
}

static void test_td2(void)
{
	struct file f = {0};
	struct dw_mrt_peer peers[3] = {
		{addr("192.0.2.1"), 64500, 0xc0000201},
		{addr("2001:db8::1"), 4200000001u, 0x0a000002},
		{addr("198.51.100.7"), 3333, 0xc6336407},
	};
	struct dw_buf at[5];
	struct dw_mrt_rib_entry_spec e[2];
	uint32_t p0[] = {64500, 64501};
	uint32_t p1[] = {3333, 1299, 1299, 200000};
	uint32_t s1[] = {65000, 65001};
	uint32_t c1[] = {(3333u << 16) | 100, (1299u << 16) | 20000};
	uint32_t p2[] = {4200000001u, 6939};
	uint32_t lc[] = {4200000001u, 1, 2};
	uint32_t longp[300];
	struct dw_bgp_attr_spec a[5];

	memset(a, 0, sizeof(a));
	for (int i = 0; i < 5; i++)
		dw_buf_init(&at[i], 65535);
	a[0].as4 = 1;
	a[0].path = p0;
	a[0].path_len = 2;
	a[0].nexthop = addr("192.0.2.1");

	a[1].as4 = 1;
	a[1].origin = DW_ORIGIN_INCOMPLETE;
	a[1].path = p1;
	a[1].path_len = 4;
	a[1].set = s1;
	a[1].set_len = 2;
	a[1].nexthop = addr("198.51.100.7");
	a[1].has_med = 1;
	a[1].med = 50;
	a[1].has_local_pref = 1;
	a[1].local_pref = 100;
	a[1].communities = c1;
	a[1].ncommunities = 2;
	a[1].atomic_aggregate = 1;
	a[1].has_aggregator = 1;
	a[1].aggregator_as = 200000;
	a[1].aggregator_addr = addr("10.1.1.1");

	a[2].as4 = 1;
	a[2].path = p2;
	a[2].path_len = 2;
	a[2].mp_nexthop = addr("2001:db8::1");
	a[2].mp_nexthop_ll = addr("fe80::1");
	a[2].large = lc;
	a[2].nlarge = 1;

	for (int i = 0; i < 300; i++)
		longp[i] = 64500u + (uint32_t)(i % 7);
	a[3].as4 = 1;
	a[3].origin = DW_ORIGIN_EGP;
	a[3].path = longp;
	a[3].path_len = 300; /* two segments, extended length */
	a[3].nexthop = addr("192.0.2.1");

	for (int i = 0; i < 4; i++)
		CHECK_EQ_INT(dw_bgp_build_attrs(&at[i], &a[i], DW_BGP_ATTRS_RIB),
			     0);

	file_open(&f, "td2.mrt", DW_COMP_NONE);
	CHECK_EQ_INT(dw_mrt_build_peer_index(&f.body, 0x0a000001, "test", peers,
					     3),
		     0);
	add(&f, TS, 0, DW_MRT_TABLE_DUMP_V2, DW_TD2_PEER_INDEX_TABLE);

	e[0] = (struct dw_mrt_rib_entry_spec){0, TS - 100, 0, at[0].data,
					      at[0].len};
	e[1] = (struct dw_mrt_rib_entry_spec){2, TS - 50, 0, at[1].data,
					      at[1].len};
	rib(&f, 0, "10.0.0.0/8", e, 2, 0);
	e[0] = (struct dw_mrt_rib_entry_spec){1, TS - 10, 0, at[2].data,
					      at[2].len};
	rib(&f, 1, "2001:db8::/32", e, 1, 0);
	e[0] = (struct dw_mrt_rib_entry_spec){0, TS - 10, 0, at[3].data,
					      at[3].len};
	rib(&f, 2, "192.0.2.129/25", e, 1, 0); /* host bit must be cleared */
	file_close(&f);

	{
		char want[8192], lp[4096];
		size_t o = 0;
		for (int i = 0; i < 300 && o < sizeof(lp) - 8; i++)
			o += (size_t)snprintf(lp + o, sizeof(lp) - o, "%s%u",
					      i ? " " : "", longp[i]);
		snprintf(want, sizeof(want),
			 "TABLE_DUMP2|1573905600|B|192.0.2.1|64500|10.0.0.0/8|"
			 "64500 64501|IGP|192.0.2.1|0|0||NAG||\n"
			 "TABLE_DUMP2|1573905600|B|198.51.100.7|3333|10.0.0.0/8|"
			 "3333 1299 1299 200000 {65000,65001}|INCOMPLETE|"
			 "198.51.100.7|100|50|3333:100 1299:20000|AG|"
			 "200000 10.1.1.1|\n"
			 "TABLE_DUMP2|1573905600|B|2001:db8::1|4200000001|"
			 "2001:db8::/32|4200000001 6939|IGP|2001:db8::1|0|0||NAG||\n"
			 "TABLE_DUMP2|1573905600|B|192.0.2.1|64500|192.0.2.128/25|"
			 "%s|EGP|192.0.2.1|0|0||NAG||\n",
			 lp);
		check_bgpdump("td2.mrt", want, __LINE__);
	}

	/* RFC 8050 RIB_IPV4_UNICAST_ADDPATH / RIB_IPV6_UNICAST_ADDPATH */
	memset(&f, 0, sizeof(f));
	file_open(&f, "td2ap.mrt", DW_COMP_NONE);
	CHECK_EQ_INT(dw_mrt_build_peer_index(&f.body, 0x0a000001, NULL, peers,
					     3),
		     0);
	add(&f, TS, 0, DW_MRT_TABLE_DUMP_V2, DW_TD2_PEER_INDEX_TABLE);
	e[0] = (struct dw_mrt_rib_entry_spec){0, TS, 36, at[0].data, at[0].len};
	e[1] = (struct dw_mrt_rib_entry_spec){0, TS, 38, at[0].data, at[0].len};
	rib(&f, 0, "10.0.10.0/24", e, 2, 1);
	file_close(&f);
	check_bgpdump("td2ap.mrt",
		      "TABLE_DUMP2_AP|1573905600|B|192.0.2.1|64500|10.0.10.0/24|"
		      "36|64500 64501|IGP|192.0.2.1|0|0||NAG||\n"
		      "TABLE_DUMP2_AP|1573905600|B|192.0.2.1|64500|10.0.10.0/24|"
		      "38|64500 64501|IGP|192.0.2.1|0|0||NAG||\n",
		      __LINE__);
	for (int i = 0; i < 5; i++)
		dw_buf_free(&at[i]);
}

/* ------------------------------------------------------ TABLE_DUMP (v1) */

static void test_td1(void)
{
	struct file f = {0};
	struct dw_buf at;
	uint32_t path[] = {1853, 1239, 80};
	struct dw_bgp_attr_spec a = {0};
	struct dw_mrt_td1 r = {0};

	dw_buf_init(&at, 65535);
	a.path = path;
	a.path_len = 3;
	a.nexthop = addr("193.203.0.1");
	CHECK_EQ_INT(dw_bgp_build_attrs(&at, &a, 0), 0);
	r.view = 0;
	r.seq = 7;
	r.prefix = pfx("3.0.0.0/8");
	r.status = 1;
	r.originated = 1027381000;
	r.peer = addr("193.203.0.1");
	r.peer_as = 1853;
	r.attrs.p = at.data;
	r.attrs.len = at.len;
	file_open(&f, "td1.mrt", DW_COMP_NONE);
	CHECK_EQ_INT(dw_mrt_build_td1(&f.body, &r), 0);
	add(&f, 1027381055, 0, DW_MRT_TABLE_DUMP, DW_AFI_IPV4);
	r.peer_as = 70000; /* does not fit TABLE_DUMP's 2-byte field */
	CHECK_EQ_INT(dw_mrt_build_td1(&f.body, &r), DW_EINVAL);
	CHECK_EQ_INT(f.body.len, 0);
	file_close(&f);
	check_bgpdump("td1.mrt",
		      "TABLE_DUMP|1027381055|B|193.203.0.1|1853|3.0.0.0/8|"
		      "1853 1239 80|IGP|193.203.0.1|0|0||NAG||\n",
		      __LINE__);
	dw_buf_free(&at);
}

/* -------------------------------------------------------- BGP4MP updates */

static const char updates_want[] =
	"BGP4MP|1573905600|STATE|192.0.2.1|64500|1|6\n"
	"BGP4MP|1573905601|W|192.0.2.1|64500|10.1.0.0/16\n"
	"BGP4MP|1573905601|A|192.0.2.1|64500|10.2.0.0/16|64500 64501 64501|"
	"IGP|192.0.2.1|0|0|64500:1 64500:2|NAG||\n"
	"BGP4MP|1573905601|A|192.0.2.1|64500|10.3.0.0/24|64500 64501 64501|"
	"IGP|192.0.2.1|0|0|64500:1 64500:2|NAG||\n"
	"BGP4MP|1573905602|W|2001:db8::1|4200000001|2001:db8:2::/48\n"
	"BGP4MP|1573905602|A|2001:db8::1|4200000001|2001:db8:1::/48|"
	"4200000001 6939|IGP|2001:db8::1|0|0||NAG||\n"
	"BGP4MP|1573905603|A|198.51.100.7|3333|192.0.2.0/24|3333 200000|IGP|"
	"198.51.100.7|0|0||NAG|200000 10.9.9.9|\n"
	"BGP4MP_ET|1573905604.000123|A|192.0.2.1|64500|10.4.0.0/16|64500|IGP|"
	"192.0.2.1|0|7||NAG||\n"
	"BGP4MP|1573905605|W|192.0.2.1|64500|10.2.0.0/16\n";

static void write_updates(const char *name, enum dw_compress comp)
{
	struct file f = {0};
	struct dw_buf msg;
	struct dw_mrt_bgp4mp_hdr h4 = {0}, h6 = {0}, h2 = {0};
	uint32_t p4[] = {64500, 64501, 64501};
	uint32_t c4[] = {(64500u << 16) | 1, (64500u << 16) | 2};
	uint32_t p6[] = {4200000001u, 6939};
	uint32_t p2[] = {3333, 200000};
	uint32_t p5[] = {64500};
	struct dw_bgp_attr_spec a4 = {0}, a6 = {0}, a2 = {0}, a5 = {0};
	struct dw_prefix w4 = pfx("10.1.0.0/16");
	struct dw_prefix n4[] = {pfx("10.2.0.0/16"), pfx("10.3.0.0/24")};
	struct dw_prefix n6 = pfx("2001:db8:1::/48"), w6 = pfx("2001:db8:2::/48");
	struct dw_prefix n2 = pfx("192.0.2.0/24"), n5 = pfx("10.4.0.0/16");
	struct dw_bgp_update_spec u = {0};

	dw_buf_init(&msg, DW_BGP_MAX_MSG);
	h4.as4 = 1;
	h4.peer_as = 64500;
	h4.local_as = 12654;
	h4.peer = addr("192.0.2.1");
	h4.local = addr("192.0.2.254");
	h6 = h4;
	h6.peer_as = 4200000001u;
	h6.peer = addr("2001:db8::1");
	h6.local = addr("2001:db8::fe");
	h2.peer_as = 3333;
	h2.local_as = 12654;
	h2.peer = addr("198.51.100.7");
	h2.local = addr("198.51.100.254");

	file_open(&f, name, comp);
	CHECK_EQ_INT(dw_mrt_build_bgp4mp_state(&f.body, &h4, 1, 6), 0);
	add(&f, TS, 0, DW_MRT_BGP4MP, dw_mrt_bgp4mp_state_subtype(1));

	/* IPv4 withdrawal and announcements in one message */
	a4.as4 = 1;
	a4.path = p4;
	a4.path_len = 3;
	a4.nexthop = h4.peer;
	a4.communities = c4;
	a4.ncommunities = 2;
	u.attrs = &a4;
	u.announce = n4;
	u.nannounce = 2;
	u.withdraw = &w4;
	u.nwithdraw = 1;
	CHECK_EQ_INT(dw_bgp_build_update(&msg, &u), 0);
	CHECK_EQ_INT(dw_mrt_build_bgp4mp_msg(&f.body, &h4, msg.data, msg.len),
		     0);
	add(&f, TS + 1, 0, DW_MRT_BGP4MP, dw_mrt_bgp4mp_msg_subtype(1, 0, 0));

	/* IPv6: MP_REACH_NLRI and MP_UNREACH_NLRI */
	dw_buf_reset(&msg);
	a6.as4 = 1;
	a6.path = p6;
	a6.path_len = 2;
	a6.mp_nexthop = h6.peer;
	memset(&u, 0, sizeof(u));
	u.attrs = &a6;
	u.announce = &n6;
	u.nannounce = 1;
	u.withdraw = &w6;
	u.nwithdraw = 1;
	CHECK_EQ_INT(dw_bgp_build_update(&msg, &u), 0);
	CHECK_EQ_INT(dw_mrt_build_bgp4mp_msg(&f.body, &h6, msg.data, msg.len),
		     0);
	add(&f, TS + 2, 0, DW_MRT_BGP4MP, dw_mrt_bgp4mp_msg_subtype(1, 0, 0));

	/* 2-byte session: AS_TRANS in AS_PATH, the truth in AS4_PATH and
	 * AS4_AGGREGATOR (RFC 6793); bgpdump merges them back */
	dw_buf_reset(&msg);
	a2.path = p2;
	a2.path_len = 2;
	a2.nexthop = h2.peer;
	a2.has_aggregator = 1;
	a2.aggregator_as = 200000;
	a2.aggregator_addr = addr("10.9.9.9");
	memset(&u, 0, sizeof(u));
	u.attrs = &a2;
	u.announce = &n2;
	u.nannounce = 1;
	CHECK_EQ_INT(dw_bgp_build_update(&msg, &u), 0);
	CHECK_EQ_INT(dw_mrt_build_bgp4mp_msg(&f.body, &h2, msg.data, msg.len),
		     0);
	add(&f, TS + 3, 0, DW_MRT_BGP4MP, dw_mrt_bgp4mp_msg_subtype(0, 0, 0));

	/* BGP4MP_ET: microseconds in the header, counted in the length */
	dw_buf_reset(&msg);
	a5.as4 = 1;
	a5.path = p5;
	a5.path_len = 1;
	a5.nexthop = h4.peer;
	a5.has_med = 1;
	a5.med = 7;
	memset(&u, 0, sizeof(u));
	u.attrs = &a5;
	u.announce = &n5;
	u.nannounce = 1;
	CHECK_EQ_INT(dw_bgp_build_update(&msg, &u), 0);
	CHECK_EQ_INT(dw_mrt_build_bgp4mp_msg(&f.body, &h4, msg.data, msg.len),
		     0);
	add(&f, TS + 4, 123, DW_MRT_BGP4MP_ET,
	    dw_mrt_bgp4mp_msg_subtype(1, 0, 0));

	/* pure IPv4 withdrawal: no path attributes at all */
	dw_buf_reset(&msg);
	memset(&u, 0, sizeof(u));
	u.withdraw = &n4[0];
	u.nwithdraw = 1;
	CHECK_EQ_INT(dw_bgp_build_update(&msg, &u), 0);
	CHECK_EQ_INT(msg.len, 19 + 2 + 3 + 2);
	CHECK_EQ_INT(dw_mrt_build_bgp4mp_msg(&f.body, &h4, msg.data, msg.len),
		     0);
	add(&f, TS + 5, 0, DW_MRT_BGP4MP, dw_mrt_bgp4mp_msg_subtype(1, 0, 0));
	file_close(&f);
	dw_buf_free(&msg);
}

static void test_updates(void)
{
	write_updates("updates.mrt", DW_COMP_NONE);
	check_bgpdump("updates.mrt", updates_want, __LINE__);
}

/* RFC 8050 BGP4MP_MESSAGE_AS4_ADDPATH */
static void test_addpath_msg(void)
{
	struct file f = {0};
	struct dw_buf msg;
	struct dw_mrt_bgp4mp_hdr h = {0};
	uint32_t path[] = {65015, 65014};
	uint32_t ids[] = {36, 38};
	struct dw_prefix n[] = {pfx("10.0.10.0/24"), pfx("10.0.11.0/24")};
	struct dw_bgp_attr_spec a = {0};
	struct dw_bgp_update_spec u = {0};

	dw_buf_init(&msg, DW_BGP_MAX_MSG);
	h.as4 = 1;
	h.peer_as = 65015;
	h.local_as = 65000;
	h.peer = addr("10.0.15.1");
	h.local = addr("10.0.15.2");
	a.as4 = 1;
	a.path = path;
	a.path_len = 2;
	a.nexthop = h.peer;
	u.attrs = &a;
	u.announce = n;
	u.nannounce = 2;
	u.addpath = 1;
	u.announce_ids = ids;
	CHECK_EQ_INT(dw_bgp_build_update(&msg, &u), 0);
	file_open(&f, "addpath.mrt", DW_COMP_NONE);
	CHECK_EQ_INT(dw_mrt_build_bgp4mp_msg(&f.body, &h, msg.data, msg.len),
		     0);
	add(&f, TS, 0, DW_MRT_BGP4MP, dw_mrt_bgp4mp_msg_subtype(1, 0, 1));
	file_close(&f);
	dw_buf_free(&msg);
	check_bgpdump("addpath.mrt",
		      "BGP4MP_AP|1573905600|A|10.0.15.1|65015|10.0.10.0/24|"
		      "36|65015 65014|IGP|10.0.15.1|0|0||NAG||\n"
		      "BGP4MP_AP|1573905600|A|10.0.15.1|65015|10.0.11.0/24|"
		      "38|65015 65014|IGP|10.0.15.1|0|0||NAG||\n",
		      __LINE__);
}

/* ------------------------------------------------------------ compression */

static int tool_ok(const char *tool)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* `tool -dc file` must give back the plain file byte for byte. */
static void check_decompress(const char *tool, const char *name, int line)
{
	char cmd[1400], a[600], b[600];

	if (!tool_ok(tool))
		return;
	path_of(a, sizeof(a), name);
	path_of(b, sizeof(b), "updates.mrt");
	snprintf(cmd, sizeof(cmd), "%s -dc '%s' | cmp -s - '%s'", tool, a, b);
	dw_test_checks++;
	if (system(cmd) != 0)
		dw_test_fail(__FILE__, line, "%s -dc %s differs from updates.mrt",
			     tool, name);
}

static void test_compress(void)
{
	struct dw_mrt_writer *w = NULL;
	char path[600];

	write_updates("updates.mrt.gz", DW_COMP_GZIP);
	write_updates("updates.mrt.bz2", DW_COMP_BZIP2);
	write_updates("updates.mrt.xz", DW_COMP_XZ);
	check_bgpdump("updates.mrt.gz", updates_want, __LINE__);
	check_bgpdump("updates.mrt.bz2", updates_want, __LINE__);
	check_decompress("gzip", "updates.mrt.gz", __LINE__);
	check_decompress("bzip2", "updates.mrt.bz2", __LINE__);
	check_decompress("xz", "updates.mrt.xz", __LINE__);

	/* lifecycle errors */
	path_of(path, sizeof(path), "x.mrt");
	CHECK_EQ_INT(dw_mrt_writer_open(path, DW_COMP_GZIP, 10, &w), DW_EINVAL);
	CHECK(w == NULL);
	CHECK_EQ_INT(dw_mrt_writer_open("/nonexistent-dir/x", DW_COMP_NONE, 0,
					&w),
		     -ENOENT);
	CHECK_EQ_INT(dw_mrt_writer_open(path, DW_COMP_NONE, 0, &w), 0);
	if (w) {
		CHECK_EQ_INT(dw_mrt_writer_raw(w, "abc", 3), 0);
		CHECK_EQ_INT(dw_mrt_writer_record(w, 0, 0, 13, 1, "x", 1), 0);
		CHECK_EQ_U64(dw_mrt_writer_bytes(w), 3 + 12 + 1);
		CHECK_EQ_INT(dw_mrt_writer_close(w), 0);
		CHECK_EQ_INT(dw_mrt_writer_close(w), DW_EINVAL);
		CHECK_EQ_INT(dw_mrt_writer_record(w, 0, 0, 13, 1, "x", 1),
			     DW_EINVAL);
	}
	dw_mrt_writer_free(w);
	dw_mrt_writer_free(NULL);
}

static void cleanup(void)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

int main(void)
{
	const char *tmp = getenv("DW_SCRATCH"); /* set by ctest */

	if (!tmp || !*tmp || strlen(tmp) > 400 || strchr(tmp, '\''))
		tmp = getenv("TMPDIR");
	if (!tmp || !*tmp || strlen(tmp) > 400 || strchr(tmp, '\''))
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/dw-writer-XXXXXX", tmp);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	have_bgpdump = tool_ok("bgpdump");
	if (!have_bgpdump)
		fprintf(stderr, "bgpdump not found: bgpdump cases skipped\n");
	test_buf();
	test_bytes();
	test_td2();
	test_td1();
	test_updates();
	test_addpath_msg();
	test_compress();
	if (!dw_test_failures)
		cleanup();
	else
		fprintf(stderr, "files kept in %s\n", dir);
	return dw_test_finish();
}
