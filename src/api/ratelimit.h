/*
 * ratelimit.h - per-client token buckets for the API (429 + Retry-After).
 *
 * Used by server.c for /v2 requests.  A client is its IPv4 address, or the
 * /64 of its IPv6 address (one host can take a whole /64).
 *
 * Key decisions:
 *  - A bucket holds `burst` tokens, refilled at `rate` per second; a
 *    request takes one.  An empty bucket answers how many whole seconds
 *    until a token is back, which becomes Retry-After.
 *  - A fixed table (DW_RL_SLOTS buckets, short probe): memory stays flat
 *    whatever the number of clients; when a probe finds no room the
 *    bucket idle longest is reused (an attacker rotating addresses only
 *    resets other buckets to full, never blocks a client).
 */
#ifndef DW_API_RATELIMIT_H
#define DW_API_RATELIMIT_H

#include <stdint.h>
#include <sys/socket.h>

#define DW_RL_SLOTS 8192

struct dw_api_rl;

/* rate > 0 requests/s, burst >= 1.  0 or DW_ENOMEM / DW_EINVAL. */
int dw_api_rl_new(double rate, double burst, struct dw_api_rl **out);
void dw_api_rl_free(struct dw_api_rl *rl);

/*
 * Take a token for the client at sa at time now (seconds, monotonic).
 * Returns 0 when allowed, else the seconds to wait (>= 1).
 */
int64_t dw_api_rl_take(struct dw_api_rl *rl, const struct sockaddr *sa,
		       double now);

#endif
