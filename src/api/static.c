/*
 * static.c - dashboard files from the web directory (see static.h).
 */
#include "api/static.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "darkwatch/err.h"

#define PATH_LEN_MAX 1024

struct dw_api_static {
	char *root;  /* realpath of the web directory */
	size_t rlen;
};

static const struct {
	const char *ext, *type;
} types[] = {
	{"html", "text/html; charset=utf-8"},
	{"htm", "text/html; charset=utf-8"},
	{"js", "text/javascript; charset=utf-8"},
	{"mjs", "text/javascript; charset=utf-8"},
	{"css", "text/css; charset=utf-8"},
	{"json", "application/json; charset=utf-8"},
	{"map", "application/json; charset=utf-8"},
	{"svg", "image/svg+xml"},
	{"png", "image/png"},
	{"jpg", "image/jpeg"},
	{"jpeg", "image/jpeg"},
	{"gif", "image/gif"},
	{"webp", "image/webp"},
	{"ico", "image/x-icon"},
	{"woff", "font/woff"},
	{"woff2", "font/woff2"},
	{"ttf", "font/ttf"},
	{"txt", "text/plain; charset=utf-8"},
	{"csv", "text/csv; charset=utf-8"},
	{"wasm", "application/wasm"},
	{"geojson", "application/geo+json"},
	{"topojson", "application/json; charset=utf-8"},
};

const char *dw_api_static_ctype(const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *dot = strrchr(slash ? slash : name, '.');

	if (dot)
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (!strcasecmp(dot + 1, types[i].ext))
				return types[i].type;
	return "application/octet-stream";
}

int dw_api_static_new(const char *dir, struct dw_api_static **out)
{
	struct dw_api_static *st;
	struct stat sb;
	char *root;

	*out = NULL;
	if (!(root = realpath(dir, NULL)))
		return -errno;
	if (stat(root, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		free(root);
		return -ENOTDIR;
	}
	if (!(st = calloc(1, sizeof(*st)))) {
		free(root);
		return DW_ENOMEM;
	}
	st->root = root;
	st->rlen = strlen(root);
	*out = st;
	return 0;
}

void dw_api_static_free(struct dw_api_static *st)
{
	if (!st)
		return;
	free(st->root);
	free(st);
}

const char *dw_api_static_dir(const struct dw_api_static *st)
{
	return st->root;
}

/*
 * Normalise path into rel ("a/b.js", no leading slash, "" for the root):
 * 0, or -ENOENT for a refused path.  *ext is set when the last segment
 * has a '.'.
 */
static int normalise(const char *path, char *rel, size_t cap, int *ext)
{
	size_t n = 0;
	const char *s = path;

	*ext = 0;
	if (*s != '/')
		return -ENOENT;
	while (*s) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		const char *e = strchr(s, '/');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		if (s[0] == '.') /* "..", "." and hidden files */
			return -ENOENT;
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)s[i];
			if (c < 0x20 || c == 0x7f || c == '\\')
				return -ENOENT;
		}
		if (n + len + 2 > cap)
			return -ENOENT;
		if (n)
			rel[n++] = '/';
		memcpy(rel + n, s, len);
		n += len;
		*ext = memchr(s, '.', len) != NULL;
		s += len;
	}
	rel[n] = 0;
	return 0;
}

/* Open root/rel if it resolves inside root and is a regular file. */
static int open_inside(const struct dw_api_static *st, const char *rel,
		       struct dw_api_file *f)
{
	char full[PATH_LEN_MAX + PATH_MAX], *real = NULL;
	struct stat sb;
	int fd = -1, rc;

	if (snprintf(full, sizeof(full), "%s/%s", st->root, rel) >=
	    (int)sizeof(full))
		return -ENOENT;
	if (!(real = realpath(full, NULL)))
		return -ENOENT;
	if (strncmp(real, st->root, st->rlen) || real[st->rlen] != '/') {
		rc = -ENOENT;
		goto out;
	}
	if ((fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		rc = -ENOENT;
		goto out;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		rc = -ENOENT;
		goto out;
	}
	f->fd = fd;
	f->size = (uint64_t)sb.st_size;
	snprintf(f->etag, sizeof(f->etag), "\"%llx-%llx%09lx\"",
		 (unsigned long long)sb.st_size,
		 (unsigned long long)sb.st_mtim.tv_sec,
		 (unsigned long)sb.st_mtim.tv_nsec);
	f->ctype = dw_api_static_ctype(real);
	f->cache_control = "public, max-age=300";
	fd = -1;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(real);
	return rc;
}

int dw_api_static_open(const struct dw_api_static *st, const char *path,
		       struct dw_api_file *f)
{
	char rel[PATH_LEN_MAX];
	int ext, rc;

	f->fd = -1;
	if (strnlen(path, PATH_LEN_MAX) >= PATH_LEN_MAX ||
	    normalise(path, rel, sizeof(rel), &ext) < 0)
		return -ENOENT;
	if (rel[0] && (rc = open_inside(st, rel, f)) == 0)
		goto found;
	if (rel[0] && ext)
		return -ENOENT;
	if ((rc = open_inside(st, "index.html", f)) < 0)
		return rc;
found:
	if (!strcmp(f->ctype, "text/html; charset=utf-8"))
		f->cache_control = "no-cache";
	return 0;
}
