/*
 * bgpdump_fmt.h - `bgpdump -m` compatible text for decoded MRT records.
 *
 * Researchers' scripts parse `bgpdump -m`; `darkwatch mrt dump -m` prints the
 * same lines, field for field, for every record bgpdump 1.6.2 decodes
 * correctly.  Deliberate deviations where bgpdump is wrong are listed in
 * docs/ARCHITECTURE.md and pinned by tests/integration/mrt_deviations.sh.
 */
#ifndef DW_CLI_BGPDUMP_FMT_H
#define DW_CLI_BGPDUMP_FMT_H

#include "cli/out.h"
#include "darkwatch/mrt.h"

struct dw_arena;
struct bd_fmt;

/*
 * Formatter state (scratch buffers). NULL on ENOMEM.  human: `bgpdump -M`
 * (MM/DD/YY HH:MM:SS times, routes end after the origin) instead of -m.
 */
struct bd_fmt *bd_fmt_new(struct dw_out *out, int human);
void bd_fmt_free(struct bd_fmt *f);

/*
 * Print the lines of one record.  BGP messages and attribute blocks are
 * decoded here; a malformed one is reported through *why and nothing is
 * printed for it.  Returns 0 (printed or nothing to print), 1 when printed
 * with a tolerated oddity (*why says which), or DW_EMALFORMED with *why.
 */
int bd_fmt_record(struct bd_fmt *f, const struct dw_mrt_record *rec,
		  struct dw_arena *arena, enum dw_reason *why);

#endif
