/*
 * fuzz_cib_import.c - libFuzzer target: the CIB importers (src/cib/
 * import.c, url.c), first stage of the coordinated-account engine.
 *
 * The first byte picks the format (generic CSV, JSONL, CooRTweet,
 * twitter-io) and how the rest is cut into feeds (whole, or blocks of 1..
 * 255 bytes, so records split across feeds are exercised); the rest is the
 * file, copied to a buffer of exactly its size so ASan catches any read
 * past it.  Every row delivered must hold what the header promises:
 * non-empty account and post key, objects with a known trace and a key of
 * the length given.  No store: rows go to a callback.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cib/import.h"
#include "darkwatch/cib.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_row(void *ctx, const struct dw_cib_row *r)
{
	(void)ctx;
	if (!r->account_len || !r->post_len || r->line == 0 ||
	    r->nobj > DW_CIB_ROW_MAXOBJ)
		abort();
	for (size_t i = 0; i < r->nobj; i++)
		if (r->obj[i].trace < 0 || r->obj[i].trace >= DW_CIB__NTRACE ||
		    strlen(r->obj[i].key) != r->obj[i].len || !r->obj[i].len)
			abort();
	if (r->text && !r->text_len)
		abort();
	return 0;
}

static void on_bad(void *ctx, uint64_t line, const char *reason)
{
	(void)ctx;
	if (!line || !reason[0])
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dw_cib_parser *p = NULL;
	uint8_t *buf;
	size_t n, step;
	int fmt;

	if (size < 1)
		return 0;
	fmt = data[0] % DW_CIB__NFMT;
	step = data[0] >> 2;
	n = size - 1;
	if (!(buf = malloc(n ? n : 1)))
		return 0;
	memcpy(buf, data + 1, n);
	if (!step) {
		(void)dw_cib_parse_mem(fmt, buf, n, on_row, on_bad, NULL, NULL);
	} else if (dw_cib_parser_new(fmt, on_row, on_bad, NULL, &p) == 0) {
		int rc = 0;
		for (size_t o = 0; o < n && rc == 0; o += step)
			rc = dw_cib_parser_feed(p, buf + o,
						n - o < step ? n - o : step);
		if (rc == 0)
			(void)dw_cib_parser_finish(p);
		dw_cib_parser_free(p);
	}
	free(buf);
	return 0;
}
