/*
 * engine.c - Trinocular's adaptive probing, one round at a time, no I/O.
 *
 * Per round every eligible block gets one probe (blocks in a shuffled
 * order, addresses of E(b) in a per-block permutation that goes on across
 * rounds).  After each result the belief is updated (belief.c) and the
 * block is probed again, up to max_probes in the round, until the result
 * agrees with a definite belief: a reply while up, or silence while down.
 * So a healthy block costs one probe, a block that just went dark costs the
 * few silences that take B(up) below 0.1, and a dark block that comes back
 * costs the one or two replies that take it above 0.9.
 *
 * One addition to Trinocular's stopping rule: a block whose belief has just
 * crossed from up to down is not taken at its word yet.  It gets K more
 * probes in that round, K the least with (1 - A)^K <= DW_PROBE_CONFIRM_P;
 * a reply among them lifts the belief again.  Without this, a lossy but
 * alive block (A = 0.7: six losses in a row, p = 7e-4 a round) would be
 * down for whole rounds, since a down block gets one probe a round and
 * stays down with p = 1 - A.  The cost is K probes (3 for A = 0.8) once per
 * block that really goes dark; belief values are unchanged.
 *
 * No table of probes in flight: each block awaits at most one probe (its
 * address and send time live in the block), and a reply is matched through
 * the keyed value it echoes (icmp.c).  Timeouts are a FIFO (every probe has
 * the same timeout), so expiring them is O(expired).
 *
 * Speed (bench/probe_bench.sh, 4.2M blocks a round at 600 s): what a probe
 * and its reply touch of a block sits in one 64-byte struct (a copy of the
 * hitlist's base, A, |E(b)| and octets), a reply finds its block through an
 * open-addressing index of the /24s (one or two cache lines, not a binary
 * search of ~22), and RTTs are kept as a per-block list (no sort per round).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "darkwatch/err.h"
#include "darkwatch/probe.h"
#include "probe/icmp.h"

struct blk {
	double belief;
	double a;          /* A(E(b)), copied from the hitlist */
	uint64_t await_t;  /* send time of the probe awaited (if awaiting) */
	const uint8_t *octets; /* the hitlist's E(b) */
	uint32_t base;
	uint32_t await_dst;
	uint32_t rtt_head; /* this round's last RTT: index + 1, 0 = none */
	uint16_t naddr;
	uint16_t cursor;   /* probes ever sent: position in the permutation */
	uint16_t off, stride;
	uint8_t probes, replies, awaiting, eligible;
	uint8_t state;     /* last definite state */
	uint8_t confirm;   /* silences still due before down is believed */
};

struct flight {
	uint32_t blk;
	uint64_t t;
};

struct rtt {
	uint32_t us, next; /* next: the block's previous RTT, index + 1 */
};

struct dw_prober {
	struct dw_prober_conf conf;
	const struct dw_hitlist *h;
	struct blk *b;
	size_t n;
	uint32_t *ready; /* ring of block indices */
	size_t r_head, r_len;
	struct flight *fl; /* ring of probes in flight, in send order */
	size_t f_head, f_len;
	size_t awaiting;
	struct rtt *rtt;
	size_t rtt_n, rtt_cap;
	uint32_t *idx; /* open addressing: /24 -> block index + 1, 0 = free */
	uint32_t idx_mask;
	uint64_t round_t, rng;
	struct dw_prober_stats st;
};

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

const char *dw_reply_kind_name(enum dw_reply_kind k)
{
	static const char *names[] = {"ok", "late", "duplicate", "invalid",
				      "other", "malformed"};
	return (unsigned)k < DW_RK__COUNT ? names[k] : "?";
}

static uint32_t slot_of(const struct dw_prober *p, uint32_t base)
{
	return (uint32_t)(((uint64_t)(base >> 8) * 0x9e3779b97f4a7c15ull) >> 32) &
	       p->idx_mask;
}

int dw_prober_new(const struct dw_prober_conf *conf,
		  const struct dw_hitlist *h, struct dw_prober **out)
{
	static const uint16_t primes[] = {257, 263, 269, 271, 277, 281, 283,
					  293, 307, 311, 313, 317};
	struct dw_prober *p;
	if (conf->max_probes < 1 || conf->max_probes > DW_PROBE_MAX_PER_ROUND ||
	    conf->timeout_ns == 0)
		return DW_EINVAL;
	if (!(p = calloc(1, sizeof(*p))))
		return DW_ENOMEM;
	p->conf = *conf;
	p->h = h;
	p->n = dw_hitlist_count(h);
	p->rng = conf->seed;
	size_t n = p->n ? p->n : 1;
	size_t slots = 4;
	while (slots < 2 * n)
		slots *= 2;
	p->idx_mask = (uint32_t)(slots - 1);
	p->b = calloc(n, sizeof(*p->b));
	p->ready = calloc(n, sizeof(*p->ready));
	p->fl = calloc(n, sizeof(*p->fl));
	p->idx = slots <= (size_t)UINT32_MAX + 1 ? calloc(slots, sizeof(*p->idx))
						  : NULL;
	if (!p->b || !p->ready || !p->fl || !p->idx) {
		dw_prober_free(p);
		return DW_ENOMEM;
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct dw_hitlist_block *hb = dw_hitlist_block(h, i);
		struct blk *b = &p->b[i];
		uint64_t r = splitmix(&p->rng);
		b->belief = DW_BELIEF_PRIOR;
		b->a = hb->a;
		b->base = hb->base;
		b->naddr = hb->naddr;
		b->octets = hb->octets;
		b->state = DW_BS_UP;
		uint32_t k = slot_of(p, hb->base);
		while (p->idx[k])
			k = (k + 1) & p->idx_mask;
		p->idx[k] = (uint32_t)i + 1;
		b->eligible = (uint8_t)dw_hitlist_eligible(hb);
		b->off = (uint16_t)(r % hb->naddr);
		/* a prime above 256 is coprime with every |E(b)|: a permutation */
		b->stride = primes[(r >> 32) % (sizeof(primes) / sizeof(primes[0]))];
	}
	*out = p;
	return 0;
}

void dw_prober_free(struct dw_prober *p)
{
	if (!p)
		return;
	free(p->idx);
	free(p->b);
	free(p->ready);
	free(p->fl);
	free(p->rtt);
	free(p);
}

/* Position k of a ring of n slots starting at head (k < n): no division. */
static size_t ring(size_t head, size_t k, size_t n)
{
	size_t j = head + k;
	return j >= n ? j - n : j;
}

static void ready_push(struct dw_prober *p, uint32_t i)
{
	p->ready[ring(p->r_head, p->r_len, p->n)] = i;
	p->r_len++;
}

void dw_prober_round_start(struct dw_prober *p, uint64_t now_ns)
{
	dw_prober_round_end(p);
	p->round_t = now_ns;
	p->rtt_n = 0;
	p->st.rounds++;
	for (size_t i = 0; i < p->n; i++) {
		p->b[i].probes = p->b[i].replies = 0;
		p->b[i].rtt_head = 0;
		if (p->b[i].eligible)
			ready_push(p, (uint32_t)i);
	}
	/* Fisher-Yates: spread each round's first probes over the space */
	for (size_t k = p->r_len; k > 1; k--) {
		size_t j = splitmix(&p->rng) % k;
		uint32_t t = p->ready[k - 1];
		p->ready[k - 1] = p->ready[j];
		p->ready[j] = t;
	}
}

int dw_prober_next(struct dw_prober *p, uint64_t now_ns, uint32_t *dst,
		   uint8_t pkt[DW_PROBE_PKT_LEN])
{
	if (!p->r_len)
		return 0;
	uint32_t i = p->ready[p->r_head];
	p->r_head = ring(p->r_head, 1, p->n);
	p->r_len--;
	struct blk *b = &p->b[i];
	size_t k = ((size_t)b->off + (size_t)b->cursor * b->stride) % b->naddr;
	b->cursor++;
	*dst = b->base | b->octets[k];
	dw_icmp_build(pkt, p->conf.key, *dst, now_ns);
	b->awaiting = 1;
	b->await_t = now_ns;
	b->await_dst = *dst;
	b->probes++;
	p->awaiting++;
	p->fl[ring(p->f_head, p->f_len, p->n)] = (struct flight){i, now_ns};
	p->f_len++;
	p->st.sent++;
	return 1;
}

/* Confirmation silences for a block that just turned down (see top). */
static uint8_t confirm_probes(double a)
{
	if (a > DW_BELIEF_A_MAX)
		a = DW_BELIEF_A_MAX;
	if (a <= 0)
		return DW_PROBE_MAX_PER_ROUND;
	double k = ceil(log(DW_PROBE_CONFIRM_P) / log(1 - a) - 1e-9);
	return k >= DW_PROBE_MAX_PER_ROUND ? DW_PROBE_MAX_PER_ROUND
	       : k < 1			   ? 1
					   : (uint8_t)k;
}

/* After a result: probe again unless it agrees with a definite belief. */
static void settle(struct dw_prober *p, uint32_t i, int reply)
{
	struct blk *b = &p->b[i];
	b->belief = dw_belief_update(b->belief, b->a, reply);
	enum dw_block_state s = dw_belief_state(b->belief);
	if (s == DW_BS_DOWN && b->state == DW_BS_UP)
		b->confirm = confirm_probes(b->a); /* this silence turned it */
	else if (!reply && b->confirm)
		b->confirm--;
	if (s != DW_BS_UNCERTAIN)
		b->state = (uint8_t)s;
	int agrees = reply ? s == DW_BS_UP : s == DW_BS_DOWN && !b->confirm;
	if (!agrees && b->probes < p->conf.max_probes)
		ready_push(p, i);
}

static long find_block(const struct dw_prober *p, uint32_t addr)
{
	uint32_t base = addr & ~0xffu;
	for (uint32_t k = slot_of(p, base); p->idx[k]; k = (k + 1) & p->idx_mask)
		if (p->b[p->idx[k] - 1].base == base)
			return (long)p->idx[k] - 1;
	return -1;
}

static int rtt_push(struct dw_prober *p, uint32_t i, uint64_t ns)
{
	if (p->rtt_n == p->rtt_cap) {
		size_t nc = p->rtt_cap ? p->rtt_cap * 2 : 1024;
		struct rtt *r = realloc(p->rtt, nc * sizeof(*r));
		if (!r)
			return DW_ENOMEM;
		p->rtt = r;
		p->rtt_cap = nc;
	}
	uint64_t us = ns / 1000;
	p->rtt[p->rtt_n++] = (struct rtt){
		us > UINT32_MAX ? UINT32_MAX : (uint32_t)us, p->b[i].rtt_head};
	p->b[i].rtt_head = (uint32_t)p->rtt_n;
	return 0;
}

enum dw_reply_kind dw_prober_reply(struct dw_prober *p, const uint8_t *ip,
				   size_t len, uint64_t now_ns)
{
	struct dw_icmp_reply r;
	enum dw_reply_kind k = dw_icmp_parse(ip, len, p->conf.key, &r);
	long i;
	if (k != DW_RK_OK)
		goto out;
	if ((i = find_block(p, r.src)) < 0) {
		k = DW_RK_INVALID; /* a valid mac for no target: key reuse */
		goto out;
	}
	struct blk *b = &p->b[i];
	uint64_t age = now_ns > r.t_ns ? now_ns - r.t_ns : 0;
	if (r.t_ns < p->round_t || age > p->conf.timeout_ns) {
		k = DW_RK_LATE;
		goto out;
	}
	if (!b->awaiting || b->await_t != r.t_ns || b->await_dst != r.src) {
		k = DW_RK_DUP;
		goto out;
	}
	b->awaiting = 0;
	p->awaiting--;
	b->replies++;
	rtt_push(p, (uint32_t)i, age); /* out of memory: one RTT fewer */
	settle(p, (uint32_t)i, 1);
out:
	p->st.replies[k]++;
	return k;
}

void dw_prober_tick(struct dw_prober *p, uint64_t now_ns)
{
	while (p->f_len) {
		struct flight *f = &p->fl[p->f_head];
		uint32_t i = f->blk;
		uint64_t t = f->t;
		struct blk *b = &p->b[i];
		int live = b->awaiting && b->await_t == t;
		/* answered probes leave the head at once, so that
		 * dw_prober_next_timeout finds a live one first (no scan) */
		if (live && t + p->conf.timeout_ns > now_ns)
			break;
		p->f_head = ring(p->f_head, 1, p->n);
		p->f_len--;
		if (!live)
			continue;
		b->awaiting = 0;
		p->awaiting--;
		p->st.timeouts++;
		settle(p, i, 0);
	}
}

uint64_t dw_prober_next_timeout(const struct dw_prober *p, uint64_t now_ns)
{
	for (size_t k = 0; k < p->f_len; k++) {
		const struct flight *f = &p->fl[ring(p->f_head, k, p->n)];
		const struct blk *b = &p->b[f->blk];
		if (!b->awaiting || b->await_t != f->t)
			continue;
		uint64_t due = f->t + p->conf.timeout_ns;
		return due > now_ns ? due - now_ns : 0;
	}
	return UINT64_MAX;
}

int dw_prober_busy(const struct dw_prober *p)
{
	return p->r_len > 0 || p->awaiting > 0;
}

void dw_prober_round_end(struct dw_prober *p)
{
	for (size_t k = 0; k < p->f_len; k++)
		p->b[p->fl[ring(p->f_head, k, p->n)].blk].awaiting = 0;
	p->f_head = p->f_len = 0;
	p->r_head = p->r_len = 0;
	p->awaiting = 0;
}

void dw_prober_exclude(struct dw_prober *p, size_t i)
{
	if (i < p->n)
		p->b[i].eligible = 0;
}

size_t dw_prober_count(const struct dw_prober *p)
{
	return p->n;
}

void dw_prober_block(const struct dw_prober *p, size_t i,
		     struct dw_prober_block_info *out)
{
	const struct blk *b = &p->b[i];
	out->base = b->base;
	out->eligible = b->eligible;
	out->belief = b->belief;
	out->state = (enum dw_block_state)b->state;
	out->instant = dw_belief_state(b->belief);
	out->probes = b->probes;
	out->replies = b->replies;
}


size_t dw_prober_rtts(const struct dw_prober *p, size_t i,
		      uint32_t rtt_us[DW_PROBE_MAX_PER_ROUND])
{
	size_t n = 0;
	for (uint32_t k = p->b[i].rtt_head; k && n < DW_PROBE_MAX_PER_ROUND;
	     k = p->rtt[k - 1].next) {
		uint32_t v = p->rtt[k - 1].us; /* insertion: at most 15 */
		size_t j = n++;
		for (; j > 0 && rtt_us[j - 1] > v; j--)
			rtt_us[j] = rtt_us[j - 1];
		rtt_us[j] = v;
	}
	return n;
}

void dw_prober_stats(const struct dw_prober *p, struct dw_prober_stats *st)
{
	*st = p->st;
}
