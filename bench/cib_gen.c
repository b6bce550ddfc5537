/*
 * cib_gen.c - synthetic social-media activity with planted coordinated
 * networks, for the `cib` benchmark and tests (bench/cib_bench.sh).
 *
 * Real activity exports are small or not shareable; a benchmark of the
 * coordinated-account engine needs millions of posts whose statistics
 * stress it the way real data does: a few objects shared by very many
 * accounts (Zipf popularity), bursts right after an object appears, a long
 * tail of hyperactive accounts, several traces per post.  Into that organic
 * background it plants networks of known membership that act together.
 *
 *   cib_gen --out FILE.csv [--truth FILE.csv] [--posts 10000000]
 *           [--accounts 1000000] [--objects 2000000] [--days 30]
 *           [--networks 20] [--seed 1]
 *
 * Output: the generic CSV layout of `darkwatch cib import --format generic`
 * (docs/CIB.md): account,post,time,shared,url,hashtags,text.  Truth:
 * account,network for every planted account.
 *
 * Organic model: each post's account is drawn by activity (Zipf, s = 0.9,
 * so the top accounts post thousands of times); 70% of posts share an
 * object drawn by Zipf popularity (s = 1.0) at the object's birth time plus
 * an exponential delay (mean 4 h); 20% carry a URL (300k URLs on 20k
 * domains, Zipf), 30% one or two hashtags (50k, Zipf), 5% an original
 * text.  Planted network k: 5..50 members; 25 campaign events, each on a
 * new object (and a URL/hashtag for some networks, a paraphrased text for
 * others); at each event every member takes part with probability p
 * (0.5..0.9), within a jitter of 5..50 s.  Members also post organically.
 *
 * Deterministic: the output depends only on the options (own PRNG).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1700000000LL /* 2023-11-14T22:13:20Z */

static uint64_t rng_s;

static uint64_t rnd(void)
{
	uint64_t z = (rng_s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double unif(void)
{
	return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0);
}

/* Zipf sampler over 1..n by a cumulative table and binary search. */
struct zipf {
	double *cdf;
	uint32_t n;
};

static int zipf_init(struct zipf *z, uint32_t n, double s)
{
	z->n = n;
	z->cdf = malloc((size_t)n * sizeof(double));
	if (!z->cdf)
		return -1;
	double acc = 0;
	for (uint32_t i = 0; i < n; i++) {
		acc += 1.0 / pow((double)i + 1, s);
		z->cdf[i] = acc;
	}
	for (uint32_t i = 0; i < n; i++)
		z->cdf[i] /= acc;
	return 0;
}

static uint32_t zipf_draw(const struct zipf *z)
{
	double u = unif();
	uint32_t lo = 0, hi = z->n - 1;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (z->cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo + 1;
}

/* Ranks are scrambled so popular ids are not the small ones. */
static uint32_t scramble(uint32_t r, uint32_t n)
{
	return (uint32_t)(((uint64_t)r * 2654435761u) % n) + 1;
}

static const char *const words[] = {
	"the", "people", "vote", "freedom", "government", "protest", "city",
	"today", "news", "truth", "lies", "media", "support", "against",
	"leader", "strong", "nation", "future", "enemy", "west", "peace",
	"war", "economy", "prices", "fuel", "youth", "streets", "police",
	"election", "rights", "women", "life", "justice", "tomorrow", "unity",
	"foreign", "agents", "chaos", "order", "security", "victory", "shame",
	"brave", "heroes", "martyrs", "internet", "shutdown", "blackout",
	"families", "workers"};
#define NWORDS (sizeof(words) / sizeof(words[0]))

static void put_text(FILE *f, uint64_t seed, int paraphrase)
{
	/* a 12-word message from its seed; a paraphrase changes 1-2 words */
	uint64_t save = rng_s;
	rng_s = seed;
	uint32_t w[12];
	for (int i = 0; i < 12; i++)
		w[i] = (uint32_t)(rnd() % NWORDS);
	rng_s = save;
	if (paraphrase) {
		int k = 1 + (int)(rnd() % 2);
		for (int j = 0; j < k; j++)
			w[rnd() % 12] = (uint32_t)(rnd() % NWORDS);
	}
	for (int i = 0; i < 12; i++)
		fprintf(f, "%s%s", i ? " " : "", words[w[i]]);
}

struct opts {
	const char *out, *truth;
	uint64_t posts;
	uint32_t accounts, objects;
	int days, networks;
	uint64_t seed;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: cib_gen --out FILE.csv [--truth FILE.csv] "
		   "[--posts N] [--accounts N] [--objects N] [--days N] "
		   "[--networks N] [--seed N]\n");
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"out", required_argument, 0, 'o'},
		{"truth", required_argument, 0, 't'},
		{"posts", required_argument, 0, 'p'},
		{"accounts", required_argument, 0, 'a'},
		{"objects", required_argument, 0, 'b'},
		{"days", required_argument, 0, 'd'},
		{"networks", required_argument, 0, 'n'},
		{"seed", required_argument, 0, 's'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	int c;
	*o = (struct opts){NULL, NULL, 10000000, 1000000, 2000000, 30, 20, 1};
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': o->out = optarg; break;
		case 't': o->truth = optarg; break;
		case 'p': o->posts = strtoull(optarg, NULL, 10); break;
		case 'a': o->accounts = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'b': o->objects = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'd': o->days = (int)strtol(optarg, NULL, 10); break;
		case 'n': o->networks = (int)strtol(optarg, NULL, 10); break;
		case 's': o->seed = strtoull(optarg, NULL, 10); break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (!o->out || o->accounts < 100 || o->objects < 100 || o->days < 1 ||
	    o->networks < 0 || o->networks > 1000)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct zipf za = {0}, zo = {0}, zu = {0}, zh = {0};
	FILE *f = NULL, *tf = NULL;
	int64_t *birth = NULL;
	int rc = 1;

	if (parse(argc, argv, &o) < 0) {
		usage(stderr);
		return 1;
	}
	rng_s = o.seed * 0x2545f4914f6cdd1dull + 7;
	int64_t span = (int64_t)o.days * 86400;
	if (zipf_init(&za, o.accounts, 0.9) || zipf_init(&zo, o.objects, 1.0) ||
	    zipf_init(&zu, 300000, 1.0) || zipf_init(&zh, 50000, 1.0) ||
	    !(birth = malloc((size_t)o.objects * sizeof(*birth)))) {
		fprintf(stderr, "cib_gen: out of memory\n");
		goto out;
	}
	for (uint32_t i = 0; i < o.objects; i++)
		birth[i] = T0 + (int64_t)(unif() * (double)span);
	if (!(f = fopen(o.out, "w")) || (o.truth && !(tf = fopen(o.truth, "w")))) {
		fprintf(stderr, "cib_gen: %s: %s\n", o.out, strerror(errno));
		goto out;
	}
	static char buf[1 << 20];
	setvbuf(f, buf, _IOFBF, sizeof(buf));
	fprintf(f, "account,post,time,shared,url,hashtags,text\n");
	if (tf)
		fprintf(tf, "account,network\n");

	uint64_t post = 0;
	/* planted networks first (their members: accounts p<k>m<i>) */
	uint64_t planted_posts = 0;
	for (int k = 1; k <= o.networks; k++) {
		int size = 5 + (int)(rnd() % 46);
		double part = 0.5 + 0.4 * unif();
		int jitter = 5 + (int)(rnd() % 46);
		int style = k % 4; /* 0 retweet, 1 +url, 2 +hashtag, 3 text */
		for (int m = 0; m < size; m++)
			if (tf)
				fprintf(tf, "p%dm%d,%d\n", k, m, k);
		for (int e = 0; e < 25; e++) {
			int64_t te = T0 + (int64_t)(unif() * (double)(span - 3600));
			uint64_t tseed = rnd();
			for (int m = 0; m < size; m++) {
				if (unif() >= part)
					continue;
				int64_t t = te + (int64_t)(rnd() % (uint64_t)jitter);
				fprintf(f, "p%dm%d,x%" PRIu64 ",%" PRId64 ",c%de%d,",
					k, m, post++, t, k, e);
				if (style == 1)
					fprintf(f, "https://www.camp%d.com/a/%d", k, e);
				fputc(',', f);
				if (style == 2)
					fprintf(f, "camp%dtag%d", k, e % 5);
				fputc(',', f);
				if (style == 3)
					put_text(f, tseed, 1);
				fputc('\n', f);
				planted_posts++;
			}
		}
	}
	/* organic background, members of planted networks included */
	uint64_t n = o.posts > planted_posts ? o.posts - planted_posts : 0;
	for (uint64_t i = 0; i < n; i++) {
		uint32_t a = scramble(zipf_draw(&za), o.accounts);
		int64_t t;
		char acct[32];
		if (o.networks && rnd() % 1000 == 0)
			snprintf(acct, sizeof(acct), "p%dm%d",
				 1 + (int)(rnd() % (uint64_t)o.networks),
				 (int)(rnd() % 5));
		else
			snprintf(acct, sizeof(acct), "a%u", a);
		int shares = unif() < 0.7;
		uint32_t obj = 0;
		if (shares) {
			obj = scramble(zipf_draw(&zo), o.objects);
			t = birth[obj - 1] + (int64_t)(-14400.0 * log(1 - unif()));
		} else {
			t = T0 + (int64_t)(unif() * (double)span);
		}
		fprintf(f, "%s,o%" PRIu64 ",%" PRId64 ",", acct, post++, t);
		if (shares)
			fprintf(f, "s%u", obj);
		fputc(',', f);
		if (unif() < 0.2) {
			uint32_t u = scramble(zipf_draw(&zu), 300000);
			fprintf(f, "https://www.site%u.com/story/%u", u % 20000, u);
		}
		fputc(',', f);
		if (unif() < 0.3) {
			fprintf(f, "tag%u", scramble(zipf_draw(&zh), 50000));
			if (unif() < 0.3)
				fprintf(f, " tag%u", scramble(zipf_draw(&zh), 50000));
		}
		fputc(',', f);
		if (unif() < 0.05)
			put_text(f, rnd(), 0);
		fputc('\n', f);
	}
	if (fflush(f) || ferror(f) || (tf && (fflush(tf) || ferror(tf)))) {
		fprintf(stderr, "cib_gen: write error: %s\n", strerror(errno));
		goto out;
	}
	fprintf(stderr, "cib_gen: %" PRIu64 " posts (%" PRIu64
		" planted in %d networks)\n", post, planted_posts, o.networks);
	rc = 0;
out:
	if (f)
		fclose(f);
	if (tf)
		fclose(tf);
	free(za.cdf);
	free(zo.cdf);
	free(zu.cdf);
	free(zh.cdf);
	free(birth);
	return rc;
}
