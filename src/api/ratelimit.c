/*
 * ratelimit.c - per-client token buckets (see ratelimit.h).
 */
#include "api/ratelimit.h"

#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "darkwatch/err.h"

#define PROBE 8

struct bucket {
	uint8_t key[17]; /* family byte + address (v4) or /64 (v6) */
	int used;
	double tokens, last;
};

struct dw_api_rl {
	pthread_mutex_t mu;
	double rate, burst;
	struct bucket b[DW_RL_SLOTS];
};

int dw_api_rl_new(double rate, double burst, struct dw_api_rl **out)
{
	struct dw_api_rl *rl;

	*out = NULL;
	if (!(rate > 0) || !(burst >= 1) || !isfinite(rate) || !isfinite(burst))
		return DW_EINVAL;
	if (!(rl = calloc(1, sizeof(*rl))))
		return DW_ENOMEM;
	pthread_mutex_init(&rl->mu, NULL);
	rl->rate = rate;
	rl->burst = burst;
	*out = rl;
	return 0;
}

void dw_api_rl_free(struct dw_api_rl *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->mu);
	free(rl);
}

static uint64_t hash(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	while (n--) {
		h ^= *p++;
		h *= 0x100000001b3ull;
	}
	return h;
}

int64_t dw_api_rl_take(struct dw_api_rl *rl, const struct sockaddr *sa,
		       double now)
{
	uint8_t key[17] = {0};
	struct bucket *hit = NULL, *old = NULL;
	int64_t wait = 0;

	if (!sa)
		return 0;
	if (sa->sa_family == AF_INET) {
		key[0] = 4;
		memcpy(key + 1, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		key[0] = 6;
		memcpy(key + 1, &((const struct sockaddr_in6 *)sa)->sin6_addr, 8);
	} else {
		return 0;
	}
	uint64_t h = hash(key, sizeof(key));

	pthread_mutex_lock(&rl->mu);
	for (unsigned i = 0; i < PROBE; i++) {
		struct bucket *b = &rl->b[(h + i) & (DW_RL_SLOTS - 1)];
		if (b->used && !memcmp(b->key, key, sizeof(key))) {
			hit = b;
			break;
		}
		if (!old || !b->used || (old->used && b->last < old->last))
			old = b;
	}
	if (!hit) {
		hit = old;
		memcpy(hit->key, key, sizeof(key));
		hit->used = 1;
		hit->tokens = rl->burst;
		hit->last = now;
	}
	if (now > hit->last) {
		hit->tokens += (now - hit->last) * rl->rate;
		if (hit->tokens > rl->burst)
			hit->tokens = rl->burst;
		hit->last = now;
	}
	if (hit->tokens >= 1) {
		hit->tokens -= 1;
	} else {
		wait = (int64_t)ceil((1 - hit->tokens) / rl->rate);
		if (wait < 1)
			wait = 1;
	}
	pthread_mutex_unlock(&rl->mu);
	return wait;
}
