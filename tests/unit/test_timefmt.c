/*
 * test_timefmt.c - dw_time_parse / dw_time_fmt: every accepted form, the
 * rejected ones (other offsets, impossible dates, sub-second times,
 * garbage), the range limits, and parse(fmt(t)) == t over many times.
 */
#include <stdint.h>
#include <stdlib.h>

#include "darkwatch/err.h"
#include "darkwatch/timefmt.h"
#include "testutil.h"

static const struct {
	const char *in;
	int64_t want;
} good[] = {
	{"1573912800", 1573912800},
	{"0", 0},
	{"-86400", -86400},
	{"2019-11-16T14:00:00Z", 1573912800},
	{"2019-11-16T14:00Z", 1573912800},
	{"2019-11-16T14:00", 1573912800},
	{"2019-11-16 14:00:00", 1573912800},
	{"2019-11-16t14:00:00z", 1573912800},
	{"2019-11-16T14:00:00+00:00", 1573912800},
	{"2019-11-16T14:00+00:00", 1573912800},
	{"2019-11-16T14:00:00.000Z", 1573912800},
	{"2019-11-16T14:00:00.0", 1573912800},
	{"2019-11-16", 1573862400},
	{"2019-11-16Z", 1573862400},
	{"1970-01-01T00:00:00Z", 0},
	{"1969-12-31T23:59:59Z", -1},
	{"2020-02-29", 1582934400},
	{"2000-02-29T23:59:59Z", 951868799},
	{"9999-12-31T23:59:59Z", DW_TIME_MAX},
	{"0000-01-01T00:00:00Z", DW_TIME_MIN},
	{"253402300799", DW_TIME_MAX},
	{"-62167219200", DW_TIME_MIN},
};

static const char *const bad[] = {
	"", " ", "abc", "12a", "1573912800 ", " 1573912800", "+1573912800",
	"--1", "-", "1e9", "1573912800.5", "0x10",
	"253402300800",                 /* past 9999 */
	"-62167219201",                 /* before year 0 */
	"99999999999999999999999",      /* overflow */
	"2019-11-16T14:00:00+03:30",    /* Iran: convert before importing */
	"2019-11-16T14:00:00-05:00",
	"2019-11-16T14:00:00+01",
	"2019-11-16T14:00:00-00:00",
	"2019-11-16T14:00:00.5Z",       /* sub-second */
	"2019-11-16T14:00:00.Z",
	"2019-11-16T14:00:00.001",
	"2019-02-29", "2019-02-30", "2019-04-31", "2019-13-01", "2019-00-10",
	"2019-11-00", "2019-11-16T24:00", "2019-11-16T23:60", "2019-11-16T23:59:60",
	"2019-11-16T14", "2019-11-16T14:0", "2019-11-16T1:00", "2019-1-16",
	"19-11-16", "2019/11/16", "2019-11-16T14:00:00ZZ", "2019-11-16  14:00",
	"2019-11-16T14:00:00 Z", "2019-11-16X14:00", "2019-11-16T",
	"2019-11-16T14:00:00UTC", "１９７０", "2019-11-1６",
};

static void test_good(void)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int64_t t = 42;
		int rc = dw_time_parse(good[i].in, &t);
		if (rc)
			fprintf(stderr, "  input '%s'\n", good[i].in);
		CHECK_EQ_INT(rc, 0);
		CHECK_EQ_INT(t, good[i].want);
	}
}

static void test_bad(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t t = 42;
		int rc = dw_time_parse(bad[i], &t);
		if (rc != DW_EINVAL)
			fprintf(stderr, "  input '%s' accepted as %lld\n", bad[i],
				(long long)t);
		CHECK_EQ_INT(rc, DW_EINVAL);
		CHECK_EQ_INT(t, 42); /* untouched on failure */
	}
	int64_t t;
	CHECK_EQ_INT(dw_time_parse(NULL, &t), DW_EINVAL);
	CHECK_EQ_INT(dw_time_parse("1", NULL), DW_EINVAL);
}

static void test_parse_n(void)
{
	int64_t t = 0;
	/* Only the first n bytes count: a CSV field inside a longer line. */
	CHECK_EQ_INT(dw_time_parse_n("1573912800,17", 10, &t), 0);
	CHECK_EQ_INT(t, 1573912800);
	CHECK_EQ_INT(dw_time_parse_n("2019-11-16T14:00:00Z,1", 20, &t), 0);
	CHECK_EQ_INT(t, 1573912800);
	CHECK_EQ_INT(dw_time_parse_n("2019-11-16T14:00:00Z", 19, &t), 0);
	CHECK_EQ_INT(dw_time_parse_n("2019-11-16T14:00:00Z", 0, &t), DW_EINVAL);
}

static void test_fmt(void)
{
	static const struct {
		int64_t t;
		const char *want;
	} cases[] = {
		{1573912800, "2019-11-16T14:00:00Z"},
		{0, "1970-01-01T00:00:00Z"},
		{-1, "1969-12-31T23:59:59Z"},
		{951868799, "2000-02-29T23:59:59Z"},
		{DW_TIME_MAX, "9999-12-31T23:59:59Z"},
		{DW_TIME_MIN, "0000-01-01T00:00:00Z"},
	};
	char buf[32];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_EQ_INT(dw_time_fmt(cases[i].t, buf), 0);
		CHECK_EQ_STR(buf, cases[i].want);
	}
	CHECK_EQ_INT(dw_time_fmt(DW_TIME_MAX + 1, buf), DW_EINVAL);
	CHECK_EQ_STR(buf, "253402300800");
	CHECK_EQ_INT(dw_time_fmt(INT64_MIN, buf), DW_EINVAL);
	CHECK_EQ_STR(buf, "-9223372036854775808");
}

/* parse(fmt(t)) == t for times spread over the whole range. */
static void test_roundtrip(void)
{
	uint64_t x = 88172645463325252ull;
	int bad_rt = 0;
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		int64_t span = DW_TIME_MAX - DW_TIME_MIN + 1;
		int64_t t = DW_TIME_MIN + (int64_t)(x % (uint64_t)span), back = 0;
		char buf[32];
		if (dw_time_fmt(t, buf) || dw_time_parse(buf, &back) || back != t) {
			if (bad_rt++ < 5)
				fprintf(stderr, "  round trip %lld -> %s -> %lld\n",
					(long long)t, buf, (long long)back);
		}
	}
	CHECK_EQ_INT(bad_rt, 0);
}

int main(void)
{
	test_good();
	test_bad();
	test_parse_n();
	test_fmt();
	test_roundtrip();
	return dw_test_finish();
}
