/*
 * rng.h - the simulator's randomness: a seeded generator and stable hashes.
 *
 * Two kinds of "random" in `darkwatch sim`, kept apart on purpose:
 *  - dw_sim_hash*: pure functions of their inputs (splitmix64 finaliser).
 *    They choose everything the truth depends on (which prefixes an AS
 *    keeps, which region a prefix is in, which prefixes a partial
 *    withdrawal takes), so the world and truth.csv depend only on the
 *    scenario, never on the seed or on the order things are computed in.
 *  - struct dw_sim_rng: xoshiro256** seeded from --seed, drawn in simulated-
 *    time order, for churn, delays and paths.  Same seed, same archives.
 * Header-only: a few lines each, called per route.
 */
#ifndef DW_SIM_RNG_H
#define DW_SIM_RNG_H

#include <stdint.h>

static inline uint64_t dw_sim_mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint64_t dw_sim_hash2(uint64_t a, uint64_t b)
{
	return dw_sim_mix(dw_sim_mix(a) ^ (b * 0x9e3779b97f4a7c15ull + 1));
}

static inline uint64_t dw_sim_hash3(uint64_t a, uint64_t b, uint64_t c)
{
	return dw_sim_hash2(dw_sim_hash2(a, b), c);
}

/* A hash as a double in [0, 1). */
static inline double dw_sim_unit(uint64_t h)
{
	return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

struct dw_sim_rng {
	uint64_t s[4];
};

static inline void dw_sim_rng_seed(struct dw_sim_rng *r, uint64_t seed)
{
	uint64_t z = seed;
	for (int i = 0; i < 4; i++) {
		z = dw_sim_mix(z);
		r->s[i] = z;
	}
}

static inline uint64_t dw_sim_rng_next(struct dw_sim_rng *r)
{
	uint64_t *s = r->s;
	uint64_t x = s[1] * 5;
	uint64_t res = ((x << 7) | (x >> 57)) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = (s[3] << 45) | (s[3] >> 19);
	return res;
}

/* Uniform in [0, n) (n > 0); the bias for our small n is negligible. */
static inline uint32_t dw_sim_rng_below(struct dw_sim_rng *r, uint32_t n)
{
	return (uint32_t)(((dw_sim_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static inline double dw_sim_rng_unit(struct dw_sim_rng *r)
{
	return dw_sim_unit(dw_sim_rng_next(r));
}

/*
 * Gap (seconds) to the next of `per_hour` events an hour: uniform on
 * [0, 2 x mean], which has the right rate and needs no libm.
 */
static inline double dw_sim_rng_gap(struct dw_sim_rng *r, double per_hour)
{
	return dw_sim_rng_unit(r) * 2.0 * 3600.0 / per_hour;
}

#endif
