/* sheet_fuzz_test.c: a bounded mutation fuzzer for both readers (gcc has no libFuzzer here).
 *
 * From seed files built in the test (a hand-made xlsx with shared strings, styles, merges and
 * formulas, one written by our writer, and CSV in UTF-8, GB18030 and UTF-16), each round
 * mutates a copy (bit flips, byte inserts and deletes, chunk duplication, interesting bytes;
 * for xlsx also mutations of the XML inside, re-zipped, so the parser sees more than CRC
 * errors), opens it and reads every row, checking that each cell is valid UTF-8. Run under
 * ASan+UBSan by `make test`, any memory error or leak fails it. Time per reader:
 * DJ_FUZZ_SECONDS (default 15 under ASan, 3 otherwise); DJ_FUZZ_SEED replays a run (the seed
 * is printed first). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/utf8.h"
#include "sheet/sheet.h"
#include "sheet/sheet_write.h"
#include "sheet_fixture.h"

#ifdef __SANITIZE_ADDRESS__
#define DEFAULT_SECONDS 15
#else
#define DEFAULT_SECONDS 3
#endif

static uint64_t rng;

static uint64_t next_rand(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 2685821657736338717ULL;
}

static size_t below(size_t n)
{
    return n ? (size_t)(next_rand() % n) : 0;
}

static const char SHEET[] =
    "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
    "<c r=\"C1\" s=\"1\"><v>43835</v></c><c r=\"D1\" s=\"2\"><v>43836.5</v></c></row>"
    "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>１２３</t></is></c><c r=\"B3\" t=\"b\"><v>0</v></c>"
    "<c r=\"C3\" t=\"e\"><f>1/0</f><v>#DIV/0!</v></c><c r=\"D3\" t=\"str\"><f>A1</f><v>x</v></c></row>"
    "<row r=\"4\"><c r=\"B4\"><v>1.5E+3</v></c></row></sheetData>"
    "<mergeCells count=\"2\"><mergeCell ref=\"A3:A9\"/><mergeCell ref=\"B1:C1\"/></mergeCells></worksheet>";

static void check_rows(const struct buf *in)
{
    struct sheet_limits lim;
    sheet_limits_default(&lim);
    lim.max_entry_bytes = 4u << 20;
    lim.max_total_bytes = 16u << 20;
    lim.max_rows = 5000;
    lim.max_cols = 50;
    struct sheet_reader *r = NULL;
    struct err e = ERR_INIT;
    if (sheet_open_mem(in->data, in->len, &lim, &r, &e) != 0) {
        assert_null(r);
        assert_true(strncmp(e.message, "sheet.", 6) == 0);
        return;
    }
    struct sheet_row row;
    int rc;
    while ((rc = sheet_next_row(r, &row, &e)) == 1) {
        assert_true(row.number >= 1 && row.number <= lim.max_rows);
        assert_true(row.ncells <= lim.max_cols);
        for (uint32_t i = 0; i < row.ncells; i++) {
            assert_true(utf8_valid(row.cells[i].value, strlen(row.cells[i].value)));
            assert_non_null(row.cells[i].raw);
        }
    }
    if (rc < 0)
        assert_true(strncmp(e.message, "sheet.", 6) == 0);
    sheet_close(r);
}

static void mutate_bytes(struct buf *b)
{
    static const unsigned char interesting[] = {0, 0xFF, '<', '>', '"', '&', '\n', '\r', ',',
                                                0x80, 0xE3, 'P', 'K', 3, 4};
    int n = 1 + (int)below(8);
    for (int k = 0; k < n && b->len > 0; k++) {
        size_t at = below(b->len);
        switch (below(6)) {
        case 0:
            b->data[at] ^= (char)(1u << below(8));
            break;
        case 1:
            b->data[at] = (char)interesting[below(sizeof interesting)];
            break;
        case 2: {                                           /* delete a range */
            size_t len = 1 + below(b->len - at < 64 ? b->len - at : 64);
            memmove(b->data + at, b->data + at + len, b->len - at - len);
            b->len -= len;
            break;
        }
        case 3: {                                           /* insert a byte */
            char c = (char)below(256);
            buf_addc(b, 0);
            memmove(b->data + at + 1, b->data + at, b->len - at - 1);
            b->data[at] = c;
            break;
        }
        case 4: {                                           /* duplicate a chunk */
            size_t len = 1 + below(b->len - at < 256 ? b->len - at : 256);
            if (b->len + len < (8u << 20)) {
                char *tmp = malloc(len);
                memcpy(tmp, b->data + at, len);
                size_t to = below(b->len);
                for (size_t i = 0; i < len; i++)
                    buf_addc(b, 0);
                memmove(b->data + to + len, b->data + to, b->len - len - to);
                memcpy(b->data + to, tmp, len);
                free(tmp);
            }
            break;
        }
        default:
            b->len = at;                                    /* truncate */
            break;
        }
    }
}

static unsigned budget(void)
{
    const char *s = getenv("DJ_FUZZ_SECONDS");
    return s != NULL && *s ? (unsigned)strtoul(s, NULL, 10) : DEFAULT_SECONDS;
}

/* Rounds until the time is up: each picks a seed, mutates it and reads it. */
static void fuzz(const struct buf *seeds, size_t nseeds, bool xml_level, const char *label)
{
    time_t end = time(NULL) + (time_t)budget();
    unsigned long rounds = 0;
    struct buf b = BUF_INIT(64u << 20);
    while (time(NULL) < end) {
        buf_reset(&b);
        if (xml_level && below(4) == 0) {
            /* Mutate the worksheet XML itself, then zip it: the parser sees valid zips. */
            struct buf x = BUF_INIT(1 << 20);
            buf_add(&x, SHEET, sizeof SHEET - 1);
            mutate_bytes(&x);
            buf_addc(&x, 0);
            fx_xlsx(x.data, below(2) == 0, NULL, NULL, &b);
            buf_fini(&x);
        } else {
            const struct buf *s = &seeds[below(nseeds)];
            buf_add(&b, s->data, s->len);
            mutate_bytes(&b);
        }
        check_rows(&b);
        rounds++;
    }
    buf_fini(&b);
    printf("# fuzz %s: %lu rounds in %u s\n", label, rounds, budget());
}

static void xlsx_reader_survives_mutated_workbooks(void **state)
{
    (void)state;
    struct buf seeds[2] = {BUF_INIT(1 << 20), BUF_INIT(1 << 20)};
    fx_xlsx(SHEET, false, NULL, NULL, &seeds[0]);
    char *path = fx_tmpname(".xlsx");
    static const char *opts[] = {"男", "女"};
    struct sheet_column cols[] = {{"姓名", 0, SHEET_COL_TEXT, NULL, 0},
                                  {"性别", 0, SHEET_COL_TEXT, opts, 2},
                                  {"日期", 0, SHEET_COL_DATE, NULL, 0}};
    struct sheet_write_opts o = {SHEET_XLSX, "S", NULL, NULL, 0, 10};
    struct sheet_writer *w;
    struct err e = ERR_INIT;
    assert_int_equal(sheet_writer_open(path, &o, cols, 3, &w, &e), 0);
    const char *row[] = {"张三", "男", "2020-01-05"};
    assert_int_equal(sheet_writer_row(w, row, &e), 0);
    assert_int_equal(sheet_writer_close(w, &e), 0);
    fx_slurp(path, &seeds[1]);
    unlink(path);
    free(path);
    for (int i = 0; i < 2; i++)
        check_rows(&seeds[i]);                              /* the seeds themselves read */
    fuzz(seeds, 2, true, "xlsx");
    buf_fini(&seeds[0]);
    buf_fini(&seeds[1]);
}

static void csv_reader_survives_mutated_text(void **state)
{
    (void)state;
    static const char *texts[] = {
        "\xEF\xBB\xBF姓名,支部,\"备注\"\r\n张三,\"第一,支部\",\"说 \"\"好\"\"\"\r\n李四,,\"两\n行\"\r\n",
        "a;b;c\n1;2;3\n\"x;y\";\"unterminated\n",
        "\xD0\xD5\xC3\xFB,\xD6\xA7\xB2\xBF\r\n\xD5\xC5\xC8\xFD,1\r\n",       /* GB18030 */
        "\xFF\xFE" "a\0\t\0b\0\r\0\n\0",
        "'=1+2,\xEF\xBC\x91\xEF\xBC\x92\xE3\x80\x80 ,\"\"\r\r\n\n",
    };
    static const size_t lens[] = {0, 0, 0, 12, 0};
    struct buf seeds[5];
    for (int i = 0; i < 5; i++) {
        buf_init(&seeds[i], 1 << 16);
        buf_add(&seeds[i], texts[i], lens[i] ? lens[i] : strlen(texts[i]));
    }
    fuzz(seeds, 5, false, "csv");
    for (int i = 0; i < 5; i++)
        buf_fini(&seeds[i]);
}

int main(void)
{
    const char *s = getenv("DJ_FUZZ_SEED");
    rng = s != NULL && *s ? strtoull(s, NULL, 10) : ((uint64_t)time(NULL) << 16) ^ (uint64_t)getpid();
    if (rng == 0)
        rng = 1;
    printf("# fuzz seed DJ_FUZZ_SEED=%llu\n", (unsigned long long)rng);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(xlsx_reader_survives_mutated_workbooks),
        cmocka_unit_test(csv_reader_survives_mutated_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
