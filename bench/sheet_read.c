/* sheet_read.c (bench/sheet-read): how fast the spreadsheet layer reads a member-sized import.
 * Writes a 100,000-row x 20-column member-like sheet (names, 18-digit ID numbers, dates, code
 * values, phones, addresses) with our writer as xlsx and as CSV, then times reading every row
 * back (best of 3 reads). The whole import (issue 5) must take < 30 s with validation and field
 * encryption, so reading gets a small slice: the target printed is 3 s.
 * Usage: sheet-read [ROWS] [DIR]; prints "ROW<TAB>name<TAB>value<TAB>unit<TAB>target<TAB>kind"
 * lines for bench/run.sh and a human summary on stderr. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/date.h"
#include "core/err.h"
#include "sheet/sheet.h"
#include "sheet/sheet_write.h"

#define NCOLS 20

static const struct sheet_column COLS[NCOLS] = {
    {"姓名", 0, SHEET_COL_TEXT, NULL, 0},       {"性别", 0, SHEET_COL_TEXT, NULL, 0},
    {"民族", 0, SHEET_COL_TEXT, NULL, 0},       {"出生日期", 0, SHEET_COL_DATE, NULL, 0},
    {"公民身份号码", 22, SHEET_COL_TEXT, NULL, 0}, {"学历", 0, SHEET_COL_TEXT, NULL, 0},
    {"人员类别", 0, SHEET_COL_TEXT, NULL, 0},   {"入党日期", 0, SHEET_COL_DATE, NULL, 0},
    {"转正日期", 0, SHEET_COL_DATE, NULL, 0},   {"所在党支部", 30, SHEET_COL_TEXT, NULL, 0},
    {"党小组", 0, SHEET_COL_TEXT, NULL, 0},     {"党内职务", 0, SHEET_COL_TEXT, NULL, 0},
    {"工作单位", 30, SHEET_COL_TEXT, NULL, 0},  {"职务", 0, SHEET_COL_TEXT, NULL, 0},
    {"联系电话", 0, SHEET_COL_TEXT, NULL, 0},   {"家庭住址", 40, SHEET_COL_TEXT, NULL, 0},
    {"党籍状态", 0, SHEET_COL_TEXT, NULL, 0},   {"申请入党日期", 0, SHEET_COL_DATE, NULL, 0},
    {"积极分子日期", 0, SHEET_COL_DATE, NULL, 0}, {"备注", 0, SHEET_COL_TEXT, NULL, 0},
};

static const char *SURNAMES[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"};
static const char *GIVEN[] = {"伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军"};

static double secs(void)
{
    return (double)now_micros() / 1e6;
}

/* CPU seconds of this process: on a shared machine wall time also counts other work. */
static double cpu_secs(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int write_sheet(const char *path, enum sheet_format fmt, unsigned rows)
{
    struct sheet_write_opts o = {fmt, "党员", NULL, NULL, 0, 0};
    struct sheet_writer *w;
    struct err e = ERR_INIT;
    if (sheet_writer_open(path, &o, COLS, NCOLS, &w, &e) != 0)
        return fprintf(stderr, "open: %s\n", e.message), -1;
    char c[NCOLS][64];
    const char *cells[NCOLS];
    for (unsigned i = 0; i < rows; i++) {
        struct date birth = date_from_days(-3650 + (int64_t)(i * 7919u % 18000));
        char b[11], j[11], f[11];
        date_format(birth, b);
        date_format(date_add_days(birth, 365 * 25 + (int)(i % 300)), j);
        date_format(date_add_days(birth, 365 * 26 + (int)(i % 300)), f);
        snprintf(c[0], 64, "%s%s", SURNAMES[i % 10], GIVEN[i / 10 % 10]);
        snprintf(c[1], 64, "%s", i % 3 ? "男" : "女");
        snprintf(c[2], 64, "汉族");
        snprintf(c[3], 64, "%s", b);
        snprintf(c[4], 64, "11010%c%.4s%.2s%.2s%03u%c", '1' + i % 8, b, b + 5, b + 8, i % 1000,
                 "0123456789X"[i % 11]);
        snprintf(c[5], 64, "大学本科");
        snprintf(c[6], 64, "%s", i % 20 ? "正式党员" : "预备党员");
        snprintf(c[7], 64, "%s", j);
        snprintf(c[8], 64, "%s", f);
        snprintf(c[9], 64, "第%u党支部", i / 350 + 1);
        snprintf(c[10], 64, "第%u党小组", i % 5 + 1);
        snprintf(c[11], 64, "%s", i % 50 ? "" : "支部书记");
        snprintf(c[12], 64, "某某市第%u中学", i % 97);
        snprintf(c[13], 64, "教师");
        snprintf(c[14], 64, "13%09u", i * 7 % 1000000000u);
        snprintf(c[15], 64, "某某市某某区某某路%u号%u室", i % 500, i % 30 + 101);
        snprintf(c[16], 64, "正常");
        snprintf(c[17], 64, "%s", b);
        snprintf(c[18], 64, "%s", j);
        snprintf(c[19], 64, "%s", i % 7 ? "" : "流动党员");
        for (int k = 0; k < NCOLS; k++)
            cells[k] = c[k];
        cells[17] = c[3];
        if (sheet_writer_row(w, cells, &e) != 0)
            return fprintf(stderr, "row: %s\n", e.message), -1;
    }
    return sheet_writer_close(w, &e);
}

/* Reads every row; returns the wall seconds taken (CPU seconds in *cpu), or -1. */
static double read_sheet(const char *path, unsigned rows, double *cpu)
{
    double t0 = secs(), c0 = cpu_secs();
    struct sheet_reader *r;
    struct err e = ERR_INIT;
    if (sheet_open_file(path, NULL, &r, &e) != 0)
        return fprintf(stderr, "read: %s %s\n", e.message, e.detail), -1;
    struct sheet_row row;
    unsigned n = 0;
    size_t bytes = 0;
    int rc;
    while ((rc = sheet_next_row(r, &row, &e)) == 1) {
        n++;
        bytes += strlen(row.cells[row.ncells - 1].value);
    }
    sheet_close(r);
    if (rc != 0 || n != rows + 1)
        return fprintf(stderr, "read: rc %d, %u rows (%s %s)\n", rc, n, e.message, e.detail), -1;
    (void)bytes;
    *cpu = cpu_secs() - c0;
    return secs() - t0;
}

static void bench(const char *dir, enum sheet_format fmt, unsigned rows, const char *label)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/bench.%s", dir, fmt == SHEET_XLSX ? "xlsx" : "csv");
    double t0 = secs();
    if (write_sheet(path, fmt, rows) != 0)
        exit(1);
    double wt = secs() - t0;
    struct stat st;
    stat(path, &st);
    double best = 1e9, best_cpu = 1e9, cpu;
    for (int i = 0; i < 3; i++) {
        double t = read_sheet(path, rows, &cpu);
        if (t < 0)
            exit(1);
        if (t < best)
            best = t;
        if (cpu < best_cpu)
            best_cpu = cpu;
    }
    unlink(path);
    fprintf(stderr, "sheet-read: %s %u rows x %d cols: file %.1f MB, write %.2f s, read %.2f s "
                    "wall, %.2f s CPU (%.0f rows/s)\n", label, rows, NCOLS,
            (double)st.st_size / 1e6, wt, best, best_cpu, rows / best);
    printf("ROW\t%s read %uk x %d\t%.2f\ts\t3\tmax\n", label, rows / 1000, NCOLS, best);
    printf("ROW\t%s read %uk x %d (CPU)\t%.2f\ts\t3\tmax\n", label, rows / 1000, NCOLS, best_cpu);
    printf("ROW\t%s write %uk x %d\t%.2f\ts\t-\tinfo\n", label, rows / 1000, NCOLS, wt);
    printf("ROW\t%s file size\t%.1f\tMB\t-\tinfo\n", label, (double)st.st_size / 1e6);
}

int main(int argc, char **argv)
{
    unsigned rows = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 100000;
    const char *dir = argc > 2 ? argv[2] : ".";
    bench(dir, SHEET_XLSX, rows, "xlsx");
    bench(dir, SHEET_CSV, rows, "csv");
    return 0;
}
