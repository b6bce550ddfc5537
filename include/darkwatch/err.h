/*
 * err.h - darkwatch error codes and malformed-input reasons.
 *
 * Every library function returns 0 (or a positive count) on success and a
 * negative code on failure: -errno for system errors, DW_E* for project errors.
 * The DW_E* values live in their own range (below -1000) so they never collide
 * with -errno, and are never renumbered.
 *
 * Separately, decoders *count* what they skip.  A dw_reason says why a record,
 * attribute or prefix was skipped; counters are indexed by it and the CLI prints
 * dw_reason_name() so users can grep for a stable token.
 */
#ifndef DARKWATCH_ERR_H
#define DARKWATCH_ERR_H

enum {
	DW_OK = 0,
	DW_ETRUNC = -1001,     /* input ended inside a structure */
	DW_EMALFORMED = -1002, /* a field's value contradicts the format */
	DW_EUNSUPP = -1003,    /* valid but not supported */
	DW_ETOOBIG = -1004,    /* a length exceeds a documented cap */
	DW_ENOMEM = -1005,     /* allocation failed */
	DW_EIO = -1006,        /* read or write error (errno not known) */
	DW_ECOMPRESS = -1007,  /* corrupt or truncated compressed stream */
	DW_EINVAL = -1008,     /* bad argument from the caller */
	DW_EFORMAT = -1009,    /* the input is not of the expected format */
};

/* Human-readable text for any code returned by a darkwatch function. */
const char *dw_strerror(int err);

/*
 * Why something was skipped.  Stable: append only.  The names (dw_reason_name)
 * appear in `darkwatch mrt stats` and in error messages.
 */
enum dw_reason {
	DW_R_NONE = 0,
	DW_R_TRUNCATED_FILE,     /* file ends inside an MRT record */
	DW_R_COMPRESS_ERROR,     /* decompressor reported corrupt data */
	DW_R_RECORD_TOO_BIG,     /* record length above the reader's cap */
	DW_R_RECORD_TRUNCATED,   /* record body shorter than its fields */
	DW_R_TRAILING_BYTES,     /* record body longer than its fields */
	DW_R_UNKNOWN_TYPE,       /* MRT type/subtype not known (skipped, counted) */
	DW_R_BAD_AFI,            /* AFI not IPv4/IPv6 where one is required */
	DW_R_BGP_MARKER,         /* BGP marker not all ones */
	DW_R_BGP_LENGTH,         /* BGP message length != bytes available */
	DW_R_BGP_TYPE,           /* unknown BGP message type */
	DW_R_WITHDRAWN_LENGTH,   /* withdrawn routes length over the message */
	DW_R_ATTR_TOTAL_LENGTH,  /* total path attribute length inconsistent */
	DW_R_ATTR_LENGTH,        /* an attribute's length over the bytes left */
	DW_R_ATTR_TRAILING,      /* 1-3 stray bytes after the last attribute */
	DW_R_ATTR_FLAGS,         /* reserved flag bits / wrong flags for type */
	DW_R_ATTR_DUPLICATE,     /* the same attribute twice */
	DW_R_ATTR_MISSING,       /* mandatory attribute missing with NLRI present */
	DW_R_ATTR_VALUE,         /* attribute length wrong for its type */
	DW_R_ASPATH_SEGMENT,     /* segment count != length, unknown type, empty */
	DW_R_ASPATH_TOO_LONG,    /* more ASNs than the cap (2048) */
	DW_R_PREFIX_LENGTH,      /* prefix length > 32 / > 128 */
	DW_R_NLRI_OVERRUN,       /* prefix bytes beyond the NLRI field */
	DW_R_ADDPATH_MISMATCH,   /* ADD-PATH framing in a non-ADD-PATH subtype or reverse */
	DW_R_MP_AFI_SAFI,        /* MP_REACH/UNREACH with an AFI/SAFI kept opaque */
	DW_R_MP_NEXTHOP_LEN,     /* MP next-hop length not in {4,12,16,24,32} */
	DW_R_PEER_INDEX,         /* RIB entry peer index out of range */
	DW_R_NO_PEER_TABLE,      /* RIB record before any PEER_INDEX_TABLE */
	DW_R_PEER_TABLE_DUP,     /* a second PEER_INDEX_TABLE (replaces the first) */
	DW_R_OPEN_PARAMS,        /* OPEN optional parameter lengths inconsistent */
	DW_R_TIME_BACKWARDS,     /* timestamp earlier than the previous record */
	DW_R_BAD_STATE,          /* BGP FSM state value out of range */
	DW_R_LENGTH_FIXUP,       /* early RIS TABLE_DUMP length 4 bytes short, repaired */
	DW_R_FRAMING_LOST,       /* implausible MRT header: bytes skipped to resync */
	DW_R_ATTR_FAIL,          /* attribute block unusable (see the attr reason) */
	DW_R__COUNT
};

/* Stable, hyphenated token for a reason ("attr-length"). Never NULL. */
const char *dw_reason_name(enum dw_reason r);
/* One-sentence explanation for a reason. Never NULL. */
const char *dw_reason_text(enum dw_reason r);

#endif
