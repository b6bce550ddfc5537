/*
 * hash.h - SHA-256 of inputs, for the store's ingestion log.
 *
 * Every importer records the SHA-256 of each input file in the same
 * transaction as the data it produced (see docs/STORE.md), so a later run can
 * tell an input already done from a new one by content, whatever its name or
 * mtime.  The digest comes from OpenSSL's libcrypto (EVP API): it is on every
 * Debian system, fast (SHA-NI where the CPU has it) and well reviewed.
 *
 * Digests are handled as 64 lowercase hexadecimal characters plus a NUL, the
 * form stored in the database and printed to users.
 */
#ifndef DARKWATCH_HASH_H
#define DARKWATCH_HASH_H

#include <stddef.h>

#define DW_SHA256_HEX_LEN 64

/* An incremental SHA-256 computation (opaque). */
struct dw_sha256;

/* Start a computation.  Returns 0 or DW_ENOMEM / DW_EUNSUPP. */
int dw_sha256_new(struct dw_sha256 **out);

/* Add n bytes at p (p may be NULL when n == 0).  Returns 0 or DW_EIO. */
int dw_sha256_update(struct dw_sha256 *h, const void *p, size_t n);

/*
 * Finish: write the hex digest of everything added into hex (NUL-terminated)
 * and start over, so the object can hash another input.  Returns 0 or DW_EIO.
 */
int dw_sha256_final(struct dw_sha256 *h, char hex[DW_SHA256_HEX_LEN + 1]);

/* Release h (NULL is fine). */
void dw_sha256_free(struct dw_sha256 *h);

/*
 * SHA-256 of the file at path.  Returns 0, -errno when the file cannot be
 * opened or read, or an error of the functions above.
 */
int dw_sha256_file(const char *path, char hex[DW_SHA256_HEX_LEN + 1]);

/* 1 if s is exactly 64 lowercase hex digits, else 0. */
int dw_sha256_hex_valid(const char *s);

#endif
