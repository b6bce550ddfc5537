/*
 * cib.h - the coordinated-account engine: which accounts act together.
 *
 * Input is a stream of actions (account a shared object o at time t), one
 * trace at a time (a retweeted post, a URL, a domain, a hashtag, an image
 * hash, a near-duplicate text), delivered by the caller in (object, t,
 * account) order through a scan callback that may be called more than once.
 * Output is networks: groups of accounts that share the same objects within
 * a time window far more often than chance, with their edges, evidence and
 * a score.  No I/O here: the store (cib_store.h) feeds the engine and keeps
 * its results; docs/CIB.md explains every parameter and its default.
 *
 *   struct dw_cib_conf c = DW_CIB_CONF_DEFAULT;
 *   dw_cib_detect(&c, &src, &res);   // src: scan callbacks + counts
 *   ... res->net[i] ...
 *   dw_cib_result_free(res);
 */
#ifndef DARKWATCH_CIB_H
#define DARKWATCH_CIB_H

#include <stddef.h>
#include <stdint.h>

enum dw_cib_trace {
	DW_CIB_RETWEET = 0, /* a shared post: retweet, repost, share */
	DW_CIB_URL = 1,     /* a URL, normalised (docs/CIB.md) */
	DW_CIB_DOMAIN = 2,  /* the registrable host of a URL */
	DW_CIB_HASHTAG = 3, /* lower-cased, without '#' */
	DW_CIB_IMAGE = 4,   /* an image hash as given */
	DW_CIB_TEXT = 5,    /* near-duplicate text (MinHash/LSH clusters) */
	DW_CIB__NTRACE
};

/* "retweet", "url", ...; NULL for an unknown value. */
const char *dw_cib_trace_name(int trace);
/* The trace named s, or -1. */
int dw_cib_trace_parse(const char *s);

struct dw_cib_conf {
	int64_t window;        /* seconds: co-actions at most this far apart */
	unsigned traces;       /* bit (1 << trace) per trace used */
	int min_repeat;        /* an edge needs this many distinct objects
				  co-shared in window, in one trace (the
				  same event through a retweet, its URL and
				  its domain is not a repetition) */
	double min_weight;     /* and a normalised fused weight >= this */
	double quantile;       /* and a weight >= this quantile of the
				  candidate edges' weights (0: off) */
	int min_size;          /* smallest network reported */
	double popular_share;  /* objects shared by more than this share of
				  all accounts (and more than popular_min)
				  are ignored and counted */
	int popular_min;
	double text_jaccard;   /* near-duplicate texts: estimated Jaccard of
				  word shingles >= this */
	int text_min_len;      /* texts shorter than this (bytes) ignored */
	double resolution;     /* Leiden/Louvain resolution */
	uint64_t seed;         /* MinHash and community detection */
	size_t mem_limit;      /* bytes for the pair table before spilling
				  sorted runs to temporary files */
	int max_evidence;      /* evidence rows kept per network */
	int max_top;           /* top objects kept per network and trace */
	double max_chance;     /* an edge under the weight cut is kept all the
				  same when P(>= shared co-actions by chance,
				  given both accounts' activity) <= this
				  (0: off); docs/CIB.md */
};
/* Defaults; docs/CIB.md gives the reason for each. */
#define DW_CIB_CONF_DEFAULT                                                   \
	{60, 0x3f, 3, 0.2, 0.0, 3, 0.01, 50, 0.5, 40, 1.0, 1, (size_t)1 << 28, \
	 200, 10, 1e-5}

/* One action as the scan delivers it.  Ids are the store's (dense from 1,
 * at most naccounts / nobjects). */
struct dw_cib_action {
	uint32_t object;
	uint32_t account;
	int64_t t;
	int64_t post;
};
typedef int (*dw_cib_action_fn)(void *ctx, const struct dw_cib_action *a);
/* One post with text (for the text trace). */
struct dw_cib_text {
	int64_t post;
	uint32_t account;
	int64_t t;
	const char *text; /* valid during the callback only */
	size_t len;
};
typedef int (*dw_cib_text_fn)(void *ctx, const struct dw_cib_text *p);

/*
 * Where the actions come from.  scan() calls fn for every action of trace
 * (never DW_CIB_TEXT) in (object, t, account) order and returns 0, or the
 * first negative value fn or the source returned.  texts() calls fn for
 * every post that has text, in any order.  Either may be called several
 * times.
 */
struct dw_cib_source {
	void *ctx;
	int (*scan)(void *ctx, int trace, dw_cib_action_fn fn, void *fctx);
	int (*texts)(void *ctx, dw_cib_text_fn fn, void *fctx);
	uint32_t naccounts; /* highest account id */
	uint32_t nobjects;  /* highest object id */
};

/* Progress: stage name and a fraction 0..1; may be NULL. */
typedef void (*dw_cib_progress_fn)(void *ctx, const char *stage, double frac);

struct dw_cib_edge {
	uint32_t a, b;     /* account ids, a < b */
	double weight;     /* normalised fused weight */
	uint32_t shared;   /* distinct objects co-shared in window */
	unsigned traces;   /* bit per trace that contributed */
};

struct dw_cib_evidence {
	uint32_t object;   /* object id; for DW_CIB_TEXT: the text cluster
			      (see dw_cib_result.text_post) */
	int trace;
	uint32_t a, b;
	int64_t ta, tb;
};

struct dw_cib_top {
	uint32_t object;
	int trace;
	uint32_t count;    /* members' shares of it */
};

struct dw_cib_member {
	uint32_t account;
	double strength;   /* sum of its edge weights inside the network */
};

struct dw_cib_network {
	uint32_t id;       /* 1.. by score, descending */
	double score;
	int64_t first_t, last_t; /* members' co-actions in window */
	unsigned traces;
	struct dw_cib_member *members;
	size_t nmembers;
	struct dw_cib_edge *edges;
	size_t nedges;
	struct dw_cib_evidence *evidence;
	size_t nevidence;
	struct dw_cib_top *top;
	size_t ntop;
};

struct dw_cib_stats {
	uint64_t actions[DW_CIB__NTRACE];
	uint64_t popular_objects;  /* ignored as too popular */
	uint64_t popular_actions;
	uint64_t texts, text_clusters;   /* texts in a cluster of >= 2 */
	uint64_t window_pairs;     /* (pair, object) co-actions counted */
	uint64_t candidate_pairs;  /* distinct account pairs seen */
	uint64_t edges;            /* kept after the thresholds */
	uint64_t spilled_runs;
	double weight_cut;         /* the weight threshold applied */
	size_t peak_pair_bytes;
	uint64_t chance_edges;     /* edges kept under weight_cut by the
				      max_chance test */
};

struct dw_cib_result {
	struct dw_cib_network *net;
	size_t nnet;
	struct dw_cib_stats st;
	/* DW_CIB_TEXT objects are text clusters numbered from 1; the cluster's
	 * representative post id (its earliest post, for showing its text) is
	 * text_post[id].  ntext_post = clusters + 1 (text_post[0] is 0), or 0
	 * when the text trace did not run. */
	int64_t *text_post;
	size_t ntext_post;
};

/*
 * Run the whole detection.  0 and *out (owned: dw_cib_result_free), or a
 * negative code (DW_EINVAL for a bad conf, DW_EMALFORMED when the source
 * gives an id above naccounts / nobjects or actions out of order,
 * DW_ENOMEM, -errno for temporary files, or what the source returned).
 * In each network: members by strength (descending), edges in (a, b)
 * order, evidence by time, top objects trace by trace, by count.
 * progress (may be NULL) gets the stages "text", "pairs <trace>", "fuse",
 * "communities", "evidence" and "done".
 */
int dw_cib_detect(const struct dw_cib_conf *conf,
		  const struct dw_cib_source *src, dw_cib_progress_fn progress,
		  void *pctx, struct dw_cib_result **out);
void dw_cib_result_free(struct dw_cib_result *r);

/*
 * Every candidate pair before any threshold (for brute-force checks and
 * benchmarks): fn gets each pair of accounts that co-acted within the
 * window at least once, a < b, in (a, b) order, with its shared count,
 * fused weight and traces, exactly as dw_cib_detect computes them.  fn's
 * non-zero return stops the walk and is returned.  0, or the errors of
 * dw_cib_detect.
 */
int dw_cib_pairs_dump(const struct dw_cib_conf *conf,
		      const struct dw_cib_source *src,
		      int (*fn)(void *ctx, const struct dw_cib_edge *e),
		      void *ctx);

#endif
