/*
 * addr.h - IP addresses and prefixes, and their fast text forms.
 *
 * Shared by every stage (MRT decoding, routing state, geolocation, output).
 * Addresses are stored in network byte order in a 16-byte array so one type
 * serves IPv4 and IPv6 without a union; prefixes keep their length apart.
 * Formatting is hand-rolled (not inet_ntop + printf) because `mrt dump` prints
 * millions of addresses; the output is identical to inet_ntop's (RFC 5952).
 */
#ifndef DARKWATCH_ADDR_H
#define DARKWATCH_ADDR_H

#include <stddef.h>
#include <stdint.h>

enum { DW_AF_INET = 4, DW_AF_INET6 = 6 };

struct dw_addr {
	uint8_t af;       /* DW_AF_INET or DW_AF_INET6; 0 = none */
	uint8_t b[16];    /* network order; IPv4 uses b[0..3], rest zero */
};

struct dw_prefix {
	struct dw_addr addr;
	uint8_t len;      /* 0..32 or 0..128 */
};

#define DW_ADDR_STRLEN 46   /* like INET6_ADDRSTRLEN */
#define DW_PREFIX_STRLEN 50

/* IPv4 address as host-order integer (af must be DW_AF_INET). */
uint32_t dw_addr_v4(const struct dw_addr *a);
void dw_addr_set_v4(struct dw_addr *a, uint32_t host_order);

/*
 * Write the text form into buf (at least DW_ADDR_STRLEN bytes) without a
 * terminating NUL; returns the number of bytes written.  IPv4 dotted quad,
 * IPv6 as inet_ntop does (including ::ffff:a.b.c.d for mapped addresses).
 */
size_t dw_addr_fmt(const struct dw_addr *a, char *buf);
/* Same as dw_addr_fmt for a raw 4- or 16-byte address. */
size_t dw_ip4_fmt(const uint8_t b[4], char *buf);
size_t dw_ip6_fmt(const uint8_t b[16], char *buf);
/* "addr/len" without NUL; returns bytes written (buf >= DW_PREFIX_STRLEN). */
size_t dw_prefix_fmt(const struct dw_prefix *p, char *buf);

/* Parse "a.b.c.d" or IPv6 text; returns 0 or DW_EINVAL. */
int dw_addr_parse(const char *s, struct dw_addr *out);
/* Parse "addr/len"; returns 0 or DW_EINVAL.  Host bits are cleared. */
int dw_prefix_parse(const char *s, struct dw_prefix *out);

/* Clear the bits beyond p->len. */
void dw_prefix_mask(struct dw_prefix *p);

/* Decimal text of v, no NUL; returns bytes written (buf >= 20). */
size_t dw_u32_fmt(uint32_t v, char *buf);

#endif
