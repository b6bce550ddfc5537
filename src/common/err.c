/*
 * err.c - text for darkwatch error codes and skip reasons (see err.h).
 */
#include "darkwatch/err.h"

#include <string.h>

const char *dw_strerror(int err)
{
	switch (err) {
	case DW_OK: return "success";
	case DW_ETRUNC: return "input truncated";
	case DW_EMALFORMED: return "malformed input";
	case DW_EUNSUPP: return "not supported";
	case DW_ETOOBIG: return "length over limit";
	case DW_ENOMEM: return "out of memory";
	case DW_EIO: return "input/output error";
	case DW_ECOMPRESS: return "corrupt compressed data";
	case DW_EINVAL: return "invalid argument";
	case DW_EFORMAT: return "unrecognised file format";
	}
	if (err < 0 && err > -4096)
		return strerror(-err);
	return "unknown error";
}

static const struct {
	const char *name, *text;
} reasons[DW_R__COUNT] = {
	[DW_R_NONE] = {"none", "no error"},
	[DW_R_TRUNCATED_FILE] = {"truncated-file", "file (or its compressed stream) ends inside an MRT record"},
	[DW_R_COMPRESS_ERROR] = {"compress-error", "compressed stream is corrupt or cut short"},
	[DW_R_RECORD_TOO_BIG] = {"record-too-big", "record length above the reader's cap"},
	[DW_R_RECORD_TRUNCATED] = {"record-truncated", "record body shorter than its fields"},
	[DW_R_TRAILING_BYTES] = {"trailing-bytes", "record body longer than its fields"},
	[DW_R_UNKNOWN_TYPE] = {"unknown-type", "unknown MRT type or subtype (skipped)"},
	[DW_R_BAD_AFI] = {"bad-afi", "address family is neither IPv4 nor IPv6"},
	[DW_R_BGP_MARKER] = {"bgp-marker", "BGP marker is not all ones"},
	[DW_R_BGP_LENGTH] = {"bgp-length", "BGP message length differs from the bytes in the record"},
	[DW_R_BGP_TYPE] = {"bgp-type", "unknown BGP message type"},
	[DW_R_WITHDRAWN_LENGTH] = {"withdrawn-length", "withdrawn routes length runs past the message"},
	[DW_R_ATTR_TOTAL_LENGTH] = {"attr-total-length", "total path attribute length inconsistent with the message"},
	[DW_R_ATTR_LENGTH] = {"attr-length", "attribute length runs past the attribute block"},
	[DW_R_ATTR_TRAILING] = {"attr-trailing", "stray bytes after the last attribute"},
	[DW_R_ATTR_FLAGS] = {"attr-flags", "reserved attribute flag bits set (ignored)"},
	[DW_R_ATTR_DUPLICATE] = {"attr-duplicate", "the same attribute appears twice"},
	[DW_R_ATTR_MISSING] = {"attr-missing", "mandatory attribute missing while NLRI present"},
	[DW_R_ATTR_VALUE] = {"attr-value", "attribute length or value wrong for its type"},
	[DW_R_ASPATH_SEGMENT] = {"aspath-segment", "AS_PATH segment malformed (count, type or empty)"},
	[DW_R_ASPATH_TOO_LONG] = {"aspath-too-long", "AS_PATH longer than 2048 ASNs"},
	[DW_R_PREFIX_LENGTH] = {"prefix-length", "prefix length above 32 (IPv4) or 128 (IPv6)"},
	[DW_R_NLRI_OVERRUN] = {"nlri-overrun", "prefix bytes run past the NLRI field"},
	[DW_R_ADDPATH_MISMATCH] = {"addpath-mismatch", "ADD-PATH framing does not match the record subtype"},
	[DW_R_MP_AFI_SAFI] = {"mp-afi-safi", "MP_REACH/MP_UNREACH AFI/SAFI kept opaque"},
	[DW_R_MP_NEXTHOP_LEN] = {"mp-nexthop-len", "MP_REACH next-hop length not in {4,12,16,24,32}"},
	[DW_R_PEER_INDEX] = {"peer-index", "RIB entry peer index out of the peer table"},
	[DW_R_NO_PEER_TABLE] = {"no-peer-table", "RIB record without a preceding PEER_INDEX_TABLE"},
	[DW_R_PEER_TABLE_DUP] = {"peer-table-dup", "another PEER_INDEX_TABLE replaces the first"},
	[DW_R_OPEN_PARAMS] = {"open-params", "OPEN optional parameter lengths inconsistent"},
	[DW_R_TIME_BACKWARDS] = {"time-backwards", "record timestamp earlier than the previous one"},
	[DW_R_BAD_STATE] = {"bad-state", "BGP FSM state out of range"},
	[DW_R_LENGTH_FIXUP] = {"length-fixup", "early RIS TABLE_DUMP length 4 bytes short (repaired)"},
	[DW_R_FRAMING_LOST] = {"framing-lost", "implausible MRT header; bytes skipped to the next record boundary"},
	[DW_R_ATTR_FAIL] = {"attr-fail", "attribute block unusable"},
};

const char *dw_reason_name(enum dw_reason r)
{
	if ((unsigned)r >= DW_R__COUNT || !reasons[r].name)
		return "unknown";
	return reasons[r].name;
}

const char *dw_reason_text(enum dw_reason r)
{
	if ((unsigned)r >= DW_R__COUNT || !reasons[r].text)
		return "unknown reason";
	return reasons[r].text;
}
