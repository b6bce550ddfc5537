/*
 * mrt.h - streaming MRT reader (RFC 6396, RFC 8050 ADD-PATH).
 *
 * Pull API in the libbgpstream style:
 *
 *     struct dw_mrt_reader *r;
 *     dw_mrt_reader_open(path, &conf, &r);
 *     const struct dw_mrt_record *rec;
 *     while ((rc = dw_mrt_reader_next(r, &rec)) != 0) {
 *             if (rc < 0) { ... a skipped record: dw_mrt_reader_error(r) ...;
 *                           if (rc == DW_EIO || ...fatal) break; continue; }
 *             ... use rec ...
 *     }
 *     dw_mrt_reader_free(r);
 *
 * Lifetimes: the record returned by next(), and every view and array it points
 * to (attribute bytes, RIB entries, BGP message bytes), are borrowed and valid
 * until the next call to dw_mrt_reader_next() or dw_mrt_reader_free().  The
 * peer table is valid until the next PEER_INDEX_TABLE record or free().
 *
 * Memory stays constant whatever the file size: one record buffer (grown up to
 * conf.max_record) and one arena reset per record.
 *
 * Errors: next() returns DW_EMALFORMED (record skipped; framing intact, the
 * next call goes on), DW_ETRUNC (the file ends inside a record; next call
 * returns 0), DW_ECOMPRESS (decompression failed; next returns 0), -errno.
 * dw_mrt_reader_error() describes the last error (reason, record offset).
 */
#ifndef DARKWATCH_MRT_H
#define DARKWATCH_MRT_H

#include <stddef.h>
#include <stdint.h>

#include "darkwatch/addr.h"
#include "darkwatch/bgp.h"
#include "darkwatch/err.h"

enum dw_mrt_type {
	DW_MRT_BGP = 5, /* deprecated, RIS 1999-2000 */
	DW_MRT_TABLE_DUMP = 12,
	DW_MRT_TABLE_DUMP_V2 = 13,
	DW_MRT_BGP4MP = 16,
	DW_MRT_BGP4MP_ET = 17,
};

/* TABLE_DUMP_V2 subtypes */
enum {
	DW_TD2_PEER_INDEX_TABLE = 1,
	DW_TD2_RIB_IPV4_UNICAST = 2,
	DW_TD2_RIB_IPV4_MULTICAST = 3,
	DW_TD2_RIB_IPV6_UNICAST = 4,
	DW_TD2_RIB_IPV6_MULTICAST = 5,
	DW_TD2_RIB_GENERIC = 6,
	DW_TD2_RIB_IPV4_UNICAST_ADDPATH = 8,
	DW_TD2_RIB_IPV4_MULTICAST_ADDPATH = 9,
	DW_TD2_RIB_IPV6_UNICAST_ADDPATH = 10,
	DW_TD2_RIB_IPV6_MULTICAST_ADDPATH = 11,
	DW_TD2_RIB_GENERIC_ADDPATH = 12,
};

/* BGP4MP / BGP4MP_ET subtypes */
enum {
	DW_BGP4MP_STATE_CHANGE = 0,
	DW_BGP4MP_MESSAGE = 1,
	DW_BGP4MP_ENTRY = 2, /* deprecated */
	DW_BGP4MP_SNAPSHOT = 3, /* deprecated */
	DW_BGP4MP_MESSAGE_AS4 = 4,
	DW_BGP4MP_STATE_CHANGE_AS4 = 5,
	DW_BGP4MP_MESSAGE_LOCAL = 6,
	DW_BGP4MP_MESSAGE_AS4_LOCAL = 7,
	DW_BGP4MP_MESSAGE_ADDPATH = 8,
	DW_BGP4MP_MESSAGE_AS4_ADDPATH = 9,
	DW_BGP4MP_MESSAGE_LOCAL_ADDPATH = 10,
	DW_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH = 11,
};

/* deprecated type 5 (BGP) subtypes */
enum {
	DW_MRTBGP_NULL = 0,
	DW_MRTBGP_UPDATE = 1,
	DW_MRTBGP_PREF_UPDATE = 2,
	DW_MRTBGP_STATE_CHANGE = 3,
	DW_MRTBGP_SYNC = 4,
	DW_MRTBGP_OPEN = 5,
	DW_MRTBGP_NOTIFY = 6,
	DW_MRTBGP_KEEPALIVE = 7,
};

/* What a record's body holds, after decoding. */
enum dw_mrt_kind {
	DW_MRT_K_OTHER = 0,   /* known type carrying nothing we expose */
	DW_MRT_K_TD1,         /* TABLE_DUMP v1 route */
	DW_MRT_K_PEER_TABLE,  /* TABLE_DUMP_V2 PEER_INDEX_TABLE */
	DW_MRT_K_RIB,         /* TABLE_DUMP_V2 RIB_* (incl. GENERIC, ADDPATH) */
	DW_MRT_K_STATE,       /* BGP4MP(_ET) state change, type 5 state change */
	DW_MRT_K_MESSAGE,     /* a BGP message (BGP4MP(_ET), type 5) */
	DW_MRT_K_ENTRY,       /* deprecated BGP4MP_ENTRY route */
};

struct dw_mrt_peer {
	struct dw_addr addr;
	uint32_t asn;
	uint32_t bgp_id;
};

struct dw_mrt_peer_table {
	uint32_t collector_id;
	struct dw_bytes view_name;
	uint16_t count;
	const struct dw_mrt_peer *peers;
};

struct dw_mrt_rib_entry {
	uint16_t peer_index;
	const struct dw_mrt_peer *peer; /* into the peer table; NULL when the
					 * file has no PEER_INDEX_TABLE */
	uint32_t originated;
	uint32_t path_id;     /* ADD-PATH subtypes only */
	struct dw_bytes attrs;
};

struct dw_mrt_td1 {
	uint16_t view, seq;
	struct dw_prefix prefix;
	uint8_t status;
	uint32_t originated;
	struct dw_addr peer;
	uint32_t peer_as;
	struct dw_bytes attrs;
};

struct dw_mrt_rib {
	uint32_t seq;
	uint16_t afi;
	uint8_t safi;
	uint8_t addpath;
	uint8_t opaque;        /* RIB_GENERIC with AFI/SAFI we keep opaque */
	struct dw_prefix prefix; /* valid unless opaque */
	struct dw_bytes nlri;  /* RIB_GENERIC: the raw NLRI */
	uint16_t count;
	const struct dw_mrt_rib_entry *entries;
};

struct dw_mrt_state {
	uint32_t peer_as, local_as;
	uint16_t ifindex, afi;
	struct dw_addr peer, local;
	uint16_t old_state, new_state;
};

struct dw_mrt_message {
	uint32_t peer_as, local_as;
	uint16_t ifindex, afi;
	struct dw_addr peer, local;
	uint8_t as4, addpath, local_dir; /* local_dir: *_LOCAL (sent by collector) */
	uint8_t header;        /* 1: msg has the 19-byte BGP header; 0: type 5 body */
	uint8_t bgp_type;      /* BGP message type (type 5: from the subtype) */
	struct dw_bytes msg;
};

struct dw_mrt_entry {           /* BGP4MP_ENTRY (deprecated) */
	uint16_t peer_as, local_as, ifindex, afi;
	struct dw_addr peer, local;
	uint16_t view, status;
	uint32_t originated;
	uint16_t rafi;
	uint8_t rsafi;
	struct dw_addr nexthop;
	struct dw_prefix prefix;
	struct dw_bytes attrs;
};

struct dw_mrt_record {
	uint64_t offset;        /* of the MRT header in the decompressed stream */
	uint32_t timestamp;
	uint32_t usec;          /* BGP4MP_ET microseconds, else 0 */
	uint16_t type, subtype;
	uint32_t length;        /* body length as in the header (after repairs) */
	enum dw_mrt_kind kind;
	enum dw_reason warn;    /* oddity met while framing/decoding the body
				 * (already counted): DW_R_NONE, or e.g.
				 * DW_R_PEER_INDEX when RIB entries were dropped */
	union {
		struct dw_mrt_td1 td1;
		struct dw_mrt_peer_table peers;
		struct dw_mrt_rib rib;
		struct dw_mrt_state state;
		struct dw_mrt_message msg;
		struct dw_mrt_entry entry;
	} u;
	struct dw_bytes body;   /* raw body (borrowed) */
};

struct dw_mrt_reader_conf {
	uint32_t max_record;    /* records longer are skipped; default 16 MiB */
	int threads;            /* decompression threads, see dw_stream_conf */
};
#define DW_MRT_READER_CONF_DEFAULT {16u << 20, 0}

/* Last error of a reader. */
struct dw_mrt_error {
	int code;               /* DW_E* */
	enum dw_reason reason;
	uint64_t offset;        /* record offset in the decompressed stream */
	uint16_t type, subtype;
};

/* Counters kept by the reader over the whole stream. */
struct dw_mrt_counts {
	uint64_t records;       /* records returned (>0 from next) */
	uint64_t skipped;       /* records skipped as malformed */
	uint64_t reasons[DW_R__COUNT]; /* skipped or tolerated, by reason */
};

struct dw_mrt_reader;
struct dw_stream;

/* Open a file (any compression).  *out owned by caller. */
int dw_mrt_reader_open(const char *path, const struct dw_mrt_reader_conf *conf,
		       struct dw_mrt_reader **out);
/* Open over a memory buffer (borrowed; must outlive the reader). */
int dw_mrt_reader_open_mem(const void *buf, size_t len,
			   const struct dw_mrt_reader_conf *conf,
			   struct dw_mrt_reader **out);

/* >0 record in *rec; 0 end; <0 error (see top of file). */
int dw_mrt_reader_next(struct dw_mrt_reader *r, const struct dw_mrt_record **rec);

const struct dw_mrt_error *dw_mrt_reader_error(const struct dw_mrt_reader *r);
const struct dw_mrt_counts *dw_mrt_reader_counts(const struct dw_mrt_reader *r);
/* Current peer table, or NULL before the first PEER_INDEX_TABLE. */
const struct dw_mrt_peer_table *dw_mrt_reader_peers(const struct dw_mrt_reader *r);
/* The reader's stream (for progress: compressed position/size). */
struct dw_stream *dw_mrt_reader_stream(struct dw_mrt_reader *r);
/* Count a reason against the reader (used by callers decoding BGP inside). */
void dw_mrt_reader_count(struct dw_mrt_reader *r, enum dw_reason why, int skipped);

void dw_mrt_reader_free(struct dw_mrt_reader *r);

/* Name of an MRT type ("TABLE_DUMP_V2") and subtype ("RIB_IPV4_UNICAST"); never NULL. */
const char *dw_mrt_type_name(uint16_t type);
const char *dw_mrt_subtype_name(uint16_t type, uint16_t subtype);

#endif
