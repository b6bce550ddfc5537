/*
 * url.c - link, domain, list and hashtag normalisation for the CIB
 * importers (url.h; the rules are listed in docs/CIB.md, Import formats).
 *
 * Key decision: normalise conservatively.  Only what never changes which
 * page a link opens is removed (case of scheme and host, default ports,
 * fragments, trailing slashes, well-known tracking parameters); the path
 * and the other query parameters are kept byte for byte, so two links
 * compare equal only when they surely point at the same thing.  The
 * registrable domain comes from libpsl's built-in public suffix list
 * (psl_builtin()), never from a guess such as "the last two labels".
 */
#include <libpsl.h>
#include <string.h>

#include "cib/url.h"
#include "darkwatch/err.h"

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

static int bad_char(unsigned char c)
{
	return c <= 0x20 || c == 0x7f;
}

/* Query parameters dropped: names, and prefixes ending in '_'/'*'. */
static const char *const tracking[] = {
	"utm_*", "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid",
	"yclid", "igshid", "igsh", "mc_cid", "mc_eid", "_ga", "_gl",
	"ref_src", "ref_url", "mkt_tok", "oly_anon_id", "oly_enc_id",
	"vero_id", "_hsenc", "_hsmi", "hsctatracking",
};

static int is_tracking(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof(tracking) / sizeof(tracking[0]); i++) {
		const char *t = tracking[i];
		size_t tl = strlen(t);
		int prefix = t[tl - 1] == '*';
		if (prefix)
			tl--;
		if (n < tl || (!prefix && n != tl))
			continue;
		size_t k = 0;
		while (k < tl && lower((unsigned char)name[k]) == t[k])
			k++;
		if (k == tl)
			return 1;
	}
	return 0;
}

struct ob {
	char *p;
	size_t n, cap;
	int over;
};

static void put(struct ob *o, const char *s, size_t n)
{
	if (o->over || n >= o->cap - o->n) {
		o->over = 1;
		return;
	}
	memcpy(o->p + o->n, s, n);
	o->n += n;
	o->p[o->n] = '\0';
}

static void put_lower(struct ob *o, const char *s, size_t n)
{
	size_t at = o->n;
	put(o, s, n);
	if (!o->over)
		for (size_t i = 0; i < n; i++)
			o->p[at + i] = (char)lower((unsigned char)o->p[at + i]);
}

static int scheme_ok(const char *s, size_t n)
{
	if (!n || n > 32 || !((s[0] | 32) >= 'a' && (s[0] | 32) <= 'z'))
		return 0;
	for (size_t i = 1; i < n; i++) {
		int c = (unsigned char)s[i];
		if (!((c | 32) >= 'a' && (c | 32) <= 'z') &&
		    !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.')
			return 0;
	}
	return 1;
}

/* Keep the query's parameters that are not tracking ones. */
static void put_query(struct ob *o, const char *q, size_t n)
{
	int first = 1;
	size_t i = 0;

	while (i < n) {
		size_t j = i;
		while (j < n && q[j] != '&')
			j++;
		size_t nl = 0;
		while (i + nl < j && q[i + nl] != '=')
			nl++;
		if (j > i && !is_tracking(q + i, nl)) {
			put(o, first ? "?" : "&", 1);
			put(o, q + i, j - i);
			first = 0;
		}
		i = j + 1;
	}
}

/* Write the scheme and "://"; return where the authority starts, or NULL
 * when in[0..n) does not start like a URL. */
static const char *scheme(const char *in, size_t n, struct ob *o)
{
	const char *end = in + n, *e = in;
	int dot = 0;

	for (size_t i = 0; i + 2 < n && i <= 33; i++)
		if (in[i] == ':' && in[i + 1] == '/' && in[i + 2] == '/') {
			if (!scheme_ok(in, i))
				break;
			put_lower(o, in, i);
			put(o, "://", 3);
			return in + i + 3;
		}
	if (n > 2 && in[0] == '/' && in[1] == '/') {
		put(o, "http://", 7);
		return in + 2;
	}
	/* "www.x.org/a": a host name first, with a dot in it */
	while (e < end && *e != '/' && *e != '?' && *e != '#') {
		if (*e == '.')
			dot = 1;
		if (*e == ':' || *e == '@')
			return NULL;
		e++;
	}
	if (!dot)
		return NULL;
	put(o, "http://", 7);
	return in;
}

/* Host (lower-cased, user info and trailing dots dropped) and a port other
 * than the scheme's default; *a_end is where the path starts. */
static int authority(const char *auth, const char *end, struct ob *o,
		     const char **a_end, size_t *hat, size_t *hostlen)
{
	const char *h = auth, *h_end, *port = NULL, *ae = auth;

	while (ae < end && *ae != '/' && *ae != '?' && *ae != '#')
		ae++;
	for (const char *c = auth; c < ae; c++)
		if (*c == '@')
			h = c + 1;
	if (h < ae && *h == '[') {
		if (!(h_end = memchr(h, ']', (size_t)(ae - h))))
			return DW_EMALFORMED;
		h_end++;
	} else if (!(h_end = memchr(h, ':', (size_t)(ae - h)))) {
		h_end = ae;
	}
	if (h_end < ae && *h_end == ':')
		port = h_end + 1;
	else if (h_end != ae)
		return DW_EMALFORMED;
	size_t hl = (size_t)(h_end - h);
	while (hl && h[hl - 1] == '.')
		hl--;
	if (!hl)
		return DW_EMALFORMED;
	*hat = o->n;
	*hostlen = hl;
	put_lower(o, h, hl);
	if (port) {
		size_t pl = (size_t)(ae - port);
		for (size_t i = 0; i < pl; i++)
			if (port[i] < '0' || port[i] > '9')
				return DW_EMALFORMED;
		while (pl > 1 && port[0] == '0')
			port++, pl--;
		int http = o->n >= 7 + hl && !memcmp(o->p, "http://", 7);
		int https = o->n >= 8 + hl && !memcmp(o->p, "https://", 8);
		int dflt = (http && pl == 2 && !memcmp(port, "80", 2)) ||
			   (https && pl == 3 && !memcmp(port, "443", 3));
		if (pl && !dflt) {
			put(o, ":", 1);
			put(o, port, pl);
		}
	}
	*a_end = ae;
	return 0;
}

int dw_cib_url_norm(const char *in, size_t n, char *out, size_t cap,
		    const char **host, size_t *hostlen)
{
	struct ob o = {out, 0, cap, 0};
	const char *end, *auth, *path, *p_end;
	size_t hat = 0, hl = 0, pl;
	int rc;

	if (!cap)
		return DW_ETOOBIG;
	out[0] = '\0';
	while (n && is_space((unsigned char)in[0]))
		in++, n--;
	while (n && is_space((unsigned char)in[n - 1]))
		n--;
	for (size_t i = 0; i < n; i++)
		if (bad_char((unsigned char)in[i]))
			return DW_EMALFORMED;
	end = in + n;
	if (!(auth = scheme(in, n, &o)))
		return DW_EMALFORMED;
	if ((rc = authority(auth, end, &o, &path, &hat, &hl)) < 0)
		return rc;
	for (p_end = path; p_end < end && *p_end != '?' && *p_end != '#';)
		p_end++;
	pl = (size_t)(p_end - path);
	while (pl && path[pl - 1] == '/')
		pl--;
	put(&o, path, pl);
	if (p_end < end && *p_end == '?') {
		const char *q = p_end + 1, *q_end = q;
		while (q_end < end && *q_end != '#')
			q_end++;
		put_query(&o, q, (size_t)(q_end - q));
	}
	if (o.over)
		return DW_ETOOBIG;
	if (host) {
		*host = out + hat;
		*hostlen = hl;
	}
	return (int)o.n;
}

int dw_cib_domain(const char *host, size_t n, char *out, size_t cap)
{
	char buf[1024];
	const char *h;
	size_t hl;
	int ip = 1;

	while (n && is_space((unsigned char)host[0]))
		host++, n--;
	while (n && is_space((unsigned char)host[n - 1]))
		n--;
	if (memchr(host, '/', n) || memchr(host, ':', n)) {
		int r = dw_cib_url_norm(host, n, buf, sizeof(buf), &h, &hl);
		if (r < 0)
			return r;
	} else {
		h = host;
		hl = n;
		while (hl && h[hl - 1] == '.')
			hl--;
	}
	if (!hl)
		return DW_EMALFORMED;
	if (hl >= cap || hl >= 1024)
		return DW_ETOOBIG;
	for (size_t i = 0; i < hl; i++) {
		unsigned char c = (unsigned char)h[i];
		if (bad_char(c) || c == '@')
			return DW_EMALFORMED;
		out[i] = (char)lower(c);
		if (!((c >= '0' && c <= '9') || c == '.'))
			ip = 0;
	}
	out[hl] = '\0';
	if (ip || out[0] == '[')
		return (int)hl;
	const psl_ctx_t *psl = psl_builtin();
	const char *rd = psl ? psl_registrable_domain(psl, out) : NULL;
	if (rd && rd != out) {
		size_t rl = strlen(rd);
		memmove(out, rd, rl + 1);
		return (int)rl;
	}
	return (int)hl;
}

int dw_cib_list_next(const char **p, const char *end, const char **item,
		     size_t *len)
{
	const char *s = *p;

	for (;;) {
		while (s < end && (is_space((unsigned char)*s) || *s == ',' ||
				   *s == ';' || *s == '[' || *s == ']'))
			s++;
		if (s >= end) {
			*p = s;
			return 0;
		}
		if (*s == '\'' || *s == '"') {
			char qc = *s++;
			const char *b = s;
			while (s < end && *s != qc) {
				if (*s == '\\' && s + 1 < end)
					s++;
				s++;
			}
			*item = b;
			*len = (size_t)(s - b);
			if (s < end)
				s++;
		} else {
			const char *b = s;
			while (s < end && !is_space((unsigned char)*s) &&
			       *s != ',' && *s != ';' && *s != ']')
				s++;
			*item = b;
			*len = (size_t)(s - b);
		}
		*p = s;
		if (*len)
			return 1;
	}
}

int dw_cib_hashtag_norm(const char *in, size_t n, char *out, size_t cap)
{
	while (n && is_space((unsigned char)in[0]))
		in++, n--;
	while (n && is_space((unsigned char)in[n - 1]))
		n--;
	while (n && (in[0] == '#' || (unsigned char)in[0] == 0xef))
		if (in[0] == '#') {
			in++, n--;
		} else if (n >= 3 && (unsigned char)in[1] == 0xbc &&
			   (unsigned char)in[2] == 0x83) {
			in += 3, n -= 3; /* U+FF03 FULLWIDTH NUMBER SIGN */
		} else {
			break;
		}
	if (!n)
		return DW_EMALFORMED;
	if (n >= cap)
		return DW_ETOOBIG;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (bad_char(c))
			return DW_EMALFORMED;
		out[i] = (char)lower(c);
	}
	out[n] = '\0';
	return (int)n;
}
