/* vt/utf8.h - UTF-8 validation. */
#ifndef VT_UTF8_H
#define VT_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Strict UTF-8 (no overlongs, no surrogates, at most U+10FFFF). */
bool vt_utf8_valid(const char *s, size_t len);

#endif
