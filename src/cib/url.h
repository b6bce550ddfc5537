/*
 * url.h - how the importers turn the links, domains and lists found in
 * activity exports into the keys of the url, domain and hashtag traces.
 *
 * Two accounts only "share the same URL" if their links compare equal, and
 * exports write the same link many ways (upper-case hosts, default ports,
 * tracking parameters, fragments, trailing slashes).  These functions are
 * the one place that decides what counts as the same link, domain or list
 * item; docs/CIB.md (Import formats) lists every rule.  Pure functions: no
 * allocation, no I/O.
 */
#ifndef DW_CIB_URL_H
#define DW_CIB_URL_H

#include <stddef.h>

/*
 * Normalise the URL in[0..n) into out (cap bytes, NUL-terminated): scheme
 * and host lower-cased, user info, fragment, default port (80 for http,
 * 443 for https), tracking parameters (utm_* and the others of docs/CIB.md)
 * and trailing slashes of the path dropped; a link without a scheme that
 * starts with a host name ("www.x.org/a") gets "http://".  On success
 * returns the length written and sets *host / *hostlen to the host inside
 * out.  Returns DW_EMALFORMED for something that is not a URL (spaces,
 * control characters, no host) and DW_ETOOBIG when out is too small.
 */
int dw_cib_url_norm(const char *in, size_t n, char *out, size_t cap,
		    const char **host, size_t *hostlen);

/*
 * The registrable domain (public suffix + 1 label, by libpsl's built-in
 * list) of host[0..n) into out (NUL-terminated): "news.bbc.co.uk" gives
 * "bbc.co.uk".  The host is lower-cased and a trailing dot, a port and a
 * path are dropped first; a URL ("https://...") is reduced to its host.  An
 * IP address, or a host that is itself a public suffix, is returned as is.
 * Returns the length, DW_EMALFORMED (empty, spaces, control characters) or
 * DW_ETOOBIG.
 */
int dw_cib_domain(const char *host, size_t n, char *out, size_t cap);

/*
 * The next item of a list field: items separated by white space, commas
 * or semicolons, optionally in brackets and quoted ('a' or "a"), so
 * "a b", "a, b", "[a, b]", "['a', 'b']" and the JSON list of "a" and "b"
 * all give a and b.  The cursor p advances over the item; returns 1 with
 * the item and its length (a view into the input), or 0 at the end.
 */
int dw_cib_list_next(const char **p, const char *end, const char **item,
		     size_t *len);

/*
 * A hashtag item as its key: leading '#' dropped, ASCII letters
 * lower-cased (other characters kept as they are).  Returns the length
 * written to out (NUL-terminated), DW_EMALFORMED when nothing is left or
 * the text has spaces or control characters, DW_ETOOBIG.
 */
int dw_cib_hashtag_norm(const char *in, size_t n, char *out, size_t cap);

#endif
