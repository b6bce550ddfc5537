/*
 * icmp.h - ICMP echo probes that carry their own proof of origin.
 *
 * Stateless validation, as ZMap does it: a probe to dst sent at t carries
 * mac = SipHash-2-4(key, dst || t) in its identifier (bits 63..48), its
 * sequence number (bits 47..32) and its payload (t, then all 64 bits).  An
 * echo reply is ours only if its source address and the echoed t give the
 * same mac, so no table of probes in flight is needed and a reply from any
 * other address, or to any other program, is told apart for free.
 */
#ifndef DW_PROBE_ICMP_H
#define DW_PROBE_ICMP_H

#include <stddef.h>
#include <stdint.h>

#include "darkwatch/probe.h"

/* Internet checksum of n bytes. */
uint16_t dw_icmp_cksum(const uint8_t *p, size_t n);

/* The echo request to dst (host order) sent at t_ns. */
void dw_icmp_build(uint8_t out[DW_PROBE_PKT_LEN], const uint64_t key[2],
		   uint32_t dst, uint64_t t_ns);

/* 1 if pkt is a well-formed 24-byte echo request with a good checksum. */
int dw_icmp_is_request(const uint8_t *pkt, size_t len);

struct dw_icmp_reply {
	uint32_t src;  /* host order: the address that answered */
	uint64_t t_ns; /* when its probe was sent (valid replies only) */
};

/*
 * Classify an IPv4 datagram (header included) read from the raw socket:
 * DW_RK_OK (ours: *r filled), DW_RK_INVALID (an echo reply that fails the
 * keyed check), DW_RK_OTHER (not an echo reply), DW_RK_MALFORMED.  Every
 * length is read through a bounds-checked cursor.
 */
enum dw_reply_kind dw_icmp_parse(const uint8_t *ip, size_t len,
				 const uint64_t key[2],
				 struct dw_icmp_reply *r);

#endif
