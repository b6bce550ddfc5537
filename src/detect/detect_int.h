/*
 * detect_int.h - what the files of src/detect/ share: the detector object
 * and a tiny byte buffer for saving state.
 *
 * detect.c holds the public entry points and dispatches on the method;
 * median.c and seasonal.c each implement one method behind the same five
 * functions, so adding a method is one file and one table row.
 */
#ifndef DW_DETECT_INT_H
#define DW_DETECT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "darkwatch/detect.h"

struct dw_detector {
	int method;
	int64_t step, last_t;
	struct dw_detect_params p;
	void *impl;
};

/* A growable byte buffer (writing) or a cursor over bytes (reading). */
struct dw_bytes {
	unsigned char *p;
	size_t len, cap, pos;
};
/* Append n bytes: 0 or -1 (out of memory). */
int dw_bytes_put(struct dw_bytes *b, const void *src, size_t n);
/* Take n bytes: 0, or -1 when fewer are left. */
int dw_bytes_get(struct dw_bytes *b, void *dst, size_t n);

int dw_med_new(struct dw_detector *d);
void dw_med_free(struct dw_detector *d);
int dw_med_push(struct dw_detector *d, int64_t t, double v,
		const struct dw_detect_sink *sink);
int dw_med_save(const struct dw_detector *d, struct dw_bytes *b);
int dw_med_load(struct dw_detector *d, struct dw_bytes *b);

int dw_sea_new(struct dw_detector *d);
void dw_sea_free(struct dw_detector *d);
int dw_sea_push(struct dw_detector *d, int64_t t, double v,
		const struct dw_detect_sink *sink);
int dw_sea_save(const struct dw_detector *d, struct dw_bytes *b);
int dw_sea_load(struct dw_detector *d, struct dw_bytes *b);

/* Median of a[0..n) (n >= 1); a is reordered. */
double dw_detect_median(double *a, size_t n);

#endif
