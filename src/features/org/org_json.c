/* org_json.c: an org in and out of JSON, shared by the HTTP handlers and the CLI.
 * Input parsing is strict: unknown fields, wrong types and over-long strings become field
 * errors (so a client learns of a typo instead of having it silently ignored). */
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/jsonw.h"
#include "features/org/org.h"
#include "http/http.h"

static const char *const known[] = {"parent_id", "code", "name", "type", "founded_on",
                                    "term_start", "term_years", "has_committee",
                                    "committee_size", "is_joint", "is_village", "sort_order"};

static bool is_known(const char *key, bool creating)
{
    if (!creating && (strcmp(key, "parent_id") == 0 || strcmp(key, "type") == 0))
        return false;                  /* moving and retyping are not edits */
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(key, known[i]) == 0)
            return true;
    return false;
}

static const char *get_str(json_t *v, const char *field, size_t max, bool nullable,
                           struct arena *a, struct err *e)
{
    if (nullable && json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        err_field(e, field, "field.bad_type");
        return NULL;
    }
    if (json_string_length(v) > max) {
        err_field(e, field, "field.too_long");
        return NULL;
    }
    char *s = arena_strndup(a, json_string_value(v), json_string_length(v));
    if (strlen(s) != json_string_length(v)) {   /* embedded NUL */
        err_field(e, field, "field.bad_type");
        return NULL;
    }
    return s;
}

static int64_t get_int(json_t *v, const char *field, bool nullable, struct err *e)
{
    if (nullable && json_is_null(v))
        return 0;
    if (!json_is_integer(v)) {
        err_field(e, field, "field.bad_integer");
        return 0;
    }
    json_int_t n = json_integer_value(v);
    if (n < -1000000000 || n > (json_int_t)1 << 53) {
        err_field(e, field, "field.out_of_range");
        return 0;
    }
    return (int64_t)n;
}

static bool get_bool(json_t *v, const char *field, struct err *e)
{
    if (!json_is_boolean(v)) {
        err_field(e, field, "field.bad_type");
        return false;
    }
    return json_is_true(v);
}

static void parse_one(const char *key, json_t *v, struct org_input *in, struct arena *a,
                      struct err *e)
{
    if (strcmp(key, "parent_id") == 0) {
        in->has_parent = true;
        in->parent_id = get_int(v, key, true, e);
        if (in->parent_id < 0)
            err_field(e, key, "field.out_of_range");
    } else if (strcmp(key, "code") == 0) {
        in->has_code = (in->code = get_str(v, key, 64, false, a, e)) != NULL;
    } else if (strcmp(key, "name") == 0) {
        in->has_name = (in->name = get_str(v, key, 400, false, a, e)) != NULL;
    } else if (strcmp(key, "type") == 0) {
        const char *t = get_str(v, key, 32, false, a, e);
        in->has_type = t != NULL && org_type_parse(t, &in->type) == 0;
        if (t != NULL && !in->has_type)
            err_field(e, key, "org.bad_type");
    } else if (strcmp(key, "founded_on") == 0) {
        in->has_founded = true;
        in->founded_on = get_str(v, key, 10, true, a, e);
    } else if (strcmp(key, "term_start") == 0) {
        in->has_term_start = true;
        in->term_start = get_str(v, key, 10, true, a, e);
    } else if (strcmp(key, "term_years") == 0) {
        in->has_term_years = true;
        in->term_years = (int)get_int(v, key, true, e);
    } else if (strcmp(key, "has_committee") == 0) {
        in->has_committee_flag = true;
        in->has_committee = get_bool(v, key, e);
    } else if (strcmp(key, "committee_size") == 0) {
        in->has_committee_size = true;
        in->committee_size = (int)get_int(v, key, true, e);
    } else if (strcmp(key, "is_joint") == 0) {
        in->has_joint = true;
        in->is_joint = get_bool(v, key, e);
    } else if (strcmp(key, "is_village") == 0) {
        in->has_village = true;
        in->is_village = get_bool(v, key, e);
    } else if (strcmp(key, "sort_order") == 0) {
        in->has_sort = true;
        in->sort_order = (int)get_int(v, key, false, e);
    }
}

int org_json_parse_input(json_t *body, bool creating, struct org_input *in, struct arena *a,
                         struct err *e)
{
    memset(in, 0, sizeof *in);
    if (!json_is_object(body))
        return err_set(e, ERR_INVALID, "request.body_not_object");
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v) {
        if (!is_known(key, creating))
            err_field(e, key, "field.unknown");
        else
            parse_one(key, v, in, a, e);
    }
    return e->code == ERR_OK ? 0 : -1;
}

static json_t *str_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

json_t *org_json(const struct org *o, const struct org_rule_config *cfg)
{
    json_t *j = json_pack(
        "{s:I, s:s, s:s, s:s, s:s, s:i, s:b, s:b, s:b, s:i, s:I,"
        " s:{s:I, s:I}, s:{s:I, s:I, s:I}, s:I, s:I}",
        "id", (json_int_t)o->id, "code", o->code, "name", o->name, "type",
        org_type_name(o->type), "path", o->path, "depth", o->depth, "is_joint", o->is_joint,
        "is_village", o->is_village, "has_committee", o->has_committee, "sort_order",
        o->sort_order, "child_count", (json_int_t)o->child_count, "direct", "full",
        (json_int_t)o->n_full, "probationary", (json_int_t)o->n_prob, "members", "full",
        (json_int_t)o->sub_full, "probationary", (json_int_t)o->sub_prob, "total",
        (json_int_t)(o->sub_full + o->sub_prob), "created_at", (json_int_t)o->created_at,
        "updated_at", (json_int_t)o->updated_at);
    if (j == NULL)
        return json_object();
    json_object_set_new(j, "parent_id", o->parent_id ? json_integer(o->parent_id) : json_null());
    json_object_set_new(j, "parent_name", str_or_null(o->parent_name));
    json_object_set_new(j, "committee_size",
                        o->committee_size ? json_integer(o->committee_size) : json_null());
    json_object_set_new(j, "founded_on", str_or_null(o->founded_on));
    json_object_set_new(j, "term_start", str_or_null(o->term_start));
    json_object_set_new(j, "term_years", o->term_years ? json_integer(o->term_years) : json_null());
    int years = org_rules_term_years(o, cfg);
    json_object_set_new(j, "term_years_effective", years ? json_integer(years) : json_null());
    struct date end;
    char buf[11];
    if (org_rules_term_end(o, cfg, &end)) {
        date_format(end, buf);
        json_object_set_new(j, "term_end", json_string(buf));
    } else {
        json_object_set_new(j, "term_end", json_null());
    }
    return j;
}

static void counts(struct buf *b, const char *key, int64_t full, int64_t prob, bool total)
{
    jsonw_key(b, key);
    buf_add_lit(b, "{\"full\":");
    jsonw_i64(b, full);
    buf_add_lit(b, ",\"probationary\":");
    jsonw_i64(b, prob);
    if (total) {
        buf_add_lit(b, ",\"total\":");
        jsonw_i64(b, full + prob);
    }
    buf_add_lit(b, "},");
}

void org_json_write(struct buf *b, const struct org *o, const struct org_rule_config *cfg)
{
    buf_add_lit(b, "{\"id\":");
    jsonw_i64(b, o->id);
    buf_add_lit(b, ",\"code\":");
    jsonw_str(b, o->code);
    buf_add_lit(b, ",\"name\":");
    jsonw_str(b, o->name);
    buf_add_lit(b, ",\"type\":");
    jsonw_str(b, org_type_name(o->type));
    buf_add_lit(b, ",\"path\":");
    jsonw_str(b, o->path);
    buf_add_lit(b, ",\"depth\":");
    jsonw_i64(b, o->depth);
    buf_add_lit(b, ",\"is_joint\":");
    jsonw_bool(b, o->is_joint);
    buf_add_lit(b, ",\"is_village\":");
    jsonw_bool(b, o->is_village);
    buf_add_lit(b, ",\"has_committee\":");
    jsonw_bool(b, o->has_committee);
    buf_add_lit(b, ",\"sort_order\":");
    jsonw_i64(b, o->sort_order);
    buf_add_lit(b, ",\"child_count\":");
    jsonw_i64(b, o->child_count);
    buf_addc(b, ',');
    counts(b, "direct", o->n_full, o->n_prob, false);
    counts(b, "members", o->sub_full, o->sub_prob, true);
    jsonw_key(b, "created_at");
    jsonw_i64(b, o->created_at);
    buf_add_lit(b, ",\"updated_at\":");
    jsonw_i64(b, o->updated_at);
    buf_add_lit(b, ",\"parent_id\":");
    jsonw_i64_or_null(b, o->parent_id);
    buf_add_lit(b, ",\"parent_name\":");
    jsonw_str(b, o->parent_name);
    buf_add_lit(b, ",\"committee_size\":");
    jsonw_i64_or_null(b, o->committee_size);
    buf_add_lit(b, ",\"founded_on\":");
    jsonw_str(b, o->founded_on);
    buf_add_lit(b, ",\"term_start\":");
    jsonw_str(b, o->term_start);
    buf_add_lit(b, ",\"term_years\":");
    jsonw_i64_or_null(b, o->term_years);
    buf_add_lit(b, ",\"term_years_effective\":");
    jsonw_i64_or_null(b, org_rules_term_years(o, cfg));
    buf_add_lit(b, ",\"term_end\":");
    struct date end;
    char day[11];
    if (org_rules_term_end(o, cfg, &end)) {
        date_format(end, day);
        jsonw_str(b, day);
    } else {
        buf_add_lit(b, "null");
    }
    buf_addc(b, '}');
}

json_t *org_json_findings(const struct org_warning *w, int n, const char *lang)
{
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "rule", w[i].rule, "level",
                                             org_level_name(w[i].level), "message",
                                             i18n_text(w[i].key, lang)));
    return arr;
}
