/*
 * tbucket.h - the token bucket behind the prober's global rate cap.
 *
 * Safety rule of issue 5: in any one second the prober sends at most
 * 1.05 x the configured rate.  A bucket refilled at `rate` tokens per second
 * whose capacity is at most 5% of the rate (and at least one token) gives
 * exactly that: a window of one second can see the tokens stored at its
 * start (<= capacity) plus those accrued in it (< rate).  Arithmetic is in
 * integers (1 token = 10^9 units, `rate` units accrue per nanosecond) so no
 * rounding can creep past the cap.  The sender process applies it right
 * before sendto(); the unprivileged prober paces itself with a second one.
 *
 * A plain value type (no allocation): embed it, init it, take from it.
 */
#ifndef DW_PROBE_TBUCKET_H
#define DW_PROBE_TBUCKET_H

#include <stdint.h>

#define DW_TBUCKET_RATE_MAX 10000000u /* probes per second */

struct dw_tbucket {
	uint64_t rate;   /* tokens per second, 1..DW_TBUCKET_RATE_MAX */
	uint64_t cap;    /* capacity in units (tokens x 10^9) */
	uint64_t credit; /* units available at last_ns */
	uint64_t last_ns;
};

/*
 * Start a bucket at now_ns holding one token.  rate is clamped to
 * 1..DW_TBUCKET_RATE_MAX; the capacity is max(1, rate / 20) tokens.
 */
void dw_tbucket_init(struct dw_tbucket *tb, uint64_t rate, uint64_t now_ns);

/* Take one token at now_ns (monotonic, never earlier than a previous call):
 * 1 if taken, 0 if the bucket is empty. */
int dw_tbucket_take(struct dw_tbucket *tb, uint64_t now_ns);

/* Nanoseconds from now_ns until a token is available (0: one is). */
uint64_t dw_tbucket_wait_ns(struct dw_tbucket *tb, uint64_t now_ns);

#endif
