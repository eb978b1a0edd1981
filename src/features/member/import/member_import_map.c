/* member_import_map.c: the import's columns and what a cell means (member_import.h), pure.
 * A header is matched after sheet_norm_halfwidth/trim with spaces, '*' and a parenthesised
 * hint removed and ASCII lower-cased, against the Chinese and English header texts and the
 * field name; a code cell against the code and both labels. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "features/member/import/member_import.h"
#include "sheet/sheet_norm.h"

const struct imp_column member_import_columns[] = {
    {"name", "姓名", "Name", IMP_TEXT, NULL, true, "李建国"},
    {"gender", "性别", "Gender", IMP_CODE, "gender", false, "男"},
    {"ethnicity", "民族", "Ethnicity", IMP_CODE, "ethnicity", false, "汉族"},
    {"birth_date", "出生日期", "Birth date", IMP_DATE, NULL, false, "1990-03-15"},
    {"id_number", "公民身份号码", "ID number", IMP_PDATA, NULL, true, "320102199003151234"},
    {"education", "学历", "Education", IMP_CODE, "education", false, "大学本科毕业"},
    {"category", "党员类别", "Category", IMP_CODE, "category", true, "正式党员"},
    {"applied_on", "申请入党日期", "Applied on", IMP_DATE, NULL, false, "2012-03-01"},
    {"activist_on", "确定入党积极分子日期", "Activist on", IMP_DATE, NULL, false, "2012-09-01"},
    {"candidate_on", "确定发展对象日期", "Candidate on", IMP_DATE, NULL, false, "2013-09-01"},
    {"joined_on", "入党日期", "Joined on", IMP_DATE, NULL, true, "2014-06-30"},
    {"full_on", "转正日期", "Full member on", IMP_DATE, NULL, false, "2015-06-30"},
    {"full_exception", "延期转正说明", "Full membership exception", IMP_TEXT, NULL, false, ""},
    {"org", "所在党组织代码", "Organization code", IMP_ORG, NULL, true, ""},
    {"job", "工作岗位", "Job", IMP_TEXT, NULL, false, "工程师"},
    {"title", "职称", "Title", IMP_TEXT, NULL, false, "高级工程师"},
    {"work_unit", "工作单位", "Work unit", IMP_TEXT, NULL, false, "恒远能源"},
    {"department", "部门", "Department", IMP_TEXT, NULL, false, "技术部"},
    {"phone", "手机号码", "Phone", IMP_PDATA, NULL, false, "13912345678"},
    {"address", "家庭住址", "Address", IMP_PDATA, NULL, false, "江苏省南京市玄武区中山路1号"},
    {"status", "党籍状态", "Status", IMP_CODE, "member_status", false, "正常"},
    {"status_on", "状态日期", "Status date", IMP_DATE, NULL, false, ""},
    {"status_reason", "状态原因", "Status reason", IMP_TEXT, NULL, false, ""},
};
const size_t member_import_ncolumns = sizeof member_import_columns / sizeof member_import_columns[0];

/* The comparable form of a header: half-width, no spaces or '*', no "(hint)", ASCII lower. */
static void header_key(const char *in, char *out, size_t cap)
{
    char tmp[256];
    size_t n = 0;
    snprintf(tmp, sizeof tmp, "%s", in != NULL ? in : "");
    sheet_norm_trim(sheet_norm_halfwidth(tmp));
    char *cut = strstr(tmp, "(");
    char *cut2 = strstr(tmp, "\xef\xbc\x88");          /* （ when not made half-width */
    if (cut2 != NULL && (cut == NULL || cut2 < cut))
        cut = cut2;
    if (cut != NULL)
        *cut = '\0';
    for (const char *p = tmp; *p != '\0' && n + 1 < cap; p++) {
        if (*p == ' ' || *p == '*' || *p == '_' || *p == '\t')
            continue;
        out[n++] = (char)tolower((unsigned char)*p);
    }
    out[n] = '\0';
}

int member_import_column_of(const char *header)
{
    char want[256], k[256];
    header_key(header, want, sizeof want);
    if (want[0] == '\0')
        return -1;
    for (size_t i = 0; i < member_import_ncolumns; i++) {
        const struct imp_column *c = &member_import_columns[i];
        const char *names[] = {c->zh, c->en, c->field};
        for (size_t j = 0; j < 3; j++) {
            header_key(names[j], k, sizeof k);
            if (strcmp(k, want) == 0)
                return (int)i;
        }
    }
    if (strcmp(want, "身份证号") == 0 || strcmp(want, "身份证号码") == 0)
        return 4;                                  /* what most sheets call the ID number */
    return -1;
}

const char *member_import_code_of(const struct imp_code *codes, size_t n, const char *kind,
                                  const char *text)
{
    if (text == NULL || text[0] == '\0')
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const struct imp_code *c = &codes[i];
        if (strcmp(c->kind, kind) != 0)
            continue;
        if (strcmp(c->code, text) == 0 || strcmp(c->label_zh, text) == 0 ||
            strcasecmp(c->label_en, text) == 0)
            return c->code;
    }
    return NULL;
}
