/*
 * testutil.h - tiny check macros for darkwatch unit tests (header only).
 *
 * Unit tests are plain executables registered by tests/CMakeLists.txt; a test
 * passes when main() returns 0.  The checks below do not stop the test: each
 * failure prints file:line, the expressions and both values, and bumps a
 * per-file counter, so one run shows every broken case of a table-driven test.
 * End main() with `return dw_test_finish();`.
 *
 *     CHECK(cond)
 *     CHECK_EQ_INT(got, want)      as long long, printed in decimal
 *     CHECK_EQ_U64(got, want)      as uint64_t, decimal and hex
 *     CHECK_EQ_STR(got, want)      strcmp, NULL-safe, printed quoted
 *     CHECK_EQ_MEM(got, want, n)   memcmp of n bytes, first difference shown
 */
#ifndef DW_TESTS_TESTUTIL_H
#define DW_TESTS_TESTUTIL_H

#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int dw_test_checks __attribute__((unused));
static int dw_test_failures __attribute__((unused));

__attribute__((format(printf, 3, 4), unused)) static void
dw_test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	dw_test_failures++;
	fprintf(stderr, "%s:%d: FAIL: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Print a summary; return the exit status for main(). */
static inline int dw_test_finish(void)
{
	fprintf(stderr, "%d checks, %d failed\n", dw_test_checks,
		dw_test_failures);
	return dw_test_failures ? 1 : 0;
}

#define CHECK(cond)                                                           \
	do {                                                                  \
		dw_test_checks++;                                             \
		if (!(cond))                                                  \
			dw_test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond); \
	} while (0)

#define CHECK_EQ_INT(got, want)                                             \
	do {                                                                \
		long long dw_g_ = (long long)(got);                         \
		long long dw_w_ = (long long)(want);                        \
		dw_test_checks++;                                           \
		if (dw_g_ != dw_w_)                                         \
			dw_test_fail(__FILE__, __LINE__,                    \
				     "%s == %s: got %lld, want %lld", #got, \
				     #want, dw_g_, dw_w_);                  \
	} while (0)

#define CHECK_EQ_U64(got, want)                                                \
	do {                                                                   \
		uint64_t dw_g_ = (uint64_t)(got);                              \
		uint64_t dw_w_ = (uint64_t)(want);                             \
		dw_test_checks++;                                              \
		if (dw_g_ != dw_w_)                                            \
			dw_test_fail(__FILE__, __LINE__,                       \
				     "%s == %s: got %" PRIu64 " (0x%" PRIx64   \
				     "), want %" PRIu64 " (0x%" PRIx64 ")",    \
				     #got, #want, dw_g_, dw_g_, dw_w_, dw_w_); \
	} while (0)

#define CHECK_EQ_STR(got, want)                                            \
	do {                                                               \
		const char *dw_g_ = (got);                                 \
		const char *dw_w_ = (want);                                \
		dw_test_checks++;                                          \
		if (!dw_g_ || !dw_w_ ? dw_g_ != dw_w_                      \
				     : strcmp(dw_g_, dw_w_) != 0)          \
			dw_test_fail(__FILE__, __LINE__,                   \
				     "%s == %s: got %s%s%s, want %s%s%s",  \
				     #got, #want, dw_g_ ? "\"" : "",       \
				     dw_g_ ? dw_g_ : "NULL",               \
				     dw_g_ ? "\"" : "", dw_w_ ? "\"" : "", \
				     dw_w_ ? dw_w_ : "NULL",               \
				     dw_w_ ? "\"" : "");                   \
	} while (0)

#define CHECK_EQ_MEM(got, want, n)                                             \
	do {                                                                   \
		const unsigned char *dw_g_ = (const unsigned char *)(got);     \
		const unsigned char *dw_w_ = (const unsigned char *)(want);    \
		size_t dw_n_ = (n), dw_i_ = 0;                                 \
		dw_test_checks++;                                              \
		while (dw_i_ < dw_n_ && dw_g_[dw_i_] == dw_w_[dw_i_])          \
			dw_i_++;                                               \
		if (dw_i_ < dw_n_)                                             \
			dw_test_fail(__FILE__, __LINE__,                       \
				     "%s == %s (%zu bytes): first difference " \
				     "at byte %zu: got 0x%02x, want 0x%02x",   \
				     #got, #want, dw_n_, dw_i_, dw_g_[dw_i_],  \
				     dw_w_[dw_i_]);                            \
	} while (0)

#endif
