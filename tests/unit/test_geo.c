/*
 * test_geo.c - geolocation module: CSV and mmdb sources, region codes,
 * countries.
 *
 * Every database is built here, in the test's scratch directory: CSV files
 * in both @ip-location-db layouts (text and numeric ranges, IPv4 and IPv6,
 * bad rows, gzip), and MaxMind DB files written by mmdb_writer.h with both
 * key layouts (MaxMind's nested keys and @ip-location-db's flat ones).
 * Lookups are checked at the edges of every range; the flattened IPv4
 * tables are cross-checked against libmaxminddb's own lookups, and the
 * overlap rule against a brute-force painting.
 *
 * Longer than the ~800 lines STYLE.md asks for: tests register one file per
 * module (tests/CMakeLists.txt), and the sections below (region codes,
 * countries, CSV, mmdb, several sources) are independent of each other.
 */
#include "darkwatch/err.h"
#include "darkwatch/geo.h"
#include "mmdb_writer.h"
#include "testutil.h"

#include <errno.h>
#include <maxminddb.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* --- helpers */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static void write_gz(const char *path, const char *text)
{
	gzFile z = gzopen(path, "wb");
	CHECK(z != NULL);
	if (!z)
		return;
	CHECK_EQ_INT(gzwrite(z, text, (unsigned)strlen(text)),
		     (int)strlen(text));
	gzclose(z);
}

static uint32_t v4(const char *s)
{
	struct dw_addr a;
	if (dw_addr_parse(s, &a) || a.af != DW_AF_INET) {
		fprintf(stderr, "bad test address %s\n", s);
		abort();
	}
	return dw_addr_v4(&a);
}

/* Look up text address s; return "CC region" or "-" for a miss. */
static const char *where(const struct dw_geo *g, const char *s)
{
	static char out[256];
	struct dw_geo_result r;
	struct dw_addr a;
	int rc;

	if (dw_addr_parse(s, &a))
		return "bad test address";
	rc = dw_geo_lookup(g, &a, &r);
	if (rc < 0)
		return dw_strerror(rc);
	if (rc == 0)
		return r.country[0] ? "miss but country set" : "-";
	snprintf(out, sizeof(out), "%s%s%s", r.country, r.region[0] ? " " : "",
		 r.region);
	/* the IPv4 fast path must agree with the general lookup */
	if (a.af == DW_AF_INET) {
		const struct dw_geo_result *p;
		if (dw_geo_lookup_v4(g, dw_addr_v4(&a), &p) != 1 ||
		    memcmp(p, &r, sizeof(r)) != 0)
			return "lookup_v4 disagrees";
	}
	return out;
}

struct probe {
	const char *addr, *want;
};

static void check_probes(const struct dw_geo *g, const struct probe *p,
			 size_t n, const char *what)
{
	for (size_t i = 0; i < n; i++) {
		const char *got = where(g, p[i].addr);
		dw_test_checks++;
		if (strcmp(got, p[i].want) != 0)
			dw_test_fail(__FILE__, __LINE__,
				     "%s: %s: got \"%s\", want \"%s\"", what,
				     p[i].addr, got, p[i].want);
	}
}

#define CHECK_PROBES(g, p) check_probes(g, p, sizeof(p) / sizeof(p[0]), #p)

static struct dw_geo *open_one(const char *path, int want_rc)
{
	struct dw_geo *g = NULL;
	CHECK_EQ_INT(dw_geo_open(&g), 0);
	CHECK_EQ_INT(dw_geo_add_file(g, path), want_rc);
	return g;
}

static struct dw_geo_file_info info0(const struct dw_geo *g)
{
	struct dw_geo_file_info in;
	memset(&in, 0, sizeof(in));
	CHECK_EQ_INT(dw_geo_file_info(g, 0, &in), 0);
	return in;
}

/* --- region codes and countries */

static void test_region_code(void)
{
	static const struct {
		const char *cc, *name, *want;
	} cases[] = {
		{"IR", "Tehran", "IR-Tehran"},
		{"us", "New York", "US-New_York"},
		{"US", "  New   York  ", "US-New_York"},
		{"US", "New_York", "US-New_York"},
		{"US", "Washington, D.C.", "US-Washington_DC"},
		{"US", "District of Columbia", "US-District_of_Columbia"},
		{"FR", "Provence-Alpes-Côte d'Azur",
		 "FR-Provence-Alpes-Côte_dAzur"},
		{"BR", "São Paulo", "BR-São_Paulo"},
		{"DE", "Baden-Württemberg", "DE-Baden-Württemberg"},
		{"JP", "Tōkyō", "JP-Tōkyō"},
		{"UA", "Kharkivs\xe2\x80\x99ka Oblast\xe2\x80\x99",
		 "UA-Kharkivska_Oblast"},
		{"UA", "Kharkivs'ka Oblast'", "UA-Kharkivska_Oblast"},
		{"RU",
		 "North Ossetia\xe2\x80\x93"
		 "Alania",
		 "RU-North_Ossetia-Alania"},
		{"TT", "Tunapuna/Piarco", "TT-Tunapuna_Piarco"},
		{"VN", "Ho Chi Minh City (HCMC)", "VN-Ho_Chi_Minh_City_HCMC"},
		{"IR", "\xd8\xaa\xd9\x87\xd8\xb1\xd8\xa7\xd9\x86",
		 "IR-\xd8\xaa\xd9\x87\xd8\xb1\xd8\xa7\xd9\x86"},
		{"XX",
		 "A\xc2\xa0"
		 "B",
		 "XX-A_B"}, /* NBSP is a space */
		{"XX",
		 "A\xff\xfe"
		 "B",
		 "XX-AB"}, /* invalid bytes */
		{"XX",
		 "A\xc0\xaf"
		 "B",
		 "XX-AB"}, /* overlong '/' */
		{"XX",
		 "A\xed\xa0\x80"
		 "B",
		 "XX-AB"}, /* surrogate */
		{"XX",
		 "A\xc2\xbf"
		 "B\xc3\x97",
		 "XX-AB"}, /* ¿ and × */
		{"XX", "A\tB\r\n", "XX-A_B"},
		{"XX", "'.,", ""}, /* nothing left */
		{"XX", "", ""},
		{"X", "Tehran", ""}, /* bad country */
		{"XXX", "Tehran", ""},
		{"1R", "Tehran", ""},
	};
	char out[DW_GEO_REGION_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = dw_geo_region_code(cases[i].cc, cases[i].name,
					   strlen(cases[i].name), out,
					   sizeof(out));
		CHECK_EQ_STR(out, cases[i].want);
		CHECK_EQ_INT(n, (int)strlen(cases[i].want));
	}
	CHECK_EQ_INT(dw_geo_region_code("IR", "x", 1, out, 3), DW_EINVAL);

	/* Truncation keeps whole characters and never ends in '_'. */
	{
		char name[400];
		size_t n = 0;
		while (n + 3 < sizeof(name)) {
			memcpy(name + n, "é ", 3); /* 2-byte letter, space */
			n += 3;
		}
		int len = dw_geo_region_code("FR", name, n, out, sizeof(out));
		CHECK(len > 0 && len <= DW_GEO_REGION_MAX - 1);
		CHECK_EQ_INT(strlen(out), len);
		CHECK(out[len - 1] != '_');
		CHECK((out[len - 1] & 0xc0) != 0xc0); /* not a lead byte */
		/* a small buffer cuts too */
		len = dw_geo_region_code("FR", name, n, out, 8);
		CHECK_EQ_STR(out, "FR-é");
		CHECK_EQ_INT(len, 5);
	}
}

static void test_countries(void)
{
	const struct dw_country *c;
	size_t i;

	CHECK_EQ_STR(dw_country_name("IR"), "Iran");
	CHECK_EQ_STR(dw_country_name("ir"), "Iran");
	CHECK_EQ_STR(dw_country_name("US"), "United States");
	CHECK_EQ_STR(dw_country_name("DE"), "Germany");
	CHECK_EQ_STR(dw_country_name("XK"), "Kosovo");
	CHECK_EQ_STR(dw_country_name("TR"), "Türkiye");
	CHECK(dw_country_name("ZZ") == NULL);
	CHECK(dw_country_name("I") == NULL);
	CHECK(dw_country_name("IRN") == NULL);
	CHECK(dw_country_name(NULL) == NULL);
	CHECK_EQ_STR(dw_country_continent("IR"), "AS");
	CHECK_EQ_STR(dw_country_continent("DE"), "EU");
	CHECK_EQ_STR(dw_country_continent("BR"), "SA");
	CHECK_EQ_STR(dw_country_continent("US"), "NA");
	CHECK_EQ_STR(dw_country_continent("AU"), "OC");
	CHECK_EQ_STR(dw_country_continent("NG"), "AF");
	CHECK_EQ_STR(dw_country_continent("AQ"), "AN");
	CHECK_EQ_STR(dw_continent_name("EU"), "Europe");
	CHECK_EQ_STR(dw_continent_name("na"), "North America");
	CHECK(dw_continent_name("XX") == NULL);
	c = dw_country_get("ir");
	CHECK(c && strcmp(c->code, "IR") == 0);
	/* sorted, unique, every continent named */
	for (i = 0; (c = dw_country_at(i)); i++) {
		CHECK(dw_continent_name(c->continent) != NULL);
		CHECK(c->name && c->name[0]);
		if (i)
			CHECK(strcmp(dw_country_at(i - 1)->code, c->code) < 0);
		CHECK(dw_country_get(c->code) == c);
	}
	CHECK(i >= 249);
}

/* --- CSV */

static void test_csv_country(void)
{
	static const struct probe p[] = {
		{"1.0.0.0", "AU"},
		{"1.0.0.255", "AU"},
		{"1.0.1.0", "CN"},
		{"1.0.3.255", "CN"},
		{"1.0.4.0", "AU"},
		{"1.0.7.255", "AU"},
		{"1.0.8.0", "-"},
		{"0.0.0.0", "-"}, /* ZZ row */
		{"0.255.255.255", "-"},
		{"5.159.255.255", "-"},
		{"5.160.0.0", "IR"},
		{"5.160.255.255", "IR"},
		{"5.161.0.0", "-"},
		{"10.0.0.0", "DE"},
		{"10.0.1.255", "DE"},
		{"10.0.2.0", "-"},
		{"255.255.254.255", "-"},
		{"255.255.255.0", "US"},
		{"255.255.255.255", "US"},
		{"::ffff:5.160.0.1", "IR"}, /* mapped: the IPv4 table */
		{"2001:db8::1", "-"},
	};
	struct dw_geo *g;
	struct dw_geo_file_info in;

	write_file("country.csv",
		   "ip_range_start,ip_range_end,country_code\n"
		   "1.0.0.0,1.0.0.255,AU\n"
		   "1.0.1.0,1.0.3.255,cn\n"
		   "1.0.4.0,1.0.7.255,AU\n"
		   "# a comment\n"
		   "\n"
		   "5.160.0.0,5.160.255.255,IR\n"
		   "0.0.0.0,0.255.255.255,ZZ\n"
		   "10.0.0.0,10.0.0.255,DE\n"
		   "10.0.1.0,10.0.1.255,DE\n"
		   "255.255.255.0,255.255.255.255,US"); /* no final newline */
	g = open_one("country.csv", 0);
	CHECK_PROBES(g, p);
	in = info0(g);
	CHECK_EQ_INT(in.format, DW_GEO_CSV);
	CHECK_EQ_INT(in.layout, DW_GEO_LAYOUT_COUNTRY);
	CHECK_EQ_U64(in.rows, 8);
	CHECK_EQ_U64(in.bad_rows, 0);
	CHECK_EQ_U64(in.unknown_rows, 1);
	CHECK_EQ_U64(in.overlap_rows, 0);
	CHECK_EQ_U64(in.v4_ranges, 6); /* the two DE rows merged */
	CHECK_EQ_U64(in.v6_ranges, 0);
	CHECK_EQ_U64(in.locations, 5);
	CHECK_EQ_U64(in.first_bad_line, 0);
	CHECK(in.first_bad_reason == NULL);
	CHECK_EQ_STR(in.path, "country.csv");
	CHECK_EQ_INT(in.mmdb_ip_version, 0);
	CHECK_EQ_U64(dw_geo_file_count(g), 1);
	CHECK_EQ_INT(dw_geo_file_info(g, 1, &in), DW_EINVAL);
	{
		/* equal locations share one interned result */
		const struct dw_geo_result *a, *b;
		CHECK_EQ_INT(dw_geo_lookup_v4(g, v4("1.0.0.1"), &a), 1);
		CHECK_EQ_INT(dw_geo_lookup_v4(g, v4("1.0.5.1"), &b), 1);
		CHECK(a == b);
		CHECK_EQ_INT(dw_geo_lookup_v4(g, v4("1.0.8.1"), &a), 0);
		CHECK(a == NULL);
	}
	dw_geo_free(g);
}

static void test_csv_city(void)
{
	static const struct probe p[] = {
		{"1.0.0.0", "AU AU-Queensland"},
		{"1.0.0.255", "AU AU-Queensland"},
		{"1.0.1.0", "-"},
		{"5.160.0.0", "IR IR-Tehran"},
		{"5.160.255.255", "IR IR-Tehran"},
		{"5.161.0.7", "US US-New_York"},
		{"6.0.0.1", "FR FR-Provence-Alpes-Côte_dAzur"},
		{"7.0.0.1", "DE"}, /* empty state1: country only */
		{"2001:200::", "JP JP-Tōkyō"},
		{"2001:200:ffff:ffff:ffff:ffff:ffff:ffff", "JP JP-Tōkyō"},
		{"2001:201::", "-"},
		{"2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", "-"},
		{"2a01:5ec0::1", "IR IR-Tehran"},
		{"::", "-"},
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "GB GB-England"},
	};
	struct dw_geo *g;
	struct dw_geo_file_info in;
	struct dw_geo_result r;
	struct dw_addr a;

	write_file(
		"city.csv",
		"1.0.0.0,1.0.0.255,AU,Queensland,,South Brisbane,,-27.4748,153.017,\r\n"
		"5.160.0.0,5.160.255.255,IR,Tehran,,Tehran,,35.6944,51.4215,Asia/Tehran\r\n"
		"5.161.0.0,5.161.0.255,US,\"New York\",,\"New York, NY\",10001,40.7,-74.0,\r\n"
		"2001:200::,2001:200:ffff:ffff:ffff:ffff:ffff:ffff,JP,Tōkyō,,Chiyoda,,35.6,139.7,\n"
		"2a01:5ec0::,2a01:5ec0:ffff:ffff:ffff:ffff:ffff:ffff,IR,Tehran,,,,,,\n"
		"6.0.0.0,6.0.0.255,FR,\"Provence-Alpes-Côte d'Azur\",,Nice,,,,\n"
		"7.0.0.0,7.0.0.255,DE,,,,,,,\n"
		"fff0::,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,GB,England,,London,,,\n");
	g = open_one("city.csv", 0);
	CHECK_PROBES(g, p);
	in = info0(g);
	CHECK_EQ_INT(in.layout, DW_GEO_LAYOUT_CITY);
	CHECK_EQ_U64(in.rows, 8);
	CHECK_EQ_U64(in.bad_rows, 0);
	CHECK_EQ_U64(in.v4_ranges, 5);
	CHECK_EQ_U64(in.v6_ranges, 3);
	/* IR-Tehran from the IPv4 and the IPv6 row is one location */
	CHECK_EQ_U64(in.locations, 7);
	dw_addr_parse("5.160.1.2", &a);
	CHECK_EQ_INT(dw_geo_lookup(g, &a, &r), 1);
	CHECK_EQ_STR(r.country, "IR");
	CHECK_EQ_STR(r.region, "IR-Tehran");
	CHECK_EQ_STR(r.region_name, "Tehran");
	dw_addr_parse("6.0.0.1", &a);
	CHECK_EQ_INT(dw_geo_lookup(g, &a, &r), 1);
	CHECK_EQ_STR(r.region_name, "Provence-Alpes-Côte d'Azur");
	dw_addr_parse("7.0.0.1", &a);
	CHECK_EQ_INT(dw_geo_lookup(g, &a, &r), 1);
	CHECK_EQ_STR(r.region, "");
	CHECK_EQ_STR(r.region_name, "");
	memset(&a, 0, sizeof(a));
	CHECK_EQ_INT(dw_geo_lookup(g, &a, &r), DW_EINVAL); /* af 0 */
	dw_geo_free(g);
}

static void test_csv_numeric(void)
{
	/* the README's examples: 1.0.0.0 = 16777216, 2001:200:: = 4254...560 */
	static const struct probe p4[] = {
		{"1.0.0.0", "AU"},         {"1.0.0.255", "AU"},
		{"1.0.1.0", "-"},          {"0.0.0.0", "NL"},
		{"0.0.0.1", "-"},          {"255.255.255.0", "US"},
		{"255.255.255.255", "US"}, {"::1", "-"},
	};
	static const struct probe p6[] = {
		{"2001:200::", "JP"},
		{"2001:200:ffff:ffff:ffff:ffff:ffff:ffff", "JP"},
		{"2001:201::", "-"},
		{"::", "DE"}, /* small values are IPv6 in an IPv6 file */
		{"::ff", "DE"},
		{"::100", "-"},
		{"0.0.0.1", "-"},
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "SE"},
	};
	struct dw_geo *g;
	struct dw_geo_file_info in;

	write_file("num4.csv", "16777216,16777471,AU\n"
			       "0,0,NL\n"
			       "4294967040,4294967295,US\n");
	g = open_one("num4.csv", 0);
	CHECK_PROBES(g, p4);
	in = info0(g);
	CHECK_EQ_U64(in.v4_ranges, 3);
	CHECK_EQ_U64(in.v6_ranges, 0);
	dw_geo_free(g);

	write_file("num6.csv",
		   "42540528726795050063891204319802818560,"
		   "42540528806023212578155541913346768895,JP\n"
		   "0,255,DE\n"
		   "340282366920938463463374607431768211455,"
		   "340282366920938463463374607431768211455,SE\n"
		   "340282366920938463463374607431768211456,"
		   "340282366920938463463374607431768211456,SE\n"); /* 2^128 */
	g = open_one("num6.csv", 0);
	CHECK_PROBES(g, p6);
	in = info0(g);
	CHECK_EQ_U64(in.v4_ranges, 0);
	CHECK_EQ_U64(in.v6_ranges, 3);
	CHECK_EQ_U64(in.bad_rows, 1);
	CHECK_EQ_U64(in.first_bad_line, 4);
	CHECK_EQ_STR(in.first_bad_reason, "bad address");
	dw_geo_free(g);
}

static void test_csv_bad_rows(void)
{
	static const struct probe p[] = {
		{"1.0.0.1", "AU"},  {"1.0.2.1", "-"},   {"1.0.5.1", "-"},
		{"1.0.6.1", "-"},   {"1.0.9.1", "-"},   {"1.0.10.1", "DE"},
		{"1.0.11.1", "NL"}, {"1.0.12.1", "SE"},
	};
	static const char head[] =
		"1.0.0.0,1.0.0.255,AU\n"   /* 1 good */
		"1.0.2.0,1.0.1.255,AU\n"   /* 2 start after end */
		"1.0.3.0,2001:db8::,AU\n"  /* 3 mixed family */
		"1.0.4.0,1.0.4.255\n"      /* 4 too few columns */
		"1.0.5.0,1.0.5.255,AU,x\n" /* 5 wrong column count */
		"1.0.6.0,1.0.6.255,AUS\n"  /* 6 bad country */
		"1.0.7.0,1.0.7.256,AU\n"   /* 7 bad address */
		"\"1.0.8.0,1.0.8.255,AU\n" /* 8 bad quoting */
		"300,200,AU\n"             /* 9 start after end */
		"1.0.9.0,1.0.9.255,A1\n"   /* 10 bad country */
		"1.0.9.0,1.0.9.255,AU,,,,,,,,,,,,,,,,,,,\n"; /* 11 too many */
	static const char tail[] =
		"\n1.0.10.0,1.0.10.255,DE\n"    /* 13 good (12: 70000 x) */
		"1.0.11.0 , 1.0.11.255 , NL \n" /* 14 good: spaces */
		"\"1.0.12.0\",\"1.0.12.255\",\"SE\"\n"; /* 15 good: quotes */
	size_t cap = sizeof(head) + 70000 + sizeof(tail);
	char *text = malloc(cap);
	struct dw_geo *g;
	struct dw_geo_file_info in;

	CHECK(text != NULL);
	if (!text)
		return;
	memcpy(text, head, sizeof(head) - 1);
	memset(text + sizeof(head) - 1, 'x', 70000);
	memcpy(text + sizeof(head) - 1 + 70000, tail, sizeof(tail));
	write_file("bad.csv", text);
	free(text);
	g = open_one("bad.csv", 0);
	CHECK_PROBES(g, p);
	in = info0(g);
	CHECK_EQ_U64(in.rows, 15);
	CHECK_EQ_U64(in.bad_rows, 11);
	CHECK_EQ_U64(in.first_bad_line, 2);
	CHECK_EQ_STR(in.first_bad_reason, "start after end");
	CHECK_EQ_U64(in.v4_ranges, 4);
	dw_geo_free(g);

	/* A NUL byte inside a line makes that row bad, not the file. */
	{
		static const char data[] = "1.0.0.0,1.0.0.255,AU\n"
					   "1.0.1.0,1.0.1.255,A\0U\n"
					   "1.0.2.0,1.0.2.255,DE\n";
		FILE *f = fopen("nul.csv", "wb");
		CHECK(f != NULL);
		if (f) {
			fwrite(data, 1, sizeof(data) - 1, f);
			fclose(f);
		}
		g = open_one("nul.csv", 0);
		in = info0(g);
		CHECK_EQ_U64(in.bad_rows, 1);
		CHECK_EQ_STR(in.first_bad_reason, "NUL byte in line");
		CHECK_EQ_STR(where(g, "1.0.2.1"), "DE");
		dw_geo_free(g);
	}
}

static void test_csv_overlaps(void)
{
	static const struct probe p[] = {
		{"8.255.255.255", "-"},
		{"9.0.0.0", "DE"},
		{"9.255.255.255", "DE"},
		{"10.0.0.0", "US"},
		{"10.0.0.127", "US"},
		{"10.0.0.128", "US"},
		{"10.0.0.255", "US"},
		{"10.0.1.0", "CA"},
		{"10.0.1.255", "CA"},
		{"10.0.2.0", "DE"},
		{"11.0.0.0", "DE"},
		{"11.0.0.1", "-"},
		{"20.0.0.0", "DE"},
		{"20.1.0.0", "DE"}, /* earlier wins */
		{"20.255.255.255", "DE"},
		{"30.1.0.0", "US"}, /* earlier wins */
		{"30.0.255.255", "DE"},
		{"30.2.0.0", "DE"},
		{"255.255.0.0", "DE"},
		{"255.255.254.255", "DE"},
		{"255.255.255.0", "US"},
		{"255.255.255.255", "US"},
		{"fff0::1", "DE"},
		{"ffff::", "US"},
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "US"},
	};
	struct dw_geo *g;
	struct dw_geo_file_info in;

	write_file("overlap.csv",
		   "10.0.0.0,10.0.0.255,US\n"
		   "10.0.0.128,10.0.1.255,CA\n"
		   "9.0.0.0,11.0.0.0,DE\n"
		   "10.0.0.0,10.0.0.255,FR\n"
		   "20.0.0.0,20.255.255.255,DE\n"
		   "20.1.0.0,20.1.255.255,US\n"
		   "30.1.0.0,30.1.255.255,US\n"
		   "30.0.0.0,30.255.255.255,DE\n"
		   "255.255.255.0,255.255.255.255,US\n"
		   "255.255.0.0,255.255.255.255,DE\n"
		   "ffff::,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,US\n"
		   "fff0::,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,DE\n");
	g = open_one("overlap.csv", 0);
	CHECK_PROBES(g, p);
	in = info0(g);
	/* rows starting at or before the end of an earlier-sorted row:
	 * 10.0.0.0 US, 10.0.0.0 FR, 10.0.0.128 CA, 20.1/16, 30.1/16,
	 * 255.255.255.0, ffff:: */
	CHECK_EQ_U64(in.overlap_rows, 7);
	CHECK_EQ_U64(in.bad_rows, 0);
	dw_geo_free(g);
}

static uint32_t rng_state = 2463534242u;
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Random overlapping rows in 10.0.0.0/20 against brute force: each address
 * belongs to the first row (in file order) that covers it. */
static void test_csv_overlaps_random(void)
{
	static const char *cc[] = {"AA", "BB", "CC", "DD", "EE", "FF"};
	enum { SPACE = 4096, ROWS = 300 };
	static int8_t want[SPACE];
	char *text = malloc(ROWS * 64), *q = text;
	struct dw_geo *g;
	int bad = 0;

	CHECK(text != NULL);
	if (!text)
		return;
	memset(want, -1, sizeof(want));
	for (int i = 0; i < ROWS; i++) {
		uint32_t s = rnd() % SPACE, len = rnd() % (i % 10 ? 40 : 900);
		uint32_t e = s + len < SPACE ? s + len : SPACE - 1;
		int c = (int)(rnd() % 6);
		q += snprintf(q, 64, "10.0.%u.%u,10.0.%u.%u,%s\n", s >> 8,
			      s & 255, e >> 8, e & 255, cc[c]);
		for (uint32_t x = s; x <= e; x++)
			if (want[x] < 0)
				want[x] = (int8_t)c;
	}
	write_file("random.csv", text);
	free(text);
	g = open_one("random.csv", 0);
	for (uint32_t x = 0; x < SPACE; x++) {
		const struct dw_geo_result *r;
		int found = dw_geo_lookup_v4(g, 0x0a000000u + x, &r);
		if (found != (want[x] >= 0) ||
		    (found && strcmp(r->country, cc[want[x]]) != 0)) {
			if (bad++ < 5)
				dw_test_fail(
					__FILE__, __LINE__,
					"random overlap 10.0.%u.%u: got %s want %s",
					x >> 8, x & 255,
					found ? r->country : "-",
					want[x] >= 0 ? cc[want[x]] : "-");
		}
	}
	dw_test_checks++;
	dw_geo_free(g);
}

static void test_csv_gzip(void)
{
	static const struct probe p[] = {
		{"1.0.0.0", "AU"},
		{"5.160.9.9", "IR IR-Tehran"},
		{"2a01:5ec0::9", "IR IR-Tehran"},
	};
	struct dw_geo *g;
	struct dw_geo_file_info in;
	char *big;
	size_t cap = 600000, n = 0;
	struct stat st;

	/* a gzipped city CSV named like an mmdb: the bytes decide */
	write_gz(
		"city-gz.mmdb",
		"1.0.0.0,1.0.0.255,AU,,,,,,,\n"
		"5.160.0.0,5.160.255.255,IR,Tehran,,Tehran,,35.6,51.4,\n"
		"2a01:5ec0::,2a01:5ec0:ffff:ffff:ffff:ffff:ffff:ffff,IR,Tehran,,,,,,\n");
	g = open_one("city-gz.mmdb", 0);
	CHECK_PROBES(g, p);
	in = info0(g);
	CHECK_EQ_INT(in.format, DW_GEO_CSV_GZ);
	CHECK_EQ_INT(in.layout, DW_GEO_LAYOUT_CITY);
	dw_geo_free(g);

	/* a plain CSV named .gz */
	write_file("plain.csv.gz", "1.0.0.0,1.0.0.255,AU\n");
	g = open_one("plain.csv.gz", 0);
	CHECK_EQ_INT(info0(g).format, DW_GEO_CSV);
	dw_geo_free(g);

	/* a truncated gzip stream fails the load */
	big = malloc(cap);
	CHECK(big != NULL);
	if (!big)
		return;
	for (uint32_t i = 0; i < 20000; i++) {
		rnd();
		n += (size_t)snprintf(big + n, cap - n, "%u,%u,%s\n", i * 256,
				      i * 256 + 255,
				      (rng_state & 1) ? "AU" : "NZ");
	}
	write_gz("trunc.csv.gz", big);
	free(big);
	CHECK_EQ_INT(stat("trunc.csv.gz", &st), 0);
	CHECK_EQ_INT(truncate("trunc.csv.gz", st.st_size / 2), 0);
	g = open_one("trunc.csv.gz", DW_ECOMPRESS);
	CHECK_EQ_U64(dw_geo_file_count(g), 0);
	dw_geo_free(g);
}

static void test_errors(void)
{
	struct dw_geo *g;
	static const unsigned char junk[] = {0x00, 0x01, 0x02, 0xff, 0x10,
					     0x0a, 0x00, 0x7f, 0x0a};
	FILE *f;

	CHECK_EQ_INT(dw_geo_open(&g), 0);
	CHECK_EQ_INT(dw_geo_add_file(g, "does-not-exist.csv"), -ENOENT);
	write_file("empty.csv", "");
	CHECK_EQ_INT(dw_geo_add_file(g, "empty.csv"), DW_EFORMAT);
	write_file("header.csv", "ip_range_start,ip_range_end,country_code\n");
	CHECK_EQ_INT(dw_geo_add_file(g, "header.csv"), DW_EFORMAT);
	write_file("allbad.csv", "hello world\nfoo,bar,baz\n");
	CHECK_EQ_INT(dw_geo_add_file(g, "allbad.csv"), DW_EFORMAT);
	f = fopen("junk.bin", "wb");
	CHECK(f != NULL);
	if (f) {
		fwrite(junk, 1, sizeof(junk), f);
		fclose(f);
	}
	CHECK_EQ_INT(dw_geo_add_file(g, "junk.bin"), DW_EFORMAT);
	write_file("asn.csv", "1.0.0.0,1.0.0.255,13335,Cloudflare\n");
	CHECK_EQ_INT(dw_geo_add_file(g, "asn.csv"), DW_EUNSUPP);
	CHECK_EQ_INT(mkdir("adir", 0755) == 0 || errno == EEXIST, 1);
	CHECK_EQ_INT(dw_geo_add_file(g, "adir"), -EISDIR);
	/* a file that carries the MaxMind marker but no valid metadata */
	write_file("fake.mmdb", "garbage\xab\xcd\xef"
				"MaxMind.com\x01\x02");
	CHECK_EQ_INT(dw_geo_add_file(g, "fake.mmdb"), DW_EMALFORMED);
	/* only unknown rows: a valid, empty source */
	write_file("zz.csv", "1.0.0.0,1.0.0.255,ZZ\n");
	CHECK_EQ_INT(dw_geo_add_file(g, "zz.csv"), 0);
	CHECK_EQ_U64(dw_geo_file_count(g), 1);
	CHECK_EQ_STR(where(g, "1.0.0.1"), "-");
	CHECK_EQ_INT(dw_geo_add_file(NULL, "zz.csv"), DW_EINVAL);
	dw_geo_free(g);
	dw_geo_free(NULL);
}

/* --- mmdb */

/* @ip-location-db's flat record */
static uint32_t flat_rec(struct mmw *w, const char *cc, const char *state1,
			 const char *city)
{
	struct mmw_buf v = {0};
	uint32_t off;
	int n = (cc ? 1 : 0) + 5;

	mmw_map(&v, (size_t)n);
	mmw_str(&v, "city");
	mmw_str(&v, city);
	if (cc) {
		mmw_str(&v, "country_code");
		mmw_str(&v, cc);
	}
	mmw_str(&v, "latitude");
	mmw_double(&v, 35.7);
	mmw_str(&v, "postcode");
	mmw_str(&v, "");
	mmw_str(&v, "state1");
	mmw_str(&v, state1);
	mmw_str(&v, "state2");
	mmw_str(&v, "");
	off = mmw_add_data(w, &v);
	mmw_buf_free(&v);
	return off;
}

/* MaxMind's nested record; NULL parts are left out */
static uint32_t nested_rec(struct mmw *w, const char *cc, const char *regcc,
			   const char *sub_en, const char *sub_iso)
{
	struct mmw_buf v = {0};
	uint32_t off;
	size_t n = 1 + (cc != NULL) + (regcc != NULL) + (sub_en || sub_iso);

	mmw_map(&v, n);
	mmw_str(&v, "continent");
	mmw_map(&v, 1);
	mmw_str(&v, "code");
	mmw_str(&v, "AS");
	if (cc) {
		mmw_str(&v, "country");
		mmw_map(&v, 3);
		mmw_str(&v, "geoname_id");
		mmw_uint(&v, 6, 130758);
		mmw_str(&v, "iso_code");
		mmw_str(&v, cc);
		mmw_str(&v, "names");
		mmw_map(&v, 2);
		mmw_str(&v, "de");
		mmw_str(&v, "Name");
		mmw_str(&v, "en");
		mmw_str(&v, "Name");
	}
	if (regcc) {
		mmw_str(&v, "registered_country");
		mmw_map(&v, 1);
		mmw_str(&v, "iso_code");
		mmw_str(&v, regcc);
	}
	if (sub_en || sub_iso) {
		mmw_str(&v, "subdivisions");
		mmw_array(&v, 2);
		mmw_map(&v, (size_t)((sub_iso != NULL) + (sub_en != NULL)));
		if (sub_iso) {
			mmw_str(&v, "iso_code");
			mmw_str(&v, sub_iso);
		}
		if (sub_en) {
			mmw_str(&v, "names");
			mmw_map(&v, 2);
			mmw_str(&v, "en");
			mmw_str(&v, sub_en);
			mmw_str(&v, "fa");
			mmw_str(&v, "\xd8\xaa\xd9\x87\xd8\xb1\xd8\xa7\xd9\x86");
		}
		mmw_map(&v, 1); /* a second, smaller subdivision */
		mmw_str(&v, "iso_code");
		mmw_str(&v, "XX");
	}
	off = mmw_add_data(w, &v);
	mmw_buf_free(&v);
	return off;
}

/*
 * Compare the flattened IPv4 table with libmaxminddb's lookups and the
 * same key rules, at n pseudo-random addresses plus every edge given.
 */
static void cross_check(const char *path, const struct dw_geo *g,
			const uint32_t *edges, size_t nedges, int n)
{
	MMDB_s m;
	int bad = 0;

	CHECK_EQ_INT(MMDB_open(path, MMDB_MODE_MMAP, &m), MMDB_SUCCESS);
	for (int i = 0; i < n + (int)nedges; i++) {
		uint32_t a = i < n ? rnd() : edges[i - n];
		struct dw_geo_result want, got;
		struct dw_addr da;
		const struct dw_geo_result *r;
		char ip[16];
		int err, gai, found;
		MMDB_lookup_result_s res;

		memset(&want, 0, sizeof(want));
		snprintf(ip, sizeof(ip), "%u.%u.%u.%u", a >> 24,
			 (a >> 16) & 255, (a >> 8) & 255, a & 255);
		res = MMDB_lookup_string(&m, ip, &gai, &err);
		CHECK(gai == 0 && err == MMDB_SUCCESS);
		if (res.found_entry) {
			MMDB_entry_data_s d;
			char cc[3] = "";
			int flat = 1;
			if (MMDB_get_value(&res.entry, &d, "country_code",
					   NULL) ||
			    !d.has_data) {
				flat = 0;
				if (MMDB_get_value(&res.entry, &d, "country",
						   "iso_code", NULL) ||
				    !d.has_data)
					MMDB_get_value(&res.entry, &d,
						       "registered_country",
						       "iso_code", NULL);
			}
			if (d.has_data && d.data_size == 2) {
				memcpy(cc, d.utf8_string, 2);
				memcpy(want.country, cc, 3);
				if (flat ? MMDB_get_value(&res.entry, &d,
							  "state1", NULL)
					 : MMDB_get_value(&res.entry, &d,
							  "subdivisions", "0",
							  "names", "en", NULL))
					d.has_data = 0;
				if (d.has_data)
					dw_geo_region_code(cc, d.utf8_string,
							   d.data_size,
							   want.region,
							   sizeof(want.region));
			}
		}
		found = dw_geo_lookup_v4(g, a, &r);
		memset(&got, 0, sizeof(got));
		if (found)
			got = *r;
		if (strcmp(got.country, want.country) ||
		    strcmp(got.region, want.region)) {
			if (bad++ < 5)
				dw_test_fail(
					__FILE__, __LINE__,
					"%s: %s: table %s %s, libmaxminddb %s %s",
					path, ip, got.country, got.region,
					want.country, want.region);
		}
		/* and the general lookup through an IPv4-mapped address */
		dw_addr_parse(ip, &da);
		CHECK_EQ_INT(dw_geo_lookup(g, &da, &got), found);
	}
	dw_test_checks++;
	MMDB_close(&m);
}

static void test_mmdb_flat(void)
{
	static const struct probe p[] = {
		{"1.0.0.0", "AU AU-Queensland"},
		{"1.0.0.255", "AU AU-Queensland"},
		{"1.0.1.0", "-"},
		{"0.255.255.255", "-"},
		{"5.160.0.0", "IR IR-Tehran"},
		{"5.160.2.255", "IR IR-Tehran"},
		{"5.160.3.0", "IR IR-Isfahan"},
		{"5.160.3.255", "IR IR-Isfahan"},
		{"5.160.4.0", "IR IR-Tehran"},
		{"5.160.255.255", "IR IR-Tehran"},
		{"5.161.0.0", "-"},
		{"6.0.0.1", "-"},              /* record without country_code */
		{"7.0.0.1", "-"},              /* malformed country code */
		{"9.9.9.9", "US US-New_York"}, /* a /32 */
		{"9.9.9.8", "-"},
		{"9.9.9.10", "-"},
		{"128.0.0.0", "DE DE-Baden-Württemberg"}, /* a /1 */
		{"255.255.255.255", "DE DE-Baden-Württemberg"},
		{"127.255.255.255", "-"},
		{"2001:db8::1", "-"}, /* IPv6 in an IPv4 database */
	};
	static const uint32_t edges[] = {
		0x01000000, 0x010000ff, 0x01000100, 0x05a00000, 0x05a002ff,
		0x05a00300, 0x05a003ff, 0x05a00400, 0x05a0ffff, 0x05a10000,
		0x09090908, 0x09090909, 0x0909090a, 0x7fffffff, 0x80000000,
		0xffffffff, 0,
	};
	struct mmw *w = mmw_new(4, 24);
	struct dw_geo *g;
	struct dw_geo_file_info in;

	CHECK_EQ_INT(
		mmw_insert(w, "1.0.0.0/24",
			   flat_rec(w, "AU", "Queensland", "South Brisbane")),
		0);
	CHECK_EQ_INT(mmw_insert(w, "5.160.0.0/16",
				flat_rec(w, "IR", "Tehran", "Tehran")),
		     0);
	CHECK_EQ_INT(mmw_insert(w, "5.160.3.0/24",
				flat_rec(w, "IR", "Isfahan", "Isfahan")),
		     0);
	CHECK_EQ_INT(mmw_insert(w, "6.0.0.0/8", flat_rec(w, NULL, "X", "Y")),
		     0);
	CHECK_EQ_INT(mmw_insert(w, "7.0.0.0/8",
				flat_rec(w, "IRN", "Tehran", "Y")),
		     0);
	CHECK_EQ_INT(mmw_insert(w, "9.9.9.9/32",
				flat_rec(w, "US", "New York", "New York")),
		     0);
	CHECK_EQ_INT(mmw_insert(w, "128.0.0.0/1",
				flat_rec(w, "DE", "Baden-Württemberg", "Y")),
		     0);
	CHECK_EQ_INT(mmw_write(w, "flat.mmdb", "city ipv4"), 0);
	mmw_free(w);

	g = open_one("flat.mmdb", 0);
	CHECK_PROBES(g, p);
	in = info0(g);
	CHECK_EQ_INT(in.format, DW_GEO_MMDB);
	CHECK_EQ_INT(in.layout, DW_GEO_LAYOUT_MMDB);
	CHECK_EQ_INT(in.mmdb_ip_version, 4);
	CHECK_EQ_U64(in.bad_rows, 1);     /* "IRN" */
	CHECK_EQ_U64(in.unknown_rows, 2); /* no country_code, "IRN" */
	CHECK_EQ_U64(in.v4_ranges, 6);    /* Tehran split around Isfahan */
	CHECK_EQ_U64(in.locations, 5);
	CHECK_EQ_U64(in.v6_ranges, 0);
	cross_check("flat.mmdb", g, edges, sizeof(edges) / sizeof(edges[0]),
		    20000);
	dw_geo_free(g);
}

static void build_nested(const char *path, int record_size)
{
	struct mmw *w = mmw_new(6, record_size);

	CHECK_EQ_INT(mmw_insert(w, "5.160.0.0/16",
				nested_rec(w, "IR", "IR", "Tehran", "23")),
		     0);
	CHECK_EQ_INT(mmw_insert(w, "8.8.8.0/24",
				nested_rec(w, NULL, "US", NULL, NULL)),
		     0);
	CHECK_EQ_INT(mmw_insert(w, "9.0.0.0/8",
				nested_rec(w, "FR", NULL, NULL, "IDF")),
		     0);
	CHECK_EQ_INT(mmw_insert(w, "2001:200::/32",
				nested_rec(w, "JP", NULL, "Tōkyō", "13")),
		     0);
	CHECK_EQ_INT(mmw_insert(w, "2a01:5ec0::/32",
				nested_rec(w, "IR", "IR", "Tehran", "23")),
		     0);
	CHECK_EQ_INT(mmw_insert(w, "2001:db8::/32",
				nested_rec(w, NULL, NULL, NULL, NULL)),
		     0);
	CHECK_EQ_INT(mmw_insert(w, "ffff::/16",
				nested_rec(w, "US", "US", "New York", "NY")),
		     0);
	CHECK_EQ_INT(mmw_write(w, path, "GeoIP2-City"), 0);
	mmw_free(w);
}

static void test_mmdb_nested(void)
{
	static const struct probe p[] = {
		{"5.160.0.0", "IR IR-Tehran"},
		{"5.160.255.255", "IR IR-Tehran"},
		{"5.159.255.255", "-"},
		{"8.8.8.8", "US"}, /* registered_country only */
		{"9.1.2.3", "FR"}, /* subdivision without English name */
		{"2001:200::", "JP JP-Tōkyō"},
		{"2001:200:ffff:ffff:ffff:ffff:ffff:ffff", "JP JP-Tōkyō"},
		{"2001:201::", "-"},
		{"2a01:5ec0::1", "IR IR-Tehran"},
		{"2001:db8::1", "-"}, /* no country at all */
		{"::ffff:5.160.0.1", "IR IR-Tehran"},
		/* IPv4-compatible ::a.b.c.d is IPv6 for us, and libmaxminddb
		 * finds it where the tree keeps IPv4: under ::/96 */
		{"::5.160.0.1", "IR IR-Tehran"},
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "US US-New_York"},
	};
	static const uint32_t edges[] = {0x05a00000, 0x05a0ffff, 0x059fffff,
					 0x08080800, 0x080808ff, 0x09000000,
					 0x09ffffff, 0xffffffff, 0};
	static const int sizes[] = {24, 28, 32};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char path[32];
		struct dw_geo *g;
		struct dw_geo_file_info in;
		snprintf(path, sizeof(path), "nested%d.mmdb", sizes[i]);
		build_nested(path, sizes[i]);
		g = open_one(path, 0);
		CHECK_PROBES(g, p);
		in = info0(g);
		CHECK_EQ_INT(in.mmdb_ip_version, 6);
		CHECK_EQ_U64(in.rows, 3); /* IPv4 records only */
		CHECK_EQ_U64(in.v4_ranges, 3);
		cross_check(path, g, edges, sizeof(edges) / sizeof(edges[0]),
			    5000);
		dw_geo_free(g);
	}
}

/* A random IPv4 tree: the flat table must agree with libmaxminddb. */
static void test_mmdb_random(void)
{
	static const char *ccs[] = {"AA", "BB", "CC", "DD"};
	static const char *st[] = {"North", "South", "", "East West"};
	struct mmw *w = mmw_new(6, 28);
	uint32_t off[16], edges[2 * 400];
	size_t ne = 0;
	struct dw_geo *g;

	for (int i = 0; i < 16; i++)
		off[i] = flat_rec(w, ccs[i % 4], st[i / 4], "c");
	for (int i = 0; i < 400; i++) {
		uint32_t a = rnd();
		int len = 4 + (int)(rnd() % 29);
		uint32_t mask = len == 32 ? 0xffffffffu : ~(0xffffffffu >> len);
		char pfx[32];
		a &= mask;
		snprintf(pfx, sizeof(pfx), "%u.%u.%u.%u/%d", a >> 24,
			 (a >> 16) & 255, (a >> 8) & 255, a & 255, len);
		CHECK_EQ_INT(mmw_insert(w, pfx, off[rnd() % 16]), 0);
		edges[ne++] = a;
		edges[ne++] = a | ~mask;
	}
	CHECK_EQ_INT(mmw_write(w, "random.mmdb", "random"), 0);
	mmw_free(w);
	g = open_one("random.mmdb", 0);
	cross_check("random.mmdb", g, edges, ne, 50000);
	dw_geo_free(g);
}

/* Damaged mmdb files fail cleanly. */
static void test_mmdb_damaged(void)
{
	struct mmw *w = mmw_new(4, 24);
	struct dw_geo *g;
	FILE *f;
	long size, tree_bytes;
	unsigned char *buf;

	CHECK_EQ_INT(mmw_insert(w, "1.0.0.0/8", flat_rec(w, "AU", "Q", "c")),
		     0);
	CHECK_EQ_INT(mmw_insert(w, "2.0.0.0/8", flat_rec(w, "NZ", "Q", "c")),
		     0);
	CHECK_EQ_INT(mmw_write(w, "dmg.mmdb", "x"), 0);
	tree_bytes = (long)w->n * 6;
	mmw_free(w);
	f = fopen("dmg.mmdb", "rb");
	CHECK(f != NULL);
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)size);
	CHECK(buf && fread(buf, 1, (size_t)size, f) == (size_t)size);
	fclose(f);
	if (!buf)
		return;
	/* point node 0's left record back at node 0: a cycle */
	{
		unsigned char *c = malloc((size_t)size);
		memcpy(c, buf, (size_t)size);
		c[0] = c[1] = c[2] = 0;
		f = fopen("cycle.mmdb", "wb");
		fwrite(c, 1, (size_t)size, f);
		fclose(f);
		free(c);
		g = open_one("cycle.mmdb", DW_EMALFORMED);
		dw_geo_free(g);
	}
	/* point a record past the data section */
	{
		unsigned char *c = malloc((size_t)size);
		memcpy(c, buf, (size_t)size);
		c[3] = c[4] = c[5] = 0xff;
		f = fopen("wild.mmdb", "wb");
		fwrite(c, 1, (size_t)size, f);
		fclose(f);
		free(c);
		g = open_one("wild.mmdb", DW_EMALFORMED);
		dw_geo_free(g);
	}
	/* garbage data section: a record that does not decode fails the load */
	{
		for (long i = tree_bytes + 16; i + 14 < size; i++) {
			if (memcmp(buf + i,
				   "\xab\xcd\xef"
				   "MaxMind.com",
				   14) == 0)
				break;
			buf[i] = 0xff;
		}
		f = fopen("cut.mmdb", "wb");
		fwrite(buf, 1, (size_t)size, f);
		fclose(f);
		g = open_one("cut.mmdb", DW_EMALFORMED);
		dw_geo_free(g);
	}
	free(buf);
}

/* --- several sources */

static void test_first_hit_wins(void)
{
	struct dw_geo *g;
	struct mmw *w = mmw_new(4, 24);

	CHECK_EQ_INT(mmw_insert(w, "5.160.0.0/16",
				flat_rec(w, "IR", "Tehran", "Tehran")),
		     0);
	CHECK_EQ_INT(mmw_insert(w, "1.0.0.0/24",
				flat_rec(w, "AU", "Queensland", "c")),
		     0);
	CHECK_EQ_INT(mmw_insert(w, "7.0.0.0/8", flat_rec(w, "US", "Ohio", "c")),
		     0);
	CHECK_EQ_INT(mmw_write(w, "second.mmdb", "city ipv4"), 0);
	mmw_free(w);
	write_file("first.csv", "5.160.0.0,5.160.255.255,IR\n"
				"7.0.0.0,7.255.255.255,ZZ\n"
				"8.0.0.0,8.0.0.255,NL\n");

	CHECK_EQ_INT(dw_geo_open(&g), 0);
	CHECK_EQ_INT(dw_geo_add_file(g, "first.csv"), 0);
	CHECK_EQ_INT(dw_geo_add_file(g, "second.mmdb"), 0);
	CHECK_EQ_STR(where(g, "5.160.0.1"), "IR"); /* the CSV answers, whole */
	CHECK_EQ_STR(where(g, "1.0.0.1"), "AU AU-Queensland");
	CHECK_EQ_STR(where(g, "7.1.2.3"), "US US-Ohio"); /* ZZ is no answer */
	CHECK_EQ_STR(where(g, "8.0.0.1"), "NL");
	CHECK_EQ_STR(where(g, "9.0.0.1"), "-");
	CHECK_EQ_U64(dw_geo_file_count(g), 2);
	dw_geo_free(g);

	CHECK_EQ_INT(dw_geo_open(&g), 0);
	CHECK_EQ_INT(dw_geo_add_file(g, "second.mmdb"), 0);
	CHECK_EQ_INT(dw_geo_add_file(g, "first.csv"), 0);
	CHECK_EQ_STR(where(g, "5.160.0.1"), "IR IR-Tehran");
	CHECK_EQ_STR(where(g, "8.0.0.1"), "NL");
	dw_geo_free(g);

	/* an empty object misses everything */
	CHECK_EQ_INT(dw_geo_open(&g), 0);
	CHECK_EQ_STR(where(g, "5.160.0.1"), "-");
	CHECK_EQ_STR(where(g, "2001:db8::1"), "-");
	dw_geo_free(g);
}

/* The point of the region scheme: a flat (DB-IP style) and a nested
 * (MaxMind style) database give the same code for the same region. */
static void test_same_code_both_layouts(void)
{
	struct dw_geo *a, *b;
	struct dw_geo_result ra, rb;
	struct dw_addr x;

	build_nested("same-nested.mmdb", 24);
	write_file("same.csv",
		   "5.160.0.0,5.160.255.255,IR,Tehran,,Tehran,,,,\n");
	a = open_one("same-nested.mmdb", 0);
	b = open_one("same.csv", 0);
	dw_addr_parse("5.160.7.7", &x);
	CHECK_EQ_INT(dw_geo_lookup(a, &x, &ra), 1);
	CHECK_EQ_INT(dw_geo_lookup(b, &x, &rb), 1);
	CHECK_EQ_STR(ra.region, rb.region);
	CHECK_EQ_STR(ra.region_name, rb.region_name);
	CHECK_EQ_STR(ra.region, "IR-Tehran");
	dw_geo_free(a);
	dw_geo_free(b);
}

int main(void)
{
	const char *scratch = getenv("DW_SCRATCH");
	if (scratch && chdir(scratch) != 0) {
		perror(scratch);
		return 1;
	}
	test_region_code();
	test_countries();
	test_csv_country();
	test_csv_city();
	test_csv_numeric();
	test_csv_bad_rows();
	test_csv_overlaps();
	test_csv_overlaps_random();
	test_csv_gzip();
	test_errors();
	test_mmdb_flat();
	test_mmdb_nested();
	test_mmdb_random();
	test_mmdb_damaged();
	test_first_hit_wins();
	test_same_code_both_layouts();
	return dw_test_finish();
}
