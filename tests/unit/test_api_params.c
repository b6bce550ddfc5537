/*
 * test_api_params.c - the API's input rules without a server: query
 * parameter validation (src/api/params.c), static path resolution
 * (src/api/static.c), the rate limiter and the response cache.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/cache.h"
#include "api/params.h"
#include "api/ratelimit.h"
#include "api/static.h"
#include "darkwatch/err.h"
#include "testutil.h"

static struct dw_params P;

static struct dw_params *one(const char *name, const char *value)
{
	dw_params_init(&P);
	dw_params_add(&P, name, value);
	return &P;
}

static void test_ints(void)
{
	static const struct {
		const char *v;
		int rc;
		int64_t want;
	} cases[] = {
		{"0", 1, 0}, {"10000", 1, 10000}, {"10001", DW_EINVAL, 0},
		{"-1", DW_EINVAL, 0}, {"abc", DW_EINVAL, 0}, {"1.5", DW_EINVAL, 0},
		{"1e3", DW_EINVAL, 0}, {"+5", DW_EINVAL, 0}, {" 5", DW_EINVAL, 0},
		{"5 ", DW_EINVAL, 0}, {"0x10", DW_EINVAL, 0},
		{"99999999999999999999999", DW_EINVAL, 0}, {"", 0, 77},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t got = 77;
		int rc = dw_params_int(one("limit", cases[i].v), "limit", 0,
				       10000, 77, &got);
		CHECK_EQ_INT(rc, cases[i].rc);
		if (rc >= 0)
			CHECK_EQ_INT(got, cases[i].want);
		else
			CHECK(strstr(P.err, "'limit'") != NULL);
	}
}

static void test_times(void)
{
	static const struct {
		const char *v;
		int rc;
		int64_t want;
	} cases[] = {
		{"1573912800", 1, 1573912800},
		{"2019-11-16T14:00:00Z", 1, 1573912800},
		{"2019-11-16", 1, 1573862400},
		{"-5", DW_EINVAL, 0},
		{"2019-11-16T14:00+03:30", DW_EINVAL, 0},
		{"yesterday", DW_EINVAL, 0},
		{"2019-02-30", DW_EINVAL, 0},
		{"1573912800.5", DW_EINVAL, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t got = 0;
		int rc = dw_params_time(one("from", cases[i].v), "from", 1, 0, &got);
		CHECK_EQ_INT(rc, cases[i].rc);
		if (rc > 0)
			CHECK_EQ_INT(got, cases[i].want);
	}
	int64_t t;
	dw_params_init(&P);
	CHECK_EQ_INT(dw_params_time(&P, "until", 1, 0, &t), DW_EINVAL);
	CHECK(strstr(P.err, "'until'") && strstr(P.err, "required"));
	CHECK_EQ_INT(dw_params_time(&P, "until", 0, 42, &t), 0);
	CHECK_EQ_INT(t, 42);
}

static void test_text(void)
{
	const char *items[8], *out, *type, *code;
	size_t n;
	int b;

	CHECK_EQ_INT(dw_params_list(one("entityCode", "IR,US,IR-Tehran"),
				    "entityCode", 0, items, 8, &n), 1);
	CHECK_EQ_INT(n, 3);
	CHECK_EQ_STR(items[2], "IR-Tehran");
	CHECK_EQ_INT(dw_params_list(one("entityCode", "IR,,US"), "entityCode",
				    0, items, 8, &n), DW_EINVAL);
	CHECK_EQ_INT(dw_params_list(one("entityCode", "a,b,c,d,e,f,g,h,i"),
				    "entityCode", 0, items, 8, &n), DW_EINVAL);
	CHECK_EQ_INT(dw_params_list(one("entityCode", "\xff\xfe"), "entityCode",
				    0, items, 8, &n), DW_EINVAL);
	CHECK_EQ_INT(dw_params_list(one("entityCode", "a\x1b"), "entityCode",
				    0, items, 8, &n), DW_EINVAL);
	CHECK_EQ_INT(dw_params_list(one("method", "median,sea son"), "method",
				    1, items, 8, &n), DW_EINVAL);
	CHECK_EQ_INT(dw_params_text(one("search", "Tehr\xc3\xa2n"), "search",
				    200, &out), 1);
	CHECK_EQ_INT(dw_params_text(one("search", "\xed\xa0\x80"), "search",
				    200, &out), DW_EINVAL); /* a surrogate */
	CHECK_EQ_INT(dw_params_text(one("search", "\xc0\xaf"), "search", 200,
				    &out), DW_EINVAL); /* overlong '/' */
	CHECK_EQ_INT(dw_params_ident(one("datasource", "bgp' OR 1=1"),
				     "datasource", &out), DW_EINVAL);
	CHECK_EQ_INT(dw_params_ident(one("datasource", "ping-slash24"),
				     "datasource", &out), 1);
	CHECK_EQ_INT(dw_params_entity_type(one("entityType", "planet"),
					   "entityType", &out), DW_EINVAL);
	CHECK_EQ_INT(dw_params_related(one("relatedTo", "country/IR"),
				       "relatedTo", &type, &code), 1);
	CHECK_EQ_STR(type, "country");
	CHECK_EQ_STR(code, "IR");
	CHECK_EQ_INT(dw_params_related(one("relatedTo", "asn:44244"),
				       "relatedTo", &type, &code), 1);
	CHECK_EQ_STR(code, "44244");
	CHECK_EQ_INT(dw_params_related(one("relatedTo", "IR"), "relatedTo",
				       &type, &code), DW_EINVAL);
	CHECK_EQ_INT(dw_params_related(one("relatedTo", "planet/IR"),
				       "relatedTo", &type, &code), DW_EINVAL);
	CHECK_EQ_INT(dw_params_bool(one("overall", "TRUE"), "overall", 0, &b), 1);
	CHECK_EQ_INT(b, 1);
	CHECK_EQ_INT(dw_params_bool(one("overall", "maybe"), "overall", 0, &b),
		     DW_EINVAL);
	/* first occurrence wins; empty is absent; unknown names are ignored */
	dw_params_init(&P);
	dw_params_add(&P, "limit", "5");
	dw_params_add(&P, "limit", "7");
	dw_params_add(&P, "page", "");
	dw_params_add(&P, "junk", "\xff");
	CHECK_EQ_STR(dw_params_get(&P, "limit"), "5");
	CHECK(dw_params_get(&P, "page") == NULL);
	dw_params_init(&P);
	for (int i = 0; i < DW_PARAMS_MAX + 5; i++) {
		static char names[DW_PARAMS_MAX + 5][8];
		snprintf(names[i], sizeof(names[i]), "p%d", i);
		dw_params_add(&P, names[i], "1");
	}
	CHECK(P.too_many);
}

static void test_static(const char *tmp)
{
	char dir[512], path[600];
	struct dw_api_static *st = NULL;
	struct dw_api_file f;

	snprintf(dir, sizeof(dir), "%s/web", tmp);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/index.html", dir);
	FILE *fp = fopen(path, "w");
	CHECK(fp != NULL);
	if (fp) {
		fputs("<!doctype html>", fp);
		fclose(fp);
	}
	snprintf(path, sizeof(path), "%s/app.js", dir);
	if ((fp = fopen(path, "w"))) {
		fputs("1", fp);
		fclose(fp);
	}
	snprintf(path, sizeof(path), "%s/etc", dir);
	CHECK_EQ_INT(symlink("/etc", path), 0);
	CHECK_EQ_INT(dw_api_static_new(dir, &st), 0);
	if (!st)
		return;
	static const struct {
		const char *url;
		int rc;
		const char *ctype;
	} cases[] = {
		{"/", 0, "text/html; charset=utf-8"},
		{"/app.js", 0, "text/javascript; charset=utf-8"},
		{"/entity/country/IR", 0, "text/html; charset=utf-8"},
		{"/missing.js", -ENOENT, NULL},
		{"/../etc/passwd", -ENOENT, NULL},
		{"/a/../../etc/passwd", -ENOENT, NULL},
		/* a symlink out of the root is not followed: the SPA index */
		{"/etc/passwd", 0, "text/html; charset=utf-8"},
		{"/etc/passwd.txt", -ENOENT, NULL},
		{"/.hidden", -ENOENT, NULL},
		{"/a\\..\\b", -ENOENT, NULL},
		{"relative", -ENOENT, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = dw_api_static_open(st, cases[i].url, &f);
		CHECK_EQ_INT(rc, cases[i].rc);
		if (rc == 0) {
			CHECK_EQ_STR(f.ctype, cases[i].ctype);
			CHECK(f.etag[0] == '"');
			close(f.fd);
		}
	}
	dw_api_static_free(st);
	CHECK_EQ_STR(dw_api_static_ctype("a/b.WOFF2"), "font/woff2");
	CHECK_EQ_STR(dw_api_static_ctype("noext"), "application/octet-stream");
}

static void test_ratelimit(void)
{
	struct dw_api_rl *rl = NULL;
	struct sockaddr_in a = {.sin_family = AF_INET}, b = a;

	a.sin_addr.s_addr = htonl(0x7f000001);
	b.sin_addr.s_addr = htonl(0x7f000002);
	CHECK_EQ_INT(dw_api_rl_new(2, 3, &rl), 0);
	if (!rl)
		return;
	for (int i = 0; i < 3; i++)
		CHECK_EQ_INT(dw_api_rl_take(rl, (struct sockaddr *)&a, 100.0), 0);
	CHECK_EQ_INT(dw_api_rl_take(rl, (struct sockaddr *)&a, 100.0), 1);
	CHECK_EQ_INT(dw_api_rl_take(rl, (struct sockaddr *)&b, 100.0), 0);
	CHECK_EQ_INT(dw_api_rl_take(rl, (struct sockaddr *)&a, 100.6), 0);
	dw_api_rl_free(rl);
	CHECK_EQ_INT(dw_api_rl_new(0, 3, &rl), DW_EINVAL);
}

static void test_cache(void)
{
	struct dw_api_cache *c = NULL;
	struct dw_api_blob *b = dw_api_blob_new("hello", 5), *g;

	CHECK_EQ_INT(dw_api_cache_new(1000, 2, &c), 0);
	if (!c || !b)
		return;
	dw_api_cache_put(c, "k1", 2, 1, b);
	g = dw_api_cache_get(c, "k1", 2, 1);
	CHECK(g == b);
	dw_api_blob_unref(g);
	CHECK(dw_api_cache_get(c, "k1", 2, 2) == NULL); /* new generation */
	dw_api_cache_put(c, "k1", 2, 1, b);              /* stale: dropped */
	CHECK(dw_api_cache_get(c, "k1", 2, 2) == NULL);
	dw_api_cache_put(c, "a", 1, 2, b);
	dw_api_cache_put(c, "b", 1, 2, b);
	dw_api_cache_put(c, "c", 1, 2, b); /* over 2 entries: emptied first */
	CHECK(dw_api_cache_get(c, "a", 1, 2) == NULL);
	g = dw_api_cache_get(c, "c", 1, 2);
	CHECK(g == b);
	dw_api_blob_unref(g);
	dw_api_cache_free(c);
	CHECK_EQ_INT(atomic_load(&b->ref), 1);
	dw_api_blob_unref(b);
}

int main(void)
{
	char tmp[] = "/tmp/dw_api_params_XXXXXX";

	test_ints();
	test_times();
	test_text();
	if (mkdtemp(tmp)) {
		test_static(tmp);
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", tmp);
	}
	test_ratelimit();
	test_cache();
	return dw_test_finish();
}
