/* org_rules.c: pure rules of organization setting (domain-rules.md §6, ORG-01..ORG-06).
 * No I/O: everything arrives as arguments (today's date too), so each rule is unit-tested at
 * its boundaries. Findings never block saving; only malformed input does. */
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/utf8.h"
#include "features/org/org.h"

static const char *const type_names[ORG_TYPE_COUNT] = {"committee", "general_branch", "branch",
                                                       "group"};

const char *org_type_name(enum org_type t)
{
    return t < ORG_TYPE_COUNT ? type_names[t] : "unknown";
}

int org_type_parse(const char *s, enum org_type *out)
{
    for (int i = 0; i < ORG_TYPE_COUNT; i++) {
        if (strcmp(s, type_names[i]) == 0) {
            *out = (enum org_type)i;
            return 0;
        }
    }
    return -1;
}

const char *org_level_name(enum org_level l)
{
    return l == ORG_ERROR ? "error" : l == ORG_WARNING ? "warning" : "info";
}

void org_rules_default_config(struct org_rule_config *cfg)
{
    /* ORG-05 defaults: 基层党委 5, 总支 3, 支部 3, 村/社区 5; 党小组 has no term. */
    cfg->term_years[ORG_COMMITTEE] = 5;
    cfg->term_years[ORG_GENERAL_BRANCH] = 3;
    cfg->term_years[ORG_BRANCH] = 3;
    cfg->term_years[ORG_GROUP] = 0;
    cfg->term_years_village = 5;
    cfg->remind_months = 6;              /* ORG-06: reminder at term end - 6 months */
    cfg->committee_allowed_below_7 = false;
}

bool org_rules_parent_allowed(enum org_type child, bool has_parent, enum org_type parent)
{
    switch (child) {
    case ORG_COMMITTEE:          /* a 党委 is top level or under a higher 党委 */
        return !has_parent || parent == ORG_COMMITTEE;
    case ORG_GENERAL_BRANCH:     /* a 党总支 sits under a 党委 */
        return has_parent && parent == ORG_COMMITTEE;
    case ORG_BRANCH:             /* a 党支部 under a 党委 or 党总支 */
        return has_parent && (parent == ORG_COMMITTEE || parent == ORG_GENERAL_BRANCH);
    case ORG_GROUP:              /* a 党小组 inside a 党支部 */
        return has_parent && parent == ORG_BRANCH;
    case ORG_TYPE_COUNT:
        break;
    }
    return false;
}

static bool code_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 32)
        return false;
    for (const char *c = s; *c != '\0'; c++)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_' || *c == '.'))
            return false;
    return true;
}

static bool name_ok(const char *s)
{
    size_t len = strlen(s);
    if (!utf8_valid(s, len))
        return false;
    for (const char *c = s; *c != '\0'; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return false;
    size_t cps = utf8_count(s);
    return cps >= 2 && cps <= 100;
}

static void check_date(const char *field, const char *s, struct date today, struct err *e)
{
    struct date d;
    if (s == NULL)
        return;
    if (date_parse(s, &d) != 0)
        err_field(e, field, "field.bad_date");
    else if (date_cmp(d, today) > 0)
        err_field(e, field, "org.date_in_future");
    else if (d.year < 1921)          /* nothing predates the founding of the Party */
        err_field(e, field, "field.out_of_range");
}

int org_rules_check_input(const struct org_input *in, bool creating, struct date today,
                          struct err *e)
{
    if (creating && !in->has_code)
        err_field(e, "code", "field.required");
    if (creating && !in->has_name)
        err_field(e, "name", "field.required");
    if (creating && !in->has_type)
        err_field(e, "type", "field.required");
    if (in->has_code && !code_ok(in->code))
        err_field(e, "code", "org.bad_code");
    if (in->has_name && !name_ok(in->name))
        err_field(e, "name", "org.bad_name");
    if (in->has_founded)
        check_date("founded_on", in->founded_on, today, e);
    if (in->has_term_start)
        check_date("term_start", in->term_start, today, e);
    /* ORG-05: terms are 3 to 5 years. */
    if (in->has_term_years && in->term_years != 0 && (in->term_years < 3 || in->term_years > 5))
        err_field(e, "term_years", "org.term_years_range");
    if (in->has_committee_size && in->committee_size != 0 &&
        (in->committee_size < 3 || in->committee_size > 15))
        err_field(e, "committee_size", "field.out_of_range");
    if (in->has_type && in->has_committee_size)
        org_rules_check_committee(in->type, in->committee_size, e);
    if (in->has_sort && (in->sort_order < -1000000 || in->sort_order > 1000000))
        err_field(e, "sort_order", "field.out_of_range");
    return e->code == ERR_OK ? 0 : -1;
}

int org_rules_check_committee(enum org_type type, int committee_size, struct err *e)
{
    /* ORG-03: a branch committee has 3 to 7 members ("3至5人组成，一般不超过7人"). */
    if (type == ORG_BRANCH && committee_size != 0 && (committee_size < 3 || committee_size > 7))
        return err_field(e, "committee_size", "org.committee_size_range");
    return 0;
}

int org_rules_term_years(const struct org *o, const struct org_rule_config *cfg)
{
    if (o->type == ORG_GROUP)
        return 0;
    if (o->term_years != 0)
        return o->term_years;
    return o->is_village ? cfg->term_years_village : cfg->term_years[o->type];
}

bool org_rules_term_end(const struct org *o, const struct org_rule_config *cfg, struct date *end)
{
    struct date start;
    int years = org_rules_term_years(o, cfg);
    if (years == 0 || o->term_start == NULL || date_parse(o->term_start, &start) != 0)
        return false;
    *end = date_add_months(start, 12 * years);
    return true;
}

static int add(struct org_warning *out, int n, const char *rule, enum org_level level,
               const char *key)
{
    if (n < ORG_MAX_WARNINGS)
        out[n++] = (struct org_warning){rule, level, key};
    return n;
}

static int branch_findings(const struct org *o, const struct org_rule_config *cfg,
                           struct org_warning *out, int n)
{
    int64_t full = o->sub_full, total = o->sub_full + o->sub_prob;
    /* ORG-01: a 党支部 needs 3 full members; below that, a 联合党支部 (counts full only). */
    if (!o->is_joint && full < 3)
        n = add(out, n, "ORG-01", ORG_WARNING, "org.rule.org01_below_3");
    /* ORG-02: "党支部党员人数一般不超过50人" (full + probationary). */
    if (total > 50)
        n = add(out, n, "ORG-02", ORG_WARNING, "org.rule.org02_over_50");
    /* ORG-03: 正式党员7人以上 → a committee is required. */
    if (full >= 7 && !o->has_committee)
        n = add(out, n, "ORG-03", ORG_ERROR, "org.rule.org03_needs_committee");
    if (full < 7 && o->has_committee && !cfg->committee_allowed_below_7)
        n = add(out, n, "ORG-03", ORG_WARNING, "org.rule.org03_committee_below_7");
    if (o->has_committee && o->committee_size >= 6)
        n = add(out, n, "ORG-03", ORG_INFO, "org.rule.org03_size_6_7");
    /* ORG-04: suggestions only (50-99 → 党总支, ≥100 → 基层党委). */
    if (total >= 100)
        n = add(out, n, "ORG-04", ORG_INFO, "org.rule.org04_suggest_committee");
    else if (total >= 50)
        n = add(out, n, "ORG-04", ORG_INFO, "org.rule.org04_suggest_general_branch");
    return n;
}

static int term_findings(const struct org *o, const struct org_rule_config *cfg,
                         struct date today, struct org_warning *out, int n)
{
    struct date end;
    if (!org_rules_term_end(o, cfg, &end))
        return o->type == ORG_GROUP ? n : add(out, n, "ORG-05", ORG_INFO, "org.rule.org05_no_term");
    /* ORG-06: overdue at term end; an error one year later (延期一般不超过1年). */
    if (date_cmp(today, date_add_months(end, 12)) >= 0)
        return add(out, n, "ORG-06", ORG_ERROR, "org.rule.org06_overdue_1y");
    if (date_cmp(today, end) >= 0)
        return add(out, n, "ORG-06", ORG_WARNING, "org.rule.org06_overdue");
    if (date_cmp(today, date_add_months(end, -cfg->remind_months)) >= 0)
        return add(out, n, "ORG-06", ORG_INFO, "org.rule.org06_due_soon");
    return n;
}

int org_rules_findings(const struct org *o, const struct org_rule_config *cfg, struct date today,
                       struct org_warning out[ORG_MAX_WARNINGS])
{
    int n = 0;
    if (o->type == ORG_BRANCH)
        n = branch_findings(o, cfg, out, n);
    if (o->type == ORG_GENERAL_BRANCH && o->sub_full + o->sub_prob < 50)
        n = add(out, n, "ORG-04", ORG_INFO, "org.rule.org04_general_branch_small");
    if (o->type == ORG_COMMITTEE && o->parent_id != 0 && o->sub_full + o->sub_prob < 100)
        n = add(out, n, "ORG-04", ORG_INFO, "org.rule.org04_committee_small");
    n = term_findings(o, cfg, today, out, n);
    return n;
}
