/*
 * probe_cmd.c - `darkwatch probe`: the active-probing signal (Trinocular).
 *
 * Sits at the start of the probing data flow: hitlist -> prober engine ->
 * per-entity tallies -> store (ping-slash24, ping-slash24-loss,
 * ping-slash24-latency), where the detectors and the API read them.
 * docs/PROBE.md describes the model, the formats and the safety design.
 *
 * Key decisions:
 *  - Privilege separation first: the blocklist is built and the sender
 *    forked (raw socket, CAP_NET_RAW only) before any other input is read;
 *    then this process drops every capability.  Hitlist, geo files, the
 *    store and every received byte are handled without privileges.
 *  - Rounds sit on the store's grid: a round covers [t, t + round) with t a
 *    multiple of the round length, which is the series' step.  The first
 *    round waits for the next boundary.  A round's results are written as
 *    soon as every block has settled (or the round's time is up).
 *  - Vantages: each prober writes its own series under the subtype
 *    "vp.NAME" and then recomputes the combined series (subtype ""), in the
 *    same transaction, from every vantage's series of that entity: up
 *    blocks summed (vantages probe disjoint hitlists, as IODA's probers
 *    do), loss and latency averaged.
 *  - SIGINT/SIGTERM end the round at once and keep its partial results.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <pwd.h>
#include <search.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "darkwatch/err.h"
#include "darkwatch/geo.h"
#include "darkwatch/probe.h"
#include "darkwatch/store.h"
#include "probe/tbucket.h"

#define MAX_GEO 8
#define MAX_BLOCKLISTS 8
#define BATCH 128
#define DS_N 3

static const char *const DS[DS_N] = {"ping-slash24", "ping-slash24-loss",
				     "ping-slash24-latency"};

static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

struct opts {
	const char *db, *targets, *vantage, *states, *send_log;
	const char *geo[MAX_GEO], *bl[MAX_BLOCKLISTS];
	int ngeo, nbl, allow_loopback;
	uint64_t rate;
	double round_s, timeout_s;
	long rounds;
};

/* An entity the blocks count towards, and its tally for the round. */
struct ent {
	char type[8], code[DW_GEO_REGION_MAX + 16], *name;
	uint32_t idx; /* position in run.ents + 1 */
	size_t blocks, up;
	uint64_t probes, replies;
	uint32_t *rtt;
	size_t nrtt, caprtt;
};

struct run {
	struct opts o;
	struct dw_store *db;
	struct dw_geo *geo;
	struct dw_hitlist *hl;
	struct dw_prober *pr;
	struct dw_sender *snd;
	void *tree;
	struct ent **ents;
	size_t nents, capents;
	uint32_t (*bent)[4]; /* per block: entity index + 1, 0 = none */
	char subtype[DW_STORE_NAME_MAX + 1];
	uint64_t rounds_done, points;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: darkwatch probe --db DB --targets FILE [--rate PPS]\n"
		"                       [--round SECONDS] [--rounds N] [--timeout SECONDS]\n"
		"                       [--blocklist FILE]... [--vantage NAME] [--geo FILE]...\n"
		"                       [--states FILE] [--send-log FILE] [--allow-loopback]\n\n"
		"Probe the /24 blocks of a hitlist with ICMP echo (Trinocular: a Bayesian\n"
		"belief per block, adaptive probes each round) and write per round and\n"
		"entity (country, region, asn, geoasn) the up blocks (ping-slash24), the\n"
		"loss %% (ping-slash24-loss) and the median RTT in ms\n"
		"(ping-slash24-latency).  Needs CAP_NET_RAW (root); only a small sender\n"
		"process keeps it.  See docs/PROBE.md.\n\n"
		"  --db DB             the store (created if missing)\n"
		"  --targets FILE      hitlist: CSV address,rate[,asn] or ISI history\n"
		"  --rate PPS          global cap on probes per second (default 1000)\n"
		"  --round SECONDS     round length and series step (default 600)\n"
		"  --rounds N          stop after N rounds (default: run until signalled)\n"
		"  --timeout SECONDS   a probe unanswered this long is lost (default 3)\n"
		"  --blocklist FILE    more prefixes never to probe (one per line);\n"
		"                      reserved and special-purpose ranges always are\n"
		"  --vantage NAME      this prober's name (default \"local\"); its own\n"
		"                      series have the subtype vp.NAME\n"
		"  --geo FILE          geolocation database (mmdb or CSV), repeatable\n"
		"  --states FILE       write every block's state (CSV) after each round\n"
		"  --send-log FILE     the sender logs each packet: \"sec.nsec address\"\n"
		"  --allow-loopback    TESTS ONLY: probe 127.0.0.0/8 and nothing else;\n"
		"                      refused unless every target is in 127.0.0.0/8\n\n"
		"Exit: 0 done or stopped by SIGINT/SIGTERM, 1 usage, 3 unreadable input\n"
		"or no CAP_NET_RAW.\n");
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"db", required_argument, 0, 'd'},
		{"targets", required_argument, 0, 't'},
		{"rate", required_argument, 0, 'r'},
		{"round", required_argument, 0, 'R'},
		{"rounds", required_argument, 0, 'n'},
		{"timeout", required_argument, 0, 'T'},
		{"blocklist", required_argument, 0, 'b'},
		{"vantage", required_argument, 0, 'v'},
		{"geo", required_argument, 0, 'g'},
		{"states", required_argument, 0, 's'},
		{"send-log", required_argument, 0, 'L'},
		{"allow-loopback", no_argument, 0, 'A'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	char *end;
	int c;
	memset(o, 0, sizeof(*o));
	o->rate = 1000;
	o->round_s = 600;
	o->timeout_s = 3;
	o->vantage = "local";
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 't': o->targets = optarg; break;
		case 'v': o->vantage = optarg; break;
		case 's': o->states = optarg; break;
		case 'L': o->send_log = optarg; break;
		case 'A': o->allow_loopback = 1; break;
		case 'r': {
			errno = 0;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (*end || errno || v < 1 || v > DW_TBUCKET_RATE_MAX)
				return fprintf(stderr, "darkwatch probe: --rate must be 1..%u\n",
					       DW_TBUCKET_RATE_MAX), -1;
			o->rate = v;
			break;
		}
		case 'R':
			o->round_s = strtod(optarg, &end);
			if (*end || !(o->round_s >= 1 && o->round_s <= 86400) ||
			    o->round_s != floor(o->round_s))
				return fprintf(stderr, "darkwatch probe: --round must be "
					       "whole seconds, 1..86400\n"), -1;
			break;
		case 'T':
			o->timeout_s = strtod(optarg, &end);
			if (*end || !(o->timeout_s >= 0.001 && o->timeout_s <= 60))
				return fprintf(stderr, "darkwatch probe: --timeout must be "
					       "0.001..60 seconds\n"), -1;
			break;
		case 'n':
			o->rounds = strtol(optarg, &end, 10);
			if (*end || o->rounds < 1)
				return fprintf(stderr, "darkwatch probe: --rounds must be >= 1\n"), -1;
			break;
		case 'b':
			if (o->nbl == MAX_BLOCKLISTS)
				return fprintf(stderr, "darkwatch probe: too many --blocklist\n"), -1;
			o->bl[o->nbl++] = optarg;
			break;
		case 'g':
			if (o->ngeo == MAX_GEO)
				return fprintf(stderr, "darkwatch probe: too many --geo\n"), -1;
			o->geo[o->ngeo++] = optarg;
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc)
		return fprintf(stderr, "darkwatch probe: unexpected argument %s\n",
			       argv[optind]), -1;
	if (!o->db || !o->targets)
		return fprintf(stderr, "darkwatch probe: --db and --targets are required\n"), -1;
	if (o->timeout_s >= o->round_s)
		return fprintf(stderr, "darkwatch probe: --timeout must be shorter than --round\n"), -1;
	if (strlen(o->vantage) + 3 > DW_STORE_NAME_MAX ||
	    !dw_store_subtype_valid(o->vantage) || !o->vantage[0])
		return fprintf(stderr, "darkwatch probe: --vantage: 1..61 of [A-Za-z0-9._-]\n"), -1;
	return 0;
}

/* ------------------------------------------------------------ entities */

static int ent_cmp(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;
	int d = strcmp(x->type, y->type);
	return d ? d : strcmp(x->code, y->code);
}

/* Index + 1 of entity (type, code), created if new; 0 on no memory. */
static uint32_t ent_get(struct run *r, const char *type, const char *code,
			const char *name)
{
	struct ent key, *e, **found;
	memset(&key, 0, sizeof(key));
	snprintf(key.type, sizeof(key.type), "%s", type);
	snprintf(key.code, sizeof(key.code), "%s", code);
	if ((found = tfind(&key, &r->tree, ent_cmp)))
		return (*found)->idx;
	if (r->nents == r->capents) {
		size_t nc = r->capents ? r->capents * 2 : 64;
		struct ent **ne = realloc(r->ents, nc * sizeof(*ne));
		if (!ne)
			return 0;
		r->ents = ne;
		r->capents = nc;
	}
	if (!(e = calloc(1, sizeof(*e))))
		return 0;
	*e = key;
	e->name = name ? strdup(name) : NULL;
	e->idx = (uint32_t)r->nents + 1;
	if (!tsearch(e, &r->tree, ent_cmp)) {
		free(e->name);
		free(e);
		return 0;
	}
	r->ents[r->nents++] = e;
	return e->idx;
}

static int map_blocks(struct run *r)
{
	size_t n = dw_hitlist_count(r->hl);
	if (!(r->bent = calloc(n ? n : 1, sizeof(*r->bent))))
		return DW_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct dw_hitlist_block *b = dw_hitlist_block(r->hl, i);
		const struct dw_geo_result *g = NULL;
		char code[DW_GEO_REGION_MAX + 16];
		int k = 0;
		if (!dw_hitlist_eligible(b))
			continue;
		if (r->geo && dw_geo_lookup_v4(r->geo, b->base, &g) > 0 &&
		    g->country[0]) {
			r->bent[i][k++] = ent_get(r, "country", g->country,
						  dw_country_name(g->country));
			if (g->region[0])
				r->bent[i][k++] = ent_get(r, "region", g->region,
							  g->region_name);
		}
		if (b->asn) {
			snprintf(code, sizeof(code), "%" PRIu32, b->asn);
			r->bent[i][k++] = ent_get(r, "asn", code, NULL);
			if (g && g->country[0]) {
				snprintf(code, sizeof(code), "%" PRIu32 "-%s",
					 b->asn, g->country);
				r->bent[i][k++] = ent_get(r, "geoasn", code, NULL);
			}
		}
		for (int j = 0; j < k; j++)
			if (!r->bent[i][j])
				return DW_ENOMEM;
	}
	return 0;
}

/* ------------------------------------------------------------- tallies */

static int rtt_add(struct ent *e, const uint32_t *v, size_t n)
{
	if (!n)
		return 0;
	if (e->nrtt + n > e->caprtt) {
		size_t nc = e->caprtt ? e->caprtt * 2 : 64;
		while (nc < e->nrtt + n)
			nc *= 2;
		uint32_t *p = realloc(e->rtt, nc * sizeof(*p));
		if (!p)
			return DW_ENOMEM;
		e->rtt = p;
		e->caprtt = nc;
	}
	memcpy(e->rtt + e->nrtt, v, n * sizeof(*v));
	e->nrtt += n;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static int tally(struct run *r, size_t *up, size_t *down, size_t *unc,
		 size_t *elig)
{
	for (size_t e = 0; e < r->nents; e++) {
		struct ent *x = r->ents[e];
		x->blocks = x->up = 0;
		x->probes = x->replies = 0;
		x->nrtt = 0;
	}
	*up = *down = *unc = *elig = 0;
	for (size_t i = 0; i < dw_prober_count(r->pr); i++) {
		struct dw_prober_block_info bi;
		uint32_t rtt[DW_PROBE_MAX_PER_ROUND];
		dw_prober_block(r->pr, i, &bi);
		if (!bi.eligible)
			continue;
		(*elig)++;
		*up += bi.state == DW_BS_UP;
		*down += bi.state == DW_BS_DOWN;
		*unc += bi.instant == DW_BS_UNCERTAIN;
		size_t nr = dw_prober_rtts(r->pr, i, rtt);
		for (int k = 0; k < 4 && r->bent[i][k]; k++) {
			struct ent *x = r->ents[r->bent[i][k] - 1];
			x->blocks++;
			x->up += bi.state == DW_BS_UP;
			x->probes += bi.probes;
			x->replies += bi.replies;
			if (rtt_add(x, rtt, nr) < 0)
				return DW_ENOMEM;
		}
	}
	return 0;
}

/* ------------------------------------------------------------- writing */

struct vp_series {
	int ds;
	char subtype[DW_STORE_NAME_MAX + 1];
};

struct vp_list {
	struct vp_series v[64];
	int n;
};

static int vp_cb(void *ctx, const struct dw_store_series_row *row)
{
	struct vp_list *l = ctx;
	if (strncmp(row->subtype, "vp.", 3) || l->n == 64)
		return 0;
	for (int d = 0; d < DS_N; d++)
		if (!strcmp(row->datasource, DS[d])) {
			l->v[l->n].ds = d;
			snprintf(l->v[l->n].subtype, sizeof(l->v[l->n].subtype),
				 "%s", row->subtype);
			l->n++;
		}
	return 0;
}

struct one_point {
	int found;
	double v;
};

static int point_cb(void *ctx, int64_t t, double v)
{
	struct one_point *p = ctx;
	(void)t;
	p->found = 1;
	p->v = v;
	return 0;
}

static int put(struct run *r, int64_t eid, const char *ds, const char *sub,
	       int64_t t, double v)
{
	int64_t sid;
	int rc = dw_store_series(r->db, ds, eid, sub, (int64_t)r->o.round_s, &sid);
	if (rc < 0 || (rc = dw_store_put(r->db, sid, t, v)) < 0)
		return rc;
	r->points++;
	return 0;
}

/* The combined series of one entity at t, from every vantage's series. */
static int combine(struct run *r, const struct ent *x, int64_t eid, int64_t t)
{
	struct vp_list l = {.n = 0};
	double sum[DS_N] = {0};
	int cnt[DS_N] = {0};
	int rc = dw_store_series_list(r->db, eid, 0, vp_cb, &l);
	if (rc < 0)
		return rc;
	for (int i = 0; i < l.n; i++) {
		struct one_point p = {0, 0};
		rc = dw_store_query_points(r->db, DS[l.v[i].ds], x->type, x->code,
					   l.v[i].subtype, t, t + 1, point_cb, &p);
		if (rc < 0 && rc != -ENOENT)
			return rc;
		if (p.found) {
			sum[l.v[i].ds] += p.v;
			cnt[l.v[i].ds]++;
		}
	}
	for (int d = 0; d < DS_N; d++) {
		if (!cnt[d])
			continue;
		double v = d == 0 ? sum[d] : sum[d] / cnt[d];
		if ((rc = put(r, eid, DS[d], "", t, v)) < 0)
			return rc;
	}
	return 0;
}

static int write_round(struct run *r, int64_t t)
{
	int rc = dw_store_begin(r->db);
	if (rc < 0)
		return rc;
	for (size_t e = 0; e < r->nents; e++) {
		struct ent *x = r->ents[e];
		int64_t eid;
		if (!x->blocks)
			continue;
		if ((rc = dw_store_entity(r->db, x->type, x->code, x->name, &eid)) < 0)
			goto fail;
		if ((rc = put(r, eid, DS[0], r->subtype, t, (double)x->up)) < 0)
			goto fail;
		if (x->probes &&
		    (rc = put(r, eid, DS[1], r->subtype, t,
			      100.0 * (double)(x->probes - x->replies) /
				      (double)x->probes)) < 0)
			goto fail;
		if (x->nrtt) {
			qsort(x->rtt, x->nrtt, sizeof(*x->rtt), cmp_u32);
			double med = x->nrtt % 2 ? x->rtt[x->nrtt / 2]
				   : ((double)x->rtt[x->nrtt / 2 - 1] +
				      x->rtt[x->nrtt / 2]) / 2;
			if ((rc = put(r, eid, DS[2], r->subtype, t, med / 1000.0)) < 0)
				goto fail;
		}
		if ((rc = combine(r, x, eid, t)) < 0)
			goto fail;
	}
	if ((rc = dw_store_commit(r->db)) < 0)
		goto fail;
	return 0;
fail:
	dw_store_rollback(r->db);
	return rc;
}

static int write_states(struct run *r, int64_t t)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", r->o.states);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "block,state,belief,probes,replies,a,addresses,eligible,round\n");
	for (size_t i = 0; i < dw_prober_count(r->pr); i++) {
		struct dw_prober_block_info bi;
		const struct dw_hitlist_block *b = dw_hitlist_block(r->hl, i);
		dw_prober_block(r->pr, i, &bi);
		fprintf(f, "%u.%u.%u.0/24,%s,%.6f,%u,%u,%.4f,%u,%d,%" PRId64 "\n",
			b->base >> 24, b->base >> 16 & 255, b->base >> 8 & 255,
			bi.eligible ? dw_block_state_name(bi.state) : "unprobed",
			bi.belief, bi.probes, bi.replies, b->a, b->naddr,
			bi.eligible, t);
	}
	int bad = ferror(f);
	if (fclose(f) != 0 || bad)
		return DW_EIO;
	return rename(tmp, r->o.states) < 0 ? -errno : 0;
}

/* ------------------------------------------------------------- probing */

static void on_rx(void *ctx, const uint8_t *ip, size_t len, uint64_t t_ns)
{
	dw_prober_reply(ctx, ip, len, t_ns);
}

/* Sleep until t_ns (realtime) or a signal.  1 if reached, 0 if stopped. */
static int sleep_until(struct run *r, uint64_t t_ns)
{
	for (;;) {
		uint64_t now = dw_probe_now_ns();
		if (stop_sig)
			return 0;
		if (now >= t_ns)
			return 1;
		uint64_t w = t_ns - now;
		int ms = w > 50000000 ? 50 : (int)(w / 1000000) + 1;
		struct pollfd pf = {dw_sender_fd(r->snd), POLLIN, 0};
		if (poll(&pf, 1, ms) > 0 && dw_sender_recv(r->snd, NULL, NULL) < 0)
			return 0; /* stray replies between rounds: dropped */
	}
}

/* One round from now to end_ns (or until every block settled). */
static int do_round(struct run *r, struct dw_tbucket *tb, uint64_t end_ns)
{
	uint32_t dst[BATCH];
	uint8_t pkt[BATCH][DW_PROBE_PKT_LEN];
	int rc;

	dw_prober_round_start(r->pr, dw_probe_now_ns());
	while (!stop_sig) {
		uint64_t now = dw_probe_now_ns();
		if (now >= end_ns || !dw_prober_busy(r->pr))
			break;
		dw_prober_tick(r->pr, now);
		size_t n = 0;
		while (n < BATCH && dw_tbucket_take(tb, now)) {
			if (!dw_prober_next(r->pr, now, &dst[n], pkt[n])) {
				/* return the token: nothing to send */
				tb->credit += 1000000000ull;
				break;
			}
			n++;
		}
		if (n && (rc = dw_sender_send(r->snd, dst, (const uint8_t (*)[DW_PROBE_PKT_LEN])pkt, n)) < 0)
			return rc;
		uint64_t w = dw_prober_next_timeout(r->pr, now);
		uint64_t tw = dw_tbucket_wait_ns(tb, now);
		if (tw < w)
			w = tw;
		if (end_ns - now < w)
			w = end_ns - now;
		int ms = w >= 50000000 ? 50 : (int)(w / 1000000);
		/* Never spin: unless the batch was full, wait at least 1 ms, so
		 * tokens gather into batches (rate/1000 probes a message) and
		 * replies are read in bursts.  Spinning on a token every 50 us
		 * was half of a core at 20,000 probes/s (bench/README.md). */
		if (ms == 0 && n < BATCH)
			ms = 1;
		struct pollfd pf = {dw_sender_fd(r->snd), POLLIN, 0};
		if (poll(&pf, 1, ms) > 0 &&
		    (rc = dw_sender_recv(r->snd, on_rx, r->pr)) < 0)
			return rc;
	}
	dw_prober_round_end(r->pr);
	return 0;
}

static int loop(struct run *r)
{
	uint64_t step = (uint64_t)r->o.round_s * 1000000000ull;
	uint64_t t = (dw_probe_now_ns() / step + 1) * step;
	struct dw_tbucket tb;
	int rc;

	dw_tbucket_init(&tb, r->o.rate, dw_probe_now_ns());
	while (!r->o.rounds || r->rounds_done < (uint64_t)r->o.rounds) {
		if (!sleep_until(r, t))
			break;
		if ((rc = do_round(r, &tb, t + step)) < 0)
			return rc;
		size_t up, down, unc, elig;
		struct dw_prober_stats st;
		if ((rc = tally(r, &up, &down, &unc, &elig)) < 0 ||
		    (rc = write_round(r, (int64_t)(t / 1000000000ull))) < 0) {
			fprintf(stderr, "darkwatch probe: store: %s (%s)\n",
				dw_strerror(rc), dw_store_errmsg(r->db));
			return rc;
		}
		if (r->o.states && (rc = write_states(r, (int64_t)(t / 1000000000ull))) < 0)
			fprintf(stderr, "darkwatch probe: %s: %s\n", r->o.states,
				dw_strerror(rc));
		dw_prober_stats(r->pr, &st);
		fprintf(stderr,
			"darkwatch probe: round %" PRIu64 "%s: %zu up, %zu down, %zu "
			"uncertain of %zu blocks; total sent %" PRIu64 ", replies %" PRIu64
			", timeouts %" PRIu64 ", late %" PRIu64 ", duplicate %" PRIu64
			", invalid %" PRIu64 "\n",
			(uint64_t)(t / 1000000000ull), stop_sig ? " (interrupted)" : "", up, down,
			unc, elig, st.sent, st.replies[DW_RK_OK], st.timeouts,
			st.replies[DW_RK_LATE], st.replies[DW_RK_DUP],
			st.replies[DW_RK_INVALID]);
		r->rounds_done++;
		t += step;
	}
	return 0;
}

/* ---------------------------------------------------------------- main */

static int setup_sender(struct run *r, struct dw_blocklist *bl)
{
	struct dw_sender_conf sc = {r->o.rate, bl, -1, -1};
	struct passwd *pw = getpwnam("nobody");
	int rc;
	sc.drop_uid = pw ? (int)pw->pw_uid : 65534;
	if (r->o.send_log &&
	    (sc.log_fd = open(r->o.send_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			      0644)) < 0) {
		fprintf(stderr, "darkwatch probe: %s: %s\n", r->o.send_log,
			strerror(errno));
		return DW_EXIT_UNREADABLE;
	}
	if ((rc = dw_sender_spawn(&sc, &r->snd)) < 0) {
		fprintf(stderr, "darkwatch probe: cannot open a raw ICMP socket: %s%s\n",
			dw_strerror(rc), rc == -EPERM ? " (needs CAP_NET_RAW: run "
			"as root)" : "");
		return DW_EXIT_UNREADABLE;
	}
	if ((rc = dw_priv_drop_all()) < 0) {
		fprintf(stderr, "darkwatch probe: cannot drop capabilities: %s\n",
			dw_strerror(rc));
		return DW_EXIT_UNREADABLE;
	}
	return 0;
}

static int load_inputs(struct run *r, const struct dw_blocklist *bl)
{
	struct dw_hitlist_info hi;
	char msg[512];
	int rc;
	if ((rc = dw_hitlist_load(r->o.targets, &r->hl, &hi)) < 0) {
		fprintf(stderr, "darkwatch probe: %s: %s\n", r->o.targets, dw_strerror(rc));
		return DW_EXIT_UNREADABLE;
	}
	if (hi.bad_rows)
		fprintf(stderr, "darkwatch probe: %s: %" PRIu64 " malformed rows skipped "
			"(first: line %" PRIu64 ", %s)\n", r->o.targets, hi.bad_rows,
			hi.first_bad_line, hi.first_bad_reason);
	struct dw_prober_conf pc = DW_PROBER_CONF_DEFAULT;
	pc.timeout_ns = (uint64_t)(r->o.timeout_s * 1e9);
	if (getrandom(pc.key, sizeof(pc.key), 0) != sizeof(pc.key) ||
	    getrandom(&pc.seed, sizeof(pc.seed), 0) != sizeof(pc.seed)) {
		fprintf(stderr, "darkwatch probe: no randomness for the key\n");
		return DW_EXIT_UNREADABLE;
	}
	if ((rc = dw_prober_new(&pc, r->hl, &r->pr)) < 0)
		return fprintf(stderr, "darkwatch probe: %s\n", dw_strerror(rc)), DW_EXIT_UNREADABLE;
	size_t excluded = 0;
	for (size_t i = 0; i < dw_hitlist_count(r->hl); i++) {
		const struct dw_hitlist_block *b = dw_hitlist_block(r->hl, i);
		if (r->o.allow_loopback && (b->base >> 24) != 127) {
			fprintf(stderr, "darkwatch probe: --allow-loopback: target "
				"%u.%u.%u.0/24 is outside 127.0.0.0/8; refusing to run\n",
				b->base >> 24, b->base >> 16 & 255, b->base >> 8 & 255);
			return DW_EXIT_USAGE;
		}
		for (int k = 0; k < b->naddr; k++)
			if (dw_blocklist_blocked(bl, b->base | b->octets[k])) {
				dw_prober_exclude(r->pr, i);
				excluded++;
				break;
			}
	}
	fprintf(stderr, "darkwatch probe: %zu blocks, %zu eligible (|E| >= 15, "
		"A >= 0.1), %zu excluded by the blocklist\n", hi.blocks, hi.eligible,
		excluded);
	if (r->o.ngeo && dw_geo_open(&r->geo) < 0)
		return DW_EXIT_UNREADABLE;
	for (int i = 0; i < r->o.ngeo; i++)
		if ((rc = dw_geo_add_file(r->geo, r->o.geo[i])) < 0) {
			fprintf(stderr, "darkwatch probe: %s: %s\n", r->o.geo[i], dw_strerror(rc));
			return DW_EXIT_UNREADABLE;
		}
	if ((rc = map_blocks(r)) < 0)
		return DW_EXIT_UNREADABLE;
	if ((rc = dw_store_open(r->o.db, DW_STORE_RDWR, &r->db, msg, sizeof(msg))) < 0) {
		fprintf(stderr, "darkwatch probe: %s: %s\n", r->o.db, msg);
		return DW_EXIT_UNREADABLE;
	}
	return 0;
}

static int make_blocklist(struct run *r, struct dw_blocklist **out)
{
	uint64_t bad = 0;
	int rc;
	if (dw_blocklist_new(out) < 0)
		return DW_EXIT_UNREADABLE;
	for (int i = 0; i < r->o.nbl; i++)
		if ((rc = dw_blocklist_load(*out, r->o.bl[i], &bad)) < 0) {
			if (rc == DW_EMALFORMED)
				fprintf(stderr, "darkwatch probe: %s:%" PRIu64 ": not an "
					"IPv4 prefix\n", r->o.bl[i], bad);
			else
				fprintf(stderr, "darkwatch probe: %s: %s\n", r->o.bl[i],
					dw_strerror(rc));
			return DW_EXIT_UNREADABLE;
		}
	if (r->o.allow_loopback)
		dw_blocklist_loopback_only(*out);
	return 0;
}

static void free_nothing(void *p)
{
	(void)p; /* the entities are freed through r->ents */
}

int dw_cmd_probe(int argc, char **argv)
{
	static struct run R; /* one run per process */
	struct run *r = &R;
	struct dw_blocklist *bl = NULL;
	struct dw_sender_stats ss = {0, 0, 0, 0, 0};
	int rc, ret = DW_EXIT_OK;

	if (argc > 1 && dw_is_help(argv[1]))
		return usage(stdout), 0;
	if (parse_opts(argc, argv, &r->o) < 0)
		return DW_EXIT_USAGE;
	snprintf(r->subtype, sizeof(r->subtype), "vp.%s", r->o.vantage);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((ret = make_blocklist(r, &bl)) != 0 || (ret = setup_sender(r, bl)) != 0 ||
	    (ret = load_inputs(r, bl)) != 0)
		goto out;
	fprintf(stderr, "darkwatch probe: vantage %s, %" PRIu64 " probes/s, rounds of "
		"%.0f s, sender pid %d\n", r->o.vantage, r->o.rate, r->o.round_s,
		dw_sender_pid(r->snd));
	if ((rc = loop(r)) < 0) {
		fprintf(stderr, "darkwatch probe: %s\n", dw_strerror(rc));
		ret = DW_EXIT_UNREADABLE;
	}
out:
	dw_sender_close(r->snd, &ss);
	if (r->snd)
		fprintf(stderr, "darkwatch probe: sender: sent %" PRIu64 ", refused by "
			"the blocklist %" PRIu64 ", bad requests %" PRIu64 ", send errors %"
			PRIu64 ", received %" PRIu64 "; %" PRIu64 " rounds, %" PRIu64
			" points written\n", ss.sent, ss.refused, ss.bad_requests,
			ss.send_errors, ss.received, r->rounds_done, r->points);
	dw_store_close(r->db);
	dw_prober_free(r->pr);
	dw_hitlist_free(r->hl);
	dw_geo_free(r->geo);
	for (size_t i = 0; i < r->nents; i++) {
		free(r->ents[i]->name);
		free(r->ents[i]->rtt);
		free(r->ents[i]);
	}
	tdestroy(r->tree, free_nothing);
	free(r->ents);
	free(r->bent);
	dw_blocklist_free(bl);
	return ret;
}
