/*
 * hash.c - SHA-256 through OpenSSL's EVP interface (see darkwatch/hash.h).
 *
 * EVP rather than the deprecated SHA256_Init family: it is the API OpenSSL 3
 * keeps, and it picks the CPU's SHA extensions by itself.  Files are read in
 * 256 KiB blocks with read(2), so hashing a multi-gigabyte archive uses
 * constant memory.
 */
#include "darkwatch/hash.h"
#include "darkwatch/err.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <unistd.h>

#define READ_BLOCK (256u << 10)

struct dw_sha256 {
	EVP_MD_CTX *ctx;
};

int dw_sha256_new(struct dw_sha256 **out)
{
	struct dw_sha256 *h = calloc(1, sizeof(*h));
	int rc = DW_ENOMEM;

	if (!h)
		goto fail;
	if (!(h->ctx = EVP_MD_CTX_new()))
		goto fail;
	if (EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
		rc = DW_EUNSUPP;
		goto fail;
	}
	*out = h;
	return 0;
fail:
	dw_sha256_free(h);
	return rc;
}

int dw_sha256_update(struct dw_sha256 *h, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	return EVP_DigestUpdate(h->ctx, p, n) == 1 ? 0 : DW_EIO;
}

int dw_sha256_final(struct dw_sha256 *h, char hex[DW_SHA256_HEX_LEN + 1])
{
	static const char digit[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (EVP_DigestFinal_ex(h->ctx, md, &len) != 1 || len != 32)
		return DW_EIO;
	for (unsigned i = 0; i < 32; i++) {
		hex[2 * i] = digit[md[i] >> 4];
		hex[2 * i + 1] = digit[md[i] & 15];
	}
	hex[DW_SHA256_HEX_LEN] = 0;
	return EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) == 1 ? 0 : DW_EIO;
}

void dw_sha256_free(struct dw_sha256 *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

int dw_sha256_file(const char *path, char hex[DW_SHA256_HEX_LEN + 1])
{
	struct dw_sha256 *h = NULL;
	unsigned char *block = NULL;
	int fd = -1, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = -errno;
		goto out;
	}
	if ((rc = dw_sha256_new(&h)) < 0)
		goto out;
	if (!(block = malloc(READ_BLOCK))) {
		rc = DW_ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, block, READ_BLOCK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			goto out;
		}
		if (n == 0)
			break;
		if ((rc = dw_sha256_update(h, block, (size_t)n)) < 0)
			goto out;
	}
	rc = dw_sha256_final(h, hex);
out:
	free(block);
	dw_sha256_free(h);
	if (fd >= 0)
		close(fd);
	return rc;
}

int dw_sha256_hex_valid(const char *s)
{
	size_t i;
	if (!s)
		return 0;
	for (i = 0; i < DW_SHA256_HEX_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[i] == 0;
}
