/* utf8.h: strict UTF-8 checks for text that does not pass through jansson (URLs, query
 * strings, CSV later). Rejects overlongs, surrogates, code points above U+10FFFF and NUL.
 * Pure. Threads: safe. */
#ifndef DJ_UTF8_H
#define DJ_UTF8_H
#include <stdbool.h>
#include <stddef.h>

bool utf8_valid(const char *s, size_t len);
/* The length (1-4) of the valid sequence at s, of at most avail bytes; 0 if there is none
 * (NUL included). */
size_t utf8_seq(const unsigned char *s, size_t avail);
size_t utf8_count(const char *s);            /* code points in a valid string */
/* Trims ASCII and full-width (U+3000) spaces at both ends, in place; returns s. */
char *utf8_trim(char *s);

#endif
