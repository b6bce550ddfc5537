/*
 * params.c - typed, validated query-string parameters (see params.h).
 *
 * Every check a handler needs on user input lives here, so a reviewer
 * finds the API's whole input surface in one file: numbers are parsed with
 * strtoll and checked for trailing bytes and range, text for UTF-8 and
 * control characters, names against the store's alphabet.
 */
#include "api/params.h"
#include "common/utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "darkwatch/err.h"
#include "darkwatch/store.h"
#include "darkwatch/timefmt.h"

void dw_params_init(struct dw_params *p)
{
	p->n = 0;
	p->too_many = 0;
	p->err[0] = 0;
	p->bad = NULL;
	p->used = 0;
}

void dw_params_add(struct dw_params *p, const char *name, const char *value)
{
	if (!name)
		return;
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->name[i], name))
			return;
	if (p->n >= DW_PARAMS_MAX) {
		p->too_many = 1;
		return;
	}
	p->name[p->n] = name;
	p->value[p->n] = value ? value : "";
	p->n++;
}

const char *dw_params_get(const struct dw_params *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->name[i], name))
			return *p->value[i] ? p->value[i] : NULL;
	return NULL;
}

int dw_params_fail(struct dw_params *p, const char *name, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(p->err, sizeof(p->err), "Invalid parameter '%s': %s", name, why);
	p->bad = name;
	return DW_EINVAL;
}

/* 1..max bytes of UTF-8 text without controls (common/utf8.h). */
static int text_ok(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);
	return n > 0 && n <= max && dw_utf8_text_ok(s, n);
}

static int ident_ok(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++) {
		char c = s[n];
		if (n >= DW_STORE_NAME_MAX ||
		    !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return n > 0;
}

int dw_params_time(struct dw_params *p, const char *name, int required,
		   int64_t def, int64_t *out)
{
	const char *v = dw_params_get(p, name);

	if (!v) {
		if (required)
			return dw_params_fail(p, name, "required (epoch seconds "
					      "or an ISO 8601 UTC time)");
		*out = def;
		return 0;
	}
	if (strlen(v) > 40 || dw_time_parse(v, out) < 0)
		return dw_params_fail(p, name, "must be epoch seconds or an "
				      "ISO 8601 UTC time such as "
				      "2019-11-16T14:00:00Z");
	if (*out < 0)
		return dw_params_fail(p, name, "must not be before 1970");
	return 1;
}

int dw_params_int(struct dw_params *p, const char *name, int64_t min,
		  int64_t max, int64_t def, int64_t *out)
{
	const char *v = dw_params_get(p, name);
	char *end;
	long long x;

	if (!v) {
		*out = def;
		return 0;
	}
	errno = 0;
	x = strtoll(v, &end, 10);
	if (end == v || *end || errno == ERANGE || v[0] == ' ' || v[0] == '+' ||
	    (v[0] < '0' || v[0] > '9') != (v[0] == '-'))
		return dw_params_fail(p, name, "must be an integer from %lld "
				      "to %lld", (long long)min, (long long)max);
	if (x < min || x > max)
		return dw_params_fail(p, name, "must be from %lld to %lld",
				      (long long)min, (long long)max);
	*out = x;
	return 1;
}

int dw_params_bool(struct dw_params *p, const char *name, int def, int *out)
{
	static const char *const yes[] = {"true", "1", "yes", "on"};
	static const char *const no[] = {"false", "0", "no", "off"};
	const char *v = dw_params_get(p, name);

	if (!v) {
		*out = def;
		return 0;
	}
	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = 1;
			return 1;
		}
		if (!strcasecmp(v, no[i])) {
			*out = 0;
			return 1;
		}
	}
	return dw_params_fail(p, name, "must be true or false");
}

int dw_params_choice(struct dw_params *p, const char *name,
		     const char *const *choices, size_t n, int def, int *out)
{
	const char *v = dw_params_get(p, name);
	char list[200];
	size_t len = 0;

	if (!v) {
		*out = def;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v, choices[i])) {
			*out = (int)i;
			return 1;
		}
	}
	list[0] = 0;
	for (size_t i = 0; i < n && len < sizeof(list); i++) {
		int k = snprintf(list + len, sizeof(list) - len, "%s%s",
				 i ? ", " : "", choices[i]);
		if (k < 0)
			break;
		len += (size_t)k;
	}
	return dw_params_fail(p, name, "must be one of %s", list);
}

int dw_params_entity_type(struct dw_params *p, const char *name,
			  const char **out)
{
	const char *v = dw_params_get(p, name);

	*out = NULL;
	if (!v)
		return 0;
	if (!dw_store_entity_type_valid(v))
		return dw_params_fail(p, name, "must be continent, country, "
				      "region, asn or geoasn");
	*out = v;
	return 1;
}

int dw_params_ident(struct dw_params *p, const char *name, const char **out)
{
	const char *v = dw_params_get(p, name);

	*out = NULL;
	if (!v)
		return 0;
	if (!ident_ok(v))
		return dw_params_fail(p, name, "must be 1 to %d characters of "
				      "A-Z a-z 0-9 . _ -", DW_STORE_NAME_MAX);
	*out = v;
	return 1;
}

int dw_params_text(struct dw_params *p, const char *name, size_t max,
		   const char **out)
{
	const char *v = dw_params_get(p, name);

	*out = NULL;
	if (!v)
		return 0;
	if (!text_ok(v, max))
		return dw_params_fail(p, name, "must be 1 to %zu bytes of UTF-8 "
				      "text without control characters", max);
	*out = v;
	return 1;
}

/* A copy of n bytes of s in the pool, NUL-terminated, or NULL when full. */
static char *pool_copy(struct dw_params *p, const char *s, size_t n)
{
	char *d;
	if (n >= sizeof(p->pool) - p->used)
		return NULL;
	d = p->pool + p->used;
	memcpy(d, s, n);
	d[n] = 0;
	p->used += n + 1;
	return d;
}

int dw_params_split(struct dw_params *p, const char *name, const char *value,
		    int ident, const char **items, size_t max, size_t *n)
{
	const char *s = value;

	*n = 0;
	if (!s || !*s)
		return 0;
	for (;;) {
		const char *c = strchr(s, ',');
		size_t len = c ? (size_t)(c - s) : strlen(s);
		char *item;

		if (*n >= max)
			return dw_params_fail(p, name, "at most %zu values", max);
		if (!len)
			return dw_params_fail(p, name, "empty value in the "
					      "comma-separated list");
		if (len > DW_STORE_CODE_MAX)
			return dw_params_fail(p, name, "a value is longer than "
					      "%d bytes", DW_STORE_CODE_MAX);
		if (!(item = pool_copy(p, s, len)))
			return dw_params_fail(p, name, "too long");
		if (ident ? !ident_ok(item) : !text_ok(item, DW_STORE_CODE_MAX))
			return dw_params_fail(p, name, ident
				? "values must be 1 to 64 characters of "
				  "A-Z a-z 0-9 . _ -"
				: "values must be UTF-8 text without control "
				  "characters");
		items[(*n)++] = item;
		if (!c)
			return 1;
		s = c + 1;
	}
}

int dw_params_list(struct dw_params *p, const char *name, int ident,
		   const char **items, size_t max, size_t *n)
{
	return dw_params_split(p, name, dw_params_get(p, name), ident, items,
			       max, n);
}

int dw_params_related(struct dw_params *p, const char *name,
		      const char **type, const char **code)
{
	const char *v = dw_params_get(p, name);
	const char *sep;
	char *t;

	*type = *code = NULL;
	if (!v)
		return 0;
	sep = strpbrk(v, "/:");
	if (!sep || sep == v || !sep[1])
		return dw_params_fail(p, name, "must be TYPE/CODE, for example "
				      "country/IR");
	if (!(t = pool_copy(p, v, (size_t)(sep - v))) ||
	    !dw_store_entity_type_valid(t))
		return dw_params_fail(p, name, "TYPE must be continent, country, "
				      "region, asn or geoasn");
	if (!text_ok(sep + 1, DW_STORE_CODE_MAX))
		return dw_params_fail(p, name, "CODE must be 1 to %d bytes of "
				      "UTF-8 text", DW_STORE_CODE_MAX);
	*type = t;
	*code = sep + 1;
	return 1;
}
