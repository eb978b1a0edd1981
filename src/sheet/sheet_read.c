/* sheet_read.c: the reader's front door (see sheet.h). Sniffs the format from the first bytes,
 * hands the input to the xlsx or CSV reader, and owns the row buffer both fill. The sniffing
 * is deliberately explicit about what a user might upload by mistake (an old .xls, a PDF, an
 * image, an OpenDocument file), so the message can say what to do instead. */
#include "sheet/sheet.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/i18n.h"
#include "core/xalloc.h"
#include "sheet/sheet_internal.h"
#include "sheet/sheet_norm.h"

struct sheet_reader {
    enum sheet_format format;
    struct sheet_limits lim;
    struct sheet_xlsx *xlsx;
    struct sheet_csv *csv;
    struct sheet_rowbuf rb;
    unsigned char *owned;               /* the file's bytes (sheet_open_file) */
    uint32_t row;                       /* last row number read */
    bool done;
};

void sheet_limits_default(struct sheet_limits *lim)
{
    *lim = (struct sheet_limits){
        .max_file_bytes = 50u << 20,
        .max_entry_bytes = 256u << 20,
        .max_total_bytes = 512u << 20,
        .max_ratio = 100,
        .max_rows = 1000000,
        .max_cols = 200,
        .max_cell_chars = 32767,
        .max_shared_strings = 2000000,
        .max_merges = 100000,
        .skip_blank_rows = false,
    };
}

int sheet_fail_row(struct err *e, const char *key, uint32_t row)
{
    err_set(e, ERR_INVALID, key);
    err_detail(e, "row %u", (unsigned)row);
    return -1;
}

int sheet_at_row(struct err *e, uint32_t row)
{
    char d[sizeof e->detail];
    memcpy(d, e->detail, sizeof d);
    d[sizeof d - 1] = '\0';
    if (d[0] != '\0')
        err_detail(e, "row %u: %s", (unsigned)row, d);
    else
        err_detail(e, "row %u", (unsigned)row);
    return -1;
}

static bool starts(const unsigned char *d, size_t len, const char *magic, size_t n)
{
    return len >= n && memcmp(d, magic, n) == 0;
}

/* Names what the bytes are when they are not a spreadsheet we read; NULL when they may be. */
static const char *refuse(const unsigned char *d, size_t len)
{
    if (starts(d, len, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
        return "sheet.xls_unsupported";
    if (starts(d, len, "%PDF", 4) || starts(d, len, "\x89PNG", 4) ||
        starts(d, len, "\xFF\xD8\xFF", 3) || starts(d, len, "GIF8", 4) ||
        starts(d, len, "\x1F\x8B", 2) || starts(d, len, "Rar!", 4) ||
        starts(d, len, "7z\xBC\xAF", 4) || starts(d, len, "{\\rtf", 5))
        return "sheet.not_spreadsheet";
    /* An HTML or XML "spreadsheet" (some systems export HTML tables named .xls). */
    size_t i = starts(d, len, "\xEF\xBB\xBF", 3) ? 3 : 0;
    while (i < len && (d[i] == ' ' || d[i] == '\r' || d[i] == '\n' || d[i] == '\t'))
        i++;
    if (i < len && d[i] == '<')
        return "sheet.not_spreadsheet";
    return NULL;
}

int sheet_open_mem(const void *data, size_t len, const struct sheet_limits *lim,
                   struct sheet_reader **out, struct err *e)
{
    const unsigned char *d = data;
    struct sheet_reader *r;
    *out = NULL;
    struct sheet_limits l;
    if (lim == NULL)
        sheet_limits_default(&l);
    else
        l = *lim;
    if (len > l.max_file_bytes)
        return err_set(e, ERR_TOO_LARGE, "sheet.too_large");
    if (len == 0)
        return err_set(e, ERR_INVALID, "sheet.empty");
    const char *no = refuse(d, len);
    if (no != NULL)
        return err_set(e, ERR_INVALID, no);
    r = xcalloc(1, sizeof *r);
    r->lim = l;
    rowbuf_init(&r->rb);
    int rc;
    if (starts(d, len, "PK\x03\x04", 4) || starts(d, len, "PK\x05\x06", 4)) {
        r->format = SHEET_XLSX;
        rc = sheet_xlsx_open(d, len, &r->lim, &r->xlsx, e);
    } else {
        r->format = SHEET_CSV;
        rc = sheet_csv_open(d, len, &r->lim, &r->csv, e);
    }
    if (rc != 0) {
        sheet_close(r);
        return -1;
    }
    *out = r;
    return 0;
}

int sheet_open_file(const char *path, const struct sheet_limits *lim,
                    struct sheet_reader **out, struct err *e)
{
    struct sheet_limits l;
    if (lim == NULL)
        sheet_limits_default(&l);
    else
        l = *lim;
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        err_set(e, ERR_INVALID, "sheet.cannot_open");
        err_detail(e, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return err_set(e, ERR_INVALID, "sheet.cannot_open");
    }
    if ((uint64_t)st.st_size > l.max_file_bytes) {
        close(fd);
        return err_set(e, ERR_TOO_LARGE, "sheet.too_large");
    }
    size_t n = (size_t)st.st_size, got = 0;
    unsigned char *data = xmalloc(n + 1);
    while (got < n) {
        ssize_t k = read(fd, data + got, n - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    if (got != n) {
        free(data);
        return err_set(e, ERR_INVALID, "sheet.cannot_open");
    }
    if (sheet_open_mem(data, n, &l, out, e) != 0) {
        free(data);
        return -1;
    }
    (*out)->owned = data;
    return 0;
}

enum sheet_format sheet_reader_format(const struct sheet_reader *r)
{
    return r->format;
}

int sheet_next_row(struct sheet_reader *r, struct sheet_row *row, struct err *e)
{
    for (;;) {
        if (r->done)
            return 0;
        uint32_t number = 0;
        rowbuf_reset(&r->rb);
        int rc = r->format == SHEET_XLSX ? sheet_xlsx_next(r->xlsx, &r->rb, &number, e)
                                         : sheet_csv_next(r->csv, &r->rb, &number, e);
        if (rc <= 0) {
            r->done = true;
            return rc;
        }
        r->row = number;
        if (r->lim.skip_blank_rows && rowbuf_is_blank(&r->rb))
            continue;
        rowbuf_emit(&r->rb, number, row);
        return 1;
    }
}

uint32_t sheet_error_row(const struct sheet_reader *r)
{
    return r->row;
}

void sheet_close(struct sheet_reader *r)
{
    if (r == NULL)
        return;
    sheet_xlsx_close(r->xlsx);
    sheet_csv_close(r->csv);
    rowbuf_fini(&r->rb);
    free(r->owned);
    free(r);
}

bool sheet_row_is_blank(const struct sheet_row *row)
{
    for (uint32_t i = 0; i < row->ncells; i++)
        if (!sheet_norm_is_blank(row->cells[i].value))
            return false;
    return true;
}

static const struct i18n_msg sheet_msgs[] = {
    {"sheet.empty", "文件是空的", "The file is empty"},
    {"sheet.cannot_open", "无法读取文件", "The file cannot be read"},
    {"sheet.too_large", "文件太大（上限 50 MB）", "The file is too large (limit 50 MB)"},
    {"sheet.not_spreadsheet", "这不是表格文件：请上传 .xlsx 或 .csv 文件",
     "This is not a spreadsheet: upload an .xlsx or .csv file"},
    {"sheet.xls_unsupported", "不支持旧版 .xls 文件：请在 Excel 中另存为 .xlsx 后再上传",
     "Old .xls files are not supported: save the file as .xlsx in Excel and upload that"},
    {"sheet.not_xlsx", "这个压缩文件不是 Excel 工作簿（.xlsx）",
     "This zip file is not an Excel workbook (.xlsx)"},
    {"sheet.corrupt", "文件已损坏或不完整，请重新保存后上传",
     "The file is damaged or incomplete: save it again and upload it"},
    {"sheet.zip_bomb", "文件解压后过大，已拒绝", "The file expands to too much data and was refused"},
    {"sheet.xml_doctype", "文件含有不允许的 XML 声明（DOCTYPE/实体）",
     "The file holds XML declarations that are not allowed (DOCTYPE/entities)"},
    {"sheet.too_many_rows", "行数超过上限", "Too many rows"},
    {"sheet.too_many_columns", "列数超过上限（200 列）", "Too many columns (limit 200)"},
    {"sheet.cell_too_long", "单元格内容超过 32767 个字符", "A cell holds more than 32,767 characters"},
    {"sheet.too_many_strings", "文件中的文本数量超过上限", "The file holds too many strings"},
    {"sheet.too_many_merges", "合并单元格数量超过上限", "Too many merged cells"},
    {"sheet.csv_unterminated_quote", "CSV 中的引号没有闭合", "A quote in the CSV file is never closed"},
    {"sheet.bad_encoding", "无法识别文件编码：请保存为 UTF-8 或 GB18030",
     "Unknown text encoding: save the file as UTF-8 or GB18030"},
    {"sheet.cannot_write", "无法写出表格文件", "The spreadsheet cannot be written"},
    {"sheet.bad_text", "单元格文本不是有效的 UTF-8", "A cell's text is not valid UTF-8"},
};

void sheet_register_messages(void)
{
    i18n_register(sheet_msgs, sizeof sheet_msgs / sizeof sheet_msgs[0]);
}
