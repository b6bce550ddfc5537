/*
 * belief.c - Trinocular's Bayesian belief that a /24 block is up.
 *
 * DOMAIN.md section 4 word for word: prior 0.99, P(reply | up) = A,
 * P(reply | down) = (1 - 0.01) / 256, clamp to [0.01, 0.99], up above 0.9,
 * down below 0.1.  One decision of ours: A is capped at 0.99 before use, so
 * that a block whose history says "always answers" is not declared down by
 * a single lost probe (P(no reply | up) would be 0).  The clamps are what
 * let a long-down block recover in a few replies and a long-up block go
 * down in a few silences (tests/unit/test_probe.c has the hand-computed
 * values).
 */
#include "darkwatch/probe.h"

double dw_belief_update(double b, double a, int reply)
{
	if (a > DW_BELIEF_A_MAX)
		a = DW_BELIEF_A_MAX;
	if (a < 0)
		a = 0;
	double pu = reply ? a : 1 - a;
	double pd = reply ? DW_BELIEF_P_DOWN : 1 - DW_BELIEF_P_DOWN;
	double den = b * pu + (1 - b) * pd;
	double nb = den > 0 ? b * pu / den : b;
	if (nb < DW_BELIEF_MIN)
		nb = DW_BELIEF_MIN;
	if (nb > DW_BELIEF_MAX)
		nb = DW_BELIEF_MAX;
	return nb;
}

enum dw_block_state dw_belief_state(double b)
{
	if (b > DW_BELIEF_UP)
		return DW_BS_UP;
	if (b < DW_BELIEF_DOWN)
		return DW_BS_DOWN;
	return DW_BS_UNCERTAIN;
}

const char *dw_block_state_name(enum dw_block_state s)
{
	switch (s) {
	case DW_BS_UP:
		return "up";
	case DW_BS_DOWN:
		return "down";
	default:
		return "uncertain";
	}
}
