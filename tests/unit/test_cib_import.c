/*
 * test_cib_import.c - the CIB importers (src/cib/import.c, url.c) and the
 * store writer (src/store/cib.c): URL normalisation, registrable domains,
 * list fields, hashtags, times, each format on crafted inputs (quoted
 * multi-line text, bad rows with their line numbers, inputs cut into
 * feeds of every size), idempotent re-import, indicator classification.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cib/import.h"
#include "cib/indicators.h"
#include "cib/url.h"
#include "darkwatch/cib.h"
#include "darkwatch/cib_store.h"
#include "darkwatch/err.h"
#include "darkwatch/store.h"
#include "testutil.h"

static void test_url(void)
{
	static const struct { const char *in, *want, *host; } t[] = {
		{"HTTPS://WWW.Example.COM:443/a/b/?utm_source=x&id=3&UTM_medium=y#frag",
		 "https://www.example.com/a/b?id=3", "www.example.com"},
		{"http://example.com:80/", "http://example.com", "example.com"},
		{"http://example.com:8080/x", "http://example.com:8080/x",
		 "example.com"},
		{"https://example.com:80/x", "https://example.com:80/x",
		 "example.com"},
		{"  https://user:pw@Host.org./p?fbclid=abc  ", "https://host.org/p",
		 "host.org"},
		{"https://x.org/?gclid=1&a=1&b=&mc_cid=2", "https://x.org?a=1&b=",
		 "x.org"},
		{"www.example.org/path/", "http://www.example.org/path",
		 "www.example.org"},
		{"//cdn.x.net/a", "http://cdn.x.net/a", "cdn.x.net"},
		{"http://[2001:db8::1]:443/a", "http://[2001:db8::1]:443/a",
		 "[2001:db8::1]"},
		{"https://t.co/AbCdE", "https://t.co/AbCdE", "t.co"},
		{"https://x.org/Path/With/Case", "https://x.org/Path/With/Case",
		 "x.org"},
	};
	char out[512];
	const char *h;
	size_t hl;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int n = dw_cib_url_norm(t[i].in, strlen(t[i].in), out,
					sizeof(out), &h, &hl);
		CHECK(n > 0);
		if (n <= 0)
			continue;
		CHECK_EQ_STR(out, t[i].want);
		CHECK_EQ_INT(n, strlen(t[i].want));
		char hb[256];
		snprintf(hb, sizeof(hb), "%.*s", (int)hl, h);
		CHECK_EQ_STR(hb, t[i].host);
	}
	static const char *const badu[] = {"", "not a url", "hello",
					   "http://", "http://exa mple.com/",
					   "http://x.com:12a/", "mailto:a@b.c"};
	for (size_t i = 0; i < sizeof(badu) / sizeof(badu[0]); i++)
		CHECK_EQ_INT(dw_cib_url_norm(badu[i], strlen(badu[i]), out,
					     sizeof(out), &h, &hl),
			     DW_EMALFORMED);
	CHECK_EQ_INT(dw_cib_url_norm("http://example.com/long", 23, out, 10, &h,
				     &hl),
		     DW_ETOOBIG);
}

static void test_domain(void)
{
	static const struct { const char *in, *want; } t[] = {
		{"news.bbc.co.uk", "bbc.co.uk"},
		{"WWW.Example.COM", "example.com"},
		{"example.com.", "example.com"},
		{"a.b.c.example.org", "example.org"},
		{"https://Sub.Example.co.uk/path?x=1", "example.co.uk"},
		{"foo.blogspot.com", "foo.blogspot.com"},
		{"192.0.2.7", "192.0.2.7"},
		{"co.uk", "co.uk"},
		{"localhost", "localhost"},
	};
	char out[256];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int n = dw_cib_domain(t[i].in, strlen(t[i].in), out, sizeof(out));
		CHECK(n > 0);
		if (n > 0)
			CHECK_EQ_STR(out, t[i].want);
	}
	CHECK_EQ_INT(dw_cib_domain("", 0, out, sizeof(out)), DW_EMALFORMED);
}

static void test_lists(void)
{
	static const struct { const char *in, *want; } t[] = {
		{"a b", "a|b"},
		{"a, b", "a|b"},
		{"[a, b]", "a|b"},
		{"['a', 'b']", "a|b"},
		{"[\"a\",\"b\"]", "a|b"},
		{"[]", ""},
		{"", ""},
		{"  single  ", "single"},
		{"['x, y', z]", "x, y|z"},
		{"a;b\nc", "a|b|c"},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *p = t[i].in, *end = p + strlen(p), *it;
		char got[128] = "";
		size_t n, o = 0;
		while (dw_cib_list_next(&p, end, &it, &n))
			o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%.*s",
					      o ? "|" : "", (int)n, it);
		CHECK_EQ_STR(got, t[i].want);
	}
	static const struct { const char *in, *want; } h[] = {
		{"#Foo", "foo"}, {"##BAR", "bar"}, {"Tag", "tag"},
		{"\xef\xbc\x83Iran", "iran"}, {"#\xd8\xa7\xdb\x8c\xd8\xb1\xd8\xa7\xd9\x86",
					      "\xd8\xa7\xdb\x8c\xd8\xb1\xd8\xa7\xd9\x86"},
	};
	char out[128];
	for (size_t i = 0; i < sizeof(h) / sizeof(h[0]); i++) {
		int n = dw_cib_hashtag_norm(h[i].in, strlen(h[i].in), out,
					    sizeof(out));
		CHECK(n > 0);
		if (n > 0)
			CHECK_EQ_STR(out, h[i].want);
	}
	CHECK_EQ_INT(dw_cib_hashtag_norm("#", 1, out, sizeof(out)), DW_EMALFORMED);
}

static void test_time(void)
{
	static const struct { const char *in; long long want; } t[] = {
		{"1623881091", 1623881091},
		{" 1623881091 ", 1623881091},
		{"1623881091.75", 1623881091},
		{"1623881091123", 1623881091},
		{"2019-11-16 14:05", 1573913100},
		{"2019-11-16 14:05:09", 1573913109},
		{"2019-11-16T14:05:09Z", 1573913109},
		{"2019-11-16T14:05:09.123Z", 1573913109},
		{"2019-11-16T14:05:09.000+00:00", 1573913109},
		{"2019-11-16", 1573862400},
	};
	int64_t v;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		v = -1;
		CHECK_EQ_INT(dw_cib_time_parse(t[i].in, strlen(t[i].in), &v), 0);
		CHECK_EQ_INT(v, t[i].want);
	}
	static const char *const bad[] = {"", "abc", "2019-02-30 10:00",
					  "2019-11-16T14:05:09+03:30", "12:00",
					  "1e9"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ_INT(dw_cib_time_parse(bad[i], strlen(bad[i]), &v),
			     DW_EINVAL);
}

/* Rows and bad rows of a parse as text, one per line. */
struct log {
	char buf[8192];
	size_t n;
};

static void logf_(struct log *l, const char *s)
{
	size_t k = strlen(s);
	if (l->n + k < sizeof(l->buf)) {
		memcpy(l->buf + l->n, s, k + 1);
		l->n += k;
	}
}

static int on_row(void *ctx, const struct dw_cib_row *r)
{
	char b[2048];
	int o = snprintf(b, sizeof(b), "%llu %.*s %.*s %lld", (unsigned long long)r->line,
			 (int)r->account_len, r->account, (int)r->post_len,
			 r->post[0] == 'h' && r->post[1] == ':' ? "h:" : r->post,
			 (long long)r->t);
	if (r->post[0] == 'h' && r->post[1] == ':')
		o = snprintf(b, sizeof(b), "%llu %.*s h: %lld",
			     (unsigned long long)r->line, (int)r->account_len,
			     r->account, (long long)r->t);
	for (size_t i = 0; i < r->nobj; i++)
		o += snprintf(b + o, sizeof(b) - (size_t)o, " %s=%s",
			      dw_cib_trace_name(r->obj[i].trace), r->obj[i].key);
	if (r->text)
		o += snprintf(b + o, sizeof(b) - (size_t)o, " text=[%.*s]",
			      (int)r->text_len, r->text);
	snprintf(b + o, sizeof(b) - (size_t)o, "\n");
	logf_(ctx, b);
	return 0;
}

static void on_bad(void *ctx, uint64_t line, const char *reason)
{
	char b[300];
	snprintf(b, sizeof(b), "BAD %llu %s\n", (unsigned long long)line, reason);
	logf_(ctx, b);
}

/* Parse whole and cut into feeds of 1..7 bytes: the same log each time. */
static void check_fmt(int fmt, const char *in, const char *want)
{
	struct log whole = {.n = 0};
	size_t n = strlen(in);

	whole.buf[0] = '\0';
	CHECK_EQ_INT(dw_cib_parse_mem(fmt, in, n, on_row, on_bad, &whole, NULL), 0);
	CHECK_EQ_STR(whole.buf, want);
	for (size_t step = 1; step <= 7; step++) {
		struct log l = {.n = 0};
		struct dw_cib_parser *p = NULL;
		l.buf[0] = '\0';
		CHECK_EQ_INT(dw_cib_parser_new(fmt, on_row, on_bad, &l, &p), 0);
		for (size_t o = 0; o < n; o += step)
			dw_cib_parser_feed(p, in + o, n - o < step ? n - o : step);
		CHECK_EQ_INT(dw_cib_parser_finish(p), 0);
		dw_cib_parser_free(p);
		CHECK_EQ_STR(l.buf, want);
	}
}

static void test_generic(void)
{
	check_fmt(DW_CIB_FMT_GENERIC,
		  "\xef\xbb\xbf" "Account,TIME,post,urls,hashtags,text,ignored\n"
		  "alice,2021-06-01T10:00:00Z,p1,\"[https://WWW.Example.COM:443/a/?utm_source=x&id=3#f, "
		  "http://news.bbc.co.uk/]\",\"['#Foo', 'bar']\",\"hello, \"\"world\"\"\nsecond line\",x\n"
		  "bob,notatime,p2,,,,\n"
		  ",1623881091,p3,,,,\n"
		  "carol,1623881091,p4,,,\"multi\r\nline\",\n"
		  "\n"
		  "dave,1623881091\n"
		  "eve,2021-06-01 10:00,,example.org/x,#Tag,,\n"
		  "frank,1623881091,p7,not a url,,   ,",
		  "2 alice p1 1622541600 url=https://www.example.com/a?id=3 "
		  "domain=example.com url=http://news.bbc.co.uk domain=bbc.co.uk "
		  "hashtag=foo hashtag=bar text=[hello, \"world\"\nsecond line]\n"
		  "BAD 4 bad time 'notatime' (epoch seconds or ISO 8601 UTC)\n"
		  "BAD 5 no account\n"
		  "6 carol p4 1623881091 text=[multi\r\nline]\n"
		  "BAD 9 2 fields where the header has 7\n"
		  "10 eve h: 1622541600 url=http://example.org/x domain=example.org "
		  "hashtag=tag\n"
		  "11 frank p7 1623881091\n");
	/* explicit domain column: used instead of the URLs' */
	check_fmt(DW_CIB_FMT_GENERIC,
		  "account,time,url,domain,shared,image\n"
		  "a,1,https://a.example.com/x,Other.ORG,s1,img0\n"
		  "b,2,https://b.example.com/x,,s1,\n",
		  "2 a h: 1 url=https://a.example.com/x domain=other.org "
		  "retweet=s1 image=img0\n"
		  "3 b h: 2 url=https://b.example.com/x domain=example.com "
		  "retweet=s1\n");
	struct log l = {.n = 0};
	l.buf[0] = '\0';
	CHECK_EQ_INT(dw_cib_parse_mem(DW_CIB_FMT_GENERIC, "user,when\nx,1\n", 15,
				      on_row, on_bad, &l, NULL),
		     DW_EFORMAT);
	CHECK_EQ_INT(dw_cib_parse_mem(DW_CIB_FMT_GENERIC, "", 0, on_row, on_bad,
				      &l, NULL),
		     DW_EFORMAT);
}

static void test_jsonl(void)
{
	check_fmt(DW_CIB_FMT_JSONL,
		  "{\"account\":\"a\",\"time\":1623881091,\"post\":123,"
		  "\"urls\":[\"https://x.org/a?fbclid=1\",\"http://y.com/\"],"
		  "\"hashtags\":\"#A #b\",\"text\":\"hi\\nthere\"}\n"
		  "\n"
		  "not json\n"
		  "[1,2]\n"
		  "{\"account\":\"c\",\"time\":\"bad\"}\n"
		  "{\"account\":\"d\",\"time\":\"2021-06-01 10:00\",\"domain\":\"Sub.Example.co.uk\","
		  "\"shared\":\"s9\",\"extra\":{\"x\":1}}",
		  "1 a 123 1623881091 url=https://x.org/a domain=x.org "
		  "url=http://y.com domain=y.com hashtag=a hashtag=b text=[hi\nthere]\n"
		  "BAD 3 not JSON: '[' or '{' expected near 'not'\n"
		  "BAD 4 not a JSON object\n"
		  "BAD 5 bad time 'bad' (epoch seconds or ISO 8601 UTC)\n"
		  "6 d h: 1622541600 domain=example.co.uk retweet=s9\n");
}

static void test_coortweet(void)
{
	check_fmt(DW_CIB_FMT_COORTWEET,
		  "object_id,account_id,content_id,timestamp_share\n"
		  "o1,a1,c1,1623881091\n"
		  "o2,a1,c1,1623881091\n"
		  "o1,a2,c2,x\n",
		  "2 a1 c1 1623881091 retweet=o1\n"
		  "3 a1 c1 1623881091 retweet=o2\n"
		  "BAD 4 bad time 'x' (epoch seconds or ISO 8601 UTC)\n");
}

static void test_twitter_io(void)
{
	check_fmt(DW_CIB_FMT_TWITTER_IO,
		  "tweetid,userid,user_display_name,user_screen_name,tweet_language,"
		  "tweet_text,tweet_time,is_retweet,retweet_userid,retweet_tweetid,"
		  "hashtags,urls\n"
		  "1001,u1,Name,scr,en,\"RT @x: hi, there\",2019-11-16 14:05,True,u9,900,"
		  "\"[tag1, Tag2]\",\"['https://a.com/x?utm_medium=y']\"\n"
		  "1002,u2,N2,s2,fa,\"original\ntext\",2019-11-16 14:06,False,,,[],[]\n"
		  "1003,u3,N3,s3,en,x,2019-13-16 14:06,False,,,[],[]\n",
		  "2 u1 1001 1573913100 retweet=900 hashtag=tag1 hashtag=tag2 "
		  "url=https://a.com/x domain=a.com\n"
		  "3 u2 1002 1573913160 text=[original\ntext]\n"
		  "BAD 5 bad time '2019-13-16 14:06' (epoch seconds or ISO 8601 UTC)\n");
}

/* Import twice through the store: the second adds nothing. */
static int store_rows(void *ctx, const struct dw_cib_row *r)
{
	return dw_cib_store_row(ctx, r) < 0 ? -1 : 0;
}

static void test_store(void)
{
	static const char csv[] =
		"object_id,account_id,content_id,timestamp_share\n"
		"o1,a1,c1,100\no2,a1,c1,100\no1,a2,c2,130\no1,a3,c3,140\n";
	char path[] = "/tmp/test_cib_import_XXXXXX";
	struct dw_store *s = NULL;
	struct dw_cib_writer *w = NULL;
	struct dw_cib_counts c;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	unlink(path);
	CHECK_EQ_INT(dw_store_open(path, DW_STORE_RDWR, &s, NULL, 0), 0);
	if (!s)
		return;
	for (int round = 0; round < 2; round++) {
		CHECK_EQ_INT(dw_cib_writer_new(s, round ? 0 : 2, &w), 0);
		CHECK_EQ_INT(dw_cib_parse_mem(DW_CIB_FMT_COORTWEET, csv,
					      sizeof(csv) - 1, store_rows, NULL,
					      w, NULL),
			     0);
		CHECK_EQ_INT(dw_cib_writer_free(w), 0);
		CHECK_EQ_INT(dw_store_cib_counts(s, &c), 0);
		CHECK_EQ_INT(c.accounts, 3);
		CHECK_EQ_INT(c.objects, 2);
		CHECK_EQ_INT(c.posts, 3);
		CHECK_EQ_INT(c.actions, 4);
	}
	dw_store_close(s);
	char p2[sizeof(path) + 8];
	unlink(path);
	snprintf(p2, sizeof(p2), "%s-wal", path);
	unlink(p2);
	snprintf(p2, sizeof(p2), "%s-shm", path);
	unlink(p2);
}

static void test_indicators(void)
{
	static const struct { const char *in; int kind; const char *key; } t[] = {
		{"amc239[.]com", DW_IND_DOMAIN, "amc239.com"},
		{"https://neweurope[.]online", DW_IND_URL, "neweurope.online"},
		{"hxxps://www[.]petice[.]com/x_y", DW_IND_URL, "petice.com/x_y"},
		{"https://twitter[.]com/SaraSil39636921", DW_IND_HANDLE,
		 "sarasil39636921"},
		{"https://www.facebook.com/groups/SomeGroup/", DW_IND_HANDLE,
		 "somegroup"},
		{"info[at]holysouls[.]cc", DW_IND_EMAIL, "holysouls.cc"},
		{"LePotentieldafrique[.]net", DW_IND_DOMAIN,
		 "lepotentieldafrique.net"},
		{"@SomeHandle", DW_IND_HANDLE, "somehandle"},
	};
	char key[256];
	int kind;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK_EQ_INT(dw_cib_ind_classify(t[i].in, strlen(t[i].in), &kind,
						 key, sizeof(key)),
			     1);
		CHECK_EQ_INT(kind, t[i].kind);
		CHECK_EQ_STR(key, t[i].key);
	}
	static const char *const no[] = {"67 accounts", "London New Europe Media Ltd",
					 "twitter.com", "someone@gmail.com", ""};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		CHECK_EQ_INT(dw_cib_ind_classify(no[i], strlen(no[i]), &kind, key,
						 sizeof(key)),
			     0);
	struct dw_cib_indicators *ind = NULL;
	static const char f[] =
		"Tactic,Technique,Procedure,Indicator,Comments\n"
		"0,0.2,0.2.1,\"info[at]amc239[.]com, hosted with Titan.email service\",\n"
		"0,0.6,0.6.2,amc239[.]com,\n"
		"0,0.9,0.9.1,63 accounts,\n"
		"0,0.6,0.6.2,\"dhakatv[.]net \n\",\n";
	CHECK_EQ_INT(dw_cib_ind_new(&ind), 0);
	CHECK_EQ_INT(dw_cib_ind_load_mem(ind, "dir/x.csv", f, sizeof(f) - 1), 3);
	CHECK_EQ_INT(dw_cib_ind_load_mem(ind, "y.csv", "a,b\n1,2\n", 8),
		     DW_EFORMAT);
	dw_cib_ind_free(ind);
}

int main(void)
{
	test_url();
	test_domain();
	test_lists();
	test_time();
	test_generic();
	test_jsonl();
	test_coortweet();
	test_twitter_io();
	test_store();
	test_indicators();
	return dw_test_finish();
}
