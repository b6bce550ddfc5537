/*
 * indicators.c - load known-operation indicator lists and mark the
 * networks of a detection run that touch them (indicators.h).
 *
 * Key decisions:
 *  - Only what can be matched exactly is kept: domains (compared as
 *    registrable domains, so a link to news.example.com matches the
 *    indicator example.com), links (a link to a site's front page by its
 *    registrable domain, a link to one page by that page: a petition on
 *    change.org must not mark every network that shares a petition) and
 *    account handles (a link to a profile on a social platform, or
 *    "@name", compared case-insensitively with account names).  Links to
 *    the platforms themselves never become domain indicators: that would
 *    mark every network that shares a tweet.  Prose, counts ("67
 *    accounts") and company names are skipped.
 *  - Matching reads the members' URL and domain actions in one scan per
 *    trace (the engine's source), not one query per member.
 */
#include <csv.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cib/indicators.h"
#include "cib/url.h"
#include "darkwatch/cib_store.h"
#include "darkwatch/err.h"

struct ind {
	int kind;
	char *text; /* the indicator as written, defanged */
	char *key;  /* registrable domain or lower-case handle */
	size_t src; /* index into sources */
};

struct dw_cib_indicators {
	struct ind *v;
	size_t n, cap;
	char **sources;
	size_t nsrc;
};

static const char *const kind_names[] = {"domain", "url", "handle", "email"};

/* Social platforms: links there name an account, not an operation's site. */
static const char *const platforms[] = {
	"twitter.com", "x.com", "facebook.com", "fb.com", "instagram.com",
	"t.me", "telegram.me", "youtube.com", "youtu.be", "tiktok.com",
	"vk.com", "ok.ru", "linkedin.com", "reddit.com", "medium.com",
	"pinterest.com", "threads.net", "snapchat.com", "twitch.tv",
	"soundcloud.com", "substack.com", "blogspot.com", "wordpress.com",
	"livejournal.com", "patreon.com", "rumble.com", "gab.com",
	"truthsocial.com", "weibo.com", "google.com", "gmail.com",
	"yahoo.com", "outlook.com", "hotmail.com", "proton.me",
	"protonmail.com", "mail.ru", "yandex.ru", "titan.email", "github.com",
};

static int is_platform(const char *d)
{
	for (size_t i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++)
		if (!strcmp(d, platforms[i]))
			return 1;
	return 0;
}

int dw_cib_ind_new(struct dw_cib_indicators **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : DW_ENOMEM;
}

void dw_cib_ind_free(struct dw_cib_indicators *ind)
{
	if (!ind)
		return;
	for (size_t i = 0; i < ind->n; i++) {
		free(ind->v[i].text);
		free(ind->v[i].key);
	}
	for (size_t i = 0; i < ind->nsrc; i++)
		free(ind->sources[i]);
	free(ind->sources);
	free(ind->v);
	free(ind);
}

size_t dw_cib_ind_count(const struct dw_cib_indicators *ind)
{
	return ind->n;
}

/* Defang in[0..n) into out: [.] (.) {.} -> '.', [at] [@] (at) -> '@',
 * hxxp -> http, [:] -> ':'. */
static size_t defang(const char *in, size_t n, char *out, size_t cap)
{
	static const struct { const char *from, *to; } m[] = {
		{"[.]", "."}, {"(.)", "."}, {"{.}", "."}, {"[dot]", "."},
		{"[at]", "@"}, {"[@]", "@"}, {"(at)", "@"}, {"[:]", ":"},
		{"hxxp", "http"}, {"[/]", "/"}};
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < cap;) {
		size_t k;
		for (k = 0; k < sizeof(m) / sizeof(m[0]); k++) {
			size_t fl = strlen(m[k].from);
			if (fl <= n - i && !strncasecmp(in + i, m[k].from, fl)) {
				size_t tl = strlen(m[k].to);
				memcpy(out + o, m[k].to, tl);
				o += tl;
				i += fl;
				break;
			}
		}
		if (k == sizeof(m) / sizeof(m[0]))
			out[o++] = in[i++];
	}
	out[o] = '\0';
	return o;
}

static int handle_key(const char *h, size_t n, char *key, size_t cap)
{
	while (n && (*h == '@' || *h == '/'))
		h++, n--;
	if (!n || n >= cap)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)h[i];
		if (c <= 0x20 || c == '/' || c == '?' || c == '#')
			return 0;
		key[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	key[n] = '\0';
	return 1;
}

/* A profile link on a platform: the handle from its path. */
static int profile_handle(const char *url, char *key, size_t cap)
{
	static const char *const skip[] = {"channel", "c", "user", "u",
					   "groups", "pages", "people", "in"};
	const char *p = strstr(url, "://");
	const char *seg, *e;

	if (!p || !(p = strchr(p + 3, '/')))
		return 0;
	seg = p + 1;
	for (int round = 0; round < 2; round++) {
		e = seg;
		while (*e && *e != '/' && *e != '?' && *e != '#')
			e++;
		size_t sl = (size_t)(e - seg);
		int again = 0;
		for (size_t i = 0; round == 0 && i < sizeof(skip) / sizeof(skip[0]);
		     i++)
			if (strlen(skip[i]) == sl && !strncmp(seg, skip[i], sl))
				again = 1;
		if (again && *e == '/') {
			seg = e + 1;
			continue;
		}
		static const char *const notname[] = {
			"profile.php", "watch", "share", "pin", "p", "status",
			"hashtag", "search", "explore", "reel", "reels", "video",
			"videos", "story.php", "permalink.php", "photo.php",
			"events", "home", "intent", "i", "s", "r", "shorts",
			"playlist", "embed", "login", "posts", "comments"};
		if (!sl)
			return 0;
		for (size_t i = 0; i < sizeof(notname) / sizeof(notname[0]); i++)
			if (strlen(notname[i]) == sl && !strncmp(seg, notname[i], sl))
				return 0;
		return handle_key(seg, sl, key, cap);
	}
	return 0;
}

/* A normalised URL as a link key: without scheme and a leading "www.". */
static int url_key(const char *norm, char *key, size_t cap)
{
	const char *p = strstr(norm, "://");
	p = p ? p + 3 : norm;
	if (!strncmp(p, "www.", 4))
		p += 4;
	size_t n = strlen(p);
	if (n >= cap)
		return 0;
	memcpy(key, p, n + 1);
	return 1;
}

int dw_cib_ind_classify(const char *text, size_t n, int *kind, char *key,
			size_t cap)
{
	char buf[2048], norm[2048];
	const char *h;
	size_t hl, bl;
	int r;

	while (n && (*text == ' ' || *text == '\t' || *text == '"'))
		text++, n--;
	while (n && (text[n - 1] == ' ' || text[n - 1] == '\t' ||
		     text[n - 1] == '"' || text[n - 1] == '.'))
		n--;
	if (!n || n >= sizeof(buf) || memchr(text, ' ', n) ||
	    memchr(text, '\t', n))
		return 0;
	bl = defang(text, n, buf, sizeof(buf));
	if (strstr(buf, "://")) {
		r = dw_cib_url_norm(buf, bl, norm, sizeof(norm), &h, &hl);
		if (r < 0)
			return 0;
		if (dw_cib_domain(h, hl, key, cap) <= 0)
			return 0;
		if (is_platform(key)) {
			*kind = DW_IND_HANDLE;
			return profile_handle(norm, key, cap);
		}
		*kind = DW_IND_URL;
		/* a link to one page (a petition on change.org) names that
		 * page, not the whole site: matched as a link */
		if (h + hl < norm + r)
			return url_key(norm, key, cap);
		return 1;
	}
	if (buf[0] == '@') {
		*kind = DW_IND_HANDLE;
		return handle_key(buf, bl, key, cap);
	}
	const char *at = strchr(buf, '@');
	if (at) {
		if (dw_cib_domain(at + 1, strlen(at + 1), key, cap) <= 0 ||
		    !strchr(key, '.') || is_platform(key))
			return 0;
		*kind = DW_IND_EMAIL;
		return 1;
	}
	if (!strchr(buf, '.'))
		return 0;
	for (size_t i = 0; i < bl; i++) {
		unsigned char c = (unsigned char)buf[i];
		int ok = c >= 0x80 || ((c | 32) >= 'a' && (c | 32) <= 'z') ||
			 (c >= '0' && c <= '9') || c == '.' || c == '-' ||
			 c == '/';
		if (!ok)
			return 0;
	}
	if (dw_cib_domain(buf, bl, key, cap) <= 0 || !strchr(key, '.') ||
	    is_platform(key))
		return 0;
	/* a public suffix alone ("co.uk") is no indicator */
	if (!strcmp(key, buf) && strchr(key, '.') == strrchr(key, '.') &&
	    strlen(key) < 4)
		return 0;
	*kind = DW_IND_DOMAIN;
	return 1;
}

static int add(struct dw_cib_indicators *ind, int kind, const char *text,
	       size_t tn, const char *key, size_t src)
{
	for (size_t i = 0; i < ind->n; i++)
		if (ind->v[i].src == src && ind->v[i].kind == kind &&
		    !strcmp(ind->v[i].key, key))
			return 0;
	if (ind->n == ind->cap) {
		size_t nc = ind->cap ? ind->cap * 2 : 64;
		struct ind *nv = realloc(ind->v, nc * sizeof(*nv));
		if (!nv)
			return DW_ENOMEM;
		ind->v = nv;
		ind->cap = nc;
	}
	struct ind *d = &ind->v[ind->n];
	d->kind = kind;
	d->src = src;
	d->text = strndup(text, tn);
	d->key = strdup(key);
	if (!d->text || !d->key) {
		free(d->text);
		free(d->key);
		return DW_ENOMEM;
	}
	ind->n++;
	return 1;
}

/* The pieces of a cell: split on line breaks, commas and semicolons; a
 * piece with spaces is prose unless its first word is defanged. */
static int add_cell(struct dw_cib_indicators *ind, const char *c, size_t n,
		    size_t src)
{
	char key[1024], txt[2048];
	size_t i = 0;
	int added = 0;

	while (i < n) {
		size_t j = i;
		while (j < n && c[j] != '\n' && c[j] != '\r' && c[j] != ',' &&
		       c[j] != ';')
			j++;
		const char *p = c + i;
		size_t pl = j - i;
		while (pl && (*p == ' ' || *p == '\t'))
			p++, pl--;
		while (pl && (p[pl - 1] == ' ' || p[pl - 1] == '\t'))
			pl--;
		const char *sp = memchr(p, ' ', pl);
		if (sp) {
			size_t wl = (size_t)(sp - p);
			int marked = memmem(p, wl, "[.]", 3) || memmem(p, wl, "://", 3) ||
				     memmem(p, wl, "[at]", 4);
			pl = marked ? wl : 0;
		}
		int kind;
		if (pl && pl < sizeof(txt) &&
		    dw_cib_ind_classify(p, pl, &kind, key, sizeof(key))) {
			size_t tl = defang(p, pl, txt, sizeof(txt));
			int rc = add(ind, kind, txt, tl, key, src);
			if (rc < 0)
				return rc;
			added += rc;
		}
		i = j + 1;
	}
	return added;
}

struct ld {
	struct dw_cib_indicators *ind;
	size_t src, col, icol;
	int header, found, err, added;
};

static void ld_field(void *s, size_t n, void *ctx)
{
	struct ld *l = ctx;
	const char *f = s ? s : "";
	size_t col = l->col++;

	if (l->err)
		return;
	if (l->header) {
		while (n && (f[n - 1] == ' ' || f[n - 1] == '\t'))
			n--;
		while (n && (*f == ' ' || *f == '\xef' || *f == '\xbb' ||
			     *f == '\xbf'))
			f++, n--;
		if ((n == 9 && !strncasecmp(f, "indicator", 9)) ||
		    (n == 15 && !strncasecmp(f, "indicator_value", 15))) {
			if (!l->found)
				l->icol = col;
			l->found = 1;
		}
		return;
	}
	if (l->found && col == l->icol) {
		int rc = add_cell(l->ind, f, s ? n : 0, l->src);
		if (rc < 0)
			l->err = rc;
		else
			l->added += rc;
	}
}

static void ld_record(int term, void *ctx)
{
	struct ld *l = ctx;
	(void)term;
	l->header = 0;
	l->col = 0;
}

int dw_cib_ind_load_mem(struct dw_cib_indicators *ind, const char *source,
			const char *buf, size_t n)
{
	struct csv_parser cp;
	struct ld l = {ind, 0, 0, 0, 1, 0, 0, 0};
	char **ns = realloc(ind->sources, (ind->nsrc + 1) * sizeof(*ns));
	const char *base = strrchr(source, '/');

	if (!ns)
		return DW_ENOMEM;
	ind->sources = ns;
	if (!(ns[ind->nsrc] = strdup(base ? base + 1 : source)))
		return DW_ENOMEM;
	l.src = ind->nsrc++;
	if (csv_init(&cp, CSV_APPEND_NULL) != 0)
		return DW_ENOMEM;
	csv_parse(&cp, buf, n, ld_field, ld_record, &l);
	csv_fini(&cp, ld_field, ld_record, &l);
	csv_free(&cp);
	if (l.err)
		return l.err;
	return l.found ? l.added : DW_EFORMAT;
}

static int load_file(struct dw_cib_indicators *ind, const char *path,
		     char *msg, size_t msglen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long sz;
	int rc;

	if (!f) {
		rc = -errno;
		snprintf(msg, msglen, "%s: %s", path, strerror(errno));
		return rc;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 ||
	    sz > (64L << 20) || fseek(f, 0, SEEK_SET) != 0) {
		snprintf(msg, msglen, "%s: unreadable or over 64 MiB", path);
		fclose(f);
		return DW_ETOOBIG;
	}
	if (!(buf = malloc((size_t)sz + 1)) ||
	    fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
		rc = buf ? DW_EIO : DW_ENOMEM;
		snprintf(msg, msglen, "%s: cannot read", path);
		goto out;
	}
	rc = dw_cib_ind_load_mem(ind, path, buf, (size_t)sz);
	if (rc == DW_EFORMAT)
		snprintf(msg, msglen, "%s: no 'Indicator' or 'indicator_value' "
			 "column", path);
out:
	free(buf);
	fclose(f);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int dw_cib_ind_load(struct dw_cib_indicators *ind, const char *path,
		    char *msg, size_t msglen)
{
	struct stat sb;
	struct dirent *de;
	char **names = NULL;
	size_t nn = 0;
	DIR *d;
	int rc, total = 0;

	if (stat(path, &sb) != 0) {
		rc = -errno;
		snprintf(msg, msglen, "%s: %s", path, strerror(errno));
		return rc;
	}
	if (!S_ISDIR(sb.st_mode))
		return load_file(ind, path, msg, msglen);
	if (!(d = opendir(path))) {
		rc = -errno;
		snprintf(msg, msglen, "%s: %s", path, strerror(errno));
		return rc;
	}
	rc = 0;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.' || l < 5 ||
		    strcasecmp(de->d_name + l - 4, ".csv"))
			continue;
		char **nv = realloc(names, (nn + 1) * sizeof(*nv));
		if (!nv || !(nv[nn] = strdup(de->d_name))) {
			names = nv ? nv : names;
			rc = DW_ENOMEM;
			break;
		}
		names = nv;
		nn++;
	}
	closedir(d);
	if (names)
		qsort(names, nn, sizeof(*names), by_name);
	for (size_t i = 0; rc == 0 && i < nn; i++) {
		char p[4096];
		snprintf(p, sizeof(p), "%s/%s", path, names[i]);
		int r = load_file(ind, p, msg, msglen);
		if (r == DW_EFORMAT)
			continue; /* a CSV of something else in the directory */
		if (r < 0)
			rc = r;
		else
			total += r;
	}
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	if (rc == 0)
		msg[0] = '\0';
	return rc < 0 ? rc : total;
}

/* ============================================================ matching */

struct pairset {
	uint64_t *v; /* (network + 1) << 32 | object; 0 empty */
	size_t cap, n;
	const int32_t *net_of;
	uint32_t nacc;
	int err;
};

static int ps_add(struct pairset *ps, uint64_t k)
{
	if ((ps->n + 1) * 2 > ps->cap) {
		size_t nc = ps->cap ? ps->cap * 2 : 1024;
		uint64_t *nv = calloc(nc, sizeof(*nv));
		if (!nv)
			return DW_ENOMEM;
		for (size_t i = 0; i < ps->cap; i++) {
			if (!ps->v[i])
				continue;
			size_t j = (ps->v[i] * 0x9e3779b97f4a7c15ull) >> 20 & (nc - 1);
			while (nv[j])
				j = (j + 1) & (nc - 1);
			nv[j] = ps->v[i];
		}
		free(ps->v);
		ps->v = nv;
		ps->cap = nc;
	}
	size_t j = (k * 0x9e3779b97f4a7c15ull) >> 20 & (ps->cap - 1);
	while (ps->v[j]) {
		if (ps->v[j] == k)
			return 0;
		j = (j + 1) & (ps->cap - 1);
	}
	ps->v[j] = k;
	ps->n++;
	return 0;
}

static int on_action(void *ctx, const struct dw_cib_action *a)
{
	struct pairset *ps = ctx;
	if (a->account > ps->nacc || ps->net_of[a->account] < 0)
		return 0;
	return ps_add(ps, (uint64_t)(ps->net_of[a->account] + 1) << 32 |
				  a->object);
}

/* Append a match of indicator k with value v to the network's array. */
static int note(json_t *arr, const struct dw_cib_indicators *ind, size_t k,
		const char *v)
{
	const struct ind *x = &ind->v[k];
	json_t *o = NULL, *m;
	size_t i;

	json_array_foreach(arr, i, m) {
		if (json_integer_value(json_object_get(m, "_k")) == (json_int_t)k) {
			o = m;
			break;
		}
	}
	if (!o) {
		o = json_pack("{s:s,s:s,s:s,s:[],s:I}", "indicator", x->text,
			      "kind", kind_names[x->kind], "source_file",
			      ind->sources[x->src], "matched", "_k", (json_int_t)k);
		if (!o || json_array_append_new(arr, o) < 0)
			return DW_ENOMEM;
	}
	json_t *ma = json_object_get(o, "matched");
	json_array_foreach(ma, i, m)
		if (!strcmp(json_string_value(m), v))
			return 0;
	return json_array_append_new(ma, json_string(v)) < 0 ? DW_ENOMEM : 0;
}

enum { M_DOMAIN, M_HANDLE, M_LINK };

/* How indicator x is matched: by domain, handle or whole link. */
static int match_of(const struct ind *x)
{
	if (x->kind == DW_IND_HANDLE)
		return M_HANDLE;
	return strchr(x->key, '/') || strchr(x->key, '?') ? M_LINK : M_DOMAIN;
}

static int match_key(const struct dw_cib_indicators *ind, json_t *arr,
		     int how, const char *key, const char *shown)
{
	int rc;
	for (size_t k = 0; k < ind->n; k++) {
		if (match_of(&ind->v[k]) != how || strcmp(ind->v[k].key, key))
			continue;
		if ((rc = note(arr, ind, k, shown)) < 0)
			return rc;
	}
	return 0;
}

/* Domains and links the members shared (ps) against the indicators. */
static int match_links(const struct dw_cib_indicators *ind, struct dw_store *s,
		       const struct pairset *ps, json_t **arr)
{
	char buf[DW_CIB_KEY_MAX + 8], d[1024];
	int rc;

	for (size_t i = 0; i < ps->cap; i++) {
		int tr;
		if (!ps->v[i])
			continue;
		size_t ni = (size_t)(ps->v[i] >> 32) - 1;
		if ((rc = dw_store_cib_object_key(s, (int64_t)(ps->v[i] & 0xffffffffu),
						  &tr, buf, sizeof(buf))) < 0)
			return rc;
		if (rc == 0)
			continue;
		if (tr == DW_CIB_URL) {
			char lk[DW_CIB_KEY_MAX + 8];
			if (url_key(buf, lk, sizeof(lk)) &&
			    (rc = match_key(ind, arr[ni], M_LINK, lk, buf)) < 0)
				return rc;
			if (dw_cib_domain(buf, strlen(buf), d, sizeof(d)) <= 0)
				continue;
		} else {
			size_t bl = strlen(buf);
			if (bl >= sizeof(d))
				continue;
			memcpy(d, buf, bl + 1);
		}
		if ((rc = match_key(ind, arr[ni], M_DOMAIN, d, d)) < 0)
			return rc;
	}
	return 0;
}

/* Member names against the handle indicators. */
static int match_handles(const struct dw_cib_indicators *ind,
			 struct dw_store *s, const struct dw_cib_result *r,
			 json_t **arr)
{
	char buf[DW_CIB_NAME_MAX + 8], key[DW_CIB_NAME_MAX + 1];
	int rc;

	for (size_t i = 0; ind->n && i < r->nnet; i++)
		for (size_t m = 0; m < r->net[i].nmembers; m++) {
			if ((rc = dw_store_cib_account_name(
				     s, r->net[i].members[m].account, buf,
				     sizeof(buf))) < 0)
				return rc;
			if (rc == 0 || !handle_key(buf, strlen(buf), key, sizeof(key)))
				continue;
			if ((rc = match_key(ind, arr[i], M_HANDLE, key, buf)) < 0)
				return rc;
		}
	return 0;
}

int dw_cib_ind_match(const struct dw_cib_indicators *ind, struct dw_store *s,
		     const struct dw_cib_source *src,
		     const struct dw_cib_result *r, char ***out)
{
	struct pairset ps = {0};
	int32_t *net_of = NULL;
	json_t **arr = NULL;
	char **res = NULL;
	int rc = 0, matched = 0;

	*out = NULL;
	if (!(res = calloc(r->nnet + 1, sizeof(*res))) ||
	    !(arr = calloc(r->nnet + 1, sizeof(*arr))) ||
	    !(net_of = malloc(((size_t)src->naccounts + 1) * sizeof(*net_of)))) {
		rc = DW_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i <= src->naccounts; i++)
		net_of[i] = -1;
	for (size_t i = 0; i < r->nnet; i++) {
		if (!(arr[i] = json_array())) {
			rc = DW_ENOMEM;
			goto out;
		}
		for (size_t m = 0; m < r->net[i].nmembers; m++)
			if (r->net[i].members[m].account <= src->naccounts)
				net_of[r->net[i].members[m].account] = (int32_t)i;
	}
	ps.net_of = net_of;
	ps.nacc = src->naccounts;
	if (ind->n && r->nnet &&
	    ((rc = src->scan(src->ctx, DW_CIB_DOMAIN, on_action, &ps)) < 0 ||
	     (rc = src->scan(src->ctx, DW_CIB_URL, on_action, &ps)) < 0))
		goto out;
	if ((rc = match_links(ind, s, &ps, arr)) < 0 ||
	    (rc = match_handles(ind, s, r, arr)) < 0)
		goto out;
	rc = 0;
	for (size_t i = 0; i < r->nnet; i++) {
		size_t k;
		json_t *m;
		json_array_foreach(arr[i], k, m)
			json_object_del(m, "_k");
		matched += json_array_size(arr[i]) > 0;
		if (!(res[i] = json_dumps(arr[i], JSON_COMPACT))) {
			rc = DW_ENOMEM;
			goto out;
		}
	}
	*out = res;
	res = NULL;
out:
	if (res) {
		for (size_t i = 0; i < r->nnet; i++)
			free(res[i]);
		free(res);
	}
	for (size_t i = 0; arr && i < r->nnet; i++)
		json_decref(arr[i]);
	free(arr);
	free(net_of);
	free(ps.v);
	return rc < 0 ? rc : matched;
}
