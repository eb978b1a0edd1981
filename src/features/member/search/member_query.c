/* member_query.c: the search parameters of a member list, parsed and checked (member_query.h). */
#include "features/member/search/member_query.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "crypto/pdata.h"
#include "features/member/member_idcard.h"

#define NAME_MAX_BYTES 64

const char *const member_query_params[] = {
    "org_id", "q", "match", "name_prefix", "id_number", "phone", "status", "category",
    "gender", "age_min", "age_max", "joined_from", "joined_to", "post", "education",
    "ethnicity", "sort", NULL};

static const char *const SORT_KEYS[] = {"org", "name", "birth_date", "joined_on"};

static int parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (s[0] == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static bool present(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* A code table code as the URL gives it: 1..32 of [a-z0-9_]. */
static bool code_like(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return n > 0 && n <= 32;
}

/* The 18-character number an ID-number search looks for: 18 characters as typed (a wrong check
 * character simply finds nothing), or a 15-digit legacy number upgraded (ID-05). */
static int id_number_key(const char *in, char out[PDATA_NORM_MAX])
{
    if (pdata_normalise_id_number(in, out) != 0)
        return -1;
    size_t n = strlen(out);
    for (size_t i = 0; i < n; i++)
        if (!(out[i] >= '0' && out[i] <= '9') && !(i == 17 && out[i] == 'X'))
            return -1;
    if (n == 18)
        return 0;
    if (n != 15)
        return -1;
    struct member_idcard c;
    if (member_idcard_parse(out, (struct date){.year = 9999, .month = 12, .day = 31}, &c) != IDCARD_OK)
        return -1;
    memcpy(out, c.number, 19);
    return 0;
}

/* A mobile number: 11 digits starting with 1 once spaces, dashes and +86 are gone. */
static int phone_key(const char *in, char out[PDATA_NORM_MAX])
{
    for (const char *p = in; *p != '\0'; p++)
        if (!((*p >= '0' && *p <= '9') || *p == ' ' || *p == '-' || *p == '+'))
            return -1;
    if (pdata_normalise_phone(in, out) != 0 || strlen(out) != 11 || out[0] != '1')
        return -1;
    return 0;
}

static void blind(const struct keys *k, const char *column, const char *norm,
                  char out[PDATA_BLIND_ALL][FIELD_BLIND_HEX])
{
    if (k != NULL)
        pdata_blind_all(k, column, norm, out);
    else
        for (int i = 0; i < PDATA_BLIND_ALL; i++)
            out[i][0] = '\0';      /* no key: matches no row */
}

static void parse_name(struct member_query *q, const char *(*get)(void *, const char *),
                       void *ctx, const struct keys *k, struct err *e)
{
    const char *s = get(ctx, "q"), *match = get(ctx, "match"), *prefix = get(ctx, "name_prefix");
    char norm[PDATA_NORM_MAX];
    bool as_prefix = false;
    if (present(match)) {
        if (strcmp(match, "prefix") == 0)
            as_prefix = true;
        else if (strcmp(match, "contains") != 0)
            err_field(e, "match", "member.bad_match");
    }
    if (present(s)) {
        if (strlen(s) > NAME_MAX_BYTES) {
            err_field(e, "q", "field.too_long");
        } else if (id_number_key(s, norm) == 0) {
            q->by_id_number = true;
            blind(k, "id_number", norm, q->id_number_bidx);
        } else if (phone_key(s, norm) == 0) {
            q->by_phone = true;
            blind(k, "phone", norm, q->phone_bidx);
        } else if (as_prefix) {
            q->name_prefix = s;
        } else {
            q->name_like = s;
        }
    }
    if (present(prefix)) {
        if (strlen(prefix) > NAME_MAX_BYTES)
            err_field(e, "name_prefix", "field.too_long");
        else
            q->name_prefix = prefix;
    }
    const char *id = get(ctx, "id_number"), *phone = get(ctx, "phone");
    if (present(id)) {
        if (strlen(id) > NAME_MAX_BYTES || id_number_key(id, norm) != 0) {
            err_field(e, "id_number", "member.bad_id_number");
        } else {
            q->by_id_number = true;
            blind(k, "id_number", norm, q->id_number_bidx);
        }
    }
    if (present(phone)) {
        if (strlen(phone) > NAME_MAX_BYTES || phone_key(phone, norm) != 0) {
            err_field(e, "phone", "member.bad_phone");
        } else {
            q->by_phone = true;
            blind(k, "phone", norm, q->phone_bidx);
        }
    }
}

static void parse_ages(struct member_query *q, const char *(*get)(void *, const char *),
                       void *ctx, struct date today, struct err *e)
{
    const char *lo = get(ctx, "age_min"), *hi = get(ctx, "age_max");
    int64_t amin = -1, amax = -1;
    if (present(lo) && parse_int(lo, 0, 150, &amin) != 0)
        err_field(e, "age_min", "field.out_of_range");
    if (present(hi) && parse_int(hi, 0, 150, &amax) != 0)
        err_field(e, "age_max", "field.out_of_range");
    if (amin >= 0 && amax >= 0 && amin > amax) {
        err_field(e, "age_max", "member.bad_range");
        return;
    }
    /* age >= amin: born on or before today - amin years; age <= amax: born after today -
     * (amax + 1) years. */
    if (amin >= 0)
        date_format(date_add_months(today, -12 * (int)amin), q->born_until);
    if (amax >= 0)
        date_format(date_add_months(today, -12 * (int)(amax + 1)), q->born_after);
}

static void parse_years(struct member_query *q, const char *(*get)(void *, const char *),
                        void *ctx, struct err *e)
{
    const char *from = get(ctx, "joined_from"), *to = get(ctx, "joined_to");
    int64_t y0 = 0, y1 = 0;
    if (present(from) && parse_int(from, 1921, 9998, &y0) != 0)
        err_field(e, "joined_from", "field.out_of_range");
    if (present(to) && parse_int(to, 1921, 9998, &y1) != 0)
        err_field(e, "joined_to", "field.out_of_range");
    if (y0 > 0 && y1 > 0 && y0 > y1) {
        err_field(e, "joined_to", "member.bad_range");
        return;
    }
    if (y0 > 0)
        date_format((struct date){.year = (int)y0, .month = 1, .day = 1}, q->joined_from);
    if (y1 > 0)
        date_format((struct date){.year = (int)y1 + 1, .month = 1, .day = 1}, q->joined_before);
}

static void parse_sort(struct member_query *q, const char *s, struct err *e)
{
    if (!present(s))
        return;
    q->desc = s[0] == '-';
    const char *key = q->desc ? s + 1 : s;
    for (size_t i = 0; i < sizeof SORT_KEYS / sizeof SORT_KEYS[0]; i++)
        if (strcmp(key, SORT_KEYS[i]) == 0) {
            q->sort = (enum member_sort)i;
            return;
        }
    err_field(e, "sort", "field.bad_sort");
}

static const char *code_param(const char *(*get)(void *, const char *), void *ctx,
                              const char *name, struct err *e)
{
    const char *s = get(ctx, name);
    if (!present(s))
        return NULL;
    if (!code_like(s))
        err_field(e, name, "member.unknown_code");
    return s;
}

int member_query_parse(struct member_query *q, const char *(*get)(void *ctx, const char *name),
                       void *ctx, struct arena *a, const struct keys *k, struct date today,
                       struct err *e)
{
    (void)a;
    memset(q, 0, sizeof *q);
    q->gender = -1;
    const char *org = get(ctx, "org_id");
    if (present(org) && parse_int(org, 1, INT64_MAX, &q->org_id) != 0)
        err_field(e, "org_id", "field.bad_integer");
    parse_name(q, get, ctx, k, e);
    const char *status = get(ctx, "status");
    if (present(status)) {
        if (strcmp(status, "normal") == 0 || strcmp(status, "lost_contact") == 0)
            q->status = status;
        else
            err_field(e, "status", "member.bad_status");
    }
    const char *cat = get(ctx, "category");
    if (present(cat)) {
        if (strcmp(cat, "full") == 0 || strcmp(cat, "probationary") == 0)
            q->category = cat;
        else
            err_field(e, "category", "member.bad_category");
    }
    const char *g = get(ctx, "gender");
    if (present(g)) {
        if (strcmp(g, "male") == 0 || strcmp(g, "1") == 0)
            q->gender = 1;
        else if (strcmp(g, "female") == 0 || strcmp(g, "2") == 0)
            q->gender = 2;
        else if (strcmp(g, "0") == 0 || strcmp(g, "9") == 0)
            q->gender = g[0] - '0';
        else
            err_field(e, "gender", "member.bad_gender");
    }
    parse_ages(q, get, ctx, today, e);
    parse_years(q, get, ctx, e);
    q->post = code_param(get, ctx, "post", e);
    q->education = code_param(get, ctx, "education", e);
    q->ethnicity = code_param(get, ctx, "ethnicity", e);
    parse_sort(q, get(ctx, "sort"), e);
    return e->code == ERR_OK ? 0 : -1;
}

bool member_query_unfiltered(const struct member_query *q)
{
    return q->name_like == NULL && q->name_prefix == NULL && !q->by_id_number && !q->by_phone &&
           q->status == NULL && q->category == NULL && q->gender < 0 && q->born_after[0] == '\0' &&
           q->born_until[0] == '\0' && q->joined_from[0] == '\0' && q->joined_before[0] == '\0' &&
           q->post == NULL && q->education == NULL && q->ethnicity == NULL;
}
