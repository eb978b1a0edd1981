/* member_rules.h: the member record's validation (issue 5 §2), pure: no I/O, no allocation.
 *
 * A record arrives as text fields (empty or NULL = not given) plus "today", the CONFIG phone
 * pattern (ID-07, from rule_settings) and a code-table lookup (CODE-01..05 are data, so the
 * caller answers "is this code in code_tables?"). The check reports EVERY violation as
 * {field, rule id, message key}; the message texts (member_api) end with the rule id, e.g.
 * "校验位错误（ID-02）". It also derives what the record implies: the 18-digit ID number (ID-05
 * upgrade, keeping the 15-digit original), birth date and gender from the ID when not given
 * (ID-03, ID-04), and the phone with spaces and +86 stripped.
 *
 * Rule ids are those of domain-rules.md, plus three of the platform's own:
 *   REC-01 required fields (all records; archived statuses also need status_on and reason)
 *   REC-02 text: name 1..50 characters, other texts bounded, no control characters (HTML is
 *          text: stored as given and escaped on output, never rejected for '<')
 *   REC-03 platform code lists (member_status, party_post, reward, punishment)
 * Threads: safe (the compiled pattern is only read). */
#ifndef DJ_MEMBER_RULES_H
#define DJ_MEMBER_RULES_H
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/date.h"

#define MEMBER_PHONE_PATTERN_DEFAULT "^1[3-9][0-9]{9}$"   /* ID-07, CONFIG */
#define MEMBER_MAX_VIOLATIONS 48

/* Answers whether code is in code_tables under kind ("gender", "ethnicity", ...). */
typedef bool (*member_code_fn)(void *ctx, const char *kind, const char *code);

struct member_rule_config {
    regex_t phone;              /* ID-07 */
    bool compiled;
};

/* Compiles the phone pattern (POSIX extended); NULL or "" takes the default. -1 when the
 * pattern does not compile (the default is compiled instead, so the config is usable). */
int member_rules_config_init(struct member_rule_config *c, const char *phone_pattern);
void member_rules_config_fini(struct member_rule_config *c);

/* A record as given: borrowed strings; NULL or "" = not given. */
struct member_record {
    int64_t org_id;             /* 0 = not given */
    const char *name, *gender, *ethnicity, *education, *category, *status;
    const char *birth_date, *applied_on, *activist_on, *candidate_on, *joined_on, *full_on;
    const char *full_exception, *status_on, *status_reason;
    const char *id_number, *phone, *address;
    const char *job, *title, *work_unit, *department;
};

struct member_violation {
    const char *field;          /* "id_number" (static strings) */
    const char *rule;           /* "ID-02" */
    const char *key;            /* message key "member.rule.id02_check" */
};

struct member_check {
    int n;
    struct member_violation v[MEMBER_MAX_VIOLATIONS];
    char id_number[19];         /* 18-character form, "" when none or invalid */
    char id_orig[19];           /* ID-05: the 15-digit original, "" unless upgraded */
    char birth_date[11];        /* given, or derived from the ID (ID-03); "" when neither */
    int gender;                 /* CODE-01 given, or derived (ID-04); -1 when neither */
    char phone[32];             /* ID-07: spaces and +86 stripped; "" when none */
};

/* Checks a whole record; fills *out and returns out->n (0 = valid). */
int member_rules_check(const struct member_record *r, const struct member_rule_config *cfg,
                       struct date today, member_code_fn code_ok, void *ctx,
                       struct member_check *out);

/* The archived statuses (history archive, read-only): suspended, expelled, deceased,
 * transferred_out. */
bool member_rules_is_archived(const char *status);

/* A 党内职务: post code (REC-03), started_on required (CODE-06, <= today), ended_on >=
 * started_on. Returns the number of violations written to v (at most 4). */
int member_rules_check_post(const char *post, const char *started_on, const char *ended_on,
                            struct date today, member_code_fn code_ok, void *ctx,
                            struct member_violation v[4]);

/* A reward or punishment: kind "reward"|"punishment", code of that kind (REC-03), title 1..100
 * characters, decided_on (CODE-06, <= today), ends_on >= decided_on; DISC-04: 留党察看
 * ("probation") needs ends_on, at most decided_on + 24 months. At most 6 violations. */
int member_rules_check_award(const char *kind, const char *code, const char *title,
                             const char *decided_on, const char *ends_on, struct date today,
                             member_code_fn code_ok, void *ctx, struct member_violation v[6]);

/* A status change from `from` to `to` on on_date with reason: to must be a member_status code
 * other than from (REC-03), on_date a date <= today (CODE-06), reason 1..500 characters
 * (REC-01). At most 4 violations. (Leaving the archive goes through restore, not here.) */
int member_rules_check_status(const char *from, const char *to, const char *on_date,
                              const char *reason, struct date today, member_code_fn code_ok,
                              void *ctx, struct member_violation v[4]);

/* Text of REC-02: valid UTF-8, 1..max code points (0 allowed when !required), no control
 * characters. */
bool member_rules_text_ok(const char *s, int max, bool required);

#endif
