/*
 * server.c - `darkwatch serve`'s HTTP server (see darkwatch/api.h): the
 * libmicrohttpd daemon, routing, per-thread store connections, the
 * response cache, the rate limit, IODA's envelope, and static files.
 *
 * Last stage of the data flow: reads the store, never writes it.
 *
 * Key decisions:
 *  - A /v2 response is `{"type":..,"metadata":{..times..},` + a cached
 *    tail (requestParameters, error, perf, data, total, copyright).  Only
 *    the short head is written per request; the tail is sent from the
 *    shared blob through an iovec, so a cache hit copies nothing.
 *  - Cache keys hold the endpoint, the path rest and the endpoint's known
 *    parameters only: unknown parameters are ignored by the handlers, so
 *    they must not split (or flood) the cache either.
 *  - Freshness: before each /v2 request a thread reads PRAGMA data_version
 *    on its own connection; a change bumps the shared generation, which
 *    empties the cache (cache.h).  A response computed from a snapshot
 *    taken after the generation was read is at least as new as that
 *    generation, so a stale body is never stored under a newer one.
 *  - Every failure a request can cause is a 4xx; a 5xx only means the
 *    store itself failed (503 when busy, else 500, logged).
 */
#include "darkwatch/api.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api/api_int.h"
#include "api/cache.h"
#include "api/ratelimit.h"
#include "api/static.h"
#include "darkwatch/err.h"

#define KEY_MAX (128u << 10)
#define CACHE_ENTRIES 4096
#define COPYRIGHT "darkwatch: outage signals computed from public " \
	"route-collector archives and configured sources; see /v2/openapi.json"

/* One per server thread, made on its first request. */
struct tctx {
	struct tctx *next;
	struct dw_store *store;
	int64_t dv;
	int has_dv;
	struct dw_buf key;
	char path[DW_API_REQUEST_MAX]; /* the /v2 path being served */
	struct dw_params p;
};

struct dw_api {
	struct MHD_Daemon *d;
	char *db;
	struct dw_api_static *st; /* NULL: no dashboard files */
	struct dw_api_cache *cache;
	struct dw_api_rl *rl;     /* NULL: no rate limit */
	struct dw_api_blob *openapi;
	double rate, burst;
	dw_api_log_fn log;
	void *log_ctx;
	pthread_key_t key;
	int key_ok;
	pthread_mutex_t mu;       /* guards threads */
	struct tctx *threads;
	atomic_uint_fast64_t gen;
	unsigned port;
	char url[96];
};

__attribute__((format(printf, 2, 3))) static void logf_(struct dw_api *a,
							 const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (!a->log)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	a->log(a->log_ctx, buf);
}

static struct tctx *thread_ctx(struct dw_api *a)
{
	struct tctx *t = pthread_getspecific(a->key);

	if (t)
		return t;
	if (!(t = calloc(1, sizeof(*t))))
		return NULL;
	dw_buf_init(&t->key, KEY_MAX);
	if (pthread_setspecific(a->key, t)) {
		free(t);
		return NULL;
	}
	pthread_mutex_lock(&a->mu);
	t->next = a->threads;
	a->threads = t;
	pthread_mutex_unlock(&a->mu);
	return t;
}

/* ---- responses ---- */

struct hold {
	struct dw_api_blob *b;
	char head[256];
};

static void hold_free(void *cls)
{
	struct hold *h = cls;
	dw_api_blob_unref(h->b);
	free(h);
}

static void iso_time(time_t t, char buf[40])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, 40, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
}

static void common_headers(struct MHD_Response *res)
{
	MHD_add_response_header(res, "Access-Control-Allow-Origin", "*");
	MHD_add_response_header(res, "X-Content-Type-Options", "nosniff");
}

/* Send blob b (a reference is taken) with status, as the envelope tail
 * after a fresh head, or as is for CSV and raw JSON documents. */
static enum MHD_Result send_blob(struct MHD_Connection *c,
				 struct dw_api_blob *b, time_t t0, int raw,
				 int64_t retry_after)
{
	struct MHD_Response *res;
	struct MHD_IoVec iov[2];
	struct hold *h = calloc(1, sizeof(*h));
	char t1[40], t2[40], num[32];
	unsigned n = 0;
	enum MHD_Result ok;

	if (!h)
		return MHD_NO;
	dw_api_blob_ref(b);
	h->b = b;
	if (!b->csv && !raw) {
		iso_time(t0, t1);
		iso_time(time(NULL), t2);
		int k = snprintf(h->head, sizeof(h->head), "{\"type\":\"%s\","
				 "\"metadata\":{\"requestTime\":\"%s\","
				 "\"responseTime\":\"%s\"},", b->type, t1, t2);
		iov[n++] = (struct MHD_IoVec){h->head, (size_t)k};
	}
	iov[n++] = (struct MHD_IoVec){b->data, b->len};
	if (!(res = MHD_create_response_from_iovec(iov, n, hold_free, h))) {
		hold_free(h);
		return MHD_NO;
	}
	MHD_add_response_header(res, "Content-Type", b->csv
				? "text/csv; charset=utf-8"
				: "application/json; charset=utf-8");
	if (b->csv) {
		char disp[80];
		snprintf(disp, sizeof(disp), "attachment; filename=\"darkwatch-%s.csv\"",
			 b->type);
		MHD_add_response_header(res, "Content-Disposition", disp);
	}
	MHD_add_response_header(res, "Cache-Control", "no-cache");
	if (b->total >= 0) {
		snprintf(num, sizeof(num), "%lld", (long long)b->total);
		MHD_add_response_header(res, "X-Total-Count", num);
	}
	if (retry_after > 0) {
		snprintf(num, sizeof(num), "%lld", (long long)retry_after);
		MHD_add_response_header(res, "Retry-After", num);
	}
	common_headers(res);
	ok = MHD_queue_response(c, (unsigned)b->status, res);
	MHD_destroy_response(res);
	return ok;
}

/* requestParameters: the endpoint's known parameters that were given. */
static json_t *req_params(const struct dw_api_endpoint *ep,
			  const struct dw_params *p, const char *rest)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (ep && ep->prefix && ep->tail) {
		json_t *v = json_string(rest); /* NULL: not UTF-8 */
		if (v)
			json_object_set_new(o, ep->tail, v);
	} else if (ep && ep->prefix) {
		const char *slash = strchr(rest, '/');
		if (slash) {
			json_object_set_new(o, "entityType",
					    json_stringn(rest, (size_t)(slash - rest)));
			json_object_set_new(o, "entityCode", json_string(slash + 1));
		}
	}
	for (size_t i = 0; ep && ep->params[i]; i++) {
		const char *v = dw_params_get(p, ep->params[i]);
		json_t *s = v ? json_string(v) : NULL; /* NULL: not UTF-8 */
		if (s)
			json_object_set_new(o, ep->params[i], s);
	}
	return o;
}

/* The envelope tail as a blob (status set); NULL when out of memory. */
static struct dw_api_blob *envelope(const struct dw_api_endpoint *ep,
				    const struct dw_params *p, const char *rest,
				    const char *error, json_t *data,
				    int64_t total, int status)
{
	json_t *o = json_object();
	struct dw_api_blob *b = NULL;
	char *s = NULL;

	if (!o)
		goto out;
	json_object_set_new(o, "requestParameters", req_params(ep, p, rest));
	json_object_set_new(o, "error", error ? json_string(error) : json_null());
	json_object_set_new(o, "perf", json_null());
	json_object_set_new(o, "data", data ? json_incref(data) : json_null());
	if (total >= 0)
		json_object_set_new(o, "total", json_integer(total));
	json_object_set_new(o, "copyright", json_string(COPYRIGHT));
	if (!(s = json_dumps(o, JSON_COMPACT)) || s[0] != '{')
		goto out;
	if ((b = dw_api_blob_new(s + 1, strlen(s + 1)))) {
		b->status = status;
		b->total = total;
		snprintf(b->type, sizeof(b->type), "%s", ep ? ep->type : "error");
	}
out:
	free(s);
	json_decref(o);
	return b;
}

static enum MHD_Result send_error(struct MHD_Connection *c,
				  const struct dw_api_endpoint *ep,
				  const struct dw_params *p, const char *rest,
				  int status, const char *msg, time_t t0,
				  int64_t retry_after)
{
	struct dw_api_blob *b = envelope(ep, p, rest, msg, NULL, -1, status);
	enum MHD_Result ok;

	if (!b)
		return MHD_NO;
	ok = send_blob(c, b, t0, 0, retry_after);
	dw_api_blob_unref(b);
	return ok;
}

/* ---- /v2 ---- */

static const struct dw_api_endpoint *route(const char *rest, const char **tail)
{
	for (size_t i = 0; i < dw_api_nendpoints; i++) {
		const struct dw_api_endpoint *e = &dw_api_endpoints[i];
		size_t n = strlen(e->path);
		if (!e->prefix && !strcmp(rest, e->path)) {
			*tail = "";
			return e;
		}
		if (e->prefix && !strncmp(rest, e->path, n) && rest[n] == '/') {
			*tail = rest + n + 1;
			return e;
		}
	}
	return NULL;
}

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind,
			       const char *key, const char *value)
{
	(void)kind;
	dw_params_add(cls, key, value);
	return MHD_YES;
}

static int make_key(struct dw_buf *k, const struct dw_api_endpoint *ep,
		    const char *rest, const struct dw_params *p)
{
	int rc;

	dw_buf_reset(k);
	if ((rc = dw_buf_put_bytes(k, ep->path, strlen(ep->path) + 1)) < 0 ||
	    (rc = dw_buf_put_bytes(k, rest, strlen(rest) + 1)) < 0)
		return rc;
	for (size_t i = 0; ep->params[i]; i++) {
		const char *v = dw_params_get(p, ep->params[i]);
		if ((rc = dw_buf_put_u8(k, v ? 1 : 0)) < 0 ||
		    (v && (rc = dw_buf_put_bytes(k, v, strlen(v) + 1)) < 0))
			return rc;
	}
	return 0;
}

/*
 * Move the shared generation on when this connection saw a commit.  A
 * connection's first reading has nothing of its own to compare with (data
 * versions of different connections are not comparable), and a commit may
 * have come after other threads cached their responses: it moves the
 * generation on too.  That costs one emptied cache per thread, once.
 */
static int check_version(struct dw_api *a, struct tctx *t)
{
	int64_t v;
	int rc = dw_query_data_version(t->store, &v);

	if (rc < 0)
		return rc;
	if (!t->has_dv || v != t->dv)
		atomic_fetch_add(&a->gen, 1);
	t->dv = v;
	t->has_dv = 1;
	return 0;
}

static int store_status(int rc)
{
	return rc == -EBUSY || rc == -ENOENT || rc == -EACCES ? 503 : 500;
}

/* Run the handler in a read snapshot; the blob to send, or NULL with
 * *status/msg set for an error response. */
static struct dw_api_blob *compute(struct dw_api *a, struct tctx *t,
				   const struct dw_api_endpoint *ep,
				   const char *rest, time_t t0, int *status,
				   char *msg, size_t msglen)
{
	struct dw_api_req r = {0};
	struct dw_api_blob *b = NULL;
	int rc;

	r.store = t->store;
	r.p = &t->p;
	r.rest = rest;
	r.now = (int64_t)t0;
	r.total = -1;
	dw_buf_init(&r.out, DW_API_CSV_MAX);
	if ((rc = dw_store_begin(t->store)) < 0)
		goto fail;
	rc = ep->run(&r);
	if (dw_store_commit(t->store) < 0)
		dw_store_rollback(t->store);
	if (rc < 0)
		goto fail;
	if (r.csv) {
		if ((b = dw_api_blob_new(dw_buf_data(&r.out), dw_buf_len(&r.out)))) {
			b->csv = 1;
			b->total = r.total;
			snprintf(b->type, sizeof(b->type), "%s", ep->type);
		}
	} else {
		b = envelope(ep, &t->p, rest, NULL, r.data, r.total, 200);
	}
	if (!b) {
		rc = DW_ENOMEM;
		goto fail;
	}
	goto out;
fail:
	if (rc == DW_EINVAL && t->p.err[0]) {
		*status = 400;
		snprintf(msg, msglen, "%s", t->p.err);
	} else if (rc == DW_EINVAL || rc == DW_ETOOBIG) {
		/* a store-side check (a list too long, a CSV over its cap) */
		*status = 400;
		snprintf(msg, msglen, "%s", rc == DW_ETOOBIG
			 ? "the response would be too large: narrow the request"
			 : dw_store_errmsg(t->store));
	} else if (r.status) {
		*status = r.status;
		snprintf(msg, msglen, "%s", r.msg);
	} else {
		*status = store_status(rc);
		snprintf(msg, msglen, "the store could not answer: %s",
			 *status == 503 ? "busy, try again" : "internal error");
		logf_(a, "%s: %s (%s)", ep->path, dw_strerror(rc),
		      dw_store_errmsg(t->store));
	}
out:
	json_decref(r.data);
	dw_buf_free(&r.out);
	return b;
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static enum MHD_Result serve_v2(struct dw_api *a, struct MHD_Connection *c,
				const char *url, time_t t0)
{
	const struct dw_api_endpoint *ep;
	struct dw_api_blob *b;
	struct tctx *t = thread_ctx(a);
	char *path, msg[400];
	const char *rest;
	size_t n;
	int status = 0, rc;

	if (!t)
		return MHD_NO;
	path = t->path;
	dw_params_init(&t->p);
	if (a->rl) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		int64_t wait = dw_api_rl_take(a->rl, ci ? ci->client_addr : NULL,
					      mono());
		if (wait > 0) {
			snprintf(msg, sizeof(msg), "rate limit: at most %g "
				 "requests per second per client (bursts of "
				 "%g); retry after %lld s", a->rate, a->burst,
				 (long long)wait);
			return send_error(c, NULL, &t->p, "", 429, msg, t0, wait);
		}
	}
	/* "/v2", "/v2/", "/v2/x/" -> "", "", "x" */
	n = strlen(url);
	while (n > 3 && url[n - 1] == '/')
		n--;
	if (n >= sizeof(t->path) + 4)
		return send_error(c, NULL, &t->p, "", 414, "request too long",
				  t0, 0);
	memcpy(path, url + (n > 3 ? 4 : 3), n - (n > 3 ? 4 : 3));
	path[n - (n > 3 ? 4 : 3)] = 0;
	if (!strcmp(path, "openapi.json"))
		return send_blob(c, a->openapi, t0, 1, 0);
	if (!(ep = route(path, &rest)))
		return send_error(c, NULL, &t->p, "", 404, "no such endpoint "
				  "(see /v2/openapi.json)", t0, 0);
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect, &t->p);
	if (t->p.too_many)
		return send_error(c, ep, &t->p, rest, 400, "too many query "
				  "parameters", t0, 0);
	if (!t->store) {
		char m[256];
		if ((rc = dw_store_open(a->db, DW_STORE_RDONLY, &t->store, m,
					sizeof(m))) < 0) {
			logf_(a, "cannot open the store: %s", m);
			return send_error(c, ep, &t->p, rest, 503, "the store "
					  "cannot be opened", t0, 1);
		}
	}
	if ((rc = check_version(a, t)) < 0) {
		logf_(a, "data_version: %s", dw_store_errmsg(t->store));
		return send_error(c, ep, &t->p, rest, store_status(rc),
				  "the store could not answer", t0, 1);
	}
	uint64_t gen = atomic_load(&a->gen);
	if (make_key(&t->key, ep, rest, &t->p) < 0)
		return send_error(c, ep, &t->p, rest, 414, "request too long",
				  t0, 0);
	b = dw_api_cache_get(a->cache, (const char *)dw_buf_data(&t->key),
			     dw_buf_len(&t->key), gen);
	if (!b) {
		b = compute(a, t, ep, rest, t0, &status, msg, sizeof(msg));
		if (!b)
			return send_error(c, ep, &t->p, rest, status, msg, t0,
					  status == 503 ? 1 : 0);
		dw_api_cache_put(a->cache, (const char *)dw_buf_data(&t->key),
				 dw_buf_len(&t->key), gen, b);
	}
	enum MHD_Result ok = send_blob(c, b, t0, 0, 0);
	dw_api_blob_unref(b);
	return ok;
}

/* ---- static files ---- */

static const char no_dashboard[] =
	"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
	"<title>darkwatch</title></head><body><h1>darkwatch</h1>"
	"<p>The dashboard is not built or not found (see <code>--web</code> "
	"in darkwatch(1)). The API is at <a href=\"/v2/\">/v2/</a>, described "
	"by <a href=\"/v2/openapi.json\">/v2/openapi.json</a>.</p></body></html>\n";

static enum MHD_Result plain(struct MHD_Connection *c, unsigned status,
			     const char *ctype, const char *body)
{
	struct MHD_Response *res = MHD_create_response_from_buffer(
		strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ok;

	if (!res)
		return MHD_NO;
	MHD_add_response_header(res, "Content-Type", ctype);
	MHD_add_response_header(res, "Cache-Control", "no-cache");
	common_headers(res);
	ok = MHD_queue_response(c, status, res);
	MHD_destroy_response(res);
	return ok;
}

static enum MHD_Result serve_static(struct dw_api *a, struct MHD_Connection *c,
				    const char *url)
{
	struct dw_api_file f;
	struct MHD_Response *res;
	const char *inm;
	enum MHD_Result ok;

	if (!a->st) {
		const char *last = strrchr(url, '/');
		if (last && strchr(last, '.'))
			return plain(c, 404, "text/plain; charset=utf-8",
				     "not found\n");
		return plain(c, 200, "text/html; charset=utf-8", no_dashboard);
	}
	if (dw_api_static_open(a->st, url, &f) < 0)
		return plain(c, 404, "text/plain; charset=utf-8", "not found\n");
	inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
	if (inm && !strcmp(inm, f.etag)) {
		close(f.fd);
		res = MHD_create_response_from_buffer(0, NULL,
						      MHD_RESPMEM_PERSISTENT);
		if (!res)
			return MHD_NO;
		MHD_add_response_header(res, "ETag", f.etag);
		MHD_add_response_header(res, "Cache-Control", f.cache_control);
		ok = MHD_queue_response(c, MHD_HTTP_NOT_MODIFIED, res);
		MHD_destroy_response(res);
		return ok;
	}
	if (!(res = MHD_create_response_from_fd64(f.size, f.fd))) {
		close(f.fd);
		return MHD_NO;
	}
	MHD_add_response_header(res, "Content-Type", f.ctype);
	MHD_add_response_header(res, "ETag", f.etag);
	MHD_add_response_header(res, "Cache-Control", f.cache_control);
	common_headers(res);
	ok = MHD_queue_response(c, MHD_HTTP_OK, res);
	MHD_destroy_response(res);
	return ok;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	struct dw_api *a = cls;
	time_t t0 = time(NULL);
	(void)version;
	(void)upload;

	/* The first call only sees the headers: queueing a response then
	 * makes libmicrohttpd close the connection after it (no keep-alive),
	 * so answer on the next call, once any body was read (and dropped). */
	if (!*con_cls) {
		*con_cls = a;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		struct MHD_Response *res = MHD_create_response_from_buffer(
			0, NULL, MHD_RESPMEM_PERSISTENT);
		if (!res)
			return MHD_NO;
		MHD_add_response_header(res, "Allow", "GET, HEAD");
		common_headers(res);
		enum MHD_Result ok = MHD_queue_response(
			c, strcmp(method, "OPTIONS") ? 405 : 204, res);
		MHD_destroy_response(res);
		return ok;
	}
	if (!strncmp(url, "/v2", 3) && (url[3] == 0 || url[3] == '/'))
		return serve_v2(a, c, url, t0);
	return serve_static(a, c, url);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct dw_api *a = cls;
	char buf[512];
	if (!a->log)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	size_t n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = 0;
	a->log(a->log_ctx, buf);
}

/* ---- start, stop ---- */

/* Bind spec ("HOST:PORT", "[V6]:PORT", ":PORT", "PORT"); sets a->url/port. */
static int listen_on(struct dw_api *a, const char *spec, int *fd_out, int *v6,
		     char *msg, size_t msglen)
{
	char host[256], port[16];
	struct addrinfo hints = {0}, *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	const char *colon;
	int fd = -1, one = 1, rc;

	*fd_out = -1;
	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');
		if (!end || end[1] != ':' || (size_t)(end - spec - 1) >= sizeof(host))
			goto bad;
		memcpy(host, spec + 1, (size_t)(end - spec - 1));
		host[end - spec - 1] = 0;
		colon = end + 1;
	} else if ((colon = strrchr(spec, ':'))) {
		if ((size_t)(colon - spec) >= sizeof(host))
			goto bad;
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = 0;
	} else {
		host[0] = 0;
		colon = spec - 1;
	}
	if (!host[0])
		snprintf(host, sizeof(host), "127.0.0.1");
	if (strlen(colon + 1) >= sizeof(port) || !colon[1] ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
	    strtol(colon + 1, NULL, 10) > 65535)
		goto bad;
	snprintf(port, sizeof(port), "%s", colon + 1);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0) {
		snprintf(msg, msglen, "--listen %s: %s", spec, gai_strerror(rc));
		return DW_EINVAL;
	}
	*v6 = ai->ai_family == AF_INET6;
	if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			 0)) < 0)
		goto sys;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (*v6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 1024) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
		goto sys;
	char addr[INET6_ADDRSTRLEN] = "?";
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, addr, sizeof(addr));
		a->port = ntohs(s6->sin6_port);
		snprintf(a->url, sizeof(a->url), "http://[%s]:%u/", addr, a->port);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &s4->sin_addr, addr, sizeof(addr));
		a->port = ntohs(s4->sin_port);
		snprintf(a->url, sizeof(a->url), "http://%s:%u/", addr, a->port);
	}
	freeaddrinfo(ai);
	*fd_out = fd;
	return 0;
sys:
	rc = -errno;
	snprintf(msg, msglen, "cannot listen on %s: %s%s", spec, strerror(errno),
		 errno == EADDRINUSE ? " (the port is busy: another server "
		 "runs there; choose another with --listen)" : "");
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return rc;
bad:
	snprintf(msg, msglen, "--listen %s: expected HOST:PORT, [IPv6]:PORT "
		 "or :PORT", spec);
	return DW_EINVAL;
}

int dw_api_new(const struct dw_api_conf *conf, struct dw_api **out,
	       char *msg, size_t msglen)
{
	struct dw_api *a;
	struct dw_store *s = NULL;
	char dummy[8];
	int rc, fd = -1, v6 = 0;

	*out = NULL;
	if (!msg) {
		msg = dummy;
		msglen = sizeof(dummy);
	}
	msg[0] = 0;
	if (!conf->db_path || !conf->listen || conf->threads < 1 ||
	    conf->threads > 64 || conf->rate < 0 || conf->conn_limit < 1) {
		snprintf(msg, msglen, "invalid server configuration");
		return DW_EINVAL;
	}
	if (!(a = calloc(1, sizeof(*a))))
		return DW_ENOMEM;
	pthread_mutex_init(&a->mu, NULL);
	atomic_init(&a->gen, 1);
	a->log = conf->log;
	a->log_ctx = conf->log_ctx;
	a->rate = conf->rate;
	a->burst = conf->burst < 1 ? 1 : conf->burst;
	if (!(a->db = strdup(conf->db_path))) {
		rc = DW_ENOMEM;
		goto fail;
	}
	if ((rc = dw_store_open(a->db, DW_STORE_RDONLY, &s, msg, msglen)) < 0)
		goto fail;
	dw_store_close(s);
	if (conf->web_dir && (rc = dw_api_static_new(conf->web_dir, &a->st)) < 0) {
		snprintf(msg, msglen, "--web %s: %s", conf->web_dir,
			 rc == -ENOTDIR ? "not a directory" : strerror(-rc));
		goto fail;
	}
	if ((rc = dw_api_cache_new(conf->cache_bytes, CACHE_ENTRIES, &a->cache)) < 0 ||
	    (conf->rate > 0 &&
	     (rc = dw_api_rl_new(conf->rate, a->burst, &a->rl)) < 0))
		goto fail;
	if (!(a->openapi = dw_api_blob_new(dw_api_openapi_json,
					   dw_api_openapi_json_len))) {
		rc = DW_ENOMEM;
		goto fail;
	}
	if (pthread_key_create(&a->key, NULL)) {
		rc = DW_ENOMEM;
		goto fail;
	}
	a->key_ok = 1;
	if ((rc = listen_on(a, conf->listen, &fd, &v6, msg, msglen)) < 0)
		goto fail;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD;
	if (v6)
		flags |= MHD_USE_IPv6;
	if (a->log)
		flags |= MHD_USE_ERROR_LOG;
	a->d = MHD_start_daemon(
		flags, 0, NULL, NULL, handle, a,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, a,
		MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(conf->threads > 1 ? conf->threads : 0),
		MHD_OPTION_CONNECTION_LIMIT, conf->conn_limit,
		MHD_OPTION_CONNECTION_TIMEOUT, 30u,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)DW_API_REQUEST_MAX,
		MHD_OPTION_END);
	if (!a->d) {
		close(fd);
		snprintf(msg, msglen, "cannot start the HTTP server on %s",
			 conf->listen);
		rc = DW_EIO;
		goto fail;
	}
	*out = a;
	return 0;
fail:
	if (!msg[0])
		snprintf(msg, msglen, "%s", dw_strerror(rc));
	dw_api_free(a);
	return rc;
}

unsigned dw_api_port(const struct dw_api *a)
{
	return a->port;
}

const char *dw_api_url(const struct dw_api *a)
{
	return a->url;
}

void dw_api_free(struct dw_api *a)
{
	if (!a)
		return;
	if (a->d)
		MHD_stop_daemon(a->d);
	for (struct tctx *t = a->threads, *next; t; t = next) {
		next = t->next;
		dw_store_close(t->store);
		dw_buf_free(&t->key);
		free(t);
	}
	if (a->key_ok)
		pthread_key_delete(a->key);
	dw_api_blob_unref(a->openapi);
	dw_api_rl_free(a->rl);
	dw_api_cache_free(a->cache);
	dw_api_static_free(a->st);
	pthread_mutex_destroy(&a->mu);
	free(a->db);
	free(a);
}
