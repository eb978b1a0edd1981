/* member_import_gen.c: writes an import sheet of N valid members (bench/member_import.sh):
 * the template's columns, unique valid ID numbers (member_idcard_make), birth dates and gender
 * matching them, dates that satisfy the member rules, phones, addresses, one org code for all.
 *   member-import-gen ROWS ORG_CODE OUT.xlsx|OUT.csv */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/err.h"
#include "features/member/member_idcard.h"
#include "features/member/import/member_import.h"
#include "sheet/sheet_write.h"

static const char *const SURNAMES[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"};
static const char *const GIVEN[] = {"建国", "芳", "伟", "秀英", "敏", "静", "强", "磊", "洋", "艳"};

int main(int argc, char **argv)
{
    if (argc != 4)
        return fprintf(stderr, "usage: member-import-gen ROWS ORG_CODE OUT.xlsx|OUT.csv\n"), 2;
    unsigned rows = (unsigned)strtoul(argv[1], NULL, 10);
    const char *org = argv[2], *path = argv[3];
    size_t n = member_import_ncolumns;
    struct sheet_column cols[64] = {0};
    for (size_t i = 0; i < n; i++)
        cols[i].title = member_import_columns[i].zh;
    struct sheet_write_opts o = {.format = strstr(path, ".csv") ? SHEET_CSV : SHEET_XLSX};
    struct sheet_writer *w;
    struct err e = ERR_INIT;
    if (sheet_writer_open(path, &o, cols, n, &w, &e) != 0)
        return fprintf(stderr, "open: %s\n", e.message), 1;
    for (unsigned i = 0; i < rows; i++) {
        struct date birth = date_from_days(-3650 + (int64_t)(i % 9000));   /* 1960-1994 */
        char id[19], b[11], app[11], act[11], cand[11], join[11], full[11], phone[16], addr[64];
        member_idcard_make(110101 + (int)(i / 9000 % 50), birth, (int)(i % 997), id);
        date_format(birth, b);
        date_format(date_add_months(birth, 12 * 22), app);
        date_format(date_add_months(birth, 12 * 22 + 6), act);
        date_format(date_add_months(birth, 12 * 23 + 6), cand);
        struct date joined = date_add_months(birth, 12 * 24 + 6);
        date_format(joined, join);
        date_format(date_add_months(joined, 12), full);
        snprintf(phone, sizeof phone, "13%09u", i);
        snprintf(addr, sizeof addr, "某某市某某区某某路%u号%u室", i % 500, i % 30 + 101);
        const char *v[64] = {0};
        char name[32];
        snprintf(name, sizeof name, "%s%s", SURNAMES[i % 10], GIVEN[i / 10 % 10]);
        const char *vals[][2] = {
            {"name", name}, {"ethnicity", "汉族"}, {"id_number", id}, {"education", "大学本科毕业"},
            {"category", "正式党员"}, {"applied_on", app}, {"activist_on", act},
            {"candidate_on", cand}, {"joined_on", join}, {"full_on", full}, {"org", org},
            {"job", "工程师"}, {"work_unit", "恒远能源"}, {"phone", phone}, {"address", addr},
            {"status", "正常"}, {"birth_date", b},
        };
        for (size_t k = 0; k < n; k++)
            for (size_t j = 0; j < sizeof vals / sizeof vals[0]; j++)
                if (strcmp(member_import_columns[k].field, vals[j][0]) == 0)
                    v[k] = vals[j][1];
        if (sheet_writer_row(w, v, &e) != 0)
            return fprintf(stderr, "row: %s\n", e.message), 1;
    }
    if (sheet_writer_close(w, &e) != 0)
        return fprintf(stderr, "close: %s\n", e.message), 1;
    return 0;
}
