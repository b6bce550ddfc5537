/*
 * bgp.h - BGP-4 message and path-attribute decoding (RFC 4271 and friends).
 *
 * Used by the MRT reader (archived messages and RIB entries) and, later, by a
 * live BGP session, so nothing here knows about MRT.  Decoding is zero-copy:
 * results are views into the caller's buffer plus small arrays taken from a
 * caller-supplied arena (reset per record).  Every length is checked against
 * the bytes left and against its meaning; nothing is read out of bounds.
 *
 * Policy on malformed input: a structural error (a length that does not fit,
 * an impossible value in a mandatory field) makes the decoder return a
 * negative code and set *why; the caller skips the message or RIB entry and
 * counts the reason.  Tolerable oddities (reserved flag bits, opaque AFI/SAFI,
 * unknown attributes) are decoded and reported in `warn` so they can be
 * counted without losing the route.
 */
#ifndef DARKWATCH_BGP_H
#define DARKWATCH_BGP_H

#include <stddef.h>
#include <stdint.h>

#include "darkwatch/addr.h"
#include "darkwatch/err.h"

struct dw_arena;

/* A borrowed view into someone's buffer. */
struct dw_bytes {
	const uint8_t *p;
	size_t len;
};

enum dw_bgp_msg_type {
	DW_BGP_OPEN = 1,
	DW_BGP_UPDATE = 2,
	DW_BGP_NOTIFICATION = 3,
	DW_BGP_KEEPALIVE = 4,
	DW_BGP_ROUTE_REFRESH = 5,
};

enum dw_bgp_attr_type {
	DW_ATTR_ORIGIN = 1,
	DW_ATTR_AS_PATH = 2,
	DW_ATTR_NEXT_HOP = 3,
	DW_ATTR_MED = 4,
	DW_ATTR_LOCAL_PREF = 5,
	DW_ATTR_ATOMIC_AGGREGATE = 6,
	DW_ATTR_AGGREGATOR = 7,
	DW_ATTR_COMMUNITIES = 8,
	DW_ATTR_ORIGINATOR_ID = 9,
	DW_ATTR_CLUSTER_LIST = 10,
	DW_ATTR_MP_REACH_NLRI = 14,
	DW_ATTR_MP_UNREACH_NLRI = 15,
	DW_ATTR_EXT_COMMUNITIES = 16,
	DW_ATTR_AS4_PATH = 17,
	DW_ATTR_AS4_AGGREGATOR = 18,
	DW_ATTR_LARGE_COMMUNITIES = 32,
};

enum dw_aspath_seg_type {
	DW_AS_SET = 1,
	DW_AS_SEQUENCE = 2,
	DW_AS_CONFED_SEQUENCE = 3,
	DW_AS_CONFED_SET = 4,
};

#define DW_ASPATH_MAX_ASNS 2048 /* cap; longer paths are malformed (counted) */
#define DW_BGP_MAX_MSG 65535    /* RFC 8654 extended messages */

enum { DW_AFI_IPV4 = 1, DW_AFI_IPV6 = 2 };
enum { DW_SAFI_UNICAST = 1, DW_SAFI_MULTICAST = 2, DW_SAFI_BOTH = 3 };

struct dw_aspath_seg {
	uint8_t type;     /* enum dw_aspath_seg_type */
	uint16_t count;   /* ASNs in this segment */
	const uint32_t *asn;
};

struct dw_aspath {
	uint16_t nseg;
	uint16_t nasn;    /* total ASNs over all segments */
	const struct dw_aspath_seg *seg; /* arena-owned */
};

/* NLRI of one AFI/SAFI, iterated with dw_nlri_next. */
struct dw_nlri {
	uint16_t afi;
	uint8_t safi;
	uint8_t addpath;  /* each prefix preceded by a 4-byte path id */
	struct dw_bytes raw;
};

struct dw_mp_reach {
	uint16_t afi;
	uint8_t safi;
	uint8_t nh_len;   /* as on the wire */
	struct dw_addr nexthop;       /* first (global) next hop */
	struct dw_addr nexthop_local; /* IPv6 link-local when nh_len == 32 */
	struct dw_nlri nlri;
	uint8_t opaque;   /* AFI/SAFI not decoded: nlri.raw holds the bytes */
	uint8_t abbreviated; /* RFC 6396 RIB form: only nh_len + next hop */
};

struct dw_mp_unreach {
	uint16_t afi;
	uint8_t safi;
	struct dw_nlri nlri;
	uint8_t opaque;
};

struct dw_attr_raw {
	uint8_t flags, type;
	struct dw_bytes value;
};

#define DW_ATTRS_MAX_WARN 4
#define DW_ATTRS_MAX_UNKNOWN 16

struct dw_bgp_attrs {
	uint64_t present[4];         /* bit per attribute type code seen */
	uint8_t origin;
	struct dw_aspath aspath;     /* AS_PATH merged with AS4_PATH (RFC 6793) */
	struct dw_aspath aspath_raw; /* AS_PATH as on the wire (2- or 4-byte) */
	struct dw_aspath as4path;    /* AS4_PATH as on the wire */
	struct dw_addr nexthop;      /* NEXT_HOP (IPv4) */
	uint32_t med, local_pref;
	uint32_t aggregator_as;      /* AS4_AGGREGATOR merged when applicable */
	struct dw_addr aggregator_addr;
	uint32_t originator_id;
	struct dw_bytes communities; /* 4 bytes each */
	struct dw_bytes ext_communities; /* 8 bytes each */
	struct dw_bytes large_communities; /* 12 bytes each */
	struct dw_bytes cluster_list; /* 4 bytes each */
	struct dw_mp_reach mp_reach;
	struct dw_mp_unreach mp_unreach;
	uint8_t nunknown;
	struct dw_attr_raw unknown[DW_ATTRS_MAX_UNKNOWN];
	uint8_t nwarn;
	enum dw_reason warn[DW_ATTRS_MAX_WARN]; /* tolerated oddities, to count */
};

static inline int dw_attrs_has(const struct dw_bgp_attrs *a, unsigned type)
{
	return (a->present[(type >> 6) & 3] >> (type & 63)) & 1;
}

struct dw_bgp_opts {
	uint8_t as4;      /* AS_PATH/AGGREGATOR carry 4-byte ASNs */
	uint8_t addpath;  /* NLRI carry path ids (RFC 7911) */
	uint8_t rib;      /* MRT RIB entry: MP_REACH may be abbreviated */
	uint16_t rib_afi; /* for abbreviated MP_REACH in RIB entries */
	uint8_t rib_safi;
};

/*
 * Decode a path-attribute block.  `arena` supplies AS path arrays; views point
 * into p.  Returns 0 or a negative code with *why set.
 */
int dw_bgp_attrs_decode(const uint8_t *p, size_t len,
			const struct dw_bgp_opts *opts, struct dw_arena *arena,
			struct dw_bgp_attrs *out, enum dw_reason *why);

struct dw_bgp_open {
	uint8_t version;
	uint16_t my_as;       /* 2-byte field; AS_TRANS when 4-byte ASN */
	uint32_t as4;         /* from the 4-octet AS capability, or my_as */
	uint16_t hold_time;
	uint32_t bgp_id;
	uint16_t opt_len;     /* RFC 9072 extended length when ext_params */
	uint8_t ext_params;
	struct dw_bytes params;
	uint8_t cap_addpath;  /* saw ADD-PATH capability */
	uint8_t cap_as4;
};

struct dw_bgp_update {
	struct dw_nlri withdrawn;  /* IPv4 unicast */
	struct dw_bytes attrs;
	struct dw_nlri nlri;       /* IPv4 unicast */
};

struct dw_bgp_notification {
	uint8_t code, subcode;
	struct dw_bytes data;
};

struct dw_bgp_refresh {
	uint16_t afi;
	uint8_t subtype;
	uint8_t safi;
};

struct dw_bgp_msg {
	uint8_t type;
	uint16_t length;
	union {
		struct dw_bgp_open open;
		struct dw_bgp_update update;
		struct dw_bgp_notification notification;
		struct dw_bgp_refresh refresh;
	} u;
};

/*
 * Decode one BGP message with its 19-byte header (marker, length, type).  The
 * header length must equal len (MRT framing) and be <= 65535 (RFC 8654); lengths
 * above 4096 are accepted.  Views point into p.  Returns 0 or negative with
 * *why set.
 */
int dw_bgp_msg_decode(const uint8_t *p, size_t len,
		      const struct dw_bgp_opts *opts, struct dw_bgp_msg *out,
		      enum dw_reason *why);

/*
 * Decode an UPDATE body without the 19-byte header (MRT type 5 records store
 * it so).
 */
int dw_bgp_update_decode(const uint8_t *p, size_t len,
			 const struct dw_bgp_opts *opts,
			 struct dw_bgp_update *out, enum dw_reason *why);

/*
 * Iterate prefixes of an NLRI field.  *off starts at 0.  Returns 1 with *pfx
 * (and *path_id when nlri->addpath) set, 0 at the end, or negative with *why
 * set (prefix length out of range, bytes beyond the field).  Host bits beyond
 * the prefix length are cleared.
 */
int dw_nlri_next(const struct dw_nlri *nlri, size_t *off,
		 struct dw_prefix *pfx, uint32_t *path_id, enum dw_reason *why);

/*
 * Check a whole NLRI field; returns the prefix count or negative with *why.
 * Also used to tell ADD-PATH framing apart (RFC 8050 damage): see
 * dw_nlri_guess_addpath.
 */
int dw_nlri_validate(const struct dw_nlri *nlri, enum dw_reason *why);

/*
 * 1 when `raw` parses cleanly only with ADD-PATH framing, 0 when it parses
 * without, -1 when neither.
 */
int dw_nlri_guess_addpath(uint16_t afi, const struct dw_bytes *raw);

/*
 * Make an NLRI field usable: when it does not parse with its declared ADD-PATH
 * framing but does with the other, switch (warning DW_R_ADDPATH_MISMATCH in
 * a->warn); when neither parses, cut it before the first bad prefix (warning
 * DW_R_PREFIX_LENGTH or DW_R_NLRI_OVERRUN: routes were lost).
 */
void dw_nlri_repair(struct dw_nlri *n, struct dw_bgp_attrs *a);

/* Lost-route warnings (the record was printed but some prefixes dropped). */
static inline int dw_reason_is_loss(enum dw_reason r)
{
	return r == DW_R_NLRI_OVERRUN || r == DW_R_PREFIX_LENGTH ||
	       r == DW_R_PEER_INDEX;
}

/*
 * Check an UPDATE after its attributes are decoded: repair every NLRI field
 * (dw_nlri_repair), and check that the mandatory attributes are
 * there when routes are announced (ORIGIN, AS_PATH, and NEXT_HOP for IPv4
 * NLRI outside MP_REACH).  Returns 0 or DW_EMALFORMED with *why set.
 */
int dw_bgp_update_check(struct dw_bgp_update *u, struct dw_bgp_attrs *a,
			enum dw_reason *why);

#endif
