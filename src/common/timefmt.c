/*
 * timefmt.c - parse and print UTC times (see darkwatch/timefmt.h).
 *
 * A hand-written scanner over the few accepted forms rather than strptime:
 * strptime depends on the locale, skips spaces silently and accepts fields
 * out of range ("%d" takes 31 in February), and we want every accepted byte
 * to be deliberate.  The calendar arithmetic is timegm's; the result is
 * checked by converting it back with gmtime_r, which rejects dates such as
 * 2019-02-30 that timegm would quietly normalise to March 2.
 */
#include "darkwatch/timefmt.h"
#include "darkwatch/err.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Exactly `width` decimal digits at *p; advances *p on success. */
static int digits(const char **p, const char *end, int width, int *out)
{
	int v = 0;
	if (end - *p < width)
		return -1;
	for (int i = 0; i < width; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += width;
	*out = v;
	return 0;
}

static int parse_epoch(const char *s, const char *end, int64_t *out)
{
	const char *p = s;
	int neg = 0;
	int64_t v = 0;

	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	if (p == end || end - p > 12) /* 12 digits already exceed the range */
		return DW_EINVAL;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return DW_EINVAL;
		v = v * 10 + (*p - '0');
	}
	if (neg)
		v = -v;
	if (v < DW_TIME_MIN || v > DW_TIME_MAX)
		return DW_EINVAL;
	*out = v;
	return 0;
}

/* What may follow the time: nothing, Z/z, or +00:00. */
static int utc_suffix(const char *p, const char *end)
{
	size_t n = (size_t)(end - p);
	if (n == 0)
		return 0;
	if (n == 1 && (*p == 'Z' || *p == 'z'))
		return 0;
	if (n == 6 && !memcmp(p, "+00:00", 6))
		return 0;
	return DW_EINVAL;
}

static int parse_iso(const char *s, const char *end, int64_t *out)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0;
	struct tm tm, back;

	if (digits(&p, end, 4, &y) || p == end || *p++ != '-' ||
	    digits(&p, end, 2, &mo) || p == end || *p++ != '-' ||
	    digits(&p, end, 2, &d))
		return DW_EINVAL;
	if (p < end && (*p == 'T' || *p == 't' || *p == ' ')) {
		p++;
		if (digits(&p, end, 2, &h) || p == end || *p++ != ':' ||
		    digits(&p, end, 2, &mi))
			return DW_EINVAL;
		if (p < end && *p == ':') {
			p++;
			if (digits(&p, end, 2, &sec))
				return DW_EINVAL;
			if (p < end && *p == '.') {
				const char *f = ++p;
				while (p < end && *p == '0')
					p++;
				if (p == f || (p < end && *p >= '1' && *p <= '9'))
					return DW_EINVAL; /* sub-second time */
			}
		}
	}
	if (utc_suffix(p, end))
		return DW_EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 59)
		return DW_EINVAL;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	time_t t = timegm(&tm);
	if (!gmtime_r(&t, &back) || back.tm_mday != d || back.tm_mon != mo - 1 ||
	    back.tm_year != y - 1900)
		return DW_EINVAL;
	*out = (int64_t)t;
	return 0;
}

int dw_time_parse_n(const char *s, size_t n, int64_t *out)
{
	const char *end;
	if (!s || !out || n == 0)
		return DW_EINVAL;
	end = s + n;
	/* "YYYY-" tells ISO from epoch: an epoch value has no '-' after it. */
	if (n >= 5 && s[4] == '-')
		return parse_iso(s, end, out);
	return parse_epoch(s, end, out);
}

int dw_time_parse(const char *s, int64_t *out)
{
	if (!s)
		return DW_EINVAL;
	return dw_time_parse_n(s, strlen(s), out);
}

int dw_time_fmt(int64_t t, char buf[32])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t < DW_TIME_MIN || t > DW_TIME_MAX || !gmtime_r(&tt, &tm)) {
		snprintf(buf, 32, "%" PRId64, t);
		return DW_EINVAL;
	}
	/* Fixed-width fields by hand: the ranges are known (gmtime_r), and
	 * snprintf's truncation warnings cannot see them. */
	const int f[6] = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			  tm.tm_hour, tm.tm_min, tm.tm_sec};
	static const char sep[6] = {'-', '-', 'T', ':', ':', 'Z'};
	char *p = buf;
	for (int i = 0; i < 6; i++) {
		int w = i == 0 ? 4 : 2;
		for (int k = w - 1, v = f[i]; k >= 0; k--, v /= 10)
			p[k] = (char)('0' + v % 10);
		p[w] = sep[i];
		p += w + 1;
	}
	*p = 0;
	return 0;
}
