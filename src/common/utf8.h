/*
 * utf8.h - is this text safe to store and echo back?
 *
 * The store (entity codes and names) and the API (query parameters) both
 * accept text from files and from the network and must refuse what is not
 * shortest-form UTF-8 or holds control characters, which would corrupt
 * CSV, JSON and terminal output downstream.  One checker serves both.
 */
#ifndef DW_COMMON_UTF8_H
#define DW_COMMON_UTF8_H

#include <stddef.h>

/*
 * 1 if p[0..n) is valid UTF-8 (shortest form, no surrogates, at most
 * U+10FFFF) without C0 control characters or DEL; 0 otherwise.
 */
int dw_utf8_text_ok(const void *p, size_t n);

#endif
