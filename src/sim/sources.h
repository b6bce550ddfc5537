/*
 * sources.h - read the real-world tables the simulated world is cut from.
 *
 * `darkwatch sim` builds its world from real prefixes and AS names: a pyasn
 * IP-to-ASN table (`prefix<TAB>asn` lines, `;` comments, usually gzipped)
 * and pyasn's AS-name JSON ({"44244": "IRANCELL-AS ..., IR", ...}).  Only
 * the ASNs the scenario asks for are kept, so a 500k-line table costs one
 * streaming pass and a few kilobytes.
 */
#ifndef DW_SIM_SOURCES_H
#define DW_SIM_SOURCES_H

#include <stddef.h>
#include <stdint.h>

#include "darkwatch/addr.h"

struct dw_sim_pfx2as_row {
	uint32_t addr; /* host order, host bits clear */
	uint8_t len;
	uint32_t asn;
};

/*
 * Every IPv4 row of the pyasn table at `path` (gzip or plain) whose origin
 * is in `asns` (sorted ascending, n entries).  *rows is owned (free()).
 * Returns 0; DW_EFORMAT when no line of the file parses as a pyasn row;
 * -errno; DW_ENOMEM.  Writes a message to err on failure.
 */
int dw_sim_pfx2as_read(const char *path, const uint32_t *asns, size_t n,
		       struct dw_sim_pfx2as_row **rows, size_t *nrows,
		       char *err, size_t errlen);

/*
 * Names of `asns` (sorted, n) from the pyasn JSON at `path` (gzip or
 * plain): names[i] is an owned string (free()) or NULL when the table does
 * not have asns[i].  Returns 0, DW_EFORMAT (not a flat JSON object of
 * strings), -errno, DW_ENOMEM, with a message in err on failure.
 */
int dw_sim_asnames_read(const char *path, const uint32_t *asns, size_t n,
			char **names, char *err, size_t errlen);

#endif
