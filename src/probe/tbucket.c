/*
 * tbucket.c - integer token bucket (see tbucket.h for why these numbers).
 */
#include "probe/tbucket.h"

#define UNIT 1000000000ull

void dw_tbucket_init(struct dw_tbucket *tb, uint64_t rate, uint64_t now_ns)
{
	if (rate < 1)
		rate = 1;
	if (rate > DW_TBUCKET_RATE_MAX)
		rate = DW_TBUCKET_RATE_MAX;
	uint64_t burst = rate / 20;
	tb->rate = rate;
	tb->cap = (burst ? burst : 1) * UNIT;
	tb->credit = UNIT;
	tb->last_ns = now_ns;
}

static void refill(struct dw_tbucket *tb, uint64_t now_ns)
{
	if (now_ns <= tb->last_ns)
		return;
	uint64_t dt = now_ns - tb->last_ns;
	uint64_t room = tb->cap - tb->credit;
	/* dt * rate could overflow for long idle times: cap dt first */
	if (dt >= room / tb->rate + 1)
		tb->credit = tb->cap;
	else
		tb->credit += dt * tb->rate;
	tb->last_ns = now_ns;
}

int dw_tbucket_take(struct dw_tbucket *tb, uint64_t now_ns)
{
	refill(tb, now_ns);
	if (tb->credit < UNIT)
		return 0;
	tb->credit -= UNIT;
	return 1;
}

uint64_t dw_tbucket_wait_ns(struct dw_tbucket *tb, uint64_t now_ns)
{
	refill(tb, now_ns);
	if (tb->credit >= UNIT)
		return 0;
	return (UNIT - tb->credit + tb->rate - 1) / tb->rate;
}
