/*
 * try.h - the one-line form of the house error path.
 *
 * Builders and encoders call many functions in a row, each returning 0 or a
 * negative code; TRY(x) stores the code in the caller's `rc` and jumps to
 * its `fail:` label, so the goto-cleanup shape stays readable.
 */
#ifndef DW_COMMON_TRY_H
#define DW_COMMON_TRY_H

#define TRY(x)                     \
	do {                       \
		rc = (x);          \
		if (rc)            \
			goto fail; \
	} while (0)

#endif
