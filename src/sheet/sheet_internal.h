/* sheet_internal.h: what the reader's parts share (sheet_read.c, sheet_zip.c, sheet_xlsx.c,
 * sheet_csv.c). Not for other modules: they use sheet.h.
 *
 * A row is built in a `struct sheet_rowbuf`: every cell's value and raw text are appended to
 * one byte arena (offsets, since it may move while growing), and turned into pointers only when
 * the row is handed out. Offset 0 is always "", so an absent cell costs nothing.
 * Threads: a reader belongs to one thread. */
#ifndef DJ_SHEET_INTERNAL_H
#define DJ_SHEET_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sheet/sheet.h"

struct err;

struct sheet_slot {
    size_t value;                       /* offsets into rowbuf.text */
    size_t raw;
    unsigned flags;
};

struct sheet_rowbuf {
    char *text;
    size_t len, cap;
    struct sheet_slot *slots;
    uint32_t nslots, slots_cap;         /* nslots = 1 + the last column set */
    struct sheet_cell *cells;
    uint32_t cells_cap;
};

void rowbuf_init(struct sheet_rowbuf *rb);
void rowbuf_fini(struct sheet_rowbuf *rb);
void rowbuf_reset(struct sheet_rowbuf *rb);
/* Appends s[0..n) and a NUL; returns its offset. */
size_t rowbuf_add(struct sheet_rowbuf *rb, const char *s, size_t n);
/* Sets column col (0-based) to value/raw (offsets from rowbuf_add), filling gaps with "". */
void rowbuf_set(struct sheet_rowbuf *rb, uint32_t col, size_t value, size_t raw, unsigned flags);
/* Adds raw as the cell's raw text and its trimmed copy as the value. */
void rowbuf_set_text(struct sheet_rowbuf *rb, uint32_t col, const char *raw, size_t n,
                     unsigned flags);
/* True when s[0..len) is longer than max_chars characters (bytes checked first: cheap). */
bool sheet_too_long(const char *s, size_t len, uint32_t max_chars);
bool rowbuf_is_blank(const struct sheet_rowbuf *rb);
void rowbuf_emit(struct sheet_rowbuf *rb, uint32_t number, struct sheet_row *row);

/* Formats. Each opens from memory (borrowed), reads rows into rb, and frees its state. */
struct sheet_xlsx;
struct sheet_csv;
int sheet_xlsx_open(const unsigned char *data, size_t len, const struct sheet_limits *lim,
                    struct sheet_xlsx **out, struct err *e) __attribute__((warn_unused_result));
/* 1 row in rb (number in *number), 0 at the end, -1 error. */
int sheet_xlsx_next(struct sheet_xlsx *x, struct sheet_rowbuf *rb, uint32_t *number,
                    struct err *e) __attribute__((warn_unused_result));
void sheet_xlsx_close(struct sheet_xlsx *x);

int sheet_csv_open(const unsigned char *data, size_t len, const struct sheet_limits *lim,
                   struct sheet_csv **out, struct err *e) __attribute__((warn_unused_result));
int sheet_csv_next(struct sheet_csv *c, struct sheet_rowbuf *rb, uint32_t *number,
                   struct err *e) __attribute__((warn_unused_result));
void sheet_csv_close(struct sheet_csv *c);

/* Zip access with limits (sheet_zip.c). */
struct sheet_zip;
int sheet_zip_open(const unsigned char *data, size_t len, const struct sheet_limits *lim,
                   struct sheet_zip **out, struct err *e) __attribute__((warn_unused_result));
void sheet_zip_close(struct sheet_zip *z);
bool sheet_zip_has(struct sheet_zip *z, const char *name);
/* Opens entry `name` for reading; 0 ok, -1 (sheet.corrupt, sheet.zip_bomb, sheet.not_xlsx
 * when missing). */
int sheet_zip_entry_open(struct sheet_zip *z, const char *name, struct err *e)
    __attribute__((warn_unused_result));
/* Reads up to n inflated bytes of the open entry: >0 bytes, 0 at its end (CRC checked), -1. */
long sheet_zip_entry_read(struct sheet_zip *z, void *buf, size_t n, struct err *e)
    __attribute__((warn_unused_result));
void sheet_zip_entry_close(struct sheet_zip *z);

/* Sets e to the message key with "row N" as detail; returns -1. */
int sheet_fail_row(struct err *e, const char *key, uint32_t row);
/* Prefixes e's detail with "row N"; returns -1. */
int sheet_at_row(struct err *e, uint32_t row);

#endif
