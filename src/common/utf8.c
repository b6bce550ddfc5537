/*
 * utf8.c - the UTF-8 text check of utf8.h, by hand: it is twenty lines,
 * and the rules we want (no controls, shortest form) are not what a
 * general decoder library would enforce by default.
 */
#include "common/utf8.h"

int dw_utf8_text_ok(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i = 0;

	while (i < n) {
		unsigned c = b[i], len, cp;
		if (c < 0x20 || c == 0x7f)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, cp = c & 0x07;
		else
			return 0;
		if (n - i < len)
			return 0;
		for (unsigned k = 1; k < len; k++) {
			if ((b[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (b[i + k] & 0x3f);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		i += len;
	}
	return 1;
}
