/*
 * siphash.h - SipHash-2-4, the keyed hash behind stateless probe validation.
 *
 * The prober puts a MAC of (destination, send time) into every echo request
 * (src/probe/icmp.c) and recomputes it from the echo reply, so it needs no
 * table of probes in flight, as ZMap does.  SipHash-2-4 is short, fast on
 * 12-byte inputs and a PRF under a secret key, so a spoofer who never saw our
 * probes cannot forge a reply that passes.
 */
#ifndef DW_PROBE_SIPHASH_H
#define DW_PROBE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 of n bytes at p under the 128-bit key k (k[0] = the first
 * 8 key bytes read little-endian, as in the reference implementation). */
uint64_t dw_siphash24(const uint64_t k[2], const void *p, size_t n);

#endif
