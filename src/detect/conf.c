/*
 * conf.c - per-datasource detector parameters: built-in rows and a file.
 *
 * The file format (docs/DETECT.md, etc/detect.conf) is INI-like so that it
 * parses in a page of C without a new dependency:
 *
 *     # comment
 *     [bgp]                      a datasource name, * for the rest, or
 *     [*-loss]                   *SUFFIX: every datasource ending so
 *     median.warn = 0.99         # a comment may follow a value
 *     median.window = 24h        durations: seconds or 90s, 5m, 2h, 1d
 *     seasonal.warn_drop = 0.03
 *
 * A section starts from the built-in row of its datasource (or the row
 * it would get without the section: a "*SUFFIX" row, else "*") and
 * overrides only the keys it names, so a file states only what it
 * changes.  Unknown sections are new datasources; unknown keys and bad
 * values are errors with FILE:LINE, never silently ignored.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darkwatch/detect.h"
#include "darkwatch/err.h"

#define MAX_ROWS 64
#define NAME_MAX_LEN 64

struct row {
	char name[NAME_MAX_LEN + 1];
	struct dw_detect_params p;
};

struct dw_detect_conf {
	size_t n;
	struct row rows[MAX_ROWS];
};

/* IODA's windows and fractions per signal (DOMAIN.md §3); ours beside. */
static void builtin(struct dw_detect_conf *c)
{
	const struct dw_detect_params bgp = DW_DETECT_PARAMS_DEFAULT;
	struct dw_detect_params probe = bgp, tele = bgp, other, quiet, gtr, dark;

	probe.med_window = 7 * 86400;
	probe.med_warn = 0.8;
	probe.med_crit = 0.5;
	probe.warn_drop = 0.15;
	probe.crit_drop = 0.5;
	probe.shift_accept = 12 * 3600;
	probe.weekly = 1;
	probe.count_z = 2;
	tele = probe;
	tele.count_z = 4;
	tele.med_warn = 0.25;
	tele.med_crit = 0.1;
	tele.warn_drop = 0.25;
	tele.crit_drop = 0.75;
	/* darkwatch's telescope: count_z states its Poisson noise, so the
	 * residual scale need not be trusted as far out */
	dark = tele;
	dark.k_warn = 3;
	dark.k_crit = 6;
	other = probe;
	other.count_z = 0;
	gtr = other;
	gtr.learn_drop = 0.5; /* traffic: weekends dip up to 40 % */
	/* loss and latency rise in an outage; a drop is a recovery */
	quiet = probe;
	quiet.direction = DW_DIRECTION_NONE;

	c->n = 0;
	const struct {
		const char *name;
		const struct dw_detect_params *p;
	} t[] = {{"bgp", &bgp},		  {"ping-slash24", &probe},
		 {"merit-nt", &tele},	  {"ucsd-nt", &tele},
		 {"telescope", &dark},	  {"gtr", &gtr},
		 {"*-loss", &quiet},	  {"*-latency", &quiet},
		 {"*", &other}};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(c->rows[c->n].name, sizeof(c->rows[0].name), "%s", t[i].name);
		c->rows[c->n++].p = *t[i].p;
	}
}

static struct row *find(const struct dw_detect_conf *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->rows[i].name, name))
			return (struct row *)&c->rows[i];
	return NULL;
}

void dw_detect_conf_get(const struct dw_detect_conf *c, const char *ds,
			struct dw_detect_params *p)
{
	const struct row *r = find(c, ds);
	size_t n = strlen(ds), best = 0;

	for (size_t i = 0; i < c->n && !(r && !best); i++) {
		const char *suf = c->rows[i].name + 1; /* "*SUFFIX" rows */
		size_t k = strlen(suf);
		if (c->rows[i].name[0] == '*' && k > best && k <= n &&
		    !strcmp(ds + n - k, suf)) {
			best = k; /* the longest suffix wins */
			r = &c->rows[i];
		}
	}
	if (!r)
		r = find(c, "*");
	*p = r->p;
}

static char *trim(char *s)
{
	char *e;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
			 e[-1] == '\r'))
		*--e = 0;
	return s;
}

static int parse_num(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

static int parse_dur(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	long long mul = 1;
	if (end == s || errno || v < 0)
		return -1;
	if (*end == 's')
		end++;
	else if (*end == 'm')
		mul = 60, end++;
	else if (*end == 'h')
		mul = 3600, end++;
	else if (*end == 'd')
		mul = 86400, end++;
	if (*end || v > 366LL * 86400 / mul)
		return -1;
	*out = v * mul;
	return 0;
}

enum kind { FRAC, POS, NONNEG, DUR, DAYS, BOOL, DIR };

static const struct key {
	const char *name;
	enum kind kind;
	size_t off;
} keys[] = {
#define K(n, k, f) {n, k, offsetof(struct dw_detect_params, f)}
	K("median.window", DUR, med_window),
	K("median.warn", FRAC, med_warn),
	K("median.crit", FRAC, med_crit),
	K("median.inpaint_low", FRAC, med_low),
	K("median.inpaint_high", POS, med_high),
	K("median.inpaint_max", DUR, med_inpaint_max),
	K("median.warmup", DUR, med_warmup),
	K("seasonal.warn_drop", FRAC, warn_drop),
	K("seasonal.crit_drop", FRAC, crit_drop),
	K("seasonal.k_warn", POS, k_warn),
	K("seasonal.k_crit", POS, k_crit),
	K("seasonal.shift_max_drop", FRAC, shift_max_drop),
	K("seasonal.shift_accept", DUR, shift_accept),
	K("seasonal.hold_max", DUR, hold_max),
	K("seasonal.spike_ratio", POS, spike_ratio),
	K("seasonal.spike_max", DUR, spike_max),
	K("seasonal.level_window", DUR, level_window),
	K("seasonal.min_days", DAYS, min_days),
	K("seasonal.weekly", BOOL, weekly),
	K("seasonal.learn_drop", FRAC, learn_drop),
	K("seasonal.count_z", NONNEG, count_z),
	K("direction", DIR, direction),
#undef K
};

/* Set key = val in p; NULL or a reason. */
static const char *set_key(struct dw_detect_params *p, const char *key,
			   const char *val)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(keys[i].name, key))
			continue;
		char *f = (char *)p + keys[i].off;
		double d;
		int64_t n;
		switch (keys[i].kind) {
		case FRAC:
			if (parse_num(val, &d) || d < 0 || d > 1)
				return "wants a fraction between 0 and 1";
			memcpy(f, &d, sizeof(d));
			return NULL;
		case POS:
			if (parse_num(val, &d) || d <= 0 || d > 1e6)
				return "wants a positive number";
			memcpy(f, &d, sizeof(d));
			return NULL;
		case NONNEG:
			if (parse_num(val, &d) || d < 0 || d > 1e6)
				return "wants a number >= 0";
			memcpy(f, &d, sizeof(d));
			return NULL;
		case DUR:
			if (parse_dur(val, &n) || n < 1)
				return "wants a duration (seconds, or 90s, 5m, 2h, 1d; 1s..366d)";
			memcpy(f, &n, sizeof(n));
			return NULL;
		case BOOL:
			if (strcmp(val, "0") && strcmp(val, "1"))
				return "wants 0 or 1";
			n = *val == '1';
			memcpy(f, &n, sizeof(n));
			return NULL;
		case DIR:
			if (!strcmp(val, "down"))
				n = DW_DIRECTION_DOWN;
			else if (!strcmp(val, "none"))
				n = DW_DIRECTION_NONE;
			else
				return "wants down or none";
			memcpy(f, &n, sizeof(n));
			return NULL;
		case DAYS:
			if (parse_dur(val, &n) || n > 28)
				return "wants a whole number of days, 0..28";
			memcpy(f, &n, sizeof(n));
			return NULL;
		}
	}
	return "unknown key (docs/DETECT.md lists them)";
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 1 && *s == '*')
		return 1;
	if (n > 1 && *s == '*') /* *SUFFIX */
		s++, n--;
	if (n < 1 || n > NAME_MAX_LEN)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		      *s == '-'))
			return 0;
	return 1;
}

static int read_file(struct dw_detect_conf *c, const char *path, char *msg,
		     size_t msglen)
{
	char line[1024];
	struct row *cur = NULL;
	unsigned lineno = 0;
	int rc = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		rc = -errno;
		snprintf(msg, msglen, "%s: %s", path, strerror(errno));
		return rc;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s, *eq, *hash = strchr(line, '#');
		if (hash && hash != line)
			*hash = 0; /* a comment after a value */
		s = trim(line);
		lineno++;
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *e = strchr(s, ']');
			if (!e || e[1]) {
				snprintf(msg, msglen, "%s:%u: a section is [NAME]", path, lineno);
				rc = DW_EFORMAT;
				goto out;
			}
			*e = 0;
			s = trim(s + 1);
			if (!valid_name(s)) {
				snprintf(msg, msglen, "%s:%u: '%s' is not a datasource name", path, lineno, s);
				rc = DW_EINVAL;
				goto out;
			}
			if (!(cur = find(c, s))) {
				if (c->n == MAX_ROWS) {
					snprintf(msg, msglen, "%s:%u: more than %d sections", path, lineno, MAX_ROWS);
					rc = DW_EINVAL;
					goto out;
				}
				cur = &c->rows[c->n];
				/* from what it would get without this section */
				dw_detect_conf_get(c, s, &cur->p);
				c->n++;
				snprintf(cur->name, sizeof(cur->name), "%s", s);
			}
			continue;
		}
		if (!(eq = strchr(s, '=')) || !cur) {
			snprintf(msg, msglen, "%s:%u: %s", path, lineno,
				 cur ? "expected KEY = VALUE" : "a KEY = VALUE before any [section]");
			rc = DW_EFORMAT;
			goto out;
		}
		*eq = 0;
		const char *why = set_key(&cur->p, trim(s), trim(eq + 1));
		if (why) {
			snprintf(msg, msglen, "%s:%u: %s: %s", path, lineno, trim(s), why);
			rc = DW_EINVAL;
			goto out;
		}
	}
	for (size_t i = 0; i < c->n; i++)
		if (c->rows[i].p.med_crit > c->rows[i].p.med_warn ||
		    c->rows[i].p.crit_drop < c->rows[i].p.warn_drop) {
			snprintf(msg, msglen, "%s: [%s]: critical must be stricter "
				 "than warning", path, c->rows[i].name);
			rc = DW_EINVAL;
			goto out;
		}
	if (ferror(f)) {
		snprintf(msg, msglen, "%s: read error", path);
		rc = DW_EIO;
	}
out:
	fclose(f);
	return rc;
}

int dw_detect_conf_new(const char *path, struct dw_detect_conf **out,
		       char *msg, size_t msglen)
{
	char dummy[8];
	struct dw_detect_conf *c = calloc(1, sizeof(*c));
	int rc = 0;

	*out = NULL;
	if (!msg) {
		msg = dummy;
		msglen = sizeof(dummy);
	}
	if (msglen)
		*msg = 0;
	if (!c)
		return DW_ENOMEM;
	builtin(c);
	if (path && (rc = read_file(c, path, msg, msglen)) < 0) {
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void dw_detect_conf_free(struct dw_detect_conf *c)
{
	free(c);
}
