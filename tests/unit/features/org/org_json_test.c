/* org_json_test.c: the streamed org (org_json_write, used for big subtrees) is the same JSON
 * as the jansson one (org_json), field for field, including nulls and escaped text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/jsonw.h"
#include "features/org/org.h"

static void assert_same(const struct org *o)
{
    struct org_rule_config cfg;
    org_rules_default_config(&cfg);
    json_t *ref = org_json(o, &cfg);
    struct buf b = BUF_INIT(1 << 20);
    org_json_write(&b, o, &cfg);
    assert_false(buf_failed(&b));
    json_error_t je;
    json_t *got = json_loads(buf_str(&b), JSON_REJECT_DUPLICATES, &je);
    if (got == NULL)
        fail_msg("streamed org is not JSON: %s in %s", je.text, buf_str(&b));
    if (!json_equal(ref, got)) {
        char *a = json_dumps(ref, JSON_SORT_KEYS), *c = json_dumps(got, JSON_SORT_KEYS);
        print_error("jansson:  %s\nstreamed: %s\n", a, c);
        free(a);
        free(c);
        fail();
    }
    json_decref(ref);
    json_decref(got);
    buf_fini(&b);
}

static void a_full_branch_streams_like_org_json(void **state)
{
    (void)state;
    struct org o = {.id = 23, .parent_id = 5, .code = "HS0103", .name = "生产一车间党支部",
                    .type = ORG_BRANCH, .path = "/1/5/23/", .depth = 2, .has_committee = true,
                    .committee_size = 5, .founded_on = "2001-07-01", .term_start = "2024-03-31",
                    .sort_order = 3, .n_full = 4, .n_prob = 1, .sub_full = 40, .sub_prob = 3,
                    .child_count = 2, .parent_name = "机关党总支", .created_at = 1795449600,
                    .updated_at = 1795449601};
    assert_same(&o);
}

static void nulls_and_a_top_level_committee_stream_like_org_json(void **state)
{
    (void)state;
    struct org o = {.id = 1, .code = "T", .name = "测试党委", .type = ORG_COMMITTEE,
                    .path = "/1/", .is_village = true};
    assert_same(&o);
    struct org g = {.id = 9, .parent_id = 23, .code = "G", .name = "第一党小组",
                    .type = ORG_GROUP, .path = "/1/23/9/", .depth = 2, .term_start = "2020-01-01"};
    assert_same(&g);
}

static void quotes_controls_and_non_ascii_are_escaped_correctly(void **state)
{
    (void)state;
    struct org o = {.id = 2, .code = "a\"b\\c", .name = "名\t称\n\"引号\"\x01 <script>",
                    .type = ORG_BRANCH, .path = "/1/2/", .depth = 1, .parent_id = 1};
    assert_same(&o);
}

static void invalid_utf8_is_replaced_so_the_output_stays_json(void **state)
{
    (void)state;
    struct buf b = BUF_INIT(1024);
    jsonw_str(&b, "\xff\xfe bad");
    assert_string_equal(buf_str(&b), "\"\\ufffd\"");
    buf_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_full_branch_streams_like_org_json),
        cmocka_unit_test(nulls_and_a_top_level_committee_stream_like_org_json),
        cmocka_unit_test(quotes_controls_and_non_ascii_are_escaped_correctly),
        cmocka_unit_test(invalid_utf8_is_replaced_so_the_output_stays_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
