/* member_rules.c: the member record's rules (see member_rules.h; domain-rules.md ID, DEV, CODE,
 * DISC-04). Reading order: texts and codes, the ID number (which may supply birth date and
 * gender), the phone, the dates one by one (CODE-06, ID-08), then the rules between dates
 * (DEV-01, ID-08, DEV-13, DEV-15, CODE-05) and last the fields each status requires (REC-01). */
#include "features/member/member_rules.h"

#include <stdio.h>
#include <string.h>

#include "core/utf8.h"
#include "features/member/member_idcard.h"

int member_rules_config_init(struct member_rule_config *c, const char *phone_pattern)
{
    int rc = 0;
    const char *p = phone_pattern != NULL && phone_pattern[0] != '\0'
                        ? phone_pattern : MEMBER_PHONE_PATTERN_DEFAULT;
    c->compiled = false;
    if (regcomp(&c->phone, p, REG_EXTENDED | REG_NOSUB) != 0) {
        rc = -1;
        if (regcomp(&c->phone, MEMBER_PHONE_PATTERN_DEFAULT, REG_EXTENDED | REG_NOSUB) != 0)
            return -1;
    }
    c->compiled = true;
    return rc;
}

void member_rules_config_fini(struct member_rule_config *c)
{
    if (c->compiled)
        regfree(&c->phone);
    c->compiled = false;
}

bool member_rules_is_archived(const char *status)
{
    static const char *const ARCHIVED[] = {"suspended", "expelled", "deceased", "transferred_out"};
    for (size_t i = 0; status != NULL && i < sizeof ARCHIVED / sizeof ARCHIVED[0]; i++)
        if (strcmp(status, ARCHIVED[i]) == 0)
            return true;
    return false;
}

static bool given(const char *s)
{
    return s != NULL && s[0] != '\0';
}

bool member_rules_text_ok(const char *s, int max, bool required)
{
    if (!given(s))
        return !required;
    size_t len = strlen(s);
    if (!utf8_valid(s, len))
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return false;
        if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)    /* C1 controls U+0080..U+009F */
            return false;
    }
    return utf8_count(s) <= (size_t)max;
}

static void add(struct member_violation *v, int *n, int cap, const char *field, const char *rule,
                const char *key)
{
    if (*n < cap)
        v[(*n)++] = (struct member_violation){field, rule, key};
}

#define ADD(field, rule, key) add(out->v, &out->n, MEMBER_MAX_VIOLATIONS, field, rule, key)

/* ---- texts and codes ---- */

static void check_texts(const struct member_record *r, struct member_check *out)
{
    static const struct { const char *field; int max; } TEXTS[] = {
        {"full_exception", 500}, {"status_reason", 500}, {"address", 200},
        {"job", 100}, {"title", 100}, {"work_unit", 100}, {"department", 100},
    };
    const char *vals[] = {r->full_exception, r->status_reason, r->address,
                          r->job, r->title, r->work_unit, r->department};
    /* REC-02: 1..50 characters, no control characters; '<' and quotes are just text */
    if (given(r->name) && !member_rules_text_ok(r->name, 50, true))
        ADD("name", "REC-02", "member.rule.rec02_name");
    for (size_t i = 0; i < sizeof TEXTS / sizeof TEXTS[0]; i++)
        if (!member_rules_text_ok(vals[i], TEXTS[i].max, false))
            ADD(TEXTS[i].field, "REC-02", "member.rule.rec02_text");
}

static void check_codes(const struct member_record *r, member_code_fn code_ok, void *ctx,
                        struct member_check *out)
{
    static const struct { const char *field, *kind, *rule, *key; } CODES[] = {
        {"gender", "gender", "CODE-01", "member.rule.code01_gender"},          /* GB/T 2261.1 */
        {"ethnicity", "ethnicity", "CODE-03", "member.rule.code03_ethnicity"}, /* GB/T 3304 */
        {"education", "education", "CODE-04", "member.rule.code04_education"}, /* GB/T 4658 */
        {"category", "category", "CODE-05", "member.rule.code05_category"},
        {"status", "member_status", "REC-03", "member.rule.rec03_status"},
    };
    const char *vals[] = {r->gender, r->ethnicity, r->education, r->category, r->status};
    for (size_t i = 0; i < sizeof CODES / sizeof CODES[0]; i++)
        if (given(vals[i]) && !code_ok(ctx, CODES[i].kind, vals[i]))
            ADD(CODES[i].field, CODES[i].rule, CODES[i].key);
}

/* ---- ID number (ID-01..05) and phone (ID-07) ---- */

static void check_id(const struct member_record *r, struct date today, struct member_check *out)
{
    struct member_idcard c;
    if (!given(r->id_number))
        return;
    enum member_idcard_result res = member_idcard_parse(r->id_number, today, &c);
    switch (res) {
    case IDCARD_OK:
        break;
    case IDCARD_LENGTH:
    case IDCARD_CHARS:
        ADD("id_number", "ID-01", member_idcard_result_key(res));
        return;
    case IDCARD_DATE:
    case IDCARD_FUTURE:
        ADD("id_number", "ID-03", member_idcard_result_key(res));
        return;
    default:
        ADD("id_number", "ID-02", member_idcard_result_key(res));
        return;
    }
    snprintf(out->id_number, sizeof out->id_number, "%s", c.number);
    if (c.upgraded)                                      /* ID-05: keep the 15-digit original */
        snprintf(out->id_orig, sizeof out->id_orig, "%s", c.original);
    struct date birth;
    if (!given(r->birth_date))                           /* ID-03: derived when not given */
        date_format(c.birth, out->birth_date);
    else if (date_parse(r->birth_date, &birth) == 0 &&
             member_idcard_matches(&c, birth, 0) != IDCARD_OK)
        ADD("birth_date", "ID-03", "member.rule.id03_birth_mismatch");
    if (out->gender < 0)                                 /* ID-04: derived when not given */
        out->gender = c.gender;
    else if (member_idcard_matches(&c, c.birth, out->gender) != IDCARD_OK)
        ADD("gender", "ID-04", "member.rule.id04_gender_mismatch");
}

/* ID-07: spaces (ASCII and U+3000) and a leading +86 go; the rest must match the pattern. */
static void check_phone(const struct member_record *r, const struct member_rule_config *cfg,
                        struct member_check *out)
{
    char s[sizeof out->phone];
    size_t n = 0;
    if (!given(r->phone))
        return;
    for (const char *p = r->phone; *p != '\0'; p++) {
        if (*p == ' ' || *p == '\t')
            continue;
        if (strncmp(p, "\xE3\x80\x80", 3) == 0) {
            p += 2;
            continue;
        }
        if (n + 1 >= sizeof s) {
            ADD("phone", "ID-07", "member.rule.id07_phone");
            return;
        }
        s[n++] = *p;
    }
    s[n] = '\0';
    const char *digits = strncmp(s, "+86", 3) == 0 ? s + 3 : s;
    if (regexec(&cfg->phone, digits, 0, NULL, 0) != 0) {
        ADD("phone", "ID-07", "member.rule.id07_phone");
        return;
    }
    snprintf(out->phone, sizeof out->phone, "%s", digits);
}

/* ---- dates ---- */

enum { D_BIRTH, D_APPLIED, D_ACTIVIST, D_CANDIDATE, D_JOINED, D_FULL, D_STATUS, D_COUNT };

static const char *const DATE_FIELD[D_COUNT] = {"birth_date", "applied_on", "activist_on",
                                                "candidate_on", "joined_on", "full_on",
                                                "status_on"};

struct dates {
    struct date d[D_COUNT];
    bool ok[D_COUNT];           /* given and a valid date */
};

/* CODE-06 format; ID-03/ID-08: not in the future, none before birth. */
static void parse_dates(const struct member_record *r, struct date today, struct dates *ds,
                        struct member_check *out)
{
    const char *raw[D_COUNT] = {out->birth_date, r->applied_on, r->activist_on, r->candidate_on,
                                r->joined_on, r->full_on, r->status_on};
    memset(ds, 0, sizeof *ds);
    for (int i = 0; i < D_COUNT; i++) {
        if (!given(raw[i]))
            continue;
        if (date_parse(raw[i], &ds->d[i]) != 0) {
            ADD(DATE_FIELD[i], "CODE-06", "member.rule.code06_date");
            continue;
        }
        if (date_cmp(ds->d[i], today) > 0) {
            ADD(DATE_FIELD[i], i == D_BIRTH ? "ID-03" : "ID-08", "member.rule.id08_future");
            continue;
        }
        if (i != D_BIRTH && ds->ok[D_BIRTH] && date_cmp(ds->d[i], ds->d[D_BIRTH]) < 0) {
            ADD(DATE_FIELD[i], "ID-08", "member.rule.id08_before_birth");
            continue;
        }
        ds->ok[i] = true;
    }
}

/* DEV-15: applied_on <= activist_on <= candidate_on <= joined_on; the first pair out of order
 * (among the dates given) is named, on the later field. */
static void check_order(const struct dates *ds, struct member_check *out)
{
    static const char *const KEYS[D_JOINED + 1][D_JOINED + 1] = {
        [D_APPLIED][D_ACTIVIST] = "member.rule.dev15_applied_activist",
        [D_APPLIED][D_CANDIDATE] = "member.rule.dev15_applied_candidate",
        [D_APPLIED][D_JOINED] = "member.rule.dev15_applied_joined",
        [D_ACTIVIST][D_CANDIDATE] = "member.rule.dev15_activist_candidate",
        [D_ACTIVIST][D_JOINED] = "member.rule.dev15_activist_joined",
        [D_CANDIDATE][D_JOINED] = "member.rule.dev15_candidate_joined",
    };
    int prev = -1;
    for (int i = D_APPLIED; i <= D_JOINED; i++) {
        if (!ds->ok[i])
            continue;
        if (prev >= 0 && date_cmp(ds->d[prev], ds->d[i]) > 0) {
            ADD(DATE_FIELD[i], "DEV-15", KEYS[prev][i]);
            return;
        }
        prev = i;
    }
}

static void check_join(const struct member_record *r, const struct dates *ds,
                       struct member_check *out)
{
    const struct date *d = ds->d;
    if (ds->ok[D_BIRTH]) {
        struct date adult = date_add_months(d[D_BIRTH], 216);         /* DEV-01 */
        if (ds->ok[D_APPLIED] && date_cmp(d[D_APPLIED], adult) < 0)
            ADD("applied_on", "DEV-01", "member.rule.dev01_applied_under_18");
        if (ds->ok[D_JOINED] && date_cmp(d[D_JOINED], adult) < 0)
            ADD("joined_on", "DEV-01", "member.rule.dev01_joined_under_18");
        /* ID-08: age on the join date at most 100 (younger than 101) */
        if (ds->ok[D_JOINED] && date_cmp(d[D_JOINED], date_add_months(d[D_BIRTH], 101 * 12)) >= 0)
            ADD("joined_on", "ID-08", "member.rule.id08_join_age");
    }
    if (ds->ok[D_JOINED] && ds->ok[D_FULL]) {
        struct date year = date_add_months(d[D_JOINED], 12);
        if (date_cmp(d[D_FULL], year) < 0)                            /* ID-08, DEV-11 */
            ADD("full_on", "ID-08", "member.rule.id08_full_before_year");
        else if (date_cmp(d[D_FULL], date_add_months(d[D_JOINED], 24)) > 0)
            ADD("full_on", "DEV-13", "member.rule.dev13_full_too_late");
        else if (date_cmp(d[D_FULL], year) > 0 && !given(r->full_exception))
            ADD("full_on", "DEV-13", "member.rule.dev13_needs_exception");
    }
}

/* CODE-05: a probationary member has no full_on; a full member has one. */
static void check_category(const struct member_record *r, struct member_check *out)
{
    if (!given(r->category))
        return;
    if (strcmp(r->category, "probationary") == 0 && given(r->full_on))
        ADD("full_on", "CODE-05", "member.rule.code05_probationary_full_on");
    else if (strcmp(r->category, "full") == 0 && !given(r->full_on))
        ADD("full_on", "CODE-05", "member.rule.code05_full_needs_full_on");
}

/* REC-01: what every record needs, and what an archived status adds. */
static void check_required(const struct member_record *r, struct member_check *out)
{
    if (!given(r->name))
        ADD("name", "REC-01", "member.rule.rec01_required");
    if (out->gender < 0)
        ADD("gender", "REC-01", "member.rule.rec01_required");
    if (!given(out->birth_date))
        ADD("birth_date", "REC-01", "member.rule.rec01_required");
    if (r->org_id <= 0)
        ADD("org_id", "REC-01", "member.rule.rec01_required");
    if (!given(r->category))
        ADD("category", "REC-01", "member.rule.rec01_required");
    if (!given(r->joined_on))
        ADD("joined_on", "REC-01", "member.rule.rec01_required");
    if (member_rules_is_archived(r->status)) {
        if (!given(r->status_on))
            ADD("status_on", "REC-01", "member.rule.rec01_archived_needs_date");
        if (!given(r->status_reason))
            ADD("status_reason", "REC-01", "member.rule.rec01_archived_needs_reason");
    }
}

static int parse_gender(const char *s)
{
    if (!given(s) || s[1] != '\0' || s[0] < '0' || s[0] > '9')
        return -1;
    return s[0] - '0';
}

int member_rules_check(const struct member_record *r, const struct member_rule_config *cfg,
                       struct date today, member_code_fn code_ok, void *ctx,
                       struct member_check *out)
{
    struct dates ds;
    memset(out, 0, sizeof *out);
    out->gender = -1;
    check_texts(r, out);
    check_codes(r, code_ok, ctx, out);
    if (given(r->gender) && code_ok(ctx, "gender", r->gender))
        out->gender = parse_gender(r->gender);
    if (given(r->birth_date))
        snprintf(out->birth_date, sizeof out->birth_date, "%s", r->birth_date);
    check_id(r, today, out);
    check_phone(r, cfg, out);
    parse_dates(r, today, &ds, out);
    check_order(&ds, out);
    check_join(r, &ds, out);
    check_category(r, out);
    check_required(r, out);
    return out->n;
}

/* ---- posts, awards, status changes ---- */

#undef ADD

/* A date field of a sub-record: CODE-06 format, not in the future (ID-08). */
static bool sub_date(const char *field, const char *s, bool required, struct date today,
                     struct date *d, struct member_violation *v, int *n, int cap)
{
    if (!given(s)) {
        if (required)
            add(v, n, cap, field, "REC-01", "member.rule.rec01_required");
        return false;
    }
    if (date_parse(s, d) != 0) {
        add(v, n, cap, field, "CODE-06", "member.rule.code06_date");
        return false;
    }
    if (date_cmp(*d, today) > 0) {
        add(v, n, cap, field, "ID-08", "member.rule.id08_future");
        return false;
    }
    return true;
}

int member_rules_check_post(const char *post, const char *started_on, const char *ended_on,
                            struct date today, member_code_fn code_ok, void *ctx,
                            struct member_violation v[4])
{
    int n = 0;
    struct date s, e;
    if (!given(post))
        add(v, &n, 4, "post", "REC-01", "member.rule.rec01_required");
    else if (!code_ok(ctx, "party_post", post))
        add(v, &n, 4, "post", "REC-03", "member.rule.rec03_post");
    bool has_s = sub_date("started_on", started_on, true, today, &s, v, &n, 4);
    bool has_e = given(ended_on) && date_parse(ended_on, &e) == 0;
    if (given(ended_on) && !has_e)
        add(v, &n, 4, "ended_on", "CODE-06", "member.rule.code06_date");
    else if (has_s && has_e && date_cmp(e, s) < 0)
        add(v, &n, 4, "ended_on", "ID-08", "member.rule.id08_end_before_start");
    return n;
}

int member_rules_check_award(const char *kind, const char *code, const char *title,
                             const char *decided_on, const char *ends_on, struct date today,
                             member_code_fn code_ok, void *ctx, struct member_violation v[6])
{
    int n = 0;
    struct date d, e;
    bool good_kind = given(kind) && (strcmp(kind, "reward") == 0 || strcmp(kind, "punishment") == 0);
    if (!good_kind)
        add(v, &n, 6, "kind", given(kind) ? "REC-03" : "REC-01",
            given(kind) ? "member.rule.rec03_award_kind" : "member.rule.rec01_required");
    if (!given(code))
        add(v, &n, 6, "code", "REC-01", "member.rule.rec01_required");
    else if (good_kind && !code_ok(ctx, kind, code))
        add(v, &n, 6, "code", "REC-03", "member.rule.rec03_award_code");
    if (!member_rules_text_ok(title, 100, true))
        add(v, &n, 6, "title", given(title) ? "REC-02" : "REC-01",
            given(title) ? "member.rule.rec02_text" : "member.rule.rec01_required");
    bool has_d = sub_date("decided_on", decided_on, true, today, &d, v, &n, 6);
    bool has_e = given(ends_on) && date_parse(ends_on, &e) == 0;
    bool probation = good_kind && strcmp(kind, "punishment") == 0 && given(code) &&
                     strcmp(code, "probation") == 0;
    if (given(ends_on) && !has_e)
        add(v, &n, 6, "ends_on", "CODE-06", "member.rule.code06_date");
    else if (has_d && has_e && date_cmp(e, d) < 0)
        add(v, &n, 6, "ends_on", "ID-08", "member.rule.id08_end_before_start");
    else if (probation && !given(ends_on))           /* DISC-04: 留党察看 has a period */
        add(v, &n, 6, "ends_on", "DISC-04", "member.rule.disc04_needs_end");
    else if (probation && has_d && date_cmp(e, date_add_months(d, 24)) > 0)
        add(v, &n, 6, "ends_on", "DISC-04", "member.rule.disc04_over_two_years");
    return n;
}

int member_rules_check_status(const char *from, const char *to, const char *on_date,
                              const char *reason, struct date today, member_code_fn code_ok,
                              void *ctx, struct member_violation v[4])
{
    int n = 0;
    struct date d;
    if (!given(to))
        add(v, &n, 4, "status", "REC-01", "member.rule.rec01_required");
    else if (!code_ok(ctx, "member_status", to))
        add(v, &n, 4, "status", "REC-03", "member.rule.rec03_status");
    else if (from != NULL && strcmp(from, to) == 0)
        add(v, &n, 4, "status", "REC-03", "member.rule.rec03_status_unchanged");
    (void)sub_date("on_date", on_date, true, today, &d, v, &n, 4);
    if (!member_rules_text_ok(reason, 500, true))
        add(v, &n, 4, "reason", given(reason) ? "REC-02" : "REC-01",
            given(reason) ? "member.rule.rec02_text" : "member.rule.rec01_required");
    return n;
}
