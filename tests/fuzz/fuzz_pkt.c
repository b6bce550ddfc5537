/*
 * fuzz_pkt.c - libFuzzer target: the telescope's packet decoder and filters
 * (src/telescope/pkt.c, filter.c), first step of the telescope stage.
 *
 * The first byte picks the link type (Ethernet, raw IP, SLL, SLL2, BSD
 * loopback, or an unknown one), the second how much of the frame the
 * "wire" had beyond the capture; the rest is the captured frame, copied to
 * a buffer of exactly its size so ASan catches any read past it.  A decoded
 * packet's payload view must lie inside the frame, and the filters run on
 * it with every filter enabled and each one alone.  The frame also goes
 * through the counter (bitmaps, bin logic) at a time from byte 1.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "darkwatch/telescope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int links[] = {1, 12, 101, 113, 276, 0, 228, 14, 9999};

static int sink(void *ctx, const struct dw_tel_point *p)
{
	(void)ctx;
	(void)p;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dw_tel_conf tc = DW_TEL_CONF_DEFAULT;
	struct dw_tel_pkt p;
	struct dw_tel *t = NULL;
	uint8_t *frame;
	size_t n;
	int lt;

	if (size < 2)
		return 0;
	lt = links[data[0] % (sizeof(links) / sizeof(links[0]))];
	n = size - 2;
	if (!(frame = malloc(n ? n : 1)))
		return 0;
	memcpy(frame, data + 2, n);
	if (dw_tel_pkt_decode(lt, frame, n, n + data[1], &p) == DW_TEL_OK) {
		if (p.payload_len &&
		    (p.payload < frame || p.payload + p.payload_len > frame + n))
			abort();
		(void)dw_tel_filter_match(&p, DW_TF_ALL);
		for (int f = 0; f < DW_TF__COUNT; f++)
			(void)dw_tel_filter_match(&p, 1u << f);
	}
	if (dw_tel_new(&tc, NULL, NULL, sink, NULL, &t) == 0) {
		(void)dw_tel_packet(t, lt, data[1], frame, n, n + data[1]);
		(void)dw_tel_packet(t, lt, 120 + data[1], frame, n, n);
		(void)dw_tel_flush(t);
		dw_tel_free(t);
	}
	free(frame);
	return 0;
}
