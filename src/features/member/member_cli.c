/* member_cli.c: `dangjian idcard check NUMBER` (issue 5 §9): the GB 11643 checks of
 * member_idcard.c for scripts. Prints one JSON object on stdout,
 *   {"valid":true|false,"birth_date":"YYYY-MM-DD"|null,"gender":"male"|"female"|null,
 *    "rule":"ID-0n"|null,"reason":"..."}
 * plus "id_number" (the 18-digit form) for a valid 15-digit number (ID-05) and "expected" (the
 * right check character) when only the check character is wrong. The reason is in the CLI's
 * language (cli_lang). Exit 0 valid, 1 invalid, 2 usage. No database is opened. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/cli.h"
#include "core/date.h"
#include "core/i18n.h"
#include "features/member/member.h"
#include "features/member/member_idcard.h"

static const char *rule_of(enum member_idcard_result r)
{
    switch (r) {
    case IDCARD_OK:
        return NULL;
    case IDCARD_LENGTH:
    case IDCARD_CHARS:
        return "ID-01";
    case IDCARD_CHECK:
        return "ID-02";
    default:
        return "ID-03";
    }
}

int member_cli_main(int argc, char **argv)
{
    struct member_idcard c;
    char birth[11];
    if (argc != 3 || strcmp(argv[1], "check") != 0 || argv[2][0] == '\0')
        return cli_usage("usage: dangjian idcard check NUMBER   (18 characters, or 15 digits)\n");
    enum member_idcard_result r = member_idcard_parse(argv[2], date_today_shanghai(time(NULL)), &c);
    bool known = r == IDCARD_OK || r == IDCARD_CHECK;      /* birth and gender were read */
    date_format(c.birth, birth);
    json_t *out = json_pack("{s:b, s:s?, s:s?, s:s?, s:s}", "valid", r == IDCARD_OK, "birth_date",
                            known ? birth : NULL, "gender",
                            known ? (c.gender == 1 ? "male" : "female") : NULL, "rule",
                            rule_of(r), "reason",
                            i18n_text(member_idcard_result_key(r), cli_lang()));
    if (r == IDCARD_OK && c.upgraded)
        json_object_set_new(out, "id_number", json_string(c.number));
    if (r == IDCARD_CHECK)
        json_object_set_new(out, "expected", json_sprintf("%c", c.expected));
    cli_print_json(out);
    json_decref(out);
    return r == IDCARD_OK ? CLI_OK : CLI_FAIL;
}
