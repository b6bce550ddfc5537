/*
 * archive.c - archive layouts and file retrieval (see archive.h).
 *
 * Downloads go to `<cache>/<host>/<rel>.part` and are renamed when complete,
 * so an interrupted run resumes with an HTTP Range request and a file in the
 * cache is always whole.  Transient failures (connection, 5xx, timeouts) are
 * retried with a growing pause; a 404 is an answer, not a failure.
 */
#include "darkwatch/archive.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "darkwatch/err.h"

#define MAX_PATH 1024

struct dw_archive {
	char base[MAX_PATH];
	char cache[MAX_PATH];
	int remote, retries;
	long timeout_s;
	CURL *curl;
	char local[MAX_PATH];
	char err[4 * MAX_PATH + CURL_ERROR_SIZE];
	uint64_t downloaded;
};

enum dw_archive_layout dw_archive_layout_of(const char *c)
{
	if (!strncmp(c, "rrc", 3) && c[3] >= '0' && c[3] <= '9')
		return DW_LAYOUT_RIS;
	if (!strncmp(c, "route-views", 11))
		return DW_LAYOUT_ROUTEVIEWS;
	return 0;
}

void dw_archive_grid(enum dw_archive_layout l, int64_t *rib, int64_t *upd)
{
	*rib = l == DW_LAYOUT_RIS ? 8 * 3600 : 2 * 3600;
	*upd = l == DW_LAYOUT_RIS ? 300 : 900;
}

int dw_archive_path(const char *c, int rib, int64_t t, char *buf, size_t len)
{
	enum dw_archive_layout l = dw_archive_layout_of(c);
	time_t tt = (time_t)t;
	struct tm tm;
	char month[16], stamp[32];
	int n;

	if (!l || !gmtime_r(&tt, &tm))
		return DW_EINVAL;
	strftime(month, sizeof(month), "%Y.%m", &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d.%H%M", &tm);
	if (l == DW_LAYOUT_RIS)
		n = snprintf(buf, len, "%s/%s/%s.%s.gz", c, month,
			     rib ? "bview" : "updates", stamp);
	else if (!strcmp(c, "route-views2"))
		n = snprintf(buf, len, "bgpdata/%s/%s/%s.%s.bz2", month,
			     rib ? "RIBS" : "UPDATES", rib ? "rib" : "updates",
			     stamp);
	else
		n = snprintf(buf, len, "%s/bgpdata/%s/%s/%s.%s.bz2", c, month,
			     rib ? "RIBS" : "UPDATES", rib ? "rib" : "updates",
			     stamp);
	return n < 0 || (size_t)n >= len ? DW_EINVAL : 0;
}

static int mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		int rc = mkdir(path, 0755);
		*p = '/';
		if (rc && errno != EEXIST)
			return -errno;
	}
	return 0;
}

int dw_archive_open(const struct dw_archive_conf *conf, struct dw_archive **out)
{
	struct dw_archive *a = calloc(1, sizeof(*a));
	if (!a)
		return DW_ENOMEM;
	size_t bl = strlen(conf->base);
	while (bl > 1 && conf->base[bl - 1] == '/')
		bl--;
	if (bl >= sizeof(a->base)) {
		free(a);
		return DW_EINVAL;
	}
	memcpy(a->base, conf->base, bl);
	a->remote = !strncmp(a->base, "http://", 7) || !strncmp(a->base, "https://", 8);
	a->retries = conf->retries > 0 ? conf->retries : 3;
	a->timeout_s = conf->timeout_s > 0 ? conf->timeout_s : 300;
	if (a->remote) {
		const char *host = strstr(a->base, "://") + 3;
		const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
		int n;
		if (conf->cache_dir)
			n = snprintf(a->cache, sizeof(a->cache), "%s/%s",
				     conf->cache_dir, host);
		else if (xdg && *xdg)
			n = snprintf(a->cache, sizeof(a->cache),
				     "%s/darkwatch/%s", xdg, host);
		else
			n = snprintf(a->cache, sizeof(a->cache),
				     "%s/.cache/darkwatch/%s", home ? home : "/tmp",
				     host);
		for (char *p = a->cache; *p; p++)
			if (*p == ':')
				*p = '_';
		a->curl = curl_easy_init();
		if (n < 0 || (size_t)n >= sizeof(a->cache) || !a->curl) {
			dw_archive_free(a);
			return DW_ENOMEM;
		}
	}
	*out = a;
	return 0;
}

void dw_archive_free(struct dw_archive *a)
{
	if (!a)
		return;
	if (a->curl)
		curl_easy_cleanup(a->curl);
	free(a);
}

const char *dw_archive_errmsg(const struct dw_archive *a) { return a->err; }
uint64_t dw_archive_downloaded(const struct dw_archive *a) { return a->downloaded; }

/* One transfer attempt into `part` (appending).  0 ok, 1 not found,
 * -EAGAIN retryable, other <0 fatal. */
static int fetch_once(struct dw_archive *a, const char *url, const char *part)
{
	struct stat st;
	curl_off_t have = stat(part, &st) == 0 ? (curl_off_t)st.st_size : 0;
	FILE *f = fopen(part, "ab");
	long code = 0;
	char cerr[CURL_ERROR_SIZE] = "";

	if (!f) {
		snprintf(a->err, sizeof(a->err), "cannot write %s: %s", part,
			 strerror(errno));
		return -errno;
	}
	curl_easy_reset(a->curl);
	curl_easy_setopt(a->curl, CURLOPT_URL, url);
	curl_easy_setopt(a->curl, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(a->curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(a->curl, CURLOPT_TIMEOUT, a->timeout_s);
	curl_easy_setopt(a->curl, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(a->curl, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(a->curl, CURLOPT_USERAGENT, "darkwatch/0.1");
	if (have)
		curl_easy_setopt(a->curl, CURLOPT_RESUME_FROM_LARGE, have);
	CURLcode rc = curl_easy_perform(a->curl);
	curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &code);
	curl_off_t got = 0;
	curl_easy_getinfo(a->curl, CURLINFO_SIZE_DOWNLOAD_T, &got);
	a->downloaded += (uint64_t)got;
	if (fclose(f) != 0) {
		snprintf(a->err, sizeof(a->err), "cannot write %s", part);
		return DW_EIO;
	}
	if (code == 404 || code == 410) {
		unlink(part);
		return 1;
	}
	if (code == 416 && have) { /* already complete */
		return 0;
	}
	if (rc != CURLE_OK || code >= 400 || (have && code == 200)) {
		if (have && code == 200) /* server ignored Range: start again */
			unlink(part);
		snprintf(a->err, sizeof(a->err), "%s: %s (HTTP %ld)", url,
			 cerr[0] ? cerr : curl_easy_strerror(rc), code);
		return code >= 400 && code < 500 ? DW_EIO : -EAGAIN;
	}
	return 0;
}

int dw_archive_get(struct dw_archive *a, const char *rel, const char **local)
{
	char url[2 * MAX_PATH], part[MAX_PATH + 8];
	struct stat st;
	int n;

	if (!a->remote) {
		n = snprintf(a->local, sizeof(a->local), "%s/%s", a->base, rel);
		if (n < 0 || (size_t)n >= sizeof(a->local))
			return DW_EINVAL;
		if (stat(a->local, &st) != 0)
			return errno == ENOENT ? 1 : -errno;
		*local = a->local;
		return 0;
	}
	n = snprintf(a->local, sizeof(a->local), "%s/%s", a->cache, rel);
	if (n < 0 || (size_t)n >= sizeof(a->local))
		return DW_EINVAL;
	if (stat(a->local, &st) == 0) {
		*local = a->local;
		return 0;
	}
	if ((n = mkdirs(a->local)) < 0) {
		snprintf(a->err, sizeof(a->err), "cannot create %s: %s", a->local,
			 strerror(-n));
		return n;
	}
	snprintf(url, sizeof(url), "%s/%s", a->base, rel);
	snprintf(part, sizeof(part), "%s.part", a->local);
	int rc = -EAGAIN;
	for (int i = 0; i <= a->retries && rc == -EAGAIN; i++) {
		if (i)
			sleep((unsigned)(i < 5 ? 1u << i : 30u));
		rc = fetch_once(a, url, part);
	}
	if (rc)
		return rc;
	if (rename(part, a->local) != 0) {
		snprintf(a->err, sizeof(a->err), "cannot rename %s: %s", part,
			 strerror(errno));
		return -errno;
	}
	*local = a->local;
	return 0;
}
