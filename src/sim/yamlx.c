/*
 * yamlx.c - strict typed access to a libyaml document (see sim/yamlx.h).
 *
 * Part of the simulator's first stage (scenario parsing).  Numbers are parsed
 * with strtoul/strtod and must use the whole scalar: "12abc", "", " 5" and
 * "-1" for an unsigned field are errors, never 12, 0 or a huge value.
 */
#include "sim/yamlx.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darkwatch/err.h"
#include "darkwatch/timefmt.h"

int dw_yx_fail(struct dw_yx *x, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (x->errlen) {
		if (n)
			snprintf(x->err, x->errlen, "%s:%lu: %s", x->path,
				 (unsigned long)n->start_mark.line + 1, msg);
		else
			snprintf(x->err, x->errlen, "%s: %s", x->path, msg);
	}
	return DW_EINVAL;
}

yaml_node_t *dw_yx_node(struct dw_yx *x, int id)
{
	return yaml_document_get_node(x->doc, id);
}

static const char *kind_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "empty";
	}
}

int dw_yx_str(struct dw_yx *x, const yaml_node_t *n, const char **s)
{
	if (n->type != YAML_SCALAR_NODE)
		return dw_yx_fail(x, n, "expected a scalar, found %s",
				  kind_name(n));
	*s = (const char *)n->data.scalar.value;
	if (strlen(*s) != n->data.scalar.length)
		return dw_yx_fail(x, n, "NUL byte in a scalar");
	return 0;
}

int dw_yx_map(struct dw_yx *x, const yaml_node_t *n, const char *what,
	      const char *const *allowed)
{
	yaml_node_pair_t *a, *b;
	const char *k = "", *k2 = "";
	int rc;

	if (n->type != YAML_MAPPING_NODE)
		return dw_yx_fail(x, n, "%s: expected a mapping, found %s",
				  what, kind_name(n));
	for (a = n->data.mapping.pairs.start; a < n->data.mapping.pairs.top;
	     a++) {
		yaml_node_t *kn = dw_yx_node(x, a->key);
		size_t i;
		if ((rc = dw_yx_str(x, kn, &k)))
			return rc;
		for (i = 0; allowed[i]; i++)
			if (!strcmp(allowed[i], k))
				break;
		if (!allowed[i])
			return dw_yx_fail(x, kn, "%s: unknown key '%s'", what,
					  k);
		for (b = n->data.mapping.pairs.start; b < a; b++) {
			yaml_node_t *kn2 = dw_yx_node(x, b->key);
			if (!dw_yx_str(x, kn2, &k2) && !strcmp(k, k2))
				return dw_yx_fail(x, kn, "%s: key '%s' twice",
						  what, k);
		}
	}
	return 0;
}

int dw_yx_need(struct dw_yx *x, const yaml_node_t *map, const char *what,
	       const char *key, yaml_node_t **out)
{
	*out = dw_yx_get(x, map, key);
	if (!*out)
		return dw_yx_fail(x, map, "%s: '%s' is required", what, key);
	return 0;
}

yaml_node_t *dw_yx_get(struct dw_yx *x, const yaml_node_t *n, const char *key)
{
	yaml_node_pair_t *a;

	if (n->type != YAML_MAPPING_NODE)
		return NULL;
	for (a = n->data.mapping.pairs.start; a < n->data.mapping.pairs.top;
	     a++) {
		yaml_node_t *kn = dw_yx_node(x, a->key);
		if (kn->type == YAML_SCALAR_NODE &&
		    !strcmp((const char *)kn->data.scalar.value, key))
			return dw_yx_node(x, a->value);
	}
	return NULL;
}

int dw_yx_seq(struct dw_yx *x, const yaml_node_t *n, const char *what,
	      size_t *len)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return dw_yx_fail(x, n, "%s: expected a list, found %s", what,
				  kind_name(n));
	*len = (size_t)(n->data.sequence.items.top -
			n->data.sequence.items.start);
	return 0;
}

yaml_node_t *dw_yx_item(struct dw_yx *x, const yaml_node_t *n, size_t i)
{
	return dw_yx_node(x, n->data.sequence.items.start[i]);
}

int dw_yx_strdup(struct dw_yx *x, const yaml_node_t *n, char **out)
{
	const char *s = "";
	int rc;

	if ((rc = dw_yx_str(x, n, &s)))
		return rc;
	*out = strdup(s);
	return *out ? 0 : DW_ENOMEM;
}

int dw_yx_u64(struct dw_yx *x, const yaml_node_t *n, uint64_t *out)
{
	const char *s = "";
	char *end;
	unsigned long long v;
	int rc;

	if ((rc = dw_yx_str(x, n, &s)))
		return rc;
	if (*s < '0' || *s > '9')
		return dw_yx_fail(x, n, "'%s' is not a non-negative integer",
				  s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return dw_yx_fail(x, n, "'%s' is not a non-negative integer",
				  s);
	*out = v;
	return 0;
}

int dw_yx_u32(struct dw_yx *x, const yaml_node_t *n, uint32_t *out)
{
	uint64_t v;
	int rc;

	if ((rc = dw_yx_u64(x, n, &v)))
		return rc;
	if (v > UINT32_MAX)
		return dw_yx_fail(x, n, "%llu does not fit 32 bits",
				  (unsigned long long)v);
	*out = (uint32_t)v;
	return 0;
}

int dw_yx_double(struct dw_yx *x, const yaml_node_t *n, double *out)
{
	const char *s = "";
	char *end;
	double v;
	int rc;

	if ((rc = dw_yx_str(x, n, &s)))
		return rc;
	errno = 0;
	v = strtod(s, &end);
	if (!*s || errno || *end || !isfinite(v))
		return dw_yx_fail(x, n, "'%s' is not a number", s);
	*out = v;
	return 0;
}

int dw_yx_time(struct dw_yx *x, const yaml_node_t *n, int64_t *out)
{
	const char *s = "";
	int rc;

	if ((rc = dw_yx_str(x, n, &s)))
		return rc;
	if (dw_time_parse(s, out) < 0)
		return dw_yx_fail(x, n,
				  "'%s' is not a UTC time (2019-11-16T14:00Z "
				  "or epoch seconds)",
				  s);
	return 0;
}

int dw_yx_duration(struct dw_yx *x, const yaml_node_t *n, uint32_t *out)
{
	const char *s = "";
	char *end;
	unsigned long long v, mul = 1;
	int rc;

	if ((rc = dw_yx_str(x, n, &s)))
		return rc;
	if (*s < '0' || *s > '9')
		goto bad;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		goto bad;
	if (*end) {
		if (end[1])
			goto bad;
		switch (*end) {
		case 's': mul = 1; break;
		case 'm': mul = 60; break;
		case 'h': mul = 3600; break;
		case 'd': mul = 86400; break;
		default: goto bad;
		}
	}
	if (v > UINT32_MAX / mul)
		goto bad;
	*out = (uint32_t)(v * mul);
	return 0;
bad:
	return dw_yx_fail(x, n,
			  "'%s' is not a duration (seconds, or 90s, 5m, 2h, "
			  "1d)",
			  s);
}

int dw_yx_addr4(struct dw_yx *x, const yaml_node_t *n, struct dw_addr *out)
{
	const char *s = "";
	int rc;

	if ((rc = dw_yx_str(x, n, &s)))
		return rc;
	if (dw_addr_parse(s, out) < 0 || out->af != DW_AF_INET)
		return dw_yx_fail(x, n, "'%s' is not an IPv4 address", s);
	return 0;
}
