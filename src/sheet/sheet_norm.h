/* sheet_norm.h: what a user means by the text in a cell. Pure helpers the reader and the importer
 * share: trimming the spaces Excel users leave (ASCII, NBSP, U+3000 ideographic space) and the
 * invisible zero-width characters pasted from web pages, full-width ASCII (０-９ Ａ-Ｚ ａ-ｚ and
 * punctuation) to half-width, dates in the usual written forms and Excel serial numbers to ISO
 * "YYYY-MM-DD", and "is this cell blank". Internal spaces are kept (names such as "阿依古丽 买买提"
 * have them). No I/O. Threads: safe. */
#ifndef DJ_SHEET_NORM_H
#define DJ_SHEET_NORM_H
#include <stdbool.h>
#include <stddef.h>

/* Removes zero-width characters (U+200B-U+200D, U+2060, U+FEFF) anywhere and trims ASCII
 * whitespace, NBSP (U+00A0) and U+3000 at both ends, in place. Returns s. */
char *sheet_norm_trim(char *s);
/* Full-width U+FF01-U+FF5E to ASCII and U+3000 to a space, in place (the text only shrinks).
 * Returns s. */
char *sheet_norm_halfwidth(char *s);
/* True when s holds only what sheet_norm_trim() removes (NULL is blank). */
bool sheet_norm_is_blank(const char *s);
/* A date as users write it, to "YYYY-MM-DD" in out: 2020-1-5, 2020/01/05, 2020.1.5, 2020年1月5日,
 * 20200105, full-width digits, a trailing time ("2020-01-05 08:30:00") ignored; with
 * allow_serial also an Excel serial number given as text (43835 -> 2020-01-05, 1900 system).
 * Validates the calendar (no 2021-02-29). 0 ok, -1 not a date. */
int sheet_norm_date(const char *s, bool allow_serial, char out[11]);
/* An Excel serial day number to "YYYY-MM-DD": the 1900 system keeps Excel's phantom
 * 1900-02-29 (serial 60, refused here), the 1904 system counts from 1904-01-01. The time of
 * day (the fraction) is dropped. 0 ok, -1 out of range (before 1900-01-01, after 9999-12-31). */
int sheet_norm_serial_date(double serial, bool date1904, char out[11]);

#endif
