/*
 * timefmt.h - the one way darkwatch reads and writes points in time.
 *
 * Every verb that takes a time (--from, --until, a CSV `time` column) goes
 * through dw_time_parse, so users can type the same forms everywhere, and
 * every human-readable time darkwatch prints comes from dw_time_fmt.  Times
 * are UTC epoch seconds (int64_t) inside darkwatch (see DESIGN.md, Time):
 * no time zones, no local time, no fractional seconds.
 *
 * Key decision: an explicit offset other than UTC is rejected rather than
 * converted.  Outage timelines mix UTC with local times (Iran is UTC+3:30);
 * refusing "+03:30" makes a user notice, where a silent conversion would
 * hide a mistaken column.  A time without any suffix is taken as UTC.
 */
#ifndef DARKWATCH_TIMEFMT_H
#define DARKWATCH_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* Range of times accepted and printed: 0000-01-01 .. 9999-12-31T23:59:59Z. */
#define DW_TIME_MIN (-62167219200LL)
#define DW_TIME_MAX 253402300799LL

/*
 * Parse `s` (NUL-terminated, no surrounding spaces) into epoch seconds.
 * Accepted:
 *   1573912800                 epoch seconds (optionally with a leading '-')
 *   2019-11-16                 midnight UTC
 *   2019-11-16T14:00           'T', 't' or one space between date and time
 *   2019-11-16T14:00:00
 *   2019-11-16T14:00:00.000    a fraction only if it is all zeros
 * each ISO form optionally followed by "Z", "z" or "+00:00".
 * Returns 0 and sets *out, or DW_EINVAL (garbage, another offset, a field
 * out of range such as 2019-02-30 or 24:00, or a time outside
 * DW_TIME_MIN..DW_TIME_MAX); *out is unchanged on failure.
 */
int dw_time_parse(const char *s, int64_t *out);

/* Same, for a string that is not NUL-terminated (n bytes at s). */
int dw_time_parse_n(const char *s, size_t n, int64_t *out);

/*
 * Format t as "2019-11-16T14:00:00Z" into buf (always NUL-terminated).
 * Returns 0, or DW_EINVAL when t is outside DW_TIME_MIN..DW_TIME_MAX (buf
 * then holds the decimal epoch value, so it is still printable).
 */
int dw_time_fmt(int64_t t, char buf[32]);

#endif
