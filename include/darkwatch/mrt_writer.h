/*
 * mrt_writer.h - write MRT archives (RFC 6396, RFC 8050) and the BGP messages
 * inside them.
 *
 * The reverse of the data flow's first stages: tests build exact records with
 * it, benchmarks build large realistic files, and `darkwatch sim` writes whole
 * RIS-layout archives.  Three layers, each usable alone:
 *
 *   1. BGP encoders (dw_bgp_build_*) turn a plain description of a route into
 *      wire bytes: a full UPDATE message, or the attribute block of a RIB
 *      entry.
 *   2. MRT body builders (dw_mrt_build_*) wrap those bytes into the body of a
 *      TABLE_DUMP, TABLE_DUMP_V2 or BGP4MP record.
 *   3. The writer frames bodies as records (the 12- or 16-byte MRT header) and
 *      streams them to a file, plain or gzip/bzip2/xz compressed.
 *
 * Key decisions:
 *  - Builders append to a caller's struct dw_buf and are all-or-nothing: on
 *    error the buffer is cut back to where it was, so a caller can reuse one
 *    buffer for millions of records without a malloc per record.
 *  - Builders take descriptions, not policy: they write what they are given
 *    (any ASN, any prefix) and refuse only what the format cannot carry
 *    (DW_EINVAL for a field that does not fit, DW_ETOOBIG for a length over a
 *    16-bit field).  Damaged files for tests are made by writing raw bytes
 *    (dw_mrt_writer_raw), not by bending the builders.
 *  - Output is bit-exact with what collectors write: attributes in ascending
 *    type order, the extended-length flag only when a value exceeds 255 bytes,
 *    AS_PATH segments split at 255 ASNs, host bits of prefixes cleared, 2-byte
 *    sessions carrying AS_TRANS plus AS4_PATH/AS4_AGGREGATOR (RFC 6793).
 */
#ifndef DARKWATCH_MRT_WRITER_H
#define DARKWATCH_MRT_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "darkwatch/addr.h"
#include "darkwatch/buf.h"
#include "darkwatch/err.h"
#include "darkwatch/mrt.h"
#include "darkwatch/stream.h"

/* ---------------------------------------------------------------- writer */

struct dw_mrt_writer;

/*
 * Create (or truncate) `path` ("-" = standard output, not closed) and write
 * records to it compressed with `comp`.  `level` is the compressor's level
 * (gzip/bzip2 1-9, xz 1-9); 0 picks the tool's default (gzip 6, bzip2 9,
 * xz 6); ignored for DW_COMP_NONE.  On success *out is owned by the caller:
 * finish with dw_mrt_writer_close() and release with dw_mrt_writer_free().
 * Returns 0, -errno, DW_EINVAL, DW_ENOMEM or DW_ECOMPRESS.
 */
int dw_mrt_writer_open(const char *path, enum dw_compress comp, int level,
		       struct dw_mrt_writer **out);

/*
 * Append one record: the MRT common header (timestamp, type, subtype,
 * length), for BGP4MP_ET (type 17) the microsecond field, counted in the
 * length as RFC 6396 §3 says, then `len` bytes of body (borrowed for the
 * call).  Returns 0, DW_ETOOBIG (length over 32 bits), DW_EINVAL, or the
 * writer's sticky error: after any output error every later call returns it.
 */
int dw_mrt_writer_record(struct dw_mrt_writer *w, uint32_t ts, uint32_t usec,
			 uint16_t type, uint16_t subtype, const void *body,
			 size_t len);

/*
 * Append raw bytes to the (uncompressed) stream, outside any record framing:
 * for test files with damaged records or truncated tails.
 */
int dw_mrt_writer_raw(struct dw_mrt_writer *w, const void *p, size_t n);

/* Uncompressed bytes accepted so far (headers included). */
uint64_t dw_mrt_writer_bytes(const struct dw_mrt_writer *w);

/*
 * Flush the compressor, write the trailer and close the file.  Returns 0 or
 * the first error seen while writing (-errno, DW_ECOMPRESS); only a 0 means
 * the file is complete.  Later calls other than free return DW_EINVAL.
 */
int dw_mrt_writer_close(struct dw_mrt_writer *w);

/*
 * Release the writer; accepts NULL.  A writer not closed is closed first and
 * its error dropped (the file is then likely incomplete).
 */
void dw_mrt_writer_free(struct dw_mrt_writer *w);

/* ------------------------------------------------------- MRT body builders */

/*
 * TABLE_DUMP_V2 PEER_INDEX_TABLE body (subtype DW_TD2_PEER_INDEX_TABLE).
 * `view_name` may be NULL or "" (length 0).  Each peer is written with the AS4
 * type bit (4-byte ASN) and the IPv6 bit when peers[i].addr.af is
 * DW_AF_INET6.  n <= 65535.
 */
int dw_mrt_build_peer_index(struct dw_buf *b, uint32_t collector_id,
			    const char *view_name,
			    const struct dw_mrt_peer *peers, size_t n);

/* One RIB entry of a TABLE_DUMP_V2 RIB record. */
struct dw_mrt_rib_entry_spec {
	uint16_t peer_index;  /* into the PEER_INDEX_TABLE */
	uint32_t originated;  /* originated time (epoch seconds) */
	uint32_t path_id;     /* written only in *_ADDPATH subtypes */
	const uint8_t *attrs; /* borrowed; see dw_bgp_build_attrs(RIB) */
	size_t attrs_len;     /* <= 65535 */
};

/*
 * RIB_IPV4_UNICAST / RIB_IPV6_UNICAST body, or the *_ADDPATH form when
 * `addpath` (path ids per entry, RFC 8050).  Use dw_mrt_rib_subtype() for
 * the record's subtype.  n <= 65535.
 */
int dw_mrt_build_rib(struct dw_buf *b, uint32_t seq,
		     const struct dw_prefix *pfx,
		     const struct dw_mrt_rib_entry_spec *e, size_t n,
		     int addpath);

/* Subtype matching dw_mrt_build_rib(pfx, addpath). */
uint16_t dw_mrt_rib_subtype(const struct dw_prefix *pfx, int addpath);

/* The fields shared by every BGP4MP message and state-change body. */
struct dw_mrt_bgp4mp_hdr {
	uint32_t peer_as, local_as; /* must fit 16 bits unless as4 */
	uint16_t ifindex;
	struct dw_addr peer, local; /* same family; it sets the AFI field */
	uint8_t as4;                /* 4-byte AS fields (the *_AS4 subtypes) */
};

/*
 * BGP4MP(_ET) MESSAGE body: the header fields, then `msg` (a complete BGP
 * message with its 19-byte header, e.g. from dw_bgp_build_update; borrowed).
 * Use dw_mrt_bgp4mp_msg_subtype() for the subtype.
 */
int dw_mrt_build_bgp4mp_msg(struct dw_buf *b,
			    const struct dw_mrt_bgp4mp_hdr *h,
			    const uint8_t *msg, size_t len);

/* BGP4MP(_ET) STATE_CHANGE(_AS4) body (FSM states 1-6, RFC 6396 §4.4.1). */
int dw_mrt_build_bgp4mp_state(struct dw_buf *b,
			      const struct dw_mrt_bgp4mp_hdr *h,
			      uint16_t old_state, uint16_t new_state);

/* MESSAGE, MESSAGE_AS4, *_LOCAL (sent by the collector), *_ADDPATH. */
uint16_t dw_mrt_bgp4mp_msg_subtype(int as4, int local, int addpath);
/* STATE_CHANGE or STATE_CHANGE_AS4. */
uint16_t dw_mrt_bgp4mp_state_subtype(int as4);

/*
 * TABLE_DUMP (v1) body; the record's subtype is the AFI (1 for an IPv4
 * prefix, 2 for IPv6) and r->peer must be of the prefix's family.  peer_as
 * must fit 16 bits.  r->attrs is borrowed.
 */
int dw_mrt_build_td1(struct dw_buf *b, const struct dw_mrt_td1 *r);

/* ------------------------------------------------------------ BGP encoders */

enum { DW_ORIGIN_IGP = 0, DW_ORIGIN_EGP = 1, DW_ORIGIN_INCOMPLETE = 2 };

/*
 * Path attributes of a route.  Zero-initialise, then fill in what applies;
 * every pointer is borrowed for the call.
 */
struct dw_bgp_attr_spec {
	uint8_t origin;               /* DW_ORIGIN_*; ORIGIN is always written */
	uint8_t as4;                  /* session speaks 4-byte ASNs */
	const uint32_t *path;         /* AS_SEQUENCE (AS_PATH always written, */
	size_t path_len;              /*   empty when path_len == 0)         */
	const uint32_t *set;          /* optional AS_SET after the sequence */
	size_t set_len;
	struct dw_addr nexthop;       /* NEXT_HOP (IPv4); af 0 = none */
	struct dw_addr mp_nexthop;    /* IPv6 next hop for MP_REACH_NLRI */
	struct dw_addr mp_nexthop_ll; /* IPv6 link-local; af 6 = 32-byte form */
	uint8_t has_med, has_local_pref, atomic_aggregate, has_aggregator;
	uint32_t med, local_pref;
	uint32_t aggregator_as;
	struct dw_addr aggregator_addr; /* IPv4 */
	const uint32_t *communities;  /* RFC 1997, one uint32 each */
	size_t ncommunities;
	const uint32_t *large;        /* RFC 8092, three uint32 per community */
	size_t nlarge;
	const uint8_t *extra;         /* pre-encoded attributes, appended last */
	size_t extra_len;
};

/* Flags of dw_bgp_build_attrs. */
#define DW_BGP_ATTRS_RIB 1u /* TABLE_DUMP_V2 form: MP_REACH_NLRI holds only
			       next-hop length + next hop (RFC 6396 §4.3.4),
			       written when mp_nexthop is set */

/*
 * Path-attribute block alone (no length prefix), for RIB entries.  Without
 * DW_BGP_ATTRS_RIB no MP_REACH_NLRI is written.  Returns 0, DW_EINVAL (bad
 * address family), DW_ETOOBIG (an attribute over 65535 bytes) or DW_ENOMEM.
 */
int dw_bgp_build_attrs(struct dw_buf *b, const struct dw_bgp_attr_spec *a,
		       unsigned flags);

/*
 * One UPDATE.  Prefixes are placed by family: IPv4 into the withdrawn-routes
 * and NLRI fields, IPv6 into MP_UNREACH_NLRI / MP_REACH_NLRI (AFI 2, SAFI 1).
 */
struct dw_bgp_update_spec {
	const struct dw_bgp_attr_spec *attrs; /* written when nannounce > 0 */
	const struct dw_prefix *announce;
	size_t nannounce;
	const struct dw_prefix *withdraw;
	size_t nwithdraw;
	uint8_t addpath;                /* RFC 7911: path id before each prefix */
	const uint32_t *announce_ids;   /* parallel to announce; NULL = all 0 */
	const uint32_t *withdraw_ids;   /* parallel to withdraw; NULL = all 0 */
};

/*
 * A complete BGP UPDATE message (19-byte header: 16 x 0xff, length, type 2).
 * Returns 0, DW_EINVAL (bad prefix length or family, IPv6 announced without
 * attrs->mp_nexthop), DW_ETOOBIG (message over 65535 bytes, RFC 8654) or
 * DW_ENOMEM.  The caller decides whether more than 4096 bytes is acceptable.
 */
int dw_bgp_build_update(struct dw_buf *b, const struct dw_bgp_update_spec *u);

/* Append one NLRI-encoded prefix ([path id], length, bytes). */
int dw_bgp_put_prefix(struct dw_buf *b, const struct dw_prefix *p,
		      int addpath, uint32_t path_id);

#endif
