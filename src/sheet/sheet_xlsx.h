/* sheet_xlsx.h: the xlsx reader's state, shared by its two files: sheet_xlsx_parts.c reads the
 * small parts once at open (workbook, rels, styles, shared strings, merged ranges) and
 * sheet_xlsx.c streams the worksheet's rows. Internal to src/sheet/. Threads: one reader. */
#ifndef DJ_SHEET_XLSX_H
#define DJ_SHEET_XLSX_H
#include <expat.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "sheet/sheet_internal.h"
#include "sheet/sheet_xml.h"

#define XLSX_PATH_MAX 256

struct xlsx_merge {
    uint32_t r1, c1, r2, c2;            /* 1-based rows, 0-based columns, inclusive */
    char *value, *raw;                  /* the top-left cell, once seen (owned) */
    unsigned flags;
};

struct sheet_xlsx {
    const struct sheet_limits *lim;
    struct sheet_zip *zip;
    bool date1904;
    char sheet_path[XLSX_PATH_MAX];
    char sst_path[XLSX_PATH_MAX];
    char styles_path[XLSX_PATH_MAX];
    /* styles: is_date per cellXfs index */
    bool *xf_date;
    uint32_t nxf;
    /* shared strings: all in one buffer, NUL-separated */
    struct buf sst_text;             /* capped at max_entry_bytes */
    size_t *sst_off;
    uint32_t nsst, sst_cap;
    /* merged ranges, sorted by r1; active ones cover the current row */
    struct xlsx_merge *merges;
    uint32_t nmerges, next_merge;
    uint32_t *active;
    uint32_t nactive;
    /* the worksheet stream */
    XML_Parser p;
    struct sheet_xml_fail fail;
    struct sheet_rowbuf *rb;            /* borrowed during sheet_xlsx_next() */
    bool suspended, fed_final, done, row_ready, in_data;
    uint32_t row, last_row, next_col;
    bool row_over;                      /* row number past max_rows */
    /* the cell being read */
    uint32_t col;
    int type;                           /* enum cell_type in sheet_xlsx.c */
    uint32_t style;
    bool formula, capture, in_is;
    int rph;                            /* depth inside <rPh> (phonetic runs: skipped) */
    struct buf cell;                    /* capped near max_cell_chars */
};


/* sheet_xlsx_parts.c: fill the fields above from the small parts. */
int xlsx_read_parts(struct sheet_xlsx *x, struct err *e) __attribute__((warn_unused_result));
int xlsx_read_merges(struct sheet_xlsx *x, struct err *e) __attribute__((warn_unused_result));

#endif
