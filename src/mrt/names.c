/*
 * names.c - names of MRT types and subtypes, as RFC 6396 and RFC 8050 spell
 * them, for statistics and error messages.
 */
#include "darkwatch/mrt.h"

const char *dw_mrt_type_name(uint16_t type)
{
	switch (type) {
	case DW_MRT_BGP: return "BGP";
	case 11: return "OSPFv2";
	case DW_MRT_TABLE_DUMP: return "TABLE_DUMP";
	case DW_MRT_TABLE_DUMP_V2: return "TABLE_DUMP_V2";
	case DW_MRT_BGP4MP: return "BGP4MP";
	case DW_MRT_BGP4MP_ET: return "BGP4MP_ET";
	case 32: return "ISIS";
	case 33: return "ISIS_ET";
	case 48: return "OSPFv3";
	case 49: return "OSPFv3_ET";
	}
	return "UNKNOWN";
}

const char *dw_mrt_subtype_name(uint16_t type, uint16_t st)
{
	static const char *td1[] = {"?", "AFI_IPv4", "AFI_IPv6", "AFI_IPv4_AS4",
				    "AFI_IPv6_AS4"};
	static const char *td2[] = {"?", "PEER_INDEX_TABLE", "RIB_IPV4_UNICAST",
		"RIB_IPV4_MULTICAST", "RIB_IPV6_UNICAST", "RIB_IPV6_MULTICAST",
		"RIB_GENERIC", "GEO_PEER_TABLE", "RIB_IPV4_UNICAST_ADDPATH",
		"RIB_IPV4_MULTICAST_ADDPATH", "RIB_IPV6_UNICAST_ADDPATH",
		"RIB_IPV6_MULTICAST_ADDPATH", "RIB_GENERIC_ADDPATH"};
	static const char *mp[] = {"STATE_CHANGE", "MESSAGE", "ENTRY", "SNAPSHOT",
		"MESSAGE_AS4", "STATE_CHANGE_AS4", "MESSAGE_LOCAL",
		"MESSAGE_AS4_LOCAL", "MESSAGE_ADDPATH", "MESSAGE_AS4_ADDPATH",
		"MESSAGE_LOCAL_ADDPATH", "MESSAGE_AS4_LOCAL_ADDPATH"};
	static const char *bgp[] = {"NULL", "UPDATE", "PREF_UPDATE",
		"STATE_CHANGE", "SYNC", "OPEN", "NOTIFY", "KEEPALIVE"};

	switch (type) {
	case DW_MRT_TABLE_DUMP:
		return st <= 4 ? td1[st] : "UNKNOWN";
	case DW_MRT_TABLE_DUMP_V2:
		return st <= 12 ? td2[st] : "UNKNOWN";
	case DW_MRT_BGP4MP:
	case DW_MRT_BGP4MP_ET:
		return st <= 11 ? mp[st] : "UNKNOWN";
	case DW_MRT_BGP:
		return st <= 7 ? bgp[st] : "UNKNOWN";
	}
	return "UNKNOWN";
}
